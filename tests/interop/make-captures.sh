#!/bin/bash
# make-captures.sh [OUTDIR] — strongSwan client ↔ strongSwan gateway through
# a hide-NAT (lib.sh topology), one small capture pair per case, written to
# OUTDIR (default: pcaps/interop of this repo) as NAME.inside.pcap (client
# side of the NAT) and NAME.outside.pcap (gateway side of the NAT) plus
# NAME.keys, then checked with tshark (checks.sh): one summary line per case.
#
#   ikev2-psk-natt           IKEv2 PSK, NAT-T port float 500→4500, UDP-encap
#                            ESP (3 pings), NAT keepalives every 2 s, DELETE
#   ikev2-cert-ikefrag       IKEv2 RSA-3072 certificate chains (~4 KB
#                            IKE_AUTH), fragmentation=yes, fragment-dropping
#                            NAT: IKE_AUTH as RFC 7383 SKF fragments, tunnel up
#   ikev2-cert-nofrag-fail   same, fragmentation=no: IKE_AUTH IP-fragmented,
#                            the NAT drops non-first fragments, the initiator
#                            retransmits and gives up (expected failure)
#   ikev1-main-psk-natt      IKEv1 main mode PSK + mode-config, NAT-T, DELETE
#   ikev1-aggr-psk-natt      IKEv1 aggressive mode PSK + mode-config, NAT-T
#
# Certificates and keys are made per run (strongswan-pki) in a temporary
# directory and never written to OUTDIR. OUTDIR also gets NAME.keys: the
# IKE and ESP keys of that run, as tshark -o arguments, so the encrypted
# parts can be decoded (checks.sh uses them). Environment: VL_KEEP=1 keeps
# the work directory (configs, charon logs with IKE/ESP keys at level 4);
# VL_RSA_BITS sets the RSA key size (default 3072).
# Needs root. Exit status: 0 if every case produced a capture that passed
# its checks.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
. "$here/swan.sh"
. "$here/checks.sh"

vl_init swancap
vl_require_cmds charon-systemd:charon-systemd swanctl:strongswan-swanctl \
	pki:strongswan-pki ping:iputils-ping tshark:tshark
out=${1:-$repo/pcaps/interop}
mkdir -p "$out" || vl_die "cannot create $out"
out=$(cd "$out" && pwd)
vl_tmpdir
work=$VL_TMP

# make_pki writes a test-only RSA PKI ($VL_RSA_BITS bits, default 3072) to
# $work/pki: a root CA, one intermediate CA per side (gw-ca, client-ca) and
# the two end entities with long SAN lists. Each side trusts the root and holds only its own
# intermediate: strongSwan stops a chain at any CA the peer named in a
# CERTREQ, so with one shared intermediate the gateway's CERTREQ (all its
# trusted CAs) would make the client leave the intermediate out. This way
# each IKE_AUTH carries CERT(end entity) + CERT(intermediate) + AUTH, ~4 KB
# (the 20 SANs make up for 3072 instead of 4096 bits: RSA-4096 key
# generation took 15-30 s for five keys on a loaded 2-core machine).
make_pki() {
	local p=$work/pki name sans i pids=()
	local dn="C=ZZ, O=vpnlab test only, OU=interop captures"
	mkdir -p "$p"
	vl_swan_conf "$work/pki-conf" # only for its pki { load = ... } list
	export STRONGSWAN_CONF=$work/pki-conf/strongswan.conf
	for name in root gw-ca client-ca gw client; do
		pki --gen --type rsa --size "${VL_RSA_BITS:-3072}" --outform pem >"$p/$name.key.pem" &
		pids+=($!)
	done
	wait "${pids[@]}" || vl_die "pki --gen failed"
	pki --self --in "$p/root.key.pem" --type rsa --ca --lifetime 30 \
		--dn "$dn, CN=vpnlab test root CA" --outform pem >"$p/root.crt.pem" ||
		vl_die "pki --self failed"
	for name in gw client; do
		pki --pub --in "$p/$name-ca.key.pem" --type rsa |
			pki --issue --cacert "$p/root.crt.pem" --cakey "$p/root.key.pem" \
				--ca --lifetime 30 --dn "$dn, CN=vpnlab test $name intermediate CA" \
				--outform pem >"$p/$name-ca.crt.pem" || vl_die "pki --issue $name-ca failed"
		sans="--san $name.vpnlab.example"
		for i in $(seq 1 20); do
			sans="$sans --san $name-alias-$i.interop.vpnlab.example"
		done
		# shellcheck disable=SC2086 # $sans is a list of options
		pki --pub --in "$p/$name.key.pem" --type rsa |
			pki --issue --cacert "$p/$name-ca.crt.pem" --cakey "$p/$name-ca.key.pem" \
				--lifetime 30 --dn "$dn, CN=$name.vpnlab.example" $sans \
				--flag serverAuth --flag clientAuth \
				--outform pem >"$p/$name.crt.pem" || vl_die "pki --issue $name failed"
	done
	unset STRONGSWAN_CONF
}

