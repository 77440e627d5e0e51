/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file A virtual wire between workers (lib/engine) and the emulated cluster (lib/cluster) in
 * one process, for tests and benchmarks on a virtual clock: frames queued each way in
 * preallocated buffers, the cluster's datagrams framed as the app's cluster side frames them.
 */
#ifndef SW_LINK_H
#define SW_LINK_H

#include <stdlib.h>
#include <string.h>

#include "sw_cluster.h"
#include "sw_engine.h"

/** Frames queued one way. */
struct sw_link_frames {
	uint8_t (*b)[2048];
	uint16_t *len;
	unsigned int n, cap;
	unsigned long lost; /**< frames refused because the queue was full */
};

/** Both ways, and the two ends' MACs. */
struct sw_link {
	struct sw_link_frames to_srv, to_eng;
	uint8_t srv_mac[6], eng_mac[6];
};

/** sw_engine_io.alloc over a queue (arg: struct sw_link_frames). */
static inline uint8_t *
sw_link_alloc(void *arg)
{
	struct sw_link_frames *f = arg;

	if (f->n < f->cap)
		return f->b[f->n];
	f->lost++;
	return NULL;
}

/** sw_engine_io.send over a queue: the frame last allocated is queued. */
static inline void
sw_link_send(void *arg, uint8_t *frame, uint16_t len)
{
	struct sw_link_frames *f = arg;

	(void)frame;
	f->len[f->n++] = len;
}

/**
 * sw_cluster_emit: the datagram framed (checksums computed) towards the engine (arg: link).
 * An answer the cluster built in place (in the payload of the link's next frame, offered as a
 * room by the caller) is not copied.
 */
static inline void
sw_link_cluster_emit(void *arg, const struct sw_cluster_dgram *d)
{
	struct sw_link *l = arg;
	uint8_t *fr = sw_link_alloc(&l->to_eng);
	struct sw_net_udp_out o = {l->srv_mac,  l->eng_mac, d->src_ip, d->dst_ip, d->src_port,
	                           d->dst_port, 0,          true,      false};

	if (fr == NULL)
		return;
	if (d->data != (const char *)fr + SW_NET_HDR_LEN)
		memcpy(fr + SW_NET_HDR_LEN, d->data, d->len);
	sw_link_send(&l->to_eng, fr, (uint16_t)sw_net_udp_write(fr, &o, d->len));
}

/** @return 0, or -1 when cap frames each way cannot be allocated */
static inline int
sw_link_init(struct sw_link *l, unsigned int cap, const uint8_t srv_mac[6],
             const uint8_t eng_mac[6])
{
	memset(l, 0, sizeof(*l));
	memcpy(l->srv_mac, srv_mac, 6);
	memcpy(l->eng_mac, eng_mac, 6);
	l->to_srv.cap = l->to_eng.cap = cap;
	l->to_srv.b = calloc(cap, sizeof(*l->to_srv.b));
	l->to_srv.len = calloc(cap, sizeof(*l->to_srv.len));
	l->to_eng.b = calloc(cap, sizeof(*l->to_eng.b));
	l->to_eng.len = calloc(cap, sizeof(*l->to_eng.len));
	return l->to_srv.b && l->to_srv.len && l->to_eng.b && l->to_eng.len ? 0 : -1;
}

static inline void
sw_link_free(struct sw_link *l)
{
	free(l->to_srv.b);
	free(l->to_srv.len);
	free(l->to_eng.b);
	free(l->to_eng.len);
}

#endif /* SW_LINK_H */
