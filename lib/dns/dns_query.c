/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DNS record source over ldns (see sw_dns_query.h for why ldns), and the chain source.
 * This file is the only one in lib/dns that does I/O; it runs on the control core only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sw_dns_query.h"

#define ARENA_SIZE (64 * 1024)
#define ANSWER_MAX 65535

struct server {
	uint32_t ip; /* host order */
	uint16_t port;
};

/* A record of an ADDITIONAL section kept for the rest of one resolution (dns_cache_type 2). */
struct kept {
	const char *owner; /* in the arena */
	uint16_t type;
	struct sw_dns_rr rr;
};

struct sw_dns_client {
	struct server srv[SW_DNS_MAX_SERVERS];
	unsigned int n_srv, timeout_ms, tries;
	struct sw_dns_transport tr;
	bool additional; /* the current resolution uses additional records */
	unsigned int n_kept;
	struct kept kept[SW_DNS_MAX_ADDITIONAL];
	struct sw_dns_client_stats st;
	size_t used;
	char arena[ARENA_SIZE];
	uint8_t ans[ANSWER_MAX];
};

/* The default exchange: one UDP or TCP query through ldns's socket helpers, to this server's
 * own address and port. */
static int
ldns_exchange(void *ctx, uint32_t ip, uint16_t port, bool tcp, const uint8_t *query, size_t qlen,
              uint8_t *ans, size_t cap, unsigned int timeout_ms)
{
	struct sockaddr_storage ss;
	struct sockaddr_in sin = {
	        .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(ip)};
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	ldns_buffer *b = ldns_buffer_new(qlen);
	uint8_t *res = NULL;
	size_t len = 0;
	ldns_status st;

	(void)ctx;
	if (b == NULL)
		return -EIO;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &sin, sizeof(sin));
	ldns_buffer_write(b, query, qlen);
	if (tcp)
		st = ldns_tcp_send(&res, b, &ss, (socklen_t)sizeof(sin), tv, &len);
	else
		st = ldns_udp_send(&res, b, &ss, (socklen_t)sizeof(sin), tv, &len);
	ldns_buffer_free(b);
	if (st != LDNS_STATUS_OK || res == NULL || len == 0) {
		free(res);
		return -ETIMEDOUT;
	}
	if (len > cap) {
		free(res);
		return -EMSGSIZE;
	}
	memcpy(ans, res, len);
	free(res);
	return (int)len;
}

struct sw_dns_client *
sw_dns_client_new(const char *servers, unsigned int timeout_ms, unsigned int retries)
{
	struct sw_dns_client *c;
	char buf[256], *save = NULL, *tok;

	if (servers != NULL && strlen(servers) >= sizeof(buf))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->tr = (struct sw_dns_transport){.exchange = ldns_exchange};
	c->timeout_ms = timeout_ms;
	c->tries = retries == 0 ? 1 : retries;
	if (servers == NULL)
		return c; /* a client that only parses answers */
	strcpy(buf, servers);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		unsigned long port = 53;
		struct in_addr in;

		if (colon != NULL) {
			char *end;

			port = strtoul(colon + 1, &end, 10);
			if (colon[1] == '\0' || *end != '\0' || port == 0 || port > 65535)
				goto fail;
			*colon = '\0';
		}
		if (c->n_srv == SW_DNS_MAX_SERVERS || inet_pton(AF_INET, tok, &in) != 1)
			goto fail;
		c->srv[c->n_srv++] =
		        (struct server){.ip = ntohl(in.s_addr), .port = (uint16_t)port};
	}
	if (c->n_srv == 0)
		goto fail;
	return c;
fail:
	sw_dns_client_free(c);
	return NULL;
}

void
sw_dns_client_free(struct sw_dns_client *c)
{
	free(c);
}

void
sw_dns_client_set_transport(struct sw_dns_client *c, const struct sw_dns_transport *tr)
{
	c->tr = tr != NULL ? *tr : (struct sw_dns_transport){.exchange = ldns_exchange};
}

void
sw_dns_client_reset(struct sw_dns_client *c)
{
	c->used = 0;
	c->n_kept = 0; /* their owners live in the arena */
}

const struct sw_dns_client_stats *
sw_dns_client_stats(const struct sw_dns_client *c)
{
	return &c->st;
}

