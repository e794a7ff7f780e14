/* purple-msnp tests — a headless libpurple driver.
 *
 * Runs real libpurple with the plugin built in MSNP_BUILDDIR, in a throw-away
 * configuration folder, on the GLib main loop, against the project's test
 * server (also from MSNP_BUILDDIR), and records what a UI would see: debug
 * lines, connection progress, errors and signals.
 */
#ifndef MSNP_TEST_DRIVER_H
#define MSNP_TEST_DRIVER_H

#include <glib.h>
#include <account.h>
#include <connection.h>

G_BEGIN_DECLS

/* g_test_init, then libpurple's core with the plugin loaded.  Call once. */
void msnp_driver_init(int *argc, char ***argv);
/* The build folder (MSNP_BUILDDIR, default "build"). */
const char *msnp_builddir(void);
/* The throw-away configuration folder. */
const char *msnp_user_dir(void);

/* A running msnp-testserver. */
typedef struct {
	GPid pid;
	int stdin_fd;
	int ns_port, sb_port, http_port, https_port;
	char *log_path;
	char *stderr_path;
	int exit_status;     /* after msnp_server_wait */
	gboolean exited;
} MsnpServer;

/* Starts the server with these extra arguments (NULL-terminated) on loopback,
 * waits for READY.  Fails the test when it does not start within 10 s. */
MsnpServer *msnp_server_start(const char *const *args);
/* Waits (running the main loop) up to timeout_ms for the server to exit by
 * itself; returns TRUE when it did. */
gboolean msnp_server_wait(MsnpServer *server, guint timeout_ms);
/* Stops the server (if running) and frees it. */
void msnp_server_stop(MsnpServer *server);
/* Sends one control line (see msnp-testserver --help) to the server. */
void msnp_server_control(MsnpServer *server, const char *line);
/* Runs the main loop until the server's log contains needle at least
 * count times, or timeout_ms passed; returns the count seen. */
guint msnp_server_wait_log(MsnpServer *server, const char *needle, guint count, guint timeout_ms);

/* What the server logged (--log), and what it printed on stderr. */
char *msnp_server_log(MsnpServer *server);
char *msnp_server_stderr(MsnpServer *server);

/* A self-signed certificate for 127.0.0.1 made with openssl in the user
 * folder (once per process).  Returns the paths and the SHA-256 fingerprint
 * as openssl prints it ("AB:CD:…"); the strings are owned by the driver. */
void msnp_test_cert(const char **cert, const char **key, const char **fingerprint);

/* Starts a server with HTTPS (the test certificate) and these extra args. */
MsnpServer *msnp_server_start_https(const char *const *args);

/* Points the account's web-service URLs at the server's HTTPS side and trusts
 * its certificate by fingerprint. */
void msnp_account_use_https(PurpleAccount *account, MsnpServer *server);

/* A new account for the plugin pointed at the server's NS port (server may be
 * NULL: then point it at host/port yourself).  The account is added to
 * libpurple's list, not enabled. */
PurpleAccount *msnp_account_new(const char *username, const char *password,
                                MsnpServer *server);
void msnp_account_free(PurpleAccount *account);

typedef struct {
	gboolean signed_on;
	gboolean failed;
	PurpleConnectionError reason;
	char *error_text;
	GPtrArray *progress;   /* the progress texts libpurple showed, in order */
} MsnpSignin;

/* Connects the account and runs the main loop until it is signed on, the
 * connection failed, or timeout_ms passed (then neither flag is set). */
void msnp_signin(PurpleAccount *account, guint timeout_ms, MsnpSignin *out);
void msnp_signin_clear(MsnpSignin *s);
/* After a sign-in: runs the main loop until the connection fails (recorded
 * in s) or timeout_ms passed — for servers that drop a session once it is up. */
void msnp_signin_wait_failure(MsnpSignin *s, guint timeout_ms);
/* Disconnects the account and lets libpurple finish tearing it down. */
void msnp_signout(PurpleAccount *account);

/* Runs the main loop for ms milliseconds, or until *flag becomes TRUE. */
void msnp_run_until(gboolean *flag, guint ms);

/* Authorization requests ("X added you") the plugin asked the UI, in order. */
typedef struct {
	PurpleAccount *account;
	char *who;
	char *alias;
	gboolean on_list;
	gboolean answered;
	PurpleAccountRequestAuthorizationCb authorize_cb, deny_cb;
	void *data;
} MsnpAuthRequest;

const GPtrArray *msnp_auth_requests(void);
void msnp_auth_requests_clear(void);
/* Answers request i (allow or deny) as the user would. */
void msnp_auth_answer(guint i, gboolean allow);

/* Messages the plugin showed the user (purple_notify_*): "title: primary: secondary". */
const GPtrArray *msnp_notices(void);
gboolean msnp_notices_contain(const char *needle);
void msnp_notices_clear(void);

/* Every debug line libpurple and the plugin wrote since the last clear. */
const GPtrArray *msnp_debug_lines(void);
gboolean msnp_debug_contains(const char *needle);
/* g_get_monotonic_time() when the first line containing needle was written, 0 if none. */
gint64 msnp_debug_time_of(const char *needle);
void msnp_debug_clear(void);

