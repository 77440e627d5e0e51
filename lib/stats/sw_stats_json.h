/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Histograms to and from the results file's JSON (jansson): the form sipswarm writes and
 * sipswarm-tool report merge reads back.
 */
#ifndef SW_STATS_JSON_H
#define SW_STATS_JSON_H

#include <jansson.h>

#include "sw_stats.h"

/**
 * A histogram as JSON: count, mean, p50, p90, p99, p999, max and the non-empty buckets as
 * [low, high, count], values divided by unit (1e9 for ns in seconds).
 *
 * @param h    the histogram
 * @param unit what one unit of the output is in the histogram's values
 * @return a new JSON object
 */
json_t *sw_hist_to_json(const struct sw_hist *h, double unit);

/**
 * Read back what sw_hist_to_json() wrote: each bucket by its low bound, max from "max", the
 * sum from count x mean (to double precision).
 *
 * @param h    filled (zeroed first)
 * @param o    the JSON object
 * @param unit as given to sw_hist_to_json()
 * @return 0, or -EINVAL when o is not such an object (a bucket that is no [low, high, count]
 *         triple, or whose bounds are not those of a bucket of struct sw_hist)
 */
int sw_hist_from_json(struct sw_hist *h, const json_t *o, double unit);

#endif /* SW_STATS_JSON_H */
