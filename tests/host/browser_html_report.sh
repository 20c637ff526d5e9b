# SPDX-License-Identifier: GPL-2.0
# svmtrace report --html in headless Chromium, with the network blocked: the
# page of a synthetic run (tests/bench/gen_run.c, written with the record
# writer) is loaded from file://, its DOM is dumped and every element that
# must be there is checked against report -j of the same file: per
# direction the stage share, the latency heatmap and one row per histogram,
# and the counters, number for number.  A screenshot must show the charts'
# colours.  A tampered page and a truncated one must fail the same check.

st=build/host/svmtrace
dir=$(mktemp -d /tmp/svmtrace-browser-html.XXXXXX)
shot=$(dirname "$T_RESULTS")/browser_html_report.png
. "$T_REPO/tests/browser.inc"

# browser_flags plus no name resolution: a page that fetched anything would break.
html_flags() {
	browser_flags
	echo '--host-resolver-rules=MAP * ~NOTFOUND'
}

html_dom() {
	local flags
	mapfile -t flags < <(html_flags)
	timeout 120 chromium "${flags[@]}" --virtual-time-budget=3000 --dump-dom "$1" 2>/dev/null
}

html_shot() {
	local flags
	mapfile -t flags < <(html_flags)
	timeout 120 chromium "${flags[@]}" --virtual-time-budget=3000 --window-size=1280,3200 \
		--hide-scrollbars --screenshot="$2" "$1" >/dev/null 2>&1
	[ -s "$2" ]
}

# The page's DOM against report -j: "PASS|name|detail" / "FAIL|name|detail" rows.
cat >"$dir/check.py" <<'EOF'
import json, sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.els, self.stack, self.scripts, self.title = [], [], 0, ""
    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "a": dict(attrs), "text": "", "parents": list(self.stack)}
        self.els.append(el)
        if tag == "script":
            self.scripts += 1
        if tag not in ("meta", "br", "rect", "line", "path", "img", "input", "link"):
            self.stack.append(el)
    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break
    def handle_data(self, data):
        for el in self.stack:
            el["text"] += data
        if self.stack and self.stack[-1]["tag"] == "title":
            self.title += data

dom = Dom()
dom.feed(open(sys.argv[1], encoding="utf-8", errors="replace").read())
j = json.load(open(sys.argv[2]))
want_kernel = sys.argv[3]
rows = []
def check(name, ok, detail=""):
    rows.append(("PASS" if ok else "FAIL", name, detail))

def cls(el):
    return el["a"].get("class", "").split()
def find(pred):
    return [e for e in dom.els if pred(e)]
def inside(el, anc):
    return any(p is anc for p in el["parents"])

# the run
hdr = find(lambda e: e["a"].get("id") == "run")
check("page has the run header", len(hdr) == 1)
if hdr:
    a = hdr[0]["a"]
    check("header numbers equal report -j (records, lost, seconds, complete, file)",
          int(a.get("data-records", -1)) == j["records"] and int(a.get("data-lost", -1)) == j.get("lost", 0)
          and float(a.get("data-seconds", "nan")) == j["seconds"]
          and a.get("data-complete") == ("true" if j.get("complete", True) else "false")
          and a.get("data-file") == j["file"] and a.get("data-kernel-release", "") == j.get("kernel_release", ""),
          "records %s seconds %s" % (a.get("data-records"), a.get("data-seconds")))
check("the kernel release is shown as text, escaped, and no script runs",
      dom.scripts == 0 and j.get("kernel_release", "") == want_kernel and hdr and want_kernel in hdr[0]["text"],
      "%d script elements" % dom.scripts)
unit_ns = float(hdr[0]["a"].get("data-unit-ns", "1000")) if hdr else 1000.0

keys = ("stage", "direction", "trigger", "path", "device", "pid", "cgroup")
def hkey(h):
    return tuple((k, str(h[k])) for k in keys if k in h)
def ekey(e):
    return tuple((k, e["a"]["data-" + k]) for k in keys if "data-" + k in e["a"])

