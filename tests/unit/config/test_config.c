/* SPDX-License-Identifier: BSD-3-Clause */
/* Yealink .cfg parsing, every key's default, effect and range errors; the load profile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_common.h"
#include "sw_config.h"
#include "sw_test.h"

static struct sw_config *
parse(const char *body, int *rc)
{
	static char text[8192];
	struct sw_config *c = sw_config_new();

	snprintf(text, sizeof(text), "#!version:1.0.0.1\n%s", body);
	*rc = sw_config_parse(c, "t.cfg", text, strlen(text));
	return c;
}

static const char *
error_of(const char *body)
{
	static char msg[256];
	int rc;
	struct sw_config *c = parse(body, &rc);

	msg[0] = '\0';
	if (rc == 0)
		rc = sw_config_finish(c);
	if (rc != 0 && sw_config_error(c) != NULL)
		snprintf(msg, sizeof(msg), "%s", sw_config_error(c)->msg);
	sw_config_free(c);
	return msg;
}

static void
test_every_key_has_the_default_of_the_guide(void)
{
	int rc;
	struct sw_config *c = parse("", &rc);
	const struct sw_account_cfg *a = sw_config_account(c, 16);
	const struct sw_timing_cfg *t = sw_config_timing(c);

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_FALSE(a->enable);
	CU_ASSERT_STRING_EQUAL(a->label, "");
	CU_ASSERT_STRING_EQUAL(a->user_name, "");
	for (int y = 0; y < 2; y++) {
		const struct sw_server_cfg *s = &a->server[y];

		CU_ASSERT_STRING_EQUAL(s->address, "");
		CU_ASSERT_EQUAL(s->port, 5060);
		CU_ASSERT_EQUAL(s->transport, SW_TRANSPORT_UDP);
		CU_ASSERT_EQUAL(s->expires, 3600);
		CU_ASSERT_EQUAL(s->retry_counts, 3);
		CU_ASSERT_FALSE(s->register_on_enable);
		CU_ASSERT_FALSE(s->only_signal_with_registered);
		CU_ASSERT_EQUAL(s->invite_retry_counts, 3);
		CU_ASSERT_EQUAL(s->failback_mode, 0);
		CU_ASSERT_EQUAL(s->failback_timeout, 3600);
		CU_ASSERT_FALSE(s->failback_subscribe_enable);
	}
	CU_ASSERT_FALSE(a->outbound_proxy_enable);
	CU_ASSERT_EQUAL(a->outbound_proxy[0].port, 5060);
	CU_ASSERT_EQUAL(a->outbound_proxy[1].port, 5060);
	CU_ASSERT_EQUAL(a->outbound_proxy_fallback_interval, 3600);
	CU_ASSERT_EQUAL(a->redundancy_type, SW_REDUNDANCY_CONCURRENT);
	CU_ASSERT_EQUAL(a->fallback_timeout, 120);
	CU_ASSERT_EQUAL(a->dns_cache_type, 1);
	CU_ASSERT_FALSE(a->static_cache_pri);
	CU_ASSERT_FALSE(a->naptr_build);
	CU_ASSERT_EQUAL(sw_config_dns_cache(c)->a[0].ttl, 300);
	CU_ASSERT_EQUAL(t->t1_ms, 500);
	CU_ASSERT_EQUAL(t->t2_ms, 4000);
	CU_ASSERT_TRUE(t->fail_on_503);
	CU_ASSERT_EQUAL(t->srv_order, SW_SRV_ORDER_RFC2782);
	CU_ASSERT_EQUAL(t->refresh_percent, 50);
	CU_ASSERT_EQUAL(sw_config_profile(c)->phones, 1);
	sw_config_free(c);
}

static void
test_every_key_takes_effect(void)
{
	int rc;
	struct sw_config *c =
	        parse("account.2.enable = 1\n"
	              "account.2.label = L\n"
	              "account.2.display_name = D\n"
	              "account.2.auth_name = A\n"
	              "account.2.user_name = U\n"
	              "account.2.password = P#1\n"
	              "account.2.sip_server.2.address = fb.example.com\n"
	              "account.2.sip_server.2.port = 0\n"
	              "account.2.sip_server.2.transport_type = 3\n"
	              "account.2.sip_server.2.expires = 30\n"
	              "account.2.sip_server.2.retry_counts = 20\n"
	              "account.2.sip_server.2.register_on_enable = 1\n"
	              "account.2.sip_server.2.only_signal_with_registered = 1\n"
	              "account.2.sip_server.2.invite_retry_counts = 10\n"
	              "account.2.sip_server.2.failback_mode = 3\n"
	              "account.2.sip_server.2.failback_timeout = 65535\n"
	              "account.2.sip_server.2.failback_subscribe.enable = 1\n"
	              "account.2.outbound_proxy_enable = 1\n"
	              "account.2.outbound_proxy.2.address = p2.example.com\n"
	              "account.2.outbound_proxy.2.port = 5070\n"
	              "account.2.outbound_proxy_fallback_interval = 60\n"
	              "account.2.fallback.redundancy_type = 1\n"
	              "account.2.fallback.timeout = 10\n"
	              "account.2.dns_cache_type = 2\n"
	              "account.2.static_cache_pri = 1\n"
	              "account.2.naptr_build = 1\n"
	              "swarm.t1_ms = 250\nswarm.t2_ms = 2000\nswarm.fail_on_503 = 0\n"
	              "swarm.fail_on_transport_error = 0\nswarm.srv_order = weight-desc\n"
	              "swarm.refresh_percent = 80\nswarm.refresh_jitter_percent = 0\n"
	              "swarm.unregister_on_stop = 1\nswarm.seed = 99\n"
	              "swarm.phones = 7\nswarm.model = T46S\nswarm.src_ip = 198.18.5.1\n"
	              "swarm.src_port = 5080\nswarm.register_rate = 1000\n"
	              "swarm.start = avalanche\nswarm.max_in_flight = 4096\n",
	              &rc);
	const struct sw_account_cfg *a = sw_config_account(c, 2);
	const struct sw_server_cfg *s = &a->server[1];
	const struct sw_timing_cfg *t = sw_config_timing(c);
	const struct sw_profile *p = sw_config_profile(c);

	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_TRUE(a->enable);
	CU_ASSERT_STRING_EQUAL(a->label, "L");
	CU_ASSERT_STRING_EQUAL(a->display_name, "D");
	CU_ASSERT_STRING_EQUAL(a->auth_name, "A");
	CU_ASSERT_STRING_EQUAL(a->user_name, "U");
	CU_ASSERT_STRING_EQUAL(a->password, "P#1");
	CU_ASSERT_STRING_EQUAL(s->address, "fb.example.com");
	CU_ASSERT_EQUAL(s->port, 0);
	CU_ASSERT_EQUAL(s->transport, SW_TRANSPORT_DNS_NAPTR);
	CU_ASSERT_EQUAL(s->expires, 30);
	CU_ASSERT_EQUAL(s->retry_counts, 20);
	CU_ASSERT_TRUE(s->register_on_enable);
	CU_ASSERT_TRUE(s->only_signal_with_registered);
	CU_ASSERT_EQUAL(s->invite_retry_counts, 10);
	CU_ASSERT_EQUAL(s->failback_mode, SW_FAILBACK_DURATION);
	CU_ASSERT_EQUAL(s->failback_timeout, 65535);
	CU_ASSERT_TRUE(s->failback_subscribe_enable);
	CU_ASSERT_TRUE(a->outbound_proxy_enable);
	CU_ASSERT_STRING_EQUAL(a->outbound_proxy[1].address, "p2.example.com");
	CU_ASSERT_EQUAL(a->outbound_proxy[1].port, 5070);
	CU_ASSERT_EQUAL(a->outbound_proxy_fallback_interval, 60);
	CU_ASSERT_EQUAL(a->redundancy_type, SW_REDUNDANCY_SUCCESSIVE);
	CU_ASSERT_EQUAL(a->fallback_timeout, 10);
	CU_ASSERT_EQUAL(a->dns_cache_type, 2);
	CU_ASSERT_TRUE(a->static_cache_pri);
	CU_ASSERT_TRUE(a->naptr_build);
	CU_ASSERT_EQUAL(t->t1_ms, 250);
	CU_ASSERT_EQUAL(t->t2_ms, 2000);
	CU_ASSERT_FALSE(t->fail_on_503);
	CU_ASSERT_FALSE(t->fail_on_transport_error);
	CU_ASSERT_EQUAL(t->srv_order, SW_SRV_ORDER_WEIGHT_DESC);
	CU_ASSERT_EQUAL(t->refresh_percent, 80);
	CU_ASSERT_EQUAL(t->refresh_jitter_percent, 0);
	CU_ASSERT_TRUE(t->unregister_on_stop);
	CU_ASSERT_EQUAL(t->seed, 99);
	CU_ASSERT_EQUAL(p->phones, 7);
	CU_ASSERT_STRING_EQUAL(p->model->name, "T46S");
	CU_ASSERT_EQUAL(p->src_ip, (198u << 24) | (18u << 16) | (5u << 8) | 1u);
	CU_ASSERT_EQUAL(p->src_port, 5080);
	CU_ASSERT_EQUAL(p->register_rate, 1000);
	CU_ASSERT_EQUAL(p->start, SW_START_AVALANCHE);
	CU_ASSERT_EQUAL(p->max_in_flight, 4096);
	/* the other server of the account keeps its defaults */
	CU_ASSERT_EQUAL(a->server[0].retry_counts, 3);
	sw_config_free(c);
}

