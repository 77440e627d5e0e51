/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated cluster: set-up, the fault layer (schedule windows, token bucket), the delay
 * queue, and the request dispatch with the registrar (RFC 3261 section 10.3) and the
 * stateless answers (OPTIONS, SUBSCRIBE, 4xx/5xx). Answers are built from lib/sip templates
 * rendered once per server in sw_cluster_new() (cluster_answer.c); the proxy is in
 * cluster_proxy.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "cluster_private.h"

static const char *const counter_names[SW_CLUSTER_C_COUNT] = {
#define SW_CLUSTER_X_NAME(sym, help) #sym,
        SW_CLUSTER_COUNTERS(SW_CLUSTER_X_NAME)
#undef SW_CLUSTER_X_NAME
};

static const char *const counter_help[SW_CLUSTER_C_COUNT] = {
#define SW_CLUSTER_X_HELP(sym, help) help,
        SW_CLUSTER_COUNTERS(SW_CLUSTER_X_HELP)
#undef SW_CLUSTER_X_HELP
};

_Static_assert(sizeof(struct cl_binding) == SW_CACHE_LINE, "a binding is one cache line");

const char *
sw_cluster_counter_name(enum sw_cluster_counter i)
{
	return (unsigned)i < SW_CLUSTER_C_COUNT ? counter_names[i] : NULL;
}

const char *
sw_cluster_counter_help(enum sw_cluster_counter i)
{
	return (unsigned)i < SW_CLUSTER_C_COUNT ? counter_help[i] : NULL;
}

/* ---- set-up ---- */

static int
copy_str(char *dst, size_t cap, const char *src, uint8_t *len)
{
	size_t n;

	if (src == NULL)
		return -EINVAL;
	n = strlen(src);
	if (n >= cap)
		return -EINVAL;
	memcpy(dst, src, n + 1);
	*len = (uint8_t)n;
	return 0;
}

struct sw_cluster *
sw_cluster_new(const struct sw_cluster_cfg *cfg)
{
	struct sw_cluster *c;
	uint64_t seed;
	uint32_t max_bindings;
	int rc = -EINVAL;

	if (cfg == NULL || cfg->n_servers == 0 || cfg->n_servers > SW_CLUSTER_MAX_SERVERS)
		goto fail_early;
	for (unsigned i = 0; i < cfg->n_servers; i++)
		for (unsigned j = 0; j < i; j++)
			if (cfg->server[i].ip == cfg->server[j].ip &&
			    cfg->server[i].port == cfg->server[j].port)
				goto fail_early;
	c = cl_alloc_lines(sizeof(*c));
	if (c == NULL) {
		rc = -ENOMEM;
		goto fail_early;
	}
	memset(c, 0, sizeof(*c));
	if (copy_str(c->realm, sizeof(c->realm), cfg->realm, &c->realm_len) != 0 ||
	    c->realm_len == 0 ||
	    copy_str(c->pw_rule, sizeof(c->pw_rule), cfg->password_rule, &c->pw_rule_len) != 0)
		goto fail;
	cl_pw_rule_compile(c);
	c->nonce_ttl_s = cfg->nonce_ttl_s != 0 ? cfg->nonce_ttl_s : 30;
	c->min_expires = cfg->min_expires;
	c->max_expires = cfg->max_expires != 0 ? cfg->max_expires : 7200;
	if (c->min_expires > c->max_expires)
		goto fail;
	c->record_route = cfg->record_route;
	seed = cfg->seed;
	c->key.k0 = sw_splitmix64(&seed);
	c->key.k1 = sw_splitmix64(&seed);
	cl_nonce_init(&c->nonces, &c->key);
	max_bindings = cfg->max_bindings != 0 ? cfg->max_bindings : 65536;

	c->n_servers = cfg->n_servers;
	for (unsigned i = 0; i < cfg->n_servers; i++) {
		const struct sw_cluster_server_cfg *sc = &cfg->server[i];
		struct cl_server *s = &c->srv[i];
		unsigned t;

		s->ip = sc->ip;
		s->port = sc->port;
		s->index = (uint8_t)i;
		s->name_len = (uint8_t)strnlen(sc->name, sizeof(sc->name) - 1);
		memcpy(s->name, sc->name, s->name_len);
		s->hostport_len = (uint8_t)snprintf(
		        s->hostport, sizeof(s->hostport), "%u.%u.%u.%u:%u", sc->ip >> 24,
		        (sc->ip >> 16) & 255, (sc->ip >> 8) & 255, sc->ip & 255, sc->port);
		s->fault.from = 1; /* empty range: computed at the first datagram */
		s->fault.until = 0;
		for (t = 0; t < c->n_tables; t++)
			if (c->table[t].group == sc->group)
				break;
		if (t == c->n_tables) {
			rc = cl_table_init(&c->table[t], max_bindings, sc->group,
			                   sw_splitmix64(&seed));
			if (rc != 0)
				goto fail;
			c->n_tables++;
		}
		s->table = (uint8_t)t;
	}

	rc = cl_answers_init(c);
	if (rc != 0)
		goto fail;
	c->nonce_d.nonce_len = CL_NONCE_LEN;
	c->nonce_d.hex_len = SW_SIP_MD5_HEX;

	c->n_slots = cfg->delay_slots != 0 ? cfg->delay_slots : 4096;
	c->slot = cl_alloc_lines((size_t)c->n_slots * sizeof(struct cl_slot));
	c->heap = calloc(c->n_slots, sizeof(uint32_t));
	c->free_stack = calloc(c->n_slots, sizeof(uint32_t));
	c->out_cap = SW_SIP_MSG_MAX + 1024 + SW_SIP_BUILD_SLACK;
	c->out = malloc(c->out_cap);
	c->pre = cl_alloc_lines(CL_BURST * sizeof(struct cl_pre));
	if (c->slot == NULL || c->heap == NULL || c->free_stack == NULL || c->out == NULL ||
	    c->pre == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < c->n_slots; i++)
		c->free_stack[i] = c->n_slots - 1 - i;
	c->free_len = c->n_slots;
	return c;

fail:
	sw_cluster_free(c);
fail_early:
	errno = -rc;
	return NULL;
}

