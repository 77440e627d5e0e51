/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DNS client's query loop and dns_cache_type 2, over a fake transport that answers from a
 * zone held in the test (packets built with ldns) and logs every exchange: each server asked at
 * its own port in order, silent servers, wrong IDs, truncation then TCP, and the follow-up
 * lookups answered from ADDITIONAL sections instead of queries.
 */
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sw_dns_query.h"
#include "sw_test.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define MAX_LOG        32

/* One name of the fake zone: its records of one type and what goes in ADDITIONAL. */
struct zrec {
	const char *name;
	uint16_t type;
	const char *const *answer;
	const char *const *additional;
};

enum fake_mode {
	FAKE_ANSWER,   /* answer from the zone */
	FAKE_SILENT,   /* no answer */
	FAKE_WRONG_ID, /* an answer with another ID */
	FAKE_TRUNCATE, /* over UDP, TC set and no record; over TCP, the answer */
};

struct exch {
	uint32_t ip;
	uint16_t port;
	bool tcp;
};

struct fake {
	const struct zrec *zone;
	enum fake_mode mode[4]; /* by server port - 5301 */
	unsigned int n_log;
	struct exch log[MAX_LOG];
};

static void
push(ldns_pkt *p, ldns_pkt_section sec, const char *const *lines)
{
	for (unsigned int i = 0; lines != NULL && lines[i] != NULL; i++) {
		ldns_rr *r = NULL;

		CU_ASSERT_EQUAL_FATAL(ldns_rr_new_frm_str(&r, lines[i], 0, NULL, NULL),
		                      LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, sec, r);
	}
}

static int
fake_exchange(void *ctx, uint32_t ip, uint16_t port, bool tcp, const uint8_t *query, size_t qlen,
              uint8_t *ans, size_t cap, unsigned int timeout_ms)
{
	struct fake *f = ctx;
	enum fake_mode mode = port >= 5301 && port <= 5304 ? f->mode[port - 5301] : FAKE_SILENT;
	ldns_pkt *q = NULL, *p;
	const ldns_rr *qr;
	const struct zrec *z = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	char *qname;

	(void)timeout_ms;
	if (f->n_log < MAX_LOG)
		f->log[f->n_log++] = (struct exch){ip, port, tcp};
	if (mode == FAKE_SILENT)
		return -ETIMEDOUT;
	CU_ASSERT_EQUAL_FATAL(ldns_wire2pkt(&q, query, qlen), LDNS_STATUS_OK);
	qr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	qname = ldns_rdf2str(ldns_rr_owner(qr));
	for (const struct zrec *r = f->zone; r->name != NULL; r++)
		if (r->type == ldns_rr_get_type(qr) && strcasecmp(r->name, qname) == 0)
			z = r;
	free(qname);
	p = ldns_pkt_new();
	ldns_pkt_set_id(p, mode == FAKE_WRONG_ID ? (uint16_t)(ldns_pkt_id(q) + 1) : ldns_pkt_id(q));
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rd(p, true);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, ldns_rr_clone(qr));
	if (mode == FAKE_TRUNCATE && !tcp) {
		ldns_pkt_set_tc(p, true);
	} else if (z == NULL) {
		ldns_pkt_set_rcode(p, LDNS_RCODE_NXDOMAIN);
	} else {
		push(p, LDNS_SECTION_ANSWER, z->answer);
		push(p, LDNS_SECTION_ADDITIONAL, z->additional);
	}
	CU_ASSERT_EQUAL_FATAL(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	ldns_pkt_free(q);
	if (len > cap) {
		free(wire);
		return -EMSGSIZE;
	}
	memcpy(ans, wire, len);
	free(wire);
	return (int)len;
}

/* The guide's example as records: NAPTR -> SRV _sip._tcp -> server1 (TTL 60), server2. */
static const char *const naptr_ans[] = {
        "pbx.example. 120 IN NAPTR 90 50 \"s\" \"SIP+D2T\" \"\" _sip._tcp.pbx.example.", NULL};
