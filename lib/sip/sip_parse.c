/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SIP parser: one pass over the datagram, slices into it, no allocation.
 *
 * Written by hand rather than using libosip2 (Debian) because libosip2 allocates every header
 * and copies every string (osip_message_parse), which costs microseconds per message; the hot
 * path needs well under 100 ns. libosip2 is used in the tests as the differential reference.
 *
 * Grammar references are RFC 3261 section 25.1 (SIP), RFC 3581 (rport), RFC 2617 / RFC 7616
 * (digest challenges). Every helper takes an explicit end pointer and never reads at or past it.
 *
 * Speed (README.rst, "SIP"): the usual header line (a common name, CRLF, a name or the end
 * after it) takes a fast loop in sw_sip_parse(): its LF from the 64 bytes at the line (AVX2:
 * two compares and two movemasks, then one tzcnt), its name first compared with the one the
 * registration loop's messages send next, then by first letter, straight to that header's
 * value code; any other line takes the general walk, where line ends come from a
 * 64-byte-block bit mask of LF positions; common header names are compared 8 bytes at a time;
 * runs of token / host characters, quoted strings and delimiters are found 32 bytes at a time
 * with a nibble-table classification (the technique of simdjson and Hyperscan's "shufti":
 * two PSHUFB lookups, one on each nibble, ANDed). A vector load is only made when the 32 or 64
 * bytes lie inside [buf, buf + len): the end of the datagram is read with a load that ends at
 * its last byte, or byte by byte; without AVX2 every scan is the scalar loop.
 */
#include <string.h>

#ifdef __AVX2__
#include <immintrin.h>
#endif

#include "sip_private.h"

/* tests/unit/sip/sip_parse_ref.c compiles this file again with the fast header loop left out:
 * the general walk alone, the reference the differential tests hold the fast loop to */
#ifdef SW_SIP_PARSE_GENERAL_ONLY
#define SW_SIP_FAST_LOOP 0
#else
#define SW_SIP_FAST_LOOP 1
#endif
#include "sw_common.h"
#include "sw_sip.h"

/* Character classes (RFC 3261 section 25.1). */
enum {
	CC_TOKEN =
	        1 << 0, /* alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
	CC_DIGIT = 1 << 1,
	CC_WS = 1 << 2,   /* SP / HTAB / CR / LF: white space inside a (possibly folded) value */
	CC_HOST = 1 << 3, /* characters of a host name or IPv4 / IPv6 reference */
};

static const uint8_t cc[256] = {
        ['\t'] = CC_WS,
        ['\r'] = CC_WS,
        ['\n'] = CC_WS,
        [' '] = CC_WS,
        ['!'] = CC_TOKEN,
        ['%'] = CC_TOKEN,
        ['\''] = CC_TOKEN,
        ['*'] = CC_TOKEN,
        ['+'] = CC_TOKEN,
        ['-'] = CC_TOKEN | CC_HOST,
        ['.'] = CC_TOKEN | CC_HOST,
        ['_'] = CC_TOKEN,
        ['`'] = CC_TOKEN,
        ['~'] = CC_TOKEN,
        [':'] = CC_HOST,
        ['['] = CC_HOST,
        [']'] = CC_HOST,
#define D(c) [c] = CC_TOKEN | CC_DIGIT | CC_HOST
        D('0'),
        D('1'),
        D('2'),
        D('3'),
        D('4'),
        D('5'),
        D('6'),
        D('7'),
        D('8'),
        D('9'),
#undef D
#define A(c) [c] = CC_TOKEN | CC_HOST, [c + 32] = CC_TOKEN | CC_HOST
        A('A'),
        A('B'),
        A('C'),
        A('D'),
        A('E'),
        A('F'),
        A('G'),
        A('H'),
        A('I'),
        A('J'),
        A('K'),
        A('L'),
        A('M'),
        A('N'),
        A('O'),
        A('P'),
        A('Q'),
        A('R'),
        A('S'),
        A('T'),
        A('U'),
        A('V'),
        A('W'),
        A('X'),
        A('Y'),
        A('Z'),
#undef A
};

#define IS(c, cls) (cc[(uint8_t)(c)] & (cls))

/* Character sets for the vector scans: a run of bytes in the set ends at the first byte out. */
enum cset {
	SET_TOKEN,  /* CC_TOKEN */
	SET_GENVAL, /* CC_TOKEN | CC_HOST: a gen-value without quotes */
	SET_HOSTNC, /* CC_HOST but not ':': a Via sent-by host */
};

static inline int
in_set(char c, enum cset s)
{
	switch (s) {
	case SET_TOKEN:
		return IS(c, CC_TOKEN) != 0;
	case SET_GENVAL:
		return IS(c, CC_TOKEN | CC_HOST) != 0;
	default:
		return IS(c, CC_HOST) != 0 && c != ':';
	}
}

#ifdef __AVX2__
/*
 * Nibble tables: entry l has bit h set when the byte (h << 4 | l), h < 8, is in the set (the
 * same sets as cc[] above; tests/unit/sip checks every byte value through the parser and the
 * fuzz differential against the scalar build). A byte is in the set when
 * tbl[low nibble] & (1 << high nibble) is not zero; bytes >= 0x80 give 0.
 */
#define NIB16(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)                                      \
	(char)a, (char)b, (char)c, (char)d, (char)e, (char)f, (char)g, (char)h, (char)i, (char)j,  \
	        (char)k, (char)l, (char)m, (char)n, (char)o, (char)p
#define TBL_TOKEN                                                                                  \
	NIB16(0xe8, 0xfc, 0xf8, 0xf8, 0xf8, 0xfc, 0xf8, 0xfc, 0xf8, 0xf8, 0xf4, 0x54, 0x50, 0x54,  \
	      0xd4, 0x70)
#define TBL_GENVAL                                                                                 \
	NIB16(0xe8, 0xfc, 0xf8, 0xf8, 0xf8, 0xfc, 0xf8, 0xfc, 0xf8, 0xf8, 0xfc, 0x74, 0x50, 0x74,  \
	      0xd4, 0x70)
#define TBL_HOSTNC                                                                                 \
	NIB16(0xa8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf8, 0xf0, 0x70, 0x50, 0x74,  \
	      0x54, 0x50)
#define TBL_HIBIT NIB16(1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0)

static inline __m256i
ld32(const char *p)
{
	return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

/* bit i set when byte i of x equals c */
static inline uint32_t
eq32(__m256i x, char c)
{
	return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, _mm256_set1_epi8(c)));
}

/* bit i set when byte i of x is not in set s */
static inline uint32_t
notin32(__m256i x, enum cset s)
{
	const __m256i lo4 = _mm256_set1_epi8(0x0f);
	const __m256i hibit = _mm256_setr_epi8(TBL_HIBIT, TBL_HIBIT);
	__m256i tbl = s == SET_TOKEN    ? _mm256_setr_epi8(TBL_TOKEN, TBL_TOKEN)
	              : s == SET_GENVAL ? _mm256_setr_epi8(TBL_GENVAL, TBL_GENVAL)
	                                : _mm256_setr_epi8(TBL_HOSTNC, TBL_HOSTNC);
	__m256i a = _mm256_shuffle_epi8(tbl, _mm256_and_si256(x, lo4));
	__m256i b = _mm256_shuffle_epi8(hibit, _mm256_and_si256(_mm256_srli_epi16(x, 4), lo4));
	return (uint32_t)_mm256_movemask_epi8(
	        _mm256_cmpeq_epi8(_mm256_and_si256(a, b), _mm256_setzero_si256()));
}

/* 32 LF bytes, opaque to the compiler so that it keeps them in a register (or reloads them
 * with one instruction) instead of building the constant again at each use */
static inline __m256i
lf_vec(void)
{
	__m256i v = _mm256_set1_epi8('\n');

	__asm__("" : "+x"(v));
	return v;
}

/* LF positions of the 64 bytes at p (AVX-512BW: one compare into a mask register) */
static inline uint64_t
lf64(const char *p)
{
#ifdef __AVX512BW__
	return _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)p), _mm512_set1_epi8('\n'));
#else
	return eq32(ld32(p), '\n') | (uint64_t)eq32(ld32(p + 32), '\n') << 32;
#endif
}

/*
 * lf64() with lfv all LF bytes: the fast loop makes lfv once (lf_vec()), where GCC built the
 * constant again (mov, vmovd, vpbroadcastb) for every line. AVX-512BW needs no vector.
 */
static inline uint64_t
lf64v(const char *p, __m256i lfv)
{
#ifdef __AVX512BW__
	(void)lfv;
	return lf64(p);
#else
	return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(ld32(p), lfv)) |
	       (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(ld32(p + 32), lfv)) << 32;
#endif
}
#endif

/*
 * The scans below stop at end but may load (never use) bytes up to lim, the end of the
 * datagram: a value's last bytes are then classified by a vector load too.
 */

#ifdef __AVX2__
/* bits at and above n (n <= 32): the bytes past end in a 32-byte load (AVX2 scans only) */
static inline uint32_t
past(ptrdiff_t n)
{
	return n >= 32 ? 0 : ~UINT32_C(0) << n;
}
#endif

/* The first byte at or after p outside set s, or end. */
static inline const char *
scan_set(const char *p, const char *end, const char *lim, enum cset s)
{
#ifdef __AVX2__
	while (lim - p >= 32) {
		uint32_t m = notin32(ld32(p), s) | past(end - p);
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 32;
	}
#else
	(void)lim;
#endif
	while (p < end && in_set(*p, s))
		p++;
	return p;
}

/* The first byte at or after p equal to a or b (a == b for one byte), or end. */
static inline const char *
find2(const char *p, const char *end, const char *lim, char a, char b)
{
#ifdef __AVX2__
	while (lim - p >= 32) {
		__m256i x = ld32(p);
		uint32_t m = eq32(x, a) | eq32(x, b) | past(end - p);
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 32;
	}
#else
	(void)lim;
#endif
	while (p < end && *p != a && *p != b)
		p++;
	return p;
}

static const char *const reason_names[] = {
#define SW_SIP_REASON(sym, name, help) name,
#include "sip_reason.def"
#undef SW_SIP_REASON
};
static const char *const reason_help[] = {
#define SW_SIP_REASON(sym, name, help) help,
#include "sip_reason.def"
#undef SW_SIP_REASON
};
_Static_assert(SW_ARRAY_SIZE(reason_names) == SW_SIP_REASON_COUNT, "reason table");

const char *
sw_sip_reason_name(enum sw_sip_reason r)
{
	return (unsigned)r < SW_SIP_REASON_COUNT ? reason_names[r] : "unknown";
}

const char *
sw_sip_reason_help(enum sw_sip_reason r)
{
	return (unsigned)r < SW_SIP_REASON_COUNT ? reason_help[r] : "unknown";
}

static const char *const method_names[SW_SIP_METHOD_COUNT] = {
        [SW_SIP_METHOD_NONE] = "",           [SW_SIP_METHOD_INVITE] = "INVITE",
        [SW_SIP_METHOD_ACK] = "ACK",         [SW_SIP_METHOD_BYE] = "BYE",
        [SW_SIP_METHOD_CANCEL] = "CANCEL",   [SW_SIP_METHOD_REGISTER] = "REGISTER",
        [SW_SIP_METHOD_OPTIONS] = "OPTIONS", [SW_SIP_METHOD_SUBSCRIBE] = "SUBSCRIBE",
        [SW_SIP_METHOD_NOTIFY] = "NOTIFY",   [SW_SIP_METHOD_PRACK] = "PRACK",
        [SW_SIP_METHOD_UPDATE] = "UPDATE",   [SW_SIP_METHOD_INFO] = "INFO",
        [SW_SIP_METHOD_REFER] = "REFER",     [SW_SIP_METHOD_MESSAGE] = "MESSAGE",
        [SW_SIP_METHOD_PUBLISH] = "PUBLISH", [SW_SIP_METHOD_OTHER] = "OTHER",
};

const char *
sw_sip_method_name(enum sw_sip_method m)
{
	return (unsigned)m < SW_SIP_METHOD_COUNT ? method_names[m] : "?";
}