void
sw_cluster_free(struct sw_cluster *c)
{
	if (c == NULL)
		return;
	for (unsigned t = 0; t < c->n_tables; t++)
		cl_table_fini(&c->table[t]);
	free(c->tmpl);
	free(c->atext);
	free(c->slot);
	free(c->heap);
	free(c->free_stack);
	free(c->out);
	free(c->pre);
	free(c);
}

/* ---- faults ---- */

int
sw_cluster_fault_add(struct sw_cluster *c, unsigned server, uint64_t from_ns, uint64_t until_ns,
                     enum sw_cluster_fault_kind kind, uint32_t param)
{
	struct cl_rule *r;

	if (server >= c->n_servers || (unsigned)kind >= SW_CLUSTER_FAULT_COUNT ||
	    from_ns >= until_ns || (kind == SW_CLUSTER_CAPACITY && param == 0))
		return -EINVAL;
	if (c->n_rules >= SW_CLUSTER_MAX_RULES)
		return -ENOSPC;
	r = &c->rule[c->n_rules++];
	r->from = from_ns;
	r->until = until_ns;
	r->kind = (uint8_t)kind;
	r->param = param;
	r->server = (uint8_t)server;
	c->srv[server].fault.from = 1; /* recompute */
	c->srv[server].fault.until = 0;
	return 0;
}

/* The faults in force at now, and the span around now over which they hold. */
static void
fault_compute(const struct sw_cluster *c, struct cl_server *s, uint64_t now)
{
	struct cl_fault f = {.from = 0, .until = UINT64_MAX, .kind = SW_CLUSTER_FAULT_COUNT};

	for (unsigned i = 0; i < c->n_rules; i++) {
		const struct cl_rule *r = &c->rule[i];
		if (r->server != s->index)
			continue;
		if (now < r->from) {
			if (r->from < f.until)
				f.until = r->from;
			continue;
		}
		if (now >= r->until) {
			if (r->until > f.from)
				f.from = r->until;
			continue;
		}
		if (r->from > f.from)
			f.from = r->from;
		if (r->until < f.until)
			f.until = r->until;
		if (r->kind == SW_CLUSTER_CAPACITY) {
			f.rate = r->param;
		} else {
			f.kind = r->kind;
			f.param = r->param;
		}
	}
	s->fault = f;
}

/* Token bucket: rate per second, depth a tenth of a second (at least one). */
static int
bucket_take(struct cl_server *s, uint64_t now, uint32_t rate)
{
	uint64_t depth = (rate / 10 > 0 ? rate / 10 : 1) * SW_NS_PER_S;
	uint64_t dt;

	if (s->bucket_rate != rate) {
		s->bucket_rate = rate;
		s->tokens = depth;
		s->last_fill = now;
	}
	dt = now - s->last_fill;
	if (dt > SW_NS_PER_S)
		dt = SW_NS_PER_S;
	s->last_fill = now;
	s->tokens += dt * rate;
	if (s->tokens > depth)
		s->tokens = depth;
	if (s->tokens < SW_NS_PER_S)
		return 0;
	s->tokens -= SW_NS_PER_S;
	return 1;
}

/* ---- the delay queue ---- */

static inline int
slot_before(const struct sw_cluster *c, uint32_t a, uint32_t b)
{
	const struct cl_slot *x = &c->slot[a], *y = &c->slot[b];
	return x->due < y->due || (x->due == y->due && x->seq < y->seq);
}

static void
heap_push(struct sw_cluster *c, uint32_t idx)
{
	uint32_t i = c->heap_len++;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!slot_before(c, idx, c->heap[parent]))
			break;
		c->heap[i] = c->heap[parent];
		i = parent;
	}
	c->heap[i] = idx;
}

static uint32_t
heap_pop(struct sw_cluster *c)
{
	uint32_t top = c->heap[0], last = c->heap[--c->heap_len], i = 0;

	for (;;) {
		uint32_t l = 2 * i + 1, m;
		if (l >= c->heap_len)
			break;
		m = (l + 1 < c->heap_len && slot_before(c, c->heap[l + 1], c->heap[l])) ? l + 1 : l;
		if (!slot_before(c, c->heap[m], last))
			break;
		c->heap[i] = c->heap[m];
		i = m;
	}
	if (c->heap_len > 0)
		c->heap[i] = last;
	return top;
}

