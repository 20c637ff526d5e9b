#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of make bench's map-path figures (run under PROFILE=iommu,
# edu behind intel-iommu): the map stage of 2 MiB migrations in 4 KiB pages
# on the IOVA path (one dma_iova_try_alloc, a dma_iova_link per page, one
# dma_iova_sync) against the page path (a dma_map_page per page), on our
# native engine and on the kernel's own drm_pagemap (engine=drm_pagemap).
#
# The page path is reached two ways:
#   iova=0          native only: the module does not try the IOVA API
#   iova_fragment=1 every other MiB of edu's IOVA space held, so the 2 MiB
#                   dma_iova_try_alloc fails and the code falls back to
#                   dma_map_page, as on a fragmented IOVA space; the only
#                   way to put drm_pagemap (whose choice it is) on it
# Transparent huge pages are off while measuring (the figures are of 512
# pages of 4 KiB each; drm_pagemap maps a 2 MiB folio in one call), except
# in one extra drm_pagemap row that shows the folio case on the IOVA path.
# Native is measured by the module's tracepoints and by the kernel source;
# drm_pagemap only by the kernel source (its map runs inside the helper).
# The kernel source traces every dma_map_page / dma_iova_link call, so its
# figures carry that cost per page on both paths: compare a path with the
# other under one source, and the native rows of both sources show how
# much the tracing adds.  Figures, never pass/fail.
set -uo pipefail
bin=build/guest-user
out=${1:?results file}
rounds=${BENCH_MAP_ROUNDS:-20}
tmp=$(mktemp -d /tmp/svmmap.XXXXXX)
t0=$(date +%s)
log() { printf '[bench-map %4ds] %s\n' $(($(date +%s) - t0)) "$*" >&2; }

harness=$(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
harness=$(sed -E 's/(^| )(engine|iova|iova_fragment)=[^ ]*//g' <<<"$harness")
params=/sys/module/svm_pagemap/parameters

# load ENGINE: svm_pagemap again, with that engine.
load() {
	local i
	for i in $(seq 1 25); do
		[ -d /sys/module/svm_pagemap ] || break
		rmmod svm_pagemap 2>/dev/null && break
		sleep 0.2
	done
	# shellcheck disable=SC2086
	modprobe svm_pagemap $harness engine="$1" || return 1
}

# window NAME SOURCE: 2 MiB round trips under svmtrace hist -S map.
window() {
	"$bin/svmbench" -s 2M -n 2 roundtrip >/dev/null
	"$bin/svmtrace" hist -j --source "$2" -S map --by stage,direction,path \
		-o "$tmp/$1.json" -- "$bin/svmbench" -s 2M -n "$rounds" roundtrip \
		>/dev/null 2>"$tmp/$1.err" || log "$1: svmtrace hist failed: $(tail -1 "$tmp/$1.err")"
}

thp_file=/sys/kernel/mm/transparent_hugepage/enabled
thp_was=$(grep -o '\[[a-z]*\]' "$thp_file" 2>/dev/null | tr -d '[]')
thp=never
set_thp() { [ -z "$thp_was" ] || echo "$1" >"$thp_file"; }
trap 'set_thp "${thp_was:-always}"' EXIT

configs=()
# run NAME ENGINE SOURCE IOVA FRAGMENT
run() {
	local name=$1 engine=$2 source=$3 iova=$4 frag=$5
	[ "$(cat /sys/module/svm_pagemap/parameters/engine 2>/dev/null)" = "$engine" ] ||
		load "$engine" || { log "$name: engine=$engine does not load"; return; }
	[ "$engine" = native ] && echo "$iova" >"$params/iova"
	if ! echo "$frag" >"$params/iova_fragment" 2>"$tmp/$name.frag"; then
		log "$name: iova_fragment=$frag refused ($(cat "$tmp/$name.frag")): edu behind an IOMMU is needed"
		return
	fi
	log "$name: engine=$engine source=$source iova=$iova iova_fragment=$frag"
	set_thp "$thp"
	window "$name" "$source"
	echo 0 >"$params/iova_fragment"
	configs+=("$name:$engine:$source:$iova:$frag:$thp")
}

run native_module_iova native module 1 0
run native_module_page native module 0 0
run native_module_frag native module 1 1
run native_kernel_iova native kernel 1 0
run native_kernel_frag native kernel 1 1
run drm_kernel_iova drm_pagemap kernel 1 0
run drm_kernel_frag drm_pagemap kernel 1 1
[ -n "$thp_was" ] && thp=always && run drm_kernel_iova_thp drm_pagemap kernel 1 0
load native || log "native engine does not load again"

python3 - "$out" "$tmp" "$rounds" "$(uname -r)" "${SVMTRACE_PROFILE:-}" "${configs[@]}" <<'PY'
import json, os, sys
out, tmp, rounds, kernel, profile = sys.argv[1:6]
rows = []
for c in sys.argv[6:]:
    name, engine, source, iova, frag, thp = c.split(":")
    try:
        j = json.load(open(os.path.join(tmp, name + ".json")))
    except (OSError, ValueError):
        continue
    for h in j["histograms"]:
        if h["stage"] != "map" or not h["count"]:
            continue
        rows.append({"config": name, "engine": engine, "source": source,
                     "iova_param": int(iova), "iova_fragment": int(frag), "thp": thp,
                     "direction": h["direction"], "path": h["path"],
                     "count": h["count"], "p50_ns": h["p50_ns"], "p90_ns": h["p90_ns"],
                     "iova_counters": j["counters"].get("iova", {})})
def p50(config, direction="to_dev"):
    v = [r["p50_ns"] for r in rows if r["config"] == config and r["direction"] == direction]
    return v[0] if len(v) == 1 else None
def ratio(a, b):
    pa, pb = p50(a), p50(b)
    return round(pa / pb, 2) if pa and pb else None
res = {
    "kernel": kernel, "profile": profile, "rounds": int(rounds),
    "what": "map stage of 2 MiB (512 x 4 KiB) migrations, p50 in ns, per direction and path",
    "commands": {
        "window": "svmtrace hist -j --source SOURCE -S map --by stage,direction,path -- svmbench -s 2M -n %s roundtrip" % rounds,
        "page path": "echo 0 > /sys/module/svm_pagemap/parameters/iova (native), "
                     "echo 1 > /sys/module/svm_pagemap/parameters/iova_fragment (both engines)",
    },
    "rows": rows,
    "to_dev_page_over_iova": {
        "native, module source, iova=0": ratio("native_module_page", "native_module_iova"),
        "native, module source, fragmented": ratio("native_module_frag", "native_module_iova"),
        "native, kernel source, fragmented": ratio("native_kernel_frag", "native_kernel_iova"),
        "drm_pagemap, kernel source, fragmented": ratio("drm_kernel_frag", "drm_kernel_iova"),
    },
}
json.dump(res, open(out, "w"), indent=1)
print("map stage p50, 2 MiB to_dev (%s, %s, %s round trips):" % (kernel, profile, rounds))
for r in rows:
    if r["direction"] == "to_dev":
        print("  %-20s %-6s source, path %-5s %8d ns  (n=%d)" % (r["config"], r["source"], r["path"], r["p50_ns"], r["count"]))
for k, v in res["to_dev_page_over_iova"].items():
    print("  page/iova %-40s %s" % (k, v))
PY
rm -rf "$tmp"
