/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared target table: dedup of servers, expiry from the TTL, re-resolution that keeps the
 * last good list on failure, and the RCU-style swap with a real reader thread running.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "sw_dns_table.h"
#include "sw_test.h"

#define NS 1000000000ull

static void
same_server_shares_one_entry(void)
{
	struct sw_dns_table *t = sw_dns_table_new(4, 1);
	struct sw_server_cfg a = {.address = "pbx.example", .port = 0, .transport = 3};
	struct sw_server_cfg b = {.address = "PBX.example", .port = 0, .transport = 3};
	struct sw_server_cfg c = {.address = "pbx.example", .port = 0, .transport = 1};
	struct sw_server_cfg bad = {.address = "", .port = 0, .transport = 0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(sw_dns_table_add(t, &a), 0);
	CU_ASSERT_EQUAL(sw_dns_table_add(t, &b), 0);
	CU_ASSERT_EQUAL(sw_dns_table_add(t, &c), 1);
	CU_ASSERT_EQUAL(sw_dns_table_add(t, &bad), -EINVAL);
	CU_ASSERT_EQUAL(sw_dns_table_count(t), 2);
	CU_ASSERT_PTR_NULL(sw_dns_table_get(t, 0));
	CU_ASSERT_PTR_NULL(sw_dns_table_get(t, 7));
	sw_dns_table_free(t);
}

static void
a_full_table_refuses_a_new_server(void)
{
	struct sw_dns_table *t = sw_dns_table_new(1, 1);
	struct sw_server_cfg a = {.address = "a.example", .port = 5060};
	struct sw_server_cfg b = {.address = "b.example", .port = 5060};

	CU_ASSERT_EQUAL(sw_dns_table_add(t, &a), 0);
	CU_ASSERT_EQUAL(sw_dns_table_add(t, &b), -ENOSPC);
	sw_dns_table_free(t);
}

/* A source whose A answer (ip, ttl) the test sets; ip 0 = no answer. It counts its A lookups
 * and keeps the cache type its last resolution started with. */
struct fake {
	uint32_t ip, ttl;
	unsigned int lookups;
	int cache_type;
};

static unsigned int
none(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	(void)ctx, (void)name, (void)out, (void)max;
	return 0;
}

static unsigned int
fake_a(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	struct fake *f = ctx;

	(void)name;
	f->lookups++;
	if (f->ip == 0 || max == 0)
		return 0;
	out[0] = (struct sw_dns_rr){.ip = f->ip, .ttl = f->ttl};
	return 1;
}

static void
fake_start(void *ctx, uint8_t cache_type)
{
	struct fake *f = ctx;

	f->cache_type = cache_type;
}

static void
expiry_re_resolves_and_failure_keeps_the_last_good_list(void)
{
	struct fake f = {.ip = 0xc6120101, .ttl = 30};
	struct sw_dns_source src = {.naptr = none, .srv = none, .a = fake_a, .ctx = &f};
	struct sw_dns_table *t = sw_dns_table_new(2, 1);
	struct sw_server_cfg s = {.address = "pbx.example", .port = 5060, .transport = 0};
	const struct sw_dns_list *l;

	CU_ASSERT_EQUAL_FATAL(sw_dns_table_add(t, &s), 0);
	CU_ASSERT_EQUAL(sw_dns_table_refresh(t, &src, false, SW_SRV_ORDER_RFC2782, 1, 100 * NS, NS),
	                1);
	l = sw_dns_table_get(t, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL(l->version, 1);
	CU_ASSERT_EQUAL(l->expires_ns, 130 * NS);
	CU_ASSERT_EQUAL(l->r.t[0].ip, 0xc6120101);
	CU_ASSERT_EQUAL(sw_dns_table_next_expiry(t), 130 * NS);
	/* before expiry: nothing to do */
	CU_ASSERT_EQUAL(sw_dns_table_refresh(t, &src, false, SW_SRV_ORDER_RFC2782, 1, 129 * NS, NS),
	                0);
	/* at expiry the server answers with a new address */
	f.ip = 0xc6120102;
	CU_ASSERT_EQUAL(sw_dns_table_refresh(t, &src, false, SW_SRV_ORDER_RFC2782, 1, 130 * NS, NS),
	                1);
	l = sw_dns_table_get(t, 0);
	CU_ASSERT_EQUAL(l->version, 2);
	CU_ASSERT_EQUAL(l->r.t[0].ip, 0xc6120102);
	/* the next time DNS does not answer: the list stays, the failure is counted, retried */
	f.ip = 0;
	CU_ASSERT_EQUAL(sw_dns_table_refresh(t, &src, false, SW_SRV_ORDER_RFC2782, 1, 200 * NS, NS),
	                0);
	CU_ASSERT_PTR_EQUAL(sw_dns_table_get(t, 0), l);
	CU_ASSERT_EQUAL(sw_dns_table_stats(t, 0)->failures, 1);
	CU_ASSERT_EQUAL(sw_dns_table_stats(t, 0)->publishes, 2);
	CU_ASSERT_EQUAL(sw_dns_table_next_expiry(t), 201 * NS);
	sw_dns_table_free(t);
}

static void
each_cache_type_of_one_server_is_its_own_entry(void)
{
	struct sw_dns_table *t = sw_dns_table_new(4, 1);
	struct sw_server_cfg s = {.address = "pbx.example", .port = 0, .transport = 3};

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(sw_dns_table_add_type(t, &s, SW_DNS_CACHE_REALTIME), 0);
	CU_ASSERT_EQUAL(sw_dns_table_add_type(t, &s, SW_DNS_CACHE_CACHE), 1);
	CU_ASSERT_EQUAL(sw_dns_table_add(t, &s), 1); /* sw_dns_table_add is type 1 */
	CU_ASSERT_EQUAL(sw_dns_table_add_type(t, &s, SW_DNS_CACHE_CACHE_ADDITIONAL), 2);
	CU_ASSERT_EQUAL(sw_dns_table_add_type(t, &s, SW_DNS_CACHE_REALTIME), 0);
	CU_ASSERT_EQUAL(sw_dns_table_add_type(t, &s, 3), -EINVAL);
	CU_ASSERT_EQUAL(sw_dns_table_count(t), 3);
	CU_ASSERT_EQUAL(sw_dns_table_cache_type(t, 0), SW_DNS_CACHE_REALTIME);
	CU_ASSERT_EQUAL(sw_dns_table_cache_type(t, 2), SW_DNS_CACHE_CACHE_ADDITIONAL);
	CU_ASSERT_EQUAL(sw_dns_table_cache_type(t, 3), -EINVAL);
	sw_dns_table_free(t);
}

static void
each_entry_is_resolved_with_its_cache_type(void)
{
	struct fake f = {.ip = 0xc6120101, .ttl = 30, .cache_type = -1};
	struct sw_dns_source src = {
	        .naptr = none, .srv = none, .a = fake_a, .ctx = &f, .start = fake_start};
	struct sw_dns_table *t = sw_dns_table_new(2, 1);
	struct sw_server_cfg s = {.address = "pbx.example", .port = 5060};

	CU_ASSERT_EQUAL_FATAL(sw_dns_table_add_type(t, &s, SW_DNS_CACHE_CACHE_ADDITIONAL), 0);
	CU_ASSERT_EQUAL(sw_dns_table_refresh(t, &src, false, SW_SRV_ORDER_RFC2782, 1, 0, NS), 1);
	CU_ASSERT_EQUAL(f.cache_type, SW_DNS_CACHE_CACHE_ADDITIONAL);
	CU_ASSERT_EQUAL(sw_dns_table_get(t, 0)->expires_ns, 30 * NS); /* type 2 keeps the TTL */
	sw_dns_table_free(t);
}

/*
 * dns_cache_type 0 on a virtual clock: one refresh cycle per second; entry 0 is real-time,
 * entry 1 the same server cached (TTL 30 s).
 */
static void
a_real_time_entry_is_re_resolved_at_each_cycle_after_it_was_used(void)
{
	struct fake f = {.ip = 0xc6120101, .ttl = 30, .cache_type = -1};
	struct sw_dns_source src = {
	        .naptr = none, .srv = none, .a = fake_a, .ctx = &f, .start = fake_start};
	struct sw_dns_table *t = sw_dns_table_new(2, 1);
	struct sw_server_cfg s = {.address = "pbx.example", .port = 5060};
	const struct sw_dns_list *l;

#define CYCLE(sec) sw_dns_table_refresh(t, &src, false, SW_SRV_ORDER_RFC2782, 1, (sec)*NS, 5 * NS)
	CU_ASSERT_EQUAL_FATAL(sw_dns_table_add_type(t, &s, SW_DNS_CACHE_REALTIME), 0);
	CU_ASSERT_EQUAL_FATAL(sw_dns_table_add_type(t, &s, SW_DNS_CACHE_CACHE), 1);
	/* before traffic both are resolved */
	CU_ASSERT_EQUAL(CYCLE(100), 2);
	CU_ASSERT_EQUAL(f.lookups, 2);
	l = sw_dns_table_get(t, 0);
	CU_ASSERT_EQUAL(l->expires_ns, 100 * NS); /* treated as TTL 0 */
	CU_ASSERT_EQUAL(l->r.ttl, 30);            /* what DNS said stays visible */
	CU_ASSERT_EQUAL(sw_dns_table_get(t, 1)->expires_ns, 130 * NS);
	/* nobody used it: no query, and it does not bring the next refresh forward */
	CU_ASSERT_EQUAL(sw_dns_table_next_expiry(t), 130 * NS);
	CU_ASSERT_EQUAL(CYCLE(101), 0);
	CU_ASSERT_EQUAL(f.lookups, 2);
	/* three transactions start on each entry: one resolution of the real-time one */
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_PTR_EQUAL(sw_dns_table_use(t, 0), l);
		CU_ASSERT_PTR_NOT_NULL(sw_dns_table_use(t, 1));
	}
	CU_ASSERT_EQUAL(sw_dns_table_next_expiry(t), 100 * NS); /* due now */
	f.ip = 0xc6120102;
	CU_ASSERT_EQUAL(CYCLE(102), 1);
	CU_ASSERT_EQUAL(f.lookups, 3);
	CU_ASSERT_EQUAL(f.cache_type, SW_DNS_CACHE_REALTIME);
	l = sw_dns_table_get(t, 0);
	CU_ASSERT_EQUAL(l->version, 2);
	CU_ASSERT_EQUAL(l->r.t[0].ip, 0xc6120102);
	CU_ASSERT_EQUAL(sw_dns_table_get(t, 1)->r.t[0].ip, 0xc6120101); /* cached for 30 s */
	/* the new list is unused until a line takes it */
	CU_ASSERT_EQUAL(CYCLE(103), 0);
	CU_ASSERT_PTR_EQUAL(sw_dns_table_get(t, 0), l); /* a plain get does not count as use */
	CU_ASSERT_EQUAL(CYCLE(104), 0);
	CU_ASSERT_PTR_NOT_NULL(sw_dns_table_use(t, 0));
	CU_ASSERT_EQUAL(CYCLE(105), 1);
	CU_ASSERT_EQUAL(f.lookups, 4);
	/* DNS fails: the last good list stays, and the used entry is retried after 5 s */
	f.ip = 0;
	CU_ASSERT_PTR_NOT_NULL(sw_dns_table_use(t, 0));
	CU_ASSERT_EQUAL(CYCLE(106), 0);
	CU_ASSERT_EQUAL(sw_dns_table_stats(t, 0)->failures, 1);
	CU_ASSERT_EQUAL(sw_dns_table_get(t, 0)->r.t[0].ip, 0xc6120102);
	CU_ASSERT_EQUAL(sw_dns_table_next_expiry(t), 111 * NS);
	CU_ASSERT_EQUAL(CYCLE(110), 0);
	CU_ASSERT_EQUAL(f.lookups, 5);
	f.ip = 0xc6120103;
	CU_ASSERT_EQUAL(CYCLE(111), 1);
	CU_ASSERT_EQUAL(sw_dns_table_get(t, 0)->r.t[0].ip, 0xc6120103);
	CU_ASSERT_EQUAL(sw_dns_table_stats(t, 0)->publishes, 4);
	/* the cached entry is re-resolved at its TTL, used or not */
	CU_ASSERT_EQUAL(CYCLE(130), 1);
	CU_ASSERT_EQUAL(sw_dns_table_get(t, 1)->r.t[0].ip, 0xc6120103);
	CU_ASSERT_EQUAL(f.cache_type, SW_DNS_CACHE_CACHE);
	CU_ASSERT_EQUAL(sw_dns_table_stats(t, 1)->publishes, 2);
#undef CYCLE
	sw_dns_table_free(t);
}

static void
a_literal_never_expires(void)
{
	struct sw_dns_source src = {.naptr = none, .srv = none, .a = none, .ctx = NULL};
	struct sw_dns_table *t = sw_dns_table_new(1, 1);
	struct sw_server_cfg s = {.address = "198.18.0.1", .port = 5060, .transport = 0};

	CU_ASSERT_EQUAL_FATAL(sw_dns_table_add(t, &s), 0);
	CU_ASSERT_EQUAL(sw_dns_table_refresh(t, &src, false, SW_SRV_ORDER_RFC2782, 1, 0, NS), 1);
	CU_ASSERT_EQUAL(sw_dns_table_get(t, 0)->expires_ns, UINT64_MAX);
	CU_ASSERT_EQUAL(sw_dns_table_next_expiry(t), UINT64_MAX);
	sw_dns_table_free(t);
}

static void
a_retired_list_waits_for_every_reader(void)
{
	struct sw_dns_table *t = sw_dns_table_new(1, 2);
	struct sw_server_cfg s = {.address = "pbx.example", .port = 5060};
	struct sw_dns_result r = {.n = 1, .ttl = 10};

	CU_ASSERT_EQUAL_FATAL(sw_dns_table_add(t, &s), 0);
	CU_ASSERT_EQUAL(sw_dns_table_publish(t, 0, &r, 0), 0);
	CU_ASSERT_EQUAL(sw_dns_table_publish(t, 0, &r, 0), 0); /* version 1 retired */
	CU_ASSERT_EQUAL(sw_dns_table_reclaim(t), 0);           /* no reader has moved */
	sw_dns_table_quiescent(t, 0);
	CU_ASSERT_EQUAL(sw_dns_table_reclaim(t), 0); /* reader 1 may still hold it */
	sw_dns_table_reader_online(t, 1, false);
	CU_ASSERT_EQUAL(sw_dns_table_reclaim(t), 1); /* an offline reader is not waited for */
	CU_ASSERT_EQUAL(sw_dns_table_get(t, 0)->version, 2);
	sw_dns_table_free(t);
}

/* The reader checks every list it sees is whole: each target's ip and port equal the version. */
struct reader_arg {
	struct sw_dns_table *t;
	atomic_bool stop;
	_Atomic uint64_t seen; /* read by the writer while the reader runs */
	uint64_t torn, backwards;
};

static void *
reader(void *p)
{
	struct reader_arg *a = p;
	uint64_t last = 0;

	while (!atomic_load_explicit(&a->stop, memory_order_relaxed)) {
		const struct sw_dns_list *l = sw_dns_table_get(a->t, 0);

		if (l != NULL) {
			for (unsigned int i = 0; i < l->r.n; i++)
				if (l->r.t[i].ip != (uint32_t)l->version ||
				    l->r.t[i].port != (uint16_t)l->version)
					a->torn++;
			if (l->r.n != SW_DNS_MAX_TARGETS)
				a->torn++;
			if (l->version < last)
				a->backwards++;
			last = l->version;
			atomic_fetch_add_explicit(&a->seen, 1, memory_order_relaxed);
		}
		sw_dns_table_quiescent(a->t, 0);
	}
	sw_dns_table_reader_online(a->t, 0, false);
	return NULL;
}

static void
a_reader_sees_whole_lists_while_the_table_swaps(void)
{
	struct reader_arg a = {.t = sw_dns_table_new(1, 1)};
	struct sw_server_cfg s = {.address = "pbx.example", .port = 5060};
	static struct sw_dns_result r;
	unsigned int freed = 0;
	pthread_t th;

	CU_ASSERT_EQUAL_FATAL(sw_dns_table_add(a.t, &s), 0);
	atomic_init(&a.stop, false);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, reader, &a), 0);
	for (uint64_t v = 1; v <= 20000; v++) {
		/* the swaps start once the reader reads: on a loaded machine (2 vCPUs, a fuzzer on
		 * the other) the thread could otherwise first run after the last publish, see only
		 * the stop flag, and the test would have checked nothing (it failed so under ASan) */
		for (int w = 0; v == 2 && w < 100000 && atomic_load(&a.seen) == 0; w++)
			sched_yield();
		r.n = SW_DNS_MAX_TARGETS;
		r.ttl = 1;
		for (unsigned int i = 0; i < r.n; i++) {
			r.t[i].ip = (uint32_t)v;
			r.t[i].port = (uint16_t)v;
		}
		CU_ASSERT_EQUAL(sw_dns_table_publish(a.t, 0, &r, v * NS), 0);
		freed += sw_dns_table_reclaim(a.t);
	}
	atomic_store(&a.stop, true);
	pthread_join(th, NULL);
	freed += sw_dns_table_reclaim(a.t);
	CU_ASSERT_EQUAL(a.torn, 0);
	CU_ASSERT_EQUAL(a.backwards, 0);
	CU_ASSERT(a.seen > 0);
	CU_ASSERT_EQUAL(freed, 19999); /* every old list freed once the reader left */
	CU_ASSERT_EQUAL(sw_dns_table_get(a.t, 0)->version, 20000);
	sw_dns_table_free(a.t);
}

static const struct sw_test_case cases[] = {
        {"the same server shares one entry", same_server_shares_one_entry},
        {"a full table refuses a new server", a_full_table_refuses_a_new_server},
        {"expiry re-resolves and a failure keeps the last good list",
         expiry_re_resolves_and_failure_keeps_the_last_good_list},
        {"a literal never expires", a_literal_never_expires},
        {"each cache type of one server is its own entry",
         each_cache_type_of_one_server_is_its_own_entry},
        {"each entry is resolved with its cache type", each_entry_is_resolved_with_its_cache_type},
        {"a real-time entry is re-resolved at each cycle after it was used",
         a_real_time_entry_is_re_resolved_at_each_cycle_after_it_was_used},
        {"a retired list waits for every reader", a_retired_list_waits_for_every_reader},
        {"a reader sees whole lists while the table swaps",
         a_reader_sees_whole_lists_while_the_table_swaps},
        {NULL, NULL},
};

const struct sw_test_suite suite_table = {"dns table", NULL, NULL, cases};
