/* SPDX-License-Identifier: BSD-3-Clause */
/* The timer wheel: ordering, cancel, cascade, horizon, budget, and a 1M-timer stress. */
#include <stdlib.h>
#include <string.h>

#include "sw_test.h"
#include "sw_timer.h"

struct rec {
	struct sw_timer t;
	uint64_t deadline;
	uint64_t fired_at; /* the advance target during which it fired */
	unsigned int fires;
	unsigned int order;
};

static struct sw_timer_wheel wheel;
static uint64_t cur_target, prev_target;
static unsigned int fire_seq, early_or_late;
static struct rec *log_[64];

static void
record_cb(struct sw_timer_wheel *w, struct sw_timer *t, void *arg)
{
	struct rec *r = SW_TIMER_CONTAINER(t, struct rec, t);

	(void)w;
	(void)arg;
	r->fired_at = cur_target;
	r->fires++;
	/* it must fire in the first advance whose target reaches its deadline */
	if (!(r->t.expire <= cur_target && r->t.expire > prev_target))
		early_or_late++;
	r->order = fire_seq;
	if (fire_seq < SW_ARRAY_SIZE(log_))
		log_[fire_seq] = r;
	fire_seq++;
}

static void
reset(uint64_t now, sw_timer_cb cb)
{
	sw_timer_wheel_init(&wheel, now, cb, NULL);
	fire_seq = 0;
	early_or_late = 0;
	cur_target = now;
	prev_target = now - 1;
	memset(log_, 0, sizeof(log_));
}

static unsigned int
advance_to(uint64_t t)
{
	unsigned int n;

	cur_target = t;
	n = sw_timer_wheel_advance(&wheel, t, 0);
	prev_target = t;
	return n;
}

static void
test_a_timer_fires_at_its_deadline_and_not_before(void)
{
	struct rec r = {0};

	reset(0, record_cb);
	sw_timer_arm(&wheel, &r.t, 10);
	CU_ASSERT_EQUAL(advance_to(9), 0);
	CU_ASSERT_EQUAL(r.fires, 0);
	CU_ASSERT_TRUE(sw_timer_armed(&r.t));
	CU_ASSERT_EQUAL(advance_to(10), 1);
	CU_ASSERT_EQUAL(r.fires, 1);
	CU_ASSERT_FALSE(sw_timer_armed(&r.t));
	CU_ASSERT_EQUAL(wheel.armed, 0);
	CU_ASSERT_EQUAL(advance_to(1000), 0);
	CU_ASSERT_EQUAL(r.fires, 1);
}

static void
test_timers_fire_in_deadline_order_and_fifo_within_a_tick(void)
{
	struct rec r[6];

	memset(r, 0, sizeof(r));
	uint64_t dl[6] = {300, 5, 300, 70000, 5, 299};

	reset(0, record_cb);
	for (int i = 0; i < 6; i++)
		sw_timer_arm(&wheel, &r[i].t, dl[i]);
	CU_ASSERT_EQUAL(advance_to(100000), 6);
	CU_ASSERT_PTR_EQUAL(log_[0], &r[1]);
	CU_ASSERT_PTR_EQUAL(log_[1], &r[4]);
	CU_ASSERT_PTR_EQUAL(log_[2], &r[5]);
	CU_ASSERT_PTR_EQUAL(log_[3], &r[0]);
	CU_ASSERT_PTR_EQUAL(log_[4], &r[2]);
	CU_ASSERT_PTR_EQUAL(log_[5], &r[3]);
}

static void
test_a_cancelled_timer_never_fires(void)
{
	struct rec r = {0};

	reset(0, record_cb);
	sw_timer_arm(&wheel, &r.t, 1000);
	CU_ASSERT_EQUAL(sw_timer_cancel(&wheel, &r.t), 0);
	CU_ASSERT_EQUAL(sw_timer_cancel(&wheel, &r.t), -ENOENT);
	CU_ASSERT_EQUAL(advance_to(5000), 0);
	CU_ASSERT_EQUAL(r.fires, 0);
	CU_ASSERT_EQUAL(wheel.armed, 0);
	CU_ASSERT_EQUAL(sw_timer_wheel_next_hint(&wheel), UINT64_MAX);
}

