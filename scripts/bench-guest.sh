#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of make bench: figures, never pass/fail.  Everything is
# measured in one guest run so ratios compare like with like.
#
# Every measurement is one "window": the same 2 MiB round-trip loop
# (svmbench -s 2M -n BENCH_ROUNDS -j roundtrip) after one warm-up round trip,
# bracketed by `bpftool prog show -j` snapshots, with BPF run-time stats on
# (kernel.bpf_stats_enabled=1).  Seven configurations take turns, BENCH_PAIRS
# passes, in the order below and reversed every other pass (slow drifts of
# the host then hit every configuration alike):
#
#   both      svmtrace hist and the bpftrace script below, in one window
#   bpftrace  the bpftrace script alone: the same per-stage histograms
#   bare      nothing attached
#   svmtrace  svmtrace hist attached (its own per-stage histograms)
#   kernel    svmtrace hist --source kernel: the same migrations rebuilt
#             from fentry/fexit programs on the kernel's functions
#   perf      perf record -a of svm_stage_end and svm_migrate_end
#   empty     svmtrace hist next to an empty bpftrace program on
#             svm_stage_end (the floor: what any BPF program costs there)
#
# bpftrace compiles slowly under TCG (about a minute), so a bpftrace process
# stays up while consecutive windows want it (both and bpftrace of one pass;
# empty, or the script, at the turn between two passes), and a window opens
# only once its programs have been seen running.  Per window: throughput
# from svmbench, BPF run time and run count per program (deltas), the
# number of migrations (run count of an svm_migrate_end program) and the
# migration time (sum of svm_migrate_end duration_ns: svmtrace hist -j's
# "total" sum_ns, or perf's records through svmtrace report --perf-script).
# The figures are medians over passes; see README "Benchmarks".
set -uo pipefail
bin=build/guest-user
out=${1:?results file}
rounds=${BENCH_ROUNDS:-60}
pairs=${BENCH_PAIRS:-4}
tmp=$(mktemp -d /tmp/svmbench.XXXXXX)
t0=$(date +%s)

bench_cmd="$bin/svmbench -s 2M -n $rounds -j roundtrip"
bt_script='tracepoint:svm_pagemap:svm_stage_end { @h[args.stage, args.direction] = hist(args.duration_ns); } tracepoint:svm_pagemap:svm_migrate_end { @t[args.direction] = hist(args.duration_ns); }'
bt_empty='tracepoint:svm_pagemap:svm_stage_end { }'
perf_data=$tmp/perf.data
perf_cmd="perf record -a -e svm_pagemap:svm_stage_end -e svm_pagemap:svm_migrate_end -o $perf_data"

log() { printf '[bench %4ds] %s\n' $(($(date +%s) - t0)) "$*" >&2; }

# One window: a 2 MiB round trip to warm up (the first event of each key
# inserts it into the tools' maps: a one-off cost, not a per-event one;
# perf, which has no maps, goes without), then snapshot, the loop, snapshot.  A script of its own so that it can run
# under svmtrace hist and perf record.
ws=$tmp/window.sh
cat >"$ws" <<EOF
#!/usr/bin/env bash
[ "\${2:-}" = nowarm ] || $bin/svmbench -s 2M -n 1 roundtrip >/dev/null
bpftool prog show -j >"$tmp/\$1.before.json"
date +%s.%N >"$tmp/\$1.t"
$bench_cmd >"$tmp/\$1.bench.json"
rc=\$?
date +%s.%N >>"$tmp/\$1.t"
bpftool prog show -j >"$tmp/\$1.after.json"
exit \$rc
EOF

# bpftrace's programs in bpftool's JSON (owned by a bpftrace process, or
# tracepoint programs when bpftool cannot tell owners); "run": those that ran.
bt_progs() {
	python3 -c '
import json, sys
n = 0
for p in json.load(sys.stdin):
    comms = {x.get("comm") for x in p.get("pids", [])}
    if ("bpftrace" in comms or (not comms and p.get("type") == "tracepoint")) and \
       (len(sys.argv) < 2 or p.get("run_cnt", 0) > 0):
        n += 1
print(n)' "$@"
}

