/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The token in Via branch, Call-ID and tags: worker (8 bits), line (32), transaction (24) and
 * a 32-bit MAC, as 16 base64url characters. The MAC is SipHash-2-4 (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", 2012) keyed by a per-run secret over the payload and the
 * kind, so a token from another run, another place in the message or made up by a peer fails
 * the check. Written here rather than with OpenSSL's EVP_MAC "SIPHASH" because that API
 * allocates and dispatches per call, too slow for every received datagram.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#ifdef __AVX2__
#include <immintrin.h>
#elif defined(__SSSE3__)
#include <tmmintrin.h>
#endif

#include "sw_sip.h"

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = ROTL64(v1, 13);                                                               \
		v1 ^= v0;                                                                          \
		v0 = ROTL64(v0, 32);                                                               \
		v2 += v3;                                                                          \
		v3 = ROTL64(v3, 16);                                                               \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = ROTL64(v3, 21);                                                               \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = ROTL64(v1, 17);                                                               \
		v1 ^= v2;                                                                          \
		v2 = ROTL64(v2, 32);                                                               \
	} while (0)

uint64_t
sw_sip_siphash(const struct sw_sip_token_key *key, const void *p, size_t n)
{
	uint64_t v0 = key->k0 ^ UINT64_C(0x736f6d6570736575);
	uint64_t v1 = key->k1 ^ UINT64_C(0x646f72616e646f6d);
	uint64_t v2 = key->k0 ^ UINT64_C(0x6c7967656e657261);
	uint64_t v3 = key->k1 ^ UINT64_C(0x7465646279746573);
	const uint8_t *b = p;
	uint64_t m, last = (uint64_t)n << 56;

	if (n >= 8) {
		memcpy(&m, b, 8); /* little-endian host */
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
		b += 8;
		n -= 8;
	}
	for (size_t i = 0; i < n && i < 7; i++)
		last |= (uint64_t)b[i] << (8 * i);
	v3 ^= last;
	SIPROUND;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * The MAC of a Via branch is the low half of SipHash(payload, 0); a Call-ID and a tag share
 * one SipHash(payload, 0x80): the Call-ID takes the low half, the tag the high half. Both are
 * halves of one PRF output, so neither tells anything about the other, and a leg's Call-ID
 * and From tag (always made together) cost one SipHash instead of two.
 */
static inline uint64_t
mac64(const struct sw_sip_token_key *key, uint8_t domain, uint64_t payload)
{
	/* sw_sip_siphash() of the 9 bytes payload (little-endian) + domain, unrolled for that
	 * length: one block, then the last word (length 9 in its top byte, the domain byte) */
	uint64_t v0 = key->k0 ^ UINT64_C(0x736f6d6570736575);
	uint64_t v1 = key->k1 ^ UINT64_C(0x646f72616e646f6d);
	uint64_t v2 = key->k0 ^ UINT64_C(0x6c7967656e657261);
	uint64_t v3 = key->k1 ^ UINT64_C(0x7465646279746573);
	const uint64_t last = (uint64_t)9 << 56 | domain;

	v3 ^= payload;
	SIPROUND;
	SIPROUND;
	v0 ^= payload;
	v3 ^= last;
	SIPROUND;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

#ifdef __AVX2__
#define ROTLV(x, b) _mm256_or_si256(_mm256_slli_epi64(x, b), _mm256_srli_epi64(x, 64 - (b)))
#define ROTLV32(x)  _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1))
#define SIPROUNDV                                                                                  \
	do {                                                                                       \
		v0 = _mm256_add_epi64(v0, v1);                                                     \
		v1 = ROTLV(v1, 13);                                                                \
		v1 = _mm256_xor_si256(v1, v0);                                                     \
		v0 = ROTLV32(v0);                                                                  \
		v2 = _mm256_add_epi64(v2, v3);                                                     \
		v3 = _mm256_shuffle_epi8(v3, rot16);                                               \
		v3 = _mm256_xor_si256(v3, v2);                                                     \
		v0 = _mm256_add_epi64(v0, v3);                                                     \
		v3 = ROTLV(v3, 21);                                                                \
		v3 = _mm256_xor_si256(v3, v0);                                                     \
		v2 = _mm256_add_epi64(v2, v1);                                                     \
		v1 = ROTLV(v1, 17);                                                                \
		v1 = _mm256_xor_si256(v1, v2);                                                     \
		v2 = ROTLV32(v2);                                                                  \
	} while (0)

/* mac64() of four payloads at once, one per 64-bit lane of AVX2 (no 64-bit rotate before
 * AVX-512: two shifts and an or, a byte shuffle for 16, a dword shuffle for 32): about a third
 * of the instructions of four scalar hashes. The same rounds, so the same MACs. */
static void
mac64_x4(const struct sw_sip_token_key *key, uint8_t domain, const uint64_t payload[4],
         uint64_t out[4])
{
	const __m256i rot16 =
	        _mm256_setr_epi8(6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13, 6, 7, 0, 1,
	                         2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13);
	__m256i v0 = _mm256_set1_epi64x((long long)(key->k0 ^ UINT64_C(0x736f6d6570736575)));
	__m256i v1 = _mm256_set1_epi64x((long long)(key->k1 ^ UINT64_C(0x646f72616e646f6d)));
	__m256i v2 = _mm256_set1_epi64x((long long)(key->k0 ^ UINT64_C(0x6c7967656e657261)));
	__m256i v3 = _mm256_set1_epi64x((long long)(key->k1 ^ UINT64_C(0x7465646279746573)));
	const __m256i m = _mm256_loadu_si256((const __m256i *)(const void *)payload);
	const __m256i last = _mm256_set1_epi64x((long long)((uint64_t)9 << 56 | domain));

	v3 = _mm256_xor_si256(v3, m);
	SIPROUNDV;
	SIPROUNDV;
	v0 = _mm256_xor_si256(v0, m);
	v3 = _mm256_xor_si256(v3, last);
	SIPROUNDV;
	SIPROUNDV;
	v0 = _mm256_xor_si256(v0, last);
	v2 = _mm256_xor_si256(v2, _mm256_set1_epi64x(0xff));
	SIPROUNDV;
	SIPROUNDV;
	SIPROUNDV;
	SIPROUNDV;
	_mm256_storeu_si256((__m256i *)(void *)out,
	                    _mm256_xor_si256(_mm256_xor_si256(v0, v1), _mm256_xor_si256(v2, v3)));
}
#endif

/* mac64() of n payloads: four lanes at a time where the build has AVX2, a single one alone */
static void
mac64_burst(const struct sw_sip_token_key *key, uint8_t domain, const uint64_t *payload,
            unsigned int n, uint64_t *out)
{
	unsigned int k = 0;

#ifdef __AVX2__
	for (; k + 4 <= n; k += 4)
		mac64_x4(key, domain, payload + k, out + k);
	if (n - k >= 2) {
		uint64_t p[4] = {0}, o[4];

		memcpy(p, payload + k, (n - k) * sizeof(*p));
		mac64_x4(key, domain, p, o);
		memcpy(out + k, o, (n - k) * sizeof(*o));
		return;
	}
#endif
	for (; k < n; k++)
		out[k] = mac64(key, domain, payload[k]);
}

static inline uint32_t
mac32(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind, uint64_t payload)
{
	if (kind == SW_SIP_TOKEN_BRANCH)
		return (uint32_t)mac64(key, 0, payload);
	uint64_t m = mac64(key, 0x80, payload);

	return kind == SW_SIP_TOKEN_TAG ? (uint32_t)(m >> 32) : (uint32_t)m;
}

static inline uint64_t
payload_of(const struct sw_sip_token *t)
{
	return (uint64_t)t->worker << 56 | (uint64_t)t->line << 24 | (t->txn & 0xffffffu);
}

#ifdef __SSSE3__
/*
 * The 96 bits as 12 big-endian bytes through base64url with SSE (the multiply-shift method of
 * W. Mula and D. Lemire, "Faster Base64 Encoding and Decoding Using AVX2 Instructions",
 * ACM TWEB 2018): the same characters as the scalar loop below, in a handful of instructions;
 * three tokens are written for every REGISTER.
 */
static void
put_token(uint64_t payload, uint32_t mac, char *out)
{
	uint8_t in[16];
	uint64_t be = __builtin_bswap64(payload);
	uint32_t bm = __builtin_bswap32(mac);

	memcpy(in, &be, 8);
	memcpy(in + 8, &bm, 4);
	memset(in + 12, 0, 4);
	__m128i v = _mm_loadu_si128((const __m128i *)in);
	/* each 3 bytes a b c -> b a c b, so that every 6-bit field sits in one 16-bit lane */
	v = _mm_shuffle_epi8(v, _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
	__m128i hi = _mm_mulhi_epu16(_mm_and_si128(v, _mm_set1_epi32(0x0fc0fc00)),
	                             _mm_set1_epi32(0x04000040));
	__m128i lo = _mm_mullo_epi16(_mm_and_si128(v, _mm_set1_epi32(0x003f03f0)),
	                             _mm_set1_epi32(0x01000010));
	__m128i idx = _mm_or_si128(hi, lo); /* 16 values 0..63 in order */
	/* class: 13 for A-Z (0..25), 0 for a-z (26..51), 1..10 for digits, 11 '-', 12 '_' */
	__m128i cls = _mm_subs_epu8(idx, _mm_set1_epi8(51));
	cls = _mm_or_si128(
	        cls, _mm_and_si128(_mm_cmpgt_epi8(_mm_set1_epi8(26), idx), _mm_set1_epi8(13)));
	__m128i shift = _mm_shuffle_epi8(
	        _mm_setr_epi8(71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -17, 32, 65, 0, 0), cls);
	_mm_storeu_si128((__m128i *)(void *)out, _mm_add_epi8(idx, shift));
}
#else
static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
put_token(uint64_t payload, uint32_t mac, char *out)
{
	/* 96 bits, most significant first: 64 payload then 32 MAC; 16 x 6 bits */
	for (int i = 0; i < 10; i++)
		out[i] = b64[(payload >> (58 - 6 * i)) & 63];
	out[10] = b64[((payload & 0xf) << 2) | (mac >> 30)];
	for (int i = 0; i < 5; i++)
		out[11 + i] = b64[(mac >> (24 - 6 * i)) & 63];
}
#endif

#ifdef __AVX2__
/* put_token() twice, one token per 128-bit lane of AVX2: the same steps on both lanes at
 * once (every REGISTER writes its Call-ID and From tag, a burst its branches) */
static void
put_token_pair(uint64_t payload0, uint32_t mac0, uint64_t payload1, uint32_t mac1, char *out0,
               char *out1)
{
	/* per lane, as put_token()'s buffer: the 8 payload bytes, the 4 MAC bytes, 4 zeros */
	__m256i v = _mm256_set_epi64x(
	        (long long)__builtin_bswap32(mac1), (long long)__builtin_bswap64(payload1),
	        (long long)__builtin_bswap32(mac0), (long long)__builtin_bswap64(payload0));

	v = _mm256_shuffle_epi8(v, _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11,
	                                            10, 1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9,
	                                            11, 10));
	__m256i hi = _mm256_mulhi_epu16(_mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00)),
	                                _mm256_set1_epi32(0x04000040));
	__m256i lo = _mm256_mullo_epi16(_mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0)),
	                                _mm256_set1_epi32(0x01000010));
	__m256i idx = _mm256_or_si256(hi, lo);
	__m256i cls = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
	cls = _mm256_or_si256(cls, _mm256_and_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(26), idx),
	                                            _mm256_set1_epi8(13)));
	__m256i shift = _mm256_shuffle_epi8(
	        _mm256_setr_epi8(71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -17, 32, 65, 0, 0, 71,
	                         -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -17, 32, 65, 0, 0),
	        cls);
	__m256i r = _mm256_add_epi8(idx, shift);

	_mm_storeu_si128((__m128i *)(void *)out0, _mm256_castsi256_si128(r));
	_mm_storeu_si128((__m128i *)(void *)out1, _mm256_extracti128_si256(r, 1));
}
#else
static void
put_token_pair(uint64_t payload0, uint32_t mac0, uint64_t payload1, uint32_t mac1, char *out0,
               char *out1)
{
	put_token(payload0, mac0, out0);
	put_token(payload1, mac1, out1);
}
#endif

