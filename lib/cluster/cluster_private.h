/* SPDX-License-Identifier: BSD-3-Clause */
/* lib/cluster internals shared between its files. */
#ifndef CLUSTER_PRIVATE_H
#define CLUSTER_PRIVATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVX2__) || defined(__SSSE3__)
#include <immintrin.h>
#endif

#include "sw_common.h"
#include "sw_cluster.h"
#include "sw_sip.h"

/** aligned_alloc on cache lines (C11 wants the size a multiple of the alignment). */
static inline void *
cl_alloc_lines(size_t n)
{
	return aligned_alloc(SW_CACHE_LINE, (n + SW_CACHE_LINE - 1) & ~(size_t)(SW_CACHE_LINE - 1));
}

/**
 * The first ch in [p, end), or NULL: memchr() inline, 32 bytes a step, for the short distances
 * of header values (a call to the library's costs more than the search).
 */
/**
 * The 32-byte steps of cl_chr(): the first ch in the whole 32-byte blocks from *pp, or NULL
 * with *pp moved to what is left (fewer than 32 bytes; all of it without AVX2).
 */
static inline const char *
cl_chr_blocks(const char **pp, const char *end, char ch)
{
#ifdef __AVX2__
	const __m256i c = _mm256_set1_epi8(ch);
	const char *p = *pp;

	for (; end - p >= 32; p += 32) {
		uint32_t m = (uint32_t)_mm256_movemask_epi8(
		        _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)p), c));
		if (m != 0)
			return p + __builtin_ctz(m);
	}
	*pp = p;
#else
	(void)pp;
	(void)end;
	(void)ch;
#endif
	return NULL;
}

#ifdef __AVX2__
/**
 * Bit i set when byte i of the 32 at p is outside a byte class given as two nibble tables:
 * the byte is in the class when lo[its low nibble] & hi[its high nibble] is not zero (each
 * table repeated in both 128-bit lanes). Two shuffles instead of range tests and compares.
 */
static inline uint32_t
cl_not_in_class32(const char *p, __m256i lo, __m256i hi)
{
	const __m256i nib = _mm256_set1_epi8(0x0f);
	__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i a = _mm256_shuffle_epi8(lo, _mm256_and_si256(x, nib));
	__m256i b = _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(x, 4), nib));

	return (uint32_t)_mm256_movemask_epi8(
	        _mm256_cmpeq_epi8(_mm256_and_si256(a, b), _mm256_setzero_si256()));
}
#endif

static inline const char *
cl_chr(const char *p, const char *end, char ch)
{
	const char *q = cl_chr_blocks(&p, end, ch);

	if (q != NULL)
		return q;
	for (; p < end; p++)
		if (*p == ch)
			return p;
	return NULL;
}

/* ---- header lines of a message (cluster_msg.c) ---- */

/** One header line: [line, next) is the whole line with its folds and line end. */
struct cl_hdr {
	const char *line, *next;
	struct sw_sip_str name, value; /* value trimmed */
};

/** Walks the header lines of a datagram that sw_sip_parse() accepted. */
struct cl_hdr_it {
	const char *p, *end;
	const char *body; /* set when the walk ends: first byte after the empty line */
};

/** Start at the first header line (after the start line). */
void cl_hdr_begin(struct cl_hdr_it *it, const char *buf, size_t len);
/** @return 1 and the next header line, or 0 at the empty line (it->body set) or a bad line. */
int cl_hdr_next(struct cl_hdr_it *it, struct cl_hdr *h);
/** @return 1 when the name is full (case-insensitive) or the one-letter compact form. */
int cl_hdr_is(const struct cl_hdr *h, const char *full, size_t flen, char compact);
/** Find the first header so named; @return 1 and its value, or 0. */
int cl_hdr_find(const char *buf, size_t len, const char *full, size_t flen, char compact,
                struct sw_sip_str *value);
