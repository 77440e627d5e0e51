/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Target selection (spec section 2) over the static cache: spec section 6 scenario 6 (the
 * three examples of Appendix B of the guide and its SRV weights), and each rule.
 * The guide's private addresses are replaced by 198.18.1.13 / .14.
 */
#include <errno.h>
#include <string.h>

#include "sw_dns.h"
#include "sw_test.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static struct sw_dns_cache cache;
static struct sw_dns_source src;
static struct sw_dns_result res;

static void
reset(void)
{
	memset(&cache, 0, sizeof(cache));
	sw_dns_static_source(&src, &cache);
}

static void
a(const char *name, uint32_t ip, uint32_t ttl)
{
	cache.a[cache.n_a++] = (struct sw_dns_cache_a){.name = name, .ip = ip, .ttl = ttl};
}

static void
srv(const char *name, const char *target, uint16_t port, uint16_t prio, uint16_t weight)
{
	cache.srv[cache.n_srv++] = (struct sw_dns_cache_srv){.name = name,
	                                                     .target = target,
	                                                     .port = port,
	                                                     .priority = prio,
	                                                     .weight = weight,
	                                                     .ttl = 3600};
}

static void
naptr(const char *name, const char *flags, uint16_t order, uint16_t pref, const char *replace,
      const char *service)
{
	cache.naptr[cache.n_naptr++] = (struct sw_dns_cache_naptr){.name = name,
	                                                           .flags = flags,
	                                                           .order = order,
	                                                           .preference = pref,
	                                                           .replace = replace,
	                                                           .service = service,
	                                                           .ttl = 3600};
}

static int
resolve(const char *addr, uint16_t port, uint8_t transport, bool naptr_build,
        enum sw_srv_order order, uint64_t seed)
{
	struct sw_server_cfg s = {.address = addr, .port = port, .transport = transport};

	return sw_dns_resolve(&src, &s, naptr_build, order, seed, &res);
}

/* Example 1: A records from the static cache, port and transport as configured. */
static void
test_example_1_the_static_a_records_are_the_targets_in_order(void)
{
	reset();
	a("yealink.pbx.com", IP(198, 18, 1, 13), 3600);
	a("yealink.pbx.com", IP(198, 18, 1, 14), 3600);
	CU_ASSERT_EQUAL_FATAL(resolve("yealink.pbx.com", 5060, SW_TRANSPORT_DNS_NAPTR, false,
	                              SW_SRV_ORDER_RFC2782, 1),
	                      0);
	CU_ASSERT_EQUAL_FATAL(res.n, 2);
	CU_ASSERT_EQUAL(res.t[0].ip, IP(198, 18, 1, 13));
	CU_ASSERT_EQUAL(res.t[1].ip, IP(198, 18, 1, 14));
	CU_ASSERT_EQUAL(res.t[0].port, 5060);
	CU_ASSERT_EQUAL(res.t[0].transport, SW_TRANSPORT_UDP);
	CU_ASSERT_EQUAL(res.ttl, 3600);
	CU_ASSERT_STRING_EQUAL(res.t[1].via, "A yealink.pbx.com");
}

static void
example_2_cache(const char *srv_name)
{
	reset();
	srv(srv_name, "server1.yealink.pbx.com", 5060, 0, 1);
	srv(srv_name, "server2.yealink.pbx.com", 5060, 0, 2);
	a("server1.yealink.pbx.com", IP(198, 18, 1, 13), 300);
	a("server2.yealink.pbx.com", IP(198, 18, 1, 14), 300);
}

/* Example 2: port 0 forces SRV; weights 1 and 2: weight-desc picks server2 first. */
static void
test_example_2_srv_records_give_server2_first_in_weight_desc_mode(void)
{
	example_2_cache("_sip._tcp.yealink.pbx.com");
	CU_ASSERT_EQUAL_FATAL(resolve("yealink.pbx.com", 0, SW_TRANSPORT_DNS_NAPTR, true,
	                              SW_SRV_ORDER_WEIGHT_DESC, 1),
	                      0);
	CU_ASSERT_EQUAL_FATAL(res.n, 2);
	CU_ASSERT_EQUAL(res.t[0].ip, IP(198, 18, 1, 14));
	CU_ASSERT_EQUAL(res.t[1].ip, IP(198, 18, 1, 13));
	CU_ASSERT_EQUAL(res.t[0].transport, SW_TRANSPORT_TCP);
	CU_ASSERT_EQUAL(res.t[0].port, 5060);
	CU_ASSERT_EQUAL(res.ttl, 300); /* the smallest TTL on the path */
	CU_ASSERT_STRING_EQUAL(res.t[0].via,
	                       "SRV _sip._tcp.yealink.pbx.com > A server2.yealink.pbx.com");
	/* with naptr_build 0 only _sip._udp. is asked: no SRV, no A: nothing */
	CU_ASSERT_EQUAL(resolve("yealink.pbx.com", 0, SW_TRANSPORT_DNS_NAPTR, false,
	                        SW_SRV_ORDER_WEIGHT_DESC, 1),
	                -ENOENT);
}

