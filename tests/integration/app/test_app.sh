#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sipswarm end to end through a DPDK port pair: usage errors, a failover run against the
# emulated cluster whose results are checked field by field, thresholds and exit statuses.
set -euo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# usage and configuration errors: one line, exit status 2, before EAL starts
for args in "--bogus" "--rate x" "--shard 3/2" "--threshold nope<1" "-c /nonexistent.cfg" \
	"--progress loud"; do
	set +e
	out=$("$bin" $args 2>&1)
	rc=$?
	set -e
	[ "$rc" = 2 ] || fail "'$args' exited $rc, want 2"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "'$args' printed more than one line: $out"
	case "$out" in sipswarm:*) ;; *) fail "'$args': $out" ;; esac
done
printf '#!version:1.0.0.1\naccount.1.enable = 1\naccount.1.sip_server.1.expires = 5\n' >"$dir/bad.cfg"
set +e
out=$("$bin" -c "$dir/bad.cfg" 2>&1)
rc=$?
set -e
[ "$rc" = 2 ] || fail "bad config exited $rc"
case "$out" in *bad.cfg:3*expires*) ;; *) fail "bad config message: $out" ;; esac
"$bin" --help >"$dir/help.txt" || fail "--help exited $?"
grep -q -- "--threshold" "$dir/help.txt" || fail "--help"

# the embedded default, 6 times faster: 90 s of run time in about 15 s
"$bin" --time-scale 6 --progress compact -o "$dir/r.json" --csv "$dir/r.csv" --html "$dir/r.html" \
	--threshold 'register_success>0.999' --threshold 'failover_time_p99<5s' \
	>"$dir/out.txt" 2>&1 || {
	cat "$dir/out.txt"
	fail "the demo run exited $?"
}
grep -q "failover report" "$dir/out.txt" || fail "no failover report"
# the page: every chart (3 over time, one per non-empty histogram) and the report's figures
[ "$(grep -c '<svg ' "$dir/r.html")" -ge 5 ] || fail "--html: too few charts"
grep -q "lines registered, per server" "$dir/r.html" && grep -q "registered_elsewhere_99_s" \
	"$dir/r.html" || fail "--html: the page lacks the charts or the failover report"
python3 - "$dir/r.json" "$dir/r.csv" <<'PY'
import csv, json, sys
r = json.load(open(sys.argv[1]))
t = r["totals"]
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
check(r["accounting_ok"], "counters do not add up at some second")
ended = t["txn_answered"] + t["txn_timeout"] + t["txn_transport_error"] + t["txn_cancelled"]
check(t["txn_started"] == ended + t["txn_in_flight"], "sent != ended + in flight at the end")
check(r["run"]["lines"] == 10000, "lines")
check(t["lines_registered"] == 10000, "not every line registered at the end")
check(t["rx_401"] >= 10000 and t["tx_auth"] >= 10000, "digest authentication not used")
check(t["auth_failed"] == 0 and t["rx_parse_error"] == 0, "auth failures or parse errors")
fo = r["failover"]
check(fo["affected_lines"] == 10000, "affected lines %d" % fo["affected_lines"])
# detect, 99 % elsewhere and 99 % back from the 10 ms series (the demo's fault is 40 s)
check(fo["resolution_s"] == 0.01, "failover times at %s s resolution" % fo["resolution_s"])
check(0 < fo["detect_s"] < fo["registered_elsewhere_99_s"] < 40, "detect / 99 % elsewhere")
check(fo["detect_s"] is not None and fo["registered_elsewhere_99_s"] is not None,
      "no failover measured")
