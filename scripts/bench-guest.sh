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

roundtrip >/dev/null	# warm-up
bare=$(roundtrip)
traced=$("$bin/svmtrace" hist -o /dev/null -- "$bin/svmbench" -s 2M -n "$rounds" -j roundtrip)

sysctl -q kernel.bpf_stats_enabled=1
bpftrace -e 'tracepoint:svm_pagemap:svm_stage_end { }' >/dev/null 2>&1 &
bt=$!
# bpftrace compiles and attaches slowly under TCG: wait for its program.
for _ in $(seq 120); do
	bpftool prog show | grep -q 'tracepoint' && break
	sleep 1
done
"$bin/svmtrace" hist -o /dev/null -- sh -c "
	bpftool prog show -j > /tmp/bench-before.json
	$bin/svmbench -s 2M -n $rounds roundtrip >/dev/null
	bpftool prog show -j > /tmp/bench-after.json"
kill $bt 2>/dev/null
wait $bt 2>/dev/null
sysctl -q kernel.bpf_stats_enabled=0

python3 - "$out" <<PY
import json, sys
bare, traced = json.loads('''$bare'''), json.loads('''$traced''')
def stats(path):
    return {p["id"]: p for p in json.load(open(path))}
before, after = stats("/tmp/bench-before.json"), stats("/tmp/bench-after.json")
def cost(pred):
    ns = cnt = 0
    for i, p in after.items():
        if pred(p):
            b = before.get(i, {})
            ns += p.get("run_time_ns", 0) - b.get("run_time_ns", 0)
            cnt += p.get("run_cnt", 0) - b.get("run_cnt", 0)
    return ns / cnt if cnt else 0.0, cnt
stage_svm, n_svm = cost(lambda p: p.get("name", "").startswith("svm_stage_end"))
all_svm, n_all = cost(lambda p: p.get("name", "").startswith("svm_"))
empty, n_empty = cost(lambda p: p.get("name", "") not in ("",) and not p.get("name", "").startswith("svm_")
                      and p.get("type") in ("tracepoint", "raw_tracepoint", "tracing"))
res = {
    "rounds_2mib": $rounds,
    "bare_to_dev_mib_s": bare["throughput"]["to_dev_mib_s"],
    "bare_to_ram_mib_s": bare["throughput"]["to_ram_mib_s"],
    "memcpy_mib_s": bare["throughput"]["memcpy_mib_s"],
    "traced_to_dev_mib_s": traced["throughput"]["to_dev_mib_s"],
    "traced_to_ram_mib_s": traced["throughput"]["to_ram_mib_s"],
    "svmtrace_ns_per_event_stage_end": round(stage_svm, 1), "svmtrace_stage_end_events": n_svm,
    "svmtrace_ns_per_event_all_programs": round(all_svm, 1), "svmtrace_events": n_all,
    "empty_bpftrace_ns_per_event": round(empty, 1), "empty_events": n_empty,
}
res["to_dev_slowdown"] = round(res["bare_to_dev_mib_s"] / res["traced_to_dev_mib_s"], 3) if res["traced_to_dev_mib_s"] else None
res["to_ram_slowdown"] = round(res["bare_to_ram_mib_s"] / res["traced_to_ram_mib_s"], 3) if res["traced_to_ram_mib_s"] else None
json.dump(res, open(sys.argv[1], "w"), indent=2)
for k, v in res.items():
    print(f"{k:40s} {v}")
PY
