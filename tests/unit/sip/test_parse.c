/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SIP parser: every field, every reject reason, the RFC 4475-style torture messages in
 * tests/data/sip/torture (file name NAME.EXPECTED.sip, EXPECTED a reason name), and every
 * prefix of a message parsed from an exact-size heap buffer (ASan catches an over-read).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_sip.h"
#include "sw_test.h"
#include "test_sip.h"

static const char ok_200[] =
        "SIP/2.0 200 OK\r\n"
        "Via: SIP/2.0/UDP 198.18.0.10:5062;received=198.18.0.99;rport=6000;"
        "branch=z9hG4bKAAAAbbbbCCCCdddd\r\n"
        "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKsecond\r\n"
        "From: \"Line 1\" <sip:1000@example.org>;tag=FromTag01\r\n"
        "To: <sip:1000@example.org>;tag=ToTag02\r\n"
        "Call-ID: CallId0123456789@example.org\r\n"
        "CSeq: 42 REGISTER\r\n"
        "Contact: <sip:1000@198.18.0.10:5062>;expires=1800;q=0.5, <sip:1000@other>;expires=5\r\n"
        "Expires: 3600\r\n"
        "Server: Kamailio\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

static const char chal_401[] =
        "SIP/2.0 401 Unauthorized\r\n"
        "Via: SIP/2.0/UDP 198.18.0.10:5060;branch=z9hG4bK1\r\n"
        "From: <sip:1000@example.org>;tag=a\r\n"
        "To: <sip:1000@example.org>;tag=b\r\n"
        "Call-ID: c@example.org\r\n"
        "CSeq: 1 REGISTER\r\n"
        "WWW-Authenticate: Digest realm=\"example.org\", nonce=\"NONCE123abc\", "
        "opaque=\"OPQ\", qop=\"auth-int, auth\", algorithm=MD5, stale=TRUE\r\n"
        "Retry-After: 120 (busy);duration=10\r\n"
        "l: 0\r\n"
        "\r\n";

#define EQS(s, lit)                                                                                \
	do {                                                                                       \
		CU_ASSERT_EQUAL_FATAL((s).len, sizeof(lit) - 1);                                   \
		CU_ASSERT(memcmp((s).p, lit, sizeof(lit) - 1) == 0);                               \
	} while (0)

static enum sw_sip_reason
parse_heap(struct sw_sip_msg *m, const char *s, size_t n)
{
	/* an exact-size heap copy, so that an over-read trips ASan */
	char *b = malloc(n ? n : 1);
	enum sw_sip_reason r;

	memcpy(b, s, n);
	r = sw_sip_parse(m, b, n, SW_SIP_WANT_ALL);
	free(b);
	return r;
}

static void
a_200_ok_to_register_gives_every_field(void)
{
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, ok_200, sizeof(ok_200) - 1, SW_SIP_WANT_ALL),
	                      SW_SIP_OK);
	CU_ASSERT_EQUAL(m.is_request, 0);
	CU_ASSERT_EQUAL(m.status, 200);
	EQS(m.reason, "OK");
	EQS(m.via_transport, "UDP");
	EQS(m.via_host, "198.18.0.10");
	CU_ASSERT_EQUAL(m.via_port, 5062);
	EQS(m.via_received, "198.18.0.99");
	CU_ASSERT_EQUAL(m.via_rport, 6000);
	EQS(m.via_branch, "z9hG4bKAAAAbbbbCCCCdddd");
	CU_ASSERT_EQUAL(m.via_count, 2);
	EQS(m.vias[1], "SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKsecond");
	EQS(m.from, "\"Line 1\" <sip:1000@example.org>;tag=FromTag01");
	EQS(m.from_tag, "FromTag01");
	EQS(m.to_tag, "ToTag02");
	EQS(m.call_id, "CallId0123456789@example.org");
	CU_ASSERT_EQUAL(m.cseq, 42);
	CU_ASSERT_EQUAL(m.cseq_method, SW_SIP_METHOD_REGISTER);
	EQS(m.contact_uri, "sip:1000@198.18.0.10:5062");
	CU_ASSERT_EQUAL(m.contact_expires, 1800);
	CU_ASSERT_EQUAL(m.expires, 3600);
	CU_ASSERT_EQUAL(m.retry_after, -1);
	CU_ASSERT_EQUAL(m.content_length, 0);
	CU_ASSERT_EQUAL(m.body.len, 0);
	CU_ASSERT_EQUAL(m.challenge.present, 0);
	CU_ASSERT_EQUAL(m.header_count, 10);
}

