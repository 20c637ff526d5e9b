// SPDX-License-Identifier: GPL-2.0
/*
 * The text views of svmtrace hist and report: by default a summary line
 * over log2 bars (one row per power of two from the first non-empty one to
 * the last, bars proportional to the counts, no row past 80 columns even
 * with the widest labels and counts), the fine buckets as bars with
 * --fine, one summary line per key with --table; and JSON that no view
 * changes.
 */
#include <argp.h>
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

#define MAX_LINES 256

struct text {
	char *buf;
	char *line[MAX_LINES];
	int n;
};

/* Render @e with @o and split it into lines (the leading empty one kept). */
static void render(struct text *t, const struct svmtrace_render_opts *o,
		   const struct svmtrace_hist_entry *e)
{
	size_t len = 0;
	char *p, *nl;
	FILE *out;

	memset(t, 0, sizeof(*t));
	out = open_memstream(&t->buf, &len);
	assert_non_null(out);
	svmtrace_render_entry(out, o, e);
	fclose(out);
	for (p = t->buf; *p && t->n < MAX_LINES; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);	/* every line ends */
		*nl = '\0';
		t->line[t->n++] = p;
	}
}

static int count_lines(const struct text *t, const char *needle)
{
	int i, n = 0;

	for (i = 0; i < t->n; i++)
		n += strstr(t->line[i], needle) != NULL;
	return n;
}

static int stars(const char *line)
{
	const char *bar = strchr(line, '|');
	int n = 0;

	assert_non_null(bar);
	while (*++bar == '*')
		n++;
	return n;
}

static void assert_width(const struct text *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (strlen(t->line[i]) > SVMTRACE_RENDER_COLS)
			fail_msg("line %d is %zu columns: '%s'", i, strlen(t->line[i]), t->line[i]);
}

/* An entry of @n values, as report builds it (sorted values kept). */
static void entry_of(struct svmtrace_hist_entry *e, const uint64_t *v, size_t n)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	e->key.stage = SVMTRACE_STAGE_TOTAL;
	e->key.direction = 1;
	e->key.trigger = SVMTRACE_ALL;
	e->key.path = 1;
	e->key.device = SVMTRACE_ALL;
	e->values = calloc(n ? n : 1, sizeof(*v));
	assert_non_null(e->values);
	for (i = 0; i < n; i++) {
		svmtrace_histo_add(&e->hist, v[i]);
		e->values[i] = v[i];	/* callers pass them sorted */
	}
	e->nvalues = n;
}

static void test_default_draws_log2_bars(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_hist_entry e;
	uint64_t v[10];
	struct text t;
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		v[i] = 2000 * (i + 1);	/* 2..20 us: 1, 1, 2, 4, 2 per power of two */
	entry_of(&e, v, 10);
	assert_int_equal(o.view, SVMTRACE_VIEW_LOG2);
	render(&t, &o, &e);
	/* key, summary with the percentiles, header, then the bars */
	assert_string_equal(t.line[0], "");
	assert_string_equal(t.line[1], "stage=total direction=to_ram path=page");
	assert_string_equal(t.line[2],
			    "  count 10  avg 11.00us  p50 10.00us  p90 18.00us  p99 20.00us  max 20.00us");
	assert_string_equal(t.line[3], "     ns                  : count    distribution");
	assert_int_equal(t.n, 4 + 5);
	assert_int_equal(count_lines(&t, " -> "), 5);
	assert_string_equal(t.line[4], "      1024 -> 2047       : 1        "
			    "|**********                              |");
	assert_non_null(strstr(t.line[5], "      2048 -> 4095       : 1        |"));
	assert_non_null(strstr(t.line[6], "      4096 -> 8191       : 2        |"));
	assert_non_null(strstr(t.line[7], "      8192 -> 16383      : 4        |"));
	assert_non_null(strstr(t.line[8], "     16384 -> 32767      : 2        |"));
	/* the largest count has the whole 40-column bar, the others their share */
	assert_int_equal(stars(t.line[7]), 40);
	assert_int_equal(stars(t.line[6]), 20);
	assert_int_equal(stars(t.line[8]), 20);
	assert_int_equal(stars(t.line[5]), 10);
	/* no percentile line of the table, no "(exact)" */
	assert_int_equal(count_lines(&t, "p99.9"), 0);
	assert_int_equal(count_lines(&t, "from buckets"), 0);
	assert_width(&t);
	free(t.buf);
	free(e.values);

	/* zeroed options, as tests and tools that fill their own get, draw bars too */
	memset(&o, 0, sizeof(o));
	o.unit = "us";
	o.unit_ns = 1e3;
	entry_of(&e, v, 10);
	render(&t, &o, &e);
	assert_int_equal(count_lines(&t, " -> "), 5);
	free(t.buf);
	free(e.values);
}