hists = j["histograms"]
trs = find(lambda e: e["tag"] == "tr" and "hist" in cls(e))
check("one row per histogram", len(trs) == len(hists), "%d rows, %d histograms" % (len(trs), len(hists)))
by_key = {ekey(e): e for e in trs}
bad = []
for h in hists:
    e = by_key.get(hkey(h))
    if e is None:
        bad.append("%s: no row" % (hkey(h),))
        continue
    a = e["a"]
    same = (int(a["data-count"]) == h["count"] and int(a["data-sum-ns"]) == h["sum_ns"]
            and int(a["data-max-ns"]) == h["max_ns"]
            and all(float(a["data-%s-ns" % p]) == h["%s_ns" % p] for p in ("p50", "p90", "p99", "p999"))
            and [int(v) for v in a["data-log2"].split(",")] == h["log2"])
    cells = {c: x["text"].strip() for x in find(lambda x: x["tag"] == "td" and inside(x, e)) for c in cls(x)}
    shown = (cells.get("count") == str(h["count"]) and cells.get("p50") == "%.3f" % (h["p50_ns"] / unit_ns)
             and cells.get("p99") == "%.3f" % (h["p99_ns"] / unit_ns)
             and cells.get("max") == "%.3f" % (h["max_ns"] / unit_ns))
    svg = find(lambda x: x["tag"] == "svg" and inside(x, e))
    if not same:
        bad.append("%s: data %s" % (hkey(h), {k: v for k, v in a.items() if k != "data-log2"}))
    elif not shown:
        bad.append("%s: text %s" % (hkey(h), cells))
    elif not svg:
        bad.append("%s: no distribution chart" % (hkey(h),))
check("every histogram row's numbers (data and text) equal report -j's", not bad and len(hists) > 0,
      "; ".join(bad[:3]) if bad else "%d histograms" % len(hists))

dirs = sorted({h.get("direction", "all") for h in hists})
check("there are directions to show", len(dirs) > 0, " ".join(dirs))
for d in dirs:
    sec = find(lambda e: e["tag"] == "section" and e["a"].get("data-direction") == d)
    if len(sec) != 1:
        check("%s: section" % d, False, "%d sections" % len(sec))
        continue
    sec = sec[0]
    mine = [h for h in hists if h.get("direction", "all") == d]
    # distributions
    rows_in = [e for e in trs if inside(e, sec)]
    check("%s: latency distributions, one row per key" % d, len(rows_in) == len(mine) and len(mine) > 0,
          "%d rows" % len(rows_in))
    # stage share
    share = [e for e in find(lambda e: "share" in cls(e)) if inside(e, sec)]
    if len(share) != 1:
        check("%s: stage share" % d, False, "%d share blocks" % len(share))
    else:
        total = sum(h["sum_ns"] for h in mine if h.get("stage") == "total")
        segs = {e["a"]["data-stage"]: e for e in find(lambda e: "seg" in cls(e) and inside(e, share[0]))}
        stages = sorted({h["stage"] for h in mine if h.get("stage") not in (None, "total")})
        ok = int(share[0]["a"]["data-total-ns"]) == total and set(stages) <= set(segs)
        detail = []
        denom = max(total, sum(h["sum_ns"] for h in mine if h.get("stage") in stages))
        for s in stages:
            want = sum(h["sum_ns"] for h in mine if h.get("stage") == s)
            got = int(segs[s]["a"]["data-sum-ns"]) if s in segs else None
            pct = "%.1f%%" % (100.0 * want / denom) if denom else ""
            if got != want or (pct and pct not in segs[s]["text"]):
                ok = False
                detail.append("%s: %s != %s" % (s, got, want))
        bars = find(lambda e: e["tag"] == "rect" and inside(e, share[0]))
        check("%s: stage share equals report -j's sum_ns per stage" % d, ok and len(bars) >= len(stages),
              "; ".join(detail) if detail else "%d stages over %d ns" % (len(stages), total))
    # heatmap
    heat = [e for e in find(lambda e: "heatmap" in cls(e)) if inside(e, sec)]
    if len(heat) != 1:
        check("%s: heatmap" % d, False, "%d heatmaps" % len(heat))
    else:
        h0 = heat[0]
        tot = [h for h in mine if h.get("stage") == "total"]
        cells = [e for e in find(lambda e: e["tag"] == "rect" and "cell" in cls(e) and inside(e, h0))]
        rowsum = {}
        for c in cells:
            rowsum[int(c["a"]["data-row"])] = rowsum.get(int(c["a"]["data-row"]), 0) + int(c["a"]["data-count"])
        log2 = [sum(h["log2"][i] for h in tot) for i in range(64)]
        want_rows = {i: v for i, v in enumerate(log2) if v}
        check("%s: heatmap of whole migrations, per log2 row as report -j's log2" % d,
              h0["a"]["data-stage"] == "total" and int(h0["a"]["data-count"]) == sum(h["count"] for h in tot)
              and sum(rowsum.values()) == int(h0["a"]["data-count"]) and rowsum == want_rows and len(cells) > 1,
              "%d cells, %s migrations, rows %s" % (len(cells), h0["a"]["data-count"], sorted(rowsum)))

