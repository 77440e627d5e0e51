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

extern const struct sw_test_suite suite_params;

const struct sw_test_suite *const sw_test_suites[] = {&suite_scenarios, NULL};
