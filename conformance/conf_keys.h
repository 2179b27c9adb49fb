/*
 * conf_keys.h — the keys `vpnlab check --keys FILE` decrypts with.
 *
 * One file may mix three formats; each line is recognised on its own:
 *
 *   vpnlab events (JSON lines, ref/ike/ike_ev.c, engine config log_keys):
 *     {"ev":"keys","spi_i":..,"spi_r":..,"encr":"ENCR_AES_GCM_16","encr_bits":256,
 *      "integ":"NONE","prf":..,"sk_ei":..,"sk_er":..[,"sk_ai":..,"sk_ar":..]}
 *     any event with "spi_in","spi_out","alg","enc_in","enc_out"
 *     [,"integ_in","integ_out"] (child_up): both ESP SAs of a CHILD SA
 *     (conf_keys_json.c);
 *   Wireshark / tshark decryption tables: "uat:ikev2_decryption_table:ROW"
 *     and "uat:esp_sa:ROW" as tshark -o arguments (the NAME.keys files in pcaps/interop), or
 *     the quoted rows of Wireshark's own ikev2_decryption_table / esp_sa
 *     files (conf_keys_uat.c);
 *   strongSwan's charon log at "ike = 4" / "chd = 4" (plus "cfg >= 1" for the
 *     "selected proposal" lines): the hex dumps after "Sk_ei secret => N
 *     bytes @ ..", "encryption initiator key => ..", and the SPIs of
 *     "adding inbound/outbound ESP SA" (conf_keys_charon.c).
 *
 * Everything else (other events, other log lines, comments, blank lines)
 * is skipped. A line that is recognisably a key line but malformed is an
 * error naming FILE:LINE, the field, its value and what was expected.
 *
 * Binding keys to SAs: entries with SPIs go to the SA with those SPIs.
 * charon does not log the IKE SPIs, and pairs the ESP keys with SPIs only
 * through its role, so those entries carry no (or two candidate) SPIs: the
 * decryptor (conf_dec.h) binds them to the SA whose first encrypted packet
 * they authenticate. The ICV is the proof; nothing is guessed silently.
 *
 * IKEv1 keys (ikev1_decryption_table, "encryption key Ka") are counted and
 * not used: ref/ implements no IKEv1, and the decryption must go through
 * ref/ (ike_sk.h, esp.h). ESP keys of IKEv1 SAs work like any other.
 */
#ifndef VPNLAB_CONF_KEYS_H
#define VPNLAB_CONF_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "ref/crypto/crypto.h"
#include "ref/esp/esp.h"
#include "ref/ike/ike_keys.h"

#define CONF_KEYS_ORIGIN 128

/* conf_ike_key: the SK payload keys of one IKE SA (RFC 7296 §2.14). */
struct conf_ike_key {
	int have_spi;             /* 0: bind by trial (charon log) */
	uint8_t spi_i[8], spi_r[8];
	struct ike_suite suite;   /* encr, encr_key_bits, integ; prf/dh only as far as known */
	uint8_t sk_ei[IKE_KEYS_ENC_MAX], sk_er[IKE_KEYS_ENC_MAX];
	uint8_t sk_ai[IKE_KEYS_INTEG_MAX], sk_ar[IKE_KEYS_INTEG_MAX];
	size_t enc_len, integ_len;
	char origin[CONF_KEYS_ORIGIN]; /* "FILE:LINE (format)" */
};

/* conf_esp_key: the keys of one ESP SA (one direction), RFC 7296 §2.17. */
struct conf_esp_key {
	uint32_t spi[2];          /* the SA's SPI, or two candidates (charon); */
	unsigned n_spi;           /* 0: any SPI, bind by trial */
	enum crypto_aead_alg alg;
	size_t cipher_key_len;    /* without salt */
	uint8_t enc[IKE_KEYS_ENC_MAX];
	size_t enc_len;           /* cipher key + salt (AEAD) */
	uint8_t integ[IKE_KEYS_INTEG_MAX];
	size_t integ_len;
	int esn;                  /* extended sequence numbers (RFC 4303 §2.2.1) */
	char origin[CONF_KEYS_ORIGIN];
};

struct conf_keys {
	char name[256];
	struct conf_ike_key *ike;
	uint32_t n_ike, cap_ike;
	struct conf_esp_key *esp;
	uint32_t n_esp, cap_esp;
	uint32_t n_ikev1;         /* IKEv1 key lines recognised (not usable) */
};

/* conf_keys_init starts an empty set named |name| (used in origins and errors). */
void conf_keys_init(struct conf_keys *k, const char *name);
void conf_keys_free(struct conf_keys *k);

