# SPDX-License-Identifier: GPL-2.0
# legs: plain iommu
# (the iommu leg too: IOVA alloc/link/sync counters against the events: only the IOMMU leg maps through IOVA)
# The three views agree: tracepoint counts (perf stat -a, system-wide so the
# release work item is seen too), the module's counters, and svmbench's own
# counts, for sequential round trips, random traffic and contention.
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

ndev=$(ls /dev/svm_pagemap* | wc -l)

# "event stats-expression" pairs every run is checked with.
pairs="svm_migrate_begin sum(d['migrations'])
svm_migrate_end sum(d['migrations'])
svm_stage_end sum(d['stage_calls'])
svm_map sum(d['map_calls'])
svm_iova_alloc sum(d['iova_allocs'])
svm_iova_free d['iova_frees']
svm_reject sum(d['rejects'])
svm_retry sum(d['retries'])
svm_evict_retry d['evict_retries']
svm_timeslice_hold d['timeslice_holds']
svm_device_fault sum(d['device_faults'])
svm_inject sum(d['injected'])
svm_devmem_alloc d['devmem_allocs']
svm_devmem_release d['devmem_releases']
svm_verify d['verify_ok']+d['verify_failed']"

check_run() { # LABEL EXTRA-EXPRESSIONS CMD...
	local label=$1 extra=$2 x=$KTMP/run ev expr i=0
	shift 2
	kstats "$x.a"
	kperf "$x" "$@"
	kstats "$x.b"
	mapfile -t r <<<"$({
		echo 'j.get("ok")'
		while read -r ev expr; do
			echo "\"%s %s\" % (D(\"$expr\"), p.get(\"$ev\"))"
		done <<<"$pairs"
		echo "\"%s %s\" % (D(\"d['ioctls']\") - 2 * $ndev, p.get('svm_ioctl'))"
		echo '"%s %s" % (p.get("svm_migrate_begin"), p.get("svm_migrate_end"))'
		echo '"%s %s" % (p.get("svm_devmem_alloc"), p.get("svm_devmem_release"))'
		echo "$extra"
	} | keval "$x")"
	keq "$label: svmbench ok" True "${r[0]}"
	while read -r ev expr; do
		i=$((i + 1))
		set -- ${r[$i]}
		keq "$label: perf $ev == module stats" "$1" "$2"
	done <<<"$pairs"
	set -- ${r[$((i + 1))]}
	keq "$label: perf svm_ioctl == module ioctls" "$1" "$2"
	set -- ${r[$((i + 2))]}
	keq "$label: migration ends == begins" "$1" "$2"
	set -- ${r[$((i + 3))]}
	keq "$label: devmem allocations all released" "$1" "$2"
	extra_r=("${r[@]:$((i + 4))}")
}

n=6
pages=$((n * 64))
check_run "round trips" '"%s %s" % (j["counts"]["migrate_ioctls"], D("d[\"migrations\"][0]"))
"%s %s" % (j["counts"]["cpu_faultbacks"], D("d[\"migrations\"][1]"))
"%s %s" % (j["counts"]["pages_to_dev"], D("d[\"pages\"][0]"))
D("d[\"pages\"][1]")
p.get("svm_stage_end")
p.get("svm_ioctl")' "$SVMBENCH" roundtrip -s 256K -n $n --json
keq "round trips: svmbench migrations == module to_dev migrations" "$n $n" "${extra_r[0]}"
keq "round trips: svmbench CPU fault-backs == module to_ram migrations" "$n $n" "${extra_r[1]}"
keq "round trips: pages to device, svmbench == module" "$pages $pages" "${extra_r[2]}"
keq "round trips: pages back to RAM == pages to device" "$pages" "${extra_r[3]}"
keq "round trips: six stage events per migration" "$((2 * n * 6))" "${extra_r[4]}"
# kperf's final INFO is one more ioctl.
keq "round trips: svmbench ioctls (migrate + device read) + 1 == perf svm_ioctl" "$((2 * n + 1))" "${extra_r[5]}"

check_run "random traffic" '"%s %s" % (j["counts"]["migrate_ioctls"], D("d[\"migrations\"][0] + d[\"migrations\"][3]"))
"%s %s" % (j["counts"]["evicted_pages"], D("d[\"pages\"][2]"))' "$SVMBENCH" random -n 150 -m 2M --json
keq "random: svmbench migrations == module migrations into devices" "150 150" "${extra_r[0]}"
set -- ${extra_r[1]}
keq "random: svmbench evicted pages == module evict pages" "$1" "$2"

check_run "contention" '' "$SVMBENCH" contend -P 3 -n 4 -s 128K -t 5 --json

rm -rf "$KTMP"
