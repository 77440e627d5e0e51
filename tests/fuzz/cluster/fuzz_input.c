/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: one datagram from a hostile peer into a two-server cluster (a registered line
 * "bob" to proxy to, a delay window on the second server), at a fixed virtual time so that the
 * seed corpus can carry valid credentials. Whatever the cluster sends must itself be SIP that
 * lib/sip accepts, and the counters must add up. The registrar does not decode the top Via (it
 * answers the source address, RFC 3581, and echoes the Vias as they came), so an answer is
 * checked without that decoding; what the proxy forwards is checked with it, and without the
 * challenge decoding the cluster never asks of its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sw_cluster.h"
#include "sw_sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW      (1000 * UINT64_C(1000000000))
#define SRC_IP   UINT32_C(0xC6120003) /* 198.18.0.3 */
#define SRC_PORT 5064

static void
check(void *arg, const struct sw_cluster_dgram *d)
{
	struct sw_sip_msg m;

	(void)arg;
	if (d->len == 0 || d->data == NULL)
		abort();
	if (!d->relayed) {
		/* an answer: ours, challenge included; the Vias are echoed as they came */
		if (sw_sip_parse(&m, d->data, d->len, SW_SIP_WANT_ALL & ~SW_SIP_WANT_VIA) !=
		    SW_SIP_OK)
			abort();
	} else if (sw_sip_parse(&m, d->data, d->len, SW_SIP_WANT_ALL & ~SW_SIP_WANT_AUTH) !=
	           SW_SIP_OK) {
		/* forwarded or relayed: valid as the cluster wanted its input, top Via decoded */
		abort();
	}
}

static struct sw_cluster *
cluster(void)
{
	static struct sw_cluster *c;
	static const char reg[] = "at 0 server 2 delay 5\n";
	struct sw_cluster_cfg cfg;

	if (c != NULL)
		return c;
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_servers = 2;
	cfg.server[0].ip = UINT32_C(0xC6120100);
	cfg.server[0].port = 5060;
	cfg.server[1].ip = UINT32_C(0xC6120101);
	cfg.server[1].port = 5060;
	cfg.server[1].group = 1;
	cfg.realm = "sipswarm.test";
	cfg.password_rule = "pw{user}";
	cfg.max_bindings = 64;
	cfg.delay_slots = 64;
	cfg.record_route = 1;
	cfg.seed = 1;
	c = sw_cluster_new(&cfg);
	if (c == NULL || sw_cluster_schedule_parse(c, reg, NULL, 0) != 0)
		abort();
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_cluster *c = cluster();
	struct sw_cluster_server_stats st;
	unsigned server = size & 1;

	sw_cluster_input(c, NOW, SRC_IP, SRC_PORT, UINT32_C(0xC6120100) + server, 5060,
	                 (const char *)data, size, check, NULL);
	sw_cluster_poll(c, NOW + 10 * UINT64_C(1000000), check, NULL);
	sw_cluster_stats(c, server, &st);
	if (st.rx != st.rx_requests + st.rx_responses + st.parse_errors + st.dropped_silent +
	                     st.dropped_capacity)
		abort();
	return 0;
}