check(fo["failback_99_s"] is not None, "lines did not fail back")
srv = r["servers"]
check(srv[0]["registered_end"] == 10000, "not back on the primary at the end")
# during the outage (t = 30..55) the primary held no line, the secondary all of them
mid = [p for p in r["series"] if 45 <= p["t"] <= 55]
check(mid and all(p["registered_by_server"][0] == 0 for p in mid), "primary held lines mid-outage")
check(all(p["registered_by_server"][1] == 10000 for p in mid), "secondary did not hold them all")
# the cluster saw what the generator sent
cl = r["cluster"]
check(sum(s["auth_ok"] for s in cl) > 0 and sum(s["auth_fail"] for s in cl) == 0, "cluster auth")
check(cl[0]["dropped_silent"] > 0, "the primary's silence dropped nothing")
# both cores' work is stated: 10,000 lines keep each of them far from its limit
g = r["generator"]
check(0 < r["cluster_busy_share"] < 0.5 and r["cluster_busy_s"] > 0, "cluster busy share")
check(0 < g["busy_s"][0] and 0 < g["busy_share"][0] < 0.5, "generator busy")
check(r["thresholds"][0]["ok"] and r["thresholds"][1]["ok"], "threshold")
# every failover ended registered at the next target; the time is the phones' give-up time
# (retry_counts 2 at T1 100 ms: 0.7 s) plus the 401 round, well under the 5 s threshold
ft = fo["failover_time_s"]
check(ft["count"] > 0 and ft["count"] <= t["failover"], "failover times counted")
check(0.6 <= ft["p50"] <= ft["p99"] <= ft["max"] < 5, "failover time %s" % ft)
check(r["histograms"]["failover_s"]["count"] == ft["count"], "failover histogram")
rows = list(csv.DictReader(open(sys.argv[2])))
check(len(rows) == len(r["series"]), "CSV rows != series points")
check(sum(int(x["tx_register"]) for x in rows) == t["tx_register"], "CSV does not add up")
print("app-pair: ok (%d series points, %d REGISTERs)" % (len(rows), t["tx_register"]))
PY

# a breached threshold: exit status 1
set +e
"$bin" --time-scale 20 --duration 10 --progress none --threshold 'failovers<0' >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "a breached threshold exited $rc, want 1"
# the live figures on DPDK telemetry, read with DPDK's own client while a run goes on; the
# run leaves nothing in /var/run/dpdk (--no-shconf by default; 12 MiB of RAM a run before)
"$bin" --duration 5 --progress none >"$dir/tel.txt" 2>&1 &
run=$!
sleep 3
echo /sipswarm/totals | dpdk-telemetry.py -f "sipswarm$run" >"$dir/tel.json" 2>&1 || true
echo /sipswarm/servers | dpdk-telemetry.py -f "sipswarm$run" >>"$dir/tel.json" 2>&1 || true
wait "$run" || fail "the telemetry run exited $?"
python3 - "$dir/tel.json" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
dec, objs, i = json.JSONDecoder(), [], 0
while i < len(text):
    if text[i] == "{":
        o, i = dec.raw_decode(text, i)
        objs.append(o)
    else:
        i += 1
tot = [o["/sipswarm/totals"] for o in objs if "/sipswarm/totals" in o]
srv = [o["/sipswarm/servers"] for o in objs if "/sipswarm/servers" in o]
if not tot or not srv:
    sys.exit("FAIL: telemetry: no /sipswarm/totals or /sipswarm/servers in: " + text[:300])
t = tot[0]
if not (t["lines"] == 10000 and t["lines_registered"] > 0 and t["tx_register"] > 0):
    sys.exit("FAIL: telemetry totals: %s" % t)
print("telemetry: t=%s s, %d lines registered, %d REGISTERs" % (t["t_s"], t["lines_registered"],
      t["tx_register"]))
PY
[ ! -e "/var/run/dpdk/sipswarm$run" ] || fail "the run left /var/run/dpdk/sipswarm$run behind"

