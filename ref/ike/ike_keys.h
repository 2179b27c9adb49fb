/*
 * ike_keys.h — IKEv2 key derivation (RFC 7296 §2.13, §2.14, §2.17, §2.18).
 *
 *   SKEYSEED = prf(Ni | Nr, g^ir)                                   §2.14
 *   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *            = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 *   KEYMAT   = prf+(SK_d, [g^ir (new) |] Ni | Nr)                    §2.17
 *              = ei | ai | er | ar   (initiator->responder first; enc before integ)
 *   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)                 §2.18
 *              with the OLD IKE SA's prf; the new SA's prf for prf+
 *
 * Lengths come from the negotiated transforms: SK_d/SK_pi/SK_pr are the
 * PRF output length (HMAC PRFs take any key length, so the §2.14 fixed-key
 * rule for AES-XCBC/CMAC does not arise); SK_ai/SK_ar the integrity key
 * length (none with AEAD); SK_ei/SK_er the cipher key plus, for AEAD, the
 * 4-octet salt (RFC 5282 §7.1, RFC 7634 §2.2).
 *
 * A struct ike_keys owns the derived octets and the two SK payload
 * protection contexts; ike_keys_free wipes it (OPENSSL_cleanse). Nonces and
 * SPIs are "stripped of any headers" (payload data only).
 */
#ifndef VPNLAB_REF_IKE_KEYS_H
#define VPNLAB_REF_IKE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_diag.h"

/*
 * ike_suite: the IKE SA transforms as negotiated, as IKEv2 transform IDs
 * (RFC 7296 §3.3.2; IKE_ENCR_*, IKE_PRF_*, IKE_INTEG_*, IKE_KE_* in
 * ref/ike/ike_const.h).
 */
struct ike_suite {
	uint16_t encr;          /* transform type 1 */
	uint16_t encr_key_bits; /* Key Length attribute (128, 256); 0 when the cipher has none */
	uint16_t prf;           /* transform type 2 */
	uint16_t integ;         /* transform type 3; IKE_INTEG_NONE (0) with AEAD ciphers */
	uint16_t dh;            /* transform type 4 */
};

enum {
	IKE_KEYS_PRF_MAX = 64,   /* HMAC-SHA2-512 */
	IKE_KEYS_INTEG_MAX = 32, /* HMAC-SHA2-256-128 key */
	IKE_KEYS_ENC_MAX = 36,   /* AES-256 / ChaCha20 key + 4-octet salt */
	IKE_KEYS_SPI_LEN = 8,
};

/* ike_suite_info: what a suite maps to in ref/crypto/crypto.h, with every key length. */
struct ike_suite_info {
	enum crypto_aead_alg aead;
	enum crypto_prf_alg prf;
	enum crypto_dh_group dh;
	struct crypto_aead_info aead_info; /* iv/icv/block lengths of SK payloads */
	size_t prf_len;        /* SK_d, SK_pi, SK_pr */
	size_t integ_key_len;  /* SK_ai, SK_ar; 0 for AEAD */
	size_t cipher_key_len; /* without salt */
	size_t enc_key_len;    /* SK_ei, SK_er: cipher key + salt */
};

/*
 * ike_keys_suite_resolve maps |s| to crypto.h algorithms. Supported: ENCR_AES_GCM_16
 * (128/256), ENCR_CHACHA20_POLY1305, ENCR_AES_CBC (128/256) with
 * AUTH_HMAC_SHA2_256_128, ENCR_3DES with AUTH_HMAC_SHA1_96; PRF_HMAC_SHA1 and
 * SHA2-256/384/512; groups 14, 19, 31. Anything else is CRYPTO_EINVAL with
 * the transform named in |d|.
 */
int ike_keys_suite_resolve(const struct ike_suite *s, struct ike_suite_info *info, struct crypto_diag *d);

/*
 * ike_keys_child_lengths: key lengths of one CHILD_SA's protocol (ESP) from the
 * crypto.h transform, for ike_keys_child. |cipher_key_len| is 16/32 for
 * AES, 32 for ChaCha20, 24 for 3DES.
 */
int ike_keys_child_lengths(enum crypto_aead_alg alg, size_t cipher_key_len, size_t *enc_len,
		      size_t *integ_len);

struct ike_keys {
	struct ike_suite suite;
	struct ike_suite_info info;
	uint8_t spi_i[IKE_KEYS_SPI_LEN], spi_r[IKE_KEYS_SPI_LEN];
	uint8_t sk_d[IKE_KEYS_PRF_MAX];
	uint8_t sk_ai[IKE_KEYS_INTEG_MAX], sk_ar[IKE_KEYS_INTEG_MAX];
	uint8_t sk_ei[IKE_KEYS_ENC_MAX], sk_er[IKE_KEYS_ENC_MAX];
	uint8_t sk_pi[IKE_KEYS_PRF_MAX], sk_pr[IKE_KEYS_PRF_MAX];
	/* SK payload protection: i2r uses SK_ei/SK_ai, r2i SK_er/SK_ar. */
	struct crypto_aead *i2r, *r2i;
	/*
	 * iv_next: the next explicit IV of an AEAD SK payload per direction
	 * ([0] i2r, [1] r2i); see ref/ike/ike_sk.h for why a counter.
	 */
	uint64_t iv_next[2];
	/*
	 * prf_ctx: this SA's PRF, fetched once for prf+, the AUTH octets and
	 * CHILD_SA KEYMAT (ike_keys_* create and free it). NULL — a struct filled
	 * by hand, as conformance/conf_keys.c does — means the one-shot crypto_prf calls.
	 */
	struct crypto_prf_ctx *prf_ctx;
};

