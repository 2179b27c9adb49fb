/* crypto_hash.c — plain message digests over OpenSSL EVP (see crypto.h). */
#include "ref/crypto/crypto.h"

#include <stdlib.h>

#include <openssl/evp.h>

static const EVP_MD *hash_md(enum crypto_hash_alg alg)
{
	switch (alg) {
	case CRYPTO_HASH_MD5: return EVP_md5();
	case CRYPTO_HASH_SHA1: return EVP_sha1();
	case CRYPTO_HASH_SHA2_256: return EVP_sha256();
	case CRYPTO_HASH_SHA2_384: return EVP_sha384();
	case CRYPTO_HASH_SHA2_512: return EVP_sha512();
	}
	return NULL;
}

size_t crypto_hash_len(enum crypto_hash_alg alg)
{
	const EVP_MD *md = hash_md(alg);

	return md ? (size_t)EVP_MD_get_size(md) : 0;
}

/* crypto_hash_run digests the pieces with |md| on |c| (which it re-initialises). */
static int crypto_hash_run(EVP_MD_CTX *c, const EVP_MD *md, const struct crypto_iov *iov,
			   size_t n, uint8_t *out)
{
	unsigned len = 0;
	int ok = EVP_DigestInit_ex(c, md, NULL) == 1;

	for (size_t i = 0; ok && i < n; i++)
		ok = iov[i].len == 0 || EVP_DigestUpdate(c, iov[i].p, iov[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(c, out, &len) == 1 && len == (unsigned)EVP_MD_get_size(md);
	return ok ? CRYPTO_OK : CRYPTO_EINTERNAL;
}

int crypto_hash(enum crypto_hash_alg alg, const struct crypto_iov *iov, size_t n, uint8_t *out)
{
	const EVP_MD *md = hash_md(alg);
	EVP_MD_CTX *c;
	int rc;

	if (md == NULL || out == NULL || (n > 0 && iov == NULL))
		return CRYPTO_EINVAL;
	c = EVP_MD_CTX_new();
	if (c == NULL)
		return CRYPTO_ENOMEM;
	rc = crypto_hash_run(c, md, iov, n, out);
	EVP_MD_CTX_free(c);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Reusable context                                                        */

/*
 * crypto_hash_ctx holds an explicitly fetched EVP_MD: EVP_DigestInit_ex with
 * a fetched method skips the per-init lookup that the EVP_sha1()-style
 * methods trigger on OpenSSL 3.0 (measured 0.19 us against 0.53 us for a
 * 40-octet SHA-1 on a reused EVP_MD_CTX).
 */
struct crypto_hash_ctx {
	enum crypto_hash_alg alg;
	EVP_MD *md;
	EVP_MD_CTX *c;
};

struct crypto_hash_ctx *crypto_hash_ctx_new(enum crypto_hash_alg alg, int *err)
{
	const EVP_MD *legacy = hash_md(alg);
	struct crypto_hash_ctx *h = NULL;
	int rc = CRYPTO_EINVAL;

	if (legacy == NULL)
		goto fail;
	rc = CRYPTO_ENOMEM;
	h = calloc(1, sizeof *h);
	if (h == NULL)
		goto fail;
	h->alg = alg;
	h->c = EVP_MD_CTX_new();
	if (h->c == NULL)
		goto fail;
	rc = CRYPTO_EINTERNAL;
	h->md = EVP_MD_fetch(NULL, EVP_MD_get0_name(legacy), NULL);
	if (h->md == NULL)
		goto fail;
	if (err != NULL)
		*err = CRYPTO_OK;
	return h;
fail:
	crypto_hash_ctx_free(h);
	if (err != NULL)
		*err = rc;
	return NULL;
}

void crypto_hash_ctx_free(struct crypto_hash_ctx *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->c);
	EVP_MD_free(h->md);
	free(h);
}

enum crypto_hash_alg crypto_hash_ctx_alg(const struct crypto_hash_ctx *h)
{
	return h != NULL ? h->alg : 0;
}

int crypto_hash_ctx_compute(struct crypto_hash_ctx *h, const struct crypto_iov *iov, size_t n,
			    uint8_t *out)
{
	if (h == NULL || out == NULL || (n > 0 && iov == NULL))
		return CRYPTO_EINVAL;
	return crypto_hash_run(h->c, h->md, iov, n, out);
}
