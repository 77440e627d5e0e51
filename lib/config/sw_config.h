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
#include <stddef.h>
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
 * An identity template of the common shape (a literal, at most one placeholder, a literal),
 * taken apart by sw_config_finish() for sw_config_ident(); lib/config's own.
 */
struct sw_ident_prog {
	const char *src; /**< the template it describes; NULL (or another string): none */
	uint8_t pre;     /**< bytes of literal before the placeholder */
	uint8_t kind;    /**< 0: no placeholder, 1: {phone}, 2: {line} */
	uint8_t width;   /**< zero-padded width (0..20) */
	uint8_t suf_off; /**< where the literal after the placeholder starts in src */
	uint8_t suf;     /**< its length */
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
	struct sw_ident_prog
	        ident[5]; /**< by enum sw_ident: the templates taken apart (lib/config's) */
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

/** Phone models and their account limits (spec section 1). */
struct sw_phone_model {
	const char *name;
	unsigned int max_accounts;
};

/** How lines start: spread over a ramp or all at once (a site power cut). */
enum sw_start_mode {
	SW_START_RAMP = 0,
	SW_START_AVALANCHE = 1,
};

/** The load profile (swarm.* keys). */
struct sw_profile {
	uint32_t phones;                    /**< swarm.phones, default 1 */
	const struct sw_phone_model *model; /**< swarm.model, default NULL (16 lines) */
	uint32_t lines_per_phone;           /**< swarm.lines_per_phone, 0 = the enabled accounts */
	uint32_t src_ip;                    /**< swarm.src_ip, host order, default 198.18.0.1 */
	uint32_t src_ip_count;              /**< swarm.src_ip_count, default 65536 */
	uint16_t src_port;                  /**< swarm.src_port, default 5060 */
	uint32_t register_rate;             /**< swarm.register_rate per second, 0 = unlimited */
	uint32_t ramp_s;                    /**< swarm.ramp_s, default 0 */
	uint32_t max_in_flight;             /**< swarm.max_in_flight, 0 = no limit */
	uint32_t duration_s;                /**< swarm.duration_s, 0 = until stopped */
	uint8_t start;                      /**< swarm.start, enum sw_start_mode */
	uint32_t calls_per_line_hour;       /**< swarm.calls_per_line_hour, default 0 */
	uint32_t hold_s;                    /**< swarm.hold_s, default 60 */
};

/** A diagnostic: where and why. */
struct sw_config_diag {
	char file[128];
	unsigned int line; /**< 1-based, 0 = not tied to a line */
	char key[96];
	char msg[256]; /**< the whole message, "file:line: key = value: why" */
};

#define SW_CONFIG_MAX_WARNINGS 64
#define SW_CONFIG_MAX_VARIANTS 64

/** A loaded configuration: accounts, static DNS cache, timing and profile. */
struct sw_config;

/**
 * Create an empty configuration with every default of spec section 1 applied.
 *
 * @return the configuration, or NULL when out of memory
 */
struct sw_config *sw_config_new(void);

/** Free a configuration and every string it owns. NULL is allowed. */
void sw_config_free(struct sw_config *c);

/**
 * Apply one file on top of what the configuration holds (later files override).
 *
 * @param c    the configuration
 * @param path the .cfg file
 * @return 0, -ENOENT/-EACCES/-EIO when it cannot be read, -EINVAL on a configuration error
 *         (sw_config_error() says which file, line, key and why)
 */
int sw_config_load_file(struct sw_config *c, const char *path);

/**
 * Apply a configuration text, named name in messages.
 *
 * @param c    the configuration
 * @param name file name used in diagnostics
 * @param text the text (need not be NUL-terminated)
 * @param len  its length
 * @return 0, or -EINVAL on a configuration error (see sw_config_error())
 */
int sw_config_parse(struct sw_config *c, const char *name, const char *text, size_t len);

/**
 * Check what cannot be checked key by key (model limits, line counts, server 1 present) and
 * build the expansion. Call once after the last file.
 *
 * @return 0, or -EINVAL (see sw_config_error())
 */
int sw_config_finish(struct sw_config *c);

/** @return the error of the last failed call, or NULL. */
const struct sw_config_diag *sw_config_error(const struct sw_config *c);

/**
 * @param c the configuration
 * @param n set to the number of warnings (unknown keys, SRV names that look mistyped)
 * @return the warnings
 */
const struct sw_config_diag *sw_config_warnings(const struct sw_config *c, unsigned int *n);

/** @return account X (1..16) of the base configuration, or NULL. */
const struct sw_account_cfg *sw_config_account(const struct sw_config *c, unsigned int x);

/** @return the static DNS cache. */
const struct sw_dns_cache *sw_config_dns_cache(const struct sw_config *c);

/** @return the protocol timing. */
const struct sw_timing_cfg *sw_config_timing(const struct sw_config *c);

/** @return the load profile. */
const struct sw_profile *sw_config_profile(const struct sw_config *c);

/** One line of the expansion, by reference to shared settings. */
struct sw_line_info {
	uint32_t phone;                   /**< phone index, 0-based */
	uint8_t account;                  /**< account number X, 1..16 */
	uint16_t variant;                 /**< which settings variant (0 = the base) */
	const struct sw_account_cfg *cfg; /**< shared by every line of the same variant/account */
	uint32_t src_ip;                  /**< host order */
	uint16_t src_port;
};

/**
 * Lines of shard k of n (phones k, k+n, k+2n, ...); n = 1 for the whole run.
 *
 * @return the number of lines, 0 if k >= n or before sw_config_finish()
 */
uint64_t sw_config_line_count(const struct sw_config *c, uint32_t k, uint32_t n);

/**
 * Describe line i of shard k of n. O(1), no allocation.
 *
 * @return 0, or -ERANGE if i is out of range
 */
int sw_config_line(const struct sw_config *c, uint32_t k, uint32_t n, uint64_t i,
                   struct sw_line_info *out);

/** Identity fields of a line, formatted from their templates. */
enum sw_ident {
	SW_IDENT_USER_NAME,
	SW_IDENT_AUTH_NAME,
	SW_IDENT_PASSWORD,
	SW_IDENT_LABEL,
	SW_IDENT_DISPLAY_NAME,
	SW_IDENT_MAX
};

/**
 * Format an identity field of a line: the template with {phone} and {line} (optionally
 * {phone:0N}, width N zero-padded; {phone} counts from 1, {line} is the account number)
 * replaced. No allocation.
 *
 * @param c    the configuration
 * @param info the line (from sw_config_line())
 * @param f    which field
 * @param buf  output, NUL-terminated
 * @param cap  its size; sw_config_ident_max() + 1 always suffices
 * @return the length written, or -ENOSPC
 */
int sw_config_ident(const struct sw_config *c, const struct sw_line_info *info, enum sw_ident f,
                    char *buf, size_t cap);

/** @return the longest any formatted identity can be (without the NUL). */
size_t sw_config_ident_max(const struct sw_config *c);

/** @return the model of that name (case-insensitive), or NULL. */
const struct sw_phone_model *sw_config_model(const char *name);

#endif /* SW_CONFIG_H */
