/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server side of digest authentication: the Authorization parser (lib/sip parses
 * challenges, which a phone receives, not credentials), stateless nonces and the check of a
 * response (RFC 2617 section 3.2.2, MD5, qop=auth or no qop).
 *
 * Nonce = 8 hex digits of the issue time in seconds + 16 hex digits of SipHash-2-4 of that
 * time under the cluster's secret: checking one needs no table, a forged or foreign one fails
 * the MAC, and its age is in it. 24 characters keep "HA1:nonce:nc:cnonce:auth:HA2" within two
 * MD5 blocks with lib/sip's 8-digit cnonce.
 *
 * MD5 is OpenSSL's low-level interface, deprecated in OpenSSL 3 but present (lib/sip measured
 * it fastest here, README "SIP"); the warning is silenced in this file only.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#if defined(__AVX2__) || defined(__SSSE3__)
#include <immintrin.h>
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <openssl/md5.h>

#include "cluster_private.h"

enum cred_param {
	P_USERNAME = 0,
	P_REALM,
	P_NONCE,
	P_URI,
	P_RESPONSE,
	P_ALGORITHM,
	P_CNONCE,
	P_OPAQUE,
	P_QOP,
	P_NC,
	P_COUNT
};

/* names padded with NULs to 16 bytes: the first 8 are read as one word */
static const struct {
	char name[16];
	uint8_t len;
} cred_names[P_COUNT] = {
        [P_USERNAME] = {"username", 8}, [P_REALM] = {"realm", 5},
        [P_NONCE] = {"nonce", 5},       [P_URI] = {"uri", 3},
        [P_RESPONSE] = {"response", 8}, [P_ALGORITHM] = {"algorithm", 9},
        [P_CNONCE] = {"cnonce", 6},     [P_OPAQUE] = {"opaque", 6},
        [P_QOP] = {"qop", 3},           [P_NC] = {"nc", 2},
};

/*
 * RFC 3261 section 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`"
 * / "'" / "~" ); a table indexed by the byte.
 */
#define TK(ch) [(unsigned char)(ch)] = 1
static const uint8_t token_char[256] = {
        TK('-'), TK('.'), TK('!'), TK('%'), TK('*'), TK('_'), TK('+'), TK('`'), TK('\''),
        TK('~'), TK('0'), TK('1'), TK('2'), TK('3'), TK('4'), TK('5'), TK('6'), TK('7'),
        TK('8'), TK('9'), TK('a'), TK('b'), TK('c'), TK('d'), TK('e'), TK('f'), TK('g'),
        TK('h'), TK('i'), TK('j'), TK('k'), TK('l'), TK('m'), TK('n'), TK('o'), TK('p'),
        TK('q'), TK('r'), TK('s'), TK('t'), TK('u'), TK('v'), TK('w'), TK('x'), TK('y'),
        TK('z'), TK('A'), TK('B'), TK('C'), TK('D'), TK('E'), TK('F'), TK('G'), TK('H'),
        TK('I'), TK('J'), TK('K'), TK('L'), TK('M'), TK('N'), TK('O'), TK('P'), TK('Q'),
        TK('R'), TK('S'), TK('T'), TK('U'), TK('V'), TK('W'), TK('X'), TK('Y'), TK('Z'),
};
#undef TK

static inline int
is_token(char ch)
{
	return token_char[(unsigned char)ch];
}

#ifdef __AVX2__
/*
 * Bit i set when byte i of the 32 at p is not a token character: each byte classified by two
 * nibble lookups (bit h of lo[low nibble] is set when the byte with high nibble h and that low
 * nibble is a token character), which is the token_char table above as bits.
 */
static inline uint32_t
not_token32(const char *p)
{
	const __m256i lo = _mm256_setr_epi8(
	        (char)0xe8, (char)0xfc, (char)0xf8, (char)0xf8, (char)0xf8, (char)0xfc, (char)0xf8,
	        (char)0xfc, (char)0xf8, (char)0xf8, (char)0xf4, 0x54, 0x50, 0x54, (char)0xd4, 0x70,
	        (char)0xe8, (char)0xfc, (char)0xf8, (char)0xf8, (char)0xf8, (char)0xfc, (char)0xf8,
	        (char)0xfc, (char)0xf8, (char)0xf8, (char)0xf4, 0x54, 0x50, 0x54, (char)0xd4, 0x70);
	const __m256i hi =
	        _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, (char)128, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4,
	                         8, 16, 32, 64, (char)128, 0, 0, 0, 0, 0, 0, 0, 0);

	return cl_not_in_class32(p, lo, hi);
}
#endif