static const char *const srv_ans[] = {
        "_sip._tcp.pbx.example. 300 IN SRV 0 1 5060 server1.pbx.example.",
        "_sip._tcp.pbx.example. 300 IN SRV 0 2 5060 server2.pbx.example.", NULL};
static const char *const a1[] = {"server1.pbx.example. 60 IN A 198.18.1.1", NULL};
static const char *const a2[] = {"server2.pbx.example. 300 IN A 198.18.1.2",
                                 "server2.pbx.example. 300 IN A 198.18.1.22", NULL};
/* ADDITIONAL of the SRV answer, as knot gives it: the targets' A records (server2's with a
 * smaller TTL than its own answer, to see that the additional TTL is the one kept), and one
 * record about a name the answer does not point at */
static const char *const srv_add[] = {
        "server1.pbx.example. 60 IN A 198.18.1.1", "server2.pbx.example. 45 IN A 198.18.1.2",
        "server2.pbx.example. 45 IN A 198.18.1.22", "elsewhere.example. 300 IN A 198.18.9.9", NULL};
/* ADDITIONAL of the NAPTR answer (RFC 3403 section 4.2 suggests it): the SRV records and
 * their targets' addresses */
static const char *const naptr_add[] = {
        "_sip._tcp.pbx.example. 300 IN SRV 0 1 5060 server1.pbx.example.",
        "_sip._tcp.pbx.example. 300 IN SRV 0 2 5060 server2.pbx.example.",
        "server1.pbx.example. 60 IN A 198.18.1.1",
        "server2.pbx.example. 300 IN A 198.18.1.2",
        "server2.pbx.example. 300 IN A 198.18.1.22",
        "_sip._udp.pbx.example. 300 IN SRV 0 1 5060 evil.example.",
        NULL};

static const struct zrec zone_plain[] = {
        {"pbx.example.", 35, naptr_ans, NULL},
        {"_sip._tcp.pbx.example.", 33, srv_ans, NULL},
        {"server1.pbx.example.", 1, a1, NULL},
        {"server2.pbx.example.", 1, a2, NULL},
        {NULL, 0, NULL, NULL},
};

static const struct zrec zone_srv_additional[] = {
        {"pbx.example.", 35, naptr_ans, NULL},
        {"_sip._tcp.pbx.example.", 33, srv_ans, srv_add},
        {"server1.pbx.example.", 1, a1, NULL},
        {"server2.pbx.example.", 1, a2, NULL},
        {NULL, 0, NULL, NULL},
};

static const struct zrec zone_naptr_additional[] = {
        {"pbx.example.", 35, naptr_ans, naptr_add},
        {"_sip._tcp.pbx.example.", 33, srv_ans, srv_add},
        {"server1.pbx.example.", 1, a1, NULL},
        {"server2.pbx.example.", 1, a2, NULL},
        {NULL, 0, NULL, NULL},
};

static struct fake fk;
static struct sw_dns_client *cl;
static struct sw_dns_source src;
static struct sw_dns_result res;

/* A client of the servers, over the fake transport answering from zone. */
static void
setup(const char *servers, const struct zrec *zone, unsigned int tries)
{
	struct sw_dns_transport tr = {.exchange = fake_exchange, .ctx = &fk};

	sw_dns_client_free(cl);
	memset(&fk, 0, sizeof(fk));
	fk.zone = zone;
	cl = sw_dns_client_new(servers, 100, tries);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
	sw_dns_client_set_transport(cl, &tr);
	sw_dns_client_source(&src, cl);
}

static int
resolve(const char *addr, uint16_t port, uint8_t transport, uint8_t cache_type)
{
	struct sw_server_cfg s = {.address = addr, .port = port, .transport = transport};

	return sw_dns_resolve_type(&src, &s, cache_type, false, SW_SRV_ORDER_WEIGHT_DESC, 1, &res);
}

