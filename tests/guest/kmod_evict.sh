# SPDX-License-Identifier: GPL-2.0
# Eviction: device memory pressure (-ENOMEM) and eviction while another
# process faults the same pages; a range eviction; rmmod with pages on a
# device is refused cleanly and succeeds once they are evicted.
. "$T_REPO/tests/guest/kmod.inc"
kneed_devmem

x=$KTMP/e
kstats "$x.a"
"$SVMBENCH" evict -s 8M -n 3 --json >"$x.json"
"$SVMBENCH" evictone -s 1M -n 3 --json >"$KTMP/o.json"
kstats "$x.b"
mapfile -t r <<<"$(keval "$x" <<'PY'
"%s %d" % (j.get("ok"), j["counts"]["verify_errors"])
"%s %d" % (json.load(open(pre.replace("/e", "/o.json")))["ok"], json.load(open(pre.replace("/e", "/o.json")))["counts"]["verify_errors"])
j["counts"]["evicted_pages"] + json.load(open(pre.replace("/e", "/o.json")))["counts"]["evicted_pages"]
D("d['pages'][2]")
j["counts"]["migrate_nomem"] > 0
PY
)"
keq "pressure + eviction while a child faults: ok, data intact" "True 0" "${r[0]}"
keq "range eviction: ok, data intact" "True 0" "${r[1]}"
keq "evicted pages: svmbench == module (direction evict)" "${r[2]}" "${r[3]}"
keq "device memory ran out (-ENOMEM)" True "${r[4]}"

# rmmod while a process keeps pages on a device (and has no fd open).
before=$(kfree)
"$SVMBENCH" hold -s 4M >"$KTMP/hold.out" &
pid=$!
for _ in $(seq 1 150); do
	grep -q ready "$KTMP/hold.out" 2>/dev/null && break
	sleep 0.2
done
t_grep "a process holds pages on device 0" '^ready' "$(cat "$KTMP/hold.out")"
out=$(rmmod svm_pagemap 2>&1)
rc=$?
if [ $rc != 0 ] && [ -d /sys/module/svm_pagemap ]; then
	t_pass "rmmod with pages on a device is refused, module intact"
else
	t_fail "rmmod with pages on a device is refused, module intact" "rmmod exited $rc: $out"
fi
t_grep "rmmod says the module is in use" 'in use' "$out"
t_run "evict everything on device 0" "$SVMBENCH" evictall -d 0
keq "free pages back after eviction" "$before" "$(kfree)"
t_run "rmmod after eviction" rmmod svm_pagemap
# shellcheck disable=SC2046
t_run "module loads again" modprobe svm_pagemap $(cat "${SVMTRACE_RUNDIR:-/nonexistent}/modparams" 2>/dev/null)
kill -USR1 "$pid"
wait "$pid"
keq "the holder's data survived eviction and module reload" 0 "$?"
rm -rf "$KTMP"
