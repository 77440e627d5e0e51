/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipswarm-tool dns resolve: what a SIP server resolves to (RFC 3263 / RFC 2782, the static
 * cache of the Yealink guide's Appendix B), as JSON on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sw_common.h"
#include "sw_config.h"
#include "sw_dns.h"
#include "sw_dns_query.h"
#include "tool.h"
#include "tool_common.h"

static const char *const transport_names[] = {"udp", "tcp", "tls", "naptr"};

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: sipswarm-tool dns resolve NAME [options]\n"
	        "Resolve a SIP server to its ordered targets (spec section 2: NAPTR -> SRV -> A,\n"
	        "RFC 2782 SRV order) and print them as JSON. Exit 0 with targets, 1 when nothing\n"
	        "resolves, 2 on bad usage.\n\n"
	        "  --port P              server port; 0 = find it by SRV (default 5060)\n"
	        "  --transport T         udp|tcp|tls|naptr (default udp)\n"
	        "  --dns IP[:PORT][,..]  DNS servers (up to 4) asked in order, each at its own port\n"
	        "                        (default 53); without --dns only the static cache\n"
	        "  --static FILE.cfg     Yealink .cfg whose dns_cache_* records form the static cache\n"
	        "                        (also gives naptr_build/static_cache_pri/dns_cache_type of\n"
	        "                        account 1 and swarm.srv_order/seed; options below\n"
	        "                        override them)\n"
	        "  --static-first        ask the static cache before DNS (static_cache_pri = 1)\n"
	        "  --srv-order O         rfc2782 (weighted random, seeded) | weight-desc\n"
	        "  --seed S              seed of the weighted choice (default 1)\n"
	        "  --naptr-build 0|1     no NAPTR: SRV on _sip._udp only (0) or udp, tcp, tls (1)\n"
	        "  --cache-type 0|1|2    dns_cache_type: 2 answers SRV/A lookups from the additional\n"
	        "                        records of the answers instead of querying (default 1)\n"
	        "  --timeout MS          per-try DNS timeout (default 2000), --retries N tries per\n"
	        "                        server (default 2)\n");
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno == 0 && *s != '\0' && *end == '\0' && *v <= max && s[0] != '-' ? 0 : -1;
}

