/*
 * conf_craft.h — building packets and capture files: the test captures of
 * the conformance checker, its fuzz seeds, and anyone who wants a small
 * pcap with exact bytes. Captures are written by libpcap (pcap format,
 * nanosecond timestamps) into memory or a file, for any link type the
 * decoder reads.
 *
 *   struct conf_craft *w = conf_craft_new(DLT);          // 1 EN10MB, 9 PPP, ...
 *   n = conf_craft_udp(pkt, sizeof pkt, a, 500, b, 500, id, df, ike, ike_len);
 *   conf_craft_add_ip(w, t_ns, pkt, n);                   // adds the link header
 *   struct conf_capture *c = conf_craft_decode(w, err, sizeof err);
 *
 * Builders return the octets written, or 0 when |cap| is too small.
 * IPv4/UDP/TCP/ICMP checksums are filled in (RFC 1071), so tshark accepts
 * the captures.
 */
#ifndef VPNLAB_CONF_CRAFT_H
#define VPNLAB_CONF_CRAFT_H

#include <stddef.h>
#include <stdint.h>

#include "conformance/conf_capture.h"

#define CONF_IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

struct conf_craft;

struct conf_craft *conf_craft_new(int dlt);
void conf_craft_free(struct conf_craft *w);
/* conf_craft_vlan makes later EN10MB frames carry an 802.1Q tag (0 = none). */
void conf_craft_vlan(struct conf_craft *w, uint16_t vlan);
/* conf_craft_snaplen cuts later frames to |snap| octets (0 = no cut). */
void conf_craft_snaplen(struct conf_craft *w, uint32_t snap);

/* conf_craft_add_ip adds an IPv4 (or IPv6) packet with the link header of the capture. */
int conf_craft_add_ip(struct conf_craft *w, uint64_t t_ns, const uint8_t *ip, size_t len);
/* conf_craft_add_frame adds a frame exactly as given (link header included). */
int conf_craft_add_frame(struct conf_craft *w, uint64_t t_ns, const uint8_t *frame, size_t len);

/* conf_craft_bytes returns the capture file so far (malloc'd copy). */
int conf_craft_bytes(struct conf_craft *w, uint8_t **buf, size_t *len);
int conf_craft_save(const struct conf_craft *w, const char *path);
/* conf_craft_decode runs the capture through conf_capture_load_fp. */
struct conf_capture *conf_craft_decode(const struct conf_craft *w, char *err, size_t errlen);

/* ---- packets ---- */

size_t conf_craft_ipv4(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id,
		       int df, const uint8_t *payload, size_t plen);
size_t conf_craft_udp(uint8_t *out, size_t cap, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		      uint16_t id, int df, const uint8_t *payload, size_t plen);
size_t conf_craft_tcp(uint8_t *out, size_t cap, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		      uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *payload, size_t plen);
/* conf_craft_icmp_needfrag: ICMP 3/4 from |router| to the original sender, quoting |orig_len| octets of |orig|. */
size_t conf_craft_icmp_needfrag(uint8_t *out, size_t cap, uint32_t router, uint16_t mtu, const uint8_t *orig,
				size_t orig_len);
/*
 * conf_craft_fragment splits IPv4 packet |pkt| into fragments of at most
 * |mtu| octets (offsets in multiples of 8): writes up to |max| fragments
 * into |out| (each CONF_CRAFT_FRAG_MAX octets), their lengths into |lens|;
 * returns the count or -1.
 */
#define CONF_CRAFT_FRAG_MAX 1600
int conf_craft_fragment(const uint8_t *pkt, size_t len, size_t mtu, uint8_t (*out)[CONF_CRAFT_FRAG_MAX],
			size_t *lens, int max);

/* ---- IKE messages (IKEv1 and IKEv2 share the header and payload header) ---- */

struct conf_craft_ike {
	uint8_t buf[8192];
	size_t len;
	size_t np_at;  /* octet that receives the next payload's type */
	int err;
};

void conf_craft_ike_begin(struct conf_craft_ike *b, const uint8_t spi_i[8], const uint8_t spi_r[8],
			  uint8_t version, uint8_t exch, uint8_t flags, uint32_t msgid);
/* conf_craft_ike_add appends a payload of |type| with body |body| (patching the previous Next Payload). */
void conf_craft_ike_add(struct conf_craft_ike *b, uint8_t type, const uint8_t *body, size_t len);
/* conf_craft_ike_last_np sets the Next Payload of the last payload (SK/SKF: the first inner type). */
void conf_craft_ike_last_np(struct conf_craft_ike *b, uint8_t np);
/* conf_craft_ike_end patches the header Length; returns the message length (0 on overflow). */
size_t conf_craft_ike_end(struct conf_craft_ike *b);

/* Payload bodies (after the generic header). */
size_t conf_craft_notify(uint8_t *out, size_t cap, uint16_t type, const uint8_t *data, size_t dlen);
/* conf_craft_sa_ike: one IKE proposal AES-GCM-16/256, PRF-HMAC-SHA2-256, KE |group| (via ref/ike). */
size_t conf_craft_sa_ike(uint8_t *out, size_t cap, uint16_t group);
size_t conf_craft_ke(uint8_t *out, size_t cap, uint16_t group, size_t data_len);
/* conf_craft_skf: SKF body, fragment |num| of |total| with |data_len| octets of "ciphertext". */
size_t conf_craft_skf(uint8_t *out, size_t cap, uint16_t num, uint16_t total, size_t data_len);
/* conf_craft_esp: an ESP header (SPI, seq) and |data_len| octets of "ciphertext". */
size_t conf_craft_esp(uint8_t *out, size_t cap, uint32_t spi, uint32_t seq, size_t data_len);

#endif
