# SPDX-License-Identifier: GPL-2.0
# svmtrace gate on the host, on a run the guest measured: the fixture is the
# output of 'svmtrace hist -j -- svmbench -s 2M -n 20 roundtrip' in the
# guest (tests/fixtures/README).  Bad flags and rules exit 2 with a caret
# under the offending text; rules are judged on the fixture's own figures;
# a failing rule exits 1; the JUnit XML and benchmark JSON parse and say
# what the table says; a baseline written by gate reads back.

st=build/host/svmtrace
fix=tests/fixtures/hist-roundtrip-2M.json
dir=$(mktemp -d /tmp/svmtrace-cli-gate.XXXXXX)

t_expect "svmtrace --help lists gate" 0 'gate +check latency' $st --help
t_expect "gate --help has examples" 0 'EXAMPLES' $st gate --help
t_expect "gate without an input" 2 'give exactly one input' $st gate -r 'retries == 0'
t_expect "gate with two inputs" 2 'give exactly one input' $st gate -r 'retries == 0' --json "$fix" -- true
t_expect "gate without rules" 2 'no rules: give -r RULE or -f FILE' $st gate --json "$fix"
t_expect "gate with a stray argument" 2 "unexpected argument 'x'" $st gate --json "$fix" -r 'retries == 0' x
t_expect "gate with a bad interval" 2 "invalid interval 'soon'" $st gate -i soon -r 'retries == 0'
t_expect "gate with an unknown flag" 2 'unrecognized option' $st gate --bogus

# A bad rule: message with the column, the rule, a caret under the text.
out=$($st gate --json "$fix" -r 'total.p99 < 5ms' -r 'mapp.p50 < 1ms' 2>&1)
t_eq "a bad -r rule exits 2" 2 "$?"
t_eq "... names rule, column and problem, shows the rule and a caret" \
	"svmtrace gate: rule 2 (-r, column 1): unknown stage 'mapp': did you mean 'map'?
    mapp.p50 < 1ms
    ^~~~" "$out"
out=$($st gate --json "$fix" -r 'total.p99 < 5' 2>&1)
t_eq "a limit without unit next to a time is refused, caret on the number" \
	"svmtrace gate: rule 1 (-r, column 13): '5' has no unit but 'total.p99' is a time: write e.g. 5ms (ns, us, ms, s)
    total.p99 < 5
                ^" "$out"

printf '# CI rules\n\np50: total.p50 < 1s\n\tmap{path=iommu}.p50 < 1ms   # typo\nretrys == 0\n' >"$dir/bad.rules"
out=$($st gate --json "$fix" -f "$dir/bad.rules" 2>&1)
t_eq "a rule file with bad rules exits 2" 2 "$?"
t_grep "... names file, line and column of each" \
	"^svmtrace gate: rule 2 \($dir/bad.rules:4:11\): unknown path 'iommu': iova, page, peer, local or none$" "$out"
t_grep "... keeps the tab so the caret lines up" "^    	         \^~~~~$" "$out"
t_grep "... and reports the next bad rule too" \
	"^svmtrace gate: rule 3 \($dir/bad.rules:5:1\): unknown counter 'retrys': did you mean 'retries'\?$" "$out"
t_expect "a missing rule file" 2 "cannot read rules from '$dir/none.rules'" \
	$st gate --json "$fix" -f "$dir/none.rules"
printf 'a: retries == 0\na: migrations > 0\n' >"$dir/dup.rules"
t_expect "two rules with one name" 2 'rule 2 .*dup.rules:2:1.: rule 1 .* has the same name' \
	$st gate --json "$fix" -f "$dir/dup.rules"
printf '# nothing but comments\n\n' >"$dir/empty.rules"
t_expect "a rule file without rules" 2 'the rule files hold no rules' $st gate --json "$fix" -f "$dir/empty.rules"
t_expect "baseline() without --baseline" 2 'rule 1 \(-r, column 14\): baseline\(\) needs --baseline FILE' \
	$st gate --json "$fix" -r 'total.p50 <= baseline(total.p50)'

