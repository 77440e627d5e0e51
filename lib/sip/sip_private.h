/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/sip internals shared between its files. */
#ifndef SIP_PRIVATE_H
#define SIP_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "sw_sip.h"

/** Lower-case hex of n bytes into 2n characters. */
static inline void
sw_sip_hex(char *out, const uint8_t *in, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
}

/** 8 lower-case hex digits of v (nc, cnonce). */
static inline void
sw_sip_hex32(char *out, uint32_t v)
{
	static const char hx[] = "0123456789abcdef";
	for (int i = 7; i >= 0; i--) {
		out[i] = hx[v & 15];
		v >>= 4;
	}
}

#endif /* SIP_PRIVATE_H */
