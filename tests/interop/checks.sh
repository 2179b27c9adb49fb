# shellcheck shell=bash
# tests/interop/checks.sh — structural checks of the interop captures with
# tshark: counts of decoded packets per display filter, never bytes (SPIs,
# nonces, NAT ports and timings differ on every run). Used by
# make-captures.sh after making the captures and by run.sh.
#
# Each vl_check_NAME DIR checks DIR/NAME.inside.pcap and
# DIR/NAME.outside.pcap and prints one line, "ok   NAME: summary" or
# "FAIL NAME: what differed"; vl_check_all DIR runs every one and ends with
# "N passed, N failed".

# The five capture cases, in the order make-captures.sh makes them.
VL_CASES="ikev2-psk-natt ikev2-cert-ikefrag ikev2-cert-nofrag-fail ikev1-main-psk-natt ikev1-aggr-psk-natt"

# Display-filter shorthands (tshark 4.0 field names).
F_IPFRAG='(ip.flags.mf == 1 || ip.frag_offset > 0)'
F_NONFIRST='ip.frag_offset > 0'
F_NAT_SRC='ip.src == 198.51.100.1'
F_CLIENT='ip.src == 192.0.2.2'
F_INIT='isakmp.exchangetype == 34'    # IKE_SA_INIT
F_AUTH='isakmp.exchangetype == 35'    # IKE_AUTH
F_INFO2='isakmp.exchangetype == 37'   # INFORMATIONAL (IKEv2)
F_MAIN='isakmp.exchangetype == 2'     # Identity Protection (main mode)
F_AGGR='isakmp.exchangetype == 4'     # Aggressive
F_INFO1='isakmp.exchangetype == 5'    # Informational (IKEv1)
F_CFG1='isakmp.exchangetype == 6'     # Transaction (mode-config)
F_QUICK='isakmp.exchangetype == 32'   # Quick Mode
F_ESP='esp && udp.port == 4500'       # UDP-encapsulated ESP
F_KEEPALIVE='udpencap.nat_keepalive'
N_FRAG_SUP=16430                      # IKEV2_FRAGMENTATION_SUPPORTED
N_NATD_SRC=16388                      # NAT_DETECTION_SOURCE_IP
# RFC 3947 NAT-T vendor ID (MD5 of "RFC 3947")
VID_RFC3947='4a:13:1c:81:07:03:58:45:5c:57:28:f2:0e:95:45:2f'

# VL_TSHARK_OPTS: extra tshark options for the current case (decryption
# keys from NAME.keys, set by vl_check_begin).
VL_TSHARK_OPTS=()

# vl_keys_opts KEYFILE prints the tshark options for a NAME.keys file, one
# a line: "-o" then each non-comment line, and ESP decryption switched on.
vl_keys_opts() {
	local line
	printf '%s\n' -o esp.enable_encryption_decode:TRUE
	while IFS= read -r line; do
		case $line in '#'* | '') continue ;; esac
		printf '%s\n' -o "$line"
	done <"$1"
}

# vl_tshark_fields PCAP FILTER FIELD... prints the fields of matching frames.
vl_tshark_fields() {
	local pcap=$1 filter=$2 f args=()
	shift 2
	for f in "$@"; do args+=(-e "$f"); done
	tshark -n "${VL_TSHARK_OPTS[@]}" -r "$pcap" -Y "$filter" -T fields "${args[@]}" 2>/dev/null
}

# vl_frames PCAP FILTER prints the matching frame numbers as "a-b" (or
# "a,b,c" when not contiguous; "-" when none).
vl_frames() {
	vl_tshark_fields "$1" "$2" frame.number | awk '
		{ n[NR] = $1 }
		END {
			if (NR == 0) { print "-"; exit }
			contig = 1
			for (i = 2; i <= NR; i++) if (n[i] != n[i - 1] + 1) contig = 0
			if (NR == 1) print n[1]
			else if (contig) print n[1] "-" n[NR]
			else { s = n[1]; for (i = 2; i <= NR; i++) s = s "," n[i]; print s }
		}'
}

