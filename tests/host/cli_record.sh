# SPDX-License-Identifier: GPL-2.0
# svmtrace record and report on the command line: bad flags exit 2 with a
# message naming the problem; bad files exit 1 and say what is wrong with
# them; record never leaves a file behind when it cannot start.

st=build/host/svmtrace
dir=$(mktemp -d /tmp/svmtrace-cli-record.XXXXXX)

t_expect "svmtrace --help lists record and report" 0 'record .*report' bash -c "$st --help | tr '\n' ' '"
t_expect "record --help has examples" 0 'EXAMPLES' $st record --help
t_expect "record without -o" 2 'no output file: give -o FILE' $st record -i 1
t_expect "record -i and a command" 2 'either -i SECONDS or a command' $st record -o "$dir/x" -i 1 -- true
t_expect "record bad interval" 2 "invalid interval 'soon'" $st record -o "$dir/x" -i soon
t_expect "record bad stage" 2 "unknown stage 'nope'" $st record -o "$dir/x" -S nope
t_expect "record bad direction" 2 "unknown direction 'up'" $st record -o "$dir/x" -D up
t_expect "record bad pid" 2 "invalid pid '0'" $st record -o "$dir/x" -p 0
t_expect "record --buffer not a power of two" 2 "invalid --buffer '1000'" $st record -o "$dir/x" -B 1000
t_expect "record stray argument" 2 "unexpected argument 'ls'" $st record -o "$dir/x" ls
t_expect "record unknown flag" 2 'unrecognized option' $st record --bogus
t_expect "record into a missing directory" 2 "cannot write '/nonexistent/dir/x.tmp'" \
	$st record -o /nonexistent/dir/x -i 1
t_expect "record --source module without the module" 1 'modprobe svm_pagemap' $st record --source module -o "$dir/x" -i 1
if [ ! -e "$dir/x" ] && [ ! -e "$dir/x.tmp" ]; then
	t_pass "record that cannot start leaves no file"
else
	t_fail "record that cannot start leaves no file" "$(ls "$dir")"
fi

t_expect "report --help has examples" 0 'EXAMPLES' $st report --help
t_expect "report without a file" 2 'no FILE' $st report
t_expect "report two files" 2 "unexpected argument 'b'" $st report a b
t_expect "report bad --by" 2 "invalid --by 'stage,foo'" $st report --by stage,foo "$dir/x"
t_expect "report bad stage" 2 "unknown stage 'nope'" $st report -S nope "$dir/x"
t_expect "report unknown flag" 2 'unrecognized option' $st report --bogus "$dir/x"
t_expect "report of a missing file" 1 'cannot open: No such file' $st report "$dir/missing"
t_expect "report of a directory" 1 'not a regular file' $st report "$dir"
: >"$dir/empty"
t_expect "report of an empty file" 1 'empty file' $st report "$dir/empty"
echo "this is text, not a recording" >"$dir/text"
t_expect "report of a foreign file" 1 'not an svmtrace recording' $st report "$dir/text"
# A version 2 header: magic, then version 2 (u16 LE) and padding.
printf 'SVMTREC\0\002\000\240\000\120\000\000\000' >"$dir/v2"
head -c 200 /dev/zero >>"$dir/v2"
t_expect "report of a newer format version" 1 'format version 2 is newer' $st report "$dir/v2"
printf 'SVMTREC\0\001\000\240\000\120\000\000\000' >"$dir/short"
t_expect "report of a file cut inside the header" 1 'truncated inside the header' $st report "$dir/short"
t_expect "report -j of a bad file prints no JSON" 1 '^svmtrace report: ' $st report -j "$dir/text"
rm -rf "$dir"
