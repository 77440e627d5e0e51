/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipswarm-tool sip: parse a SIP message into JSON, or build one from lib/sip's templates, so
 * that both can be checked by hand.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sw_sip.h"
#include "tool.h"

static void
help(FILE *f)
{
	fprintf(f,
	        "usage: sipswarm-tool sip parse FILE\n"
	        "       sipswarm-tool sip build KIND [OPTIONS]\n"
	        "       sipswarm-tool sip --help\n"
	        "\n"
	        "parse: read one SIP message from FILE ('-' for stdin) and print its fields as\n"
	        "  JSON; a message that does not parse prints {\"ok\": false, \"reason\": ...} and\n"
	        "  exits with status 1.\n"
	        "\n"
	        "build: print one message built from the template for KIND, one of:\n"
	        "  register invite ack bye cancel subscribe options   (requests a line sends)\n"
	        "  100 180 200-sdp 200 481 486                        (responses; need --request)\n"
	        "options:\n"
	        "  --user U            the line's user (default 1000)\n"
	        "  --display NAME      display name (default none)\n"
	        "  --domain D          SIP domain (default: the host of --target, else example.org)\n"
	        "  --target IP:PORT    the server; ack and bye go to sip:TO@IP:PORT\n"
	        "  --local IP:PORT     our address in Via and Contact (default 198.18.0.10:5060)\n"
	        "  --to USER           called user for invite, cancel, ack, bye (default 2000)\n"
	        "  --to-tag TAG        the peer's To tag (ack, bye) or ours (responses)\n"
	        "  --cseq N            CSeq number (default 1)\n"
	        "  --expires N         Expires of register and subscribe (default 3600)\n"
	        "  --worker W --line L --txn T   what the branch, Call-ID and tag tokens carry\n"
	        "                      (defaults 0, 0, 1; the tokens use a fixed demonstration key)\n"
	        "  --password P        with --challenge: add digest credentials\n"
	        "  --challenge VALUE   a WWW-Authenticate value, e.g. 'Digest realm=\"r\", nonce=\"n\"'\n"
	        "  --proxy             the challenge came in Proxy-Authenticate (407)\n"
	        "  --request FILE      the request a response answers\n"
	        "  --ua TEXT           User-Agent / Server value (default sipswarm)\n"
	        "exit status: 0 done, 1 the message does not parse, 2 bad usage or input\n");
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *b;

	if (f == NULL)
		return NULL;
	b = malloc(cap);
	while (b != NULL) {
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		if (cap > SW_SIP_MSG_MAX * 2) {
			free(b);
			b = NULL;
			break;
		}
		cap *= 2;
		char *nb = realloc(b, cap);
		if (nb == NULL)
			free(b);
		b = nb;
	}
	if (f != stdin)
		fclose(f);
	*len = n;
	return b;
}

/* A JSON string from a slice; bytes that are not UTF-8 become '?' (jansson needs UTF-8). */
static json_t *
jstr(struct sw_sip_str s)
{
	json_t *j;
	char *c;

	if (s.p == NULL)
		return json_string("");
	j = json_stringn(s.p, s.len);
	if (j != NULL)
		return j;
	c = malloc(s.len + 1);
	if (c == NULL)
		return json_null();
	for (uint32_t i = 0; i < s.len; i++)
		c[i] = ((uint8_t)s.p[i] < 0x80 && s.p[i] != 0) ? s.p[i] : '?';
	j = json_stringn(c, s.len);
	free(c);
	return j != NULL ? j : json_null();
}

