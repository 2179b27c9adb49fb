/*
 * realnet_sock.c — the outer sockets: UDP on the IKE and NAT-T ports
 * (recvmmsg in, IP_PKTINFO for the local address), the raw IPPROTO_ESP
 * socket for plain ESP, and the send queues flushed with sendmmsg.
 *
 * Sockets are blocking for sends (a full socket buffer slows the TUN
 * reader down instead of dropping, with SO_SNDTIMEO as a bound) and read
 * with MSG_DONTWAIT, so a wakeup never waits on a read.
 */
#include "cli/realnet_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "ref/esp/esp_udpencap.h"

enum { RN_SOCKBUF = 4 << 20 };

static int open_udp(struct realnet *rn, int which, uint16_t port, char *msg, size_t cap)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int one = 1, buf = RN_SOCKBUF, fd;
	struct timeval tv = {0, 200000};
	char a[16];

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0) {
		snprintf(msg, cap, "UDP socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
	/* larger buffers absorb a burst of one batch per peer; failures just keep the defaults */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	sa.sin_addr.s_addr = htonl(rn->bound_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int err = errno;

		if (err == EADDRINUSE)
			snprintf(msg, cap, "UDP port %u (%s) on %s is already in use (another IKE daemon? "
					   "ss -ulpn 'sport = :%u'), expected a free port; change %s in the profile",
				 port, which == RN_SOCK_IKE ? "port" : "natt_port", rn_ip(rn->bound_addr, a), port,
				 which == RN_SOCK_IKE ? "port" : "natt_port");
		else if (err == EACCES)
			snprintf(msg, cap, "UDP port %u: %s: ports below 1024 need CAP_NET_BIND_SERVICE (run as root)", port,
				 strerror(err));
		else if (err == EADDRNOTAVAIL)
			snprintf(msg, cap, "UDP port %u: address %s: %s, expected an address of this host (listen / local_addr)",
				 port, rn_ip(rn->bound_addr, a), strerror(err));
		else
			snprintf(msg, cap, "UDP port %u on %s: bind: %s", port, rn_ip(rn->bound_addr, a), strerror(err));
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	rn->udp[which] = fd;
	rn->port[which] = ntohs(sa.sin_port);
	return 0;
}

int rn_sock_open(struct realnet *rn, char *msg, size_t cap)
{
	rn->bound_addr = rn->o.listen_addr;
	if (open_udp(rn, RN_SOCK_IKE, rn->o.port, msg, cap) < 0)
		return -1;
	if (open_udp(rn, RN_SOCK_NATT, rn->o.natt_port, msg, cap) < 0)
		return -1;
	if (rn->o.offload) {
		int zero = 0, one = 1;

		/* UDP_SEGMENT 0 on the socket only asks whether the kernel knows GSO; the size goes per message */
		rn->udp_gso = setsockopt(rn->udp[RN_SOCK_NATT], SOL_UDP, UDP_SEGMENT, &zero, sizeof zero) == 0;
		rn->udp_gro = setsockopt(rn->udp[RN_SOCK_NATT], SOL_UDP, UDP_GRO, &one, sizeof one) == 0;
	}
	if (rn->o.esp_mode == RN_ESP_UDP) {
		rn->esp_forced = 1;
		return 0;
	}
	rn->raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ESP);
	if (rn->raw < 0) {
		int err = errno;

		if (rn->o.esp_mode == RN_ESP_RAW) {
			snprintf(msg, cap, "esp = raw: raw IPPROTO_ESP socket: %s%s", strerror(err),
				 err == EPERM ? ": needs CAP_NET_RAW (run as root), or use esp = udp" : "");
			return -1;
		}
		rn->esp_forced = 1; /* auto: UDP encapsulation always (the engine fakes NAT detection) */
	} else {
		int buf = RN_SOCKBUF;

		setsockopt(rn->raw, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
		setsockopt(rn->raw, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
	}
	return 0;
}

void rn_sock_close(struct realnet *rn)
{
	for (int i = 0; i < 2; i++)
		if (rn->udp[i] >= 0)
			close(rn->udp[i]);
	if (rn->raw >= 0)
		close(rn->raw);
	rn->udp[0] = rn->udp[1] = rn->raw = -1;
}

/* prepare points message |i| at slot |i| (payload at RN_HEAD) with a name and control buffer. */
static void prepare(struct realnet *rn, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		rn->iov[i].iov_base = rn_slot(rn, i) + RN_HEAD;
		rn->iov[i].iov_len = RN_DGRAM_MAX;
		memset(&rn->msgs[i].msg_hdr, 0, sizeof rn->msgs[i].msg_hdr);
		rn->msgs[i].msg_hdr.msg_iov = &rn->iov[i];
		rn->msgs[i].msg_hdr.msg_iovlen = 1;
		rn->msgs[i].msg_hdr.msg_name = &rn->names[i];
		rn->msgs[i].msg_hdr.msg_namelen = sizeof rn->names[i];
		rn->msgs[i].msg_hdr.msg_control = rn->ctrl[i];
		rn->msgs[i].msg_hdr.msg_controllen = RN_CTRL;
		rn->msgs[i].msg_len = 0;
	}
}

/* local_addr: the destination address of message |m| (IP_PKTINFO), else the bound one. */
static uint32_t local_addr(const struct realnet *rn, struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			return ntohl(pi.ipi_addr.s_addr);
		}
	return rn->bound_addr;
}

static int rx_batch(struct realnet *rn, int fd)
{
	int n;

	prepare(rn, rn->batch);
	n = recvmmsg(fd, rn->msgs, rn->batch, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	rn->st.rx_batches++;
	rn->st.rx_batch_pkts += (uint64_t)n;
	return n;
}

/* gro_size: the segment size of a coalesced UDP GRO message, 0 for a plain datagram. */
static size_t gro_size(struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c))
		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
			int g;

			memcpy(&g, CMSG_DATA(c), sizeof g);
			return g > 0 ? (size_t)g : 0;
		}
	return 0;
}

