/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The line state machine on the virtual clock: the acceptance timelines of spec section 6
 * (1-5) and the effect of each redundancy parameter. Each test runs the simulator against a
 * scripted cluster and compares the exact wire timeline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_sim.h"
#include "sw_test.h"

static char tl[16384];
static size_t tl_len;
static bool with_notes;

static void
sink(void *arg, const struct sw_sim_event *ev)
{
	int n;

	(void)arg;
	if (ev->method == NULL && !with_notes)
		return;
	if (ev->method != NULL && strcmp(ev->what, "recv") == 0)
		n = snprintf(tl + tl_len, sizeof(tl) - tl_len, "%.3f %s %s %u/%u %u\n",
		             (double)ev->t / 1e9, ev->what, ev->method, ev->server + 1, ev->target,
		             ev->code);
	else if (ev->method != NULL)
		n = snprintf(tl + tl_len, sizeof(tl) - tl_len, "%.3f %s %s %u/%u%s\n",
		             (double)ev->t / 1e9, ev->what, ev->method, ev->server + 1, ev->target,
		             ev->proxy ? (ev->proxy == 1 ? " via1" : " via2") : "");
	else
		n = snprintf(tl + tl_len, sizeof(tl) - tl_len, "%.3f %s %u/%u\n",
		             (double)ev->t / 1e9, ev->what, ev->server + 1, ev->target);
	if (n > 0 && (size_t)n < sizeof(tl) - tl_len)
		tl_len += (size_t)n;
}

static struct sw_timing_cfg timing;
static struct sw_account_cfg acc;
static struct sw_phone_account pacc;
static struct sw_sim sim;
static struct sw_sim_line lines[4];
static struct sw_sim_script script;

/* Defaults of spec section 1, T1 = 0.5 s, no jitter, challenge off unless a test says. */
static void
setup(void)
{
	memset(&timing, 0, sizeof(timing));
	timing.t1_ms = 500;
	timing.t2_ms = 4000;
	timing.fail_on_503 = true;
	timing.fail_on_transport_error = true;
	timing.refresh_percent = 50;
	timing.seed = 1;
	memset(&acc, 0, sizeof(acc));
	acc.enable = true;
	for (int y = 0; y < 2; y++) {
		acc.server[y].address = y == 0 ? "working.example" : "fallback.example";
		acc.server[y].port = 5060;
		acc.server[y].expires = 3600;
		acc.server[y].retry_counts = 3;
		acc.server[y].invite_retry_counts = 3;
		acc.server[y].failback_timeout = 3600;
	}
	acc.outbound_proxy[0].address = "";
	acc.outbound_proxy[1].address = "";
	acc.outbound_proxy_fallback_interval = 3600;
	acc.fallback_timeout = 120;
	memset(&pacc, 0, sizeof(pacc));
	pacc.cfg = &acc;
	tl_len = 0;
	tl[0] = '\0';
	with_notes = false;
}

