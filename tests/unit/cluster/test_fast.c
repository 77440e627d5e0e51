/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast paths of the registrar give what the plain ones gave: the header finder against a
 * byte-by-byte reference, the kept nonces against the MAC, the table lookups by a given hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const struct sw_test_case cases[] = {
        {"the header finder agrees with a line-by-line search",
         test_the_header_finder_agrees_with_a_line_by_line_search},
        {"a kept nonce checks as its MAC does", test_a_kept_nonce_checks_as_its_mac_does},
        {"lookups by a given hash find what the plain ones find",
         test_lookups_by_a_given_hash_find_what_the_plain_ones_find},
        {NULL, NULL},
};

const struct sw_test_suite suite_fast = {"fast paths", NULL, NULL, cases};
