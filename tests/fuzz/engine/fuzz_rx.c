/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target of everything a worker does with a received frame: lib/net classification,
 * the SIP parse, the token demux, challenges, answers to server requests. One worker with a
 * few registered-looking lines is built once; every input is one frame, handled once as
 * received and once with the port's checksum verdicts (RX offload) that its length selects.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sw_engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[SW_ENGINE_FRAME_MAX];

static uint8_t *
io_alloc(void *arg)
{
	(void)arg;
	return out;
}

static void
io_send(void *arg, uint8_t *frame, uint16_t len)
{
	(void)arg;
	(void)frame;
	if (len > SW_ENGINE_FRAME_MAX)
		abort(); /* the worker never writes past a frame buffer */
}

static struct sw_engine *
worker(void)
{
	static struct sw_engine *e;
	static struct sw_config *c;
	static struct sw_engine_routes routes;
	static const struct sw_sip_token_key key = {1, 2};
	static const char text[] = "#!version:1.0.0.1\n"
	                           "account.1.enable = 1\n"
	                           "account.1.user_name = u{phone:03}{line}\n"
	                           "account.1.password = pw{phone:03}{line}\n"
	                           "account.1.sip_server.1.address = 198.19.0.1\n"
	                           "swarm.phones = 4\n"
	                           "swarm.lines_per_phone = 1\n"
	                           "swarm.src_ip = 198.18.0.1\n";
	struct sw_dns_source src;
	char err[128];

	if (e != NULL)
		return e;
	c = sw_config_new();
	if (c == NULL || sw_config_parse(c, "fuzz.cfg", text, sizeof(text) - 1) < 0 ||
	    sw_config_finish(c) < 0)
		abort();
	sw_dns_static_source(&src, sw_config_dns_cache(c));
	if (sw_engine_routes_build(&routes, c, 0, 1, &src, err, sizeof(err)) < 0)
		abort();
	struct sw_engine_cfg cfg = {.config = c,
	                            .routes = &routes,
	                            .key = &key,
	                            .shard_n = 1,
	                            .n_workers = 1,
	                            .avalanche = true,
	                            .io = {io_alloc, io_send, NULL, NULL}};

	e = sw_engine_new(&cfg);
	if (e == NULL)
		abort();
	sw_engine_poll(e, 1, 100); /* the lines start and have transactions in flight */
	return e;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t now = 2;
	struct sw_engine *e = worker();

	now += 1000;
	sw_engine_rx(e, now, data, size);
	/* again as if a port with RX checksum offload had checked it, every verdict in turn
	 * (trusted "good" sums included: whatever follows must hold up without the check) */
	sw_engine_rx_hw(e, now, data, size, (unsigned int)size & 15u);
	sw_engine_poll(e, now, 100);
	return 0;
}
