/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared target table (see sw_dns_table.h): immutable lists swapped by one atomic store,
 * freed by a small QSBR over C11 atomics. Control-core functions allocate; the reader path
 * (sw_dns_table_get, sw_dns_table_quiescent) neither allocates nor locks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sw_dns_table.h"

#define SW_CACHE_LINE 64

struct reader {
	_Alignas(SW_CACHE_LINE) _Atomic uint64_t seen; /* epoch at its last quiescent state */
};

struct retired {
	const struct sw_dns_list *list;
	uint64_t epoch;
};

struct sw_dns_table {
	struct sw_dns_table_head head; /* first: sw_dns_table_get() reads it */
	unsigned int cap, n_readers, n_retired, cap_retired;
	struct sw_server_cfg *srv;
	char **addr;
	uint8_t *type; /* dns_cache_type of each entry */
	uint64_t *next_try;
	struct sw_dns_entry_stats *st;
	struct reader *readers;
	struct retired *retired;
	_Atomic uint64_t epoch;
};

struct sw_dns_table *
sw_dns_table_new(unsigned int max_entries, unsigned int n_readers)
{
	struct sw_dns_table *t;

	if (max_entries == 0 || n_readers == 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->cap = max_entries;
	t->n_readers = n_readers;
	/* at most one retired list per entry per publish between two reclaims is typical; the
	 * table grows the retired array when needed */
	t->cap_retired = 2 * max_entries;
	t->head.cur = calloc(max_entries, sizeof(*t->head.cur));
	t->srv = calloc(max_entries, sizeof(*t->srv));
	t->addr = calloc(max_entries, sizeof(*t->addr));
	t->type = calloc(max_entries, sizeof(*t->type));
	t->head.used = calloc(max_entries, sizeof(*t->head.used));
	t->next_try = calloc(max_entries, sizeof(*t->next_try));
	t->st = calloc(max_entries, sizeof(*t->st));
	t->readers = aligned_alloc(SW_CACHE_LINE, sizeof(*t->readers) * n_readers);
	t->retired = calloc(t->cap_retired, sizeof(*t->retired));
	if (t->head.cur == NULL || t->srv == NULL || t->addr == NULL || t->type == NULL ||
	    t->head.used == NULL || t->next_try == NULL || t->st == NULL || t->readers == NULL ||
	    t->retired == NULL) {
		sw_dns_table_free(t);
		return NULL;
	}
	for (unsigned int i = 0; i < max_entries; i++) {
		atomic_init(&t->head.cur[i], NULL);
		atomic_init(&t->head.used[i], 0);
	}
	for (unsigned int i = 0; i < n_readers; i++)
		atomic_init(&t->readers[i].seen, 0);
	atomic_init(&t->epoch, 0);
	return t;
}

void
sw_dns_table_free(struct sw_dns_table *t)
{
	if (t == NULL)
		return;
	for (unsigned int i = 0; t->head.cur != NULL && i < t->head.n; i++)
		free((void *)(uintptr_t)atomic_load(&t->head.cur[i]));
	for (unsigned int i = 0; t->retired != NULL && i < t->n_retired; i++)
		free((void *)(uintptr_t)t->retired[i].list);
	for (unsigned int i = 0; t->addr != NULL && i < t->head.n; i++)
		free(t->addr[i]);
	free(t->head.cur);
	free(t->srv);
	free(t->addr);
	free(t->type);
	free(t->head.used);
	free(t->next_try);
	free(t->st);
	free(t->readers);
	free(t->retired);
	free(t);
}

int
sw_dns_table_add(struct sw_dns_table *t, const struct sw_server_cfg *s)
{
	return sw_dns_table_add_type(t, s, SW_DNS_CACHE_CACHE);
}

int
sw_dns_table_add_type(struct sw_dns_table *t, const struct sw_server_cfg *s, uint8_t cache_type)
{
	unsigned int i;

	if (t == NULL || s == NULL || s->address == NULL || s->address[0] == '\0' ||
	    s->transport > SW_TRANSPORT_DNS_NAPTR || cache_type > SW_DNS_CACHE_CACHE_ADDITIONAL)
		return -EINVAL;
	for (i = 0; i < t->head.n; i++)
		if (t->srv[i].port == s->port && t->srv[i].transport == s->transport &&
		    t->type[i] == cache_type && strcasecmp(t->addr[i], s->address) == 0)
			return (int)i;
	if (i == t->cap)
		return -ENOSPC;
	t->addr[i] = strdup(s->address);
	if (t->addr[i] == NULL)
		return -ENOMEM;
	t->srv[i] = *s;
	t->srv[i].address = t->addr[i];
	t->type[i] = cache_type;
	t->head.n++;
	return (int)i;
}

int
sw_dns_table_cache_type(const struct sw_dns_table *t, unsigned int idx)
{
	return idx < t->head.n ? t->type[idx] : -EINVAL;
}

unsigned int
sw_dns_table_count(const struct sw_dns_table *t)
{
	return t->head.n;
}

const struct sw_server_cfg *
sw_dns_table_server(const struct sw_dns_table *t, unsigned int idx)
{
	return idx < t->head.n ? &t->srv[idx] : NULL;
}

void
sw_dns_table_quiescent(struct sw_dns_table *t, unsigned int reader)
{
	/* release: every use of a list before this point happens before the control core
	 * sees the new epoch and frees that list */
	atomic_store_explicit(&t->readers[reader].seen,
	                      atomic_load_explicit(&t->epoch, memory_order_acquire),
	                      memory_order_release);
}

void
sw_dns_table_reader_online(struct sw_dns_table *t, unsigned int reader, bool online)
{
	if (online) {
		atomic_store_explicit(&t->readers[reader].seen, atomic_load(&t->epoch),
		                      memory_order_seq_cst);
	} else {
		atomic_store_explicit(&t->readers[reader].seen, UINT64_MAX, memory_order_release);
	}
}

unsigned int
sw_dns_table_reclaim(struct sw_dns_table *t)
{
	uint64_t min = UINT64_MAX;
	unsigned int freed = 0, k = 0;

	for (unsigned int r = 0; r < t->n_readers; r++) {
		uint64_t s = atomic_load_explicit(&t->readers[r].seen, memory_order_acquire);

		if (s < min)
			min = s;
	}
	for (unsigned int i = 0; i < t->n_retired; i++) {
		if (t->retired[i].epoch <= min) {
			free((void *)(uintptr_t)t->retired[i].list);
			freed++;
		} else {
			t->retired[k++] = t->retired[i];
		}
	}
	t->n_retired = k;
	return freed;
}

int
sw_dns_table_publish(struct sw_dns_table *t, unsigned int idx, const struct sw_dns_result *r,
                     uint64_t now_ns)
{
	struct sw_dns_list *l;
	const struct sw_dns_list *old;
	uint64_t e;

	if (t == NULL || r == NULL || idx >= t->head.n)
		return -EINVAL;
	if (t->n_retired == t->cap_retired) {
		struct retired *g;

		sw_dns_table_reclaim(t);
		if (t->n_retired == t->cap_retired) {
			g = realloc(t->retired, 2 * t->cap_retired * sizeof(*g));
			if (g == NULL)
				return -ENOMEM;
			t->retired = g;
			t->cap_retired *= 2;
		}
	}
	l = malloc(sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	old = atomic_load_explicit(&t->head.cur[idx], memory_order_relaxed);
	l->version = old != NULL ? old->version + 1 : 1;
	l->r = *r;
	if (t->type[idx] == SW_DNS_CACHE_REALTIME)
		l->expires_ns = now_ns; /* real-time: treated as TTL 0 */
	else if (r->ttl == UINT32_MAX)
		l->expires_ns = UINT64_MAX;
	else
		l->expires_ns = now_ns + (uint64_t)r->ttl * 1000000000ull;
	/* the new list is not used yet; a reader that marks between here and the store below
	 * took the old list and makes the next cycle re-resolve (one query set too many, never
	 * one too few) */
	atomic_store_explicit(&t->head.used[idx], 0, memory_order_relaxed);
	atomic_store_explicit(&t->head.cur[idx], l, memory_order_seq_cst);
	e = atomic_fetch_add_explicit(&t->epoch, 1, memory_order_seq_cst) + 1;
	if (old != NULL)
		t->retired[t->n_retired++] = (struct retired){.list = old, .epoch = e};
	t->st[idx].publishes++;
	t->next_try[idx] = l->expires_ns;
	return 0;
}

unsigned int
sw_dns_table_refresh(struct sw_dns_table *t, const struct sw_dns_source *src, bool naptr_build,
                     enum sw_srv_order order, uint64_t seed, uint64_t now_ns, uint64_t retry_ns)
{
	struct sw_dns_result *r = malloc(sizeof(*r));
	unsigned int n = 0;

	if (r == NULL)
		return 0;
	for (unsigned int i = 0; i < t->head.n; i++) {
		const struct sw_dns_list *cur = atomic_load(&t->head.cur[i]);

		if (cur != NULL && now_ns < t->next_try[i])
			continue; /* not expired (types 1, 2) or waiting to retry */
		if (cur != NULL && t->type[i] == SW_DNS_CACHE_REALTIME &&
		    atomic_load_explicit(&t->head.used[i], memory_order_relaxed) == 0)
			continue; /* real-time, but nobody used the list since it was resolved */
		if (sw_dns_resolve_type(src, &t->srv[i], t->type[i], naptr_build, order, seed, r) ==
		            0 &&
		    sw_dns_table_publish(t, i, r, now_ns) == 0) {
			n++;
		} else {
			t->st[i].failures++; /* the last good list stays */
			t->next_try[i] = now_ns + retry_ns;
		}
	}
	free(r);
	sw_dns_table_reclaim(t);
	return n;
}

uint64_t
sw_dns_table_next_expiry(const struct sw_dns_table *t)
{
	uint64_t m = UINT64_MAX;

	for (unsigned int i = 0; i < t->head.n; i++) {
		if (t->type[i] == SW_DNS_CACHE_REALTIME &&
		    atomic_load_explicit(&t->head.cur[i], memory_order_relaxed) != NULL &&
		    atomic_load_explicit(&t->head.used[i], memory_order_relaxed) == 0)
			continue;
		if (t->next_try[i] < m)
			m = t->next_try[i];
	}
	return m;
}

const struct sw_dns_entry_stats *
sw_dns_table_stats(const struct sw_dns_table *t, unsigned int idx)
{
	return idx < t->head.n ? &t->st[idx] : NULL;
}
