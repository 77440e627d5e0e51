/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast paths of the registrar give what the plain ones gave: the header finder against a
 * byte-by-byte reference, the kept nonces against the MAC, the table lookups by a given hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <openssl/md5.h>

#include "cluster_private.h"
#include "test_cluster.h"

/* The header finder as it was before its vector scan: line by line. */
static int
ref_hdr_find(const char *buf, size_t len, const char *full, size_t flen, char compact,
             struct sw_sip_str *value)
{
	struct cl_hdr_it it;
	struct cl_hdr h;

	cl_hdr_begin(&it, buf, len);
	while (it.p < it.end) {
		char f = *it.p;
		if (f >= 'A' && f <= 'Z')
			f = (char)(f + 32);
		if (f == '\r' || f == '\n')
			return 0;
		if (f == full[0] || (compact != 0 && f == compact)) {
			if (!cl_hdr_next(&it, &h))
				return 0;
			if (cl_hdr_is(&h, full, flen, compact)) {
				*value = h.value;
				return 1;
			}
			continue;
		}
		{
			const char *lf = memchr(it.p, '\n', (size_t)(it.end - it.p));
			if (lf == NULL)
				return 0;
			it.p = lf + 1;
		}
	}
	return 0;
}

/* Pieces a generated message is made of: header lines, folds, odd line ends. */
static const char *const pieces[] = {
        "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bKabc\r\n",
        "Authorization: Digest username=\"u\", realm=\"r\"\r\n",
        "authorization:Digest username=\"v\"\r\n",
        "AUTHORIZATION : Digest x=y\r\n",
        "Authorization-Info: nextnonce=\"x\"\r\n",
        "Accept: application/sdp\r\n",
        "Allow: INVITE, ACK\r\n",
        "X-Long: 0123456789012345678901234567890123456789012345678901234567890123456789\r\n",
        " folded continuation\r\n",
        "\tAuthorization: inside a fold\r\n",
        "Max-Forwards: 70\n",
        "a: compact-looking\r\n",
        "Route: <sip:x>\r\n",
        "Authorization\r\n",
        "\r\n",
        "\n",
        "Authorization: after the body\r\n",
        "A",
        "\r",
};

static size_t
gen(char *out, size_t cap, uint64_t *seed)
{
	static const char start[] = "REGISTER sip:d SIP/2.0\r\n";
	size_t n = 0;
	unsigned k = (unsigned)(sw_splitmix64(seed) % 14);

	if (sw_splitmix64(seed) % 8 == 0)
		out[n++] = '\n'; /* a keep-alive before the start line */
	memcpy(out + n, start, sizeof(start) - 1);
	n += sizeof(start) - 1;
	for (unsigned i = 0; i < k; i++) {
		const char *p = pieces[sw_splitmix64(seed) % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t l = strlen(p);
		if (n + l >= cap)
			break;
		memcpy(out + n, p, l);
		n += l;
	}
	/* cut anywhere: the finder must stay inside the datagram */
	if (sw_splitmix64(seed) % 4 == 0 && n > 0)
		n = (size_t)(sw_splitmix64(seed) % n) + 1;
	return n;
}

static void
test_the_header_finder_agrees_with_a_line_by_line_search(void)
{
	uint64_t seed = 7;
	char buf[1024];
	unsigned found = 0, differ = 0;

	for (unsigned i = 0; i < 200000; i++) {
		size_t n = gen(buf, sizeof(buf), &seed);
		/* a heap block of exactly n bytes, so that ASan sees a read past the end */
		char *b = malloc(n);
		struct sw_sip_str v1 = {NULL, 0}, v2 = {NULL, 0};
		int r1, r2;

		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		memcpy(b, buf, n);
		r1 = cl_hdr_find(b, n, "authorization", 13, 0, &v1);
		r2 = ref_hdr_find(b, n, "authorization", 13, 0, &v2);
		if (r1 != r2 || (r1 && (v1.p != v2.p || v1.len != v2.len)))
			differ++;
		found += r1;
		r1 = cl_hdr_find(b, n, "allow", 5, 'a', &v1);
		r2 = ref_hdr_find(b, n, "allow", 5, 'a', &v2);
		if (r1 != r2 || (r1 && (v1.p != v2.p || v1.len != v2.len)))
			differ++;
		free(b);
	}
	CU_ASSERT_EQUAL(differ, 0);
	CU_ASSERT_TRUE(found > 10000); /* the generator does produce the header */
}

static void
test_a_kept_nonce_checks_as_its_mac_does(void)
{
	struct sw_sip_token_key key = {.k0 = 1, .k1 = 2};
	struct cl_nonces n, fresh;
	char a[CL_NONCE_LEN], b[CL_NONCE_LEN], up[CL_NONCE_LEN];
	const uint64_t t0 = TC_NS(1000);

	cl_nonce_init(&n, &key);
	cl_nonce_init(&fresh, &key);
	cl_nonce_make(&n, t0, a);
	cl_nonce_make(&n, t0 + TC_NS(1) / 2, b);
	CU_ASSERT_EQUAL(memcmp(a, b, CL_NONCE_LEN), 0); /* one text per second */
	cl_nonce_make(&n, t0 + TC_NS(1), b);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, CL_NONCE_LEN), 0);
	/* kept (a and b) or not (fresh), the verdicts are the same */
	for (int k = 0; k < 2; k++) {
		const struct cl_nonces *z = k == 0 ? &n : &fresh;
		struct sw_sip_str sa = {a, CL_NONCE_LEN}, sb = {b, CL_NONCE_LEN};
		CU_ASSERT_EQUAL(cl_nonce_check(z, sa, t0 + TC_NS(1), 30), CL_NONCE_OK);
		CU_ASSERT_EQUAL(cl_nonce_check(z, sb, t0 + TC_NS(1), 30), CL_NONCE_OK);
		CU_ASSERT_EQUAL(cl_nonce_check(z, sa, t0 + TC_NS(30), 30), CL_NONCE_OK);
		CU_ASSERT_EQUAL(cl_nonce_check(z, sa, t0 + TC_NS(31), 30), CL_NONCE_STALE);
		/* upper-case hex is the same nonce */
		for (unsigned i = 0; i < CL_NONCE_LEN; i++)
			up[i] = (a[i] >= 'a' && a[i] <= 'f') ? (char)(a[i] - 32) : a[i];
		CU_ASSERT_EQUAL(
		        cl_nonce_check(z, (struct sw_sip_str){up, CL_NONCE_LEN}, t0 + TC_NS(2), 30),
		        CL_NONCE_OK);
		/* one character off, or a prefix: not ours */
		memcpy(up, a, CL_NONCE_LEN);
		up[CL_NONCE_LEN - 1] = up[CL_NONCE_LEN - 1] == '0' ? '1' : '0';
		CU_ASSERT_EQUAL(cl_nonce_check(z, (struct sw_sip_str){up, CL_NONCE_LEN}, t0, 30),
		                CL_NONCE_BAD);
		CU_ASSERT_EQUAL(cl_nonce_check(z, (struct sw_sip_str){a, CL_NONCE_LEN - 1}, t0, 30),
		                CL_NONCE_BAD);
	}
	/* a third second replaces the first one's entry; its nonce still checks by its MAC */
	cl_nonce_make(&n, t0 + TC_NS(2), b);
	CU_ASSERT_EQUAL(cl_nonce_check(&n, (struct sw_sip_str){a, CL_NONCE_LEN}, t0 + TC_NS(2), 30),
	                CL_NONCE_OK);
}

