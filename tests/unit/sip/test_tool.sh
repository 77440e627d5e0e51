#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# sipswarm-tool sip: parse answers JSON with exit 0 / {"ok": false} with exit 1, build prints
# messages that parse back, bad usage exits 2, --help exits 0.
# usage: test_tool.sh TOOL DATA-DIR
set -u
tool=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$tool" sip --help | grep -q 'sip parse FILE' || fail "--help"
"$tool" sip parse "$data/corpus/parse/resp-401.sip" >"$tmp/o.json" || fail "parse 401 status"
grep -q '"ok": true' "$tmp/o.json" || fail "parse 401 ok"
grep -q '"nonce": "ZGVhZGJlZWZjYWZlYmFiZTAxMjM0NTY3ODlhYmNkZWYwMTI="' "$tmp/o.json" ||
	fail "parse 401 nonce"
"$tool" sip parse "$data/torture/mcl01.duplicate_header.sip" >"$tmp/o.json"
[ $? -eq 1 ] || fail "a bad message must exit 1"
grep -q '"reason": "duplicate_header"' "$tmp/o.json" || fail "reason"
for k in register invite ack bye cancel subscribe options; do
	"$tool" sip build "$k" --user 1001 --target 198.18.0.2:5060 >"$tmp/$k.sip" ||
		fail "build $k"
	"$tool" sip parse "$tmp/$k.sip" | grep -q '"ok": true' || fail "built $k parses"
done
for k in 100 180 200-sdp 200 481 486; do
	"$tool" sip build "$k" --request "$tmp/invite.sip" >"$tmp/r$k.sip" || fail "build $k"
	"$tool" sip parse "$tmp/r$k.sip" | grep -q '"ok": true' || fail "built $k parses"
done
"$tool" sip build register --password s \
	--challenge 'Digest realm="r", nonce="0123456789012345678901234567890123", qop="auth"' |
	grep -q '^Authorization: Digest username="1000", realm="r"' || fail "authorization"
"$tool" sip build nosuch >/dev/null 2>&1
[ $? -eq 2 ] || fail "unknown kind must exit 2"
"$tool" sip build 180 >/dev/null 2>&1
[ $? -eq 2 ] || fail "a response without --request must exit 2"
echo "sipswarm-tool sip: all checks passed"
