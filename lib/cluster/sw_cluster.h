/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * An emulated SIP server cluster (issue 6): a few servers, each with its own IPv4 address and
 * UDP port, acting as digest-authenticating registrars (RFC 3261 section 10, RFC 2617) and as a
 * stateless proxy between their registered lines (RFC 3261 section 16.11), answering OPTIONS
 * and SUBSCRIBE, with a scripted fault schedule per server (silence, 503, added delay, 403 to
 * every authenticated REGISTER, a capacity limit).
 *
 * Pure C11: no DPDK, no I/O. Datagrams go in with sw_cluster_input() and come out through a
 * callback; time is the caller's `now` in nanoseconds (the same clock as the fault schedule:
 * "at 20" means now = 20e9). Everything is allocated by sw_cluster_new(); input and poll do
 * not allocate. One thread drives one cluster.
 */
#ifndef SW_CLUSTER_H
#define SW_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "sw_sip.h"

/** Most servers in a cluster. */
#define SW_CLUSTER_MAX_SERVERS 8u
/** Most fault rules in a cluster (sw_cluster_fault_add, sw_cluster_schedule_parse). */
#define SW_CLUSTER_MAX_RULES 256u
/** Longest user (AOR user part) kept in a binding; longer ones get 400 (counted). */
#define SW_CLUSTER_USER_MAX 32u
/** Largest datagram kept in the delay queue (a delayed larger answer is dropped, counted). */
#define SW_CLUSTER_SLOT_DATA 1536u

/** One server of the cluster. */
struct sw_cluster_server_cfg {
	uint32_t ip;   /**< IPv4 address, host byte order */
	uint16_t port; /**< UDP port */
	char name[32]; /**< for reports and the Server header; NUL-terminated */
	/**
	 * Servers with the same group share one registration table (the primary/secondary pair
	 * of the Yealink guide); a server alone in its group has its own (the fallback server).
	 */
	uint8_t group;
};

/** The whole cluster. */
struct sw_cluster_cfg {
	unsigned n_servers; /**< 1..SW_CLUSTER_MAX_SERVERS */
	struct sw_cluster_server_cfg server[SW_CLUSTER_MAX_SERVERS];
	const char *realm; /**< digest realm (copied; at most 127 characters) */
	/**
	 * The password of a user: every "{user}" is replaced by the digest username, e.g.
	 * "pw{user}", or a fixed "secret" (copied; at most 127 characters).
	 */
	const char *password_rule;
	uint32_t nonce_ttl_s;  /**< a nonce older than this gets 401 with stale=true; 0 = 30 */
	uint32_t max_bindings; /**< bindings per group (table preallocated); 0 = 65536 */
	uint32_t min_expires;  /**< granted expires are clamped to [min_expires, max_expires] */
	uint32_t max_expires;  /**< 0 = 7200 */
	uint32_t delay_slots;  /**< answers the delay queue holds; 0 = 4096 */
	uint8_t record_route;  /**< 1: proxied requests get a Record-Route of the server */
	uint64_t seed;         /**< the nonce and branch secrets derive from it */
};

/** Fault kinds of the schedule. */
enum sw_cluster_fault_kind {
	SW_CLUSTER_SILENT = 0,  /**< drop everything (param unused) */
	SW_CLUSTER_503,         /**< 503 to every request; param = Retry-After seconds, 0 = none */
	SW_CLUSTER_DELAY,       /**< every answer leaves param milliseconds late */
	SW_CLUSTER_REJECT_AUTH, /**< 403 to every REGISTER with credentials (param unused) */
	SW_CLUSTER_CAPACITY,    /**< param = datagrams per second handled; the rest are dropped */
	SW_CLUSTER_FAULT_COUNT
};

/** One datagram the cluster sends; data is valid only during the emit callback. */
struct sw_cluster_dgram {
	uint64_t due; /**< ns: when it leaves (== now unless delayed) */
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
	uint16_t len;
	uint8_t server;  /**< index of the sending server */
	uint8_t relayed; /**< 1: a message the proxy forwards or relays; 0: the server's answer */
	const char *data;
};

