/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Digest: RFC 2617 section 3.5 and RFC 7616 section 3.9.1 vectors, and the saved-state
 * response against a straightforward computation for every nonce length.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "sip_private.h"
#include "test_sip.h"

static void
ref_hex(const EVP_MD *md, const char *s, size_t n, char *out)
{
	uint8_t d[32];
	unsigned int l = 0;

	EVP_Digest(s, n, d, &l, md, NULL);
	sw_sip_hex(out, d, l);
}

static void
rfc_2617_section_3_5_response_is_reproduced(void)
{
	static const char chal[] = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
	                           "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	                           "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
	struct sw_sip_challenge c;
	struct sw_sip_digest d;
	char ha1[64], ha2[64], resp[64];

	CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, chal, sizeof(chal) - 1), SW_SIP_OK);
	CU_ASSERT_EQUAL(sw_sip_digest_ha1(SW_SIP_ALGO_MD5, "Mufasa", 6, "testrealm@host.com", 18,
	                                  "Circle Of Life", 14, ha1),
	                32);
	CU_ASSERT_EQUAL(sw_sip_digest_ha2(SW_SIP_ALGO_MD5, "GET", 3, "/dir/index.html", 15, ha2),
	                32);
	CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&d, &c, ha1, 0), 0);
	CU_ASSERT_EQUAL(d.has_mid, 1);
	CU_ASSERT_EQUAL(d.qop, 1);
	sw_sip_digest_response(&d, ha2, 0x0a4f113b, resp);
	CU_ASSERT_EQUAL(d.nc, 1);
	CU_ASSERT(memcmp(resp, "6629fae49393a05397450978507c4ef1", 32) == 0);
}

static void
rfc_7616_section_3_9_1_md5_and_sha256_responses_are_reproduced(void)
{
	/* the RFC's cnonce is 44 characters; ours are 8 hex digits, so the response is
	 * composed here from our HA1 and HA2 and the RFC formula */
	static const char nonce[] = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
	static const char cnonce[] = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
	static const char *const want[] = {
	        "8ca523f5e9506fed4657c9700eebdbec",
	        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"};
	const enum sw_sip_digest_algo algos[] = {SW_SIP_ALGO_MD5, SW_SIP_ALGO_SHA256};

	for (int i = 0; i < 2; i++) {
		char ha1[64], ha2[64], in[300], resp[64];
		int hl = sw_sip_digest_ha1(algos[i], "Mufasa", 6, "http-auth@example.org", 21,
		                           "Circle of Life", 14, ha1);
		int n;

		CU_ASSERT_EQUAL(sw_sip_digest_ha2(algos[i], "GET", 3, "/dir/index.html", 15, ha2),
		                hl);
		n = snprintf(in, sizeof(in), "%.*s:%s:00000001:%s:auth:%.*s", hl, ha1, nonce,
		             cnonce, hl, ha2);
		ref_hex(i == 0 ? EVP_md5() : EVP_sha256(), in, (size_t)n, resp);
		CU_ASSERT(memcmp(resp, want[i], (size_t)hl) == 0);
	}
}

/* response computed the plain way, for comparison */
static void
plain_response(const struct sw_sip_digest *d, const char *ha2, char *out)
{
	char in[400];
	int n;

	if (d->qop)
		n = snprintf(in, sizeof(in), "%.*s:%.*s:%08x:%08x:auth:%.*s", d->hex_len, d->ha1,
		             d->nonce_len, d->nonce, d->nc, d->cnonce, d->hex_len, ha2);
	else
		n = snprintf(in, sizeof(in), "%.*s:%.*s:%.*s", d->hex_len, d->ha1, d->nonce_len,
		             d->nonce, d->hex_len, ha2);
	ref_hex(d->hex_len == 32 ? EVP_md5() : EVP_sha256(), in, (size_t)n, out);
}

static void
saved_state_responses_equal_plain_ones_for_every_nonce_length(void)
{
	static const char *const algs[] = {"MD5", "MD5-sess", "SHA-256", "SHA-256-sess"};
	const enum sw_sip_digest_algo base[] = {SW_SIP_ALGO_MD5, SW_SIP_ALGO_MD5,
	                                        SW_SIP_ALGO_SHA256, SW_SIP_ALGO_SHA256};
	unsigned mismatches = 0, with_mid = 0;

	for (int a = 0; a < 4; a++) {
		for (int q = 0; q < 2; q++) {
			for (unsigned nl = 1; nl <= SW_SIP_DIGEST_NONCE_MAX; nl++) {
				char chal[512], nonce[SW_SIP_DIGEST_NONCE_MAX + 1], ha1[64],
				        ha2[64];
				char r1[64], r2[64];
				struct sw_sip_challenge c;
				struct sw_sip_digest d;
				int n;

				for (unsigned i = 0; i < nl; i++)
					nonce[i] = (char)('a' + (i * 5 + nl) % 26);
				nonce[nl] = 0;
				n = snprintf(chal, sizeof(chal),
				             "Digest realm=\"r\", nonce=\"%s\", algorithm=%s%s",
				             nonce, algs[a], q ? ", qop=\"auth\"" : "");
				CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, chal, (size_t)n),
				                      SW_SIP_OK);
				sw_sip_digest_ha1(base[a], "u", 1, "r", 1, "p", 1, ha1);
				sw_sip_digest_ha2(base[a], "REGISTER", 8, "sip:r", 5, ha2);
				CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&d, &c, ha1, 0x1234), 0);
				with_mid += d.has_mid;
				for (uint32_t k = 0; k < 3; k++) {
					sw_sip_digest_response(&d, ha2, 0xdead0000u + k, r1);
					plain_response(&d, ha2, r2);
					mismatches += memcmp(r1, r2, d.hex_len) != 0;
				}
			}
		}
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	CU_ASSERT(with_mid > 0);
}

