/* crypto_hash.c — plain message digests over OpenSSL EVP (see crypto.h). */
#include "ref/crypto/crypto.h"

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

int crypto_hash(enum crypto_hash_alg alg, const struct crypto_iov *iov, size_t n, uint8_t *out)
{
	const EVP_MD *md = hash_md(alg);
	EVP_MD_CTX *c;
	unsigned len = 0;
	int ok;

	if (md == NULL || out == NULL || (n > 0 && iov == NULL))
		return CRYPTO_EINVAL;
	c = EVP_MD_CTX_new();
	if (c == NULL)
		return CRYPTO_ENOMEM;
	ok = EVP_DigestInit_ex(c, md, NULL) == 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = iov[i].len == 0 || EVP_DigestUpdate(c, iov[i].p, iov[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(c, out, &len) == 1 && len == (unsigned)EVP_MD_get_size(md);
	EVP_MD_CTX_free(c);
	return ok ? CRYPTO_OK : CRYPTO_EINTERNAL;
}
