/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Templates. A template text is compiled once per profile into pieces: literal runs of the
 * text and variable fields, each under a mask of conditions (display name present, digest
 * credentials present, qop, ...). Building a message walks the pieces: a literal is copied in
 * 32-byte chunks (the template text is padded, the output has SW_SIP_BUILD_SLACK bytes of
 * room), a field is copied from the caller's variables or the line's digest state, numbers are
 * written with a digit loop. A template specialized for one set of conditions (and maybe some
 * values folded in as text) has a walk of its own without condition tests. No formatted
 * printing, no allocation.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "sw_common.h"
#include "sip_private.h"

/* Field ids past the string variables and the numbers. */
enum {
	F_NUM = SW_SIP_V_COUNT, /* + enum sw_sip_num */
	F_AUTH_HDR = F_NUM + SW_SIP_N_COUNT,
	F_NONCE,
	F_OPAQUE,
	F_ALGORITHM,
	F_NC,
	F_CNONCE,
	F_REQ_VIA,
	F_REQ_FROM,
	F_REQ_TO,
	F_REQ_CALL_ID,
	F_REQ_CSEQ,
	F_CONTENT_LENGTH,
	F_COUNT
};

/* Conditions. */
enum {
	C_DISPLAY = 1 << 0,
	C_AUTH = 1 << 1,
	C_QOP = 1 << 2,
	C_OPAQUE = 1 << 3,
	C_ALGORITHM = 1 << 4,
	C_TO_TAG = 1 << 5,
	C_REQ_NO_TO_TAG = 1 << 6,
	C_PROXY = 1 << 7, /* the challenge came in Proxy-Authenticate (set with C_AUTH) */
};

static const char *const field_names[F_COUNT] = {
        [SW_SIP_V_USER] = "user",
        [SW_SIP_V_DISPLAY] = "display",
        [SW_SIP_V_DOMAIN] = "domain",
        [SW_SIP_V_AUTH_USER] = "auth_user",
        [SW_SIP_V_LOCAL] = "local",
        [SW_SIP_V_LOCAL_IP] = "local_ip",
        [SW_SIP_V_TO_USER] = "to_user",
        [SW_SIP_V_REMOTE_TARGET] = "remote_target",
        [SW_SIP_V_REALM] = "realm",
        [SW_SIP_V_BRANCH] = "branch",
        [SW_SIP_V_FROM_TAG] = "from_tag",
        [SW_SIP_V_TO_TAG] = "to_tag",
        [SW_SIP_V_CALL_ID] = "call_id",
        [SW_SIP_V_RESPONSE] = "response",
        [F_NUM + SW_SIP_N_CSEQ] = "cseq",
        [F_NUM + SW_SIP_N_EXPIRES] = "expires",
        [F_NUM + SW_SIP_N_RTP_PORT] = "rtp_port",
        [F_NUM + SW_SIP_N_SDP_ID] = "sdp_id",
        [F_AUTH_HDR] = "auth_hdr",
        [F_NONCE] = "nonce",
        [F_OPAQUE] = "opaque",
        [F_ALGORITHM] = "algorithm",
        [F_NC] = "nc",
        [F_CNONCE] = "cnonce",
        [F_REQ_VIA] = "req_via",
        [F_REQ_FROM] = "req_from",
        [F_REQ_TO] = "req_to",
        [F_REQ_CALL_ID] = "req_call_id",
        [F_REQ_CSEQ] = "req_cseq",
        [F_CONTENT_LENGTH] = "content_length",
};

static const char *const cond_names[] = {"display",   "auth",   "qop",           "opaque",
                                         "algorithm", "to_tag", "req_no_to_tag", "proxy"};

