/* SPDX-License-Identifier: BSD-3-Clause */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "responder.h"
#include "sw_net.h"
#include "sw_sip.h"

/* MD5, or SHA-256 when sha256 (RFC 7616), in lower-case hex */
static void
hash_hex(bool sha256, const char *in, size_t n, char *out)
{
	unsigned char d[32];
	unsigned int len = sizeof(d);

	EVP_Digest(in, n, d, &len, sha256 ? EVP_sha256() : EVP_md5(), NULL);
	for (unsigned int i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* value of name="..." or name=token in an Authorization header (test-grade parsing) */
static int
param(const char *hdr, const char *name, char *out, size_t cap)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(hdr, key);
	if (p == NULL)
		return -1;
	p += strlen(key);
	size_t n = 0;

	if (*p == '"') {
		p++;
		while (p[n] && p[n] != '"' && n + 1 < cap)
			n++;
	} else {
		while (p[n] && p[n] != ',' && p[n] != '\r' && n + 1 < cap)
			n++;
	}
	memcpy(out, p, n);
	out[n] = 0;
	return 0;
}

static bool
digest_ok(const struct responder *r, const char *msg)
{
	const char *h = strstr(msg, "\r\nAuthorization: Digest ");
	char user[64], nonce[128], uri[128], resp[80], nc[16], cnonce[32], pw[80];
	char a1[512], ha1[65], ha2[65], a3[512], want[65];
	bool sha = r->sha256;

	if (h == NULL || param(h, "username", user, sizeof(user)) ||
	    param(h, "nonce", nonce, sizeof(nonce)) || param(h, "uri", uri, sizeof(uri)) ||
	    param(h, "response", resp, sizeof(resp)) || param(h, "nc", nc, sizeof(nc)) ||
	    param(h, "cnonce", cnonce, sizeof(cnonce)))
		return false;
	/* the tests' password rule: "pw" + the user name without its leading 'u' */
	snprintf(pw, sizeof(pw), "pw%s", user + 1);
	int n = snprintf(a1, sizeof(a1), "%s:%s:%s", user, r->realm, pw);

	hash_hex(sha, a1, (size_t)n, ha1);
	n = snprintf(a1, sizeof(a1), "REGISTER:%s", uri);
	hash_hex(sha, a1, (size_t)n, ha2);
	n = snprintf(a3, sizeof(a3), "%s:%s:%s:%s:auth:%s", ha1, nonce, nc, cnonce, ha2);
	hash_hex(sha, a3, (size_t)n, want);
	return strcmp(want, resp) == 0;
}

static size_t
udp_reply(const struct responder *r, unsigned int s, const struct sw_net_pkt *p, uint8_t *f,
          const char *text, size_t n)
{
	struct sw_net_udp_out o = {r->mac[s],   p->src_mac, r->ip[s], p->src_ip, p->dst_port,
	                           p->src_port, 1,          true,     false};

	memcpy(f + SW_NET_HDR_LEN, text, n);
	return sw_net_udp_write(f, &o, (uint16_t)n);
}

unsigned int
responder_input(struct responder *r, const uint8_t *frame, size_t len, uint8_t (*out)[2048],
                uint16_t *out_len, unsigned int max)
{
	struct sw_net_pkt p;
	struct sw_sip_msg m;
	unsigned int s;
	char msg[2048], text[2048];

	if (max == 0)
		return 0;
	enum sw_net_kind k = sw_net_classify(frame, len, &p);

	for (s = 0; s < r->n; s++)
		if (r->ip[s] == p.dst_ip)
			break;
	if (s == r->n)
		return 0;
	if (k == SW_NET_K_ARP_REQUEST) {
		out_len[0] = (uint16_t)sw_net_arp_write(out[0], 2, r->mac[s], r->ip[s], p.src_mac,
		                                        p.src_ip);
		return 1;
	}
	if (k != SW_NET_K_UDP || r->silent[s] || p.payload_len >= sizeof(msg))
		return 0;
	memcpy(msg, p.payload, p.payload_len);
	msg[p.payload_len] = 0;
	if (sw_sip_parse(&m, msg, p.payload_len, SW_SIP_WANT_ALL) != SW_SIP_OK || !m.is_request ||
	    m.method != SW_SIP_METHOD_REGISTER)
		return 0;
	r->registers[s]++;
	char via[512] = "";
	size_t vn = 0;

	for (unsigned int v = 0; v < m.via_count; v++)
		vn += (size_t)snprintf(via + vn, sizeof(via) - vn, "Via: %.*s\r\n",
		                       (int)m.vias[v].len, m.vias[v].p);
	bool has_auth = strstr(msg, "\r\nAuthorization: ") != NULL;
	int n;

	if (!has_auth) {
		r->challenged++;
		n = snprintf(text, sizeof(text),
		             "SIP/2.0 401 Unauthorized\r\n%sFrom: %.*s\r\nTo: %.*s;tag=srv\r\n"
		             "Call-ID: %.*s\r\nCSeq: %.*s\r\n"
		             "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%08x%s\", "
		             "qop=\"auth\", algorithm=%s\r\nContent-Length: 0\r\n\r\n",
		             via, (int)m.from.len, m.from.p, (int)m.to.len, m.to.p,
		             (int)m.call_id.len, m.call_id.p, (int)m.cseq_s.len, m.cseq_s.p,
		             r->realm, (unsigned int)r->challenged, "0123456789abcdef0123456789",
		             r->sha256 ? "SHA-256" : "MD5");
	} else if (!digest_ok(r, msg)) {
		r->bad_digest++;
		n = snprintf(text, sizeof(text),
		             "SIP/2.0 403 Forbidden\r\n%sFrom: %.*s\r\nTo: %.*s;tag=srv\r\n"
		             "Call-ID: %.*s\r\nCSeq: %.*s\r\nContent-Length: 0\r\n\r\n",
		             via, (int)m.from.len, m.from.p, (int)m.to.len, m.to.p,
		             (int)m.call_id.len, m.call_id.p, (int)m.cseq_s.len, m.cseq_s.p);
	} else {
		r->accepted++;
		uint32_t g = m.expires == 0 ? 0 : r->grant;

		if (g == 0)
			r->unregistered++;
		else
			r->bindings[s]++;
		n = snprintf(text, sizeof(text),
		             "SIP/2.0 200 OK\r\n%sFrom: %.*s\r\nTo: %.*s;tag=srv\r\n"
		             "Call-ID: %.*s\r\nCSeq: %.*s\r\nContact: <%.*s>;expires=%u\r\n"
		             "Content-Length: 0\r\n\r\n",
		             via, (int)m.from.len, m.from.p, (int)m.to.len, m.to.p,
		             (int)m.call_id.len, m.call_id.p, (int)m.cseq_s.len, m.cseq_s.p,
		             (int)m.contact_uri.len, m.contact_uri.p, g);
	}
	out_len[0] = (uint16_t)udp_reply(r, s, &p, out[0], text, (size_t)n);
	return 1;
}