static inline void
count_tx(struct cl_server *s, int status)
{
	s->st.tx++;
	s->st.tx_by_class[status >= 100 && status < 700 ? status / 100 : 0]++;
}

void
cl_send(struct cl_ctx *x, uint32_t ip, uint16_t port, const char *p, size_t len, int status,
        int relayed)
{
	struct sw_cluster *c = x->c;
	struct cl_server *s = x->s;

	if (SW_UNLIKELY(len > SW_SIP_MSG_MAX)) {
		s->st.tx_too_large++;
		return;
	}
	if (x->delay == 0) {
		struct sw_cluster_dgram d = {
		        .due = x->now,
		        .src_ip = s->ip,
		        .dst_ip = ip,
		        .src_port = s->port,
		        .dst_port = port,
		        .len = (uint16_t)len,
		        .server = s->index,
		        .relayed = (uint8_t)relayed,
		        .data = p,
		};
		count_tx(s, status);
		x->sink->emit(x->sink->arg, &d);
		x->emitted++;
		return;
	}
	if (len > SW_CLUSTER_SLOT_DATA || c->free_len == 0) {
		s->st.dropped_delay_full++;
		return;
	}
	{
		uint32_t idx = c->free_stack[--c->free_len];
		struct cl_slot *sl = &c->slot[idx];

		sl->due = x->now + x->delay;
		sl->seq = c->seq++;
		sl->src_ip = s->ip;
		sl->dst_ip = ip;
		sl->src_port = s->port;
		sl->dst_port = port;
		sl->len = (uint16_t)len;
		sl->server = s->index;
		sl->status = (uint16_t)status;
		sl->relayed = (uint8_t)relayed;
		memcpy(sl->data, p, len);
		heap_push(c, idx);
	}
}

uint64_t
sw_cluster_next_due(const struct sw_cluster *c)
{
	return c->heap_len > 0 ? c->slot[c->heap[0]].due : UINT64_MAX;
}

unsigned
sw_cluster_poll(struct sw_cluster *c, uint64_t now, sw_cluster_emit emit, void *arg)
{
	unsigned n = 0;

	if (now > c->now_seen)
		c->now_seen = now;
	while (c->heap_len > 0 && c->slot[c->heap[0]].due <= now) {
		uint32_t idx = heap_pop(c);
		struct cl_slot *sl = &c->slot[idx];
		struct sw_cluster_dgram d = {
		        .due = sl->due,
		        .src_ip = sl->src_ip,
		        .dst_ip = sl->dst_ip,
		        .src_port = sl->src_port,
		        .dst_port = sl->dst_port,
		        .len = sl->len,
		        .server = sl->server,
		        .relayed = sl->relayed,
		        .data = sl->data,
		};
		count_tx(&c->srv[sl->server], sl->status);
		emit(arg, &d);
		c->free_stack[c->free_len++] = idx;
		n++;
	}
	for (unsigned t = 0; t < c->n_tables; t++)
		cl_table_sweep(&c->table[t], now, 16);
	return n;
}

/* ---- the registrar ---- */

static void
challenge(struct cl_ctx *x, const struct sw_sip_msg *m, int stale)
{
	struct sw_cluster *c = x->c;
	struct cl_fields f = {c->nonce_d.nonce, CL_NONCE_LEN, {NULL, 0}, 0};

	/* the realm is in the rendered text (it is the cluster's) */
	cl_nonce_make(&c->nonces, x->now, c->nonce_d.nonce);
	x->s->st.challenges++;
	cl_answer(x, m, stale ? T_401_STALE : T_401, 401, &f);
}

static const char *
ha2_of(struct sw_cluster *c, struct sw_sip_str uri)
{
	if (uri.len != c->ha2_uri_len || !cl_same(uri.p, c->ha2_uri, uri.len)) {
		sw_sip_digest_ha2(SW_SIP_ALGO_MD5, "REGISTER", 8, uri.p, uri.len, c->ha2);
		memcpy(c->ha2_uri, uri.p, uri.len); /* uri.len <= 255 (credentials parser) */
		c->ha2_uri_len = (uint16_t)uri.len;
	}
	return c->ha2;
}

/* The bytes sane() refuses as a bit map: controls, SP, DEL and above, '<', '>', '"'. */
static const uint64_t insane[4] = {
        UINT64_C(0x50000005FFFFFFFF),
        UINT64_C(0x8000000000000000),
        UINT64_C(0xFFFFFFFFFFFFFFFF),
        UINT64_C(0xFFFFFFFFFFFFFFFF),
};

/*
 * A user or a Contact URI we store or echo: visible ASCII without the characters that would
 * end a name-addr or a URI early (lib/sip accepts more in an addr-spec than we can echo).
 */