/** Where datagrams go: copy d->data before returning (unless it is in the caller's room). */
typedef void (*sw_cluster_emit)(void *arg, const struct sw_cluster_dgram *d);

/**
 * Where the cluster may build its next answer in place (sw_cluster_sink.room): typically the
 * payload of the frame the answer would leave in, so that emit needs no copy. Returns a buffer
 * and its size in *cap, or NULL for none. The cluster uses it only for an answer that fits with
 * SW_CLUSTER_ROOM_SLACK bytes to spare (it may write that far past the answer's end); emit then
 * gets d->data pointing at the buffer's start. A buffer emit was not given (the answer was
 * delayed, dropped, built elsewhere, or not sent at all) stays the caller's: the next call may
 * return it again.
 */
typedef char *(*sw_cluster_room)(void *arg, size_t *cap);

/** Bytes past an answer's end that the cluster may write in a room (sw_cluster_room). */
#define SW_CLUSTER_ROOM_SLACK 32u

/** Where datagrams go, with an optional room to build answers in. */
struct sw_cluster_sink {
	sw_cluster_emit emit; /**< called for each datagram sent now */
	sw_cluster_room room; /**< NULL: answers are built in the cluster's buffer, then emitted */
	void *arg;            /**< passed to emit and room */
};

/** Per-server counters: symbol, help. Declared once here, exported by name. */
#define SW_CLUSTER_COUNTERS(X)                                                                     \
	X(rx, "datagrams that arrived for the server")                                             \
	X(rx_requests, "requests parsed")                                                          \
	X(rx_responses, "responses parsed (relayed back by the proxy)")                            \
	X(tx, "datagrams sent (answers and proxied messages)")                                     \
	X(dropped_silent, "dropped by a silent window")                                            \
	X(dropped_capacity, "dropped over the capacity limit")                                     \
	X(dropped_delay_full, "delayed answers dropped: delay queue full or answer too large")     \
	X(parse_errors, "datagrams lib/sip refused (bad SIP)")                                     \
	X(bad_requests, "parsed requests answered 400 (no AOR user, bad Authorization, ...)")      \
	X(challenges, "401 sent to a REGISTER")                                                    \
	X(stale_nonce, "401 with stale=true (nonce older than nonce_ttl_s)")                       \
	X(bad_nonce, "credentials with a nonce we did not issue (new 401)")                        \
	X(auth_ok, "REGISTERs whose digest response checked")                                      \
	X(auth_fail, "REGISTERs answered 403 for wrong credentials")                               \
	X(fault_503, "requests answered 503 by a fault window (an ACK: absorbed)")                 \
	X(fault_reject_auth, "REGISTERs answered 403 by a reject_auth window")                     \
	X(registered, "bindings added or refreshed")                                               \
	X(unregistered, "bindings removed by Expires 0")                                           \
	X(table_full, "REGISTERs answered 503 because the group's table was full")                 \
	X(proxied_requests, "requests forwarded to a registered line")                             \
	X(proxied_responses, "responses relayed back to the caller")                               \
	X(not_found, "requests for a user without a binding (404, or dropped ACK)")                \
	X(not_ours, "responses whose top Via is not this server's (dropped)")                      \
	X(too_many_hops, "requests with Max-Forwards 0 (483)")                                     \
	X(tx_too_large, "answers longer than a UDP datagram can be (not sent)")                    \
	X(forward_invalid, "requests not forwarded: the copy would not be valid SIP")              \
	X(relay_invalid, "responses not relayed: the copy is not valid SIP (a bad next Via)")      \
	X(answered, "requests the server answered itself (sent, queued or dropped after)")         \
	X(absorbed, "ACKs neither answered nor forwarded (no binding, 503 window, Max-Forwards 0)")