static struct rec cancel_pair[2];

static void
cancel_other_cb(struct sw_timer_wheel *w, struct sw_timer *t, void *arg)
{
	struct rec *r = SW_TIMER_CONTAINER(t, struct rec, t);

	record_cb(w, t, arg);
	if (r == &cancel_pair[0])
		CU_ASSERT_EQUAL(sw_timer_cancel(w, &cancel_pair[1].t), 0);
}

static void
test_a_callback_can_cancel_a_timer_due_in_the_same_tick(void)
{
	memset(cancel_pair, 0, sizeof(cancel_pair));
	reset(0, cancel_other_cb);
	sw_timer_arm(&wheel, &cancel_pair[0].t, 42);
	sw_timer_arm(&wheel, &cancel_pair[1].t, 42);
	CU_ASSERT_EQUAL(advance_to(42), 1);
	CU_ASSERT_EQUAL(cancel_pair[0].fires, 1);
	CU_ASSERT_EQUAL(cancel_pair[1].fires, 0);
	CU_ASSERT_EQUAL(wheel.armed, 0);
}

static void
rearm_self_cb(struct sw_timer_wheel *w, struct sw_timer *t, void *arg)
{
	struct rec *r = SW_TIMER_CONTAINER(t, struct rec, t);

	record_cb(w, t, arg);
	if (r->fires < 3)
		sw_timer_arm(w, t, 0); /* in the past: must wait for the next tick */
}

static void
test_a_timer_rearmed_in_the_past_from_its_callback_fires_once_per_tick(void)
{
	struct rec r = {0};

	reset(0, rearm_self_cb);
	sw_timer_arm(&wheel, &r.t, 7);
	CU_ASSERT_EQUAL(advance_to(7), 1);
	CU_ASSERT_EQUAL(advance_to(8), 1);
	CU_ASSERT_EQUAL(advance_to(100), 1);
	CU_ASSERT_EQUAL(r.fires, 3);
	CU_ASSERT_FALSE(sw_timer_armed(&r.t));
}

static void
test_timers_cascade_through_every_level(void)
{
	struct rec r[SW_TIMER_LEVELS];

	memset(r, 0, sizeof(r));
	uint64_t base = 123456789;

	reset(base, record_cb);
	for (unsigned int l = 0; l < SW_TIMER_LEVELS; l++) {
		r[l].deadline = base + (UINT64_C(1) << (8 * l)) * 3 + 17;
		sw_timer_arm(&wheel, &r[l].t, r[l].deadline);
	}
	for (unsigned int l = 0; l < SW_TIMER_LEVELS; l++) {
		CU_ASSERT_EQUAL(advance_to(r[l].deadline - 1), 0);
		CU_ASSERT_EQUAL(r[l].fires, 0);
		CU_ASSERT_EQUAL(advance_to(r[l].deadline), 1);
		CU_ASSERT_EQUAL(r[l].fires, 1);
	}
	CU_ASSERT_TRUE(wheel.cascaded > 0);
}

static void
test_a_deadline_beyond_the_horizon_is_clamped_to_it(void)
{
	struct rec r = {0};

	reset(5, record_cb);
	sw_timer_arm(&wheel, &r.t, UINT64_MAX);
	CU_ASSERT_EQUAL(r.t.expire, 5 + SW_TIMER_HORIZON);
	CU_ASSERT_EQUAL(advance_to(5 + SW_TIMER_HORIZON - 1), 0);
	CU_ASSERT_EQUAL(advance_to(5 + SW_TIMER_HORIZON), 1);
}

