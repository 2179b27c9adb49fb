/*
 * crypto_sig.c — keys and signatures over OpenSSL 3 EVP (crypto_sig.h).
 *
 * Every operation is an EVP_DigestSign/EVP_DigestVerify call; the only
 * format work done here is the RFC 4754 §7 conversion between OpenSSL's DER
 * ECDSA-Sig-Value and the fixed-length r || s that auth method 9 carries,
 * and the seeded key generation described in crypto_sig.h.
 */
#include "ref/crypto/crypto_sig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

enum {
	SIG_P256_LEN = 32,            /* field and order size of P-256 */
	SIG_ECDSA_DER_MAX = 72,       /* SEQUENCE of two 33-octet INTEGERs */
	SIG_FILE_MAX = 1 << 20,
	SIG_RSA_BITS = 2048,
	SIG_RSA_PRIME_OCTETS = SIG_RSA_BITS / 16,
	SIG_RSA_PQ_MIN_DIFF_BITS = SIG_RSA_BITS / 2 - 100, /* FIPS 186-4 B.3.3 (5.4) */
	SIG_PRIME_SEARCH_MAX = 200000, /* odd candidates; primes near 2^1024 are ~710 apart */
	SIG_SIEVE_LIMIT = 17864,       /* sieve by the ~2000 odd primes below this */
	SIG_PSS_SALT_LEN = 32,
};

struct crypto_sig_key {
	EVP_PKEY *pkey;
};

const char *crypto_sig_scheme_name(enum crypto_sig_scheme scheme)
{
	switch (scheme) {
	case CRYPTO_SIG_RSA_PKCS1_SHA1:
		return "rsa-pkcs1-sha1";
	case CRYPTO_SIG_RSA_PKCS1_SHA256:
		return "rsa-pkcs1-sha256";
	case CRYPTO_SIG_RSA_PSS_SHA256:
		return "rsa-pss-sha256";
	case CRYPTO_SIG_ECDSA_P256_SHA256_RAW:
		return "ecdsa-p256-sha256-raw";
	case CRYPTO_SIG_ECDSA_P256_SHA256_DER:
		return "ecdsa-p256-sha256-der";
	}
	return "?";
}

struct crypto_sig_key *crypto_sig_key_wrap(EVP_PKEY *pkey)
{
	struct crypto_sig_key *k;

	if (pkey == NULL)
		return NULL;
	k = calloc(1, sizeof *k);
	if (k == NULL) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k->pkey = pkey;
	return k;
}

EVP_PKEY *crypto_sig_key_evp(const struct crypto_sig_key *k)
{
	return k != NULL ? k->pkey : NULL;
}

void crypto_sig_key_free(struct crypto_sig_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* crypto_sig_key_supported refuses key kinds the schemes cannot use (P-384, DSA, ...). */
static struct crypto_sig_key *crypto_sig_key_supported(EVP_PKEY *pkey, struct crypto_diag *d)
{
	struct crypto_sig_key *k = crypto_sig_key_wrap(pkey);

	if (k == NULL) {
		crypto_diag_set(d, "out of memory");
		return NULL;
	}
	if (crypto_sig_key_type(k) == 0) {
		char group[64] = "";

		EVP_PKEY_get_group_name(pkey, group, sizeof group, NULL);
		crypto_diag_set(d, "key type %s%s%s is not supported: expected RSA or EC P-256",
				EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "?",
				group[0] ? " " : "", group);
		crypto_sig_key_free(k);
		return NULL;
	}
	return k;
}

/* crypto_sig_no_password stops PEM reading from prompting on a terminal for encrypted keys. */
static int crypto_sig_no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int crypto_sig_is_pem(const uint8_t *data, size_t len)
{
	static const char tag[] = "-----BEGIN ";

	for (size_t i = 0; i + sizeof tag - 1 <= len; i++)
		if (memcmp(data + i, tag, sizeof tag - 1) == 0)
			return 1;
	return 0;
}

struct crypto_sig_key *crypto_sig_key_parse_private(const uint8_t *data, size_t len,
						    struct crypto_diag *d)
{
	EVP_PKEY *pkey = NULL;

	if (data == NULL || len == 0 || len > SIG_FILE_MAX) {
		crypto_diag_set(d, "private key: %zu octets, expected 1..%d", data ? len : 0,
				SIG_FILE_MAX);
		return NULL;
	}
	if (crypto_sig_is_pem(data, len)) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);

		if (bio != NULL)
			pkey = PEM_read_bio_PrivateKey(bio, NULL, crypto_sig_no_password, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = data;

		pkey = d2i_AutoPrivateKey(NULL, &p, (long)len);
	}
	if (pkey == NULL) {
		crypto_diag_openssl(d, "private key: not an unencrypted %s RSA or EC key",
				    crypto_sig_is_pem(data, len) ? "PEM" : "DER");
		return NULL;
	}
	ERR_clear_error();
	return crypto_sig_key_supported(pkey, d);
}

