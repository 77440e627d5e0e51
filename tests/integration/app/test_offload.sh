#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Checksum offload through a real driver: sipswarm's generation benchmark on a net_tap port
# (whose driver offers IPv4/UDP checksum offload and completes the sums itself) inside a
# network namespace made here; every frame the kernel receives on the tap is captured with an
# AF_PACKET socket and its IPv4 and UDP checksums are verified. The same again with
# --no-csum-offload (the workers' own checksums). Needs root (EAL, namespaces), as CI has.
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd) # rfc1071.py
ns=sw-offload-$$
dir=$(mktemp -d)
cleanup() {
	[ -z "${sniff:-}" ] || kill "$sniff" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" --print-demo | sed '/^# cluster schedule/,$d' >"$dir/demo.cfg"
cat >"$dir/sniff.py" <<'PY'
# capture IPv4/UDP frames on the tap, verify both checksums (RFC 791, RFC 768 / RFC 1071)
import os, socket, struct, sys, time
iface, want, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
deadline = time.time() + 30
flags = "/sys/class/net/%s/flags" % iface
while not (os.path.exists(flags) and int(open(flags).read(), 16) & 1):  # IFF_UP
    if time.time() > deadline:
        sys.exit("no interface " + iface + " up")
    time.sleep(0.005)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((iface, 0))
s.settimeout(20)
from rfc1071 import ones_sum as csum
good = bad = 0
first_bad = ""
try:
    while good + bad < want:
        f = s.recv(4096)
        ip = f[14:34]
        if ip[9] != 17:
            continue
        total = struct.unpack("!H", ip[2:4])[0]
        udp = f[34:14 + total]
        ph = ip[12:20] + struct.pack("!BBH", 0, 17, len(udp))
        ok = csum(ip) == 0xffff and udp[6:8] != b"\0\0" and csum(ph + udp) == 0xffff
        good += ok
        bad += not ok
        if not ok and not first_bad:
            first_bad = f[:64].hex()
except socket.timeout:
    pass
open(out, "w").write("%d %d %s\n" % (good, bad, first_bad))
PY

ip netns add "$ns"
for mode in offload software; do
	extra=()
	[ "$mode" = software ] && extra=(--no-csum-offload)
	ip netns exec "$ns" env PYTHONPATH="$here" python3 "$dir/sniff.py" sw-tap0 2000 "$dir/$mode.txt" &
	sniff=$!
	ip netns exec "$ns" timeout 60 "$bin" -l 0-1 --no-huge -m 1024 --no-pci --no-shconf --log-level=error \
		--vdev=net_tap0,iface=sw-tap0 --file-prefix="swoff$$" -- -c "$dir/demo.cfg" \
		--bench-generate 2 --progress none "${extra[@]}" >"$dir/$mode.out" 2>&1 ||
		{ cat "$dir/$mode.out"; fail "$mode: sipswarm exited $?"; }
	wait "$sniff" || fail "$mode: the sniffer failed"
	sniff=
	case "$mode" in
	offload) grep -q "checksums: sent: IPv4 and UDP offloaded to the port" "$dir/$mode.out" ||
		fail "net_tap offers checksum offload but sipswarm did not use it" ;;
	software) grep -q "checksums: sent: IPv4 and UDP computed by the workers" "$dir/$mode.out" ||
		fail "--no-csum-offload was not honoured" ;;
	esac
	read -r good bad first <"$dir/$mode.txt"
	echo "$mode: $good frames with correct IPv4 and UDP checksums, $bad wrong"
	[ "$bad" = 0 ] || fail "$mode: $bad frames with a wrong checksum, first: $first"
	[ "$good" -ge 1000 ] || fail "$mode: only $good frames captured"
done
echo "ok"
