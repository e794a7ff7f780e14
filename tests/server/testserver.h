/* msnp-testserver — a small loopback MSN server for the tests and `make demo`.
 *
 * One file per concern:
 *   main.c      options, listeners, READY line, signals, shutdown
 *   conn.c      one TCP command connection: framing (src/proto), write queue,
 *               reply delay, the per-connection log
 *   accounts.c  accounts, tickets, switchboard cookies
 *   lists.c     contact lists: contacts, groups, GUIDs; the --contact,
 *               --group, --generate specs; the dump format
 *   roster.c    list changes with their effects between accounts (RL,
 *               pending, the pushes to the other side, privacy)
 *   presence.c  presence fan-out: ILN, NLN, FLN, UBX; virtual presence
 *   ns.c        the live notification (and dispatch) server state machine
 *   nslists.c   the NS list commands: SYN, ADD/ADC/REM, groups, BLP/GTC/
 *               PRP/REA/SBP, ADL/RML
 *   abch.c      the address-book and sharing SOAP services (MSNP13+)
 *   sb.c        the live switchboard
 *   http.c      Passport 1.4 nexus/login and RST over HTTP and HTTPS
 *   script.c    scripted mode: plays a transcript in the seeds' format
 *   fault.c     fault injection: --fault specs, --push lines, the stdin
 *               control channel
 *   util.c      small helpers (URL encoding, random tokens, timestamps)
 */
#ifndef MSNP_TESTSERVER_H
#define MSNP_TESTSERVER_H

#include <stdio.h>
#include <gio/gio.h>
#include <libsoup/soup.h>

#include "proto/command.h"

typedef struct _Server Server;
typedef struct _Conn Conn;
typedef struct _Account Account;
typedef struct _Script Script;
typedef struct _NsSession NsSession;
typedef struct _SbSession SbSession;
typedef struct _Contact Contact;
typedef struct _Group Group;

/* ---- lists.c ---------------------------------------------------------- */

enum {
	LIST_FL = 1,
	LIST_AL = 2,
	LIST_BL = 4,
	LIST_RL = 8,
	LIST_PL = 16
};

#define NETWORK_MSN   1
#define NETWORK_YAHOO 32

/* Escargot's group name limit and the NS group limit (223). */
#define GROUP_NAME_MAX 61
#define GROUPS_DEFAULT_MAX 30

struct _Group {
	guint id;              /* MSNP8–9 id: 1, 2, … (0 is the implicit "Other Contacts") */
	char *guid;            /* MSNP10+ id */
	char *name;            /* decoded */
};

struct _Contact {
	char *handle;          /* lower case */
	guint network;         /* NETWORK_MSN or NETWORK_YAHOO */
	guint lists;           /* LIST_FL | LIST_AL | LIST_BL | LIST_RL */
	gboolean pending;      /* PL: added us, no decision yet (RL set too) */
	char *friendly;        /* stored name, decoded, never NULL */
	char *guid;            /* contact GUID: derived from the handle, the same in every list */
	GPtrArray *groups;     /* Group* (not owned); NULL when none */
	char *phone[3];        /* PHH PHW PHM as sent on the wire (URL-encoded), or NULL */
};

typedef struct {
	guint fl, al, bl;      /* 0 = no limit (the default) */
	guint groups;          /* ADG limit (223); default 30, 0 = none */
} ListLimits;

/* Own settings stored from PRP (raw, URL-encoded as sent). */
enum { SETTING_PHH, SETTING_PHW, SETTING_PHM, SETTING_MOB, SETTING_MBE, N_SETTINGS };
extern const char *const setting_names[N_SETTINGS];

void lists_init_account(Account *a);
void lists_free_account(Account *a);
Contact *lists_find(Account *a, const char *handle);          /* case-insensitive */
Contact *lists_find_guid(Account *a, const char *guid);       /* case-insensitive */
/* Finds or creates the entry (no list bits yet). */
Contact *lists_ensure(Server *srv, Account *a, const char *handle, guint network,
                      const char *friendly);
