/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 3263 section 4 (NAPTR -> SRV -> A) and RFC 2782 (SRV ordering) target selection, and the
 * static cache source. Pure: no I/O, no allocation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sw_common.h"
#include "sw_dns.h"

#define MAX_NAPTR_DEPTH 4

/* ---- static cache source ---- */

static unsigned int
st_naptr(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	const struct sw_dns_cache *c = ctx;
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->n_naptr && n < max; i++) {
		const struct sw_dns_cache_naptr *r = &c->naptr[i];

		if (r->name == NULL || strcasecmp(r->name, name) != 0)
			continue;
		out[n] = (struct sw_dns_rr){.order = r->order,
		                            .preference = r->preference,
		                            .ttl = r->ttl,
		                            .flags = r->flags,
		                            .service = r->service,
		                            .target = r->replace};
		n++;
	}
	return n;
}

static unsigned int
st_srv(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	const struct sw_dns_cache *c = ctx;
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->n_srv && n < max; i++) {
		const struct sw_dns_cache_srv *r = &c->srv[i];

		if (r->name == NULL || strcasecmp(r->name, name) != 0)
			continue;
		out[n] = (struct sw_dns_rr){.priority = r->priority,
		                            .weight = r->weight,
		                            .port = r->port,
		                            .ttl = r->ttl,
		                            .target = r->target};
		n++;
	}
	return n;
}

static unsigned int
st_a(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	const struct sw_dns_cache *c = ctx;
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->n_a && n < max; i++) {
		const struct sw_dns_cache_a *r = &c->a[i];

		if (r->name == NULL || r->ip == 0 || strcasecmp(r->name, name) != 0)
			continue;
		out[n] = (struct sw_dns_rr){.ip = r->ip, .ttl = r->ttl};
		n++;
	}
	return n;
}

void
sw_dns_static_source(struct sw_dns_source *src, const struct sw_dns_cache *cache)
{
	src->naptr = st_naptr;
	src->srv = st_srv;
	src->a = st_a;
	src->ctx = (void *)(uintptr_t)cache;
	src->start = NULL; /* the static cache has no additional records and no strings to drop */
}

/* ---- selection ---- */

