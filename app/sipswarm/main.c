/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipswarm [EAL args] -- [options]: options, EAL and ports, routes (lib/dns), one engine per
 * worker lcore, the control loop (progress once a second, stop on duration or signal, drain),
 * then results. Every user error is one line on stderr and exit status 2.
 */
#include <errno.h>
#include <getopt.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "demo.h"
#include "sipswarm.h"
#include "sw_dns_query.h"

void app_worker_io(struct app_worker *w, struct sw_engine_io *io);
void *app_numa_zalloc(size_t size, void *arg);
void app_numa_free(void *p, size_t size, void *arg);

static volatile sig_atomic_t got_signal, n_signals;
static struct app app;

static void
on_signal(int sig)
{
	got_signal = sig;
	n_signals++;
}

static void
remove_runtime_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISSOCK(st.st_mode))
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	(void)rmdir(dir);
}

static const char usage[] =
        "usage: sipswarm [EAL arguments --] [options]\n"
        "\n"
        "Emulates many Yealink phone lines (digest REGISTER, refresh, failover, fallback,\n"
        "failback) from DPDK worker cores against a SIP server cluster, and measures what the\n"
        "cluster did to them.\n"
        "\n"
        "With no arguments at all it runs the embedded default: 10,000 lines against an\n"
        "emulated cluster on an in-memory port pair, the primary silent from t=20 s to 60 s,\n"
        "90 s, then a failover report (see --print-demo).\n"
        "\n"
        "EAL arguments come first, as with dpdk-testpmd (see dpdk-conf/ for sets that work:\n"
        "net_null, net_ring/memif, af_packet/af_xdp on a veth, a PCI NIC). Without them:\n"
        "--no-huge -m 1024 --no-pci --no-shconf and every CPU as an lcore. The main lcore is\n"
        "the control core; every other lcore runs one worker with its own RX/TX queue pair.\n"
        "\n"
        "options:\n"
        "  -c, --config FILE       Yealink .cfg / load profile; repeat to layer (later wins)\n"
        "      --shard K/N         this instance runs phones K, K+N, ... (0 <= K < N)\n"
        "  -d, --duration S        stop after S seconds (default: swarm.duration_s, 0 = until\n"
        "                          SIGINT/SIGTERM)\n"
        "      --rate N            lines started per second, all workers (default:\n"
        "                          swarm.register_rate; 0 = all at once)\n"
        "      --ramp S            the rate rises linearly from 0 over S s (swarm.ramp_s)\n"
        "      --avalanche         start every line at once (a site power cut)\n"
        "      --max-in-flight N   a closed loop: no line starts while N transactions are\n"
        "                          in flight (all workers; swarm.max_in_flight; 0 = no\n"
        "                          limit); with --rate 0, lines start as fast as the\n"
        "                          servers answer\n"
        "      --port N            DPDK port id (default 0)\n"
        "      --gateway IP        next hop for every server (default: servers are on-link)\n"
        "      --gateway-mac MAC   its MAC (default: ARP)\n"
        "      --no-udp-checksum   send UDP checksum 0 (RFC 768 allows it over IPv4)\n"
        "      --no-csum-offload   compute and check checksums on the workers even when the\n"
        "                          port offers IPv4/UDP checksum offload, TX and RX (used by\n"
        "                          default)\n"
        "      --dns IP[:PORT],..  resolve servers by DNS (after the static cache, or before\n"
        "                          it with static_cache_pri = 1); default: static cache only\n"
        "  -o, --results FILE      results JSON (written atomically; sipswarm-tool report\n"
        "                          html makes a page of it, report merge joins shards)\n"
        "      --csv FILE          the per-second time series as CSV\n"
        "      --html FILE         the results as one page with charts (no script)\n"
        "      --progress MODE     full (default), compact (one line a second), none\n"
        "      --threshold EXPR    NAME<VALUE or NAME>VALUE, units s ms us % (repeat); exit 1\n"
        "                          when one is breached; names: register_success, rtt_p99,\n"
        "                          unregistered_p99, timeouts, drops, ... (see README)\n"
        "      --unregister        at stop, send REGISTER Expires: 0 where registered, at\n"
        "                          the start rate (--rate)\n"
        "      --drain S           at stop, wait up to S s for transactions in flight (5;\n"
        "                          after the last unregistration; a second SIGINT: now)\n"
        "      --max-lines N       at most N lines per worker\n"
        "      --bench-generate S  benchmark: S seconds of authenticated REGISTERs (fresh\n"
        "                          digest each) as fast as each worker can, no answers;\n"
        "                          prints the rate and the best/median/worst second\n"
        "      --pair              run against the emulated cluster on an in-memory port pair\n"
        "      --schedule FILE     the emulated cluster's faults (lines 'at 20 until 60 server\n"
        "                          1 silent'; also 503 retry_after N, delay MS, reject_auth,\n"
        "                          capacity N)\n"
        "      --cluster-realm R   its digest realm (default sipswarm.test)\n"
        "      --cluster-password RULE  its password rule, {user} = the username (pw{user})\n"
        "      --outage A-B[@S]    the failover report's window: server S (1-based, in the\n"
        "                          order printed at start; default 1) failed from A to B s\n"
        "      --time-scale X      emulated cluster only: run the clock X times faster\n"
        "      --print-demo        print the embedded default's configuration and schedule\n"
        "  -h, --help              this text\n"
        "\n"
        "Exit status: 0 done, 1 a threshold was breached, 2 bad usage, configuration or\n"
        "set-up, 3 the counters did not add up (a sipswarm bug).\n";

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "sipswarm: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return 2;
}