struct crypto_sig_key *crypto_sig_key_parse_public(const uint8_t *data, size_t len,
						   struct crypto_diag *d)
{
	EVP_PKEY *pkey = NULL;

	if (data == NULL || len == 0 || len > SIG_FILE_MAX) {
		crypto_diag_set(d, "public key: %zu octets, expected 1..%d", data ? len : 0,
				SIG_FILE_MAX);
		return NULL;
	}
	if (crypto_sig_is_pem(data, len)) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);

		if (bio != NULL)
			pkey = PEM_read_bio_PUBKEY(bio, NULL, crypto_sig_no_password, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = data;

		pkey = d2i_PUBKEY(NULL, &p, (long)len);
	}
	if (pkey == NULL) {
		crypto_diag_openssl(d, "public key: not a %s SubjectPublicKeyInfo",
				    crypto_sig_is_pem(data, len) ? "PEM" : "DER");
		return NULL;
	}
	return crypto_sig_key_supported(pkey, d);
}

struct crypto_sig_key *crypto_sig_key_load_file(const char *path, int private_key,
						struct crypto_diag *d)
{
	struct crypto_sig_key *k = NULL;
	uint8_t *buf = NULL;
	size_t n = 0;
	FILE *f;

	if (path == NULL) {
		crypto_diag_set(d, "key file: no path given");
		return NULL;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		crypto_diag_set(d, "key file %s: cannot open", path);
		return NULL;
	}
	buf = malloc(SIG_FILE_MAX + 1);
	if (buf != NULL)
		n = fread(buf, 1, SIG_FILE_MAX + 1, f);
	fclose(f);
	if (buf == NULL) {
		crypto_diag_set(d, "key file %s: out of memory", path);
	} else if (n == 0 || n > SIG_FILE_MAX) {
		crypto_diag_set(d, "key file %s: %zu octets, expected 1..%d", path, n, SIG_FILE_MAX);
	} else {
		struct crypto_diag inner;

		k = private_key ? crypto_sig_key_parse_private(buf, n, &inner)
				: crypto_sig_key_parse_public(buf, n, &inner);
		if (k == NULL)
			crypto_diag_set(d, "key file %s: %s", path, inner.msg);
	}
	if (buf != NULL) {
		OPENSSL_cleanse(buf, n < SIG_FILE_MAX ? n : SIG_FILE_MAX);
		free(buf);
	}
	return k;
}

/* ---------------------------------------------------------------------- */
/* Seeded key generation                                                   */

/* crypto_sig_fromdata builds an EVP_PKEY of |type_name| from |bld|'s parameters. */
static EVP_PKEY *crypto_sig_fromdata(const char *type_name, OSSL_PARAM_BLD *bld)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type_name, NULL);
	EVP_PKEY *pkey = NULL;

	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
		pkey = NULL;
	OSSL_PARAM_free(params); /* the builder copied the BIGNUMs: wiped by clear_free below */
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