# counters
def flat(o, pre=""):
    for k, v in o.items():
        if isinstance(v, dict):
            yield from flat(v, pre + k + ".")
        else:
            yield pre + k, v
want = dict(flat(j["counters"])) if "counters" in j else {}
got = {e["a"]["data-counter"]: e for e in find(lambda e: "data-counter" in e["a"])}
bad = [k for k, v in want.items() if k not in got or int(got[k]["a"]["data-value"]) != v
       or str(v) not in got[k]["text"]]
check("counters: every one of report -j's, equal (data and text)",
      want and not bad and set(got) == set(want), "; ".join(bad[:5]) if bad else "%d counters" % len(want))
for k in ("iova.peak_bytes", "iova.in_use_bytes", "livelock.timeslice_holds", "livelock.pingpong_ranges"):
    check("counters: %s shown" % k, k in got and int(got[k]["a"]["data-value"]) == want.get(k, -1))
check("counters: retries shown", any(k.startswith("livelock.retries_") for k in got)
      and any(k.startswith("livelock.evict_retries_") for k in got))

for r in rows:
    print("|".join(r))
EOF

# Counts the distinct colours of a PNG and looks for the charts' own colours.
cat >"$dir/png.py" <<'EOF'
import struct, sys, zlib
from collections import Counter
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, typ = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if typ == b"IHDR":
        w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        assert depth == 8 and ctype in (2, 6) and not interlace, "PNG kind %d/%d/%d" % (depth, ctype, interlace)
    elif typ == b"IDAT":
        idat += body
    pos += 12 + n
bpp = 4 if ctype == 6 else 3
raw, stride = zlib.decompress(idat), w * bpp
prev, colours = bytearray(stride), Counter()
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        line = bytearray(map(lambda a, b: (a + b) & 255, line, prev))
    elif f == 3:
        for i in range(stride):
            line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
    elif f == 4:
        for i in range(bpp):
            line[i] = (line[i] + prev[i]) & 255
        for i in range(bpp, stride):
            a, b, c = line[i - bpp], prev[i], prev[i - bpp]
            pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - c - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    colours.update(zip(line[0::bpp], line[1::bpp], line[2::bpp]))
    prev = line
white = colours.get((255, 255, 255), 0)
want = {"collect": "4e79a7", "populate": "f28e2b", "map": "e15759", "copy": "76b7b2", "finalize": "59a14f",
        "unmap": "edc948", "distribution bars": "6b8fb8", "p99 line": "d62728", "heatmap frame": "f6f7f9"}
missing = [k for k, v in want.items() if colours.get(tuple(bytes.fromhex(v)), 0) < 20]
print("%d %d %d %.3f %s" % (w, h, len(colours), 1 - white / (w * h), ",".join(missing) or "-"))
EOF

# check.py's rows for a DOM and a JSON; a crash is a row too.
check_page() {
	python3 "$dir/check.py" "$1" "$2" "$3" 2>&1 || echo "CRASH|check.py|exited $?"
}

if ! browser_setup 2>"$dir/setup.err"; then
	t_skip "headless chromium" "cannot be had: $(tail -n 2 "$dir/setup.err" | tr '\n' ' ')"
	rm -rf "$dir"
	return 0 2>/dev/null || exit 0
fi

kernel='7.3.4-test<script>document.title="pwned"</script>&'
if ! cc -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Ibuild/host -Ibpf -Icli/lib -Iinclude \
	tests/bench/gen_run.c build/host/libsvmtrace.a -o "$dir/gen_run" 2>"$dir/cc.err" ||
	! "$dir/gen_run" "$dir/run.svmrec" "$kernel"; then
	t_fail "synthetic run" "$(head -c 300 "$dir/cc.err")"
	rm -rf "$dir"
	return 0 2>/dev/null || exit 0
