/*
 * fuzz_esp.h — the ESP fuzz harness, shared by the libFuzzer target
 * (tests/fuzz/fuzz_esp.c) and the unit test that writes and replays its
 * seed corpus (tests/unit/test_esp_corpus.c), so both use the same SAs.
 *
 * Input: one mode octet, then the rest.
 *
 *   bits 0-2  transform: fz_algs[m & 7 % 6]
 *   bit 3     FZ_ESN    extended sequence numbers
 *   bit 4     FZ_FRESH  a new inbound SA for this input (else one kept across inputs)
 *   bit 5     FZ_UDP    the rest is a UDP payload on port 4500: demultiplex
 *                       (RFC 3948), look ESP up by SPI, open it
 *   bit 6     FZ_SEAL   the rest is an inner packet: seal, open, compare
 *   bit 7     FZ_SYNC   with FZ_FRESH: the next 8 octets (big-endian) are the
 *                       receiver's window edge (esp_sa_seq_sync), e.g. to reach
 *                       high ESN subspaces; window 4096 instead of 64
 *
 * Properties (abort() when broken): esp_open returns a known code; on
 * success the inner packet lies inside the input and is IPv4 of its own
 * Total Length; a packet that authenticated is a replay the second time;
 * a packet refused before authentication is refused the same way again
 * (nothing changed); the demultiplexer agrees with the marker helpers;
 * seal then open gives back the input.
 */
#ifndef VPNLAB_TESTS_FUZZ_ESP_H
#define VPNLAB_TESTS_FUZZ_ESP_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ref/crypto/crypto.h"
#include "ref/esp/esp.h"
#include "ref/esp/esp_udpencap.h"

enum {
	FZ_NALGS = 6,
	FZ_ESN = 0x08,
	FZ_FRESH = 0x10,
	FZ_UDP = 0x20,
	FZ_SEAL = 0x40,
	FZ_SYNC = 0x80,
	FZ_MAX = 70000,
	/* fz_one outcomes besides esp_open's codes */
	FZ_UDP_OTHER = 100, /* + esp_udp_kind, for payloads that are not ESP */
	FZ_SEALED = 200,    /* FZ_SEAL round trip done */
	FZ_IGNORED = 300,   /* input too short for its mode */
};

static const struct {
	const char *name;
	enum crypto_aead_alg alg;
	size_t enc_len; /* with salt for AEAD */
	size_t integ_len;
} fz_algs[FZ_NALGS] = {
	{"aes128gcm16", CRYPTO_AES_GCM_16, 20, 0},
	{"aes256gcm16", CRYPTO_AES_GCM_16, 36, 0},
	{"chacha20poly1305", CRYPTO_CHACHA20_POLY1305, 36, 0},
	{"aes128-sha256", CRYPTO_AES_CBC_HMAC_SHA256_128, 16, 32},
	{"aes256-sha256", CRYPTO_AES_CBC_HMAC_SHA256_128, 32, 32},
	{"3des-sha1", CRYPTO_3DES_CBC_HMAC_SHA1_96, 24, 20},
};

/* fz_spi: each transform and ESN setting has its own SPI, so FZ_UDP can look it up. */
static inline uint32_t fz_spi(int a, int esn)
{
	return 0x10000u + (uint32_t)a * 2 + (uint32_t)esn;
}

static inline void fz_keys(int a, uint8_t *enc, uint8_t *integ)
{
	for (size_t i = 0; i < fz_algs[a].enc_len; i++)
		enc[i] = (uint8_t)(0x40 + a * 8 + i);
	for (size_t i = 0; i < fz_algs[a].integ_len; i++)
		integ[i] = (uint8_t)(0x90 + i);
}

/* fz_count_fill: CBC IVs 0,1,2,... — predictable on purpose (tests only). */
static inline int fz_count_fill(void *ctx, uint8_t *out, size_t len)
{
	unsigned *next = ctx;

	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(*next)++;
	return 0;
}