#ifdef __AVX2__
/*
 * Bit i set when byte i of the 32 at p is one sane() refuses: each byte classified by two
 * nibble lookups (bit h - 2 of lo[low nibble] is set when the byte with high nibble h, 2 to 7,
 * and that low nibble is visible and not '"', '<' or '>'): the insane[] map as bits, in
 * half the operations of range tests and three comparisons.
 */
static inline uint32_t
insane32(const char *p)
{
	const __m256i lo =
	        _mm256_setr_epi8(0x3e, 0x3f, 0x3e, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
	                         0x3f, 0x3d, 0x3f, 0x3d, 0x1f, 0x3e, 0x3f, 0x3e, 0x3f, 0x3f, 0x3f,
	                         0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3d, 0x3f, 0x3d, 0x1f);
	const __m256i hi = _mm256_setr_epi8(0, 0, 1, 2, 4, 8, 16, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	                                    1, 2, 4, 8, 16, 32, 0, 0, 0, 0, 0, 0, 0, 0);

	return cl_not_in_class32(p, lo, hi);
}
#endif

static int sane_any(struct sw_sip_str s, const char *end);

/*
 * sane(), inline: the usual slice (a user, a Contact URI) is at most 32 bytes with 32 readable
 * from its start, one load; the rest by sane_any().
 */
static inline int
sane(struct sw_sip_str s, const char *end)
{
#ifdef __AVX2__
	if (s.len <= 32 && end - s.p >= 32)
		return (insane32(s.p) & (uint32_t)((UINT64_C(1) << s.len) - 1)) == 0;
#endif
	return sane_any(s, end);
}

static int
sane_any(struct sw_sip_str s, const char *end)
{
	unsigned bad = 0;
	uint32_t i = 0;

#ifdef __AVX2__
	/* 32 bytes a step while the datagram (it ends at end) has them, the slice's bits kept */
	for (; i < s.len && end - (s.p + i) >= 32; i += 32) {
		uint32_t m = insane32(s.p + i);
		if (s.len - i < 32)
			m &= (UINT32_C(1) << (s.len - i)) - 1;
		if (m != 0)
			return 0;
	}
#else
	(void)end;
#endif
	/* no early exit: the strings are short and almost always sane */
	for (; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.p[i];
		bad |= (unsigned)(insane[ch >> 6] >> (ch & 63)) & 1;
	}
	return bad == 0;
}

/* HA1 of cr's user: kept in the binding of the AOR once the user has authenticated there (a
 * registrar's stored HA1), else derived by the password rule (the same value either way). */
static void
ha1_of(const struct sw_cluster *c, const struct cl_binding *b, struct sw_sip_str aor,
       const struct sw_cluster_credentials *cr, uint8_t *ha1)
{
	if (b != NULL && b->has_ha1 && cr->username.len == aor.len &&
	    cl_same(cr->username.p, aor.p, aor.len))
		memcpy(ha1, b->ha1, 16);
	else
		cl_ha1(c, cr->username, ha1);
}

/* The credentials checks that need no state, before the digest response. */
static inline __attribute__((always_inline)) int
cred_fields_ok(const struct sw_cluster *c, const struct sw_cluster_credentials *cr)
{
	return cr->realm.len == c->realm_len && cl_same(cr->realm.p, c->realm, c->realm_len) &&
	       cr->username.len <= SW_CLUSTER_USER_MAX &&
	       (cr->algorithm.len == 0 || cl_ieq(cr->algorithm, "md5", 3)) &&
	       (cr->qop.len == 0 || cl_ieq(cr->qop, "auth", 4));
}

