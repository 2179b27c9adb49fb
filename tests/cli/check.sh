#!/bin/bash
# check.sh — `vpnlab check` on the crafted captures of tests/data/pcaps:
# exit 0 when every MUST rule passes, 1 when one fails (with the frame
# numbers as evidence), --rules selection, --param, --list-rules, the JSON
# and JUnit forms (parsed, not grepped), --dump, --help. Needs $VPNLAB.
set -u
: "${VPNLAB:?set VPNLAB to the vpnlab binary}"
fail() { echo "FAIL: $*"; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # run EXPECTED_RC ARGS... : output in $tmp/out, stderr in $tmp/err
	local want=$1
	shift
	"$VPNLAB" check "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ "$rc" = "$want" ] || fail "vpnlab check $* exited $rc, expected $want; stderr: $(cat "$tmp/err"); stdout: $(tail -5 "$tmp/out")"
}

# 1. clean NAT-T capture: exit 0, the NAT-T rules pass
run 0 "$data/natt-ok.pcap"
grep -Eq '^pass +MUST +natt-float-4500 ' "$tmp/out" || fail "natt-float-4500 not pass on natt-ok"
grep -Eq '^pass +MUST +natt-natd-hash .*NAT detected' "$tmp/out" || fail "natt-natd-hash does not report the NAT"
grep -q '15 frames' "$tmp/out" || fail "summary line lacks the frame count"

# 2. pcapng gives the same verdicts
run 0 "$data/natt-ok.pcapng"
"$VPNLAB" check "$data/natt-ok.pcap" | tail -n +2 >"$tmp/a"
"$VPNLAB" check "$data/natt-ok.pcapng" | tail -n +2 >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" || fail "pcap and pcapng verdicts differ"

# 3. a MUST violation: exit 1, FAIL line with the frame numbers
run 1 "$data/esp-seq-repeat.pcap"
grep -Eq '^FAIL +MUST +esp-seq-increase +RFC 4303 §3.3.3 +2,3 +frame 3: ESP SPI 0xc0000001 sequence number 2 repeated' "$tmp/out" ||
	fail "esp-seq-increase FAIL line wrong: $(grep esp-seq-increase "$tmp/out")"

# 4. --rules restricts the rules run: a set, a rule id
run 0 "$data/esp-seq-repeat.pcap" --rules natt
grep -q esp-seq-increase "$tmp/out" && fail "--rules natt ran esp-seq-increase"
run 1 "$data/esp-seq-repeat.pcap" --rules ikev2,esp-seq-increase
[ "$(grep -c 'RFC' "$tmp/out")" -ge 2 ] || fail "--rules ikev2,esp-seq-increase output too short"

# 5. a SHOULD violation warns but exits 0; --param changes the outcome
run 0 "$data/natt-keepalive-gap.pcap" --rules natt-keepalive-interval
grep -Eq '^warn +SHOULD +natt-keepalive-interval' "$tmp/out" || fail "keepalive gap not a SHOULD warning"
run 0 "$data/natt-keepalive-gap.pcap" --rules natt-keepalive-interval --param keepalive_interval=60
grep -Eq '^pass +SHOULD +natt-keepalive-interval' "$tmp/out" || fail "keepalive_interval=60 did not pass"

# 6. ADVISORY findings do not fail either
run 0 "$data/v1-aggressive-psk.pcap" --rules ikev1
grep -Eq "^warn +ADVISORY +ikev1-aggressive-psk .*identity 'vpn@ex.org'" "$tmp/out" ||
	fail "aggressive-mode PSK finding missing: $(grep aggressive "$tmp/out")"

# 7. JSON: parse it
run 1 "$data/natt-float-missing.pcap" --format json
if command -v python3 >/dev/null; then
	python3 - "$tmp/out" <<'PY' || fail "JSON check failed"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit"] == 1, d["exit"]
r = {x["id"]: x for x in d["results"]}
f = r["natt-float-4500"]
assert f["verdict"] == "fail" and f["force"] == "MUST" and f["rfc"] == "RFC 7296" and f["section"] == "2.23", f
assert f["evidence"] == [3, 4], f["evidence"]
assert "UDP 500->500" in f["explanation"], f["explanation"]
assert r["ikev2-version"]["verdict"] == "pass"
assert d["stats"]["ike_messages"] == 4, d["stats"]
print("json ok:", len(d["results"]), "results")
PY
else
	grep -q '"id":"natt-float-4500"' "$tmp/out" || fail "JSON lacks natt-float-4500"
fi

# 8. JUnit: well-formed XML, one testcase per rule, the MUST failure as <failure>
run 1 "$data/natt-float-missing.pcap" --format junit
n_rules=$("$VPNLAB" check --list-rules | tail -n +2 | wc -l)
if command -v xmllint >/dev/null; then
	xmllint --noout "$tmp/out" || fail "JUnit output is not well-formed XML"
	tc=$(xmllint --xpath 'count(//testcase)' "$tmp/out")
	[ "$tc" = "$n_rules" ] || fail "JUnit has $tc testcases, expected $n_rules"
	fl=$(xmllint --xpath 'count(//testcase/failure)' "$tmp/out")
	[ "$fl" = 1 ] || fail "JUnit has $fl failures, expected 1"
	xmllint --xpath 'string(//testsuite/@failures)' "$tmp/out" | grep -qx 1 || fail "testsuite failures attribute"
fi
grep -q '<failure type="MUST"' "$tmp/out" || fail "JUnit failure element missing"

# 9. --list-rules: at least 25 rules, each with an RFC section and a force
"$VPNLAB" check --list-rules >"$tmp/rules" || fail "--list-rules exited $?"
[ "$n_rules" -ge 25 ] || fail "only $n_rules rules"
awk 'NR>1 && $0 !~ /RFC [0-9]+.*§[0-9.]+ +(MUST|SHOULD|MAY|ADVISORY) /' "$tmp/rules" | grep -q . &&
	fail "a rule line lacks RFC §/force: $(awk 'NR>1 && $0 !~ /§/' "$tmp/rules" | head -1)"
"$VPNLAB" check --list-rules --format json | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) >= 25' ||
	fail "--list-rules --format json"

# 10. --dump: one line per frame, numbered like tshark
run 0 "$data/ikefrag-ok.pcap" --dump --rules frag
grep -Eq '^ +3 .*IKE_AUTH request mid 1 \[SKF\(1/3\)\]' "$tmp/out" || fail "dump lacks the SKF line: $(head -5 "$tmp/out")"
if command -v tshark >/dev/null; then
	t=$(tshark -r "$data/ikefrag-ok.pcap" 2>/dev/null | grep -c 'fragment')
	[ "$t" = 3 ] || fail "tshark sees $t IKE fragments in ikefrag-ok.pcap, expected 3"
fi

# 11. help
"$VPNLAB" check --help >"$tmp/help" || fail "check --help exited $?"
for w in --rules --format --param --list-rules keepalive_interval "exit status"; do
	grep -q -- "$w" "$tmp/help" || fail "check --help does not mention $w"
done
"$VPNLAB" --help | grep -q '^  check ' || fail "vpnlab --help does not list check"
echo "check.sh: all passed"
