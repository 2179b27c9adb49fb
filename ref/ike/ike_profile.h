/*
 * ike_profile.h — the plain-text profile of a client or a gateway, as the
 * scenario files embed it:
 *
 *   # comment
 *   [client]                       # optional; or "role = client"
 *   remote_addr = 192.0.2.1
 *   local_id    = alice@example.org
 *   psk         = "correct horse"  # quotes keep spaces and '#'
 *   ike         = aes256gcm16-prfsha256-curve25519
 *   esp         = aes256gcm16, aes128-sha256
 *   proposals   = auto
 *   keepalive   = 20s
 *
 * One `key = value` a line. Sections [client] and [gateway] are optional;
 * lines before the first section apply to both. With |section| NULL the
 * text must describe one role; with |section| "client" or "gateway" the
 * parser takes the common lines and that section and skips every other
 * section (a scenario file holds both profiles plus its own sections).
 * Keys, values and defaults: ike_profile.c (the table at its top).
 *
 * Every error names file:line, the key, the value and what was expected:
 *   "gw.conf:7: keepalive = '20 parsecs': unknown unit 'parsecs', expected ms, s, m or h"
 */
#ifndef VPNLAB_REF_IKE_PROFILE_H
#define VPNLAB_REF_IKE_PROFILE_H

#include <stddef.h>

#include "ref/ike/ike.h"

/*
 * ike_profile_parse fills |cfg| (ike_config_init for the role, then the
 * keys) from |text| (|len| octets; need not be NUL-terminated). |file|
 * names the text in errors. Returns 0, or IKE_E_SYNTAX with |msg| set.
 * Credential files (cert, key, ca) are only named here; load them with
 * ike_config_load_credentials.
 */
int ike_profile_parse(const char *text, size_t len, const char *file, const char *section,
		      struct ike_config *cfg, char *msg, size_t cap);

/* ike_profile_keys lists the known keys, NULL-terminated (documentation, tests). */
extern const char *const ike_profile_keys[];

#endif