static inline uint32_t
min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static bool
parse_ipv4(const char *s, uint32_t *ip)
{
	unsigned int b[4];
	char tail;

	if (sscanf(s, "%3u.%3u.%3u.%3u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4)
		return false;
	if (b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255)
		return false;
	*ip = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	return true;
}

/* dst = via " > " kind " " name, truncated to cap (the path is for people to read). */
static void
join(char *dst, size_t cap, const char *via, const char *kind, const char *name)
{
	int n = snprintf(dst, cap, "%s%s%s %s", via, via[0] ? " > " : "", kind, name);

	if (n < 0)
		dst[0] = '\0';
}

/* Every A record of name becomes a target, in answer order. */
static void
add_a(const struct sw_dns_source *src, const char *name, uint16_t port, uint8_t transport,
      uint32_t ttl, const char *via, struct sw_dns_result *out)
{
	struct sw_dns_rr rr[SW_DNS_MAX_RR];
	unsigned int n = src->a(src->ctx, name, rr, SW_DNS_MAX_RR);

	for (unsigned int i = 0; i < n && out->n < SW_DNS_MAX_TARGETS; i++) {
		struct sw_dns_target *t = &out->t[out->n++];

		t->ip = rr[i].ip;
		t->port = port;
		t->transport = transport;
		t->ttl = min32(ttl, rr[i].ttl);
		join(t->via, sizeof(t->via), via, "A", name);
		out->ttl = min32(out->ttl, t->ttl);
	}
}

/*
 * RFC 2782: sort by priority; within a priority, repeatedly pick at random with probability
 * proportional to weight, or by descending weight in the guide's mode.
 * RFC 2782 draws from 0..sum inclusive with zero-weight records first; for small weights that
 * is biased (weights 1 and 2 would split 2:2 instead of 1:2). We draw from 1..sum, which is
 * exactly proportional: a zero-weight record is then chosen only among zero-weight ones.
 */
static void
order_srv(struct sw_dns_rr *rr, unsigned int n, enum sw_srv_order mode, uint64_t *seed)
{
	/* insertion sort by priority, stable */
	for (unsigned int i = 1; i < n; i++) {
		struct sw_dns_rr k = rr[i];
		unsigned int j = i;

		while (j > 0 && rr[j - 1].priority > k.priority) {
			rr[j] = rr[j - 1];
			j--;
		}
		rr[j] = k;
	}
	for (unsigned int lo = 0; lo < n;) {
		unsigned int hi = lo;

		while (hi < n && rr[hi].priority == rr[lo].priority)
			hi++;
		for (unsigned int i = lo; i + 1 < hi; i++) {
			unsigned int pick = i;

			if (mode == SW_SRV_ORDER_WEIGHT_DESC) {
				for (unsigned int j = i + 1; j < hi; j++)
					if (rr[j].weight > rr[pick].weight)
						pick = j;
			} else {
				uint64_t sum = 0, r, run = 0;

				for (unsigned int j = i; j < hi; j++)
					sum += rr[j].weight;
				r = sum == 0 ? 0 : 1 + sw_splitmix64(seed) % sum;
				for (unsigned int j = i; j < hi; j++) {
					run += rr[j].weight;
					if (run >= r) {
						pick = j;
						break;
					}
				}
			}
			if (pick != i) {
				struct sw_dns_rr t = rr[pick];

				memmove(&rr[i + 1], &rr[i], (pick - i) * sizeof(rr[0]));
				rr[i] = t;
			}
		}
		lo = hi;
	}
}

/* SRV on name; returns the number of targets added (0: no usable SRV record). */
static unsigned int
add_srv(const struct sw_dns_source *src, const char *name, uint8_t transport, uint32_t ttl,
        const char *via, enum sw_srv_order mode, uint64_t *seed, struct sw_dns_result *out)
{
	struct sw_dns_rr rr[SW_DNS_MAX_RR];
	unsigned int n = src->srv(src->ctx, name, rr, SW_DNS_MAX_RR), before = out->n;
	char path[SW_DNS_MAX_NAME];

	order_srv(rr, n, mode, seed);
	for (unsigned int i = 0; i < n; i++) {
		if (rr[i].target == NULL || strcmp(rr[i].target, ".") == 0 ||
		    rr[i].target[0] == '\0')
			continue; /* "." : the service is not available there */
		join(path, sizeof(path), via, "SRV", name);
		add_a(src, rr[i].target, rr[i].port, transport, min32(ttl, rr[i].ttl), path, out);
	}
	return out->n - before;
}

static int
service_transport(const char *service)
{
	if (service == NULL)
		return -1;
	if (strcasecmp(service, "SIP+D2U") == 0)
		return SW_TRANSPORT_UDP;
	if (strcasecmp(service, "SIP+D2T") == 0)
		return SW_TRANSPORT_TCP;
	if (strcasecmp(service, "SIPS+D2T") == 0)
		return SW_TRANSPORT_TLS;
	return -1;
}

/* NAPTR on name (RFC 3403: lowest order first; within it, by preference). */
static int
add_naptr(const struct sw_dns_source *src, const char *name, uint32_t ttl, const char *via,
          enum sw_srv_order mode, uint64_t *seed, unsigned int depth, struct sw_dns_result *out)
{
	struct sw_dns_rr rr[SW_DNS_MAX_RR];
	unsigned int n;
	char path[SW_DNS_MAX_NAME];

	if (depth > MAX_NAPTR_DEPTH)
		return -ELOOP;
	n = src->naptr(src->ctx, name, rr, SW_DNS_MAX_RR);
	for (unsigned int i = 1; i < n; i++) {
		struct sw_dns_rr k = rr[i];
		unsigned int j = i;

		while (j > 0 &&
		       (rr[j - 1].order > k.order ||
		        (rr[j - 1].order == k.order && rr[j - 1].preference > k.preference))) {
			rr[j] = rr[j - 1];
			j--;
		}
		rr[j] = k;
	}
	join(path, sizeof(path), via, "NAPTR", name);
	for (unsigned int lo = 0; lo < n;) {
		unsigned int hi = lo, before = out->n;

		while (hi < n && rr[hi].order == rr[lo].order)
			hi++;
		for (unsigned int i = lo; i < hi; i++) {
			const char *f = rr[i].flags != NULL ? rr[i].flags : "";
			int tr = service_transport(rr[i].service);

			if (rr[i].target == NULL || rr[i].target[0] == '\0')
				continue;
			if (f[0] == '\0') {
				int rc = add_naptr(src, rr[i].target, min32(ttl, rr[i].ttl), path,
				                   mode, seed, depth + 1, out);

				if (rc == -ELOOP)
					return rc;
			} else if ((f[0] == 's' || f[0] == 'S') && tr >= 0) {
				add_srv(src, rr[i].target, (uint8_t)tr, min32(ttl, rr[i].ttl), path,
				        mode, seed, out);
			}
		}
		if (out->n > before)
			return 0; /* this order value gave targets: later ones are not used */
		lo = hi;
	}
	return 0;
}

int
sw_dns_resolve(const struct sw_dns_source *src, const struct sw_server_cfg *s, bool naptr_build,
               enum sw_srv_order order, uint64_t seed, struct sw_dns_result *out)
{
	return sw_dns_resolve_type(src, s, SW_DNS_CACHE_CACHE, naptr_build, order, seed, out);
}

int
sw_dns_resolve_type(const struct sw_dns_source *src, const struct sw_server_cfg *s,
                    uint8_t cache_type, bool naptr_build, enum sw_srv_order order, uint64_t seed,
                    struct sw_dns_result *out)
{
	static const char *const srv_prefix[] = {"_sip._udp.", "_sip._tcp.", "_sips._tcp."};
	char name[SW_DNS_MAX_NAME + 16];
	uint32_t ip;
	uint8_t tr;

	if (src == NULL || s == NULL || out == NULL || s->address == NULL ||
	    s->address[0] == '\0' || cache_type > SW_DNS_CACHE_CACHE_ADDITIONAL)
		return -EINVAL;
	if (src->start != NULL)
		src->start(src->ctx, cache_type);
	memset(out, 0, sizeof(*out));
	out->ttl = UINT32_MAX;
	tr = s->transport == SW_TRANSPORT_DNS_NAPTR ? SW_TRANSPORT_UDP : s->transport;
	if (parse_ipv4(s->address, &ip)) {
		out->n = 1;
		out->t[0] = (struct sw_dns_target){.ip = ip,
		                                   .port = s->port ? s->port : 5060,
		                                   .transport = tr,
		                                   .ttl = UINT32_MAX};
		snprintf(out->t[0].via, sizeof(out->t[0].via), "literal");
		return 0;
	}
	if (s->port != 0) {
		add_a(src, s->address, s->port, tr, UINT32_MAX, "", out);
		return out->n > 0 ? 0 : -ENOENT;
	}
	if (s->transport == SW_TRANSPORT_DNS_NAPTR) {
		int rc = add_naptr(src, s->address, UINT32_MAX, "", order, &seed, 0, out);

		if (rc != 0)
			return rc;
		for (unsigned int i = 0; out->n == 0 && i < (naptr_build ? 3u : 1u); i++) {
			snprintf(name, sizeof(name), "%s%s", srv_prefix[i], s->address);
			add_srv(src, name, (uint8_t)i, UINT32_MAX, "", order, &seed, out);
		}
	} else {
		snprintf(name, sizeof(name), "%s%s", srv_prefix[tr], s->address);
		add_srv(src, name, tr, UINT32_MAX, "", order, &seed, out);
	}
	if (out->n == 0)
		add_a(src, s->address, 5060, tr, UINT32_MAX, "", out);
	return out->n > 0 ? 0 : -ENOENT;
}
