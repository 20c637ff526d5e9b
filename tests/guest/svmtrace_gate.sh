# SPDX-License-Identifier: GPL-2.0
# legs: plain iommu
# (the iommu leg too, for its own CI gate baseline and the map{path=iova} gates, which match only behind an IOMMU; the rest runs in the plain leg alone)
# svmtrace gate on real migrations.  First the project's own CI gate: the
# module's 2 MiB round-trip latency against the committed baseline of this
# profile (tests/baseline/), with JUnit XML and benchmark JSON written under
# build/test-results/.  Then: a live gate reads the run's counts right
# (svmbench's own figures as the oracle); gate on a record file gives
# report's exact percentiles; rules that cannot hold fail with exit 1; a
# failing workload fails the gate; and the map path comparison where both
# paths occur (profile iommu, with the module's iova parameter switched off
# for half of the run).

profile=${SVMTRACE_PROFILE:-plain}
results=$T_REPO/build/test-results
mkdir -p "$results"
tmp=$(mktemp -d /tmp/gate.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The CI gate.
base=$T_REPO/tests/baseline/migrate-2M-$profile.json
if [ -f "$base" ]; then
	"$SVMTRACE" gate --baseline "$base" -f "$T_REPO/tests/baseline/migrate-2M.rules" \
		--junit "$results/gate-migrate-2M-$profile.xml" \
		--bench-json "$results/gate-migrate-2M-$profile.json" -- \
		"$SVMBENCH" -s 2M -n 20 roundtrip >"$tmp/ci.out" 2>&1
	rc=$?
	cat "$tmp/ci.out"
	t_eq "2 MiB round trips within the CI gate of tests/baseline/migrate-2M-$profile.json" 0 "$rc"
	check=$(python3 -S - "$results/gate-migrate-2M-$profile.xml" "$results/gate-migrate-2M-$profile.json" \
		"$T_REPO/tests/baseline/migrate-2M.rules" <<'PY' 2>&1
import json, sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
rules = [l.split("#")[0].split(":")[0].strip() for l in open(sys.argv[3])]
rules = [r for r in rules if r]
names = [c.get("name") for c in suite.findall("testcase")]
assert names == rules + ["command exits 0"], names
bench = json.load(open(sys.argv[2]))
assert [b["name"] for b in bench] == rules, bench
assert all(isinstance(b["value"], (int, float)) and b["value"] > 0 for b in bench[:3]), bench
print("ok")
PY
)
	t_eq "the CI gate's JUnit XML and benchmark JSON hold one entry per rule" ok "$check"
else
	t_skip "CI gate" "no baseline for profile $profile (make gate-baseline PROFILE=$profile writes one)"
fi

# The IOVA path against the page path, where both occur; nothing after it
# depends on the IOMMU, so the iommu leg ends there.
if [ "$profile" = iommu ]; then
	iova=/sys/module/svm_pagemap/parameters/iova
	"$SVMTRACE" record -o "$tmp/paths.svmrec" -- bash -c "'$SVMBENCH' -s 2M -n 5 roundtrip &&
		echo 0 >$iova && '$SVMBENCH' -s 2M -n 5 roundtrip; rc=\$?; echo 1 >$iova; exit \$rc" \
		>/dev/null 2>"$tmp/paths.err"
	t_eq "record of round trips on the IOVA path, then the page path" 0 "$?"
	"$SVMTRACE" gate --record "$tmp/paths.svmrec" --bench-json "$tmp/paths.json" \
		-r 'map{path=iova}.count == 10' -r 'map{path=page}.count == 10' \
		-r 'iova/page: map{path=iova}.p50 / map{path=page}.p50 > 0' >"$tmp/paths.out" 2>&1
	t_eq "gate compares map{path=iova} with map{path=page}" 0 "$?"
	cat "$tmp/paths.out"
	"$SVMTRACE" report -j --by stage,path "$tmp/paths.svmrec" >"$tmp/paths-report.json" 2>&1
	check=$(python3 -S - "$tmp/paths.json" "$tmp/paths-report.json" <<'PY' 2>&1
import json, sys
gate = {b["name"]: b["value"] for b in json.load(open(sys.argv[1]))}
rep = {h.get("path"): h["p50_ns"] for h in json.load(open(sys.argv[2]))["histograms"]
       if h.get("stage") == "map"}
want = rep["iova"] / rep["page"]
assert abs(gate["iova/page"] - want) < 1e-9 * want, (gate, rep)
print("ok")
PY
)
	t_eq "... its ratio is report's exact map p50 of the IOVA path over the page path's" ok "$check"
	return 0
fi

# A live gate reads the run's counts right: svmbench says how many pages moved.
rounds=6
"$SVMTRACE" gate --bench-json "$tmp/live.json" \
	-r "total{direction=to_dev}.count == $rounds" -r "total{direction=to_ram}.count == $rounds" \
	-r "migrations == $((2 * rounds))" -r 'events.svm_migrate_end == migrations' \
	-r "throughput.to_dev.bytes == $((2 * rounds)) MiB" -r 'total.p50 > 0' -r 'copy.max >= copy.p50' -- \
	"$SVMBENCH" -s 2M -n $rounds -j roundtrip >"$tmp/live.out" 2>"$tmp/live.err"
t_eq "a live gate on $rounds round trips passes its count rules" 0 "$?"
t_grep "... one row per rule, all PASS" '^svmtrace gate: 8 rules, 8 passed, 0 failed$' "$(cat "$tmp/live.out")"
pages=$(sed -n 's/.*"pages_to_dev": *\([0-9]*\).*/\1/p' "$tmp/live.out" | head -n 1)
t_eq "... svmbench moved 2 MiB per round to the device" $((rounds * 512)) "${pages:-none}"

# -i SECONDS: a window of that length, whatever migrates in it.
out=$("$SVMTRACE" gate -i 2 -r 'duration >= 2s' -r 'migrations >= 0' 2>&1)
t_eq "gate -i 2 measures a 2-second window" 0 "$?"
t_grep "... and says how long it measured" '^duration >= 2s +[0-9.]+s  >= 2s +PASS$' "$out"

# Gate on a record file: report's exact percentiles.
rec=$tmp/run.svmrec
"$SVMTRACE" record -o "$rec" -- "$SVMBENCH" -s 2M -n 5 roundtrip >/dev/null 2>"$tmp/rec.err"
t_eq "record around 5 round trips" 0 "$?"
"$SVMTRACE" gate --record "$rec" --bench-json "$tmp/rec.json" \
	-r 'total{direction=to_dev}.count == 5' -r 'to_dev-p50: total{direction=to_dev}.p50 < 1000s' \
	-r 'copy-p90: copy.p90 < 1000s' >"$tmp/rec.out" 2>&1
t_eq "gate --record passes rules that hold" 0 "$?"
"$SVMTRACE" report -j --by stage,direction "$rec" >"$tmp/report.json" 2>&1
"$SVMTRACE" report -j --by stage "$rec" >"$tmp/report-stage.json" 2>&1
check=$(python3 -S - "$tmp/rec.json" "$tmp/report.json" "$tmp/report-stage.json" <<'PY' 2>&1
import json, sys
gate = {b["name"]: b["value"] for b in json.load(open(sys.argv[1]))}
rep = json.load(open(sys.argv[2]))["histograms"]
rep_stage = json.load(open(sys.argv[3]))["histograms"]
to_dev = [h for h in rep if h.get("stage") == "total" and h.get("direction") == "to_dev"][0]
copy = [h for h in rep_stage if h.get("stage") == "copy"][0]
assert to_dev["percentiles"] == "exact" and copy["percentiles"] == "exact"
assert abs(gate["to_dev-p50"] * 1000 - to_dev["p50_ns"]) < 0.001, (gate, to_dev["p50_ns"])
# copy merges both directions: gate merges the exact values as report does
assert abs(gate["copy-p90"] * 1000 - copy["p90_ns"]) < 0.001, (gate, copy["p90_ns"])
print("ok")
PY
)
t_eq "gate --record's p50 and merged p90 equal report's exact percentiles" ok "$check"

# Rules that cannot hold fail the gate with exit 1.
out=$("$SVMTRACE" gate --record "$rec" -r 'retries == 0' -r 'total.p50 < 1ns' --junit "$tmp/f.xml" 2>&1)
t_eq "a rule that must fail exits 1" 1 "$?"
t_grep "... its row says FAIL" '^total.p50 < 1ns +[0-9.]+[mu]?s  < 1ns +FAIL$' "$out"
check=$(python3 -S -c 'import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
print(s.get("tests"), s.get("failures"))' "$tmp/f.xml" 2>&1)
t_eq "... and JUnit counts 2 tests, 1 failure" "2 1" "$check"
out=$("$SVMTRACE" gate -r 'retries == 0' -- "$SVMBENCH" -s 2M -n 1 nosuchscenario 2>&1)
t_eq "a workload that fails fails the gate" 1 "$?"
t_grep "... its row says so" '^command exits 0: .*nosuchscenario +[1-9][0-9]*  == 0 +FAIL$' "$out"

# Without an IOMMU there is no IOVA path to gate on.
out=$("$SVMTRACE" gate --record "$rec" -r 'map{path=iova}.p50 <= 0.5 * map{path=page}.p50' 2>&1)
t_eq "without an IOMMU, map{path=iova} matches nothing and fails" 1 "$?"
t_grep "... saying which paths there are" 'no histogram of the run matches map\{path=iova\} \(its map histograms have path page\)' "$out"