/*
 * The end of the token starting at p: the first byte in [p, end) that is not a token character.
 * With AVX2, 32 bytes a step; the last ones (fewer than 32 left) by the 32 that end at end
 * when they start at or after lo (the start of the value: readable), shifted to p.
 */
static inline const char *
token_end(const char *p, const char *end, const char *lo)
{
#ifdef __AVX2__
	while (end - p >= 32) {
		uint32_t bad = not_token32(p);
		if (bad != 0)
			return p + __builtin_ctz(bad);
		p += 32;
	}
	if (p < end && end - lo >= 32) {
		/* 0 < end - p < 32: the bits of [p, end) are the low ones after the shift */
		uint32_t bad = not_token32(end - 32) >> (32 - (end - p));
		return bad != 0 ? p + __builtin_ctz(bad) : end;
	}
#else
	(void)lo;
#endif
	while (p < end && is_token(*p))
		p++;
	return p;
}

const char *
cl_token_end(const char *p, const char *end, const char *lo)
{
	return token_end(p, end, lo);
}

/*
 * The first ch in [p, end), or NULL, as cl_chr(); the last bytes (fewer than 32 left) by the 32
 * that end at end when they start at or after lo (readable).
 */
static inline const char *
chr_from(const char *p, const char *end, const char *lo, char ch)
{
	const char *q = cl_chr_blocks(&p, end, ch);

	if (q != NULL)
		return q;
#ifdef __AVX2__
	if (p < end && end - lo >= 32) {
		const __m256i c = _mm256_set1_epi8(ch);
		uint32_t m = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
		                     _mm256_loadu_si256((const __m256i *)(const void *)(end - 32)),
		                     c)) >>
		             (32 - (end - p));
		return m != 0 ? p + __builtin_ctz(m) : NULL;
	}
#else
	(void)lo;
#endif
	return cl_chr(p, end, ch);
}

