/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Timer wheel benchmark: with N timers armed (default 1,000,000), arm+expire, cancel and
 * re-arm rates on one core. Usage: bench_timer [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include "sw_bench.h"

#include "sw_timer.h"

static uint64_t fired;

static void
count_cb(struct sw_timer_wheel *w, struct sw_timer *t, void *arg)
{
	(void)w;
	(void)t;
	(void)arg;
	fired++;
}

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	struct sw_timer *t = calloc(n, sizeof(*t));
	struct sw_timer_wheel *w = malloc(sizeof(*w));
	uint64_t seed = 1, now = 0;
	/* deadlines spread over one hour of 1 ms ticks, like registration refreshes */
	const uint64_t span = 3600 * 1000;
	double t0, t_arm, t_rearm, t_cancel, t_exp;

	if (t == NULL || w == NULL || n == 0)
		return 1;
	sw_timer_wheel_init(w, 0, count_cb, NULL);

	t0 = sw_bench_now();
	for (unsigned long i = 0; i < n; i++)
		sw_timer_arm(w, &t[i], 1 + sw_splitmix64(&seed) % span);
	t_arm = sw_bench_now() - t0;

	t0 = sw_bench_now();
	for (unsigned long i = 0; i < n; i++)
		sw_timer_arm(w, &t[i], 1 + sw_splitmix64(&seed) % span);
	t_rearm = sw_bench_now() - t0;

	t0 = sw_bench_now();
	for (unsigned long i = 0; i < n; i += 2)
		sw_timer_cancel(w, &t[i]);
	t_cancel = sw_bench_now() - t0;
	for (unsigned long i = 0; i < n; i += 2)
		sw_timer_arm(w, &t[i], 1 + sw_splitmix64(&seed) % span);

	/* expire everything, one 1 ms tick at a time as a worker loop would */
	t0 = sw_bench_now();
	while (w->armed > 0)
		sw_timer_wheel_advance(w, ++now, 0);
	t_exp = sw_bench_now() - t0;

	printf("command: %s %lu\n", argv[0], n);
	printf("timers: %lu, bytes per timer node: %zu, wheel: %zu bytes\n", n,
	       sizeof(struct sw_timer), sizeof(struct sw_timer_wheel));
	printf("arm (random deadline within 1 h): %.1f M/s (%.1f ns each)\n", n / t_arm / 1e6,
	       t_arm * 1e9 / n);
	printf("re-arm (armed timer moved):        %.1f M/s (%.1f ns each)\n", n / t_rearm / 1e6,
	       t_rearm * 1e9 / n);
	printf("cancel:                            %.1f M/s (%.1f ns each)\n",
	       (n / 2) / t_cancel / 1e6, t_cancel * 1e9 / (n / 2));
	printf("expire (3.6 M ticks of 1 ms):      %.1f M/s (%.1f ns each, incl. cascades %lu)\n",
	       fired / t_exp / 1e6, t_exp * 1e9 / fired, (unsigned long)w->cascaded);
	printf("arm + expire:                      %.1f M/s\n",
	       n / (t_arm + t_exp * n / fired) / 1e6);
	free(t);
	free(w);
	return fired == n ? 0 : 1;
}
