#!/bin/bash
# check_keys.sh — `vpnlab check --keys` on the crafted, really encrypted
# captures of tests/data/pcaps/dec-* (made by test_conf_dec) and on a real
# strongSwan capture with its charon log: what decrypts is listed, the rules
# that read decrypted content pass on the clean captures and fail (exit 1,
# with evidence) on the broken ones, wrong keys give a note per packet and
# no verdict, every key format works. Needs $VPNLAB.
set -u
: "${VPNLAB:?set VPNLAB to the vpnlab binary}"
fail() { echo "FAIL: $*"; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # run EXPECTED_RC ARGS... : output in $tmp/out
	local want=$1
	shift
	"$VPNLAB" check "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ "$rc" = "$want" ] || fail "vpnlab check $* exited $rc, expected $want; stderr: $(cat "$tmp/err"); $(grep -E '^(FAIL|keys) ' "$tmp/out")"
}
has() { grep -Eq -- "$1" "$tmp/out" || fail "${2:-output} lacks /$1/: $(grep -E -- "${3:-^keys }" "$tmp/out" | head -5)"; }

keys_rules="ikev2-payloads ikev2-auth-payloads ikev2-initial-contact ikev2-sk-content esp-spi-negotiated esp-after-delete esp-inner-ipv4 esp-inner-ts esp-padding"

# 1. the clean capture with its keys: everything decrypts, every rule on decrypted content passes
run 0 "$data/dec-ok.pcap" --keys "$data/dec.keys"
has '^keys .*dec.keys: 1 IKE SA key \(1 used\), 2 ESP SA keys \(2 used\); IKE: 4 of 4 encrypted messages decrypted'
has 'ESP: 4 of 4 packets decrypted'
has '^  frame 3 +IKE_AUTH request mid 1 \[IDi N\(INITIAL_CONTACT\) AUTH SA TSi TSr\]' "decrypted list" '^  '
has '^  frame 10 +INFORMATIONAL response mid 2 \[D\]' "decrypted list" '^  '
has '^  SPI 0xc0000001 +2 packets \(frames 5,7\), 2 decrypted: IPv4 10.1.0.2 > 10.2.0.1 protocol 1' "ESP list" '^  SPI'
for r in $keys_rules; do
	has "^pass +MUST +$r " "rule $r" "$r"
done

# 2. without keys the same rules do not apply (ikev2-payloads still checks the cleartext)
run 0 "$data/dec-ok.pcap"
has '^n/a +MUST +esp-inner-ts .*needs decrypted content \(vpnlab check --keys FILE\)' "esp-inner-ts" esp-inner-ts
has '^pass +MUST +ikev2-payloads .*no --keys' "ikev2-payloads" ikev2-payloads
grep -q '^DECRYPTED' "$tmp/out" && fail "a decryption list without --keys"

# 3. wrong keys: a note per message and packet, no verdict from them, exit 0
run 0 "$data/dec-ok.pcap" --keys "$data/dec-wrong.keys"
has 'IKE: 0 of 4 encrypted messages decrypted \(4 ICV mismatch'
[ "$(grep -c 'ICV mismatch with the given keys' "$tmp/out")" -ge 8 ] || fail "wrong keys: fewer than 8 ICV notes"
has '^n/a +MUST +ikev2-sk-content ' "ikev2-sk-content" ikev2-sk-content

# 4. fragments: decrypted, joined in order, the inner payloads listed once
run 0 "$data/dec-frag.pcap" --keys "$data/dec.keys"
has '1 reassembled from fragments'
has '^  frames 3-5 +IKE_AUTH request mid 1 \[IDi N\(INITIAL_CONTACT\) AUTH SA TSi TSr\] [0-9]+ B \(3 fragments\)' "fragment list" '^  '
has '^pass +MUST +ikev2-sk-content .*1 from fragments' "ikev2-sk-content" ikev2-sk-content

# 5. AES-GCM keys as vpnlab events (JSON lines)
run 0 "$data/dec-gcm.pcap" --keys "$data/dec-gcm.jsonl"
has 'IKE: 4 of 4 encrypted messages decrypted'
has 'ESP: 4 of 4 packets decrypted'

