/*
 * test_realnet_io.c — the loop's datapath without privileges: two loops
 * (A and B) on 127.0.0.1, each with a socketpair as its TUN, a manually
 * keyed CHILD SA pair between them, driven step by step.
 *
 *   test  ──tunA──►  A: TUN read batch → SPD → esp_seal → sendmmsg ──UDP──┐
 *   test  ◄──tunB──  B: TUN write ◄ selectors ◄ esp_open ◄ recvmmsg ◄──────┘
 *
 * Checked: payloads arrive intact; one TUN batch, one sendmmsg and one
 * recvmmsg carry a whole burst (batching); equal-sized packets go out as
 * one UDP GSO message and come in as one UDP GRO message; with vnet headers
 * a TSO super-packet read from the TUN is cut, sealed, sent and written
 * back as one coalesced GSO packet equal to the original; the NAT-T port demultiplexes
 * keepalive / IKE (to the engine, marker kept) / ESP / garbage; every drop
 * reason the datapath has (no-sa, inner-bad, unknown-spi, open-failed,
 * ts-mismatch, udp-invalid, wrong-port); the newest of two overlapping
 * CHILD SAs wins the SPD; path updates retarget ESP; the pcap holds what
 * went out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>

#include "tests/unit/test_realnet_util.h"

#define VIP_A 0x0a000001u   /* A's inner address */
#define NET_B 0x0a010000u   /* B's inner network 10.1.0.0/16 */

static const uint8_t key_ab[20] = "0123456789abcdefSALT";
static const uint8_t key_ba[20] = "fedcba9876543210salt";

struct pair {
	struct realnet *a, *b;
	struct fake_engine fa, fb;
	int tun_a[2], tun_b[2]; /* [0] the loop's end, [1] the test's end */
	char pcap[64];
};

static void child_cfg(struct rn_child_cfg *c, uint32_t spi_in, uint32_t spi_out, const uint8_t *kin,
		      const uint8_t *kout, uint16_t lport, uint16_t rport, int a_side)
{
	memset(c, 0, sizeof *c);
	c->spi_in = spi_in;
	c->spi_out = spi_out;
	c->alg = CRYPTO_AES_GCM_16;
	c->enc_key_in = kin;
	c->enc_key_out = kout;
	c->enc_key_len = 20;
	c->n_ts_local = c->n_ts_remote = 1;
	if (a_side) {
		c->ts_local[0] = (struct rn_ts){VIP_A, VIP_A, 0, 0, 65535};
		c->ts_remote[0] = (struct rn_ts){NET_B, NET_B + 0xffff, 0, 0, 65535};
	} else {
		c->ts_local[0] = (struct rn_ts){NET_B, NET_B + 0xffff, 0, 0, 65535};
		c->ts_remote[0] = (struct rn_ts){VIP_A, VIP_A, 0, 0, 65535};
	}
	c->encap = 1;
	c->path = (struct rn_path){LOOPBACK, LOOPBACK, lport, rport};
	c->alg_name = "aes128gcm16";
}

static int setup(void **state)
{
	struct pair *p = calloc(1, sizeof *p);
	struct rn_opts oa, ob;
	struct rn_child_cfg c;
	char msg[256];
	int fd;

	assert_non_null(p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, p->tun_a), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, p->tun_b), 0);
	snprintf(p->pcap, sizeof p->pcap, "/tmp/test_realnet_io.XXXXXX");
	fd = mkstemp(p->pcap);
	assert_true(fd >= 0);
	close(fd);
	test_opts(&oa, 0, "A");
	snprintf(oa.pcap_path, sizeof oa.pcap_path, "%s", p->pcap);
	test_opts(&ob, 1, "B");
	p->a = realnet_new(&oa, p->tun_a[0], msg, sizeof msg);
	assert_non_null(p->a);
	p->b = realnet_new(&ob, p->tun_b[0], msg, sizeof msg);
	assert_non_null(p->b);
	fake_attach(&p->fa, p->a, 0);
	fake_attach(&p->fb, p->b, 0);
	child_cfg(&c, 0x2000, 0x1000, key_ba, key_ab, realnet_port(p->a, 1), realnet_port(p->b, 1), 1);
	assert_int_equal(realnet_child_add(p->a, &c), 0);
	child_cfg(&c, 0x1000, 0x2000, key_ab, key_ba, realnet_port(p->b, 1), realnet_port(p->a, 1), 0);
	assert_int_equal(realnet_child_add(p->b, &c), 0);
	assert_int_equal(realnet_children(p->a), 1);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	realnet_free(p->a);
	realnet_free(p->b);
	for (int i = 0; i < 2; i++) {
		close(p->tun_a[i]);
		close(p->tun_b[i]);
	}
	unlink(p->pcap);
	free(p);
	return 0;
}

