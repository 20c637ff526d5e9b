// SPDX-License-Identifier: GPL-2.0
/* svmtop's delta and rate maths (see svmtrace_topmodel.h). */
#include <stdlib.h>
#include <string.h>

#include "svmtrace_topmodel.h"

#define PAGE_BYTES 4096.0

/* Per-second rate of a counter; a counter that went backwards restarted. */
double svmtrace_rate(uint64_t now, uint64_t before, double seconds)
{
	if (seconds <= 0)
		return 0;
	return (double)(now >= before ? now - before : now) / seconds;
}

static const struct svmtrace_top_sample *find(const struct svmtrace_top_sample *s, size_t n,
					      uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].id == id)
			return &s[i];
	return NULL;
}

/*
 * One row per sample in @now; a sample absent from @before is new and its
 * totals all fall in this window.  Returns the number of rows written.
 */
size_t svmtrace_top_rows(const struct svmtrace_top_sample *now, size_t n_now,
			 const struct svmtrace_top_sample *before, size_t n_before,
			 double seconds, struct svmtrace_top_row *rows)
{
	static const struct svmtrace_top_sample zero;
	size_t i;
	int d;

	for (i = 0; i < n_now; i++) {
		const struct svmtrace_top_sample *b = find(before, n_before, now[i].id);
		struct svmtrace_top_row *r = &rows[i];

		if (!b)
			b = &zero;
		memset(r, 0, sizeof(*r));
		r->id = now[i].id;
		memcpy(r->comm, now[i].comm, sizeof(r->comm));
		r->comm[sizeof(r->comm) - 1] = '\0';
		r->migrations_s = svmtrace_rate(now[i].migrations, b->migrations, seconds);
		for (d = 0; d < SVM_PAGEMAP_DIR_COUNT; d++)
			r->bytes_s[d] = svmtrace_rate(now[i].pages[d], b->pages[d], seconds) * PAGE_BYTES;
		r->retries_s = svmtrace_rate(now[i].retries, b->retries, seconds);
		r->holds_s = svmtrace_rate(now[i].timeslice_holds, b->timeslice_holds, seconds);
		r->pingpong = now[i].pingpong;
		r->p50_ns = now[i].p50_ns;
		r->p99_ns = now[i].p99_ns;
	}
	return n_now;
}

static enum svmtrace_top_sort sort_key;

static double sort_value(const struct svmtrace_top_row *r)
{
	switch (sort_key) {
	case SVMTRACE_SORT_MIGRATIONS: return r->migrations_s;
	case SVMTRACE_SORT_TO_DEV: return r->bytes_s[0];
	case SVMTRACE_SORT_TO_RAM: return r->bytes_s[1];
	case SVMTRACE_SORT_RETRIES: return r->retries_s + r->holds_s;
	case SVMTRACE_SORT_P99: return r->p99_ns;
	default: return -(double)r->id;
	}
}

static int row_cmp(const void *a, const void *b)
{
	const struct svmtrace_top_row *x = a, *y = b;
	double vx = sort_value(x), vy = sort_value(y);

	/* descending by value, then ascending id for a stable screen */
	if (vx != vy)
		return vx < vy ? 1 : -1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void svmtrace_top_sort(struct svmtrace_top_row *rows, size_t n, enum svmtrace_top_sort key)
{
	sort_key = key;
	qsort(rows, n, sizeof(*rows), row_cmp);
}

const char *svmtrace_top_sort_name(enum svmtrace_top_sort key)
{
	static const char *const names[SVMTRACE_SORT_MAX] = {
		"migrations/s", "to_dev bytes/s", "to_ram bytes/s", "retries+holds/s", "p99", "id",
	};

	return key < SVMTRACE_SORT_MAX ? names[key] : "?";
}

/* What the BPF programs cost over a window, from BPF_ENABLE_STATS totals. */
void svmtrace_bpf_cost_rates(uint64_t ns_now, uint64_t cnt_now, uint64_t ns_before,
			     uint64_t cnt_before, double seconds, double *ns_per_event,
			     double *events_s, double *cpu_pct)
{
	uint64_t dns = ns_now >= ns_before ? ns_now - ns_before : ns_now;
	uint64_t dcnt = cnt_now >= cnt_before ? cnt_now - cnt_before : cnt_now;

	*ns_per_event = dcnt ? (double)dns / (double)dcnt : 0;
	*events_s = seconds > 0 ? (double)dcnt / seconds : 0;
	*cpu_pct = seconds > 0 ? (double)dns / (seconds * 1e9) * 100.0 : 0;
}
