#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole test run behind `make test`: host unit tests (cmocka, TAP),
# host script tests (tests/host/*.sh), then the guest suites (tests/guest/)
# once per kernel and profile of the matrix, each profile running its leg
# (the suites whose "# legs:" line names it).  With --long, the run behind
# `make test-long`: no host tests; in the guest, tests/guest/long/ and every
# suite in the profiles make test leaves it out of.  Ends with one line
# "N passed, N failed, N skipped"; exits non-zero when anything failed.
#
#   run-tests.sh [--host-only | --long]
#
# GUEST_MATRIX   kernel:profile pairs (default "backports:plain backports:iommu 6.12:plain";
#                with --long "backports:plain backports:iommu")
# GUEST_SUITES   only these guest suites (names without .sh)

set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
results_dir=build/test-results
[ "${1:-}" = --long ] && results_dir=build/test-results-long
rm -rf "$results_dir"
mkdir -p "$results_dir"
host_only=0 suite_set=quick suffix=
case ${1:-} in
--host-only) host_only=1 ;;
--long) suite_set=long suffix=-long ;;
"") ;;
*) echo "usage: run-tests.sh [--host-only | --long]" >&2; exit 2 ;;
esac

all=$results_dir/all.txt
: >"$all"

# report FILE PREFIX: copy FILE's result lines into the total, prefixed.
report() {
	local line
	while IFS= read -r line; do
		case $line in
		PASS\ * | FAIL\ * | SKIP\ *)
			line="${line%% *} $2${line#* }"
			echo "$line" | tee -a "$all"
			;;
		esac
	done <"$1"
}

# guest_diag RUNLOG CONSOLE: what the runner said, the head of the first
# kernel report (its title line and call trace: a panic's tail holds only
# the register summary) and the console's last lines, so a CI log alone
# explains a guest that failed.
guest_diag() {
	sed 's/^/    runner: /' "$1" 2>/dev/null | tail -n 5
	if [ -s "$2" ]; then
		tr -d '\r' <"$2" | awk '
			!n && /(BUG:|Oops:|WARNING: CPU|general protection fault|Kernel panic|RIP: 0010)/ { n = 1 }
			n && n++ <= 60' | sed 's/^/    oops: /'
		tr -d '\r' <"$2" | tail -n 25 | sed 's/^/    console: /'
	else
		echo "    console: (empty: the kernel printed nothing)"
	fi
}

# emulator_failure RESULTS CONSOLE: why a guest leg died of QEMU rather than
# of a test, or nothing.  Two signatures, both seen here:
#  - the kernel never reached our init (no "svmtrace-guest: kernel" line and
#    no result);
#  - "Oops: int3" in the kernel: a vCPU ran the int3 that x86 live patching
#    (text_poke_bp, behind every static key flip: perf, BPF attach, tracepoint
#    enable) leaves for a moment, after the patch was complete.  Under
#    multi-threaded TCG code written by one vCPU reaches another late; on real
#    CPUs the patching protocol's IPIs exclude it.
# Anything else (a module that does not load, a WARN, a failing check, any
# other oops) is never retried.
emulator_failure() {
	if ! grep -q '^svmtrace-guest: kernel ' "$2" && ! grep -qE '^(PASS|FAIL|SKIP) ' "$1"; then
		echo "the kernel did not reach the test init"
	elif grep -q 'Oops: int3' "$2"; then
		echo "the guest kernel hit QEMU TCG's live-patching race ($(tr -d '\r' <"$2" |
			grep -m1 -o 'RIP: [^ ]*'))"
	fi
}

run_start=$SECONDS

# Host unit tests: cmocka binaries in TAP mode.
[ $suite_set = long ] || for t in build/host/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$results_dir/$name.txt
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$results_dir/$name.tap" 2>&1
	rc=$?
	awk -v n="$name" '
		/^reason: / { reason = substr($0, 9) }
		/^(not )?ok [0-9]+ # SKIP/ {
			sub(/^(not )?ok [0-9]+ # SKIP */, "")
			print "SKIP " n ": " $0 ": " (reason != "" ? reason : "skipped by the test")
			reason = ""; seen++; next
		}
		/^ok / {
			sub(/^ok [0-9]+ - /, "")
			print "PASS " n ": " $0
			seen++
		}
		/^not ok / { sub(/^not ok [0-9]+ - /, ""); print "FAIL " n ": " $0; seen++ }
		/^# / && prev ~ /^not ok/ { print "FAIL " n ": detail: " substr($0, 3) }
		{ prev = $0 }
		END { if (!seen) print "FAIL " n ": ran: no TAP results" }
	' "$results_dir/$name.tap" | grep -v '^FAIL .*: detail: $' >"$out"
	if [ $rc != 0 ] && ! grep -q '^FAIL' "$out"; then
		echo "FAIL $name: exited $rc (see $results_dir/$name.tap)" >>"$out"
	fi
	report "$out" "host/"
done

