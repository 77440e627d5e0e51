/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sw_stats.h"
#include "sw_stats_json.h"
#include "sw_test.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
test_buckets_tile_the_range(void)
{
	CU_ASSERT_EQUAL(sw_hist_bucket_low(0), 0);
	for (unsigned int i = 0; i + 1 < SW_HIST_BUCKETS; i++) {
		CU_ASSERT_EQUAL_FATAL(sw_hist_bucket_high(i) + 1, sw_hist_bucket_low(i + 1));
		CU_ASSERT_EQUAL_FATAL(sw_hist_bucket(sw_hist_bucket_low(i)), i);
		CU_ASSERT_EQUAL_FATAL(sw_hist_bucket(sw_hist_bucket_high(i)), i);
	}
	CU_ASSERT_EQUAL(sw_hist_bucket(UINT64_MAX), SW_HIST_BUCKETS - 1);
	CU_ASSERT_EQUAL(sw_hist_bucket_high(SW_HIST_BUCKETS - 1), UINT64_MAX);
}

static void
test_small_values_are_exact(void)
{
	static struct sw_hist h;

	memset(&h, 0, sizeof(h));
	for (uint64_t v = 1; v <= 20; v++)
		sw_hist_record(&h, v);
	CU_ASSERT_EQUAL(h.count, 20);
	CU_ASSERT_EQUAL(h.sum, 210);
	CU_ASSERT_EQUAL(h.max, 20);
	CU_ASSERT_EQUAL(sw_hist_quantile(&h, 0.5), 10);
	CU_ASSERT_EQUAL(sw_hist_quantile(&h, 0.0), 1);
	CU_ASSERT_EQUAL(sw_hist_quantile(&h, 1.0), 20);
	CU_ASSERT_DOUBLE_EQUAL(sw_hist_mean(&h), 10.5, 1e-9);
}

static void
test_quantiles_are_within_the_stated_precision(void)
{
	static struct sw_hist h;
	enum {
		N = 100000
	};
	uint64_t *v = malloc(N * sizeof(*v));
	uint64_t seed = 7;
	static const double qs[] = {0.01, 0.5, 0.9, 0.99, 0.999, 1.0};

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	memset(&h, 0, sizeof(h));
	for (unsigned int i = 0; i < N; i++) {
		/* spread over 1 us .. 100 s, as round-trip and unregistered times are */
		v[i] = 1000 + sw_splitmix64(&seed) % (UINT64_C(1) << (10 + i % 27));
		sw_hist_record(&h, v[i]);
	}
	qsort(v, N, sizeof(*v), cmp_u64);
	for (unsigned int k = 0; k < SW_ARRAY_SIZE(qs); k++) {
		size_t rank = (size_t)(qs[k] * N + 0.999999);
		uint64_t exact = v[rank ? rank - 1 : 0];
		uint64_t got = sw_hist_quantile(&h, qs[k]);

		CU_ASSERT_TRUE(got >= exact);
		CU_ASSERT_TRUE((double)got <= (double)exact * (1.0 + 1.0 / SW_HIST_SUB));
	}
	CU_ASSERT_EQUAL(sw_hist_quantile(&h, 1.0), v[N - 1]);
	free(v);
}

static void
test_merge_and_difference_add_up(void)
{
	static struct sw_hist a, b, sum, diff;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&sum, 0, sizeof(sum));
	for (uint64_t v = 0; v < 1000; v++)
		sw_hist_record(v % 2 ? &a : &b, v * 977);
	sw_hist_merge(&sum, &a);
	sw_hist_merge(&sum, &b);
	CU_ASSERT_EQUAL(sum.count, 1000);
	CU_ASSERT_EQUAL(sum.max, 999 * 977);
	CU_ASSERT_EQUAL(sum.sum, a.sum + b.sum);
	sw_hist_sub(&diff, &sum, &b);
	CU_ASSERT_EQUAL(diff.count, a.count);
	CU_ASSERT_EQUAL(memcmp(diff.b, a.b, sizeof(a.b)), 0);
	CU_ASSERT_EQUAL(sw_hist_quantile(&diff, 0.5), sw_hist_quantile(&a, 0.5));
}

static void
test_an_empty_histogram_reports_zero(void)
{
	static struct sw_hist h;

	memset(&h, 0, sizeof(h));
	CU_ASSERT_EQUAL(sw_hist_quantile(&h, 0.99), 0);
	CU_ASSERT_DOUBLE_EQUAL(sw_hist_mean(&h), 0.0, 0);
}

