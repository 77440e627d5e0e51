/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The shared target table: one resolution per distinct server (address, port, transport),
 * built by the control core before traffic starts and read by workers without locks.
 *
 * Each entry points at an immutable, versioned list. The control core publishes a new list
 * with one atomic pointer store (release); a reader loads it (acquire) and so sees the old or
 * the new list, never a torn one. Old lists are freed by quiescent-state-based reclamation
 * (QSBR): each reader reports a quiescent state (a point where it holds no list pointer) with
 * sw_dns_table_quiescent(); a list retired at epoch E is freed once every online reader has
 * reported a state at or after E. The data plane maps this onto rte_rcu_qsbr (one
 * rte_rcu_qsbr_quiescent per loop iteration); this pure C11 version keeps lib/dns free of
 * DPDK and is what the tests run.
 *
 * account.X.dns_cache_type decides how long a list is used (entries of different types are
 * separate, even for one server):
 * - 1 (cache): until the smallest TTL on its path expires, then the control core re-resolves;
 * - 2 (cache + additional records): the same, resolved with the follow-up lookups answered
 *   from the ADDITIONAL sections of the answers (fewer queries; see sw_dns_resolve_type());
 * - 0 (real-time) [ours]: a phone that keeps no cache queries before every new transaction.
 *   The emulation treats the list as TTL 0 (its expires_ns is its publish time) and
 *   re-resolves it at each refresh cycle of the control core (each sw_dns_table_refresh()
 *   call) in which a reader took it with sw_dns_table_use() since it was published: at most
 *   one resolution per entry per cycle, none for a list nobody used. Lines that start
 *   transactions meanwhile share the last list, so the DNS server sees one query set per used
 *   entry per cycle, not one per transaction.
 */
#ifndef SW_DNS_TABLE_H
#define SW_DNS_TABLE_H

#include <stdatomic.h>
#include <stdint.h>

#include "sw_dns.h"

/** An immutable resolution as readers see it. */
struct sw_dns_list {
	uint64_t version;    /**< 1 for the first resolution, +1 per publish */
	uint64_t expires_ns; /**< now + smallest TTL on the path; UINT64_MAX for a literal */
	struct sw_dns_result r;
};

struct sw_dns_table;

/** Counters of one entry (written by the control core only). */
struct sw_dns_entry_stats {
	uint64_t publishes; /**< lists published */
	uint64_t failures;  /**< re-resolutions that failed (last good list kept) */
};

/**
 * A table for up to max_entries distinct servers and n_readers reader threads.
 *
 * @return the table, or NULL on a zero size or no memory
 */
struct sw_dns_table *sw_dns_table_new(unsigned int max_entries, unsigned int n_readers);

/** Free a table and every list (no reader may run). NULL is allowed. */
void sw_dns_table_free(struct sw_dns_table *t);

/**
 * The entry of server s for dns_cache_type 1, added when new (same address, case-insensitive,
 * port and transport give the same entry). Control core only.
 *
 * @return the entry index (>= 0), -EINVAL on a bad server, -ENOSPC when the table is full,
 *         -ENOMEM
 */
int sw_dns_table_add(struct sw_dns_table *t, const struct sw_server_cfg *s);

/**
 * The entry of server s for accounts with dns_cache_type cache_type, added when new (same
 * address, case-insensitive, port, transport and cache type give the same entry). Control
 * core only.
 *
 * @param t          the table
 * @param s          the server
 * @param cache_type enum sw_dns_cache_type (0 real-time, 1 cache, 2 cache + additional)
 * @return the entry index (>= 0), -EINVAL on a bad server or cache type, -ENOSPC when the
 *         table is full, -ENOMEM
 */
int sw_dns_table_add_type(struct sw_dns_table *t, const struct sw_server_cfg *s,
                          uint8_t cache_type);

/**
 * The dns_cache_type an entry was added with.
 *
 * @param t   the table
 * @param idx the entry index
 * @return 0, 1 or 2, or -EINVAL for a bad index
 */
int sw_dns_table_cache_type(const struct sw_dns_table *t, unsigned int idx);

/** @return the number of entries. */
unsigned int sw_dns_table_count(const struct sw_dns_table *t);

/** @return the server of entry idx (its address is a copy owned by the table), or NULL. */
const struct sw_server_cfg *sw_dns_table_server(const struct sw_dns_table *t, unsigned int idx);

