/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Templates: every kind built byte for byte, authenticated REGISTERs (qop, opaque, algorithm;
 * Proxy-Authorization without qop), exact Content-Length, the buffer limit, template syntax
 * errors, and built messages parsing back to their fields.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sw_common.h"
#include "sw_sip.h"
#include "test_sip.h"

#define S(x) ((struct sw_sip_cstr){x, sizeof(x) - 1})

static const char peer_invite[] =
        "INVITE sip:2000@example.org SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKpeer;rport=5060\r\n"
        "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKproxy\r\n"
        "From: <sip:1000@example.org>;tag=caller\r\n"
        "To: <sip:2000@example.org>\r\n"
        "Call-ID: cid@x\r\n"
        "CSeq: 7 INVITE\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

static const char *const expected[SW_SIP_KIND_COUNT] = {
        [SW_SIP_KIND_REGISTER] =
                "REGISTER sip:example.org SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 198.18.0.10:5060;rport;branch=z9hG4bKBRANCHtoken00001\r\n"
                "Max-Forwards: 70\r\n"
                "From: \"Line 1000\" <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
                "To: \"Line 1000\" <sip:1000@example.org>\r\n"
                "Call-ID: CALLidToken00001\r\n"
                "CSeq: 2 REGISTER\r\n"
                "Contact: <sip:1000@198.18.0.10:5060>\r\n"
                "Expires: 3600\r\n"
                "User-Agent: sipswarm\r\n"
                "Content-Length: 0\r\n"
                "\r\n",
        [SW_SIP_KIND_INVITE] =
                "INVITE sip:2000@example.org SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 198.18.0.10:5060;rport;branch=z9hG4bKBRANCHtoken00001\r\n"
                "Max-Forwards: 70\r\n"
                "From: \"Line 1000\" <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
                "To: <sip:2000@example.org>\r\n"
                "Call-ID: CALLidToken00001\r\n"
                "CSeq: 2 INVITE\r\n"
                "Contact: <sip:1000@198.18.0.10:5060>\r\n"
                "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY\r\n"
                "User-Agent: sipswarm\r\n"
                "Content-Type: application/sdp\r\n"
                "Content-Length: 216\r\n"
                "\r\n"
                "v=0\r\n"
                "o=1000 1 1 IN IP4 198.18.0.10\r\n"
                "s=sipswarm\r\n"
                "c=IN IP4 198.18.0.10\r\n"
                "t=0 0\r\n"
                "m=audio 40000 RTP/AVP 0 8 101\r\n"
                "a=rtpmap:0 PCMU/8000\r\n"
                "a=rtpmap:8 PCMA/8000\r\n"
                "a=rtpmap:101 telephone-event/8000\r\n"
                "a=fmtp:101 0-16\r\n"
                "a=sendrecv\r\n",
        [SW_SIP_KIND_ACK] =
                "ACK sip:2000@198.18.1.1:5060 SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 198.18.0.10:5060;rport;branch=z9hG4bKBRANCHtoken00001\r\n"
                "Max-Forwards: 70\r\n"
                "From: \"Line 1000\" <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
                "To: <sip:2000@example.org>;tag=peertag\r\n"
                "Call-ID: CALLidToken00001\r\n"
                "CSeq: 2 ACK\r\n"
                "User-Agent: sipswarm\r\n"
                "Content-Length: 0\r\n"
                "\r\n",
        [SW_SIP_KIND_BYE] =
                "BYE sip:2000@198.18.1.1:5060 SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 198.18.0.10:5060;rport;branch=z9hG4bKBRANCHtoken00001\r\n"
                "Max-Forwards: 70\r\n"
                "From: \"Line 1000\" <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
                "To: <sip:2000@example.org>;tag=peertag\r\n"
                "Call-ID: CALLidToken00001\r\n"
                "CSeq: 2 BYE\r\n"
                "User-Agent: sipswarm\r\n"
                "Content-Length: 0\r\n"
                "\r\n",
        [SW_SIP_KIND_CANCEL] =
                "CANCEL sip:2000@example.org SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 198.18.0.10:5060;rport;branch=z9hG4bKBRANCHtoken00001\r\n"
                "Max-Forwards: 70\r\n"
                "From: \"Line 1000\" <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
                "To: <sip:2000@example.org>\r\n"
                "Call-ID: CALLidToken00001\r\n"
                "CSeq: 2 CANCEL\r\n"
                "User-Agent: sipswarm\r\n"
                "Content-Length: 0\r\n"
                "\r\n",
        [SW_SIP_KIND_SUBSCRIBE] =
                "SUBSCRIBE sip:1000@example.org SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 198.18.0.10:5060;rport;branch=z9hG4bKBRANCHtoken00001\r\n"
                "Max-Forwards: 70\r\n"
                "From: \"Line 1000\" <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
                "To: <sip:1000@example.org>\r\n"
                "Call-ID: CALLidToken00001\r\n"
                "CSeq: 2 SUBSCRIBE\r\n"
                "Contact: <sip:1000@198.18.0.10:5060>\r\n"
                "Event: message-summary\r\n"
                "Accept: application/simple-message-summary\r\n"
                "Expires: 3600\r\n"
                "User-Agent: sipswarm\r\n"
                "Content-Length: 0\r\n"
                "\r\n",
        [SW_SIP_KIND_OPTIONS] =
                "OPTIONS sip:example.org SIP/2.0\r\n"
                "Via: SIP/2.0/UDP 198.18.0.10:5060;rport;branch=z9hG4bKBRANCHtoken00001\r\n"
                "Max-Forwards: 70\r\n"
                "From: \"Line 1000\" <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
                "To: <sip:example.org>\r\n"
                "Call-ID: CALLidToken00001\r\n"
                "CSeq: 2 OPTIONS\r\n"
                "Contact: <sip:1000@198.18.0.10:5060>\r\n"
                "Accept: application/sdp\r\n"
                "User-Agent: sipswarm\r\n"
                "Content-Length: 0\r\n"
                "\r\n",
        [SW_SIP_KIND_100] = "SIP/2.0 100 Trying\r\n"
                            "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKpeer;rport=5060\r\n"
                            "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKproxy\r\n"
                            "From: <sip:1000@example.org>;tag=caller\r\n"
                            "To: <sip:2000@example.org>\r\n"
                            "Call-ID: cid@x\r\n"
                            "CSeq: 7 INVITE\r\n"
                            "Server: sipswarm\r\n"
                            "Content-Length: 0\r\n"
                            "\r\n",
        [SW_SIP_KIND_180] = "SIP/2.0 180 Ringing\r\n"
                            "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKpeer;rport=5060\r\n"
                            "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKproxy\r\n"
                            "From: <sip:1000@example.org>;tag=caller\r\n"
                            "To: <sip:2000@example.org>;tag=ourtag\r\n"
                            "Call-ID: cid@x\r\n"
                            "CSeq: 7 INVITE\r\n"
                            "Contact: <sip:1000@198.18.0.10:5060>\r\n"
                            "Server: sipswarm\r\n"
                            "Content-Length: 0\r\n"
                            "\r\n",
        [SW_SIP_KIND_200_SDP] = "SIP/2.0 200 OK\r\n"
                                "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKpeer;rport=5060\r\n"
                                "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKproxy\r\n"
                                "From: <sip:1000@example.org>;tag=caller\r\n"
                                "To: <sip:2000@example.org>;tag=ourtag\r\n"
                                "Call-ID: cid@x\r\n"
                                "CSeq: 7 INVITE\r\n"
                                "Contact: <sip:1000@198.18.0.10:5060>\r\n"
                                "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY\r\n"
                                "Server: sipswarm\r\n"
                                "Content-Type: application/sdp\r\n"
                                "Content-Length: 216\r\n"
                                "\r\n"
                                "v=0\r\n"
                                "o=1000 1 1 IN IP4 198.18.0.10\r\n"
                                "s=sipswarm\r\n"
                                "c=IN IP4 198.18.0.10\r\n"
                                "t=0 0\r\n"
                                "m=audio 40000 RTP/AVP 0 8 101\r\n"
                                "a=rtpmap:0 PCMU/8000\r\n"
                                "a=rtpmap:8 PCMA/8000\r\n"
                                "a=rtpmap:101 telephone-event/8000\r\n"
                                "a=fmtp:101 0-16\r\n"
                                "a=sendrecv\r\n",
        [SW_SIP_KIND_200] = "SIP/2.0 200 OK\r\n"
                            "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKpeer;rport=5060\r\n"
                            "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKproxy\r\n"
                            "From: <sip:1000@example.org>;tag=caller\r\n"
                            "To: <sip:2000@example.org>;tag=ourtag\r\n"
                            "Call-ID: cid@x\r\n"
                            "CSeq: 7 INVITE\r\n"
                            "Server: sipswarm\r\n"
                            "Content-Length: 0\r\n"
                            "\r\n",
        [SW_SIP_KIND_481] = "SIP/2.0 481 Call/Transaction Does Not Exist\r\n"
                            "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKpeer;rport=5060\r\n"
                            "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKproxy\r\n"
                            "From: <sip:1000@example.org>;tag=caller\r\n"
                            "To: <sip:2000@example.org>;tag=ourtag\r\n"
                            "Call-ID: cid@x\r\n"
                            "CSeq: 7 INVITE\r\n"
                            "Server: sipswarm\r\n"
                            "Content-Length: 0\r\n"
                            "\r\n",
        [SW_SIP_KIND_486] = "SIP/2.0 486 Busy Here\r\n"
                            "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKpeer;rport=5060\r\n"
                            "Via: SIP/2.0/UDP 198.18.0.1;branch=z9hG4bKproxy\r\n"
                            "From: <sip:1000@example.org>;tag=caller\r\n"
                            "To: <sip:2000@example.org>;tag=ourtag\r\n"
                            "Call-ID: cid@x\r\n"
                            "CSeq: 7 INVITE\r\n"
                            "Server: sipswarm\r\n"
                            "Content-Length: 0\r\n"
                            "\r\n",
};

