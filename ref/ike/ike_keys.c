/*
 * ike_keys.c — IKEv2 key derivation (ike_keys.h) over crypto_prf and
 * crypto_prf_plus. Every intermediate buffer holding key material
 * (SKEYSEED, the prf+ output, concatenated seeds with g^ir) is wiped before
 * it is released.
 */
#include "ref/ike/ike_keys.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ref/ike/ike_const.h"

enum {
	KEYS_NONCE_MAX = 256,   /* §3.9 */
	KEYS_GIR_MAX = 1024,    /* MODP-8192; crypto.h's largest is 256 */
	KEYS_DKM_MAX = 3 * IKE_KEYS_PRF_MAX + 2 * IKE_KEYS_INTEG_MAX + 2 * IKE_KEYS_ENC_MAX,
	KEYS_SALT_LEN = 4,
};

/* keys_integ_key_len: integrity key length of a crypto.h transform (RFC 4868 §2.1.1, RFC 2404). */
static size_t keys_integ_key_len(enum crypto_aead_alg alg)
{
	switch (alg) {
	case CRYPTO_AES_CBC_HMAC_SHA256_128:
		return 32;
	case CRYPTO_3DES_CBC_HMAC_SHA1_96:
		return 20;
	default:
		return 0;
	}
}

int ike_keys_child_lengths(enum crypto_aead_alg alg, size_t cipher_key_len, size_t *enc_len,
			   size_t *integ_len)
{
	struct crypto_aead_info info;

	if (enc_len == NULL || integ_len == NULL ||
	    crypto_aead_lookup(alg, cipher_key_len, &info) != CRYPTO_OK)
		return CRYPTO_EINVAL;
	*enc_len = cipher_key_len + info.salt_len;
	*integ_len = info.aead ? 0 : keys_integ_key_len(alg);
	return CRYPTO_OK;
}

int ike_keys_suite_resolve(const struct ike_suite *s, struct ike_suite_info *info,
			   struct crypto_diag *d)
{
	struct ike_suite_info i;
	uint16_t want_integ = IKE_INTEG_NONE;
	size_t key = s->encr_key_bits / 8;

	memset(&i, 0, sizeof i);
	switch (s->encr) {
	case IKE_ENCR_AES_GCM_16:
		i.aead = CRYPTO_AES_GCM_16;
		break;
	case IKE_ENCR_CHACHA20_POLY1305:
		/* RFC 7634 §3: no Key Length attribute; 256 tolerated */
		i.aead = CRYPTO_CHACHA20_POLY1305;
		if (s->encr_key_bits == 0)
			key = 32;
		break;
	case IKE_ENCR_AES_CBC:
		i.aead = CRYPTO_AES_CBC_HMAC_SHA256_128;
		want_integ = IKE_INTEG_HMAC_SHA2_256_128;
		break;
	case IKE_ENCR_3DES:
		i.aead = CRYPTO_3DES_CBC_HMAC_SHA1_96;
		want_integ = IKE_INTEG_HMAC_SHA1_96;
		if (s->encr_key_bits == 0)
			key = 24;
		break;
	default:
		crypto_diag_set(d, "IKE suite: encryption %s (%u) is not supported "
				   "(ENCR_AES_GCM_16, ENCR_CHACHA20_POLY1305, ENCR_AES_CBC, ENCR_3DES are)",
				ike_transform_name(IKE_TT_ENCR, s->encr), s->encr);
		return CRYPTO_EINVAL;
	}
	if (crypto_aead_lookup(i.aead, key, &i.aead_info) != CRYPTO_OK) {
		crypto_diag_set(d, "IKE suite: %s with Key Length %u bits is not supported",
				ike_transform_name(IKE_TT_ENCR, s->encr), s->encr_key_bits);
		return CRYPTO_EINVAL;
	}
	if (s->integ != want_integ) {
		crypto_diag_set(d, "IKE suite: %s needs integrity %s (%u), got %s (%u)",
				ike_transform_name(IKE_TT_ENCR, s->encr),
				ike_transform_name(IKE_TT_INTEG, want_integ), want_integ,
				ike_transform_name(IKE_TT_INTEG, s->integ), s->integ);
		return CRYPTO_EINVAL;
	}
	i.prf = (enum crypto_prf_alg)s->prf;
	i.prf_len = crypto_prf_len(i.prf);
	if (i.prf_len == 0) {
		crypto_diag_set(d, "IKE suite: PRF %s (%u) is not supported "
				   "(PRF_HMAC_SHA1, PRF_HMAC_SHA2_256/384/512 are)",
				ike_transform_name(IKE_TT_PRF, s->prf), s->prf);
		return CRYPTO_EINVAL;
	}
	i.dh = (enum crypto_dh_group)s->dh;
	if (crypto_dh_pub_len(i.dh) == 0) {
		crypto_diag_set(d, "IKE suite: key exchange %s (%u) is not supported "
				   "(MODP_2048, ECP_256, CURVE_25519 are)",
				ike_transform_name(IKE_TT_KE, s->dh), s->dh);
		return CRYPTO_EINVAL;
	}
	i.cipher_key_len = key;
	i.enc_key_len = key + i.aead_info.salt_len;
	i.integ_key_len = keys_integ_key_len(i.aead);
	*info = i;
	return CRYPTO_OK;
}

