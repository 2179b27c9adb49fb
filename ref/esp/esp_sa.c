/* esp_sa.c — creating, inspecting and syncing ESP SAs (see esp.h). */
#include "ref/esp/esp_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* esp_algs: what each transform expects, for configuration error messages. */
static const struct {
	enum crypto_aead_alg alg;
	const char *name;
	size_t salt_len;
	size_t integ_len;          /* 0 for AEAD */
	const char *enc_expected;
} esp_algs[] = {
	{CRYPTO_AES_GCM_16, "AES-GCM-16", 4, 0, "16 or 32 octets of key + 4 of salt"},
	{CRYPTO_CHACHA20_POLY1305, "ChaCha20-Poly1305", 4, 0, "32 octets of key + 4 of salt"},
	{CRYPTO_AES_CBC_HMAC_SHA256_128, "AES-CBC + HMAC-SHA-256-128", 0, 32, "16 or 32 octets"},
	{CRYPTO_3DES_CBC_HMAC_SHA1_96, "3DES-CBC + HMAC-SHA1-96", 0, 20, "24 octets"},
};

static int alg_index(enum crypto_aead_alg alg)
{
	for (size_t i = 0; i < sizeof esp_algs / sizeof esp_algs[0]; i++)
		if (esp_algs[i].alg == alg)
			return (int)i;
	return -1;
}

