/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Issue 6's assertions on a virtual clock: workers (lib/engine) against the emulated cluster
 * (lib/cluster) on a virtual wire, the primary silent from t = 10 s to t = 100 s. For every
 * failback mode: during the outage every line is registered with the secondary; after
 * recovery every line is back on the primary; no request is unaccounted for; and the
 * report's figure (the unregistered-gap histogram) matches the per-line records.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_cluster.h"
#include "sw_engine.h"
#include "sw_link.h"
#include "sw_test.h"

#define CAP  16384
#define SRV1 0xC6130001u
#define SRV2 0xC6130002u

static struct sw_link link;
static uint64_t t_now;

static void
deliver(struct sw_engine *e, struct sw_cluster *c, uint64_t start)
{
	uint64_t cn = t_now - start; /* the cluster's schedule counts from the run's start */

	sw_cluster_poll(c, cn, sw_link_cluster_emit, &link);
	while (link.to_srv.n > 0 || link.to_eng.n > 0) {
		for (unsigned int i = 0; i < link.to_srv.n; i++) {
			struct sw_net_pkt p;
			enum sw_net_kind k =
			        sw_net_classify(link.to_srv.b[i], link.to_srv.len[i], &p);

			if (k == SW_NET_K_ARP_REQUEST && (p.dst_ip == SRV1 || p.dst_ip == SRV2)) {
				uint8_t *fr = sw_link_alloc(&link.to_eng);

				if (fr)
					sw_link_send(&link.to_eng, fr,
					             (uint16_t)sw_net_arp_write(fr, 2, link.srv_mac,
					                                        p.dst_ip, p.src_mac,
					                                        p.src_ip));
			} else if (k == SW_NET_K_UDP) {
				sw_cluster_input(c, cn, p.src_ip, p.src_port, p.dst_ip, p.dst_port,
				                 (const char *)p.payload, p.payload_len,
				                 sw_link_cluster_emit, &link);
			}
		}
		link.to_srv.n = 0;
		for (unsigned int i = 0; i < link.to_eng.n; i++)
			sw_engine_rx(e, t_now, link.to_eng.b[i], link.to_eng.len[i]);
		sw_engine_flush(e);
		link.to_eng.n = 0;
	}
}

