/*
 * realnet_pcap.c — the outer-traffic capture (realnet_pcap.h): libpcap
 * writes the file, we only build the IPv4/UDP headers a socket hides.
 */
#include "cli/realnet_pcap.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rn_pcap {
	pcap_t *dead;
	pcap_dumper_t *dump;
	uint16_t ip_id;
	uint64_t count;
	uint8_t scratch[RN_PCAP_IP_HDR + RN_PCAP_UDP_HDR + RN_PCAP_SNAPLEN];
};

struct rn_pcap *rn_pcap_open(const char *path, char *msg, size_t cap)
{
	struct rn_pcap *pc = calloc(1, sizeof *pc);

	if (pc == NULL) {
		snprintf(msg, cap, "pcap %s: out of memory", path);
		return NULL;
	}
	pc->dead = pcap_open_dead(DLT_RAW, RN_PCAP_SNAPLEN);
	if (pc->dead == NULL) {
		snprintf(msg, cap, "pcap %s: pcap_open_dead(DLT_RAW) failed", path);
		free(pc);
		return NULL;
	}
	pc->dump = pcap_dump_open(pc->dead, path);
	if (pc->dump == NULL) {
		snprintf(msg, cap, "--pcap %s: %s, expected a writable file", path, pcap_geterr(pc->dead));
		pcap_close(pc->dead);
		free(pc);
		return NULL;
	}
	return pc;
}

void rn_pcap_flush(struct rn_pcap *pc)
{
	if (pc != NULL)
		pcap_dump_flush(pc->dump);
}

void rn_pcap_close(struct rn_pcap *pc)
{
	if (pc == NULL)
		return;
	pcap_dump_close(pc->dump);
	pcap_close(pc->dead);
	free(pc);
}

uint64_t rn_pcap_count(const struct rn_pcap *pc)
{
	return pc ? pc->count : 0;
}

uint32_t rn_ip_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t rn_ip_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* ip_hdr writes a 20-octet IPv4 header for |total| octets of |proto| at |h|. */
static void ip_hdr(struct rn_pcap *pc, uint8_t *h, size_t total, uint8_t proto, uint32_t src, uint32_t dst)
{
	h[0] = 0x45;
	h[1] = 0;
	put16(h + 2, (uint16_t)total);
	put16(h + 4, pc->ip_id++);
	put16(h + 6, 0);
	h[8] = 64;
	h[9] = proto;
	put16(h + 10, 0);
	put32(h + 12, src);
	put32(h + 16, dst);
	put16(h + 10, (uint16_t)~rn_ip_csum_fold(rn_ip_csum_add(0, h, RN_PCAP_IP_HDR)));
}

static void record(struct rn_pcap *pc, const uint8_t *pkt, size_t len)
{
	struct pcap_pkthdr ph;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ph.ts.tv_sec = ts.tv_sec;
	ph.ts.tv_usec = ts.tv_nsec / 1000;
	ph.len = (bpf_u_int32)len;
	ph.caplen = (bpf_u_int32)(len > RN_PCAP_SNAPLEN ? RN_PCAP_SNAPLEN : len);
	pcap_dump((u_char *)pc->dump, &ph, pkt);
	pc->count++;
}

/* start returns where the headers go: in the caller's room, or in scratch with the payload copied. */
static uint8_t *start(struct rn_pcap *pc, uint8_t *payload, size_t len, size_t room, size_t hdr)
{
	if (room >= hdr)
		return payload - hdr;
	if (len > RN_PCAP_SNAPLEN)
		len = RN_PCAP_SNAPLEN;
	memcpy(pc->scratch + hdr, payload, len);
	return pc->scratch;
}

void rn_pcap_udp(struct rn_pcap *pc, uint8_t *payload, size_t len, size_t room, uint32_t src, uint16_t sport,
		 uint32_t dst, uint16_t dport)
{
	const size_t hdr = RN_PCAP_IP_HDR + RN_PCAP_UDP_HDR;
	uint8_t *h, *u, pseudo[12];
	uint32_t sum;
	uint16_t c;

	if (pc == NULL || len > RN_PCAP_SNAPLEN - hdr)
		return;
	h = start(pc, payload, len, room, hdr);
	u = h + RN_PCAP_IP_HDR;
	ip_hdr(pc, h, hdr + len, 17, src, dst);
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(RN_PCAP_UDP_HDR + len));
	put16(u + 6, 0);
	/* RFC 768: the checksum covers the pseudo-header, the UDP header and the data */
	put32(pseudo, src);
	put32(pseudo + 4, dst);
	pseudo[8] = 0;
	pseudo[9] = 17;
	put16(pseudo + 10, (uint16_t)(RN_PCAP_UDP_HDR + len));
	sum = rn_ip_csum_add(0, pseudo, sizeof pseudo);
	sum = rn_ip_csum_add(sum, u, RN_PCAP_UDP_HDR + len);
	c = (uint16_t)~rn_ip_csum_fold(sum);
	put16(u + 6, c == 0 ? 0xffff : c);
	record(pc, h, hdr + len);
}

void rn_pcap_udp_copy(struct rn_pcap *pc, const uint8_t *payload, size_t len, uint32_t src, uint16_t sport,
		      uint32_t dst, uint16_t dport)
{
	const size_t hdr = RN_PCAP_IP_HDR + RN_PCAP_UDP_HDR;

	if (pc == NULL || len > RN_PCAP_SNAPLEN - hdr)
		return;
	memcpy(pc->scratch + hdr, payload, len);
	rn_pcap_udp(pc, pc->scratch + hdr, len, hdr, src, sport, dst, dport);
}

void rn_pcap_esp(struct rn_pcap *pc, uint8_t *esp, size_t len, size_t room, uint32_t src, uint32_t dst)
{
	uint8_t *h;

	if (pc == NULL || len > RN_PCAP_SNAPLEN - RN_PCAP_IP_HDR)
		return;
	h = start(pc, esp, len, room, RN_PCAP_IP_HDR);
	ip_hdr(pc, h, RN_PCAP_IP_HDR + len, 50, src, dst);
	record(pc, h, RN_PCAP_IP_HDR + len);
}

void rn_pcap_ipv4(struct rn_pcap *pc, const uint8_t *ip, size_t len)
{
	if (pc != NULL)
		record(pc, ip, len);
}
