/*
 * crypto_detrand.c — make OpenSSL's own randomness deterministic, for the
 * SIMULATOR PROCESS ONLY.
 *
 * Everything in ref/ draws randomness from a caller's struct crypto_rng,
 * but some randomness is drawn by OpenSSL internally, out of our reach:
 * ECDSA nonces (OpenSSL 3.0 has no RFC 6979 mode), RSA-PSS salts, RSA and
 * EC blinding values, key generation through EVP_PKEY_keygen. A simulation
 * with such signatures would differ from run to run. This file replaces
 * OpenSSL's RAND with the crypto_drbg keystream for |seed| and the label
 * CRYPTO_DETRAND_LABEL, so a seeded scenario is byte-identical every run.
 *
 * It is the one process-global thing in ref/: it changes every RAND_bytes /
 * RAND_priv_bytes caller in the process, including crypto_rng_system().
 * Only the simulator (one simulation per process) calls it; the real
 * gateway/client never does.
 *
 * Why the deprecated API: OpenSSL 3.0 offers no supported way to swap the
 * RAND source of the default library context after start-up
 * (RAND_set_seed_source_type arrived in 3.1, and RAND_set_DRBG_type must
 * run before any randomness is drawn and still seeds from the OS). A
 * RAND_METHOD installed with RAND_set_rand_method is honoured by
 * RAND_bytes_ex and RAND_priv_bytes_ex in 3.0, which is what the providers
 * call. Hence OPENSSL_SUPPRESS_DEPRECATED, confined to this file.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "ref/crypto/crypto.h"

#include <limits.h>
#include <pthread.h>

#include <openssl/rand.h>

static pthread_mutex_t detrand_lock = PTHREAD_MUTEX_INITIALIZER;
static struct crypto_drbg *detrand_drbg; /* guarded by detrand_lock */

static int detrand_bytes(unsigned char *buf, int num)
{
	int ok = 0;

	if (num < 0)
		return 0;
	pthread_mutex_lock(&detrand_lock);
	if (detrand_drbg != NULL) {
		struct crypto_rng r = crypto_drbg_rng(detrand_drbg);

		ok = crypto_rng_fill(&r, buf, (size_t)num) == CRYPTO_OK;
	}
	pthread_mutex_unlock(&detrand_lock);
	return ok;
}

/* detrand_seed and detrand_add ignore caller entropy: mixing it in would undo determinism. */
static int detrand_seed(const void *buf, int num)
{
	(void)buf, (void)num;
	return 1;
}

static int detrand_add(const void *buf, int num, double entropy)
{
	(void)buf, (void)num, (void)entropy;
	return 1;
}

static int detrand_status(void)
{
	return 1;
}

/* detrand_cleanup: OpenSSL calls it at exit; the generator stays until crypto_openssl_rand_system. */
static void detrand_cleanup(void)
{
}

static const RAND_METHOD detrand_method = {
	detrand_seed, detrand_bytes, detrand_cleanup, detrand_add, detrand_bytes, detrand_status,
};

int crypto_openssl_rand_deterministic(uint64_t seed)
{
	struct crypto_drbg *d = crypto_drbg_new(seed, CRYPTO_DETRAND_LABEL), *old;

	if (d == NULL)
		return CRYPTO_EINTERNAL;
	pthread_mutex_lock(&detrand_lock);
	old = detrand_drbg;
	detrand_drbg = d;
	pthread_mutex_unlock(&detrand_lock);
	crypto_drbg_free(old);
	if (RAND_set_rand_method(&detrand_method) != 1) {
		crypto_openssl_rand_system();
		return CRYPTO_EINTERNAL;
	}
	return CRYPTO_OK;
}

void crypto_openssl_rand_system(void)
{
	struct crypto_drbg *old;

	RAND_set_rand_method(RAND_OpenSSL());
	pthread_mutex_lock(&detrand_lock);
	old = detrand_drbg;
	detrand_drbg = NULL;
	pthread_mutex_unlock(&detrand_lock);
	crypto_drbg_free(old);
}
