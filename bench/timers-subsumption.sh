#!/bin/bash
# Timers in subsumption (BENCHMARKS.md, "Timers in subsumption"): each check run by two
# synccheck binaries side by side, one thread, under /usr/bin/time.
#   BASE=path/to/synccheck-before NEW=path/to/synccheck-after bench/timers-subsumption.sh OUT.tsv
# Columns: label, binary, unique states (the full system's search), drift classes,
# states left unexpanded by subsumption, CPU s (user + system), peak RSS MB, how the
# search stopped, verdicts.
set -u
out=$1; : > "$out"
declare -A bin=([base]="${BASE:?the binary before}" [new]="${NEW:?the binary after}")
run() { # label args...
  label=$1; shift
  for b in base new; do
    res=$( { /usr/bin/time -f "TIME %U %S %M" timeout 150 "${bin[$b]}" check "$@" --threads 1 2>&1; } )
    st=$(echo "$res" | grep -oE "^search: .*\(([0-9]+) unique" | grep -oE "[0-9]+ unique" | cut -d' ' -f1)
    stop=$(echo "$res" | grep -oE "^search: bfs, 1 thread, [^(]*" | sed 's/search: bfs, 1 thread, //')
    cls=$(echo "$res" | grep -oE "drift classes: [0-9]+ classes" | grep -oE "[0-9]+")
    sub=$(echo "$res" | grep -oE "^subsumption: [0-9]+" | grep -oE "[0-9]+")
    t=$(echo "$res" | grep "^TIME" | awk '{printf "%.2f\t%d", $2+$3, $4/1024}')
    verd=$(echo "$res" | grep -E "^[a-z_]+ +(always|sometimes|eventually) " | awk '{print $1"="$3}' | tr '\n' ' ')
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$label" "$b" "$st" "${cls:--}" "${sub:--}" "$t" "$stop" "$verd" | tee -a "$out"
  done
}
run "fll all relax-all, full system" fenced_lease_lock --set variant=all --relax-all --no-drift-classes
run "fll all relax-all no_dup, full system" fenced_lease_lock --set variant=all --relax-all --hold no_duplication --no-drift-classes
for e in 1 2 4; do run "pb sync relax-all no_dup skew=$e, full system" primary_backup --set variant=sync --relax-all --hold no_duplication --hold bounded_skew=$e --no-drift-classes; done
run "fsb epoch_fencing relax-all, full system" failover_split_brain --set variant=epoch_fencing --relax-all --no-drift-classes
run "cf compare_and_set relax-all, full system" concurrent_failover --set variant=compare_and_set --relax-all --no-drift-classes
run "alq idempotent_consumer relax-all, full system" at_least_once_queue --set variant=idempotent_consumer --relax-all --no-drift-classes
run "lww hybrid relax-all, full system" lww_register --set variant=hybrid --relax-all --no-drift-classes
run "raft persist relax-all" raft_vote_persistence --set persist_vote=true --relax-all
run "tombstone relax-all" tombstone_gc --relax-all
for e in 1 2 4; do run "fll all relax-all no_dup skew=$e (drift classes)" fenced_lease_lock --set variant=all --relax-all --hold no_duplication --hold bounded_skew=$e; done
for e in 1 2 4 8; do run "pb sync relax-all no_dup skew=$e (drift classes)" primary_backup --set variant=sync --relax-all --hold no_duplication --hold bounded_skew=$e; done
run "fll all relax-all (drift classes)" fenced_lease_lock --set variant=all --relax-all
