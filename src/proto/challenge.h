/* purple-msnp — answers to CHL challenges (protocol/challenges.md). */
#ifndef MSN_PROTO_CHALLENGE_H
#define MSN_PROTO_CHALLENGE_H

#include <glib.h>

#include "proto/dialect.h"

G_BEGIN_DECLS

/* MSNP8–10: lowercase hex MD5(chl || key).  out receives 32 hex digits and a
 * NUL. */
void msn_challenge_md5(const char *chl, const char *key, char out[33]);

/* MSNP11+: the 64-bit hash (challenges.md §3), always padding the
 * challenge+id string with 1..8 '0' characters (8 when it is already a
 * multiple of 8, as Escargot, Pidgin and msn-pecan do). */
void msn_challenge_msnp11(const char *chl, const char *product_id,
                          const char *product_key, char out[33]);

/* The answer for the dialect's scheme and key pair; the product id to send in
 * QRY is dialect->challenge_product_id.  FALSE (out set to "") when dialect
 * or chl is NULL. */
gboolean msn_challenge_answer(const MsnDialect *dialect, const char *chl,
                              char out[33]);

G_END_DECLS

#endif