/** The user part of a SIP URI or name-addr ("<sip:alice@x>" -> "alice"); @return 0 or -1. */
int cl_uri_user(struct sw_sip_str s, struct sw_sip_str *user);
/** The host:port of a SIP URI when the host is an IPv4 literal; port 5060 when absent. */
int cl_uri_ipv4(struct sw_sip_str s, uint32_t *ip, uint16_t *port);
/** cl_uri_user() of a slice with the bytes up to lim readable (the datagram's end): faster. */
int cl_uri_user_in(struct sw_sip_str s, const char *lim, struct sw_sip_str *user);
/** cl_uri_ipv4() of a slice with the bytes up to lim readable (the datagram's end): faster. */
int cl_uri_ipv4_in(struct sw_sip_str s, const char *lim, uint32_t *ip, uint16_t *port);
/*
 * The bytes of a and l (a lower-case ASCII literal) agree but for case: x = a ^ l may differ
 * only by 0x20 where l has a lower-case letter; l is ASCII, so b + 0x1f and b + 0x05 carry into
 * bit 7 of their byte exactly when b >= 'a' and b > 'z', without crossing bytes.
 */
static inline int
cl_ieq_word(uint64_t a, uint64_t l)
{
	const uint64_t h = UINT64_C(0x8080808080808080);
	uint64_t letter =
	        ((l + UINT64_C(0x1f1f1f1f1f1f1f1f)) & ~(l + UINT64_C(0x0505050505050505)) & h) >> 2;

	return ((a ^ l) & ~letter) == 0;
}

/**
 * memcmp(a, b, n) == 0 inline for the short strings compared per message (users, realms,
 * URIs): overlapping 8- or 4-byte words, no byte outside [a, a + n) or [b, b + n) read.
 */
