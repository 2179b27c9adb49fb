/*
 * realnet_tun.h — the TUN device and the routes through it (ioctl only:
 * TUNSETIFF, SIOCSIFADDR/NETMASK/MTU/FLAGS, SIOCADDRT/SIOCDELRT), and the
 * lookup of the current route to an address (/proc/net/route) so a client
 * whose selectors cover its own gateway can keep a host route to it.
 *
 * Every function returns 0 or -1 with a sentence in |msg| naming the
 * device or route, the errno text and what to do (EPERM: CAP_NET_ADMIN).
 */
#ifndef VPNLAB_CLI_REALNET_TUN_H
#define VPNLAB_CLI_REALNET_TUN_H

#include <stddef.h>
#include <stdint.h>

/*
 * rn_tun_open creates a TUN (IFF_TUN|IFF_NO_PI, non-blocking) named |name|
 * or, if empty, vpnlab%d; the name the kernel gave in |out| (16 octets).
 * With |vnet| it adds IFF_VNET_HDR and asks for TUN_F_CSUM|TUN_F_TSO4
 * (realnet_gso.h); *|offloads| says whether the kernel took them.
 */
int rn_tun_open(const char *name, int vnet, char *out, int *offloads, char *msg, size_t cap);
/* rn_tun_config sets the MTU, optionally an address (|addr| 0 = none) with |prefix|, and brings the link up. */
int rn_tun_config(const char *ifname, unsigned mtu, uint32_t addr, unsigned prefix, char *msg, size_t cap);
/* rn_tun_set_addr sets (or replaces) the IPv4 address of |ifname|. */
int rn_tun_set_addr(const char *ifname, uint32_t addr, unsigned prefix, char *msg, size_t cap);

/* rn_route_add / rn_route_del: |dst|/|prefix| via |gw| (0 = on-link) on |ifname|. EEXIST on add counts as success. */
int rn_route_add(uint32_t dst, unsigned prefix, uint32_t gw, const char *ifname, char *msg, size_t cap);
int rn_route_del(uint32_t dst, unsigned prefix, uint32_t gw, const char *ifname, char *msg, size_t cap);

/* rn_route_lookup finds the main-table route /proc/net/route uses for |addr|: its gateway and device. */
int rn_route_lookup(uint32_t addr, uint32_t *gw, char ifname[16], char *msg, size_t cap);

/*
 * rn_range_cidrs splits the address range [lo, hi] into at most |max|
 * CIDR blocks (addr, prefix); returns how many, or -1 if more are needed.
 */
int rn_range_cidrs(uint32_t lo, uint32_t hi, uint32_t *addr, unsigned *prefix, int max);

#endif
