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
# The workload runs inside svmtop's second frame, never while svmtop
# attaches or detaches (live tracepoint patching: see tests/guest/svmtrace_top.sh).
$bin/svmtop -b -n 3 -d 2 >/tmp/demo-top.txt &
top=$!
until grep -q '^svmtop - ' /tmp/demo-top.txt 2>/dev/null || ! kill -0 $top 2>/dev/null; do
	sleep 0.1
done
$bin/svmbench -s 1M -n 8 roundtrip >/dev/null
wait $top
awk '/^svmtop - / { n++ } n == 2' /tmp/demo-top.txt

section "raw events from tracefs"
t=/sys/kernel/tracing
echo 1 >$t/events/svm_pagemap/enable
echo >$t/trace
$bin/svmbench -s 16K -n 1 roundtrip >/dev/null
grep -E 'svm_(migrate|stage|map)' $t/trace | head -n 12 | sed 's/^ *//'
echo 0 >$t/events/svm_pagemap/enable

section "a CI latency gate: 2 MiB round trips against the committed baseline"
profile=${SVMTRACE_PROFILE:-plain}
$bin/svmtrace gate --baseline "tests/baseline/migrate-2M-$profile.json" -f tests/baseline/migrate-2M.rules \
	-- $bin/svmbench -s 2M -n 20 roundtrip
echo "(gate exit status $?: 0 all rules pass, 1 a rule failed)"

section "Prometheus metrics: svmtrace export around a workload (a few of them)"
$bin/svmtrace export --textfile /tmp/demo.prom --once -- $bin/svmbench -s 256K -n 5 roundtrip >/dev/null
grep -E '^svmtrace_(migrations_total|migrated_pages_total|iova_in_use_bytes|exporter_bpf_run_seconds_total)|^svmtrace_migration_duration_seconds_(count|sum)' \
	/tmp/demo.prom | head -n 12
echo "... $(grep -vc '^#' /tmp/demo.prom) samples in all; 'svmtrace export' serves them at http://127.0.0.1:7463/metrics"

section "a run to keep: recorded, then as an HTML report and a timeline"
# The repository is the host's (9p, same path): these files are there after
# the guest is gone.
out=build/demo
mkdir -p "$out"
$bin/svmtrace record -o "$out/run.svmrec" -- sh -c "
	$bin/svmbench -s 2M -n 10 roundtrip && $bin/svmbench -P 3 -n 4 -s 256K -t 10 contend &&
	$bin/svmbench -s 4M -n 1 evict" >/dev/null 2>"$out/record.log" ||
	{ echo "svmtrace record failed:"; tail -n 5 "$out/record.log"; }
# the whole migrations and the counters here; every stage is in the files
$bin/svmtrace report --html "$out/report.html" \
	--trace-event "$out/timeline.json" "$out/run.svmrec" |
	awk '/^stage=total/ { p = 1 } /^$/ { if (p) print; p = 0 } p || /^(migrations|livelock)/'

repo=$(pwd)
echo
echo "Written on the host, in $repo/$out:"
echo "  report.html     open it in any browser, offline: xdg-open $repo/$out/report.html"
echo "  timeline.json   a migration timeline: drop it on https://ui.perfetto.dev, chrome://tracing"
echo "                  or https://www.speedscope.app (or: npx speedscope $repo/$out/timeline.json)"
echo "  run.svmrec      every migration and stage: svmtrace report $repo/$out/run.svmrec"
