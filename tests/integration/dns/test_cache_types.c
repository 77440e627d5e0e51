/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dns_cache_type 0, 1 and 2 against a real DNS server, on a virtual clock: one table entry per
 * type for yealink.pbx.com (NAPTR, port 0), refreshed by cycles one virtual second apart, and
 * the client's query counter read after each cycle.
 * usage: test_cache_types DNS-IP:PORT
 */
#include <stdio.h>

#include "sw_dns_query.h"
#include "sw_dns_table.h"

#define NS 1000000000ull

static struct sw_dns_table *t;
static struct sw_dns_client *c;
static struct sw_dns_source src;
static int failed;

/* One refresh cycle at virtual second sec: expect published lists and queries sent. */
static void
cycle(unsigned int sec, unsigned int published, unsigned int queries, const char *what)
{
	uint64_t before = sw_dns_client_stats(c)->queries, q;
	unsigned int n = sw_dns_table_refresh(t, &src, false, SW_SRV_ORDER_WEIGHT_DESC, 1,
	                                      (uint64_t)sec * NS, 5 * NS);

	q = sw_dns_client_stats(c)->queries - before;
	printf("%s   t=%us: %u lists published, %llu queries (%s)\n",
	       n == published && q == queries ? "ok  " : "FAIL", sec, n, (unsigned long long)q,
	       what);
	if (n != published || q != queries)
		failed = 1;
}

int
main(int argc, char **argv)
{
	struct sw_server_cfg s = {.address = "yealink.pbx.com", .port = 0, .transport = 3};

	if (argc != 2) {
		fprintf(stderr, "usage: test_cache_types DNS-IP:PORT\n");
		return 2;
	}
	c = sw_dns_client_new(argv[1], 500, 2);
	t = sw_dns_table_new(3, 1);
	if (c == NULL || t == NULL || sw_dns_table_add_type(t, &s, SW_DNS_CACHE_REALTIME) != 0 ||
	    sw_dns_table_add_type(t, &s, SW_DNS_CACHE_CACHE) != 1 ||
	    sw_dns_table_add_type(t, &s, SW_DNS_CACHE_CACHE_ADDITIONAL) != 2)
		return 1;
	sw_dns_table_reader_online(t, 0, false); /* no reader thread here */
	sw_dns_client_source(&src, c);
	/* before traffic: type 0 and 1 ask NAPTR, SRV, A, A; type 2 takes the A records from
	 * the SRV answer's additional section */
	cycle(1000, 3, 4 + 4 + 2, "all three resolved");
	for (unsigned int i = 0; i < 3; i++) {
		const struct sw_dns_list *l = sw_dns_table_get(t, i);

		if (l == NULL || l->r.n != 3 || l->r.t[0].ip != 0xc6120102u ||
		    l->r.t[2].ip != 0xc6120101u || l->r.ttl != 60) {
			printf("FAIL entry %u: not the guide's three targets with TTL 60\n", i);
			failed = 1;
		}
	}
	cycle(1001, 0, 0, "nobody used a list");
	for (unsigned int k = 0; k < 100; k++) /* 100 transactions start on each entry */
		for (unsigned int i = 0; i < 3; i++)
			sw_dns_table_use(t, i);
	cycle(1002, 1, 4, "real-time entry used: re-resolved once");
	cycle(1003, 0, 0, "its new list not used yet");
	sw_dns_table_use(t, 0);
	cycle(1004, 1, 4, "real-time entry used again");
	cycle(1060, 2, 4 + 2, "TTL 60 s of the cached entries expired");
	printf("client: %llu queries, %llu answered from additional records, %llu timeouts\n",
	       (unsigned long long)sw_dns_client_stats(c)->queries,
	       (unsigned long long)sw_dns_client_stats(c)->from_additional,
	       (unsigned long long)sw_dns_client_stats(c)->timeouts);
	sw_dns_table_free(t);
	sw_dns_client_free(c);
	return failed;
}
