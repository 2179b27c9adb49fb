/*
 * fuzz_mbox.c — libFuzzer target feeding arbitrary bytes to every
 * middlebox (NAT under each fragment policy, MTU router, filter, cluster,
 * impairments), with control calls (reboot, MTU change, member failure,
 * timers) mixed in.
 *
 * Input:
 *   octet 0     box (low 3 bits, mod 5) and variant (next bits: NAT frag
 *               policy / filter mode / MTU mode / cluster key)
 *   octet 1     bit 0: keep the IPv4 header checksum check on (else off,
 *               so mutated packets get past it); bit 1: fix the header
 *               checksum of each packet before input
 *   records     [op][dt][len hi][len lo][len octets]: op low bits = input
 *               interface, op 0xf0 = control call instead of a packet;
 *               time advances by dt milliseconds; timers due run first
 *
 * Properties: no crash or sanitizer report; every packet a box sends
 * parses as IPv4 with its total length equal to the octets sent (and, with
 * the checksum check on, a valid header checksum); sent packets are never
 * longer than 65535.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/ip/ip4.h"
#include "sim/mbox/mbox_cluster.h"
#include "sim/mbox/mbox_filter.h"
#include "sim/mbox/mbox_impair.h"
#include "sim/mbox/mbox_mtu.h"
#include "sim/mbox/mbox_nat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	int check_csum;
	uint64_t rng;
	size_t sent;
};

static void fz_send(void *ctx, int ifx, const uint8_t *pkt, size_t len)
{
	struct fz *f = ctx;
	struct ip4_hdr h;

	if (ifx < 0 || len > IP4_MAX_LEN || ip4_parse(pkt, len, &h) || h.total_len != len)
		abort();
	if (f->check_csum && !ip4_hdr_csum_ok(pkt, h.hlen))
		abort();
	f->sent++;
}

static void fz_event(void *ctx, const char *line, size_t len)
{
	if (len == 0 || line[0] != '{' || line[len - 1] != '}')
		abort();
}

static int fz_fill(void *ctx, uint8_t *out, size_t len)
{
	struct fz *f = ctx;

	for (size_t i = 0; i < len; i++) {
		f->rng = f->rng * 6364136223846793005ull + 1442695040888963407ull;
		out[i] = (uint8_t)(f->rng >> 56);
	}
	return 0;
}

static struct mbox *make(int box, int variant, const struct mbox_io *io)
{
	switch (box) {
	case 0: {
		struct mbox_nat_cfg c;

		mbox_nat_cfg_default(&c);
		c.public_addr = 0xcb007101; /* 203.0.113.1 */
		c.port_min = 1024;
		c.port_max = 1031; /* small: exhaustion is reachable */
		c.frag = (enum mbox_nat_frag)(variant % 4);
		c.filter = (enum mbox_nat_filter)((variant / 4) % 3);
		c.port_preserve = variant & 1;
		c.alloc = (enum mbox_nat_alloc)((variant >> 1) & 1);
		c.mtu = variant & 8 ? 576 : 0;
		return mbox_nat_new(&c, io, NULL, 0);
	}
	case 1: {
		struct mbox_mtu_cfg c;

		mbox_mtu_cfg_default(&c);
		c.addr = 0x0a010101;
		c.mtu[0] = 576;
		c.mtu[1] = variant & 4 ? 68 : 1280;
		c.mode = (enum mbox_mtu_mode)(variant & 1);
		c.quote = (enum mbox_mtu_quote)((variant >> 1) & 1);
		return mbox_mtu_new(&c, io, NULL, 0);
	}
	case 2: {
		struct mbox_filter_cfg c;

		mbox_filter_cfg_default(&c);
		c.rules[c.nrules++] = (struct mbox_filter_rule){MBOX_FILTER_OUT, IP4_PROTO_UDP, 500, 4500};
		c.rules[c.nrules++] = (struct mbox_filter_rule){MBOX_FILTER_IN, IP4_PROTO_ESP, 0, 0};
		c.mode = (enum mbox_filter_mode)(variant & 1);
		c.frag = (enum mbox_filter_frag)((variant >> 1) % 3);
		c.icmp_echo_out = (variant >> 3) & 1;
		return mbox_filter_new(&c, io, NULL, 0);
	}
	case 3: {
		struct mbox_cluster_cfg c;

		mbox_cluster_cfg_default(&c);
		c.members = 3;
		c.key = (enum mbox_cluster_key)(variant & 1);
		c.recover = (enum mbox_cluster_recover)((variant >> 1) & 1);
		c.flow_timeout_ns = 5 * MBOX_NS_PER_S;
		return mbox_cluster_new(&c, io, NULL, 0);
	}
	default: {
		struct mbox_impair_cfg c;

		mbox_impair_cfg_default(&c);
		c.dir[0] = (struct mbox_impair_dir){.loss = 0.1, .delay_ns = 3000000, .jitter_ns = 2000000,
						    .dup = 0.2, .reorder = 0.2, .reorder_delay_ns = 5000000};
		c.dir[1].delay_ns = (uint64_t)variant * 1000000;
		c.max_queue = 64;
		return mbox_impair_new(&c, io, NULL, 0);
	}
	}
}