static void
a_401_gives_the_challenge_and_retry_after(void)
{
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, chal_401, sizeof(chal_401) - 1, SW_SIP_WANT_ALL),
	                      SW_SIP_OK);
	CU_ASSERT_EQUAL(m.status, 401);
	CU_ASSERT_EQUAL(m.via_port, 5060);
	CU_ASSERT_EQUAL(m.via_rport, -1);
	CU_ASSERT_EQUAL(m.challenge.present, 1);
	CU_ASSERT_EQUAL(m.challenge.proxy, 0);
	EQS(m.challenge.realm, "example.org");
	EQS(m.challenge.nonce, "NONCE123abc");
	EQS(m.challenge.opaque, "OPQ");
	EQS(m.challenge.qop, "auth-int, auth");
	CU_ASSERT_EQUAL(m.challenge.qop_auth, 1);
	CU_ASSERT_EQUAL(m.challenge.algo, SW_SIP_ALGO_MD5);
	EQS(m.challenge.algorithm, "MD5");
	CU_ASSERT_EQUAL(m.challenge.stale, 1);
	CU_ASSERT_EQUAL(m.retry_after, 120);
	CU_ASSERT_EQUAL(m.content_length, 0);
}

static void
a_407_proxy_challenge_is_marked_proxy_and_sha256_is_recognised(void)
{
	static const char msg[] = "SIP/2.0 407 Proxy Authentication Required\r\n"
	                          "v: SIP/2.0/UDP h;branch=z9hG4bK1;rport\r\n"
	                          "f: <sip:a@b>;tag=a\r\n"
	                          "t: <sip:a@b>;tag=b\r\n"
	                          "i: c@b\r\n"
	                          "CSeq: 2 INVITE\r\n"
	                          "Proxy-Authenticate: Basic realm=\"x\"\r\n"
	                          "Proxy-Authenticate: Digest realm=\"b\",nonce=\"n\","
	                          "algorithm=SHA-256\r\n"
	                          "Proxy-Authenticate: Digest realm=\"b\",nonce=\"n2\"\r\n"
	                          "\r\n";
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, msg, sizeof(msg) - 1, SW_SIP_WANT_ALL), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.via_rport, 0);
	CU_ASSERT_EQUAL(m.cseq_method, SW_SIP_METHOD_INVITE);
	CU_ASSERT_EQUAL(m.challenge.present, 1);
	CU_ASSERT_EQUAL(m.challenge.proxy, 1);
	CU_ASSERT_EQUAL(m.challenge.algo, SW_SIP_ALGO_SHA256);
	CU_ASSERT_EQUAL(m.challenge.qop_auth, 0);
	EQS(m.challenge.nonce, "n");
	CU_ASSERT_EQUAL(m.content_length, -1);
}

static void
a_request_gives_method_uri_and_body_by_content_length(void)
{
	static const char msg[] = "INVITE sip:2000@example.org SIP/2.0\r\n"
	                          "Via: SIP/2.0/UDP 198.18.0.2;branch=z9hG4bKinv\r\n"
	                          "From: sip:1000@example.org;tag=x\r\n"
	                          "To: sip:2000@example.org\r\n"
	                          "Call-ID: inv@h\r\n"
	                          "CSeq: 7 INVITE\r\n"
	                          "Contact: sip:1000@198.18.0.2\r\n"
	                          "Content-Type: application/sdp\r\n"
	                          "Content-Length: 4\r\n"
	                          "\r\n"
	                          "v=0\n";
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, msg, sizeof(msg) - 1, SW_SIP_WANT_ALL), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.is_request, 1);
	CU_ASSERT_EQUAL(m.method, SW_SIP_METHOD_INVITE);
	EQS(m.method_s, "INVITE");
	EQS(m.ruri, "sip:2000@example.org");
	EQS(m.from_tag, "x");
	CU_ASSERT_EQUAL(m.to_tag.len, 0);
	EQS(m.contact_uri, "sip:1000@198.18.0.2");
	CU_ASSERT_EQUAL(m.contact_expires, -1);
	EQS(m.body, "v=0\n");
}

