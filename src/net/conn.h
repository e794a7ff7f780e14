/* purple-msnp — one MSNP command connection (NS or SB) on the GLib main loop.
 *
 * Connects through purple_proxy_connect (so the account's proxy settings are
 * honoured), frames incoming bytes with src/proto, queues outgoing bytes, keeps
 * the per-connection TrID counter and a table of pending transactions, each
 * with a timeout.
 */
#ifndef MSN_NET_CONN_H
#define MSN_NET_CONN_H

#include <glib.h>
#include <account.h>
#include "proto/command.h"

G_BEGIN_DECLS

#define MSN_NET_ERROR (msn_net_error_quark())
GQuark msn_net_error_quark(void);

typedef enum {
	MSN_NET_ERROR_CONNECT,       /* could not connect (DNS, refused, proxy …) */
	MSN_NET_ERROR_CLOSED,        /* the server closed the connection */
	MSN_NET_ERROR_IO,            /* read or write failed */
	MSN_NET_ERROR_PROTOCOL,      /* the byte stream could not be framed */
	MSN_NET_ERROR_TIMEOUT        /* no reply to a transaction in time */
} MsnNetError;

typedef struct _MsnConn MsnConn;

typedef struct {
	/* The TCP connection is up. */
	void (*connected)(MsnConn *conn, gpointer data);
	/* A validated command that no pending transaction claimed. */
	void (*command)(MsnConn *conn, MsnCommand *cmd, gpointer data);
	/* The connection is dead (error set); the callback may free the connection. */
	void (*failed)(MsnConn *conn, const GError *error, gpointer data);
} MsnConnCallbacks;

/* A reply to a transaction (same TrID, including numeric errors), or cmd NULL
 * with error set when the connection died or the reply timed out. */
typedef void (*MsnReplyFunc)(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data);

MsnConn *msn_conn_new(PurpleAccount *account, MsnService service, guint version,
                      const MsnConnCallbacks *callbacks, gpointer data);
/* Closes the socket, cancels a pending connect, drops pending transactions
 * without calling them. */
void msn_conn_free(MsnConn *conn);

gboolean msn_conn_connect(MsnConn *conn, const char *host, int port, GError **error);
void msn_conn_set_version(MsnConn *conn, guint version);
guint msn_conn_get_version(const MsnConn *conn);
const char *msn_conn_get_host(const MsnConn *conn);
int msn_conn_get_port(const MsnConn *conn);

/* Defers writes until msn_conn_uncork so several commands leave in one write. */
void msn_conn_cork(MsnConn *conn);
void msn_conn_uncork(MsnConn *conn);

/* Queue a command with the next TrID; returns the TrID used.  reply may be
 * NULL (nothing waits).  timeout_s 0 means the connection's default. */
guint32 msn_conn_send(MsnConn *conn, const char *name, const char *const *params,
                      GBytes *payload, MsnReplyFunc reply, gpointer data, guint timeout_s);
/* The timeout of transactions sent with timeout_s 0 (default 60 s). */
void msn_conn_set_default_timeout(MsnConn *conn, guint seconds);

/* Commands without TrID (PNG, OUT). */
void msn_conn_send_plain(MsnConn *conn, const char *name);

/* g_get_monotonic_time() of the last byte received (or of the connect). */
gint64 msn_conn_get_last_activity(const MsnConn *conn);

/* For logs: never returns credentials, only "host:port". */
const char *msn_conn_describe(const MsnConn *conn);

G_END_DECLS

#endif
