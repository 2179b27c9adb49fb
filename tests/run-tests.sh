#!/bin/bash
# run-tests.sh SANDIR FUZZDIR — runs every test vpnlab has and ends with
# one summary line "N passed, N failed".
#
#   1. cmocka unit tests: SANDIR/tests/test_* (ASan+UBSan build); each
#      binary's "[  PASSED  ] n" / "[  FAILED  ] n" lines are added up.
#   2. CLI tests: tests/cli/*.sh, run with VPNLAB=SANDIR/vpnlab; one test each.
#   3. Fuzz smoke: each FUZZDIR/fuzz/fuzz_* replays tests/fuzz/corpus/NAME
#      and then fuzzes for FUZZ_SMOKE_SECONDS (default 15); one test each.
#   4. Interop in network namespaces (as root): tests/interop/run.sh and
#      matrix.sh, their counts added.
#
# Each part writes its full output to build/test-logs/ and a line here.
set -u
san=${1:-build/san}
fuzz=${2:-build/fuzz}
logs=build/test-logs
mkdir -p "$logs"
passed=0
failed=0
failures=()

here=$(cd "$(dirname "$0")" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp:print_suppressions=0}

for t in "$san"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	log=$logs/$name.log
	"$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed or sanitizer report: count the binary as a failure
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures+=("$name (see $log)")
		printf '%-34s %4d passed %4d failed  <-- %s\n' "$name" "$p" "$f" "$log"
		grep -E '^\[  (FAILED|  ERROR)  \]|ERROR: (Address|Leak|Undefined)|runtime error' "$log" | head -20 | sed 's/^/    /'
	else
		printf '%-34s %4d passed\n' "$name" "$p"
	fi
done

for t in "$here"/cli/*.sh; do
	[ -f "$t" ] || continue
	name=cli/$(basename "$t" .sh)
	log=$logs/$(basename "$t" .sh).cli.log
	if VPNLAB=$PWD/$san/vpnlab bash "$t" >"$log" 2>&1; then
		passed=$((passed + 1))
		printf '%-34s %4d passed\n' "$name" 1
	else
		failed=$((failed + 1))
		failures+=("$name (see $log)")
		printf '%-34s %4d passed %4d failed  <-- %s\n' "$name" 0 1 "$log"
		tail -15 "$log" | sed 's/^/    /'
	fi
done

secs=${FUZZ_SMOKE_SECONDS:-15}
for t in "$fuzz"/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	log=$logs/$name.log
	corpus=$here/fuzz/corpus/$name
	work=build/fuzz-work/$name
	rm -rf "$work"
	mkdir -p "$work"
	ok=1
	if [ -d "$corpus" ]; then
		"$t" -runs=0 "$corpus" >"$log" 2>&1 || ok=0
	fi
	if [ $ok = 1 ]; then
		dirs=("$work")
		[ -d "$corpus" ] && dirs+=("$corpus")
		"$t" -max_total_time="$secs" -timeout=10 -print_final_stats=1 "${dirs[@]}" >>"$log" 2>&1 || ok=0
	fi
	if [ $ok = 1 ]; then
		passed=$((passed + 1))
		runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')
		printf '%-34s %4d passed  (corpus replay + %ss fuzz, %s runs)\n' "fuzz/$name" 1 "$secs" "${runs:-?}"
	else
		failed=$((failed + 1))
		failures+=("fuzz/$name (see $log)")
		printf '%-34s %4d passed %4d failed  <-- %s\n' "fuzz/$name" 0 1 "$log"
		grep -E 'ERROR|SUMMARY|crash-|leak-|timeout-' "$log" | head -10 | sed 's/^/    /'
	fi
done

# 4. Interop with real peers in network namespaces (root only; `make deps`
#    installs strongSwan, ike-scan, nftables, tcpdump): the strongSwan
#    capture checks (tests/interop/run.sh) and the peer x feature matrix
#    (tests/interop/matrix.sh). Their own "N passed, N failed" lines are
#    added up. VPNLAB_INTEROP=0 leaves them out.
if [ "$(id -u)" = 0 ] && [ "${VPNLAB_INTEROP:-1}" != 0 ]; then
	rel=${REL_DIR:-build/rel}
	for s in run matrix; do
		name=interop/$s
		log=$logs/interop-$s.log
		VPNLAB=$PWD/$rel/vpnlab VPNLAB_SCAN=$PWD/$san/vpnlab VPNLAB_CHECK=$PWD/$rel/vpnlab \
			bash "$here/interop/$s.sh" >"$log" 2>&1
		rc=$?
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
		p=$(echo "$line" | awk '{print $1+0}')
		f=$(echo "$line" | awk '{print $3+0}')
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1 # could not run (77: missing package or no namespaces) or crashed
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$f" -ne 0 ]; then
			failures+=("$name (see $log)")
			printf '%-34s %4d passed %4d failed  <-- %s (exit %d)\n' "$name" "$p" "$f" "$log" "$rc"
			grep -E 'FAIL|cannot|missing' "$log" | head -15 | sed 's/^/    /'
		else
			printf '%-34s %4d passed\n' "$name" "$p"
		fi
	done
	# the feature x peer matrix itself
	sed -n '/^feature/,/^$/p' "$logs/interop-matrix.log" | head -30
else
	echo "interop: skipped (needs root; VPNLAB_INTEROP=${VPNLAB_INTEROP:-1})"
fi

if [ ${#failures[@]} -ne 0 ]; then
	echo "failures:"
	for f in "${failures[@]}"; do echo "  $f"; done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
