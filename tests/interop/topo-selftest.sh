#!/bin/bash
# topo-selftest.sh [hold] — checks lib.sh's topology on its own (no IPsec):
# the NAT masquerades, the fragment-dropping rule drops non-first
# fragments, a reduced MTU answers DF packets with ICMP "frag needed",
# nothing reaches the client side unasked, and the captures see it all.
# Prints one "ok"/"FAIL" line per check. With "hold", it then prints
# "ready pids: ..." and waits (for run.sh to interrupt it and verify that
# the trap removes every namespace and process it started).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

vl_init topotest
vl_require_cmds ping:iputils-ping tshark:tshark
vl_topo_up
vl_nat_fragdrop
vl_link_mtu outside 1280
vl_topo_draw
vl_tmpdir
fails=0

# check WHAT CMD...: one verdict line for a command that must succeed.
check() {
	local what=$1
	shift
	if "$@" >"$VL_TMP/check.log" 2>&1; then
		echo "ok   topo: $what"
	else
		echo "FAIL topo: $what: $(tail -n 3 "$VL_TMP/check.log" | tr '\n' ' ')"
		fails=$((fails + 1))
	fi
}
# fails_with PATTERN CMD...: CMD must fail and print PATTERN.
fails_with() {
	local pattern=$1
	shift
	! "$@" >"$VL_TMP/out.log" 2>&1 && grep -Eq -- "$pattern" "$VL_TMP/out.log"
}
dropped_some() { [ "$(vl_fragdrop_count)" -ge 1 ]; }
masqueraded() {
	[ "$(tshark -n -r "$VL_TMP/t.outside.pcap" -Y 'icmp.type == 8 && ip.src == 198.51.100.1' 2>/dev/null | wc -l)" -ge 1 ] &&
		[ "$(tshark -n -r "$VL_TMP/t.outside.pcap" -Y 'ip.addr == 192.0.2.2' 2>/dev/null | wc -l)" = 0 ]
}
nonfirst_inside_only() {
	[ "$(tshark -n -r "$VL_TMP/t.inside.pcap" -Y 'ip.frag_offset > 0' 2>/dev/null | wc -l)" -ge 1 ] &&
		[ "$(tshark -n -r "$VL_TMP/t.outside.pcap" -Y 'ip.frag_offset > 0' 2>/dev/null | wc -l)" = 0 ]
}

C() { ip netns exec "$VL_NS_C" "$@"; }
G() { ip netns exec "$VL_NS_G" "$@"; }
vl_capture_start "$VL_TMP/t"
check "client reaches gateway through the NAT" C ping -c 1 -W 2 "$VL_G_ADDR"
check "3000-byte ping dies at the fragment-dropping NAT" fails_with '100% packet loss' C ping -c 1 -W 1 -s 3000 "$VL_G_ADDR"
check "NAT counted the dropped fragments" dropped_some
check "DF 1400-byte ping gets frag-needed (mtu 1280)" fails_with 'mtu = 1280|Frag needed' C ping -c 2 -i 0.2 -W 1 -M do -s 1400 "$VL_G_ADDR"
check "gateway has no route to the client side" fails_with 'unreachable' G ping -c 1 -W 1 "$VL_C_ADDR"
vl_capture_stop
check "outside capture shows only the NAT's address" masqueraded
check "non-first fragments seen inside, none outside" nonfirst_inside_only

if [ "${1:-}" = hold ]; then
	for ns in "$VL_NS_C" "$VL_NS_N" "$VL_NS_G"; do
		vl_bg "$ns" /dev/null sleep 300
	done
	echo "ready pids: ${VL_PIDS[*]} namespaces: ${VL_NETNS[*]}"
	sleep 300 &
	VL_PIDS+=($!)
	wait $! # interrupted by INT/TERM; the trap cleans up
fi
[ "$fails" = 0 ]
