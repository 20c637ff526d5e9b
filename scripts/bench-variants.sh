#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of make bench-variants: svmtrace hist's BPF run time per
# migration for several builds of svmtrace, measured in one guest run so
# that the builds compare like with like.  Under TCG a program's run time
# moves by tens of percent between guest runs, far more than most changes
# to a program move it; alternating builds within one run, pass after pass,
# and comparing medians is what makes such a change measurable.
#
# Usage: bench-variants.sh OUT.json NAME=DIR...   (DIR holds an svmtrace)
# Every pass runs each build once, in the order given and reversed every
# other pass: svmtrace hist around one 2 MiB round trip (warm-up: new keys
# cost a one-off insertion) and VARIANT_ROUNDS more, bracketed by
# `bpftool prog show -j` snapshots.  Per window: the run time of
# svm_migrate_end's program, and of every program svmtrace loaded, divided
# by the migrations (run count of svm_migrate_end).  Figures, never
# pass/fail.
set -uo pipefail
out=${1:?results file}
shift
[ $# -ge 1 ] || { echo "bench-variants: no NAME=DIR given" >&2; exit 2; }
rounds=${VARIANT_ROUNDS:-40}
passes=${VARIANT_PASSES:-6}
bin=build/guest-user
tmp=$(mktemp -d /tmp/svmvariants.XXXXXX)
t0=$(date +%s)
log() { printf '[variants %4ds] %s\n' $(($(date +%s) - t0)) "$*" >&2; }

names=() dirs=()
for v in "$@"; do
	name=${v%%=*} dir=${v#*=}
	[ -x "$dir/svmtrace" ] || { echo "bench-variants: $dir/svmtrace: not found" >&2; exit 2; }
	names+=("$name") dirs+=("$dir")
done

sysctl -qw kernel.bpf_stats_enabled=1
ws=$tmp/window.sh
cat >"$ws" <<EOF
#!/usr/bin/env bash
$bin/svmbench -s 2M -n 1 roundtrip >/dev/null
bpftool prog show -j >"\$1.before.json"
$bin/svmbench -s 2M -n $rounds -j roundtrip >"\$1.bench.json" || exit 1
bpftool prog show -j >"\$1.after.json"
EOF
chmod +x "$ws"

for ((p = 0; p < passes; p++)); do
	order=$(seq 0 $((${#names[@]} - 1)))
	((p % 2)) && order=$(echo "$order" | tac)
	for i in $order; do
		w=$tmp/${names[i]}.$p
		"${dirs[i]}/svmtrace" hist -j -o "$w.hist.json" -- "$ws" "$w" >/dev/null 2>"$w.err" ||
			{ log "${names[i]} pass $p failed: $(tail -1 "$w.err")"; exit 1; }
		log "${names[i]} pass $p done"
	done
done

python3 - "$tmp" "$out" "$rounds" "$passes" "${names[@]}" <<'EOF'
import json, statistics, sys
tmp, out, rounds, passes, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]

def progs(path):
    return {p["id"]: p for p in json.load(open(path))}

# Groups: svm_migrate_end alone (where svmtrace takes every sample) and
# every program svmtrace loaded.
groups = {"migrate_end": lambda n: n.startswith("svm_migrate_end"),
          "total": lambda n: n.startswith("svm_")}
res = {"rounds": rounds, "passes": passes, "variants": {}}
for n in names:
    per = {g: [] for g in groups}
    for p in range(passes):
        w = f"{tmp}/{n}.{p}"
        before, after = progs(w + ".before.json"), progs(w + ".after.json")
        ns = {g: 0 for g in groups}
        runs = 0
        for pid, a in after.items():
            name = a.get("name", "")
            b = before.get(pid, {})
            d = a.get("run_time_ns", 0) - b.get("run_time_ns", 0)
            for g, member in groups.items():
                if member(name):
                    ns[g] += d
            if name.startswith("svm_migrate_end"):
                runs += a.get("run_cnt", 0) - b.get("run_cnt", 0)
        if runs:
            for g in groups:
                per[g].append(ns[g] / runs)
    res["variants"][n] = {g: {"ns_per_migration": [round(x) for x in per[g]],
                              "median": round(statistics.median(per[g])) if per[g] else None}
                          for g in groups}
# Against the first build: the ratio of medians, and the median of the
# per-pass ratios (builds of one pass ran back to back, so a slow drift of
# the host cancels out of their ratio).
for n in names:
    for g in groups:
        v, b = res["variants"][n][g], res["variants"][names[0]][g]
        v["over_first"] = round(v["median"] / b["median"], 3) if b["median"] and v["median"] else None
        pairs = [x / y for x, y in zip(v["ns_per_migration"], b["ns_per_migration"]) if y]
        v["over_first_paired"] = round(statistics.median(pairs), 3) if pairs else None
json.dump(res, open(out, "w"), indent=1)
for g in groups:
    for n in names:
        v = res["variants"][n][g]
        print(f"{g:12} {n:12} median {v['median']} ns/migration, over {names[0]}: "
              f"x{v['over_first']} (paired x{v['over_first_paired']}): {v['ns_per_migration']}")
EOF
