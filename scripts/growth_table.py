#!/usr/bin/env python3
"""growth.tsv (scripts/growth.sh) as a Markdown table. The ratio to the previous bound
is given only when both runs completed; a run a limit stopped is a lower bound."""
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("| model | held | stop | states | generated | depth | CPU s | wall s | peak RSS MB | load | states ×, previous bound |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
previous = {}
for r in rows:
    held = "none (plan check)" if r["value"] == "relaxed" else f"{r['bound']}={r['value']}"
    key = (r["model"], r["bound"])
    ratio = ""
    if r["value"] != "relaxed" and r["states"]:
        before = previous.get(key)
        if before is not None:
            if before[1] == "complete" and r["stop"] == "complete":
                ratio = f"{int(r['states']) / before[0]:.2f}"
            elif before[1] == "complete":
                ratio = f"≥ {int(r['states']) / before[0]:.2f} (cut)"
            else:
                ratio = "— (previous cut)"
        previous[key] = (int(r["states"]), r["stop"])
    states = f"{int(r['states']):,}" if r["states"] else ""
    generated = f"{int(r['generated']):,}" if r["generated"] else ""
    print(f"| {r['model']} | {held} | {r['stop']} | {states} | {generated} | {r['depth']} | {r['cpu_s']} | {r['wall_s']} | {r['rss_mb']} | {r['load1']} | {ratio} |")
