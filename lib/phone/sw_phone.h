/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The line state machine: what one emulated Yealink phone line does (spec/redundancy.md
 * sections 3, 4, 5), as a pure function of (line state, event, now) -> actions.
 *
 * No I/O and no timers of its own: every call returns the requests to send and the outcomes to
 * count in a struct sw_phone_out, plus the line's next deadline. The caller (the worker loop,
 * the simulator, the tests) sends the requests, arms ONE timer per line at that deadline and
 * calls sw_phone_timer() when it fires. Responses come back by transaction tag: a response whose
 * tag is not the line's current one for that leg is stale and ignored.
 *
 * Targets are indices: the caller resolved each server to an ordered target list (lib/dns) and
 * tells the line only how many targets each server has; index 0 is the primary. With an
 * outbound proxy enabled, requests go via proxy 1 or 2 (action.proxy) to the server's target.
 *
 * Times are nanoseconds at the API (the time seam) and milliseconds since the context's epoch
 * inside a line (32 bits: a run may last 49 days).
 */
#ifndef SW_PHONE_H
#define SW_PHONE_H

#include <stdbool.h>
#include <stdint.h>

#include "sw_common.h"
#include "sw_config.h"

/** What a line reports: see phone_note.def. */
enum sw_phone_note {
#define SW_PHONE_NOTE(sym, name, help) SW_PHONE_NOTE_##sym,
#include "phone_note.def"
#undef SW_PHONE_NOTE
	SW_PHONE_NOTE_MAX
};

/** States of a registration leg: see phone_state.def and phone.dot. */
enum sw_phone_leg_state {
#define SW_PHONE_LEG_STATE(sym, name) SW_PHONE_LEG_##sym,
#include "phone_state.def"
#undef SW_PHONE_LEG_STATE
	SW_PHONE_LEG_STATE_MAX
};

/** Methods a line sends. */
enum sw_phone_method {
	SW_PHONE_REGISTER,
	SW_PHONE_INVITE,
	SW_PHONE_ACK,
	SW_PHONE_BYE,
	SW_PHONE_METHOD_MAX
};

/** Kinds of action. */
enum sw_phone_act_kind {
	SW_PHONE_ACT_SEND, /**< send a request */
	SW_PHONE_ACT_NOTE, /**< report an outcome */
};

/** Which transaction of a line a tag belongs to: leg 0/1 (server 1/2) or the call. */
#define SW_PHONE_TAG_LEG(tag) ((unsigned int)(tag) >> 8)
#define SW_PHONE_CALL_LEG     2

/** One action. */
struct sw_phone_action {
	uint8_t kind;     /**< enum sw_phone_act_kind */
	uint8_t method;   /**< SEND: enum sw_phone_method */
	uint8_t note;     /**< NOTE: enum sw_phone_note */
	uint8_t server;   /**< server index 0 (working) or 1 (fallback) */
	uint8_t target;   /**< target index within the server, 0 = primary */
	uint8_t proxy;    /**< SEND: 0 direct, 1 or 2 = via outbound proxy 1 or 2 */
	uint8_t retrans;  /**< SEND: 1 = retransmission of the same transaction */
	uint8_t auth;     /**< SEND: 1 = add credentials (the SIP layer holds the nonce) */
	uint16_t tag;     /**< transaction tag: leg << 8 | sequence; put it in the branch;
			     NOTE TIMEOUT and FAILOVER: the leg's (or the call's) tag */
	uint16_t code;    /**< NOTE ANSWERED/REJECTED/...: the status code */
	uint32_t expires; /**< SEND REGISTER: Expires to ask (0 = unregister); NOTE REGISTERED:
			     granted seconds; NOTE FAILOVER: the target failed from */
};

#define SW_PHONE_MAX_ACTIONS 16

/** The result of one call into a line. */
struct sw_phone_out {
	unsigned int n;
	struct sw_phone_action a[SW_PHONE_MAX_ACTIONS];
	uint64_t next_deadline; /**< ns; UINT64_MAX = nothing pending */
	unsigned int stale;     /**< responses ignored as stale in this call (0 or 1) */
};

