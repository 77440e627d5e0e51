/* SPDX-License-Identifier: BSD-3-Clause */
/* The Authorization parser: RFC 2617 forms, quoting, folding, limits and hostile values. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cluster_private.h"
#include "test_cluster.h"

#define SLICE_IS(s, lit) ((s).len == sizeof(lit) - 1 && memcmp((s).p, lit, (s).len) == 0)

static void
test_a_full_digest_response_is_parsed(void)
{
	static const char v[] =
	        "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
	        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, "
	        "nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", "
	        "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", algorithm=MD5";
	struct sw_cluster_credentials cr;

	CU_ASSERT_EQUAL_FATAL(sw_cluster_credentials_parse(&cr, v, sizeof(v) - 1), 0);
	CU_ASSERT_TRUE(SLICE_IS(cr.username, "Mufasa"));
	CU_ASSERT_TRUE(SLICE_IS(cr.realm, "testrealm@host.com"));
	CU_ASSERT_TRUE(SLICE_IS(cr.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093"));
	CU_ASSERT_TRUE(SLICE_IS(cr.uri, "/dir/index.html"));
	CU_ASSERT_TRUE(SLICE_IS(cr.qop, "auth"));
	CU_ASSERT_TRUE(SLICE_IS(cr.nc, "00000001"));
	CU_ASSERT_TRUE(SLICE_IS(cr.cnonce, "0a4f113b"));
	CU_ASSERT_TRUE(SLICE_IS(cr.response, "6629fae49393a05397450978507c4ef1"));
	CU_ASSERT_TRUE(SLICE_IS(cr.opaque, "5ccc069c403ebaf9f0171e9517f40e41"));
	CU_ASSERT_TRUE(SLICE_IS(cr.algorithm, "MD5"));
}

static void
test_names_are_case_insensitive_and_spacing_is_free(void)
{
	static const char v[] = "  dIgEsT\r\n USERNAME = \"u\" ,Realm=\"r\",\tNONCE=\"n\" , "
	                        "URI=\"sip:d\",\r\n\tResponse=\"x\",qop=\"auth\",nc=1,cnonce=c,"
	                        "foo=bar, baz=\"q,\\\"x\"";
	struct sw_cluster_credentials cr;

	CU_ASSERT_EQUAL_FATAL(sw_cluster_credentials_parse(&cr, v, sizeof(v) - 1), 0);
	CU_ASSERT_TRUE(SLICE_IS(cr.username, "u"));
	CU_ASSERT_TRUE(SLICE_IS(cr.uri, "sip:d"));
	CU_ASSERT_TRUE(SLICE_IS(cr.qop, "auth"));
	CU_ASSERT_TRUE(SLICE_IS(cr.cnonce, "c"));
	CU_ASSERT_EQUAL(cr.opaque.len, 0);
}

static void
test_other_schemes_and_broken_values_are_refused(void)
{
	static const struct {
		const char *v;
		int rc;
	} cases[] = {
	        {"", -EPROTONOSUPPORT},
	        {"Basic dXNlcjpwYXNz", -EPROTONOSUPPORT},
	        {"Digestusername=\"u\"", -EPROTONOSUPPORT},
	        {"Digest", -EPROTONOSUPPORT},
	        {"Digest ", -EINVAL},
	        {"Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\"", -EINVAL},
	        {"Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", response=\"z",
	         -EINVAL},
	        {"Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", response=z, qop=auth",
	         -EINVAL},
	        {"Digest username=\"u\", username=\"v\", realm=\"r\", nonce=\"n\", uri=\"x\", "
	         "response=z",
	         -EINVAL},
	        {"Digest username=\"u\" realm=\"r\"", -EINVAL},
	        {"Digest username=\"u\",, realm=\"r\"", -EINVAL},
	        {"Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", response=z,",
	         -EINVAL},
	        {"Digest username=", -EINVAL},
	        {"Digest username=\"a\\", -EINVAL},
	        {"Digest =x", -EINVAL},
	        {"Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"x\", response=z", 0},
	};
	struct sw_cluster_credentials cr;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(sw_cluster_credentials_parse(&cr, cases[i].v, strlen(cases[i].v)),
		                cases[i].rc);
}

static void
test_a_value_over_255_characters_is_refused(void)
{
	char v[600];
	struct sw_cluster_credentials cr;
	int n = (int)strlen(strcpy(v, "Digest realm=\"r\", nonce=\""));

	memset(v + n, 'a', 256);
	strcpy(v + n + 256, "\", username=u, uri=x, response=z");
	CU_ASSERT_EQUAL(sw_cluster_credentials_parse(&cr, v, strlen(v)), -E2BIG);
	v[n + 255] = '"';
	v[n + 256] = ' ';
	CU_ASSERT_EQUAL(sw_cluster_credentials_parse(&cr, v, strlen(v)), 0);
	CU_ASSERT_EQUAL(cr.nonce.len, 255);
}

static void
test_the_parser_never_reads_past_its_input(void)
{
	/* every prefix of a valid value, each in a heap block of exactly its size (ASan) */
	static const char v[] = "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:d\", "
	                        "response=\"0123456789abcdef0123456789abcdef\", qop=auth, nc=1, "
	                        "cnonce=\"c\\\"q\"";
	struct sw_cluster_credentials cr;
	int ok = 0;

	for (size_t n = 0; n < sizeof(v); n++) {
		char *b = malloc(n > 0 ? n : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		memcpy(b, v, n);
		ok += sw_cluster_credentials_parse(&cr, b, n) == 0;
		free(b);
	}
	CU_ASSERT_EQUAL(ok, 2); /* the whole value, and the prefix that ends after response */
}