void
sw_sip_token_encode(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind,
                    const struct sw_sip_token *t, char *out)
{
	uint64_t payload = payload_of(t);

	put_token(payload, mac32(key, kind, payload), out);
}

uint32_t
sw_sip_token_encode_mac(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind,
                        const struct sw_sip_token *t, char *out)
{
	uint64_t payload = payload_of(t);
	uint32_t mac = mac32(key, kind, payload);

	put_token(payload, mac, out);
	return mac;
}

uint64_t
sw_sip_token_dialog_mac(const struct sw_sip_token_key *key, const struct sw_sip_token *t)
{
	return mac64(key, 0x80, payload_of(t));
}

void
sw_sip_token_dialog_mac_burst(const struct sw_sip_token_key *key, const struct sw_sip_token *t,
                              unsigned int n, uint64_t *mac)
{
	uint64_t payload[SW_SIP_TOKEN_BURST] = {0};

	if (n > SW_SIP_TOKEN_BURST)
		n = SW_SIP_TOKEN_BURST;
	for (unsigned int k = 0; k < n; k++)
		payload[k] = payload_of(&t[k]);
	mac64_burst(key, 0x80, payload, n, mac);
}

void
sw_sip_token_encode_mac_burst(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind,
                              const struct sw_sip_token *t, unsigned int n,
                              char (*out)[SW_SIP_TOKEN_LEN], uint32_t *mac)
{
	uint64_t payload[SW_SIP_TOKEN_BURST] = {0}, m[SW_SIP_TOKEN_BURST];

	if (n > SW_SIP_TOKEN_BURST)
		n = SW_SIP_TOKEN_BURST;
	for (unsigned int k = 0; k < n; k++)
		payload[k] = payload_of(&t[k]);
	/* mac32(): a branch is the low half of domain 0, a Call-ID the low and a tag the high
	 * half of domain 0x80 */
	mac64_burst(key, kind == SW_SIP_TOKEN_BRANCH ? 0 : 0x80, payload, n, m);
	for (unsigned int k = 0; k < n; k++)
		mac[k] = kind == SW_SIP_TOKEN_TAG ? (uint32_t)(m[k] >> 32) : (uint32_t)m[k];
	unsigned int k = 0;

	for (; k + 2 <= n; k += 2)
		put_token_pair(payload[k], mac[k], payload[k + 1], mac[k + 1], out[k], out[k + 1]);
	if (k < n)
		put_token(payload[k], mac[k], out[k]);
}