static int
resolve(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"port", required_argument, NULL, 'p'},
	        {"transport", required_argument, NULL, 't'},
	        {"dns", required_argument, NULL, 'd'},
	        {"static", required_argument, NULL, 's'},
	        {"static-first", no_argument, NULL, 'f'},
	        {"srv-order", required_argument, NULL, 'o'},
	        {"seed", required_argument, NULL, 'S'},
	        {"naptr-build", required_argument, NULL, 'n'},
	        {"timeout", required_argument, NULL, 'T'},
	        {"retries", required_argument, NULL, 'r'},
	        {"cache-type", required_argument, NULL, 'c'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	struct sw_server_cfg srv = {.port = 5060, .transport = SW_TRANSPORT_UDP};
	const char *dns = NULL, *stat = NULL;
	int static_first = -1, naptr_build = -1, order = -1, cache_type = -1, opt, rc, status;
	unsigned long v, timeout = 2000, retries = 2;
	uint64_t seed = 1;
	bool have_seed = false;
	struct sw_config *cfg = NULL;
	struct sw_dns_cache empty = {0};
	const struct sw_dns_cache *cache = &empty;
	struct sw_dns_client *client = NULL;
	struct sw_dns_source st, dn, src;
	struct sw_dns_chain chain;
	struct sw_dns_result res;
	json_t *out, *arr;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			if (parse_uint(optarg, 65535, &v) != 0)
				goto bad;
			srv.port = (uint16_t)v;
			break;
		case 't':
			for (v = 0; v < 4 && strcmp(optarg, transport_names[v]) != 0; v++)
				;
			if (v == 4)
				goto bad;
			srv.transport = (uint8_t)v;
			break;
		case 'd':
			dns = optarg;
			break;
		case 's':
			stat = optarg;
			break;
		case 'f':
			static_first = 1;
			break;
		case 'o':
			if (strcmp(optarg, "rfc2782") == 0)
				order = SW_SRV_ORDER_RFC2782;
			else if (strcmp(optarg, "weight-desc") == 0)
				order = SW_SRV_ORDER_WEIGHT_DESC;
			else
				goto bad;
			break;
		case 'S': {
			char *end;

			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno != 0 || *end != '\0' || optarg[0] == '\0')
				goto bad;
			have_seed = true;
			break;
		}
		case 'n':
			if (parse_uint(optarg, 1, &v) != 0)
				goto bad;
			naptr_build = (int)v;
			break;
		case 'T':
			if (parse_uint(optarg, 600000, &v) != 0 || v == 0)
				goto bad;
			timeout = v;
			break;
		case 'r':
			if (parse_uint(optarg, 20, &v) != 0 || v == 0)
				goto bad;
			retries = v;
			break;
		case 'c':
			if (parse_uint(optarg, 2, &v) != 0)
				goto bad;
			cache_type = (int)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return SW_TOOL_EUSAGE;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "error: dns resolve takes exactly one NAME\n");
		usage(stderr);
		return SW_TOOL_EUSAGE;
	}
	srv.address = argv[optind];
	if (srv.address[0] == '\0' || strlen(srv.address) >= SW_MAX_HOST_LEN) {
		fprintf(stderr, "error: NAME must be 1..%d characters\n", SW_MAX_HOST_LEN - 1);
		return SW_TOOL_EUSAGE;
	}
	if (stat != NULL) {
		char *files[1] = {(char *)(uintptr_t)stat};
		const struct sw_account_cfg *a;
		const struct sw_timing_cfg *tm;

		cfg = sw_tool_load_config(files, 1, false);
		if (cfg == NULL)
			return SW_TOOL_EUSAGE;
		cache = sw_config_dns_cache(cfg);
		a = sw_config_account(cfg, 1);
		tm = sw_config_timing(cfg);
		if (a != NULL && naptr_build < 0)
			naptr_build = a->naptr_build;
		if (a != NULL && static_first < 0)
			static_first = a->static_cache_pri;
		if (a != NULL && cache_type < 0)
			cache_type = a->dns_cache_type;
		if (tm != NULL && order < 0)
			order = tm->srv_order;
		if (tm != NULL && !have_seed)
			seed = tm->seed;
	}
	if (dns != NULL) {
		client = sw_dns_client_new(dns, (unsigned int)timeout, (unsigned int)retries);
		if (client == NULL) {
			fprintf(stderr,
			        "error: --dns '%s': expected IPv4[:PORT][,IPv4[:PORT]...]\n", dns);
			sw_config_free(cfg);
			return SW_TOOL_EUSAGE;
		}
	}
	sw_dns_static_source(&st, cache);
	if (client != NULL) {
		sw_dns_client_source(&dn, client);
		chain.first = static_first > 0 ? st : dn;
		chain.second = static_first > 0 ? dn : st;
		sw_dns_chain_source(&src, &chain);
	} else {
		src = st;
	}
	if (cache_type < 0)
		cache_type = SW_DNS_CACHE_CACHE;
	rc = sw_dns_resolve_type(&src, &srv, (uint8_t)cache_type, naptr_build > 0,
	                         order < 0 ? SW_SRV_ORDER_RFC2782 : (enum sw_srv_order)order, seed,
	                         &res);
	arr = json_array();
	for (unsigned int i = 0; rc == 0 && i < res.n; i++) {
		const struct sw_dns_target *t = &res.t[i];
		char ip[16];

		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", t->ip >> 24, (t->ip >> 16) & 255,
		         (t->ip >> 8) & 255, t->ip & 255);
		json_array_append_new(
		        arr,
		        json_pack("{s:i, s:s, s:i, s:s, s:I, s:s}", "target", (int)i + 1, "ip", ip,
		                  "port", t->port, "transport", transport_names[t->transport & 3],
		                  "ttl", t->ttl == UINT32_MAX ? (json_int_t)-1 : (json_int_t)t->ttl,
		                  "via", t->via));
	}
	out = json_pack("{s:s, s:i, s:s, s:s, s:I, s:s, s:o}", "name", srv.address, "port",
	                srv.port, "transport", transport_names[srv.transport & 3], "result",
	                rc == 0         ? "ok"
	                : rc == -ENOENT ? "no targets"
	                                : strerror(-rc),
	                "ttl",
	                rc == 0 && res.ttl != UINT32_MAX ? (json_int_t)res.ttl : (json_int_t)-1,
	                "srv_order", order == SW_SRV_ORDER_WEIGHT_DESC ? "weight-desc" : "rfc2782",
	                "targets", arr);
	json_object_set_new(out, "cache_type", json_integer(cache_type));
	if (client != NULL) {
		const struct sw_dns_client_stats *s = sw_dns_client_stats(client);
		json_t *by = json_array();

		for (unsigned int i = 0; i < SW_DNS_MAX_SERVERS; i++)
			json_array_append_new(by, json_integer((json_int_t)s->by_server[i]));
		json_object_set_new(
		        out, "dns",
		        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
		                  "queries", (json_int_t)s->queries, "answered",
		                  (json_int_t)s->answered, "empty", (json_int_t)s->empty,
		                  "nxdomain", (json_int_t)s->nxdomain, "servfail",
		                  (json_int_t)s->servfail, "failed", (json_int_t)s->failed,
		                  "from_additional", (json_int_t)s->from_additional,
		                  "kept_additional", (json_int_t)s->kept_additional, "timeouts",
		                  (json_int_t)s->timeouts, "tcp", (json_int_t)s->tcp, "by_server",
		                  by));
	}
	json_dumpf(out, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(out);
	status = rc == 0 ? 0 : rc == -ENOENT ? 1 : 1;
	sw_dns_client_free(client);
	sw_config_free(cfg);
	return status;
bad:
	fprintf(stderr, "error: bad value '%s' for an option\n", optarg);
	usage(stderr);
	return SW_TOOL_EUSAGE;
}

int
sw_tool_dns(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "resolve") == 0)
		return resolve(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "error: unknown or missing dns subcommand\n");
	usage(stderr);
	return SW_TOOL_EUSAGE;
}
