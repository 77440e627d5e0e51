/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small readers over a datagram that sw_sip_parse() already accepted: the header lines one by
 * one (lib/sip keeps only the headers a phone needs, the cluster also wants Authorization,
 * Max-Forwards and Route), the user part of a URI and an IPv4 host:port. Every read stays in
 * [buf, buf + len) even if the datagram were not valid.
 */
#include <string.h>

#ifdef __AVX2__
#include <immintrin.h>
#endif

#include "cluster_private.h"

static inline char
lower(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
}

void
cl_hdr_begin(struct cl_hdr_it *it, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	/* RFC 3261 section 7.5: CRLFs before the start line are skipped, as lib/sip does */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	p = cl_chr(p, end, '\n');
	it->p = p == NULL ? end : p + 1;
	it->end = end;
	it->body = end;
}

/* The rest of a header line whose name is [n, ne) and whose value starts at v (after ':'). */
static inline int
hdr_value(struct cl_hdr_it *it, const char *n, const char *ne, const char *v, struct cl_hdr *h)
{
	const char *end = it->end, *lf, *p;

	lf = cl_chr(v, end, '\n');
	while (lf != NULL && lf + 1 < end && (lf[1] == ' ' || lf[1] == '\t'))
		lf = cl_chr(lf + 1, end, '\n');
	if (lf == NULL) {
		it->p = end;
		return 0;
	}
	h->line = n;
	h->next = lf + 1;
	h->name = (struct sw_sip_str){n, (uint32_t)(ne - n)};
	while (v < lf && (*v == ' ' || *v == '\t'))
		v++;
	p = lf;
	while (p > v && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\r' || p[-1] == '\n'))
		p--;
	h->value = (struct sw_sip_str){v, (uint32_t)(p - v)};
	it->p = lf + 1;
	return 1;
}

/*
 * message-header = field-name HCOLON field-value CRLF, continued by lines that start with SP or
 * HTAB (RFC 3261 section 7.3.1); the empty line ends the headers.
 */
int
cl_hdr_next(struct cl_hdr_it *it, struct cl_hdr *h)
{
	const char *p = it->p, *end = it->end, *n, *ne;

	if (p >= end)
		return 0;
	if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
		it->body = p + (*p == '\r' ? 2 : 1);
		it->p = end;
		return 0;
	}
	n = p;
	while (p < end && *p != ':' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
		p++;
	ne = p;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != ':' || ne == n) {
		it->p = end;
		return 0;
	}
	return hdr_value(it, n, ne, p + 1, h);
}

int
cl_hdr_is(const struct cl_hdr *h, const char *full, size_t flen, char compact)
{
	if (compact != 0 && h->name.len == 1 && lower(h->name.p[0]) == compact)
		return 1;
	return cl_ieq(h->name, full, flen);
}

#ifdef __AVX2__
/*
 * The line starts in [q, q + 32) worth looking at, as a bit mask: positions whose previous byte
 * is LF (every LF ends a line, so the byte after it starts a header, a continuation or the
 * empty line) and whose byte is the name's first letter in either case (f and c, lower case),
 * or CR or LF (the empty line). q[-1] and q[31] must be readable.
 */
static inline uint32_t
line_starts32(const char *q, char f, char c)
{
	__m256i prev = _mm256_loadu_si256((const __m256i *)(const void *)(q - 1));
	__m256i cur = _mm256_loadu_si256((const __m256i *)(const void *)q);
	__m256i low = _mm256_or_si256(cur, _mm256_set1_epi8(0x20));
	__m256i want =
	        _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(low, _mm256_set1_epi8(f)),
	                                        _mm256_cmpeq_epi8(low, _mm256_set1_epi8(c))),
	                        _mm256_or_si256(_mm256_cmpeq_epi8(cur, _mm256_set1_epi8('\r')),
	                                        _mm256_cmpeq_epi8(cur, _mm256_set1_epi8('\n'))));

	return (uint32_t)_mm256_movemask_epi8(
	        _mm256_and_si256(_mm256_cmpeq_epi8(prev, _mm256_set1_epi8('\n')), want));
}
#endif

int
cl_hdr_find(const char *buf, size_t len, const char *full, size_t flen, char compact,
            struct sw_sip_str *value)
{
	struct cl_hdr_it it;
	struct cl_hdr h;