static int
parse_double(const char *opt, const char *v, double lo, double hi, double *out)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || *end != '\0' || !(d >= lo && d <= hi)) {
		fprintf(stderr, "sipswarm: %s %s: expected a number from %g to %g\n", opt, v, lo,
		        hi);
		return -1;
	}
	*out = d;
	return 0;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *p = realloc(buf, cap);

			if (p == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		size_t r = fread(buf + n, 1, 4096, f);

		n += r;
		if (r < 4096)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

enum {
	O_SHARD = 256,
	O_RATE,
	O_RAMP,
	O_AVALANCHE,
	O_MAX_IN_FLIGHT,
	O_PORT,
	O_GATEWAY,
	O_GATEWAY_MAC,
	O_NO_CSUM,
	O_NO_OFFLOAD,
	O_DNS,
	O_CSV,
	O_HTML,
	O_PROGRESS,
	O_THRESHOLD,
	O_UNREGISTER,
	O_DRAIN,
	O_MAX_LINES,
	O_BENCH,
	O_PAIR,
	O_SCHEDULE,
	O_REALM,
	O_PASSWORD,
	O_OUTAGE,
	O_SCALE,
	O_PRINT_DEMO,
};

static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"shard", required_argument, NULL, O_SHARD},
        {"duration", required_argument, NULL, 'd'},
        {"rate", required_argument, NULL, O_RATE},
        {"ramp", required_argument, NULL, O_RAMP},
        {"avalanche", no_argument, NULL, O_AVALANCHE},
        {"max-in-flight", required_argument, NULL, O_MAX_IN_FLIGHT},
        {"port", required_argument, NULL, O_PORT},
        {"gateway", required_argument, NULL, O_GATEWAY},
        {"gateway-mac", required_argument, NULL, O_GATEWAY_MAC},
        {"no-udp-checksum", no_argument, NULL, O_NO_CSUM},
        {"no-csum-offload", no_argument, NULL, O_NO_OFFLOAD},
        {"dns", required_argument, NULL, O_DNS},
        {"results", required_argument, NULL, 'o'},
        {"csv", required_argument, NULL, O_CSV},
        {"html", required_argument, NULL, O_HTML},
        {"progress", required_argument, NULL, O_PROGRESS},
        {"threshold", required_argument, NULL, O_THRESHOLD},
        {"unregister", no_argument, NULL, O_UNREGISTER},
        {"drain", required_argument, NULL, O_DRAIN},
        {"max-lines", required_argument, NULL, O_MAX_LINES},
        {"bench-generate", required_argument, NULL, O_BENCH},
        {"pair", no_argument, NULL, O_PAIR},
        {"schedule", required_argument, NULL, O_SCHEDULE},
        {"cluster-realm", required_argument, NULL, O_REALM},
        {"cluster-password", required_argument, NULL, O_PASSWORD},
        {"outage", required_argument, NULL, O_OUTAGE},
        {"time-scale", required_argument, NULL, O_SCALE},
        {"print-demo", no_argument, NULL, O_PRINT_DEMO},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

static const char *dns_servers;

