// SPDX-License-Identifier: GPL-2.0
/* svmtop's rate maths: deltas, restarts, new rows, sorting, BPF cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "svmtrace_topmodel.h"

static void test_rate(void **state)
{
	(void)state;
	assert_true(svmtrace_rate(300, 100, 2.0) == 100.0);
	/* a counter that went backwards restarted: all of it is new */
	assert_true(svmtrace_rate(50, 100, 1.0) == 50.0);
	assert_true(svmtrace_rate(10, 0, 0) == 0);
}

static void test_rows(void **state)
{
	struct svmtrace_top_sample before[1] = { { .id = 7, .migrations = 10, .pages = { 100, 50 } } };
	struct svmtrace_top_sample now[2] = {
		{ .id = 7, .comm = "svmbench", .migrations = 30, .pages = { 612, 50 }, .retries = 4,
		  .p50_ns = 1000, .p99_ns = 5000 },
		{ .id = 9, .comm = "new", .migrations = 2, .pages = { 0, 8 } },
	};
	struct svmtrace_top_row rows[2];

	(void)state;
	assert_int_equal(svmtrace_top_rows(now, 2, before, 1, 2.0, rows), 2);
	assert_int_equal(rows[0].id, 7);
	assert_string_equal(rows[0].comm, "svmbench");
	assert_true(rows[0].migrations_s == 10.0);
	assert_true(rows[0].bytes_s[0] == 256.0 * 4096);
	assert_true(rows[0].bytes_s[1] == 0);
	assert_true(rows[0].retries_s == 2.0);
	assert_true(rows[0].p99_ns == 5000);
	/* pid 9 appeared in this window: its totals are this window's */
	assert_true(rows[1].migrations_s == 1.0);
	assert_true(rows[1].bytes_s[1] == 4.0 * 4096);
}

static void test_sort(void **state)
{
	struct svmtrace_top_row rows[3] = {
		{ .id = 1, .migrations_s = 5, .p99_ns = 900 },
		{ .id = 2, .migrations_s = 50, .p99_ns = 100 },
		{ .id = 3, .migrations_s = 5, .p99_ns = 300 },
	};

	(void)state;
	svmtrace_top_sort(rows, 3, SVMTRACE_SORT_MIGRATIONS);
	assert_int_equal(rows[0].id, 2);
	assert_int_equal(rows[1].id, 1);	/* tie broken by id */
	assert_int_equal(rows[2].id, 3);
	svmtrace_top_sort(rows, 3, SVMTRACE_SORT_P99);
	assert_int_equal(rows[0].id, 1);
	svmtrace_top_sort(rows, 3, SVMTRACE_SORT_ID);
	assert_int_equal(rows[0].id, 1);
	assert_int_equal(rows[2].id, 3);
}

static void test_bpf_cost(void **state)
{
	double ns_ev, ev_s, cpu;

	(void)state;
	svmtrace_bpf_cost_rates(1000000 + 500000, 2000 + 1000, 1000000, 2000, 0.5, &ns_ev, &ev_s, &cpu);
	assert_true(ns_ev == 500.0);
	assert_true(ev_s == 2000.0);
	assert_true(cpu > 0.0999 && cpu < 0.1001);
	svmtrace_bpf_cost_rates(5, 5, 5, 5, 1, &ns_ev, &ev_s, &cpu);
	assert_true(ns_ev == 0 && ev_s == 0 && cpu == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_bpf_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
