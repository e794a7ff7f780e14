/* purple-msnp — contacts' presence (ILN/NLN/FLN) and the status codes
 * (protocol/presence.md §1, §4; commands.md §5).
 *
 *   8:     ILN trid STS handle name {caps}
 *   9–13:  ILN trid STS handle name {caps} {msnobj}
 *   14:    ILN trid STS handle nid name {caps} {msnobj} {icon-url}
 *   NLN:   the same without the TrID
 *   8–13:  FLN handle          14: FLN handle nid {…}
 *
 * Reading is tolerant: optional fields may be missing, non-numeric
 * capabilities read as 0, the empty <msnobj/> Escargot sends reads as "no
 * MSNObject", and every string handed out is valid UTF-8.  GLib only.
 */
#ifndef MSN_PROTO_PRESENCE_H
#define MSN_PROTO_PRESENCE_H

#include <glib.h>

#include "proto/command.h"

G_BEGIN_DECLS

/* The status codes.  MSN_STATUS_UNKNOWN stands for any code this table does
 * not know: the server sent it in ILN/NLN, so the contact *is* online, in a
 * state we cannot name.  Callers show it as away (online, but not known to
 * be available): msn_status_is_online() is TRUE and msn_status_is_away() is
 * TRUE for it.  (Escargot itself maps its unknown states to BSY.) */
typedef enum {
	MSN_STATUS_UNKNOWN = 0,
	MSN_STATUS_ONLINE,       /* NLN */
	MSN_STATUS_BUSY,         /* BSY */
	MSN_STATUS_IDLE,         /* IDL */
	MSN_STATUS_BRB,          /* BRB */
	MSN_STATUS_AWAY,         /* AWY */
	MSN_STATUS_PHONE,        /* PHN */
	MSN_STATUS_LUNCH,        /* LUN */
	MSN_STATUS_HIDDEN,       /* HDN: own status only; others see FLN */
	MSN_STATUS_OFFLINE       /* FLN: never sent in CHG (error 201) */
} MsnStatus;

#define MSN_STATUS_LAST MSN_STATUS_OFFLINE

/* "NLN" -> MSN_STATUS_ONLINE.  Case-sensitive (codes are upper-case);
 * anything else, NULL included, gives MSN_STATUS_UNKNOWN. */
MsnStatus msn_status_from_code(const char *code);
/* MSN_STATUS_ONLINE -> "NLN"; NULL for MSN_STATUS_UNKNOWN and out-of-range
 * values.  FLN is returned for MSN_STATUS_OFFLINE: use
 * msn_status_is_settable() before putting a code into CHG. */
const char *msn_status_to_code(MsnStatus status);
/* TRUE for the statuses CHG may carry: all known ones except FLN. */
gboolean msn_status_is_settable(MsnStatus status);
/* TRUE unless OFFLINE or HIDDEN (as seen on a contact: not reachable). */
gboolean msn_status_is_online(MsnStatus status);
/* TRUE for IDL, BRB, AWY, PHN, LUN and UNKNOWN (BSY is "busy", not away). */
gboolean msn_status_is_away(MsnStatus status);

/* Network id assumed when the command carries none (Passport/MSN). */
#define MSN_PRESENCE_DEFAULT_NETWORK 1

#define MSN_PRESENCE_ERROR (msn_presence_error_quark())
GQuark msn_presence_error_quark(void);

typedef enum {
	MSN_PRESENCE_ERROR_NOT_PRESENCE,  /* not ILN, NLN or FLN */
	MSN_PRESENCE_ERROR_MALFORMED      /* a required field is missing or empty */
} MsnPresenceError;

typedef struct {
	MsnStatus status;       /* FLN gives MSN_STATUS_OFFLINE */
	char code[4];           /* the status code as sent ("NLN", "XYZ"); "FLN" for FLN.
	                           Only its first 3 bytes are kept, made printable ASCII. */
	gboolean has_trid;      /* TRUE for ILN */
	guint32 trid;           /* the ILN's TrID (that of the CHG or ADL it answers) */
	char *handle;           /* raw handle as valid UTF-8; never NULL or empty */
	guint network;          /* the MSNP14 network id, else MSN_PRESENCE_DEFAULT_NETWORK
	                           (0 when the id token is all digits but above 2^32-1) */
	char *friendly_name;    /* URL-decoded, valid UTF-8; NULL for FLN */
	guint32 caps;           /* 0 when absent or not a number; "N:M" (MSNP16+
	                           extended caps) reads as N */
	char *msnobj;           /* URL-decoded <msnobj …/>, or NULL when absent, empty,
	                           the attribute-less <msnobj/>, or not an <msnobj element */
	char *icon_url;         /* MSNP14 presence-icon URL after the MSNObject
	                           (URL-decoded), or NULL */
} MsnPresence;

/* Reads a validated ILN, NLN or FLN.  version is the negotiated version:
 * the token after the handle is taken as the network id when it is all
 * digits and version >= 14 (and, for ILN/NLN, a friendly name follows it).
 * Returns NULL with MSN_PRESENCE_ERROR for any other command, or when the
 * handle is empty. */
MsnPresence *msn_presence_parse(const MsnCommand *cmd, guint version, GError **error);
void msn_presence_free(MsnPresence *presence);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MsnPresence, msn_presence_free)

/* Capabilities: "1073741856" -> 0x40000020; NULL, "", non-digits, or a
 * value above 2^32-1 -> 0.  A trailing ":extended" part is ignored. */
guint32 msn_presence_parse_caps(const char *s);

/* The MSNC version nibble of a capability number (0 = none, 4 = MSNC4 …). */
guint msn_caps_msnc_version(guint32 caps);

G_END_DECLS

#endif
