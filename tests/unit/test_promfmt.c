// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace export's exposition writer: exact cumulative buckets at the
 * fixed bounds, gap filling, +Inf == _count, label escaping, and the
 * Prometheus naming and HELP/TYPE rules over a whole exposition.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svmtrace_histogram.h"
#include "svmtrace_promfmt.h"

/* Durations chosen on and around bounds, in a gap, and past the last bucket. */
static const uint64_t sample_ns[] = {
	3, 511, 512, 1023, 1024, 1535, 1536, 1537, 2047, 2048, 5000, 40000,
	3000000000ull, (1ull << 34) - 1, 1ull << 34, 1ull << 45,
};
#define N_SAMPLES (sizeof(sample_ns) / sizeof(sample_ns[0]))

static struct svmtrace_hist *sample_hist(void)
{
	struct svmtrace_hist *h = calloc(1, sizeof(*h));
	size_t i;

	assert_non_null(h);
	for (i = 0; i < N_SAMPLES; i++)
		svmtrace_histo_add(h, sample_ns[i]);
	return h;
}

static void test_bounds_are_bucket_edges(void **state)
{
	const uint64_t *b;
	size_t n = svmtrace_prom_bounds_ns(&b), i;

	(void)state;
	assert_true(n > 40);
	assert_int_equal(b[0], 511);
	assert_int_equal(b[n - 1], (1ull << 34) - 1);
	for (i = 0; i < n; i++) {
		/* b + 1 starts a bucket: counts up to b are exact. */
		assert_int_equal(svmtrace_hist_lower(svmtrace_hist_index(b[i] + 1)), b[i] + 1);
		if (i)
			assert_true(b[i] > b[i - 1]);
	}
}

static void test_count_le_is_exact(void **state)
{
	struct svmtrace_hist *h = sample_hist();
	const uint64_t *b;
	size_t n = svmtrace_prom_bounds_ns(&b), i, j;

	(void)state;
	for (i = 0; i < n; i++) {
		uint64_t want = 0;

		for (j = 0; j < N_SAMPLES; j++)
			want += sample_ns[j] <= b[i];
		assert_int_equal(svmtrace_prom_count_le(h, b[i]), want);
	}
	free(h);
}

static void test_label_escaping(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	svmtrace_prom_label_value(f, "a\\b\"c\nd");
	fclose(f);
	assert_string_equal(buf, "a\\\\b\\\"c\\nd");
	free(buf);
}

static char *write_snapshot(size_t *len)
{
	static struct svmtrace_prom_hist hists[3];
	static struct svmtrace_device devices[2] = {
		{ .migrations = 5, .pages = { 512, 512 }, .retries = 2, .timeslice_holds = 1 },
		{ .migrations = 1, .pages = { 0, 0, 16 } },
	};
	struct svmtrace_prom_snapshot s = {
		.counters = { [SVMTRACE_CNT_MIGRATIONS] = 6, [SVMTRACE_CNT_IOVA_NOW] = (uint64_t)-4096 },
		.hists = hists,
		.n_hists = 3,
		.hist_keys_max = 1024,
		.devices = devices,
		.n_devices = 2,
		.bpf_stats = true,
		.bpf_run_ns = 1500000000,
		.bpf_run_cnt = 42,
		.collect_seconds = 0.001,
		.programs = "tp_btf",
		.source = "module",
		.missed = { { "svm_migrate_end", 3 } },
		.n_missed = 1,
	};
	struct svmtrace_hist *h = sample_hist();
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	hists[0].key = (struct svmtrace_hist_key){ .stage = 2, .direction = 0, .path = 1 };
	hists[0].hist = *h;
	hists[1].key = (struct svmtrace_hist_key){ .stage = SVMTRACE_STAGE_TOTAL, .direction = 1,
						   .trigger = 2, .path = SVMTRACE_PATH_NONE, .device = 1 };
	hists[1].hist = *h;
	/* An empty histogram still gets every bucket. */
	hists[2].key = (struct svmtrace_hist_key){ .stage = 0 };
	free(h);
	assert_int_equal(svmtrace_prom_write(f, &s), 0);
	fclose(f);
	return buf;
}