static const char expected_auth[] =
        "REGISTER sip:example.org SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 198.18.0.10:5060;rport;branch=z9hG4bKBRANCHtoken00001\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
        "To: <sip:1000@example.org>\r\n"
        "Call-ID: CALLidToken00001\r\n"
        "CSeq: 2 REGISTER\r\n"
        "Contact: <sip:1000@198.18.0.10:5060>\r\n"
        "Authorization: Digest username=\"1000\", realm=\"example.org\", nonce=\"0123456789abcdef0123456789abcdef01234567\", uri=\"sip:example.org\", response=\"87707908ea2bc9a7d9afe87854487b8e\", algorithm=MD5, opaque=\"op4\", qop=auth, nc=00000001, cnonce=\"0badf00d\"\r\n"
        "Expires: 3600\r\n"
        "User-Agent: Yealink SIP-T46S 66.86.0.15\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

static const char expected_proxy_noqop[] =
        "REGISTER sip:example.org SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 198.18.0.10:5060;rport;branch=z9hG4bKBRANCHtoken00001\r\n"
        "Max-Forwards: 70\r\n"
        "From: <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
        "To: <sip:1000@example.org>\r\n"
        "Call-ID: CALLidToken00001\r\n"
        "CSeq: 2 REGISTER\r\n"
        "Contact: <sip:1000@198.18.0.10:5060>\r\n"
        "Proxy-Authorization: Digest username=\"1000\", realm=\"example.org\", nonce=\"0123456789abcdef0123456789abcdef01234567\", uri=\"sip:example.org\", response=\"128ac368dc934d6de97b8d1bce1f2d11\"\r\n"
        "Expires: 3600\r\n"
        "User-Agent: Yealink SIP-T46S 66.86.0.15\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

