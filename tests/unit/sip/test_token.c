/* SPDX-License-Identifier: BSD-3-Clause */
/* The token in branch / Call-ID / tag: round trip, forged and foreign tokens, SipHash vectors. */
#include <errno.h>
#include <string.h>

#include "sw_sip.h"
#include "test_sip.h"

static const struct sw_sip_token_key key = {UINT64_C(0x0123456789abcdef),
                                            UINT64_C(0xfedcba9876543210)};

static void
siphash_matches_the_reference_vectors(void)
{
	/* key 00..0f, messages 00..(n-1): vectors from the SipHash paper's reference code */
	struct sw_sip_token_key k = {UINT64_C(0x0706050403020100), UINT64_C(0x0f0e0d0c0b0a0908)};
	uint8_t msg[15];

	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(sw_sip_siphash(&k, msg, 0), UINT64_C(0x726fdb47dd0e0e31));
	CU_ASSERT_EQUAL(sw_sip_siphash(&k, msg, 15), UINT64_C(0xa129ca6149be45e5));
}

static void
a_token_round_trips_worker_line_and_transaction(void)
{
	static const struct sw_sip_token in[] = {
	        {0, 0, 0},
	        {1, 2, 3},
	        {UINT32_MAX, 0xffffff, 255},
	        {123456789, 0xabcdef, 17},
	};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		for (int kind = 0; kind < 3; kind++) {
			char tok[SW_SIP_TOKEN_LEN];
			struct sw_sip_token out;

			sw_sip_token_encode(&key, (enum sw_sip_token_kind)kind, &in[i], tok);
			for (unsigned j = 0; j < SW_SIP_TOKEN_LEN; j++)
				CU_ASSERT(
				        strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				               "0123456789-_",
				               tok[j]) != NULL);
			CU_ASSERT_EQUAL_FATAL(sw_sip_token_decode(&key,
			                                          (enum sw_sip_token_kind)kind, tok,
			                                          sizeof(tok), &out),
			                      0);
			CU_ASSERT_EQUAL(out.worker, in[i].worker);
			CU_ASSERT_EQUAL(out.line, in[i].line);
			CU_ASSERT_EQUAL(out.txn, in[i].txn);
		}
	}
}

static void
a_branch_and_a_call_id_with_host_decode(void)
{
	struct sw_sip_token t = {77, 99, 3}, out;
	char br[7 + SW_SIP_TOKEN_LEN], cid[SW_SIP_TOKEN_LEN + 12];

	memcpy(br, SW_SIP_BRANCH_COOKIE, 7);
	sw_sip_token_encode(&key, SW_SIP_TOKEN_BRANCH, &t, br + 7);
	CU_ASSERT_EQUAL(sw_sip_branch_decode(&key, (struct sw_sip_str){br, sizeof(br)}, &out), 0);
	CU_ASSERT_EQUAL(out.line, 77);
	CU_ASSERT_EQUAL(
	        sw_sip_branch_decode(&key, (struct sw_sip_str){br + 1, sizeof(br) - 1}, &out),
	        -EINVAL);
	sw_sip_token_encode(&key, SW_SIP_TOKEN_CALL_ID, &t, cid);
	memcpy(cid + SW_SIP_TOKEN_LEN, "@example.org", 12);
	CU_ASSERT_EQUAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_CALL_ID, cid, sizeof(cid), &out), 0);
	CU_ASSERT_EQUAL(out.txn, 99);
	cid[SW_SIP_TOKEN_LEN] = 'x';
	CU_ASSERT_EQUAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_CALL_ID, cid, sizeof(cid), &out),
	                -EINVAL);
}

