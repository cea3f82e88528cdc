#!/bin/bash
# Sourced by the side-by-side benchmarks (bench/timers-subsumption.sh,
# bench/covering.sh, bench/crew.sh): `run LABEL ARGS...` runs `synccheck check ARGS...
# --threads $THREADS` (default 1) with the binaries $BASE and $NEW one after the other,
# under /usr/bin/time, and appends a row for each to $out and stdout. Columns: label,
# binary, unique states (the full system's search), drift classes, states left
# unexpanded by subsumption, CPU s (user + system), peak RSS MB, how the search
# stopped, verdicts, threads, wall s.
declare -A bin=([base]="${BASE:?the binary before}" [new]="${NEW:?the binary after}")
run() { # label args...
  label=$1; shift
  for b in base new; do
    res=$( { /usr/bin/time -f "TIME %U %S %M %e" timeout 150 "${bin[$b]}" check "$@" --threads "${THREADS:-1}" 2>&1; } )
    st=$(echo "$res" | grep -oE "^search: .*\(([0-9]+) unique" | grep -oE "[0-9]+ unique" | cut -d' ' -f1)
    stop=$(echo "$res" | grep -oE "^search: bfs, [0-9]+ threads?, [^(]*" | sed -E 's/search: bfs, [0-9]+ threads?, //')
    cls=$(echo "$res" | grep -oE "drift classes: [0-9]+ classes" | grep -oE "[0-9]+")
    sub=$(echo "$res" | grep -oE "^subsumption: [0-9]+" | grep -oE "[0-9]+")
    t=$(echo "$res" | grep "^TIME" | awk '{printf "%.2f\t%d", $2+$3, $4/1024}')
    wall=$(echo "$res" | grep "^TIME" | awk '{print $5}')
    verd=$(echo "$res" | grep -E "^[a-z_]+ +(always|sometimes|eventually) " | awk '{print $1"="$3}' | tr '\n' ' ')
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$label" "$b" "$st" "${cls:--}" "${sub:--}" "$t" "$stop" "$verd" "${THREADS:-1}" "$wall" | tee -a "$out"
  done
}
