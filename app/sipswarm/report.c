/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What users see: the live progress line(s) once a second, DPDK telemetry, the per-second
 * time series, the results JSON (written atomically: temp file + rename) and CSV, thresholds,
 * and the failover report. Control core only (slow path).
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "sipswarm.h"
#include "sw_report.h"
#include "sw_stats_json.h"

/* everything the control core reads from the workers at one instant */
struct app_snapshot {
	double t;
	uint64_t c[SW_ENGINE_C_MAX];
	uint64_t parse_error[SW_SIP_REASON_COUNT];
	uint64_t net_drop[SW_NET_DROP_MAX];
	uint64_t srv_tx[SW_ENGINE_MAX_SERVERS], srv_answered[SW_ENGINE_MAX_SERVERS];
	uint64_t srv_registered[SW_ENGINE_MAX_SERVERS];
	uint64_t lines, lines_registered;
	uint64_t tx_full, fwd_full, generated;
	uint64_t imissed, rx_nombuf, ierrors, oerrors;
	double busy[APP_MAX_WORKERS];
	uint64_t cyc_busy[APP_MAX_WORKERS], cyc_total[APP_MAX_WORKERS];
	struct sw_hist h[SW_ENGINE_H_MAX];
};

/* one second of the time series (differences, except the gauges) */
struct app_point {
	double t;
	uint64_t lines_registered, in_flight;
	uint64_t d[SW_ENGINE_C_MAX];
	uint64_t srv_registered[SW_ENGINE_MAX_SERVERS];
	uint64_t rtt_p50, rtt_p99;
	double busy_max;
	bool accounting_ok;
};

/* The failover report's fine series: only the counters it needs, every FINE_STEP_S from a
 * second before the fault, at most FINE_MAX points (33 minutes); after that the per-second
 * series serves (see failover_report). */
#define FINE_STEP_S 0.01
#define FINE_MAX    200000
struct fine_point {
	double t;
	uint64_t registered; /* lines registered at the faulty server */
	uint64_t failovers, tx_register;
};

struct app_report {
	struct app_snapshot prev, cur;
	struct app_point *series;
	size_t n_series, cap_series;
	struct fine_point *fine;
	size_t n_fine;
	double fine_next;
	unsigned int fine_sid;
	rte_spinlock_t lock; /* telemetry reads cur */
	bool have_prev;
	bool accounting_ok;
};

static struct app_report *tel_report;

int app_report_fault(const struct app *a, double *from, double *until, unsigned int *sid);

static void
snapshot(const struct app *a, struct app_snapshot *s, double t)
{
	memset(s, 0, sizeof(*s));
	s->t = t;
	for (unsigned int k = 0; k < a->n_workers; k++) {
		const struct sw_engine_stats *st = sw_engine_stats(a->w[k].e);
		const struct app_worker *w = &a->w[k];

		for (int i = 0; i < SW_ENGINE_C_MAX; i++)
			s->c[i] += sw_stat_read(&st->c[i]);
		for (int i = 0; i < SW_SIP_REASON_COUNT; i++)
			s->parse_error[i] += sw_stat_read(&st->parse_error[i]);
		for (int i = 0; i < SW_NET_DROP_MAX; i++)
			s->net_drop[i] += sw_stat_read(&st->net_drop[i]);
		for (int i = 0; i < SW_ENGINE_MAX_SERVERS; i++) {
			s->srv_tx[i] += sw_stat_read(&st->srv_tx[i]);
			s->srv_answered[i] += sw_stat_read(&st->srv_answered[i]);
			s->srv_registered[i] += sw_stat_read(&st->srv_registered[i]);
		}
		s->lines += st->lines;
		s->lines_registered += sw_stat_read(&st->lines_registered);
		for (int i = 0; i < SW_ENGINE_H_MAX; i++)
			sw_hist_merge(&s->h[i], &st->h[i]);
		s->tx_full += __atomic_load_n(&w->tx_full, __ATOMIC_RELAXED);
		s->fwd_full += __atomic_load_n(&w->fwd_full, __ATOMIC_RELAXED);
		s->generated += __atomic_load_n(&w->generated, __ATOMIC_RELAXED);
		s->cyc_busy[k] = __atomic_load_n(&w->cycles_busy, __ATOMIC_RELAXED);
		s->cyc_total[k] = __atomic_load_n(&w->cycles_total, __ATOMIC_RELAXED);
	}
	app_port_stats(a, &s->imissed, &s->rx_nombuf, &s->ierrors, &s->oerrors);
}

static bool
accounting(const struct app_snapshot *s)
{
	return s->c[SW_ENGINE_C_TXN_STARTED] ==
	       s->c[SW_ENGINE_C_TXN_ANSWERED] + s->c[SW_ENGINE_C_TXN_TIMEOUT] +
	               s->c[SW_ENGINE_C_TXN_TRANSPORT_ERROR] + s->c[SW_ENGINE_C_TXN_CANCELLED] +
	               s->c[SW_ENGINE_C_TXN_IN_FLIGHT];
}

struct app_report *
app_report_new(const struct app *a)
{
	struct app_report *r = calloc(1, sizeof(*r));

	double from, until;

	if (r == NULL)
		return NULL;
	rte_spinlock_init(&r->lock);
	r->accounting_ok = true;
	if (app_report_fault(a, &from, &until, &r->fine_sid) == 0) {
		/* without it the report falls back to the 1 s series: no failure here */
		r->fine = malloc(FINE_MAX * sizeof(*r->fine));
		r->fine_next = from > 1 ? from - 1 : 0;
	}
	return r;
}

void
app_report_sample(struct app_report *r, const struct app *a, double t)
{
	struct fine_point p = {.t = t};

	if (r->fine == NULL || t < r->fine_next || r->n_fine == FINE_MAX)
		return;
	/* on a 10 ms grid; a late sample (a stall of the control loop) is taken when it comes */
	do
		r->fine_next += FINE_STEP_S;
	while (r->fine_next <= t);
	for (unsigned int k = 0; k < a->n_workers; k++) {
		const struct sw_engine_stats *st = sw_engine_stats(a->w[k].e);

		p.registered += sw_stat_read(&st->srv_registered[r->fine_sid]);
		p.failovers += sw_stat_read(&st->c[SW_ENGINE_C_FAILOVER]);
		p.tx_register += sw_stat_read(&st->c[SW_ENGINE_C_TX_REGISTER]);
	}
	r->fine[r->n_fine++] = p;
}

