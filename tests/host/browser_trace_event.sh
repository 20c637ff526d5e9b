# SPDX-License-Identifier: GPL-2.0
# svmtrace report --trace-event, opened in a real viewer: a record file
# built here (two overlapping migrations of one process on two devices, an
# eviction, an -EBUSY CPU fault, an IOVA-path map) and the contended perf
# script fixture are written as Trace Event Format, checked for structure,
# and loaded into speedscope (npm, pinned) in headless Chromium driven by
# playwright-core; the tracks speedscope lists, the frames of one track and
# their count must be the file's.  A truncated and a mis-nested file must
# fail the same check.  No browser or no npm registry: the viewer checks
# are skipped with the reason, never passed.

. "$T_REPO/tests/browser.inc"

st=build/host/svmtrace
fx=tests/fixtures/perf-script-contend.txt
dir=$(mktemp -d /tmp/svmtrace-browser-trace-event.XXXXXX)
shot=build/host/browser_trace_event.png
SPEEDSCOPE=speedscope@1.25.0
PLAYWRIGHT=playwright-core@1.65.1

# A version-1 record file (docs/record-format.md) of known migrations;
# times in us from T0, records in the order of their ends.
python3 - "$dir/run.svmrec" <<'EOF'
import struct, sys
T0 = 5_000_000_000
COLLECT, POPULATE, MAP, COPY, FINALIZE, UNMAP, TOTAL = range(7)
recs = []
def mig(pid, dev, mid, d, trig, path, start, stages, end, result=0):
    t = start
    for st, us, spath in stages:
        recs.append((T0 + (t + us) * 1000, mid, 0, 512, 2 << 20, us * 1000, 4, pid, dev,
                     st, d, trig, spath, 0))
        t += us
    recs.append((T0 + end * 1000, mid, 0x7f0000000000 + mid * 0x200000, 512,
                 0 if result else 2 << 20, (end - start) * 1000, 3, pid, dev, TOTAL, d, trig,
                 path, result))
full = lambda p: [(COLLECT, 50, 15), (POPULATE, 30, 15), (MAP, 40, p), (COPY, 230, p),
                  (FINALIZE, 30, p), (UNMAP, 15, p)]
mig(4242, 0, 1, 0, 0, 0, 0, full(0), 400)             # to_dev device_fault, IOVA
mig(4242, 1, 2, 0, 1, 1, 100, full(1), 600)           # to_dev prefetch, overlaps 1
mig(777, 0, 4, 2, 3, 1, 420, full(1), 820)            # an eviction
mig(4242, 0, 3, 1, 2, 1, 900, full(1), 1300)          # to_ram cpu_fault
mig(777, 0, 5, 1, 2, 15, 1400, [(COLLECT, 60, 15)], 1500, result=-16)
recs.sort(key=lambda r: r[0])
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<8sHHIIIQQQQIIIIQ64s16s", b"SVMTREC\0", 1, 160, 88, 1, 0xffffffff,
                        len(recs), 0, T0, 0, 0, 0xffffffff, 0xffffffff, 0, 0,
                        b"6.0.0-test", b""))
    for r in recs:
        f.write(struct.pack("<QQQQQQIIIIIIIiQ", *r, 0))
    f.write(struct.pack("<8sIIQQQQ", b"SVMTEND\0", 48, 0, len(recs), 0, 0, T0 + 2_000_000))
EOF

# ---- the command line ----
t_expect "report --help shows --trace-event" 0 '--trace-event' $st report --help
t_expect "the record file is read" 0 '^svm_pagemap migration latency' $st report "$dir/run.svmrec"
t_expect "--trace-event into a missing directory" 2 "cannot write '/nonexistent/dir/t.json.tmp'" \
	$st report --trace-event /nonexistent/dir/t.json "$dir/run.svmrec"
t_expect "--trace-event onto its own input" 2 "would overwrite the input" \
	$st report --trace-event "$dir/run.svmrec" "$dir/run.svmrec"
t_expect "--trace-event of a foreign file" 1 'not an svmtrace recording' \
	$st report --trace-event "$dir/x.json" tests/fixtures/README
[ ! -e "$dir/x.json" ] && t_pass "a failed --trace-event leaves no file" ||
	t_fail "a failed --trace-event leaves no file" "$(ls "$dir")"
t_expect "--trace-event FILE writes it beside the report" 0 '^svm_pagemap migration latency' \
	$st report --trace-event "$dir/run.json" "$dir/run.svmrec"
t_expect "--trace-event - writes the trace alone to stdout" 0 '^\{"displayTimeUnit":"ns"' \
	$st report --trace-event - "$dir/run.svmrec"
t_expect "--trace-event from perf script text" 0 'note: [0-9]+ migrations drawn wider' \
	$st report --perf-script --trace-event "$dir/contend.json" "$fx"