static const char *const algo_names[SW_SIP_ALGO_COUNT] = {
        [SW_SIP_ALGO_MD5] = "MD5",         [SW_SIP_ALGO_MD5_SESS] = "MD5-sess",
        [SW_SIP_ALGO_SHA256] = "SHA-256",  [SW_SIP_ALGO_SHA256_SESS] = "SHA-256-sess",
        [SW_SIP_ALGO_UNKNOWN] = "unknown",
};

const char *
sw_sip_algo_name(enum sw_sip_digest_algo a)
{
	return (unsigned)a < SW_SIP_ALGO_COUNT ? algo_names[a] : "?";
}

/* Case-insensitive compare of n bytes of p with lower-case literal s. p holds token characters
 * only (checked by the caller) or any bytes: OR-ing 0x20 maps A-Z onto a-z and leaves every
 * other token character alone; a non-token byte can only equal a lower-case letter if it is the
 * upper-case form of it. */
static inline int
ieq(const char *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)p[i];
		if (c >= 'A' && c <= 'Z')
			c |= 0x20;
		if (c != (uint8_t)s[i])
			return 0;
	}
	return 1;
}

static inline uint64_t
load64(const char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}

static inline uint32_t
load32(const char *p)
{
	uint32_t x;
	memcpy(&x, p, 4);
	return x;
}

static inline uint16_t
load16(const char *p)
{
	uint16_t x;
	memcpy(&x, p, 2);
	return x;
}

/*
 * The n bytes at p (1 <= n <= 8) zero-extended, from two loads that may overlap (the overlap
 * ORs equal bytes). A memcpy of n bytes into a zeroed uint64_t compiled to narrow stores and
 * one 8-byte reload of them, which cannot be store-forwarded: perf put 15 % of the parse of a
 * 200 OK on that reload. n is a constant at every call, so only one branch remains.
 */
static inline uint64_t
loadn(const char *p, size_t n)
{
	if (n >= 8)
		return load64(p);
	if (n >= 4)
		return load32(p) | (uint64_t)load32(p + n - 4) << (8 * (n - 4));
	if (n >= 2)
		return load16(p) | (uint64_t)load16(p + n - 2) << (8 * (n - 2));
	return (uint8_t)p[0];
}

/*
 * Literals of up to 8 bytes as 64-bit constants (little-endian, as load64 reads): LIT64 the
 * bytes, FOLD64 0x20 on each letter position, KEEP64 the bytes the literal covers. Written as
 * macros so that the compiler folds them to constants (a loop over the literal was not).
 */
#define LI(s, i) ((i) < sizeof(s) - 1 ? (i) : 0)
#define LB(s, i) ((i) < sizeof(s) - 1 ? (uint64_t)(uint8_t)(s)[LI(s, i)] << (8 * (i)) : 0)
#define LL(s, i) ((i) < sizeof(s) - 1 && (s)[LI(s, i)] >= 'a' && (s)[LI(s, i)] <= 'z')
#define LF(s, i) (LL(s, i) ? UINT64_C(0x20) << (8 * (i)) : 0)
#define LIT64(s)                                                                                   \
	(LB(s, 0) | LB(s, 1) | LB(s, 2) | LB(s, 3) | LB(s, 4) | LB(s, 5) | LB(s, 6) | LB(s, 7))
#define FOLD64(s)                                                                                  \
	(LF(s, 0) | LF(s, 1) | LF(s, 2) | LF(s, 3) | LF(s, 4) | LF(s, 5) | LF(s, 6) | LF(s, 7))
#define KEEP64(s)                                                                                  \
	(sizeof(s) - 1 >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * ((sizeof(s) - 1) & 7))) - 1)
/*
 * Do the 8 bytes x (load64) begin with the lower-case literal s (at most 8 bytes)? Letters
 * compare case-insensitively (OR 0x20 on letter positions only: x | 0x20 equals a lower-case
 * letter only for that letter in either case), everything else exactly.
 */
#define N8(x, s) ((((x) | FOLD64(s)) & KEEP64(s)) == LIT64(s))
/* The same for the sizeof(s) - 1 bytes at p (at most 8), reading only those; ieq() semantics. */
#define IEQ(p, s) ((loadn((p), sizeof(s) - 1) | FOLD64(s)) == LIT64(s))

/*
 * c may be white space: a byte up to SP (a superset of CC_WS, tested without the table load),
 * for the guards before skip_ws(), which then decides.
 */
#define MAYBE_WS(c) ((uint8_t)(c) <= ' ')

static inline const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && IS(*p, CC_WS))
		p++;
	return p;
}

static inline const char *
skip_token(const char *p, const char *end, const char *lim)
{
	return scan_set(p, end, lim, SET_TOKEN);
}

static inline struct sw_sip_str
slice(const char *a, const char *b)
{
	return (struct sw_sip_str){a, (uint32_t)(b - a)};
}

/*
 * quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE
 * quoted-pair   = "\" (%x00-09 / %x0B-0C / %x0E-7F)
 * p is at the opening quote. Returns the pointer after the closing quote, NULL when unclosed.
 */
static const char *
skip_quoted(const char *p, const char *end, const char *lim)
{
	for (p++;;) {
		p = find2(p, end, lim, '"', '\\');
		if (p == end)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (p + 1 == end)
			return NULL;
		p += 2;
	}
}

/*
 * delta-seconds = 1*DIGIT, clamped at 2^32-1 (RFC 3261 section 20.19). Returns the pointer
 * after the digits, NULL when there is no digit.
 */
static const char *
parse_u32(const char *p, const char *end, uint64_t *out)
{
	const char *s = p;
	uint64_t v = 0;
	unsigned d;

	/* a digit is a byte whose distance from '0' is at most 9 (CC_DIGIT, without the load) */
	while (p < end && (d = (unsigned)(uint8_t)*p - '0') <= 9) {
		v = v * 10 + d;
		if (v > UINT32_MAX)
			v = UINT32_MAX + UINT64_C(1); /* remember overflow, keep bounded */
		p++;
	}
	if (p == s)
		return NULL;
	*out = v;
	return p;
}

/*
 * The 4 bytes at p as a 4-digit number (the usual Expires 3600), from one load: 1 with *out
 * set when all four are digits, 0 otherwise. parse_u32() over the same 4 bytes gives the
 * same value (and stops after them at the value's end); its loop cost ~50 instructions.
 */
static inline int
dec4(const char *p, uint64_t *out)
{
	uint32_t x = load32(p), d;

	/* every byte 0x30..0x3f, then none of them above 0x39: with 6 added, no byte carries
	 * and a digit stays in 0x30..0x3f */
	if ((x & 0xf0f0f0f0u) != 0x30303030u || ((x + 0x06060606u) & 0xf0f0f0f0u) != 0x30303030u)
		return 0;
	d = x - 0x30303030u;   /* the digit values, the first in the low byte */
	d = d * 10 + (d >> 8); /* bytes 0 and 2: the two 2-digit halves */
	*out = (d & 0xff) * 100 + ((d >> 16) & 0xff);
	return 1;
}

static enum sw_sip_method
method_lookup(const char *p, size_t n)
{
	/* Methods are case-sensitive (RFC 3261 section 7.1). */
	switch (n) {
	case 3:
		if (memcmp(p, "ACK", 3) == 0)
			return SW_SIP_METHOD_ACK;
		if (memcmp(p, "BYE", 3) == 0)
			return SW_SIP_METHOD_BYE;
		break;
	case 4:
		if (memcmp(p, "INFO", 4) == 0)
			return SW_SIP_METHOD_INFO;
		break;
	case 5:
		if (memcmp(p, "PRACK", 5) == 0)
			return SW_SIP_METHOD_PRACK;
		if (memcmp(p, "REFER", 5) == 0)
			return SW_SIP_METHOD_REFER;
		break;
	case 6:
		if (memcmp(p, "INVITE", 6) == 0)
			return SW_SIP_METHOD_INVITE;
		if (memcmp(p, "CANCEL", 6) == 0)
			return SW_SIP_METHOD_CANCEL;
		if (memcmp(p, "NOTIFY", 6) == 0)
			return SW_SIP_METHOD_NOTIFY;
		if (memcmp(p, "UPDATE", 6) == 0)
			return SW_SIP_METHOD_UPDATE;
		break;
	case 7:
		if (memcmp(p, "OPTIONS", 7) == 0)
			return SW_SIP_METHOD_OPTIONS;
		if (memcmp(p, "MESSAGE", 7) == 0)
			return SW_SIP_METHOD_MESSAGE;
		if (memcmp(p, "PUBLISH", 7) == 0)
			return SW_SIP_METHOD_PUBLISH;
		break;
	case 8:
		if (memcmp(p, "REGISTER", 8) == 0)
			return SW_SIP_METHOD_REGISTER;
		break;
	case 9:
		if (memcmp(p, "SUBSCRIBE", 9) == 0)
			return SW_SIP_METHOD_SUBSCRIBE;
		break;
	default:
		break;
	}
	return SW_SIP_METHOD_OTHER;
}

/*
 * One generic parameter:
 *   generic-param = token [ EQUAL gen-value ]
 *   gen-value     = token / host / quoted-string
 * p is just after the ";" (white space allowed around it). On success returns the pointer after
 * the parameter and fills name and val (val.len 0 without a value; quotes kept). NULL on a
 * syntax error.
 */
static inline __attribute__((always_inline)) const char *
next_param_inline(const char *p, const char *end, const char *lim, struct sw_sip_str *name,
                  struct sw_sip_str *val)
{
	const char *s;

#ifdef __AVX2__
	/*
	 * The usual shape first: name=token or name="quoted" without white space or escapes,
	 * inside one 32-byte load. Anything else (or a longer parameter) takes the general path
	 * below, which gives the same result for these shapes too.
	 */
	if (p < end && MAYBE_WS(*p))
		p = skip_ws(p, end);
	if (lim - p >= 32 && end > p) {
		__m256i x = ld32(p);
		uint32_t stop = past(end - p);
		uint32_t nt = notin32(x, SET_TOKEN) | stop;
		unsigned ne = nt != 0 ? (unsigned)__builtin_ctz(nt) : 32;
		const char *ve = NULL;

		if (ne > 0 && ne < 31 && (ptrdiff_t)ne + 1 < end - p && p[ne] == '=') {
			if (p[ne + 1] == '"') {
				/* the closing quote in the same window (no escape before it), or the
				 * general quoted-string scan */
				uint32_t q = (eq32(x, '"') | eq32(x, '\\') | stop) &
				             (~UINT32_C(1) << (ne + 1));
				unsigned qe = q != 0 ? (unsigned)__builtin_ctz(q) : 32;
				if (qe < 32 && (ptrdiff_t)qe < end - p && p[qe] == '"')
					ve = p + qe + 1;
				else
					ve = skip_quoted(p + ne + 1, end, lim);
				if (ve == NULL)
					return NULL;
			} else {
				uint32_t g = (notin32(x, SET_GENVAL) | stop) &
				             (~UINT32_C(0) << (ne + 1));
				ve = g != 0 ? p + __builtin_ctz(g)
				            : scan_set(p + 32, end, lim, SET_GENVAL);
				if (ve ==
				    p + ne + 1) /* empty, or white space after '=': general path */
					ve = NULL;
			}
		}
		if (ve != NULL) {
			*name = (struct sw_sip_str){p, ne};
			*val = slice(p + ne + 1, ve);
			if (ve < end && MAYBE_WS(*ve))
				ve = skip_ws(ve, end);
			return ve;
		}
	}
#endif
	p = skip_ws(p, end);
	s = p;
	p = skip_token(p, end, lim);
	if (p == s)
		return NULL;
	*name = slice(s, p);
	*val = (struct sw_sip_str){NULL, 0};
	p = skip_ws(p, end);
	if (p == end || *p != '=')
		return p;
	p = skip_ws(p + 1, end);
	s = p;
	if (p < end && *p == '"') {
		p = skip_quoted(p, end, lim);
		if (p == NULL)
			return NULL;
	} else {
		p = scan_set(p, end, lim, SET_GENVAL);
		if (p == s)
			return NULL;
	}
	*val = slice(s, p);
	return skip_ws(p, end);
}

/* next_param_inline() out of line, for the callers where its size matters more */
static const char *
next_param(const char *p, const char *end, const char *lim, struct sw_sip_str *name,
           struct sw_sip_str *val)
{
	return next_param_inline(p, end, lim, name, val);
}