static void
a_session_algorithm_keeps_its_cnonce_and_hashes_ha1_once(void)
{
	static const char chal[] = "Digest realm=\"r\", nonce=\"abc\", algorithm=MD5-sess, "
	                           "qop=\"auth\"";
	struct sw_sip_challenge c;
	struct sw_sip_digest d;
	char ha1[64], sess[64], in[128], resp[64];

	sw_sip_challenge_parse(&c, chal, sizeof(chal) - 1);
	sw_sip_digest_ha1(SW_SIP_ALGO_MD5, "u", 1, "r", 1, "p", 1, ha1);
	CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&d, &c, ha1, 0xabcdef01u), 0);
	snprintf(in, sizeof(in), "%.32s:abc:abcdef01", ha1);
	ref_hex(EVP_md5(), in, strlen(in), sess);
	CU_ASSERT(memcmp(d.ha1, sess, 32) == 0);
	sw_sip_digest_response(&d, "00000000000000000000000000000000", 0x11111111u, resp);
	CU_ASSERT_EQUAL(d.cnonce, 0xabcdef01u);
}

static void
unusable_challenges_are_refused(void)
{
	struct sw_sip_challenge c;
	struct sw_sip_digest d;
	char big[400];
	int n;

	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(sw_sip_digest_accept(&d, &c, "", 0), -EINVAL);
	n = snprintf(big, sizeof(big), "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512");
	sw_sip_challenge_parse(&c, big, (size_t)n);
	CU_ASSERT_EQUAL(sw_sip_digest_accept(&d, &c, "", 0), -ENOTSUP);
	n = snprintf(big, sizeof(big), "Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"");
	sw_sip_challenge_parse(&c, big, (size_t)n);
	CU_ASSERT_EQUAL(sw_sip_digest_accept(&d, &c, "", 0), -ENOTSUP);
	n = snprintf(big, sizeof(big), "Digest realm=\"r\", nonce=\"%0200d\"", 1);
	CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, big, (size_t)n), SW_SIP_OK);
	CU_ASSERT_EQUAL(sw_sip_digest_accept(&d, &c, "", 0), -E2BIG);
	CU_ASSERT_EQUAL(sw_sip_digest_ha1(SW_SIP_ALGO_UNKNOWN, "u", 1, "r", 1, "p", 1, big),
	                -EINVAL);
}