static int keys_check_nonces(size_t ni_len, size_t nr_len, struct crypto_diag *d)
{
	if (ni_len == 0 || ni_len > KEYS_NONCE_MAX || nr_len == 0 || nr_len > KEYS_NONCE_MAX) {
		crypto_diag_set(d, "key derivation: nonces of %zu and %zu octets, expected 1..%d",
				ni_len, nr_len, KEYS_NONCE_MAX);
		return 0;
	}
	return 1;
}

int ike_keys_prf(const struct ike_keys *k, const uint8_t *key, size_t key_len,
		 const struct crypto_iov *iov, size_t n, uint8_t *out)
{
	if (k == NULL)
		return CRYPTO_EINVAL;
	if (k->prf_ctx != NULL)
		return crypto_prf_ctx_compute(k->prf_ctx, key, key_len, iov, n, out);
	return crypto_prf_iov(k->info.prf, key, key_len, iov, n, out);
}

/* keys_prf_plus is prf+ with |k|'s PRF, through its context when it has one. */
static int keys_prf_plus(const struct ike_keys *k, const uint8_t *key, size_t key_len,
			 const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
	if (k->prf_ctx != NULL)
		return crypto_prf_ctx_plus(k->prf_ctx, key, key_len, seed, seed_len, out, out_len);
	return crypto_prf_plus(k->info.prf, key, key_len, seed, seed_len, out, out_len);
}

int ike_keys_skeyseed(enum crypto_prf_alg prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		      size_t nr_len, const uint8_t *gir, size_t gir_len, uint8_t *out)
{
	uint8_t key[2 * KEYS_NONCE_MAX];
	int rc;

	if (ni == NULL || nr == NULL || gir == NULL || out == NULL ||
	    !keys_check_nonces(ni_len, nr_len, NULL) || gir_len == 0 || gir_len > KEYS_GIR_MAX)
		return CRYPTO_EINVAL;
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	rc = crypto_prf(prf, key, ni_len + nr_len, gir, gir_len, out);
	OPENSSL_cleanse(key, sizeof key);
	return rc;
}

int ike_keys_rekey_skeyseed(enum crypto_prf_alg prf, const uint8_t *sk_d, size_t sk_d_len,
			    const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
			    const uint8_t *nr, size_t nr_len, uint8_t *out)
{
	uint8_t *data;
	size_t len = gir_len + ni_len + nr_len;
	int rc;

	if (sk_d == NULL || gir == NULL || ni == NULL || nr == NULL || out == NULL ||
	    !keys_check_nonces(ni_len, nr_len, NULL) || gir_len == 0 || gir_len > KEYS_GIR_MAX)
		return CRYPTO_EINVAL;
	data = malloc(len);
	if (data == NULL)
		return CRYPTO_ENOMEM;
	memcpy(data, gir, gir_len);
	memcpy(data + gir_len, ni, ni_len);
	memcpy(data + gir_len + ni_len, nr, nr_len);
	rc = crypto_prf(prf, sk_d, sk_d_len, data, len, out);
	OPENSSL_cleanse(data, len);
	free(data);
	return rc;
}

