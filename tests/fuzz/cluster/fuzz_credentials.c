/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: an Authorization value from a hostile phone. Every slice the parser returns
 * must lie inside the input, and a success must carry the fields the server needs.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sw_cluster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(struct sw_sip_str s, const char *p, size_t n)
{
	if (s.len == 0)
		return;
	if (s.p < p || s.p + s.len > p + n || s.len > 255)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct sw_cluster_credentials cr;
	int rc = sw_cluster_credentials_parse(&cr, p, size);

	if (rc != 0)
		return 0;
	inside(cr.username, p, size);
	inside(cr.realm, p, size);
	inside(cr.nonce, p, size);
	inside(cr.uri, p, size);
	inside(cr.response, p, size);
	inside(cr.algorithm, p, size);
	inside(cr.cnonce, p, size);
	inside(cr.opaque, p, size);
	inside(cr.qop, p, size);
	inside(cr.nc, p, size);
	if (cr.username.len == 0 || cr.realm.len == 0 || cr.nonce.len == 0 || cr.uri.len == 0 ||
	    cr.response.len == 0)
		abort();
	return 0;
}
