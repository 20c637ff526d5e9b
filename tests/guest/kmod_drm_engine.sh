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

# The scenarios run in one perf stat window of every svm_pagemap event
# (perf takes seconds to start under TCG), each between two snapshots of
# the module's counters and followed by the device's free pages: events
# are checked against the counters over the window, each scenario's data,
# allocations and memory on their own.  One allocation per migration only
# for a 2 MiB-aligned 2 MiB range: this engine makes one per naturally
# aligned chunk (docs/engines.md).
scenarios=("round trips 2M|roundtrip -s 2M -n 4"
	"round trips 64K|roundtrip -s 64K -n 4"
	"random traffic|random -n 200 -m 4M"
	"contention|contend -P 3 -n 4 -s 128K -t 5"
	"peer 2M|peer -s 2M -n 3"
	"peer 256K|peer -s 256K -n 3"
	"evict one range|evictone -s 2M -n 3"
	"pressure and eviction|evict -s 8M -n 2"
	"device memory full|nomem"
	"fork and munmap|forkmunmap -s 1M -n 3"
	"bad input|errors"
	"evict all|evictall")
{
	declare -f kfree
	for i in "${!scenarios[@]}"; do
		x=$KTMP/s$i
		# the INFO after the run waits for drm_pagemap's deferred releases
		echo "\"\$SVMBENCH\" stats --json >$x.a"
		echo "\"\$SVMBENCH\" ${scenarios[$i]#*|} --json >$x.json"
		echo "\"\$SVMBENCH\" info -n 1 >/dev/null"
		echo "\"\$SVMBENCH\" stats --json >$x.b"
		echo "kfree >$x.free"
	done
} >"$KTMP/window.sh"
kstats "$KTMP/w.a"
perf stat -a -x, -o "$KTMP/w.perf" -e 'svm_pagemap:*' -- bash "$KTMP/window.sh" >"$KTMP/window.out" 2>&1
t_eq "the scenarios ran under perf stat" 0 "$?"
kstats "$KTMP/w.b"

exprs=
for i in "${!scenarios[@]}"; do
	exprs+="@$KTMP/s$i"$'\n'
	exprs+='"%s %s" % (j.get("ok"), j.get("counts", {}).get("verify_errors", 0))'$'\n'
	exprs+="\"%s %s\" % (D(\"d['devmem_allocs']\"), D(\"d['devmem_releases']\"))"$'\n'
done
exprs+="@$KTMP/w"$'\n'
while read -r ev expr; do
	exprs+="\"%s %s\" % (D(\"$expr\"), p.get(\"$ev\"))"$'\n'
done <<<"$pairs"
mapfile -t r < <(keval "$KTMP/w" <<<"$exprs")
k=0
for i in "${!scenarios[@]}"; do
	label=${scenarios[$i]%%|*}
	keq "$label: svmbench ok, data intact" "True 0" "${r[$k]:-}"
	# shellcheck disable=SC2086
	set -- ${r[$((k + 1))]:-}
	keq "$label: device allocations all released" "${1:-}" "${2:-}"
	[ "$label" = "evict all" ] || t_eq "$label: device memory was allocated" True \
		"$([ "${1:-0}" -gt 0 ] 2>/dev/null && echo True || echo "False (${1:-})")"
	keq "$label: device free pages back to baseline" "$base" "$(cat "$KTMP/s$i.free")"
	k=$((k + 2))
done
while read -r ev expr; do
	# shellcheck disable=SC2086
	set -- ${r[$k]:-}
	k=$((k + 1))
	if [ "$ev" = svm_ioctl ]; then
		# the two STATS snapshots around perf are half outside its window
		keq "all scenarios: perf $ev == module stats" "$((${1:-0} - 2 * 2))" "${2:-}"
	elif [[ " $silent " == *" $ev "* ]]; then
		keq "all scenarios: $ev silent on this engine (perf, module)" "0 0" "${1:-} ${2:-}"
	else
		keq "all scenarios: perf $ev == module stats" "${1:-}" "${2:-}"
	fi
done <<<"$pairs"

