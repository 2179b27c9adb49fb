/*
 * test_realnet_util.h — the real-network loop (cli/realnet_*.c) compiled
 * into a unit test, plus a fake engine and loopback helpers.
 *
 * The Makefile links unit tests with the libraries only (cli/ objects go
 * into the vpnlab binary), so the loop's sources are included here; they
 * share no static names. Everything runs without privileges: UDP sockets
 * on 127.0.0.1 with ports the kernel picks, esp = udp (no raw socket), and
 * one end of a SOCK_DGRAM socketpair as the "TUN" (one packet per read and
 * write, like a TUN device).
 */
#ifndef VPNLAB_TEST_REALNET_UTIL_H
#define VPNLAB_TEST_REALNET_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli/realnet_esp.c"
#include "cli/realnet_gso.c"
#include "cli/realnet_loop.c"
#include "cli/realnet_opts.c"
#include "cli/realnet_pcap.c"
#include "cli/realnet_sock.c"
#include "cli/realnet_tun.c"

#define LOOPBACK 0x7f000001u

/* fake_engine: counts calls; input records the last datagram; close sends a DELETE-like datagram. */
struct fake_engine {
	struct realnet *rn;
	size_t sas;            /* what active() answers */
	unsigned inputs, deadlines_run, starts, closes;
	uint64_t deadline;     /* what deadline() answers */
	uint8_t last[2048];
	size_t last_len;
	struct rn_path last_path;
	struct rn_path close_to;  /* where close() sends its datagram (port 0 = nowhere) */
	int answer_ends_sa;       /* input() of any datagram after close drops one SA */
	unsigned notes_sent, notes_recv;
	uint32_t note_spi;
};

static int fake_input(void *ctx, const struct rn_path *p, const uint8_t *b, size_t len, uint64_t now)
{
	struct fake_engine *f = ctx;

	(void)now;
	f->inputs++;
	f->last_len = len < sizeof f->last ? len : sizeof f->last;
	memcpy(f->last, b, f->last_len);
	f->last_path = *p;
	if (f->answer_ends_sa && f->closes > 0 && f->sas > 0)
		f->sas--;
	return 0;
}

static uint64_t fake_deadline(void *ctx)
{
	return ((struct fake_engine *)ctx)->deadline;
}

static void fake_on_deadline(void *ctx, uint64_t now)
{
	struct fake_engine *f = ctx;

	(void)now;
	f->deadlines_run++;
	f->deadline = UINT64_MAX;
}

static int fake_start(void *ctx, uint64_t now)
{
	(void)now;
	((struct fake_engine *)ctx)->starts++;
	return 0;
}

static int fake_close(void *ctx, uint64_t now)
{
	struct fake_engine *f = ctx;
	static const uint8_t del[] = "DELETE";

	(void)now;
	f->closes++;
	if (f->close_to.remote_port != 0)
		realnet_send(f->rn, &f->close_to, del, sizeof del - 1);
	return 0;
}

static size_t fake_active(void *ctx)
{
	return ((struct fake_engine *)ctx)->sas;
}

static void fake_note_esp(void *ctx, uint32_t spi_in, int sent, uint64_t now)
{
	struct fake_engine *f = ctx;

	(void)now;
	f->note_spi = spi_in;
	if (sent)
		f->notes_sent++;
	else
		f->notes_recv++;
}

static inline void fake_attach(struct fake_engine *f, struct realnet *rn, int client)
{
	struct rn_engine e = {f, fake_input, fake_deadline, fake_on_deadline, client ? fake_start : NULL, fake_close,
			      fake_active, fake_note_esp};

	memset(f, 0, sizeof *f);
	f->rn = rn;
	f->deadline = UINT64_MAX;
	realnet_set_engine(rn, &e);
}

/* test_opts: loopback, kernel-chosen ports, UDP-only ESP, quiet. */
static inline void test_opts(struct rn_opts *o, int gateway, const char *name)
{
	rn_opts_init(o, gateway);
	snprintf(o->name, sizeof o->name, "%s", name);
	o->listen_addr = LOOPBACK;
	o->port = 0;
	o->natt_port = 0;
	o->esp_mode = RN_ESP_UDP;
	o->quiet = 1;
	o->shutdown_wait_ns = 50 * 1000000ull;
}

/* udp_socket: a plain UDP socket on 127.0.0.1 for the test's side; its port in |*port|. */
static inline int udp_socket(uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOPBACK)};
	socklen_t sl = sizeof sa;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*port = ntohs(sa.sin_port);
	return fd;
}

static inline ssize_t udp_send(int fd, uint16_t port, const void *p, size_t len)
{
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(LOOPBACK)};

	return sendto(fd, p, len, 0, (struct sockaddr *)&to, sizeof to);
}

/* make_ipv4 writes an IPv4/UDP packet of |len| octets (>= 28) from |src| to |dst| with payload byte |fill|. */
static inline size_t make_ipv4(uint8_t *p, size_t len, uint32_t src, uint32_t dst, uint8_t fill)
{
	memset(p, fill, len);
	p[0] = 0x45;
	p[1] = 0;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[4] = p[5] = p[6] = p[7] = 0;
	p[8] = 64;
	p[9] = 17;
	p[10] = p[11] = 0;
	for (int i = 0; i < 4; i++) {
		p[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		p[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	p[20] = 0x30;
	p[21] = 0x39; /* source port 12345 */
	p[22] = 0x00;
	p[23] = 0x35; /* destination port 53 */
	p[24] = (uint8_t)((len - 20) >> 8);
	p[25] = (uint8_t)(len - 20);
	p[26] = p[27] = 0;
	return len;
}

#endif
