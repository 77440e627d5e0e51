/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The worker: the lines of one core, their timers and their wire. Frames in, frames out,
 * `now` from the caller. Plain C (no DPDK): app/sipswarm feeds it mbuf data from a port, the
 * tests feed it frames from an emulated server on a virtual clock.
 *
 *   frame -> lib/net classify -> lib/sip parse -> token demux (O(1)) -> lib/phone event
 *         -> actions -> lib/sip template + digest -> lib/net headers -> io->send
 *   poll  -> timer wheel (one timer per line) -> lib/phone timer -> actions
 *         -> admission (token bucket with ramp, or all at once) -> lib/phone start
 *
 * Nothing on those paths allocates, locks, or makes a system call.
 */
#ifndef SW_ENGINE_H
#define SW_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "sw_config.h"
#include "sw_dns.h"
#include "sw_net.h"
#include "sw_phone.h"
#include "sw_sip.h"
#include "sw_stats.h"
#include "sw_timer.h"

/** Counters of a worker: see engine_counter.def. */
enum sw_engine_counter {
#define SW_ENGINE_COUNTER(sym, name, help) SW_ENGINE_C_##sym,
#include "engine_counter.def"
#undef SW_ENGINE_COUNTER
	SW_ENGINE_C_MAX
};

/** Distinct servers (IP, port) a run talks to, for per-server figures. */
#define SW_ENGINE_MAX_SERVERS 32
/** Orders of a weighted SRV choice kept per server: a line uses one of them by its number. */
#define SW_ENGINE_VARIANTS 64
/** Frame buffer size the io must provide. */
#define SW_ENGINE_FRAME_MAX 2048u

/** One target of a server, with the index of its (IP, port) among the run's servers. */
struct sw_engine_target {
	uint32_t ip;
	uint16_t port;
	uint8_t sid; /**< index into struct sw_engine_routes server[] */
};

/** Where the lines of one account configuration send (read-only during a run). */
struct sw_engine_route {
	const struct sw_account_cfg *cfg;
	uint8_t n_targets[SW_MAX_SERVERS];
	uint8_t n_variants[SW_MAX_SERVERS];
	struct sw_engine_target t[SW_MAX_SERVERS][SW_ENGINE_VARIANTS][SW_DNS_MAX_TARGETS];
	struct sw_engine_target proxy[SW_MAX_PROXIES];
	uint32_t ttl[SW_MAX_SERVERS];        /**< s: TTL of the resolution (failback mode 1) */
	uint16_t domain_len[SW_MAX_SERVERS]; /**< strlen(cfg->server[s].address) */
	char ha2[SW_MAX_SERVERS][SW_SIP_SHA256_HEX + 1]; /**< MD5 HA2 of REGISTER sip:domain */
	char ha2_sha256[SW_MAX_SERVERS][SW_SIP_SHA256_HEX + 1];
};

/** Every route of a run, built once by the control core. */
struct sw_engine_routes {
	unsigned int n;
	struct sw_engine_route *r; /**< n routes */
	unsigned int n_servers;
	struct {
		uint32_t ip;
		uint16_t port;
	} server[SW_ENGINE_MAX_SERVERS];
	uint64_t resolved_ns; /**< when resolved (the TTLs count from here): the run's clock */
};

/** Where a worker's frames go. */
struct sw_engine_io {
	/** @return a buffer of SW_ENGINE_FRAME_MAX bytes for one frame, or NULL (counted) */
	uint8_t *(*alloc)(void *arg);
	/** queue the frame last allocated, len bytes (the callee flushes in bursts) */
	void (*send)(void *arg, uint8_t *frame, uint16_t len);
	/** give back a buffer from alloc that will not be sent; may be NULL */
	void (*drop)(void *arg, uint8_t *frame);
	void *arg;
};