/* Run the script (prefixed with "challenge off") for n lines until t seconds. */
static void
run(const char *text, unsigned int n, double until)
{
	char err[128], full[2048];

	snprintf(full, sizeof(full), "challenge off\n%s", text);
	sw_sim_fini(&sim);
	CU_ASSERT_EQUAL_FATAL(sw_sim_script_parse(&script, full, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(sw_sim_init(&sim, &timing, &pacc, &script, lines, n, sink, NULL), 0);
	sw_sim_run(&sim, (uint64_t)(until * 1e9));
}

/* The timeline lines that start at or after t0 and before t1 seconds. */
static const char *
window(double t0, double t1)
{
	static char out[16384];
	size_t o = 0;
	const char *p = tl;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		double t = strtod(p, NULL);

		if (t >= t0 && t < t1 && o + (size_t)(nl - p) + 2 < sizeof(out)) {
			memcpy(out + o, p, (size_t)(nl - p) + 1);
			o += (size_t)(nl - p) + 1;
		}
		p = nl + 1;
	}
	out[o] = '\0';
	return out;
}

#define ASSERT_TIMELINE(got, want)                                                                 \
	do {                                                                                       \
		const char *g_ = (got);                                                            \
		if (strcmp(g_, (want)) != 0)                                                       \
			fprintf(stderr, "\n--- want\n%s--- got\n%s---\n", (want), g_);             \
		CU_ASSERT_STRING_EQUAL(g_, (want));                                                \
	} while (0)

/* Spec 6.1: REGISTER failover, failback_mode 0, register_on_enable 0. */
static void
test_scenario_1_register_fails_over_to_the_secondary_and_the_refresh_tries_the_primary_first(void)
{
	setup();
	run("server 1 targets 2\nat 0 until 100 server 1 target 0 silent\n", 1, 4000);
	ASSERT_TIMELINE(window(0, 100), "0.000 send REGISTER 1/0\n"
	                                "0.500 retransmit REGISTER 1/0\n"
	                                "1.500 retransmit REGISTER 1/0\n"
	                                "3.500 retransmit REGISTER 1/0\n"
	                                "7.500 send REGISTER 1/1\n"
	                                "7.500 recv REGISTER 1/1 200\n");
	/* refresh at 50 % of 3600 s: the primary first; it answers; nothing goes to S */
	ASSERT_TIMELINE(window(100, 4000), "1807.500 send REGISTER 1/0\n"
	                                   "1807.500 recv REGISTER 1/0 200\n"
	                                   "3607.500 send REGISTER 1/0\n"
	                                   "3607.500 recv REGISTER 1/0 200\n");
	CU_ASSERT_EQUAL(lines[0].l.failovers, 1);
	CU_ASSERT_EQUAL(lines[0].l.retransmissions, 3);
	/* unregistered from 0 to 7.5 s only */
	CU_ASSERT_EQUAL(lines[0].l.unreg_total, 7500);
}

/* Spec 6.2: failback_mode 3 (duration), failback_timeout 3600. */
static void
test_scenario_2_duration_mode_stays_on_the_secondary_until_the_failback_timeout(void)
{
	setup();
	acc.server[0].failback_mode = SW_FAILBACK_DURATION;
	run("server 1 targets 2\nat 0 until 100 server 1 target 0 silent\n", 1, 4000);
	ASSERT_TIMELINE(window(100, 4000), "1807.500 send REGISTER 1/1\n"
	                                   "1807.500 recv REGISTER 1/1 200\n"
	                                   "3607.500 send REGISTER 1/0\n"
	                                   "3607.500 recv REGISTER 1/0 200\n");
}

/* Spec 6.2, second half: failback_timeout 30 is normalised to 60 by lib/config. */
static void
test_scenario_2_a_60_second_failback_timeout_returns_at_the_first_refresh_after_it(void)
{
	setup();
	acc.server[0].failback_mode = SW_FAILBACK_DURATION;
	acc.server[0].failback_timeout = 60;
	acc.server[0].expires = 60;
	run("server 1 targets 2\nat 0 until 20 server 1 target 0 silent\n", 1, 100);
	ASSERT_TIMELINE(window(8, 100), "37.500 send REGISTER 1/1\n"
	                                "37.500 recv REGISTER 1/1 200\n"
	                                "67.500 send REGISTER 1/0\n"
	                                "67.500 recv REGISTER 1/0 200\n"
	                                "97.500 send REGISTER 1/0\n"
	                                "97.500 recv REGISTER 1/0 200\n");
}

/* Spec 6.3: INVITE failover; the next call goes to the primary first (mode 0). */
static void
test_scenario_3_invite_fails_over_to_the_secondary_and_the_next_call_tries_the_primary(void)
{
	setup();
	run("server 1 targets 2\nat 10 until 50 server 1 target 0 silent\n"
	    "call at 10 hold 5\ncall at 100 hold 5\n",
	    1, 200);
	ASSERT_TIMELINE(window(1, 200), "10.000 send INVITE 1/0\n"
	                                "10.500 retransmit INVITE 1/0\n"
	                                "11.500 retransmit INVITE 1/0\n"
	                                "13.500 retransmit INVITE 1/0\n"
	                                "17.500 send INVITE 1/1\n"
	                                "17.500 recv INVITE 1/1 200\n"
	                                "17.500 send ACK 1/1\n"
	                                "22.500 send BYE 1/1\n"
	                                "22.500 recv BYE 1/1 200\n"
	                                "100.000 send INVITE 1/0\n"
	                                "100.000 recv INVITE 1/0 200\n"
	                                "100.000 send ACK 1/0\n"
	                                "105.000 send BYE 1/0\n"
	                                "105.000 recv BYE 1/0 200\n");
}

/* Spec 6.4: successive fallback: F once W's registration has expired, W probed every 120 s. */
static void
test_scenario_4_successive_mode_registers_to_the_fallback_after_expiry_and_probes_the_working_server(
        void)
{
	setup();
	acc.redundancy_type = SW_REDUNDANCY_SUCCESSIVE;
	acc.server[0].expires = 120;
	acc.server[1].expires = 120;
	run("server 2 targets 1\nat 100 until 400 server 1 target * silent\n", 1, 560);
	ASSERT_TIMELINE(window(0, 560),
	                "0.000 send REGISTER 1/0\n"
	                "0.000 recv REGISTER 1/0 200\n"
	                "60.000 send REGISTER 1/0\n"
	                "60.000 recv REGISTER 1/0 200\n"
	                "120.000 send REGISTER 1/0\n"
	                "120.500 retransmit REGISTER 1/0\n"
	                "121.500 retransmit REGISTER 1/0\n"
	                "123.500 retransmit REGISTER 1/0\n"
	                /* W's registration (60 + 120 s) expires: F */
	                "180.000 send REGISTER 2/0\n"
	                "180.000 recv REGISTER 2/0 200\n"
	                "240.000 send REGISTER 2/0\n"
	                "240.000 recv REGISTER 2/0 200\n"
	                /* probe W fallback.timeout after F took over */
	                "300.000 send REGISTER 1/0\n"
	                "300.000 send REGISTER 2/0\n"
	                "300.000 recv REGISTER 2/0 200\n"
	                "300.500 retransmit REGISTER 1/0\n"
	                "301.500 retransmit REGISTER 1/0\n"
	                "303.500 retransmit REGISTER 1/0\n"
	                "360.000 send REGISTER 2/0\n"
	                "360.000 recv REGISTER 2/0 200\n"
	                /* W is back at 400: the probe at 427.5 s gets 200 */
	                "420.000 send REGISTER 2/0\n"
	                "420.000 recv REGISTER 2/0 200\n"
	                "427.500 send REGISTER 1/0\n"
	                "427.500 recv REGISTER 1/0 200\n"
	                /* and the next REGISTER goes to W; F is no longer refreshed */
	                "487.500 send REGISTER 1/0\n"
	                "487.500 recv REGISTER 1/0 200\n"
	                "547.500 send REGISTER 1/0\n"
	                "547.500 recv REGISTER 1/0 200\n");
}

/* Spec 6.5: concurrent fallback of INVITE; back on W once W answers REGISTER again. */
static void
test_scenario_5_concurrent_mode_sends_invite_to_the_fallback_and_returns_when_w_answers(void)
{
	setup();
	acc.server[0].expires = 60;
	acc.server[1].expires = 60;
	run("server 2 targets 1\nat 10 until 50 server 1 target * silent\n"
	    "call at 20 hold 5\ncall at 100 hold 5\n",
	    1, 106);
	ASSERT_TIMELINE(window(0, 106),
	                "0.000 send REGISTER 1/0\n"
	                "0.000 send REGISTER 2/0\n"
	                "0.000 recv REGISTER 1/0 200\n"
	                "0.000 recv REGISTER 2/0 200\n"
	                "20.000 send INVITE 1/0\n"
	                "20.500 retransmit INVITE 1/0\n"
	                "21.500 retransmit INVITE 1/0\n"
	                "23.500 retransmit INVITE 1/0\n"
	                "27.500 send INVITE 2/0\n"
	                "27.500 recv INVITE 2/0 200\n"
	                "27.500 send ACK 2/0\n"
	                "30.000 send REGISTER 1/0\n"
	                "30.000 send REGISTER 2/0\n"
	                "30.000 recv REGISTER 2/0 200\n"
	                "30.500 retransmit REGISTER 1/0\n"
	                "31.500 retransmit REGISTER 1/0\n"
	                "32.500 send BYE 2/0\n"
	                "32.500 recv BYE 2/0 200\n"
	                "33.500 retransmit REGISTER 1/0\n"
	                "60.000 send REGISTER 2/0\n"
	                "60.000 recv REGISTER 2/0 200\n"
	                /* REGISTER to W continues (retry 30 s after it failed at 37.5 s) */
	                "67.500 send REGISTER 1/0\n"
	                "67.500 recv REGISTER 1/0 200\n"
	                "90.000 send REGISTER 2/0\n"
	                "90.000 recv REGISTER 2/0 200\n"
	                /* W answered again: the next INVITE goes to W */
	                "97.500 send REGISTER 1/0\n"
	                "97.500 recv REGISTER 1/0 200\n"
	                "100.000 send INVITE 1/0\n"
	                "100.000 recv INVITE 1/0 200\n"
	                "100.000 send ACK 1/0\n"
	                "105.000 send BYE 1/0\n"
	                "105.000 recv BYE 1/0 200\n");
}

/* ---- each parameter's effect ---- */

static void
test_retry_counts_0_fails_over_one_t1_after_the_first_send(void)
{
	setup();
	acc.server[0].retry_counts = 0;
	run("server 1 targets 2\nat 0 server 1 target 0 silent\n", 1, 10);
	ASSERT_TIMELINE(window(0, 10), "0.000 send REGISTER 1/0\n"
	                               "0.500 send REGISTER 1/1\n"
	                               "0.500 recv REGISTER 1/1 200\n");
}

static void
test_retry_counts_20_retransmits_20_times_with_intervals_capped_at_t2(void)
{
	setup();
	acc.server[0].retry_counts = 20;
	run("server 1 targets 2\nat 0 server 1 target 0 silent\n", 1, 100);
	CU_ASSERT_EQUAL(lines[0].l.retransmissions, 20);
	CU_ASSERT_PTR_NOT_NULL(strstr(window(71, 72), "71.500 retransmit REGISTER 1/0\n"));
	ASSERT_TIMELINE(window(72, 100), "75.500 send REGISTER 1/1\n"
	                                 "75.500 recv REGISTER 1/1 200\n");
}

static void
test_t1_and_t2_set_the_retransmission_intervals(void)
{
	setup();
	timing.t1_ms = 1000;
	timing.t2_ms = 2000;
	run("server 1 targets 2\nat 0 server 1 target 0 silent\n", 1, 10);
	ASSERT_TIMELINE(window(0, 10), "0.000 send REGISTER 1/0\n"
	                               "1.000 retransmit REGISTER 1/0\n"
	                               "3.000 retransmit REGISTER 1/0\n"
	                               "5.000 retransmit REGISTER 1/0\n"
	                               "7.000 send REGISTER 1/1\n"
	                               "7.000 recv REGISTER 1/1 200\n");
}

static void
test_invite_retry_counts_1_fails_over_after_one_retransmission(void)
{
	setup();
	acc.server[0].invite_retry_counts = 1;
	run("server 1 targets 2\nat 10 server 1 target 0 silent\ncall at 10 hold 5\n", 1, 14);
	ASSERT_TIMELINE(window(1, 14), "10.000 send INVITE 1/0\n"
	                               "10.500 retransmit INVITE 1/0\n"
	                               "11.500 send INVITE 1/1\n"
	                               "11.500 recv INVITE 1/1 200\n"
	                               "11.500 send ACK 1/1\n");
}

static void
test_invite_retry_counts_10_doubles_the_interval_without_a_cap(void)
{
	setup();
	acc.server[0].invite_retry_counts = 10;
	run("server 1 targets 2\nat 10 server 1 target 0 silent\ncall at 10 hold 5\n", 1, 1100);
	/* Timer A: 0.5 * (2^11 - 1) = 1023.5 s after the first send */
	CU_ASSERT_PTR_NOT_NULL(strstr(window(1033, 1034), "1033.500 send INVITE 1/1\n"));
	CU_ASSERT_EQUAL(lines[0].l.retransmissions, 10);
}

static void
test_a_503_fails_the_target_at_once_when_fail_on_503_is_set(void)
{
	setup();
	run("server 1 targets 2\nat 0 until 1 server 1 target 0 503\n", 1, 1);
	ASSERT_TIMELINE(window(0, 1), "0.000 send REGISTER 1/0\n"
	                              "0.000 recv REGISTER 1/0 503\n"
	                              "0.000 send REGISTER 1/1\n"
	                              "0.000 recv REGISTER 1/1 200\n");
}

static void
test_a_503_is_a_rejection_retried_on_the_same_target_when_fail_on_503_is_off(void)
{
	setup();
	timing.fail_on_503 = false;
	run("server 1 targets 2\nat 0 until 1 server 1 target 0 503\n", 1, 31);
	ASSERT_TIMELINE(window(0, 31), "0.000 send REGISTER 1/0\n"
	                               "0.000 recv REGISTER 1/0 503\n"
	                               "30.000 send REGISTER 1/0\n"
	                               "30.000 recv REGISTER 1/0 200\n");
}

static void
test_a_403_is_not_a_server_failure(void)
{
	setup();
	run("server 1 targets 2\nat 0 until 1 server 1 target 0 403\n", 1, 31);
	CU_ASSERT_EQUAL(lines[0].l.failovers, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(window(30, 31), "30.000 send REGISTER 1/0\n"));
}

static void
test_the_challenge_is_answered_and_the_nonce_reused_on_refresh(void)
{
	char err[64];

	setup();
	CU_ASSERT_EQUAL_FATAL(sw_sim_script_parse(&script, "challenge on\n", err, sizeof(err)), 0);
	sw_sim_fini(&sim);
	CU_ASSERT_EQUAL_FATAL(sw_sim_init(&sim, &timing, &pacc, &script, lines, 1, sink, NULL), 0);
	sw_sim_run(&sim, (uint64_t)2000e9);
	ASSERT_TIMELINE(window(0, 2000), "0.000 send REGISTER 1/0\n"
	                                 "0.000 recv REGISTER 1/0 401\n"
	                                 "0.000 send REGISTER 1/0\n"
	                                 "0.000 recv REGISTER 1/0 200\n"
	                                 /* refresh: credentials with the kept nonce, no new 401 */
	                                 "1800.000 send REGISTER 1/0\n"
	                                 "1800.000 recv REGISTER 1/0 200\n");
}

static void
test_register_on_enable_registers_to_the_secondary_before_the_invite(void)
{
	setup();
	acc.server[0].register_on_enable = true;
	run("server 1 targets 2\nat 10 until 50 server 1 target 0 silent\ncall at 10 hold 5\n", 1,
	    20);
	ASSERT_TIMELINE(window(14, 20), "17.500 send REGISTER 1/1\n"
	                                "17.500 recv REGISTER 1/1 200\n"
	                                "17.500 send INVITE 1/1\n"
	                                "17.500 recv INVITE 1/1 200\n"
	                                "17.500 send ACK 1/1\n");
}

static void
test_only_signal_with_registered_keeps_the_invite_off_an_unregistered_target(void)
{
	setup();
	acc.server[0].only_signal_with_registered = true;
	with_notes = true;
	run("server 1 targets 2\nat 10 until 50 server 1 target 0 silent\ncall at 10 hold 5\n", 1,
	    20);
	ASSERT_TIMELINE(window(17, 20), "17.500 timeout 1/0\n"
	                                "17.500 failover 1/1\n"
	                                "17.500 call-failed 1/0\n");
}

static void
test_registration_mode_fails_back_when_the_registration_at_the_secondary_expires(void)
{
	setup();
	acc.server[0].failback_mode = SW_FAILBACK_REGISTRATION;
	acc.server[0].expires = 60;
	run("server 1 targets 2\nat 0 until 20 server 1 target 0 silent\n", 1, 70);
	ASSERT_TIMELINE(window(8, 70), "37.500 send REGISTER 1/1\n"
	                               "37.500 recv REGISTER 1/1 200\n"
	                               "67.500 send REGISTER 1/0\n"
	                               "67.500 recv REGISTER 1/0 200\n");
}

static void
test_dns_ttl_mode_fails_back_when_the_resolution_expires(void)
{
	setup();
	acc.server[0].failback_mode = SW_FAILBACK_DNS_TTL;
	acc.server[0].expires = 60;
	pacc.dns_expiry[0] = (uint64_t)50e9;
	run("server 1 targets 2\nat 0 until 20 server 1 target 0 silent\n", 1, 70);
	ASSERT_TIMELINE(window(8, 70), "37.500 send REGISTER 1/1\n"
	                               "37.500 recv REGISTER 1/1 200\n"
	                               "67.500 send REGISTER 1/0\n"
	                               "67.500 recv REGISTER 1/0 200\n");
}

static void
test_failback_waits_for_the_line_to_be_idle_in_modes_1_to_3(void)
{
	setup();
	acc.server[0].failback_mode = SW_FAILBACK_DURATION;
	acc.server[0].failback_timeout = 60;
	acc.server[0].expires = 60;
	run("server 1 targets 2\nat 0 until 20 server 1 target 0 silent\ncall at 60 hold 20\n", 1,
	    100);
	/* 67.5 s: the failback time has passed but a call is up: stay on S; 97.5 s: idle, P */
	ASSERT_TIMELINE(window(60, 100), "60.000 send INVITE 1/1\n"
	                                 "60.000 recv INVITE 1/1 200\n"
	                                 "60.000 send ACK 1/1\n"
	                                 "67.500 send REGISTER 1/1\n"
	                                 "67.500 recv REGISTER 1/1 200\n"
	                                 "80.000 send BYE 1/1\n"
	                                 "80.000 recv BYE 1/1 200\n"
	                                 "97.500 send REGISTER 1/0\n"
	                                 "97.500 recv REGISTER 1/0 200\n");
}

static void
test_failback_timeout_0_never_fails_back(void)
{
	setup();
	acc.server[0].failback_mode = SW_FAILBACK_DURATION;
	acc.server[0].failback_timeout = 0;
	acc.server[0].expires = 60;
	run("server 1 targets 2\nat 0 until 20 server 1 target 0 silent\n", 1, 1000);
	CU_ASSERT_PTR_NULL(strstr(window(8, 1000), "REGISTER 1/0"));
	CU_ASSERT_PTR_NOT_NULL(strstr(window(990, 1000), "997.500 send REGISTER 1/1\n"));
}

static void
test_the_refresh_is_jittered_per_line_within_its_bounds(void)
{
	setup();
	timing.refresh_jitter_percent = 10;
	run("", 4, 1);
	for (int i = 0; i < 4; i++) {
		uint32_t d = lines[i].l.leg[0].deadline;

		CU_ASSERT_TRUE(d >= 1440000 && d <= 2160000);
		if (i > 0)
			CU_ASSERT_NOT_EQUAL(d, lines[i - 1].l.leg[0].deadline);
	}
}

static void
test_fallback_timeout_sets_the_probe_interval(void)
{
	setup();
	acc.redundancy_type = SW_REDUNDANCY_SUCCESSIVE;
	acc.fallback_timeout = 10;
	run("server 2 targets 1\nat 0 server 1 target * silent\n", 1, 40);
	/* W fails at 7.5 s (no registration yet): F at once; probes 10 s after F's 200 */
	CU_ASSERT_PTR_NOT_NULL(strstr(window(7, 8), "7.500 send REGISTER 2/0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(window(17, 18), "17.500 send REGISTER 1/0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(window(35, 36), "35.000 send REGISTER 1/0\n"));
}

/* ---- direct API: stale tags and nonces, transport errors, proxies, stop ---- */

static struct sw_phone_ctx dctx;
static struct sw_phone_line dl;
static struct sw_phone_out dout;

static void
direct_setup(unsigned int targets)
{
	setup();
	pacc.n_targets[0] = (uint8_t)targets;
	pacc.dns_expiry[0] = UINT64_MAX;
	CU_ASSERT_EQUAL_FATAL(sw_phone_ctx_init(&dctx, &timing, &pacc, 1, 0), 0);
	sw_phone_line_init(&dl, 0, 7);
	CU_ASSERT_EQUAL_FATAL(sw_phone_start(&dctx, &dl, 0, &dout), 0);
}

static const struct sw_phone_action *
first_send(void)
{
	for (unsigned int i = 0; i < dout.n; i++)
		if (dout.a[i].kind == SW_PHONE_ACT_SEND)
			return &dout.a[i];
	return NULL;
}

static bool
has_note(enum sw_phone_note n)
{
	for (unsigned int i = 0; i < dout.n; i++)
		if (dout.a[i].kind == SW_PHONE_ACT_NOTE && dout.a[i].note == n)
			return true;
	return false;
}

static void
test_a_response_with_an_old_tag_is_stale_and_changes_nothing(void)
{
	struct sw_phone_resp ok = {.code = 200, .granted = -1};
	uint16_t old;

	direct_setup(1);
	old = first_send()->tag;
	CU_ASSERT_EQUAL(sw_phone_response(&dctx, &dl, 1000, old, &ok, &dout), 0);
	CU_ASSERT_TRUE(has_note(SW_PHONE_NOTE_REGISTERED));
	CU_ASSERT_EQUAL(sw_phone_response(&dctx, &dl, 2000, old, &ok, &dout), 0);
	CU_ASSERT_EQUAL(dout.stale, 1);
	CU_ASSERT_EQUAL(dout.n, 0);
	CU_ASSERT_EQUAL(sw_phone_response(&dctx, &dl, 2000, 0x0377, &ok, &dout), 0);
	CU_ASSERT_EQUAL(dout.stale, 1);
}

static void
test_a_stale_challenge_is_answered_and_a_second_plain_one_is_an_auth_failure(void)
{
	struct sw_phone_resp ch = {.code = 401, .challenge = true, .granted = -1};
	struct sw_phone_resp ok = {.code = 200, .granted = 60};
	const uint64_t s = SW_NS_PER_S;

	direct_setup(1);
	sw_phone_response(&dctx, &dl, 0, first_send()->tag, &ch, &dout);
	CU_ASSERT_EQUAL_FATAL(first_send() != NULL, 1);
	CU_ASSERT_EQUAL(first_send()->auth, 1);
	sw_phone_response(&dctx, &dl, 0, first_send()->tag, &ok, &dout);
	CU_ASSERT_TRUE(has_note(SW_PHONE_NOTE_REGISTERED));
	CU_ASSERT_EQUAL(dout.next_deadline, 30 * s);
	sw_phone_timer(&dctx, &dl, 30 * s, &dout);
	CU_ASSERT_EQUAL(first_send()->auth, 1); /* the nonce is reused */
	ch.stale = true;
	sw_phone_response(&dctx, &dl, 30 * s, first_send()->tag, &ch, &dout);
	CU_ASSERT_FALSE(has_note(SW_PHONE_NOTE_AUTH_FAILED));
	CU_ASSERT_EQUAL(first_send()->auth, 1);
	ch.stale = false;
	sw_phone_response(&dctx, &dl, 30 * s, first_send()->tag, &ch, &dout);
	CU_ASSERT_TRUE(has_note(SW_PHONE_NOTE_AUTH_FAILED));
	CU_ASSERT_PTR_NULL(first_send());
}

static void
test_a_transport_error_fails_the_target_at_once(void)
{
	direct_setup(2);
	sw_phone_transport_error(&dctx, &dl, 1000, first_send()->tag, &dout);
	CU_ASSERT_TRUE(has_note(SW_PHONE_NOTE_TRANSPORT_ERROR));
	CU_ASSERT_TRUE(has_note(SW_PHONE_NOTE_FAILOVER));
	CU_ASSERT_EQUAL_FATAL(first_send() != NULL, 1);
	CU_ASSERT_EQUAL(first_send()->target, 1);
	CU_ASSERT_EQUAL(first_send()->retrans, 0);
}

static void
test_outbound_proxy_2_takes_over_and_proxy_1_is_probed_after_the_interval(void)
{
	struct sw_phone_resp ok = {.code = 200, .granted = 3600};
	const uint64_t s = SW_NS_PER_S;

	setup();
	acc.outbound_proxy_enable = true;
	acc.outbound_proxy[0].address = "proxy1.example";
	acc.outbound_proxy[1].address = "proxy2.example";
	acc.outbound_proxy_fallback_interval = 100;
	pacc.n_targets[0] = 1;
	CU_ASSERT_EQUAL_FATAL(sw_phone_ctx_init(&dctx, &timing, &pacc, 1, 0), 0);
	sw_phone_line_init(&dl, 0, 1);
	sw_phone_start(&dctx, &dl, 0, &dout);
	CU_ASSERT_EQUAL(first_send()->proxy, 1);
	/* proxy 1 silent: 0.5, 1.5, 3.5 retransmissions, failure at 7.5 s */
	sw_phone_timer(&dctx, &dl, 500 * SW_NS_PER_MS, &dout);
	sw_phone_timer(&dctx, &dl, 1500 * SW_NS_PER_MS, &dout);
	sw_phone_timer(&dctx, &dl, 3500 * SW_NS_PER_MS, &dout);
	sw_phone_timer(&dctx, &dl, 7500 * SW_NS_PER_MS, &dout);
	CU_ASSERT_TRUE(has_note(SW_PHONE_NOTE_PROXY_FALLBACK));
	CU_ASSERT_EQUAL_FATAL(first_send() != NULL, 1);
	CU_ASSERT_EQUAL(first_send()->proxy, 2);
	CU_ASSERT_EQUAL(first_send()->target, 0);
	sw_phone_response(&dctx, &dl, 7500 * SW_NS_PER_MS, first_send()->tag, &ok, &dout);
	CU_ASSERT_TRUE(has_note(SW_PHONE_NOTE_REGISTERED));
	/* 100 s after the fallback: a REGISTER via proxy 1 again */
	CU_ASSERT_EQUAL(dout.next_deadline, 107500 * SW_NS_PER_MS);
	sw_phone_timer(&dctx, &dl, 107500 * SW_NS_PER_MS, &dout);
	CU_ASSERT_TRUE(has_note(SW_PHONE_NOTE_PROXY_PROBE));
	CU_ASSERT_EQUAL_FATAL(first_send() != NULL, 1);
	CU_ASSERT_EQUAL(first_send()->proxy, 1);
	(void)s;
}

static void
test_stop_cancels_what_is_in_flight_and_unregisters_with_expires_0(void)
{
	struct sw_phone_resp ok = {.code = 200, .granted = 3600};

	direct_setup(1);
	sw_phone_response(&dctx, &dl, 0, first_send()->tag, &ok, &dout);
	CU_ASSERT_TRUE(sw_phone_registered(&dctx, &dl, 1));
	sw_phone_stop(&dctx, &dl, 5 * SW_NS_PER_S, true, &dout);
	CU_ASSERT_EQUAL_FATAL(first_send() != NULL, 1);
	CU_ASSERT_EQUAL(first_send()->expires, 0);
	ok.granted = 0;
	sw_phone_response(&dctx, &dl, 5 * SW_NS_PER_S, first_send()->tag, &ok, &dout);
	CU_ASSERT_TRUE(has_note(SW_PHONE_NOTE_UNREGISTERED));
	CU_ASSERT_FALSE(sw_phone_registered(&dctx, &dl, 5 * SW_NS_PER_S));
	CU_ASSERT_EQUAL(dout.next_deadline, UINT64_MAX);
	CU_ASSERT_EQUAL(sw_phone_call(&dctx, &dl, 6 * SW_NS_PER_S, &dout), -ESHUTDOWN);

	/* a stop during a transaction reports it cancelled */
	direct_setup(1);
	sw_phone_stop(&dctx, &dl, 100, false, &dout);
	CU_ASSERT_TRUE(has_note(SW_PHONE_NOTE_CANCELLED));
	CU_ASSERT_PTR_NULL(first_send());
}

static void
test_a_registration_that_is_not_refreshed_lapses_at_its_expiry(void)
{
	struct sw_phone_resp ok = {.code = 200, .granted = 60};

	direct_setup(1);
	sw_phone_response(&dctx, &dl, 0, first_send()->tag, &ok, &dout);
	/* the refresh at 30 s gets no answer; the registration ends at 60 s */
	for (uint64_t t = 30000; t <= 61000; t += 500)
		sw_phone_timer(&dctx, &dl, t * SW_NS_PER_MS, &dout);
	CU_ASSERT_FALSE(sw_phone_registered(&dctx, &dl, 61 * SW_NS_PER_S));
	CU_ASSERT_EQUAL(dl.lost, 1);
	CU_ASSERT_EQUAL(dl.unreg_since, 60000);
}

static const struct sw_test_case param_cases[] = {
        {"retry_counts 0 fails over one T1 after the first send",
         test_retry_counts_0_fails_over_one_t1_after_the_first_send},
        {"retry_counts 20 retransmits 20 times with intervals capped at T2",
         test_retry_counts_20_retransmits_20_times_with_intervals_capped_at_t2},
        {"T1 and T2 set the retransmission intervals",
         test_t1_and_t2_set_the_retransmission_intervals},
        {"invite_retry_counts 1 fails over after one retransmission",
         test_invite_retry_counts_1_fails_over_after_one_retransmission},
        {"invite_retry_counts 10 doubles the interval without a cap",
         test_invite_retry_counts_10_doubles_the_interval_without_a_cap},
        {"a 503 fails the target at once when fail_on_503 is set",
         test_a_503_fails_the_target_at_once_when_fail_on_503_is_set},
        {"a 503 is a rejection retried on the same target when fail_on_503 is off",
         test_a_503_is_a_rejection_retried_on_the_same_target_when_fail_on_503_is_off},
        {"a 403 is not a server failure", test_a_403_is_not_a_server_failure},
        {"the challenge is answered and the nonce reused on refresh",
         test_the_challenge_is_answered_and_the_nonce_reused_on_refresh},
        {"register_on_enable registers to the secondary before the INVITE",
         test_register_on_enable_registers_to_the_secondary_before_the_invite},
        {"only_signal_with_registered keeps the INVITE off an unregistered target",
         test_only_signal_with_registered_keeps_the_invite_off_an_unregistered_target},
        {"registration mode fails back when the registration at the secondary expires",
         test_registration_mode_fails_back_when_the_registration_at_the_secondary_expires},
        {"DNS TTL mode fails back when the resolution expires",
         test_dns_ttl_mode_fails_back_when_the_resolution_expires},
        {"failback waits for the line to be idle in modes 1 to 3",
         test_failback_waits_for_the_line_to_be_idle_in_modes_1_to_3},
        {"failback_timeout 0 never fails back", test_failback_timeout_0_never_fails_back},
        {"the refresh is jittered per line within its bounds",
         test_the_refresh_is_jittered_per_line_within_its_bounds},
        {"fallback.timeout sets the probe interval", test_fallback_timeout_sets_the_probe_interval},
        {"a response with an old tag is stale and changes nothing",
         test_a_response_with_an_old_tag_is_stale_and_changes_nothing},
        {"a stale challenge is answered and a second plain one is an auth failure",
         test_a_stale_challenge_is_answered_and_a_second_plain_one_is_an_auth_failure},
        {"a transport error fails the target at once",
         test_a_transport_error_fails_the_target_at_once},
        {"outbound proxy 2 takes over and proxy 1 is probed after the interval",
         test_outbound_proxy_2_takes_over_and_proxy_1_is_probed_after_the_interval},
        {"stop cancels what is in flight and unregisters with Expires 0",
         test_stop_cancels_what_is_in_flight_and_unregisters_with_expires_0},
        {"a registration that is not refreshed lapses at its expiry",
         test_a_registration_that_is_not_refreshed_lapses_at_its_expiry},
        {NULL, NULL},
};

static const struct sw_test_suite suite_params = {"phone parameters", NULL, NULL, param_cases};

static const struct sw_test_case scenario_cases[] = {
        {"scenario 1: REGISTER fails over to the secondary and the refresh tries the primary first",
         test_scenario_1_register_fails_over_to_the_secondary_and_the_refresh_tries_the_primary_first},
        {"scenario 2: duration mode stays on the secondary until the failback timeout",
         test_scenario_2_duration_mode_stays_on_the_secondary_until_the_failback_timeout},
        {"scenario 2: a 60 s failback timeout returns at the first refresh after it",
         test_scenario_2_a_60_second_failback_timeout_returns_at_the_first_refresh_after_it},
        {"scenario 3: INVITE fails over to the secondary and the next call tries the primary",
         test_scenario_3_invite_fails_over_to_the_secondary_and_the_next_call_tries_the_primary},
        {"scenario 4: successive mode registers to the fallback after expiry and probes W",
         test_scenario_4_successive_mode_registers_to_the_fallback_after_expiry_and_probes_the_working_server},
        {"scenario 5: concurrent mode sends INVITE to the fallback and returns when W answers",
         test_scenario_5_concurrent_mode_sends_invite_to_the_fallback_and_returns_when_w_answers},
        {NULL, NULL},
};

static const struct sw_test_suite suite_scenarios = {"phone scenarios", NULL, NULL, scenario_cases};

const struct sw_test_suite *const sw_test_suites[] = {&suite_scenarios, &suite_params, NULL};
