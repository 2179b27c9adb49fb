/*
 * crypto_testpki.h — generated test PKIs for unit tests and simulated
 * scenarios: a root CA, 0..3 intermediate CAs and end-entity certificates,
 * with keys, all in memory (and optionally written as PEM files).
 *
 *   root ── int 1 ── int 2 ── EE          depth 3: three CA certificates
 *
 * Sizes are controllable, because the scenarios that matter (a hide-NAT
 * dropping IP fragments of IKE_AUTH) need a chain of a given size: each
 * certificate can carry a non-critical padding extension (OID
 * 1.3.6.1.4.1.32473.1.1 — under the IANA documentation enterprise number of
 * RFC 5612 — value an OCTET STRING of filler), or the generator picks the
 * padding so that the certificates an IKE peer sends (EE + intermediates,
 * not the root) add up to a target size.
 *
 * Determinism: everything is drawn from the caller's crypto_rng — keys (see
 * crypto_sig_key_generate), serial numbers (16 octets) — and validity times
 * come from the parameters, so with an RSA PKI the same seed gives byte-
 * identical certificates (PKCS#1 v1.5 signatures are deterministic). ECDSA
 * certificate signatures draw a nonce from OpenSSL's RAND, so an ECDSA PKI
 * is byte-identical only when the crypto layer has made OpenSSL's RAND
 * deterministic; its keys and serials are identical regardless.
 *
 * TEST ONLY: names, lifetimes and key generation are for simulation.
 */
#ifndef VPNLAB_REF_CRYPTO_TESTPKI_H
#define VPNLAB_REF_CRYPTO_TESTPKI_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_diag.h"
#include "ref/crypto/crypto_sig.h"
#include "ref/crypto/crypto_x509.h"

enum {
	CRYPTO_TESTPKI_MAX_DEPTH = 4, /* CA certificates above the end entity */
	CRYPTO_TESTPKI_MAX_SAN = 4,
	CRYPTO_TESTPKI_MAX_PAD = 60000,
};

/* crypto_testpki_san: one subjectAltName; |value| is text ("vpn.example", "192.0.2.1", "2001:db8::1"). */
struct crypto_testpki_san {
	enum crypto_x509_id type; /* FQDN, RFC822_ADDR, IPV4_ADDR or IPV6_ADDR */
	const char *value;
};

/* crypto_testpki_ee describes one end-entity certificate. */
struct crypto_testpki_ee {
	const char *cn;                   /* subject CN; default "vpnlab end entity" */
	struct crypto_testpki_san san[CRYPTO_TESTPKI_MAX_SAN];
	size_t n_san;
	size_t pad;                       /* filler octets in the padding extension (0: none) */
	int64_t not_before, not_after;    /* 0, 0: the PKI's validity */
};

struct crypto_testpki_params {
	enum crypto_sig_key_type key_type; /* every key of the PKI */
	unsigned depth;                    /* 1..4 CA certificates: 1 = the root signs the EE */
	const char *org;                   /* O= of every subject; default "vpnlab test PKI" */
	const char *root_cn;               /* default "vpnlab Root CA"; intermediates are
					      "<root_cn> Intermediate <i>" */
	struct crypto_testpki_ee ee;       /* the first end entity */
	size_t ca_pad;                     /* filler octets in each CA certificate */
	/*
	 * target_chain_len: when non-zero, the padding of the EE and of the
	 * intermediates is chosen (overriding ee.pad and ca_pad for them) so
	 * that crypto_testpki_chain_len() is this many octets — exactly for
	 * RSA, within a few octets for ECDSA (DER signatures vary by 1-2).
	 */
	size_t target_chain_len;
	int64_t not_before, not_after;     /* seconds since the epoch, for every certificate */
};

struct crypto_testpki {
	size_t n;                                           /* depth + 1 */
	struct crypto_x509 *cert[CRYPTO_TESTPKI_MAX_DEPTH + 1]; /* [0] root .. [n-1] EE */
	struct crypto_sig_key *key[CRYPTO_TESTPKI_MAX_DEPTH + 1];
	enum crypto_sig_key_type key_type;
	int64_t not_before, not_after;
};

/* crypto_testpki_make generates the PKI into |pki| (zeroed first); free with crypto_testpki_free. */
int crypto_testpki_make(const struct crypto_testpki_params *p, const struct crypto_rng *rng,
			struct crypto_testpki *pki, struct crypto_diag *d);
void crypto_testpki_free(struct crypto_testpki *pki);

/*
 * crypto_testpki_issue_ee issues another end entity from the PKI's lowest
 * CA (e.g. the gateway's and the client's certificates from one PKI), with
 * a fresh key from |rng|.
 */
int crypto_testpki_issue_ee(const struct crypto_testpki *pki, const struct crypto_testpki_ee *ee,
			    const struct crypto_rng *rng, struct crypto_x509 **cert,
			    struct crypto_sig_key **key, struct crypto_diag *d);

/* crypto_testpki_root / _ee / _intermediates: borrowed pointers into |pki|. */
struct crypto_x509 *crypto_testpki_root(const struct crypto_testpki *pki);
struct crypto_x509 *crypto_testpki_ee_cert(const struct crypto_testpki *pki);
struct crypto_sig_key *crypto_testpki_ee_key(const struct crypto_testpki *pki);
/*
 * crypto_testpki_intermediates: the intermediates from the EE's issuer up
 * (the order IKE peers send them after the EE); count is depth - 1.
 */
size_t crypto_testpki_intermediates(const struct crypto_testpki *pki,
				    struct crypto_x509 **out, size_t cap);

/*
 * crypto_testpki_chain_len: DER octets of EE + intermediates, what the CERT
 * payloads carry. Each CERT payload adds 5 octets of header (§3.6).
 */
size_t crypto_testpki_chain_len(const struct crypto_testpki *pki);

/*
 * crypto_testpki_write_pem writes |dir|/|prefix|-root.pem, -int1.pem ..,
 * -ee.pem, -chain.pem (EE then intermediates) and -ee.key (PKCS#8). For
 * tooling and interop runs; the engine never calls it.
 */
int crypto_testpki_write_pem(const struct crypto_testpki *pki, const char *dir,
			     const char *prefix, struct crypto_diag *d);

#endif