/*
 * Every request ends in exactly one of answered, absorbed, proxied_requests, forward_invalid;
 * every response in one of proxied_responses, not_ours, relay_invalid; every datagram in
 * rx_requests, rx_responses, parse_errors, dropped_silent, dropped_capacity.
 */

/** Indexes into sw_cluster_server_stats.ctr[]. */
enum sw_cluster_counter {
#define SW_CLUSTER_X_ENUM(sym, help) SW_CLUSTER_C_##sym,
	SW_CLUSTER_COUNTERS(SW_CLUSTER_X_ENUM)
#undef SW_CLUSTER_X_ENUM
	SW_CLUSTER_C_COUNT
};

/** What one server did, and the bindings of its group now. */
struct sw_cluster_server_stats {
	union {
		struct {
#define SW_CLUSTER_X_FIELD(sym, help) uint64_t sym;
			SW_CLUSTER_COUNTERS(SW_CLUSTER_X_FIELD)
#undef SW_CLUSTER_X_FIELD
		};
		uint64_t ctr
		        [SW_CLUSTER_C_COUNT]; /**< the same counters by enum sw_cluster_counter */
	};
	uint64_t rx_by_method[SW_SIP_METHOD_COUNT]; /**< parsed requests by enum sw_sip_method */
	uint64_t tx_by_class[7]; /**< [0] proxied requests, [1..6] responses 1xx..6xx sent */
	uint64_t bindings;       /**< bindings stored in the server's group table now */
};

/** The cluster (opaque). */
struct sw_cluster;

/**
 * Create a cluster: copies the configuration, allocates the tables, the delay queue and the
 * answer templates.
 *
 * @param cfg
 *   The configuration; not referenced afterwards.
 * @return
 *   The cluster, or NULL with errno EINVAL (no server, too many, two servers on one address
 *   and port, no realm or password rule, strings too long, min_expires > max_expires) or
 *   ENOMEM.
 */
struct sw_cluster *sw_cluster_new(const struct sw_cluster_cfg *cfg);

/**
 * Free a cluster.
 *
 * @param c
 *   The cluster; NULL is ignored.
 */
void sw_cluster_free(struct sw_cluster *c);

/**
 * Add a fault rule: server behaves as kind from from_ns (inclusive) until until_ns
 * (exclusive). Among rules of the kinds silent, 503, delay and reject_auth that cover a moment,
 * the one added last wins; capacity rules form a separate layer (the last one added that covers
 * the moment gives the rate), so "capacity 5000" from 0 and "silent" from 20 to 60 combine.
 *
 * @param c
 *   The cluster.
 * @param server
 *   Server index, 0-based.
 * @param from_ns
 *   Start of the window.
 * @param until_ns
 *   End of the window; UINT64_MAX for ever.
 * @param kind
 *   The fault.
 * @param param
 *   Retry-After seconds (503), milliseconds (delay), datagrams per second (capacity, >= 1).
 * @return
 *   0, -EINVAL (server or kind out of range, empty window, capacity 0), -ENOSPC (more than
 *   SW_CLUSTER_MAX_RULES rules).
 */
int sw_cluster_fault_add(struct sw_cluster *c, unsigned server, uint64_t from_ns, uint64_t until_ns,
                         enum sw_cluster_fault_kind kind, uint32_t param);

/**
 * Add the fault rules of a schedule text (slow path). One rule a line:
 *
 *     at SECONDS [until SECONDS] server N|NAME KIND
 *     KIND = silent | 503 [retry_after SECONDS] | delay MS | reject_auth | capacity PER_SECOND
 *
 * Servers are numbered from 1 in the text (server 1 is cfg.server[0], as in sipswarm-tool
 * simulate scripts) or named by their cfg name. SECONDS may have a fraction ("at 0.5").
 * '#' starts a comment; blank lines are ignored. Example: "at 20 until 60 server 1 silent".
 * Nothing is added when a line is wrong.
 *
 * @param c
 *   The cluster.
 * @param text
 *   The schedule, NUL-terminated.
 * @param err
 *   On error, "line N: why" (NUL-terminated, truncated to errlen); may be NULL.
 * @param errlen
 *   Size of err.
 * @return
 *   0, -EINVAL (a line is wrong: see err), -ENOSPC (too many rules).
 */
