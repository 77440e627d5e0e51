/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The answers (RFC 3261 section 8.2.6): a status line, the request's Via, From, To with our tag,
 * Call-ID and CSeq, then the template's own headers. The templates are lib/sip text; each is
 * compiled once (c->tmpl, the reference) and also rendered once per server into pieces of
 * constant text split at the fields that change per answer (nonce, remote target, expires), so
 * that an answer is a few copies: the server's name, address and the realm are in the text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#if defined(__BMI2__) && defined(__SSSE3__)
#include <immintrin.h>
#endif

#include "cluster_private.h"

/* ---- answer templates (RFC 3261 section 8.2.6: Via, From, To + tag, Call-ID, CSeq) ---- */

#define RESP                                                                                       \
	"{req_via}From: {req_from}\r\nTo: {req_to}{?req_no_to_tag};tag={to_tag}{/}\r\n"            \
	"Call-ID: {req_call_id}\r\nCSeq: {req_cseq}\r\n"
#define SERVER "Server: sipswarm-cluster {local}\r\n"
#define CL     "Content-Length: {content_length}\r\n\r\n"
#define ALLOW                                                                                      \
	"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, SUBSCRIBE, PRACK, UPDATE, INFO, "     \
	"MESSAGE, REFER\r\n"
#define CHALLENGE                                                                                  \
	"WWW-Authenticate: Digest realm=\"{realm}\", nonce=\"{nonce}\", qop=\"auth\", "            \
	"algorithm=MD5"

static const char *const tmpl_text[T_COUNT] = {
        [T_401] = "SIP/2.0 401 Unauthorized\r\n" RESP CHALLENGE "\r\n" SERVER CL,
        [T_401_STALE] = "SIP/2.0 401 Unauthorized\r\n" RESP CHALLENGE ", stale=true\r\n" SERVER CL,
        [T_200_REG] =
                "SIP/2.0 200 OK\r\n" RESP
                "Contact: <{remote_target}>;expires={expires}\r\nExpires: {expires}\r\n" SERVER CL,
        [T_200_PLAIN] = "SIP/2.0 200 OK\r\n" RESP SERVER CL,
        [T_200_OPTIONS] = "SIP/2.0 200 OK\r\n" RESP ALLOW "Accept: application/sdp\r\n" SERVER CL,
        [T_200_SUB] = "SIP/2.0 200 OK\r\n" RESP
                      "Contact: <sip:{local_ip}>\r\nExpires: {expires}\r\n" SERVER CL,
        [T_400] = "SIP/2.0 400 Bad Request\r\n" RESP SERVER CL,
        [T_403] = "SIP/2.0 403 Forbidden\r\n" RESP SERVER CL,
        [T_404] = "SIP/2.0 404 Not Found\r\n" RESP SERVER CL,
        [T_405] = "SIP/2.0 405 Method Not Allowed\r\n" RESP ALLOW SERVER CL,
        [T_483] = "SIP/2.0 483 Too Many Hops\r\n" RESP SERVER CL,
        [T_501] = "SIP/2.0 501 Not Implemented\r\n" RESP SERVER CL,
        [T_503] = "SIP/2.0 503 Service Unavailable\r\n" RESP SERVER CL,
        [T_503_RA] =
                "SIP/2.0 503 Service Unavailable\r\n" RESP "Retry-After: {expires}\r\n" SERVER CL,
};

/* The fields a piece of template text ends at, as the text writes them. */
static const struct {
	const char *name;
	uint8_t len;
	uint8_t field;
} split_at[] = {
        {"{nonce}", 7, CLF_NONCE},
        {"{remote_target}", 15, CLF_REMOTE_TARGET},
        {"{expires}", 9, CLF_EXPIRES},
};

/* Render [p, p + n) of a template's text by sw_sip_build() with the server's constants. */
static int
render(const struct sw_cluster *c, const struct cl_server *s, const char *p, size_t n,
       struct sw_sip_tmpl *scratch, char *out, size_t cap)
{
	char text[1024];
	struct sw_sip_vars v;
	int rc;

	if (n == 0)
		return 0;
	if (n >= sizeof(text))
		return -E2BIG;
	memcpy(text, p, n);
	text[n] = '\0';
	rc = sw_sip_tmpl_compile_text(scratch, text, NULL);
	if (rc != 0)
		return rc;
	memset(&v, 0, sizeof(v));
	v.s[SW_SIP_V_LOCAL] = (struct sw_sip_cstr){s->name, s->name_len};
	v.s[SW_SIP_V_LOCAL_IP] = (struct sw_sip_cstr){s->hostport, s->hostport_len};
	v.s[SW_SIP_V_REALM] = (struct sw_sip_cstr){c->realm, c->realm_len};
	return sw_sip_build(scratch, &v, out, cap);
}

