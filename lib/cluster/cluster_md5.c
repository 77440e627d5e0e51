/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MD5 (RFC 1321) of eight padded messages at once, for the digest responses of a burst of
 * REGISTERs: with AVX2 each 32-bit word of a 256-bit register holds one message's value, and the
 * 64 steps of a block run once for all eight. OpenSSL has no multi-buffer MD5 (its multi-block
 * code is SHA-1/SHA-256 inside TLS), and lib/sip's own (for the phone side) is private to it and
 * starts from a saved state of 64 bytes of "HA1:nonce", which the cluster's 24-character nonce
 * does not fill; hence this one. Without AVX2, OpenSSL's block function one message at a
 * time.
 */
#include <string.h>

#ifdef __AVX2__
#include <immintrin.h>
#endif

#include "cluster_private.h"

#ifdef __AVX2__
/* RFC 1321 section 3.4: T[i] = floor(2^32 * abs(sin(i + 1))) */
static const uint32_t md5_t[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391,
};

#define ROTL(x, s) _mm256_or_si256(_mm256_slli_epi32((x), (s)), _mm256_srli_epi32((x), 32 - (s)))
#define F(b, c, d) _mm256_xor_si256((d), _mm256_and_si256((b), _mm256_xor_si256((c), (d))))
#define G(b, c, d) _mm256_xor_si256((c), _mm256_and_si256((d), _mm256_xor_si256((b), (c))))
#define H(b, c, d) _mm256_xor_si256(_mm256_xor_si256((b), (c)), (d))
#define I(b, c, d) _mm256_xor_si256((c), _mm256_or_si256((b), _mm256_xor_si256((d), ones)))
/* a = b + ((a + f(b, c, d) + X[k] + T[i]) <<< s) */
#define STEP(f, a, b, c, d, k, i, s)                                                               \
	do {                                                                                       \
		(a) = _mm256_add_epi32(                                                            \
		        (a), _mm256_add_epi32(                                                     \
		                     f((b), (c), (d)),                                             \
		                     _mm256_add_epi32(w[k], _mm256_set1_epi32((int)md5_t[i]))));   \
		(a) = _mm256_add_epi32((b), ROTL((a), (s)));                                       \
	} while (0)

/*
 * Words 0..7 of the 32 bytes at in[l] + off of the eight lanes, transposed in registers: w[j]
 * holds word j of lane l in its element l (unpack pairs, then quads, then 128-bit halves).
 */
static inline void
transpose8(const uint8_t *const in[8], unsigned off, __m256i *w)
{
	__m256i r[8], t[8], u[8];

	for (unsigned l = 0; l < 8; l++)
		r[l] = _mm256_loadu_si256((const __m256i *)(const void *)(in[l] + off));
	for (unsigned l = 0; l < 8; l += 2) {
		t[l] = _mm256_unpacklo_epi32(r[l], r[l + 1]);     /* words 0 1 | 4 5 of l, l+1 */
		t[l + 1] = _mm256_unpackhi_epi32(r[l], r[l + 1]); /* words 2 3 | 6 7 */
	}
	for (unsigned q = 0; q < 8; q += 4) {
		u[q] = _mm256_unpacklo_epi64(t[q], t[q + 2]);         /* word 0 | 4 of 4 lanes */
		u[q + 1] = _mm256_unpackhi_epi64(t[q], t[q + 2]);     /* word 1 | 5 */
		u[q + 2] = _mm256_unpacklo_epi64(t[q + 1], t[q + 3]); /* word 2 | 6 */
		u[q + 3] = _mm256_unpackhi_epi64(t[q + 1], t[q + 3]); /* word 3 | 7 */
	}
	for (unsigned j = 0; j < 4; j++) {
		w[j] = _mm256_permute2x128_si256(u[j], u[j + 4], 0x20);
		w[j + 4] = _mm256_permute2x128_si256(u[j], u[j + 4], 0x31);
	}
}

