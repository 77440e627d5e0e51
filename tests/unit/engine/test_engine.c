/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker end to end on a virtual clock: frames from sw_engine go to a minimal registrar
 * (responder.c) and its answers come back, 1 ms per step. Asserts registrations with checked
 * digests, the counters' accounting identity, failover and failback through the targets of the
 * static DNS cache, unregistration at stop, and what happens to hostile or misrouted input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "responder.h"
#include "sw_engine.h"
#include "sw_test.h"

#define WIRE_CAP 8192
#define SRV1     0xC6130001u /* 198.19.0.1 */
#define SRV2     0xC6130002u /* 198.19.0.2 */
#define PHONE0   0xC6120001u /* 198.18.0.1 */

struct wire {
	uint8_t (*buf)[2048];
	uint16_t *len;
	unsigned int n;
	const struct responder *to; /* towards the servers: each IPv4 frame must carry the MAC of
	                               the server it is addressed to */
};

static uint8_t *
wire_alloc(void *arg)
{
	struct wire *w = arg;

	return w->n < WIRE_CAP ? w->buf[w->n] : NULL;
}

static void
wire_send(void *arg, uint8_t *frame, uint16_t len)
{
	struct wire *w = arg;

	CU_ASSERT_PTR_EQUAL(frame, w->buf[w->n]);
	if (w->to != NULL && len >= 34 && frame[12] == 0x08 && frame[13] == 0x00) {
		uint32_t dst = (uint32_t)frame[30] << 24 | (uint32_t)frame[31] << 16 |
		               (uint32_t)frame[32] << 8 | frame[33];

		for (unsigned int s = 0; s < w->to->n; s++)
			if (w->to->ip[s] == dst)
				CU_ASSERT(memcmp(frame, w->to->mac[s], 6) == 0);
	}
	w->len[w->n++] = len;
}

static void
wire_init(struct wire *w)
{
	w->buf = calloc(WIRE_CAP, sizeof(*w->buf));
	w->len = calloc(WIRE_CAP, sizeof(*w->len));
	w->n = 0;
}

static void
wire_fini(struct wire *w)
{
	free(w->buf);
	free(w->len);
}

static const char base_cfg[] = "#!version:1.0.0.1\n"
                               "account.1.enable = 1\n"
                               "account.1.user_name = u{phone:03}{line}\n"
                               "account.1.password = pw{phone:03}{line}\n"
                               "account.1.sip_server.1.address = pbx.test\n"
                               "account.1.sip_server.1.port = 5060\n"
                               "account.1.sip_server.1.transport_type = 0\n"
                               "account.1.sip_server.1.expires = 60\n"
                               "account.1.sip_server.1.retry_counts = 2\n"
                               "dns_cache_a.1.name = pbx.test\n"
                               "dns_cache_a.1.ip = 198.19.0.1\n"
                               "dns_cache_a.2.name = pbx.test\n"
                               "dns_cache_a.2.ip = 198.19.0.2\n"
                               "swarm.phones = 100\n"
                               "swarm.lines_per_phone = 1\n"
                               "swarm.src_ip = 198.18.0.1\n"
                               "swarm.src_ip_count = 100\n"
                               "swarm.register_rate = 1000\n"
                               "swarm.seed = 3\n";

/* a run: config, routes, n workers, the registrar, the two directions of the wire */
struct run {
	struct sw_config *config;
	struct sw_engine_routes routes;
	struct sw_sip_token_key key;
	struct sw_engine *w[2];
	unsigned int n_workers;
	struct wire to_srv, to_eng;
	struct responder r;
	uint64_t now;
};

