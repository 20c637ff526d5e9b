# SPDX-License-Identifier: GPL-2.0
# legs: plain iommu
# (the iommu leg too: failures injected while IOVA space is linked must unwind it)
# Fault injection at every point (populate, map, copy, finalize) and in
# every direction: a migration to the device fails with the point's errno,
# a CPU fault back to RAM is retried, an eviction retries; the data is
# intact every time.
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

declare -A err=([populate]=12 [map]=14 [copy]=5 [finalize]=5)
idx=0
for pt in populate map copy finalize; do
	# to device: the first call of the point fails
	x=$KTMP/d
	kstats "$x.a"
	kset "fail_${pt}_nth" 1
	"$SVMBENCH" roundtrip -s 64K -n 1 --json >"$x.json"
	kset "fail_${pt}_nth" 0
	kstats "$x.b"
	mapfile -t r <<<"$(keval "$x" <<PY
"%s %d %d" % (j.get("ok"), j["counts"]["verify_errors"], j["counts"]["verified_pages"])
j["counts"]["last_error"]
"%s %s" % (D("d['injected'][$idx]"), D("d['migrations_failed'][0]"))
PY
)"
	keq "$pt injected into a migration to the device: fails, source intact" "False 0 16" "${r[0]}"
	keq "$pt injection fails the migration with errno ${err[$pt]}" "${err[$pt]}" "${r[1]}"
	keq "$pt injection counted once, one failed migration" "1 1" "${r[2]}"

	# CPU fault back to RAM: the second call fails, the CPU faults again
	x=$KTMP/r
	kstats "$x.a"
	kset "fail_${pt}_nth" 2
	"$SVMBENCH" roundtrip -s 64K -n 1 --json >"$x.json"
	kset "fail_${pt}_nth" 0
	kstats "$x.b"
	mapfile -t r <<<"$(keval "$x" <<PY
"%s %d" % (j.get("ok"), j["counts"]["verify_errors"])
"%s %s" % (D("d['injected'][$idx]"), D("d['migrations_failed'][1]"))
PY
)"
	keq "$pt injected into a CPU fault: retried, data intact" "True 0" "${r[0]}"
	keq "$pt injection on the CPU fault: one failed to_ram migration" "1 1" "${r[1]}"

	# eviction: the second call fails, the eviction retries
	x=$KTMP/v
	kstats "$x.a"
	kset "fail_${pt}_nth" 2
	"$SVMBENCH" evictone -s 64K -n 1 --json >"$x.json"
	kset "fail_${pt}_nth" 0
	kstats "$x.b"
	mapfile -t r <<<"$(keval "$x" <<PY
"%s %d" % (j.get("ok"), j["counts"]["verify_errors"])
"%s %s" % (D("d['injected'][$idx]"), D("d['evict_retries']"))
PY
)"
	keq "$pt injected into an eviction: retried, data intact" "True 0" "${r[0]}"
	keq "$pt injection on eviction: one evict retry" "1 1" "${r[1]}"
	idx=$((idx + 1))
done

# A failure rate over random traffic: nothing may be lost.
x=$KTMP/x
kstats "$x.a"
kset fail_copy_rate 200
kset fail_map_rate 100
"$SVMBENCH" random -n 150 -m 1M --json >"$x.json"
kset fail_copy_rate 0
kset fail_map_rate 0
kstats "$x.b"
mapfile -t r <<<"$(keval "$x" <<'PY'
j["counts"]["verify_errors"]
D("sum(d['injected'])") > 0
PY
)"
keq "random traffic with 20%/10% copy/map failures: data intact" 0 "${r[0]}"
keq "rate injection fired" True "${r[1]}"
rm -rf "$KTMP"
