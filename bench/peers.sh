#!/usr/bin/env bash
# synccheck vs stateright's own checker on the same protocol (issue 15; BENCHMARKS.md,
# "synccheck vs stateright's checker (issue 15)"): stateright 0.31's
# examples/linearizable-register.rs (ABD) and examples/paxos.rs run by stateright's
# checker (each example's own `check N`, ABD's DFS, paxos's BFS, and paxos's
# `check-dfs`; `num_cpus::get()` threads, pinned to one CPU with `taskset -c 0`),
# against the same protocols written for synccheck (examples/peers/abd.rs, paxos.rs;
# 1 thread) under (a) the network closest to stateright's and (b) every assumption
# relaxed but duplication, then with duplication. For paxos also stateright's example
# with synccheck's delivery semantics (bench/paxos_consuming.py): its counts must
# equal the port's under (a) with `drop_ignored=off`. Under (a) each port runs with
# `drop_ignored=off` (every delivery a step that consumes its message) and `on` (the
# messages a node ignores for ever dropped, `Protocol::ignores`; the ports' default).
#
# Usage: bench/peers.sh
# Environment:
#   CARGO_TARGET_DIR  synccheck's build directory (default: ./target)
#   SR_TARGET         where stateright's examples are built (default: ~/.cache/synccheck-bench/stateright)
#   SR_BIN            an already built linearizable-register example (skips that build)
#   SR_PAXOS_BIN      an already built paxos example (skips that build)
#   SR_CONSUMING_BIN  an already built paxos_consuming variant (skips that build)
#   PEER_MODELS       which ports to measure (default: "abd paxos")
#   PEER_TIMEOUT      seconds per capped run (ABD client_count = 2, paxos 3; default 60)
#   DUP_TIMEOUT       seconds for the run with duplication relaxed (default 120)
#   PEER_MEMORY_MB    --max-memory for synccheck's capped paxos runs (default 6000)
#   BENCH_OUT         where peers.tsv and peers.md go (default: bench/results)
#   PEER_PRELOAD      a shared library LD_PRELOADed into every checker run, both sides
#                     (e.g. Debian's /usr/lib/x86_64-linux-gnu/libmimalloc.so.2: both
#                     checkers on one allocator; the ports and stateright's examples
#                     otherwise use glibc's malloc)
# One run per case (the capped runs are measured by their rate, not their end).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
SR_TARGET=${SR_TARGET:-$HOME/.cache/synccheck-bench/stateright}
PEER_TIMEOUT=${PEER_TIMEOUT:-60}
DUP_TIMEOUT=${DUP_TIMEOUT:-120}
PEER_MODELS=${PEER_MODELS:-abd paxos}
PEER_MEMORY_MB=${PEER_MEMORY_MB:-6000}
OUT=${BENCH_OUT:-$ROOT/bench/results}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
TSV=$OUT/peers.tsv
MD=$OUT/peers.md
PEERS=$CARGO_TARGET_DIR/release/examples/peers
SR_ABD=${SR_BIN:-$SR_TARGET/release/examples/linearizable-register}
SR_PAXOS=${SR_PAXOS_BIN:-$SR_TARGET/release/examples/paxos}
SR_CONSUMING=${SR_CONSUMING_BIN:-$SR_TARGET/release/examples/paxos_consuming}
wants() { case " $PEER_MODELS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

note() { echo "peers: $*" >&2; }
[ -x /usr/bin/time ] || { note "needs GNU time at /usr/bin/time"; exit 2; }
command -v taskset >/dev/null || { note "needs taskset (util-linux)"; exit 2; }

note "building synccheck's ports (release)"
(cd "$ROOT" && cargo build --release --example peers)
# stateright's examples, built from the cargo registry's copy (never copied into the repo).
SR_EXAMPLES=()
if wants abd && [ -z "${SR_BIN:-}" ]; then SR_EXAMPLES+=(--example linearizable-register); fi
if wants paxos && [ -z "${SR_PAXOS_BIN:-}" ]; then SR_EXAMPLES+=(--example paxos); fi
if [ ${#SR_EXAMPLES[@]} -gt 0 ] || { wants paxos && [ -z "${SR_CONSUMING_BIN:-}" ]; }; then
SRC=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/stateright-0.31.0 2>/dev/null | head -1 || true)
[ -n "$SRC" ] || { note "stateright 0.31.0 is not in the cargo registry (cargo fetch in this repo)"; exit 2; }
fi
if [ ${#SR_EXAMPLES[@]} -gt 0 ]; then
note "building stateright's ${SR_EXAMPLES[*]} into $SR_TARGET"
CARGO_TARGET_DIR=$SR_TARGET cargo build --release --manifest-path "$SRC/Cargo.toml" "${SR_EXAMPLES[@]}"
fi
# The consuming variant: a copy of the crate with one more example (the copy, not the
# registry, is changed).
if wants paxos && [ -z "${SR_CONSUMING_BIN:-}" ]; then
COPY=$SR_TARGET/stateright-consuming
rm -rf "$COPY"
mkdir -p "$SR_TARGET"
cp -r "$SRC" "$COPY"
chmod -R u+w "$COPY"
python3 "$ROOT/bench/paxos_consuming.py" "$COPY/examples/paxos.rs" "$COPY/examples/paxos_consuming.rs"
printf '\n[[example]]\nname = "paxos_consuming"\npath = "examples/paxos_consuming.rs"\n' >>"$COPY/Cargo.toml"
note "building stateright's paxos with synccheck's delivery semantics into $SR_TARGET"
CARGO_TARGET_DIR=$SR_TARGET cargo build --release --manifest-path "$COPY/Cargo.toml" --example paxos_consuming
fi

printf 'case\tchecker\tcomplete\tstates\tcpu_s\twall_s\trss_mb\tstates_per_cpu_s\tbytes_per_state\tverdicts\n' >"$TSV"

# stateright prints "Done. states=G, unique=U, ..." or, cut short, its last progress line.
states_stateright() {
    local line
    line=$(grep -E '^(Done|Checking)\. ' "$WORK/stdout" | tail -1)
    echo "$line" | grep -o 'unique=[0-9]*' | cut -d= -f2
}
complete_stateright() { grep -q '^Done\. ' "$WORK/stdout" && echo yes || echo "no (${1}s cap)"; }
verdicts_stateright() {
    # stateright names only what it discovered: a counterexample of an `always`, an example of a `sometimes`.
    grep -o '^Discovered "[^"]*" [a-z]*' "$WORK/stdout" | sed 's/^Discovered //' | paste -sd, - || true
}
states_synccheck() { grep -o '[0-9]* unique states' "$WORK/stdout" | head -1 | grep -o '^[0-9]*'; }
complete_synccheck() { grep -q 'complete (' "$WORK/stdout" && echo yes || echo "no: $(grep -o 'stopped: [a-z ]*' "$WORK/stdout" | head -1)"; }
verdicts_synccheck() {
    awk '/^property +kind +verdict/ {on = 1; next} on && NF >= 3 {printf "%s%s %s", sep, $1, $3; sep = ", "} on && NF == 0 {on = 0}' "$WORK/stdout"
}

# measure CASE CHECKER CAP_S COMMAND...
measure() {
    local case=$1 checker=$2 cap=$3
    shift 3
    local preload=()
    if [ -n "${PEER_PRELOAD:-}" ]; then preload=(env "LD_PRELOAD=$PEER_PRELOAD"); fi
    /usr/bin/time -f '%U %S %e %M' -o "$WORK/time" "${preload[@]}" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || true
    local cpu wall rss_kb states complete verdicts
    read -r cpu wall rss_kb < <(tail -1 "$WORK/time" | awk '{printf "%.2f %.2f %d\n", $1 + $2, $3, $4}')
    states=$("states_$checker" || true)
    complete=$("complete_$checker" "$cap")
    verdicts=$("verdicts_$checker")
    local rate bytes rss_mb
    rss_mb=$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')
    rate=$(awk -v s="$states" -v c="$cpu" 'BEGIN { if (s > 0 && c > 0) printf "%.0f", s / c; else print "-" }')
    bytes=$(awk -v s="$states" -v k="$rss_kb" 'BEGIN { if (s > 0) printf "%.0f", k * 1024 / s; else print "-" }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$checker" "$complete" "${states:-?}" "$cpu" "$wall" "$rss_mb" "$rate" "$bytes" "$verdicts" >>"$TSV"
    note "$case | $checker | complete $complete | states ${states:-?} | cpu ${cpu}s | wall ${wall}s | rss ${rss_mb} MB | $verdicts"
}

# (a): stateright's network is an unordered, non-duplicating multiset with no loss
# and no faults, and any delay: bounded_delay, fifo_links relaxed; the ports read no
# clock and set no timer, so bounded_skew and timely_timers are relaxed too (they
# add no state); reliable_links, no_duplication, max_crashes(0), bounded_pause(0),
# durable_writes held.
NET_A=(--relax bounded_delay --relax bounded_skew --relax timely_timers --relax fifo_links)
if wants abd; then
for clients in 1 2; do
    cap=0
    run=()
    if [ "$clients" -gt 1 ]; then cap=$PEER_TIMEOUT; run=(timeout -s INT "$cap"); fi
    measure "ABD clients=$clients: stateright check (dfs, taskset -c 0)" stateright "$cap" \
        "${run[@]}" taskset -c 0 "$SR_ABD" check "$clients"
    limit=()
    if [ "$cap" -gt 0 ]; then limit=(--timeout "$cap"); fi
    for strategy in bfs dfs; do
        for drop in off on; do
            measure "ABD clients=$clients: synccheck (a) $strategy 1t, drop_ignored=$drop" synccheck "$cap" \
                "$PEERS" check peer_abd --set "client_count=$clients" --set "drop_ignored=$drop" --threads 1 --strategy "$strategy" "${NET_A[@]}" "${limit[@]}"
        done
    done
done
measure "ABD clients=1: synccheck (b) relax-all, hold no_duplication, bfs 1t" synccheck "$PEER_TIMEOUT" \
    "$PEERS" check peer_abd --set client_count=1 --threads 1 --relax-all --hold no_duplication --timeout "$PEER_TIMEOUT"
measure "ABD clients=1: synccheck (b) relax-all, hold no_duplication + durable_writes, bfs 1t" synccheck "$PEER_TIMEOUT" \
    "$PEERS" check peer_abd --set client_count=1 --threads 1 --relax-all --hold no_duplication --hold durable_writes --timeout "$PEER_TIMEOUT"
measure "ABD clients=1: synccheck (b) relax-all (duplication too), bfs 1t" synccheck "$DUP_TIMEOUT" \
    "$PEERS" check peer_abd --set client_count=1 --threads 1 --relax-all --timeout "$DUP_TIMEOUT"
fi

if wants paxos; then
# Paxos: the same network (a). 1 and 2 clients finish on every checker; 3 clients are
# capped at PEER_TIMEOUT s wall and measure the rate.
for clients in 1 2 3; do
    cap=0
    run=()
    limit=()
    if [ "$clients" -gt 2 ]; then
        cap=$PEER_TIMEOUT
        run=(timeout -s INT "$cap")
        limit=(--timeout "$cap" --max-memory "$PEER_MEMORY_MB")
    fi
    for sr in "check bfs" "check-dfs dfs"; do
        read -r command strategy <<<"$sr"
        measure "Paxos clients=$clients: stateright $command ($strategy, taskset -c 0)" stateright "$cap" \
            "${run[@]}" taskset -c 0 "$SR_PAXOS" "$command" "$clients"
        measure "Paxos clients=$clients: stateright consuming variant $command ($strategy, taskset -c 0)" stateright "$cap" \
            "${run[@]}" taskset -c 0 "$SR_CONSUMING" "$command" "$clients"
    done
    for strategy in bfs dfs; do
        for drop in off on; do
            measure "Paxos clients=$clients: synccheck (a) $strategy 1t, drop_ignored=$drop" synccheck "$cap" \
                "$PEERS" check peer_paxos --set "client_count=$clients" --set "drop_ignored=$drop" --threads 1 --strategy "$strategy" "${NET_A[@]}" "${limit[@]}"
        done
    done
done
measure "Paxos clients=1: synccheck (b) relax-all, hold no_duplication, bfs 1t" synccheck "$DUP_TIMEOUT" \
    "$PEERS" check peer_paxos --set client_count=1 --threads 1 --relax-all --hold no_duplication --timeout "$DUP_TIMEOUT" --max-memory "$PEER_MEMORY_MB"
measure "Paxos clients=1: synccheck (b) relax-all, hold no_duplication + durable_writes, bfs 1t" synccheck "$DUP_TIMEOUT" \
    "$PEERS" check peer_paxos --set client_count=1 --threads 1 --relax-all --hold no_duplication --hold durable_writes --timeout "$DUP_TIMEOUT"
measure "Paxos clients=1: synccheck (b) relax-all (duplication too), bfs 1t" synccheck "$DUP_TIMEOUT" \
    "$PEERS" check peer_paxos --set client_count=1 --threads 1 --relax-all --timeout "$DUP_TIMEOUT" --max-memory "$PEER_MEMORY_MB"
measure "Paxos clients=2: synccheck (a) + one crash, durable_writes relaxed, bfs 1t" synccheck "$PEER_TIMEOUT" \
    "$PEERS" check peer_paxos --set client_count=2 --threads 1 "${NET_A[@]}" --hold max_crashes=1 --relax durable_writes --timeout "$PEER_TIMEOUT" --max-memory "$PEER_MEMORY_MB"
fi

{
    echo "# synccheck vs stateright's checker (bench/peers.sh)"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); one run per case"
    echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
    echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- allocator: ${PEER_PRELOAD:-glibc malloc (no preload)}"
    echo
    echo "| case | complete | unique states | CPU s | wall s | peak RSS MB | states / CPU s | bytes / state (RSS) | verdicts |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
    tail -n +2 "$TSV" | awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $3, $4, $5, $6, $7, $8, $9, $10}'
} >"$MD"
note "wrote $TSV and $MD"
cat "$MD"