/** How a worker is set up. */
struct sw_engine_cfg {
	const struct sw_config *config;
	const struct sw_engine_routes *routes;
	const struct sw_sip_token_key *key;
	uint32_t shard_k, shard_n; /**< this instance: phones k, k+n, ... (1 instance: 0, 1) */
	unsigned int worker;       /**< 0..n_workers-1, carried in every token */
	unsigned int n_workers;    /**< lines of the shard are dealt round-robin to workers */
	uint32_t max_lines;        /**< 0 = all of this worker's lines */
	uint8_t mac[6];            /**< the port's MAC: every phone address answers ARP with it */
	struct sw_net_neigh_table neigh; /**< next hops known at start (may be empty) */
	uint32_t gateway;                /**< next hop for every server; 0 = servers are on-link */
	bool udp_csum;                   /**< compute UDP checksums (false: none) */
	bool csum_offload;    /**< the port computes IPv4 and UDP checksums (see sw_net_udp_out) */
	uint64_t start;       /**< ns: time 0 of the run */
	double register_rate; /**< lines started per second by this worker; 0 = unlimited */
	double ramp_s;        /**< rate rises linearly from 0 over this many seconds */
	bool avalanche;       /**< every line due at start at once (a site power cut) */
	/** a closed loop: no line starts while this many transactions of the worker are in flight
	 *  (with register_rate 0, lines start as fast as the servers answer); 0 = no limit. Only
	 *  starts wait: refreshes, calls and retransmissions go out when due */
	uint32_t max_in_flight;
	struct sw_engine_io io;
	/** memory for the line arrays (NUMA-local to the worker); NULL: calloc */
	void *(*zalloc)(size_t size, void *arg);
	void (*free)(void *p, size_t size, void *arg);
	void *alloc_arg;
};

/** Histograms of a worker. */
enum sw_engine_hist {
	SW_ENGINE_H_RTT,            /**< ns: final response - intended first send (per txn) */
	SW_ENGINE_H_REGISTER_RTT,   /**< ns: the same for REGISTER with credentials -> 2xx */
	SW_ENGINE_H_TIMER_LATE,     /**< ns: how late line timers fired */
	SW_ENGINE_H_START_LAG,      /**< ns: start - scheduled start (with max_in_flight, or the
	                                 time the limit let it go, when later) */
	SW_ENGINE_H_FIRST_REGISTER, /**< ns: scheduled start (as for START_LAG) -> first
	                                 registration */
	SW_ENGINE_H_UNREG_GAP,      /**< ns: a registered line's unregistered period, closed */
	SW_ENGINE_H_FAILOVER,       /**< ns: failover time of a registration leg: intended first
	                                 send of the request that failed at a target -> registered
	                                 at another (a chain of failovers counts once, from its
	                                 first failed request) */
	SW_ENGINE_H_MAX
};

/** What a worker shows the control core (one writer: the worker). */
struct sw_engine_stats {
	uint64_t c[SW_ENGINE_C_MAX];
	uint64_t parse_error[SW_SIP_REASON_COUNT];
	uint64_t net_drop[SW_NET_DROP_MAX];
	uint64_t srv_tx[SW_ENGINE_MAX_SERVERS];         /**< requests sent to each server */
	uint64_t srv_answered[SW_ENGINE_MAX_SERVERS];   /**< final responses from each server */
	uint64_t srv_registered[SW_ENGINE_MAX_SERVERS]; /**< lines registered there now (gauge) */
	uint64_t lines;                                 /**< lines of this worker */
	uint64_t lines_registered;                      /**< lines registered somewhere (gauge) */
	uint64_t busy_polls, idle_polls;
	struct sw_hist h[SW_ENGINE_H_MAX];
};

/** Per-line extras the worker keeps besides the state machine (see README for the bytes). */
struct sw_engine_line {
	uint64_t t0[3];     /**< ns: intended first send of leg 0/1/call's transaction */
	uint64_t unreg_at;  /**< ns: scheduled start, then when the line last lost its
				  last registration */
	uint32_t cseq[3];   /**< CSeq of leg 0, 1 and the call */
	uint32_t gid;       /**< line number within the shard */
	uint8_t variant;    /**< which SRV order (of SW_ENGINE_VARIANTS) the line uses */
	uint8_t realm[2];   /**< interned realm of each leg's digest state */
	uint8_t reg_sid[2]; /**< server where each leg is counted registered, 0xff none */
	uint8_t ever_registered;
	uint16_t src_port;     /**< the line's source port (sw_config_line(), kept: no divisions
	                            per send) */
	uint32_t first_reg_ms; /**< ms after the run's start: first registration (0: never) */
	uint32_t gap_ms;       /**< ms unregistered after the first registration, closed periods */
	uint32_t ident_off;    /**< the line's user and auth names and password in the worker's
	                            arena */
	uint8_t user_len;
	uint8_t auth_len;  /**< 0: the auth name is the user name */
	uint8_t dialog_ok; /**< bit per registration leg: dialog_mac[leg] is set */
	uint8_t pending;   /**< 1 while a REGISTER of the line waits in the signing burst */
	uint16_t br_tag;   /**< the transaction of the last branch sent (0xffff: none) */
	uint8_t pass_len;  /**< the password's length, after the names in the arena (0xff: not
	                        kept there, formatted when a challenge needs it) */
	uint32_t fo_ms[2]; /**< per registration leg: ms after the run's start + 1 of the
	                        intended first send of the request that failed before a failover
	                        not yet followed by a registration (0: none) */
	uint32_t src_ip;   /**< the line's source address, host order (as src_port) */
	uint32_t br_mac;   /**< the MAC of that branch: its response is recognised by comparing */
	uint64_t dialog_mac[2]; /**< per registration leg: the MAC of its Call-ID and From tag
	                             (sw_sip_token_dialog_mac(), once per leg) */
};