/* The built-in templates (RFC 3261 section 8.1.1 request headers, 8.2.6 responses). */
#define VIA  "Via: SIP/2.0/UDP {local};rport;branch=z9hG4bK{branch}\r\n"
#define MF   "Max-Forwards: 70\r\n"
#define DISP "{?display}\"{display}\" {/}"
#define FROM "From: " DISP "<sip:{user}@{domain}>;tag={from_tag}\r\n"
#define AUTH(uri)                                                                                  \
	"{?auth}{auth_hdr}: Digest username=\"{auth_user}\", realm=\"{realm}\", "                  \
	"nonce=\"{nonce}\", uri=\"" uri "\", response=\"{response}\""                              \
	"{?algorithm}, algorithm={algorithm}{/}{?opaque}, opaque=\"{opaque}\"{/}"                  \
	"{?qop}, qop=auth, nc={nc}, cnonce=\"{cnonce}\"{/}\r\n{/}"
#define CALLID  "Call-ID: {call_id}\r\n"
#define CONTACT "Contact: <sip:{user}@{local}>\r\n"
#define UA      "User-Agent: {ua}\r\n"
#define ALLOW   "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY\r\n"
#define CL      "Content-Length: {content_length}\r\n\r\n"
#define SDP                                                                                        \
	"Content-Type: application/sdp\r\n" CL "v=0\r\n"                                           \
	"o={user} {sdp_id} {sdp_id} IN IP4 {local_ip}\r\n"                                         \
	"s=sipswarm\r\n"                                                                           \
	"c=IN IP4 {local_ip}\r\n"                                                                  \
	"t=0 0\r\n"                                                                                \
	"m=audio {rtp_port} RTP/AVP 0 8 101\r\n"                                                   \
	"a=rtpmap:0 PCMU/8000\r\n"                                                                 \
	"a=rtpmap:8 PCMA/8000\r\n"                                                                 \
	"a=rtpmap:101 telephone-event/8000\r\n"                                                    \
	"a=fmtp:101 0-16\r\n"                                                                      \
	"a=sendrecv\r\n"
#define RESP_HDRS                                                                                  \
	"{req_via}From: {req_from}\r\nTo: {req_to}{?req_no_to_tag};tag={to_tag}{/}\r\n"            \
	"Call-ID: {req_call_id}\r\nCSeq: {req_cseq}\r\n"
#define SERVER "Server: {ua}\r\n"

static const char *const builtin[SW_SIP_KIND_COUNT] = {
        [SW_SIP_KIND_REGISTER] =
                "REGISTER sip:{domain} SIP/2.0\r\n" VIA MF FROM "To: " DISP
                "<sip:{user}@{domain}>\r\n" CALLID "CSeq: {cseq} REGISTER\r\n" CONTACT AUTH(
                        "sip:{domain}") "Expires: {expires}\r\n" UA CL,
        [SW_SIP_KIND_INVITE] =
                "INVITE sip:{to_user}@{domain} SIP/2.0\r\n" VIA MF FROM
                "To: <sip:{to_user}@{domain}>\r\n" CALLID
                "CSeq: {cseq} INVITE\r\n" CONTACT AUTH("sip:{to_user}@{domain}") ALLOW UA SDP,
        [SW_SIP_KIND_ACK] = "ACK {remote_target} SIP/2.0\r\n" VIA MF FROM
                            "To: <sip:{to_user}@{domain}>{?to_tag};tag={to_tag}{/}\r\n" CALLID
                            "CSeq: {cseq} ACK\r\n" AUTH("{remote_target}") UA CL,
        [SW_SIP_KIND_BYE] = "BYE {remote_target} SIP/2.0\r\n" VIA MF FROM
                            "To: <sip:{to_user}@{domain}>{?to_tag};tag={to_tag}{/}\r\n" CALLID
                            "CSeq: {cseq} BYE\r\n" AUTH("{remote_target}") UA CL,
        [SW_SIP_KIND_CANCEL] =
                "CANCEL sip:{to_user}@{domain} SIP/2.0\r\n" VIA MF FROM
                "To: <sip:{to_user}@{domain}>\r\n" CALLID "CSeq: {cseq} CANCEL\r\n" UA CL,
        [SW_SIP_KIND_SUBSCRIBE] =
                "SUBSCRIBE sip:{user}@{domain} SIP/2.0\r\n" VIA MF FROM
                "To: <sip:{user}@{domain}>\r\n" CALLID "CSeq: {cseq} SUBSCRIBE\r\n" CONTACT AUTH(
                        "sip:{user}@{domain}") "Event: message-summary\r\n"
                                               "Accept: application/"
                                               "simple-message-summary\r\n"
                                               "Expires: {expires}\r\n" UA CL,
        [SW_SIP_KIND_OPTIONS] =
                "OPTIONS sip:{domain} SIP/2.0\r\n" VIA MF FROM "To: <sip:{domain}>\r\n" CALLID
                "CSeq: {cseq} OPTIONS\r\n" CONTACT AUTH(
                        "sip:{domain}") "Accept: application/sdp\r\n" UA CL,
        [SW_SIP_KIND_100] = "SIP/2.0 100 Trying\r\n{req_via}From: {req_from}\r\nTo: {req_to}\r\n"
                            "Call-ID: {req_call_id}\r\nCSeq: {req_cseq}\r\n" SERVER CL,
        [SW_SIP_KIND_180] = "SIP/2.0 180 Ringing\r\n" RESP_HDRS CONTACT SERVER CL,
        [SW_SIP_KIND_200_SDP] = "SIP/2.0 200 OK\r\n" RESP_HDRS CONTACT ALLOW SERVER SDP,
        [SW_SIP_KIND_200] = "SIP/2.0 200 OK\r\n" RESP_HDRS SERVER CL,
        [SW_SIP_KIND_481] = "SIP/2.0 481 Call/Transaction Does Not Exist\r\n" RESP_HDRS SERVER CL,
        [SW_SIP_KIND_486] = "SIP/2.0 486 Busy Here\r\n" RESP_HDRS SERVER CL,
};

