/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fault schedule text (slow path, at start):
 *
 *   schedule = *( line LF )
 *   line     = [ rule ] [ "#" comment ]
 *   rule     = "at" SP seconds [ SP "until" SP seconds ] SP "server" SP ( number / name ) SP kind
 *   kind     = "silent" / "503" [ SP "retry_after" SP seconds ] / "delay" SP ms
 *            / "reject_auth" / "capacity" SP per-second
 *
 * Every line is checked before any rule is added, so a wrong schedule changes nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster_private.h"

#define MAX_WORDS 10

static void
set_err(char *err, size_t errlen, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return;
	n = snprintf(err, errlen, "line %u: ", line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Non-negative seconds with an optional fraction, into ns. */
static int
parse_seconds(const char *w, uint64_t *ns)
{
	char *e;
	double v;

	if (w[0] < '0' || w[0] > '9')
		return -1;
	v = strtod(w, &e);
	if (*e != '\0' || !(v >= 0) || v > 1e9)
		return -1;
	*ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

static int
parse_u32(const char *w, uint32_t *out)
{
	char *e;
	unsigned long v;

	if (w[0] < '0' || w[0] > '9')
		return -1;
	v = strtoul(w, &e, 10);
	if (*e != '\0' || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int
find_server(const struct sw_cluster *c, const char *w, unsigned *server)
{
	uint32_t n;

	if (parse_u32(w, &n) == 0) {
		if (n < 1 || n > c->n_servers)
			return -1;
		*server = n - 1;
		return 0;
	}
	for (unsigned i = 0; i < c->n_servers; i++)
		if (c->srv[i].name_len > 0 && strcmp(c->srv[i].name, w) == 0) {
			*server = i;
			return 0;
		}
	return -1;
}

/* One line into a rule; 1 rule, 0 nothing on the line, -1 error (err set). */
static int
parse_line(const struct sw_cluster *c, char *line, unsigned ln, struct cl_rule *r, char *err,
           size_t errlen)
{
	char *word[MAX_WORDS], *save = NULL, *tok;
	unsigned nw = 0, i = 0, server;
	uint64_t from, until = UINT64_MAX;
	uint32_t param = 0;
	uint8_t kind;

	tok = strchr(line, '#');
	if (tok != NULL)
		*tok = '\0';
	for (tok = strtok_r(line, " \t\r", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (nw == MAX_WORDS) {
			set_err(err, errlen, ln, "too many words");
			return -1;
		}
		word[nw++] = tok;
	}
	if (nw == 0)
		return 0;
	if (strcmp(word[i], "at") != 0 || nw < 2) {
		set_err(err, errlen, ln, "expected \"at SECONDS\"");
		return -1;
	}
	if (parse_seconds(word[1], &from) != 0) {
		set_err(err, errlen, ln, "bad time \"%s\"", word[1]);
		return -1;
	}
	i = 2;
	if (i < nw && strcmp(word[i], "until") == 0) {
		if (i + 1 >= nw || parse_seconds(word[i + 1], &until) != 0) {
			set_err(err, errlen, ln, "bad \"until\" time");
			return -1;
		}
		if (until <= from) {
			set_err(err, errlen, ln, "\"until\" must be after \"at\"");
			return -1;
		}
		i += 2;
	}
	if (i + 1 >= nw || strcmp(word[i], "server") != 0) {
		set_err(err, errlen, ln, "expected \"server N\"");
		return -1;
	}
	if (find_server(c, word[i + 1], &server) != 0) {
		set_err(err, errlen, ln, "no server \"%s\" (1..%u or a name)", word[i + 1],
		        c->n_servers);
		return -1;
	}
	i += 2;
	if (i >= nw) {
		set_err(err, errlen, ln,
		        "expected a fault: silent, 503, delay, reject_auth, capacity");
		return -1;
	}
	if (strcmp(word[i], "silent") == 0) {
		kind = SW_CLUSTER_SILENT;
		i++;
	} else if (strcmp(word[i], "reject_auth") == 0) {
		kind = SW_CLUSTER_REJECT_AUTH;
		i++;
	} else if (strcmp(word[i], "503") == 0) {
		kind = SW_CLUSTER_503;
		i++;
		if (i < nw && strcmp(word[i], "retry_after") == 0) {
			if (i + 1 >= nw || parse_u32(word[i + 1], &param) != 0) {
				set_err(err, errlen, ln, "bad retry_after seconds");
				return -1;
			}
			i += 2;
		}
	} else if (strcmp(word[i], "delay") == 0 || strcmp(word[i], "capacity") == 0) {
		kind = word[i][0] == 'd' ? SW_CLUSTER_DELAY : SW_CLUSTER_CAPACITY;
		if (i + 1 >= nw || parse_u32(word[i + 1], &param) != 0 ||
		    (kind == SW_CLUSTER_CAPACITY && param == 0)) {
			set_err(err, errlen, ln, "%s needs a number%s", word[i],
			        kind == SW_CLUSTER_CAPACITY ? " >= 1" : "");
			return -1;
		}
		i += 2;
	} else {
		set_err(err, errlen, ln, "unknown fault \"%s\"", word[i]);
		return -1;
	}
	if (i != nw) {
		set_err(err, errlen, ln, "unexpected \"%s\"", word[i]);
		return -1;
	}
	*r = (struct cl_rule){.from = from,
	                      .until = until,
	                      .param = param,
	                      .kind = kind,
	                      .server = (uint8_t)server};
	return 1;
}

int
sw_cluster_schedule_parse(struct sw_cluster *c, const char *text, char *err, size_t errlen)
{
	struct cl_rule rules[SW_CLUSTER_MAX_RULES];
	unsigned n = 0, ln = 0;
	const char *p = text;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		size_t l = e != NULL ? (size_t)(e - p) : strlen(p);
		char line[512];
		struct cl_rule r;
		int rc;

		ln++;
		if (l >= sizeof(line)) {
			set_err(err, errlen, ln, "line too long");
			return -EINVAL;
		}
		memcpy(line, p, l);
		line[l] = '\0';
		rc = parse_line(c, line, ln, &r, err, errlen);
		if (rc < 0)
			return -EINVAL;
		if (rc > 0) {
			if (n + c->n_rules >= SW_CLUSTER_MAX_RULES) {
				set_err(err, errlen, ln, "more than %u rules",
				        SW_CLUSTER_MAX_RULES);
				return -ENOSPC;
			}
			rules[n++] = r;
		}
		p += l;
		if (*p == '\n')
			p++;
	}
	for (unsigned i = 0; i < n; i++) {
		int rc = sw_cluster_fault_add(c, rules[i].server, rules[i].from, rules[i].until,
		                              (enum sw_cluster_fault_kind)rules[i].kind,
		                              rules[i].param);
		if (rc != 0)
			return rc;
	}
	return 0;
}
