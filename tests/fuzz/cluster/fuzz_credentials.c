/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: an Authorization value from a hostile phone. Every slice the parser returns
 * must lie inside the input, and a success must carry the fields the server needs.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cluster_private.h"
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

static int
same_slice(struct sw_sip_str a, struct sw_sip_str b)
{
	return a.len == b.len && (a.len == 0 || a.p == b.p);
}

/*
 * The fast path (a value followed by more of the datagram: the last byte says how much) parses
 * as the slow one.
 */
static void
fast_is_slow(const char *p, size_t size)
{
	struct sw_cluster_credentials a, b;
	size_t tail = size > 0 ? (unsigned char)p[size - 1] % 80 : 0, n;
	int ra, rb;

	if (tail > size)
		tail = size;
	n = size - tail;
	ra = cl_credentials_parse_in(&a, p, n, p + size);
	rb = cl_credentials_parse_slow(&b, p, n);
	if (ra != rb)
		abort();
	if (ra == 0 &&
	    !(same_slice(a.username, b.username) && same_slice(a.realm, b.realm) &&
	      same_slice(a.nonce, b.nonce) && same_slice(a.uri, b.uri) &&
	      same_slice(a.response, b.response) && same_slice(a.algorithm, b.algorithm) &&
	      same_slice(a.cnonce, b.cnonce) && same_slice(a.opaque, b.opaque) &&
	      same_slice(a.qop, b.qop) && same_slice(a.nc, b.nc)))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct sw_cluster_credentials cr;
	int rc;

	fast_is_slow(p, size);
	rc = sw_cluster_credentials_parse(&cr, p, size);

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
