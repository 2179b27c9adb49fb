/*
 * crypto_drbg.c — the seeded deterministic generator used by the simulator
 * and tests: the AES-256-CTR keystream (IV 0) under the key
 * SHA-256(label || seed as 8 big-endian octets).
 *
 * The EVP context lives as long as the generator, and OpenSSL's CTR mode
 * keeps the partial-block position, so successive fills continue one
 * keystream: fill(a) then fill(b) equals fill(a + b).
 */
#include "ref/crypto/crypto.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

struct crypto_drbg {
	EVP_CIPHER_CTX *ctx;
};

struct crypto_drbg *crypto_drbg_new(uint64_t seed, const char *label)
{
	uint8_t key[32], be[8], iv[16] = {0};
	struct crypto_drbg *d = NULL;
	EVP_CIPHER *aes = NULL;
	struct crypto_iov in[2];
	int ok = 0;

	if (label == NULL)
		label = "";
	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)(seed >> (56 - 8 * i));
	/* key = SHA-256(label | seed), through crypto_hash (no per-call digest lookup) */
	in[0] = (struct crypto_iov){(const uint8_t *)label, strlen(label)};
	in[1] = (struct crypto_iov){be, sizeof be};
	if (crypto_hash(CRYPTO_HASH_SHA2_256, in, 2, key) != CRYPTO_OK)
		goto out;
	d = calloc(1, sizeof *d);
	aes = EVP_CIPHER_fetch(NULL, "AES-256-CTR", NULL);
	if (d == NULL || aes == NULL)
		goto out;
	d->ctx = EVP_CIPHER_CTX_new();
	if (d->ctx == NULL || EVP_EncryptInit_ex(d->ctx, aes, NULL, key, iv) != 1)
		goto out;
	ok = 1;
out:
	OPENSSL_cleanse(key, sizeof key);
	EVP_CIPHER_free(aes);
	if (!ok) {
		crypto_drbg_free(d);
		return NULL;
	}
	return d;
}

void crypto_drbg_free(struct crypto_drbg *d)
{
	if (d == NULL)
		return;
	EVP_CIPHER_CTX_free(d->ctx);
	free(d);
}

/* crypto_drbg_fill encrypts zeros in place: the output is the bare keystream. */
static int crypto_drbg_fill(void *ctx, uint8_t *out, size_t len)
{
	struct crypto_drbg *d = ctx;

	if (d == NULL)
		return CRYPTO_ERAND;
	while (len > 0) {
		int n = len > INT_MAX / 2 ? INT_MAX / 2 : (int)len, outl = 0;

		memset(out, 0, (size_t)n);
		if (EVP_EncryptUpdate(d->ctx, out, &outl, out, n) != 1 || outl != n)
			return CRYPTO_ERAND;
		out += n;
		len -= (size_t)n;
	}
	return CRYPTO_OK;
}

struct crypto_rng crypto_drbg_rng(struct crypto_drbg *d)
{
	struct crypto_rng r = {crypto_drbg_fill, d};

	return r;
}
