/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual-clock simulator (see sw_sim.h): line timers on lib/timer with 1 ms ticks,
 * answers from the scripted cluster through a FIFO (every answer has the same latency, so
 * FIFO order is time order).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_sim.h"

#define TICK_NS SW_NS_PER_MS

/* ---- script ---- */

void
sw_sim_script_default(struct sw_sim_script *s)
{
	memset(s, 0, sizeof(*s));
	s->n_targets[0] = 1;
	s->challenge = true;
	s->grant = -1;
	s->stop_at = UINT64_MAX;
}

static int
parse_seconds(const char *w, uint64_t *ns)
{
	char *end;
	double v;

	if (w == NULL)
		return -1;
	v = strtod(w, &end);
	if (end == w || *end != '\0' || v < 0 || v > 1e9)
		return -1;
	*ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

static int
parse_uint(const char *w, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (w == NULL)
		return -1;
	v = strtol(w, &end, 10);
	if (end == w || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		int n_ = snprintf(err, errlen, "line %u: ", lineno);                               \
		if (n_ >= 0 && (size_t)n_ < errlen)                                                \
			snprintf(err + n_, errlen - (size_t)n_, __VA_ARGS__);                      \
		return -EINVAL;                                                                    \
	} while (0)

static int
parse_line(struct sw_sim_script *s, char **w, unsigned int nw, unsigned int lineno, char *err,
           size_t errlen)
{
	long v;

	if (strcmp(w[0], "server") == 0) {
		if (nw != 4 || strcmp(w[2], "targets") != 0 || parse_uint(w[1], 1, 2, &v) != 0)
			FAIL("expected 'server 1|2 targets N'");
		{
			long n;

			if (parse_uint(w[3], 0, 16, &n) != 0)
				FAIL("targets must be 0..16");
			s->n_targets[v - 1] = (uint8_t)n;
		}
		return 0;
	}
	if (strcmp(w[0], "at") == 0) {
		struct sw_sim_rule *r;
		unsigned int i = 2;

		if (s->n_rules >= SW_SIM_MAX_RULES)
			FAIL("too many rules (at most %d)", SW_SIM_MAX_RULES);
		r = &s->rule[s->n_rules];
		r->until = UINT64_MAX;
		if (nw < 2 || parse_seconds(w[1], &r->from) != 0)
			FAIL("expected 'at SECONDS ...'");
		if (i < nw && strcmp(w[i], "until") == 0) {
			if (i + 1 >= nw || parse_seconds(w[i + 1], &r->until) != 0 ||
			    r->until < r->from)
				FAIL("'until' needs a time after 'at'");
			i += 2;
		}
		if (i + 5 != nw || strcmp(w[i], "server") != 0 || strcmp(w[i + 2], "target") != 0)
			FAIL("expected 'at T [until U] server Y target I|* silent|ok|503|403'");
		if (parse_uint(w[i + 1], 1, 2, &v) != 0)
			FAIL("server must be 1 or 2");
		r->server = (uint8_t)(v - 1);
		if (strcmp(w[i + 3], "*") == 0)
			r->target = -1;
		else if (parse_uint(w[i + 3], 0, 15, &v) == 0)
			r->target = (int16_t)v;
		else
			FAIL("target must be 0..15 or *");
		if (strcmp(w[i + 4], "silent") == 0)
			r->behaviour = SW_SIM_SILENT;
		else if (strcmp(w[i + 4], "ok") == 0)
			r->behaviour = SW_SIM_OK;
		else if (strcmp(w[i + 4], "503") == 0)
			r->behaviour = SW_SIM_503;
		else if (strcmp(w[i + 4], "403") == 0)
			r->behaviour = SW_SIM_403;
		else
			FAIL("behaviour '%s' is not one of silent, ok, 503, 403", w[i + 4]);
		s->n_rules++;
		return 0;
	}
	if (strcmp(w[0], "challenge") == 0) {
		if (nw != 2 || (strcmp(w[1], "on") != 0 && strcmp(w[1], "off") != 0))
			FAIL("expected 'challenge on|off'");
		s->challenge = strcmp(w[1], "on") == 0;
		return 0;
	}
	if (strcmp(w[0], "grant") == 0) {
		if (nw != 2 || parse_uint(w[1], 0, 2147483647L, &v) != 0)
			FAIL("expected 'grant SECONDS'");
		s->grant = v;
		return 0;
	}
	if (strcmp(w[0], "latency_ms") == 0) {
		if (nw != 2 || parse_uint(w[1], 0, 60000, &v) != 0)
			FAIL("expected 'latency_ms 0..60000'");
		s->latency = (uint64_t)v * SW_NS_PER_MS;
		return 0;
	}
	if (strcmp(w[0], "call") == 0) {
		struct sw_sim_call *c;
		unsigned int i = 3;

		if (s->n_calls >= SW_SIM_MAX_CALLS)
			FAIL("too many calls (at most %d)", SW_SIM_MAX_CALLS);
		c = &s->call[s->n_calls];
		c->line = -1;
		c->hold = 30 * SW_NS_PER_S;
		if (nw < 3 || strcmp(w[1], "at") != 0 || parse_seconds(w[2], &c->at) != 0)
			FAIL("expected 'call at SECONDS [line N] [hold SECONDS]'");
		while (i < nw) {
			if (strcmp(w[i], "line") == 0 && i + 1 < nw &&
			    parse_uint(w[i + 1], 0, 2147483647L, &v) == 0)
				c->line = v;
			else if (strcmp(w[i], "hold") == 0 && i + 1 < nw &&
			         parse_seconds(w[i + 1], &c->hold) == 0)
				;
			else
				FAIL("unexpected '%s' in call", w[i]);
			i += 2;
		}
		if (s->n_calls > 0 && c->at < s->call[s->n_calls - 1].at)
			FAIL("calls must be listed in time order");
		s->n_calls++;
		return 0;
	}
	if (strcmp(w[0], "stop") == 0) {
		if (nw < 3 || nw > 4 || strcmp(w[1], "at") != 0 ||
		    parse_seconds(w[2], &s->stop_at) != 0)
			FAIL("expected 'stop at SECONDS [unregister]'");
		if (nw == 4 && strcmp(w[3], "unregister") != 0)
			FAIL("expected 'unregister' after the stop time");
		s->stop_unregister = nw == 4;
		return 0;
	}
	FAIL("unknown directive '%s'", w[0]);
}

int
sw_sim_script_parse(struct sw_sim_script *s, const char *text, char *err, size_t errlen)
{
	char buf[512];
	unsigned int lineno = 0;
	const char *p = text;

	sw_sim_script_default(s);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *w[16], *save = NULL, *tok;
		unsigned int nw = 0;
		int rc;

		lineno++;
		if (len >= sizeof(buf))
			FAIL("line too long (at most %zu characters)", sizeof(buf) - 1);
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (nl != NULL);
		if (strchr(buf, '#') != NULL)
			*strchr(buf, '#') = '\0';
		for (tok = strtok_r(buf, " \t\r", &save); tok != NULL && nw < SW_ARRAY_SIZE(w);
		     tok = strtok_r(NULL, " \t\r", &save))
			w[nw++] = tok;
		if (nw == 0)
			continue;
		rc = parse_line(s, w, nw, lineno, err, errlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- the run ---- */

static void
emit(struct sw_sim *sim, uint32_t line, const char *what, const char *method, unsigned int server,
     unsigned int target, unsigned int proxy, unsigned int code, uint32_t extra)
{
	struct sw_sim_event ev = {
	        .t = sim->now,
	        .line = line,
	        .what = what,
	        .method = method,
	        .server = (uint8_t)server,
	        .target = (uint8_t)target,
	        .proxy = (uint8_t)proxy,
	        .code = (uint16_t)code,
	        .extra = extra,
	};

	if (sim->sink != NULL)
		sim->sink(sim->sink_arg, &ev);
}

static enum sw_sim_behaviour
behaviour(const struct sw_sim *sim, unsigned int server, unsigned int target)
{
	enum sw_sim_behaviour b = SW_SIM_OK;

	for (unsigned int i = 0; i < sim->script->n_rules; i++) {
		const struct sw_sim_rule *r = &sim->script->rule[i];

		if (r->server == server && (r->target < 0 || (unsigned int)r->target == target) &&
		    sim->now >= r->from && sim->now < r->until)
			b = (enum sw_sim_behaviour)r->behaviour;
	}
	return b;
}

static void
enqueue(struct sw_sim *sim, uint32_t line, const struct sw_phone_action *a, uint16_t code,
        bool challenge)
{
	struct sw_sim_pending *p;

	if (sim->q_tail - sim->q_head > sim->q_mask) {
		sim->overflow++;
		return;
	}
	p = &sim->queue[sim->q_tail++ & sim->q_mask];
	memset(p, 0, sizeof(*p));
	p->due = sim->now + sim->script->latency;
	p->line = line;
	p->tag = a->tag;
	p->method = a->method;
	p->server = a->server;
	p->target = a->target;
	p->resp.code = code;
	p->resp.challenge = challenge;
	p->resp.granted =
	        a->method == SW_PHONE_REGISTER
	                ? (sim->script->grant >= 0 ? sim->script->grant : (int64_t)a->expires)
	                : -1;
	if (a->method == SW_PHONE_REGISTER && a->expires == 0)
		p->resp.granted = 0;
}

/* What the scripted cluster does with one request. */
static void
cluster(struct sw_sim *sim, uint32_t line, const struct sw_phone_action *a)
{
	enum sw_sim_behaviour b = behaviour(sim, a->server, a->target);

	if (a->method == SW_PHONE_ACK)
		return; /* never answered */
	switch (b) {
	case SW_SIM_SILENT:
		sim->dropped++;
		return;
	case SW_SIM_503:
		enqueue(sim, line, a, 503, false);
		return;
	case SW_SIM_403:
		enqueue(sim, line, a, 403, false);
		return;
	case SW_SIM_OK:
		if (sim->script->challenge && !a->auth &&
		    (a->method == SW_PHONE_REGISTER || a->method == SW_PHONE_INVITE))
			enqueue(sim, line, a, a->method == SW_PHONE_REGISTER ? 401 : 407, true);
		else
			enqueue(sim, line, a, 200, false);
		return;
	}
}

static void
apply(struct sw_sim *sim, uint32_t line, const struct sw_phone_out *out)
{
	struct sw_sim_line *sl = &sim->lines[line];

	for (unsigned int i = 0; i < out->n; i++) {
		const struct sw_phone_action *a = &out->a[i];

		if (a->kind == SW_PHONE_ACT_SEND) {
			sim->sent++;
			emit(sim, line, a->retrans ? "retransmit" : "send",
			     sw_phone_method_name((enum sw_phone_method)a->method), a->server,
			     a->target, a->proxy, 0, a->expires);
			cluster(sim, line, a);
		} else {
			emit(sim, line, sw_phone_note_name((enum sw_phone_note)a->note), NULL,
			     a->server, a->target, 0, a->code, a->expires);
			if (a->note == SW_PHONE_NOTE_CALL_ANSWERED) {
				uint64_t hold = 30 * SW_NS_PER_S;

				for (unsigned int c = 0; c < sim->script->n_calls; c++)
					if (sim->script->call[c].at <= sim->now &&
					    (sim->script->call[c].line < 0 ||
					     sim->script->call[c].line == (int64_t)line))
						hold = sim->script->call[c].hold;
				sl->hangup_at = sim->now + hold;
			}
		}
	}
	sim->stale += out->stale;
	if (sl->hangup_at != UINT64_MAX &&
	    (out->next_deadline == UINT64_MAX || sl->hangup_at < out->next_deadline)) {
		sw_timer_arm(&sim->wheel, &sl->t, (sl->hangup_at + TICK_NS - 1) / TICK_NS);
	} else if (out->next_deadline == UINT64_MAX) {
		sw_timer_cancel(&sim->wheel, &sl->t);
	} else {
		sw_timer_arm(&sim->wheel, &sl->t, (out->next_deadline + TICK_NS - 1) / TICK_NS);
	}
}

static void
line_timer_cb(struct sw_timer_wheel *w, struct sw_timer *t, void *arg)
{
	struct sw_sim *sim = arg;
	struct sw_sim_line *sl = SW_TIMER_CONTAINER(t, struct sw_sim_line, t);
	uint32_t line = (uint32_t)(sl - sim->lines);
	struct sw_phone_out out;

	(void)w;
	if (sl->hangup_at != UINT64_MAX && sim->now >= sl->hangup_at) {
		sl->hangup_at = UINT64_MAX;
		sw_phone_hangup(&sim->ctx, &sl->l, sim->now, &out);
		apply(sim, line, &out);
	}
	sw_phone_timer(&sim->ctx, &sl->l, sim->now, &out);
	apply(sim, line, &out);
}

int
sw_sim_init(struct sw_sim *sim, const struct sw_timing_cfg *timing, struct sw_phone_account *acc,
            const struct sw_sim_script *script, struct sw_sim_line *lines, uint32_t n_lines,
            sw_sim_sink sink, void *arg)
{
	int rc;

	if (sim == NULL || acc == NULL || script == NULL || (lines == NULL && n_lines > 0))
		return -EINVAL;
	memset(sim, 0, sizeof(*sim));
	/* at most a few answers per line are in flight at once: 8 per line, at least 4096 */
	sim->q_mask = 4095;
	while (sim->q_mask < 8 * (uint64_t)n_lines)
		sim->q_mask = sim->q_mask * 2 + 1;
	sim->queue = calloc(sim->q_mask + 1, sizeof(*sim->queue));
	if (sim->queue == NULL)
		return -ENOMEM;
	acc->n_targets[0] = script->n_targets[0];
	acc->n_targets[1] = script->n_targets[1];
	for (unsigned int y = 0; y < SW_MAX_SERVERS; y++)
		if (acc->dns_expiry[y] == 0)
			acc->dns_expiry[y] = UINT64_MAX;
	rc = sw_phone_ctx_init(&sim->ctx, timing, acc, 1, 0);
	if (rc != 0)
		return rc;
	sim->script = script;
	sim->lines = lines;
	sim->n_lines = n_lines;
	sim->sink = sink;
	sim->sink_arg = arg;
	sw_timer_wheel_init(&sim->wheel, 0, line_timer_cb, sim);
	for (uint32_t i = 0; i < n_lines; i++) {
		struct sw_phone_out out;

		sw_phone_line_init(&lines[i].l, 0, i);
		memset(&lines[i].t, 0, sizeof(lines[i].t));
		lines[i].hangup_at = UINT64_MAX;
		if (sw_phone_start(&sim->ctx, &lines[i].l, 0, &out) == 0)
			apply(sim, i, &out);
	}
	return 0;
}

void
sw_sim_fini(struct sw_sim *sim)
{
	free(sim->queue);
	sim->queue = NULL;
}

static void
deliver(struct sw_sim *sim)
{
	struct sw_sim_pending p = sim->queue[sim->q_head++ & sim->q_mask];
	struct sw_phone_out out;

	sim->now = p.due;
	sim->answered++;
	emit(sim, p.line, "recv", sw_phone_method_name((enum sw_phone_method)p.method), p.server,
	     p.target, 0, p.resp.code, 0);
	sw_phone_response(&sim->ctx, &sim->lines[p.line].l, sim->now, p.tag, &p.resp, &out);
	apply(sim, p.line, &out);
}

static void
scripted(struct sw_sim *sim, uint64_t t)
{
	/* calls and the stop that are due at or before t */
	while (sim->next_call < sim->script->n_calls && sim->script->call[sim->next_call].at <= t) {
		const struct sw_sim_call *c = &sim->script->call[sim->next_call++];

		sim->now = c->at;
		for (uint32_t i = 0; i < sim->n_lines; i++) {
			struct sw_phone_out out;

			if (c->line >= 0 && (int64_t)i != c->line)
				continue;
			if (sw_phone_call(&sim->ctx, &sim->lines[i].l, sim->now, &out) == 0 ||
			    out.n > 0)
				apply(sim, i, &out);
		}
	}
	if (!sim->stopped && sim->script->stop_at <= t) {
		sim->stopped = true;
		sim->now = sim->script->stop_at;
		for (uint32_t i = 0; i < sim->n_lines; i++) {
			struct sw_phone_out out;

			sim->lines[i].hangup_at = UINT64_MAX;
			sw_phone_stop(&sim->ctx, &sim->lines[i].l, sim->now,
			              sim->script->stop_unregister, &out);
			apply(sim, i, &out);
		}
	}
}

int
sw_sim_run(struct sw_sim *sim, uint64_t until)
{
	for (;;) {
		uint64_t hint = sw_timer_wheel_next_hint(&sim->wheel);
		uint64_t t_timer = hint == UINT64_MAX ? UINT64_MAX : hint * TICK_NS;
		uint64_t t_queue = sim->q_head != sim->q_tail
		                           ? sim->queue[sim->q_head & sim->q_mask].due
		                           : UINT64_MAX;
		uint64_t t_script = UINT64_MAX;

		if (sim->next_call < sim->script->n_calls)
			t_script = sim->script->call[sim->next_call].at;
		if (!sim->stopped && sim->script->stop_at < t_script)
			t_script = sim->script->stop_at;
		if (t_script <= t_queue && t_script <= t_timer && t_script <= until) {
			scripted(sim, t_script);
			continue;
		}
		if (t_queue <= t_timer && t_queue <= until) {
			deliver(sim);
			continue;
		}
		if (t_timer == UINT64_MAX || t_timer > until)
			break;
		sim->now = t_timer;
		sw_timer_wheel_advance(&sim->wheel, hint, 0);
	}
	if (until != UINT64_MAX && sim->now < until)
		sim->now = until;
	return 0;
}
