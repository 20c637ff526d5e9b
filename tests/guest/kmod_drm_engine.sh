# SPDX-License-Identifier: GPL-2.0
# The second engine: svm_pagemap reloaded with engine=drm_pagemap, so that
# every migration runs through the kernel's own drm_pagemap
# (drm_gpusvm_helper.ko) and only the device callbacks are the module's.
# svmbench's scenarios on it, their data checked by svmbench; the kernel's
# functions are the ones migrating (kprobes count them); the events this
# engine fires agree with the module's counters and the stage events of the
# native engine stay silent; device memory is free again after each run; an
# injected failure in our callbacks loses no data; rmmod is refused while
# pages are on a device and works after use.  The harness's module (default
# engine) is loaded again at the end.
# suite-timeout: 1500
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem
if [ "${SVMTRACE_PROFILE:-plain}" != plain ]; then
	# about six minutes under TCG; the engine's IOVA path (and data through
	# it) is what the iommu leg adds, and svmtrace_drm_source checks it there
	t_skip "$T_SUITE" "runs in the plain leg only: svmtrace_drm_source checks the IOVA path of engine=drm_pagemap in the iommu leg"
	rm -rf "$KTMP"
	exit 0
fi

harness=$(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
# the harness's parameters but the engine and the device count
params="$(sed -E 's/(^| )(engine|ndevices)=[^ ]*//g' <<<"$harness") engine=drm_pagemap ndevices=2"

reload_default() {
	# shellcheck disable=SC2086
	[ -d /sys/module/svm_pagemap ] || modprobe svm_pagemap $harness
}
trap 'reload_default; rm -rf "$KTMP"' EXIT

t_run "rmmod the harness's svm_pagemap" kunload
out=$(modprobe svm_pagemap engine=bogus 2>&1)
rc=$?
if [ $rc != 0 ] && [ ! -d /sys/module/svm_pagemap ]; then
	t_pass "engine=bogus refuses to load"
else
	t_fail "engine=bogus refuses to load" "modprobe exited $rc: $out"
	rmmod svm_pagemap 2>/dev/null
fi
t_grep "dmesg says the engine is unknown" 'engine=bogus: unknown engine' "$(dmesg | tail -n 5)"

dmesg -C
# shellcheck disable=SC2086
if ! out=$(modprobe svm_pagemap $params 2>&1); then
	# Built against headers without the drm_pagemap API: refused, saying why.
	t_grep "engine=drm_pagemap refuses to load, saying why" \
		'engine=drm_pagemap: built against kernel headers without the drm_pagemap API' "$(dmesg)"
	t_skip "$T_SUITE scenarios" "engine=drm_pagemap is not built for $(uname -r): $out"
	exit 0
fi
t_eq "engine parameter reads drm_pagemap" drm_pagemap "$(kparam engine)"
t_grep "module says which engine runs" 'engine drm_pagemap' "$(dmesg)"
t_grep "drm_gpusvm_helper is loaded, used by svm_pagemap" \
	'^drm_gpusvm_helper .*svm_pagemap' "$(lsmod)"
base=$(kfree)
keq "two devices, all memory free" 2 "$(wc -w <<<"$base")"

# Every event with its counter.  The engine fires the first ones; the
# rest belong to the native engine's own migration code and stay silent.
pairs="svm_ioctl d['ioctls']
svm_reject sum(d['rejects'])
svm_retry sum(d['retries'])
svm_evict_retry d['evict_retries']
svm_device_fault sum(d['device_faults'])
svm_inject sum(d['injected'])
svm_devmem_alloc d['devmem_allocs']
svm_devmem_release d['devmem_releases']
svm_migrate_begin sum(d['migrations'])
svm_migrate_end sum(d['migrations'])
svm_stage_end sum(d['stage_calls'])
svm_map sum(d['map_calls'])
svm_iova_alloc sum(d['iova_allocs'])
svm_iova_free d['iova_frees']
svm_timeslice_hold d['timeslice_holds']
svm_verify d['verify_ok']+d['verify_failed']"
silent="svm_migrate_begin svm_migrate_end svm_stage_end svm_map svm_iova_alloc svm_iova_free svm_timeslice_hold svm_verify"

# run LABEL CMD...: CMD (an svmbench --json run) under perf stat of every
# svm_pagemap event, with the module's counters around it; checks svmbench's
# verdict and data, perf against the counters, and free memory after it.
run() {
	local label=$1 x=$KTMP/run ev expr i=0 want
	shift
	kstats "$x.a"
	kperf "$x" "$@"
	kstats "$x.b"
	mapfile -t r <<<"$({
		echo '"%s %s" % (j.get("ok"), j.get("counts", {}).get("verify_errors", 0))'
		while read -r ev expr; do
			echo "\"%s %s\" % (D(\"$expr\"), p.get(\"$ev\"))"
		done <<<"$pairs"
		echo '"%s %s" % (p.get("svm_devmem_alloc"), p.get("svm_devmem_release"))'
	} | keval "$x")"
	keq "$label: svmbench ok, data intact" "True 0" "${r[0]}"
	while read -r ev expr; do
		i=$((i + 1))
		# shellcheck disable=SC2086
		set -- ${r[$i]}
		if [ "$ev" = svm_ioctl ]; then
			# kperf's own INFO and the two STATS snapshots' opens are
			# not in the window; the final INFO is one ioctl more
			want=$(($1 - 2 * 2))
			keq "$label: perf $ev == module stats" "$want" "$2"
		elif [[ " $silent " == *" $ev "* ]]; then
			keq "$label: $ev silent on this engine (perf, module)" "0 0" "$1 $2"
		else
			keq "$label: perf $ev == module stats" "$1" "$2"
		fi
	done <<<"$pairs"
	# shellcheck disable=SC2086
	set -- ${r[$((i + 1))]}
	keq "$label: device allocations all released" "$1" "$2"
	[ "$label" = "evict all" ] || t_eq "$label: device memory was allocated" True \
		"$( [ "${1:-0}" -gt 0 ] 2>/dev/null && echo True || echo "False ($1)")"
	keq "$label: device free pages back to baseline" "$base" "$(kfree)"
}