# vl_tcounts PCAP FILTER... prints, one a line, how many frames match each
# display filter, in one tshark pass (io,stat over a single interval:
# tshark's start-up costs ~0.5 s, one pass per filter made the checks
# take 90 s). The filters must not contain commas.
vl_tcounts() {
	local pcap=$1 spec="io,stat,0" f
	shift
	for f in "$@"; do spec="$spec,$f"; done
	tshark -n "${VL_TSHARK_OPTS[@]}" -q -r "$pcap" -z "$spec" 2>/dev/null | awk -v n=$# '
		/^\| [0-9.]+ <> / {
			gsub(/ /, "")
			k = split($0, c, "|")
			# c[2] is the interval, then Frames|Bytes per filter
			for (i = 0; i < n; i++) print c[3 + 2 * i]
			found = 1
		}
		END { if (!found) for (i = 0; i < n; i++) print -1 }'
}

VL_FAILS=()
VL_Q_PCAP=()
VL_Q_WHAT=()
VL_Q_FILTER=()
VL_Q_OP=()
VL_Q_N=()
declare -gA VL_COUNT

# vl_expect PCAP LABEL WHAT FILTER OP N queues one expectation: the number
# of frames of PCAP matching FILTER must satisfy "count OP N" (OP: eq ge
# le). vl_count_all counts them all; the count is then VL_COUNT[LABEL].
vl_expect() {
	VL_Q_PCAP+=("$1")
	VL_Q_LABEL+=("$2")
	VL_Q_WHAT+=("$3")
	VL_Q_FILTER+=("$4")
	VL_Q_OP+=("$5")
	VL_Q_N+=("$6")
}

