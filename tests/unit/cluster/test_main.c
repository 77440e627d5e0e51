/* SPDX-License-Identifier: BSD-3-Clause */
/* The lib/cluster unit-test executable: its suites and the helpers they share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_cluster.h"

void
tc_emit(void *arg, const struct sw_cluster_dgram *d)
{
	struct tc_capture *cap = arg;

	if (cap->n >= TC_CAP || d->len >= TC_DATA_MAX)
		abort(); /* a test sends a few datagrams at a time */
	cap->d[cap->n] = *d;
	memcpy(cap->data[cap->n], d->data, d->len);
	cap->data[cap->n][d->len] = '\0';
	cap->d[cap->n].data = cap->data[cap->n];
	cap->n++;
}

void
tc_cfg(struct sw_cluster_cfg *cfg, unsigned n, const uint8_t *groups)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->n_servers = n;
	for (unsigned i = 0; i < n; i++) {
		cfg->server[i].ip = TC_SERVER_IP(i);
		cfg->server[i].port = TC_PORT;
		snprintf(cfg->server[i].name, sizeof(cfg->server[i].name), "srv%u", i + 1);
		cfg->server[i].group = groups != NULL ? groups[i] : 0;
	}
	cfg->realm = TC_REALM;
	cfg->password_rule = "pw{user}";
	cfg->nonce_ttl_s = 30;
	cfg->max_bindings = 1000;
	cfg->min_expires = 60;
	cfg->max_expires = 3600;
	cfg->seed = 42;
	cfg->record_route = 1;
}

void
tc_phone_init(struct tc_phone *p, const char *user, unsigned idx)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->user, sizeof(p->user), "%s", user);
	p->ip = UINT32_C(0xC6120000) + idx; /* 198.18.0.0 + idx */
	p->port = 5062;
	snprintf(p->local, sizeof(p->local), "198.18.%u.%u:%u", (idx >> 8) & 255, idx & 255,
	         p->port);
	snprintf(p->password, sizeof(p->password), "pw%s", user);
	p->cseq = 1;
}

static const struct sw_sip_tmpl *
register_tmpl(void)
{
	static struct sw_sip_tmpl t;
	static int done;

	if (!done) {
		if (sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, NULL) != 0)
			abort();
		done = 1;
	}
	return &t;
}

#define CS(s) ((struct sw_sip_cstr){(s), (uint32_t)strlen(s)})

int
tc_phone_register_msg(struct tc_phone *p, uint32_t expires, char *out, size_t cap)
{
	struct sw_sip_vars v;
	char branch[64], call_id[48], tag[48], ha2[32], resp[32];

	memset(&v, 0, sizeof(v));
	snprintf(branch, sizeof(branch), "b%s-%u", p->user, p->seq++);
	snprintf(call_id, sizeof(call_id), "reg-%s", p->user);
	snprintf(tag, sizeof(tag), "t%s", p->user);
	v.s[SW_SIP_V_USER] = CS(p->user);
	v.s[SW_SIP_V_DOMAIN] = CS(TC_DOMAIN);
	v.s[SW_SIP_V_AUTH_USER] = CS(p->user);
	v.s[SW_SIP_V_LOCAL] = CS(p->local);
	v.s[SW_SIP_V_BRANCH] = CS(branch);
	v.s[SW_SIP_V_FROM_TAG] = CS(tag);
	v.s[SW_SIP_V_CALL_ID] = CS(call_id);
	v.n[SW_SIP_N_CSEQ] = p->cseq++;
	v.n[SW_SIP_N_EXPIRES] = expires;
	if (p->has_digest) {
		static const char uri[] = "sip:" TC_DOMAIN;
		sw_sip_digest_ha2(SW_SIP_ALGO_MD5, "REGISTER", 8, uri, sizeof(uri) - 1, ha2);
		sw_sip_digest_response(&p->d, ha2, 0x1234abcd + p->seq, resp);
		v.s[SW_SIP_V_REALM] = CS(TC_REALM);
		v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, 32};
		v.digest = &p->d;
	}
	return sw_sip_build(register_tmpl(), &v, out, cap);
}

unsigned
tc_feed(struct sw_cluster *c, struct tc_capture *cap, uint64_t now, uint32_t src_ip,
        uint16_t src_port, unsigned server, const char *msg, size_t len)
{
	cap->n = 0;
	return sw_cluster_input(c, now, src_ip, src_port, TC_SERVER_IP(server), TC_PORT, msg, len,
	                        tc_emit, cap);
}

unsigned
tc_phone_register(struct sw_cluster *c, struct tc_capture *cap, struct tc_phone *p, uint64_t now,
                  unsigned server, uint32_t expires)
{
	char msg[2048];
	int n = tc_phone_register_msg(p, expires, msg, sizeof(msg));

	if (n < 0)
		abort();
	return tc_feed(c, cap, now, p->ip, p->port, server, msg, (size_t)n);
}

int
tc_parse(const struct tc_capture *cap, unsigned i, struct sw_sip_msg *m)
{
	if (i >= cap->n)
		return -1;
	return (int)sw_sip_parse(m, cap->data[i], cap->d[i].len, SW_SIP_WANT_ALL);
}

int
tc_status(const struct tc_capture *cap, unsigned i)
{
	struct sw_sip_msg m;

	if (tc_parse(cap, i, &m) != SW_SIP_OK || m.is_request)
		return 0;
	return m.status;
}

int
tc_has(const struct tc_capture *cap, unsigned i, const char *text)
{
	return i < cap->n && strstr(cap->data[i], text) != NULL;
}

int
tc_phone_challenged(struct tc_phone *p, const struct tc_capture *cap, unsigned i)
{
	struct sw_sip_msg m;
	char ha1[32];

	if (tc_parse(cap, i, &m) != SW_SIP_OK || m.status != 401 || !m.challenge.present)
		return -1;
	sw_sip_digest_ha1(SW_SIP_ALGO_MD5, p->user, strlen(p->user), m.challenge.realm.p,
	                  m.challenge.realm.len, p->password, strlen(p->password), ha1);
	if (sw_sip_digest_accept(&p->d, &m.challenge, ha1, 0) != 0)
		return -1;
	p->has_digest = 1;
	return 0;
}

int
tc_phone_full_register(struct sw_cluster *c, struct tc_capture *cap, struct tc_phone *p,
                       uint64_t now, unsigned server, uint32_t expires)
{
	p->has_digest = 0;
	if (tc_phone_register(c, cap, p, now, server, expires) != 1 ||
	    tc_phone_challenged(p, cap, 0) != 0)
		return 0;
	if (tc_phone_register(c, cap, p, now, server, expires) != 1)
		return 0;
	return tc_status(cap, 0);
}

int
tc_accounted(const struct sw_cluster *c, unsigned n_servers)
{
	for (unsigned i = 0; i < n_servers; i++) {
		struct sw_cluster_server_stats st;
		sw_cluster_stats(c, i, &st);
		if (st.rx != st.rx_requests + st.rx_responses + st.parse_errors +
		                     st.dropped_silent + st.dropped_capacity ||
		    st.rx_requests !=
		            st.answered + st.absorbed + st.proxied_requests + st.forward_invalid ||
		    st.rx_responses != st.proxied_responses + st.not_ours + st.relay_invalid)
			return 0;
	}
	return 1;
}

const struct sw_test_suite *const sw_test_suites[] = {
        &suite_registrar, &suite_faults, &suite_proxy, &suite_credentials, &suite_fast, NULL,
};