# failures by reason in the live progress: 503s from the primary while lines start
printf 'at 2 until 4 server 1 503 retry_after 1\n' >"$dir/503.sched"
"$bin" --duration 6 --schedule "$dir/503.sched" >"$dir/503.txt" 2>&1 || fail "503 run exited $?"
grep -Eq 'failures: .* 5xx [1-9][0-9.k]*/s' "$dir/503.txt" || fail "no 5xx in the progress: $(cat "$dir/503.txt")"
"$bin" --duration 6 --schedule "$dir/503.sched" --progress compact >"$dir/503c.txt" 2>&1 ||
	fail "503 compact run exited $?"
grep -Eq '^t=[0-9]+ .* err=[1-9][0-9.k]*/s' "$dir/503c.txt" || fail "no err= in the compact progress"

# the start schedule begins once the workers are set up: 400,000 lines take a good part of a
# second to lay out, and lines due in that time must not all go in the first poll
"$bin" --print-demo | sed -e '/^# cluster schedule/,$d' -e 's/swarm.phones = 5000/swarm.phones = 200000/' \
	-e 's/swarm.src_ip_count = 5000/swarm.src_ip_count = 65536/' >"$dir/big.cfg"
"$bin" -c "$dir/big.cfg" --rate 20000 --duration 3 --unregister --progress none -o "$dir/big.json" \
	>"$dir/big.txt" 2>&1 || { cat "$dir/big.txt"; fail "the 400,000-line run exited $?"; }
grep -q "memory: line state" "$dir/big.txt" || fail "no memory line at start"
python3 - "$dir/big.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
lag = r["histograms"]["start_lag_s"]
if not (r["run"]["lines"] == 400000 and lag["count"] > 30000):
    sys.exit("FAIL: big run: %d lines, %d started" % (r["run"]["lines"], lag["count"]))
mem = r["run"]["memory"]
if not (mem["line_state_bytes"] == 400000 * r["run"]["bytes_per_line"]
        and mem["mbuf_pool_bytes"] > 0 and mem["resident_after_setup_bytes"] > mem["line_state_bytes"]):
    sys.exit("FAIL: memory stated %s" % mem)
# a start burst would make the first lines late by the set-up time (hundreds of ms)
if lag["max"] > 0.1 or r["totals"]["txn_timeout"] != 0:
    sys.exit("FAIL: start lag max %.3f s, %d timeouts" % (lag["max"], r["totals"]["txn_timeout"]))
# --unregister: every registered line unregistered at stop, paced (all at once overflowed the
# pair's rings and most timed out)
t = r["totals"]
if not (t["lines_registered"] == 0 and t["unregistered"] >= 30000 and t["txn_timeout"] == 0
        and r["generator"]["tx_full"] == 0 and r["accounting_ok"]):
    sys.exit("FAIL: unregistration at stop: %d still registered, %d unregistered, %d timeouts, "
             "%d TX full" % (t["lines_registered"], t["unregistered"], t["txn_timeout"],
                             r["generator"]["tx_full"]))
print("app-pair: 400,000 lines, %d started, start lag max %.1f ms, %d unregistered at stop" % (
      lag["count"], 1e3 * lag["max"], t["unregistered"]))
PY
# a generator pushed past its ring: 200,000 lines due at once (a site's power cut) overflow
# the pair's 4,096-frame ring; the run says it saturated, and by what
sed -e 's/swarm.phones = 200000/swarm.phones = 100000/' "$dir/big.cfg" >"$dir/flood.cfg"
echo "swarm.start = avalanche" >>"$dir/flood.cfg"
"$bin" -c "$dir/flood.cfg" --duration 2 --progress none -o "$dir/flood.json" >"$dir/flood.txt" \
	2>&1 || { cat "$dir/flood.txt"; fail "the avalanche run exited $?"; }
grep -q "WARNING: the generator saturated (tx_full [0-9]" "$dir/flood.txt" ||
	fail "the avalanche's warning does not name the TX ring: $(grep WARNING "$dir/flood.txt")"
