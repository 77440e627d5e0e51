#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# sipswarm-tool dns resolve against a real DNS server (knotd) on 127.0.0.1, a free port, with
# the zone tests/data/dns/yealink.pbx.com.zone. Starts and stops its own knotd by PID and cleans
# up on any exit. Exit 77 (skip) only when knotd is not installed.
# usage: test_dns_knot.sh SIPSWARM-TOOL ZONE-FILE TEST-TTL-SWAP TEST-CACHE-TYPES
set -eu
TOOL=$1
ZONE=$2
SWAP=$3
CACHE_TYPES=$4
KNOTD=$(command -v knotd || echo /usr/sbin/knotd)
[ -x "$KNOTD" ] || { echo "knotd not installed: skip"; exit 77; }
DIR=$(mktemp -d)
PID1=
PID2=
cleanup() {
	for p in $PID1 $PID2; do
		kill -CONT "$p" 2>/dev/null || true
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
# two free ports: knotd 1 serves the zone, knotd 2 the same zone where which.yealink.pbx.com
# says 198.18.4.2 instead of .1, to tell which server answered
set -- $(python3 -c 'import socket
a=socket.socket(); a.bind(("127.0.0.1",0)); b=socket.socket(); b.bind(("127.0.0.1",0))
print(a.getsockname()[1], b.getsockname()[1])')
PORT=$1
PORT2=$2
# knot_up N PORT: start knotd number N on PORT with the zone in $DIR/N; its PID in PIDN
knot_up() {
	mkdir -p "$DIR/$1"
	cp "$ZONE" "$DIR/$1/yealink.pbx.com.zone"
	[ "$1" = 1 ] || sed -i 's/198.18.4.1$/198.18.4.2/' "$DIR/$1/yealink.pbx.com.zone"
	cat > "$DIR/$1/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$2
    rundir: $DIR/$1
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: $DIR/$1
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: $DIR/$1
    semantic-checks: off
zone:
  - domain: yealink.pbx.com
    file: yealink.pbx.com.zone
CONF
	"$KNOTD" -c "$DIR/$1/knot.conf" &
	eval "PID$1=$!"
	# wait until it answers
	i=0
	until "$TOOL" dns resolve nosrv.yealink.pbx.com --dns 127.0.0.1:$2 --timeout 200 \
		--retries 1 >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 50 ] || { echo "knotd $1 did not answer"; exit 1; }
		sleep 0.1
	done
}
knot_up 1 "$PORT"
knot_up 2 "$PORT2"
DNS="127.0.0.1:$PORT"

FAIL=0
# check NAME "OPTIONS" EXPECTED-EXIT PYTHON-ASSERTION (over j = the JSON)
check() {
	set +e
	out=$("$TOOL" dns resolve "$1" --dns "$DNS" $2)
	rc=$?
	set -e
	if [ "$rc" != "$3" ]; then
		echo "FAIL $1 $2 (dns $DNS): exit $rc, expected $3"; echo "$out"; FAIL=1; return
	fi
	if ! printf '%s' "$out" | python3 -c "import json,sys; j=json.load(sys.stdin); t=j['targets']; ips=[x['ip'] for x in t]; assert $4, (ips, j)"; then
		echo "FAIL $1 $2 (dns $DNS): $4"; echo "$out"; FAIL=1; return
	fi
	echo "ok   $1 $2 (dns $DNS)"
}
D=yealink.pbx.com
# NAPTR: order 90 (SIP+D2T) wins over 100; weight-desc puts server2 (weight 2) first
check $D "--port 0 --transport naptr --srv-order weight-desc" 0 \
	"ips == ['198.18.1.2','198.18.1.22','198.18.1.1'] and all(x['transport']=='tcp' and x['port']==5060 for x in t) and 'NAPTR yealink.pbx.com > SRV _sip._tcp.yealink.pbx.com > A server2.yealink.pbx.com' == t[0]['via'] and j['ttl']==60 and t[0]['ttl']==120"
# SRV for UDP directly (port 0, transport udp): port from SRV
check $D "--port 0 --transport udp --srv-order weight-desc" 0 \
	"ips[0]=='198.18.1.2' and t[0]['port']==5062 and len(t)==3"
# rfc2782 with two seeds: both orders are valid, the targets always the same set
check $D "--port 0 --transport udp --seed 7" 0 "sorted(ips)==['198.18.1.1','198.18.1.2','198.18.1.22']"
# priorities: lower priority first whatever its weight
check prio.$D "--port 0 --srv-order weight-desc" 0 "ips==['198.18.1.1','198.18.1.2','198.18.1.22']"
# SRV target "." and no A: nothing
check down.$D "--port 0" 1 "ips==[]"
# no SRV: A, port 5060
check nosrv.$D "--port 0" 0 "ips==['198.18.1.9'] and t[0]['port']==5060"
# explicit port with naptr: A only
check server1.$D "--port 5070 --transport naptr" 0 "ips==['198.18.1.1'] and t[0]['port']==5070 and t[0]['ttl']==60"
# NXDOMAIN
check missing.$D "--port 5060" 1 "ips==[] and j['dns']['nxdomain']>=1"
# CNAME chain followed; CNAME loop bounded
check alias.$D "--port 5060" 0 "ips==['198.18.1.2','198.18.1.22']"
check loop1.$D "--port 5060" 1 "ips==[]"
# NAPTR with an empty flag -> NAPTR again on the replacement
check chain.$D "--port 0 --transport naptr --srv-order weight-desc" 0 "ips[0]=='198.18.1.2' and t[0]['transport']=='tcp'"
# big answer: truncated over UDP, fetched over TCP; targets capped at 16
check big.$D "--port 5060" 0 "len(t)==16 and ips[0]=='198.18.2.1' and j['dns']['failed']==0"
# no NAPTR, naptr_build 1: _sip._udp first (then tcp, tls)
check server1.$D "--port 0 --transport naptr --naptr-build 1" 0 "ips==['198.18.1.1'] and t[0]['port']==5060"
# the static cache (Appendix B, examples 1 and 2 with the RFC 2782 spelling): used where DNS
# has no answer, or first with --static-first
cat > "$DIR/static.cfg" <<CFG
#!version:1.0.0.1
account.1.enable = 1
account.1.user_name = 4605
account.1.sip_server.1.address = yealink.pbx.com
dns_cache_a.1.name = statica.yealink.pbx.com
dns_cache_a.1.ip = 198.18.1.13
dns_cache_a.1.ttl = 3600
dns_cache_a.2.name = statica.yealink.pbx.com
dns_cache_a.2.ip = 198.18.1.14
dns_cache_a.2.ttl = 3600
dns_cache_srv.1.name = _sip._udp.nosrv.yealink.pbx.com
dns_cache_srv.1.port = 5070
dns_cache_srv.1.priority = 0
dns_cache_srv.1.target = server1.yealink.pbx.com
dns_cache_srv.1.weight = 1
dns_cache_srv.1.ttl = 3600
dns_cache_srv.2.name = _sip._udp.nosrv.yealink.pbx.com
dns_cache_srv.2.port = 5070
dns_cache_srv.2.priority = 0
dns_cache_srv.2.target = server2.yealink.pbx.com
dns_cache_srv.2.weight = 2
dns_cache_srv.2.ttl = 3600
dns_cache_a.3.name = server1.yealink.pbx.com
dns_cache_a.3.ip = 198.18.1.101
CFG
check statica.$D "--port 5060 --transport naptr --static $DIR/static.cfg" 0 \
	"ips==['198.18.1.13','198.18.1.14'] and t[0]['ttl']==3600"
check nosrv.$D "--port 0 --static $DIR/static.cfg --srv-order weight-desc" 0 \
	"ips==['198.18.1.2','198.18.1.22','198.18.1.1'] and t[0]['port']==5070"
check nosrv.$D "--port 0 --static $DIR/static.cfg --srv-order weight-desc --static-first" 0 \
	"ips==['198.18.1.2','198.18.1.22','198.18.1.101']"
# dns_cache_type 2: knotd puts the SRV targets' A records in the ADDITIONAL section (checked
# here with kdig); the tool then asks NAPTR and SRV only, where type 1 asks NAPTR, SRV and the
# two targets' A records; the targets are the same
KDIG=$(command -v kdig || echo /usr/bin/kdig)
nadd=$("$KDIG" @127.0.0.1 -p "$PORT" SRV _sip._tcp.$D +noall +additional | grep -c 'IN	A	')
if [ "$nadd" = 3 ]; then echo "ok   knotd gives 3 additional A records with _sip._tcp SRV"; else
	echo "FAIL knotd gave $nadd additional A records, expected 3"; FAIL=1; fi
NAPTR3="--port 0 --transport naptr --srv-order weight-desc"
check $D "$NAPTR3 --cache-type 1" 0 \
	"ips == ['198.18.1.2','198.18.1.22','198.18.1.1'] and j['dns']['queries']==4 and j['dns']['from_additional']==0 and j['cache_type']==1"
check $D "$NAPTR3 --cache-type 2" 0 \
	"ips == ['198.18.1.2','198.18.1.22','198.18.1.1'] and j['dns']['queries']==2 and j['dns']['from_additional']==2 and j['ttl']==60 and j['cache_type']==2"
# type 2 where the answer has no additional record for the target: the A query is made
check nosrv.$D "--port 0 --cache-type 2" 0 "ips==['198.18.1.9'] and j['dns']['queries']==2 and j['dns']['from_additional']==0"
# the cache type of account 1 comes with --static
sed 's/^account.1.enable = 1$/account.1.enable = 1\naccount.1.dns_cache_type = 2/' "$DIR/static.cfg" > "$DIR/static2.cfg"
check $D "$NAPTR3 --static $DIR/static2.cfg" 0 "j['cache_type']==2 and j['dns']['queries']==2"

# several DNS servers, each at its own port, asked in order
DNS="127.0.0.1:$PORT,127.0.0.1:$PORT2"
check which.$D "" 0 "ips==['198.18.4.1'] and j['dns']['by_server'][:2]==[1,0]"
DNS="127.0.0.1:$PORT2,127.0.0.1:$PORT"
check which.$D "" 0 "ips==['198.18.4.2'] and j['dns']['by_server'][:2]==[1,0]"
# the first server silent (knotd 1 stopped): every question times out there, the second answers
kill -STOP "$PID1"
DNS="127.0.0.1:$PORT,127.0.0.1:$PORT2"
check which.$D "--timeout 300 --retries 1" 0 \
	"ips==['198.18.4.2'] and j['dns']['by_server'][:2]==[0,1] and j['dns']['timeouts']==1"
check $D "$NAPTR3 --timeout 300 --retries 1" 0 \
	"ips == ['198.18.1.2','198.18.1.22','198.18.1.1'] and j['dns']['by_server'][:2]==[0,4] and j['dns']['timeouts']==4"
# the first server dead (knotd 1 gone, nothing on its port)
kill -CONT "$PID1"
kill "$PID1"
wait "$PID1" 2>/dev/null || true
PID1=
check which.$D "--timeout 300 --retries 2" 0 \
	"ips==['198.18.4.2'] and j['dns']['by_server'][:2]==[0,1] and j['dns']['timeouts']==2"
# no server answers: nothing resolves, every question failed
DNS="127.0.0.1:$PORT"
check which.$D "--timeout 200 --retries 1" 1 "ips==[] and j['dns']['failed']==1"
DNS="127.0.0.1:$PORT2"
# usage errors: exit 2 with a message on stderr, nothing on stdout
for args in "x --dns not-an-ip" "x --transport sctp" "x --srv-order best" "x --port 70000" \
	"x --naptr-build 2" "x --cache-type 3" "x --dns 127.0.0.1:53,127.0.0.1:0" "x y" ""; do
	set +e
	out=$("$TOOL" dns resolve $args 2>"$DIR/err")
	rc=$?
	set -e
	if [ "$rc" = 2 ] && [ -z "$out" ] && grep -q . "$DIR/err"; then
		echo "ok   usage error: $args"
	else
		echo "FAIL usage error: $args (exit $rc)"; FAIL=1
	fi
done
"$TOOL" dns resolve --help | grep -q -- '--static-first' || { echo "FAIL --help"; FAIL=1; }
# TTL expiry: change swap's address, bump the serial, reload; the table swaps under a reader
KNOTC=$(command -v knotc || echo /usr/sbin/knotc)
RELOAD="sed -i -e 's/198.18.3.1\$/198.18.3.2/' -e 's/ns admin 1 /ns admin 2 /' $DIR/2/yealink.pbx.com.zone && $KNOTC -c $DIR/2/knot.conf zone-reload yealink.pbx.com >/dev/null"
if "$SWAP" 127.0.0.1:$PORT2 "$RELOAD"; then echo "ok   TTL expiry swap"; else echo "FAIL TTL expiry swap"; FAIL=1; fi
# dns_cache_type 0, 1, 2 in the shared table, refresh cycles on a virtual clock, queries counted
if "$CACHE_TYPES" 127.0.0.1:$PORT2; then echo "ok   cache types"; else echo "FAIL cache types"; FAIL=1; fi
exit $FAIL
