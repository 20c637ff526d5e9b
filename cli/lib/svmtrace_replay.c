// SPDX-License-Identifier: GPL-2.0
/*
 * Rebuilding the histograms of svmtrace hist from per-event records: every
 * svm_stage_end and svm_migrate_end record adds its duration to the
 * histogram of its (projected) key, bucketed exactly as the BPF side does,
 * and is kept so that percentiles can be read exactly from sorted values.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svmtrace_histogram.h"
#include "svmtrace_render.h"

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int keep_value(struct svmtrace_hist_entry *e, uint64_t v)
{
	if (e->nvalues == e->cap) {
		uint64_t ncap = e->cap ? e->cap * 2 : 64, *nv;

		nv = realloc(e->values, ncap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		e->values = nv;
		e->cap = ncap;
	}
	e->values[e->nvalues++] = v;
	return 0;
}

/*
 * Entries (sorted by key, each with its sorted values) for the latency
 * records among @recs that @f keeps; 0 or -ENOMEM.
 */
int svmtrace_entries_from_records(const struct svmtrace_record *recs, uint64_t n,
				  const struct svmtrace_filter *f,
				  const struct svmtrace_render_opts *o,
				  struct svmtrace_hist_entry **out, size_t *nout)
{
	struct svmtrace_hist_entry *entries = NULL, *e;
	size_t count = 0, cap = 0, i;
	uint64_t r;

	for (r = 0; r < n; r++) {
		const struct svmtrace_record *rec = &recs[r];
		struct svmtrace_hist_key key = {
			.stage = rec->stage,
			.direction = rec->direction,
			.trigger = rec->trigger,
			.path = rec->path,
			.device = rec->device,
			.pid = rec->pid,
			.cgroup = rec->cgroup,
		};

		if (rec->event != SVM_PAGEMAP_EV_STAGE_END && rec->event != SVM_PAGEMAP_EV_MIGRATE_END)
			continue;
		if (!svmtrace_filter_match(f, rec))
			continue;
		svmtrace_project_key(o, &key);
		e = svmtrace_entries_find(&entries, &count, &cap, &key);
		if (!e || keep_value(e, rec->duration_ns))
			goto nomem;
		svmtrace_histo_add(&e->hist, rec->duration_ns);
	}
	for (i = 0; i < count; i++) {
		qsort(entries[i].values, entries[i].nvalues, sizeof(uint64_t), u64_cmp);
		if (!entries[i].values)	/* never: an entry has a value; keep "exact" honest */
			goto nomem;
	}
	svmtrace_entries_sort(entries, count);
	*out = entries;
	*nout = count;
	return 0;
nomem:
	svmtrace_entries_free(entries, count);
	*out = NULL;
	*nout = 0;
	return -ENOMEM;
}