void ike_keys_free(struct ike_keys *k)
{
	if (k == NULL)
		return;
	crypto_aead_free(k->i2r);
	crypto_aead_free(k->r2i);
	crypto_prf_ctx_free(k->prf_ctx);
	OPENSSL_cleanse(k, sizeof *k);
	free(k);
}

const uint8_t *ike_keys_sk_p(const struct ike_keys *k, int initiator)
{
	if (k == NULL)
		return NULL;
	return initiator ? k->sk_pi : k->sk_pr;
}

/*
 * keys_from_skeyseed is ike_keys_from_skeyseed adopting |ctx| (a context of
 * the suite's PRF, or NULL to make one): ike_keys_new_sa_init already has
 * one from SKEYSEED. |ctx| is freed on failure.
 */
static struct ike_keys *keys_from_skeyseed(const struct ike_suite *s, const uint8_t *skeyseed,
					   size_t skeyseed_len, const uint8_t *ni, size_t ni_len,
					   const uint8_t *nr, size_t nr_len,
					   const uint8_t spi_i[IKE_KEYS_SPI_LEN],
					   const uint8_t spi_r[IKE_KEYS_SPI_LEN],
					   struct crypto_prf_ctx *ctx, struct crypto_diag *d);

struct ike_keys *ike_keys_from_skeyseed(const struct ike_suite *s, const uint8_t *skeyseed,
					size_t skeyseed_len, const uint8_t *ni, size_t ni_len,
					const uint8_t *nr, size_t nr_len,
					const uint8_t spi_i[IKE_KEYS_SPI_LEN],
					const uint8_t spi_r[IKE_KEYS_SPI_LEN], struct crypto_diag *d)
{
	return keys_from_skeyseed(s, skeyseed, skeyseed_len, ni, ni_len, nr, nr_len, spi_i, spi_r,
				  NULL, d);
}

static struct ike_keys *keys_from_skeyseed(const struct ike_suite *s, const uint8_t *skeyseed,
					   size_t skeyseed_len, const uint8_t *ni, size_t ni_len,
					   const uint8_t *nr, size_t nr_len,
					   const uint8_t spi_i[IKE_KEYS_SPI_LEN],
					   const uint8_t spi_r[IKE_KEYS_SPI_LEN],
					   struct crypto_prf_ctx *ctx, struct crypto_diag *d)
{
	uint8_t seed[2 * KEYS_NONCE_MAX + 2 * IKE_KEYS_SPI_LEN], dkm[KEYS_DKM_MAX], *p = dkm;
	struct ike_keys *k;
	size_t seed_len, total;
	int err = CRYPTO_OK;

