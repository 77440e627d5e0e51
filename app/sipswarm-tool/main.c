/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipswarm-tool: offline commands that answer with JSON on stdout. No EAL.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

struct tool_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct tool_cmd cmds[] = {
#ifdef SW_TOOL_HAVE_CONFIG
        {"config", sw_tool_config, "check and expand Yealink .cfg files and a load profile"},
#endif
#ifdef SW_TOOL_HAVE_SIMULATE
        {"simulate", sw_tool_simulate, "run lines on a virtual clock against a scripted cluster"},
#endif
#ifdef SW_TOOL_HAVE_SIP
        {"sip", sw_tool_sip, "parse or build a SIP message"},
#endif
#ifdef SW_TOOL_HAVE_DNS
        {"dns", sw_tool_dns, "resolve a SIP server to its ordered targets (RFC 3263)"},
#endif
#ifdef SW_TOOL_HAVE_REPORT
        {"report", sw_tool_report, "merge the results of a sharded run; a results file as HTML"},
#endif
        {NULL, NULL, NULL},
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: sipswarm-tool COMMAND [ARGS...]\n"
	           "       sipswarm-tool COMMAND --help\n\ncommands:\n");
	for (const struct tool_cmd *c = cmds; c->name != NULL; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->help);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return SW_TOOL_EUSAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (const struct tool_cmd *c = cmds; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "sipswarm-tool: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return SW_TOOL_EUSAGE;
}