/* step runs one round of |rn| without blocking (the data is already queued on loopback). */
static void step(struct realnet *rn)
{
	int status;

	assert_int_equal(realnet_step(rn, 0, &status), 1);
}

static void test_burst_batched(void **state)
{
	struct pair *p = *state;
	enum { N = 40 };
	uint8_t pkt[1400], got[2000];

	for (int i = 0; i < N; i++) {
		size_t len = make_ipv4(pkt, 100 + (size_t)i * 30, VIP_A, NET_B + 5, (uint8_t)i);

		assert_int_equal(write(p->tun_a[1], pkt, len), (ssize_t)len);
	}
	step(p->a);
	/* one wakeup read the whole burst, one sendmmsg sent it */
	assert_int_equal(p->a->st.tun_rx, N);
	assert_int_equal(p->a->st.tun_batches, 1);
	assert_int_equal(p->a->st.tx_batches, 1);
	assert_int_equal(p->a->st.tx_batch_pkts, N);
	assert_int_equal(p->a->st.esp_tx, N);
	step(p->b);
	assert_int_equal(p->b->st.rx_batches, 1);
	assert_int_equal(p->b->st.rx_batch_pkts, N);
	assert_int_equal(p->b->st.esp_rx, N);
	assert_int_equal(p->b->st.tun_tx, N);
	for (int i = 0; i < N; i++) {
		size_t len = make_ipv4(pkt, 100 + (size_t)i * 30, VIP_A, NET_B + 5, (uint8_t)i);

		assert_int_equal(read(p->tun_b[1], got, sizeof got), (ssize_t)len);
		assert_int_equal(memcmp(got, pkt, len), 0);
	}
	/* the engines heard of the ESP once per direction, not once per packet (RN_NOTE_NS) */
	assert_int_equal(p->fa.notes_sent, 1);
	assert_int_equal(p->fa.note_spi, 0x2000);
	assert_int_equal(p->fb.notes_recv, 1);
	assert_int_equal(p->fb.note_spi, 0x1000);
	/* and back: B -> A */
	make_ipv4(pkt, 200, NET_B + 5, VIP_A, 0x77);
	assert_int_equal(write(p->tun_b[1], pkt, 200), 200);
	step(p->b);
	step(p->a);
	assert_int_equal(read(p->tun_a[1], got, sizeof got), 200);
	assert_int_equal(memcmp(got, pkt, 200), 0);
	for (int d = 0; d < RN_DROP__COUNT; d++) {
		assert_int_equal(p->a->st.drops[d], 0);
		assert_int_equal(p->b->st.drops[d], 0);
	}
}

/* equal-sized packets to one peer leave as one UDP GSO message and arrive as one UDP GRO message */
static void test_gso_gro(void **state)
{
	struct pair *p = *state;
	enum { N = 30 };
	uint8_t pkt[1400], got[2000];

	if (!p->a->udp_gso || !p->b->udp_gro)
		skip();
	for (int i = 0; i < N; i++)
		assert_int_equal(write(p->tun_a[1], pkt, make_ipv4(pkt, 1000, VIP_A, NET_B + 7, (uint8_t)i)), 1000);
	/* and a short one at the end: it may close the run */
	assert_int_equal(write(p->tun_a[1], pkt, make_ipv4(pkt, 300, VIP_A, NET_B + 7, 0xee)), 300);
	step(p->a);
	assert_int_equal(p->a->st.tx_batches, 1);
	assert_int_equal(p->a->st.gso_msgs, 1);
	assert_int_equal(p->a->st.gso_segs, N + 1);
	step(p->b);
	assert_int_equal(p->b->st.rx_batch_pkts, 1);
	assert_int_equal(p->b->st.gro_msgs, 1);
	assert_int_equal(p->b->st.gro_segs, N + 1);
	assert_int_equal(p->b->st.esp_rx, N + 1);
	for (int i = 0; i < N; i++) {
		make_ipv4(pkt, 1000, VIP_A, NET_B + 7, (uint8_t)i);
		assert_int_equal(read(p->tun_b[1], got, sizeof got), 1000);
		assert_int_equal(memcmp(got, pkt, 1000), 0);
	}
	make_ipv4(pkt, 300, VIP_A, NET_B + 7, 0xee);
	assert_int_equal(read(p->tun_b[1], got, sizeof got), 300);
	assert_int_equal(memcmp(got, pkt, 300), 0);
}