static struct run *
run_new(const char *extra, unsigned int n_workers)
{
	struct run *run = calloc(1, sizeof(*run));
	struct sw_dns_source src;
	char err[256];

	run->config = sw_config_new();
	CU_ASSERT_EQUAL_FATAL(sw_config_parse(run->config, "test.cfg", base_cfg, strlen(base_cfg)),
	                      0);
	if (extra != NULL)
		CU_ASSERT_EQUAL_FATAL(
		        sw_config_parse(run->config, "extra.cfg", extra, strlen(extra)), 0);
	CU_ASSERT_EQUAL_FATAL(sw_config_finish(run->config), 0);
	sw_dns_static_source(&src, sw_config_dns_cache(run->config));
	CU_ASSERT_EQUAL_FATAL(
	        sw_engine_routes_build(&run->routes, run->config, 0, 1, &src, err, sizeof(err)), 0);
	run->key = (struct sw_sip_token_key){0x1234, 0x5678};
	wire_init(&run->to_srv);
	wire_init(&run->to_eng);
	run->r = (struct responder){.n = 2, .ip = {SRV1, SRV2}, .grant = 60, .realm = "pbx.test"};
	run->r.mac[0][0] = run->r.mac[1][0] = 2;
	run->r.mac[0][5] = 1;
	run->r.mac[1][5] = 2;
	run->to_srv.to = &run->r;
	run->n_workers = n_workers;
	run->now = 1000 * SW_NS_PER_S; /* the run starts at an arbitrary time */
	for (unsigned int k = 0; k < n_workers; k++) {
		struct sw_engine_cfg c = {
		        .config = run->config,
		        .routes = &run->routes,
		        .key = &run->key,
		        .shard_k = 0,
		        .shard_n = 1,
		        .worker = k,
		        .n_workers = n_workers,
		        .mac = {2, 0, 0, 0, 0, 0x10},
		        .udp_csum = true,
		        .start = run->now,
		        .register_rate = 1000.0 / n_workers,
		        .io = {wire_alloc, wire_send, NULL, &run->to_srv},
		};

		run->w[k] = sw_engine_new(&c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(run->w[k]);
	}
	return run;
}

static void
run_free(struct run *run)
{
	for (unsigned int k = 0; k < run->n_workers; k++)
		sw_engine_free(run->w[k]);
	sw_engine_routes_free(&run->routes);
	sw_config_free(run->config);
	wire_fini(&run->to_srv);
	wire_fini(&run->to_eng);
	free(run);
}

/* deliver what is on the wire until it is quiet (answers arrive in the same millisecond);
 * look (may be NULL) sees each batch on its way to the servers */
static void
run_deliver_look(struct run *run, void (*look)(struct run *run, void *arg), void *arg)
{
	while (run->to_srv.n > 0) {
		if (look != NULL)
			look(run, arg);
		for (unsigned int i = 0; i < run->to_srv.n; i++)
			run->to_eng.n += responder_input(
			        &run->r, run->to_srv.buf[i], run->to_srv.len[i],
			        run->to_eng.buf + run->to_eng.n, run->to_eng.len + run->to_eng.n,
			        WIRE_CAP - run->to_eng.n);
		run->to_srv.n = 0;
		for (unsigned int i = 0; i < run->to_eng.n; i++)
			for (unsigned int k = 0; k < run->n_workers; k++)
				sw_engine_rx(run->w[k], run->now, run->to_eng.buf[i],
				             run->to_eng.len[i]);
		for (unsigned int k = 0; k < run->n_workers; k++)
			sw_engine_flush(run->w[k]);
		run->to_eng.n = 0;
	}
}

static void
run_deliver(struct run *run)
{
	run_deliver_look(run, NULL, NULL);
}

/* advance the virtual clock to t seconds after the start, 1 ms at a time */
static void
run_until(struct run *run, uint64_t start, double t)
{
	uint64_t end = start + (uint64_t)(t * 1e9);

	while (run->now < end) {
		run->now += SW_NS_PER_MS;
		for (unsigned int k = 0; k < run->n_workers; k++)
			sw_engine_poll(run->w[k], run->now, 100000);
		run_deliver(run);
	}
}

static uint64_t
sum(const struct run *run, enum sw_engine_counter c)
{
	uint64_t s = 0;

	for (unsigned int k = 0; k < run->n_workers; k++)
		s += sw_engine_stats(run->w[k])->c[c];
	return s;
}

static void
assert_accounting(const struct run *run)
{
	uint64_t started = sum(run, SW_ENGINE_C_TXN_STARTED);
	uint64_t ended = sum(run, SW_ENGINE_C_TXN_ANSWERED) + sum(run, SW_ENGINE_C_TXN_TIMEOUT) +
	                 sum(run, SW_ENGINE_C_TXN_TRANSPORT_ERROR) +
	                 sum(run, SW_ENGINE_C_TXN_CANCELLED);

	CU_ASSERT_EQUAL(started, ended + sum(run, SW_ENGINE_C_TXN_IN_FLIGHT));
}

static uint64_t
registered_at(const struct run *run, unsigned int sid)
{
	uint64_t s = 0;

	for (unsigned int k = 0; k < run->n_workers; k++)
		s += sw_engine_stats(run->w[k])->srv_registered[sid];
	return s;
}

static void
test_every_line_registers_with_a_checked_digest(void)
{
	struct run *run = run_new(NULL, 1);
	uint64_t t0 = run->now;
	const struct sw_engine_stats *st = sw_engine_stats(run->w[0]);

	CU_ASSERT_EQUAL(sw_engine_line_count(run->w[0]), 100);
	CU_ASSERT_EQUAL(run->routes.n_servers, 2);
	run_until(run, t0, 0.050);
	/* 1000 lines/s: about 50 started after 50 ms, none early */
	CU_ASSERT_TRUE(st->c[SW_ENGINE_C_LINES_STARTED] >= 49 &&
	               st->c[SW_ENGINE_C_LINES_STARTED] <= 51);
	run_until(run, t0, 1.0);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_LINES_STARTED], 100);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_START_LATE], 0);
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	CU_ASSERT_EQUAL(registered_at(run, 0), 100);
	CU_ASSERT_EQUAL(run->r.challenged, 100);
	CU_ASSERT_EQUAL(run->r.accepted, 100);
	CU_ASSERT_EQUAL(run->r.bad_digest, 0);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_ARP_ASKED], 1);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_RX_401], 100);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_TX_AUTH], 100);
	CU_ASSERT_EQUAL(st->h[SW_ENGINE_H_FIRST_REGISTER].count, 100);
	assert_accounting(run);
	/* refreshes reuse the nonce (nc 2, 3 ...) and keep every line registered */
	run_until(run, t0, 200.0);
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	CU_ASSERT_TRUE(run->r.accepted >= 100 + 5 * 100);
	CU_ASSERT_EQUAL(run->r.challenged, 100);
	CU_ASSERT_EQUAL(run->r.bad_digest, 0);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_TXN_IN_FLIGHT], 0);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_TXN_TIMEOUT], 0);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_UNREGISTERED], 0);
	assert_accounting(run);
	run_free(run);
}

