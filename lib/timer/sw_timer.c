/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hierarchical timer wheel (see sw_timer.h for the algorithm and its guarantees).
 *
 * Written here rather than taken from a library: DPDK's rte_timer is a skiplist with per-lcore
 * locks (O(log n), not usable in the pure libraries), and no Debian-packaged C library offers an
 * intrusive, allocation-free cascading wheel with an expiry budget.
 */
#include <errno.h>
#include <string.h>

#include "sw_timer.h"

#define SLOT_MASK (SW_TIMER_SLOTS - 1)

static inline void
list_init(struct sw_timer *head)
{
	head->next = head;
	head->prev = head;
}

static inline int
list_empty(const struct sw_timer *head)
{
	return head->next == head;
}

static inline void
list_append(struct sw_timer *head, struct sw_timer *t)
{
	t->prev = head->prev;
	t->next = head;
	head->prev->next = t;
	head->prev = t;
}

static inline void
list_unlink(struct sw_timer *t)
{
	t->prev->next = t->next;
	t->next->prev = t->prev;
	t->next = NULL;
	t->prev = NULL;
}

/* Which level and slot hold a deadline, relative to the wheel's "now". */
static inline void
place(const struct sw_timer_wheel *w, uint64_t expire, unsigned int *level, unsigned int *slot)
{
	uint64_t delta = expire - w->now; /* expire >= now here */
	unsigned int l = 0;

	while (l < SW_TIMER_LEVELS - 1 && delta >= (UINT64_C(1) << ((l + 1) * SW_TIMER_SLOT_BITS)))
		l++;
	*level = l;
	*slot = (unsigned int)(expire >> (l * SW_TIMER_SLOT_BITS)) & SLOT_MASK;
}

#define LOC_EXPIRING UINT16_MAX

static void
insert(struct sw_timer_wheel *w, struct sw_timer *t)
{
	unsigned int level, slot;

	if (t->expire < w->now)
		t->expire = w->now;
	if (t->expire - w->now > SW_TIMER_HORIZON)
		t->expire = w->now + SW_TIMER_HORIZON;
	place(w, t->expire, &level, &slot);
	list_append(&w->slot[level][slot], t);
	t->loc = (uint16_t)(level * SW_TIMER_SLOTS + slot);
	w->bitmap[level][slot / 64] |= UINT64_C(1) << (slot % 64);
	w->level_count[level]++;
}

/* Remove a timer that is in a wheel slot or in the expiring list. O(1). */
static void
detach(struct sw_timer_wheel *w, struct sw_timer *t)
{
	unsigned int level = t->loc / SW_TIMER_SLOTS;
	unsigned int slot = t->loc % SW_TIMER_SLOTS;

	list_unlink(t);
	if (t->loc == LOC_EXPIRING)
		return;
	w->level_count[level]--;
	if (list_empty(&w->slot[level][slot]))
		w->bitmap[level][slot / 64] &= ~(UINT64_C(1) << (slot % 64));
}

void
sw_timer_wheel_init(struct sw_timer_wheel *w, uint64_t now, sw_timer_cb cb, void *arg)
{
	memset(w, 0, sizeof(*w));
	w->now = now;
	w->cb = cb;
	w->cb_arg = arg;
	list_init(&w->expiring);
	for (unsigned int l = 0; l < SW_TIMER_LEVELS; l++)
		for (unsigned int s = 0; s < SW_TIMER_SLOTS; s++)
			list_init(&w->slot[l][s]);
}

void
sw_timer_arm(struct sw_timer_wheel *w, struct sw_timer *t, uint64_t expire)
{
	if (t->next != NULL)
		detach(w, t);
	else
		w->armed++;
	t->expire = expire;
	insert(w, t);
}

void
sw_timer_rearm_lazy(struct sw_timer_wheel *w, struct sw_timer *t, uint64_t expire)
{
	if (t->next != NULL && expire >= t->expire) {
		t->expire = expire;
		return;
	}
	sw_timer_arm(w, t, expire);
}

int
sw_timer_cancel(struct sw_timer_wheel *w, struct sw_timer *t)
{
	if (t->next == NULL)
		return -ENOENT;
	detach(w, t);
	w->armed--;
	return 0;
}

/* Move every timer of one slot of level >= 1 down to where it belongs now. */
static void
cascade(struct sw_timer_wheel *w, unsigned int level, unsigned int slot)
{
	struct sw_timer *head = &w->slot[level][slot];

	w->bitmap[level][slot / 64] &= ~(UINT64_C(1) << (slot % 64));
	while (!list_empty(head)) {
		struct sw_timer *t = head->next;

		list_unlink(t);
		w->level_count[level]--;
		w->cascaded++;
		insert(w, t);
	}
}