static EVP_PKEY *crypto_sig_generate_ec(const struct crypto_rng *rng, struct crypto_diag *d)
{
	uint8_t scalar[SIG_P256_LEN], pub[1 + 2 * SIG_P256_LEN];
	EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BN_CTX *bnctx = BN_CTX_new();
	BIGNUM *priv = BN_secure_new();
	EC_POINT *point = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	int tries;

	if (group == NULL || bnctx == NULL || priv == NULL) {
		crypto_diag_openssl(d, "EC P-256 key generation: setup failed");
		goto out;
	}
	for (tries = 0; tries < 64; tries++) {
		if (crypto_rng_fill(rng, scalar, sizeof scalar) != CRYPTO_OK) {
			crypto_diag_set(d, "EC P-256 key generation: the random source failed");
			goto out;
		}
		if (BN_bin2bn(scalar, sizeof scalar, priv) == NULL)
			goto out;
		if (!BN_is_zero(priv) && BN_cmp(priv, EC_GROUP_get0_order(group)) < 0)
			break;
	}
	if (tries == 64) {
		crypto_diag_set(d, "EC P-256 key generation: 64 draws out of range (broken rng?)");
		goto out;
	}
	point = EC_POINT_new(group);
	bld = OSSL_PARAM_BLD_new();
	if (point == NULL || bld == NULL ||
	    EC_POINT_mul(group, point, priv, NULL, NULL, bnctx) != 1 ||
	    EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof pub,
			       bnctx) != sizeof pub ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub) != 1) {
		crypto_diag_openssl(d, "EC P-256 key generation: computing the public point failed");
		goto out;
	}
	pkey = crypto_sig_fromdata("EC", bld);
	if (pkey == NULL)
		crypto_diag_openssl(d, "EC P-256 key generation: OpenSSL refused the key");
out:
	OPENSSL_cleanse(scalar, sizeof scalar);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(point);
	BN_clear_free(priv);
	BN_CTX_free(bnctx);
	EC_GROUP_free(group);
	return pkey;
}

/*
 * crypto_sig_rsa_prime returns the first prime p >= a random 1024-bit odd
 * start (two top bits set) with p mod e != 1 (so gcd(p - 1, e) = 1 for the
 * prime e = 65537), or NULL. Candidates divisible by an odd prime below
 * SIG_SIEVE_LIMIT are skipped with word-sized residues (the BN_gcd and
 * BN_check_prime per candidate this replaces cost ~1.6 ms each); the rest
 * go to OpenSSL's BN_check_prime. The sieve only skips composites, so the
 * prime found is the same as without it.
 */
static BIGNUM *crypto_sig_rsa_prime(const struct crypto_rng *rng, BN_CTX *bnctx)
{
	uint8_t start[SIG_RSA_PRIME_OCTETS], *composite = calloc(SIG_SIEVE_LIMIT, 1);
	uint16_t *prime = malloc(SIG_SIEVE_LIMIT * sizeof *prime);
	uint32_t *resid = malloc(SIG_SIEVE_LIMIT * sizeof *resid);
	BIGNUM *base = BN_new(), *p = BN_secure_new();
	size_t np = 0;
	int ok = 0;

	if (composite == NULL || prime == NULL || resid == NULL || base == NULL || p == NULL ||
	    crypto_rng_fill(rng, start, sizeof start) != CRYPTO_OK)
		goto out;
	for (uint32_t i = 3; i < SIG_SIEVE_LIMIT; i += 2) {
		if (composite[i])
			continue;
		prime[np++] = (uint16_t)i;
		for (uint32_t j = i * i; j < SIG_SIEVE_LIMIT; j += 2 * i)
			composite[j] = 1;
	}
	start[0] |= 0xc0;
	start[sizeof start - 1] |= 0x01;
	if (BN_bin2bn(start, sizeof start, base) == NULL)
		goto out;
	for (size_t i = 0; i < np; i++) {
		BN_ULONG r = BN_mod_word(base, prime[i]);

		if (r == (BN_ULONG)-1)
			goto out;
		resid[i] = (uint32_t)r;
	}
	for (uint32_t delta = 0; delta < 2 * SIG_PRIME_SEARCH_MAX; delta += 2) {
		size_t i;
		int prime_ok;

		for (i = 0; i < np; i++)
			if ((resid[i] + delta) % prime[i] == 0)
				break;
		if (i < np)
			continue;
		if (BN_copy(p, base) == NULL || BN_add_word(p, delta) != 1 ||
		    BN_num_bits(p) != SIG_RSA_BITS / 2)
			break;
		if (BN_mod_word(p, RSA_F4) == 1)
			continue;
		prime_ok = BN_check_prime(p, bnctx, NULL);
		if (prime_ok < 0)
			break;
		if (prime_ok == 1) {
			ok = 1;
			break;
		}
	}
out:
	OPENSSL_cleanse(start, sizeof start);
	free(composite);
	free(prime);
	free(resid);
	BN_clear_free(base);
	if (!ok) {
		BN_clear_free(p);
		return NULL;
	}
	return p;
}