struct sw_engine;

/**
 * Create a worker: sizes and allocates every array, compiles templates; no traffic yet.
 *
 * @param cfg the set-up (copied; config and routes must outlive the worker)
 * @return the worker, or NULL with errno EINVAL (bad cfg) or ENOMEM
 */
struct sw_engine *sw_engine_new(const struct sw_engine_cfg *cfg);

/** Free a worker. NULL is allowed. */
void sw_engine_free(struct sw_engine *e);

/**
 * Handle one received frame (ARP, ICMP, SIP).
 *
 * @param e     the worker
 * @param now   ns
 * @param frame the frame (read-only; not kept)
 * @param len   its length
 * @return -1 when the frame was handled (or dropped and counted) here; a worker index when it
 *         is a response for a line of that other worker (the caller hands the frame over:
 *         RSS may put a server's answer on any queue)
 */
int sw_engine_rx(struct sw_engine *e, uint64_t now, const uint8_t *frame, size_t len);

/**
 * sw_engine_rx() for a frame whose checksums the port may have checked (RX offload): what it
 * found, as enum sw_net_rx_csum flags, is taken instead of summing again (sw_net_classify_hw).
 *
 * @param e     the worker
 * @param now   ns
 * @param frame the frame (read-only; not kept)
 * @param len   its length
 * @param hw    enum sw_net_rx_csum flags (0: the port checked nothing)
 * @return as sw_engine_rx()
 */
int sw_engine_rx_hw(struct sw_engine *e, uint64_t now, const uint8_t *frame, size_t len,
                    unsigned int hw);

/**
 * Send what is waiting: authenticated REGISTERs are signed in bursts of up to 8 (multi-buffer
 * MD5), so a request caused by sw_engine_rx() may wait until the next sw_engine_poll() (which
 * flushes at its end) or this call. Call it after a burst of sw_engine_rx().
 *
 * @param e the worker
 */
void sw_engine_flush(struct sw_engine *e);

/**
 * Fire due line timers and start lines the admission schedule allows.
 *
 * @param e      the worker
 * @param now    ns
 * @param budget most timers and starts handled in this call
 * @return how many were handled (0: idle)
 */
unsigned int sw_engine_poll(struct sw_engine *e, uint64_t now, unsigned int budget);

/**
 * Stop: admit no more lines; abandon transactions in progress (counted cancelled); with
 * unregister, send REGISTER Expires: 0 where lines are registered, at the admission rate
 * (cfg.register_rate; 0: as fast as sw_engine_poll()'s budget allows): the lines after the
 * first few are stopped by the following sw_engine_poll() calls, see sw_engine_stopping().
 * A second call does nothing.
 *
 * @param e          the worker
 * @param now        ns
 * @param unregister send the unregistrations
 */
void sw_engine_stop(struct sw_engine *e, uint64_t now, bool unregister);

/**
 * @param e the worker
 * @return how many started lines a stop with unregistration has still to stop (0 when not
 *         stopped, or done)
 */
uint32_t sw_engine_stopping(const struct sw_engine *e);

/** @return the worker's live statistics (read with sw_stat_read from another core). */
const struct sw_engine_stats *sw_engine_stats(const struct sw_engine *e);

/** @return the number of lines of the worker. */
uint32_t sw_engine_line_count(const struct sw_engine *e);

/**
 * Inspect line i of the worker (control core, tests, results).
 *
 * @param e    the worker
 * @param i    line index within the worker
 * @param line the state machine (may be NULL)
 * @param ext  the extras (may be NULL)
 * @return 0, -ERANGE
 */