/* LWS and the line ends of folded lines */
static inline const char *
skip_lws(const char *p, const char *end)
{
	/* one test for the usual case, a visible byte (all four are below '!') */
	while (p < end && (unsigned char)*p <= ' ' &&
	       (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/*
 * The known parameter a name is (enum cred_param), or -1; by length, then letters. The name
 * is in a value that ends at end.
 */
static inline __attribute__((always_inline)) int
param_of(const char *n, size_t len, const char *end)
{
	int i;

	switch (len) {
	case 2:
		i = P_NC;
		break;
	case 3:
		i = (n[0] | 0x20) == 'u' ? P_URI : P_QOP;
		break;
	case 5:
		i = (n[0] | 0x20) == 'r' ? P_REALM : P_NONCE;
		break;
	case 6:
		i = (n[0] | 0x20) == 'c' ? P_CNONCE : P_OPAQUE;
		break;
	case 8:
		i = (n[0] | 0x20) == 'u' ? P_USERNAME : P_RESPONSE;
		break;
	case 9:
		i = P_ALGORITHM;
		break;
	default:
		return -1;
	}
	if (end - n >= 8) {
		/*
		 * The first 8 bytes as one word, the name's bytes kept: a byte ORed with 0x20 is a
		 * lower-case letter exactly when the byte is that letter in either case. The
		 * first bytes are the low-order ones (a little-endian host, as elsewhere here).
		 */
		const char *lit = cred_names[i].name;
		uint64_t w, l, keep = len >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * len)) - 1;

		memcpy(&w, n, 8);
		memcpy(&l, lit, 8);
		l &= keep;
		if (((w | UINT64_C(0x2020202020202020)) & keep) != l)
			return -1;
		return len <= 8 || (n[8] | 0x20) == lit[8] ? i : -1;
	}
	return cl_ieq((struct sw_sip_str){n, (uint32_t)len}, cred_names[i].name, len) ? i : -1;
}

/* The parameters every response needs, and nc and cnonce with qop: 0 or -EINVAL. */
static inline int
cred_complete(const struct sw_cluster_credentials *cr)
{
	if (cr->username.len == 0 || cr->realm.len == 0 || cr->nonce.len == 0 || cr->uri.len == 0 ||
	    cr->response.len == 0)
		return -EINVAL;
	if (cr->qop.len > 0 && (cr->nc.len == 0 || cr->cnonce.len == 0))
		return -EINVAL;
	return 0;
}

/* Where each parameter's value goes, as a table (a switch compiled to a jump per parameter). */
static const uint8_t slot_off[P_COUNT] = {
        [P_USERNAME] = offsetof(struct sw_cluster_credentials, username),
        [P_REALM] = offsetof(struct sw_cluster_credentials, realm),
        [P_NONCE] = offsetof(struct sw_cluster_credentials, nonce),
        [P_URI] = offsetof(struct sw_cluster_credentials, uri),
        [P_RESPONSE] = offsetof(struct sw_cluster_credentials, response),
        [P_ALGORITHM] = offsetof(struct sw_cluster_credentials, algorithm),
        [P_CNONCE] = offsetof(struct sw_cluster_credentials, cnonce),
        [P_OPAQUE] = offsetof(struct sw_cluster_credentials, opaque),
        [P_QOP] = offsetof(struct sw_cluster_credentials, qop),
        [P_NC] = offsetof(struct sw_cluster_credentials, nc),
};

static inline struct sw_sip_str *
slot_of(struct sw_cluster_credentials *cr, enum cred_param i)
{
	return (struct sw_sip_str *)(void *)((char *)cr + slot_off[i]);
}

#ifdef __AVX2__
/* memset(cr, 0, sizeof(*cr)) by vector stores, without a call. */
static inline void
cred_clear(struct sw_cluster_credentials *cr)
{
	const __m256i z = _mm256_setzero_si256();
	char *b = (char *)cr;

	/* five stores written out: GCC made the loop of them a call to memset() */
	_Static_assert(sizeof(*cr) == 5 * 32, "five 32-byte stores");
	_mm256_storeu_si256((__m256i *)(void *)b, z);
	_mm256_storeu_si256((__m256i *)(void *)(b + 32), z);
	_mm256_storeu_si256((__m256i *)(void *)(b + 64), z);
	_mm256_storeu_si256((__m256i *)(void *)(b + 96), z);
	_mm256_storeu_si256((__m256i *)(void *)(b + 128), z);
}

/* Bit i set when byte i of the 32 at p is '"'. */
static inline uint32_t
quote32(const char *p)
{
	return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	        _mm256_loadu_si256((const __m256i *)(const void *)p), _mm256_set1_epi8('"')));
}

/* The names with their '=', 16 bytes each (cred_fast()'s guesses). */
static const _Alignas(16) char guess_text[P_COUNT][16] = {
        [P_USERNAME] = "username=", [P_REALM] = "realm=",
        [P_NONCE] = "nonce=",       [P_URI] = "uri=",
        [P_RESPONSE] = "response=", [P_ALGORITHM] = "algorithm=",
        [P_CNONCE] = "cnonce=",     [P_OPAQUE] = "opaque=",
        [P_QOP] = "qop=",           [P_NC] = "nc=",
};

/* The same after ", " (the separator phones write), 16 bytes each. */
static const _Alignas(16) char sep_text[P_COUNT][16] = {
        [P_USERNAME] = ", username=", [P_REALM] = ", realm=",
        [P_NONCE] = ", nonce=",       [P_URI] = ", uri=",
        [P_RESPONSE] = ", response=", [P_ALGORITHM] = ", algorithm=",
        [P_CNONCE] = ", cnonce=",     [P_OPAQUE] = ", opaque=",
        [P_QOP] = ", qop=",           [P_NC] = ", nc=",
};

/*
 * The parameter guessed after each: lib/sip's order (username, realm, nonce, uri, response,
 * algorithm, qop, nc, cnonce), then opaque and qop as other phones write them. A right guess
 * saves the search for the '=' and the lookup of the name.
 */
static const uint8_t guess_after[P_COUNT] = {
        [P_USERNAME] = P_REALM,     [P_REALM] = P_NONCE,   [P_NONCE] = P_URI, [P_URI] = P_RESPONSE,
        [P_RESPONSE] = P_ALGORITHM, [P_ALGORITHM] = P_QOP, [P_QOP] = P_NC,    [P_NC] = P_CNONCE,
        [P_CNONCE] = P_OPAQUE,      [P_OPAQUE] = P_QOP,
};

