/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rendering a set of latency histograms, shared by svmtrace hist (kernel
 * maps) and svmtrace report (a record file): key dimensions (--by), units,
 * the log2 / fine / table views, plain text and JSON; and the filter
 * options (-S/-D/-d/-p/-c) every collecting subcommand takes.
 */
#ifndef SVMTRACE_RENDER_H
#define SVMTRACE_RENDER_H

#include <argp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>
#include <linux/types.h>

#include "svmtrace.h"

/* Dimensions a histogram can be keyed by (--by). */
enum svmtrace_dim {
	SVMTRACE_DIM_STAGE,
	SVMTRACE_DIM_DIRECTION,
	SVMTRACE_DIM_TRIGGER,
	SVMTRACE_DIM_PATH,
	SVMTRACE_DIM_DEVICE,
	SVMTRACE_DIM_PID,
	SVMTRACE_DIM_CGROUP,
	SVMTRACE_DIM_MAX,
};

/*
 * How a key is printed as text: a summary line over log2 bars (the default,
 * zero so that any zeroed options draw bars), over bars of the fine
 * buckets, or the table of summary lines with no bars (--table).
 */
enum svmtrace_view { SVMTRACE_VIEW_LOG2, SVMTRACE_VIEW_FINE, SVMTRACE_VIEW_TABLE };

/* Text rows of the bar views never pass this many columns. */
#define SVMTRACE_RENDER_COLS 80

/**
 * struct svmtrace_render_opts - how histograms are keyed and printed
 * @by: dimensions kept in the key; the others are merged away
 * @view: log2 or fine bars under a summary line, or summary lines only
 * @json: JSON instead of text
 * @unit: "ms", "us" or "ns"
 * @unit_ns: nanoseconds per @unit
 */
struct svmtrace_render_opts {
	bool by[SVMTRACE_DIM_MAX];
	enum svmtrace_view view;
	bool json;
	const char *unit;
	double unit_ns;
};

#define SVMTRACE_RENDER_OPTS_DEFAULT { .by = { [SVMTRACE_DIM_STAGE] = true, \
	[SVMTRACE_DIM_DIRECTION] = true, [SVMTRACE_DIM_PATH] = true }, .view = SVMTRACE_VIEW_LOG2, \
	.unit = "us", .unit_ns = 1e3 }

/**
 * struct svmtrace_filter - what to keep (-S/-D/-d/-p/-c)
 * @stage: only this stage (-1: all)
 * @direction: only this direction (SVMTRACE_ALL: all)
 * @device: only this device (SVMTRACE_ALL: all)
 * @pid: only this process (0: all)
 * @cgroup: only this cgroup id (0: all)
 */
struct svmtrace_filter {
	int stage;
	uint32_t direction;
	uint32_t device;
	uint32_t pid;
	uint64_t cgroup;
};

#define SVMTRACE_FILTER_DEFAULT { .stage = -1, .direction = SVMTRACE_ALL, .device = SVMTRACE_ALL }

/**
 * struct svmtrace_hist_entry - one histogram to print
 * @key: its key, with SVMTRACE_ALL (pid, cgroup: 0) in merged dimensions
 * @hist: the log-linear histogram
 * @values: every value, sorted, when known (report); NULL otherwise (hist)
 * @nvalues: number of @values
 * @cap: allocated @values
 */
struct svmtrace_hist_entry {
	struct svmtrace_hist_key key;
	struct svmtrace_hist hist;
	uint64_t *values;
	uint64_t nvalues;
	uint64_t cap;
};

/* argp children: put &svmtrace_render_opts / &svmtrace_filter in child_inputs. */
extern const struct argp svmtrace_render_argp;
extern const struct argp svmtrace_filter_argp;

uint64_t svmtrace_cgroup_id(const char *path);
bool svmtrace_filter_match(const struct svmtrace_filter *f, const struct svmtrace_record *r);
void svmtrace_project_key(const struct svmtrace_render_opts *o, struct svmtrace_hist_key *k);
int svmtrace_hist_key_cmp(const struct svmtrace_hist_key *x, const struct svmtrace_hist_key *y);
void svmtrace_entries_sort(struct svmtrace_hist_entry *entries, size_t n);
void svmtrace_entries_free(struct svmtrace_hist_entry *entries, size_t n);
struct svmtrace_hist_entry *svmtrace_entries_find(struct svmtrace_hist_entry **entries, size_t *n,
						  size_t *cap, const struct svmtrace_hist_key *key);
int svmtrace_entries_from_records(const struct svmtrace_record *recs, uint64_t n,
				  const struct svmtrace_filter *f,
				  const struct svmtrace_render_opts *o,
				  struct svmtrace_hist_entry **out, size_t *nout);

extern const double svmtrace_summary_pcts[4];
double svmtrace_entry_percentile(const struct svmtrace_hist_entry *e, double pct);
void svmtrace_render_entry(FILE *out, const struct svmtrace_render_opts *o,
			   const struct svmtrace_hist_entry *e);
json_object *svmtrace_render_entry_json(const struct svmtrace_render_opts *o,
					const struct svmtrace_hist_entry *e);
void svmtrace_render_counters(FILE *out, const uint64_t *c);
json_object *svmtrace_render_counters_json(const uint64_t *c);
void svmtrace_json_print(FILE *out, json_object *root);

#endif /* SVMTRACE_RENDER_H */