	if (s == NULL || skeyseed == NULL || ni == NULL || nr == NULL || spi_i == NULL ||
	    spi_r == NULL) {
		crypto_diag_set(d, "key derivation: missing SKEYSEED, nonce or SPI");
		crypto_prf_ctx_free(ctx);
		return NULL;
	}
	if (!keys_check_nonces(ni_len, nr_len, d)) {
		crypto_prf_ctx_free(ctx);
		return NULL;
	}
	k = calloc(1, sizeof *k);
	if (k == NULL) {
		crypto_diag_set(d, "key derivation: out of memory");
		crypto_prf_ctx_free(ctx);
		return NULL;
	}
	k->prf_ctx = ctx;
	k->suite = *s;
	if (ike_keys_suite_resolve(s, &k->info, d) != CRYPTO_OK)
		goto fail;
	memcpy(k->spi_i, spi_i, IKE_KEYS_SPI_LEN);
	memcpy(k->spi_r, spi_r, IKE_KEYS_SPI_LEN);
	memcpy(seed, ni, ni_len);
	memcpy(seed + ni_len, nr, nr_len);
	memcpy(seed + ni_len + nr_len, spi_i, IKE_KEYS_SPI_LEN);
	memcpy(seed + ni_len + nr_len + IKE_KEYS_SPI_LEN, spi_r, IKE_KEYS_SPI_LEN);
	seed_len = ni_len + nr_len + 2 * IKE_KEYS_SPI_LEN;
	total = 3 * k->info.prf_len + 2 * k->info.integ_key_len + 2 * k->info.enc_key_len;
	/* keys_prf_plus falls back to the one-shot prf+ when the context cannot be made */
	if (k->prf_ctx != NULL && crypto_prf_ctx_alg(k->prf_ctx) != k->info.prf) {
		crypto_prf_ctx_free(k->prf_ctx);
		k->prf_ctx = NULL;
	}
	if (k->prf_ctx == NULL)
		k->prf_ctx = crypto_prf_ctx_new(k->info.prf, &err);
	err = CRYPTO_OK;
	if (keys_prf_plus(k, skeyseed, skeyseed_len, seed, seed_len, dkm, total) != CRYPTO_OK) {
		crypto_diag_set(d, "key derivation: prf+ of %zu octets failed", total);
		goto fail;
	}
	/* §2.14 order: SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr */
	memcpy(k->sk_d, p, k->info.prf_len), p += k->info.prf_len;
	memcpy(k->sk_ai, p, k->info.integ_key_len), p += k->info.integ_key_len;
	memcpy(k->sk_ar, p, k->info.integ_key_len), p += k->info.integ_key_len;
	memcpy(k->sk_ei, p, k->info.enc_key_len), p += k->info.enc_key_len;
	memcpy(k->sk_er, p, k->info.enc_key_len), p += k->info.enc_key_len;
	memcpy(k->sk_pi, p, k->info.prf_len), p += k->info.prf_len;
	memcpy(k->sk_pr, p, k->info.prf_len);
	OPENSSL_cleanse(dkm, sizeof dkm);
	k->i2r = crypto_aead_new(k->info.aead, k->sk_ei, k->info.enc_key_len,
				 k->info.integ_key_len ? k->sk_ai : NULL, k->info.integ_key_len, &err);
	if (k->i2r != NULL)
		k->r2i = crypto_aead_new(k->info.aead, k->sk_er, k->info.enc_key_len,
					 k->info.integ_key_len ? k->sk_ar : NULL,
					 k->info.integ_key_len, &err);
	if (k->i2r == NULL || k->r2i == NULL) {
		crypto_diag_set(d, "key derivation: SK contexts for %s: %s", k->info.aead_info.name,
				crypto_strerror(err));
		goto fail;
	}
	OPENSSL_cleanse(seed, sizeof seed);
	return k;
fail:
	OPENSSL_cleanse(seed, sizeof seed);
	OPENSSL_cleanse(dkm, sizeof dkm);
	ike_keys_free(k);
	return NULL;
}

struct ike_keys *ike_keys_new_sa_init(const struct ike_suite *s, const uint8_t *ni, size_t ni_len,
				      const uint8_t *nr, size_t nr_len,
				      const uint8_t spi_i[IKE_KEYS_SPI_LEN],
				      const uint8_t spi_r[IKE_KEYS_SPI_LEN], const uint8_t *gir,
				      size_t gir_len, struct crypto_diag *d)
{
	uint8_t skeyseed[IKE_KEYS_PRF_MAX], key[2 * KEYS_NONCE_MAX];
	struct ike_suite_info info;
	struct crypto_prf_ctx *ctx;
	struct ike_keys *k;
	int rc = CRYPTO_EINVAL;

	if (s == NULL || ike_keys_suite_resolve(s, &info, d) != CRYPTO_OK)
		return NULL;
	if (!keys_check_nonces(ni_len, nr_len, d))
		return NULL;
	/* SKEYSEED = prf(Ni | Nr, g^ir) (§2.14) through the context the new SA keeps */
	ctx = crypto_prf_ctx_new(info.prf, &rc);
	if (ctx == NULL) {
		rc = ike_keys_skeyseed(info.prf, ni, ni_len, nr, nr_len, gir, gir_len, skeyseed);
	} else if (ni != NULL && nr != NULL && gir != NULL && gir_len > 0 && gir_len <= KEYS_GIR_MAX) {
		struct crypto_iov iov = { gir, gir_len };

		memcpy(key, ni, ni_len);
		memcpy(key + ni_len, nr, nr_len);
		rc = crypto_prf_ctx_compute(ctx, key, ni_len + nr_len, &iov, 1, skeyseed);
		OPENSSL_cleanse(key, sizeof key);
	} else {
		rc = CRYPTO_EINVAL;
	}
	if (rc != CRYPTO_OK) {
		crypto_diag_set(d, "key derivation: SKEYSEED failed (g^ir %zu octets, expected 1..%d)",
				gir_len, KEYS_GIR_MAX);
		crypto_prf_ctx_free(ctx);
		return NULL;
	}
	k = keys_from_skeyseed(s, skeyseed, info.prf_len, ni, ni_len, nr, nr_len, spi_i, spi_r, ctx,
			       d);
	OPENSSL_cleanse(skeyseed, sizeof skeyseed);
	return k;
}

