/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the SIP parser on any bytes. On success every slice must lie inside the input
 * and the body must end within it, and the worker's narrower mask must give the same fields
 * (a differential of the branch-only Via walk against the full Via parse); the token decoder
 * runs on the branch, Call-ID and tags.
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

static int
same(const struct sw_sip_str *a, const struct sw_sip_str *b)
{
	return a->len == b->len && (a->len == 0 || a->p == b->p);
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
	/*
	 * differential: the worker's mask (the branch found without decoding the Via, the
	 * mask-driven shortcuts) gives the same fields as the full parse. Except behind an IPv6
	 * sent-by "[...]" in the top Via: the full Via parse skips the brackets, the branch walk
	 * does not know them and takes a '"' or ',' inside them as a quote or the value's end
	 * (it may then refuse with SW_SIP_BAD_VIA or find no branch).
	 */
	{
		struct sw_sip_msg w;
		const unsigned mask = SW_SIP_WANT_BRANCH | SW_SIP_WANT_CONTACT |
		                      SW_SIP_WANT_NUMBERS | SW_SIP_WANT_AUTH;
		enum sw_sip_reason rw = sw_sip_parse(&w, b, size, mask);
		int v6 = m.via_count > 0 && memchr(m.vias[0].p, '[', m.vias[0].len) != NULL;

		if (rw != SW_SIP_OK && !(v6 && rw == SW_SIP_BAD_VIA))
			abort();
		if (rw == SW_SIP_OK && !v6 && !same(&w.via_branch, &m.via_branch))
			abort();
		if (rw == SW_SIP_OK &&
		    (w.status != m.status || w.cseq != m.cseq || !same(&w.call_id, &m.call_id) ||
		     !same(&w.contact_uri, &m.contact_uri) ||
		     w.contact_expires != m.contact_expires || w.expires != m.expires ||
		     w.retry_after != m.retry_after || !same(&w.body, &m.body) ||
		     w.header_count != m.header_count ||
		     !same(&w.challenge.realm, &m.challenge.realm) ||
		     !same(&w.challenge.nonce, &m.challenge.nonce) ||
		     !same(&w.challenge.opaque, &m.challenge.opaque) ||
		     !same(&w.challenge.qop, &m.challenge.qop) ||
		     !same(&w.challenge.algorithm, &m.challenge.algorithm) ||
		     w.challenge.present != m.challenge.present ||
		     w.challenge.proxy != m.challenge.proxy ||
		     w.challenge.stale != m.challenge.stale ||
		     w.challenge.qop_auth != m.challenge.qop_auth ||
		     w.challenge.algo != m.challenge.algo))
			abort();
	}
	sw_sip_branch_decode(&key, m.via_branch, &t);
	sw_sip_token_decode(&key, SW_SIP_TOKEN_CALL_ID, m.call_id.p, m.call_id.len, &t);
	sw_sip_token_decode(&key, SW_SIP_TOKEN_TAG, m.from_tag.p, m.from_tag.len, &t);
	return 0;
}
