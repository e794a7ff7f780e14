/* purple-msnp — one signed-in (or signing-in) account. */
#ifndef MSNP_SESSION_H
#define MSNP_SESSION_H

#include <glib.h>
#include <account.h>
#include <connection.h>

#include "auth/auth.h"
#include "net/conn.h"
#include "proto/dialect.h"
#include "roster.h"
#include "web/web.h"

G_BEGIN_DECLS

typedef enum {
	MSN_SIGNIN_CONNECTING,   /* TCP connect to the NS or dispatch server */
	MSN_SIGNIN_NEGOTIATING,  /* VER, CVR, USR TWN I sent */
	MSN_SIGNIN_AUTHENTICATING, /* getting a ticket over HTTPS */
	MSN_SIGNIN_TICKET_SENT,  /* USR TWN S sent */
	MSN_SIGNIN_ONLINE
} MsnSigninState;

/* How many XFR NS redirects one sign-in follows before giving up. */
#define MSN_MAX_REDIRECTS 5

typedef struct _MsnSession {
	PurpleAccount *account;
	PurpleConnection *gc;
	char *handle;              /* as the account spells it */
	guint max_version;
	const MsnDialect *dialect; /* the negotiated version's row, NULL before VER */

	char *server;              /* configured server */
	int port;
	MsnConn *ns;
	guint redirects;
	gboolean trying_remembered; /* connected to the NS remembered from last time */
	MsnSigninState state;
	char *policy;              /* the TWN policy string from USR TWN S */
	MsnWeb *web;               /* HTTP(S): tickets, later the address book */
	MsnTickets *tickets;       /* kept for the address book and sharing service */

	/* From the profile message. */
	char *mspauth;
	char *client_ip;
	int client_port;

	/* The contact list. */
	MsnRoster *roster;
	MsnContact *last_lst;      /* the contact BPR lines refer to during SYN */
	char gtc;                  /* 'A' ask when someone adds me, 'N' don't */
	char blp;                  /* 'A' (AL: allow others) or 'B' (BL: block others) */
	gboolean list_ready;       /* the full list has arrived and is mirrored */
	guint mirroring;           /* >0 while the plugin itself edits the buddy list */
	GHashTable *ops;           /* list changes waiting for the server (contacts.c) */
	gpointer abch_load;        /* the address-book fetch under way (13–14) */
	GHashTable *ab_ops;        /* address-book changes under way (13–14) */
	gboolean list_from_server; /* 13–14: the roster came from the address book */
	char *own_name;            /* display name the server stores for us, if known */

	/* What the server last got from us (so nothing is sent twice). */
	char *sent_status;
	GBytes *sent_uux;

	/* Conversations (switchboard.c). */
	GHashTable *switchboards;  /* id -> MsnSwitchboard, every one that exists */
	GHashTable *sb_im;         /* normalised handle -> the switchboard to send on */
	guint next_sb_id;
	gboolean sb_closing;       /* signing off: no new conversation windows */

	guint ping_timer;
	guint ping_interval;       /* seconds, from QNG */
	guint reconnect_timer;
} MsnSession;

MsnSession *msn_session_new(PurpleAccount *account, PurpleConnection *gc);
void msn_session_free(MsnSession *session);
void msn_session_start(MsnSession *session);

/* A stable per-account machine GUID for UUX (13+). */
const char *msn_session_machine_guid(MsnSession *session);

/* Ends the session with an error the user reads; libpurple decides from the
 * reason whether to reconnect. */
void msn_session_fail(MsnSession *session, PurpleConnectionError reason, const char *message);

G_END_DECLS

#endif