static void
test_lookups_by_a_given_hash_find_what_the_plain_ones_find(void)
{
	struct cl_table t;
	char user[16];

	CU_ASSERT_EQUAL_FATAL(cl_table_init(&t, 100, 0, 99), 0);
	for (unsigned i = 0; i < 100; i++) {
		int n = snprintf(user, sizeof(user), "u%u", i);
		uint32_t h = cl_hash_user(t.key, user, (size_t)n);
		struct cl_binding *b = cl_table_get_h(&t, h, user, (size_t)n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		CU_ASSERT_PTR_EQUAL(cl_table_find(&t, user, (size_t)n), b);
		CU_ASSERT_PTR_EQUAL(cl_table_find_h(&t, h, user, (size_t)n), b);
		CU_ASSERT_PTR_EQUAL(cl_table_get(&t, user, (size_t)n), b);
	}
	CU_ASSERT_EQUAL(t.count, 100);
	CU_ASSERT_PTR_NULL(cl_table_get_h(&t, 5, "new", 3)); /* full */
	CU_ASSERT_PTR_NULL(cl_table_find_h(&t, cl_hash_user(t.key, "new", 3), "new", 3));
	cl_table_fini(&t);
}

static void
test_a_token_ends_where_the_rfc_says(void)
{
	/* RFC 3261 section 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" /
	 * "`" / "'" / "~") */
	static const char specials[] = "-.!%*_+`'~";
	char buf[80];
	unsigned wrong = 0;

	for (unsigned ch = 0; ch < 256; ch++) {
		int tok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		          (ch >= 'A' && ch <= 'Z') ||
		          (ch != 0 && strchr(specials, (int)ch) != NULL);
		for (unsigned at = 0; at < 70; at++) {
			const char *e;
			memset(buf, 'a', sizeof(buf));
			buf[at] = (char)ch;
			e = cl_token_end(buf, buf + sizeof(buf), buf);
			wrong += e != (tok ? buf + sizeof(buf) : buf + at);
			/* and when the input ends before the byte */
			wrong += cl_token_end(buf, buf + at, buf) != buf + at;
			/* from a later start, the bytes before it readable (the last 32 read) */
			for (unsigned from = 1; from <= at; from += 7) {
				e = cl_token_end(buf + from, buf + sizeof(buf), buf);
				wrong += e != (tok ? buf + sizeof(buf) : buf + at);
				e = cl_token_end(buf + from, buf + at + 1, buf);
				wrong += e != (tok ? buf + at + 1 : buf + at);
			}
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
}

static void
test_a_contact_byte_we_could_not_echo_gets_400_wherever_it_is(void)
{
	static struct tc_capture cap;
	struct sw_cluster_cfg cfg;
	struct sw_cluster *c;
	unsigned wrong = 0, answered = 0;

	tc_cfg(&cfg, 1, NULL);
	c = sw_cluster_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (unsigned ch = 1; ch < 256; ch++) {
		int insane = ch <= 0x20 || ch >= 0x7f || ch == '<' || ch == '>' || ch == '"';
		/* in the first 32 bytes of the URI, after them, and near the datagram's end */
		for (unsigned at = 8; at < 70; at += 20) {
			char uri[80], msg[512];
			int n;

			memset(uri, 'x', sizeof(uri));
			memcpy(uri, "sip:1000@", 9);
			uri[at] = (char)ch;
			uri[72] = '\0';
			n = snprintf(msg, sizeof(msg),
			             "REGISTER sip:" TC_DOMAIN " SIP/2.0\r\n"
			             "Via: SIP/2.0/UDP 198.18.0.9:5062;branch=z9hG4bKc%u\r\n"
			             "From: <sip:1000@" TC_DOMAIN ">;tag=f1\r\n"
			             "To: <sip:1000@" TC_DOMAIN ">\r\n"
			             "Call-ID: c-%u\r\n"
			             "CSeq: 1 REGISTER\r\n"
			             "Contact: <%s>\r\n"
			             "\r\n",
			             ch, at, uri);
			tc_feed(c, &cap, TC_NS(1), 1, 5062, 0, msg, (size_t)n);
			if (cap.n == 0)
				continue; /* lib/sip refused it (a line end, a NUL) */
			answered++;
			wrong += (tc_status(&cap, 0) == 400) != insane;
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_TRUE(answered > 600);
	sw_cluster_free(c);
}

/* Which field of cr holds the value "V" (the test's marker), or NULL. */
static const char *
field_with_v(const struct sw_cluster_credentials *cr)
{
	static const char *const names[] = {"username",  "realm",  "nonce",  "uri", "response",
	                                    "algorithm", "cnonce", "opaque", "qop", "nc"};
	const struct sw_sip_str *f[] = {&cr->username, &cr->realm,     &cr->nonce,  &cr->uri,
	                                &cr->response, &cr->algorithm, &cr->cnonce, &cr->opaque,
	                                &cr->qop,      &cr->nc};

	for (unsigned i = 0; i < 10; i++)
		if (f[i]->len == 1 && f[i]->p[0] == 'V')
			return names[i];
	return NULL;
}

static void
test_a_parameter_name_is_known_exactly_in_either_case(void)
{
	static const char *const known[] = {"algorithm", "cnonce", "opaque", "qop", "nc"};
	static const char alphabet[] = "aAcCeEgGhHiIlLmMnNoOpPqQrRtTuUzZ0-_.~";
	unsigned wrong = 0, hits = 0;

	for (unsigned k = 0; k < 5; k++) {
		size_t len = strlen(known[k]);
		for (size_t at = 0; at < len; at++)
			for (const char *a = alphabet; *a != '\0'; a++)
				for (int quoted = 0; quoted < 2; quoted++) {
					struct sw_cluster_credentials cr;
					char name[16], v[160], lower[16];
					const char *f;
					int n, same;

					memcpy(name, known[k], len + 1);
					name[at] = *a;
					for (size_t i = 0; i <= len; i++)
						lower[i] = (char)((name[i] >= 'A' && name[i] <= 'Z')
						                          ? name[i] + 32
						                          : name[i]);
					same = strcmp(lower, known[k]) == 0;
					/* last, so that the word read meets the value's end */
					n = snprintf(v, sizeof(v),
					             "Digest username=u, realm=r, nonce=n, uri=s, "
					             "response=z, cnonce=c, nc=1, %s=%s",
					             name, quoted ? "\"V\"" : "V");
					if (sw_cluster_credentials_parse(&cr, v, (size_t)n) != 0) {
						/* cnonce and nc given twice */
						wrong += !(same && (k == 1 || k == 4));
						continue;
					}
					f = field_with_v(&cr);
					hits += f != NULL;
					wrong += same ? (f == NULL || strcmp(f, known[k]) != 0)
					              : f != NULL;
				}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_TRUE(hits > 10);
}

/* The password rule expanded the plain way: every "{user}" from the left replaced. */
static size_t
ref_ha1_input(const char *user, const char *realm, const char *rule, char *out)
{
	size_t n = (size_t)sprintf(out, "%s:%s:", user, realm);

	for (const char *r = rule; *r != '\0';) {
		if (strncmp(r, "{user}", 6) == 0) {
			n += (size_t)sprintf(out + n, "%s", user);
			r += 6;
		} else {
			out[n++] = *r++;
		}
	}
	return n;
}

static void
test_a_users_ha1_is_the_md5_of_its_rule_expanded(void)
{
	static const char *const rules[] = {
	        "",
	        "pw{user}",
	        "fixed",
	        "{user}",
	        "{user}{user}",
	        "a{user}b{user}c",
	        "{use",
	        "{user",
	        "{{user}}",
	        "x{USER}",
	        "{user}{user}{user}{user}{user}{user}{user}{user}{user}{user}{user}{user}"};
	static const char *const users[] = {"a", "bob", "u0000001", "123456",
	                                    "0123456789abcdef0123456789abcdef"};
	unsigned blocks = 0;

	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		struct sw_cluster_cfg cfg;
		struct sw_cluster *c;

		tc_cfg(&cfg, 1, NULL);
		cfg.password_rule = rules[r];
		c = sw_cluster_new(&cfg);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		for (size_t u = 0; u < sizeof(users) / sizeof(users[0]); u++) {
			struct sw_sip_str us = {users[u], (uint32_t)strlen(users[u])};
			char want_in[CL_HA1_INPUT];
			uint8_t in[CL_HA1_INPUT], md[16], want[16];
			size_t n = ref_ha1_input(users[u], TC_REALM, rules[r], want_in);

			CU_ASSERT_EQUAL(cl_ha1_len(c, us.len), n);
			CU_ASSERT_EQUAL(cl_ha1_input(c, us, in), n);
			CU_ASSERT_EQUAL(memcmp(in, want_in, n), 0);
			MD5((const unsigned char *)want_in, n, want);
			cl_ha1(c, us, md);
			CU_ASSERT_EQUAL(memcmp(md, want, 16), 0);
			/* the one-block input by fixed-size copies, where the rule allows it */
			if (c->ha1_split && n + 9 <= 64) {
				uint8_t blk[64], ref[64];
				char user[64];

				memset(user, '#', sizeof(user));
				memcpy(user, users[u], us.len);
				memcpy(ref, want_in, n);
				cl_md5_pad_into(ref, 64, n);
				memset(blk, 0xa5, sizeof(blk));
				cl_ha1_block(c, (struct sw_sip_str){user, us.len}, n, blk);
				CU_ASSERT_EQUAL(memcmp(blk, ref, 64), 0);
				blocks++;
			}
		}
		sw_cluster_free(c);
	}
	CU_ASSERT_TRUE(blocks > 10);
}

/* Pieces of Authorization values: the usual form, its near misses and the odd ones. */
static const char *const cred_pieces[] = {
        "username=\"u0000001\"",
        "realm=\"pbx.test\"",
        "nonce=\"00000000e9152fb8315a526b\"",
        "uri=\"sip:pbx.test\"",
        "response=\"ba8c2a01c17b78fcb92cedad3713d9f1\"",
        "algorithm=MD5",
        "qop=auth",
        "nc=00000001",
        "cnonce=\"747ea2ea\"",
        "opaque=\"x\"",
        "USERNAME=\"U\"",
        "Realm=r",
        "nonce=\"a\\\"b\"",
        "uri=\"a\\\\\"",
        "cnonce=\"\"",
        "response=\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"",
        "foo=bar",
        "x=\"y\"",
        "nc =1",
        "qop= auth",
        "qop=\"auth\"",
        "nc=",
        "=x",
        "nonce",
        "algorithm=\"MD5\"",
        "username=\"a,b\"",
        "realm=\"r\"\r\n ",
        "uri=<sip:x>",
        "response=\"\x80\"",
        "nc=0000000000000000000000000000000000000001",
        "opaque=\"\\\"",
        "opaque=\"\\\\\"",
};
static const char *const cred_seps[] = {", ", ",", " , ", ",  ", "\r\n\t,", "", ", \t", ";"};

static int
same_slice(struct sw_sip_str a, struct sw_sip_str b)
{
	return a.len == b.len && (a.len == 0 || a.p == b.p);
}

static void
test_the_credentials_fast_path_parses_as_the_slow_one(void)
{
	static const char *const heads[] = {"Digest ", "digest ",  "Digest  ", "Digest\t",
	                                    "Digest",  " Digest ", "Basic "};
	uint64_t seed = 41;
	unsigned wrong = 0, ok = 0;

	for (unsigned iter = 0; iter < 60000; iter++) {
		char buf[1024];
		struct sw_cluster_credentials a, b;
		size_t n = 0, tail;
		unsigned k = 9 + (unsigned)(sw_splitmix64(&seed) % 2), order[10];
		int ra, rb;

		/* the usual ten in some order, now and then one of them another piece */
		for (unsigned i = 0; i < 10; i++)
			order[i] = i;
		if (iter % 2 == 1)
			for (unsigned i = 9; i > 0; i--) {
				unsigned j = (unsigned)(sw_splitmix64(&seed) % (i + 1)),
				         t = order[i];
				order[i] = order[j];
				order[j] = t;
			}

		/* mostly the usual head, the usual separator and the usual parameters */
		n += (size_t)sprintf(
		        buf, "%s",
		        sw_splitmix64(&seed) % 4 != 0 ? heads[0] : heads[sw_splitmix64(&seed) % 7]);
		for (unsigned i = 0; i < k; i++) {
			uint64_t r = sw_splitmix64(&seed);
			const char *pc =
			        r % 12 != 0 ? cred_pieces[order[i]] : cred_pieces[(r >> 8) % 32];
			const char *sep = (r >> 20) % 5 != 0 ? ", " : cred_seps[(r >> 24) % 8];

			if (n + strlen(pc) + strlen(sep) + 1 > 700)
				break;
			if (i > 0)
				n += (size_t)sprintf(buf + n, "%s", sep);
			n += (size_t)sprintf(buf + n, "%s", pc);
		}
		/* the datagram goes on after the value (or ends with it) */
		tail = (size_t)(sw_splitmix64(&seed) % 80);
		{
			static const char after[128] =
			        "\r\nExpires: 3600\r\nUser-Agent: sipswarm\r\n"
			        "Content-Length: 0\r\n\r\n\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"";
			static const char tokens[128] =
			        "0123456789abcdef-.!%*_+`'~0123456789abcdef"
			        "0123456789abcdef0123456789abcdef0123456789";
			/* after a token value, token characters: its end is the value's */
			memcpy(buf + n, iter % 4 == 3 ? tokens : after, 80);
		}
		/* sometimes a cut value */
		if (sw_splitmix64(&seed) % 8 == 0 && n > 0)
			n = (size_t)(sw_splitmix64(&seed) % n);
		{
			char *heap = malloc(n + tail + 1);
			CU_ASSERT_PTR_NOT_NULL_FATAL(heap);
			memcpy(heap, buf, n + tail);
			ra = cl_credentials_parse_in(&a, heap, n, heap + n + tail);
			rb = cl_credentials_parse_slow(&b, heap, n);
			wrong += ra != rb;
			if (ra == 0 && rb == 0) {
				ok++;
				wrong += !same_slice(a.username, b.username) ||
				         !same_slice(a.realm, b.realm) ||
				         !same_slice(a.nonce, b.nonce) ||
				         !same_slice(a.uri, b.uri) ||
				         !same_slice(a.response, b.response) ||
				         !same_slice(a.algorithm, b.algorithm) ||
				         !same_slice(a.cnonce, b.cnonce) ||
				         !same_slice(a.opaque, b.opaque) ||
				         !same_slice(a.qop, b.qop) || !same_slice(a.nc, b.nc);
			}
			/* the public parser (no bytes after the value) too */
			ra = sw_cluster_credentials_parse(&a, heap, n);
			wrong += ra != rb;
			free(heap);
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_TRUE(ok > 1000);
}

/* The response's input by 32-byte copies is cl_response_input()'s. */
static void
test_the_response_input_by_fixed_copies_is_the_plain_one(void)
{
	static const char v[] = "Digest username=\"u0000001\", realm=\"pbx.test\", "
	                        "nonce=\"00000000e9152fb8315a526b\", uri=\"sip:pbx.test\", "
	                        "response=\"ba8c2a01c17b78fcb92cedad3713d9f1\", algorithm=MD5, "
	                        "qop=auth, nc=00000001, cnonce=\"747ea2ea\"\r\nExpires: 3600\r\n"
	                        "User-Agent: sipswarm\r\nContent-Length: 0\r\n\r\n";
	static const char v2[] = "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"s\", "
	                         "response=\"x\"\r\n                                        ";
	const char *vs[] = {v, v2};
	uint8_t ha1[16], fast[CL_RESPONSE_BUF + 32], ref[CL_RESPONSE_BUF];
	char ha2[32];

	for (unsigned i = 0; i < 16; i++)
		ha1[i] = (uint8_t)(i * 37 + 5);
	memset(ha2, 'h', sizeof(ha2));
	for (unsigned i = 0; i < 2; i++) {
		struct sw_cluster_credentials cr;
		size_t n = (size_t)(strchr(vs[i], '\r') - vs[i]), k;

		CU_ASSERT_EQUAL_FATAL(cl_credentials_parse_slow(&cr, vs[i], n), 0);
		k = cl_response_input_fast(ha1, ha2, &cr, vs[i] + strlen(vs[i]), fast);
		CU_ASSERT_NOT_EQUAL(k, 0);
		CU_ASSERT_EQUAL(k, cl_response_input(ha1, ha2, &cr, ref));
		CU_ASSERT_EQUAL(memcmp(fast, ref, k), 0);
		/* without 32 readable bytes after a field: not by this path */
		CU_ASSERT_EQUAL(cl_response_input_fast(ha1, ha2, &cr, cr.nonce.p + 31, fast), 0);
	}
}

static void
test_the_one_load_uri_readers_agree_with_the_plain_ones(void)
{
	static const char *const uri_pieces[] = {
	        "<",       ">",   ";",           "?",          "@",     ":",      "sip:",
	        "SIPS:",   "sip", "u1",          "198.18.0.1", ":5060", "a",      " ",
	        "\"",      "1.",  "0001.",       "256",        "255.",  ":65536", ":0",
	        ":005060", "9",   "198.18.0.10", "198.19.3.04"};
	static const char *const whole[] = {"<sip:u0000001@pbx.test>",
	                                    "sip:u1@198.18.0.1:5062",
	                                    "\"Bob\" <sips:bob:pw@198.18.0.1>;tag=x",
	                                    "<sip:@x>",
	                                    "sip:a@198.19.3.4;transport=udp",
	                                    "<sip:a;b@c>",
	                                    "sip:b@0198.19.3.4:5060",
	                                    "sip:c@198.19.3.4:005060",
	                                    "sip:198.19.3.4:65535;x",
	                                    "sip:d@198.19.3.256",
	                                    "<sip:e@255.255.255.255:1>",
	                                    "sip:f@198.19.3.4:0123456"};
	uint64_t seed = 17;
	unsigned wrong = 0, users = 0, ips = 0;
	char buf[96];

	for (unsigned i = 0; i < 200000; i++) {
		struct sw_sip_str s, u1 = {NULL, 0}, u2 = {NULL, 0};
		uint32_t ip1 = 0, ip2 = 0;
		uint16_t pt1 = 0, pt2 = 0;
		size_t n = 0;
		int r1, r2;

		memset(buf, 'z', sizeof(buf));
		if (i % 4 == 0) {
			const char *w = whole[sw_splitmix64(&seed) % SW_ARRAY_SIZE(whole)];
			n = strlen(w);
			memcpy(buf, w, n);
		} else {
			unsigned k = 1 + (unsigned)(sw_splitmix64(&seed) % 9);
			for (unsigned j = 0; j < k; j++) {
				const char *pc = uri_pieces[sw_splitmix64(&seed) %
				                            SW_ARRAY_SIZE(uri_pieces)];
				size_t l = strlen(pc);
				if (n + l > 40)
					break;
				memcpy(buf + n, pc, l);
				n += l;
			}
		}
		s = (struct sw_sip_str){buf, (uint32_t)n};
		r1 = cl_uri_user(s, &u1);
		r2 = cl_uri_user_in(s, buf + sizeof(buf), &u2);
		wrong += r1 != r2 || (r1 == 0 && (u1.p != u2.p || u1.len != u2.len));
		users += r1 == 0;
		r1 = cl_uri_ipv4(s, &ip1, &pt1);
		r2 = cl_uri_ipv4_in(s, buf + sizeof(buf), &ip2, &pt2);
		wrong += r1 != r2 || (r1 == 0 && (ip1 != ip2 || pt1 != pt2));
		ips += r1 == 0;
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_TRUE(users > 1000 && ips > 1000);
}

static void
test_a_case_insensitive_comparison_folds_letters_only(void)
{
	static const char alpha[] = "aAzZmM@[`{-:0\r\x80\xc1\xe1";
	static const char lits[] = "az-:0{`@m";
	uint64_t seed = 23;
	unsigned wrong = 0, same = 0;

	for (unsigned i = 0; i < 200000; i++) {
		char lit[24], str[24];
		size_t n = (size_t)(sw_splitmix64(&seed) % 21);
		int want = 1;

		for (size_t j = 0; j < n; j++) {
			uint64_t r = sw_splitmix64(&seed);
			lit[j] = lits[r % (sizeof(lits) - 1)];
			/* mostly the literal in either case, sometimes any byte */
			if ((r >> 8) % 4 != 0)
				str[j] = (lit[j] >= 'a' && lit[j] <= 'z' && (r >> 16) % 2)
				                 ? (char)(lit[j] - 32)
				                 : lit[j];
			else
				str[j] = alpha[(r >> 16) % (sizeof(alpha) - 1)];
			{
				char ch = str[j];
				if (ch >= 'A' && ch <= 'Z')
					ch = (char)(ch + 32);
				want &= ch == lit[j];
			}
		}
		wrong += cl_ieq((struct sw_sip_str){str, (uint32_t)n}, lit, n) != want;
		wrong += n > 0 && cl_ieq((struct sw_sip_str){str, (uint32_t)n - 1}, lit, n);
		same += want;
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_TRUE(same > 1000);
}

/* Every answer of every server for msg (of n bytes, alone in a heap block of its size) is
 * what sw_sip_build() gives; @return the number of answers compared. */
static unsigned
answers_agree(struct sw_cluster *c, const char *msg, size_t n, uint64_t *seed, unsigned *wrong)
{
	static char fast[SW_SIP_MSG_MAX + 2048], ref[SW_SIP_MSG_MAX + 2048];
	char *buf = malloc(n), tag[12];
	struct sw_sip_msg m;
	unsigned done = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	memcpy(buf, msg, n);
	if (sw_sip_parse(&m, buf, n,
	                 SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS) ==
	    SW_SIP_OK) {
		cl_to_tag(c, &m, tag);
		for (unsigned i = 0; i < c->n_servers; i++) {
			for (unsigned t = 0; t < T_COUNT; t++) {
				struct sw_sip_vars v, *vp = NULL;
				size_t k;
				int r;

				/* a challenge always has its realm and nonce (challenge()) */
				if (t <= T_401_STALE || sw_splitmix64(seed) % 4 != 0) {
					memset(&v, 0, sizeof(v));
					v.s[SW_SIP_V_REALM] =
					        (struct sw_sip_cstr){c->realm, c->realm_len};
					cl_nonce_make(&c->nonces, TC_NS(1000), c->nonce_d.nonce);
					v.digest = &c->nonce_d;
					v.s[SW_SIP_V_REMOTE_TARGET] = (struct sw_sip_cstr){
					        m.contact_uri.p, m.contact_uri.len};
					v.n[SW_SIP_N_EXPIRES] =
					        (uint32_t)(sw_splitmix64(seed) >>
					                   (sw_splitmix64(seed) % 64));
					vp = &v;
				}
				k = cl_answer_build(c, &c->srv[i], (enum cl_tmpl)t, &m, tag, vp,
				                    buf + n, fast);
				r = cl_answer_ref(c, &c->srv[i], (enum cl_tmpl)t, &m, tag, vp, ref,
				                  sizeof(ref));
				*wrong += r < 0 || (size_t)r != k || memcmp(fast, ref, k) != 0;
				done++;
			}
		}
	}
	free(buf);
	return done;
}

static void
test_an_answer_is_what_its_lib_sip_template_builds(void)
{
	static const char *const extra[] = {
	        "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bKx1\r\n",
	        "v: SIP/2.0/UDP 198.18.0.2;branch=z9hG4bKx2;received=198.19.3.4\r\n",
	        "Via: SIP/2.0/UDP 198.18.0.3:5070;branch=z9hG4bK0123456789012345678901234567890123456789"
	        "0123456789\r\n",
	        "X-Pad: " /* a long header in between */
	        "012345678901234567890123456789012345678901234567890123456789\r\n",
	};
	struct sw_cluster_cfg cfg;
	struct sw_cluster *c;
	uint64_t seed = 29;
	unsigned wrong = 0, done = 0;
	char msg[2048], var[4096];

	tc_cfg(&cfg, 3, NULL);
	strcpy(cfg.server[2].name, "a-server-name-of-thirty-one-ch");
	cfg.realm = "a.realm.that.is.rather.long.for.a.realm.but.allowed.example.test";
	c = sw_cluster_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (unsigned i = 0; i < 300; i++) {
		struct tc_phone p;
		char user[24];
		int n;
		size_t len, cut;
		char *at;

		snprintf(user, sizeof(user), i % 5 == 0 ? "user-%u-with-a-long-name" : "%u", i);
		tc_phone_init(&p, user, i);
		n = i % 7 == 6 ? (int)tc_options_len
		               : tc_phone_register_msg(&p, i * 37, msg, sizeof(msg));
		if (i % 7 == 6)
			memcpy(msg, tc_options, tc_options_len);
		CU_ASSERT_TRUE_FATAL(n > 0);
		len = (size_t)n;
		done += answers_agree(c, msg, len, &seed, &wrong);
		/* variants: more Vias (beyond those kept), a To tag, LF line ends, the datagram
		 * ending right after the body's empty line or inside a long last header */
		at = strstr(msg, "\r\n") + 2;
		cut = (size_t)(at - msg);
		memcpy(var, msg, cut);
		for (unsigned k = 0, e = (unsigned)(sw_splitmix64(&seed) % 6); k < e; k++) {
			const char *x = extra[sw_splitmix64(&seed) % 4];
			memcpy(var + cut, x, strlen(x));
			cut += strlen(x);
		}
		memcpy(var + cut, at, len - (size_t)(at - msg));
		len = cut + len - (size_t)(at - msg);
		done += answers_agree(c, var, len, &seed, &wrong);
		{
			char *to = strstr(var, "\r\nTo: ");
			if (to != NULL) {
				char *eol = strstr(to + 2, "\r\n");
				memmove(eol + 8, eol, len - (size_t)(eol - var));
				memcpy(eol, ";tag=abc", 8);
				len += 8;
				done += answers_agree(c, var, len, &seed, &wrong);
			}
		}
		{
			/* bare LF line ends */
			size_t w = 0;
			for (size_t r = 0; r < len; r++)
				if (!(var[r] == '\r' && r + 1 < len && var[r + 1] == '\n'))
					var[w++] = var[r];
			done += answers_agree(c, var, w, &seed, &wrong);
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_TRUE(done > 10000);
	sw_cluster_free(c);
}

static void
test_the_to_tag_is_a_keyed_hash_of_call_id_and_cseq(void)
{
	struct sw_cluster_cfg cfg;
	struct sw_cluster *c;
	uint64_t seed = 31;
	unsigned unstable = 0, not_hex = 0, same_for_other_id = 0, same_for_other_cseq = 0;
	char id[48];

	tc_cfg(&cfg, 1, NULL);
	c = sw_cluster_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (unsigned i = 0; i < 5000; i++) {
		struct sw_sip_msg m;
		char a[12], b[12], d[12];

		memset(&m, 0, sizeof(m));
		m.cseq = (uint32_t)sw_splitmix64(&seed);
		m.call_id = (struct sw_sip_str){id, (uint32_t)(i % 41 + 1)};
		for (unsigned k = 0; k < m.call_id.len; k++)
			id[k] = (char)(sw_splitmix64(&seed) % 94 + 33);
		cl_to_tag(c, &m, a);
		cl_to_tag(c, &m, b);
		/* a retransmission gets the same tag */
		unstable += memcmp(a, b, 12) != 0;
		for (int k = 0; k < 12; k++)
			not_hex += !((a[k] >= '0' && a[k] <= '9') || (a[k] >= 'a' && a[k] <= 'f'));
		/* any one byte of the Call-ID, or the CSeq, changes it (48 bits: a collision in
		 * these 10,000 pairs would be a one in ten billion chance) */
		unsigned at = (unsigned)(sw_splitmix64(&seed) % m.call_id.len);

		id[at] = (char)(id[at] == '~' ? '!' : id[at] + 1);
		cl_to_tag(c, &m, d);
		same_for_other_id += memcmp(a, d, 12) == 0;
		id[at] = (char)(id[at] == '!' ? '~' : id[at] - 1);
		m.cseq++;
		cl_to_tag(c, &m, d);
		same_for_other_cseq += memcmp(a, d, 12) == 0;
	}
	CU_ASSERT_EQUAL(unstable, 0);
	CU_ASSERT_EQUAL(not_hex, 0);
	CU_ASSERT_EQUAL(same_for_other_id, 0);
	CU_ASSERT_EQUAL(same_for_other_cseq, 0);
	sw_cluster_free(c);
}

static void
test_the_fixed_size_md5_padding_is_the_padding(void)
{
	for (size_t cap = 64; cap <= 128; cap += 64)
		for (size_t n = cap == 64 ? 0 : 56; n + 9 <= cap; n++) {
			/* every n whose padding is cap bytes: 0..55 in one block, 56..119 in two */
			uint8_t a[128], b[128];

			memset(a, 0xa5, sizeof(a));
			memset(b, 0x5a, sizeof(b));
			memset(a, 'm', n);
			memset(b, 'm', n);
			CU_ASSERT_EQUAL(cl_md5_pad(a, n), cap / 64);
			cl_md5_pad_into(b, cap, n);
			CU_ASSERT_EQUAL(memcmp(a, b, cap), 0);
		}
}

static void
test_eight_lane_md5_equals_openssl(void)
{
	uint64_t seed = 11;

	for (unsigned nblk = 1; nblk <= 3; nblk++) {
		uint8_t buf[8][192], md[8][16], want[16];
		const uint8_t *in[8];
		size_t len[8];

		for (unsigned l = 0; l < 8; l++) {
			/* the longest message that still pads into nblk blocks, less a little */
			len[l] = nblk * 64 - 9 - (size_t)(sw_splitmix64(&seed) % 20);
			for (size_t i = 0; i < len[l]; i++)
				buf[l][i] = (uint8_t)sw_splitmix64(&seed);
			CU_ASSERT_EQUAL(cl_md5_pad(buf[l], len[l]), nblk);
			in[l] = buf[l];
		}
		cl_md5x8(in, nblk, md);
		for (unsigned l = 0; l < 8; l++) {
			MD5(buf[l], len[l], want); /* the pad is after len[l]: not hashed here */
			CU_ASSERT_EQUAL(memcmp(md[l], want, 16), 0);
			cl_md5_blocks(buf[l], nblk, md[l]);
			CU_ASSERT_EQUAL(memcmp(md[l], want, 16), 0);
		}
	}
}

/* Everything a cluster emitted, back to back, with the datagram fields. */
struct rec {
	size_t n;
	unsigned count;
	char buf[1u << 20];
};

static void
rec_emit(void *arg, const struct sw_cluster_dgram *d)
{
	struct rec *r = arg;
	struct sw_cluster_dgram h = *d;

	h.data = NULL;
	if (r->n + sizeof(h) + d->len > sizeof(r->buf))
		abort();
	memcpy(r->buf + r->n, &h, sizeof(h));
	memcpy(r->buf + r->n + sizeof(h), d->data, d->len);
	r->n += sizeof(h) + d->len;
	r->count++;
}

#define N_RX 600

/* The datagrams of the comparison: (now, datagram), kept here. */
static struct {
	uint64_t now[N_RX];
	struct sw_cluster_rx rx[N_RX];
	char data[N_RX][1024];
	unsigned n;
} feed;

static void
feed_add(uint64_t now, uint32_t src_ip, uint16_t src_port, unsigned server, const char *p,
         size_t len)
{
	unsigned i = feed.n++;

	if (i >= N_RX || len > sizeof(feed.data[i]))
		abort();
	memcpy(feed.data[i], p, len);
	feed.now[i] = now;
	feed.rx[i] = (struct sw_cluster_rx){.src_ip = src_ip,
	                                    .dst_ip = TC_SERVER_IP(server),
	                                    .src_port = src_port,
	                                    .dst_port = TC_PORT,
	                                    .len = (uint32_t)len,
	                                    .buf = feed.data[i]};
}

/* the two servers of two burst_cluster()s counted alike */
static void
same_stats(struct sw_cluster *a, struct sw_cluster *b)
{
	for (unsigned s = 0; s < 2; s++) {
		struct sw_cluster_server_stats x, y;
		sw_cluster_stats(a, s, &x);
		sw_cluster_stats(b, s, &y);
		CU_ASSERT_EQUAL(memcmp(&x, &y, sizeof(x)), 0);
	}
}

static struct sw_cluster *
burst_cluster(void)
{
	struct sw_cluster_cfg cfg;
	struct sw_cluster *c;

	tc_cfg(&cfg, 2, NULL);
	cfg.max_bindings = 40; /* fills up: 503 for the last lines */
	c = sw_cluster_new(&cfg);
	if (c == NULL ||
	    sw_cluster_fault_add(c, 1, TC_NS(1003), TC_NS(1004), SW_CLUSTER_REJECT_AUTH, 0) != 0 ||
	    sw_cluster_fault_add(c, 0, TC_NS(1005), TC_NS(1006), SW_CLUSTER_DELAY, 100) != 0)
		abort();
	return c;
}

/* REGISTERs of lines, answered by a cluster of their own so that they carry its nonces. */
static void
make_feed(void)
{
	static struct tc_capture cap;
	struct sw_cluster *a = burst_cluster();
	char msg[1024];
	int n;

	feed.n = 0;
	for (unsigned i = 0; i < 50; i++) {
		struct tc_phone p;
		char user[16];
		uint64_t now = TC_NS(1000 + i / 8);
		unsigned server = i % 3 == 0;

		snprintf(user, sizeof(user), "%u", 7000 + i % 45); /* a few lines twice */
		tc_phone_init(&p, user, i);
		if (i % 7 == 3)
			strcpy(p.password, "wrong");
		n = tc_phone_register_msg(&p, 600, msg, sizeof(msg));
		CU_ASSERT_TRUE_FATAL(n > 0);
		feed_add(now, p.ip, p.port, server, msg, (size_t)n);
		cap.n = 0;
		sw_cluster_input(a, now, p.ip, p.port, TC_SERVER_IP(server), TC_PORT, msg,
		                 (size_t)n, tc_emit, &cap);
		if (tc_phone_challenged(&p, &cap, 0) != 0)
			continue;
		n = tc_phone_register_msg(&p, i % 11 == 5 ? 0 : 600, msg, sizeof(msg));
		CU_ASSERT_TRUE_FATAL(n > 0);
		if (i % 13 == 4) /* upper-case hex in the response: still right */
			for (char *r = strstr(msg, "response=\"") + 10; *r != '"'; r++)
				if (*r >= 'a' && *r <= 'f')
					*r = (char)(*r - 32);
		if (i % 17 == 9) /* a nonce of another second */
			memcpy(strstr(msg, "nonce=\"") + 7, "000003e7", 8);
		feed_add(now, p.ip, p.port, server, msg, (size_t)n);
		if (i % 5 == 0) /* retransmitted */
			feed_add(now, p.ip, p.port, server, msg, (size_t)n);
		if (i % 9 == 2) {
			feed_add(now, p.ip, p.port, server, tc_options, tc_options_len);
			feed_add(now, p.ip, p.port, server, "hello", 5);
			feed_add(now, p.ip, p.port, 7, msg, (size_t)n); /* no such server */
			feed_add(now, p.ip, p.port, server, msg, (size_t)n / 2);
		}
	}
	sw_cluster_free(a);
}

static void
test_a_burst_answers_byte_for_byte_as_single_calls(void)
{
	static struct rec one, many;
	uint64_t seed = 3;

	make_feed();
	CU_ASSERT_TRUE_FATAL(feed.n > 100);
	for (unsigned round = 0; round < 4; round++) {
		struct sw_cluster *a = burst_cluster(), *b = burst_cluster();
		unsigned ea = 0, eb = 0;

		one.n = many.n = 0;
		one.count = many.count = 0;
		for (unsigned i = 0; i < feed.n; i++)
			ea += sw_cluster_input(a, feed.now[i], feed.rx[i].src_ip,
			                       feed.rx[i].src_port, feed.rx[i].dst_ip,
			                       feed.rx[i].dst_port, feed.rx[i].buf, feed.rx[i].len,
			                       rec_emit, &one);
		/* bursts of 1 to 40 datagrams of one now (round 0: all of a now at once) */
		for (unsigned i = 0; i < feed.n;) {
			unsigned k = 1;
			while (i + k < feed.n && feed.now[i + k] == feed.now[i] &&
			       (round == 0 || k < 1 + sw_splitmix64(&seed) % 40))
				k++;
			eb += sw_cluster_input_burst(b, feed.now[i], &feed.rx[i], k, rec_emit,
			                             &many);
			i += k;
		}
		ea += sw_cluster_poll(a, TC_NS(2000), rec_emit, &one);
		eb += sw_cluster_poll(b, TC_NS(2000), rec_emit, &many);
		CU_ASSERT_EQUAL(ea, eb);
		CU_ASSERT_EQUAL(one.count, ea);
		CU_ASSERT_EQUAL(many.count, eb);
		CU_ASSERT_EQUAL_FATAL(one.n, many.n);
		CU_ASSERT_EQUAL(memcmp(one.buf, many.buf, one.n), 0);
		same_stats(a, b);
		/* the feed does reach every path */
		{
			struct sw_cluster_server_stats x;
			sw_cluster_stats(a, 0, &x);
			CU_ASSERT_TRUE(x.auth_ok > 10 && x.auth_fail > 0 && x.bad_nonce > 0 &&
			               x.challenges > 10 && x.parse_errors > 0 &&
			               x.unregistered > 0);
			sw_cluster_stats(a, 1, &x);
			CU_ASSERT_TRUE(x.fault_reject_auth > 0);
		}
		CU_ASSERT_TRUE(tc_accounted(b, 2));
		sw_cluster_free(a);
		sw_cluster_free(b);
	}
}

/* A room (sw_cluster_room) of cap bytes, then guard bytes the cluster must never write. */
struct room_sink {
	struct rec *r;
	size_t cap; /* offered; 0: none (room() gives NULL) */
	unsigned in_place, guard_hit;
	char buf[TC_DATA_MAX + 64];
};

static char *
room_offer(void *arg, size_t *cap)
{
	struct room_sink *s = arg;

	if (s->cap == 0)
		return NULL;
	memset(s->buf + s->cap, 0xa5, 64);
	*cap = s->cap;
	return s->buf;
}

static void
room_emit(void *arg, const struct sw_cluster_dgram *d)
{
	struct room_sink *s = arg;

	if (d->data == s->buf) {
		s->in_place++;
		for (unsigned k = 0; k < 64; k++)
			s->guard_hit += (unsigned char)s->buf[s->cap + k] != 0xa5;
	}
	rec_emit(s->r, d);
}

static void
test_answers_built_in_the_callers_room_are_the_same_bytes(void)
{
	/* rooms too small for every answer, for some, for none; none at all */
	static const size_t caps[] = {TC_DATA_MAX, 0, 256, 420, 470, 520, 600, 1024};
	static struct rec plain, roomed;
	static struct room_sink rs;
	uint64_t seed = 11;
	unsigned fell_back = 0;

	make_feed();
	CU_ASSERT_TRUE_FATAL(feed.n > 100);
	for (unsigned round = 0; round < 4; round++) {
		struct sw_cluster *a = burst_cluster(), *b = burst_cluster();
		struct sw_cluster_sink sink = {room_emit, room_offer, &rs};
		unsigned ea = 0, eb = 0;

		plain.n = roomed.n = 0;
		plain.count = roomed.count = 0;
		rs.r = &roomed;
		rs.in_place = rs.guard_hit = 0;
		for (unsigned i = 0; i < feed.n;) {
			unsigned k = 1;
			while (i + k < feed.n && feed.now[i + k] == feed.now[i] &&
			       k < 1 + sw_splitmix64(&seed) % 20)
				k++;
			rs.cap = caps[(round + i) % (sizeof(caps) / sizeof(caps[0]))];
			ea += sw_cluster_input_burst(a, feed.now[i], &feed.rx[i], k, rec_emit,
			                             &plain);
			eb += sw_cluster_input_burst_to(b, feed.now[i], &feed.rx[i], k, &sink);
			i += k;
		}
		ea += sw_cluster_poll(a, TC_NS(2000), rec_emit, &plain);
		eb += sw_cluster_poll(b, TC_NS(2000), room_emit, &rs);
		CU_ASSERT_EQUAL(ea, eb);
		CU_ASSERT_EQUAL(roomed.count, eb);
		CU_ASSERT_EQUAL_FATAL(plain.n, roomed.n);
		CU_ASSERT_EQUAL(memcmp(plain.buf, roomed.buf, plain.n), 0);
		same_stats(a, b);
		/* both ways were taken: in the room, and in the cluster's buffer (no room, a
		 * room too small, a delayed answer) */
		CU_ASSERT_TRUE(rs.in_place > 10);
		fell_back += eb - rs.in_place;
		CU_ASSERT_EQUAL(rs.guard_hit, 0);
		sw_cluster_free(a);
		sw_cluster_free(b);
	}
	CU_ASSERT_TRUE(fell_back > 10);
}

static const struct sw_test_case cases[] = {
        {"the header finder agrees with a line-by-line search",
         test_the_header_finder_agrees_with_a_line_by_line_search},
        {"a kept nonce checks as its MAC does", test_a_kept_nonce_checks_as_its_mac_does},
        {"lookups by a given hash find what the plain ones find",
         test_lookups_by_a_given_hash_find_what_the_plain_ones_find},
        {"a token ends where the RFC says", test_a_token_ends_where_the_rfc_says},
        {"a Contact byte we could not echo gets 400 wherever it is",
         test_a_contact_byte_we_could_not_echo_gets_400_wherever_it_is},
        {"a parameter name is known exactly, in either case",
         test_a_parameter_name_is_known_exactly_in_either_case},
        {"the 8-lane MD5 equals OpenSSL's", test_eight_lane_md5_equals_openssl},
        {"the fixed-size MD5 padding is the padding",
         test_the_fixed_size_md5_padding_is_the_padding},
        {"the To tag is a keyed hash of Call-ID and CSeq",
         test_the_to_tag_is_a_keyed_hash_of_call_id_and_cseq},
        {"an answer is what its lib/sip template builds",
         test_an_answer_is_what_its_lib_sip_template_builds},
        {"a case-insensitive comparison folds letters only",
         test_a_case_insensitive_comparison_folds_letters_only},
        {"the one-load URI readers agree with the plain ones",
         test_the_one_load_uri_readers_agree_with_the_plain_ones},
        {"a user's HA1 is the MD5 of its rule expanded",
         test_a_users_ha1_is_the_md5_of_its_rule_expanded},
        {"a burst answers byte for byte as single calls",
         test_a_burst_answers_byte_for_byte_as_single_calls},
        {"answers built in the caller's room are the same bytes",
         test_answers_built_in_the_callers_room_are_the_same_bytes},
        {"the credentials' fast path parses as the slow one",
         test_the_credentials_fast_path_parses_as_the_slow_one},
        {"the response input by fixed copies is the plain one",
         test_the_response_input_by_fixed_copies_is_the_plain_one},
        {NULL, NULL},
};

const struct sw_test_suite suite_fast = {"fast paths", NULL, NULL, cases};

#pragma GCC diagnostic pop
