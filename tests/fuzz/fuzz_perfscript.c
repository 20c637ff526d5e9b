// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: 'perf script' text as svmtrace report --perf reads it
 * (svmtrace_perfscript_read), strict and with --partial, then the records
 * through the replay into histograms; and with the side events of
 * report --trace-event, through the timeline writer.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "svmtrace_perfscript.h"
#include "svmtrace_render.h"
#include "svmtrace_trace_event.h"

static void read_once(const uint8_t *data, size_t size, bool partial)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter all = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_hist_entry *entries = NULL;
	struct svmtrace_perfscript_info info;
	struct svmtrace_record *recs = NULL;
	uint64_t nrecs = 0;
	char msg[512] = "";
	size_t n = 0;
	FILE *f;
	int ret;

	/* fmemopen() refuses a zero-sized buffer; /dev/null is the empty input. */
	f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!f)
		abort();
	ret = svmtrace_perfscript_read(f, partial, &info, &recs, &nrecs, msg, sizeof(msg));
	fclose(f);
	if (ret && !msg[0])
		abort();	/* a refusal that does not say why */
	if (!ret) {
		o.by[SVMTRACE_DIM_PID] = info.pid_column;
		if (!svmtrace_entries_from_records(recs, nrecs, &all, &o, &entries, &n))
			svmtrace_entries_free(entries, n);
	}
	free(recs);
}

/* report --perf-script --partial --trace-event: every record a slice, instant or counter. */
static void timeline_once(const uint8_t *data, size_t size)
{
	struct svmtrace_trace_event_opts opts = { .source = "fuzz" };
	struct svmtrace_trace_event_stats st;
	struct svmtrace_perfscript_info info;
	struct svmtrace_record *recs = NULL;
	uint64_t nrecs = 0;
	char msg[512] = "";
	FILE *f, *out;

	f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!f)
		abort();
	if (!svmtrace_perfscript_read_ex(f, SVMTRACE_PERFSCRIPT_PARTIAL | SVMTRACE_PERFSCRIPT_SIDE_EVENTS,
					 &info, &recs, &nrecs, msg, sizeof(msg))) {
		out = fopen("/dev/null", "w");
		if (!out || svmtrace_trace_event_write(out, recs, nrecs, &opts, &st))
			abort();
		fclose(out);
	}
	fclose(f);
	free(recs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_once(data, size, false);
	read_once(data, size, true);
	timeline_once(data, size);
	return 0;
}
