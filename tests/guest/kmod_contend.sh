# SPDX-License-Identifier: GPL-2.0
# Several processes device-fault one shared range with a timeslice: the
# module retries -EBUSY (svm_retry), CPU faults inside the timeslice are
# held (svm_timeslice_hold), and everything finishes with the data intact.
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

x=$KTMP/c
kstats "$x.a"
kperf "$x" "$SVMBENCH" contend -P 4 -n 20 -s 256K -t 10 --json
kstats "$x.b"
mapfile -t r <<<"$(keval "$x" <<'PY'
"%s %d" % (j.get("ok"), j["counts"]["verify_errors"])
D("d['retries'][0]")
D("d['timeslice_holds']")
p.get("svm_retry")
p.get("svm_timeslice_hold")
j["counts"]["fault_attempts"] - j["counts"]["fault_ioctls"]
j["counts"]["fault_ioctls"]
p.get("svm_device_fault")
PY
)"
keq "contention finishes, data intact" "True 0" "${r[0]}"
if [ "${r[1]}" -gt 0 ] 2>/dev/null; then t_pass "contention produces -EBUSY retries (${r[1]})"; else t_fail "contention produces -EBUSY retries" "${r[1]}"; fi
if [ "${r[2]}" -gt 0 ] 2>/dev/null; then t_pass "contention produces timeslice holds (${r[2]})"; else t_fail "contention produces timeslice holds" "${r[2]}"; fi
keq "perf svm_retry == stats retries" "${r[1]}" "${r[3]}"
keq "perf svm_timeslice_hold == stats holds" "${r[2]}" "${r[4]}"
keq "svmbench attempts - faults == retries" "${r[1]}" "${r[5]}"
keq "svm_device_fault events == svmbench faults" "${r[6]}" "${r[7]}"
rm -rf "$KTMP"
