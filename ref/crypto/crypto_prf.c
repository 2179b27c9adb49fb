/*
 * crypto_prf.c — the IKEv2 PRFs (HMAC-SHA1, HMAC-SHA2-256/384/512) and
 * prf+ (RFC 7296 §2.13), over OpenSSL's EVP_MAC "HMAC".
 *
 * The one-shot functions create, key and free an EVP_MAC_CTX per call;
 * prf+ keys one context and re-initialises it per output block. A
 * crypto_prf_ctx keeps the context (digest set once) and only re-keys it:
 * on OpenSSL 3.0 creating a context and setting its digest is ~1.2 us of a
 * ~3 us 300-octet HMAC-SHA-256, while the HMAC fetch itself is cached by
 * OpenSSL (~0.3 us), so a fetch-free one-shot would gain little.
 */
#include "ref/crypto/crypto.h"

#include <stdlib.h>
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

/* crypto_prf_iov_args checks the input pieces. */
static int crypto_prf_iov_args(const struct crypto_iov *iov, size_t n, const uint8_t *out)
{
	if (out == NULL || (iov == NULL && n > 0))
		return CRYPTO_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (iov[i].p == NULL && iov[i].len > 0)
			return CRYPTO_EINVAL;
	return CRYPTO_OK;
}

/* crypto_prf_run feeds the pieces to the keyed |ctx| and writes the |hlen|-octet output. */
static int crypto_prf_run(EVP_MAC_CTX *ctx, size_t hlen, const struct crypto_iov *iov, size_t n,
			  uint8_t *out)
{
	size_t out_len = 0;

	for (size_t i = 0; i < n; i++)
		if (iov[i].len > 0 && EVP_MAC_update(ctx, iov[i].p, iov[i].len) != 1)
			return CRYPTO_EINTERNAL;
	if (EVP_MAC_final(ctx, out, &out_len, hlen) != 1 || out_len != hlen)
		return CRYPTO_EINTERNAL;
	return CRYPTO_OK;
}

/*
 * crypto_prf_plus_run: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n) on
 * the keyed |ctx|, re-initialised per block (EVP_MAC_init with a NULL key
 * keeps the hashed key pads). The one-octet counter is why the output stops
 * at 255 blocks (RFC 7296 §2.13: "not defined beyond 255 times the size of
 * the prf output").
 */
static int crypto_prf_plus_run(EVP_MAC_CTX *ctx, size_t hlen, const uint8_t *seed, size_t seed_len,
			       uint8_t *out, size_t out_len)
{
	size_t done = 0, t_len = 0;
	uint8_t t[PRF_MAX_LEN];
	int rc = CRYPTO_OK;

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
	if (rc != CRYPTO_OK)
		OPENSSL_cleanse(out, out_len);
	return rc;
}

/* crypto_prf_plus_args checks prf+ arguments (at most 255 output blocks). */
static int crypto_prf_plus_args(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
				const uint8_t *seed, size_t seed_len, const uint8_t *out,
				size_t out_len)
{
	int rc = crypto_prf_args(alg, key, key_len);

	if (rc != CRYPTO_OK || (seed == NULL && seed_len > 0) || (out == NULL && out_len > 0))
		return CRYPTO_EINVAL;
	if (out_len > PRF_PLUS_MAX_BLOCKS * crypto_prf_len(alg))
		return CRYPTO_EINVAL;
	return CRYPTO_OK;
}

int crypto_prf_iov(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
		   const struct crypto_iov *iov, size_t n, uint8_t *out)
{
	EVP_MAC_CTX *ctx;
	int rc = crypto_prf_args(alg, key, key_len);

	if (rc != CRYPTO_OK || crypto_prf_iov_args(iov, n, out) != CRYPTO_OK)
		return CRYPTO_EINVAL;
	ctx = crypto_prf_keyed(alg, key, key_len);
	if (ctx == NULL)
		return CRYPTO_EINTERNAL;
	rc = crypto_prf_run(ctx, crypto_prf_len(alg), iov, n, out);
	EVP_MAC_CTX_free(ctx);
	return rc;
}

int crypto_prf(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
	       const uint8_t *data, size_t data_len, uint8_t *out)
{
	struct crypto_iov iov = {data, data_len};

	return crypto_prf_iov(alg, key, key_len, &iov, 1, out);
}

