#!/bin/bash
# bench.sh — `vpnlab bench`: the esp benchmark's JSON lists every algorithm,
# size and operation with sane numbers; --help; unknown names exit 2 with a
# message naming the valid ones. Uses a 2 ms measurement so it runs in
# about a second even under the sanitizers. Needs $VPNLAB.
set -u
: "${VPNLAB:?set VPNLAB to the vpnlab binary}"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

algs="aes128gcm16 aes256gcm16 chacha20poly1305 aes128-sha256 aes256-sha256 3des-sha1"
sizes="64 512 1400 8192"

# 1. the JSON document
"$VPNLAB" bench esp --quick --json --duration-ms 2 --rounds 1 >"$tmp/out.json" 2>"$tmp/err" ||
	fail "bench esp --json exited $? ($(cat "$tmp/err"))"
if command -v python3 >/dev/null; then
	python3 - "$tmp/out.json" "$algs" "$sizes" <<'PY' || fail "JSON check failed"
import json, sys
doc = json.load(open(sys.argv[1]))
algs, sizes = sys.argv[2].split(), [int(s) for s in sys.argv[3].split()]
assert doc["bench"] == "esp", doc.get("bench")
got = {(r["alg"], r["size"], r["op"]): r for r in doc["results"]}
for a in algs:
    for s in sizes:
        for op in ("seal", "open"):
            r = got.get((a, s, op))
            assert r, f"missing {a} {s} {op}"
            for k in ("ours_pps", "raw_pps", "ours_gbps", "raw_gbps", "ratio"):
                assert isinstance(r[k], (int, float)) and r[k] > 0, f"{a} {s} {op}: {k}={r[k]}"
            assert 0.05 < r["ratio"] < 20, f"{a} {s} {op}: ratio {r['ratio']}"
assert len(doc["results"]) == len(algs) * len(sizes) * 2, len(doc["results"])
t = doc["target"]
assert t["alg"] == "aes128gcm16" and t["size"] == 1400 and isinstance(t["met"], bool), t
print("json ok:", len(doc["results"]), "cells")
PY
else
	# no python3: check the structure line by line instead
	grep -q '^{"bench":"esp"' "$tmp/out.json" || fail "not an esp JSON document"
	for a in $algs; do for s in $sizes; do for op in seal open; do
		grep -q "\"alg\":\"$a\",\"size\":$s,\"op\":\"$op\",\"ours_pps\":[1-9]" "$tmp/out.json" ||
			fail "missing or zero: $a $s $op"
	done; done; done
	tail -1 "$tmp/out.json" | grep -q '"met":\(true\|false\)}}$' || fail "no target verdict"
fi

# 2. the table names the target
"$VPNLAB" bench esp --alg aes128gcm16 --size 1400 --duration-ms 2 --rounds 1 >"$tmp/out.txt" ||
	fail "bench esp (table) exited $?"
grep -q '^aes128gcm16 *1400 seal' "$tmp/out.txt" || fail "table lacks the aes128gcm16 1400 seal row"
grep -q '^target: aes128gcm16 seal at 1400 octets' "$tmp/out.txt" || fail "table lacks the target line"

# 3. help
"$VPNLAB" bench --help >"$tmp/help" || fail "bench --help exited $?"
grep -q 'esp' "$tmp/help" || fail "bench --help does not list esp"
"$VPNLAB" bench esp --help >"$tmp/help" || fail "bench esp --help exited $?"
grep -q -- '--quick' "$tmp/help" || fail "bench esp --help does not describe --quick"

# 4. errors: exit 2 and a message naming what is valid
"$VPNLAB" bench nosuch >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "bench nosuch exited $rc, want 2"
grep -q "unknown benchmark 'nosuch'.*esp" "$tmp/err" || fail "bench nosuch message: $(cat "$tmp/err")"
"$VPNLAB" bench >/dev/null 2>&1
[ $? -eq 2 ] || fail "bench without a name should exit 2"
"$VPNLAB" bench esp --duration-ms 0 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--duration-ms 0 should exit 2"
grep -q 'duration-ms' "$tmp/err" || fail "--duration-ms 0 message: $(cat "$tmp/err")"
"$VPNLAB" bench esp --alg nope >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--alg nope should exit 2"
grep -q 'aes128gcm16' "$tmp/err" || fail "--alg nope should list the algorithms"
echo "bench.sh: all checks passed"
