/*
 * fuzz_ike_auth.c — libFuzzer target for the peer-authentication inputs an
 * attacker controls: certificates from CERT payloads, AUTH data (RFC 7427
 * AlgorithmIdentifier parsing included), SK payloads, and key files.
 *
 * Input: octet 0 picks the surface, octet 1 is a parameter, the rest is
 * the attacker's data.
 *   0  certificate DER: parse, subject, SPKI hash, key, ID matching, chain
 *   1  AUTH data for auth method octet 1, checked against fixed keys
 *   2  a whole IKE message with SK/SKF, AAD length octet 1, decrypted with
 *      fixed AES-CBC+HMAC and AES-GCM keys
 *   3  a private (octet 1 even) or public key, PEM or DER
 * Every call must return an error or success, never crash or leak.
 * Seeds: tests/fuzz/corpus/fuzz_ike_auth.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ref/crypto/crypto.h"
#include "ref/crypto/crypto_sig.h"
#include "ref/crypto/crypto_testpki.h"
#include "ref/crypto/crypto_x509.h"
#include "ref/ike/ike_auth.h"
#include "ref/ike/ike_const.h"
#include "ref/ike/ike_keys.h"
#include "ref/ike/ike_sk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_T0 1893456000LL

struct fz {
	struct crypto_testpki pki;      /* EC P-256, root -> EE */
	struct crypto_sig_key *rsa;     /* seeded RSA-2048 */
	struct crypto_x509_store *store;
	struct ike_keys *cbc, *gcm;
	uint8_t msg[64], nonce[32], id[20];
};

static struct fz *fz_get(void)
{
	static struct fz f;
	static int ready;

	if (!ready) {
		struct crypto_drbg *drbg = crypto_drbg_new(1, "fuzz_ike_auth");
		struct crypto_rng rng = crypto_drbg_rng(drbg);
		struct crypto_testpki_params p = {
			.key_type = CRYPTO_SIG_KEY_EC_P256,
			.depth = 1,
			.ee = {.san = {{CRYPTO_X509_ID_FQDN, "gw.vpnlab.test"}}, .n_san = 1},
			.not_before = FZ_T0,
			.not_after = FZ_T0 + 86400,
		};
		struct ike_suite cbc = {IKE_ENCR_AES_CBC, 128, IKE_PRF_HMAC_SHA2_256,
					IKE_INTEG_HMAC_SHA2_256_128, 19};
		struct ike_suite gcm = {IKE_ENCR_AES_GCM_16, 128, IKE_PRF_HMAC_SHA2_256, 0, 19};
		uint8_t n[32] = {1}, spi[8] = {2}, gir[32] = {3};

		if (crypto_testpki_make(&p, &rng, &f.pki, NULL) != 0)
			abort();
		f.rsa = crypto_sig_key_generate(CRYPTO_SIG_KEY_RSA, &rng, NULL);
		f.store = crypto_x509_store_new();
		if (f.rsa == NULL || f.store == NULL ||
		    crypto_x509_store_add(f.store, crypto_testpki_root(&f.pki)) != 0)
			abort();
		f.cbc = ike_keys_new_sa_init(&cbc, n, 32, n, 32, spi, spi, gir, 32, NULL);
		f.gcm = ike_keys_new_sa_init(&gcm, n, 32, n, 32, spi, spi, gir, 32, NULL);
		if (f.cbc == NULL || f.gcm == NULL)
			abort();
		memset(f.msg, 0x5a, sizeof f.msg);
		memset(f.nonce, 0xa5, sizeof f.nonce);
		memcpy(f.id, "\x02\0\0\0gw.vpnlab.test", 18);
		crypto_drbg_free(drbg);
		ready = 1;
	}
	return &f;
}

static void fz_cert(struct fz *f, const uint8_t *p, size_t n)
{
	static const uint8_t v4[4] = {192, 0, 2, 1};
	struct crypto_x509 *c = crypto_x509_parse_der(p, n, NULL), *none[1];
	struct crypto_sig_key *k;
	const uint8_t *dn;
	uint8_t sha1[20];
	char text[256];
	size_t dn_len;

	if (c == NULL)
		return;
	dn = crypto_x509_subject_der(c, &dn_len);
	crypto_x509_subject_text(c, text, sizeof text);
	crypto_x509_spki_sha1(c, sha1);
	k = crypto_x509_public_key(c, NULL);
	crypto_sig_key_free(k);
	crypto_x509_matches_id(c, CRYPTO_X509_ID_FQDN, (const uint8_t *)"gw.vpnlab.test", 14, NULL);
	crypto_x509_matches_id(c, CRYPTO_X509_ID_RFC822_ADDR, (const uint8_t *)"a@b", 3, NULL);
	crypto_x509_matches_id(c, CRYPTO_X509_ID_IPV4_ADDR, v4, 4, NULL);
	crypto_x509_matches_id(c, CRYPTO_X509_ID_DER_ASN1_DN, dn, dn_len, NULL);
	crypto_x509_verify_chain(f->store, c, none, 0, FZ_T0 + 60, NULL, NULL);
	crypto_x509_free(c);
}

static void fz_auth(struct fz *f, uint8_t method, const uint8_t *p, size_t n)
{
	struct ike_auth_input in = {f->msg, sizeof f->msg, f->nonce, sizeof f->nonce, f->id, 18};

	ike_auth_verify(f->gcm, 0, &in, method, crypto_testpki_ee_key(&f->pki), p, n, NULL, NULL);
	ike_auth_verify(f->gcm, 1, &in, method, f->rsa, p, n, NULL, NULL);
	ike_auth_psk_verify(f->gcm, 1, &in, (const uint8_t *)"psk", 3, p, n, NULL);
	ike_auth_id_matches_cert(crypto_testpki_ee_cert(&f->pki), p, n, NULL);
}

static void fz_sk(struct fz *f, uint8_t aad, const uint8_t *p, size_t n)
{
	uint8_t *buf = malloc(n ? n : 1);
	size_t off, len;

	if (buf == NULL)
		return;
	memcpy(buf, p, n);
	ike_sk_decrypt(f->cbc, aad & 1, buf, n, aad < n ? aad : n, &off, &len, NULL);
	memcpy(buf, p, n);
	ike_sk_decrypt(f->gcm, aad & 1, buf, n, aad < n ? aad : n, &off, &len, NULL);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz *f = fz_get();

	if (size < 2)
		return 0;
	switch (data[0] % 4) {
	case 0:
		fz_cert(f, data + 2, size - 2);
		break;
	case 1:
		fz_auth(f, data[1], data + 2, size - 2);
		break;
	case 2:
		fz_sk(f, data[1], data + 2, size - 2);
		break;
	default: {
		struct crypto_sig_key *k = data[1] % 2 == 0
						   ? crypto_sig_key_parse_private(data + 2, size - 2, NULL)
						   : crypto_sig_key_parse_public(data + 2, size - 2, NULL);

		crypto_sig_key_free(k);
		break;
	}
	}
	return 0;
}