# 6. each broken capture fails its rule (exit 1) with the frame numbers
while read -r pcap rule phrase; do
	run 1 "$data/$pcap.pcap" --keys "$data/dec.keys" --rules keys
	grep -Eq "^FAIL +MUST +$rule +RFC [0-9]+ §[0-9.]+ +[0-9,]+ .*$phrase" "$tmp/out" ||
		fail "$pcap: no FAIL line for $rule with evidence and '$phrase': $(grep -- "$rule" "$tmp/out")"
done <<'EOF'
dec-payloads-ke ikev2-payloads KE not allowed
dec-auth-noidi ikev2-auth-payloads without IDi
dec-auth-nochild ikev2-auth-payloads neither SAr2
dec-ic-late ikev2-initial-contact INITIAL_CONTACT in INFORMATIONAL request
dec-sk-badpad ikev2-sk-content Pad Length
dec-sk-badchain ikev2-sk-content inner payloads malformed
dec-esp-unannounced esp-spi-negotiated SPI 0xc0000099
dec-esp-after-delete esp-after-delete after the INFORMATIONAL exchange
dec-esp-badinner esp-inner-ipv4 checksum
dec-esp-outside-ts esp-inner-ts 10.9.9.9 -> 10.2.0.1
dec-esp-badpad esp-padding padding
EOF

# 7. JSON: the decryption member, parsed
run 0 "$data/dec-frag.pcap" --keys "$data/dec.keys" --format json
if command -v python3 >/dev/null; then
	python3 - "$tmp/out" <<'PY' || fail "JSON decryption member"
import json, sys
d = json.load(open(sys.argv[1]))
x = d["decryption"]
assert x["ike"]["decrypted"] == x["ike"]["encrypted"] and x["ike"]["reassembled"] == 1, x["ike"]
assert x["esp"]["decrypted"] == 4, x["esp"]
m = [w for w in x["messages"] if w["fragments"]]
assert len(m) == 1 and m[0]["first_frame"] == 3 and m[0]["inner_ok"], m
assert "[IDi N(INITIAL_CONTACT) AUTH SA TSi TSr]" in m[0]["summary"], m[0]["summary"]
r = {y["id"]: y for y in d["results"]}
assert r["esp-inner-ts"]["verdict"] == "pass", r["esp-inner-ts"]
print("json ok")
PY
fi

# 8. --rules keys selects the rules that read decrypted content
run 0 "$data/dec-ok.pcap" --keys "$data/dec.keys" --rules keys
[ "$(grep -cE '^(pass|FAIL|warn|n/a) ' "$tmp/out")" = 9 ] || fail "--rules keys ran $(grep -cE '^(pass|n/a) ' "$tmp/out") rules"

# 9. strongSwan's charon log (ike = 4, chd = 4) as the key file of a real capture, fragments included
run 0 "$data/swan-ikefrag.outside.pcap" --keys "$data/swan-ikefrag.charon.log"
has 'charon.log: 1 IKE SA key \(1 used\), 2 ESP SA keys \(2 used\); IKE: 8 of 8 encrypted messages decrypted .*2 reassembled'
has '^  frames 3-5 +IKE_AUTH request mid 1 \[IDi CERT CERT N\(INITIAL_CONTACT\) CERTREQ IDr AUTH CP SA TSi TSr' "list" '^  '
has 'ESP: 6 of 6 packets decrypted'
for r in $keys_rules; do
	has "^pass +MUST +$r " "rule $r" "$r"
done
run 0 "$data/swan-psk-natt.outside.pcap" --keys "$data/swan-psk-natt.charon.log" --rules keys
has 'IKE: 4 of 4 encrypted messages decrypted'
# 10. --dump shows per frame what it decrypted to
run 0 "$data/dec-frag.pcap" --keys "$data/dec.keys" --dump --rules keys
has '^ +3 .*\[SKF\(1/3\)\] => decrypted fragment of the message completed in frame 5' "dump" '^ +3 '
has '^ +5 .*\[SKF\(3/3\)\] => IKE_AUTH request mid 1 \[IDi N\(INITIAL_CONTACT\) AUTH SA TSi TSr\]' "dump" '^ +5 '
has '^ +7 .*SPI 0xc0000001 seq 1 => IPv4 10.1.0.2 > 10.2.0.1 protocol 1, 84 octets' "dump" '^ +7 '
echo "check_keys.sh: all passed"
