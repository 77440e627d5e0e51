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

#define ARENA_SIZE  (64 * 1024)
#define MAX_SERVERS 4

struct sw_dns_client {
	ldns_resolver *res;
	struct sw_dns_client_stats st;
	size_t used;
	char arena[ARENA_SIZE];
};

struct sw_dns_client *
sw_dns_client_new(const char *servers, unsigned int timeout_ms, unsigned int retries)
{
	struct sw_dns_client *c;
	char buf[256], *save = NULL, *tok;
	unsigned int n = 0;
	uint16_t port = 53;

	if (servers != NULL && strlen(servers) >= sizeof(buf))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL || servers == NULL)
		return c; /* NULL servers: a client that only parses answers */
	c->res = ldns_resolver_new();
	if (c->res == NULL)
		goto fail;
	strcpy(buf, servers);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		ldns_rdf *ns;

		if (colon != NULL) {
			char *end;
			unsigned long p = strtoul(colon + 1, &end, 10);

			if (*end != '\0' || p == 0 || p > 65535)
				goto fail;
			/* ldns has one port per resolver: every server shares the last one given */
			port = (uint16_t)p;
			*colon = '\0';
		}
		ns = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, tok);
		if (ns == NULL || n == MAX_SERVERS) {
			ldns_rdf_deep_free(ns);
			goto fail;
		}
		if (ldns_resolver_push_nameserver(c->res, ns) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(ns);
			goto fail;
		}
		ldns_rdf_deep_free(ns);
		n++;
	}
	if (n == 0)
		goto fail;
	ldns_resolver_set_port(c->res, port);
	ldns_resolver_set_timeout(c->res, (struct timeval){.tv_sec = timeout_ms / 1000,
	                                                   .tv_usec = (timeout_ms % 1000) * 1000});
	ldns_resolver_set_retry(c->res, (uint8_t)(retries > 255 ? 255 : retries));
	ldns_resolver_set_fallback(c->res, true); /* TCP when the UDP answer is truncated */
	ldns_resolver_set_recursive(c->res, true);
	ldns_resolver_set_dnssec(c->res, false);
	return c;
fail:
	sw_dns_client_free(c);
	return NULL;
}

void
sw_dns_client_free(struct sw_dns_client *c)
{
	if (c == NULL)
		return;
	if (c->res != NULL)
		ldns_resolver_deep_free(c->res);
	free(c);
}

void
sw_dns_client_reset(struct sw_dns_client *c)
{
	c->used = 0;
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

static bool
same_name(const ldns_rdf *a, const char *b)
{
	char *s = ldns_rdf2str(a);
	size_t len;
	bool eq;

	if (s == NULL)
		return false;
	len = strlen(s);
	if (len > 1 && s[len - 1] == '.')
		len--;
	eq = strlen(b) == len && strncasecmp(s, b, len) == 0;
	free(s);
	return eq;
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

	if (ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN)
		return -ENXIO;
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR)
		return -EIO;
	ans = ldns_pkt_answer(p);
	while (moved) {
		moved = false;
		for (size_t i = 0; ans != NULL && i < ldns_rr_list_rr_count(ans); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(ans, i);
			const char *t;

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME ||
			    !same_name(ldns_rr_owner(rr), cur))
				continue;
			if (++*links > SW_DNS_MAX_CNAME)
				return -ELOOP;
			t = keep_dname(c, ldns_rr_rdf(rr, 0));
			if (t == NULL || strlen(t) >= cur_len)
				break;
			strcpy(cur, t);
			moved = true;
			break;
		}
	}
	for (size_t i = 0; ans != NULL && i < ldns_rr_list_rr_count(ans) && n < max; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);

		if (ldns_rr_get_type(rr) != type || ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    !same_name(ldns_rr_owner(rr), cur))
			continue; /* wrong type or another owner: ignored */
		if (convert(c, rr, type, &out[n]))
			n++;
	}
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

	if (c->res == NULL || strlen(qname) >= sizeof(cur))
		return 0;
	strcpy(cur, qname);
	for (unsigned int queries = 0; queries <= SW_DNS_MAX_CNAME; queries++) {
		ldns_rdf *dname = ldns_dname_new_frm_str(cur);
		ldns_pkt *p = NULL;
		unsigned int before = links;
		int n;

		if (dname == NULL)
			return 0;
		c->st.queries++;
		if (ldns_resolver_send(&p, c->res, dname, type, LDNS_RR_CLASS_IN, LDNS_RD) !=
		            LDNS_STATUS_OK ||
		    p == NULL) {
			ldns_rdf_deep_free(dname);
			ldns_pkt_free(p);
			c->st.failed++;
			return 0;
		}
		ldns_rdf_deep_free(dname);
		n = records(c, p, cur, sizeof(cur), type, out, max, &links);
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

void
sw_dns_client_source(struct sw_dns_source *src, struct sw_dns_client *c)
{
	src->naptr = q_naptr;
	src->srv = q_srv;
	src->a = q_a;
	src->ctx = c;
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

void
sw_dns_chain_source(struct sw_dns_source *src, struct sw_dns_chain *chain)
{
	src->naptr = ch_naptr;
	src->srv = ch_srv;
	src->a = ch_a;
	src->ctx = chain;
}
