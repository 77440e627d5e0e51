/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/sip per-core figures: authenticated REGISTERs built per second (each with a fresh digest
 * response, nc incrementing), responses parsed per second (a 200 OK to REGISTER, a 401), and
 * the MD5 we use against OpenSSL's, measured side by side in the same run.
 * Usage: bench_sip [ITERATIONS]   (default 2000000)
 * Each figure is timed in 5 chunks of ITERATIONS / 5 and printed as the minimum and the median
 * chunk: the minimum is what the code costs, the median what a shared machine gave.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_bench.h"

#include <openssl/evp.h>
#include <openssl/md5.h>
#include <osipparser2/osip_parser.h>

#include "bench_md5.h"
#include "loop_msgs.h"
#include "sip_private.h"
#include "sw_sip.h"

#define S(x) ((struct sw_sip_cstr){x, sizeof(x) - 1})

static volatile uint64_t sink;

#define CHUNKS 5

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void
report(const char *what, double ns[CHUNKS])
{
	qsort(ns, CHUNKS, sizeof(ns[0]), cmp_double);
	printf("%-58s %8.1f %8.1f ns/op %11.0f /s\n", what, ns[0], ns[CHUNKS / 2],
	       1e9 / ns[CHUNKS / 2]);
}

/* Time the statements after per (which use the loop index i), n iterations in CHUNKS chunks. */
#define TIMED(what, n, per, ...)                                                                   \
	do {                                                                                       \
		double ns_[CHUNKS];                                                                \
		unsigned long chunk_ = (n) / CHUNKS + 1;                                           \
		for (unsigned c_ = 0; c_ < CHUNKS; c_++) {                                         \
			double t0_ = sw_bench_now();                                               \
			for (unsigned long i = c_ * chunk_; i < (c_ + 1) * chunk_; i++) {          \
				__VA_ARGS__                                                        \
			}                                                                          \
			ns_[c_] = (sw_bench_now() - t0_) * 1e9 / (double)(chunk_ * (per));         \
		}                                                                                  \
		report(what, ns_);                                                                 \
	} while (0)

/* the same with the whole top Via decoded and checked (sent-by, received, rport) */
#define WORKER_VIA_MASK (WORKER_MASK | SW_SIP_WANT_VIA)

static const char ok_200[] =
        "SIP/2.0 200 OK\r\n"
        "Via: SIP/2.0/UDP 198.18.0.10:5060;rport=5060;received=198.18.0.10;"
        "branch=z9hG4bKAAAAbbbbCCCCdddd\r\n"
        "From: <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
        "To: <sip:1000@example.org>;tag=a6a1c5f60faecf035a1ae5b6e96e979a-2d5b\r\n"
        "Call-ID: CALLidToken00001\r\n"
        "CSeq: 2 REGISTER\r\n"
        "Contact: <sip:1000@198.18.0.10:5060>;expires=3600\r\n"
        "Server: kamailio (5.6.3 (x86_64/linux))\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

