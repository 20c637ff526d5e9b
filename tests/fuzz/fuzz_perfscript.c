// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: 'perf script' text as svmtrace report --perf reads it
 * (svmtrace_perfscript_read), strict and with --partial, then the records
 * through the replay into histograms.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "svmtrace_perfscript.h"
#include "svmtrace_render.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_once(data, size, false);
	read_once(data, size, true);
	return 0;
}
