/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipswarm-tool report html: a results file as one self-contained HTML page (lib/report).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "sw_report.h"
#include "tool.h"
int sw_tool_report_html(int argc, char **argv);

int
sw_tool_report_html(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	json_error_t je;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (in == NULL && argv[i][0] != '-')
			in = argv[i];
		else {
			fprintf(stderr, "usage: sipswarm-tool report html FILE [-o OUT.html]\n");
			return SW_TOOL_EUSAGE;
		}
	}
	if (in == NULL) {
		fprintf(stderr, "usage: sipswarm-tool report html FILE [-o OUT.html]\n");
		return SW_TOOL_EUSAGE;
	}
	json_t *r = json_load_file(in, 0, &je);

	if (r == NULL) {
		fprintf(stderr, "%s:%d: %s\n", in, je.line, je.text);
		return SW_TOOL_EUSAGE;
	}
	if (!json_is_object(json_object_get(r, "run")) ||
	    !json_is_object(json_object_get(r, "totals"))) {
		fprintf(stderr, "%s: not a sipswarm results file (no run or totals)\n", in);
		json_decref(r);
		return SW_TOOL_EUSAGE;
	}
	size_t len = 0;
	char *html = sw_report_html(r, in, &len);

	json_decref(r);
	if (html == NULL) {
		fprintf(stderr, "sipswarm-tool report html: %s: %s\n", in, strerror(errno));
		return SW_TOOL_EUSAGE;
	}
	if (out == NULL) {
		fwrite(html, 1, len, stdout);
		free(html);
		return 0;
	}
	/* written whole to a temporary file beside it, then renamed: never half a page */
	char tmp[4096];
	FILE *f;
	bool bad;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid());
	f = fopen(tmp, "w");
	bad = f == NULL || fwrite(html, 1, len, f) != len;
	if (f != NULL)
		bad |= fclose(f) != 0;
	free(html);
	if (bad || rename(tmp, out) < 0) {
		fprintf(stderr, "sipswarm-tool report html: cannot write %s: %s\n", out,
		        strerror(errno ? errno : EIO));
		unlink(tmp);
		return SW_TOOL_EUSAGE;
	}
	return 0;
}