static const char *
keep(struct sw_dns_client *c, const char *s, size_t len)
{
	char *p;

	if (c->used + len + 1 > ARENA_SIZE)
		return NULL;
	p = &c->arena[c->used];
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	return p;
}

/* A domain name rdf as text without the final dot, kept in the arena. */
static const char *
keep_dname(struct sw_dns_client *c, const ldns_rdf *rdf)
{
	char *s;
	const char *k;
	size_t len;

	if (rdf == NULL)
		return NULL;
	s = ldns_rdf2str(rdf);
	if (s == NULL)
		return NULL;
	len = strlen(s);
	if (len > 1 && s[len - 1] == '.')
		len--;
	k = keep(c, s, len);
	free(s);
	return k;
}

/* A character-string rdf (length byte, then bytes), kept in the arena. */
static const char *
keep_str(struct sw_dns_client *c, const ldns_rdf *rdf)
{
	const uint8_t *d;

	if (rdf == NULL || ldns_rdf_size(rdf) < 1)
		return NULL;
	d = ldns_rdf_data(rdf);
	if ((size_t)d[0] + 1 > ldns_rdf_size(rdf))
		return NULL;
	return keep(c, (const char *)d + 1, d[0]);
}

/* Turn one RR into our record, false when it is malformed. */
static bool
convert(struct sw_dns_client *c, const ldns_rr *rr, ldns_rr_type type, struct sw_dns_rr *out)
{
	memset(out, 0, sizeof(*out));
	out->ttl = ldns_rr_ttl(rr);
	if (out->ttl > INT32_MAX)
		out->ttl = 0; /* RFC 2181 section 8: a TTL with the top bit set is treated as 0 */
	switch (type) {
	case LDNS_RR_TYPE_A: {
		const ldns_rdf *f = ldns_rr_rdf(rr, 0);
		uint32_t ip;

		if (f == NULL || ldns_rdf_size(f) != 4)
			return false;
		memcpy(&ip, ldns_rdf_data(f), 4);
		out->ip = ntohl(ip);
		return out->ip != 0;
	}
	case LDNS_RR_TYPE_SRV:
		if (ldns_rr_rd_count(rr) != 4)
			return false;
		out->priority = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		out->weight = ldns_rdf2native_int16(ldns_rr_rdf(rr, 1));
		out->port = ldns_rdf2native_int16(ldns_rr_rdf(rr, 2));
		out->target = keep_dname(c, ldns_rr_rdf(rr, 3));
		return out->target != NULL;
	case LDNS_RR_TYPE_NAPTR:
		if (ldns_rr_rd_count(rr) != 6)
			return false;
		out->order = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		out->preference = ldns_rdf2native_int16(ldns_rr_rdf(rr, 1));
		out->flags = keep_str(c, ldns_rr_rdf(rr, 2));
		out->service = keep_str(c, ldns_rr_rdf(rr, 3));
		out->target = keep_dname(c, ldns_rr_rdf(rr, 5));
		return out->flags != NULL && out->service != NULL && out->target != NULL;
	default:
		return false;
	}
}

/*
 * The records of type for *cur in answer p; CNAMEs in the answer are followed from cur (which
 * is updated to the end of the chain), counting links. Returns the number of records, or
 * -ENXIO (NXDOMAIN), -EIO (another error code), -ELOOP (more than SW_DNS_MAX_CNAME links).
 */
static int
records(struct sw_dns_client *c, const ldns_pkt *p, char *cur, size_t cur_len, ldns_rr_type type,
        struct sw_dns_rr *out, unsigned int max, unsigned int *links)
{
	const ldns_rr_list *ans;
	unsigned int n = 0;
	bool moved = true;
	ldns_rdf *qname;
	const ldns_rdf *want; /* the name records are for: qname, then each CNAME target */

