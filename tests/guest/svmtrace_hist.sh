# SPDX-License-Identifier: GPL-2.0
# legs: plain iommu
# (the iommu leg too: the map path by key: page without an IOMMU, iova with one)
# svmtrace hist on real migrations: its in-kernel counts must equal perf
# stat's, attached to the same run as an independent oracle, and svmbench's
# own page counts; its histograms must hold one value per stage end and per
# migration; the map path must match the profile.

hist=/tmp/hist.json bench=/tmp/bench.json perfout=/tmp/perf.txt
events=svm_pagemap:svm_migrate_end,svm_pagemap:svm_stage_end,svm_pagemap:svm_map
perf stat -a -x, -o "$perfout" -e "$events" -- \
	"$SVMTRACE" hist -j -o "$hist" --by stage,direction,path -- \
	"$SVMBENCH" -s 256K -n "${HIST_ROUNDS:-20}" -j roundtrip >"$bench" 2>/tmp/bench.err
t_eq "svmbench roundtrip under svmtrace and perf succeeds" 0 "$?"

check() {
	python3 -S - "$hist" "$bench" "$perfout" "$SVMTRACE_PROFILE" <<'PY'
import json, sys
hist = json.load(open(sys.argv[1]))
bench = json.load(open(sys.argv[2]))
perf = {}
for line in open(sys.argv[3]):
    f = line.strip().split(",")
    if len(f) > 2 and f[2].startswith("svm_pagemap:"):
        perf[f[2].split(":")[1]] = int(f[0])
ev, c, hs = hist["events"], hist["counters"], hist["histograms"]
def row(name, want, got):
    print(("PASS" if want == got else "FAIL") + f"|{name}|expected {want}, got {got}")
# hits the kernel skipped (BPF recursion guard) are reported, never hidden
mi = hist["missed_events"]
row("missed_events covers every event", sorted(ev), sorted(mi))
for e in ("svm_migrate_end", "svm_stage_end", "svm_map"):
    row(f"{e} count plus the kernel's skipped hits equals perf stat", perf.get(e), ev[e] + mi[e])
row("one total-latency value per migration", ev["svm_migrate_end"],
    sum(h["count"] for h in hs if h.get("stage") == "total"))
row("one stage-latency value per stage end", ev["svm_stage_end"],
    sum(h["count"] for h in hs if h.get("stage") != "total"))
row("migrations counter equals migrate_end events", ev["svm_migrate_end"], c["migrations"])
row("pages to the device equal svmbench's", bench["counts"]["pages_to_dev"],
    c["throughput"]["to_dev"]["pages"])
row("some migrations happened", True, ev["svm_migrate_end"] > 0)
ok = all(h["p50_ns"] <= h["p99_ns"] <= h["max_ns"] * 1.0001 for h in hs if h["count"])
row("percentiles ordered p50 <= p99 <= max", True, ok)
want_path = "iova" if sys.argv[4] == "iommu" else "page"
row(f"map path is {want_path} in profile {sys.argv[4]}", True, c["map_paths"][want_path] > 0)
PY
}
t_rows "hist JSON checks" < <(check 2>&1)

out=$("$SVMTRACE" hist -S copy -- "$SVMBENCH" -s 256K -n 3 roundtrip 2>&1)
t_grep "svmtrace hist -S copy shows only the copy stage" '^stage=copy ' "$out"
t_grep "svmtrace hist draws a distribution by default" '^ +[0-9]+ -> [0-9]+ +: [0-9]+ +\|\*' "$out"
t_grep "... under a summary line of the percentiles" '^  count [0-9]+  avg .*  p50 .*  p90 .*  p99 .*  max ' "$out"