/* Template t of server s as pieces into c->at[s][t], text appended at *used. */
static int
render_tmpl(struct sw_cluster *c, const struct cl_server *s, enum cl_tmpl t,
            struct sw_sip_tmpl *scratch, size_t *used)
{
	struct cl_atmpl *a = &c->at[s->index][t];
	char *base = c->atext + (size_t)s->index * CL_ATEXT;
	const char *p = tmpl_text[t], *end = p + strlen(p), *r = strstr(p, RESP);
	uint8_t field = CLF_REQUEST;

	if (r == NULL)
		return -EINVAL;
	*a = (struct cl_atmpl){.n = 0};
	for (const char *e = r;;) {
		int n;

		/* room for the slack of the 32-byte copies after the last piece */
		if (*used + 64 >= CL_ATEXT)
			return -E2BIG;
		n = render(c, s, p, (size_t)(e - p), scratch, base + *used, CL_ATEXT - 64 - *used);
		if (n < 0)
			return n;
		if (a->n == CL_PIECES)
			return -E2BIG;
		a->p[a->n++] = (struct cl_piece){(uint16_t)*used, (uint16_t)n, field};
		*used += (size_t)n;
		if (field == CLF_END) {
			/* what cl_answer_fill() relies on: the request's fields after the first
			 * piece, and for c->out under 1,024 bytes of text */
			if (a->p[0].field != CLF_REQUEST)
				return -EINVAL;
			size_t text = 0, fixed = 0;
			for (unsigned i = 0; i < a->n; i++) {
				text += a->p[i].len;
				switch (a->p[i].field) {
				case CLF_REQUEST:
					/* "From: " "\r\nTo: " ";tag=" + 12 "\r\nCall-ID: "
					 * "\r\nCSeq: " "\r\n" (and 7 a Via, added per answer) */
					fixed += 6 + 6 + 17 + 11 + 8 + 2;
					a->n_request++;
					break;
				case CLF_NONCE:
					a->n_nonce++;
					break;
				case CLF_REMOTE_TARGET:
					a->n_target++;
					break;
				case CLF_EXPIRES:
					fixed += 10; /* UINT32_MAX */
					break;
				default:
					break;
				}
			}
			a->fixed = (uint16_t)(text + fixed);
			return text <= 768 ? 0 : -E2BIG;
		}
		p = e == r ? r + strlen(RESP) : e + split_at[field - CLF_NONCE].len;
		/* the next field in the rest, or its end */
		e = end;
		field = CLF_END;
		for (unsigned i = 0; i < sizeof(split_at) / sizeof(split_at[0]); i++) {
			const char *q = strstr(p, split_at[i].name);
			if (q != NULL && q < e) {
				e = q;
				field = split_at[i].field;
			}
		}
	}
}

int
cl_answers_init(struct sw_cluster *c)
{
	struct sw_sip_tmpl *scratch;
	int rc = 0;

	c->tmpl = calloc(T_COUNT, sizeof(*c->tmpl));
	c->atext = calloc(c->n_servers, CL_ATEXT);
	scratch = malloc(sizeof(*scratch));
	if (c->tmpl == NULL || c->atext == NULL || scratch == NULL) {
		free(scratch);
		return -ENOMEM;
	}
	for (unsigned t = 0; t < T_COUNT && rc == 0; t++)
		rc = sw_sip_tmpl_compile_text(&c->tmpl[t], tmpl_text[t], NULL);
	for (unsigned i = 0; i < c->n_servers && rc == 0; i++) {
		size_t used = 0;
		for (unsigned t = 0; t < T_COUNT && rc == 0; t++)
			rc = render_tmpl(c, &c->srv[i], (enum cl_tmpl)t, scratch, &used);
	}
	free(scratch);
	return rc;
}

