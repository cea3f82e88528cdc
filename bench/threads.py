#!/usr/bin/env python3
"""Thread scaling of synccheck's checker (issue 15; BENCHMARKS.md, "Thread scaling").

Runs each case with each thread count, in rounds (every case and thread count once per
round, so a drift in the machine's speed spreads over all of them), and records for
every run: wall seconds, CPU seconds (user + system, from wait4), peak RSS, and the
report's stop reason, unique and generated states and depth. Rows are appended to the
TSV as each run ends, so a run cut by an outer time limit keeps what it measured.

Usage:
  bench/threads.py BIN OUT_DIR [--threads 1,2,4,8,16] [--rounds 1] [--timeout 120]
                   [--case NAME=ARGS ...] [--all-threads 1,16]

BIN is a release build of synccheck. Each --case is a name and the arguments after
`synccheck check` (shell words); without --case the default cases below are run.
--all-threads also times `synccheck check --all` at those thread counts (exit code
recorded, no state counts). Writes OUT_DIR/threads.tsv and OUT_DIR/threads.md (the
medians per case and thread count, with the speed-up over the smallest thread count).
"""

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

DEFAULT_CASES = [
    ("fenced_lease_lock relax-all", "fenced_lease_lock --relax-all"),
    ("quorum_register relax-all", "quorum_register --relax-all"),
    ("primary_backup sync relax-all", "primary_backup --set variant=sync --relax-all"),
    (
        "fenced_lease_lock all no_dup",
        "fenced_lease_lock --set variant=all --relax-all --hold no_duplication",
    ),
    ("two_phase_commit rms=8", "two_phase_commit --set rms=8"),
]

FIELDS = [
    "case", "threads", "round", "exit", "stop", "states", "generated", "depth",
    "wall_s", "cpu_s", "rss_mb", "load1",
]


def run(argv, timeout):
    """Runs argv, returns (exit code, wall s, cpu s, peak rss MB, stdout)."""
    with tempfile.TemporaryFile() as out:
        env = dict(os.environ, SYNCCHECK_NO_PROGRESS="1")
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return proc.returncode, wall, cpu, usage.ru_maxrss / 1024, text


def summary(text):
    try:
        report = json.loads(text)
        stats = report["stats"]
        return (report.get("stop_reason", ""), stats.get("unique_states", ""),
                stats.get("generated_states", ""), stats.get("max_depth", ""))
    except (ValueError, KeyError, TypeError):
        return ("", "", "", "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("out")
    parser.add_argument("--threads", default="1,2,4,8,16")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--case", action="append", default=[])
    parser.add_argument("--all-threads", default="")
    args = parser.parse_args()

    cases = [tuple(c.split("=", 1)) for c in args.case] or DEFAULT_CASES
    threads = [int(t) for t in args.threads.split(",") if t]
    all_threads = [int(t) for t in args.all_threads.split(",") if t]
    os.makedirs(args.out, exist_ok=True)
    tsv = os.path.join(args.out, "threads.tsv")
    rows = []
    with open(tsv, "w") as f:
        f.write("\t".join(FIELDS) + "\n")

    def record(row):
        rows.append(row)
        with open(tsv, "a") as f:
            f.write("\t".join(str(row[k]) for k in FIELDS) + "\n")
        print("\t".join(str(row[k]) for k in FIELDS), flush=True)

    for rnd in range(1, args.rounds + 1):
        for name, case_args in cases:
            for t in threads:
                load = open("/proc/loadavg").read().split()[0]
                argv = [args.bin, "check", *shlex.split(case_args), "--threads", str(t),
                        "--format", "json", "-q"]
                code, wall, cpu, rss, text = run(argv, args.timeout)
                stop, states, generated, depth = summary(text)
                record(dict(case=name, threads=t, round=rnd, exit=code, stop=stop,
                            states=states, generated=generated, depth=depth,
                            wall_s=f"{wall:.2f}", cpu_s=f"{cpu:.2f}", rss_mb=f"{rss:.0f}",
                            load1=load))
    for t in all_threads:
        load = open("/proc/loadavg").read().split()[0]
        argv = [args.bin, "check", "--all", "--threads", str(t), "-q"]
        code, wall, cpu, rss, _ = run(argv, args.timeout * 4)
        record(dict(case="check --all", threads=t, round=1, exit=code, stop="", states="",
                    generated="", depth="", wall_s=f"{wall:.2f}", cpu_s=f"{cpu:.2f}",
                    rss_mb=f"{rss:.0f}", load1=load))

    write_markdown(rows, os.path.join(args.out, "threads.md"))


def write_markdown(rows, path):
    order = []
    for r in rows:
        if r["case"] not in order:
            order.append(r["case"])
    lines = ["| case | threads | states | stop | wall s (median) | CPU s | peak RSS MB | speed-up |",
             "|---|---:|---:|---|---:|---:|---:|---:|"]
    for case in order:
        mine = [r for r in rows if r["case"] == case]
        base = None
        for t in sorted({r["threads"] for r in mine}):
            at = [r for r in mine if r["threads"] == t]
            wall = statistics.median(float(r["wall_s"]) for r in at)
            cpu = statistics.median(float(r["cpu_s"]) for r in at)
            rss = statistics.median(float(r["rss_mb"]) for r in at)
            base = base or wall
            lines.append(f"| `{case}` | {t} | {at[0]['states']} | {at[0]['stop'] or at[0]['exit']} "
                         f"| {wall:.2f} | {cpu:.1f} | {rss:.0f} | {base / wall:.2f}× |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
