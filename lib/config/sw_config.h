/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Yealink account configuration and the sipswarm load profile.
 *
 * The structures below are the contract between lib/config (which fills them from .cfg files,
 * spec section 1) and its readers (lib/phone, lib/dns, app/). Values are already range-checked
 * and normalised when a reader sees them (defaults applied, failback_timeout 1..59 -> 60,
 * firmware-80 aliases mapped). Strings point into memory owned by the struct sw_config they came
 * from and live as long as it does; many lines share one account configuration.
 */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define SW_MAX_ACCOUNTS  16  /**< account.X, X = 1..16 */
#define SW_MAX_SERVERS   2   /**< sip_server.Y, Y = 1..2 (working, fallback) */
#define SW_MAX_PROXIES   2   /**< outbound_proxy.Y */
#define SW_MAX_DNS_CACHE 12  /**< dns_cache_{a,srv,naptr}.N, N = 1..12 */
#define SW_MAX_HOST_LEN  256 /**< sip_server.Y.address limit */

/** account.X.sip_server.Y.transport_type */
enum sw_transport {
	SW_TRANSPORT_UDP = 0,
	SW_TRANSPORT_TCP = 1,
	SW_TRANSPORT_TLS = 2,
	SW_TRANSPORT_DNS_NAPTR = 3,
};

/** account.X.sip_server.Y.failback_mode (spec 3) */
enum sw_failback_mode {
	SW_FAILBACK_NEW_REQUESTS = 0,
	SW_FAILBACK_DNS_TTL = 1,
	SW_FAILBACK_REGISTRATION = 2,
	SW_FAILBACK_DURATION = 3,
};

/** account.X.fallback.redundancy_type (spec 4) */
enum sw_redundancy_type {
	SW_REDUNDANCY_CONCURRENT = 0,
	SW_REDUNDANCY_SUCCESSIVE = 1,
};

/** account.X.dns_cache_type */
enum sw_dns_cache_type {
	SW_DNS_CACHE_REALTIME = 0,
	SW_DNS_CACHE_CACHE = 1,
	SW_DNS_CACHE_CACHE_ADDITIONAL = 2,
};

/** SRV ordering within one priority [ours, spec 2]: swarm.srv_order */
enum sw_srv_order {
	SW_SRV_ORDER_RFC2782 = 0,     /**< weighted random, seeded */
	SW_SRV_ORDER_WEIGHT_DESC = 1, /**< the guide's "higher weight first", deterministic */
};

/** account.X.sip_server.Y.* */
struct sw_server_cfg {
	const char *address;         /**< host or IPv4 literal; "" when blank (server unused) */
	uint16_t port;               /**< 0..65535, default 5060; 0 = find the port by SRV */
	uint8_t transport;           /**< enum sw_transport, default UDP */
	uint8_t retry_counts;        /**< 0..20, default 3 */
	uint8_t invite_retry_counts; /**< 1..10, default 3 */
	uint8_t failback_mode;       /**< enum sw_failback_mode, default 0 */
	bool register_on_enable;     /**< default 0 */
	bool only_signal_with_registered; /**< default 0 */
	bool failback_subscribe_enable;   /**< default 0 */
	uint32_t expires;                 /**< 30..2147483647 s, default 3600 */
	uint32_t failback_timeout;        /**< s; 0 = never, else >= 60 (1..59 normalised to 60) */
};

/** account.X.outbound_proxy.Y.* (firmware 81) or outbound_host/backup_outbound_host (80) */
struct sw_proxy_cfg {
	const char *address; /**< "" when blank */
	uint16_t port;       /**< default 5060 */
};

/**
 * account.X.*. The identity strings may be templates when they come from a load profile
 * ("1{phone:05}{line:02}"); lib/config expands them per line on demand.
 */
struct sw_account_cfg {
	bool enable;       /**< default 0 */
	const char *label; /**< "" when blank */
	const char *display_name;
	const char *auth_name;
	const char *user_name;
	const char *password;
	struct sw_server_cfg server[SW_MAX_SERVERS];
	bool outbound_proxy_enable;
	struct sw_proxy_cfg outbound_proxy[SW_MAX_PROXIES];
	uint32_t outbound_proxy_fallback_interval; /**< s, default 3600 */
	uint8_t redundancy_type;                   /**< enum sw_redundancy_type, default 0 */
	uint8_t dns_cache_type;                    /**< enum sw_dns_cache_type, default 1 */
	bool static_cache_pri;                     /**< default 0 */
	bool naptr_build;                          /**< default 0 */
	uint32_t fallback_timeout; /**< fallback.timeout, 10..2147483647 s, default 120 */
};

/** dns_cache_a.N.* */
struct sw_dns_cache_a {
	const char *name;
	uint32_t ip;  /**< IPv4, host byte order */
	uint32_t ttl; /**< default 300 */
};

/** dns_cache_srv.N.* */
struct sw_dns_cache_srv {
	const char *name; /**< used exactly as written (e.g. "_sip._udp.example.com") */
	const char *target;
	uint16_t port;
	uint16_t priority;
	uint16_t weight;
	uint32_t ttl; /**< default 300 */
};

/** dns_cache_naptr.N.* */
struct sw_dns_cache_naptr {
	const char *name;
	const char *flags;   /**< "s", "a", "" ... */
	const char *service; /**< "SIP+D2U", "SIP+D2T", "SIPS+D2T" */
	const char *replace; /**< replacement domain */
	uint16_t order;
	uint16_t preference;
	uint32_t ttl; /**< default 300 */
};

/** The static DNS cache of one configuration (Appendix B of the guide). */
struct sw_dns_cache {
	unsigned int n_a, n_srv, n_naptr;
	struct sw_dns_cache_a a[SW_MAX_DNS_CACHE];
	struct sw_dns_cache_srv srv[SW_MAX_DNS_CACHE];
	struct sw_dns_cache_naptr naptr[SW_MAX_DNS_CACHE];
};

/**
 * Protocol timing and the [ours] choices of the spec, settable in the load profile (swarm.*).
 */
struct sw_timing_cfg {
	uint32_t t1_ms;                  /**< RFC 3261 T1, default 500 */
	uint32_t t2_ms;                  /**< RFC 3261 T2, default 4000 */
	bool fail_on_503;                /**< a 503 fails the target like a timeout, default 1 */
	bool fail_on_transport_error;    /**< ICMP/transport error fails the target, default 1 */
	uint8_t srv_order;               /**< enum sw_srv_order, default rfc2782 */
	uint16_t refresh_percent;        /**< refresh at this % of the granted expiry, default 50 */
	uint16_t refresh_jitter_percent; /**< +- jitter on that, % of the expiry, default 10 */
	bool unregister_on_stop;         /**< send Expires: 0 on a clean stop, default 0 */
	uint64_t seed; /**< seed for every random choice (SRV, jitter), default 1 */
};

#endif /* SW_CONFIG_H */