/* Each out-of-range or malformed value gives file, line, key, value and the range. */
static void
test_out_of_range_values_name_file_line_key_value_and_range(void)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
	        {"account.1.sip_server.1.retry_counts = 25",
	         "t.cfg:2: account.1.sip_server.1.retry_counts = 25: out of range 0..20"},
	        {"account.1.sip_server.1.retry_counts = -1",
	         "t.cfg:2: account.1.sip_server.1.retry_counts = -1: out of range 0..20"},
	        {"account.1.sip_server.1.retry_counts = 3x",
	         "t.cfg:2: account.1.sip_server.1.retry_counts = 3x: out of range 0..20"},
	        {"account.1.sip_server.1.invite_retry_counts = 0",
	         "t.cfg:2: account.1.sip_server.1.invite_retry_counts = 0: out of range 1..10"},
	        {"account.1.sip_server.1.invite_retry_counts = 11",
	         "t.cfg:2: account.1.sip_server.1.invite_retry_counts = 11: out of range 1..10"},
	        {"account.1.sip_server.2.expires = 29",
	         "t.cfg:2: account.1.sip_server.2.expires = 29: out of range 30..2147483647"},
	        {"account.1.sip_server.2.expires = 2147483648",
	         "t.cfg:2: account.1.sip_server.2.expires = 2147483648: out of range 30..2147483647"},
	        {"account.1.sip_server.1.expires = 99999999999999999999999",
	         "t.cfg:2: account.1.sip_server.1.expires = 99999999999999999999999: out of range "
	         "30..2147483647"},
	        {"account.1.sip_server.1.port = 65536",
	         "t.cfg:2: account.1.sip_server.1.port = 65536: out of range 0..65535"},
	        {"account.1.sip_server.1.transport_type = 4",
	         "t.cfg:2: account.1.sip_server.1.transport_type = 4: out of range 0..3"},
	        {"account.1.sip_server.1.failback_mode = 4",
	         "t.cfg:2: account.1.sip_server.1.failback_mode = 4: out of range 0..3"},
	        {"account.1.sip_server.1.failback_timeout = 65536",
	         "t.cfg:2: account.1.sip_server.1.failback_timeout = 65536: out of range 0, 60..65535 "
	         "(1..59 means 60)"},
	        {"account.1.sip_server.1.register_on_enable = 2",
	         "t.cfg:2: account.1.sip_server.1.register_on_enable = 2: must be 0 or 1"},
	        {"account.1.sip_server.1.only_signal_with_registered = yes",
	         "t.cfg:2: account.1.sip_server.1.only_signal_with_registered = yes: must be 0 or 1"},
	        {"account.1.sip_server.1.failback_subscribe.enable = 2",
	         "t.cfg:2: account.1.sip_server.1.failback_subscribe.enable = 2: must be 0 or 1"},
	        {"account.1.enable = on", "t.cfg:2: account.1.enable = on: must be 0 or 1"},
	        {"account.1.fallback.redundancy_type = 2",
	         "t.cfg:2: account.1.fallback.redundancy_type = 2: out of range 0..1"},
	        {"account.1.fallback.timeout = 9",
	         "t.cfg:2: account.1.fallback.timeout = 9: out of range 10..2147483647"},
	        {"account.1.dns_cache_type = 3",
	         "t.cfg:2: account.1.dns_cache_type = 3: out of range 0..2"},
	        {"account.1.static_cache_pri = 5",
	         "t.cfg:2: account.1.static_cache_pri = 5: must be 0 or 1"},
	        {"account.1.naptr_build = 5", "t.cfg:2: account.1.naptr_build = 5: must be 0 or 1"},
	        {"account.1.outbound_proxy_enable = 5",
	         "t.cfg:2: account.1.outbound_proxy_enable = 5: must be 0 or 1"},
	        {"account.1.outbound_proxy.1.port = 70000",
	         "t.cfg:2: account.1.outbound_proxy.1.port = 70000: out of range 0..65535"},
	        {"account.1.outbound_proxy_fallback_interval = x",
	         "t.cfg:2: account.1.outbound_proxy_fallback_interval = x: out of range 0..2147483647"},
	        {"account.17.enable = 1",
	         "t.cfg:2: account.17.enable = 1: index 17 out of range 1..16"},
	        {"account.0.enable = 1",
	         "t.cfg:2: account.0.enable = 1: index 0 out of range 1..16"},
	        {"account.1.sip_server.3.port = 1",
	         "t.cfg:2: account.1.sip_server.3.port = 1: index 3 out of range 1..2"},
	        {"dns_cache_a.13.ttl = 300",
	         "t.cfg:2: dns_cache_a.13.ttl = 300: index 13 out of range 1..12"},
	        {"dns_cache_a.1.ttl = 29",
	         "t.cfg:2: dns_cache_a.1.ttl = 29: out of range 30..2147483647"},
	        {"dns_cache_a.1.ip = 300.1.1.1",
	         "t.cfg:2: dns_cache_a.1.ip = 300.1.1.1: not an IPv4 address"},
	        {"dns_cache_srv.1.weight = 65536",
	         "t.cfg:2: dns_cache_srv.1.weight = 65536: out of range 0..65535"},
	        {"dns_cache_naptr.1.order = -4",
	         "t.cfg:2: dns_cache_naptr.1.order = -4: out of range 0..65535"},
	        {"account.1.sip_server.1.address = a b",
	         "t.cfg:2: account.1.sip_server.1.address = a b: a host name has no spaces or control "
	         "characters"},
	        {"swarm.srv_order = random",
	         "t.cfg:2: swarm.srv_order = random: must be rfc2782 or weight-desc"},
	        {"swarm.t1_ms = 0", "t.cfg:2: swarm.t1_ms = 0: out of range 1..60000"},
	        {"swarm.refresh_percent = 100",
	         "t.cfg:2: swarm.refresh_percent = 100: out of range 1..99"},
	        {"swarm.phones = 0", "t.cfg:2: swarm.phones = 0: out of range 1..100000000"},
	        {"swarm.start = slow", "t.cfg:2: swarm.start = slow: must be ramp or avalanche"},
	        {"just text", "t.cfg:2: 'just text': expected 'key = value'"},
	        {"= 5", "t.cfg:2: a value without a key"},
	};

	for (size_t i = 0; i < SW_ARRAY_SIZE(cases); i++) {
		char body[512];
		const char *got;

		snprintf(body, sizeof(body), "%s\n", cases[i].line);
		got = error_of(body);
		if (strcmp(got, cases[i].msg) != 0)
			fprintf(stderr, "\nwant: %s\ngot:  %s\n", cases[i].msg, got);
		CU_ASSERT_STRING_EQUAL(got, cases[i].msg);
	}
}

