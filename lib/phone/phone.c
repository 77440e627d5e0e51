/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The line state machine (spec/redundancy.md 3, 4, 5). See sw_phone.h for the contract and
 * phone.dot for the registration leg's states.
 *
 * A line has three transaction holders: a registration leg per server (state table below) and
 * the call leg. Each keeps one deadline; the line's next deadline is their minimum, so the
 * caller needs one timer per line.
 */
#include <errno.h>
#include <string.h>

#include "sw_phone.h"

#define NONE UINT32_MAX

static const char *const note_names[] = {
#define SW_PHONE_NOTE(sym, name, help) [SW_PHONE_NOTE_##sym] = name,
#include "phone_note.def"
#undef SW_PHONE_NOTE
};
static const char *const leg_state_names[] = {
#define SW_PHONE_LEG_STATE(sym, name) [SW_PHONE_LEG_##sym] = name,
#include "phone_state.def"
#undef SW_PHONE_LEG_STATE
};
static const char *const method_names[] = {
        [SW_PHONE_REGISTER] = "REGISTER",
        [SW_PHONE_INVITE] = "INVITE",
        [SW_PHONE_ACK] = "ACK",
        [SW_PHONE_BYE] = "BYE",
};
_Static_assert(SW_ARRAY_SIZE(note_names) == SW_PHONE_NOTE_MAX, "note names");
_Static_assert(SW_ARRAY_SIZE(leg_state_names) == SW_PHONE_LEG_STATE_MAX, "state names");
_Static_assert(SW_ARRAY_SIZE(method_names) == SW_PHONE_METHOD_MAX, "method names");
_Static_assert(sizeof(struct sw_phone_leg) == 16, "a leg is 16 bytes");

/* ---- small helpers ---- */

static inline uint32_t
to_ms(const struct sw_phone_ctx *ctx, uint64_t now)
{
	return now <= ctx->epoch ? 0 : (uint32_t)((now - ctx->epoch) / SW_NS_PER_MS);
}

static inline uint64_t
to_ns(const struct sw_phone_ctx *ctx, uint32_t ms)
{
	return ms == NONE ? UINT64_MAX : ctx->epoch + (uint64_t)ms * SW_NS_PER_MS;
}

static inline uint32_t
add_ms(uint32_t t, uint64_t d)
{
	uint64_t r = (uint64_t)t + d;

	return r >= NONE ? NONE - 1 : (uint32_t)r;
}

static inline const struct sw_phone_account *
account(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line)
{
	return &ctx->accounts[line->account];
}

static inline const struct sw_server_cfg *
server(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line, unsigned int y)
{
	return &account(ctx, line)->cfg->server[y];
}

static inline bool
successive(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line)
{
	return account(ctx, line)->cfg->redundancy_type == SW_REDUNDANCY_SUCCESSIVE;
}

static inline bool
has_server(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line, unsigned int y)
{
	return account(ctx, line)->n_targets[y] > 0;
}

static inline bool
registered(const struct sw_phone_line *line, unsigned int y)
{
	return line->flags & (y == 0 ? SW_PHONE_F_REG0 : SW_PHONE_F_REG1);
}

static inline uint8_t
reg_flag(unsigned int y)
{
	return y == 0 ? SW_PHONE_F_REG0 : SW_PHONE_F_REG1;
}

static inline uint8_t
nonce_flag(unsigned int y)
{
	return y == 0 ? SW_PHONE_F_NONCE0 : SW_PHONE_F_NONCE1;
}

static inline uint16_t
tag_of(const struct sw_phone_line *line, unsigned int leg)
{
	return (uint16_t)(leg << 8 | line->seq[leg]);
}

static inline uint16_t
new_tag(struct sw_phone_line *line, unsigned int leg)
{
	line->seq[leg]++;
	return tag_of(line, leg);
}

/* RFC 3261 17.1.2.2 Timer E (non-INVITE: doubling, capped at T2) and 17.1.1.2 Timer A
 * (INVITE: doubling). tx is the number of transmissions made so far (>= 1). */
static inline uint64_t
interval_ms(const struct sw_phone_ctx *ctx, unsigned int tx, bool invite)
{
	uint64_t iv = (uint64_t)ctx->timing->t1_ms << (tx - 1 > 20 ? 20 : tx - 1);

	if (!invite && iv > ctx->timing->t2_ms)
		iv = ctx->timing->t2_ms;
	return iv;
}

static inline uint8_t
proxy_of(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line)
{
	if (!account(ctx, line)->cfg->outbound_proxy_enable)
		return 0;
	return (line->flags & SW_PHONE_F_PROXY2) ? 2 : 1;
}

static inline bool
has_proxy2(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line)
{
	const struct sw_account_cfg *a = account(ctx, line)->cfg;

	return a->outbound_proxy_enable && a->outbound_proxy[1].address != NULL &&
	       a->outbound_proxy[1].address[0] != '\0';
}

static struct sw_phone_action *
push(struct sw_phone_out *out, enum sw_phone_act_kind kind)
{
	struct sw_phone_action *a;

	/* The state machine never emits more than SW_PHONE_MAX_ACTIONS per event; the last slot
	 * is overwritten rather than overflowing if that ever fails to hold. */
	if (out->n >= SW_PHONE_MAX_ACTIONS)
		out->n = SW_PHONE_MAX_ACTIONS - 1;
	a = &out->a[out->n++];
	memset(a, 0, sizeof(*a));
	a->kind = (uint8_t)kind;
	return a;
}

