/* crypto_memeq.c — constant-time equality (OpenSSL's CRYPTO_memcmp). */
#include "ref/crypto/crypto.h"

#include <openssl/crypto.h>

int crypto_memeq(const void *a, const void *b, size_t len)
{
	if (len == 0)
		return 1;
	return CRYPTO_memcmp(a, b, len) == 0;
}
