/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipswarm-tool report merge and html. merge: the results files of a sharded run (sipswarm
 * --shard K/N on several machines, one -o each) as one. Counters add up, histograms merge bucket by bucket
 * (so the merged quantiles are those of all the lines), the per-second series are summed
 * second by second, and the failover report is computed again from the merged series.
 * What cannot be merged exactly is said so in the output: per-second round-trip quantiles are
 * the largest of the shards', the per-line unregistered-time quantiles the range of the
 * shards' (the merged one lies inside it); thresholds are not evaluated again. html: one
 * self-contained page of a results file (lib/report).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "sw_report.h"
#include "sw_stats_json.h"
#include "tool.h"

#define MAX_FILES   256
#define MAX_SECONDS (10 * 1000 * 1000) /* a series longer than 115 days is refused */

static void
usage(FILE *f)
{
	fprintf(f,
	        "usage: sipswarm-tool report merge [-o OUT] FILE...\n"
	        "       sipswarm-tool report html FILE [-o OUT.html]\n"
	        "\n"
	        "html: one self-contained page (inline SVG charts, no script) of a results\n"
	        "file: the run, generator health, the failover report, charts over time, the\n"
	        "histograms, figures, thresholds, totals, drops and parse errors.\n"
	        "\n"
	        "merge: "
	        "merges the results files of one sharded run (sipswarm --shard K/N -o FILE on\n"
	        "each machine) into one, written to OUT (atomically) or stdout. Every file must\n"
	        "have the same N and its own K; a missing shard is warned about and the output\n"
	        "says \"complete\": false. Exit status 0, or 2 for bad usage or input.\n");
}

/* dst.key += src.key for every integer of src (objects of counters) */
static void
sum_ints(json_t *dst, json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach(src, k, v)
	{
		json_t *d = json_object_get(dst, k);

		if (!json_is_integer(v))
			continue;
		if (d == NULL)
			json_object_set_new(dst, k, json_integer(json_integer_value(v)));
		else if (json_is_integer(d))
			json_integer_set(d, json_integer_value(d) + json_integer_value(v));
	}
}

/* the entry of array a whose "address" is addr, appended (empty) when there is none */
static json_t *
by_address(json_t *a, const char *addr)
{
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x)
	{
		if (strcmp(json_string_value(json_object_get(x, "address")), addr) == 0)
			return x;
	}
	x = json_pack("{s:s}", "address", addr);
	json_array_append_new(a, x);
	return x;
}

static void
merge_by_address(json_t *dst, json_t *src)
{
	size_t i;
	json_t *x;

	json_array_foreach(src, i, x)
	{
		const char *addr = json_string_value(json_object_get(x, "address"));

		if (addr != NULL)
			sum_ints(by_address(dst, addr), x);
	}
}