static struct sw_sip_msg peer;

static void
fill_vars(struct sw_sip_vars *v)
{
	memset(v, 0, sizeof(*v));
	v->s[SW_SIP_V_USER] = S("1000");
	v->s[SW_SIP_V_DISPLAY] = S("Line 1000");
	v->s[SW_SIP_V_DOMAIN] = S("example.org");
	v->s[SW_SIP_V_AUTH_USER] = S("1000");
	v->s[SW_SIP_V_LOCAL] = S("198.18.0.10:5060");
	v->s[SW_SIP_V_LOCAL_IP] = S("198.18.0.10");
	v->s[SW_SIP_V_TO_USER] = S("2000");
	v->s[SW_SIP_V_REMOTE_TARGET] = S("sip:2000@198.18.1.1:5060");
	v->s[SW_SIP_V_REALM] = S("example.org");
	v->s[SW_SIP_V_BRANCH] = S("BRANCHtoken00001");
	v->s[SW_SIP_V_FROM_TAG] = S("FROMtagToken0001");
	v->s[SW_SIP_V_TO_TAG] = S("peertag");
	v->s[SW_SIP_V_CALL_ID] = S("CALLidToken00001");
	v->n[SW_SIP_N_CSEQ] = 2;
	v->n[SW_SIP_N_EXPIRES] = 3600;
	v->n[SW_SIP_N_RTP_PORT] = 40000;
	v->n[SW_SIP_N_SDP_ID] = 1;
}

static void
every_kind_is_built_byte_for_byte_and_parses_back(void)
{
	struct sw_sip_vars v;

	CU_ASSERT_EQUAL_FATAL(
	        sw_sip_parse(&peer, peer_invite, sizeof(peer_invite) - 1, SW_SIP_WANT_ALL),
	        SW_SIP_OK);
	fill_vars(&v);
	for (int k = 0; k < SW_SIP_KIND_COUNT; k++) {
		struct sw_sip_tmpl t;
		struct sw_sip_msg m;
		char out[2048];
		int n;

		if (k >= SW_SIP_KIND_100) {
			v.req = &peer;
			v.s[SW_SIP_V_TO_TAG] = S("ourtag");
		}
		CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile(&t, (enum sw_sip_kind)k, NULL), 0);
		n = sw_sip_build(&t, &v, out, sizeof(out));
		CU_ASSERT_EQUAL_FATAL(n, (int)strlen(expected[k]));
		CU_ASSERT(memcmp(out, expected[k], (size_t)n) == 0);
		CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, out, (size_t)n, SW_SIP_WANT_ALL), SW_SIP_OK);
		/* Content-Length is exact: the body ends the message */
		CU_ASSERT_EQUAL(m.content_length, (int64_t)m.body.len);
		CU_ASSERT_PTR_EQUAL(m.body.p + m.body.len, out + n);
		if (k < SW_SIP_KIND_100) {
			CU_ASSERT_EQUAL(m.cseq, 2);
			CU_ASSERT_EQUAL(m.via_branch.len, 7 + 16);
			CU_ASSERT(memcmp(m.from_tag.p, "FROMtagToken0001", 16) == 0);
		} else {
			CU_ASSERT_EQUAL(m.cseq, 7);
			CU_ASSERT_EQUAL(m.via_count, 2);
			CU_ASSERT(memcmp(m.call_id.p, "cid@x", 5) == 0);
		}
	}
}

