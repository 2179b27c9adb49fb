/*
 * crypto.h — the one small internal API over OpenSSL 3 that all of ref/
 * uses (ESP datapath, IKEv2 SK payloads, key exchange, PRFs, randomness).
 *
 * No primitive is written here by hand: every operation is an OpenSSL EVP
 * call. Contexts are created once per SA (crypto_aead_new) and reused for
 * every packet; creating a context per packet costs 1.5-2.5x on a 2-core
 * bookworm machine.
 *
 * Nothing here keeps a global or reads a clock. Randomness always comes
 * through a struct crypto_rng supplied by the caller, so a simulation seeded
 * with N produces the same keys, SPIs, nonces and IVs every time.
 *
 * Errors are negative enum crypto_err values; crypto_strerror() names them.
 */
#ifndef VPNLAB_REF_CRYPTO_H
#define VPNLAB_REF_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

enum crypto_err {
	CRYPTO_OK = 0,
	CRYPTO_EINVAL = -1,    /* bad argument: key/IV/buffer length, unknown algorithm */
	CRYPTO_EAUTH = -2,     /* ICV / tag mismatch (constant-time compared) */
	CRYPTO_EPEER = -3,     /* peer's public value fails validation (RFC 6989) */
	CRYPTO_ERAND = -4,     /* the random source failed */
	CRYPTO_EINTERNAL = -5, /* OpenSSL reported an error */
	CRYPTO_ENOMEM = -6,
};

/* crypto_strerror returns a static, human-readable string for |err|. */
const char *crypto_strerror(int err);

/* ---------------------------------------------------------------------- */
/* Randomness                                                              */

/*
 * crypto_rng is the randomness callback: |fill| writes |len| random octets
 * to |out| and returns 0, or returns CRYPTO_ERAND.
 */
struct crypto_rng {
	int (*fill)(void *ctx, uint8_t *out, size_t len);
	void *ctx;
};

/* crypto_rng_fill calls |rng|->fill; a NULL |rng| or callback is CRYPTO_EINVAL. */
int crypto_rng_fill(const struct crypto_rng *rng, uint8_t *out, size_t len);

/* crypto_rng_system returns a source backed by OpenSSL's RAND_bytes (real network). */
struct crypto_rng crypto_rng_system(void);

/*
 * crypto_drbg is a seeded deterministic generator for simulation and tests:
 * the AES-256-CTR keystream under key SHA-256(label || seed). Same seed and
 * label, same octets. Not for real keys.
 */
struct crypto_drbg;
struct crypto_drbg *crypto_drbg_new(uint64_t seed, const char *label);
void crypto_drbg_free(struct crypto_drbg *d);
/* crypto_drbg_rng returns a crypto_rng that draws from |d|. */
struct crypto_rng crypto_drbg_rng(struct crypto_drbg *d);

/*
 * crypto_openssl_rand_deterministic replaces OpenSSL's internal RAND (ECDSA
 * nonces, RSA-PSS salts, blinding, EVP_PKEY_keygen) with the crypto_drbg
 * keystream for (|seed|, CRYPTO_DETRAND_LABEL), so signatures made inside
 * OpenSSL repeat byte for byte. PROCESS-GLOBAL: for the simulator process
 * only (one simulation per process), never for a real gateway or client.
 * Calling it again restarts the stream with the new seed.
 * crypto_openssl_rand_system puts OpenSSL's own RAND back.
 */
#define CRYPTO_DETRAND_LABEL "vpnlab openssl rand"
int crypto_openssl_rand_deterministic(uint64_t seed);
void crypto_openssl_rand_system(void);

/* ---------------------------------------------------------------------- */
/* Encryption + integrity ("AEAD" in the ESP/IKE sense)                    */

/*
 * crypto_aead_alg lists the transforms. Key material layout is the one
 * RFC 7296 §2.17 / RFC 4303 key derivation produces, as one octet string:
 *
 *   AES_GCM_16 (RFC 4106/5282):  key(16|32) || salt(4)       iv 8, icv 16
 *   CHACHA20_POLY1305 (RFC 7634): key(32) || salt(4)          iv 8, icv 16
 *   AES_CBC + HMAC_SHA2_256_128 (RFC 3602, RFC 4868):
 *                                enc key(16|32), integ key 32  iv 16, icv 16
 *   3DES_CBC + HMAC_SHA1_96 (RFC 2451, RFC 2404):
 *                                enc key 24, integ key 20      iv 8, icv 12
 *
 * Separate-integrity modes are encrypt-then-MAC:
 *   ciphertext = CBC(iv, plaintext)
 *   icv = HMAC(aad || iv || ciphertext || trailer)[0:icv_len]
 * AEAD modes: nonce = salt || iv, AAD = aad, trailer must be empty.
 * |trailer| exists for ESP extended sequence numbers with non-AEAD
 * integrity (RFC 4303 §2.2.1: the high 32 bits are appended for the ICV).
 */
