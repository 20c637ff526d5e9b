// SPDX-License-Identifier: GPL-2.0
/*
 * svmtrace gate's rule language and writers: good rules parse into what they
 * say, every error names its column, units and kinds are checked, rules
 * evaluate on synthetic runs (merging, exact values, stored percentiles,
 * counters and aliases, baseline ratios, and never a pass on a missing
 * value), the counter names match hist -j's, JSON runs round-trip, and the
 * XML escaping keeps JUnit well-formed.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "svmtrace_gate_io.h"
#include "svmtrace_gate_rules.h"
#include "svmtrace_histogram.h"
#include "svmtrace_recfile.h"

static struct gate_rule parse_ok(const char *text)
{
	struct gate_rule r;
	struct gate_error err;

	if (gate_rule_parse(text, &r, &err))
		fail_msg("'%s' should parse: column %d: %s", text, err.col + 1, err.msg);
	return r;
}

static void test_parse_good(void **state)
{
	struct gate_rule r;

	(void)state;
	r = parse_ok("total.p99 < 5ms");
	assert_int_equal(r.cmp, GATE_LT);
	assert_int_equal(r.lhs->type, GATE_N_STAT);
	assert_int_equal(r.lhs->stage, SVMTRACE_STAGE_TOTAL);
	assert_int_equal(r.lhs->stat, GATE_STAT_PCT);
	assert_true(r.lhs->pct == 99);
	assert_int_equal(r.rhs->type, GATE_N_LITERAL);
	assert_true(r.rhs->number == 5e6);
	assert_string_equal(r.text, "total.p99 < 5ms");
	assert_string_equal(r.name, "total.p99 < 5ms");
	assert_false(r.uses_baseline);
	gate_rule_free(&r);

	r = parse_ok("iova-wins: map{path=iova, direction=to_dev}.p50 <= 0.5 * map{path=page}.p50  # why");
	assert_string_equal(r.name, "iova-wins");
	assert_string_equal(r.text, "map{path=iova, direction=to_dev}.p50 <= 0.5 * map{path=page}.p50");
	assert_true(r.lhs->has[GATE_LABEL_PATH] && r.lhs->label[GATE_LABEL_PATH] == 0);
	assert_true(r.lhs->has[GATE_LABEL_DIRECTION] && r.lhs->label[GATE_LABEL_DIRECTION] == 0);
	assert_false(r.lhs->has[GATE_LABEL_TRIGGER]);
	assert_int_equal(r.rhs->type, GATE_N_MUL);
	assert_int_equal(r.rhs->kind, GATE_TIME);
	assert_int_equal(r.rhs->b->label[GATE_LABEL_PATH], 1);
	gate_rule_free(&r);

	r = parse_ok("retries == 0");
	assert_int_equal(r.lhs->type, GATE_N_COUNTER);
	assert_string_equal(r.lhs->counter, "retries");
	assert_int_equal(r.cmp, GATE_EQ);
	gate_rule_free(&r);

	r = parse_ok("baseline-p50: total{direction=to_ram}.p50 <= 1.5 * baseline(total{direction=to_ram}.p50)");
	assert_true(r.uses_baseline);
	assert_int_equal(r.baseline_col, 51);	/* the call, not the name */
	assert_int_equal(r.rhs->b->type, GATE_N_BASELINE);
	assert_int_equal(r.rhs->b->a->label[GATE_LABEL_DIRECTION], 1);
	gate_rule_free(&r);

	r = parse_ok("copy.p99.9 >= 1 us");
	assert_true(r.lhs->pct == 99.9);
	assert_true(r.rhs->number == 1000);
	gate_rule_free(&r);

	r = parse_ok("total{path=none,device=3,trigger=cpu_fault,pid=42}.count != 0");
	assert_int_equal(r.lhs->label[GATE_LABEL_PATH], SVMTRACE_PATH_NONE);
	assert_int_equal(r.lhs->label[GATE_LABEL_DEVICE], 3);
	assert_int_equal(r.lhs->label[GATE_LABEL_TRIGGER], 2);
	assert_int_equal(r.lhs->label[GATE_LABEL_PID], 42);
	assert_int_equal(r.lhs->kind, GATE_COUNT);
	gate_rule_free(&r);

	r = parse_ok("map{path=iova}.mean / map{path=page}.mean < 0.5");
	assert_int_equal(r.lhs->kind, GATE_RATIO);
	gate_rule_free(&r);

	r = parse_ok("iova.peak_bytes <= 64 MiB");
	assert_int_equal(r.lhs->kind, GATE_BYTES);
	assert_true(r.rhs->number == 64.0 * 1048576);
	gate_rule_free(&r);

	r = parse_ok("retries <= 0.01 * (migrations)");
	assert_int_equal(r.rhs->kind, GATE_COUNT);
	gate_rule_free(&r);

	r = parse_ok("duration < 10 s");
	assert_int_equal(r.lhs->kind, GATE_TIME);
	gate_rule_free(&r);
}