static inline int
cl_same(const void *a, const void *b, size_t n)
{
	const char *x = a, *y = b;

	if (n >= 8 && n <= 32) {
		uint64_t d = 0, u, v;
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&u, x + i, 8);
			memcpy(&v, y + i, 8);
			d |= u ^ v;
		}
		memcpy(&u, x + n - 8, 8);
		memcpy(&v, y + n - 8, 8);
		return (d | (u ^ v)) == 0;
	}
	if (n >= 4 && n < 8) {
		uint32_t u0, u1, v0, v1;
		memcpy(&u0, x, 4);
		memcpy(&v0, y, 4);
		memcpy(&u1, x + n - 4, 4);
		memcpy(&v1, y + n - 4, 4);
		return ((u0 ^ v0) | (u1 ^ v1)) == 0;
	}
	if (n > 32)
		return memcmp(x, y, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/** Case-insensitive equality of a slice and a lower-case literal. */
static inline int
cl_ieq(struct sw_sip_str s, const char *lit, size_t n)
{
	if (s.len != n)
		return 0;
	if (n >= 8) {
		/* 8 bytes a step, the last step overlapping */
		for (size_t i = 0;; i += 8) {
			uint64_t a, l;
			if (i > n - 8)
				i = n - 8;
			memcpy(&a, s.p + i, 8);
			memcpy(&l, lit + i, 8);
			if (!cl_ieq_word(a, l))
				return 0;
			if (i == n - 8)
				return 1;
		}
	}
	if (n == 4) {
		uint32_t a0, l0;
		memcpy(&a0, s.p, 4);
		memcpy(&l0, lit, 4);
		return cl_ieq_word(a0, l0);
	}
	if (n >= 4) {
		/* the first and the last 4 bytes (overlapping) */
		uint32_t a0, a1, l0, l1;
		memcpy(&a0, s.p, 4);
		memcpy(&a1, s.p + n - 4, 4);
		memcpy(&l0, lit, 4);
		memcpy(&l1, lit + n - 4, 4);
		return cl_ieq_word((uint64_t)a0 << 32 | a1, (uint64_t)l0 << 32 | l1);
	}
	if (n >= 2) {
		/* the same by overlapping 2-byte words ("md5" of an algorithm) */
		uint16_t a0, a1, l0, l1;
		memcpy(&a0, s.p, 2);
		memcpy(&a1, s.p + n - 2, 2);
		memcpy(&l0, lit, 2);
		memcpy(&l1, lit + n - 2, 2);
		return cl_ieq_word((uint64_t)a0 << 16 | a1, (uint64_t)l0 << 16 | l1);
	}
	for (size_t i = 0; i < n; i++) {
		char ch = s.p[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch + 32);
		if (ch != lit[i])
			return 0;
	}
	return 1;
}

/* ---- digest, server side (cluster_auth.c) ---- */

#define CL_NONCE_LEN 24u
/* user ":" realm ":" password: the rule (< 128) holds at most 21 "{user}" of at most 32 */
#define CL_HA1_INPUT (SW_CLUSTER_USER_MAX + 1 + 128 + 1 + 128 + 21 * SW_CLUSTER_USER_MAX)

enum cl_nonce_state {
	CL_NONCE_OK = 0,
	CL_NONCE_STALE,
	CL_NONCE_BAD
};

/** The nonce of one second, kept: every nonce issued in that second is this text. */
struct cl_nonce_entry {
	uint32_t t; /* seconds */
	uint8_t valid;
	char text[CL_NONCE_LEN];
};

/** The nonce secret and the nonces of the last two seconds (by parity). */
struct cl_nonces {
	struct sw_sip_token_key key;
	struct cl_nonce_entry e[2];
};

void cl_nonce_init(struct cl_nonces *n, const struct sw_sip_token_key *key);
/**
 * sw_cluster_credentials_parse() of [p, p + len) with the bytes up to lim (at or after
 * p + len: the datagram's end) readable: the usual form by a fast path, the same result.
 */
int cl_credentials_parse_in(struct sw_cluster_credentials *cr, const char *p, size_t len,
                            const char *lim);
/** sw_cluster_credentials_parse() without the fast path (the reference of its tests). */
int cl_credentials_parse_slow(struct sw_cluster_credentials *cr, const char *p, size_t len);
/**
 * The first byte in [p, end) that is not an RFC 3261 token character, or end; bytes from lo
 * (at most p) may be read.
 */
const char *cl_token_end(const char *p, const char *end, const char *lo);
/** CL_NONCE_LEN characters: issue time and its MAC. */
void cl_nonce_make(struct cl_nonces *n, uint64_t now, char *out);
/** @return enum cl_nonce_state. */
int cl_nonce_check(const struct cl_nonces *n, struct sw_sip_str nonce, uint64_t now,
                   uint32_t ttl_s);
/** 32 hex characters of MD5(p). */
void cl_md5_hex(const void *p, size_t n, char *out);
/**
 * Count the "{user}"s of c->pw_rule into c->pw_users and, with at most one, split the HA1
 * input around the users into c->ha1_a and c->ha1_b (once, at creation).
 */
void cl_pw_rule_compile(struct sw_cluster *c);
/** A user's HA1 input into buf (CL_HA1_INPUT bytes); @return its length, cl_ha1_len(). */
size_t cl_ha1_input(const struct sw_cluster *c, struct sw_sip_str user, uint8_t *buf);
/** Binary HA1 of a user (at most SW_CLUSTER_USER_MAX characters) under the cluster's rule. */
void cl_ha1(const struct sw_cluster *c, struct sw_sip_str user, uint8_t *ha1);
/** @return 1 when cr->response is right for HA1 (binary) and HA2 (hex). */
int cl_response_check(const uint8_t *ha1, const char *ha2, const struct sw_cluster_credentials *cr);
/* HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2, each value at most 255, and MD5 padding */
#define CL_RESPONSE_BUF (32 + 1 + 255 + 1 + 255 + 1 + 255 + 1 + 255 + 1 + 32 + 72)
/** The bytes whose MD5 the response is, into buf (CL_RESPONSE_BUF); @return their count. */
size_t cl_response_input(const uint8_t *ha1, const char *ha2,
                         const struct sw_cluster_credentials *cr, uint8_t *buf);
/** 32 lower-case hex digits of 16 bytes (a digest). */
static inline void
cl_hex16(char *out, const uint8_t *in)
{
#ifdef __SSSE3__
	const __m128i nib = _mm_set1_epi8(0x0f);
	const __m128i tbl = _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a',
	                                  'b', 'c', 'd', 'e', 'f');
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)in);
	__m128i hi = _mm_shuffle_epi8(tbl, _mm_and_si128(_mm_srli_epi16(x, 4), nib));
	__m128i lo = _mm_shuffle_epi8(tbl, _mm_and_si128(x, nib));

	_mm_storeu_si128((__m128i *)(void *)out, _mm_unpacklo_epi8(hi, lo));
	_mm_storeu_si128((__m128i *)(void *)(out + 16), _mm_unpackhi_epi8(hi, lo));