	if (ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN)
		return -ENXIO;
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR)
		return -EIO;
	/* names compared as wire dnames (ldns_dname_compare ignores case), not as text: the
	 * text form costs a printf per character in ldns */
	qname = ldns_dname_new_frm_str(cur);
	if (qname == NULL)
		return 0;
	want = qname;
	ans = ldns_pkt_answer(p);
	while (moved) {
		moved = false;
		for (size_t i = 0; ans != NULL && i < ldns_rr_list_rr_count(ans); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(ans, i);
			const char *t;

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME ||
			    ldns_rr_rd_count(rr) != 1 ||
			    ldns_rdf_get_type(ldns_rr_rdf(rr, 0)) != LDNS_RDF_TYPE_DNAME ||
			    ldns_dname_compare(ldns_rr_owner(rr), want) != 0)
				continue;
			if (++*links > SW_DNS_MAX_CNAME) {
				ldns_rdf_deep_free(qname);
				return -ELOOP;
			}
			t = keep_dname(c, ldns_rr_rdf(rr, 0));
			if (t == NULL || strlen(t) >= cur_len)
				break;
			strcpy(cur, t);
			want = ldns_rr_rdf(rr, 0);
			moved = true;
			break;
		}
	}
	for (size_t i = 0; ans != NULL && i < ldns_rr_list_rr_count(ans) && n < max; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);

		if (ldns_rr_get_type(rr) != type || ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    ldns_dname_compare(ldns_rr_owner(rr), want) != 0)
			continue; /* wrong type or another owner: ignored */
		if (convert(c, rr, type, &out[n]))
			n++;
	}
	ldns_rdf_deep_free(qname);
	return (int)n;
}

int
sw_dns_answer_records(struct sw_dns_client *c, const uint8_t *wire, size_t len, const char *qname,
                      uint16_t qtype, struct sw_dns_rr *out, unsigned int max)
{
	char cur[SW_DNS_MAX_NAME];
	unsigned int links = 0;
	ldns_pkt *p = NULL;
	int rc;

	if (c == NULL || wire == NULL || qname == NULL || out == NULL ||
	    strlen(qname) >= sizeof(cur) ||
	    (qtype != LDNS_RR_TYPE_A && qtype != LDNS_RR_TYPE_SRV && qtype != LDNS_RR_TYPE_NAPTR))
		return -EINVAL;
	if (ldns_wire2pkt(&p, wire, len) != LDNS_STATUS_OK || p == NULL) {
		ldns_pkt_free(p);
		return -EBADMSG;
	}
	strcpy(cur, qname);
	rc = records(c, p, cur, sizeof(cur), (ldns_rr_type)qtype, out, max, &links);
	ldns_pkt_free(p);
	return rc;
}

/* Does answer p (its header and question) answer query q? */
static bool
answers(const ldns_pkt *p, const ldns_pkt *q)
{
	const ldns_rr_list *pq = ldns_pkt_question(p), *qq = ldns_pkt_question(q);
	const ldns_rr *a, *b;

	if (!ldns_pkt_qr(p) || ldns_pkt_id(p) != ldns_pkt_id(q) || pq == NULL || qq == NULL ||
	    ldns_rr_list_rr_count(pq) != 1 || ldns_rr_list_rr_count(qq) != 1)
		return false;
	a = ldns_rr_list_rr(pq, 0);
	b = ldns_rr_list_rr(qq, 0);
	return ldns_rr_get_type(a) == ldns_rr_get_type(b) &&
	       ldns_rr_get_class(a) == ldns_rr_get_class(b) &&
	       ldns_dname_compare(ldns_rr_owner(a), ldns_rr_owner(b)) == 0;
}

/*
 * One exchange with server i: the parsed answer to q, or NULL; *tc is set when a UDP answer
 * with q's ID came back truncated (its records may be cut anywhere, so it is not parsed).
 */
static ldns_pkt *
exchange(struct sw_dns_client *c, unsigned int i, bool tcp, const ldns_pkt *q, const uint8_t *wire,
         size_t wlen, bool *tc)
{
	ldns_pkt *p = NULL;
	int n = c->tr.exchange(c->tr.ctx, c->srv[i].ip, c->srv[i].port, tcp, wire, wlen, c->ans,
	                       sizeof(c->ans), c->timeout_ms);

	*tc = false;
	/* header: ID (2 bytes), then QR|Opcode|AA|TC|RD: TC is bit 0x02 of byte 2 (RFC 1035 4.1.1) */
	if (!tcp && n >= 12 && (c->ans[2] & 0x80) != 0 && (c->ans[2] & 0x02) != 0 &&
	    (uint16_t)(c->ans[0] << 8 | c->ans[1]) == ldns_pkt_id(q)) {
		*tc = true;
		return NULL;
	}
	if (n <= 0 || ldns_wire2pkt(&p, c->ans, (size_t)n) != LDNS_STATUS_OK || p == NULL ||
	    !answers(p, q)) {
		ldns_pkt_free(p);
		c->st.timeouts++;
		return NULL;
	}
	return p;
}

