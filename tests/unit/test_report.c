// SPDX-License-Identifier: GPL-2.0
/*
 * The maths behind svmtrace report: exact percentiles (nearest rank) on
 * known sets, histograms rebuilt from records per key with the filters,
 * exact against bucket-estimated percentiles within the 3.2% promise, and
 * the rendering: the same JSON fields as hist -j, exact values in p50_ns...,
 * and the text of the default view and of --table (test_render.c has the rest).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svmtrace_histogram.h"
#include "svmtrace_render.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static double uniform01(void)
{
	return ((double)(rng() >> 11) + 0.5) / 9007199254740992.0;
}

static void test_exact_percentiles_known(void **state)
{
	uint64_t v[1000], one = 42;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		v[i] = i + 1;
	assert_true(svmtrace_exact_percentile(v, 1000, 50) == 500);
	assert_true(svmtrace_exact_percentile(v, 1000, 90) == 900);
	assert_true(svmtrace_exact_percentile(v, 1000, 99) == 990);
	assert_true(svmtrace_exact_percentile(v, 1000, 99.9) == 999);
	assert_true(svmtrace_exact_percentile(v, 1000, 100) == 1000);
	assert_true(svmtrace_exact_percentile(v, 10, 50) == 5);
	assert_true(svmtrace_exact_percentile(v, 10, 99.9) == 10);
	assert_true(svmtrace_exact_percentile(&one, 1, 50) == 42);
	assert_true(svmtrace_exact_percentile(v, 0, 50) == 0);
}

static struct svmtrace_record rec(uint32_t event, uint32_t stage, uint32_t dir, uint32_t path,
				  uint32_t pid, uint64_t ns)
{
	struct svmtrace_record r = {
		.event = event, .stage = stage, .direction = dir, .path = path, .pid = pid,
		.duration_ns = ns, .device = 0, .trigger = 0,
	};
	return r;
}

static const struct svmtrace_hist_entry *find(const struct svmtrace_hist_entry *e, size_t n,
					      uint32_t stage, uint32_t dir)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (e[i].key.stage == stage && e[i].key.direction == dir)
			return &e[i];
	return NULL;
}

static void test_entries_from_records(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_record r[8];
	struct svmtrace_hist_entry *e;
	const struct svmtrace_hist_entry *x;
	size_t n;

	(void)state;
	r[0] = rec(SVM_PAGEMAP_EV_STAGE_END, 3, 0, 1, 10, 500);
	r[1] = rec(SVM_PAGEMAP_EV_STAGE_END, 3, 0, 1, 10, 100);
	r[2] = rec(SVM_PAGEMAP_EV_STAGE_END, 3, 0, 1, 11, 300);
	r[3] = rec(SVM_PAGEMAP_EV_STAGE_END, 3, 1, 1, 10, 700);
	r[4] = rec(SVM_PAGEMAP_EV_MIGRATE_END, SVMTRACE_STAGE_TOTAL, 0, 1, 10, 5000);
	r[5] = rec(SVM_PAGEMAP_EV_MIGRATE_END, SVMTRACE_STAGE_TOTAL, 0, 1, 11, 3000);
	r[6] = rec(SVM_PAGEMAP_EV_MAP, 2, 0, 1, 10, 999999);	/* not a latency record */
	r[7] = rec(SVM_PAGEMAP_EV_STAGE_END, 0, 0, SVMTRACE_PATH_NONE, 10, 42);
	assert_int_equal(svmtrace_entries_from_records(r, 8, &f, &o, &e, &n), 0);
	assert_int_equal(n, 4);
	x = find(e, n, 3, 0);
	assert_non_null(x);
	assert_int_equal(x->hist.count, 3);
	assert_int_equal(x->hist.sum, 900);
	assert_int_equal(x->hist.max, 500);
	assert_int_equal(x->nvalues, 3);
	assert_int_equal(x->values[0], 100);
	assert_int_equal(x->values[2], 500);
	assert_true(svmtrace_entry_percentile(x, 50) == 300);
	assert_int_equal(x->key.trigger, SVMTRACE_ALL);	/* merged away */
	assert_int_equal(x->key.pid, 0);
	x = find(e, n, SVMTRACE_STAGE_TOTAL, 0);
	assert_non_null(x);
	assert_int_equal(x->hist.count, 2);
	/* sorted by key: direction before stage */
	assert_int_equal(e[n - 1].key.direction, 1);
	svmtrace_entries_free(e, n);

	/* -S total -p 11, keyed by pid only */
	f.stage = SVMTRACE_STAGE_TOTAL;
	f.pid = 11;
	memset(o.by, 0, sizeof(o.by));
	o.by[SVMTRACE_DIM_PID] = true;
	assert_int_equal(svmtrace_entries_from_records(r, 8, &f, &o, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].key.pid, 11);
	assert_int_equal(e[0].key.stage, SVMTRACE_ALL);
	assert_int_equal(e[0].hist.count, 1);
	assert_int_equal(e[0].hist.max, 3000);
	svmtrace_entries_free(e, n);

	/* -D to_ram: one record */
	f = (struct svmtrace_filter)SVMTRACE_FILTER_DEFAULT;
	f.direction = 1;
	assert_int_equal(svmtrace_entries_from_records(r, 8, &f, &o, &e, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].hist.count, 1);
	svmtrace_entries_free(e, n);

	/* nothing kept: no entries */
	f.device = 5;
	assert_int_equal(svmtrace_entries_from_records(r, 8, &f, &o, &e, &n), 0);
	assert_int_equal(n, 0);
	svmtrace_entries_free(e, n);
}

