/* crypto_err.c — names for enum crypto_err (ref/crypto/crypto.h). */
#include "ref/crypto/crypto.h"

const char *crypto_strerror(int err)
{
	switch (err) {
	case CRYPTO_OK:
		return "ok";
	case CRYPTO_EINVAL:
		return "invalid argument (key, IV or buffer length, or unknown algorithm)";
	case CRYPTO_EAUTH:
		return "integrity check failed (ICV mismatch)";
	case CRYPTO_EPEER:
		return "peer public value failed validation";
	case CRYPTO_ERAND:
		return "random source failed";
	case CRYPTO_EINTERNAL:
		return "OpenSSL reported an internal error";
	case CRYPTO_ENOMEM:
		return "out of memory";
	}
	return "unknown crypto error";
}
