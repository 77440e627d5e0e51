/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Differential check against libosip2 (Debian libosip2-dev): every message of the seed corpus
 * and the torture set that both parsers accept must give the same start line, Call-ID, CSeq,
 * tags, top Via host and branch, and Content-Length.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "sw_sip.h"
#include "test_sip.h"

static unsigned compared, differed, ours_only, osip_only;
/* libosip2 takes parameter names as char * */
static char tag_name[] = "tag", branch_name[] = "branch";

static int
same(struct sw_sip_str a, const char *b)
{
	size_t n = b != NULL ? strlen(b) : 0;
	return a.len == n && (n == 0 || memcmp(a.p, b, n) == 0);
}

static void
diff(const char *file, const char *what)
{
	printf("\n%s: %s differs from libosip2\n", file, what);
	differed++;
}

static void
compare_file(const char *file, const char *b, size_t n)
{
	struct sw_sip_msg m;
	osip_message_t *o = NULL;
	enum sw_sip_reason r = sw_sip_parse(&m, b, n, SW_SIP_WANT_ALL);
	int orc;

	osip_message_init(&o);
	orc = osip_message_parse(o, b, n);
	if (r != SW_SIP_OK || orc != 0) {
		if (r == SW_SIP_OK)
			ours_only++;
		else if (orc == 0)
			osip_only++;
		osip_message_free(o);
		return;
	}
	compared++;
	if (m.is_request) {
		if (!same(m.method_s, o->sip_method))
			diff(file, "method");
	} else if (m.status != o->status_code) {
		diff(file, "status");
	}
	{
		char *cid = NULL;
		if (o->call_id == NULL || osip_call_id_to_str(o->call_id, &cid) != 0 ||
		    !same(m.call_id, cid))
			diff(file, "Call-ID");
		osip_free(cid);
	}
	if (o->cseq == NULL || strtoul(o->cseq->number, NULL, 10) != m.cseq ||
	    !same(m.cseq_method_s, o->cseq->method))
		diff(file, "CSeq");
	{
		osip_generic_param_t *p = NULL;
		osip_from_param_get_byname(o->from, tag_name, &p);
		if (!same(m.from_tag, p != NULL ? p->gvalue : NULL))
			diff(file, "From tag");
		p = NULL;
		osip_to_param_get_byname(o->to, tag_name, &p);
		if (!same(m.to_tag, p != NULL ? p->gvalue : NULL))
			diff(file, "To tag");
	}
	{
		osip_via_t *via = NULL;
		osip_generic_param_t *p = NULL;
		if (osip_message_get_via(o, 0, &via) < 0 || via == NULL) {
			diff(file, "Via");
		} else {
			osip_via_param_get_byname(via, branch_name, &p);
			if (!same(m.via_branch, p != NULL ? p->gvalue : NULL))
				diff(file, "Via branch");
			/* libosip2 strips the brackets of an IPv6 sent-by */
			if (!same(m.via_host, via->host) &&
			    !(m.via_host.len > 2 && m.via_host.p[0] == '[' &&
			      strlen(via->host) == m.via_host.len - 2 &&
			      memcmp(m.via_host.p + 1, via->host, m.via_host.len - 2) == 0))
				diff(file, "Via host");
		}
	}
	/* without the header libosip2 may infer one (from a damaged line); compare when ours has it */
	if (m.content_length >= 0 &&
	    (o->content_length == NULL ||
	     strtol(o->content_length->value, NULL, 10) != m.content_length))
		diff(file, "Content-Length");
	osip_message_free(o);
}

static void
compare_dir(const char *sub)
{
	char dir[1024];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/%s", sw_sip_test_data(), sub);
	d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL) {
		char path[2048];
		size_t n;
		char *b;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		b = sw_sip_test_read(path, &n);
		if (b == NULL)
			continue;
		compare_file(e->d_name, b, n);
		free(b);
	}
	closedir(d);
}

static void
both_parsers_agree_on_every_message_both_accept(void)
{
	parser_init();
	compared = differed = ours_only = osip_only = 0;
	compare_dir("corpus/parse");
	compare_dir("torture");
	printf("\n  compared %u, differed %u, only ours accepted %u, only libosip2 %u\n", compared,
	       differed, ours_only, osip_only);
	CU_ASSERT(compared >= 20);
	CU_ASSERT_EQUAL(differed, 0);
}

static const struct sw_test_case cases[] = {
        {"both parsers agree on every message both accept",
         both_parsers_agree_on_every_message_both_accept},
        {NULL, NULL},
};

const struct sw_test_suite suite_osip = {"sip vs libosip2", NULL, NULL, cases};
