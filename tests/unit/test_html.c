// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace report --html (cli/lib/svmtrace_html.c) on synthetic records:
 * the page refers to nothing outside itself (no URL, no src=, no script),
 * escapes the strings that come from the input, and its data-* attributes
 * hold what report -j prints for the same replay: the histograms' fields,
 * the stage sums, the heatmap counts and the counters.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svmtrace_histogram.h"
#include "svmtrace_html.h"
#include "svmtrace_names.h"
#include "svmtrace_render.h"
#include "svmtrace_replay.h"

#define NMIG 40
#define EVIL_FILE "run<script>alert(1)</script>.svmrec"
#define EVIL_KERNEL "7.3\"><img onerror=alert(2)>&'"

static struct svmtrace_record recs[NMIG * (SVMTRACE_STAGE_MAX + 1)];
static uint64_t nrecs;
static uint64_t counters[SVMTRACE_CNT_MAX];

/* NMIG migrations, alternately to_dev and to_ram, each with its six stages and its total. */
static void make_records(void)
{
	uint64_t ts = 1000000000ull;
	unsigned int m, s;

	nrecs = 0;
	for (m = 0; m < NMIG; m++) {
		uint32_t dir = m % 2, path = m % 3 ? SVM_PAGEMAP_PATH_IOVA : SVM_PAGEMAP_PATH_PAGE;
		uint64_t total = 0;

		for (s = 0; s < SVMTRACE_STAGE_TOTAL; s++) {
			struct svmtrace_record r = {
				.event = SVM_PAGEMAP_EV_STAGE_END, .stage = s, .direction = dir,
				.path = s < 2 ? SVM_PAGEMAP_PATH_NONE : path, .pid = 7 + m % 2,
				.duration_ns = 1234567 * (s + 1) + 3701 * m * (s + 1),
			};

			ts += r.duration_ns;
			r.ts_ns = ts;
			total += r.duration_ns;
			recs[nrecs++] = r;
		}
		recs[nrecs++] = (struct svmtrace_record){
			.event = SVM_PAGEMAP_EV_MIGRATE_END, .stage = SVMTRACE_STAGE_TOTAL,
			.direction = dir, .path = path, .pid = 7 + m % 2, .duration_ns = total + 500,
			.ts_ns = ts + 500,
		};
		/* an event the histograms skip */
		recs[nrecs++] = (struct svmtrace_record){ .event = 0, .ts_ns = ts + 600, .duration_ns = 1 };
		ts += 1000000;
	}
	memset(counters, 0, sizeof(counters));
	for (s = 0; s < SVMTRACE_CNT_MAX; s++)
		counters[s] = 1000 + s * 7;
	counters[SVMTRACE_CNT_IOVA_PEAK] = 2097152;
}

static char *render(const struct svmtrace_render_opts *o, const struct svmtrace_filter *f,
		    const struct svmtrace_replay *rp, const uint64_t *c)
{
	struct svmtrace_html_run run = {
		.file = EVIL_FILE, .kernel_release = EVIL_KERNEL, .source = "module",
		.programs = "tp_btf", .seconds = 0.5, .records = nrecs, .complete = true,
		.counters = c,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(svmtrace_html_write(out, &run, o, f, recs, nrecs, rp), 0);
	fclose(out);
	return buf;
}

static void test_self_contained_and_escaped(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_replay rp;
	char *html;

	(void)state;
	make_records();
	assert_int_equal(svmtrace_replay_build(&rp, recs, nrecs, &f, &o, SVMTRACE_REPLAY_MAX_KEYS), 0);
	html = render(&o, &f, &rp, counters);
	assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	assert_non_null(strstr(html, "</html>\n"));
	/* nothing from outside: no URL, no source, no script, no stylesheet link */
	assert_null(strstr(html, "http:"));
	assert_null(strstr(html, "https:"));
	assert_null(strstr(html, "//"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "url("));
	assert_null(strstr(html, "<img"));
	/* the input's strings, escaped wherever they appear */
	assert_non_null(strstr(html, "run&lt;script&gt;alert(1)&lt;/script&gt;.svmrec"));
	assert_non_null(strstr(html, "7.3&quot;&gt;&lt;img onerror=alert(2)&gt;&amp;&#39;"));
	assert_non_null(strstr(html, "data-kernel-release=\"7.3&quot;&gt;&lt;img"));
	assert_null(strstr(html, "alert(1)</script>"));
	free(html);
	svmtrace_replay_free(&rp);
}

static void test_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	svmtrace_html_escape(out, "a<b>&\"c'\x01\x7f\xc3\xa9");
	svmtrace_html_escape(out, NULL);
	fclose(out);
	assert_string_equal(buf, "a&lt;b&gt;&amp;&quot;c&#39;&#xfffd;&#xfffd;\xc3\xa9");
	free(buf);
}

