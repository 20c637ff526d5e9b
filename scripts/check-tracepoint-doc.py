#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare docs/tracepoints.md with the svm_pagemap events of tracefs.

    check-tracepoint-doc.py [--header TRACE_H] DOC EVENTS_DIR

EVENTS_DIR is /sys/kernel/tracing/events/svm_pagemap (or a copy of it).
Every event directory's `format` file is read; its fields, common_* aside,
must be exactly those of the event's `| field | type | meaning |` table in
the `## Events` part of DOC, with the type spelled as the format file spells
it (u32, s32, u64).  Row order is not compared.  Every event of EVENTS_DIR
must have a `### name` section (`### a, b` for events sharing one table) and
every documented event must exist.  Each section's `TP_PROTO(...)` must name
the same arguments (type and name) as its table, pointer arguments aside:
those reach BPF programs only and are not in the record.

With --header, the TP_PROTO of each event in TRACE_H (kmod/svm_pagemap_trace.h)
must also be the documented one, in the same order: that is the raw_tp and
tp_btf argument order, which tracefs does not show.

One line per mismatch; exit 0 when all agree, 1 on a mismatch, 2 when an
input cannot be read or has no events.
"""

import os
import re
import sys

PROG = "check-tracepoint-doc"
EVENT_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class Fatal(Exception):
    pass


def cells(line):
    """The cells of a markdown table row, stripped and without backticks."""
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip().strip("`").strip() for c in line.split("|")]


def parse_args(text):
    """'u64 id, const struct s *p' -> [('u64', 'id'), ('const struct s *', 'p')]; None if malformed."""
    args = []
    for a in text.split(","):
        a = " ".join(a.split())
        m = re.match(r"^(.+?)( \*?|\*)([A-Za-z_][A-Za-z0-9_]*)$", a)
        if not m or m.group(1).endswith("*"):
            return None
        args.append((m.group(1) + (" *" if "*" in m.group(2) else ""), m.group(3)))
    return args


def bpf_only(arg):
    """A pointer argument reaches BPF programs only: it is no field of the record."""
    return arg[0].endswith("*")


def parse_doc(path, problems):
    """{event: {'line', 'fields': {name: (type, line)}, 'table_line', 'proto', 'proto_line'}}."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as e:
        raise Fatal("cannot read %s: %s" % (path, e.strerror))
    events = {}
    sections = []  # [names, heading line, first body line, end line]
    in_events = False
    for i, line in enumerate(lines):
        if line.startswith("## "):
            in_events = line[3:].strip() == "Events"
            if sections and sections[-1][3] is None:
                sections[-1][3] = i
            continue
        if in_events and line.startswith("### "):
            if sections and sections[-1][3] is None:
                sections[-1][3] = i
            names = [n.strip().strip("`").strip() for n in line[4:].split(",")]
            sections.append([names, i + 1, i + 1, None])
    if not sections:
        raise Fatal("%s: no '### event' sections under '## Events'" % path)
    if sections[-1][3] is None:
        sections[-1][3] = len(lines)

    for names, hline, start, end in sections:
        bad = [n for n in names if not EVENT_NAME.match(n)]
        if bad:
            problems.append("%s:%d: heading names no event: '%s'" % (path, hline, lines[hline - 1]))
            continue
        body = lines[start:end]
        fields, table_line, proto, proto_line = None, None, None, None
        j = 0
        while j < len(body):
            row = body[j]
            if row.lstrip().startswith("|") and [c.lower() for c in cells(row)][:3] == ["field", "type", "meaning"]:
                if fields is not None:
                    problems.append("%s:%d: %s: a second field table (one per section)"
                                    % (path, start + j + 1, names[0]))
                    break
                fields, table_line = {}, start + j + 1
                j += 2  # the header and its |---| line
                while j < len(body) and body[j].lstrip().startswith("|"):
                    c = cells(body[j])
                    lno = start + j + 1
                    if len(c) < 3 or not c[0] or not c[1]:
                        problems.append("%s:%d: %s: row is not 'field | type | meaning'" % (path, lno, names[0]))
                    elif c[0] in fields:
                        problems.append("%s:%d: %s: field '%s' listed twice" % (path, lno, names[0], c[0]))
                    else:
                        fields[c[0]] = (" ".join(c[1].split()), lno)
                    j += 1
                continue
            m = re.search(r"`TP_PROTO\(([^)`]*)\)`", row)
            if m and proto is None:
                # a TP_PROTO may wrap: join the lines up to the closing backtick
                proto, proto_line = m.group(1), start + j + 1
            elif "`TP_PROTO(" in row and proto is None:
                k, text = j, row
                while ")`" not in text and k + 1 < len(body):
                    k += 1
                    text += " " + body[k]
                m = re.search(r"`TP_PROTO\(([^)`]*)\)`", text)
                if m:
                    proto, proto_line = m.group(1), start + j + 1
            j += 1
        for n in names:
            if n in events:
                problems.append("%s:%d: %s: documented twice (also line %d)" % (path, hline, n, events[n]["line"]))
                continue
            events[n] = {"line": hline, "fields": fields, "table_line": table_line,
                         "proto": None, "proto_line": proto_line}
            if fields is None:
                problems.append("%s:%d: %s: no '| field | type | meaning |' table" % (path, hline, n))
            if proto is None:
                problems.append("%s:%d: %s: no `TP_PROTO(...)`" % (path, hline, n))
            else:
                args = parse_args(proto)
                if args is None:
                    problems.append("%s:%d: %s: cannot read `TP_PROTO(%s)`" % (path, proto_line, n, proto))
                else:
                    events[n]["proto"] = args
    return events