static struct sw_sip_str
unquote(struct sw_sip_str v)
{
	if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"')
		return (struct sw_sip_str){v.p + 1, v.len - 2};
	return v;
}

/*
 * via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 * sent-protocol = protocol-name SLASH protocol-version SLASH transport
 * sent-by       = host [ COLON port ]
 * via-params    = via-ttl / via-maddr / via-received / via-branch / response-port / via-extension
 * via-branch    = "branch" EQUAL token
 * via-received  = "received" EQUAL (IPv4address / IPv6address)
 * response-port = "rport" [EQUAL 1*DIGIT]                      (RFC 3581)
 * Only the first via-parm of the top Via is decoded.
 */
static __attribute__((noinline)) enum sw_sip_reason
parse_via(struct sw_sip_msg *m, const char *p, const char *end, const char *lim)
{
	const char *s;
	uint64_t v;

	p = skip_ws(p, end);
	if (end - p >= 8 && N8(load64(p), "sip/2.0/")) {
		/* the usual spelling, without white space around the first slashes */
		p = skip_ws(p + 8, end);
	} else {
		s = p;
		p = skip_token(p, end, lim);
		if (p - s != 3 || !IEQ(s, "sip"))
			return SW_SIP_BAD_VIA;
		p = skip_ws(p, end);
		if (p == end || *p != '/')
			return SW_SIP_BAD_VIA;
		p = skip_ws(p + 1, end);
		s = p;
		p = skip_token(p, end, lim);
		if (p - s != 3 || memcmp(s, "2.0", 3) != 0)
			return SW_SIP_BAD_VIA;
		p = skip_ws(p, end);
		if (p == end || *p != '/')
			return SW_SIP_BAD_VIA;
		p = skip_ws(p + 1, end);
	}
	s = p;
	p = skip_token(p, end, lim);
	if (p == s)
		return SW_SIP_BAD_VIA;
	m->via_transport = slice(s, p);
	p = skip_ws(p, end);
	s = p;
	if (p < end && *p == '[') {
		while (p < end && *p != ']')
			p++;
		if (p == end)
			return SW_SIP_BAD_VIA;
		p++;
	} else {
		p = scan_set(p, end, lim, SET_HOSTNC);
	}
	if (p == s)
		return SW_SIP_BAD_VIA;
	m->via_host = slice(s, p);
	p = skip_ws(p, end);
	if (p < end && *p == ':') {
		p = parse_u32(skip_ws(p + 1, end), end, &v);
		if (p == NULL || v > 65535)
			return SW_SIP_BAD_VIA;
		m->via_port = (int32_t)v;
		p = skip_ws(p, end);
	}
	while (p < end && *p == ';') {
		struct sw_sip_str n, val;

		p = next_param(p + 1, end, lim, &n, &val);
		if (p == NULL)
			return SW_SIP_BAD_VIA;
		if (n.len == 6 && IEQ(n.p, "branch")) {
			if (val.len == 0)
				return SW_SIP_BAD_VIA;
			if (val.len > SW_SIP_TOKEN_FIELD_MAX)
				return SW_SIP_OVERSIZE_FIELD;
			if (m->via_branch.len == 0) /* the first one counts, as in libosip2 */
				m->via_branch = val;
		} else if (n.len == 8 && IEQ(n.p, "received")) {
			m->via_received = val;
		} else if (n.len == 5 && IEQ(n.p, "rport")) {
			if (val.len == 0) {
				m->via_rport = 0;
			} else {
				const char *e = parse_u32(val.p, val.p + val.len, &v);
				if (e != val.p + val.len || v > 65535)
					return SW_SIP_BAD_VIA;
				m->via_rport = (int32_t)v;
			}
		}
	}
	if (p < end && *p != ',')
		return SW_SIP_BAD_VIA;
	return SW_SIP_OK;
}

/* The first byte at or after p that is SP, white space or a control byte (<= 0x20), or end. */
static inline const char *
find_ctl_sp(const char *p, const char *end, const char *lim)
{
#ifdef __AVX2__
	while (lim - p >= 32) {
		__m256i x = ld32(p);
		/* x <= 0x20 unsigned: max(x, 0x21) differs from x */
		uint32_t m = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
		                     _mm256_max_epu8(x, _mm256_set1_epi8(0x21)), x)) |
		             past(end - p);
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 32;
	}
#else
	(void)lim;
#endif
	while (p < end && (uint8_t)*p > 0x20)
		p++;
	return p;
}

/* The first ';', ',' or '"' at or after p, or end. */
static inline const char *
find_param_stop(const char *p, const char *end, const char *lim)
{
#ifdef __AVX2__
	while (lim - p >= 32) {
		__m256i x = ld32(p);
		uint32_t m = eq32(x, ';') | eq32(x, ',') | eq32(x, '"') | past(end - p);
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 32;
	}
#else
	(void)lim;
#endif
	while (p < end && *p != ';' && *p != ',' && *p != '"')
		p++;
	return p;
}

/*
 * SW_SIP_WANT_BRANCH: the branch parameter of the first via-parm. Parameters are found at each
 * ';' outside quoted strings up to the first ',' (the places where parse_via's walk starts
 * one); only one named branch is decoded (next_param, as parse_via does), the others are
 * skipped without decoding sent-protocol, sent-by or their values.
 */
static inline enum sw_sip_reason
branch_at(struct sw_sip_msg *m, const char *semi, const char *end, const char *lim)
{
	struct sw_sip_str n, val;
	const char *q = semi + 1, *e;

	if (q < end && MAYBE_WS(*q))
		q = skip_ws(q, end);
	/* the usual "branch=token": next_param's value without the call (is_branch() has
	 * checked the name); white space, a quote or an empty value take next_param */
	if (end - q > 7 && q[6] == '=' && (e = scan_set(q + 7, end, lim, SET_GENVAL)) > q + 7) {
		val = slice(q + 7, e);
	} else {
		q = next_param(semi + 1, end, lim, &n, &val);
		if (q == NULL || val.len == 0)
			return SW_SIP_BAD_VIA;
	}
	if (val.len > SW_SIP_TOKEN_FIELD_MAX)
		return SW_SIP_OVERSIZE_FIELD;
	m->via_branch = val;
	return SW_SIP_OK;
}

/* Is the parameter after the ';' at semi named branch (white space before the name allowed)? */
static inline int
is_branch(const char *semi, const char *end)
{
	const char *q = semi + 1;

	if (q < end && MAYBE_WS(*q))
		q = skip_ws(q, end);
	return end - q >= 6 && IEQ(q, "branch") && !(end - q > 6 && IS(q[6], CC_TOKEN));
}

static enum sw_sip_reason
find_branch(struct sw_sip_msg *m, const char *p, const char *end, const char *lim)
{
#ifdef __AVX2__
	/*
	 * 32 bytes a step: every ';' before the first ',' or '"' of the value starts a
	 * parameter (the stops the loop below finds one by one); at a ',' or '"' that loop
	 * takes over from there.
	 */
	while (lim - p >= 32) {
		__m256i x = ld32(p);
		uint32_t brk = eq32(x, ',') | eq32(x, '"') | past(end - p);
		uint32_t semi = eq32(x, ';') & (brk != 0 ? (brk & -brk) - 1 : ~UINT32_C(0));
		/* is_branch() needs b, B or white space after the ';': a byte | 0x20 equal to
		 * 'b', or one below 0x21 as a signed byte (white space, controls, >= 0x80); the
		 * byte after bit 31 is in the next load */
		uint32_t nb = eq32(_mm256_or_si256(x, _mm256_set1_epi8(0x20)), 'b') |
		              (uint32_t)_mm256_movemask_epi8(
		                      _mm256_cmpgt_epi8(_mm256_set1_epi8(0x21), x));

		semi &= nb >> 1 | UINT32_C(1) << 31;

		for (; semi != 0; semi &= semi - 1) {
			const char *s = p + __builtin_ctz(semi);
			if (is_branch(s, end))
				return branch_at(m, s, end, lim);
		}
		if (brk != 0) {
			p += __builtin_ctz(brk);
			break;
		}
		p += 32;
	}
#endif
	for (;;) {
		p = find_param_stop(p, end, lim);
		if (p == end || *p == ',')
			return SW_SIP_OK;
		if (*p == '"') {
			p = skip_quoted(p, end, lim);
			if (p == NULL)
				return SW_SIP_BAD_VIA;
			continue;
		}
		if (is_branch(p, end))
			return branch_at(m, p, end, lim);
		p++;
	}
}

/*
 * find_branch() for the usual Via value, from the 64 bytes at p: the ';'s before the first '"'
 * or ',' (or the end) in order. The first whose parameter reads "branch=" (any case) and a
 * non-empty gen-value is the one find_branch() decodes, when no ';' before it may start a
 * branch spelled otherwise (white space after the ';', or a name starting with b). Returns 1
 * with *r set as find_branch() would (m->via_branch set on SW_SIP_OK when found), 0 to leave
 * the value to find_branch() (a quote, a longer value, another spelling).
 */
static inline int
branch_fast(struct sw_sip_msg *m, const char *p, const char *end, const char *lim,
            enum sw_sip_reason *r)
{
#ifdef __AVX2__
	uint64_t semi, brk, first;

	if (lim - p < 64)
		return 0;
	{
		__m256i a = ld32(p), b = ld32(p + 32);

		semi = eq32(a, ';') | (uint64_t)eq32(b, ';') << 32;
		brk = (eq32(a, ',') | eq32(a, '"')) | (uint64_t)(eq32(b, ',') | eq32(b, '"')) << 32;
	}
	if (end - p < 64)
		brk |= ~UINT64_C(0) << (end - p);
	/* no stop in the window (a value of 64 bytes or more): its ';'s, then the walk */
	first = brk & -brk;
	for (semi &= first - 1; semi != 0; semi &= semi - 1) {
		const char *sc = p + __builtin_ctzll(semi), *d, *e;

		if (lim - sc < 9)
			return 0;
		if (!N8(load64(sc + 1), "branch=")) {
			if (((uint8_t)sc[1] | 0x20) == 'b' || MAYBE_WS(sc[1]))
				return 0;
			continue;
		}
		if (end - sc < 8)
			return 0;
		d = sc + 8;
		e = scan_set(d, end, lim, SET_GENVAL);
		if (e == d)
			return 0;
		if (e - d > SW_SIP_TOKEN_FIELD_MAX) {
			*r = SW_SIP_OVERSIZE_FIELD;
			return 1;
		}
		m->via_branch = slice(d, e);
		*r = SW_SIP_OK;
		return 1;
	}
	/* no branch before the first stop: the end or a comma ends the walk, a quote does not */
	if (first == 0)
		return 0;
	{
		const char *st = p + __builtin_ctzll(first);

		if (st < end && *st == '"')
			return 0;
	}
	*r = SW_SIP_OK;
	return 1;
#else
	(void)m;
	(void)p;
	(void)end;
	(void)lim;
	(void)r;
	return 0;
#endif
}

/* The first '<', ';', ',' or '"' at or after p, or end. */
static inline const char *
find_addr_stop(const char *p, const char *end, const char *lim)
{
#ifdef __AVX2__
	while (lim - p >= 32) {
		__m256i x = ld32(p);
		uint32_t m =
		        eq32(x, '<') | eq32(x, ';') | eq32(x, ',') | eq32(x, '"') | past(end - p);
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 32;
	}
#else
	(void)lim;
#endif
	while (p < end && *p != '<' && *p != ';' && *p != ',' && *p != '"')
		p++;
	return p;
}

/*
 * The address part of From, To and Contact, then its parameters:
 *   from-spec   = ( name-addr / addr-spec ) *( SEMI from-param )
 *   name-addr   = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 * Without angle brackets, parameters after the URI belong to the header (RFC 3261 section
 * 20.10). Fills uri (without brackets), tag and expires (when asked), stops at a comma outside
 * quotes and brackets (next Contact) and returns the pointer there, NULL on a syntax error.
 */
static const char *
parse_addr(const char *p, const char *end, const char *lim, struct sw_sip_str *uri,
           struct sw_sip_str *tag, int64_t *expires, enum sw_sip_reason *why)
{
	const char *s;