# run_case NAME EXPECT TEMPLATE-SUFFIX FRAGDROP SETTINGS TEMPLATE-VARS
#   EXPECT    up (tunnel, pings, DELETE) or fail (initiate must fail)
#   SETTINGS  KEY=value list for strongswan.conf (both peers)
#   VARS      KEY=value list for the swanctl templates (both peers)
# Builds a fresh topology, runs one negotiation with capture on the NAT,
# copies the two pcaps to $out, and tears everything down again.
run_case() {
	local name=$1 expect=$2 kind=$3 fragdrop=$4 settings=$5 vars=$6
	local d=$work/$name t0 rc version=2
	t0=$(date +%s%N)
	case " $vars " in *" VERSION=1 "*) version=1 ;; esac
	mkdir -p "$d"
	vl_log "case $name: expect $expect"
	vl_topo_up
	[ "$fragdrop" = yes ] && vl_nat_fragdrop
	vl_topo_draw
	# shellcheck disable=SC2086 # word lists of KEY=value
	{
		vl_swan_conf "$d/gw" $settings
		vl_swan_conf "$d/client" $settings IKE_LOGLEVEL=4
		if [ "$kind" = cert ]; then
			mkdir -p "$d/gw/private" "$d/client/private"
			cp "$work/pki/gw.key.pem" "$d/gw/private/"
			cp "$work/pki/client.key.pem" "$d/client/private/"
		fi
		vl_swan_start "$VL_NS_G" "$d/gw"
		vl_swan_start "$VL_NS_C" "$d/client"
		vl_swan_load "$VL_NS_G" "$d/gw" "gw-$kind.swanctl.conf.in" PKI="$work/pki" $vars
		vl_swan_load "$VL_NS_C" "$d/client" "client-$kind.swanctl.conf.in" PKI="$work/pki" $vars
	}
	vl_capture_start "$d/cap"
	vl_swanctl "$VL_NS_C" "$d/client" --initiate --child net --timeout 30 >"$d/initiate.log" 2>&1
	rc=$?
	if [ "$expect" = up ]; then
		[ "$rc" = 0 ] || vl_die "case $name: initiate failed: $(tail -n 5 "$d/initiate.log")"
		ip netns exec "$VL_NS_C" ping -c 3 -i 0.2 -W 2 "$VL_G_PROTECTED" >"$d/ping.log" 2>&1 ||
			vl_die "case $name: ping through the tunnel failed: $(cat "$d/ping.log")"
		# NAT keepalives come every keep_alive seconds after the SA is
		# up (here even right after ESP traffic); idle long enough for
		# about two (checks.sh asks for one: timing under load varies).
		[ -n "${CASE_IDLE:-}" ] && sleep "$CASE_IDLE"
		vl_swanctl "$VL_NS_C" "$d/client" --terminate --ike home --timeout 10 \
			>"$d/terminate.log" 2>&1 || vl_die "case $name: terminate failed: $(tail -n 5 "$d/terminate.log")"
	else
		[ "$rc" != 0 ] || vl_die "case $name: initiate succeeded but failure was expected"
		[ "$fragdrop" = yes ] && vl_log "case $name: NAT dropped $(vl_fragdrop_count) non-first fragments"
	fi
	sleep 0.3 # let the last response reach the capture
	vl_capture_stop
	cp "$d/cap.inside.pcap" "$out/$name.inside.pcap"
	cp "$d/cap.outside.pcap" "$out/$name.outside.pcap"
	{
		echo "# $name: Wireshark/tshark decryption keys of this one run (test-only"
		echo "# keys, from the initiator's charon log at level 4). Each line is a"
		echo "# tshark -o argument; see pcaps/interop/README.md."
		vl_swan_keys "$d/client/charon.log" "$d/cap.outside.pcap" "$version"
	} >"$out/$name.keys"
	vl_topo_down
	vl_log "case $name: done in $(vl_since "$t0") s"
}

start=$(date +%s%N)
vl_log "strongSwan $(dpkg-query -W -f='${Version}' charon-systemd 2>/dev/null) (charon-systemd, kernel-libipsec)"
make_pki
vl_log "pki: RSA-${VL_RSA_BITS:-3072} certificates made in $(vl_since "$start") s"

FAST="RETRANSMIT_TRIES=2 RETRANSMIT_TIMEOUT=1.0"
CASE_IDLE=5.5 run_case ikev2-psk-natt up psk no "KEEP_ALIVE=2s $FAST" "VERSION=2 AGGRESSIVE=no"
run_case ikev2-cert-ikefrag up cert yes "$FAST" "FRAGMENTATION=yes"
run_case ikev2-cert-nofrag-fail fail cert yes "$FAST" "FRAGMENTATION=no"
run_case ikev1-main-psk-natt up psk no "$FAST" "VERSION=1 AGGRESSIVE=no"
run_case ikev1-aggr-psk-natt up psk no "$FAST AGGRESSIVE_PSK=yes" "VERSION=1 AGGRESSIVE=yes"

vl_log "all captures made in $(vl_since "$start") s; checking"
vl_check_all "$out"
