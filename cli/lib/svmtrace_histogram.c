// SPDX-License-Identifier: GPL-2.0
/*
 * Percentiles from log-linear buckets.  A percentile's rank is found by a
 * cumulative walk; inside its bucket the value is interpolated linearly on
 * the rank, which for the usual smooth latency distributions lands far
 * closer than the bucket's 3% width, and is clamped to the recorded max.
 */
#include <math.h>

#include "svmtrace_histogram.h"

void svmtrace_histo_merge(struct svmtrace_hist *into, const struct svmtrace_hist *from)
{
	unsigned int i;

	into->count += from->count;
	into->sum += from->sum;
	if (from->max > into->max)
		into->max = from->max;
	for (i = 0; i < SVMTRACE_HIST_BUCKETS; i++)
		into->slots[i] += from->slots[i];
}

/*
 * What @now holds beyond @then, an earlier reading of the same cumulative
 * histogram: a window without emptying the map.  max stays the running
 * maximum (a window's own cannot be told from two readings).
 */
void svmtrace_histo_since(struct svmtrace_hist *now, const struct svmtrace_hist *then)
{
	unsigned int i;

	now->count -= then->count;
	now->sum -= then->sum;
	for (i = 0; i < SVMTRACE_HIST_BUCKETS; i++)
		now->slots[i] -= then->slots[i];
}

/* The same bucketing as the BPF side, for records replayed in user space. */
void svmtrace_histo_add(struct svmtrace_hist *h, uint64_t value)
{
	h->slots[svmtrace_hist_index(value)]++;
	h->count++;
	h->sum += value;
	if (value > h->max)
		h->max = value;
}

/* Rank of percentile @pct among @n values, 1-based (nearest-rank method). */
static uint64_t percentile_rank(uint64_t n, double pct)
{
	double x = pct * (double)n / 100.0, r = round(x);

	/* ceil, but 99.9% of 1000 is rank 999 although 0.999 has no exact double */
	if (fabs(x - r) > 1e-9 * (x > 1 ? x : 1))
		r = ceil(x);
	if (r < 1)
		return 1;
	/* >=: (double)n may round up to 2^64, which no uint64_t holds */
	if (r >= (double)n)
		return n;
	return (uint64_t)r;
}

double svmtrace_histo_percentile(const struct svmtrace_hist *h, double pct)
{
	uint64_t rank, seen = 0;
	unsigned int i;

	if (!h->count)
		return 0;
	rank = percentile_rank(h->count, pct);
	for (i = 0; i < SVMTRACE_HIST_BUCKETS; i++) {
		uint64_t c = h->slots[i];
		double lo, width, v;

		if (!c || seen + c < rank) {
			seen += c;
			continue;
		}
		lo = (double)svmtrace_hist_lower(i);
		width = (double)svmtrace_hist_width(i);
		if (width <= 1)
			return lo;
		/* The rank-th of c values spread evenly over [lo, lo + width). */
		v = lo + width * ((double)(rank - seen) - 0.5) / (double)c;
		if (h->max && v > (double)h->max)
			v = (double)h->max;
		return v;
	}
	return (double)h->max;
}

void svmtrace_histo_log2(const struct svmtrace_hist *h, uint64_t log2_slots[SVMTRACE_LOG2_SLOTS])
{
	unsigned int i;

	for (i = 0; i < SVMTRACE_LOG2_SLOTS; i++)
		log2_slots[i] = 0;
	/* Every fine bucket lies inside one power of two: fold by its lower bound. */
	for (i = 0; i < SVMTRACE_HIST_BUCKETS; i++) {
		uint64_t lo = svmtrace_hist_lower(i);

		if (h->slots[i])
			log2_slots[lo ? svmtrace_log2(lo) + 1 : 0] += h->slots[i];
	}
}

double svmtrace_exact_percentile(uint64_t *sorted, uint64_t n, double pct)
{
	if (!n)
		return 0;
	return (double)sorted[percentile_rank(n, pct) - 1];
}
