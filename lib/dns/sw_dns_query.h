/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A record source over real DNS (the only I/O in lib/dns), and a source that chains two sources
 * (static cache first or DNS first, account.X.static_cache_pri).
 *
 * Packets are encoded and decoded by ldns (Debian libldns-dev), which parses (and rejects
 * malformed) wire answers, including name compression, so we do not hand-write a DNS parser;
 * c-ares would do the queries too, but its callback style adds nothing to a control-core,
 * blocking, once-per-TTL lookup, and ldns can also build answer packets in tests. The sending
 * loop is ours, around ldns_udp_send()/ldns_tcp_send(): ldns_resolver keeps one port for all
 * its name servers, and each server here has its own. Servers are tried in the order given,
 * each up to `retries` times over UDP; a truncated answer is asked again over TCP from the same
 * server; only a server that does not answer (or answers with the wrong ID or question, or
 * bytes that do not parse) passes the question to the next; an answer, whatever its code,
 * ends it. The exchange with one server is a replaceable function (struct sw_dns_transport),
 * so unit tests answer with packets they build and count the queries.
 */
#ifndef SW_DNS_QUERY_H
#define SW_DNS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "sw_dns.h"

/** Bound on CNAME links followed for one query. */
#define SW_DNS_MAX_CNAME 8
/** DNS servers one client asks, in order. */
#define SW_DNS_MAX_SERVERS 4
/** Records kept from the ADDITIONAL sections of one resolution (dns_cache_type 2). */
#define SW_DNS_MAX_ADDITIONAL 64

struct sw_dns_client;

/** Counters of one client (each query counted once, by how it ended). */
struct sw_dns_client_stats {
	uint64_t queries;  /**< queries sent */
	uint64_t answered; /**< NOERROR with a usable answer */
	uint64_t empty;    /**< NOERROR with no record of the type asked */
	uint64_t nxdomain;
	uint64_t servfail;        /**< SERVFAIL, REFUSED and other error codes */
	uint64_t failed;          /**< no answer (timeout) or an answer that did not parse */
	uint64_t cname_loops;     /**< CNAME chains longer than SW_DNS_MAX_CNAME */
	uint64_t from_additional; /**< lookups answered from additional records, no query sent */
	uint64_t kept_additional; /**< additional records kept for later lookups (type 2) */
	uint64_t timeouts;        /**< exchanges with no usable answer (each try of each server) */
	uint64_t tcp;             /**< truncated UDP answers asked again over TCP */
	uint64_t by_server[SW_DNS_MAX_SERVERS]; /**< answers received from server i of the list */
};

/** How one query reaches one server and its answer comes back (tests replace it). */
struct sw_dns_transport {
	/**
	 * Send query (wire format) to ip:port over UDP, or TCP when tcp is true, and wait at most
	 * timeout_ms for the answer.
	 *
	 * @return the answer's length (> 0) written to ans, -ETIMEDOUT when no answer came,
	 *         -EMSGSIZE when it is longer than cap, -EIO when it could not be sent
	 */
	int (*exchange)(void *ctx, uint32_t ip, uint16_t port, bool tcp, const uint8_t *query,
	                size_t qlen, uint8_t *ans, size_t cap, unsigned int timeout_ms);
	void *ctx;
};

/**
 * A client that queries the given DNS servers.
 *
 * @param servers    comma-separated IPv4[:port] list, up to SW_DNS_MAX_SERVERS, each with its own
 *                   port (default 53), e.g. "127.0.0.1:5353,127.0.0.2:53", asked in that order;
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
 * Replace how the client exchanges packets with a server (by default UDP and TCP sockets
 * through ldns).
 *
 * @param c  the client
 * @param tr the transport (copied), or NULL for the default
 */
void sw_dns_client_set_transport(struct sw_dns_client *c, const struct sw_dns_transport *tr);

/**
 * A record source over the client. Strings returned by its lookups live in the client until
 * the next resolution starts (its start(), called by sw_dns_resolve_type()),
 * sw_dns_client_reset() or free. With dns_cache_type 2 the A and SRV records of the
 * ADDITIONAL section of an SRV or NAPTR answer that belong to the answer's targets are kept
 * for the rest of the resolution, and a later A or SRV lookup of such a name is answered from
 * them without a query (counted in from_additional).
 *
 * @param src filled in
 * @param c   the client; must outlive src
 */
void sw_dns_client_source(struct sw_dns_source *src, struct sw_dns_client *c);

/** Forget the strings and additional records of earlier lookups. */
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
 * A source that asks chain->first, and chain->second where the first has no record; start()
 * is passed to both.
 *
 * @param src   filled in
 * @param chain the two sources; must outlive src
 */
void sw_dns_chain_source(struct sw_dns_source *src, struct sw_dns_chain *chain);

#endif /* SW_DNS_QUERY_H */