# The kernel's drm_pagemap migrates, calling back into our device code:
# kprobes on its functions and ours, counted through tracefs (no
# compiler to start, unlike bpftrace).
tr=/sys/kernel/tracing
probes="drm_pagemap_populate_mm drm_pagemap_migrate_to_devmem __drm_pagemap_migrate_to_ram
drm_pagemap_evict_to_ram svm_drm_populate_mm svm_drm_copy_to_devmem svm_drm_copy_to_ram
svm_drm_device_map"
# kcount CMD...: "FUNCTION COUNT" lines of the probes CMD hit, and
# "iova RET COUNT" of dma_iova_try_alloc's results.
kcount() {
	echo 0 >"$tr/tracing_on"
	echo >"$tr/trace"
	echo 1 >"$tr/events/svmtk/enable"
	echo 1 >"$tr/tracing_on"
	"$@" >/dev/null 2>&1
	echo 0 >"$tr/events/svmtk/enable"
	sed -n 's/.* iova: .* ret=\([0-9]*\)$/iova \1/p; s/.* \([a-z_]*\): (.*/\1/p' "$tr/trace" |
		sort | uniq -c | awk '{ $0 = $2 (NF == 3 ? " " $3 : "") " " $1; print }'
}
# kprobes_remove: our kprobe events gone (also those a killed run left).
kprobes_remove() {
	local f
	echo 0 2>/dev/null >"$tr/events/svmtk/enable"
	for f in $probes iova; do
		echo "-:svmtk/$f" >>"$tr/kprobe_events" 2>/dev/null
	done
}
kprobes_remove
# Enabling a trace event with record-cmd set hooks sched_switch and
# sched_wakeup to record comms, and disabling the last one unhooks them:
# every kcount would live-patch the scheduler's hottest code
# (text_poke_bp at each trace_sched_wakeup site), which QEMU TCG races: a
# CI run died of an int3 at ttwu_do_activate's.  The counts need no comm.
record_cmd=$(cat "$tr/options/record-cmd" 2>/dev/null)
echo 0 2>/dev/null >"$tr/options/record-cmd"
kprobes_ok=1
for f in $probes; do
	echo "p:svmtk/$f $f" >>"$tr/kprobe_events" || kprobes_ok=0
done
# shellcheck disable=SC2016 # $retval is the kprobe's fetch argument
echo 'r:svmtk/iova dma_iova_try_alloc ret=$retval:u8' >>"$tr/kprobe_events" || kprobes_ok=0
if [ $kprobes_ok = 1 ]; then
	out=$(kcount "$SVMBENCH" evictone -s 2M -n 4)
	for f in drm_pagemap_populate_mm drm_pagemap_migrate_to_devmem drm_pagemap_evict_to_ram \
		svm_drm_populate_mm svm_drm_copy_to_devmem svm_drm_copy_to_ram; do
		t_grep "evictone: kprobe on $f fires once per round" "^$f 4\$" "$out"
	done
	if [ "${SVMTRACE_PROFILE:-plain}" = iommu ]; then
		t_grep "iommu: drm_pagemap takes the IOVA path through edu" '^iova 1 [1-9]' "$out"
	else
		t_grep "plain: no IOMMU, dma_map_page path" '^iova 0 [1-9]' "$out"
	fi
	out=$(kcount "$SVMBENCH" roundtrip -s 2M -n 4)
	t_grep "roundtrip: the CPU faults go through drm_pagemap's migrate_to_ram" \
		'^__drm_pagemap_migrate_to_ram [1-9]' "$out"
	# device to device: the source's copy_to_ram into our device_map's
	# addresses (drm_pagemap_migrate_remote_to_local), one 2M folio a round
	out=$(kcount "$SVMBENCH" peer -s 2M -n 2)
	t_grep "peer: drm_pagemap maps the destination through our device_map" '^svm_drm_device_map 2$' "$out"
	t_grep "peer: the source device copies into it (and back to RAM at the end)" \
		'^svm_drm_copy_to_ram [2-9]$' "$out"
else
	t_fail "kprobes on the drm_pagemap path" "$tr/kprobe_events refused them"
fi
kprobes_remove
[ -n "$record_cmd" ] && echo "$record_cmd" >"$tr/options/record-cmd"
echo 1 >"$tr/tracing_on"

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
