#!/bin/bash
# throughput.sh — iperf3 TCP and UDP through vpnlab's tunnel (vpnlab client
# ↔ vpnlab gateway) and through strongSwan 5.9.8 kernel-libipsec (charon ↔
# charon) in the same topology and the same run, with the ratio.
#
#  ┌─────────────────┐   ┌──────────────────────────────┐   ┌──────────────────┐
#  │ client          │   │ nat: MASQUERADE fully-random │   │ gateway          │
#  │ iperf3 -c       ├───┤ 192.0.2.1 | 198.51.100.1     ├───┤ iperf3 -s on     │
#  │ 192.0.2.2       │   └──────────────────────────────┘   │ 203.0.113.1 (lo) │
#  │ VIP .64/26 (TUN)│  ═══ ESP-in-UDP 4500, aes128gcm16 ══ │ TUN / ipsec0     │
#  └─────────────────┘                                      └──────────────────┘
#
# Both implementations: IKEv2 PSK, ESP AES-GCM-128 (aes128gcm16), UDP-
# encapsulated (the NAT makes it so), inner MTU 1400 (strongSwan's ipsec0
# default, our tun_mtu default). Rounds alternate vpnlab / strongSwan so
# that other load on the machine hits both alike; the table shows the
# median of the rounds.
#
#   throughput.sh [--rounds N] [--time S] [--udp-rate R] [--json FILE]
#     --rounds N    rounds per implementation (default 3)
#     --time S      seconds per iperf3 run (default 5)
#     --udp-rate R  iperf3 -b for UDP (default 1G; datagrams of 1300 octets, 4 MB
#                   socket buffers so the iperf3 server is not the first to drop);
#                   the table shows what arrived and the loss
#     --json FILE   also write the numbers as JSON
#
# Environment: VPNLAB (default build/rel/vpnlab), VL_KEEP=1 keeps the work
# directory (events, iperf3 JSON, charon logs). Needs root. Exit status 0
# when every run produced a number (the ratio is reported, not enforced;
# THROUGHPUT_MIN_RATIO=2 makes a TCP ratio below 2 fail), 1 otherwise, 77
# when it cannot run here.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
. "$here/swan.sh"

VPNLAB=${VPNLAB:-$repo/build/rel/vpnlab}
rounds=3
secs=5
udp_rate=1G
json=""
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--time) secs=$2; shift 2 ;;
	--udp-rate) udp_rate=$2; shift 2 ;;
	--json) json=$2; shift 2 ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//; /^set -u/d'; exit 0 ;;
	*) echo "throughput.sh: unknown option '$1' (expected --rounds, --time, --udp-rate, --json)" >&2; exit 2 ;;
	esac
done

vl_init rntput
vl_require_cmds charon-systemd:charon-systemd swanctl:strongswan-swanctl iperf3:iperf3 python3:python3
[ -x "$VPNLAB" ] || vl_die "VPNLAB=$VPNLAB is not executable (make VARIANT=rel build)"
vl_tmpdir
work=$VL_TMP
ESP=aes128gcm16

# up_vpnlab DIR: our gateway and client; returns once the CHILD SA is up.
up_vpnlab() {
	local d=$1
	mkdir -p "$d"
	cat >"$d/gw.conf" <<-EOF
		[gateway]
		local_addr = 198.51.100.2
		local_id = gw.vpnlab.example
		remote_id = client.vpnlab.example
		psk = "vpnlab-test-only-psk"
		ike = aes128-sha256-modp2048
		esp = $ESP
		local_ts = 203.0.113.1/32
		pool = 203.0.113.64/26
		[realnet]
		tun = vlgw
	EOF
	cat >"$d/cl.conf" <<-EOF
		[client]
		remote_addr = 198.51.100.2
		local_id = client.vpnlab.example
		remote_id = gw.vpnlab.example
		psk = "vpnlab-test-only-psk"
		ike = aes128-sha256-modp2048
		esp = $ESP
		remote_ts = 203.0.113.1/32
		request_vip = yes
		[realnet]
		tun = vlcl
	EOF
	vl_bg "$VL_NS_G" "$d/gw.out" "$VPNLAB" gateway --config "$d/gw.conf" --events "$d/gw.ev"
	vl_wait_file "$d/gw.ev" '"ev":"start"' 5 || vl_die "vpnlab gateway did not start: $(cat "$d/gw.out")"
	vl_bg "$VL_NS_C" "$d/cl.out" "$VPNLAB" client --config "$d/cl.conf" --events "$d/cl.ev"
	vl_wait_file "$d/cl.ev" '"ev":"child_installed"' 15 || vl_die "vpnlab tunnel did not come up: $(cat "$d/cl.out")"
}