/** A registration leg: one per server. 16 bytes. */
struct sw_phone_leg {
	uint32_t deadline;    /**< ms; UINT32_MAX = none */
	uint32_t expiry;      /**< ms; end of the current registration (valid when registered) */
	uint32_t failback_at; /**< ms; modes 1..3: until then new requests go to last_target */
	uint8_t state;        /**< enum sw_phone_leg_state */
	uint8_t target;       /**< target of the transaction in progress (or the last one) */
	uint8_t last_target;  /**< target last registered with (failback modes 1..3) */
	uint8_t tx;           /**< transmissions of the current transaction so far */
};

/** Call leg states. */
enum sw_phone_call_state {
	SW_PHONE_CALL_IDLE,
	SW_PHONE_CALL_INVITING,   /**< INVITE sent, no response */
	SW_PHONE_CALL_PROCEEDING, /**< 1xx received */
	SW_PHONE_CALL_REG_WAIT,   /**< register_on_enable: REGISTER to the new target first */
	SW_PHONE_CALL_ACTIVE,     /**< 2xx, ACK sent */
	SW_PHONE_CALL_BYE,        /**< BYE sent */
};

/** Flags of a line. */
enum sw_phone_flag {
	SW_PHONE_F_NONCE0 = 1 << 0,  /**< leg 0 holds a nonce from its current server */
	SW_PHONE_F_NONCE1 = 1 << 1,  /**< leg 1 likewise */
	SW_PHONE_F_REG0 = 1 << 2,    /**< leg 0 registered (expiry valid) */
	SW_PHONE_F_REG1 = 1 << 3,    /**< leg 1 registered */
	SW_PHONE_F_W_DOWN = 1 << 4,  /**< concurrent: server 1 did not answer the last request */
	SW_PHONE_F_PROXY2 = 1 << 5,  /**< requests go via outbound proxy 2 */
	SW_PHONE_F_AUTHED = 1 << 6,  /**< the current call transaction carries credentials */
	SW_PHONE_F_STOPPED = 1 << 7, /**< stopped: no new transactions */
};

/**
 * One line: hot state in 64 bytes of the array, measurement fields in the rest (see README
 * "Line state machine" for the byte count and why).
 */
struct sw_phone_line {
	struct sw_phone_leg leg[SW_MAX_SERVERS]; /**< registration with server 1 and 2 */
	uint32_t call_deadline;                  /**< ms; UINT32_MAX = none */
	uint32_t call_started;                   /**< ms; INVITE first sent (Timer B) */
	uint32_t proxy_deadline;                 /**< ms; probe of proxy 1 */
	uint16_t account;                        /**< index into ctx->accounts */
	uint8_t flags;                           /**< enum sw_phone_flag */
	uint8_t call_state;                      /**< enum sw_phone_call_state */
	uint8_t call_server;                     /**< server of the call transaction */
	uint8_t call_target;                     /**< target of the call transaction */
	uint8_t call_tx;                         /**< transmissions of the call transaction */
	uint8_t seq[3];                          /**< transaction sequence per leg and call */
	uint8_t reg_pending;                     /**< leg whose REGISTER the call waits for + 1 */
	uint8_t spare;
	uint32_t id; /**< line number: seeds the refresh jitter */
	/* measurements (cold) */
	uint32_t unreg_since;     /**< ms; UINT32_MAX while registered on some leg */
	uint32_t unreg_total;     /**< ms unregistered, closed periods only */
	uint16_t retransmissions; /**< saturating */
	uint16_t failovers;       /**< saturating */
	uint16_t failbacks;       /**< saturating */
	uint16_t lost;            /**< registrations lost (lapsed), saturating */
};

/** One distinct account configuration with its resolved target counts. */
struct sw_phone_account {
	const struct sw_account_cfg *cfg;
	uint8_t n_targets[SW_MAX_SERVERS];   /**< 0 = server not configured */
	uint64_t dns_expiry[SW_MAX_SERVERS]; /**< ns: when the resolution's TTL ends (mode 1) */
};