static void
test_a_silent_primary_moves_every_line_to_the_secondary_and_back(void)
{
	struct run *run = run_new(NULL, 1);
	uint64_t t0 = run->now;
	const struct sw_engine_stats *st = sw_engine_stats(run->w[0]);

	run_until(run, t0, 10.0);
	CU_ASSERT_EQUAL(registered_at(run, 0), 100);
	run->r.silent[0] = true;
	run_until(run, t0, 150.0);
	/* refreshes time out on the primary and go to the secondary */
	CU_ASSERT_EQUAL(registered_at(run, 1), 100);
	CU_ASSERT_EQUAL(registered_at(run, 0), 0);
	CU_ASSERT_TRUE(st->c[SW_ENGINE_C_FAILOVER] >= 100);
	CU_ASSERT_TRUE(st->c[SW_ENGINE_C_TXN_TIMEOUT] >= 100);
	CU_ASSERT_TRUE(st->c[SW_ENGINE_C_TX_RETRANS] > 0);
	CU_ASSERT_EQUAL(run->r.bad_digest, 0);
	assert_accounting(run);
	/* failback_mode 0: the next refresh tries the primary first again */
	run->r.silent[0] = false;
	run_until(run, t0, 300.0);
	CU_ASSERT_EQUAL(registered_at(run, 0), 100);
	CU_ASSERT_EQUAL(registered_at(run, 1), 0);
	CU_ASSERT_TRUE(st->c[SW_ENGINE_C_FAILBACK] >= 100);
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	assert_accounting(run);
	run_free(run);
}

static void
test_stop_unregisters_every_line_and_ends_every_transaction(void)
{
	struct run *run = run_new(NULL, 1);
	uint64_t t0 = run->now;
	const struct sw_engine_stats *st = sw_engine_stats(run->w[0]);

	run_until(run, t0, 5.0);
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	sw_engine_stop(run->w[0], run->now, true);
	run_deliver(run);
	run_until(run, t0, 10.0);
	CU_ASSERT_EQUAL(run->r.unregistered, 100);
	CU_ASSERT_EQUAL(st->lines_registered, 0);
	CU_ASSERT_EQUAL(registered_at(run, 0), 0);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_TXN_IN_FLIGHT], 0);
	assert_accounting(run);
	run_free(run);
}

static void
test_unregistrations_at_stop_go_out_at_the_admission_rate(void)
{
	struct run *run = run_new(NULL, 1);
	uint64_t t0 = run->now;
	const struct sw_engine_stats *st = sw_engine_stats(run->w[0]);

	run_until(run, t0, 5.0);
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	uint64_t sent = st->c[SW_ENGINE_C_TX_REGISTER];

	/* 1,000 per second: 50 ms after the stop about 50 have gone, the rest wait */
	sw_engine_stop(run->w[0], run->now, true);
	sw_engine_stop(run->w[0], run->now, true); /* a second stop changes nothing */
	run_deliver(run);
	run_until(run, t0, 5.05);
	uint64_t early = st->c[SW_ENGINE_C_TX_REGISTER] - sent;

	CU_ASSERT_TRUE(early >= 45 && early <= 52);
	CU_ASSERT_TRUE(sw_engine_stopping(run->w[0]) >= 45);
	CU_ASSERT_EQUAL(st->lines_registered, 100 - run->r.unregistered);
	run_until(run, t0, 5.2);
	CU_ASSERT_EQUAL(sw_engine_stopping(run->w[0]), 0);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_TX_REGISTER] - sent, 100);
	CU_ASSERT_EQUAL(run->r.unregistered, 100);
	CU_ASSERT_EQUAL(st->lines_registered, 0);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_TXN_IN_FLIGHT], 0);
	assert_accounting(run);
	run_free(run);
}

static void
test_two_workers_split_the_lines_and_ignore_each_others_answers(void)
{
	struct run *run = run_new(NULL, 2);
	uint64_t t0 = run->now;

	CU_ASSERT_EQUAL(sw_engine_line_count(run->w[0]) + sw_engine_line_count(run->w[1]), 100);
	run_until(run, t0, 2.0);
	/* every answer reached both workers (the test wire broadcasts): each took its own and
	 * counted the other's */
	CU_ASSERT_EQUAL(sw_engine_stats(run->w[0])->lines_registered, 50);
	CU_ASSERT_EQUAL(sw_engine_stats(run->w[1])->lines_registered, 50);
	CU_ASSERT_TRUE(sum(run, SW_ENGINE_C_RX_OTHER_WORKER) >= 200);
	CU_ASSERT_EQUAL(run->r.bad_digest, 0);
	assert_accounting(run);
	run_free(run);
}

