/* esp_names.c — the name tables for ESP errors and constants (logs, events, decoders). */
#include "ref/esp/esp.h"

#include "ref/esp/esp_udpencap.h"

static const struct {
	int err;
	const char *name;
	const char *text;
} esp_errs[] = {
	{ESP_OK, "ok", "success"},
	{ESP_EINVAL, "invalid", "invalid argument or SA configuration"},
	{ESP_ENOSPACE, "no-space", "buffer headroom/tailroom or table too small"},
	{ESP_ENOMEM, "no-memory", "out of memory"},
	{ESP_ECRYPTO, "crypto", "crypto layer failure"},
	{ESP_ERAND, "random", "random source failed (CBC IV)"},
	{ESP_EDIR, "direction", "seal on an inbound SA or open on an outbound SA"},
	{ESP_ETRUNC, "truncated", "packet shorter than SPI + sequence number + IV + trailer + ICV"},
	{ESP_EALIGN, "misaligned", "ciphertext length not a multiple of the cipher's padding alignment"},
	{ESP_EUNKNOWN_SPI, "unknown-spi", "no SA for this SPI"},
	{ESP_ESPI, "spi-mismatch", "packet SPI differs from the SA's SPI"},
	{ESP_ESEQ_ZERO, "seq-zero", "sequence number 0 (never sent, RFC 4303 3.3.3)"},
	{ESP_EREPLAY, "replayed", "sequence number already received (replay)"},
	{ESP_EOLD, "too-old", "sequence number left of the anti-replay window"},
	{ESP_EICV, "icv", "ICV mismatch (integrity check failed)"},
	{ESP_EPAD, "bad-padding", "padding not 1,2,3,... or pad length larger than the payload"},
	{ESP_EDUMMY, "dummy", "dummy packet (next header 59), discarded"},
	{ESP_ENEXTHDR, "next-header", "next header is not IPv4 (tunnel mode)"},
	{ESP_EINNER, "inner-ipv4", "inner IPv4 header malformed or longer than the payload"},
	{ESP_ESEQ_OVERFLOW, "seq-overflow", "sequence number would wrap: rekey the SA (RFC 4303 3.3.3)"},
	{ESP_EEXPIRED, "expired", "SA hard lifetime reached: it must not be used"},
	{ESP_EMARKER, "no-marker", "non-ESP marker (4 zero octets, RFC 3948) missing"},
};

const char *esp_strerror(int err)
{
	for (size_t i = 0; i < sizeof esp_errs / sizeof esp_errs[0]; i++)
		if (esp_errs[i].err == err)
			return esp_errs[i].text;
	return "unknown ESP error";
}

const char *esp_err_name(int err)
{
	for (size_t i = 0; i < sizeof esp_errs / sizeof esp_errs[0]; i++)
		if (esp_errs[i].err == err)
			return esp_errs[i].name;
	return "unknown";
}

const char *esp_nh_name(uint8_t nh)
{
	switch (nh) {
	case ESP_NH_IPV4:
		return "IPv4";
	case ESP_NH_IPV6:
		return "IPv6";
	case ESP_NH_NONE:
		return "none";
	default:
		return "unknown";
	}
}

const char *esp_life_name(enum esp_life l)
{
	switch (l) {
	case ESP_LIFE_OK:
		return "ok";
	case ESP_LIFE_SOFT:
		return "soft";
	case ESP_LIFE_HARD:
		return "hard";
	}
	return "unknown";
}

const char *esp_udp_kind_name(enum esp_udp_kind k)
{
	switch (k) {
	case ESP_UDP_INVALID:
		return "invalid";
	case ESP_UDP_KEEPALIVE:
		return "keepalive";
	case ESP_UDP_IKE:
		return "ike";
	case ESP_UDP_ESP:
		return "esp";
	}
	return "unknown";
}
