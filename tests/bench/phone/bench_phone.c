/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * State machine benchmark: N lines (default 1,000,000) each go through start (REGISTER),
 * 401 (REGISTER with credentials), 200 (registered), refresh timer (REGISTER), 200: five
 * events per line, lines interleaved as a worker would see them. Usage: bench_phone [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include "sw_bench.h"

#include "sw_phone.h"

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	struct sw_phone_line *lines = calloc(n, sizeof(*lines));
	uint16_t *tag = calloc(n, sizeof(*tag));
	uint64_t *deadline = calloc(n, sizeof(*deadline));
	struct sw_timing_cfg timing = {.t1_ms = 500,
	                               .t2_ms = 4000,
	                               .fail_on_503 = true,
	                               .refresh_percent = 50,
	                               .refresh_jitter_percent = 10,
	                               .seed = 1};
	struct sw_account_cfg acc = {.enable = true};
	struct sw_phone_account pacc = {
	        .cfg = &acc, .n_targets = {2, 1}, .dns_expiry = {UINT64_MAX, UINT64_MAX}};
	struct sw_phone_ctx ctx;
	struct sw_phone_out out;
	struct sw_phone_resp ch = {.code = 401, .challenge = true, .granted = -1};
	struct sw_phone_resp ok = {.code = 200, .granted = 3600};
	uint64_t events = 0, sends = 0;
	double t0, t;

	if (lines == NULL || tag == NULL || deadline == NULL)
		return 1;
	for (int y = 0; y < 2; y++) {
		acc.server[y].address = "x";
		acc.server[y].expires = 3600;
		acc.server[y].retry_counts = 3;
		acc.server[y].invite_retry_counts = 3;
	}
	acc.redundancy_type = SW_REDUNDANCY_SUCCESSIVE; /* one leg per line */
	sw_phone_ctx_init(&ctx, &timing, &pacc, 1, 0);
	for (unsigned long i = 0; i < n; i++)
		sw_phone_line_init(&lines[i], 0, (uint32_t)i);

	t0 = sw_bench_now();
	for (unsigned long i = 0; i < n; i++) {
		sw_phone_start(&ctx, &lines[i], 1000, &out);
		tag[i] = out.a[0].tag;
		sends += out.n;
	}
	for (unsigned long i = 0; i < n; i++) {
		sw_phone_response(&ctx, &lines[i], 2000, tag[i], &ch, &out);
		tag[i] = out.a[out.n - 1].tag;
		sends += out.n;
	}
	for (unsigned long i = 0; i < n; i++) {
		sw_phone_response(&ctx, &lines[i], 3000, tag[i], &ok, &out);
		deadline[i] = out.next_deadline;
	}
	for (unsigned long i = 0; i < n; i++) {
		sw_phone_timer(&ctx, &lines[i], deadline[i], &out);
		tag[i] = out.a[out.n - 1].tag;
		sends += out.n;
	}
	for (unsigned long i = 0; i < n; i++)
		sw_phone_response(&ctx, &lines[i], deadline[i] + 1000, tag[i], &ok, &out);
	t = sw_bench_now() - t0;
	events = 5 * (uint64_t)n;
	for (unsigned long i = 0; i < n; i++)
		if (!sw_phone_registered(&ctx, &lines[i], deadline[i] + 2000))
			return 1;

	printf("command: %s %lu\n", argv[0], n);
	printf("lines: %lu, bytes per line: %zu (hot state %zu, measurements %zu), %.1f MiB\n", n,
	       sizeof(struct sw_phone_line), offsetof(struct sw_phone_line, id),
	       sizeof(struct sw_phone_line) - offsetof(struct sw_phone_line, id),
	       (double)(n * sizeof(struct sw_phone_line)) / (1 << 20));
	printf("events: %llu in %.3f s: %.1f M events/s (%.1f ns per event, actions out %llu)\n",
	       (unsigned long long)events, t, (double)events / t / 1e6, t * 1e9 / (double)events,
	       (unsigned long long)sends);
	free(lines);
	free(tag);
	free(deadline);
	return 0;
}
