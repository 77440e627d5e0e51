/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the SIP parser on any bytes. On success every slice must lie inside the input
 * and the body must end within it; the token decoder runs on the branch, Call-ID and tags.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sw_sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct sw_sip_str *s, const char *b, size_t n)
{
	if (s->len == 0)
		return;
	if (s->p < b || s->p + s->len > b + n)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sw_sip_token_key key = {1, 2};
	const char *b = (const char *)data;
	struct sw_sip_msg m;
	struct sw_sip_token t;

	if (sw_sip_parse(&m, b, size, SW_SIP_WANT_ALL) != SW_SIP_OK) {
		/* a narrower want mask must not crash either */
		sw_sip_parse(&m, b, size, SW_SIP_WANT_VIA);
		return 0;
	}
	check(&m.method_s, b, size);
	check(&m.ruri, b, size);
	check(&m.reason, b, size);
	check(&m.via_transport, b, size);
	check(&m.via_host, b, size);
	check(&m.via_branch, b, size);
	check(&m.via_received, b, size);
	for (unsigned i = 0; i < m.via_count; i++)
		check(&m.vias[i], b, size);
	check(&m.from, b, size);
	check(&m.to, b, size);
	check(&m.from_tag, b, size);
	check(&m.to_tag, b, size);
	check(&m.call_id, b, size);
	check(&m.cseq_s, b, size);
	check(&m.contact_uri, b, size);
	check(&m.challenge.realm, b, size);
	check(&m.challenge.nonce, b, size);
	check(&m.challenge.opaque, b, size);
	check(&m.body, b, size);
	if (m.content_length >= 0 && m.body.len != (uint32_t)m.content_length)
		abort();
	sw_sip_branch_decode(&key, m.via_branch, &t);
	sw_sip_token_decode(&key, SW_SIP_TOKEN_CALL_ID, m.call_id.p, m.call_id.len, &t);
	sw_sip_token_decode(&key, SW_SIP_TOKEN_TAG, m.from_tag.p, m.from_tag.len, &t);
	return 0;
}
