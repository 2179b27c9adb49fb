/*
 * conf_link.h — link-layer decapsulation for the link types vpnlab reads:
 * EN10MB (with 802.1Q/802.1ad tags), LINUX_SLL, LINUX_SLL2, RAW (DLT 12/14,
 * LINKTYPE_RAW 101), IPV4 (228), IPV6 (229), PPP (9; ns-3 point-to-point
 * captures use a bare 2-octet protocol 0x0021), PPP_SERIAL (50), NULL (0,
 * host byte order family) and LOOP (108, network byte order family).
 */
#ifndef VPNLAB_CONF_LINK_H
#define VPNLAB_CONF_LINK_H

#include <stdint.h>

enum conf_l3 {
	CONF_L3_NONE = 0,  /* link header truncated or unreadable */
	CONF_L3_IPV4,
	CONF_L3_IPV6,      /* recognised, counted, not checked */
	CONF_L3_OTHER,     /* ARP, LLC, LCP, ... */
};

#define CONF_LINK_MAX_VLAN 2

struct conf_link {
	int dlt;
	uint16_t proto;      /* ethertype (or PPP protocol / address family) */
	uint8_t n_vlan;      /* tags seen (more than CONF_LINK_MAX_VLAN are skipped) */
	uint16_t vlan[CONF_LINK_MAX_VLAN]; /* VLAN IDs, outermost first */
	int16_t pkttype;     /* SLL/SLL2 packet type (0 host, 4 outgoing), -1 if none */
};

/* conf_link_supported returns 1 for the link types listed above. */
int conf_link_supported(int dlt);

/* conf_link_name returns a short name ("EN10MB", "PPP"), "?" if unknown. */
const char *conf_link_name(int dlt);

/*
 * conf_link_decap reads the link header of a frame of type |dlt| and returns
 * the offset of the network-layer header (sets |l3| and |li|), or -1 if the
 * frame is too short for its link header (|l3| = CONF_L3_NONE).
 */
int conf_link_decap(int dlt, const uint8_t *p, uint32_t len, struct conf_link *li,
		    enum conf_l3 *l3);

#endif