static void
test_the_rfc_2617_example_response_checks(void)
{
	/* RFC 2617 section 3.5: user Mufasa, password "Circle Of Life", GET /dir/index.html */
	static const char v[] =
	        "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
	        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, "
	        "nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", "
	        "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
	static const char pw[] = "Circle Of Life";
	struct sw_cluster_credentials cr;
	char ha1_hex[32], ha2[32];
	uint8_t ha1[16];

	CU_ASSERT_EQUAL_FATAL(sw_cluster_credentials_parse(&cr, v, sizeof(v) - 1), 0);
	sw_sip_digest_ha1(SW_SIP_ALGO_MD5, "Mufasa", 6, "testrealm@host.com", 18, pw,
	                  sizeof(pw) - 1, ha1_hex);
	for (int i = 0; i < 16; i++) {
		unsigned x;
		sscanf(ha1_hex + 2 * i, "%2x", &x);
		ha1[i] = (uint8_t)x;
	}
	sw_sip_digest_ha2(SW_SIP_ALGO_MD5, "GET", 3, "/dir/index.html", 15, ha2);
	CU_ASSERT_TRUE(cl_response_check(ha1, ha2, &cr));
	/* one bit off in the response, or another nc, and it fails */
	{
		char bad[sizeof(v)];
		memcpy(bad, v, sizeof(v));
		*strstr(bad, "7c4ef1") = '5';
		CU_ASSERT_EQUAL_FATAL(sw_cluster_credentials_parse(&cr, bad, sizeof(v) - 1), 0);
		CU_ASSERT_FALSE(cl_response_check(ha1, ha2, &cr));
		memcpy(bad, v, sizeof(v));
		*strstr(bad, "00000001") = '1';
		CU_ASSERT_EQUAL_FATAL(sw_cluster_credentials_parse(&cr, bad, sizeof(v) - 1), 0);
		CU_ASSERT_FALSE(cl_response_check(ha1, ha2, &cr));
	}
}

/*
 * The parser written plainly, one byte at a time (RFC 2617 section 3.2.2 with RFC 3261 LWS):
 * what the vector one must return for every input.
 */
static int
ref_tok(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch != 0 && strchr("-.!%*_+`'~", ch) != NULL);
}