static const char *const kind_names[SW_SIP_KIND_COUNT] = {
        [SW_SIP_KIND_REGISTER] = "register", [SW_SIP_KIND_INVITE] = "invite",
        [SW_SIP_KIND_ACK] = "ack",           [SW_SIP_KIND_BYE] = "bye",
        [SW_SIP_KIND_CANCEL] = "cancel",     [SW_SIP_KIND_SUBSCRIBE] = "subscribe",
        [SW_SIP_KIND_OPTIONS] = "options",   [SW_SIP_KIND_100] = "100",
        [SW_SIP_KIND_180] = "180",           [SW_SIP_KIND_200_SDP] = "200-sdp",
        [SW_SIP_KIND_200] = "200",           [SW_SIP_KIND_481] = "481",
        [SW_SIP_KIND_486] = "486",
};

const char *
sw_sip_kind_name(enum sw_sip_kind k)
{
	return (unsigned)k < SW_SIP_KIND_COUNT ? kind_names[k] : NULL;
}

/* strlen(sw_sip_algo_name(a)): the names are RFC 7616's tokens (a test compares) */
static const uint8_t algo_len[SW_SIP_ALGO_COUNT] = {
        [SW_SIP_ALGO_MD5] = 3,          [SW_SIP_ALGO_MD5_SESS] = 8, [SW_SIP_ALGO_SHA256] = 7,
        [SW_SIP_ALGO_SHA256_SESS] = 12, [SW_SIP_ALGO_UNKNOWN] = 7,
};

/* decimal v at out (sw_dec_put_back); returns the digit count. The messages' numbers (CSeq,
 * Expires, Content-Length) are short: three compares for their length, not sw_dec_len()'s
 * nine */
static inline unsigned
dec_put(char *out, uint32_t v)
{
	unsigned n = v < 10000 ? 1u + (v >= 10) + (v >= 100) + (v >= 1000) : sw_dec_len(v);

	sw_dec_put_back(out + n, v);
	return n;
}