/* Drops the entry when it is on no list and not pending.  TRUE if dropped. */
gboolean lists_drop_if_empty(Account *a, Contact *c);
/* Sets / clears list bits, keeping the per-list counts. */
void lists_set(Account *a, Contact *c, guint bits);
void lists_clear(Account *a, Contact *c, guint bits);
guint lists_count(Account *a, guint list);
Group *lists_group_by_name(Account *a, const char *name);
Group *lists_group_by_id(Account *a, const char *id);         /* "3" (8–9) or a GUID */
Group *lists_group_new(Account *a, const char *name);
void lists_group_free_in(Account *a, Group *g);                /* removes it everywhere */
gboolean contact_in_group(const Contact *c, const Group *g);
void contact_add_group(Contact *c, Group *g);
gboolean contact_remove_group(Contact *c, Group *g);
/* A GUID-shaped string derived from text (deterministic). */
char *lists_make_guid(const char *kind, const char *text);
/* Escargot's CID: bytes 19–22 and 24–35 of the GUID read as a little-endian
 * signed 64-bit number, in decimal. */
char *lists_cid(const char *guid);
gboolean lists_valid_guid(const char *s);
/* Whether a handle exists as a user: an account, or a handle preloaded on
 * some list (--contact, --generate), or one given virtual presence. */
gboolean lists_user_exists(Server *srv, const char *handle);
void lists_register_user(Server *srv, const char *handle);
/* Escargot's handle check: ^[a-zA-Z0-9._-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z]+$ */
gboolean lists_valid_handle(const char *handle);
/* "FL,AL" / "FL+RL" / "11" → bits (PL allowed); FALSE when malformed. */
gboolean lists_parse_bits(const char *text, guint *bits);
/* "FL,AL,RL,PL" for a contact (PL when pending); "-" for none. */
char *lists_bits_text(guint bits, gboolean pending);
/* Option specs (main.c).  Accounts must exist already. */
gboolean lists_add_contact_spec(Server *srv, const char *spec, GError **error);
gboolean lists_add_group_spec(Server *srv, const char *spec, GError **error);
gboolean lists_set_blp_spec(Server *srv, const char *spec, GError **error);
gboolean lists_set_gtc_spec(Server *srv, const char *spec, GError **error);
gboolean lists_generate_spec(Server *srv, const char *spec, GError **error);
gboolean lists_parse_limits(Server *srv, const char *spec, GError **error);
/* Logs a's lists, one line a contact ("-- list EMAIL: …"); see --help. */
void lists_dump(Server *srv, Account *a);

/* ---- accounts.c ------------------------------------------------------- */

struct _Account {
	char *email;
	char *password;
	char *friendly;        /* decoded display name */
	guint list_version;    /* MSNP8–9 list version */
	gboolean dispatched;   /* --dispatch-once: already redirected once */

	/* contact lists (lists.c) */
	char *guid;            /* own GUID: the Me contact, CID */
	GPtrArray *contacts;   /* Contact*, in the order they were added */
	GHashTable *by_handle; /* handle -> Contact* */
	GHashTable *by_guid;   /* lower-case GUID -> Contact* */
	GPtrArray *groups;     /* Group*, in creation order */
	guint next_group_id;
	guint n_fl, n_al, n_bl;
	char gtc;              /* 'A' or 'N' */
	gboolean blp_bl;       /* BLP BL (default AL) */
	char *settings[N_SETTINGS]; /* PHH PHW PHM MOB MBE as sent (URL-encoded), or NULL */
};

typedef enum {
	TICKET_PASSPORT14,     /* Escargot: valid for 30 s */
	TICKET_RST             /* valid for 24 h */
} TicketKind;

#define TICKET_PASSPORT14_LIFETIME_US (30 * G_USEC_PER_SEC)
#define TICKET_RST_LIFETIME_US        ((gint64) 24 * 3600 * G_USEC_PER_SEC)
#define SB_COOKIE_LIFETIME_US         (120 * G_USEC_PER_SEC)

