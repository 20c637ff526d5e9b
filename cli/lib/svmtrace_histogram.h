/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the BPF log-linear histograms: merging, percentiles, the log2 view.
 * Pure functions over struct svmtrace_hist, unit-tested on the host.
 */
#ifndef SVMTRACE_HISTOGRAM_H
#define SVMTRACE_HISTOGRAM_H

#include <stdint.h>

#include <linux/types.h>

#include "svmtrace.h"

#define SVMTRACE_LOG2_SLOTS 64

void svmtrace_histo_merge(struct svmtrace_hist *into, const struct svmtrace_hist *from);
void svmtrace_histo_since(struct svmtrace_hist *now, const struct svmtrace_hist *then);
double svmtrace_histo_percentile(const struct svmtrace_hist *h, double pct);
void svmtrace_histo_log2(const struct svmtrace_hist *h, uint64_t log2_slots[SVMTRACE_LOG2_SLOTS]);
void svmtrace_histo_add(struct svmtrace_hist *h, uint64_t value);
double svmtrace_exact_percentile(uint64_t *sorted, uint64_t n, double pct);

#endif /* SVMTRACE_HISTOGRAM_H */