/* Every error points at the offending text. */
/* Tens of thousands of '(' once overflowed the stack; now the 33rd is refused. */
static void test_parse_deep_nesting(void **state)
{
	enum { N = 50000 };
	char *rule = malloc(2 * N + 32);
	struct gate_error err;
	struct gate_rule r;
	int i, ok;

	(void)state;
	assert_non_null(rule);
	for (i = 0; i < N; i++)
		rule[i] = '(';
	strcpy(rule + N, "total.p50");
	for (i = 0; i < N; i++)
		rule[N + 9 + i] = ')';
	strcpy(rule + 2 * N + 9, " < 1ms");
	ok = !gate_rule_parse(rule, &r, &err);
	free(rule);
	if (ok)
		gate_rule_free(&r);
	assert_false(ok);
	assert_int_equal(err.col, 32);
	assert_string_equal(err.msg, "more than 32 nested parentheses");

	/* 32 levels still parse and evaluate. */
	r = parse_ok("((((((((((((((((((((((((((((((((total.p50)))))))))))))))))))))))))))))))) < 1ms");
	gate_rule_free(&r);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *rule;
		int col;	/* 1-based, like the message */
		const char *msg;
	} cases[] = {
		{ "mapp.p50 < 1ms", 1, "unknown stage 'mapp': did you mean 'map'?" },
		{ "mapp{path=iova}.p50 < 1ms", 1, "unknown stage 'mapp'" },
		{ "total.p99 < 5", 13, "'5' has no unit but 'total.p99' is a time" },
		{ "iova.peak_bytes > 1", 19, "is a size" },
		{ "retrys == 0", 1, "unknown counter 'retrys': did you mean 'retries'?" },
		{ "frobs == 0", 1, "unknown counter 'frobs'" },
		{ "total{path=iommu}.p50 < 1ms", 12, "unknown path 'iommu'" },
		{ "total{direction=up}.p50 < 1ms", 17, "unknown direction 'up'" },
		{ "total{trigger=fault}.p50 < 1ms", 15, "unknown trigger 'fault'" },
		{ "total{colour=red}.p50 < 1ms", 7, "unknown label 'colour'" },
		{ "total{device=x}.p50 < 1ms", 14, "invalid device 'x'" },
		{ "total{device=300}.p50 < 1ms", 14, "invalid device '300'" },
		{ "total{pid=0}.p50 < 1ms", 11, "invalid pid '0'" },
		{ "total{path=iova,path=page}.p50 < 1ms", 17, "label 'path' given twice" },
		{ "total{path iova}.p50 < 1ms", 12, "expected '=' after path" },
		{ "total{path=iova;}.p50 < 1ms", 16, "expected ',' or '}'" },
		{ "total{}.p50 < 1ms", 7, "expected a label" },
		{ "total.p999 < 1ms", 7, "p99.9 is written with a dot" },
		{ "total.p0 < 1ms", 7, "not above 0" },
		{ "total.p9. < 1ms", 7, "invalid percentile" },
		{ "total.median < 1ms", 7, "unknown statistic 'median'" },
		{ "total.mena < 1ms", 7, "did you mean 'mean'?" },
		{ "total < 1ms", 6, "expected '.STAT' after 'total'" },
		{ "total.p50 = 1ms", 11, "'=' is not a comparison: write '=='" },
		{ "total.p50", 10, "the rule has no comparison" },
		{ "total.p50 ~ 1ms", 11, "expected a comparison" },
		{ "total.p50 < 1 sec", 15, "unknown unit 'sec'" },
		{ "total.p50 < ", 13, "the rule ends where a value should be" },
		{ "total.p50 < 1ms extra", 17, "unexpected 'extra' after the rule" },
		{ "total.p50 < 1ms )", 17, "unexpected ')' after the rule" },
		{ "total.p50 < (1ms", 17, "expected ')' to close the '(' at column 13" },
		{ "total.p50 * total.p99 < 1ms", 13, "cannot multiply a time by a time" },
		{ "total.p50 / retries < 1ms", 13, "cannot divide a time by a count" },
		{ "2 / total.p50 < 1", 5, "a number divided by a time" },
		{ "total.p50 < 2 KiB", 13, "cannot compare a time ('total.p50') with a size" },
		{ "retries < 1ms", 11, "cannot compare a count ('retries') with a time" },
		{ "total.p50 < baseline", 13, "baseline needs a value in parentheses" },
		{ "total.p50 < baseline(5ms)", 22, "baseline() takes a statistic or a counter" },
		{ "total.p50 < baseline(total.p50", 31, "expected ')' after baseline's value" },
		{ ": total.p50 < 1ms", 1, "empty name before ':'" },
		{ "name:   ", 9, "empty rule" },
		{ "   # only a comment", 4, "empty rule" },
		{ "total.p50 < @", 13, "expected a value" },
		/* bounds that keep the recursive parser and evaluator on the stack */
		{ "(((((((((((((((((((((((((((((((((total.p50))))))))))))))))))))))))))))))))) < 1ms", 33,
		  "more than 32 nested parentheses" },
		{ "total.p50 < 1ms * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 "
		  "* 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 "
		  "* 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 "
		  "* 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1 * 1", 273, "more than 64 '*' and '/' in one rule" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gate_rule r;
		struct gate_error err;

		if (!gate_rule_parse(cases[i].rule, &r, &err)) {
			gate_rule_free(&r);
			fail_msg("'%s' should not parse", cases[i].rule);
		}
		if (err.col + 1 != cases[i].col || !strstr(err.msg, cases[i].msg))
			fail_msg("'%s': want column %d and '%s', got column %d: %s", cases[i].rule,
				 cases[i].col, cases[i].msg, err.col + 1, err.msg);
		assert_true(err.len >= 1);
	}
}

