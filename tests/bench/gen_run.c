// SPDX-License-Identifier: GPL-2.0
/*
 * A synthetic but plausible run for the HTML report test
 * (tests/host/browser_html_report.sh): migrations in three directions, each
 * through every stage with its svm_stage_end records and its svm_migrate_end,
 * the copy stage of to_dev slowing down in the middle of the run (a band
 * the heatmap must show), and non-zero counters (IOVA, retries, holds,
 * ping-pong).  Written with the library's own writer, as svmtrace record
 * writes it.
 *
 *	gen_run FILE [KERNEL_RELEASE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uapi/svm_pagemap.h>

#include "svmtrace_recfile.h"

static uint64_t x = 0x9e3779b97f4a7c15ull;

/* xorshift: around @mean, spread up to a factor two either side */
static uint64_t around(uint64_t mean)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return mean / 2 + x % (mean + mean / 2);
}

static int put(struct svmtrace_recfile_writer *w, const struct svmtrace_record *r)
{
	if (svmtrace_recfile_write(w, r)) {
		perror(w->tmp);
		svmtrace_recfile_abort(w);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* stage means per direction, ns: collect, populate, map, copy, finalize, unmap */
	static const uint64_t mean[3][SVM_PAGEMAP_STAGE_COUNT] = {
		{ 9000, 4000, 12000, 60000, 7000, 5000 },	/* to_dev */
		{ 6000, 3000, 9000, 45000, 6000, 4000 },	/* to_ram */
		{ 15000, 2000, 10000, 50000, 9000, 4500 },	/* evict */
	};
	static const uint32_t trig[3] = {
		SVM_PAGEMAP_TRIGGER_DEVICE_FAULT, SVM_PAGEMAP_TRIGGER_CPU_FAULT, SVM_PAGEMAP_TRIGGER_EVICTION,
	};
	uint64_t counters[SVMTRACE_CNT_MAX] = {}, t, id = 0, span = 3000000000ull;
	struct svmtrace_recfile_writer w;
	struct svmtrace_recfile_info info;
	struct timespec ts;
	unsigned int i;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s FILE [KERNEL_RELEASE]\n", argv[0]);
		return 2;
	}
	svmtrace_recfile_info_init(&info);
	snprintf(info.kernel_release, sizeof(info.kernel_release), "%s", argc > 2 ? argv[2] : "7.3.4-test");
	/* started span + 0.1 s ago, so that the trailer's end (now) closes the run */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	info.start_monotonic_ns = ts.tv_sec * 1000000000ull + ts.tv_nsec - span - 100000000;
	clock_gettime(CLOCK_REALTIME, &ts);
	info.start_realtime_ns = ts.tv_sec * 1000000000ull + ts.tv_nsec - span - 100000000;
	if (svmtrace_recfile_create(&w, argv[1], &info)) {
		perror(argv[1]);
		return 1;
	}
	for (t = info.start_monotonic_ns + 1000000; t < info.start_monotonic_ns + span; t += 1500000) {
		unsigned int dir = id % 7 < 4 ? 0 : id % 7 < 6 ? 1 : 2;
		uint32_t path = dir == 0 && id % 5 == 0 ? SVM_PAGEMAP_PATH_PAGE : SVM_PAGEMAP_PATH_IOVA;
		bool slow = dir == 0 && t > info.start_monotonic_ns + span / 2 &&
			    t < info.start_monotonic_ns + span / 2 + span / 6;
		uint64_t npages = 16 << (id % 4), at = t, total = 0;
		struct svmtrace_record r = {
			.id = ++id, .npages = npages, .pid = 4242, .device = 0, .direction = dir,
			.trigger = trig[dir], .cgroup = 1,
		};

		for (i = 0; i < SVM_PAGEMAP_STAGE_COUNT; i++) {
			r.event = SVM_PAGEMAP_EV_STAGE_END;
			r.stage = i;
			r.path = i < 2 ? SVM_PAGEMAP_PATH_NONE : path;
			r.duration_ns = around(mean[dir][i] * (slow && i == 3 ? 8 : 1) * npages / 16);
			r.bytes = npages * 4096;
			at += r.duration_ns + 300;
			r.ts_ns = at;
			total += r.duration_ns + 300;
			if (put(&w, &r))
				return 1;
		}
		r.event = SVM_PAGEMAP_EV_MIGRATE_END;
		r.stage = SVMTRACE_STAGE_TOTAL;
		r.path = path;
		r.start = 0x7f0000000000ull + id * 0x200000;
		r.duration_ns = total + around(2000);
		r.ts_ns = at + 1000;
		if (put(&w, &r))
			return 1;
		counters[SVMTRACE_CNT_MIGRATIONS]++;
		counters[SVMTRACE_CNT_PAGES_DIR0 + dir] += npages;
		counters[SVMTRACE_CNT_BYTES_DIR0 + dir] += npages * 4096;
		counters[SVMTRACE_CNT_PATH0 + path]++;
		if (path == SVM_PAGEMAP_PATH_IOVA)
			counters[SVMTRACE_CNT_IOVA_REASON0]++;
	}
	counters[SVMTRACE_CNT_MIGRATIONS_FAILED] = 3;
	counters[SVMTRACE_CNT_IOVA_NOW] = 131072;
	counters[SVMTRACE_CNT_IOVA_PEAK] = 2097152;
	counters[SVMTRACE_CNT_TIMESLICE_HOLDS] = 17;
	counters[SVMTRACE_CNT_PINGPONG_RANGES] = 2;
	counters[SVMTRACE_CNT_RETRY0] = 5;
	counters[SVMTRACE_CNT_EVICT_RETRY0] = 1;
	counters[SVMTRACE_CNT_IOVA_REASON0 + 1] = 4;
	if (svmtrace_recfile_finish(&w, 0, counters)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