static void
run_mode(unsigned int mode)
{
	char cfgtext[2048], err[256];
	struct sw_config *cfg = sw_config_new();
	struct sw_engine_routes routes;
	struct sw_dns_source src;
	struct sw_sip_token_key key = {7, 9};
	uint64_t start = 5 * SW_NS_PER_S;
	int n = snprintf(cfgtext, sizeof(cfgtext),
	                 "#!version:1.0.0.1\n"
	                 "account.1.enable = 1\n"
	                 "account.1.user_name = u{phone:03}{line}\n"
	                 "account.1.password = pwu{phone:03}{line}\n"
	                 "account.1.sip_server.1.address = pbx.test\n"
	                 "account.1.sip_server.1.port = 5060\n"
	                 "account.1.sip_server.1.transport_type = 0\n"
	                 "account.1.sip_server.1.expires = 60\n"
	                 "account.1.sip_server.1.failback_mode = %u\n"
	                 "account.1.sip_server.1.failback_timeout = 60\n"
	                 "dns_cache_a.1.name = pbx.test\n"
	                 "dns_cache_a.1.ip = 198.19.0.1\n"
	                 "dns_cache_a.1.ttl = 200\n"
	                 "dns_cache_a.2.name = pbx.test\n"
	                 "dns_cache_a.2.ip = 198.19.0.2\n"
	                 "dns_cache_a.2.ttl = 200\n"
	                 "swarm.phones = 200\n"
	                 "swarm.lines_per_phone = 1\n"
	                 "swarm.src_ip = 198.18.0.1\n"
	                 "swarm.src_ip_count = 200\n"
	                 "swarm.register_rate = 1000\n"
	                 "swarm.t1_ms = 100\n"
	                 "swarm.seed = 5\n",
	                 mode);

	CU_ASSERT_EQUAL_FATAL(sw_config_parse(cfg, "failover.cfg", cfgtext, (size_t)n), 0);
	CU_ASSERT_EQUAL_FATAL(sw_config_finish(cfg), 0);
	sw_dns_static_source(&src, sw_config_dns_cache(cfg));
	CU_ASSERT_EQUAL_FATAL(sw_engine_routes_build(&routes, cfg, 0, 1, &src, err, sizeof(err)),
	                      0);
	CU_ASSERT_EQUAL_FATAL(routes.n_servers, 2);

	struct sw_cluster_cfg cc = {
	        .n_servers = 2,
	        .server = {{SRV1, 5060, "primary", 0}, {SRV2, 5060, "secondary", 0}},
	        .realm = "pbx.test",
	        .password_rule = "pw{user}",
	        .nonce_ttl_s = 3600,
	        .max_bindings = 1024,
	        .min_expires = 30,
	        .max_expires = 3600,
	        .seed = 3};
	struct sw_cluster *c = sw_cluster_new(&cc);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(
	        sw_cluster_schedule_parse(c, "at 10 until 100 server 1 silent\n", err, sizeof(err)),
	        0);
	struct sw_engine_cfg ec = {.config = cfg,
	                           .routes = &routes,
	                           .key = &key,
	                           .shard_n = 1,
	                           .n_workers = 1,
	                           .udp_csum = true,
	                           .start = start,
	                           .register_rate = 1000,
	                           .io = {sw_link_alloc, sw_link_send, NULL, &link.to_srv}};

	memcpy(ec.mac, link.eng_mac, 6);
	struct sw_engine *e = sw_engine_new(&ec);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	const struct sw_engine_stats *st = sw_engine_stats(e);
	bool mid_ok = false;
	double back_at = -1; /* s: when every line was on the primary again after the outage */

	for (t_now = start; t_now < start + 700 * SW_NS_PER_S; t_now += SW_NS_PER_MS) {
		sw_engine_poll(e, t_now, 100000);
		deliver(e, c, start);
		uint64_t started = st->c[SW_ENGINE_C_TXN_STARTED];
		uint64_t ended = st->c[SW_ENGINE_C_TXN_ANSWERED] + st->c[SW_ENGINE_C_TXN_TIMEOUT] +
		                 st->c[SW_ENGINE_C_TXN_TRANSPORT_ERROR] +
		                 st->c[SW_ENGINE_C_TXN_CANCELLED];

		if (started != ended + st->c[SW_ENGINE_C_TXN_IN_FLIGHT]) {
			CU_FAIL("a request is unaccounted for");
			break;
		}
		if (back_at < 0 && t_now > start + 100 * SW_NS_PER_S &&
		    st->srv_registered[0] == 200)
			back_at = (double)(t_now - start) / 1e9;
		if (t_now == start + 99 * SW_NS_PER_S) {
			/* the end of the outage: every line registered elsewhere */
			mid_ok = st->srv_registered[1] == 200 && st->srv_registered[0] == 0;
		}
	}
	CU_ASSERT_TRUE(mid_ok);
	CU_ASSERT_TRUE(back_at > 100);
	if (mode == 0) /* the next refresh (every ~30 s) goes to the primary first */
		CU_ASSERT_TRUE(back_at < 140);
	if (mode == 1) /* not before the resolution's TTL (200 s) has run out */
		CU_ASSERT_TRUE(back_at >= 200);
	CU_ASSERT_EQUAL(st->srv_registered[0], 200);
	CU_ASSERT_EQUAL(st->srv_registered[1], 0);
	CU_ASSERT_EQUAL(st->lines_registered, 200);
	CU_ASSERT_TRUE(st->c[SW_ENGINE_C_FAILOVER] >= 200);
	CU_ASSERT_TRUE(st->c[SW_ENGINE_C_FAILBACK] >= 200);
	CU_ASSERT_EQUAL(st->c[SW_ENGINE_C_AUTH_FAILED], 0);
	/* the gap histogram and the per-line records tell the same story */
	uint64_t sum_ms = 0, lines_with_gap = 0;

	for (uint32_t i = 0; i < sw_engine_line_count(e); i++) {
		const struct sw_engine_line *x;

		CU_ASSERT_EQUAL_FATAL(sw_engine_line(e, i, NULL, &x), 0);
		CU_ASSERT_TRUE(x->ever_registered);
		sum_ms += x->gap_ms;
		lines_with_gap += x->gap_ms > 0;
	}
	const struct sw_hist *h = &st->h[SW_ENGINE_H_UNREG_GAP];

	CU_ASSERT_TRUE(sum_ms * SW_NS_PER_MS <= h->sum);
	CU_ASSERT_TRUE(h->sum - sum_ms * SW_NS_PER_MS < h->count * SW_NS_PER_MS + 1);
	CU_ASSERT_TRUE(lines_with_gap <= h->count);
	CU_ASSERT_EQUAL(st->h[SW_ENGINE_H_FIRST_REGISTER].count, 200);
	/* failover time: every line failed over and registered at the secondary, at least once;
	 * a chain counts once; on this wire (no delay) each one is the time the phone takes to
	 * give up on the silent primary: retry_counts 3 (the default) sends at 0, T1, 3 T1 and
	 * 7 T1 and gives up at 15 T1 = 1.5 s (T1 100 ms); the histogram's buckets near 1.5 s are
	 * 64 ms wide */
	const struct sw_hist *fo = &st->h[SW_ENGINE_H_FAILOVER];

	printf("\n    mode %u: %" PRIu64 " failovers, %" PRIu64 " failover times, p50 %" PRIu64
	       " ms, max %" PRIu64 " ms ",
	       mode, st->c[SW_ENGINE_C_FAILOVER], fo->count, sw_hist_quantile(fo, 0.5) / 1000000,
	       fo->max / 1000000);
	CU_ASSERT_TRUE(fo->count >= 200);
	CU_ASSERT_TRUE(fo->count <= st->c[SW_ENGINE_C_FAILOVER]);
	CU_ASSERT_TRUE(sw_hist_quantile(fo, 0.0) >= 1400 * SW_NS_PER_MS);
	CU_ASSERT_TRUE(fo->max <= 1700 * SW_NS_PER_MS);
	sw_engine_free(e);
	sw_cluster_free(c);
	sw_engine_routes_free(&routes);
	sw_config_free(cfg);
}