/*
 * The parameters as phones write them, from p (after "Digest" and one space): known names,
 * each directly followed by '=', a quoted value without a backslash before its closing quote
 * (shorter than 64 bytes) or a token value (shorter than 32), separated by ',' and at most one space, no
 * name twice. Every step is the one cl_credentials_parse_slow() takes on that text, with the
 * same result; on anything else it gives up (-EAGAIN) and the slow parser starts over. Bytes
 * up to lim (at or after end) are readable.
 */
static int
cred_fast(struct sw_cluster_credentials *cr, const char *p, const char *end, const char *lim)
{
	unsigned seen = 0;
	int guess = P_USERNAME, idx = -1;
	const char *n = p;
	uint32_t eq = 0;

	for (;;) {
		const char *v, *ve;
		uint32_t m;

		/* the loads below: 16 bytes at n, 32 at the value (at most n + 17) */
		if (lim - n < 49)
			return -EAGAIN;
		if (idx < 0) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)n);

			/* the guess, in lower case with its '=', then any name: the same parameter
			 * either way, as the '=' after the guess is the first '=' */
			m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
			        x,
			        _mm_load_si128((const __m128i *)(const void *)guess_text[guess])));
			eq = cred_names[guess].len;
			if ((~m & ((2u << eq) - 1)) == 0) {
				idx = guess;
			} else {
				/* the name ends at the first '=' of the 16 bytes: a known name is
				 * letters only */
				m = (uint32_t)_mm_movemask_epi8(
				        _mm_cmpeq_epi8(x, _mm_set1_epi8('=')));
				if (m == 0)
					return -EAGAIN;
				eq = (uint32_t)__builtin_ctz(m);
				if (eq == 0)
					return -EAGAIN;
				idx = param_of(n, eq, lim);
				if (idx < 0)
					return -EAGAIN;
			}
		}
		if (end - n <= eq + 1 || (seen & (1u << idx)))
			return -EAGAIN;
		seen |= 1u << idx;
		guess = guess_after[idx];
		p = n + eq + 1;
		if (*p == '"') {
			v = p + 1;
			m = quote32(v);
			if (m != 0) {
				ve = v + __builtin_ctz(m);
			} else {
				/* a digest response is 32 digits: its quote in the next 32 */
				if (lim - v < 64 || (m = quote32(v + 32)) == 0)
					return -EAGAIN;
				ve = v + 32 + __builtin_ctz(m);
			}
			if (ve >= end || (ve > v && ve[-1] == '\\'))
				return -EAGAIN;
			p = ve + 1;
		} else {
			if ((unsigned char)*p <= ' ')
				return -EAGAIN;
			v = p;
			m = not_token32(v);
			if (m == 0)
				return -EAGAIN;
			ve = v + __builtin_ctz(m);
			if (ve > end)
				ve = end; /* token_end() stops at the value's end */
			if (ve == v)
				return -EAGAIN;
			p = ve;
		}
		*slot_of(cr, (enum cred_param)idx) = (struct sw_sip_str){v, (uint32_t)(ve - v)};
		if (p == end)
			return 0;
		/*
		 * The separator and the next name as phones write them, ", " and the guess with
		 * its '=', by one comparison: the steps below and the guess's above would give
		 * the same (the checks at the loop's top keep the name inside the value).
		 */
		if (lim - p >= 16) {
			m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
			        _mm_loadu_si128((const __m128i *)(const void *)p),
			        _mm_load_si128((const __m128i *)(const void *)sep_text[guess])));
			eq = cred_names[guess].len;
			if ((~m & ((8u << eq) - 1)) == 0) {
				n = p + 2;
				idx = guess;
				continue;
			}
		}
		if (*p != ',')
			return -EAGAIN;
		p++;
		if (p < end && *p == ' ')
			p++;
		n = p;
		idx = -1;
	}
}
#endif