static void
note(struct sw_phone_out *out, enum sw_phone_note n, unsigned int y, unsigned int target,
     unsigned int code, uint32_t extra, uint16_t tag)
{
	struct sw_phone_action *a = push(out, SW_PHONE_ACT_NOTE);

	a->note = (uint8_t)n;
	a->server = (uint8_t)y;
	a->target = (uint8_t)target;
	a->code = (uint16_t)code;
	a->expires = extra;
	a->tag = tag;
}

static void
send(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line, struct sw_phone_out *out,
     enum sw_phone_method m, unsigned int y, unsigned int target, bool retrans, bool auth,
     uint16_t tag, uint32_t expires)
{
	struct sw_phone_action *a = push(out, SW_PHONE_ACT_SEND);

	a->method = (uint8_t)m;
	a->server = (uint8_t)y;
	a->target = (uint8_t)target;
	a->proxy = proxy_of(ctx, line);
	a->retrans = retrans;
	a->auth = auth;
	a->tag = tag;
	a->expires = expires;
}

static inline uint16_t
sat_inc(uint16_t v)
{
	return v == UINT16_MAX ? v : (uint16_t)(v + 1);
}

/* Keep the "unregistered since" bookkeeping right after any change of the REG flags. */
static void
account_registration(struct sw_phone_line *line, uint32_t now_ms, uint32_t lost_at)
{
	bool reg = line->flags & (SW_PHONE_F_REG0 | SW_PHONE_F_REG1);

	if (reg && line->unreg_since != NONE) {
		if (now_ms > line->unreg_since)
			line->unreg_total += now_ms - line->unreg_since;
		line->unreg_since = NONE;
	} else if (!reg && line->unreg_since == NONE) {
		line->unreg_since = lost_at;
	}
}

/* ---- failback: where does the next new request of leg y go first (spec 3) ---- */

static unsigned int
first_target(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y,
             uint64_t now, struct sw_phone_out *out)
{
	const struct sw_server_cfg *s = server(ctx, line, y);
	struct sw_phone_leg *leg = &line->leg[y];
	uint32_t now_ms = to_ms(ctx, now);
	bool keep;

	if (leg->last_target == 0 || leg->last_target >= account(ctx, line)->n_targets[y])
		return 0;
	switch (s->failback_mode) {
	case SW_FAILBACK_DNS_TTL:
		keep = now < account(ctx, line)->dns_expiry[y];
		break;
	case SW_FAILBACK_REGISTRATION:
	case SW_FAILBACK_DURATION:
		keep = now_ms < leg->failback_at;
		break;
	default: /* newRequests: always the primary first */
		keep = false;
		break;
	}
	/* Modes 1..3 change target only while the line is idle (no call in progress). */
	if (!keep && s->failback_mode != SW_FAILBACK_NEW_REQUESTS &&
	    line->call_state != SW_PHONE_CALL_IDLE)
		keep = true;
	if (keep)
		return leg->last_target;
	note(out, SW_PHONE_NOTE_FAILBACK, y, 0, 0, leg->last_target, 0);
	line->failbacks = sat_inc(line->failbacks);
	leg->last_target = 0;
	return 0;
}

/* ---- registration legs ---- */

static void leg_fail_target(const struct sw_phone_ctx *ctx, struct sw_phone_line *line,
                            unsigned int y, uint64_t now, struct sw_phone_out *out);
static void call_invite(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y,
                        unsigned int target, uint64_t now, struct sw_phone_out *out);
static void call_fail(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                      struct sw_phone_out *out);

/* The one place a leg changes state. */
static inline void
leg_set_state(struct sw_phone_leg *leg, enum sw_phone_leg_state st, uint32_t deadline)
{
	leg->state = (uint8_t)st;
	leg->deadline = deadline;
}

/* Start a new REGISTER transaction of leg y at target t. */
static void
leg_register(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y,
             unsigned int t, uint64_t now, struct sw_phone_out *out)
{
	struct sw_phone_leg *leg = &line->leg[y];
	uint32_t now_ms = to_ms(ctx, now);
	bool stopping = line->flags & SW_PHONE_F_STOPPED;

	if (t != leg->target)
		line->flags &= (uint8_t)~nonce_flag(y); /* a nonce belongs to one server */
	leg->target = (uint8_t)t;
	leg->tx = 1;
	leg_set_state(leg, SW_PHONE_LEG_TRYING, add_ms(now_ms, interval_ms(ctx, 1, false)));
	send(ctx, line, out, SW_PHONE_REGISTER, y, t, false, line->flags & nonce_flag(y),
	     new_tag(line, y), stopping ? 0 : server(ctx, line, y)->expires);
}

/* A new REGISTER of leg y, to wherever the failback rules say. */
static void
leg_begin(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y, uint64_t now,
          struct sw_phone_out *out)
{
	leg_register(ctx, line, y, first_target(ctx, line, y, now, out), now, out);
}

/* Registration lapsed without a refresh: record when it ended. */
static void
leg_check_lapse(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y,
                uint64_t now, struct sw_phone_out *out)
{
	struct sw_phone_leg *leg = &line->leg[y];
	uint32_t now_ms = to_ms(ctx, now);

	if (!registered(line, y) || now_ms < leg->expiry)
		return;
	line->flags &= (uint8_t)~reg_flag(y);
	line->lost = sat_inc(line->lost);
	note(out, SW_PHONE_NOTE_UNREGISTERED, y, leg->last_target, 0, 0, 0);
	account_registration(line, now_ms, leg->expiry);
	if (leg->state == SW_PHONE_LEG_REGISTERED || leg->state == SW_PHONE_LEG_IDLE)
		leg->state = leg->state == SW_PHONE_LEG_REGISTERED ? SW_PHONE_LEG_IDLE : leg->state;
}