#else
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < 16; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
#endif
}

/** MD5 padding after n bytes at buf (room for it); @return the number of 64-byte blocks. */
unsigned cl_md5_pad(uint8_t *buf, size_t n);
/**
 * cl_md5_pad() when the padded message is exactly the cap bytes of buf (64 or 128: n + 9 <=
 * cap < n + 73), without a call: 8-byte zero stores, the last of which the length overwrites.
 */
static inline void
cl_md5_pad_into(uint8_t *buf, size_t cap, size_t n)
{
	uint64_t bits = (uint64_t)n * 8; /* RFC 1321 section 3.2: low-order byte first (x86) */

	buf[n] = 0x80;
	for (size_t k = n + 1; k < cap - 8; k += 8)
		memset(buf + k, 0, 8);
	memcpy(buf + cap - 8, &bits, 8);
}
/** @return 1 when cr->response (32 hex digits, either case) is the digest md. */
int cl_response_match(const uint8_t *md, const struct sw_cluster_credentials *cr);
/** MD5 of one padded message of nblk blocks. */
void cl_md5_blocks(const uint8_t *blk, unsigned nblk, uint8_t *md);
/** MD5 of eight padded messages of nblk blocks each (cluster_md5.c). */
void cl_md5x8(const uint8_t *const in[8], unsigned nblk, uint8_t out[8][16]);

/* A field of at most 32 bytes with 32 readable from its start (lim ends the datagram). */
static inline int
cl_short_in(struct sw_sip_str s, const char *lim)
{
	return s.len <= 32 && lim - s.p >= 32;
}

/*
 * cl_response_input() into blk by 32-byte copies (blk has room for the last one's slack)
 * when every field is cl_short_in(); @return its length, or 0.
 */
static inline size_t
cl_response_input_fast(const uint8_t *ha1, const char *ha2, const struct sw_cluster_credentials *cr,
                       const char *lim, uint8_t *blk)
{
	size_t n;

	if (!cl_short_in(cr->nonce, lim) ||
	    (cr->qop.len > 0 && !(cl_short_in(cr->nc, lim) && cl_short_in(cr->cnonce, lim) &&
	                          cl_short_in(cr->qop, lim))))
		return 0;
	cl_hex16((char *)blk, ha1);
	blk[32] = ':';
	memcpy(blk + 33, cr->nonce.p, 32);
	n = 33 + cr->nonce.len;
	blk[n++] = ':';
	if (cr->qop.len > 0) {
		memcpy(blk + n, cr->nc.p, 32);
		n += cr->nc.len;
		blk[n++] = ':';
		memcpy(blk + n, cr->cnonce.p, 32);
		n += cr->cnonce.len;
		blk[n++] = ':';
		memcpy(blk + n, cr->qop.p, 32);
		n += cr->qop.len;
		blk[n++] = ':';
	}
	memcpy(blk + n, ha2, 32);
	return n + 32;
}

/* ---- the binding table (cluster_table.c) ---- */

/** One binding: exactly one cache line. len 0 = empty slot. */
struct cl_binding {
	char user[SW_CLUSTER_USER_MAX];
	uint8_t len;
	uint8_t has_ha1; /* ha1 holds H(user:realm:password) of this user */
	uint16_t port;
	uint32_t ip;
	uint64_t expires; /* ns */
	uint8_t ha1[16];
};

/** Open addressing, linear probing, backward-shift deletion (no tombstones). */
struct cl_table {
	struct cl_binding *b;
	uint32_t mask;  /* slots - 1; slots >= 2 * max */
	uint32_t count; /* slots in use (expired ones included until swept) */
	uint32_t max;
	uint32_t sweep; /* next slot the expiry sweep looks at */
	uint8_t group;
	uint64_t key;
};

int cl_table_init(struct cl_table *t, uint32_t max, uint8_t group, uint64_t key);
void cl_table_fini(struct cl_table *t);
/** A seeded 64-bit multiply-xorshift hash of n bytes (cl_hash_user's, whole; use its high
 *  bits). */
