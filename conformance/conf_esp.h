/*
 * conf_esp.h — the cleartext part of an ESP packet (RFC 4303 §2): SPI and
 * Sequence Number. Payload, padding and ICV are ciphertext; with keys,
 * conf_dec.h decrypts them through ref/esp.
 */
#ifndef VPNLAB_CONF_ESP_H
#define VPNLAB_CONF_ESP_H

#include <stddef.h>
#include <stdint.h>

struct conf_esphdr {
	uint32_t spi, seq;
};

/* conf_esp_parse reads SPI and sequence; -1 with |err| if |len| < 8. */
int conf_esp_parse(const uint8_t *p, uint32_t len, struct conf_esphdr *h, char *err, size_t errlen);

#endif
