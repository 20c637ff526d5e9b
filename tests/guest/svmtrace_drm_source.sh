# SPDX-License-Identifier: GPL-2.0
# The kernel source on the kernel's own drm_pagemap: svm_pagemap reloaded
# with engine=drm_pagemap (every migration runs through drm_gpusvm_helper;
# the module only provides the device's callbacks), traced by svmtrace
# --source kernel alone.  Pages per direction must equal svmbench's own
# counts, migrations into the device the module's device allocations, every
# stage the core calls show must be there for to_dev, to_ram and evict, and
# the map path must be the profile's (iova behind intel-iommu, page
# otherwise).  The harness's module is loaded again at the end.
# suite-timeout: 900
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

harness=$(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
params="$(sed -E 's/(^| )(engine|ndevices)=[^ ]*//g' <<<"$harness") engine=drm_pagemap ndevices=2"
reload_default() {
	local i
	for i in $(seq 1 25); do
		[ -d /sys/module/svm_pagemap ] || break
		rmmod svm_pagemap 2>/dev/null && break
		sleep 0.2
	done
	# shellcheck disable=SC2086
	[ -d /sys/module/svm_pagemap ] || modprobe svm_pagemap $harness
}
trap 'reload_default; rm -rf "$KTMP"' EXIT

for i in $(seq 1 25); do
	rmmod svm_pagemap 2>/dev/null && break
	sleep 0.2
done
# shellcheck disable=SC2086
if ! modprobe svm_pagemap $params 2>/dev/null; then
	t_skip "$T_SUITE" "engine=drm_pagemap is not built for $(uname -r)"
	exit 0
fi

w=$KTMP/drm
mkdir -p "$w"
kstats "$w.a"
"$SVMTRACE" hist -j --source kernel --by stage,direction,path -o "$w/k.json" -- sh -c "
	'$SVMBENCH' -s 2M -n ${DRM_ROUNDS:-6} -j roundtrip >'$w/rt.json' &&
	'$SVMBENCH' -s 2M -n 1 -j evictone >'$w/ev.json'" 2>"$w/err"
t_eq "round trips and an eviction on drm_pagemap under the kernel source" 0 "$?"
kstats "$w.b"
sed 's/^/drm_source: /' "$w/err" | tail -n 4

t_rows "drm source checks" < <(python3 - "$w" "$SVMTRACE_PROFILE" 2>&1 <<'PY'
import json, sys
w, profile = sys.argv[1], sys.argv[2]
k = json.load(open(w + "/k.json"))
rt = json.load(open(w + "/rt.json"))["counts"]
ev = json.load(open(w + "/ev.json"))["counts"]
a = json.load(open(w + ".a"))["sum"]
b = json.load(open(w + ".b"))["sum"]
tp = k["counters"]["throughput"]
def row(name, ok, detail):
    print(("PASS" if ok else "FAIL") + f"|{name}|{detail}")
row("the source is the kernel's functions", k.get("source") == "kernel", k.get("source"))
want_dev = rt["pages_to_dev"] + ev["pages_to_dev"]
row("pages into the device equal svmbench's", tp["to_dev"]["pages"] == want_dev > 0,
    f'kernel {tp["to_dev"]["pages"]}, svmbench {want_dev}')
row("pages back on CPU faults equal the round trips'", tp["to_ram"]["pages"] == rt["pages_to_dev"],
    f'kernel {tp["to_ram"]["pages"]}, svmbench {rt["pages_to_dev"]}')
row("pages evicted equal svmbench's", tp["evict"]["pages"] == ev["evicted_pages"] > 0,
    f'kernel {tp["evict"]["pages"]}, svmbench {ev["evicted_pages"]}')
allocs = b["devmem_allocs"] - a["devmem_allocs"]
to_dev = sum(h["count"] for h in k["histograms"] if h["stage"] == "total" and h["direction"] == "to_dev")
row("migrations into the device equal the module's device allocations", to_dev == allocs > 0,
    f"kernel {to_dev}, module {allocs}")
stages = {(h["stage"], h["direction"]) for h in k["histograms"] if h["count"]}
for d in ("to_dev", "to_ram", "evict"):
    for s in ("collect", "map", "copy", "finalize", "unmap", "total"):
        row(f"{s} {d} is seen", (s, d) in stages, sorted(stages))
want = "iova" if profile == "iommu" else "page"
paths = {h["path"] for h in k["histograms"] if h["stage"] == "map" and h["count"]}
row(f"the map path is {want} in profile {profile}", paths == {want}, sorted(paths))
row("the kernel source skipped no program run", sum(k["missed_events"].values()) == 0,
    k["missed_events"])
PY
)
