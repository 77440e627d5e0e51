/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Digest authentication, RFC 2617 section 3.2.2 and RFC 7616 section 3.4:
 *   HA1      = H(username ":" realm ":" password)          (-sess: H(HA1 ":" nonce ":" cnonce))
 *   HA2      = H(method ":" digest-uri)                     (qop=auth or no qop)
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)   (qop=auth)
 *   response = H(HA1 ":" nonce ":" HA2)                              (no qop)
 * MD5 is OpenSSL's. The MD5 state after the first 64 bytes ("HA1:" and the first 31 nonce
 * characters) is saved per line (A, B, C, D) and each response hashes only the rest: two
 * blocks instead of three. That needs OpenSSL's low-level MD5_CTX calls, deprecated in
 * OpenSSL 3 but present and documented; the warning is silenced in this file only. The tail
 * is padded here and given to MD5_Transform (OpenSSL's block function) block by block: no
 * MD5_Update buffering or MD5_Final copies on the per-message path.
 * tests/bench/sip measured the choices side by side (README.rst, "SIP"): OpenSSL with the
 * saved state beat a hand-written MD5 with the same saved state, and MD5() and EVP_Digest
 * without it. SHA-256 uses EVP_Digest: rare in SIP and not on the measured path.
 */
#include <errno.h>
#include <string.h>

#ifdef __AVX2__
#include <immintrin.h>
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <openssl/evp.h>
#include <openssl/md5.h>

#include "sip_private.h"
#include "sw_common.h"

static int
hash_hex(enum sw_sip_digest_algo algo, const void *p, size_t n, char *out)
{
	uint8_t md[32];
	unsigned int mdlen = 0;

	switch (algo) {
	case SW_SIP_ALGO_MD5:
	case SW_SIP_ALGO_MD5_SESS:
		MD5(p, n, md);
		sw_sip_hex16(out, md);
		return SW_SIP_MD5_HEX;
	case SW_SIP_ALGO_SHA256:
	case SW_SIP_ALGO_SHA256_SESS:
		if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
			return -EINVAL;
		sw_sip_hex(out, md, 32);
		return SW_SIP_SHA256_HEX;
	default:
		return -EINVAL;
	}
}

/* a ":" b [":" c], into buf (sized by the callers' limits) */
static size_t
join3(char *buf, const char *a, size_t al, const char *b, size_t bl, const char *c, size_t cl)
{
	size_t n = 0;

	memcpy(buf + n, a, al);
	n += al;
	buf[n++] = ':';
	memcpy(buf + n, b, bl);
	n += bl;
	if (c != NULL) {
		buf[n++] = ':';
		memcpy(buf + n, c, cl);
		n += cl;
	}
	return n;
}

int
sw_sip_digest_ha1(enum sw_sip_digest_algo algo, const char *user, size_t ulen, const char *realm,
                  size_t rlen, const char *pass, size_t plen, char *out)
{
	char buf[3 * 256 + 2];

	if (ulen > 256 || rlen > 256 || plen > 256)
		return -EINVAL;
	return hash_hex(algo, buf, join3(buf, user, ulen, realm, rlen, pass, plen), out);
}

int
sw_sip_digest_ha2(enum sw_sip_digest_algo algo, const char *method, size_t mlen, const char *uri,
                  size_t ulen, char *out)
{
	char buf[32 + 1024 + 1];

	if (mlen > 32 || ulen > 1024)
		return -EINVAL;
	return hash_hex(algo, buf, join3(buf, method, mlen, uri, ulen, NULL, 0), out);
}

/* whether the first 64 bytes hashed, "HA1:" and 31 nonce characters, are the line's for good */
static inline int
mid_wanted(const struct sw_sip_digest *d)
{
	return d->hex_len == SW_SIP_MD5_HEX && d->nonce_len >= 64 - SW_SIP_MD5_HEX - 1;
}

/* the MD5 state after those 64 bytes, saved per line: each response then hashes the rest */
static void
save_mid(struct sw_sip_digest *d)
{
	MD5_CTX cx;

	if (!mid_wanted(d))
		return;
	MD5_Init(&cx);
	MD5_Update(&cx, d->ha1, SW_SIP_MD5_HEX);
	MD5_Update(&cx, ":", 1);
	MD5_Update(&cx, d->nonce, 64 - SW_SIP_MD5_HEX - 1);
	d->mid[0] = cx.A;
	d->mid[1] = cx.B;
	d->mid[2] = cx.C;
	d->mid[3] = cx.D;
	d->has_mid = 1;
}

int
sw_sip_digest_accept(struct sw_sip_digest *d, const struct sw_sip_challenge *c, const char *ha1,
                     uint32_t cnonce)
{
	if (!c->present)
		return -EINVAL;
	if (c->algo >= SW_SIP_ALGO_UNKNOWN || (c->qop.len > 0 && !c->qop_auth))
		return -ENOTSUP;
	if (c->nonce.len > SW_SIP_DIGEST_NONCE_MAX || c->opaque.len > SW_SIP_DIGEST_OPAQUE_MAX)
		return -E2BIG;
	if (ha1 == NULL && c->algo != SW_SIP_ALGO_MD5)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->algo = c->algo;
	d->qop = c->qop_auth;
	d->proxy = c->proxy;
	d->echo_algorithm = c->algorithm.len > 0;
	d->nonce_len = (uint8_t)c->nonce.len;
	memcpy(d->nonce, c->nonce.p, c->nonce.len);
	d->opaque_len = (uint8_t)c->opaque.len;
	if (c->opaque.len > 0)
		memcpy(d->opaque, c->opaque.p, c->opaque.len);
	d->hex_len = (d->algo == SW_SIP_ALGO_SHA256 || d->algo == SW_SIP_ALGO_SHA256_SESS)
	                     ? SW_SIP_SHA256_HEX
	                     : SW_SIP_MD5_HEX;
	if (ha1 == NULL)
		return 0; /* pending: ha1[0] stays NUL until sw_sip_digest_ha1_burst() */
	memcpy(d->ha1, ha1, d->hex_len);
	if (d->algo == SW_SIP_ALGO_MD5_SESS || d->algo == SW_SIP_ALGO_SHA256_SESS) {
		/* RFC 2617 section 3.2.2.2: computed once, on the first request after the
		 * challenge, with the cnonce then fixed for this nonce */
		char buf[SW_SIP_SHA256_HEX + SW_SIP_DIGEST_NONCE_MAX + 16], cn[8];
		sw_sip_hex32(cn, cnonce);
		d->cnonce = cnonce;
		hash_hex((enum sw_sip_digest_algo)d->algo, buf,
		         join3(buf, ha1, d->hex_len, d->nonce, d->nonce_len, cn, 8), d->ha1);
	}
	save_mid(d);
	return 0;
}

/* With qop=auth, nc ":" cnonce ":auth:" at b (23 bytes; 0 without qop), for the response. */
static inline size_t
qop_part(const struct sw_sip_digest *d, uint8_t *b)
{
	if (!d->qop)
		return 0;
	sw_sip_hex32((char *)b, d->nc);
	b[8] = ':';
	sw_sip_hex32((char *)b + 9, d->cnonce);
	memcpy(b + 17, ":auth:", 6);
	return 23;
}

/*
 * The bytes hashed after the saved state (or all of them without one) into buf:
 * [rest of nonce] ":" [nc ":" cnonce ":auth:"] HA2. Advances nc and records cnonce.
 */
static size_t
response_input(struct sw_sip_digest *d, const char *ha2, uint32_t cnonce, uint8_t *buf)
{
	size_t n;

	d->nc++;
	if (d->algo != SW_SIP_ALGO_MD5_SESS && d->algo != SW_SIP_ALGO_SHA256_SESS)
		d->cnonce = cnonce;
	if (d->has_mid) {
		n = (size_t)d->nonce_len - (64 - SW_SIP_MD5_HEX - 1);
		memcpy(buf, d->nonce + (64 - SW_SIP_MD5_HEX - 1), n);
	} else {
		memcpy(buf, d->ha1, d->hex_len);
		n = d->hex_len;
		buf[n++] = ':';
		memcpy(buf + n, d->nonce, d->nonce_len);
		n += d->nonce_len;
	}
	buf[n++] = ':';
	n += qop_part(d, buf + n);
	memcpy(buf + n, ha2, d->hex_len);
	return n + d->hex_len;
}

/*
 * MD5 padding (RFC 1321 section 3.1-3.2) of the n bytes at buf, preceded by pre bytes already
 * hashed: 0x80, zeros, the bit length; returns the number of 64-byte blocks. buf has room.
 */
static unsigned
md5_pad(uint8_t *buf, size_t n, size_t pre)
{
	unsigned nblk = (unsigned)((n + 9 + 63) / 64);
	uint64_t bits = (uint64_t)(n + pre) * 8;

	buf[n] = 0x80;
	memset(buf + n + 1, 0, nblk * 64 - n - 9);
	memcpy(buf + nblk * 64 - 8, &bits, 8); /* little-endian host (x86-64, arm64 LE) */
	return nblk;
}

void
sw_sip_digest_response(struct sw_sip_digest *d, const char *ha2, uint32_t cnonce, char *out)
{
	/* HA1 ":" nonce ":" nc ":" cnonce ":auth:" HA2, at most 64+1+128+1+8+1+8+6+64 bytes,
	 * plus MD5 padding */
	uint8_t buf[320];
	size_t n = response_input(d, ha2, cnonce, buf);

	if (d->hex_len == SW_SIP_MD5_HEX) {
		/* the padded blocks straight into OpenSSL's block function (MD5_Transform): no
		 * MD5_Update buffering, no MD5_Final copy */
		MD5_CTX cx;
		uint32_t h[4];
		unsigned nblk = md5_pad(buf, n, d->has_mid ? 64 : 0);

		if (d->has_mid) {
			cx.A = d->mid[0];
			cx.B = d->mid[1];
			cx.C = d->mid[2];
			cx.D = d->mid[3];
		} else {
			MD5_Init(&cx);
		}
		for (unsigned k = 0; k < nblk; k++)
			MD5_Transform(&cx, buf + 64 * k);
		h[0] = cx.A;
		h[1] = cx.B;
		h[2] = cx.C;
		h[3] = cx.D;
		sw_sip_hex16(out, (const uint8_t *)h);
	} else {
		hash_hex((enum sw_sip_digest_algo)d->algo, buf, n, out);
	}
}

#ifdef __AVX2__
/*
 * Multi-buffer MD5 (RFC 1321) over 8 lanes with AVX2: the same steps as the scalar function,
 * each 32-bit word holding one line's value. Lanes start from their saved state and hash the
 * same number of blocks. Two groups of 8 run interleaved (their chains are independent, so
 * one group's step latency hides behind the other's), and the message words are moved into
 * lane order with 8x8 transposes (unpack/permute) rather than gathers, which are slow here.
 */
#define VROTL(x, s) _mm256_or_si256(_mm256_slli_epi32((x), (s)), _mm256_srli_epi32((x), 32 - (s)))
#define VF(x, y, z) _mm256_xor_si256((z), _mm256_and_si256((x), _mm256_xor_si256((y), (z))))
#define VG(x, y, z) _mm256_xor_si256((y), _mm256_and_si256((z), _mm256_xor_si256((x), (y))))
#define VH(x, y, z) _mm256_xor_si256(_mm256_xor_si256((x), (y)), (z))
#define VI(x, y, z) _mm256_xor_si256((y), _mm256_or_si256((x), _mm256_xor_si256((z), ones)))
/* The 64 step constants (RFC 1321 section 3.4), each in all 8 lanes: one memory operand a
 * step, where a constant built in the loop took a move, a vmovd and a broadcast. */
#define K8(k)                                                                                      \
	{                                                                                          \
		k, k, k, k, k, k, k, k                                                             \
	}
static const uint32_t md5_k8[64][8] __attribute__((aligned(32))) = {
        K8(0xd76aa478u), K8(0xe8c7b756u), K8(0x242070dbu), K8(0xc1bdceeeu), K8(0xf57c0fafu),
        K8(0x4787c62au), K8(0xa8304613u), K8(0xfd469501u), K8(0x698098d8u), K8(0x8b44f7afu),
        K8(0xffff5bb1u), K8(0x895cd7beu), K8(0x6b901122u), K8(0xfd987193u), K8(0xa679438eu),
        K8(0x49b40821u), K8(0xf61e2562u), K8(0xc040b340u), K8(0x265e5a51u), K8(0xe9b6c7aau),
        K8(0xd62f105du), K8(0x02441453u), K8(0xd8a1e681u), K8(0xe7d3fbc8u), K8(0x21e1cde6u),
        K8(0xc33707d6u), K8(0xf4d50d87u), K8(0x455a14edu), K8(0xa9e3e905u), K8(0xfcefa3f8u),
        K8(0x676f02d9u), K8(0x8d2a4c8au), K8(0xfffa3942u), K8(0x8771f681u), K8(0x6d9d6122u),
        K8(0xfde5380cu), K8(0xa4beea44u), K8(0x4bdecfa9u), K8(0xf6bb4b60u), K8(0xbebfbc70u),
        K8(0x289b7ec6u), K8(0xeaa127fau), K8(0xd4ef3085u), K8(0x04881d05u), K8(0xd9d4d039u),
        K8(0xe6db99e5u), K8(0x1fa27cf8u), K8(0xc4ac5665u), K8(0xf4292244u), K8(0x432aff97u),
        K8(0xab9423a7u), K8(0xfc93a039u), K8(0x655b59c3u), K8(0x8f0ccc92u), K8(0xffeff47du),
        K8(0x85845dd1u), K8(0x6fa87e4fu), K8(0xfe2ce6e0u), K8(0xa3014314u), K8(0x4e0811a1u),
        K8(0xf7537e82u), K8(0xbd3af235u), K8(0x2ad7d2bbu), K8(0xeb86d391u),
};
#undef K8

#define VSTEP(f, a, b, c, d, x, t, s)                                                              \
	do {                                                                                       \
		(a) = _mm256_add_epi32(_mm256_add_epi32((a), md5_kv[t]), (x));                     \
		(a) = _mm256_add_epi32((a), f((b), (c), (d)));                                     \
		(a) = VROTL((a), (s));                                                             \
		(a) = _mm256_add_epi32((a), (b));                                                  \
	} while (0)

/* The 64 steps of one block on one group of 8 lanes (w: the block's 16 words, transposed). */
#define MD5_BLOCK_STEPS(a, b, c, d, w)                                                             \
	do {                                                                                       \
		VSTEP(VF, a, b, c, d, w[0], 0, 7);                                                 \
		VSTEP(VF, d, a, b, c, w[1], 1, 12);                                                \
		VSTEP(VF, c, d, a, b, w[2], 2, 17);                                                \
		VSTEP(VF, b, c, d, a, w[3], 3, 22);                                                \
		VSTEP(VF, a, b, c, d, w[4], 4, 7);                                                 \
		VSTEP(VF, d, a, b, c, w[5], 5, 12);                                                \
		VSTEP(VF, c, d, a, b, w[6], 6, 17);                                                \
		VSTEP(VF, b, c, d, a, w[7], 7, 22);                                                \
		VSTEP(VF, a, b, c, d, w[8], 8, 7);                                                 \
		VSTEP(VF, d, a, b, c, w[9], 9, 12);                                                \
		VSTEP(VF, c, d, a, b, w[10], 10, 17);                                              \
		VSTEP(VF, b, c, d, a, w[11], 11, 22);                                              \
		VSTEP(VF, a, b, c, d, w[12], 12, 7);                                               \
		VSTEP(VF, d, a, b, c, w[13], 13, 12);                                              \
		VSTEP(VF, c, d, a, b, w[14], 14, 17);                                              \
		VSTEP(VF, b, c, d, a, w[15], 15, 22);                                              \
		VSTEP(VG, a, b, c, d, w[1], 16, 5);                                                \
		VSTEP(VG, d, a, b, c, w[6], 17, 9);                                                \
		VSTEP(VG, c, d, a, b, w[11], 18, 14);                                              \
		VSTEP(VG, b, c, d, a, w[0], 19, 20);                                               \
		VSTEP(VG, a, b, c, d, w[5], 20, 5);                                                \
		VSTEP(VG, d, a, b, c, w[10], 21, 9);                                               \
		VSTEP(VG, c, d, a, b, w[15], 22, 14);                                              \
		VSTEP(VG, b, c, d, a, w[4], 23, 20);                                               \
		VSTEP(VG, a, b, c, d, w[9], 24, 5);                                                \
		VSTEP(VG, d, a, b, c, w[14], 25, 9);                                               \
		VSTEP(VG, c, d, a, b, w[3], 26, 14);                                               \
		VSTEP(VG, b, c, d, a, w[8], 27, 20);                                               \
		VSTEP(VG, a, b, c, d, w[13], 28, 5);                                               \
		VSTEP(VG, d, a, b, c, w[2], 29, 9);                                                \
		VSTEP(VG, c, d, a, b, w[7], 30, 14);                                               \
		VSTEP(VG, b, c, d, a, w[12], 31, 20);                                              \
		VSTEP(VH, a, b, c, d, w[5], 32, 4);                                                \
		VSTEP(VH, d, a, b, c, w[8], 33, 11);                                               \
		VSTEP(VH, c, d, a, b, w[11], 34, 16);                                              \
		VSTEP(VH, b, c, d, a, w[14], 35, 23);                                              \
		VSTEP(VH, a, b, c, d, w[1], 36, 4);                                                \
		VSTEP(VH, d, a, b, c, w[4], 37, 11);                                               \
		VSTEP(VH, c, d, a, b, w[7], 38, 16);                                               \
		VSTEP(VH, b, c, d, a, w[10], 39, 23);                                              \
		VSTEP(VH, a, b, c, d, w[13], 40, 4);                                               \
		VSTEP(VH, d, a, b, c, w[0], 41, 11);                                               \
		VSTEP(VH, c, d, a, b, w[3], 42, 16);                                               \
		VSTEP(VH, b, c, d, a, w[6], 43, 23);                                               \
		VSTEP(VH, a, b, c, d, w[9], 44, 4);                                                \
		VSTEP(VH, d, a, b, c, w[12], 45, 11);                                              \
		VSTEP(VH, c, d, a, b, w[15], 46, 16);                                              \
		VSTEP(VH, b, c, d, a, w[2], 47, 23);                                               \
		VSTEP(VI, a, b, c, d, w[0], 48, 6);                                                \
		VSTEP(VI, d, a, b, c, w[7], 49, 10);                                               \
		VSTEP(VI, c, d, a, b, w[14], 50, 15);                                              \
		VSTEP(VI, b, c, d, a, w[5], 51, 21);                                               \
		VSTEP(VI, a, b, c, d, w[12], 52, 6);                                               \
		VSTEP(VI, d, a, b, c, w[3], 53, 10);                                               \
		VSTEP(VI, c, d, a, b, w[10], 54, 15);                                              \
		VSTEP(VI, b, c, d, a, w[1], 55, 21);                                               \
		VSTEP(VI, a, b, c, d, w[8], 56, 6);                                                \
		VSTEP(VI, d, a, b, c, w[15], 57, 10);                                              \
		VSTEP(VI, c, d, a, b, w[6], 58, 15);                                               \
		VSTEP(VI, b, c, d, a, w[13], 59, 21);                                              \
		VSTEP(VI, a, b, c, d, w[4], 60, 6);                                                \
		VSTEP(VI, d, a, b, c, w[11], 61, 10);                                              \
		VSTEP(VI, c, d, a, b, w[2], 62, 15);                                               \
		VSTEP(VI, b, c, d, a, w[9], 63, 21);                                               \
	} while (0)

/* Words 8j..8j+7 of 8 lanes (rows 64 * stride bytes apart, at off) as 8 vectors, word-major:
 * an 8x8 transpose of 32-bit elements (unpack 32, unpack 64, swap 128-bit halves). */
static inline void
transpose8(__m256i w[8], const uint8_t *rows, size_t stride, size_t off)
{
	__m256i r[8], t[8], u[8];

	for (int l = 0; l < 8; l++)
		r[l] = _mm256_loadu_si256((const __m256i *)(const void *)(rows + l * stride + off));
	for (int l = 0; l < 8; l += 2) {
		t[l] = _mm256_unpacklo_epi32(r[l], r[l + 1]);
		t[l + 1] = _mm256_unpackhi_epi32(r[l], r[l + 1]);
	}
	for (int l = 0; l < 8; l += 4) {
		u[l] = _mm256_unpacklo_epi64(t[l], t[l + 2]);
		u[l + 1] = _mm256_unpackhi_epi64(t[l], t[l + 2]);
		u[l + 2] = _mm256_unpacklo_epi64(t[l + 1], t[l + 3]);
		u[l + 3] = _mm256_unpackhi_epi64(t[l + 1], t[l + 3]);
	}
	for (int k = 0; k < 4; k++) {
		w[k] = _mm256_permute2x128_si256(u[k], u[k + 4], 0x20);
		w[k + 4] = _mm256_permute2x128_si256(u[k], u[k + 4], 0x31);
	}
}

/* RFC 1321 section 3.3 */
static const uint32_t md5_iv[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};

/* Lane buffers: up to 16 lanes of at most 2 blocks each. */
#define BURST_LANES  16
#define BURST_STRIDE 128

/*
 * Two groups of 8 lanes at once: the two dependency chains interleave, so the step latency
 * (an add, the round function, a three-instruction rotate, an add) of one group hides
 * behind the other. st: A, B, C, D of the 16 lanes in and out.
 */
static void
md5_x16(uint32_t st[4][BURST_LANES], const uint8_t blk[BURST_LANES][BURST_STRIDE], unsigned nblk)
{
	const __m256i ones = _mm256_set1_epi32(-1);
	const __m256i *md5_kv = (const __m256i *)(const void *)md5_k8;
	/* the table's address hidden from the optimizer: else it folds the loads back into
	 * constants built in the loop */
	__asm__("" : "+r"(md5_kv));
	__m256i a0 = _mm256_loadu_si256((const __m256i *)st[0]);
	__m256i b0 = _mm256_loadu_si256((const __m256i *)st[1]);
	__m256i c0 = _mm256_loadu_si256((const __m256i *)st[2]);
	__m256i d0 = _mm256_loadu_si256((const __m256i *)st[3]);
	__m256i a1 = _mm256_loadu_si256((const __m256i *)(st[0] + 8));
	__m256i b1 = _mm256_loadu_si256((const __m256i *)(st[1] + 8));
	__m256i c1 = _mm256_loadu_si256((const __m256i *)(st[2] + 8));
	__m256i d1 = _mm256_loadu_si256((const __m256i *)(st[3] + 8));

	for (unsigned k = 0; k < nblk; k++) {
		__m256i w0[16], w1[16];
		__m256i sa0 = a0, sb0 = b0, sc0 = c0, sd0 = d0;
		__m256i sa1 = a1, sb1 = b1, sc1 = c1, sd1 = d1;

		transpose8(w0, blk[0], BURST_STRIDE, 64 * k);
		transpose8(w0 + 8, blk[0], BURST_STRIDE, 64 * k + 32);
		transpose8(w1, blk[8], BURST_STRIDE, 64 * k);
		transpose8(w1 + 8, blk[8], BURST_STRIDE, 64 * k + 32);
		MD5_BLOCK_STEPS(a0, b0, c0, d0, w0);
		MD5_BLOCK_STEPS(a1, b1, c1, d1, w1);
		a0 = _mm256_add_epi32(a0, sa0);
		b0 = _mm256_add_epi32(b0, sb0);
		c0 = _mm256_add_epi32(c0, sc0);
		d0 = _mm256_add_epi32(d0, sd0);
		a1 = _mm256_add_epi32(a1, sa1);
		b1 = _mm256_add_epi32(b1, sb1);
		c1 = _mm256_add_epi32(c1, sc1);
		d1 = _mm256_add_epi32(d1, sd1);
	}
	_mm256_storeu_si256((__m256i *)st[0], a0);
	_mm256_storeu_si256((__m256i *)st[1], b0);
	_mm256_storeu_si256((__m256i *)st[2], c0);
	_mm256_storeu_si256((__m256i *)st[3], d0);
	_mm256_storeu_si256((__m256i *)(st[0] + 8), a1);
	_mm256_storeu_si256((__m256i *)(st[1] + 8), b1);
	_mm256_storeu_si256((__m256i *)(st[2] + 8), c1);
	_mm256_storeu_si256((__m256i *)(st[3] + 8), d1);
}

/* md5_x16 for a burst of 8 lanes or fewer: the first group only (lanes 8-15 are neither
 * read nor written), half the work of hashing 8 lanes of zeros beside them */
static void
md5_x8(uint32_t st[4][BURST_LANES], const uint8_t blk[BURST_LANES][BURST_STRIDE], unsigned nblk)
{
	const __m256i ones = _mm256_set1_epi32(-1);
	const __m256i *md5_kv = (const __m256i *)(const void *)md5_k8;
	__asm__("" : "+r"(md5_kv));
	__m256i a0 = _mm256_loadu_si256((const __m256i *)st[0]);
	__m256i b0 = _mm256_loadu_si256((const __m256i *)st[1]);
	__m256i c0 = _mm256_loadu_si256((const __m256i *)st[2]);
	__m256i d0 = _mm256_loadu_si256((const __m256i *)st[3]);

	for (unsigned k = 0; k < nblk; k++) {
		__m256i w0[16];
		__m256i sa0 = a0, sb0 = b0, sc0 = c0, sd0 = d0;

		transpose8(w0, blk[0], BURST_STRIDE, 64 * k);
		transpose8(w0 + 8, blk[0], BURST_STRIDE, 64 * k + 32);
		MD5_BLOCK_STEPS(a0, b0, c0, d0, w0);
		a0 = _mm256_add_epi32(a0, sa0);
		b0 = _mm256_add_epi32(b0, sb0);
		c0 = _mm256_add_epi32(c0, sc0);
		d0 = _mm256_add_epi32(d0, sd0);
	}
	_mm256_storeu_si256((__m256i *)st[0], a0);
	_mm256_storeu_si256((__m256i *)st[1], b0);
	_mm256_storeu_si256((__m256i *)st[2], c0);
	_mm256_storeu_si256((__m256i *)st[3], d0);
}

/* n lanes of a burst (n <= 16): one group of 8 when that holds them */
static inline void
md5_lanes(uint32_t st[4][BURST_LANES], const uint8_t blk[BURST_LANES][BURST_STRIDE], unsigned nblk,
          unsigned n)
{
	if (n <= 8)
		md5_x8(st, blk, nblk);
	else
		md5_x16(st, blk, nblk);
}

/*
 * response_input() and md5_pad() for one lane of a burst (saved state, MD5, nblk tail blocks):
 * the same bytes, written with fixed-size moves only. The variable-length memcpy and memset
 * of those two went to libc calls that perf put at 8 % of a generating worker.
 */
static inline void
burst_input(struct sw_sip_digest *d, const char *ha2, uint32_t cnonce, uint8_t b[BURST_STRIDE],
            unsigned nblk)
{
	/* with a saved state: the nonce's tail, at most 63 bytes (two tail blocks); without:
	 * HA1 ":" and the whole nonce, at most 53 bytes (two blocks in all); either way the
	 * 8-byte copy below reads at most 31 + 71 bytes of nonce[] */
	const char *src = d->has_mid ? d->nonce + (64 - SW_SIP_MD5_HEX - 1) : d->nonce;
	size_t len = d->has_mid ? (size_t)d->nonce_len - (64 - SW_SIP_MD5_HEX - 1) : d->nonce_len;
	size_t n = d->has_mid ? 0 : SW_SIP_MD5_HEX + 1;
	uint64_t bits;

	_Static_assert(SW_SIP_DIGEST_NONCE_MAX >= 64 - SW_SIP_MD5_HEX - 1 + 63 + 8,
	               "the 8-byte copy of the nonce stays inside nonce[]");
	d->nc++;
	if (d->algo != SW_SIP_ALGO_MD5_SESS)
		d->cnonce = cnonce;
	memset(b, 0, BURST_STRIDE);
	if (!d->has_mid) {
		memcpy(b, d->ha1, SW_SIP_MD5_HEX);
		b[SW_SIP_MD5_HEX] = ':';
	}
	/* 8 bytes at a time: the up to 7 bytes copied past the nonce are overwritten next */
	for (size_t k = 0; k < len; k += 8)
		memcpy(b + n + k, src + k, 8);
	n += len;
	b[n++] = ':';
	n += qop_part(d, b + n);
	memcpy(b + n, ha2, SW_SIP_MD5_HEX);
	n += SW_SIP_MD5_HEX;
	b[n] = 0x80;
	bits = (uint64_t)(n + (d->has_mid ? 64 : 0)) * 8;
	memcpy(b + nblk * 64 - 8, &bits, 8); /* little-endian host, as md5_pad */
}

/* one group of up to 16 MD5 lanes with a saved state and nblk (1 or 2) tail blocks */
static void
burst_x16(struct sw_sip_digest *const *d, const char *const *ha2, const uint32_t *cnonce,
          char *const *out, unsigned n, unsigned nblk)
{
	uint8_t blk[BURST_LANES][BURST_STRIDE];
	uint32_t st[4][BURST_LANES];
	unsigned lanes = n <= 8 ? 8 : BURST_LANES; /* the lanes md5_lanes() reads */

	for (unsigned l = 0; l < lanes; l++) {
		if (l < n) {
			burst_input(d[l], ha2[l], cnonce[l], blk[l], nblk);
			for (int i = 0; i < 4; i++)
				st[i][l] = d[l]->has_mid ? d[l]->mid[i] : md5_iv[i];
		} else {
			/* unused lanes hash zeros; their result is dropped */
			memset(blk[l], 0, sizeof(blk[l]));
			for (int i = 0; i < 4; i++)
				st[i][l] = 0;
		}
	}
	md5_lanes(st, (const uint8_t(*)[BURST_STRIDE])blk, nblk, n);
	for (unsigned l = 0; l < n; l++) {
		uint32_t h[4] = {st[0][l], st[1][l], st[2][l], st[3][l]};
		sw_sip_hex16(out[l], (const uint8_t *)h);
	}
}

/* one 64-byte block from the start (MD5's IV) in each of n <= 16 lanes; the A, B, C, D after
 * it into h[l] (not the digest of anything unless the block is padded) */
static void
first_block_x16(uint8_t blk[BURST_LANES][BURST_STRIDE], unsigned n, uint32_t h[][4])
{
	uint32_t st[4][BURST_LANES];
	unsigned lanes = n <= 8 ? 8 : BURST_LANES; /* the lanes md5_lanes() reads */

	for (unsigned l = 0; l < lanes; l++)
		for (int i = 0; i < 4; i++)
			st[i][l] = l < n ? md5_iv[i] : 0;
	for (unsigned l = n; l < lanes; l++)
		memset(blk[l], 0, 64); /* unused lanes hash zeros; their result is dropped */
	md5_lanes(st, (const uint8_t(*)[BURST_STRIDE])blk, 1, n);
	for (unsigned l = 0; l < n; l++)
		for (int i = 0; i < 4; i++)
			h[l][i] = st[i][l];
}

/* HA1 of up to 16 lanes whose "user:realm:password" fit one padded block (55 bytes) */
static void
ha1_x16(struct sw_sip_digest *const *d, const struct sw_sip_cstr *const *cred, unsigned n)
{
	uint8_t blk[BURST_LANES][BURST_STRIDE];
	uint32_t h[BURST_LANES][4];

	for (unsigned l = 0; l < n; l++) {
		const struct sw_sip_cstr *c = cred[l];
		uint8_t *b = blk[l];
		size_t len = 0;
		uint64_t bits;

		/* join3() and md5_pad() with fixed-size moves: the block zeroed whole (a constant
		 * size: two stores), the three short strings by overlapping moves (55 bytes in
		 * all at most, checked by the caller), no libc call */
		memset(b, 0, 64);
		sw_copy_exact(b, c[0].p, c[0].len);
		len += c[0].len;
		b[len++] = ':';
		sw_copy_exact(b + len, c[1].p, c[1].len);
		len += c[1].len;
		b[len++] = ':';
		sw_copy_exact(b + len, c[2].p, c[2].len);
		len += c[2].len;
		bits = (uint64_t)len * 8;
		b[len] = 0x80;
		memcpy(blk[l] + 56, &bits, 8); /* little-endian host, as md5_pad */
	}
	first_block_x16(blk, n, h);
	for (unsigned l = 0; l < n; l++)
		sw_sip_hex16(d[l]->ha1, (const uint8_t *)h[l]);
}

/* the saved state (save_mid) of up to 16 lanes: "HA1:" and 31 nonce characters, one block */
static void
mid_x16(struct sw_sip_digest *const *d, unsigned n)
{
	uint8_t blk[BURST_LANES][BURST_STRIDE];
	uint32_t h[BURST_LANES][4];

	for (unsigned l = 0; l < n; l++) {
		memcpy(blk[l], d[l]->ha1, SW_SIP_MD5_HEX);
		blk[l][SW_SIP_MD5_HEX] = ':';
		memcpy(blk[l] + SW_SIP_MD5_HEX + 1, d[l]->nonce, 64 - SW_SIP_MD5_HEX - 1);
	}
	first_block_x16(blk, n, h);
	for (unsigned l = 0; l < n; l++) {
		memcpy(d[l]->mid, h[l], sizeof(d[l]->mid));
		d[l]->has_mid = 1;
	}
}
#endif

/* a state waiting for its HA1, and user, realm and password within sw_sip_digest_ha1()'s limits */
static inline int
ha1_input_ok(const struct sw_sip_digest *d, const struct sw_sip_cstr *c)
{
	return sw_sip_digest_ha1_pending(d) && c[0].len <= 256 && c[1].len <= 256 &&
	       c[2].len <= 256;
}

/* the scalar way for one pending state: what sw_sip_digest_ha1() and accept() would do */
static void
ha1_one(struct sw_sip_digest *d, const struct sw_sip_cstr *c)
{
	sw_sip_digest_ha1(SW_SIP_ALGO_MD5, c[0].p, c[0].len, c[1].p, c[1].len, c[2].p, c[2].len,
	                  d->ha1);
	save_mid(d);
}

int
sw_sip_digest_ha1_burst(struct sw_sip_digest *const *d, const struct sw_sip_cstr *cred, unsigned n)
{
	int rc = 0;
#ifdef __AVX2__
	struct sw_sip_digest *gd[BURST_LANES];
	const struct sw_sip_cstr *gc[BURST_LANES];
	unsigned g = 0;

	/* HA1 first, all lanes that fit one block; the saved states need the HA1s */
	for (unsigned k = 0; k < n; k++) {
		const struct sw_sip_cstr *c = &cred[3 * (size_t)k];

		if (!ha1_input_ok(d[k], c)) {
			rc = -EINVAL;
			continue;
		}
		if ((size_t)c[0].len + c[1].len + c[2].len + 2 > 55) {
			ha1_one(d[k], c);
			continue;
		}
		gd[g] = d[k];
		gc[g] = c;
		if (++g == BURST_LANES) {
			ha1_x16(gd, gc, g);
			g = 0;
		}
	}
	if (g > 1) {
		ha1_x16(gd, gc, g);
	} else if (g == 1) {
		sw_sip_digest_ha1(SW_SIP_ALGO_MD5, gc[0][0].p, gc[0][0].len, gc[0][1].p,
		                  gc[0][1].len, gc[0][2].p, gc[0][2].len, gd[0]->ha1);
	}
	/* then the saved states of those that want one and have none yet */
	g = 0;
	for (unsigned k = 0; k < n; k++) {
		if (sw_sip_digest_ha1_pending(d[k]) || d[k]->has_mid || !mid_wanted(d[k]))
			continue;
		gd[g] = d[k];
		if (++g == BURST_LANES) {
			mid_x16(gd, g);
			g = 0;
		}
	}
	if (g > 1)
		mid_x16(gd, g);
	else if (g == 1)
		save_mid(gd[0]);
#else
	for (unsigned k = 0; k < n; k++) {
		const struct sw_sip_cstr *c = &cred[3 * (size_t)k];

		if (!ha1_input_ok(d[k], c)) {
			rc = -EINVAL;
			continue;
		}
		ha1_one(d[k], c);
	}
#endif
	return rc;
}

#ifdef __AVX2__ /* the bursts are AVX2 only */
/*
 * The blocks a burst lane hashes: after the saved state, or from the start for an MD5 line
 * without one (a nonce under 31 characters); bytes + 0x80 + 8-byte length, rounded up to 64.
 * 0 when the line is not for a burst (SHA-256, or more than two blocks).
 */
static unsigned
burst_blocks(const struct sw_sip_digest *d)
{
	size_t n;

	if (d->has_mid)
		n = (size_t)d->nonce_len - (64 - SW_SIP_MD5_HEX - 1);
	else if (d->hex_len == SW_SIP_MD5_HEX)
		n = SW_SIP_MD5_HEX + 1 + (size_t)d->nonce_len;
	else
		return 0;
	n += 1 + SW_SIP_MD5_HEX + (d->qop ? 23 : 0);
	n = (n + 9 + 63) / 64;
	return n <= 2 ? (unsigned)n : 0;
}
#endif

int
sw_sip_digest_burstable(const struct sw_sip_digest *d)
{
#ifdef __AVX2__
	return burst_blocks(d) != 0;
#else
	(void)d;
	return 0;
#endif
}

void
sw_sip_digest_response_burst(struct sw_sip_digest *const *d, const char *const *ha2,
                             const uint32_t *cnonce, char *const *out, unsigned n)
{
#ifdef __AVX2__
	struct sw_sip_digest *gd[BURST_LANES];
	const char *gh[BURST_LANES];
	uint32_t gc[BURST_LANES];
	char *go[BURST_LANES];

	for (unsigned nblk = 1; nblk <= 2; nblk++) {
		unsigned g = 0;
		for (unsigned i = 0; i < n; i++) {
			if (burst_blocks(d[i]) != nblk)
				continue;
			gd[g] = d[i];
			gh[g] = ha2[i];
			gc[g] = cnonce[i];
			go[g] = out[i];
			if (++g == BURST_LANES) {
				burst_x16(gd, gh, gc, go, g, nblk);
				g = 0;
			}
		}
		if (g > 1)
			burst_x16(gd, gh, gc, go, g, nblk);
		else if (g == 1)
			sw_sip_digest_response(gd[0], gh[0], gc[0], go[0]);
	}
	for (unsigned i = 0; i < n; i++)
		if (burst_blocks(d[i]) == 0)
			sw_sip_digest_response(d[i], ha2[i], cnonce[i], out[i]);
#else
	for (unsigned i = 0; i < n; i++)
		sw_sip_digest_response(d[i], ha2[i], cnonce[i], out[i]);
#endif
}

#pragma GCC diagnostic pop
