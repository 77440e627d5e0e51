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

#include "sip_private.h"
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

/* The same slices (pointer and length) and flags. */
static int
same_challenge(const struct sw_sip_challenge *a, const struct sw_sip_challenge *b)
{
#define SAME(x) (a->x.p == b->x.p && a->x.len == b->x.len)
	return SAME(realm) && SAME(nonce) && SAME(opaque) && SAME(qop) && SAME(algorithm) &&
	       a->present == b->present && a->proxy == b->proxy && a->stale == b->stale &&
	       a->qop_auth == b->qop_auth && a->algo == b->algo;
#undef SAME
}

static int
challenge_is_zero(const struct sw_sip_challenge *c)
{
	static const struct sw_sip_challenge zero;
	return same_challenge(c, &zero);
}

/*
 * The value v (copied into a buffer of exactly n bytes, so that a read past it trips ASan):
 * the public parse equals the general loop, and the fast path, when it takes the value, too
 * (it leaves c zero when it does not). Returns -1 when they differ, else what the fast path
 * returned (0 not taken, 1 taken, 2 taken by the Kamailio form).
 */
static int
challenge_paths_agree(const char *v, size_t n)
{
	char *b = malloc(n > 0 ? n : 1);
	struct sw_sip_challenge f, g, c;
	enum sw_sip_reason rg, rc;
	int taken, ok;

	CU_ASSERT_FATAL(b != NULL);
	memcpy(b, v, n);
	taken = sw_sip_challenge_parse_fast(&f, b, n);
	rg = sw_sip_challenge_parse_general(&g, b, n);
	rc = sw_sip_challenge_parse(&c, b, n);
	ok = rc == rg && same_challenge(&c, &g) &&
	     (taken ? rg == SW_SIP_OK && same_challenge(&f, &g) : challenge_is_zero(&f));
	if (!ok)
		printf("\nchallenge paths differ (fast %d, %s / %s): %.*s\n", taken,
		       sw_sip_reason_name(rc), sw_sip_reason_name(rg), (int)n, v);
	free(b);
	return ok ? taken : -1;
}

/*
 * A From value of the usual shape ("<uri>" and at most one ";tag=" running to its end) takes
 * addr_fast(); a space after the '>' sends the same value through parse_addr()'s walk. Both
 * give the same result and the same tag, for the shape and for its near misses.
 */