static void
leg_registered(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y,
               uint64_t now, const struct sw_phone_resp *r, struct sw_phone_out *out)
{
	const struct sw_server_cfg *s = server(ctx, line, y);
	const struct sw_timing_cfg *tm = ctx->timing;
	struct sw_phone_leg *leg = &line->leg[y];
	uint32_t now_ms = to_ms(ctx, now);
	uint64_t granted = r->granted >= 0 ? (uint64_t)r->granted : s->expires;
	uint64_t g_ms = granted * 1000, refresh;
	unsigned int t = leg->target;

	if (line->flags & SW_PHONE_F_STOPPED) {
		/* the answer to an unregister */
		if (registered(line, y)) {
			line->flags &= (uint8_t)~reg_flag(y);
			note(out, SW_PHONE_NOTE_UNREGISTERED, y, t, 0, 0, 0);
			account_registration(line, now_ms, now_ms);
		}
		leg_set_state(leg, SW_PHONE_LEG_IDLE, NONE);
		return;
	}
	if (granted == 0) {
		/* a registrar may grant 0: treat as a rejection, retry later */
		note(out, SW_PHONE_NOTE_REJECTED, y, t, r->code, 0, 0);
		leg_set_state(leg, SW_PHONE_LEG_RETRY_WAIT, add_ms(now_ms, ctx->retry_after_ms));
		return;
	}
	/* where the line is registered now, and the failback clock of modes 2 and 3 */
	if (t != leg->last_target || !registered(line, y)) {
		if (t != 0 && t != leg->last_target) {
			if (s->failback_mode == SW_FAILBACK_REGISTRATION)
				leg->failback_at = add_ms(now_ms, g_ms);
			else if (s->failback_mode == SW_FAILBACK_DURATION)
				leg->failback_at =
				        s->failback_timeout == 0
				                ? NONE
				                : add_ms(now_ms,
				                         (uint64_t)s->failback_timeout * 1000);
		}
		leg->last_target = (uint8_t)t;
	}
	line->flags |= reg_flag(y);
	leg->expiry = add_ms(now_ms, g_ms);
	refresh = g_ms * tm->refresh_percent / 100;
	if (tm->refresh_jitter_percent > 0) {
		uint64_t j = g_ms * tm->refresh_jitter_percent / 100;
		uint64_t st = tm->seed ^ ((uint64_t)line->id << 20) ^ now_ms ^ ((uint64_t)y << 60);
		uint64_t h = sw_splitmix64(&st);
		int64_t off = (int64_t)(h % (2 * j + 1)) - (int64_t)j;

		refresh = (uint64_t)((int64_t)refresh + off);
	}
	if (refresh >= g_ms)
		refresh = g_ms > 1000 ? g_ms - 1000 : g_ms / 2;
	if (refresh == 0)
		refresh = 1;
	leg_set_state(leg, SW_PHONE_LEG_REGISTERED, add_ms(now_ms, refresh));
	note(out, SW_PHONE_NOTE_REGISTERED, y, t, r->code, (uint32_t)granted, 0);
	account_registration(line, now_ms, now_ms);

	if (y == 0) {
		line->flags &= (uint8_t)~SW_PHONE_F_W_DOWN;
		if (successive(ctx, line) && line->leg[1].state != SW_PHONE_LEG_IDLE) {
			/* back on the working server: stop using the fallback server */
			note(out, SW_PHONE_NOTE_RECOVER, 0, t, 0, 0, 0);
			if (line->leg[1].state == SW_PHONE_LEG_TRYING)
				note(out, SW_PHONE_NOTE_CANCELLED, 1, line->leg[1].target, 0, 0,
				     tag_of(line, 1));
			leg_set_state(&line->leg[1], SW_PHONE_LEG_IDLE, NONE);
			line->seq[1]++; /* answers to the abandoned transaction are stale */
		}
	} else if (successive(ctx, line)) {
		/* on the fallback server: probe the working server every fallback.timeout */
		if (line->leg[0].state == SW_PHONE_LEG_IDLE ||
		    line->leg[0].state == SW_PHONE_LEG_RETRY_WAIT)
			leg_set_state(
			        &line->leg[0], SW_PHONE_LEG_PROBE_WAIT,
			        add_ms(now_ms,
			               (uint64_t)account(ctx, line)->cfg->fallback_timeout * 1000));
	}
	if (line->call_state == SW_PHONE_CALL_REG_WAIT && line->reg_pending == y + 1) {
		line->reg_pending = 0;
		call_invite(ctx, line, y, t, now, out);
	}
}

