// SPDX-License-Identifier: GPL-2.0
/*
 * Report's replay with many keys: every key's values against a count made
 * the slow way, groups in print order, the histogram built for a group,
 * the key cap with its count of dropped records (and records the filter
 * drops are not counted there), and svmtrace_entries_from_records() with
 * the same keys as the replay.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svmtrace_replay.h"

enum { NKEYS = 30000, NRECS = 4 * NKEYS + 1000 };

/* Records over NKEYS processes, out of order, plus records the replay skips. */
static struct svmtrace_record *make_records(void)
{
	struct svmtrace_record *r = calloc(NRECS, sizeof(*r));
	uint64_t i;

	assert_non_null(r);
	for (i = 0; i < NRECS; i++) {
		r[i].event = SVM_PAGEMAP_EV_MIGRATE_END;
		r[i].stage = SVMTRACE_STAGE_TOTAL;
		r[i].pid = 1 + (uint32_t)((i * 7919) % NKEYS);
		r[i].duration_ns = 1000 + (i * 2654435761u) % 100000;
	}
	for (i = 0; i < 1000; i++)	/* not latency events */
		r[4 * NKEYS + i].event = SVM_PAGEMAP_EV_RETRY;
	return r;
}

static const struct svmtrace_render_opts by_pid = { .by = { [SVMTRACE_DIM_PID] = true },
						   .unit = "us", .unit_ns = 1e3 };

static void test_many_keys(void **state)
{
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_record *r = make_records();
	struct svmtrace_hist_entry *e = malloc(sizeof(*e));
	uint64_t *count = calloc(NKEYS + 1, sizeof(*count)), i, v;
	struct svmtrace_replay rp;

	(void)state;
	for (i = 0; i < 4 * NKEYS; i++)
		count[r[i].pid]++;
	assert_int_equal(svmtrace_replay_build(&rp, r, NRECS, &f, &by_pid, SVMTRACE_REPLAY_MAX_KEYS), 0);
	assert_int_equal(rp.ngroups, NKEYS);
	assert_int_equal(rp.dropped_records, 0);
	for (i = 0; i < rp.ngroups; i++) {
		const struct svmtrace_replay_group *g = &rp.groups[i];

		assert_int_equal(g->key.pid, i + 1);	/* sorted as printed */
		assert_int_equal(g->nvalues, count[g->key.pid]);
		for (v = 1; v < g->nvalues; v++)
			assert_true(g->values[v - 1] <= g->values[v]);
	}
	svmtrace_replay_entry(&rp, 17, e);
	assert_int_equal(e->key.pid, 18);
	assert_int_equal(e->hist.count, e->nvalues);
	assert_true(e->hist.max == e->values[e->nvalues - 1]);
	svmtrace_replay_free(&rp);
	free(count);
	free(e);
	free(r);
}

static void test_cap(void **state)
{
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_record *r = make_records();
	struct svmtrace_replay rp;
	uint64_t kept = 0, i;

	(void)state;
	assert_int_equal(svmtrace_replay_build(&rp, r, NRECS, &f, &by_pid, 100), 0);
	assert_int_equal(rp.ngroups, 100);
	assert_int_equal(rp.max_keys, 100);
	for (i = 0; i < rp.ngroups; i++)
		kept += rp.groups[i].nvalues;
	/* every latency record is either in a histogram or counted as dropped */
	assert_int_equal(kept + rp.dropped_records, 4 * NKEYS);
	assert_int_equal(kept, 4 * 100);
	svmtrace_replay_free(&rp);

	/* the filter's drops are not the cap's: one process, a cap of one key */
	f.pid = 5;
	assert_int_equal(svmtrace_replay_build(&rp, r, NRECS, &f, &by_pid, 1), 0);
	assert_int_equal(rp.ngroups, 1);
	assert_int_equal(rp.dropped_records, 0);
	assert_int_equal(rp.groups[0].nvalues, 4);
	svmtrace_replay_free(&rp);
	free(r);
}

static void test_empty(void **state)
{
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_replay rp;

	(void)state;
	assert_int_equal(svmtrace_replay_build(&rp, NULL, 0, &f, &by_pid, 10), 0);
	assert_int_equal(rp.ngroups, 0);
	assert_int_equal(rp.dropped_records, 0);
	svmtrace_replay_free(&rp);
}

static void test_entries_same_keys(void **state)
{
	struct svmtrace_filter f = SVMTRACE_FILTER_DEFAULT;
	struct svmtrace_record *r = make_records();
	struct svmtrace_hist_entry *entries, *e = malloc(sizeof(*e));
	struct svmtrace_replay rp;
	size_t n, i;

	(void)state;
	assert_int_equal(svmtrace_entries_from_records(r, NRECS, &f, &by_pid, &entries, &n), 0);
	assert_int_equal(svmtrace_replay_build(&rp, r, NRECS, &f, &by_pid, SVMTRACE_REPLAY_MAX_KEYS), 0);
	assert_int_equal(n, rp.ngroups);
	for (i = 0; i < n; i++) {
		svmtrace_replay_entry(&rp, i, e);
		assert_memory_equal(&entries[i].key, &e->key, sizeof(e->key));
		assert_memory_equal(&entries[i].hist, &e->hist, sizeof(e->hist));
		assert_int_equal(entries[i].nvalues, e->nvalues);
		assert_memory_equal(entries[i].values, e->values, e->nvalues * sizeof(uint64_t));
		assert_ptr_not_equal(entries[i].values, e->values);	/* entries own theirs */
	}
	svmtrace_replay_free(&rp);
	svmtrace_entries_free(entries, n);
	free(e);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_entries_same_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