static void
a_from_tag_parses_as_with_the_general_walk(void)
{
	static const char *const after[] = {
	        "",           ";tag=abc",       ";TAG=a.b-c!%*_+`'~", ";tag=",   ";tag=a;x=y",
	        ";tag=\"q\"", ";tag=a b",       ";tag=[::1]:5",       ";tagx=1", ";tag=1,<sip:b>",
	        ";tag",       ";tag=\xc3\xa9x", ";tag=a\x01",         "x",       ">",
	};
	char buf[2][512];
	int n[2];
	struct sw_sip_msg m[2];
	enum sw_sip_reason r[2];

	for (unsigned i = 0; i < SW_ARRAY_SIZE(after); i++) {
		for (unsigned k = 0; k < 2; k++) {
			n[k] = snprintf(
			        buf[k], sizeof(buf[k]),
			        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
			        "From: <sip:a@h>%s%s\r\nTo: <sip:b@h>\r\nCall-ID: c@h\r\n"
			        "CSeq: 1 REGISTER\r\n"
			        "Server: a server name long enough to keep vector loads in bounds\r\n"
			        "Content-Length: 0\r\n\r\n",
			        k ? " " : "", after[i]);
			CU_ASSERT_FATAL(n[k] > 0 && (size_t)n[k] < sizeof(buf[k]));
			r[k] = sw_sip_parse(&m[k], buf[k], (size_t)n[k], SW_SIP_WANT_TAGS);
		}
		if (r[0] != r[1])
			printf("\nFrom: <sip:a@h>%s: %s / %s\n", after[i], sw_sip_reason_name(r[0]),
			       sw_sip_reason_name(r[1]));
		CU_ASSERT_EQUAL(r[0], r[1]);
		CU_ASSERT_EQUAL(m[0].from_tag.len, m[1].from_tag.len);
		if (m[0].from_tag.len == m[1].from_tag.len && m[0].from_tag.len > 0)
			CU_ASSERT(memcmp(m[0].from_tag.p, m[1].from_tag.p, m[0].from_tag.len) == 0);
	}
	/* and the usual shape gives what it says */
	CU_ASSERT_EQUAL(r[0], SW_SIP_BAD_FROM_TO);
	n[0] = snprintf(buf[0], sizeof(buf[0]),
	                "REGISTER sip:h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
	                "From: <sip:a@h>;tag=Ft1\r\nTo: <sip:a@h>\r\nCall-ID: c@h\r\n"
	                "CSeq: 7 REGISTER\r\nContact: <sip:a@198.18.0.1>;expires=3600\r\n"
	                "Content-Length: 0\r\n\r\n");
	CU_ASSERT_EQUAL(sw_sip_parse(&m[0], buf[0], (size_t)n[0], SW_SIP_WANT_ALL), SW_SIP_OK);
	CU_ASSERT_EQUAL(m[0].method, SW_SIP_METHOD_REGISTER);
	CU_ASSERT_EQUAL(m[0].method_s.len, 8);
	CU_ASSERT_EQUAL(m[0].cseq, 7);
	CU_ASSERT_EQUAL(m[0].cseq_method, SW_SIP_METHOD_REGISTER);
	CU_ASSERT_EQUAL(m[0].from_tag.len, 3);
	CU_ASSERT_EQUAL(m[0].to_tag.len, 0);
	CU_ASSERT_EQUAL(m[0].contact_uri.len, 16); /* "sip:a@198.18.0.1" */
	CU_ASSERT_EQUAL(m[0].contact_expires, 3600);
}

/*
 * what Kamailio, Asterisk and FreeSWITCH send, and the variants the fast path also reads; the
 * first KAMAILIO_FORMS in the order and spelling of challenge_kamailio() (the last two with
 * the emulated cluster's ", algorithm=MD5" tail)
 */
#define KAMAILIO_FORMS 6
static const char *const usual_challenges[] = {
        "Digest realm=\"example.org\", "
        "nonce=\"ZGVhZGJlZWZjYWZlYmFiZTAxMjM0NTY3ODlhYmNkZWYwMTI=\", qop=\"auth\"",
        "DIGEST REALM=\"a\", NONCE=\"b\", QOP=\"AUTH\"",
        "Digest realm=\"\", nonce=\"n, qop=x\", qop=\"auth\"",
        "Digest realm=\"a, nonce=\", nonce=\"a\", qop=\"auth\"",
        "Digest realm=\"a\", nonce=\"b\", qop=\"auth\", algorithm=MD5",
        "Digest realm=\"198.18.0.2\", nonce=\"XrS4U1sMxGc+3Ob+7pNfqWNIAT5sJzUD\", qop=\"auth\", "
        "algorithm=MD5",
        /* the same tail with another algorithm, or one byte more: challenge_fast() */
        "Digest realm=\"a\", nonce=\"b\", qop=\"auth\", algorithm=SHA-256",
        "Digest realm=\"a\", nonce=\"b\", qop=\"auth\", algorithm=MD5x",
        "Digest realm=\"a\", nonce=\"b\", qop=\"auth\", algorithm=md5-sess",
        "Digest realm=\"a\", nonce=\"b\", qop=\"auth\", qop=\"auth\"",
        "Digest realm=\"a\", nonce=\"b\", qop=\"auth-int\"",
        "Digest realm=\"a\",nonce=\"b\", qop=\"auth\"",
        "Digest algorithm=MD5, realm=\"asterisk\", nonce=\"1b8ad7c4\"",
        "Digest realm=\"198.18.0.1\", nonce=\"d0b7ffa2-2b1f-11ee-9e44-4f6b5d1a7f3e\", "
        "algorithm=MD5, qop=\"auth\"",
        "Digest realm=\"a\", nonce=\"b\", opaque=\"c\", stale=TRUE, algorithm=SHA-256-sess",
        "Digest realm=\"a\",nonce=\"b\",qop=\"auth-int,auth\",algorithm=sha-256",
        "DIGEST REALM=\"a\", Nonce=\"b\", QOP=\"AUTH\", ALGORITHM=md5-sess, Stale=false",
        "Digest realm=\"a\", nonce=\"b\", realm=\"c\", nonce=\"d\", qop=\"auth\", "
        "qop=\"auth-int\", stale=true, stale=no",
        "Digest realm=\"\", qop=\"\", nonce=\"n\", opaque=\"\"",
        "Digest realm=\"a, b=c; d\", nonce=\"n o,p\", qop=\" auth , auth-int \"",
        "Digest realm=\"a\", nonce=\"b\", algorithm=AKAv1-MD5, qop=\"auth-int\"",
        "Digest stale=true, qop=\"auth\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", "
        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", realm=\"testrealm@host.com\"",
};