uint64_t cl_hash64(uint64_t key, const char *p, size_t n);
/** The table's hash of a user. */
uint32_t cl_hash_user(uint64_t key, const char *p, size_t n);
/** Start loading the home slot of user (found later by cl_table_find). */
void cl_table_prefetch(const struct cl_table *t, const char *user, size_t len);
/** The slot of user (expired or not), or NULL. */
struct cl_binding *cl_table_find(const struct cl_table *t, const char *user, size_t len);
/** The slot for user, inserted empty-but-keyed when new; NULL when the table is full. */
struct cl_binding *cl_table_get(struct cl_table *t, const char *user, size_t len);
/** cl_table_find() with h = cl_hash_user(t->key, user, len) computed by the caller. */
struct cl_binding *cl_table_find_h(const struct cl_table *t, uint32_t h, const char *user,
                                   size_t len);
/** cl_table_get() with h = cl_hash_user(t->key, user, len) computed by the caller. */
struct cl_binding *cl_table_get_h(struct cl_table *t, uint32_t h, const char *user, size_t len);
/** Remove user; @return 1 when it was there. */
int cl_table_del(struct cl_table *t, const char *user, size_t len);
/** Remove up to budget expired bindings, looking at up to 4 * budget slots. */
void cl_table_sweep(struct cl_table *t, uint64_t now, unsigned budget);

/* ---- the cluster ---- */

enum cl_tmpl {
	T_401 = 0,
	T_401_STALE,
	T_200_REG,
	T_200_PLAIN,
	T_200_OPTIONS,
	T_200_SUB,
	T_400,
	T_403,
	T_404,
	T_405,
	T_483,
	T_501,
	T_503,
	T_503_RA,
	T_COUNT
};

struct cl_rule {
	uint64_t from, until;
	uint32_t param;
	uint8_t kind;
	uint8_t server;
};

/** The faults in force for a server over [from, until). */
struct cl_fault {
	uint64_t from, until;
	uint32_t param; /* of kind */
	uint32_t rate;  /* capacity, 0 = none */
	uint8_t kind;   /* SW_CLUSTER_FAULT_COUNT = none */
};

struct cl_server {
	/* read mostly */
	uint32_t ip;
	uint16_t port;
	uint8_t table;
	uint8_t index;
	char name[32];
	uint8_t name_len;
	char hostport[24]; /* "a.b.c.d:port" */
	uint8_t hostport_len;
	struct cl_fault fault;
	/* token bucket: tokens scaled by 1e9 */
	uint64_t tokens;
	uint64_t last_fill;
	uint32_t bucket_rate;
	/* counters: one writer */
	struct sw_cluster_server_stats st SW_ALIGNED_CACHE;
} SW_ALIGNED_CACHE;

struct cl_slot {
	uint64_t due, seq;
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port, len;
	uint16_t status; /* 0 for a request */
	uint8_t server;
	uint8_t relayed;
	char data[SW_CLUSTER_SLOT_DATA];
};

/** Datagrams the first pass of sw_cluster_input_burst() looks at together. */
#define CL_BURST 16u

/*
 * What the first pass over a burst learnt of one datagram without changing any state: its
 * parse and, for a REGISTER with credentials, the credentials and the verdict of the digest
 * response (a pure function of the datagram: HA1 derives from the user by the password rule,
 * whether it comes from a binding or is computed). The second pass uses it where the single
 * path would compute the same.
 */
struct cl_pre {
	struct sw_sip_msg m;
	struct sw_cluster_credentials cr;
	struct sw_sip_str auth;
	int parse_rc;          /* enum sw_sip_reason of the first parse */
	int cr_rc;             /* of sw_cluster_credentials_parse when has_auth */
	struct sw_sip_str aor; /* with reg: the AOR user (To), at most SW_CLUSTER_USER_MAX */
	uint32_t h;            /* with reg and has_auth: the AOR user's hash in its table */
	uint8_t reg;           /* 1: h, has_auth (and cr_rc, cr when has_auth) are set */
	uint8_t has_auth;      /* an Authorization header was found (auth) */
	uint8_t verdict;       /* 0: not known, 1: the response is right, 2: wrong */
	uint8_t ha1[16];       /* with a verdict */
	uint8_t blk[128 + 32]; /* the padded response input waiting for the 8-lane MD5 (and
	                          room for the 32-byte copies that write it) */
	uint8_t hblk[64];      /* the padded HA1 input waiting for the 8-lane MD5 */
};