python3 - "$dir/flood.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))["generator"]
if not (g["saturated"] and g["tx_full"] > 0 and "tx_full" in g["saturated_by"]):
    sys.exit("FAIL: avalanche: saturated %s by %s, TX full %d" % (g["saturated"],
             g["saturated_by"], g["tx_full"]))
print("app-pair: avalanche of 200,000 lines saturated by %s (TX ring full %d)" % (
      ", ".join(g["saturated_by"]), g["tx_full"]))
PY
# the same avalanche in a closed loop: with at most 1,024 transactions in flight the ring
# never fills, every line registers, nothing times out, and the held starts are not late
"$bin" -c "$dir/flood.cfg" --max-in-flight 1024 --duration 4 --progress none -o "$dir/closed.json" \
	>"$dir/closed.txt" 2>&1 || { cat "$dir/closed.txt"; fail "the closed-loop run exited $?"; }
python3 - "$dir/closed.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
g, t = r["generator"], r["totals"]
peak = max(p["txn_in_flight"] for p in r["series"])
if not (r["run"]["load"]["max_in_flight"] == 1024 and t["lines_registered"] == 200000
        and t["txn_timeout"] == 0 and g["tx_full"] == 0 and not g["saturated"]
        and peak <= 1024 and r["accounting_ok"]):
    sys.exit("FAIL: closed loop: %d registered, %d timeouts, TX full %d, saturated %s by %s, "
             "in flight at most %d" % (t["lines_registered"], t["txn_timeout"], g["tx_full"],
                                       g["saturated"], g["saturated_by"], peak))
print("app-pair: the avalanche in a closed loop (1,024 in flight): 200,000 registered, no "
      "timeout, TX ring never full")
PY
# with hugepages and --no-shconf, nothing of the run stays in the hugetlbfs mount (DPDK left
# its 2 MiB files there, and each run took pages the next could not get): reserved for the
# test when root can, the reservation and mount given back as they were
hp=/sys/kernel/mm/hugepages/hugepages-2048kB
if [ -w "$hp/nr_hugepages" ]; then
	hp_old=$(cat "$hp/nr_hugepages")
	hp_free=$(cat "$hp/free_hugepages")
	[ "$hp_free" -ge 200 ] || echo $((hp_old + 200 - hp_free)) >"$hp/nr_hugepages"
	mnt=$(awk '$3 == "hugetlbfs" {print $2; exit}' /proc/mounts)
	mounted=
	if [ -z "$mnt" ]; then
		mnt="$dir/huge"
		mkdir -p "$mnt" && mount -t hugetlbfs nodev "$mnt" && mounted=1
	fi
	"$bin" --print-demo | sed '/^# cluster schedule/,$d' >"$dir/hp.cfg"
	rc=0
	"$bin" -l 0-1 -m 256 --huge-dir="$mnt" --no-pci --no-shconf --log-level=warning \
		--file-prefix="swhp$$" -- -c "$dir/hp.cfg" --pair --rate 0 --max-in-flight 512 --duration 2 \
		--progress none \
		>"$dir/hp.txt" 2>&1 || rc=$?
	left=$(find "$mnt" -maxdepth 1 -name "swhp$$*" | wc -l)
	find "$mnt" -maxdepth 1 -name "swhp$$*" -delete
	[ -n "$mounted" ] && umount "$mnt"
	echo "$hp_old" >"$hp/nr_hugepages"
	[ "$rc" -eq 0 ] || { cat "$dir/hp.txt"; fail "the hugepage run exited $rc"; }
	grep -q "registered at the end 10000 " "$dir/hp.txt" || fail "hugepage run: $(grep 'registered at' "$dir/hp.txt")"
	[ "$left" -eq 0 ] || fail "$left hugepage files left in $mnt after the run"
	echo "app-pair: a run on hugepages left no file in $mnt"
else
	echo "app-pair: SKIP the hugepage check: $hp/nr_hugepages is not writable here"
fi
echo "app-pair: all checks passed"