static void
test_thresholds_parse_with_units_and_hold_or_not(void)
{
	struct sw_threshold t;
	char err[160];

	CU_ASSERT_EQUAL(sw_threshold_parse(&t, "register_success>0.999", err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(t.name, "register_success");
	CU_ASSERT_TRUE(sw_threshold_holds(&t, 1.0));
	CU_ASSERT_FALSE(sw_threshold_holds(&t, 0.999));
	CU_ASSERT_EQUAL(sw_threshold_parse(&t, "unregistered_p99<30s", err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(t.value, 30.0, 1e-12);
	CU_ASSERT_TRUE(sw_threshold_holds(&t, 29.9));
	CU_ASSERT_EQUAL(sw_threshold_parse(&t, "rtt_p99<=250ms", err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(t.value, 0.25, 1e-12);
	CU_ASSERT_TRUE(sw_threshold_holds(&t, 0.25));
	CU_ASSERT_EQUAL(sw_threshold_parse(&t, "register_success>=99.9%", err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(t.value, 0.999, 1e-12);
	CU_ASSERT_EQUAL(sw_threshold_parse(&t, "rtt_p99=3", err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "NAME<VALUE"));
	CU_ASSERT_EQUAL(sw_threshold_parse(&t, "rtt_p99<fast", err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a number"));
	CU_ASSERT_EQUAL(sw_threshold_parse(&t, "rtt_p99<3h", err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown unit"));
}

static void
test_a_histogram_reads_back_from_its_json(void)
{
	static struct sw_hist h, back;
	uint64_t seed = 11;

	/* values from 0 to about 2^40 ns (18 minutes), each bucket's bound exact after a
	 * round trip through seconds as JSON reals */
	for (int i = 0; i < 20000; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		sw_hist_record(&h, (seed >> 24) >> ((seed >> 2) % 40));
	}
	json_t *o = sw_hist_to_json(&h, 1e9);
	char *text = json_dumps(o, 0);
	json_t *again = json_loads(text, 0, NULL);

	CU_ASSERT_EQUAL_FATAL(sw_hist_from_json(&back, again, 1e9), 0);
	CU_ASSERT_EQUAL(memcmp(back.b, h.b, sizeof(h.b)), 0);
	CU_ASSERT_EQUAL(back.count, h.count);
	CU_ASSERT_EQUAL(back.max, h.max);
	CU_ASSERT_TRUE(back.sum > h.sum - h.sum / 1000000 && back.sum < h.sum + h.sum / 1000000);
	CU_ASSERT_EQUAL(sw_hist_quantile(&back, 0.99), sw_hist_quantile(&h, 0.99));
	/* a bucket whose bound is no bucket's (3 ns into the widest one), and no buckets at all,
	 * are refused */
	json_t *bs = json_object_get(again, "buckets");
	json_t *last = json_array_get(bs, json_array_size(bs) - 1);

	json_array_set_new(last, 0, json_real(json_number_value(json_array_get(last, 0)) + 3e-9));
	CU_ASSERT_EQUAL(sw_hist_from_json(&back, again, 1e9), -EINVAL);
	json_t *empty = json_object();

	CU_ASSERT_EQUAL(sw_hist_from_json(&back, empty, 1e9), -EINVAL);
	json_decref(empty);
	free(text);
	json_decref(o);
	json_decref(again);
}

static const struct sw_test_case hist_cases[] = {
        {"buckets tile the whole 64-bit range without gaps", test_buckets_tile_the_range},
        {"values below 32 are kept exactly", test_small_values_are_exact},
        {"quantiles are within 1/32 above the exact value",
         test_quantiles_are_within_the_stated_precision},
        {"merging and subtracting snapshots add up", test_merge_and_difference_add_up},
        {"an empty histogram reports zero", test_an_empty_histogram_reports_zero},
        {"thresholds parse with units and hold or not",
         test_thresholds_parse_with_units_and_hold_or_not},
        {"a histogram reads back from its JSON", test_a_histogram_reads_back_from_its_json},
        {NULL, NULL},
};

static const struct sw_test_suite suite_hist = {"histogram", NULL, NULL, hist_cases};

const struct sw_test_suite *const sw_test_suites[] = {&suite_hist, NULL};
