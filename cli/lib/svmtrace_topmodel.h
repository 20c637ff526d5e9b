/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmtop's model: turns two snapshots of the BPF maps into per-second rows.
 * Pure functions, unit-tested on the host (tests/unit/test_topmodel.c).
 */
#ifndef SVMTRACE_TOPMODEL_H
#define SVMTRACE_TOPMODEL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "svmtrace.h"

/* Totals of one process or device at one moment, with its window latency. */
struct svmtrace_top_sample {
	uint32_t id;			/* pid or device index */
	char comm[16];
	uint64_t migrations;
	uint64_t pages[4];
	uint64_t retries;
	uint64_t timeslice_holds;
	uint64_t pingpong;
	double p50_ns, p99_ns;		/* of whole migrations in the last window */
};

struct svmtrace_top_row {
	uint32_t id;
	char comm[16];
	double migrations_s;
	double bytes_s[4];
	double retries_s;
	double holds_s;
	uint64_t pingpong;
	double p50_ns, p99_ns;
};

enum svmtrace_top_sort {
	SVMTRACE_SORT_MIGRATIONS,
	SVMTRACE_SORT_TO_DEV,
	SVMTRACE_SORT_TO_RAM,
	SVMTRACE_SORT_RETRIES,
	SVMTRACE_SORT_P99,
	SVMTRACE_SORT_ID,
	SVMTRACE_SORT_MAX,
};

double svmtrace_rate(uint64_t now, uint64_t before, double seconds);
size_t svmtrace_top_rows(const struct svmtrace_top_sample *now, size_t n_now,
			 const struct svmtrace_top_sample *before, size_t n_before,
			 double seconds, struct svmtrace_top_row *rows);
void svmtrace_top_sort(struct svmtrace_top_row *rows, size_t n, enum svmtrace_top_sort key);
const char *svmtrace_top_sort_name(enum svmtrace_top_sort key);
void svmtrace_bpf_cost_rates(uint64_t ns_now, uint64_t cnt_now, uint64_t ns_before,
			     uint64_t cnt_before, double seconds, double *ns_per_event,
			     double *events_s, double *cpu_pct);

#endif /* SVMTRACE_TOPMODEL_H */
