/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stateless proxy between registered lines (RFC 3261 section 16.11). A request goes to the
 * binding of its Request-URI user (the server's group table first, then the other groups), or
 * straight to the Request-URI when that is an IPv4 host other than a server of ours (in-dialog
 * requests to a Contact). The forwarded copy gets the callee's contact as Request-URI (16.5),
 * Max-Forwards decremented (16.6 step 3; 483 at 0), our Route entry removed (16.4), our Via on
 * top (16.6 step 8) and, when configured, a Record-Route (16.6 step 4) on INVITE.
 *
 * Our Via branch carries what the response needs to find its way back without any state:
 * "z9hG4bKsw" + caller address (8 + 4 hex) + a hash of the caller's branch (16 hex; the same
 * for a retransmission, a CANCEL and a non-2xx ACK, as 16.11 requires) + a 32-bit MAC of those
 * under the cluster secret (8 hex), so a forged response cannot steer us anywhere.
 */
#include <string.h>

#include "cluster_private.h"

#define BRANCH_PREFIX     "z9hG4bKsw"
#define BRANCH_PREFIX_LEN 9u
#define BRANCH_HEX        36u

static const char hx[] = "0123456789abcdef";

static void
put_hex(char *out, uint64_t v, unsigned digits)
{
	for (int i = (int)digits - 1; i >= 0; i--, v >>= 4)
		out[i] = hx[v & 15];
}

static uint32_t
branch_mac(const struct sw_cluster *c, uint32_t ip, uint16_t port, uint64_t h)
{
	uint8_t b[14];

	memcpy(b, &ip, 4);
	memcpy(b + 4, &port, 2);
	memcpy(b + 6, &h, 8);
	return (uint32_t)sw_sip_siphash(&c->key, b, sizeof(b));
}

static uint64_t
fnv64(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * UINT64_C(0x100000001B3);
	return h;
}

/* Bounded appends into the cluster's out buffer. */
struct wbuf {
	char *p;
	size_t n, cap;
	int err;
};

static void
w_put(struct wbuf *w, const char *p, size_t n)
{
	if (w->err || n > w->cap - w->n) {
		w->err = 1;
		return;
	}
	memcpy(w->p + w->n, p, n);
	w->n += n;
}

#define W_LIT(w, lit) w_put((w), (lit), sizeof(lit) - 1)

static void
w_dec(struct wbuf *w, uint32_t v)
{
	char d[10];
	int i = 10;

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	w_put(w, d + i, (size_t)(10 - i));
}

static void
w_hostport(struct wbuf *w, uint32_t ip, uint16_t port)
{
	for (int i = 3; i >= 0; i--) {
		w_dec(w, (ip >> (8 * i)) & 255);
		if (i > 0)
			w_put(w, ".", 1);
	}
	w_put(w, ":", 1);
	w_dec(w, port);
}

/*
 * What we send must be SIP a phone accepts: after our edits (and, for a response, with the
 * next Via on top) the copy is parsed again; the proxy is not on the registration path.
 */
static int
valid(const char *p, size_t n)
{
	struct sw_sip_msg m;

	return n <= SW_SIP_MSG_MAX &&
	       sw_sip_parse(&m, p, n,
	                    SW_SIP_WANT_VIA | SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT |
	                            SW_SIP_WANT_NUMBERS) == SW_SIP_OK;
}

static int
is_ours(const struct sw_cluster *c, uint32_t ip, uint16_t port)
{
	for (unsigned i = 0; i < c->n_servers; i++)
		if (c->srv[i].ip == ip && c->srv[i].port == port)
			return 1;
	return 0;
}

/* Does the first URI of a Route value name server s? (<sip:a.b.c.d:port;lr>) */
static int
route_is_ours(const struct cl_server *s, struct sw_sip_str v, struct sw_sip_str *rest)
{
	const char *end = v.p + v.len, *gt;
	uint32_t ip;
	uint16_t port;

	if (v.len == 0 || v.p[0] != '<')
		return 0;
	gt = memchr(v.p, '>', v.len);
	if (gt == NULL)
		return 0;
	if (cl_uri_ipv4((struct sw_sip_str){v.p, (uint32_t)(gt + 1 - v.p)}, &ip, &port) != 0 ||
	    ip != s->ip || port != s->port)
		return 0;
	/* what follows: route-params, then possibly ", <next>" */
	{
		const char *comma = memchr(gt, ',', (size_t)(end - gt));
		if (comma == NULL) {
			*rest = (struct sw_sip_str){end, 0};
		} else {
			comma++;
			while (comma < end && (*comma == ' ' || *comma == '\t'))
				comma++;
			*rest = (struct sw_sip_str){comma, (uint32_t)(end - comma)};
		}
	}
	return 1;
}

