/*
 * conf_dec.h — decrypting a capture with the keys of conf_keys.h, through
 * ref/ only (no second implementation of any cipher or of the SK layout):
 *
 *   IKEv2 SK / SKF   ike_msg_parse -> ike_sk_decrypt (ref/ike/ike_sk.h) with
 *                    an ike_keys made from the key entry; the sender's role
 *                    comes from the I flag (RFC 7296 §2.14: the original
 *                    initiator sends with SK_ei/SK_ai)
 *   SKF reassembly   after decryption (RFC 7383 §2.6): the fragments of one
 *                    message (same IKE SA, Message ID, sender and Total
 *                    Fragments) concatenated in Fragment Number order, the
 *                    first inner type from fragment 1; then the inner chain
 *                    is parsed by ike_msg_parse_inner_first
 *   ESP              esp_open (ref/esp/esp.h) on an inbound SA per SPI; a
 *                    packet the replay window refuses (a duplicate in the
 *                    capture) is opened with a fresh SA, so every packet is
 *                    judged on its own
 *
 * Key binding: an SA takes the first key entry that authenticates one of its
 * packets, trying the entries naming its SPIs first and then the ones without
 * SPIs (charon logs). A packet no entry authenticates gets the note "ICV
 * mismatch with the given keys" (a wrong key, or an altered packet); an SA
 * no entry names, while no SPI-less entry is left, gets "no key".
 */
#ifndef VPNLAB_CONF_DEC_H
#define VPNLAB_CONF_DEC_H

#include <stddef.h>
#include <stdint.h>

#include "conformance/conf_keys.h"
#include "ref/ike/ike_msg.h"

struct conf_capture;

enum conf_dec_st {
	CONF_DEC_NONE = 0, /* nothing encrypted to look at (IKE_SA_INIT, IKEv1) */
	CONF_DEC_NOKEY,    /* encrypted, no key for its SA */
	CONF_DEC_OK,       /* authenticated and decrypted */
	CONF_DEC_ICV,      /* ICV mismatch with the given keys */
	CONF_DEC_BAD,      /* authenticated, content malformed (padding, inner payloads, alignment) */
	CONF_DEC_SKIP,     /* not decryptable: the message itself is malformed or cut by the capture */
};

/* conf_dec_st_name: "decrypted", "ICV mismatch with the given keys", ... */
const char *conf_dec_st_name(enum conf_dec_st s);

struct conf_dec_msg {
	uint8_t st;             /* enum conf_dec_st */
	uint8_t first;          /* first inner payload type (SK / SKF fragment 1 Next Payload) */
	uint8_t *plain;         /* SK: inner payloads; SKF: this fragment's share */
	uint32_t plain_len;
	int32_t whole;          /* index in conf_dec.whole of the message it belongs to, -1 */
	int32_t key;            /* index in the key set's ike[], -1 */
	char note[200];
};

/* conf_dec_whole: one decrypted IKE message (an SK message, or SKF fragments reassembled). */
struct conf_dec_whole {
	int32_t msg;            /* capture message with the header: the SK message or fragment 1 */
	uint32_t frame;         /* frame that completed it (the SK message, the last fragment) */
	uint32_t first_frame;   /* earliest frame of its fragments */
	uint16_t n_frags;       /* 0: not fragmented */
	uint8_t first;
	uint8_t *plain;         /* inner payload chain */
	uint32_t len;
	int inner_ok;           /* ref/ike parsed the inner chain */
	char summary[400];      /* ike_msg_summary of the decrypted message, or the parse error */
};

struct conf_dec_esp {
	uint8_t st;             /* enum conf_dec_st */
	int err;                /* esp_open's result (ESP_OK, ESP_EINNER, ESP_ENEXTHDR, ...) */
	uint8_t next_header;
	uint32_t inner_len;     /* decrypted payload octets (the inner packet with next header 4) */
	uint8_t head[64];       /* its first octets */
	uint8_t head_len;
	int32_t key;            /* index in the key set's esp[], -1 */
	char note[160];
};

struct conf_dec_stats {
	uint32_t ike_enc, ike_ok, ike_icv, ike_nokey, ike_bad, ike_skip, frag_sets;
	uint32_t esp, esp_ok, esp_icv, esp_nokey, esp_bad, esp_skip;
};

struct conf_dec {
	char keys[256];         /* the key file */
	uint32_t n_ike_keys, n_esp_keys, n_ikev1_keys;
	struct conf_dec_msg *msg;   /* one per capture message */
	uint32_t n_msg_alloc;
	struct conf_dec_whole *whole;
	uint32_t n_whole, cap_whole;
	struct conf_dec_esp *esp;   /* one per ESP record */
	uint32_t ike_keys_used, esp_keys_used;
	struct conf_dec_stats st;
};

/*
 * conf_dec_run decrypts what |k| has keys for and attaches the results to
 * |c| (c->dec, freed with the capture). ESP needs the packets' octets: load
 * the capture with conf_capture_limits.keep_esp. -1 on memory exhaustion.
 */
int conf_dec_run(struct conf_capture *c, const struct conf_keys *k, char *err, size_t errlen);

void conf_dec_free(struct conf_dec *d);

/*
 * conf_dec_inner fills |m| with decrypted message |whole|: header and
 * cleartext chain of its carrying message, inner chain from the plaintext
 * (views into the capture; valid while it lives). -1 with |e| if either
 * does not parse.
 */
int conf_dec_inner(const struct conf_capture *c, uint32_t whole, struct ike_msg *m, struct ike_err *e);

/* conf_dec_esp_run is the ESP half of conf_dec_run (conf_dec_esp.c). */
int conf_dec_esp_run(struct conf_capture *c, struct conf_dec *d, const struct conf_keys *k);

#endif