# Bad inputs: exit 2, saying what is wrong, before anything runs.
t_expect "--json of a missing file" 2 "$dir/missing.json: cannot open: No such file" \
	$st gate --json "$dir/missing.json" -r 'retries == 0'
echo '{"histograms": [' >"$dir/cut.json"
t_expect "--json of a cut file" 2 'not JSON: the text ends inside a value' $st gate --json "$dir/cut.json" -r 'retries == 0'
cat "$fix" "$fix" >"$dir/two.json"
t_expect "--json of hist with an interval (two documents)" 2 'more than one JSON document' \
	$st gate --json "$dir/two.json" -r 'retries == 0'
t_expect "--record of a text file" 2 'not an svmtrace recording' $st gate --record "$fix" -r 'retries == 0'
t_expect "--baseline of a missing file" 2 "baseline $dir/missing.json: cannot open" \
	$st gate --json "$fix" --baseline "$dir/missing.json" -r 'retries == 0'
t_expect "--junit into a missing directory" 2 "cannot write '/nonexistent/dir/g.xml.tmp'" \
	$st gate --json "$fix" -r 'retries == 0' --junit /nonexistent/dir/g.xml
t_expect "live gate --source module without the module" 1 'modprobe svm_pagemap' $st gate --source module -r 'retries == 0' -- true

