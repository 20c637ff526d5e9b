/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records as a timeline: the Trace Event Format JSON that Perfetto UI,
 * chrome://tracing and speedscope open.  One process track per process and
 * one per device; each migration an "X" slice with its stages nested in it,
 * overlapping migrations of one process (or device) on lanes of their own
 * (threads 1, 2, ...), retries, timeslice holds, failed (-EBUSY) migrations
 * and evictions as "i" instants on thread 0, IOVA bytes in use as a "C"
 * counter per device.  Written as a stream, one event per line; only the
 * per-migration index is kept in memory.  Pure formatting, no libbpf:
 * unit-tested on the host (tests/unit/test_trace_event.c).
 */
#ifndef SVMTRACE_TRACE_EVENT_H
#define SVMTRACE_TRACE_EVENT_H

#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#include "svmtrace.h"
#include "svmtrace_render.h"

/* Device tracks are processes with these ids (above any pid_max, 2^22). */
#define SVMTRACE_TRACE_EVENT_DEVICE_PID	0x40000000u

/**
 * struct svmtrace_trace_event_opts - what to write
 * @filter: the records to keep (NULL: all); its stage picks the stages drawn
 *          inside the migrations (SVMTRACE_STAGE_TOTAL: none), the other
 *          fields apply to every record
 * @source: where the records came from ("record file", "perf script")
 * @file: its name, for the trace's otherData
 * @kernel_release: of the recording machine, or NULL
 */
struct svmtrace_trace_event_opts {
	const struct svmtrace_filter *filter;
	const char *source;
	const char *file;
	const char *kernel_release;
};

/**
 * struct svmtrace_trace_event_stats - what was written
 * @events: trace events in the file (metadata included)
 * @migrations: migration slices (those without an end record included)
 * @unended: migrations whose svm_migrate_end is not in the records: drawn
 *           from their first stage's start to their last stage's end
 * @stages: stage slices
 * @instants: instant events
 * @counters: counter events
 * @widened: migrations drawn wider than their own duration to hold a
 *           stage whose [end - duration, end] sticks out of it
 * @widened_max_ns: the most one was widened by
 * @shifted: stages drawn from the previous stage's end because their
 *           computed start fell before it
 * @shifted_max_ns: the most one was shifted by
 * @lanes_max: most lanes one track needed (concurrent migrations)
 */
struct svmtrace_trace_event_stats {
	uint64_t events;
	uint64_t migrations;
	uint64_t unended;
	uint64_t stages;
	uint64_t instants;
	uint64_t counters;
	uint64_t widened;
	uint64_t widened_max_ns;
	uint64_t shifted;
	uint64_t shifted_max_ns;
	uint64_t lanes_max;
};

int svmtrace_trace_event_write(FILE *out, const struct svmtrace_record *recs, uint64_t n,
			       const struct svmtrace_trace_event_opts *o,
			       struct svmtrace_trace_event_stats *st);

#endif /* SVMTRACE_TRACE_EVENT_H */
