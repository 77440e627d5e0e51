/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The virtual-clock simulator: lines of lib/phone against a scripted cluster, event by event,
 * no I/O. sipswarm-tool simulate prints its timeline; the scenario tests assert it.
 *
 * Script (text, one directive per line, '#' comments):
 *   server Y targets N         server Y (1|2) has N targets (default: 1 for server 1, 0 for 2)
 *   at T [until U] server Y target I|* BEHAVIOUR
 *                              from T s (until U s, default forever) the target behaves so;
 *                              BEHAVIOUR = silent | ok | 503 | 403; later rules win
 *   challenge on|off           REGISTER and INVITE without credentials get 401/407 (default on)
 *   grant S                    registrars grant S seconds (default: what was asked)
 *   latency_ms L               answers arrive L ms after the request (default 0)
 *   call at T [line N] [hold S]  line N (default every line) places a call at T s, hangs up
 *                              after S s (default 30)
 *   stop at T [unregister]     stop every line at T s
 */
#ifndef SW_SIM_H
#define SW_SIM_H

#include <stdint.h>

#include "sw_phone.h"
#include "sw_timer.h"

#define SW_SIM_MAX_RULES 64
#define SW_SIM_MAX_CALLS 64
#define SW_SIM_QUEUE     4096

/** How a target answers. */
enum sw_sim_behaviour {
	SW_SIM_OK,     /**< 401/407 first when challenge is on, then 2xx */
	SW_SIM_SILENT, /**< drops everything */
	SW_SIM_503,    /**< 503 Service Unavailable */
	SW_SIM_403,    /**< 403 Forbidden */
};

struct sw_sim_rule {
	uint64_t from, until; /**< ns */
	uint8_t server;       /**< 0 or 1 */
	int16_t target;       /**< -1 = every target */
	uint8_t behaviour;    /**< enum sw_sim_behaviour */
};

struct sw_sim_call {
	uint64_t at;   /**< ns */
	uint64_t hold; /**< ns */
	int64_t line;  /**< -1 = every line */
};

/** The script, parsed. */
struct sw_sim_script {
	uint8_t n_targets[SW_MAX_SERVERS];
	unsigned int n_rules, n_calls;
	struct sw_sim_rule rule[SW_SIM_MAX_RULES];
	struct sw_sim_call call[SW_SIM_MAX_CALLS];
	bool challenge;
	int64_t grant;    /**< s, -1 = as asked */
	uint64_t latency; /**< ns */
	uint64_t stop_at; /**< ns, UINT64_MAX = never */
	bool stop_unregister;
};

/** One timeline entry. */
struct sw_sim_event {
	uint64_t t; /**< ns */
	uint32_t line;
	const char *what;   /**< "send", "retransmit", "recv", or a note name */
	const char *method; /**< for send/retransmit/recv, else NULL */
	uint8_t server, target, proxy;
	uint16_t code;  /**< recv: status; notes: code where it has one */
	uint32_t extra; /**< note: granted expiry, failed-from target ... */
};

typedef void (*sw_sim_sink)(void *arg, const struct sw_sim_event *ev);

struct sw_sim_pending {
	uint64_t due;
	uint32_t line;
	uint16_t tag;
	uint8_t method;
	struct sw_phone_resp resp;
	uint8_t server, target;
};

struct sw_sim_line {
	struct sw_phone_line l;
	struct sw_timer t;
	uint64_t hangup_at; /**< ns, UINT64_MAX = none */
};

/** A simulation. */
struct sw_sim {
	struct sw_phone_ctx ctx;
	const struct sw_sim_script *script;
	struct sw_sim_line *lines;
	uint32_t n_lines;
	struct sw_timer_wheel wheel;  /**< 1 ms ticks */
	struct sw_sim_pending *queue; /**< answers in flight, a power of two sized from the lines */
	uint64_t q_head, q_tail, q_mask;
	uint64_t now;
	sw_sim_sink sink;
	void *sink_arg;
	uint64_t sent, answered, dropped, stale;
	uint64_t overflow; /**< answers lost because the queue was full (a simulator limit) */
	unsigned int next_call;
	bool stopped;
};

/**
 * Parse a script.
 *
 * @param s      the result
 * @param text   NUL-terminated script text
 * @param err    on error, "line N: why" is written here
 * @param errlen size of err
 * @return 0, or -EINVAL with err filled
 */
int sw_sim_script_parse(struct sw_sim_script *s, const char *text, char *err, size_t errlen);

/** Fill a script with the defaults (one target on server 1, challenge on, no rules). */
void sw_sim_script_default(struct sw_sim_script *s);

/**
 * Prepare a simulation: lines[i] uses accounts[0]; every line starts at time 0.
 *
 * @param sim      the simulation (large: allocate it)
 * @param timing   protocol timing
 * @param acc      the account (its n_targets are taken from the script)
 * @param script   the cluster script
 * @param lines    n_lines lines (caller-owned memory)
 * @param n_lines  number of lines
 * @param sink     timeline receiver
 * @param arg      passed to sink
 * @return 0, -EINVAL, or -ENOMEM
 */
int sw_sim_init(struct sw_sim *sim, const struct sw_timing_cfg *timing,
                struct sw_phone_account *acc, const struct sw_sim_script *script,
                struct sw_sim_line *lines, uint32_t n_lines, sw_sim_sink sink, void *arg);

/** Free what sw_sim_init() allocated. Safe on a zeroed or already freed simulation. */
void sw_sim_fini(struct sw_sim *sim);

/**
 * Run until the virtual clock reaches until (ns) or nothing is left to do.
 *
 * @return 0
 */
int sw_sim_run(struct sw_sim *sim, uint64_t until);

#endif /* SW_SIM_H */
