# SPDX-License-Identifier: GPL-2.0
# Device memory exhausted: migration gets -ENOMEM, a device fault falls back
# to mapping system pages, a devmem-only fault fails with -ENOMEM.
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

x=$KTMP/n
kstats "$x.a"
"$SVMBENCH" nomem --json >"$x.json"
kstats "$x.b"
mapfile -t r <<<"$(keval "$x" <<'PY'
"%s %d" % (j.get("ok"), j["counts"]["verify_errors"])
D("d['device_faults'][2]")
D("d['device_faults'][0]")
D("d['device_faults'][1]")
D("d['stage_errors'][1]")
PY
)"
keq "full device: ENOMEM, fallback, devmem-only failure, data intact" "True 0" "${r[0]}"
keq "one device fault placed in system memory (fallback)" 1 "${r[1]}"
keq "one device fault failed (devmem-only)" 1 "${r[2]}"
keq "one device fault in device memory after eviction" 1 "${r[3]}"
keq "populate failed for the 3 refused migrations" 3 "${r[4]}"
rm -rf "$KTMP"