static json_t *
jnum(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static int
cmd_parse(const char *path)
{
	struct sw_sip_msg m;
	enum sw_sip_reason r;
	size_t len;
	char *b = read_all(path, &len);
	json_t *o;

	if (b == NULL) {
		fprintf(stderr, "sipswarm-tool sip: cannot read %s: %s\n", path, strerror(errno));
		return SW_TOOL_EUSAGE;
	}
	r = sw_sip_parse(&m, b, len, SW_SIP_WANT_ALL);
	if (r != SW_SIP_OK) {
		o = json_pack("{s:b, s:s, s:s}", "ok", 0, "reason", sw_sip_reason_name(r), "help",
		              sw_sip_reason_help(r));
	} else {
		json_t *via = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:i}", "transport",
		                        jstr(m.via_transport), "host", jstr(m.via_host), "port",
		                        jnum(m.via_port), "branch", jstr(m.via_branch), "received",
		                        jstr(m.via_received), "rport", jnum(m.via_rport), "count",
		                        (int)m.via_count);
		o = json_pack(
		        "{s:b, s:s, s:o, s:o, s:o, s:o}", "ok", 1, "type",
		        m.is_request ? "request" : "response", "via", via, "from",
		        json_pack("{s:o, s:o}", "value", jstr(m.from), "tag", jstr(m.from_tag)),
		        "to", json_pack("{s:o, s:o}", "value", jstr(m.to), "tag", jstr(m.to_tag)),
		        "call_id", jstr(m.call_id));
		if (m.is_request) {
			json_object_set_new(o, "method", jstr(m.method_s));
			json_object_set_new(o, "request_uri", jstr(m.ruri));
		} else {
			json_object_set_new(o, "status", json_integer(m.status));
			json_object_set_new(o, "reason", jstr(m.reason));
		}
		json_object_set_new(o, "cseq",
		                    json_pack("{s:I, s:o}", "number", (json_int_t)m.cseq, "method",
		                              jstr(m.cseq_method_s)));
		if (m.contact_uri.len > 0)
			json_object_set_new(o, "contact",
			                    json_pack("{s:o, s:o}", "uri", jstr(m.contact_uri),
			                              "expires", jnum(m.contact_expires)));
		json_object_set_new(o, "expires", jnum(m.expires));
		json_object_set_new(o, "retry_after", jnum(m.retry_after));
		json_object_set_new(o, "content_length", jnum(m.content_length));
		json_object_set_new(o, "body_length", json_integer(m.body.len));
		json_object_set_new(o, "headers", json_integer(m.header_count));
		if (m.challenge.present) {
			const struct sw_sip_challenge *c = &m.challenge;
			json_object_set_new(
			        o, "challenge",
			        json_pack("{s:b, s:o, s:o, s:o, s:o, s:b, s:s, s:b}", "proxy",
			                  c->proxy, "realm", jstr(c->realm), "nonce",
			                  jstr(c->nonce), "opaque", jstr(c->opaque), "qop",
			                  jstr(c->qop), "qop_auth", c->qop_auth, "algorithm",
			                  sw_sip_algo_name((enum sw_sip_digest_algo)c->algo),
			                  "stale", c->stale));
		}
	}
	free(b);
	if (o == NULL)
		return SW_TOOL_EUSAGE;
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
	return r == SW_SIP_OK ? 0 : 1;
}

static struct sw_sip_cstr
cs(const char *s)
{
	return (struct sw_sip_cstr){s, s != NULL ? (uint32_t)strlen(s) : 0};
}

