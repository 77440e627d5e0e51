/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated cluster on the other end of the in-memory port pair (pair mode and the
 * embedded default): every distinct server the configuration resolves to becomes a server of
 * lib/cluster; the targets of sip_server.1 share one registration table (primary/secondary
 * of the guide), those of sip_server.2 another (the fallback server). Runs on the main lcore
 * in the control loop's spare time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "sipswarm.h"

#ifdef SW_HAVE_CLUSTER
#include "sw_cluster.h"

struct side {
	struct sw_cluster *c;
	struct rte_ether_addr mac, peer_mac;
	struct rte_mempool *mp;
	uint16_t port;
	uint16_t queue;
	struct rte_mbuf *tx[APP_BURST];
	unsigned int ntx;
	struct rte_mbuf *stash[APP_BURST]; /* mbufs for answers, taken from the pool in bulk */
	unsigned int nstash;
	struct rte_mbuf *spare; /* the mbuf room() offered, until emit() sends an answer in it */
	uint64_t tx_full, nobuf;
	uint64_t last_poll;         /* ns: the last sw_cluster_poll */
	uint64_t first_ns, busy_ns; /* the first poll; ns in the polls that had work */
	uint32_t ip[SW_CLUSTER_MAX_SERVERS];
	unsigned int n;
	char schedule_text[8192];
};

static struct side side;

static void
flush(void)
{
	if (side.ntx == 0)
		return;
	uint16_t s = rte_eth_tx_burst(side.port, side.queue, side.tx, (uint16_t)side.ntx);

	if (s < side.ntx) {
		side.tx_full += side.ntx - s;
		rte_pktmbuf_free_bulk(side.tx + s, side.ntx - s);
	}
	side.ntx = 0;
}

/* an mbuf for an answer: from a stash refilled APP_BURST at a time (one trip to the mempool
 * per burst, as the workers do; one rte_pktmbuf_alloc per answer before) */
static struct rte_mbuf *
answer_mbuf(void)
{
	struct rte_mbuf *m;

	if (side.nstash == 0 && rte_pktmbuf_alloc_bulk(side.mp, side.stash, APP_BURST) == 0)
		side.nstash = APP_BURST;
	m = side.nstash > 0 ? side.stash[--side.nstash] : rte_pktmbuf_alloc(side.mp);
	/* the next answer's mbuf, on its way while this one is written */
	if (side.nstash > 0)
		app_prefetch_tx(side.stash[side.nstash - 1]);
	return m;
}

/* sw_cluster_room: the next answer is built in the payload of the mbuf it leaves in (the copy
 * into the mbuf was emit's largest cost after the checksum) */
static char *
room(void *arg, size_t *cap)
{
	(void)arg;
	if (side.spare == NULL && (side.spare = answer_mbuf()) == NULL)
		return NULL;
	*cap = rte_pktmbuf_tailroom(side.spare) - SW_NET_HDR_LEN;
	return rte_pktmbuf_mtod_offset(side.spare, char *, SW_NET_HDR_LEN);
}

static void
emit(void *arg, const struct sw_cluster_dgram *d)
{
	struct rte_mbuf *m = side.spare;

	(void)arg;
	if (m != NULL && d->data == rte_pktmbuf_mtod_offset(m, const char *, SW_NET_HDR_LEN)) {
		side.spare = NULL; /* built in place */
	} else {
		m = answer_mbuf();
		if (m == NULL) {
			side.nobuf++;
			return;
		}
		/* a datagram larger than the mbuf (none the cluster sends here) is not written past
		 * its end */
		if (d->len > rte_pktmbuf_tailroom(m) - SW_NET_HDR_LEN) {
			side.nobuf++;
			rte_pktmbuf_free(m);
			return;
		}
		memcpy(rte_pktmbuf_mtod_offset(m, char *, SW_NET_HDR_LEN), d->data, d->len);
	}
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	struct sw_net_udp_out o = {side.mac.addr_bytes,
	                           side.peer_mac.addr_bytes,
	                           d->src_ip,
	                           d->dst_ip,
	                           d->src_port,
	                           d->dst_port,
	                           0,
	                           true,
	                           false};

	size_t len = sw_net_udp_write(f, &o, d->len);

	m->data_len = m->pkt_len = (uint32_t)len;
	side.tx[side.ntx++] = m;
	if (side.ntx == APP_BURST)
		flush();
}