/* ---- Timeouts ---- */

/* ms scaled by MSNP_TEST_TIMEOUT_SCALE (a whole number, default 1): slow
 * runs (valgrind) raise it.  The driver's own waits are scaled already. */
guint msnp_ms(guint ms);

/* ---- Conversations ----
 *
 * Everything the conversation signals told a UI, for every account, in order
 * (recorded from msnp_driver_init on). */
typedef enum {
	MSNP_EV_IM,                 /* received-im-msg: who = sender */
	MSNP_EV_CHAT,               /* received-chat-msg: who = sender */
	MSNP_EV_WROTE,              /* wrote-im-msg / wrote-chat-msg: every line a
	                               conversation showed (sent, received, system,
	                               error); who = the writer, NULL for notices */
	MSNP_EV_TYPING,             /* buddy-typing */
	MSNP_EV_TYPING_STOPPED,     /* buddy-typing-stopped */
	MSNP_EV_ATTENTION,          /* got-attention: number = the type */
	MSNP_EV_CHAT_JOINED,        /* chat-joined */
	MSNP_EV_CHAT_LEFT,          /* chat-left */
	MSNP_EV_CHAT_BUDDY_JOINED,  /* chat-buddy-joined: who = the buddy, number =
	                               new_arrival */
	MSNP_EV_CHAT_BUDDY_LEFT     /* chat-buddy-left: who = the buddy */
} MsnpConvEventKind;

typedef struct {
	MsnpConvEventKind kind;
	PurpleAccount *account;
	char *who;
	char *text;                 /* the message as libpurple passed it (HTML) */
	PurpleMessageFlags flags;
	gboolean is_chat;           /* the conversation is a chat */
	int chat_id;                /* its chat id (chats only) */
	char *conv_name;            /* the conversation's name, or NULL */
	guint number;
	gint64 time;                /* g_get_monotonic_time() */
} MsnpConvEvent;

/* Which events: kind, and each of the others unless NULL / 0. */
typedef struct {
	MsnpConvEventKind kind;
	PurpleAccount *account;
	const char *who;            /* compared case-insensitively */
	const char *needle;         /* a substring of text */
	PurpleMessageFlags with;    /* every one of these flags set */
	PurpleMessageFlags without; /* none of these */
} MsnpConvMatch;

const GPtrArray *msnp_conv_events(void);      /* MsnpConvEvent* */
void msnp_conv_events_clear(void);
gboolean msnp_conv_event_matches(const MsnpConvEvent *e, const MsnpConvMatch *m);
guint msnp_conv_count(const MsnpConvMatch *m);
/* Index of the n-th (from 0) matching event, or -1. */
gint msnp_conv_find(const MsnpConvMatch *m, guint n);
/* Runs the main loop until count events match or timeout_ms (scaled) passed;
 * returns how many matched. */
guint msnp_conv_wait(const MsnpConvMatch *m, guint count, guint timeout_ms);
/* Prints every recorded event to stderr ("# ..."): for failing tests. */
void msnp_conv_dump(void);

/* How many TCP connections this process has open to 127.0.0.1:port (from
 * /proc): the sockets a plugin holds to a server. */
guint msnp_sockets_to_port(int port);
/* Timers started through libpurple's event loop (purple_timeout_add*): a
 * mark now, and how many the plugin (callbacks in libmsnp.so) started after
 * a mark that are still running (neither removed nor finished). */
guint64 msnp_timers_mark(void);
guint msnp_plugin_timers_since(guint64 mark);

/* ---- A bare MSNP8 client ----
 *
 * Blocking sockets, no libpurple, no plugin: a second kind of user on the
 * test server (a client that never answers an invitation) and the
 * benchmarks' baseline.  Every failure is fatal (g_error). */
typedef struct {
	int fd;
	GString *in;          /* bytes read, not yet taken */
	guint trid;           /* the next TrID to use */
} MsnpRaw;

MsnpRaw *msnp_raw_connect(int port);
void msnp_raw_free(MsnpRaw *r);
void msnp_raw_send(MsnpRaw *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Reads what the socket has (blocking for some when block); FALSE when
 * nothing was there. */
gboolean msnp_raw_fill(MsnpRaw *r, gboolean block);
/* The length of the whole command (line and payload: MSG's last parameter)
 * at the start of r->in, 0 when it has not all arrived. */
gsize msnp_raw_command_length(MsnpRaw *r);
/* The next command's line (its payload dropped), blocking. */
char *msnp_raw_next(MsnpRaw *r);
/* Reads commands until one starts with prefix and returns its line; an
 * error reply on the way is fatal. */
char *msnp_raw_expect(MsnpRaw *r, const char *prefix);
/* Signs user in at MSNP8 (Passport 1.4 over the server's plain HTTP) and
 * goes online (CHG NLN); returns the NS connection, next TrID set. */
MsnpRaw *msnp_raw_signin(MsnpServer *server, const char *user, const char *password);

G_END_DECLS

#endif
