# SPDX-License-Identifier: GPL-2.0
# svmtrace record + report on real migrations.  One run of svmbench is
# watched three ways at once: perf stat (the oracle for event counts),
# svmtrace hist (in-kernel buckets) and svmtrace record (every event).  The
# record must hold one record per svm_migrate_end and svm_stage_end perf
# counted, lose none, and report's exact percentiles must agree with hist's
# bucket estimates within bucket precision (3.2%).  Then: SIGINT ends a
# recording cleanly, and a killed recorder leaves no file under the final name.

rec=/tmp/rec.svmrec hist=/tmp/rec-hist.json perfout=/tmp/rec-perf.txt report=/tmp/rec-report.json
rm -f "$rec" "$rec.tmp"
events=svm_pagemap:svm_migrate_end,svm_pagemap:svm_stage_end
perf stat -a -x, -o "$perfout" -e "$events" -- \
	"$SVMTRACE" hist -j -o "$hist" --by stage,direction,path -- \
	"$SVMTRACE" record -o "$rec" -- \
	"$SVMBENCH" -s 256K -n "${RECORD_ROUNDS:-20}" roundtrip >/tmp/rec-bench.out 2>/tmp/rec.err
t_eq "svmbench roundtrip under record, hist and perf succeeds" 0 "$?"
t_grep "record says how many records it wrote and that none were lost" \
	"^svmtrace record: wrote [1-9][0-9]* records to $rec in [0-9.]+ s, 0 lost$" "$(cat /tmp/rec.err)"
if [ -f "$rec" ] && [ ! -e "$rec.tmp" ]; then
	t_pass "record renames FILE.tmp to FILE when done"
else
	t_fail "record renames FILE.tmp to FILE when done" "$(ls -l "$rec" "$rec.tmp" 2>&1 | tr '\n' ' ')"
fi
"$SVMTRACE" report -j "$rec" >"$report" 2>/tmp/rec-report.err
t_eq "report -j of the recording exits 0" 0 "$?"

check() {
	python3 -S - "$hist" "$report" "$perfout" <<'PY'
import json, sys
hist = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
perf = {}
for line in open(sys.argv[3]):
    f = line.strip().split(",")
    if len(f) > 2 and f[2].startswith("svm_pagemap:"):
        perf[f[2].split(":")[1]] = int(f[0])
def row(name, ok, detail=""):
    print(("PASS" if ok else "FAIL") + f"|{name}|{detail}")
def eq(name, want, got):
    row(name, want == got, f"expected {want}, got {got}")
eq("migrate_end records equal perf stat's svm_migrate_end", perf.get("svm_migrate_end"),
   rep["events"]["svm_migrate_end"])
eq("stage_end records equal perf stat's svm_stage_end", perf.get("svm_stage_end"),
   rep["events"]["svm_stage_end"])
eq("no records lost", 0, rep["lost"])
row("some migrations were recorded", rep["events"]["svm_migrate_end"] > 0)
eq("the file's migrations counter equals perf stat", perf.get("svm_migrate_end"),
   rep["counters"]["migrations"])
key = lambda h: (h.get("stage"), h.get("direction"), h.get("path"))
hk = {key(h): h for h in hist["histograms"]}
rk = {key(h): h for h in rep["histograms"]}
eq("report has the same histogram keys as hist", sorted(map(str, hk)), sorted(map(str, rk)))
bad_counts, bad_pct, worst = [], [], 0.0
for k, h in hk.items():
    r = rk.get(k)
    if not r:
        continue
    for f in ("count", "sum_ns", "max_ns"):
        if h[f] != r[f]:
            bad_counts.append(f"{k} {f} hist {h[f]} report {r[f]}")
    if r.get("percentiles") != "exact":
        bad_pct.append(f"{k}: report percentiles are {r.get('percentiles')}")
    for p in ("p50_ns", "p90_ns", "p99_ns", "p999_ns"):
        exact, est = r[p], h[p]
        err = abs(est - exact) / exact if exact else abs(est)
        worst = max(worst, err)
        if err > 0.032:
            bad_pct.append(f"{k} {p}: exact {exact} hist {est:.1f} ({err:.2%})")
        if abs(r["bucket_" + p] - est) > 1e-6 * max(1.0, est):
            bad_pct.append(f"{k} bucket_{p}: report {r['bucket_' + p]} hist {est}")
row("each histogram's count, sum and max equal hist's", not bad_counts, "; ".join(bad_counts[:3]))
row("exact percentiles agree with hist's within 3.2%", not bad_pct,
    f"worst {worst:.2%}; " + "; ".join(bad_pct[:3]))
ordered = all(r["p50_ns"] <= r["p90_ns"] <= r["p99_ns"] <= r["p999_ns"] <= r["max_ns"]
              for r in rep["histograms"] if r["count"])
row("exact percentiles ordered p50 <= p90 <= p99 <= p99.9 <= max", ordered)
print(f"INFO|worst percentile gap between report and hist: {worst:.3%}|")
PY
}
while IFS='|' read -r verdict name detail; do
	case $verdict in
	PASS) t_pass "$name" ;;
	FAIL) t_fail "$name" "$detail" ;;
	INFO) echo "$name" ;;
	*) t_fail "record/report JSON checks run" "$verdict $name $detail" ;;
	esac
