// SPDX-License-Identifier: GPL-2.0
/*
 * Rebuilding the histograms of svmtrace hist from per-event records: every
 * svm_stage_end and svm_migrate_end record adds its duration to the
 * histogram of its (projected) key, bucketed exactly as the BPF side does,
 * and is kept so that percentiles can be read exactly from sorted values.
 *
 * Keys are found through a hash table, and the durations are laid out key
 * after key in one array by a counting pass, so the cost is linear in
 * records and keys and a key needs no allocation of its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svmtrace_histogram.h"
#include "svmtrace_keytab.h"
#include "svmtrace_replay.h"

#define NO_GROUP UINT32_MAX

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int group_cmp(const void *a, const void *b)
{
	return svmtrace_hist_key_cmp(&((const struct svmtrace_replay_group *)a)->key,
				     &((const struct svmtrace_replay_group *)b)->key);
}

static struct svmtrace_hist_key record_key(const struct svmtrace_record *rec,
					   const struct svmtrace_render_opts *o)
{
	struct svmtrace_hist_key key = {
		.stage = rec->stage,
		.direction = rec->direction,
		.trigger = rec->trigger,
		.path = rec->path,
		.device = rec->device,
		.pid = rec->pid,
		.cgroup = rec->cgroup,
	};

	svmtrace_project_key(o, &key);
	return key;
}

static int add_group(struct svmtrace_replay *rp, size_t *cap, const struct svmtrace_hist_key *key)
{
	if (rp->ngroups == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct svmtrace_replay_group *g = realloc(rp->groups, ncap * sizeof(*g));

		if (!g)
			return -ENOMEM;
		rp->groups = g;
		*cap = ncap;
	}
	rp->groups[rp->ngroups++] = (struct svmtrace_replay_group){ .key = *key };
	return 0;
}

static const struct svmtrace_hist_key *group_key(const void *ctx, uint32_t idx)
{
	const struct svmtrace_replay *rp = ctx;

	return &rp->groups[idx].key;
}

/*
 * First pass: the group of every record (NO_GROUP: filtered out or past
 * the cap), and how many values each group gets.
 */
static int assign_groups(struct svmtrace_replay *rp, const struct svmtrace_record *recs,
			 uint64_t n, const struct svmtrace_filter *f,
			 const struct svmtrace_render_opts *o, uint32_t *gidx)
{
	struct svmtrace_keytab tab = { .key_of = group_key, .ctx = rp };
	size_t cap = 0;
	uint64_t r;
	int ret = 0;

	for (r = 0; r < n; r++) {
		const struct svmtrace_record *rec = &recs[r];
		struct svmtrace_hist_key key;
		uint32_t g;

		gidx[r] = NO_GROUP;
		if (rec->event != SVM_PAGEMAP_EV_STAGE_END && rec->event != SVM_PAGEMAP_EV_MIGRATE_END)
			continue;
		if (!svmtrace_filter_match(f, rec))
			continue;
		key = record_key(rec, o);
		ret = svmtrace_keytab_get(&tab, &key, rp->ngroups < rp->max_keys,
					  (uint32_t)rp->ngroups, &g);
		if (ret == -ENOENT) {
			rp->dropped_records++;
			continue;
		}
		if (ret < 0 || (ret == 1 && add_group(rp, &cap, &key)))
			goto nomem;
		rp->groups[g].nvalues++;
		gidx[r] = g;
	}
	svmtrace_keytab_free(&tab);
	return 0;
nomem:
	svmtrace_keytab_free(&tab);
	return -ENOMEM;
}

/**
 * svmtrace_replay_build() - group the latency records among @recs that @f keeps
 * @rp: filled; svmtrace_replay_free() it, also after a failure
 * @recs: the records
 * @n: their number
 * @f: which records to keep
 * @o: which key dimensions to keep (--by)
 * @max_keys: at most this many keys (below UINT32_MAX); later ones are counted
 *	in @rp->dropped_records
 *
 * Return: 0 or -ENOMEM.
 */
