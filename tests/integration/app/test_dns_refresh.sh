#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Re-resolution during a run, against a real DNS server: sipswarm's server 1 is a name that a
# knotd started here (127.0.0.1, a free port) resolves with a 2 s TTL to 198.19.0.1. A few
# seconds into the run the zone is changed to 198.19.0.2 (an operator draining the primary)
# and reloaded; the control core re-resolves when the TTL ends, the workers take the new
# list, and every line registers at 198.19.0.2 at its next refresh, with no line lost and the
# counters adding up. Then the DNS server goes silent (SIGSTOP): re-resolutions fail on the
# resolver thread, are counted, and the last good lists stay in use while the run goes on.
# Needs root for EAL (as CI has); exit 77 (skip) without knotd.
set -euo pipefail
bin=$1
KNOTD=$(command -v knotd || echo /usr/sbin/knotd)
KNOTC=$(command -v knotc || echo /usr/sbin/knotc)
[ -x "$KNOTD" ] || { echo "knotd not installed: skip"; exit 77; }
dir=$(mktemp -d)
knot=
cleanup() {
	[ -z "$knot" ] || {
		kill -CONT "$knot" 2>/dev/null || true
		kill "$knot" 2>/dev/null || true
		wait "$knot" 2>/dev/null || true
	}
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

port=$(python3 -c 'import socket
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$dir/pbx.test.zone" <<'ZONE'
$ORIGIN pbx.test.
$TTL 2
@	SOA	ns admin 1 3600 600 86400 2
@	NS	ns
ns	A	198.18.1.53
@	A	198.19.0.1
ZONE
cat >"$dir/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$port
    rundir: $dir
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: $dir
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: $dir
    semantic-checks: off
zone:
  - domain: pbx.test
    file: pbx.test.zone
CONF
"$KNOTD" -c "$dir/knot.conf" &
knot=$!
for i in $(seq 50); do
	"$KNOTC" -c "$dir/knot.conf" zone-status pbx.test >/dev/null 2>&1 && break
	sleep 0.1
done

"$bin" --print-demo | sed '/^# cluster schedule/,$d' |
	sed -e 's/^account.1.sip_server.1.address = .*/account.1.sip_server.1.address = pbx.test/' \
		-e 's/^account.1.sip_server.1.port = .*/account.1.sip_server.1.port = 5060/' \
		-e 's/^account.1.sip_server.1.transport_type = .*/account.1.sip_server.1.transport_type = 0/' \
		-e 's/^account.1.sip_server.2.address = .*/account.1.sip_server.2.address = 198.19.0.2/' \
		-e 's/^swarm.phones = .*/swarm.phones = 500/' -e 's/^swarm.src_ip_count = .*/swarm.src_ip_count = 500/' \
		-e 's/^swarm.refresh_percent = .*/swarm.refresh_percent = 20/' \
		-e 's/^swarm.duration_s = .*/swarm.duration_s = 22/' \
		-e '/^dns_cache_/d' >"$dir/run.cfg"

# the operator's change, 5 s into the run
(
	sleep 6
	sed -i -e 's/^@	A	198.19.0.1$/@	A	198.19.0.2/' -e 's/ns admin 1 /ns admin 2 /' \
		"$dir/pbx.test.zone"
	"$KNOTC" -c "$dir/knot.conf" zone-reload pbx.test >/dev/null
	sleep 8
	kill -STOP "$knot" # a dead DNS server from now on
) &
changer=$!
"$bin" --lcores=0@0,1@1 --no-huge -m 512 --no-pci --no-shconf --log-level=warning \
	--file-prefix="swdns$$" -- -c "$dir/run.cfg" --pair --dns "127.0.0.1:$port" \
	--progress compact -o "$dir/r.json" >"$dir/out.txt" 2>&1 || {
	cat "$dir/out.txt"
	fail "sipswarm exited $?"
}
wait "$changer" || fail "the zone change failed"
grep -q "re-resolved, the target lists changed" "$dir/out.txt" || {
	cat "$dir/out.txt"
	fail "no change seen"
}
python3 - "$dir/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
t, d, srv = r["totals"], r["dns"], r["servers"]
check(r["accounting_ok"], "counters do not add up at some second")
check(d["changes"] >= 1 and d["failures"] >= 1 and d["refreshes"] >= 5,
      "dns refreshes/changes/failures %s" % d)
check(t["routes_adopted"] >= d["refreshes"] - 1, "workers did not take the lists")
check(srv[0]["address"] == "198.19.0.1:5060" and srv[1]["address"] == "198.19.0.2:5060",
      "server order %s" % [s["address"] for s in srv])
check(srv[0]["registered_end"] == 0, "lines left on 198.19.0.1: %d" % srv[0]["registered_end"])
check(srv[1]["registered_end"] == 1000, "lines on 198.19.0.2: %d" % srv[1]["registered_end"])
check(t["lines_registered"] == 1000 and t["txn_timeout"] == 0, "lines lost or timeouts")
print("ok: %d refreshes, %d change(s), %d failed with the server stopped; all 1000 lines "
      "moved to 198.19.0.2" % (d["refreshes"], d["changes"], d["failures"]))
PY