static void
test_hostile_frames_are_counted_and_change_nothing(void)
{
	struct run *run = run_new(NULL, 1);
	uint64_t t0 = run->now;
	const struct sw_engine_stats *st = sw_engine_stats(run->w[0]);
	static uint8_t f[2048];
	const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
	struct sw_net_udp_out o = {mac, mac, SRV1, PHONE0, 5060, 5060, 1, true, false};
	static const char forged[] =
	        "SIP/2.0 200 OK\r\n"
	        "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bKAAAAAAAAAAAAAAAA\r\n"
	        "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\n"
	        "Call-ID: x\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
	static const char options[] = "OPTIONS sip:u001@198.18.0.1 SIP/2.0\r\n"
	                              "Via: SIP/2.0/UDP 198.19.0.1:5060;branch=z9hG4bKk1\r\n"
	                              "From: <sip:pbx.test>;tag=9\r\nTo: <sip:u001@198.18.0.1>\r\n"
	                              "Call-ID: ka1\r\nCSeq: 7 OPTIONS\r\nMax-Forwards: 70\r\n"
	                              "Content-Length: 0\r\n\r\n";

	run_until(run, t0, 2.0);
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	memcpy(f + SW_NET_HDR_LEN, forged, sizeof(forged) - 1);
	size_t n = sw_net_udp_write(f, &o, sizeof(forged) - 1);

	sw_engine_rx(run->w[0], run->now, f, n);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_RX_BAD_TOKEN], 1);
	memcpy(f + SW_NET_HDR_LEN, "SIP/2.0 2", 9);
	n = sw_net_udp_write(f, &o, 9);
	sw_engine_rx(run->w[0], run->now, f, n);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_RX_PARSE_ERROR], 1);
	sw_engine_rx(run->w[0], run->now, f, 20);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_RX_NET_DROP], 1);
	CU_ASSERT_EQUAL(st->net_drop[SW_NET_DROP_SHORT], 1);
	/* a server's OPTIONS keep-alive gets a 200 back to where it came from */
	memcpy(f + SW_NET_HDR_LEN, options, sizeof(options) - 1);
	n = sw_net_udp_write(f, &o, sizeof(options) - 1);
	run->to_srv.n = 0;
	sw_engine_rx(run->w[0], run->now, f, n);
	CU_ASSERT_EQUAL_FATAL(run->to_srv.n, 1);
	struct sw_net_pkt p;
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL_FATAL(sw_net_classify(run->to_srv.buf[0], run->to_srv.len[0], &p),
	                      SW_NET_K_UDP);
	CU_ASSERT_EQUAL(p.dst_ip, SRV1);
	CU_ASSERT_EQUAL(p.src_ip, PHONE0);
	CU_ASSERT_EQUAL_FATAL(
	        sw_sip_parse(&m, (const char *)p.payload, p.payload_len, SW_SIP_WANT_ALL),
	        SW_SIP_OK);
	CU_ASSERT_EQUAL(m.status, 200);
	CU_ASSERT_EQUAL(m.cseq, 7);
	CU_ASSERT_EQUAL(m.cseq_method, SW_SIP_METHOD_OPTIONS);
	run->to_srv.n = 0;
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	/* an ARP request for a phone address is answered with the port's MAC */
	n = sw_net_arp_write(f, 1, mac, SRV1, NULL, PHONE0 + 42);
	sw_engine_rx(run->w[0], run->now, f, n);
	CU_ASSERT_EQUAL_FATAL(run->to_srv.n, 1);
	CU_ASSERT_EQUAL(sw_net_classify(run->to_srv.buf[0], run->to_srv.len[0], &p),
	                SW_NET_K_ARP_REPLY);
	CU_ASSERT_EQUAL(p.src_ip, PHONE0 + 42);
	CU_ASSERT_EQUAL(p.src_mac[5], 0x10);
	run->to_srv.n = 0;
	/* ... but not for an address outside the phones' range */
	n = sw_net_arp_write(f, 1, mac, SRV1, NULL, PHONE0 + 100);
	sw_engine_rx(run->w[0], run->now, f, n);
	CU_ASSERT_EQUAL(run->to_srv.n, 0);
	assert_accounting(run);
	run_free(run);
}

/* the answer to a line's REGISTER is recognised by the MAC the line kept for its branch: a
 * branch with that MAC but another transaction, or that transaction with another MAC, is
 * refused like any forgery; the true one is taken */
