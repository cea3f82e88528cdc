#!/bin/bash
# Timers in subsumption (BENCHMARKS.md, "Timers in subsumption"): each check run by two
# synccheck binaries side by side, one thread, under /usr/bin/time.
#   BASE=path/to/synccheck-before NEW=path/to/synccheck-after bench/timers-subsumption.sh OUT.tsv
# Columns: see bench/pair.sh.
set -u
out=$1; : > "$out"
source "$(dirname "$0")/pair.sh"
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
