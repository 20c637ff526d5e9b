# SPDX-License-Identifier: GPL-2.0
# svmtrace report --perf-script on the command line: the fixture captured in
# the guest gives its histograms from a file and from standard input, drawn
# as bars under a summary line unless --table; bad flags exit 2 and bad
# input exits 1, each saying what is wrong and where.

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

# The views: bars under a summary line by default, --log2 the same, --table
# one summary line per key (what report printed before bars), JSON the same
# whatever the view.
out=$($st report --perf-script -S total "$fx" 2>&1)
t_eq "by default a summary line follows the key (4 digits, larger units past 9999)" \
	"  count 2  avg 8699us  p50 703.2us  p90 16.69ms  p99 16.69ms  max 16.69ms" \
	"$(grep -A1 '^stage=total direction=to_dev path=page$' <<<"$out" | tail -n 1)"
t_grep "... then the log2 bars" '^ +[0-9]+ -> [0-9]+ +: [0-9]+ +\|\*+ *\|$' "$out"
t_eq "... which start and end at non-empty rows, within 80 columns" "ok" "$(awk '
	/ -> / { rows++; if (rows == 1 && $5 == 0) bad = "leading empty row"; last = $5 }
	/^(stage=|  count| +ns +:| +[0-9]+ -> )/ && length($0) > 80 { bad = "line of " length($0) }
	END { if (!rows) bad = "no rows"; if (last == 0) bad = bad " trailing empty row"; print bad ? bad : "ok" }' <<<"$out")"
t_eq "--log2 is the default" "$out" "$($st report --perf-script -S total --log2 "$fx" 2>&1)"
out=$($st report --perf-script --table "$fx" 2>&1)
t_eq "--table: a key line and a summary line per key, no bars" "14 14 14 0" \
	"$(grep -c '^stage=' <<<"$out") $(grep -c '^  count [0-9]*  avg .*  p99.9 .*  (exact)$' <<<"$out") \
$(grep -c '^  from buckets: ' <<<"$out") $(grep -c ' -> ' <<<"$out")"
out=$($st report --perf-script --fine -S total "$fx" 2>&1)
t_grep "--fine draws the fine buckets" '^ +[0-9]+ -> [0-9]+ +: [0-9]+ +\|\*+ *\|$' "$out"
j=$($st report --perf-script -j --by stage,pid "$fx" 2>&1)
same=ok
for v in --log2 --fine --table; do
	[ "$j" = "$($st report --perf-script -j --by stage,pid $v "$fx" 2>&1)" ] || same="differs with $v"
done
t_eq "-j is the same whatever the view" ok "$same"
t_expect "report --help shows --table" 0 '--table' $st report --help
# README's example is this fixture's output, to the byte (after "...": the title line).
cmd='report --perf-script -S total --by stage tests/fixtures/perf-script-contend.txt'
t_eq "README's example output is what report prints" \
	"$($st $cmd 2>&1 | sed -n '3,/^$/p' | sed '/^$/d')" \
	"$(sed -n "\|^    \\$ svmtrace $cmd\$|,/^\$/p" README.md | sed -e '1,2d' -e '/^$/d' -e 's/^    //')"

json=$($st report --perf-script -j --by stage,pid - <"$fx" 2>&1)
t_eq "JSON from standard input: 4 migrations of pid 154 summing to 22640254 ns" "4 22640254" \
	"$(python3 -c '
import json, sys
j = json.load(sys.stdin)
t = [h for h in j["histograms"] if h["stage"] == "total" and h["pid"] == 154]
print(t[0]["count"], t[0]["sum_ns"])' <<<"$json" 2>&1)"
rm -rf "$dir"