static inline struct esp_sa *fz_sa(int a, int esn, enum esp_dir dir, uint32_t window,
				   unsigned *rng_ctx)
{
	uint8_t enc[64], integ[64];
	struct esp_sa_cfg cfg = {
		.spi = fz_spi(a, esn), .dir = dir, .alg = fz_algs[a].alg,
		.enc_key = enc, .enc_key_len = fz_algs[a].enc_len,
		.integ_key = fz_algs[a].integ_len ? integ : NULL,
		.integ_key_len = fz_algs[a].integ_len, .esn = esn, .replay_window = window,
		.rng = {fz_count_fill, rng_ctx},
	};
	struct esp_sa *sa;

	fz_keys(a, enc, integ);
	sa = esp_sa_new(&cfg, NULL);
	if (!sa)
		abort();
	return sa;
}

/* fz_state: the SAs kept across inputs (the fuzzer) or per seed (the corpus test). */
struct fz_state {
	struct esp_sa *in[FZ_NALGS][2];
	struct esp_sa *rt_out[FZ_NALGS][2], *rt_in[FZ_NALGS][2];
	struct esp_sadb *db;
	unsigned rng_ctx;
};

static inline void fz_state_init(struct fz_state *st)
{
	memset(st, 0, sizeof *st);
	st->db = esp_sadb_new(2 * FZ_NALGS);
	if (!st->db)
		abort();
	for (int a = 0; a < FZ_NALGS; a++) {
		for (int e = 0; e < 2; e++) {
			st->in[a][e] = fz_sa(a, e, ESP_DIR_IN, 0, NULL);
			st->rt_out[a][e] = fz_sa(a, e, ESP_DIR_OUT, 0, &st->rng_ctx);
			st->rt_in[a][e] = fz_sa(a, e, ESP_DIR_IN, 0, NULL);
			if (esp_sadb_add(st->db, fz_spi(a, e), st->in[a][e]))
				abort();
		}
	}
}

static inline void fz_state_free(struct fz_state *st)
{
	for (int a = 0; a < FZ_NALGS; a++) {
		for (int e = 0; e < 2; e++) {
			esp_sa_free(st->in[a][e]);
			esp_sa_free(st->rt_out[a][e]);
			esp_sa_free(st->rt_in[a][e]);
		}
	}
	esp_sadb_free(st->db);
}

static inline int fz_authentic(int rc)
{
	return rc == ESP_OK || rc == ESP_EPAD || rc == ESP_EDUMMY || rc == ESP_ENEXTHDR ||
	       rc == ESP_EINNER;
}

/* fz_open opens |pkt| (|len| octets, copied to an exact-size buffer) and checks the properties. */
static inline int fz_open(struct esp_sa *sa, const uint8_t *pkt, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1), *again = malloc(len ? len : 1);
	struct esp_pkt p = {buf, len, 0, len}, q = {again, len, 0, len};
	struct esp_rx rx;
	int rc, rc2;

	if (!buf || !again)
		abort();
	memcpy(buf, pkt, len);
	memcpy(again, pkt, len);
	rc = esp_open(sa, &p, &rx);
	if (strcmp(esp_err_name(rc), "unknown") == 0)
		abort(); /* every result is a named code */
	if (fz_authentic(rc) != rx.authenticated)
		abort();
	if (rc == ESP_OK) {
		if (p.off < ESP_HDR_LEN || p.off + p.len > len || p.len < ESP_IPV4_MIN_HDR ||
		    (buf[p.off] >> 4) != 4 || ((size_t)buf[p.off + 2] << 8 | buf[p.off + 3]) != p.len)
			abort();
	} else if (!rx.authenticated && (p.off != 0 || p.len != len)) {
		abort(); /* a reject leaves the span alone */
	}
	rc2 = esp_open(sa, &q, NULL);
	if (rx.authenticated ? rc2 != ESP_EREPLAY : rc2 != rc)
		abort(); /* authentic once = replay after; refused = refused alike */
	free(buf);
	free(again);
	return rc;
}

