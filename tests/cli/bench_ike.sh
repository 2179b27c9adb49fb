#!/bin/bash
# bench_ike.sh — `vpnlab bench ike`: the JSON document has all three suites
# with positive handshake rates, a bound, a ratio and the crypto operations
# the bound counts; the table names every suite and the target; `vpnlab
# bench` lists esp and ike; bad options exit 2 naming what is valid. Uses
# a 1 ms measurement so it runs in seconds even under the sanitizers (the
# test PKIs, RSA-2048 included, are generated once per run). Needs $VPNLAB.
set -u
: "${VPNLAB:?set VPNLAB to the vpnlab binary}"
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

suites="psk-x25519 ecdsa-p256-x25519 rsa2048-modp2048"

# 1. the JSON document
"$VPNLAB" bench ike --quick --json --duration-ms 1 --rounds 1 >"$tmp/out.json" 2>"$tmp/err" ||
	fail "bench ike --json exited $? ($(cat "$tmp/err"))"
if command -v python3 >/dev/null; then
	python3 - "$tmp/out.json" "$suites" <<'PY' || fail "JSON check failed"
import json, sys
doc = json.load(open(sys.argv[1]))
suites = sys.argv[2].split()
assert doc["bench"] == "ike", doc.get("bench")
assert doc["rng"] == "crypto_drbg", doc.get("rng")
got = {r["suite"]: r for r in doc["results"]}
assert sorted(got) == sorted(suites), sorted(got)
want_ops = {
    "psk-x25519": {"dh_keygen", "dh_shared"},
    "ecdsa-p256-x25519": {"dh_keygen", "dh_shared", "sign", "verify", "chain_verify"},
    "rsa2048-modp2048": {"dh_keygen", "dh_shared", "sign", "verify", "chain_verify"},
}
for s in suites:
    r = got[s]
    for k in ("ours_hs_per_s", "bound_hs_per_s", "ratio", "handshakes", "batch", "datagrams_per_handshake"):
        assert isinstance(r[k], (int, float)) and r[k] > 0, f"{s}: {k}={r[k]}"
    assert 0.01 < r["ratio"] < 10, f"{s}: ratio {r['ratio']}"
    assert r["met"] == (r["ratio"] >= doc["target"]["min_ratio"]), f"{s}: met {r['met']}"
    assert set(r["ops"]) == want_ops[s], f"{s}: ops {sorted(r['ops'])}"
    for name, op in r["ops"].items():
        assert op["per_handshake"] == 2 and op["ops_per_s"] > 0, f"{s}: {name} {op}"
    # the bound is 1 / the sum of the counted operations' times (medians: within a factor)
    t = sum(op["per_handshake"] / op["ops_per_s"] for op in r["ops"].values())
    assert 0.3 < r["bound_hs_per_s"] * t < 3, f"{s}: bound {r['bound_hs_per_s']} vs ops sum {1 / t}"
# certificates make IKE_AUTH fragmented (RFC 7383 default on): more datagrams than PSK's 4
assert got["psk-x25519"]["datagrams_per_handshake"] == 4, got["psk-x25519"]["datagrams_per_handshake"]
assert got["rsa2048-modp2048"]["datagrams_per_handshake"] > 4
t = doc["target"]
assert t["min_ratio"] == 0.8 and t["met"] == all(r["met"] for r in doc["results"]), t
print("json ok:", len(doc["results"]), "suites")
PY
else
	grep -q '^{"bench":"ike"' "$tmp/out.json" || fail "not an ike JSON document"
	for s in $suites; do
		grep -q "\"suite\":\"$s\".*\"ours_hs_per_s\":[1-9]" "$tmp/out.json" || fail "missing or zero: $s"
	done
	tail -1 "$tmp/out.json" | grep -q '"met":\(true\|false\)}}$' || fail "no target verdict"
fi

# 2. the table: one suite with --alg
"$VPNLAB" bench ike --alg psk-x25519 --duration-ms 1 --rounds 1 >"$tmp/out.txt" 2>"$tmp/err" ||
	fail "bench ike (table) exited $? ($(cat "$tmp/err"))"
grep -q '^psk-x25519 .*\(met\|NOT met\)$' "$tmp/out.txt" || fail "table lacks the psk-x25519 row"
grep -q '^target: ours/bound >= 0.80' "$tmp/out.txt" || fail "table lacks the target line"
grep -q 'ecdsa' "$tmp/out.txt" && fail "--alg psk-x25519 still ran another suite"

# 3. help: bench lists both benchmarks, with --help and without a name
"$VPNLAB" bench --help >"$tmp/help" || fail "bench --help exited $?"
grep -q '^ *esp ' "$tmp/help" && grep -q '^ *ike ' "$tmp/help" || fail "bench --help does not list esp and ike"
"$VPNLAB" bench >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "bench without a name should exit 2"
grep -q '^ *esp ' "$tmp/err" && grep -q '^ *ike ' "$tmp/err" || fail "bench without a name does not list both"
"$VPNLAB" bench ike --help >"$tmp/help" || fail "bench ike --help exited $?"
grep -q -- '--quick' "$tmp/help" && grep -q 'rsa2048-modp2048' "$tmp/help" ||
	fail "bench ike --help does not describe --quick and the suites"

# 4. errors: exit 2 and a message naming what is valid
"$VPNLAB" bench ike --bogus >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "bench ike --bogus exited $rc, want 2"
grep -q "unknown option '--bogus'" "$tmp/err" || fail "--bogus message: $(cat "$tmp/err")"
"$VPNLAB" bench ike --alg nope >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--alg nope should exit 2"
grep -q 'psk-x25519' "$tmp/err" || fail "--alg nope should list the suites: $(cat "$tmp/err")"
"$VPNLAB" bench ike --size 64 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--size should exit 2 for bench ike"
"$VPNLAB" bench ike --rounds 0 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || fail "--rounds 0 should exit 2"
echo "bench_ike.sh: all checks passed"
