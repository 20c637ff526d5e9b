# SPDX-License-Identifier: GPL-2.0
# legs: plain iommu
# (the iommu leg too: data through edu's DMA behind the IOMMU)
# Data integrity: many random migrations (sizes 4 KiB .. max, random devices
# so also peer migrations, CPU and device reads and writes, evictions) with
# every access checked against the pattern each page must hold; sequential
# round trips; device-to-device; fork and munmap during migration.
#   KMOD_RANDOM_MIGRATIONS  migrations of the random run (default 10000)
#   KMOD_RANDOM_MAX         buffer of the random run (default 1M)
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

n=${KMOD_RANDOM_MIGRATIONS:-10000}
max=${KMOD_RANDOM_MAX:-1M}
x=$KTMP/r

kstats "$x.a"
"$SVMBENCH" random -n "$n" -m "$max" -S "$RANDOM" --json >"$x.json"
kstats "$x.b"
mapfile -t r <<<"$(keval "$x" <<'PY'
"%s %d" % (j.get("ok"), j["counts"]["verify_errors"])
j["counts"]["migrate_ioctls"]
D("d['migrations'][0] + d['migrations'][3]")
D("d['migrations'][3]") > 0
j["counts"]["pages_to_dev"]
D("d['pages'][0] + d['pages'][3]")
PY
)"
keq "$n random migrations, data intact" "True 0" "${r[0]}"
keq "random: svmbench counted $n migrations" "$n" "${r[1]}"
keq "random: module counted the same migrations into devices" "$n" "${r[2]}"
keq "random: some were device-to-device (peer)" True "${r[3]}"
keq "random: pages into devices, svmbench == module" "${r[4]}" "${r[5]}"

# The rest, then one python call for all of them (seconds each under TCG).
names=() exprs=
for c in "2 MiB round trips, data intact|roundtrip -s 2M -n 5" \
	"4 KiB round trips, data intact|roundtrip -s 4K -n 20" \
	"device-to-device migration, data intact|peer -s 1M -n 5" \
	"fork and munmap during migration|forkmunmap -s 1M -n 5"; do
	names+=("${c%%|*}")
	# shellcheck disable=SC2086
	"$SVMBENCH" ${c#*|} --json >"$KTMP/c${#names[@]}.json"
	exprs+="@$KTMP/c${#names[@]}"$'\n''"%s %d" % (j.get("ok"), j["counts"]["verify_errors"])'$'\n'
done
mapfile -t r < <(keval "$KTMP/none" <<<"$exprs")
for i in "${!names[@]}"; do
	keq "${names[$i]}" "True 0" "${r[$i]:-}"
done
rm -rf "$KTMP"