static const char chal_401[] =
        "SIP/2.0 401 Unauthorized\r\n"
        "Via: SIP/2.0/UDP 198.18.0.10:5060;rport=5060;received=198.18.0.10;"
        "branch=z9hG4bKAAAAbbbbCCCCdddd\r\n"
        "From: <sip:1000@example.org>;tag=FROMtagToken0001\r\n"
        "To: <sip:1000@example.org>;tag=a6a1c5f60faecf035a1ae5b6e96e979a-2d5b\r\n"
        "Call-ID: CALLidToken00001\r\n"
        "CSeq: 1 REGISTER\r\n"
        "WWW-Authenticate: Digest realm=\"example.org\", "
        "nonce=\"ZGVhZGJlZWZjYWZlYmFiZTAxMjM0NTY3ODlhYmNkZWYwMTI=\", qop=\"auth\"\r\n"
        "Server: kamailio (5.6.3 (x86_64/linux))\r\n"
        "Content-Length: 0\r\n"
        "\r\n";

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	const struct sw_sip_token_key key = {0x1234, 0x5678};
	struct sw_sip_msg m;
	struct sw_sip_challenge c;
	struct sw_sip_digest d;
	struct sw_sip_tmpl t;
	struct sw_sip_vars v;
	char ha1[64], ha2[64], resp[64], br[SW_SIP_TOKEN_LEN], out[2048];
	int len = 0;

	printf("bench_sip: lib/sip per core; command: %s %lu\n", argv[0], n);

	/* setup: a line that got the 401 above */
	sw_sip_parse(&m, chal_401, sizeof(chal_401) - 1, SW_SIP_WANT_ALL);
	c = m.challenge;
	sw_sip_digest_ha1(SW_SIP_ALGO_MD5, "1000", 4, "example.org", 11, "secret", 6, ha1);
	sw_sip_digest_ha2(SW_SIP_ALGO_MD5, "REGISTER", 8, "sip:example.org", 15, ha2);
	sw_sip_digest_accept(&d, &c, ha1, 0);
	sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, NULL);
	memset(&v, 0, sizeof(v));
	v.s[SW_SIP_V_USER] = S("1000");
	v.s[SW_SIP_V_DOMAIN] = S("example.org");
	v.s[SW_SIP_V_AUTH_USER] = S("1000");
	v.s[SW_SIP_V_LOCAL] = S("198.18.0.10:5060");
	v.s[SW_SIP_V_REALM] = S("example.org");
	v.s[SW_SIP_V_FROM_TAG] = S("FROMtagToken0001");
	v.s[SW_SIP_V_CALL_ID] = S("CALLidToken00001");
	v.s[SW_SIP_V_BRANCH] = (struct sw_sip_cstr){br, SW_SIP_TOKEN_LEN};
	v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, 32};
	v.n[SW_SIP_N_EXPIRES] = 3600;
	v.digest = &d;

	printf("%-58s %8s %8s ns/op %11s\n", "", "min", "median", "median rate");

	/* 1. the whole per-message cost: token + digest response + build */
	TIMED("REGISTER+Authorization: token + digest + build", n, 1, {
		struct sw_sip_token tok = {(uint32_t)i, (uint32_t)i, 0};
		sw_sip_token_encode(&key, SW_SIP_TOKEN_BRANCH, &tok, br);
		sw_sip_digest_response(&d, ha2, (uint32_t)i * 2654435761u, resp);
		v.n[SW_SIP_N_CSEQ] = (uint32_t)i;
		len = sw_sip_build(&t, &v, out, sizeof(out));
		sink += (uint64_t)len + (uint8_t)out[len - 5];
	});

	/* 1a. the same in bursts of 32 lines, the digest 16 lines at a time (AVX2 MD5) */
	{
		enum {
			B = 32
		};
		static struct sw_sip_digest ds[B];
		struct sw_sip_digest *pd[B];
		const char *ph[B];
		char rs[B][64], *po[B];
		uint32_t cn[B];
		unsigned long bursts = n / B;

		for (unsigned k = 0; k < B; k++) {
			ds[k] = d;
			pd[k] = &ds[k];
			ph[k] = ha2;
			po[k] = rs[k];
		}
		TIMED("REGISTER+Authorization, bursts of 32 (multi-buffer MD5)", bursts, B, {
			for (unsigned k = 0; k < B; k++)
				cn[k] = (uint32_t)(i * B + k) * 2654435761u;
			sw_sip_digest_response_burst(pd, ph, cn, po, B);
			for (unsigned k = 0; k < B; k++) {
				struct sw_sip_token tok = {(uint32_t)k, (uint32_t)i, 0};
				sw_sip_token_encode(&key, SW_SIP_TOKEN_BRANCH, &tok, br);
				v.digest = pd[k];
				v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){rs[k], 32};
				v.n[SW_SIP_N_CSEQ] = (uint32_t)i;
				len = sw_sip_build(&t, &v, out, sizeof(out));
				sink += (uint64_t)len + (uint8_t)out[len - 5];
			}
		});
		TIMED("  digest response, burst of 32, AVX2 2x8-lane MD5", bursts, B, {
			sw_sip_digest_response_burst(pd, ph, cn, po, B);
			sink += (uint8_t)rs[i & 31][0];
		});
		v.digest = &d;
		v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, 32};
	}

	/* 1b. the parts */
	TIMED("  build only (template copy + patch)", n, 1, {
		v.n[SW_SIP_N_CSEQ] = (uint32_t)i;
		len = sw_sip_build(&t, &v, out, sizeof(out));
		sink += (uint64_t)len + (uint8_t)out[i & 255];
	});
	TIMED("  token encode (SipHash-2-4 MAC + base64url)", n, 1, {
		struct sw_sip_token tok = {(uint32_t)i, (uint32_t)i, 0};
		sw_sip_token_encode(&key, SW_SIP_TOKEN_BRANCH, &tok, br);
		sink += (uint8_t)br[3];
	});
	TIMED("  digest response, chosen: OpenSSL MD5 + saved state (2 bl.)", n, 1, {
		sw_sip_digest_response(&d, ha2, (uint32_t)i, resp);
		sink += (uint8_t)resp[0];
	});
	d.has_mid = 0;
	TIMED("  digest response, OpenSSL MD5, no saved state (3 blocks)", n, 1, {
		sw_sip_digest_response(&d, ha2, (uint32_t)i, resp);
		sink += (uint8_t)resp[0];
	});
	d.has_mid = 1;

	/* 2. OpenSSL alternatives on the same input (HA1:nonce:nc:cnonce:auth:HA2) */
	{
		char in[256];
		size_t il = 0;
		uint8_t md[16];
		unsigned int mdl;

		memcpy(in, ha1, 32);
		il = 32;
		in[il++] = ':';
		memcpy(in + il, d.nonce, d.nonce_len);
		il += d.nonce_len;
		memcpy(in + il, ":00000001:deadbeef:auth:", 24);
		il += 24;
		memcpy(in + il, ha2, 32);
		il += 32;
		TIMED("  digest response, OpenSSL MD5() one-shot (3 blocks)", n, 1, {
			sw_sip_hex32(in + 33 + d.nonce_len + 1, (uint32_t)i);
			MD5((const unsigned char *)in, il, md);
			sw_sip_hex(resp, md, 16);
			sink += (uint8_t)resp[0];
		});
		TIMED("  digest response, OpenSSL EVP_Digest (3 blocks)", n, 1, {
			sw_sip_hex32(in + 33 + d.nonce_len + 1, (uint32_t)i);
			EVP_Digest(in, il, md, &mdl, EVP_md5(), NULL);
			sw_sip_hex(resp, md, 16);
			sink += (uint8_t)resp[0];
		});
		{
			uint32_t st0[4];
			sw_sip_md5_init(st0);
			sw_sip_md5_compress(st0, (const uint8_t *)in);
			TIMED("  digest response, hand-written MD5 + saved state", n, 1, {
				uint32_t st[4];
				sw_sip_hex32(in + 33 + d.nonce_len + 1, (uint32_t)i);
				memcpy(st, st0, sizeof(st));
				sw_sip_md5_finish(st, (const uint8_t *)in + 64, il - 64, il, md);
				sw_sip_hex(resp, md, 16);
				sink += (uint8_t)resp[0];
			});
		}
		TIMED("  one 64-byte message, hand-written MD5 (2 compressions)", n, 1, {
			in[0] = (char)i;
			sw_sip_md5(in, 64, md);
			sink += md[0];
		});
		TIMED("  one 64-byte message, OpenSSL MD5() (2 compressions)", n, 1, {
			in[0] = (char)i;
			MD5((const unsigned char *)in, 64, md);
			sink += md[0];
		});
	}

	/* 3. parsing responses: every field, and what a worker asks for (WORKER_MASK) */
	TIMED("parse 200 OK to REGISTER (SW_SIP_WANT_ALL)", n, 1,
	      { sink += sw_sip_parse(&m, ok_200, sizeof(ok_200) - 1, SW_SIP_WANT_ALL) + m.cseq; });
	TIMED("parse 401 with a Digest challenge (SW_SIP_WANT_ALL)", n, 1, {
		sink += sw_sip_parse(&m, chal_401, sizeof(chal_401) - 1, SW_SIP_WANT_ALL) +
		        m.challenge.nonce.len;
	});
	TIMED("parse 200 OK to REGISTER (worker mask: branch, no tags)", n, 1,
	      { sink += sw_sip_parse(&m, ok_200, sizeof(ok_200) - 1, WORKER_MASK) + m.cseq; });
	TIMED("parse 401 with a Digest challenge (worker mask)", n, 1, {
		sink += sw_sip_parse(&m, chal_401, sizeof(chal_401) - 1, WORKER_MASK) +
		        m.challenge.nonce.len;
	});
	TIMED("parse 200 OK to REGISTER (worker mask + whole Via)", n, 1,
	      { sink += sw_sip_parse(&m, ok_200, sizeof(ok_200) - 1, WORKER_VIA_MASK) + m.cseq; });
	TIMED("parse 401 with a Digest challenge (worker mask + whole Via)", n, 1, {
		sink += sw_sip_parse(&m, chal_401, sizeof(chal_401) - 1, WORKER_VIA_MASK) +
		        m.challenge.nonce.len;
	});
	TIMED("loop: parse the cluster's 401 (worker mask)", n, 1, {
		sink += sw_sip_parse(&m, loop_401, sizeof(loop_401) - 1, WORKER_MASK) +
		        m.challenge.nonce.len;
	});
	TIMED("loop: parse the cluster's 200 OK (worker mask)", n, 1,
	      { sink += sw_sip_parse(&m, loop_200, sizeof(loop_200) - 1, WORKER_MASK) + m.cseq; });
	TIMED("loop: parse a REGISTER (cluster mask)", n, 1,
	      { sink += sw_sip_parse(&m, loop_reg, sizeof(loop_reg) - 1, CLUSTER_MASK) + m.cseq; });
	TIMED("loop: parse a REGISTER with Authorization (cluster mask)", n, 1, {
		sink += sw_sip_parse(&m, loop_reg_auth, sizeof(loop_reg_auth) - 1, CLUSTER_MASK) +
		        m.cseq;
	});
	TIMED("token decode + MAC check", n, 1, {
		struct sw_sip_token tok;
		sink += (uint64_t)sw_sip_token_decode(&key, SW_SIP_TOKEN_BRANCH, br, sizeof(br),
		                                      &tok) +
		        tok.line;
	});

	/* 4. reference: libosip2 on the same 200 OK */
	parser_init();
	TIMED("reference: libosip2 osip_message_parse 200 OK", n / 20, 1, {
		osip_message_t *om;
		osip_message_init(&om);
		sink += (uint64_t)osip_message_parse(om, ok_200, sizeof(ok_200) - 1);
		osip_message_free(om);
	});
	printf("bytes: REGISTER with Authorization %d; struct sw_sip_digest %zu per challenged line; "
	       "struct sw_sip_msg %zu; struct sw_sip_tmpl %zu\n",
	       len, sizeof(struct sw_sip_digest), sizeof(struct sw_sip_msg),
	       sizeof(struct sw_sip_tmpl));
	return sink == 42 ? 1 : 0;
}
