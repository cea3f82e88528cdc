#!/usr/bin/env bash
# synccheck's benchmark (see BENCHMARKS.md): TwoPhase commit under synccheck, SPIN,
# stateright's own checker and stateright's own 2pc example through synccheck's
# runner, the growth of two timed models with their bounds, and `check --all`.
#
# Usage: bench/run.sh [RUNS]        (RUNS: runs per case, median reported; default 3)
# Environment:
#   CARGO_TARGET_DIR  build directory (default: ./target)
#   BENCH_OUT         where results.tsv and results.md go (default: bench/results)
#   TIMED_TIMEOUT     seconds allowed per timed-model run (default 60; past it: unknown)
#   RMS_LIST          TwoPhase sizes (default "6 7 8")
#   SKIP_SPIN=1, SKIP_UPSTREAM=1, SKIP_TIMED=1, SKIP_ALL=1   leave a part out
#
# Installs SPIN with `apt-get install -y spin` when it is missing and this runs as
# root; otherwise the SPIN rows are left out with a note. Not part of CI: timings
# depend on the machine and its load.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-${RUNS:-3}}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
OUT=${BENCH_OUT:-$ROOT/bench/results}
TIMED_TIMEOUT=${TIMED_TIMEOUT:-60}
RMS_LIST=${RMS_LIST:-"6 7 8"}
export RMS_LIST
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
TSV=$OUT/results.tsv
MD=$OUT/results.md
BIN=$CARGO_TARGET_DIR/release/synccheck
RAW=$CARGO_TARGET_DIR/release/examples/raw_stateright_2pc
UPSTREAM=$CARGO_TARGET_DIR/release/upstream_2pc

note() { echo "bench: $*" >&2; }

[ -x /usr/bin/time ] || { note "needs GNU time at /usr/bin/time (apt-get install time)"; exit 2; }

note "building (release) into $CARGO_TARGET_DIR"
(cd "$ROOT" && cargo build --release --bin synccheck --example raw_stateright_2pc)

# --- SPIN -----------------------------------------------------------------------
if [ "${SKIP_SPIN:-0}" != 1 ] && ! command -v spin >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        note "installing SPIN (apt-get install -y spin)"
        apt-get install -y spin >/dev/null || { apt-get update >/dev/null && apt-get install -y spin >/dev/null; }
    else
        note "spin is missing and this is not root: SPIN rows left out"
        SKIP_SPIN=1
    fi
fi

# --- stateright's own examples/2pc.rs, through synccheck's runner ----------------
# Compiled from the cargo registry in a scratch crate (never copied into the repo):
# its `fn main` (which needs pico_args, env_logger, num_cpus) and the reporter import
# are cut off and bench/upstream_2pc_runner.rs is appended.
if [ "${SKIP_UPSTREAM:-0}" != 1 ]; then
    SRC=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/stateright-0.31.0/examples/2pc.rs 2>/dev/null | head -1 || true)
    if [ -n "$SRC" ] && grep -q '^fn main() -> Result<(), pico_args::Error>' "$SRC"; then
        UP=$WORK/upstream_2pc
        mkdir -p "$UP/src"
        sed -e '/^fn main() -> Result<(), pico_args::Error>/,$d' \
            -e '/^use stateright::report::WriteReporter;$/d' "$SRC" >"$UP/src/main.rs"
        cat "$ROOT/bench/upstream_2pc_runner.rs" >>"$UP/src/main.rs"
        cat >"$UP/Cargo.toml" <<EOF
[package]
name = "upstream_2pc"
version = "0.0.0"
edition = "2021"
publish = false
[dependencies]
synccheck = { path = "$ROOT" }
stateright = "=0.31.0"
[profile.release]
debug = 0
codegen-units = 4
[workspace]
EOF
        cp "$ROOT/Cargo.lock" "$UP/"
        note "building stateright's examples/2pc.rs against synccheck's runner"
        (cd "$UP" && cargo build --release --offline 2>/dev/null || cargo build --release) || SKIP_UPSTREAM=1
    else
        note "stateright 0.31.0's examples/2pc.rs not found in the cargo registry: left out"
        SKIP_UPSTREAM=1
    fi
fi

# --- measuring ------------------------------------------------------------------
printf 'group\tcase\tstates\tcpu_s\twall_s\trss_mb\tstates_per_cpu_s\truns\n' >"$TSV"

states_synccheck() {
    local n
    n=$(grep -o '[0-9]* unique states' "$WORK/stdout" | head -1 | grep -o '^[0-9]*' || true)
    if grep -q 'complete (' "$WORK/stdout"; then echo "${n:-?}"; else echo "${n:-?}(incomplete)"; fi
}
states_spin() {
    if ! grep -q 'errors: 0' "$WORK/stdout"; then
        note "pan reported errors:"; grep 'errors:' "$WORK/stdout" >&2 || true
        echo "?(errors)"; return
    fi
    awk '/states, stored/ {print $1; exit}' "$WORK/stdout"
}
states_none() { echo "-"; }
states_raw() { grep -o 'unique_states=[0-9]*' "$WORK/stdout" | cut -d= -f2; }

