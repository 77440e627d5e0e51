/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The full loop of issue 6 (REGISTER -> 401 -> REGISTER with Authorization -> 200) without
 * DPDK: the generator (lib/engine, as a worker runs it) against the emulated cluster
 * (lib/cluster, as the cluster core runs it) in one process on a virtual clock, datagrams
 * handed over in memory, each side's CPU time measured apart. What it prints is the ceiling
 * of each core: completed registrations per second that one generator core and one cluster
 * core could carry if nothing else ran, the DPDK ports (a ring pair in `sipswarm --pair`) and
 * the control loop left out. `scripts/bench` part 4 measures the same loop through DPDK.
 * N lines register once each (expires 3600 s), admitted at 1,000,000 per second of virtual
 * time; TRIALS runs, minimum and median.
 * usage: bench_loop [N] [TRIALS]
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise() */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sw_bench.h"
#include "sw_cluster.h"
#include "sw_engine.h"
#include "sw_link.h"

#define CAP  65536
#define SRV1 0xC6130001u /* 198.19.0.1 */
/* virtual time per round: 50 lines admitted (at 1,000,000/s), about 200 datagrams in flight,
 * as in a worker's bursts; a millisecond (1,000 lines) put the frames out of the L2 cache */
#define STEP_NS (50 * SW_NS_PER_US)

static struct sw_link link;

/* the line arrays as the app gives them (app/sipswarm/worker.c): anonymous mmap, THP advice,
 * every page faulted in before the clock runs. Not calloc + memset: GCC drops a memset of
 * zeroes after calloc, and the kernel's page zeroing then landed in the timed loop (perf:
 * clear_page_erms under sw_sip_digest_accept, ~7 % of the samples) */
static void *
touched_zalloc(size_t size, void *arg)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	if (p == MAP_FAILED)
		return NULL;
	if (size >= (2u << 20))
		(void)madvise(p, size, MADV_HUGEPAGE);
	for (size_t o = 0; o < size; o += 4096)
		((volatile char *)p)[o] = 0;
	return p;
}

static void
touched_free(void *p, size_t size, void *arg)
{
	(void)arg;
	munmap(p, size);
}

/* the cluster's answers built in the next frame towards the engine, as the app's cluster side
 * builds them in the next mbuf (app/sipswarm/cluster_side.c) */
static char *
cluster_room(void *arg, size_t *cap)
{
	uint8_t *fr = sw_link_alloc(&((struct sw_link *)arg)->to_eng);

	if (fr == NULL)
		return NULL;
	*cap = sizeof(*link.to_eng.b) - SW_NET_HDR_LEN;
	return (char *)fr + SW_NET_HDR_LEN;
}

static const struct sw_cluster_sink cluster_sink = {sw_link_cluster_emit, cluster_room, &link};