static void
test_mode_0_new_requests_fails_back_at_the_next_refresh(void)
{
	run_mode(0);
}

static void
test_mode_1_dns_ttl_fails_back_after_the_ttl(void)
{
	run_mode(1);
}

static void
test_mode_2_registration_fails_back_after_the_registration(void)
{
	run_mode(2);
}

static void
test_mode_3_duration_fails_back_after_failback_timeout(void)
{
	run_mode(3);
}

static int
init(void)
{
	static const uint8_t srv_mac[6] = {2, 0, 0, 0, 1, 1}, eng_mac[6] = {2, 0, 0, 0, 0, 0x10};

	return sw_link_init(&link, CAP, srv_mac, eng_mac) != 0;
}

static int
fini(void)
{
	sw_link_free(&link);
	return 0;
}

static const struct sw_test_case cases[] = {
        {"failback mode 0 (newRequests) returns at the next refresh",
         test_mode_0_new_requests_fails_back_at_the_next_refresh},
        {"failback mode 1 (DNSTTL) returns after the TTL",
         test_mode_1_dns_ttl_fails_back_after_the_ttl},
        {"failback mode 2 (registration) returns after the registration",
         test_mode_2_registration_fails_back_after_the_registration},
        {"failback mode 3 (duration) returns after failback_timeout",
         test_mode_3_duration_fails_back_after_failback_timeout},
        {NULL, NULL},
};

static const struct sw_test_suite suite_failover = {"failover against the emulated cluster", init,
                                                    fini, cases};

const struct sw_test_suite *const sw_test_suites[] = {&suite_failover, NULL};