static int
ref_lws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int
ref_parse(struct sw_cluster_credentials *cr, const char *p, size_t len)
{
	static const char *const names[] = {"username",  "realm",  "nonce",  "uri", "response",
	                                    "algorithm", "cnonce", "opaque", "qop", "nc"};
	struct sw_sip_str *slot[] = {&cr->username, &cr->realm,     &cr->nonce,  &cr->uri,
	                             &cr->response, &cr->algorithm, &cr->cnonce, &cr->opaque,
	                             &cr->qop,      &cr->nc};
	const char *end = p + len;
	unsigned seen = 0;

	memset(cr, 0, sizeof(*cr));
	while (p < end && ref_lws(*p))
		p++;
	if (end - p < 6 || strncasecmp(p, "digest", 6) != 0)
		return -EPROTONOSUPPORT;
	p += 6;
	if (p == end || !ref_lws(*p))
		return -EPROTONOSUPPORT;
	for (;;) {
		const char *n, *ne, *v, *ve;
		int idx = -1;

		while (p < end && ref_lws(*p))
			p++;
		for (n = p; p < end && ref_tok(*p); p++)
			;
		ne = p;
		if (ne == n)
			return -EINVAL;
		while (p < end && ref_lws(*p))
			p++;
		if (p == end || *p != '=')
			return -EINVAL;
		for (p++; p < end && ref_lws(*p); p++)
			;
		if (p == end)
			return -EINVAL;
		if (*p == '"') {
			v = ++p;
			for (;;) {
				unsigned bs = 0;
				while (p < end && *p != '"')
					p++;
				if (p == end)
					return -EINVAL;
				for (const char *b = p; b > v && b[-1] == '\\'; b--)
					bs++;
				if (bs % 2 == 0)
					break;
				p++;
			}
			ve = p++;
		} else {
			for (v = p; p < end && ref_tok(*p); p++)
				;
			ve = p;
			if (ve == v)
				return -EINVAL;
		}
		if (ve - v > 255)
			return -E2BIG;
		for (int i = 0; i < 10; i++)
			if (strlen(names[i]) == (size_t)(ne - n) &&
			    strncasecmp(n, names[i], (size_t)(ne - n)) == 0)
				idx = i;
		if (idx >= 0) {
			if (seen & (1u << idx))
				return -EINVAL;
			seen |= 1u << idx;
			*slot[idx] = (struct sw_sip_str){v, (uint32_t)(ve - v)};
		}
		while (p < end && ref_lws(*p))
			p++;
		if (p == end)
			break;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
	if (cr->username.len == 0 || cr->realm.len == 0 || cr->nonce.len == 0 || cr->uri.len == 0 ||
	    cr->response.len == 0)
		return -EINVAL;
	if (cr->qop.len > 0 && (cr->nc.len == 0 || cr->cnonce.len == 0))
		return -EINVAL;
	return 0;
}

static void
test_the_parser_agrees_with_a_plain_one(void)
{
	static const char *const parts[] = {
	        "username=\"u0000001\"",
	        "realm=\"pbx.test\"",
	        "nonce=\"00000000e9152fb8315a526b\"",
	        "uri=\"sip:pbx.test\"",
	        "response=\"bbdf30d516995e70879f34f3074b294e\"",
	        "algorithm=MD5",
	        "qop=auth",
	        "nc=00000001",
	        "cnonce=\"1f4532e1\"",
	        "opaque=\"a\\\"b\"",
	        "USERNAME=x",
	        "Nonce = \"n\"",
	        "x-other=\"\\\\\"",
	        "qop=\"auth\"",
	        "uri=sip:a@b",
	        "realm=",
	        "=v",
	        "nc=1\"",
	        "response=\"0123456789012345678901234567890123456789012345678901"
	        "2345678901234567890123456789012345678901234567890123456789012345678901234567890"
	        "1234567890123456789012345678901234567890123456789012345678901234567890123456789"
	        "0123456789012345678901234567890123456789\"",
	        "cnonce=\"unterminated"};
	static const char *const seps[] = {", ", ",", " , ", ",\r\n ", ",\t", " ", ",,", ", "};
	uint64_t seed = 37;
	unsigned wrong = 0, ok = 0;
	char buf[1500];

	for (unsigned i = 0; i < 100000; i++) {
		struct sw_cluster_credentials a, b;
		size_t n = 0;
		unsigned k = (unsigned)(sw_splitmix64(&seed) % 12);
		char *heap;
		int ra, rb;

		n += (size_t)sprintf(buf, "%s",
		                     i % 50 == 0 ? "Digestx "
		                     : i % 3     ? "Digest "
		                                 : " digest\t");
		for (unsigned j = 0; j < k; j++) {
			uint64_t r = sw_splitmix64(&seed);
			const char *pt = parts[(r % 4 == 0 ? r >> 8 : j) %
			                       (sizeof(parts) / sizeof(parts[0]))];
			if (j > 0) {
				const char *sp = seps[(r >> 16) % 4 == 0 ? (r >> 20) % 8 : 0];
				n += (size_t)sprintf(buf + n, "%s", sp);
			}
			n += (size_t)sprintf(buf + n, "%s", pt);
		}
		if (sw_splitmix64(&seed) % 8 == 0)
			buf[n++] = ' ';
		/* alone in a heap block of its size: a read past it shows under ASan */
		heap = malloc(n + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(heap);
		memcpy(heap, buf, n);
		ra = sw_cluster_credentials_parse(&a, heap, n);
		rb = ref_parse(&b, heap, n);
		wrong += ra != rb || (ra == 0 && memcmp(&a, &b, sizeof(a)) != 0);
		ok += ra == 0;
		free(heap);
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_TRUE(ok > 1000);
}

static const struct sw_test_case cases[] = {
        {"a full digest response is parsed", test_a_full_digest_response_is_parsed},
        {"names are case-insensitive and spacing is free",
         test_names_are_case_insensitive_and_spacing_is_free},
        {"other schemes and broken values are refused",
         test_other_schemes_and_broken_values_are_refused},
        {"a value over 255 characters is refused", test_a_value_over_255_characters_is_refused},
        {"the parser never reads past its input", test_the_parser_never_reads_past_its_input},
        {"the RFC 2617 example response checks", test_the_rfc_2617_example_response_checks},
        {"the parser agrees with a plain one", test_the_parser_agrees_with_a_plain_one},
        {NULL, NULL},
};

const struct sw_test_suite suite_credentials = {"credentials", NULL, NULL, cases};
