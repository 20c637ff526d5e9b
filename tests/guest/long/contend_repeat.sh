# SPDX-License-Identifier: GPL-2.0
# legs: plain iommu
# make test-long (and on request): the contend scenario of kmod_contend again and again, to
# catch rare hangs and failures of several processes contending on one
# range (-EBUSY retries, timeslice holds).  A run that does not finish in
# CONTEND_TIMEOUT seconds is a hang: the blocked tasks go to the console
# (sysrq w) and the suite stops.
#
#   make guest-run PROFILE=iommu \
#	CMD='bash tests/guest/run-suites.sh /tmp/r long/contend_repeat; cat /tmp/r'
#
# CONTEND_RUNS (default 10), CONTEND_ARGS (default "-P 4 -n 20 -s 256K -t 10").

. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

runs=${CONTEND_RUNS:-10}
args=${CONTEND_ARGS:--P 4 -n 20 -s 256K -t 10}
limit=${CONTEND_TIMEOUT:-150}
out=$(mktemp)
failed=0 hung=0
for i in $(seq "$runs"); do
	# shellcheck disable=SC2086
	timeout "$limit" "$SVMBENCH" contend $args --json >"$out" 2>&1
	rc=$?
	if [ $rc = 124 ]; then
		hung=$i
		echo w >/proc/sysrq-trigger
		break
	fi
	if [ $rc != 0 ]; then
		failed=$((failed + 1))
		echo "contend run $i failed: $(tr '\n' ' ' <"$out" | cut -c1-300)"
	fi
done
rm -f "$out"
rm -rf "$KTMP"
keq "no contend run hangs ($runs runs of contend $args, ${limit}s each)" 0 "$hung"
keq "every contend run succeeds" 0 "$failed"