/* Empty powers of two before the first and after the last sample are left out; between, kept. */
static void test_trims_empty_ends(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_hist_entry e;
	uint64_t v[] = { 40000, 40001, 5000000 };
	struct text t;

	(void)state;
	entry_of(&e, v, 3);
	render(&t, &o, &e);
	assert_int_equal(count_lines(&t, " -> "), 8);	/* 2^15 .. 2^22 */
	assert_non_null(strstr(t.line[4], "     32768 -> 65535      : 2        |"));
	assert_non_null(strstr(t.line[5], "     65536 -> 131071     : 0        |"));
	assert_int_equal(stars(t.line[5]), 0);
	assert_non_null(strstr(t.line[11], "   4194304 -> 8388607    : 1        |"));
	assert_int_equal(stars(t.line[11]), 20);
	assert_width(&t);
	free(t.buf);
	free(e.values);
}

static void test_single_sample_and_empty(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_hist_entry e;
	uint64_t one = 0;
	struct text t;

	(void)state;
	/* one sample of 0 ns: the 0 -> 0 row, full bar */
	entry_of(&e, &one, 1);
	render(&t, &o, &e);
	assert_int_equal(t.n, 5);
	assert_string_equal(t.line[2], "  count 1  avg 0.000us  p50 0.000us  p90 0.000us  p99 0.000us  max 0.000us");
	assert_non_null(strstr(t.line[4], "         0 -> 0          : 1        |"));
	assert_int_equal(stars(t.line[4]), 40);
	free(t.buf);
	o.view = SVMTRACE_VIEW_FINE;
	render(&t, &o, &e);
	assert_int_equal(t.n, 5);
	assert_int_equal(stars(t.line[4]), 40);
	free(t.buf);
	free(e.values);

	/* no sample at all (a key with nothing in an interval): the summary, no bars */
	entry_of(&e, NULL, 0);
	free(e.values);
	e.values = NULL;	/* as hist's entries: no "from buckets" line under --table */
	for (o.view = SVMTRACE_VIEW_LOG2; o.view <= SVMTRACE_VIEW_TABLE; o.view++) {
		render(&t, &o, &e);
		assert_int_equal(t.n, 3);
		assert_non_null(strstr(t.line[2], "  count 0  avg 0.000us"));
		assert_int_equal(count_lines(&t, "distribution"), 0);
		free(t.buf);
	}
}

/* Labels up to the last bucket (2^42 ns, 73 minutes) and 11-digit counts still fit. */
static void test_width_bounded(void **state)
{
	static const uint64_t v[] = {
		1, 999, 1000000000ull, 1500000000ull, 17179869184ull, 1ull << 41, (1ull << 42) + 5,
	};
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	enum svmtrace_view views[] = { SVMTRACE_VIEW_LOG2, SVMTRACE_VIEW_FINE };
	struct svmtrace_hist_entry e;
	unsigned int i, u;
	struct text t;
	int r;

	(void)state;
	entry_of(&e, v, sizeof(v) / sizeof(v[0]));
	/* 10^11 more in the bucket of a second */
	e.hist.slots[svmtrace_hist_index(1000000000ull)] += 99999999999ull;
	e.hist.count += 99999999999ull;
	for (u = 0; u < 3; u++) {
		o.unit = (const char *[]){ "ns", "us", "ms" }[u];
		o.unit_ns = (double[]){ 1, 1e3, 1e6 }[u];
		for (i = 0; i < 2; i++) {
			o.view = views[i];
			render(&t, &o, &e);
			assert_width(&t);
			assert_true(count_lines(&t, " -> ") >= 6);
			/* every bar row is closed */
			for (r = 4; r < t.n; r++)
				assert_int_equal(t.line[r][strlen(t.line[r]) - 1], '|');
			assert_int_equal(count_lines(&t, ": 100000000000 |"), 1);
			free(t.buf);
		}
	}
	/* the log2 rows of a second and of the last bucket, whole */
	o.view = SVMTRACE_VIEW_LOG2;
	render(&t, &o, &e);
	assert_int_equal(count_lines(&t, "   536870912 -> 1073741823    : 100000000000 |"), 1);
	assert_int_equal(count_lines(&t, "2199023255552 -> 4398046511103 : 2 "), 1);
	/* large times move to a larger unit rather than widen the summary */
	assert_non_null(strstr(t.line[2], "  max 4398s"));
	free(t.buf);
	free(e.values);
}