# Rules judged on the fixture's figures.
p50_dev=$(python3 -c 'import json,sys
for h in json.load(open(sys.argv[1]))["histograms"]:
    if h.get("stage") == "total" and h.get("direction") == "to_dev": print(h["p50_ns"])' "$fix")
out=$($st gate --json "$fix" -r 'total.count == 40' -r 'retries == 0' -r 'migrations == 40' \
	-r 'map{path=page}.p50 < 1s' -r 'total.p99 < 10s' -r 'iova.peak_bytes == 0' \
	-r 'throughput.to_dev.bytes == 40MiB' -r 'events.svm_migrate_end == migrations' 2>&1)
t_eq "rules that hold on the fixture exit 0" 0 "$?"
t_grep "... one row per rule with value, limit and PASS" '^total.count == 40 +40  == 40 +PASS$' "$out"
t_grep "... times humanised" '^total.p99 < 10s +[0-9.]+ms  < 10s +PASS$' "$out"
t_grep "... sizes humanised" '^throughput.to_dev.bytes == 40MiB +40MiB  == 40MiB +PASS$' "$out"
t_grep "... and a summary" '^svmtrace gate: 8 rules, 8 passed, 0 failed$' "$out"

out=$($st gate --json "$fix" -r 'retries == 0' -r 'total{direction=to_dev}.p50 < 1us' 2>&1)
t_eq "a rule that does not hold exits 1" 1 "$?"
t_grep "... its row says FAIL" '^total\{direction=to_dev\}.p50 < 1us +[0-9.]+ms  < 1us +FAIL$' "$out"
out=$($st gate --json "$fix" -r 'total{direction=peer}.p50 < 1s' 2>&1)
t_eq "a selector that matches nothing exits 1" 1 "$?"
t_grep "... and says why" 'FAIL: no histogram of the run matches total\{direction=peer\} \(its total histograms have direction to_dev, to_ram\)' "$out"
out=$($st gate --json "$fix" -r 'total{trigger=cpu_fault}.p50 < 1s' 2>&1)
t_grep "a label the JSON was not keyed by fails, saying how to key it" \
	'not keyed by trigger \(make it with hist --by stage,trigger\)' "$out"

# JUnit XML and benchmark JSON agree with the rules and the fixture.
$st gate --json "$fix" -r 'p50-to-dev: total{direction=to_dev}.p50 < 1s' -r 'retries == 0' \
	-r 'esc <&>"'"'"': total.p50 < 1us' -r 'total{direction=peer}.p50 < 1s' \
	--junit "$dir/g.xml" --bench-json "$dir/b.json" >/dev/null 2>&1
t_eq "gate with failing rules and --junit/--bench-json exits 1" 1 "$?"
check=$(python3 - "$dir/g.xml" "$dir/b.json" "$p50_dev" <<'PY' 2>&1
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root if root.tag == "testsuite" else root.find("testsuite")
cases = suite.findall("testcase")
names = [c.get("name") for c in cases]
failed = [c.get("name") for c in cases if c.find("failure") is not None]
assert suite.get("tests") == "4" and suite.get("failures") == "2", (suite.get("tests"), suite.get("failures"))
assert names == ["p50-to-dev", "retries == 0", "esc <&>\"'", "total{direction=peer}.p50 < 1s"], names
assert failed == ["esc <&>\"'", "total{direction=peer}.p50 < 1s"], failed
msg = cases[3].find("failure").get("message")
assert "no histogram of the run matches total{direction=peer}" in msg, msg
bench = json.load(open(sys.argv[2]))
assert isinstance(bench, list) and len(bench) == 3, bench
for b in bench:
    assert set(b) >= {"name", "unit", "value"} and isinstance(b["value"], (int, float)), b
assert bench[0]["name"] == "p50-to-dev" and bench[0]["unit"] == "us", bench[0]
assert abs(bench[0]["value"] - float(sys.argv[3]) / 1000) < 1e-6, (bench[0], sys.argv[3])
assert bench[1] == {**bench[1], "name": "retries == 0", "unit": "count", "value": 0}, bench[1]
print("ok")
PY
)
t_eq "JUnit XML parses: one testcase per rule, failures counted and escaped names kept; bench JSON is customSmallerIsBetter with the fixture's p50 in us" ok "$check"
if ls "$dir"/*.tmp >/dev/null 2>&1; then
	t_fail "no FILE.tmp left behind" "$(ls "$dir")"
else
	t_pass "no FILE.tmp left behind"
fi

# A baseline written by gate reads back with the same figures.
$st gate --json "$fix" --write-baseline "$dir/base.json" >/dev/null 2>&1
t_eq "--write-baseline without rules exits 0" 0 "$?"
out=$($st gate --json "$fix" --baseline "$dir/base.json" \
	-r 'total{direction=to_dev}.p50 <= 1.0 * baseline(total{direction=to_dev}.p50)' \
	-r 'total{direction=to_ram}.p99 == baseline(total{direction=to_ram}.p99)' \
	-r 'migrations == baseline(migrations)' 2>&1)
t_eq "the run against its own baseline passes" 0 "$?"
out=$($st gate --json "$fix" --baseline "$dir/base.json" \
	-r 'total{direction=to_dev}.p50 <= 0.5 * baseline(total{direction=to_dev}.p50)' 2>&1)
t_eq "... and fails a ratio it cannot meet" 1 "$?"
out=$($st gate --json "$fix" --baseline "$dir/base.json" -r 'timeslice_holds <= baseline(events.svm_timeslice_hold)' 2>&1)
t_eq "a baseline figure that exists passes" 0 "$?"
echo '{"histograms": []}' >"$dir/thin.json"
out=$($st gate --json "$fix" --baseline "$dir/thin.json" -r 'total.p50 <= 2 * baseline(total.p50)' 2>&1)
t_eq "a baseline without the figure fails the rule" 1 "$?"
t_grep "... saying the baseline lacks it" "no histogram of baseline $dir/thin.json matches total" "$out"
# The project's CI rules parse, and hold for the fixture against the plain baseline.
out=$($st gate --json "$fix" --baseline tests/baseline/migrate-2M-plain.json -f tests/baseline/migrate-2M.rules 2>&1)
t_eq "the CI gate's rules hold for the fixture against tests/baseline/migrate-2M-plain.json" 0 "$?"

# The man page renders cleanly and documents every option gate has.
man=man/svmtrace-gate.8
warn=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
t_eq "man page renders without groff warnings" "" "$warn"
text=$(groff -man -Tascii -P-cbu -rLL=250n "$man" 2>/dev/null)
missing=
for o in $($st gate --help | grep -oE -- '--[a-z-]+' | sort -u); do
	grep -q -- "$o" <<<"$text" || missing="$missing $o"
done
t_eq "man page documents every option of gate --help" "" "$missing"
for section in 'RULE FILES' COUNTERS 'EXIT STATUS' EXAMPLES; do
	t_grep "man page has $section" "^$section\$" "$text"
done
rm -rf "$dir"
