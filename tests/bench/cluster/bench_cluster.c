/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated cluster's side of the full registration loop, on one core: REGISTER -> 401 ->
 * REGISTER with Authorization -> 200, the REGISTERs prebuilt with lib/sip (templates and
 * digest) for LINES lines, then fed to sw_cluster_input() round after round on a virtual
 * clock. Round 1 creates the bindings (HA1 computed); later rounds are refreshes (HA1 kept in
 * the binding). Then the parts alone, measured in the same run: lib/sip parsing of the two
 * REGISTERs, the Authorization parser, and MD5 of one and two blocks (OpenSSL).
 * Usage: bench_cluster [LINES [ROUNDS]]   (default 100000 lines, 10 rounds)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include <openssl/md5.h>

#include "sw_bench.h"
#include "cluster_private.h"
#include "sw_cluster.h"
#include "sw_sip.h"

#define SERVER_IP  UINT32_C(0xC6120100) /* 198.18.1.0 */
#define REALM      "sipswarm.test"
#define MSG_MAX    640
#define BURST      32 /* datagrams a burst call: what one rx burst of the app brings */
#define SW_STR2(x) #x
#define SW_STR(x)  SW_STR2(x)

struct sink {
	uint64_t n, bytes, by_class[7];
};

static void
emit(void *arg, const struct sw_cluster_dgram *d)
{
	struct sink *s = arg;
	int cls = d->data[8] - '0'; /* "SIP/2.0 401" */

	s->n++;
	s->bytes += d->len;
	s->by_class[cls >= 1 && cls <= 6 ? cls : 0]++;
}

/*
 * CPU seconds of this thread: the machine is shared, and the figure wanted is what one core
 * spends, not how long we waited for it (wall time is printed beside the loop).
 */
static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
report(const char *what, double secs, double n)
{
	double ns = secs * 1e9 / n;
	printf("%-62s %8.1f ns %11.0f /s\n", what, ns, 1e9 / ns);
}

#define CS(s) ((struct sw_sip_cstr){(s), (uint32_t)strlen(s)})

/* One line's REGISTER, with credentials when d is not NULL. */
static int
build(const struct sw_sip_tmpl *t, unsigned i, const struct sw_sip_digest *d, const char *resp,
      char *out)
{
	struct sw_sip_vars v;
	char user[16], local[32], branch[32], tag[16], cid[32];

	memset(&v, 0, sizeof(v));
	snprintf(user, sizeof(user), "%07u", i);
	snprintf(local, sizeof(local), "198.18.%u.%u:5060", 64 + (i >> 16), (i >> 8) & 255);
	snprintf(branch, sizeof(branch), "%08x%08x", i, d != NULL ? 2u : 1u);
	snprintf(tag, sizeof(tag), "%08xtg", i);
	snprintf(cid, sizeof(cid), "%08xcallid01", i);
	v.s[SW_SIP_V_USER] = CS(user);
	v.s[SW_SIP_V_DOMAIN] = CS(REALM);
	v.s[SW_SIP_V_AUTH_USER] = CS(user);
	v.s[SW_SIP_V_LOCAL] = CS(local);
	v.s[SW_SIP_V_BRANCH] = CS(branch);
	v.s[SW_SIP_V_FROM_TAG] = CS(tag);
	v.s[SW_SIP_V_CALL_ID] = CS(cid);
	v.n[SW_SIP_N_CSEQ] = d != NULL ? 2 : 1;
	v.n[SW_SIP_N_EXPIRES] = 3600;
	if (d != NULL) {
		v.s[SW_SIP_V_REALM] = CS(REALM);
		v.s[SW_SIP_V_RESPONSE] = (struct sw_sip_cstr){resp, 32};
		v.digest = d;
	}
	return sw_sip_build(t, &v, out, MSG_MAX);
}

struct grab {
	char buf[1024];
	uint16_t len;
};

static void
grab(void *arg, const struct sw_cluster_dgram *d)
{
	struct grab *g = arg;

	g->len = d->len < sizeof(g->buf) ? d->len : 0;
	memcpy(g->buf, d->data, g->len);
}

/* MD5 of n bytes, many times: what one and two blocks cost here */
static double
md5_ns(size_t n, unsigned iters)
{
	unsigned char in[128], md[16];
	double t0;

	memset(in, 'a', sizeof(in));
	t0 = cpu_now();
	for (unsigned i = 0; i < iters; i++) {
		in[0] = (unsigned char)i;
		MD5(in, n, md);
		in[1] ^= md[0];
	}
	return (cpu_now() - t0) * 1e9 / iters;
}

