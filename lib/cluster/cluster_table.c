/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A group's registration table: open addressing keyed by the AOR user (at most 32 bytes, kept
 * in the slot), linear probing over at least twice as many slots as bindings, and
 * backward-shift deletion (Knuth, TAOCP vol. 3, 6.4 algorithm R) so that no tombstones
 * accumulate. One binding is one cache line. Expired bindings count as absent for lookups and
 * are removed by a sweep that polls a few slots at a time.
 */
/* MADV_HUGEPAGE is a Linux extension beyond POSIX */
#define _DEFAULT_SOURCE 1
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cluster_private.h"

/* A seeded multiply-xorshift over 8-byte words (not for an adversary: the key is secret). */
uint64_t
cl_hash64(uint64_t key, const char *p, size_t n)
{
	uint64_t h = key ^ (n * UINT64_C(0x9E3779B97F4A7C15));

	while (n >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * UINT64_C(0xBF58476D1CE4E5B9);
		h ^= h >> 29;
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		uint64_t w = 0;
		memcpy(&w, p, n);
		h = (h ^ w) * UINT64_C(0x94D049BB133111EB);
		h ^= h >> 29;
	}
	h *= UINT64_C(0xBF58476D1CE4E5B9);
	return h; /* its high bits are the well mixed ones */
}

uint32_t
cl_hash_user(uint64_t key, const char *p, size_t n)
{
	return (uint32_t)(cl_hash64(key, p, n) >> 32);
}

/*
 * A large table on transparent huge pages where the kernel offers them (a lookup is a random
 * access: with 4 KiB pages it is a TLB miss as well as a cache miss); a hint, at start-up.
 */
static void *
alloc_table(size_t bytes)
{
	const size_t huge = (size_t)2 << 20;
	void *p;

	if (bytes < huge)
		return cl_alloc_lines(bytes);
	bytes = (bytes + huge - 1) & ~(huge - 1);
	p = aligned_alloc(huge, bytes);
#ifdef MADV_HUGEPAGE
	if (p != NULL)
		(void)madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

int
cl_table_init(struct cl_table *t, uint32_t max, uint8_t group, uint64_t key)
{
	uint64_t slots = 16;

	while (slots < (uint64_t)max * 2)
		slots <<= 1;
	if (slots > (UINT64_C(1) << 31))
		return -EINVAL;
	t->b = alloc_table(slots * sizeof(struct cl_binding));
	if (t->b == NULL)
		return -ENOMEM;
	memset(t->b, 0, slots * sizeof(struct cl_binding));
	t->mask = (uint32_t)(slots - 1);
	t->count = 0;
	t->max = max;
	t->sweep = 0;
	t->group = group;
	t->key = key;
	return 0;
}

void
cl_table_fini(struct cl_table *t)
{
	free(t->b);
	t->b = NULL;
}

static inline int
same(const struct cl_binding *b, const char *user, size_t len)
{
	return b->len == len && cl_same(b->user, user, len);
}

void
cl_table_prefetch(const struct cl_table *t, const char *user, size_t len)
{
	if (len == 0 || len > SW_CLUSTER_USER_MAX)
		return;
	__builtin_prefetch(&t->b[cl_hash_user(t->key, user, len) & t->mask]);
}

struct cl_binding *
cl_table_find_h(const struct cl_table *t, uint32_t h, const char *user, size_t len)
{
	uint32_t i;

	if (len == 0 || len > SW_CLUSTER_USER_MAX)
		return NULL;
	for (i = h & t->mask;; i = (i + 1) & t->mask) {
		struct cl_binding *b = &t->b[i];
		if (b->len == 0)
			return NULL;
		if (same(b, user, len))
			return b;
	}
}

struct cl_binding *
cl_table_find(const struct cl_table *t, const char *user, size_t len)
{
	if (len == 0 || len > SW_CLUSTER_USER_MAX)
		return NULL;
	return cl_table_find_h(t, cl_hash_user(t->key, user, len), user, len);
}

struct cl_binding *
cl_table_get_h(struct cl_table *t, uint32_t h, const char *user, size_t len)
{
	uint32_t i;

	if (len == 0 || len > SW_CLUSTER_USER_MAX)
		return NULL;
	for (i = h & t->mask;; i = (i + 1) & t->mask) {
		struct cl_binding *b = &t->b[i];
		if (b->len == 0)
			break;
		if (same(b, user, len))
			return b;
	}
	if (t->count >= t->max)
		return NULL;
	{
		struct cl_binding *b = &t->b[i];
		memset(b, 0, sizeof(*b));
		memcpy(b->user, user, len);
		b->len = (uint8_t)len;
		t->count++;
		return b;
	}
}

struct cl_binding *
cl_table_get(struct cl_table *t, const char *user, size_t len)
{
	if (len == 0 || len > SW_CLUSTER_USER_MAX)
		return NULL;
	return cl_table_get_h(t, cl_hash_user(t->key, user, len), user, len);
}

/* Empty slot i and pull later entries of its probe run back (algorithm R). */
static void
remove_at(struct cl_table *t, uint32_t i)
{
	uint32_t j = i;

	for (;;) {
		uint32_t k;
		j = (j + 1) & t->mask;
		if (t->b[j].len == 0)
			break;
		k = cl_hash_user(t->key, t->b[j].user, t->b[j].len) & t->mask;
		/* move j to i unless its home k lies cyclically in (i, j] */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->b[i] = t->b[j];
		i = j;
	}
	t->b[i].len = 0;
	t->count--;
}

int
cl_table_del(struct cl_table *t, const char *user, size_t len)
{
	struct cl_binding *b = cl_table_find(t, user, len);

	if (b == NULL)
		return 0;
	remove_at(t, (uint32_t)(b - t->b));
	return 1;
}

void
cl_table_sweep(struct cl_table *t, uint64_t now, unsigned budget)
{
	const struct cl_binding *tb = t->b;
	uint32_t i = t->sweep, mask = t->mask;
	unsigned looked = 0, removed = 0;

	/* the cursor in a register: the table is written only by remove_at() */
	while (looked < 4 * budget && removed < budget && t->count > 0) {
		const struct cl_binding *b = &tb[i];
		looked++;
		if (b->len != 0 && b->expires <= now) {
			/* an entry may move into slot i: look at it again */
			remove_at(t, i);
			removed++;
			continue;
		}
		i = (i + 1) & mask;
	}
	t->sweep = i;
}