static void test_units_and_humanize(void **state)
{
	static const struct {
		const char *rule;
		double number;
	} lits[] = {
		{ "total.p50 < 250ns", 250 }, { "total.p50 < 1.5us", 1500 }, { "total.p50 < 5ms", 5e6 },
		{ "total.p50 < 2s", 2e9 }, { "total.p50 < 2e3 us", 2e6 }, { "total.p50 < .5ms", 5e5 },
		{ "iova.peak_bytes < 512B", 512 }, { "iova.peak_bytes < 4KiB", 4096 },
		{ "iova.peak_bytes < 2 MiB", 2097152 }, { "iova.peak_bytes < 1GiB", 1073741824.0 },
		{ "retries < 3", 3 }, { "total.p50 > 0", 0 },
	};
	char buf[48];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		struct gate_rule r = parse_ok(lits[i].rule);

		if (r.rhs->number != lits[i].number)
			fail_msg("'%s': limit %g, want %g", lits[i].rule, r.rhs->number, lits[i].number);
		gate_rule_free(&r);
	}
	gate_humanize(812, GATE_TIME, buf, sizeof(buf));
	assert_string_equal(buf, "812ns");
	gate_humanize(1234567, GATE_TIME, buf, sizeof(buf));
	assert_string_equal(buf, "1.235ms");
	gate_humanize(5e9, GATE_TIME, buf, sizeof(buf));
	assert_string_equal(buf, "5s");
	gate_humanize(2097152, GATE_BYTES, buf, sizeof(buf));
	assert_string_equal(buf, "2MiB");
	gate_humanize(40, GATE_COUNT, buf, sizeof(buf));
	assert_string_equal(buf, "40");
	gate_humanize(0.25, GATE_RATIO, buf, sizeof(buf));
	assert_string_equal(buf, "0.25");
	assert_string_equal(gate_unit_name(GATE_TIME), "us");
	assert_true(gate_unit_scale(GATE_TIME) == 1e-3);
}