static void
an_authenticated_register_carries_the_digest_fields(void)
{
	static const char ch[] = "Digest realm=\"example.org\", "
	                         "nonce=\"0123456789abcdef0123456789abcdef01234567\", "
	                         "opaque=\"op4\", algorithm=MD5, qop=\"auth\"";
	struct sw_sip_profile pr = {.user_agent = "Yealink SIP-T46S 66.86.0.15"};
	struct sw_sip_challenge c;
	struct sw_sip_digest d;
	struct sw_sip_vars v;
	struct sw_sip_tmpl t;
	char ha1[64], ha2[64], resp[64], out[2048];
	int n;

	fill_vars(&v);
	v.s[SW_SIP_V_DISPLAY] = S("");
	v.s[SW_SIP_V_TO_TAG] = S("");
	CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, ch, sizeof(ch) - 1), SW_SIP_OK);
	sw_sip_digest_ha1(SW_SIP_ALGO_MD5, "1000", 4, "example.org", 11, "secret", 6, ha1);
	sw_sip_digest_ha2(SW_SIP_ALGO_MD5, "REGISTER", 8, "sip:example.org", 15, ha2);
	CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&d, &c, ha1, 0), 0);
	sw_sip_digest_response(&d, ha2, 0x0badf00d, resp);
	v.digest = &d;
	v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, 32};
	CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, &pr), 0);
	n = sw_sip_build(&t, &v, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(n, (int)sizeof(expected_auth) - 1);
	CU_ASSERT(memcmp(out, expected_auth, (size_t)n) == 0);

	/* a 407 without qop, opaque or algorithm */
	c.qop_auth = 0;
	c.qop.len = 0;
	c.opaque.len = 0;
	c.algorithm.len = 0;
	c.proxy = 1;
	CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&d, &c, ha1, 0), 0);
	sw_sip_digest_response(&d, ha2, 0, resp);
	n = sw_sip_build(&t, &v, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(n, (int)sizeof(expected_proxy_noqop) - 1);
	CU_ASSERT(memcmp(out, expected_proxy_noqop, (size_t)n) == 0);

	/* a template made for the domain: the same bytes, whatever the variable says */
	pr.domain = "example.org";
	CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, &pr), 0);
	v.s[SW_SIP_V_DOMAIN] = S("not.used");
	n = sw_sip_build(&t, &v, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(n, (int)sizeof(expected_proxy_noqop) - 1);
	CU_ASSERT(memcmp(out, expected_proxy_noqop, (size_t)n) == 0);
	CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, ch, sizeof(ch) - 1), SW_SIP_OK);
	CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&d, &c, ha1, 0), 0);
	sw_sip_digest_response(&d, ha2, 0x0badf00d, resp);
	n = sw_sip_build(&t, &v, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(n, (int)sizeof(expected_auth) - 1);
	CU_ASSERT(memcmp(out, expected_auth, (size_t)n) == 0);
}

static void
a_buffer_too_small_is_refused_without_overflow(void)
{
	struct sw_sip_vars v;
	struct sw_sip_tmpl t;
	char out[2048];
	int full;

	fill_vars(&v);
	sw_sip_tmpl_compile(&t, SW_SIP_KIND_INVITE, NULL);
	full = sw_sip_build(&t, &v, out, sizeof(out));
	CU_ASSERT(full > 0);
	for (size_t cap = 0; cap < (size_t)full + SW_SIP_BUILD_SLACK; cap++)
		CU_ASSERT_EQUAL(sw_sip_build(&t, &v, out, cap), -ENOSPC);
	CU_ASSERT_EQUAL(sw_sip_build(&t, &v, out, (size_t)full + SW_SIP_BUILD_SLACK), full);
}

static void
template_text_compiles_fields_sections_and_rejects_bad_names(void)
{
	struct sw_sip_tmpl t;
	struct sw_sip_vars v;
	char out[256];
	int n;

	fill_vars(&v);
	CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile_text(&t,
	                                               "X {user}{?to_tag};t={to_tag}{/} {ua}"
	                                               " {cseq}\r\nL: {content_length}\r\n"
	                                               "\r\nb={user}",
	                                               NULL),
	                      0);
	n = sw_sip_build(&t, &v, out, sizeof(out));
	CU_ASSERT_EQUAL_FATAL(n, 43);
	CU_ASSERT(memcmp(out, "X 1000;t=peertag sipswarm 2\r\nL: 6\r\n\r\nb=1000", 43) == 0);
	CU_ASSERT_EQUAL(sw_sip_tmpl_compile_text(&t, "{nosuch}", NULL), -EINVAL);
	CU_ASSERT_EQUAL(sw_sip_tmpl_compile_text(&t, "{?nosuch}x{/}", NULL), -EINVAL);
	CU_ASSERT_EQUAL(sw_sip_tmpl_compile_text(&t, "{?auth}x", NULL), -EINVAL);
	CU_ASSERT_EQUAL(sw_sip_tmpl_compile_text(&t, "x{/}", NULL), -EINVAL);
	CU_ASSERT_EQUAL(sw_sip_tmpl_compile_text(&t, "{user", NULL), -EINVAL);
	CU_ASSERT_EQUAL(sw_sip_tmpl_compile(&t, SW_SIP_KIND_COUNT, NULL), -EINVAL);
	CU_ASSERT_STRING_EQUAL(sw_sip_kind_name(SW_SIP_KIND_200_SDP), "200-sdp");
	CU_ASSERT_PTR_NULL(sw_sip_kind_name(SW_SIP_KIND_COUNT));
}

