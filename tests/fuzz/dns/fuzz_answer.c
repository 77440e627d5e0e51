/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target of the DNS answer path: the input is one DNS message as received. It is parsed
 * for A, SRV and NAPTR records of "pbx.example" (sw_dns_answer_records), and then used as the
 * answer to every query of a full RFC 3263 resolution (sw_dns_resolve), so the selection rules
 * run on whatever records the message holds.
 */
#include <stddef.h>
#include <stdint.h>

#include "sw_dns.h"
#include "sw_dns_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct msg {
	struct sw_dns_client *c;
	const uint8_t *data;
	size_t size;
};

static unsigned int
answer(void *ctx, const char *name, uint16_t type, struct sw_dns_rr *out, unsigned int max)
{
	const struct msg *m = ctx;
	int n = sw_dns_answer_records(m->c, m->data, m->size, name, type, out, max);

	return n > 0 ? (unsigned int)n : 0;
}

static unsigned int
naptr(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	return answer(ctx, name, 35, out, max);
}

static unsigned int
srv(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	return answer(ctx, name, 33, out, max);
}

static unsigned int
a(void *ctx, const char *name, struct sw_dns_rr *out, unsigned int max)
{
	return answer(ctx, name, 1, out, max);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_dns_client *c;
	struct msg m = {.data = data, .size = size};
	struct sw_dns_source src = {.naptr = naptr, .srv = srv, .a = a, .ctx = &m};
	struct sw_dns_rr rr[SW_DNS_MAX_RR];
	struct sw_dns_result res;
	struct sw_server_cfg s = {.address = "pbx.example", .port = 0, .transport = 3};

	if (c == NULL)
		c = sw_dns_client_new(NULL, 0, 0);
	if (c == NULL)
		return 0;
	m.c = c;
	sw_dns_client_reset(c);
	sw_dns_answer_records(c, data, size, "pbx.example", 1, rr, SW_DNS_MAX_RR);
	sw_dns_answer_records(c, data, size, "pbx.example", 33, rr, SW_DNS_MAX_RR);
	sw_dns_answer_records(c, data, size, "pbx.example", 35, rr, SW_DNS_MAX_RR);
	sw_dns_client_reset(c);
	sw_dns_resolve(&src, &s, true, SW_SRV_ORDER_RFC2782, 1, &res);
	sw_dns_client_reset(c);
	s.transport = 0;
	sw_dns_resolve(&src, &s, false, SW_SRV_ORDER_WEIGHT_DESC, 1, &res);
	return 0;
}