static int
add_literal(struct sw_sip_tmpl *t, const char *p, size_t n, uint8_t cond, unsigned floor)
{
	struct sw_sip_seg *last = t->nseg > floor ? &t->seg[t->nseg - 1] : NULL;

	if (n == 0)
		return 0;
	if (t->text_len + n > SW_SIP_TMPL_TEXT)
		return -E2BIG;
	memcpy(t->text + t->text_len, p, n);
	if (last != NULL && last->len > 0 && last->field == 0 && last->cond == cond &&
	    last->off + last->len == t->text_len) {
		last->len = (uint16_t)(last->len + n);
	} else {
		if (t->nseg == SW_SIP_TMPL_SEGS)
			return -E2BIG;
		t->seg[t->nseg++] = (struct sw_sip_seg){t->text_len, (uint16_t)n, 0, cond, 0};
	}
	t->text_len = (uint16_t)(t->text_len + n);
	return 0;
}

/* What a template is compiled with besides its text. */
struct constants {
	const char *ua;     /* {ua} */
	const char *domain; /* {domain} folded as text when not NULL */
	bool no_body;       /* {content_length} is 0 */
};

/* Compile [p, end) into pieces; literals merge only with pieces from floor on. */
static int
compile_part(struct sw_sip_tmpl *t, const char *p, const char *end, const struct constants *k,
             unsigned floor)
{
	uint8_t stack[8], cond = 0;
	unsigned depth = 0;
	int rc;

	while (p < end) {
		const char *q = p, *e;
		size_t n;
		unsigned i;

		while (q < end && *q != '{')
			q++;
		rc = add_literal(t, p, (size_t)(q - p), cond, floor);
		if (rc < 0)
			return rc;
		if (q == end)
			break;
		e = memchr(q, '}', (size_t)(end - q));
		if (e == NULL)
			return -EINVAL;
		q++;
		n = (size_t)(e - q);
		p = e + 1;
		if (n == 1 && q[0] == '/') {
			if (depth == 0)
				return -EINVAL;
			cond = stack[--depth];
			continue;
		}
		if (n > 1 && q[0] == '?') {
			for (i = 0; i < SW_ARRAY_SIZE(cond_names); i++)
				if (strlen(cond_names[i]) == n - 1 &&
				    memcmp(cond_names[i], q + 1, n - 1) == 0)
					break;
			if (i == SW_ARRAY_SIZE(cond_names) || depth == SW_ARRAY_SIZE(stack))
				return -EINVAL;
			stack[depth++] = cond;
			cond = (uint8_t)(cond | (1u << i));
			continue;
		}
		if (n == 2 && memcmp(q, "ua", 2) == 0) {
			rc = add_literal(t, k->ua, strlen(k->ua), cond, floor);
			if (rc < 0)
				return rc;
			continue;
		}
		for (i = 0; i < F_COUNT; i++)
			if (strlen(field_names[i]) == n && memcmp(field_names[i], q, n) == 0)
				break;
		if (i == F_COUNT)
			return -EINVAL;
		/* a template without a body says Content-Length: 0, a constant: one piece less
		 * for every message built */
		if (i == F_CONTENT_LENGTH && k->no_body) {
			rc = add_literal(t, "0", 1, cond, floor);
			if (rc < 0)
				return rc;
			continue;
		}
		/* the domain, when the template is made for one (one per account and server) */
		if (i == SW_SIP_V_DOMAIN && k->domain != NULL) {
			rc = add_literal(t, k->domain, strlen(k->domain), cond, floor);
			if (rc < 0)
				return rc;
			continue;
		}
		/* likewise the digest header's name: a condition on the challenge, not a field */
		if (i == F_AUTH_HDR) {
			rc = add_literal(t, "Proxy-", 6, (uint8_t)(cond | C_PROXY), floor);
			if (rc == 0)
				rc = add_literal(t, "Authorization", 13, cond, floor);
			if (rc < 0)
				return rc;
			continue;
		}
		/* a field rides on the literal before it when both have the same conditions: one
		 * piece per literal + field pair for sw_sip_build() to walk */
		if (t->nseg > floor && t->seg[t->nseg - 1].field == 0 &&
		    t->seg[t->nseg - 1].cond == cond) {
			t->seg[t->nseg - 1].field = (uint8_t)(i + 1);
			continue;
		}
		if (t->nseg == SW_SIP_TMPL_SEGS)
			return -E2BIG;
		t->seg[t->nseg++] = (struct sw_sip_seg){0, 0, (uint8_t)(i + 1), cond, 0};
	}
	return depth == 0 ? 0 : -EINVAL;
}