# measure GROUP CASE PARSER COMMAND...: RUNS runs, medians of CPU, wall and RSS.
measure() {
    local group=$1 case=$2 parser=$3
    shift 3
    local runs_file=$WORK/runs states=""
    : >"$runs_file"
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f '%U %S %e %M' -o "$WORK/time" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || true
        states=$($parser)
        tail -1 "$WORK/time" | awk '{printf "%.3f %.3f %d\n", $1 + $2, $3, $4}' >>"$runs_file"
    done
    local cpu wall rss
    cpu=$(awk '{print $1}' "$runs_file" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    wall=$(awk '{print $2}' "$runs_file" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    rss=$(awk '{print $3}' "$runs_file" | sort -g | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)] / 1024}')
    local rate
    rate=$(awk -v s="${states%%(*}" -v c="$cpu" 'BEGIN { if (s ~ /^[0-9]+$/ && c > 0) printf "%.0f", s / c; else print "-" }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$group" "$case" "$states" "$cpu" "$wall" "$rss" "$rate" "$RUNS" >>"$TSV"
    note "$group | $case | states $states | cpu ${cpu}s | wall ${wall}s | rss ${rss} MB"
}

for rms in $RMS_LIST; do
    for threads in 1 2; do
        for strategy in bfs dfs; do
            measure twophase "synccheck rms=$rms $strategy ${threads}t" states_synccheck \
                "$BIN" check two_phase_commit --set "rms=$rms" --strategy "$strategy" --threads "$threads"
        done
    done
    measure symmetry "synccheck rms=$rms bfs 1t symmetry=on" states_synccheck \
        "$BIN" check two_phase_commit --set "rms=$rms" --set symmetry=on
    measure symmetry "synccheck rms=$rms dfs 2t symmetry=on" states_synccheck \
        "$BIN" check two_phase_commit --set "rms=$rms" --set symmetry=on --strategy dfs --threads 2
    if [ "${SKIP_SPIN:-0}" != 1 ]; then
        # Safety mode, exhaustive (no bitstate); partial-order reduction is moot with
        # one process (-DNOREDUCE stores the same count). -m: depth limit well above 3N+2.
        (cd "$WORK" && spin -DN="$rms" -a "$ROOT/bench/twophase.pml" >/dev/null &&
            gcc -O2 -DSAFETY -o "pan$rms" pan.c)
        measure twophase "spin rms=$rms pan -m100000 (-DSAFETY)" states_spin "$WORK/pan$rms" -m100000
        # pan's default hash table is 2^24 slots (128 MiB) whatever the model; -w sized
        # to the space (about twice the states) is SPIN at its leanest.
        case $rms in 3) w=10 ;; 4) w=12 ;; 5) w=15 ;; 6) w=17 ;; 7) w=20 ;; 8) w=22 ;; *) w=24 ;; esac
        measure twophase "spin rms=$rms pan -m100000 -w$w (-DSAFETY)" states_spin "$WORK/pan$rms" -m100000 "-w$w"
    fi
    for threads in 1 2; do
        measure twophase "raw stateright model, stateright bfs rms=$rms ${threads}t" states_raw \
            "$RAW" "$rms" "$threads" stateright-bfs
        measure twophase "raw stateright model, synccheck bfs rms=$rms ${threads}t" states_raw \
            "$RAW" "$rms" "$threads" synccheck-bfs
    done
    if [ "${SKIP_UPSTREAM:-0}" != 1 ]; then
        measure twophase "stateright examples/2pc.rs, synccheck bfs rms=$rms 1t" states_raw \
            "$UPSTREAM" "$rms" 1 bfs
    fi
done

if [ "${SKIP_TIMED:-0}" != 1 ]; then
    for model in fenced_lease_lock primary_backup; do
        for assumption in bounded_delay bounded_skew bounded_pause; do
            for bound in 1 2 4 8; do
                measure "timed $model" "$assumption=$bound" states_synccheck \
                    "$BIN" check "$model" --hold "$assumption=$bound" --threads 2 --timeout "$TIMED_TIMEOUT"
            done
        done
    done
fi

if [ "${SKIP_ALL:-0}" != 1 ]; then
    measure all "synccheck check --all --threads 2" states_none "$BIN" check --all --threads 2
fi

# --- the table --------------------------------------------------------------------
{
    echo "# synccheck benchmark results"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); runs per case: $RUNS (medians)"
    echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
    echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- spin: $(spin -V 2>/dev/null | head -1 || echo 'not run')"
    echo
    echo "| group | case | unique states | CPU s | wall s | peak RSS MB | states / CPU s |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    tail -n +2 "$TSV" | awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7}'
    echo
    echo "## Ratios (medians; CPU = user + system)"
    echo
    awk -F'\t' '
        NR > 1 { cpu[$2] = $4; wall[$2] = $5; rss[$2] = $6 }
        function ratio(a, b, field) { return (a in field && b in field && field[b] > 0) ? sprintf("%.2f", field[a] / field[b]) : "-" }
        END {
            n = split(ENVIRON["RMS_LIST"], sizes, " ")
            print "| RMs | CPU synccheck bfs 1t / SPIN | wall synccheck bfs 2t / SPIN | RSS synccheck bfs 1t / SPIN | CPU synccheck / stateright (same raw model, bfs 1t) | CPU synccheck catalog model / raw model on stateright bfs 1t | wall 1t / 2t (bfs) |"
            print "|---:|---:|---:|---:|---:|---:|---:|"
            for (i = 1; i <= n; i++) {
                r = sizes[i]
                s1 = "synccheck rms=" r " bfs 1t"; s2 = "synccheck rms=" r " bfs 2t"
                sp = "spin rms=" r " pan -m100000 (-DSAFETY)"
                rs = "raw stateright model, stateright bfs rms=" r " 1t"
                rc = "raw stateright model, synccheck bfs rms=" r " 1t"
                printf "| %s | %s | %s | %s | %s | %s | %s |\n", r, ratio(s1, sp, cpu), ratio(s2, sp, wall), ratio(s1, sp, rss), ratio(rc, rs, cpu), ratio(s1, rs, cpu), ratio(s1, s2, wall)
            }
        }' "$TSV"
} >"$MD"
note "wrote $TSV and $MD"
cat "$MD"