/* Every target of server y failed. */
static void
leg_server_failed(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y,
                  uint64_t now, struct sw_phone_out *out)
{
	struct sw_phone_leg *leg = &line->leg[y];
	uint32_t now_ms = to_ms(ctx, now);

	note(out, SW_PHONE_NOTE_SERVER_FAILED, y, leg->target, 0, 0, 0);
	if (line->call_state == SW_PHONE_CALL_REG_WAIT && line->reg_pending == y + 1) {
		line->reg_pending = 0;
		call_fail(ctx, line, now, out);
	}
	if (y == 0)
		line->flags |= SW_PHONE_F_W_DOWN;
	if (!successive(ctx, line) || !has_server(ctx, line, 1)) {
		leg_set_state(leg, SW_PHONE_LEG_RETRY_WAIT, add_ms(now_ms, ctx->retry_after_ms));
		return;
	}
	if (y == 1) {
		/* the fallback server failed too: retry it; server 1 keeps being probed */
		leg_set_state(leg, SW_PHONE_LEG_RETRY_WAIT, add_ms(now_ms, ctx->retry_after_ms));
		if (line->leg[0].state == SW_PHONE_LEG_IDLE)
			leg_set_state(
			        &line->leg[0], SW_PHONE_LEG_PROBE_WAIT,
			        add_ms(now_ms,
			               (uint64_t)account(ctx, line)->cfg->fallback_timeout * 1000));
		return;
	}
	/* successive, server 1 failed */
	if (line->leg[1].state == SW_PHONE_LEG_REGISTERED ||
	    line->leg[1].state == SW_PHONE_LEG_TRYING) {
		/* a failed probe: probe again after fallback.timeout */
		leg_set_state(
		        leg, SW_PHONE_LEG_PROBE_WAIT,
		        add_ms(now_ms, (uint64_t)account(ctx, line)->cfg->fallback_timeout * 1000));
		return;
	}
	leg_set_state(leg, SW_PHONE_LEG_IDLE, NONE);
	if (registered(line, 0) && leg->expiry > now_ms) {
		/* register to server 2 once the registration with server 1 has expired */
		leg_set_state(&line->leg[1], SW_PHONE_LEG_START_WAIT, leg->expiry);
	} else {
		note(out, SW_PHONE_NOTE_FALLBACK, 1, 0, 0, 0, 0);
		leg_begin(ctx, line, 1, now, out);
	}
}

/* The transaction of leg y failed at its target (timeout, transport error or 503). */
static void
leg_fail_target(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y,
                uint64_t now, struct sw_phone_out *out)
{
	struct sw_phone_leg *leg = &line->leg[y];
	unsigned int next = leg->target + 1u;

	if (line->flags & SW_PHONE_F_STOPPED) {
		leg_set_state(leg, SW_PHONE_LEG_IDLE, NONE);
		return;
	}
	if (proxy_of(ctx, line) == 1 && has_proxy2(ctx, line)) {
		/* outbound proxy 1 failed: the same request via proxy 2; probe proxy 1 later */
		line->flags |= SW_PHONE_F_PROXY2;
		line->proxy_deadline = add_ms(
		        to_ms(ctx, now),
		        (uint64_t)account(ctx, line)->cfg->outbound_proxy_fallback_interval * 1000);
		note(out, SW_PHONE_NOTE_PROXY_FALLBACK, y, leg->target, 0, 0, 0);
		leg_register(ctx, line, y, leg->target, now, out);
		return;
	}
	if (y == 0)
		line->flags |= SW_PHONE_F_W_DOWN;
	if (next < account(ctx, line)->n_targets[y]) {
		note(out, SW_PHONE_NOTE_FAILOVER, y, next, 0, leg->target, tag_of(line, y));
		line->failovers = sat_inc(line->failovers);
		leg_register(ctx, line, y, next, now, out);
		return;
	}
	leg_server_failed(ctx, line, y, now, out);
}

/* Deadline of leg y due: the leg state table. */
static void
leg_timer(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y, uint64_t now,
          struct sw_phone_out *out)
{
	struct sw_phone_leg *leg = &line->leg[y];
	uint32_t now_ms = to_ms(ctx, now);

	leg_check_lapse(ctx, line, y, now, out);
	if (leg->deadline == NONE || now_ms < leg->deadline)
		return;
	switch ((enum sw_phone_leg_state)leg->state) {
	case SW_PHONE_LEG_TRYING:
		if (leg->tx <= server(ctx, line, y)->retry_counts) {
			uint32_t due = leg->deadline;

			leg->tx++;
			line->retransmissions = sat_inc(line->retransmissions);
			leg->deadline = add_ms(due, interval_ms(ctx, leg->tx, false));
			send(ctx, line, out, SW_PHONE_REGISTER, y, leg->target, true,
			     line->flags & nonce_flag(y), tag_of(line, y),
			     (line->flags & SW_PHONE_F_STOPPED) ? 0
			                                        : server(ctx, line, y)->expires);
			return;
		}
		note(out, SW_PHONE_NOTE_TIMEOUT, y, leg->target, 0, 0, tag_of(line, y));
		line->seq[y]++; /* late answers to it are stale */
		leg_fail_target(ctx, line, y, now, out);
		return;
	case SW_PHONE_LEG_REGISTERED: /* refresh */
	case SW_PHONE_LEG_RETRY_WAIT:
	case SW_PHONE_LEG_PROBE_WAIT:
		leg_begin(ctx, line, y, now, out);
		return;
	case SW_PHONE_LEG_START_WAIT:
		note(out, SW_PHONE_NOTE_FALLBACK, 1, 0, 0, 0, 0);
		leg_begin(ctx, line, y, now, out);
		return;
	case SW_PHONE_LEG_IDLE:
	case SW_PHONE_LEG_STATE_MAX:
		leg->deadline = NONE;
		return;
	}
}

