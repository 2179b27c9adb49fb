/* crypto_rng.c — the randomness callback and its OpenSSL-backed source. */
#include "ref/crypto/crypto.h"

#include <limits.h>

#include <openssl/rand.h>

int crypto_rng_fill(const struct crypto_rng *rng, uint8_t *out, size_t len)
{
	if (rng == NULL || rng->fill == NULL || (out == NULL && len > 0))
		return CRYPTO_EINVAL;
	if (len == 0)
		return CRYPTO_OK;
	return rng->fill(rng->ctx, out, len) == 0 ? CRYPTO_OK : CRYPTO_ERAND;
}

/* crypto_rng_system_fill feeds RAND_bytes in int-sized chunks (its length is an int). */
static int crypto_rng_system_fill(void *ctx, uint8_t *out, size_t len)
{
	(void)ctx;
	while (len > 0) {
		int n = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(out, n) != 1)
			return CRYPTO_ERAND;
		out += n;
		len -= (size_t)n;
	}
	return CRYPTO_OK;
}

struct crypto_rng crypto_rng_system(void)
{
	struct crypto_rng r = {crypto_rng_system_fill, NULL};

	return r;
}