	*why = SW_SIP_BAD_FROM_TO;
	p = skip_ws(p, end);
	s = p;
	/* display name or addr-spec: scan to '<', ';', ',' (no scan for a bare "<uri>") */
	while (p < end && *p != '<') {
		p = find_addr_stop(p, end, lim);
		if (p == end || *p != '"')
			break;
		p = skip_quoted(p, end, lim);
		if (p == NULL)
			return NULL;
	}
	if (p < end && *p == '<') {
		s = p + 1;
		p = find2(s, end, lim, '>', '>');
		if (p == end)
			return NULL;
		*uri = slice(s, p);
		p = skip_ws(p + 1, end);
	} else {
		const char *e = p;
		while (e > s && IS(e[-1], CC_WS))
			e--;
		*uri = slice(s, e);
	}
	if (uri->len == 0)
		return NULL;
	while (p < end && *p == ';') {
		struct sw_sip_str n, val;

		/* the usual ";expires=N" of a Contact: next_param's slices without the call */
		if (expires != NULL && end - p > 9 && IEQ(p + 1, "expires=")) {
			const char *d = p + 9, *e = scan_set(d, end, lim, SET_GENVAL), *de;
			uint64_t v;

			if (e > d) {
				de = parse_u32(d, e, &v);
				if (de != e) {
					*why = SW_SIP_BAD_NUMBER;
					return NULL;
				}
				*expires = v > UINT32_MAX ? UINT32_MAX : (int64_t)v;
				p = e < end && MAYBE_WS(*e) ? skip_ws(e, end) : e;
				continue;
			}
		}
		p = next_param(p + 1, end, lim, &n, &val);
		if (p == NULL)
			return NULL;
		if (tag != NULL && n.len == 3 && IEQ(n.p, "tag")) {
			if (val.len == 0)
				return NULL;
			if (val.len > SW_SIP_TOKEN_FIELD_MAX) {
				*why = SW_SIP_OVERSIZE_FIELD;
				return NULL;
			}
			*tag = val;
		} else if (expires != NULL && n.len == 7 && IEQ(n.p, "expires")) {
			uint64_t v;
			const char *e = val.len > 0 ? parse_u32(val.p, val.p + val.len, &v) : NULL;
			if (e == NULL || e != val.p + val.len) {
				*why = SW_SIP_BAD_NUMBER;
				return NULL;
			}
			*expires = v > UINT32_MAX ? UINT32_MAX : (int64_t)v;
		}
	}
	if (p < end && *p != ',')
		return NULL;
	*why = SW_SIP_OK;
	return p;
}

/*
 * The usual shape of a whole From, To or Contact value, [p, end) trimmed:
 *   "<" uri ">" [ ";tag=" 1*(token / host characters) ]       (tag != NULL: From, To)
 *   "<" uri ">" [ ";expires=" 1*DIGIT ]                       (expires != NULL: Contact)
 * the parameter name in any case, nothing else, no white space. Returns 1 with uri, tag or
 * expires set exactly as parse_addr() sets them for such a value (which then returns end),
 * or 0 with nothing written (parse_addr() decides, errors and oversize values included).
 * The From, To and Contact of every message of the registration loop have this shape;
 * parse_addr()'s general walk cost ~190 instructions on each.
 */
static inline int
addr_fast(const char *p, const char *end, const char *lim, struct sw_sip_str *uri,
          struct sw_sip_str *tag, int64_t *expires)
{
	const char *g, *e;
	uint64_t v;

	if (end - p < 3 || *p != '<')
		return 0;
	g = find2(p + 1, end, lim, '>', '>');
	if (g == end || g == p + 1)
		return 0;
	if (g + 1 == end) {
		*uri = slice(p + 1, g);
		return 1;
	}
	if (tag != NULL) {
		/* ";tag=" and the value, all of the rest */
		if (end - g <= 6 || !IEQ(g + 1, ";tag="))
			return 0;
		e = scan_set(g + 6, end, lim, SET_GENVAL);
		if (e != end || e - (g + 6) > SW_SIP_TOKEN_FIELD_MAX)
			return 0;
		*uri = slice(p + 1, g);
		*tag = slice(g + 6, end);
		return 1;
	}
	if (expires == NULL || end - g <= 10 || !N8(load64(g + 1), ";expires") || g[9] != '=')
		return 0;
	if (!(end - g == 14 && dec4(g + 10, &v)) && parse_u32(g + 10, end, &v) != end)
		return 0;
	*uri = slice(p + 1, g);
	*expires = v > UINT32_MAX ? UINT32_MAX : (int64_t)v;
	return 1;
}

/*
 * challenge    = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
 * digest-cln   = realm / domain / nonce / opaque / stale / algorithm / qop-options / auth-param
 * realm        = "realm" EQUAL quoted-string
 * nonce        = "nonce" EQUAL quoted-string
 * opaque       = "opaque" EQUAL quoted-string
 * stale        = "stale" EQUAL ( "true" / "false" )
 * algorithm    = "algorithm" EQUAL ( "MD5" / "MD5-sess" / "SHA-256" / "SHA-256-sess" / token )
 * qop-options  = "qop" EQUAL LDQUOT qop-value *("," qop-value) RDQUOT
 * auth-param   = token EQUAL ( token / quoted-string )
 */
/* qop-options = LDQUOT qop-value *("," qop-value) RDQUOT, the list without its quotes */
static enum sw_sip_reason
qop_parse(struct sw_sip_challenge *c, struct sw_sip_str uq, const char *lim)
{
	const char *q = uq.p, *qe = uq.p + uq.len;

	c->qop = uq;
	while (q < qe) {
		const char *t;
		q = skip_ws(q, qe);
		t = skip_token(q, qe, lim);
		if (t - q == 4 && IEQ(q, "auth"))
			c->qop_auth = 1;
		q = skip_ws(t, qe);
		if (q < qe && *q != ',')
			return SW_SIP_BAD_CHALLENGE;
		if (q < qe)
			q++;
	}
	return SW_SIP_OK;
}

/* algorithm = "MD5" / "MD5-sess" / "SHA-256" / "SHA-256-sess" / token (any case) */
static enum sw_sip_digest_algo
algo_lookup(struct sw_sip_str uq)
{
	if (uq.len == 3 && IEQ(uq.p, "md5"))
		return SW_SIP_ALGO_MD5;
	if (uq.len == 8 && IEQ(uq.p, "md5-sess"))
		return SW_SIP_ALGO_MD5_SESS;
	if (uq.len == 7 && IEQ(uq.p, "sha-256"))
		return SW_SIP_ALGO_SHA256;
	if (uq.len == 12 && ieq(uq.p, "sha-256-sess", 12))
		return SW_SIP_ALGO_SHA256_SESS;
	return SW_SIP_ALGO_UNKNOWN;
}

/*
 * The closing quote of a quoted value without quoted-pairs: the first '"' at or after p if it
 * comes before end and before any '\\', else NULL (unclosed inside [p, end), or a
 * quoted-pair: the general loop decides). A hit at or past end ends the scan, so that the
 * 32-byte steps need no mask of the bytes past end.
 */
static inline const char *
close_quote(const char *p, const char *end, const char *lim)
{
#ifdef __AVX2__
	while (lim - p >= 32) {
		__m256i x = ld32(p);
		uint32_t m = eq32(x, '"') | eq32(x, '\\');

		if (m != 0) {
			p += __builtin_ctz(m);
			return p < end && *p == '"' ? p : NULL;
		}
		if (end - p <= 32)
			return NULL;
		p += 32;
	}
#endif
	p = find2(p, end, lim, '"', '\\');
	return p < end && *p == '"' ? p : NULL;
}

/*
 * Kamailio's challenge as its auth module writes it, in this order and spelling (names in any
 * case): "Digest realm=" quoted-string ", nonce=" quoted-string ", qop=" DQUOTE "auth" DQUOTE
 * and nothing after, or ", algorithm=MD5" after it (the emulated cluster's 401, lib/cluster:
 * without this tail case its 401 took the parameter loop, ~350 instructions more). Each
 * literal piece is one or two compares; c is zero on entry. Returns 2 with c filled as the
 * general loop fills it for that value, or 0 with c untouched (the parameter loop of
 * challenge_fast() then reads the value from its start).
 */
static inline int
challenge_kamailio(struct sw_sip_challenge *c, const char *p, const char *end, const char *lim)
{
	const char *r0 = p + 14, *r1, *n0, *n1;

	if (end - p < 14 || !N8(load64(p), "digest r") || !IEQ(p + 8, "ealm=\""))
		return 0;
	r1 = close_quote(r0, end, lim);
	if (r1 == NULL || end - r1 < 10 || !N8(load64(r1), "\", nonce") || !IEQ(r1 + 8, "=\""))
		return 0;
	n0 = r1 + 10;
	n1 = close_quote(n0, end, lim);
	if (n1 == NULL || (end - n1 != 13 && end - n1 != 28) || !N8(load64(n1), "\", qop=\"") ||
	    !IEQ(n1 + 8, "auth") || n1[12] != '"')
		return 0;
	/* ", algorithm=" then MD5 (any case) up to end: the value's whole token run, as
	 * challenge_fast() would scan it (the two loads overlap by one byte) */
	if (end - n1 == 28 &&
	    (!N8(load64(n1 + 13), ", algori") || !N8(load64(n1 + 20), "ithm=md5")))
		return 0;
	if (r1 - r0 > SW_SIP_CHALLENGE_FIELD_MAX || n1 - n0 > SW_SIP_CHALLENGE_FIELD_MAX ||
	    n1 == n0)
		return 0;
	if (end - n1 == 28) {
		c->algorithm = (struct sw_sip_str){n1 + 25, 3};
		c->algo = SW_SIP_ALGO_MD5;
	}
	c->realm = slice(r0, r1);
	c->nonce = slice(n0, n1);
	c->qop = (struct sw_sip_str){n1 + 8, 4};
	c->qop_auth = 1;
	c->present = 1;
	return 2;
}

/* what challenge_fast() does with a value */
enum cf_kind {
	CF_STORE, /* realm, nonce, opaque: the slice */
	CF_QOP,
	CF_ALGO,
	CF_STALE,
};

/*
 * The usual shape of a challenge (Kamailio, Asterisk, FreeSWITCH):
 *   "Digest" SP param *( "," [SP] param )
 *   param = ("realm" / "nonce" / "opaque" / "qop") "=" DQUOTE *(qdtext) DQUOTE
 *         / ("algorithm" / "stale") "=" 1*(token / host characters)
 * names in any case, no quoted-pair, no other white space. c is zero on entry. Returns 1 (2
 * when challenge_kamailio() took it) with c filled exactly as the general loop fills it
 * (a later duplicate overwrites, qop_auth once set stays), or 0 with c zero again for
 * anything else (another name or spacing, a backslash, a field too long, a missing realm or
 * nonce, a bad qop list): the general loop then decides, errors included. Always inlined
 * into challenge_parse_zeroed(), itself out of line: GCC had made it a second call, whose
 * prologue, epilogue and stack realignment were 20 instructions of the loop's 401.
 */
