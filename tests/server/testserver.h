/* msnp-testserver — a small loopback MSN server for the tests and `make demo`.
 *
 * One file per concern:
 *   main.c      options, listeners, READY line, signals, shutdown
 *   conn.c      one TCP command connection: framing (src/proto), write queue,
 *               reply delay, the per-connection log
 *   accounts.c  accounts, tickets, switchboard cookies
 *   ns.c        the live notification (and dispatch) server state machine
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

/* ---- accounts.c ------------------------------------------------------- */

struct _Account {
	char *email;
	char *password;
	char *friendly;        /* decoded display name */
	guint list_version;    /* MSNP8–9 list version */
	gboolean dispatched;   /* --dispatch-once: already redirected once */
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
/* Switchboard cookies: single use, 120 s. */
char *sb_cookie_issue(Server *srv, const char *email, const char *friendly, guint version);
/* Returns TRUE and fills friendly/version when the cookie is valid for email;
 * the cookie is consumed. */
gboolean sb_cookie_take(Server *srv, const char *cookie, const char *email,
                        char **friendly, guint *version);
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

void ns_accept(Server *srv, GSocketConnection *sc, NsRole role);
void ns_free_all(Server *srv);
/* Control channel: send a --push style LINE to email's signed-in NS
 * connection (the newest), close it, close every NS connection.  Return what
 * was done, for the log. */
char *ns_control_push(Server *srv, const char *email, const char *line);
char *ns_control_drop(Server *srv, const char *email);
char *ns_control_kill(Server *srv);
void sb_accept(Server *srv, GSocketConnection *sc);
void sb_free_all(Server *srv);

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

	/* listeners (ports are 0 when disabled) */
	GSocketService *ns_service, *ns2_service, *sb_service;
	guint16 ns_port, ns2_port, sb_port, http_port, https_port;
	SoupServer *soup;

	/* state */
	GPtrArray *accounts;       /* Account* */
	GHashTable *tickets;       /* token -> Ticket* */
	GHashTable *sb_cookies;    /* cookie -> SbCookie* */
	GList *ns_sessions;        /* NsSession* */
	GList *sb_sessions;        /* SbSession* */
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