/* A run: total and map histograms per direction and path, values 1..n us scaled. */
static struct svmtrace_hist_key key(uint32_t stage, uint32_t dir, uint32_t path)
{
	struct svmtrace_hist_key k = { .stage = stage, .direction = dir, .trigger = 0, .path = path,
				       .device = 0 };
	return k;
}

static struct gate_hist *add(struct gate_input *in, struct svmtrace_hist_key k, uint64_t n,
			     uint64_t unit, bool keep_values)
{
	struct gate_hist *h = gate_input_add_hist(in, &k);
	uint64_t i;

	assert_non_null(h);
	if (keep_values) {
		h->entry.values = malloc(n * sizeof(uint64_t));
		h->entry.nvalues = h->entry.cap = n;
	}
	for (i = 1; i <= n; i++) {
		svmtrace_histo_add(&h->entry.hist, i * unit);
		if (keep_values)
			h->entry.values[i - 1] = i * unit;
	}
	return h;
}

static void make_run(struct gate_input *in, bool exact)
{
	memset(in, 0, sizeof(*in));
	in->what = "the run";
	add(in, key(SVMTRACE_STAGE_TOTAL, 0, 1), 100, 1000, exact);	/* to_dev: 1..100 us */
	add(in, key(SVMTRACE_STAGE_TOTAL, 1, 1), 100, 3000, exact);	/* to_ram: 3..300 us */
	add(in, key(2, 0, 0), 10, 100, exact);				/* map iova: 0.1..1 us */
	add(in, key(2, 0, 1), 10, 1000, exact);				/* map page: 1..10 us */
	gate_input_add_counter(in, "migrations", 200);
	gate_input_add_counter(in, "livelock.retries_busy", 2);
	gate_input_add_counter(in, "livelock.retries_not_detached", 1);
	gate_input_add_counter(in, "livelock.retries_error", 0);
	gate_input_add_counter(in, "iova.peak_bytes", 4194304);
}

static struct gate_result eval(const char *text, const struct gate_input *run,
			       const struct gate_input *base)
{
	struct gate_rule r = parse_ok(text);
	struct gate_result res;

	gate_rule_eval(&r, run, base, &res);
	gate_rule_free(&r);
	return res;
}

static void expect(const char *text, const struct gate_input *run, const struct gate_input *base,
		   bool pass, double value)
{
	struct gate_result res = eval(text, run, base);

	if (res.pass != pass || !res.known || fabs(res.value - value) > 1e-9 * fabs(value))
		fail_msg("'%s': want %s with value %g, got %s%s value %g %s", text, pass ? "PASS" : "FAIL",
			 value, res.pass ? "PASS" : "FAIL", res.known ? "" : " (unknown)", res.value, res.why);
}

static void expect_unknown(const char *text, const struct gate_input *run,
			   const struct gate_input *base, const char *why)
{
	struct gate_result res = eval(text, run, base);

	if (res.pass || res.known || !strstr(res.why, why))
		fail_msg("'%s': want FAIL because '%s', got %s: %s", text, why,
			 res.pass ? "PASS" : "FAIL", res.why);
}

static void test_eval_exact(void **state)
{
	struct gate_input run;

	(void)state;
	make_run(&run, true);
	expect("total{direction=to_dev}.p50 <= 50us", &run, NULL, true, 50000);
	expect("total{direction=to_dev}.p99 < 99us", &run, NULL, false, 99000);
	expect("total{direction=to_ram}.max == 300us", &run, NULL, true, 300000);
	expect("total{direction=to_dev}.mean == 50.5us", &run, NULL, true, 50500);
	expect("total{direction=to_dev}.sum == 5050us", &run, NULL, true, 5050000);
	expect("total.count == 200", &run, NULL, true, 200);
	/* merged exact: 1..100 and 3,6..300 us; the 100th of 200 sorted values is 75 us */
	expect("total.p50 == 75us", &run, NULL, true, 75000);
	expect("map{path=iova}.p50 <= 0.5 * map{path=page}.p50", &run, NULL, true, 500);
	expect("map{path=iova}.p50 / map{path=page}.p50 < 0.2", &run, NULL, true, 0.1);
	expect("map.count == 20", &run, NULL, true, 20);
	expect("retries == 0", &run, NULL, false, 3);
	expect("retries <= 0.02 * migrations", &run, NULL, true, 3);
	expect("iova.peak_bytes <= 4MiB", &run, NULL, true, 4194304);
	expect("total.p50 > 0", &run, NULL, true, 75000);
	gate_input_free(&run);
}