/*
 * udp_dgram handles one UDP payload at |off| in |slot| received on socket
 * |which|. Only the first datagram of a slot may lend its headroom to the
 * pcap writer: before a later one of a GRO train lies the previous
 * datagram, whose decrypted packet still waits for the TUN.
 */
static void udp_dgram(struct realnet *rn, int which, uint8_t *slot, size_t off, size_t len, const struct rn_path *path)
{
	uint8_t *p = slot + off;
	int kind = ESP_UDP_IKE;

	if (rn->pcap != NULL) {
		rn_pcap_udp(rn->pcap, p, len, off == RN_HEAD ? off : 0, path->remote_addr, path->remote_port,
			    path->local_addr, path->local_port);
		rn->pcap_dirty = 1;
	}
	if (which == RN_SOCK_NATT)
		kind = esp_udp_classify(p, len);
	switch (kind) {
	case ESP_UDP_KEEPALIVE:
		rn->st.keepalives_rx++;
		break;
	case ESP_UDP_ESP:
		rn_esp_in(rn, slot, off, len, path);
		break;
	case ESP_UDP_IKE:
		rn->st.ike_rx++;
		if (rn->has_engine)
			rn->eng.input(rn->eng.ctx, path, p, len, rn->now ? rn->now : realnet_now(rn));
		break;
	default:
		rn_ev_drop(rn, RN_DROP_UDP_INVALID, "%zu octets from %u.%u.%u.%u:%u on port %u", len,
			   path->remote_addr >> 24, (path->remote_addr >> 16) & 255, (path->remote_addr >> 8) & 255,
			   path->remote_addr & 255, path->remote_port, path->local_port);
		break;
	}
}

void rn_udp_rx(struct realnet *rn, int which)
{
	int n = rx_batch(rn, rn->udp[which]);

	for (int i = 0; i < n; i++) {
		struct msghdr *m = &rn->msgs[i].msg_hdr;
		uint8_t *slot = rn_slot(rn, (unsigned)i);
		size_t len = rn->msgs[i].msg_len, seg;
		struct rn_path path;

		if (m->msg_flags & MSG_TRUNC) {
			rn_ev_drop(rn, RN_DROP_TOO_BIG, "datagram truncated at %zu octets", len);
			continue;
		}
		path.local_addr = local_addr(rn, m);
		path.local_port = rn->port[which];
		path.remote_addr = ntohl(rn->names[i].sin_addr.s_addr);
		path.remote_port = ntohs(rn->names[i].sin_port);
		seg = gro_size(m);
		if (seg == 0 || seg >= len) {
			udp_dgram(rn, which, slot, RN_HEAD, len, &path);
			continue;
		}
		/* a GRO train: datagrams of |seg| octets back to back, the last one maybe shorter */
		rn->st.gro_msgs++;
		for (size_t off = 0; off < len; off += seg) {
			rn->st.gro_segs++;
			udp_dgram(rn, which, slot, RN_HEAD + off, len - off < seg ? len - off : seg, &path);
		}
	}
	rn_tun_flush(rn);
}

