/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Measurement without locks: log-linear histograms that one writer (a worker) records into
 * and a reader (the control core) merges once a second.
 *
 * A histogram covers 0 .. 2^64-1 with 32 sub-buckets per power of two, so any recorded value
 * is reported within 1/32 (3.1 %) of itself: the idea of HdrHistogram (Gil Tene) with a fixed
 * precision. Recording is a count-leading-zeros and an increment. The writer updates with
 * plain stores through relaxed atomics (a single writer never needs a locked instruction); a
 * reader on another core sees each 64-bit count whole, possibly one second older than another.
 */
#ifndef SW_STATS_H
#define SW_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_common.h"

/** Sub-buckets per power of two, as a bit count (32 sub-buckets: 3.1 % resolution). */
#define SW_HIST_SUB_BITS 5
#define SW_HIST_SUB      (1u << SW_HIST_SUB_BITS)
/** Buckets in a histogram: values below SW_HIST_SUB are exact, then 32 per power of two. */
#define SW_HIST_BUCKETS ((64 - SW_HIST_SUB_BITS + 1) * SW_HIST_SUB)

/** A histogram (15 KiB). Zero-initialised is empty. */
struct sw_hist {
	uint64_t count;
	uint64_t sum;
	uint64_t max;
	uint64_t b[SW_HIST_BUCKETS];
};

/**
 * The single-writer increment: a plain load, add and store that another core can read
 * without tearing (no lock prefix: there is only one writer).
 */
static inline void
sw_stat_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

/** Read a counter another core writes. */
static inline uint64_t
sw_stat_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/** @return the bucket of value v. */
static inline unsigned int
sw_hist_bucket(uint64_t v)
{
	if (v < SW_HIST_SUB)
		return (unsigned int)v;
	unsigned int e = 63u - (unsigned int)__builtin_clzll(v); /* e >= SUB_BITS */
	unsigned int sub = (unsigned int)(v >> (e - SW_HIST_SUB_BITS)) & (SW_HIST_SUB - 1);

	return (e - SW_HIST_SUB_BITS + 1) * SW_HIST_SUB + sub;
}

/** Record one value (single writer). */
static inline void
sw_hist_record(struct sw_hist *h, uint64_t v)
{
	sw_stat_add(&h->b[sw_hist_bucket(v)], 1);
	sw_stat_add(&h->count, 1);
	sw_stat_add(&h->sum, v);
	if (v > __atomic_load_n(&h->max, __ATOMIC_RELAXED))
		__atomic_store_n(&h->max, v, __ATOMIC_RELAXED);
}

/**
 * The lowest value that falls in bucket i.
 *
 * @param i a bucket, < SW_HIST_BUCKETS
 * @return its lower bound
 */
uint64_t sw_hist_bucket_low(unsigned int i);

/**
 * The highest value that falls in bucket i.
 *
 * @param i a bucket, < SW_HIST_BUCKETS
 * @return its upper bound (inclusive)
 */
uint64_t sw_hist_bucket_high(unsigned int i);

/**
 * Add src into dst (reads src with relaxed loads: src may be a live worker's histogram).
 *
 * @param dst the sum
 * @param src a histogram
 */
void sw_hist_merge(struct sw_hist *dst, const struct sw_hist *src);

/**
 * dst = a - b, bucket by bucket (what was recorded between two snapshots; b <= a).
 *
 * @param dst the difference
 * @param a   the later snapshot
 * @param b   the earlier snapshot
 */
void sw_hist_sub(struct sw_hist *dst, const struct sw_hist *a, const struct sw_hist *b);

/**
 * The value at quantile q: the upper bound of the bucket that holds the ceil(q * count)-th
 * smallest value, capped at the maximum recorded. Exact below 32; otherwise at most 3.1 %
 * above the true value.
 *
 * @param h a histogram
 * @param q a quantile in [0, 1]
 * @return the value, 0 for an empty histogram
 */
uint64_t sw_hist_quantile(const struct sw_hist *h, double q);

/** @return the mean, 0 for an empty histogram. */
double sw_hist_mean(const struct sw_hist *h);

/** A pass/fail rule on a result figure: `name<value` or `name>value` (also <= >=). */
struct sw_threshold {
	char name[48];
	char op[3];   /**< "<", "<=", ">", ">=" */
	double value; /**< in the figure's base unit: seconds for times, a fraction for % */
	char text[96];
};

/**
 * Parse a threshold: name, operator, number with an optional unit (s, ms, us, ns for times;
 * % for fractions: "99.9%" is 0.999), e.g. `register_success>0.999`, `unregistered_p99<30s`.
 *
 * @param t    filled
 * @param expr the expression
 * @param err  why it is bad
 * @param errlen its size
 * @return 0, -EINVAL
 */
int sw_threshold_parse(struct sw_threshold *t, const char *expr, char *err, size_t errlen);

/** @return true when value satisfies the threshold. */
bool sw_threshold_holds(const struct sw_threshold *t, double value);

#endif /* SW_STATS_H */
