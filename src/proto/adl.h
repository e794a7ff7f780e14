/* purple-msnp — the ADL/RML/FQY payload (protocol/contacts.md §7).
 *
 *   <ml l="1"><d n="example.com"><c n="bob" l="3" t="1" /></d></ml>
 *
 * Building is strict: compact (no whitespace, no declaration), attributes in
 * double quotes in the order n, l, t, only the FL/AL/BL bits, t always
 * present, handles split at the last '@' and lower-cased.  Reading is
 * tolerant of anything a server may push (ADL 0, RML 0, FQY replies).
 * GLib only.
 */
#ifndef MSN_PROTO_ADL_H
#define MSN_PROTO_ADL_H

#include <glib.h>

G_BEGIN_DECLS

/* List bits as ADL carries them: the same values as MsnListBits. */
#define MSN_ADL_FL 0x01
#define MSN_ADL_AL 0x02
#define MSN_ADL_BL 0x04
#define MSN_ADL_RL 0x08
#define MSN_ADL_PL 0x10
/* The only bits a client may send (RL/PL → error 241 and disconnect). */
#define MSN_ADL_SENDABLE (MSN_ADL_FL | MSN_ADL_AL | MSN_ADL_BL)

/* Network ids (versions.md §3). */
typedef enum {
	MSN_NETWORK_PASSPORT = 1,
	MSN_NETWORK_LCS = 2,
	MSN_NETWORK_PHONE = 4,
	MSN_NETWORK_MNI = 8,
	MSN_NETWORK_SMTP = 16,
	MSN_NETWORK_YAHOO = 32
} MsnNetwork;

/* Batching of the initial dump: at most this many <c> per ADL, and every
 * payload strictly shorter than MSN_ADL_MAX_BYTES bytes. */
#define MSN_ADL_MAX_CONTACTS 150
#define MSN_ADL_MAX_BYTES    7400
/* Longest handle put into an ADL (bytes); longer ones are skipped. */
#define MSN_ADL_MAX_HANDLE   320
/* Largest payload msn_adl_parse() reads (= MSN_MAX_PAYLOAD). */
#define MSN_ADL_MAX_PARSE    (256 * 1024)

#define MSN_ADL_ERROR (msn_adl_error_quark())
GQuark msn_adl_error_quark(void);

typedef enum {
	MSN_ADL_ERROR_TOO_LARGE,   /* payload above MSN_ADL_MAX_PARSE */
	MSN_ADL_ERROR_MALFORMED    /* not well-formed XML, or no <ml> root */
} MsnAdlError;

/* One contact for the initial dump. */
typedef struct {
	const char *handle;   /* "bob@example.com" */
	guint lists;          /* any bits; only FL|AL|BL are sent */
	guint network;        /* MsnNetwork; 0 is taken as 1 */
} MsnAdlEntry;

/* The initial list dump as ADL payloads, each a NUL-terminated string whose
 * strlen() is the ADL length (GPtrArray of char*, frees them).  Contacts are
 * grouped by domain, domains in order of first appearance, contacts in input
 * order; a domain may continue in the next batch (its <d> is repeated).
 * Entries are skipped (and counted in *n_skipped when not NULL) when no
 * FL/AL/BL bit is left, when the handle has no '@' with text on both sides,
 * is longer than MSN_ADL_MAX_HANDLE, is not valid UTF-8 or holds control
 * characters, or when the network is MSN_NETWORK_PHONE (tel: contacts go in
 * a <t> element Escargot does not take).  One entry per handle is the
 * caller's business.  No entries left: exactly one "<ml l=\"1\"></ml>".
 * Linear in n_entries (one hash table over the domains). */
GPtrArray *msn_adl_build_initial(const MsnAdlEntry *entries, gsize n_entries,
                                 guint *n_skipped);

/* An incremental ADL or RML payload for one contact:
 * "<ml><d n=\"example.com\"><c n=\"dave\" l=\"1\" t=\"1\" /></d></ml>".
 * NULL for a handle the initial dump would skip or when lists has no
 * FL/AL/BL bit. */
char *msn_adl_build_one(const char *handle, guint lists, guint network);

/* One <c> of a received payload. */
typedef struct {
	char *handle;    /* "local@domain" lower-cased (local may hold '@' too),
	                    or a <t> entry's n as is */
	char *friendly;  /* f="…" URL-decoded (valid UTF-8), NULL when absent */
	guint lists;     /* l, 0 when absent or not a number (FQY has none) */
	guint network;   /* t, MSN_NETWORK_PASSPORT when absent or not a number;
	                    MSN_NETWORK_PHONE inside <t> */
} MsnAdlItem;

void msn_adl_item_free(MsnAdlItem *item);

/* Reads a server-pushed ADL/RML payload or an FQY reply: a GPtrArray of
 * MsnAdlItem* (frees them), possibly empty.  Unknown elements and
 * attributes are ignored, and so is a <c> without n, outside a <d>/<t>, or
 * in a <d> without n.  Not well-formed XML, a root other than <ml>, or more
 * than MSN_ADL_MAX_PARSE bytes → NULL and error. */
GPtrArray *msn_adl_parse(const char *payload, gsize len, GError **error);

G_END_DECLS

#endif
