/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parser's fast paths (32- and 64-byte vector scans, 8-byte name compares, the one-window
 * parameter path) against the character classes of RFC 3261 section 25.1, byte value by byte
 * value, and the shapes that must fall back to the general path. Each probe sits early in a
 * long message, so that the vector loads are in bounds and taken.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sw_common.h"
#include "sw_sip.h"
#include "test_sip.h"

/* RFC 3261 section 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" /
 * "'" / "~"); host names add ":" "[" "]" for IPv6 references. */
static int
is_token(unsigned b)
{
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
	       (b != 0 && strchr("-.!%*_+`'~", (int)b) != NULL);
}

static int
is_host_nc(unsigned b)
{
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') ||
	       b == '-' || b == '.' || b == '[' || b == ']';
}

/* tail: enough header lines after the probe for 64 more bytes */
#define TAIL                                                                                       \
	"From: <sip:1000@example.org>;tag=FromTag01\r\n"                                           \
	"To: <sip:1000@example.org>;tag=ToTag02\r\n"                                               \
	"Call-ID: CallId0123456789@example.org\r\n"                                                \
	"Server: a server name long enough to keep vector loads in bounds\r\n"                     \
	"Content-Length: 0\r\n"                                                                    \
	"\r\n"

static enum sw_sip_reason
parse_probe(struct sw_sip_msg *m, const char *fmt, unsigned b, char *buf, size_t cap)
{
	/* fmt holds one '#' where the probe byte goes */
	size_t n = strlen(fmt), k = (size_t)(strchr(fmt, '#') - fmt);

	CU_ASSERT_FATAL(n < cap);
	memcpy(buf, fmt, n);
	buf[k] = (char)b;
	return sw_sip_parse(m, buf, n, SW_SIP_WANT_ALL);
}

static void
every_byte_value_is_classified_as_rfc_3261_says(void)
{
	static const char host[] = "SIP/2.0 200 OK\r\n"
	                           "Via: SIP/2.0/UDP h#h;branch=z9hG4bKx\r\n"
	                           "CSeq: 1 REGISTER\r\n" TAIL;
	static const char branch[] = "SIP/2.0 200 OK\r\n"
	                             "Via: SIP/2.0/UDP h;branch=z9hG4bKa#b;rport\r\n"
	                             "CSeq: 1 REGISTER\r\n" TAIL;
	static const char method[] = "SIP/2.0 200 OK\r\n"
	                             "CSeq: 1 RE#GISTER\r\n"
	                             "Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\n" TAIL;
	char buf[512];
	struct sw_sip_msg m;

	for (unsigned b = 0; b < 256; b++) {
		enum sw_sip_reason r = parse_probe(&m, host, b, buf, sizeof(buf));
		int whole = r == SW_SIP_OK && m.via_host.len == 3;

		if (whole != is_host_nc(b))
			printf("\nbyte 0x%02x in a Via host: %s\n", b, sw_sip_reason_name(r));
		CU_ASSERT_EQUAL(whole, is_host_nc(b));

		r = parse_probe(&m, branch, b, buf, sizeof(buf));
		whole = r == SW_SIP_OK && m.via_branch.len == 10;
		if (whole != (is_token(b) || b == ':' || b == '[' || b == ']'))
			printf("\nbyte 0x%02x in a branch: %s\n", b, sw_sip_reason_name(r));
		CU_ASSERT_EQUAL(whole, is_token(b) || b == ':' || b == '[' || b == ']');

		r = parse_probe(&m, method, b, buf, sizeof(buf));
		whole = r == SW_SIP_OK && m.cseq_method_s.len == 9;
		if (whole != is_token(b))
			printf("\nbyte 0x%02x in a CSeq method: %s\n", b, sw_sip_reason_name(r));
		CU_ASSERT_EQUAL(whole, is_token(b));
	}
}

static void
every_byte_value_in_a_call_id_is_checked(void)
{
	static const char msg[] =
	        "SIP/2.0 200 OK\r\n"
	        "Call-ID: abc#def@example.org\r\n"
	        "Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
	        "CSeq: 1 REGISTER\r\n"
	        "From: <sip:1000@example.org>;tag=FromTag01\r\n"
	        "To: <sip:1000@example.org>;tag=ToTag02\r\n"
	        "Server: a server name long enough to keep vector loads in bounds\r\n"
	        "Content-Length: 0\r\n"
	        "\r\n";
	char buf[512];
	struct sw_sip_msg m;

	for (unsigned b = 0; b < 256; b++) {
		enum sw_sip_reason r = parse_probe(&m, msg, b, buf, sizeof(buf));

		if (b == '\n' || b == '\r')
			continue; /* ends the line: another verdict */
		if (b > 0x20 && b < 0x7f) {
			CU_ASSERT_EQUAL(r, SW_SIP_OK);
		} else {
			CU_ASSERT_EQUAL(r, SW_SIP_BAD_CALL_ID);
		}
	}
}