static double
num(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static void
set_max(json_t *dst, const char *k, double v)
{
	if (!json_is_number(json_object_get(dst, k)) || num(dst, k) < v)
		json_object_set_new(dst, k, json_real(v));
}

/* one second of the merged series: sums, the largest of the per-second quantiles */
static void
merge_point(json_t *dst, json_t *src)
{
	const char *k;
	json_t *v;

	sum_ints(dst, src);
	json_object_foreach(src, k, v)
	{
		if (strcmp(k, "rtt_p50_ns") == 0 || strcmp(k, "rtt_p99_ns") == 0 ||
		    strcmp(k, "busy_max") == 0) {
			set_max(dst, k, json_number_value(v));
		} else if (strcmp(k, "accounting_ok") == 0) {
			json_t *d = json_object_get(dst, k);

			json_object_set_new(
			        dst, k,
			        json_boolean(json_is_true(v) && (d == NULL || json_is_true(d))));
		} else if (strcmp(k, "registered_by_server") == 0 && json_is_array(v)) {
			json_t *d = json_object_get(dst, k);
			size_t i;
			json_t *x;

			if (d == NULL) {
				d = json_array();
				json_object_set_new(dst, k, d);
			}
			json_array_foreach(v, i, x)
			{
				json_int_t n = json_integer_value(x);

				if (i < json_array_size(d))
					json_integer_set(json_array_get(d, i),
					                 json_integer_value(json_array_get(d, i)) +
					                         n);
				else
					json_array_append_new(d, json_integer(n));
			}
		}
	}
}

static json_int_t
reg_at(const json_t *p, json_int_t sid)
{
	return json_integer_value(
	        json_array_get(json_object_get(p, "registered_by_server"), (size_t)sid));
}

/*
 * The failover report again, from the merged series (the rules sipswarm's report uses: the
 * lines on the failed server at its failure, the first second with a failover, the first with
 * at most 1 % of them left there, the REGISTERs until then, the first after recovery with 99 %
 * back).
 */
static json_t *
failover_again(json_t *const *fo, unsigned int n, json_t *series, const struct sw_hist *fo_time)
{
	double from = num(fo[0], "fault_from_s"), until = num(fo[0], "fault_until_s");
	json_int_t sid = json_integer_value(json_object_get(fo[0], "server"));
	json_int_t affected = 0, storm = 0, peak = 0;
	double detect = -1, settle = -1, back = -1;
	double gmin[2] = {1e300, 1e300}, gmax[2] = {-1, -1}, lmax = 0;
	json_int_t with_gap = 0;
	size_t i;
	json_t *p;

	for (unsigned int f = 0; f < n; f++) {
		const json_t *u = json_object_get(fo[f], "unregistered_per_line_s");
		const char *q[2] = {"p50", "p99"};

		if (num(fo[f], "fault_from_s") != from || num(fo[f], "fault_until_s") != until ||
		    json_integer_value(json_object_get(fo[f], "server")) != sid)
			return NULL; /* shards of different runs */
		for (int k = 0; k < 2; k++) {
			double v = num(u, q[k]);

			gmin[k] = v < gmin[k] ? v : gmin[k];
			gmax[k] = v > gmax[k] ? v : gmax[k];
		}
		lmax = num(u, "max") > lmax ? num(u, "max") : lmax;
		with_gap += json_integer_value(json_object_get(u, "lines_with_gap"));
	}
	json_array_foreach(series, i, p)
	{
		double t = num(p, "t");

		if (t <= from)
			affected = reg_at(p, sid);
	}
	json_array_foreach(series, i, p)
	{
		double t = num(p, "t");
		json_int_t r = reg_at(p, sid),
		           tx = json_integer_value(json_object_get(p, "tx_register"));

		if (t <= from)
			continue;
		if (detect < 0 && json_integer_value(json_object_get(p, "failover")) > 0)
			detect = t - from;
		if (settle < 0 && affected > 0 && r * 100 <= affected)
			settle = t - from;
		if (settle < 0 || t <= from + settle) {
			storm += tx;
			peak = tx > peak ? tx : peak;
		}
		if (until > 0 && t > until && back < 0 && affected > 0 && r * 100 >= affected * 99)
			back = t - until;
	}
	json_t *o = json_pack("{s:f,s:f,s:I,s:I}", "fault_from_s", from, "fault_until_s", until,
	                      "server", sid, "affected_lines", affected);

	/* the shards' 10 ms series stay in their runs: the merge has the per-second one */
	json_object_set_new(o, "resolution_s", json_real(1));
	json_object_set_new(o, "detect_s", detect >= 0 ? json_real(detect) : json_null());
	json_object_set_new(o, "registered_elsewhere_99_s",
	                    settle >= 0 ? json_real(settle) : json_null());
	json_object_set_new(o, "failback_99_s", back >= 0 ? json_real(back) : json_null());
	json_object_set_new(o, "storm_registers", json_integer(storm));
	json_object_set_new(o, "storm_peak_per_s", json_real((double)peak));
	json_object_set_new(o, "unregistered_per_line_s",
	                    json_pack("{s:[f,f],s:[f,f],s:f,s:I,s:s}", "p50_range_of_shards",
	                              gmin[0], gmax[0], "p99_range_of_shards", gmin[1], gmax[1],
	                              "max", lmax, "lines_with_gap", with_gap, "note",
	                              "per-line quantiles do not merge: the merged one lies in the "
	                              "shards' range"));
	if (fo_time != NULL)
		json_object_set_new(o, "failover_time_s",
		                    json_pack("{s:f,s:f,s:f,s:I}", "p50",
		                              (double)sw_hist_quantile(fo_time, 0.5) / 1e9, "p99",
		                              (double)sw_hist_quantile(fo_time, 0.99) / 1e9, "max",
		                              (double)fo_time->max / 1e9, "count",
		                              (json_int_t)fo_time->count));
	return o;
}

static int
write_out(const char *path, const json_t *root)
{
	if (path == NULL) {
		if (json_dumpf(root, stdout, JSON_INDENT(1)) < 0)
			return -EIO;
		putchar('\n');
		return 0;
	}
	/* written whole to a temporary file beside it, then renamed: never half a file */
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (json_dump_file(root, tmp, JSON_INDENT(1)) < 0 || rename(tmp, path) < 0) {
		int e = errno ? errno : EIO;

		unlink(tmp);
		return -e;
	}
	return 0;
}

static int
merge(int argc, char **argv)
{
	const char *out = NULL;
	json_t *in[MAX_FILES];
	const char *name[MAX_FILES];
	unsigned int n = 0;
	int rc = SW_TOOL_EUSAGE;

	for (int i = 0; i < argc; i++) {
		json_error_t je;

		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
			continue;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (n == MAX_FILES) {
			fprintf(stderr, "sipswarm-tool report merge: at most %d files\n",
			        MAX_FILES);
			goto done;
		}
		name[n] = argv[i];
		in[n] = json_load_file(argv[i], 0, &je);
		if (in[n] == NULL) {
			fprintf(stderr, "%s:%d: %s\n", argv[i], je.line, je.text);
			goto done;
		}
		json_t *sh = json_object_get(json_object_get(in[n], "run"), "shard");

		if (!json_is_array(sh) || json_array_size(sh) != 2 ||
		    !json_is_object(json_object_get(in[n], "totals"))) {
			fprintf(stderr,
			        "%s: not a sipswarm results file (no run.shard or totals)\n",
			        argv[i]);
			n++;
			goto done;
		}
		n++;
	}
	if (n == 0) {
		usage(stderr);
		return SW_TOOL_EUSAGE;
	}

	/* the shards: one N, distinct K */
	json_int_t shard_n = json_integer_value(
	        json_array_get(json_object_get(json_object_get(in[0], "run"), "shard"), 1));
	unsigned char *seen = calloc((size_t)(shard_n > 0 ? shard_n : 1), 1);
	json_t *shards = json_array();

	for (unsigned int f = 0; f < n; f++) {
		json_t *sh = json_object_get(json_object_get(in[f], "run"), "shard");
		json_int_t k = json_integer_value(json_array_get(sh, 0)),
		           nn = json_integer_value(json_array_get(sh, 1));

		if (nn != shard_n || k < 0 || k >= nn || seen == NULL) {
			fprintf(stderr,
			        "%s: shard %lld/%lld does not belong with shard n = %lld of %s\n",
			        name[f], (long long)k, (long long)nn, (long long)shard_n, name[0]);
			free(seen);
			json_decref(shards);
			goto done;
		}
		if (seen[k]++) {
			fprintf(stderr, "%s: shard %lld/%lld given twice\n", name[f], (long long)k,
			        (long long)nn);
			free(seen);
			json_decref(shards);
			goto done;
		}
		json_array_append_new(shards, json_pack("[I,I]", k, nn));
	}
	bool complete = true;

	for (json_int_t k = 0; k < shard_n; k++)
		if (!seen[k]) {
			fprintf(stderr,
			        "sipswarm-tool report merge: warning: shard %lld/%lld missing\n",
			        (long long)k, (long long)shard_n);
			complete = false;
		}
	free(seen);

	/* run, totals and the objects of counters */
	json_t *root = json_object(), *run = json_object(), *totals = json_object();
	json_t *pe = json_object(), *nd = json_object(), *dns = json_object(), *gen = json_object();
	json_t *servers = json_array(), *cluster = json_array(), *busy = json_array();
	double elapsed = 0;
	bool acct = true, saturated = false, have_cluster = false;
	json_int_t lines = 0, workers = 0, cap = 0;
	double rate = 0;
	const char *reason = NULL;

	for (unsigned int f = 0; f < n; f++) {
		json_t *r = json_object_get(in[f], "run"), *g = json_object_get(in[f], "generator");
		const char *why = json_string_value(json_object_get(r, "exit_reason"));

		lines += json_integer_value(json_object_get(r, "lines"));
		/* each shard ran its own rate and in-flight limit: the run's are their sums */
		rate += num(json_object_get(r, "load"), "rate");
		cap += json_integer_value(
		        json_object_get(json_object_get(r, "load"), "max_in_flight"));
		workers += json_integer_value(json_object_get(r, "workers"));
		elapsed = num(r, "elapsed_s") > elapsed ? num(r, "elapsed_s") : elapsed;
		if (why != NULL)
			reason = reason == NULL || strcmp(reason, why) == 0 ? why : "mixed";
		sum_ints(totals, json_object_get(in[f], "totals"));
		sum_ints(pe, json_object_get(in[f], "parse_errors"));
		sum_ints(nd, json_object_get(in[f], "net_drops"));
		sum_ints(dns, json_object_get(in[f], "dns"));
		sum_ints(gen, g);
		json_array_extend(busy, json_object_get(g, "busy_share"));
		saturated |= json_is_true(json_object_get(g, "saturated"));
		acct &= json_is_true(json_object_get(in[f], "accounting_ok"));
		merge_by_address(servers, json_object_get(in[f], "servers"));
		if (json_is_array(json_object_get(in[f], "cluster"))) {
			merge_by_address(cluster, json_object_get(in[f], "cluster"));
			have_cluster = true;
		}
	}
	const json_t *r0 = json_object_get(in[0], "run");

	json_object_set(run, "version", json_object_get(r0, "version"));
	json_object_set_new(run, "lines", json_integer(lines));
	json_object_set_new(run, "workers", json_integer(workers));
	json_object_set_new(run, "shard", json_pack("[I,I]", (json_int_t)0, (json_int_t)1));
	json_object_set_new(run, "merged_shards", shards);
	json_object_set_new(run, "complete", json_boolean(complete));
	json_object_set_new(run, "elapsed_s", json_real(elapsed));
	json_object_set_new(run, "exit_reason", json_string(reason ? reason : "?"));
	if (json_is_object(json_object_get(r0, "load"))) {
		json_t *load = json_deep_copy(json_object_get(r0, "load"));

		json_object_set_new(load, "rate", json_real(rate));
		json_object_set_new(load, "max_in_flight", json_integer(cap));
		json_object_set_new(run, "load", load);
	}
	json_object_set(run, "bytes_per_line", json_object_get(r0, "bytes_per_line"));
	json_object_set(run, "configs", json_object_get(r0, "configs"));
	json_object_set_new(root, "run", run);
	json_object_set_new(root, "totals", totals);
	json_object_set_new(root, "parse_errors", pe);
	json_object_set_new(root, "net_drops", nd);
	json_object_set_new(root, "servers", servers);

	/* histograms, bucket by bucket */
	json_t *hists = json_object();
	struct sw_hist *fo_time = NULL, h, m;
	const char *hk;
	json_t *hv;

	json_object_foreach(json_object_get(in[0], "histograms"), hk, hv)
	{
		memset(&m, 0, sizeof(m));
		for (unsigned int f = 0; f < n; f++) {
			const json_t *o = json_object_get(json_object_get(in[f], "histograms"), hk);

			if (o != NULL && sw_hist_from_json(&h, o, 1e9) < 0) {
				fprintf(stderr, "%s: histograms.%s: not a sipswarm histogram\n",
				        name[f], hk);
				json_decref(root);
				json_decref(hists);
				json_decref(cluster);
				json_decref(busy);
				json_decref(dns);
				json_decref(gen);
				goto done;
			}
			if (o != NULL)
				sw_hist_merge(&m, &h);
		}
		json_object_set_new(hists, hk, sw_hist_to_json(&m, 1e9));
		if (strcmp(hk, "timer_late_s") == 0)
			json_object_set_new(gen, "timer_late_p99_s",
			                    json_real((double)sw_hist_quantile(&m, 0.99) / 1e9));
		else if (strcmp(hk, "start_lag_s") == 0)
			json_object_set_new(gen, "start_lag_p99_s",
			                    json_real((double)sw_hist_quantile(&m, 0.99) / 1e9));
		else if (strcmp(hk, "failover_s") == 0 && (fo_time = malloc(sizeof(m))) != NULL)
			*fo_time = m;
	}
	json_object_set_new(root, "histograms", hists);
	json_object_set_new(gen, "busy_share", busy);
	json_object_set_new(gen, "saturated", json_boolean(saturated));
	json_object_set_new(root, "generator", gen);
	json_object_set_new(root, "dns", dns);

	/* the accounting identity on the sums, and every shard's own verdict */
	json_int_t st = json_integer_value(json_object_get(totals, "txn_started"));
	json_int_t ended = 0;
	const char *parts[] = {"txn_answered", "txn_timeout", "txn_transport_error",
	                       "txn_cancelled", "txn_in_flight"};

	for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
		ended += json_integer_value(json_object_get(totals, parts[k]));
	json_object_set_new(root, "accounting_ok", json_boolean(acct && st == ended));

	/* the series, second by second */
	json_t **sec = NULL, *series = json_array();
	size_t nsec = 0;

	for (unsigned int f = 0; f < n; f++) {
		size_t i, last = 0;
		json_t *p;

		json_array_foreach(json_object_get(in[f], "series"), i, p)
		{
			/* the second a point is for: its t rounded, or the next one when its shard
			 * had that one already (the final point of a run, a fraction of a second
			 * after the last whole one) */
			double t = num(p, "t");
			size_t s = t > 0 ? (size_t)(t + 0.5) : 0;

			if (i > 0 && s <= last)
				s = last + 1;
			last = s;
			if (s >= MAX_SECONDS)
				continue;
			if (s >= nsec) {
				size_t nn = s + 1 > 2 * nsec ? s + 1 : 2 * nsec;
				json_t **x = realloc(sec, nn * sizeof(*sec));

				if (x == NULL)
					continue;
				memset(x + nsec, 0, (nn - nsec) * sizeof(*x));
				sec = x;
				nsec = nn;
			}
			if (sec[s] == NULL)
				sec[s] = json_pack("{s:f}", "t", t);
			merge_point(sec[s], p);
			set_max(sec[s], "t", t);
		}
	}
	for (size_t s = 0; s < nsec; s++)
		if (sec[s] != NULL)
			json_array_append_new(series, sec[s]);
	free(sec);

	/* the failover report from the merged series */
	json_t *fo[MAX_FILES];
	unsigned int nfo = 0;

	for (unsigned int f = 0; f < n; f++)
		if (json_is_object(json_object_get(in[f], "failover")))
			fo[nfo++] = json_object_get(in[f], "failover");
	if (nfo == n) {
		json_t *o = failover_again(fo, nfo, series, fo_time);

		if (o != NULL)
			json_object_set_new(root, "failover", o);
		else
			fprintf(stderr, "sipswarm-tool report merge: warning: the shards' faults "
			                "differ; no failover report\n");
	}
	free(fo_time);
	if (have_cluster)
		json_object_set_new(root, "cluster", cluster);
	else
		json_decref(cluster);
	json_object_set_new(root, "series", series);
	json_object_set_new(root, "merge_notes",
	                    json_pack("[s,s]",
	                              "series: rtt_p50_ns, rtt_p99_ns and busy_max are the largest "
	                              "of the shards' for that second",
	                              "thresholds and figures are not evaluated again"));
	rc = write_out(out, root);
	if (rc < 0)
		fprintf(stderr, "sipswarm-tool report merge: cannot write %s: %s\n",
		        out ? out : "stdout", strerror(-rc));
	rc = rc < 0 ? SW_TOOL_EUSAGE : 0;
	json_decref(root);
done:
	for (unsigned int f = 0; f < n; f++)
		json_decref(in[f]);
	return rc;
}

/* report html: the page of lib/report for a results file */
static int
html(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	json_error_t je;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (in == NULL && argv[i][0] != '-')
			in = argv[i];
		else {
			fprintf(stderr, "usage: sipswarm-tool report html FILE [-o OUT.html]\n");
			return SW_TOOL_EUSAGE;
		}
	}
	if (in == NULL) {
		fprintf(stderr, "usage: sipswarm-tool report html FILE [-o OUT.html]\n");
		return SW_TOOL_EUSAGE;
	}
	json_t *r = json_load_file(in, 0, &je);

	if (r == NULL) {
		fprintf(stderr, "%s:%d: %s\n", in, je.line, je.text);
		return SW_TOOL_EUSAGE;
	}
	if (!json_is_object(json_object_get(r, "run")) ||
	    !json_is_object(json_object_get(r, "totals"))) {
		fprintf(stderr, "%s: not a sipswarm results file (no run or totals)\n", in);
		json_decref(r);
		return SW_TOOL_EUSAGE;
	}
	size_t len = 0;
	char *html = sw_report_html(r, in, &len);

	json_decref(r);
	if (html == NULL) {
		fprintf(stderr, "sipswarm-tool report html: %s: %s\n", in, strerror(errno));
		return SW_TOOL_EUSAGE;
	}
	if (out == NULL) {
		fwrite(html, 1, len, stdout);
		free(html);
		return 0;
	}
	/* written whole to a temporary file beside it, then renamed: never half a page */
	char tmp[4096];
	FILE *f;
	bool bad;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid());
	f = fopen(tmp, "w");
	bad = f == NULL || fwrite(html, 1, len, f) != len;
	if (f != NULL)
		bad |= fclose(f) != 0;
	free(html);
	if (bad || rename(tmp, out) < 0) {
		fprintf(stderr, "sipswarm-tool report html: cannot write %s: %s\n", out,
		        strerror(errno ? errno : EIO));
		unlink(tmp);
		return SW_TOOL_EUSAGE;
	}
	return 0;
}

int
sw_tool_report(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "merge") == 0)
		return merge(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "html") == 0)
		return html(argc - 2, argv + 2);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return SW_TOOL_EUSAGE;
}