done < <(check 2>&1)

out=$("$SVMTRACE" report -S total "$rec" 2>&1)
t_grep "report -S total shows whole migrations" '^stage=total ' "$out"
t_grep "report draws a distribution by default" '^ +[0-9]+ -> [0-9]+ +: [0-9]+ +\|\*' "$out"
out=$("$SVMTRACE" report -S total --table "$rec" 2>&1)
t_grep "report --table prints exact percentiles" '  \(exact\)$' "$out"

# wait_recording ERRFILE: until record says it is attached (BPF loads slowly under TCG).
wait_recording() {
	local i
	for i in $(seq 1 120); do
		grep -q 'recording into' "$1" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# Records carry the cgroup: two workloads in two cgroups recorded at once
# split by report --by cgroup and -c, each equal to its svmbench's count.
cg=/sys/fs/cgroup
if [ -f $cg/cgroup.procs ] && mkdir -p $cg/svmrec-a $cg/svmrec-b; then
	cgrec=/tmp/rec-cg.svmrec
	in_cgroup() { local g=$1; shift; sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg/$g" "$@"; }
	"$SVMTRACE" record -o "$cgrec" -- bash -c "
		$(declare -f in_cgroup); cg=$cg
		in_cgroup svmrec-a '$SVMBENCH' -s 64K -n 3 roundtrip >/dev/null &&
		in_cgroup svmrec-b '$SVMBENCH' -s 64K -n 5 roundtrip >/dev/null" 2>/tmp/rec-cg.err
	t_eq "record of two cgroups' workloads succeeds" 0 "$?"
	cgsum='import json, sys
h = json.load(open(sys.argv[1]))["histograms"]
print(" ".join("%s=%d" % (x.get("cgroup", "-"), x["count"]) for x in sorted(h, key=lambda x: x["count"])))'
	"$SVMTRACE" report -j -S total --by cgroup "$cgrec" >/tmp/rec-cg.json 2>&1
	t_eq "report --by cgroup splits the two workloads, 6 and 10 migrations" \
		"$(stat -c %i $cg/svmrec-a)=6 $(stat -c %i $cg/svmrec-b)=10" \
		"$(python3 -S -c "$cgsum" /tmp/rec-cg.json 2>&1)"
	"$SVMTRACE" report -j -S total --by stage -c $cg/svmrec-b "$cgrec" >/tmp/rec-cg.json 2>&1
	t_eq "report -c keeps one cgroup's 10 migrations" "-=10" "$(python3 -S -c "$cgsum" /tmp/rec-cg.json 2>&1)"
	rmdir $cg/svmrec-a $cg/svmrec-b
	rm -f "$cgrec"
else
	t_skip "report by cgroup" "no cgroup2 hierarchy at $cg in this guest"
fi

# SIGINT ends a recording cleanly: trailer written, FILE complete.
int=/tmp/rec-int.svmrec
rm -f "$int" "$int.tmp"
"$SVMTRACE" record -o "$int" 2>/tmp/rec-int.err &
recpid=$!
wait_recording /tmp/rec-int.err || t_fail "record says when it is recording" "$(cat /tmp/rec-int.err)"
"$SVMBENCH" -s 64K -n 3 roundtrip >/dev/null 2>&1
kill -INT "$recpid"
wait "$recpid"
t_eq "record stopped by SIGINT exits 0" 0 "$?"
out=$("$SVMTRACE" report -j "$int" 2>&1)
t_grep "the SIGINT recording is complete and holds the migrations" '"svm_migrate_end": *[1-9]' "$out"
t_grep "... and is marked complete" '"complete": *true' "$out"

# A killed recorder never leaves a half file under the final name.
kil=/tmp/rec-kill.svmrec
rm -f "$kil" "$kil.tmp"
"$SVMTRACE" record -o "$kil" -B 4096 2>/tmp/rec-kill.err &
recpid=$!
wait_recording /tmp/rec-kill.err || t_fail "record says when it is recording" "$(cat /tmp/rec-kill.err)"
"$SVMBENCH" -s 64K -n 3 roundtrip >/dev/null 2>&1
sleep 0.5
kill -KILL "$recpid"
wait "$recpid" 2>/dev/null
if [ ! -e "$kil" ] && [ -f "$kil.tmp" ]; then
	t_pass "a killed record leaves only FILE.tmp"
else
	t_fail "a killed record leaves only FILE.tmp" "$(ls -l "$kil" "$kil.tmp" 2>&1 | tr '\n' ' ')"
fi
out=$("$SVMTRACE" report "$kil.tmp" 2>&1)
rc=$?
t_eq "report of an unfinished recording exits 1" 1 "$rc"
t_grep "... and says it was never finished" 'incomplete: the recording was never finished' "$out"
out=$("$SVMTRACE" report --partial "$kil.tmp" 2>&1)
t_eq "report --partial of an unfinished recording exits 0" 0 "$?"
rm -f "$rec" "$int" "$kil.tmp"
