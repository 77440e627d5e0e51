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

#endif /* SW_COMMON_H */