static void
test_a_year_long_jump_fires_everything_in_few_steps(void)
{
	static struct rec r[1000];
	const uint64_t year_ms = UINT64_C(365) * 24 * 3600 * 1000;

	memset(r, 0, sizeof(r));
	reset(0, record_cb);
	for (int i = 0; i < 1000; i++)
		sw_timer_arm(&wheel, &r[i].t, (year_ms / 1000) * (uint64_t)i);
	CU_ASSERT_EQUAL(advance_to(year_ms), 1000);
	for (int i = 1; i < 1000; i++)
		CU_ASSERT_TRUE(r[i].order > r[i - 1].order);
}

static void
test_the_budget_stops_an_advance_and_the_next_one_continues(void)
{
	static struct rec r[10];

	memset(r, 0, sizeof(r));
	reset(0, record_cb);
	for (int i = 0; i < 10; i++)
		sw_timer_arm(&wheel, &r[i].t, 3);
	cur_target = 3;
	CU_ASSERT_EQUAL(sw_timer_wheel_advance(&wheel, 3, 4), 4);
	CU_ASSERT_EQUAL(wheel.behind, 1);
	/* a timer pending in the stopped tick can still be cancelled */
	CU_ASSERT_EQUAL(sw_timer_cancel(&wheel, &r[9].t), 0);
	CU_ASSERT_EQUAL(sw_timer_wheel_advance(&wheel, 3, 4), 4);
	CU_ASSERT_EQUAL(sw_timer_wheel_advance(&wheel, 3, 4), 1);
	CU_ASSERT_EQUAL(wheel.behind, 2);
	for (int i = 0; i < 9; i++)
		CU_ASSERT_EQUAL(r[i].fires, 1);
	CU_ASSERT_EQUAL(r[9].fires, 0);
	CU_ASSERT_EQUAL(wheel.armed, 0);
}

static void
test_a_lazily_pushed_timer_fires_at_its_new_deadline(void)
{
	struct rec r = {0};

	reset(0, record_cb);
	sw_timer_arm(&wheel, &r.t, 100);
	sw_timer_rearm_lazy(&wheel, &r.t, 5000);
	CU_ASSERT_EQUAL(advance_to(4999), 0);
	CU_ASSERT_TRUE(sw_timer_armed(&r.t));
	CU_ASSERT_EQUAL(advance_to(5000), 1);
	/* an earlier deadline is honoured too */
	sw_timer_arm(&wheel, &r.t, 9000);
	sw_timer_rearm_lazy(&wheel, &r.t, 6000);
	CU_ASSERT_EQUAL(advance_to(6000), 1);
	CU_ASSERT_EQUAL(r.fires, 2);
}

/* the engine's pattern: a retransmission deadline pushed lazily to another, then to a far
 * refresh on another level; it fires once, at the last deadline, and stays cancellable */
static void
test_a_timer_pushed_lazily_twice_across_levels_fires_once_at_the_last(void)
{
	struct rec r[2];

	memset(r, 0, sizeof(r));
	reset(0, record_cb);
	sw_timer_arm(&wheel, &r[0].t, 500);
	sw_timer_rearm_lazy(&wheel, &r[0].t, 520);
	sw_timer_rearm_lazy(&wheel, &r[0].t, 300000);
	sw_timer_arm(&wheel, &r[1].t, 500);
	sw_timer_rearm_lazy(&wheel, &r[1].t, 900);
	CU_ASSERT_EQUAL(wheel.armed, 2);
	CU_ASSERT_EQUAL(advance_to(899), 0);
	CU_ASSERT_EQUAL(sw_timer_cancel(&wheel, &r[1].t), 0);
	CU_ASSERT_EQUAL(advance_to(299999), 0);
	CU_ASSERT_TRUE(sw_timer_armed(&r[0].t));
	CU_ASSERT_EQUAL(r[0].t.expire, 300000);
	CU_ASSERT_EQUAL(advance_to(300000), 1);
	CU_ASSERT_EQUAL(advance_to(400000), 0);
	CU_ASSERT_EQUAL(r[0].fires, 1);
	CU_ASSERT_EQUAL(r[1].fires, 0);
	CU_ASSERT_EQUAL(wheel.armed, 0);
}

