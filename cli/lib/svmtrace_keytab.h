/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hash table from histogram keys to small indices (open addressing,
 * linear probing), so that rebuilding histograms from records costs the
 * same per record however many keys there are.  Pure, unit-tested.
 */
#ifndef SVMTRACE_KEYTAB_H
#define SVMTRACE_KEYTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "svmtrace.h"

/**
 * struct svmtrace_keytab_slot - one place of the table
 * @hash: the low half of the key's hash: most probes that miss stop here
 * @idx: 1 + the key's index; 0 for a free place
 *
 * The key itself stays with the caller (@key_of): eight bytes a place keep
 * the table in cache when each record's key is a different one.
 */
struct svmtrace_keytab_slot {
	uint32_t hash;
	uint32_t idx;
};

/**
 * struct svmtrace_keytab - the table (zero-initialise, then set @key_of and @ctx)
 * @slots: 2^n places, at most half of them used
 * @mask: number of places - 1
 * @n: keys held
 * @key_of: the key with index @idx, kept by the caller
 * @ctx: passed to @key_of
 * @hash: NULL for the built-in hash; tests put a poor one here to force collisions
 */
struct svmtrace_keytab {
	struct svmtrace_keytab_slot *slots;
	size_t mask;
	size_t n;
	const struct svmtrace_hist_key *(*key_of)(const void *ctx, uint32_t idx);
	const void *ctx;
	uint64_t (*hash)(const struct svmtrace_hist_key *key);
};

uint64_t svmtrace_keytab_hash(const struct svmtrace_hist_key *key);
int svmtrace_keytab_get(struct svmtrace_keytab *t, const struct svmtrace_hist_key *key,
			bool insert, uint32_t new_idx, uint32_t *idx);
void svmtrace_keytab_free(struct svmtrace_keytab *t);

#endif /* SVMTRACE_KEYTAB_H */