void
sw_sip_token_put_dialog(const struct sw_sip_token *t, uint64_t mac, char *call_id, char *tag)
{
	uint64_t payload = payload_of(t);

	put_token_pair(payload, (uint32_t)mac, payload, (uint32_t)(mac >> 32), call_id, tag);
}

void
sw_sip_token_encode_dialog(const struct sw_sip_token_key *key, const struct sw_sip_token *t,
                           char *call_id, char *tag)
{
	uint64_t payload = payload_of(t);
	uint64_t m = mac64(key, 0x80, payload);

	put_token_pair(payload, (uint32_t)m, payload, (uint32_t)(m >> 32), call_id, tag);
}

#ifdef __SSSE3__
/*
 * put_token() backwards: the 16 characters to their 6-bit values by character ranges (a byte
 * outside A-Z a-z 0-9 - _ fails, 0x80 and up included: signed compares), then the
 * multiply-add packing of the same Mula-Lemire paper (4 values -> 24 bits per 32-bit lane)
 * and a shuffle to the 12 big-endian bytes. Every response's branch is decoded: ~200
 * instructions fewer than the table loop (callgrind).
 */
static inline bool
take_token(const char *p, uint64_t *payload, uint32_t *mac)
{
	__m128i c = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i up = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('A' - 1)),
	                           _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), c));
	__m128i lo = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('a' - 1)),
	                           _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), c));
	__m128i dg = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('0' - 1)),
	                           _mm_cmpgt_epi8(_mm_set1_epi8('9' + 1), c));
	__m128i mi = _mm_cmpeq_epi8(c, _mm_set1_epi8('-'));
	__m128i us = _mm_cmpeq_epi8(c, _mm_set1_epi8('_'));
	__m128i ok = _mm_or_si128(_mm_or_si128(up, lo), _mm_or_si128(dg, _mm_or_si128(mi, us)));

	if (_mm_movemask_epi8(ok) != 0xffff)
		return false;
	__m128i off = _mm_or_si128(
	        _mm_or_si128(_mm_and_si128(up, _mm_set1_epi8(-'A')),
	                     _mm_and_si128(lo, _mm_set1_epi8((char)(26 - 'a')))),
	        _mm_or_si128(_mm_and_si128(dg, _mm_set1_epi8(52 - '0')),
	                     _mm_or_si128(_mm_and_si128(mi, _mm_set1_epi8(62 - '-')),
	                                  _mm_and_si128(us, _mm_set1_epi8(63 - '_')))));
	__m128i v = _mm_add_epi8(c, off); /* 16 values 0..63 */
	/* v0 * 64 + v1 per 16-bit lane, then w0 * 4096 + w1 per 32-bit lane: 24 bits each */
	v = _mm_maddubs_epi16(v, _mm_set1_epi32(0x01400140));
	v = _mm_madd_epi16(v, _mm_set1_epi32(0x00011000));
	v = _mm_shuffle_epi8(v,
	                     _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
	uint8_t b[16];
	uint64_t be;
	uint32_t bm;

	_mm_storeu_si128((__m128i *)(void *)b, v);
	memcpy(&be, b, 8);
	memcpy(&bm, b + 8, 4);
	*payload = __builtin_bswap64(be);
	*mac = __builtin_bswap32(bm);
	return true;
}
#else
/* 0..63 for an alphabet character, 0xff otherwise */
static const uint8_t unb64[256] = {
#define R(c, v) [c] = (v) + 1
        R('A', 0),  R('B', 1),  R('C', 2),  R('D', 3),  R('E', 4),  R('F', 5),  R('G', 6),
        R('H', 7),  R('I', 8),  R('J', 9),  R('K', 10), R('L', 11), R('M', 12), R('N', 13),
        R('O', 14), R('P', 15), R('Q', 16), R('R', 17), R('S', 18), R('T', 19), R('U', 20),
        R('V', 21), R('W', 22), R('X', 23), R('Y', 24), R('Z', 25), R('a', 26), R('b', 27),
        R('c', 28), R('d', 29), R('e', 30), R('f', 31), R('g', 32), R('h', 33), R('i', 34),
        R('j', 35), R('k', 36), R('l', 37), R('m', 38), R('n', 39), R('o', 40), R('p', 41),
        R('q', 42), R('r', 43), R('s', 44), R('t', 45), R('u', 46), R('v', 47), R('w', 48),
        R('x', 49), R('y', 50), R('z', 51), R('0', 52), R('1', 53), R('2', 54), R('3', 55),
        R('4', 56), R('5', 57), R('6', 58), R('7', 59), R('8', 60), R('9', 61), R('-', 62),
        R('_', 63),
#undef R
};