static int
fini(void)
{
	sw_dns_client_free(cl);
	cl = NULL;
	return 0;
}

static void
each_server_is_asked_at_its_own_port_in_the_order_given(void)
{
	const struct sw_dns_client_stats *st;

	setup("198.18.0.1:5301,198.18.0.2:5302", zone_plain, 2);
	fk.mode[0] = FAKE_SILENT;
	fk.mode[1] = FAKE_ANSWER;
	CU_ASSERT_EQUAL_FATAL(resolve("server1.pbx.example", 5060, 0, 1), 0);
	CU_ASSERT_EQUAL(res.n, 1);
	CU_ASSERT_EQUAL(res.t[0].ip, IP(198, 18, 1, 1));
	/* two tries of the first server at 5301, then the second at 5302 */
	CU_ASSERT_EQUAL_FATAL(fk.n_log, 3);
	CU_ASSERT_EQUAL(fk.log[0].ip, IP(198, 18, 0, 1));
	CU_ASSERT_EQUAL(fk.log[0].port, 5301);
	CU_ASSERT_EQUAL(fk.log[1].port, 5301);
	CU_ASSERT_EQUAL(fk.log[2].ip, IP(198, 18, 0, 2));
	CU_ASSERT_EQUAL(fk.log[2].port, 5302);
	CU_ASSERT_FALSE(fk.log[2].tcp);
	st = sw_dns_client_stats(cl);
	CU_ASSERT_EQUAL(st->queries, 1);
	CU_ASSERT_EQUAL(st->timeouts, 2);
	CU_ASSERT_EQUAL(st->by_server[0], 0);
	CU_ASSERT_EQUAL(st->by_server[1], 1);
	CU_ASSERT_EQUAL(st->failed, 0);
}

static void
an_answering_first_server_is_the_only_one_asked_whatever_its_answer(void)
{
	setup("198.18.0.1:5301,198.18.0.2:5302", zone_plain, 2);
	CU_ASSERT_EQUAL(resolve("missing.pbx.example", 5060, 0, 1), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(fk.n_log, 1);
	CU_ASSERT_EQUAL(fk.log[0].port, 5301);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->nxdomain, 1);
}

static void
no_answer_from_any_server_is_a_failed_query(void)
{
	setup("198.18.0.1:5301,198.18.0.2:5302", zone_plain, 1);
	fk.mode[0] = FAKE_SILENT;
	fk.mode[1] = FAKE_SILENT;
	CU_ASSERT_EQUAL(resolve("server1.pbx.example", 5060, 0, 1), -ENOENT);
	CU_ASSERT_EQUAL(fk.n_log, 2);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->failed, 1);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->timeouts, 2);
}

static void
an_answer_with_another_id_is_not_taken(void)
{
	setup("198.18.0.1:5301,198.18.0.2:5302", zone_plain, 1);
	fk.mode[0] = FAKE_WRONG_ID;
	CU_ASSERT_EQUAL_FATAL(resolve("server2.pbx.example", 5060, 0, 1), 0);
	CU_ASSERT_EQUAL(res.n, 2);
	CU_ASSERT_EQUAL(fk.n_log, 2);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->by_server[1], 1);
}

static void
a_truncated_answer_is_asked_again_over_tcp_from_the_same_server(void)
{
	setup("198.18.0.1:5301,198.18.0.2:5302", zone_plain, 2);
	fk.mode[0] = FAKE_TRUNCATE;
	CU_ASSERT_EQUAL_FATAL(resolve("server2.pbx.example", 5060, 0, 1), 0);
	CU_ASSERT_EQUAL(res.n, 2);
	CU_ASSERT_EQUAL_FATAL(fk.n_log, 2);
	CU_ASSERT_FALSE(fk.log[0].tcp);
	CU_ASSERT_TRUE(fk.log[1].tcp);
	CU_ASSERT_EQUAL(fk.log[1].port, 5301);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->tcp, 1);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->timeouts, 0);
}

