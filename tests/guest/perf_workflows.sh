# SPDX-License-Identifier: GPL-2.0
# legs: plain
# (make test-long runs it behind the IOMMU, where perf's svm_iova_* counts and the map path it reports differ; kmod_counts checks the IOVA events against the counters in make test's iommu leg)
# The perf sessions the README shows, run with the real perf:
#  - perf stat -e 'svm_pagemap:*' counts what svmbench did and what the
#    module's own counters saw;
#  - one svmbench run captured at once by svmtrace record (BPF) and by
#    perf record -e 'svm_pagemap:*' -a: svmtrace report --perf-script on
#    perf's script text gives exactly the histograms (counts, sums, max,
#    exact percentiles) report gives on the record file;
#  - perf trace -e 'svm_pagemap:*' prints the events with their fields.

W=$(mktemp -d /tmp/perf-workflows.XXXXXX)
rounds=${PERF_ROUNDS:-8}

# results FILE: turn "PASS|name|detail" lines from python into t_* calls.
results() {
	local verdict name detail
	while IFS='|' read -r verdict name detail; do
		case $verdict in
		PASS) t_pass "$name" ;;
		FAIL) t_fail "$name" "$detail" ;;
		*) t_fail "python checks run" "$verdict $name $detail" ;;
		esac
	done <"$1"
}

# --- perf stat: tracepoint counts == svmbench's counts == module counters
"$SVMBENCH" stats --json >"$W/stats.a"
perf stat -a -x, -o "$W/stat.csv" -e 'svm_pagemap:*' -- \
	"$SVMBENCH" -j -s 256K -n "$rounds" roundtrip >"$W/bench.json" 2>"$W/bench.err"
t_eq "svmbench roundtrip under perf stat succeeds" 0 "$?"
"$SVMBENCH" stats --json >"$W/stats.b"
python3 -S - "$W" "$rounds" >"$W/stat.checks" 2>&1 <<'PY'
import json, sys
w, rounds = sys.argv[1], int(sys.argv[2])
perf = {}
for line in open(f"{w}/stat.csv"):
    f = line.strip().split(",")
    if len(f) > 2 and f[2].startswith("svm_pagemap:"):
        perf[f[2].split(":")[1]] = int(f[0]) if f[0].isdigit() else f[0]
bench = json.load(open(f"{w}/bench.json"))["counts"]
a = json.load(open(f"{w}/stats.a"))["sum"]
b = json.load(open(f"{w}/stats.b"))["sum"]
delta = lambda k: sum(b[k]) - sum(a[k]) if isinstance(b[k], list) else b[k] - a[k]
def eq(name, want, got):
    print(("PASS" if want == got else "FAIL") + f"|{name}|expected {want}, got {got}")
eq("perf stat lists all 16 svm_pagemap events", 16, len(perf))
eq("perf stat svm_migrate_end == svmbench's migrations (to device + CPU faults back)",
   bench["migrate_ok"] + bench["cpu_faultbacks"], perf.get("svm_migrate_end"))
eq("svmbench made 2 migrations a round", 2 * rounds, bench["migrate_ok"] + bench["cpu_faultbacks"])
eq("perf stat svm_migrate_begin == svm_migrate_end", perf.get("svm_migrate_end"), perf.get("svm_migrate_begin"))
eq("perf stat svm_ioctl == svmbench's ioctls (migrate + device read)",
   bench["migrate_ioctls"] + bench["dev_reads"], perf.get("svm_ioctl"))
eq("perf stat svm_migrate_end == module migrations", delta("migrations"), perf.get("svm_migrate_end"))
eq("perf stat svm_stage_end == module stage_calls", delta("stage_calls"), perf.get("svm_stage_end"))
eq("perf stat svm_map == module map_calls", delta("map_calls"), perf.get("svm_map"))
eq("perf stat svm_iova_alloc == module iova_allocs", delta("iova_allocs"), perf.get("svm_iova_alloc"))
eq("perf stat svm_devmem_alloc == module devmem_allocs", delta("devmem_allocs"), perf.get("svm_devmem_alloc"))
PY
results "$W/stat.checks"

# --- one run, two recorders: BPF (svmtrace record) and perf record
perf record -q -e 'svm_pagemap:*' -a -o "$W/perf.data" -- \
	"$SVMTRACE" record -o "$W/run.svmrec" -- \
	"$SVMBENCH" -s 256K -n "$rounds" roundtrip >"$W/both.out" 2>"$W/both.err"
t_eq "svmbench under svmtrace record under perf record succeeds" 0 "$?"
t_grep "svmtrace record lost nothing" '^svmtrace record: wrote [1-9][0-9]* records .*, 0 lost$' "$(cat "$W/both.err")"
by=stage,direction,trigger,path,device,pid
"$SVMTRACE" report -j --by "$by" "$W/run.svmrec" >"$W/rec.json" 2>"$W/rec.err"
t_eq "svmtrace report -j on the record file exits 0" 0 "$?"
# The README's pipe (perf script runs slowly under TCG: once, kept with tee).
perf script -F +pid -i "$W/perf.data" 2>"$W/perf-script.err" | tee "$W/perf.txt" |
	"$SVMTRACE" report --perf-script -j --by "$by" - >"$W/perf.json" 2>"$W/perf.err"
