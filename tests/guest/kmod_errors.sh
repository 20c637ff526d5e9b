# SPDX-License-Identifier: GPL-2.0
# Every bad input of the ioctls gets its own errno, and every refusal is
# traced (svm_reject) and counted (stats rejects) with its reason.
. "$T_REPO/tests/guest/kmod.inc"

x=$KTMP/e
kstats "$x.a"
kperf "$x" "$SVMBENCH" errors --json
kstats "$x.b"
# Cases: one line each, "name expect got".
while read -r name expect got; do
	keq "errno of $name" "$expect" "$got"
done <<<"$(keval "$x" <<<'"\n".join("%s %d %d" % (c["name"], c["expect"], c["got"]) for c in j["cases"])')"
mapfile -t r <<<"$(keval "$x" <<'PY'
j["ok"]
sum(1 for c in j["cases"] if c["expect"] not in (0, 25))
D("sum(d['rejects'])")
p.get("svm_reject")
D("d['rejects'][1]")
D("d['rejects'][8]")
D("sum(d['migrations_failed'])")
PY
)"
keq "svmbench errors: every case ok" True "${r[0]}"
# Refusals: every case expecting an errno except the unknown ioctl (ENOTTY).
keq "stats rejects == refused cases" "${r[1]}" "${r[2]}"
keq "perf svm_reject == refused cases" "${r[1]}" "${r[3]}"
keq "unaligned start, size and read counted under UNALIGNED" 3 "${r[4]}"
keq "one FOREIGN_MM refusal (the forked child)" 1 "${r[5]}"
keq "no migration failed for a refused request" 0 "${r[6]}"
rm -rf "$KTMP"