static void
test_a_branch_is_taken_only_with_its_own_mac_and_transaction(void)
{
	struct run *run = run_new(NULL, 1);
	const struct sw_engine_stats *st = sw_engine_stats(run->w[0]);
	static uint8_t f[2048];
	const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
	struct sw_net_udp_out o = {mac, mac, SRV1, PHONE0, 5060, 5060, 1, true, false};
	struct sw_net_pkt p;
	struct sw_sip_msg m;
	struct sw_sip_token tok;
	uint32_t tmac;
	char br[7 + SW_SIP_TOKEN_LEN], text[512];

	/* every line registered (the server's address learned), then the first refresh REGISTER,
	 * not answered */
	run_until(run, run->now, 2.0);
	CU_ASSERT_EQUAL_FATAL(st->lines_registered, 100);
	uint64_t answered = st->c[SW_ENGINE_C_TXN_ANSWERED], bad = st->c[SW_ENGINE_C_RX_BAD_TOKEN];

	for (int k = 0; k < 120000 && run->to_srv.n == 0; k++) {
		run->now += SW_NS_PER_MS;
		sw_engine_poll(run->w[0], run->now, 1);
	}
	CU_ASSERT_EQUAL_FATAL(run->to_srv.n, 1);
	CU_ASSERT_EQUAL_FATAL(sw_net_classify(run->to_srv.buf[0], run->to_srv.len[0], &p),
	                      SW_NET_K_UDP);
	CU_ASSERT_EQUAL_FATAL(
	        sw_sip_parse(&m, (const char *)p.payload, p.payload_len, SW_SIP_WANT_ALL),
	        SW_SIP_OK);
	CU_ASSERT_EQUAL_FATAL(m.via_branch.len, sizeof(br));
	memcpy(br, m.via_branch.p, sizeof(br));
	CU_ASSERT_EQUAL_FATAL(sw_sip_branch_read(m.via_branch, &tok, &tmac), 0);
	CU_ASSERT_EQUAL(sw_sip_token_check(&run->key, SW_SIP_TOKEN_BRANCH, &tok, tmac), 0);
	run->to_srv.n = 0;
	for (int k = 0; k < 3; k++) {
		char b[sizeof(br)];

		memcpy(b, br, sizeof(b));
		if (k == 0) /* the last character: 6 bits of the MAC */
			b[sizeof(b) - 1] = b[sizeof(b) - 1] == 'A' ? 'B' : 'A';
		else if (k == 1) /* character 9: payload bits 9..4 (the transaction), same MAC */
			b[7 + 9] = b[7 + 9] == 'A' ? 'B' : 'A';
		int len = snprintf(
		        text, sizeof(text),
		        "SIP/2.0 200 OK\r\n"
		        "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=%.*s\r\n"
		        "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\n"
		        "Call-ID: x\r\nCSeq: 1 REGISTER\r\nContact: <sip:a@b>;expires=60\r\n"
		        "Content-Length: 0\r\n\r\n",
		        (int)sizeof(b), b);

		memcpy(f + SW_NET_HDR_LEN, text, (size_t)len);
		size_t n = sw_net_udp_write(f, &o, (uint16_t)len);

		sw_engine_rx(run->w[0], run->now, f, n);
		CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_RX_BAD_TOKEN] - bad, k < 2 ? (uint64_t)k + 1 : 2);
		CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_TXN_ANSWERED] - answered, k < 2 ? 0 : 1);
	}
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	assert_accounting(run);
	run_free(run);
}

/* the set-up of run_new() for one worker, to change before run_replace_worker() */
static struct sw_engine_cfg
one_worker_cfg(struct run *run)
{
	return (struct sw_engine_cfg){
	        .config = run->config,
	        .routes = &run->routes,
	        .key = &run->key,
	        .shard_n = 1,
	        .n_workers = 1,
	        .mac = {2, 0, 0, 0, 0, 0x10},
	        .udp_csum = true,
	        .start = run->now,
	        .register_rate = 1000,
	        .io = {wire_alloc, wire_send, NULL, &run->to_srv},
	};
}

/* worker 0 of a one-worker run made again from c */
static void
run_replace_worker(struct run *run, const struct sw_engine_cfg *c)
{
	sw_engine_free(run->w[0]);
	run->w[0] = sw_engine_new(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(run->w[0]);
}

static void
test_an_avalanche_starts_every_line_at_once(void)
{
	struct run *run = run_new(NULL, 1);
	uint64_t t0 = run->now;

	/* the test passes avalanche through the engine cfg: rebuild worker 0 with it */
	struct sw_engine_cfg c = one_worker_cfg(run);

	c.udp_csum = false;
	c.avalanche = true;
	c.register_rate = 10;
	run_replace_worker(run, &c);
	run_until(run, t0, 0.001);
	CU_ASSERT_EQUAL(sw_engine_stats(run->w[0])->c[SW_ENGINE_C_LINES_STARTED], 100);
	/* the first REGISTERs went out before ARP had the next hop: counted, then sent again
	 * by the lines' own retransmission timers */
	CU_ASSERT_EQUAL(sw_engine_stats(run->w[0])->c[SW_ENGINE_C_TX_NO_NEIGH], 100);
	run_until(run, t0, 2.0);
	CU_ASSERT_EQUAL(sw_engine_stats(run->w[0])->lines_registered, 100);
	assert_accounting(run);
	run_free(run);
}

static void
test_a_closed_loop_starts_lines_only_as_transactions_end(void)
{
	struct run *run = run_new(NULL, 1);
	uint64_t t0 = run->now;
	struct sw_engine_cfg c = one_worker_cfg(run);

	c.register_rate = 0; /* every line due at once: the limit alone paces them */
	c.max_in_flight = 10;
	run_replace_worker(run, &c);
	const struct sw_engine_stats *st = sw_engine_stats(run->w[0]);

	/* the first step: 10 lines and no more (their REGISTERs wait for ARP, then go out
	 * again at T1: the limit holds the other 90 meanwhile) */
	run_until(run, t0, 0.001);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_LINES_STARTED], 10);
	run_until(run, t0, 0.4);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_LINES_STARTED], 10);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_TXN_IN_FLIGHT], 10);
	unsigned int steps = 0;

	/* then each step's answers end transactions (401, then 200) and the next step starts as
	 * many lines: never more than 10 in flight after a poll */
	while (st->lines_registered < 100 && steps < 1000) {
		run->now += SW_NS_PER_MS;
		sw_engine_poll(run->w[0], run->now, 100000);
		CU_ASSERT(st->c[SW_ENGINE_C_TXN_IN_FLIGHT] <= 10);
		run_deliver(run);
		steps++;
	}
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_LINES_STARTED], 100);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_TXN_TIMEOUT], 0);
	/* a start the limit held counts its lag from the poll that let it go: none is late,
	 * though the last lines were due half a second before they could start */
	CU_ASSERT(sw_hist_quantile(&st->h[SW_ENGINE_H_START_LAG], 1.0) <= 2 * SW_NS_PER_MS);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_START_LATE], 0);
	assert_accounting(run);
	run_free(run);
}

