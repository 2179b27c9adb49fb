/* esp_udpencap.c — RFC 3948 port-4500 demultiplexing and the non-ESP marker. */
#include "ref/esp/esp_udpencap.h"

static int marker_is_zero(const uint8_t *p)
{
	return (p[0] | p[1] | p[2] | p[3]) == 0;
}

enum esp_udp_kind esp_udp_classify(const uint8_t *p, size_t len)
{
	if (!p || len == 0)
		return ESP_UDP_INVALID;
	if (len == 1)
		return p[0] == ESP_UDP_KEEPALIVE_OCTET ? ESP_UDP_KEEPALIVE : ESP_UDP_INVALID;
	if (len < ESP_UDP_MARKER_LEN)
		return ESP_UDP_INVALID;
	if (marker_is_zero(p))
		return len >= ESP_UDP_MARKER_LEN + ESP_UDP_IKE_HDR_LEN ? ESP_UDP_IKE
								      : ESP_UDP_INVALID;
	return len >= ESP_HDR_LEN ? ESP_UDP_ESP : ESP_UDP_INVALID;
}

enum esp_udp_kind esp_udp_demux(struct esp_pkt *p)
{
	enum esp_udp_kind k;

	if (!p || !p->base || p->off > p->cap || p->len > p->cap - p->off)
		return ESP_UDP_INVALID;
	k = esp_udp_classify(p->base + p->off, p->len);
	if (k == ESP_UDP_IKE) {
		p->off += ESP_UDP_MARKER_LEN;
		p->len -= ESP_UDP_MARKER_LEN;
	}
	return k;
}

size_t esp_udp_keepalive(uint8_t *out, size_t cap)
{
	if (!out || cap < 1)
		return 0;
	out[0] = ESP_UDP_KEEPALIVE_OCTET;
	return 1;
}

int esp_udp_marker_add(struct esp_pkt *p)
{
	if (!p || !p->base || p->off > p->cap || p->len > p->cap - p->off)
		return ESP_EINVAL;
	if (p->off < ESP_UDP_MARKER_LEN)
		return ESP_ENOSPACE;
	p->off -= ESP_UDP_MARKER_LEN;
	p->len += ESP_UDP_MARKER_LEN;
	for (size_t i = 0; i < ESP_UDP_MARKER_LEN; i++)
		p->base[p->off + i] = 0;
	return ESP_OK;
}

int esp_udp_marker_strip(struct esp_pkt *p)
{
	if (!p || !p->base || p->off > p->cap || p->len > p->cap - p->off)
		return ESP_EINVAL;
	if (p->len < ESP_UDP_MARKER_LEN)
		return ESP_ETRUNC;
	if (!marker_is_zero(p->base + p->off))
		return ESP_EMARKER;
	p->off += ESP_UDP_MARKER_LEN;
	p->len -= ESP_UDP_MARKER_LEN;
	return ESP_OK;
}