int
main(int argc, char **argv)
{
	unsigned lines = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000;
	unsigned rounds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 10;
	struct sw_cluster_cfg cfg;
	struct sw_cluster *c;
	struct sw_sip_tmpl t;
	struct sink sk = {0};
	char *r1, *r2;
	uint16_t *l1, *l2;
	uint64_t now = 1000 * UINT64_C(1000000000);
	double t0, wall, cold = 0, warm = 0, only401 = 0, only200 = 0, burst = 0;
	struct sw_cluster_server_stats st;
	char ha2[32];

	if (lines == 0 || lines > 1000000 || rounds < 2) {
		fprintf(stderr, "usage: bench_cluster [LINES<=1000000 [ROUNDS>=2]]\n");
		return 2;
	}
	printf("command: %s %u %u\n", argv[0], lines, rounds);
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_servers = 1;
	cfg.server[0].ip = SERVER_IP;
	cfg.server[0].port = 5060;
	strcpy(cfg.server[0].name, "primary");
	cfg.realm = REALM;
	cfg.password_rule = "pw{user}";
	cfg.nonce_ttl_s = 3600;
	cfg.max_bindings = lines;
	cfg.max_expires = 3600;
	cfg.seed = 1;
	c = sw_cluster_new(&cfg);
	r1 = malloc((size_t)lines * MSG_MAX);
	r2 = malloc((size_t)lines * MSG_MAX);
	l1 = malloc(lines * sizeof(*l1));
	l2 = malloc(lines * sizeof(*l2));
	if (c == NULL || r1 == NULL || r2 == NULL || l1 == NULL || l2 == NULL ||
	    sw_sip_tmpl_compile(&t, SW_SIP_KIND_REGISTER, NULL) != 0) {
		fprintf(stderr, "bench_cluster: set-up failed\n");
		return 1;
	}
	sw_sip_digest_ha2(SW_SIP_ALGO_MD5, "REGISTER", 8, "sip:" REALM, 4 + strlen(REALM), ha2);

	/* prebuild: R1, the 401 it gets (this second's nonce), R2 answering that 401 */
	for (unsigned i = 0; i < lines; i++) {
		struct grab g = {.len = 0};
		struct sw_sip_msg m;
		struct sw_sip_digest d;
		char user[16], pw[24], ha1[32], resp[32];
		int n;

		n = build(&t, i, NULL, NULL, r1 + (size_t)i * MSG_MAX);
		l1[i] = (uint16_t)n;
		/* a separate cluster would do, but the same one issues the same nonce */
		sw_cluster_input(c, now, UINT32_C(0xC6124000) + i, 5060, SERVER_IP, 5060,
		                 r1 + (size_t)i * MSG_MAX, l1[i], grab, &g);
		if (g.len == 0 || sw_sip_parse(&m, g.buf, g.len, SW_SIP_WANT_ALL) != SW_SIP_OK ||
		    m.status != 401) {
			fprintf(stderr, "bench_cluster: no 401 for line %u\n", i);
			return 1;
		}
		snprintf(user, sizeof(user), "%07u", i);
		snprintf(pw, sizeof(pw), "pw%s", user);
		sw_sip_digest_ha1(SW_SIP_ALGO_MD5, user, strlen(user), m.challenge.realm.p,
		                  m.challenge.realm.len, pw, strlen(pw), ha1);
		if (sw_sip_digest_accept(&d, &m.challenge, ha1, 0) != 0)
			return 1;
		sw_sip_digest_response(&d, ha2, 0x5eed0000u + i, resp);
		n = build(&t, i, &d, resp, r2 + (size_t)i * MSG_MAX);
		l2[i] = (uint16_t)n;
	}
	printf("messages: REGISTER %u bytes, REGISTER with Authorization %u bytes (line 0)\n",
	       l1[0], l2[0]);

	/* the full loop, round after round; round 1 creates the bindings */
	wall = sw_bench_now();
	for (unsigned r = 0; r < rounds; r++) {
		t0 = cpu_now();
		for (unsigned i = 0; i < lines; i++) {
			uint32_t ip = UINT32_C(0xC6124000) + i;
			sw_cluster_input(c, now, ip, 5060, SERVER_IP, 5060,
			                 r1 + (size_t)i * MSG_MAX, l1[i], emit, &sk);
			sw_cluster_input(c, now, ip, 5060, SERVER_IP, 5060,
			                 r2 + (size_t)i * MSG_MAX, l2[i], emit, &sk);
		}
		if (r == 0)
			cold = cpu_now() - t0;
		else
			warm += cpu_now() - t0;
	}
	wall = sw_bench_now() - wall;
	/* the same refresh rounds through the burst entry: BURST datagrams a call, the REGISTERs
	 * of BURST/2 lines then their REGISTERs with Authorization */
	for (unsigned r = 1; r < rounds; r++) {
		t0 = cpu_now();
		for (unsigned i = 0; i < lines; i += BURST / 2) {
			struct sw_cluster_rx rx[BURST];
			unsigned k = lines - i < BURST / 2 ? lines - i : BURST / 2;
			for (unsigned j = 0; j < k; j++) {
				uint32_t ip = UINT32_C(0xC6124000) + i + j;
				rx[j] = (struct sw_cluster_rx){
				        ip,   SERVER_IP, 5060,
				        5060, l1[i + j], r1 + (size_t)(i + j) * MSG_MAX};
				rx[k + j] = (struct sw_cluster_rx){
				        ip,   SERVER_IP, 5060,
				        5060, l2[i + j], r2 + (size_t)(i + j) * MSG_MAX};
			}
			sw_cluster_input_burst(c, now, rx, 2 * k, emit, &sk);
		}
		burst += cpu_now() - t0;
	}
	/* each half alone */
	t0 = cpu_now();
	for (unsigned i = 0; i < lines; i++)
		sw_cluster_input(c, now, UINT32_C(0xC6124000) + i, 5060, SERVER_IP, 5060,
		                 r1 + (size_t)i * MSG_MAX, l1[i], emit, &sk);
	only401 = cpu_now() - t0;
	t0 = cpu_now();
	for (unsigned i = 0; i < lines; i++)
		sw_cluster_input(c, now, UINT32_C(0xC6124000) + i, 5060, SERVER_IP, 5060,
		                 r2 + (size_t)i * MSG_MAX, l2[i], emit, &sk);
	only200 = cpu_now() - t0;

	sw_cluster_stats(c, 0, &st);
	if (st.auth_fail != 0 || st.bindings != lines ||
	    sk.by_class[2] != (uint64_t)lines * (2 * rounds)) {
		fprintf(stderr, "bench_cluster: wrong answers (auth_fail %lu, bindings %lu)\n",
		        (unsigned long)st.auth_fail, (unsigned long)st.bindings);
		return 1;
	}
	printf("lines %u, rounds %u: %lu datagrams answered, %lu bytes, 401 %lu, 200 %lu\n", lines,
	       rounds, (unsigned long)sk.n, (unsigned long)sk.bytes, (unsigned long)sk.by_class[4],
	       (unsigned long)sk.by_class[2]);
	printf("wall time of the loop rounds %.2f s, CPU time %.2f s (CPU time below)\n", wall,
	       cold + warm);
	printf("%-62s %8s %14s\n", "cluster side, one core", "per op", "rate");
	report("full loop, round 1 (new bindings, HA1 computed)", cold, lines);
	report("full loop, refresh rounds (HA1 kept in the binding)", warm,
	       (double)lines * (rounds - 1));
	report("full loop, refresh rounds, sw_cluster_input_burst of " SW_STR(BURST), burst,
	       (double)lines * (rounds - 1));
	report("  REGISTER -> 401 alone", only401, lines);
	report("  REGISTER with Authorization -> 200 alone (refresh)", only200, lines);

	/* the parts */
	{
		struct sw_sip_msg m;
		struct sw_cluster_credentials cr;
		const char *a;
		unsigned iters = lines * 2, ok = 0;

		t0 = cpu_now();
		for (unsigned i = 0; i < iters; i++) {
			unsigned k = i % lines;
			ok += sw_sip_parse(&m, r1 + (size_t)k * MSG_MAX, l1[k],
			                   SW_SIP_WANT_VIA | SW_SIP_WANT_TAGS |
			                           SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS) ==
			      SW_SIP_OK;
		}
		report("  part: lib/sip parse of the REGISTER", cpu_now() - t0, iters);
		t0 = cpu_now();
		for (unsigned i = 0; i < iters; i++) {
			unsigned k = i % lines;
			ok += sw_sip_parse(&m, r2 + (size_t)k * MSG_MAX, l2[k],
			                   SW_SIP_WANT_VIA | SW_SIP_WANT_TAGS |
			                           SW_SIP_WANT_CONTACT | SW_SIP_WANT_NUMBERS) ==
			      SW_SIP_OK;
		}
		report("  part: lib/sip parse of the REGISTER with Authorization", cpu_now() - t0,
		       iters);
		a = strstr(r2, "Authorization: ") + 15;
		t0 = cpu_now();
		for (unsigned i = 0; i < iters; i++)
			ok += sw_cluster_credentials_parse(&cr, a, (size_t)(strchr(a, '\r') - a)) ==
			      0;
		report("  part: Authorization value parsed (public parser)", cpu_now() - t0, iters);
		t0 = cpu_now();
		for (unsigned i = 0; i < iters; i++)
			ok += cl_credentials_parse_in(&cr, a, (size_t)(strchr(a, '\r') - a),
			                              r2 + l2[0]) == 0;
		report("  part: Authorization value parsed in its datagram", cpu_now() - t0, iters);
		report("  part: MD5 of 40 bytes (one block: HA1)", md5_ns(40, iters) * iters * 1e-9,
		       iters);
		report("  part: MD5 of 113 bytes (two blocks: the response)",
		       md5_ns(113, iters) * iters * 1e-9, iters);
		if (ok != 4 * iters)
			return 1;
	}
	free(l2);
	free(l1);
	free(r2);
	free(r1);
	sw_cluster_free(c);
	return 0;
}
