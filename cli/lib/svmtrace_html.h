/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmtrace report --html: one self-contained HTML page (inline CSS and
 * SVG, no script, nothing fetched) showing a run per direction: the share
 * of each stage in the migration total, a heatmap of migration latency
 * over time, the latency distribution of every histogram key, and the
 * counters.  Every number comes from the structures behind report -j and is
 * in the page twice: as text, and in data-* attributes for tools and tests.
 */
#ifndef SVMTRACE_HTML_H
#define SVMTRACE_HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "svmtrace_render.h"
#include "svmtrace_replay.h"

/* Time columns of the heatmaps, over the run's span. */
#define SVMTRACE_HTML_HEAT_COLS 60

/**
 * struct svmtrace_html_run - what the page says about the run
 * @file: the input's name (escaped in the page)
 * @kernel_release: uname -r of the recording machine ("" or NULL: unknown)
 * @source: "module", "kernel" or "perf script"
 * @programs: the BPF programs that recorded ("tp_btf", ...), or NULL
 * @seconds: the recording's length, as report -j's "seconds"
 * @records: records read, as report -j's "records"
 * @lost: records lost while recording
 * @complete: the file was whole (report -j's "complete")
 * @counters: the kernel's counters at the end (enum svmtrace_counter), or
 *	NULL when the input has none (perf script, truncated file)
 * @t0_ns: start of the time axis (CLOCK_MONOTONIC of the records); 0 or
 *	after the first record: the first record's time
 * @t1_ns: its end; 0 or before the last record: the last record's time
 */
struct svmtrace_html_run {
	const char *file;
	const char *kernel_release;
	const char *source;
	const char *programs;
	double seconds;
	uint64_t records;
	uint64_t lost;
	bool complete;
	const uint64_t *counters;
	uint64_t t0_ns;
	uint64_t t1_ns;
};

int svmtrace_html_write(FILE *out, const struct svmtrace_html_run *run,
			const struct svmtrace_render_opts *o, const struct svmtrace_filter *f,
			const struct svmtrace_record *recs, uint64_t n,
			const struct svmtrace_replay *rp);
void svmtrace_html_escape(FILE *out, const char *s);

#endif /* SVMTRACE_HTML_H */
