/* SPDX-License-Identifier: BSD-3-Clause */
/* The token in branch / Call-ID / tag: round trip, forged and foreign tokens, SipHash vectors. */
#include <errno.h>
#include <string.h>

#include "sw_common.h"
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

/* by definition: the MAC is SipHash of the payload's 8 bytes (little-endian) and a place
 * byte (0 for a branch, 0x80 for a Call-ID: low half, or a tag: high half), the text
 * base64url of payload then MAC, big-endian; and a token with any one byte changed to any
 * other value is refused, out of the alphabet as -EINVAL */
static void
a_token_is_base64url_of_payload_and_siphash_and_any_other_byte_is_refused(void)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint64_t x = 0x2545F4914F6CDD1Dull;
	unsigned int bad = 0;

	for (int r = 0; r < 200; r++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		struct sw_sip_token t = {(uint32_t)(x >> 8), (uint32_t)(x >> 40) & 0xffffff,
		                         (uint8_t)x},
		                    out;
		uint64_t payload = (uint64_t)t.worker << 56 | (uint64_t)t.line << 24 | t.txn;
		uint8_t in[9], b[12];

		memcpy(in, &payload, 8);
		for (int kind = 0; kind < 3; kind++) {
			char tok[SW_SIP_TOKEN_LEN], want[SW_SIP_TOKEN_LEN];

			in[8] = kind == SW_SIP_TOKEN_BRANCH ? 0 : 0x80;
			uint64_t h = sw_sip_siphash(&key, in, sizeof(in));
			uint32_t mac = kind == SW_SIP_TOKEN_TAG ? (uint32_t)(h >> 32) : (uint32_t)h;

			for (int i = 0; i < 8; i++)
				b[i] = (uint8_t)(payload >> (56 - 8 * i));
			for (int i = 0; i < 4; i++)
				b[8 + i] = (uint8_t)(mac >> (24 - 8 * i));
			for (int g = 0; g < 4; g++) {
				uint32_t w = (uint32_t)b[3 * g] << 16 |
				             (uint32_t)b[3 * g + 1] << 8 | b[3 * g + 2];
				for (int k = 0; k < 4; k++)
					want[4 * g + k] = a[(w >> (18 - 6 * k)) & 63];
			}
			sw_sip_token_encode(&key, (enum sw_sip_token_kind)kind, &t, tok);
			bad += memcmp(tok, want, sizeof(tok)) != 0;
			bad += sw_sip_token_decode(&key, (enum sw_sip_token_kind)kind, tok,
			                           sizeof(tok), &out) != 0;
			bad += out.line != t.line || out.txn != t.txn || out.worker != t.worker;
			if (r >= 4)
				continue;
			for (unsigned i = 0; i < SW_SIP_TOKEN_LEN; i++)
				for (int c = 0; c < 256; c++) {
					char f[SW_SIP_TOKEN_LEN];
					int rc;

					if ((char)c == tok[i])
						continue;
					memcpy(f, tok, sizeof(f));
					f[i] = (char)c;
					rc = sw_sip_token_decode(&key, (enum sw_sip_token_kind)kind,
					                         f, sizeof(f), &out);
					bad += rc != (c != 0 && strchr(a, c) != NULL ? -EBADMSG
					                                             : -EINVAL);
				}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* the split API is the whole one: encode_mac writes encode's text and returns the MAC that
 * check accepts, put_dialog with dialog_mac writes encode_dialog's pair, branch_read and
 * check decide as branch_decode does */
static void
the_split_token_calls_equal_the_whole_ones(void)
{
	struct sw_sip_token t = {987654, 0x0201, 4}, r;
	char a[SW_SIP_TOKEN_LEN], b[SW_SIP_TOKEN_LEN], c2[SW_SIP_TOKEN_LEN], t2[SW_SIP_TOKEN_LEN];
	char br[7 + SW_SIP_TOKEN_LEN];
	uint32_t mac, got;

	for (int kind = 0; kind < 3; kind++) {
		sw_sip_token_encode(&key, (enum sw_sip_token_kind)kind, &t, a);
		mac = sw_sip_token_encode_mac(&key, (enum sw_sip_token_kind)kind, &t, b);
		CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
		CU_ASSERT_EQUAL(sw_sip_token_check(&key, (enum sw_sip_token_kind)kind, &t, mac), 0);
		CU_ASSERT_EQUAL(sw_sip_token_check(&key, (enum sw_sip_token_kind)kind, &t, mac ^ 1),
		                -EBADMSG);
	}
	sw_sip_token_encode_dialog(&key, &t, a, b);
	sw_sip_token_put_dialog(&t, sw_sip_token_dialog_mac(&key, &t), c2, t2);
	CU_ASSERT_EQUAL(memcmp(a, c2, sizeof(a)), 0);
	CU_ASSERT_EQUAL(memcmp(b, t2, sizeof(b)), 0);
	memcpy(br, SW_SIP_BRANCH_COOKIE, 7);
	mac = sw_sip_token_encode_mac(&key, SW_SIP_TOKEN_BRANCH, &t, br + 7);
	CU_ASSERT_EQUAL_FATAL(sw_sip_branch_read((struct sw_sip_str){br, sizeof(br)}, &r, &got), 0);
	CU_ASSERT_EQUAL(got, mac);
	CU_ASSERT(r.line == t.line && r.txn == t.txn && r.worker == t.worker);
	CU_ASSERT_EQUAL(sw_sip_branch_read((struct sw_sip_str){br, sizeof(br) - 1}, &r, &got),
	                -EINVAL);
	br[0] = 'Z';
	CU_ASSERT_EQUAL(sw_sip_branch_read((struct sw_sip_str){br, sizeof(br)}, &r, &got), -EINVAL);
	br[0] = 'z';
	br[9] = '.';
	CU_ASSERT_EQUAL(sw_sip_branch_read((struct sw_sip_str){br, sizeof(br)}, &r, &got), -EINVAL);
}

/* the token text by definition: base64url of payload (64 bits) then MAC (32), big-endian */
static void
reference_text(const char *tok, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct sw_sip_token t;
	uint8_t b[12];
	uint64_t payload;
	uint32_t mac = 0;

	/* take the bits back from the scalar decoder's view: payload from the token, then MAC */
	CU_ASSERT_EQUAL_FATAL(sw_sip_token_decode(&key, SW_SIP_TOKEN_BRANCH, tok, 16, &t), 0);
	payload = (uint64_t)t.worker << 56 | (uint64_t)t.line << 24 | t.txn;
	for (int i = 0; i < 6; i++) /* the MAC's 32 bits: 2 in char 10, 30 in chars 11..15 */
		mac = mac << 6 | (uint32_t)(strchr(a, tok[10 + i]) - a);
	mac &= 0xffffffffu;
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(payload >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		b[8 + i] = (uint8_t)(mac >> (24 - 8 * i));
	for (int g = 0; g < 4; g++) {
		uint32_t x = (uint32_t)b[3 * g] << 16 | (uint32_t)b[3 * g + 1] << 8 | b[3 * g + 2];
		for (int k = 0; k < 4; k++)
			out[4 * g + k] = a[(x >> (18 - 6 * k)) & 63];
	}
}

static void
ten_thousand_random_tokens_are_base64url_of_their_bits_and_round_trip(void)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	unsigned int bad = 0;

	for (int i = 0; i < 10000; i++) {
		struct sw_sip_token in, out;
		char tok[SW_SIP_TOKEN_LEN], ref[SW_SIP_TOKEN_LEN];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		in = (struct sw_sip_token){(uint32_t)x, (uint32_t)(x >> 32) & 0xffffff,
		                           (uint8_t)(x >> 56)};
		sw_sip_token_encode(&key, SW_SIP_TOKEN_BRANCH, &in, tok);
		reference_text(tok, ref);
		bad += memcmp(tok, ref, sizeof(tok)) != 0;
		bad += sw_sip_token_decode(&key, SW_SIP_TOKEN_BRANCH, tok, sizeof(tok), &out) !=
		               0 ||
		       out.line != in.line || out.txn != in.txn || out.worker != in.worker;
	}
	CU_ASSERT_EQUAL(bad, 0);
}
/* the burst calls (four hashes per AVX2 instruction) give the single calls' MACs and
 * characters, for every count up to a burst (the lanes left over included) and every kind */
static void
a_burst_of_tokens_equals_the_tokens_one_by_one(void)
{
	uint64_t st = 77;
	unsigned int bad = 0;

	for (unsigned int round = 0; round < 50; round++) {
		struct sw_sip_token_key k = {sw_splitmix64(&st), sw_splitmix64(&st)};
		struct sw_sip_token t[SW_SIP_TOKEN_BURST];

		for (unsigned int j = 0; j < SW_SIP_TOKEN_BURST; j++) {
			uint64_t r = sw_splitmix64(&st);

			t[j] = (struct sw_sip_token){.line = (uint32_t)r,
			                             .txn = (uint32_t)(r >> 32) & 0xffffffu,
			                             .worker = (uint8_t)(r >> 56)};
		}
		for (unsigned int n = 0; n <= SW_SIP_TOKEN_BURST; n++) {
			uint64_t dm[SW_SIP_TOKEN_BURST];

			sw_sip_token_dialog_mac_burst(&k, t, n, dm);
			for (unsigned int j = 0; j < n; j++) {
				char cid[SW_SIP_TOKEN_LEN], tag[SW_SIP_TOKEN_LEN],
				        one[SW_SIP_TOKEN_LEN];

				bad += dm[j] != sw_sip_token_dialog_mac(&k, &t[j]);
				/* the pair written at once (both 128-bit lanes) is the two singles */
				sw_sip_token_put_dialog(&t[j], dm[j], cid, tag);
				sw_sip_token_encode(&k, SW_SIP_TOKEN_CALL_ID, &t[j], one);
				bad += memcmp(cid, one, sizeof(one)) != 0;
				sw_sip_token_encode(&k, SW_SIP_TOKEN_TAG, &t[j], one);
				bad += memcmp(tag, one, sizeof(one)) != 0;
			}
			for (int kind = 0; kind < 3; kind++) {
				char out[SW_SIP_TOKEN_BURST][SW_SIP_TOKEN_LEN],
				        one[SW_SIP_TOKEN_LEN];
				uint32_t mac[SW_SIP_TOKEN_BURST];

				sw_sip_token_encode_mac_burst(&k, (enum sw_sip_token_kind)kind, t,
				                              n, out, mac);
				for (unsigned int j = 0; j < n; j++) {
					uint32_t m1 = sw_sip_token_encode_mac(
					        &k, (enum sw_sip_token_kind)kind, &t[j], one);

					bad += mac[j] != m1 ||
					       memcmp(out[j], one, sizeof(one)) != 0;
				}
			}
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static const struct sw_test_case cases[] = {
        {"SipHash matches the reference vectors", siphash_matches_the_reference_vectors},
        {"the split token calls equal the whole ones", the_split_token_calls_equal_the_whole_ones},
        {"a token is base64url of payload and SipHash, and any other byte is refused",
         a_token_is_base64url_of_payload_and_siphash_and_any_other_byte_is_refused},
        {"ten thousand random tokens are base64url of their bits and round-trip",
         ten_thousand_random_tokens_are_base64url_of_their_bits_and_round_trip},
        {"a dialog pair equals its two single tokens and neither passes for the other",
         a_dialog_pair_equals_its_two_single_tokens_and_neither_passes_for_the_other},
        {"a token round-trips worker, line and transaction",
         a_token_round_trips_worker_line_and_transaction},
        {"a branch and a Call-ID with a host decode", a_branch_and_a_call_id_with_host_decode},
        {"a forged, foreign or misplaced token is refused",
         a_forged_foreign_or_misplaced_token_is_refused},
        {"a stale token checks but names an old transaction",
         a_stale_token_checks_but_names_an_old_transaction},
        {"a burst of tokens equals the tokens one by one",
         a_burst_of_tokens_equals_the_tokens_one_by_one},
        {NULL, NULL},
};

const struct sw_test_suite suite_token = {"sip token", NULL, NULL, cases};