/* Parses EMAIL:PASSWORD[:FRIENDLY]. */
gboolean accounts_add_from_spec(Server *srv, const char *spec, GError **error);
Account *accounts_find(Server *srv, const char *email);   /* case-insensitive */
/* TRUE when email and password match an account. */
gboolean accounts_check_password(Server *srv, const char *email, const char *password);
/* A new random session token for email (remembered by the server). */
const char *tickets_issue(Server *srv, const char *email, TicketKind kind);
/* Accepts "t=TOKEN&p=…" or a bare TOKEN.  TRUE when the token was issued for
 * email (case-insensitive) and has not expired. */
gboolean tickets_check(Server *srv, const char *ticket, const char *email);
/* The session token inside a ticket ("t=TOKEN&p=…" → TOKEN). */
char *tickets_extract_token(const char *ticket);
/* The ABCH check: the account a ticket (or a bare MSPAuth token) belongs to,
 * when it is known and either still valid or was used to sign in to the NS;
 * NULL otherwise. */
Account *tickets_account(Server *srv, const char *ticket);
/* Switchboard cookies (XFR SB): single use, 120 s.  ns_label is the label
 * of the NS connection that asked (its SB connections end with it). */
char *sb_cookie_issue(Server *srv, const char *email, const char *friendly, guint version,
                      const char *ns_label);
/* Returns TRUE and fills friendly/version/ns_label (each may be NULL) when
 * the cookie is valid for email (exact case, as Escargot); a known cookie
 * is consumed either way. */
gboolean sb_cookie_take(Server *srv, const char *cookie, const char *email,
                        char **friendly, guint *version, char **ns_label);
void accounts_free_all(Server *srv);

/* ---- util.c ----------------------------------------------------------- */

/* Escargot-style parameter escaping: %, space, CR, LF (and other controls). */
char *util_url_escape_param(const char *s);
/* Full %XX decoding (no '+' handling); NULL on malformed input. */
char *util_url_decode(const char *s);
char *util_random_token(gsize len, const char *alphabet);
/* "2024-09-28T17:18:18Z" style UTC timestamp, offset by secs. */
char *util_iso_time(gint64 offset_secs);
/* Parses "8-14", "12", "8,10-12" into a bit mask (bit v = MSNPv). */
gboolean util_parse_versions(const char *list, guint32 *mask, GError **error);

/* ---- conn.c ------------------------------------------------------------ */

typedef struct {
	/* cmd belongs to the connection and is freed after the call. */
	void (*on_command)(Conn *conn, MsnCommand *cmd, gpointer data);
	/* The framer rejected a command (error) or broke (fatal). */
	void (*on_reject)(Conn *conn, const GError *error, gpointer data);
	/* Called exactly once, when the connection ends for any reason. */
	void (*on_close)(Conn *conn, gpointer data);
} ConnHandlers;

Conn *conn_new(Server *srv, GSocketConnection *sc, MsnService service,
               const char *kind, guint version, const ConnHandlers *handlers,
               gpointer data);
