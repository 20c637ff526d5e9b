// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a record file as svmtrace report and gate --record read
 * it (svmtrace_recfile_read), then the records it gives back through the
 * replay into histograms, the way report uses them, truncated files
 * included (report --partial).
 */
#include <stdlib.h>

#include "fuzz_util.h"
#include "svmtrace_recfile.h"
#include "svmtrace_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svmtrace_render_opts by_all = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter all = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_hist_entry *entries = NULL;
	struct svmtrace_recfile_info info;
	struct svmtrace_record *recs = NULL;
	char msg[512];
	size_t n = 0;
	uint64_t count;
	int ret;

	ret = svmtrace_recfile_read(fuzz_input_path(data, size), &info, &recs, msg, sizeof(msg));
	if (ret && ret != SVMTRACE_RECFILE_ERR_TRUNCATED) {
		/* Every refusal must say why. */
		if (!msg[0] || recs)
			abort();
		return 0;
	}
	count = ret ? info.readable : info.record_count;
	by_all.by[SVMTRACE_DIM_TRIGGER] = by_all.by[SVMTRACE_DIM_DEVICE] = true;
	by_all.by[SVMTRACE_DIM_PATH] = true;
	if (!svmtrace_entries_from_records(recs, count, &all, &by_all, &entries, &n))
		svmtrace_entries_free(entries, n);
	free(recs);
	return 0;
}
