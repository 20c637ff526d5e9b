// SPDX-License-Identifier: GPL-2.0
/*
 * The log-linear histogram maths shared by BPF and svmtrace: bucket bounds,
 * merging, the log2 fold, and percentile error against exact percentiles on
 * known distributions (the promise is 3%).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svmtrace_histogram.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: reproducible without libc's rand state */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static double uniform01(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

static void check_bucket(uint64_t v)
{
	uint32_t idx = svmtrace_hist_index(v);
	uint64_t lo = svmtrace_hist_lower(idx), w = svmtrace_hist_width(idx);

	assert_true(idx < SVMTRACE_HIST_BUCKETS);
	if (v < (1ull << (SVMTRACE_HIST_MAX_LOG2 + 1))) {
		assert_true(lo <= v);
		assert_true(v < lo + w);
	}
	if (idx >= SVMTRACE_HIST_SUB)
		assert_true(w * SVMTRACE_HIST_SUB <= lo);
}

static void test_bucket_bounds(void **state)
{
	uint64_t v, prev_idx = 0;
	int i;

	(void)state;
	for (v = 0; v < 200000; v++) {
		uint32_t idx = svmtrace_hist_index(v);

		check_bucket(v);
		assert_true(idx >= prev_idx);
		prev_idx = idx;
	}
	for (i = 0; i < 100000; i++)
		check_bucket(rng() >> (rng() % 64));
	for (i = 0; i < 64; i++) {
		check_bucket(1ull << i);
		check_bucket((1ull << i) - 1);
	}
	assert_int_equal(svmtrace_hist_index(UINT64_MAX), SVMTRACE_HIST_BUCKETS - 1);
	assert_int_equal(svmtrace_hist_index((1ull << (SVMTRACE_HIST_MAX_LOG2 + 1)) - 1),
			 SVMTRACE_HIST_BUCKETS - 1);
	/* The buckets tile the range: each starts where the previous ends. */
	for (i = 1; i < (int)SVMTRACE_HIST_BUCKETS; i++)
		assert_int_equal(svmtrace_hist_lower(i),
				 svmtrace_hist_lower(i - 1) + svmtrace_hist_width(i - 1));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

typedef uint64_t (*sampler)(void);

static uint64_t sample_uniform(void) { return 1000 + (uint64_t)(uniform01() * 99000); }
static uint64_t sample_exponential(void) { return (uint64_t)(-log(1 - uniform01()) * 50000) + 1; }
static uint64_t sample_lognormal(void)
{
	double u1 = uniform01() + 1e-12, u2 = uniform01();
	double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);

	return (uint64_t)exp(12.0 + 1.2 * z) + 1;
}
static uint64_t sample_bimodal(void)
{
	return rng() % 10 ? 20000 + rng() % 2000 : 3000000 + rng() % 500000;
}

static void check_distribution(sampler f, const char *name)
{
	static const double pcts[] = { 50, 90, 99, 99.9 };
	const uint64_t n = 200000;
	uint64_t *vals = malloc(n * sizeof(*vals));
	struct svmtrace_hist *h = calloc(1, sizeof(*h));
	uint64_t i;
	size_t p;

	assert_non_null(vals);
	assert_non_null(h);
	for (i = 0; i < n; i++) {
		vals[i] = f();
		svmtrace_histo_add(h, vals[i]);
	}
	qsort(vals, n, sizeof(*vals), cmp_u64);
	assert_int_equal(h->count, n);
	assert_int_equal(h->max, vals[n - 1]);
	for (p = 0; p < sizeof(pcts) / sizeof(pcts[0]); p++) {
		double exact = svmtrace_exact_percentile(vals, n, pcts[p]);
		double est = svmtrace_histo_percentile(h, pcts[p]);
		double err = fabs(est - exact) / exact;

		if (err >= 0.03)
			fail_msg("%s p%g: estimate %.0f, exact %.0f, error %.2f%%", name, pcts[p],
				 est, exact, err * 100);
	}
	free(vals);
	free(h);
}

static void test_percentiles_uniform(void **state) { (void)state; check_distribution(sample_uniform, "uniform"); }
static void test_percentiles_exponential(void **state) { (void)state; check_distribution(sample_exponential, "exponential"); }
static void test_percentiles_lognormal(void **state) { (void)state; check_distribution(sample_lognormal, "lognormal"); }
static void test_percentiles_bimodal(void **state) { (void)state; check_distribution(sample_bimodal, "bimodal"); }

static void test_percentile_edges(void **state)
{
	struct svmtrace_hist *h = calloc(1, sizeof(*h));

	(void)state;
	assert_non_null(h);
	assert_true(svmtrace_histo_percentile(h, 50) == 0);
	svmtrace_histo_add(h, 123456);
	/* One value: every percentile is within its bucket and not above max. */
	assert_true(svmtrace_histo_percentile(h, 0) <= 123456);
	assert_true(svmtrace_histo_percentile(h, 100) <= 123456);
	assert_true(svmtrace_histo_percentile(h, 50) >= 123456 * 0.97);
	svmtrace_histo_add(h, 7);
	assert_true(svmtrace_histo_percentile(h, 1) == 7);
	free(h);
}

static void test_merge(void **state)
{
	struct svmtrace_hist *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct svmtrace_hist *all = calloc(1, sizeof(*all));
	int i;

	(void)state;
	assert_true(a && b && all);
	for (i = 0; i < 10000; i++) {
		uint64_t v = sample_lognormal();

		svmtrace_histo_add(i % 3 ? a : b, v);
		svmtrace_histo_add(all, v);
	}
	svmtrace_histo_merge(a, b);
	assert_memory_equal(a, all, sizeof(*a));
	free(a);
	free(b);
	free(all);
}

/*
 * A count of 2^64 - 1 is 2^64 as a double: the rank of p100 must still be
 * the count, not a double converted past the range of a uint64_t.
 */
static void test_percentile_huge_count(void **state)
{
	struct svmtrace_hist *h = calloc(1, sizeof(*h));
	double p;

	(void)state;
	assert_non_null(h);
	h->slots[svmtrace_hist_index(1000)] = UINT64_MAX;
	h->count = UINT64_MAX;
	h->max = 1000;
	p = svmtrace_histo_percentile(h, 100);
	assert_true(p >= svmtrace_hist_lower(svmtrace_hist_index(1000)) && p <= 1000);
	p = svmtrace_histo_percentile(h, 99.9);
	assert_true(p >= svmtrace_hist_lower(svmtrace_hist_index(1000)) && p <= 1000);
	free(h);
}

/* A window read from a cumulative histogram holds exactly what came after. */
static void test_since(void **state)
{
	struct svmtrace_hist *then = calloc(1, sizeof(*then)), *now = calloc(1, sizeof(*now));
	struct svmtrace_hist *window = calloc(1, sizeof(*window));
	int i;

	(void)state;
	assert_true(then && now && window);
	for (i = 0; i < 3000; i++)
		svmtrace_histo_add(now, sample_lognormal());
	*then = *now;
	for (i = 0; i < 7000; i++) {
		uint64_t v = sample_lognormal();

		svmtrace_histo_add(now, v);
		svmtrace_histo_add(window, v);
	}
	svmtrace_histo_since(now, then);
	assert_int_equal(now->count, window->count);
	assert_int_equal(now->sum, window->sum);
	assert_memory_equal(now->slots, window->slots, sizeof(now->slots));
	assert_true(now->max >= window->max);
	free(then);
	free(now);
	free(window);
}

/* Every key without process or cgroup has its own slot, and the slot gives it back. */
static void test_slot_keys(void **state)
{
	struct svmtrace_hist_key k;
	uint32_t st, d, t, p, dev, index, seen = 0;

	(void)state;
	for (st = 0; st < SVMTRACE_STAGE_MAX; st++)
		for (d = 0; d < SVM_PAGEMAP_DIR_COUNT; d++)
			for (t = 0; t < SVM_PAGEMAP_TRIGGER_COUNT; t++)
				for (p = 0; p <= SVM_PAGEMAP_PATH_COUNT; p++)
					for (dev = 0; dev < SVMTRACE_MAX_DEVICES; dev += 7) {
						uint32_t path = p == SVM_PAGEMAP_PATH_COUNT ?
								SVMTRACE_PATH_NONE : p;

						index = svmtrace_hist_slot_of(st, d, t, path, dev);
						assert_true(index < SVMTRACE_HIST_SLOTS);
						svmtrace_hist_slot_key(index, &k);
						assert_int_equal(k.stage, st);
						assert_int_equal(k.direction, d);
						assert_int_equal(k.trigger, t);
						assert_int_equal(k.path, path);
						assert_int_equal(k.device, dev);
						seen++;
					}
	assert_true(seen > 0);
	/* out of range: no slot */
	assert_int_equal(svmtrace_hist_slot_of(SVMTRACE_STAGE_MAX, 0, 0, 0, 0), SVMTRACE_HIST_SLOTS);
	assert_int_equal(svmtrace_hist_slot_of(0, 0, 0, 7, 0), SVMTRACE_HIST_SLOTS);
	assert_int_equal(svmtrace_hist_slot_of(0, 0, 0, 0, SVMTRACE_MAX_DEVICES),
			 SVMTRACE_HIST_SLOTS);
}

static void test_log2_fold(void **state)
{
	struct svmtrace_hist *h = calloc(1, sizeof(*h));
	uint64_t slots[SVMTRACE_LOG2_SLOTS], sum = 0;
	int i;

	(void)state;
	assert_non_null(h);
	svmtrace_histo_add(h, 0);
	svmtrace_histo_add(h, 1);
	svmtrace_histo_add(h, 2);
	svmtrace_histo_add(h, 3);
	svmtrace_histo_add(h, 4);
	svmtrace_histo_add(h, 1000000);	/* 2^19 <= v < 2^20 */
	svmtrace_histo_log2(h, slots);
	assert_int_equal(slots[0], 1);
	assert_int_equal(slots[1], 1);
	assert_int_equal(slots[2], 2);
	assert_int_equal(slots[3], 1);
	assert_int_equal(slots[20], 1);
	for (i = 0; i < SVMTRACE_LOG2_SLOTS; i++)
		sum += slots[i];
	assert_int_equal(sum, h->count);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_bounds),
		cmocka_unit_test(test_percentiles_uniform),
		cmocka_unit_test(test_percentiles_exponential),
		cmocka_unit_test(test_percentiles_lognormal),
		cmocka_unit_test(test_percentiles_bimodal),
		cmocka_unit_test(test_percentile_edges),
		cmocka_unit_test(test_percentile_huge_count),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_since),
		cmocka_unit_test(test_slot_keys),
		cmocka_unit_test(test_log2_fold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
