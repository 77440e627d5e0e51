/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Small definitions shared by every sipswarm library: no DPDK, no allocation.
 */
#ifndef SW_COMMON_H
#define SW_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** Cache line size assumed for layout (x86-64 and most arm64). */
#define SW_CACHE_LINE 64

#define SW_ALIGNED_CACHE __attribute__((aligned(SW_CACHE_LINE)))
#define SW_LIKELY(x)     __builtin_expect(!!(x), 1)
#define SW_UNLIKELY(x)   __builtin_expect(!!(x), 0)
#define SW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SW_UNUSED        __attribute__((unused))

/** Nanoseconds: every pure call takes "now" in this unit (the time seam). */
#define SW_NS_PER_US UINT64_C(1000)
#define SW_NS_PER_MS UINT64_C(1000000)
#define SW_NS_PER_S  UINT64_C(1000000000)

/**
 * splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014):
 * the small deterministic generator behind every seeded choice (jitter, SRV weights, tests).
 *
 * @param state advanced by one step
 * @return the next 64 random bits
 */
static inline uint64_t
sw_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

#endif /* SW_COMMON_H */
