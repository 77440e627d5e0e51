/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sw_sip_parse() on the registration loop's four messages with the masks of their callers
 * (the generator's WORKER_MASK on the 401 and the 200 OK, the cluster's CLUSTER_MASK on both
 * REGISTERs), against the general walk alone (sw_sip_parse_ref, tests/unit/sip: the same
 * parser without its fast header loop) in the same run, the two timed in alternating chunks:
 *   bench_parse_loop [ITERATIONS [MESSAGE]]   MESSAGE: 401 200 reg reg-auth reg-auth-a
 *   (default all)
 * Instructions per message (a build without AVX-512, valgrind has none):
 *   valgrind --tool=callgrind --toggle-collect=sw_sip_parse bench_parse_loop 1000 401
 * (or --toggle-collect=sw_sip_parse_ref), the Ir total / 1006 calls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_bench.h"

#include "loop_msgs.h"
#include "parse_diff.h"
#include "sw_sip.h"

static volatile uint64_t sink;

static const struct {
	const char *name, *msg;
	size_t len;
	unsigned want;
} msgs[] = {
        {"401", loop_401, sizeof(loop_401) - 1, WORKER_MASK},
        {"200", loop_200, sizeof(loop_200) - 1, WORKER_MASK},
        {"reg", loop_reg, sizeof(loop_reg) - 1, CLUSTER_MASK},
        {"reg-auth", loop_reg_auth, sizeof(loop_reg_auth) - 1, CLUSTER_MASK},
        /* with the Authorization value kept: what the registrar's cl_hdr_find() pass needs */
        {"reg-auth-a", loop_reg_auth, sizeof(loop_reg_auth) - 1,
         CLUSTER_MASK | SW_SIP_WANT_AUTHORIZATION},
};

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	const char *only = argc > 2 ? argv[2] : NULL;
	struct sw_sip_msg m;

	printf("bench_parse_loop; command: %s %lu%s%s\n", argv[0], n, only ? " " : "",
	       only ? only : "");
	for (unsigned k = 0; k < sizeof(msgs) / sizeof(msgs[0]); k++) {
		double best = 1e30, best_ref = 1e30;

		if (only != NULL && strcmp(only, msgs[k].name) != 0)
			continue;
		if (sw_sip_parse(&m, msgs[k].msg, msgs[k].len, msgs[k].want) != SW_SIP_OK) {
			fprintf(stderr, "%s: does not parse\n", msgs[k].name);
			return 1;
		}
		for (int c = 0; c < 5; c++) {
			double t0 = sw_bench_now(), ns;
			for (unsigned long i = 0; i < n / 5 + 1; i++)
				sink += sw_sip_parse(&m, msgs[k].msg, msgs[k].len, msgs[k].want) +
				        m.cseq;
			ns = (sw_bench_now() - t0) * 1e9 / (double)(n / 5 + 1);
			if (ns < best)
				best = ns;
			t0 = sw_bench_now();
			for (unsigned long i = 0; i < n / 5 + 1; i++)
				sink += sw_sip_parse_ref(&m, msgs[k].msg, msgs[k].len,
				                         msgs[k].want) +
				        m.cseq;
			ns = (sw_bench_now() - t0) * 1e9 / (double)(n / 5 + 1);
			if (ns < best_ref)
				best_ref = ns;
		}
		printf("%-10s %7.1f ns/parse, general walk %7.1f ns (min of 5 chunks each): %.2fx\n",
		       msgs[k].name, best, best_ref, best_ref / best);
	}
	return 0;
}
