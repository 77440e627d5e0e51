/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipswarm-tool config check|expand: what a set of Yealink .cfg files and a profile mean.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sw_common.h"
#include "sw_config.h"
#include "tool.h"
#include "tool_common.h"

struct sw_config *
sw_tool_load_config(char *const *files, int n, bool quiet_warnings)
{
	struct sw_config *c = sw_config_new();
	const struct sw_config_diag *w;
	unsigned int nw;

	if (c == NULL) {
		fprintf(stderr, "error: out of memory\n");
		return NULL;
	}
	for (int i = 0; i < n; i++) {
		if (sw_config_load_file(c, files[i]) != 0) {
			fprintf(stderr, "error: %s\n", sw_config_error(c)->msg);
			sw_config_free(c);
			return NULL;
		}
	}
	if (sw_config_finish(c) != 0) {
		fprintf(stderr, "error: %s\n", sw_config_error(c)->msg);
		sw_config_free(c);
		return NULL;
	}
	w = sw_config_warnings(c, &nw);
	for (unsigned int i = 0; i < nw && !quiet_warnings; i++)
		fprintf(stderr, "warning: %s\n", w[i].msg);
	return c;
}

static const char *const transport_names[] = {"udp", "tcp", "tls", "dns-naptr"};
static const char *const failback_names[] = {"newRequests", "DNSTTL", "registration", "duration"};

static json_t *
server_json(const struct sw_server_cfg *s)
{
	return json_pack(
	        "{s:s, s:i, s:s, s:i, s:i, s:i, s:s, s:i, s:b, s:b, s:b}", "address", s->address,
	        "port", s->port, "transport", transport_names[s->transport & 3], "expires",
	        (json_int_t)s->expires, "retry_counts", s->retry_counts, "invite_retry_counts",
	        s->invite_retry_counts, "failback_mode", failback_names[s->failback_mode & 3],
	        "failback_timeout", (json_int_t)s->failback_timeout, "register_on_enable",
	        s->register_on_enable, "only_signal_with_registered",
	        s->only_signal_with_registered, "failback_subscribe", s->failback_subscribe_enable);
}

static json_t *
account_json(const struct sw_account_cfg *a)
{
	json_t *o = json_pack("{s:[o,o], s:s, s:i, s:b}", "servers", server_json(&a->server[0]),
	                      server_json(&a->server[1]), "redundancy_type",
	                      a->redundancy_type ? "successive" : "concurrent", "fallback_timeout",
	                      (json_int_t)a->fallback_timeout, "outbound_proxy_enable",
	                      a->outbound_proxy_enable);

	if (a->outbound_proxy_enable)
		json_object_set_new(
		        o, "outbound_proxies",
		        json_pack("[{s:s,s:i},{s:s,s:i}]", "address", a->outbound_proxy[0].address,
		                  "port", a->outbound_proxy[0].port, "address",
		                  a->outbound_proxy[1].address, "port", a->outbound_proxy[1].port));
	return o;
}

static json_t *
line_json(const struct sw_config *c, const struct sw_line_info *li, uint64_t i)
{
	static const char *const names[SW_IDENT_MAX] = {"user_name", "auth_name", "password",
	                                                "label", "display_name"};
	char buf[1024], ip[16];
	json_t *o;

	snprintf(ip, sizeof(ip), "%u.%u.%u.%u", li->src_ip >> 24, (li->src_ip >> 16) & 255,
	         (li->src_ip >> 8) & 255, li->src_ip & 255);
	o = json_pack("{s:I, s:i, s:i, s:i, s:s, s:i}", "line", (json_int_t)i, "phone",
	              (json_int_t)li->phone + 1, "account", li->account, "variant", li->variant,
	              "src_ip", ip, "src_port", li->src_port);
	for (int f = 0; f < SW_IDENT_MAX; f++)
		if (sw_config_ident(c, li, (enum sw_ident)f, buf, sizeof(buf)) >= 0)
			json_object_set_new(o, names[f], json_string(buf));
	return o;
}

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: sipswarm-tool config check FILE.cfg...\n"
	        "       sipswarm-tool config expand [--line I]... [--shard K/N] FILE.cfg...\n\n"
	        "check   validate the files (layered in order, later ones override); errors and\n"
	        "        warnings name file, line and key; prints a JSON summary; exit 2 on error\n"
	        "expand  print as JSON what the files expand to: totals, the settings of each\n"
	        "        account used, and lines (the first 3, or those given by --line)\n");
}