static int
parse_options(struct app_opts *o, int argc, char **argv)
{
	int c;
	double d;

	o->shard_n = 1;
	o->rate = o->ramp_s = o->max_in_flight = -1;
	o->avalanche = -1;
	o->udp_csum = true;
	o->csum_offload = true;
	o->drain_s = 5;
	o->scale = 1;
	o->outage_from = o->outage_until = -1;
	o->outage_server = 1;
	o->cluster_realm = "sipswarm.test";
	o->cluster_password = "pw{user}";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:d:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (o->n_configs == APP_MAX_CONFIGS)
				return fail("at most %s%s --config files", "16", "");
			o->configs[o->n_configs++] = optarg;
			break;
		case O_SHARD: {
			unsigned int k, n;
			char end;

			if (sscanf(optarg, "%u/%u%c", &k, &n, &end) != 2 || n == 0 || k >= n)
				return fail("--shard %s: expected K/N with 0 <= K < N%s", optarg,
				            "");
			o->shard_k = k;
			o->shard_n = n;
			break;
		}
		case 'd':
			if (parse_double("--duration", optarg, 0, 31536000, &o->duration_s) < 0)
				return 2;
			break;
		case O_RATE:
			if (parse_double("--rate", optarg, 0, 1e9, &o->rate) < 0)
				return 2;
			break;
		case O_RAMP:
			if (parse_double("--ramp", optarg, 0, 86400, &o->ramp_s) < 0)
				return 2;
			break;
		case O_AVALANCHE:
			o->avalanche = 1;
			break;
		case O_MAX_IN_FLIGHT:
			if (parse_double("--max-in-flight", optarg, 0, 1e8, &o->max_in_flight) < 0)
				return 2;
			break;
		case O_PORT:
			if (parse_double("--port", optarg, 0, RTE_MAX_ETHPORTS - 1, &d) < 0)
				return 2;
			o->port = (uint16_t)d;
			break;
		case O_GATEWAY:
			if (sw_net_parse_ip(optarg, &o->gateway) < 0)
				return fail("--gateway %s: expected an IPv4 address%s", optarg, "");
			break;
		case O_GATEWAY_MAC:
			if (sw_net_parse_mac(optarg, o->gateway_mac) < 0)
				return fail("--gateway-mac %s: expected aa:bb:cc:dd:ee:ff%s",
				            optarg, "");
			o->has_gateway_mac = true;
			break;
		case O_NO_CSUM:
			o->udp_csum = false;
			o->csum_offload = false; /* no UDP checksum at all, not the port's */
			break;
		case O_NO_OFFLOAD:
			o->csum_offload = false;
			break;
		case O_DNS:
			dns_servers = optarg;
			break;
		case 'o':
			o->results = optarg;
			break;
		case O_HTML:
			o->html = optarg;
			break;
		case O_CSV:
			o->csv = optarg;
			break;
		case O_PROGRESS:
			if (strcmp(optarg, "full") == 0)
				o->progress = PROGRESS_FULL;
			else if (strcmp(optarg, "compact") == 0)
				o->progress = PROGRESS_COMPACT;
			else if (strcmp(optarg, "none") == 0)
				o->progress = PROGRESS_NONE;
			else
				return fail("--progress %s: expected full, compact or none%s",
				            optarg, "");
			break;
		case O_THRESHOLD: {
			char err[200];

			if (o->n_thr == APP_MAX_THRESHOLDS)
				return fail("at most %s%s --threshold options", "16", "");
			if (sw_threshold_parse(&o->thr[o->n_thr], optarg, err, sizeof(err)) < 0)
				return fail("%s%s", err, "");
			o->n_thr++;
			break;
		}
		case O_UNREGISTER:
			o->unregister = true;
			break;
		case O_DRAIN:
			if (parse_double("--drain", optarg, 0, 3600, &o->drain_s) < 0)
				return 2;
			break;
		case O_MAX_LINES:
			if (parse_double("--max-lines", optarg, 1, 1e9, &d) < 0)
				return 2;
			o->max_lines = (uint32_t)d;
			break;
		case O_BENCH:
			if (parse_double("--bench-generate", optarg, 0.1, 3600,
			                 &o->bench_generate_s) < 0)
				return 2;
			break;
		case O_PAIR:
			o->pair = true;
			break;
		case O_SCHEDULE:
			o->schedule = optarg;
			break;
		case O_REALM:
			o->cluster_realm = optarg;
			break;
		case O_PASSWORD:
			o->cluster_password = optarg;
			break;
		case O_OUTAGE: {
			double a, b;
			unsigned int s = 1;
			int n = sscanf(optarg, "%lf-%lf@%u", &a, &b, &s);

			if (n < 2 || a < 0 || b <= a || s == 0)
				return fail(
				        "--outage %s: expected FROM-UNTIL[@SERVER] in seconds%s",
				        optarg, "");
			o->outage_from = a;
			o->outage_until = b;
			o->outage_server = s;
			break;
		}
		case O_SCALE:
			if (parse_double("--time-scale", optarg, 0.01, 1000, &o->scale) < 0)
				return 2;
			break;
		case O_PRINT_DEMO:
			printf("%s\n# cluster schedule\n%s", sw_demo_config, sw_demo_schedule);
			exit(0);
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case ':':
			return fail("option %s needs a value (see --help)%s", argv[optind - 1], "");
		default:
			return fail("unknown option %s (see --help)%s", argv[optind - 1], "");
		}
	}
	if (optind < argc)
		return fail("unexpected argument '%s' (options come after '--'; see --help)%s",
		            argv[optind], "");
	if (o->scale != 1 && !o->pair && o->n_configs > 0)
		return fail("--time-scale needs the emulated cluster (--pair)%s%s", "", "");
	return 0;
}