/* Exact and bucket percentiles of the same values: within 3.2%. */
static void test_exact_against_buckets(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	enum { N = 20000 };
	struct svmtrace_record *r = calloc(N, sizeof(*r));
	struct svmtrace_hist_entry *e;
	double worst = 0;
	size_t n, i, k;

	(void)state;
	for (i = 0; i < N; i++) {
		/* log-normal around 50 us, a long tail; a second mode near 2 ms */
		double z = sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
		double v = i % 10 == 0 ? 2e6 * exp(0.3 * z) : 5e4 * exp(0.8 * z);

		r[i] = rec(SVM_PAGEMAP_EV_STAGE_END, i % 3, 0, 0, 1, (uint64_t)v + 1);
	}
	assert_int_equal(svmtrace_entries_from_records(r, N, &f, &o, &e, &n), 0);
	assert_int_equal(n, 3);
	for (k = 0; k < n; k++) {
		for (i = 0; i < 4; i++) {
			double pct = svmtrace_summary_pcts[i];
			double exact = svmtrace_entry_percentile(&e[k], pct);
			double est = svmtrace_histo_percentile(&e[k].hist, pct);
			double err = fabs(est - exact) / exact;

			if (err > worst)
				worst = err;
			assert_true(err <= 0.032);
		}
		assert_true(e[k].values[e[k].nvalues - 1] == e[k].hist.max);
	}
	print_message("worst exact/bucket percentile gap: %.3f%%\n", worst * 100);
	svmtrace_entries_free(e, n);
	free(r);
}

