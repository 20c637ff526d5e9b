// SPDX-License-Identifier: GPL-2.0
/*
 * The svmtrace BPF programs on the host kernel: the raw_tp twins are loaded
 * and run through BPF_PROG_TEST_RUN with synthetic tracepoint arguments, and
 * the in-kernel aggregation must hold exactly what was fed in.  Needs root
 * (or CAP_BPF + CAP_PERFMON); skipped with the reason otherwise.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "svmtrace.h"
#include "svmtrace.skel.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static char skip_reason[160];

/*
 * The skeleton with its raw_tp programs loaded, @pool_keys keys' worth of
 * histogram blocks (0: the default); NULL with skip_reason set when not
 * root.
 */
static struct svmtrace_bpf *open_loaded(unsigned int pool_keys)
{
	struct svmtrace_bpf *skel;
	struct bpf_program *prog;

	libbpf_set_print(quiet);
	skel = svmtrace_bpf__open();
	assert_non_null(skel);
	/* the per-device totals of svmtop and export are checked too */
	skel->rodata->track_devices = true;
	if (pool_keys) {
		skel->rodata->hist_pool_size = pool_keys;
		bpf_map__set_max_entries(skel->maps.svmtrace_hist_pool,
					 pool_keys * SVMTRACE_HIST_GROUPS);
	}
	/* tp_btf needs the module's BTF, which the host does not have. */
	bpf_object__for_each_program(prog, skel->obj)
		if (!strncmp(bpf_program__section_name(prog), "tp_btf/", 7))
			bpf_program__set_autoload(prog, false);
	/* Without privileges the tests skip; as root a load failure is a failure. */
	if (geteuid() != 0) {
		snprintf(skip_reason, sizeof(skip_reason),
			 "not root: loading BPF programs needs root or CAP_BPF+CAP_PERFMON");
		svmtrace_bpf__destroy(skel);
		return NULL;
	}
	if (svmtrace_bpf__load(skel)) {
		fprintf(stderr, "loading the BPF programs failed: %s\n", strerror(errno));
		svmtrace_bpf__destroy(skel);
		fail();
	}
	return skel;
}

static int setup(void **state)
{
	*state = open_loaded(0);
	return 0;
}

static int teardown(void **state)
{
	svmtrace_bpf__destroy(*state);
	return 0;
}

static uint64_t event_count(struct svmtrace_bpf *skel, uint32_t event)
{
	assert_true(event < SVMTRACE_EV_MAX);
	return skel->bss->svmtrace_event_counts[event];
}

static void run_raw_tp(struct bpf_program *prog, uint64_t *args, size_t nargs)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = nargs * sizeof(*args));

	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(prog), &opts), 0);
	assert_int_equal(opts.retval, 0);
}

static void test_ioctl_events_counted(void **state)
{
	struct svmtrace_bpf *skel = *state;
	uint64_t args[3] = { 1, 0, (uint64_t)-22 };
	int i;

	if (!skel) {
		printf("reason: %s\n", skip_reason);
		skip();
	}
	assert_int_equal(event_count(skel, SVM_PAGEMAP_EV_IOCTL), 0);
	for (i = 0; i < 5; i++)
		run_raw_tp(skel->progs.svm_ioctl_raw, args, 3);
	assert_int_equal(event_count(skel, SVM_PAGEMAP_EV_IOCTL), 5);
}

static uint64_t counter(struct svmtrace_bpf *skel, uint32_t idx)
{
	assert_true(idx < SVMTRACE_CNT_MAX);
	return skel->bss->svmtrace_counters[idx];
}

/* svm_map then svm_stage_end and svm_migrate_end of one migration. */
static void feed_migration(struct svmtrace_bpf *skel, uint64_t id, uint32_t path,
			   uint64_t map_ns, uint64_t total_ns)
{
	uint64_t map[7] = { id, 0, path, 0 /* to_dev */, 512, 512 * 4096, 2 << 20 };
	uint64_t stage[10] = { id, 0, 2 /* map */, 0, 1 /* prefetch */, path, 512, 512 * 4096,
			       map_ns, 0 };
	/* no stage times (NULL): the stages come from svm_stage_end, as when recording */
	uint64_t end[11] = { id, 0, 0, 1, path, 0x7f0000000000ull, 512, 512, 0, total_ns, 0 };

	run_raw_tp(skel->progs.svm_map_raw, map, 7);
	run_raw_tp(skel->progs.svm_stage_end_raw, stage, 10);
	run_raw_tp(skel->progs.svm_migrate_end_raw, end, 11);
}

