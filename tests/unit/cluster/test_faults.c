/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fault layer: each kind inside and outside its window, later rules winning, the capacity
 * token bucket, the delay queue, and the schedule text with its errors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "test_cluster.h"

static struct tc_capture cap;

const char tc_options[] = "OPTIONS sip:" TC_DOMAIN " SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 198.18.0.9:5062;branch=z9hG4bKopt1\r\n"
                          "From: <sip:1000@" TC_DOMAIN ">;tag=f1\r\n"
                          "To: <sip:" TC_DOMAIN ">\r\n"
                          "Call-ID: opt-1\r\n"
                          "CSeq: 5 OPTIONS\r\n"
                          "Content-Length: 0\r\n"
                          "\r\n";
const size_t tc_options_len = sizeof(tc_options) - 1;

static struct sw_cluster *
make(unsigned n)
{
	struct sw_cluster_cfg cfg;
	struct sw_cluster *c;

	tc_cfg(&cfg, n, NULL);
	cfg.delay_slots = 4;
	c = sw_cluster_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

/* OPTIONS to server at now: the status answered now (0 when none). */
static int
ping(struct sw_cluster *c, uint64_t now, unsigned server)
{
	if (tc_feed(c, &cap, now, UINT32_C(0xC6120009), 5062, server, tc_options, tc_options_len) !=
	    1)
		return 0;
	return tc_status(&cap, 0);
}

static void
test_a_silent_server_drops_everything_inside_its_window_only(void)
{
	struct sw_cluster *c = make(2);
	struct sw_cluster_server_stats st;
	struct tc_phone p;

	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, TC_NS(20), TC_NS(60), SW_CLUSTER_SILENT, 0), 0);
	CU_ASSERT_EQUAL(ping(c, TC_NS(20) - 1, 0), 200);
	CU_ASSERT_EQUAL(ping(c, TC_NS(20), 0), 0);
	CU_ASSERT_EQUAL(ping(c, TC_NS(40), 1), 200); /* the other server answers */
	tc_phone_init(&p, "1000", 1);
	CU_ASSERT_EQUAL(tc_phone_register(c, &cap, &p, TC_NS(59), 0, 600), 0);
	CU_ASSERT_EQUAL(ping(c, TC_NS(60), 0), 200);
	sw_cluster_stats(c, 0, &st);
	CU_ASSERT_EQUAL(st.rx, 4);
	CU_ASSERT_EQUAL(st.dropped_silent, 2);
	CU_ASSERT_EQUAL(st.tx, 2);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_a_503_window_answers_503_with_or_without_retry_after(void)
{
	static const char ack[] = "ACK sip:1000@198.18.0.9:5062 SIP/2.0\r\n"
	                          "Via: SIP/2.0/UDP 198.18.0.9:5062;branch=z9hG4bKack1\r\n"
	                          "From: <sip:1000@" TC_DOMAIN ">;tag=f1\r\n"
	                          "To: <sip:2000@" TC_DOMAIN ">;tag=x\r\n"
	                          "Call-ID: ack-1\r\n"
	                          "CSeq: 1 ACK\r\n"
	                          "\r\n";
	struct sw_cluster *c = make(1);
	struct sw_cluster_server_stats st;
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, TC_NS(10), TC_NS(15), SW_CLUSTER_503, 30), 0);
	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, TC_NS(15), TC_NS(16), SW_CLUSTER_503, 0), 0);
	CU_ASSERT_EQUAL(ping(c, TC_NS(9), 0), 200);
	CU_ASSERT_EQUAL(ping(c, TC_NS(10), 0), 503);
	CU_ASSERT_EQUAL_FATAL(tc_parse(&cap, 0, &m), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.retry_after, 30);
	CU_ASSERT_EQUAL(ping(c, TC_NS(15), 0), 503);
	CU_ASSERT_EQUAL_FATAL(tc_parse(&cap, 0, &m), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.retry_after, -1);
	/* an ACK is never answered */
	CU_ASSERT_EQUAL(tc_feed(c, &cap, TC_NS(15), 1, 5062, 0, ack, sizeof(ack) - 1), 0);
	CU_ASSERT_EQUAL(ping(c, TC_NS(16), 0), 200);
	sw_cluster_stats(c, 0, &st);
	CU_ASSERT_EQUAL(st.fault_503, 3);
	CU_ASSERT_EQUAL(st.tx_by_class[5], 2);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_a_delay_window_sends_answers_late_in_order(void)
{
	struct sw_cluster *c = make(1);
	struct sw_cluster_server_stats st;
	uint64_t t0 = TC_NS(100);

	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, t0, TC_NS(200), SW_CLUSTER_DELAY, 200), 0);
	CU_ASSERT_EQUAL(sw_cluster_next_due(c), UINT64_MAX);
	CU_ASSERT_EQUAL(ping(c, t0, 0), 0);
	CU_ASSERT_EQUAL(ping(c, t0 + 1000, 0), 0);
	CU_ASSERT_EQUAL(sw_cluster_next_due(c), t0 + 200 * UINT64_C(1000000));
	cap.n = 0;
	CU_ASSERT_EQUAL(sw_cluster_poll(c, t0 + 199 * UINT64_C(1000000), tc_emit, &cap), 0);
	CU_ASSERT_EQUAL(sw_cluster_poll(c, t0 + 200 * UINT64_C(1000000), tc_emit, &cap), 1);
	CU_ASSERT_EQUAL(cap.d[0].due, t0 + 200 * UINT64_C(1000000));
	CU_ASSERT_EQUAL(tc_status(&cap, 0), 200);
	CU_ASSERT_EQUAL(sw_cluster_next_due(c), t0 + 1000 + 200 * UINT64_C(1000000));
	CU_ASSERT_EQUAL(sw_cluster_poll(c, TC_NS(300), tc_emit, &cap), 1);
	CU_ASSERT_EQUAL(cap.d[1].due, t0 + 1000 + 200 * UINT64_C(1000000));
	CU_ASSERT_EQUAL(sw_cluster_next_due(c), UINT64_MAX);
	/* the queue holds 4: the fifth is dropped and counted */
	for (int i = 0; i < 5; i++)
		ping(c, TC_NS(150), 0);
	cap.n = 0;
	CU_ASSERT_EQUAL(sw_cluster_poll(c, TC_NS(151), tc_emit, &cap), 4);
	sw_cluster_stats(c, 0, &st);
	CU_ASSERT_EQUAL(st.dropped_delay_full, 1);
	CU_ASSERT_EQUAL(st.tx, 6);
	/* after the window, at once */
	CU_ASSERT_EQUAL(ping(c, TC_NS(200), 0), 200);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_delayed_answers_leave_in_due_order_when_the_delay_shrinks(void)
{
	struct sw_cluster *c = make(1);

	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, 0, TC_NS(10), SW_CLUSTER_DELAY, 1000), 0);
	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, TC_NS(10), TC_NS(20), SW_CLUSTER_DELAY, 10), 0);
	CU_ASSERT_EQUAL(ping(c, TC_NS(9) + 500 * UINT64_C(1000000), 0), 0); /* due 10.5 s */
	CU_ASSERT_EQUAL(ping(c, TC_NS(10), 0), 0);                          /* due 10.01 s */
	CU_ASSERT_EQUAL(sw_cluster_next_due(c), TC_NS(10) + 10 * UINT64_C(1000000));
	cap.n = 0;
	CU_ASSERT_EQUAL(sw_cluster_poll(c, TC_NS(11), tc_emit, &cap), 2);
	CU_ASSERT_EQUAL(cap.d[0].due, TC_NS(10) + 10 * UINT64_C(1000000));
	CU_ASSERT_EQUAL(cap.d[1].due, TC_NS(10) + 500 * UINT64_C(1000000));
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_every_counter_has_a_name_and_a_help(void)
{
	for (int i = 0; i < SW_CLUSTER_C_COUNT; i++) {
		CU_ASSERT_PTR_NOT_NULL(sw_cluster_counter_name(i));
		CU_ASSERT_PTR_NOT_NULL(sw_cluster_counter_help(i));
	}
	CU_ASSERT_STRING_EQUAL(sw_cluster_counter_name(SW_CLUSTER_C_auth_ok), "auth_ok");
	CU_ASSERT_PTR_NULL(sw_cluster_counter_name(SW_CLUSTER_C_COUNT));
	CU_ASSERT_PTR_NULL(sw_cluster_counter_help(SW_CLUSTER_C_COUNT));
}

