#!/bin/bash
# suite.sh — `vpnlab suite`: --help and --list; a directory with a passing,
# a failing, a pending and a broken scenario run as child processes (-j 2):
# the table has a row each (the failed expectation under its row, the
# pending reason, the parse error with file:line:col), the exit status is 2
# (an error beats a failure), JUnit XML is well-formed (xmllint) with the
# right counts and elements, TAP has one line each with # SKIP; --filter
# keeps only matching scenarios (then exit 1: only the failure is left).
# Needs $VPNLAB; run from the repository root.
set -u
: "${VPNLAB:?set VPNLAB to the vpnlab binary}"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$VPNLAB" suite --help >"$tmp/help" || fail "suite --help exited $?"
grep -q '^usage: vpnlab suite DIR|FILE' "$tmp/help" || fail "no usage"
grep -q 'examples:' "$tmp/help" || fail "no examples"

mkdir -p "$tmp/s/a" "$tmp/s/b"
cp scenarios/frag/psk.scn "$tmp/s/a/good.scn"
sed -e 's/^name     = frag-psk/name     = frag-psk-broken-expect/' \
    -e 's/^traffic.ping.rx_packets          == 10/traffic.ping.rx_packets          == 11/' scenarios/frag/psk.scn >"$tmp/s/a/fails.scn"
sed 's/^seed     = 11$/seed     = 11\nstatus   = pending waiting for the lead/' scenarios/liveness/unique-keep.scn >"$tmp/s/b/pending.scn"
sed 's/^duration = 120s/duration = soon/' scenarios/frag/psk.scn >"$tmp/s/b/broken.scn"

# --list
"$VPNLAB" suite "$tmp/s" --list >"$tmp/list" || fail "--list exited $?"
grep -q '^frag-psk  *ready  *'"$tmp"'/s/a/good.scn' "$tmp/list" || fail "--list: $(cat "$tmp/list")"
grep -q '^unique-keep  *pending' "$tmp/list" || fail "--list lacks the pending one"
grep -q '^broken  *ERROR' "$tmp/list" || fail "--list lacks the broken one"
grep -q '^4 scenarios$' "$tmp/list" || fail "--list count"

# the run
"$VPNLAB" suite "$tmp/s" -j 2 --out "$tmp/out" >"$tmp/table" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "suite exited $rc, expected 2: $(cat "$tmp/table")"
grep -Eq '^frag-psk  +PASS +[0-9.]+s  tunnel.up_at=0.068 s' "$tmp/table" || fail "no PASS row: $(cat "$tmp/table")"
grep -Eq '^frag-psk-broken-expect +FAIL' "$tmp/table" || fail "no FAIL row"
grep -q '└ FAIL traffic.ping.rx_packets == 11 => 10' "$tmp/table" || fail "failed expectation not under its row"
grep -Eq '^unique-keep +SKIP +pending: waiting for the lead$' "$tmp/table" || fail "no SKIP row"
grep -Eq "^broken +ERROR +.*broken.scn:[0-9]+:12: duration: 'soon'" "$tmp/table" || fail "no ERROR row with file:line:col"
grep -q '^4 scenarios: 1 passed, 1 failed, 1 errors, 1 skipped' "$tmp/table" || fail "totals: $(tail -3 "$tmp/table")"
[ -s "$tmp/out/frag-psk/verdict.txt" ] && [ -s "$tmp/out/frag-psk/wan.pcap" ] || fail "per-scenario results missing"

# JUnit: well-formed, counts, one testcase each with the right child
command -v xmllint >/dev/null || fail "xmllint missing (Debian libxml2-utils)"
xmllint --noout "$tmp/out/junit.xml" || fail "junit.xml is not well-formed"
[ "$(xmllint --xpath 'string(/testsuites/@tests)' "$tmp/out/junit.xml")" = 4 ] || fail "junit tests count"
[ "$(xmllint --xpath 'string(/testsuites/@failures)' "$tmp/out/junit.xml")" = 1 ] || fail "junit failures"
[ "$(xmllint --xpath 'string(/testsuites/@errors)' "$tmp/out/junit.xml")" = 1 ] || fail "junit errors"
[ "$(xmllint --xpath 'string(/testsuites/@skipped)' "$tmp/out/junit.xml")" = 1 ] || fail "junit skipped"
[ "$(xmllint --xpath 'count(//testcase)' "$tmp/out/junit.xml")" = 4 ] || fail "junit testcase count"
[ "$(xmllint --xpath 'count(//testcase[@name="frag-psk-broken-expect"]/failure)' "$tmp/out/junit.xml")" = 1 ] || fail "no <failure>"
[ "$(xmllint --xpath 'count(//testcase[@name="unique-keep"]/skipped)' "$tmp/out/junit.xml")" = 1 ] || fail "no <skipped>"
[ "$(xmllint --xpath 'count(//testcase[@name="broken"]/error)' "$tmp/out/junit.xml")" = 1 ] || fail "no <error>"
[ "$(xmllint --xpath 'string(//testcase[@name="frag-psk"]/@classname)' "$tmp/out/junit.xml")" = a ] || fail "classname = directory"
xmllint --xpath 'string(//testcase[@name="frag-psk-broken-expect"]/failure)' "$tmp/out/junit.xml" |
	grep -q 'traffic.ping.rx_packets == 11 => 10' || fail "failure text"

# TAP
t="$tmp/out/results.tap"
head -2 "$t" | tr '\n' ' ' | grep -q '^TAP version 13 1..4 $' || fail "TAP header: $(head -2 "$t")"
grep -q '^ok [0-9] - frag-psk$' "$t" || fail "TAP ok line"
grep -q '^not ok [0-9] - frag-psk-broken-expect$' "$t" || fail "TAP not ok line"
grep -q "^    - 'traffic.ping.rx_packets == 11 => 10'$" "$t" || fail "TAP YAML failure"
grep -q '^ok [0-9] - unique-keep # SKIP pending: ' "$t" || fail "TAP SKIP"
grep -q '^not ok [0-9] - broken$' "$t" || fail "TAP error line"

# --filter: a glob on the name, a substring of the path
"$VPNLAB" suite "$tmp/s" --filter 'frag-psk-*' --out "$tmp/out2" -q >"$tmp/t2" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "filtered suite exited $rc, expected 1: $(cat "$tmp/t2")"
grep -q '^1 scenarios: 0 passed, 1 failed' "$tmp/t2" || fail "filter kept: $(tail -2 "$tmp/t2")"
"$VPNLAB" suite "$tmp/s" --filter /b/ --list >"$tmp/t3" || fail "--filter --list"
grep -q '^2 scenarios$' "$tmp/t3" || fail "path filter: $(cat "$tmp/t3")"
"$VPNLAB" suite "$tmp/s" --filter nothing-matches >/dev/null 2>&1
[ $? -eq 2 ] || fail "an empty selection must exit 2"

# argument errors
"$VPNLAB" suite >/dev/null 2>&1; [ $? -eq 2 ] || fail "no arguments"
"$VPNLAB" suite "$tmp/nope" >/dev/null 2>&1; [ $? -eq 2 ] || fail "missing directory"
"$VPNLAB" suite "$tmp/s" -j 0 >/dev/null 2>&1; [ $? -eq 2 ] || fail "-j 0"
echo "suite: ok"