/* offload = no: one datagram per packet, the receiver sees them one by one */
static void test_no_offload(void **state)
{
	struct pair *p = *state;
	uint8_t pkt[1400];

	p->a->udp_gso = 0;
	for (int i = 0; i < 10; i++)
		assert_int_equal(write(p->tun_a[1], pkt, make_ipv4(pkt, 1000, VIP_A, NET_B + 7, 1)), 1000);
	step(p->a);
	assert_int_equal(p->a->st.gso_msgs, 0);
	assert_int_equal(p->a->st.tx_batch_pkts, 10);
	step(p->b);
	assert_int_equal(p->b->st.gro_msgs, 0);
	assert_int_equal(p->b->st.esp_rx, 10);
}

/* tcp_super writes a TCP/IPv4 packet VIP_A:40000 -> NET_B+5:5201 with |pay| payload octets, ACK|PSH. */
static size_t tcp_super(uint8_t *p, size_t pay)
{
	size_t len = 40 + pay;

	memset(p, 0, 40);
	p[0] = 0x45;
	g_put16(p + 2, (uint16_t)len);
	p[6] = 0x40;
	p[8] = 64;
	p[9] = 6;
	g_put32(p + 12, VIP_A);
	g_put32(p + 16, NET_B + 5);
	g_put16(p + 20, 40000);
	g_put16(p + 22, 5201);
	g_put32(p + 24, 5000);
	g_put32(p + 28, 1);
	p[32] = 0x50;
	p[33] = 0x18;
	g_put16(p + 34, 1000);
	for (size_t i = 0; i < pay; i++)
		p[40 + i] = (uint8_t)(i * 13 + 1);
	ip_csum(p, 20);
	g_put16(p + 36, rn_csum_fold(tcp_pseudo(p, len - 20))); /* NEEDS_CSUM: pseudo-header sum */
	return len;
}

/* With vnet headers on both "TUNs": a TSO super-packet is cut, sealed, sent as one
 * GSO train, opened and written back as one coalesced GSO packet equal to the original. */