static void
folded_lines_bare_lf_and_mixed_case_names_parse(void)
{
	static const char msg[] = "\r\nSIP/2.0 180 Ringing\n"
	                          "VIA: SIP/2.0/UDP 198.18.0.2\n"
	                          " ;branch=z9hG4bKfold\n"
	                          "fRoM: <sip:a@b>\n\t;tag=ft\n"
	                          "TO: <sip:a@b>;tag=tt\n"
	                          "CALL-ID: fold@b\n"
	                          "cseq: 9\n  INVITE\n"
	                          "eXpIrEs: 60\n"
	                          "\n";
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, msg, sizeof(msg) - 1, SW_SIP_WANT_ALL), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.status, 180);
	EQS(m.reason, "Ringing");
	EQS(m.via_branch, "z9hG4bKfold");
	EQS(m.from_tag, "ft");
	EQS(m.to_tag, "tt");
	CU_ASSERT_EQUAL(m.cseq, 9);
	CU_ASSERT_EQUAL(m.expires, 60);
}

static void
a_want_mask_skips_sub_fields_but_keeps_mandatory_ones(void)
{
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, chal_401, sizeof(chal_401) - 1, SW_SIP_WANT_VIA),
	                      SW_SIP_OK);
	EQS(m.via_branch, "z9hG4bK1");
	CU_ASSERT_EQUAL(m.challenge.present, 0);
	CU_ASSERT_EQUAL(m.from_tag.len, 0);
	CU_ASSERT_EQUAL(m.cseq, 1);
	EQS(m.call_id, "c@example.org");
}

static void
the_challenge_parser_reads_rfc_2617_and_7616_forms(void)
{
	static const char v1[] = "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
	                         "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	                         "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
	static const char v2[] =
	        "Digest\r\n realm=\"http-auth@example.org\",\r\n qop=\"auth, "
	        "auth-int\",\r\n algorithm=MD5-sess,\r\n nonce=\"7ypf/xlj9XXwfDPEoM4U"
	        "Rrv/xwf94BcCAzFZH4GiTo0v\",\r\n stale=false";
	static const char nr[] = "Digest nonce=\"x\"";
	static const char bq[] = "Digest realm=\"x, nonce=\"y\"";
	static const char ot[] = "Basic realm=\"x\"";
	struct sw_sip_challenge c;

	CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, v1, sizeof(v1) - 1), SW_SIP_OK);
	CU_ASSERT_EQUAL(c.present, 1);
	EQS(c.realm, "testrealm@host.com");
	EQS(c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
	EQS(c.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
	CU_ASSERT_EQUAL(c.qop_auth, 1);
	CU_ASSERT_EQUAL(c.algo, SW_SIP_ALGO_MD5);
	CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, v2, sizeof(v2) - 1), SW_SIP_OK);
	CU_ASSERT_EQUAL(c.algo, SW_SIP_ALGO_MD5_SESS);
	CU_ASSERT_EQUAL(c.stale, 0);
	EQS(c.nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
	CU_ASSERT_EQUAL(sw_sip_challenge_parse(&c, nr, sizeof(nr) - 1), SW_SIP_BAD_CHALLENGE);
	CU_ASSERT_EQUAL(sw_sip_challenge_parse(&c, bq, sizeof(bq) - 1), SW_SIP_BAD_CHALLENGE);
	CU_ASSERT_EQUAL(sw_sip_challenge_parse(&c, ot, sizeof(ot) - 1), SW_SIP_OK);
	CU_ASSERT_EQUAL(c.present, 0);
}

/* A message from header lines, for the reject table. */
struct reject_case {
	enum sw_sip_reason want;
	const char *msg;
};

#define HDRS_OK                                                                                    \
	"Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\n"         \
	"Call-ID: c@b\r\nCSeq: 1 REGISTER\r\n"