static EVP_PKEY *crypto_sig_generate_rsa(const struct crypto_rng *rng, struct crypto_diag *d)
{
	BN_CTX *bnctx = BN_CTX_new();
	BIGNUM *e = BN_new(), *p = NULL, *q = NULL, *n = BN_new(), *dexp = BN_secure_new();
	BIGNUM *pm1 = BN_secure_new(), *qm1 = BN_secure_new(), *g = BN_secure_new();
	BIGNUM *lcm = BN_secure_new(), *dp = BN_secure_new(), *dq = BN_secure_new();
	BIGNUM *qinv = BN_secure_new(), *diff = BN_new();
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	int tries;

	if (bnctx == NULL || e == NULL || n == NULL || dexp == NULL || pm1 == NULL ||
	    qm1 == NULL || g == NULL || lcm == NULL || dp == NULL || dq == NULL ||
	    qinv == NULL || diff == NULL || BN_set_word(e, RSA_F4) != 1) {
		crypto_diag_set(d, "RSA key generation: out of memory");
		goto out;
	}
	p = crypto_sig_rsa_prime(rng, bnctx);
	for (tries = 0; p != NULL && tries < 8; tries++) {
		BN_clear_free(q);
		q = crypto_sig_rsa_prime(rng, bnctx);
		if (q == NULL || BN_sub(diff, p, q) != 1)
			break;
		BN_set_negative(diff, 0);
		if (BN_num_bits(diff) > SIG_RSA_PQ_MIN_DIFF_BITS)
			break;
	}
	if (p == NULL || q == NULL || BN_num_bits(diff) <= SIG_RSA_PQ_MIN_DIFF_BITS) {
		crypto_diag_set(d, "RSA key generation: no suitable primes (random source failed?)");
		goto out;
	}
	if (BN_cmp(p, q) < 0) {
		BIGNUM *t = p;

		p = q;
		q = t;
	}
	BN_set_flags(p, BN_FLG_CONSTTIME);
	BN_set_flags(q, BN_FLG_CONSTTIME);
	/* d = e^-1 mod lcm(p-1, q-1); CRT values as RFC 8017 §3.2 defines them. */
	if (BN_mul(n, p, q, bnctx) != 1 || BN_sub(pm1, p, BN_value_one()) != 1 ||
	    BN_sub(qm1, q, BN_value_one()) != 1 || BN_gcd(g, pm1, qm1, bnctx) != 1 ||
	    BN_mul(lcm, pm1, qm1, bnctx) != 1 || BN_div(lcm, NULL, lcm, g, bnctx) != 1 ||
	    BN_mod_inverse(dexp, e, lcm, bnctx) == NULL ||
	    BN_mod(dp, dexp, pm1, bnctx) != 1 || BN_mod(dq, dexp, qm1, bnctx) != 1 ||
	    BN_mod_inverse(qinv, q, p, bnctx) == NULL || BN_num_bits(n) != SIG_RSA_BITS) {
		crypto_diag_openssl(d, "RSA key generation: deriving n, d and CRT values failed");
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, dexp) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv) != 1) {
		crypto_diag_set(d, "RSA key generation: out of memory");
		goto out;
	}
	pkey = crypto_sig_fromdata("RSA", bld);
	if (pkey == NULL)
		crypto_diag_openssl(d, "RSA key generation: OpenSSL refused the key");
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(e);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_free(n);
	BN_clear_free(dexp);
	BN_clear_free(pm1);
	BN_clear_free(qm1);
	BN_clear_free(g);
	BN_clear_free(lcm);
	BN_clear_free(dp);
	BN_clear_free(dq);
	BN_clear_free(qinv);
	BN_free(diff);
	BN_CTX_free(bnctx);
	return pkey;
}