int sw_engine_line(const struct sw_engine *e, uint32_t i, const struct sw_phone_line **line,
                   const struct sw_engine_line **ext);

/**
 * Benchmarks only: give every line a digest state for realm as if it had been challenged
 * (a distinct nonce per line), so that sw_engine_generate() signs every message.
 *
 * @return 0, -E2BIG (too many realms), -EINVAL (an identity could not be formatted)
 */
int sw_engine_preauth(struct sw_engine *e, const char *realm, uint64_t now);

/**
 * Benchmarks only: build and send n authenticated REGISTERs (fresh digest each: nc and cnonce
 * change) from the lines in turn, through the same path as the state machine's sends, without
 * waiting for answers. Do not mix with sw_engine_poll().
 *
 * @return how many were handed to io->send
 */
unsigned int sw_engine_generate(struct sw_engine *e, uint64_t now, unsigned int n);

/** @return the phone context (for sw_phone_registered() and the like). */
const struct sw_phone_ctx *sw_engine_phone_ctx(const struct sw_engine *e);

/** @return bytes of memory the worker holds per line. */
size_t sw_engine_bytes_per_line(void);

/** @return the name of a counter, "?" out of range. */
const char *sw_engine_counter_name(enum sw_engine_counter c);
/** @return the help of a counter, "?" out of range. */
const char *sw_engine_counter_help(enum sw_engine_counter c);
/** @return the name of a histogram, "?" out of range. */
const char *sw_engine_hist_name(enum sw_engine_hist h);

/**
 * Build the routes of a configuration: one per distinct account configuration among the lines
 * of shard k/n, each server resolved through src (SW_ENGINE_VARIANTS seeded orders when SRV
 * weights make the order random), HA2 precomputed (slow path).
 *
 * @param routes  filled; free with sw_engine_routes_free()
 * @param config  a finished configuration
 * @param k       shard
 * @param n       shards
 * @param src     where records come from (static cache, DNS, or both chained)
 * @param err     on error, why ("account 1 server 1 yealink.pbx.com: no target")
 * @param errlen  its size
 * @return 0, -ENOENT (a server resolves to nothing), -E2BIG (too many distinct servers),
 *         -ENOMEM
 */
int sw_engine_routes_build(struct sw_engine_routes *routes, const struct sw_config *config,
                           uint32_t k, uint32_t n, const struct sw_dns_source *src, char *err,
                           size_t errlen);

/**
 * Control core: resolve every server of cur again (a TTL expired), into next. Servers keep
 * their indexes (next starts with cur's server list; new addresses are appended), routes keep
 * theirs. Slow path: allocates, may query DNS.
 *
 * @param next    filled (free with sw_engine_routes_free() when no worker uses it)
 * @param cur     the routes in use
 * @param config  the run's configuration
 * @param src     where names resolve (the same as for sw_engine_routes_build())
 * @param now     the run's clock, ns: next->resolved_ns
 * @param changed set when a target list differs from cur's
 * @param err     why, on failure
 * @param errlen  size of err
 * @return 0; -ENOENT (a server resolved to nothing), -E2BIG (more than SW_ENGINE_MAX_SERVERS
 *         distinct servers), -ENOMEM, or a resolution error: keep using cur
 */
int sw_engine_routes_rebuild(struct sw_engine_routes *next, const struct sw_engine_routes *cur,
                             const struct sw_config *config, const struct sw_dns_source *src,
                             uint64_t now, bool *changed, char *err, size_t errlen);

/** @return when the first TTL of rs ends (ns, the run's clock), UINT64_MAX when none does. */
uint64_t sw_engine_routes_expiry(const struct sw_engine_routes *rs);

/**
 * Control core: offer new routes to a worker, which adopts them at its next sw_engine_poll()
 * (target counts and DNS expiries of failback mode 1 included). rs must stay valid until
 * sw_engine_routes_adopted() says so for a later offer, or the worker is freed.
 */
void sw_engine_offer_routes(struct sw_engine *e, const struct sw_engine_routes *rs);

/** Control core: @return true once the worker uses rs (and no longer the routes before). */
bool sw_engine_routes_adopted(const struct sw_engine *e, const struct sw_engine_routes *rs);

/** Free what sw_engine_routes_build() allocated. */
void sw_engine_routes_free(struct sw_engine_routes *routes);

#endif /* SW_ENGINE_H */
