/*
 * crypto_sig.h — private/public keys and the signature schemes IKEv2 peer
 * authentication uses (RFC 7296 §3.8, RFC 4754, RFC 7427), over OpenSSL 3
 * EVP. The IKE-specific framing (AUTH payload, RFC 7427 AlgorithmIdentifier
 * prefix) lives in ref/ike/ike_auth.h; this layer only signs and verifies
 * octet strings.
 *
 * Keys: RSA (any size OpenSSL accepts; tests use 2048) and ECDSA on P-256.
 * They load from PEM or DER, from memory or a file (configuration time:
 * the engine itself never opens a file), or are generated from a caller's
 * crypto_rng so a seeded simulation gets the same keys every run.
 *
 * Randomness inside OpenSSL: ECDSA nonces and RSA-PSS salts are drawn by
 * OpenSSL from its own RAND (OpenSSL 3.0 has no RFC 6979 mode). Byte-
 * identical simulation output with those schemes therefore needs OpenSSL's
 * RAND made deterministic by the crypto layer; nothing here prevents that
 * (no private RAND, no EVP_RAND fetch). RSA PKCS#1 v1.5 is deterministic.
 *
 * Errors are negative enum crypto_err values (ref/crypto/crypto.h):
 * CRYPTO_EINVAL for a bad argument or a key/scheme mismatch, CRYPTO_EAUTH
 * for a signature that does not verify, CRYPTO_ERAND, CRYPTO_EINTERNAL.
 * Each also fills the optional struct crypto_diag with the reason.
 */
#ifndef VPNLAB_REF_CRYPTO_SIG_H
#define VPNLAB_REF_CRYPTO_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_diag.h"

enum crypto_sig_key_type {
	CRYPTO_SIG_KEY_RSA = 1,
	CRYPTO_SIG_KEY_EC_P256 = 2,
};

/*
 * crypto_sig_scheme: what is signed how. The three ECDSA/RSA-SHA-256 ones
 * are the RFC 7427 ones; the SHA-1 and raw-ECDSA ones are auth methods 1 and
 * 9 of RFC 7296 §3.8.
 */
enum crypto_sig_scheme {
	CRYPTO_SIG_RSA_PKCS1_SHA1,        /* RSASSA-PKCS1-v1_5, SHA-1: auth method 1 */
	CRYPTO_SIG_RSA_PKCS1_SHA256,      /* RSASSA-PKCS1-v1_5, SHA-256 */
	CRYPTO_SIG_RSA_PSS_SHA256,        /* RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 */
	CRYPTO_SIG_ECDSA_P256_SHA256_RAW, /* r || s, 32 + 32 octets: auth method 9, RFC 4754 §7 */
	CRYPTO_SIG_ECDSA_P256_SHA256_DER, /* ECDSA-Sig-Value DER (RFC 3279): RFC 7427 */
};

/* crypto_sig_scheme_name: "rsa-pkcs1-sha1", ..., "?" when unknown. */
const char *crypto_sig_scheme_name(enum crypto_sig_scheme scheme);

struct crypto_sig_key;

/*
 * crypto_sig_key_parse_private reads a private key: PEM ("PRIVATE KEY",
 * "RSA PRIVATE KEY", "EC PRIVATE KEY") or DER (PKCS#8 or traditional).
 * Unencrypted only. Returns NULL with a reason in |d|.
 */
struct crypto_sig_key *crypto_sig_key_parse_private(const uint8_t *data, size_t len,
						    struct crypto_diag *d);

/* crypto_sig_key_parse_public reads a SubjectPublicKeyInfo (PEM "PUBLIC KEY" or DER). */
struct crypto_sig_key *crypto_sig_key_parse_public(const uint8_t *data, size_t len,
						   struct crypto_diag *d);

/*
 * crypto_sig_key_load_file reads |path| (at most 1 MiB) and parses it as a
 * private key when |private_key| is 1, else as a public key.
 */
struct crypto_sig_key *crypto_sig_key_load_file(const char *path, int private_key,
						struct crypto_diag *d);