/* The guide prints "_sip_tcp." where RFC 2782 means "_sip._tcp.": that name never matches. */
static void
test_the_guides_sip_tcp_spelling_never_matches_an_srv_query(void)
{
	example_2_cache("_sip_tcp.yealink.pbx.com");
	CU_ASSERT_EQUAL(resolve("yealink.pbx.com", 0, SW_TRANSPORT_DNS_NAPTR, true,
	                        SW_SRV_ORDER_WEIGHT_DESC, 1),
	                -ENOENT);
}

/* In rfc2782 mode about 2/3 of lines (seeds) pick server2 (weight 2 of 3) first. */
static void
test_rfc2782_mode_picks_server2_first_for_two_thirds_of_10000_lines(void)
{
	unsigned int second = 0;

	example_2_cache("_sip._tcp.yealink.pbx.com");
	for (uint64_t line = 0; line < 10000; line++) {
		CU_ASSERT_EQUAL_FATAL(resolve("yealink.pbx.com", 0, SW_TRANSPORT_DNS_NAPTR, true,
		                              SW_SRV_ORDER_RFC2782, 1000003 * line + 17),
		                      0);
		CU_ASSERT_EQUAL_FATAL(res.n, 2);
		second += res.t[0].ip == IP(198, 18, 1, 14);
	}
	/* within 2 % of 2/3 */
	CU_ASSERT_TRUE(second >= 6467 && second <= 6867);
	/* and a seed repeats its choice */
	resolve("yealink.pbx.com", 0, SW_TRANSPORT_DNS_NAPTR, true, SW_SRV_ORDER_RFC2782, 42);
	{
		uint32_t first = res.t[0].ip;

		resolve("yealink.pbx.com", 0, SW_TRANSPORT_DNS_NAPTR, true, SW_SRV_ORDER_RFC2782,
		        42);
		CU_ASSERT_EQUAL(res.t[0].ip, first);
	}
}

/* Example 3: NAPTR order 90 (SIP+D2T) is used; order 100 (SIP+D2U) is not. */
static void
test_example_3_the_lowest_naptr_order_decides_the_transport_and_srv(void)
{
	reset();
	naptr("yealink.pbx.com", "S", 90, 50, "_sip._tcp.yealink.pbx.com", "SIP+D2T");
	naptr("yealink.pbx.com", "S", 100, 50, "_sip._udp.yealink.pbx.com", "SIP+D2U");
	srv("_sip._tcp.yealink.pbx.com", "server1.yealink.pbx.com", 5060, 0, 1);
	srv("_sip._udp.yealink.pbx.com", "server2.yealink.pbx.com", 5062, 0, 1);
	a("server1.yealink.pbx.com", IP(198, 18, 1, 13), 600);
	a("server2.yealink.pbx.com", IP(198, 18, 1, 14), 600);
	CU_ASSERT_EQUAL_FATAL(resolve("yealink.pbx.com", 0, SW_TRANSPORT_DNS_NAPTR, false,
	                              SW_SRV_ORDER_RFC2782, 1),
	                      0);
	CU_ASSERT_EQUAL_FATAL(res.n, 1);
	CU_ASSERT_EQUAL(res.t[0].ip, IP(198, 18, 1, 13));
	CU_ASSERT_EQUAL(res.t[0].transport, SW_TRANSPORT_TCP);
	CU_ASSERT_STRING_EQUAL(res.t[0].via,
	                       "NAPTR yealink.pbx.com > SRV _sip._tcp.yealink.pbx.com "
	                       "> A server1.yealink.pbx.com");
	/* when order 90 gives nothing, order 100 is used */
	cache.srv[0].target = ".";
	CU_ASSERT_EQUAL_FATAL(resolve("yealink.pbx.com", 0, SW_TRANSPORT_DNS_NAPTR, false,
	                              SW_SRV_ORDER_RFC2782, 1),
	                      0);
	CU_ASSERT_EQUAL(res.t[0].ip, IP(198, 18, 1, 14));
	CU_ASSERT_EQUAL(res.t[0].port, 5062);
	CU_ASSERT_EQUAL(res.t[0].transport, SW_TRANSPORT_UDP);
}

static void
test_srv_priorities_order_targets_and_every_a_record_is_a_target(void)
{
	reset();
	srv("_sip._udp.d.example", "low.example", 5070, 20, 5);
	srv("_sip._udp.d.example", "high.example", 5080, 10, 0);
	a("low.example", IP(198, 18, 2, 1), 60);
	a("high.example", IP(198, 18, 3, 1), 60);
	a("high.example", IP(198, 18, 3, 2), 30);
	CU_ASSERT_EQUAL_FATAL(
	        resolve("d.example", 0, SW_TRANSPORT_UDP, false, SW_SRV_ORDER_RFC2782, 1), 0);
	CU_ASSERT_EQUAL_FATAL(res.n, 3);
	CU_ASSERT_EQUAL(res.t[0].ip, IP(198, 18, 3, 1));
	CU_ASSERT_EQUAL(res.t[1].ip, IP(198, 18, 3, 2));
	CU_ASSERT_EQUAL(res.t[2].ip, IP(198, 18, 2, 1));
	CU_ASSERT_EQUAL(res.t[2].port, 5070);
	CU_ASSERT_EQUAL(res.t[1].ttl, 30);
	CU_ASSERT_EQUAL(res.ttl, 30);
}