void
cl_to_tag(const struct sw_cluster *c, const struct sw_sip_msg *m, char *out)
{
	static const char hx[] = "0123456789abcdef";
	/* the Call-ID's multiply-xorshift hash (cl_hash_user's, 8 bytes a step: FNV-1a byte by
	 * byte was a chain of 16 dependent multiplies per answer), keyed with the CSeq */
	uint64_t h = cl_hash64(c->key.k0 ^ m->cseq, m->call_id.p, m->call_id.len) >> 16;
#if defined(__BMI2__) && defined(__SSSE3__)
	{
		/* the 12 low nibbles, lowest first, one a byte, then looked up as hex at once */
		const __m128i tbl = _mm_setr_epi8('0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
		                                  'a', 'b', 'c', 'd', 'e', 'f');
		uint64_t lo = _pdep_u64(h, UINT64_C(0x0f0f0f0f0f0f0f0f));
		uint64_t hi = _pdep_u64(h >> 32, UINT64_C(0x0f0f0f0f));
		_Alignas(16) char d[16];

		_mm_store_si128(
		        (__m128i *)(void *)d,
		        _mm_shuffle_epi8(tbl, _mm_set_epi64x((long long)hi, (long long)lo)));
		memcpy(out, d, 12);
	}
	(void)hx;
#else
	for (int k = 0; k < 12; k++, h >>= 4)
		out[k] = hx[h & 15];
#endif
}

/* n bytes from p, in 32-byte copies: p + n rounded up to 32 must be readable, out has room */
static inline char *
copy32(char *o, const char *p, size_t n)
{
	/* most pieces and slices are under 32 bytes: one copy, no loop test before it */
	memcpy(o, p, 32);
	for (size_t k = 32; k < n; k += 32)
		memcpy(o + k, p + k, 32);
	return o + n;
}

/* A slice of the request: by 32-byte copies when the datagram has the bytes after it */
static inline char *
copy_slice(char *o, struct sw_sip_str s, const char *lim)
{
	if (s.len == 0)
		return o;
	if ((size_t)(lim - s.p) >= (size_t)s.len + 31)
		return copy32(o, s.p, s.len);
	memcpy(o, s.p, s.len);
	return o + s.len;
}

/*
 * v in decimal, as sw_sip_build() writes numbers (sw_dec_put_back), written back to front in a
 * scratch and moved by one 16-byte copy (out has the room): no sw_dec_len() first, its ten
 * comparisons cost as much as the digits.
 */
static inline char *
put_dec(char *o, uint32_t v)
{
	char t[32];
	const char *b = sw_dec_put_back(t + 16, v); /* at most 10 digits: b >= t + 6 */

	memcpy(o, b, 16);
	return o + (t + 16 - b);
}

size_t
cl_answer_build(const struct sw_cluster *c, const struct cl_server *s, enum cl_tmpl t,
                const struct sw_sip_msg *m, const char *tag, const struct sw_sip_vars *v,
                const char *lim, char *out)
{
	struct cl_fields f = {NULL, 0, {NULL, 0}, 0};

	if (v != NULL) {
		if (v->digest != NULL) {
			f.nonce = v->digest->nonce;
			f.nonce_len = v->digest->nonce_len;
		}
		f.target = v->s[SW_SIP_V_REMOTE_TARGET];
		f.expires = v->n[SW_SIP_N_EXPIRES];
	}
	return cl_answer_fill(c, s, t, m, tag, &f, lim, out);
}