static void
nested_sections_are_kept_or_left_out_as_their_conditions_say(void)
{
	/* an inner section in an outer one, pieces of both before and after it, and a section
	 * in the body: what sw_sip_build() jumps over when a condition fails must be exactly
	 * what the conditions leave out */
	static const char text[] = "A{?auth}B{user}{?qop}C{cseq}{/}D{?opaque}O{/}{user}{/}E"
	                           "{?display}[{display}]{/}\r\nL: {content_length}\r\n\r\n"
	                           "{?auth}b{?qop}q{/}{/}z{?display}d{/}";
	static const struct {
		int digest, qop, opaque, display;
		const char *want;
	} c[] = {
	        {0, 0, 0, 0, "AE\r\nL: 1\r\n\r\nz"},
	        {0, 0, 0, 1, "AE[Line 1000]\r\nL: 2\r\n\r\nzd"},
	        {1, 0, 0, 0, "AB1000D1000E\r\nL: 2\r\n\r\nbz"},
	        {1, 1, 0, 0, "AB1000C2D1000E\r\nL: 3\r\n\r\nbqz"},
	        {1, 0, 1, 1, "AB1000DO1000E[Line 1000]\r\nL: 3\r\n\r\nbzd"},
	        {1, 1, 1, 1, "AB1000C2DO1000E[Line 1000]\r\nL: 4\r\n\r\nbqzd"},
	};
	struct sw_sip_tmpl t;
	struct sw_sip_vars v;
	struct sw_sip_digest d;
	char out[256];

	CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile_text(&t, text, NULL), 0);
	for (unsigned k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		int n;

		fill_vars(&v);
		memset(&d, 0, sizeof(d));
		d.qop = (uint8_t)c[k].qop;
		d.opaque_len = (uint8_t)c[k].opaque;
		v.digest = c[k].digest ? &d : NULL;
		if (!c[k].display)
			v.s[SW_SIP_V_DISPLAY] = S("");
		n = sw_sip_build(&t, &v, out, sizeof(out));
		CU_ASSERT_EQUAL(n, (int)strlen(c[k].want));
		CU_ASSERT(n > 0 && memcmp(out, c[k].want, (size_t)n) == 0);
	}
}

static void
a_built_register_token_decodes_to_its_line(void)
{
	const struct sw_sip_token_key key = {11, 22};
	struct sw_sip_token tok = {4242, 7, 3}, out;
	struct sw_sip_vars v;
	struct sw_sip_tmpl t;
	struct sw_sip_msg m;
	char br[SW_SIP_TOKEN_LEN], buf[1024];
	int n;

	fill_vars(&v);
	sw_sip_token_encode(&key, SW_SIP_TOKEN_BRANCH, &tok, br);
	v.s[SW_SIP_V_BRANCH] = (struct sw_sip_cstr){br, SW_SIP_TOKEN_LEN};
	sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, NULL);
	n = sw_sip_build(&t, &v, buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(sw_sip_parse(&m, buf, (size_t)n, SW_SIP_WANT_ALL), SW_SIP_OK);
	CU_ASSERT_EQUAL_FATAL(sw_sip_branch_decode(&key, m.via_branch, &out), 0);
	CU_ASSERT_EQUAL(out.line, 4242);
	CU_ASSERT_EQUAL(out.txn, 7);
	CU_ASSERT_EQUAL(out.worker, 3);
}

/* a specialized template writes what the template it came from writes, byte for byte and with
 * the same buffer limit, for every kind and every combination of conditions; and refuses
 * variables of other conditions */