static void test_eval_buckets_and_stored(void **state)
{
	struct gate_input run;
	struct gate_result res;

	(void)state;
	make_run(&run, false);
	/* from buckets: within the 3.2% the buckets promise */
	res = eval("total{direction=to_dev}.p50 < 1s", &run, NULL);
	assert_true(res.known && fabs(res.value - 50000) / 50000 < 0.032);
	res = eval("total.p50 < 1s", &run, NULL);
	assert_true(res.known && fabs(res.value - 75000) / 75000 < 0.032);
	/* a single histogram with percentiles from its file uses them as written */
	run.hists[0].stored = true;
	run.hists[0].stored_pct[0] = 12345;
	run.hists[0].stored_pct[2] = 23456;
	expect("total{direction=to_dev}.p50 == 12345ns", &run, NULL, true, 12345);
	expect("total{direction=to_dev}.p99 == 23456ns", &run, NULL, true, 23456);
	res = eval("total{direction=to_dev}.p75 < 1s", &run, NULL);
	assert_true(res.known && fabs(res.value - 75000) / 75000 < 0.032);
	gate_input_free(&run);
}

static void test_eval_missing_is_fail(void **state)
{
	struct gate_input run, unkeyed = { .what = "the run" };
	struct svmtrace_hist_key k = key(SVMTRACE_STAGE_TOTAL, 0, 1);

	(void)state;
	make_run(&run, true);
	expect_unknown("total{direction=peer}.p50 < 1s", &run, NULL,
		       "no histogram of the run matches total{direction=peer} (its total histograms "
		       "have direction to_dev, to_ram)");
	expect_unknown("total{direction=peer}.count == 0", &run, NULL, "no histogram");
	expect_unknown("unmap.p50 < 1s", &run, NULL, "it has no unmap histograms");
	expect_unknown("timeslice_holds == 0", &run, NULL, "has no counter 'livelock.timeslice_holds'");
	expect_unknown("events.svm_retry == 0", &run, NULL, "has no counter 'events.svm_retry'");
	expect_unknown("total.p50 <= baseline(total.p50)", &run, NULL, "no baseline given");
	expect_unknown("map{path=iova}.p50 < 2 * map{path=peer}.p50", &run, NULL,
		       "its map histograms have path iova, page");
	gate_input_add_counter(&run, "events.svm_retry", 0);
	expect_unknown("migrations / events.svm_retry > 1", &run, NULL, "division by zero");

	k.trigger = SVMTRACE_ALL;
	add(&unkeyed, k, 10, 1000, false);
	expect_unknown("total{trigger=cpu_fault}.p50 < 1s", &unkeyed, NULL,
		       "are not keyed by trigger (make it with hist --by stage,trigger)");
	k.stage = SVMTRACE_ALL;
	gate_input_free(&unkeyed);
	unkeyed.what = "the run";
	add(&unkeyed, k, 10, 1000, false);
	expect_unknown("total.p50 < 1s", &unkeyed, NULL, "not keyed by stage");
	gate_input_free(&unkeyed);
	gate_input_free(&run);
}

static void test_eval_baseline(void **state)
{
	struct gate_input run, base = { .what = "baseline base.json" };

	(void)state;
	make_run(&run, true);
	add(&base, key(SVMTRACE_STAGE_TOTAL, 0, 1), 100, 400, true);	/* to_dev p50 20 us */
	gate_input_add_counter(&base, "migrations", 200);
	expect("total{direction=to_dev}.p50 <= 4 * baseline(total{direction=to_dev}.p50)", &run, &base,
	       true, 50000);
	expect("total{direction=to_dev}.p50 <= 1.5 * baseline(total{direction=to_dev}.p50)", &run, &base,
	       false, 50000);
	expect("migrations == baseline(migrations)", &run, &base, true, 200);
	expect_unknown("total{direction=to_ram}.p50 <= 4 * baseline(total{direction=to_ram}.p50)", &run,
		       &base, "no histogram of baseline base.json matches total{direction=to_ram}");
	expect_unknown("retries <= baseline(retries)", &run, &base,
		       "baseline base.json has no counter 'livelock.retries_busy'");
	gate_input_free(&base);
	gate_input_free(&run);
}

