// SPDX-License-Identifier: GPL-2.0
/*
 * The key table behind report's replay: many keys each found again under
 * its own index, keys that differ in one dimension only, every key in one
 * probe chain (a hash that collides always), and the lookup that must not
 * add a key.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "svmtrace_keytab.h"

static struct svmtrace_hist_key key_n(uint32_t n)
{
	/* spread over several dimensions, as --by stage,pid,cgroup keys are */
	return (struct svmtrace_hist_key){
		.stage = n % 7, .direction = n % 3, .trigger = 0, .path = n % 2,
		.device = n % 5, .pid = n / 7, .cgroup = (uint64_t)n << 32,
	};
}

/* The caller's keys, by index, as report's groups hold them. */
static struct svmtrace_hist_key keys[200000];

static const struct svmtrace_hist_key *key_at(const void *ctx, uint32_t idx)
{
	(void)ctx;
	return &keys[idx];
}

static uint64_t collide(const struct svmtrace_hist_key *key)
{
	(void)key;
	return 42;
}

static void fill_and_check(struct svmtrace_keytab *t, uint32_t nkeys)
{
	uint32_t i, idx;

	for (i = 0; i < nkeys; i++) {
		struct svmtrace_hist_key k = key_n(i);

		assert_int_equal(svmtrace_keytab_get(t, &k, true, i, &idx), 1);
		assert_int_equal(idx, i);
		keys[i] = k;
	}
	assert_int_equal(t->n, nkeys);
	assert_true(t->n * 2 <= t->mask + 1);
	for (i = 0; i < nkeys; i++) {
		struct svmtrace_hist_key k = key_n(i);

		idx = UINT32_MAX;
		assert_int_equal(svmtrace_keytab_get(t, &k, true, 12345, &idx), 0);
		assert_int_equal(idx, i);
	}
}

static void test_many_keys(void **state)
{
	struct svmtrace_keytab t = { .key_of = key_at };

	(void)state;
	fill_and_check(&t, 200000);
	svmtrace_keytab_free(&t);
	assert_null(t.slots);
}

static void test_all_collide(void **state)
{
	struct svmtrace_keytab t = { .key_of = key_at, .hash = collide };

	(void)state;
	fill_and_check(&t, 3000);
	svmtrace_keytab_free(&t);
}

static void test_one_dimension_apart(void **state)
{
	struct svmtrace_hist_key a = { .stage = 1, .pid = 7 }, b = a, c = a;
	struct svmtrace_keytab t = { .key_of = key_at, .hash = collide };
	uint32_t idx;

	(void)state;
	b.cgroup = 1;
	c.trigger = 1;
	keys[0] = a;
	keys[1] = b;
	keys[2] = c;
	/* one probe chain: only the comparison of whole keys tells them apart */
	assert_int_equal(svmtrace_keytab_get(&t, &a, true, 0, &idx), 1);
	assert_int_equal(svmtrace_keytab_get(&t, &b, true, 1, &idx), 1);
	assert_int_equal(svmtrace_keytab_get(&t, &c, true, 2, &idx), 1);
	assert_int_equal(svmtrace_keytab_get(&t, &b, true, 3, &idx), 0);
	assert_int_equal(idx, 1);
	assert_int_not_equal(svmtrace_keytab_hash(&a), svmtrace_keytab_hash(&b));
	svmtrace_keytab_free(&t);
}

static void test_no_insert(void **state)
{
	struct svmtrace_hist_key a = key_n(1), b = key_n(2);
	struct svmtrace_keytab t = { .key_of = key_at };
	uint32_t idx = 99;

	(void)state;
	assert_int_equal(svmtrace_keytab_get(&t, &a, false, 0, &idx), -ENOENT);
	assert_int_equal(idx, 99);
	assert_int_equal(svmtrace_keytab_get(&t, &a, true, 0, &idx), 1);
	keys[0] = a;
	assert_int_equal(svmtrace_keytab_get(&t, &b, false, 1, &idx), -ENOENT);
	assert_int_equal(svmtrace_keytab_get(&t, &a, false, 1, &idx), 0);
	assert_int_equal(idx, 0);
	assert_int_equal(t.n, 1);
	svmtrace_keytab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_all_collide),
		cmocka_unit_test(test_one_dimension_apart),
		cmocka_unit_test(test_no_insert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
