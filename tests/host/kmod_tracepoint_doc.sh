# SPDX-License-Identifier: GPL-2.0
# scripts/check-tracepoint-doc.py, which holds docs/tracepoints.md to the
# module's tracefs format files (guest suite kmod_tracepoint_doc runs it on
# the real ones), on a hand-written copy of them: tests/fixtures/tracefs,
# transcribed from kmod/svm_pagemap_trace.h (checked here against the
# header's TP_STRUCT__entry, so a stale copy says so).  The copy and the doc
# agree, and the doc's TP_PROTO lines are the header's; each kind of drift
# (a field missing, added, renamed or retyped, an event undocumented or
# gone, a TP_PROTO reordered) fails with one line naming it.

chk() { python3 scripts/check-tracepoint-doc.py "$@"; }
doc=docs/tracepoints.md
hdr=kmod/svm_pagemap_trace.h
fix=tests/fixtures/tracefs/svm_pagemap
dir=$(mktemp -d /tmp/svmtrace-tpdoc.XXXXXX)
P=check-tracepoint-doc

# The fixture is the header: same events, same fields in the same order.
out=$(python3 - "$hdr" "$fix" <<'PY' 2>&1
import os, re, sys
t = open(sys.argv[1]).read()
want, cls = {}, {}
for m in re.finditer(r"\b(TRACE_EVENT|DECLARE_EVENT_CLASS)\((\w+),.*?TP_STRUCT__entry\((.*?)\),\s*TP_fast_assign", t, re.S):
    f = [" ".join(x) for x in re.findall(r"__field\((\w+),\s*(\w+)\)", m.group(3))]
    (want if m.group(1) == "TRACE_EVENT" else cls)[m.group(2)] = f
for m in re.finditer(r"\bDEFINE_EVENT\((\w+),\s*(\w+),", t):
    want[m.group(2)] = cls[m.group(1)]
got = {}
for e in os.listdir(sys.argv[2]):
    if os.path.isdir(os.path.join(sys.argv[2], e)):
        text = open(os.path.join(sys.argv[2], e, "format")).read()
        got[e] = [f for f in re.findall(r"field:(\w+ \w+);", text) if not f.split()[1].startswith("common_")]
for e in sorted(set(want) | set(got)):
    if want.get(e) != got.get(e):
        print("%s: header has %s, fixture %s" % (e, want.get(e), got.get(e)))
print("events", len(want))
PY
)
nev=$(grep -cE '^(TRACE_EVENT|DEFINE_EVENT)\(' "$hdr")
t_eq "tests/fixtures/tracefs has the events and fields of $hdr (update it with the header)" \
	"events $nev" "$out"

t_expect "the fixture tree matches $doc" 0 "^$P: ok: $nev events, [0-9]+ fields " chk "$doc" "$fix"
base=$(chk --header "$hdr" "$doc" "$fix" 2>&1)
t_expect "$doc's TP_PROTO lines are those of $hdr" 0 "^$P: ok: .* and the TP_PROTO of $hdr\$" \
	chk --header "$hdr" "$doc" "$fix"
t_expect "no arguments is a usage error" 2 "^usage: $P " chk
t_expect "a missing events directory exits 2 and says so" 2 "^$P: $dir/none: no such directory" \
	chk "$doc" "$dir/none"
mkdir "$dir/empty"
t_expect "an events directory without events exits 2" 2 "^$P: $dir/empty: no events" chk "$doc" "$dir/empty"

# The drift cases below start from a fixture, doc and header that agree.
if ! grep -q "^$P: ok: " <<<"$base"; then
	t_skip "drift detection on mutated copies" "the fixture, $doc and $hdr disagree (above): fix that first"
	rm -rf "$dir"
	return 0 2>/dev/null || exit 0
fi

# mutant NAME: a fresh copy of the fixture tree at $dir/NAME.
mutant() { rm -rf "${dir:?}/$1"; cp -r "$fix" "$dir/$1"; echo "$dir/$1"; }
# run DOC TREE [--header H]: the checker's output in $out, its status in $rc.
run() {
	out=$(chk "${@:3}" "$1" "$2" 2>&1)
	rc=$?
}

# A field missing from tracefs (the doc still lists it): exactly one line.
m=$(mutant missing)
sed -i '/field:u32 device;/d' "$m/svm_ioctl/format"
run "$doc" "$m"
t_eq "a field missing from tracefs exits 1" 1 "$rc"
t_grep "... names the documented field" "^$P: $doc:[0-9]+: svm_ioctl: documented field 'u32 device' is not in tracefs\$" "$out"
t_grep "... and counts one mismatch" "^$P: 1 mismatch between $doc and $m\$" "$out"

# A field tracefs has and the doc does not (a field added to the module
# before its doc row).
m=$(mutant extra)
sed -i 's/^\(\tfield:u32 stage;.*\)$/\1\n\tfield:u32 node;\toffset:20;\tsize:4;\tsigned:0;/' "$m/svm_stage_end/format"
run "$doc" "$m"
t_eq "a field added in tracefs exits 1" 1 "$rc"
t_grep "... names it and its type" "^$P: $doc:[0-9]+: svm_stage_end: field 'u32 node' of tracefs is missing from the table\$" "$out"
t_grep "... one mismatch" "^$P: 1 mismatch " "$out"