int
sw_sip_tmpl_compile_text(struct sw_sip_tmpl *t, const char *text,
                         const struct sw_sip_profile *profile)
{
	struct constants k = {
	        .ua = profile != NULL && profile->user_agent != NULL ? profile->user_agent
	                                                             : "sipswarm",
	        .domain = profile != NULL && profile->domain != NULL && profile->domain[0] != '\0'
	                          ? profile->domain
	                          : NULL,
	};
	const char *end = text + strlen(text);
	const char *split = strstr(text, "\r\n\r\n");
	int rc;

	memset(t, 0, sizeof(*t));
	t->kind = 0xff;
	split = split != NULL ? split + 4 : end;
	k.no_body = split == end;
	rc = compile_part(t, text, split, &k, 0);
	if (rc < 0)
		return rc;
	t->body_seg = t->nseg;
	k.no_body = false;
	rc = compile_part(t, split, end, &k, t->nseg);
	if (rc < 0)
		return rc;
	/* a piece whose conditions fail takes with it the pieces after it that need them all
	 * too (the rest of its {?...} block, nested blocks included): sw_sip_build() jumps over
	 * them instead of testing each (a REGISTER without credentials has a dozen) */
	for (unsigned i = 0; i < t->nseg; i++) {
		unsigned j = i + 1;
		uint8_t c = t->seg[i].cond;

		while (j < t->nseg && (t->seg[j].cond & c) == c && j - i - 1 < UINT8_MAX &&
		       (i >= t->body_seg || j < t->body_seg))
			j++;
		t->seg[i].skip = c != 0 ? (uint8_t)(j - i - 1) : 0;
	}
	return 0;
}

int
sw_sip_tmpl_compile(struct sw_sip_tmpl *t, enum sw_sip_kind kind,
                    const struct sw_sip_profile *profile)
{
	int rc;

	if ((unsigned)kind >= SW_SIP_KIND_COUNT)
		return -EINVAL;
	rc = sw_sip_tmpl_compile_text(t, builtin[kind], profile);
	if (rc == 0)
		t->kind = (uint8_t)kind;
	return rc;
}

/* the 32 bytes at src to dst: one AVX move each way where the build has it (the literal
 * copies of sw_sip_build(); memcpy of 32 bytes compiles to two 16-byte moves here) */
static inline void
copy32(char *dst, const char *src)
{
#ifdef __AVX2__
	_mm256_storeu_si256((__m256i *)(void *)dst,
	                    _mm256_loadu_si256((const __m256i *)(const void *)src));
#else
	memcpy(dst, src, 32);
#endif
}

/* Length of a field (for the body length), without writing it. */
static size_t
field_len(const struct sw_sip_vars *v, unsigned f)
{
	if (f < SW_SIP_V_COUNT)
		return v->s[f].len;
	if (f < F_AUTH_HDR)
		return sw_dec_len(v->n[f - F_NUM]);
	return 0; /* digest and request fields never appear in a body */
}

/* Copy n bytes to *o, advancing it; false when that would pass lim (the end of out less the
 * slack). */
static inline int
put(char **o, const char *lim, const char *p, size_t n)
{
	if (n > (size_t)(lim - *o))
		return 0;
	sw_copy_exact(*o, p, n);
	*o += n;
	return 1;
}

