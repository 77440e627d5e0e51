/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS figures: a full NAPTR -> SRV -> A selection over the static cache (what every
 * re-resolution costs besides the queries), parsing of a wire answer, and the reader path of
 * the shared table (get or use, + quiescent), with and without the control core swapping
 * lists, and a full resolution through the DNS client (ldns encoding and decoding, no socket)
 * over an in-memory server of prebuilt answers, with dns_cache_type 1 and 2.
 * Usage: bench_dns (no arguments). Prints its figures and the command.
 */
#include <errno.h>
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
reads(struct sw_dns_table *t, unsigned int n, bool use, uint64_t *sink)
{
	double t0 = sw_bench_now();

	for (unsigned int i = 0; i < n; i++) {
		const struct sw_dns_list *l = use ? sw_dns_table_use(t, 0) : sw_dns_table_get(t, 0);

		*sink += l->r.n;
		sw_dns_table_quiescent(t, 0);
	}
	return (sw_bench_now() - t0) / n * 1e9;
}

/* The in-memory server: the answers of the guide's example, the SRV one with its targets' A
 * records in ADDITIONAL (as knotd gives them). */
static const char *const zone[][6] = {
        {"pbx.example.", "pbx.example. 120 IN NAPTR 90 50 \"s\" \"SIP+D2T\" \"\" "
                         "_sip._tcp.pbx.example."},
        {"_sip._tcp.pbx.example.", "_sip._tcp.pbx.example. 300 IN SRV 0 1 5060 s1.pbx.example.",
         "_sip._tcp.pbx.example. 300 IN SRV 0 2 5060 s2.pbx.example.", "+",
         "s1.pbx.example. 60 IN A 198.18.1.1", "s2.pbx.example. 300 IN A 198.18.1.2"},
        {"s1.pbx.example.", "s1.pbx.example. 60 IN A 198.18.1.1"},
        {"s2.pbx.example.", "s2.pbx.example. 300 IN A 198.18.1.2"},
};

static const uint16_t zone_type[] = {35, 33, 1, 1};
static uint8_t *zone_wire[4];
static size_t zone_len[4];

/* Build the answers once (question included), so the server's cost is a compare and a copy. */
static void
zone_build(void)
{
	for (unsigned int i = 0; i < 4; i++) {
		ldns_pkt *p = NULL;
		ldns_pkt_section sec = LDNS_SECTION_ANSWER;

		ldns_pkt_query_new_frm_str(&p, zone[i][0], zone_type[i], LDNS_RR_CLASS_IN, LDNS_RD);
		ldns_pkt_set_qr(p, true);
		for (unsigned int k = 1; k < 6 && zone[i][k] != NULL; k++) {
			ldns_rr *r = NULL;

			if (strcmp(zone[i][k], "+") == 0)
				sec = LDNS_SECTION_ADDITIONAL;
			else if (ldns_rr_new_frm_str(&r, zone[i][k], 0, NULL, NULL) ==
			         LDNS_STATUS_OK)
				ldns_pkt_push_rr(p, sec, r);
		}
		ldns_pkt2wire(&zone_wire[i], p, &zone_len[i]);
		ldns_pkt_free(p);
	}
}

static int
memory_exchange(void *ctx, uint32_t ip, uint16_t port, bool tcp, const uint8_t *query, size_t qlen,
                uint8_t *ans, size_t cap, unsigned int timeout_ms)
{
	(void)ctx, (void)ip, (void)port, (void)tcp, (void)timeout_ms;
	for (unsigned int i = 0; i < 4; i++) {
		/* same question: the bytes after the 12-byte header up to the end of the query */
		if (zone_wire[i] == NULL || zone_len[i] < qlen || zone_len[i] > cap ||
		    memcmp(zone_wire[i] + 12, query + 12, qlen - 12) != 0)
			continue;
		memcpy(ans, zone_wire[i], zone_len[i]);
		memcpy(ans, query, 2); /* the query's ID */
		return (int)zone_len[i];
	}
	return -ETIMEDOUT;
}

/* A full resolution of pbx.example (NAPTR, port 0) through a client: ns per resolution. */
static double
client_resolve(uint8_t cache_type, unsigned int n, uint64_t *queries, uint64_t *sink)
{
	struct sw_dns_client *c = sw_dns_client_new("198.18.0.1", 100, 1);
	struct sw_dns_transport tr = {.exchange = memory_exchange};
	struct sw_server_cfg s = {.address = "pbx.example", .port = 0, .transport = 3};
	struct sw_dns_source src;
	struct sw_dns_result res;
	double t0;

	if (c == NULL)
		return 0;
	sw_dns_client_set_transport(c, &tr);
	sw_dns_client_source(&src, c);
	if (zone_wire[0] == NULL)
		zone_build();
	t0 = sw_bench_now();
	for (unsigned int i = 0; i < n; i++) {
		sw_dns_resolve_type(&src, &s, cache_type, false, SW_SRV_ORDER_RFC2782, i, &res);
		*sink += res.n;
	}
	t0 = (sw_bench_now() - t0) / n * 1e9;
	*queries = sw_dns_client_stats(c)->queries / n;
	sw_dns_client_free(c);
	return t0;
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
	double t0, resolve_ns, parse_ns, idle_ns, busy_ns, use_ns, c1_ns, c2_ns;
	uint64_t q1 = 0, q2 = 0;
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
	idle_ns = reads(sp.t, 50 * n, false, &sink);
	use_ns = reads(sp.t, 50 * n, true, &sink);
	c1_ns = client_resolve(SW_DNS_CACHE_CACHE, n / 40, &q1, &sink);
	c2_ns = client_resolve(SW_DNS_CACHE_CACHE_ADDITIONAL, n / 40, &q2, &sink);
	atomic_init(&sp.stop, false);
	pthread_create(&th, NULL, swapper, &sp);
	busy_ns = reads(sp.t, 50 * n, false, &sink);
	atomic_store(&sp.stop, true);
	pthread_join(th, NULL);

	printf("command: bench_dns (nice meson test -C build --benchmark dns --verbose)\n");
	printf("dns: NAPTR->SRV->A selection, static cache, 3 targets   %8.0f ns (%.2f M/s)\n",
	       resolve_ns, 1e3 / resolve_ns);
	printf("dns: parse a 4-SRV wire answer (ldns)                 %8.0f ns\n", parse_ns);
	printf("dns: resolution through the client, in-memory server (prebuilt answers):\n");
	printf("dns:   dns_cache_type 1, %llu queries                     %8.0f ns\n",
	       (unsigned long long)q1, c1_ns);
	printf("dns:   dns_cache_type 2, %llu queries                     %8.0f ns (%.2fx)\n",
	       (unsigned long long)q2, c2_ns, c1_ns / c2_ns);
	printf("dns: table read (get + quiescent), no writer          %8.1f ns\n", idle_ns);
	printf("dns: table read (use + quiescent), no writer          %8.1f ns\n", use_ns);
	printf("dns: table read while another thread swaps (%llu swaps) %8.1f ns\n",
	       (unsigned long long)sp.swaps, busy_ns);
	printf("(sink %llu)\n", (unsigned long long)sink);
	free(wire);
	for (unsigned int i = 0; i < 4; i++)
		free(zone_wire[i]);
	ldns_pkt_free(p);
	sw_dns_table_free(sp.t);
	sw_dns_client_free(c);
	return 0;
}