/* The histogram of a key in its slot, its count summed from the buckets as svmtrace does. */
static void find_hist(struct svmtrace_bpf *skel, uint32_t stage, uint32_t path,
		      struct svmtrace_hist *out)
{
	uint32_t index = svmtrace_hist_slot_of(stage, 0, 1, path, 0), at;
	struct svmtrace_hist_block block;
	struct svmtrace_hist_slot slot;
	unsigned int g, i, groups = 0;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.svmtrace_hist_slots),
					     &index, &slot), 0);
	memset(out, 0, sizeof(*out));
	out->sum = slot.sum;
	out->max = slot.max;
	for (g = 0; g < SVMTRACE_HIST_GROUPS; g++) {
		if (!slot.block[g])
			continue;
		groups++;
		at = slot.block[g] - 1;
		assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.svmtrace_hist_pool),
						     &at, &block), 0);
		for (i = 0; i < SVMTRACE_HIST_SUB; i++) {
			out->slots[g * SVMTRACE_HIST_SUB + i] = block.slots[i];
			out->count += block.slots[i];
		}
	}
	assert_true(groups > 0);
}

static void test_latency_histograms(void **state)
{
	struct svmtrace_bpf *skel = *state;
	struct svmtrace_hist *h;
	int i;

	if (!skel) {
		printf("reason: %s\n", skip_reason);
		skip();
	}
	h = calloc(1, sizeof(*h));
	assert_non_null(h);
	for (i = 0; i < 100; i++)
		feed_migration(skel, 1000 + i, i < 60 ? 0 /* iova */ : 1 /* page */,
			       10000 + i * 100, 1000000 + i);
	/* the map stage, keyed by the path the event carries */
	find_hist(skel, 2, 0, h);
	assert_int_equal(h->count, 60);
	assert_int_equal(h->max, 10000 + 59 * 100);
	find_hist(skel, 2, 1, h);
	assert_int_equal(h->count, 40);
	assert_int_equal(h->sum, 40 * 10000 + 100 * (60 + 99) * 40 / 2);
	/* whole migrations */
	find_hist(skel, SVMTRACE_STAGE_TOTAL, 0, h);
	assert_int_equal(h->count, 60);
	assert_int_equal(counter(skel, SVMTRACE_CNT_MIGRATIONS), 100);
	assert_int_equal(counter(skel, SVMTRACE_CNT_PAGES_DIR0), 100 * 512);
	assert_int_equal(counter(skel, SVMTRACE_CNT_BYTES_DIR0), 100ull * 512 * 4096);
	assert_int_equal(counter(skel, SVMTRACE_CNT_PATH0 + 0), 60);
	assert_int_equal(counter(skel, SVMTRACE_CNT_PATH0 + 1), 40);
	{
		struct svmtrace_device dev;
		uint32_t zero = 0;

		assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.svmtrace_devices),
						     &zero, &dev), 0);
		assert_int_equal(dev.migrations, 100);
		assert_int_equal(dev.pages[0], 100 * 512);
	}
	free(h);
}

/*
 * A key's groups of buckets take blocks as their first samples come, until
 * the pool (hist_pool_size keys' worth) is spent: one key with a sample in
 * every group takes the whole pool of one key, and the next key's sample
 * is counted as over the cap, not lost silently.
 */
static void test_hist_blocks(void **state)
{
	struct svmtrace_bpf *skel = open_loaded(1);
	uint64_t stage[10] = { 1, 0, 2 /* map */, 0, 1 /* prefetch */, 0 /* iova */, 1, 4096, 0, 0 };
	struct svmtrace_hist *h;
	uint64_t ns;
	unsigned int g;

	(void)state;
	if (!skel) {
		printf("reason: %s\n", skip_reason);
		skip();
	}
	h = calloc(1, sizeof(*h));
	assert_non_null(h);
	for (g = 0; g < SVMTRACE_HIST_GROUPS; g++) {
		/* one value in group g, and the same again: the second takes no block */
		ns = g ? 1ull << (g + SVMTRACE_HIST_SUB_BITS - 1) : 1;
		stage[8] = ns;
		run_raw_tp(skel->progs.svm_stage_end_raw, stage, 10);
		stage[8] = ns + (ns >> 1);
		run_raw_tp(skel->progs.svm_stage_end_raw, stage, 10);
	}
	assert_int_equal(skel->bss->svmtrace_hist_pool_used, SVMTRACE_HIST_GROUPS);
	assert_int_equal(counter(skel, SVMTRACE_CNT_KEYS_OVERFLOW), 0);
	find_hist(skel, 2, 0, h);
	assert_int_equal(h->count, 2 * SVMTRACE_HIST_GROUPS);
	for (g = 0; g < SVMTRACE_HIST_GROUPS; g++) {
		ns = g ? 1ull << (g + SVMTRACE_HIST_SUB_BITS - 1) : 1;
		assert_int_equal(h->slots[svmtrace_hist_index(ns)], ns == 1 ? 2 : 1);
		assert_int_equal(svmtrace_hist_index(ns) / SVMTRACE_HIST_SUB, g);
	}
	/* another stage of the same migration: no block left */
	stage[2] = 3;
	run_raw_tp(skel->progs.svm_stage_end_raw, stage, 10);
	assert_int_equal(counter(skel, SVMTRACE_CNT_KEYS_OVERFLOW), 1);
	/*
	 * Unfiltered, the stage ends that made samples are counted by their
	 * histograms (user space adds them up); the one without is counted here.
	 */
	assert_int_equal(event_count(skel, SVM_PAGEMAP_EV_STAGE_END), 1);
	free(h);
	svmtrace_bpf__destroy(skel);
}

