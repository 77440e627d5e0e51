#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# sipswarm-tool config and simulate, end to end, on the shipped example files.
# usage: test_tool.sh TOOL CONF-DIR
set -u
tool=$1
conf=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$tool" config --help | grep -q 'config check FILE.cfg' || fail "config --help"
"$tool" config check "$conf/phone.cfg" "$conf/profile.cfg" >"$tmp/o.json" || fail "check ok"
grep -q '"lines": 10000' "$tmp/o.json" || fail "check counts 10000 lines"

printf '#!version:1.0.0.1\naccount.1.sip_server.1.retry_counts = 25\n' >"$tmp/bad.cfg"
"$tool" config check "$tmp/bad.cfg" 2>"$tmp/err" >/dev/null
[ $? -eq 2 ] || fail "a bad file exits 2"
grep -q "bad.cfg:2: account.1.sip_server.1.retry_counts = 25: out of range 0..20" "$tmp/err" ||
	fail "the error names file, line, key, value and range"
"$tool" config check /nonexistent.cfg 2>/dev/null
[ $? -eq 2 ] || fail "a missing file exits 2"

"$tool" config expand --line 9999 "$conf/phone.cfg" "$conf/profile.cfg" >"$tmp/e.json" ||
	fail "expand"
grep -q '"user_name": "10500002"' "$tmp/e.json" || fail "expand formats the identity"
"$tool" config expand --line 10000 "$conf/phone.cfg" "$conf/profile.cfg" >/dev/null 2>&1
[ $? -eq 2 ] || fail "a line out of range exits 2"

"$tool" simulate --help | grep -q 'at T \[until U\] server Y' || fail "simulate --help"
"$tool" simulate --cluster "$conf/primary-outage.sim" --duration 60 "$conf/phone.cfg" \
	"$conf/profile.cfg" >"$tmp/s.jsonl" || fail "simulate runs"
# the call at 30 s fails over from the silent primary to the secondary at 37.5 s
grep -q '{"t":37.5,"line":0,"event":"send","method":"INVITE","server":1,"target":1}' \
	"$tmp/s.jsonl" || fail "INVITE failover in the timeline"
tail -n 1 "$tmp/s.jsonl" | grep -q '"event":"summary"' || fail "summary line"
# 10,000 lines at once through the outage: every answer delivered, every line registered
"$tool" simulate --cluster "$conf/primary-outage.sim" --duration 700 --lines 10000 --summary \
	"$conf/phone.cfg" "$conf/profile.cfg" >"$tmp/sum.json" || fail "10,000 lines simulate"
grep -q '"registered":10000,' "$tmp/sum.json" || fail "every line ends registered"
grep -q '"unregistered_s_per_line":0.0' "$tmp/sum.json" || fail "no line lost its registration"
printf 'at x server 1 target 0 silent\n' >"$tmp/bad.sim"
"$tool" simulate --cluster "$tmp/bad.sim" "$conf/phone.cfg" 2>"$tmp/err" >/dev/null
[ $? -eq 2 ] || fail "a bad script exits 2"
grep -q "bad.sim: 1: expected 'at SECONDS" "$tmp/err" || fail "script error names the line"
echo "1 passed, 0 failed"