static void
parameters_of_every_shape_give_the_same_slices(void)
{
	/* white space around '=', a quoted value with an escape, a quoted value longer than one
	 * vector, a value running past 32 bytes, an empty quoted value */
	static const char msg[] =
	        "SIP/2.0 401 Unauthorized\r\n"
	        "Via: SIP/2.0/UDP h;rport = 5060 ;received=\r\n 198.18.0.1;branch=z9hG4bK"
	        "0123456789012345678901234567890123456789\r\n"
	        "WWW-Authenticate: Digest realm=\"ex\\\"ample\",nonce=\"0123456789012345678901234567"
	        "89012345678901234567890123456789\", opaque=\"\", qop = \"auth\"\r\n"
	        "CSeq: 1 REGISTER\r\n" TAIL;
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, msg, sizeof(msg) - 1, SW_SIP_WANT_ALL), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.via_rport, 5060);
	CU_ASSERT_EQUAL(m.via_received.len, 10);
	CU_ASSERT(memcmp(m.via_received.p, "198.18.0.1", 10) == 0);
	CU_ASSERT_EQUAL(m.via_branch.len, 47);
	CU_ASSERT_EQUAL(m.challenge.realm.len, 9);
	CU_ASSERT(memcmp(m.challenge.realm.p, "ex\\\"ample", 9) == 0);
	CU_ASSERT_EQUAL(m.challenge.nonce.len, 60);
	CU_ASSERT_EQUAL(m.challenge.opaque.len, 0);
	CU_ASSERT_EQUAL(m.challenge.qop_auth, 1);
}

static void
a_parameter_without_value_after_its_equal_sign_is_refused(void)
{
	static const char msg[] = "SIP/2.0 200 OK\r\n"
	                          "Via: SIP/2.0/UDP h;branch=;rport\r\n"
	                          "CSeq: 1 REGISTER\r\n" TAIL;
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL(sw_sip_parse(&m, msg, sizeof(msg) - 1, SW_SIP_WANT_ALL), SW_SIP_BAD_VIA);
}

static void
common_header_names_match_in_any_case_and_only_with_their_colon(void)
{
	static const char *const names[] = {
	        "WWW-Authenticate",
	        "www-authenticate",
	        "Proxy-Authenticate",
	        "PROXY-AUTHENTICATE",
	        "Retry-After",
	        "retry-after",
	        "Content-Length",
	        "content-length",
	        "Server",
	        "User-Agent",
	        "Max-Forwards",
	        "Supported",
	        "Allow",
	        "Date",
	        "Content-Type",
	};
	char buf[512];
	struct sw_sip_msg m;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* a value every one of these headers accepts as our parser decodes it */
		int n = snprintf(buf, sizeof(buf),
		                 "SIP/2.0 200 OK\r\n%s: 0\r\n"
		                 "Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
		                 "CSeq: 1 REGISTER\r\n" TAIL,
		                 names[i]);
		enum sw_sip_reason r = sw_sip_parse(&m, buf, (size_t)n, SW_SIP_WANT_ALL);

		if (strcmp(names[i] + 1, "ww-authenticate") == 0 ||
		    strcasecmp(names[i], "proxy-authenticate") == 0) {
			CU_ASSERT_EQUAL(r, SW_SIP_OK); /* "0" is another scheme: not ours */
			CU_ASSERT_EQUAL(m.challenge.present, 0);
		} else if (strcasecmp(names[i], "content-length") == 0) {
			/* the TAIL has a Content-Length too */
			CU_ASSERT_EQUAL(r, SW_SIP_DUPLICATE_HEADER);
		} else {
			CU_ASSERT_EQUAL(r, SW_SIP_OK);
		}
		if (strcasecmp(names[i], "retry-after") == 0)
			CU_ASSERT_EQUAL(m.retry_after, 0);
		/* a name one byte longer is another header */
		n = snprintf(buf, sizeof(buf),
		             "SIP/2.0 200 OK\r\n%sx: 0\r\n"
		             "Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
		             "CSeq: 1 REGISTER\r\n" TAIL,
		             names[i]);
		CU_ASSERT_EQUAL(sw_sip_parse(&m, buf, (size_t)n, SW_SIP_WANT_ALL), SW_SIP_OK);
		CU_ASSERT_EQUAL(m.retry_after, -1);
	}
}

