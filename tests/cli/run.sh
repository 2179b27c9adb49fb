#!/bin/bash
# run.sh — `vpnlab run`: --help; a passing scenario writes verdict.txt,
# summary.txt, events.jsonl (JSON lines) and one pcap per link (tshark reads
# them without complaint) and exits 0; a failed expectation exits 1 and
# names the measured value; a pending scenario exits 3 (SKIP); argument
# errors exit 2. Needs $VPNLAB; run from the repository root.
set -u
: "${VPNLAB:?set VPNLAB to the vpnlab binary}"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. help
"$VPNLAB" run --help >"$tmp/help" || fail "run --help exited $?"
grep -q '^usage: vpnlab run FILE' "$tmp/help" || fail "no usage line"
grep -q 'examples:' "$tmp/help" || fail "no examples"
grep -q 'exit status' "$tmp/help" || fail "no exit status"
"$VPNLAB" --help | grep -q '^  run ' || fail "vpnlab --help does not list run"

# 2. a passing scenario
"$VPNLAB" run scenarios/frag/psk.scn --out "$tmp/psk" >"$tmp/out" 2>&1 || fail "psk.scn exited $? ($(cat "$tmp/out"))"
grep -q '^PASS frag-psk: 7/7 expectations met' "$tmp/out" || fail "no PASS line: $(cat "$tmp/out")"
for f in verdict.txt summary.txt events.jsonl access.pcap wan.pcap; do
	[ -s "$tmp/psk/$f" ] || fail "$f missing or empty"
done
grep -q '^verdict PASS$' "$tmp/psk/verdict.txt" || fail "verdict.txt: $(head -3 "$tmp/psk/verdict.txt")"
grep -q '^expect pass tunnel.up == yes => yes$' "$tmp/psk/verdict.txt" || fail "verdict.txt lacks the expectation lines"
grep -q '^topology:' "$tmp/psk/summary.txt" || fail "summary.txt has no topology"
grep -q 'IKE_AUTH request mid 1' "$tmp/psk/summary.txt" || fail "summary.txt timeline lacks IKE_AUTH"
if command -v python3 >/dev/null; then
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line); assert "t" in e and "src" in e and "ev" in e, line; n += 1
assert n > 10, n
' "$tmp/psk/events.jsonl" || fail "events.jsonl is not JSON lines"
fi
if command -v tshark >/dev/null; then
	for p in access wan; do
		tshark -n -r "$tmp/psk/$p.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
			-Y '_ws.malformed || _ws.expert.severity >= error' -T fields -e frame.number >"$tmp/bad" 2>"$tmp/tshark.err" ||
			fail "tshark cannot read $p.pcap"
		[ ! -s "$tmp/bad" ] || fail "tshark finds problems in $p.pcap: $(head -3 "$tmp/bad")"
	done
fi

# 3. same seed, same bytes; --seed changes them
"$VPNLAB" run scenarios/frag/psk.scn --out "$tmp/psk2" -q >/dev/null || fail "second run exited $?"
cmp -s "$tmp/psk/wan.pcap" "$tmp/psk2/wan.pcap" || fail "same seed, different capture"
"$VPNLAB" run scenarios/frag/psk.scn --seed 77 --out "$tmp/psk3" -q >/dev/null || fail "--seed 77 exited $?"
grep -q '^seed 77$' "$tmp/psk3/verdict.txt" || fail "--seed not in the verdict"
! cmp -s "$tmp/psk/wan.pcap" "$tmp/psk3/wan.pcap" || fail "another seed, same capture"

# 4. a failed expectation: exit 1, the measured value shown
sed 's/^client.retransmits               == 0$/client.retransmits               == 3/' scenarios/frag/psk.scn >"$tmp/f.scn"
"$VPNLAB" run "$tmp/f.scn" --out "$tmp/f" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "failing scenario exited $rc, expected 1: $(cat "$tmp/out")"
grep -q 'FAIL  client.retransmits == 3 *measured 0' "$tmp/out" || fail "no FAIL line: $(cat "$tmp/out")"
grep -q '^verdict FAIL$' "$tmp/f/verdict.txt" || fail "verdict.txt does not say FAIL"

# 5. pending: exit 3 and a SKIP verdict (a ready scenario marked pending)
sed 's/^seed     = 11$/seed     = 11\nstatus   = pending the lead wants to look at it first/' \
	scenarios/liveness/unique-keep.scn >"$tmp/pending.scn"
"$VPNLAB" run "$tmp/pending.scn" --out "$tmp/p" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 3 ] || fail "pending scenario exited $rc, expected 3"
grep -q '^SKIP unique-keep: pending: the lead wants to look at it first$' "$tmp/out" || fail "no SKIP line: $(cat "$tmp/out")"
grep -q '^verdict SKIP$' "$tmp/p/verdict.txt" || fail "no SKIP verdict file"
# --force runs it anyway (this one has a client restart: the engine is killed and replaced)
"$VPNLAB" run "$tmp/pending.scn" --force --out "$tmp/p2" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "forced pending scenario exited $rc, expected 0: $(cat "$tmp/out")"
grep -q '^PASS unique-keep: ' "$tmp/out" || fail "no PASS line: $(cat "$tmp/out")"
grep -q '"ev":"engine-killed","who":"client"' "$tmp/p2/events.jsonl" || fail "no engine-killed event"

# 6. argument errors
for args in "" "a.scn b.scn" "--seed 0 scenarios/frag/psk.scn" "--seed x scenarios/frag/psk.scn" "--bogus scenarios/frag/psk.scn" "--out"; do
	# shellcheck disable=SC2086
	"$VPNLAB" run $args >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 2 ] || fail "'run $args' exited $rc, expected 2"
	[ -s "$tmp/out" ] || fail "'run $args' printed nothing"
done
"$VPNLAB" run "$tmp/nonexistent.scn" >"$tmp/out" 2>&1
[ $? -eq 2 ] || fail "missing file: exit $?"
grep -q 'nonexistent.scn: cannot read' "$tmp/out" || fail "missing file message: $(cat "$tmp/out")"
echo "run: ok"
