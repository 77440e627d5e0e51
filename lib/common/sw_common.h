/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Small definitions shared by every sipswarm library: no DPDK, no allocation.
 */
#ifndef SW_COMMON_H
#define SW_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/**
 * @param v a number
 * @return how many decimal digits v has (1 for 0)
 */
static inline unsigned int
sw_dec_len(uint32_t v)
{
	return 1u + (v >= 10) + (v >= 100) + (v >= 1000) + (v >= 10000) + (v >= 100000) +
	       (v >= 1000000) + (v >= 10000000) + (v >= 100000000) + (v >= 1000000000);
}

/**
 * Decimal v written right to left so that its last digit is end[-1], two digits per division
 * from a table of the 100 pairs (in place: a scratch buffer read back whole would stall on
 * store forwarding). The messages' numbers, ports and identities all go through it.
 *
 * @param end one past where the last digit goes
 * @param v   the number
 * @return where the first digit went (end - sw_dec_len(v))
 */
static inline char *
sw_dec_put_back(char *end, uint32_t v)
{
	static const char pairs[201] = "00010203040506070809101112131415161718192021222324"
	                               "25262728293031323334353637383940414243444546474849"
	                               "50515253545556575859606162636465666768697071727374"
	                               "75767778798081828384858687888990919293949596979899";

	while (v >= 100) {
		uint32_t r = v % 100;

		v /= 100;
		end -= 2;
		memcpy(end, pairs + 2 * r, 2);
	}
	if (v >= 10) {
		end -= 2;
		memcpy(end, pairs + 2 * v, 2);
	} else {
		*--end = (char)('0' + v);
	}
	return end;
}

/**
 * Copy n bytes reading and writing exactly [p, p + n) and [d, d + n): overlapping fixed-size
 * moves up to 64 bytes (no call, no loop: short strings are the messages' usual pieces),
 * memcpy beyond.
 *
 * @param dst where to
 * @param src from where
 * @param n   how many bytes
 */
static inline void
sw_copy_exact(void *dst, const void *src, size_t n)
{
	char *d = dst;
	const char *p = src;

	if (n >= 16) {
		if (n > 32) {
			if (n > 64) {
				memcpy(d, p, n);
				return;
			}
			memcpy(d, p, 32);
			memcpy(d + n - 32, p + n - 32, 32);
			return;
		}
		memcpy(d, p, 16);
		memcpy(d + n - 16, p + n - 16, 16);
	} else if (n >= 8) {
		memcpy(d, p, 8);
		memcpy(d + n - 8, p + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, p, 4);
		memcpy(d + n - 4, p + n - 4, 4);
	} else if (n > 0) {
		d[0] = p[0];
		d[n / 2] = p[n / 2];
		d[n - 1] = p[n - 1];
	}
}

#endif /* SW_COMMON_H */
