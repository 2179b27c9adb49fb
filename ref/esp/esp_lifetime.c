/* esp_lifetime.c — SA byte/packet lifetimes, soft and hard (RFC 4301 §4.4.2.1). */
#include "ref/esp/esp.h"

#include "ref/esp/esp_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int esp_lifetime_cfg_check(const struct esp_lifetime_cfg *cfg, char *msg, size_t cap)
{
	if (cfg->hard_bytes && cfg->soft_bytes > cfg->hard_bytes) {
		if (msg)
			snprintf(msg, cap, "life.soft_bytes %" PRIu64 ": expected <= hard_bytes %" PRIu64,
				 cfg->soft_bytes, cfg->hard_bytes);
		return ESP_EINVAL;
	}
	if (cfg->hard_packets && cfg->soft_packets > cfg->hard_packets) {
		if (msg)
			snprintf(msg, cap,
				 "life.soft_packets %" PRIu64 ": expected <= hard_packets %" PRIu64,
				 cfg->soft_packets, cfg->hard_packets);
		return ESP_EINVAL;
	}
	return ESP_OK;
}

void esp_lifetime_init(struct esp_lifetime *lt, const struct esp_lifetime_cfg *cfg)
{
	memset(lt, 0, sizeof *lt);
	if (cfg)
		lt->cfg = *cfg;
}

void esp_lifetime_count(struct esp_lifetime *lt, uint64_t bytes)
{
	esp_lifetime_add(lt, bytes);
}

/* reached: a limit of 0 means none. */
static int reached(uint64_t count, uint64_t limit)
{
	return limit && count >= limit;
}

enum esp_life esp_lifetime_state(const struct esp_lifetime *lt)
{
	if (esp_lifetime_hard(lt))
		return ESP_LIFE_HARD;
	if (reached(lt->bytes, lt->cfg.soft_bytes) || reached(lt->packets, lt->cfg.soft_packets))
		return ESP_LIFE_SOFT;
	return ESP_LIFE_OK;
}