void
cl_proxy_request(struct cl_ctx *x, const struct sw_sip_msg *m, const char *buf, size_t len)
{
	struct sw_cluster *c = x->c;
	struct cl_server *s = x->s;
	const struct cl_binding *b = NULL;
	struct sw_sip_str user = {NULL, 0};
	struct cl_hdr_it it;
	struct cl_hdr h;
	struct wbuf w = {c->out, 0, c->out_cap - SW_SIP_BUILD_SLACK, 0};
	uint32_t ip;
	uint16_t port;
	int saw_mf = 0, saw_route = 0;
	uint64_t bh;

	/* where to */
	if (cl_uri_ipv4(m->ruri, &ip, &port) == 0 && !is_ours(c, ip, port)) {
		/* an in-dialog request to a contact: as addressed */
	} else {
		if (cl_uri_user(m->ruri, &user) == 0 && user.len <= SW_CLUSTER_USER_MAX) {
			b = cl_binding_live(c, s->table, user.p, user.len);
			for (unsigned t = 0; b == NULL && t < c->n_tables; t++)
				if (t != s->table)
					b = cl_binding_live(c, t, user.p, user.len);
		}
		if (b == NULL) {
			s->st.not_found++;
			cl_answer(x, m, T_404, 404, NULL); /* not for an ACK */
			return;
		}
		ip = b->ip;
		port = b->port;
	}

	/* the caller's branch, or what identifies the transaction of an RFC 2543 client */
	bh = fnv64(UINT64_C(0xcbf29ce484222325), m->via_branch.p, m->via_branch.len);
	if (m->via_branch.len == 0) {
		bh = fnv64(bh, m->call_id.p, m->call_id.len);
		bh = fnv64(bh, (const char *)&m->cseq, sizeof(m->cseq));
	}

	/* Request-Line: the contact replaces an AOR */
	w_put(&w, m->method_s.p, m->method_s.len);
	W_LIT(&w, " ");
	if (b != NULL) {
		W_LIT(&w, "sip:");
		w_put(&w, b->user, b->len);
		W_LIT(&w, "@");
		w_hostport(&w, ip, port);
	} else {
		w_put(&w, m->ruri.p, m->ruri.len);
	}
	W_LIT(&w, " SIP/2.0\r\nVia: SIP/2.0/UDP ");
	w_put(&w, s->hostport, s->hostport_len);
	W_LIT(&w, ";branch=" BRANCH_PREFIX);
	if (!w.err && w.cap - w.n >= BRANCH_HEX) {
		put_hex(w.p + w.n, x->src_ip, 8);
		put_hex(w.p + w.n + 8, x->src_port, 4);
		put_hex(w.p + w.n + 12, bh, 16);
		put_hex(w.p + w.n + 28, branch_mac(c, x->src_ip, x->src_port, bh), 8);
		w.n += BRANCH_HEX;
	} else {
		w.err = 1;
	}
	W_LIT(&w, "\r\n");
	if (c->record_route && m->method == SW_SIP_METHOD_INVITE) {
		W_LIT(&w, "Record-Route: <sip:");
		w_put(&w, s->hostport, s->hostport_len);
		W_LIT(&w, ";lr>\r\n");
	}

	cl_hdr_begin(&it, buf, len);
	while (cl_hdr_next(&it, &h)) {
		if (!saw_mf && cl_hdr_is(&h, "max-forwards", 12, 0)) {
			uint32_t mf = 0;
			saw_mf = 1;
			for (uint32_t i = 0; i < h.value.len && mf < 1000; i++) {
				char ch = h.value.p[i];
				if (ch < '0' || ch > '9')
					break;
				mf = mf * 10 + (uint32_t)(ch - '0');
			}
			if (mf == 0) {
				s->st.too_many_hops++;
				cl_answer(x, m, T_483, 483, NULL);
				return;
			}
			W_LIT(&w, "Max-Forwards: ");
			w_dec(&w, mf - 1);
			W_LIT(&w, "\r\n");
			continue;
		}
		if (!saw_route && cl_hdr_is(&h, "route", 5, 0)) {
			struct sw_sip_str rest;
			saw_route = 1;
			if (route_is_ours(s, h.value, &rest)) {
				if (rest.len > 0) {
					W_LIT(&w, "Route: ");
					w_put(&w, rest.p, rest.len);
					W_LIT(&w, "\r\n");
				}
				continue;
			}
		}
		w_put(&w, h.line, (size_t)(h.next - h.line));
	}
	if (!saw_mf)
		W_LIT(&w, "Max-Forwards: 70\r\n");
	W_LIT(&w, "\r\n");
	w_put(&w, m->body.p, m->body.len);
	/* w.err cannot happen: out has room for the largest datagram plus our headers */
	if (w.err || !valid(w.p, w.n)) {
		s->st.forward_invalid++;
		return;
	}
	s->st.proxied_requests++;
	cl_send(x, ip, port, w.p, w.n, 0, 1);
}

