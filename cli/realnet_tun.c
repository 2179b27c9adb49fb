/*
 * realnet_tun.c — TUN device, addresses and routes (realnet_tun.h).
 * ioctl() rather than rtnetlink: the loop needs one address and a few
 * routes, and the legacy calls do exactly that in a few lines each.
 */
#include "cli/realnet_tun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *fmt_ip(uint32_t a, char buf[16])
{
	struct in_addr in = {htonl(a)};

	return inet_ntop(AF_INET, &in, buf, 16);
}

static uint32_t mask_of(unsigned prefix)
{
	return prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
}

/* privilege_hint: what to say for EPERM/EACCES. */
static const char *privilege_hint(int err)
{
	return err == EPERM || err == EACCES ? ": needs CAP_NET_ADMIN (run as root, or setcap cap_net_admin+ep on the binary)"
					     : "";
}

int rn_tun_open(const char *name, int vnet, char *out, int *offloads, char *msg, size_t cap)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		snprintf(msg, cap, "TUN: open /dev/net/tun: %s%s", strerror(err),
			 err == ENOENT ? ": no TUN support (modprobe tun, or mknod /dev/net/tun c 10 200)"
				       : privilege_hint(err));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name && name[0] ? name : "vpnlab%d");
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = errno;

		snprintf(msg, cap, "TUN %s: TUNSETIFF: %s%s%s", ifr.ifr_name, strerror(err), privilege_hint(err),
			 err == EBUSY ? " (the device exists and is in use: choose another tun name)" : "");
		close(fd);
		return -1;
	}
	snprintf(out, IFNAMSIZ, "%s", ifr.ifr_name);
	*offloads = 0;
	if (vnet) {
		int hdr = 10; /* sizeof(struct virtio_net_hdr): no mergeable-buffer field */

		if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) == 0 && ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4) == 0)
			*offloads = 1;
	}
	return fd;
}

/* ifreq_call runs one SIOC* ioctl on a throw-away socket. */
static int ifreq_call(unsigned long req, struct ifreq *ifr, const char *what, char *msg, size_t cap)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc;

	if (s < 0) {
		snprintf(msg, cap, "%s: socket: %s", what, strerror(errno));
		return -1;
	}
	rc = ioctl(s, req, ifr);
	if (rc < 0) {
		int err = errno;

		snprintf(msg, cap, "%s %s: %s%s", ifr->ifr_name, what, strerror(err), privilege_hint(err));
	}
	close(s);
	return rc < 0 ? -1 : 0;
}

static void set_sin(struct sockaddr *sa, uint32_t addr)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	memcpy(sa, &sin, sizeof sin);
}

int rn_tun_set_addr(const char *ifname, uint32_t addr, unsigned prefix, char *msg, size_t cap)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	set_sin(&ifr.ifr_addr, addr);
	if (ifreq_call(SIOCSIFADDR, &ifr, "set address (SIOCSIFADDR)", msg, cap) < 0)
		return -1;
	set_sin(&ifr.ifr_netmask, mask_of(prefix));
	return ifreq_call(SIOCSIFNETMASK, &ifr, "set netmask (SIOCSIFNETMASK)", msg, cap);
}

int rn_tun_config(const char *ifname, unsigned mtu, uint32_t addr, unsigned prefix, char *msg, size_t cap)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
	ifr.ifr_mtu = (int)mtu;
	if (ifreq_call(SIOCSIFMTU, &ifr, "set MTU (SIOCSIFMTU)", msg, cap) < 0)
		return -1;
	if (addr != 0 && rn_tun_set_addr(ifname, addr, prefix, msg, cap) < 0)
		return -1;
	if (ifreq_call(SIOCGIFFLAGS, &ifr, "get flags (SIOCGIFFLAGS)", msg, cap) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ifreq_call(SIOCSIFFLAGS, &ifr, "bring up (SIOCSIFFLAGS)", msg, cap);
}