static void
test_a_long_address_is_refused_with_its_length(void)
{
	char body[600];

	memset(body, 'a', sizeof(body));
	memcpy(body, "account.1.sip_server.1.address = ", 33);
	body[33 + 257] = '\n';
	body[33 + 258] = '\0';
	CU_ASSERT_STRING_EQUAL(error_of(body), "t.cfg:2: account.1.sip_server.1.address: value is "
	                                       "257 characters, at most 256");
}

static void
test_the_header_must_come_first(void)
{
	struct sw_config *c = sw_config_new();
	const char *t = "account.1.enable = 1\n";

	CU_ASSERT_EQUAL(sw_config_parse(c, "x.cfg", t, strlen(t)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(
	        sw_config_error(c)->msg,
	        "x.cfg:1: the first line must be the Yealink header '#!version:1.0.0.1'");
	t = "#!version:1.0.0.1\r\naccount.1.enable = 1\r\n";
	CU_ASSERT_EQUAL(sw_config_parse(c, "x.cfg", t, strlen(t)), 0);
	CU_ASSERT_TRUE(sw_config_account(c, 1)->enable);
	CU_ASSERT_EQUAL(sw_config_parse(c, "x.cfg", "#!version:1\nk\0= 1\n", 18), -EINVAL);
	CU_ASSERT_STRING_EQUAL(sw_config_error(c)->msg, "x.cfg:2: a NUL byte: not a text file");
	sw_config_free(c);
}

static void
test_unknown_keys_are_warned_about_once(void)
{
	int rc;
	struct sw_config *c = parse("account.1.bogus = 1\naccount.1.bogus = 2\nfoo = bar\n", &rc);
	unsigned int n;
	const struct sw_config_diag *w = sw_config_warnings(c, &n);

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(w[0].msg, "t.cfg:2: account.1.bogus: unknown key, ignored");
	CU_ASSERT_STRING_EQUAL(w[1].msg, "t.cfg:4: foo: unknown key, ignored");
	sw_config_free(c);
}

static void
test_failback_timeout_1_to_59_means_60_and_0_means_never(void)
{
	int rc;
	struct sw_config *c = parse("account.1.sip_server.1.failback_timeout = 30\n"
	                            "account.1.sip_server.2.failback_timeout = 0\n",
	                            &rc);

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(sw_config_account(c, 1)->server[0].failback_timeout, 60);
	CU_ASSERT_EQUAL(sw_config_account(c, 1)->server[1].failback_timeout, 0);
	sw_config_free(c);
}

static void
test_firmware_80_proxy_names_are_aliases_of_proxy_1_and_2(void)
{
	int rc;
	struct sw_config *c = parse("account.1.outbound_host = p1.example.com\n"
	                            "account.1.outbound_port = 5062\n"
	                            "account.1.backup_outbound_host = p2.example.com\n"
	                            "account.1.backup_outbound_port = 5064\n",
	                            &rc);
	const struct sw_account_cfg *a = sw_config_account(c, 1);

	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_STRING_EQUAL(a->outbound_proxy[0].address, "p1.example.com");
	CU_ASSERT_EQUAL(a->outbound_proxy[0].port, 5062);
	CU_ASSERT_STRING_EQUAL(a->outbound_proxy[1].address, "p2.example.com");
	CU_ASSERT_EQUAL(a->outbound_proxy[1].port, 5064);
	sw_config_free(c);
}

/* Appendix B of the guide (its private addresses replaced by 198.18.1.13/.14). */
static void
test_the_static_cache_examples_of_the_guide_parse(void)
{
	int rc;
	struct sw_config *c = parse("dns_cache_a.1.name = yealink.pbx.com\n"
	                            "dns_cache_a.1.ip = 198.18.1.13\n"
	                            "dns_cache_a.1.ttl = 3600\n"
	                            "dns_cache_a.2.name = yealink.pbx.com\n"
	                            "dns_cache_a.2.ip = 198.18.1.14\n"
	                            "dns_cache_a.2.ttl = 3600\n"
	                            "dns_cache_srv.1.name = _sip_tcp.yealink.pbx.com\n"
	                            "dns_cache_srv.1.port = 5060\n"
	                            "dns_cache_srv.1.priority = 0\n"
	                            "dns_cache_srv.1.target = server1.yealink.pbx.com\n"
	                            "dns_cache_srv.1.weight = 1\n"
	                            "dns_cache_srv.1.ttl = 3600\n"
	                            "dns_cache_srv.2.name = _sip_tcp.yealink.pbx.com\n"
	                            "dns_cache_srv.2.target = server2.yealink.pbx.com\n"
	                            "dns_cache_srv.2.weight = 2\n"
	                            "dns_cache_naptr.1.name = yealink.pbx.com\n"
	                            "dns_cache_naptr.1.flags = S\n"
	                            "dns_cache_naptr.1.order = 90\n"
	                            "dns_cache_naptr.1.preference = 50\n"
	                            "dns_cache_naptr.1.replace = _sip_tcp.yealink.pbx.com\n"
	                            "dns_cache_naptr.1.service = SIP+D2T\n"
	                            "dns_cache_naptr.1.ttl = 3600\n"
	                            "dns_cache_naptr.2.name = yealink.pbx.com\n"
	                            "dns_cache_naptr.2.order = 100\n"
	                            "dns_cache_naptr.2.replace = _sip_udp.yealink.pbx.com\n"
	                            "dns_cache_naptr.2.service = SIP+D2U\n",
	                            &rc);
	const struct sw_dns_cache *d = sw_config_dns_cache(c);
	unsigned int n;
	const struct sw_config_diag *w = sw_config_warnings(c, &n);

	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(d->n_a, 2);
	CU_ASSERT_EQUAL(d->a[1].ip, (198u << 24) | (18u << 16) | (1u << 8) | 14u);
	CU_ASSERT_EQUAL(d->a[0].ttl, 3600);
	CU_ASSERT_EQUAL(d->n_srv, 2);
	CU_ASSERT_STRING_EQUAL(d->srv[1].target, "server2.yealink.pbx.com");
	CU_ASSERT_EQUAL(d->srv[1].weight, 2);
	CU_ASSERT_EQUAL(d->srv[1].ttl, 300);
	CU_ASSERT_EQUAL(d->n_naptr, 2);
	CU_ASSERT_EQUAL(d->naptr[0].order, 90);
	CU_ASSERT_STRING_EQUAL(d->naptr[0].flags, "S");
	CU_ASSERT_STRING_EQUAL(d->naptr[1].service, "SIP+D2U");
	/* the guide's "_sip_tcp." is warned about (once per key) */
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(w[0].msg, "looks like the guide's typo"));
	sw_config_free(c);
}

static const char *base = "account.1.enable = 1\n"
                          "account.1.user_name = 1{phone:05}{line:02}\n"
                          "account.1.auth_name = a{phone}\n"
                          "account.1.password = pw-{phone}-{line}\n"
                          "account.1.sip_server.1.address = yealink.pbx.com\n";

static void
test_lines_expand_from_templates_by_reference_to_shared_settings(void)
{
	char body[1024], buf[64];
	int rc;
	struct sw_config *c;
	struct sw_line_info li, lj;

	snprintf(body, sizeof(body),
	         "%sswarm.phones = 1000\nswarm.lines_per_phone = 3\n"
	         "swarm.src_ip = 198.18.0.10\nswarm.src_ip_count = 100\n",
	         base);
	c = parse(body, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(sw_config_finish(c), 0);
	CU_ASSERT_EQUAL(sw_config_line_count(c, 0, 1), 3000);
	CU_ASSERT_EQUAL(sw_config_line(c, 0, 1, 3 * 123 + 2, &li), 0);
	CU_ASSERT_EQUAL(li.phone, 123);
	CU_ASSERT_EQUAL(li.account, 3);
	CU_ASSERT_EQUAL(sw_config_ident(c, &li, SW_IDENT_USER_NAME, buf, sizeof(buf)), 8);
	CU_ASSERT_STRING_EQUAL(buf, "10012403");
	sw_config_ident(c, &li, SW_IDENT_AUTH_NAME, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "a124");
	sw_config_ident(c, &li, SW_IDENT_PASSWORD, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "pw-124-3");
	/* phones beyond the address count move to the next port */
	CU_ASSERT_EQUAL(li.src_ip, ((198u << 24) | (18u << 16) | 10u) + 23);
	CU_ASSERT_EQUAL(li.src_port, 5061);
	/* the same settings object is shared, not copied per line */
	sw_config_line(c, 0, 1, 3 * 999 + 2, &lj);
	CU_ASSERT_PTR_EQUAL(li.cfg, lj.cfg);
	CU_ASSERT_EQUAL(sw_config_line(c, 0, 1, 3000, &lj), -ERANGE);
	CU_ASSERT_EQUAL(sw_config_ident(c, &li, SW_IDENT_USER_NAME, buf, 5), -ENOSPC);
	CU_ASSERT_TRUE(sw_config_ident_max(c) >= 12);
	/* shard 1 of 4: phones 1, 5, 9, ... */
	CU_ASSERT_EQUAL(sw_config_line_count(c, 1, 4), 250 * 3);
	sw_config_line(c, 1, 4, 3 * 2, &lj);
	CU_ASSERT_EQUAL(lj.phone, 9);
	CU_ASSERT_EQUAL(sw_config_line_count(c, 4, 4), 0);
	sw_config_free(c);
}

/* the identity formatter against snprintf: every template shape, numbers at every digit
 * boundary, every width, every buffer size around the result */
static void
test_identities_are_formatted_as_printf_would(void)
{
	static const char *const tmpl[] = {
	        "{phone}",
	        "{line}",
	        "u{phone:07}",
	        "pwu{phone:07}x",
	        "{phone:1}-{line:3}",
	        "{phone:20}",
	        "a{line}b{phone:05}c",
	        "plain",
	        "",
	        "{phone:0}",
	};
	static const uint32_t nums[] = {0,           1,
	                                8,           9,
	                                10,          99,
	                                100,         999,
	                                1000,        9999,
	                                10000,       123456,
	                                999999,      1000000,
	                                9999999,     10000000,
	                                99999999,    100000000,
	                                999999999,   1000000000,
	                                4000000000u, UINT32_MAX - 1,
	                                UINT32_MAX};
	struct sw_account_cfg a;
	struct sw_line_info li;
	char want[128], got[128];

	memset(&a, 0, sizeof(a));
	memset(&li, 0, sizeof(li));
	li.cfg = &a;
	for (size_t t = 0; t < SW_ARRAY_SIZE(tmpl); t++)
		for (size_t k = 0; k < SW_ARRAY_SIZE(nums); k++) {
			int wl = 0;

			a.password = tmpl[t];
			li.phone = nums[k];
			li.account = (uint8_t)(nums[k] % 17);
			/* the reference: each placeholder by snprintf */
			for (const char *p = tmpl[t]; *p != '\0'; p++) {
				unsigned int w = 0;
				uint32_t v;

				if (*p != '{') {
					want[wl++] = *p;
					continue;
				}
				v = p[1] == 'p' ? li.phone + 1 : li.account;
				p = strpbrk(p, ":}");
				if (*p == ':')
					w = (unsigned int)strtoul(p + 1, NULL, 10);
				p = strchr(p, '}');
				wl += snprintf(want + wl, sizeof(want) - (size_t)wl, "%0*u", (int)w,
				               (unsigned int)v);
			}
			want[wl] = '\0';
			for (size_t cap = 0; cap <= (size_t)wl + 2; cap++) {
				memset(got, 'Z', sizeof(got));
				int n = sw_config_ident(NULL, &li, SW_IDENT_PASSWORD, got, cap);

				if ((size_t)wl + 1 > cap) {
					CU_ASSERT_EQUAL(n, -ENOSPC);
				} else {
					CU_ASSERT_EQUAL(n, wl);
					CU_ASSERT_STRING_EQUAL(got, want);
					CU_ASSERT_EQUAL(got[cap], 'Z');
				}
			}
		}
}

/* the templates taken apart at finish (sw_config_ident's fast path) against the same templates
 * read character by character (an account copy without them): same bytes, same -ENOSPC, for
 * every identity, lines at digit boundaries and every buffer size around the result */
static void
test_identities_taken_apart_at_finish_equal_the_templates_read_whole(void)
{
	static const char *const tmpl[][3] = {
	        {"u{phone:07}", "pwu{phone:07}", "{phone}"},
	        {"{line}", "{line:3}x", "plain-text-longer-than-sixteen"},
	        {"a{phone:20}b", "{phone}-{line}", "x"},
	        {"abcdefghijklmnopqrstuvwxyz0123456789{phone:1}ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	         "{phone:0}", "q{line:12}"},
	};
	static const uint32_t phones[] = {0,  4,  5,   6,   8,     9,     10,
	                                  98, 99, 100, 999, 12344, 99998, 99999};
	unsigned int fast = 0, whole = 0;
	static const enum sw_ident f[] = {SW_IDENT_USER_NAME, SW_IDENT_AUTH_NAME, SW_IDENT_PASSWORD,
	                                  SW_IDENT_LABEL, SW_IDENT_DISPLAY_NAME};
	char body[1024], a[128], b[128];

	for (size_t k = 0; k < SW_ARRAY_SIZE(tmpl); k++) {
		int rc;
		struct sw_config *c;

		snprintf(body, sizeof(body),
		         "account.1.enable = 1\n"
		         "account.1.user_name = %s\naccount.1.auth_name = %s\n"
		         "account.1.password = %s\naccount.1.label = %s\n"
		         "account.1.sip_server.1.address = pbx.test\n"
		         "override.5-7.account.1.password = v{phone:04}\n"
		         "swarm.phones = 100000\nswarm.lines_per_phone = 2\n",
		         tmpl[k][0], tmpl[k][1], tmpl[k][2], tmpl[k][0]);
		c = parse(body, &rc);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		CU_ASSERT_EQUAL_FATAL(sw_config_finish(c), 0);
		for (size_t p = 0; p < SW_ARRAY_SIZE(phones); p++)
			for (uint32_t l = 0; l < 2; l++) {
				struct sw_line_info li, slow;
				struct sw_account_cfg copy;

				CU_ASSERT_EQUAL_FATAL(
				        sw_config_line(c, 0, 1, phones[p] * 2 + l, &li), 0);
				copy = *li.cfg;
				memset(copy.ident, 0, sizeof(copy.ident));
				slow = li;
				slow.cfg = &copy;
				for (size_t i = 0; i < SW_IDENT_MAX; i++) {
					if (li.cfg->ident[i].src != NULL)
						fast++;
					else
						whole++;
				}
				for (size_t i = 0; i < SW_ARRAY_SIZE(f); i++)
					for (size_t cap = 0; cap < 80; cap++) {
						int x = sw_config_ident(c, &li, f[i], a, cap);
						int y = sw_config_ident(c, &slow, f[i], b, cap);

						CU_ASSERT_EQUAL(x, y);
						if (x >= 0 && y >= 0)
							CU_ASSERT_STRING_EQUAL(a, b);
					}
			}
		sw_config_free(c);
	}
	/* both paths taken: "{phone}-{line}" has two placeholders, read whole */
	CU_ASSERT_TRUE(fast > 0);
	CU_ASSERT_TRUE(whole > 0);
}

static void
test_per_phone_overrides_apply_to_their_range_only(void)
{
	char body[1024], buf[64];
	int rc;
	struct sw_config *c;
	struct sw_line_info a, b, d;

	snprintf(body, sizeof(body),
	         "%sswarm.phones = 10\n"
	         "override.3-4.account.1.password = special\n"
	         "override.3-4.account.1.sip_server.1.retry_counts = 7\n",
	         base);
	c = parse(body, &rc);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL_FATAL(sw_config_finish(c), 0);
	sw_config_line(c, 0, 1, 1, &a); /* phone 2 */
	sw_config_line(c, 0, 1, 2, &b); /* phone 3 */
	sw_config_line(c, 0, 1, 3, &d); /* phone 4 */
	sw_config_ident(c, &a, SW_IDENT_PASSWORD, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "pw-2-1");
	sw_config_ident(c, &b, SW_IDENT_PASSWORD, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "special");
	CU_ASSERT_EQUAL(a.cfg->server[0].retry_counts, 3);
	CU_ASSERT_EQUAL(b.cfg->server[0].retry_counts, 7);
	CU_ASSERT_PTR_EQUAL(b.cfg, d.cfg);
	CU_ASSERT_EQUAL(b.variant, 1);
	sw_config_free(c);
	snprintf(body, sizeof(body), "%soverride.2.swarm.phones = 3\n", base);
	CU_ASSERT_STRING_EQUAL(error_of(body), "t.cfg:7: override.2.swarm.phones: only account.* "
	                                       "keys can be overridden per phone");
	snprintf(body, sizeof(body), "%soverride.2.account.1.sip_server.1.retry_counts = 99\n",
	         base);
	CU_ASSERT_STRING_EQUAL(error_of(body), "t.cfg:7: account.1.sip_server.1.retry_counts = 99: "
	                                       "out of range 0..20");
}

static void
test_an_account_above_the_model_limit_is_an_error(void)
{
	char body[1024];

	snprintf(body, sizeof(body),
	         "%saccount.2.enable = 1\naccount.2.sip_server.1.address = x\n"
	         "swarm.model = T19P_E2\n",
	         base);
	CU_ASSERT_STRING_EQUAL(error_of(body), "configuration: account.2 is enabled but the model "
	                                       "T19P_E2 has 1 line");
	snprintf(body, sizeof(body), "%sswarm.model = T99\n", base);
	CU_ASSERT_PTR_NOT_NULL(strstr(error_of(body), "swarm.model = T99: unknown model"));
	CU_ASSERT_STRING_EQUAL(error_of("account.1.enable = 1\n"),
	                       "configuration: account.1.sip_server.1.address is blank: a line "
	                       "needs a server");
	CU_ASSERT_STRING_EQUAL(error_of(""), "configuration: no account is enabled "
	                                     "(account.X.enable = 1)");
	snprintf(body, sizeof(body), "%saccount.1.label = {pho}\n", base);
	CU_ASSERT_PTR_NOT_NULL(strstr(error_of(body), "malformed placeholder"));
}

static void
test_later_files_override_earlier_ones(void)
{
	struct sw_config *c = sw_config_new();
	const char *a = "#!version:1.0.0.1\naccount.1.sip_server.1.expires = 60\n";
	const char *b = "#!version:1.0.0.1\naccount.1.sip_server.1.expires = 120\n";

	CU_ASSERT_EQUAL(sw_config_parse(c, "a.cfg", a, strlen(a)), 0);
	CU_ASSERT_EQUAL(sw_config_parse(c, "b.cfg", b, strlen(b)), 0);
	CU_ASSERT_EQUAL(sw_config_account(c, 1)->server[0].expires, 120);
	CU_ASSERT_EQUAL(sw_config_load_file(c, "/nonexistent/x.cfg"), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(sw_config_error(c)->msg, "cannot open"));
	sw_config_free(c);
}

static const struct sw_test_case config_cases[] = {
        {"every key has the default of the guide", test_every_key_has_the_default_of_the_guide},
        {"every key takes effect", test_every_key_takes_effect},
        {"out-of-range values name file, line, key, value and range",
         test_out_of_range_values_name_file_line_key_value_and_range},
        {"a long address is refused with its length",
         test_a_long_address_is_refused_with_its_length},
        {"the header must come first", test_the_header_must_come_first},
        {"unknown keys are warned about once", test_unknown_keys_are_warned_about_once},
        {"failback_timeout 1..59 means 60 and 0 means never",
         test_failback_timeout_1_to_59_means_60_and_0_means_never},
        {"firmware 80 proxy names are aliases of proxy 1 and 2",
         test_firmware_80_proxy_names_are_aliases_of_proxy_1_and_2},
        {"the static cache examples of the guide parse",
         test_the_static_cache_examples_of_the_guide_parse},
        {"lines expand from templates by reference to shared settings",
         test_lines_expand_from_templates_by_reference_to_shared_settings},
        {"per-phone overrides apply to their range only",
         test_per_phone_overrides_apply_to_their_range_only},
        {"identities are formatted as printf would", test_identities_are_formatted_as_printf_would},
        {"identities taken apart at finish equal the templates read whole",
         test_identities_taken_apart_at_finish_equal_the_templates_read_whole},
        {"an account above the model limit is an error",
         test_an_account_above_the_model_limit_is_an_error},
        {"later files override earlier ones", test_later_files_override_earlier_ones},
        {NULL, NULL},
};

static const struct sw_test_suite suite_config = {"config", NULL, NULL, config_cases};

const struct sw_test_suite *const sw_test_suites[] = {&suite_config, NULL};
