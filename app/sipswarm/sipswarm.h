/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipswarm: the generator. main.c (options, EAL, control loop), worker.c (ports and worker
 * lcores), report.c (progress, results, thresholds), cluster_side.c (the emulated cluster of
 * the embedded default).
 */
#ifndef SIPSWARM_H
#define SIPSWARM_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sw_config.h"
#include "sw_engine.h"
#include "sw_stats.h"

#define APP_MAX_WORKERS    16
#define APP_MAX_CONFIGS    16
#define APP_MAX_THRESHOLDS 16
#define APP_BURST          32
/* how many frames ahead a receive loop asks for the next frame's bytes */
#define APP_PREFETCH_AHEAD 4

/*
 * Ask for a received frame's bytes before they are read: a frame comes from the other core
 * (the pair's other end, or the NIC by DMA), so the first reader of each of its cache lines
 * waits for the transfer. perf of the full loop at 400,000/s put a quarter of the cluster
 * core in the checksum's loads, which are those first reads. The lines of a frame a few ahead
 * are requested here and arrive while the frames before it are handled.
 */
static inline void
app_prefetch_frame(const struct rte_mbuf *m)
{
	const char *p = rte_pktmbuf_mtod(m, const char *);

	for (uint32_t o = 0; o < m->data_len; o += RTE_CACHE_LINE_SIZE)
		rte_prefetch0(p + o);
}

/*
 * The first bytes of an mbuf about to be written (a frame of up to 640 bytes: a REGISTER, a
 * 401, a 200), asked for with intent to write: a recycled mbuf's lines were last held by the
 * other core, and each first store would wait for them otherwise.
 */
static inline void
app_prefetch_tx(const struct rte_mbuf *m)
{
	const char *p = rte_pktmbuf_mtod(m, const char *);

	/* GCC's builtin (PREFETCHW on x86): DPDK 22.11's rte_prefetch0_write is experimental */
	for (unsigned int o = 0; o < 640; o += RTE_CACHE_LINE_SIZE)
		__builtin_prefetch(p + o, 1, 3);
}

/* the headers (data_off, data_len) of a burst's mbufs, written by the other core too */
static inline void
app_prefetch_mbufs(struct rte_mbuf *const *m, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		rte_prefetch0(m[i]);
}

enum app_progress {
	PROGRESS_FULL,
	PROGRESS_COMPACT,
	PROGRESS_NONE
};

struct app_opts {
	const char *configs[APP_MAX_CONFIGS];
	unsigned int n_configs;
	uint32_t shard_k, shard_n;
	double duration_s;    /* 0: the profile's swarm.duration_s, else until SIGINT */
	double rate;          /* < 0: the profile's */
	double ramp_s;        /* < 0: the profile's */
	int avalanche;        /* -1: the profile's */
	double max_in_flight; /* < 0: the profile's */
	uint16_t port;
	uint32_t gateway;
	uint8_t gateway_mac[6];
	bool has_gateway_mac;
	bool udp_csum;
	bool csum_offload; /* use the port's IPv4/UDP checksum offload when it has one */
	const char *results;
	const char *csv;
	const char *html; /* --html: the results as a page (lib/report) */
	enum app_progress progress;
	struct sw_threshold thr[APP_MAX_THRESHOLDS];
	unsigned int n_thr;
	bool unregister;
	double drain_s;
	uint32_t max_lines;
	double bench_generate_s; /* > 0: generation benchmark for this long */
	bool pair;               /* in-memory port pair with the emulated cluster */
	const char *schedule;    /* cluster fault schedule file (pair mode) */
	const char *schedule_text;
	const char *cluster_realm;
	const char *cluster_password;
	double outage_from, outage_until; /* the fault window the report measures (-1: none) */
	unsigned int outage_server;       /* its server index (1-based in options) */
	bool demo;                        /* the embedded default */
	double scale;                     /* demo only: time compression (tests) */
};

/* One worker lcore. Written by the worker; read by the control core with relaxed loads. */
struct app_worker {
	unsigned int idx, lcore;
	uint16_t port, queue;
	struct rte_mempool *mp;
	struct sw_engine *e;
	struct rte_ring *fwd; /* responses other workers received for our lines */
	struct rte_mbuf *cur;
	struct rte_mbuf *stash[APP_BURST]; /* allocated in bulk, handed to io_alloc one by one */
	unsigned int nstash;
	struct rte_mbuf *tx[APP_BURST];
	unsigned int ntx;
	bool csum_offload; /* frames ask the port for their IPv4 and UDP checksums */
	bool rx_csum;      /* the port checks received frames' checksums (mbuf flags) */
	uint32_t stopping; /* lines a stop with unregistration has still to stop (worker writes) */
	uint64_t tx_full;  /* frames the TX queue did not take */
	uint64_t fwd_full; /* hand-overs dropped: ring full */
	uint64_t cycles_busy, cycles_total;
	uint64_t generated;
} __rte_cache_aligned;

struct app {
	struct app_opts o;
	struct sw_config *config;
	struct sw_engine_routes routes;
	struct sw_sip_token_key key;
	unsigned int n_workers;
	struct app_worker w[APP_MAX_WORKERS];
	uint64_t tsc_hz, tsc0, start_ns;
	uint64_t run_start; /* ns: time 0 of the run (the engines' start, the cluster's schedule) */
	double ns_per_tsc;
	uint16_t peer_port;   /* pair mode: the cluster's side */
	bool csum_offload;    /* the port computes IPv4 and UDP checksums (its driver offers it) */
	bool rx_csum_offload; /* the port checks received IPv4 and UDP checksums */
	/* re-resolution when TTLs end (control core): counts for the results */
	uint64_t dns_refreshes, dns_changes, dns_failures;
	/* memory stated at start and in the results: bytes */
	uint64_t mem_lines, mem_mbufs, mem_resident;
	/* the load as run (options over the profile), for the results */
	struct {
		double rate, ramp_s;
		bool avalanche;
		uint32_t max_in_flight; /* all workers, 0 = no limit */
	} load;
	char driver[32]; /* the port's driver */
	void *cluster;   /* pair mode: struct sw_cluster */
};

/* the clock: ns since the epoch chosen at start, from the TSC */
uint64_t app_now(const struct app *a);

/* worker.c */
int app_ports_init(struct app *a, char *err, size_t errlen);
int app_pair_create(struct app *a, unsigned int queues, char *err, size_t errlen);
int app_worker_main(void *arg);
void app_port_stats(const struct app *a, uint64_t *imissed, uint64_t *rx_nombuf, uint64_t *ierrors,
                    uint64_t *oerrors);
extern volatile int app_phase; /* 0 run, 1 stop (unregister/drain), 2 exit */

/* cluster_side.c (pair mode) */
int app_cluster_init(struct app *a, char *err, size_t errlen);
unsigned int app_cluster_poll(struct app *a, uint64_t now);
void app_cluster_report(const struct app *a, void *json_obj);
void app_cluster_fini(struct app *a);

/* report.c */
struct app_snapshot;
struct app_report;
struct app_report *app_report_new(const struct app *a);
void app_report_tick(struct app_report *r, const struct app *a, double t_s, bool final);
/* the failover report's 10 ms series: call every loop, it keeps its own time */
void app_report_sample(struct app_report *r, const struct app *a, double t_s);
int app_report_finish(struct app_report *r, const struct app *a, double elapsed_s,
                      const char *exit_reason);
int app_report_check_names(const struct app_opts *o, char *err, size_t errlen);
void app_report_free(struct app_report *r);
void app_telemetry_init(struct app_report *r);

#endif