	cl_hdr_begin(&it, buf, len);
	/*
	 * Skip lines whose first letter cannot start the name (continuation lines start with
	 * SP or HTAB, so they are skipped too); parse only the candidates.
	 */
	while (it.p < it.end) {
		char f = lower(*it.p);
#ifdef __AVX2__
		/*
		 * it.p starts a line: jump 32 bytes at a time to the next line start that is a
		 * candidate or the empty line (the same lines the byte loop below stops at, as
		 * (ch | 0x20) equals a lower-case letter only for that letter in either case).
		 */
		if (it.end - it.p >= 32) {
			const char *q = it.p;
			uint32_t m = 0;

			while (it.end - q >= 32 &&
			       (m = line_starts32(q, full[0], compact != 0 ? compact : full[0])) ==
			               0)
				q += 32;
			if (m != 0) {
				it.p = q + __builtin_ctz(m);
			} else if (q == it.end) {
				return 0;
			} else if (q[-1] != '\n') {
				/* the last bytes: on to the next line start, then byte by byte */
				const char *lf = memchr(q, '\n', (size_t)(it.end - q));
				if (lf == NULL)
					return 0;
				it.p = lf + 1;
				continue;
			} else {
				it.p = q;
			}
			f = lower(*it.p);
		}
#endif
		if (f == '\r' || f == '\n')
			return 0; /* the empty line */
		if (f == full[0] || (compact != 0 && f == compact)) {
			/*
			 * The usual "Name:": the name compared in place, then the value as
			 * cl_hdr_next() reads it (a name of full's letters ends at the ':').
			 */
			if ((size_t)(it.end - it.p) > flen && it.p[flen] == ':' &&
			    cl_ieq((struct sw_sip_str){it.p, (uint32_t)flen}, full, flen)) {
				if (!hdr_value(&it, it.p, it.p + flen, it.p + flen + 1, &h))
					return 0;
				*value = h.value;
				return 1;
			}
			if (!cl_hdr_next(&it, &h))
				return 0;
			if (cl_hdr_is(&h, full, flen, compact)) {
				*value = h.value;
				return 1;
			}
			continue;
		}
		{
			const char *lf = memchr(it.p, '\n', (size_t)(it.end - it.p));
			if (lf == NULL)
				return 0;
			it.p = lf + 1;
		}
	}
	return 0;
}

/* The addr-spec inside a name-addr ("Bob" <sip:bob@x>;tag=1), or the URI itself. */
static struct sw_sip_str
uri_of(struct sw_sip_str s)
{
	const char *p = s.p, *end = s.p + s.len, *lt;

	lt = memchr(p, '<', s.len);
	if (lt != NULL) {
		const char *gt = memchr(lt + 1, '>', (size_t)(end - lt - 1));
		return (struct sw_sip_str){lt + 1, (uint32_t)((gt != NULL ? gt : end) - lt - 1)};
	}
	/* addr-spec without brackets: parameters after ';' belong to the header */
	{
		const char *sc = memchr(p, ';', s.len);
		if (sc != NULL)
			end = sc;
	}
	return (struct sw_sip_str){p, (uint32_t)(end - p)};
}

/* Skip "sip:" or "sips:"; NULL when neither. */
static const char *
skip_scheme(struct sw_sip_str u)
{
	if (u.len >= 4 && cl_ieq((struct sw_sip_str){u.p, 4}, "sip:", 4))
		return u.p + 4;
	if (u.len >= 5 && cl_ieq((struct sw_sip_str){u.p, 5}, "sips:", 5))
		return u.p + 5;
	return NULL;
}

#ifdef __AVX2__
/* Bit i set when byte i of x is ch. */
static inline uint32_t
eq32(__m256i x, char ch)
{
	return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, _mm256_set1_epi8(ch)));
}

/* The bits of [a, b) of a 32-bit mask, 0 <= a <= b <= 32. */
static inline uint32_t
bits_in(uint32_t a, uint32_t b)
{
	return (uint32_t)(((UINT64_C(1) << b) - 1) & ~((UINT64_C(1) << a) - 1));
}

/* The separators of a short URI slice, one bit per byte, read by one load. */
struct uri_masks {
	uint32_t lt, gt, semi, qm, at, colon;
};

