/* conf_link.c — link-layer headers down to IPv4/IPv6. */
#include "conformance/conf_link.h"

#include <string.h>

/* Values are fixed here rather than taken from <pcap/dlt.h>, whose DLT_RAW and
 * DLT_LOOP depend on the platform the library was built for. */
enum {
	L_NULL = 0, L_EN10MB = 1, L_PPP = 9, L_RAW12 = 12, L_RAW14 = 14, L_PPP_SERIAL = 50,
	L_LINKTYPE_RAW = 101, L_LOOP = 108, L_SLL = 113, L_IPV4 = 228, L_IPV6 = 229, L_SLL2 = 276,
};

int conf_link_supported(int dlt)
{
	switch (dlt) {
	case L_NULL: case L_EN10MB: case L_PPP: case L_RAW12: case L_RAW14: case L_PPP_SERIAL:
	case L_LINKTYPE_RAW: case L_LOOP: case L_SLL: case L_IPV4: case L_IPV6: case L_SLL2:
		return 1;
	}
	return 0;
}

const char *conf_link_name(int dlt)
{
	switch (dlt) {
	case L_NULL: return "NULL";
	case L_EN10MB: return "EN10MB";
	case L_PPP: return "PPP";
	case L_RAW12: case L_RAW14: case L_LINKTYPE_RAW: return "RAW";
	case L_PPP_SERIAL: return "PPP_SERIAL";
	case L_LOOP: return "LOOP";
	case L_SLL: return "LINUX_SLL";
	case L_IPV4: return "IPV4";
	case L_IPV6: return "IPV6";
	case L_SLL2: return "LINUX_SLL2";
	}
	return "?";
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static enum conf_l3 from_ethertype(uint16_t t)
{
	return t == 0x0800 ? CONF_L3_IPV4 : t == 0x86dd ? CONF_L3_IPV6 : CONF_L3_OTHER;
}

/* from_version looks at the IP version nibble (raw IP link types). */
static enum conf_l3 from_version(const uint8_t *p, uint32_t len)
{
	if (len < 1)
		return CONF_L3_NONE;
	return (p[0] >> 4) == 4 ? CONF_L3_IPV4 : (p[0] >> 4) == 6 ? CONF_L3_IPV6 : CONF_L3_OTHER;
}

/* from_af maps BSD/Linux address families: AF_INET is 2 everywhere, AF_INET6
 * is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin). */
static enum conf_l3 from_af(uint32_t af)
{
	if (af == 2)
		return CONF_L3_IPV4;
	if (af == 10 || af == 24 || af == 28 || af == 30)
		return CONF_L3_IPV6;
	return CONF_L3_OTHER;
}

static int ethernet(const uint8_t *p, uint32_t len, struct conf_link *li, enum conf_l3 *l3)
{
	if (len < 14)
		return -1;
	uint32_t off = 12;
	uint16_t t = be16(p + off);
	int tags = 0;
	/* 802.1Q 0x8100, 802.1ad 0x88a8 and the old QinQ 0x9100; at most 4 tags */
	while ((t == 0x8100 || t == 0x88a8 || t == 0x9100) && tags < 4) {
		if (len < off + 6)
			return -1;
		if (li->n_vlan < CONF_LINK_MAX_VLAN)
			li->vlan[li->n_vlan++] = be16(p + off + 2) & 0x0fff;
		off += 4;
		t = be16(p + off);
		tags++;
	}
	li->proto = t;
	*l3 = t < 0x0600 ? CONF_L3_OTHER : from_ethertype(t); /* < 0x600: 802.3 length */
	return (int)(off + 2);
}

static int ppp(const uint8_t *p, uint32_t len, struct conf_link *li, enum conf_l3 *l3)
{
	uint32_t off = 0;
	if (len >= 2 && p[0] == 0xff && p[1] == 0x03)
		off = 2; /* HDLC address/control */
	if (len < off + 1)
		return -1;
	uint16_t proto;
	if (p[off] & 1) { /* protocol field compression (RFC 1661 §6.5) */
		proto = p[off];
		off += 1;
	} else {
		if (len < off + 2)
			return -1;
		proto = be16(p + off);
		off += 2;
	}
	li->proto = proto;
	*l3 = proto == 0x0021 ? CONF_L3_IPV4 : proto == 0x0057 ? CONF_L3_IPV6 : CONF_L3_OTHER;
	return (int)off;
}

int conf_link_decap(int dlt, const uint8_t *p, uint32_t len, struct conf_link *li,
		    enum conf_l3 *l3)
{
	memset(li, 0, sizeof *li);
	li->dlt = dlt;
	li->pkttype = -1;
	*l3 = CONF_L3_NONE;
	int off = -1;
	switch (dlt) {
	case L_EN10MB:
		off = ethernet(p, len, li, l3);
		break;
	case L_SLL: /* pkttype 2, arphrd 2, addrlen 2, addr 8, protocol 2 */
		if (len < 16)
			break;
		li->pkttype = (int16_t)be16(p);
		li->proto = be16(p + 14);
		*l3 = from_ethertype(li->proto);
		off = 16;
		break;
	case L_SLL2: /* protocol 2, reserved 2, ifindex 4, arphrd 2, pkttype 1, addrlen 1, addr 8 */
		if (len < 20)
			break;
		li->proto = be16(p);
		li->pkttype = p[10];
		*l3 = from_ethertype(li->proto);
		off = 20;
		break;
	case L_RAW12: case L_RAW14: case L_LINKTYPE_RAW:
		*l3 = from_version(p, len);
		off = *l3 == CONF_L3_NONE ? -1 : 0;
		break;
	case L_IPV4:
		*l3 = len ? CONF_L3_IPV4 : CONF_L3_NONE;
		off = len ? 0 : -1;
		break;
	case L_IPV6:
		*l3 = len ? CONF_L3_IPV6 : CONF_L3_NONE;
		off = len ? 0 : -1;
		break;
	case L_PPP: case L_PPP_SERIAL:
		off = ppp(p, len, li, l3);
		break;
	case L_NULL: { /* family in the capturing host's byte order: try both */
		if (len < 4)
			break;
		uint32_t le = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		uint32_t be = (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
		uint32_t af = from_af(le) != CONF_L3_OTHER ? le : be;
		li->proto = (uint16_t)af;
		*l3 = from_af(af);
		off = 4;
		break;
	}
	case L_LOOP: {
		if (len < 4)
			break;
		uint32_t be = (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
		li->proto = (uint16_t)be;
		*l3 = from_af(be);
		off = 4;
		break;
	}
	default:
		break;
	}
	if (off < 0)
		*l3 = CONF_L3_NONE;
	return off;
}
