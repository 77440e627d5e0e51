/* SPDX-License-Identifier: BSD-3-Clause */
/** @file What every benchmark needs: a monotonic clock in seconds. */
#ifndef SW_BENCH_H
#define SW_BENCH_H

#include <time.h>

/** @return seconds of CLOCK_MONOTONIC */
static inline double
sw_bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/** qsort() order of doubles, smallest first (a run's trials, for min and median) */
static inline int
sw_bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif /* SW_BENCH_H */