struct crypto_sig_key *crypto_sig_key_generate(enum crypto_sig_key_type type,
					       const struct crypto_rng *rng,
					       struct crypto_diag *d)
{
	EVP_PKEY *pkey;

	if (rng == NULL || rng->fill == NULL) {
		crypto_diag_set(d, "key generation: no random source");
		return NULL;
	}
	switch (type) {
	case CRYPTO_SIG_KEY_EC_P256:
		pkey = crypto_sig_generate_ec(rng, d);
		break;
	case CRYPTO_SIG_KEY_RSA:
		pkey = crypto_sig_generate_rsa(rng, d);
		break;
	default:
		crypto_diag_set(d, "key generation: key type %d, expected RSA (%d) or EC P-256 (%d)",
				(int)type, CRYPTO_SIG_KEY_RSA, CRYPTO_SIG_KEY_EC_P256);
		return NULL;
	}
	if (pkey == NULL)
		return NULL;
	return crypto_sig_key_supported(pkey, d);
}

/* ---------------------------------------------------------------------- */
/* Properties and export                                                   */

enum crypto_sig_key_type crypto_sig_key_type(const struct crypto_sig_key *k)
{
	char group[32];

	if (k == NULL || k->pkey == NULL)
		return 0;
	switch (EVP_PKEY_get_base_id(k->pkey)) {
	case EVP_PKEY_RSA:
		return CRYPTO_SIG_KEY_RSA;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(k->pkey, group, sizeof group, NULL) == 1 &&
		    strcmp(group, "prime256v1") == 0)
			return CRYPTO_SIG_KEY_EC_P256;
		return 0;
	default:
		return 0;
	}
}

int crypto_sig_key_bits(const struct crypto_sig_key *k)
{
	return k != NULL && k->pkey != NULL ? EVP_PKEY_get_bits(k->pkey) : 0;
}

int crypto_sig_key_has_private(const struct crypto_sig_key *k)
{
	BIGNUM *bn = NULL;
	const char *name;
	int has;

	if (k == NULL || k->pkey == NULL)
		return 0;
	name = EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_RSA ? OSSL_PKEY_PARAM_RSA_D
							      : OSSL_PKEY_PARAM_PRIV_KEY;
	has = EVP_PKEY_get_bn_param(k->pkey, name, &bn) == 1 && bn != NULL;
	BN_clear_free(bn);
	ERR_clear_error();
	return has;
}

struct crypto_sig_key *crypto_sig_key_public_copy(const struct crypto_sig_key *k,
						  struct crypto_diag *d)
{
	uint8_t *der = NULL;
	size_t len = 0;
	struct crypto_sig_key *pub;

	if (crypto_sig_key_spki_der(k, &der, &len) != CRYPTO_OK) {
		crypto_diag_openssl(d, "public key copy: encoding the public key failed");
		return NULL;
	}
	pub = crypto_sig_key_parse_public(der, len, d);
	free(der);
	return pub;
}