static void
a_specialized_template_builds_the_same_bytes_for_every_condition(void)
{
	static const char ch[] = "Digest realm=\"example.org\", "
	                         "nonce=\"0123456789abcdef0123456789abcdef01234567\", "
	                         "opaque=\"op4\", algorithm=MD5, qop=\"auth\"";
	static const char tagged[] = "BYE sip:2000@example.org SIP/2.0\r\n"
	                             "Via: SIP/2.0/UDP 198.18.1.1:5060;branch=z9hG4bKpeer2\r\n"
	                             "From: <sip:1000@example.org>;tag=caller\r\n"
	                             "To: <sip:2000@example.org>;tag=callee\r\n"
	                             "Call-ID: cid@x\r\n"
	                             "CSeq: 8 BYE\r\n"
	                             "Content-Length: 0\r\n"
	                             "\r\n";
	static struct sw_sip_msg untagged_req, tagged_req;
	struct sw_sip_challenge c;
	struct sw_sip_digest d;
	char ha1[64] = {0}, resp[64];
	unsigned int bad = 0, checked = 0;

	CU_ASSERT_EQUAL_FATAL(
	        sw_sip_parse(&untagged_req, peer_invite, sizeof(peer_invite) - 1, SW_SIP_WANT_ALL),
	        SW_SIP_OK);
	CU_ASSERT_EQUAL_FATAL(
	        sw_sip_parse(&tagged_req, tagged, sizeof(tagged) - 1, SW_SIP_WANT_ALL), SW_SIP_OK);
	CU_ASSERT_EQUAL_FATAL(sw_sip_challenge_parse(&c, ch, sizeof(ch) - 1), SW_SIP_OK);
	memset(ha1, 'a', 32);
	CU_ASSERT_EQUAL_FATAL(sw_sip_digest_accept(&d, &c, ha1, 7), 0);
	memset(resp, 'f', sizeof(resp));
	for (int k = 0; k < SW_SIP_KIND_COUNT; k++)
		for (unsigned int m = 0; m < 4 * 17 * 3; m++) {
			struct sw_sip_profile pr = {.domain = k % 2 ? "example.org" : NULL};
			static struct sw_sip_tmpl t, sp;
			struct sw_sip_vars v;
			char a[2048], b[2048];
			unsigned int dm = (m / 4) % 17;

			fill_vars(&v);
			if (m & 1)
				v.s[SW_SIP_V_DISPLAY] = S("");
			if (m & 2)
				v.s[SW_SIP_V_TO_TAG] = S("");
			v.req = m / 68 == 0 ? NULL : m / 68 == 1 ? &untagged_req : &tagged_req;
			if (dm > 0) {
				d.qop = (dm - 1) & 1;
				d.opaque_len = (dm - 1) & 2 ? 3 : 0;
				d.echo_algorithm = (dm - 1) & 4 ? 1 : 0;
				d.proxy = (dm - 1) & 8 ? 1 : 0;
				v.digest = &d;
				v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, 32};
			}
			CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile(&t, (enum sw_sip_kind)k, &pr), 0);
			CU_ASSERT_EQUAL_FATAL(
			        sw_sip_tmpl_specialize(&sp, &t, sw_sip_build_conds(&v)), 0);
			int n = sw_sip_build(&t, &v, a, sizeof(a));
			int ns = sw_sip_build(&sp, &v, b, sizeof(b));

			bad += n <= 0 || ns != n || memcmp(a, b, (size_t)n) != 0;
			bad += sp.nseg > t.nseg;
			/* the conditions given: the same message, both templates */
			bad += sw_sip_build_with_conds(&t, &v, sw_sip_build_conds(&v), b,
			                               sizeof(b)) != n ||
			       memcmp(a, b, (size_t)n) != 0;
			bad += sw_sip_build_with_conds(&sp, &v, sw_sip_build_conds(&v), b,
			                               sizeof(b)) != n ||
			       memcmp(a, b, (size_t)n) != 0;
			bad += sw_sip_build_with_conds(&sp, &v, 256, b, sizeof(b)) != -EINVAL;
			/* the same limit: one byte short of message + slack fails for both */
			bad += sw_sip_build(&sp, &v, b, (size_t)n + SW_SIP_BUILD_SLACK - 1) !=
			       -ENOSPC;
			bad += sw_sip_build(&sp, &v, b, (size_t)n + SW_SIP_BUILD_SLACK) != n;
			/* other conditions: refused */
			v.s[SW_SIP_V_DISPLAY] = m & 1 ? S("x") : S("");
			bad += sw_sip_build(&sp, &v, b, sizeof(b)) != -EINVAL;
			checked++;
		}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(checked, SW_SIP_KIND_COUNT * 4 * 17 * 3);
	/* a specialized template is not specialized again */
	{
		static struct sw_sip_tmpl t, sp, sp2;

		CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, NULL), 0);
		CU_ASSERT_EQUAL(sw_sip_tmpl_specialize(&sp, &t, 0), 0);
		CU_ASSERT_EQUAL(sw_sip_tmpl_specialize(&sp2, &sp, 0), -EINVAL);
		CU_ASSERT_EQUAL(sw_sip_tmpl_specialize(&sp2, &t, 256), -EINVAL);
	}
}

/* the numbers (CSeq, Expires) of every digit count, written by the general walk and by a
 * specialized template's (its own number path): the same decimal as printf's */
static void
numbers_of_every_length_are_written_alike_by_both_walks(void)
{
	static const uint32_t nums[] = {0,        9,         10,         99,        100,
	                                999,      1000,      3600,       9999,      10000,
	                                65535,    99999,     100000,     999999,    1000000,
	                                12345678, 999999999, 1000000000, UINT32_MAX};
	static struct sw_sip_tmpl t, sp;
	unsigned int bad = 0;

	CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, NULL), 0);
	for (unsigned int k = 0; k < SW_ARRAY_SIZE(nums); k++) {
		struct sw_sip_vars v;
		char a[2048], b[2048], want[64];

		fill_vars(&v);
		v.n[SW_SIP_N_CSEQ] = nums[k];
		v.n[SW_SIP_N_EXPIRES] = nums[SW_ARRAY_SIZE(nums) - 1 - k];
		CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_specialize(&sp, &t, sw_sip_build_conds(&v)), 0);
		int n = sw_sip_build(&t, &v, a, sizeof(a));
		int ns = sw_sip_build(&sp, &v, b, sizeof(b));

		bad += n <= 0 || ns != n || memcmp(a, b, (size_t)n) != 0;
		if (n <= 0 || ns <= 0) {
			bad++;
			continue;
		}
		a[n] = b[ns] = '\0';
		snprintf(want, sizeof(want), "CSeq: %u REGISTER\r\n", (unsigned int)nums[k]);
		bad += strstr(a, want) == NULL;
		snprintf(want, sizeof(want), "Expires: %u\r\n",
		         (unsigned int)nums[SW_ARRAY_SIZE(nums) - 1 - k]);
		bad += strstr(b, want) == NULL;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* a REGISTER template specialized with its Expires folded in (SW_SIP_FOLD_EXPIRES) writes
 * what the template with the field writes for that number, with and without credentials */