/* Fire what is in the expiring list, up to *budget. Returns 0 when the list was emptied. */
static int
drain(struct sw_timer_wheel *w, unsigned int *fired, unsigned int budget)
{
	while (!list_empty(&w->expiring)) {
		struct sw_timer *t;

		if (budget != 0 && *fired >= budget)
			return -1;
		t = w->expiring.next;
		list_unlink(t);
		if (t->expire >= w->now) {
			/* pushed forward by sw_timer_rearm_lazy(): not due yet */
			insert(w, t);
			continue;
		}
		w->armed--;
		w->fired++;
		(*fired)++;
		w->cb(w, t, w->cb_arg);
	}
	return 0;
}

/* The tick of the next cascade boundary strictly after now at which levels >= l matter. */
static inline uint64_t
boundary(uint64_t now, unsigned int l)
{
	uint64_t span = UINT64_C(1) << (l * SW_TIMER_SLOT_BITS);

	return (now | (span - 1)) + 1;
}

unsigned int
sw_timer_wheel_advance(struct sw_timer_wheel *w, uint64_t now, unsigned int budget)
{
	unsigned int fired = 0;

	if (drain(w, &fired, budget) != 0)
		goto behind;
	while (w->now <= now) {
		uint64_t tick = w->now;
		unsigned int idx = (unsigned int)tick & SLOT_MASK;

		/* Cascade the higher levels whose slot changes at this tick. */
		if (idx == 0) {
			for (unsigned int l = 1; l < SW_TIMER_LEVELS; l++) {
				unsigned int s = (unsigned int)(tick >> (l * SW_TIMER_SLOT_BITS)) &
				                 SLOT_MASK;

				if (w->level_count[l] != 0 && !list_empty(&w->slot[l][s]))
					cascade(w, l, s);
				if (s != 0)
					break;
			}
		}
		if (w->level_count[0] == 0) {
			/*
			 * Level 0 is empty: nothing can fire before the next boundary at which a
			 * higher level cascades. Jump there (or past the target).
			 */
			unsigned int l = 1;
			uint64_t next;

			while (l < SW_TIMER_LEVELS && w->level_count[l] == 0)
				l++;
			if (l == SW_TIMER_LEVELS) {
				w->now = now + 1; /* the wheel is empty */
				break;
			}
			/* level l is the lowest occupied: its slots change every 256^l ticks, but a
			 * cascade of level l happens at multiples of 256^l. */
			next = boundary(tick, l);
			if (next > now + 1)
				next = now + 1;
			w->now = next > tick ? next : tick + 1;
			continue;
		}
		if (!list_empty(&w->slot[0][idx])) {
			struct sw_timer *head = &w->slot[0][idx];

			/* splice the slot into the expiring list */
			w->expiring.next = head->next;
			w->expiring.prev = head->prev;
			head->next->prev = &w->expiring;
			head->prev->next = &w->expiring;
			list_init(head);
			w->bitmap[0][idx / 64] &= ~(UINT64_C(1) << (idx % 64));
			for (struct sw_timer *t = w->expiring.next; t != &w->expiring;
			     t = t->next) {
				t->loc = LOC_EXPIRING;
				w->level_count[0]--;
			}
		}
		w->now = tick + 1;
		if (drain(w, &fired, budget) != 0)
			goto behind;
	}
	return fired;
behind:
	w->behind++;
	return fired;
}

uint64_t
sw_timer_wheel_next_hint(const struct sw_timer_wheel *w)
{
	uint64_t best = UINT64_MAX;

	if (!list_empty(&w->expiring))
		return w->now;
	for (unsigned int l = 0; l < SW_TIMER_LEVELS; l++) {
		unsigned int shift = l * SW_TIMER_SLOT_BITS;
		unsigned int cur = (unsigned int)(w->now >> shift) & SLOT_MASK;

		if (w->level_count[l] == 0)
			continue;
		/* Scan slots cur, cur+1, ... (mod 256): the first occupied one is the earliest. */
		for (unsigned int i = 0; i < SW_TIMER_SLOTS; i++) {
			unsigned int s = (cur + i) & SLOT_MASK;
			uint64_t start;

			if (!(w->bitmap[l][s / 64] & (UINT64_C(1) << (s % 64))))
				continue;
			/* the block of ticks that slot s stands for, at or after now */
			start = ((w->now >> shift) + i) << shift;
			if (start < w->now)
				start = w->now;
			if (start < best)
				best = start;
			break;
		}
	}
	return best;
}