/**
 * Reader: the current list of entry idx, or NULL before the first publish. Valid until the
 * reader's next sw_dns_table_quiescent(). Lock-free, no syscall.
 */
static inline const struct sw_dns_list *sw_dns_table_get(const struct sw_dns_table *t,
                                                         unsigned int idx);

/**
 * Reader, when a line starts a new transaction: sw_dns_table_get(), and the list is marked
 * used, so a dns_cache_type 0 (real-time) entry is re-resolved at the next refresh cycle. One
 * relaxed load, and one relaxed store only by the first user after each publish.
 *
 * @param t   the table
 * @param idx the entry index
 * @return the current list (valid until the reader's next sw_dns_table_quiescent()), or NULL
 *         for a bad index or before the first publish
 */
static inline const struct sw_dns_list *sw_dns_table_use(const struct sw_dns_table *t,
                                                         unsigned int idx);

/**
 * Reader: report a quiescent state (the reader holds no list pointer now).
 *
 * @param t      the table
 * @param reader the reader's id, 0..n_readers-1
 */
void sw_dns_table_quiescent(struct sw_dns_table *t, unsigned int reader);

/**
 * Reader: stop (offline, not waited for) or start (online) taking part in reclamation. Every
 * reader starts online at epoch 0: a reader id that never runs must be set offline, or retired
 * lists are never freed (the retired array then grows on each publish).
 */
void sw_dns_table_reader_online(struct sw_dns_table *t, unsigned int reader, bool online);

/**
 * Control: publish a new list for entry idx from a resolution; the old list is retired and
 * freed once every reader has passed a quiescent state.
 *
 * @param now_ns the control core's clock, for the expiry
 * @return 0, -EINVAL on a bad index, -ENOMEM (the old list stays)
 */
int sw_dns_table_publish(struct sw_dns_table *t, unsigned int idx, const struct sw_dns_result *r,
                         uint64_t now_ns);

/**
 * Control, one refresh cycle: re-resolve (through src, with each entry's dns_cache_type) every
 * entry never published, every entry of type 1 or 2 whose list has expired, and every entry
 * of type 0 whose list was used since it was published; a failure keeps the last good list,
 * is counted, and is retried after retry_ns.
 *
 * @return the number of entries published
 */
unsigned int sw_dns_table_refresh(struct sw_dns_table *t, const struct sw_dns_source *src,
                                  bool naptr_build, enum sw_srv_order order, uint64_t seed,
                                  uint64_t now_ns, uint64_t retry_ns);

/** Control: free the retired lists no reader can still hold. @return how many were freed. */
unsigned int sw_dns_table_reclaim(struct sw_dns_table *t);

/**
 * @return the earliest time a refresh has work: the earliest expiry or retry over all
 *         entries, where a type 0 entry counts only once used (UINT64_MAX when none)
 */
uint64_t sw_dns_table_next_expiry(const struct sw_dns_table *t);

/** @return the counters of entry idx, or NULL. */
const struct sw_dns_entry_stats *sw_dns_table_stats(const struct sw_dns_table *t, unsigned int idx);

/* ---- inline reader path ---- */

/** @internal the part of the table readers touch. */
struct sw_dns_table_head {
	unsigned int n;
	_Atomic(const struct sw_dns_list *) *cur;
	_Atomic uint8_t *used; /**< set by sw_dns_table_use(), cleared by each publish */
};

static inline const struct sw_dns_list *
sw_dns_table_get(const struct sw_dns_table *t, unsigned int idx)
{
	const struct sw_dns_table_head *h = (const struct sw_dns_table_head *)(const void *)t;

	if (idx >= h->n)
		return NULL;
	return atomic_load_explicit(&h->cur[idx], memory_order_acquire);
}

static inline const struct sw_dns_list *
sw_dns_table_use(const struct sw_dns_table *t, unsigned int idx)
{
	const struct sw_dns_table_head *h = (const struct sw_dns_table_head *)(const void *)t;

	if (idx >= h->n)
		return NULL;
	/* load first: readers share the line, and only the first user after a publish writes */
	if (atomic_load_explicit(&h->used[idx], memory_order_relaxed) == 0)
		atomic_store_explicit(&h->used[idx], 1, memory_order_relaxed);
	return atomic_load_explicit(&h->cur[idx], memory_order_acquire);
}

#endif /* SW_DNS_TABLE_H */
