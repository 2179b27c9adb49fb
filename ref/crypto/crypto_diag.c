/* crypto_diag.c — failure reasons in a caller-owned buffer (crypto_diag.h). */
#include "ref/crypto/crypto_diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

void crypto_diag_set(struct crypto_diag *d, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
}

void crypto_diag_openssl(struct crypto_diag *d, const char *fmt, ...)
{
	unsigned long e = ERR_peek_last_error();
	va_list ap;

	if (d != NULL) {
		va_start(ap, fmt);
		vsnprintf(d->msg, sizeof d->msg, fmt, ap);
		va_end(ap);
		if (e != 0) {
			size_t n = strlen(d->msg);
			const char *why = ERR_reason_error_string(e);

			snprintf(d->msg + n, sizeof d->msg - n, ": %s",
				 why != NULL ? why : "unknown OpenSSL error");
		}
	}
	ERR_clear_error();
}