static void
a_message_shorter_than_one_vector_parses_like_a_long_one(void)
{
	/* under 64 bytes: line ends found byte by byte; compact names */
	static const char msg[] =
	        "SIP/2.0 200 OK\nv:SIP/2.0/UDP h\nf:<s:a>\nt:<s:a>\ni:c\nCSeq:1 A\n\n";
	struct sw_sip_msg m;
	char *b = malloc(sizeof(msg) - 1);

	CU_ASSERT_FATAL(sizeof(msg) - 1 < 64);
	memcpy(b, msg, sizeof(msg) - 1);
	CU_ASSERT_EQUAL(sw_sip_parse(&m, b, sizeof(msg) - 1, SW_SIP_WANT_ALL), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.header_count, 5);
	CU_ASSERT_EQUAL(m.cseq_method_s.len, 1);
	free(b);
}

static void
the_branch_only_mask_finds_the_branch_of_the_first_via_value(void)
{
	static const char ok[] = "SIP/2.0 200 OK\r\n"
	                         "Via: SIP/2.0/UDP h;x=\"a;branch=no\";rport;BRANCH = z9hG4bKyes;"
	                         "branch=z9hG4bKlater, SIP/2.0/UDP g;branch=z9hG4bKother\r\n"
	                         "CSeq: 1 REGISTER\r\n" TAIL;
	static const char lax[] = "SIP/2.0 200 OK\r\n"
	                          "Via: not a sent-by at all;branch=z9hG4bKyes\r\n"
	                          "CSeq: 1 REGISTER\r\n" TAIL;
	static const char empty[] = "SIP/2.0 200 OK\r\n"
	                            "Via: SIP/2.0/UDP h;branch=;rport\r\n"
	                            "CSeq: 1 REGISTER\r\n" TAIL;
	static const char none[] = "SIP/2.0 200 OK\r\n"
	                           "Via: SIP/2.0/UDP h;rport, SIP/2.0/UDP g;branch=z9hG4bKother\r\n"
	                           "CSeq: 1 REGISTER\r\n" TAIL;
	struct sw_sip_msg m;

	CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, ok, sizeof(ok) - 1, SW_SIP_WANT_BRANCH), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.via_branch.len, 10);
	CU_ASSERT(memcmp(m.via_branch.p, "z9hG4bKyes", 10) == 0);
	CU_ASSERT_EQUAL(m.via_host.len, 0); /* not decoded */
	CU_ASSERT_EQUAL(m.via_rport, -1);
	/* the full decode gives the same branch */
	CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, ok, sizeof(ok) - 1, SW_SIP_WANT_VIA), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.via_branch.len, 10);
	CU_ASSERT(memcmp(m.via_branch.p, "z9hG4bKyes", 10) == 0);

	CU_ASSERT_EQUAL(sw_sip_parse(&m, lax, sizeof(lax) - 1, SW_SIP_WANT_BRANCH), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.via_branch.len, 10);
	CU_ASSERT_EQUAL(sw_sip_parse(&m, lax, sizeof(lax) - 1, SW_SIP_WANT_VIA), SW_SIP_BAD_VIA);
	CU_ASSERT_EQUAL(sw_sip_parse(&m, empty, sizeof(empty) - 1, SW_SIP_WANT_BRANCH),
	                SW_SIP_BAD_VIA);
	CU_ASSERT_EQUAL(sw_sip_parse(&m, none, sizeof(none) - 1, SW_SIP_WANT_BRANCH), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.via_branch.len, 0);
}

/* The branch-only walk takes the ';' stops 32 bytes at a time and hands over to a byte walk at
 * a quote or a comma: each shape at every offset against the whole Via parse. */
static void
the_branch_only_mask_agrees_with_the_whole_via_wherever_the_stops_fall(void)
{
	static const char *const tails[] = {
	        ";branch=z9hG4bKyes",
	        ";y=\"q;branch=no\";branch=z9hG4bKyes",
	        ", SIP/2.0/UDP g;branch=z9hG4bKother",
	        " ; BRANCH = z9hG4bKyes;branch=z9hG4bKlater",
	        ";branchx=1;rport;branch=z9hG4bKyes",
	        ";y=\"a\\\";branch=no\";rport=5060;branch=z9hG4bKyes",
	        ";rport;received=198.18.0.10",
	};
	char buf[512], pad[96];
	struct sw_sip_msg a, b;

	for (unsigned t = 0; t < SW_ARRAY_SIZE(tails); t++) {
		for (unsigned k = 0; k < 80; k++) {
			int n;
			enum sw_sip_reason ra, rb;

			memset(pad, 'a', k);
			pad[k] = '\0';
			n = snprintf(buf, sizeof(buf),
			             "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;x=b%s%s\r\n"
			             "CSeq: 1 REGISTER\r\n" TAIL,
			             pad, tails[t]);
			CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(buf));
			ra = sw_sip_parse(&a, buf, (size_t)n, SW_SIP_WANT_BRANCH);
			rb = sw_sip_parse(&b, buf, (size_t)n, SW_SIP_WANT_VIA);
			CU_ASSERT_EQUAL(ra, SW_SIP_OK);
			CU_ASSERT_EQUAL(rb, SW_SIP_OK);
			CU_ASSERT_EQUAL(a.via_branch.len, b.via_branch.len);
			CU_ASSERT(a.via_branch.len == 0 || a.via_branch.p == b.via_branch.p);
			CU_ASSERT_EQUAL(a.via_branch.len, t == 2 || t == 6 ? 0u : 10u);
		}
	}
}