static inline void
uri_masks(const char *p, struct uri_masks *k)
{
	__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)p);

	k->lt = eq32(x, '<');
	k->gt = eq32(x, '>');
	k->semi = eq32(x, ';');
	k->qm = eq32(x, '?');
	k->at = eq32(x, '@');
	k->colon = eq32(x, ':');
}

/*
 * cl_ieq() of the 4 bytes at p and "sip:" in one word: ORing 0x20 into the three letters' bytes
 * maps exactly 's' and 'S' (and so on) to the lower-case letter; the ':' is compared as it is.
 */
static inline int
sip_colon(const char *p)
{
	uint32_t w;

	memcpy(&w, p, 4); /* the first byte is the lowest (x86) */
	return (w | UINT32_C(0x00202020)) == UINT32_C(0x3a706973);
}

/*
 * uri_of() and skip_scheme() on a slice of at most 32 bytes by its masks: *from is where the
 * URI's text after the scheme starts, *to its end (offsets in s); @return 0, or -1 without a
 * scheme.
 */
static inline int
uri_span32(struct sw_sip_str s, const struct uri_masks *k, uint32_t *from, uint32_t *to)
{
	uint32_t valid = bits_in(0, s.len), a = 0, b = s.len, m;

	m = k->lt & valid;
	if (m != 0) {
		a = (uint32_t)__builtin_ctz(m) + 1;
		m = k->gt & valid & ~bits_in(0, a);
		if (m != 0)
			b = (uint32_t)__builtin_ctz(m);
	} else if ((m = k->semi & valid) != 0) {
		b = (uint32_t)__builtin_ctz(m);
	}
	if (b - a >= 4 && sip_colon(s.p + a))
		a += 4;
	else if (b - a >= 5 && cl_ieq((struct sw_sip_str){s.p + a, 5}, "sips:", 5))
		a += 5;
	else
		return -1;
	*from = a;
	*to = b;
	return 0;
}
#endif

int
cl_uri_user_in(struct sw_sip_str s, const char *lim, struct sw_sip_str *user)
{
#ifdef __AVX2__
	/* the usual "<sip:user@domain>" in one load when 32 bytes from it are readable */
	if (s.len <= 32 && lim - s.p >= 32) {
		struct uri_masks k;
		uint32_t a, b, r, m, at, q;

		uri_masks(s.p, &k);
		if (uri_span32(s, &k, &a, &b) != 0)
			return -1;
		r = bits_in(a, b);
		m = k.at & r;
		if (m == 0)
			return -1;
		at = (uint32_t)__builtin_ctz(m);
		/* a parameter, header or the URI's end before the '@': no userinfo */
		if (((k.semi | k.qm | k.gt) & r & bits_in(0, at)) != 0 || at == a)
			return -1;
		m = k.colon & bits_in(a, at);
		q = m != 0 ? (uint32_t)__builtin_ctz(m) : at;
		if (q == a)
			return -1;
		*user = (struct sw_sip_str){s.p + a, q - a};
		return 0;
	}
#else
	(void)lim;
#endif
	return cl_uri_user(s, user);
}

/* SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]; userinfo ends in '@' */
int
cl_uri_user(struct sw_sip_str s, struct sw_sip_str *user)
{
	struct sw_sip_str u = uri_of(s);
	const char *p = skip_scheme(u), *end = u.p + u.len, *q;

	if (p == NULL)
		return -1;
	for (q = p; q < end && *q != '@'; q++)
		if (*q == ';' || *q == '?' || *q == '>')
			return -1;
	if (q == end || q == p)
		return -1;
	/* user ":" password: the user is before the colon */
	{
		const char *colon = memchr(p, ':', (size_t)(q - p));
		if (colon != NULL)
			q = colon;
	}
	if (q == p)
		return -1;
	*user = (struct sw_sip_str){p, (uint32_t)(q - p)};
	return 0;
}

static inline const char *
dec_u32(const char *p, const char *end, uint32_t max, uint32_t *out)
{
	uint32_t v = 0, d;
	const char *s = p, *e = end - p > 6 ? p + 6 : end; /* at most 6 digits */

	while (p < e && (d = (uint32_t)(unsigned char)*p - '0') < 10) {
		v = v * 10 + d;
		p++;
	}
	if (p == s || v > max)
		return NULL;
	*out = v;
	return p;
}