static void
a_folded_expires_builds_what_the_field_builds(void)
{
	static const uint32_t vals[] = {0, 1, 60, 3600, 86400, 2147483647u};
	static struct sw_sip_tmpl t, sp, f;
	struct sw_sip_digest d;
	char resp[64];
	unsigned int bad = 0;

	memset(resp, 'b', sizeof(resp));
	memset(&d, 0, sizeof(d));
	d.qop = 1;
	d.nonce_len = 20;
	memset(d.nonce, 'n', d.nonce_len);
	d.hex_len = 32;
	CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, NULL), 0);
	for (unsigned int k = 0; k < 2 * SW_ARRAY_SIZE(vals); k++) {
		struct sw_sip_vars v;
		char a[2048], b[2048];

		fill_vars(&v);
		if (k & 1) {
			v.digest = &d;
			v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, 32};
		}
		v.n[SW_SIP_N_EXPIRES] = vals[k / 2];
		unsigned int c = sw_sip_build_conds(&v);

		CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_specialize(&sp, &t, c), 0);
		CU_ASSERT_EQUAL_FATAL(
		        sw_sip_tmpl_specialize_fold(&f, &t, c, &v, SW_SIP_FOLD_EXPIRES), 0);
		int n = sw_sip_build(&t, &v, a, sizeof(a));
		/* the folded template ignores the variable */
		v.n[SW_SIP_N_EXPIRES] = 12345;
		int nf = sw_sip_build(&f, &v, b, sizeof(b));

		bad += n <= 0 || nf != n || memcmp(a, b, (size_t)n) != 0;
		bad += f.nseg >= sp.nseg;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* the digest fields a specialized template writes in its own walk (nonce, opaque, algorithm,
 * nc, cnonce) for every algorithm and nonce length: what the general walk writes, and the
 * algorithm's name as sw_sip_algo_name() spells it */
static void
digest_fields_are_written_alike_by_both_walks(void)
{
	static struct sw_sip_tmpl t, sp;
	struct sw_sip_digest d;
	unsigned int bad = 0;
	char resp[64];

	memset(resp, 'e', sizeof(resp));
	CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, NULL), 0);
	for (int a = 0; a < SW_SIP_ALGO_COUNT; a++)
		for (unsigned int nl = 0; nl <= SW_SIP_DIGEST_NONCE_MAX; nl += 17) {
			struct sw_sip_vars v;
			char x[2048], y[2048], want[64];

			memset(&d, 0, sizeof(d));
			d.algo = (uint8_t)a;
			d.echo_algorithm = 1;
			d.qop = 1;
			d.nc = 0x1234abcdu + nl;
			d.cnonce = 0xfedc0001u * (unsigned int)a;
			d.nonce_len = (uint8_t)(nl < SW_SIP_DIGEST_NONCE_MAX ? nl : nl - 1);
			memset(d.nonce, 'n', d.nonce_len);
			d.opaque_len = (uint8_t)(nl % SW_SIP_DIGEST_OPAQUE_MAX);
			memset(d.opaque, 'o', d.opaque_len);
			d.hex_len = 32;
			fill_vars(&v);
			v.digest = &d;
			v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, 32};
			CU_ASSERT_EQUAL_FATAL(
			        sw_sip_tmpl_specialize(&sp, &t, sw_sip_build_conds(&v)), 0);
			int n = sw_sip_build(&t, &v, x, sizeof(x));
			int ns = sw_sip_build(&sp, &v, y, sizeof(y));

			bad += n <= 0 || ns != n || memcmp(x, y, (size_t)n) != 0;
			bad += sw_sip_build(&sp, &v, y, (size_t)n + SW_SIP_BUILD_SLACK - 1) !=
			       -ENOSPC;
			if (n <= 0 || ns <= 0) {
				bad++;
				continue;
			}
			y[ns] = '\0';
			snprintf(want, sizeof(want), ", algorithm=%s, ",
			         sw_sip_algo_name((enum sw_sip_digest_algo)a));
			bad += strstr(y, want) == NULL;
		}
	CU_ASSERT_EQUAL(bad, 0);
}

/* the specialized walk's limit: every buffer shorter than message + slack is refused, and
 * nothing is written past the buffer's end (a guard after it stays as it was), with and without
 * credentials */
