/* purple-msnp — what an MSG payload is, by Content-Type (and, for control
 * and datacast messages, by a header or the body), and the payloads of
 * the outgoing control messages (protocol/switchboard.md §5.2–5.4,
 * notifications.md).  GLib only.
 */
#ifndef MSN_PROTO_CONTENT_H
#define MSN_PROTO_CONTENT_H

#include <glib.h>

#include "proto/command.h"
#include "proto/mime.h"

G_BEGIN_DECLS

typedef enum {
	MSN_CONTENT_UNKNOWN = 0,   /* no Content-Type, or one not listed here: ignore */
	/* Switchboard */
	MSN_CONTENT_TEXT,          /* text/plain */
	MSN_CONTENT_TYPING,        /* text/x-msmsgscontrol with TypingUser (or WLM 8's
	                              RecordingUser: a voice clip being recorded) */
	MSN_CONTENT_NUDGE,         /* text/x-msnmsgr-datacast, ID: 1 */
	MSN_CONTENT_WINK,          /* datacast ID: 2 */
	MSN_CONTENT_VOICE_CLIP,    /* datacast ID: 3 */
	MSN_CONTENT_INK,           /* image/gif, application/x-ms-ink */
	MSN_CONTENT_P2P,           /* application/x-msnmsgrp2p */
	MSN_CONTENT_INVITATION,    /* text/x-msmsgsinvite */
	MSN_CONTENT_EMOTICON,      /* text/x-mms-emoticon, text/x-mms-animemoticon */
	MSN_CONTENT_CLIENT_CAPS,   /* text/x-clientcaps, text/x-clientinfo */
	MSN_CONTENT_KEEPALIVE,     /* text/x-keepalive */
	MSN_CONTENT_OTHER,         /* a known family with nothing to do: a datacast
	                              with another or no ID, a control message
	                              without TypingUser */
	/* Notification server (sender "Hotmail": the caller checks that) */
	MSN_CONTENT_PROFILE,             /* text/x-msmsgsprofile */
	MSN_CONTENT_INITIAL_EMAIL,       /* text/x-msmsgsinitialemailnotification */
	MSN_CONTENT_EMAIL,               /* text/x-msmsgsemailnotification */
	MSN_CONTENT_ACTIVE_MAIL,         /* text/x-msmsgsactivemailnotification */
	MSN_CONTENT_SYSTEM_MESSAGE,      /* any type containing "msmsgssystemmessage" */
	MSN_CONTENT_INITIAL_MAIL_DATA,   /* text/x-msmsgsinitialmdatanotification */
	MSN_CONTENT_OIM                  /* text/x-msmsgsoimnotification */
} MsnContentKind;

/* Classifies a parsed payload.  service says where it came from: SB
 * payloads are matched only against the switchboard kinds, NS payloads only
 * against the notification kinds (a profile message arriving on a
 * switchboard is UNKNOWN).  Media types compare case-insensitively and
 * parameters are ignored. */
MsnContentKind msn_content_classify(const MsnMime *mime, MsnService service);

/* A short name for logs: "text", "typing", "nudge" … */
const char *msn_content_kind_name(MsnContentKind kind);

/* The datacast ID of a text/x-msnmsgr-datacast body ("ID: 1\r\n\r\n" -> 1),
 * or -1 when there is none or it is not a number below 1000000. */
gint msn_content_datacast_id(const MsnMime *mime);

/* The user of a typing notification (TypingUser, else RecordingUser), as
 * valid UTF-8, or NULL. */
char *msn_content_dup_typing_user(const MsnMime *mime);

/* MIME-Version: 1.0\r\n
 * Content-Type: text/x-msmsgscontrol\r\n
 * TypingUser: <handle>\r\n
 * \r\n
 * \r\n
 * (87 bytes for me@example.com; send with ack U).  NULL when handle is NULL,
 * empty or holds CR, LF or NUL. */
GBytes *msn_content_build_typing(const char *handle);

/* MIME-Version: 1.0\r\n
 * Content-Type: text/x-msnmsgr-datacast\r\n
 * \r\n
 * ID: 1\r\n
 * \r\n
 * (69 bytes; send with ack N or A). */
GBytes *msn_content_build_nudge(void);

G_END_DECLS

#endif