/*
 * Ask the servers in order for (qname, type): each up to c->tries times over UDP, a truncated
 * answer again over TCP from the same server; the first answer wins whatever its code.
 * Returns the answer, or NULL when no server answered.
 */
static ldns_pkt *
ask(struct sw_dns_client *c, const char *qname, ldns_rr_type type)
{
	ldns_pkt *q = NULL, *p = NULL;
	uint8_t *wire = NULL;
	size_t wlen = 0;

	if (ldns_pkt_query_new_frm_str(&q, qname, type, LDNS_RR_CLASS_IN, LDNS_RD) !=
	            LDNS_STATUS_OK ||
	    q == NULL)
		return NULL;
	ldns_pkt_set_id(q, ldns_get_random());
	if (ldns_pkt2wire(&wire, q, &wlen) != LDNS_STATUS_OK) {
		ldns_pkt_free(q);
		return NULL;
	}
	for (unsigned int i = 0; p == NULL && i < c->n_srv; i++) {
		for (unsigned int k = 0; p == NULL && k < c->tries; k++) {
			bool tc;

			p = exchange(c, i, false, q, wire, wlen, &tc);
			if (tc) {
				c->st.tcp++;
				p = exchange(c, i, true, q, wire, wlen, &tc);
				if (p == NULL)
					break; /* no TCP answer from this server: the next one */
			}
			if (p != NULL)
				c->st.by_server[i]++;
		}
	}
	free(wire);
	ldns_pkt_free(q);
	return p;
}

/* The wanted name equal to owner (text without the final dot), or NULL. */
static const char *
wanted(const char *const *names, unsigned int n, const ldns_rdf *owner)
{
	char *o = ldns_rdf2str(owner);
	const char *match = NULL;
	size_t len;

	if (o == NULL)
		return NULL;
	len = strlen(o);
	if (len > 1 && o[len - 1] == '.')
		o[--len] = '\0';
	for (unsigned int i = 0; i < n && match == NULL; i++)
		if (names[i] != NULL && strcasecmp(names[i], o) == 0)
			match = names[i];
	free(o);
	return match;
}

/*
 * dns_cache_type 2: keep the ADDITIONAL records of answer p that belong to its targets (the
 * n records in out): SRV records owned by a NAPTR replacement, then A records owned by an
 * answer's or a kept SRV record's target. Records about other names are not trusted (RFC 2181
 * section 5.4.1 ranks additional data lowest; we use it only where the answer points).
 */
static void
keep_additional(struct sw_dns_client *c, const ldns_pkt *p, ldns_rr_type type,
                const struct sw_dns_rr *out, unsigned int n)
{
	const ldns_rr_list *add = ldns_pkt_additional(p);
	const char *names[SW_DNS_MAX_RR + SW_DNS_MAX_ADDITIONAL];
	unsigned int nn = 0;
	static const ldns_rr_type pass[2] = {LDNS_RR_TYPE_SRV, LDNS_RR_TYPE_A};

	if (add == NULL)
		return;
	for (unsigned int i = 0; i < n && nn < SW_DNS_MAX_RR; i++)
		names[nn++] = out[i].target;
	for (unsigned int k = 0; k < 2; k++) {
		if (pass[k] == LDNS_RR_TYPE_SRV && type != LDNS_RR_TYPE_NAPTR)
			continue;
		for (size_t i = 0; i < ldns_rr_list_rr_count(add); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(add, i);
			struct kept *kp;
			const char *owner;

			if (ldns_rr_get_type(rr) != pass[k] ||
			    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
				continue;
			owner = wanted(names, nn, ldns_rr_owner(rr));
			if (owner == NULL)
				continue;
			if (c->n_kept == SW_DNS_MAX_ADDITIONAL)
				return;
			kp = &c->kept[c->n_kept];
			if (!convert(c, rr, pass[k], &kp->rr))
				continue;
			kp->owner = owner;
			kp->type = (uint16_t)pass[k];
			c->n_kept++;
			c->st.kept_additional++;
			if (pass[k] == LDNS_RR_TYPE_SRV &&
			    nn < SW_DNS_MAX_RR + SW_DNS_MAX_ADDITIONAL)
				names[nn++] = kp->rr.target;
		}
	}
}

/* The kept additional records of (name, type). */
static unsigned int
from_kept(const struct sw_dns_client *c, const char *name, ldns_rr_type type, struct sw_dns_rr *out,
          unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->n_kept && n < max; i++)
		if (c->kept[i].type == type && strcasecmp(c->kept[i].owner, name) == 0)
			out[n++] = c->kept[i].rr;
	return n;
}

