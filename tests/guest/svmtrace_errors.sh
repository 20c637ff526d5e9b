# SPDX-License-Identifier: GPL-2.0
# svmtrace's errors on a real system: without privileges, and without the
# module when the module source is asked for, every BPF subcommand fails
# with status 1 and says what to do, leaves no output file behind, and works
# again once the cause is fixed.  Without the module, the default source
# (auto) is the kernel's own functions.

cmds=("hist 1 1" "top -b -n 1 -d 0.2" "record -o /tmp/err.svmrec -- true" "stat -i 0.2")

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

# Without the module: its tracepoints do not exist.
if rmmod svm_pagemap; then
	for c in "${cmds[@]}"; do
		# shellcheck disable=SC2086
		out=$("$SVMTRACE" ${c%% *} --source module ${c#* } 2>&1)
		t_eq "svmtrace $c --source module without the module exits 1" 1 "$?"
		t_grep "svmtrace $c --source module without the module says to load it" \
			"module is not loaded: run 'modprobe svm_pagemap'" "$out"
	done
	t_eq "a record without the module leaves no file" "" "$(ls /tmp/err.svmrec* 2>/dev/null)"
	# Each start of the kernel source attaches its fentry programs, seconds
	# under TCG: the first run also checks the helper's absence where it
	# can be unloaded.
	late=0 core=0
	grep -qw migrate_vma_setup /proc/kallsyms && core=1
	if [ $core = 1 ] && modinfo drm_gpusvm_helper >/dev/null 2>&1 &&
		modprobe -r drm_gpusvm_helper; then
		late=1
		out=$("$SVMTRACE" hist -o /dev/null -- true 2>&1)
	else
		out=$("$SVMTRACE" hist 0.5 1 2>&1)
	fi
	rc=$?
	if [ $core = 1 ]; then
		t_eq "svmtrace hist without the module runs on the kernel source" 0 "$rc"
		t_grep "svmtrace hist without the module says it uses the kernel source" \
			'^svmtrace: source: kernel' "$out"
		# drm_gpusvm_helper: missing at the start, then loaded under way
		if [ "$late" = 1 ]; then
			t_grep "the kernel source says what is not counted without drm_gpusvm_helper" \
				'drm_gpusvm_helper is not loaded: drm_pagemap.s timeslice holds' "$out"
			out=$("$SVMTRACE" hist -o /dev/null -- modprobe drm_gpusvm_helper 2>&1)
			t_grep "... and says so when the helper comes after svmtrace started" \
				'drm_gpusvm_helper was loaded after svmtrace started: .*start svmtrace again' "$out"
			modprobe -r drm_gpusvm_helper
		else
			t_skip "drm_gpusvm_helper loaded late" "$(uname -r) has no drm_gpusvm_helper module, or it is in use"
		fi
	else
		t_eq "svmtrace hist on a kernel without device migration exits 1" 1 "$rc"
		t_grep "svmtrace hist on a kernel without device migration says why" \
			'neither source is there' "$out"
	fi
	# shellcheck disable=SC2046
	modprobe svm_pagemap $(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
	t_eq "svm_pagemap loads again" 0 "$?"
else
	t_fail "svm_pagemap can be removed for the no-module case" "rmmod failed"
fi

# The cause fixed, the same command works.
t_run "svmtrace hist works again with the module back" \
	"$SVMTRACE" hist -o /dev/null -- "$SVMBENCH" -s 64K -n 2 roundtrip