static void test_render_json_fields(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_record r[100];
	struct svmtrace_hist_entry *e, bucket_only;
	json_object *j, *v, *parsed;
	const char *text;
	size_t n, i;

	(void)state;
	for (i = 0; i < 100; i++)
		r[i] = rec(SVM_PAGEMAP_EV_STAGE_END, 3, 0, 0, 1, 1000 * (i + 1));
	assert_int_equal(svmtrace_entries_from_records(r, 100, &f, &o, &e, &n), 0);
	assert_int_equal(n, 1);
	j = svmtrace_render_entry_json(&o, &e[0]);
	/* through a real parser, as a consumer would read it */
	text = json_object_to_json_string(j);
	parsed = json_tokener_parse(text);
	assert_non_null(parsed);
	assert_true(json_object_object_get_ex(parsed, "stage", &v));
	assert_string_equal(json_object_get_string(v), "copy");
	assert_true(json_object_object_get_ex(parsed, "direction", &v));
	assert_string_equal(json_object_get_string(v), "to_dev");
	assert_true(json_object_object_get_ex(parsed, "path", &v));
	assert_string_equal(json_object_get_string(v), "iova");
	assert_true(json_object_object_get_ex(parsed, "count", &v));
	assert_int_equal(json_object_get_int64(v), 100);
	assert_true(json_object_object_get_ex(parsed, "sum_ns", &v));
	assert_int_equal(json_object_get_int64(v), 5050000);
	assert_true(json_object_object_get_ex(parsed, "max_ns", &v));
	assert_int_equal(json_object_get_int64(v), 100000);
	assert_true(json_object_object_get_ex(parsed, "p50_ns", &v));
	assert_true(json_object_get_double(v) == 50000);
	assert_true(json_object_object_get_ex(parsed, "p90_ns", &v));
	assert_true(json_object_get_double(v) == 90000);
	assert_true(json_object_object_get_ex(parsed, "p99_ns", &v));
	assert_true(json_object_get_double(v) == 99000);
	assert_true(json_object_object_get_ex(parsed, "p999_ns", &v));
	assert_true(json_object_get_double(v) == 100000);
	assert_true(json_object_object_get_ex(parsed, "bucket_p50_ns", &v));
	assert_true(fabs(json_object_get_double(v) - 50000) <= 0.032 * 50000);
	assert_true(json_object_object_get_ex(parsed, "percentiles", &v));
	assert_string_equal(json_object_get_string(v), "exact");
	assert_true(json_object_object_get_ex(parsed, "buckets", &v));
	assert_true(json_object_object_get_ex(parsed, "log2", &v));
	json_object_put(parsed);
	json_object_put(j);

	/* hist's entries have no values: bucket percentiles, no bucket_ fields */
	bucket_only = e[0];
	bucket_only.values = NULL;
	j = svmtrace_render_entry_json(&o, &bucket_only);
	assert_false(json_object_object_get_ex(j, "bucket_p50_ns", &v));
	assert_true(json_object_object_get_ex(j, "percentiles", &v));
	assert_string_equal(json_object_get_string(v), "buckets");
	json_object_put(j);
	svmtrace_entries_free(e, n);
}

static void test_render_plain(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_record r[10];
	struct svmtrace_hist_entry *e;
	char *buf = NULL;
	size_t len = 0, n, i;
	FILE *out;

	(void)state;
	for (i = 0; i < 10; i++)
		r[i] = rec(SVM_PAGEMAP_EV_MIGRATE_END, SVMTRACE_STAGE_TOTAL, 1, 1, 1, 2000 * (i + 1));
	assert_int_equal(svmtrace_entries_from_records(r, 10, &f, &o, &e, &n), 0);
	/* the default: a summary line of exact percentiles over log2 bars */
	out = open_memstream(&buf, &len);
	svmtrace_render_entry(out, &o, &e[0]);
	fclose(out);
	assert_non_null(strstr(buf, "stage=total direction=to_ram path=page\n"
			       "  count 10  avg 11.00us  p50 10.00us  p90 18.00us  p99 20.00us  max 20.00us\n"));
	assert_non_null(strstr(buf, "|****"));
	free(buf);
	/* --table: every digit, and the bucket estimates beside the exact values */
	o.view = SVMTRACE_VIEW_TABLE;
	out = open_memstream(&buf, &len);
	svmtrace_render_entry(out, &o, &e[0]);
	fclose(out);
	assert_non_null(strstr(buf, "stage=total direction=to_ram path=page\n"));
	assert_non_null(strstr(buf, "count 10  avg 11.000us  p50 10.000us  p90 18.000us"));
	assert_non_null(strstr(buf, "max 20.000us  (exact)\n"));
	assert_non_null(strstr(buf, "  from buckets:  p50 "));
	assert_null(strstr(buf, "|"));
	free(buf);
	svmtrace_entries_free(e, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_percentiles_known),
		cmocka_unit_test(test_entries_from_records),
		cmocka_unit_test(test_exact_against_buckets),
		cmocka_unit_test(test_render_json_fields),
		cmocka_unit_test(test_render_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
