#!/bin/bash
# Subsumption's records kept compact and its largest level not copied (BENCHMARKS.md,
# "Covering records"): each check run by two synccheck binaries side by side, one
# thread, under /usr/bin/time, twice, interleaved.
#   BASE=path/to/synccheck-before NEW=path/to/synccheck-after bench/covering.sh OUT.tsv
# Columns: see bench/pair.sh.
set -u
out=$1; : > "$out"
source "$(dirname "$0")/pair.sh"
for round in 1 2; do
  run "qr write_back relax-all (nothing subsumed)" quorum_register --set variant=write_back --relax-all
  run "qr write_back relax-all, --no-subsumption" quorum_register --set variant=write_back --relax-all --no-subsumption
  run "fll all relax-all, full system" fenced_lease_lock --set variant=all --relax-all --no-drift-classes
  for e in 2 4; do run "pb sync relax-all no_dup skew=$e, full system" primary_backup --set variant=sync --relax-all --hold no_duplication --hold bounded_skew=$e --no-drift-classes; done
  run "alq idempotent_consumer relax-all, full system" at_least_once_queue --set variant=idempotent_consumer --relax-all --no-drift-classes
  run "fll all relax-all no_dup skew=2 (drift classes)" fenced_lease_lock --set variant=all --relax-all --hold no_duplication --hold bounded_skew=2
done
