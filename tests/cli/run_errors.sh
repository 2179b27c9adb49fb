#!/bin/bash
# run_errors.sh — bad scenario files through `vpnlab run`: each exits 2 and
# prints one line "vpnlab run: FILE:LINE:COL: ..., expected ..." naming the
# exact spot (the full table of bad files is tests/unit/test_scenario_parse.c;
# this checks the CLI plumbing with a few of each section). Needs $VPNLAB.
set -u
: "${VPNLAB:?set VPNLAB to the vpnlab binary}"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

good=scenarios/frag/psk.scn
n=0
# case: "sed expression" "expected file:line:col" "expected phrase"
check() {
	n=$((n + 1))
	sed "$1" "$good" >"$tmp/bad$n.scn"
	"$VPNLAB" run "$tmp/bad$n.scn" --out "$tmp/o$n" >"$tmp/out$n" 2>&1
	rc=$?
	[ $rc -eq 2 ] || fail "case $n ($1): exit $rc, expected 2: $(cat "$tmp/out$n")"
	grep -qF "vpnlab run: $tmp/bad$n.scn:$2: " "$tmp/out$n" || fail "case $n ($1): position, expected $2: $(cat "$tmp/out$n")"
	grep -qF "$3" "$tmp/out$n" || fail "case $n ($1): expected '$3' in: $(cat "$tmp/out$n")"
	grep -q 'expected' "$tmp/out$n" || fail "case $n: message does not say what was expected"
	grep -q '^verdict ERROR$' "$tmp/o$n/verdict.txt" || fail "case $n: no ERROR verdict written to --out"
}
line() { grep -n "$1" "$good" | head -1 | cut -d: -f1; }

check "s/^duration = 120s/duration = 2 weeks/" "$(line '^duration')":12 "expected a number with a unit"
check "s/^link    wan     rate=1Gbps/link    wan     rate=fast/" "$(line '^link    wan')":22 "'fast' is not a rate"
check "s/^nat     home    public=198.51.100.1 frag=drop-non-first/nat     home    public=198.51.100.1 frag=maybe/" "$(line '^nat ')":42 "'maybe' is unknown"
check "s/^retransmit_tries = 4/retransmit_tries = many/" "$(line '^retransmit_tries')":20 "[client] retransmit_tries = 'many'"
check "s/^ping  ping  from=client/ping  ping  from=router/" "$(line '^ping ')":18 "'router' is not an endpoint"
check "s/^tunnel.up_at                     <= 1s/tunnel.up_at                     <= 1/" "$(line '^tunnel.up_at')":37 "'1' has no unit"
check "s/^drops.home.frag-non-first        == 0/drops.home.frag-nonfirst         == 0/" "$(line '^drops.home')":1 "'frag-nonfirst' is not a drop reason"
check "s/^\[topology\]/[topologie]/" 2:1 "no [topology] section (line $(line '^\[topology\]') '[topologie]' is not a section name"
check "s/^link    access  rate=100Mbps delay=2ms/link    access  rate=100Mbps delay=2ms\nlink    extra/" "$(( $(line '^link    access') + 1 ))":1 "a link follows a link"
echo "run_errors: $n bad files, ok"