static void test_table_one_line_per_key(void **state)
{
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	struct svmtrace_hist_entry e;
	uint64_t v[10];
	struct text t;
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		v[i] = 2000 * (i + 1);
	entry_of(&e, v, 10);
	o.view = SVMTRACE_VIEW_TABLE;
	render(&t, &o, &e);
	/* what svmtrace printed before bars were the default, to the byte */
	assert_int_equal(t.n, 4);
	assert_string_equal(t.line[1], "stage=total direction=to_ram path=page");
	assert_string_equal(t.line[2], "  count 10  avg 11.000us  p50 10.000us  p90 18.000us  "
			    "p99 20.000us  p99.9 20.000us  max 20.000us  (exact)");
	assert_non_null(strstr(t.line[3], "  from buckets:  p50 "));
	free(t.buf);
	/* hist's entries hold no values: the summary line alone */
	free(e.values);
	e.values = NULL;
	e.nvalues = 0;
	render(&t, &o, &e);
	assert_int_equal(t.n, 3);
	assert_int_equal(count_lines(&t, " -> "), 0);
	assert_null(strstr(t.line[2], "(exact)"));
	free(t.buf);
}

/* JSON is the same whatever the view, and the same bytes as before the views changed. */
static void test_json_unchanged(void **state)
{
	static const char want[] =
		"{\"stage\":\"total\",\"direction\":\"to_ram\",\"path\":\"page\",\"count\":3,"
		"\"sum_ns\":42000,\"max_ns\":20000,\"percentiles\":\"exact\",\"p50_ns\":12000.0,"
		"\"p90_ns\":20000.0,\"p99_ns\":20000.0,\"p999_ns\":20000.0,\"bucket_p50_ns\":11904.0,"
		"\"bucket_p90_ns\":20000.0,\"bucket_p99_ns\":20000.0,\"bucket_p999_ns\":20000.0,"
		"\"buckets\":[[9984,10239,1],[11776,12031,1],[19968,20479,1]],"
		"\"log2\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,"
		"0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}";
	struct svmtrace_render_opts o = SVMTRACE_RENDER_OPTS_DEFAULT;
	uint64_t v[] = { 10000, 12000, 20000 };
	struct svmtrace_hist_entry e;
	char *first = NULL;
	json_object *j;
	int view;

	(void)state;
	entry_of(&e, v, 3);
	for (view = SVMTRACE_VIEW_LOG2; view <= SVMTRACE_VIEW_TABLE; view++) {
		const char *s;

		o.view = view;
		j = svmtrace_render_entry_json(&o, &e);
		s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
		if (!first) {
			first = strdup(s);
			assert_string_equal(s, want);
		} else {
			assert_string_equal(s, first);
		}
		json_object_put(j);
	}
	free(first);
	free(e.values);
}

/* --log2, --fine and --table choose the view; the last one given wins. */
struct parsed {
	struct svmtrace_render_opts o;
};

static error_t parent_parse(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key == ARGP_KEY_INIT)
		state->child_inputs[0] = &((struct parsed *)state->input)->o;
	return ARGP_ERR_UNKNOWN;
}

static enum svmtrace_view parse_view(int argc, char **argv)
{
	static const struct argp_child children[] = { { &svmtrace_render_argp, 0, NULL, 0 }, {} };
	static const struct argp argp = { .parser = parent_parse, .children = children };
	struct parsed p = { .o = SVMTRACE_RENDER_OPTS_DEFAULT };

	assert_int_equal(argp_parse(&argp, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP | ARGP_SILENT,
				    NULL, &p), 0);
	return p.o.view;
}

static void test_view_flags(void **state)
{
	char *none[] = { "t" }, *table[] = { "t", "--table" }, *fine[] = { "t", "--fine" };
	char *log2[] = { "t", "--log2" }, *table_log2[] = { "t", "--table", "--log2" };
	char *log2_table[] = { "t", "--log2", "-j", "--table" };

	(void)state;
	assert_int_equal(parse_view(1, none), SVMTRACE_VIEW_LOG2);
	assert_int_equal(parse_view(2, log2), SVMTRACE_VIEW_LOG2);
	assert_int_equal(parse_view(2, table), SVMTRACE_VIEW_TABLE);
	assert_int_equal(parse_view(2, fine), SVMTRACE_VIEW_FINE);
	assert_int_equal(parse_view(3, table_log2), SVMTRACE_VIEW_LOG2);
	assert_int_equal(parse_view(4, log2_table), SVMTRACE_VIEW_TABLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_draws_log2_bars),
		cmocka_unit_test(test_trims_empty_ends),
		cmocka_unit_test(test_single_sample_and_empty),
		cmocka_unit_test(test_width_bounded),
		cmocka_unit_test(test_table_one_line_per_key),
		cmocka_unit_test(test_json_unchanged),
		cmocka_unit_test(test_view_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