enum crypto_aead_alg {
	CRYPTO_AES_GCM_16,
	CRYPTO_CHACHA20_POLY1305,
	CRYPTO_AES_CBC_HMAC_SHA256_128,
	CRYPTO_3DES_CBC_HMAC_SHA1_96,
};

struct crypto_aead_info {
	const char *name;    /* "aes128gcm16", "chacha20poly1305", ... */
	size_t iv_len;       /* explicit IV carried in each packet */
	size_t icv_len;
	size_t block_len;    /* payload must be a multiple (1 for stream/AEAD) */
	size_t pad_align;    /* ESP padding alignment: max(block_len, 4) */
	size_t salt_len;     /* 4 for AEAD, 0 otherwise */
	int aead;            /* 1 if combined mode */
};

/*
 * crypto_aead_lookup fills |info| for |alg| with |enc_key_len| (the cipher
 * key without salt: 16/32 for AES, 32 for ChaCha, 24 for 3DES).
 */
int crypto_aead_lookup(enum crypto_aead_alg alg, size_t enc_key_len,
		       struct crypto_aead_info *info);

struct crypto_aead;

/*
 * crypto_aead_new creates a context for one direction of one SA.
 * |enc_key| includes the salt for AEAD modes; |integ_key| is NULL/0 for
 * AEAD modes. Keys are copied; the caller may wipe its copy.
 */
struct crypto_aead *crypto_aead_new(enum crypto_aead_alg alg,
				    const uint8_t *enc_key, size_t enc_key_len,
				    const uint8_t *integ_key, size_t integ_key_len,
				    int *err);
void crypto_aead_free(struct crypto_aead *a);
const struct crypto_aead_info *crypto_aead_get_info(const struct crypto_aead *a);

/*
 * crypto_aead_seal encrypts |buf| (|len| octets) in place and writes the ICV
 * to |icv|. |len| must be a multiple of info.block_len.
 */
int crypto_aead_seal(struct crypto_aead *a, const uint8_t *aad, size_t aad_len,
		     const uint8_t *iv, uint8_t *buf, size_t len,
		     const uint8_t *trailer, size_t trailer_len, uint8_t *icv);

/*
 * crypto_aead_open checks |icv| (constant time) and decrypts |buf| in
 * place. Returns CRYPTO_EAUTH on mismatch, leaving |buf| unspecified.
 */
int crypto_aead_open(struct crypto_aead *a, const uint8_t *aad, size_t aad_len,
		     const uint8_t *iv, uint8_t *buf, size_t len,
		     const uint8_t *trailer, size_t trailer_len, const uint8_t *icv);

/* ---------------------------------------------------------------------- */
/* PRF (values are the IKEv2 transform type 2 IDs, RFC 7296 §3.3.2)        */

enum crypto_prf_alg {
	CRYPTO_PRF_HMAC_SHA1 = 2,
	CRYPTO_PRF_HMAC_SHA2_256 = 5,
	CRYPTO_PRF_HMAC_SHA2_384 = 6,
	CRYPTO_PRF_HMAC_SHA2_512 = 7,
};

/* crypto_prf_len returns the output length of |alg|, 0 if unknown. */
size_t crypto_prf_len(enum crypto_prf_alg alg);

/* crypto_prf computes prf(|key|, |data|) into |out| (crypto_prf_len octets). */
int crypto_prf(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
	       const uint8_t *data, size_t data_len, uint8_t *out);

/* crypto_iov is one piece of an input that is the concatenation of several. */
struct crypto_iov {
	const uint8_t *p;
	size_t len;
};

/*
 * crypto_prf_iov computes prf(|key|, iov[0] | iov[1] | ... | iov[n-1]) into
 * |out| without the caller building the concatenation (AUTH payloads sign
 * message | nonce | prf(SK_p, ID'), RFC 7296 §2.15).
 */
int crypto_prf_iov(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
		   const struct crypto_iov *iov, size_t n, uint8_t *out);

