#!/bin/bash
# Every catalog model's default (fixed) variant with --relax-all (duplication
# included), one thread, a wall-clock limit each (BENCHMARKS.md, "Duplication in one
# step"). Prints one tab-separated row per model: model, unique states, depth, stop
# reason, CPU s (user + system), peak RSS MB, verdicts (deadlock left out), symmetry,
# and how each safety counterexample is explained (property: fewest-breaks status,
# breaks confirmed necessary / named).
# Usage: scripts/relax_all.sh [BINARY] [SECONDS]
set -euo pipefail
binary=${1:-target/release/synccheck}
limit=${2:-120}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for model in primary_backup quorum_register lww_register tombstone_gc isr_replication \
    retry_non_idempotent idempotency_window retry_amplification at_least_once_queue \
    backoff_jitter fenced_lease_lock raft_vote_persistence failover_split_brain \
    concurrent_failover two_phase_commit_timed; do
  /usr/bin/time -f "%U %S %M" "$binary" check "$model" --relax-all --timeout "$limit" \
    --threads 1 --format json -q > "$work/report.json" 2> "$work/time" || true
  python3 - "$model" "$work/report.json" "$work/time" <<'PY'
import json, sys
model, report, timing = sys.argv[1:]
d = json.load(open(report))
user, system, rss = open(timing).read().split()[-3:]
s = d["stats"]
verdicts = ",".join(p["verdict"] for p in d["properties"] if p["name"] != "deadlock_free")
explained = []
for p in d["properties"]:
    trace = p.get("counterexample")
    if trace and trace.get("loop_start") is None:
        breaks = trace.get("breaks", [])
        necessary = sum(1 for b in breaks if b.get("necessity") == "necessary")
        explained.append("%s: %s, %d/%d necessary" % (
            p["name"], trace.get("fewest_breaks"), necessary, len(breaks)))
print("\t".join([model, str(s["unique_states"]), str(s["max_depth"]), d["stop_reason"],
                 "%.1f" % (float(user) + float(system)), str(int(rss) // 1024), verdicts,
                 str(d.get("symmetry")), "; ".join(explained) or "-"]))
PY
done