/* The conditions that hold for v. */
static inline uint8_t
conds_of(const struct sw_sip_vars *v)
{
	const struct sw_sip_digest *d = v->digest;
	uint8_t active = 0;

	if (v->s[SW_SIP_V_DISPLAY].len > 0)
		active |= C_DISPLAY;
	if (d != NULL) {
		active |= C_AUTH;
		if (d->qop)
			active |= C_QOP;
		if (d->opaque_len > 0)
			active |= C_OPAQUE;
		if (d->echo_algorithm)
			active |= C_ALGORITHM;
		if (d->proxy)
			active |= C_PROXY;
	}
	if (v->s[SW_SIP_V_TO_TAG].len > 0)
		active |= C_TO_TAG;
	if (v->req != NULL && v->req->to_tag.len == 0)
		active |= C_REQ_NO_TO_TAG;
	return active;
}

unsigned int
sw_sip_build_conds(const struct sw_sip_vars *v)
{
	return conds_of(v);
}

int
sw_sip_tmpl_specialize_fold(struct sw_sip_tmpl *dst, const struct sw_sip_tmpl *src,
                            unsigned int conds, const struct sw_sip_vars *v, unsigned int fold)
{
	unsigned floor = 0;
	bool in_body = false;
	int rc;

	if (conds > UINT8_MAX || src->fixed ||
	    (fold != 0 && (v == NULL ||
	                   fold & ~(SW_SIP_FOLD_ALGORITHM | SW_SIP_FOLD_EXPIRES |
	                            ((1u << SW_SIP_V_COUNT) - 1)) ||
	                   ((fold & SW_SIP_FOLD_ALGORITHM) &&
	                    (v->digest == NULL || v->digest->algo >= SW_SIP_ALGO_COUNT)))))
		return -EINVAL;
	memset(dst, 0, sizeof(*dst));
	dst->kind = src->kind;
	dst->fixed = 1;
	dst->fixed_conds = (uint8_t)conds;
	/* the pieces whose conditions hold, in order, without their conditions: adjacent
	 * literals merge (add_literal), a field rides on a literal without one, a folded field
	 * is a literal; nothing merges across the start of the body (its length is counted from
	 * body_seg) */
	for (unsigned i = 0; i < src->nseg; i++) {
		const struct sw_sip_seg *s = &src->seg[i];
		unsigned f = s->field - 1u;

		if (!in_body && i >= src->body_seg) {
			in_body = true;
			dst->body_seg = dst->nseg;
			floor = dst->nseg;
		}
		if (s->cond & ~conds) {
			i += s->skip;
			continue;
		}
		rc = add_literal(dst, src->text + s->off, s->len, 0, floor);
		if (rc < 0)
			return rc;
		if (s->field == 0)
			continue;
		if (f < SW_SIP_V_COUNT && (fold & (1u << f))) {
			rc = add_literal(dst, v->s[f].p, v->s[f].len, 0, floor);
			if (rc < 0)
				return rc;
			continue;
		}
		if (f == F_NUM + SW_SIP_N_EXPIRES && (fold & SW_SIP_FOLD_EXPIRES)) {
			char num[10];

			rc = add_literal(dst, num, dec_put(num, v->n[SW_SIP_N_EXPIRES]), 0, floor);
			if (rc < 0)
				return rc;
			continue;
		}
		if (f == F_ALGORITHM && (fold & SW_SIP_FOLD_ALGORITHM)) {
			rc = add_literal(dst,
			                 sw_sip_algo_name((enum sw_sip_digest_algo)v->digest->algo),
			                 algo_len[v->digest->algo], 0, floor);
			if (rc < 0)
				return rc;
			continue;
		}
		if (dst->nseg > floor && dst->seg[dst->nseg - 1].field == 0) {
			dst->seg[dst->nseg - 1].field = s->field;
			continue;
		}
		if (dst->nseg == SW_SIP_TMPL_SEGS)
			return -E2BIG;
		dst->seg[dst->nseg++] = (struct sw_sip_seg){0, 0, s->field, 0, 0};
	}
	if (!in_body)
		dst->body_seg = dst->nseg;
	return 0;
}

int
sw_sip_tmpl_specialize(struct sw_sip_tmpl *dst, const struct sw_sip_tmpl *src, unsigned int conds)
{
	return sw_sip_tmpl_specialize_fold(dst, src, conds, NULL, 0);
}