/*
 * crypto_prf_plus computes prf+ (RFC 7296 §2.13):
 *   T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n); out = T1 | T2 | ...
 * |out_len| may be at most 255 * crypto_prf_len(alg).
 */
int crypto_prf_plus(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
		    const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len);

/*
 * crypto_prf_ctx is a reusable PRF for a caller that computes many (one per
 * IKE SA: SKEYSEED, prf+, the AUTH octets): the HMAC is fetched and its
 * digest set once, and each computation only re-keys it. Same results as
 * crypto_prf_iov / crypto_prf_plus, about 1 us less per call on OpenSSL 3.0.
 * The state of the last key stays inside until the next call or
 * crypto_prf_ctx_free (which wipes it). One thread at a time.
 */
struct crypto_prf_ctx;

/* crypto_prf_ctx_new: NULL with CRYPTO_EINVAL in |*err| for an unknown |alg|. */
struct crypto_prf_ctx *crypto_prf_ctx_new(enum crypto_prf_alg alg, int *err);
void crypto_prf_ctx_free(struct crypto_prf_ctx *p);
enum crypto_prf_alg crypto_prf_ctx_alg(const struct crypto_prf_ctx *p);

/* crypto_prf_ctx_compute is crypto_prf_iov with |p|'s algorithm. */
int crypto_prf_ctx_compute(struct crypto_prf_ctx *p, const uint8_t *key, size_t key_len,
			   const struct crypto_iov *iov, size_t n, uint8_t *out);

/* crypto_prf_ctx_plus is crypto_prf_plus with |p|'s algorithm. */
int crypto_prf_ctx_plus(struct crypto_prf_ctx *p, const uint8_t *key, size_t key_len,
			const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len);

/* ---------------------------------------------------------------------- */
/* Plain hashes (NAT detection: RFC 7296 §2.23 SHA-1; IKEv1 NAT-D, RFC 3947 §3, */
/* uses the negotiated phase-1 hash, MD5 included)                          */

enum crypto_hash_alg {
	CRYPTO_HASH_MD5,
	CRYPTO_HASH_SHA1,
	CRYPTO_HASH_SHA2_256,
	CRYPTO_HASH_SHA2_384,
	CRYPTO_HASH_SHA2_512,
};

/* crypto_hash_len returns the digest length of |alg|, 0 if unknown. */
size_t crypto_hash_len(enum crypto_hash_alg alg);

/* crypto_hash computes hash(iov[0] | ... | iov[n-1]) into |out| (crypto_hash_len octets). */
int crypto_hash(enum crypto_hash_alg alg, const struct crypto_iov *iov, size_t n, uint8_t *out);

/* ---------------------------------------------------------------------- */
/* Key exchange (values are IKEv2 transform type 4 IDs)                    */

enum crypto_dh_group {
	CRYPTO_DH_MODP2048 = 14,
	CRYPTO_DH_ECP256 = 19,
	CRYPTO_DH_CURVE25519 = 31,
};

/* crypto_dh_pub_len: KE data length for |group| (256, 64, 32); 0 if unknown. */
size_t crypto_dh_pub_len(enum crypto_dh_group group);
/* crypto_dh_shared_len: shared secret length (256, 32, 32); 0 if unknown. */
size_t crypto_dh_shared_len(enum crypto_dh_group group);

struct crypto_dh;

/* crypto_dh_new draws a private key from |rng| (deterministic with a DRBG). */
struct crypto_dh *crypto_dh_new(enum crypto_dh_group group,
				const struct crypto_rng *rng, int *err);
void crypto_dh_free(struct crypto_dh *dh);

/* crypto_dh_public writes our KE data (crypto_dh_pub_len octets, RFC 7296 §3.4 encoding). */
int crypto_dh_public(const struct crypto_dh *dh, uint8_t *out, size_t out_len);

/*
 * crypto_dh_shared validates |peer| (length; MODP: 1 < y < p-1 as RFC 6989
 * §2.1 asks, and y a quadratic residue as OpenSSL's DH checked before;
 * point on curve for ECP; non-zero result for Curve25519) and writes the
 * shared secret. Returns CRYPTO_EPEER for an invalid value.
 */
int crypto_dh_shared(const struct crypto_dh *dh, const uint8_t *peer, size_t peer_len,
		     uint8_t *out, size_t out_len);

/* crypto_memeq compares in constant time; returns 1 if equal. */
int crypto_memeq(const void *a, const void *b, size_t len);

#endif
