/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: one datagram from a hostile peer into a two-server cluster (a registered line
 * "bob" to proxy to, a delay window on the second server), at a fixed virtual time so that the
 * seed corpus can carry valid credentials. Whatever the cluster sends must itself be SIP that
 * lib/sip accepts, and the counters must add up. The registrar does not decode the top Via (it
 * answers the source address, RFC 3581, and echoes the Vias as they came), so an answer is
 * checked without that decoding; what the proxy forwards is checked with it, and without the
 * challenge decoding the cluster never asks of its input. A second cluster gets the datagram three
 * times in one sw_cluster_input_burst_to() call, with a room for its answers (never written
 * past), the first three single calls: what both send and count must be the same, byte for
 * byte. Every answer template built for the datagram
 * (when it parses as the registrar parses) must be what lib/sip's sw_sip_build() gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_private.h"
#include "sw_cluster.h"
#include "sw_sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW      (1000 * UINT64_C(1000000000))
#define SRC_IP   UINT32_C(0xC6120003) /* 198.18.0.3 */
#define SRC_PORT 5064

/* What a cluster sent: a running FNV-1a hash of the datagrams and their fields. */
struct sent {
	uint64_t h;
	unsigned n;
};

static void
mix(struct sent *s, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s->h = (s->h ^ ((const uint8_t *)p)[i]) * UINT64_C(0x100000001B3);
}

static void
check(void *arg, const struct sw_cluster_dgram *d)
{
	struct sent *s = arg;
	struct sw_sip_msg m;

	if (d->len == 0 || d->data == NULL)
		abort();
	s->n++;
	mix(s, &d->due, sizeof(d->due));
	mix(s, &d->dst_ip, sizeof(d->dst_ip));
	mix(s, &d->dst_port, sizeof(d->dst_port));
	mix(s, &d->server, sizeof(d->server));
	mix(s, &d->relayed, sizeof(d->relayed));
	mix(s, d->data, d->len);
	if (!d->relayed) {
		/* an answer: ours, challenge included; the Vias are echoed as they came */
		if (sw_sip_parse(&m, d->data, d->len, SW_SIP_WANT_ALL & ~SW_SIP_WANT_VIA) !=
		    SW_SIP_OK)
			abort();
	} else if (sw_sip_parse(&m, d->data, d->len, SW_SIP_WANT_ALL & ~SW_SIP_WANT_AUTH) !=
	           SW_SIP_OK) {
		/* forwarded or relayed: valid as the cluster wanted its input, top Via decoded */
		abort();
	}
}

/* The burst's room (sw_cluster_room): a size from the input, guard bytes after it. */
static struct {
	size_t cap;
	char buf[2048 + 64];
} room;

static char *
room_offer(void *arg, size_t *cap)
{
	(void)arg;
	memset(room.buf + room.cap, 0xa5, 64);
	*cap = room.cap;
	return room.buf;
}

static void
room_emit(void *arg, const struct sw_cluster_dgram *d)
{
	if (d->data == room.buf)
		for (unsigned k = 0; k < 64; k++)
			if ((unsigned char)room.buf[room.cap + k] != 0xa5)
				abort(); /* written past the room */
	check(arg, d);
}

static struct sw_cluster *
cluster(unsigned which)
{
	static struct sw_cluster *cs[2];
	struct sw_cluster *c = cs[which];
	static const char reg[] = "at 0 server 2 delay 5\n";
	struct sw_cluster_cfg cfg;

	if (c != NULL)
		return c;
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_servers = 2;
	cfg.server[0].ip = UINT32_C(0xC6120100);
	cfg.server[0].port = 5060;
	cfg.server[1].ip = UINT32_C(0xC6120101);
	cfg.server[1].port = 5060;
	cfg.server[1].group = 1;
	cfg.realm = "sipswarm.test";
	cfg.password_rule = "pw{user}";
	cfg.max_bindings = 64;
	cfg.delay_slots = 64;
	cfg.record_route = 1;
	cfg.seed = 1;
	c = sw_cluster_new(&cfg);
	if (c == NULL || sw_cluster_schedule_parse(c, reg, NULL, 0) != 0)
		abort();
	cs[which] = c;
	return c;
}