static void
md5x8_avx2(const uint8_t *const in[8], unsigned nblk, uint8_t out[8][16])
{
	const __m256i ones = _mm256_set1_epi32(-1);
	__m256i a = _mm256_set1_epi32(0x67452301), b = _mm256_set1_epi32((int)0xefcdab89),
	        c = _mm256_set1_epi32((int)0x98badcfe), d = _mm256_set1_epi32(0x10325476);
	_Alignas(32) uint32_t st[4][8];

	for (unsigned k = 0; k < nblk; k++) {
		__m256i w[16], a0 = a, b0 = b, c0 = c, d0 = d;

		/* word j of every lane side by side (a little-endian host: the words as loaded) */
		for (unsigned h = 0; h < 2; h++)
			transpose8(in, 64 * k + 32 * h, &w[8 * h]);

		STEP(F, a, b, c, d, 0, 0, 7);
		STEP(F, d, a, b, c, 1, 1, 12);
		STEP(F, c, d, a, b, 2, 2, 17);
		STEP(F, b, c, d, a, 3, 3, 22);
		STEP(F, a, b, c, d, 4, 4, 7);
		STEP(F, d, a, b, c, 5, 5, 12);
		STEP(F, c, d, a, b, 6, 6, 17);
		STEP(F, b, c, d, a, 7, 7, 22);
		STEP(F, a, b, c, d, 8, 8, 7);
		STEP(F, d, a, b, c, 9, 9, 12);
		STEP(F, c, d, a, b, 10, 10, 17);
		STEP(F, b, c, d, a, 11, 11, 22);
		STEP(F, a, b, c, d, 12, 12, 7);
		STEP(F, d, a, b, c, 13, 13, 12);
		STEP(F, c, d, a, b, 14, 14, 17);
		STEP(F, b, c, d, a, 15, 15, 22);

		STEP(G, a, b, c, d, 1, 16, 5);
		STEP(G, d, a, b, c, 6, 17, 9);
		STEP(G, c, d, a, b, 11, 18, 14);
		STEP(G, b, c, d, a, 0, 19, 20);
		STEP(G, a, b, c, d, 5, 20, 5);
		STEP(G, d, a, b, c, 10, 21, 9);
		STEP(G, c, d, a, b, 15, 22, 14);
		STEP(G, b, c, d, a, 4, 23, 20);
		STEP(G, a, b, c, d, 9, 24, 5);
		STEP(G, d, a, b, c, 14, 25, 9);
		STEP(G, c, d, a, b, 3, 26, 14);
		STEP(G, b, c, d, a, 8, 27, 20);
		STEP(G, a, b, c, d, 13, 28, 5);
		STEP(G, d, a, b, c, 2, 29, 9);
		STEP(G, c, d, a, b, 7, 30, 14);
		STEP(G, b, c, d, a, 12, 31, 20);

		STEP(H, a, b, c, d, 5, 32, 4);
		STEP(H, d, a, b, c, 8, 33, 11);
		STEP(H, c, d, a, b, 11, 34, 16);
		STEP(H, b, c, d, a, 14, 35, 23);
		STEP(H, a, b, c, d, 1, 36, 4);
		STEP(H, d, a, b, c, 4, 37, 11);
		STEP(H, c, d, a, b, 7, 38, 16);
		STEP(H, b, c, d, a, 10, 39, 23);
		STEP(H, a, b, c, d, 13, 40, 4);
		STEP(H, d, a, b, c, 0, 41, 11);
		STEP(H, c, d, a, b, 3, 42, 16);
		STEP(H, b, c, d, a, 6, 43, 23);
		STEP(H, a, b, c, d, 9, 44, 4);
		STEP(H, d, a, b, c, 12, 45, 11);
		STEP(H, c, d, a, b, 15, 46, 16);
		STEP(H, b, c, d, a, 2, 47, 23);

		STEP(I, a, b, c, d, 0, 48, 6);
		STEP(I, d, a, b, c, 7, 49, 10);
		STEP(I, c, d, a, b, 14, 50, 15);
		STEP(I, b, c, d, a, 5, 51, 21);
		STEP(I, a, b, c, d, 12, 52, 6);
		STEP(I, d, a, b, c, 3, 53, 10);
		STEP(I, c, d, a, b, 10, 54, 15);
		STEP(I, b, c, d, a, 1, 55, 21);
		STEP(I, a, b, c, d, 8, 56, 6);
		STEP(I, d, a, b, c, 15, 57, 10);
		STEP(I, c, d, a, b, 6, 58, 15);
		STEP(I, b, c, d, a, 13, 59, 21);
		STEP(I, a, b, c, d, 4, 60, 6);
		STEP(I, d, a, b, c, 11, 61, 10);
		STEP(I, c, d, a, b, 2, 62, 15);
		STEP(I, b, c, d, a, 9, 63, 21);

		a = _mm256_add_epi32(a, a0);
		b = _mm256_add_epi32(b, b0);
		c = _mm256_add_epi32(c, c0);
		d = _mm256_add_epi32(d, d0);
	}
	_mm256_store_si256((__m256i *)(void *)st[0], a);
	_mm256_store_si256((__m256i *)(void *)st[1], b);
	_mm256_store_si256((__m256i *)(void *)st[2], c);
	_mm256_store_si256((__m256i *)(void *)st[3], d);
	for (unsigned l = 0; l < 8; l++)
		for (unsigned i = 0; i < 4; i++)
			memcpy(out[l] + 4 * i, &st[i][l], 4); /* little-endian: the digest bytes */
}
#endif

void
cl_md5x8(const uint8_t *const in[8], unsigned nblk, uint8_t out[8][16])
{
#ifdef __AVX2__
	md5x8_avx2(in, nblk, out);
#else
	for (unsigned l = 0; l < 8; l++)
		cl_md5_blocks(in[l], nblk, out[l]);
#endif
}