rcs=("${PIPESTATUS[@]}")
t_eq "perf script -F +pid reads perf.data" 0 "${rcs[0]}"
t_eq "perf script | svmtrace report --perf-script -j - exits 0" 0 "${rcs[2]}"
python3 -S - "$W" "$rounds" >"$W/cmp.checks" 2>&1 <<'PY'
import json, sys
w, rounds = sys.argv[1], int(sys.argv[2])
rec = json.load(open(f"{w}/rec.json"))
prf = json.load(open(f"{w}/perf.json"))
def row(name, ok, detail=""):
    print(("PASS" if ok else "FAIL") + f"|{name}|{detail}")
def eq(name, want, got):
    row(name, want == got, f"expected {want}, got {got}")
for ev in ("svm_migrate_end", "svm_stage_end"):
    eq(f"perf script's {ev} events == svmtrace record's", rec["events"][ev], prf["events"][ev])
eq("the run made 2 migrations a round", 2 * rounds, prf["events"]["svm_migrate_end"])
eq("perf script records == svmtrace record records", rec["records"], prf["records"])
eq("perf script text had no other or malformed lines", {"other_events": 0, "unknown_svm_pagemap_events": 0,
   "malformed_lines": 0}, prf["skipped"])
dims = ("stage", "direction", "trigger", "path", "device", "pid")
key = lambda h: tuple(str(h.get(d)) for d in dims)
rk = {key(h): h for h in rec["histograms"]}
pk = {key(h): h for h in prf["histograms"]}
eq("same histogram keys (stage, direction, trigger, path, device, pid)", sorted(rk), sorted(pk))
fields = ("count", "sum_ns", "max_ns", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "buckets")
bad = [f"{k} {f}: record {rk[k][f]} perf {pk[k][f]}" for k in rk if k in pk for f in fields
       if rk[k][f] != pk[k][f]]
row("every histogram's count, sum, max, exact percentiles and buckets are equal", not bad, "; ".join(bad[:3]))
row("the stages of both directions are there", {("map", "to_dev"), ("copy", "to_ram"), ("total", "to_ram")}
    <= {(h["stage"], h["direction"]) for h in prf["histograms"]}, str(sorted(pk)[:4]))
PY
results "$W/cmp.checks"

out=$("$SVMTRACE" report --perf-script -S total --table "$W/perf.txt" 2>&1)
t_grep "svmtrace report --perf-script FILE prints whole migrations" \
	'^stage=total direction=to_dev path=(page|iova) *$' "$out"
t_grep "... with exact percentiles" '  \(exact\)$' "$out"

# --- perf trace: live events with their fields
# perf trace's own lines go to their own file: svmbench's output, flushed as
# it exits, would otherwise land among them.  The workload writes its pid
# first, for the events to be checked against.
perf trace -o "$W/trace.txt" -e 'svm_pagemap:*' -- \
	sh -c 'echo $$ >"$0"; exec "$@"' "$W/pid" "$SVMBENCH" -s 64K -n 1 roundtrip >"$W/bench.txt" 2>&1
rc=$?
cat "$W/bench.txt" >>"$W/trace.txt"
if [ $rc != 0 ] && grep -qiE 'not supported|syscalls|libtraceevent|not found' "$W/trace.txt"; then
	t_skip "perf trace prints svm_pagemap events" "this perf's trace cannot run here: $(head -n 2 "$W/trace.txt" | tr '\n' ' ')"
else
	t_eq "perf trace -e 'svm_pagemap:*' -- svmbench exits 0" 0 "$rc"
	t_eq "perf trace shows both migrations of one round trip, with duration_ns" 2 \
		"$(grep -cE 'svm_pagemap:svm_migrate_end\(id: [0-9]+.*duration_ns: [0-9]+' "$W/trace.txt")"
	t_eq "perf trace shows the 12 stage ends of one round trip" 12 \
		"$(grep -cE 'svm_pagemap:svm_stage_end\(id: [0-9]+' "$W/trace.txt")"
	# Events printed before perf has read the workload's comm show it as
	# ":PID/PID" rather than "svmbench/PID" (in one run in twenty or so, all
	# of them): the pid is what must be right.
	pid=$(cat "$W/pid")
	t_eq "perf trace gives every event the workload's pid ($pid)" \
		"$(grep -cE 'svm_pagemap:svm_[a-z_]+\(' "$W/trace.txt")" \
		"$(grep -cE "(svmbench|:$pid)/$pid svm_pagemap:svm_[a-z_]+\\(" "$W/trace.txt")"
fi
rm -rf "$W"