static void
the_usual_challenges_take_the_fast_path_and_equal_the_general_loop(void)
{
	char big[400];
	int n;

	for (unsigned i = 0; i < SW_ARRAY_SIZE(usual_challenges); i++) {
		const char *v = usual_challenges[i];
		int r = challenge_paths_agree(v, strlen(v));

		if (r != (i < KAMAILIO_FORMS ? 2 : 1))
			printf("\nfast path %d for: %s\n", r, v);
		CU_ASSERT_EQUAL(r, i < KAMAILIO_FORMS ? 2 : 1);
	}
	/* a nonce of SW_SIP_CHALLENGE_FIELD_MAX bytes is taken (Kamailio form), one more is
	 * refused by the general loop */
	for (unsigned len = SW_SIP_CHALLENGE_FIELD_MAX; len <= SW_SIP_CHALLENGE_FIELD_MAX + 1;
	     len++) {
		struct sw_sip_challenge c;

		n = snprintf(big, sizeof(big), "Digest realm=\"r\", nonce=\"%0*u\", qop=\"auth\"",
		             (int)len, 7u);
		CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(big));
		CU_ASSERT_EQUAL(challenge_paths_agree(big, (size_t)n),
		                len == SW_SIP_CHALLENGE_FIELD_MAX ? 2 : 0);
		CU_ASSERT_EQUAL(sw_sip_challenge_parse(&c, big, (size_t)n),
		                len == SW_SIP_CHALLENGE_FIELD_MAX ? SW_SIP_OK
		                                                  : SW_SIP_OVERSIZE_FIELD);
	}
}