void conn_set_handlers(Conn *conn, const ConnHandlers *handlers, gpointer data);
void conn_set_version(Conn *conn, guint version);
void conn_set_reply_delay(Conn *conn, guint ms);
const char *conn_label(const Conn *conn);
const char *conn_peer_host(const Conn *conn);
guint16 conn_peer_port(const Conn *conn);
gboolean conn_is_open(const Conn *conn);
/* One command line; CRLF is added.  Logged as "S: …". */
void conn_send_line(Conn *conn, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* head + " " + len + CRLF + payload.  Logged. */
void conn_send_payload(Conn *conn, const char *head, const void *payload, gsize len);
/* Raw bytes (a pushed line, junk).  Logged line by line as "S: …". */
void conn_send_raw(Conn *conn, const void *data, gsize len);
/* A block of complete CRLF lines (a SYN dump): logged line by line with one
 * flush, queued as one write. */
void conn_send_block(Conn *conn, const char *data, gsize len);
/* Holds everything sent from now on until ms from now (order is kept). */
void conn_hold(Conn *conn, guint ms);
/* Close once everything queued (including delayed replies) is written. */
void conn_close_after_flush(Conn *conn);
/* Close now, dropping anything unsent (a half-close: see conn.c). */
void conn_close(Conn *conn);
/* At exit: finishes the half-closed connections still waiting for their peer. */
void conn_finish_lingering(Server *srv);
Conn *conn_ref(Conn *conn);
void conn_unref(Conn *conn);
/* "NAME trid p1 p2 …" for logs and messages. */
char *conn_command_to_line(const MsnCommand *cmd);

/* ---- ns.c / sb.c -------------------------------------------------------- */

typedef enum {
	NS_ROLE_NS,          /* the NS port without --dispatch */
	NS_ROLE_DISPATCH,    /* the NS port with --dispatch: answers USR TWN I with XFR */
	NS_ROLE_NS2          /* the second NS a dispatch redirects to */
} NsRole;

typedef enum {
	NS_NEED_VER,
	NS_NEED_USR_I,
	NS_NEED_USR_S,
	NS_SIGNED_IN
} NsState;

struct _NsSession {
	Server *srv;
	Conn *conn;
	gboolean dispatch;        /* answer USR TWN I with XFR NS */
	NsState state;
	guint version;
	Account *account;         /* from USR TWN I */
	gboolean syn_done;
	guint n_commands;         /* commands received (for --drop-after) */
	gboolean mute;            /* a hang/garbage fault: answer nothing more */
	gboolean closing;         /* an OUT was sent: send nothing more */
	gboolean chg_echoed;      /* the first CHG was answered (ILNs sent) */
	char *challenge;          /* a CHL sent and not yet answered by QRY */

	/* presence (presence.c) */
	char *status;             /* after the first CHG */
	char *caps;               /* as sent in CHG */
	char *msnobj;             /* URL-encoded as sent in CHG (9+), or NULL */
	gboolean has_uux;         /* a UUX was received */
	char *psm, *media, *machine_guid;   /* decoded UUX content */
	gint64 online_since;      /* monotonic µs of the first CHG (newest wins) */
	GHashTable *seen;         /* handle -> the NLN line this client last got */
};

void ns_accept(Server *srv, GSocketConnection *sc, NsRole role);
/* Signed-in NS sessions of an account, newest first (a new GList). */
GList *ns_sessions_of(Server *srv, Account *a);
/* Whether a session can be sent to (signed in, open, not closing). */
gboolean ns_session_live(NsSession *s);

/* ---- nslists.c ----------------------------------------------------------- */

/* The NS list commands; each returns TRUE when it handled cmd. */
gboolean nslists_command(NsSession *s, MsnCommand *cmd);
/* A command the framer rejected as unknown for this version: Escargot's
 * answer (502, or a disconnect) for the list commands.  TRUE when handled. */
gboolean nslists_rejected(NsSession *s, const char *name, guint trid);

/* ---- roster.c ------------------------------------------------------------ */

typedef enum {
	ROSTER_OK = 0,
	ROSTER_NO_USER,          /* 205 (8–9) / 208 (10+) */
	ROSTER_LIST_FULL,        /* 210 */
	ROSTER_ALREADY,          /* 215 */
	ROSTER_NOT_ON_LIST,      /* 216 */
	ROSTER_NO_CONTACT,       /* 205 / 208: on none of the owner's lists */
	ROSTER_TOO_MANY_GROUPS,  /* 223 */
	ROSTER_NO_GROUP,         /* 224 */
	ROSTER_GROUP_EXISTS,     /* 228 */
	ROSTER_GROUP_TOO_LONG,   /* 229 */
	ROSTER_GROUP_ZERO        /* 230 */
} RosterResult;

/* Where a change comes from, for the unsolicited copies (TrID 0) to the
 * owner's NS sessions: a session (every other one gets a copy), elsewhere
 * (the control channel: every session gets one) or the owner's own client
 * over SOAP (none; the other side still gets its RL push). */
typedef struct {
	NsSession *session;
	gboolean soap;
} Origin;

guint roster_error_code(RosterResult r, guint version);
/* Adds handle to one of FL/AL/BL.  FL also puts owner on the other
 * account's RL (pending unless it is on that account's AL or BL) and pushes
 * ADD/ADC 0 RL or ADL 0 (+ NOT) to its sessions; AL/BL re-evaluate what that
 * contact sees of owner.  group (FL only) adds a membership. */
RosterResult roster_add(Server *srv, Account *owner, const char *handle, guint network,
                        guint list, const char *friendly, Group *group, Origin origin,
                        Contact **out);
/* Removes c from FL/AL/BL, or clears PL.  FL with a group removes only that
 * membership; FL without takes owner off the other side's RL (REM/RML 0 RL). */
RosterResult roster_remove(Server *srv, Account *owner, Contact *c, guint list, Group *group,
                           Origin origin);
/* Someone (handle) added / removed owner: RL, optionally pending, and the
 * push to owner's sessions.  For the control channel. */
void roster_reverse_add(Server *srv, Account *owner, const char *handle, guint network,
                        gboolean pending);
void roster_reverse_remove(Server *srv, Account *owner, Contact *c);
RosterResult roster_group_add(Server *srv, Account *a, const char *name, Group **out);
RosterResult roster_group_rename(Server *srv, Account *a, Group *g, const char *name);
RosterResult roster_group_remove(Server *srv, Account *a, Group *g);
RosterResult roster_group_contact_add(Server *srv, Account *a, Group *g, Contact *c);
RosterResult roster_group_contact_remove(Server *srv, Account *a, Group *g, Contact *c);
void roster_set_blp(Server *srv, Account *a, gboolean bl);
void roster_set_gtc(Server *srv, Account *a, char gtc);
/* The own display name (REA, PRP MFN): NLN with the new name to watchers. */
void roster_set_friendly(Server *srv, Account *a, const char *friendly);
/* Whether watcher may see owner's presence (not on BL; with BLP BL, on AL). */
gboolean roster_allows(Account *owner, const char *watcher);
/* "NOT len" with the ABCHInternal notification, to every 13+ session of a
 * (except one). */
void roster_notify_ab_changed(Server *srv, Account *a, NsSession *except);

/* ---- presence.c ------------------------------------------------------------ */

/* First CHG of s: ILN (trid) + UBX for every visible online FL contact,
 * then NLN for s's account to its watchers. */
void presence_first_chg(NsSession *s, guint trid);
/* handle's presence, name, caps or MSNObject may have changed: NLN/FLN to
 * every watcher whose view changes. */
void presence_update(Server *srv, const char *handle);
/* handle sent UUX: UBX to every watcher that sees it online (11+). */
void presence_ubx(Server *srv, const char *handle);
/* watcher's view of handle may have changed (a list change): for every
 * session of watcher.  iln_trid > 0: the session that caused it gets ILN
 * with that TrID instead of NLN (ADD/ADC FL, ADL). */
void presence_refresh(Server *srv, Account *watcher, const char *handle,
                      NsSession *iln_session, guint iln_trid);
/* The session is closing. */
void presence_session_gone(NsSession *s);
/* Virtual presence (--presence, control "status"): a user online without
 * a client.  code NULL or "FLN" = offline. */
gboolean presence_set_virtual(Server *srv, const char *handle, const char *code,
                              const char *friendly, GError **error);
void presence_free_all(Server *srv);

/* ---- abch.c ------------------------------------------------------------------ */

/* POST /abservice/abservice.asmx and /abservice/SharingService.asmx. */
void abch_handle(Server *srv, SoupServerMessage *msg, const char *label);
gboolean abch_parse_soap_fault(Server *srv, const char *spec, GError **error);
gboolean abch_parse_truncate(Server *srv, const char *spec, GError **error);
void abch_free_all(Server *srv);
void ns_free_all(Server *srv);
/* Control channel: send a --push style LINE to email's signed-in NS
 * connection (the newest), close it, close every NS connection.  Return what
 * was done, for the log. */
char *ns_control_push(Server *srv, const char *email, const char *line);
/* add-contact / remove-contact OWNER HANDLE LISTS, dump EMAIL, status
 * HANDLE CODE [FRIENDLY] (roster.c / presence.c). */
char *roster_control_change(Server *srv, gboolean add, const char *args);
char *roster_control_dump(Server *srv, const char *email);
char *presence_control_status(Server *srv, const char *args);
char *ns_control_drop(Server *srv, const char *email);
char *ns_control_kill(Server *srv);
void sb_accept(Server *srv, GSocketConnection *sc);
/* The NS connection with this label is gone: its SB connections close (the
 * other participants get BYE). */
void sb_ns_gone(Server *srv, const char *ns_label);
/* Control channel: sb-bye EMAIL [1], sb-nak EMAIL on|off|N, sb-push EMAIL LINE. */
char *sb_control_bye(Server *srv, const char *args);
char *sb_control_nak(Server *srv, const char *args);
char *sb_control_push(Server *srv, const char *email, const char *line);
/* Closes every SB connection (at exit). */
void sb_free_all(Server *srv);
/* At exit, after the close notifications ran: the switchboard tables. */
void sb_free_state(Server *srv);

/* ---- http.c ------------------------------------------------------------- */

gboolean http_start(Server *srv, GError **error);
void http_stop(Server *srv);

/* ---- script.c ------------------------------------------------------------ */

Script *script_load(Server *srv, const char *path, GError **error);
void script_start(Script *script);
void script_accept(Script *script, GSocketConnection *sc);
void script_free(Script *script);

/* ---- fault.c ------------------------------------------------------------ */

typedef enum {
	FAULT_DROP,      /* close at once, no reply */
	FAULT_SILENT,    /* no reply to this command; later ones are answered */
	FAULT_HANG,      /* no reply to this or any later command; socket stays open */
	FAULT_ERROR,     /* "NNN trid" instead of the reply */
	FAULT_GARBAGE,   /* a 20 KB line without newline instead of the reply; then hang */
	FAULT_JUNK,      /* a short unknown command line, then the normal reply */
	FAULT_BINARY,    /* a line of binary bytes (NUL, 0xff …), then the normal reply */
	FAULT_DELAY      /* the reply (and everything after it) MS later */
} FaultAction;

typedef struct {
	char *spec;        /* as given, for the log */
	char *step;        /* "CONNECT", "VER", "USR-I", "USR-S", "SYN" … (upper case) */
	FaultAction action;
	guint arg;         /* error code, delay in ms */
	int close;         /* FAULT_ERROR: 1 close, 0 keep open, -1 as Escargot would */
	int remaining;     /* times left; -1 = every time */
} Fault;

#define FAULT_GARBAGE_BYTES (20 * 1024)

/* Parses STEP:ACTION[/N] (see --help). */
Fault *fault_parse(const char *spec, GError **error);
void fault_free(gpointer fault);
/* The next fault for step at or after *index (pass 0 first), consuming one
 * use; NULL when none is left. */
Fault *fault_next(Server *srv, const char *step, guint *index);
/* Whether the error reply closes the connection afterwards. */
gboolean fault_error_closes(const Fault *fault);
/* Turns a --push/control LINE into wire bytes: \r \n \t \\ \xHH
 * escapes, and "{len}|PAYLOAD" → the payload's byte count, CRLF, the payload.
 * Without a payload CRLF is appended. */
GBytes *push_encode(const char *line, GError **error);
/* The stdin control channel: feeds bytes, runs complete lines. */
void control_feed(Server *srv, const char *data, gsize len);
void control_flush(Server *srv);   /* at EOF: runs a last unterminated line */

/* ---- main.c -------------------------------------------------------------- */

struct _Server {
	GMainLoop *loop;
	int exit_code;

	/* options */
	int ns_port_opt, sb_port_opt, http_port_opt, https_port_opt;
	char *tls_cert, *tls_key;
	guint32 versions;          /* bit v set when MSNPv is accepted */
	gboolean dispatch;
	guint reply_delay_ms;
	guint http_delay_ms;
	guint script_timeout_ms;
	gboolean script_linger;

	/* fault injection (fault.c; live mode) */
	GPtrArray *faults;         /* Fault* */
	guint drop_after;          /* close an NS connection on its Nth command (0 = never) */
	guint sb_drop_after;       /* the same for SB connections */
	guint sb_idle_timeout;     /* seconds without activity before BYE … 1 (0 = never) */
	gboolean sb_nak;           /* NAK (and drop) every MSG A/N */
	char **pushes;             /* sent once, after the first CHG echo */
	gboolean pushes_done;
	char *challenge;           /* CHL sent after the first CHG echo of each connection */
	guint qng_interval;
	gboolean dispatch_loop, dispatch_once, ns2_fail;
	gboolean control;          /* read control lines on stdin */
	GString *control_buf;
	GHashTable *http_status;   /* path -> GUINT status */
	char **http_silent;        /* paths never answered */
	char *rst_fault;           /* faultcode for every RST */
	gboolean rst_no_token, rst_compact_swap;
	guint passport_redirects;
	gboolean passport_redirect_http, nexus_no_dalogin, nexus_dalogin_noscheme;
	gboolean passport_unquoted;

	/* contact lists (lists.c, abch.c) */
	ListLimits limits;
	GHashTable *known_users;   /* handle -> itself: users without an account */
	GHashTable *accounts_by_email;   /* lower-case email -> Account* */
	GPtrArray *soap_faults;    /* SoapFault* (abch.c) */
	guint abfindall_truncate;  /* 0 = off */
	int abfindall_truncate_times;   /* -1 = every time */
	GPtrArray *virtual_presence;    /* VirtualPresence* (presence.c) */

	/* listeners (ports are 0 when disabled) */
	GSocketService *ns_service, *ns2_service, *sb_service;
	guint16 ns_port, ns2_port, sb_port, http_port, https_port;
	SoupServer *soup;

	/* state */
	GPtrArray *accounts;       /* Account* */
	GHashTable *tickets;       /* token -> Ticket* */
	GHashTable *sb_cookies;    /* cookie -> SbCookie* */
	GList *ns_sessions;        /* NsSession* */
	GList *sb_sessions;        /* SbSession*, every SB connection */
	GHashTable *switchboards;  /* session id -> Switchboard* (sb.c) */
	GHashTable *sb_invites;    /* RNG cookie -> SbInvite* (sb.c) */
	GHashTable *sb_nak_users;  /* lower-case email -> GINT remaining NAKs (-1 = all) */
	guint next_sb_id;
	Script *script;            /* NULL in live mode */
	FILE *log;
	guint next_conn_id;
	guint stdin_watch;
	gboolean exit_on_stdin_eof;
	gboolean quitting;         /* closing everything: no half-closes */
	GList *lingering;          /* Conn* half-closed, waiting for the peer */
};

/* Writes "label dir text" to the --log file (no-op without one). */
void server_log(Server *srv, const char *label, const char *dir, const char *text);
void server_logf(Server *srv, const char *label, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Ends the main loop with this exit code. */
void server_quit(Server *srv, int exit_code);
/* Highest version both sides accept, or 0. */
guint server_pick_version(Server *srv, char **offered, guint n_offered);
guint server_max_version(Server *srv);

#endif
