/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/sip internals shared between its files. */
#ifndef SIP_PRIVATE_H
#define SIP_PRIVATE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSSE3__) || defined(__BMI2__)
#include <immintrin.h>
#endif

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

/** 8 lower-case ASCII hex digits, most significant first, of the 8 nibbles x holds one per
 * byte (nibble 7 of the value in byte 0): SWAR, no carry crosses a byte (each is <= 15 + 6). */
static inline uint64_t
sw_sip_hex_swar(uint64_t x)
{
	uint64_t letter = ((x + UINT64_C(0x0606060606060606)) >> 4) & UINT64_C(0x0101010101010101);
	return x + UINT64_C(0x3030303030303030) + letter * ('a' - '0' - 10);
}

/** 8 lower-case hex digits of v (nc, cnonce). */
static inline void
sw_sip_hex32(char *out, uint32_t v)
{
#ifdef __BMI2__
	/* one nibble per byte, then the most significant nibble first */
	uint64_t x = __builtin_bswap64(_pdep_u64(v, UINT64_C(0x0f0f0f0f0f0f0f0f)));
	x = sw_sip_hex_swar(x);
	memcpy(out, &x, 8);
#else
	static const char hx[] = "0123456789abcdef";
	for (int i = 7; i >= 0; i--) {
		out[i] = hx[v & 15];
		v >>= 4;
	}
#endif
}

/** 32 lower-case hex digits of a 16-byte digest. */
static inline void
sw_sip_hex16(char *out, const uint8_t *in)
{
#ifdef __SSSE3__
	const __m128i lo4 = _mm_set1_epi8(0x0f);
	const __m128i hx = _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b',
	                                 'c', 'd', 'e', 'f');
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)in);
	__m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), lo4), lo = _mm_and_si128(x, lo4);

	/* byte i gives characters 2i (high nibble) and 2i + 1 (low nibble) */
	_mm_storeu_si128((__m128i *)(void *)out, _mm_shuffle_epi8(hx, _mm_unpacklo_epi8(hi, lo)));
	_mm_storeu_si128((__m128i *)(void *)(out + 16),
	                 _mm_shuffle_epi8(hx, _mm_unpackhi_epi8(hi, lo)));
#else
	sw_sip_hex(out, in, 16);
#endif
}

/**
 * sw_sip_challenge_parse() by its fast path for the usual shape only (sip_parse.c), for the
 * tests that compare it with the general loop.
 *
 * @param c
 *   Filled when the fast path takes the value, all zero otherwise.
 * @param p
 *   The header value; never read outside [p, p + len).
 * @param len
 *   Its length.
 * @return
 *   1 when the fast path took the value (a Digest challenge, SW_SIP_OK), 2 when its
 *   Kamailio form (realm, nonce, qop="auth" in that order) took it, 0 when it leaves it to
 *   the general loop.
 */
int sw_sip_challenge_parse_fast(struct sw_sip_challenge *c, const char *p, size_t len);

/**
 * sw_sip_challenge_parse() by the general parameter loop only, without the fast path.
 *
 * @param c
 *   Filled as by sw_sip_challenge_parse().
 * @param p
 *   The header value; never read outside [p, p + len).
 * @param len
 *   Its length.
 * @return
 *   As sw_sip_challenge_parse(): SW_SIP_OK, SW_SIP_BAD_CHALLENGE or SW_SIP_OVERSIZE_FIELD.
 */
enum sw_sip_reason sw_sip_challenge_parse_general(struct sw_sip_challenge *c, const char *p,
                                                  size_t len);

#endif /* SIP_PRIVATE_H */
