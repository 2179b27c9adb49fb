/*
 * test_ike_flow_hostile.c — hostile and broken input between two engines.
 * Each case gets the answer RFC 7296 asks for or a silent drop, and leaves
 * the SAs as they were: after every case the genuine message still goes
 * through and the CHILD SAs still carry ESP.
 *
 *   tampered SK (ICV)                  drop (§2.21.1 / §3.14)
 *   truncated, oversized lengths       drop
 *   unknown critical payload           N(UNSUPPORTED_CRITICAL_PAYLOAD) to a request (§2.5)
 *   unknown non-critical payload       ignored (§2.5)
 *   major version 3                    N(INVALID_MAJOR_VERSION) (§2.5)
 *   replayed old message, unknown SPI  drop (§2.3, §2.21.4)
 *   seeded mutations of every byte     drop, no crash (ASan/UBSan build)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ref/ike/ike_engine.h"
#include "tests/unit/test_ike_flow_util.h"

/* inject delivers |buf| to the receiver of |dir| as if it came like the next datagram of |dir|. */
static int inject(struct flow *f, int dir, const struct flow_dgram *like, const uint8_t *buf, size_t len)
{
	struct ike_path in;

	if (dir == TO_GW) {
		in = (struct ike_path){like->path.remote_addr, like->path.local_addr, like->path.remote_port,
				       like->path.local_port};
		return ike_input(f->gw.e, &in, buf, len, f->now);
	}
	in = (struct ike_path){like->path.remote_addr, like->path.local_addr, like->path.remote_port,
			       like->path.local_port};
	return ike_input(f->cl.e, &in, buf, len, f->now);
}

/* take copies the next datagram of |dir| (left queued) */
static uint8_t *take(struct flow *f, int dir, struct flow_dgram *like)
{
	const struct flow_dgram *d = flow_peek(f, dir);
	uint8_t *c;

	assert_non_null(d);
	*like = *d;
	c = malloc(d->len);
	assert_non_null(c);
	memcpy(c, d->buf, d->len);
	return c;
}

static void up_to_auth_request(struct flow *f, uint64_t seed)
{
	flow_defaults(f);
	flow_start(f, seed);
	assert_int_equal(ike_client_start(f->cl.e, 0), 0);
	assert_int_equal(flow_deliver(f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_deliver(f, TO_CL), IKE_RX_OK);
}

/* tampered SK: any changed octet of the IKE_AUTH request fails the ICV; the real one passes */
static void test_tampered_sk(void **state)
{
	struct flow f;
	struct flow_dgram like;
	uint8_t *m;

	(void)state;
	up_to_auth_request(&f, 1);
	m = take(&f, TO_GW, &like);
	for (size_t pos = IKE_HDR_LEN + 4; pos < like.len; pos++) {
		m[pos] ^= 0x01;
		assert_int_equal(inject(&f, TO_GW, &like, m, like.len), IKE_RX_DROP);
		m[pos] ^= 0x01;
	}
	assert_int_equal(flow_state(&f.gw), IKE_S_INIT_DONE);
	assert_int_equal(flow_count_ev(&f.gw, "\"reason\":\"icv\""), like.len - IKE_HDR_LEN - 4);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_true(flow_esp_check(&f));
	free(m);
	flow_free(&f);
}

/* truncation at every length, and oversized length fields */
static void test_truncated_and_oversized(void **state)
{
	struct flow f;
	struct flow_dgram like;
	uint8_t *m, *big;

	(void)state;
	/* IKE_SA_INIT request cut anywhere: dropped, no SA */
	flow_defaults(&f);
	flow_start(&f, 2);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	m = take(&f, TO_GW, &like);
	for (size_t n = 0; n < like.len; n++)
		assert_int_equal(inject(&f, TO_GW, &like, m, n), IKE_RX_DROP);
	assert_int_equal(ike_sa_count(f.gw.e), 0);
	/* numbered table of length-field lies */
	{
		static const struct {
			size_t off;      /* where the field is */
			int width;       /* 2 or 4 octets */
			uint32_t value;
		} lies[] = {
			/* 1 */ {24, 4, 0xffffffffu}, /* header Length */
			/* 2 */ {24, 4, 0},
			/* 3 */ {24, 4, 27},
			/* 4 */ {30, 2, 0xffff},      /* first payload (SA) Length */
			/* 5 */ {30, 2, 3},
			/* 6 */ {30, 2, 0},
			/* 7 */ {34, 2, 0xffff},      /* first proposal Length */
			/* 8 */ {34, 2, 7},
		};

		for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
			uint8_t *c = malloc(like.len);

			memcpy(c, m, like.len);
			if (lies[i].width == 4)
				ike_put32(c + lies[i].off, lies[i].value);
			else
				ike_put16(c + lies[i].off, (uint16_t)lies[i].value);
			if (inject(&f, TO_GW, &like, c, like.len) != IKE_RX_DROP)
				fail_msg("case %zu not dropped", i + 1);
			free(c);
		}
	}
	/* a datagram longer than its Length */
	big = malloc(like.len + 10);
	memcpy(big, m, like.len);
	memset(big + like.len, 0, 10);
	assert_int_equal(inject(&f, TO_GW, &like, big, like.len + 10), IKE_RX_DROP);
	assert_int_equal(ike_sa_count(f.gw.e), 0);
	free(big);
	free(m);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	flow_free(&f);

	/* the IKE_AUTH request cut anywhere: dropped, the half-open SA intact */
	up_to_auth_request(&f, 3);
	m = take(&f, TO_GW, &like);
	for (size_t n = 0; n < like.len; n++)
		assert_int_equal(inject(&f, TO_GW, &like, m, n), IKE_RX_DROP);
	assert_int_equal(flow_state(&f.gw), IKE_S_INIT_DONE);
	flow_pump(&f);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_true(flow_esp_check(&f));
	free(m);
	flow_free(&f);
}