static int
unhex(const char *p, unsigned n, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		char ch = p[i];
		unsigned d;
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

void
cl_proxy_response(struct cl_ctx *x, const struct sw_sip_msg *m, const char *buf, size_t len)
{
	struct sw_cluster *c = x->c;
	struct cl_server *s = x->s;
	struct wbuf w = {c->out, 0, c->out_cap - SW_SIP_BUILD_SLACK, 0};
	struct sw_sip_str br = m->via_branch;
	uint64_t ip, port, bh, mac;
	struct cl_hdr_it it;
	struct cl_hdr h;
	int popped = 0;
	const char *p, *end;

	/* our Via: sent-by is this server, the branch ours and its MAC right */
	if (m->via_count < 2 || m->via_host.len + 6 > sizeof(s->hostport) ||
	    br.len != BRANCH_PREFIX_LEN + BRANCH_HEX ||
	    memcmp(br.p, BRANCH_PREFIX, BRANCH_PREFIX_LEN) != 0 ||
	    unhex(br.p + BRANCH_PREFIX_LEN, 8, &ip) != 0 ||
	    unhex(br.p + BRANCH_PREFIX_LEN + 8, 4, &port) != 0 ||
	    unhex(br.p + BRANCH_PREFIX_LEN + 12, 16, &bh) != 0 ||
	    unhex(br.p + BRANCH_PREFIX_LEN + 28, 8, &mac) != 0 ||
	    (uint32_t)mac != branch_mac(c, (uint32_t)ip, (uint16_t)port, bh) ||
	    m->via_port != s->port) {
		s->st.not_ours++;
		return;
	}
	{
		uint32_t vip;
		uint16_t vport;
		char uri[32];
		/* reuse the URI reader on "sip:" + sent-by */
		memcpy(uri, "sip:", 4);
		memcpy(uri + 4, m->via_host.p, m->via_host.len);
		if (cl_uri_ipv4((struct sw_sip_str){uri, 4 + m->via_host.len}, &vip, &vport) != 0 ||
		    vip != s->ip) {
			s->st.not_ours++;
			return;
		}
	}

	/* the response without its top Via value (RFC 3261 section 16.7 step 3) */
	p = buf;
	end = buf + len;
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	cl_hdr_begin(&it, buf, len);
	w_put(&w, p, (size_t)(it.p - p)); /* the status line */
	while (cl_hdr_next(&it, &h)) {
		if (!popped && cl_hdr_is(&h, "via", 3, 'v')) {
			const char *comma;
			popped = 1;
			/* several values on one line: keep those after the first comma */
			comma = memchr(h.value.p, ',', h.value.len);
			if (comma != NULL) {
				const char *r = comma + 1, *ve = h.value.p + h.value.len;
				while (r < ve && (*r == ' ' || *r == '\t'))
					r++;
				W_LIT(&w, "Via: ");
				w_put(&w, r, (size_t)(ve - r));
				W_LIT(&w, "\r\n");
			}
			continue;
		}
		w_put(&w, h.line, (size_t)(h.next - h.line));
	}
	W_LIT(&w, "\r\n");
	w_put(&w, m->body.p, m->body.len);
	if (w.err || !valid(w.p, w.n)) {
		s->st.relay_invalid++;
		return;
	}
	s->st.proxied_responses++;
	cl_send(x, (uint32_t)ip, (uint16_t)port, w.p, w.n, m->status, 1);
}
