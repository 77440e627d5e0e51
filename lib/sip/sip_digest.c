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
 * OpenSSL 3 but present and documented; the warning is silenced in this file only.
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

static int
hash_hex(enum sw_sip_digest_algo algo, const void *p, size_t n, char *out)
{
	uint8_t md[32];
	unsigned int mdlen = 0;

	switch (algo) {
	case SW_SIP_ALGO_MD5:
	case SW_SIP_ALGO_MD5_SESS:
		MD5(p, n, md);
		sw_sip_hex(out, md, 16);
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
	if (d->hex_len == SW_SIP_MD5_HEX && d->nonce_len >= 64 - SW_SIP_MD5_HEX - 1) {
		MD5_CTX cx;
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
	return 0;
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
	if (d->qop) {
		sw_sip_hex32((char *)buf + n, d->nc);
		buf[n + 8] = ':';
		sw_sip_hex32((char *)buf + n + 9, d->cnonce);
		memcpy(buf + n + 17, ":auth:", 6);
		n += 23;
	}
	memcpy(buf + n, ha2, d->hex_len);
	return n + d->hex_len;
}

void
sw_sip_digest_response(struct sw_sip_digest *d, const char *ha2, uint32_t cnonce, char *out)
{
	/* HA1 ":" nonce ":" nc ":" cnonce ":auth:" HA2, at most 64+1+128+1+8+1+8+6+64 bytes */
	uint8_t buf[320];
	size_t n = response_input(d, ha2, cnonce, buf);

	if (d->hex_len == SW_SIP_MD5_HEX) {
		MD5_CTX cx;
		uint8_t md[16];

		if (d->has_mid) {
			/* the state after one block: 512 bits hashed, nothing buffered */
			memset(&cx, 0, sizeof(cx));
			cx.A = d->mid[0];
			cx.B = d->mid[1];
			cx.C = d->mid[2];
			cx.D = d->mid[3];
			cx.Nl = 512;
		} else {
			MD5_Init(&cx);
		}
		MD5_Update(&cx, buf, n);
		MD5_Final(md, &cx);
		sw_sip_hex(out, md, 16);
	} else {
		hash_hex((enum sw_sip_digest_algo)d->algo, buf, n, out);
	}
}

#ifdef __AVX2__
/*
 * Multi-buffer MD5 (RFC 1321) over 8 lanes with AVX2: the same steps as the scalar function,
 * each 32-bit word holding one line's value, so 8 responses cost about as much as two or
 * three scalar ones. Lanes start from their saved state and hash the same number of blocks.
 */
#define VROTL(x, s) _mm256_or_si256(_mm256_slli_epi32((x), (s)), _mm256_srli_epi32((x), 32 - (s)))
#define VF(x, y, z) _mm256_xor_si256((z), _mm256_and_si256((x), _mm256_xor_si256((y), (z))))
#define VG(x, y, z) _mm256_xor_si256((y), _mm256_and_si256((z), _mm256_xor_si256((x), (y))))
#define VH(x, y, z) _mm256_xor_si256(_mm256_xor_si256((x), (y)), (z))
#define VI(x, y, z) _mm256_xor_si256((y), _mm256_or_si256((x), _mm256_xor_si256((z), ones)))
#define VSTEP(f, a, b, c, d, x, t, s)                                                              \
	do {                                                                                       \
		(a) = _mm256_add_epi32((a), _mm256_add_epi32((x), _mm256_set1_epi32((int)(t))));   \
		(a) = _mm256_add_epi32((a), f((b), (c), (d)));                                     \
		(a) = VROTL((a), (s));                                                             \
		(a) = _mm256_add_epi32((a), (b));                                                  \
	} while (0)

/* blk: 8 lanes x nblk x 64 bytes, lane-major; st: A, B, C, D of each lane in and out */
static void
md5_x8(uint32_t st[4][8], const uint8_t *blk, unsigned nblk)
{
	const __m256i ones = _mm256_set1_epi32(-1);
	const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	const __m256i stride = _mm256_mullo_epi32(lane, _mm256_set1_epi32((int)(nblk * 16)));
	__m256i a = _mm256_loadu_si256((const __m256i *)st[0]);
	__m256i b = _mm256_loadu_si256((const __m256i *)st[1]);
	__m256i c = _mm256_loadu_si256((const __m256i *)st[2]);
	__m256i d = _mm256_loadu_si256((const __m256i *)st[3]);

	for (unsigned k = 0; k < nblk; k++) {
		__m256i w[16], a0 = a, b0 = b, c0 = c, d0 = d;
		for (int i = 0; i < 16; i++)
			w[i] = _mm256_i32gather_epi32(
			        (const int *)(const void *)(blk + 64 * k + 4 * i), stride, 4);
		VSTEP(VF, a, b, c, d, w[0], 0xd76aa478u, 7);
		VSTEP(VF, d, a, b, c, w[1], 0xe8c7b756u, 12);
		VSTEP(VF, c, d, a, b, w[2], 0x242070dbu, 17);
		VSTEP(VF, b, c, d, a, w[3], 0xc1bdceeeu, 22);
		VSTEP(VF, a, b, c, d, w[4], 0xf57c0fafu, 7);
		VSTEP(VF, d, a, b, c, w[5], 0x4787c62au, 12);
		VSTEP(VF, c, d, a, b, w[6], 0xa8304613u, 17);
		VSTEP(VF, b, c, d, a, w[7], 0xfd469501u, 22);
		VSTEP(VF, a, b, c, d, w[8], 0x698098d8u, 7);
		VSTEP(VF, d, a, b, c, w[9], 0x8b44f7afu, 12);
		VSTEP(VF, c, d, a, b, w[10], 0xffff5bb1u, 17);
		VSTEP(VF, b, c, d, a, w[11], 0x895cd7beu, 22);
		VSTEP(VF, a, b, c, d, w[12], 0x6b901122u, 7);
		VSTEP(VF, d, a, b, c, w[13], 0xfd987193u, 12);
		VSTEP(VF, c, d, a, b, w[14], 0xa679438eu, 17);
		VSTEP(VF, b, c, d, a, w[15], 0x49b40821u, 22);
		VSTEP(VG, a, b, c, d, w[1], 0xf61e2562u, 5);
		VSTEP(VG, d, a, b, c, w[6], 0xc040b340u, 9);
		VSTEP(VG, c, d, a, b, w[11], 0x265e5a51u, 14);
		VSTEP(VG, b, c, d, a, w[0], 0xe9b6c7aau, 20);
		VSTEP(VG, a, b, c, d, w[5], 0xd62f105du, 5);
		VSTEP(VG, d, a, b, c, w[10], 0x02441453u, 9);
		VSTEP(VG, c, d, a, b, w[15], 0xd8a1e681u, 14);
		VSTEP(VG, b, c, d, a, w[4], 0xe7d3fbc8u, 20);
		VSTEP(VG, a, b, c, d, w[9], 0x21e1cde6u, 5);
		VSTEP(VG, d, a, b, c, w[14], 0xc33707d6u, 9);
		VSTEP(VG, c, d, a, b, w[3], 0xf4d50d87u, 14);
		VSTEP(VG, b, c, d, a, w[8], 0x455a14edu, 20);
		VSTEP(VG, a, b, c, d, w[13], 0xa9e3e905u, 5);
		VSTEP(VG, d, a, b, c, w[2], 0xfcefa3f8u, 9);
		VSTEP(VG, c, d, a, b, w[7], 0x676f02d9u, 14);
		VSTEP(VG, b, c, d, a, w[12], 0x8d2a4c8au, 20);
		VSTEP(VH, a, b, c, d, w[5], 0xfffa3942u, 4);
		VSTEP(VH, d, a, b, c, w[8], 0x8771f681u, 11);
		VSTEP(VH, c, d, a, b, w[11], 0x6d9d6122u, 16);
		VSTEP(VH, b, c, d, a, w[14], 0xfde5380cu, 23);
		VSTEP(VH, a, b, c, d, w[1], 0xa4beea44u, 4);
		VSTEP(VH, d, a, b, c, w[4], 0x4bdecfa9u, 11);
		VSTEP(VH, c, d, a, b, w[7], 0xf6bb4b60u, 16);
		VSTEP(VH, b, c, d, a, w[10], 0xbebfbc70u, 23);
		VSTEP(VH, a, b, c, d, w[13], 0x289b7ec6u, 4);
		VSTEP(VH, d, a, b, c, w[0], 0xeaa127fau, 11);
		VSTEP(VH, c, d, a, b, w[3], 0xd4ef3085u, 16);
		VSTEP(VH, b, c, d, a, w[6], 0x04881d05u, 23);
		VSTEP(VH, a, b, c, d, w[9], 0xd9d4d039u, 4);
		VSTEP(VH, d, a, b, c, w[12], 0xe6db99e5u, 11);
		VSTEP(VH, c, d, a, b, w[15], 0x1fa27cf8u, 16);
		VSTEP(VH, b, c, d, a, w[2], 0xc4ac5665u, 23);
		VSTEP(VI, a, b, c, d, w[0], 0xf4292244u, 6);
		VSTEP(VI, d, a, b, c, w[7], 0x432aff97u, 10);
		VSTEP(VI, c, d, a, b, w[14], 0xab9423a7u, 15);
		VSTEP(VI, b, c, d, a, w[5], 0xfc93a039u, 21);
		VSTEP(VI, a, b, c, d, w[12], 0x655b59c3u, 6);
		VSTEP(VI, d, a, b, c, w[3], 0x8f0ccc92u, 10);
		VSTEP(VI, c, d, a, b, w[10], 0xffeff47du, 15);
		VSTEP(VI, b, c, d, a, w[1], 0x85845dd1u, 21);
		VSTEP(VI, a, b, c, d, w[8], 0x6fa87e4fu, 6);
		VSTEP(VI, d, a, b, c, w[15], 0xfe2ce6e0u, 10);
		VSTEP(VI, c, d, a, b, w[6], 0xa3014314u, 15);
		VSTEP(VI, b, c, d, a, w[13], 0x4e0811a1u, 21);
		VSTEP(VI, a, b, c, d, w[4], 0xf7537e82u, 6);
		VSTEP(VI, d, a, b, c, w[11], 0xbd3af235u, 10);
		VSTEP(VI, c, d, a, b, w[2], 0x2ad7d2bbu, 15);
		VSTEP(VI, b, c, d, a, w[9], 0xeb86d391u, 21);
		a = _mm256_add_epi32(a, a0);
		b = _mm256_add_epi32(b, b0);
		c = _mm256_add_epi32(c, c0);
		d = _mm256_add_epi32(d, d0);
	}
	_mm256_storeu_si256((__m256i *)st[0], a);
	_mm256_storeu_si256((__m256i *)st[1], b);
	_mm256_storeu_si256((__m256i *)st[2], c);
	_mm256_storeu_si256((__m256i *)st[3], d);
}

/* one group of up to 8 MD5 lanes with a saved state and nblk tail blocks */
static void
burst_x8(struct sw_sip_digest *const *d, const char *const *ha2, const uint32_t *cnonce,
         char *const *out, unsigned n, unsigned nblk)
{
	uint8_t blk[8][2 * 64];
	uint32_t st[4][8];

	memset(st, 0, sizeof(st));
	for (unsigned l = 0; l < 8; l++) {
		if (l < n) {
			size_t len = response_input(d[l], ha2[l], cnonce[l], blk[l]);
			uint64_t bits = (uint64_t)(len + 64) * 8;
			blk[l][len] = 0x80;
			memset(blk[l] + len + 1, 0, nblk * 64 - len - 1 - 8);
			memcpy(blk[l] + nblk * 64 - 8, &bits, 8);
			for (int i = 0; i < 4; i++)
				st[i][l] = d[l]->mid[i];
		} else {
			memset(blk[l], 0, sizeof(blk[l]));
		}
	}
	if (nblk == 1) {
		/* lanes are 128 bytes apart: pack them 64 apart for the gather stride */
		uint8_t one[8][64];
		for (unsigned l = 0; l < 8; l++)
			memcpy(one[l], blk[l], 64);
		md5_x8(st, one[0], 1);
	} else {
		md5_x8(st, blk[0], 2);
	}
	for (unsigned l = 0; l < n; l++) {
		uint32_t h[4] = {st[0][l], st[1][l], st[2][l], st[3][l]};
		sw_sip_hex(out[l], (const uint8_t *)h, 16);
	}
}
#endif

/* tail blocks after the saved state: bytes + 0x80 + 8-byte length, rounded up to 64 */
static unsigned
tail_blocks(const struct sw_sip_digest *d)
{
	size_t n = (size_t)d->nonce_len - (64 - SW_SIP_MD5_HEX - 1) + 1 + SW_SIP_MD5_HEX +
	           (d->qop ? 23 : 0);
	return (unsigned)((n + 9 + 63) / 64);
}

void
sw_sip_digest_response_burst(struct sw_sip_digest *const *d, const char *const *ha2,
                             const uint32_t *cnonce, char *const *out, unsigned n)
{
#ifdef __AVX2__
	struct sw_sip_digest *gd[8];
	const char *gh[8];
	uint32_t gc[8];
	char *go[8];

	for (unsigned nblk = 1; nblk <= 2; nblk++) {
		unsigned g = 0;
		for (unsigned i = 0; i < n; i++) {
			if (!d[i]->has_mid || tail_blocks(d[i]) != nblk)
				continue;
			gd[g] = d[i];
			gh[g] = ha2[i];
			gc[g] = cnonce[i];
			go[g] = out[i];
			if (++g == 8) {
				burst_x8(gd, gh, gc, go, g, nblk);
				g = 0;
			}
		}
		if (g > 1)
			burst_x8(gd, gh, gc, go, g, nblk);
		else if (g == 1)
			sw_sip_digest_response(gd[0], gh[0], gc[0], go[0]);
	}
	for (unsigned i = 0; i < n; i++)
		if (!d[i]->has_mid || tail_blocks(d[i]) > 2)
			sw_sip_digest_response(d[i], ha2[i], cnonce[i], out[i]);
#else
	for (unsigned i = 0; i < n; i++)
		sw_sip_digest_response(d[i], ha2[i], cnonce[i], out[i]);
#endif
}

#pragma GCC diagnostic pop
