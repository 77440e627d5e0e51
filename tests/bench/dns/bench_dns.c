/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS figures: a full NAPTR -> SRV -> A selection over the static cache (what every
 * re-resolution costs besides the queries), parsing of a wire answer, and the reader path of
 * the shared table (get + quiescent), with and without the control core swapping lists.
 * Usage: bench_dns (no arguments). Prints its figures and the command.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "sw_bench.h"
#include "sw_dns.h"
#include "sw_dns_query.h"
#include "sw_dns_table.h"

static struct sw_dns_cache cache = {
        .n_a = 3,
        .n_srv = 2,
        .n_naptr = 2,
        .a = {{"server1.pbx.example", 0xc6120101, 300},
              {"server2.pbx.example", 0xc6120102, 300},
              {"server2.pbx.example", 0xc6120103, 300}},
        .srv = {{.name = "_sip._tcp.pbx.example",
                 .target = "server1.pbx.example",
                 .port = 5060,
                 .priority = 0,
                 .weight = 1,
                 .ttl = 300},
                {.name = "_sip._tcp.pbx.example",
                 .target = "server2.pbx.example",
                 .port = 5060,
                 .priority = 0,
                 .weight = 2,
                 .ttl = 300}},
        .naptr = {{.name = "pbx.example",
                   .flags = "s",
                   .service = "SIP+D2T",
                   .order = 90,
                   .preference = 50,
                   .replace = "_sip._tcp.pbx.example",
                   .ttl = 300},
                  {.name = "pbx.example",
                   .flags = "s",
                   .service = "SIP+D2U",
                   .order = 100,
                   .preference = 50,
                   .replace = "_sip._udp.pbx.example",
                   .ttl = 300}},
};

struct spin {
	struct sw_dns_table *t;
	atomic_bool stop;
	uint64_t swaps;
};

static void *
swapper(void *p)
{
	struct spin *s = p;
	struct sw_dns_result r = {.n = 1, .ttl = 1};

	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		sw_dns_table_publish(s->t, 0, &r, 0);
		sw_dns_table_reclaim(s->t);
		s->swaps++;
	}
	return NULL;
}

static double
reads(struct sw_dns_table *t, unsigned int n, uint64_t *sink)
{
	double t0 = sw_bench_now();

	for (unsigned int i = 0; i < n; i++) {
		const struct sw_dns_list *l = sw_dns_table_get(t, 0);

		*sink += l->r.n;
		sw_dns_table_quiescent(t, 0);
	}
	return (sw_bench_now() - t0) / n * 1e9;
}

int
main(void)
{
	struct sw_server_cfg s = {.address = "pbx.example", .port = 0, .transport = 3};
	struct sw_dns_source src;
	struct sw_dns_result res;
	struct sw_dns_rr rr[SW_DNS_MAX_RR];
	struct sw_dns_client *c = sw_dns_client_new(NULL, 0, 0);
	struct spin sp = {.t = sw_dns_table_new(1, 1)};
	unsigned int n = 200000;
	uint64_t sink = 0;
	double t0, resolve_ns, parse_ns, idle_ns, busy_ns;
	ldns_pkt *p = ldns_pkt_new();
	uint8_t *wire = NULL;
	size_t len = 0;
	pthread_t th;

	sw_dns_static_source(&src, &cache);
	t0 = sw_bench_now();
	for (unsigned int i = 0; i < n; i++) {
		sw_dns_resolve(&src, &s, false, SW_SRV_ORDER_RFC2782, i, &res);
		sink += res.n;
	}
	resolve_ns = (sw_bench_now() - t0) / n * 1e9;

	ldns_pkt_set_qr(p, true);
	for (unsigned int i = 0; i < 4; i++) {
		char line[128];
		ldns_rr *r = NULL;

		snprintf(line, sizeof(line),
		         "_sip._udp.pbx.example. 60 IN SRV 0 %u 5060 s%u.pbx.example.", i + 1, i);
		if (ldns_rr_new_frm_str(&r, line, 0, NULL, NULL) == LDNS_STATUS_OK)
			ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, r);
	}
	ldns_pkt2wire(&wire, p, &len);
	t0 = sw_bench_now();
	for (unsigned int i = 0; i < n / 4; i++) {
		sw_dns_client_reset(c);
		sink += (uint64_t)sw_dns_answer_records(c, wire, len, "_sip._udp.pbx.example", 33,
		                                        rr, SW_DNS_MAX_RR);
	}
	parse_ns = (sw_bench_now() - t0) / (n / 4) * 1e9;

	sw_dns_table_add(sp.t, &s);
	sw_dns_table_publish(sp.t, 0, &res, 0);
	idle_ns = reads(sp.t, 50 * n, &sink);
	atomic_init(&sp.stop, false);
	pthread_create(&th, NULL, swapper, &sp);
	busy_ns = reads(sp.t, 50 * n, &sink);
	atomic_store(&sp.stop, true);
	pthread_join(th, NULL);

	printf("command: bench_dns (nice meson test -C build --benchmark dns --verbose)\n");
	printf("dns: NAPTR->SRV->A selection, static cache, 3 targets   %8.0f ns (%.2f M/s)\n",
	       resolve_ns, 1e3 / resolve_ns);
	printf("dns: parse a 4-SRV wire answer (ldns)                 %8.0f ns\n", parse_ns);
	printf("dns: table read (get + quiescent), no writer          %8.1f ns\n", idle_ns);
	printf("dns: table read while another thread swaps (%llu swaps) %8.1f ns\n",
	       (unsigned long long)sp.swaps, busy_ns);
	printf("(sink %llu)\n", (unsigned long long)sink);
	free(wire);
	ldns_pkt_free(p);
	sw_dns_table_free(sp.t);
	sw_dns_client_free(c);
	return 0;
}
