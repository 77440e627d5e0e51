/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Yealink .cfg files and the sipswarm load profile (spec/redundancy.md section 1).
 *
 * A key's numeric parts (account X, server Y, cache entry N) are lifted out into a pattern
 * ("account.#.sip_server.#.port") that selects one entry of a table giving the field, its type
 * and its range. Written by hand: the format is Yealink's own flat "key = value" text, for which
 * no Debian-packaged parser exists (it is not INI: no sections, and keys carry indices).
 */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sw_common.h"
#include "sw_config.h"

#define MAX_LINE        1024
#define MAX_STR         256
#define PLACEHOLDER_MAX 10 /* digits of a 32-bit number */

/* ---- phone models (spec section 1 "Model limits on X") ---- */

static const struct sw_phone_model models[] = {
        {"T58V", 16},  {"T58A", 16}, {"T56A", 16}, {"VP-T49G", 16}, {"T48G", 16},  {"T48S", 16},
        {"T46G", 16},  {"T46S", 16}, {"T29G", 16}, {"T42G", 12},    {"T42S", 12},  {"T41P", 6},
        {"T41S", 6},   {"T27P", 6},  {"T27G", 6},  {"W52P", 5},     {"W56P", 5},   {"T40P", 3},
        {"T40G", 3},   {"T23P", 3},  {"T23G", 3},  {"T21P_E2", 2},  {"T21_E2", 2}, {"T19P_E2", 1},
        {"T19_E2", 1}, {"CP860", 1},
};

const struct sw_phone_model *
sw_config_model(const char *name)
{
	for (size_t i = 0; i < SW_ARRAY_SIZE(models); i++)
		if (strcasecmp(models[i].name, name) == 0)
			return &models[i];
	return NULL;
}

/* ---- the configuration ---- */

struct pool_block {
	struct pool_block *next;
	size_t used, cap;
	char data[];
};

struct override {
	uint32_t lo, hi; /* phone numbers, 1-based, inclusive */
	char *key, *value;
	char file[128];
	unsigned int line;
};

struct variant {
	uint32_t lo, hi;
	struct sw_account_cfg acc[SW_MAX_ACCOUNTS];
};

struct sw_config {
	struct sw_account_cfg acc[SW_MAX_ACCOUNTS];
	uint32_t acc_set; /* bit X-1: some account.X key was given */
	struct sw_dns_cache dns;
	struct sw_timing_cfg timing;
	struct sw_profile profile;
	struct pool_block *pool;
	struct sw_config_diag error;
	bool has_error;
	struct sw_config_diag warn[SW_CONFIG_MAX_WARNINGS];
	unsigned int n_warn;
	struct override *ov;
	unsigned int n_ov, cap_ov;
	/* the expansion (after finish) */
	bool finished;
	uint8_t line_acc[SW_MAX_ACCOUNTS]; /* account numbers used by every phone */
	unsigned int lpp;                  /* lines per phone */
	struct variant *var;
	unsigned int n_var;
	size_t ident_max;
};