static void
burst_responses_equal_one_by_one_responses(void)
{
	static const char *const algs[] = {"MD5", "MD5-sess", "SHA-256", "MD5"};
	enum {
		N = 21
	};
	struct sw_sip_digest a[N], b[N];
	struct sw_sip_digest *pb[N];
	char ha2[N][64], ra[N][64], rb[N][64], *po[N];
	const char *ph[N];
	uint32_t cn[N];
	unsigned mismatches = 0;

	for (unsigned round = 0; round < 40; round++) {
		unsigned n = 1 + round % N;
		for (unsigned i = 0; i < n; i++) {
			char chal[512], nonce[SW_SIP_DIGEST_NONCE_MAX + 1], ha1[64];
			unsigned nl = 1 + (round * 7 + i * 13) % SW_SIP_DIGEST_NONCE_MAX;
			unsigned alg = (round + i) % 4;
			enum sw_sip_digest_algo base =
			        alg == 2 ? SW_SIP_ALGO_SHA256 : SW_SIP_ALGO_MD5;
			struct sw_sip_challenge c;
			int len;

			if (round % 3 == 0)
				nl = 40; /* same length everywhere: full groups of 8 */
			for (unsigned k = 0; k < nl; k++)
				nonce[k] = (char)('A' + (k + i + round) % 26);
			nonce[nl] = 0;
			len = snprintf(chal, sizeof(chal),
			               "Digest realm=\"r\", nonce=\"%s\", algorithm=%s%s", nonce,
			               algs[alg], (i + round) % 2 ? ", qop=\"auth\"" : "");
			CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, chal, (size_t)len),
			                      SW_SIP_OK);
			sw_sip_digest_ha1(base, "u", 1, "r", 1, "p", 1, ha1);
			sw_sip_digest_ha2(base, "REGISTER", 8, "sip:r", 5, ha2[i]);
			CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&a[i], &c, ha1, i), 0);
			b[i] = a[i];
			pb[i] = &b[i];
			ph[i] = ha2[i];
			po[i] = rb[i];
			cn[i] = 0x1000u * round + i;
		}
		for (unsigned rep = 0; rep < 2; rep++) {
			for (unsigned i = 0; i < n; i++)
				sw_sip_digest_response(&a[i], ha2[i], cn[i], ra[i]);
			sw_sip_digest_response_burst(pb, ph, cn, po, n);
			for (unsigned i = 0; i < n; i++) {
				mismatches += memcmp(ra[i], rb[i], a[i].hex_len) != 0;
				mismatches += a[i].nc != b[i].nc || a[i].cnonce != b[i].cnonce;
			}
		}
	}
	CU_ASSERT_EQUAL(mismatches, 0);
}

static void
burst_ha1_equals_one_by_one_ha1_and_saved_state(void)
{
	enum {
		N = 37 /* two full groups of 16 and a remainder */
	};
	struct sw_sip_digest a[N], b[N];
	struct sw_sip_digest *pb[N];
	struct sw_sip_cstr cred[3 * N];
	char user[N][80], pass[N][80], ra[64], rb[64];
	static const char ha2[] = "0123456789abcdef0123456789abcdef";
	unsigned mismatches = 0, lens = 0;

	for (unsigned round = 0; round < 24; round++) {
		unsigned n = 1 + (round * 11) % N;

		for (unsigned i = 0; i < n; i++) {
			char chal[512], nonce[SW_SIP_DIGEST_NONCE_MAX + 1], ha1[64];
			/* field lengths around the one-block limit (55 bytes of "u:r:p") and nonces
			 * on both sides of the saved state's 31 characters */
			unsigned ul = 1 + (round * 5 + i * 3) % 40, pl = (round + i * 7) % 30;
			unsigned nl = 1 + (round * 7 + i * 13) % 60;
			struct sw_sip_challenge c;
			int len;

			for (unsigned k = 0; k < ul; k++)
				user[i][k] = (char)('a' + (k + i) % 26);
			for (unsigned k = 0; k < pl; k++)
				pass[i][k] = (char)('0' + (k * 3 + round) % 10);
			for (unsigned k = 0; k < nl; k++)
				nonce[k] = (char)('A' + (k + i + round) % 26);
			nonce[nl] = 0;
			len = snprintf(chal, sizeof(chal),
			               "Digest realm=\"pbx.example\", nonce=\"%s\"%s", nonce,
			               (i + round) % 2 ? ", qop=\"auth\"" : "");
			CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, chal, (size_t)len),
			                      SW_SIP_OK);
			sw_sip_digest_ha1(SW_SIP_ALGO_MD5, user[i], ul, "pbx.example", 11, pass[i],
			                  pl, ha1);
			CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&a[i], &c, ha1, 0), 0);
			CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&b[i], &c, NULL, 0), 0);
			CU_ASSERT(sw_sip_digest_ha1_pending(&b[i]));
			CU_ASSERT(!sw_sip_digest_ha1_pending(&a[i]));
			pb[i] = &b[i];
			cred[3 * i] = (struct sw_sip_cstr){user[i], ul};
			cred[3 * i + 1] = (struct sw_sip_cstr){"pbx.example", 11};
			cred[3 * i + 2] = (struct sw_sip_cstr){pass[i], pl};
			lens |= ul + 11 + pl + 2 > 55 ? 1u : 2u;
		}
		CU_ASSERT_EQUAL(sw_sip_digest_ha1_burst(pb, cred, n), 0);
		for (unsigned i = 0; i < n; i++) {
			mismatches += sw_sip_digest_ha1_pending(&b[i]);
			mismatches += memcmp(a[i].ha1, b[i].ha1, 32) != 0;
			mismatches += a[i].has_mid != b[i].has_mid;
			mismatches += a[i].has_mid && memcmp(a[i].mid, b[i].mid, sizeof(a[i].mid));
			/* and the same response follows */
			sw_sip_digest_response(&a[i], ha2, 7, ra);
			sw_sip_digest_response(&b[i], ha2, 7, rb);
			mismatches += memcmp(ra, rb, 32) != 0;
		}
	}
	CU_ASSERT_EQUAL(lens, 3u); /* both one-block lanes and the long fields taken apart */
	CU_ASSERT_EQUAL(mismatches, 0);
	/* a state that is not pending is refused and left as it was; the others are done */
	{
		struct sw_sip_challenge c;
		static const char chal[] = "Digest realm=\"r\", nonce=\"abc\"";
		struct sw_sip_digest *two[2] = {&a[0], &b[0]};
		struct sw_sip_digest keep = a[0];

		CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, chal, sizeof(chal) - 1),
		                      SW_SIP_OK);
		CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&b[0], &c, NULL, 0), 0);
		CU_ASSERT_EQUAL(sw_sip_digest_ha1_burst(two, cred, 2), -EINVAL);
		CU_ASSERT(memcmp(&keep, &a[0], sizeof(keep)) == 0);
		CU_ASSERT(!sw_sip_digest_ha1_pending(&b[0]));
		/* HA1 left for later is for MD5 only */
		static const char sha[] = "Digest realm=\"r\", nonce=\"abc\", algorithm=SHA-256";
		CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, sha, sizeof(sha) - 1), SW_SIP_OK);
		CU_ASSERT_EQUAL(sw_sip_digest_accept(&b[0], &c, NULL, 0), -EINVAL);
	}
}