static inline __attribute__((always_inline)) int
challenge_fast(struct sw_sip_challenge *c, const char *p, const char *end, const char *lim)
{
	const char *q = p + 7;
	int have_realm = 0;

	if (challenge_kamailio(c, p, end, lim))
		return 2;
	if (end - p < 8 || !N8(load64(p), "digest "))
		return 0;
	for (;;) {
		struct sw_sip_str *f = NULL, val;
		enum cf_kind k = CF_STORE;
		const char *vq, *ve;
		uint64_t x;

		if (lim - q < 8)
			goto slow;
		x = load64(q);
		/* the name with its "=" (and opening quote) must lie inside the value: vq <= end */
		switch ((uint8_t)*q | 0x20) {
		case 'r':
			if (!N8(x, "realm=\""))
				goto slow;
			f = &c->realm;
			have_realm = 1;
			vq = q + 7;
			break;
		case 'n':
			if (!N8(x, "nonce=\""))
				goto slow;
			f = &c->nonce;
			vq = q + 7;
			break;
		case 'o':
			if (!N8(x, "opaque=\""))
				goto slow;
			f = &c->opaque;
			vq = q + 8;
			break;
		case 'q':
			if (!N8(x, "qop=\""))
				goto slow;
			k = CF_QOP;
			vq = q + 5;
			break;
		case 'a':
			if (lim - q < 10 || !N8(x, "algorith") || !IEQ(q + 8, "m="))
				goto slow;
			k = CF_ALGO;
			vq = q + 10;
			break;
		case 's':
			if (!N8(x, "stale="))
				goto slow;
			k = CF_STALE;
			vq = q + 6;
			break;
		default:
			goto slow;
		}
		if (vq > end)
			goto slow;
		if (vq[-1] == '"') {
			ve = close_quote(vq, end, lim);
			if (ve == NULL)
				goto slow;
			q = ve + 1;
		} else {
			ve = scan_set(vq, end, lim, SET_GENVAL);
			if (ve == vq)
				goto slow;
			q = ve;
		}
		val = slice(vq, ve);
		if (val.len > SW_SIP_CHALLENGE_FIELD_MAX)
			goto slow;
		if (SW_LIKELY(k == CF_STORE)) {
			*f = val;
		} else if (k == CF_QOP) {
			if (val.len == 4 && IEQ(val.p, "auth")) {
				c->qop = val;
				c->qop_auth = 1;
			} else if (qop_parse(c, val, lim) != SW_SIP_OK) {
				goto slow;
			}
		} else if (k == CF_ALGO) {
			c->algorithm = val;
			c->algo = (uint8_t)algo_lookup(val);
		} else {
			c->stale = val.len == 4 && IEQ(val.p, "true");
		}
		if (q == end)
			break;
		if (*q != ',')
			goto slow;
		q++;
		if (q < end && *q == ' ')
			q++;
	}
	if (!have_realm || c->nonce.len == 0)
		goto slow;
	c->present = 1;
	return 1;
slow:
	memset(c, 0, sizeof(*c));
	return 0;
}

/* The general loop over the digest-cln list, for any value; c is zero on entry. */
static enum sw_sip_reason
challenge_general(struct sw_sip_challenge *c, const char *p, const char *end, const char *lim)
{
	const char *s;
	int have_realm = 0;

	p = skip_ws(p, end);
	if (end - p > 6 && IEQ(p, "digest") && IS(p[6], CC_WS)) {
		p += 6; /* the usual "Digest ": what the token scan below would find */
	} else {
		s = p;
		p = skip_token(p, end, lim);
		if (p - s != 6 || !IEQ(s, "digest"))
			return p == s ? SW_SIP_BAD_CHALLENGE
			              : SW_SIP_OK; /* another scheme: not ours */
		if (p == end || !IS(*p, CC_WS))
			return SW_SIP_BAD_CHALLENGE;
	}
	for (;;) {
		struct sw_sip_str n, v, uq;

		p = next_param_inline(p, end, lim, &n, &v);
		if (p == NULL || v.len == 0)
			return SW_SIP_BAD_CHALLENGE;
		uq = unquote(v);
		if (uq.len > SW_SIP_CHALLENGE_FIELD_MAX)
			return SW_SIP_OVERSIZE_FIELD;
		switch (n.len) {
		case 3:
			if (IEQ(n.p, "qop") && qop_parse(c, uq, lim) != SW_SIP_OK)
				return SW_SIP_BAD_CHALLENGE;
			break;
		case 5:
			if (IEQ(n.p, "realm")) {
				c->realm = uq;
				have_realm = 1;
			} else if (IEQ(n.p, "nonce")) {
				c->nonce = uq;
			} else if (IEQ(n.p, "stale")) {
				c->stale = uq.len == 4 && IEQ(uq.p, "true");
			}
			break;
		case 6:
			if (IEQ(n.p, "opaque"))
				c->opaque = uq;
			break;
		case 9:
			if (ieq(n.p, "algorithm", 9)) {
				c->algorithm = uq;
				c->algo = (uint8_t)algo_lookup(uq);
			}
			break;
		default:
			break;
		}
		if (p == end)
			break;
		if (*p != ',')
			return SW_SIP_BAD_CHALLENGE;
		p++;
	}
	if (!have_realm || c->nonce.len == 0)
		return SW_SIP_BAD_CHALLENGE;
	c->present = 1;
	return SW_SIP_OK;
}

/* out of line: inlined, the fast path's registers cost the header loop around it */
static __attribute__((noinline)) enum sw_sip_reason
challenge_parse_zeroed(struct sw_sip_challenge *c, const char *p, const char *end, const char *lim)
{
	if (challenge_fast(c, p, end, lim))
		return SW_SIP_OK;
	return challenge_general(c, p, end, lim);
}

/*
 * The same on any c. The memset is kept out of challenge_parse_zeroed(): GCC makes it a
 * rep stos, slow to start, and sw_sip_parse's first challenge goes into zeroed memory.
 */
static enum sw_sip_reason
challenge_parse(struct sw_sip_challenge *c, const char *p, const char *end, const char *lim)
{
	memset(c, 0, sizeof(*c));
	return challenge_parse_zeroed(c, p, end, lim);
}

enum sw_sip_reason
sw_sip_challenge_parse(struct sw_sip_challenge *c, const char *p, size_t len)
{
	return challenge_parse(c, p, p + len, p + len);
}

int
sw_sip_challenge_parse_fast(struct sw_sip_challenge *c, const char *p, size_t len)
{
	memset(c, 0, sizeof(*c));
	return challenge_fast(c, p, p + len, p + len);
}

enum sw_sip_reason
sw_sip_challenge_parse_general(struct sw_sip_challenge *c, const char *p, size_t len)
{
	memset(c, 0, sizeof(*c));
	return challenge_general(c, p, p + len, p + len);
}

/* Header ids found by the name lookup. */
enum hdr {
	H_OTHER = 0,
	H_VIA,
	H_FROM,
	H_TO,
	H_CALL_ID,
	H_CSEQ,
	H_CONTACT,
	H_EXPIRES,
	H_CONTENT_LENGTH,
	H_WWW_AUTH,
	H_PROXY_AUTH,
	H_RETRY_AFTER,
	H_AUTHORIZATION, /* its value kept under SW_SIP_WANT_AUTHORIZATION, never decoded */
	H_SKIP,          /* a name that is not decoded, valid or not (hdr_lookup, hdr_fast) */
};

/*
 * header-name = token; looked up by its first letter, compact forms included
 * (RFC 3261 section 7.3.3: v Via, f From, t To, i Call-ID, m Contact, l Content-Length,
 * k Supported, e Content-Encoding, c Content-Type, s Subject: the last four are not decoded).
 */
static __attribute__((noinline)) enum hdr
hdr_lookup(const char *n, size_t len)
{
	switch ((uint8_t)n[0] | 0x20) {
	case 'v':
		if (len == 1 || (len == 3 && IEQ(n, "via")))
			return H_VIA;
		break;
	case 'f':
		if (len == 1 || (len == 4 && IEQ(n, "from")))
			return H_FROM;
		break;
	case 't':
		if (len == 1 || (len == 2 && IEQ(n, "to")))
			return H_TO;
		break;
	case 'i':
		if (len == 1)
			return H_CALL_ID;
		break;
	case 'm':
		if (len == 1)
			return H_CONTACT;
		break;
	case 'l':
		if (len == 1)
			return H_CONTENT_LENGTH;
		break;
	case 'c':
		if (len == 4 && IEQ(n, "cseq"))
			return H_CSEQ;
		if (len == 7 && IEQ(n, "call-id"))
			return H_CALL_ID;
		if (len == 7 && IEQ(n, "contact"))
			return H_CONTACT;
		if (len == 14 && ieq(n, "content-length", 14))
			return H_CONTENT_LENGTH;
		break;
	case 'e':
		if (len == 7 && IEQ(n, "expires"))
			return H_EXPIRES;
		break;
	case 'w':
		if (len == 16 && ieq(n, "www-authenticate", 16))
			return H_WWW_AUTH;
		break;
	case 'p':
		if (len == 18 && ieq(n, "proxy-authenticate", 18))
			return H_PROXY_AUTH;
		break;
	case 'r':
		if (len == 11 && ieq(n, "retry-after", 11))
			return H_RETRY_AFTER;
		break;
	case 'a':
		if (len == 13 && ieq(n, "authorization", 13))
			return H_AUTHORIZATION;
		break;
	default:
		break;
	}
	return H_SKIP;
}

/*
 * The common header names with the colon right after them, compared 8 bytes at a time
 * (the idea of Kamailio's parse_hname2.c, which reads 4 bytes at a time). Needs 8 readable
 * bytes at p, avail in all; returns the header and sets *nlen (name + colon), H_SKIP for a
 * common name that is not decoded, or H_OTHER to fall back to the byte loop.
 */
static inline enum hdr
hdr_fast(const char *p, size_t avail, size_t *nlen)
{
	uint64_t x = load64(p);

#define NAME(lit, h)                                                                               \
	do {                                                                                       \
		if (N8(x, lit)) {                                                                  \
			*nlen = sizeof(lit) - 1;                                                   \
			return h;                                                                  \
		}                                                                                  \
	} while (0)
/* a compact form (one letter and the colon), tested in its letter's case only: the test
 * before the switch cost every line 4 instructions; a one-letter name of another letter
 * matches no literal below (all have a letter second) and still gives H_OTHER */
#define COMPACT(h)                                                                                 \
	do {                                                                                       \
		if (p[1] == ':') {                                                                 \
			*nlen = 2;                                                                 \
			return h;                                                                  \
		}                                                                                  \
	} while (0)
	switch ((uint8_t)p[0] | 0x20) {
	case 'v':
		COMPACT(H_VIA);
		NAME("via:", H_VIA);
		break;
	case 'f':
		COMPACT(H_FROM);
		NAME("from:", H_FROM);
		break;
	case 't':
		COMPACT(H_TO);
		NAME("to:", H_TO);
		break;
	case 'c':
		/* four common names: the second letter picks the one compare to make */
		if ((p[1] | 0x20) == 'a') {
			NAME("call-id:", H_CALL_ID);
		} else if ((p[1] | 0x20) == 's') {
			NAME("cseq:", H_CSEQ);
		} else {
			NAME("contact:", H_CONTACT);
			if (avail >= 16 && N8(x, "content-")) {
				uint64_t y = load64(p + 8);
				if (N8(y, "length:")) {
					*nlen = 15;
					return H_CONTENT_LENGTH;
				}
				if (N8(y, "type:"))
					return H_SKIP;
			}
		}
		break;
	case 'e':
		NAME("expires:", H_EXPIRES);
		break;
	case 'w':
		if (avail >= 17 && N8(x, "www-auth") && N8(load64(p + 8), "enticate") &&
		    p[16] == ':') {
			*nlen = 17;
			return H_WWW_AUTH;
		}
		break;
	case 'p':
		if (avail >= 19 && N8(x, "proxy-au") && N8(load64(p + 8), "thentica") &&
		    N8(load64(p + 11), "nticate:")) {
			*nlen = 19;
			return H_PROXY_AUTH;
		}
		break;
	case 'r':
		if (avail >= 16 && N8(x, "retry-af") && N8(load64(p + 8), "ter:")) {
			*nlen = 12;
			return H_RETRY_AFTER;
		}
		break;
	/* names that are never decoded: only their spelling is checked */
	case 's':
		if (N8(x, "server:"))
			return H_SKIP;
		if (avail >= 16 && N8(x, "supporte") && N8(load64(p + 8), "d:"))
			return H_SKIP;
		break;
	case 'u':
		if (avail >= 16 && N8(x, "user-age") && N8(load64(p + 8), "nt:"))
			return H_SKIP;
		break;
	case 'a':
		if (N8(x, "allow:"))
			return H_SKIP;
		/* the Authorization of every authenticated REGISTER a registrar reads without
		 * decoding (the two loads overlap by two bytes) */
		if (avail >= 14 && N8(x, "authoriz") && N8(load64(p + 6), "ization:")) {
			*nlen = 14;
			return H_AUTHORIZATION;
		}
		break;
	case 'm':
		COMPACT(H_CONTACT);
		if (avail >= 16 && N8(x, "max-forw") && N8(load64(p + 8), "ards:"))
			return H_SKIP;
		break;
	case 'd':
		if (N8(x, "date:"))
			return H_SKIP;
		break;
	case 'i':
		COMPACT(H_CALL_ID);
		break;
	case 'l':
		COMPACT(H_CONTENT_LENGTH);
		break;
	default:
		break;
	}
#undef COMPACT
#undef NAME
	return H_OTHER;
}

