# SPDX-License-Identifier: GPL-2.0
# Hostile use, on both engines (native, then the kernel's own drm_pagemap
# with two devices): svmbench integrity (versioned writers against threads
# migrating, evicting, faulting and reading the same pages through both
# devices, forked snapshots checked) and svmbench fuzz (random ioctls, valid
# and invalid, arguments biased to the edges and to the process's own
# mappings, while another thread churns those mappings and forks),
# FUZZ_SECONDS each (6 here; long/kmod_fuzz_long runs 30 in both legs);
# FUZZ_ENGINES names the engines (default both).
# Then what the kernel owes: dmesg clean (no WARN, BUG, Oops, refcount or
# leak line), every device page back after an eviction, and the module
# unloads.
#
# What it found, and the module now avoids (see kmod/svm_pagemap_rw.c and
# svm_page_charge_moved()): 7.3's hmm gives the pages of a device-private
# PMD entry from the folio's head whatever the range's start (a device read
# got another page's data), and an eviction that moved a device folio
# whose charge had gone on to its device-to-device copy made an uncharged
# RAM folio, on which folio_add_lru() spins forever (RCU stall).
#
# What it found and nobody avoids yet: on drm_pagemap with 2 MiB device
# folios, 7.3 now and then leaves a PMD migration entry behind (a thread
# then waits on it forever in hmm_range_fault, and the mm is freed with
# "Bad rss-counter state" MM_ANONPAGES +512 / MM_SHMEMPAGES -512 and a
# leaked page table); with allocations of at most 64 KiB it has not yet
# (8 rounds of 45 s integrity + 45 s fuzz, and every CI run since).
# So drm_pagemap is fuzzed with drm_device_folios=0 (every other path of
# the engine is still fuzzed), and with device folios on request:
# FUZZ_DRM_FOLIOS=1 (docs/engines.md).
# A run that does not end in time is reported as a hang after the stacks
# of every CPU and blocked task went to the console (sysrq l and w, with
# the console log level raised), and the suite stops: the guest cannot
# recover from it.
# suite-timeout: 900
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

secs=${FUZZ_SECONDS:-6}
harness=$(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
base_params=$(sed -E 's/(^| )(engine|ndevices)=[^ ]*//g' <<<"$harness")
reload_default() {
	[ -d /sys/module/svm_pagemap ] && return
	# shellcheck disable=SC2086
	modprobe svm_pagemap $harness
}
trap 'reload_default; rm -rf "$KTMP"' EXIT

# hung_stacks NAME: state, wait channel and kernel stack of every svmbench
# thread, and of every other task whose stack is in the memory manager's
# locking (rmap, anon_vma, migration, THP split or collapse) or that is one
# of its daemons: a lock holder sleeping interruptibly (which sysrq w does
# not show) is found that way.  A native fuzz run once hung on an anon_vma
# rwsem whose owner the kernel could not name.
hung_stacks() {
	local t comm stack
	for t in /proc/[0-9]*/task/[0-9]*; do
		comm=$(cat "$t/comm" 2>/dev/null) || continue
		stack=$(cat "$t/stack" 2>/dev/null)
		case $comm in
		svmbench | khugepaged | kcompactd* | kswapd*) ;;
		*) grep -qE 'rmap|anon_vma|migrat|split|collapse|folio_lock|lock_page' <<<"$stack" ||
			continue ;;
		esac
		echo "kmod_fuzz $1: ${t#/proc/} $comm: $(awk '{print $3}' "$t/stat") $(cat "$t/wchan" 2>/dev/null)"
		sed "s|^|kmod_fuzz $1: ${t#/proc/}:   |" <<<"$stack"
	done
}

# bounded NAME OUT ERR CMD...: CMD, which must end within four times its
# budget plus a minute; a task stuck in the kernel cannot be killed, so a
# hang dumps the stacks and stops the suite.
bounded() {
	local name=$1 out=$2 err=$3 pid i
	shift 3
	"$@" >"$out" 2>"$err" &
	pid=$!
	for i in $(seq 1 $((4 * secs + 60))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			return
		fi
		sleep 1
	done
	dmesg -n 8
	echo l >/proc/sysrq-trigger
	echo w >/proc/sysrq-trigger
	# sysrq w shows D tasks only: a thread sleeping interruptibly or
	# looping with a lock held is found through its own stack.
	hung_stacks "$name"
	t_fail "$name" "still running after $((4 * secs + 60)) s: a hang (stacks on the console)"
	exit 1
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

for engine in ${FUZZ_ENGINES:-native drm_pagemap}; do
	if ! kunload >/dev/null; then
		t_fail "$engine: the module unloads before the run" "$(lsmod | grep svm_pagemap)"
		break
	fi
	engine_params=
	[ "$engine" = drm_pagemap ] && [ "${FUZZ_DRM_FOLIOS:-0}" != 1 ] &&
		engine_params=drm_device_folios=0
	# shellcheck disable=SC2086
	if ! modprobe svm_pagemap $base_params engine=$engine ndevices=2 $engine_params 2>/dev/null; then
		t_skip "$engine" "engine=$engine does not load on $(uname -r)"
		continue
	fi
	base=$(kfree)
	dmesg -C
	bounded "$engine: svmbench integrity" "$KTMP/integrity.json" "$KTMP/integrity.err" \
		"$SVMBENCH" -P 3 -n "$secs" -j integrity
	t_eq "$engine: svmbench integrity: every page read back was whole and of its generation" 0 "$?"
	sed "s/^/kmod_fuzz $engine: /" "$KTMP/integrity.err" | tail -n 5
	bounded "$engine: svmbench fuzz" "$KTMP/fuzz.json" "$KTMP/fuzz.err" \
		"$SVMBENCH" -P 2 -n "$secs" -j fuzz
	t_eq "$engine: svmbench fuzz: every call returned, no process died of a signal" 0 "$?"
	sed "s/^/kmod_fuzz $engine: /" "$KTMP/fuzz.err" | tail -n 5
	t_rows "$engine: what the runs did" < <(python3 -S - "$KTMP" "$engine" "$secs" 2>&1 <<'PY'
import json, sys
d, engine, secs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def row(name, ok, detail):
    print(("PASS" if ok else "FAIL") + f"|{engine}: {name}|{detail}")
i = json.load(open(f"{d}/integrity.json"))["counts"]
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
	kunload >/dev/null
	t_eq "$engine: the module unloads after the run" "" "$(lsmod | awk '$1 == "svm_pagemap"')"
done