static void
test_no_srv_falls_back_to_a_records_on_port_5060(void)
{
	reset();
	a("d.example", IP(198, 18, 4, 1), 100);
	CU_ASSERT_EQUAL_FATAL(
	        resolve("d.example", 0, SW_TRANSPORT_DNS_NAPTR, true, SW_SRV_ORDER_RFC2782, 1), 0);
	CU_ASSERT_EQUAL(res.n, 1);
	CU_ASSERT_EQUAL(res.t[0].port, 5060);
	CU_ASSERT_EQUAL(resolve("nothing.example", 0, SW_TRANSPORT_DNS_NAPTR, true,
	                        SW_SRV_ORDER_RFC2782, 1),
	                -ENOENT);
}

static void
test_an_ipv4_literal_is_one_target(void)
{
	reset();
	CU_ASSERT_EQUAL_FATAL(
	        resolve("198.18.0.7", 0, SW_TRANSPORT_TCP, false, SW_SRV_ORDER_RFC2782, 1), 0);
	CU_ASSERT_EQUAL(res.n, 1);
	CU_ASSERT_EQUAL(res.t[0].ip, IP(198, 18, 0, 7));
	CU_ASSERT_EQUAL(res.t[0].port, 5060);
	CU_ASSERT_EQUAL(res.t[0].transport, SW_TRANSPORT_TCP);
	CU_ASSERT_EQUAL(resolve("", 0, SW_TRANSPORT_TCP, false, SW_SRV_ORDER_RFC2782, 1), -EINVAL);
}

static void
test_an_empty_naptr_flag_follows_the_replacement_and_a_loop_is_refused(void)
{
	reset();
	naptr("d.example", "", 10, 10, "e.example", "");
	naptr("e.example", "s", 10, 10, "_sips._tcp.e.example", "SIPS+D2T");
	srv("_sips._tcp.e.example", "tls.example", 5061, 0, 1);
	a("tls.example", IP(198, 18, 5, 1), 60);
	CU_ASSERT_EQUAL_FATAL(
	        resolve("d.example", 0, SW_TRANSPORT_DNS_NAPTR, false, SW_SRV_ORDER_RFC2782, 1), 0);
	CU_ASSERT_EQUAL(res.t[0].transport, SW_TRANSPORT_TLS);
	CU_ASSERT_EQUAL(res.t[0].port, 5061);
	reset();
	naptr("d.example", "", 10, 10, "e.example", "");
	naptr("e.example", "", 10, 10, "d.example", "");
	CU_ASSERT_EQUAL(
	        resolve("d.example", 0, SW_TRANSPORT_DNS_NAPTR, false, SW_SRV_ORDER_RFC2782, 1),
	        -ELOOP);
}

static const struct sw_test_case dns_cases[] = {
        {"example 1: the static A records are the targets, in order",
         test_example_1_the_static_a_records_are_the_targets_in_order},
        {"example 2: SRV records give server2 first in weight-desc mode",
         test_example_2_srv_records_give_server2_first_in_weight_desc_mode},
        {"the guide's _sip_tcp spelling never matches an SRV query",
         test_the_guides_sip_tcp_spelling_never_matches_an_srv_query},
        {"rfc2782 mode picks server2 first for 2/3 of 10,000 lines",
         test_rfc2782_mode_picks_server2_first_for_two_thirds_of_10000_lines},
        {"example 3: the lowest NAPTR order decides the transport and SRV",
         test_example_3_the_lowest_naptr_order_decides_the_transport_and_srv},
        {"SRV priorities order targets and every A record is a target",
         test_srv_priorities_order_targets_and_every_a_record_is_a_target},
        {"no SRV falls back to A records on port 5060",
         test_no_srv_falls_back_to_a_records_on_port_5060},
        {"an IPv4 literal is one target", test_an_ipv4_literal_is_one_target},
        {"an empty NAPTR flag follows the replacement and a loop is refused",
         test_an_empty_naptr_flag_follows_the_replacement_and_a_loop_is_refused},
        {NULL, NULL},
};

static const struct sw_test_suite suite_dns = {"dns selection (spec 6 scenario 6)", NULL, NULL,
                                               dns_cases};

extern const struct sw_test_suite suite_table, suite_answer, suite_query;
const struct sw_test_suite *const sw_test_suites[] = {&suite_dns, &suite_table, &suite_answer,
                                                      &suite_query, NULL};
