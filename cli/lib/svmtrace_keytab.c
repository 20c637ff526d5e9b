// SPDX-License-Identifier: GPL-2.0
/*
 * Open addressing with linear probing and no deletion: report only ever
 * adds keys, so a free place ends every probe and the table stays simple.
 * Kept at most half full, a probe looks at about two places on average.
 * libc's hsearch_r() would need the keys as strings and a size fixed in
 * advance, and glib is not worth a dependency for thirty lines.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "svmtrace_keytab.h"

#define KEYTAB_MIN_SLOTS 64

/* The key is hashed and compared as raw bytes: it must have no padding. */
_Static_assert(sizeof(struct svmtrace_hist_key) == 4 * sizeof(uint64_t),
	       "struct svmtrace_hist_key has padding");

/* Every word of the key stirred in, then mixed (murmur3's finaliser). */
uint64_t svmtrace_keytab_hash(const struct svmtrace_hist_key *key)
{
	uint64_t w[4], h = 0;
	unsigned int i;

	memcpy(w, key, sizeof(w));
	for (i = 0; i < 4; i++)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_of(const struct svmtrace_keytab *t, const struct svmtrace_hist_key *key)
{
	return t->hash ? t->hash(key) : svmtrace_keytab_hash(key);
}

/* The place of @key (hash @h), or the free place that ends its probe. */
static struct svmtrace_keytab_slot *probe(const struct svmtrace_keytab *t,
					  const struct svmtrace_hist_key *key, uint32_t h)
{
	size_t i = h & t->mask;

	for (;; i = (i + 1) & t->mask) {
		const struct svmtrace_keytab_slot *s = &t->slots[i];

		if (!s->idx)
			break;
		if (s->hash == h && !memcmp(t->key_of(t->ctx, s->idx - 1), key, sizeof(*key)))
			break;
	}
	return &t->slots[i];
}

/* Twice the places; the stored hashes place the keys again without reading them. */
static int grow(struct svmtrace_keytab *t)
{
	size_t nslots = t->slots ? (t->mask + 1) * 2 : KEYTAB_MIN_SLOTS, i, j;
	struct svmtrace_keytab_slot *old = t->slots;
	size_t old_mask = t->mask;

	if (nslots - 1 > UINT32_MAX)	/* the stored hash is 32 bits */
		return -ENOMEM;
	t->slots = calloc(nslots, sizeof(*t->slots));
	if (!t->slots) {
		t->slots = old;
		return -ENOMEM;
	}
	t->mask = nslots - 1;
	for (i = 0; old && i <= old_mask; i++) {
		if (!old[i].idx)
			continue;
		for (j = old[i].hash & t->mask; t->slots[j].idx; j = (j + 1) & t->mask)
			;
		t->slots[j] = old[i];
	}
	free(old);
	return 0;
}

/**
 * svmtrace_keytab_get() - the index of @key, added when new
 * @t: the table
 * @key: the key
 * @insert: add @key when it is not there
 * @new_idx: its index then (below UINT32_MAX); the caller stores @key so
 *	that @t->key_of finds it under @new_idx before the next call
 * @idx: set to the index of @key
 *
 * Return: 0 if found, 1 if added, -ENOENT if absent and not added, -ENOMEM.
 */
int svmtrace_keytab_get(struct svmtrace_keytab *t, const struct svmtrace_hist_key *key,
			bool insert, uint32_t new_idx, uint32_t *idx)
{
	uint32_t h = (uint32_t)hash_of(t, key);
	struct svmtrace_keytab_slot *s;

	if (t->slots) {
		s = probe(t, key, h);
		if (s->idx) {
			*idx = s->idx - 1;
			return 0;
		}
	}
	if (!insert)
		return -ENOENT;
	if (new_idx == UINT32_MAX)
		return -ENOMEM;
	/* grow before the table is more than half full, then probe again */
	if (!t->slots || (t->n + 1) * 2 > t->mask + 1) {
		if (grow(t))
			return -ENOMEM;
	}
	s = probe(t, key, h);
	s->hash = h;
	s->idx = new_idx + 1;
	t->n++;
	*idx = new_idx;
	return 1;
}

void svmtrace_keytab_free(struct svmtrace_keytab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->mask = 0;
	t->n = 0;
}
