# SPDX-License-Identifier: GPL-2.0
# legs: plain iommu
# (the iommu leg too: the kernel's IOVA path, alloc_failed and the fragmented-space page path need the IOMMU)
# The kernel source on the kernel's own drm_pagemap: svm_pagemap reloaded
# with engine=drm_pagemap (every migration runs through drm_gpusvm_helper;
# the module only provides the device's callbacks), traced by svmtrace
# --source kernel alone.  Pages per direction must equal svmbench's own
# counts, migrations into the device the module's device allocations, every
# stage the core calls show must be there for to_dev, to_ram and evict, and
# the map path must be the profile's (iova behind intel-iommu, page
# otherwise).  Each window is traced twice at once: by the drm_pagemap-aware
# kernel source and, around it, by the generic one (--core-only, what a
# driver without drm_pagemap gets): both must count the same migrations,
# failures and pages per direction.  A second window, contended (processes
# faulting one range), evicting under faults and moving pages between the
# two devices, checks device-to-device migrations (direction peer) and the livelock
# signals only the drm_pagemap-aware source reads: its eviction passes and
# -EBUSY retries must equal the module's counters.  The harness's module
# is loaded again at the end.
# suite-timeout: 900
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

harness=$(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
params="$(sed -E 's/(^| )(engine|ndevices)=[^ ]*//g' <<<"$harness") engine=drm_pagemap ndevices=2"
reload_default() {
	kunload >/dev/null
	# shellcheck disable=SC2086
	[ -d /sys/module/svm_pagemap ] || modprobe svm_pagemap $harness
}
trap 'reload_default; rm -rf "$KTMP"' EXIT

kunload >/dev/null
# shellcheck disable=SC2086
if ! modprobe svm_pagemap $params 2>/dev/null; then
	t_skip "$T_SUITE" "engine=drm_pagemap is not built for $(uname -r)"
	exit 0
fi

w=$KTMP/drm
mkdir -p "$w"

# twin_window NAME CMD: CMD traced by the generic kernel source (outside,
# NAME.core.json) and the drm_pagemap-aware one (inside, NAME.json), with
# the module's counters around it (NAME.a, NAME.b).
twin_window() {
	local name=$1
	shift
	kstats "$w/$name.a"
	"$SVMTRACE" hist -j --source kernel --core-only --by stage,direction,path \
		-o "$w/$name.core.json" -- \
		"$SVMTRACE" hist -j --source kernel --by stage,direction,path -o "$w/$name.json" -- \
		sh -c "$*" 2>"$w/$name.err"
	t_eq "$name: the workload under both kernel decompositions" 0 "$?"
	kstats "$w/$name.b"
	sed "s/^/drm_source $name: /" "$w/$name.err" | tail -n 4
}

twin_window trips "'$SVMBENCH' -s 2M -n ${DRM_ROUNDS:-6} -j roundtrip >'$w/rt.json' &&
	'$SVMBENCH' -s 2M -n 1 -j evictone >'$w/ev.json'"
# svmbench evict fills the device, then evicts while a child faults; its
# own verdict may be a failure under this engine's allocation granularity,
# what matters here is that the counts agree.
twin_window contended "'$SVMBENCH' contend -P 3 -n 4 -s 128K -t 5 -j >'$w/ct.json';
	'$SVMBENCH' evict -s 1M -n 2 -j >'$w/evict.json';
	'$SVMBENCH' peer -s 2M -n 3 -j >'$w/peer.json'; true"

t_rows "drm source checks" < <(python3 -S - "$w" "$SVMTRACE_PROFILE" 2>&1 <<'PY'
import json, sys
w, profile = sys.argv[1], sys.argv[2]
def load(n):
    return json.load(open(f"{w}/{n}"))
def row(name, ok, detail):
    print(("PASS" if ok else "FAIL") + f"|{name}|{detail}")
k = load("trips.json")
rt = load("rt.json")["counts"]
ev = load("ev.json")["counts"]
a = load("trips.a")["sum"]
b = load("trips.b")["sum"]
tp = k["counters"]["throughput"]
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

# Traced twice: the generic decomposition agrees with the drm_pagemap-aware one.
def per_direction(j):
    out = {}
    for h in j["histograms"]:
        if h["stage"] == "total":
            out[h["direction"]] = out.get(h["direction"], 0) + h["count"]
    return out
# Under contention fentry programs can be skipped (BPF's recursion guard,
# reported as missed_events, never hidden): a skipped run can lose at most
# one migration or retry (three eviction passes, below), so a difference up
# to that is allowed, and none when nothing was skipped.
def missed(j):
    return sum(j["missed_events"].values())
def close(x, y, slack):
    keys = set(x) | set(y)
    return all(abs(x.get(d, 0) - y.get(d, 0)) <= slack for d in keys)
for win in ("trips", "contended"):
    drm, core = load(f"{win}.json"), load(f"{win}.core.json")
    slack = missed(drm) + missed(core)
    row(f"{win}: migrations per direction equal under both decompositions",
        close(per_direction(drm), per_direction(core), slack) and per_direction(drm).get("to_dev", 0) > 0,
        f"drm {per_direction(drm)}, core {per_direction(core)}, skipped runs {slack}")
    pd = {d: v["pages"] for d, v in drm["counters"]["throughput"].items()}
    pc = {d: v["pages"] for d, v in core["counters"]["throughput"].items()}
    row(f"{win}: pages per direction equal under both decompositions",
        close(pd, pc, 512 * slack), f"drm {pd}, core {pc}, skipped runs {slack}")
    if win == "trips":
        for j, n in ((drm, "drm_pagemap-aware"), (core, "generic")):
            row(f"{win}: the {n} source skipped no program run (no contention)",
                missed(j) == 0, j["missed_events"])
    lc = core["counters"]["livelock"]
    row(f"{win}: the generic source counts no drm_pagemap retries (it cannot see them)",
        lc["retries_busy"] == 0 and lc["timeslice_holds"] == 0, lc)

# The livelock signals only drm_pagemap's own calls show.
k = load("contended.json")
a = load("contended.a")["sum"]
b = load("contended.b")["sum"]
lv = k["counters"]["livelock"]
slack = missed(k)
busy = b["retries"][0] - a["retries"][0]
# The kernel sees a retry as the task asking drm_pagemap_migrate_to_devmem
# again after an -EBUSY, before it maps system pages instead; the module
# counts the turns of its fault loop, each of which asks again.  A migrate
# ioctl's -EBUSY goes back to user space, and the same thread's next
# migration is its retry for the kernel (which cannot tell a driver's loop
# from its caller's), not for the module: svmbench counts those -EBUSYs.
def migrate_busy(f):
    try:
        return load(f)["counts"].get("migrate_busy", 0)
    except (OSError, ValueError, KeyError):
        return 0
user_busy = sum(migrate_busy(f) for f in ("ct.json", "evict.json", "peer.json"))
row("-EBUSY retries equal the module's (plus re-issued migrate ioctls)",
    0 < busy and busy - slack <= lv["retries_busy"] <= busy + user_busy + slack,
    f'kernel {lv["retries_busy"]}, module {busy}, migrate ioctls -EBUSY {user_busy}, skipped runs {slack}')
passes = sum(v for n, v in lv.items() if n.startswith("evict_retries_"))
mod_passes = b["evict_retries"] - a["evict_retries"]
# one skipped exit of drm_pagemap_evict_to_ram loses its two inner retries
# and the mark that recognises the caller's next call: three at most
row("eviction passes after the first equal the module's", abs(passes - mod_passes) <= 3 * slack,
    f"kernel {passes}, module {mod_passes}, skipped runs {slack} (3 passes each at most)")
peer = load("peer.json")["counts"]
row("device-to-device pages are direction peer", k["counters"]["throughput"]["peer"]["pages"] == peer["peer_pages"] > 0,
    f'kernel {k["counters"]["throughput"]["peer"]["pages"]}, svmbench {peer["peer_pages"]}')
ct = load("ct.json")["counts"]
row("the contended run had -EBUSY retries", busy > 0 and ct["migrate_busy"] + ct["fault_attempts"] > 0,
    f"module {busy}")
PY
)

# The page path behind the IOMMU: drm_pagemap falls back to dma_map_page
# once its 2 MiB dma_iova_try_alloc fails.  iova_fragment=1 holds every
# other MiB of edu's IOVA space (THP off: a 2 MiB folio would need one
# 2 MiB mapping, which a fragmented space cannot hold either).
frag=/sys/module/svm_pagemap/parameters/iova_fragment
if [ "$SVMTRACE_PROFILE" = iommu ]; then
	thp=/sys/kernel/mm/transparent_hugepage/enabled
	thp_was=$(grep -o '\[[a-z]*\]' "$thp" | tr -d '[]')
	echo never >"$thp"
	echo 1 >"$frag"
	t_eq "iova_fragment=1 is taken with edu behind intel-iommu" 0 "$?"
	"$SVMTRACE" hist -j --source kernel -S map --by stage,path -o "$w/frag.json" -- \
		"$SVMBENCH" -s 2M -n 2 roundtrip >/dev/null 2>"$w/frag.err"
	t_eq "2 MiB round trips on a fragmented IOVA space" 0 "$?"
	echo 0 >"$frag"
	"$SVMTRACE" hist -j --source kernel -S map --by stage,path -o "$w/whole.json" -- \
		"$SVMBENCH" -s 2M -n 2 roundtrip >/dev/null 2>"$w/whole.err"
	t_eq "2 MiB round trips once the space is given back" 0 "$?"
	echo "$thp_was" >"$thp"
	t_rows "fragmented IOVA space" < <(python3 -S - "$w" 2>&1 <<'PY'
import json, sys
w = sys.argv[1]
def row(name, ok, detail):
    print(("PASS" if ok else "FAIL") + f"|{name}|{detail}")
def paths(n):
    j = json.load(open(f"{w}/{n}.json"))
    return ({h["path"]: h["count"] for h in j["histograms"] if h["stage"] == "map" and h["count"]},
            j["counters"]["iova"])
p, iova = paths("frag")
n = p.get("page", 0)
row("fragmented: every map takes the page path", set(p) == {"page"} and n >= 4, p)
row("... each after a failed IOVA allocation, seen as alloc_failed",
    iova["alloc_failed"] == n and iova["no_iommu"] == 0, iova)
p, iova = paths("whole")
row("given back: the IOVA path again", set(p) == {"iova"} and p["iova"] >= 4, p)
PY
)
else
	sh -c "echo 1 >$frag" 2>/dev/null
	t_eq "iova_fragment=1 is refused without edu" 1 "$?"
	t_grep "... saying why in dmesg" 'iova_fragment: edu is not bound' "$(dmesg | tail -n 20)"
	t_eq "... and stays off" N "$(cat "$frag")"
fi