static bool listed(const char *const *names, const char *name)
{
	for (; *names; names++)
		if (!strcmp(*names, name))
			return true;
	return false;
}

/* The names rules may use are exactly what hist -j writes, plus events, duration, aliases. */
static void test_counter_names_match_hist_json(void **state)
{
	uint64_t zeros[SVMTRACE_CNT_MAX] = { 0 };
	json_object *j = svmtrace_render_counters_json(zeros);
	struct gate_input in = { 0 };
	const char *const *names = gate_counter_names();
	size_t i, n = 0, extra = 0;

	(void)state;
	assert_int_equal(gate_input_add_counters_json(&in, j, ""), 0);
	json_object_put(j);
	for (i = 0; i < in.ncounters; i++)
		if (!listed(names, in.counters[i].name))
			fail_msg("hist -j writes counter '%s' that rules cannot name", in.counters[i].name);
	for (; names[n]; n++) {
		bool in_json = false;

		for (i = 0; i < in.ncounters; i++)
			in_json |= !strcmp(in.counters[i].name, names[n]);
		if (!in_json)
			extra++;
	}
	/* events (SVMTRACE_EV_MAX), duration and the five aliases are not under "counters" */
	assert_int_equal(extra, SVMTRACE_EV_MAX + 1 + 5);
	gate_input_free(&in);
}

static void test_json_round_trip(void **state)
{
	char path[] = "/tmp/test_gate.XXXXXX", msg[256];
	struct gate_input run, back = { .what = "the run" };
	struct gate_result a, b;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	make_run(&run, false);
	gate_input_add_counter(&run, "events.svm_migrate_end", 200);
	gate_input_add_counter(&run, "duration", 2.5e9);
	assert_int_equal(gate_write_json_file(path, gate_input_to_json(&run), msg, sizeof(msg)), 0);
	if (gate_input_from_json(&back, path, msg, sizeof(msg)))
		fail_msg("reading back: %s", msg);
	assert_int_equal(back.nhists, run.nhists);
	a = eval("total{direction=to_ram}.p90 < 1s", &run, NULL);
	b = eval("total{direction=to_ram}.p90 < 1s", &back, NULL);
	assert_true(a.known && b.known && a.value == b.value);
	a = eval("map.p50 < 1s", &run, NULL);
	b = eval("map.p50 < 1s", &back, NULL);
	assert_true(a.known && b.known && fabs(a.value - b.value) < 1e-6 * a.value);
	expect("retries == 3", &back, NULL, true, 3);
	expect("events.svm_migrate_end == 200", &back, NULL, true, 200);
	expect("duration == 2.5s", &back, NULL, true, 2.5e9);
	expect("iova.peak_bytes == 4MiB", &back, NULL, true, 4194304);
	gate_input_free(&back);
	gate_input_free(&run);
	unlink(path);
}

static void json_error(const char *text, const char *want)
{
	char path[] = "/tmp/test_gate.XXXXXX", msg[256] = "";
	struct gate_input in = { .what = "the run" };
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	if (!gate_input_from_json(&in, path, msg, sizeof(msg)) || !strstr(msg, want))
		fail_msg("'%s': want an error with '%s', got '%s'", text, want, msg);
	gate_input_free(&in);
	unlink(path);
}

