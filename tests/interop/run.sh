#!/bin/bash
# run.sh — CI wrapper for the strongSwan interop captures (issue #6) and the
# namespace harness (lib.sh) that issue #7 builds on. Not wired into
# "make test" (the lead decides); needs root and the interop-deps packages.
#
#   1. topo-selftest.sh: NAT, fragment drop, MTU, captures (one test each).
#   2. topo-selftest.sh hold + TERM: the trap removes every namespace and
#      process the script started (one test).
#   3. make-captures.sh into a temporary directory: each capture's tshark
#      structure (one test each; SPIs, nonces, ports differ every run, so
#      nothing is compared byte for byte), plus one test that the run left
#      no namespace, process or work directory behind.
#   4. The committed captures in pcaps/interop/ pass the same checks (one
#      test each), so a tshark upgrade or an edited capture is noticed.
#   5. The checks can fail: ikev2-cert-nofrag-fail's files presented as
#      ikev2-cert-ikefrag must be rejected (one test).
#
# Ends with "N passed, N failed"; exit 0 only if nothing failed, 77 if it
# cannot run here (not root, packages missing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: needs root (network namespaces); skipped" >&2
	exit 77
fi
for c in charon-systemd swanctl pki ping tshark tcpdump nft ip; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "run.sh: '$c' missing; install the interop-deps packages (see pcaps/interop/README.md); skipped" >&2
		exit 77
	fi
done
. "$here/checks.sh"

passed=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vpnlab-interop-run.XXXXXX") || exit 1
# The work directory (logs, fresh captures) is kept when a test failed.
trap 'if [ "$failed" = 0 ]; then rm -rf -- "$tmp"; else echo "kept $tmp (logs: *.log)"; fi' EXIT

# tally FILE: add up the "ok"/"FAIL" verdict lines of FILE and echo them.
tally() {
	local p f
	grep -E '^(ok|FAIL|    ) ' "$1"
	p=$(grep -c '^ok ' "$1")
	f=$(grep -c '^FAIL ' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
}
# verdict OK WHAT: one test from a condition's status.
verdict() {
	if [ "$1" = 0 ]; then
		echo "ok   $2"
		passed=$((passed + 1))
	else
		echo "FAIL $2"
		failed=$((failed + 1))
	fi
}
# leftovers PREFIX PID...: prints namespaces named PREFIX-*, live PIDs, and
# processes that mention $tmp in their command line or environment.
leftovers() {
	local prefix=$1 pid p
	shift
	ip netns list | grep -- "^$prefix-" | sed 's/^/namespace /'
	for pid in "$@"; do
		kill -0 "$pid" 2>/dev/null && echo "process $pid: $(ps -o args= -p "$pid")"
	done
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "$$" ] && continue
		if grep -qs -- "$tmp/" "$p/cmdline" "$p/environ"; then
			echo "process ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline")"
		fi
	done
}

t0=$(date +%s)
echo "== harness self-test (topo-selftest.sh)"
TMPDIR=$tmp "$here/topo-selftest.sh" >"$tmp/topo.log" 2>&1
tally "$tmp/topo.log"
[ -z "$(leftovers "topotest-[0-9]*")" ]
verdict $? "topo: nothing left after a normal run"

echo "== harness interrupted (topo-selftest.sh hold, then TERM)"
TMPDIR=$tmp "$here/topo-selftest.sh" hold >"$tmp/hold.log" 2>&1 &
hold=$!
for _ in $(seq 200); do
	grep -q '^ready pids:' "$tmp/hold.log" && break
	kill -0 "$hold" 2>/dev/null || break
	sleep 0.1
done
pids=$(sed -n 's/^ready pids: \([0-9 ]*\) namespaces:.*/\1/p' "$tmp/hold.log")
kill -TERM "$hold" 2>/dev/null
wait "$hold" 2>/dev/null
# shellcheck disable=SC2086 # $pids is a list
left=$(leftovers "topotest-$hold" $pids)
[ -n "$pids" ] && [ -z "$left" ]
verdict $? "topo: TERM mid-run removes its namespaces and processes${left:+ (left: $(echo "$left" | tr '\n' ';'))}"

echo "== fresh captures (make-captures.sh into $tmp/caps)"
t1=$(date +%s)
TMPDIR=$tmp "$here/make-captures.sh" "$tmp/caps" >"$tmp/make.log" 2>&1 &
make=$!
wait "$make"
rc=$?
grep -E '^\[swancap-[0-9]+\] (case .*done|pki|error|all captures)' "$tmp/make.log" | sed 's/^/   /'
tally "$tmp/make.log"
[ "$(grep -c '^\(ok\|FAIL\) ' "$tmp/make.log")" = 5 ]
verdict $? "make-captures: all 5 cases ran (exit $rc, $(($(date +%s) - t1)) s)"
left=$(leftovers "swancap-$make"; find "$tmp" -maxdepth 1 -name "swancap-$make.*")
[ -z "$left" ]
verdict $? "make-captures: nothing left (namespaces, processes, work directory)${left:+ (left: $(echo "$left" | tr '\n' ';'))}"

echo "== committed captures (pcaps/interop)"
vl_check_all "$repo/pcaps/interop" >"$tmp/committed.log" 2>&1
sed -i 's/^\(ok\|FAIL\) \{1,3\}/&committed /' "$tmp/committed.log"
tally "$tmp/committed.log"

echo "== the checks can fail"
mkdir -p "$tmp/swapped"
for side in inside outside; do
	cp "$tmp/caps/ikev2-cert-nofrag-fail.$side.pcap" "$tmp/swapped/ikev2-cert-ikefrag.$side.pcap" 2>/dev/null
done
cp "$tmp/caps/ikev2-cert-nofrag-fail.keys" "$tmp/swapped/ikev2-cert-ikefrag.keys" 2>/dev/null
! vl_check_ikev2-cert-ikefrag "$tmp/swapped" >"$tmp/swapped.log" 2>&1 &&
	[ "$(grep -c '^     ' "$tmp/swapped.log")" -ge 3 ]
verdict $? "checks: a failure capture presented as ikev2-cert-ikefrag is rejected ($(grep -c 'expected' "$tmp/swapped.log") unmet expectations)"

echo "interop: $(($(date +%s) - t0)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
