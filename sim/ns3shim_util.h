/*
 * ns3shim_util.h — the C half of the ns-3 shim (sim/ns3shim_util.c): the
 * error channel behind ns3shim_last_error, argument checks that need no
 * ns-3 object, ICMP quote parsing and address formatting. Internal: only
 * sim/ns3shim.cc includes it (the shim is one C++ file; what need not be
 * C++ lives here to keep that file small). Everyone else uses ns3shim.h.
 *
 * Checks take the public function's name |fn| for the message and return
 * 0 or a negative NS3SHIM_E* code with ns3shim_last_error() set.
 */
#ifndef VPNLAB_SIM_NS3SHIM_UTIL_H
#define VPNLAB_SIM_NS3SHIM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/ns3shim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ns3shim_util_verrorf is ns3shim_errorf with a va_list. */
int ns3shim_util_verrorf(int code, const char *fmt, va_list ap);
void ns3shim_util_clear_error(void);

/* ns3shim_util_ipstr writes |a| (host order) dotted into |out| and returns it. */
const char *ns3shim_util_ipstr(uint32_t a, char out[16]);
/* ns3shim_util_mask is the netmask of |prefix| (0..32), host order. */
uint32_t ns3shim_util_mask(int prefix);
/* ns3shim_util_mtu_ok is 1 for an IP MTU ns-3 devices accept (68..65535). */
int ns3shim_util_mtu_ok(uint32_t mtu);

/* ns3shim_util_link_cfg checks |cfg| and resolves its MTUs (0 = 1500). */
int ns3shim_util_link_cfg(const char *fn, const struct ns3shim_link_cfg *cfg, uint32_t *mtu_a,
			  uint32_t *mtu_b);
/* ns3shim_util_hdr_check checks a caller-built IPv4 packet (IHL 5, total length = |len|). */
int ns3shim_util_hdr_check(const char *fn, const uint8_t *pkt, size_t len, uint32_t *dst);
/*
 * ns3shim_util_buf checks a caller's buffer: |p| (named |what|) may be NULL
 * only when |len| is 0; |len| <= |max|, the |limit| maximum (EMSGSIZE).
 */
int ns3shim_util_buf(const char *fn, const void *p, size_t len, size_t max, const char *what,
		     const char *limit);
/* ns3shim_util_prefix checks |prefix| against |lo|..32. */
int ns3shim_util_prefix(const char *fn, int prefix, int lo);

/*
 * ns3shim_util_icmp_parse fills |e| from ICMP message |m| (ICMP header on)
 * sent by |from|; returns 0 for non-error types or a message under 8
 * octets. A quote too short for the IP header leaves the orig_* fields 0.
 */
int ns3shim_util_icmp_parse(uint32_t from, const uint8_t *m, size_t n, struct ns3shim_icmp *e);

#ifdef __cplusplus
}
#endif

#endif
