/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
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

int
sw_threshold_parse(struct sw_threshold *t, const char *expr, char *err, size_t errlen)
{
	size_t n = strcspn(expr, "<>");
	const char *p = expr + n;
	char *end;

	memset(t, 0, sizeof(*t));
	snprintf(t->text, sizeof(t->text), "%s", expr);
	if (n == 0 || n >= sizeof(t->name) || *p == '\0') {
		snprintf(err, errlen, "threshold '%s': expected NAME<VALUE or NAME>VALUE", expr);
		return -EINVAL;
	}
	memcpy(t->name, expr, n);
	t->op[0] = *p++;
	if (*p == '=')
		t->op[1] = *p++;
	t->value = strtod(p, &end);
	if (end == p || !isfinite(t->value)) {
		snprintf(err, errlen, "threshold '%s': '%s' is not a number", expr, p);
		return -EINVAL;
	}
	if (strcmp(end, "ms") == 0)
		t->value /= 1e3;
	else if (strcmp(end, "us") == 0)
		t->value /= 1e6;
	else if (strcmp(end, "ns") == 0)
		t->value /= 1e9;
	else if (strcmp(end, "%") == 0)
		t->value /= 100;
	else if (strcmp(end, "s") != 0 && *end != '\0') {
		snprintf(err, errlen, "threshold '%s': unknown unit '%s' (s, ms, us, ns or %%)",
		         expr, end);
		return -EINVAL;
	}
	return 0;
}

bool
sw_threshold_holds(const struct sw_threshold *t, double v)
{
	if (t->op[0] == '<')
		return t->op[1] ? v <= t->value : v < t->value;
	return t->op[1] ? v >= t->value : v > t->value;
}