/* The host:port from p (after the userinfo) to end. */
static int
ipv4_at(const char *p, const char *end, uint32_t *ip, uint16_t *port)
{
	uint32_t a = 0, v, pt = 5060;

	for (int i = 0; i < 4; i++) {
		p = dec_u32(p, end, 255, &v);
		if (p == NULL)
			return -1;
		a = a << 8 | v;
		if (i < 3) {
			if (p == end || *p != '.')
				return -1;
			p++;
		}
	}
	if (p < end && *p == ':') {
		p = dec_u32(p + 1, end, 65535, &pt);
		if (p == NULL || pt == 0)
			return -1;
	}
	if (p < end && *p != ';' && *p != '?' && *p != '>')
		return -1;
	*ip = a;
	*port = (uint16_t)pt;
	return 0;
}

int
cl_uri_ipv4(struct sw_sip_str s, uint32_t *ip, uint16_t *port)
{
	struct sw_sip_str u = uri_of(s);
	const char *p = skip_scheme(u), *end = u.p + u.len, *at;

	if (p == NULL)
		return -1;
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL)
		p = at + 1;
	return ipv4_at(p, end, ip, port);
}

#ifdef __AVX2__
/*
 * ipv4_at() on [p + a, p + b) with the 32 bytes at p readable: the runs of digits found by a
 * mask, each number of up to 3 digits (5 for the port) summed in place; a longer run (leading
 * zeros: dec_u32() reads up to 6 digits) goes to ipv4_at(), which reads the same way.
 */
static int
ipv4_span32(const char *p, uint32_t a, uint32_t b, uint32_t *ip, uint16_t *port)
{
	__m256i x = _mm256_sub_epi8(_mm256_loadu_si256((const __m256i *)(const void *)p),
	                            _mm256_set1_epi8('0'));
	/* x - '0' is a digit's value exactly when it is at most 9 as an unsigned byte */
	uint64_t dig = (uint32_t)_mm256_movemask_epi8(
	                       _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(9)), x)) &
	               bits_in(0, b);
	uint32_t addr = 0, pt = 5060, at = a, run, v;

	for (int i = 0; i < 4; i++) {
		run = (uint32_t)__builtin_ctzll(~(dig >> at));
		if (run == 0)
			return -1;
		if (run > 3)
			return ipv4_at(p + a, p + b, ip, port);
		v = 0;
		for (uint32_t j = 0; j < run; j++)
			v = v * 10 + (uint32_t)(p[at + j] - '0');
		if (v > 255)
			return -1;
		addr = addr << 8 | v;
		at += run;
		if (i < 3) {
			if (at == b || p[at] != '.')
				return -1;
			at++;
		}
	}
	if (at < b && p[at] == ':') {
		at++;
		run = (uint32_t)__builtin_ctzll(~(dig >> at));
		if (run == 0)
			return -1;
		if (run > 5)
			return ipv4_at(p + a, p + b, ip, port);
		v = 0;
		for (uint32_t j = 0; j < run; j++)
			v = v * 10 + (uint32_t)(p[at + j] - '0');
		if (v > 65535 || v == 0)
			return -1;
		pt = v;
		at += run;
	}
	if (at < b && p[at] != ';' && p[at] != '?' && p[at] != '>')
		return -1;
	*ip = addr;
	*port = (uint16_t)pt;
	return 0;
}
#endif

int
cl_uri_ipv4_in(struct sw_sip_str s, const char *lim, uint32_t *ip, uint16_t *port)
{
#ifdef __AVX2__
	/* as cl_uri_user_in(): the separators of a short URI by one load */
	if (s.len <= 32 && lim - s.p >= 32) {
		struct uri_masks k;
		uint32_t a, b, m;

		uri_masks(s.p, &k);
		if (uri_span32(s, &k, &a, &b) != 0)
			return -1;
		m = k.at & bits_in(a, b);
		if (m != 0)
			a = (uint32_t)__builtin_ctz(m) + 1;
		return ipv4_span32(s.p, a, b, ip, port);
	}
#else
	(void)lim;
#endif
	return cl_uri_ipv4(s, ip, port);
}