fi

t_expect "report --html into a missing directory" 2 "cannot write '/nonexistent/dir/x.html.tmp'" \
	$st report "$dir/run.svmrec" --html /nonexistent/dir/x.html
t_expect "report --html over its own input" 2 "would overwrite the input" \
	$st report "$dir/run.svmrec" --html "$dir/run.svmrec"
t_expect "report --html of a bad file writes no page" 1 'not an svmtrace recording' \
	$st report /etc/hostname --html "$dir/bad.html"
[ ! -e "$dir/bad.html" ] && [ ! -e "$dir/bad.html.tmp" ] && t_pass "no page, no .tmp after a bad input" ||
	t_fail "no page, no .tmp after a bad input" "$(ls "$dir")"
t_run "report --html" $st report "$dir/run.svmrec" --html "$dir/run.html"
$st report -j "$dir/run.svmrec" >"$dir/run.json" 2>"$dir/json.err"
t_eq "report -j" 0 $?
$st report --perf-script tests/fixtures/perf-script-contend.txt --html "$dir/perf.html" -j >"$dir/perf.json"
t_eq "report --perf-script --html -j" 0 $?

out=$(grep -noE 'https?:|src=|<script|<link|@import|url\(' "$dir/run.html" | head -n 3)
[ -z "$out" ] && t_pass "the page refers to nothing outside itself" ||
	t_fail "the page refers to nothing outside itself" "$out"

# The page, loaded offline: every element and number.
html_dom "file://$dir/run.html" >"$dir/run.dom"
if [ -s "$dir/run.dom" ] && grep -q 'id="counters"' "$dir/run.dom"; then
	t_pass "chromium loads the page offline"
else
	t_fail "chromium loads the page offline" "DOM of $(wc -c <"$dir/run.dom") bytes"
fi
check_page "$dir/run.dom" "$dir/run.json" "$kernel" | t_rows "check.py"
html_dom "file://$dir/perf.html" >"$dir/perf.dom"
check_page "$dir/perf.dom" "$dir/perf.json" "" | grep -v -e 'counters' -e 'kernel release' |
	sed 's/^\(PASS\|FAIL\)|/\1|perf script: /' | t_rows "check.py (perf script)"

# The check must be able to fail: one number changed, and a page cut short.
python3 - "$dir/run.html" "$dir/tampered.html" <<'EOF'
import re, sys
s = open(sys.argv[1]).read()
m = re.search(r'data-p99-ns="(\d+)"', s)
s = s[:m.start(1)] + str(int(m.group(1)) + 1) + s[m.end(1):]
open(sys.argv[2], "w").write(s)
EOF
head -c "$(($(wc -c <"$dir/run.html") * 2 / 3))" "$dir/run.html" >"$dir/truncated.html"
for bad in tampered truncated; do
	html_dom "file://$dir/$bad.html" >"$dir/$bad.dom"
	fails=$(check_page "$dir/$bad.dom" "$dir/run.json" "$kernel" | grep -c '^FAIL|')
	if [ "$fails" -gt 0 ]; then
		t_pass "a $bad page fails the check ($fails failed rows)"
	else
		t_fail "a $bad page fails the check" "no row failed"
	fi
done

# What a colleague sees: a screenshot at 1280 px with the charts' colours.
if html_shot "file://$dir/run.html" "$dir/run.png"; then
	cp "$dir/run.png" "$shot" 2>/dev/null
	echo "  screenshot: $shot" >&2
	read -r w h ncol inked missing < <(python3 "$dir/png.py" "$dir/run.png" 2>&1 | tail -n 1)
	if [ "$w" = 1280 ] && [ "${ncol:-0}" -ge 50 ] && python3 -c "import sys; sys.exit(not float('$inked') > 0.05)" 2>/dev/null; then
		t_pass "screenshot is not blank ($ncol colours, $inked inked)"
	else
		t_fail "screenshot is not blank" "${w}x$h, $ncol colours, inked $inked"
	fi
	t_eq "screenshot shows every stage colour, the distributions and the heatmaps" - "$missing"
else
	t_fail "screenshot" "chromium wrote no PNG"
fi
rm -rf "$dir"