# A renamed field: missing under one name, extra under the other.
m=$(mutant renamed)
sed -i 's/field:u32 reason;/field:u32 why;/' "$m/svm_reject/format"
run "$doc" "$m"
t_eq "a renamed field exits 1" 1 "$rc"
t_grep "... the new name is not documented" "^$P: $doc:[0-9]+: svm_reject: field 'u32 why' of tracefs is missing from the table\$" "$out"
t_grep "... the old name is not in tracefs" "^$P: $doc:[0-9]+: svm_reject: documented field 'u32 reason' is not in tracefs\$" "$out"
t_grep "... two mismatches" "^$P: 2 mismatches " "$out"

# A field whose type changed.
m=$(mutant retyped)
sed -i 's/field:s32 result;\(.*\)signed:1;/field:u32 result;\1signed:0;/' "$m/svm_verify/format"
run "$doc" "$m"
t_eq "a retyped field exits 1" 1 "$rc"
line=$(grep -n '^| result | s32 | 0 match' "$doc" | cut -d: -f1)
t_grep "... names both types and the doc's row" "^$P: $doc:$line: svm_verify: field 'result' is s32 in the doc, u32 in tracefs\$" "$out"

# An event tracefs has and the doc does not.
m=$(mutant undocumented)
mkdir "$m/svm_bogus"
sed 's/^name: svm_inject$/name: svm_bogus/' "$m/svm_inject/format" >"$m/svm_bogus/format"
run "$doc" "$m"
t_eq "an undocumented event exits 1" 1 "$rc"
t_grep "... names it" "^$P: $m/svm_bogus: event is not documented in $doc " "$out"

# A documented event tracefs lacks.
m=$(mutant gone)
rm -r "$m/svm_devmem_release"
run "$doc" "$m"
t_eq "a documented event missing from tracefs exits 1" 1 "$rc"
t_grep "... names it" "^$P: $doc:[0-9]+: svm_devmem_release: documented event is not in $m\$" "$out"

# Print formats are not compared: the enums may print symbolically.
m=$(mutant symbolic)
sed -i 's/^print fmt: .*/print fmt: "id=%llu stage=%s", REC->id, __print_symbolic(REC->stage, { 0, "COLLECT" }, { 1, "POPULATE" })/' \
	"$m/svm_stage_end/format"
t_grep "... (the mutant prints symbolically)" '__print_symbolic\(REC->stage' "$(cat "$m/svm_stage_end/format")"
t_expect "a changed print fmt alone is no mismatch" 0 "^$P: ok: " chk "$doc" "$m"

# The doc side: a row added to a table but not to its TP_PROTO (nor tracefs).
awk '{ print } /^\| stage \| u32 \| stage \|$/ { print "| node | u32 | NUMA node |" }' \
	"$doc" >"$dir/doc-row.md"
run "$dir/doc-row.md" "$fix"
t_eq "a documented row tracefs lacks exits 1" 1 "$rc"
t_grep "... not in tracefs" "^$P: $dir/doc-row.md:[0-9]+: svm_stage_end: documented field 'u32 node' is not in tracefs\$" "$out"
t_grep "... nor in the section's TP_PROTO" "^$P: $dir/doc-row.md:[0-9]+: svm_stage_end: table field 'u32 node' is not a TP_PROTO argument\$" "$out"

# A TP_PROTO whose order differs from the header's: the raw_tp/tp_btf ABI.
sed 's/TP_PROTO(u64 id, u32 device, u32 reason, u32 attempt, u32 timeslice_ms)/TP_PROTO(u64 id, u32 device, u32 attempt, u32 reason, u32 timeslice_ms)/' \
	"$hdr" >"$dir/trace.h"
run "$doc" "$fix" --header "$dir/trace.h"
t_eq "a TP_PROTO reordered in the header exits 1" 1 "$rc"
t_grep "... shows both orders" \
	"^$P: $dir/trace.h:[0-9]+: svm_retry: TP_PROTO\(u64 id, u32 device, u32 attempt, u32 reason, u32 timeslice_ms\) but $doc:[0-9]+ says TP_PROTO\(u64 id, u32 device, u32 reason, u32 attempt, u32 timeslice_ms\)\$" \
	"$out"

# A pointer argument (svm_migrate_end's stage times) reaches BPF only: it has
# no row, but it is part of the TP_PROTO both sides must agree on.
sed 's/, const struct svm_pagemap_stage_times \*stages)`/)`/' "$doc" >"$dir/doc-noptr.md"
run "$dir/doc-noptr.md" "$fix" --header "$hdr"
t_eq "svm_migrate_end's BPF-only argument left out of the doc's TP_PROTO exits 1" 1 "$rc"
t_grep "... shows the header's TP_PROTO with it" \
	"^$P: $hdr:[0-9]+: svm_migrate_end: TP_PROTO\(.*u64 duration_ns, const struct svm_pagemap_stage_times \*stages\) but $dir/doc-noptr.md:[0-9]+ says TP_PROTO\(.*u64 duration_ns\)\$" \
	"$out"
t_eq "... and is the only mismatch (no table row is asked of it)" 1 "$(grep -c "^$P: .*:[0-9]*: " <<<"$out")"

# A section without its table is reported, not skipped.
awk '/^### svm_inject$/ { s = 1 } /^### / && !/svm_inject/ { s = 0 } !(s && /^\|/)' "$doc" >"$dir/doc-notable.md"
run "$dir/doc-notable.md" "$fix"
t_eq "a section without a field table exits 1" 1 "$rc"
t_grep "... says which" "^$P: $dir/doc-notable.md:[0-9]+: svm_inject: no '\| field \| type \| meaning \|' table\$" "$out"

rm -rf "$dir"