static void
test_the_hint_is_a_lower_bound_on_the_next_deadline(void)
{
	struct rec r[3];

	memset(r, 0, sizeof(r));

	reset(10, record_cb);
	sw_timer_arm(&wheel, &r[0].t, 70000);
	sw_timer_arm(&wheel, &r[1].t, 600);
	sw_timer_arm(&wheel, &r[2].t, 260);
	for (int fired = 0; fired < 3;) {
		uint64_t h = sw_timer_wheel_next_hint(&wheel);

		CU_ASSERT_TRUE(h != UINT64_MAX);
		for (int i = 0; i < 3; i++)
			if (r[i].fires == 0)
				CU_ASSERT_TRUE(h <= r[i].t.expire);
		fired += (int)advance_to(h);
	}
	CU_ASSERT_EQUAL(sw_timer_wheel_next_hint(&wheel), UINT64_MAX);
}

static void
test_a_million_timers_each_fire_exactly_once_in_the_first_advance_past_them(void)
{
	const unsigned int n = 1000000;
	struct rec *r = calloc(n, sizeof(*r));
	uint64_t seed = 42, t = 1000;
	unsigned int total = 0, cancelled = 0, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	reset(t, record_cb);
	for (unsigned int i = 0; i < n; i++) {
		/* a mix of near (ms) and far (hours) deadlines */
		uint64_t span = (i % 4 == 0) ? 3600000 : (i % 4 == 1) ? 65536 : 300;

		r[i].deadline = t + sw_splitmix64(&seed) % span;
		sw_timer_arm(&wheel, &r[i].t, r[i].deadline);
	}
	for (unsigned int i = 0; i < n; i += 97) {
		sw_timer_cancel(&wheel, &r[i].t);
		r[i].deadline = UINT64_MAX;
		cancelled++;
	}
	while (wheel.armed > 0) {
		t += 1 + sw_splitmix64(&seed) % 5000;
		total += advance_to(t);
	}
	CU_ASSERT_EQUAL(total, n - cancelled);
	CU_ASSERT_EQUAL(early_or_late, 0);
	for (unsigned int i = 0; i < n; i++)
		if (r[i].fires != (r[i].deadline == UINT64_MAX ? 0u : 1u))
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	free(r);
}

static const struct sw_test_case timer_cases[] = {
        {"a timer fires at its deadline and not before",
         test_a_timer_fires_at_its_deadline_and_not_before},
        {"timers fire in deadline order and FIFO within a tick",
         test_timers_fire_in_deadline_order_and_fifo_within_a_tick},
        {"a cancelled timer never fires", test_a_cancelled_timer_never_fires},
        {"a callback can cancel a timer due in the same tick",
         test_a_callback_can_cancel_a_timer_due_in_the_same_tick},
        {"a timer re-armed in the past from its callback fires once per tick",
         test_a_timer_rearmed_in_the_past_from_its_callback_fires_once_per_tick},
        {"timers cascade through every level", test_timers_cascade_through_every_level},
        {"a deadline beyond the horizon is clamped to it",
         test_a_deadline_beyond_the_horizon_is_clamped_to_it},
        {"a year-long jump fires everything in order",
         test_a_year_long_jump_fires_everything_in_few_steps},
        {"the budget stops an advance and the next one continues",
         test_the_budget_stops_an_advance_and_the_next_one_continues},
        {"a lazily pushed timer fires at its new deadline",
         test_a_lazily_pushed_timer_fires_at_its_new_deadline},
        {"a timer pushed lazily twice across levels fires once at the last",
         test_a_timer_pushed_lazily_twice_across_levels_fires_once_at_the_last},
        {"the hint is a lower bound on the next deadline",
         test_the_hint_is_a_lower_bound_on_the_next_deadline},
        {"a million timers each fire exactly once in the first advance past them",
         test_a_million_timers_each_fire_exactly_once_in_the_first_advance_past_them},
        {NULL, NULL},
};

static const struct sw_test_suite suite_timer = {"timer", NULL, NULL, timer_cases};

const struct sw_test_suite *const sw_test_suites[] = {&suite_timer, NULL};