int crypto_prf_plus(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
		    const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
	EVP_MAC_CTX *ctx;
	int rc;

	if (crypto_prf_plus_args(alg, key, key_len, seed, seed_len, out, out_len) != CRYPTO_OK)
		return CRYPTO_EINVAL;
	if (out_len == 0)
		return CRYPTO_OK;
	ctx = crypto_prf_keyed(alg, key, key_len);
	if (ctx == NULL)
		return CRYPTO_EINTERNAL;
	rc = crypto_prf_plus_run(ctx, crypto_prf_len(alg), seed, seed_len, out, out_len);
	EVP_MAC_CTX_free(ctx);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Reusable context                                                        */

/*
 * crypto_prf_ctx holds an HMAC context whose digest is set once; each call
 * only re-keys it (EVP_MAC_init with the new key and no params).
 */
struct crypto_prf_ctx {
	enum crypto_prf_alg alg;
	size_t hlen;
	EVP_MAC_CTX *mac;
};

struct crypto_prf_ctx *crypto_prf_ctx_new(enum crypto_prf_alg alg, int *err)
{
	const char *digest = crypto_prf_digest(alg);
	struct crypto_prf_ctx *p = NULL;
	EVP_MAC *mac = NULL;
	OSSL_PARAM par[2];
	int rc = CRYPTO_EINVAL;

	if (digest == NULL)
		goto fail;
	rc = CRYPTO_ENOMEM;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		goto fail;
	p->alg = alg;
	p->hlen = crypto_prf_len(alg);
	rc = CRYPTO_EINTERNAL;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	p->mac = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac); /* the context holds its own reference */
	par[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	par[1] = OSSL_PARAM_construct_end();
	if (p->mac == NULL || EVP_MAC_CTX_set_params(p->mac, par) != 1)
		goto fail;
	if (err != NULL)
		*err = CRYPTO_OK;
	return p;
fail:
	crypto_prf_ctx_free(p);
	if (err != NULL)
		*err = rc;
	return NULL;
}

void crypto_prf_ctx_free(struct crypto_prf_ctx *p)
{
	if (p == NULL)
		return;
	EVP_MAC_CTX_free(p->mac); /* OpenSSL cleanses the HMAC key state */
	free(p);
}

enum crypto_prf_alg crypto_prf_ctx_alg(const struct crypto_prf_ctx *p)
{
	return p != NULL ? p->alg : 0;
}

/* crypto_prf_ctx_key re-keys |p|; an empty key as non-NULL (NULL means "keep the last key"). */
static int crypto_prf_ctx_key(struct crypto_prf_ctx *p, const uint8_t *key, size_t key_len)
{
	static const uint8_t empty[1];

	return EVP_MAC_init(p->mac, key_len > 0 ? key : empty, key_len, NULL) == 1 ? CRYPTO_OK
										    : CRYPTO_EINTERNAL;
}

int crypto_prf_ctx_compute(struct crypto_prf_ctx *p, const uint8_t *key, size_t key_len,
			   const struct crypto_iov *iov, size_t n, uint8_t *out)
{
	int rc;

	if (p == NULL || (key == NULL && key_len > 0) || crypto_prf_iov_args(iov, n, out) != CRYPTO_OK)
		return CRYPTO_EINVAL;
	rc = crypto_prf_ctx_key(p, key, key_len);
	if (rc == CRYPTO_OK)
		rc = crypto_prf_run(p->mac, p->hlen, iov, n, out);
	return rc;
}

int crypto_prf_ctx_plus(struct crypto_prf_ctx *p, const uint8_t *key, size_t key_len,
			const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
	int rc;

	if (p == NULL ||
	    crypto_prf_plus_args(p->alg, key, key_len, seed, seed_len, out, out_len) != CRYPTO_OK)
		return CRYPTO_EINVAL;
	if (out_len == 0)
		return CRYPTO_OK;
	rc = crypto_prf_ctx_key(p, key, key_len);
	if (rc == CRYPTO_OK)
		rc = crypto_prf_plus_run(p->mac, p->hlen, seed, seed_len, out, out_len);
	return rc;
}
