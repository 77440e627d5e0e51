/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include <string.h>

#include "sw_stats.h"

uint64_t
sw_hist_bucket_low(unsigned int i)
{
	if (i < SW_HIST_SUB)
		return i;
	unsigned int e = i / SW_HIST_SUB + SW_HIST_SUB_BITS - 1;
	uint64_t sub = i % SW_HIST_SUB;

	return (UINT64_C(1) << e) | (sub << (e - SW_HIST_SUB_BITS));
}

uint64_t
sw_hist_bucket_high(unsigned int i)
{
	if (i + 1 >= SW_HIST_BUCKETS)
		return UINT64_MAX;
	return sw_hist_bucket_low(i + 1) - 1;
}

void
sw_hist_merge(struct sw_hist *dst, const struct sw_hist *src)
{
	for (unsigned int i = 0; i < SW_HIST_BUCKETS; i++)
		dst->b[i] += sw_stat_read(&src->b[i]);
	dst->count += sw_stat_read(&src->count);
	dst->sum += sw_stat_read(&src->sum);
	uint64_t m = sw_stat_read(&src->max);

	if (m > dst->max)
		dst->max = m;
}

void
sw_hist_sub(struct sw_hist *dst, const struct sw_hist *a, const struct sw_hist *b)
{
	uint64_t max = 0;

	for (unsigned int i = 0; i < SW_HIST_BUCKETS; i++) {
		dst->b[i] = a->b[i] - b->b[i];
		if (dst->b[i])
			max = sw_hist_bucket_high(i);
	}
	dst->count = a->count - b->count;
	dst->sum = a->sum - b->sum;
	dst->max = max < a->max ? max : a->max;
}

uint64_t
sw_hist_quantile(const struct sw_hist *h, double q)
{
	if (h->count == 0)
		return 0;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	uint64_t rank = (uint64_t)ceil(q * (double)h->count);
	uint64_t seen = 0;

	if (rank == 0)
		rank = 1;
	for (unsigned int i = 0; i < SW_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t v = sw_hist_bucket_high(i);

			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}

double
sw_hist_mean(const struct sw_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}