static char *
pool_dup(struct sw_config *c, const char *s, size_t len)
{
	struct pool_block *b = c->pool;
	char *p;

	if (b == NULL || b->cap - b->used < len + 1) {
		size_t cap = len + 1 > 16384 ? len + 1 : 16384;

		b = malloc(sizeof(*b) + cap);
		if (b == NULL)
			return NULL;
		b->next = c->pool;
		b->used = 0;
		b->cap = cap;
		c->pool = b;
	}
	p = b->data + b->used;
	memcpy(p, s, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

static void
defaults(struct sw_config *c)
{
	for (unsigned int x = 0; x < SW_MAX_ACCOUNTS; x++) {
		struct sw_account_cfg *a = &c->acc[x];

		memset(a, 0, sizeof(*a));
		a->label = a->display_name = a->auth_name = a->user_name = a->password = "";
		for (unsigned int y = 0; y < SW_MAX_SERVERS; y++) {
			struct sw_server_cfg *s = &a->server[y];

			s->address = "";
			s->port = 5060;
			s->transport = SW_TRANSPORT_UDP;
			s->retry_counts = 3;
			s->invite_retry_counts = 3;
			s->expires = 3600;
			s->failback_timeout = 3600;
		}
		for (unsigned int y = 0; y < SW_MAX_PROXIES; y++) {
			a->outbound_proxy[y].address = "";
			a->outbound_proxy[y].port = 5060;
		}
		a->outbound_proxy_fallback_interval = 3600;
		a->dns_cache_type = SW_DNS_CACHE_CACHE;
		a->fallback_timeout = 120;
	}
	memset(&c->dns, 0, sizeof(c->dns));
	for (unsigned int n = 0; n < SW_MAX_DNS_CACHE; n++) {
		c->dns.a[n].name = "";
		c->dns.a[n].ttl = 300;
		c->dns.srv[n].name = c->dns.srv[n].target = "";
		c->dns.srv[n].ttl = 300;
		c->dns.naptr[n].name = c->dns.naptr[n].flags = c->dns.naptr[n].service = "";
		c->dns.naptr[n].replace = "";
		c->dns.naptr[n].ttl = 300;
	}
	c->timing = (struct sw_timing_cfg){
	        .t1_ms = 500,
	        .t2_ms = 4000,
	        .fail_on_503 = true,
	        .fail_on_transport_error = true,
	        .srv_order = SW_SRV_ORDER_RFC2782,
	        .refresh_percent = 50,
	        .refresh_jitter_percent = 10,
	        .unregister_on_stop = false,
	        .seed = 1,
	};
	c->profile = (struct sw_profile){
	        .phones = 1,
	        .src_ip = (198u << 24) | (18u << 16) | 1u,
	        .src_ip_count = 65536,
	        .src_port = 5060,
	        .hold_s = 60,
	};
}

struct sw_config *
sw_config_new(void)
{
	struct sw_config *c = calloc(1, sizeof(*c));

	if (c != NULL)
		defaults(c);
	return c;
}

void
sw_config_free(struct sw_config *c)
{
	if (c == NULL)
		return;
	while (c->pool != NULL) {
		struct pool_block *n = c->pool->next;

		free(c->pool);
		c->pool = n;
	}
	for (unsigned int i = 0; i < c->n_ov; i++) {
		free(c->ov[i].key);
		free(c->ov[i].value);
	}
	free(c->ov);
	free(c->var);
	free(c);
}

/* ---- diagnostics ---- */

static void
diag_fill(struct sw_config_diag *d, const char *file, unsigned int line, const char *key,
          const char *fmt, va_list ap)
{
	char why[200];
	int n;

	vsnprintf(why, sizeof(why), fmt, ap);
	snprintf(d->file, sizeof(d->file), "%s", file);
	d->line = line;
	snprintf(d->key, sizeof(d->key), "%s", key != NULL ? key : "");
	if (line > 0)
		n = snprintf(d->msg, sizeof(d->msg), "%s:%u: %s", file, line, why);
	else
		n = snprintf(d->msg, sizeof(d->msg), "%s: %s", file, why);
	(void)n;
}

static int __attribute__((format(printf, 5, 6)))
fail(struct sw_config *c, const char *file, unsigned int line, const char *key, const char *fmt,
     ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_fill(&c->error, file, line, key, fmt, ap);
	va_end(ap);
	c->has_error = true;
	return -EINVAL;
}

static void __attribute__((format(printf, 5, 6)))
warn(struct sw_config *c, const char *file, unsigned int line, const char *key, const char *fmt,
     ...)
{
	va_list ap;

	if (c->n_warn >= SW_CONFIG_MAX_WARNINGS)
		return;
	if (key != NULL)
		for (unsigned int i = 0; i < c->n_warn; i++)
			if (strcmp(c->warn[i].key, key) == 0)
				return; /* once per key */
	va_start(ap, fmt);
	diag_fill(&c->warn[c->n_warn++], file, line, key, fmt, ap);
	va_end(ap);
}

const struct sw_config_diag *
sw_config_error(const struct sw_config *c)
{
	return c->has_error ? &c->error : NULL;
}

const struct sw_config_diag *
sw_config_warnings(const struct sw_config *c, unsigned int *n)
{
	*n = c->n_warn;
	return c->warn;
}

/* ---- the key table ---- */

enum kind {
	K_BOOL,
	K_U8,
	K_U16,
	K_U32,
	K_U64,
	K_STR,
	K_HOST,
	K_IPV4,
	K_FBTIMEOUT,
	K_SRVORDER,
	K_START,
	K_MODEL
};
enum where {
	W_ACC,
	W_SRV,
	W_PROXY,
	W_DNSA,
	W_DNSSRV,
	W_DNSNAPTR,
	W_TIMING,
	W_PROFILE
};

struct key_def {
	const char *pattern;
	uint8_t kind, where;
	uint16_t off;
	uint64_t lo, hi;
};

#define ACC(p, k, f, lo, hi)                                                                       \
	{                                                                                          \
		p, k, W_ACC, offsetof(struct sw_account_cfg, f), lo, hi                            \
	}
#define SRV(p, k, f, lo, hi)                                                                       \
	{                                                                                          \
		p, k, W_SRV, offsetof(struct sw_server_cfg, f), lo, hi                             \
	}
#define PRX(p, k, f, lo, hi)                                                                       \
	{                                                                                          \
		p, k, W_PROXY, offsetof(struct sw_proxy_cfg, f), lo, hi                            \
	}
#define DA(p, k, f, lo, hi)                                                                        \
	{                                                                                          \
		p, k, W_DNSA, offsetof(struct sw_dns_cache_a, f), lo, hi                           \
	}
#define DS(p, k, f, lo, hi)                                                                        \
	{                                                                                          \
		p, k, W_DNSSRV, offsetof(struct sw_dns_cache_srv, f), lo, hi                       \
	}
#define DN(p, k, f, lo, hi)                                                                        \
	{                                                                                          \
		p, k, W_DNSNAPTR, offsetof(struct sw_dns_cache_naptr, f), lo, hi                   \
	}
#define TM(p, k, f, lo, hi)                                                                        \
	{                                                                                          \
		p, k, W_TIMING, offsetof(struct sw_timing_cfg, f), lo, hi                          \
	}
#define PF(p, k, f, lo, hi)                                                                        \
	{                                                                                          \
		p, k, W_PROFILE, offsetof(struct sw_profile, f), lo, hi                            \
	}

static const struct key_def keys[] = {
        ACC("account.#.enable", K_BOOL, enable, 0, 1),
        ACC("account.#.label", K_STR, label, 0, MAX_STR),
        ACC("account.#.display_name", K_STR, display_name, 0, MAX_STR),
        ACC("account.#.auth_name", K_STR, auth_name, 0, MAX_STR),
        ACC("account.#.user_name", K_STR, user_name, 0, MAX_STR),
        ACC("account.#.password", K_STR, password, 0, MAX_STR),
        SRV("account.#.sip_server.#.address", K_HOST, address, 0, SW_MAX_HOST_LEN),
        SRV("account.#.sip_server.#.port", K_U16, port, 0, 65535),
        SRV("account.#.sip_server.#.transport_type", K_U8, transport, 0, 3),
        SRV("account.#.sip_server.#.expires", K_U32, expires, 30, 2147483647),
        SRV("account.#.sip_server.#.retry_counts", K_U8, retry_counts, 0, 20),
        SRV("account.#.sip_server.#.register_on_enable", K_BOOL, register_on_enable, 0, 1),
        SRV("account.#.sip_server.#.only_signal_with_registered", K_BOOL,
            only_signal_with_registered, 0, 1),
        SRV("account.#.sip_server.#.invite_retry_counts", K_U8, invite_retry_counts, 1, 10),
        SRV("account.#.sip_server.#.failback_mode", K_U8, failback_mode, 0, 3),
        SRV("account.#.sip_server.#.failback_timeout", K_FBTIMEOUT, failback_timeout, 0, 65535),
        SRV("account.#.sip_server.#.failback_subscribe.enable", K_BOOL, failback_subscribe_enable,
            0, 1),
        ACC("account.#.outbound_proxy_enable", K_BOOL, outbound_proxy_enable, 0, 1),
        PRX("account.#.outbound_proxy.#.address", K_HOST, address, 0, SW_MAX_HOST_LEN),
        PRX("account.#.outbound_proxy.#.port", K_U16, port, 0, 65535),
        /* firmware 80 names of proxy 1 and 2 */
        PRX("account.#.outbound_host", K_HOST, address, 0, SW_MAX_HOST_LEN),
        PRX("account.#.outbound_port", K_U16, port, 0, 65535),
        PRX("account.#.backup_outbound_host", K_HOST, address, 0, SW_MAX_HOST_LEN),
        PRX("account.#.backup_outbound_port", K_U16, port, 0, 65535),
        ACC("account.#.outbound_proxy_fallback_interval", K_U32, outbound_proxy_fallback_interval,
            0, 2147483647),
        ACC("account.#.fallback.redundancy_type", K_U8, redundancy_type, 0, 1),
        ACC("account.#.fallback.timeout", K_U32, fallback_timeout, 10, 2147483647),
        ACC("account.#.dns_cache_type", K_U8, dns_cache_type, 0, 2),
        ACC("account.#.static_cache_pri", K_BOOL, static_cache_pri, 0, 1),
        ACC("account.#.naptr_build", K_BOOL, naptr_build, 0, 1),
        DA("dns_cache_a.#.name", K_HOST, name, 0, SW_MAX_HOST_LEN),
        DA("dns_cache_a.#.ip", K_IPV4, ip, 0, 0),
        DA("dns_cache_a.#.ttl", K_U32, ttl, 30, 2147483647),
        DS("dns_cache_srv.#.name", K_HOST, name, 0, SW_MAX_HOST_LEN),
        DS("dns_cache_srv.#.port", K_U16, port, 0, 65535),
        DS("dns_cache_srv.#.priority", K_U16, priority, 0, 65535),
        DS("dns_cache_srv.#.target", K_HOST, target, 0, SW_MAX_HOST_LEN),
        DS("dns_cache_srv.#.weight", K_U16, weight, 0, 65535),
        DS("dns_cache_srv.#.ttl", K_U32, ttl, 30, 2147483647),
        DN("dns_cache_naptr.#.name", K_HOST, name, 0, SW_MAX_HOST_LEN),
        DN("dns_cache_naptr.#.flags", K_STR, flags, 0, 8),
        DN("dns_cache_naptr.#.order", K_U16, order, 0, 65535),
        DN("dns_cache_naptr.#.preference", K_U16, preference, 0, 65535),
        DN("dns_cache_naptr.#.replace", K_HOST, replace, 0, SW_MAX_HOST_LEN),
        DN("dns_cache_naptr.#.service", K_STR, service, 0, 32),
        DN("dns_cache_naptr.#.ttl", K_U32, ttl, 30, 2147483647),
        TM("swarm.t1_ms", K_U32, t1_ms, 1, 60000),
        TM("swarm.t2_ms", K_U32, t2_ms, 1, 600000),
        TM("swarm.fail_on_503", K_BOOL, fail_on_503, 0, 1),
        TM("swarm.fail_on_transport_error", K_BOOL, fail_on_transport_error, 0, 1),
        TM("swarm.srv_order", K_SRVORDER, srv_order, 0, 1),
        TM("swarm.refresh_percent", K_U16, refresh_percent, 1, 99),
        TM("swarm.refresh_jitter_percent", K_U16, refresh_jitter_percent, 0, 50),
        TM("swarm.unregister_on_stop", K_BOOL, unregister_on_stop, 0, 1),
        TM("swarm.seed", K_U64, seed, 0, UINT64_MAX),
        PF("swarm.phones", K_U32, phones, 1, 100000000),
        PF("swarm.model", K_MODEL, model, 0, 0),
        PF("swarm.lines_per_phone", K_U32, lines_per_phone, 0, 16),
        PF("swarm.src_ip", K_IPV4, src_ip, 0, 0),
        PF("swarm.src_ip_count", K_U32, src_ip_count, 1, 16777216),
        PF("swarm.src_port", K_U16, src_port, 1, 65535),
        PF("swarm.register_rate", K_U32, register_rate, 0, 1000000000),
        PF("swarm.ramp_s", K_U32, ramp_s, 0, 86400),
        PF("swarm.max_in_flight", K_U32, max_in_flight, 0, 100000000),
        PF("swarm.duration_s", K_U32, duration_s, 0, 31536000),
        PF("swarm.start", K_START, start, 0, 1),
        PF("swarm.calls_per_line_hour", K_U32, calls_per_line_hour, 0, 3600),
        PF("swarm.hold_s", K_U32, hold_s, 0, 86400),
};

/* Which index ranges the #s of a pattern family take. */
static bool
index_ok(enum where w, const char *pattern, const unsigned long *idx, unsigned int n, char *why,
         size_t whylen)
{
	unsigned long lim[2] = {0, 0};

	switch (w) {
	case W_ACC:
		lim[0] = SW_MAX_ACCOUNTS;
		break;
	case W_SRV:
		lim[0] = SW_MAX_ACCOUNTS;
		lim[1] = SW_MAX_SERVERS;
		break;
	case W_PROXY:
		lim[0] = SW_MAX_ACCOUNTS;
		lim[1] = strstr(pattern, "outbound_proxy.#") != NULL ? SW_MAX_PROXIES : 0;
		break;
	case W_DNSA:
	case W_DNSSRV:
	case W_DNSNAPTR:
		lim[0] = SW_MAX_DNS_CACHE;
		break;
	case W_TIMING:
	case W_PROFILE:
		return true;
	}
	for (unsigned int i = 0; i < n && i < 2; i++) {
		if (idx[i] < 1 || idx[i] > lim[i]) {
			snprintf(why, whylen, "index %lu out of range 1..%lu", idx[i], lim[i]);
			return false;
		}
	}
	return true;
}

/* "account.3.sip_server.2.port" -> "account.#.sip_server.#.port", idx = {3, 2} */
static int
normalise(const char *key, char *pat, size_t cap, unsigned long *idx, unsigned int *n)
{
	size_t o = 0;
	const char *p = key;

	*n = 0;
	while (*p != '\0') {
		bool at_part = p == key || p[-1] == '.';

		if (at_part && isdigit((unsigned char)*p)) {
			char *end;
			unsigned long v = strtoul(p, &end, 10);

			if (*end != '.' && *end != '\0')
				return -1;
			if (*n < 4)
				idx[(*n)++] = v;
			if (o + 1 >= cap)
				return -1;
			pat[o++] = '#';
			p = end;
			continue;
		}
		if (o + 1 >= cap)
			return -1;
		pat[o++] = *p++;
	}
	pat[o] = '\0';
	return 0;
}

static int
parse_u64(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long r;

	if (*v == '\0' || !isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	r = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = r;
	return 0;
}

static int
parse_ipv4(const char *v, uint32_t *out)
{
	unsigned int b[4];
	char tail;

	if (sscanf(v, "%3u.%3u.%3u.%3u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4)
		return -1;
	for (int i = 0; i < 4; i++)
		if (b[i] > 255 || !isdigit((unsigned char)v[0]))
			return -1;
	*out = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	return 0;
}

static void *
field_base(struct sw_config *c, struct sw_account_cfg *accs, const struct key_def *d,
           const unsigned long *idx)
{
	switch ((enum where)d->where) {
	case W_ACC:
		return &accs[idx[0] - 1];
	case W_SRV:
		return &accs[idx[0] - 1].server[idx[1] - 1];
	case W_PROXY:
		if (strstr(d->pattern, "outbound_proxy.#") != NULL)
			return &accs[idx[0] - 1].outbound_proxy[idx[1] - 1];
		return &accs[idx[0] - 1].outbound_proxy[strstr(d->pattern, "backup_") ? 1 : 0];
	case W_DNSA:
		if (c->dns.n_a < idx[0])
			c->dns.n_a = (unsigned int)idx[0];
		return &c->dns.a[idx[0] - 1];
	case W_DNSSRV:
		if (c->dns.n_srv < idx[0])
			c->dns.n_srv = (unsigned int)idx[0];
		return &c->dns.srv[idx[0] - 1];
	case W_DNSNAPTR:
		if (c->dns.n_naptr < idx[0])
			c->dns.n_naptr = (unsigned int)idx[0];
		return &c->dns.naptr[idx[0] - 1];
	case W_TIMING:
		return &c->timing;
	case W_PROFILE:
		return &c->profile;
	}
	return NULL;
}

/* Set one key. accs is the account array to change (the base, or an override variant). */
static int
set_key(struct sw_config *c, struct sw_account_cfg *accs, const char *file, unsigned int line,
        const char *key, const char *val)
{
	char pat[128], why[96];
	unsigned long idx[4];
	unsigned int n;
	const struct key_def *d = NULL;
	uint64_t u = 0;
	char *base;

	if (normalise(key, pat, sizeof(pat), idx, &n) == 0)
		for (size_t i = 0; i < SW_ARRAY_SIZE(keys); i++)
			if (strcmp(keys[i].pattern, pat) == 0) {
				d = &keys[i];
				break;
			}
	if (d == NULL) {
		warn(c, file, line, key, "%s: unknown key, ignored", key);
		return 0;
	}
	if (!index_ok((enum where)d->where, d->pattern, idx, n, why, sizeof(why)))
		return fail(c, file, line, key, "%s = %s: %s", key, val, why);
	base = field_base(c, accs, d, idx);
	if (d->where == W_ACC || d->where == W_SRV || d->where == W_PROXY)
		c->acc_set |= 1u << (idx[0] - 1);
	base += d->off;
	switch ((enum kind)d->kind) {
	case K_BOOL:
		if (strcmp(val, "0") != 0 && strcmp(val, "1") != 0)
			return fail(c, file, line, key, "%s = %s: must be 0 or 1", key, val);
		*(bool *)(void *)base = val[0] == '1';
		return 0;
	case K_U8:
	case K_U16:
	case K_U32:
	case K_U64:
	case K_FBTIMEOUT:
		if (parse_u64(val, &u) != 0 || u < d->lo || u > d->hi) {
			if (d->kind == K_FBTIMEOUT)
				return fail(c, file, line, key,
				            "%s = %s: out of range 0, 60..65535 (1..59 means 60)",
				            key, val);
			return fail(c, file, line, key, "%s = %s: out of range %llu..%llu", key,
			            val, (unsigned long long)d->lo, (unsigned long long)d->hi);
		}
		if (d->kind == K_FBTIMEOUT && u > 0 && u < 60)
			u = 60; /* the guide: 1..59 means 60 */
		if (d->kind == K_U8)
			*(uint8_t *)(void *)base = (uint8_t)u;
		else if (d->kind == K_U16)
			*(uint16_t *)(void *)base = (uint16_t)u;
		else if (d->kind == K_U64)
			*(uint64_t *)(void *)base = u;
		else
			*(uint32_t *)(void *)base = (uint32_t)u;
		return 0;
	case K_STR:
	case K_HOST: {
		size_t len = strlen(val);
		char *s;

		if (len > d->hi)
			return fail(c, file, line, key, "%s: value is %zu characters, at most %llu",
			            key, len, (unsigned long long)d->hi);
		if (d->kind == K_HOST)
			for (size_t i = 0; i < len; i++)
				if (isspace((unsigned char)val[i]) ||
				    !isprint((unsigned char)val[i]))
					return fail(c, file, line, key,
					            "%s = %s: a host name has no spaces or control "
					            "characters",
					            key, val);
		s = pool_dup(c, val, len);
		if (s == NULL)
			return fail(c, file, line, key, "out of memory");
		*(const char **)(void *)base = s;
		if (d->where == W_DNSSRV && d->off == offsetof(struct sw_dns_cache_srv, name) &&
		    (strncmp(val, "_sip_", 5) == 0 || strncmp(val, "_sips_", 6) == 0))
			warn(c, file, line, key,
			     "%s = %s: looks like the guide's typo for '_sip._tcp.' / '_sip._udp.'; "
			     "an SRV query never matches this name",
			     key, val);
		return 0;
	}
	case K_IPV4: {
		uint32_t ip;

		if (parse_ipv4(val, &ip) != 0)
			return fail(c, file, line, key, "%s = %s: not an IPv4 address", key, val);
		*(uint32_t *)(void *)base = ip;
		return 0;
	}
	case K_SRVORDER:
		if (strcmp(val, "rfc2782") == 0)
			*(uint8_t *)(void *)base = SW_SRV_ORDER_RFC2782;
		else if (strcmp(val, "weight-desc") == 0)
			*(uint8_t *)(void *)base = SW_SRV_ORDER_WEIGHT_DESC;
		else
			return fail(c, file, line, key, "%s = %s: must be rfc2782 or weight-desc",
			            key, val);
		return 0;
	case K_START:
		if (strcmp(val, "ramp") == 0)
			*(uint8_t *)(void *)base = SW_START_RAMP;
		else if (strcmp(val, "avalanche") == 0)
			*(uint8_t *)(void *)base = SW_START_AVALANCHE;
		else
			return fail(c, file, line, key, "%s = %s: must be ramp or avalanche", key,
			            val);
		return 0;
	case K_MODEL: {
		const struct sw_phone_model *m = sw_config_model(val);

		if (m == NULL)
			return fail(c, file, line, key,
			            "%s = %s: unknown model (T58V, T46S, T42S, T41P, T40P, W52P, "
			            "T21P_E2, T19P_E2, CP860, ...)",
			            key, val);
		*(const struct sw_phone_model **)(void *)base = m;
		return 0;
	}
	}
	return 0;
}

/* "override.5.account..." or "override.5-10.account..." */
static int
add_override(struct sw_config *c, const char *file, unsigned int line, const char *key,
             const char *val)
{
	const char *p = key + strlen("override.");
	char *end;
	unsigned long lo, hi;
	struct override *o;

	lo = strtoul(p, &end, 10);
	hi = lo;
	if (end != p && *end == '-') {
		p = end + 1;
		hi = strtoul(p, &end, 10);
	}
	if (end == p || *end != '.' || lo < 1 || hi < lo || hi > 100000000)
		return fail(
		        c, file, line, key,
		        "%s: expected override.PHONE.account... or override.FIRST-LAST.account... "
		        "with phone numbers from 1",
		        key);
	if (strncmp(end + 1, "account.", 8) != 0)
		return fail(c, file, line, key,
		            "%s: only account.* keys can be overridden per phone", key);
	if (c->n_ov == c->cap_ov) {
		unsigned int cap = c->cap_ov ? c->cap_ov * 2 : 16;
		struct override *n = realloc(c->ov, cap * sizeof(*n));

		if (n == NULL)
			return fail(c, file, line, key, "out of memory");
		c->ov = n;
		c->cap_ov = cap;
	}
	o = &c->ov[c->n_ov];
	o->lo = (uint32_t)lo;
	o->hi = (uint32_t)hi;
	o->key = strdup(end + 1);
	o->value = strdup(val);
	snprintf(o->file, sizeof(o->file), "%s", file);
	o->line = line;
	if (o->key == NULL || o->value == NULL) {
		free(o->key);
		free(o->value);
		return fail(c, file, line, key, "out of memory");
	}
	c->n_ov++;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
sw_config_parse(struct sw_config *c, const char *name, const char *text, size_t len)
{
	size_t pos = 0;
	unsigned int lineno = 0;
	char buf[MAX_LINE + 2];

	c->has_error = false;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* UTF-8 byte order mark */
	while (pos < len) {
		size_t e = pos;
		char *l, *eq, *key, *val;

		while (e < len && text[e] != '\n')
			e++;
		lineno++;
		if (memchr(text + pos, '\0', e - pos) != NULL)
			return fail(c, name, lineno, NULL, "a NUL byte: not a text file");
		if (e - pos > MAX_LINE)
			return fail(c, name, lineno, NULL, "line longer than %d characters",
			            MAX_LINE);
		memcpy(buf, text + pos, e - pos);
		buf[e - pos] = '\0';
		pos = e + 1;
		l = trim(buf);
		if (lineno == 1) {
			if (strncmp(l, "#!version:", 10) != 0)
				return fail(c, name, 1, NULL,
				            "the first line must be the Yealink header "
				            "'#!version:1.0.0.1'");
			continue;
		}
		if (*l == '\0' || *l == '#')
			continue;
		eq = strchr(l, '=');
		if (eq == NULL)
			return fail(c, name, lineno, NULL, "'%.60s': expected 'key = value'", l);
		*eq = '\0';
		key = trim(l);
		val = trim(eq + 1);
		if (*key == '\0')
			return fail(c, name, lineno, NULL, "a value without a key");
		if (strncmp(key, "override.", 9) == 0) {
			if (add_override(c, name, lineno, key, val) != 0)
				return -EINVAL;
			continue;
		}
		if (set_key(c, c->acc, name, lineno, key, val) != 0)
			return -EINVAL;
	}
	if (lineno == 0)
		return fail(c, name, 0, NULL,
		            "empty file: the first line must be '#!version:1.0.0.1'");
	c->finished = false;
	return 0;
}

int
sw_config_load_file(struct sw_config *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (f == NULL) {
		rc = -errno;
		fail(c, path, 0, NULL, "cannot open: %s", strerror(errno));
		return rc;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			char *t;

			cap = cap ? cap * 2 : 65536;
			if (cap > (64u << 20)) {
				free(text);
				fclose(f);
				return fail(c, path, 0, NULL, "larger than 64 MiB");
			}
			t = realloc(text, cap);
			if (t == NULL) {
				free(text);
				fclose(f);
				return fail(c, path, 0, NULL, "out of memory");
			}
			text = t;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(text);
		fclose(f);
		fail(c, path, 0, NULL, "read error");
		return -EIO;
	}
	fclose(f);
	rc = sw_config_parse(c, path, text, len);
	free(text);
	return rc;
}

/* ---- templates ---- */

/* Length bound of a template; -1 if it has a malformed placeholder. */
static long
template_max(const char *t)
{
	long n = 0;

	for (const char *p = t; *p != '\0'; p++) {
		const char *close;
		unsigned long w = 0;

		if (*p != '{') {
			n++;
			continue;
		}
		close = strchr(p, '}');
		if (close == NULL)
			return -1;
		if (strncmp(p + 1, "phone", 5) == 0)
			p += 6;
		else if (strncmp(p + 1, "line", 4) == 0)
			p += 5;
		else
			return -1;
		if (*p == ':') {
			char *end;

			w = strtoul(p + 1, &end, 10);
			if (end == p + 1 || end != close || w > 20)
				return -1;
		} else if (p != close) {
			return -1;
		}
		n += (long)(w > PLACEHOLDER_MAX ? w : PLACEHOLDER_MAX);
		p = close;
	}
	return n;
}

static const char *
ident_template(const struct sw_account_cfg *a, enum sw_ident f)
{
	switch (f) {
	case SW_IDENT_USER_NAME:
		return a->user_name;
	case SW_IDENT_AUTH_NAME:
		return a->auth_name;
	case SW_IDENT_PASSWORD:
		return a->password;
	case SW_IDENT_LABEL:
		return a->label;
	case SW_IDENT_DISPLAY_NAME:
		return a->display_name;
	case SW_IDENT_MAX:
		break;
	}
	return "";
}

/* decimal digits of v (1 for 0) */
static int
ndigits(uint32_t v)
{
	int n = 1;

	while (v >= 100) {
		v /= 100;
		n += 2;
	}
	return n + (v >= 10);
}

/* v in exactly n decimal digits, zero-padded on the left (ndigits(v) <= n <= 24) */
static void
put_padded(char *out, uint32_t v, int n)
{
	n = (int)(sw_dec_put_back(out + n, v) - out);
	/* the padding (n <= 24: the callers' bound) by overlapping fixed-size moves, not a
	 * loop the compiler turns into a memset call */
	static const char zeros[17] = "0000000000000000";

	if (n > 16) {
		memcpy(out, zeros, 16);
		memcpy(out + n - 8, zeros, 8);
	} else if (n >= 8) {
		memcpy(out, zeros, 8);
		memcpy(out + n - 8, zeros, 8);
	} else if (n >= 4) {
		memcpy(out, zeros, 4);
		memcpy(out + n - 4, zeros, 4);
	} else if (n > 0) {
		out[0] = out[n / 2] = out[n - 1] = '0';
	}
}

int
sw_config_ident(const struct sw_config *c, const struct sw_line_info *info, enum sw_ident f,
                char *buf, size_t cap)
{
	const char *t = ident_template(info->cfg, f);
	size_t o = 0;

	(void)c;
	if ((unsigned int)f < SW_IDENT_MAX && info->cfg->ident[f].src == t && t != NULL) {
		/* taken apart at finish: two literals and a number, no scanning */
		const struct sw_ident_prog *g = &info->cfg->ident[f];
		uint32_t v = g->kind == 1 ? info->phone + 1 : info->account;
		int n = g->kind == 0 ? 0 : ndigits(v);

		if (n < g->width)
			n = g->width;
		o = (size_t)g->pre + (size_t)n + g->suf;
		if (o + 1 > cap)
			return -ENOSPC;
		sw_copy_exact(buf, t, g->pre);
		if (g->kind != 0)
			put_padded(buf + g->pre, v, n);
		sw_copy_exact(buf + g->pre + n, t + g->suf_off, g->suf);
		buf[o] = '\0';
		return (int)o;
	}
	for (const char *p = t; *p != '\0'; p++) {
		unsigned long w = 0;
		uint32_t v;
		int n;

		if (*p != '{') {
			if (o + 1 >= cap)
				return -ENOSPC;
			buf[o++] = *p;
			continue;
		}
		/* the placeholder was checked at load (template_max): "{phone" or "{line", then
		 * ":N" or not, then '}'; the name is skipped whole (this formats the password of
		 * every first challenge) */
		v = p[1] == 'p' ? info->phone + 1 : info->account;
		/* compared letter by letter: never past a terminator */
		if (p[1] == 'p' && p[2] == 'h' && p[3] == 'o' && p[4] == 'n' && p[5] == 'e')
			p += 6;
		else if (p[1] == 'l' && p[2] == 'i' && p[3] == 'n' && p[4] == 'e')
			p += 5;
		else /* not checked at load (an account not enabled): as written up to ':' */
			while (*p != '}' && *p != ':' && *p != '\0')
				p++;
		if (*p == ':')
			for (p++; *p >= '0' && *p <= '9'; p++)
				w = w * 10 + (unsigned long)(*p - '0');
		while (*p != '}' && *p != '\0')
			p++;
		/* zero-padded decimal without printf: the digits counted, then written from the
		 * right two at a time */
		/* a width above 24 pads to 24 (as the scratch buffer this had did) */
		n = ndigits(v);
		if ((unsigned long)n < w)
			n = w < 24 ? (int)w : 24;
		if (o + (size_t)n + 1 > cap)
			return -ENOSPC;
		put_padded(buf + o, v, n);
		o += (size_t)n;
		if (*p == '\0')
			break;
	}
	if (o >= cap)
		return -ENOSPC;
	buf[o] = '\0';
	return (int)o;
}

size_t
sw_config_ident_max(const struct sw_config *c)
{
	return c->ident_max;
}

/* ---- finish: checks that need the whole configuration, and the expansion ---- */

/* the template t of the shape literal, at most one placeholder, literal (each literal at most
 * 255 bytes) into g; anything else leaves g empty (sw_config_ident then reads t itself) */
_Static_assert(SW_IDENT_MAX <= SW_ARRAY_SIZE(((struct sw_account_cfg *)0)->ident),
               "an identity template without its place in struct sw_account_cfg");

static void
ident_compile(struct sw_ident_prog *g, const char *t)
{
	const char *open = strchr(t, '{');
	const char *p;
	unsigned long w = 0;
	size_t len = strlen(t);

	memset(g, 0, sizeof(*g));
	if (template_max(t) < 0 || len > 255)
		return;
	if (open == NULL) {
		g->pre = (uint8_t)len;
		g->src = t;
		return;
	}
	if (strncmp(open + 1, "phone", 5) == 0) {
		g->kind = 1;
		p = open + 6;
	} else {
		g->kind = 2;
		p = open + 5;
	}
	if (*p == ':')
		for (p++; *p >= '0' && *p <= '9'; p++)
			w = w * 10 + (unsigned long)(*p - '0');
	p++; /* the '}' (checked by template_max) */
	if (strchr(p, '{') != NULL)
		return;
	g->pre = (uint8_t)(open - t);
	g->width = (uint8_t)w;
	g->suf_off = (uint8_t)(p - t);
	g->suf = (uint8_t)(len - (size_t)(p - t));
	g->src = t;
}

static int
check_accounts(struct sw_config *c, struct sw_account_cfg *accs, const char *where)
{
	unsigned int limit = c->profile.model != NULL ? c->profile.model->max_accounts : 16;

	for (unsigned int i = 0; i < c->lpp; i++) {
		unsigned int x = c->line_acc[i];
		const struct sw_account_cfg *a = &accs[x - 1];

		if (x > limit)
			return fail(c, where, 0, NULL,
			            "account.%u is enabled but the model %s has %u line%s", x,
			            c->profile.model->name, limit, limit == 1 ? "" : "s");
		if (a->server[0].address[0] == '\0')
			return fail(
			        c, where, 0, NULL,
			        "account.%u.sip_server.1.address is blank: a line needs a server",
			        x);
		for (unsigned int f = 0; f < SW_IDENT_MAX; f++) {
			long m = template_max(ident_template(a, (enum sw_ident)f));

			ident_compile(&accs[x - 1].ident[f], ident_template(a, (enum sw_ident)f));

			if (m < 0)
				return fail(c, where, 0, NULL,
				            "account.%u: a template has a malformed placeholder "
				            "(use {phone}, {line}, {phone:05})",
				            x);
			if ((size_t)m > c->ident_max)
				c->ident_max = (size_t)m;
		}
	}
	return 0;
}

int
sw_config_finish(struct sw_config *c)
{
	const char *where = "configuration";

	c->has_error = false;
	c->lpp = 0;
	c->ident_max = 0;
	if (c->profile.lines_per_phone > 0) {
		/* accounts 2..N without keys of their own take account 1's settings */
		for (unsigned int x = 2; x <= c->profile.lines_per_phone; x++)
			if (!(c->acc_set & (1u << (x - 1))))
				c->acc[x - 1] = c->acc[0];
		for (unsigned int x = 1; x <= c->profile.lines_per_phone; x++) {
			if (!c->acc[x - 1].enable)
				return fail(c, where, 0, NULL,
				            "swarm.lines_per_phone = %u but account.%u.enable = 0",
				            c->profile.lines_per_phone, x);
			c->line_acc[c->lpp++] = (uint8_t)x;
		}
	} else {
		for (unsigned int x = 1; x <= SW_MAX_ACCOUNTS; x++)
			if (c->acc[x - 1].enable)
				c->line_acc[c->lpp++] = (uint8_t)x;
	}
	if (c->lpp == 0)
		return fail(c, where, 0, NULL, "no account is enabled (account.X.enable = 1)");
	if (c->timing.t2_ms < c->timing.t1_ms)
		return fail(c, where, 0, "swarm.t2_ms",
		            "swarm.t2_ms (%u) is below swarm.t1_ms (%u)", c->timing.t2_ms,
		            c->timing.t1_ms);
	if (check_accounts(c, c->acc, where) != 0)
		return -EINVAL;
	/* per-phone variants: one per distinct phone range, in the order first given */
	free(c->var);
	c->var = NULL;
	c->n_var = 0;
	if (c->n_ov > 0) {
		c->var = calloc(SW_CONFIG_MAX_VARIANTS, sizeof(*c->var));
		if (c->var == NULL)
			return fail(c, where, 0, NULL, "out of memory");
	}
	for (unsigned int i = 0; i < c->n_ov; i++) {
		const struct override *o = &c->ov[i];
		struct variant *v = NULL;

		for (unsigned int k = 0; k < c->n_var; k++)
			if (c->var[k].lo == o->lo && c->var[k].hi == o->hi)
				v = &c->var[k];
		if (v == NULL) {
			if (c->n_var == SW_CONFIG_MAX_VARIANTS)
				return fail(c, o->file, o->line, o->key,
				            "more than %d distinct override ranges",
				            SW_CONFIG_MAX_VARIANTS);
			v = &c->var[c->n_var++];
			v->lo = o->lo;
			v->hi = o->hi;
			memcpy(v->acc, c->acc, sizeof(v->acc));
		}
		if (set_key(c, v->acc, o->file, o->line, o->key, o->value) != 0)
			return -EINVAL;
	}
	for (unsigned int k = 0; k < c->n_var; k++)
		if (check_accounts(c, c->var[k].acc, where) != 0)
			return -EINVAL;
	c->finished = true;
	return 0;
}

uint64_t
sw_config_line_count(const struct sw_config *c, uint32_t k, uint32_t n)
{
	uint64_t phones;

	if (!c->finished || n == 0 || k >= n || k >= c->profile.phones)
		return 0;
	phones = (c->profile.phones - k + n - 1) / n;
	return phones * c->lpp;
}

int
sw_config_line(const struct sw_config *c, uint32_t k, uint32_t n, uint64_t i,
               struct sw_line_info *out)
{
	uint64_t ph;
	uint32_t phone;
	unsigned int x;
	const struct sw_account_cfg *accs = c->acc;

	if (i >= sw_config_line_count(c, k, n))
		return -ERANGE;
	ph = i / c->lpp;
	phone = (uint32_t)(k + ph * n);
	x = c->line_acc[i % c->lpp];
	out->variant = 0;
	/* the last range that holds this phone wins */
	for (unsigned int v = c->n_var; v-- > 0;)
		if (phone + 1 >= c->var[v].lo && phone + 1 <= c->var[v].hi) {
			accs = c->var[v].acc;
			out->variant = (uint16_t)(v + 1);
			break;
		}
	out->phone = phone;
	out->account = (uint8_t)x;
	out->cfg = &accs[x - 1];
	out->src_ip = c->profile.src_ip + phone % c->profile.src_ip_count;
	out->src_port = (uint16_t)(c->profile.src_port + phone / c->profile.src_ip_count);
	return 0;
}

const struct sw_account_cfg *
sw_config_account(const struct sw_config *c, unsigned int x)
{
	return x >= 1 && x <= SW_MAX_ACCOUNTS ? &c->acc[x - 1] : NULL;
}

const struct sw_dns_cache *
sw_config_dns_cache(const struct sw_config *c)
{
	return &c->dns;
}

const struct sw_timing_cfg *
sw_config_timing(const struct sw_config *c)
{
	return &c->timing;
}

const struct sw_profile *
sw_config_profile(const struct sw_config *c)
{
	return &c->profile;
}
