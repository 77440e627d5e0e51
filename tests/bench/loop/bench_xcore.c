/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the machine charges for moving the full loop's four frames between two cores, with no
 * SIP work at all: the floor under the loop through DPDK (scripts/bench part 6).
 *
 * The "generator" thread (CPU 1) writes a frame of the REGISTER's size into a buffer of its
 * own pool and passes the buffer over a single-producer ring to the "cluster" thread (CPU 0),
 * which reads every byte, writes its answer (the 401's size) into the same buffer and passes
 * it back; the generator reads the answer, then the same again with the sizes of the REGISTER
 * with Authorization and the 200. That is the traffic of one completed registration: each
 * frame written on one core and read on the other, buffers recycled as DPDK's per-lcore
 * mempool caches recycle mbufs (most recently freed first), up to 32 frames per batch and
 * 2,048 in flight, as the app's bursts and the ring pair allow.
 *
 * Prints ns per loop (min and median of the trials) and the loops per second that two cores
 * doing nothing else could carry. Both cores are busy all the time, so the figure is each
 * core's cost per loop, not a latency. The pair of vCPUs a VM's host gives us can change from
 * one second to the next (on this machine from ~150 to ~500 ns per round trip), so the trials
 * are spread over a few seconds.
 *
 * usage: bench_xcore [LOOPS_PER_TRIAL] [TRIALS]   (default 2000000 7)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_bench.h"

#define RING_SIZE 4096u /* as the app's rings */
#define POOL      8192u
#define BUF       2048u
#define BATCH     32u
#define WINDOW    2048u

/* the loop's frames, Ethernet to the end of SIP, as bench_loop's loop sends them */
static const unsigned int frame_len[4] = {429, 483, 646, 438};

struct ring {
	_Alignas(64) _Atomic uint32_t head; /* written by the producer */
	_Alignas(64) _Atomic uint32_t tail; /* written by the consumer */
	_Alignas(64) uint32_t slot[RING_SIZE];
};

static struct ring to_cluster, to_gen;
static uint8_t *bufs;
static uint64_t loops;
static volatile uint64_t sink;

static int
ring_put(struct ring *r, uint32_t v)
{
	uint32_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (h - atomic_load_explicit(&r->tail, memory_order_acquire) >= RING_SIZE)
		return 0;
	r->slot[h % RING_SIZE] = v;
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return 1;
}

static int
ring_get(struct ring *r, uint32_t *v)
{
	uint32_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (t == atomic_load_explicit(&r->head, memory_order_acquire))
		return 0;
	*v = r->slot[t % RING_SIZE];
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return 1;
}

/* a frame: its first word says which of the four it is, the rest is content */
static void
write_frame(uint32_t b, unsigned int kind, uint64_t x)
{
	uint64_t *p = (uint64_t *)(bufs + (size_t)b * BUF);
	unsigned int n = (frame_len[kind] + 7) / 8;

	p[0] = kind;
	for (unsigned int i = 1; i < n; i++)
		p[i] = x + i;
}

static unsigned int
read_frame(uint32_t b, uint64_t *acc)
{
	const uint64_t *p = (const uint64_t *)(bufs + (size_t)b * BUF);
	unsigned int kind = (unsigned int)p[0], n = (frame_len[kind & 3] + 7) / 8;
	uint64_t s = 0;

	for (unsigned int i = 1; i < n; i++)
		s += p[i];
	*acc += s;
	return kind & 3;
}

static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* the cluster: every request read, answered in the same buffer */
static void *
cluster(void *arg)
{
	uint64_t acc = 0, answered = 0;
	uint32_t b;

	(void)arg;
	if (pin(0) != 0)
		return NULL;
	while (answered < 2 * loops) {
		if (!ring_get(&to_cluster, &b))
			continue;
		unsigned int kind = read_frame(b, &acc);

		write_frame(b, kind + 1, acc);
		while (!ring_put(&to_gen, b))
			;
		answered++;
	}
	sink = acc;
	return NULL;
}

/* one trial: loops full loops; returns ns per loop, < 0 on failure */
static double
trial(void)
{
	static uint32_t pool[POOL];
	uint32_t n_free = 0, b;
	uint64_t started = 0, done = 0, in_flight = 0, acc = 0;
	pthread_t t;

	for (uint32_t i = 0; i < POOL; i++)
		pool[n_free++] = i;
	if (pthread_create(&t, NULL, cluster, NULL) != 0)
		return -1;
	double t0 = sw_bench_now();

	while (done < loops) {
		/* new loops: the first REGISTER of each */
		for (unsigned int k = 0; k < BATCH && started < loops && in_flight < WINDOW; k++) {
			b = pool[--n_free];
			write_frame(b, 0, started);
			if (!ring_put(&to_cluster, b)) {
				pool[n_free++] = b;
				break;
			}
			started++;
			in_flight++;
		}
		/* answers: a 401 gets the REGISTER with Authorization, a 200 ends the loop */
		for (unsigned int k = 0; k < BATCH && ring_get(&to_gen, &b); k++) {
			if (read_frame(b, &acc) == 1) {
				uint32_t nb = pool[--n_free];

				pool[n_free++] = b;
				write_frame(nb, 2, acc);
				while (!ring_put(&to_cluster, nb))
					;
			} else {
				pool[n_free++] = b;
				done++;
				in_flight--;
			}
		}
	}
	double dt = sw_bench_now() - t0;

	pthread_join(t, NULL);
	sink += acc;
	return dt * 1e9 / (double)loops;
}

int
main(int argc, char **argv)
{
	loops = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
	int trials = argc > 2 ? atoi(argv[2]) : 7;
	double ns[100];

	if (loops == 0 || trials < 1 || trials > 100)
		return 2;
	bufs = aligned_alloc(4096, (size_t)POOL * BUF);
	if (bufs == NULL || pin(1) != 0) {
		fprintf(stderr, "bench_xcore: needs CPUs 0 and 1 and %u MiB\n", POOL * BUF >> 20);
		return 1;
	}
	memset(bufs, 0, (size_t)POOL * BUF);
	printf("bench_xcore %llu %d: the loop's four frames (%u, %u, %u, %u bytes) written on one "
	       "core and read on the other, CPUs 1 and 0, no SIP work\n",
	       (unsigned long long)loops, trials, frame_len[0], frame_len[1], frame_len[2],
	       frame_len[3]);
	for (int i = 0; i < trials; i++) {
		ns[i] = trial();
		if (ns[i] < 0) {
			fprintf(stderr, "bench_xcore: cannot start the second thread\n");
			return 1;
		}
	}
	qsort(ns, (size_t)trials, sizeof(ns[0]), sw_bench_cmp_double);
	printf("  per loop: %.1f ns min, %.1f ns median, %.1f ns max = at most %.0f loops/s "
	       "(median) for two cores that did nothing else\n",
	       ns[0], ns[trials / 2], ns[trials - 1], 1e9 / ns[trials / 2]);
	free(bufs);
	return 0;
}