/** One message being handled: where answers go and when. */
struct cl_ctx {
	struct sw_cluster *c;
	struct cl_server *s;
	uint64_t now, delay;
	uint32_t src_ip;
	uint16_t src_port;
	const char *lim; /* the end of the request's datagram: bytes before it are readable */
	const struct sw_cluster_sink *sink;
	unsigned emitted;
};

/* ---- answers (cluster_answer.c) ---- */

/* What follows a piece of an answer's constant text. */
enum cl_field {
	CLF_END = 0,       /* nothing: the answer's last piece */
	CLF_REQUEST,       /* the request's Via, From, To (+ our tag), Call-ID, CSeq */
	CLF_NONCE,         /* vars->digest's nonce */
	CLF_REMOTE_TARGET, /* vars' remote target */
	CLF_EXPIRES,       /* vars' expires, in decimal */
};

/* Most pieces in an answer, and constant text in all the answers of one server. */
#define CL_PIECES 6u
#define CL_ATEXT  4096u

/** A piece of constant text (in the server's part of sw_cluster.atext) and the field after it. */
struct cl_piece {
	uint16_t off, len;
	uint8_t field; /* enum cl_field */
};

/** An answer template for one server: its text rendered once, the per-answer fields between. */
struct cl_atmpl {
	struct cl_piece p[CL_PIECES];
	uint8_t n;
	/* for a bound on an answer's length (cl_answer): the pieces' text and their fields'
	 * constant parts (the request's header names, our tag, expires of 10 digits at most) */
	uint8_t n_request, n_nonce, n_target;
	uint16_t fixed;
};

struct sw_cluster {
	struct cl_server srv[SW_CLUSTER_MAX_SERVERS];
	unsigned n_servers;
	unsigned n_tables;
	struct cl_table table[SW_CLUSTER_MAX_SERVERS];
	struct sw_sip_token_key key; /* nonces, branches, tags */
	struct cl_nonces nonces;
	uint32_t nonce_ttl_s, min_expires, max_expires;
	uint8_t record_route;
	char realm[128];
	uint8_t realm_len;
	char pw_rule[128];
	uint8_t pw_rule_len;
	uint8_t pw_users; /* "{user}"s in pw_rule */
	/*
	 * With pw_users <= 1 and a one-block HA1 input: the input is user, ha1_a, [user, ha1_b]:
	 * ha1_a = ":" realm ":" and the rule before "{user}", ha1_b the rule after it; each
	 * shorter than 56 bytes and zero-padded (read by 64-byte copies), else ha1_split 0.
	 */
	uint8_t ha1_split;
	uint8_t ha1_a_len, ha1_b_len;
	char ha1_a[64], ha1_b[64];
	/* HA2 of the last (REGISTER, uri) seen */
	char ha2_uri[256];
	uint16_t ha2_uri_len;
	char ha2[SW_SIP_MD5_HEX];
	struct sw_sip_digest nonce_d; /* carries {nonce} into the 401 template */
	struct sw_sip_tmpl *tmpl;     /* T_COUNT: the reference answers (cl_answer_ref) */
	/* the answers as built: per server and template, text in atext (CL_ATEXT a server) */
	struct cl_atmpl at[SW_CLUSTER_MAX_SERVERS][T_COUNT];
	char *atext;
	/* fault rules */
	struct cl_rule rule[SW_CLUSTER_MAX_RULES];
	unsigned n_rules;
	/* delay queue: a binary min-heap of slot indexes on (due, seq) */
	struct cl_slot *slot;
	uint32_t *heap, *free_stack;
	uint32_t n_slots, heap_len, free_len;
	uint64_t seq;
	uint64_t unknown_dst;
	uint64_t now_seen; /* the latest now given to input or poll */
	/* the first pass of a burst: CL_BURST entries */
	struct cl_pre *pre;
	/* where answers are built */
	char *out;
	size_t out_cap;
};