static void test_tso_gro_datapath(void **state)
{
	struct pair *p = *state;
	enum { MSS = 1300, PAY = 20 * MSS + 77 };
	struct virtio_net_hdr vh = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				    .hdr_len = 40, .gso_size = MSS, .csum_start = 20, .csum_offset = 16};
	uint8_t *in = malloc(RN_VNET_HDR + 40 + PAY), *out = malloc(RN_VNET_HDR + 40 + PAY + 100);
	size_t len = tcp_super(in + RN_VNET_HDR, PAY);
	struct virtio_net_hdr got;
	ssize_t n;

	p->a->tun_vnet = p->b->tun_vnet = 1;
	memcpy(in, &vh, sizeof vh);
	assert_int_equal(write(p->tun_a[1], in, RN_VNET_HDR + len), (ssize_t)(RN_VNET_HDR + len));
	step(p->a);
	assert_int_equal(p->a->st.tso_pkts, 1);
	assert_int_equal(p->a->st.tso_segs, 21);
	assert_int_equal(p->a->st.esp_tx, 21);
	step(p->b);
	assert_int_equal(p->b->st.esp_rx, 21);
	assert_int_equal(p->b->st.tun_gro_writes, 1);
	assert_int_equal(p->b->st.tun_gro_segs, 21);
	n = read(p->tun_b[1], out, RN_VNET_HDR + 40 + PAY + 100);
	assert_int_equal(n, (ssize_t)(RN_VNET_HDR + len));
	memcpy(&got, out, sizeof got);
	assert_int_equal(got.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(got.gso_size, MSS);
	assert_int_equal(rn_vnet_csum_finish(out + RN_VNET_HDR, len, &got), 0);
	assert_int_equal(rn_vnet_csum_finish(in + RN_VNET_HDR, len, &vh), 0);
	assert_memory_equal(out + RN_VNET_HDR, in + RN_VNET_HDR, len);
	/* a plain packet with NEEDS_CSUM comes out completed, alone, behind an empty header */
	{
		struct virtio_net_hdr v1 = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 20, .csum_offset = 16};

		len = tcp_super(in + RN_VNET_HDR, 100);
		memcpy(in, &v1, sizeof v1);
		assert_int_equal(write(p->tun_a[1], in, RN_VNET_HDR + len), (ssize_t)(RN_VNET_HDR + len));
		step(p->a);
		step(p->b);
		n = read(p->tun_b[1], out, RN_VNET_HDR + 40 + PAY);
		assert_int_equal(n, (ssize_t)(RN_VNET_HDR + len));
		memcpy(&got, out, sizeof got);
		assert_int_equal(got.gso_type, VIRTIO_NET_HDR_GSO_NONE);
		assert_int_equal(rn_vnet_csum_finish(in + RN_VNET_HDR, len, &v1), 0);
		assert_memory_equal(out + RN_VNET_HDR, in + RN_VNET_HDR, len);
	}
	free(in);
	free(out);
}

static void test_batch_limit(void **state)
{
	struct pair *p = *state;
	uint8_t pkt[200];

	/* more than one batch: the rest waits for the next wakeup (level-triggered);
	 * without GSO, so that B's batch counts datagrams */
	p->a->batch = 8;
	p->a->udp_gso = 0;
	for (int i = 0; i < 20; i++)
		assert_int_equal(write(p->tun_a[1], pkt, make_ipv4(pkt, 60, VIP_A, NET_B + 1, 1)), 60);
	step(p->a);
	assert_int_equal(p->a->st.tun_rx, 8);
	step(p->a);
	step(p->a);
	assert_int_equal(p->a->st.tun_rx, 20);
	assert_int_equal(p->a->st.tun_batches, 3);
	p->b->batch = 16;
	step(p->b);
	assert_int_equal(p->b->st.esp_rx, 16);
	step(p->b);
	assert_int_equal(p->b->st.esp_rx, 20);
}

static void test_natt_demux(void **state)
{
	struct pair *p = *state;
	uint16_t port, natt = realnet_port(p->b, 1), ike = realnet_port(p->b, 0);
	int fd = udp_socket(&port);
	uint8_t ikemsg[4 + 28] = {0}, ka = 0xff, junk[2] = {0, 1}, esp[40];

	assert_true(fd >= 0);
	ikemsg[4] = 0x11; /* an IKE header after the non-ESP marker */
	assert_int_equal(udp_send(fd, natt, &ka, 1), 1);
	assert_int_equal(udp_send(fd, natt, ikemsg, sizeof ikemsg), (ssize_t)sizeof ikemsg);
	assert_int_equal(udp_send(fd, natt, junk, sizeof junk), 2);
	memset(esp, 0x42, sizeof esp); /* SPI 0x42424242: nobody's */
	assert_int_equal(udp_send(fd, natt, esp, sizeof esp), (ssize_t)sizeof esp);
	assert_int_equal(udp_send(fd, ike, ikemsg + 4, 28), 28);
	step(p->b);
	step(p->b);
	assert_int_equal(p->b->st.keepalives_rx, 1);
	assert_int_equal(p->b->st.drops[RN_DROP_UDP_INVALID], 1);
	assert_int_equal(p->b->st.drops[RN_DROP_UNKNOWN_SPI], 1);
	assert_int_equal(p->fb.inputs, 2);
	/* the last IKE datagram came on the IKE port, without marker; the engine sees both ports as they are */
	assert_int_equal(p->fb.last_len, 28);
	assert_int_equal(p->fb.last_path.local_port, ike);
	assert_int_equal(p->fb.last_path.remote_port, port);
	assert_true(p->fb.last_path.remote_addr == LOOPBACK);
	assert_true(p->fb.last_path.local_addr == LOOPBACK);
	close(fd);
}

