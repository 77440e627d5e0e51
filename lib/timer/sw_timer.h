/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A hierarchical timer wheel: O(1) arm, cancel and expiry for millions of timers.
 *
 * Time is counted in abstract ticks chosen by the caller (the data plane converts the TSC to
 * ticks of, say, 1 ms; tests advance ticks by hand). Six levels of 256 slots cover 2^48 ticks
 * (8,900 years at 1 ms); a later deadline is clamped to that horizon.
 *
 * Timers are intrusive: the caller embeds a struct sw_timer in its own structure (which must not
 * move while the timer is armed) and recovers it in the callback with SW_TIMER_CONTAINER().
 * Nothing is allocated per timer. A wheel is single-threaded: one owner (one worker lcore).
 *
 * Ordering guarantee: a timer fires in the first advance that reaches its deadline, never
 * before. Timers with the same deadline fire in the order they were armed (FIFO), except that
 * a timer moved by sw_timer_rearm_lazy() keeps the place it had. A timer armed from a callback
 * for the tick being expired (or earlier) fires on the next tick, so a callback cannot loop.
 *
 * Algorithm: the classic cascading wheel (Varghese and Lauck, "Hashed and Hierarchical Timing
 * Wheels", 1987): level k holds deadlines less than 256^(k+1) ticks ahead, slot chosen by the
 * deadline's k-th byte; when level 0 wraps, the next slot of level 1 is re-inserted (cascade),
 * and so on. Per-level occupancy bitmaps let an advance over empty ticks jump to the next
 * cascade boundary, so a virtual clock can jump hours in a few steps.
 */
#ifndef SW_TIMER_H
#define SW_TIMER_H

#include <stddef.h>
#include <stdint.h>

#include "sw_common.h"

#define SW_TIMER_LEVELS    6
#define SW_TIMER_SLOT_BITS 8
#define SW_TIMER_SLOTS     (1u << SW_TIMER_SLOT_BITS)
/** The farthest deadline a wheel holds, in ticks from now. */
#define SW_TIMER_HORIZON ((UINT64_C(1) << (SW_TIMER_LEVELS * SW_TIMER_SLOT_BITS)) - 1)

/** One timer: embed it in the owner's struct; 32 bytes. Zero-initialised = idle. */
struct sw_timer {
	struct sw_timer *next; /**< NULL when idle */
	struct sw_timer *prev;
	uint64_t expire; /**< deadline in ticks */
	uint16_t loc;    /**< private: level * 256 + slot, or the expiring list */
	uint16_t kind;   /**< free for the owner (e.g. which of a line's timers) */
	uint32_t data;   /**< free for the owner (e.g. a line index) */
};

/** Recover the owner of an embedded timer. */
#define SW_TIMER_CONTAINER(t, type, member) ((type *)(void *)((char *)(t)-offsetof(type, member)))

struct sw_timer_wheel;

/**
 * Expiry callback: the timer is idle when called and may be re-armed or freed by the callee;
 * the callee may also arm or cancel any other timer of the same wheel.
 */
typedef void (*sw_timer_cb)(struct sw_timer_wheel *w, struct sw_timer *t, void *arg);

/** The wheel. Allocate it where the owner lives (NUMA-local) and call sw_timer_wheel_init(). */
struct sw_timer_wheel {
	uint64_t now;      /**< the next tick to expire: every deadline < now has fired */
	uint64_t armed;    /**< timers armed now */
	uint64_t fired;    /**< timers fired so far */
	uint64_t behind;   /**< advances that stopped on their budget with work left */
	uint64_t cascaded; /**< timers moved down a level */
	sw_timer_cb cb;
	void *cb_arg;
	uint32_t level_count[SW_TIMER_LEVELS];
	struct sw_timer expiring; /**< sentinel: the detached slot being fired */
	uint64_t bitmap[SW_TIMER_LEVELS][SW_TIMER_SLOTS / 64];
	struct sw_timer slot[SW_TIMER_LEVELS][SW_TIMER_SLOTS]; /**< sentinels of circular lists */
};

/**
 * Initialise a wheel.
 *
 * @param w   the wheel (sizeof(struct sw_timer_wheel) bytes, about 37 KiB)
 * @param now the current tick; deadlines before it fire on the first advance
 * @param cb  called for every expired timer
 * @param arg passed to cb
 */
void sw_timer_wheel_init(struct sw_timer_wheel *w, uint64_t now, sw_timer_cb cb, void *arg);

/**
 * Arm a timer, or move it if armed already. O(1).
 *
 * @param w      the wheel
 * @param t      the timer (idle or armed on this wheel)
 * @param expire deadline in ticks; one in the past fires on the next advance; one beyond
 *               now + SW_TIMER_HORIZON is clamped to it
 */
void sw_timer_arm(struct sw_timer_wheel *w, struct sw_timer *t, uint64_t expire);

/**
 * Move an armed timer to a later deadline without touching the wheel (a refresh pushed
 * forward): the timer is re-inserted when its old slot comes up. O(1), cheaper than arm.
 * An idle timer, or an earlier deadline, is armed normally.
 *
 * @param w      the wheel
 * @param t      the timer
 * @param expire the new deadline
 */
void sw_timer_rearm_lazy(struct sw_timer_wheel *w, struct sw_timer *t, uint64_t expire);

/**
 * Cancel a timer. O(1). Safe from a callback, also for a timer due in the same tick.
 *
 * @param w the wheel
 * @param t the timer
 * @return 0 if it was armed, -ENOENT if it was idle
 */
int sw_timer_cancel(struct sw_timer_wheel *w, struct sw_timer *t);

/** @return non-zero if the timer is armed. */
static inline int
sw_timer_armed(const struct sw_timer *t)
{
	return t->next != NULL;
}

/**
 * Expire every timer with a deadline <= now, at most budget of them.
 *
 * @param w      the wheel
 * @param now    the current tick (a value below w->now does nothing)
 * @param budget the most callbacks to make in this call (0 = no limit)
 * @return the number of timers fired; when the budget stopped it with work left,
 *         w->behind is incremented and the next call continues where this one stopped
 */
unsigned int sw_timer_wheel_advance(struct sw_timer_wheel *w, uint64_t now, unsigned int budget);

/**
 * A lower bound on the earliest deadline armed: no timer fires before it. For an event-driven
 * virtual clock: advance to the hint, and repeat. Not O(1) (scans bitmaps); not for the hot path.
 *
 * @param w the wheel
 * @return the tick, or UINT64_MAX when no timer is armed
 */
uint64_t sw_timer_wheel_next_hint(const struct sw_timer_wheel *w);

#endif /* SW_TIMER_H */