static void
a_specialized_template_refuses_every_short_buffer_without_overflow(void)
{
	static struct sw_sip_tmpl t, sp;
	struct sw_sip_digest d;
	char resp[64], buf[2048 + 64];
	unsigned int bad = 0;

	memset(resp, 'c', sizeof(resp));
	memset(&d, 0, sizeof(d));
	d.qop = 1;
	d.echo_algorithm = 1;
	d.nonce_len = 40;
	memset(d.nonce, 'n', d.nonce_len);
	d.opaque_len = 5;
	memset(d.opaque, 'o', d.opaque_len);
	d.hex_len = 32;
	CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, NULL), 0);
	for (int auth = 0; auth < 2; auth++) {
		struct sw_sip_vars v;

		fill_vars(&v);
		if (auth) {
			v.digest = &d;
			v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, 32};
		}
		CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_specialize(&sp, &t, sw_sip_build_conds(&v)), 0);
		int full = sw_sip_build(&sp, &v, buf, 2048);

		CU_ASSERT_FATAL(full > 0);
		for (size_t cap = 0; cap < (size_t)full + SW_SIP_BUILD_SLACK; cap++) {
			memset(buf, 0x55, sizeof(buf));
			bad += sw_sip_build(&sp, &v, buf, cap) != -ENOSPC;
			for (size_t k = cap; k < sizeof(buf); k++)
				bad += (unsigned char)buf[k] != 0x55;
		}
		bad += sw_sip_build(&sp, &v, buf, (size_t)full + SW_SIP_BUILD_SLACK) != full;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* a template specialized with the realm, the user and the algorithm folded in as text builds
 * what the general template builds for those values, in fewer pieces; bad fold requests are
 * refused */
static void
a_folded_specialization_builds_the_same_bytes_in_fewer_pieces(void)
{
	static struct sw_sip_tmpl t, sp, spf;
	struct sw_sip_digest d;
	char resp[64];
	unsigned int bad = 0;

	memset(resp, 'f', sizeof(resp));
	for (int a = 0; a < SW_SIP_ALGO_COUNT; a++)
		for (int kind = 0; kind < SW_SIP_KIND_COUNT; kind++) {
			struct sw_sip_vars v;
			char x[2048], y[2048];

			memset(&d, 0, sizeof(d));
			d.algo = (uint8_t)a;
			d.echo_algorithm = 1;
			d.qop = (uint8_t)(kind & 1);
			d.nonce_len = 30;
			memset(d.nonce, 'n', d.nonce_len);
			d.hex_len = 32;
			fill_vars(&v);
			v.digest = &d;
			v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, 32};
			CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_compile(&t, (enum sw_sip_kind)kind, NULL),
			                      0);
			unsigned int c = sw_sip_build_conds(&v);

			CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_specialize(&sp, &t, c), 0);
			CU_ASSERT_EQUAL_FATAL(sw_sip_tmpl_specialize_fold(
			                              &spf, &t, c, &v,
			                              1u << SW_SIP_V_REALM | 1u << SW_SIP_V_USER |
			                                      SW_SIP_FOLD_ALGORITHM),
			                      0);
			int n = sw_sip_build(&t, &v, x, sizeof(x));
			int nf = sw_sip_build(&spf, &v, y, sizeof(y));

			bad += n <= 0 || nf != n || memcmp(x, y, (size_t)n) != 0;
			bad += spf.nseg > sp.nseg;
			/* a kind with credentials has a realm field: one piece less at least */
			bad += kind == SW_SIP_KIND_REGISTER && spf.nseg >= sp.nseg;
		}
	CU_ASSERT_EQUAL(bad, 0);
	{
		struct sw_sip_vars v;

		fill_vars(&v);
		CU_ASSERT_EQUAL(sw_sip_tmpl_specialize_fold(&spf, &t, 0, NULL, 1u), -EINVAL);
		CU_ASSERT_EQUAL(sw_sip_tmpl_specialize_fold(&spf, &t, 0, &v, 1u << 29), -EINVAL);
		CU_ASSERT_EQUAL(sw_sip_tmpl_specialize_fold(&spf, &t, 0, &v, SW_SIP_FOLD_ALGORITHM),
		                -EINVAL);
		CU_ASSERT_EQUAL(sw_sip_tmpl_specialize_fold(&spf, &t, 0, NULL, 0), 0);
	}
}

static const struct sw_test_case cases[] = {
        {"every kind is built byte for byte and parses back",
         every_kind_is_built_byte_for_byte_and_parses_back},
        {"an authenticated REGISTER carries the digest fields",
         an_authenticated_register_carries_the_digest_fields},
        {"a buffer too small is refused without overflow",
         a_buffer_too_small_is_refused_without_overflow},
        {"template text compiles fields and sections and rejects bad names",
         template_text_compiles_fields_sections_and_rejects_bad_names},
        {"nested sections are kept or left out as their conditions say",
         nested_sections_are_kept_or_left_out_as_their_conditions_say},
        {"a built REGISTER's token decodes to its line",
         a_built_register_token_decodes_to_its_line},
        {"a specialized template builds the same bytes for every condition",
         a_specialized_template_builds_the_same_bytes_for_every_condition},
        {"numbers of every length are written alike by both walks",
         numbers_of_every_length_are_written_alike_by_both_walks},
        {"a folded Expires builds what the field builds",
         a_folded_expires_builds_what_the_field_builds},
        {"digest fields are written alike by both walks",
         digest_fields_are_written_alike_by_both_walks},
        {"a specialized template refuses every short buffer without overflow",
         a_specialized_template_refuses_every_short_buffer_without_overflow},
        {"a folded specialization builds the same bytes in fewer pieces",
         a_folded_specialization_builds_the_same_bytes_in_fewer_pieces},
        {NULL, NULL},
};

const struct sw_test_suite suite_build = {"sip build", NULL, NULL, cases};
