/* conf_natd.c — NAT detection hashes with OpenSSL (no primitive by hand). */
#include "conformance/conf_natd.h"

#include <openssl/evp.h>
#include <string.h>

#include "conformance/ikev1_const.h"
#include "ref/ike/ike_const.h"

static unsigned digest(const EVP_MD *md, const uint8_t a[8], const uint8_t b[8], uint32_t ip,
		       uint16_t port, uint8_t *out)
{
	uint8_t in[22];
	memcpy(in, a, 8);
	memcpy(in + 8, b, 8);
	in[16] = (uint8_t)(ip >> 24);
	in[17] = (uint8_t)(ip >> 16);
	in[18] = (uint8_t)(ip >> 8);
	in[19] = (uint8_t)ip;
	in[20] = (uint8_t)(port >> 8);
	in[21] = (uint8_t)port;
	unsigned n = 0;
	if (EVP_Digest(in, sizeof in, out, &n, md, NULL) != 1)
		return 0;
	return n;
}

void conf_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], uint32_t ip, uint16_t port,
		    uint8_t out[20])
{
	if (digest(EVP_sha1(), spi_i, spi_r, ip, port, out) != 20)
		memset(out, 0, 20);
}

unsigned conf_natd_hash_v1(int alg, const uint8_t cky_i[8], const uint8_t cky_r[8], uint32_t ip,
			   uint16_t port, uint8_t out[64])
{
	const EVP_MD *md = NULL;
	switch (alg) {
	case CONF_IKEV1_HASH_MD5: md = EVP_md5(); break;
	case CONF_IKEV1_HASH_SHA1: md = EVP_sha1(); break;
	case CONF_IKEV1_HASH_SHA2_256: md = EVP_sha256(); break;
	case CONF_IKEV1_HASH_SHA2_384: md = EVP_sha384(); break;
	case CONF_IKEV1_HASH_SHA2_512: md = EVP_sha512(); break;
	default: return 0;
	}
	return digest(md, cky_i, cky_r, ip, port, out);
}

static void eval_msg(const struct conf_capture *c, int32_t mi, struct conf_natd_msg *o)
{
	memset(o, 0, sizeof *o);
	o->msg = mi;
	if (mi < 0)
		return;
	const struct conf_msg *m = &c->msg[mi];
	static const uint8_t zero[8];
	uint8_t h_src[20], h_dst[20], h_src_sw[20], h_dst_sw[20], h_src_z[20], h_dst_z[20];
	conf_natd_hash(m->hdr.spi_i, m->hdr.spi_r, m->flow.src, m->flow.sport, h_src);
	conf_natd_hash(m->hdr.spi_i, m->hdr.spi_r, m->flow.dst, m->flow.dport, h_dst);
	conf_natd_hash(m->hdr.spi_i, m->hdr.spi_r, m->flow.dst, m->flow.dport, h_src_sw);
	conf_natd_hash(m->hdr.spi_i, m->hdr.spi_r, m->flow.src, m->flow.sport, h_dst_sw);
	conf_natd_hash(m->hdr.spi_i, zero, m->flow.src, m->flow.sport, h_src_z);
	conf_natd_hash(m->hdr.spi_i, zero, m->flow.dst, m->flow.dport, h_dst_z);
	int resp = conf_msg_is_response(m);
	int z_src = 0, z_dst = 0;
	for (int i = 0; i < m->v2.n_notify; i++) {
		const struct conf_ikev2_notify *n = &m->v2.nt[i];
		int is_src = n->type == IKE_N_NAT_DETECTION_SOURCE_IP;
		int is_dst = n->type == IKE_N_NAT_DETECTION_DESTINATION_IP;
		if (!is_src && !is_dst)
			continue;
		if (is_src)
			o->n_src++;
		else
			o->n_dst++;
		if (n->data_len != IKE_NAT_HASH_LEN || (uint64_t)n->data_off + n->data_len > m->len) {
			o->bad_len = 1;
			continue;
		}
		const uint8_t *d = m->raw + n->data_off;
		if (is_src) {
			o->src_match |= memcmp(d, h_src, 20) == 0;
			o->src_swapped |= memcmp(d, h_src_sw, 20) == 0;
			z_src |= memcmp(d, h_src_z, 20) == 0;
		} else {
			o->dst_match |= memcmp(d, h_dst, 20) == 0;
			o->dst_swapped |= memcmp(d, h_dst_sw, 20) == 0;
			z_dst |= memcmp(d, h_dst_z, 20) == 0;
		}
	}
	/* the swapped forms only count when the correct form does not match */
	if (o->src_match)
		o->src_swapped = 0;
	if (o->dst_match)
		o->dst_swapped = 0;
	o->zero_spir = resp && !o->src_match && !o->dst_match && (z_src || z_dst);
}

void conf_natd_eval(const struct conf_capture *c, const struct conf_ikesa *sa, struct conf_natd_eval *out)
{
	memset(out, 0, sizeof *out);
	eval_msg(c, sa->init_req, &out->req);
	eval_msg(c, sa->init_resp, &out->resp);
	int have = out->req.n_src + out->req.n_dst > 0 && out->resp.n_src + out->resp.n_dst > 0;
	if (!have) {
		out->state = CONF_NATD_NONE;
		return;
	}
	out->nat_before_init = out->req.n_src && !out->req.src_match;
	out->nat_before_resp = out->resp.n_src && !out->resp.src_match;
	out->dst_nat = (out->req.n_dst && !out->req.dst_match) || (out->resp.n_dst && !out->resp.dst_match);
	out->state = out->nat_before_init || out->nat_before_resp || out->dst_nat ? CONF_NATD_NAT
										: CONF_NATD_NO_NAT;
}
