/*
 * crypto_prf.c — the IKEv2 PRFs (HMAC-SHA1, HMAC-SHA2-256/384/512) and
 * prf+ (RFC 7296 §2.13), over OpenSSL's EVP_MAC "HMAC".
 *
 * IKE calls these a handful of times per exchange, so each call fetches and
 * keys its own EVP_MAC_CTX; prf+ keys one context and re-initialises it per
 * output block (EVP_MAC_init with a NULL key keeps the hashed key pads).
 */
#include "ref/crypto/crypto.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

enum { PRF_MAX_LEN = 64, PRF_PLUS_MAX_BLOCKS = 255 };

/* crypto_prf_digest is the OpenSSL digest name of |alg|, NULL if unknown. */
static const char *crypto_prf_digest(enum crypto_prf_alg alg)
{
	switch (alg) {
	case CRYPTO_PRF_HMAC_SHA1:
		return "SHA1";
	case CRYPTO_PRF_HMAC_SHA2_256:
		return "SHA2-256";
	case CRYPTO_PRF_HMAC_SHA2_384:
		return "SHA2-384";
	case CRYPTO_PRF_HMAC_SHA2_512:
		return "SHA2-512";
	}
	return NULL;
}

size_t crypto_prf_len(enum crypto_prf_alg alg)
{
	switch (alg) {
	case CRYPTO_PRF_HMAC_SHA1:
		return 20;
	case CRYPTO_PRF_HMAC_SHA2_256:
		return 32;
	case CRYPTO_PRF_HMAC_SHA2_384:
		return 48;
	case CRYPTO_PRF_HMAC_SHA2_512:
		return 64;
	}
	return 0;
}

/*
 * crypto_prf_keyed returns an HMAC context keyed with |key|. An empty key is
 * passed as a non-NULL pointer: EVP_MAC_init reads a NULL key as "keep the
 * previous key", which a fresh context does not have.
 */
static EVP_MAC_CTX *crypto_prf_keyed(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len)
{
	static const uint8_t empty[1];
	const char *digest = crypto_prf_digest(alg);
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	OSSL_PARAM p[2];

	if (digest == NULL)
		return NULL;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac); /* the context holds its own reference */
	if (ctx == NULL)
		return NULL;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	p[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key_len > 0 ? key : empty, key_len, p) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* crypto_prf_args checks what every PRF entry point needs. */
static int crypto_prf_args(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len)
{
	if (crypto_prf_len(alg) == 0 || (key == NULL && key_len > 0))
		return CRYPTO_EINVAL;
	return CRYPTO_OK;
}

int crypto_prf_iov(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
		   const struct crypto_iov *iov, size_t n, uint8_t *out)
{
	EVP_MAC_CTX *ctx;
	size_t out_len = 0;
	int rc = crypto_prf_args(alg, key, key_len);

	if (rc != CRYPTO_OK || out == NULL || (iov == NULL && n > 0))
		return CRYPTO_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (iov[i].p == NULL && iov[i].len > 0)
			return CRYPTO_EINVAL;
	ctx = crypto_prf_keyed(alg, key, key_len);
	if (ctx == NULL)
		return CRYPTO_EINTERNAL;
	rc = CRYPTO_OK;
	for (size_t i = 0; i < n && rc == CRYPTO_OK; i++)
		if (iov[i].len > 0 && EVP_MAC_update(ctx, iov[i].p, iov[i].len) != 1)
			rc = CRYPTO_EINTERNAL;
	if (rc == CRYPTO_OK && (EVP_MAC_final(ctx, out, &out_len, crypto_prf_len(alg)) != 1 ||
				out_len != crypto_prf_len(alg)))
		rc = CRYPTO_EINTERNAL;
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int crypto_prf(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
	       const uint8_t *data, size_t data_len, uint8_t *out)
{
	struct crypto_iov iov = {data, data_len};

	return crypto_prf_iov(alg, key, key_len, &iov, 1, out);
}

/*
 * crypto_prf_plus: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n). The
 * one-octet counter is why the output stops at 255 blocks (RFC 7296 §2.13:
 * "not defined beyond 255 times the size of the prf output").
 */
int crypto_prf_plus(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
		    const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
	size_t hlen = crypto_prf_len(alg), done = 0, t_len = 0;
	uint8_t t[PRF_MAX_LEN];
	EVP_MAC_CTX *ctx;
	int rc = crypto_prf_args(alg, key, key_len);

	if (rc != CRYPTO_OK || (seed == NULL && seed_len > 0) || (out == NULL && out_len > 0))
		return CRYPTO_EINVAL;
	if (out_len > PRF_PLUS_MAX_BLOCKS * hlen)
		return CRYPTO_EINVAL;
	if (out_len == 0)
		return CRYPTO_OK;
	ctx = crypto_prf_keyed(alg, key, key_len);
	if (ctx == NULL)
		return CRYPTO_EINTERNAL;
	for (unsigned int n = 1; done < out_len; n++) {
		uint8_t counter = (uint8_t)n;
		size_t got = 0, take;

		if ((n > 1 && EVP_MAC_init(ctx, NULL, 0, NULL) != 1) ||
		    (t_len > 0 && EVP_MAC_update(ctx, t, t_len) != 1) ||
		    (seed_len > 0 && EVP_MAC_update(ctx, seed, seed_len) != 1) ||
		    EVP_MAC_update(ctx, &counter, 1) != 1 ||
		    EVP_MAC_final(ctx, t, &got, sizeof t) != 1 || got != hlen) {
			rc = CRYPTO_EINTERNAL;
			break;
		}
		t_len = hlen;
		take = out_len - done < hlen ? out_len - done : hlen;
		memcpy(out + done, t, take);
		done += take;
	}
	OPENSSL_cleanse(t, sizeof t);
	EVP_MAC_CTX_free(ctx);
	if (rc != CRYPTO_OK)
		OPENSSL_cleanse(out, out_len);
	return rc;
}