/* one run: per completed registration, ns of the generator and of the cluster */
static int
run(const struct sw_config *cfg, const struct sw_engine_routes *routes, uint32_t lines,
    double *gen_ns, double *srv_ns)
{
	struct sw_sip_token_key key = {7, 9};
	uint64_t start = SW_NS_PER_S, t_now;
	double tg = 0, ts = 0, t0;
	struct sw_cluster_cfg cc = {.n_servers = 1,
	                            .server = {{SRV1, 5060, "primary", 0}},
	                            .realm = "pbx.test",
	                            .password_rule = "pw{user}",
	                            .nonce_ttl_s = 3600,
	                            .max_bindings = lines,
	                            .min_expires = 30,
	                            .max_expires = 7200,
	                            .seed = 3};
	struct sw_cluster *c = sw_cluster_new(&cc);
	struct sw_engine_cfg ec = {.config = cfg,
	                           .routes = routes,
	                           .key = &key,
	                           .shard_n = 1,
	                           .n_workers = 1,
	                           .udp_csum = true,
	                           .start = start,
	                           .register_rate = 1e6,
	                           .zalloc = touched_zalloc,
	                           .free = touched_free,
	                           .io = {sw_link_alloc, sw_link_send, NULL, &link.to_srv}};

	memcpy(ec.mac, link.eng_mac, 6);
	struct sw_net_neigh *h = sw_net_neigh_get(&ec.neigh, SRV1);

	if (c == NULL || h == NULL)
		return -1;
	memcpy(h->mac, link.srv_mac, 6);
	h->known = 1;
	struct sw_engine *e = sw_engine_new(&ec);

	if (e == NULL)
		return -1;
	const struct sw_engine_stats *st = sw_engine_stats(e);

	for (t_now = start; t_now < start + 600 * SW_NS_PER_S && st->lines_registered < lines;
	     t_now += STEP_NS) {
		uint64_t cn = t_now - start;

		t0 = sw_bench_now();
		sw_engine_poll(e, t_now, 1u << 20);
		sw_engine_flush(e);
		tg += sw_bench_now() - t0;
		while (link.to_srv.n > 0) {
			t0 = sw_bench_now();
			sw_cluster_poll(c, cn, sw_link_cluster_emit, &link);
			for (unsigned int i = 0; i < link.to_srv.n;) {
				struct sw_cluster_rx rx[32];
				unsigned int k = 0;

				for (; i < link.to_srv.n && k < 32; i++) {
					struct sw_net_pkt p;

					if (sw_net_classify(link.to_srv.b[i], link.to_srv.len[i],
					                    &p) != SW_NET_K_UDP)
						continue;
					rx[k++] = (struct sw_cluster_rx){
					        .src_ip = p.src_ip,
					        .dst_ip = p.dst_ip,
					        .src_port = p.src_port,
					        .dst_port = p.dst_port,
					        .len = p.payload_len,
					        .buf = (const char *)p.payload};
				}
				sw_cluster_input_burst_to(c, cn, rx, k, &cluster_sink);
			}
			link.to_srv.n = 0;
			ts += sw_bench_now() - t0;
			t0 = sw_bench_now();
			for (unsigned int i = 0; i < link.to_eng.n; i++)
				sw_engine_rx(e, t_now, link.to_eng.b[i], link.to_eng.len[i]);
			link.to_eng.n = 0;
			sw_engine_flush(e);
			tg += sw_bench_now() - t0;
		}
	}
	uint64_t done = st->lines_registered;
	int rc = done == lines && st->c[SW_ENGINE_C_TXN_TIMEOUT] == 0 &&
	                         st->c[SW_ENGINE_C_AUTH_FAILED] == 0 &&
	                         link.to_srv.lost + link.to_eng.lost == 0
	                 ? 0
	                 : -1;

	if (rc != 0)
		fprintf(stderr,
		        "bench_loop: %llu of %u lines registered, %llu timeouts, %llu auth "
		        "failures, %lu frames lost\n",
		        (unsigned long long)done, lines,
		        (unsigned long long)st->c[SW_ENGINE_C_TXN_TIMEOUT],
		        (unsigned long long)st->c[SW_ENGINE_C_AUTH_FAILED],
		        link.to_srv.lost + link.to_eng.lost);
	*gen_ns = tg * 1e9 / (double)(done ? done : 1);
	*srv_ns = ts * 1e9 / (double)(done ? done : 1);
	sw_engine_free(e);
	sw_cluster_free(c);
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	int trials = argc > 2 ? atoi(argv[2]) : 5;
	char text[2048], err[256];
	struct sw_config *cfg = sw_config_new();
	struct sw_engine_routes routes;
	struct sw_dns_source src;

	if (n == 0 || n > 1000000 || trials < 1 || trials > 100 || cfg == NULL)
		return 2;
	int len = snprintf(text, sizeof(text),
	                   "#!version:1.0.0.1\n"
	                   "account.1.enable = 1\n"
	                   "account.1.user_name = u{phone:07}\n"
	                   "account.1.password = pwu{phone:07}\n"
	                   "account.1.sip_server.1.address = pbx.test\n"
	                   "account.1.sip_server.1.port = 5060\n"
	                   "account.1.sip_server.1.expires = 3600\n"
	                   "dns_cache_a.1.name = pbx.test\n"
	                   "dns_cache_a.1.ip = 198.19.0.1\n"
	                   "dns_cache_a.1.ttl = 86400\n"
	                   "swarm.phones = %lu\n"
	                   "swarm.lines_per_phone = 1\n"
	                   "swarm.src_ip = 198.18.0.1\n"
	                   "swarm.src_ip_count = 65536\n"
	                   "swarm.seed = 5\n",
	                   n);

	static const uint8_t srv_mac[6] = {2, 0, 0, 0, 1, 1}, eng_mac[6] = {2, 0, 0, 0, 0, 0x10};

	if (sw_link_init(&link, CAP, srv_mac, eng_mac) != 0)
		return 1;
	if (sw_config_parse(cfg, "loop.cfg", text, (size_t)len) < 0 || sw_config_finish(cfg) < 0) {
		fprintf(stderr, "bench_loop: %s\n", sw_config_error(cfg)->msg);
		return 1;
	}
	sw_dns_static_source(&src, sw_config_dns_cache(cfg));
	if (sw_engine_routes_build(&routes, cfg, 0, 1, &src, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_loop: %s\n", err);
		return 1;
	}
	printf("bench_loop %lu %d: the full loop (REGISTER -> 401 -> REGISTER with Authorization "
	       "-> 200) of %lu lines, generator (lib/engine) and cluster (lib/cluster) in one "
	       "process, without DPDK\n",
	       n, trials, n);
	double *g = calloc((size_t)trials, sizeof(*g)), *s = calloc((size_t)trials, sizeof(*s));

	if (g == NULL || s == NULL)
		return 1;
	for (int t = 0; t < trials; t++)
		if (run(cfg, &routes, (uint32_t)n, &g[t], &s[t]) < 0) {
			fprintf(stderr, "bench_loop: run %d failed\n", t);
			return 1;
		}
	qsort(g, (size_t)trials, sizeof(*g), sw_bench_cmp_double);
	qsort(s, (size_t)trials, sizeof(*s), sw_bench_cmp_double);
	printf("  generator core: %7.1f ns min %7.1f ns median per completed registration = %.0f "
	       "registrations/s (median)\n",
	       g[0], g[trials / 2], 1e9 / g[trials / 2]);
	printf("  cluster core:   %7.1f ns min %7.1f ns median per completed registration = %.0f "
	       "registrations/s (median)\n",
	       s[0], s[trials / 2], 1e9 / s[trials / 2]);
	printf("  the pair's ceiling (the slower core, median): %.0f registrations/s\n",
	       1e9 / (g[trials / 2] > s[trials / 2] ? g[trials / 2] : s[trials / 2]));
	free(g);
	free(s);
	sw_engine_routes_free(&routes);
	sw_config_free(cfg);
	sw_link_free(&link);
	return 0;
}