/* Write field f (0-based, not a string variable: those are the callers' fast case) at o;
 * returns the new end, NULL when it would pass lim. body: the body's length, for
 * {content_length}. */
static char *
put_field(char *o, const char *lim, unsigned f, const struct sw_sip_vars *v, size_t body)
{
	const struct sw_sip_digest *d = v->digest;
	const struct sw_sip_msg *req = v->req;
	int ok = 1;

	if (f < SW_SIP_V_COUNT) {
		ok = put(&o, lim, v->s[f].p, v->s[f].len);
	} else if (f < F_AUTH_HDR || f == F_CONTENT_LENGTH) {
		uint32_t x = f == F_CONTENT_LENGTH ? (uint32_t)body : v->n[f - F_NUM];
		if (lim - o < 10)
			return NULL;
		o += dec_put(o, x);
	} else if (f <= F_CNONCE) {
		if (d == NULL)
			return o;
		switch (f) {
		case F_AUTH_HDR:
			ok = d->proxy ? put(&o, lim, "Proxy-Authorization", 19)
			              : put(&o, lim, "Authorization", 13);
			break;
		case F_NONCE:
			ok = put(&o, lim, d->nonce, d->nonce_len);
			break;
		case F_OPAQUE:
			ok = put(&o, lim, d->opaque, d->opaque_len);
			break;
		case F_ALGORITHM: {
			const char *a = sw_sip_algo_name((enum sw_sip_digest_algo)d->algo);
			ok = put(&o, lim, a, strlen(a));
			break;
		}
		default: /* F_NC, F_CNONCE */
			if (lim - o < 8)
				return NULL;
			sw_sip_hex32(o, f == F_NC ? d->nc : d->cnonce);
			o += 8;
			break;
		}
	} else if (req != NULL) {
		switch (f) {
		case F_REQ_VIA:
			for (unsigned k = 0; k < req->via_count && ok; k++)
				ok = put(&o, lim, "Via: ", 5) &&
				     put(&o, lim, req->vias[k].p, req->vias[k].len) &&
				     put(&o, lim, "\r\n", 2);
			break;
		case F_REQ_FROM:
			ok = put(&o, lim, req->from.p, req->from.len);
			break;
		case F_REQ_TO:
			ok = put(&o, lim, req->to.p, req->to.len);
			break;
		case F_REQ_CALL_ID:
			ok = put(&o, lim, req->call_id.p, req->call_id.len);
			break;
		default: /* F_REQ_CSEQ */
			ok = put(&o, lim, req->cseq_s.p, req->cseq_s.len);
			break;
		}
	}
	return ok ? o : NULL;
}

/* The literal of a piece at o: whole 32-byte chunks (the text is padded and out has slack),
 * even for a piece without one (len 0: no test, and what follows overwrites the bytes). */
static inline void
put_literal(char *o, const char *src, unsigned len)
{
	copy32(o, src);
	for (unsigned k = 32; k < len; k += 32)
		copy32(o + k, src + k);
}

/* sw_sip_build() of a specialized template without a body (every REGISTER the workers send):
 * no conditions to test, no body to count; a piece whose field is a string (a variable, the
 * nonce, the opaque, the algorithm: most are) checked against the limit once for both its
 * parts, the numbers and nonce-counts written here, the rarer fields in put_field(). The same
 * bytes and the same limit as the general walk. */