static void
a_bad_server_list_is_refused(void)
{
	CU_ASSERT_PTR_NULL(sw_dns_client_new("198.18.0.1:0", 100, 1));
	CU_ASSERT_PTR_NULL(sw_dns_client_new("198.18.0.1:65536", 100, 1));
	CU_ASSERT_PTR_NULL(sw_dns_client_new("198.18.0.1:", 100, 1));
	CU_ASSERT_PTR_NULL(sw_dns_client_new("pbx.example", 100, 1));
	CU_ASSERT_PTR_NULL(sw_dns_client_new("", 100, 1));
	CU_ASSERT_PTR_NULL(sw_dns_client_new("1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5", 100, 1));
	sw_dns_client_free(sw_dns_client_new("1.1.1.1,1.1.1.2:5353,1.1.1.3,1.1.1.4:1", 100, 1));
}

/* The resolution of the guide's example: NAPTR, SRV, server2, server1 (weight-desc). */
static void
check_example(uint32_t ttl)
{
	CU_ASSERT_EQUAL_FATAL(res.n, 3);
	CU_ASSERT_EQUAL(res.t[0].ip, IP(198, 18, 1, 2));
	CU_ASSERT_EQUAL(res.t[1].ip, IP(198, 18, 1, 22));
	CU_ASSERT_EQUAL(res.t[2].ip, IP(198, 18, 1, 1));
	CU_ASSERT_EQUAL(res.t[0].transport, SW_TRANSPORT_TCP);
	CU_ASSERT_EQUAL(res.t[2].port, 5060);
	CU_ASSERT_EQUAL(res.ttl, ttl);
}

static void
cache_type_1_queries_every_follow_up_and_ignores_additional_records(void)
{
	const struct sw_dns_client_stats *st;

	setup("198.18.0.1:5301", zone_naptr_additional, 1);
	CU_ASSERT_EQUAL_FATAL(resolve("pbx.example", 0, SW_TRANSPORT_DNS_NAPTR, 1), 0);
	check_example(60);
	CU_ASSERT_EQUAL(res.t[0].ttl, 120); /* server2's own A TTL 300, NAPTR 120 */
	st = sw_dns_client_stats(cl);
	CU_ASSERT_EQUAL(st->queries, 4);
	CU_ASSERT_EQUAL(fk.n_log, 4);
	CU_ASSERT_EQUAL(st->from_additional, 0);
	CU_ASSERT_EQUAL(st->kept_additional, 0);
}

static void
cache_type_0_queries_like_type_1(void)
{
	setup("198.18.0.1:5301", zone_naptr_additional, 1);
	CU_ASSERT_EQUAL_FATAL(resolve("pbx.example", 0, SW_TRANSPORT_DNS_NAPTR, 0), 0);
	check_example(60);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->queries, 4);
}

static void
cache_type_2_takes_the_targets_addresses_from_the_srv_answer(void)
{
	const struct sw_dns_client_stats *st;

	setup("198.18.0.1:5301", zone_srv_additional, 1);
	CU_ASSERT_EQUAL_FATAL(resolve("pbx.example", 0, SW_TRANSPORT_DNS_NAPTR, 2), 0);
	check_example(45);
	CU_ASSERT_EQUAL(res.t[0].ttl, 45); /* the additional record's TTL */
	st = sw_dns_client_stats(cl);
	CU_ASSERT_EQUAL(st->queries, 2); /* NAPTR, SRV; no A query */
	CU_ASSERT_EQUAL(fk.n_log, 2);
	CU_ASSERT_EQUAL(st->from_additional, 2);
	CU_ASSERT_EQUAL(st->kept_additional, 3); /* not elsewhere.example */
}

