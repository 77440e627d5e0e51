/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Generation on one core without DPDK: what sw_engine_generate() costs per authenticated
 * REGISTER (fresh nc, cnonce and digest each, Ethernet/IPv4/UDP headers, checksums computed
 * or left to the port's offload as with a NIC that has it), frames handed to a sink that only
 * reads one byte of each. The figure is the worker's share of `sipswarm --bench-generate` without the PMD's TX burst
 * and mbuf alloc/free (net_null adds those). Minimum and median of TRIALS runs of N messages
 * each, so other load on the machine shows in the median, not the minimum.
 * usage: bench_engine [N] [TRIALS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "sw_bench.h"
#include "sw_engine.h"

#define RING 64

struct sink {
	uint8_t (*buf)[2048];
	unsigned int next;
	uint64_t bytes, sum;
};

static uint8_t *
sink_alloc(void *arg)
{
	struct sink *s = arg;

	return s->buf[s->next++ % RING];
}

static void
sink_send(void *arg, uint8_t *frame, uint16_t len)
{
	struct sink *s = arg;

	s->bytes += len;
	s->sum += frame[len - 1];
}

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
	int trials = argc > 2 ? atoi(argv[2]) : 15;
	struct sw_config *config = sw_config_new();
	struct sw_engine_routes routes;
	struct sw_sip_token_key key = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};
	struct sw_dns_source src;
	struct sink sink = {.buf = calloc(RING, 2048)};
	char err[256];

	if (trials < 1 || trials > 1000 || n == 0 || sink.buf == NULL ||
	    sw_config_parse(config, "demo.cfg", sw_demo_config, strlen(sw_demo_config)) < 0 ||
	    sw_config_finish(config) < 0)
		return 1;
	sw_dns_static_source(&src, sw_config_dns_cache(config));
	if (sw_engine_routes_build(&routes, config, 0, 1, &src, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_engine: %s\n", err);
		return 1;
	}
	printf("bench_engine %lu %d: authenticated REGISTERs built, signed and framed on one core "
	       "(embedded default profile, %llu lines)\n",
	       n, trials, (unsigned long long)sw_config_line_count(config, 0, 1));
	for (int csum = 1; csum >= 0; csum--) {
		struct sw_engine_cfg c = {
		        .config = config,
		        .routes = &routes,
		        .key = &key,
		        .shard_n = 1,
		        .n_workers = 1,
		        .mac = {2, 0, 0, 0, 0, 1},
		        .udp_csum = true,
		        .csum_offload = !csum,
		        .start = 1000000000ULL,
		        .io = {sink_alloc, sink_send, NULL, &sink},
		};
		/* no answers expected: any next hop will do */
		for (unsigned int k = 0; k < routes.n_servers; k++) {
			struct sw_net_neigh *h = sw_net_neigh_get(&c.neigh, routes.server[k].ip);

			if (h != NULL) {
				memcpy(h->mac, (const uint8_t[6]){2, 0, 0, 0, 0, 2}, 6);
				h->known = 1;
			}
		}
		struct sw_engine *e = sw_engine_new(&c);
		double *ns = calloc((size_t)trials, sizeof(*ns));

		if (e == NULL || ns == NULL || sw_engine_preauth(e, "sipswarm.test", c.start) < 0) {
			fprintf(stderr, "bench_engine: engine set-up failed\n");
			return 1;
		}
		sink.bytes = 0;
		sw_engine_generate(e, c.start, 4096); /* warm: digests, lines, frames */
		for (int t = 0; t < trials; t++) {
			unsigned long done = 0;
			double t0 = sw_bench_now();

			while (done < n) {
				unsigned int k = sw_engine_generate(e, c.start + done, 32);

				if (k == 0) {
					fprintf(stderr,
					        "bench_engine: nothing generated (%s %llu)\n",
					        sw_engine_counter_name(SW_ENGINE_C_TX_NO_NEIGH),
					        (unsigned long long)sw_engine_stats(e)
					                ->c[SW_ENGINE_C_TX_NO_NEIGH]);
					return 1;
				}
				done += k;
			}
			ns[t] = (sw_bench_now() - t0) * 1e9 / (double)done;
		}
		double bytes = (double)sink.bytes / (double)(n * (unsigned long)trials + 4096);

		qsort(ns, (size_t)trials, sizeof(*ns), sw_bench_cmp_double);
		printf("  UDP checksum %-8s %6.1f ns min  %6.1f ns median per message = %.2f M/s "
		       "(median), %.0f bytes per frame\n",
		       csum ? "computed" : "offloaded", ns[0], ns[trials / 2], 1e3 / ns[trials / 2],
		       bytes);
		free(ns);
		sw_engine_free(e);
	}
	printf("  (sink checksum %llu)\n", (unsigned long long)sink.sum);
	sw_engine_routes_free(&routes);
	sw_config_free(config);
	free(sink.buf);
	return 0;
}
