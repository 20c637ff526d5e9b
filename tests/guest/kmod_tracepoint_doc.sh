# SPDX-License-Identifier: GPL-2.0
# docs/tracepoints.md against the loaded module's own event formats in
# tracefs: every event documented and every documented event there, every
# field with its documented name and type, none missing, none extra
# (scripts/check-tracepoint-doc.py; its host test covers the checker).

ev=/sys/kernel/tracing/events/svm_pagemap
doc=$T_REPO/docs/tracepoints.md

if [ ! -d "$ev" ]; then
	t_fail "svm_pagemap events in tracefs" "$ev missing"
	return 0 2>/dev/null || exit 0
fi
n=$(find "$ev" -mindepth 2 -maxdepth 2 -name format | wc -l)
# The header declares one event per TRACE_EVENT or DEFINE_EVENT.
t_eq "tracefs has every event of svm_pagemap_trace.h" \
	"$(grep -cE '^(TRACE_EVENT|DEFINE_EVENT)\(' "$T_REPO/kmod/svm_pagemap_trace.h")" "$n"

out=$(python3 -S "$T_REPO/scripts/check-tracepoint-doc.py" "$doc" "$ev" 2>&1)
rc=$?
if [ $rc = 0 ]; then
	t_grep "docs/tracepoints.md matches the $n event formats in tracefs" \
		"^check-tracepoint-doc: ok: $n events, [0-9]+ fields of $ev match " "$out"
elif [ $rc = 1 ]; then
	# one failure per mismatch, so each names its event and field
	nfail=0
	while IFS= read -r line; do
		case $line in
		"check-tracepoint-doc: "[0-9]*" mismatch"*) ;;
		*)
			t_fail "docs/tracepoints.md matches the event formats in tracefs" "${line#check-tracepoint-doc: }"
			nfail=$((nfail + 1))
			;;
		esac
	done <<<"$out"
	[ $nfail != 0 ] ||
		t_fail "docs/tracepoints.md matches the event formats in tracefs" "checker exited 1: $(tr '\n' ' ' <<<"$out")"
else
	t_fail "docs/tracepoints.md matches the event formats in tracefs" "checker exited $rc: $(tr '\n' ' ' <<<"$out")"
fi