static int cfg_fail(char *msg, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cfg_fail(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (msg && cap) {
		va_start(ap, fmt);
		vsnprintf(msg, cap, fmt, ap);
		va_end(ap);
	}
	return ESP_EINVAL;
}

int esp_sa_cfg_check(const struct esp_sa_cfg *cfg, char *msg, size_t cap)
{
	struct crypto_aead_info info;
	int a;

	if (msg && cap)
		msg[0] = '\0';
	if (!cfg)
		return cfg_fail(msg, cap, "cfg: expected a configuration, got NULL");
	if (cfg->spi < ESP_SPI_MIN)
		return cfg_fail(msg, cap,
				"spi 0x%08" PRIx32 ": expected >= 0x100 (RFC 4303 2.1: 0 is "
				"local-only, 1..255 reserved)", cfg->spi);
	if (cfg->dir != ESP_DIR_OUT && cfg->dir != ESP_DIR_IN)
		return cfg_fail(msg, cap, "dir %d: expected ESP_DIR_OUT (0) or ESP_DIR_IN (1)",
				(int)cfg->dir);
	a = alg_index(cfg->alg);
	if (a < 0)
		return cfg_fail(msg, cap, "alg %d: expected a crypto_aead_alg", (int)cfg->alg);
	if (!cfg->enc_key || cfg->enc_key_len < esp_algs[a].salt_len ||
	    crypto_aead_lookup(cfg->alg, cfg->enc_key_len - esp_algs[a].salt_len, &info))
		return cfg_fail(msg, cap, "enc_key_len %zu for %s: expected %s",
				cfg->enc_key ? cfg->enc_key_len : 0, esp_algs[a].name,
				esp_algs[a].enc_expected);
	if (esp_algs[a].integ_len == 0 && (cfg->integ_key || cfg->integ_key_len))
		return cfg_fail(msg, cap, "integ_key_len %zu for %s: expected none (combined mode)",
				cfg->integ_key_len, esp_algs[a].name);
	if (esp_algs[a].integ_len &&
	    (!cfg->integ_key || cfg->integ_key_len != esp_algs[a].integ_len))
		return cfg_fail(msg, cap, "integ_key_len %zu for %s: expected %zu octets",
				cfg->integ_key ? cfg->integ_key_len : 0, esp_algs[a].name,
				esp_algs[a].integ_len);
	if (cfg->esn != 0 && cfg->esn != 1)
		return cfg_fail(msg, cap, "esn %d: expected 0 or 1", cfg->esn);
	if (cfg->dir == ESP_DIR_IN && cfg->replay_window > ESP_REPLAY_MAX)
		return cfg_fail(msg, cap, "replay_window %" PRIu32 ": expected 0 (default %d) or 1..%d",
				cfg->replay_window, ESP_REPLAY_DEFAULT, ESP_REPLAY_MAX);
	if (cfg->dir == ESP_DIR_OUT && !info.aead && !cfg->rng.fill)
		return cfg_fail(msg, cap, "rng: expected a random source for %s IVs (outbound)",
				esp_algs[a].name);
	return esp_lifetime_cfg_check(&cfg->life, msg, cap);
}

struct esp_sa *esp_sa_new(const struct esp_sa_cfg *cfg, int *err)
{
	struct esp_sa *sa;
	uint32_t window = 0;
	size_t rsize = 0;
	int rc, cerr = 0;

	rc = esp_sa_cfg_check(cfg, NULL, 0);
	if (rc)
		goto fail;
	if (cfg->dir == ESP_DIR_IN) {
		window = cfg->replay_window ? cfg->replay_window : ESP_REPLAY_DEFAULT;
		rsize = esp_replay_size(window);
	}
	sa = calloc(1, sizeof *sa + rsize);
	if (!sa) {
		rc = ESP_ENOMEM;
		goto fail;
	}
	sa->aead = crypto_aead_new(cfg->alg, cfg->enc_key, cfg->enc_key_len, cfg->integ_key,
				   cfg->integ_key_len, &cerr);
	if (!sa->aead) {
		free(sa);
		rc = cerr == CRYPTO_ENOMEM ? ESP_ENOMEM
		     : cerr == CRYPTO_EINVAL ? ESP_EINVAL
					     : ESP_ECRYPTO;
		goto fail;
	}
	sa->info = *crypto_aead_get_info(sa->aead);
	if (sa->info.pad_align == 0 || (sa->info.pad_align & (sa->info.pad_align - 1)) ||
	    sa->info.pad_align > ESP_MAX_PAD_ALIGN || sa->info.iv_len > ESP_MAX_IV_LEN ||
	    sa->info.icv_len > ESP_MAX_ICV_LEN) {
		/* the datapath's masks and ESP_HEADROOM/TAILROOM rely on these */
		crypto_aead_free(sa->aead);
		free(sa);
		rc = ESP_ECRYPTO;
		goto fail;
	}
	sa->spi = cfg->spi;
	sa->dir = cfg->dir;
	sa->esn = cfg->esn;
	sa->hdr_len = ESP_HDR_LEN + sa->info.iv_len;
	sa->seq_max = cfg->esn ? UINT64_MAX : UINT32_MAX;
	esp_lifetime_init(&sa->life, &cfg->life);
	sa->rng = cfg->rng;
	sa->ivpool_off = ESP_IVPOOL;
	if (cfg->dir == ESP_DIR_IN) {
		sa->replay = (struct esp_replay *)(sa + 1);
		esp_replay_init(sa->replay, window, cfg->esn);
	}
	if (err)
		*err = ESP_OK;
	return sa;
fail:
	if (err)
		*err = rc;
	return NULL;
}

void esp_sa_free(struct esp_sa *sa)
{
	if (!sa)
		return;
	crypto_aead_free(sa->aead);
	/* The IV pool holds future IVs: not secret, but no reason to leave it. */
	memset(sa->ivpool, 0, sizeof sa->ivpool);
	free(sa);
}

uint32_t esp_sa_spi(const struct esp_sa *sa)
{
	return sa->spi;
}

enum esp_dir esp_sa_dir(const struct esp_sa *sa)
{
	return sa->dir;
}

const struct crypto_aead_info *esp_sa_info(const struct esp_sa *sa)
{
	return &sa->info;
}

size_t esp_sa_headroom(const struct esp_sa *sa)
{
	return sa->hdr_len;
}

size_t esp_sa_tailroom(const struct esp_sa *sa, size_t inner_len)
{
	return esp_pad_len_fast(inner_len, sa->info.pad_align) + ESP_TRAILER_LEN + sa->info.icv_len;
}

uint64_t esp_sa_seq(const struct esp_sa *sa)
{
	return sa->dir == ESP_DIR_IN ? esp_replay_top(sa->replay) : sa->seq;
}

int esp_sa_seq_sync(struct esp_sa *sa, uint64_t seq)
{
	if (!sa || seq > sa->seq_max)
		return ESP_EINVAL;
	if (sa->dir == ESP_DIR_OUT) {
		if (seq < sa->seq)
			return ESP_EINVAL;
		sa->seq = seq;
	} else {
		esp_replay_sync(sa->replay, seq);
	}
	return ESP_OK;
}

enum esp_life esp_sa_life(const struct esp_sa *sa)
{
	enum esp_life l = esp_lifetime_state(&sa->life);
	uint64_t left = sa->seq_max - esp_sa_seq(sa);

	if (left == 0)
		return ESP_LIFE_HARD;
	if (left < ESP_SEQ_SOFT_MARGIN && l < ESP_LIFE_SOFT)
		return ESP_LIFE_SOFT;
	return l;
}

const struct esp_lifetime *esp_sa_lifetime(const struct esp_sa *sa)
{
	return &sa->life;
}