static void
leg_response(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y,
             uint64_t now, const struct sw_phone_resp *r, struct sw_phone_out *out)
{
	struct sw_phone_leg *leg = &line->leg[y];
	uint32_t now_ms = to_ms(ctx, now);
	uint16_t tag = tag_of(line, y);

	if (leg->state != SW_PHONE_LEG_TRYING) {
		out->stale = 1;
		return;
	}
	if (y == 0)
		line->flags &= (uint8_t)~SW_PHONE_F_W_DOWN; /* server 1 answers */
	if (r->code < 200) {
		/* provisional: RFC 3261 17.1.2.2, keep retransmitting at T2 */
		leg->deadline = add_ms(now_ms, ctx->timing->t2_ms);
		return;
	}
	line->seq[y]++; /* the transaction is over: repeats of this answer are stale */
	note(out, SW_PHONE_NOTE_ANSWERED, y, leg->target, r->code, 0, tag);
	leg_check_lapse(ctx, line, y, now, out);
	if (r->code < 300) {
		leg_registered(ctx, line, y, now, r, out);
		return;
	}
	if ((r->code == 401 || r->code == 407) && r->challenge &&
	    !(line->flags & SW_PHONE_F_STOPPED)) {
		/* first challenge, or a stale nonce: answer it; a second plain one is a refusal */
		if (!(line->flags & nonce_flag(y)) || r->stale) {
			line->flags |= nonce_flag(y);
			leg_register(ctx, line, y, leg->target, now, out);
			return;
		}
		line->flags &= (uint8_t)~nonce_flag(y);
		note(out, SW_PHONE_NOTE_AUTH_FAILED, y, leg->target, r->code, 0, 0);
		leg_set_state(leg, SW_PHONE_LEG_RETRY_WAIT, add_ms(now_ms, ctx->retry_after_ms));
		return;
	}
	if (r->code == 503 && ctx->timing->fail_on_503) {
		leg_fail_target(ctx, line, y, now, out);
		return;
	}
	if (line->flags & SW_PHONE_F_STOPPED) {
		leg_set_state(leg, SW_PHONE_LEG_IDLE, NONE);
		return;
	}
	note(out, SW_PHONE_NOTE_REJECTED, y, leg->target, r->code, 0, 0);
	leg_set_state(leg, SW_PHONE_LEG_RETRY_WAIT, add_ms(now_ms, ctx->retry_after_ms));
}

/* ---- the call leg (INVITE routing, spec 3 and 4) ---- */

static void
call_set_state(struct sw_phone_line *line, enum sw_phone_call_state st, uint32_t deadline)
{
	line->call_state = (uint8_t)st;
	line->call_deadline = deadline;
}

static void
call_invite(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y,
            unsigned int target, uint64_t now, struct sw_phone_out *out)
{
	uint32_t now_ms = to_ms(ctx, now);

	line->call_server = (uint8_t)y;
	line->call_target = (uint8_t)target;
	line->call_tx = 1;
	line->call_started = now_ms;
	call_set_state(line, SW_PHONE_CALL_INVITING, add_ms(now_ms, interval_ms(ctx, 1, true)));
	send(ctx, line, out, SW_PHONE_INVITE, y, target, false,
	     (line->flags & SW_PHONE_F_AUTHED) != 0, new_tag(line, SW_PHONE_CALL_LEG), 0);
}

static void
call_fail(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
          struct sw_phone_out *out)
{
	(void)ctx;
	(void)now;
	note(out, SW_PHONE_NOTE_CALL_FAILED, line->call_server, line->call_target, 0, 0, 0);
	line->flags &= (uint8_t)~SW_PHONE_F_AUTHED;
	line->seq[SW_PHONE_CALL_LEG]++;
	call_set_state(line, SW_PHONE_CALL_IDLE, NONE);
}

/* May a request of server y go to target t? (only_signal_with_registered) */
static bool
call_may_use(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line, unsigned int y,
             unsigned int t)
{
	if (!server(ctx, line, y)->only_signal_with_registered)
		return true;
	return registered(line, y) && line->leg[y].last_target == t;
}

/* Send the INVITE to target t of server y, registering there first when register_on_enable. */
static void
call_route(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, unsigned int y,
           unsigned int t, bool failover, uint64_t now, struct sw_phone_out *out)
{
	const struct sw_server_cfg *s = server(ctx, line, y);

	line->flags &= (uint8_t)~SW_PHONE_F_AUTHED;
	if (failover && s->register_on_enable &&
	    !(registered(line, y) && line->leg[y].last_target == t)) {
		struct sw_phone_leg *leg = &line->leg[y];

		if (leg->state == SW_PHONE_LEG_TRYING) {
			note(out, SW_PHONE_NOTE_CANCELLED, y, leg->target, 0, 0, tag_of(line, y));
		}
		line->call_server = (uint8_t)y;
		line->call_target = (uint8_t)t;
		line->reg_pending = (uint8_t)(y + 1);
		call_set_state(line, SW_PHONE_CALL_REG_WAIT, NONE);
		leg_register(ctx, line, y, t, now, out);
		return;
	}
	if (!call_may_use(ctx, line, y, t)) {
		call_fail(ctx, line, now, out);
		return;
	}
	call_invite(ctx, line, y, t, now, out);
}