static void test_marker_reaches_engine(void **state)
{
	struct pair *p = *state;
	uint16_t port, natt = realnet_port(p->b, 1);
	int fd = udp_socket(&port);
	uint8_t ikemsg[4 + 28] = {0};

	ikemsg[4] = 0x99;
	assert_int_equal(udp_send(fd, natt, ikemsg, sizeof ikemsg), (ssize_t)sizeof ikemsg);
	step(p->b);
	assert_int_equal(p->fb.inputs, 1);
	assert_int_equal(p->fb.last_len, 32); /* the engine strips the marker itself (ike.h) */
	assert_int_equal(p->fb.last[4], 0x99);
	assert_int_equal(p->fb.last_path.local_port, natt);
	close(fd);
}

static void test_datapath_drops(void **state)
{
	struct pair *p = *state;
	uint8_t pkt[300];
	uint16_t port;
	int fd = udp_socket(&port);

	/* no-sa: destination outside every remote selector */
	assert_int_equal(write(p->tun_a[1], pkt, make_ipv4(pkt, 60, VIP_A, 0x0b000001u, 0)), 60);
	/* inner-bad: an IPv6 version nibble */
	make_ipv4(pkt, 60, VIP_A, NET_B, 0);
	pkt[0] = 0x60;
	assert_int_equal(write(p->tun_a[1], pkt, 60), 60);
	/* too-big: more than the tunnel MTU */
	assert_int_equal(write(p->tun_a[1], pkt, make_ipv4(pkt, 1500 > sizeof pkt ? sizeof pkt : 1500, VIP_A, NET_B, 0)),
			 (ssize_t)sizeof pkt);
	p->a->o.tun_mtu = 200;
	step(p->a);
	assert_int_equal(p->a->st.drops[RN_DROP_NO_SA], 1);
	assert_int_equal(p->a->st.drops[RN_DROP_INNER_BAD], 1);
	assert_int_equal(p->a->st.drops[RN_DROP_TOO_BIG], 1);
	assert_int_equal(p->a->st.esp_tx, 0);

	/* ts-mismatch: A's selectors let 10.0.0.1 -> 10.1.x.x out; make B accept only 10.1.0.0/24 */
	p->a->o.tun_mtu = 1400;
	p->b->child[0].ts_local[0].hi = NET_B + 0xff;
	assert_int_equal(write(p->tun_a[1], pkt, make_ipv4(pkt, 80, VIP_A, NET_B + 0x100, 0)), 80);
	step(p->a);
	step(p->b);
	assert_int_equal(p->b->st.drops[RN_DROP_TS_MISMATCH], 1);
	assert_int_equal(p->b->st.tun_tx, 0);

	/* open-failed: a replay of a captured ESP packet, and a tampered one */
	{
		uint8_t esp[200];
		struct esp_pkt e = {esp, sizeof esp, 32, 80};

		make_ipv4(esp + 32, 80, VIP_A, NET_B + 1, 9);
		assert_int_equal(esp_seal(p->a->child[0].out, &e, ESP_NH_IPV4), 0);
		assert_int_equal(udp_send(fd, realnet_port(p->b, 1), esp + e.off, e.len), (ssize_t)e.len);
		assert_int_equal(udp_send(fd, realnet_port(p->b, 1), esp + e.off, e.len), (ssize_t)e.len);
		esp[e.off + e.len - 1] ^= 1;
		assert_int_equal(udp_send(fd, realnet_port(p->b, 1), esp + e.off, e.len), (ssize_t)e.len);
		step(p->b);
		assert_int_equal(p->b->st.tun_tx, 1);
		assert_int_equal(p->b->st.drops[RN_DROP_OPEN], 2);
		assert_int_equal(p->b->st.esp_errs[-ESP_EREPLAY], 2);
	}
	close(fd);
}

