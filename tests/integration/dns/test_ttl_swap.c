/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TTL expiry against a real DNS server: the table resolves swap.yealink.pbx.com (TTL 1 s),
 * a reader thread reads it without locks, the zone is changed and reloaded (the command given
 * as argv[2]), and the control loop re-resolves on expiry and swaps the new list in.
 * usage: test_ttl_swap DNS-IP:PORT RELOAD-COMMAND
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sw_dns_query.h"
#include "sw_dns_table.h"

#define OLD_IP 0xc6120301u /* 198.18.3.1 */
#define NEW_IP 0xc6120302u /* 198.18.3.2 */

struct reader_arg {
	struct sw_dns_table *t;
	atomic_bool stop;
	uint64_t reads, bad, saw_old, saw_new;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *
reader(void *p)
{
	struct reader_arg *a = p;

	while (!atomic_load_explicit(&a->stop, memory_order_relaxed)) {
		const struct sw_dns_list *l = sw_dns_table_get(a->t, 0);

		if (l == NULL || l->r.n != 1)
			a->bad++;
		else if (l->r.t[0].ip == OLD_IP)
			a->saw_old++;
		else if (l->r.t[0].ip == NEW_IP)
			a->saw_new++;
		else
			a->bad++;
		a->reads++;
		sw_dns_table_quiescent(a->t, 0);
	}
	sw_dns_table_reader_online(a->t, 0, false);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sw_server_cfg s = {.address = "swap.yealink.pbx.com", .port = 5060};
	struct reader_arg a = {0};
	struct sw_dns_client *c;
	struct sw_dns_source src;
	const struct sw_dns_list *l;
	uint64_t start;
	pthread_t th;
	int ok;

	if (argc != 3) {
		fprintf(stderr, "usage: test_ttl_swap DNS-IP:PORT RELOAD-COMMAND\n");
		return 2;
	}
	c = sw_dns_client_new(argv[1], 500, 2);
	a.t = sw_dns_table_new(1, 1);
	if (c == NULL || a.t == NULL || sw_dns_table_add(a.t, &s) != 0)
		return 1;
	sw_dns_client_source(&src, c);
	if (sw_dns_table_refresh(a.t, &src, false, SW_SRV_ORDER_RFC2782, 1, now_ns(), 100000000) !=
	    1) {
		fprintf(stderr, "first resolution failed\n");
		return 1;
	}
	l = sw_dns_table_get(a.t, 0);
	printf("version %llu: ip %08x ttl %u\n", (unsigned long long)l->version, l->r.t[0].ip,
	       l->r.ttl);
	if (l->r.t[0].ip != OLD_IP || l->r.ttl != 1)
		return 1;
	atomic_init(&a.stop, false);
	if (pthread_create(&th, NULL, reader, &a) != 0)
		return 1;
	if (system(argv[2]) != 0) {
		fprintf(stderr, "reload command failed\n");
		atomic_store(&a.stop, true);
		pthread_join(th, NULL);
		return 1;
	}
	start = now_ns();
	do {
		struct timespec d = {.tv_nsec = 50000000};

		sw_dns_client_reset(c);
		sw_dns_table_refresh(a.t, &src, false, SW_SRV_ORDER_RFC2782, 1, now_ns(),
		                     100000000);
		l = sw_dns_table_get(a.t, 0);
		nanosleep(&d, NULL);
	} while (l->r.t[0].ip != NEW_IP && now_ns() - start < 10000000000ull);
	atomic_store(&a.stop, true);
	pthread_join(th, NULL);
	sw_dns_table_reclaim(a.t);
	printf("version %llu: ip %08x; reader: %llu reads, %llu old, %llu new, %llu bad; "
	       "publishes %llu, failures %llu\n",
	       (unsigned long long)l->version, l->r.t[0].ip, (unsigned long long)a.reads,
	       (unsigned long long)a.saw_old, (unsigned long long)a.saw_new,
	       (unsigned long long)a.bad, (unsigned long long)sw_dns_table_stats(a.t, 0)->publishes,
	       (unsigned long long)sw_dns_table_stats(a.t, 0)->failures);
	ok = l->r.t[0].ip == NEW_IP && l->version >= 2 && a.bad == 0 && a.saw_old > 0 &&
	     a.reads > 0;
	sw_dns_table_free(a.t);
	sw_dns_client_free(c);
	return ok ? 0 : 1;
}