/* Value of the first sample line starting with @prefix; -1 if none. */
static double value_of(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while (p && *p) {
		if (!strncmp(p, prefix, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static void test_histogram_series(void **state)
{
	size_t len, nbounds, i;
	char *text = write_snapshot(&len);
	const char *series = "svmtrace_stage_duration_seconds_bucket{stage=\"map\",direction=\"to_dev\","
			     "trigger=\"device_fault\",path=\"page\",device=\"0\",le=\"";
	const uint64_t *b;
	double prev = 0, sum = 0;
	char name[512];

	(void)state;
	nbounds = svmtrace_prom_bounds_ns(&b);
	for (i = 0; i < nbounds; i++) {
		char le[32];
		double v;

		snprintf(le, sizeof(le), "%.10g", b[i] / 1e9);
		snprintf(name, sizeof(name), "%s%s\"}", series, le);
		v = value_of(text, name);
		assert_true(v >= prev);	/* present (gap-filled) and cumulative */
		prev = v;
	}
	/* 511 ns: 3 and 511; 1.535 us: up to 1535; the last bound misses 2^34 and 2^45. */
	snprintf(name, sizeof(name), "%s5.11e-07\"}", series);
	assert_true(value_of(text, name) == 2);
	snprintf(name, sizeof(name), "%s1.535e-06\"}", series);
	assert_true(value_of(text, name) == 6);
	assert_true(prev == N_SAMPLES - 2);
	snprintf(name, sizeof(name), "%s+Inf\"}", series);
	assert_true(value_of(text, name) == N_SAMPLES);
	assert_true(value_of(text, "svmtrace_stage_duration_seconds_count{stage=\"map\",direction=\"to_dev\","
				   "trigger=\"device_fault\",path=\"page\",device=\"0\"}") == N_SAMPLES);
	for (i = 0; i < N_SAMPLES; i++)
		sum += sample_ns[i] / 1e9;
	assert_true(value_of(text, "svmtrace_stage_duration_seconds_sum{stage=\"map\",direction=\"to_dev\","
				   "trigger=\"device_fault\",path=\"page\",device=\"0\"}") / sum > 0.999999);
	/* The whole-migration family has no stage label. */
	assert_true(value_of(text, "svmtrace_migration_duration_seconds_count{direction=\"to_ram\","
				   "trigger=\"cpu_fault\",path=\"none\",device=\"1\"}") == N_SAMPLES);
	assert_true(value_of(text, "svmtrace_stage_duration_seconds_bucket{stage=\"collect\",direction=\"to_dev\","
				   "trigger=\"device_fault\",path=\"iova\",device=\"0\",le=\"5.11e-07\"}") == 0);
	/* Counters, gauges and self metrics in base units. */
	assert_true(value_of(text, "svmtrace_migrations_total") == 6);
	assert_true(value_of(text, "svmtrace_iova_in_use_bytes") == 0);	/* never negative */
	assert_true(value_of(text, "svmtrace_device_migrated_bytes_total{device=\"1\",direction=\"evict\"}") ==
		    16 * 4096);
	assert_true(value_of(text, "svmtrace_exporter_bpf_run_seconds_total") == 1.5);
	assert_true(value_of(text, "svmtrace_exporter_info{programs=\"tp_btf\",source=\"module\"}") == 1);
	assert_true(value_of(text, "svmtrace_exporter_bpf_missed_events_total{event=\"svm_migrate_end\"}") == 3);
	assert_true(value_of(text, "svmtrace_exporter_collect_duration_seconds") == 0.001);
	free(text);
}

/*
 * Every line is a HELP, a TYPE or a sample; every sample belongs to the
 * family declared just before it; names are legal, counters end in _total,
 * histograms in _seconds or _bytes, gauges never in _total; no family or
 * series twice.
 */
static void test_exposition_rules(void **state)
{
	size_t len;
	char *text = write_snapshot(&len), *line, *save = NULL;
	char family[128] = "", type[32] = "", help_for[128] = "";
	char seen_families[8192] = " ", *series_seen = calloc(1, len + 1);
	regex_t name_re, sample_re;
	int samples = 0;

	(void)state;
	assert_int_equal(regcomp(&name_re, "^[a-zA-Z_:][a-zA-Z0-9_:]*$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&sample_re,
				 "^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
				 "[-+0-9.eE]+(Inf)?$", REG_EXTENDED | REG_NOSUB), 0);
	assert_non_null(series_seen);
	assert_true(len > 0 && text[len - 1] == '\n');
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128], key[160];

		if (!strncmp(line, "# HELP ", 7)) {
			assert_int_equal(sscanf(line + 7, "%127s", help_for), 1);
			assert_int_equal(regexec(&name_re, help_for, 0, NULL, 0), 0);
			assert_true(strlen(line) > 8 + strlen(help_for));	/* has a text */
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			assert_int_equal(sscanf(line + 7, "%127s %31s", family, type), 2);
			assert_string_equal(family, help_for);	/* HELP then TYPE */
			snprintf(key, sizeof(key), " %s ", family);
			if (strstr(seen_families, key))
				fail_msg("family %s declared twice", family);
			strncat(seen_families, key + 1, sizeof(seen_families) - strlen(seen_families) - 1);
			if (!strcmp(type, "counter")) {
				assert_non_null(strstr(family, "_total"));
				assert_string_equal(family + strlen(family) - 6, "_total");
			} else if (!strcmp(type, "histogram")) {
				assert_true(strstr(family, "_seconds") || strstr(family, "_bytes"));
			} else {
				assert_string_equal(type, "gauge");
				assert_null(strstr(family, "_total"));
			}
			continue;
		}
		assert_true(line[0] != '#');
		if (regexec(&sample_re, line, 0, NULL, 0))
			fail_msg("not a sample line: %s", line);
		samples++;
		assert_int_equal(sscanf(line, "%127[^{ ]", name), 1);
		assert_true(family[0]);
		if (!strcmp(type, "histogram")) {
			size_t fl = strlen(family);

			assert_memory_equal(name, family, fl);
			assert_true(!strcmp(name + fl, "_bucket") || !strcmp(name + fl, "_sum") ||
				    !strcmp(name + fl, "_count"));
		} else {
			assert_string_equal(name, family);
		}
		/* the same series (name and labels) never twice */
		{
			char *sp = strrchr(line, ' ');
			char *dup = strndup(line, sp - line);
			char *needle;

			assert_non_null(dup);
			if (asprintf(&needle, "\n%s\n", dup) < 0)
				fail();
			if (strstr(series_seen, needle))
				fail_msg("series twice: %s", dup);
			strcat(series_seen, needle + 1);
			free(needle);
			free(dup);
		}
	}
	assert_true(samples > 100);
	regfree(&name_re);
	regfree(&sample_re);
	free(series_seen);
	free(text);
}

static void test_write_error_is_reported(void **state)
{
	struct svmtrace_prom_snapshot s = { .programs = "raw_tp" };
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	assert_int_equal(svmtrace_prom_write(f, &s), -5);	/* -EIO */
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds_are_bucket_edges),
		cmocka_unit_test(test_count_le_is_exact),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_histogram_series),
		cmocka_unit_test(test_exposition_rules),
		cmocka_unit_test(test_write_error_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