/** The length of a user's HA1 input (user ":" realm ":" password) for a user of ulen bytes. */
static inline size_t
cl_ha1_len(const struct sw_cluster *c, size_t ulen)
{
	return ulen + 2 + c->realm_len + (c->pw_rule_len - 6u * c->pw_users) + c->pw_users * ulen;
}

/*
 * cl_ha1_input() of user (cl_short_in()), n = cl_ha1_len() bytes with n + 9 <= 64, padded into
 * the block out by fixed-size copies of c->ha1_a and c->ha1_b (c->ha1_split): their zeros
 * are the padding's.
 */
static inline void
cl_ha1_block(const struct sw_cluster *c, struct sw_sip_str user, size_t n, uint8_t *out)
{
	uint8_t b[160];
	uint64_t bits = (uint64_t)n * 8;
	size_t o = user.len;

	memcpy(b, user.p, 32);
	memcpy(b + o, c->ha1_a, 64);
	o += c->ha1_a_len;
	if (c->pw_users == 1) {
		memcpy(b + o, user.p, 32);
		o += user.len;
		memcpy(b + o, c->ha1_b, 64);
	}
	b[n] = 0x80;
	memcpy(b + 56, &bits, 8);
	memcpy(out, b, 64);
}

/** Send (or queue) a datagram from server ctx->s to (ip, port); counts tx. relayed: proxy. */
void cl_send(struct cl_ctx *x, uint32_t ip, uint16_t port, const char *p, size_t len, int status,
             int relayed);
/** The live binding of user in the table of group index t, or NULL. */
const struct cl_binding *cl_binding_live(const struct sw_cluster *c, unsigned t, const char *user,
                                         size_t len);
/** Proxy a request (cluster_proxy.c). */
void cl_proxy_request(struct cl_ctx *x, const struct sw_sip_msg *m, const char *buf, size_t len);
/** Relay a response back (cluster_proxy.c). */
void cl_proxy_response(struct cl_ctx *x, const struct sw_sip_msg *m, const char *buf, size_t len);
/** The fields of an answer that are not the request's: what cl_answer_build() reads of vars. */
struct cl_fields {
	const char *nonce; /* nonce_len characters; NULL: none */
	uint32_t nonce_len;
	struct sw_sip_cstr target; /* the remote target; len 0: none */
	uint32_t expires;
};

/** Answer a request from a template; f (may be NULL) adds fields. */
void cl_answer(struct cl_ctx *x, const struct sw_sip_msg *m, enum cl_tmpl t, int status,
               const struct cl_fields *f);
/** cl_answer_build() with the fields as cl_answer() takes them (f may be NULL). */
size_t cl_answer_fill(const struct sw_cluster *c, const struct cl_server *s, enum cl_tmpl t,
                      const struct sw_sip_msg *m, const char *tag, const struct cl_fields *f,
                      const char *lim, char *out);
/** Compile the answer templates (c->tmpl) and render them per server (c->at); @return 0 or
 *  -errno. */
int cl_answers_init(struct sw_cluster *c);
/** The To tag of our answers to m (12 characters). */
void cl_to_tag(const struct sw_cluster *c, const struct sw_sip_msg *m, char *out);
/**
 * Answer t of server s to m, with our To tag tag and the fields of v (digest, remote target,
 * expires; v may be NULL; the realm is always the cluster's, as challenge() gives), into out (c->out_cap bytes, with room past the answer for 32-byte
 * copies); lim ends the datagram m was parsed from. @return its length.
 */
size_t cl_answer_build(const struct sw_cluster *c, const struct cl_server *s, enum cl_tmpl t,
                       const struct sw_sip_msg *m, const char *tag, const struct sw_sip_vars *v,
                       const char *lim, char *out);
/** The same answer by sw_sip_build() from c->tmpl (what cl_answer_build() must equal); @return
 *  its length or -ENOSPC. */
int cl_answer_ref(const struct sw_cluster *c, const struct cl_server *s, enum cl_tmpl t,
                  const struct sw_sip_msg *m, const char *tag, const struct sw_sip_vars *v,
                  char *out, size_t cap);

#endif /* CLUSTER_PRIVATE_H */