/* The answers the cluster builds for a request against sw_sip_build() of its templates. */
static void
answers_agree(struct sw_cluster *c, const char *buf, size_t len)
{
	static char fast[SW_SIP_MSG_MAX + 2048], ref[SW_SIP_MSG_MAX + 2048];
	struct sw_sip_msg m;
	struct sw_sip_vars v;
	char tag[12];

	if (sw_sip_parse(&m, buf, len,
	                 SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS) !=
	            SW_SIP_OK ||
	    !m.is_request)
		return;
	cl_to_tag(c, &m, tag);
	memset(&v, 0, sizeof(v));
	cl_nonce_make(&c->nonces, NOW, c->nonce_d.nonce);
	v.digest = &c->nonce_d;
	v.s[SW_SIP_V_REALM] = (struct sw_sip_cstr){c->realm, c->realm_len};
	v.s[SW_SIP_V_REMOTE_TARGET] = (struct sw_sip_cstr){m.contact_uri.p, m.contact_uri.len};
	v.n[SW_SIP_N_EXPIRES] = (uint32_t)len * 2654435761u;
	for (unsigned s = 0; s < c->n_servers; s++)
		for (unsigned t = 0; t < T_COUNT; t++) {
			size_t k = cl_answer_build(c, &c->srv[s], (enum cl_tmpl)t, &m, tag, &v,
			                           buf + len, fast);
			int r = cl_answer_ref(c, &c->srv[s], (enum cl_tmpl)t, &m, tag, &v, ref,
			                      sizeof(ref));
			if (r < 0 || (size_t)r != k || memcmp(fast, ref, k) != 0)
				abort();
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_cluster *c = cluster(0), *cb = cluster(1);
	struct sw_cluster_server_stats st, stb;
	unsigned server = size & 1;
	struct sent one = {UINT64_C(0xcbf29ce484222325), 0}, many = one;
	unsigned e1 = 0, e2;
	struct sw_cluster_rx rx = {.src_ip = SRC_IP,
	                           .dst_ip = UINT32_C(0xC6120100) + server,
	                           .src_port = SRC_PORT,
	                           .dst_port = 5060,
	                           .len = (uint32_t)size,
	                           .buf = (const char *)data};
	struct sw_cluster_rx three[3] = {rx, rx, rx};

	if (size > UINT32_MAX)
		return 0;
	answers_agree(c, (const char *)data, size);
	for (int i = 0; i < 3; i++)
		e1 += sw_cluster_input(c, NOW, SRC_IP, SRC_PORT, UINT32_C(0xC6120100) + server,
		                       5060, (const char *)data, size, check, &one);
	struct sw_cluster_sink sink = {room_emit, room_offer, &many};

	/* the burst builds its answers in a room when they fit, the single calls never */
	room.cap = 256 + size % 1792;
	e2 = sw_cluster_input_burst_to(cb, NOW, three, 3, &sink);
	e1 += sw_cluster_poll(c, NOW + 10 * UINT64_C(1000000), check, &one);
	e2 += sw_cluster_poll(cb, NOW + 10 * UINT64_C(1000000), check, &many);
	if (e1 != e2 || one.n != many.n || one.h != many.h)
		abort();
	sw_cluster_stats(c, server, &st);
	sw_cluster_stats(cb, server, &stb);
	if (memcmp(&st, &stb, sizeof(st)) != 0)
		abort();
	if (st.rx != st.rx_requests + st.rx_responses + st.parse_errors + st.dropped_silent +
	                     st.dropped_capacity)
		abort();
	return 0;
}
