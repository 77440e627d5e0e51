/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A results file (sipswarm -o, or sipswarm-tool report merge) as one self-contained HTML
 * page: the run, generator health, the failover report, totals, thresholds, and charts drawn
 * as inline SVG (no script, no network): lines registered per server, requests and answers
 * per second, round trips per second, and the histograms. Written with stdio into a memory
 * stream: this is the end of a run or an offline tool, never a worker's hot path.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "sw_report.h"

#define W  760 /* chart size, px */
#define H  240
#define ML 64 /* margins */
#define MR 16
#define MT 28
#define MB 36

static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                     "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

/* text for HTML: &, <, > and quotes escaped */
static void
esc(FILE *f, const char *s)
{
	for (; s != NULL && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static double
num(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* a round step for an axis from 0 to max: 1, 2 or 5 x 10^k, about 5 ticks */
static double
tick_step(double max)
{
	double raw = max / 5, p = pow(10, floor(log10(raw > 0 ? raw : 1)));

	return raw <= p ? p : raw <= 2 * p ? 2 * p : raw <= 5 * p ? 5 * p : 10 * p;
}

static void
fmt_si(char *b, size_t n, double v)
{
	double a = fabs(v);

	if (a >= 1e9)
		snprintf(b, n, "%gG", v / 1e9);
	else if (a >= 1e6)
		snprintf(b, n, "%gM", v / 1e6);
	else if (a >= 1e3)
		snprintf(b, n, "%gk", v / 1e3);
	else
		snprintf(b, n, "%g", v);
}

/* the frame, grid and axes of a chart whose x runs 0..xmax and y 0..ymax */
static void
frame(FILE *f, const char *title, const char *xlabel, double xmax, double ymax)
{
	char b[32];

	fprintf(f,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n",
	        W, H, W, H);
	fprintf(f, "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">", ML);
	esc(f, title);
	fputs("</text>\n", f);
	for (double y = 0, s = tick_step(ymax); y <= ymax * 1.0001; y += s) {
		double py = H - MB - (H - MT - MB) * (ymax > 0 ? y / ymax : 0);

		fmt_si(b, sizeof(b), y);
		fprintf(f,
		        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
		        "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
		        ML, py, W - MR, py, ML - 4, py + 4, b);
	}
	for (double x = 0, s = tick_step(xmax); x <= xmax * 1.0001; x += s) {
		double px = ML + (W - ML - MR) * (xmax > 0 ? x / xmax : 0);

		fmt_si(b, sizeof(b), x);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", px,
		        H - MB + 14, b);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (W + ML) / 2, H - 6);
	esc(f, xlabel);
	fputs("</text>\n", f);
	fprintf(f,
	        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
	        "stroke=\"#888\"/>\n",
	        ML, MT, W - ML - MR, H - MT - MB);
}

static void
legend(FILE *f, unsigned int k, const char *name)
{
	fprintf(f,
	        "<rect x=\"%u\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
	        "<text x=\"%u\" y=\"%d\">",
	        ML + 8 + k * 150, MT + 6, colors[k % 8], ML + 22 + k * 150, MT + 15);
	esc(f, name);
	fputs("</text>\n", f);
}

/* the value of series point p for curve c: a field, or element idx of an array field */
struct curve {
	const char *name;
	const char *field;
	int idx;      /* -1: the field itself */
	double scale; /* multiplies the value */
};

static double
value(const json_t *p, const struct curve *c)
{
	const json_t *v = json_object_get(p, c->field);

	if (c->idx >= 0)
		v = json_array_get(v, (size_t)c->idx);
	return json_number_value(v) * c->scale;
}

/* curves over the series' t; per-second counters are per second already */
static void
line_chart(FILE *f, const char *title, json_t *series, const struct curve *cv, unsigned int n)
{
	double xmax = 0, ymax = 0;
	size_t i;
	json_t *p;

	json_array_foreach(series, i, p)
	{
		xmax = num(p, "t") > xmax ? num(p, "t") : xmax;
		for (unsigned int c = 0; c < n; c++)
			ymax = value(p, &cv[c]) > ymax ? value(p, &cv[c]) : ymax;
	}
	if (ymax <= 0)
		ymax = 1;
	ymax = ceil(ymax / tick_step(ymax)) * tick_step(ymax);
	frame(f, title, "seconds since the start", xmax, ymax);
	for (unsigned int c = 0; c < n; c++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"",
		        colors[c % 8]);
		json_array_foreach(series, i, p)
		{
			double x = ML + (W - ML - MR) * (xmax > 0 ? num(p, "t") / xmax : 0);
			double y = H - MB - (H - MT - MB) * value(p, &cv[c]) / ymax;

			fprintf(f, "%.1f,%.1f ", x, y);
		}
		fputs("\"/>\n", f);
		legend(f, c, cv[c].name);
	}
	fputs("</svg>\n", f);
}

/* a histogram's buckets as bars over a logarithmic axis of seconds */
static void
hist_chart(FILE *f, const char *title, json_t *h)
{
	json_t *b = json_object_get(h, "buckets");
	double lo = 1e300, hi = 0, cmax = 0;
	size_t i;
	json_t *x;

	json_array_foreach(b, i, x)
	{
		double l = json_number_value(json_array_get(x, 0)),
		       u = json_number_value(json_array_get(x, 1)),
		       c = (double)json_integer_value(json_array_get(x, 2));

		if (l > 0 && l < lo)
			lo = l;
		hi = u > hi ? u : hi;
		cmax = c > cmax ? c : cmax;
	}
	if (cmax == 0 || !(hi > lo))
		return;
	double a = floor(log10(lo)), z = ceil(log10(hi)), ymax = cmax;

	fprintf(f,
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "font-family=\"sans-serif\" font-size=\"11\">\n",
	        W, H);
	fprintf(f, "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">", ML);
	esc(f, title);
	fprintf(f, " (%lld, p50 %.3g s, p99 %.3g s, max %.3g s)</text>\n",
	        (long long)json_integer_value(json_object_get(h, "count")), num(h, "p50"),
	        num(h, "p99"), num(h, "max"));
	fprintf(f,
	        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
	        "stroke=\"#888\"/>\n",
	        ML, MT, W - ML - MR, H - MT - MB);
	for (double e = a; e <= z; e++) {
		double px = ML + (W - ML - MR) * (e - a) / (z - a);

		fprintf(f,
		        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
		        "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">1e%.0f s</text>\n",
		        px, MT, px, H - MB, px, H - MB + 14, e);
	}
	json_array_foreach(b, i, x)
	{
		double l = json_number_value(json_array_get(x, 0)),
		       u = json_number_value(json_array_get(x, 1)) + 1e-9,
		       c = (double)json_integer_value(json_array_get(x, 2));
		double x0 = ML + (W - ML - MR) * (log10(l > 0 ? l : lo) - a) / (z - a),
		       x1 = ML + (W - ML - MR) * (log10(u) - a) / (z - a);
		double hgt = (H - MT - MB) * c / ymax;

		fprintf(f,
		        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		        "fill=\"%s\"/>\n",
		        x0, H - MB - hgt, x1 - x0 > 1 ? x1 - x0 : 1, hgt, colors[0]);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%lld</text>\n", ML - 4, MT + 8,
	        (long long)cmax);
	fputs("</svg>\n", f);
}

/* a table of an object's numbers */
static void
table(FILE *f, const char *title, json_t *o)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return;
	fputs("<h2>", f);
	esc(f, title);
	fputs("</h2>\n<table>\n", f);
	json_object_foreach(o, k, v)
	{
		fputs("<tr><td>", f);
		esc(f, k);
		fputs("</td><td class=\"n\">", f);
		if (json_is_integer(v))
			fprintf(f, "%lld", (long long)json_integer_value(v));
		else if (json_is_real(v))
			fprintf(f, "%.6g", json_real_value(v));
		else if (json_is_boolean(v))
			fputs(json_is_true(v) ? "yes" : "no", f);
		else if (json_is_null(v))
			fputs("-", f);
		else if (json_is_string(v))
			esc(f, json_string_value(v));
		else {
			char *t = json_dumps(v, JSON_COMPACT);

			esc(f, t);
			free(t);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void
page(FILE *f, const char *src, json_t *r)
{
	json_t *run = json_object_get(r, "run"), *gen = json_object_get(r, "generator");
	json_t *series = json_object_get(r, "series");

	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>sipswarm: ", f);
	esc(f, src);
	fputs("</title>\n<style>body{font-family:sans-serif;max-width:800px;margin:2em auto}"
	      "table{border-collapse:collapse}td{padding:1px 10px;border-bottom:1px solid #eee}"
	      "td.n{text-align:right;font-family:monospace}.warn{background:#fdd;padding:6px}"
	      "</style></head><body>\n<h1>sipswarm results</h1>\n<p>",
	      f);
	esc(f, src);
	fprintf(f, ": %lld lines on %lld worker(s), %.1f s, ",
	        (long long)json_integer_value(json_object_get(run, "lines")),
	        (long long)json_integer_value(json_object_get(run, "workers")),
	        num(run, "elapsed_s"));
	esc(f, json_string_value(json_object_get(run, "exit_reason")));
	fprintf(f, "; counters add up: %s.</p>\n",
	        json_is_true(json_object_get(r, "accounting_ok")) ? "yes" : "NO");
	if (json_is_true(json_object_get(gen, "saturated")))
		fputs("<p class=\"warn\">The generator saturated (drops, or starts or timers late "
		      "by over 10 ms at p99): figures reflect sipswarm's limits, not only the "
		      "servers'.</p>\n",
		      f);
	if (json_array_size(series) > 0) {
		struct curve reg[8];
		char names[8][64];
		unsigned int ns = 0;
		size_t i;
		json_t *s;

		json_array_foreach(json_object_get(r, "servers"), i, s)
		{
			if (ns == 8)
				break;
			snprintf(names[ns], sizeof(names[ns]), "%s",
			         json_string_value(json_object_get(s, "address")));
			reg[ns] = (struct curve){names[ns], "registered_by_server", (int)ns, 1};
			ns++;
		}
		fputs("<h2>Over time</h2>\n", f);
		line_chart(f, "lines registered, per server", series, reg, ns);
		static const struct curve rate[] = {
		        {"REGISTER sent/s", "tx_register", -1, 1},
		        {"2xx/s", "rx_2xx", -1, 1},
		        {"401/s", "rx_401", -1, 1},
		        {"timeouts/s", "txn_timeout", -1, 1},
		        {"5xx/s", "rx_5xx", -1, 1},
		};
		line_chart(f, "requests and answers per second", series, rate, 5);
		static const struct curve rtt[] = {
		        {"p50 ms", "rtt_p50_ns", -1, 1e-6},
		        {"p99 ms", "rtt_p99_ns", -1, 1e-6},
		};
		line_chart(f, "round trip per second, ms (from the intended send time)", series,
		           rtt, 2);
	}
	table(f, "Failover report", json_object_get(r, "failover"));
	table(f, "Generator health", gen);
	fputs("<h2>Distributions</h2>\n", f);
	const char *k;
	json_t *h;

	json_object_foreach(json_object_get(r, "histograms"), k, h)
	{
		if (json_integer_value(json_object_get(h, "count")) > 0)
			hist_chart(f, k, h);
	}
	table(f, "Figures", json_object_get(r, "figures"));
	if (json_array_size(json_object_get(r, "thresholds")) > 0) {
		size_t i;
		json_t *t;

		fputs("<h2>Thresholds</h2>\n<table>\n", f);
		json_array_foreach(json_object_get(r, "thresholds"), i, t)
		{
			fputs("<tr><td>", f);
			esc(f, json_string_value(json_object_get(t, "threshold")));
			fprintf(f, "</td><td class=\"n\">%.6g</td><td>%s</td></tr>\n",
			        num(t, "value"),
			        json_is_true(json_object_get(t, "ok")) ? "held" : "BREACHED");
		}
		fputs("</table>\n", f);
	}
	table(f, "Totals", json_object_get(r, "totals"));
	table(f, "Drops below SIP, by reason", json_object_get(r, "net_drops"));
	table(f, "Parse errors, by reason", json_object_get(r, "parse_errors"));
	fputs("</body></html>\n", f);
}

char *
sw_report_html(json_t *results, const char *title, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	if (!json_is_object(json_object_get(results, "run")) ||
	    !json_is_object(json_object_get(results, "totals"))) {
		errno = EINVAL;
		return NULL;
	}
	f = open_memstream(&buf, &n);
	if (f == NULL)
		return NULL;
	page(f, title, results);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (len != NULL)
		*len = n;
	return buf;
}