# Ping-pong: one range migrated to the device and faulted back 8 times (16
# direction changes) within the window is a ping-pong range at K=3, and not
# at K=8.  The module's svm_migrate_end carries its end time, which the
# window runs on, and its stage times, from which both program flavours
# take the stage samples (tp_btf reads them in place, raw_tp copies them
# first): their count must equal perf's count of svm_stage_end.
# pingpong_run OPTS...: prints "PINGPONG_RANGES STAGE_SAMPLES PERF_STAGE_ENDS"
pingpong_run() {
	perf stat -a -x, -o /tmp/pingpong.perf -e svm_pagemap:svm_stage_end -- \
		"$SVMTRACE" hist -j -o /tmp/pingpong.json "$@" -- \
		"$SVMBENCH" -s 64K -n 8 roundtrip >/dev/null 2>&1 &&
		python3 -S - /tmp/pingpong.json /tmp/pingpong.perf <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
perf = [l.split(",")[0] for l in open(sys.argv[2]) if "svm_stage_end" in l]
print(h["counters"]["livelock"]["pingpong_ranges"],
      sum(k["count"] for k in h["histograms"] if k.get("stage") != "total"), perf[0] if perf else "-")
PY
}
for flavour in tp_btf raw_tp; do
	opt=; [ "$flavour" = raw_tp ] && opt=--raw-tp
	read -r pp samples perf_ends < <(pingpong_run $opt --pingpong-ms 60000)
	t_eq "ping-pong: 8 round trips of one range within 60 s are one range at K=3 ($flavour)" 1 "$pp"
	t_eq "stage samples from svm_migrate_end equal perf's svm_stage_end ($flavour)" \
		"$perf_ends" "$samples"
	read -r pp samples perf_ends < <(pingpong_run $opt --pingpong-k 8 --pingpong-ms 60000)
	t_eq "ping-pong: ... and none at K=8 ($flavour)" 0 "$pp"
done

# The process of a migration comes with svm_migrate_end (its stage times'
# tgid, what the helper would read there): two workloads at once, keyed by
# pid, must each get exactly their own migrations, in both program
# flavours; a process filter matching neither leaves no sample.
pids_run() {
	"$SVMTRACE" hist -j -o /tmp/pids.json --by stage,direction,pid "$@" -- sh -c '
		"$0" -s 256K -n 6 -j roundtrip >/tmp/pids.a.json & echo $! >/tmp/pids.a
		"$0" -s 128K -n 9 -j roundtrip >/tmp/pids.b.json & echo $! >/tmp/pids.b
		wait' "$SVMBENCH" >/dev/null 2>&1 || { echo "FAIL|svmtrace hist --by pid ran|exit $?"; return; }
	python3 -S - /tmp/pids.json "$(cat /tmp/pids.a)" "$(cat /tmp/pids.b)" \
		/tmp/pids.a.json /tmp/pids.b.json "${1:-}" 2>&1 <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
pids = {int(sys.argv[2]): json.load(open(sys.argv[4])), int(sys.argv[3]): json.load(open(sys.argv[5]))}
flavour = "raw_tp" if sys.argv[6] == "--raw-tp" else "tp_btf"
def row(name, want, got):
    print(("PASS" if want == got else "FAIL") + f"|{name} ({flavour})|expected {want}, got {got}")
totals = {}
for k in h["histograms"]:
    if k.get("stage") == "total" and k.get("direction") == "to_dev":
        totals[k["pid"]] = totals.get(k["pid"], 0) + k["count"]
row("histogram keys are the two workloads' pids", sorted(pids), sorted(totals))
for pid, bench in pids.items():
    row(f"pid {pid}'s to_dev migrations are its migrate ioctls", bench["counts"]["migrate_ioctls"],
        totals.get(pid))
PY
}
t_rows "per-process keys from svm_migrate_end's tgid" < <(pids_run)
t_rows "per-process keys from svm_migrate_end's tgid" < <(pids_run --raw-tp)
"$SVMTRACE" hist -j -o /tmp/pid1.json -p 1 -- "$SVMBENCH" -s 256K -n 2 roundtrip >/dev/null 2>&1
out=$(python3 -S -c '
import json, sys
h = json.load(open(sys.argv[1]))
print(h["events"]["svm_migrate_end"] > 0, sum(k["count"] for k in h["histograms"]))' /tmp/pid1.json 2>&1)
t_eq "a pid filter matching no workload counts the events and keeps no sample" "True 0" "$out"