static void
a_forged_foreign_or_misplaced_token_is_refused(void)
{
	struct sw_sip_token t = {5, 6, 7}, out;
	struct sw_sip_token_key other = {1, 2};
	char tok[SW_SIP_TOKEN_LEN];
	unsigned refused = 0;

	sw_sip_token_encode(&key, SW_SIP_TOKEN_BRANCH, &t, tok);
	/* another run's key */
	CU_ASSERT_EQUAL(sw_sip_token_decode(&other, SW_SIP_TOKEN_BRANCH, tok, sizeof(tok), &out),
	                -EBADMSG);
	/* a branch token used as a tag */
	CU_ASSERT_EQUAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_TAG, tok, sizeof(tok), &out),
	                -EBADMSG);
	/* every single-character change is refused */
	for (unsigned i = 0; i < SW_SIP_TOKEN_LEN; i++) {
		char f[SW_SIP_TOKEN_LEN];
		memcpy(f, tok, sizeof(f));
		f[i] = f[i] == 'A' ? 'B' : 'A';
		refused += sw_sip_token_decode(&key, SW_SIP_TOKEN_BRANCH, f, sizeof(f), &out) ==
		           -EBADMSG;
	}
	CU_ASSERT_EQUAL(refused, SW_SIP_TOKEN_LEN);
	/* bad alphabet and bad length */
	tok[3] = '.';
	CU_ASSERT_EQUAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_BRANCH, tok, sizeof(tok), &out),
	                -EINVAL);
	CU_ASSERT_EQUAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_BRANCH, tok, 5, &out), -EINVAL);
}

static void
a_stale_token_checks_but_names_an_old_transaction(void)
{
	struct sw_sip_token t = {5, 41, 0}, out;
	char tok[SW_SIP_TOKEN_LEN];
	uint32_t current_txn = 42;

	sw_sip_token_encode(&key, SW_SIP_TOKEN_BRANCH, &t, tok);
	CU_ASSERT_EQUAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_BRANCH, tok, sizeof(tok), &out), 0);
	CU_ASSERT_NOT_EQUAL(out.txn, current_txn);
}

static void
a_dialog_pair_equals_its_two_single_tokens_and_neither_passes_for_the_other(void)
{
	struct sw_sip_token t = {424242, 0x1234, 9}, out;
	char cid[SW_SIP_TOKEN_LEN], tag[SW_SIP_TOKEN_LEN], one[SW_SIP_TOKEN_LEN];

	sw_sip_token_encode_dialog(&key, &t, cid, tag);
	sw_sip_token_encode(&key, SW_SIP_TOKEN_CALL_ID, &t, one);
	CU_ASSERT_EQUAL(memcmp(cid, one, sizeof(one)), 0);
	sw_sip_token_encode(&key, SW_SIP_TOKEN_TAG, &t, one);
	CU_ASSERT_EQUAL(memcmp(tag, one, sizeof(one)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(cid, tag, sizeof(tag)), 0);
	CU_ASSERT_EQUAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_TAG, tag, sizeof(tag), &out), 0);
	CU_ASSERT_EQUAL(out.line, 424242);
	CU_ASSERT_EQUAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_CALL_ID, tag, sizeof(tag), &out),
	                -EBADMSG);
	CU_ASSERT_EQUAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_TAG, cid, sizeof(cid), &out),
	                -EBADMSG);
	CU_ASSERT_EQUAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_BRANCH, cid, sizeof(cid), &out),
	                -EBADMSG);
}
static const struct sw_test_case cases[] = {
        {"SipHash matches the reference vectors", siphash_matches_the_reference_vectors},
        {"a dialog pair equals its two single tokens and neither passes for the other",
         a_dialog_pair_equals_its_two_single_tokens_and_neither_passes_for_the_other},
        {"a token round-trips worker, line and transaction",
         a_token_round_trips_worker_line_and_transaction},
        {"a branch and a Call-ID with a host decode", a_branch_and_a_call_id_with_host_decode},
        {"a forged, foreign or misplaced token is refused",
         a_forged_foreign_or_misplaced_token_is_refused},
        {"a stale token checks but names an old transaction",
         a_stale_token_checks_but_names_an_old_transaction},
        {NULL, NULL},
};

const struct sw_test_suite suite_token = {"sip token", NULL, NULL, cases};