/* The ";expires=N" shortcut of a Contact against what next_param gives (verdicts and values
 * as the parser had them before the shortcut). */
static void
a_contact_expires_parses_as_a_generic_parameter_would(void)
{
	static const struct {
		const char *contact;
		enum sw_sip_reason r;
		int64_t expires;
	} t[] = {
	        {"<sip:a@h>;expires=3600", SW_SIP_OK, 3600},
	        {"<sip:a@h>;EXPIRES=7", SW_SIP_OK, 7},
	        {"<sip:a@h>;expires=36x", SW_SIP_BAD_NUMBER, 0},
	        {"<sip:a@h>;expires= 5", SW_SIP_OK, 5},
	        {"<sip:a@h>;expires=", SW_SIP_BAD_FROM_TO, 0},
	        {"<sip:a@h>;expires=99999999999", SW_SIP_OK, 4294967295},
	        {"<sip:a@h>;expires=60 ;q=0.5", SW_SIP_OK, 60},
	        {"<sip:a@h>;expires=60, <sip:b@h>;expires=1", SW_SIP_OK, 60},
	        {"<sip:a@h>;expires=\"60\"", SW_SIP_BAD_NUMBER, 0},
	        {"<sip:a@h>;expires=60;expires=70", SW_SIP_OK, 70},
	        {"<sip:a@h>;expiresx=1;expires=2", SW_SIP_OK, 2},
	        {"<sip:a@h>;expires=0012", SW_SIP_OK, 12},
	        {"sip:a@h;expires=5", SW_SIP_OK, 5},
	        {"<sip:a@h>;expires=6.5", SW_SIP_BAD_NUMBER, 0},
	};
	char buf[512];
	struct sw_sip_msg m;

	for (unsigned i = 0; i < SW_ARRAY_SIZE(t); i++) {
		int n = snprintf(buf, sizeof(buf),
		                 "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
		                 "CSeq: 1 REGISTER\r\nContact: %s\r\n" TAIL,
		                 t[i].contact);
		enum sw_sip_reason r;

		CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(buf));
		r = sw_sip_parse(&m, buf, (size_t)n, SW_SIP_WANT_CONTACT);
		if (r != t[i].r)
			printf("\nContact: %s: %s\n", t[i].contact, sw_sip_reason_name(r));
		CU_ASSERT_EQUAL(r, t[i].r);
		if (r == SW_SIP_OK)
			CU_ASSERT_EQUAL(m.contact_expires, t[i].expires);
	}
}

static const struct sw_test_case cases[] = {
        {"every byte value is classified as RFC 3261 says",
         every_byte_value_is_classified_as_rfc_3261_says},
        {"every byte value in a Call-ID is checked", every_byte_value_in_a_call_id_is_checked},
        {"parameters of every shape give the same slices",
         parameters_of_every_shape_give_the_same_slices},
        {"a parameter without value after its equal sign is refused",
         a_parameter_without_value_after_its_equal_sign_is_refused},
        {"common header names match in any case and only with their colon",
         common_header_names_match_in_any_case_and_only_with_their_colon},
        {"a message shorter than one vector parses like a long one",
         a_message_shorter_than_one_vector_parses_like_a_long_one},
        {"the branch-only mask finds the branch of the first Via value",
         the_branch_only_mask_finds_the_branch_of_the_first_via_value},
        {"the branch-only mask agrees with the whole Via wherever the stops fall",
         the_branch_only_mask_agrees_with_the_whole_via_wherever_the_stops_fall},
        {"a Contact expires parses as a generic parameter would",
         a_contact_expires_parses_as_a_generic_parameter_would},
        {NULL, NULL},
};

const struct sw_test_suite suite_parse_fast = {"sip parse fast paths", NULL, NULL, cases};