struct ike_keys *ike_keys_new_rekey(const struct ike_keys *old, const struct ike_suite *s,
				    const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
				    const uint8_t spi_i[IKE_KEYS_SPI_LEN],
				    const uint8_t spi_r[IKE_KEYS_SPI_LEN], const uint8_t *gir,
				    size_t gir_len, struct crypto_diag *d)
{
	uint8_t skeyseed[IKE_KEYS_PRF_MAX];
	struct ike_keys *k;

	if (old == NULL || !keys_check_nonces(ni_len, nr_len, d))
		return NULL;
	/* §2.18: the rekey exchange belongs to the old SA, so its prf makes SKEYSEED. */
	if (ike_keys_rekey_skeyseed(old->info.prf, old->sk_d, old->info.prf_len, gir, gir_len, ni,
				    ni_len, nr, nr_len, skeyseed) != CRYPTO_OK) {
		crypto_diag_set(d, "IKE rekey: SKEYSEED failed (g^ir %zu octets, expected 1..%d)",
				gir_len, KEYS_GIR_MAX);
		return NULL;
	}
	k = ike_keys_from_skeyseed(s, skeyseed, old->info.prf_len, ni, ni_len, nr, nr_len, spi_i,
				   spi_r, d);
	OPENSSL_cleanse(skeyseed, sizeof skeyseed);
	return k;
}

int ike_keys_child(const struct ike_keys *k, enum crypto_aead_alg alg, size_t cipher_key_len,
		   const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
		   const uint8_t *nr, size_t nr_len, struct ike_child_keys *out, struct crypto_diag *d)
{
	uint8_t keymat[2 * IKE_KEYS_ENC_MAX + 2 * IKE_KEYS_INTEG_MAX], *seed;
	size_t enc_len, integ_len, seed_len, total;
	int rc;

	if (k == NULL || out == NULL || ni == NULL || nr == NULL || (gir == NULL && gir_len > 0) ||
	    gir_len > KEYS_GIR_MAX) {
		crypto_diag_set(d, "CHILD_SA keys: missing keys, nonces or out");
		return CRYPTO_EINVAL;
	}
	if (!keys_check_nonces(ni_len, nr_len, d))
		return CRYPTO_EINVAL;
	if (ike_keys_child_lengths(alg, cipher_key_len, &enc_len, &integ_len) != CRYPTO_OK) {
		crypto_diag_set(d, "CHILD_SA keys: transform %d with a %zu-octet key is not supported",
				(int)alg, cipher_key_len);
		return CRYPTO_EINVAL;
	}
	seed_len = gir_len + ni_len + nr_len;
	seed = malloc(seed_len);
	if (seed == NULL)
		return CRYPTO_ENOMEM;
	if (gir_len > 0)
		memcpy(seed, gir, gir_len);
	memcpy(seed + gir_len, ni, ni_len);
	memcpy(seed + gir_len + ni_len, nr, nr_len);
	total = 2 * (enc_len + integ_len);
	rc = keys_prf_plus(k, k->sk_d, k->info.prf_len, seed, seed_len, keymat, total);
	OPENSSL_cleanse(seed, seed_len);
	free(seed);
	if (rc != CRYPTO_OK) {
		crypto_diag_set(d, "CHILD_SA keys: prf+ of %zu octets failed", total);
		return rc;
	}
	/* §2.17: initiator->responder first, encryption before integrity. */
	memset(out, 0, sizeof *out);
	out->enc_len = enc_len;
	out->integ_len = integ_len;
	memcpy(out->ei, keymat, enc_len);
	memcpy(out->ai, keymat + enc_len, integ_len);
	memcpy(out->er, keymat + enc_len + integ_len, enc_len);
	memcpy(out->ar, keymat + 2 * enc_len + integ_len, integ_len);
	OPENSSL_cleanse(keymat, sizeof keymat);
	return CRYPTO_OK;
}

void ike_keys_child_wipe(struct ike_child_keys *c)
{
	if (c != NULL)
		OPENSSL_cleanse(c, sizeof *c);
}