/*
 * Request-Line = Method SP Request-URI SP SIP-Version CRLF
 * Status-Line  = SIP-Version SP Status-Code SP Reason-Phrase CRLF
 * SIP-Version  = "SIP" "/" 1*DIGIT "." 1*DIGIT   (only SIP/2.0 accepted)
 * [p, e) is the line without its CRLF.
 */
static enum sw_sip_reason
parse_start_line(struct sw_sip_msg *m, const char *p, const char *e, const char *lim)
{
	const char *s;

	if (SW_LIKELY(e - p >= 11 && load64(p) == LIT64("SIP/2.0 "))) {
		/* the usual status line: the tests below on one load, digits without the table
		 * (100 <= status <= 699: the first digit 1..6) */
		unsigned d0 = (unsigned)(uint8_t)p[8] - '0', d1 = (unsigned)(uint8_t)p[9] - '0',
		         d2 = (unsigned)(uint8_t)p[10] - '0';

		if (d0 - 1 > 5 || d1 > 9 || d2 > 9 || (e - p > 11 && p[11] != ' '))
			return SW_SIP_BAD_STATUS;
		m->status = (uint16_t)(d0 * 100 + d1 * 10 + d2);
		m->reason = slice(e - p > 11 ? p + 12 : p + 11, e);
		return SW_SIP_OK;
	}
	if (e - p >= 8 && memcmp(p, "SIP/", 4) == 0) {
		unsigned st;

		if (memcmp(p + 4, "2.0 ", 4) != 0)
			return SW_SIP_BAD_VERSION;
		p += 8;
		if (e - p < 3 || !IS(p[0], CC_DIGIT) || !IS(p[1], CC_DIGIT) ||
		    !IS(p[2], CC_DIGIT) || (e - p > 3 && p[3] != ' '))
			return SW_SIP_BAD_STATUS;
		st = (unsigned)(p[0] - '0') * 100 + (unsigned)(p[1] - '0') * 10 +
		     (unsigned)(p[2] - '0');
		if (st < 100 || st > 699)
			return SW_SIP_BAD_STATUS;
		m->status = (uint16_t)st;
		p += 3;
		m->reason = slice(p < e ? p + 1 : p, e);
		return SW_SIP_OK;
	}
	s = p;
	if (e - p > 8 && load64(p) == LIT64("REGISTER") && p[8] == ' ') {
		/* the registrar's usual request: what the token scan and the lookup find */
		p += 8;
		m->method = SW_SIP_METHOD_REGISTER;
	} else {
		/* lim, not e: the method and the Request-URI are classified 32 bytes at a time
		 * even when the line is shorter (byte by byte it was ~150 instructions) */
		p = skip_token(p, e, lim);
		if (p == s || p == e || *p != ' ')
			return SW_SIP_BAD_START_LINE;
		m->method = (uint8_t)method_lookup(s, (size_t)(p - s));
	}
	m->is_request = 1;
	m->method_s = slice(s, p);
	s = ++p;
	p = find_ctl_sp(p, e, lim);
	if (p == s || p == e || *p != ' ')
		return SW_SIP_BAD_START_LINE;
	m->ruri = slice(s, p);
	p++;
	if (e - p < 4 || memcmp(p, "SIP/", 4) != 0)
		return SW_SIP_BAD_START_LINE;
	if (e - p != 7 || memcmp(p + 4, "2.0", 3) != 0)
		return SW_SIP_BAD_VERSION;
	return SW_SIP_OK;
}

/* CSeq = "CSeq" HCOLON 1*DIGIT LWS Method */
static inline enum sw_sip_reason
parse_cseq(struct sw_sip_msg *m, const char *p, const char *end, const char *lim)
{
	uint64_t v;
	const char *s;
	unsigned d;

	/* the registration loop's "1 REGISTER", "2 REGISTER": what the digit loop and the
	 * tests after it find for one digit, without them (with hdr_value()'s one-digit
	 * Content-Length, 55 instructions less on each message of the loop) */
	if (end - p == 10 && (d = (unsigned)(uint8_t)p[0] - '0') <= 9 && p[1] == ' ' &&
	    load64(p + 2) == LIT64("REGISTER")) {
		m->cseq = d;
		m->cseq_method_s = slice(p + 2, end);
		m->cseq_method = SW_SIP_METHOD_REGISTER;
		return SW_SIP_OK;
	}
	p = parse_u32(p, end, &v);
	if (p == NULL || v > UINT32_MAX || p == end || !IS(*p, CC_WS))
		return SW_SIP_BAD_CSEQ;
	m->cseq = (uint32_t)v;
	/* the registration loop's "N REGISTER": one compare for the token scan and the lookup */
	if (end - p == 9 && *p == ' ' && load64(p + 1) == LIT64("REGISTER")) {
		m->cseq_method_s = slice(p + 1, end);
		m->cseq_method = SW_SIP_METHOD_REGISTER;
		return SW_SIP_OK;
	}
	p = skip_ws(p, end);
	s = p;
	p = skip_token(p, end, lim);
	if (p == s || p != end)
		return SW_SIP_BAD_CSEQ;
	m->cseq_method_s = slice(s, p);
	m->cseq_method = (uint8_t)method_lookup(s, (size_t)(p - s));
	return SW_SIP_OK;
}

/* Call-ID = ( "Call-ID" / "i" ) HCOLON callid ; callid = word [ "@" word ] */
static inline enum sw_sip_reason
check_call_id(struct sw_sip_str v, const char *end)
{
	uint32_t i = 0;

	if (v.len == 0)
		return SW_SIP_BAD_CALL_ID;
	if (v.len > SW_SIP_TOKEN_FIELD_MAX)
		return SW_SIP_OVERSIZE_FIELD;
#ifdef __AVX2__
	/* visible ASCII, 0x20 < byte < 0x7f: byte + 1 above 0x21 as a signed byte (0x7f wraps
	 * to -128, 0x80..0xff are negative or 0); one compare instead of two and an AND */
	for (; end - (v.p + i) >= 32 && i < v.len; i += 32) {
		__m256i x = ld32(v.p + i);
		__m256i x1 = _mm256_sub_epi8(x, _mm256_cmpeq_epi8(x, x)); /* x - (-1) */
		__m256i ok = _mm256_cmpgt_epi8(x1, _mm256_set1_epi8(0x21));
		uint32_t bad = ~(uint32_t)_mm256_movemask_epi8(ok);
		if (v.len - i < 32)
			bad &= (UINT32_C(1) << (v.len - i)) - 1;
		if (bad != 0)
			return SW_SIP_BAD_CALL_ID;
	}
#else
	(void)end;
#endif
	for (; i < v.len; i++)
		if ((uint8_t)v.p[i] <= 0x20 || (uint8_t)v.p[i] >= 0x7f)
			return SW_SIP_BAD_CALL_ID;
	return SW_SIP_OK;
}

/*
 * Expires     = "Expires" HCOLON delta-seconds
 * Retry-After = "Retry-After" HCOLON delta-seconds [ comment ] *( SEMI retry-param )
 */
static enum sw_sip_reason
parse_seconds(int64_t *out, const char *p, const char *end, int trailing_ok)
{
	uint64_t v;
	const char *e;

	if (!trailing_ok && end - p == 4 && dec4(p, &v)) {
		*out = (int64_t)v;
		return SW_SIP_OK;
	}
	e = parse_u32(p, end, &v);
	if (e == NULL || (!trailing_ok && e != end))
		return SW_SIP_BAD_NUMBER;
	if (trailing_ok && e != end && !IS(*e, CC_WS) && *e != ';' && *e != '(')
		return SW_SIP_BAD_NUMBER;
	*out = v > UINT32_MAX ? UINT32_MAX : (int64_t)v;
	return SW_SIP_OK;
}

/*
 * Line ends: the LF positions of one 64-byte block at a time as a bit mask, handed out in
 * order. blk is where the current block starts, m its LFs not yet handed out.
 */
struct lf_iter {
	const char *buf, *end, *blk;
	uint64_t m;
};

/* the LFs of the n bytes at blk (n <= 64) one by one: out of line, it is rare with AVX2 */
static __attribute__((noinline)) uint64_t
lf_bits_bytes(const char *blk, size_t n)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++)
		m |= (uint64_t)(blk[i] == '\n') << i;
	return m;
}

static inline uint64_t
lf_bits(const struct lf_iter *it, const char *blk)
{
	size_t n = (size_t)(it->end - blk);

#ifdef __AVX2__
	if (SW_LIKELY(n >= 64))
		return lf64(blk);
	if (it->end - it->buf >= 64) /* the last 64 bytes of the datagram, shifted */
		return lf64(it->end - 64) >> (64 - n);
#endif
	return lf_bits_bytes(blk, n > 64 ? 64 : n);
}

static inline void
lf_start(struct lf_iter *it, const char *buf, const char *p, const char *end)
{
	it->buf = buf;
	it->end = end;
	it->blk = p;
	it->m = lf_bits(it, p);
}

/* The next LF of the datagram, or NULL. */
static inline const char *
lf_next(struct lf_iter *it)
{
	const char *lf;

	while (it->m == 0) {
		if (it->end - it->blk <= 64)
			return NULL;
		it->blk += 64;
		it->m = lf_bits(it, it->blk);
	}
	lf = it->blk + __builtin_ctzll(it->m);
	it->m &= it->m - 1;
	return lf;
}

/* the first LF in [q, end) byte by byte, or NULL (short datagrams without AVX2) */
static __attribute__((noinline)) const char *
lf_find_bytes(const char *q, const char *end)
{
	return memchr(q, '\n', (size_t)(end - q));
}

/*
 * The first LF at or after q, or NULL: the 64 bytes at q at a time (the last 64 bytes of the
 * datagram, shifted, near its end), no state kept between lines (the fast loop of
 * sw_sip_parse(); the general walk uses struct lf_iter).
 */
#ifdef __AVX2__
static inline const char *
lf_find(const char *q, const char *buf, const char *end, __m256i lfv)
{
	for (;;) {
		uint64_t lm;

		if (SW_LIKELY(end - q >= 64))
			lm = lf64v(q, lfv);
		else if (end - buf >= 64)
			lm = lf64v(end - 64, lfv) >> (64 - (end - q));
		else
			return lf_find_bytes(q, end);
		if (SW_LIKELY(lm != 0))
			return q + __builtin_ctzll(lm);
		if (end - q <= 64)
			return NULL;
		q += 64;
	}
}
#else
static inline const char *
lf_find(const char *q, const char *buf, const char *end)
{
	(void)buf;
	return lf_find_bytes(q, end);
}
#endif

/*
 * The LF that ends the fast loop's line at q (q[0] not an LF) when the line is the usual one:
 * 16 bytes or more left at q, CRLF at its end, and after it a name or the empty line CRLF;
 * NULL otherwise (the general walk takes the line). tail_lf: the LFs of the datagram's last
 * 64 bytes (0 for none, or without AVX2); lfv: lf_vec().
 */
#ifdef __AVX2__
static inline __attribute__((always_inline)) const char *
fast_lf(const char *q, const char *buf, const char *end, uint64_t tail_lf, __m256i lfv)
#else
static inline __attribute__((always_inline)) const char *
fast_lf(const char *q, const char *buf, const char *end, uint64_t tail_lf)
#endif
{
	ptrdiff_t avail = end - q;
	const char *nl;
#ifdef __AVX2__
	uint64_t x;

	/* more than 64 bytes left: an LF in the 64 at q leaves 2 bytes after it */
	if (SW_LIKELY(avail > 64) && (x = lf64v(q, lfv)) != 0) {
		nl = q + __builtin_ctzll(x);
	} else if (avail <= 64 && tail_lf != 0) {
		/* the last lines: the LFs of the datagram's last 64 bytes, once */
		x = tail_lf >> (64 - avail);
		if (SW_UNLIKELY(avail < 16 || x == 0))
			return NULL;
		nl = q + __builtin_ctzll(x);
		if (SW_UNLIKELY(end - nl < 2))
			return NULL;
	} else
#else
	(void)tail_lf;
#endif
	{
		if (SW_UNLIKELY(avail < 16))
			return NULL;
#ifdef __AVX2__
		/* a line longer than 64 bytes: the 64 at q are known to hold no LF */
		nl = lf_find(avail > 64 ? q + 64 : q, buf, end, lfv);
#else
		nl = lf_find(q, buf, end);
#endif
		if (SW_UNLIKELY(nl == NULL || end - nl < 2))
			return NULL;
	}
	if (SW_UNLIKELY(nl[-1] != '\r'))
		return NULL;
	if (SW_UNLIKELY(MAYBE_WS(nl[1])) && (nl[1] != '\r' || end - nl < 3 || nl[2] != '\n'))
		return NULL;
	return nl;
}