static void test_json_errors(void **state)
{
	(void)state;
	json_error("", "empty file");
	json_error("{\"histograms\": [", "ends inside a value");
	json_error("{\"histograms\": [}\n", "not JSON");
	json_error("[1, 2]", "no \"histograms\" array");
	json_error("{\"histograms\": []}\n{\"histograms\": []}\n", "more than one JSON document (line 2)");
	json_error("{\"histograms\": [{\"stage\": \"mapp\", \"count\": 0, \"sum_ns\": 0, \"max_ns\": 0, "
		   "\"buckets\": []}]}", "histogram 1: unknown stage 'mapp'");
	json_error("{\"histograms\": [{\"stage\": \"map\", \"sum_ns\": 0, \"max_ns\": 0, "
		   "\"buckets\": []}]}", "count, sum_ns or max_ns missing");
	json_error("{\"histograms\": [{\"stage\": \"map\", \"count\": 1, \"sum_ns\": 5, \"max_ns\": 5, "
		   "\"buckets\": [[5, 6, 1]]}]}", "bucket [5, 6] is not one of svmtrace's buckets");
	json_error("{\"histograms\": [{\"stage\": \"map\", \"count\": 2, \"sum_ns\": 5, \"max_ns\": 5, "
		   "\"buckets\": [[5, 5, 1]]}]}", "its buckets hold 1 values but its count is 2");
	json_error("{\"histograms\": [{\"stage\": \"map\", \"device\": \"x\", \"count\": 0, "
		   "\"sum_ns\": 0, \"max_ns\": 0, \"buckets\": []}]}", "device is not a number");

	/* Members present with the wrong type: once a NULL dereference. */
	json_error("{\"histograms\": [], \"counters\": 5}",
		   "\"counters\" is int, not an object of counters");
	json_error("{\"histograms\": [], \"events\": [1, 2]}",
		   "\"events\" is array, not an object of counters");
	json_error("{\"histograms\": [], \"counters\": {\"livelock\": {\"retries_busy\": \"2\"}}}",
		   "counter livelock.retries_busy is string, not a number");
	json_error("{\"histograms\": [], \"seconds\": \"5\"}",
		   "\"seconds\" is \"5\": want the run's length in seconds");

	/* Numbers out of range: once converted to unsigned integers regardless. */
	json_error("{\"histograms\": [], \"counters\": {\"migrations\": -1}}",
		   "counter migrations is -1: a counter is a whole number from 0 to 2^53");
	json_error("{\"histograms\": [], \"events\": {\"svm_retry\": 1e300}}",
		   "counter events.svm_retry is 1e300");
	json_error("{\"histograms\": [], \"seconds\": -1}", "\"seconds\" is -1");
	json_error("{\"histograms\": [{\"stage\": \"map\", \"count\": 18446744073709551615, "
		   "\"sum_ns\": 0, \"max_ns\": 0, \"buckets\": []}]}",
		   "histogram 1: count is 18446744073709551615: want a whole number from 0 to 2^53");
	json_error("{\"histograms\": [{\"stage\": \"map\", \"count\": 1, \"sum_ns\": -5, "
		   "\"max_ns\": 0, \"buckets\": []}]}", "histogram 1: sum_ns is -5");
	json_error("{\"histograms\": [{\"stage\": \"map\", \"count\": 1, \"sum_ns\": 5, "
		   "\"max_ns\": 5.5, \"buckets\": []}]}", "histogram 1: max_ns is double, not a whole number");
	json_error("{\"histograms\": [{\"stage\": \"map\", \"count\": 1, \"sum_ns\": 5, "
		   "\"max_ns\": 5, \"buckets\": [[5, 5, 1.5]]}]}",
		   "histogram 1: bucket 0: count 1.5 is not a whole number from 0 to 2^53");
	json_error("{\"histograms\": [{\"stage\": \"map\", \"count\": 2, \"sum_ns\": 10, "
		   "\"max_ns\": 5, \"buckets\": [[5, 5, 9007199254740992], [5, 5, 9007199254740992]]}]}",
		   "histogram 1: its buckets hold more values than its count (2)");
	json_error("{\"histograms\": [{\"stage\": \"map\", \"count\": 1, \"sum_ns\": 5, "
		   "\"max_ns\": 5, \"buckets\": [[5, 5, 1]], \"p50_ns\": -3}]}",
		   "histogram 1: p50_ns is -3: want a number of ns from 0 to 2^53");
}

