#!/bin/bash
# matrix.sh — vpnlab's gateway and client against strongSwan 5.9.8 (and
# against each other) in lib.sh's namespace topology, one fresh topology
# per case, then a matrix (feature x peer -> PASS/FAIL/SKIP) and the line
# "N passed, N failed".
#
#  ┌─────────────────┐   ┌──────────────────────────────┐   ┌──────────────────┐
#  │ client          │   │ nat: MASQUERADE fully-random │   │ gateway          │
#  │ vpnlab client   ├───┤ (ports 20000-59999); rsa-frag├───┤ vpnlab gateway   │
#  │ or strongSwan   │   │ also drops non-first IP frags│   │ or strongSwan    │
#  │ 192.0.2.2       │   │ 192.0.2.1 | 198.51.100.1     │   │ 198.51.100.2     │
#  └─────────────────┘   └──────────────────────────────┘   │ 203.0.113.1 (lo) │
#   inner: virtual IP from 203.0.113.64/26 ──ESP-in-UDP──►   │ pool .64/26      │
#                                                            └──────────────────┘
# Peers (rows), "client>gateway":
#   vpnlab>swan    vpnlab client, strongSwan gateway (kernel-libipsec)
#   swan>vpnlab    strongSwan client, vpnlab gateway
#   vpnlab>vpnlab  both ours
#   ike-scan>vpnlab  ike-scan probes and junk datagrams against our gateway
# Features (columns):
#   psk       IKEv2 PSK, tunnel up          vip   virtual IP from the pool
#   natt      UDP-encapsulated ESP with the NAT's rewritten port
#   ping      3 pings through the tunnel    tcp   4 MiB over TCP, SHA-256 equal
#   dns       our client reports the DNS servers of the configuration payload
#             and leaves the host's /etc/resolv.conf alone (our client rows)
#   delete    the client's shutdown sends DELETE, the peer removes the SA
#   pcap      our own capture (--pcap) passes `vpnlab check`
#   plain-esp (vpnlab>vpnlab, a direct link without the NAT): ESP in IP
#             protocol 50 through raw sockets, ping + TCP, protocol 50 in
#             our capture
#   ecdsa     ECDSA P-256 certificates with an intermediate (up + ping + tcp)
#   rsa-frag  RSA-3072 chains (~4 KB IKE_AUTH) behind the fragment-dropping NAT:
#             RFC 7383 fragmentation both ways (up + ping + our SKF fragments seen)
#   rekey-us / rekey-peer   CHILD SA rekeyed by our side / by the peer while
#             pinging: new SPIs installed, at most 2 pings lost, TCP after it
#   dpd       liveness checks both ways while idle, tunnel stays up
#   dead-peer the peer is killed (no DELETE): the survivor notices and clears
#   ike-scan row: v2-* answered per RFC 7296 (INVALID_KE / handshake /
#             NO_PROPOSAL_CHOSEN), v1-*/junk ignored without a crash, cookies
#             demanded under a half-open flood, no leaked IKE SA afterwards,
#             and a real client still gets in.
#
# Environment: VPNLAB (default build/rel/vpnlab), VPNLAB_SCAN (the gateway
# binary for the ike-scan row; default VPNLAB, use the ASan build to catch
# memory errors), VPNLAB_CHECK (the binary for `check`), MATRIX_PEERS, MATRIX_FEATURES (space-separated subsets),
# VL_KEEP=1 keeps the work directory (configs, events, pcaps, charon logs).
# Needs root. Cleans up (only its own namespaces and PIDs) even on failure.
# Exit status: 0 if nothing failed, 1 otherwise, 77 if it cannot run here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
. "$here/swan.sh"

VPNLAB=${VPNLAB:-$repo/build/rel/vpnlab}
VPNLAB_SCAN=${VPNLAB_SCAN:-$VPNLAB}
VPNLAB_CHECK=${VPNLAB_CHECK:-$VPNLAB}
PEERS=${MATRIX_PEERS:-"vpnlab>swan swan>vpnlab vpnlab>vpnlab ike-scan>vpnlab"}
FEATURES=${MATRIX_FEATURES:-"psk ecdsa rsa-frag rekey dpd plain-esp ike-scan"}

vl_init rnmx
vl_require_cmds charon-systemd:charon-systemd swanctl:strongswan-swanctl pki:strongswan-pki \
	ping:iputils-ping ike-scan:ike-scan python3:python3
[ -x "$VPNLAB" ] || vl_die "VPNLAB=$VPNLAB is not executable (make VARIANT=rel build)"
vl_tmpdir
work=$VL_TMP
ncase=0
RESOLV_SUM=$(sha256sum </etc/resolv.conf 2>/dev/null)

