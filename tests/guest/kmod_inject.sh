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

# Every case runs first; one python call then evaluates every check (python
# takes seconds to start under TCG).  check NAME EXPECTED EXPR adds one.
names=() wants=() exprs=
check() {
	names+=("$1")
	wants+=("$2")
	exprs+="$3"$'\n'
}

# inject PREFIX POINT NTH CMD...: CMD with the NTH call of POINT failing,
# the module's counters around it.
inject() {
	local x=$1 pt=$2 nth=$3
	shift 3
	kstats "$x.a"
	kset "fail_${pt}_nth" "$nth"
	"$@" >"$x.json"
	kset "fail_${pt}_nth" 0
	kstats "$x.b"
	exprs+="@$x"$'\n'
}

idx=0
for pt in populate map copy finalize; do
	# to device: the first call of the point fails
	inject "$KTMP/$pt-d" "$pt" 1 "$SVMBENCH" roundtrip -s 64K -n 1 --json
	check "$pt injected into a migration to the device: fails, source intact" "False 0 16" \
		'"%s %d %d" % (j.get("ok"), j["counts"]["verify_errors"], j["counts"]["verified_pages"])'
	check "$pt injection fails the migration with errno ${err[$pt]}" "${err[$pt]}" \
		'j["counts"]["last_error"]'
	check "$pt injection counted once, one failed migration" "1 1" \
		"\"%s %s\" % (D(\"d['injected'][$idx]\"), D(\"d['migrations_failed'][0]\"))"

	# CPU fault back to RAM: the second call fails, the CPU faults again
	inject "$KTMP/$pt-r" "$pt" 2 "$SVMBENCH" roundtrip -s 64K -n 1 --json
	check "$pt injected into a CPU fault: retried, data intact" "True 0" \
		'"%s %d" % (j.get("ok"), j["counts"]["verify_errors"])'
	check "$pt injection on the CPU fault: one failed to_ram migration" "1 1" \
		"\"%s %s\" % (D(\"d['injected'][$idx]\"), D(\"d['migrations_failed'][1]\"))"

	# eviction: the second call fails, the eviction retries
	inject "$KTMP/$pt-v" "$pt" 2 "$SVMBENCH" evictone -s 64K -n 1 --json
	check "$pt injected into an eviction: retried, data intact" "True 0" \
		'"%s %d" % (j.get("ok"), j["counts"]["verify_errors"])'
	check "$pt injection on eviction: one evict retry" "1 1" \
		"\"%s %s\" % (D(\"d['injected'][$idx]\"), D(\"d['evict_retries']\"))"
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
exprs+="@$x"$'\n'
check "random traffic with 20%/10% copy/map failures: data intact" 0 'j["counts"]["verify_errors"]'
check "rate injection fired" True "D(\"sum(d['injected'])\") > 0"

mapfile -t r < <(keval "$KTMP/none" <<<"$exprs")
for i in "${!names[@]}"; do
	keq "${names[$i]}" "${wants[$i]}" "${r[$i]:-}"
done
rm -rf "$KTMP"