def parse_format(path):
    """[(type, name)] of a tracefs format file, common_* fields left out."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise Fatal("cannot read %s: %s" % (path, e.strerror))
    if "\nformat:" not in "\n" + text:
        raise Fatal("%s: not a tracefs format file (no 'format:' line)" % path)
    fields = []
    for line in text.split("\n"):
        m = re.match(r"^\s*field:(.*?);\s*offset:", line)
        if not m:
            continue
        decl = " ".join(m.group(1).split())
        am = re.match(r"^(.*\S)\s+([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?$", decl)
        if not am:
            raise Fatal("%s: cannot read field '%s'" % (path, decl))
        ftype, name = am.group(1), am.group(2)
        if am.group(3):
            ftype += am.group(3)
        if not name.startswith("common_"):
            fields.append((ftype, name))
    return fields


def parse_header(path):
    """{event: ([(type, name)] of TP_PROTO, line)} of a trace header."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise Fatal("cannot read %s: %s" % (path, e.strerror))
    protos, classes = {}, {}
    pat = re.compile(r"\b(TRACE_EVENT|DECLARE_EVENT_CLASS|DEFINE_EVENT)\(\s*(\w+)\s*,"
                     r"\s*(?:(\w+)\s*,\s*)?TP_PROTO\(([^)]*)\)")
    for m in pat.finditer(text):
        kind, a, b, args = m.groups()
        line = text.count("\n", 0, m.start()) + 1
        parsed = parse_args(args)
        if parsed is None:
            raise Fatal("%s:%d: cannot read TP_PROTO(%s)" % (path, line, " ".join(args.split())))
        if kind == "DECLARE_EVENT_CLASS":
            classes[a] = parsed
        elif kind == "DEFINE_EVENT":
            protos[b] = (parsed, line)
        else:
            protos[a] = (parsed, line)
    if not protos:
        raise Fatal("%s: no TRACE_EVENT or DEFINE_EVENT" % path)
    return protos


def show(args):
    return ", ".join(t + n if t.endswith("*") else "%s %s" % (t, n) for t, n in args)