run "round trips 2M" "$SVMBENCH" roundtrip -s 2M -n 4 --json
run "round trips 64K" "$SVMBENCH" roundtrip -s 64K -n 4 --json
run "random traffic" "$SVMBENCH" random -n 200 -m 4M --json
run "contention" "$SVMBENCH" contend -P 3 -n 4 -s 128K -t 5 --json
run "peer 2M" "$SVMBENCH" peer -s 2M -n 3 --json
run "peer 256K" "$SVMBENCH" peer -s 256K -n 3 --json
# One allocation per migration only for a 2 MiB-aligned 2 MiB range: this
# engine makes one per naturally aligned chunk (docs/engines.md).
run "evict one range" "$SVMBENCH" evictone -s 2M -n 3 --json
run "pressure and eviction" "$SVMBENCH" evict -s 8M -n 2 --json
run "device memory full" "$SVMBENCH" nomem --json
run "fork and munmap" "$SVMBENCH" forkmunmap -s 1M -n 3 --json
run "bad input" "$SVMBENCH" errors --json
run "evict all" "$SVMBENCH" evictall --json

# The kernel's drm_pagemap migrates, calling back into our device code.
if command -v bpftrace >/dev/null; then
	out=$(bpftrace -q -e '
kprobe:drm_pagemap_populate_mm, kprobe:drm_pagemap_migrate_to_devmem,
kprobe:__drm_pagemap_migrate_to_ram, kprobe:drm_pagemap_evict_to_ram,
kprobe:svm_drm_populate_mm, kprobe:svm_drm_copy_to_devmem, kprobe:svm_drm_copy_to_ram
{ @[probe] = count(); }
kretprobe:dma_iova_try_alloc { @iova[retval] = count(); }' \
		-c "$SVMBENCH evictone -s 2M -n 4" 2>&1)
	for f in drm_pagemap_populate_mm drm_pagemap_migrate_to_devmem drm_pagemap_evict_to_ram \
		svm_drm_populate_mm svm_drm_copy_to_devmem svm_drm_copy_to_ram; do
		t_grep "evictone: kprobe:$f fires once per round" "^@\\[kprobe:$f\\]: 4\$" "$out"
	done
	out=$(bpftrace -q -e 'kprobe:__drm_pagemap_migrate_to_ram { @f = count(); }
kretprobe:dma_iova_try_alloc { @iova[retval] = count(); }' \
		-c "$SVMBENCH roundtrip -s 2M -n 4" 2>&1)
	t_grep "roundtrip: the CPU faults go through drm_pagemap's migrate_to_ram" '^@f: [1-9]' "$out"
	# device to device: the source's copy_to_ram into our device_map's
	# addresses (drm_pagemap_migrate_remote_to_local), one 2M folio a round
	out2=$(bpftrace -q -e 'kprobe:svm_drm_device_map { @map = count(); }
kprobe:svm_drm_copy_to_ram { @copy = count(); }' -c "$SVMBENCH peer -s 2M -n 2" 2>&1)
	t_grep "peer: drm_pagemap maps the destination through our device_map" '^@map: 2$' "$out2"
	t_grep "peer: the source device copies into it (and back to RAM at the end)" '^@copy: [2-9]$' "$out2"
	if [ "${SVMTRACE_PROFILE:-plain}" = iommu ]; then
		t_grep "iommu: drm_pagemap takes the IOVA path through edu" '^@iova\[1\]: [1-9]' "$out"
	else
		t_grep "plain: no IOMMU, dma_map_page path" '^@iova\[0\]: [1-9]' "$out"
	fi
else
	t_skip "kernel functions on the drm_pagemap path" "no bpftrace"
fi

# An injected failure in our callbacks: drm_pagemap unwinds, data stays.
for point in populate:12 copy:5; do
	name=${point%%:*}
	kset "fail_${name}_nth" 1
	"$SVMBENCH" roundtrip -s 64K -n 1 --json >"$KTMP/inj.json" 2>/dev/null
	kset "fail_${name}_nth" 0
	keq "injected $name failure: migration fails with errno ${point#*:}, data intact" \
		"False ${point#*:} 0" "$(kjson "$KTMP/inj.json" \
		'"%s %s %s" % (j["ok"], j["counts"]["last_error"], j["counts"]["verify_errors"])')"
done
keq "after injected failures: device free pages back to baseline" "$base" "$(kfree)"

# rmmod while a process keeps pages on a device, then after eviction.
"$SVMBENCH" hold -s 2M >"$KTMP/hold.out" &
pid=$!
for _ in $(seq 1 150); do
	grep -q ready "$KTMP/hold.out" 2>/dev/null && break
	sleep 0.2
done
t_grep "a process holds pages on device 0" '^ready' "$(cat "$KTMP/hold.out")"
out=$(rmmod svm_pagemap 2>&1)
rc=$?
if [ $rc != 0 ] && [ -d /sys/module/svm_pagemap ]; then
	t_pass "rmmod with pages on a device is refused, module intact"
else
	t_fail "rmmod with pages on a device is refused, module intact" "rmmod exited $rc: $out"
fi
t_run "evict everything on device 0" "$SVMBENCH" evictall -d 0
keq "free pages back after eviction" "$base" "$(kfree)"
kill -USR1 "$pid"
wait "$pid"
keq "the holder's data survived eviction" 0 "$?"
t_run "rmmod after use" kunload
t_eq "drm_gpusvm_helper has no user left" 0 \
	"$(lsmod | awk '$1 == "drm_gpusvm_helper" { print $3 }')"

# The harness's module (default engine) again.
reload_default
t_eq "default engine again" native "$(kparam engine)"