static void
test_a_bad_set_up_is_refused(void)
{
	struct sw_engine_cfg c = {0};

	errno = 0;
	CU_ASSERT_PTR_NULL(sw_engine_new(&c));
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_PTR_NULL(sw_engine_new(NULL));
	for (int i = 0; i < SW_ENGINE_C_MAX; i++)
		CU_ASSERT_STRING_NOT_EQUAL(sw_engine_counter_name(i), "?");
}

static void
test_a_re_resolution_moves_lines_to_the_new_targets_at_their_next_refresh(void)
{
	/* the name now resolves to the secondary only (an operator drained the primary) */
	static const char moved[] = "#!version:1.0.0.1\n"
	                            "account.1.enable = 1\n"
	                            "account.1.sip_server.1.address = pbx.test\n"
	                            "dns_cache_a.1.name = pbx.test\n"
	                            "dns_cache_a.1.ip = 198.19.0.2\n"
	                            "dns_cache_a.1.ttl = 120\n";
	struct run *run = run_new(NULL, 1);
	uint64_t t0 = run->now;
	const struct sw_engine_stats *st = sw_engine_stats(run->w[0]);
	struct sw_config *c2 = sw_config_new();
	struct sw_dns_source src2;
	struct sw_engine_routes next, again;
	bool changed = false;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(sw_config_parse(c2, "moved.cfg", moved, sizeof(moved) - 1), 0);
	CU_ASSERT_EQUAL_FATAL(sw_config_finish(c2), 0);
	sw_dns_static_source(&src2, sw_config_dns_cache(c2));
	run_until(run, t0, 5.0);
	CU_ASSERT_EQUAL(registered_at(run, 0), 100);
	CU_ASSERT_EQUAL_FATAL(sw_engine_routes_rebuild(&next, &run->routes, run->config, &src2,
	                                               run->now, &changed, err, sizeof(err)),
	                      0);
	CU_ASSERT_TRUE(changed);
	CU_ASSERT_EQUAL(next.n_servers, 2); /* both addresses known: indexes kept */
	CU_ASSERT_EQUAL(next.r[0].n_targets[0], 1);
	CU_ASSERT_EQUAL(next.r[0].t[0][0][0].ip, SRV2);
	CU_ASSERT_EQUAL(next.r[0].t[0][0][0].sid, 1);
	CU_ASSERT_EQUAL(next.r[0].ttl[0], 120);
	CU_ASSERT_EQUAL(sw_engine_routes_expiry(&next), run->now + 120 * SW_NS_PER_S);
	/* the same answer again changes nothing */
	CU_ASSERT_EQUAL_FATAL(sw_engine_routes_rebuild(&again, &next, run->config, &src2, run->now,
	                                               &changed, err, sizeof(err)),
	                      0);
	CU_ASSERT_FALSE(changed);
	sw_engine_routes_free(&again);
	/* the worker takes the new list at its next poll, not before */
	sw_engine_offer_routes(run->w[0], &next);
	CU_ASSERT_FALSE(sw_engine_routes_adopted(run->w[0], &next));
	run_until(run, t0, 5.001);
	CU_ASSERT_TRUE(sw_engine_routes_adopted(run->w[0], &next));
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_ROUTES_ADOPTED], 1);
	/* refreshes (expiry 60 s) now go to the secondary: no line is left on the primary, none
	 * is unregistered on the way, nothing timed out */
	run_until(run, t0, 80.0);
	CU_ASSERT_EQUAL(registered_at(run, 1), 100);
	CU_ASSERT_EQUAL(registered_at(run, 0), 0);
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_TXN_TIMEOUT], 0);
	CU_ASSERT_EQUAL(run->r.bad_digest, 0);
	assert_accounting(run);
	run_free(run);
	sw_engine_routes_free(&next);
	sw_config_free(c2);
}

static void
test_a_real_time_account_s_resolution_ends_as_soon_as_it_is_made(void)
{
	struct run *run = run_new("#!version:1.0.0.1\naccount.1.dns_cache_type = 0\n", 1);

	run->routes.resolved_ns = 7;
	CU_ASSERT_EQUAL(sw_engine_routes_expiry(&run->routes), 7);
	run_free(run);
	run = run_new(NULL, 1);
	run->routes.resolved_ns = 7;
	CU_ASSERT_EQUAL(sw_engine_routes_expiry(&run->routes), 7 + 300 * SW_NS_PER_S);
	run_free(run);
}