size_t
cl_answer_fill(const struct sw_cluster *c, const struct cl_server *s, enum cl_tmpl t,
               const struct sw_sip_msg *m, const char *tag, const struct cl_fields *v,
               const char *lim, char *out)
{
	const struct cl_atmpl *a = &c->at[s->index][t];
	const char *text = c->atext + (size_t)s->index * CL_ATEXT;
	char *o = out, *exp = NULL;
	size_t exp_len = 0;

	/*
	 * Every copy may write up to 31 bytes past its end (c->out has the room: an answer is
	 * at most the request's fields and less than 1,024 bytes of text; a room has the
	 * answer_bound()); the next overwrites. First the status line, then the request's
	 * fields: every template starts so (render_tmpl()).
	 */
	o = copy32(o, text + a->p[0].off, a->p[0].len);
	for (unsigned k = 0; k < m->via_count; k++) {
		memcpy(o, "Via: ", 5);
		o = copy_slice(o + 5, m->vias[k], lim);
		memcpy(o, "\r\n", 2);
		o += 2;
	}
	memcpy(o, "From: ", 6);
	o = copy_slice(o + 6, m->from, lim);
	memcpy(o, "\r\nTo: ", 6);
	o = copy_slice(o + 6, m->to, lim);
	if (m->to_tag.len == 0) {
		memcpy(o, ";tag=", 5);
		memcpy(o + 5, tag, 12);
		o += 17;
	}
	memcpy(o, "\r\nCall-ID: ", 11);
	o = copy_slice(o + 11, m->call_id, lim);
	memcpy(o, "\r\nCSeq: ", 8);
	o = copy_slice(o + 8, m->cseq_s, lim);
	memcpy(o, "\r\n", 2);
	o += 2;
	for (unsigned i = 1; i < a->n; i++) {
		const struct cl_piece *pc = &a->p[i];

		o = copy32(o, text + pc->off, pc->len);
		switch (pc->field) {
		case CLF_NONCE:
			if (v != NULL && v->nonce != NULL) {
				if (v->nonce_len == CL_NONCE_LEN)
					memcpy(o, v->nonce, CL_NONCE_LEN); /* ours: no call */
				else
					memcpy(o, v->nonce, v->nonce_len);
				o += v->nonce_len;
			}
			break;
		case CLF_REMOTE_TARGET:
			if (v != NULL && v->target.len > 0)
				o = copy_slice(o, (struct sw_sip_str){v->target.p, v->target.len},
				               lim);
			break;
		case CLF_EXPIRES:
			/* the same number twice in a 200 to a REGISTER: the second is copied */
			if (exp != NULL) {
				char d[16]; /* through a register: the two may overlap */

				memcpy(d, exp, 16);
				memcpy(o, d, 16);
				o += exp_len;
			} else {
				exp = o;
				o = put_dec(o, v != NULL ? v->expires : 0);
				exp_len = (size_t)(o - exp);
			}
			break;
		default:
			break;
		}
	}
	return (size_t)(o - out);
}

int
cl_answer_ref(const struct sw_cluster *c, const struct cl_server *s, enum cl_tmpl t,
              const struct sw_sip_msg *m, const char *tag, const struct sw_sip_vars *v, char *out,
              size_t cap)
{
	struct sw_sip_vars w;

	if (v != NULL)
		w = *v;
	else
		memset(&w, 0, sizeof(w));
	w.req = m;
	w.s[SW_SIP_V_TO_TAG] = (struct sw_sip_cstr){tag, 12};
	w.s[SW_SIP_V_LOCAL] = (struct sw_sip_cstr){s->name, s->name_len};
	w.s[SW_SIP_V_LOCAL_IP] = (struct sw_sip_cstr){s->hostport, s->hostport_len};
	return sw_sip_build(&c->tmpl[t], &w, out, cap);
}

/*
 * At least what cl_answer_fill() writes for t, m and v, the 32-byte copies' slack included:
 * the constant text, and each field it adds with what surrounds it.
 */
static inline size_t
answer_bound(const struct cl_atmpl *a, const struct sw_sip_msg *m, const struct cl_fields *v)
{
	size_t n = a->fixed + SW_CLUSTER_ROOM_SLACK, r = 0;

	if (a->n_request > 0) {
		r = m->from.len + m->to.len + m->call_id.len + m->cseq_s.len;
		for (unsigned k = 0; k < m->via_count; k++)
			r += 7u + m->vias[k].len; /* "Via: " and "\r\n" */
		n += a->n_request * r;
	}
	if (v != NULL)
		n += a->n_nonce * (v->nonce != NULL ? v->nonce_len : 0) +
		     a->n_target * v->target.len;
	return n;
}

void
cl_answer(struct cl_ctx *x, const struct sw_sip_msg *m, enum cl_tmpl t, int status,
          const struct cl_fields *v)
{
	struct sw_cluster *c = x->c;
	char tag[12], *out = c->out;
	size_t n;

	if (m->method == SW_SIP_METHOD_ACK) {
		x->s->st.absorbed++; /* RFC 3261 section 17.2.1: an ACK is never answered */
		return;
	}
	cl_to_tag(c, m, tag);
	x->s->st.answered++;
	if (x->sink->room != NULL && x->delay == 0) {
		size_t cap = 0;
		char *r = x->sink->room(x->sink->arg, &cap);

		/* built where it leaves from (a frame's payload), not copied there by emit */
		if (r != NULL && answer_bound(&c->at[x->s->index][t], m, v) <= cap)
			out = r;
	}
	n = cl_answer_fill(c, x->s, t, m, tag, v, x->lim, out);
	/* RFC 3261 section 18.2.2 and RFC 3581: to the source of the request */
	cl_send(x, x->src_ip, x->src_port, out, n, status, 0);
}