/* ike_keys_skeyseed: SKEYSEED = prf(Ni | Nr, g^ir) into |out| (crypto_prf_len octets). */
int ike_keys_skeyseed(enum crypto_prf_alg prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		      size_t nr_len, const uint8_t *gir, size_t gir_len, uint8_t *out);

/* ike_keys_rekey_skeyseed: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), old SA's |prf|. */
int ike_keys_rekey_skeyseed(enum crypto_prf_alg prf, const uint8_t *sk_d, size_t sk_d_len,
			    const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
			    const uint8_t *nr, size_t nr_len, uint8_t *out);

/*
 * ike_keys_from_skeyseed runs prf+(SKEYSEED, Ni | Nr | SPIi | SPIr), splits
 * the seven keys and creates the SK contexts. Nonces are 1..256 octets.
 * Returns NULL with the reason in |d|.
 */
struct ike_keys *ike_keys_from_skeyseed(const struct ike_suite *s, const uint8_t *skeyseed,
					size_t skeyseed_len, const uint8_t *ni, size_t ni_len,
					const uint8_t *nr, size_t nr_len,
					const uint8_t spi_i[IKE_KEYS_SPI_LEN],
					const uint8_t spi_r[IKE_KEYS_SPI_LEN], struct crypto_diag *d);

/* ike_keys_new_sa_init: the IKE SA keys after IKE_SA_INIT (§2.14). */
struct ike_keys *ike_keys_new_sa_init(const struct ike_suite *s, const uint8_t *ni, size_t ni_len,
				      const uint8_t *nr, size_t nr_len,
				      const uint8_t spi_i[IKE_KEYS_SPI_LEN],
				      const uint8_t spi_r[IKE_KEYS_SPI_LEN], const uint8_t *gir,
				      size_t gir_len, struct crypto_diag *d);

/*
 * ike_keys_new_rekey: the keys of the IKE SA that replaces |old| (§2.18).
 * |ni|, |nr|, |gir| are from the CREATE_CHILD_SA exchange, the SPIs the
 * new SA's; "initiator" is whoever initiated the rekey exchange.
 */
struct ike_keys *ike_keys_new_rekey(const struct ike_keys *old, const struct ike_suite *s,
				    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
				    const uint8_t spi_i[IKE_KEYS_SPI_LEN],
				    const uint8_t spi_r[IKE_KEYS_SPI_LEN], const uint8_t *gir,
				    size_t gir_len, struct crypto_diag *d);

/* ike_keys_free wipes and frees |k| (NULL is fine). */
void ike_keys_free(struct ike_keys *k);

/* ike_keys_sk_p returns SK_pi (|initiator| 1) or SK_pr, prf_len octets. */
const uint8_t *ike_keys_sk_p(const struct ike_keys *k, int initiator);

/*
 * ike_keys_prf computes prf(|key|, iov[0] | ... | iov[n-1]) with |k|'s PRF
 * (through k->prf_ctx when set) into |out| (k->info.prf_len octets).
 */
int ike_keys_prf(const struct ike_keys *k, const uint8_t *key, size_t key_len,
		 const struct crypto_iov *iov, size_t n, uint8_t *out);

/* ike_child_keys: KEYMAT split for one ESP SA pair (§2.17). */
struct ike_child_keys {
	size_t enc_len, integ_len;
	uint8_t ei[IKE_KEYS_ENC_MAX], ai[IKE_KEYS_INTEG_MAX]; /* initiator -> responder */
	uint8_t er[IKE_KEYS_ENC_MAX], ar[IKE_KEYS_INTEG_MAX]; /* responder -> initiator */
};

/*
 * ike_keys_child derives the keys of a CHILD_SA negotiated under |k| with
 * ESP transform |alg| / |cipher_key_len|. |gir| is the new shared secret of
 * a CREATE_CHILD_SA with KE (PFS), or NULL/0. |ni|/|nr| are the nonces of
 * the exchange creating the CHILD_SA (IKE_SA_INIT's for the first one).
 */
int ike_keys_child(const struct ike_keys *k, enum crypto_aead_alg alg, size_t cipher_key_len,
		   const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
		   const uint8_t *nr, size_t nr_len, struct ike_child_keys *out, struct crypto_diag *d);

/* ike_keys_child_wipe clears |c| (OPENSSL_cleanse). */
void ike_keys_child_wipe(struct ike_child_keys *c);

#endif