/* The INVITE got no usable answer at its target: next target, then server 2 (concurrent). */
static void
call_fail_target(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                 struct sw_phone_out *out)
{
	unsigned int y = line->call_server, next = line->call_target + 1u;

	if (y == 0)
		line->flags |= SW_PHONE_F_W_DOWN;
	if (next < account(ctx, line)->n_targets[y]) {
		note(out, SW_PHONE_NOTE_FAILOVER, y, next, 0, line->call_target,
		     tag_of(line, SW_PHONE_CALL_LEG));
		line->failovers = sat_inc(line->failovers);
		call_route(ctx, line, y, next, true, now, out);
		return;
	}
	if (y == 0 && !successive(ctx, line) && has_server(ctx, line, 1)) {
		note(out, SW_PHONE_NOTE_FALLBACK, 1, 0, 0, 0, 0);
		call_route(ctx, line, 1, first_target(ctx, line, 1, now, out), false, now, out);
		return;
	}
	call_fail(ctx, line, now, out);
}

static void
call_timer(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
           struct sw_phone_out *out)
{
	uint32_t now_ms = to_ms(ctx, now);
	const struct sw_server_cfg *s = server(ctx, line, line->call_server);
	uint16_t tag = tag_of(line, SW_PHONE_CALL_LEG);

	if (line->call_deadline == NONE || now_ms < line->call_deadline)
		return;
	switch ((enum sw_phone_call_state)line->call_state) {
	case SW_PHONE_CALL_INVITING:
		if (line->call_tx <= s->invite_retry_counts) {
			uint32_t due = line->call_deadline;

			line->call_tx++;
			line->retransmissions = sat_inc(line->retransmissions);
			line->call_deadline = add_ms(due, interval_ms(ctx, line->call_tx, true));
			send(ctx, line, out, SW_PHONE_INVITE, line->call_server, line->call_target,
			     true, (line->flags & SW_PHONE_F_AUTHED) != 0, tag, 0);
			return;
		}
		note(out, SW_PHONE_NOTE_TIMEOUT, line->call_server, line->call_target, 0, 0, tag);
		line->seq[SW_PHONE_CALL_LEG]++;
		call_fail_target(ctx, line, now, out);
		return;
	case SW_PHONE_CALL_PROCEEDING:
		note(out, SW_PHONE_NOTE_TIMEOUT, line->call_server, line->call_target, 0, 0, tag);
		call_fail(ctx, line, now, out);
		return;
	case SW_PHONE_CALL_BYE:
		if (line->call_tx <= s->retry_counts) {
			uint32_t due = line->call_deadline;

			line->call_tx++;
			line->retransmissions = sat_inc(line->retransmissions);
			line->call_deadline = add_ms(due, interval_ms(ctx, line->call_tx, false));
			send(ctx, line, out, SW_PHONE_BYE, line->call_server, line->call_target,
			     true, false, tag, 0);
			return;
		}
		note(out, SW_PHONE_NOTE_TIMEOUT, line->call_server, line->call_target, 0, 0, tag);
		note(out, SW_PHONE_NOTE_CALL_ENDED, line->call_server, line->call_target, 0, 0, 0);
		line->seq[SW_PHONE_CALL_LEG]++;
		call_set_state(line, SW_PHONE_CALL_IDLE, NONE);
		return;
	case SW_PHONE_CALL_IDLE:
	case SW_PHONE_CALL_REG_WAIT:
	case SW_PHONE_CALL_ACTIVE:
		line->call_deadline = NONE;
		return;
	}
}

static void
call_response(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
              const struct sw_phone_resp *r, struct sw_phone_out *out)
{
	unsigned int y = line->call_server, t = line->call_target;
	uint16_t tag = tag_of(line, SW_PHONE_CALL_LEG);
	uint32_t now_ms = to_ms(ctx, now);

	if (y == 0)
		line->flags &= (uint8_t)~SW_PHONE_F_W_DOWN;
	if (line->call_state == SW_PHONE_CALL_BYE) {
		if (r->code < 200)
			return;
		line->seq[SW_PHONE_CALL_LEG]++;
		note(out, SW_PHONE_NOTE_ANSWERED, y, t, r->code, 0, tag);
		note(out, SW_PHONE_NOTE_CALL_ENDED, y, t, r->code, 0, 0);
		call_set_state(line, SW_PHONE_CALL_IDLE, NONE);
		return;
	}
	if (line->call_state != SW_PHONE_CALL_INVITING &&
	    line->call_state != SW_PHONE_CALL_PROCEEDING) {
		out->stale = 1;
		return;
	}
	if (r->code < 200) {
		/* Timer A stops; Timer B bounds the wait for a final answer */
		call_set_state(line, SW_PHONE_CALL_PROCEEDING,
		               add_ms(line->call_started, ctx->call_timeout_ms));
		return;
	}
	/* final: ACK it (for a non-2xx the ACK belongs to the INVITE transaction) */
	send(ctx, line, out, SW_PHONE_ACK, y, t, false, (line->flags & SW_PHONE_F_AUTHED) != 0, tag,
	     0);
	line->seq[SW_PHONE_CALL_LEG]++;
	note(out, SW_PHONE_NOTE_ANSWERED, y, t, r->code, 0, tag);
	if (r->code < 300) {
		const struct sw_server_cfg *s = server(ctx, line, y);

		/* modes 1 and 2 follow the last used target */
		if ((s->failback_mode == SW_FAILBACK_DNS_TTL ||
		     s->failback_mode == SW_FAILBACK_REGISTRATION) &&
		    t != line->leg[y].last_target) {
			line->leg[y].last_target = (uint8_t)t;
			if (s->failback_mode == SW_FAILBACK_REGISTRATION)
				line->leg[y].failback_at =
				        add_ms(now_ms, (uint64_t)s->expires * 1000);
		}
		note(out, SW_PHONE_NOTE_CALL_ANSWERED, y, t, r->code, 0, 0);
		call_set_state(line, SW_PHONE_CALL_ACTIVE, NONE);
		return;
	}
	if ((r->code == 401 || r->code == 407) && r->challenge &&
	    !(line->flags & SW_PHONE_F_AUTHED)) {
		line->flags |= SW_PHONE_F_AUTHED;
		line->call_tx = 1;
		call_set_state(line, SW_PHONE_CALL_INVITING,
		               add_ms(now_ms, interval_ms(ctx, 1, true)));
		send(ctx, line, out, SW_PHONE_INVITE, y, t, false, true,
		     new_tag(line, SW_PHONE_CALL_LEG), 0);
		return;
	}
	if (r->code == 401 || r->code == 407) {
		note(out, SW_PHONE_NOTE_AUTH_FAILED, y, t, r->code, 0, 0);
		call_fail(ctx, line, now, out);
		return;
	}
	if (r->code == 503 && ctx->timing->fail_on_503) {
		call_fail_target(ctx, line, now, out);
		return;
	}
	note(out, SW_PHONE_NOTE_REJECTED, y, t, r->code, 0, 0);
	call_fail(ctx, line, now, out);
}

