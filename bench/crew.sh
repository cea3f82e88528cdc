#!/bin/bash
# The BFS's workers kept for the whole search, subsumption's passes on them, and the
# store's shards on their own cache lines (BENCHMARKS.md, "Two threads: subsumption on
# the crew"): each check run by two synccheck binaries side by side, at one
# and at two threads, three times, interleaved.
#   BASE=path/to/synccheck-before NEW=path/to/synccheck-after bench/crew.sh OUT.tsv
# Columns: see bench/pair.sh.
set -u
out=$1; : > "$out"
source "$(dirname "$0")/pair.sh"
for round in 1 2 3; do
  for THREADS in 1 2; do
    for e in 2 4; do run "pb sync relax-all no_dup skew=$e, full system" primary_backup --set variant=sync --relax-all --hold no_duplication --hold bounded_skew=$e --no-drift-classes; done
    run "qr write_back relax-all (nothing subsumed)" quorum_register --set variant=write_back --relax-all
    run "fll all relax-all, full system" fenced_lease_lock --set variant=all --relax-all --no-drift-classes
    run "alq idempotent_consumer relax-all, full system" at_least_once_queue --set variant=idempotent_consumer --relax-all --no-drift-classes
    run "fll all relax-all no_dup skew=2 (drift classes)" fenced_lease_lock --set variant=all --relax-all --hold no_duplication --hold bounded_skew=2
    run "fll all relax-all, full system, --no-subsumption" fenced_lease_lock --set variant=all --relax-all --no-drift-classes --no-subsumption
  done
done
