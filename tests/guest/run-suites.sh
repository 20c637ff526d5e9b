#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest: every tests/guest/<area>_<name>.sh in turn (or the
# ones named on the command line), each in its own bash with tests/lib.sh
# sourced, recording results into the file named by $1.  Around each suite
# it checks what every suite owes: the module still loaded (reloaded if a
# suite removed it), every device's free pages back to where they were, and
# no WARN, BUG, Oops or leak line in dmesg.
#
#   run-suites.sh RESULTS [SUITE...]

set -u
export T_RESULTS=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export T_REPO=$repo
export SVMBENCH=$repo/build/guest-user/svmbench SVMTRACE=$repo/build/guest-user/svmtrace
: >"$T_RESULTS"

suites=("$@")
if [ ${#suites[@]} = 0 ]; then
	for f in "$here"/*_*.sh; do
		suites+=("$(basename "$f" .sh)")
	done
fi

free_pages() {
	local d
	for d in /dev/svm_pagemap*; do
		[ -e "$d" ] || continue
		"$SVMBENCH" info -d "${d#/dev/svm_pagemap}" | sed -n 's/.*pages (\([0-9]*\) free).*/\1/p'
	done | tr '\n' ' '
}

ensure_loaded() {
	[ -d /sys/module/svm_pagemap ] && return 0
	# shellcheck disable=SC2086
	modprobe svm_pagemap $(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
}

for s in "${suites[@]}"; do
	f=$here/$s.sh
	# suites that only run on request live in special/ and load nothing
	case $s in special/*) f=$here/$s.sh; s=${s#special/}; no_module=1 ;; *) no_module=0 ;; esac
	if [ ! -f "$f" ]; then
		echo "FAIL $s: suite exists: no $f" >>"$T_RESULTS"
		continue
	fi
	[ $no_module = 1 ] || ensure_loaded
	before=$(free_pages)
	echo "svmtrace-test: --- $s (up $(cut -d' ' -f1 /proc/uptime)s)"
	dmesg -C
	fails_before=$(grep -c '^FAIL' "$T_RESULTS")
	# a suite that needs longer says so in a "# suite-timeout: SECONDS" line
	limit=$(sed -n 's/^# suite-timeout: \([0-9][0-9]*\)$/\1/p' "$f" | head -n 1)
	T_SUITE=$s timeout "${limit:-${SUITE_TIMEOUT:-600}}" bash -c '. "$1/tests/lib.sh"; . "$2"' suite "$repo" "$f"
	rc=$?
	if [ $rc != 0 ] && [ "$(grep -c '^FAIL' "$T_RESULTS")" = "$fails_before" ]; then
		echo "FAIL $s: suite ran to completion: exited $rc$([ $rc = 124 ] && echo ' (timeout)')" >>"$T_RESULTS"
	fi
	[ $no_module = 1 ] || ensure_loaded ||
		echo "FAIL $s: module reloads after the suite: modprobe failed" >>"$T_RESULTS"
	after=$(free_pages)
	if [ "$before" = "$after" ]; then
		echo "PASS $s: device free pages back to baseline" >>"$T_RESULTS"
	else
		echo "FAIL $s: device free pages back to baseline: before '$before', after '$after'" >>"$T_RESULTS"
	fi
	bad=$(dmesg | grep -E 'WARNING|BUG|Oops|leak|general protection|Call Trace' | head -n 3)
	if [ -z "$bad" ]; then
		echo "PASS $s: dmesg has no WARN, BUG, Oops or leak" >>"$T_RESULTS"
	else
		echo "FAIL $s: dmesg has no WARN, BUG, Oops or leak: $(echo "$bad" | tr '\n' ' ')" >>"$T_RESULTS"
		dmesg | tail -n 60
	fi
done
exit 0
