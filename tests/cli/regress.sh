#!/bin/bash
# regress.sh — `vpnlab regress`: the shipped golden captures match a fresh
# run (exit 0); a deliberately changed scenario (a longer client identity:
# IKE_AUTH grows by 6 octets) makes it fail (exit 1) with the first
# differing frame of each link decoded (exchange, message ID, payloads,
# sizes) and the changed fields named, not a hex dump; --update accepts the
# change, after which it passes; --add makes a golden directory from a
# passing run. Needs $VPNLAB; run from the repository root.
set -u
: "${VPNLAB:?set VPNLAB to the vpnlab binary}"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$VPNLAB" regress --help >"$tmp/help" || fail "--help exited $?"
grep -q '^usage: vpnlab regress' "$tmp/help" && grep -q 'examples:' "$tmp/help" || fail "help text"

# 1. the shipped goldens
"$VPNLAB" regress --out "$tmp/run" >"$tmp/out" 2>&1 || fail "regress exited $?: $(cat "$tmp/out")"
grep -Eq '^regress: [0-9]+ golden scenarios: [0-9]+ identical, 0 differ, 0 errors$' "$tmp/out" || fail "summary: $(tail -2 "$tmp/out")"
[ "$(grep -c '^SAME ' "$tmp/out")" -ge 5 ] || fail "fewer than 5 golden scenarios"

# 2. a deliberate change
mkdir -p "$tmp/g"
cp -r pcaps/golden/natt-hide-nat "$tmp/g/"
sed 's/alice@example.org/alice.smith@example.org/' scenarios/nat/natt-hide-nat.scn >"$tmp/g/changed.scn"
sed -i "s|^scenario .*|scenario $tmp/g/changed.scn|" "$tmp/g/natt-hide-nat/golden.txt"
"$VPNLAB" regress --golden "$tmp/g" --out "$tmp/run2" >"$tmp/diff" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "changed scenario: exit $rc, expected 1: $(cat "$tmp/diff")"
grep -q '^  link access: first difference at frame 3 (frames 1-2 identical' "$tmp/diff" || fail "no access diff: $(cat "$tmp/diff")"
grep -q '^    golden #3 .*10.0.0.2:4500 > 192.0.2.1:4500 .*IKE IKE_AUTH request mid 1 \[SK\] 433 B' "$tmp/diff" || fail "golden frame not decoded"
grep -q '^    now    #3 .*IKE IKE_AUTH request mid 1 \[SK\] 439 B' "$tmp/diff" || fail "new frame not decoded"
grep -q '^    changed: .*IKE message 433 -> 439 B' "$tmp/diff" || fail "changed fields not named"
grep -q '^  link wan: first difference at frame 3' "$tmp/diff" || fail "no wan diff"
grep -q '^DIFFERS natt-hide-nat$' "$tmp/diff" || fail "no DIFFERS line"
! grep -Eq '([0-9a-f]{2} ){8}' "$tmp/diff" || fail "looks like a hex dump"

# 3. --update accepts it
"$VPNLAB" regress --golden "$tmp/g" --out "$tmp/run3" --update >"$tmp/up" 2>&1 || fail "--update exited $?"
grep -q '^UPDATED natt-hide-nat: 2 captures' "$tmp/up" || fail "update: $(cat "$tmp/up")"
"$VPNLAB" regress --golden "$tmp/g" --out "$tmp/run4" natt-hide-nat >"$tmp/after" 2>&1 || fail "after --update: exit $? $(cat "$tmp/after")"

# 4. --add, and the errors
"$VPNLAB" regress --golden "$tmp/g" --out "$tmp/run5" --add scenarios/frag/psk.scn >"$tmp/add" 2>&1 || fail "--add: $(cat "$tmp/add")"
[ -s "$tmp/g/frag-psk/golden.txt" ] && [ -s "$tmp/g/frag-psk/access.pcap" ] || fail "--add wrote nothing"
grep -q '^seed 3$' "$tmp/g/frag-psk/golden.txt" || fail "golden.txt seed"
sed 's/^traffic.ping.rx_packets          == 10/traffic.ping.rx_packets          == 11/' scenarios/frag/psk.scn >"$tmp/fails.scn"
"$VPNLAB" regress --golden "$tmp/g" --out "$tmp/run6" --add "$tmp/fails.scn" >/dev/null 2>&1
[ $? -eq 2 ] || fail "--add of a failing scenario must exit 2"
"$VPNLAB" regress --golden "$tmp/g" nonexistent >"$tmp/err" 2>&1
[ $? -eq 2 ] || fail "unknown golden name must exit 2"
grep -q 'golden.txt' "$tmp/err" || fail "unknown name message: $(cat "$tmp/err")"
echo "regress: ok"