/* every frame on the wire to the servers whose Via and Contact do not name the address and
 * port the datagram left from, or whose branch is not a token of key; *checked counts the
 * REGISTERs looked at */
static unsigned int
wrong_addresses(const struct wire *w, const struct sw_sip_token_key *key, unsigned int *checked)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < w->n; i++) {
		struct sw_net_pkt p;
		char msg[2048], via[80], contact[80], addr[32];

		if (sw_net_classify(w->buf[i], w->len[i], &p) != SW_NET_K_UDP)
			continue;
		memcpy(msg, p.payload, p.payload_len);
		msg[p.payload_len] = '\0';
		snprintf(addr, sizeof(addr), "%u.%u.%u.%u:%u", p.src_ip >> 24,
		         (p.src_ip >> 16) & 255, (p.src_ip >> 8) & 255, p.src_ip & 255, p.src_port);
		snprintf(via, sizeof(via), "\r\nVia: SIP/2.0/UDP %s;rport;", addr);
		snprintf(contact, sizeof(contact), "@%s>\r\n", addr);
		bad += strstr(msg, via) == NULL || strstr(msg, contact) == NULL;
		/* the first REGISTER's branch is hashed before the line starts (prehash_starts),
		 * the others' in their signing burst: each must still be the line's own token */
		const char *br = strstr(msg, ";branch=");
		struct sw_sip_token tok;

		bad += br == NULL ||
		       sw_sip_branch_decode(key, (struct sw_sip_str){br + 8, 7 + SW_SIP_TOKEN_LEN},
		                            &tok) != 0 ||
		       br[8 + 7 + SW_SIP_TOKEN_LEN] != '\r';
		(*checked)++;
	}
	return bad;
}

struct address_look {
	unsigned int checked, bad;
};

/* run_deliver_look(): wrong_addresses() of each batch */
static void
look_addresses(struct run *run, void *arg)
{
	struct address_look *a = arg;

	a->bad += wrong_addresses(&run->to_srv, &run->key, &a->checked);
}

/* 300 lines on 100 addresses from 198.18.0.200: the addresses cross into 198.18.1.x and the
 * ports go 5060, 5061, 5062, so the /24 and the port a worker keeps formatted (put_addr)
 * change along the way, in the first REGISTERs and in the authenticated ones (sent in
 * bursts, out of the lines' order) */
static void
test_every_register_names_its_line_s_own_address_port_and_branch_token(void)
{
	struct run *run = run_new("#!version:1.0.0.1\n"
	                          "swarm.phones = 300\n"
	                          "swarm.src_ip = 198.18.0.200\n"
	                          "swarm.src_ip_count = 100\n",
	                          1);
	uint64_t t0 = run->now;
	struct address_look a = {0, 0};

	while (run->now < t0 + SW_NS_PER_S) {
		run->now += SW_NS_PER_MS;
		sw_engine_poll(run->w[0], run->now, 100000);
		run_deliver_look(run, look_addresses, &a);
	}
	CU_ASSERT_EQUAL(sw_engine_stats(run->w[0])->lines_registered, 300);
	CU_ASSERT_EQUAL(a.checked, 600);
	CU_ASSERT_EQUAL(a.bad, 0);
	run_free(run);
}

/* five lines signed over and over (sw_engine_generate): a line comes back before its last
 * REGISTER's burst is signed, which must flush first (a burst signs each line once), so every
 * line's nonce-counts go out 1, 2, 3 ... in order */
static void
a_line_queued_again_before_its_burst_is_signed_sends_its_nonce_counts_in_order(void)
{
	struct run *run = run_new("#!version:1.0.0.1\nswarm.phones = 5\n", 1);
	struct sw_engine_cfg c = one_worker_cfg(run);
	struct sw_net_neigh *h = sw_net_neigh_get(&c.neigh, SRV1);
	uint32_t last_nc[5] = {0};
	unsigned int bad = 0, seen = 0;

	/* generation alone (no poll, no ARP): the next hop known from the start */
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	memcpy(h->mac, run->r.mac[0], 6);
	h->known = 1;
	run_replace_worker(run, &c);
	CU_ASSERT_EQUAL_FATAL(sw_engine_preauth(run->w[0], "pbx.test", run->now), 0);
	CU_ASSERT_EQUAL(sw_engine_generate(run->w[0], run->now, 23), 23);
	for (unsigned int k = 0; k < run->to_srv.n; k++) {
		struct sw_net_pkt p;
		char msg[2048];
		const char *u, *nc;
		unsigned int phone, x;

		if (sw_net_classify(run->to_srv.buf[k], run->to_srv.len[k], &p) != SW_NET_K_UDP)
			continue;
		memcpy(msg, p.payload, p.payload_len);
		msg[p.payload_len] = '\0';
		u = strstr(msg, "From: <sip:u");
		nc = strstr(msg, ", nc=");
		if (u == NULL || nc == NULL || sscanf(u + 12, "%3u", &phone) != 1 || phone < 1 ||
		    phone > 5 || sscanf(nc + 5, "%8x", &x) != 1) {
			bad++;
			continue;
		}
		bad += x != last_nc[phone - 1] + 1;
		last_nc[phone - 1] = x;
		seen++;
	}
	CU_ASSERT_EQUAL(seen, 23);
	CU_ASSERT_EQUAL(bad, 0);
	run->to_srv.n = 0;
	run_free(run);
}