static inline bool
take_token(const char *p, uint64_t *payload, uint32_t *mac)
{
	uint8_t v[SW_SIP_TOKEN_LEN], bad = 0;
	uint64_t pl = 0;
	uint32_t m;

	for (unsigned i = 0; i < SW_SIP_TOKEN_LEN; i++) {
		uint8_t x = unb64[(uint8_t)p[i]];
		bad |= (uint8_t)(x == 0);
		v[i] = (uint8_t)(x - 1);
	}
	if (bad)
		return false;
	for (int i = 0; i < 10; i++)
		pl = pl << 6 | v[i];
	pl = pl << 4 | (v[10] >> 2);
	m = (uint32_t)(v[10] & 3);
	for (int i = 11; i < 16; i++)
		m = m << 6 | v[i];
	*payload = pl;
	*mac = m;
	return true;
}
#endif

int
sw_sip_token_decode(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind, const char *p,
                    size_t len, struct sw_sip_token *t)
{
	uint64_t payload;
	uint32_t mac;

	if (len < SW_SIP_TOKEN_LEN || (len > SW_SIP_TOKEN_LEN && p[SW_SIP_TOKEN_LEN] != '@'))
		return -EINVAL;
	if (!take_token(p, &payload, &mac))
		return -EINVAL;
	if (mac != mac32(key, kind, payload))
		return -EBADMSG;
	t->worker = (uint8_t)(payload >> 56);
	t->line = (uint32_t)(payload >> 24);
	t->txn = (uint32_t)(payload & 0xffffffu);
	return 0;
}

