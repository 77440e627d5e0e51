/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports and worker lcores: one RX/TX queue pair per worker, RSS where the port has it (a
 * response that lands on another worker's queue is handed over through that worker's ring),
 * mbufs from a mempool on the port's NUMA socket, the line arrays on the worker's socket.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <numa.h>
#include <sys/mman.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sipswarm.h"

volatile int app_phase;

#define RX_DESC 1024
#define TX_DESC 1024

uint64_t
app_now(const struct app *a)
{
	return a->start_ns + (uint64_t)((double)(rte_rdtsc() - a->tsc0) * a->ns_per_tsc);
}

/* ---- the engine's io: mbufs ---- */

static uint8_t *
io_alloc(void *arg)
{
	struct app_worker *w = arg;

	/* from a stash refilled APP_BURST at a time: one trip to the mempool per burst */
	if (w->nstash == 0 && rte_pktmbuf_alloc_bulk(w->mp, w->stash, APP_BURST) == 0)
		w->nstash = APP_BURST;
	w->cur = w->nstash > 0 ? w->stash[--w->nstash] : rte_pktmbuf_alloc(w->mp);
	/* the next frame's mbuf, on its way while this one is written */
	if (w->nstash > 0)
		app_prefetch_tx(w->stash[w->nstash - 1]);
	return w->cur ? rte_pktmbuf_mtod(w->cur, uint8_t *) : NULL;
}

static void
io_flush(struct app_worker *w)
{
	if (w->ntx == 0)
		return;
	uint16_t sent = rte_eth_tx_burst(w->port, w->queue, w->tx, (uint16_t)w->ntx);

	if (sent < w->ntx) {
		__atomic_store_n(&w->tx_full, w->tx_full + (w->ntx - sent), __ATOMIC_RELAXED);
		rte_pktmbuf_free_bulk(w->tx + sent, w->ntx - sent);
	}
	w->ntx = 0;
}

static void
io_send(void *arg, uint8_t *frame, uint16_t len)
{
	struct app_worker *w = arg;
	struct rte_mbuf *m = w->cur;

	RTE_ASSERT(rte_pktmbuf_mtod(m, uint8_t *) == frame);
	(void)frame;
	m->data_len = len;
	m->pkt_len = len;
	if (w->csum_offload && frame[12] == 0x08 && frame[13] == 0x00) {
		/* IPv4/UDP written by sw_net_udp_write() with offload: the port sums both */
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;
		m->l2_len = SW_NET_ETH_LEN;
		m->l3_len = SW_NET_IP_LEN;
	}
	w->tx[w->ntx++] = m;
	w->cur = NULL;
	if (w->ntx == APP_BURST)
		io_flush(w);
}

static void
io_drop(void *arg, uint8_t *frame)
{
	struct app_worker *w = arg;

	(void)frame;
	rte_pktmbuf_free(w->cur);
	w->cur = NULL;
}

/* the line arrays: NUMA-local to the worker (libnuma), zeroed pages from mmap; without NUMA
 * support plain anonymous mmap, so that one munmap frees either */
static void *
numa_zalloc(size_t size, void *arg)
{
	int node = (int)(intptr_t)arg;
	void *p;

	if (numa_available() >= 0 && node >= 0) {
		p = numa_alloc_onnode(size, node);
	} else {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p = p == MAP_FAILED ? NULL : p;
	}
	/* transparent huge pages where the kernel gives them (THP "madvise" mode, Debian's
	 * default): a million lines are 740 MiB touched at random, 4 KiB pages would make most
	 * line accesses a TLB miss; advice only, so a refusal changes nothing */
	if (p != NULL && size >= (2u << 20))
		(void)madvise(p, size, MADV_HUGEPAGE);
	/* fault every page in now, at start: first touches in the hot path cost the kernel's
	 * page zeroing there (perf: clear_page_erms at 8 % of a worker ramping up a million
	 * lines, the full-loop benchmark's first seconds) */
	for (size_t o = 0; p != NULL && o < size; o += 4096)
		((volatile char *)p)[o] = 0;
	return p;
}

