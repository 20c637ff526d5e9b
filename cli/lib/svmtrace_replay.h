/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Records grouped by histogram key, for svmtrace report: each key holds its
 * sorted durations only, and its histogram is built when it is printed, so
 * that a key seen once costs a few dozen bytes rather than a full
 * log-linear histogram.  The number of keys is capped; records of keys past
 * the cap are counted, not kept.
 */
#ifndef SVMTRACE_REPLAY_H
#define SVMTRACE_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "svmtrace_render.h"

/* Far above any real run (a key per process and stage), far below the RAM it would take. */
#define SVMTRACE_REPLAY_MAX_KEYS 1048576

/**
 * struct svmtrace_replay_group - the durations of one key
 * @key: the projected key
 * @values: its durations, sorted (inside svmtrace_replay.values)
 * @nvalues: how many
 */
struct svmtrace_replay_group {
	struct svmtrace_hist_key key;
	uint64_t *values;
	uint64_t nvalues;
};

/**
 * struct svmtrace_replay - every kept record's duration, grouped by key
 * @groups: one per key, sorted as svmtrace_entries_sort() sorts entries
 * @ngroups: number of @groups
 * @values: the durations of all groups, one allocation
 * @max_keys: the cap on @ngroups
 * @dropped_records: latency records kept by the filter whose key came past the cap
 */
struct svmtrace_replay {
	struct svmtrace_replay_group *groups;
	size_t ngroups;
	uint64_t *values;
	size_t max_keys;
	uint64_t dropped_records;
};

int svmtrace_replay_build(struct svmtrace_replay *rp, const struct svmtrace_record *recs,
			  uint64_t n, const struct svmtrace_filter *f,
			  const struct svmtrace_render_opts *o, size_t max_keys);
void svmtrace_replay_entry(const struct svmtrace_replay *rp, size_t i,
			   struct svmtrace_hist_entry *e);
void svmtrace_replay_free(struct svmtrace_replay *rp);

#endif /* SVMTRACE_REPLAY_H */