int svmtrace_replay_build(struct svmtrace_replay *rp, const struct svmtrace_record *recs,
			  uint64_t n, const struct svmtrace_filter *f,
			  const struct svmtrace_render_opts *o, size_t max_keys)
{
	uint64_t r, total = 0;
	uint32_t *gidx;
	size_t i;

	memset(rp, 0, sizeof(*rp));
	rp->max_keys = max_keys < NO_GROUP ? max_keys : NO_GROUP - 1;
	if (!n)
		return 0;
	gidx = malloc(n * sizeof(*gidx));
	if (!gidx || assign_groups(rp, recs, n, f, o, gidx))
		goto nomem;
	for (i = 0; i < rp->ngroups; i++)
		total += rp->groups[i].nvalues;
	rp->values = malloc((total ? total : 1) * sizeof(*rp->values));
	if (!rp->values)
		goto nomem;
	/* each group's slice of the array; nvalues counts up again as it fills */
	for (i = 0, total = 0; i < rp->ngroups; i++) {
		rp->groups[i].values = rp->values + total;
		total += rp->groups[i].nvalues;
		rp->groups[i].nvalues = 0;
	}
	for (r = 0; r < n; r++) {
		struct svmtrace_replay_group *g;

		if (gidx[r] == NO_GROUP)
			continue;
		g = &rp->groups[gidx[r]];
		g->values[g->nvalues++] = recs[r].duration_ns;
	}
	free(gidx);
	for (i = 0; i < rp->ngroups; i++)
		qsort(rp->groups[i].values, rp->groups[i].nvalues, sizeof(uint64_t), u64_cmp);
	if (rp->ngroups)
		qsort(rp->groups, rp->ngroups, sizeof(*rp->groups), group_cmp);
	return 0;
nomem:
	free(gidx);
	svmtrace_replay_free(rp);
	return -ENOMEM;
}

/*
 * Fill @e with group @i: its key, its histogram, and its values borrowed
 * from @rp (so @e must not go to svmtrace_entries_free()).  One @e can be
 * reused for every group: only the one being printed holds a histogram.
 */
void svmtrace_replay_entry(const struct svmtrace_replay *rp, size_t i,
			   struct svmtrace_hist_entry *e)
{
	const struct svmtrace_replay_group *g = &rp->groups[i];
	uint64_t v;

	memset(e, 0, sizeof(*e));
	e->key = g->key;
	for (v = 0; v < g->nvalues; v++)
		svmtrace_histo_add(&e->hist, g->values[v]);
	e->values = g->values;
	e->nvalues = g->nvalues;
}

void svmtrace_replay_free(struct svmtrace_replay *rp)
{
	free(rp->groups);
	free(rp->values);
	rp->groups = NULL;
	rp->values = NULL;
	rp->ngroups = 0;
}

/*
 * Entries (sorted by key, each with its sorted values, which it owns) for
 * the latency records among @recs that @f keeps; 0 or -ENOMEM.  Every key
 * is kept: for callers that hold few keys and want them all (gate, tests).
 */
int svmtrace_entries_from_records(const struct svmtrace_record *recs, uint64_t n,
				  const struct svmtrace_filter *f,
				  const struct svmtrace_render_opts *o,
				  struct svmtrace_hist_entry **out, size_t *nout)
{
	struct svmtrace_hist_entry *entries = NULL;
	struct svmtrace_replay rp;
	size_t i;

	*out = NULL;
	*nout = 0;
	if (svmtrace_replay_build(&rp, recs, n, f, o, SIZE_MAX))
		return -ENOMEM;
	if (rp.ngroups) {
		entries = calloc(rp.ngroups, sizeof(*entries));
		if (!entries)
			goto nomem;
	}
	for (i = 0; i < rp.ngroups; i++) {
		uint64_t *own = malloc(rp.groups[i].nvalues * sizeof(*own));

		if (!own) {
			svmtrace_entries_free(entries, i);
			goto nomem;
		}
		svmtrace_replay_entry(&rp, i, &entries[i]);
		memcpy(own, entries[i].values, entries[i].nvalues * sizeof(*own));
		entries[i].values = own;
		entries[i].cap = entries[i].nvalues;
	}
	svmtrace_replay_free(&rp);
	*out = entries;
	*nout = i;
	return 0;
nomem:
	svmtrace_replay_free(&rp);
	return -ENOMEM;
}
