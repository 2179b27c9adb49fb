#!/bin/bash
# realnet.sh — `vpnlab gateway` / `vpnlab client` without namespaces or a
# TUN device (tun = none), on 127.0.0.1/127.0.0.2 with high ports:
#   1. --help of both verbs; missing --config and unknown options exit 2
#   2. profile errors name file:line (ike keys and [realnet] keys), a
#      gateway profile given to `vpnlab client` is refused by name
#   3. a busy UDP port is named; the TUN without CAP_NET_ADMIN says so
#   4. client -> gateway over loopback: IKE SA and CHILD SA up (events),
#      SIGTERM on the client sends DELETE, the gateway removes the SA,
#      both exit 0, --pcap holds IKE, the events are JSON lines
#   5. a client whose gateway never answers exits 1 after its retransmits
# Needs $VPNLAB and python3. Exit 0 = pass.
set -u
: "${VPNLAB:?set VPNLAB to the vpnlab binary}"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
base=$((20000 + $$ % 20000)) # ports base..base+3, this run's own

# 1. usage
for v in gateway client; do
	"$VPNLAB" $v --help >"$tmp/help" 2>&1 || fail "$v --help exited $?"
	grep -q "usage: vpnlab $v --config FILE" "$tmp/help" || fail "$v --help: no usage line"
	grep -q "CAP_NET_ADMIN" "$tmp/help" || fail "$v --help does not name the privileges"
	"$VPNLAB" $v >"$tmp/out" 2>&1
	[ $? = 2 ] || fail "$v without --config: exit status not 2"
	grep -q -- "--config FILE is required" "$tmp/out" || fail "$v without --config: $(cat "$tmp/out")"
	"$VPNLAB" $v --config x --frobnicate >"$tmp/out" 2>&1
	[ $? = 2 ] && grep -q "unknown option '--frobnicate'" "$tmp/out" || fail "$v unknown option: $(cat "$tmp/out")"
done

# 2. profile errors
cat >"$tmp/bad-ike.conf" <<EOF
[gateway]
local_id = gw.test
psk = "x"
keepalive = 20 parsecs
EOF
"$VPNLAB" gateway --config "$tmp/bad-ike.conf" >"$tmp/out" 2>&1
[ $? = 2 ] || fail "bad ike key: exit status not 2"
grep -q "bad-ike.conf:4: keepalive = '20 parsecs'" "$tmp/out" || fail "bad ike key: $(cat "$tmp/out")"
cat >"$tmp/bad-rn.conf" <<EOF
[gateway]
local_id = gw.test
psk = "x"

[realnet]
tun = none
batch = 9999
EOF
"$VPNLAB" gateway --config "$tmp/bad-rn.conf" >"$tmp/out" 2>&1
[ $? = 2 ] || fail "bad realnet key: exit status not 2"
grep -q "bad-rn.conf:7: \[realnet\] batch = '9999': expected a number 1..256" "$tmp/out" || fail "bad realnet key: $(cat "$tmp/out")"
"$VPNLAB" client --config "$tmp/bad-rn.conf" >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "has a \[gateway\] section and no \[client\] section" "$tmp/out" || fail "role mismatch: $(cat "$tmp/out")"
"$VPNLAB" gateway --config "$tmp/nonexistent.conf" >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q "nonexistent.conf: No such file" "$tmp/out" || fail "missing file: $(cat "$tmp/out")"

# profiles for the loopback runs
cat >"$tmp/gw.conf" <<EOF
[gateway]
local_addr = 127.0.0.1
port = $base
natt_port = $((base + 1))
local_id = gw.vpnlab.example
psk = "vpnlab-test-only-psk"
pool = 10.99.0.0/24
[realnet]
tun = none
shutdown_wait = 2s
EOF
cat >"$tmp/cl.conf" <<EOF
[client]
local_addr = 127.0.0.2
remote_addr = 127.0.0.1
port = $base
natt_port = $((base + 1))
local_id = client.vpnlab.example
psk = "vpnlab-test-only-psk"
request_vip = yes
retransmit_timeout = 200ms
retransmit_tries = 1
[realnet]
tun = none
EOF

# 3a. busy port: something else holds the gateway's IKE port
python3 -c "import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.1',$base)); print('bound',flush=True); time.sleep(60)" >"$tmp/holder" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q bound "$tmp/holder" && break; sleep 0.1; done
"$VPNLAB" gateway --config "$tmp/gw.conf" >"$tmp/out" 2>&1
[ $? = 2 ] || fail "busy port: exit status not 2"
grep -q "UDP port $base (port) on 127.0.0.1 is already in use" "$tmp/out" || fail "busy port: $(cat "$tmp/out")"
kill -KILL "${pids[0]}" && wait "${pids[0]}" 2>/dev/null
pids=()

