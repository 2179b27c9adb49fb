#!/bin/bash
# check_errors.sh — `vpnlab check` exits 2 with a message naming the file
# and the problem for: a missing file, a directory, a zero-length file, a
# garbage file, a truncated capture, an unsupported link type
# (tests/data/pcaps/bad-linktype.pcap, IEEE 802.11); and for bad arguments.
# Nothing may crash (exit >= 128) or write a verdict table. Needs $VPNLAB.
set -u
: "${VPNLAB:?set VPNLAB to the vpnlab binary}"
fail() { echo "FAIL: $*"; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data/pcaps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect2() { # expect2 'PATTERN' ARGS...
	local pat=$1
	shift
	"$VPNLAB" check "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ "$rc" = 2 ] || fail "vpnlab check $* exited $rc, expected 2 (stderr: $(cat "$tmp/err"))"
	grep -q -- "$pat" "$tmp/err" || fail "vpnlab check $*: stderr '$(cat "$tmp/err")' lacks '$pat'"
	grep -q 'VERDICT' "$tmp/out" && fail "vpnlab check $* printed a verdict table"
	return 0
}

# files
expect2 "$tmp/missing.pcap: cannot open: No such file" "$tmp/missing.pcap"
expect2 "$tmp: is a directory" "$tmp"
: >"$tmp/empty.pcap"
expect2 "$tmp/empty.pcap: empty file (0 octets)" "$tmp/empty.pcap"
printf 'GET / HTTP/1.1\r\nHost: example\r\n\r\n' >"$tmp/garbage.pcap"
expect2 "$tmp/garbage.pcap: not a readable pcap/pcapng file" "$tmp/garbage.pcap"
size=$(stat -c %s "$data/natt-ok.pcap")
head -c $((size - 7)) "$data/natt-ok.pcap" >"$tmp/truncated.pcap"
expect2 "$tmp/truncated.pcap: read error: truncated dump file" "$tmp/truncated.pcap"
head -c 10 "$data/natt-ok.pcap" >"$tmp/short-header.pcap"
expect2 "$tmp/short-header.pcap: not a readable pcap/pcapng file" "$tmp/short-header.pcap"
expect2 "bad-linktype.pcap: unsupported link type 105 (IEEE802_11)" "$data/bad-linktype.pcap"

# arguments
expect2 "expected a capture FILE"
expect2 "expected one FILE" "$data/natt-ok.pcap" "$data/natt-ok.pcap"
expect2 "unknown set or rule 'bogus'" "$data/natt-ok.pcap" --rules natt,bogus
expect2 "--format 'xml': expected text, json or junit" "$data/natt-ok.pcap" --format xml
expect2 "--param keepalive_interval: value 'abc'" "$data/natt-ok.pcap" --param keepalive_interval=abc
expect2 "--param 'nosuch': unknown parameter" "$data/natt-ok.pcap" --param nosuch=1
expect2 "expected NAME=VALUE" "$data/natt-ok.pcap" --param novalue
expect2 "unknown option '--bogus'" "$data/natt-ok.pcap" --bogus
expect2 "--keys needs a value" "$data/natt-ok.pcap" --keys

# key files
expect2 "--keys $tmp/nokeys.txt: cannot open" "$data/natt-ok.pcap" --keys "$tmp/nokeys.txt"
printf 'hello\n{"ev":"state","to":"UP"}\n' >"$tmp/nothing.keys"
expect2 "$tmp/nothing.keys: no keys found in 2 lines" "$data/natt-ok.pcap" --keys "$tmp/nothing.keys"
printf 'uat:esp_sa:"IPv4","*","*","0x1234","AES-CBC","0x00","NULL",""\n' >"$tmp/bad.keys"
expect2 "bad.keys:1: SPI '0x1234': expected 4 hex octets" "$data/natt-ok.pcap" --keys "$tmp/bad.keys"
printf 'uat:esp_sa:"IPv4","*","*","0x00001234","Blowfish-CBC","0x00","NULL",""\n' >"$tmp/bad.keys"
expect2 "bad.keys:1: encryption algorithm 'Blowfish-CBC': expected one ref/esp supports" "$data/natt-ok.pcap" \
	--keys "$tmp/bad.keys"
printf '# ok\nuat:ikev2_decryption_table:0011223344556677,8899aabbccddeeff,00,00,"AES-CBC-128 [RFC3602]",00,00,"HMAC_SHA2_256_128 [RFC4868]"\n' >"$tmp/short.keys"
expect2 "short.keys:2 (ikev2_decryption_table): SK_e of 1 and SK_a of 1 octets, but ENCR_AES_CBC/128 needs 16 and 32" \
	"$data/natt-ok.pcap" --keys "$tmp/short.keys"
printf 'uat:ikev1_decryption_table:0011223344556677,00112233445566778899aabbccddeeff\n' >"$tmp/v1.keys"
expect2 "only IKEv1 keys" "$data/natt-ok.pcap" --keys "$tmp/v1.keys"
expect2 "--rules needs a value" "$data/natt-ok.pcap" --rules
echo "check_errors.sh: all passed"