static int route_call(unsigned long req, uint32_t dst, unsigned prefix, uint32_t gw, const char *ifname, char *msg,
		      size_t cap)
{
	struct rtentry rt;
	char dev[IFNAMSIZ], a[16], g[16];
	int s, rc, err = 0;

	memset(&rt, 0, sizeof rt);
	snprintf(dev, sizeof dev, "%s", ifname);
	set_sin(&rt.rt_dst, dst & mask_of(prefix));
	set_sin(&rt.rt_genmask, mask_of(prefix));
	set_sin(&rt.rt_gateway, gw);
	rt.rt_flags = RTF_UP | (gw ? RTF_GATEWAY : 0) | (prefix == 32 ? RTF_HOST : 0);
	rt.rt_dev = dev;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		snprintf(msg, cap, "route: socket: %s", strerror(errno));
		return -1;
	}
	rc = ioctl(s, req, &rt);
	if (rc < 0)
		err = errno;
	close(s);
	if (rc < 0 && !(req == SIOCADDRT && err == EEXIST) && !(req == SIOCDELRT && err == ESRCH)) {
		snprintf(msg, cap, "route %s %s/%u%s%s dev %s: %s%s", req == SIOCADDRT ? "add" : "del",
			 fmt_ip(dst & mask_of(prefix), a), prefix, gw ? " via " : "", gw ? fmt_ip(gw, g) : "", ifname,
			 strerror(err), privilege_hint(err));
		return -1;
	}
	return 0;
}

int rn_route_add(uint32_t dst, unsigned prefix, uint32_t gw, const char *ifname, char *msg, size_t cap)
{
	return route_call(SIOCADDRT, dst, prefix, gw, ifname, msg, cap);
}

int rn_route_del(uint32_t dst, unsigned prefix, uint32_t gw, const char *ifname, char *msg, size_t cap)
{
	return route_call(SIOCDELRT, dst, prefix, gw, ifname, msg, cap);
}

int rn_route_lookup(uint32_t addr, uint32_t *gw, char ifname[16], char *msg, size_t cap)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256], best_if[16] = "", a[16];
	int best_len = -1;
	uint32_t best_gw = 0;

	if (f == NULL) {
		snprintf(msg, cap, "route lookup %s: /proc/net/route: %s", fmt_ip(addr, a), strerror(errno));
		return -1;
	}
	/* Iface Destination Gateway Flags RefCnt Use Metric Mask ...; addresses are network-order hex */
	while (fgets(line, sizeof line, f) != NULL) {
		char ifn[16];
		unsigned dst, g, flags, mask;
		int len;

		if (sscanf(line, "%15s %x %x %x %*d %*d %*d %x", ifn, &dst, &g, &flags, &mask) != 5 || !(flags & RTF_UP))
			continue;
		if ((htonl(addr) & mask) != dst)
			continue;
		len = __builtin_popcount(mask);
		if (len > best_len) {
			best_len = len;
			best_gw = ntohl(g);
			snprintf(best_if, sizeof best_if, "%s", ifn);
		}
	}
	fclose(f);
	if (best_len < 0) {
		snprintf(msg, cap, "route lookup %s: no route in the main table", fmt_ip(addr, a));
		return -1;
	}
	*gw = best_gw;
	memcpy(ifname, best_if, 16);
	return 0;
}

int rn_range_cidrs(uint32_t lo, uint32_t hi, uint32_t *addr, unsigned *prefix, int max)
{
	int n = 0;
	uint64_t cur = lo, end = (uint64_t)hi + 1;

	while (cur < end) {
		unsigned bits = 0;

		/* the largest aligned block starting at cur that stays inside the range */
		while (bits < 32 && (cur & ((UINT64_C(1) << (bits + 1)) - 1)) == 0 && cur + (UINT64_C(1) << (bits + 1)) <= end)
			bits++;
		if (n == max)
			return -1;
		addr[n] = (uint32_t)cur;
		prefix[n] = 32 - bits;
		n++;
		cur += UINT64_C(1) << bits;
	}
	return n;
}
