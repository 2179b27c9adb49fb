# shellcheck shell=bash
# tests/interop/lib.sh — network-namespace topology for interop tests.
#
# Source it from a bash script that runs as root:
#
#     . "$(dirname "$0")/lib.sh"
#     vl_init swancap            # names, root check, cleanup trap
#     vl_topo_up                 # namespaces, veths, addresses, NAT
#     vl_nat_fragdrop            # optional: NAT drops non-first fragments
#     vl_link_mtu outside 1280   # optional: smaller MTU on one link
#     vl_topo_draw               # print the drawing below with this run's names
#     vl_capture_start "$dir/name"   # tcpdump on the NAT's two interfaces
#     vl_bg "$VL_NS_G" "$dir/gw.log" some-daemon --flag
#     ...
#     vl_capture_stop
#     vl_topo_down               # optional: fresh topology for the next case
#
# The topology (addresses exist only inside the namespaces this file creates;
# nothing is routed out of them: the NAT has no default route and no
# namespace has a link to the host's own namespace):
#
#  ┌──────────────────────┐  ┌─────────────────────────────────────────┐  ┌───────────────────────┐
#  │ $VL_NS_C  (client)   │  │ $VL_NS_N  (nat)                         │  │ $VL_NS_G  (gateway)   │
#  ├──────────────────────┤  ├─────────────────────────────────────────┤  ├───────────────────────┤
#  │ c0 192.0.2.2/24 ─────┼──┼─ n0 192.0.2.1/24    n1 198.51.100.1/24 ─┼──┼─ g0 198.51.100.2/24   │
#  │ default via 192.0.2.1│  │ (inside)            (outside)           │  │ lo 203.0.113.1/32     │
#  │                      │  │ masquerade out of n1, fully-random      │  │ (protected address)   │
#  │                      │  │ to ports 20000-59999                    │  │ pool 203.0.113.64/26  │
#  │                      │  │ [fragdrop: prerouting prio -450 drops   │  │ (virtual IPs)         │
#  │                      │  │  ip frag-off & 0x1fff != 0]             │  │                       │
#  └──────────────────────┘  └─────────────────────────────────────────┘  └───────────────────────┘
#        captures:                 $prefix.inside.pcap  (n0)
#                                  $prefix.outside.pcap (n1)
#
# Addresses: 192.0.2.0/24 (TEST-NET-1) on the client side, 198.51.100.0/24
# (TEST-NET-2) on the gateway side, 203.0.113.0/24 (TEST-NET-3) for the
# gateway's protected address and the virtual-IP pool (RFC 5737).
#
# Names are "$prefix-$$-{c,n,g}", so parallel runs never collide. The
# cleanup (trap on EXIT, INT and TERM) kills only the PIDs recorded by
# vl_bg and deletes only the namespaces vl_topo_up created, also when the
# script fails half-way.

# Addresses of the topology (read-only for the scripts that source this).
VL_C_ADDR=192.0.2.2
VL_N_IN_ADDR=192.0.2.1
VL_N_OUT_ADDR=198.51.100.1
VL_G_ADDR=198.51.100.2
VL_G_PROTECTED=203.0.113.1
VL_POOL=203.0.113.64/26

VL_PIDS=()        # vl_bg: PIDs this run started (daemons, captures)
VL_NETNS=()       # vl_topo_up: namespaces this run created
VL_CAPTURE_PIDS=() # vl_capture_start: tcpdump PIDs (also in VL_PIDS)
VL_TMPDIRS=()     # vl_tmpdir: work directories to remove
VL_CLEANED=0
VL_FRAGDROP=0
VL_MTU_INSIDE=1500
VL_MTU_OUTSIDE=1500

# vl_log prints a progress line on stderr, prefixed with the run name.
vl_log() { printf '[%s] %s\n' "${VL_RUN:-vl}" "$*" >&2; }

# vl_die prints the reason and exits 1 (the EXIT trap cleans up).
vl_die() { vl_log "error: $*"; exit 1; }

# vl_require_root stops early with a clear message: namespaces, veths, nft
# and tcpdump all need CAP_NET_ADMIN / CAP_SYS_ADMIN.
vl_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "$(basename "$0"): must run as root (network namespaces, veth, nft, tcpdump); try: sudo $0" >&2
		exit 77
	fi
}

