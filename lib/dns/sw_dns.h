/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * RFC 3263 / RFC 2782 selection of a SIP server's ordered target list (spec/redundancy.md
 * section 2), over a record source. This first source is the Yealink static DNS cache
 * (dns_cache_a/srv/naptr.N.*); a source of real DNS answers plugs into the same rules.
 */
#ifndef SW_DNS_H
#define SW_DNS_H

#include <stdint.h>

#include "sw_config.h"

#define SW_DNS_MAX_TARGETS 16
#define SW_DNS_MAX_RR      32
#define SW_DNS_MAX_NAME    256

/** One target: where a request goes. */
struct sw_dns_target {
	uint32_t ip; /**< IPv4, host order */
	uint16_t port;
	uint8_t transport;         /**< SW_TRANSPORT_UDP/TCP/TLS */
	uint32_t ttl;              /**< smallest TTL on the path to it */
	char via[SW_DNS_MAX_NAME]; /**< the record path, e.g. "NAPTR yealink.pbx.com > SRV
				       _sip._tcp.yealink.pbx.com > A server2.yealink.pbx.com" */
};

/** A resolution: the ordered targets (index 0 = primary). */
struct sw_dns_result {
	unsigned int n;
	struct sw_dns_target t[SW_DNS_MAX_TARGETS];
	uint32_t ttl; /**< smallest TTL of every record used; UINT32_MAX for a literal */
};

/** Records a source returns. */
struct sw_dns_rr {
	uint16_t order, preference;      /**< NAPTR */
	uint16_t priority, weight, port; /**< SRV */
	uint32_t ip;                     /**< A */
	uint32_t ttl;
	const char *flags, *service, *target; /**< NAPTR flags/service/replacement, SRV target */
};

/**
 * Where records come from: each lookup fills up to max records, returns how many. start, when
 * not NULL, is called once at the beginning of each resolution with the account's
 * dns_cache_type (enum sw_dns_cache_type): a source may then forget the strings of earlier
 * resolutions and decide whether to use additional records (type 2).
 */
struct sw_dns_source {
	unsigned int (*naptr)(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max);
	unsigned int (*srv)(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max);
	unsigned int (*a)(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max);
	void *ctx;
	void (*start)(void *ctx, uint8_t cache_type);
};

/**
 * A source over the static cache of a configuration (names matched exactly, case-insensitive).
 *
 * @param src   filled in
 * @param cache the static cache; must outlive src
 */
void sw_dns_static_source(struct sw_dns_source *src, const struct sw_dns_cache *cache);

/**
 * Resolve server (address, port, transport) to its ordered targets by the rules of spec 2:
 * an IPv4 literal is one target; transport 3 with a port: A only; transport 3 without a port:
 * NAPTR (by order then preference; flag "s" -> SRV on the replacement, empty -> NAPTR again;
 * SIP+D2U/SIP+D2T/SIPS+D2T pick UDP/TCP/TLS; only the first order value that gives targets),
 * else SRV on _sip._udp. (naptr_build 0) or _sip._udp., _sip._tcp., _sips._tcp. (1), else A
 * on the name with port 5060; transport 0..2 with port 0: SRV for that transport, else A.
 * SRV: lower priority first; within one priority RFC 2782 weighted random from seed, or
 * weight-desc; target "." means not available; every A record of a target is a target.
 *
 * @param src         the record source
 * @param s           the server (address, port, transport)
 * @param naptr_build account.X.naptr_build
 * @param order       enum sw_srv_order
 * @param seed        seed of the weighted choice (give each line its own to spread them)
 * @param out         the targets
 * @return 0, -ENOENT when nothing resolves, -EINVAL on a bad argument, -ELOOP when NAPTR
 *         records point at each other deeper than 4 levels
 */
int sw_dns_resolve(const struct sw_dns_source *src, const struct sw_server_cfg *s, bool naptr_build,
                   enum sw_srv_order order, uint64_t seed, struct sw_dns_result *out);

/**
 * sw_dns_resolve() for an account whose dns_cache_type is cache_type: the source's start() is
 * told the type first (sw_dns_resolve() is this with SW_DNS_CACHE_CACHE). With
 * SW_DNS_CACHE_CACHE_ADDITIONAL a DNS source answers the follow-up SRV and A lookups from the
 * ADDITIONAL section of the NAPTR and SRV answers of this resolution instead of querying (their
 * TTLs count in the path TTL). SW_DNS_CACHE_REALTIME resolves like SW_DNS_CACHE_CACHE: not
 * caching the result is the shared table's part (sw_dns_table_add_type()).
 *
 * @param src         the record source
 * @param s           the server (address, port, transport)
 * @param cache_type  account.X.dns_cache_type (enum sw_dns_cache_type)
 * @param naptr_build account.X.naptr_build
 * @param order       enum sw_srv_order
 * @param seed        seed of the weighted choice
 * @param out         the targets
 * @return as sw_dns_resolve(), and -EINVAL for a cache_type above 2
 */
int sw_dns_resolve_type(const struct sw_dns_source *src, const struct sw_server_cfg *s,
                        uint8_t cache_type, bool naptr_build, enum sw_srv_order order,
                        uint64_t seed, struct sw_dns_result *out);

#endif /* SW_DNS_H */
