#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sipswarm against a real registrar: a Kamailio started here (registrar, usrloc in memory,
# digest authentication with qop=auth, passwords "pw" + user) listens on 198.18.255.1 inside a
# network namespace made here; sipswarm runs in the same namespace on a net_tap port (DPDK
# owns the tap, the kernel side routes the phones' addresses 198.18.0.0/24 to it), its lines
# register (REGISTER, 401, REGISTER with Authorization, 200) and refresh for a while, and must
# all end registered, with no authentication failure and the counters adding up; Kamailio's
# own count of registered contacts (kamcmd over its control socket) must match.
# Needs root (EAL, namespaces), as CI has; exit 77 (skip) without kamailio.
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd) # rfc1071.py
KAM=$(command -v kamailio || echo /usr/sbin/kamailio)
KAMCMD=$(command -v kamcmd || echo /usr/sbin/kamcmd)
[ -x "$KAM" ] || { echo "kamailio not installed: skip"; exit 77; }
# the modules' directory from the package's file list; awk reads the list to its end (grep -m1
# quit early, dpkg then died of SIGPIPE, pipefail ran the fallback too, and the path came out
# as two lines: Kamailio found no module, now and then)
sl=$(dpkg -L kamailio 2>/dev/null | awk '/\/modules\/sl\.so$/ && !n++' || true)
mods=$(dirname "${sl:-/usr/lib/x86_64-linux-gnu/kamailio/modules/sl.so}")
ns=sw-kam-$$
dir=$(mktemp -d)
kam=
cleanup() {
	[ -z "$kam" ] || { kill "$kam" 2>/dev/null || true; wait "$kam" 2>/dev/null || true; }
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

lines=400
cat >"$dir/kamailio.cfg" <<CFG
#!KAMAILIO
debug=1
log_stderror=yes
fork=yes
children=1
listen=udp:198.18.255.1:5060
auto_aliases=no
mpath="$mods/"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "kex.so"
loadmodule "ctl.so"
modparam("usrloc", "db_mode", 0)
modparam("ctl", "binrpc", "unix:$dir/ctl.sock")
request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (is_method("REGISTER")) {
		\$var(pw) = "pw" + \$fU;
		if (!pv_www_authenticate("\$td", "\$var(pw)", "0")) {
			www_challenge("\$td", "1");
			exit;
		}
		if (!save("location"))
			sl_reply_error();
		exit;
	}
	sl_send_reply("404", "Not Here");
}
CFG

cat >"$dir/run.cfg" <<CFG
#!version:1.0.0.1
account.1.enable = 1
account.1.user_name = 7{phone:04}
account.1.password = pw7{phone:04}
account.1.sip_server.1.address = 198.18.255.1
account.1.sip_server.1.port = 5060
account.1.sip_server.1.transport_type = 0
account.1.sip_server.1.expires = 60
swarm.phones = $lines
swarm.lines_per_phone = 1
swarm.src_ip = 198.18.0.1
swarm.src_ip_count = 200
swarm.register_rate = 200
swarm.refresh_percent = 20
swarm.duration_s = 16
CFG

ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip addr add 198.18.255.1/32 dev lo
ip netns exec "$ns" "$KAM" -f "$dir/kamailio.cfg" -D -E -m 64 -M 8 >"$dir/kam.log" 2>&1 &
kam=$!
for i in $(seq 50); do
	[ -S "$dir/ctl.sock" ] && break
	kill -0 "$kam" 2>/dev/null || { cat "$dir/kam.log"; fail "kamailio did not start"; }
	sleep 0.1
done
[ -S "$dir/ctl.sock" ] || fail "kamailio's control socket did not appear"

# frames with a wrong UDP or IPv4 checksum, sent to a phone from the namespace (AF_PACKET on
# the tap): net_tap checks received checksums for sipswarm (RX offload), which must drop
# them by reason
cat >"$dir/inject.py" <<'PY'
import socket, struct, sys, time
from rfc1071 import checksum as csum
iface, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
src, dst = socket.inet_aton("198.18.255.1"), socket.inet_aton("198.18.0.1")
body = b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"
for k in range(2 * n):
    udp = struct.pack("!HHHH", 5060, 5060, 8 + len(body), 0) + body
    c = csum(src + dst + struct.pack("!BBH", 0, 17, len(udp)) + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c ^ 0x5555 if k < n else c) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), k, 0, 64, 17, 0, src, dst)
    ic = csum(ip)
    ip = ip[:10] + struct.pack("!H", ic if k < n else ic ^ 0x5555) + ip[12:]
    s.send(b"\xff" * 6 + s.getsockname()[4] + b"\x08\x00" + ip + udp)
    time.sleep(0.001)
PY
# the kernel side of the tap: up once DPDK has made it, the phones' addresses routed to it
(
	for i in $(seq 200); do
		ip netns exec "$ns" ip link show sw-kam0 >/dev/null 2>&1 && break
		sleep 0.05
	done
	ip netns exec "$ns" ip link set sw-kam0 up
	ip netns exec "$ns" ip route add 198.18.0.0/24 dev sw-kam0
	sleep 3
	ip netns exec "$ns" env PYTHONPATH="$here" python3 "$dir/inject.py" sw-kam0 40
) &
router=$!
ip netns exec "$ns" timeout 90 "$bin" -l 0-1 --no-huge -m 512 --no-pci --no-shconf --log-level=error \
	--vdev=net_tap0,iface=sw-kam0 --file-prefix="swkam$$" -- -c "$dir/run.cfg" \
	--progress compact -o "$dir/r.json" >"$dir/out.txt" 2>&1 ||
	{ cat "$dir/out.txt"; tail -20 "$dir/kam.log"; fail "sipswarm exited $?"; }
wait "$router" || true
contacts=$(ip netns exec "$ns" "$KAMCMD" -s "unix:$dir/ctl.sock" stats.get_statistics usrloc: \
	2>&1 | sed -n 's/^usrloc:location_contacts = \([0-9]*\)$/\1/p')

python3 - "$dir/r.json" "$lines" "${contacts:-?}" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
lines, contacts = int(sys.argv[2]), sys.argv[3]
t = r["totals"]
print("registered %d of %d lines; REGISTERs %d (with Authorization %d), 401 %d, 2xx %d, "
      "timeouts %d, auth failures %d; Kamailio holds %s contacts" % (
      t["lines_registered"], lines, t["tx_register"], t["tx_auth"], t["rx_401"], t["rx_2xx"],
      t["txn_timeout"], t["auth_failed"], contacts))
assert r["accounting_ok"], "the counters do not add up"
assert t["lines_registered"] == lines, "not every line registered"
assert t["auth_failed"] == 0, "authentication failed"
assert t["rx_401"] >= lines, "fewer challenges than lines"
assert t["rx_2xx"] > lines, "no refresh answered"
assert contacts == str(lines), "Kamailio holds %s contacts, not %d" % (contacts, lines)
# Kamailio's answers were checked by net_tap (RX offload), the injected frames dropped
d = r["net_drops"]
print("checked by the port: %d of %d frames; dropped for their UDP checksum %d, IPv4 "
      "checksum %d" % (t["rx_csum_by_port"], t["rx_frames"], d["udp-checksum"], d["ip-checksum"]))
assert t["rx_csum_by_port"] >= t["rx_401"] + t["rx_2xx"], "the port did not check the answers"
assert d["udp-checksum"] == 40 and d["ip-checksum"] == 40, "bad checksums not dropped"
PY
grep -q "received: checked by the port" "$dir/out.txt" || fail "RX checksum offload not used"
echo "ok"
