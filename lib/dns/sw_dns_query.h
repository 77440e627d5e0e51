/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A record source over real DNS (the only I/O in lib/dns), and a source that chains two sources
 * (static cache first or DNS first, account.X.static_cache_pri).
 *
 * Queries go through ldns (Debian libldns-dev): it sends over UDP, falls back to TCP on a
 * truncated answer, retries and times out, and parses (and rejects malformed) wire answers,
 * including name compression, so we do not hand-write a DNS parser. c-ares would do the queries
 * too, but its callback style adds nothing to a control-core, blocking, once-per-TTL lookup,
 * and ldns can also build answer packets in tests.
 */
#ifndef SW_DNS_QUERY_H
#define SW_DNS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "sw_dns.h"

/** Bound on CNAME links followed for one query. */
#define SW_DNS_MAX_CNAME 8

struct sw_dns_client;

/** Counters of one client (each query counted once, by how it ended). */
struct sw_dns_client_stats {
	uint64_t queries;  /**< queries sent */
	uint64_t answered; /**< NOERROR with a usable answer */
	uint64_t empty;    /**< NOERROR with no record of the type asked */
	uint64_t nxdomain;
	uint64_t servfail;    /**< SERVFAIL, REFUSED and other error codes */
	uint64_t failed;      /**< no answer (timeout) or an answer that did not parse */
	uint64_t cname_loops; /**< CNAME chains longer than SW_DNS_MAX_CNAME */
};

/**
 * A client that queries the given DNS servers.
 *
 * @param servers    comma-separated IPv4[:port] list (port default 53), e.g. "127.0.0.1:5353";
 *                   NULL for a client that only parses answers (sw_dns_answer_records())
 * @param timeout_ms per-try timeout
 * @param retries    tries per server
 * @return the client, or NULL on a bad server list or no memory
 */
struct sw_dns_client *sw_dns_client_new(const char *servers, unsigned int timeout_ms,
                                        unsigned int retries);

/** Free a client. NULL is allowed. */
void sw_dns_client_free(struct sw_dns_client *c);

/**
 * A record source over the client. Strings returned by its lookups live in the client until
 * sw_dns_client_reset() or free.
 *
 * @param src filled in
 * @param c   the client; must outlive src
 */
void sw_dns_client_source(struct sw_dns_source *src, struct sw_dns_client *c);

/** Forget the strings of earlier lookups (call before each sw_dns_resolve()). */
void sw_dns_client_reset(struct sw_dns_client *c);

/** @return the client's counters. */
const struct sw_dns_client_stats *sw_dns_client_stats(const struct sw_dns_client *c);

/**
 * The records of one type for qname in a wire-format DNS answer, following CNAME records of
 * the answer from qname (no query is sent). Records of another type or owner are ignored; a
 * malformed record is skipped. Strings live in c until sw_dns_client_reset(). Pure: no I/O.
 *
 * @param c     a client (its string space)
 * @param wire  the answer as received
 * @param len   its length
 * @param qname the name asked, without the final dot
 * @param qtype 1 (A), 33 (SRV) or 35 (NAPTR)
 * @param out   records found
 * @param max   room in out
 * @return the number of records (0 for an empty answer), -EINVAL on a bad argument,
 *         -EBADMSG when the answer does not parse (truncated, compression loop...), -ENXIO on
 *         NXDOMAIN, -EIO on another error code (SERVFAIL, REFUSED...), -ELOOP when the CNAME
 *         chain is longer than SW_DNS_MAX_CNAME
 */
int sw_dns_answer_records(struct sw_dns_client *c, const uint8_t *wire, size_t len,
                          const char *qname, uint16_t qtype, struct sw_dns_rr *out,
                          unsigned int max);

/** Two sources asked in order: a lookup the first answers with no record goes to the second. */
struct sw_dns_chain {
	struct sw_dns_source first, second;
};

/**
 * A source that asks chain->first, and chain->second where the first has no record.
 *
 * @param src   filled in
 * @param chain the two sources; must outlive src
 */
void sw_dns_chain_source(struct sw_dns_source *src, struct sw_dns_chain *chain);

#endif /* SW_DNS_QUERY_H */
