#!/usr/bin/env bash
# Growth of the timed state space in ε (bounded_skew), Δ (bounded_delay) and P
# (bounded_pause) for the fixed variants of fenced_lease_lock (variant=all) and
# primary_backup (variant=sync): each bound held at 1, 2, 4, 8 with every other
# assumption as in the plan's fixed-variant check (--relax-all --hold no_duplication),
# plus that check itself (the bound relaxed) for reference. One run per case,
# --threads 1 (override: GROWTH_THREADS; the 2026-12-04 runs of the large bounds
# used 16), --timeout 60 (override: GROWTH_TIMEOUT), CPU and peak RSS from
# /usr/bin/time -v. GROWTH_BOUNDS picks the bounds (default "bounded_skew bounded_delay
# bounded_pause"), GROWTH_ARGS adds arguments to every run (`--no-subsumption`: every
# state expanded). Writes $GROWTH_OUT/growth.tsv and growth.md (default
# bench/results); the `subsumed` column is the states stored but not expanded
# (subsumption). Usage: scripts/growth.sh [path/to/synccheck]. Which component
# multiplies the states: scripts/growth_components.py on a `synccheck graph` export.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$ROOT/target/release/synccheck}
OUT=${GROWTH_OUT:-$ROOT/bench/results}
TIMEOUT=${GROWTH_TIMEOUT:-60}
THREADS=${GROWTH_THREADS:-1}
BOUNDS=${GROWTH_BOUNDS:-bounded_skew bounded_delay bounded_pause}
read -r -a EXTRA <<<"${GROWTH_ARGS:-}"
mkdir -p "$OUT"
TSV=$OUT/growth.tsv
MD=$OUT/growth.md
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
export SYNCCHECK_NO_PROGRESS=1

printf 'model\tbound\tvalue\tstop\tstates\tgenerated\tdepth\tcpu_s\twall_s\trss_mb\tload1\tsubsumed\n' >"$TSV"

run_case() { # model variant assumption value(or "relaxed")
    local model=$1 variant=$2 assumption=$3 value=$4
    local args=(check "$model" --set "variant=$variant" --relax-all --hold no_duplication
        --threads "$THREADS" --timeout "$TIMEOUT" --format json ${EXTRA[@]+"${EXTRA[@]}"})
    [ "$value" != relaxed ] && args+=(--hold "$assumption=$value")
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -v -o "$SCRATCH/time" "$BIN" "${args[@]}" >"$SCRATCH/report.json" 2>"$SCRATCH/stderr" || true
    python3 - "$SCRATCH" "$model" "$assumption" "$value" "$load" >>"$TSV" <<'PY'
import json, re, sys
scratch, model, assumption, value, load = sys.argv[1:]
timing = open(f"{scratch}/time").read()
def field(name):
    return re.search(rf"{re.escape(name)}: (.*)", timing).group(1).strip()
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
wall_text = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
wall = 0.0
for part in wall_text.split(":"):
    wall = wall * 60 + float(part)
rss_mb = int(field("Maximum resident set size (kbytes)")) / 1024
try:
    report = json.load(open(f"{scratch}/report.json"))
    stats = report["stats"]
    row = [report["stop_reason"], stats["unique_states"], stats["generated_states"], stats.get("max_depth", "")]
    subsumed = stats.get("subsumed_states", "")
except Exception:
    row = ["error: " + open(f"{scratch}/stderr").read().strip().splitlines()[-1], "", "", ""]
    subsumed = ""
print("\t".join(str(x) for x in [model, assumption, value, *row, f"{cpu:.2f}", f"{wall:.2f}", f"{rss_mb:.0f}", load, subsumed]))
PY
    tail -n 1 "$TSV" >&2
}

for case in "fenced_lease_lock all" "primary_backup sync"; do
    set -- $case
    run_case "$1" "$2" all relaxed
    for assumption in $BOUNDS; do
        for value in 1 2 4 8; do
            run_case "$1" "$2" "$assumption" "$value"
        done
    done
done

python3 "$ROOT/scripts/growth_table.py" "$TSV" >"$MD"
echo "wrote $TSV and $MD" >&2