static const struct sw_cluster_sink sink = {emit, room, NULL};

int
app_cluster_init(struct app *a, char *err, size_t errlen)
{
	struct sw_cluster_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.n_servers = a->routes.n_servers;
	if (cfg.n_servers > SW_CLUSTER_MAX_SERVERS) {
		snprintf(err, errlen,
		         "the emulated cluster has at most %u servers; the "
		         "configuration resolves to %u",
		         SW_CLUSTER_MAX_SERVERS, cfg.n_servers);
		return -E2BIG;
	}
	for (unsigned int k = 0; k < cfg.n_servers; k++) {
		cfg.server[k].ip = a->routes.server[k].ip;
		cfg.server[k].port = a->routes.server[k].port;
		snprintf(cfg.server[k].name, sizeof(cfg.server[k].name), "server%u", k + 1);
		cfg.server[k].group = 0;
		side.ip[k] = a->routes.server[k].ip;
	}
	/* a server that is only ever a target of sip_server.2 gets the fallback group */
	for (unsigned int k = 0; k < cfg.n_servers; k++) {
		bool s1 = false, s2 = false;

		for (unsigned int r = 0; r < a->routes.n; r++)
			for (unsigned int s = 0; s < SW_MAX_SERVERS; s++)
				for (unsigned int t = 0; t < a->routes.r[r].n_targets[s]; t++)
					if (a->routes.r[r].t[s][0][t].sid == k)
						*(s ? &s2 : &s1) = true;
		cfg.server[k].group = s2 && !s1 ? 1 : 0;
	}
	side.n = cfg.n_servers;
	cfg.realm = a->o.cluster_realm;
	cfg.password_rule = a->o.cluster_password;
	cfg.nonce_ttl_s = 3600;
	cfg.max_bindings =
	        (uint32_t)(sw_config_line_count(a->config, a->o.shard_k, a->o.shard_n) * 2 + 1024);
	cfg.min_expires = 30;
	cfg.max_expires = 7200;
	cfg.seed = sw_config_timing(a->config)->seed;
	side.c = sw_cluster_new(&cfg);
	if (side.c == NULL) {
		snprintf(err, errlen, "cannot create the emulated cluster: %s", strerror(errno));
		return -ENOMEM;
	}
	if (a->o.schedule_text != NULL &&
	    sw_cluster_schedule_parse(side.c, a->o.schedule_text, err, errlen) < 0)
		return -EINVAL;
	side.port = a->peer_port;
	side.mp = a->w[0].mp;
	rte_eth_macaddr_get(a->peer_port, &side.mac);
	rte_eth_macaddr_get(a->o.port, &side.peer_mac);
	a->cluster = side.c;
	printf("emulated cluster:");
	for (unsigned int k = 0; k < cfg.n_servers; k++) {
		char ip[16];

		printf(" [server %u %s:%u %s]", k + 1, sw_net_ip_str(cfg.server[k].ip, ip),
		       cfg.server[k].port, cfg.server[k].group ? "own table" : "shared table");
	}
	printf("\n");
	return 0;
}

