// SPDX-License-Identifier: GPL-2.0
/*
 * A record file for the report benchmark (scripts/bench-report.sh):
 * RECORDS svm_migrate_end records spread round-robin over KEYS processes,
 * so that 'svmtrace report --by pid' has exactly KEYS histograms.  Written
 * with the library's own writer, so the file is what svmtrace record makes.
 *
 *	gen_records FILE RECORDS KEYS
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <uapi/svm_pagemap.h>

#include "svmtrace_recfile.h"

int main(int argc, char **argv)
{
	uint64_t counters[SVMTRACE_CNT_MAX] = {}, nrec, nkeys, i, x = 0x9e3779b97f4a7c15ull;
	struct svmtrace_recfile_writer w;
	struct svmtrace_recfile_info info;
	struct timespec ts;

	if (argc != 4 || !(nrec = strtoull(argv[2], NULL, 0)) || !(nkeys = strtoull(argv[3], NULL, 0))) {
		fprintf(stderr, "usage: %s FILE RECORDS KEYS\n", argv[0]);
		return 2;
	}
	svmtrace_recfile_info_init(&info);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	info.start_monotonic_ns = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	if (svmtrace_recfile_create(&w, argv[1], &info)) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < nrec; i++) {
		struct svmtrace_record r = {
			.ts_ns = info.start_monotonic_ns + i * 1000, .id = i + 1, .npages = 512,
			.bytes = 2u << 20, .event = SVM_PAGEMAP_EV_MIGRATE_END,
			.pid = 1000 + (uint32_t)(i % nkeys), .stage = SVMTRACE_STAGE_TOTAL,
			.direction = (uint32_t)(i & 1), .path = 0,
		};

		/* xorshift: durations from 1 us to about 1 ms, spread over the buckets */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		r.duration_ns = 1000 + x % 1000000;
		if (svmtrace_recfile_write(&w, &r)) {
			perror(argv[1]);
			svmtrace_recfile_abort(&w);
			return 1;
		}
	}
	if (svmtrace_recfile_finish(&w, 0, counters)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