# vl_count_all runs the queued expectations (one tshark pass per pcap),
# fills VL_COUNT and records each unmet one in VL_FAILS. A threshold
# written "@LABEL" is the count of another expectation.
vl_count_all() {
	local pcap i j n filters=() idx=() counts
	local -A done_pcap=()
	VL_COUNT=()
	for ((i = 0; i < ${#VL_Q_PCAP[@]}; i++)); do
		pcap=${VL_Q_PCAP[i]}
		[ -n "${done_pcap[$pcap]:-}" ] && continue
		done_pcap[$pcap]=1
		filters=()
		idx=()
		for ((j = i; j < ${#VL_Q_PCAP[@]}; j++)); do
			[ "${VL_Q_PCAP[j]}" = "$pcap" ] || continue
			filters+=("${VL_Q_FILTER[j]}")
			idx+=("$j")
		done
		mapfile -t counts < <(vl_tcounts "$pcap" "${filters[@]}")
		for ((j = 0; j < ${#idx[@]}; j++)); do
			VL_COUNT[${VL_Q_LABEL[${idx[j]}]}]=${counts[j]:--1}
		done
	done
	for ((i = 0; i < ${#VL_Q_PCAP[@]}; i++)); do
		n=${VL_Q_N[i]}
		[ "${n#@}" != "$n" ] && n=${VL_COUNT[${n#@}]:--1}
		if ! [ "${VL_COUNT[${VL_Q_LABEL[i]}]}" "-${VL_Q_OP[i]}" "$n" ]; then
			VL_FAILS+=("$(basename "${VL_Q_PCAP[i]}" .pcap): ${VL_Q_WHAT[i]}: ${VL_COUNT[${VL_Q_LABEL[i]}]} frames match '${VL_Q_FILTER[i]}', expected ${VL_Q_OP[i]} $n")
		fi
	done
}

# vl_check_begin NAME DIR: reset the queue, load DIR/NAME.keys into
# VL_TSHARK_OPTS (VL_KEYS=1 if there were keys), check that the keys and both pcaps
# exist (status 1 if not).
vl_check_begin() {
	local name=$1 dir=$2 side
	VL_FAILS=()
	VL_TSHARK_OPTS=()
	VL_KEYS=0
	if [ -s "$dir/$name.keys" ] && grep -q '^uat:' "$dir/$name.keys"; then
		mapfile -t VL_TSHARK_OPTS < <(vl_keys_opts "$dir/$name.keys")
		VL_KEYS=1
	else
		VL_FAILS+=("$name.keys: missing or without uat: lines (decryption keys)")
	fi
	VL_Q_PCAP=()
	VL_Q_LABEL=()
	VL_Q_WHAT=()
	VL_Q_FILTER=()
	VL_Q_OP=()
	VL_Q_N=()
	for side in inside outside; do
		# An unreadable file shows up as counts of -1 (vl_tcounts).
		[ -s "$dir/$name.$side.pcap" ] || VL_FAILS+=("$name.$side.pcap: missing or empty")
	done
	[ ${#VL_FAILS[@]} = 0 ]
}

# vl_check_end NAME SUMMARY: print the verdict line; status 0 = passed.
vl_check_end() {
	local name=$1 summary=$2 f
	if [ ${#VL_FAILS[@]} = 0 ]; then
		printf 'ok   %s: %s\n' "$name" "$summary"
		return 0
	fi
	printf 'FAIL %s: %s\n' "$name" "${VL_FAILS[0]}"
	for f in "${VL_FAILS[@]:1}"; do
		printf '     %s\n' "$f"
	done
	return 1
}

# vl_check_ikev2-psk-natt: IKE_SA_INIT on 500 with NAT detection, IKE_AUTH
# floated to 4500 (non-ESP marker), ESP in UDP, keepalives from the client
# side, DELETE exchange; the NAT rewrote both client ports.
vl_check_ikev2-psk-natt() {
	local name=ikev2-psk-natt dir=$1 in out
	vl_check_begin "$name" "$dir" || { vl_check_end "$name" ""; return; }
	in=$dir/$name.inside.pcap
	out=$dir/$name.outside.pcap
	vl_expect "$out" init "IKE_SA_INIT on port 500" "$F_INIT && udp.port == 500" eq 2
	vl_expect "$out" natd "NAT_DETECTION_SOURCE_IP" "isakmp.notify.msgtype == $N_NATD_SRC" eq 2
	vl_expect "$out" auth "IKE_AUTH on 4500 after non-ESP marker" "$F_AUTH && udp.port == 4500 && udpencap.non_esp_marker" eq 2
	vl_expect "$out" ports "client ports rewritten by the NAT" "$F_NAT_SRC && (udp.srcport == 500 || udp.srcport == 4500)" eq 0
	vl_expect "$out" esp "ESP in UDP 4500" "$F_ESP" ge 6
	vl_expect "$out" ka "NAT keepalives from the NAT side" "$F_KEEPALIVE && $F_NAT_SRC" ge 1
	vl_expect "$out" info "INFORMATIONAL (DELETE) request+response" "$F_INFO2" eq 2
	vl_expect "$out" frag "IP fragments" "$F_IPFRAG" eq 0
	vl_expect "$in" in_init "IKE_SA_INIT from client port 500" "$F_CLIENT && udp.srcport == 500 && $F_INIT" eq 1
	vl_expect "$in" in_auth "IKE_AUTH from client port 4500" "$F_CLIENT && udp.srcport == 4500 && $F_AUTH" eq 1
	vl_expect "$in" in_ka "keepalives inside" "$F_KEEPALIVE && $F_CLIENT" eq "@ka"
	# decrypted with NAME.keys:
	vl_expect "$out" cp "CP payload (virtual IP) in IKE_AUTH" "$F_AUTH && isakmp.typepayload == 47" eq 2
	vl_expect "$out" del "DELETE of the IKE SA" "$F_INFO2 && isakmp.delete.protoid == 1" eq 1
	vl_expect "$out" echo "pings in the tunnel (decrypted ESP)" "esp && icmp.type == 8 && ip.dst == 203.0.113.1" eq 3
	vl_expect "$out" reply "replies in the tunnel (decrypted ESP)" "esp && icmp.type == 0 && ip.src == 203.0.113.1" eq 3
	vl_count_all
	vl_check_end "$name" "IKE_SA_INIT $(vl_frames "$out" "$F_INIT") on 500, IKE_AUTH $(vl_frames "$out" "$F_AUTH") on 4500, ${VL_COUNT[esp]} ESP-in-UDP (${VL_COUNT[echo]} pings decrypted), ${VL_COUNT[ka]} keepalives, DELETE $(vl_frames "$out" "$F_INFO2")"
}

# vl_check_ikev2-cert-ikefrag: both sides announce RFC 7383, both IKE_AUTH
# messages travel as SKF fragments of at most 1280 bytes, no IP fragment
# anywhere, tunnel carries the pings, DELETE at the end.
vl_check_ikev2-cert-ikefrag() {
	local name=ikev2-cert-ikefrag dir=$1 in out total
	vl_check_begin "$name" "$dir" || { vl_check_end "$name" ""; return; }
	in=$dir/$name.inside.pcap
	out=$dir/$name.outside.pcap
	total=$(vl_tshark_fields "$out" "$F_AUTH && isakmp.flag_r == 0 && isakmp.frag.number == 1" isakmp.frag.total | head -n 1)
	vl_expect "$out" fsup "IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT" "$F_INIT && isakmp.notify.msgtype == $N_FRAG_SUP" eq 2
	vl_expect "$out" req "IKE_AUTH request SKF fragments (fragment 1 says ${total:-none})" "$F_AUTH && isakmp.flag_r == 0 && isakmp.frag.number" eq "${total:-2}"
	vl_expect "$out" req2 "IKE_AUTH request split in at least 2" "$F_AUTH && isakmp.flag_r == 0 && isakmp.frag.number" ge 2
	vl_expect "$out" resp "IKE_AUTH response SKF fragments" "$F_AUTH && isakmp.flag_r == 1 && isakmp.frag.number" ge 2
	vl_expect "$out" whole "IKE_AUTH not as SKF" "$F_AUTH && !isakmp.frag.number" eq 0
	vl_expect "$out" big "SKF fragments over 1280 bytes of IP" "isakmp.frag.number && ip.len > 1280" eq 0
	vl_expect "$out" frag "IP fragments" "$F_IPFRAG" eq 0
	vl_expect "$out" esp "ESP in UDP 4500" "$F_ESP" ge 6
	vl_expect "$out" info "INFORMATIONAL (DELETE) request+response" "$F_INFO2" eq 2
	vl_expect "$in" in_frag "IP fragments inside" "$F_IPFRAG" eq 0
	vl_expect "$in" in_req "IKE_AUTH request SKF fragments inside" "$F_AUTH && isakmp.flag_r == 0 && isakmp.frag.number" eq "@req"
	# decrypted with NAME.keys (tshark reassembles the SKF fragments):
	vl_expect "$out" certs "reassembled IKE_AUTH with X.509 CERT payloads" "$F_AUTH && isakmp.cert.encoding == 4" eq 2
	vl_expect "$out" echo "pings in the tunnel (decrypted ESP)" "esp && icmp.type == 8 && ip.dst == 203.0.113.1" eq 3
	vl_expect "$out" del "DELETE of the IKE SA" "$F_INFO2 && isakmp.delete.protoid == 1" eq 1
	vl_count_all
	vl_check_end "$name" "IKE_AUTH request as ${VL_COUNT[req]} SKF fragments (frames $(vl_frames "$out" "$F_AUTH && isakmp.flag_r == 0")), response as ${VL_COUNT[resp]} ($(vl_frames "$out" "$F_AUTH && isakmp.flag_r == 1")), 0 IP fragments, ${VL_COUNT[esp]} ESP, DELETE $(vl_frames "$out" "$F_INFO2")"
}

# vl_check_ikev2-cert-nofrag-fail: no RFC 7383; the IKE_AUTH request leaves
# the client IP-fragmented and is retransmitted; nothing of it (and no
# response, no ESP) appears outside the NAT.
vl_check_ikev2-cert-nofrag-fail() {
	local name=ikev2-cert-nofrag-fail dir=$1 in out
	vl_check_begin "$name" "$dir" || { vl_check_end "$name" ""; return; }
	in=$dir/$name.inside.pcap
	out=$dir/$name.outside.pcap
	vl_expect "$in" fsup "IKEV2_FRAGMENTATION_SUPPORTED" "isakmp.notify.msgtype == $N_FRAG_SUP" eq 0
	vl_expect "$in" init "IKE_SA_INIT inside" "$F_INIT" eq 2
	vl_expect "$in" sends "IKE_AUTH requests > 1500 bytes (reassembled from IP fragments), first + retransmissions" "$F_AUTH && isakmp.flag_r == 0 && isakmp.messageid == 1 && udp.length > 1500" ge 2
	vl_expect "$in" nonfirst "non-first IP fragments inside" "$F_NONFIRST" ge "@sends"
	vl_expect "$in" resp "IKE_AUTH responses" "$F_AUTH && isakmp.flag_r == 1" eq 0
	# decrypted with NAME.keys (the IKE SA keys exist after IKE_SA_INIT):
	vl_expect "$in" certs "IKE_AUTH requests with X.509 CERT payloads" "$F_AUTH && isakmp.cert.encoding == 4" eq "@sends"
	vl_expect "$out" out_init "IKE_SA_INIT outside" "$F_INIT" eq 2
	vl_expect "$out" out_nonfirst "non-first IP fragments outside" "$F_NONFIRST" eq 0
	vl_expect "$out" out_auth "IKE_AUTH outside" "$F_AUTH" eq 0
	vl_expect "$out" out_esp "ESP" "esp" eq 0
	vl_count_all
	vl_check_end "$name" "IKE_AUTH sent ${VL_COUNT[sends]} times IP-fragmented (inside frames $(vl_frames "$in" "$F_IPFRAG")), ${VL_COUNT[nonfirst]} non-first fragments dropped, none outside, no response (expected failure)"
}

# vl_check_ikev1-main-psk-natt: six main-mode messages, NAT-D and the
# RFC 3947 vendor ID, port float at message 5, mode-config, quick mode,
# ESP in UDP, Informational DELETE.
vl_check_ikev1-main-psk-natt() {
	local name=ikev1-main-psk-natt dir=$1 in out
	vl_check_begin "$name" "$dir" || { vl_check_end "$name" ""; return; }
	in=$dir/$name.inside.pcap
	out=$dir/$name.outside.pcap
	vl_expect "$out" main "main mode messages" "$F_MAIN" eq 6
	vl_expect "$out" main500 "main mode 1-4 on port 500" "$F_MAIN && udp.port == 500" eq 4
	vl_expect "$out" main4500 "main mode 5-6 on 4500 (float)" "$F_MAIN && udp.port == 4500 && udpencap.non_esp_marker" eq 2
	vl_expect "$out" vid "RFC 3947 vendor ID" "isakmp.vid_bytes == $VID_RFC3947" eq 2
	vl_expect "$out" natd "NAT-D payloads (type 20)" "isakmp.typepayload == 20" eq 2
	vl_expect "$out" ports "client ports rewritten by the NAT" "$F_NAT_SRC && (udp.srcport == 500 || udp.srcport == 4500)" eq 0
	vl_expect "$out" cfg "mode-config transaction" "$F_CFG1" ge 2
	vl_expect "$out" quick "quick mode messages" "$F_QUICK" eq 3
	vl_expect "$out" esp "ESP in UDP 4500" "$F_ESP" ge 6
	vl_expect "$out" info "Informational (DELETE)" "$F_INFO1" ge 1
	vl_expect "$in" in_main "main mode from client port 500" "$F_MAIN && $F_CLIENT && udp.srcport == 500" eq 2
	# decrypted with NAME.keys:
	vl_expect "$out" id "ID payloads in main mode 5-6" "$F_MAIN && isakmp.typepayload == 5" eq 2
	vl_expect "$out" attr "mode-config attributes" "$F_CFG1 && isakmp.typepayload == 14" ge 2
	vl_expect "$out" del "Delete payloads" "$F_INFO1 && isakmp.typepayload == 12" ge 1
	vl_expect "$out" echo "pings in the tunnel (decrypted ESP)" "esp && icmp.type == 8 && ip.dst == 203.0.113.1" eq 3
	vl_count_all
	vl_check_end "$name" "main mode $(vl_frames "$out" "$F_MAIN") (float at 5), mode-config $(vl_frames "$out" "$F_CFG1"), quick mode $(vl_frames "$out" "$F_QUICK"), ${VL_COUNT[esp]} ESP, DELETE $(vl_frames "$out" "$F_INFO1")"
}

# vl_check_ikev1-aggr-psk-natt: three aggressive-mode messages (the third
# already on 4500), mode-config, quick mode, ESP in UDP, DELETE.
vl_check_ikev1-aggr-psk-natt() {
	local name=ikev1-aggr-psk-natt dir=$1 in out
	vl_check_begin "$name" "$dir" || { vl_check_end "$name" ""; return; }
	in=$dir/$name.inside.pcap
	out=$dir/$name.outside.pcap
	vl_expect "$out" aggr "aggressive mode messages" "$F_AGGR" eq 3
	vl_expect "$out" aggr500 "aggressive 1-2 on port 500" "$F_AGGR && udp.port == 500" eq 2
	vl_expect "$out" aggr4500 "aggressive 3 on 4500 (float)" "$F_AGGR && udp.port == 4500 && udpencap.non_esp_marker" eq 1
	vl_expect "$out" vid "RFC 3947 vendor ID" "isakmp.vid_bytes == $VID_RFC3947" eq 2
	vl_expect "$out" ports "client ports rewritten by the NAT" "$F_NAT_SRC && (udp.srcport == 500 || udp.srcport == 4500)" eq 0
	vl_expect "$out" cfg "mode-config transaction" "$F_CFG1" ge 2
	vl_expect "$out" quick "quick mode messages" "$F_QUICK" eq 3
	vl_expect "$out" esp "ESP in UDP 4500" "$F_ESP" ge 6
	vl_expect "$out" info "Informational (DELETE)" "$F_INFO1" ge 1
	vl_expect "$in" in_aggr "aggressive mode from client port 500" "$F_AGGR && $F_CLIENT && udp.srcport == 500" eq 1
	# decrypted with NAME.keys:
	vl_expect "$out" attr "mode-config attributes" "$F_CFG1 && isakmp.typepayload == 14" ge 2
	vl_expect "$out" del "Delete payloads" "$F_INFO1 && isakmp.typepayload == 12" ge 1
	vl_expect "$out" echo "pings in the tunnel (decrypted ESP)" "esp && icmp.type == 8 && ip.dst == 203.0.113.1" eq 3
	vl_count_all
	vl_check_end "$name" "aggressive mode $(vl_frames "$out" "$F_AGGR") (float at 3), mode-config $(vl_frames "$out" "$F_CFG1"), quick mode $(vl_frames "$out" "$F_QUICK"), ${VL_COUNT[esp]} ESP, DELETE $(vl_frames "$out" "$F_INFO1")"
}

# vl_check_all DIR: every case; prints "N passed, N failed"; status 0 only
# if all passed.
vl_check_all() {
	local dir=$1 name passed=0 failed=0
	for name in $VL_CASES; do
		if "vl_check_$name" "$dir"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
		fi
	done
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}
