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