/* fz_udp demultiplexes a port-4500 payload; ESP goes to the SA its SPI names. */
static inline int fz_udp(struct fz_state *st, const uint8_t *d, size_t n)
{
	uint8_t *buf = malloc(n ? n : 1);
	struct esp_pkt p = {buf, n, 0, n}, m;
	enum esp_udp_kind k;
	int rc;

	if (!buf)
		abort();
	if (n)
		memcpy(buf, d, n);
	k = esp_udp_demux(&p);
	m = (struct esp_pkt){buf, n, 0, n};
	rc = esp_udp_marker_strip(&m);
	switch (k) {
	case ESP_UDP_IKE:
		if (rc != ESP_OK || p.off != 4 || p.len != n - 4 || n < 32)
			abort();
		break;
	case ESP_UDP_KEEPALIVE:
		if (n != 1 || buf[0] != 0xff)
			abort();
		break;
	case ESP_UDP_ESP: {
		int err;
		struct esp_sa *sa = esp_sadb_lookup(st->db, buf, n, &err);

		if (rc != ESP_EMARKER || n < ESP_HDR_LEN || p.off != 0 || p.len != n)
			abort();
		if (!sa) {
			if (err != ESP_EUNKNOWN_SPI)
				abort();
			free(buf);
			return ESP_EUNKNOWN_SPI;
		}
		rc = fz_open(sa, buf, n);
		free(buf);
		return rc;
	}
	case ESP_UDP_INVALID:
		break;
	}
	free(buf);
	return FZ_UDP_OTHER + (int)k;
}

/* fz_seal seals |d| as an inner packet (IPv4 if long enough, else a dummy) and opens it. */
static inline int fz_seal(struct fz_state *st, int a, int esn, const uint8_t *d, size_t n)
{
	size_t cap = ESP_HEADROOM + n + ESP_TAILROOM;
	uint8_t *buf = malloc(cap), *ref = malloc(n ? n : 1);
	struct esp_pkt p = {buf, cap, ESP_HEADROOM, n};
	uint8_t nh = n >= ESP_IPV4_MIN_HDR && n <= 65535 ? ESP_NH_IPV4 : ESP_NH_NONE;
	int rc;

	if (!buf || !ref)
		abort();
	if (n)
		memcpy(buf + ESP_HEADROOM, d, n);
	if (nh == ESP_NH_IPV4) {
		buf[ESP_HEADROOM] = 0x45;
		buf[ESP_HEADROOM + 2] = (uint8_t)(n >> 8);
		buf[ESP_HEADROOM + 3] = (uint8_t)n;
	}
	memcpy(ref, buf + ESP_HEADROOM, n);
	if (esp_seal(st->rt_out[a][esn], &p, nh) != ESP_OK)
		abort();
	rc = esp_open(st->rt_in[a][esn], &p, NULL);
	if (rc != (nh == ESP_NH_IPV4 ? ESP_OK : ESP_EDUMMY) || p.len != n ||
	    p.off != ESP_HEADROOM || memcmp(buf + p.off, ref, n) != 0)
		abort();
	free(buf);
	free(ref);
	return FZ_SEALED;
}

/* fz_one runs one input against |st|; returns esp_open's code or an FZ_ outcome. */
static inline int fz_one(struct fz_state *st, const uint8_t *data, size_t size)
{
	uint8_t mode;
	int a, esn, rc;

	if (size < 1 || size > FZ_MAX)
		return FZ_IGNORED;
	mode = data[0];
	a = (mode & 7) % FZ_NALGS;
	esn = (mode & FZ_ESN) ? 1 : 0;
	data++;
	size--;
	if (mode & FZ_SEAL)
		return size <= 9000 ? fz_seal(st, a, esn, data, size) : FZ_IGNORED;
	if (mode & FZ_UDP)
		return fz_udp(st, data, size);
	if (mode & FZ_FRESH) {
		struct esp_sa *sa = fz_sa(a, esn, ESP_DIR_IN, (mode & FZ_SYNC) ? 4096 : 0, NULL);

		if (mode & FZ_SYNC) {
			uint64_t top = 0;

			if (size < 8) {
				esp_sa_free(sa);
				return FZ_IGNORED;
			}
			for (int i = 0; i < 8; i++)
				top = top << 8 | data[i];
			data += 8;
			size -= 8;
			rc = esp_sa_seq_sync(sa, top);
			if (rc != ESP_OK && !(rc == ESP_EINVAL && !esn && top > UINT32_MAX))
				abort();
		}
		rc = fz_open(sa, data, size);
		esp_sa_free(sa);
		return rc;
	}
	return fz_open(st->in[a][esn], data, size);
}

#endif