void
app_report_free(struct app_report *r)
{
	if (r == NULL)
		return;
	if (tel_report == r)
		tel_report = NULL;
	free(r->series);
	free(r->fine);
	free(r);
}

static const char *
si(double v, char *buf)
{
	/* 1234567 -> "1.23M": progress lines stay short */
	if (v >= 1e9)
		sprintf(buf, "%.2fG", v / 1e9);
	else if (v >= 1e6)
		sprintf(buf, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		sprintf(buf, "%.1fk", v / 1e3);
	else
		sprintf(buf, "%.0f", v);
	return buf;
}

static void
print_progress(const struct app *a, const struct app_report *r, const struct app_point *p)
{
	const struct app_snapshot *s = &r->cur;
	double dt = r->have_prev ? s->t - r->prev.t : s->t;
	char b[8][16];

	if (dt <= 0)
		dt = 1;
	if (a->o.progress == PROGRESS_NONE)
		return;
	if (a->o.bench_generate_s > 0) {
		printf("[%5.0fs] generated %s REGISTER/s (authenticated), tx_full %" PRIu64
		       ", busy %.0f%%\n",
		       s->t, si((double)p->d[SW_ENGINE_C_TX_REGISTER] / dt, b[0]), s->tx_full,
		       p->busy_max * 100);
		return;
	}
	uint64_t drops = 0, perr = s->c[SW_ENGINE_C_RX_PARSE_ERROR];

	for (int i = 0; i < SW_NET_DROP_MAX; i++)
		drops += s->net_drop[i];
	drops += s->tx_full + s->imissed + s->rx_nombuf + s->c[SW_ENGINE_C_TX_NOBUF];
	if (a->o.progress == PROGRESS_COMPACT) {
		printf("t=%.0f reg=%" PRIu64 "/%" PRIu64
		       " tx=%s/s 2xx=%s/s 401=%s/s err=%s/s to=%" PRIu64 " fo=%" PRIu64
		       " fb=%" PRIu64 " p50=%.1fms p99=%.1fms perr=%" PRIu64 " drop=%" PRIu64
		       " busy=%.0f%%\n",
		       s->t, s->lines_registered, s->lines,
		       si((double)(p->d[SW_ENGINE_C_TX_REGISTER] + p->d[SW_ENGINE_C_TX_INVITE]) /
		                  dt,
		          b[0]),
		       si((double)p->d[SW_ENGINE_C_RX_2XX] / dt, b[1]),
		       si((double)p->d[SW_ENGINE_C_RX_401] / dt, b[2]),
		       si((double)(p->d[SW_ENGINE_C_RX_3XX] + p->d[SW_ENGINE_C_RX_4XX] -
		                   p->d[SW_ENGINE_C_RX_401] + p->d[SW_ENGINE_C_RX_5XX] +
		                   p->d[SW_ENGINE_C_RX_6XX]) /
		                  dt,
		          b[3]),
		       s->c[SW_ENGINE_C_TXN_TIMEOUT], s->c[SW_ENGINE_C_FAILOVER],
		       s->c[SW_ENGINE_C_FAILBACK], (double)p->rtt_p50 / 1e6,
		       (double)p->rtt_p99 / 1e6, perr, drops, p->busy_max * 100);
	} else {
		printf("[%5.0fs] registered %" PRIu64 "/%" PRIu64 " (%.1f%%) | sent %s/s answered "
		       "%s/s (2xx %s/s, 401 %s/s) | retrans %" PRIu64 " timeouts %" PRIu64
		       " failover %" PRIu64 " failback %" PRIu64 " | rtt p50 %.2f ms p99 %.2f ms | "
		       "parse errors %" PRIu64 " drops %" PRIu64 " | busy %.0f%%\n"
		       "        failures: 3xx %s/s, 4xx (not 401) %s/s, 5xx %s/s, 6xx %s/s | since start: "
		       "transport errors %" PRIu64 ", credentials refused %" PRIu64
		       ", rejected %" PRIu64 ", servers failed %" PRIu64 "\n",
		       s->t, s->lines_registered, s->lines,
		       s->lines ? 100.0 * (double)s->lines_registered / (double)s->lines : 0.0,
		       si((double)(p->d[SW_ENGINE_C_TX_REGISTER] + p->d[SW_ENGINE_C_TX_INVITE] +
		                   p->d[SW_ENGINE_C_TX_BYE]) /
		                  dt,
		          b[0]),
		       si((double)p->d[SW_ENGINE_C_RX_RESPONSES] / dt, b[1]),
		       si((double)p->d[SW_ENGINE_C_RX_2XX] / dt, b[2]),
		       si((double)p->d[SW_ENGINE_C_RX_401] / dt, b[3]),
		       s->c[SW_ENGINE_C_TX_RETRANS], s->c[SW_ENGINE_C_TXN_TIMEOUT],
		       s->c[SW_ENGINE_C_FAILOVER], s->c[SW_ENGINE_C_FAILBACK],
		       (double)p->rtt_p50 / 1e6, (double)p->rtt_p99 / 1e6, perr, drops,
		       p->busy_max * 100, si((double)p->d[SW_ENGINE_C_RX_3XX] / dt, b[4]),
		       si((double)(p->d[SW_ENGINE_C_RX_4XX] - p->d[SW_ENGINE_C_RX_401]) / dt, b[5]),
		       si((double)p->d[SW_ENGINE_C_RX_5XX] / dt, b[6]),
		       si((double)p->d[SW_ENGINE_C_RX_6XX] / dt, b[7]),
		       s->c[SW_ENGINE_C_TXN_TRANSPORT_ERROR], s->c[SW_ENGINE_C_AUTH_FAILED],
		       s->c[SW_ENGINE_C_REJECTED], s->c[SW_ENGINE_C_SERVER_FAILED]);
		printf("        per server registered:");
		for (unsigned int k = 0; k < a->routes.n_servers; k++) {
			char ip[16];

			printf(" %s:%u %" PRIu64, sw_net_ip_str(a->routes.server[k].ip, ip),
			       a->routes.server[k].port, s->srv_registered[k]);
		}
		printf("\n");
	}
	fflush(stdout);
}

void
app_report_tick(struct app_report *r, const struct app *a, double t, bool final)
{
	struct app_snapshot *s = malloc(sizeof(*s));
	struct app_point p;
	static struct sw_hist d;

	if (s == NULL)
		return;
	snapshot(a, s, t);
	rte_spinlock_lock(&r->lock);
	if (r->have_prev || r->cur.t > 0)
		r->prev = r->cur;
	r->have_prev = r->cur.t > 0;
	r->cur = *s;
	rte_spinlock_unlock(&r->lock);
	free(s);
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.lines_registered = r->cur.lines_registered;
	p.in_flight = r->cur.c[SW_ENGINE_C_TXN_IN_FLIGHT];
	for (int i = 0; i < SW_ENGINE_C_MAX; i++)
		p.d[i] = r->cur.c[i] - (r->have_prev ? r->prev.c[i] : 0);
	memcpy(p.srv_registered, r->cur.srv_registered, sizeof(p.srv_registered));
	if (r->have_prev)
		sw_hist_sub(&d, &r->cur.h[SW_ENGINE_H_RTT], &r->prev.h[SW_ENGINE_H_RTT]);
	else
		d = r->cur.h[SW_ENGINE_H_RTT];
	p.rtt_p50 = sw_hist_quantile(&d, 0.5);
	p.rtt_p99 = sw_hist_quantile(&d, 0.99);
	for (unsigned int k = 0; k < a->n_workers; k++) {
		uint64_t tb = r->cur.cyc_busy[k] - (r->have_prev ? r->prev.cyc_busy[k] : 0);
		uint64_t tt = r->cur.cyc_total[k] - (r->have_prev ? r->prev.cyc_total[k] : 0);
		double b = tt ? (double)tb / (double)tt : 0;

		r->cur.busy[k] = b;
		if (b > p.busy_max)
			p.busy_max = b;
	}
	p.accounting_ok = accounting(&r->cur);
	if (!p.accounting_ok)
		r->accounting_ok = false;
	if (r->n_series == r->cap_series) {
		size_t nc = r->cap_series ? r->cap_series * 2 : 256;
		void *q = realloc(r->series, nc * sizeof(*r->series));

		if (q != NULL) {
			r->series = q;
			r->cap_series = nc;
		}
	}
	if (r->n_series < r->cap_series)
		r->series[r->n_series++] = p;
	if (!final)
		print_progress(a, r, &p);
}

/* ---- results ---- */

/* the figure a threshold or the report names */
struct figure {
	const char *name, *help;
	double v;
};

#define N_FIGURES 18

static unsigned int
figures(const struct app *a, const struct app_report *r, struct figure *f)
{
	const struct app_snapshot *s = &r->cur;
	unsigned int n = 0;
	double ended = (double)(s->c[SW_ENGINE_C_TXN_STARTED] - s->c[SW_ENGINE_C_TXN_IN_FLIGHT]);

	(void)a;
#define FIG(nm, hl, val) f[n++] = (struct figure){nm, hl, (double)(val)}
	FIG("register_success", "fraction of lines registered at the end",
	    s->lines ? (double)s->lines_registered / (double)s->lines : 0);
	FIG("lines_registered", "lines registered at the end", s->lines_registered);
	FIG("timeouts", "transactions that timed out", s->c[SW_ENGINE_C_TXN_TIMEOUT]);
	FIG("timeout_rate", "timed-out share of ended transactions",
	    ended > 0 ? (double)s->c[SW_ENGINE_C_TXN_TIMEOUT] / ended : 0);
	FIG("rtt_p50", "round trip, median, s",
	    sw_hist_quantile(&s->h[SW_ENGINE_H_RTT], 0.5) / 1e9);
	FIG("rtt_p99", "round trip, 99th percentile, s",
	    sw_hist_quantile(&s->h[SW_ENGINE_H_RTT], 0.99) / 1e9);
	FIG("unregistered_p99", "unregistered period after a registration, p99, s",
	    sw_hist_quantile(&s->h[SW_ENGINE_H_UNREG_GAP], 0.99) / 1e9);
	FIG("unregistered_max", "longest unregistered period after a registration, s",
	    s->h[SW_ENGINE_H_UNREG_GAP].max / 1e9);
	FIG("first_register_p99", "start to first registration, p99, s",
	    sw_hist_quantile(&s->h[SW_ENGINE_H_FIRST_REGISTER], 0.99) / 1e9);
	FIG("failovers", "failovers", s->c[SW_ENGINE_C_FAILOVER]);
	FIG("failover_time_p99",
	    "failed request's first send to registered at the next target, "
	    "p99, s",
	    sw_hist_quantile(&s->h[SW_ENGINE_H_FAILOVER], 0.99) / 1e9);
	FIG("failover_time_max", "longest failover time, s", s->h[SW_ENGINE_H_FAILOVER].max / 1e9);
	FIG("failbacks", "failbacks", s->c[SW_ENGINE_C_FAILBACK]);
	FIG("parse_errors", "datagrams that did not parse", s->c[SW_ENGINE_C_RX_PARSE_ERROR]);
	FIG("auth_failed", "credentials refused", s->c[SW_ENGINE_C_AUTH_FAILED]);
	FIG("start_late", "lines started over 1 ms late", s->c[SW_ENGINE_C_START_LATE]);
	FIG("drops", "frames lost in the generator (TX full, imissed, no mbuf)",
	    s->tx_full + s->imissed + s->rx_nombuf + s->c[SW_ENGINE_C_TX_NOBUF]);
	FIG("timer_late_p99", "line timers' lateness, p99, s",
	    sw_hist_quantile(&s->h[SW_ENGINE_H_TIMER_LATE], 0.99) / 1e9);
#undef FIG
	return n;
}

int
app_report_check_names(const struct app_opts *o, char *err, size_t errlen)
{
	struct figure f[N_FIGURES];
	static struct app_report r;
	static struct app a;
	unsigned int n = figures(&a, &r, f);

	for (unsigned int t = 0; t < o->n_thr; t++) {
		bool found = false;

		for (unsigned int i = 0; i < n; i++)
			found |= strcmp(f[i].name, o->thr[t].name) == 0;
		if (!found) {
			size_t k = (size_t)snprintf(err, errlen,
			                            "--threshold %s: unknown figure '%s'; known:",
			                            o->thr[t].text, o->thr[t].name);

			for (unsigned int i = 0; i < n && k < errlen; i++)
				k += (size_t)snprintf(err + k, errlen - k, " %s", f[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

/* the failover report: from the per-second series and the per-line records */
struct failover {
	bool have;
	double fault_from, fault_until;
	unsigned int sid;
	uint64_t affected;
	double detect, settle99, failback99;
	uint64_t storm_requests;
	double storm_peak;
	uint64_t lines_with_gap;
	double gap_p50, gap_p99, gap_max; /* s, over every line */
	bool fine;                        /* detect/settle/failback from the 10 ms series */
	uint64_t fo_count;                /* failover times measured (histogram failover_s) */
	double fo_p50, fo_p99, fo_max;    /* s */
};

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* detect, 99 % elsewhere, the storm and 99 % back from the 10 ms series where it covers them
 * (the per-second figures stand where it does not: a run longer than FINE_MAX points) */
static void
fine_failover(const struct app_report *r, double from, double until, struct failover *fo)
{
	double detect = -1, settle99 = -1, failback99 = -1;
	uint64_t affected = 0, fo0 = 0, tx0 = 0, tx_end = 0;
	bool seen = false;

	if (r->n_fine == 0 || r->fine[0].t > from)
		return;
	for (size_t i = 0; i < r->n_fine; i++) {
		const struct fine_point *p = &r->fine[i];

		if (p->t <= from) {
			affected = p->registered;
			fo0 = p->failovers;
			tx0 = p->tx_register;
			continue;
		}
		seen = true;
		if (detect < 0 && p->failovers > fo0)
			detect = p->t - from;
		if (settle99 < 0 && affected && p->registered * 100 <= affected) {
			settle99 = p->t - from;
			tx_end = p->tx_register;
		}
		if (until > 0 && p->t > until && failback99 < 0 && affected &&
		    p->registered * 100 >= affected * 99)
			failback99 = p->t - until;
	}
	if (!seen)
		return;
	/* the lines registered at the fault's start as the per-line records count them */
	fo->affected = affected;
	if (detect >= 0 || r->n_fine < FINE_MAX)
		fo->detect = detect;
	if (settle99 >= 0 || r->n_fine < FINE_MAX) {
		fo->settle99 = settle99;
		fo->storm_requests =
		        settle99 >= 0 ? tx_end - tx0 : r->fine[r->n_fine - 1].tx_register - tx0;
	}
	if (failback99 >= 0 || r->n_fine < FINE_MAX)
		fo->failback99 = failback99;
	fo->fine = true;
}

static void
failover_report(const struct app *a, const struct app_report *r, double from, double until,
                unsigned int sid, struct failover *fo)
{
	memset(fo, 0, sizeof(*fo));
	fo->detect = fo->settle99 = fo->failback99 = -1;
	if (from < 0 || r->n_series == 0)
		return;
	fo->have = true;
	fo->fault_from = from;
	fo->fault_until = until;
	fo->sid = sid;
	for (size_t i = 0; i < r->n_series; i++) {
		const struct app_point *p = &r->series[i];

		if (p->t <= from)
			fo->affected = p->srv_registered[sid];
	}
	for (size_t i = 0; i < r->n_series; i++) {
		const struct app_point *p = &r->series[i];

		if (p->t <= from)
			continue;
		if (fo->detect < 0 && p->d[SW_ENGINE_C_FAILOVER] > 0)
			fo->detect = p->t - from;
		if (fo->settle99 < 0 && fo->affected &&
		    p->srv_registered[sid] * 100 <= fo->affected)
			fo->settle99 = p->t - from;
		if (fo->settle99 < 0 || p->t <= from + fo->settle99) {
			fo->storm_requests += p->d[SW_ENGINE_C_TX_REGISTER];
			if (p->d[SW_ENGINE_C_TX_REGISTER] > fo->storm_peak)
				fo->storm_peak = (double)p->d[SW_ENGINE_C_TX_REGISTER];
		}
		if (until > 0 && p->t > until && fo->failback99 < 0 && fo->affected &&
		    p->srv_registered[sid] * 100 >= fo->affected * 99)
			fo->failback99 = p->t - until;
	}
	fine_failover(r, from, until, fo);
	/* failover time of each failover: the failed request's first send -> registered at the
	 * next target (lib/engine's histogram, ms resolution) */
	const struct sw_hist *h = &r->cur.h[SW_ENGINE_H_FAILOVER];

	fo->fo_count = h->count;
	fo->fo_p50 = (double)sw_hist_quantile(h, 0.5) / 1e9;
	fo->fo_p99 = (double)sw_hist_quantile(h, 0.99) / 1e9;
	fo->fo_max = (double)h->max / 1e9;
	/* unregistered time per line: every line's record, zeros included */
	size_t n = 0, cap = 0;
	uint32_t *g = NULL;

	for (unsigned int k = 0; k < a->n_workers; k++)
		cap += sw_engine_line_count(a->w[k].e);
	g = calloc(cap ? cap : 1, sizeof(*g));
	if (g == NULL)
		return;
	for (unsigned int k = 0; k < a->n_workers; k++)
		for (uint32_t i = 0; i < sw_engine_line_count(a->w[k].e); i++) {
			const struct sw_engine_line *x;

			sw_engine_line(a->w[k].e, i, NULL, &x);
			g[n++] = x->gap_ms;
			fo->lines_with_gap += x->gap_ms > 0;
		}
	qsort(g, n, sizeof(*g), cmp_u32);
	if (n) {
		fo->gap_p50 = g[(n - 1) / 2] / 1e3;
		fo->gap_p99 = g[(size_t)ceil(0.99 * (double)n) - 1] / 1e3;
		fo->gap_max = g[n - 1] / 1e3;
	}
	free(g);
}

static void
print_failover(const struct app *a, const struct failover *fo)
{
	char ip[16];

	if (!fo->have)
		return;
	/* 10 ms series: two decimals; the per-second one: none */
	int dp = fo->fine ? 2 : 0;

	printf("\n== failover report (server %s:%u silent from t=%.0f s to t=%.0f s; times at "
	       "%s resolution)\n",
	       sw_net_ip_str(a->routes.server[fo->sid].ip, ip), a->routes.server[fo->sid].port,
	       fo->fault_from, fo->fault_until, fo->fine ? "10 ms" : "1 s (failover time: 1 ms)");
	printf("  lines registered there when it failed:      %" PRIu64 "\n", fo->affected);
	if (fo->detect >= 0)
		printf("  time to detect (first failover):            %.*f s\n", dp, fo->detect);
	else
		printf("  time to detect (first failover):            no failover seen\n");
	if (fo->settle99 >= 0)
		printf("  99%% of them registered elsewhere after:     %.*f s\n", dp, fo->settle99);
	else
		printf("  99%% of them registered elsewhere after:     not reached\n");
	printf("  REGISTERs sent during the storm:            %" PRIu64 " (peak %.0f/s)\n",
	       fo->storm_requests, fo->storm_peak);
	printf("  failover time (failed REGISTER's first send -> registered at the next target):\n"
	       "                                              p50 %.2f s, p99 %.2f s, max %.2f s "
	       "(%" PRIu64 " failovers)\n",
	       fo->fo_p50, fo->fo_p99, fo->fo_max, fo->fo_count);
	printf("  unregistered time per line (all lines):     p50 %.1f s, p99 %.1f s, max %.1f s "
	       "(%" PRIu64 " lines had a gap)\n",
	       fo->gap_p50, fo->gap_p99, fo->gap_max, fo->lines_with_gap);
	if (fo->fault_until > 0) {
		if (fo->failback99 >= 0)
			printf("  99%% back on it after recovery:             %.*f s\n", dp,
			       fo->failback99);
		else
			printf("  99%% back on it after recovery:             not reached\n");
	}
}

static int
write_atomic(const char *path, const char *data, size_t n)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	if (fwrite(data, 1, n, f) != n || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		int e = errno;

		fclose(f);
		unlink(tmp);
		return -e;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		int e = errno;

		unlink(tmp);
		return -e;
	}
	return 0;
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/*
 * The generation rate of each whole second of the series (the first, which holds the start,
 * left out): the best, median and worst second. On a machine shared with other work the
 * run's average mixes quiet seconds with disturbed ones; the best second is what the core did
 * when it had the CPU to itself, the median what this run's machine gave.
 */
static void
print_second_rates(const struct app_report *r)
{
	double v[64];
	size_t n = 0;

	for (size_t i = 2; i < r->n_series && n < SW_ARRAY_SIZE(v); i++) {
		double dt = r->series[i].t - r->series[i - 1].t;

		if (dt > 0.9)
			v[n++] = (double)r->series[i].d[SW_ENGINE_C_TX_REGISTER] / dt;
	}
	if (n == 0)
		return;
	qsort(v, n, sizeof(v[0]), cmp_double);
	printf("   per second over %zu whole seconds: best %.0f, median %.0f, worst %.0f\n", n,
	       v[n - 1], v[n / 2], v[0]);
}

int
app_report_finish(struct app_report *r, const struct app *a, double elapsed,
                  const char *exit_reason)
{
	const struct app_snapshot *s = &r->cur;
	struct figure f[N_FIGURES];
	unsigned int nf = figures(a, r, f);
	int breached = 0;
	json_t *root = json_object(), *o;
	char ip[16];

	/* results */
	o = json_object();
	json_object_set_new(o, "version", json_string("sipswarm 0.1"));
	json_object_set_new(o, "lines", json_integer((json_int_t)s->lines));
	json_object_set_new(o, "workers", json_integer(a->n_workers));
	json_object_set_new(o, "shard", json_pack("[i,i]", a->o.shard_k, a->o.shard_n));
	json_object_set_new(o, "elapsed_s", json_real(elapsed));
	json_object_set_new(o, "exit_reason", json_string(exit_reason));
	json_object_set_new(o, "load",
	                    json_pack("{s:f,s:f,s:b,s:I}", "rate", a->load.rate, "ramp_s",
	                              a->load.ramp_s, "avalanche", a->load.avalanche,
	                              "max_in_flight", (json_int_t)a->load.max_in_flight));
	json_object_set_new(o, "bytes_per_line",
	                    json_integer((json_int_t)sw_engine_bytes_per_line()));
	json_object_set_new(o, "memory",
	                    json_pack("{s:I,s:I,s:I}", "line_state_bytes", (json_int_t)a->mem_lines,
	                              "mbuf_pool_bytes", (json_int_t)a->mem_mbufs,
	                              "resident_after_setup_bytes", (json_int_t)a->mem_resident));
	json_t *cf = json_array();

	for (unsigned int i = 0; i < a->o.n_configs; i++)
		json_array_append_new(cf, json_string(a->o.configs[i]));
	json_object_set_new(o, "configs", cf);
	json_object_set_new(root, "run", o);

	o = json_object();
	for (int i = 0; i < SW_ENGINE_C_MAX; i++)
		json_object_set_new(o, sw_engine_counter_name(i),
		                    json_integer((json_int_t)s->c[i]));
	json_object_set_new(o, "lines_registered", json_integer((json_int_t)s->lines_registered));
	json_object_set_new(root, "totals", o);
	o = json_object();
	for (int i = 0; i < SW_SIP_REASON_COUNT; i++)
		if (s->parse_error[i])
			json_object_set_new(o, sw_sip_reason_name(i),
			                    json_integer((json_int_t)s->parse_error[i]));
	json_object_set_new(root, "parse_errors", o);
	o = json_object();
	for (int i = 0; i < SW_NET_DROP_MAX; i++)
		if (s->net_drop[i])
			json_object_set_new(o, sw_net_drop_name(i),
			                    json_integer((json_int_t)s->net_drop[i]));
	json_object_set_new(root, "net_drops", o);

	json_t *srv = json_array();

	for (unsigned int k = 0; k < a->routes.n_servers; k++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "%s:%u", sw_net_ip_str(a->routes.server[k].ip, ip),
		         a->routes.server[k].port);
		json_array_append_new(srv,
		                      json_pack("{s:s,s:I,s:I,s:I}", "address", addr, "sent",
		                                (json_int_t)s->srv_tx[k], "answered",
		                                (json_int_t)s->srv_answered[k], "registered_end",
		                                (json_int_t)s->srv_registered[k]));
	}
	json_object_set_new(root, "servers", srv);
	o = json_object();
	for (int i = 0; i < SW_ENGINE_H_MAX; i++) {
		char name[64];
		const char *n = sw_engine_hist_name(i);
		size_t l = strlen(n);

		/* "rtt_ns" is reported in seconds as "rtt_s" */
		snprintf(name, sizeof(name), "%.*s_s", (int)(l > 3 ? l - 3 : l), n);
		json_object_set_new(o, name, sw_hist_to_json(&s->h[i], 1e9));
	}
	json_object_set_new(root, "histograms", o);

	/* generator health: a saturated generator says so */
	o = json_object();
	json_t *busy = json_array();
	double busy_max = 0;

	for (unsigned int k = 0; k < a->n_workers; k++) {
		double b = s->cyc_total[k] ? (double)s->cyc_busy[k] / (double)s->cyc_total[k] : 0;

		json_array_append_new(busy, json_real(b));
		if (b > busy_max)
			busy_max = b;
	}
	json_object_set_new(o, "busy_share", busy);
	/* the same as seconds of work: divided by the registrations, a worker's cost per one */
	busy = json_array();
	for (unsigned int k = 0; k < a->n_workers; k++)
		json_array_append_new(busy,
		                      json_real((double)s->cyc_busy[k] / (double)rte_get_tsc_hz()));
	json_object_set_new(o, "busy_s", busy);
	json_object_set_new(o, "tx_full", json_integer((json_int_t)s->tx_full));
	json_object_set_new(o, "handover_full", json_integer((json_int_t)s->fwd_full));
	json_object_set_new(o, "imissed", json_integer((json_int_t)s->imissed));
	json_object_set_new(o, "rx_nombuf", json_integer((json_int_t)s->rx_nombuf));
	json_object_set_new(o, "tx_nobuf", json_integer((json_int_t)s->c[SW_ENGINE_C_TX_NOBUF]));
	json_object_set_new(o, "start_late",
	                    json_integer((json_int_t)s->c[SW_ENGINE_C_START_LATE]));
	double late99 = (double)sw_hist_quantile(&s->h[SW_ENGINE_H_TIMER_LATE], 0.99) / 1e9;
	double lag99 = (double)sw_hist_quantile(&s->h[SW_ENGINE_H_START_LAG], 0.99) / 1e9;
	/* lateness counts as saturation by its p99, for starts as for timers: a kernel thread
	 * (here DAMON's kdamond) that takes the worker's CPU for a millisecond now and then makes
	 * a few starts in a thousand late by over 1 ms on an idle generator; they stay counted in
	 * start_late, but they are not the generator falling behind */
	/* 10 ms of real time: with --time-scale X the run's clock, and so these lags, go X times
	 * faster than the CPU that causes them */
	double late_max = 0.010 * (a->o.scale > 0 ? a->o.scale : 1);
	bool saturated = s->tx_full + s->imissed + s->rx_nombuf + s->c[SW_ENGINE_C_TX_NOBUF] > 0 ||
	                 lag99 > late_max || late99 > late_max;

	/* what made it so, for the warning and the results: a host's stall and a generator
	 * short of CPU call for different remedies */
	char why[256] = "";
	size_t wn = 0;
	json_t *by = json_array();
	const struct {
		const char *name;
		uint64_t n;
	} drops[] = {{"tx_full", s->tx_full},
	             {"imissed", s->imissed},
	             {"rx_nombuf", s->rx_nombuf},
	             {"tx_nobuf", s->c[SW_ENGINE_C_TX_NOBUF]}};

	for (unsigned int k = 0; k < SW_ARRAY_SIZE(drops); k++)
		if (drops[k].n > 0) {
			json_array_append_new(by, json_string(drops[k].name));
			wn += (size_t)snprintf(why + wn, sizeof(why) - wn, "%s%s %" PRIu64,
			                       wn ? ", " : "", drops[k].name, drops[k].n);
		}
	if (lag99 > late_max) {
		json_array_append_new(by, json_string("start_lag_p99"));
		wn += (size_t)snprintf(why + wn, sizeof(why) - wn, "%sstart lag p99 %.1f ms",
		                       wn ? ", " : "",
		                       lag99 * 1e3 / (a->o.scale > 0 ? a->o.scale : 1));
	}
	if (late99 > late_max && wn < sizeof(why)) {
		json_array_append_new(by, json_string("timer_late_p99"));
		snprintf(why + wn, sizeof(why) - wn, "%stimer lateness p99 %.1f ms", wn ? ", " : "",
		         late99 * 1e3 / (a->o.scale > 0 ? a->o.scale : 1));
	}
	json_object_set_new(o, "timer_late_p99_s", json_real(late99));
	json_object_set_new(o, "start_lag_p99_s", json_real(lag99));
	json_object_set_new(o, "saturated", json_boolean(saturated));
	json_object_set_new(o, "saturated_by", by);
	json_object_set_new(root, "generator", o);
	json_object_set_new(root, "dns",
	                    json_pack("{s:I,s:I,s:I}", "refreshes", (json_int_t)a->dns_refreshes,
	                              "changes", (json_int_t)a->dns_changes, "failures",
	                              (json_int_t)a->dns_failures));

	/* thresholds */
	json_t *th = json_array();

	for (unsigned int t = 0; t < a->o.n_thr; t++) {
		for (unsigned int i = 0; i < nf; i++) {
			if (strcmp(f[i].name, a->o.thr[t].name) != 0)
				continue;
			bool ok = sw_threshold_holds(&a->o.thr[t], f[i].v);

			json_array_append_new(th, json_pack("{s:s,s:f,s:b}", "threshold",
			                                    a->o.thr[t].text, "value", f[i].v, "ok",
			                                    ok));
			if (!ok)
				breached++;
		}
	}
	json_object_set_new(root, "thresholds", th);
	o = json_object();
	for (unsigned int i = 0; i < nf; i++)
		json_object_set_new(o, f[i].name, json_real(f[i].v));
	json_object_set_new(root, "figures", o);
	json_object_set_new(root, "accounting_ok", json_boolean(r->accounting_ok));

	/* failover */
	double from = -1, until = -1;
	unsigned int sid = 0;
	struct failover fo;

	app_report_fault(a, &from, &until, &sid);
	failover_report(a, r, from, until, sid, &fo);
	if (fo.have) {
		o = json_pack("{s:f,s:f,s:I,s:I}", "fault_from_s", fo.fault_from, "fault_until_s",
		              fo.fault_until, "server", (json_int_t)fo.sid, "affected_lines",
		              (json_int_t)fo.affected);
		/* of detect_s, registered_elsewhere_99_s, failback_99_s */
		json_object_set_new(o, "resolution_s", json_real(fo.fine ? FINE_STEP_S : 1));
		json_object_set_new(o, "detect_s",
		                    fo.detect >= 0 ? json_real(fo.detect) : json_null());
		json_object_set_new(o, "registered_elsewhere_99_s",
		                    fo.settle99 >= 0 ? json_real(fo.settle99) : json_null());
		json_object_set_new(o, "failback_99_s",
		                    fo.failback99 >= 0 ? json_real(fo.failback99) : json_null());
		json_object_set_new(o, "storm_registers",
		                    json_integer((json_int_t)fo.storm_requests));
		json_object_set_new(o, "storm_peak_per_s", json_real(fo.storm_peak));
		json_object_set_new(o, "unregistered_per_line_s",
		                    json_pack("{s:f,s:f,s:f,s:I}", "p50", fo.gap_p50, "p99",
		                              fo.gap_p99, "max", fo.gap_max, "lines_with_gap",
		                              (json_int_t)fo.lines_with_gap));
		json_object_set_new(o, "failover_time_s",
		                    json_pack("{s:f,s:f,s:f,s:I}", "p50", fo.fo_p50, "p99",
		                              fo.fo_p99, "max", fo.fo_max, "count",
		                              (json_int_t)fo.fo_count));
		json_object_set_new(root, "failover", o);
	}
	if (a->o.pair)
		app_cluster_report(a, root);

	/* the series */
	json_t *ser = json_array();

	for (size_t i = 0; i < r->n_series; i++) {
		const struct app_point *p = &r->series[i];
		json_t *pt = json_pack("{s:f,s:I,s:I,s:I,s:f,s:b}", "t", p->t, "lines_registered",
		                       (json_int_t)p->lines_registered, "rtt_p50_ns",
		                       (json_int_t)p->rtt_p50, "rtt_p99_ns", (json_int_t)p->rtt_p99,
		                       "busy_max", p->busy_max, "accounting_ok", p->accounting_ok);
		json_t *sr = json_array();

		for (int c = 0; c < SW_ENGINE_C_MAX; c++)
			if (c != SW_ENGINE_C_TXN_IN_FLIGHT)
				json_object_set_new(pt, sw_engine_counter_name(c),
				                    json_integer((json_int_t)p->d[c]));
		json_object_set_new(pt, "txn_in_flight", json_integer((json_int_t)p->in_flight));
		for (unsigned int k = 0; k < a->routes.n_servers; k++)
			json_array_append_new(sr, json_integer((json_int_t)p->srv_registered[k]));
		json_object_set_new(pt, "registered_by_server", sr);
		json_array_append_new(ser, pt);
	}
	json_object_set_new(root, "series", ser);

	int rc = 0;

	if (a->o.results != NULL) {
		char *txt = json_dumps(root, JSON_INDENT(1));

		rc = txt ? write_atomic(a->o.results, txt, strlen(txt)) : -ENOMEM;
		free(txt);
		if (rc < 0)
			fprintf(stderr, "sipswarm: cannot write %s: %s\n", a->o.results,
			        strerror(-rc));
	}
	if (a->o.html != NULL) {
		size_t len = 0;
		char *page = sw_report_html(root, a->o.results ? a->o.results : "sipswarm", &len);
		int e = page ? write_atomic(a->o.html, page, len) : -ENOMEM;

		free(page);
		if (e < 0) {
			fprintf(stderr, "sipswarm: cannot write %s: %s\n", a->o.html, strerror(-e));
			rc = e;
		}
	}
	if (a->o.csv != NULL) {
		size_t cap =
		        256 + r->n_series * (64 + 24 * (SW_ENGINE_C_MAX + SW_ENGINE_MAX_SERVERS));
		char *buf = malloc(cap);
		size_t n = 0;

		if (buf != NULL) {
			n += (size_t)snprintf(buf + n, cap - n,
			                      "t,lines_registered,txn_in_flight,"
			                      "rtt_p50_ns,rtt_p99_ns,busy_max");
			for (int c = 0; c < SW_ENGINE_C_MAX; c++)
				if (c != SW_ENGINE_C_TXN_IN_FLIGHT)
					n += (size_t)snprintf(buf + n, cap - n, ",%s",
					                      sw_engine_counter_name(c));
			for (unsigned int k = 0; k < a->routes.n_servers; k++)
				n += (size_t)snprintf(buf + n, cap - n, ",registered_%s:%u",
				                      sw_net_ip_str(a->routes.server[k].ip, ip),
				                      a->routes.server[k].port);
			n += (size_t)snprintf(buf + n, cap - n, "\n");
			for (size_t i = 0; i < r->n_series; i++) {
				const struct app_point *p = &r->series[i];

				n += (size_t)snprintf(buf + n, cap - n,
				                      "%.3f,%" PRIu64 ",%" PRIu64 ",%" PRIu64
				                      ",%" PRIu64 ",%.3f",
				                      p->t, p->lines_registered, p->in_flight,
				                      p->rtt_p50, p->rtt_p99, p->busy_max);
				for (int c = 0; c < SW_ENGINE_C_MAX; c++)
					if (c != SW_ENGINE_C_TXN_IN_FLIGHT)
						n += (size_t)snprintf(buf + n, cap - n, ",%" PRIu64,
						                      p->d[c]);
				for (unsigned int k = 0; k < a->routes.n_servers; k++)
					n += (size_t)snprintf(buf + n, cap - n, ",%" PRIu64,
					                      p->srv_registered[k]);
				n += (size_t)snprintf(buf + n, cap - n, "\n");
			}
			int rc2 = write_atomic(a->o.csv, buf, n);

			if (rc2 < 0) {
				fprintf(stderr, "sipswarm: cannot write %s: %s\n", a->o.csv,
				        strerror(-rc2));
				rc = rc2;
			}
			free(buf);
		}
	}
	json_decref(root);

	/* the summary on the console */
	if (a->o.bench_generate_s > 0) {
		printf("\n== generation benchmark: %" PRIu64
		       " authenticated REGISTERs in %.2f s on "
		       "%u worker(s): %.0f per second (%.0f per worker), tx_full %" PRIu64 "\n",
		       s->c[SW_ENGINE_C_TX_REGISTER], elapsed, a->n_workers,
		       (double)s->c[SW_ENGINE_C_TX_REGISTER] / elapsed,
		       (double)s->c[SW_ENGINE_C_TX_REGISTER] / elapsed / a->n_workers, s->tx_full);
		print_second_rates(r);
	} else {
		printf("\n== results after %.1f s (%s)\n", elapsed, exit_reason);
		printf("  lines %" PRIu64 ", registered at the end %" PRIu64 " (%.2f%%)\n",
		       s->lines, s->lines_registered,
		       s->lines ? 100.0 * (double)s->lines_registered / (double)s->lines : 0.0);
		printf("  transactions: started %" PRIu64 " = answered %" PRIu64
		       " + timed out %" PRIu64 " + transport errors %" PRIu64
		       " + cancelled %" PRIu64 " + in flight %" PRIu64 " (%s)\n",
		       s->c[SW_ENGINE_C_TXN_STARTED], s->c[SW_ENGINE_C_TXN_ANSWERED],
		       s->c[SW_ENGINE_C_TXN_TIMEOUT], s->c[SW_ENGINE_C_TXN_TRANSPORT_ERROR],
		       s->c[SW_ENGINE_C_TXN_CANCELLED], s->c[SW_ENGINE_C_TXN_IN_FLIGHT],
		       r->accounting_ok ? "adds up at every second" : "DOES NOT ADD UP");
		printf("  round trip p50 %.2f ms, p99 %.2f ms; failovers %" PRIu64
		       ", failbacks %" PRIu64 "\n",
		       (double)sw_hist_quantile(&s->h[SW_ENGINE_H_RTT], 0.5) / 1e6,
		       (double)sw_hist_quantile(&s->h[SW_ENGINE_H_RTT], 0.99) / 1e6,
		       s->c[SW_ENGINE_C_FAILOVER], s->c[SW_ENGINE_C_FAILBACK]);
		print_failover(a, &fo);
	}
	if (saturated)
		printf("\n  WARNING: the generator saturated (%s; the limits: no drop, starts and "
		       "timers late by 10 ms at most at p99, real time): figures reflect sipswarm's "
		       "limits, not only the servers'.\n",
		       why);
	for (unsigned int t = 0; t < a->o.n_thr; t++)
		for (unsigned int i = 0; i < nf; i++)
			if (strcmp(f[i].name, a->o.thr[t].name) == 0)
				printf("  threshold %-28s value %-12g %s\n", a->o.thr[t].text,
				       f[i].v,
				       sw_threshold_holds(&a->o.thr[t], f[i].v) ? "ok"
				                                                : "BREACHED");
	if (a->o.results)
		printf("  results: %s\n", a->o.results);
	if (a->o.html)
		printf("  report: %s\n", a->o.html);
	if (a->o.csv)
		printf("  time series: %s\n", a->o.csv);
	fflush(stdout);
	if (!r->accounting_ok)
		return 3;
	return breached ? 1 : (rc < 0 ? 2 : 0);
}

/* ---- telemetry: /sipswarm/totals and /sipswarm/servers ---- */

static int
tel_totals(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	if (tel_report == NULL)
		return 0;
	rte_spinlock_lock(&tel_report->lock);
	const struct app_snapshot *s = &tel_report->cur;

	rte_tel_data_add_dict_u64(d, "t_s", (uint64_t)s->t);
	rte_tel_data_add_dict_u64(d, "lines", s->lines);
	rte_tel_data_add_dict_u64(d, "lines_registered", s->lines_registered);
	for (int i = 0; i < SW_ENGINE_C_MAX; i++)
		rte_tel_data_add_dict_u64(d, sw_engine_counter_name(i), s->c[i]);
	rte_tel_data_add_dict_u64(d, "rtt_p50_ns", sw_hist_quantile(&s->h[SW_ENGINE_H_RTT], 0.5));
	rte_tel_data_add_dict_u64(d, "rtt_p99_ns", sw_hist_quantile(&s->h[SW_ENGINE_H_RTT], 0.99));
	rte_spinlock_unlock(&tel_report->lock);
	return 0;
}

static int
tel_servers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	if (tel_report == NULL)
		return 0;
	rte_spinlock_lock(&tel_report->lock);
	for (unsigned int k = 0; k < SW_ENGINE_MAX_SERVERS; k++) {
		char name[32];

		if (tel_report->cur.srv_tx[k] == 0 && tel_report->cur.srv_registered[k] == 0)
			continue;
		snprintf(name, sizeof(name), "server%u_registered", k);
		rte_tel_data_add_dict_u64(d, name, tel_report->cur.srv_registered[k]);
		snprintf(name, sizeof(name), "server%u_sent", k);
		rte_tel_data_add_dict_u64(d, name, tel_report->cur.srv_tx[k]);
	}
	rte_spinlock_unlock(&tel_report->lock);
	return 0;
}

void
app_telemetry_init(struct app_report *r)
{
	tel_report = r;
	rte_telemetry_register_cmd(
	        "/sipswarm/totals", tel_totals,
	        "sipswarm totals: lines, registered, every counter, RTT p50/p99");
	rte_telemetry_register_cmd("/sipswarm/servers", tel_servers,
	                           "sipswarm per server: lines registered there, requests sent");
}