/* ---- entry points ---- */

static void
out_begin(struct sw_phone_out *out)
{
	out->n = 0;
	out->stale = 0;
}

static void
out_end(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line, struct sw_phone_out *out)
{
	uint32_t d = line->call_deadline;

	if (line->proxy_deadline < d)
		d = line->proxy_deadline;
	for (unsigned int y = 0; y < SW_MAX_SERVERS; y++) {
		if (line->leg[y].deadline < d)
			d = line->leg[y].deadline;
		if (registered(line, y) && line->leg[y].expiry < d)
			d = line->leg[y].expiry;
	}
	out->next_deadline = to_ns(ctx, d);
}

int
sw_phone_ctx_init(struct sw_phone_ctx *ctx, const struct sw_timing_cfg *timing,
                  struct sw_phone_account *accounts, unsigned int n_accounts, uint64_t epoch)
{
	if (ctx == NULL || timing == NULL || (accounts == NULL && n_accounts > 0) ||
	    timing->t1_ms == 0)
		return -EINVAL;
	memset(ctx, 0, sizeof(*ctx));
	ctx->timing = timing;
	ctx->accounts = accounts;
	ctx->n_accounts = n_accounts;
	ctx->epoch = epoch;
	ctx->retry_after_ms = 30000;
	ctx->call_timeout_ms = 64 * timing->t1_ms;
	return 0;
}

void
sw_phone_line_init(struct sw_phone_line *line, uint16_t acc, uint32_t id)
{
	memset(line, 0, sizeof(*line));
	line->account = acc;
	line->id = id;
	for (unsigned int y = 0; y < SW_MAX_SERVERS; y++) {
		line->leg[y].deadline = NONE;
		line->leg[y].failback_at = NONE;
	}
	line->call_deadline = NONE;
	line->proxy_deadline = NONE;
	line->unreg_since = 0;
}

int
sw_phone_start(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
               struct sw_phone_out *out)
{
	out_begin(out);
	if (!has_server(ctx, line, 0))
		return -EINVAL;
	if (line->leg[0].state != SW_PHONE_LEG_IDLE || line->leg[0].tx != 0) {
		out_end(ctx, line, out);
		return -EALREADY;
	}
	leg_begin(ctx, line, 0, now, out);
	if (!successive(ctx, line) && has_server(ctx, line, 1))
		leg_begin(ctx, line, 1, now, out);
	out_end(ctx, line, out);
	return 0;
}

int
sw_phone_response(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                  uint16_t tag, const struct sw_phone_resp *resp, struct sw_phone_out *out)
{
	unsigned int leg = SW_PHONE_TAG_LEG(tag);

	out_begin(out);
	if (leg > SW_PHONE_CALL_LEG || tag != tag_of(line, leg)) {
		out->stale = 1;
	} else if (leg == SW_PHONE_CALL_LEG) {
		call_response(ctx, line, now, resp, out);
	} else {
		leg_response(ctx, line, leg, now, resp, out);
	}
	out_end(ctx, line, out);
	return 0;
}

int
sw_phone_transport_error(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                         uint16_t tag, struct sw_phone_out *out)
{
	unsigned int leg = SW_PHONE_TAG_LEG(tag);

	out_begin(out);
	if (leg > SW_PHONE_CALL_LEG || tag != tag_of(line, leg) ||
	    !ctx->timing->fail_on_transport_error) {
		out->stale = leg > SW_PHONE_CALL_LEG || tag != tag_of(line, leg);
		out_end(ctx, line, out);
		return 0;
	}
	if (leg == SW_PHONE_CALL_LEG) {
		if (line->call_state == SW_PHONE_CALL_INVITING ||
		    line->call_state == SW_PHONE_CALL_PROCEEDING) {
			note(out, SW_PHONE_NOTE_TRANSPORT_ERROR, line->call_server,
			     line->call_target, 0, 0, tag);
			line->seq[SW_PHONE_CALL_LEG]++;
			call_fail_target(ctx, line, now, out);
		}
	} else if (line->leg[leg].state == SW_PHONE_LEG_TRYING) {
		note(out, SW_PHONE_NOTE_TRANSPORT_ERROR, leg, line->leg[leg].target, 0, 0, tag);
		line->seq[leg]++;
		leg_fail_target(ctx, line, leg, now, out);
	}
	out_end(ctx, line, out);
	return 0;
}