/* memset(m, 0, sizeof(*m)) without the call into libc (a 464-byte struct: 15 stores) */
static inline void
zero_msg(struct sw_sip_msg *m)
{
#ifdef __AVX2__
	/* written out: GCC turns a loop of these stores back into the call */
	char *z = (char *)m;
	const size_t full = sizeof(*m) / 32 * 32;

	_Static_assert(sizeof(*m) < 16 * 32, "zero_msg: more stores");
#define Z(i)                                                                                       \
	do {                                                                                       \
		if (32 * (i) + 32 <= sizeof(*m))                                                   \
			_mm256_storeu_si256((__m256i *)(void *)(z + 32 * (i)),                     \
			                    _mm256_setzero_si256());                               \
	} while (0)
	Z(0);
	Z(1);
	Z(2);
	Z(3);
	Z(4);
	Z(5);
	Z(6);
	Z(7);
	Z(8);
	Z(9);
	Z(10);
	Z(11);
	Z(12);
	Z(13);
	Z(14);
#undef Z
	memset(z + full, 0, sizeof(*m) - full);
#else
	memset(m, 0, sizeof(*m));
#endif
}

#define SEEN_ONE_HEADER (1u << 16)
_Static_assert(H_SKIP < 16 && SW_SIP_MAX_HEADERS < 0xffff, "seen: ids and count apart");

/* The first byte of a line after a header line, one lookup for the three checks on it. */
enum {
	LS_NAME = 0, /* anything else: a header name (checked by the name lookup) */
	LS_FOLD,     /* SP or HTAB: the line continues the previous header's value */
	LS_EOH,      /* CR or LF: the empty line that ends the header (or a bad line) */
	LS_END,      /* the datagram ends after the LF */
};
static const uint8_t line_start[256] = {
        ['\t'] = LS_FOLD,
        [' '] = LS_FOLD,
        ['\r'] = LS_EOH,
        ['\n'] = LS_EOH,
};

/*
 * The value of one header line that is decoded (h is not H_SKIP or H_OTHER), [v, ve) trimmed;
 * seen as before this line. Inlined into both loops of sw_sip_parse(): with a constant h in
 * the fast one, where the switch folds away.
 */
static inline __attribute__((always_inline)) enum sw_sip_reason
hdr_value(struct sw_sip_msg *m, enum hdr h, const char *v, const char *ve, const char *end,
          unsigned seen, unsigned want)
{
	enum sw_sip_reason r;

	/* From, To, Call-ID, CSeq and Content-Length are allowed once: their cases test seen */
	switch (h) {
	case H_VIA:
		if (SW_LIKELY(!(seen & (1u << H_VIA)))) {
			/* the top Via: no Via counted yet (the bit is set after the first one), so
			 * vias[0] without the load, test and increment of via_count */
			m->vias[0] = slice(v, ve);
			m->via_count = 1;
			if (want & (SW_SIP_WANT_VIA | SW_SIP_WANT_BRANCH)) {
				if (want & SW_SIP_WANT_VIA)
					r = parse_via(m, v, ve, end);
				else if (!branch_fast(m, v, ve, end, &r))
					r = find_branch(m, v, ve, end);
				if (r != SW_SIP_OK)
					return r;
			}
		} else if (m->via_count < SW_SIP_MAX_VIAS) {
			m->vias[m->via_count++] = slice(v, ve);
		}
		break;
	case H_FROM:
	case H_TO: {
		struct sw_sip_str uri;
		struct sw_sip_str *tag = h == H_FROM ? &m->from_tag : &m->to_tag;

		if (seen & (1u << h))
			return SW_SIP_DUPLICATE_HEADER;
		if (h == H_FROM)
			m->from = slice(v, ve);
		else
			m->to = slice(v, ve);
		if ((want & SW_SIP_WANT_TAGS) && !addr_fast(v, ve, end, &uri, tag, NULL)) {
			const char *e = parse_addr(v, ve, end, &uri, tag, NULL, &r);
			if (e != ve)
				return e == NULL ? r : SW_SIP_BAD_FROM_TO;
		}
		break;
	}
	case H_CALL_ID:
		if (seen & (1u << H_CALL_ID))
			return SW_SIP_DUPLICATE_HEADER;
		m->call_id = slice(v, ve);
		r = check_call_id(m->call_id, end);
		if (r != SW_SIP_OK)
			return r;
		break;
	case H_CSEQ:
		if (seen & (1u << H_CSEQ))
			return SW_SIP_DUPLICATE_HEADER;
		m->cseq_s = slice(v, ve);
		r = parse_cseq(m, v, ve, end);
		if (r != SW_SIP_OK)
			return r;
		break;
	case H_CONTACT:
		if (!(seen & (1u << H_CONTACT)) && (want & SW_SIP_WANT_CONTACT)) {
			if (ve - v == 1 && *v == '*') {
				m->contact_uri = slice(v, ve);
			} else if (!addr_fast(v, ve, end, &m->contact_uri, NULL,
			                      &m->contact_expires) &&
			           parse_addr(v, ve, end, &m->contact_uri, NULL,
			                      &m->contact_expires, &r) == NULL) {
				return r == SW_SIP_BAD_NUMBER ? r : SW_SIP_BAD_FROM_TO;
			}
		}
		break;
	case H_EXPIRES:
		if (want & SW_SIP_WANT_NUMBERS) {
			r = parse_seconds(&m->expires, v, ve, 0);
			if (r != SW_SIP_OK)
				return r;
		}
		break;
	case H_RETRY_AFTER:
		if (want & SW_SIP_WANT_NUMBERS) {
			r = parse_seconds(&m->retry_after, v, ve, 1);
			if (r != SW_SIP_OK)
				return r;
		}
		break;
	case H_CONTENT_LENGTH: {
		uint64_t cl;
		const char *e;

		if (seen & (1u << H_CONTENT_LENGTH))
			return SW_SIP_DUPLICATE_HEADER;
		if (ve - v == 1 && (unsigned)(uint8_t)v[0] - '0' <= 9) {
			/* "Content-Length: 0" of every message of the loop: the digit loop's result */
			m->content_length = (uint8_t)v[0] - '0';
			break;
		}
		e = parse_u32(v, ve, &cl);
		if (e == NULL || e != ve || cl > SW_SIP_MSG_MAX)
			return SW_SIP_BAD_CONTENT_LENGTH;
		m->content_length = (int64_t)cl;
		break;
	}
	case H_WWW_AUTH:
	case H_PROXY_AUTH:
		/* keep the first Digest challenge with an algorithm we can answer */
		if (!(want & SW_SIP_WANT_AUTH))
			break;
		if (!m->challenge.present) {
			/* still all zero (a non-Digest one leaves it so): parse in place */
			r = challenge_parse_zeroed(&m->challenge, v, ve, end);
			if (r != SW_SIP_OK)
				return r;
			m->challenge.proxy = m->challenge.present && h == H_PROXY_AUTH;
		} else if (m->challenge.algo == SW_SIP_ALGO_UNKNOWN) {
			struct sw_sip_challenge c;
			r = challenge_parse(&c, v, ve, end);
			if (r != SW_SIP_OK)
				return r;
			if (c.present) {
				c.proxy = h == H_PROXY_AUTH;
				m->challenge = c;
			}
		}
		break;
	case H_AUTHORIZATION:
		/* the first one, raw: the registrar reads it without another pass */
		if ((want & SW_SIP_WANT_AUTHORIZATION) && m->authorization.p == NULL)
			m->authorization = slice(v, ve);
		break;
	default:
		break;
	}
	return SW_SIP_OK;
}

/* hdr_value() for the general walk: out of line, its registers are not the fast loop's */
static __attribute__((noinline)) enum sw_sip_reason
hdr_value_any(struct sw_sip_msg *m, enum hdr h, const char *v, const char *ve, const char *end,
              unsigned seen, unsigned want)
{
	return hdr_value(m, h, v, ve, end, seen, want);
}

/*
 * message-header = header-name HCOLON header-value CRLF, with LWS folding:
 * a line starting with SP or HTAB continues the previous header's value.
 */