int sw_cluster_schedule_parse(struct sw_cluster *c, const char *text, char *err, size_t errlen);

/**
 * One UDP datagram arrived for the server at (dst_ip, dst_port). Its answers (or the message
 * it proxies) go to emit() at once when they are due now, otherwise into the delay queue
 * (sw_cluster_poll sends them later). No allocation.
 *
 * @param c
 *   The cluster.
 * @param now
 *   Nanoseconds, on the schedule's clock; never smaller than a previous call's.
 * @param src_ip
 *   Sender address (host order).
 * @param src_port
 *   Sender port.
 * @param dst_ip
 *   The server's address (host order).
 * @param dst_port
 *   The server's port.
 * @param buf
 *   The UDP payload; only read, never kept.
 * @param len
 *   Its length.
 * @param emit
 *   Called for each datagram sent now.
 * @param arg
 *   Passed to emit.
 * @return
 *   The number of datagrams emitted now (0 for one dropped, delayed, or for an unknown
 *   server address).
 */
unsigned sw_cluster_input(struct sw_cluster *c, uint64_t now, uint32_t src_ip, uint16_t src_port,
                          uint32_t dst_ip, uint16_t dst_port, const char *buf, size_t len,
                          sw_cluster_emit emit, void *arg);

/** One received datagram of a burst (sw_cluster_input_burst). */
struct sw_cluster_rx {
	uint32_t src_ip;   /**< sender address (host order) */
	uint32_t dst_ip;   /**< the server's address (host order) */
	uint16_t src_port; /**< sender port */
	uint16_t dst_port; /**< the server's port */
	uint32_t len;      /**< length of buf */
	const char *buf;   /**< the UDP payload; only read, never kept */
};

/**
 * sw_cluster_input() for n datagrams arrived at the same now, in order: the same answers, in
 * the same order, with the same counters, as n calls. Faster: the datagrams are parsed and the
 * digest responses of REGISTERs checked a group at a time (MD5 eight at once with AVX2).
 *
 * @param c
 *   The cluster.
 * @param now
 *   Nanoseconds, on the schedule's clock; never smaller than a previous call's.
 * @param rx
 *   The datagrams.
 * @param n
 *   How many.
 * @param emit
 *   Called for each datagram sent now.
 * @param arg
 *   Passed to emit.
 * @return
 *   The number of datagrams emitted now, all n together.
 */
unsigned sw_cluster_input_burst(struct sw_cluster *c, uint64_t now, const struct sw_cluster_rx *rx,
                                unsigned n, sw_cluster_emit emit, void *arg);

/**
 * sw_cluster_input_burst() through a sink: the same datagrams, counters and return value; the
 * answers sent at once are built in sink->room's buffer when it has one large enough.
 *
 * @param c
 *   The cluster.
 * @param now
 *   Nanoseconds, on the schedule's clock; never smaller than a previous call's.
 * @param rx
 *   The datagrams.
 * @param n
 *   How many.
 * @param sink
 *   Where datagrams go (sink->emit required, sink->room may be NULL).
 * @return
 *   The number of datagrams emitted now, all n together.
 */
unsigned sw_cluster_input_burst_to(struct sw_cluster *c, uint64_t now,
                                   const struct sw_cluster_rx *rx, unsigned n,
                                   const struct sw_cluster_sink *sink);

/**
 * Send the delayed datagrams now due, in due order, and drop expired bindings a few at a time.
 *
 * @param c
 *   The cluster.
 * @param now
 *   Nanoseconds.
 * @param emit
 *   Called for each datagram.
 * @param arg
 *   Passed to emit.
 * @return
 *   The number of datagrams emitted.
 */
