/*
 * realnet_pcap.h — a capture of the loop's own outer traffic (IKE and ESP
 * datagrams it sends and receives), written with libpcap's
 * pcap_open_dead(DLT_RAW) + pcap_dump: every record is one IPv4 packet.
 *
 * A UDP socket never shows us the IP and UDP headers, so the writer
 * synthesises them: IPv4 (IHL 5, TTL 64, DF clear, Identification counting
 * up per capture, header checksum) and UDP (the real checksum over the
 * pseudo-header, as the kernel sends it). Datagrams received on the raw
 * ESP socket already carry their IP header and are written as they came.
 * Timestamps are CLOCK_REALTIME at the time of the call.
 *
 * No copy on the datapath: the caller passes the writable |room| octets it
 * keeps before the payload (cli/realnet.h, RN_HEAD); with room >= 28 the
 * headers are written there, else the packet is copied into a scratch
 * buffer.
 */
#ifndef VPNLAB_CLI_REALNET_PCAP_H
#define VPNLAB_CLI_REALNET_PCAP_H

#include <stddef.h>
#include <stdint.h>

enum { RN_PCAP_IP_HDR = 20, RN_PCAP_UDP_HDR = 8, RN_PCAP_SNAPLEN = 65535 };

struct rn_pcap;

/* rn_pcap_open creates |path| (truncating it); NULL with the reason in |msg|. */
struct rn_pcap *rn_pcap_open(const char *path, char *msg, size_t cap);
/* rn_pcap_close flushes and closes; NULL is a no-op. */
void rn_pcap_close(struct rn_pcap *pc);
void rn_pcap_flush(struct rn_pcap *pc);
/* rn_pcap_count: records written so far. */
uint64_t rn_pcap_count(const struct rn_pcap *pc);

/*
 * rn_pcap_udp records a UDP datagram with |payload| (|len| octets) from
 * |src|:|sport| to |dst|:|dport| (host order). |room| writable octets
 * precede |payload| (they are overwritten when >= 28).
 */
void rn_pcap_udp(struct rn_pcap *pc, uint8_t *payload, size_t len, size_t room, uint32_t src, uint16_t sport,
		 uint32_t dst, uint16_t dport);

/* rn_pcap_udp_copy is rn_pcap_udp for a read-only payload (copied). */
void rn_pcap_udp_copy(struct rn_pcap *pc, const uint8_t *payload, size_t len, uint32_t src, uint16_t sport,
		      uint32_t dst, uint16_t dport);

/* rn_pcap_esp records a plain ESP packet (IP protocol 50), headers synthesised as above (room >= 20). */
void rn_pcap_esp(struct rn_pcap *pc, uint8_t *esp, size_t len, size_t room, uint32_t src, uint32_t dst);

/* rn_pcap_ipv4 records a complete IPv4 packet as it is. */
void rn_pcap_ipv4(struct rn_pcap *pc, const uint8_t *ip, size_t len);

/* rn_ip_csum: the Internet checksum (RFC 1071) of |len| octets, folded, not inverted, added to |sum|. */
uint32_t rn_ip_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t rn_ip_csum_fold(uint32_t sum);

#endif
