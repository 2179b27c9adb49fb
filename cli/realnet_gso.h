/*
 * realnet_gso.h — segmentation and coalescing of inner TCP/IPv4 packets at
 * the TUN device (IFF_VNET_HDR with TUN_F_CSUM | TUN_F_TSO4), so the
 * kernel's TCP hands the loop 64 KiB super-packets and takes them back:
 *
 *   TUN read:  virtio_net_hdr + packet. GSO_TCPV4 -> rn_tso_* cuts it into
 *              gso_size segments (IP length/ID/checksum, TCP sequence, flags
 *              and full checksum per segment); NEEDS_CSUM on a plain packet
 *              -> rn_vnet_csum_finish completes the checksum.
 *   TUN write: a run of decrypted segments of one TCP flow (rn_gro_run: in
 *              sequence, same headers and options, ACK/PSH only, checksums
 *              valid) goes out as one writev: virtio_net_hdr GSO_TCPV4 +
 *              NEEDS_CSUM, the first packet's headers fixed for the total
 *              length, then the other segments' payloads (rn_gro_build).
 *
 * Checksums are RFC 1071 sums; every segment we emit carries a complete
 * checksum, and a segment whose checksum is wrong is never merged (the
 * kernel then drops it as it would without offload). Byte order of the
 * virtio_net_hdr is the host's (legacy TUN vnet header, x86 and ARM LE).
 */
#ifndef VPNLAB_CLI_REALNET_GSO_H
#define VPNLAB_CLI_REALNET_GSO_H

#include <linux/virtio_net.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum {
	RN_VNET_HDR = sizeof(struct virtio_net_hdr), /* 10 */
	RN_GRO_MAX_SEGS = 64,
	RN_GRO_MAX_LEN = 65535,                      /* the IPv4 Total Length limit */
};

/* rn_csum_add adds |len| octets to the one's complement sum |sum| (big-endian 16-bit words; an odd tail is padded). */
uint32_t rn_csum_add(uint32_t sum, const uint8_t *p, size_t len);
/* rn_csum_fold folds to 16 bits (not inverted). */
uint16_t rn_csum_fold(uint32_t sum);

/* rn_vnet_csum_finish completes a NEEDS_CSUM packet: the checksum field at csum_start+csum_offset holds the pseudo-header sum. -1 if out of bounds. */
int rn_vnet_csum_finish(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h);

/* rn_tso: one TCP/IPv4 super-packet being cut into segments. */
struct rn_tso {
	const uint8_t *pkt;
	size_t len, ihl, hlen, mss, payload;
	unsigned nseg;
};

/*
 * rn_tso_init checks that |pkt| is a TCP/IPv4 GSO packet per |h| (gso_type
 * TCPV4, gso_size > 0, headers within |len|) and counts its segments. -1
 * otherwise (the caller drops it).
 */
int rn_tso_init(struct rn_tso *t, const uint8_t *pkt, size_t len, const struct virtio_net_hdr *h);
/* rn_tso_segment writes segment |k| (headers + payload) to |out| (room for hlen + mss) and returns its length. */
size_t rn_tso_segment(const struct rn_tso *t, unsigned k, uint8_t *out);

/* rn_gro_pkt: one decrypted inner packet waiting for the TUN. */
struct rn_gro_pkt {
	uint8_t *p;
	size_t len;
};

/*
 * rn_gro_run returns how many packets from q[0] on (at least 1) can go to
 * the TUN as one TCP GSO packet. 1 means "write q[0] alone".
 */
unsigned rn_gro_run(const struct rn_gro_pkt *q, unsigned n);

/*
 * rn_gro_build prepares the write of q[0..k) (k from rn_gro_run): fills
 * |vh|, rewrites q[0]'s IP Total Length/checksum, TCP flags (PSH of the
 * last) and TCP checksum field (pseudo-header sum for NEEDS_CSUM), and
 * sets iov[0..] = vh, q[0], payloads of q[1..k). Returns the iovec count.
 * With k == 1 the packet is left as is behind an empty header.
 */
int rn_gro_build(struct rn_gro_pkt *q, unsigned k, struct virtio_net_hdr *vh, struct iovec *iov);

#endif