static const struct reject_case rejects[] = {
        {SW_SIP_EMPTY, "\r\n\r\n"},
        {SW_SIP_TRUNCATED, "SIP/2.0 200 OK"},
        {SW_SIP_TRUNCATED, "SIP/2.0 200 OK\r\n" HDRS_OK},
        {SW_SIP_TRUNCATED, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;bra"},
        {SW_SIP_BAD_START_LINE, "HELLO WORLD\r\n" HDRS_OK "\r\n"},
        {SW_SIP_BAD_START_LINE, "REGISTER sip:b\r\n" HDRS_OK "\r\n"},
        {SW_SIP_BAD_VERSION, "SIP/3.0 200 OK\r\n" HDRS_OK "\r\n"},
        {SW_SIP_BAD_VERSION, "REGISTER sip:b SIP/2.1\r\n" HDRS_OK "\r\n"},
        {SW_SIP_BAD_STATUS, "SIP/2.0 099 Low\r\n" HDRS_OK "\r\n"},
        {SW_SIP_BAD_STATUS, "SIP/2.0 2000 OK\r\n" HDRS_OK "\r\n"},
        {SW_SIP_BAD_STATUS, "SIP/2.0 2x0 OK\r\n" HDRS_OK "\r\n"},
        {SW_SIP_BAD_HEADER, "SIP/2.0 200 OK\r\n" HDRS_OK "No colon here\r\n\r\n"},
        {SW_SIP_BAD_HEADER, "SIP/2.0 200 OK\r\n" HDRS_OK ": no name\r\n\r\n"},
        {SW_SIP_DUPLICATE_HEADER, "SIP/2.0 200 OK\r\n" HDRS_OK "i: d@b\r\n\r\n"},
        {SW_SIP_DUPLICATE_HEADER, "SIP/2.0 200 OK\r\n" HDRS_OK "l: 0\r\nl: 0\r\n\r\n"},
        {SW_SIP_MISSING_VIA,
         "SIP/2.0 200 OK\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c@b\r\n"
         "CSeq: 1 REGISTER\r\n\r\n"},
        {SW_SIP_MISSING_FROM,
         "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\n"
         "Call-ID: c@b\r\nCSeq: 1 REGISTER\r\n\r\n"},
        {SW_SIP_MISSING_TO,
         "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
         "Call-ID: c@b\r\nCSeq: 1 REGISTER\r\n\r\n"},
        {SW_SIP_MISSING_CALL_ID,
         "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
         "To: <sip:a@b>\r\nCSeq: 1 REGISTER\r\n\r\n"},
        {SW_SIP_MISSING_CSEQ,
         "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
         "To: <sip:a@b>\r\nCall-ID: c@b\r\n\r\n"},
        {SW_SIP_BAD_VIA, "SIP/2.0 200 OK\r\nVia: SIP/3.0/UDP h\r\n\r\n"},
        {SW_SIP_BAD_VIA, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP\r\n\r\n"},
        {SW_SIP_BAD_VIA, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h:99999\r\n\r\n"},
        {SW_SIP_BAD_VIA, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;rport=x\r\n\r\n"},
        {SW_SIP_BAD_VIA, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=\r\n\r\n"},
        {SW_SIP_BAD_FROM_TO, "SIP/2.0 200 OK\r\nFrom: <sip:a@b;tag=1\r\n\r\n"},
        {SW_SIP_BAD_FROM_TO, "SIP/2.0 200 OK\r\nTo: <sip:a@b>;tag\r\n\r\n"},
        {SW_SIP_BAD_FROM_TO, "SIP/2.0 200 OK\r\nTo: <sip:a@b> junk\r\n\r\n"},
        {SW_SIP_BAD_CALL_ID, "SIP/2.0 200 OK\r\nCall-ID:\r\n\r\n"},
        {SW_SIP_BAD_CALL_ID, "SIP/2.0 200 OK\r\nCall-ID: a b\r\n\r\n"},
        {SW_SIP_BAD_CSEQ, "SIP/2.0 200 OK\r\nCSeq: REGISTER\r\n\r\n"},
        {SW_SIP_BAD_CSEQ, "SIP/2.0 200 OK\r\nCSeq: 4294967296 REGISTER\r\n\r\n"},
        {SW_SIP_BAD_CSEQ, "SIP/2.0 200 OK\r\nCSeq: 1\r\n\r\n"},
        {SW_SIP_BAD_CSEQ, "SIP/2.0 200 OK\r\nCSeq: 1 REGISTER x\r\n\r\n"},
        {SW_SIP_CSEQ_METHOD_MISMATCH,
         "INVITE sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
         "To: <sip:a@b>\r\nCall-ID: c@b\r\nCSeq: 1 BYE\r\n\r\n"},
        {SW_SIP_CSEQ_METHOD_MISMATCH,
         "FOO sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
         "To: <sip:a@b>\r\nCall-ID: c@b\r\nCSeq: 1 BAR\r\n\r\n"},
        {SW_SIP_BAD_NUMBER, "SIP/2.0 200 OK\r\nExpires: soon\r\n\r\n"},
        {SW_SIP_BAD_NUMBER, "SIP/2.0 200 OK\r\nExpires: 10x\r\n\r\n"},
        {SW_SIP_BAD_NUMBER, "SIP/2.0 200 OK\r\nRetry-After: x\r\n\r\n"},
        {SW_SIP_BAD_NUMBER, "SIP/2.0 200 OK\r\nContact: <sip:a@b>;expires=x\r\n\r\n"},
        {SW_SIP_BAD_NUMBER, "SIP/2.0 200 OK\r\nContact: <sip:a@b>;expires\r\n\r\n"},
        {SW_SIP_BAD_CONTENT_LENGTH, "SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n"},
        {SW_SIP_BAD_CONTENT_LENGTH, "SIP/2.0 200 OK\r\nContent-Length: 99999999\r\n\r\n"},
        {SW_SIP_CONTENT_LENGTH_MISMATCH, "SIP/2.0 200 OK\r\n" HDRS_OK "l: 5\r\n\r\nabcd"},
        {SW_SIP_BAD_CHALLENGE, "SIP/2.0 401 U\r\nWWW-Authenticate: Digest realm=\"r\"\r\n\r\n"},
        {SW_SIP_BAD_CHALLENGE, "SIP/2.0 401 U\r\nWWW-Authenticate: Digest\r\n\r\n"},
        {SW_SIP_BAD_CHALLENGE,
         "SIP/2.0 401 U\r\nWWW-Authenticate: Digest realm=\"r\" nonce=\"n\"\r\n\r\n"},
};

static void
every_reject_reason_is_returned_for_its_malformation(void)
{
	unsigned covered[SW_SIP_REASON_COUNT] = {0};
	struct sw_sip_msg m;

	for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
		enum sw_sip_reason r = parse_heap(&m, rejects[i].msg, strlen(rejects[i].msg));
		if (r != rejects[i].want)
			printf("\ncase %zu: got %s, want %s\n", i, sw_sip_reason_name(r),
			       sw_sip_reason_name(rejects[i].want));
		CU_ASSERT_EQUAL(r, rejects[i].want);
		covered[rejects[i].want]++;
	}
	/* the remaining reasons need big inputs: built here */
	{
		size_t n = SW_SIP_MSG_MAX + 1;
		char *b = malloc(n);
		memset(b, ' ', n);
		CU_ASSERT_EQUAL(sw_sip_parse(&m, b, n, SW_SIP_WANT_ALL), SW_SIP_OVERSIZE_MESSAGE);
		covered[SW_SIP_OVERSIZE_MESSAGE]++;
		free(b);
	}
	{
		char b[4096];
		size_t n = (size_t)snprintf(b, sizeof(b), "SIP/2.0 200 OK\r\n");
		for (unsigned i = 0; i <= SW_SIP_MAX_HEADERS; i++)
			n += (size_t)snprintf(b + n, sizeof(b) - n, "X: y\r\n");
		n += (size_t)snprintf(b + n, sizeof(b) - n, "\r\n");
		CU_ASSERT_EQUAL(sw_sip_parse(&m, b, n, SW_SIP_WANT_ALL), SW_SIP_TOO_MANY_HEADERS);
		covered[SW_SIP_TOO_MANY_HEADERS]++;
	}
	{
		char b[1024];
		size_t n = (size_t)snprintf(b, sizeof(b),
		                            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;"
		                            "branch=z9hG4bK");
		memset(b + n, 'a', 300);
		n += 300;
		n += (size_t)snprintf(b + n, sizeof(b) - n, "\r\n\r\n");
		CU_ASSERT_EQUAL(sw_sip_parse(&m, b, n, SW_SIP_WANT_ALL), SW_SIP_OVERSIZE_FIELD);
		covered[SW_SIP_OVERSIZE_FIELD]++;
	}
	for (unsigned r = 1; r < SW_SIP_REASON_COUNT; r++) {
		if (covered[r] == 0)
			printf("\nreason %s has no case\n",
			       sw_sip_reason_name((enum sw_sip_reason)r));
		CU_ASSERT(covered[r] > 0);
	}
}

static void
every_prefix_of_a_message_is_handled_within_its_bounds(void)
{
	const char *msgs[] = {ok_200, chal_401};
	struct sw_sip_msg m;

	for (size_t k = 0; k < 2; k++) {
		size_t n = strlen(msgs[k]);
		for (size_t i = 0; i < n; i++) {
			enum sw_sip_reason r = parse_heap(&m, msgs[k], i);
			CU_ASSERT(r != SW_SIP_OK || i >= n - 2);
		}
		CU_ASSERT_EQUAL(parse_heap(&m, msgs[k], n), SW_SIP_OK);
	}
}

static void
the_torture_messages_get_their_expected_verdicts(void)
{
	char dir[1024];
	DIR *d;
	struct dirent *e;
	unsigned files = 0;

	snprintf(dir, sizeof(dir), "%s/torture", sw_sip_test_data());
	d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL) {
		char path[2048], want[64];
		const char *dot1 = strchr(e->d_name, '.'), *dot2;
		struct sw_sip_msg m;
		enum sw_sip_reason r;
		size_t n;
		char *b;

		if (dot1 == NULL || (dot2 = strchr(dot1 + 1, '.')) == NULL ||
		    strcmp(dot2, ".sip") != 0)
			continue;
		snprintf(want, sizeof(want), "%.*s", (int)(dot2 - dot1 - 1), dot1 + 1);
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		b = sw_sip_test_read(path, &n);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		r = sw_sip_parse(&m, b, n, SW_SIP_WANT_ALL);
		if (strcmp(sw_sip_reason_name(r), want) != 0)
			printf("\n%s: got %s\n", e->d_name, sw_sip_reason_name(r));
		CU_ASSERT_STRING_EQUAL(sw_sip_reason_name(r), want);
		free(b);
		files++;
	}
	closedir(d);
	CU_ASSERT(files >= 20);
}

static void
names_tables_cover_every_value(void)
{
	CU_ASSERT_STRING_EQUAL(sw_sip_reason_name(SW_SIP_TRUNCATED), "truncated");
	CU_ASSERT_STRING_EQUAL(sw_sip_reason_name(SW_SIP_REASON_COUNT), "unknown");
	CU_ASSERT(strlen(sw_sip_reason_help(SW_SIP_BAD_VIA)) > 10);
	CU_ASSERT_STRING_EQUAL(sw_sip_method_name(SW_SIP_METHOD_SUBSCRIBE), "SUBSCRIBE");
	CU_ASSERT_STRING_EQUAL(sw_sip_algo_name(SW_SIP_ALGO_MD5_SESS), "MD5-sess");
	for (unsigned i = 0; i < SW_SIP_METHOD_COUNT; i++)
		CU_ASSERT_PTR_NOT_NULL(sw_sip_method_name((enum sw_sip_method)i));
}

static const struct sw_test_case cases[] = {
        {"a 200 OK to REGISTER gives every field", a_200_ok_to_register_gives_every_field},
        {"a 401 gives the challenge and Retry-After", a_401_gives_the_challenge_and_retry_after},
        {"a 407 proxy challenge is marked proxy and SHA-256 is recognised",
         a_407_proxy_challenge_is_marked_proxy_and_sha256_is_recognised},
        {"a request gives method, URI and body by Content-Length",
         a_request_gives_method_uri_and_body_by_content_length},
        {"folded lines, bare LF and mixed-case names parse",
         folded_lines_bare_lf_and_mixed_case_names_parse},
        {"a want mask skips sub-fields but keeps mandatory ones",
         a_want_mask_skips_sub_fields_but_keeps_mandatory_ones},
        {"the challenge parser reads RFC 2617 and RFC 7616 forms",
         the_challenge_parser_reads_rfc_2617_and_7616_forms},
        {"every reject reason is returned for its malformation",
         every_reject_reason_is_returned_for_its_malformation},
        {"every prefix of a message is handled within its bounds",
         every_prefix_of_a_message_is_handled_within_its_bounds},
        {"the torture messages get their expected verdicts",
         the_torture_messages_get_their_expected_verdicts},
        {"names tables cover every value", names_tables_cover_every_value},
        {NULL, NULL},
};

const struct sw_test_suite suite_parse = {"sip parse", NULL, NULL, cases};
