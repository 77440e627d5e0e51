#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A sharded run merged: the embedded default (accelerated) as shards 0/2 and 1/2, each against
# its own emulated cluster, merged by sipswarm-tool report merge; the merged counters and
# histograms must be the sums of the shards', the failover report computed again from the
# merged series, and bad sets of files refused (exit 2).
set -euo pipefail
bin=$1
tool=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# shard 1 with an in-flight limit it never reaches: the merged run states the sum of the loads
extra=()
for k in 0 1; do
	"$bin" --time-scale 15 --shard "$k/2" "${extra[@]}" --progress none -o "$dir/s$k.json" \
		>"$dir/s$k.txt" 2>&1 ||
		{ cat "$dir/s$k.txt"; fail "shard $k exited $?"; }
	extra=(--max-in-flight 50000)
done
"$tool" report merge -o "$dir/m.json" "$dir/s0.json" "$dir/s1.json" || fail "merge exited $?"
python3 - "$dir/m.json" "$dir/s0.json" "$dir/s1.json" <<'PY'
import json, sys
m, a, b = (json.load(open(f)) for f in sys.argv[1:4])
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
check(m["run"]["lines"] == 10000 and m["run"]["complete"], "lines / complete")
check(m["run"]["merged_shards"] == [[0, 2], [1, 2]], "shards")
check(a["run"]["load"]["max_in_flight"] == 0 and b["run"]["load"]["max_in_flight"] == 50000 and
      m["run"]["load"]["max_in_flight"] == 50000, "in-flight limits")
check(m["run"]["load"]["rate"] == a["run"]["load"]["rate"] + b["run"]["load"]["rate"] > 0, "rates")
for k, v in m["totals"].items():
    check(v == a["totals"][k] + b["totals"][k], "totals." + k)
for k, h in m["histograms"].items():
    check(h["count"] == a["histograms"][k]["count"] + b["histograms"][k]["count"], k + " count")
    check(h["max"] == max(a["histograms"][k]["max"], b["histograms"][k]["max"]), k + " max")
    lo = min(a["histograms"][k]["p99"], b["histograms"][k]["p99"])
    hi = max(a["histograms"][k]["p99"], b["histograms"][k]["p99"])
    check(lo <= h["p99"] <= hi, k + " p99 outside the shards'")
check(m["accounting_ok"], "accounting")
s = {x["address"]: x for x in m["servers"]}
for x in a["servers"] + b["servers"]:
    check(s[x["address"]]["sent"] >= x["sent"], "servers")
check(sum(x["registered_end"] for x in m["servers"]) == 10000, "registered at the end")
fo = m["failover"]
check(fo["affected_lines"] == a["failover"]["affected_lines"] + b["failover"]["affected_lines"],
      "affected lines")
check(fo["registered_elsewhere_99_s"] is not None and fo["failback_99_s"] is not None,
      "no failover or failback in the merged series")
check(fo["failover_time_s"]["count"] == m["histograms"]["failover_s"]["count"], "failover time")
check(fo["resolution_s"] == 1 and a["failover"]["resolution_s"] == 0.01,
      "resolution: merged from the per-second series, shards from their 10 ms one")
def seconds(series):
    # a point's second: its t rounded, or the next when taken (a run's final partial point)
    out, last = {}, -1
    for p in series:
        k = max(round(p["t"]), last + 1)
        out[k], last = p, k
    return out
ms, sa, sb = seconds(m["series"]), seconds(a["series"]), seconds(b["series"])
check(set(ms) == set(sa) | set(sb), "merged seconds")
for k, p in ms.items():
    want = sa.get(k, {}).get("tx_register", 0) + sb.get(k, {}).get("tx_register", 0)
    check(p["tx_register"] == want, "series at %d s: %d, want %d" % (k, p["tx_register"], want))
print("merge: 2 shards, %d lines, %d REGISTERs, %d series points" % (
      m["run"]["lines"], m["totals"]["tx_register"], len(m["series"])))
PY

# refused: a shard twice, shards of different N, not a results file; a missing shard warned
expect2() {
	set +e
	"$tool" report merge "$@" >/dev/null 2>"$dir/err"
	rc=$?
	set -e
	[ "$rc" = 2 ] || fail "merge $* exited $rc, want 2"
}
expect2 "$dir/s0.json" "$dir/s0.json"
grep -q "given twice" "$dir/err" || fail "shard twice: $(cat "$dir/err")"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); r['run']['shard']=[0,3]; json.dump(r,open(sys.argv[2],'w'))" \
	"$dir/s0.json" "$dir/s0n3.json"
expect2 "$dir/s1.json" "$dir/s0n3.json"
grep -q "does not belong" "$dir/err" || fail "mixed N: $(cat "$dir/err")"
printf '{"run": 1,\n  oops' >"$dir/bad.json"
expect2 "$dir/bad.json"
grep -q "bad.json:2:" "$dir/err" || fail "no file:line for bad JSON: $(cat "$dir/err")"
"$tool" report merge "$dir/s1.json" >"$dir/one.json" 2>"$dir/err" || fail "one shard"
grep -q "shard 0/2 missing" "$dir/err" || fail "missing shard not warned"
python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['run']['complete'] is False" \
	"$dir/one.json" || fail "complete should be false"
# the merged results as one HTML page: well formed, every chart there, the figures the JSON has
"$tool" report html "$dir/m.json" -o "$dir/m.html" || fail "report html exited $?"
python3 - "$dir/m.html" "$dir/m.json" <<'PY'
import html.parser, json, sys
class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.open, self.svg, self.text = [], 0, []
    def handle_starttag(self, tag, a):
        if tag not in ("meta", "rect", "line", "polyline", "br"):
            self.open.append(tag)
        self.svg += tag == "svg"
    def handle_startendtag(self, tag, a):
        pass
    def handle_endtag(self, tag):
        if tag in ("rect", "line", "polyline"):
            return
        if not self.open or self.open.pop() != tag:
            sys.exit("FAIL: html: </%s> closes nothing open" % tag)
    def handle_data(self, d):
        self.text.append(d)
p = Page()
p.feed(open(sys.argv[1]).read())
r = json.load(open(sys.argv[2]))
text = " ".join(p.text)
if p.open:
    sys.exit("FAIL: html: unclosed %s" % p.open)
want = 3 + sum(1 for h in r["histograms"].values() if h["count"] > 0)
if p.svg != want:
    sys.exit("FAIL: html: %d charts, want %d" % (p.svg, want))
for s in ("lines registered, per server", "Failover report", "%d lines" % r["run"]["lines"],
          "registered_elsewhere_99_s", "198.19.0.2:5060"):
    if s not in text:
        sys.exit("FAIL: html: no '%s'" % s)
print("html: %d charts, %d bytes" % (p.svg, len(open(sys.argv[1]).read())))
PY
set +e
"$tool" report html "$dir/bad.json" -o "$dir/bad.html" 2>"$dir/err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "bad.json:2:" "$dir/err" || fail "report html of bad JSON: $rc $(cat "$dir/err")"
[ ! -e "$dir/bad.html" ] || fail "report html left a file for bad input"
echo "merge: all checks passed"
