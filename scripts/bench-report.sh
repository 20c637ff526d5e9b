#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The host half of make bench: how svmtrace report scales with the records
# and the distinct keys of a recording.  Record files of svm_migrate_end
# records spread round-robin over KEYS processes are written by
# tests/bench/gen_records.c (the library's own record writer), then
# 'svmtrace report FILE --by pid' prints one histogram per process.  Two
# record counts times two key counts, so that the growth with each shows
# on its own.  Wall and CPU time are medians over REPORT_BENCH_RUNS runs
# (and the fastest run too), peak RSS from /usr/bin/time.  Figures, never
# pass/fail.
#
#	scripts/bench-report.sh [OUT.json]	(default build/bench/report-<host>.json)
set -euo pipefail
cd "$(dirname "$0")/.."
host=$(hostname -s)
out=${1:-build/bench/report-$host.json}
runs=${REPORT_BENCH_RUNS:-3}
records=${REPORT_BENCH_RECORDS:-1000000 2000000}
keys=${REPORT_BENCH_KEYS:-10000 60000}
svmtrace=build/host/svmtrace
gen=build/bench/gen_records

[ -x /usr/bin/time ] || { echo "bench-report: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
# only what it runs: the rest of the tree may be mid-edit
make -s --no-print-directory OUT=build/host build/host/svmtrace >/dev/null
mkdir -p "$(dirname "$out")" build/bench
cc -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Ibuild/host -Ibpf -Icli/lib -Iinclude \
	tests/bench/gen_records.c build/host/libsvmtrace.a -o "$gen"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/svmreport.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

rows=$tmp/rows
: >"$rows"
for n in $records; do
	for k in $keys; do
		file=$tmp/r-$n-$k.svmrec
		"$gen" "$file" "$n" "$k"
		: >"$tmp/times"
		for ((i = 0; i < runs; i++)); do
			/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" \
				"$svmtrace" report "$file" --by pid >"$tmp/report.txt"
			cat "$tmp/time" >>"$tmp/times"
		done
		hists=$(grep -c '^pid=' "$tmp/report.txt" || true)
		wall=$(awk '{ print $1 }' "$tmp/times" | median)
		wall_min=$(awk '{ print $1 }' "$tmp/times" | sort -g | head -n 1)
		cpu=$(awk '{ print $2 + $3 }' "$tmp/times" | median)
		rss=$(awk '{ print $4 }' "$tmp/times" | sort -n | tail -1)
		echo "$n $k $hists $wall $wall_min $cpu $rss" >>"$rows"
		printf 'bench-report: %8d records %6d keys: %6.2f s wall %6.2f s cpu %7d KB peak RSS\n' \
			"$n" "$k" "$wall" "$cpu" "$rss" >&2
		rm -f "$file"
	done
done

python3 - "$rows" "$out" "$host" "$runs" <<'PY'
import json, os, platform, sys

rows, out, host, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
cases = []
for line in open(rows):
    n, k, hists, wall, wall_min, cpu, rss = line.split()
    n, k, wall, wall_min, cpu = int(n), int(k), float(wall), float(wall_min), float(cpu)
    cases.append({
        "records": n, "keys": k, "histograms": int(hists),
        "wall_s": wall, "wall_s_min": wall_min, "cpu_s": round(cpu, 3), "peak_rss_kb": int(rss),
        "wall_s_per_million_records": round(wall / (n / 1e6), 4),
        "wall_s_per_10k_keys": round(wall / (k / 1e4), 4),
    })
# The growth itself: seconds per 10,000 more keys at a fixed record count,
# per million more records at a fixed key count (first and last sizes), in
# wall time of the fastest run (the least disturbed by the machine) and in
# median CPU time (user + system, which other load disturbs less).
ns, ks = sorted({c["records"] for c in cases}), sorted({c["keys"] for c in cases})
growth = {}
for what, field in (("wall_s", "wall_s_min"), ("cpu_s", "cpu_s")):
    t = {(c["records"], c["keys"]): c[field] for c in cases}
    if len(ks) > 1:
        growth[what + "_per_10k_more_keys"] = {
            str(n): round((t[n, ks[-1]] - t[n, ks[0]]) / ((ks[-1] - ks[0]) / 1e4), 4) for n in ns}
    if len(ns) > 1:
        growth[what + "_per_million_more_records"] = {
            str(k): round((t[ns[-1], k] - t[ns[0], k]) / ((ns[-1] - ns[0]) / 1e6), 4) for k in ks}
cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                  if l.startswith("model name")), "?")
res = {
    "host": host, "kernel": platform.release(), "cpu": cpu_model, "cpus": os.cpu_count(),
    "load_average": os.getloadavg()[0], "runs_per_case": runs,
    "command": "svmtrace report FILE --by pid",
    "records_file": "svm_migrate_end records round-robin over KEYS pids (tests/bench/gen_records.c)",
    "cases": cases,
    "growth": growth,
}
json.dump(res, open(out + ".tmp", "w"), indent=2)
os.rename(out + ".tmp", out)
PY
echo "bench-report: wrote $out" >&2
