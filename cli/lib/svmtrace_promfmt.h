/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Prometheus text exposition of one snapshot of svmtrace's BPF maps:
 * a pure writer (no BPF, no sockets), unit-tested on the host.  svmtrace
 * export fills a snapshot and hands it to svmtrace_prom_write() for every
 * scrape or textfile write.
 */
#ifndef SVMTRACE_PROMFMT_H
#define SVMTRACE_PROMFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>

#include "svmtrace.h"

/* One latency histogram of the svmtrace_hists map with its key. */
struct svmtrace_prom_hist {
	struct svmtrace_hist_key key;
	struct svmtrace_hist hist;
};

/* Tracepoint hits one BPF program skipped (kernel recursion protection). */
struct svmtrace_prom_missed {
	const char *event;
	uint64_t missed;
};

#define SVMTRACE_PROM_MAX_PROGS 64

/**
 * struct svmtrace_prom_snapshot - everything one exposition shows
 * @counters: the svmtrace_counters array map
 * @events: tracepoint hits per enum svmtrace_event
 * @hists: latency histograms (any order; written in this order)
 * @n_hists: number of @hists
 * @hist_keys_max: the key cap of the histogram map
 * @devices: per-device totals, index = device
 * @n_devices: devices the module created
 * @bpf_stats: BPF run-time statistics are enabled (else @bpf_run_* are 0)
 * @bpf_run_ns: run time of svmtrace's programs, summed
 * @bpf_run_cnt: their runs, summed
 * @missed: per attached program, the events it skipped
 * @n_missed: number of @missed
 * @collect_seconds: how long reading the maps for this snapshot took
 * @programs: "tp_btf", "raw_tp" or "fentry"
 * @source: "module" or "kernel"
 */
struct svmtrace_prom_snapshot {
	uint64_t counters[SVMTRACE_CNT_MAX];
	uint64_t events[SVMTRACE_EV_MAX];
	const struct svmtrace_prom_hist *hists;
	size_t n_hists;
	size_t hist_keys_max;
	const struct svmtrace_device *devices;
	size_t n_devices;
	bool bpf_stats;
	uint64_t bpf_run_ns;
	uint64_t bpf_run_cnt;
	struct svmtrace_prom_missed missed[SVMTRACE_PROM_MAX_PROGS];
	size_t n_missed;
	double collect_seconds;
	const char *programs;
	const char *source;
};

/*
 * The fixed `le` bounds of every latency histogram, in ns: each is one
 * below an edge of the log-linear BPF buckets (2^k and 1.5 * 2^k ns, from
 * 512 ns to 2^34 ns, about 17 s), so the cumulative count at each bound is
 * exact: durations are whole nanoseconds and le=B counts those <= B.
 */
size_t svmtrace_prom_bounds_ns(const uint64_t **bounds);

/* Durations <= @bound_ns recorded in @h, exactly when @bound_ns + 1 is a bucket edge. */
uint64_t svmtrace_prom_count_le(const struct svmtrace_hist *h, uint64_t bound_ns);

/* Write @value as a label value: backslash, double quote and newline escaped. */
void svmtrace_prom_label_value(FILE *out, const char *value);

/* The whole exposition; 0 or -EIO when @out failed. */
int svmtrace_prom_write(FILE *out, const struct svmtrace_prom_snapshot *s);

#endif /* SVMTRACE_PROMFMT_H */