int crypto_sig_key_spki_der(const struct crypto_sig_key *k, uint8_t **der, size_t *der_len)
{
	unsigned char *buf = NULL;
	int n;

	if (k == NULL || k->pkey == NULL || der == NULL || der_len == NULL)
		return CRYPTO_EINVAL;
	n = i2d_PUBKEY(k->pkey, &buf);
	if (n <= 0) {
		ERR_clear_error();
		return CRYPTO_EINTERNAL;
	}
	/* Hand out a malloc'd copy so callers free() it like every other buffer here. */
	*der = malloc((size_t)n);
	if (*der == NULL) {
		OPENSSL_free(buf);
		return CRYPTO_ENOMEM;
	}
	memcpy(*der, buf, (size_t)n);
	OPENSSL_free(buf);
	*der_len = (size_t)n;
	return CRYPTO_OK;
}

int crypto_sig_key_to_pem(const struct crypto_sig_key *k, int private_key, char **pem,
			  size_t *pem_len)
{
	BIO *bio;
	char *data = NULL;
	long n;
	int ok;

	if (k == NULL || k->pkey == NULL || pem == NULL)
		return CRYPTO_EINVAL;
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		return CRYPTO_ENOMEM;
	ok = private_key ? PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL)
			 : PEM_write_bio_PUBKEY(bio, k->pkey);
	n = BIO_get_mem_data(bio, &data);
	if (ok != 1 || n <= 0) {
		BIO_free(bio);
		ERR_clear_error();
		return CRYPTO_EINTERNAL;
	}
	*pem = malloc((size_t)n + 1);
	if (*pem == NULL) {
		BIO_free(bio);
		return CRYPTO_ENOMEM;
	}
	memcpy(*pem, data, (size_t)n);
	(*pem)[n] = '\0';
	if (pem_len != NULL)
		*pem_len = (size_t)n;
	OPENSSL_cleanse(data, (size_t)n);
	BIO_free(bio);
	return CRYPTO_OK;
}

int crypto_sig_key_equal(const struct crypto_sig_key *a, const struct crypto_sig_key *b)
{
	int eq;

	if (a == NULL || b == NULL || a->pkey == NULL || b->pkey == NULL)
		return 0;
	eq = EVP_PKEY_eq(a->pkey, b->pkey) == 1;
	ERR_clear_error();
	return eq;
}

/* ---------------------------------------------------------------------- */
/* Sign and verify                                                         */

/* crypto_sig_fits checks |scheme| against the key type; fills |d| when not. */
static int crypto_sig_fits(const struct crypto_sig_key *k, enum crypto_sig_scheme scheme,
			   struct crypto_diag *d)
{
	enum crypto_sig_key_type t = crypto_sig_key_type(k);
	enum crypto_sig_key_type want;

	switch (scheme) {
	case CRYPTO_SIG_RSA_PKCS1_SHA1:
	case CRYPTO_SIG_RSA_PKCS1_SHA256:
	case CRYPTO_SIG_RSA_PSS_SHA256:
		want = CRYPTO_SIG_KEY_RSA;
		break;
	case CRYPTO_SIG_ECDSA_P256_SHA256_RAW:
	case CRYPTO_SIG_ECDSA_P256_SHA256_DER:
		want = CRYPTO_SIG_KEY_EC_P256;
		break;
	default:
		crypto_diag_set(d, "signature scheme %d is unknown", (int)scheme);
		return 0;
	}
	if (t != want) {
		crypto_diag_set(d, "signature scheme %s needs an %s key, got %s",
				crypto_sig_scheme_name(scheme),
				want == CRYPTO_SIG_KEY_RSA ? "RSA" : "EC P-256",
				t == CRYPTO_SIG_KEY_RSA ? "RSA" : t == CRYPTO_SIG_KEY_EC_P256 ? "EC P-256"
											: "none");
		return 0;
	}
	return 1;
}