/* append_payload adds an empty payload of |type| to the end of an unencrypted message. */
static uint8_t *append_payload(const uint8_t *m, size_t len, uint8_t type, int critical, size_t *out_len)
{
	uint8_t *c = malloc(len + 4);
	size_t off = IKE_HDR_LEN, last = 16;

	memcpy(c, m, len);
	while (c[last] != 0) { /* walk to the last payload's Next Payload octet */
		last = off;
		off += ike_get16(c + off + 2);
	}
	c[last] = type;
	c[len] = 0;
	c[len + 1] = critical ? 0x80 : 0;
	ike_put16(c + len + 2, 4);
	ike_put32(c + 24, (uint32_t)(len + 4));
	*out_len = len + 4;
	return c;
}

/* §2.5: unknown critical payloads are answered in a response; non-critical ones skipped */
static void test_unknown_payloads(void **state)
{
	struct flow f;
	struct flow_dgram like;
	uint8_t *m, *c;
	size_t clen;
	const struct flow_dgram *ans;
	struct ike_sa *sa;
	struct ike_out o;
	static const uint8_t empty[1];

	(void)state;
	flow_defaults(&f);
	flow_start(&f, 4);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	m = take(&f, TO_GW, &like);
	/* IKE_SA_INIT { SA, KE, Ni, ..., ?(200, critical) } --> */
	c = append_payload(m, like.len, 200, 1, &clen);
	assert_int_equal(inject(&f, TO_GW, &like, c, clen), IKE_RX_ANSWERED);
	/* <-- IKE_SA_INIT { N(UNSUPPORTED_CRITICAL_PAYLOAD(200)) } */
	assert_true(flow_sent_has(&f.gw, "IKE_SA_INIT response mid 0 [N(UNSUPPORTED_CRITICAL_PAYLOAD)]"));
	ans = &f.gw.out.d[(f.gw.out.tail - 1) % FLOW_QMAX];
	assert_int_equal(ans->buf[ans->len - 1], 200);
	assert_int_equal(ike_sa_count(f.gw.e), 0);
	flow_drop(&f, TO_CL);
	free(c);
	/* the same unknown type without the critical bit is skipped */
	c = append_payload(m, like.len, 200, 0, &clen);
	assert_int_equal(inject(&f, TO_GW, &like, c, clen), IKE_RX_OK);
	assert_int_equal(ike_sa_count(f.gw.e), 1);
	free(c);
	free(m);
	flow_free(&f);

	/* inside SK, established: INFORMATIONAL { ?(201, critical) } --> is answered, the SA stays */
	flow_defaults(&f);
	flow_start(&f, 5);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	flow_pump(&f);
	sa = f.cl.e->all[0];
	f.cl.e->now = f.now;
	ike_out_begin(sa, &o, IKE_INFORMATIONAL, 0, sa->tx_mid);
	ike_msg_build_add_raw(&o.mb, 201, 1, empty, 0);
	assert_int_equal(ike_out_request(sa, &o, IKE_REQ_DPD), 0);
	ike_index_flush(f.cl.e); /* what an entry point does at its end */
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_ANSWERED);
	/* <-- INFORMATIONAL { N(UNSUPPORTED_CRITICAL_PAYLOAD) } */
	assert_true(flow_sent_has(&f.gw, "INFORMATIONAL response mid 2 [N(UNSUPPORTED_CRITICAL_PAYLOAD)]"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	/* and non-critical: an ordinary empty answer */
	ike_out_begin(sa, &o, IKE_INFORMATIONAL, 0, sa->tx_mid);
	ike_msg_build_add_raw(&o.mb, 201, 0, empty, 0);
	assert_int_equal(ike_out_request(sa, &o, IKE_REQ_DPD), 0);
	ike_index_flush(f.cl.e);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_true(flow_sent_has(&f.gw, "INFORMATIONAL response mid 3 []"));
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

/* §2.5: a higher major version is answered with INVALID_MAJOR_VERSION (version 2 header) */
static void test_major_version(void **state)
{
	struct flow f;
	struct flow_dgram like;
	uint8_t *m;
	const struct flow_dgram *ans;

	(void)state;
	flow_defaults(&f);
	flow_start(&f, 6);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	m = take(&f, TO_GW, &like);
	m[17] = 0x30;
	assert_int_equal(inject(&f, TO_GW, &like, m, like.len), IKE_RX_ANSWERED);
	assert_true(flow_sent_has(&f.gw, "[N(INVALID_MAJOR_VERSION)]"));
	ans = &f.gw.out.d[(f.gw.out.tail - 1) % FLOW_QMAX];
	assert_int_equal(ans->buf[17], 0x20);
	/* IKEv1 (major 1) is silently dropped */
	m[17] = 0x10;
	assert_int_equal(inject(&f, TO_GW, &like, m, like.len), IKE_RX_DROP);
	assert_int_equal(ike_sa_count(f.gw.e), 0);
	free(m);
	flow_free(&f);
}

/* replayed handshake messages, unknown SPIs, junk on the NAT-T port */
static void test_replays_and_junk(void **state)
{
	struct flow f;
	struct flow_dgram like_init, like_auth, like_auth_resp;
	uint8_t *init_resp, *auth_req, *auth_resp;
	static const uint8_t ka = 0xFF, junk[3] = {1, 2, 3};
	struct ike_path natt = {IP(198, 51, 100, 1), IP(192, 0, 2, 10), 4500, 4500};

	(void)state;
	flow_defaults(&f);
	flow_start(&f, 7);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	init_resp = take(&f, TO_CL, &like_init);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	auth_req = take(&f, TO_GW, &like_auth);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	auth_resp = take(&f, TO_CL, &like_auth_resp);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	/* replayed responses: nothing outstanding at the client */
	assert_int_equal(inject(&f, TO_CL, &like_init, init_resp, like_init.len), IKE_RX_DROP);
	assert_int_equal(inject(&f, TO_CL, &like_auth_resp, auth_resp, like_auth_resp.len), IKE_RX_DROP);
	/* a replayed IKE_AUTH request is the last one: the cached response, no new CHILD SA */
	assert_int_equal(inject(&f, TO_GW, &like_auth, auth_req, like_auth.len), IKE_RX_RESENT);
	assert_int_equal(f.gw.n_child, 1);
	flow_drop(&f, TO_CL);
	/* unknown SPIs */
	auth_req[0] ^= 0xff;
	assert_int_equal(inject(&f, TO_GW, &like_auth, auth_req, like_auth.len), IKE_RX_DROP);
	assert_int_equal(flow_count_ev(&f.gw, "\"reason\":\"unknown-spi\""), 1);
	/* the NAT-T port: keepalive, junk, ESP (the caller's) */
	assert_int_equal(ike_input(f.gw.e, &natt, &ka, 1, f.now), IKE_RX_KEEPALIVE);
	assert_int_equal(ike_input(f.gw.e, &natt, junk, sizeof junk, f.now), IKE_RX_DROP);
	{
		uint8_t esp[40] = {0x11, 0x22, 0x33, 0x44, 0, 0, 0, 1};

		assert_int_equal(ike_input(f.gw.e, &natt, esp, sizeof esp, f.now), IKE_RX_NOT_IKE);
		assert_int_equal(ike_udp_classify(f.gw.e, 4500, esp, sizeof esp), 3 /* ESP_UDP_ESP */);
		assert_int_equal(ike_udp_classify(f.gw.e, 500, esp, sizeof esp), 2 /* ESP_UDP_IKE */);
	}
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_true(flow_esp_check(&f));
	free(init_resp);
	free(auth_req);
	free(auth_resp);
	flow_free(&f);
}

/* seeded mutation: 2000 variants of each protected message are all refused, then the real one works */
static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static void mutate_and_deliver(struct flow *f, int dir, uint32_t seed)
{
	struct flow_dgram like;
	uint8_t *m = take(f, dir, &like), *c = malloc(like.len);

	for (int i = 0; i < 2000; i++) {
		size_t n = 1 + lcg(&seed) % 4;
		int rc;

		memcpy(c, m, like.len);
		for (size_t k = 0; k < n; k++)
			c[lcg(&seed) % like.len] ^= (uint8_t)(1 + lcg(&seed) % 255);
		if (memcmp(c, m, like.len) == 0)
			continue;
		rc = inject(f, dir, &like, c, like.len);
		/* a changed SPI or Message ID may look like another SA's message; never accepted */
		if (rc == IKE_RX_OK || rc == IKE_RX_FRAGMENT)
			fail_msg("mutation %d accepted (rc %d)", i, rc);
	}
	free(c);
	free(m);
	assert_int_equal(flow_deliver(f, dir), IKE_RX_OK);
}

static void test_mutations(void **state)
{
	struct flow f;

	(void)state;
	flow_defaults(&f);
	f.cl.cfg.dpd_ns = 10 * S_NS;
	flow_start(&f, 8);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	assert_int_equal(flow_deliver(&f, TO_GW), IKE_RX_OK);
	assert_int_equal(flow_deliver(&f, TO_CL), IKE_RX_OK);
	mutate_and_deliver(&f, TO_GW, 11);   /* IKE_AUTH request */
	mutate_and_deliver(&f, TO_CL, 12);   /* IKE_AUTH response */
	flow_advance(&f, 10 * S_NS);
	mutate_and_deliver(&f, TO_GW, 13);   /* INFORMATIONAL request */
	mutate_and_deliver(&f, TO_CL, 14);   /* INFORMATIONAL response */
	assert_int_equal(flow_state(&f.cl), IKE_S_ESTABLISHED);
	assert_int_equal(flow_state(&f.gw), IKE_S_ESTABLISHED);
	assert_int_equal(f.gw.n_child + f.cl.n_child, 2);
	assert_true(flow_esp_check(&f));
	flow_free(&f);
}

/* unprotected IKE_SA_INIT mutations: never a crash, at most half-open SAs */
static void test_init_mutations(void **state)
{
	struct flow f;
	struct flow_dgram like;
	uint8_t *m, *c;
	uint32_t seed = 99;

	(void)state;
	flow_defaults(&f);
	f.gw.cfg.cookies = 0;
	flow_start(&f, 9);
	assert_int_equal(ike_client_start(f.cl.e, 0), 0);
	m = take(&f, TO_GW, &like);
	c = malloc(like.len);
	for (int i = 0; i < 1000; i++) {
		memcpy(c, m, like.len);
		c[lcg(&seed) % like.len] ^= (uint8_t)(1 + lcg(&seed) % 255);
		inject(&f, TO_GW, &like, c, like.len);
	}
	for (size_t i = 0; i < ike_sa_count(f.gw.e); i++)
		assert_int_equal(flow_status(&f.gw, i).state, IKE_S_INIT_DONE);
	free(c);
	free(m);
	flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tampered_sk),     cmocka_unit_test(test_truncated_and_oversized),
		cmocka_unit_test(test_unknown_payloads), cmocka_unit_test(test_major_version),
		cmocka_unit_test(test_replays_and_junk), cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_init_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