static void
test_reject_auth_forbids_registers_with_credentials_only(void)
{
	struct sw_cluster *c = make(1);
	struct sw_cluster_server_stats st;
	struct tc_phone p;

	tc_phone_init(&p, "1000", 1);
	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, 0, TC_NS(10), SW_CLUSTER_REJECT_AUTH, 0), 0);
	CU_ASSERT_EQUAL(tc_phone_register(c, &cap, &p, TC_NS(1), 0, 600), 1);
	CU_ASSERT_EQUAL(tc_status(&cap, 0), 401);
	CU_ASSERT_EQUAL_FATAL(tc_phone_challenged(&p, &cap, 0), 0);
	CU_ASSERT_EQUAL(tc_phone_register(c, &cap, &p, TC_NS(1), 0, 600), 1);
	CU_ASSERT_EQUAL(tc_status(&cap, 0), 403);
	CU_ASSERT_EQUAL(ping(c, TC_NS(2), 0), 200);
	CU_ASSERT_EQUAL(tc_phone_register(c, &cap, &p, TC_NS(10), 0, 600), 1);
	CU_ASSERT_EQUAL(tc_status(&cap, 0), 200);
	sw_cluster_stats(c, 0, &st);
	CU_ASSERT_EQUAL(st.fault_reject_auth, 1);
	CU_ASSERT_EQUAL(st.auth_fail, 0);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_capacity_drops_what_exceeds_the_rate(void)
{
	struct sw_cluster *c = make(2);
	struct sw_cluster_server_stats st;
	unsigned answered = 0;

	/* 100 per second, a bucket of a tenth of a second (10) */
	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, 0, UINT64_MAX, SW_CLUSTER_CAPACITY, 100), 0);
	for (int i = 0; i < 50; i++)
		answered += ping(c, TC_NS(1), 0) == 200;
	CU_ASSERT_EQUAL(answered, 10);
	/* 50 ms later, 5 more tokens */
	answered = 0;
	for (int i = 0; i < 50; i++)
		answered += ping(c, TC_NS(1) + 50 * UINT64_C(1000000), 0) == 200;
	CU_ASSERT_EQUAL(answered, 5);
	/* one request every 10 ms is always served */
	answered = 0;
	for (int i = 0; i < 100; i++)
		answered += ping(c, TC_NS(2) + (uint64_t)i * 10 * UINT64_C(1000000), 0) == 200;
	CU_ASSERT_EQUAL(answered, 100);
	sw_cluster_stats(c, 0, &st);
	CU_ASSERT_EQUAL(st.dropped_capacity, 85);
	CU_ASSERT_EQUAL(st.rx, 200);
	/* the other server has no limit */
	answered = 0;
	for (int i = 0; i < 50; i++)
		answered += ping(c, TC_NS(1), 1) == 200;
	CU_ASSERT_EQUAL(answered, 50);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_later_rules_win_and_capacity_combines(void)
{
	struct sw_cluster *c = make(1);

	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, 0, TC_NS(100), SW_CLUSTER_503, 5), 0);
	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, TC_NS(20), TC_NS(60), SW_CLUSTER_SILENT, 0), 0);
	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, 0, UINT64_MAX, SW_CLUSTER_CAPACITY, 1), 0);
	CU_ASSERT_EQUAL(ping(c, TC_NS(10), 0), 503);
	CU_ASSERT_EQUAL(ping(c, TC_NS(30), 0), 0); /* silent wins over 503 */
	CU_ASSERT_EQUAL(ping(c, TC_NS(70), 0), 503);
	CU_ASSERT_EQUAL(ping(c, TC_NS(70), 0), 0); /* capacity: one a second */
	CU_ASSERT_EQUAL(ping(c, TC_NS(100), 0), 200);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_a_primary_outage_moves_lines_to_the_secondary_and_back(void)
{
	/* server 1 primary and server 2 secondary share a table; server 3 is a fallback */
	static const uint8_t groups[3] = {0, 0, 1};
	struct sw_cluster_cfg cfg;
	struct sw_cluster *c;
	struct tc_phone p[20];
	struct sw_cluster_server_stats st;
	char err[64];
	unsigned ok = 0, silent = 0, back = 0;

	tc_cfg(&cfg, 3, groups);
	c = sw_cluster_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(
	        sw_cluster_schedule_parse(c, "at 20 until 60 server 1 silent", err, sizeof(err)),
	        0);
	for (unsigned i = 0; i < 20; i++) {
		char u[8];
		snprintf(u, sizeof(u), "l%u", i);
		tc_phone_init(&p[i], u, i + 1);
		ok += tc_phone_full_register(c, &cap, &p[i], TC_NS(1), 0, 60) == 200;
	}
	CU_ASSERT_EQUAL(ok, 20);
	/* the refresh at 30 s gets nothing from the primary; the secondary knows the nonce */
	ok = 0;
	for (unsigned i = 0; i < 20; i++) {
		silent += tc_phone_register(c, &cap, &p[i], TC_NS(30), 0, 60) == 0;
		ok += tc_phone_register(c, &cap, &p[i], TC_NS(30), 1, 60) == 1 &&
		      tc_status(&cap, 0) == 200;
	}
	CU_ASSERT_EQUAL(silent, 20);
	CU_ASSERT_EQUAL(ok, 20);
	/* every line is bound until 90 s in the shared table, nowhere in the fallback's */
	ok = 0;
	for (unsigned i = 0; i < 20; i++) {
		uint64_t exp;
		ok += sw_cluster_lookup(c, 0, p[i].user, strlen(p[i].user), NULL, NULL, &exp) ==
		              0 &&
		      exp == TC_NS(90);
		ok += sw_cluster_lookup(c, 1, p[i].user, strlen(p[i].user), NULL, NULL, NULL) ==
		      -ENOENT;
	}
	CU_ASSERT_EQUAL(ok, 40);
	/* back on the primary at 61 s: the nonce is stale by now, then 200 */
	for (unsigned i = 0; i < 20; i++) {
		struct sw_sip_msg m;
		if (tc_phone_register(c, &cap, &p[i], TC_NS(61), 0, 60) != 1 ||
		    tc_parse(&cap, 0, &m) != SW_SIP_OK || m.status != 401 || !m.challenge.stale ||
		    tc_phone_challenged(&p[i], &cap, 0) != 0)
			continue;
		back += tc_phone_register(c, &cap, &p[i], TC_NS(61), 0, 60) == 1 &&
		        tc_status(&cap, 0) == 200;
	}
	CU_ASSERT_EQUAL(back, 20);
	sw_cluster_stats(c, 0, &st);
	CU_ASSERT_EQUAL(st.dropped_silent, 20);
	CU_ASSERT_EQUAL(st.stale_nonce, 20);
	CU_ASSERT_EQUAL(st.bindings, 20);
	sw_cluster_stats(c, 1, &st);
	CU_ASSERT_EQUAL(st.auth_ok, 20);
	CU_ASSERT_EQUAL(st.challenges, 0);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_fault_add_checks_its_arguments(void)
{
	struct sw_cluster *c = make(1);

	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 1, 0, 1, SW_CLUSTER_SILENT, 0), -EINVAL);
	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, 5, 5, SW_CLUSTER_SILENT, 0), -EINVAL);
	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, 0, 1, SW_CLUSTER_FAULT_COUNT, 0), -EINVAL);
	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, 0, 1, SW_CLUSTER_CAPACITY, 0), -EINVAL);
	for (unsigned i = 0; i < SW_CLUSTER_MAX_RULES; i++)
		CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, i, i + 1, SW_CLUSTER_SILENT, 0), 0);
	CU_ASSERT_EQUAL(sw_cluster_fault_add(c, 0, 0, 1, SW_CLUSTER_SILENT, 0), -ENOSPC);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_a_schedule_text_adds_its_rules(void)
{
	static const char text[] = "# primary outage, a slow secondary, a limited fallback\n"
	                           "at 20 until 60 server 1 silent\n"
	                           "\n"
	                           "at 0 server 3 capacity 5000   # for ever\n"
	                           "at 10 until 15 server srv2 503 retry_after 30\n"
	                           "at 15 until 15.5 server 2 delay 200\n"
	                           "at 70 until 80 server 1 reject_auth";
	struct sw_cluster *c = make(3);
	char err[128];
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL(sw_cluster_schedule_parse(c, text, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT_EQUAL(ping(c, TC_NS(19), 0), 200);
	CU_ASSERT_EQUAL(ping(c, TC_NS(20), 0), 0);
	CU_ASSERT_EQUAL(ping(c, TC_NS(12), 1), 503);
	CU_ASSERT_EQUAL_FATAL(tc_parse(&cap, 0, &m), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.retry_after, 30);
	CU_ASSERT_EQUAL(ping(c, TC_NS(15), 1), 0);
	CU_ASSERT_EQUAL(sw_cluster_next_due(c), TC_NS(15) + 200 * UINT64_C(1000000));
	CU_ASSERT_EQUAL(ping(c, TC_NS(15) + 500 * UINT64_C(1000000), 1), 200);
	CU_ASSERT_EQUAL(ping(c, TC_NS(15), 2), 200);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_a_wrong_schedule_names_its_line_and_adds_nothing(void)
{
	static const struct {
		const char *text;
		const char *err;
	} cases[] = {
	        {"at 1 server 1 silent\nat x server 1 silent", "line 2: bad time \"x\""},
	        {"at 1 server 4 silent", "line 1: no server \"4\" (1..3 or a name)"},
	        {"at 1 server 0 silent", "line 1: no server \"0\" (1..3 or a name)"},
	        {"at 5 until 5 server 1 silent", "line 1: \"until\" must be after \"at\""},
	        {"at 5 server 1 explode", "line 1: unknown fault \"explode\""},
	        {"at 5 server 1 delay", "line 1: delay needs a number"},
	        {"at 5 server 1 capacity 0", "line 1: capacity needs a number >= 1"},
	        {"at 5 server 1 silent now", "line 1: unexpected \"now\""},
	        {"\n\nserver 1 silent", "line 3: expected \"at SECONDS\""},
	        {"at 5 silent", "line 1: expected \"server N\""},
	        {"at 5 server 1 503 retry_after", "line 1: bad retry_after seconds"},
	};
	struct sw_cluster *c = make(3);
	char err[128];

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(sw_cluster_schedule_parse(c, cases[i].text, err, sizeof(err)),
		                -EINVAL);
		CU_ASSERT_STRING_EQUAL(err, cases[i].err);
	}
	/* nothing was added: server 1 answers at 1 s */
	CU_ASSERT_EQUAL(ping(c, TC_NS(1), 0), 200);
	CU_ASSERT_EQUAL(ping(c, TC_NS(5), 0), 200);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static const struct sw_test_case cases[] = {
        {"a silent server drops everything inside its window only",
         test_a_silent_server_drops_everything_inside_its_window_only},
        {"a 503 window answers 503 with or without Retry-After",
         test_a_503_window_answers_503_with_or_without_retry_after},
        {"a delay window sends answers late, in order",
         test_a_delay_window_sends_answers_late_in_order},
        {"delayed answers leave in due order when the delay shrinks",
         test_delayed_answers_leave_in_due_order_when_the_delay_shrinks},
        {"every counter has a name and a help", test_every_counter_has_a_name_and_a_help},
        {"reject_auth forbids REGISTERs with credentials only",
         test_reject_auth_forbids_registers_with_credentials_only},
        {"capacity drops what exceeds the rate", test_capacity_drops_what_exceeds_the_rate},
        {"later rules win and capacity combines", test_later_rules_win_and_capacity_combines},
        {"a primary outage moves lines to the secondary and back",
         test_a_primary_outage_moves_lines_to_the_secondary_and_back},
        {"fault_add checks its arguments", test_fault_add_checks_its_arguments},
        {"a schedule text adds its rules", test_a_schedule_text_adds_its_rules},
        {"a wrong schedule names its line and adds nothing",
         test_a_wrong_schedule_names_its_line_and_adds_nothing},
        {NULL, NULL},
};

const struct sw_test_suite suite_faults = {"faults", NULL, NULL, cases};