size_t crypto_sig_max_len(const struct crypto_sig_key *k, enum crypto_sig_scheme scheme)
{
	if (!crypto_sig_fits(k, scheme, NULL))
		return 0;
	switch (scheme) {
	case CRYPTO_SIG_ECDSA_P256_SHA256_RAW:
		return 2 * SIG_P256_LEN;
	case CRYPTO_SIG_ECDSA_P256_SHA256_DER:
		return SIG_ECDSA_DER_MAX;
	default:
		return (size_t)EVP_PKEY_get_size(k->pkey);
	}
}

/*
 * crypto_sig_init sets up |mctx| for |scheme| (sign or verify). PSS uses
 * MGF1 with the message digest and a 32-octet salt: the parameters of the
 * RFC 7427 Appendix A.4.3 AlgorithmIdentifier.
 */
static int crypto_sig_init(EVP_MD_CTX *mctx, const struct crypto_sig_key *k,
			   enum crypto_sig_scheme scheme, int sign)
{
	const char *md = scheme == CRYPTO_SIG_RSA_PKCS1_SHA1 ? "SHA1" : "SHA256";
	EVP_PKEY_CTX *pctx = NULL;
	int ok = sign ? EVP_DigestSignInit_ex(mctx, &pctx, md, NULL, NULL, k->pkey, NULL)
		      : EVP_DigestVerifyInit_ex(mctx, &pctx, md, NULL, NULL, k->pkey, NULL);

	if (ok != 1)
		return 0;
	if (scheme == CRYPTO_SIG_RSA_PSS_SHA256)
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		       EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) == 1 &&
		       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, SIG_PSS_SALT_LEN) == 1;
	if (scheme == CRYPTO_SIG_RSA_PKCS1_SHA1 || scheme == CRYPTO_SIG_RSA_PKCS1_SHA256)
		return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
	return 1;
}

/* crypto_sig_der_to_raw turns an ECDSA-Sig-Value into r || s (RFC 4754 §7). */
static int crypto_sig_der_to_raw(const uint8_t *der, size_t der_len, uint8_t raw[2 * SIG_P256_LEN])
{
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	const BIGNUM *r, *s;
	int ok;

	if (es == NULL)
		return 0;
	ECDSA_SIG_get0(es, &r, &s);
	ok = BN_bn2binpad(r, raw, SIG_P256_LEN) == SIG_P256_LEN &&
	     BN_bn2binpad(s, raw + SIG_P256_LEN, SIG_P256_LEN) == SIG_P256_LEN;
	ECDSA_SIG_free(es);
	return ok;
}

/* crypto_sig_raw_to_der is the reverse; returns the DER length or 0. */
static size_t crypto_sig_raw_to_der(const uint8_t raw[2 * SIG_P256_LEN],
				    uint8_t der[SIG_ECDSA_DER_MAX])
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, SIG_P256_LEN, NULL);
	BIGNUM *s = BN_bin2bn(raw + SIG_P256_LEN, SIG_P256_LEN, NULL);
	unsigned char *p = der;
	int n = 0;

	if (es == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(es, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return 0;
	}
	if (i2d_ECDSA_SIG(es, NULL) <= SIG_ECDSA_DER_MAX)
		n = i2d_ECDSA_SIG(es, &p);
	ECDSA_SIG_free(es);
	return n > 0 ? (size_t)n : 0;
}

int crypto_sig_sign(const struct crypto_sig_key *k, enum crypto_sig_scheme scheme,
		    const uint8_t *msg, size_t msg_len, uint8_t *sig, size_t *sig_len,
		    struct crypto_diag *d)
{
	uint8_t der[SIG_ECDSA_DER_MAX];
	int raw = scheme == CRYPTO_SIG_ECDSA_P256_SHA256_RAW;
	size_t need, out_len;
	EVP_MD_CTX *mctx;
	int rc = CRYPTO_EINTERNAL;

