/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the text 'perf script' prints for svm_pagemap:* tracepoints and
 * turning it into the per-event records svmtrace record would have written
 * for the same run, so that svmtrace report builds its histograms from perf
 * without BPF.  Pure text parsing, no libbpf: unit-tested on the host.
 */
#ifndef SVMTRACE_PERFSCRIPT_H
#define SVMTRACE_PERFSCRIPT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#include "svmtrace.h"

/* What svmtrace_perfscript_read() found, besides 0 for good input. */
enum svmtrace_perfscript_error {
	SVMTRACE_PERFSCRIPT_OK,
	SVMTRACE_PERFSCRIPT_ERR_IO,		/* cannot read (errno in the message) */
	SVMTRACE_PERFSCRIPT_ERR_NOT_TEXT,	/* perf.data, a record file, no event lines */
	SVMTRACE_PERFSCRIPT_ERR_MALFORMED,	/* a line it cannot read: see ->first_bad_line */
	SVMTRACE_PERFSCRIPT_ERR_NOMEM,
};

/**
 * struct svmtrace_perfscript_info - what the text held besides the records
 * @lines: lines read
 * @events: svm_pagemap events, per enum svmtrace_event
 * @unknown_svm_events: svm_pagemap events this svmtrace does not know (newer module)
 * @other_events: events of other systems (sched:..., cycles...), skipped
 * @other_lines: blank, '#' header and call-chain lines, skipped
 * @malformed: lines that could not be read (skipped only with @partial)
 * @first_bad_line: line number of the first malformed line (0: none)
 * @pid_column: every event line had a pid (or pid/tid) column
 * @tid_only: at least one line showed only a thread id (perf script's default)
 * @first_ts_ns: timestamp of the first svm_pagemap event line (0: no time column)
 * @last_ts_ns: timestamp of the last one
 */
struct svmtrace_perfscript_info {
	uint64_t lines;
	uint64_t events[SVMTRACE_EV_MAX];
	uint64_t unknown_svm_events;
	uint64_t other_events;
	uint64_t other_lines;
	uint64_t malformed;
	uint64_t first_bad_line;
	bool pid_column;
	bool tid_only;
	uint64_t first_ts_ns;
	uint64_t last_ts_ns;
};

int svmtrace_perfscript_read(FILE *in, bool partial, struct svmtrace_perfscript_info *info,
			     struct svmtrace_record **records, uint64_t *nrecords,
			     char *msg, size_t msglen);

/*
 * Flags of svmtrace_perfscript_read_ex().  With SIDE_EVENTS, svm_retry,
 * svm_timeslice_hold and svm_evict_retry lines become records too (for the
 * timeline, svmtrace_trace_event.h), with their own event and these fields:
 *   retry:          id, device, path = retry reason, npages = attempt,
 *                   duration_ns = timeslice_ms of the next attempt in ns
 *   timeslice_hold: id = alloc_id, start = address, device,
 *                   duration_ns = remaining_ns
 *   evict_retry:    id, start = alloc_id, device, path = retry reason,
 *                   npages = attempt, result = error
 * (stage SVMTRACE_STAGE_TOTAL, direction and trigger SVMTRACE_ALL).  The
 * histogram builders skip them as they skip any other event.
 */
#define SVMTRACE_PERFSCRIPT_PARTIAL	(1u << 0)
#define SVMTRACE_PERFSCRIPT_SIDE_EVENTS	(1u << 1)

int svmtrace_perfscript_read_ex(FILE *in, unsigned int flags, struct svmtrace_perfscript_info *info,
				struct svmtrace_record **records, uint64_t *nrecords,
				char *msg, size_t msglen);

#endif /* SVMTRACE_PERFSCRIPT_H */
