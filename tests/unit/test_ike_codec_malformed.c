/*
 * test_ike_codec_malformed.c — a numbered table of malformed IKEv2 input:
 * every length field too small, too large or overflowing, truncated
 * headers, chains running past the end, wrong SPI sizes, count mismatches,
 * fragment numbers out of range, unknown critical payloads. Each row names
 * the status, the Notify the engine should answer with, and a piece of the
 * message that must name the field, the value and what was expected.
 * Inputs are copied into exactly-sized heap buffers so ASan sees any read
 * past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ref/ike/ike_msg.h"
#include "tests/lib/testutil.h"

enum kind {
	MSG,   /* ike_msg_parse */
	PL,    /* ike_payload_parse(type) */
	INNER, /* ike_chain_parse of a decrypted chain (first = type, no SK allowed) */
	SPLIT, /* ike_sk_split(iv 8, icv 16, block 16) */
	UNPAD, /* ike_sk_unpad */
};

/* Header with the test SPIs; np/ver/exch/flags then mid and length. */
#define SPIS "0123456789abcdef fedcba9876543210 "

static const struct row {
	enum kind kind;
	uint8_t type;     /* PL/INNER: payload type */
	const char *hex;  /* input */
	size_t fill;      /* then this many 0xab octets */
	int code;         /* expected status */
	uint16_t notify;  /* expected err.notify */
	const char *want; /* substring of err.msg */
} rows[] = {
	/* --- IKE header (§3.1) --- */
	/*  1 */ {MSG, 0, SPIS "00202208 00000000 000000", 0, IKE_E_TRUNCATED, 0, "27 octets, expected >= 28"},
	/*  2 */ {MSG, 0, "", 0, IKE_E_TRUNCATED, 0, "0 octets, expected >= 28"},
	/*  3 */ {MSG, 0, SPIS "00302208 00000000 0000001c", 0, IKE_E_VERSION, IKE_N_INVALID_MAJOR_VERSION,
		  "major version 3, expected 2"},
	/*  4 */ {MSG, 0, SPIS "01100200 00000000 0000001c", 0, IKE_E_VERSION, 0, "major version 1 (IKEv1)"},
	/*  5 */ {MSG, 0, SPIS "00202208 00000000 00000014", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Length 20, expected >= 28"},
	/*  6 */ {MSG, 0, SPIS "00202208 00000000 0000001e", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "Length 30, expected 28 (the datagram)"},
	/*  7 */ {MSG, 0, SPIS "00202208 00000000 0000001c 00000000", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Length 28, expected 32 (the datagram)"},
	/*  8 */ {MSG, 0, SPIS "00202208 00000000 ffffffff", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "Length 4294967295, expected 28"},

	/* --- payload chain (§3.2) --- */
	/*  9 */ {MSG, 0, SPIS "21202208 00000000 0000001c", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "next payload SA announced at offset 28, but the data ends"},
	/* 10 */ {MSG, 0, SPIS "2b202208 00000000 0000001e 0000", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "payload V at offset 28: generic header needs 4 octets, 2 left"},
	/* 11 */ {MSG, 0, SPIS "2b202208 00000000 00000020 00000003", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "payload V at offset 28: Payload Length 3, expected >= 4"},
	/* 12 */ {MSG, 0, SPIS "2b202208 00000000 00000020 00000000", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Payload Length 0, expected >= 4"},
	/* 13 */ {MSG, 0, SPIS "2b202208 00000000 00000024 00000064 aabbccdd", 0, IKE_E_LENGTH,
		  IKE_N_INVALID_SYNTAX, "Payload Length 100 runs past the end (8 octets left)"},
	/* 14 */ {MSG, 0, SPIS "2b202208 00000000 00000026 2b000006 aabb 0000ffff", 0, IKE_E_LENGTH,
		  IKE_N_INVALID_SYNTAX, "payload V at offset 34: Payload Length 65535 runs past the end (4 octets left)"},
	/* 15 */ {MSG, 0, SPIS "2b202208 00000000 00000024 00000006 aabb 0000", 0, IKE_E_LENGTH,
		  IKE_N_INVALID_SYNTAX, "2 octets after the last payload (offset 34), expected none"},
	/* 16 */ {MSG, 0, SPIS "63202208 00000000 00000024 00800008 aabbccdd", 0, IKE_E_CRITICAL,
		  IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, "payload type 99 at offset 28: not recognized and critical"},
	/* 17 */ {MSG, 0, SPIS "63202208 00000000 00000024 00000008 aabbccdd", 0, IKE_OK, 0, NULL},
	/* 18 */ {MSG, 0, SPIS "2e202308 00000001 0000002c 21000008 aabbccdd 00000008 11223344", 0, IKE_E_SYNTAX,
		  IKE_N_INVALID_SYNTAX, "payload SK at offset 28 must be last: it ends at 36, the message at 44"},
	/* 19 */ {MSG, 0, SPIS "35202308 00000001 00000025 23000009 00000003 aa", 0, IKE_E_SYNTAX,
		  IKE_N_INVALID_SYNTAX, "Fragment Number 0, expected 1..3 (Total Fragments)"},
	/* 20 */ {MSG, 0, SPIS "35202308 00000001 00000025 23000009 00040003 aa", 0, IKE_E_SYNTAX,
		  IKE_N_INVALID_SYNTAX, "Fragment Number 4, expected 1..3"},
	/* 21 */ {MSG, 0, SPIS "35202308 00000001 00000025 23000009 00010000 aa", 0, IKE_E_SYNTAX,
		  IKE_N_INVALID_SYNTAX, "Total Fragments 0, expected >= 1"},
	/* 22 */ {MSG, 0, SPIS "35202308 00000001 00000022 23000006 0001", 0, IKE_E_TRUNCATED,
		  IKE_N_INVALID_SYNTAX, "SKF payload: 2 octets, expected >= 4"},
	/* 23 */ {MSG, 0, SPIS "2e202308 00000001 00000020 23000004", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "SK payload: empty"},
	/* 24 */ {INNER, IKE_PL_IDI, "2e000008 02000000 00000008 aabbccdd", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "Encrypted payload inside an Encrypted payload"},
	/* 25 */ {INNER, IKE_PL_IDI, "00000008 02000000 aa", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "1 octets after the last payload"},

	/* --- SA payload (§3.3) --- */
	/* 26 */ {PL, IKE_PL_SA, "", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, "SA payload empty, expected at least one"},
	/* 27 */ {PL, IKE_PL_SA, "0000000801", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "SA proposal 1: header needs 8 octets, 5 left"},
	/* 28 */ {PL, IKE_PL_SA, "01000008 01010000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "SA proposal 1: Last Substruc 1, expected 0 (last) or 2 (more)"},
	/* 29 */ {PL, IKE_PL_SA, "00000007 01010000", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "SA proposal 1: Proposal Length 7, expected >= 8"},
	/* 30 */ {PL, IKE_PL_SA, "00000010 01010001 00000008", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Proposal Length 16 runs past the SA payload (12 octets left)"},
	/* 31 */ {PL, IKE_PL_SA, "00000008 01010000 00000008 02010000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "SA proposal 1: Last Substruc 0 (last) but 8 octets follow"},
	/* 32 */ {PL, IKE_PL_SA, "02000008 01010000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "Last Substruc 2 (more) but the SA payload ends"},
	/* 33 */ {PL, IKE_PL_SA, "00000008 01000000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "Protocol ID 0, expected 1 (IKE), 2 (AH) or 3 (ESP)"},
	/* 34 */ {PL, IKE_PL_SA, "0000000b 01030300 aabbcc", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "SA proposal 1: SPI size 3 for ESP, expected 4"},
	/* 35 */ {PL, IKE_PL_SA, "0000000c 01010400 aabbccdd", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "SPI size 4 for IKE, expected 0 or 8"},
	/* 36 */ {PL, IKE_PL_SA, "0000000c 01010800 aabbccdd", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "SPI size 8 does not fit in Proposal Length 12"},
	/* 37 */ {PL, IKE_PL_SA, "00000010 01010002 00000008 0100000c", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "SA proposal 1: Num Transforms 2 but 1 transforms present"},
	/* 38 */ {PL, IKE_PL_SA, "00000010 01010001 02000008 0100000c", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "transform 1: Last Substruc 2, expected 0 (last) or 3 (more)"},
	/* 39 */ {PL, IKE_PL_SA, "00000010 01010001 00000006 0100000c", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "transform 1: Transform Length 6, expected >= 8"},
	/* 40 */ {PL, IKE_PL_SA, "00000010 01010001 0000000c 0100000c", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Transform Length 12 runs past the proposal (8 octets left)"},
	/* 41 */ {PL, IKE_PL_SA, "00000012 01010001 0000000a 0100000c 800e", 0, IKE_E_TRUNCATED,
		  IKE_N_INVALID_SYNTAX, "attribute header needs 4 octets, 2 left"},
	/* 42 */ {PL, IKE_PL_SA, "00000014 01010001 0000000c 0100000c 00050010", 0, IKE_E_LENGTH,
		  IKE_N_INVALID_SYNTAX, "attribute 5 length 16 runs past the transform (0 octets left)"},
	/* 43 */ {PL, IKE_PL_SA, "00000016 01010001 0000000e 0100000c 000e0002 0080", 0, IKE_E_SYNTAX,
		  IKE_N_INVALID_SYNTAX, "KEY_LENGTH attribute is TLV (AF=0), expected TV (AF=1)"},
	/* 44 */ {PL, IKE_PL_SA, "00000018 01010001 00000010 0100000c 800e0080 800e0100", 0, IKE_E_SYNTAX,
		  IKE_N_INVALID_SYNTAX, "KEY_LENGTH attribute twice, expected once"},
	/* 45 */ {PL, IKE_PL_SA, "02000008 01010000 00000008 03010000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "SA proposal 2: Proposal Num 3, expected 2 (one more than the previous)"},
	/* 46 */ {PL, IKE_PL_SA, "02000008 02010000 00000008 03010000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "SA proposal 1: Proposal Num 2, expected 1 (first of several)"},
	/* 47 */ {PL, IKE_PL_SA, "00000014 01010001 0000000c 0100000c 800e0000", 0, IKE_E_SYNTAX,
		  IKE_N_INVALID_SYNTAX, "KEY_LENGTH 0, expected a key size in bits"},

	/* --- KE (§3.4), ID (§3.5) --- */
	/* 48 */ {PL, IKE_PL_KE, "001300", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, "KE payload: 3 octets, expected >= 4"},
	/* 49 */ {PL, IKE_PL_KE, "00130000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "Key Exchange Data empty for group 19"},
	/* 50 */ {PL, IKE_PL_IDI, "01000000 c000020101", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "ID_IPV4_ADDR data 5 octets, expected 4"},
	/* 51 */ {PL, IKE_PL_IDR, "05000000 20010db8", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "ID_IPV6_ADDR data 4 octets, expected 16"},
	/* 52 */ {PL, IKE_PL_IDI, "02000000 766f00", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "ID_FQDN contains a NUL octet"},
	/* 53 */ {PL, IKE_PL_IDI, "0d000000 aa", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "ID_NULL data 1 octets, expected 0 (RFC 7619)"},
	/* 54 */ {PL, IKE_PL_IDI, "020000", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, "ID payload: 3 octets, expected >= 4"},
	/* 55 */ {PL, IKE_PL_IDR, "02000000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, "ID_FQDN empty"},

	/* --- CERT (§3.6), CERTREQ (§3.7), AUTH (§3.8), Nonce (§3.9) --- */
	/* 56 */ {PL, IKE_PL_CERTREQ, "04", 21, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "X509_SIGNATURE authority data 21 octets, expected a multiple of 20"},
	/* 57 */ {PL, IKE_PL_CERT, "04", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "X509_SIGNATURE Certificate Data empty"},
	/* 58 */ {PL, IKE_PL_CERTREQ, "", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, "CERTREQ payload: empty"},
	/* 59 */ {PL, IKE_PL_AUTH, "0e000000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "DIGITAL_SIGNATURE Authentication Data empty"},
	/* 60 */ {PL, IKE_PL_AUTH, "02", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, "AUTH payload: 1 octets, expected >= 4"},
	/* 61 */ {PL, IKE_PL_NONCE, "", 15, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, "15 octets, expected 16..256"},
	/* 62 */ {PL, IKE_PL_NONCE, "", 257, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, "257 octets, expected 16..256"},

	/* --- Notify (§3.10) --- */
	/* 63 */ {PL, IKE_PL_NOTIFY, "000040", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "Notify payload: 3 octets, expected >= 4"},
	/* 64 */ {PL, IKE_PL_NOTIFY, "03044009 1234", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Notify REKEY_SA: SPI size 4 runs past the payload (2 octets left)"},
	/* 65 */ {PL, IKE_PL_NOTIFY, "03084009 1122334455667788", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "Notify REKEY_SA: SPI size 8 for ESP, expected 4"},
	/* 66 */ {PL, IKE_PL_NOTIFY, "03094009", 9, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX, "SPI size 9, expected 0, 4 or 8"},
	/* 67 */ {PL, IKE_PL_NOTIFY, "0004002c 12345678", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "Notify CHILD_SA_NOT_FOUND: Protocol ID 0 with SPI size 4"},
	/* 68 */ {PL, IKE_PL_NOTIFY, "00004004", 19, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Notify NAT_DETECTION_SOURCE_IP: data 19 octets, expected 20"},
	/* 69 */ {PL, IKE_PL_NOTIFY, "00004006", 65, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Notify COOKIE: data 65 octets, expected 1..64"},
	/* 70 */ {PL, IKE_PL_NOTIFY, "00000011 13", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Notify INVALID_KE_PAYLOAD: data 1 octets, expected 2"},
	/* 71 */ {PL, IKE_PL_NOTIFY, "0000402f 000200", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Notify SIGNATURE_HASH_ALGORITHMS: data 3 octets, expected a multiple of 2"},
	/* 72 */ {PL, IKE_PL_NOTIFY, "01084000 1122334455667788", 0, IKE_OK, 0, NULL}, /* IKE SPI, 8 octets */

	/* --- Delete (§3.11) --- */
	/* 73 */ {PL, IKE_PL_DELETE, "03040002 11111111", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Delete ESP: 2 SPIs of 4 octets need 8 octets, payload has 4"},
	/* 74 */ {PL, IKE_PL_DELETE, "01040000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "Delete IKE: SPI size 4, 0 SPIs, expected 0 and 0"},
	/* 75 */ {PL, IKE_PL_DELETE, "03080001 1122334455667788", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "Delete ESP: SPI size 8, expected 4"},
	/* 76 */ {PL, IKE_PL_DELETE, "07000000", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "Protocol ID 7, expected 1 (IKE), 2 (AH) or 3 (ESP)"},
	/* 77 */ {PL, IKE_PL_DELETE, "03040000 11111111", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "0 SPIs of 4 octets need 0 octets, payload has 4"},
	/* 78 */ {PL, IKE_PL_DELETE, "030400", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "Delete payload: 3 octets, expected >= 4"},

	/* --- Traffic selectors (§3.13) --- */
	/* 79 */ {PL, IKE_PL_TSI, "02000000 07000010 0000ffff 0a000000 0a0000ff", 0, IKE_E_SYNTAX, IKE_N_INVALID_SYNTAX,
		  "Number of TSs 2 but 1 selectors present"},
	/* 80 */ {PL, IKE_PL_TSI, "01000000 07000014 0000ffff 0a000000 0a0000ff 00000000", 0, IKE_E_LENGTH,
		  IKE_N_INVALID_SYNTAX, "TS selector 1: TS_IPV4_ADDR_RANGE Selector Length 20, expected 16"},
	/* 81 */ {PL, IKE_PL_TSR, "01000000 08000010 0000ffff 0a000000 0a0000ff", 0, IKE_E_LENGTH,
		  IKE_N_INVALID_SYNTAX, "TS_IPV6_ADDR_RANGE Selector Length 16, expected 40"},
	/* 82 */ {PL, IKE_PL_TSI, "01000000 07000010 0000ffff", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Selector Length 16 runs past the payload (8 octets left)"},
	/* 83 */ {PL, IKE_PL_TSI, "01000000 0700", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "TS selector 1: header needs 4 octets, 2 left"},
	/* 84 */ {PL, IKE_PL_TSI, "01000000 0a000002", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "Selector Length 2, expected >= 4"},
	/* 85 */ {PL, IKE_PL_TSI, "010000", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, "TS payload: 3 octets, expected >= 4"},

	/* --- CP (§3.15), EAP (§3.16) --- */
	/* 86 */ {PL, IKE_PL_CP, "01000000 00010008 0a000001", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "CP attribute INTERNAL_IP4_ADDRESS: Length 8 runs past the payload (4 octets left)"},
	/* 87 */ {PL, IKE_PL_CP, "02000000 00010005 0a00000100", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "CP attribute INTERNAL_IP4_ADDRESS: Length 5, expected 0 or 4"},
	/* 88 */ {PL, IKE_PL_CP, "01000000 0001", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "CP attribute 1: header needs 4 octets, 2 left"},
	/* 89 */ {PL, IKE_PL_CP, "02000000 00080010", 16, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "INTERNAL_IP6_ADDRESS: Length 16, expected 0 or 17"},
	/* 90 */ {PL, IKE_PL_EAP, "01010009 01", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "EAP Length 9, expected 5 (the payload body)"},
	/* 91 */ {PL, IKE_PL_EAP, "01010004", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, "Request without a Type octet"},

	/* --- SK helpers (§3.14) --- */
	/* 92 */ {SPLIT, 0, "", 24, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX,
		  "24 encrypted octets, expected >= 25 (IV 8 + Pad Length 1 + ICV 16)"},
	/* 93 */ {SPLIT, 0, "", 8 + 17 + 16, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX,
		  "ciphertext 17 octets, expected a multiple of the block size 16"},
	/* 94 */ {UNPAD, 0, "00000000 05", 0, IKE_E_LENGTH, IKE_N_INVALID_SYNTAX, "Pad Length 5, expected <= 4"},
	/* 95 */ {UNPAD, 0, "", 0, IKE_E_TRUNCATED, IKE_N_INVALID_SYNTAX, "SK plaintext: empty"},
	/* 96 */ {SPLIT, 0, "", 8 + 32 + 16, IKE_OK, 0, NULL},
};

static struct ike_payload pl; /* large: not on the stack */

static int run_row(const struct row *r, struct ike_err *e)
{
	size_t cap = strlen(r->hex) / 2 + r->fill + 1;
	uint8_t *tmp = malloc(cap), *in;
	long n = hex_decode(r->hex, tmp, cap);
	size_t len;
	int rc = -100;

	assert_true(n >= 0);
	len = (size_t)n + r->fill;
	memset(tmp + n, 0xab, r->fill);
	in = malloc(len ? len : 1); /* exactly sized: ASan catches over-reads */
	memcpy(in, tmp, len);
	free(tmp);
	switch (r->kind) {
	case MSG: {
		struct ike_msg m;

		rc = ike_msg_parse(&m, in, len, e);
		break;
	}
	case PL:
		rc = ike_payload_parse(&pl, r->type, in, len, e);
		break;
	case INNER: {
		struct ike_chain c;

		rc = ike_chain_parse(&c, r->type, in, len, 0, 0, e);
		break;
	}
	case SPLIT: {
		struct ike_sk_parts p;

		rc = ike_sk_split(in, len, 8, 16, 16, &p, e);
		break;
	}
	case UNPAD: {
		size_t plen;

		rc = ike_sk_unpad(in, len, &plen, e);
		break;
	}
	}
	free(in);
	return rc;
}

static void test_malformed_table(void **state)
{
	size_t nrows = sizeof rows / sizeof rows[0];

	assert_true(nrows >= 40);
	for (size_t i = 0; i < nrows; i++) {
		struct ike_err e;
		int rc;

		memset(&e, 0, sizeof e);
		rc = run_row(&rows[i], &e);
		if (rc != rows[i].code)
			fail_msg("row %zu: status %s, expected %s (%s)", i + 1, ike_status_name(rc),
				 ike_status_name(rows[i].code), e.msg);
		if (rc == 0)
			continue;
		if (e.code != rc || e.notify != rows[i].notify)
			fail_msg("row %zu: err.code %d notify %u, expected notify %u (%s)", i + 1, e.code, e.notify,
				 rows[i].notify, e.msg);
		if (rows[i].want != NULL && strstr(e.msg, rows[i].want) == NULL)
			fail_msg("row %zu: message \"%s\" lacks \"%s\"", i + 1, e.msg, rows[i].want);
	}
}

/* §2.5: the engine needs the unsupported type as the Notification Data. */
static void test_critical_reports_type(void **state)
{
	struct ike_err e;

	memset(&e, 0, sizeof e);
	assert_int_equal(run_row(&rows[15], &e), IKE_E_CRITICAL);
	assert_int_equal(e.payload, 99);
	assert_int_equal(e.offset, 28);
	/* critical bit on a KNOWN payload is ignored (§2.5) */
	{
		uint8_t in[] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98,
				0x76, 0x54, 0x32, 0x10, 0x2b, 0x20, 0x22, 0x08, 0, 0, 0, 0,
				0, 0, 0, 36, 0x00, 0x80, 0x00, 0x08, 0xaa, 0xbb, 0xcc, 0xdd};
		struct ike_msg m;

		assert_int_equal(ike_msg_parse(&m, in, sizeof in, &e), 0);
		assert_int_equal(m.outer.pl[0].critical, 1);
		assert_int_equal(m.outer.pl[0].unknown, 0);
	}
}

/* The error's payload field names IDr/TSr/CERTREQ even though they share parsers. */
static void test_error_names_payload(void **state)
{
	struct ike_err e;
	uint8_t in[8] = {1, 0, 0, 0, 1, 2, 3};

	memset(&e, 0, sizeof e);
	assert_int_equal(ike_payload_parse(&pl, IKE_PL_IDR, in, 7, &e), IKE_E_LENGTH);
	assert_int_equal(e.payload, IKE_PL_IDR);
	assert_int_equal(e.offset, 4);
	assert_int_equal(ike_payload_parse(&pl, IKE_PL_TSR, in, 3, &e), IKE_E_TRUNCATED);
	assert_int_equal(e.payload, IKE_PL_TSR);
	/* NULL err is allowed everywhere */
	assert_int_equal(ike_payload_parse(&pl, IKE_PL_SA, in, 0, NULL), IKE_E_SYNTAX);
}

/* Local limits: more than IKE_CHAIN_MAX payloads, IKE_TS_MAX selectors, ... */
static void test_limits(void **state)
{
	size_t n = IKE_CHAIN_MAX + 1, len = IKE_HDR_LEN + 4 * n, off;
	uint8_t *buf = calloc(1, len);
	struct ike_msg m;
	struct ike_err e;
	uint8_t ts[4 + 17 * 16];

	memset(&e, 0, sizeof e);
	buf[16] = IKE_PL_VENDOR;
	buf[17] = 0x20;
	buf[18] = IKE_SA_INIT;
	ike_put32(buf + 24, (uint32_t)len);
	for (off = IKE_HDR_LEN; off < len; off += 4) {
		buf[off] = off + 4 < len ? IKE_PL_VENDOR : 0;
		ike_put16(buf + off + 2, 4);
	}
	assert_int_equal(ike_msg_parse(&m, buf, len, &e), IKE_E_LIMIT);
	assert_non_null(strstr(e.msg, "more than 64 payloads"));
	free(buf);

	memset(ts, 0, sizeof ts);
	ts[0] = 17;
	for (size_t i = 0; i < 17; i++) {
		ts[4 + 16 * i] = IKE_TS_IPV4_ADDR_RANGE;
		ts[4 + 16 * i + 3] = 16;
	}
	assert_int_equal(ike_payload_parse(&pl, IKE_PL_TSI, ts, 4 + 16 * 17, &e), IKE_E_LIMIT);
	assert_non_null(strstr(e.msg, "more than 16 selectors"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_critical_reports_type),
		cmocka_unit_test(test_error_names_payload),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
