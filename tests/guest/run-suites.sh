#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the guest: the tests/guest/<area>_<name>.sh of this profile's
# leg in turn (see legs() below; or the ones named on the command line, e.g.
# long/install_dkms or special/kmod_fuzz), each in its own bash with tests/lib.sh
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

# legs FILE: the profiles whose leg of make test runs the suite, from its
# "# legs: plain iommu" line (default plain: a suite runs once unless what it
# checks depends on the IOMMU; "none": make test-long alone runs it).
legs() {
	local l
	l=$(sed -n 's/^# legs: *//p' "$1" | head -n 1)
	echo "${l:-plain}"
}

# in_leg FILE: the suite belongs to this guest's profile.
in_leg() {
	[[ " $(legs "$1") " == *" ${SVMTRACE_PROFILE:-plain} "* ]]
}

# With no suite named: SVMTRACE_SUITE_SET=quick (make test) runs the
# suites of this profile's leg; long (make test-long) runs tests/guest/long/
# (those of this leg) and the suites make test runs only in another leg, so
# that both targets together run every suite in every profile.
suites=("$@")
if [ ${#suites[@]} = 0 ]; then
	set_name=${SVMTRACE_SUITE_SET:-quick}
	for f in "$here"/*_*.sh; do
		if [ "$set_name" = quick ]; then
			in_leg "$f" && suites+=("$(basename "$f" .sh)")
		else
			in_leg "$f" || suites+=("$(basename "$f" .sh)")
		fi
	done
	if [ "$set_name" = long ]; then
		for f in "$here"/long/*_*.sh; do
			[ -f "$f" ] && in_leg "$f" && suites+=("long/$(basename "$f" .sh)")
		done
	fi
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
	case $s in
	special/*) s=${s#special/}; no_module=1 ;;
	long/*) s=${s#long/}; no_module=0 ;;
	*) no_module=0 ;;
	esac
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