int
sw_tool_config(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"line", required_argument, NULL, 'l'},
	        {"shard", required_argument, NULL, 's'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	uint64_t want[64];
	unsigned int n_want = 0;
	unsigned long k = 0, n = 1;
	const char *cmd;
	struct sw_config *c;
	json_t *out;
	int opt;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? SW_TOOL_EUSAGE : 0;
	}
	cmd = argv[1];
	if (strcmp(cmd, "check") != 0 && strcmp(cmd, "expand") != 0) {
		fprintf(stderr, "sipswarm-tool config: unknown subcommand '%s'\n", cmd);
		usage(stderr);
		return SW_TOOL_EUSAGE;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'l':
			if (n_want == SW_ARRAY_SIZE(want)) {
				fprintf(stderr, "error: at most %zu --line options\n",
				        SW_ARRAY_SIZE(want));
				return SW_TOOL_EUSAGE;
			}
			want[n_want++] = strtoull(optarg, &end, 10);
			if (*end != '\0' || end == optarg) {
				fprintf(stderr, "error: --line %s: not a line number\n", optarg);
				return SW_TOOL_EUSAGE;
			}
			break;
		case 's':
			if (sscanf(optarg, "%lu/%lu", &k, &n) != 2 || n == 0 || k >= n) {
				fprintf(stderr, "error: --shard %s: expected K/N with 0 <= K < N\n",
				        optarg);
				return SW_TOOL_EUSAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return SW_TOOL_EUSAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "error: no configuration file given\n");
		return SW_TOOL_EUSAGE;
	}
	c = sw_tool_load_config(argv + optind, argc - optind, false);
	if (c == NULL)
		return SW_TOOL_EUSAGE;
	{
		const struct sw_profile *p = sw_config_profile(c);
		uint64_t lines = sw_config_line_count(c, (uint32_t)k, (uint32_t)n);
		unsigned int nw;
		const struct sw_config_diag *w = sw_config_warnings(c, &nw);
		json_t *warnings = json_array();

		for (unsigned int i = 0; i < nw; i++)
			json_array_append_new(warnings, json_string(w[i].msg));
		out = json_pack("{s:b, s:I, s:I, s:s, s:o}", "ok", 1, "phones",
		                (json_int_t)p->phones, "lines", (json_int_t)lines, "model",
		                p->model != NULL ? p->model->name : "any", "warnings", warnings);
		if (strcmp(cmd, "expand") == 0) {
			json_t *accs = json_object(), *arr = json_array();
			struct sw_line_info li;

			for (unsigned int x = 1; x <= SW_MAX_ACCOUNTS; x++) {
				const struct sw_account_cfg *a = sw_config_account(c, x);
				char key[16];

				if (!a->enable)
					continue;
				snprintf(key, sizeof(key), "%u", x);
				json_object_set_new(accs, key, account_json(a));
			}
			json_object_set_new(out, "accounts", accs);
			if (n_want == 0)
				for (uint64_t i = 0; i < lines && i < 3; i++)
					want[n_want++] = i;
			for (unsigned int i = 0; i < n_want; i++) {
				if (sw_config_line(c, (uint32_t)k, (uint32_t)n, want[i], &li) !=
				    0) {
					fprintf(stderr, "error: --line %llu: only %llu lines\n",
					        (unsigned long long)want[i],
					        (unsigned long long)lines);
					json_decref(out);
					json_decref(arr);
					sw_config_free(c);
					return SW_TOOL_EUSAGE;
				}
				json_array_append_new(arr, line_json(c, &li, want[i]));
			}
			json_object_set_new(out, "lines_sample", arr);
		}
	}
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(out);
	sw_config_free(c);
	return 0;
}