static void test_iova_in_use(void **state)
{
	struct svmtrace_bpf *skel = *state;
	uint64_t alloc_ok[5] = { 1, 0, 4 << 20, 2 << 20, 0 /* ok */ };
	uint64_t alloc_fallback[5] = { 2, 0, 4 << 20, 0, 2 /* no_iommu */ };
	uint64_t free_one[4] = { 1, 0, 4 << 20, 4 << 20 };

	if (!skel) {
		printf("reason: %s\n", skip_reason);
		skip();
	}
	run_raw_tp(skel->progs.svm_iova_alloc_raw, alloc_ok, 5);
	run_raw_tp(skel->progs.svm_iova_alloc_raw, alloc_ok, 5);
	run_raw_tp(skel->progs.svm_iova_alloc_raw, alloc_fallback, 5);
	assert_int_equal(counter(skel, SVMTRACE_CNT_IOVA_NOW), 8 << 20);
	run_raw_tp(skel->progs.svm_iova_free_raw, free_one, 4);
	assert_int_equal(counter(skel, SVMTRACE_CNT_IOVA_NOW), 4 << 20);
	assert_int_equal(counter(skel, SVMTRACE_CNT_IOVA_PEAK), 8 << 20);
	assert_int_equal(counter(skel, SVMTRACE_CNT_IOVA_REASON0 + 0), 2);
	assert_int_equal(counter(skel, SVMTRACE_CNT_IOVA_REASON0 + 2), 1);
}

static void migrate_end_at(struct svmtrace_bpf *skel, uint64_t start, int to_ram)
{
	uint64_t end[11] = { 5000, 0, to_ram /* to_dev, to_ram */, to_ram ? 2 : 1,
			     SVMTRACE_PATH_NONE, start, 16, 16, 0, 1000, 0 };

	run_raw_tp(skel->progs.svm_migrate_end_raw, end, 11);
}

static void test_pingpong(void **state)
{
	struct svmtrace_bpf *skel = *state;
	uint64_t base = 0x7e0000000000ull;
	int i;

	if (!skel) {
		printf("reason: %s\n", skip_reason);
		skip();
	}
	/* One range to the device and back 5 times within the window (K = 3). */
	for (i = 0; i < 10; i++)
		migrate_end_at(skel, base, i % 2);
	assert_int_equal(counter(skel, SVMTRACE_CNT_PINGPONG_RANGES), 1);
	/*
	 * Twice as many ranges as the table has entries (8192) migrate once
	 * each (and take them), then two ranges bounce 5 times and one 3
	 * times, interleaved: only the two count, and a range flagged stays
	 * counted once.
	 */
	for (i = 0; i < 16384; i++)
		migrate_end_at(skel, base + ((uint64_t)(i + 1) << 21), 0);
	for (i = 0; i < 10; i++) {
		migrate_end_at(skel, base + (1ull << 40), i % 2);
		migrate_end_at(skel, base + (2ull << 40), i % 2);
		if (i < 6)
			migrate_end_at(skel, base + (3ull << 40), i % 2);
	}
	for (i = 0; i < 4; i++)
		migrate_end_at(skel, base + (1ull << 40), i % 2);
	assert_int_equal(counter(skel, SVMTRACE_CNT_PINGPONG_RANGES), 3);
}

static void test_livelock_counters(void **state)
{
	struct svmtrace_bpf *skel = *state;
	uint64_t retry[5] = { 1, 0, 0 /* busy */, 1, 10 };
	uint64_t hold[4] = { 1, 0, 0x7f0000000000ull, 5000000 };
	uint64_t evict[6] = { 1, 2, 0, 1 /* not_detached */, 1, -16 };

	if (!skel) {
		printf("reason: %s\n", skip_reason);
		skip();
	}
	run_raw_tp(skel->progs.svm_retry_raw, retry, 5);
	run_raw_tp(skel->progs.svm_retry_raw, retry, 5);
	run_raw_tp(skel->progs.svm_timeslice_hold_raw, hold, 4);
	run_raw_tp(skel->progs.svm_evict_retry_raw, evict, 6);
	assert_int_equal(counter(skel, SVMTRACE_CNT_RETRY0 + 0), 2);
	assert_int_equal(counter(skel, SVMTRACE_CNT_TIMESLICE_HOLDS), 1);
	assert_int_equal(counter(skel, SVMTRACE_CNT_EVICT_RETRY0 + 1), 1);
	assert_int_equal(event_count(skel, SVM_PAGEMAP_EV_RETRY), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioctl_events_counted),
		cmocka_unit_test(test_latency_histograms),
		cmocka_unit_test(test_hist_blocks),
		cmocka_unit_test(test_iova_in_use),
		cmocka_unit_test(test_pingpong),
		cmocka_unit_test(test_livelock_counters),
	};

	if (geteuid() != 0)
		fprintf(stderr, "not root: BPF tests will be skipped\n");
	return cmocka_run_group_tests(tests, setup, teardown);
}