bt='' bt_which=none bt_n=0
bt_stop() {
	[ -n "$bt" ] || return 0
	kill -INT "$bt" 2>/dev/null
	wait "$bt" 2>/dev/null
	bt='' bt_which=none
}
# bt_need none|script|empty: have that bpftrace program running (it stays up
# while consecutive windows want the same one), and wait until it runs.
bt_need() {
	local i src nprogs tag start
	[ "$1" = "$bt_which" ] && return 0
	bt_stop
	[ "$1" = none ] && return 0
	case $1 in
	script) src=$bt_script nprogs=2 ;;
	empty) src=$bt_empty nprogs=1 ;;
	esac
	bt_n=$((bt_n + 1))
	tag=bt$bt_n
	start=$(date +%s)
	bpftrace -e "$src" >"$tmp/$tag.bpftrace.out" 2>&1 &
	bt=$! bt_which=$1
	for i in $(seq 600); do
		kill -0 "$bt" 2>/dev/null || { log "bpftrace exited: $(cat "$tmp/$tag.bpftrace.out")"; bt='' bt_which=none; return 1; }
		[ "$(bpftool prog show -j | bt_progs)" -ge "$nprogs" ] && break
		sleep 1
	done
	# Loaded is not attached: run small round trips until its programs run.
	for i in $(seq 60); do
		"$bin/svmbench" -s 64K -n 1 roundtrip >/dev/null
		[ "$(bpftool prog show -j | bt_progs run)" -ge "$nprogs" ] && break
		sleep 1
	done
	bpftool link show -j >"$tmp/$tag.links.json" 2>/dev/null
	bpftool perf show -j >"$tmp/$tag.perf.json" 2>/dev/null
	echo "$1 $(($(date +%s) - start))" >"$tmp/$tag.start"
	log "bpftrace ($1) attached after $(($(date +%s) - start)) s"
}

# step CONFIG PASS: one window of CONFIG.
step() {
	local c=$1 p=$2
	case $c in
	both | bpftrace) bt_need script ;;
	empty) bt_need empty ;;
	*) bt_need none ;;
	esac || return
	if [ -n "$perf_warm" ]; then wait "$perf_warm"; perf_warm=''; fi
	echo "$bt_n" >"$tmp/$c-$p.bt"
	log "pass $p: $c"
	case $c in
	bare | bpftrace) bash "$ws" "$c-$p" ;;
	svmtrace | both | empty)
		"$bin/svmtrace" hist -j -o "$tmp/$c-$p.hist.json" -- bash "$ws" "$c-$p" ;;
	kernel)
		"$bin/svmtrace" hist -j --source kernel -o "$tmp/$c-$p.hist.json" -- bash "$ws" "$c-$p" ;;
	perf)
		$perf_cmd -- bash "$ws" "$c-$p" nowarm 2>"$tmp/$c-$p.record.err"
		perf script -F +pid -i "$perf_data" 2>/dev/null |
			"$bin/svmtrace" report --perf-script - -j >"$tmp/$c-$p.hist.json"
		rm -f "$perf_data" "$perf_data.old" ;;
	esac
}
trap 'bt_stop; rm -f "$perf_data"' EXIT