/* run_deliver_look(): the authenticated REGISTERs of each batch counted by the realm they
 * name (n[0] pbx.test, n[1] second.test, n[2] another) */
static void
look_realms(struct run *run, void *arg)
{
	unsigned int *n = arg;

	for (unsigned int i = 0; i < run->to_srv.n; i++) {
		struct sw_net_pkt p;
		char msg[2048];

		if (sw_net_classify(run->to_srv.buf[i], run->to_srv.len[i], &p) != SW_NET_K_UDP)
			continue;
		memcpy(msg, p.payload, p.payload_len);
		msg[p.payload_len] = '\0';
		if (strstr(msg, "\r\nAuthorization: ") == NULL)
			continue;
		if (strstr(msg, ", realm=\"pbx.test\", ") != NULL)
			n[0]++;
		else if (strstr(msg, ", realm=\"second.test\", ") != NULL)
			n[1]++;
		else
			n[2]++;
	}
}

/* the registrar's realm changes halfway through the starts: the first lines' credentials
 * name the first realm (the worker's template with it as text), the others' the second (a
 * template without it), and every digest checks */
static void
credentials_of_a_second_realm_name_their_own_realm(void)
{
	struct run *run = run_new(NULL, 1);
	uint64_t t0 = run->now;
	unsigned int n[3] = {0, 0, 0};

	while (run->now < t0 + SW_NS_PER_S) {
		run->now += SW_NS_PER_MS;
		if (run->now - t0 == 50 * SW_NS_PER_MS)
			run->r.realm = "second.test";
		sw_engine_poll(run->w[0], run->now, 100000);
		run_deliver_look(run, look_realms, n);
	}
	unsigned int first = n[0], second = n[1], other = n[2];

	CU_ASSERT_EQUAL(sw_engine_stats(run->w[0])->lines_registered, 100);
	CU_ASSERT_EQUAL(run->r.bad_digest, 0);
	CU_ASSERT(first >= 40 && first <= 60);
	CU_ASSERT_EQUAL(first + second, 100);
	CU_ASSERT_EQUAL(other, 0);
	run_free(run);
}

/* a registrar that challenges with SHA-256: the HA1 is hashed at the challenge (not in the
 * MD5 burst), from the password the worker formatted at start; every digest checks */
static void
every_line_registers_against_a_sha_256_challenge(void)
{
	struct run *run = run_new(NULL, 1);
	uint64_t t0 = run->now;
	const struct sw_engine_stats *st = sw_engine_stats(run->w[0]);

	run->r.sha256 = true;
	run_until(run, t0, 1.0);
	CU_ASSERT_EQUAL(st->lines_registered, 100);
	CU_ASSERT_EQUAL(run->r.challenged, 100);
	CU_ASSERT_EQUAL(run->r.accepted, 100);
	CU_ASSERT_EQUAL(run->r.bad_digest, 0);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_RX_BAD_CHALLENGE], 0);
	assert_accounting(run);
	run_free(run);
}

static const struct sw_test_case engine_cases[] = {
        {"every line registers with a checked digest",
         test_every_line_registers_with_a_checked_digest},
        {"a silent primary moves every line to the secondary and back",
         test_a_silent_primary_moves_every_line_to_the_secondary_and_back},
        {"unregistrations at stop go out at the admission rate",
         test_unregistrations_at_stop_go_out_at_the_admission_rate},
        {"stop unregisters every line and ends every transaction",
         test_stop_unregisters_every_line_and_ends_every_transaction},
        {"two workers split the lines and ignore each other's answers",
         test_two_workers_split_the_lines_and_ignore_each_others_answers},
        {"hostile frames are counted and change nothing",
         test_hostile_frames_are_counted_and_change_nothing},
        {"a branch is taken only with its own MAC and transaction",
         test_a_branch_is_taken_only_with_its_own_mac_and_transaction},
        {"an avalanche starts every line at once", test_an_avalanche_starts_every_line_at_once},
        {"a closed loop starts lines only as transactions end",
         test_a_closed_loop_starts_lines_only_as_transactions_end},
        {"a bad set-up is refused", test_a_bad_set_up_is_refused},
        {"every line registers against a SHA-256 challenge",
         every_line_registers_against_a_sha_256_challenge},
        {"credentials of a second realm name their own realm",
         credentials_of_a_second_realm_name_their_own_realm},
        {"every REGISTER names its line's own address, port and branch token",
         test_every_register_names_its_line_s_own_address_port_and_branch_token},
        {"a line queued again before its burst is signed sends its nonce-counts in order",
         a_line_queued_again_before_its_burst_is_signed_sends_its_nonce_counts_in_order},
        {"a real-time account's resolution ends as soon as it is made",
         test_a_real_time_account_s_resolution_ends_as_soon_as_it_is_made},
        {"a re-resolution moves lines to the new targets at their next refresh",
         test_a_re_resolution_moves_lines_to_the_new_targets_at_their_next_refresh},
        {NULL, NULL},
};

static const struct sw_test_suite suite_engine = {"engine", NULL, NULL, engine_cases};

const struct sw_test_suite *const sw_test_suites[] = {&suite_engine, NULL};