static void
registrar(struct cl_ctx *x, const struct sw_sip_msg *m, const char *buf, size_t len,
          const struct cl_pre *pre)
{
	struct sw_cluster *c = x->c;
	struct cl_server *s = x->s;
	struct cl_table *t = &c->table[s->table];
	struct sw_cluster_credentials crl;
	const struct sw_cluster_credentials *crp = &crl;
	struct sw_sip_str aor, auth;
	struct cl_binding *b;
	uint8_t ha1[16];
	int64_t expires;
	uint32_t h;
	int rc, found;

	if (pre != NULL)
		aor = pre->aor; /* found by the first pass, within the limit */
	else if (cl_uri_user_in(m->to, buf + len, &aor) != 0)
		aor = (struct sw_sip_str){NULL, SW_CLUSTER_USER_MAX + 1}; /* none: 400 */
	if (aor.len > SW_CLUSTER_USER_MAX || !sane(aor, buf + len) ||
	    (m->contact_uri.len > 0 && !sane(m->contact_uri, buf + len))) {
		s->st.bad_requests++;
		cl_answer(x, m, T_400, 400, NULL);
		return;
	}
	if (pre != NULL) {
		found = pre->has_auth;
		auth = pre->auth;
	} else {
		found = m->authorization.p != NULL; /* parsed with WANT_FIRST */
		auth = m->authorization;
	}
	if (!found) {
		challenge(x, m, 0);
		return;
	}
	/* the binding is needed after the credentials are checked: start loading it now */
	/* 1 <= aor.len <= SW_CLUSTER_USER_MAX */
	h = pre != NULL ? pre->h : cl_hash_user(t->key, aor.p, aor.len);
	__builtin_prefetch(&t->b[h & t->mask]);
	if (pre != NULL) {
		rc = pre->cr_rc;
		crp = &pre->cr;
	} else {
		rc = cl_credentials_parse_in(&crl, auth.p, auth.len, buf + len);
	}
	if (rc == -EPROTONOSUPPORT) {
		challenge(x, m, 0);
		return;
	}
	if (rc != 0) {
		s->st.bad_requests++;
		cl_answer(x, m, T_400, 400, NULL);
		return;
	}
	if (s->fault.kind == SW_CLUSTER_REJECT_AUTH) {
		s->st.fault_reject_auth++;
		cl_answer(x, m, T_403, 403, NULL);
		return;
	}
	switch (cl_nonce_check(&c->nonces, crp->nonce, x->now, c->nonce_ttl_s)) {
	case CL_NONCE_BAD:
		s->st.bad_nonce++;
		challenge(x, m, 0);
		return;
	case CL_NONCE_STALE:
		s->st.stale_nonce++;
		challenge(x, m, 1);
		return;
	default:
		break;
	}
	/* a verdict of the first pass was given only after the same checks of the same fields */
	if ((pre == NULL || pre->verdict == 0) && !cred_fields_ok(c, crp))
		goto forbidden;

	if (pre != NULL && pre->verdict != 0) {
		/* the HA1 is known: the binding is found (or made) by cl_table_get_h() below */
		b = NULL;
		memcpy(ha1, pre->ha1, 16);
		if (pre->verdict != 1)
			goto forbidden;
	} else {
		b = cl_table_find_h(t, h, aor.p, aor.len);
		ha1_of(c, b, aor, crp, ha1);
		if (!cl_response_check(ha1, ha2_of(c, crp->uri), crp))
			goto forbidden;
	}
	s->st.auth_ok++;

	/* RFC 3261 section 10.3 step 6: the contact's expires, else Expires, else our default */
	expires = m->contact_expires >= 0 ? m->contact_expires
	          : m->expires >= 0       ? m->expires
	                                  : 3600;
	if (m->contact_uri.len == 0) {
		/* a query: nothing changes (the bindings are not listed) */
		cl_answer(x, m, T_200_PLAIN, 200, NULL);
		return;
	}
	if (expires == 0 || (m->contact_uri.len == 1 && m->contact_uri.p[0] == '*')) {
		if (expires != 0) {
			s->st.bad_requests++;
			cl_answer(x, m, T_400, 400, NULL);
			return;
		}
		cl_table_del(t, aor.p, aor.len);
		s->st.unregistered++;
		cl_answer(x, m, T_200_PLAIN, 200, NULL);
		return;
	}
	if (expires < c->min_expires)
		expires = c->min_expires;
	if (expires > c->max_expires)
		expires = c->max_expires;
	if (b == NULL)
		b = cl_table_get_h(t, h, aor.p, aor.len);
	if (b == NULL) {
		s->st.table_full++;
		cl_answer(x, m, T_503, 503, NULL);
		return;
	}
	if (cl_uri_ipv4_in(m->contact_uri, buf + len, &b->ip, &b->port) != 0) {
		b->ip = x->src_ip;
		b->port = x->src_port;
	}
	b->expires = x->now + (uint64_t)expires * SW_NS_PER_S;
	if (crp->username.len == aor.len && cl_same(crp->username.p, aor.p, aor.len)) {
		memcpy(b->ha1, ha1, 16);
		b->has_ha1 = 1;
	}
	s->st.registered++;
	{
		struct cl_fields f = {
		        NULL, 0, {m->contact_uri.p, m->contact_uri.len}, (uint32_t)expires};
		cl_answer(x, m, T_200_REG, 200, &f);
	}
	return;

forbidden:
	s->st.auth_fail++;
	cl_answer(x, m, T_403, 403, NULL);
}

/* ---- dispatch ---- */

static struct cl_server *
server_at(struct sw_cluster *c, uint32_t ip, uint16_t port)
{
	for (unsigned i = 0; i < c->n_servers; i++)
		if (c->srv[i].ip == ip && c->srv[i].port == port)
			return &c->srv[i];
	return NULL;
}

/* What pre_register() left to the 8-lane passes of a datagram. */
enum pre_next {
	PRE_DONE = 0, /* nothing: a verdict, or no digest to check */
	PRE_RESPONSE, /* the response's MD5 (pre->blk, two blocks) */
	PRE_HA1,      /* the HA1's MD5 (pre->hblk, one block), then pre_response() */
};

/*
 * The response's input padded into pre->blk when it is two blocks (the 8-lane MD5 then gives
 * the verdict: PRE_RESPONSE), else the verdict at once; pre->ha1 is known. lim ends the
 * datagram.
 */
