/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/sip internals shared between its files. */
#ifndef SIP_PRIVATE_H
#define SIP_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "sw_sip.h"

/** MD5 initial state. */
void sw_sip_md5_init(uint32_t st[4]);
/** One 64-byte block into the state. */
void sw_sip_md5_compress(uint32_t st[4], const uint8_t *blk);
/** The last n < 64 bytes, padding and the length of all total bytes; the digest into out. */
void sw_sip_md5_finish(uint32_t st[4], const uint8_t *tail, size_t n, uint64_t total,
                       uint8_t out[16]);

/** MD5 of n bytes (RFC 1321). */
void sw_sip_md5(const void *p, size_t n, uint8_t out[16]);

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
