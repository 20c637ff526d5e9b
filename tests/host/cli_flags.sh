# SPDX-License-Identifier: GPL-2.0
# Bad command lines get exit status 2 and a message naming the problem; the
# host has no svm_pagemap module, so commands that need it fail with 1 and
# say what to do.

st=build/host/svmtrace
sb=build/host/svmbench

t_expect "svmtrace without a command" 2 'Usage: svmtrace' $st
t_expect "svmtrace --help" 0 'stat' $st --help
t_expect "svmtrace unknown command" 2 "unknown command 'frobnicate'" $st frobnicate
t_expect "svmtrace stat -i abc" 2 "invalid interval 'abc'" $st stat -i abc
t_expect "svmtrace stat -i -1" 2 "invalid interval '-1'" $st stat -i -1
t_expect "svmtrace stat -i with a command" 2 'either -i SECONDS or a command' $st stat -i 1 -- true
t_expect "svmtrace stat unknown flag" 2 'unrecognized option' $st stat --bogus
t_expect "svmtrace stat --help has examples" 0 'EXAMPLES' $st stat --help
t_expect "svmtrace stat --source module without the module" 1 'modprobe svm_pagemap' $st stat --source module -i 0.1
t_expect "svmtrace stat --core-only on the module source" 1 "core-only is for the kernel source" $st stat --source module --core-only -i 0.1
t_expect "svmbench without a scenario" 2 'Usage: svmbench' $sb
t_expect "svmbench unknown scenario" 2 "unknown scenario 'nope'" $sb nope
t_expect "svmbench -n not a number" 2 "invalid count 'x'" $sb info -n x
t_expect "svmbench -n negative" 2 "invalid count '-5'" $sb info -n -5
t_expect "svmbench without a device" 1 'is svm_pagemap loaded' $sb info -d 7
t_expect "svmtrace stat -o into a missing directory" 2 "cannot write" $st stat -o /nonexistent/dir/x -i 1
t_expect "svmtrace hist unknown stage" 2 "unknown stage 'nope'" $st hist -S nope
t_expect "svmtrace hist bad --by" 2 "invalid --by 'stage,foo'" $st hist --by stage,foo
t_expect "svmtrace hist bad count" 2 "invalid count 'x'" $st hist 1 x
t_expect "svmtrace hist interval and command" 2 'either an interval or a command' $st hist 1 -- true
t_expect "svmtrace hist bad direction" 2 "unknown direction 'sideways'" $st hist -D sideways
t_expect "svmtrace hist bad max-keys" 2 "invalid --max-keys '0'" $st hist --max-keys 0
t_expect "svmtrace hist missing cgroup" 2 "cannot use cgroup '/nonexistent'" $st hist -c /nonexistent
t_expect "svmtrace hist --help has examples" 0 'EXAMPLES' $st hist --help
t_expect "svmtrace hist --help: bars by default, --table for a line per key" 0 \
	'--table +no bars: one summary line per key' $st hist --help
t_expect "svmtrace hist --table takes no value" 2 "doesn't allow an argument" $st hist --table=1
t_expect "svmtrace top bad delay" 2 "invalid delay '0'" $st top -d 0
t_expect "svmtrace top bad sort key" 2 "unknown sort key 'size'" $st top -s size
t_expect "svmtop bad frame count" 2 "invalid frame count '-1'" build/host/svmtop -b -n -1
t_expect "svmtop --help has examples" 0 'EXAMPLES' build/host/svmtop --help
t_expect "svmtop --source module without the module" 1 'modprobe svm_pagemap' build/host/svmtop --source module -b -n 1