# ---------------------------------------------------------------- results
declare -A RES
COLS=()
ROWS=()
# rec PEER COLUMN PASS|FAIL|SKIP [WHY]: one cell of the matrix.
rec() {
	local peer=$1 col=$2 v=$3 why=${4:-} c seen=0
	for c in "${COLS[@]}"; do [ "$c" = "$col" ] && seen=1; done
	[ $seen = 1 ] || COLS+=("$col")
	seen=0
	for c in "${ROWS[@]}"; do [ "$c" = "$peer" ] && seen=1; done
	[ $seen = 1 ] || ROWS+=("$peer")
	RES["$peer|$col"]=$v
	printf '%-4s %-16s %-10s %s\n' "$v" "$peer" "$col" "$why"
}
# verdict PEER COLUMN WHY CMD...: PASS if CMD succeeds, else FAIL with WHY.
verdict() {
	local peer=$1 col=$2 why=$3
	shift 3
	if "$@" >>"$CD/checks.log" 2>&1; then rec "$peer" "$col" PASS; else rec "$peer" "$col" FAIL "$why"; fi
}
wants() { case " $FEATURES " in *" $1 "*) return 0 ;; esac; return 1; }
peer_wanted() { case " $PEERS " in *" $1 "*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------- helpers
cat >"$work/tcpx.py" <<'PY'
# tcpx.py sink ADDR PORT | source ADDR PORT BYTES SEED: prints "BYTES SHA256".
import hashlib, random, socket, sys
mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "sink":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    s.settimeout(60)
    print("listening", flush=True)
    c, _ = s.accept()
    c.settimeout(60)
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        h.update(b)
        n += len(b)
    print(n, h.hexdigest(), flush=True)
else:
    data = random.Random(int(sys.argv[5])).randbytes(int(sys.argv[4]))
    s = socket.create_connection((addr, port), timeout=60)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    print(len(data), hashlib.sha256(data).hexdigest(), flush=True)
PY
cat >"$work/junk.py" <<'PY'
# junk.py ADDR: malformed datagrams to UDP 500 and 4500 (from ports 500/4500 are not needed).
import os, socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
hdr = os.urandom(8) + bytes(8) + bytes([33, 0x20, 34, 0x08]) + bytes(4)
for port in (500, 4500):
    m = b"" if port == 500 else bytes(4)
    for p in (b"", b"\x00", bytes(3), m + hdr, m + hdr + (28).to_bytes(4, "big"),
              m + hdr + (0xffffffff).to_bytes(4, "big"), m + hdr + (40).to_bytes(4, "big") + os.urandom(12),
              os.urandom(8000), b"\xff", b"\xff\xff", bytes(4) + os.urandom(100)):
        s.sendto(p, (a, port))
print("sent")
PY

# tcp_check CLIENT_NS: 4 MiB from the client to 203.0.113.1:5001, hashes equal.
tcp_check() {
	local ns=$1 want
	vl_bg "$VL_NS_G" "$CD/sink.out" python3 "$work/tcpx.py" sink 203.0.113.1 5001
	vl_wait_file "$CD/sink.out" listening 5 || return 1
	want=$(ip netns exec "$ns" timeout 60 python3 "$work/tcpx.py" source 203.0.113.1 5001 4194304 $$) || return 1
	vl_wait_file "$CD/sink.out" "^4194304 " 30 || return 1
	echo "sent $want, got $(tail -n1 "$CD/sink.out")"
	[ "$(tail -n1 "$CD/sink.out")" = "$want" ]
}
ping_check() { ip netns exec "$VL_NS_C" ping -c 3 -i 0.2 -W 2 203.0.113.1; }

# make_pki KIND: root CA, one intermediate per side, end entities with
# their FQDN (and, for rsa, 20 more SANs: ~4 KB IKE_AUTH) in $work/pki-KIND.
# Our side reads NAME-chain.pem (end entity + intermediate).
make_pki() {
	local kind=$1 p=$work/pki-$1 n sans i type size pids=()
	local dn="C=ZZ, O=vpnlab test only, OU=interop matrix"
	[ -e "$p/root.crt.pem" ] && return 0
	mkdir -p "$p"
	vl_swan_conf "$work/pki-conf"
	export STRONGSWAN_CONF=$work/pki-conf/strongswan.conf
	if [ "$kind" = rsa ]; then type=rsa size=3072; else type=ecdsa size=256; fi
	for n in root gw-ca client-ca gw client; do
		pki --gen --type $type --size $size --outform pem >"$p/$n.key.pem" &
		pids+=($!)
	done
	wait "${pids[@]}" || vl_die "pki --gen $kind failed"
	pki --self --in "$p/root.key.pem" --type $type --ca --lifetime 30 --dn "$dn, CN=vpnlab $kind root" \
		--outform pem >"$p/root.crt.pem" || vl_die "pki --self failed"
	for n in gw client; do
		pki --pub --in "$p/$n-ca.key.pem" --type $type |
			pki --issue --cacert "$p/root.crt.pem" --cakey "$p/root.key.pem" --ca --lifetime 30 \
				--dn "$dn, CN=vpnlab $kind $n CA" --outform pem >"$p/$n-ca.crt.pem" || vl_die "pki --issue $n-ca"
		sans="--san $n.vpnlab.example"
		if [ "$kind" = rsa ]; then
			for i in $(seq 1 20); do sans="$sans --san $n-alias-$i.interop.vpnlab.example"; done
		fi
		# shellcheck disable=SC2086
		pki --pub --in "$p/$n.key.pem" --type $type |
			pki --issue --cacert "$p/$n-ca.crt.pem" --cakey "$p/$n-ca.key.pem" --lifetime 30 \
				--dn "$dn, CN=$n.vpnlab.example" $sans --flag serverAuth --flag clientAuth \
				--outform pem >"$p/$n.crt.pem" || vl_die "pki --issue $n"
		cat "$p/$n.crt.pem" "$p/$n-ca.crt.pem" >"$p/$n-chain.pem"
	done
	unset STRONGSWAN_CONF
}

# ours_profile FILE ROLE AUTH PKI EXTRA: our profile for the topology; EXTRA
# is more "key = value" lines for the role's section ("\n"-separated).
ours_profile() {
	local f=$1 role=$2 auth=$3 pki=$4 extra=$5 me peer
	if [ "$role" = gateway ]; then me=gw peer=client; else me=client peer=gw; fi
	{
		echo "# $role for matrix.sh case $(basename "$(dirname "$f")")"
		echo "[$role]"
		echo "local_id = $me.vpnlab.example"
		echo "remote_id = $peer.vpnlab.example"
		if [ "$auth" = psk ]; then
			echo 'psk = "vpnlab-test-only-psk"'
		else
			echo "auth = pubkey"
			echo "remote_auth = pubkey"
			echo "cert = $pki/$me-chain.pem"
			echo "key = $pki/$me.key.pem"
			echo "ca = $pki/root.crt.pem"
		fi
		echo "ike = ${OURS_IKE:-aes128-sha256-modp2048, aes256gcm16-prfsha256-curve25519}"
		echo "esp = aes128-sha256, aes128gcm16"
		echo "retransmit_timeout = 1s"
		echo "retransmit_tries = 2"
		if [ "$role" = gateway ]; then
			echo "local_addr = 198.51.100.2"
			echo "local_ts = 203.0.113.1/32"
			echo "pool = 203.0.113.64/26"
			echo "dns = 203.0.113.53, 203.0.113.54"
		else
			echo "remote_addr = 198.51.100.2"
			echo "remote_ts = 203.0.113.1/32"
			echo "request_vip = yes"
		fi
		[ -n "$extra" ] && printf '%b\n' "$extra"
		echo "[realnet]"
		echo "tun = vl$me"
	} >"$f"
}

# up_pair PEER AUTH KIND FRAGDROP OURS_GW OURS_CL SWAN_VARS: a fresh
# topology with both sides started; sets CD (case directory), GWK/CLK
# (vpnlab|swan), GW_PID/CL_PID (ours) and returns 0 once the CHILD SA is up.
up_pair() {
	local peer=$1 auth=$2 kind=$3 fragdrop=$4 ogw=$5 ocl=$6 svars=$7 pki=-
	ncase=$((ncase + 1))
	CD=$work/case$ncase
	mkdir -p "$CD"
	CLK=${peer%%>*}
	GWK=${peer#*>}
	GW_PID=
	CL_PID=
	[ "$auth" = cert ] && pki=$work/pki-$kind
	echo "$peer $auth $kind fragdrop=$fragdrop" >"$CD/case.txt"
	vl_topo_up
	[ "$fragdrop" = yes ] && vl_nat_fragdrop
	local sv="ESP=aes128-sha256 DPD=0 REKEY=0 FRAGMENTATION=yes PKI=$pki"
	if [ "$GWK" = vpnlab ]; then
		ours_profile "$CD/gw.conf" gateway "$auth" "$pki" "$ogw"
		vl_bg "$VL_NS_G" "$CD/gw.out" "$VPNLAB" gateway --config "$CD/gw.conf" --events "$CD/gw.ev" --pcap "$CD/gw.pcap"
		GW_PID=$VL_LAST_PID
		vl_wait_file "$CD/gw.ev" '"ev":"start"' 5 || { cat "$CD/gw.out" >&2; return 1; }
	else
		# shellcheck disable=SC2086
		vl_swan_conf "$CD/gw" RETRANSMIT_TRIES=2 RETRANSMIT_TIMEOUT=1.0
		if [ "$auth" = cert ]; then mkdir -p "$CD/gw/private" && cp "$pki/gw.key.pem" "$CD/gw/private/"; fi
		vl_swan_start "$VL_NS_G" "$CD/gw"
		SWAN_GW_PID=$VL_LAST_PID
		# shellcheck disable=SC2086
		vl_swan_load "$VL_NS_G" "$CD/gw" "rn-gw-$auth.swanctl.conf.in" $svars $sv
	fi
	if [ "$CLK" = vpnlab ]; then
		ours_profile "$CD/cl.conf" client "$auth" "$pki" "$ocl"
		vl_bg "$VL_NS_C" "$CD/cl.out" "$VPNLAB" client --config "$CD/cl.conf" --events "$CD/cl.ev" --pcap "$CD/cl.pcap"
		CL_PID=$VL_LAST_PID
		vl_wait_file "$CD/cl.ev" '"ev":"child_installed"' 20
	else
		vl_swan_conf "$CD/cl" RETRANSMIT_TRIES=2 RETRANSMIT_TIMEOUT=1.0
		if [ "$auth" = cert ]; then mkdir -p "$CD/cl/private" && cp "$pki/client.key.pem" "$CD/cl/private/"; fi
		vl_swan_start "$VL_NS_C" "$CD/cl"
		SWAN_CL_PID=$VL_LAST_PID
		# shellcheck disable=SC2086
		vl_swan_load "$VL_NS_C" "$CD/cl" "rn-client-$auth.swanctl.conf.in" $svars $sv
		vl_swanctl "$VL_NS_C" "$CD/cl" --initiate --child net --timeout 20 >"$CD/initiate.log" 2>&1
	fi
}

# why_down prints a short reason from the logs of a case that did not come up.
why_down() {
	{
		grep -h '"ev":"drop"\|auth_failed\|"ev":"error"\|NOTIFY\|"why"' "$CD"/*.ev 2>/dev/null | tail -n 2
		grep -h "failed\|error\|giving up" "$CD"/*/charon.log "$CD"/initiate.log 2>/dev/null | tail -n 2
		cat "$CD"/*.out 2>/dev/null | grep -i "error" | tail -n 2
	} | cut -c1-200 | tr '\n' ' '
}

# stop_client ends the client as a user would: ours with SIGTERM (exit status
# in STOP_RC), strongSwan with --terminate.
stop_client() {
	STOP_RC=0
	if [ "$CLK" = vpnlab ]; then
		kill -TERM "$CL_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$CL_PID" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$CL_PID" 2>/dev/null; then STOP_RC=124; else wait "$CL_PID"; STOP_RC=$?; fi
	else
		vl_swanctl "$VL_NS_C" "$CD/cl" --terminate --ike home --timeout 10 >"$CD/terminate.log" 2>&1
		STOP_RC=$?
	fi
}
# peer_saw_delete: the gateway removed the SA because the client deleted it.
peer_saw_delete() {
	[ "$STOP_RC" = 0 ] || { echo "client stop exit status $STOP_RC"; return 1; }
	if [ "$GWK" = vpnlab ]; then
		vl_wait_file "$CD/gw.ev" '"ev":"child_removed"' 5 && grep -q '"to":"DEAD"' "$CD/gw.ev"
	else
		vl_wait_file "$CD/gw/charon.log" "deleting IKE_SA|IKE_SA deleted" 5
	fi
}
client_is_up() {
	if [ "$CLK" = vpnlab ]; then grep -q '"ev":"child_installed"' "$CD/cl.ev" 2>/dev/null
	else grep -q "CHILD_SA net{[0-9]*} established" "$CD/initiate.log" 2>/dev/null; fi
}
vip_check() {
	if [ "$CLK" = vpnlab ]; then grep -Eq '"ev":"config".*"vip":"203\.0\.113\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])"' "$CD/cl.ev"
	else grep -Eq "installing new virtual IP 203\.0\.113\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])" "$CD/initiate.log"; fi
}
natt_check() {
	# the NAT rewrites the client's port: the gateway sees ESP-in-UDP from a port >= 20000
	if [ "$GWK" = vpnlab ]; then grep -Eq '"ev":"child_installed".*"encap":true,"peer":"198\.51\.100\.1","rport":[2-5][0-9]{4}' "$CD/gw.ev"
	else grep -q '"ev":"child_installed".*"encap":true' "$CD/cl.ev" && grep -q '"ev":"nat".*"local":true' "$CD/cl.ev"; fi
}
dns_check() {
	grep -q '"ev":"config".*"dns":"203.0.113.53,203.0.113.54","resolver_changed":false' "$CD/cl.ev" &&
		grep -q "DNS 203.0.113.53,203.0.113.54 (reported only" "$CD/cl.out" &&
		[ "$(sha256sum </etc/resolv.conf 2>/dev/null)" = "$RESOLV_SUM" ]
}
pcap_check() {
	local f=$CD/gw.pcap
	[ "$CLK" = vpnlab ] && f=$CD/cl.pcap
	"$VPNLAB_CHECK" check "$f" >"$CD/check.txt" 2>&1
}
# kill_quiet PID: SIGKILL one of our PIDs without the shell's "Killed" job notice.
kill_quiet() { { kill -KILL "$1" && wait "$1"; } 2>/dev/null; }
# ours_events FILE PATTERN MIN: at least MIN lines of FILE match PATTERN.
ours_events() { [ "$(grep -Ec -- "$2" "$1" 2>/dev/null)" -ge "$3" ]; }

# ---------------------------------------------------------------- cases
case_psk() {
	local peer=$1
	up_pair "$peer" psk - no "" "" ""
	if ! client_is_up; then
		rec "$peer" psk FAIL "tunnel not up: $(why_down)"
		for c in vip natt ping tcp delete pcap; do rec "$peer" $c SKIP "no tunnel"; done
		vl_topo_down
		return
	fi
	rec "$peer" psk PASS
	verdict "$peer" vip "no virtual IP from 203.0.113.64/26" vip_check
	verdict "$peer" natt "ESP not UDP-encapsulated through the NAT" natt_check
	if [ "$CLK" = vpnlab ]; then
		verdict "$peer" dns "DNS 203.0.113.53, 203.0.113.54 not reported, or resolv.conf changed" dns_check
	fi
	verdict "$peer" ping "ping through the tunnel failed" ping_check
	verdict "$peer" tcp "4 MiB TCP transfer failed or hashes differ" tcp_check "$VL_NS_C"
	stop_client
	verdict "$peer" delete "no DELETE seen by the gateway" peer_saw_delete
	sleep 0.2
	if pcap_check; then rec "$peer" pcap PASS
	else rec "$peer" pcap FAIL "vpnlab check: $(grep -m2 -i "fail\|error" "$CD/check.txt" | tr '\n' ' ' | cut -c1-160)"; fi
	vl_topo_down
}

case_cert() {
	local peer=$1 kind=$2 col=$3 fragdrop=no why=
	[ "$kind" = rsa ] && fragdrop=yes
	make_pki "$kind"
	up_pair "$peer" cert "$kind" "$fragdrop" "" "" ""
	if ! client_is_up; then
		rec "$peer" "$col" FAIL "tunnel not up: $(why_down)"
	elif ! ping_check >>"$CD/checks.log" 2>&1; then
		rec "$peer" "$col" FAIL "up, but ping failed"
	elif ! tcp_check "$VL_NS_C" >>"$CD/checks.log" 2>&1; then
		rec "$peer" "$col" FAIL "up, but the TCP transfer failed"
	elif [ "$kind" = rsa ] && ! ours_events "$CD/$([ "$CLK" = vpnlab ] && echo cl || echo gw).ev" '"exchange":"IKE_AUTH".*"frags":[1-9]' 1; then
		rec "$peer" "$col" FAIL "up, but our IKE_AUTH was not fragmented"
	else
		[ $fragdrop = yes ] && why="IKE_AUTH as $(grep -ho '"exchange":"IKE_AUTH".*"frags":[1-9][0-9]*' "$CD"/*.ev | grep -o '"frags":[0-9]*' | head -n1 | cut -d: -f2) SKF fragments; NAT dropped $(vl_fragdrop_count) IP fragments"
		rec "$peer" "$col" PASS "${why:-}"
	fi
	vl_topo_down
}

# case_rekey PEER WHO: WHO=us shortens our CHILD lifetime, WHO=peer the peer's.
case_rekey() {
	local peer=$1 who=$2 ogw="" ocl="" sv="" col=rekey-$2 ours theirs lost
	# ours: child_lifetime 6s (the engine rekeys ahead of it); strongSwan: rekey_time 4s
	if [ "$who" = us ]; then
		if [ "${peer%%>*}" = vpnlab ]; then ocl="child_lifetime = 6s"; else ogw="child_lifetime = 6s"; fi
	elif [ "$peer" = "vpnlab>vpnlab" ]; then
		ogw="child_lifetime = 6s"
	else
		sv="REKEY=4s"
	fi
	up_pair "$peer" psk - no "$ogw" "$ocl" "$sv"
	if ! client_is_up; then
		rec "$peer" "$col" FAIL "tunnel not up: $(why_down)"
		vl_topo_down
		return
	fi
	ip netns exec "$VL_NS_C" ping -c 50 -i 0.2 -W 1 203.0.113.1 >"$CD/ping.log" 2>&1
	lost=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$CD/ping.log")
	lost=$((50 - ${lost:-0}))
	# a rekey shows as a CHILD SA installed with rekey_of (ours) or a second "established with SPIs" (strongSwan)
	ours=$(cat "$CD"/*.ev 2>/dev/null | grep -c '"ev":"child_installed".*"rekey_of"')
	theirs=$(cat "$CD"/*/charon.log 2>/dev/null | grep -c "CHILD_SA net{[0-9]*} established with SPIs")
	if [ "$ours" -lt 1 ] && [ "$theirs" -lt 2 ]; then
		rec "$peer" "$col" FAIL "no CHILD SA rekey seen in 10 s (lost $lost pings)"
	elif [ "$lost" -gt 2 ]; then
		rec "$peer" "$col" FAIL "rekeyed, but $lost of 50 pings lost"
	elif ! tcp_check "$VL_NS_C" >>"$CD/checks.log" 2>&1; then
		rec "$peer" "$col" FAIL "rekeyed, but the TCP transfer afterwards failed"
	else
		rec "$peer" "$col" PASS "lost $lost/50 pings"
	fi
	vl_topo_down
}

# case_dpd PEER WHO: liveness checks (RFC 7296 §2.4) while idle. WHO=us: only
# our side checks (every 1 s); then the peer is killed without DELETE and
# our side must notice and clear the SA (column dead-peer). WHO=peer: only
# the peer checks (strongSwan dpd_delay 1 s; for vpnlab>vpnlab the gateway)
# and our side answers. One side at a time: a side that hears from its
# peer skips its own check, so with both on, the faster one hides the other.
case_dpd() {
	local peer=$1 who=$2 col=dpd-$2 ogw="" ocl="" sv="" f n
	if [ "$who" = us ]; then
		if [ "${peer%%>*}" = vpnlab ]; then ocl="dpd_delay = 1s"; else ogw="dpd_delay = 1s"; fi
	elif [ "$peer" = "vpnlab>vpnlab" ]; then
		ogw="dpd_delay = 1s"
	else
		sv="DPD=1s"
	fi
	up_pair "$peer" psk - no "$ogw" "$ocl" "$sv"
	if ! client_is_up; then
		rec "$peer" "$col" FAIL "tunnel not up: $(why_down)"
		[ "$who" = us ] && rec "$peer" dead-peer SKIP "no tunnel"
		vl_topo_down
		return
	fi
	sleep 3.5
	# the checking side: empty INFORMATIONAL requests, each answered
	if [ "$who" = us ] || [ "$peer" = "vpnlab>vpnlab" ]; then
		f=$CD/gw.ev
		[ -n "$ocl" ] && f=$CD/cl.ev
		n=$(grep -Ec '"dir":"recv","exchange":"INFORMATIONAL","mid":[0-9]+,"response":true,"size":[0-9]+,"frags":0,"summary":"INFORMATIONAL response mid [0-9]+ \[\]' "$f")
	else
		f=$(ls "$CD"/*/charon.log)
		n=$(grep -c "parsed INFORMATIONAL response [0-9]* \[ \]" "$f")
	fi
	if [ "${n:-0}" -ge 2 ] && ping_check >>"$CD/checks.log" 2>&1; then rec "$peer" "$col" PASS "$n answered liveness checks in 3.5 s"
	elif [ "${n:-0}" -ge 2 ]; then rec "$peer" "$col" FAIL "tunnel lost while idle"
	else rec "$peer" "$col" FAIL "only ${n:-0} answered liveness checks in 3.5 s (expected >= 2)"; fi
	if [ "$who" = us ]; then
		# dead peer: the other side disappears without DELETE
		if [ "$CLK" = vpnlab ]; then
			if [ "$GWK" = vpnlab ]; then kill_quiet "$GW_PID"; else kill_quiet "$SWAN_GW_PID"; fi
			# 1 s DPD + retransmissions after 1 and 1.8 s: gone well within 15 s
			for _ in $(seq 150); do kill -0 "$CL_PID" 2>/dev/null || break; sleep 0.1; done
			if ! kill -0 "$CL_PID" 2>/dev/null && grep -q '"to":"DEAD"' "$CD/cl.ev"; then rec "$peer" dead-peer PASS "our client cleared it and exited"
			else rec "$peer" dead-peer FAIL "our client did not notice the dead gateway"; fi
		else
			kill_quiet "$SWAN_CL_PID"
			if vl_wait_file "$CD/gw.ev" '"ev":"child_removed"' 15; then rec "$peer" dead-peer PASS "our gateway cleared it"
			else rec "$peer" dead-peer FAIL "our gateway kept the SA of a dead client"; fi
		fi
	fi
	vl_topo_down
}

# case_plain: vpnlab>vpnlab on a direct link (no NAT): no NAT detected, so
# ESP travels as IP protocol 50 through the raw sockets.
#   client 198.51.100.3/24 ── g0 198.51.100.2/24, lo 203.0.113.1
case_plain() {
	local peer="vpnlab>vpnlab" n50
	ncase=$((ncase + 1))
	CD=$work/case$ncase
	mkdir -p "$CD"
	CLK=vpnlab
	GWK=vpnlab
	vl_ns_add "$VL_NS_C"
	vl_ns_add "$VL_NS_G"
	ip link add c0 netns "$VL_NS_C" type veth peer name g0 netns "$VL_NS_G" || vl_die "veth c0/g0 failed"
	ip -n "$VL_NS_C" addr add 198.51.100.3/24 dev c0
	ip -n "$VL_NS_C" link set c0 up
	ip -n "$VL_NS_G" addr add 198.51.100.2/24 dev g0
	ip -n "$VL_NS_G" addr add 203.0.113.1/32 dev lo
	ip -n "$VL_NS_G" link set g0 up
	ours_profile "$CD/gw.conf" gateway psk - ""
	ours_profile "$CD/cl.conf" client psk - ""
	vl_bg "$VL_NS_G" "$CD/gw.out" "$VPNLAB" gateway --config "$CD/gw.conf" --events "$CD/gw.ev" --pcap "$CD/gw.pcap"
	GW_PID=$VL_LAST_PID
	vl_wait_file "$CD/gw.ev" '"ev":"start"' 5
	vl_bg "$VL_NS_C" "$CD/cl.out" "$VPNLAB" client --config "$CD/cl.conf" --events "$CD/cl.ev" --pcap "$CD/cl.pcap"
	CL_PID=$VL_LAST_PID
	if ! vl_wait_file "$CD/cl.ev" '"ev":"child_installed"' 15; then
		rec "$peer" plain-esp FAIL "tunnel not up: $(why_down)"
	elif ! grep -q '"ev":"child_installed".*"encap":false' "$CD/cl.ev"; then
		rec "$peer" plain-esp FAIL "ESP UDP-encapsulated on a link without NAT"
	elif ! ping_check >>"$CD/checks.log" 2>&1 || ! tcp_check "$VL_NS_C" >>"$CD/checks.log" 2>&1; then
		rec "$peer" plain-esp FAIL "plain ESP: ping or TCP transfer failed"
	else
		stop_client
		n50=$(python3 - "$CD/cl.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, n = 24, 0
while off + 16 <= len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    if d[off + 16 + 9] == 50:
        n += 1
    off += 16 + incl
print(n)
PY
)
		if [ "${n50:-0}" -ge 100 ]; then rec "$peer" plain-esp PASS "$n50 protocol-50 packets in our capture"
		else rec "$peer" plain-esp FAIL "only ${n50:-0} protocol-50 packets in our capture"; fi
	fi
	vl_topo_down
}

case_ikescan() {
	local peer="ike-scan>vpnlab" out n c
	ncase=$((ncase + 1))
	CD=$work/case$ncase
	mkdir -p "$CD"
	vl_topo_up
	# ike-scan's IKEv2 proposal offers AES-CBC/3DES/DES, PRF and INTEG SHA-1 or MD5, MODP 1024/1536/2048
	OURS_IKE="aes128-sha256-modp2048, 3des-sha1-modp2048" \
		ours_profile "$CD/gw.conf" gateway psk - "cookie_threshold = 5\nhalf_open_timeout = 4s"
	vl_bg "$VL_NS_G" "$CD/gw.out" "$VPNLAB_SCAN" gateway --config "$CD/gw.conf" --events "$CD/gw.ev" --pcap "$CD/gw.pcap"
	GW_PID=$VL_LAST_PID
	if ! vl_wait_file "$CD/gw.ev" '"ev":"start"' 5; then
		rec "$peer" v2-probes FAIL "gateway did not start: $(head -c 200 "$CD/gw.out")"
		vl_topo_down
		return
	fi
	scan() { ip netns exec "$VL_NS_C" ike-scan -r 1 -t 300 "$@" 198.51.100.2 2>&1 | tee -a "$CD/ike-scan.log"; }
	# RFC 7296 §1.2/§3.10.1: a KE of the wrong group gets INVALID_KE_PAYLOAD (17)
	out=$(scan --ikev2 --dhgroup=2)
	if echo "$out" | grep -q "Notify message 17 (INVALID_KE_PAYLOAD)"; then rec "$peer" v2-wrong-ke PASS
	else rec "$peer" v2-wrong-ke FAIL "expected INVALID_KE_PAYLOAD: $(echo "$out" | sed -n 2p)"; fi
	# ike-scan's KE data is random: about half of the values are not in the
	# group's prime-order subgroup and are refused (RFC 6989), so try a few
	for n in 1 2 3 4 5 6; do
		out=$(scan --ikev2 --dhgroup=14)
		echo "$out" | grep -q "1 returned handshake" && break
	done
	if echo "$out" | grep -q "1 returned handshake"; then rec "$peer" v2-handshake PASS "attempt $n"
	else rec "$peer" v2-handshake FAIL "no IKE_SA_INIT response in 6 attempts: $(echo "$out" | sed -n 2p)"; fi
	# IKEv1 (main, aggressive, odd and many transforms) to an IKEv2-only gateway: ignored, no crash
	n=0
	for a in "" "-A --id=vpnlab-probe --dhgroup=2" "--trans=(1=99,2=99,3=99,4=99)" "--trans=5,2,1,2 --trans=7/256,1,1,5 --trans=(1=7,14=128,2=4,3=1,4=14)"; do
		# shellcheck disable=SC2086
		scan $a >/dev/null
		kill -0 "$GW_PID" 2>/dev/null && n=$((n + 1))
	done
	if [ $n = 4 ]; then rec "$peer" v1-probes PASS "IKEv1 main/aggressive/odd transforms: no crash"
	else rec "$peer" v1-probes FAIL "gateway died during IKEv1 probes"; fi
	ip netns exec "$VL_NS_C" python3 "$work/junk.py" 198.51.100.2 >>"$CD/checks.log" 2>&1
	sleep 0.3
	if kill -0 "$GW_PID" 2>/dev/null; then rec "$peer" junk PASS "$(grep -c '"reason"' "$CD/gw.ev") drop events"
	else rec "$peer" junk FAIL "gateway died on malformed datagrams: $(tail -n 3 "$CD/gw.out")"; fi
	# half-open flood: beyond cookie_threshold the gateway asks for a COOKIE (§2.6)
	# 24 probes at once from different ports: more half-open SAs than the threshold
	local pids=()
	for n in $(seq 1 24); do
		scan --ikev2 --dhgroup=14 --sport=$((30000 + n)) >"$CD/flood.$n.log" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}" # only these: the gateway runs in the background too
	c=$(cat "$CD"/flood.*.log | grep -c "Notify message 16390 (COOKIE)")
	if [ "$c" -ge 1 ]; then rec "$peer" cookies PASS "$c of 24 simultaneous probes were asked for a COOKIE"
	else rec "$peer" cookies FAIL "no COOKIE demanded beyond cookie_threshold = 5 half-open SAs"; fi
	# the half-open SAs expire (4 s): a real client gets in; then nothing is left to DELETE
	sleep 5
	ours_profile "$CD/cl.conf" client psk - ""
	vl_bg "$VL_NS_C" "$CD/cl.out" "$VPNLAB" client --config "$CD/cl.conf" --events "$CD/cl.ev"
	CL_PID=$VL_LAST_PID
	CLK=vpnlab
	GWK=vpnlab
	if vl_wait_file "$CD/cl.ev" '"ev":"child_installed"' 10 && ping_check >>"$CD/checks.log" 2>&1; then
		rec "$peer" still-serves PASS
	else
		rec "$peer" still-serves FAIL "a client could not connect after the probes: $(why_down)"
	fi
	stop_client
	sleep 0.3
	kill -TERM "$GW_PID"
	for _ in $(seq 30); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
	if grep -q '"ev":"closing".*"sas":0' "$CD/gw.ev" && ! grep -q "ERROR: AddressSanitizer\|runtime error" "$CD/gw.out"; then
		rec "$peer" no-leak PASS
	else
		rec "$peer" no-leak FAIL "$(grep -o '"ev":"closing".*"sas":[0-9]*' "$CD/gw.ev") $(grep -m1 "ERROR\|runtime error" "$CD/gw.out")"
	fi
	vl_topo_down
}

# ---------------------------------------------------------------- run
vl_log "vpnlab: $VPNLAB; strongSwan $(dpkg-query -W -f='${Version}' charon-systemd 2>/dev/null); work $work"
t0=$(date +%s%N)
for peer in vpnlab\>swan swan\>vpnlab vpnlab\>vpnlab; do
	peer_wanted "$peer" || continue
	wants psk && case_psk "$peer"
	wants ecdsa && case_cert "$peer" ecdsa ecdsa
	wants rsa-frag && case_cert "$peer" rsa rsa-frag
	if wants rekey; then
		case_rekey "$peer" us
		case_rekey "$peer" peer
	fi
	if wants dpd; then
		case_dpd "$peer" us
		case_dpd "$peer" peer
	fi
done
peer_wanted "vpnlab>vpnlab" && wants plain-esp && case_plain
peer_wanted "ike-scan>vpnlab" && wants ike-scan && case_ikescan

# ---------------------------------------------------------------- matrix
passed=0
failed=0
skipped=0
# one row per feature, one column per peer ("client>gateway")
echo
printf '%-14s' "feature"
for r in "${ROWS[@]}"; do printf ' %-16s' "$r"; done
echo
for c in "${COLS[@]}"; do
	printf '%-14s' "$c"
	for r in "${ROWS[@]}"; do
		v=${RES["$r|$c"]:--}
		printf ' %-16s' "$v"
		case $v in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; SKIP) skipped=$((skipped + 1)) ;; esac
	done
	echo
done
echo
vl_log "matrix done in $(vl_since "$t0") s; work directory $work$([ "${VL_KEEP:-0}" = 1 ] || echo " (removed; VL_KEEP=1 keeps it)")"
echo "$passed passed, $failed failed$([ $skipped -gt 0 ] && echo ", $skipped skipped")"
[ "$failed" = 0 ]
