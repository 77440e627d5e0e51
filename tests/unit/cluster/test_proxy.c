/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stateless proxy: a call from one registered line to another (INVITE, 180, 200, ACK,
 * BYE, 200) across the cluster, with its Via, Record-Route, Route and Max-Forwards handling,
 * and the requests and responses it must refuse.
 */
#include <stdio.h>
#include <string.h>

#include "test_cluster.h"

static struct tc_capture cap;

#define ALICE_IP UINT32_C(0xC6120001) /* 198.18.0.1 */
#define BOB_IP   UINT32_C(0xC6120002) /* 198.18.0.2 */

static const char invite[] = "INVITE sip:bob@" TC_DOMAIN " SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 198.18.0.1:5062;rport;branch=z9hG4bKinv1\r\n"
                             "Max-Forwards: 70\r\n"
                             "From: <sip:alice@" TC_DOMAIN ">;tag=a1\r\n"
                             "To: <sip:bob@" TC_DOMAIN ">\r\n"
                             "Call-ID: call-1\r\n"
                             "CSeq: 1 INVITE\r\n"
                             "Contact: <sip:alice@198.18.0.1:5062>\r\n"
                             "Content-Type: application/sdp\r\n"
                             "Content-Length: 10\r\n"
                             "\r\n"
                             "v=0\r\ns=x\r\n";

static struct sw_cluster *
make_with_two_lines(const uint8_t *groups, unsigned bob_server)
{
	struct sw_cluster_cfg cfg;
	struct sw_cluster *c;
	struct tc_phone a, b;

	tc_cfg(&cfg, 2, groups);
	c = sw_cluster_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tc_phone_init(&a, "alice", 1);
	tc_phone_init(&b, "bob", 2);
	CU_ASSERT_EQUAL(tc_phone_full_register(c, &cap, &a, TC_NS(1), 0, 600), 200);
	CU_ASSERT_EQUAL(tc_phone_full_register(c, &cap, &b, TC_NS(1), bob_server, 600), 200);
	return c;
}

/* Bob's answer to the forwarded request in cap->data[0], built with lib/sip's template. */
static int
bob_answers(enum sw_sip_kind kind, char *out, size_t cap_len)
{
	struct sw_sip_tmpl t;
	struct sw_sip_vars v;
	struct sw_sip_msg req;

	if (tc_parse(&cap, 0, &req) != SW_SIP_OK || sw_sip_tmpl_compile(&t, kind, NULL) != 0)
		return -1;
	memset(&v, 0, sizeof(v));
	v.req = &req;
	v.s[SW_SIP_V_USER] = (struct sw_sip_cstr){"bob", 3};
	v.s[SW_SIP_V_LOCAL] = (struct sw_sip_cstr){"198.18.0.2:5062", 15};
	v.s[SW_SIP_V_LOCAL_IP] = (struct sw_sip_cstr){"198.18.0.2", 10};
	v.s[SW_SIP_V_TO_TAG] = (struct sw_sip_cstr){"b1", 2};
	return sw_sip_build(&t, &v, out, cap_len);
}