/*
 * crypto_sig_key_generate makes a key pair whose every octet comes from
 * |rng|: the same rng stream gives the same key.
 *   EC P-256: the private scalar is 32 octets from |rng| (redrawn while it
 *     is 0 or >= the group order); the public point is computed by OpenSSL.
 *   RSA-2048: each prime is the first prime at or after a 1024-bit odd
 *     number drawn from |rng| with its two top bits set (so n has exactly
 *     2048 bits), e = 65537, |p - q| >= 2^924 (FIPS 186-4 B.3.3 (5.4));
 *     primality is OpenSSL's BN_check_prime. OpenSSL's own RSA keygen
 *     cannot be seeded, hence this. Fine for simulation and tests; keys for
 *     a real gateway should come from `openssl genpkey`.
 */
struct crypto_sig_key *crypto_sig_key_generate(enum crypto_sig_key_type type,
					       const struct crypto_rng *rng,
					       struct crypto_diag *d);

/* crypto_sig_key_public_copy returns a new key holding only the public half of |k|. */
struct crypto_sig_key *crypto_sig_key_public_copy(const struct crypto_sig_key *k,
						  struct crypto_diag *d);

/* crypto_sig_key_free releases |k| (OpenSSL wipes private key material). */
void crypto_sig_key_free(struct crypto_sig_key *k);

/* crypto_sig_key_type returns the type, or 0 for a key of another kind (e.g. EC P-384). */
enum crypto_sig_key_type crypto_sig_key_type(const struct crypto_sig_key *k);
int crypto_sig_key_bits(const struct crypto_sig_key *k);
int crypto_sig_key_has_private(const struct crypto_sig_key *k);

/*
 * crypto_sig_key_to_pem writes |k| as PEM (PKCS#8 "PRIVATE KEY" when
 * |private_key|, else "PUBLIC KEY") into a malloc'd NUL-terminated string.
 */
int crypto_sig_key_to_pem(const struct crypto_sig_key *k, int private_key, char **pem,
			  size_t *pem_len);

/* crypto_sig_key_spki_der writes the DER SubjectPublicKeyInfo into a malloc'd buffer. */
int crypto_sig_key_spki_der(const struct crypto_sig_key *k, uint8_t **der, size_t *der_len);

/* crypto_sig_key_equal returns 1 if both keys have the same public half. */
int crypto_sig_key_equal(const struct crypto_sig_key *a, const struct crypto_sig_key *b);

/*
 * crypto_sig_max_len is the longest signature |k| makes with |scheme|
 * (256 for RSA-2048, 64 for raw ECDSA, 72 for DER ECDSA); 0 if the scheme
 * does not fit the key.
 */
size_t crypto_sig_max_len(const struct crypto_sig_key *k, enum crypto_sig_scheme scheme);

/*
 * crypto_sig_sign signs |msg| with the private key |k|. |sig| has room for
 * |*sig_len| octets (crypto_sig_max_len is enough); on success |*sig_len|
 * is the signature length.
 */
int crypto_sig_sign(const struct crypto_sig_key *k, enum crypto_sig_scheme scheme,
		    const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t *sig_len,
		    struct crypto_diag *d);

/*
 * crypto_sig_verify returns CRYPTO_OK for a good signature, CRYPTO_EAUTH
 * for a bad one (including a malformed encoding), CRYPTO_EINVAL when
 * |scheme| does not fit |k| (an RSA scheme with an EC key).
 */
int crypto_sig_verify(const struct crypto_sig_key *k, enum crypto_sig_scheme scheme,
		      const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len,
		      struct crypto_diag *d);

/*
 * For ref/crypto only (crypto_x509, crypto_testpki): the OpenSSL key inside.
 * struct evp_pkey_st is OpenSSL's EVP_PKEY. crypto_sig_key_wrap takes
 * ownership of |pkey|; crypto_sig_key_evp returns a borrowed pointer.
 */
struct evp_pkey_st;
struct crypto_sig_key *crypto_sig_key_wrap(struct evp_pkey_st *pkey);
struct evp_pkey_st *crypto_sig_key_evp(const struct crypto_sig_key *k);

#endif