static void
unusual_challenges_fall_back_to_the_general_loop(void)
{
	static const char *const t[] = {
	        "Digest  realm=\"a\", nonce=\"b\"",
	        "Digest\trealm=\"a\", nonce=\"b\"",
	        " Digest realm=\"a\", nonce=\"b\"",
	        "Digest realm=\"a\" , nonce=\"b\"",
	        "Digest realm=\"a\",  nonce=\"b\"",
	        "Digest realm=\"a\",\tnonce=\"b\"",
	        "Digest realm=\"a\",\r\n nonce=\"b\"",
	        "Digest realm = \"a\", nonce=\"b\"",
	        "Digest realm=a, nonce=\"b\"",
	        "Digest realm=\"a\", nonce=b",
	        "Digest realm=\"a\", qop=auth, nonce=\"b\"",
	        "Digest realm=\"a\\\"b\", nonce=\"c\"",
	        "Digest realm=\"a\", nonce=\"b\\\\\"",
	        "Digest realm=\"a\", domain=\"sip:x\", nonce=\"b\"",
	        "Digest realm=\"a\", nonce=\"b\", auth-param=x",
	        "Digest realms=\"a\", nonce=\"b\"",
	        "Digest realm=\"a\", nonce=\"b\",",
	        "Digest realm=\"a\", nonce=\"b\", ",
	        "Digest realm=\"a\", nonce=\"\"",
	        "Digest nonce=\"b\"",
	        "Digest realm=\"a\"",
	        "Digest realm=\"a\", nonce=\"b",
	        "Digest realm=\"a\", nonce=\"b\"x",
	        "Digest realm=\"a\", nonce=\"b\"; qop=\"auth\"",
	        "Digest realm=\"a\", nonce=\"b\", qop=\"auth int\"",
	        "Digest realm=\"a\", nonce=\"b\", algorithm=",
	        "Digest realm=\"a\", nonce=\"b\", algorithm=\"MD5\"",
	        "Digest realm=\"a\", nonce=\"b\", stale",
	        "Digest realm=\"a\", nonce=\"b\", stale=\"true\"",
	        /* fewer than 8 bytes left for the last name's load (the buffer ends there) */
	        "Digest realm=\"a\", nonce=\"b\", qop=\"\"",
	        "Digest",
	        "Digest ",
	        "Digest x",
	        "Basic realm=\"a\"",
	        "Digestrealm=\"a\", nonce=\"b\"",
	        "",
	};

	for (unsigned i = 0; i < SW_ARRAY_SIZE(t); i++) {
		int r = challenge_paths_agree(t[i], strlen(t[i]));

		if (r != 0)
			printf("\n%s by the fast path: %s\n", r < 0 ? "differs" : "taken", t[i]);
		CU_ASSERT_EQUAL(r, 0);
	}
}

static void
every_truncation_of_a_challenge_equals_the_general_loop(void)
{
	static const char pre[] = "SIP/2.0 401 Unauthorized\r\n"
	                          "Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
	                          "CSeq: 1 REGISTER\r\n"
	                          "WWW-Authenticate: ";
	static const char post[] = "\r\n" TAIL;
	char buf[1024];

	for (unsigned i = 0; i < SW_ARRAY_SIZE(usual_challenges); i++) {
		const char *v = usual_challenges[i];
		size_t n = strlen(v);

		for (size_t k = 0; k <= n; k++) {
			struct sw_sip_msg m;
			struct sw_sip_challenge g;
			enum sw_sip_reason r, rg;
			size_t len = sizeof(pre) - 1 + k + sizeof(post) - 1, t = k;

			/* alone, in a buffer that ends with it */
			CU_ASSERT(challenge_paths_agree(v, k) >= 0);
			/* inside a 401, with the rest of the datagram after it (vector loads
			 * past the value's end); the parser trims trailing white space */
			CU_ASSERT_FATAL(len < sizeof(buf));
			memcpy(buf, pre, sizeof(pre) - 1);
			memcpy(buf + sizeof(pre) - 1, v, k);
			memcpy(buf + sizeof(pre) - 1 + k, post, sizeof(post) - 1);
			while (t > 0 && v[t - 1] == ' ')
				t--;
			r = sw_sip_parse(&m, buf, len, SW_SIP_WANT_AUTH);
			rg = sw_sip_challenge_parse_general(&g, buf + sizeof(pre) - 1, t);
			if (r != rg || (r == SW_SIP_OK && !same_challenge(&m.challenge, &g)))
				printf("\n401 truncated at %zu differs (%s / %s): %.*s\n", k,
				       sw_sip_reason_name(r), sw_sip_reason_name(rg), (int)k, v);
			CU_ASSERT_EQUAL(r, rg);
			if (r == SW_SIP_OK)
				CU_ASSERT(same_challenge(&m.challenge, &g));
		}
	}
}