static void
test_a_call_goes_from_one_registered_line_to_another_and_back(void)
{
	static const char ack[] = "ACK sip:bob@198.18.0.2:5062 SIP/2.0\r\n"
	                          "Via: SIP/2.0/UDP 198.18.0.1:5062;rport;branch=z9hG4bKack1\r\n"
	                          "Max-Forwards: 70\r\n"
	                          "Route: <sip:198.18.1.0:5060;lr>\r\n"
	                          "From: <sip:alice@" TC_DOMAIN ">;tag=a1\r\n"
	                          "To: <sip:bob@" TC_DOMAIN ">;tag=b1\r\n"
	                          "Call-ID: call-1\r\n"
	                          "CSeq: 1 ACK\r\n"
	                          "Content-Length: 0\r\n"
	                          "\r\n";
	static const char bye[] = "BYE sip:alice@198.18.0.1:5062 SIP/2.0\r\n"
	                          "Via: SIP/2.0/UDP 198.18.0.2:5062;rport;branch=z9hG4bKbye1\r\n"
	                          "Max-Forwards: 70\r\n"
	                          "Route: <sip:198.18.1.0:5060;lr>, <sip:198.18.9.9:5060;lr>\r\n"
	                          "From: <sip:bob@" TC_DOMAIN ">;tag=b1\r\n"
	                          "To: <sip:alice@" TC_DOMAIN ">;tag=a1\r\n"
	                          "Call-ID: call-1\r\n"
	                          "CSeq: 1 BYE\r\n"
	                          "Content-Length: 0\r\n"
	                          "\r\n";
	struct sw_cluster *c = make_with_two_lines(NULL, 1);
	struct sw_cluster_server_stats st;
	struct sw_sip_msg m;
	char out[4096];
	int n;

	/* INVITE: to Bob's contact, our Via on top, Record-Route, Max-Forwards 69, body kept */
	CU_ASSERT_EQUAL_FATAL(
	        tc_feed(c, &cap, TC_NS(2), ALICE_IP, 5062, 0, invite, sizeof(invite) - 1), 1);
	CU_ASSERT_EQUAL(cap.d[0].dst_ip, BOB_IP);
	CU_ASSERT_EQUAL(cap.d[0].dst_port, 5062);
	CU_ASSERT_EQUAL(cap.d[0].src_ip, TC_SERVER_IP(0));
	CU_ASSERT_EQUAL(cap.d[0].relayed, 1);
	CU_ASSERT_EQUAL_FATAL(tc_parse(&cap, 0, &m), SW_SIP_OK);
	CU_ASSERT_TRUE(m.is_request);
	CU_ASSERT_EQUAL(m.method, SW_SIP_METHOD_INVITE);
	CU_ASSERT_TRUE(tc_has(&cap, 0, "INVITE sip:bob@198.18.0.2:5062 SIP/2.0\r\n"));
	CU_ASSERT_EQUAL(m.via_count, 2);
	CU_ASSERT_EQUAL(m.via_host.len, 10);
	CU_ASSERT_EQUAL(memcmp(m.via_host.p, "198.18.1.0", 10), 0);
	CU_ASSERT_EQUAL(m.via_port, 5060);
	CU_ASSERT_TRUE(tc_has(&cap, 0, "Record-Route: <sip:198.18.1.0:5060;lr>\r\n"));
	CU_ASSERT_TRUE(tc_has(&cap, 0, "Max-Forwards: 69\r\n"));
	CU_ASSERT_FALSE(tc_has(&cap, 0, "Max-Forwards: 70\r\n"));
	CU_ASSERT_EQUAL(m.body.len, 10);
	CU_ASSERT_TRUE(tc_has(&cap, 0, "\r\n\r\nv=0\r\ns=x\r\n"));

	/* 180 and 200 from Bob: back to Alice with our Via popped */
	n = bob_answers(SW_SIP_KIND_180, out, sizeof(out));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL_FATAL(tc_feed(c, &cap, TC_NS(2), BOB_IP, 5062, 0, out, (size_t)n), 1);
	CU_ASSERT_EQUAL(cap.d[0].dst_ip, ALICE_IP);
	CU_ASSERT_EQUAL(tc_status(&cap, 0), 180);
	/* Alice retransmits the INVITE: forwarded again (stateless); Bob answers 200 */
	CU_ASSERT_EQUAL_FATAL(
	        tc_feed(c, &cap, TC_NS(2), ALICE_IP, 5062, 0, invite, sizeof(invite) - 1), 1);
	n = bob_answers(SW_SIP_KIND_200_SDP, out, sizeof(out));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL_FATAL(tc_feed(c, &cap, TC_NS(3), BOB_IP, 5062, 0, out, (size_t)n), 1);
	CU_ASSERT_EQUAL(cap.d[0].dst_ip, ALICE_IP);
	CU_ASSERT_EQUAL(cap.d[0].dst_port, 5062);
	CU_ASSERT_EQUAL_FATAL(tc_parse(&cap, 0, &m), SW_SIP_OK);
	CU_ASSERT_EQUAL(m.status, 200);
	CU_ASSERT_EQUAL(m.via_count, 1);
	CU_ASSERT_EQUAL(m.via_branch.len, 11);
	CU_ASSERT_EQUAL(memcmp(m.via_branch.p, "z9hG4bKinv1", 11), 0);
	CU_ASSERT_TRUE(m.body.len > 0);

	/* ACK to Bob's contact through the server: our Route entry removed */
	CU_ASSERT_EQUAL_FATAL(tc_feed(c, &cap, TC_NS(3), ALICE_IP, 5062, 0, ack, sizeof(ack) - 1),
	                      1);
	CU_ASSERT_EQUAL(cap.d[0].dst_ip, BOB_IP);
	CU_ASSERT_FALSE(tc_has(&cap, 0, "Route:"));
	CU_ASSERT_TRUE(tc_has(&cap, 0, "ACK sip:bob@198.18.0.2:5062 SIP/2.0\r\n"));
	CU_ASSERT_FALSE(tc_has(&cap, 0, "Record-Route"));

	/* BYE from Bob: our Route value removed, the next one kept */
	CU_ASSERT_EQUAL_FATAL(tc_feed(c, &cap, TC_NS(4), BOB_IP, 5062, 0, bye, sizeof(bye) - 1), 1);
	CU_ASSERT_EQUAL(cap.d[0].dst_ip, ALICE_IP);
	CU_ASSERT_TRUE(tc_has(&cap, 0, "\r\nRoute: <sip:198.18.9.9:5060;lr>\r\n"));
	CU_ASSERT_FALSE(tc_has(&cap, 0, "198.18.1.0:5060;lr"));

	sw_cluster_stats(c, 0, &st);
	CU_ASSERT_EQUAL(st.proxied_requests, 4);
	CU_ASSERT_EQUAL(st.proxied_responses, 2);
	CU_ASSERT_EQUAL(st.tx_by_class[0], 4);
	CU_ASSERT_EQUAL(st.rx_by_method[SW_SIP_METHOD_INVITE], 2);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_a_call_reaches_a_line_registered_in_another_group(void)
{
	static const uint8_t groups[2] = {0, 1};
	struct sw_cluster *c = make_with_two_lines(groups, 1);

	CU_ASSERT_EQUAL_FATAL(
	        tc_feed(c, &cap, TC_NS(2), ALICE_IP, 5062, 0, invite, sizeof(invite) - 1), 1);
	CU_ASSERT_EQUAL(cap.d[0].dst_ip, BOB_IP);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_a_call_to_an_unknown_or_expired_user_gets_404(void)
{
	struct sw_cluster *c = make_with_two_lines(NULL, 0);
	struct sw_cluster_server_stats st;
	char msg[1024];

	memcpy(msg, invite, sizeof(invite));
	memcpy(strstr(msg, "bob@"), "bod@", 4);
	CU_ASSERT_EQUAL(tc_feed(c, &cap, TC_NS(2), ALICE_IP, 5062, 0, msg, sizeof(invite) - 1), 1);
	CU_ASSERT_EQUAL(tc_status(&cap, 0), 404);
	/* Bob's binding (600 s) has expired at 700 s */
	CU_ASSERT_EQUAL(tc_feed(c, &cap, TC_NS(700), ALICE_IP, 5062, 0, invite, sizeof(invite) - 1),
	                1);
	CU_ASSERT_EQUAL(tc_status(&cap, 0), 404);
	sw_cluster_stats(c, 0, &st);
	CU_ASSERT_EQUAL(st.not_found, 2);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_max_forwards_zero_gets_483_and_a_missing_one_is_added(void)
{
	struct sw_cluster *c = make_with_two_lines(NULL, 0);
	char msg[1024];
	char *mf;

	memcpy(msg, invite, sizeof(invite));
	mf = strstr(msg, "Max-Forwards: 70");
	memcpy(mf, "Max-Forwards: 00", 16);
	CU_ASSERT_EQUAL(tc_feed(c, &cap, TC_NS(2), ALICE_IP, 5062, 0, msg, sizeof(invite) - 1), 1);
	CU_ASSERT_EQUAL(tc_status(&cap, 0), 483);
	memcpy(mf, "X-Forwardings: 0", 16);
	CU_ASSERT_EQUAL(tc_feed(c, &cap, TC_NS(2), ALICE_IP, 5062, 0, msg, sizeof(invite) - 1), 1);
	CU_ASSERT_TRUE(tc_has(&cap, 0, "Max-Forwards: 70\r\n"));
	CU_ASSERT_TRUE(tc_has(&cap, 0, "X-Forwardings: 0\r\n"));
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_responses_not_sent_through_us_are_dropped(void)
{
	static const char forged[] =
	        "SIP/2.0 200 OK\r\n"
	        "Via: SIP/2.0/UDP 198.18.1.0:5060;branch=z9hG4bKswc6120063162e0000000000000000deadbeef\r\n"
	        "Via: SIP/2.0/UDP 198.18.0.1:5062;branch=z9hG4bKinv1\r\n"
	        "From: <sip:alice@" TC_DOMAIN ">;tag=a1\r\n"
	        "To: <sip:bob@" TC_DOMAIN ">;tag=b1\r\n"
	        "Call-ID: call-1\r\n"
	        "CSeq: 1 INVITE\r\n"
	        "Content-Length: 0\r\n"
	        "\r\n";
	static const char one_via[] = "SIP/2.0 200 OK\r\n"
	                              "Via: SIP/2.0/UDP 198.18.0.1:5062;branch=z9hG4bKinv1\r\n"
	                              "From: <sip:alice@" TC_DOMAIN ">;tag=a1\r\n"
	                              "To: <sip:bob@" TC_DOMAIN ">;tag=b1\r\n"
	                              "Call-ID: call-1\r\n"
	                              "CSeq: 1 INVITE\r\n"
	                              "\r\n";
	struct sw_cluster *c = make_with_two_lines(NULL, 0);
	struct sw_cluster_server_stats st;
	char out[4096];
	int n;

	CU_ASSERT_EQUAL(tc_feed(c, &cap, TC_NS(2), BOB_IP, 5062, 0, forged, sizeof(forged) - 1), 0);
	CU_ASSERT_EQUAL(tc_feed(c, &cap, TC_NS(2), BOB_IP, 5062, 0, one_via, sizeof(one_via) - 1),
	                0);
	/* a genuine answer arriving at the other server (not the one in the Via) */
	CU_ASSERT_EQUAL_FATAL(
	        tc_feed(c, &cap, TC_NS(2), ALICE_IP, 5062, 0, invite, sizeof(invite) - 1), 1);
	n = bob_answers(SW_SIP_KIND_486, out, sizeof(out));
	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_EQUAL(tc_feed(c, &cap, TC_NS(2), BOB_IP, 5062, 1, out, (size_t)n), 0);
	CU_ASSERT_EQUAL(tc_feed(c, &cap, TC_NS(2), BOB_IP, 5062, 0, out, (size_t)n), 1);
	CU_ASSERT_EQUAL(tc_status(&cap, 0), 486);
	sw_cluster_stats(c, 0, &st);
	CU_ASSERT_EQUAL(st.not_ours, 2);
	sw_cluster_stats(c, 1, &st);
	CU_ASSERT_EQUAL(st.not_ours, 1);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static void
test_a_retransmitted_invite_and_its_cancel_get_the_same_branch(void)
{
	static const char cancel[] = "CANCEL sip:bob@" TC_DOMAIN " SIP/2.0\r\n"
	                             "Via: SIP/2.0/UDP 198.18.0.1:5062;rport;branch=z9hG4bKinv1\r\n"
	                             "Max-Forwards: 70\r\n"
	                             "From: <sip:alice@" TC_DOMAIN ">;tag=a1\r\n"
	                             "To: <sip:bob@" TC_DOMAIN ">\r\n"
	                             "Call-ID: call-1\r\n"
	                             "CSeq: 1 CANCEL\r\n"
	                             "Content-Length: 0\r\n"
	                             "\r\n";
	struct sw_cluster *c = make_with_two_lines(NULL, 0);
	struct sw_sip_msg m;
	char b1[128], b2[128];

	CU_ASSERT_EQUAL_FATAL(
	        tc_feed(c, &cap, TC_NS(2), ALICE_IP, 5062, 0, invite, sizeof(invite) - 1), 1);
	CU_ASSERT_EQUAL_FATAL(tc_parse(&cap, 0, &m), SW_SIP_OK);
	snprintf(b1, sizeof(b1), "%.*s", (int)m.via_branch.len, m.via_branch.p);
	CU_ASSERT_EQUAL_FATAL(
	        tc_feed(c, &cap, TC_NS(2), ALICE_IP, 5062, 0, cancel, sizeof(cancel) - 1), 1);
	CU_ASSERT_EQUAL_FATAL(tc_parse(&cap, 0, &m), SW_SIP_OK);
	snprintf(b2, sizeof(b2), "%.*s", (int)m.via_branch.len, m.via_branch.p);
	CU_ASSERT_STRING_EQUAL(b1, b2);
	CU_ASSERT_EQUAL(strlen(b1), 45);
	CU_ASSERT_TRUE(tc_accounted(c, SW_CLUSTER_MAX_SERVERS));
	sw_cluster_free(c);
}

static const struct sw_test_case cases[] = {
        {"a call goes from one registered line to another and back",
         test_a_call_goes_from_one_registered_line_to_another_and_back},
        {"a call reaches a line registered in another group",
         test_a_call_reaches_a_line_registered_in_another_group},
        {"a call to an unknown or expired user gets 404",
         test_a_call_to_an_unknown_or_expired_user_gets_404},
        {"Max-Forwards 0 gets 483 and a missing one is added",
         test_max_forwards_zero_gets_483_and_a_missing_one_is_added},
        {"responses not sent through us are dropped",
         test_responses_not_sent_through_us_are_dropped},
        {"a retransmitted INVITE and its CANCEL get the same branch",
         test_a_retransmitted_invite_and_its_cancel_get_the_same_branch},
        {NULL, NULL},
};

const struct sw_test_suite suite_proxy = {"proxy", NULL, NULL, cases};
