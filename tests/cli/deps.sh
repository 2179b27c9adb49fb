#!/bin/bash
# deps.sh — `make deps` is a quick no-op when everything is installed, and
# fails with a clear message (naming the missing package and asking for
# root) when something is missing and it does not run as root.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*"; exit 1; }

# 1. All present: says so, exits 0, in well under a second.
start=$(date +%s%N)
out=$(make -s -C "$top" deps 2>&1) || fail "make deps failed with everything installed: $out"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$out" | grep -q "packages present" || fail "no 'packages present' line: $out"
echo "deps no-op took ${ms} ms"

# 2. Missing package, not root: exit non-zero, name the package, say root is needed.
if [ "$(id -u)" = 0 ]; then
	run_unpriv() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	run_unpriv() { "$@"; }
fi
out=$(run_unpriv make -s -C "$top" deps DEB_PKGS="libssl-dev vpnlab-no-such-package" 2>&1)
rc=$?
[ $rc -ne 0 ] || fail "make deps succeeded although a package is missing"
echo "$out" | grep -q "missing Debian packages: vpnlab-no-such-package" || fail "missing package not named: $out"
echo "$out" | grep -q "needs root" || fail "no hint that root is needed: $out"
echo "ok: $out"
