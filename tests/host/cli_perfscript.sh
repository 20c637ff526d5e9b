# SPDX-License-Identifier: GPL-2.0
# svmtrace report --perf-script on the command line: the fixture captured in
# the guest gives its histograms from a file and from standard input; bad
# flags exit 2 and bad input exits 1, each saying what is wrong and where.

st=build/host/svmtrace
fx=tests/fixtures/perf-script-roundtrip.txt
dir=$(mktemp -d /tmp/svmtrace-cli-perfscript.XXXXXX)

t_expect "report --help shows --perf-script" 0 '--perf-script' $st report --help
t_expect "--perf-script without FILE" 2 "no FILE: give the text of 'perf script'" $st report --perf-script
t_expect "'-' without --perf-script" 2 "'-' \(standard input\) is for --perf-script" $st report -
t_expect "--perf-script with a cgroup filter" 2 'perf script text carries no cgroup' \
	$st report --perf-script -c / "$fx"
t_expect "--perf-script on a missing file" 1 "cannot open $dir/none: No such file" \
	$st report --perf-script "$dir/none"
printf 'PERFILE2\0\0\0\0' >"$dir/perf.data"
t_expect "--perf-script on perf.data says to run perf script" 1 "perf.data file: give its text" \
	$st report --perf-script "$dir/perf.data"
t_expect "--perf-script on a JSON file" 1 "line 1 is not a perf script event line" \
	$st report --perf-script tests/unit/test_perfscript.c
{ head -n 6 "$fx"; sed -n 7p "$fx" | cut -c1-150; sed -n '8,$p' "$fx"; } >"$dir/cut.txt"
t_expect "a cut line is an error naming its number" 1 '^svmtrace report: .*cut.txt: line 7: .*(has no field|is not one of) .*--partial' \
	$st report --perf-script "$dir/cut.txt"
t_expect "--partial skips it and says so" 0 'warning: 1 malformed lines skipped, the first at line 7' \
	$st report --perf-script --partial "$dir/cut.txt"

t_expect "the fixture's whole migrations" 0 '^stage=total direction=to_dev path=page' \
	$st report --perf-script -S total "$fx"
t_expect "events and skipped lines are listed" 0 '^events:  svm_ioctl 4  svm_migrate_begin 4  svm_migrate_end 4  svm_stage_end 24' \
	$st report --perf-script "$fx"
t_expect "thread ids are pointed out with --by pid" 0 "note: these are thread ids" \
	$st report --perf-script --by pid tests/fixtures/perf-script-sched-mixed.txt
json=$($st report --perf-script -j --by stage,pid - <"$fx" 2>&1)
t_eq "JSON from standard input: 4 migrations of pid 154 summing to 22640254 ns" "4 22640254" \
	"$(python3 -c '
import json, sys
j = json.load(sys.stdin)
t = [h for h in j["histograms"] if h["stage"] == "total" and h["pid"] == 154]
print(t[0]["count"], t[0]["sum_ns"])' <<<"$json" 2>&1)"
rm -rf "$dir"
