#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of make demo: runs as root in the guest with svm_pagemap
# loaded.
set -uo pipefail
bin=build/guest-user
n=${DEMO_COUNT:-1000}

section() { printf '\n=== %s\n' "$*"; }

section "svm_pagemap in kernel $(uname -r)"
grep svm_pagemap /proc/modules
ls -l /dev/svm_pagemap*
echo "tracepoints: $(ls /sys/kernel/tracing/events/svm_pagemap | grep -v -e enable -e filter | tr '\n' ' ')"
echo "module BTF: $( [ -e /sys/kernel/btf/svm_pagemap ] && echo yes || echo no)"

section "workload: svmbench info -n $n, counted in the kernel by svmtrace"
$bin/svmtrace stat -- $bin/svmbench info -n "$n"

section "the same workload under perf stat"
perf stat -e 'svm_pagemap:*' -- $bin/svmbench info -n "$n" 2>&1 | grep -E 'svm_pagemap|elapsed'

section "migrations: svmbench roundtrip (2 MiB, 10 rounds) under svmtrace hist"
$bin/svmtrace hist --by stage,direction -- $bin/svmbench -s 2M -n 10 roundtrip

section "one frame of svmtop while svmbench migrates"
$bin/svmbench -s 1M -n 100 roundtrip >/dev/null &
$bin/svmtop -b -n 1 -d 2
wait

section "raw events from tracefs"
t=/sys/kernel/tracing
echo 1 >$t/events/svm_pagemap/enable
echo >$t/trace
$bin/svmbench -s 16K -n 1 roundtrip >/dev/null
grep -E 'svm_(migrate|stage|map)' $t/trace | head -n 12 | sed 's/^ *//'
echo 0 >$t/events/svm_pagemap/enable
