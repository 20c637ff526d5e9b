# SPDX-License-Identifier: GPL-2.0
# Every event counted: svmtrace hist and perf stat attached to one contended
# run (processes and threads on both CPUs migrating, faulting, evicting and
# retrying at once) must see exactly the same events, and exactly what the
# module's own counters say happened.  The module fires its tracepoints with
# preemption disabled, so BPF's recursion guard has nothing to skip: the
# kernel's missed count must be 0 for every program, not merely reported.
# suite-timeout: 900
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

x=$KTMP/l
hist=$KTMP/hist.json
kstats "$x.a"
# The workload: contend (4 processes faulting one range, -EBUSY retries and
# timeslice holds), random migrations on both devices, round trips and an
# eviction pass, all at once.
cat >"$KTMP/mixed.sh" <<EOF
"$SVMBENCH" contend -P 4 -n ${LOSSLESS_ROUNDS:-15} -s 256K -t 10 >$KTMP/contend.out 2>&1 &
"$SVMBENCH" random -n ${LOSSLESS_RANDOM:-150} -m 4M -S 7 >$KTMP/random.out 2>&1 &
"$SVMBENCH" -s 1M -n ${LOSSLESS_ROUNDS:-15} roundtrip >$KTMP/roundtrip.out 2>&1 &
"$SVMBENCH" -d 1 -s 512K -n ${LOSSLESS_ROUNDS:-15} roundtrip >$KTMP/roundtrip1.out 2>&1 &
"$SVMBENCH" -s 4M -n 1 evictone >$KTMP/evict.out 2>&1 &
rc=0
for j in \$(jobs -p); do wait \$j || rc=1; done
exit \$rc
EOF
perf stat -a -x, -o "$x.perf" -e 'svm_pagemap:*' -- \
	"$SVMTRACE" hist -j -o "$hist" -- bash "$KTMP/mixed.sh"
t_eq "the mixed contended workload runs under svmtrace and perf" 0 "$?"
kstats "$x.b"
for f in contend random roundtrip roundtrip1 evict; do
	tail -n 3 "$KTMP/$f.out" | sed "s/^/lossless: $f: /"
done

t_rows "lossless checks" < <(python3 -S - "$hist" "$x.perf" "$x.a" "$x.b" 2>&1 <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
perf = {}
for line in open(sys.argv[2]):
    f = line.strip().split(",")
    if len(f) > 2 and f[2].startswith("svm_pagemap:"):
        perf[f[2][12:]] = int(f[0]) if f[0].isdigit() else -1
a = json.load(open(sys.argv[3]))["sum"]
b = json.load(open(sys.argv[4]))["sum"]
D = lambda k, i=None: (b[k] if i is None else b[k][i]) - (a[k] if i is None else a[k][i])
ev, mi = h["events"], h["missed_events"]
def row(name, want, got):
    print(("PASS" if want == got and want is not None else "FAIL") + f"|{name}|expected {want}, got {got}")
row("the kernel skipped no svmtrace program run", 0, sum(mi.values()))
for e in sorted(perf):
    row(f"svmtrace's {e} count equals perf stat's", perf[e], ev.get(e))
mig = sum(b["migrations"]) - sum(a["migrations"])
row("svmtrace's migrations equal the module's counters", mig, h["counters"]["migrations"])
row("svm_migrate_end equals the module's migrations", mig, ev["svm_migrate_end"])
stages = sum(b["stage_calls"]) - sum(a["stage_calls"])
row("svm_stage_end equals the module's stage calls", stages, ev["svm_stage_end"])
row("one total-latency value per migration", ev["svm_migrate_end"],
    sum(x["count"] for x in h["histograms"] if x.get("stage") == "total"))
row("one stage-latency value per stage end", ev["svm_stage_end"],
    sum(x["count"] for x in h["histograms"] if x.get("stage") != "total"))
lv = h["counters"]["livelock"]
row("retries by reason busy equal the module's", D("retries", 0), lv["retries_busy"])
row("timeslice holds equal the module's", D("timeslice_holds"), lv["timeslice_holds"])
row("the run had retries and timeslice holds (it was contended)", True,
    D("retries", 0) > 0 and D("timeslice_holds") > 0)
PY
)
rm -rf "$KTMP"