static void control(struct mbox *mb, int box, uint64_t now, uint8_t arg)
{
	switch (box) {
	case 0:
		mbox_nat_reboot(mb, now);
		break;
	case 1:
		mbox_mtu_set(mb, now, arg & 1, 60 + (size_t)arg * 6);
		break;
	case 3:
		mbox_cluster_set_member(mb, now, 1 + arg % 3, (arg >> 2) & 1);
		break;
	case 4: {
		struct mbox_impair_dir d = {.loss = (arg & 15) / 15.0, .delay_ns = arg * 100000ull};

		mbox_impair_set(mb, now, arg >> 7, &d);
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {0};
	struct mbox_io io = {0};
	struct mbox *mb;
	int box, variant, fix;
	uint64_t now = 0;
	size_t i = 2;
	uint8_t *buf;

	if (size < 2)
		return 0;
	box = (data[0] & 7) % 5;
	variant = data[0] >> 3;
	f.check_csum = data[1] & 1;
	fix = (data[1] >> 1) & 1;
	f.rng = size;
	io.send = fz_send;
	io.ctx = &f;
	io.events.emit = fz_event;
	io.rng.fill = fz_fill;
	io.rng.ctx = &f;
	mb = make(box, variant, &io);
	if (!mb)
		abort();
	mbox_set_verify_csum(mb, f.check_csum);
	buf = malloc(65536);
	if (!buf)
		abort();
	while (i + 4 <= size) {
		uint8_t op = data[i], dt = data[i + 1];
		size_t len = (size_t)data[i + 2] << 8 | data[i + 3];

		i += 4;
		if (len > size - i)
			len = size - i;
		now += (uint64_t)dt * 1000000;
		while (mbox_deadline(mb) <= now)
			mbox_on_deadline(mb, mbox_deadline(mb));
		if ((op & 0xf0) == 0xf0) {
			control(mb, box, now, len ? data[i] : 0);
		} else {
			memcpy(buf, data + i, len);
			if (fix && len >= 20 && (buf[0] & 15) >= 5 && (size_t)(buf[0] & 15) * 4 <= len)
				ip4_hdr_set_csum(buf);
			mbox_input(mb, now, op & 0x0f, buf, len);
		}
		i += len;
	}
	/* Drain: every held packet is released, every mapping and flow expires. */
	for (int n = 0; mbox_deadline(mb) != MBOX_NEVER && n < 100000; n++)
		mbox_on_deadline(mb, mbox_deadline(mb));
	if (mbox_deadline(mb) != MBOX_NEVER)
		abort();
	free(buf);
	mbox_free(mb);
	return 0;
}