unsigned sw_cluster_poll(struct sw_cluster *c, uint64_t now, sw_cluster_emit emit, void *arg);

/**
 * @param c
 *   The cluster.
 * @return
 *   When the next delayed datagram is due (ns), UINT64_MAX when none is queued.
 */
uint64_t sw_cluster_next_due(const struct sw_cluster *c);

/**
 * Read one server's counters (a racy but untorn snapshot when another thread drives c).
 *
 * @param c
 *   The cluster.
 * @param server
 *   Server index, 0-based; out of range gives all zeros.
 * @param out
 *   Filled.
 */
void sw_cluster_stats(const struct sw_cluster *c, unsigned server,
                      struct sw_cluster_server_stats *out);

/**
 * @param i
 *   A counter.
 * @return
 *   Its name ("auth_ok"), or NULL out of range.
 */
const char *sw_cluster_counter_name(enum sw_cluster_counter i);

/**
 * @param i
 *   A counter.
 * @return
 *   A sentence that explains it, or NULL out of range.
 */
const char *sw_cluster_counter_help(enum sw_cluster_counter i);

/**
 * Look up a user's binding.
 *
 * @param c
 *   The cluster.
 * @param group
 *   A group id as in cfg.server[].group.
 * @param user
 *   The AOR user part; with its length.
 * @param len
 *   Length of user.
 * @param ip
 *   Filled with the contact address (host order); may be NULL.
 * @param port
 *   Filled with the contact port; may be NULL.
 * @param expires_ns
 *   Filled with the absolute expiry (ns); may be NULL.
 * @return
 *   0, -ENOENT (no binding, or one expired at the latest now given to sw_cluster_input() or
 *   sw_cluster_poll()), -EINVAL (no server has that group).
 */
int sw_cluster_lookup(const struct sw_cluster *c, unsigned group, const char *user, size_t len,
                      uint32_t *ip, uint16_t *port, uint64_t *expires_ns);

/** Digest credentials (an Authorization value); slices into the parsed text, quotes removed. */
struct sw_cluster_credentials {
	struct sw_sip_str username;
	struct sw_sip_str realm;
	struct sw_sip_str nonce;
	struct sw_sip_str uri;
	struct sw_sip_str response;
	struct sw_sip_str algorithm; /**< len 0 when absent */
	struct sw_sip_str cnonce;    /**< len 0 when absent */
	struct sw_sip_str opaque;    /**< len 0 when absent */
	struct sw_sip_str qop;       /**< len 0 when absent */
	struct sw_sip_str nc;        /**< len 0 when absent */
};

/**
 * Parse an Authorization (or Proxy-Authorization) header value.
 *
 * ABNF (RFC 3261 section 25.1, RFC 2617 section 3.2.2):
 *   credentials     = ("Digest" LWS digest-response) / other-response
 *   digest-response = dig-resp *(COMMA dig-resp)
 *   dig-resp        = username / realm / nonce / digest-uri / dresponse / algorithm /
 *                     cnonce / opaque / message-qop / nonce-count / auth-param
 *   auth-param      = auth-param-name EQUAL ( token / quoted-string )
 * Every value may be a token or a quoted-string (the quotes are removed, escapes kept as
 * written). Parameter names are case-insensitive; unknown ones are skipped; LWS includes
 * folded line ends.
 *
 * @param cr
 *   Filled on success (partially on failure).
 * @param p
 *   The value; never read outside [p, p + len).
 * @param len
 *   Its length.
 * @return
 *   0; -EPROTONOSUPPORT (not the Digest scheme); -EINVAL (syntax, a parameter twice, no
 *   username, realm, nonce, uri or response, or qop without nc and cnonce); -E2BIG (a value
 *   longer than 255 characters).
 */
int sw_cluster_credentials_parse(struct sw_cluster_credentials *cr, const char *p, size_t len);

#endif /* SW_CLUSTER_H */