static enum pre_next
pre_response(struct sw_cluster *c, struct cl_pre *pre, const char *lim)
{
	const struct sw_cluster_credentials *cr = &pre->cr;
	/* 32 + 1 + nonce + 1 [+ nc + 1 + cnonce + 1 + qop + 1] + 32, then 9 bytes of padding */
	size_t n = 66 + cr->nonce.len +
	           (cr->qop.len > 0 ? cr->nc.len + cr->cnonce.len + cr->qop.len + 3 : 0);

	if (n + 9 <= 128) {
		const char *ha2 = ha2_of(c, cr->uri);
		size_t k = cl_response_input_fast(pre->ha1, ha2, cr, lim, pre->blk);

		if (k == 0)
			k = cl_response_input(pre->ha1, ha2, cr, pre->blk);
		cl_md5_pad_into(pre->blk, 128, k);
		return PRE_RESPONSE;
	}
	pre->verdict = cl_response_check(pre->ha1, ha2_of(c, cr->uri), cr) ? 1 : 2;
	return PRE_DONE;
}

/*
 * The registrar's first step for a REGISTER: its AOR user (To), hashed, the binding's slot
 * prefetched when it has credentials (without, the answer is a 401 that never reads the
 * table: no hash, and no cache miss started for nothing); false when there is no user
 * (pre->reg stays 0).
 */
static bool
pre_aor(struct sw_cluster *c, const struct cl_server *s, struct cl_pre *pre, const char *lim)
{
	const struct cl_table *t = &c->table[s->table];
	struct sw_sip_str aor;

	if (cl_uri_user_in(pre->m.to, lim, &aor) != 0 || aor.len > SW_CLUSTER_USER_MAX)
		return false;
	pre->aor = aor;
	if (pre->m.authorization.p != NULL) {
		pre->h = cl_hash_user(t->key, aor.p, aor.len);
		__builtin_prefetch(&t->b[pre->h & t->mask]);
	}
	pre->reg = 1;
	return true;
}

/*
 * The registrar's next steps for a REGISTER after pre_aor(), that change no state: the
 * credentials, and the HA1: the binding's, or its input padded into pre->hblk when it is one
 * block (PRE_HA1), else computed at once; then pre_response().
 */
static enum pre_next
pre_register(struct sw_cluster *c, const struct cl_server *s, struct cl_pre *pre, const char *buf,
             size_t len)
{
	const struct sw_cluster_credentials *cr = &pre->cr;
	const struct cl_table *t = &c->table[s->table];
	const struct cl_binding *b;
	struct sw_sip_str aor;
	size_t n;

	aor = pre->aor;
	pre->has_auth = pre->m.authorization.p != NULL;
	pre->auth = pre->m.authorization;
	if (!pre->has_auth)
		return PRE_DONE;
	pre->cr_rc = cl_credentials_parse_in(&pre->cr, pre->auth.p, pre->auth.len, buf + len);
	if (pre->cr_rc != 0 || !cred_fields_ok(c, cr) || cr->response.len != 32)
		return PRE_DONE;
	/* as ha1_of(): the binding's HA1 when it is this user's, else by the rule */
	b = cl_table_find_h(t, pre->h, aor.p, aor.len);
	if (b != NULL && b->has_ha1 && cr->username.len == aor.len &&
	    cl_same(cr->username.p, aor.p, aor.len)) {
		memcpy(pre->ha1, b->ha1, 16);
	} else if ((n = cl_ha1_len(c, cr->username.len)) + 9 <= sizeof(pre->hblk)) {
		if (c->ha1_split && cl_short_in(cr->username, buf + len))
			cl_ha1_block(c, cr->username, n, pre->hblk);
		else
			cl_md5_pad_into(pre->hblk, sizeof(pre->hblk),
			                cl_ha1_input(c, cr->username, pre->hblk));
		return PRE_HA1;
	} else {
		cl_ha1(c, cr->username, pre->ha1);
	}
	return pre_response(c, pre, buf + len);
}

/*
 * MD5 of n padded messages of nblk blocks each (in[i] to out[i]), eight at a time by the
 * 8-lane MD5; one alone by the scalar one.
 */
static void
md5_lanes(const uint8_t *const *in, uint8_t *const *out, unsigned n, unsigned nblk)
{
	for (unsigned g = 0; g < n; g += 8) {
		unsigned m = n - g < 8 ? n - g : 8;
		const uint8_t *lin[8];
		uint8_t md[8][16];

		if (m == 1) {
			cl_md5_blocks(in[g], nblk, out[g]);
			continue;
		}
		/* unused lanes hash the first one again; their result is dropped */
		for (unsigned l = 0; l < 8; l++)
			lin[l] = in[g + (l < m ? l : 0)];
		cl_md5x8(lin, nblk, md);
		for (unsigned l = 0; l < m; l++)
			memcpy(out[g + l], md[l], 16);
	}
}

/* One datagram for server s (NULL: no server has its address), parsed already with pre. */
static unsigned input_one(struct sw_cluster *c, uint64_t now, uint32_t src_ip, uint16_t src_port,
                          struct cl_server *s, const char *buf, size_t len,
                          const struct sw_cluster_sink *sink, struct cl_pre *pre);

unsigned
sw_cluster_input(struct sw_cluster *c, uint64_t now, uint32_t src_ip, uint16_t src_port,
                 uint32_t dst_ip, uint16_t dst_port, const char *buf, size_t len,
                 sw_cluster_emit emit, void *arg)
{
	const struct sw_cluster_sink sink = {emit, NULL, arg};

	return input_one(c, now, src_ip, src_port, server_at(c, dst_ip, dst_port), buf, len, &sink,
	                 NULL);
}