# host_test FILE: one host script test, its results into host-NAME.txt and
# its wall time into times.txt.
host_test() {
	local name out rc start=$SECONDS
	name=$(basename "$1" .sh)
	out=$results_dir/host-$name.txt
	: >"$out"
	T_RESULTS=$repo/$out T_SUITE=$name timeout 600 bash -c '. tests/lib.sh; . "$1"' suite "$1" \
		>"$results_dir/host-$name.log" 2>&1
	rc=$?
	if [ $rc != 0 ] && ! grep -q '^FAIL' "$out"; then
		echo "FAIL $name: ran to completion: exited $rc (see $results_dir/host-$name.log)" >>"$out"
	fi
	echo "host/$name $((SECONDS - start))" >>"$results_dir/times.txt"
}

# Host script tests, as many at once as there are CPUs (they share no
# file; most of their time is one process waiting for another), reported
# in name order.
if [ $suite_set != long ]; then
	for t in tests/host/*_*.sh; do
		[ -f "$t" ] || continue
		while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n; done
		host_test "$t" &
	done
	wait
	for t in tests/host/*_*.sh; do
		[ -f "$t" ] && report "$results_dir/host-$(basename "$t" .sh).txt" "host/"
	done
	echo "host $((SECONDS - run_start))" >>"$results_dir/times.txt"
fi

# Guest suites, once per kernel and profile.
if [ $host_only = 0 ]; then
	make --no-print-directory guest-user >/dev/null || echo "FAIL guest: build user space for the guest" | tee -a "$all"
	default_matrix="backports:plain backports:iommu 6.12:plain"
	[ $suite_set = long ] && default_matrix="backports:plain backports:iommu"
	for combo in ${GUEST_MATRIX:-$default_matrix}; do
		kernel=${combo%%:*} profile=${combo#*:}
		label=${kernel/backports/7.x}/$profile
		out=$results_dir/guest-${kernel}-$profile$suffix.txt
		: >"$out"
		if ! KERNEL=$kernel make --no-print-directory kmod >"$results_dir/kmod-$kernel.log" 2>&1; then
			echo "FAIL guest[$label]: build svm_pagemap.ko (see $results_dir/kmod-$kernel.log)" | tee -a "$all"
			continue
		fi
		kver=$(KERNEL=$kernel tests/vm/image.sh kver)
		label=${kver%%+*}/$profile$suffix
		echo "== guest [$label]: booting (console log build/guest/logs/test-$kernel-$profile$suffix.log)"
		suites=${GUEST_SUITES:-} load=
		if ! grep -qx 'CONFIG_DEVICE_PRIVATE=y' "build/guest/rootfs/boot/config-$kver"; then
			# The module cannot work there: check it refuses cleanly, skip the rest.
			echo "SKIP guest[$label] suites: $kver is built without CONFIG_DEVICE_PRIVATE; only the clean refusal to load is tested" |
				tee -a "$all"
			suites=special/no_device_private load=-n
		fi
		console=build/guest/logs/test-$kernel-$profile$suffix.log
		runlog=$results_dir/guest-$kernel-$profile$suffix.run.log
		start=$SECONDS
		for attempt in 1 2; do
			# shellcheck disable=SC2086
			KERNEL=$kernel tests/vm/run.sh $load -p "$profile" -t "${GUEST_TIMEOUT:-1800}" \
				-l "test-$kernel-$profile$suffix" -- \
				env SVMTRACE_SUITE_SET=$suite_set bash tests/guest/run-suites.sh "$repo/$out" $suites \
				>/dev/null 2>"$runlog"
			rc=$?
			why=
			[ $rc != 0 ] && [ $attempt = 1 ] && why=$(emulator_failure "$out" "$console")
			if [ -n "$why" ]; then
				echo "== guest [$label]: $why (exit $rc); running the leg once more. Console tail:"
				guest_diag "$runlog" "$console"
				cp "$console" "${console%.log}.emulator-failure.log"
				continue
			fi
			break
		done
		echo "guest[$label] $((SECONDS - start))" >>"$results_dir/times.txt"
		report "$out" "guest[$label] "
		if [ $rc != 0 ]; then
			echo "FAIL guest[$label]: the guest ran to completion: exited $rc; console log $console" |
				tee -a "$all"
			guest_diag "$runlog" "$console"
		elif grep -q '^FAIL' "$out"; then
			echo "== guest [$label]: failures above; console log $console"
		fi
	done
fi

echo "total $((SECONDS - run_start))" >>"$results_dir/times.txt"
echo "== seconds: $(grep -v '^host/' "$results_dir/times.txt" | tr '\n' ' ')(all in $results_dir/times.txt)"

passed=$(grep -c '^PASS' "$all")
failed=$(grep -c '^FAIL' "$all")
skipped=$(grep -c '^SKIP' "$all")
if [ "$failed" != 0 ]; then
	echo
	echo "Failed:"
	grep '^FAIL' "$all" | sed 's/^/  /'
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" != 0 ]