def check(doc, events_dir, header):
    problems = []
    documented = parse_doc(doc, problems)
    if not os.path.isdir(events_dir):
        raise Fatal("%s: no such directory (is the module loaded and tracefs mounted?)" % events_dir)
    live = sorted(e for e in os.listdir(events_dir) if os.path.isdir(os.path.join(events_dir, e)))
    if not live:
        raise Fatal("%s: no events" % events_dir)
    nfields = 0

    for ev in live:
        fmt = parse_format(os.path.join(events_dir, ev, "format"))
        d = documented.get(ev)
        if d is None:
            problems.append("%s/%s: event is not documented in %s (no '### %s' under '## Events')"
                            % (events_dir, ev, doc, ev))
            continue
        if d["fields"] is None:
            continue
        nfields += len(fmt)
        where = "%s:%d: %s" % (doc, d["table_line"], ev)
        names = set()
        for ftype, name in fmt:
            names.add(name)
            if name not in d["fields"]:
                problems.append("%s: field '%s %s' of tracefs is missing from the table" % (where, ftype, name))
            elif d["fields"][name][0] != ftype:
                problems.append("%s:%d: %s: field '%s' is %s in the doc, %s in tracefs"
                                % (doc, d["fields"][name][1], ev, name, d["fields"][name][0], ftype))
        for name, (dtype, lno) in d["fields"].items():
            if name not in names:
                problems.append("%s:%d: %s: documented field '%s %s' is not in tracefs" % (doc, lno, ev, dtype, name))

    for ev, d in sorted(documented.items()):
        if ev not in live:
            problems.append("%s:%d: %s: documented event is not in %s" % (doc, d["line"], ev, events_dir))
        if d["proto"] is None or d["fields"] is None:
            continue
        table = {(t, n) for n, (t, _) in d["fields"].items()}
        for arg in d["proto"]:
            if arg not in table and not bpf_only(arg):
                problems.append("%s:%d: %s: TP_PROTO argument '%s %s' is not a field of the table"
                                % (doc, d["proto_line"], ev, arg[0], arg[1]))
        for arg in sorted(table - set(d["proto"]), key=lambda a: a[1]):
            problems.append("%s:%d: %s: table field '%s %s' is not a TP_PROTO argument"
                            % (doc, d["fields"][arg[1]][1], ev, arg[0], arg[1]))

    if header:
        protos = parse_header(header)
        for ev, (args, line) in sorted(protos.items()):
            d = documented.get(ev)
            if d is None:
                problems.append("%s:%d: %s: event is not documented in %s" % (header, line, ev, doc))
            elif d["proto"] is not None and d["proto"] != args:
                problems.append("%s:%d: %s: TP_PROTO(%s) but %s:%d says TP_PROTO(%s)"
                                % (header, line, ev, show(args), doc, d["proto_line"], show(d["proto"])))
        for ev, d in sorted(documented.items()):
            if ev not in protos:
                problems.append("%s:%d: %s: documented event is not in %s" % (doc, d["line"], ev, header))

    return problems, len(live), nfields


def main(argv):
    header = None
    if len(argv) >= 2 and argv[0] == "--header":
        header, argv = argv[1], argv[2:]
    if len(argv) != 2 or argv[0].startswith("-"):
        sys.stderr.write("usage: %s [--header TRACE_H] DOC EVENTS_DIR\n" % PROG)
        return 2
    doc, events_dir = argv[0], argv[1].rstrip("/") or "/"
    try:
        problems, nevents, nfields = check(doc, events_dir, header)
    except Fatal as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        return 2
    for p in problems:
        print("%s: %s" % (PROG, p))
    if problems:
        print("%s: %d mismatch%s between %s and %s"
              % (PROG, len(problems), "" if len(problems) == 1 else "es", doc, events_dir))
        return 1
    print("%s: ok: %d events, %d fields of %s match %s%s"
          % (PROG, nevents, nfields, events_dir, doc, " and the TP_PROTO of " + header if header else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