/** Shared, read-only during a run (the DNS side may update dns_expiry between events). */
struct sw_phone_ctx {
	const struct sw_timing_cfg *timing;
	struct sw_phone_account *accounts;
	unsigned int n_accounts;
	uint64_t epoch;           /**< ns: time 0 of the lines' millisecond clock */
	uint32_t retry_after_ms;  /**< [ours] after every target of a server failed, register
				    again after this long; default 30000 */
	uint32_t call_timeout_ms; /**< Timer B after a provisional response; default 64 * T1 */
};

/** A response, as the line needs it. */
struct sw_phone_resp {
	uint16_t code;   /**< status code */
	bool challenge;  /**< 401/407 carried a usable challenge */
	bool stale;      /**< the challenge said stale=true */
	int64_t granted; /**< 2xx to REGISTER: granted expiry in s, -1 if absent */
};

/**
 * Initialise a context with defaults (retry_after_ms 30000, call_timeout_ms 64 * T1).
 *
 * @param ctx        the context
 * @param timing     protocol timing (T1, T2, fail_on_503, refresh, seed)
 * @param accounts   distinct account configurations
 * @param n_accounts their number
 * @param epoch      ns: time 0 of the lines' clock (usually the start of the run)
 * @return 0, or -EINVAL on a NULL argument or T1 == 0
 */
int sw_phone_ctx_init(struct sw_phone_ctx *ctx, const struct sw_timing_cfg *timing,
                      struct sw_phone_account *accounts, unsigned int n_accounts, uint64_t epoch);

/**
 * Initialise a line (idle, unregistered since the epoch).
 *
 * @param line    the line
 * @param account index into ctx->accounts
 * @param id      the line's number in the run (seeds its refresh jitter)
 */
void sw_phone_line_init(struct sw_phone_line *line, uint16_t account, uint32_t id);

/**
 * Start a line: REGISTER to server 1 (and server 2 in concurrent mode).
 *
 * @return 0, -EALREADY if started, -EINVAL if the account has no server 1 target
 */
int sw_phone_start(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                   struct sw_phone_out *out);

/**
 * A response arrived for transaction tag.
 *
 * @return 0 (also for a stale tag: out->stale is then 1 and nothing changes)
 */
int sw_phone_response(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                      uint16_t tag, const struct sw_phone_resp *resp, struct sw_phone_out *out);

/**
 * A transport error (ICMP unreachable, send failure) for transaction tag.
 *
 * @return 0 (stale tags are ignored as in sw_phone_response())
 */
int sw_phone_transport_error(const struct sw_phone_ctx *ctx, struct sw_phone_line *line,
                             uint64_t now, uint16_t tag, struct sw_phone_out *out);

/**
 * The line's timer fired: handle every deadline that is due at now.
 *
 * @return 0
 */
int sw_phone_timer(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                   struct sw_phone_out *out);

/**
 * Place a call: INVITE routed by the redundancy rules (spec 3 and 4).
 *
 * @return 0, -EBUSY if a call is in progress, -ENOTCONN if no server may take it
 *         (only_signal_with_registered and nothing registered), -ESHUTDOWN after stop
 */
int sw_phone_call(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                  struct sw_phone_out *out);

/**
 * Hang up an active call (BYE).
 *
 * @return 0, -ENOTCONN if no call is active
 */
int sw_phone_hangup(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                    struct sw_phone_out *out);

/**
 * Stop a line: abandon transactions in progress (each reported CANCELLED) and, when
 * unregister is true, send REGISTER with Expires: 0 to every server it is registered with.
 *
 * @return 0
 */
int sw_phone_stop(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                  bool unregister, struct sw_phone_out *out);

/** @return true if the line is registered with some server at now. */
bool sw_phone_registered(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line,
                         uint64_t now);

/** @return the name of a note ("registered", ...), or "?" */
const char *sw_phone_note_name(enum sw_phone_note n);

/** @return the name of a leg state ("trying", ...), or "?" */
const char *sw_phone_leg_state_name(enum sw_phone_leg_state s);

/** @return the name of a method ("REGISTER", ...), or "?" */
const char *sw_phone_method_name(enum sw_phone_method m);

#endif /* SW_PHONE_H */