/* the first "at A until B server S silent" of a schedule: the report's window */
static void
outage_from_schedule(struct app_opts *o, const char *text)
{
	const char *p = text;

	while (p && *p) {
		double a, b;
		unsigned int s;
		char kind[32];

		if (sscanf(p, " at %lf until %lf server %u %31s", &a, &b, &s, kind) == 4 &&
		    strcmp(kind, "silent") == 0) {
			o->outage_from = a;
			o->outage_until = b;
			o->outage_server = s;
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

int app_report_fault(const struct app *a, double *from, double *until, unsigned int *sid);
int
app_report_fault(const struct app *a, double *from, double *until, unsigned int *sid)
{
	if (a->o.outage_from < 0 || a->o.outage_server > a->routes.n_servers)
		return -ENOENT;
	*from = a->o.outage_from;
	*until = a->o.outage_until;
	*sid = a->o.outage_server - 1;
	return 0;
}

/* resolve the next hops by ARP before traffic, so that no line's first request is lost to it
 * (the control core uses queue 0; in pair mode it answers for the cluster meanwhile) */
static void
resolve_neighbours(struct app *a, struct sw_net_neigh_table *t, const struct rte_ether_addr *mac)
{
	struct sw_net_neigh_table want = {0};
	const struct sw_profile *prof = sw_config_profile(a->config);

	if (a->o.gateway) {
		struct sw_net_neigh *e = sw_net_neigh_get(&want, a->o.gateway);

		if (a->o.has_gateway_mac && e) {
			memcpy(e->mac, a->o.gateway_mac, 6);
			e->known = 1;
		}
	} else {
		for (unsigned int k = 0; k < a->routes.n_servers; k++)
			sw_net_neigh_get(&want, a->routes.server[k].ip);
	}
	uint64_t deadline = rte_get_tsc_cycles() + 3 * rte_get_tsc_hz();
	uint64_t next_ask = 0;

	for (;;) {
		bool all = true;

		for (unsigned int i = 0; i < want.n; i++)
			all &= want.e[i].known;
		if (all || rte_get_tsc_cycles() > deadline)
			break;
		if (rte_get_tsc_cycles() >= next_ask) {
			for (unsigned int i = 0; i < want.n; i++) {
				struct rte_mbuf *m;

				if (want.e[i].known || (m = rte_pktmbuf_alloc(a->w[0].mp)) == NULL)
					continue;
				m->data_len = m->pkt_len = (uint32_t)sw_net_arp_write(
				        rte_pktmbuf_mtod(m, uint8_t *), 1, mac->addr_bytes,
				        prof->src_ip, NULL, want.e[i].ip);
				if (rte_eth_tx_burst(a->o.port, 0, &m, 1) == 0)
					rte_pktmbuf_free(m);
			}
			next_ask = rte_get_tsc_cycles() + rte_get_tsc_hz() / 2;
		}
		if (a->o.pair)
			app_cluster_poll(a, app_now(a));
		struct rte_mbuf *pk[APP_BURST];

		for (uint16_t q = 0; q < a->n_workers; q++) {
			uint16_t n = rte_eth_rx_burst(a->o.port, q, pk, APP_BURST);

			for (uint16_t i = 0; i < n; i++) {
				struct sw_net_pkt p;

				if (sw_net_classify(rte_pktmbuf_mtod(pk[i], uint8_t *),
				                    rte_pktmbuf_data_len(pk[i]),
				                    &p) == SW_NET_K_ARP_REPLY)
					sw_net_neigh_learn(&want, p.src_ip, p.src_mac);
				rte_pktmbuf_free(pk[i]);
			}
		}
		rte_delay_us_sleep(1000);
	}
	for (unsigned int i = 0; i < want.n; i++) {
		char ip[16];

		if (!want.e[i].known)
			printf("sipswarm: no ARP answer from %s yet; lines will ask again\n",
			       sw_net_ip_str(want.e[i].ip, ip));
	}
	*t = want;
}

/* a re-resolution on a control thread, so that a slow or dead DNS server delays neither the
 * progress lines nor the emulated cluster polled by the control core */
struct resolver {
	const struct sw_config *config;
	const struct sw_dns_source *src;
	const struct sw_engine_routes *cur;
	struct sw_engine_routes *next;
	uint64_t now;
	bool changed, running;
	int rc;
	char err[256];
	atomic_bool done;
	pthread_t th;
};

static void *
resolver_main(void *arg)
{
	struct resolver *r = arg;

	r->rc = sw_engine_routes_rebuild(r->next, r->cur, r->config, r->src, r->now, &r->changed,
	                                 r->err, sizeof(r->err));
	atomic_store_explicit(&r->done, true, memory_order_release);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct app *a = &app;
	int split = -1;
	char err[512];
	char *eal_argv[32];
	int eal_argc = 0;
	char prefix[64], lcores[64];
	char *sched_buf = NULL;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			split = i;
			break;
		}
	/* options first: --help and bad options never need EAL */
	char **oargv = split >= 0 ? argv + split : argv;
	int oargc = split >= 0 ? argc - split : argc;
	int rc = parse_options(&a->o, oargc, oargv);

	if (rc)
		return rc;
	if (a->o.n_configs == 0 && a->o.bench_generate_s <= 0) {
		a->o.demo = true;
		a->o.pair = true;
		if (a->o.schedule == NULL)
			a->o.schedule_text = sw_demo_schedule;
	}
	if (a->o.schedule != NULL) {
		if (!a->o.pair)
			return fail("--schedule %s needs the emulated cluster (--pair)%s",
			            a->o.schedule, "");
		sched_buf = read_file(a->o.schedule);
		if (sched_buf == NULL)
			return fail("--schedule %s: %s", a->o.schedule, strerror(errno));
		a->o.schedule_text = sched_buf;
	}
	if (a->o.schedule_text != NULL && a->o.outage_from < 0)
		outage_from_schedule(&a->o, a->o.schedule_text);
	if (app_report_check_names(&a->o, err, sizeof(err)) < 0)
		return fail("%s%s", err, "");

	/* the configuration */
	a->config = sw_config_new();
	if (a->config == NULL)
		return fail("out of memory%s%s", "", "");
	if (a->o.demo) {
		if (sw_config_parse(a->config, "<embedded default>", sw_demo_config,
		                    strlen(sw_demo_config)) < 0)
			return fail("%s%s", sw_config_error(a->config)->msg, "");
	}
	for (unsigned int i = 0; i < a->o.n_configs; i++)
		if (sw_config_load_file(a->config, a->o.configs[i]) < 0) {
			const struct sw_config_diag *d = sw_config_error(a->config);

			return fail("%s%s", d ? d->msg : a->o.configs[i], d ? "" : ": cannot read");
		}
	if (sw_config_finish(a->config) < 0)
		return fail("%s%s", sw_config_error(a->config)->msg, "");
	unsigned int nwarn;
	const struct sw_config_diag *warn = sw_config_warnings(a->config, &nwarn);

	for (unsigned int i = 0; i < nwarn; i++)
		fprintf(stderr, "sipswarm: warning: %s\n", warn[i].msg);

	/* EAL */
	eal_argv[eal_argc++] = argv[0];
	if (split >= 0) {
		bool shconf = true, huge_kept = true;

		for (int i = 1; i < split && eal_argc < 30; i++) {
			eal_argv[eal_argc++] = argv[i];
			shconf &= strcmp(argv[i], "--no-shconf") != 0 &&
			          strcmp(argv[i], "--in-memory") != 0;
			huge_kept &= strcmp(argv[i], "--no-huge") != 0 &&
			             strcmp(argv[i], "--in-memory") != 0 &&
			             strncmp(argv[i], "--huge-unlink", 13) != 0;
		}
		/* hugepage files outlive a --no-shconf process (DPDK 22.11 leaves them in the
		 * hugetlbfs mount at exit: 1,024 files, 2 GiB, per run of scripts/bench's loop, so
		 * the next run found the pages taken); no other process can attach to this one, so
		 * unlinking them once mapped loses nothing, and a crash leaves nothing behind */
		static char huge_unlink[] = "--huge-unlink";

		if (!shconf && huge_kept)
			eal_argv[eal_argc++] = huge_unlink;
	} else {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		snprintf(prefix, sizeof(prefix), "--file-prefix=sipswarm%d", (int)getpid());
		if (ncpu >= 2)
			snprintf(lcores, sizeof(lcores), "-l0-%ld", ncpu > 16 ? 16 : ncpu - 1);
		else
			snprintf(lcores, sizeof(lcores), "--lcores=0@0,1@0");
		/* --no-shconf: a single primary process keeps nothing in /var/run/dpdk (without it
		 * every run left a 12 MiB fbarray file there, in RAM); telemetry still answers */
		static char no_huge[] = "--no-huge", mem[] = "-m1024", no_pci[] = "--no-pci",
		            log[] = "--log-level=warning", no_shconf[] = "--no-shconf";

		eal_argv[eal_argc++] = no_huge;
		eal_argv[eal_argc++] = no_shconf;
		eal_argv[eal_argc++] = mem;
		eal_argv[eal_argc++] = no_pci;
		eal_argv[eal_argc++] = log;
		eal_argv[eal_argc++] = prefix;
		eal_argv[eal_argc++] = lcores;
		a->o.pair = true; /* no port given: only the in-memory pair exists */
	}
	eal_argv[eal_argc] = NULL;
	if (rte_eal_init(eal_argc, eal_argv) < 0)
		return fail("EAL initialisation failed: %s (check the EAL arguments; see "
		            "dpdk-conf/)%s",
		            rte_strerror(rte_errno), "");
	a->n_workers = rte_lcore_count() - 1;
	if (a->n_workers == 0)
		return fail("one lcore only: give at least two (-l 0-1): the main lcore is the "
		            "control core, the others run workers%s%s",
		            "", "");
	if (a->n_workers > APP_MAX_WORKERS)
		a->n_workers = APP_MAX_WORKERS;
	a->tsc_hz = rte_get_tsc_hz();
	a->ns_per_tsc = 1e9 / (double)a->tsc_hz * a->o.scale;
	a->tsc0 = rte_rdtsc();
	a->start_ns = 0;

	if (a->o.pair && app_pair_create(a, a->n_workers, err, sizeof(err)) < 0)
		return fail("%s%s", err, "");
	if (app_ports_init(a, err, sizeof(err)) < 0)
		return fail("%s%s", err, "");

	/* routes: the static cache, and DNS when asked */
	struct sw_dns_source stat_src, dns_src, src;
	struct sw_dns_chain chain;
	struct sw_dns_client *dc = NULL;

	sw_dns_static_source(&stat_src, sw_config_dns_cache(a->config));
	src = stat_src;
	if (dns_servers != NULL) {
		dc = sw_dns_client_new(dns_servers, 1000, 2);
		if (dc == NULL)
			return fail("--dns %s: expected IPv4[:port][,...]%s", dns_servers, "");
		sw_dns_client_source(&dns_src, dc);
		const struct sw_account_cfg *a1 = sw_config_account(a->config, 1);

		chain.first = a1 && a1->static_cache_pri ? stat_src : dns_src;
		chain.second = a1 && a1->static_cache_pri ? dns_src : stat_src;
		sw_dns_chain_source(&src, &chain);
	}
	if (sw_engine_routes_build(&a->routes, a->config, a->o.shard_k, a->o.shard_n, &src, err,
	                           sizeof(err)) < 0)
		return fail("%s%s", err, "");
	if (a->o.pair && app_cluster_init(a, err, sizeof(err)) < 0)
		return fail("%s%s", err, "");

	/* the per-run token secret */
	if (getrandom(&a->key, sizeof(a->key), 0) != sizeof(a->key))
		a->key = (struct sw_sip_token_key){rte_rdtsc(), (uint64_t)getpid()};

	const struct sw_profile *prof = sw_config_profile(a->config);
	struct rte_ether_addr mac;
	struct sw_net_neigh_table neigh;

	/* said, not silently dropped: the profile may ask for calls, which lines do not place yet
	 * (lib/phone models them; the engine only registers) */
	if (prof->calls_per_line_hour > 0)
		fprintf(stderr,
		        "sipswarm: note: swarm.calls_per_line_hour = %u is ignored: this version "
		        "registers, refreshes and fails over lines but does not place calls yet\n",
		        prof->calls_per_line_hour);
	rte_eth_macaddr_get(a->o.port, &mac);
	a->run_start = UINT64_MAX; /* the cluster's clock stays at 0 until the run starts */
	if (a->o.bench_generate_s > 0) {
		/* no answers expected: any next hop will do */
		memset(&neigh, 0, sizeof(neigh));
		for (unsigned int k = 0; k < a->routes.n_servers; k++) {
			struct sw_net_neigh *e = sw_net_neigh_get(
			        &neigh, a->o.gateway ? a->o.gateway : a->routes.server[k].ip);

			if (e) {
				memcpy(e->mac,
				       a->o.has_gateway_mac ? a->o.gateway_mac
				                            : (const uint8_t[6]){2, 0, 0, 0, 0, 1},
				       6);
				e->known = 1;
			}
		}
	} else {
		resolve_neighbours(a, &neigh, &mac);
	}
	double rate = a->o.rate >= 0 ? a->o.rate : prof->register_rate;
	double ramp = a->o.ramp_s >= 0 ? a->o.ramp_s : prof->ramp_s;
	bool aval = a->o.avalanche >= 0 ? a->o.avalanche : prof->start == SW_START_AVALANCHE;
	double cap = a->o.max_in_flight >= 0 ? a->o.max_in_flight : prof->max_in_flight;
	/* the limit is shared out like the rate, each worker at least 1 */
	uint32_t cap_w = cap > 0 ? (uint32_t)((cap + a->n_workers - 1) / a->n_workers) : 0;

	a->load.rate = rate;
	a->load.ramp_s = ramp;
	a->load.avalanche = aval;
	a->load.max_in_flight = cap_w * a->n_workers;
	double duration = a->o.bench_generate_s > 0 ? a->o.bench_generate_s
	                  : a->o.duration_s > 0     ? a->o.duration_s
	                                            : prof->duration_s;
	uint64_t start = app_now(a) + 100 * SW_NS_PER_MS;

	a->run_start = start;
	size_t total_bytes = 0;
	unsigned int lcore, k = 0;

	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		if (k == a->n_workers)
			break;
		struct app_worker *w = &a->w[k];
		struct sw_engine_cfg c = {
		        .config = a->config,
		        .routes = &a->routes,
		        .key = &a->key,
		        .shard_k = a->o.shard_k,
		        .shard_n = a->o.shard_n,
		        .worker = k,
		        .n_workers = a->n_workers,
		        .max_lines = a->o.max_lines,
		        .neigh = neigh,
		        .gateway = a->o.gateway,
		        .udp_csum = a->o.udp_csum,
		        .csum_offload = a->csum_offload,
		        .start = start,
		        .register_rate = rate / a->n_workers,
		        .ramp_s = ramp,
		        .avalanche = aval,
		        .max_in_flight = cap_w,
		        .zalloc = app_numa_zalloc,
		        .free = app_numa_free,
		        .alloc_arg = (void *)(intptr_t)rte_lcore_to_socket_id(lcore),
		};

		w->idx = k;
		w->lcore = lcore;
		memcpy(c.mac, mac.addr_bytes, 6);
		app_worker_io(w, &c.io);
		w->e = sw_engine_new(&c);
		if (w->e == NULL)
			return fail("cannot set up worker %u: %s", k, strerror(errno));
		if (a->o.bench_generate_s > 0 &&
		    sw_engine_preauth(w->e, a->o.cluster_realm, start) < 0)
			return fail("cannot prepare the lines' digests%s%s", "", "");
		total_bytes += (size_t)sw_engine_line_count(w->e) * sw_engine_bytes_per_line();
		k++;
	}
	/* the run clock stands still while the workers are set up: a million lines' pages take
	 * seconds to fault in, and the open-model schedule would otherwise start every line due in
	 * that time in the first poll (a burst of tens of thousands of REGISTERs that overflowed
	 * the port's TX ring, timed out and failed over: a storm of the generator's own making) */
	uint64_t planned = start - 100 * SW_NS_PER_MS, ready = app_now(a);

	if (ready > planned)
		a->tsc0 += (uint64_t)((double)(ready - planned) / a->ns_per_tsc);
	uint64_t lines = sw_config_line_count(a->config, a->o.shard_k, a->o.shard_n);
	char ip[16];

	printf("sipswarm: %llu lines (%u phones, shard %u/%u) on %u worker(s), port %u "
	       "(%s), %zu bytes per line, %.1f MiB of line state; start %s, duration %s\n",
	       (unsigned long long)lines, prof->phones, a->o.shard_k, a->o.shard_n, a->n_workers,
	       a->o.port, a->o.pair ? "in-memory pair to the emulated cluster" : "DPDK port",
	       sw_engine_bytes_per_line(), (double)total_bytes / 1048576.0,
	       aval       ? "all at once"
	       : rate > 0 ? "by rate"
	                  : "all at once",
	       duration > 0 ? "bounded" : "until SIGINT");
	/* total memory: the mbuf pool (EAL memory) and what the process holds after set-up (line
	 * state, templates, the cluster's tables, EAL memory without hugepages) */
	const struct rte_mempool *mp = a->w[0].mp;
	long vm_pages = 0, rss_pages = 0;
	FILE *statm = fopen("/proc/self/statm", "r");

	if (statm != NULL) {
		if (fscanf(statm, "%ld %ld", &vm_pages, &rss_pages) != 2)
			rss_pages = 0;
		fclose(statm);
	}
	a->mem_lines = total_bytes;
	a->mem_mbufs =
	        mp ? (uint64_t)mp->size * (mp->header_size + mp->elt_size + mp->trailer_size) : 0;
	a->mem_resident = (uint64_t)rss_pages * (uint64_t)sysconf(_SC_PAGESIZE);
	printf("  memory: line state %.1f MiB, mbuf pool %.1f MiB (%u mbufs); process resident "
	       "after set-up %.1f MiB\n",
	       (double)a->mem_lines / 1048576.0, (double)a->mem_mbufs / 1048576.0,
	       mp ? mp->size : 0, (double)a->mem_resident / 1048576.0);
	printf("  checksums: sent: %s; received: %s\n",
	       a->csum_offload ? "IPv4 and UDP offloaded to the port"
	       : a->o.udp_csum ? "IPv4 and UDP computed by the workers (the port offers no "
	                         "offload, or --no-csum-offload)"
	                       : "IPv4 computed by the workers, UDP none (--no-udp-checksum)",
	       a->rx_csum_offload ? "checked by the port (RX offload)" : "checked by the workers");
	for (unsigned int s = 0; s < a->routes.n_servers; s++)
		printf("  server %u: %s:%u\n", s + 1, sw_net_ip_str(a->routes.server[s].ip, ip),
		       a->routes.server[s].port);
	fflush(stdout);

	struct app_report *rep = app_report_new(a);

	if (rep == NULL)
		return fail("out of memory%s%s", "", "");
	app_telemetry_init(rep);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	__atomic_store_n(&app_phase, 0, __ATOMIC_RELEASE);
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		for (unsigned int i = 0; i < a->n_workers; i++)
			if (a->w[i].lcore == lcore)
				rte_eal_remote_launch(app_worker_main, &a->w[i], lcore);
	}

	/* re-resolution: when the first TTL of the routes in use ends, resolve every server again
	 * (static cache and --dns as at start) and offer the result to the workers; the routes
	 * before are freed once every worker took the new ones */
	struct sw_engine_routes *live = &a->routes, *offered = NULL;
	struct resolver res = {.config = a->config, .src = &src};
	uint64_t next_dns;

	a->routes.resolved_ns = start;
	next_dns = sw_engine_routes_expiry(&a->routes);

	/* the control loop */
	const char *why = "duration reached";
	double next_tick = 1, stop_at = -1;
	int phase = 0;

	for (;;) {
		uint64_t now = app_now(a);
		double t = now > start ? (double)(now - start) / 1e9 : 0;

		if (a->o.pair)
			app_cluster_poll(a, now);
		else
			rte_delay_us_sleep(500);
		app_report_sample(rep, a, t);
		if (t >= next_tick) {
			app_report_tick(rep, a, t, false);
			next_tick += 1;
		}
		if (offered != NULL) {
			unsigned int took = 0;

			for (unsigned int i = 0; i < a->n_workers; i++)
				took += sw_engine_routes_adopted(a->w[i].e, offered);
			if (took == a->n_workers) {
				sw_engine_routes_free(live);
				if (live != &a->routes)
					free(live);
				live = offered;
				offered = NULL;
				/* the report names servers from a->routes: new addresses appended */
				a->routes.n_servers = live->n_servers;
				memcpy(a->routes.server, live->server, sizeof(a->routes.server));
			}
		} else if (res.running) {
			if (atomic_load_explicit(&res.done, memory_order_acquire)) {
				if (!pthread_equal(res.th, pthread_self()))
					pthread_join(res.th, NULL);
				res.running = false;
				if (res.rc < 0) {
					/* keep the last good lists; try again in 30 s */
					a->dns_failures++;
					sw_engine_routes_free(res.next);
					free(res.next);
					next_dns = now + 30 * SW_NS_PER_S;
					printf("sipswarm: t=%.0f s: re-resolution failed (%s); the last "
					       "lists stay in use\n",
					       t, res.err);
				} else {
					a->dns_changes += res.changed;
					if (res.changed)
						printf("sipswarm: t=%.0f s: re-resolved, the target lists "
						       "changed\n",
						       t);
					for (unsigned int i = 0; i < a->n_workers; i++)
						sw_engine_offer_routes(a->w[i].e, res.next);
					offered = res.next;
					next_dns = sw_engine_routes_expiry(res.next);
					/* at most once a second, whatever the TTLs */
					if (next_dns < now + SW_NS_PER_S)
						next_dns = now + SW_NS_PER_S;
				}
				res.next = NULL;
				fflush(stdout);
			}
		} else if (now >= next_dns && phase == 0) {
			a->dns_refreshes++;
			res.next = calloc(1, sizeof(*res.next));
			res.cur = live;
			res.now = now;
			res.changed = false;
			res.rc = -ENOMEM;
			atomic_store(&res.done, false);
			if (res.next == NULL) {
				atomic_store(&res.done, true);
				snprintf(res.err, sizeof(res.err), "out of memory");
				res.running = false;
				a->dns_failures++;
				next_dns = now + 30 * SW_NS_PER_S;
			} else if (rte_ctrl_thread_create(&res.th, "sw-dns", NULL, resolver_main,
			                                  &res) == 0) {
				res.running = true;
			} else {
				/* no thread: resolve here */
				resolver_main(&res);
				res.running = true;
				res.th = pthread_self();
			}
		}
		if (phase == 0 && (got_signal || (duration > 0 && t >= duration))) {
			if (got_signal)
				why = got_signal == SIGINT ? "interrupted (SIGINT)"
				                           : "terminated (SIGTERM)";
			phase = 1;
			stop_at = t;
			__atomic_store_n(&app_phase, 1, __ATOMIC_RELEASE);
		}
		if (phase == 1) {
			uint64_t inflight = 0, stopping = 0;

			for (unsigned int i = 0; i < a->n_workers; i++) {
				inflight += sw_stat_read(
				        &sw_engine_stats(a->w[i].e)->c[SW_ENGINE_C_TXN_IN_FLIGHT]);
				stopping += __atomic_load_n(&a->w[i].stopping, __ATOMIC_RELAXED);
			}
			/* unregistrations go out at the admission rate: the drain's time counts
			 * from the last one (a second signal, or SIGTERM, ends it now) */
			if (stopping > 0)
				stop_at = t;
			if ((t - stop_at > 0.05 && inflight == 0) || t - stop_at >= a->o.drain_s ||
			    a->o.bench_generate_s > 0 || got_signal == SIGTERM || n_signals > 1)
				break;
		}
	}
	__atomic_store_n(&app_phase, 2, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	uint64_t end = app_now(a);
	double elapsed = (double)(end - start) / 1e9;

	app_report_tick(rep, a, elapsed, true);
	rc = app_report_finish(rep, a, elapsed, why);
	app_report_free(rep);
	for (unsigned int i = 0; i < a->n_workers; i++)
		sw_engine_free(a->w[i].e);
	if (a->o.pair)
		app_cluster_fini(a);
	if (res.running) {
		if (!pthread_equal(res.th, pthread_self()))
			pthread_join(res.th, NULL);
		sw_engine_routes_free(res.next);
		free(res.next);
	}
	if (offered != NULL) {
		sw_engine_routes_free(offered);
		free(offered);
	}
	if (live != &a->routes) {
		sw_engine_routes_free(live);
		free(live);
	}
	sw_engine_routes_free(&a->routes);
	sw_dns_client_free(dc);
	sw_config_free(a->config);
	free(sched_buf);
	/* the runtime directory: with --no-shconf it holds only the telemetry sockets, which
	 * DPDK unlinks at exit, after us; so they go here, after EAL is shut down, and the
	 * directory with them (where other files remain, rmdir fails and leaves it) */
	char rundir[PATH_MAX];

	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(rundir);
	return rc;
}