static int
cmd_build(int argc, char **argv)
{
	static const struct sw_sip_token_key demo_key = {UINT64_C(0x5377617276656421),
	                                                 UINT64_C(0x73697073776172)};
	const char *user = "1000", *display = "", *domain = NULL, *target = NULL;
	const char *local = "198.18.0.10:5060", *to = "2000", *to_tag = "", *password = NULL;
	const char *challenge = NULL, *request = NULL, *ua = NULL;
	unsigned long cseq = 1, expires = 3600, worker = 0, line = 0, txn = 1;
	int proxy = 0, kind = -1, n, rc = 0;
	char branch[SW_SIP_TOKEN_LEN + 1] = "", tag[SW_SIP_TOKEN_LEN + 1] = "";
	char callid[SW_SIP_TOKEN_LEN + 1] = "", local_ip[64], domain_buf[256], rt[512];
	char ha1[64], ha2[64], resp[64], out[8192], *reqbuf = NULL;
	struct sw_sip_tmpl t;
	struct sw_sip_vars v;
	struct sw_sip_msg req;
	struct sw_sip_digest d;
	struct sw_sip_profile prof;

	if (argc < 1) {
		help(stderr);
		return SW_TOOL_EUSAGE;
	}
	for (int k = 0; k < SW_SIP_KIND_COUNT; k++)
		if (strcmp(argv[0], sw_sip_kind_name((enum sw_sip_kind)k)) == 0)
			kind = k;
	if (kind < 0) {
		fprintf(stderr, "sipswarm-tool sip build: unknown kind '%s'\n", argv[0]);
		return SW_TOOL_EUSAGE;
	}
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int used = 1;

		if (strcmp(o, "--proxy") == 0) {
			proxy = 1;
			continue;
		}
		if (val == NULL) {
			fprintf(stderr, "sipswarm-tool sip build: %s needs a value\n", o);
			return SW_TOOL_EUSAGE;
		}
		if (strcmp(o, "--user") == 0)
			user = val;
		else if (strcmp(o, "--display") == 0)
			display = val;
		else if (strcmp(o, "--domain") == 0)
			domain = val;
		else if (strcmp(o, "--target") == 0)
			target = val;
		else if (strcmp(o, "--local") == 0)
			local = val;
		else if (strcmp(o, "--to") == 0)
			to = val;
		else if (strcmp(o, "--to-tag") == 0)
			to_tag = val;
		else if (strcmp(o, "--cseq") == 0)
			cseq = strtoul(val, NULL, 10);
		else if (strcmp(o, "--expires") == 0)
			expires = strtoul(val, NULL, 10);
		else if (strcmp(o, "--worker") == 0)
			worker = strtoul(val, NULL, 10);
		else if (strcmp(o, "--line") == 0)
			line = strtoul(val, NULL, 10);
		else if (strcmp(o, "--txn") == 0)
			txn = strtoul(val, NULL, 10);
		else if (strcmp(o, "--password") == 0)
			password = val;
		else if (strcmp(o, "--challenge") == 0)
			challenge = val;
		else if (strcmp(o, "--request") == 0)
			request = val;
		else if (strcmp(o, "--ua") == 0)
			ua = val;
		else
			used = 0;
		if (!used) {
			fprintf(stderr, "sipswarm-tool sip build: unknown option '%s'\n", o);
			return SW_TOOL_EUSAGE;
		}
		i++;
	}
	if (domain == NULL) {
		const char *colon = target != NULL ? strrchr(target, ':') : NULL;
		if (target != NULL)
			snprintf(domain_buf, sizeof(domain_buf), "%.*s",
			         colon != NULL ? (int)(colon - target) : (int)strlen(target),
			         target);
		else
			snprintf(domain_buf, sizeof(domain_buf), "example.org");
		domain = domain_buf;
	}
	{
		const char *colon = strrchr(local, ':');
		snprintf(local_ip, sizeof(local_ip), "%.*s",
		         colon != NULL ? (int)(colon - local) : (int)strlen(local), local);
	}
	snprintf(rt, sizeof(rt), "sip:%s@%s", to, target != NULL ? target : domain);
	{
		struct sw_sip_token tok = {(uint32_t)line, (uint32_t)txn, (uint8_t)worker};
		sw_sip_token_encode(&demo_key, SW_SIP_TOKEN_BRANCH, &tok, branch);
		sw_sip_token_encode(&demo_key, SW_SIP_TOKEN_TAG, &tok, tag);
		sw_sip_token_encode(&demo_key, SW_SIP_TOKEN_CALL_ID, &tok, callid);
	}
	memset(&v, 0, sizeof(v));
	v.s[SW_SIP_V_USER] = cs(user);
	v.s[SW_SIP_V_DISPLAY] = cs(display);
	v.s[SW_SIP_V_DOMAIN] = cs(domain);
	v.s[SW_SIP_V_AUTH_USER] = cs(user);
	v.s[SW_SIP_V_LOCAL] = cs(local);
	v.s[SW_SIP_V_LOCAL_IP] = cs(local_ip);
	v.s[SW_SIP_V_TO_USER] = cs(to);
	v.s[SW_SIP_V_REMOTE_TARGET] = cs(rt);
	v.s[SW_SIP_V_BRANCH] = cs(branch);
	v.s[SW_SIP_V_FROM_TAG] = cs(tag);
	v.s[SW_SIP_V_TO_TAG] = cs(kind >= SW_SIP_KIND_100 && to_tag[0] == '\0' ? tag : to_tag);
	v.s[SW_SIP_V_CALL_ID] = cs(callid);
	v.n[SW_SIP_N_CSEQ] = (uint32_t)cseq;
	v.n[SW_SIP_N_EXPIRES] = (uint32_t)expires;
	v.n[SW_SIP_N_RTP_PORT] = 40000;
	v.n[SW_SIP_N_SDP_ID] = (uint32_t)line;

	if (kind >= SW_SIP_KIND_100) {
		size_t len;
		enum sw_sip_reason r;

		if (request == NULL) {
			fprintf(stderr, "sipswarm-tool sip build %s: needs --request FILE\n",
			        argv[0]);
			return SW_TOOL_EUSAGE;
		}
		reqbuf = read_all(request, &len);
		if (reqbuf == NULL) {
			fprintf(stderr, "sipswarm-tool sip: cannot read %s\n", request);
			return SW_TOOL_EUSAGE;
		}
		r = sw_sip_parse(&req, reqbuf, len, SW_SIP_WANT_ALL);
		if (r != SW_SIP_OK || !req.is_request) {
			fprintf(stderr, "sipswarm-tool sip: %s is not a request that parses (%s)\n",
			        request, sw_sip_reason_name(r));
			free(reqbuf);
			return 1;
		}
		v.req = &req;
	}
	if (challenge != NULL || password != NULL) {
		struct sw_sip_challenge c;
		enum sw_sip_digest_algo base;
		const char *method =
		        sw_sip_method_name(kind == SW_SIP_KIND_REGISTER    ? SW_SIP_METHOD_REGISTER
		                           : kind == SW_SIP_KIND_INVITE    ? SW_SIP_METHOD_INVITE
		                           : kind == SW_SIP_KIND_ACK       ? SW_SIP_METHOD_ACK
		                           : kind == SW_SIP_KIND_BYE       ? SW_SIP_METHOD_BYE
		                           : kind == SW_SIP_KIND_SUBSCRIBE ? SW_SIP_METHOD_SUBSCRIBE
		                                                           : SW_SIP_METHOD_OPTIONS);
		char uri[600];

		if (challenge == NULL || password == NULL || kind >= SW_SIP_KIND_100 ||
		    kind == SW_SIP_KIND_CANCEL) {
			fprintf(stderr,
			        "sipswarm-tool sip build: --challenge and --password go together, "
			        "on a request other than cancel\n");
			free(reqbuf);
			return SW_TOOL_EUSAGE;
		}
		if (sw_sip_challenge_parse(&c, challenge, strlen(challenge)) != SW_SIP_OK ||
		    !c.present) {
			fprintf(stderr, "sipswarm-tool sip build: the challenge does not parse\n");
			free(reqbuf);
			return 1;
		}
		c.proxy = (uint8_t)proxy;
		base = (c.algo == SW_SIP_ALGO_SHA256 || c.algo == SW_SIP_ALGO_SHA256_SESS)
		               ? SW_SIP_ALGO_SHA256
		               : SW_SIP_ALGO_MD5;
		/* the digest-uri is the Request-URI exactly as the template writes it */
		if (kind == SW_SIP_KIND_REGISTER || kind == SW_SIP_KIND_OPTIONS)
			snprintf(uri, sizeof(uri), "sip:%s", domain);
		else if (kind == SW_SIP_KIND_INVITE)
			snprintf(uri, sizeof(uri), "sip:%s@%s", to, domain);
		else if (kind == SW_SIP_KIND_SUBSCRIBE)
			snprintf(uri, sizeof(uri), "sip:%s@%s", user, domain);
		else
			snprintf(uri, sizeof(uri), "%s", rt);
		if (sw_sip_digest_ha1(base, user, strlen(user), c.realm.p, c.realm.len, password,
		                      strlen(password), ha1) < 0 ||
		    sw_sip_digest_ha2(base, method, strlen(method), uri, strlen(uri), ha2) < 0 ||
		    sw_sip_digest_accept(&d, &c, ha1, (uint32_t)txn * 2654435761u) != 0) {
			fprintf(stderr, "sipswarm-tool sip build: cannot answer this challenge\n");
			free(reqbuf);
			return 1;
		}
		sw_sip_digest_response(&d, ha2, (uint32_t)txn * 2654435761u, resp);
		v.digest = &d;
		v.s[SW_SIP_V_REALM] = (struct sw_sip_cstr){c.realm.p, c.realm.len};
		v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, d.hex_len};
	}
	prof.user_agent = ua;
	if (sw_sip_tmpl_compile(&t, (enum sw_sip_kind)kind, &prof) != 0) {
		fprintf(stderr, "sipswarm-tool sip build: template does not compile\n");
		free(reqbuf);
		return SW_TOOL_EUSAGE;
	}
	n = sw_sip_build(&t, &v, out, sizeof(out));
	if (n < 0) {
		fprintf(stderr, "sipswarm-tool sip build: message too long\n");
		rc = SW_TOOL_EUSAGE;
	} else {
		fwrite(out, 1, (size_t)n, stdout);
	}
	free(reqbuf);
	return rc;
}

int
sw_tool_sip(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? SW_TOOL_EUSAGE : 0;
	}
	if (strcmp(argv[1], "parse") == 0) {
		if (argc != 3) {
			help(stderr);
			return SW_TOOL_EUSAGE;
		}
		return cmd_parse(argv[2]);
	}
	if (strcmp(argv[1], "build") == 0)
		return cmd_build(argc - 2, argv + 2);
	fprintf(stderr, "sipswarm-tool sip: unknown subcommand '%s'\n", argv[1]);
	help(stderr);
	return SW_TOOL_EUSAGE;
}
