# SPDX-License-Identifier: GPL-2.0
# svmtrace's errors on a real system: without privileges and without the
# module every BPF subcommand fails with status 1 and says what to do,
# leaves no output file behind, and works again once the cause is fixed.

cmds=("hist 1 1" "top -b -n 1 -d 0.2" "record -o /tmp/err.svmrec -- true" "stat 0.2")

# As nobody: loading BPF programs needs root or CAP_BPF + CAP_PERFMON.
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$SVMTRACE" $c 2>&1)
	t_eq "svmtrace $c as an unprivileged user exits 1" 1 "$?"
	t_grep "svmtrace $c as an unprivileged user says to use root or CAP_BPF + CAP_PERFMON" \
		'run as root or with CAP_BPF and CAP_PERFMON' "$out"
done
t_eq "an unprivileged record leaves no file" "" "$(ls /tmp/err.svmrec* 2>/dev/null)"

# Without the module: the tracepoints do not exist yet.
if rmmod svm_pagemap; then
	for c in "${cmds[@]}"; do
		# shellcheck disable=SC2086
		out=$("$SVMTRACE" $c 2>&1)
		t_eq "svmtrace $c without the module exits 1" 1 "$?"
		t_grep "svmtrace $c without the module says to load it" \
			"module is not loaded: run 'modprobe svm_pagemap'" "$out"
	done
	t_eq "a record without the module leaves no file" "" "$(ls /tmp/err.svmrec* 2>/dev/null)"
	# shellcheck disable=SC2046
	modprobe svm_pagemap $(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
	t_eq "svm_pagemap loads again" 0 "$?"
else
	t_fail "svm_pagemap can be removed for the no-module case" "rmmod failed"
fi

# The cause fixed, the same command works.
t_run "svmtrace hist works again with the module back" \
	"$SVMTRACE" hist -o /dev/null -- "$SVMBENCH" -s 64K -n 2 roundtrip