/*
 * Query name for type; follow CNAMEs (in the answer, or by a new query) up to SW_DNS_MAX_CNAME
 * links. Returns the number of records filled.
 */
static unsigned int
lookup(struct sw_dns_client *c, const char *qname, ldns_rr_type type, struct sw_dns_rr *out,
       unsigned int max)
{
	char cur[SW_DNS_MAX_NAME];
	unsigned int links = 0;

	if (c->n_srv == 0 || strlen(qname) >= sizeof(cur))
		return 0;
	if (c->additional && type != LDNS_RR_TYPE_NAPTR) {
		unsigned int n = from_kept(c, qname, type, out, max);

		if (n > 0) {
			c->st.from_additional++;
			return n;
		}
	}
	strcpy(cur, qname);
	for (unsigned int queries = 0; queries <= SW_DNS_MAX_CNAME; queries++) {
		ldns_pkt *p;
		unsigned int before = links;
		int n;

		c->st.queries++;
		p = ask(c, cur, type);
		if (p == NULL) {
			c->st.failed++;
			return 0;
		}
		n = records(c, p, cur, sizeof(cur), type, out, max, &links);
		if (n > 0 && c->additional && type != LDNS_RR_TYPE_A)
			keep_additional(c, p, type, out, (unsigned int)n);
		ldns_pkt_free(p);
		if (n == -ENXIO)
			c->st.nxdomain++;
		else if (n == -EIO)
			c->st.servfail++;
		else if (n == -ELOOP)
			c->st.cname_loops++;
		else if (n > 0)
			c->st.answered++;
		else if (links == before || queries == SW_DNS_MAX_CNAME)
			c->st.empty++;
		else
			continue; /* the chain ended on a name whose records were not in the answer */
		return n > 0 ? (unsigned int)n : 0;
	}
	return 0;
}

static unsigned int
q_naptr(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	return lookup(ctx, name, LDNS_RR_TYPE_NAPTR, out, max);
}

static unsigned int
q_srv(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	return lookup(ctx, name, LDNS_RR_TYPE_SRV, out, max);
}

static unsigned int
q_a(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	return lookup(ctx, name, LDNS_RR_TYPE_A, out, max);
}

static void
q_start(void *ctx, uint8_t cache_type)
{
	struct sw_dns_client *c = ctx;

	sw_dns_client_reset(c);
	c->additional = cache_type == SW_DNS_CACHE_CACHE_ADDITIONAL;
}

void
sw_dns_client_source(struct sw_dns_source *src, struct sw_dns_client *c)
{
	src->naptr = q_naptr;
	src->srv = q_srv;
	src->a = q_a;
	src->ctx = c;
	src->start = q_start;
}

/* ---- chain ---- */

static unsigned int
ch_naptr(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	struct sw_dns_chain *ch = ctx;
	unsigned int n = ch->first.naptr(ch->first.ctx, name, out, max);

	return n > 0 ? n : ch->second.naptr(ch->second.ctx, name, out, max);
}

static unsigned int
ch_srv(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	struct sw_dns_chain *ch = ctx;
	unsigned int n = ch->first.srv(ch->first.ctx, name, out, max);

	return n > 0 ? n : ch->second.srv(ch->second.ctx, name, out, max);
}

static unsigned int
ch_a(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	struct sw_dns_chain *ch = ctx;
	unsigned int n = ch->first.a(ch->first.ctx, name, out, max);

	return n > 0 ? n : ch->second.a(ch->second.ctx, name, out, max);
}

static void
ch_start(void *ctx, uint8_t cache_type)
{
	struct sw_dns_chain *ch = ctx;

	if (ch->first.start != NULL)
		ch->first.start(ch->first.ctx, cache_type);
	if (ch->second.start != NULL)
		ch->second.start(ch->second.ctx, cache_type);
}

void
sw_dns_chain_source(struct sw_dns_source *src, struct sw_dns_chain *chain)
{
	src->naptr = ch_naptr;
	src->srv = ch_srv;
	src->a = ch_a;
	src->ctx = chain;
	src->start = ch_start;
}
