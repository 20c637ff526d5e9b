# SPDX-License-Identifier: GPL-2.0
# legs: none
# (make test-long alone, both legs: svmtrace_lossless and svmtrace_hist check the same agreement on richer workloads in make test, and bpftrace takes 20-40 s to start under TCG)
# The walking skeleton, end to end: one user-space action (SVM_PAGEMAP_IOC_INFO
# through svmbench) counted by the module's tracepoint as seen by svmtrace's
# BPF aggregation (tp_btf and raw_tp), perf stat and bpftrace: all must agree
# with the number of actions; and bpftrace reads the migrations' directions.

n=${CHAIN_COUNT:-500}

fmt=/sys/kernel/tracing/events/svm_pagemap/svm_ioctl/format
if [ -r "$fmt" ]; then
	t_grep "svm_ioctl format has device, cmd, result" 'field:s32 result' "$(cat "$fmt")"
else
	t_fail "svm_ioctl tracepoint exists" "$fmt missing"
fi

count_of() { sed -n "s/^ *$1 *\([0-9][0-9]*\)$/\1/p"; }

out=$("$SVMTRACE" stat -- "$SVMBENCH" info -n "$n" 2>&1)
t_eq "svmtrace stat (tp_btf) counts $n ioctls" "$n" "$(count_of svm_ioctl <<<"$out")"
if [ -e /sys/kernel/btf/svm_pagemap ]; then
	t_grep "svmtrace uses tp_btf where module BTF exists" 'tp_btf programs' "$out"
else
	t_grep "svmtrace falls back to raw_tp without module BTF" 'raw_tp programs' "$out"
fi

out=$("$SVMTRACE" stat --raw-tp -- "$SVMBENCH" info -n "$n" 2>&1)
t_eq "svmtrace stat (raw_tp) counts $n ioctls" "$n" "$(count_of svm_ioctl <<<"$out")"
t_grep "svmtrace --raw-tp attaches raw_tp" 'raw_tp programs' "$out"

json=$("$SVMTRACE" stat -j -o /tmp/stat.json -- "$SVMBENCH" info -n 3 >/dev/null 2>&1; cat /tmp/stat.json)
t_eq "svmtrace stat -j is JSON with the count" 3 \
	"$(python3 -S -c 'import json,sys; print(json.load(sys.stdin)["events"]["svm_ioctl"])' <<<"$json" 2>&1)"

out=$(perf stat -x, -e 'svm_pagemap:*' -- "$SVMBENCH" info -n "$n" 2>&1 >/dev/null)
t_eq "perf stat counts $n svm_pagemap:svm_ioctl" "$n" \
	"$(awk -F, '$3 == "svm_pagemap:svm_ioctl" { print $1 }' <<<"$out")"

out=$(bpftrace -q -e 'tracepoint:svm_pagemap:svm_ioctl { @svm_ioctl = count(); }' -c "$SVMBENCH info -n $n" 2>&1)
t_eq "bpftrace counts $n svm_ioctl" "$n" "$(sed -n 's/^@svm_ioctl: //p' <<<"$out")"
# and the migration events' direction field, as a one-liner reads it
out=$(bpftrace -q -e 'tracepoint:svm_pagemap:svm_migrate_end { @dir[args.direction] = count(); }' \
	-c "$SVMBENCH roundtrip -s 64K -n 4" 2>&1)
t_grep "bpftrace: 4 migrations to the device" '^@dir\[0\]: 4$' "$out"
t_grep "bpftrace: 4 migrations back to RAM" '^@dir\[1\]: 4$' "$out"

out=$("$SVMTRACE" stat -i abc 2>&1)
t_eq "svmtrace stat -i abc is a usage error" 2 "$?"
t_grep "svmtrace stat -i abc says why" "invalid interval 'abc'" "$out"

rmmod svm_pagemap
out=$("$SVMTRACE" stat --source module -i 0.1 2>&1)
t_eq "svmtrace --source module without the module fails" 1 "$?"
t_grep "svmtrace --source module without the module says what to do" 'modprobe svm_pagemap' "$out"
