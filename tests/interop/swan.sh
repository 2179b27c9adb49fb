# shellcheck shell=bash
# tests/interop/swan.sh — run strongSwan 5.9.8 (charon-systemd + swanctl)
# inside a namespace of lib.sh's topology. Source after lib.sh.
#
# Each instance has a private directory holding its strongswan.conf
# (STRONGSWAN_CONF), swanctl.conf, vici socket and charon.log, so any
# number of instances (in any number of parallel runs) never share state.
# See shared/INTEROP-NOTES.md for why it is charon-systemd (no fixed pid
# file) and kernel-libipsec (no XFRM ESP in this kernel: ESP in user space
# over a TUN device, always UDP-encapsulated).

VL_SWAN_CONFIGS=${VL_SWAN_CONFIGS:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/configs}

# vl_swan_render copies template |in| to |out|, replacing each @KEY@ by the
# value of the KEY=value arguments that follow (the first KEY given wins).
# Fails on a leftover @KEY@.
vl_swan_render() {
	local in=$1 out=$2 kv key val text
	shift 2
	text=$(cat "$in") || vl_die "template $in missing"
	for kv in "$@"; do
		key=${kv%%=*}
		val=${kv#*=}
		text=${text//@$key@/$val}
	done
	if printf '%s\n' "$text" | grep -q '@[A-Z_]*@'; then
		vl_die "template $in: unfilled $(printf '%s\n' "$text" | grep -o '@[A-Z_]*@' | sort -u | tr '\n' ' ')"
	fi
	printf '%s\n' "$text" >"$out"
}

# vl_swan_conf writes |dir|/strongswan.conf. Optional KEY=value overrides:
# KEEP_ALIVE (default 20s), RETRANSMIT_TRIES (5), RETRANSMIT_TIMEOUT (4.0),
# AGGRESSIVE_PSK (no), IKE_LOGLEVEL (1; 4 logs the IKE and ESP keys).
vl_swan_conf() {
	local dir=$1
	shift
	mkdir -p "$dir"
	# The overrides come first: vl_swan_render replaces the first match.
	vl_swan_render "$VL_SWAN_CONFIGS/strongswan.conf.in" "$dir/strongswan.conf" \
		"$@" DIR="$dir" KEEP_ALIVE=20s RETRANSMIT_TRIES=5 RETRANSMIT_TIMEOUT=4.0 \
		AGGRESSIVE_PSK=no IKE_LOGLEVEL=1
}

# vl_swan_start starts charon-systemd in |ns| with |dir|/strongswan.conf
# and waits (up to 10 s) until its vici socket answers.
vl_swan_start() {
	local ns=$1 dir=$2 i
	rm -f "$dir/charon.vici"
	vl_bg "$ns" "$dir/charon.stdout" env STRONGSWAN_CONF="$dir/strongswan.conf" \
		/usr/sbin/charon-systemd
	for i in $(seq 100); do
		if [ -S "$dir/charon.vici" ] && vl_swanctl "$ns" "$dir" --version >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$VL_LAST_PID" 2>/dev/null ||
			vl_die "charon-systemd in $ns exited: $(tail -n 5 "$dir/charon.stdout" "$dir/charon.log" 2>/dev/null)"
		sleep 0.1
	done
	vl_die "charon-systemd in $ns: no vici socket after 10 s"
}

# vl_swanctl runs swanctl against the instance of |dir| in |ns|.
vl_swanctl() {
	local ns=$1 dir=$2
	shift 2
	ip netns exec "$ns" env STRONGSWAN_CONF="$dir/strongswan.conf" swanctl "$@"
}

# vl_swan_load renders swanctl template |tmpl| into |dir|/swanctl.conf
# (KEY=value arguments as for vl_swan_render) and loads it.
vl_swan_load() {
	local ns=$1 dir=$2 tmpl=$3
	shift 3
	vl_swan_render "$VL_SWAN_CONFIGS/$tmpl" "$dir/swanctl.conf" "$@"
	vl_swanctl "$ns" "$dir" --load-all --noprompt --file "$dir/swanctl.conf" \
		>"$dir/load.log" 2>&1 || vl_die "swanctl --load-all in $ns failed: $(cat "$dir/load.log")"
}

# vl_swan_logged_key LOG NAME prints, as lower-case hex, the bytes charon
# logged (at ike/chd level 4) after "NAME => N bytes @ 0x...": the hex
# dump lines that follow ("   0: 6F 69 E6 ...  ascii"). Only the first
# occurrence counts (one IKE SA and one CHILD_SA per capture).
vl_swan_logged_key() {
	awk -v name="$2" '
		!grab && index($0, "> " name " => ") && $0 ~ / bytes @ / {
			n = $0; sub(/.* => /, "", n); sub(/ bytes.*/, "", n)
			grab = 1; out = ""; next
		}
		grab {
			if (!match($0, />  +[0-9]+: /)) exit
			line = substr($0, RSTART + RLENGTH, 47)
			gsub(/ /, "", line)
			out = out line
			if (length(out) >= 2 * n) { print tolower(substr(out, 1, 2 * n)); exit }
		}' "$1"
}

# vl_swan_esp_spi LOG in|out prints the SPI (0x...) of the first inbound or
# outbound ESP SA charon installed.
vl_swan_esp_spi() {
	grep -A1 "adding ${2}bound ESP SA" "$1" | sed -n 's/.*SPI \(0x[0-9a-f]*\),.*/\1/p' | head -n 1
}

# vl_swan_keys LOG PCAP VERSION writes to stdout the Wireshark/tshark
# decryption entries for the IKE SA and the ESP SAs of one negotiation,
# from the initiator's charon LOG (IKE_LOGLEVEL=4) and the SPIs/cookies in
# PCAP, one "uat:TABLE:ROW" a line, usable as tshark -o arguments. The
# algorithm names match the proposals in configs/ (IKE aes128-sha256,
# ESP aes128-sha256); a log without keys gives no line.
vl_swan_keys() {
	local log=$1 pcap=$2 version=$3 ispi rspi ka e
	if [ "$version" = 2 ]; then
		read -r ispi rspi < <(tshark -n -r "$pcap" -Y 'isakmp.exchangetype == 34 && isakmp.flag_r == 1' \
			-T fields -e isakmp.ispi -e isakmp.rspi 2>/dev/null | head -n 1)
		e=$(vl_swan_logged_key "$log" "Sk_ei secret")
		if [ -n "$ispi" ] && [ -n "$e" ]; then
			printf 'uat:ikev2_decryption_table:%s,%s,%s,%s,"AES-CBC-128 [RFC3602]",%s,%s,"HMAC_SHA2_256_128 [RFC4868]"\n' \
				"$ispi" "$rspi" "$e" "$(vl_swan_logged_key "$log" "Sk_er secret")" \
				"$(vl_swan_logged_key "$log" "Sk_ai secret")" "$(vl_swan_logged_key "$log" "Sk_ar secret")"
		fi
	else
		ispi=$(tshark -n -r "$pcap" -Y isakmp -T fields -e isakmp.ispi -c 1 2>/dev/null)
		ka=$(vl_swan_logged_key "$log" "encryption key Ka")
		[ -n "$ispi" ] && [ -n "$ka" ] &&
			printf 'uat:ikev1_decryption_table:%s,%s\n' "$ispi" "$ka"
	fi
	# The initiator's outbound SA uses the initiator keys.
	e=$(vl_swan_esp_spi "$log" out)
	[ -n "$e" ] && printf 'uat:esp_sa:"IPv4","*","*","%s","AES-CBC [RFC3602]","0x%s","HMAC-SHA-256-128 [RFC4868]","0x%s"\n' \
		"$e" "$(vl_swan_logged_key "$log" "encryption initiator key")" \
		"$(vl_swan_logged_key "$log" "integrity initiator key")"
	e=$(vl_swan_esp_spi "$log" in)
	[ -n "$e" ] && printf 'uat:esp_sa:"IPv4","*","*","%s","AES-CBC [RFC3602]","0x%s","HMAC-SHA-256-128 [RFC4868]","0x%s"\n' \
		"$e" "$(vl_swan_logged_key "$log" "encryption responder key")" \
		"$(vl_swan_logged_key "$log" "integrity responder key")"
	return 0
}