static void
md5_lines_of_two_blocks_at_most_are_burstable(void)
{
	static const struct {
		unsigned nonce_len;
		const char *alg;
		int qop;
		int want;
	} c[] = {
	        {24, "MD5", 1, 1},      /* no saved state: 89 + 24 bytes, two blocks */
	        {30, "MD5", 1, 1},      /* the longest nonce without a saved state in two */
	        {31, "MD5", 1, 1},      /* saved state from 31 on: 58 bytes after it */
	        {94, "MD5", 1, 1},      /* 119 bytes after the saved state: two blocks */
	        {95, "MD5", 1, 0},      /* three */
	        {40, "MD5-sess", 0, 1}, /* session HA1, no qop */
	        {40, "SHA-256", 1, 0},  /* not MD5: never */
	};
	int expected = 1;

#ifndef __AVX2__
	expected = 0; /* no multi-buffer lanes without AVX2: nothing is worth a burst */
#endif
	for (unsigned k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		char chal[512], nonce[SW_SIP_DIGEST_NONCE_MAX + 1], ha1[64];
		struct sw_sip_challenge ch;
		struct sw_sip_digest d;
		int len;

		memset(nonce, 'n', c[k].nonce_len);
		nonce[c[k].nonce_len] = 0;
		len = snprintf(chal, sizeof(chal),
		               "Digest realm=\"r\", nonce=\"%s\", algorithm=%s%s", nonce, c[k].alg,
		               c[k].qop ? ", qop=\"auth\"" : "");
		CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&ch, chal, (size_t)len), SW_SIP_OK);
		memset(ha1, 'a', sizeof(ha1));
		CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&d, &ch, ha1, 1), 0);
		CU_ASSERT_EQUAL(sw_sip_digest_burstable(&d), c[k].want && expected);
	}
}

static const struct sw_test_case cases[] = {
        {"RFC 2617 section 3.5 response is reproduced",
         rfc_2617_section_3_5_response_is_reproduced},
        {"RFC 7616 section 3.9.1 MD5 and SHA-256 responses are reproduced",
         rfc_7616_section_3_9_1_md5_and_sha256_responses_are_reproduced},
        {"saved-state responses equal plain ones for every nonce length",
         saved_state_responses_equal_plain_ones_for_every_nonce_length},
        {"a session algorithm keeps its cnonce and hashes HA1 once",
         a_session_algorithm_keeps_its_cnonce_and_hashes_ha1_once},
        {"unusable challenges are refused", unusable_challenges_are_refused},
        {"burst responses equal one-by-one responses", burst_responses_equal_one_by_one_responses},
        {"burst HA1 equals one-by-one HA1 and saved state",
         burst_ha1_equals_one_by_one_ha1_and_saved_state},
        {"MD5 lines of two blocks at most are burstable",
         md5_lines_of_two_blocks_at_most_are_burstable},
        {NULL, NULL},
};

const struct sw_test_suite suite_digest = {"sip digest", NULL, NULL, cases};