t_expect "--trace-event with a pid filter" 0 '^\{' $st report -p 777 --trace-event - "$dir/run.svmrec"

# ---- the file's structure, independently of the writer ----
# check_file TRACE: every event has ph/ts/pid/tid, slices of a thread nest,
# and it holds what the record file holds.
check_file() {
	python3 - "$1" <<'EOF'
import json, sys
from collections import defaultdict
j = json.load(open(sys.argv[1]))
ev = j["traceEvents"]
def row(ok, name, detail=""):
    print(f"{'PASS' if ok else 'FAIL'}|{name}|{detail}")
row(all(all(k in e for k in ("ph", "ts", "pid", "tid", "name")) for e in ev),
    "every event has ph, ts, pid, tid, name", f"{len(ev)} events")
tracks, bad = defaultdict(list), []
for e in ev:
    if e["ph"] == "X":
        tracks[(e["pid"], e["tid"])].append((round(e["ts"] * 1000), round((e["ts"] + e["dur"]) * 1000), e["name"]))
for k, spans in tracks.items():
    stack = []
    for s, t, n in sorted(spans, key=lambda x: (x[0], -x[1])):
        while stack and stack[-1][1] <= s:
            stack.pop()
        if stack and t > stack[-1][1]:
            bad.append(f"{n}@{s} in {stack[-1][2]} on {k}")
        stack.append((s, t, n))
row(not bad, "slices of each thread nest", "; ".join(bad[:3]) or f"{len(tracks)} threads")
names = {(e["pid"], e["args"]["name"]) for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
print("INFO", json.dumps(sorted(names)), file=sys.stderr)
EOF
}
out=$(check_file "$dir/run.json" 2>/dev/null)
t_rows "structure check" <<<"$out"
t_eq "the overlapping migrations of pid 4242 are on two threads, with exact times" \
	"to_dev device_fault 2 0.000 400.000 | to_dev prefetch 3 100.000 500.000" \
	"$(python3 -c '
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
print(" | ".join("%s %d %.3f %.3f" % (e["name"], e["tid"], e["ts"] - 5000000, e["dur"])
      for e in ev if e["ph"] == "X" and e["pid"] == 4242 and e.get("cat") == "migration"
      and e["args"]["id"] in (1, 2)))' "$dir/run.json" 2>&1)"
t_eq "instants, and the IOVA counter from map start (80 us) to unmap end (395 us)" \
	"busy eviction | 80.000:2097152 395.000:0" "$(python3 -c '
import json, sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
print(" ".join(sorted(e["name"] for e in ev if e["ph"] == "i")), "|",
      " ".join("%.3f:%d" % (e["ts"] - 5000000, e["args"]["bytes"]) for e in ev if e["ph"] == "C"))' \
	"$dir/run.json" 2>&1)"

# ---- in the viewer ----
# views {OUT TRACE PROFILE PNG}...: speedscope's view of each TRACE as JSON
# in its OUT (PROFILE and PNG may be ""), from one browser; an OUT the
# viewer did not write says why.
views() {
	local i err
	node tests/host/browser_trace_event.js "$pw" "$ss" "$@" 2>"$dir/node.err"
	err="node failed: $(tail -n 2 "$dir/node.err" | tr -d '"\\\n')"
	for ((i = 1; i <= $#; i += 4)); do
		[ -s "${!i}" ] || echo "{\"errors\": [\"$err\"]}" >"${!i}"
	done
}

# check_view VIEW TRACE PROFILE LABEL: verdict rows: speedscope imported
# TRACE without complaint, lists exactly its tracks, and PROFILE's frames
# are the file's slices of that track.
check_view() {
	python3 - "$1" "$2" "$3" "$4" <<'EOF'
import json, sys
v = json.loads(open(sys.argv[1]).read() or "{}")
ev = json.load(open(sys.argv[2]))["traceEvents"] if v.get("loaded") else []
prof = sys.argv[3]
def row(ok, name, detail=""):
    print(f"{'PASS' if ok else 'FAIL'}|{sys.argv[4]}: {name}|{detail}")
row(v.get("loaded") and not v.get("dialogs") and not v.get("errors"),
    "speedscope imports the file", "; ".join(v.get("dialogs", []) + v.get("errors", []))[:300]
    or v.get("title", ""))
row(not v.get("warnings"), "speedscope has no warning on it", "; ".join(v.get("warnings", []))[:300])
pname = {e["pid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "process_name"}
tname = {(e["pid"], e["tid"]): e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
threads = sorted({(e["pid"], e["tid"]) for e in ev if e["ph"] == "X"})
want = [f"{pname[p]} (pid {p}), {tname[(p, t)]} (tid {t})" for p, t in threads]
got = v.get("profiles", [])
row(v.get("loaded") and sorted(got) == sorted(want) and v.get("count") == len(want),
    "speedscope lists one track per process/device lane, named as in the file",
    f"{v.get('count')} listed: {got}; file: {want}")
sel = next(((p, t) for (p, t) in threads if want[threads.index((p, t))] == prof), None)
xs = [e for e in ev if e["ph"] == "X" and (e["pid"], e["tid"]) == sel]
frames = v.get("frames") or []
row(sel is not None and v.get("selected", "").startswith(prof), f"speedscope shows '{prof}'",
    v.get("selected", ""))
base = lambda f: f.split(" {", 1)[0]
# one frame per slice (speedscope keys a frame by name and args); the
# table holds about 100 rows in the driver's window: past that, the names
row(xs and {base(f) for f in frames} == {e["name"] for e in xs}
    and (len(frames) == len(xs) or len(xs) > 100 and len(frames) > 50),
    "its Sandwich view lists the track's migrations and stages as frames",
    f"{len(frames)} frames for {len(xs)} slices: {sorted({base(f) for f in frames})}")
EOF
}

if ! command -v node >/dev/null; then
	t_skip "viewer checks" "no node (host-setup.sh browser installs nodejs)"
elif ! browser_setup 2>"$dir/setup.err"; then
	t_skip "viewer checks" "no headless browser: $(tail -n 1 "$dir/setup.err")"
elif ! ss=$(browser_npm "$SPEEDSCOPE" 2>"$dir/npm.err") || ! pw=$(browser_npm "$PLAYWRIGHT" 2>>"$dir/npm.err"); then
	t_skip "viewer checks" "npm: $(tail -n 1 "$dir/npm.err")"
else
	prof="pid 4242 (pid 4242), migrations (tid 2)"
	mkdir -p "$(dirname "$shot")"
	rm -f "$shot"
	# the same checks must fail on a broken file: one cut in half, and one
	# whose pid 4242's first copy runs past its migration's end
	head -c "$(($(stat -c %s "$dir/run.json") / 2))" "$dir/run.json" >"$dir/cut.json"
	python3 - "$dir/run.json" "$dir/misnest.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
for e in j["traceEvents"]:
    if e["ph"] == "X" and e["pid"] == 4242 and e["name"] == "copy":
        e["dur"] += 1000.0
        break
json.dump(j, open(sys.argv[2], "w"))
EOF
	views "$dir/view.json" "$dir/run.json" "$prof" "$shot" \
		"$dir/view2.json" "$dir/contend.json" "pid 171 (pid 171), migrations (tid 2)" "" \
		"$dir/view3.json" "$dir/cut.json" "$prof" "" \
		"$dir/view4.json" "$dir/misnest.json" "$prof" ""

	t_rows "speedscope on the record file" <<<"$(check_view "$dir/view.json" "$dir/run.json" "$prof" "record file")"
	t_eq "speedscope shows the second lane and both devices" \
		"pid 4242 (pid 4242), migrations, lane 2 (tid 3)|svm device 0 (pid 1073741824), migrations (tid 2)|svm device 1 (pid 1073741825), migrations (tid 2)" \
		"$(python3 -c '
import json, sys
p = json.load(open(sys.argv[1])).get("profiles", [])
print("|".join(x for x in p if "lane 2" in x or "svm device" in x))' "$dir/view.json" 2>&1)"
	t_eq "the migration frame carries its exact duration" "1" "$(python3 -c '
import json, sys
f = json.load(open(sys.argv[1])).get("frames") or []
print(sum(x.startswith("to_dev device_fault {") and "\"duration_ns\":400000," in x for x in f))' "$dir/view.json" 2>&1)"
	if [ -s "$shot" ]; then t_pass "screenshot of the timeline ($shot)"; else t_fail "screenshot of the timeline" "no $shot"; fi

	t_rows "speedscope on the perf script fixture" <<<"$(check_view "$dir/view2.json" "$dir/contend.json" \
		"pid 171 (pid 171), migrations (tid 2)" "perf script fixture")"

	rows=$(check_view "$dir/view3.json" "$dir/cut.json" "$prof" "truncated")
	t_grep "a truncated file fails the check (speedscope refuses it)" \
		'^FAIL\|truncated: speedscope imports the file\|.*Unrecognized format' "$rows"
	rows=$(check_view "$dir/view4.json" "$dir/misnest.json" "$prof" "mis-nested")
	t_grep "a mis-nested file fails the check (speedscope warns)" \
		'^FAIL\|mis-nested: speedscope has no warning on it\|.*Tried to end' "$rows"
	rows=$(check_file "$dir/misnest.json" 2>/dev/null)
	t_grep "a mis-nested file fails the structure check" '^FAIL\|slices of each thread nest\|copy@' "$rows"
fi
rm -rf "$dir"