enum sw_sip_reason
sw_sip_parse(struct sw_sip_msg *m, const char *buf, size_t len, unsigned want)
{
	const char *p = buf, *end = buf + len, *lf, *le;
	struct lf_iter it;
	enum sw_sip_reason r;
	/* seen: bit h for each header id found; the header count rides in bits 16 and up (one
	 * register for both: the count alone was kept in memory, a store-forwarded chain) */
	unsigned seen = 0, cls;
	uint64_t tail_lf = 0; /* the LFs of the last 64 bytes (0: none, fewer bytes, no AVX2) */
#ifdef __AVX2__
	const __m256i lfv = lf_vec();
#define FAST_LFV , lfv
#else
#define FAST_LFV
#endif

	zero_msg(m);
	m->via_port = -1;
	m->via_rport = -1;
	m->contact_expires = -1;
	m->expires = -1;
	m->retry_after = -1;
	m->content_length = -1;

	if (len > SW_SIP_MSG_MAX)
		return SW_SIP_OVERSIZE_MESSAGE;
	/* RFC 3261 section 7.5: ignore CRLFs before the start line (keep-alives) */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	if (p == end)
		return SW_SIP_EMPTY;
	lf_start(&it, buf, p, end);
	lf = lf_next(&it);
	if (lf == NULL)
		return SW_SIP_TRUNCATED;
	le = (lf > p && lf[-1] == '\r') ? lf - 1 : lf;
	r = parse_start_line(m, p, le, end);
	if (r != SW_SIP_OK)
		return r;
	cls = lf + 1 < end ? line_start[(uint8_t)lf[1]] : LS_END;
#ifdef __AVX2__
	tail_lf = len >= 64 ? lf64v(end - 64, lfv) : 0;
#endif

	for (;;) {
		const char *n, *ne, *v, *ve;
		enum hdr h;

		/*
		 * The usual line first: a common name (what hdr_fast() finds for it), CRLF at
		 * the end, the next line starting with a name or being the empty line. Anything
		 * else, or a line the tests below are not sure of, is left untouched to the
		 * general walk after this loop (its LF iterator set up at that line), which
		 * decides; the next line that starts with a name comes back here.
		 */
		while (SW_SIP_FAST_LOOP && SW_LIKELY(cls == LS_NAME)) {
			const char *q, *nl;
			uint64_t x;

/* the next line into q, nl (its LF) and x (its first 8 bytes), or the general walk */
#define FAST_LINE()                                                                                \
	do {                                                                                       \
		q = lf + 1;                                                                        \
		if (SW_UNLIKELY(seen >= SW_SIP_MAX_HEADERS * SEEN_ONE_HEADER))                     \
			goto restore;                                                              \
		nl = fast_lf(q, buf, end, tail_lf FAST_LFV);                                       \
		if (SW_UNLIKELY(nl == NULL))                                                       \
			goto restore;                                                              \
		x = load64(q);                                                                     \
	} while (0)
/* the value of a decoded header: hdr_value() with a constant h (its switch folds away) */
#define FAST_VALUE(hh)                                                                             \
	do {                                                                                       \
		seen += SEEN_ONE_HEADER;                                                           \
		lf = nl;                                                                           \
		ve = nl;                                                                           \
		/* as below, ve[-1] the CR */                                                      \
		if (SW_LIKELY(v[0] == ' ' && !MAYBE_WS(v[1]) && !MAYBE_WS(ve[-2]))) {              \
			v++;                                                                       \
			ve--;                                                                      \
		} else {                                                                           \
			v = skip_ws(v, ve);                                                        \
			while (ve > v && IS(ve[-1], CC_WS))                                        \
				ve--;                                                              \
		}                                                                                  \
		r = hdr_value(m, (hh), v, ve, end, seen, want);                                    \
		if (r != SW_SIP_OK)                                                                \
			return r;                                                                  \
		seen |= 1u << (hh);                                                                \
	} while (0)
/* a name that is not decoded */
#define FAST_SKIP()                                                                                \
	do {                                                                                       \
		seen += SEEN_ONE_HEADER;                                                           \
		lf = nl;                                                                           \
	} while (0)
/*
 * After a line: the end (the empty line, checked by fast_lf()), or the next line, its name
 * first compared with the one or two that usually follow in the registration loop's messages
 * (the same tests dispatch makes for them), the dispatch on its first letter otherwise (its
 * jump table, ~10 instructions, was taken by one or two lines of each of the four messages).
 */
#define FAST_NEXT(pred)                                                                            \
	do {                                                                                       \
		if (SW_UNLIKELY(MAYBE_WS(lf[1]))) {                                                \
			p = lf + 3;                                                                \
			goto headers_done;                                                         \
		}                                                                                  \
		FAST_LINE();                                                                       \
		pred;                                                                              \
		goto dispatch;                                                                     \
	} while (0)
#define TO(lit, label)                                                                             \
	do {                                                                                       \
		if (N8(x, lit)) {                                                                  \
			v = q + sizeof(lit) - 1;                                                   \
			goto label;                                                                \
		}                                                                                  \
	} while (0)
/* the longer names as the dispatch compares them (FAST_LINE() leaves 16 bytes at q) */
#define IS_MAX_FORWARDS()  (N8(x, "max-forw") && N8(load64(q + 8), "ards:"))
#define IS_AUTHORIZATION() (N8(x, "authoriz") && N8(load64(q + 6), "ization:"))
#define IS_WWW_AUTH()                                                                              \
	(end - q >= 17 && N8(x, "www-auth") && N8(load64(q + 8), "enticate") && q[16] == ':')
#define IS_USER_AGENT() (N8(x, "user-age") && N8(load64(q + 8), "nt:"))
/* to the value code of header hh, label v_<name> (H_VIA: v_via) */
#define FAST(hh, len)                                                                              \
	do {                                                                                       \
		v = q + (len);                                                                     \
		goto LABEL_##hh;                                                                   \
	} while (0)
#define FAST_NAME(lit, hh)                                                                         \
	do {                                                                                       \
		if (N8(x, lit))                                                                    \
			FAST(hh, sizeof(lit) - 1);                                                 \
	} while (0)
#define LABEL_H_VIA            v_via
#define LABEL_H_FROM           v_from
#define LABEL_H_TO             v_to
#define LABEL_H_CALL_ID        v_call_id
#define LABEL_H_CSEQ           v_cseq
#define LABEL_H_CONTACT        v_contact
#define LABEL_H_EXPIRES        v_expires
#define LABEL_H_WWW_AUTH       v_www_auth
#define LABEL_H_CONTENT_LENGTH v_content_length

			FAST_LINE();
		dispatch:
			switch ((uint8_t)x | 0x20) {
			case 'v':
				if (q[1] == ':')
					FAST(H_VIA, 2);
				FAST_NAME("via:", H_VIA);
				break;
			case 'f':
				if (q[1] == ':')
					FAST(H_FROM, 2);
				FAST_NAME("from:", H_FROM);
				break;
			case 't':
				if (q[1] == ':')
					FAST(H_TO, 2);
				FAST_NAME("to:", H_TO);
				break;
			case 'c':
				/* the second letter picks the compare */
				switch ((uint8_t)(x >> 8) | 0x20) {
				case 'a':
					FAST_NAME("call-id:", H_CALL_ID);
					break;
				case 's':
					FAST_NAME("cseq:", H_CSEQ);
					break;
				default:
					FAST_NAME("contact:", H_CONTACT);
					if (N8(x, "content-") && N8(load64(q + 8), "length:"))
						FAST(H_CONTENT_LENGTH, 15);
					break;
				}
				break;
			case 'e':
				FAST_NAME("expires:", H_EXPIRES);
				break;
			case 'w':
				if (IS_WWW_AUTH())
					FAST(H_WWW_AUTH, 17);
				break;
			case 'm':
				if (IS_MAX_FORWARDS())
					goto s_max_forwards;
				break;
			case 's':
				if (N8(x, "server:"))
					goto s_server;
				break;
			case 'u':
				if (IS_USER_AGENT())
					goto s_user_agent;
				break;
			case 'a':
				if (IS_AUTHORIZATION())
					goto s_authorization;
				break;
			default:
				break;
			}
		restore:
			/* the general walk's LFs from this line on */
			lf_start(&it, buf, q, end);
			break;

		v_via:
			FAST_VALUE(H_VIA);
			/* a request has Max-Forwards there (RFC 3261 section 8.1.1) */
			FAST_NEXT(TO("from:", v_from); if (IS_MAX_FORWARDS()) goto s_max_forwards);
		v_from:
			FAST_VALUE(H_FROM);
			FAST_NEXT(TO("to:", v_to));
		v_to:
			FAST_VALUE(H_TO);
			FAST_NEXT(TO("call-id:", v_call_id));
		v_call_id:
			FAST_VALUE(H_CALL_ID);
			FAST_NEXT(TO("cseq:", v_cseq));
		v_cseq:
			FAST_VALUE(H_CSEQ);
			/* the 401's challenge follows CSeq */
			FAST_NEXT(TO("contact:", v_contact);
			          if (IS_WWW_AUTH()) FAST(H_WWW_AUTH, 17));
		v_contact:
			FAST_VALUE(H_CONTACT);
			/* the authenticated REGISTER's credentials follow Contact */
			FAST_NEXT(TO("expires:", v_expires);
			          if (IS_AUTHORIZATION()) goto s_authorization);
		v_expires:
			FAST_VALUE(H_EXPIRES);
			/* a REGISTER's User-Agent, or the 200 OK's Server */
			FAST_NEXT(if (IS_USER_AGENT()) goto s_user_agent;
			          if (N8(x, "server:")) goto s_server);
		v_www_auth:
			FAST_VALUE(H_WWW_AUTH);
			FAST_NEXT(if (N8(x, "server:")) goto s_server);
		v_content_length:
			FAST_VALUE(H_CONTENT_LENGTH);
			FAST_NEXT();
		s_max_forwards:
			FAST_SKIP();
			FAST_NEXT(TO("from:", v_from));
		s_authorization:
			if (want & SW_SIP_WANT_AUTHORIZATION) {
				v = q + 14;
				FAST_VALUE(H_AUTHORIZATION);
			} else {
				FAST_SKIP();
			}
			FAST_NEXT(TO("expires:", v_expires));
		s_server:
		s_user_agent:
			FAST_SKIP();
			FAST_NEXT(if (N8(x, "content-") && N8(load64(q + 8), "length:")) {
				v = q + 15;
				goto v_content_length;
			});
#undef FAST_LFV
#undef IS_MAX_FORWARDS
#undef IS_AUTHORIZATION
#undef IS_WWW_AUTH
#undef IS_USER_AGENT
#undef FAST_NAME
#undef FAST
#undef TO
#undef FAST_NEXT
#undef FAST_SKIP
#undef FAST_VALUE
#undef FAST_LINE
#undef LABEL_H_VIA
#undef LABEL_H_FROM
#undef LABEL_H_TO
#undef LABEL_H_CALL_ID
#undef LABEL_H_CSEQ
#undef LABEL_H_CONTACT
#undef LABEL_H_EXPIRES
#undef LABEL_H_WWW_AUTH
#undef LABEL_H_CONTENT_LENGTH
		}

		p = lf + 1;
		if (SW_UNLIKELY(cls != LS_NAME)) {
			if (cls == LS_END)
				return SW_SIP_TRUNCATED;
			if (*p == '\n') {
				p++;
				break;
			}
			if (*p == '\r') {
				if (p + 1 == end)
					return SW_SIP_TRUNCATED;
				if (p[1] == '\n') {
					p += 2;
					break;
				}
				return SW_SIP_BAD_HEADER;
			}
			/* SP or HTAB right after the start line: not a name, refused below */
		}
		seen += SEEN_ONE_HEADER;
		if (seen >= (SW_SIP_MAX_HEADERS + 1) * SEEN_ONE_HEADER)
			return SW_SIP_TOO_MANY_HEADERS;
		n = p;
		h = H_OTHER;
		v = NULL;
		if (SW_LIKELY(end - p >= 8)) {
			size_t nl = 0;
			h = hdr_fast(p, (size_t)(end - p), &nl);
			v = p + nl;
		}
		if (h == H_OTHER) {
			ne = skip_token(p, end, end);
			if (ne == n)
				return ne == end ? SW_SIP_TRUNCATED : SW_SIP_BAD_HEADER;
			p = ne;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p == end)
				return SW_SIP_TRUNCATED;
			if (*p != ':')
				return SW_SIP_BAD_HEADER;
			v = p + 1;
			h = hdr_lookup(n, (size_t)(ne - n));
		}
		/* no LF between the previous line end and v: this is the first one after v */
		lf = lf_next(&it);
		if (lf == NULL)
			return SW_SIP_TRUNCATED;
		/* what the next line starts with: a name (usually), a fold, the end of the header */
		cls = lf + 1 < end ? line_start[(uint8_t)lf[1]] : LS_END;
		while (SW_UNLIKELY(cls == LS_FOLD)) {
			lf = lf_next(&it);
			if (lf == NULL)
				return SW_SIP_TRUNCATED;
			cls = lf + 1 < end ? line_start[(uint8_t)lf[1]] : LS_END;
		}
		if (h == H_SKIP || (h == H_AUTHORIZATION && !(want & SW_SIP_WANT_AUTHORIZATION)))
			continue;
		ve = lf;
		/* no length test: ve >= v, and a value shorter than 3 bytes fails one of the byte
		 * tests before a read outside [v, ve] (v[0] is ve[-1], or v[1] is the CR) */
		if (SW_LIKELY(v[0] == ' ' && ve[-1] == '\r' && !MAYBE_WS(v[1]) &&
		              !MAYBE_WS(ve[-2]))) {
			/* the usual "Name: value\r\n": nothing more to trim (a control byte there
			 * takes the loops below, which keep it as well) */
			v++;
			ve--;
		} else {
			v = skip_ws(v, ve);
			while (ve > v && IS(ve[-1], CC_WS))
				ve--;
		}
		r = hdr_value_any(m, h, v, ve, end, seen, want);
		if (r != SW_SIP_OK)
			return r;
		seen |= 1u << h;
	}
headers_done:
	m->header_count = (uint16_t)(seen / SEEN_ONE_HEADER);
	if (SW_LIKELY((~seen & ((1u << H_VIA) | (1u << H_FROM) | (1u << H_TO) | (1u << H_CALL_ID) |
	                        (1u << H_CSEQ))) == 0))
		goto required_seen;
	if (!(seen & (1u << H_VIA)))
		return SW_SIP_MISSING_VIA;
	if (!(seen & (1u << H_FROM)))
		return SW_SIP_MISSING_FROM;
	if (!(seen & (1u << H_TO)))
		return SW_SIP_MISSING_TO;
	if (!(seen & (1u << H_CALL_ID)))
		return SW_SIP_MISSING_CALL_ID;
	if (!(seen & (1u << H_CSEQ)))
		return SW_SIP_MISSING_CSEQ;
required_seen:
	if (m->is_request && m->method != m->cseq_method)
		return SW_SIP_CSEQ_METHOD_MISMATCH;
	if (m->is_request && m->method == SW_SIP_METHOD_OTHER &&
	    (m->method_s.len != m->cseq_method_s.len ||
	     memcmp(m->method_s.p, m->cseq_method_s.p, m->method_s.len) != 0))
		return SW_SIP_CSEQ_METHOD_MISMATCH;
	if (m->content_length >= 0) {
		if ((int64_t)(end - p) < m->content_length)
			return SW_SIP_CONTENT_LENGTH_MISMATCH;
		m->body = (struct sw_sip_str){p, (uint32_t)m->content_length};
	} else {
		m->body = slice(p, end);
	}
	return SW_SIP_OK;
}