# vl_require_cmds checks that each command exists, naming the Debian
# package that provides it (the list passed as cmd:package pairs).
vl_require_cmds() {
	local pair cmd pkg missing=""
	for pair in "$@"; do
		cmd=${pair%%:*}
		pkg=${pair#*:}
		command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
	done
	if [ -n "$missing" ]; then
		echo "$(basename "$0"): missing commands; install the Debian packages:$missing" >&2
		echo "  apt-get install$missing   (or: make interop-deps)" >&2
		exit 77
	fi
}

# vl_init sets this run's namespace names from |prefix| and the PID, checks
# root, and installs the cleanup trap.
vl_init() {
	local prefix=${1:-vl}
	vl_require_root
	vl_require_cmds ip:iproute2 nft:nftables tcpdump:tcpdump
	VL_RUN=$prefix-$$
	VL_NS_C=$VL_RUN-c
	VL_NS_N=$VL_RUN-n
	VL_NS_G=$VL_RUN-g
	trap vl_cleanup EXIT
	trap 'vl_on_signal 130' INT
	trap 'vl_on_signal 143' TERM
}

# vl_on_signal cleans up and exits with 128+signal. Further INT/TERM are
# ignored meanwhile: Ctrl-C and timeout(1) signal the whole process group,
# so a second signal often arrives mid-cleanup, and re-entering would skip
# the rest of it (leaking namespaces).
vl_on_signal() {
	trap '' INT TERM
	vl_log "interrupted"
	vl_cleanup
	trap - EXIT
	exit "$1"
}

# vl_ns_add creates one namespace and records it for cleanup before
# anything else can fail.
vl_ns_add() {
	ip netns add "$1" || vl_die "ip netns add $1 failed"
	VL_NETNS+=("$1")
	# No IPv6: keeps router solicitations and MLD reports out of captures.
	ip netns exec "$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	ip -n "$1" link set lo up
}

# vl_topo_up builds the three namespaces of the drawing above. Both veth
# ends are created directly inside their namespaces, so no interface name
# ever exists in the host's namespace (no collision between runs).
vl_topo_up() {
	vl_ns_add "$VL_NS_C"
	vl_ns_add "$VL_NS_N"
	vl_ns_add "$VL_NS_G"
	ip link add c0 netns "$VL_NS_C" type veth peer name n0 netns "$VL_NS_N" ||
		vl_die "veth c0/n0 failed"
	ip link add n1 netns "$VL_NS_N" type veth peer name g0 netns "$VL_NS_G" ||
		vl_die "veth n1/g0 failed"

	ip -n "$VL_NS_C" addr add "$VL_C_ADDR/24" dev c0
	ip -n "$VL_NS_C" link set c0 up
	ip -n "$VL_NS_C" route add default via "$VL_N_IN_ADDR"

	ip -n "$VL_NS_N" addr add "$VL_N_IN_ADDR/24" dev n0
	ip -n "$VL_NS_N" addr add "$VL_N_OUT_ADDR/24" dev n1
	ip -n "$VL_NS_N" link set n0 up
	ip -n "$VL_NS_N" link set n1 up
	ip netns exec "$VL_NS_N" sysctl -q -w net.ipv4.ip_forward=1 >/dev/null

	ip -n "$VL_NS_G" addr add "$VL_G_ADDR/24" dev g0
	ip -n "$VL_NS_G" addr add "$VL_G_PROTECTED/32" dev lo
	ip -n "$VL_NS_G" link set g0 up

	# Hide-NAT: every packet leaving n1 gets 198.51.100.1 and a random
	# source port ("fully-random" rewrites even 500 and 4500, so NAT
	# detection and the port float are exercised for real). The range keeps
	# the new ports above 4500: without it Linux maps 500 into 1-511, and
	# tshark decodes UDP by the lower port first (port 496, Auto-RP, made
	# an IKE_SA_INIT "Malformed").
	ip netns exec "$VL_NS_N" nft -f - <<-'NFT' || vl_die "nft nat table failed"
		table ip nat {
			chain post {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "n1" meta l4proto { tcp, udp } masquerade to :20000-59999 fully-random
				oifname "n1" masquerade
			}
		}
	NFT
}

# vl_nat_fragdrop makes the NAT drop every non-first IPv4 fragment, like a
# cheap hide-NAT. The chain runs at priority -450, before conntrack
# defragmentation (-400); an iptables "-f" rule in FORWARD never matches
# once conntrack has reassembled.
vl_nat_fragdrop() {
	ip netns exec "$VL_NS_N" nft -f - <<-'NFT' || vl_die "nft fragdrop table failed"
		table ip fragdrop {
			chain pre {
				type filter hook prerouting priority -450; policy accept;
				ip frag-off & 0x1fff != 0 counter drop
			}
		}
	NFT
	VL_FRAGDROP=1
}

# vl_fragdrop_count prints how many fragments the NAT dropped so far.
vl_fragdrop_count() {
	ip netns exec "$VL_NS_N" nft list chain ip fragdrop pre 2>/dev/null |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -n1
}

# vl_link_mtu sets the MTU of both ends of |link| (inside = c0/n0,
# outside = n1/g0) to |mtu|.
vl_link_mtu() {
	local link=$1 mtu=$2
	case $link in
	inside)
		ip -n "$VL_NS_C" link set c0 mtu "$mtu"
		ip -n "$VL_NS_N" link set n0 mtu "$mtu"
		VL_MTU_INSIDE=$mtu ;;
	outside)
		ip -n "$VL_NS_N" link set n1 mtu "$mtu"
		ip -n "$VL_NS_G" link set g0 mtu "$mtu"
		VL_MTU_OUTSIDE=$mtu ;;
	*) vl_die "vl_link_mtu: link '$link', expected inside or outside" ;;
	esac
}

