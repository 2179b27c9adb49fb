/*
 * ns3shim_util.c — the C half of the ns-3 shim: error channel, argument
 * checks, ICMP quote parsing, formatting (sim/ns3shim_util.h says why it
 * is apart from sim/ns3shim.cc).
 */
#include "sim/ns3shim_util.h"

#include <stdio.h>
#include <string.h>

/* ns3shim_util_err is the last error message: one simulation per process. */
static char ns3shim_util_err[512];

const char *ns3shim_last_error(void)
{
	return ns3shim_util_err;
}

int ns3shim_util_verrorf(int code, const char *fmt, va_list ap)
{
	vsnprintf(ns3shim_util_err, sizeof ns3shim_util_err, fmt, ap);
	return code;
}

int ns3shim_errorf(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ns3shim_util_verrorf(code, fmt, ap);
	va_end(ap);
	return code;
}

void ns3shim_util_clear_error(void)
{
	ns3shim_util_err[0] = 0;
}

const char *ns3shim_util_ipstr(uint32_t a, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return out;
}

uint32_t ns3shim_util_mask(int prefix)
{
	return prefix <= 0 ? 0u : prefix >= 32 ? 0xffffffffu : 0xffffffffu << (32 - prefix);
}

int ns3shim_util_mtu_ok(uint32_t mtu)
{
	return mtu >= 68 && mtu <= 65535;
}

int ns3shim_util_link_cfg(const char *fn, const struct ns3shim_link_cfg *cfg, uint32_t *mtu_a,
			  uint32_t *mtu_b)
{
	if (!cfg)
		return ns3shim_errorf(NS3SHIM_EARG, "%s: cfg is NULL", fn);
	if (cfg->rate_bps == 0)
		return ns3shim_errorf(NS3SHIM_EARG, "%s: rate_bps is 0 (expected > 0)", fn);
	if (cfg->delay_ns > (uint64_t)INT64_MAX)
		return ns3shim_errorf(NS3SHIM_EARG, "%s: delay_ns %llu is too large", fn,
				      (unsigned long long)cfg->delay_ns);
	*mtu_a = cfg->mtu_a ? cfg->mtu_a : 1500;
	*mtu_b = cfg->mtu_b ? cfg->mtu_b : 1500;
	if (!ns3shim_util_mtu_ok(*mtu_a) || !ns3shim_util_mtu_ok(*mtu_b))
		return ns3shim_errorf(NS3SHIM_EARG, "%s: mtu %u/%u out of range (expected 68..65535)",
				      fn, *mtu_a, *mtu_b);
	return 0;
}

int ns3shim_util_hdr_check(const char *fn, const uint8_t *pkt, size_t len, uint32_t *dst)
{
	if (!pkt)
		return ns3shim_errorf(NS3SHIM_EARG, "%s: pkt is NULL", fn);
	if (len < 20 || len > 65535)
		return ns3shim_errorf(NS3SHIM_EARG, "%s: length %zu out of range (expected 20..65535)",
				      fn, len);
	if (pkt[0] != 0x45)
		return ns3shim_errorf(
			NS3SHIM_EARG, "%s: version/IHL octet 0x%02x (expected 0x45: IPv4 without options)",
			fn, pkt[0]);
	size_t tot = (size_t)pkt[2] << 8 | pkt[3];
	if (tot != len)
		return ns3shim_errorf(NS3SHIM_EARG, "%s: total length field %zu != packet length %zu",
				      fn, tot, len);
	*dst = (uint32_t)pkt[16] << 24 | (uint32_t)pkt[17] << 16 | (uint32_t)pkt[18] << 8 | pkt[19];
	return 0;
}

int ns3shim_util_buf(const char *fn, const void *p, size_t len, size_t max, const char *what,
		     const char *limit)
{
	if (!p && len)
		return ns3shim_errorf(NS3SHIM_EARG, "%s: %s is NULL", fn, what);
	if (len > max)
		return ns3shim_errorf(NS3SHIM_EMSGSIZE, "%s: %zu octets exceed the %s maximum %zu",
				      fn, len, limit, max);
	return 0;
}

int ns3shim_util_prefix(const char *fn, int prefix, int lo)
{
	if (prefix < lo || prefix > 32)
		return ns3shim_errorf(NS3SHIM_EARG, "%s: prefix %d out of range (expected %d..32)", fn,
				      prefix, lo);
	return 0;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int ns3shim_util_icmp_parse(uint32_t from, const uint8_t *m, size_t n, struct ns3shim_icmp *e)
{
	if (n < 8)
		return 0;
	uint8_t type = m[0];
	if (type != 3 && type != 4 && type != 5 && type != 11 && type != 12)
		return 0;
	memset(e, 0, sizeof *e);
	e->from = from;
	e->type = type;
	e->code = m[1];
	if (type == 3 && m[1] == 4)
		e->info = (uint32_t)m[6] << 8 | m[7];
	const uint8_t *q = m + 8;
	size_t qn = n - 8;
	if (qn < 20 || (q[0] >> 4) != 4 || (q[0] & 15) < 5 || (size_t)(q[0] & 15) * 4 > qn)
		return 1;
	size_t ihl = (size_t)(q[0] & 15) * 4;
	e->orig_proto = q[9];
	e->orig_src = get32(q + 12);
	e->orig_dst = get32(q + 16);
	size_t pn = qn - ihl < 8 ? qn - ihl : 8;
	memcpy(e->orig_payload, q + ihl, pn);
	if ((e->orig_proto == 6 || e->orig_proto == 17) && pn >= 4) {
		e->orig_sport = (uint16_t)(q[ihl] << 8 | q[ihl + 1]);
		e->orig_dport = (uint16_t)(q[ihl + 2] << 8 | q[ihl + 3]);
	}
	return 1;
}
