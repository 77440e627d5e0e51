/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: a WWW-/Proxy-Authenticate value from a hostile server, taken all the way: parse,
 * accept into a line's digest state, answer, and build the authenticated REGISTER.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sw_sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_sip_tmpl t;
	static int compiled;
	struct sw_sip_challenge c;
	struct sw_sip_digest d;
	struct sw_sip_vars v;
	char ha1[64], ha2[64], resp[64], out[4096];
	int n;

	if (!compiled) {
		if (sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, NULL) != 0)
			abort();
		compiled = 1;
	}
	if (sw_sip_challenge_parse(&c, (const char *)data, size) != SW_SIP_OK || !c.present)
		return 0;
	if (c.realm.p < (const char *)data || c.nonce.p + c.nonce.len > (const char *)data + size)
		abort();
	{
		enum sw_sip_digest_algo base =
		        (c.algo == SW_SIP_ALGO_SHA256 || c.algo == SW_SIP_ALGO_SHA256_SESS)
		                ? SW_SIP_ALGO_SHA256
		                : SW_SIP_ALGO_MD5;
		sw_sip_digest_ha1(base, "u", 1, c.realm.p, c.realm.len, "p", 1, ha1);
		sw_sip_digest_ha2(base, "REGISTER", 8, "sip:d", 5, ha2);
	}
	if (sw_sip_digest_accept(&d, &c, ha1, 7) != 0)
		return 0;
	{
		/* the burst path must agree with the one-by-one path */
		struct sw_sip_digest bd[9], *pd[9];
		const char *ph[9];
		char br[9][64], *po[9];
		uint32_t cn[9];

		for (int i = 0; i < 9; i++) {
			bd[i] = d;
			pd[i] = &bd[i];
			ph[i] = ha2;
			po[i] = br[i];
			cn[i] = 9;
		}
		sw_sip_digest_response_burst(pd, ph, cn, po, 9);
		sw_sip_digest_response(&d, ha2, 9, resp);
		for (int i = 0; i < 9; i++)
			if (memcmp(br[i], resp, d.hex_len) != 0)
				abort();
	}
	memset(&v, 0, sizeof(v));
	v.s[SW_SIP_V_USER] = (struct sw_sip_cstr){"u", 1};
	v.s[SW_SIP_V_DOMAIN] = (struct sw_sip_cstr){"d", 1};
	v.s[SW_SIP_V_REALM] = (struct sw_sip_cstr){c.realm.p, c.realm.len};
	v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, d.hex_len};
	v.digest = &d;
	n = sw_sip_build(&t, &v, out, sizeof(out));
	if (n < 0 || (size_t)n + SW_SIP_BUILD_SLACK > sizeof(out))
		abort();
	return 0;
}