static void
every_byte_value_anywhere_in_a_challenge_equals_the_general_loop(void)
{
	static const char *const bases[] = {
	        "Digest realm=\"r\", nonce=\"n1\", opaque=\"o\", qop=\"auth\", algorithm=MD5, "
	        "stale=true",
	        "Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"",
	};
	char buf[128];
	unsigned bad = 0;

	for (unsigned j = 0; j < SW_ARRAY_SIZE(bases); j++) {
		const char *base = bases[j];
		const size_t n = strlen(base);

		CU_ASSERT_FATAL(n < sizeof(buf));
		CU_ASSERT_EQUAL(challenge_paths_agree(base, n), j == 0 ? 1 : 2);
		for (size_t i = 0; i <= n; i++) {
			for (unsigned b = 0; b < 256; b++) {
				/* the byte in place of base[i], then inserted before it */
				if (i < n) {
					memcpy(buf, base, n);
					buf[i] = (char)b;
					bad += challenge_paths_agree(buf, n) < 0;
				}
				memcpy(buf, base, i);
				buf[i] = (char)b;
				memcpy(buf + i + 1, base + i, n - i);
				bad += challenge_paths_agree(buf, n + 1) < 0;
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* the value of the first Authorization, trimmed, as a registrar reads it; p NULL otherwise */
static void
the_authorization_value_is_kept_only_when_asked_for(void)
{
	static const char head[] = "REGISTER sip:pbx.test SIP/2.0\r\n"
	                           "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK1\r\n"
	                           "From: <sip:u@pbx.test>;tag=a\r\nTo: <sip:u@pbx.test>\r\n"
	                           "Call-ID: c1\r\nCSeq: 2 REGISTER\r\n";
	static const struct {
		const char *lines, *value; /* value NULL: none */
	} cases[] = {
	        {"Authorization: Digest username=\"u\"\r\n", "Digest username=\"u\""},
	        {"authorization:Digest a=b  \r\n", "Digest a=b"},
	        {"AUTHORIZATION : Digest x\r\n", "Digest x"},
	        {"Authorization: Digest x\r\n y=z\r\n", "Digest x\r\n y=z"},
	        {"Authorization:\r\n", ""},
	        {"Authorization: one\r\nAuthorization: two\r\n", "one"},
	        {"Proxy-Authorization: p\r\nAuthorization: a\r\n", "a"},
	        {"Authorizations: x\r\n", NULL},
	        {"", NULL},
	};
	char buf[512];
	struct sw_sip_msg m;
	const unsigned want = SW_SIP_WANT_TAGS | SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS;

	for (unsigned i = 0; i < SW_ARRAY_SIZE(cases); i++) {
		int n = snprintf(buf, sizeof(buf), "%s%sContent-Length: 0\r\n\r\n", head,
		                 cases[i].lines);

		CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(buf));
		CU_ASSERT_EQUAL(sw_sip_parse(&m, buf, (size_t)n, want | SW_SIP_WANT_AUTHORIZATION),
		                SW_SIP_OK);
		if (cases[i].value == NULL) {
			CU_ASSERT_PTR_NULL(m.authorization.p);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(m.authorization.p);
			CU_ASSERT_EQUAL(m.authorization.len, strlen(cases[i].value));
			CU_ASSERT(memcmp(m.authorization.p, cases[i].value, m.authorization.len) ==
			          0);
		}
		CU_ASSERT_EQUAL(sw_sip_parse(&m, buf, (size_t)n, want), SW_SIP_OK);
		CU_ASSERT_PTR_NULL(m.authorization.p);
	}
}

/*
 * The shortcuts for one-digit CSeq and Content-Length values and 4-digit Expires and Contact
 * expires values, their neighbours, and each of them with every byte value in one digit's
 * place: what the digit loop gives (the value, or the rejection).
 */
static void
numbers_of_the_usual_shapes_parse_as_the_digit_loop_does(void)
{
	static const struct {
		const char *lines;
		enum sw_sip_reason r;
		uint32_t cseq;
		int64_t expires, contact_expires;
	} cases[] = {
	        {"CSeq: 1 REGISTER\r\n", SW_SIP_OK, 1, -1, -1},
	        {"CSeq: 0 REGISTER\r\n", SW_SIP_OK, 0, -1, -1},
	        {"CSeq: 12 REGISTER\r\n", SW_SIP_OK, 12, -1, -1},
	        {"CSeq: 1\tREGISTER\r\n", SW_SIP_OK, 1, -1, -1},
	        {"CSeq: 1  REGISTER\r\n", SW_SIP_OK, 1, -1, -1},
	        {"CSeq: 1 REGISTERS\r\n", SW_SIP_OK, 1, -1, -1},
	        {"CSeq: 1 REGISTE\r\n", SW_SIP_OK, 1, -1, -1},
	        {"CSeq: x REGISTER\r\n", SW_SIP_BAD_CSEQ, 0, -1, -1},
	        {"CSeq: 1xREGISTER\r\n", SW_SIP_BAD_CSEQ, 0, -1, -1},
	        {"CSeq: 1 REGISTER\r\nExpires: 3600\r\n", SW_SIP_OK, 1, 3600, -1},
	        {"CSeq: 1 REGISTER\r\nExpires: 0360\r\n", SW_SIP_OK, 1, 360, -1},
	        {"CSeq: 1 REGISTER\r\nExpires: 9999\r\n", SW_SIP_OK, 1, 9999, -1},
	        {"CSeq: 1 REGISTER\r\nExpires: 36000\r\n", SW_SIP_OK, 1, 36000, -1},
	        {"CSeq: 1 REGISTER\r\nExpires: 360\r\n", SW_SIP_OK, 1, 360, -1},
	        {"CSeq: 1 REGISTER\r\nExpires: 4294967296\r\n", SW_SIP_OK, 1, UINT32_MAX, -1},
	        {"CSeq: 1 REGISTER\r\nExpires: 360a\r\n", SW_SIP_BAD_NUMBER, 1, -1, -1},
	        {"CSeq: 1 REGISTER\r\nExpires: 36 0\r\n", SW_SIP_BAD_NUMBER, 1, -1, -1},
	        {"CSeq: 1 REGISTER\r\nExpires: /600\r\n", SW_SIP_BAD_NUMBER, 1, -1, -1},
	        {"CSeq: 1 REGISTER\r\nExpires: 60:0\r\n", SW_SIP_BAD_NUMBER, 1, -1, -1},
	        {"CSeq: 1 REGISTER\r\nContact: <sip:u@h>;expires=3600\r\n", SW_SIP_OK, 1, -1, 3600},
	        {"CSeq: 1 REGISTER\r\nContact: <sip:u@h>;expires=0000\r\n", SW_SIP_OK, 1, -1, 0},
	        {"CSeq: 1 REGISTER\r\nContact: <sip:u@h>;expires=36000\r\n", SW_SIP_OK, 1, -1,
	         36000},
	        {"CSeq: 1 REGISTER\r\nContact: <sip:u@h>;expires=36a0\r\n", SW_SIP_BAD_NUMBER, 1,
	         -1, -1},
	};
	static const char head[] = "SIP/2.0 200 OK\r\n"
	                           "Via: SIP/2.0/UDP 198.18.0.1:5060;branch=z9hG4bK1\r\n"
	                           "From: <sip:u@pbx.test>;tag=a\r\nTo: <sip:u@pbx.test>\r\n"
	                           "Call-ID: c1\r\n";
	static const char *const sweeps[] = {
	        "CSeq: # REGISTER\r\nContent-Length: 0\r\n\r\n",
	        "CSeq: 1 REGISTER\r\nExpires: 36#0\r\nContent-Length: 0\r\n\r\n",
	        "CSeq: 1 REGISTER\r\nContact: <sip:u@h>;expires=#600\r\nContent-Length: "
	        "0\r\n\r\n",
	        "CSeq: 1 REGISTER\r\nContent-Length: #\r\n\r\n123456789",
	};
	char buf[512];
	struct sw_sip_msg m;

	for (unsigned i = 0; i < SW_ARRAY_SIZE(cases); i++) {
		int n = snprintf(buf, sizeof(buf), "%s%sContent-Length: 0\r\n\r\n", head,
		                 cases[i].lines);
		enum sw_sip_reason r;

		CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(buf));
		r = sw_sip_parse(&m, buf, (size_t)n, SW_SIP_WANT_ALL);
		if (r != cases[i].r)
			printf("\n%s: %s\n", cases[i].lines, sw_sip_reason_name(r));
		CU_ASSERT_EQUAL(r, cases[i].r);
		if (r != SW_SIP_OK)
			continue;
		CU_ASSERT_EQUAL(m.cseq, cases[i].cseq);
		CU_ASSERT_EQUAL(m.expires, cases[i].expires);
		CU_ASSERT_EQUAL(m.contact_expires, cases[i].contact_expires);
		CU_ASSERT_EQUAL(m.content_length, 0);
	}
	for (unsigned k = 0; k < SW_ARRAY_SIZE(sweeps); k++) {
		for (unsigned b = 0; b < 256; b++) {
			int n = snprintf(buf, sizeof(buf), "%s%s", head, sweeps[k]);
			char *at = strchr(buf + sizeof(head) - 1, '#');
			/* a generic parameter allows white space after its "=" */
			int ws = k == 2 && (b == ' ' || b == '\t' || b == '\r');
			int digit = b >= '0' && b <= '9';
			enum sw_sip_reason r;

			CU_ASSERT_FATAL(n > 0 && (size_t)n < sizeof(buf) && at != NULL);
			*at = (char)b;
			r = sw_sip_parse(&m, buf, (size_t)n, SW_SIP_WANT_ALL);
			if ((r == SW_SIP_OK) != (digit || ws))
				printf("\nsweep %u byte 0x%02x: %s\n", k, b, sw_sip_reason_name(r));
			CU_ASSERT_EQUAL(r == SW_SIP_OK, digit || ws);
			if (ws && r == SW_SIP_OK)
				CU_ASSERT_EQUAL(m.contact_expires, 600);
			if (!digit || r != SW_SIP_OK)
				continue;
			if (k == 0)
				CU_ASSERT_EQUAL(m.cseq, b - '0');
			if (k == 1)
				CU_ASSERT_EQUAL(m.expires, 3600 + 10 * (b - '0'));
			if (k == 2)
				CU_ASSERT_EQUAL(m.contact_expires, 600 + 1000 * (b - '0'));
			if (k == 3) {
				CU_ASSERT_EQUAL(m.content_length, b - '0');
				CU_ASSERT_EQUAL(m.body.len, b - '0');
			}
		}
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
        {"a From tag parses as with the general walk", a_from_tag_parses_as_with_the_general_walk},
        {"the usual challenges take the fast path and equal the general loop",
         the_usual_challenges_take_the_fast_path_and_equal_the_general_loop},
        {"unusual challenges fall back to the general loop",
         unusual_challenges_fall_back_to_the_general_loop},
        {"every truncation of a challenge equals the general loop",
         every_truncation_of_a_challenge_equals_the_general_loop},
        {"every byte value anywhere in a challenge equals the general loop",
         every_byte_value_anywhere_in_a_challenge_equals_the_general_loop},
        {"the Authorization value is kept only when asked for",
         the_authorization_value_is_kept_only_when_asked_for},
        {"numbers of the usual shapes parse as the digit loop does",
         numbers_of_the_usual_shapes_parse_as_the_digit_loop_does},
        {NULL, NULL},
};

const struct sw_test_suite suite_parse_fast = {"sip parse fast paths", NULL, NULL, cases};