static void
numa_free_(void *p, size_t size, void *arg)
{
	(void)arg;
	munmap(p, size);
}

/* ---- ports ---- */

static int
port_setup(struct app *a, uint16_t port, unsigned int queues, struct rte_mempool *mp, char *err,
           size_t errlen)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc < 0) {
		snprintf(err, errlen, "port %u: cannot get device info: %s", port, strerror(-rc));
		return rc;
	}
	if (info.max_rx_queues < queues || info.max_tx_queues < queues) {
		snprintf(err, errlen,
		         "port %u (%s) has %u RX / %u TX queues; %u workers need one pair each "
		         "(use fewer lcores)",
		         port, info.driver_name, info.max_rx_queues, info.max_tx_queues, queues);
		return -EINVAL;
	}
	const uint64_t csum = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;

	const uint64_t rx_csum = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;

	if (port == a->o.port) {
		snprintf(a->driver, sizeof(a->driver), "%s", info.driver_name);
		a->csum_offload = a->o.csum_offload && (info.tx_offload_capa & csum) == csum;
		if (a->csum_offload)
			conf.txmode.offloads |= csum;
		/* received frames' checksums checked by the port where it can: the workers then
		 * take its verdict from each mbuf instead of summing the frame again */
		a->rx_csum_offload =
		        a->o.csum_offload && (info.rx_offload_capa & rx_csum) == rx_csum;
		if (a->rx_csum_offload)
			conf.rxmode.offloads |= rx_csum;
	}
	if (queues > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_IP)) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads & RTE_ETH_RSS_IP;
	}
	rc = rte_eth_dev_configure(port, (uint16_t)queues, (uint16_t)queues, &conf);
	if (rc < 0) {
		snprintf(err, errlen, "port %u: configure: %s", port, strerror(-rc));
		return rc;
	}
	uint16_t rxd = RX_DESC, txd = TX_DESC;

	rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	for (unsigned int q = 0; q < queues; q++) {
		rc = rte_eth_rx_queue_setup(port, (uint16_t)q, rxd, rte_eth_dev_socket_id(port),
		                            NULL, mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, (uint16_t)q, txd,
			                            rte_eth_dev_socket_id(port), NULL);
		if (rc < 0) {
			snprintf(err, errlen, "port %u queue %u: setup: %s", port, q,
			         strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port);
	if (rc < 0) {
		snprintf(err, errlen, "port %u: start: %s", port, strerror(-rc));
		return rc;
	}
	rte_eth_promiscuous_enable(port); /* phone addresses share the port's MAC; harmless */
	return 0;
}

int
app_pair_create(struct app *a, unsigned int queues, char *err, size_t errlen)
{
	struct rte_ring *ab[APP_MAX_WORKERS], *ba[APP_MAX_WORKERS];
	char name[32];

	for (unsigned int q = 0; q < queues; q++) {
		snprintf(name, sizeof(name), "sw_ab%u", q);
		ab[q] = rte_ring_create(name, 4096, (int)rte_socket_id(),
		                        RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "sw_ba%u", q);
		ba[q] = rte_ring_create(name, 4096, (int)rte_socket_id(),
		                        RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (ab[q] == NULL || ba[q] == NULL) {
			snprintf(err, errlen, "cannot create the in-memory port pair's rings: %s",
			         rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	/* generator side: receives what the cluster sends (ba), sends into ab */
	int p0 = rte_eth_from_rings("sw_gen", ba, queues, ab, queues, (unsigned)rte_socket_id());
	/* cluster side: the other way round */
	int p1 =
	        rte_eth_from_rings("sw_cluster", ab, queues, ba, queues, (unsigned)rte_socket_id());

	if (p0 < 0 || p1 < 0) {
		snprintf(err, errlen, "cannot create the in-memory port pair: %s",
		         rte_strerror(rte_errno));
		return -ENODEV;
	}
	a->o.port = (uint16_t)p0;
	a->peer_port = (uint16_t)p1;
	return 0;
}

int
app_ports_init(struct app *a, char *err, size_t errlen)
{
	unsigned int nmbuf = 8192 * (a->n_workers + (a->o.pair ? 1 : 0)) + 4096;
	struct rte_mempool *mp;

	if (!rte_eth_dev_is_valid_port(a->o.port)) {
		snprintf(err, errlen,
		         "no DPDK port %u (%u available): give one with EAL arguments, e.g. "
		         "--vdev=net_null0 or -a 0000:01:00.0 (see dpdk-conf/)",
		         a->o.port, rte_eth_dev_count_avail());
		return -ENODEV;
	}
	mp = rte_pktmbuf_pool_create("sw_mbufs", nmbuf, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                             rte_eth_dev_socket_id(a->o.port));
	if (mp == NULL) {
		snprintf(err, errlen,
		         "cannot create a pool of %u mbufs: %s (give EAL more memory: -m 1024, or "
		         "hugepages)",
		         nmbuf, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	int rc = port_setup(a, a->o.port, a->n_workers, mp, err, errlen);

	if (rc < 0)
		return rc;
	if (a->o.pair) {
		rc = port_setup(a, a->peer_port, a->n_workers, mp, err, errlen);
		if (rc < 0)
			return rc;
	}
	for (unsigned int k = 0; k < a->n_workers; k++) {
		char name[32];

		a->w[k].mp = mp;
		a->w[k].port = a->o.port;
		a->w[k].queue = (uint16_t)k;
		a->w[k].csum_offload = a->csum_offload;
		a->w[k].rx_csum = a->rx_csum_offload;
		snprintf(name, sizeof(name), "sw_fwd%u", k);
		a->w[k].fwd = rte_ring_create(name, 4096, rte_eth_dev_socket_id(a->o.port),
		                              RING_F_SC_DEQ);
		if (a->w[k].fwd == NULL) {
			snprintf(err, errlen, "cannot create ring %s", name);
			return -ENOMEM;
		}
	}
	return 0;
}

void
app_port_stats(const struct app *a, uint64_t *imissed, uint64_t *rx_nombuf, uint64_t *ierrors,
               uint64_t *oerrors)
{
	struct rte_eth_stats st;

	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(a->o.port, &st);
	*imissed = st.imissed;
	*rx_nombuf = st.rx_nombuf;
	*ierrors = st.ierrors;
	*oerrors = st.oerrors;
}

/* ---- the worker loop ---- */

/* what the port found of a frame's checksums (enum sw_net_rx_csum); 0 without RX offload or
 * where it could not tell (unknown, or no checksum), and the worker then sums itself */
static inline unsigned int
rx_csum_flags(const struct rte_mbuf *m)
{
	uint64_t ip = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK,
	         l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;

	return (ip == RTE_MBUF_F_RX_IP_CKSUM_GOOD  ? SW_NET_RX_IP_GOOD
	        : ip == RTE_MBUF_F_RX_IP_CKSUM_BAD ? SW_NET_RX_IP_BAD
	                                           : 0) |
	       (l4 == RTE_MBUF_F_RX_L4_CKSUM_GOOD  ? SW_NET_RX_L4_GOOD
	        : l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD ? SW_NET_RX_L4_BAD
	                                           : 0);
}

/* one received frame; false when it went to the worker that owns it (the caller keeps and
 * frees the others, in bulk) */
static bool
handle(struct app *a, struct app_worker *w, uint64_t now, struct rte_mbuf *m)
{
	int owner = sw_engine_rx_hw(w->e, now, rte_pktmbuf_mtod(m, const uint8_t *),
	                            rte_pktmbuf_data_len(m), w->rx_csum ? rx_csum_flags(m) : 0);

	if (owner >= 0 && (unsigned int)owner < a->n_workers && (unsigned int)owner != w->idx) {
		if (rte_ring_mp_enqueue(a->w[owner].fwd, m) == 0)
			return false;
		__atomic_store_n(&w->fwd_full, w->fwd_full + 1, __ATOMIC_RELAXED);
	}
	return true;
}

int
app_worker_main(void *arg)
{
	struct app_worker *w = arg;
	struct app *a = (struct app *)((char *)(w - w->idx) - offsetof(struct app, w));
	struct rte_mbuf *pkts[APP_BURST];
	bool stopped = false;
	/* one TSC read per iteration: its end is the next one's start (RDTSC costs ~13 ns on
	 * this VM, and an idle worker iterates millions of times a second) */
	uint64_t t0 = rte_rdtsc();

	while (__atomic_load_n(&app_phase, __ATOMIC_ACQUIRE) < 2) {
		uint64_t now = a->start_ns + (uint64_t)((double)(t0 - a->tsc0) * a->ns_per_tsc);
		unsigned int work = 0;

		if (a->o.bench_generate_s > 0) {
			/* generation only: sign and send as fast as the core can */
			unsigned int n = sw_engine_generate(w->e, now, APP_BURST);

			w->generated += n;
			work = n;
		} else {
			if (!stopped && __atomic_load_n(&app_phase, __ATOMIC_ACQUIRE) == 1) {
				sw_engine_stop(w->e, now, a->o.unregister);
				__atomic_store_n(&w->stopping, sw_engine_stopping(w->e),
				                 __ATOMIC_RELAXED);
				stopped = true;
			}
			uint16_t n = rte_eth_rx_burst(w->port, w->queue, pkts, APP_BURST);
			unsigned int nfree = 0;

			/* the frames handled here go back to the pool together (one
			 * rte_pktmbuf_free per frame before) */
			app_prefetch_mbufs(pkts, n);
			for (uint16_t i = 0; i < n && i < APP_PREFETCH_AHEAD; i++)
				app_prefetch_frame(pkts[i]);
			for (uint16_t i = 0; i < n; i++) {
				if (i + APP_PREFETCH_AHEAD < n)
					app_prefetch_frame(pkts[i + APP_PREFETCH_AHEAD]);
				if (handle(a, w, now, pkts[i]))
					pkts[nfree++] = pkts[i];
			}
			if (nfree > 0)
				rte_pktmbuf_free_bulk(pkts, nfree);
			work += n;
			unsigned int f =
			        rte_ring_sc_dequeue_burst(w->fwd, (void **)pkts, APP_BURST, NULL);

			for (unsigned int i = 0; i < f; i++)
				sw_engine_rx_hw(w->e, now,
				                rte_pktmbuf_mtod(pkts[i], const uint8_t *),
				                rte_pktmbuf_data_len(pkts[i]),
				                w->rx_csum ? rx_csum_flags(pkts[i]) : 0);
			if (f > 0)
				rte_pktmbuf_free_bulk(pkts, f);
			work += f;
			work += sw_engine_poll(w->e, now, 256);
			if (stopped)
				__atomic_store_n(&w->stopping, sw_engine_stopping(w->e),
				                 __ATOMIC_RELAXED);
		}
		io_flush(w);
		uint64_t t1 = rte_rdtsc(), dt = t1 - t0;

		t0 = t1;
		__atomic_store_n(&w->cycles_total, w->cycles_total + dt, __ATOMIC_RELAXED);
		if (work)
			__atomic_store_n(&w->cycles_busy, w->cycles_busy + dt, __ATOMIC_RELAXED);
	}
	io_flush(w);
	if (w->nstash > 0)
		rte_pktmbuf_free_bulk(w->stash, w->nstash);
	w->nstash = 0;
	return 0;
}

/* exported for main.c: engine io for worker w */
void app_worker_io(struct app_worker *w, struct sw_engine_io *io);
void
app_worker_io(struct app_worker *w, struct sw_engine_io *io)
{
	io->alloc = io_alloc;
	io->send = io_send;
	io->drop = io_drop;
	io->arg = w;
}

void *app_numa_zalloc(size_t size, void *arg);
void app_numa_free(void *p, size_t size, void *arg);
void *
app_numa_zalloc(size_t size, void *arg)
{
	return numa_zalloc(size, arg);
}
void
app_numa_free(void *p, size_t size, void *arg)
{
	numa_free_(p, size, arg);
}