/* A record file read through report's replay: exact percentiles, trailer counters. */
static void test_record_input(void **state)
{
	char path[] = "/tmp/test_gate.XXXXXX", msg[256] = "";
	uint64_t counters[SVMTRACE_CNT_MAX] = { 0 };
	struct gate_input in = { .what = "the run" };
	struct svmtrace_recfile_writer w;
	struct svmtrace_recfile_info info;
	struct gate_result res;
	int fd = mkstemp(path), i;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	svmtrace_recfile_info_init(&info);
	assert_int_equal(svmtrace_recfile_create(&w, path, &info), 0);
	for (i = 1; i <= 100; i++) {
		/* to_dev totals of i us and to_ram totals of 3i us, trigger and device kept */
		struct svmtrace_record r = { .event = SVM_PAGEMAP_EV_MIGRATE_END, .stage = SVMTRACE_STAGE_TOTAL,
					     .direction = 0, .trigger = 1, .path = 1, .device = 2,
					     .duration_ns = i * 1000ull, .ts_ns = info.start_monotonic_ns + i };

		assert_int_equal(svmtrace_recfile_write(&w, &r), 0);
		r.direction = 1;
		r.trigger = 2;
		r.duration_ns = i * 3000ull;
		assert_int_equal(svmtrace_recfile_write(&w, &r), 0);
	}
	counters[SVMTRACE_CNT_MIGRATIONS] = 200;
	counters[SVMTRACE_CNT_RETRY0] = 4;
	assert_int_equal(svmtrace_recfile_finish(&w, 0, counters), 0);

	if (gate_input_from_record(&in, path, msg, sizeof(msg)))
		fail_msg("reading the recording: %s", msg);
	expect("total.p50 == 75us", &in, NULL, true, 75000);	/* exact over both directions */
	expect("total{trigger=prefetch,device=2}.p99 == 99us", &in, NULL, true, 99000);
	expect("total{trigger=cpu_fault}.max == 300us", &in, NULL, true, 300000);
	expect("events.svm_migrate_end == 200", &in, NULL, true, 200);
	expect("migrations == 200", &in, NULL, true, 200);
	expect("retries == 4", &in, NULL, true, 4);
	res = eval("total{device=1}.count == 0", &in, NULL);
	assert_false(res.pass);
	assert_non_null(strstr(res.why, "its total histograms have device 2"));
	gate_input_free(&in);

	/* an unfinished recording is refused, saying what to do */
	in.what = "the run";
	assert_int_equal(truncate(path, SVMTRACE_RECFILE_HEADER_SIZE + 10 * SVMTRACE_RECFILE_RECORD_SIZE), 0);
	assert_int_equal(gate_input_from_record(&in, path, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "gate needs a finished recording"));
	gate_input_free(&in);
	unlink(path);
}

static void test_xml_escape(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	gate_xml_escape(f, "a<b && c>\"d\" 'e'\x01\tµs \xff\xc3");
	fclose(f);
	assert_string_equal(buf, "a&lt;b &amp;&amp; c&gt;&quot;d&quot; &apos;e&apos;?&#9;µs ??");
	free(buf);
}

static void test_bench_json(void **state)
{
	struct gate_rule r1 = parse_ok("p99: total.p99 < 5ms"), r2 = parse_ok("retries == 0");
	struct gate_rule r3 = parse_ok("unmap.p50 < 1ms");
	struct gate_verdict v[3] = { { .rule = &r1 }, { .rule = &r2 }, { .rule = &r3 } };
	struct gate_input run;
	json_object *arr, *o;

	(void)state;
	make_run(&run, true);
	gate_rule_eval(&r1, &run, NULL, &v[0].res);
	gate_rule_eval(&r2, &run, NULL, &v[1].res);
	gate_rule_eval(&r3, &run, NULL, &v[2].res);
	arr = gate_bench_json(v, 3);
	assert_int_equal(json_object_array_length(arr), 2);	/* unmap has no value to chart */
	o = json_object_array_get_idx(arr, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "name")), "p99");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "unit")), "us");
	assert_true(json_object_get_double(json_object_object_get(o, "value")) == 294);
	assert_non_null(strstr(json_object_get_string(json_object_object_get(o, "extra")), "PASS"));
	o = json_object_array_get_idx(arr, 1);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "unit")), "count");
	assert_true(json_object_get_double(json_object_object_get(o, "value")) == 3);
	assert_non_null(strstr(json_object_get_string(json_object_object_get(o, "extra")), "FAIL"));
	json_object_put(arr);
	gate_rule_free(&r1);
	gate_rule_free(&r2);
	gate_rule_free(&r3);
	gate_input_free(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_deep_nesting),
		cmocka_unit_test(test_units_and_humanize),
		cmocka_unit_test(test_eval_exact),
		cmocka_unit_test(test_eval_buckets_and_stored),
		cmocka_unit_test(test_eval_missing_is_fail),
		cmocka_unit_test(test_eval_baseline),
		cmocka_unit_test(test_counter_names_match_hist_json),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_record_input),
		cmocka_unit_test(test_xml_escape),
		cmocka_unit_test(test_bench_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
