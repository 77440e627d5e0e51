/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipswarm-tool simulate: lines from real .cfg files on the virtual clock against a scripted
 * cluster; the wire timeline as JSON lines.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sw_sim.h"
#include "tool.h"
#include "tool_common.h"

static bool show_notes = true;
static bool summary_only;

static void
print_event(void *arg, const struct sw_sim_event *ev)
{
	json_t *o;

	(void)arg;
	if (summary_only || (ev->method == NULL && !show_notes))
		return;
	o = json_pack("{s:f, s:I, s:s}", "t", (double)ev->t / 1e9, "line", (json_int_t)ev->line,
	              "event", ev->what);
	if (ev->method != NULL)
		json_object_set_new(o, "method", json_string(ev->method));
	json_object_set_new(o, "server", json_integer(ev->server + 1));
	json_object_set_new(o, "target", json_integer(ev->target));
	if (ev->proxy != 0)
		json_object_set_new(o, "proxy", json_integer(ev->proxy));
	if (ev->code != 0)
		json_object_set_new(o, "code", json_integer(ev->code));
	if (ev->method != NULL && strcmp(ev->method, "REGISTER") == 0 &&
	    strcmp(ev->what, "recv") != 0)
		json_object_set_new(o, "expires", json_integer(ev->extra));
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	fputc('\n', stdout);
	json_decref(o);
}

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: sipswarm-tool simulate [--cluster SCRIPT] [--lines N] [--duration S]\n"
	        "                              [--no-notes] [--summary] FILE.cfg...\n\n"
	        "Runs N lines (default 1) with the settings of the first line the files expand to,\n"
	        "on a virtual clock, for S seconds (default 3600), against a scripted cluster, and\n"
	        "prints the wire timeline as JSON lines: t (s), line, event (send, retransmit, recv,\n"
	        "or an outcome: registered, failover, failback, fallback, timeout, ...), method,\n"
	        "server (1 working, 2 fallback), target (0 = primary), code. A last line sums up;\n"
	        "--no-notes prints only messages, --summary only that last line.\n\n"
	        "Cluster script (one directive a line, # comments):\n"
	        "  server Y targets N            server Y (1|2) has N targets (default 1 and 0)\n"
	        "  at T [until U] server Y target I|* silent|ok|503|403\n"
	        "                                how target I behaves from T s (until U s)\n"
	        "  challenge on|off              401/407 before credentials (default on)\n"
	        "  grant S                       registrars grant S seconds (default: as asked)\n"
	        "  latency_ms L                  answers arrive L ms later (default 0)\n"
	        "  call at T [line N] [hold S]   a call at T s (every line, or line N), BYE after S s\n"
	        "  stop at T [unregister]        stop the lines at T s\n");
}

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || len > (1 << 20) ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)len + 1);
	if (buf != NULL && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	if (buf != NULL)
		buf[len] = '\0';
	fclose(f);
	return buf;
}

int
sw_tool_simulate(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"cluster", required_argument, NULL, 'c'},
	        {"lines", required_argument, NULL, 'n'},
	        {"duration", required_argument, NULL, 'd'},
	        {"no-notes", no_argument, NULL, 'q'},
	        {"summary", no_argument, NULL, 's'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *script_path = NULL;
	unsigned long n_lines = 1;
	double duration = 3600;
	struct sw_sim_script *script = calloc(1, sizeof(*script));
	struct sw_sim *sim = calloc(1, sizeof(*sim));
	struct sw_sim_line *lines = NULL;
	struct sw_phone_account acc = {0};
	struct sw_config *c = NULL;
	struct sw_line_info li;
	char err[256];
	int opt, rc = SW_TOOL_EUSAGE;

	if (script == NULL || sim == NULL)
		goto out;
	sw_sim_script_default(script);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'c':
			script_path = optarg;
			break;
		case 'n':
			n_lines = strtoul(optarg, &end, 10);
			if (*end != '\0' || n_lines == 0 || n_lines > 1000000) {
				fprintf(stderr, "error: --lines %s: expected 1..1000000\n", optarg);
				goto out;
			}
			break;
		case 'd':
			duration = strtod(optarg, &end);
			if (*end != '\0' || duration <= 0 || duration > 1e8) {
				fprintf(stderr, "error: --duration %s: expected seconds > 0\n",
				        optarg);
				goto out;
			}
			break;
		case 'q':
			show_notes = false;
			break;
		case 's':
			summary_only = true;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "error: no configuration file given (see --help)\n");
		goto out;
	}
	if (script_path != NULL) {
		char *text = read_all(script_path);

		if (text == NULL) {
			fprintf(stderr, "error: %s: cannot read the cluster script\n", script_path);
			goto out;
		}
		if (sw_sim_script_parse(script, text, err, sizeof(err)) != 0) {
			fprintf(stderr, "error: %s: %s\n", script_path, err + strlen("line "));
			free(text);
			goto out;
		}
		free(text);
	}
	c = sw_tool_load_config(argv + optind, argc - optind, false);
	if (c == NULL)
		goto out;
	sw_config_line(c, 0, 1, 0, &li);
	acc.cfg = li.cfg;
	lines = calloc(n_lines, sizeof(*lines));
	if (lines == NULL) {
		fprintf(stderr, "error: out of memory for %lu lines\n", n_lines);
		goto out;
	}
	if (sw_sim_init(sim, sw_config_timing(c), &acc, script, lines, (uint32_t)n_lines,
	                print_event, NULL) != 0) {
		fprintf(stderr, "error: cannot start the simulation\n");
		goto out;
	}
	sw_sim_run(sim, (uint64_t)(duration * 1e9));
	{
		unsigned long reg = 0, failovers = 0, retrans = 0;
		uint64_t unreg_ms = 0;
		uint32_t end_ms = (uint32_t)(duration * 1000);

		for (unsigned long i = 0; i < n_lines; i++) {
			const struct sw_phone_line *l = &lines[i].l;

			reg += sw_phone_registered(&sim->ctx, l, sim->now);
			failovers += l->failovers;
			retrans += l->retransmissions;
			unreg_ms += l->unreg_total;
			if (l->unreg_since != UINT32_MAX && l->unreg_since < end_ms)
				unreg_ms += end_ms - l->unreg_since;
		}
		json_t *o = json_pack(
		        "{s:s, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "event", "summary",
		        "t", (double)sim->now / 1e9, "lines", (json_int_t)n_lines, "registered",
		        (json_int_t)reg, "sent", (json_int_t)sim->sent, "answered",
		        (json_int_t)sim->answered, "dropped", (json_int_t)sim->dropped,
		        "retransmissions", (json_int_t)retrans, "failovers", (json_int_t)failovers,
		        "unregistered_s_per_line", (double)unreg_ms / 1000.0 / (double)n_lines);

		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		fputc('\n', stdout);
		json_decref(o);
	}
	if (sim->overflow > 0) {
		fprintf(stderr,
		        "error: the simulator lost %llu answers (queue full): results invalid\n",
		        (unsigned long long)sim->overflow);
		rc = 1;
		goto out;
	}
	rc = 0;
out:
	if (sim != NULL)
		sw_sim_fini(sim);
	sw_config_free(c);
	free(lines);
	free(sim);
	free(script);
	return rc;
}
