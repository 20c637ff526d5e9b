#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of make bench: figures, never pass/fail.  Everything is
# measured in one guest run so ratios compare like with like.
#   1. 2 MiB round trips (system -> device -> system) against memcpy, bare
#      and with svmtrace hist attached: the tracing slowdown.
#   2. BPF cost per event: svmtrace's programs next to an empty bpftrace
#      program on the same tracepoint, from BPF run-time stats.
set -uo pipefail
bin=build/guest-user
out=${1:?results file}
rounds=${BENCH_ROUNDS:-40}

roundtrip() { "$bin/svmbench" -s 2M -n "$rounds" -j roundtrip; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["throughput"][sys.argv[1]])' "$1"; }

# One bare and one traced run differ by more than tracing costs on a noisy
# host, so BENCH_PAIRS pairs alternate and the figures are medians.
pairs=${BENCH_PAIRS:-5}
roundtrip >/dev/null	# warm-up
bare=() traced=()
for _ in $(seq "$pairs"); do
	bare+=("$(roundtrip | tr -d '\n')")
	traced+=("$("$bin/svmtrace" hist -o /dev/null -- "$bin/svmbench" -s 2M -n "$rounds" -j roundtrip | tr -d '\n')")
done

# BPF cost: BENCH_WINDOWS windows of small round trips, each bracketed by
# BPF run-time stats.  The mean of one window is fragile on a loaded host
# (a vCPU preempted inside one program run charges that program for the
# whole preemption), so the figures are medians over windows, and the
# empty program runs in the same windows for the ratio.
windows=${BENCH_WINDOWS:-7}
sysctl -q kernel.bpf_stats_enabled=1
bpftrace -e 'tracepoint:svm_pagemap:svm_stage_end { }' >/dev/null 2>&1 &
bt=$!
# bpftrace compiles and attaches slowly under TCG: wait for its program.
for _ in $(seq 120); do
	bpftool prog show | grep -q 'tracepoint' && break
	sleep 1
done
"$bin/svmtrace" hist -o /dev/null -- sh -c "
	for w in \$(seq $windows); do
		bpftool prog show -j > /tmp/bench-before-\$w.json
		$bin/svmbench -s 64K -n ${BENCH_COST_ROUNDS:-100} roundtrip >/dev/null
		bpftool prog show -j > /tmp/bench-after-\$w.json
	done"
kill $bt 2>/dev/null
wait $bt 2>/dev/null
sysctl -q kernel.bpf_stats_enabled=0

printf '%s\n' "${bare[@]}" >/tmp/bench-bare.jsonl
printf '%s\n' "${traced[@]}" >/tmp/bench-traced.jsonl
python3 - "$out" "$windows" <<PY
import json, statistics, sys
def runs(path):
    return [json.loads(l)["throughput"] for l in open(path) if l.strip()]
bare, traced = runs("/tmp/bench-bare.jsonl"), runs("/tmp/bench-traced.jsonl")
windows = int(sys.argv[2])
def stats(path):
    return {p["id"]: p for p in json.load(open(path))}
def cost(before, after, pred):
    ns = cnt = 0
    for i, p in after.items():
        if pred(p):
            b = before.get(i, {})
            ns += p.get("run_time_ns", 0) - b.get("run_time_ns", 0)
            cnt += p.get("run_cnt", 0) - b.get("run_cnt", 0)
    return ns / cnt if cnt else None, cnt
is_stage = lambda p: p.get("name", "").startswith("svm_stage_end")
is_svm = lambda p: p.get("name", "").startswith("svm_")
is_empty = lambda p: (not p.get("name", "").startswith("svm_")
                      and p.get("type") in ("tracepoint", "raw_tracepoint", "tracing"))
per = {"stage": [], "all": [], "empty": [], "ratio": []}
events = {"stage": 0, "all": 0, "empty": 0}
for w in range(1, windows + 1):
    before = stats(f"/tmp/bench-before-{w}.json")
    after = stats(f"/tmp/bench-after-{w}.json")
    for k, pred in (("stage", is_stage), ("all", is_svm), ("empty", is_empty)):
        c, n = cost(before, after, pred)
        events[k] += n
        if c is not None:
            per[k].append(c)
    if per["stage"] and per["empty"] and len(per["stage"]) == len(per["empty"]) == w:
        per["ratio"].append(per["stage"][-1] / per["empty"][-1])
med = lambda v: round(statistics.median(v), 1) if v else None
res = {
    "rounds_2mib": $rounds,
    "pairs": len(bare),
    "bare_to_dev_mib_s": med([r["to_dev_mib_s"] for r in bare]),
    "bare_to_ram_mib_s": med([r["to_ram_mib_s"] for r in bare]),
    "memcpy_mib_s": med([r["memcpy_mib_s"] for r in bare]),
    "traced_to_dev_mib_s": med([r["to_dev_mib_s"] for r in traced]),
    "traced_to_ram_mib_s": med([r["to_ram_mib_s"] for r in traced]),
    "bare_to_dev_mib_s_runs": [round(r["to_dev_mib_s"], 1) for r in bare],
    "traced_to_dev_mib_s_runs": [round(r["to_dev_mib_s"], 1) for r in traced],
    "bare_to_ram_mib_s_runs": [round(r["to_ram_mib_s"], 1) for r in bare],
    "traced_to_ram_mib_s_runs": [round(r["to_ram_mib_s"], 1) for r in traced],
    "cost_windows": windows,
    "svmtrace_ns_per_event_stage_end_median": med(per["stage"]),
    "svmtrace_ns_per_event_stage_end_windows": [round(c, 1) for c in per["stage"]],
    "svmtrace_stage_end_events": events["stage"],
    "svmtrace_ns_per_event_all_programs_median": med(per["all"]),
    "svmtrace_events": events["all"],
    "empty_bpftrace_ns_per_event_median": med(per["empty"]),
    "empty_bpftrace_ns_per_event_windows": [round(c, 1) for c in per["empty"]],
    "empty_events": events["empty"],
    "stage_end_over_empty_median_ratio": med(per["ratio"]),
}
res["to_dev_slowdown"] = round(res["bare_to_dev_mib_s"] / res["traced_to_dev_mib_s"], 3) if res["traced_to_dev_mib_s"] else None
res["to_ram_slowdown"] = round(res["bare_to_ram_mib_s"] / res["traced_to_ram_mib_s"], 3) if res["traced_to_ram_mib_s"] else None
json.dump(res, open(sys.argv[1], "w"), indent=2)
for k, v in res.items():
    print(f"{k:44s} {v}")
PY