/*
 * conf_keys_parse reads |len| octets of key text (any mix of the formats).
 * Returns the number of keys added (IKE + ESP), or -1 with |err| naming
 * the line. A text with no key at all is an error too (naming the formats).
 */
int conf_keys_parse(struct conf_keys *k, const char *text, size_t len, char *err, size_t errlen);

/* conf_keys_load reads file |path| into |k| (conf_keys_init'ed); as conf_keys_parse. */
int conf_keys_load(struct conf_keys *k, const char *path, char *err, size_t errlen);

/*
 * conf_keys_ike_new makes the ref/ike key context of |e| for ike_sk_decrypt.
 * NULL with |err| when the suite is not one ref/ike supports or a key has
 * the wrong length for it.
 */
struct ike_keys *conf_keys_ike_new(const struct conf_ike_key *e, char *err, size_t errlen);

/*
 * conf_keys_esp_sa makes an inbound ref/esp SA for SPI |spi| with the keys
 * of |e| (replay window ESP_REPLAY_MAX, so a capture's reordering does not
 * hide packets). NULL with |err| on a bad configuration.
 */
struct esp_sa *conf_keys_esp_sa(const struct conf_esp_key *e, uint32_t spi, char *err, size_t errlen);

/*
 * conf_keys_next_ike / conf_keys_next_esp give the entries to try on an SA,
 * in binding order: first those naming its SPIs, then those naming none
 * (charon logs), skipping entries another SA has taken (|taken|, one octet
 * per entry). *|cursor| starts at 0; the result is an index, -1 at the end.
 */
long conf_keys_next_ike(const struct conf_keys *k, const uint8_t *taken, const uint8_t spi_i[8],
			const uint8_t spi_r[8], uint32_t *cursor);
long conf_keys_next_esp(const struct conf_keys *k, const uint8_t *taken, uint32_t spi, uint32_t *cursor);

/* ---- for the format readers (conf_keys_*.c) ---- */

/* conf_keys_add_ike / _esp validate |e| (by building its context) and append it. -1 with |err|. */
int conf_keys_add_ike(struct conf_keys *k, const struct conf_ike_key *e, char *err, size_t errlen);
int conf_keys_add_esp(struct conf_keys *k, const struct conf_esp_key *e, char *err, size_t errlen);

/*
 * conf_keys_hex decodes hex digits (optional "0x", separators ':' ' ' '-'
 * ignored) from |s| (|n| chars) into |out| (at most |cap|). Returns the
 * octet count, or -1 on an odd count, a non-hex character or overflow.
 */
long conf_keys_hex(const char *s, size_t n, uint8_t *out, size_t cap);

/*
 * conf_keys_esp_alg maps an IKEv2 ESP transform (encr, key bits, integ) to
 * ref/crypto's algorithm through ref/ike's proposal table; -1 if none.
 */
int conf_keys_esp_alg(uint16_t encr, uint16_t key_bits, uint16_t integ, enum crypto_aead_alg *alg,
		      size_t *cipher_key_len);

/* conf_keys_name_value: the value of |name| in an ref/ike name table (exact match); -1 if absent. */
struct ike_name_table;
long conf_keys_name_value(const struct ike_name_table *t, const char *name, size_t n);

/*
 * conf_keys_encr_name reads a cipher name as ref/ike writes it with a key
 * length ("ENCR_AES_GCM_16_256", "ENCR_AES_CBC_128", "ENCR_3DES") or as
 * strongSwan does ("AES_CBC_128", "AES_GCM_16_256", "3DES_CBC",
 * "CHACHA20_POLY1305"). -1 if unknown.
 */
int conf_keys_encr_name(const char *s, size_t n, uint16_t *encr, uint16_t *bits);

/* Line readers: 1 = a key line (keys added), 0 = not one of theirs, -1 = error in |err|. */
int conf_keys_json_line(struct conf_keys *k, const char *line, size_t len, const char *where, char *err,
			size_t errlen);
int conf_keys_uat_line(struct conf_keys *k, const char *line, size_t len, const char *where, char *err,
		       size_t errlen);

/* conf_keys_charon keeps the charon log reader's state across lines. */
struct conf_keys_charon;
struct conf_keys_charon *conf_keys_charon_new(void);
int conf_keys_charon_line(struct conf_keys_charon *st, struct conf_keys *k, const char *line, size_t len,
			  const char *where, char *err, size_t errlen);
/* conf_keys_charon_end flushes a CHILD SA whose SPIs never followed its keys; -1 with |err|. */
int conf_keys_charon_end(struct conf_keys_charon *st, struct conf_keys *k, char *err, size_t errlen);
void conf_keys_charon_free(struct conf_keys_charon *st);

#endif