sysctl -q kernel.bpf_stats_enabled=1
bpftool prog show -j >"$tmp/baseline.json"	# programs loaded before any tool
$bench_cmd >/dev/null	# warm-up
# perf's first run in a fresh guest takes a minute (its binary and the
# kernel's symbols come in cold over 9p): warm it while bpftrace compiles.
{ $perf_cmd -- true && perf script -i "$perf_data"; rm -f "$perf_data"; } >/dev/null 2>&1 &
perf_warm=$!
# Passes alternate direction, so one bpftrace start serves the end of one
# pass and the start of the next.
order=(both bpftrace bare svmtrace kernel perf empty)
for p in $(seq "$pairs"); do
	if [ $((p % 2)) = 1 ]; then
		for c in "${order[@]}"; do step "$c" "$p"; done
	else
		for ((i = ${#order[@]} - 1; i >= 0; i--)); do step "${order[i]}" "$p"; done
	fi
done
bt_stop
sysctl -q kernel.bpf_stats_enabled=0
log "measured; analysing"

python3 - "$out" "$tmp" "$pairs" "$rounds" "$(($(date +%s) - t0))" <<PY
import json, os, statistics, sys
out, tmp, pairs, rounds, elapsed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
CONFIGS = ["bare", "svmtrace", "kernel", "both", "bpftrace", "perf", "empty"]
EVENTS = ("svm_stage_end", "svm_migrate_end")

def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default

BASELINE = {p["id"] for p in load(f"{tmp}/baseline.json", [])}

def tool(p, cfg):
    """Whose program: by owner when bpftool names it, else svmtrace's names
    (svm_*), bpftrace's tracepoint programs, and in a window with svmtrace
    attached any other program loaded since the run began."""
    c = {x.get("comm") for x in p.get("pids", [])}
    if c:
        return "svmtrace" if "svmtrace" in c else "bpftrace" if "bpftrace" in c else None
    name = p.get("name", "")
    if name.startswith(("svm_", "svmtrace")):
        return "svmtrace"
    if p.get("type") == "tracepoint" or name.startswith(("tracepoint_", "BEGIN", "END")):
        return "bpftrace"
    if p["id"] not in BASELINE and cfg in ("svmtrace", "kernel", "both", "empty"):
        return "svmtrace"
    return None

def tool_of(p, cfg):
    """svmtrace's programs on the kernel source are the group kernel_*."""
    t = tool(p, cfg)
    return "kernel" if t == "svmtrace" and cfg == "kernel" else t

def attach_map(bt_tag):
    """prog id -> tracepoint, from bpftool link/perf show taken after bpftrace attached."""
    m = {}
    for kind in ("links", "perf"):
        for o in load(f"{tmp}/{bt_tag}.{kind}.json", []) or []:
            s = json.dumps(o)
            for ev in EVENTS:
                if ev in s and "prog_id" in o:
                    m[o["prog_id"]] = ev
    return m

def event(p, amap):
    # svmtrace: svm_stage_end_btf/_raw, svm_migrate_end_btf/_raw.  bpftrace
    # 0.2x: tracepoint_svm_pagemap_svm_stage_end_1 (bpftool shows the full
    # name from BTF; the kernel keeps 15 characters), else the attach info.
    name = p.get("name", "")
    for ev in EVENTS:
        if name.startswith(ev + "_") or name.endswith(ev) or f"_{ev}_" in name:
            return ev
    return amap.get(p["id"])

def hist_total(path):
    """(count, sum_ns) of the 'total' stage (= svm_migrate_end duration_ns), and missed events."""
    h = load(path)
    if not h:
        return None, None, None
    tot = [e for e in h.get("histograms", []) if e.get("stage") == "total"]
    missed = sum(h.get("missed_events", {}).values()) if "missed_events" in h else None
    return sum(e["count"] for e in tot), sum(e["sum_ns"] for e in tot), missed, 

def window(cfg, p):
    tag = f"{cfg}-{p}"
    before, after = load(f"{tmp}/{tag}.before.json"), load(f"{tmp}/{tag}.after.json")
    bench = load(f"{tmp}/{tag}.bench.json")
    if before is None or after is None or bench is None:
        return None
    amap = attach_map("bt" + open(f"{tmp}/{tag}.bt").read().strip())
    b = {q["id"]: q for q in before}
    g = {}
    def add(key, ns, cnt):
        e = g.setdefault(key, {"run_time_ns": 0, "run_cnt": 0})
        e["run_time_ns"] += ns
        e["run_cnt"] += cnt
    for q in after:
        t = tool_of(q, cfg)
        if t is None:
            continue
        ns = q.get("run_time_ns", 0) - b.get(q["id"], {}).get("run_time_ns", 0)
        cnt = q.get("run_cnt", 0) - b.get(q["id"], {}).get("run_cnt", 0)
        add(f"{t}_total", ns, cnt)
        ev = event(q, amap)
        if ev:
            add(f"{t}_{ev[4:]}", ns, cnt)
            add(f"{t}_traced", ns, cnt)     # stage_end + migrate_end
    for e in g.values():
        e["ns_per_event"] = round(e["run_time_ns"] / e["run_cnt"], 1) if e["run_cnt"] else None
    t = [float(x) for x in open(f"{tmp}/{tag}.t").read().split()]
    w = {"to_dev_mib_s": bench["throughput"]["to_dev_mib_s"],
         "to_ram_mib_s": bench["throughput"]["to_ram_mib_s"],
         "memcpy_mib_s": bench["throughput"]["memcpy_mib_s"],
         "seconds": round(t[1] - t[0], 2), "bpf": g}
    mig_cnt = mig_ns = missed = None
    if cfg in ("svmtrace", "kernel", "both", "empty", "perf"):
        mig_cnt, mig_ns, missed = hist_total(f"{tmp}/{tag}.hist.json")
        w["migration_time_source"] = "perf record" if cfg == "perf" else "svmtrace hist"
    if cfg == "perf":
        err = open(f"{tmp}/perf-{p}.record.err").read() if os.path.exists(f"{tmp}/perf-{p}.record.err") else ""
        w["perf_lost"] = "lost" in err.lower()
        h = load(f"{tmp}/{tag}.hist.json") or {}
        w["perf_events"] = {k: v for k, v in h.get("events", {}).items() if k in EVENTS}
    else:
        w["svmtrace_missed_events"] = missed
    for key in ("svmtrace_migrate_end", "bpftrace_migrate_end"):
        if g.get(key, {}).get("run_cnt"):
            w["migrations"] = g[key]["run_cnt"]
            break
    else:
        w["migrations"] = mig_cnt
    if mig_ns:
        w["migration_ns_sum"] = mig_ns
        w["migration_ns_mean"] = round(mig_ns / mig_cnt, 1)
    return w

runs = {c: {p: window(c, p) for p in range(1, pairs + 1)} for c in CONFIGS}
# The bpftrace window has no svmtrace to sum migration time: it borrows the
# mean migration time of the both window of the same pass.
for p, w in runs["bpftrace"].items():
    wb = runs["both"].get(p)
    if w and wb and wb.get("migration_ns_mean"):
        w["migration_ns_mean"] = wb["migration_ns_mean"]
        w["migration_time_source"] = "both window of the same pass"
for c in CONFIGS:
    for w in runs[c].values():
        if not w or not w.get("migrations"):
            continue
        for key, e in w["bpf"].items():
            e["ns_per_migration"] = round(e["run_time_ns"] / w["migrations"], 1)
            if w.get("migration_ns_mean"):
                e["share_of_migration_time"] = round(e["ns_per_migration"] / w["migration_ns_mean"], 5)

def med(v):
    v = [x for x in v if x is not None]
    return round(statistics.median(v), 5 if max(map(abs, v), default=0) < 1 else 1) if v else None

def series(c, f):
    return [f(w) for p, w in sorted(runs[c].items()) if w]

def bpf(key, stat):
    return lambda w: w["bpf"].get(key, {}).get(stat)

configs = {}
for c in CONFIGS:
    s = {"windows": len(series(c, lambda w: 1)),
         "to_dev_mib_s": med(series(c, lambda w: w["to_dev_mib_s"])),
         "to_ram_mib_s": med(series(c, lambda w: w["to_ram_mib_s"])),
         "memcpy_mib_s": med(series(c, lambda w: w["memcpy_mib_s"])),
         "to_dev_mib_s_runs": [round(x, 1) for x in series(c, lambda w: w["to_dev_mib_s"])],
         "to_ram_mib_s_runs": [round(x, 1) for x in series(c, lambda w: w["to_ram_mib_s"])],
         "migrations": sum(x or 0 for x in series(c, lambda w: w.get("migrations"))),
         "migration_ns_mean_median": med(series(c, lambda w: w.get("migration_ns_mean")))}
    keys = sorted({k for w in runs[c].values() if w for k in w["bpf"]})
    s["bpf"] = {k: {"ns_per_event_median": med(series(c, bpf(k, "ns_per_event"))),
                    "ns_per_migration_median": med(series(c, bpf(k, "ns_per_migration"))),
                    "share_of_migration_time_median": med(series(c, bpf(k, "share_of_migration_time"))),
                    "events": sum(x or 0 for x in series(c, bpf(k, "run_cnt"))),
                    "ns_per_event_runs": series(c, bpf(k, "ns_per_event"))} for k in keys}
    configs[c] = s
configs["perf"]["events_recorded"] = {ev: sum(w["perf_events"].get(ev, 0) for w in runs["perf"].values() if w)
                                     for ev in EVENTS}
configs["perf"]["perf_lost_events"] = any(w["perf_lost"] for w in runs["perf"].values() if w)
bare = configs["bare"]
for c in CONFIGS[1:]:
    for d in ("to_dev", "to_ram"):
        v = configs[c][f"{d}_mib_s"]
        configs[c][f"{d}_slowdown"] = round(bare[f"{d}_mib_s"] / v, 3) if v and bare[f"{d}_mib_s"] else None

def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None
def per_pass(ca, ka, cb, kb, stat):
    v = [ratio(runs[ca][p]["bpf"].get(ka, {}).get(stat), runs[cb][p]["bpf"].get(kb, {}).get(stat))
         for p in range(1, pairs + 1) if runs[ca].get(p) and runs[cb].get(p)]
    v = [x for x in v if x is not None]
    return round(statistics.median(v), 3) if v else None
B = lambda c, k, s: configs[c]["bpf"].get(k, {}).get(s)
def per_stage_end_over_empty():
    """svmtrace's BPF time on both events (stage samples are taken on
    svm_migrate_end; no svmtrace program runs on svm_stage_end) per
    svm_stage_end event, over the empty program's time per svm_stage_end, in
    the empty window of each pass; the empty program's run count is the
    number of svm_stage_end events."""
    v = []
    for p in range(1, pairs + 1):
        w = runs["empty"].get(p)
        if not w:
            continue
        sv, em = w["bpf"].get("svmtrace_traced", {}), w["bpf"].get("bpftrace_stage_end", {})
        if sv.get("run_time_ns") and em.get("run_cnt") and em.get("ns_per_event"):
            v.append(sv["run_time_ns"] / em["run_cnt"] / em["ns_per_event"])
    return round(statistics.median(v), 3) if v else None
targets = {
    "svmtrace_per_stage_end_over_empty_same_window": per_stage_end_over_empty(),
    "svmtrace_over_bpftrace_same_window":
        per_pass("both", "svmtrace_traced", "both", "bpftrace_traced", "ns_per_migration"),
    "svmtrace_over_bpftrace_alone_per_pass":
        per_pass("svmtrace", "svmtrace_traced", "bpftrace", "bpftrace_traced", "ns_per_migration"),
    "svmtrace_over_bpftrace_alone_of_medians":
        ratio(B("svmtrace", "svmtrace_traced", "ns_per_migration_median"),
              B("bpftrace", "bpftrace_traced", "ns_per_migration_median")),
    "svmtrace_total_over_bpftrace_total_alone_of_medians":
        ratio(B("svmtrace", "svmtrace_total", "ns_per_migration_median"),
              B("bpftrace", "bpftrace_total", "ns_per_migration_median")),
    "bpf_over_migration_time_svmtrace_total_alone": B("svmtrace", "svmtrace_total", "share_of_migration_time_median"),
    "bpf_over_migration_time_bpftrace_alone": B("bpftrace", "bpftrace_total", "share_of_migration_time_median"),
    "bpf_over_migration_time_svmtrace_in_both": B("both", "svmtrace_total", "share_of_migration_time_median"),
    "bpf_over_migration_time_bpftrace_in_both": B("both", "bpftrace_total", "share_of_migration_time_median"),
    # the kernel source's programs (fentry/fexit on the core calls) against
    # the tracepoint programs, on the same migrations, each alone
    "kernel_source_over_module_source_per_migration":
        ratio(B("kernel", "kernel_total", "ns_per_migration_median"),
              B("svmtrace", "svmtrace_total", "ns_per_migration_median")),
    "bpf_over_migration_time_kernel_source_alone": B("kernel", "kernel_total", "share_of_migration_time_median"),
}
starts = [open(f"{tmp}/{f}").read().split() for f in sorted(os.listdir(tmp)) if f.endswith(".start")]
res = {
    "kernel": os.uname().release, "rounds_2mib": rounds, "pairs": pairs, "elapsed_s": elapsed,
    "bpftrace_start_s": {k: [int(s[1]) for s in starts if s[0] == k] for k in ("script", "empty")},
    "commands": {
        "bpf_stats": "sysctl kernel.bpf_stats_enabled=1",
        "snapshot": "bpftool prog show -j",
        "window": "$bin/svmbench -s 2M -n 1 roundtrip (warm-up, not for perf); bpftool prog show -j; $bench_cmd; bpftool prog show -j",
        "bare": "WINDOW",
        "svmtrace": "$bin/svmtrace hist -j -o HIST.json -- WINDOW",
        "kernel": "$bin/svmtrace hist -j --source kernel -o HIST.json -- WINDOW",
        "bpftrace": "bpftrace -e '$bt_script' & WINDOW",
        "both": "bpftrace -e '$bt_script' & $bin/svmtrace hist -j -o HIST.json -- WINDOW",
        "perf": "$perf_cmd -- WINDOW; perf script -F +pid -i $perf_data | $bin/svmtrace report --perf-script - -j; rm $perf_data",
        "empty": "bpftrace -e '$bt_empty' & $bin/svmtrace hist -j -o HIST.json -- WINDOW",
        "order": "both bpftrace bare svmtrace kernel perf empty, reversed every other pass",
    },
    "targets": targets,
    "configs": configs,
    "windows": {c: {str(p): w for p, w in runs[c].items()} for c in CONFIGS},
}
json.dump(res, open(out, "w"), indent=2)

def f(v, spec):
    return format(v, spec) if v is not None else "-".rjust(int(spec.split(".")[0]))
print(f"2 MiB round trips, {rounds} per window, {pairs} passes, {elapsed} s in the guest "
      f"(bpftrace starts: {res['bpftrace_start_s']} s); medians; MiB/s, ns, BPF time / migration time")
print(f"{'config':9s} {'to_dev':>8s} {'to_ram':>8s} {'slow dev':>8s} {'slow ram':>8s}  "
      f"{'tool':8s} {'ns/stage_end':>12s} {'ns/migr_end':>11s} {'ns/migration':>12s} {'of migr':>8s}")
for c in CONFIGS:
    s = configs[c]
    tools = [t for t in ("svmtrace", "kernel", "bpftrace") if f"{t}_total" in s["bpf"]] or [""]
    for i, t in enumerate(tools):
        head = (f"{c:9s} {f(s['to_dev_mib_s'], '8.1f')} {f(s['to_ram_mib_s'], '8.1f')} "
                f"{f(s.get('to_dev_slowdown'), '8.3f')} {f(s.get('to_ram_slowdown'), '8.3f')}") if i == 0 else " " * 44
        if not t:
            print(head)
            continue
        sh = B(c, f"{t}_total", "share_of_migration_time_median")
        print(f"{head}  {t:8s} {f(B(c, t + '_stage_end', 'ns_per_event_median'), '12.1f')} "
              f"{f(B(c, t + '_migrate_end', 'ns_per_event_median'), '11.1f')} "
              f"{f(B(c, t + '_total', 'ns_per_migration_median'), '12.1f')} "
              f"{'-' if sh is None else format(sh * 100, '7.3f') + '%'}")
print("ratios (targets, not asserted):")
for k, v in targets.items():
    print(f"  {k:52s} {v}")
print(f"written to {out}")
PY
if [ -n "${BENCH_KEEP:-}" ]; then	# the raw snapshots, for a closer look
	rm -rf "${out%.json}.raw" && cp -r "$tmp" "${out%.json}.raw"
fi
rm -rf "$tmp"
