#!/bin/bash
# Does a second vCPU slow the first down by itself? For each case, round by round:
# one run at one thread alone; two independent one-thread runs at once (nothing shared
# but the machine); one run at two threads. If the pair's runs take as long as the one
# alone, the host does not cap two threads, and what a two-thread search costs over one
# is the process's own sharing.
# Usage: BIN=target/release/synccheck bench/independent.sh OUT.tsv
# Columns: case, round, run (alone, pair-a, pair-b, two-threads), wall s, CPU s
# (user + system), peak RSS MiB.
set -u
out=$1; : > "$out"
bin=${BIN:-target/release/synccheck}
declare -A cases=(
  ["pb sync relax-all no_dup skew=4, full system"]="primary_backup --set variant=sync --relax-all --hold no_duplication --hold bounded_skew=4 --no-drift-classes"
  ["fll all relax-all, full system"]="fenced_lease_lock --set variant=all --relax-all --no-drift-classes"
)
one() { # threads tag label round args...
  local threads=$1 tag=$2 label=$3 round=$4; shift 4
  /usr/bin/time -f "TIME %e %U %S %M" -o "/tmp/independent.$tag" "$bin" check "$@" --threads "$threads" -q > /dev/null 2>&1
  awk -v l="$label" -v r="$round" -v t="$tag" '/^TIME/ {printf "%s\t%s\t%s\t%.2f\t%.2f\t%d\n", l, r, t, $2, $3+$4, $5/1024}' "/tmp/independent.$tag" | tee -a "$out"
}
for round in 1 2 3; do
  for label in "${!cases[@]}"; do
    # shellcheck disable=SC2086 # the arguments are separate words
    set -- ${cases[$label]}
    one 1 alone "$label" "$round" "$@"
    one 1 pair-a "$label" "$round" "$@" & one 1 pair-b "$label" "$round" "$@" & wait
    one 2 two-threads "$label" "$round" "$@"
  done
done
