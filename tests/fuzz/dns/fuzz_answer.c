/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target of the DNS answer path: the input is one DNS message as received. It is parsed
 * for A, SRV and NAPTR records of "pbx.example" (sw_dns_answer_records), and then used as the
 * answer to every query of a full RFC 3263 resolution (sw_dns_resolve), so the selection rules
 * run on whatever records the message holds. Last, the client's query loop runs with
 * dns_cache_type 2 over a transport that answers every query with the query's own ID and
 * question followed by the input's flags, section counts and bytes, so the ID and question
 * checks pass and the ADDITIONAL records reach the code that keeps them.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/*
 * Answer = ID of the query, flags and AN/NS/AR counts from the input (bytes 0..1 and 2..7),
 * QDCOUNT 1, the query's question, then the rest of the input.
 */
static int
fuzz_exchange(void *ctx, uint32_t ip, uint16_t port, bool tcp, const uint8_t *query, size_t qlen,
              uint8_t *ans, size_t cap, unsigned int timeout_ms)
{
	const struct msg *m = ctx;
	size_t len;

	(void)ip, (void)port, (void)tcp, (void)timeout_ms;
	if (m->size < 8 || qlen < 12)
		return -ETIMEDOUT;
	len = 12 + (qlen - 12) + (m->size - 8);
	if (len > cap)
		return -EMSGSIZE;
	memcpy(ans, query, 2);
	memcpy(ans + 2, m->data, 2);
	ans[4] = 0;
	ans[5] = 1;
	memcpy(ans + 6, m->data + 2, 6);
	memcpy(ans + 12, query + 12, qlen - 12);
	memcpy(ans + qlen, m->data + 8, m->size - 8);
	return (int)len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_dns_client *c, *q;
	struct msg m = {.data = data, .size = size};
	struct sw_dns_transport tr = {.exchange = fuzz_exchange, .ctx = &m};
	struct sw_dns_source qs;
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
	if (q == NULL)
		q = sw_dns_client_new("198.18.0.1:5301,198.18.0.2", 1, 1);
	if (q == NULL)
		return 0;
	sw_dns_client_set_transport(q, &tr);
	sw_dns_client_source(&qs, q);
	s.transport = 3;
	sw_dns_resolve_type(&qs, &s, SW_DNS_CACHE_CACHE_ADDITIONAL, true, SW_SRV_ORDER_RFC2782, 1,
	                    &res);
	return 0;
}
