/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Digest authentication, RFC 2617 section 3.2.2 and RFC 7616 section 3.4:
 *   HA1      = H(username ":" realm ":" password)          (-sess: H(HA1 ":" nonce ":" cnonce))
 *   HA2      = H(method ":" digest-uri)                     (qop=auth or no qop)
 *   response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)   (qop=auth)
 *   response = H(HA1 ":" nonce ":" HA2)                              (no qop)
 * MD5 is OpenSSL's. The MD5 state after the first 64 bytes ("HA1:" and the first 31 nonce
 * characters) is saved per line (A, B, C, D) and each response hashes only the rest: two
 * blocks instead of three. That needs OpenSSL's low-level MD5_CTX calls, deprecated in
 * OpenSSL 3 but present and documented; the warning is silenced in this file only.
 * tests/bench/sip measured the choices side by side (README.rst, "SIP"): OpenSSL with the
 * saved state beat a hand-written MD5 with the same saved state, and MD5() and EVP_Digest
 * without it. SHA-256 uses EVP_Digest: rare in SIP and not on the measured path.
 */
#include <errno.h>
#include <string.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <openssl/evp.h>
#include <openssl/md5.h>

#include "sip_private.h"

static int
hash_hex(enum sw_sip_digest_algo algo, const void *p, size_t n, char *out)
{
	uint8_t md[32];
	unsigned int mdlen = 0;

	switch (algo) {
	case SW_SIP_ALGO_MD5:
	case SW_SIP_ALGO_MD5_SESS:
		MD5(p, n, md);
		sw_sip_hex(out, md, 16);
		return SW_SIP_MD5_HEX;
	case SW_SIP_ALGO_SHA256:
	case SW_SIP_ALGO_SHA256_SESS:
		if (EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
			return -EINVAL;
		sw_sip_hex(out, md, 32);
		return SW_SIP_SHA256_HEX;
	default:
		return -EINVAL;
	}
}

/* a ":" b [":" c], into buf (sized by the callers' limits) */
static size_t
join3(char *buf, const char *a, size_t al, const char *b, size_t bl, const char *c, size_t cl)
{
	size_t n = 0;

	memcpy(buf + n, a, al);
	n += al;
	buf[n++] = ':';
	memcpy(buf + n, b, bl);
	n += bl;
	if (c != NULL) {
		buf[n++] = ':';
		memcpy(buf + n, c, cl);
		n += cl;
	}
	return n;
}

int
sw_sip_digest_ha1(enum sw_sip_digest_algo algo, const char *user, size_t ulen, const char *realm,
                  size_t rlen, const char *pass, size_t plen, char *out)
{
	char buf[3 * 256 + 2];

	if (ulen > 256 || rlen > 256 || plen > 256)
		return -EINVAL;
	return hash_hex(algo, buf, join3(buf, user, ulen, realm, rlen, pass, plen), out);
}

int
sw_sip_digest_ha2(enum sw_sip_digest_algo algo, const char *method, size_t mlen, const char *uri,
                  size_t ulen, char *out)
{
	char buf[32 + 1024 + 1];

	if (mlen > 32 || ulen > 1024)
		return -EINVAL;
	return hash_hex(algo, buf, join3(buf, method, mlen, uri, ulen, NULL, 0), out);
}

int
sw_sip_digest_accept(struct sw_sip_digest *d, const struct sw_sip_challenge *c, const char *ha1,
                     uint32_t cnonce)
{
	if (!c->present)
		return -EINVAL;
	if (c->algo >= SW_SIP_ALGO_UNKNOWN || (c->qop.len > 0 && !c->qop_auth))
		return -ENOTSUP;
	if (c->nonce.len > SW_SIP_DIGEST_NONCE_MAX || c->opaque.len > SW_SIP_DIGEST_OPAQUE_MAX)
		return -E2BIG;
	memset(d, 0, sizeof(*d));
	d->algo = c->algo;
	d->qop = c->qop_auth;
	d->proxy = c->proxy;
	d->echo_algorithm = c->algorithm.len > 0;
	d->nonce_len = (uint8_t)c->nonce.len;
	memcpy(d->nonce, c->nonce.p, c->nonce.len);
	d->opaque_len = (uint8_t)c->opaque.len;
	if (c->opaque.len > 0)
		memcpy(d->opaque, c->opaque.p, c->opaque.len);
	d->hex_len = (d->algo == SW_SIP_ALGO_SHA256 || d->algo == SW_SIP_ALGO_SHA256_SESS)
	                     ? SW_SIP_SHA256_HEX
	                     : SW_SIP_MD5_HEX;
	memcpy(d->ha1, ha1, d->hex_len);
	if (d->algo == SW_SIP_ALGO_MD5_SESS || d->algo == SW_SIP_ALGO_SHA256_SESS) {
		/* RFC 2617 section 3.2.2.2: computed once, on the first request after the
		 * challenge, with the cnonce then fixed for this nonce */
		char buf[SW_SIP_SHA256_HEX + SW_SIP_DIGEST_NONCE_MAX + 16], cn[8];
		sw_sip_hex32(cn, cnonce);
		d->cnonce = cnonce;
		hash_hex((enum sw_sip_digest_algo)d->algo, buf,
		         join3(buf, ha1, d->hex_len, d->nonce, d->nonce_len, cn, 8), d->ha1);
	}
	if (d->hex_len == SW_SIP_MD5_HEX && d->nonce_len >= 64 - SW_SIP_MD5_HEX - 1) {
		MD5_CTX cx;
		MD5_Init(&cx);
		MD5_Update(&cx, d->ha1, SW_SIP_MD5_HEX);
		MD5_Update(&cx, ":", 1);
		MD5_Update(&cx, d->nonce, 64 - SW_SIP_MD5_HEX - 1);
		d->mid[0] = cx.A;
		d->mid[1] = cx.B;
		d->mid[2] = cx.C;
		d->mid[3] = cx.D;
		d->has_mid = 1;
	}
	return 0;
}

void
sw_sip_digest_response(struct sw_sip_digest *d, const char *ha2, uint32_t cnonce, char *out)
{
	/* HA1 ":" nonce ":" nc ":" cnonce ":auth:" HA2, at most 64+1+128+1+8+1+8+6+64 bytes */
	uint8_t buf[320];
	size_t n = 0;

	d->nc++;
	if (d->algo != SW_SIP_ALGO_MD5_SESS && d->algo != SW_SIP_ALGO_SHA256_SESS)
		d->cnonce = cnonce;
	if (d->has_mid) {
		n = (size_t)d->nonce_len - (64 - SW_SIP_MD5_HEX - 1);
		memcpy(buf, d->nonce + (64 - SW_SIP_MD5_HEX - 1), n);
	} else {
		memcpy(buf, d->ha1, d->hex_len);
		n = d->hex_len;
		buf[n++] = ':';
		memcpy(buf + n, d->nonce, d->nonce_len);
		n += d->nonce_len;
	}
	buf[n++] = ':';
	if (d->qop) {
		sw_sip_hex32((char *)buf + n, d->nc);
		buf[n + 8] = ':';
		sw_sip_hex32((char *)buf + n + 9, d->cnonce);
		memcpy(buf + n + 17, ":auth:", 6);
		n += 23;
	}
	memcpy(buf + n, ha2, d->hex_len);
	n += d->hex_len;
	if (d->hex_len == SW_SIP_MD5_HEX) {
		MD5_CTX cx;
		uint8_t md[16];

		if (d->has_mid) {
			/* the state after one block: 512 bits hashed, nothing buffered */
			memset(&cx, 0, sizeof(cx));
			cx.A = d->mid[0];
			cx.B = d->mid[1];
			cx.C = d->mid[2];
			cx.D = d->mid[3];
			cx.Nl = 512;
		} else {
			MD5_Init(&cx);
		}
		MD5_Update(&cx, buf, n);
		MD5_Final(md, &cx);
		sw_sip_hex(out, md, 16);
	} else {
		hash_hex((enum sw_sip_digest_algo)d->algo, buf, n, out);
	}
}

#pragma GCC diagnostic pop