# vl_topo_draw prints the topology with this run's names and options.
vl_topo_draw() {
	local fd="no" ;
	[ "$VL_FRAGDROP" = 1 ] && fd="yes"
	cat >&2 <<-EOF2
	  ┌──────────────────────┐  ┌─────────────────────────────────────────┐  ┌───────────────────────┐
	  │ client               │  │ nat                                     │  │ gateway               │
	  ├──────────────────────┤  ├─────────────────────────────────────────┤  ├───────────────────────┤
	  │ c0 192.0.2.2/24 ─────┼──┼─ n0 192.0.2.1/24    n1 198.51.100.1/24 ─┼──┼─ g0 198.51.100.2/24   │
	  │ default via 192.0.2.1│  │ (inside)            (outside)           │  │ lo 203.0.113.1/32     │
	  │                      │  │ masquerade out of n1, fully-random      │  │ pool 203.0.113.64/26  │
	  │                      │  │ to ports 20000-59999                    │  │                       │
	  └──────────────────────┘  └─────────────────────────────────────────┘  └───────────────────────┘
	  namespaces: $VL_NS_C  $VL_NS_N  $VL_NS_G
	  fragdrop: $fd   mtu inside: $VL_MTU_INSIDE   mtu outside: $VL_MTU_OUTSIDE
	EOF2
}

# vl_bg starts "$@" in namespace |ns| in the background with stdout and
# stderr in |log|, and records its PID for cleanup. "ip netns exec" and
# "env" both exec, so $! is the PID of the command itself. The PID is also
# left in VL_LAST_PID.
vl_bg() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" >"$log" 2>&1 </dev/null &
	VL_LAST_PID=$!
	VL_PIDS+=("$VL_LAST_PID")
}