static inline __attribute__((always_inline)) int
build_fixed_walk(const struct sw_sip_tmpl *t, const struct sw_sip_vars *v, char *out,
                 const char *lim, const struct sw_sip_digest *d)
{
	const char *text = t->text;
	char *o = out;
	/* the room left before lim, counted down (one subtraction and a sign test a piece) */
	ptrdiff_t room = lim - out;

	for (const struct sw_sip_seg *s = t->seg, *se = t->seg + t->nseg; s < se; s++) {
		unsigned len = s->len, f = s->field - 1u; /* UINT_MAX: no field */
		const char *src = text + s->off, *p;
		size_t n;

		if (f < SW_SIP_V_COUNT) {
			p = v->s[f].p;
			n = v->s[f].len;
		} else if (d != NULL && f - F_NONCE <= F_ALGORITHM - F_NONCE &&
		           d->algo < SW_SIP_ALGO_COUNT) {
			p = f == F_NONCE    ? d->nonce
			    : f == F_OPAQUE ? d->opaque
			                    : sw_sip_algo_name((enum sw_sip_digest_algo)d->algo);
			n = f == F_NONCE    ? d->nonce_len
			    : f == F_OPAQUE ? d->opaque_len
			                    : algo_len[d->algo];
		} else {
			room -= (ptrdiff_t)len;
			if (room < 0)
				return -ENOSPC;
			put_literal(o, src, len);
			o += len;
			if (f - F_NUM < SW_SIP_N_COUNT) {
				if (room < 10)
					return -ENOSPC;
				unsigned k = dec_put(o, v->n[f - F_NUM]);

				o += k;
				room -= (ptrdiff_t)k;
			} else if (d != NULL && (f == F_NC || f == F_CNONCE)) {
				if (room < 8)
					return -ENOSPC;
				sw_sip_hex32(o, f == F_NC ? d->nc : d->cnonce);
				o += 8;
				room -= 8;
			} else if (f != UINT_MAX) {
				if ((o = put_field(o, lim, f, v, 0)) == NULL)
					return -ENOSPC;
				room = lim - o;
			}
			continue;
		}
		room -= (ptrdiff_t)(len + n);
		if (room < 0)
			return -ENOSPC;
		put_literal(o, src, len);
		o += len;
		sw_copy_exact(o, p, n);
		o += n;
	}
	return (int)(o - out);
}

/* build_fixed_walk() twice: without credentials (the first REGISTER of every line) the digest
 * cases compile away, and with them the walk's registers go round */
static int
build_fixed(const struct sw_sip_tmpl *t, const struct sw_sip_vars *v, char *out, const char *lim)
{
	if (v->digest == NULL)
		return build_fixed_walk(t, v, out, lim, NULL);
	return build_fixed_walk(t, v, out, lim, v->digest);
}

int
sw_sip_build_with_conds(const struct sw_sip_tmpl *t, const struct sw_sip_vars *v,
                        unsigned int conds, char *out, size_t cap)
{
	const char *text = t->text, *lim;
	uint8_t active = (uint8_t)conds;
	size_t body = 0;
	char *o = out;

	if (conds > UINT8_MAX)
		return -EINVAL;
	if (cap < SW_SIP_BUILD_SLACK)
		return -ENOSPC;
	lim = out + cap - SW_SIP_BUILD_SLACK;
	/* a specialized template holds for the conditions it was made for only */
	if (t->fixed && active != t->fixed_conds)
		return -EINVAL;
	if (t->fixed && t->body_seg == t->nseg)
		return build_fixed(t, v, out, lim);

	for (unsigned i = t->body_seg; i < t->nseg; i++) {
		const struct sw_sip_seg *s = &t->seg[i];
		if (s->cond & ~active) {
			i += s->skip;
			continue;
		}
		body += s->len + (s->field != 0 ? field_len(v, s->field - 1u) : 0);
	}

	/* locals, not t->..., in the loop: stores to out may alias the template for the compiler */
	for (const struct sw_sip_seg *s = t->seg, *se = t->seg + t->nseg; s < se; s++) {
		unsigned f = s->field, len = s->len;

		if (s->cond & ~active) {
			s += s->skip;
			continue;
		}
		if (len > (size_t)(lim - o))
			return -ENOSPC;
		put_literal(o, text + s->off, len);
		o += len;
		if (f-- == 0)
			continue;
		if ((o = put_field(o, lim, f, v, body)) == NULL)
			return -ENOSPC;
	}
	return (int)(o - out);
}

int
sw_sip_build(const struct sw_sip_tmpl *t, const struct sw_sip_vars *v, char *out, size_t cap)
{
	return sw_sip_build_with_conds(t, v, conds_of(v), out, cap);
}