/* The datagrams parse requests with (see input_one). */
/* the Authorization value comes with the parse (the registrar's own pass over the headers to
 * find it cost ~320-400 instructions a REGISTER) */
#define WANT_FIRST                                                                                 \
	(SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS | SW_SIP_WANT_AUTHORIZATION)

unsigned
sw_cluster_input_burst(struct sw_cluster *c, uint64_t now, const struct sw_cluster_rx *rx,
                       unsigned n, sw_cluster_emit emit, void *arg)
{
	const struct sw_cluster_sink sink = {emit, NULL, arg};

	return sw_cluster_input_burst_to(c, now, rx, n, &sink);
}

unsigned
sw_cluster_input_burst_to(struct sw_cluster *c, uint64_t now, const struct sw_cluster_rx *rx,
                          unsigned n, const struct sw_cluster_sink *sink)
{
	unsigned emitted = 0;

	for (unsigned base = 0; base < n; base += CL_BURST) {
		unsigned k = n - base < CL_BURST ? n - base : CL_BURST;
		unsigned hl[CL_BURST], rl[CL_BURST], nh = 0, nr = 0;
		const uint8_t *in[CL_BURST];
		uint8_t *out[CL_BURST], md[CL_BURST][16];

		struct cl_server *srv[CL_BURST]; /* found once, for both passes */
		unsigned regs[CL_BURST], nreg = 0;

		/* first pass: parse */
		for (unsigned i = 0; i < k; i++) {
			const struct sw_cluster_rx *r = &rx[base + i];
			struct cl_pre *pre = &c->pre[i];

			srv[i] = server_at(c, r->dst_ip, r->dst_port);
			pre->reg = 0;
			pre->verdict = 0;
			pre->parse_rc = sw_sip_parse(&pre->m, r->buf, r->len, WANT_FIRST);
			if (srv[i] != NULL && pre->parse_rc == SW_SIP_OK && pre->m.is_request &&
			    pre->m.method == SW_SIP_METHOD_REGISTER)
				regs[nreg++] = i;
		}
		/* the REGISTERs' bindings, loaded one after the other so that the misses overlap
		 * (in 512 MiB a lookup misses the cache; a prefetch between two parses waited out
		 * its miss alone) */
		unsigned nok = 0;

		for (unsigned j = 0; j < nreg; j++) {
			unsigned i = regs[j];

			if (pre_aor(c, srv[i], &c->pre[i], rx[base + i].buf + rx[base + i].len))
				regs[nok++] = i;
		}
		/* the credentials, and the digest responses of the REGISTERs */
		for (unsigned j = 0; j < nok; j++) {
			unsigned i = regs[j];
			const struct sw_cluster_rx *r = &rx[base + i];
			const struct cl_server *s = srv[i];
			struct cl_pre *pre = &c->pre[i];

			switch (pre_register(c, s, pre, r->buf, r->len)) {
			case PRE_HA1:
				hl[nh++] = i;
				break;
			case PRE_RESPONSE:
				rl[nr++] = i;
				break;
			default:
				break;
			}
		}
		/* the HA1s, one block each, eight at a time; then their responses' input */
		if (nh > 0) {
			for (unsigned j = 0; j < nh; j++) {
				in[j] = c->pre[hl[j]].hblk;
				out[j] = c->pre[hl[j]].ha1;
			}
			md5_lanes(in, out, nh, 1);
			for (unsigned j = 0; j < nh; j++)
				if (pre_response(c, &c->pre[hl[j]],
				                 rx[base + hl[j]].buf + rx[base + hl[j]].len) ==
				    PRE_RESPONSE)
					rl[nr++] = hl[j];
		}
		/* the responses' MD5, two blocks each, eight at a time */
		for (unsigned j = 0; j < nr; j++) {
			in[j] = c->pre[rl[j]].blk;
			out[j] = md[j];
		}
		md5_lanes(in, out, nr, 2);
		for (unsigned j = 0; j < nr; j++) {
			struct cl_pre *pre = &c->pre[rl[j]];
			pre->verdict = cl_response_match(md[j], &pre->cr) ? 1 : 2;
		}
		/* second pass: in order, as one call each */
		for (unsigned i = 0; i < k; i++) {
			const struct sw_cluster_rx *r = &rx[base + i];
			emitted += input_one(c, now, r->src_ip, r->src_port, srv[i], r->buf, r->len,
			                     sink, &c->pre[i]);
		}
	}
	return emitted;
}

static unsigned
input_one(struct sw_cluster *c, uint64_t now, uint32_t src_ip, uint16_t src_port,
          struct cl_server *s, const char *buf, size_t len, const struct sw_cluster_sink *sink,
          struct cl_pre *pre)
{
	struct sw_sip_msg ml, *mp = pre != NULL ? &pre->m : &ml; /* pre: parsed already */
	struct cl_ctx x;
	int rc;