static void
cache_type_2_takes_srv_and_addresses_from_the_naptr_answer(void)
{
	const struct sw_dns_client_stats *st;

	setup("198.18.0.1:5301", zone_naptr_additional, 1);
	CU_ASSERT_EQUAL_FATAL(resolve("pbx.example", 0, SW_TRANSPORT_DNS_NAPTR, 2), 0);
	check_example(60);
	st = sw_dns_client_stats(cl);
	CU_ASSERT_EQUAL(st->queries, 1); /* the NAPTR query only */
	CU_ASSERT_EQUAL(st->from_additional, 3);
	/* the SRV of _sip._udp (not a replacement of the answer) and evil.example are not kept */
	CU_ASSERT_EQUAL(st->kept_additional, 5);
}

static void
additional_records_serve_one_resolution_only(void)
{
	setup("198.18.0.1:5301", zone_srv_additional, 1);
	CU_ASSERT_EQUAL_FATAL(resolve("pbx.example", 0, SW_TRANSPORT_DNS_NAPTR, 2), 0);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->queries, 2);
	/* an A lookup of a target in a new resolution queries again */
	CU_ASSERT_EQUAL_FATAL(resolve("server1.pbx.example", 5060, 0, 2), 0);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->queries, 3);
	CU_ASSERT_EQUAL(res.t[0].ttl, 60);
	/* type 1 after type 2: nothing kept is used */
	CU_ASSERT_EQUAL_FATAL(resolve("pbx.example", 0, SW_TRANSPORT_DNS_NAPTR, 1), 0);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->queries, 7);
	CU_ASSERT_EQUAL(resolve("pbx.example", 0, SW_TRANSPORT_DNS_NAPTR, 3), -EINVAL);
}

static void
a_chain_passes_the_cache_type_to_its_dns_source(void)
{
	struct sw_dns_cache empty = {0};
	struct sw_dns_chain ch;
	struct sw_server_cfg s = {.address = "pbx.example", .port = 0, .transport = 3};

	setup("198.18.0.1:5301", zone_srv_additional, 1);
	sw_dns_static_source(&ch.first, &empty);
	sw_dns_client_source(&ch.second, cl);
	sw_dns_chain_source(&src, &ch);
	CU_ASSERT_EQUAL_FATAL(
	        sw_dns_resolve_type(&src, &s, 2, false, SW_SRV_ORDER_WEIGHT_DESC, 1, &res), 0);
	check_example(45);
	CU_ASSERT_EQUAL(sw_dns_client_stats(cl)->queries, 2);
}

static const struct sw_test_case cases[] = {
        {"each server is asked at its own port, in the order given",
         each_server_is_asked_at_its_own_port_in_the_order_given},
        {"an answering first server is the only one asked, whatever its answer",
         an_answering_first_server_is_the_only_one_asked_whatever_its_answer},
        {"no answer from any server is a failed query",
         no_answer_from_any_server_is_a_failed_query},
        {"an answer with another ID is not taken", an_answer_with_another_id_is_not_taken},
        {"a truncated answer is asked again over TCP from the same server",
         a_truncated_answer_is_asked_again_over_tcp_from_the_same_server},
        {"a bad server list is refused", a_bad_server_list_is_refused},
        {"dns_cache_type 1 queries every follow-up and ignores additional records",
         cache_type_1_queries_every_follow_up_and_ignores_additional_records},
        {"dns_cache_type 0 queries like type 1", cache_type_0_queries_like_type_1},
        {"dns_cache_type 2 takes the targets' addresses from the SRV answer",
         cache_type_2_takes_the_targets_addresses_from_the_srv_answer},
        {"dns_cache_type 2 takes SRV records and addresses from the NAPTR answer",
         cache_type_2_takes_srv_and_addresses_from_the_naptr_answer},
        {"additional records serve one resolution only",
         additional_records_serve_one_resolution_only},
        {"a chain passes the cache type to its DNS source",
         a_chain_passes_the_cache_type_to_its_dns_source},
        {NULL, NULL},
};

const struct sw_test_suite suite_query = {"dns queries", NULL, fini, cases};
