#!/usr/bin/env python3
"""Which state component multiplies the states of a timed model: reads a
`synccheck graph --as json` export and, for each timed quantity, counts the distinct
states left once that quantity is set to 0 everywhere (clock offsets; timers'
remaining ticks; message ages; pause lengths). states / distinct = how many states
that quantity alone splits each class into. Usage: graph.json [label]"""
import json
import sys


def zero(state, what):
    state = json.loads(json.dumps(state))
    for node in state["nodes"]:
        if what == "offsets":
            node["clock_offset_ticks"] = 0
        if what == "timers":
            for timer in node["timers"]:
                timer["remaining_ticks"] = 0
        if what == "pauses" and isinstance(node["status"], dict):
            for value in node["status"].values():
                if isinstance(value, dict) and "ticks" in value:
                    value["ticks"] = 0
    if what == "ages":
        for envelope in state["network"]:
            envelope["age_ticks"] = 0
        state["network"].sort(key=lambda e: json.dumps(e, sort_keys=True))
    return json.dumps(state, sort_keys=True)


graph = json.load(open(sys.argv[1]))
label = sys.argv[2] if len(sys.argv) > 2 else sys.argv[1]
states = [s["state"] for s in graph["states"]]
row = [label, str(len(states)), "truncated" if graph["truncated"] else "complete"]
for what in ["offsets", "timers", "ages", "pauses"]:
    distinct = len({zero(s, what) for s in states})
    row.append(f"{what} ×{len(states) / distinct:.2f}")
print("\t".join(row))