void rn_raw_rx(struct realnet *rn)
{
	int n = rx_batch(rn, rn->raw);

	for (int i = 0; i < n; i++) {
		uint8_t *slot = rn_slot(rn, (unsigned)i), *ip = slot + RN_HEAD;
		size_t len = rn->msgs[i].msg_len, ihl;
		struct rn_path path;

		/* a raw IPv4 socket hands over the IP header too */
		if (len < 20 || (ip[0] >> 4) != 4 || (ihl = (size_t)(ip[0] & 15) * 4) < 20 || ihl > len) {
			rn_ev_drop(rn, RN_DROP_UDP_INVALID, "raw ESP socket: %zu octets, not an IPv4 packet", len);
			continue;
		}
		if (rn->pcap != NULL) {
			rn_pcap_ipv4(rn->pcap, ip, len);
			rn->pcap_dirty = 1;
		}
		memset(&path, 0, sizeof path);
		path.remote_addr = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 | (uint32_t)ip[14] << 8 | ip[15];
		path.local_addr = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 | (uint32_t)ip[18] << 8 | ip[19];
		rn_esp_in(rn, slot, RN_HEAD + ihl, len - ihl, &path);
	}
	rn_tun_flush(rn);
}

void rn_txq_add(struct rn_txq *q, uint8_t *p, size_t len, const struct sockaddr_in *to)
{
	q->iov[q->n].iov_base = p;
	q->iov[q->n].iov_len = len;
	q->to[q->n] = *to;
	q->n++;
}

static int same_peer(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/* build groups the queue into messages: GSO runs when |gso|, else one packet each. Returns the count. */
static unsigned build(struct rn_txq *q, int gso)
{
	unsigned nm = 0;

	for (unsigned i = 0; i < q->n;) {
		size_t seg = q->iov[i].iov_len, total = seg;
		unsigned j = i + 1;
		struct msghdr *h = &q->m[nm].msg_hdr;

		if (gso)
			while (j < q->n && j - i < RN_GSO_MAX_SEGS && q->iov[j].iov_len <= seg &&
			       total + q->iov[j].iov_len <= RN_GSO_MAX_BYTES && same_peer(&q->to[j], &q->to[i])) {
				total += q->iov[j].iov_len;
				if (q->iov[j++].iov_len < seg)
					break; /* only the last datagram of a run may be shorter */
			}
		memset(h, 0, sizeof *h);
		h->msg_name = &q->to[i];
		h->msg_namelen = sizeof q->to[i];
		h->msg_iov = &q->iov[i];
		h->msg_iovlen = j - i;
		if (j - i > 1) {
			struct cmsghdr *c;
			uint16_t s16 = (uint16_t)seg;

			h->msg_control = q->ctrl[nm].b;
			h->msg_controllen = sizeof q->ctrl[nm].b;
			c = CMSG_FIRSTHDR(h);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof s16);
			memcpy(CMSG_DATA(c), &s16, sizeof s16);
		}
		q->first[nm] = i;
		q->count[nm] = j - i;
		nm++;
		i = j;
	}
	return nm;
}

void rn_txq_flush(struct realnet *rn, struct rn_txq *q, int fd, int gso)
{
	unsigned nm = build(q, gso), done = 0;

	while (done < nm) {
		int n = sendmmsg(fd, q->m + done, nm - done, 0);

		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			if (q->count[done] > 1 && (err == EINVAL || err == EIO || err == EOPNOTSUPP || err == ENOPROTOOPT)) {
				/* the kernel refused GSO here: send this run one datagram at a time, and stop using GSO */
				rn->udp_gso = 0;
				for (unsigned k = 0; k < q->count[done]; k++) {
					unsigned e = q->first[done] + k;

					if (sendto(fd, q->iov[e].iov_base, q->iov[e].iov_len, 0, (struct sockaddr *)&q->to[e],
						   sizeof q->to[e]) < 0)
						rn_ev_drop(rn, RN_DROP_SEND, "sendto: %s", strerror(errno));
				}
				rn_ev_drop(rn, RN_DROP_SEND, "UDP GSO refused (%s): sending datagram by datagram from now on",
					   strerror(err));
			} else {
				for (unsigned k = 0; k < q->count[done]; k++)
					rn_ev_drop(rn, RN_DROP_SEND, "sendmmsg: %s", strerror(err));
			}
			done++;
			continue;
		}
		rn->st.tx_batches++;
		for (int k = 0; k < n; k++) {
			rn->st.tx_batch_pkts += q->count[done + (unsigned)k];
			if (q->count[done + (unsigned)k] > 1) {
				rn->st.gso_msgs++;
				rn->st.gso_segs += q->count[done + (unsigned)k];
			}
		}
		done += (unsigned)n;
	}
	q->n = 0;
}