# 3b. a TUN without CAP_NET_ADMIN (root: drop the capability; others lack it anyway)
sed 's/^tun = none/tun = vlnocap0/' "$tmp/gw.conf" >"$tmp/gw-tun.conf"
if [ "$(id -u)" = 0 ] && command -v capsh >/dev/null; then
	capsh --drop=cap_net_admin -- -c "'$VPNLAB' gateway --config '$tmp/gw-tun.conf'" >"$tmp/out" 2>&1
else
	"$VPNLAB" gateway --config "$tmp/gw-tun.conf" >"$tmp/out" 2>&1
fi
[ $? = 2 ] || fail "TUN without privileges: exit status not 2 ($(cat "$tmp/out"))"
grep -q "needs CAP_NET_ADMIN" "$tmp/out" || fail "TUN without privileges: $(cat "$tmp/out")"

# 4. loopback client -> gateway, then SIGTERM on the client
"$VPNLAB" gateway --config "$tmp/gw.conf" --events "$tmp/gw.ev" >"$tmp/gw.out" 2>&1 &
gw=$!
pids+=("$gw")
for _ in $(seq 50); do grep -q '"ev":"start"' "$tmp/gw.ev" 2>/dev/null && break; sleep 0.1; done
"$VPNLAB" client --config "$tmp/cl.conf" --events "$tmp/cl.ev" --pcap "$tmp/cl.pcap" >"$tmp/cl.out" 2>&1 &
cl=$!
pids+=("$cl")
for _ in $(seq 100); do grep -q '"ev":"child_installed"' "$tmp/cl.ev" 2>/dev/null && break; sleep 0.1; done
grep -q '"ev":"child_installed"' "$tmp/cl.ev" || fail "loopback: no CHILD SA: $(cat "$tmp/cl.out" "$tmp/gw.out")"
grep -q '"ev":"config".*"vip":"10.99.0.' "$tmp/cl.ev" || fail "loopback: no virtual IP from the pool"
grep -q "virtual IP 10.99.0." "$tmp/cl.out" || fail "loopback: the client did not print its virtual IP"
kill -TERM "$cl"
wait "$cl"
rc=$?
[ $rc = 0 ] || fail "client after SIGTERM: exit status $rc ($(cat "$tmp/cl.out"))"
grep -q '"ev":"closing","who":"client","reason":"SIGTERM","sas":1' "$tmp/cl.ev" || fail "client: no closing event"
grep -q '"summary":"INFORMATIONAL request mid [0-9]* \[D\]' "$tmp/cl.ev" || fail "client: no DELETE sent"
grep -q '"reason":"all IKE SAs closed"' "$tmp/cl.ev" || fail "client: did not wait for the DELETE response"
for _ in $(seq 50); do grep -q '"ev":"child_removed"' "$tmp/gw.ev" && break; sleep 0.1; done
grep -q '"ev":"child_removed"' "$tmp/gw.ev" || fail "gateway did not remove the CHILD SA after the DELETE"
kill -TERM "$gw"
wait "$gw"
rc=$?
[ $rc = 0 ] || fail "gateway after SIGTERM: exit status $rc"
grep -q '"ev":"stats"' "$tmp/gw.ev" || fail "gateway: no stats event at exit"
pids=()
python3 - "$tmp/cl.ev" "$tmp/gw.ev" <<'PY' || fail "events are not JSON lines"
import json, sys
for f in sys.argv[1:]:
    for line in open(f):
        json.loads(line)
PY
if command -v tshark >/dev/null; then
	n=$(tshark -r "$tmp/cl.pcap" -d udp.port==$base,isakmp -Y isakmp 2>/dev/null | wc -l)
	[ "$n" -ge 4 ] || fail "pcap: $n IKE packets, expected >= 4"
fi

# 5. nobody answers: the client gives up and exits 1
sed "s/^remote_addr = 127.0.0.1/remote_addr = 127.0.0.3/" "$tmp/cl.conf" >"$tmp/cl-lonely.conf"
timeout 20 "$VPNLAB" client --config "$tmp/cl-lonely.conf" --events "$tmp/lonely.ev" >"$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] || fail "unanswered client: exit status $rc, expected 1 ($(cat "$tmp/out"))"
grep -q "did not come up" "$tmp/out" || fail "unanswered client: $(cat "$tmp/out")"
echo "ok"
