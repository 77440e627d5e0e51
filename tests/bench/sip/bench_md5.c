/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A hand-written MD5 (RFC 1321: F, G, H, I, the sine table, the shift amounts), the
 * alternative that bench_sip measures against OpenSSL's. It lost (OpenSSL's assembly block
 * function is ~10 % faster here), so lib/sip uses OpenSSL; this stays as the measured
 * alternative only.
 */
#include <string.h>

#include "bench_md5.h"

/* The round functions, arranged so that the newest word (b) enters last: x + t + a, and the
 * parts without b, are computed off the critical path (G as (b & d) + (c & ~d), its terms
 * never both set). */
#define F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define H(x, y, z) ((x) ^ (y) ^ (z))
#define I(x, y, z) ((y) ^ ((x) | ~(z)))
#define ROTL(x, s) (((x) << (s)) | ((x) >> (32 - (s))))
#define STEP(f, a, b, c, d, x, t, s)                                                               \
	do {                                                                                       \
		(a) += (x) + (t);                                                                  \
		(a) += f((b), (c), (d));                                                           \
		(a) = ROTL((a), (s));                                                              \
		(a) += (b);                                                                        \
	} while (0)
#define STEPG(a, b, c, d, x, t, s)                                                                 \
	do {                                                                                       \
		(a) += (x) + (t);                                                                  \
		(a) += (c) & ~(d);                                                                 \
		(a) += (b) & (d);                                                                  \
		(a) = ROTL((a), (s));                                                              \
		(a) += (b);                                                                        \
	} while (0)

void
sw_sip_md5_init(uint32_t st[4])
{
	st[0] = 0x67452301u;
	st[1] = 0xefcdab89u;
	st[2] = 0x98badcfeu;
	st[3] = 0x10325476u;
}