unsigned int
app_cluster_poll(struct app *a, uint64_t now)
{
	struct rte_mbuf *pkts[APP_BURST];
	unsigned int work = 0;
	uint64_t t0 = now; /* ns, from the caller's TSC read: no second one here */

	if (side.first_ns == 0)
		side.first_ns = t0;
	/* the schedule counts from the start of the run, as the report does */
	now = now > a->run_start ? now - a->run_start : 0;

	for (uint16_t q = 0; q < a->n_workers; q++) {
		uint16_t n = rte_eth_rx_burst(side.port, q, pkts, APP_BURST);
		struct sw_cluster_rx rx[APP_BURST];
		unsigned int nrx = 0;

		side.queue = q;
		app_prefetch_mbufs(pkts, n);
		for (uint16_t i = 0; i < n && i < APP_PREFETCH_AHEAD; i++)
			app_prefetch_frame(pkts[i]);
		for (uint16_t i = 0; i < n; i++) {
			struct sw_net_pkt p;

			if (i + APP_PREFETCH_AHEAD < n)
				app_prefetch_frame(pkts[i + APP_PREFETCH_AHEAD]);
			const uint8_t *f = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
			enum sw_net_kind k = sw_net_classify(f, rte_pktmbuf_data_len(pkts[i]), &p);

			if (k == SW_NET_K_ARP_REQUEST) {
				for (unsigned int s = 0; s < side.n; s++)
					if (side.ip[s] == p.dst_ip) {
						struct rte_mbuf *m = answer_mbuf();

						if (m == NULL)
							break;
						m->data_len = m->pkt_len =
						        (uint32_t)sw_net_arp_write(
						                rte_pktmbuf_mtod(m, uint8_t *), 2,
						                side.mac.addr_bytes, p.dst_ip,
						                p.src_mac, p.src_ip);
						side.tx[side.ntx++] = m;
						if (side.ntx == APP_BURST)
							flush();
					}
			} else if (k == SW_NET_K_UDP) {
				/* the datagrams of a burst go in together (digests checked 8 at a
				 * time); the mbufs are freed after */
				rx[nrx++] = (struct sw_cluster_rx){.src_ip = p.src_ip,
				                                   .dst_ip = p.dst_ip,
				                                   .src_port = p.src_port,
				                                   .dst_port = p.dst_port,
				                                   .len = p.payload_len,
				                                   .buf = (const char *)p.payload};
			}
		}
		if (nrx > 0)
			sw_cluster_input_burst_to(side.c, now, rx, nrx, &sink);
		rte_pktmbuf_free_bulk(pkts, n);
		work += n;
		flush();
	}
	/* delayed answers and the binding sweep every 50 us, not every loop: the sweep walks the
	 * binding table (128 MiB for a million lines) and polling it between every receive burst
	 * took a sixth of this core */
	if (now - side.last_poll >= 50 * SW_NS_PER_US || now < side.last_poll) {
		side.last_poll = now;
		side.queue = 0;
		work += sw_cluster_poll(side.c, now, emit, NULL);
		flush();
	}
	/* busy as the workers count it: the polls that found something to do */
	if (work > 0)
		side.busy_ns += app_now(a) - t0;
	return work;
}

void
app_cluster_report(const struct app *a, void *obj)
{
	json_t *arr = json_array();

	for (unsigned int k = 0; k < side.n; k++) {
		struct sw_cluster_server_stats st;
		json_t *o = json_object();
		char ip[16], addr[32];

		sw_cluster_stats(side.c, k, &st);
		snprintf(addr, sizeof(addr), "%s:%u", sw_net_ip_str(a->routes.server[k].ip, ip),
		         a->routes.server[k].port);
		json_object_set_new(o, "address", json_string(addr));
		for (int c = 0; c < SW_CLUSTER_C_COUNT; c++)
			json_object_set_new(o, sw_cluster_counter_name(c),
			                    json_integer((json_int_t)st.ctr[c]));
		json_object_set_new(o, "bindings", json_integer((json_int_t)st.bindings));
		json_array_append_new(arr, o);
	}
	json_object_set_new(obj, "cluster", arr);
	json_object_set_new(obj, "cluster_tx_full", json_integer((json_int_t)side.tx_full));
	/* the share of the main lcore's time since the first poll that the cluster spent on
	 * polls with work: how close the emulated cluster is to its own limit */
	uint64_t span = side.first_ns ? app_now(a) - side.first_ns : 0;

	json_object_set_new(obj, "cluster_busy_share",
	                    json_real(span ? (double)side.busy_ns / (double)span : 0));
	/* run-clock ns: under --time-scale X, X times the CPU's seconds */
	json_object_set_new(obj, "cluster_busy_s",
	                    json_real((double)side.busy_ns / 1e9 / a->o.scale));
}

void
app_cluster_fini(struct app *a)
{
	(void)a;
	if (side.nstash > 0)
		rte_pktmbuf_free_bulk(side.stash, side.nstash);
	side.nstash = 0;
	rte_pktmbuf_free(side.spare);
	side.spare = NULL;
	sw_cluster_free(side.c);
	side.c = NULL;
}

#else

int
app_cluster_init(struct app *a, char *err, size_t errlen)
{
	(void)a;
	snprintf(err, errlen, "this build has no emulated cluster (lib/cluster)");
	return -ENOTSUP;
}

unsigned int
app_cluster_poll(struct app *a, uint64_t now)
{
	(void)a;
	(void)now;
	return 0;
}

void
app_cluster_report(const struct app *a, void *obj)
{
	(void)a;
	(void)obj;
}

void
app_cluster_fini(struct app *a)
{
	(void)a;
}

#endif