int
sw_sip_branch_read(struct sw_sip_str branch, struct sw_sip_token *t, uint32_t *mac)
{
	uint64_t payload;

	if (branch.len != 7 + SW_SIP_TOKEN_LEN || memcmp(branch.p, SW_SIP_BRANCH_COOKIE, 7) != 0 ||
	    !take_token(branch.p + 7, &payload, mac))
		return -EINVAL;
	t->worker = (uint8_t)(payload >> 56);
	t->line = (uint32_t)(payload >> 24);
	t->txn = (uint32_t)(payload & 0xffffffu);
	return 0;
}

int
sw_sip_token_check(const struct sw_sip_token_key *key, enum sw_sip_token_kind kind,
                   const struct sw_sip_token *t, uint32_t mac)
{
	return mac == mac32(key, kind, payload_of(t)) ? 0 : -EBADMSG;
}

int
sw_sip_branch_decode(const struct sw_sip_token_key *key, struct sw_sip_str branch,
                     struct sw_sip_token *t)
{
	if (branch.len != 7 + SW_SIP_TOKEN_LEN || memcmp(branch.p, SW_SIP_BRANCH_COOKIE, 7) != 0)
		return -EINVAL;
	return sw_sip_token_decode(key, SW_SIP_TOKEN_BRANCH, branch.p + 7, SW_SIP_TOKEN_LEN, t);
}