void
sw_sip_md5_compress(uint32_t st[4], const uint8_t *blk)
{
	uint32_t w[16], a = st[0], b = st[1], c = st[2], d = st[3];

	memcpy(w, blk, 64); /* little-endian host (x86-64, arm64 LE) */
	STEP(F, a, b, c, d, w[0], 0xd76aa478u, 7);
	STEP(F, d, a, b, c, w[1], 0xe8c7b756u, 12);
	STEP(F, c, d, a, b, w[2], 0x242070dbu, 17);
	STEP(F, b, c, d, a, w[3], 0xc1bdceeeu, 22);
	STEP(F, a, b, c, d, w[4], 0xf57c0fafu, 7);
	STEP(F, d, a, b, c, w[5], 0x4787c62au, 12);
	STEP(F, c, d, a, b, w[6], 0xa8304613u, 17);
	STEP(F, b, c, d, a, w[7], 0xfd469501u, 22);
	STEP(F, a, b, c, d, w[8], 0x698098d8u, 7);
	STEP(F, d, a, b, c, w[9], 0x8b44f7afu, 12);
	STEP(F, c, d, a, b, w[10], 0xffff5bb1u, 17);
	STEP(F, b, c, d, a, w[11], 0x895cd7beu, 22);
	STEP(F, a, b, c, d, w[12], 0x6b901122u, 7);
	STEP(F, d, a, b, c, w[13], 0xfd987193u, 12);
	STEP(F, c, d, a, b, w[14], 0xa679438eu, 17);
	STEP(F, b, c, d, a, w[15], 0x49b40821u, 22);
	STEPG(a, b, c, d, w[1], 0xf61e2562u, 5);
	STEPG(d, a, b, c, w[6], 0xc040b340u, 9);
	STEPG(c, d, a, b, w[11], 0x265e5a51u, 14);
	STEPG(b, c, d, a, w[0], 0xe9b6c7aau, 20);
	STEPG(a, b, c, d, w[5], 0xd62f105du, 5);
	STEPG(d, a, b, c, w[10], 0x02441453u, 9);
	STEPG(c, d, a, b, w[15], 0xd8a1e681u, 14);
	STEPG(b, c, d, a, w[4], 0xe7d3fbc8u, 20);
	STEPG(a, b, c, d, w[9], 0x21e1cde6u, 5);
	STEPG(d, a, b, c, w[14], 0xc33707d6u, 9);
	STEPG(c, d, a, b, w[3], 0xf4d50d87u, 14);
	STEPG(b, c, d, a, w[8], 0x455a14edu, 20);
	STEPG(a, b, c, d, w[13], 0xa9e3e905u, 5);
	STEPG(d, a, b, c, w[2], 0xfcefa3f8u, 9);
	STEPG(c, d, a, b, w[7], 0x676f02d9u, 14);
	STEPG(b, c, d, a, w[12], 0x8d2a4c8au, 20);
	STEP(H, a, b, c, d, w[5], 0xfffa3942u, 4);
	STEP(H, d, a, b, c, w[8], 0x8771f681u, 11);
	STEP(H, c, d, a, b, w[11], 0x6d9d6122u, 16);
	STEP(H, b, c, d, a, w[14], 0xfde5380cu, 23);
	STEP(H, a, b, c, d, w[1], 0xa4beea44u, 4);
	STEP(H, d, a, b, c, w[4], 0x4bdecfa9u, 11);
	STEP(H, c, d, a, b, w[7], 0xf6bb4b60u, 16);
	STEP(H, b, c, d, a, w[10], 0xbebfbc70u, 23);
	STEP(H, a, b, c, d, w[13], 0x289b7ec6u, 4);
	STEP(H, d, a, b, c, w[0], 0xeaa127fau, 11);
	STEP(H, c, d, a, b, w[3], 0xd4ef3085u, 16);
	STEP(H, b, c, d, a, w[6], 0x04881d05u, 23);
	STEP(H, a, b, c, d, w[9], 0xd9d4d039u, 4);
	STEP(H, d, a, b, c, w[12], 0xe6db99e5u, 11);
	STEP(H, c, d, a, b, w[15], 0x1fa27cf8u, 16);
	STEP(H, b, c, d, a, w[2], 0xc4ac5665u, 23);
	STEP(I, a, b, c, d, w[0], 0xf4292244u, 6);
	STEP(I, d, a, b, c, w[7], 0x432aff97u, 10);
	STEP(I, c, d, a, b, w[14], 0xab9423a7u, 15);
	STEP(I, b, c, d, a, w[5], 0xfc93a039u, 21);
	STEP(I, a, b, c, d, w[12], 0x655b59c3u, 6);
	STEP(I, d, a, b, c, w[3], 0x8f0ccc92u, 10);
	STEP(I, c, d, a, b, w[10], 0xffeff47du, 15);
	STEP(I, b, c, d, a, w[1], 0x85845dd1u, 21);
	STEP(I, a, b, c, d, w[8], 0x6fa87e4fu, 6);
	STEP(I, d, a, b, c, w[15], 0xfe2ce6e0u, 10);
	STEP(I, c, d, a, b, w[6], 0xa3014314u, 15);
	STEP(I, b, c, d, a, w[13], 0x4e0811a1u, 21);
	STEP(I, a, b, c, d, w[4], 0xf7537e82u, 6);
	STEP(I, d, a, b, c, w[11], 0xbd3af235u, 10);
	STEP(I, c, d, a, b, w[2], 0x2ad7d2bbu, 15);
	STEP(I, b, c, d, a, w[9], 0xeb86d391u, 21);
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
}

void
sw_sip_md5_finish(uint32_t st[4], const uint8_t *tail, size_t n, uint64_t total, uint8_t out[16])
{
	uint8_t blk[128];
	size_t nb = n + 9 <= 64 ? 64 : 128;
	uint64_t bits = total * 8;

	memcpy(blk, tail, n);
	blk[n] = 0x80;
	memset(blk + n + 1, 0, nb - n - 1 - 8);
	memcpy(blk + nb - 8, &bits, 8);
	sw_sip_md5_compress(st, blk);
	if (nb == 128)
		sw_sip_md5_compress(st, blk + 64);
	memcpy(out, st, 16);
}

void
sw_sip_md5(const void *p, size_t n, uint8_t out[16])
{
	const uint8_t *b = p;
	uint32_t st[4];
	size_t full = n & ~(size_t)63;

	sw_sip_md5_init(st);
	for (size_t i = 0; i < full; i += 64)
		sw_sip_md5_compress(st, b + i);
	sw_sip_md5_finish(st, b + full, n - full, n, out);
}