int
sw_phone_timer(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
               struct sw_phone_out *out)
{
	uint32_t now_ms = to_ms(ctx, now);

	out_begin(out);
	if (line->proxy_deadline != NONE && now_ms >= line->proxy_deadline) {
		/* probe outbound proxy 1: the next request goes via proxy 1 again */
		line->proxy_deadline = NONE;
		line->flags &= (uint8_t)~SW_PHONE_F_PROXY2;
		note(out, SW_PHONE_NOTE_PROXY_PROBE, 0, line->leg[0].target, 0, 0, 0);
		if (line->leg[0].state == SW_PHONE_LEG_REGISTERED)
			line->leg[0].deadline = now_ms;
	}
	for (unsigned int y = 0; y < SW_MAX_SERVERS; y++)
		leg_timer(ctx, line, y, now, out);
	call_timer(ctx, line, now, out);
	out_end(ctx, line, out);
	return 0;
}

int
sw_phone_call(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
              struct sw_phone_out *out)
{
	unsigned int y;
	int rc = 0;

	out_begin(out);
	if (line->flags & SW_PHONE_F_STOPPED) {
		rc = -ESHUTDOWN;
	} else if (line->call_state != SW_PHONE_CALL_IDLE) {
		rc = -EBUSY;
	} else {
		if (successive(ctx, line))
			y = (!registered(line, 0) && registered(line, 1)) ? 1 : 0;
		else
			y = ((line->flags & SW_PHONE_F_W_DOWN) && has_server(ctx, line, 1)) ? 1 : 0;
		if (server(ctx, line, y)->only_signal_with_registered && !registered(line, y)) {
			line->call_server = (uint8_t)y;
			line->call_target = 0;
			note(out, SW_PHONE_NOTE_CALL_FAILED, y, 0, 0, 0, 0);
			rc = -ENOTCONN;
		} else {
			unsigned int t = server(ctx, line, y)->only_signal_with_registered
			                         ? line->leg[y].last_target
			                         : first_target(ctx, line, y, now, out);

			call_route(ctx, line, y, t, false, now, out);
		}
	}
	out_end(ctx, line, out);
	return rc;
}

int
sw_phone_hangup(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
                struct sw_phone_out *out)
{
	uint32_t now_ms = to_ms(ctx, now);

	out_begin(out);
	if (line->call_state != SW_PHONE_CALL_ACTIVE) {
		out_end(ctx, line, out);
		return -ENOTCONN;
	}
	line->call_tx = 1;
	call_set_state(line, SW_PHONE_CALL_BYE, add_ms(now_ms, interval_ms(ctx, 1, false)));
	send(ctx, line, out, SW_PHONE_BYE, line->call_server, line->call_target, false, false,
	     new_tag(line, SW_PHONE_CALL_LEG), 0);
	out_end(ctx, line, out);
	return 0;
}

int
sw_phone_stop(const struct sw_phone_ctx *ctx, struct sw_phone_line *line, uint64_t now,
              bool unregister, struct sw_phone_out *out)
{
	out_begin(out);
	line->flags |= SW_PHONE_F_STOPPED;
	for (unsigned int y = 0; y < SW_MAX_SERVERS; y++) {
		struct sw_phone_leg *leg = &line->leg[y];

		leg_check_lapse(ctx, line, y, now, out);
		if (leg->state == SW_PHONE_LEG_TRYING) {
			note(out, SW_PHONE_NOTE_CANCELLED, y, leg->target, 0, 0, tag_of(line, y));
			line->seq[y]++;
		}
		leg_set_state(leg, SW_PHONE_LEG_IDLE, NONE);
		if (unregister && registered(line, y))
			leg_register(ctx, line, y, leg->last_target, now, out);
	}
	if (line->call_state == SW_PHONE_CALL_INVITING ||
	    line->call_state == SW_PHONE_CALL_PROCEEDING || line->call_state == SW_PHONE_CALL_BYE)
		note(out, SW_PHONE_NOTE_CANCELLED, line->call_server, line->call_target, 0, 0,
		     tag_of(line, SW_PHONE_CALL_LEG));
	line->seq[SW_PHONE_CALL_LEG]++;
	call_set_state(line, SW_PHONE_CALL_IDLE, NONE);
	line->reg_pending = 0;
	line->proxy_deadline = NONE;
	out_end(ctx, line, out);
	return 0;
}

bool
sw_phone_registered(const struct sw_phone_ctx *ctx, const struct sw_phone_line *line, uint64_t now)
{
	uint32_t now_ms = to_ms(ctx, now);

	for (unsigned int y = 0; y < SW_MAX_SERVERS; y++)
		if (registered(line, y) && now_ms < line->leg[y].expiry)
			return true;
	return false;
}

const char *
sw_phone_note_name(enum sw_phone_note n)
{
	return (unsigned int)n < SW_PHONE_NOTE_MAX ? note_names[n] : "?";
}

const char *
sw_phone_leg_state_name(enum sw_phone_leg_state s)
{
	return (unsigned int)s < SW_PHONE_LEG_STATE_MAX ? leg_state_names[s] : "?";
}

const char *
sw_phone_method_name(enum sw_phone_method m)
{
	return (unsigned int)m < SW_PHONE_METHOD_MAX ? method_names[m] : "?";
}
