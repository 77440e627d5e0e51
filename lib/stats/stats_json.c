/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "sw_stats_json.h"

json_t *
sw_hist_to_json(const struct sw_hist *h, double unit)
{
	json_t *o = json_object(), *b = json_array();

	json_object_set_new(o, "count", json_integer((json_int_t)h->count));
	json_object_set_new(o, "mean", json_real(sw_hist_mean(h) / unit));
	json_object_set_new(o, "p50", json_real((double)sw_hist_quantile(h, 0.5) / unit));
	json_object_set_new(o, "p90", json_real((double)sw_hist_quantile(h, 0.9) / unit));
	json_object_set_new(o, "p99", json_real((double)sw_hist_quantile(h, 0.99) / unit));
	json_object_set_new(o, "p999", json_real((double)sw_hist_quantile(h, 0.999) / unit));
	json_object_set_new(o, "max", json_real((double)h->max / unit));
	for (unsigned int i = 0; i < SW_HIST_BUCKETS; i++)
		if (h->b[i])
			json_array_append_new(b, json_pack("[f,f,I]",
			                                   (double)sw_hist_bucket_low(i) / unit,
			                                   (double)sw_hist_bucket_high(i) / unit,
			                                   (json_int_t)h->b[i]));
	json_object_set_new(o, "buckets", b);
	return o;
}

int
sw_hist_from_json(struct sw_hist *h, const json_t *o, double unit)
{
	json_t *b = json_object_get(o, "buckets"), *x;
	size_t i;

	memset(h, 0, sizeof(*h));
	if (!json_is_object(o) || !json_is_array(b))
		return -EINVAL;
	json_array_foreach(b, i, x)
	{
		double low = json_number_value(json_array_get(x, 0));
		json_int_t n = json_integer_value(json_array_get(x, 2));

		if (json_array_size(x) != 3 || !json_is_number(json_array_get(x, 0)) ||
		    !json_is_integer(json_array_get(x, 2)) || n < 0 || !(low >= 0))
			return -EINVAL;
		/* the bound back in the histogram's unit: an exact integer before the division */
		uint64_t v = (uint64_t)llround(low * unit);
		unsigned int k = sw_hist_bucket(v);

		if (sw_hist_bucket_low(k) != v)
			return -EINVAL;
		h->b[k] += (uint64_t)n;
		h->count += (uint64_t)n;
	}
	h->max = (uint64_t)llround(json_number_value(json_object_get(o, "max")) * unit);
	h->sum = (uint64_t)llround(json_number_value(json_object_get(o, "mean")) * unit *
	                           (double)h->count);
	return 0;
}