static void expect_attr_u64(const char *html, const char *fmt, ...)
{
	char want[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (!strstr(html, want))
		fail_msg("the page lacks '%s'", want);
}

static double jd(json_object *j, const char *name)
{
	json_object *v;

	assert_true(json_object_object_get_ex(j, name, &v));
	return json_object_get_double(v);
}

static uint64_t ju(json_object *j, const char *name)
{
	json_object *v;

	assert_true(json_object_object_get_ex(j, name, &v));
	return json_object_get_uint64(v);
}

/* Each histogram row carries report -j's numbers for its key, at full precision. */
static void test_rows_equal_json(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_hist_entry *e = malloc(sizeof(*e));
	struct svmtrace_replay rp;
	size_t i, rows = 0;
	char *html, *p;

	(void)state;
	make_records();
	assert_int_equal(svmtrace_replay_build(&rp, recs, nrecs, &f, &o, SVMTRACE_REPLAY_MAX_KEYS), 0);
	assert_true(rp.ngroups > 4);
	html = render(&o, &f, &rp, counters);
	for (p = html; (p = strstr(p, "<tr class=\"hist\"")); p++)
		rows++;
	assert_int_equal(rows, rp.ngroups);
	for (i = 0; i < rp.ngroups; i++) {
		json_object *j, *log2;
		char want[2048];
		size_t off, k;

		svmtrace_replay_entry(&rp, i, e);
		j = svmtrace_render_entry_json(&o, e);
		off = snprintf(want, sizeof(want), " data-stage=\"%s\" data-direction=\"%s\" data-path=\"%s\" "
			       "data-count=\"%llu\" data-sum-ns=\"%llu\" data-max-ns=\"%llu\" "
			       "data-p50-ns=\"%.17g\" data-p90-ns=\"%.17g\" data-p99-ns=\"%.17g\" "
			       "data-p999-ns=\"%.17g\" data-log2=\"",
			       json_object_get_string(json_object_object_get(j, "stage")),
			       json_object_get_string(json_object_object_get(j, "direction")),
			       json_object_get_string(json_object_object_get(j, "path")),
			       (unsigned long long)ju(j, "count"), (unsigned long long)ju(j, "sum_ns"),
			       (unsigned long long)ju(j, "max_ns"), jd(j, "p50_ns"), jd(j, "p90_ns"),
			       jd(j, "p99_ns"), jd(j, "p999_ns"));
		assert_true(json_object_object_get_ex(j, "log2", &log2));
		for (k = 0; k < json_object_array_length(log2); k++)
			off += snprintf(want + off, sizeof(want) - off, "%s%llu", k ? "," : "",
					(unsigned long long)json_object_get_uint64(json_object_array_get_idx(log2, k)));
		snprintf(want + off, sizeof(want) - off, "\">");
		if (!strstr(html, want))
			fail_msg("row %zu: the page lacks '%s'", i, want);
		json_object_put(j);
	}
	free(html);
	free(e);
	svmtrace_replay_free(&rp);
}

/* Stage sums, heatmap counts and counters equal what they are made from. */
static void test_share_heatmap_counters(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	uint64_t sum[2][SVMTRACE_STAGE_MAX] = {}, cnt[2] = {}, cells = 0, r;
	struct svmtrace_replay rp;
	json_object *cj;
	char *html, *p;
	unsigned int d, s;

	(void)state;
	make_records();
	for (r = 0; r < nrecs; r++)
		if (recs[r].event == SVM_PAGEMAP_EV_STAGE_END || recs[r].event == SVM_PAGEMAP_EV_MIGRATE_END) {
			sum[recs[r].direction][recs[r].stage] += recs[r].duration_ns;
			if (recs[r].stage == SVMTRACE_STAGE_TOTAL)
				cnt[recs[r].direction]++;
		}
	assert_int_equal(svmtrace_replay_build(&rp, recs, nrecs, &f, &o, SVMTRACE_REPLAY_MAX_KEYS), 0);
	html = render(&o, &f, &rp, counters);
	for (d = 0; d < 2; d++) {
		const char *sec = strstr(html, d ? "id=\"dir-to_ram\"" : "id=\"dir-to_dev\"");
		uint64_t stages = 0;

		assert_non_null(sec);
		for (s = 0; s < SVMTRACE_STAGE_TOTAL; s++) {
			stages += sum[d][s];
			expect_attr_u64(sec, "data-stage=\"%s\" data-sum-ns=\"%llu\" data-count=\"%u\" data-share=\"%.17g\"",
					svmtrace_stage_name(s), (unsigned long long)sum[d][s], NMIG / 2,
					(double)sum[d][s] / (double)sum[d][SVMTRACE_STAGE_TOTAL]);
		}
		expect_attr_u64(sec, "class=\"share\" data-total-ns=\"%llu\" data-stages-ns=\"%llu\"",
				(unsigned long long)sum[d][SVMTRACE_STAGE_TOTAL], (unsigned long long)stages);
		expect_attr_u64(sec, "data-stage=\"between_stages\" data-sum-ns=\"%llu\"",
				(unsigned long long)(sum[d][SVMTRACE_STAGE_TOTAL] - stages));
		expect_attr_u64(sec, "class=\"heatmap\" data-stage=\"total\" data-count=\"%llu\" data-cols=\"%u\"",
				(unsigned long long)cnt[d], SVMTRACE_HTML_HEAT_COLS);
	}
	/* every whole migration in exactly one cell */
	for (p = html; (p = strstr(p, "class=\"cell\"")); p++) {
		unsigned long long v;

		assert_non_null(strstr(p, "data-count=\""));
		assert_int_equal(sscanf(strstr(p, "data-count=\""), "data-count=\"%llu\"", &v), 1);
		cells += v;
	}
	assert_int_equal(cells, cnt[0] + cnt[1]);
	/* the counters: every leaf of report -j's "counters", with its value */
	cj = svmtrace_render_counters_json(counters);
	json_object_object_foreach(cj, name, val) {
		if (!json_object_is_type(val, json_type_object)) {
			expect_attr_u64(html, "data-counter=\"%s\" data-value=\"%llu\"", name,
					(unsigned long long)json_object_get_uint64(val));
			continue;
		}
		json_object_object_foreach(val, sub, sval) {
			if (!json_object_is_type(sval, json_type_object)) {
				expect_attr_u64(html, "data-counter=\"%s.%s\" data-value=\"%llu\"", name, sub,
						(unsigned long long)json_object_get_uint64(sval));
				continue;
			}
			json_object_object_foreach(sval, leaf, lval)
				expect_attr_u64(html, "data-counter=\"%s.%s.%s\" data-value=\"%llu\"", name, sub,
						leaf, (unsigned long long)json_object_get_uint64(lval));
		}
	}
	json_object_put(cj);
	assert_non_null(strstr(html, "data-counter=\"iova.peak_bytes\" data-value=\"2097152\""));
	free(html);
	svmtrace_replay_free(&rp);
}

/* Without direction in the key, one section for all; without counters, none shown. */
static void test_by_stage_only_no_counters(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_replay rp;
	char *html;

	(void)state;
	make_records();
	memset(o.by, 0, sizeof(o.by));
	o.by[SVMTRACE_DIM_STAGE] = true;
	assert_int_equal(svmtrace_replay_build(&rp, recs, nrecs, &f, &o, SVMTRACE_REPLAY_MAX_KEYS), 0);
	assert_int_equal(rp.ngroups, SVMTRACE_STAGE_MAX);
	html = render(&o, &f, &rp, NULL);
	assert_non_null(strstr(html, "id=\"dir-all\" data-direction=\"all\""));
	assert_null(strstr(html, "id=\"dir-to_dev\""));
	assert_null(strstr(html, "id=\"counters\""));
	expect_attr_u64(html, "class=\"heatmap\" data-stage=\"total\" data-count=\"%u\"", NMIG);
	expect_attr_u64(html, "<tr class=\"hist\" data-stage=\"total\" data-count=\"%u\"", NMIG);
	free(html);
	svmtrace_replay_free(&rp);
}

/* No records: a page that says so; a full disk: -EIO. */
static void test_empty_and_write_error(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_html_run run = { .file = "x", .source = "module", .complete = true };
	struct svmtrace_replay rp;
	char *html;
	FILE *full;

	(void)state;
	nrecs = 0;
	assert_int_equal(svmtrace_replay_build(&rp, recs, 0, &f, &o, SVMTRACE_REPLAY_MAX_KEYS), 0);
	html = render(&o, &f, &rp, counters);
	assert_non_null(strstr(html, "No migrations"));
	assert_non_null(strstr(html, "id=\"counters\""));
	assert_non_null(strstr(html, "</html>"));
	free(html);
	make_records();
	svmtrace_replay_free(&rp);
	assert_int_equal(svmtrace_replay_build(&rp, recs, nrecs, &f, &o, SVMTRACE_REPLAY_MAX_KEYS), 0);
	full = fopen("/dev/full", "w");
	if (full) {
		assert_int_equal(svmtrace_html_write(full, &run, &o, &f, recs, nrecs, &rp), -EIO);
		fclose(full);
	}
	svmtrace_replay_free(&rp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_contained_and_escaped),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_rows_equal_json),
		cmocka_unit_test(test_share_heatmap_counters),
		cmocka_unit_test(test_by_stage_only_no_counters),
		cmocka_unit_test(test_empty_and_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
