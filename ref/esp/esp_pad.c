/* esp_pad.c — ESP padding and trailer (RFC 4303 §2.4-2.6). */
#include "ref/esp/esp.h"

#include "ref/esp/esp_internal.h"

size_t esp_pad_len(size_t payload_len, size_t align)
{
	size_t rem;

	if (align <= 1)
		return 0;
	/* every ESP alignment is a power of two: mask, not a 64-bit divide (~40+ cycles) */
	if ((align & (align - 1)) == 0)
		return esp_pad_len_fast(payload_len, align);
	rem = (payload_len + ESP_TRAILER_LEN) % align;
	return rem ? align - rem : 0;
}

void esp_pad_write(uint8_t *p, size_t pad, uint8_t next_header)
{
	/* §2.4: with no other padding scheme agreed, the octets are 1, 2, 3, ... */
	esp_pad_write_fast(p, pad, next_header);
}

int esp_pad_parse(const uint8_t *pt, size_t len, size_t *payload_len,
		  uint8_t *next_header, uint8_t *pad_len)
{
	size_t pad;

	if (len < ESP_TRAILER_LEN)
		return ESP_ETRUNC;
	pad = pt[len - 2];
	*pad_len = (uint8_t)pad;
	*next_header = pt[len - 1];
	if (pad > len - ESP_TRAILER_LEN)
		return ESP_EPAD;
	/* §2.4: the receiver SHOULD inspect the padding; it runs after the ICV. */
	for (size_t i = 0; i < pad; i++)
		if (pt[len - ESP_TRAILER_LEN - pad + i] != (uint8_t)(i + 1))
			return ESP_EPAD;
	*payload_len = len - ESP_TRAILER_LEN - pad;
	return ESP_OK;
}
