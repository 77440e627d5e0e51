/* SPDX-License-Identifier: BSD-3-Clause */
/* Field-by-field comparison of two parses (see parse_diff.h). */
#include "parse_diff.h"

static int
str_eq(struct sw_sip_str a, struct sw_sip_str b)
{
	return a.len == b.len && (a.len == 0 || a.p == b.p);
}

int
sw_sip_parse_diff(const char *buf, size_t len, unsigned want, const char **what)
{
	struct sw_sip_msg a, b;
	enum sw_sip_reason ra = sw_sip_parse(&a, buf, len, want);
	enum sw_sip_reason rb = sw_sip_parse_ref(&b, buf, len, want);

#define F(x)                                                                                       \
	do {                                                                                       \
		if (a.x != b.x) {                                                                  \
			*what = #x;                                                                \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)
#define S(x)                                                                                       \
	do {                                                                                       \
		if (!str_eq(a.x, b.x)) {                                                           \
			*what = #x;                                                                \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)
	if (ra != rb) {
		*what = "return code";
		return 2;
	}
	F(is_request);
	F(method);
	F(cseq_method);
	F(via_count);
	F(status);
	F(header_count);
	S(method_s);
	S(ruri);
	S(reason);
	S(via_transport);
	S(via_host);
	S(via_branch);
	S(via_received);
	F(via_port);
	F(via_rport);
	for (unsigned i = 0; i < SW_SIP_MAX_VIAS; i++)
		S(vias[i]);
	S(from);
	S(to);
	S(from_tag);
	S(to_tag);
	S(call_id);
	S(cseq_s);
	S(cseq_method_s);
	F(cseq);
	S(contact_uri);
	F(contact_expires);
	F(expires);
	F(retry_after);
	F(content_length);
	S(challenge.realm);
	S(challenge.nonce);
	S(challenge.opaque);
	S(challenge.qop);
	S(challenge.algorithm);
	F(challenge.present);
	F(challenge.proxy);
	F(challenge.stale);
	F(challenge.qop_auth);
	F(challenge.algo);
	S(body);
	S(authorization);
	if ((a.authorization.p == NULL) != (b.authorization.p == NULL)) {
		*what = "authorization present";
		return 1;
	}
#undef F
#undef S
	return 0;
}