int
cl_credentials_parse_in(struct sw_cluster_credentials *cr, const char *p, size_t len,
                        const char *lim)
{
#ifdef __AVX2__
	const char *end = p + len;

	/* "Digest" and one space, then the parameters as phones write them */
	if (len >= 8 && cl_ieq((struct sw_sip_str){p, 6}, "digest", 6) && p[6] == ' ' &&
	    (unsigned char)p[7] > ' ') {
		cred_clear(cr);
		if (cred_fast(cr, p + 7, end, lim) == 0)
			return cred_complete(cr);
	}
#else
	(void)lim;
#endif
	return cl_credentials_parse_slow(cr, p, len);
}

int
sw_cluster_credentials_parse(struct sw_cluster_credentials *cr, const char *p, size_t len)
{
	/* nothing readable after the value: the fast path would give up at its last parameter */
	return cl_credentials_parse_slow(cr, p, len);
}

int
cl_credentials_parse_slow(struct sw_cluster_credentials *cr, const char *p, size_t len)
{
	const char *end = p + len, *lo = p;
	unsigned seen = 0;

	memset(cr, 0, sizeof(*cr));
	p = skip_lws(p, end);
	if ((size_t)(end - p) < 6 || !cl_ieq((struct sw_sip_str){p, 6}, "digest", 6))
		return -EPROTONOSUPPORT;
	p += 6;
	if (p == end || !(*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		return -EPROTONOSUPPORT; /* "Digestfoo" is another scheme */
	/*
	 * The skip_lws() calls around '=' and ',' are taken only when a byte there is not the
	 * one expected: "name=value, name=..." as phones write it skips nothing.
	 */
	for (;;) {
		const char *n, *ne, *v, *ve;
		int idx;

		p = skip_lws(p, end);
		n = p;
		p = token_end(p, end, lo);
		ne = p;
		if (ne == n)
			return -EINVAL;
		if (SW_UNLIKELY(p == end || *p != '=')) {
			p = skip_lws(p, end);
			if (p == end || *p != '=')
				return -EINVAL;
		}
		p++;
		if (SW_UNLIKELY(p == end || (unsigned char)*p <= ' ')) {
			p = skip_lws(p, end);
			if (p == end)
				return -EINVAL;
		}
		if (*p == '"') {
			/* quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE */
			v = ++p;
			for (;;) {
				const char *q = chr_from(p, end, lo, '"');
				if (q == NULL)
					return -EINVAL;
				p = q;
				if (SW_LIKELY(q == v || q[-1] != '\\'))
					break;
				/* escaped when preceded by an odd number of backslashes */
				{
					const char *b = q;
					while (b > v && b[-1] == '\\')
						b--;
					if (((q - b) & 1) == 0)
						break;
				}
				p = q + 1;
			}
			ve = p++;
		} else {
			v = p;
			p = token_end(p, end, lo);
			ve = p;
			if (ve == v)
				return -EINVAL;
		}
		if (ve - v > 255)
			return -E2BIG;
		idx = param_of(n, (size_t)(ne - n), end);
		if (idx >= 0) {
			if (seen & (1u << idx))
				return -EINVAL;
			seen |= 1u << idx;
			*slot_of(cr, (enum cred_param)idx) =
			        (struct sw_sip_str){v, (uint32_t)(ve - v)};
		}
		if (SW_UNLIKELY(p == end || *p != ',')) {
			p = skip_lws(p, end);
			if (p == end)
				break;
			if (*p != ',')
				return -EINVAL;
		}
		p++;
		/* the one space phones write after the comma; skip_lws() takes any other LWS */
		if (p < end && *p == ' ')
			p++;
	}
	return cred_complete(cr);
}

static const char hx[] = "0123456789abcdef";

static inline void
hex16(char *out, const uint8_t *in)
{
	cl_hex16(out, in);
}

static uint64_t
nonce_mac(const struct sw_sip_token_key *key, uint32_t t)
{
	uint8_t b[5] = {(uint8_t)t, (uint8_t)(t >> 8), (uint8_t)(t >> 16), (uint8_t)(t >> 24), 'n'};

	return sw_sip_siphash(key, b, sizeof(b));
}

/* The nonce of second t, computed. */
static void
nonce_text(const struct sw_sip_token_key *key, uint32_t t, char *out)
{
	uint64_t mac = nonce_mac(key, t);

	for (int i = 7; i >= 0; i--, t >>= 4)
		out[i] = hx[t & 15];
	for (int i = 23; i >= 8; i--, mac >>= 4)
		out[i] = hx[mac & 15];
}

void
cl_nonce_init(struct cl_nonces *n, const struct sw_sip_token_key *key)
{
	memset(n, 0, sizeof(*n));
	n->key = *key;
}

/*
 * Every nonce issued in one second is the same text: it is computed once a second (in the
 * entry of that second's parity) and copied.
 */
void
cl_nonce_make(struct cl_nonces *n, uint64_t now, char *out)
{
	uint32_t t = (uint32_t)(now / SW_NS_PER_S);
	struct cl_nonce_entry *e = &n->e[t & 1];

	if (!e->valid || e->t != t) {
		nonce_text(&n->key, t, e->text);
		e->t = t;
		e->valid = 1;
	}
	memcpy(out, e->text, CL_NONCE_LEN);
}

static int
unhex(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		unsigned d;
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

int
cl_nonce_check(const struct cl_nonces *n, struct sw_sip_str nonce, uint64_t now, uint32_t ttl_s)
{
	uint64_t t, mac;
	uint64_t now_s = now / SW_NS_PER_S;

	if (nonce.len != CL_NONCE_LEN)
		return CL_NONCE_BAD;
	/* a nonce issued in one of the last two seconds, as we wrote it: its MAC is known good */
	if (n->e[0].valid && memcmp(nonce.p, n->e[0].text, CL_NONCE_LEN) == 0)
		t = n->e[0].t;
	else if (n->e[1].valid && memcmp(nonce.p, n->e[1].text, CL_NONCE_LEN) == 0)
		t = n->e[1].t;
	else if (unhex(nonce.p, 8, &t) != 0 || unhex(nonce.p + 8, 16, &mac) != 0 ||
	         mac != nonce_mac(&n->key, (uint32_t)t))
		return CL_NONCE_BAD;
	/* the time field is 32 bits of seconds: compare modulo 2^32 */
	if ((uint32_t)(now_s - t) > ttl_s)
		return CL_NONCE_STALE;
	return CL_NONCE_OK;
}

void
cl_md5_hex(const void *p, size_t n, char *out)
{
	uint8_t md[16];

	MD5(p, n, md);
	hex16(out, md);
}

void
cl_pw_rule_compile(struct sw_cluster *c)
{
	size_t at = c->pw_rule_len, a;

	c->pw_users = 0;
	for (size_t i = 0; i < c->pw_rule_len;) {
		if (c->pw_rule_len - i >= 6 && memcmp(c->pw_rule + i, "{user}", 6) == 0) {
			if (c->pw_users++ == 0)
				at = i;
			i += 6;
		} else {
			i++;
		}
	}
	/* the split for one-block inputs: user ha1_a [user ha1_b], as cl_ha1_input() writes */
	c->ha1_split = 0;
	memset(c->ha1_a, 0, sizeof(c->ha1_a));
	memset(c->ha1_b, 0, sizeof(c->ha1_b));
	a = 2 + (size_t)c->realm_len + at;
	if (c->pw_users > 1 || a >= 56 || (c->pw_users == 1 && c->pw_rule_len - at - 6 >= 56))
		return;
	c->ha1_a[0] = ':';
	memcpy(c->ha1_a + 1, c->realm, c->realm_len);
	c->ha1_a[1 + c->realm_len] = ':';
	memcpy(c->ha1_a + 2 + c->realm_len, c->pw_rule, at);
	c->ha1_a_len = (uint8_t)a;
	if (c->pw_users == 1) {
		c->ha1_b_len = (uint8_t)(c->pw_rule_len - at - 6);
		memcpy(c->ha1_b, c->pw_rule + at + 6, c->ha1_b_len);
	}
	c->ha1_split = 1;
}

size_t
cl_ha1_input(const struct sw_cluster *c, struct sw_sip_str user, uint8_t *buf)
{
	/* user ":" realm ":" password, the password being the rule with {user} replaced */
	size_t n = 0;

	if (user.len > SW_CLUSTER_USER_MAX)
		user.len = SW_CLUSTER_USER_MAX; /* callers refuse longer names before */
	memcpy(buf, user.p, user.len);
	n = user.len;
	buf[n++] = ':';
	memcpy(buf + n, c->realm, c->realm_len);
	n += c->realm_len;
	buf[n++] = ':';
	if (c->pw_users == 0) {
		memcpy(buf + n, c->pw_rule, c->pw_rule_len);
		return n + c->pw_rule_len;
	}
	for (size_t i = 0; i < c->pw_rule_len;) {
		if (c->pw_rule_len - i >= 6 && memcmp(c->pw_rule + i, "{user}", 6) == 0) {
			memcpy(buf + n, user.p, user.len);
			n += user.len;
			i += 6;
		} else {
			buf[n++] = (uint8_t)c->pw_rule[i++];
		}
	}
	return n;
}

void
cl_ha1(const struct sw_cluster *c, struct sw_sip_str user, uint8_t *ha1)
{
	/* padded in place: the blocks straight to the block function (cl_md5_blocks) */
	uint8_t buf[CL_HA1_INPUT + 72];

	cl_md5_blocks(buf, cl_md5_pad(buf, cl_ha1_input(c, user, buf)), ha1);
}

size_t
cl_response_input(const uint8_t *ha1, const char *ha2, const struct sw_cluster_credentials *cr,
                  uint8_t *buf)
{
	size_t n;

	hex16((char *)buf, ha1);
	n = 32;
	buf[n++] = ':';
	memcpy(buf + n, cr->nonce.p, cr->nonce.len);
	n += cr->nonce.len;
	buf[n++] = ':';
	if (cr->qop.len > 0) {
		memcpy(buf + n, cr->nc.p, cr->nc.len);
		n += cr->nc.len;
		buf[n++] = ':';
		memcpy(buf + n, cr->cnonce.p, cr->cnonce.len);
		n += cr->cnonce.len;
		buf[n++] = ':';
		memcpy(buf + n, cr->qop.p, cr->qop.len);
		n += cr->qop.len;
		buf[n++] = ':';
	}
	memcpy(buf + n, ha2, 32);
	return n + 32;
}

unsigned
cl_md5_pad(uint8_t *buf, size_t n)
{
	size_t nblk = (n + 9 + 63) / 64;
	uint64_t bits = (uint64_t)n * 8;

	buf[n] = 0x80;
	memset(buf + n + 1, 0, nblk * 64 - n - 9);
	/* RFC 1321 section 3.2: the bit length, low-order byte first */
	for (int i = 0; i < 8; i++)
		buf[nblk * 64 - 8 + i] = (uint8_t)(bits >> (8 * i));
	return (unsigned)nblk;
}

int
cl_response_match(const uint8_t *md, const struct sw_cluster_credentials *cr)
{
	char hexr[32];

	if (cr->response.len != 32)
		return 0;
	hex16(hexr, md);
#ifdef __AVX2__
	/* the usual case, the response in lower case as we write it: one comparison */
	if ((uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	            _mm256_loadu_si256((const __m256i *)(const void *)cr->response.p),
	            _mm256_loadu_si256((const __m256i *)(const void *)hexr))) == UINT32_MAX)
		return 1;
#else
	if (memcmp(cr->response.p, hexr, 32) == 0)
		return 1;
#endif
	for (unsigned i = 0; i < 32; i++) {
		char ch = cr->response.p[i];
		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch + 32);
		if (ch != hexr[i])
			return 0;
	}
	return 1;
}

/*
 * The padded blocks straight to OpenSSL's block function, without MD5_Update's buffering and
 * MD5_Final's copy and cleanse (the input is not secret here).
 */
void
cl_md5_blocks(const uint8_t *blk, unsigned nblk, uint8_t *md)
{
	MD5_CTX cx;
	uint32_t h[4];

	MD5_Init(&cx);
	for (unsigned k = 0; k < nblk; k++)
		MD5_Transform(&cx, blk + 64 * k);
	h[0] = cx.A;
	h[1] = cx.B;
	h[2] = cx.C;
	h[3] = cx.D;
	memcpy(md, h, 16); /* the state words, little-endian: the digest bytes */
}

int
cl_response_check(const uint8_t *ha1, const char *ha2, const struct sw_cluster_credentials *cr)
{
	uint8_t buf[CL_RESPONSE_BUF];
	uint8_t md[16];

	if (cr->response.len != 32)
		return 0;
	cl_md5_blocks(buf, cl_md5_pad(buf, cl_response_input(ha1, ha2, cr, buf)), md);
	return cl_response_match(md, cr);
}

#pragma GCC diagnostic pop
