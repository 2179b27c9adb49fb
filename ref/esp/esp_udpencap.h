/*
 * esp_udpencap.h — UDP encapsulation of ESP (RFC 3948) seen from the
 * payload of a UDP datagram on port 4500: demultiplexing between NAT
 * keepalives, IKE messages and ESP packets, and the non-ESP marker.
 *
 * RFC 3948 §2.1-2.3, on port 4500 a UDP payload is one of
 *
 *   NAT-keepalive   exactly one octet 0xFF
 *   IKE             Non-ESP Marker (4 zero octets) || IKE header (28) || ...
 *   ESP             SPI (4, never 0) || Sequence Number (4) || ...
 *
 * The SPI 0 cannot start an ESP packet, which is why 4 zero octets can mark
 * IKE. The UDP header itself (checksum 0 for ESP, RFC 3948 §2.1) is the
 * caller's: these helpers only see payloads.
 */
#ifndef VPNLAB_REF_ESP_UDPENCAP_H
#define VPNLAB_REF_ESP_UDPENCAP_H

#include <stddef.h>
#include <stdint.h>

#include "ref/esp/esp.h"

enum {
	ESP_UDP_PORT = 4500,         /* RFC 3948 §2, RFC 7296 §2.23 */
	ESP_UDP_MARKER_LEN = 4,      /* Non-ESP Marker, RFC 3948 §2.2 */
	ESP_UDP_KEEPALIVE_OCTET = 0xFF, /* RFC 3948 §2.3 */
	ESP_UDP_IKE_HDR_LEN = 28,    /* RFC 7296 §3.1 */
};

enum esp_udp_kind {
	ESP_UDP_INVALID = 0, /* none of the three: drop */
	ESP_UDP_KEEPALIVE,
	ESP_UDP_IKE,
	ESP_UDP_ESP,
};

/*
 * esp_udp_classify names the payload |p| of a datagram to/from port 4500.
 * IKE needs the marker and a full IKE header after it; ESP needs a non-zero
 * SPI and a whole ESP header; a single octet is a keepalive only if 0xFF.
 */
enum esp_udp_kind esp_udp_classify(const uint8_t *p, size_t len);
const char *esp_udp_kind_name(enum esp_udp_kind k);

/*
 * esp_udp_demux classifies the span |p| and, for IKE, strips the marker so
 * |p| is the IKE message; for ESP |p| is left as the ESP packet. Returns the
 * kind.
 */
enum esp_udp_kind esp_udp_demux(struct esp_pkt *p);

/* esp_udp_keepalive writes the one-octet NAT-keepalive to |out|; returns 1, or 0 if |cap| is 0. */
size_t esp_udp_keepalive(uint8_t *out, size_t cap);

/* esp_udp_marker_add prepends the Non-ESP Marker: ESP_ENOSPACE if |p|->off < 4. */
int esp_udp_marker_add(struct esp_pkt *p);

/* esp_udp_marker_strip removes it: ESP_ETRUNC if shorter than 4, ESP_EMARKER if not zero. */
int esp_udp_marker_strip(struct esp_pkt *p);

#endif