# up_swan DIR: charon gateway and client (kernel-libipsec); returns once the CHILD SA is up.
up_swan() {
	local d=$1 v="ESP=$ESP DPD=0 REKEY=0 FRAGMENTATION=yes PKI=-"
	mkdir -p "$d"
	vl_swan_conf "$d/gw"
	vl_swan_conf "$d/cl"
	vl_swan_start "$VL_NS_G" "$d/gw"
	vl_swan_start "$VL_NS_C" "$d/cl"
	# shellcheck disable=SC2086
	vl_swan_load "$VL_NS_G" "$d/gw" rn-gw-psk.swanctl.conf.in $v
	# shellcheck disable=SC2086
	vl_swan_load "$VL_NS_C" "$d/cl" rn-client-psk.swanctl.conf.in $v
	vl_swanctl "$VL_NS_C" "$d/cl" --initiate --child net --timeout 15 >"$d/initiate.log" 2>&1 ||
		vl_die "strongSwan tunnel did not come up: $(tail -n 3 "$d/initiate.log")"
	grep -q "ESP:AES_GCM_16_128" "$d/initiate.log" || vl_die "strongSwan did not select $ESP: $(grep 'selected proposal' "$d/initiate.log")"
}

# measure IMPL ROUND: iperf3 TCP then UDP through the tunnel that is up; JSON in $d.
measure() {
	local impl=$1 r=$2 d=$work/$1.$2 mode
	for mode in tcp udp; do
		vl_bg "$VL_NS_G" "$d/iperf-s.$mode.out" iperf3 -s -B 203.0.113.1 -1
		vl_wait_file "$d/iperf-s.$mode.out" "listening" 5 || sleep 0.5
		if [ $mode = tcp ]; then
			ip netns exec "$VL_NS_C" iperf3 -c 203.0.113.1 -t "$secs" -J >"$d/iperf.$mode.json" 2>"$d/iperf.$mode.err"
		else
			ip netns exec "$VL_NS_C" iperf3 -c 203.0.113.1 -u -b "$udp_rate" -l 1300 -w 4M -t "$secs" -J \
				>"$d/iperf.$mode.json" 2>"$d/iperf.$mode.err"
		fi
		vl_stop_pid "$VL_LAST_PID"
	done
}

run_round() {
	local impl=$1 r=$2
	vl_topo_up
	if [ "$impl" = vpnlab ]; then up_vpnlab "$work/$impl.$r"; else up_swan "$work/$impl.$r"; fi
	measure "$impl" "$r"
	vl_topo_down
}

vl_log "vpnlab: $VPNLAB; strongSwan $(dpkg-query -W -f='${Version}' charon-systemd 2>/dev/null); $rounds rounds x $secs s; nproc $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
	for impl in vpnlab strongswan; do
		vl_log "round $r: $impl"
		run_round "$impl" "$r"
	done
done

python3 - "$work" "$rounds" "$json" "${THROUGHPUT_MIN_RATIO:-0}" <<'PY'
import json, statistics, sys
work, rounds, out, min_ratio = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
res, bad = {}, []
for impl in ("vpnlab", "strongswan"):
    r = {"tcp": [], "udp": [], "udp_loss": [], "tcp_retrans": []}
    for i in range(1, rounds + 1):
        for mode in ("tcp", "udp"):
            f = f"{work}/{impl}.{i}/iperf.{mode}.json"
            try:
                doc = json.load(open(f))
                end = doc["end"]
                if mode == "tcp":
                    r["tcp"].append(end["sum_received"]["bits_per_second"] / 1e9)
                    r["tcp_retrans"].append(end["sum_sent"].get("retransmits", 0))
                else:
                    rx = end.get("sum_received", end["sum"])
                    r["udp"].append(rx["bits_per_second"] / 1e9)
                    r["udp_loss"].append(rx["lost_percent"])
            except Exception as e:
                bad.append(f"{impl} round {i} {mode}: {e}")
    res[impl] = r
med = lambda xs: statistics.median(xs) if xs else float("nan")
print()
print(f"{'':12} {'TCP Gbit/s':>11} {'(rounds)':<24} {'UDP Gbit/s':>11} {'loss %':>7}   (UDP: received at the offered rate)")
for impl in ("vpnlab", "strongswan"):
    r = res[impl]
    print(f"{impl:12} {med(r['tcp']):11.3f} {'/'.join(f'{x:.2f}' for x in r['tcp']):<24} {med(r['udp']):11.3f} {med(r['udp_loss']):7.2f}")
v, s = res["vpnlab"], res["strongswan"]
tcp_ratio = med(v["tcp"]) / med(s["tcp"]) if s["tcp"] and med(s["tcp"]) > 0 else float("nan")
udp_ratio = med(v["udp"]) / med(s["udp"]) if s["udp"] and med(s["udp"]) > 0 else float("nan")
print(f"{'ratio':12} {tcp_ratio:11.2f} {'':<24} {udp_ratio:11.2f}")
print(f"goal (TCP >= 2x strongSwan kernel-libipsec): {'met' if tcp_ratio >= 2 else 'not met'}")
if out:
    json.dump({"esp": "aes128gcm16", "rounds": rounds, "results": res, "tcp_ratio": tcp_ratio, "udp_ratio": udp_ratio},
              open(out, "w"), indent=1)
for b in bad:
    print("missing:", b)
sys.exit(1 if bad or (min_ratio > 0 and not tcp_ratio >= min_ratio) else 0)
PY
