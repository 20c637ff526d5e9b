# SPDX-License-Identifier: GPL-2.0
# The module's sources against the kernel's own checkers, taken from the
# linux-source package of the guest's kernel (tests/vm/kscripts.sh):
# checkpatch.pl --strict on every file, and kernel-doc -Wall on the
# kernel-doc comments.  No check type is ignored.  When the checkers cannot
# be fetched the checks are skipped with the reason, never passed.

srcs=(kmod/*.[ch] include/uapi/*.h)

if ! kdir=$(tests/vm/kscripts.sh dir 2>"$T_RESULTS.kscripts"); then
	why=$(tail -n 1 "$T_RESULTS.kscripts")
	rm -f "$T_RESULTS.kscripts"
	t_skip "checkpatch --strict" "kernel checkers unavailable: $why"
	t_skip "kernel-doc -Wall" "kernel checkers unavailable: $why"
	return 0 2>/dev/null || exit 0
fi
rm -f "$T_RESULTS.kscripts"
ver=$(cat "$kdir/.stamp")

for f in "${srcs[@]}"; do
	out=$(perl "$kdir/scripts/checkpatch.pl" --quiet --strict --no-tree --no-summary -f "$f" 2>&1)
	if [ -z "$out" ]; then
		t_pass "checkpatch --strict $f ($ver)"
	else
		n=$(grep -cE '^(ERROR|WARNING|CHECK):' <<<"$out")
		echo "$out"
		t_fail "checkpatch --strict $f" "$n reports: $(grep -E '^(ERROR|WARNING|CHECK):' <<<"$out" | head -n 3 | tr '\n' ' ')"
	fi
done

out=$(python3 "$kdir/scripts/kernel-doc" -none -Wall "${srcs[@]}" 2>&1)
rc=$?
if [ $rc = 0 ] && [ -z "$out" ]; then
	t_pass "kernel-doc -none -Wall on kmod/ and the uapi header ($ver)"
else
	echo "$out"
	t_fail "kernel-doc -none -Wall on kmod/ and the uapi header" "exit $rc: $(head -n 3 <<<"$out" | tr '\n' ' ')"
fi