	if (sig == NULL || sig_len == NULL || (msg == NULL && msg_len > 0)) {
		crypto_diag_set(d, "sign: missing message or signature buffer");
		return CRYPTO_EINVAL;
	}
	if (!crypto_sig_fits(k, scheme, d))
		return CRYPTO_EINVAL;
	if (!crypto_sig_key_has_private(k)) {
		crypto_diag_set(d, "sign %s: the key has no private half",
				crypto_sig_scheme_name(scheme));
		return CRYPTO_EINVAL;
	}
	need = crypto_sig_max_len(k, scheme);
	if (*sig_len < need) {
		crypto_diag_set(d, "sign %s: signature buffer has %zu octets, need %zu",
				crypto_sig_scheme_name(scheme), *sig_len, need);
		return CRYPTO_EINVAL;
	}
	mctx = EVP_MD_CTX_new();
	if (mctx == NULL || !crypto_sig_init(mctx, k, scheme, 1)) {
		crypto_diag_openssl(d, "sign %s: setup failed", crypto_sig_scheme_name(scheme));
		goto out;
	}
	out_len = raw ? sizeof der : *sig_len;
	if (EVP_DigestSign(mctx, raw ? der : sig, &out_len, msg, msg_len) != 1) {
		crypto_diag_openssl(d, "sign %s failed", crypto_sig_scheme_name(scheme));
		goto out;
	}
	if (raw) {
		if (!crypto_sig_der_to_raw(der, out_len, sig)) {
			crypto_diag_openssl(d, "sign %s: converting DER to r||s failed",
					    crypto_sig_scheme_name(scheme));
			goto out;
		}
		out_len = 2 * SIG_P256_LEN;
	}
	*sig_len = out_len;
	rc = CRYPTO_OK;
out:
	EVP_MD_CTX_free(mctx);
	return rc;
}

int crypto_sig_verify(const struct crypto_sig_key *k, enum crypto_sig_scheme scheme,
		      const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len,
		      struct crypto_diag *d)
{
	uint8_t der[SIG_ECDSA_DER_MAX];
	EVP_MD_CTX *mctx;
	int rc = CRYPTO_EINTERNAL, v;

	if (sig == NULL || (msg == NULL && msg_len > 0)) {
		crypto_diag_set(d, "verify: missing message or signature");
		return CRYPTO_EINVAL;
	}
	if (!crypto_sig_fits(k, scheme, d))
		return CRYPTO_EINVAL;
	if (scheme == CRYPTO_SIG_ECDSA_P256_SHA256_RAW) {
		if (sig_len != 2 * SIG_P256_LEN) {
			crypto_diag_set(d, "verify %s: signature is %zu octets, expected %d (r || s)",
					crypto_sig_scheme_name(scheme), sig_len, 2 * SIG_P256_LEN);
			return CRYPTO_EAUTH;
		}
		sig_len = crypto_sig_raw_to_der(sig, der);
		sig = der;
		if (sig_len == 0) {
			crypto_diag_openssl(d, "verify %s: r || s does not encode",
					    crypto_sig_scheme_name(scheme));
			return CRYPTO_EAUTH;
		}
	}
	mctx = EVP_MD_CTX_new();
	if (mctx == NULL || !crypto_sig_init(mctx, k, scheme, 0)) {
		crypto_diag_openssl(d, "verify %s: setup failed", crypto_sig_scheme_name(scheme));
		goto out;
	}
	v = EVP_DigestVerify(mctx, sig, sig_len, msg, msg_len);
	if (v == 1) {
		rc = CRYPTO_OK;
	} else {
		/* 0 is a wrong signature, < 0 a malformed one: both are the peer's fault. */
		crypto_diag_set(d, "verify %s: signature of %zu octets does not match (%s)",
				crypto_sig_scheme_name(scheme), sig_len,
				v == 0 ? "wrong signature" : "malformed signature");
		rc = CRYPTO_EAUTH;
	}
out:
	ERR_clear_error();
	EVP_MD_CTX_free(mctx);
	return rc;
}
