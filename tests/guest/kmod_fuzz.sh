# SPDX-License-Identifier: GPL-2.0
# Hostile use, on both engines (native, then the kernel's own drm_pagemap
# with two devices): svmbench fuzz (random ioctls, valid and invalid, with
# arguments biased to the edges and to the process's own mappings, while
# another thread churns those mappings and forks) and svmbench integrity
# (versioned writers against threads migrating, evicting, faulting and
# reading the same pages through both devices, forked snapshots checked),
# FUZZ_SECONDS each.  Then what the kernel owes: dmesg clean (no WARN, BUG,
# Oops, refcount or leak line), every device page back after an eviction,
# and the module unloads.  Longer runs: FUZZ_SECONDS=600 in make guest-run.
#
# Open finding: on engine=drm_pagemap the fuzzer hangs a CPU in the kernel
# (soft lockup with the mmap lock held for read) in about one 15-second run
# in three, and one integrity run after fuzzing read another page's data
# through a device.  Until that is fixed, make test fuzzes the native engine
# and runs integrity on both; FUZZ_DRM=1 fuzzes drm_pagemap too.
# suite-timeout: 900
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

secs=${FUZZ_SECONDS:-15}
harness=$(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
base_params=$(sed -E 's/(^| )(engine|ndevices)=[^ ]*//g' <<<"$harness")
reload_default() {
	[ -d /sys/module/svm_pagemap ] && return
	# shellcheck disable=SC2086
	modprobe svm_pagemap $harness
}
trap 'reload_default; rm -rf "$KTMP"' EXIT

rmmod_wait() {
	local i
	for i in $(seq 1 50); do
		[ -d /sys/module/svm_pagemap ] || return 0
		rmmod svm_pagemap 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# pages_back BASE: every device's free pages equal BASE, within 10 s (a
# drm_pagemap allocation is released from a work item).
pages_back() {
	local i
	for i in $(seq 1 50); do
		[ "$(kfree)" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

for engine in native drm_pagemap; do
	if ! rmmod_wait; then
		t_fail "$engine: the module unloads before the run" "$(lsmod | grep svm_pagemap)"
		break
	fi
	# shellcheck disable=SC2086
	if ! modprobe svm_pagemap $base_params engine=$engine ndevices=2 2>/dev/null; then
		t_skip "$engine" "engine=$engine does not load on $(uname -r)"
		continue
	fi
	base=$(kfree)
	dmesg -C
	"$SVMBENCH" -P 3 -n "$secs" -j integrity >"$KTMP/integrity.json" 2>"$KTMP/integrity.err"
	t_eq "$engine: svmbench integrity: every page read back was whole and of its generation" 0 "$?"
	sed "s/^/kmod_fuzz $engine: /" "$KTMP/integrity.err" | tail -n 5
	rm -f "$KTMP/fuzz.json"
	if [ "$engine" = native ] || [ "${FUZZ_DRM:-0}" = 1 ]; then
		"$SVMBENCH" -P 2 -n "$secs" -j fuzz >"$KTMP/fuzz.json" 2>"$KTMP/fuzz.err"
		t_eq "$engine: svmbench fuzz: every call returned, no process died of a signal" 0 "$?"
		sed "s/^/kmod_fuzz $engine: /" "$KTMP/fuzz.err" | tail -n 5
	else
		t_skip "$engine: svmbench fuzz" "known to hang a CPU in the kernel on this engine (soft lockup under the mmap lock, about one 15 s run in three): under investigation; FUZZ_DRM=1 runs it"
	fi
	t_rows "$engine: what the runs did" < <(python3 - "$KTMP" "$engine" "$secs" 2>&1 <<'PY'
import json, sys
d, engine, secs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def row(name, ok, detail):
    print(("PASS" if ok else "FAIL") + f"|{engine}: {name}|{detail}")
import os
i = json.load(open(f"{d}/integrity.json"))["counts"]
if os.path.exists(f"{d}/fuzz.json"):
    f = json.load(open(f"{d}/fuzz.json"))["counts"]
    errs = {k[5:]: v for k, v in f.items() if k.startswith("fuzz_e") or k == "fuzz_other_errno"}
    row("the fuzzer made calls that succeeded and calls that were refused",
        f["fuzz_calls"] >= 10 * secs and f["fuzz_ok"] > 0 and f["fuzz_einval"] > 0 and f["fuzz_efault"] > 0,
        f"calls {f['fuzz_calls']}, ok {f['fuzz_ok']}, {errs}")
    row("... while its mappings churned and it forked",
        f["fuzz_churn_ops"] > 0 and f["fuzz_forks"] > 0,
        f"churn {f['fuzz_churn_ops']}, forks {f['fuzz_forks']}")
row("the integrity run wrote, moved and verified pages",
    i["integrity_writes"] > 0 and i["integrity_moves"] > 0 and i["verified_pages"] > 0
    and i["verify_errors"] == 0 and i["migrate_ok"] + i["fault_devmem"] > 0,
    f"writes {i['integrity_writes']}, moves {i['integrity_moves']}, verified {i['verified_pages']}, "
    f"skipped mid-write {i['integrity_torn_skipped']}, errors {i['verify_errors']}, "
    f"migrations {i['migrate_ok']}, device faults on device {i['fault_devmem']}")
PY
)
	for d in /dev/svm_pagemap*; do
		"$SVMBENCH" -d "${d#/dev/svm_pagemap}" evictall >/dev/null 2>&1
	done
	pages_back "$base"
	t_eq "$engine: device pages back to baseline" "$base" "$(kfree)"
	bad=$(dmesg | grep -E 'WARNING|BUG|Oops|refcount_t|leak|Call Trace' | head -n 3)
	t_eq "$engine: dmesg has no WARN, BUG, Oops, refcount or leak line" "" "$bad"
	rmmod_wait
	t_eq "$engine: the module unloads after the run" "" "$(lsmod | awk '$1 == "svm_pagemap"')"
done