static void test_newest_child_wins(void **state)
{
	struct pair *p = *state;
	struct rn_child_cfg c;
	uint8_t pkt[100], got[200];

	/* a rekeyed pair with the same selectors: A must use it, B drops the old SA */
	child_cfg(&c, 0x2001, 0x1001, key_ba, key_ab, realnet_port(p->a, 1), realnet_port(p->b, 1), 1);
	c.replaces_spi_in = 0x2000;
	assert_int_equal(realnet_child_add(p->a, &c), 0);
	child_cfg(&c, 0x1001, 0x2001, key_ab, key_ba, realnet_port(p->b, 1), realnet_port(p->a, 1), 0);
	assert_int_equal(realnet_child_add(p->b, &c), 0);
	realnet_child_del(p->b, 0x1000, 0x2000, "rekeyed");
	assert_int_equal(realnet_children(p->b), 1);
	/* the same SPI twice is refused */
	assert_int_equal(realnet_child_add(p->b, &c), -1);
	assert_int_equal(write(p->tun_a[1], pkt, make_ipv4(pkt, 100, VIP_A, NET_B + 3, 3)), 100);
	step(p->a);
	step(p->b);
	assert_int_equal(p->b->st.drops[RN_DROP_UNKNOWN_SPI], 0);
	assert_int_equal(read(p->tun_b[1], got, sizeof got), 100);
	/* deleting the new one on A makes the old one the SPD's answer again: B no longer knows it */
	realnet_child_del(p->a, 0x2001, 0x1001, "test");
	assert_int_equal(write(p->tun_a[1], pkt, 100), 100);
	step(p->a);
	step(p->b);
	assert_int_equal(p->b->st.drops[RN_DROP_UNKNOWN_SPI], 1);
}

static void test_path_update_and_engine_send(void **state)
{
	struct pair *p = *state;
	uint16_t port;
	int fd = udp_socket(&port);
	struct rn_path path = {LOOPBACK, LOOPBACK, realnet_port(p->a, 1), port};
	uint8_t pkt[100], got[300];
	const uint8_t hello[] = {0, 0, 0, 0, 'I', 'K', 'E'};

	/* the engine moved the peer (NAT mapping): ESP follows to the test's socket */
	realnet_path_update(p->a, 0, 0, &path);
	assert_int_equal(write(p->tun_a[1], pkt, make_ipv4(pkt, 100, VIP_A, NET_B + 3, 3)), 100);
	step(p->a);
	assert_true(recv(fd, got, sizeof got, MSG_DONTWAIT) > 100);
	assert_int_equal(got[0] << 24 | got[1] << 16 | got[2] << 8 | got[3], 0x1000);
	/* engine sends go out of the socket of path.local_port */
	realnet_send(p->a, &path, hello, sizeof hello);
	assert_int_equal(recv(fd, got, sizeof got, MSG_DONTWAIT), (ssize_t)sizeof hello);
	path.local_port = 1; /* no socket there */
	realnet_send(p->a, &path, hello, sizeof hello);
	assert_int_equal(p->a->st.drops[RN_DROP_WRONG_PORT], 1);
	assert_int_equal(p->a->st.ike_tx, 1);
	close(fd);
}

static void test_pcap_has_outer_traffic(void **state)
{
	struct pair *p = *state;
	uint8_t pkt[100];
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *in;
	int n = 0;

	for (int i = 0; i < 3; i++)
		assert_int_equal(write(p->tun_a[1], pkt, make_ipv4(pkt, 100, VIP_A, NET_B + 3, 3)), 100);
	step(p->a);
	rn_pcap_flush(p->a->pcap);
	in = pcap_open_offline(p->pcap, err);
	assert_non_null(in);
	while (pcap_next_ex(in, &h, &d) == 1) {
		/* IPv4/UDP from A's NAT-T port to B's, carrying SPI 0x1000 */
		assert_int_equal(d[9], 17);
		assert_int_equal(d[20] << 8 | d[21], realnet_port(p->a, 1));
		assert_int_equal(d[22] << 8 | d[23], realnet_port(p->b, 1));
		assert_int_equal(d[28] << 24 | d[29] << 16 | d[30] << 8 | d[31], 0x1000);
		n++;
	}
	pcap_close(in);
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_burst_batched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gso_gro, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_offload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tso_gro_datapath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_natt_demux, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marker_reaches_engine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datapath_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newest_child_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_update_and_engine_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pcap_has_outer_traffic, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
