/*
 * crypto_prf.c — the IKEv2 PRFs (HMAC-SHA1, HMAC-SHA2-256/384/512) and
 * prf+ (RFC 7296 §2.13), over OpenSSL's SHA functions.
 *
 * A crypto_prf_ctx computes HMAC itself over the low-level SHA functions
 * (see there); the one-shot functions (at the end) run one on the stack.
 */
/* crypto_prf_ctx uses the low-level SHA functions (see there) */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "ref/crypto/crypto.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

enum { PRF_MAX_LEN = 64, PRF_MAX_BLOCK = 128, PRF_PLUS_MAX_BLOCKS = 255 };

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

/* ---------------------------------------------------------------------- */
/* Reusable context                                                        */

/*
 * crypto_prf_ctx runs HMAC (RFC 2104) itself over OpenSSL's low-level SHA
 * functions: keying hashes K^ipad and K^opad once into |ipad| and |opad|,
 * and each MAC copies those states by assignment. The EVP_MAC "HMAC" route
 * re-initialises three digest contexts per key and copies one per MAC (an
 * allocation) through two provider layers, and even a hand-made HMAC over
 * EVP_MD_CTX_copy_ex allocates per copy; on OpenSSL 3.0 without SHA-NI this
 * one takes a re-keyed 40-octet HMAC-SHA-256 from 1.22 to 0.82 us and a
 * 168-octet prf+ from 5.6 to 4.0 us, i.e. to about the compression function
 * cost. The low-level functions are deprecated in 3.0 (not removed), hence
 * OPENSSL_SUPPRESS_DEPRECATED above; they are the same assembly the
 * default provider runs. The states are wiped on free and after each use.
 */
union crypto_prf_state {
	SHA_CTX s1;
	SHA256_CTX s256;
	SHA512_CTX s512; /* SHA-384 too */
};

struct crypto_prf_ctx {
	enum crypto_prf_alg alg;
	size_t hlen, block;
	union crypto_prf_state ipad, opad;
};

/* crypto_prf_ll_init starts a digest of |alg| in |s|; 1 on success like the SHA functions. */
static int crypto_prf_ll_init(enum crypto_prf_alg alg, union crypto_prf_state *s)
{
	switch (alg) {
	case CRYPTO_PRF_HMAC_SHA1: return SHA1_Init(&s->s1);
	case CRYPTO_PRF_HMAC_SHA2_256: return SHA256_Init(&s->s256);
	case CRYPTO_PRF_HMAC_SHA2_384: return SHA384_Init(&s->s512);
	case CRYPTO_PRF_HMAC_SHA2_512: return SHA512_Init(&s->s512);
	}
	return 0;
}

static int crypto_prf_ll_update(enum crypto_prf_alg alg, union crypto_prf_state *s,
				const uint8_t *d, size_t len)
{
	switch (alg) {
	case CRYPTO_PRF_HMAC_SHA1: return SHA1_Update(&s->s1, d, len);
	case CRYPTO_PRF_HMAC_SHA2_256: return SHA256_Update(&s->s256, d, len);
	case CRYPTO_PRF_HMAC_SHA2_384: return SHA384_Update(&s->s512, d, len);
	case CRYPTO_PRF_HMAC_SHA2_512: return SHA512_Update(&s->s512, d, len);
	}
	return 0;
}

static int crypto_prf_ll_final(enum crypto_prf_alg alg, union crypto_prf_state *s, uint8_t *out)
{
	switch (alg) {
	case CRYPTO_PRF_HMAC_SHA1: return SHA1_Final(out, &s->s1);
	case CRYPTO_PRF_HMAC_SHA2_256: return SHA256_Final(out, &s->s256);
	case CRYPTO_PRF_HMAC_SHA2_384: return SHA384_Final(out, &s->s512);
	case CRYPTO_PRF_HMAC_SHA2_512: return SHA512_Final(out, &s->s512);
	}
	return 0;
}

/* crypto_prf_ctx_init sets up |p| for a known |alg| (unkeyed). */
static void crypto_prf_ctx_init(struct crypto_prf_ctx *p, enum crypto_prf_alg alg)
{
	p->alg = alg;
	p->hlen = crypto_prf_len(alg);
	/* RFC 4231 §1 / RFC 2202 §2: SHA-1 and SHA-256 hash 64-octet blocks, SHA-384/512 128 */
	p->block = p->hlen > 32 ? PRF_MAX_BLOCK : 64;
}

struct crypto_prf_ctx *crypto_prf_ctx_new(enum crypto_prf_alg alg, int *err)
{
	struct crypto_prf_ctx *p;

	if (crypto_prf_digest(alg) == NULL) {
		if (err != NULL)
			*err = CRYPTO_EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof *p);
	if (p == NULL) {
		if (err != NULL)
			*err = CRYPTO_ENOMEM;
		return NULL;
	}
	crypto_prf_ctx_init(p, alg);
	if (err != NULL)
		*err = CRYPTO_OK;
	return p;
}

void crypto_prf_ctx_free(struct crypto_prf_ctx *p)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, sizeof *p); /* the keyed ipad/opad states */
	free(p);
}

enum crypto_prf_alg crypto_prf_ctx_alg(const struct crypto_prf_ctx *p)
{
	return p != NULL ? p->alg : 0;
}

/*
 * crypto_prf_ctx_key re-keys |p|: a key longer than the digest block is
 * hashed first, then zero-padded to the block (RFC 2104 §2).
 */