# vl_stop_pid stops one recorded PID: TERM, up to ~3 s, then KILL.
vl_stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		vl_log "pid $pid ignored TERM; sending KILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# vl_since T0 prints the seconds (one decimal) since T0, a "date +%s%N".
vl_since() {
	local ms=$((($(date +%s%N) - $1) / 1000000))
	printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# vl_wait_file waits up to |secs| seconds for |file| to exist and contain
# |pattern| (an ERE; empty = just exist).
vl_wait_file() {
	local file=$1 pattern=$2 secs=$3 i
	for i in $(seq $((secs * 10))); do
		if [ -e "$file" ] && { [ -z "$pattern" ] || grep -Eq -- "$pattern" "$file"; }; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# vl_capture_start starts tcpdump in the NAT namespace on n0 (inside) and
# n1 (outside), writing $prefix.inside.pcap and $prefix.outside.pcap
# (classic pcap, Ethernet, packet-buffered with -U; --immediate-mode, else
# packets still in libpcap's TPACKET_V3 block are lost when tcpdump gets
# TERM: seen as "12 received by filter, 10 captured"). It returns once both
# report "listening". IPv4 only: no ARP in the captures.
vl_capture_start() {
	local prefix=$1 side ifc
	VL_CAPTURE_PIDS=()
	for side in inside outside; do
		ifc=n0
		[ "$side" = outside ] && ifc=n1
		vl_bg "$VL_NS_N" "$prefix.$side.tcpdump.log" \
			tcpdump -i "$ifc" -n -U --immediate-mode -Z root -s 0 -w "$prefix.$side.pcap" ip
		VL_CAPTURE_PIDS+=("$VL_LAST_PID")
		vl_wait_file "$prefix.$side.tcpdump.log" 'listening on' 5 ||
			vl_die "tcpdump on $ifc did not start: $(cat "$prefix.$side.tcpdump.log")"
	done
}

# vl_capture_stop stops the captures started by vl_capture_start; tcpdump
# flushes its file on TERM.
vl_capture_stop() {
	local pid
	for pid in "${VL_CAPTURE_PIDS[@]}"; do
		vl_stop_pid "$pid"
	done
	VL_CAPTURE_PIDS=()
}

# vl_topo_down stops the PIDs this run started, newest first, then deletes
# this run's namespaces, so a script can build a fresh topology per
# scenario. Anything still inside one of the namespaces must have been
# started by this run (the names are unique to it), so it is reported and
# killed too, else the namespace would live on unnamed.
vl_topo_down() {
	local i pid ns left
	for ((i = ${#VL_PIDS[@]} - 1; i >= 0; i--)); do
		vl_stop_pid "${VL_PIDS[i]}"
	done
	for ns in "${VL_NETNS[@]}"; do
		left=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
		if [ -n "$left" ]; then
			vl_log "cleanup: namespace $ns still had processes: $left(killing them)"
			for pid in $left; do
				kill -KILL "$pid" 2>/dev/null
			done
		fi
		ip netns del "$ns" 2>/dev/null || vl_log "cleanup: ip netns del $ns failed"
	done
	VL_PIDS=()
	VL_CAPTURE_PIDS=()
	VL_NETNS=()
	VL_FRAGDROP=0
	VL_MTU_INSIDE=1500
	VL_MTU_OUTSIDE=1500
}

# vl_tmpdir creates a private work directory, removed by vl_cleanup unless
# VL_KEEP=1 (then its path is printed). The path is left in VL_TMP.
vl_tmpdir() {
	VL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$VL_RUN.XXXXXX") || vl_die "mktemp failed"
	VL_TMPDIRS+=("$VL_TMP")
}

# vl_cleanup runs from the EXIT trap (and on INT/TERM): vl_topo_down, then
# the work directories. Idempotent.
vl_cleanup() {
	local d
	[ "$VL_CLEANED" = 1 ] && return 0
	VL_CLEANED=1
	trap '' INT TERM
	vl_topo_down
	for d in "${VL_TMPDIRS[@]}"; do
		if [ "${VL_KEEP:-0}" = 1 ]; then
			vl_log "kept work directory $d"
		else
			rm -rf -- "$d"
		fi
	done
	VL_TMPDIRS=()
}

# vl_check_clean prints stray namespaces or processes of this run (for
# tests of the harness itself); returns 1 if there are any.
vl_check_clean() {
	local bad=0 pid
	if ip netns list | grep -q -- "^$VL_RUN-"; then
		vl_log "stray namespaces: $(ip netns list | grep -- "^$VL_RUN-" | tr '\n' ' ')"
		bad=1
	fi
	for pid in "$@"; do
		if kill -0 "$pid" 2>/dev/null; then
			vl_log "stray process $pid: $(ps -o args= -p "$pid")"
			bad=1
		fi
	done
	return $bad
}
