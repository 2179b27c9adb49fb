/*
 * crypto_diag.h — the one human-readable reason an operation failed, in a
 * caller-owned buffer: "certificate 2 of 3 (CN=vpnlab Intermediate CA 1):
 * certificate has expired (notAfter 20300101000000Z, now 20300102000000Z)".
 *
 * Every function taking a |struct crypto_diag *| accepts NULL and then only
 * returns its error code. Used by crypto_sig, crypto_x509, crypto_testpki
 * and the IKE layers above them (ike_keys, ike_sk, ike_auth).
 */
#ifndef VPNLAB_REF_CRYPTO_DIAG_H
#define VPNLAB_REF_CRYPTO_DIAG_H

#include <stddef.h>

#define CRYPTO_DIAG_MAX 320

struct crypto_diag {
	char msg[CRYPTO_DIAG_MAX];
};

/* crypto_diag_set formats the reason into |d| (NULL-safe); later calls overwrite. */
void crypto_diag_set(struct crypto_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * crypto_diag_openssl is crypto_diag_set followed by ": " and the reason of
 * the most recent OpenSSL error, then clears OpenSSL's (thread-local) error
 * queue so a stale error never surfaces in an unrelated later call.
 */
void crypto_diag_openssl(struct crypto_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