static int crypto_prf_ctx_key(struct crypto_prf_ctx *p, const uint8_t *key, size_t key_len)
{
	uint8_t k[PRF_MAX_BLOCK] = {0}, pad[PRF_MAX_BLOCK];
	union crypto_prf_state s;
	int ok = 1;

	if (key_len > p->block) {
		ok = crypto_prf_ll_init(p->alg, &s) == 1 &&
		     crypto_prf_ll_update(p->alg, &s, key, key_len) == 1 &&
		     crypto_prf_ll_final(p->alg, &s, k) == 1;
		OPENSSL_cleanse(&s, sizeof s);
	} else if (key_len > 0) {
		memcpy(k, key, key_len);
	}
	for (size_t i = 0; i < p->block; i++)
		pad[i] = k[i] ^ 0x36;
	ok = ok && crypto_prf_ll_init(p->alg, &p->ipad) == 1 &&
	     crypto_prf_ll_update(p->alg, &p->ipad, pad, p->block) == 1;
	for (size_t i = 0; i < p->block; i++)
		pad[i] = k[i] ^ 0x5c;
	ok = ok && crypto_prf_ll_init(p->alg, &p->opad) == 1 &&
	     crypto_prf_ll_update(p->alg, &p->opad, pad, p->block) == 1;
	OPENSSL_cleanse(k, sizeof k);
	OPENSSL_cleanse(pad, sizeof pad);
	return ok ? CRYPTO_OK : CRYPTO_EINTERNAL;
}

/* crypto_prf_ctx_mac: out = HMAC(key of |p|, iov[0] | ... | iov[n-1]), |p->hlen| octets. */
static int crypto_prf_ctx_mac(struct crypto_prf_ctx *p, const struct crypto_iov *iov, size_t n,
			      uint8_t *out)
{
	union crypto_prf_state s = p->ipad;
	uint8_t inner[PRF_MAX_LEN];
	int ok = 1;

	for (size_t i = 0; ok && i < n; i++)
		ok = iov[i].len == 0 || crypto_prf_ll_update(p->alg, &s, iov[i].p, iov[i].len) == 1;
	ok = ok && crypto_prf_ll_final(p->alg, &s, inner) == 1;
	s = p->opad;
	ok = ok && crypto_prf_ll_update(p->alg, &s, inner, p->hlen) == 1 &&
	     crypto_prf_ll_final(p->alg, &s, out) == 1;
	OPENSSL_cleanse(&s, sizeof s);
	OPENSSL_cleanse(inner, sizeof inner);
	return ok ? CRYPTO_OK : CRYPTO_EINTERNAL;
}

int crypto_prf_ctx_compute(struct crypto_prf_ctx *p, const uint8_t *key, size_t key_len,
			   const struct crypto_iov *iov, size_t n, uint8_t *out)
{
	int rc;

	if (p == NULL || (key == NULL && key_len > 0) || crypto_prf_iov_args(iov, n, out) != CRYPTO_OK)
		return CRYPTO_EINVAL;
	rc = crypto_prf_ctx_key(p, key, key_len);
	if (rc == CRYPTO_OK)
		rc = crypto_prf_ctx_mac(p, iov, n, out);
	if (rc != CRYPTO_OK)
		OPENSSL_cleanse(out, p->hlen);
	return rc;
}

/* crypto_prf_ctx_plus is prf+ (see crypto_prf_plus_run) over crypto_prf_ctx_mac. */
int crypto_prf_ctx_plus(struct crypto_prf_ctx *p, const uint8_t *key, size_t key_len,
			const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
	uint8_t t[PRF_MAX_LEN];
	size_t done = 0, t_len = 0;
	int rc;

	if (p == NULL ||
	    crypto_prf_plus_args(p->alg, key, key_len, seed, seed_len, out, out_len) != CRYPTO_OK)
		return CRYPTO_EINVAL;
	if (out_len == 0)
		return CRYPTO_OK;
	rc = crypto_prf_ctx_key(p, key, key_len);
	for (unsigned int n = 1; rc == CRYPTO_OK && done < out_len; n++) {
		uint8_t counter = (uint8_t)n;
		struct crypto_iov iov[3] = {{t, t_len}, {seed, seed_len}, {&counter, 1}};
		size_t take;

		rc = crypto_prf_ctx_mac(p, iov, 3, t);
		if (rc != CRYPTO_OK)
			break;
		t_len = p->hlen;
		take = out_len - done < p->hlen ? out_len - done : p->hlen;
		memcpy(out + done, t, take);
		done += take;
	}
	OPENSSL_cleanse(t, sizeof t);
	if (rc != CRYPTO_OK)
		OPENSSL_cleanse(out, out_len);
	return rc;
}

/* ---------------------------------------------------------------------- */
/* One-shot functions: a context on the stack, wiped after use             */

int crypto_prf_iov(enum crypto_prf_alg alg, const uint8_t *key, size_t key_len,
		   const struct crypto_iov *iov, size_t n, uint8_t *out)
{
	struct crypto_prf_ctx p;
	int rc = crypto_prf_args(alg, key, key_len);

	if (rc != CRYPTO_OK || crypto_prf_iov_args(iov, n, out) != CRYPTO_OK)
		return CRYPTO_EINVAL;
	crypto_prf_ctx_init(&p, alg);
	rc = crypto_prf_ctx_compute(&p, key, key_len, iov, n, out);
	OPENSSL_cleanse(&p, sizeof p);
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
	struct crypto_prf_ctx p;
	int rc;

	if (crypto_prf_plus_args(alg, key, key_len, seed, seed_len, out, out_len) != CRYPTO_OK)
		return CRYPTO_EINVAL;
	crypto_prf_ctx_init(&p, alg);
	rc = crypto_prf_ctx_plus(&p, key, key_len, seed, seed_len, out, out_len);
	OPENSSL_cleanse(&p, sizeof p);
	return rc;
}