	if (now > c->now_seen)
		c->now_seen = now;
	if (s == NULL) {
		c->unknown_dst++;
		return 0;
	}
	s->st.rx++;
	if (SW_UNLIKELY(now < s->fault.from || now >= s->fault.until))
		fault_compute(c, s, now);
	if (s->fault.kind == SW_CLUSTER_SILENT) {
		s->st.dropped_silent++;
		return 0;
	}
	if (s->fault.rate != 0 && !bucket_take(s, now, s->fault.rate)) {
		s->st.dropped_capacity++;
		return 0;
	}
	x = (struct cl_ctx){.c = c,
	                    .s = s,
	                    .now = now,
	                    .delay = s->fault.kind == SW_CLUSTER_DELAY
	                                     ? (uint64_t)s->fault.param * SW_NS_PER_MS
	                                     : 0,
	                    .src_ip = src_ip,
	                    .src_port = src_port,
	                    .lim = buf + len,
	                    .sink = sink};
	/*
	 * The registrar and the stateless answers need the tags (which also checks From and To,
	 * echoed in the answers), the Contact and the numbers, not the top Via's sub-fields; the
	 * proxy parses again with everything.
	 */
	rc = pre != NULL ? pre->parse_rc : (int)sw_sip_parse(mp, buf, len, WANT_FIRST);
	if (rc != SW_SIP_OK) {
		s->st.parse_errors++;
		return 0;
	}
	if ((!mp->is_request ||
	     (mp->method != SW_SIP_METHOD_REGISTER && mp->method != SW_SIP_METHOD_OPTIONS &&
	      mp->method != SW_SIP_METHOD_SUBSCRIBE)) &&
	    sw_sip_parse(mp, buf, len,
	                 SW_SIP_WANT_VIA | SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT |
	                         SW_SIP_WANT_NUMBERS) != SW_SIP_OK) {
		s->st.parse_errors++;
		return 0;
	}
	if (!mp->is_request) {
		s->st.rx_responses++;
		cl_proxy_response(&x, mp, buf, len);
		return x.emitted;
	}
	s->st.rx_requests++;
	s->st.rx_by_method[mp->method < SW_SIP_METHOD_COUNT ? mp->method : SW_SIP_METHOD_OTHER]++;
	if (s->fault.kind == SW_CLUSTER_503) {
		struct cl_fields f = {NULL, 0, {NULL, 0}, s->fault.param};

		s->st.fault_503++;
		cl_answer(&x, mp, s->fault.param != 0 ? T_503_RA : T_503, 503, &f); /* not an ACK */
		return x.emitted;
	}
	switch (mp->method) {
	case SW_SIP_METHOD_REGISTER:
		registrar(&x, mp, buf, len, pre != NULL && pre->reg ? pre : NULL);
		break;
	case SW_SIP_METHOD_OPTIONS:
		cl_answer(&x, mp, T_200_OPTIONS, 200, NULL);
		break;
	case SW_SIP_METHOD_SUBSCRIBE: {
		int64_t e = mp->expires >= 0 ? mp->expires : 3600;
		struct cl_fields f = {
		        NULL, 0, {NULL, 0}, (uint32_t)(e > c->max_expires ? c->max_expires : e)};
		cl_answer(&x, mp, T_200_SUB, 200, &f);
		break;
	}
	case SW_SIP_METHOD_INVITE:
	case SW_SIP_METHOD_ACK:
	case SW_SIP_METHOD_BYE:
	case SW_SIP_METHOD_CANCEL:
	case SW_SIP_METHOD_PRACK:
	case SW_SIP_METHOD_UPDATE:
	case SW_SIP_METHOD_INFO:
	case SW_SIP_METHOD_MESSAGE:
	case SW_SIP_METHOD_REFER:
		cl_proxy_request(&x, mp, buf, len);
		break;
	case SW_SIP_METHOD_NOTIFY:
	case SW_SIP_METHOD_PUBLISH:
		cl_answer(&x, mp, T_405, 405, NULL);
		break;
	default:
		cl_answer(&x, mp, T_501, 501, NULL);
		break;
	}
	return x.emitted;
}

/* ---- reading ---- */

void
sw_cluster_stats(const struct sw_cluster *c, unsigned server, struct sw_cluster_server_stats *out)
{
	if (server >= c->n_servers) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = c->srv[server].st;
	out->bindings = c->table[c->srv[server].table].count;
}

const struct cl_binding *
cl_binding_live(const struct sw_cluster *c, unsigned t, const char *user, size_t len)
{
	const struct cl_binding *b = cl_table_find(&c->table[t], user, len);

	return (b != NULL && b->expires > c->now_seen) ? b : NULL;
}

int
sw_cluster_lookup(const struct sw_cluster *c, unsigned group, const char *user, size_t len,
                  uint32_t *ip, uint16_t *port, uint64_t *expires_ns)
{
	for (unsigned t = 0; t < c->n_tables; t++) {
		const struct cl_binding *b;
		if (c->table[t].group != group)
			continue;
		b = cl_binding_live(c, t, user, len);
		if (b == NULL)
			return -ENOENT;
		if (ip != NULL)
			*ip = b->ip;
		if (port != NULL)
			*port = b->port;
		if (expires_ns != NULL)
			*expires_ns = b->expires;
		return 0;
	}
	return -EINVAL;
}
