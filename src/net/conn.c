/* purple-msnp — one MSNP command connection on the GLib main loop. */
#include "net/conn.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <debug.h>
#include <eventloop.h>
#include <proxy.h>

#define DEFAULT_TIMEOUT_S 60
#define READ_CHUNK 8192

G_DEFINE_QUARK(msn-net-error-quark, msn_net_error)

typedef struct {
	MsnConn *conn;
	guint32 trid;
	MsnReplyFunc func;
	gpointer data;
	guint timer;
} Pending;

struct _MsnConn {
	PurpleAccount *account;
	MsnService service;
	MsnConnCallbacks cb;
	gpointer cb_data;

	char *host;
	int port;
	char *description;

	PurpleProxyConnectData *connect_data;
	int fd;
	guint read_watch;
	guint write_watch;
	MsnFramer *framer;

	GByteArray *outbuf;
	gboolean corked;
	guint32 next_trid;
	guint default_timeout;
	gint64 last_activity;
	GHashTable *pending;  /* trid -> Pending */

	/* Re-entrancy: callbacks may free the connection. */
	guint dispatch_depth;
	gboolean free_requested;
	gboolean dead;
};

static void conn_fail(MsnConn *conn, GError *error);
static void conn_flush(MsnConn *conn);

static void
pending_free(gpointer p)
{
	Pending *pd = p;

	if (pd->timer)
		purple_timeout_remove(pd->timer);
	g_free(pd);
}

MsnConn *
msn_conn_new(PurpleAccount *account, MsnService service, guint version,
             const MsnConnCallbacks *callbacks, gpointer data)
{
	MsnConn *conn = g_new0(MsnConn, 1);

	conn->account = account;
	conn->service = service;
	conn->cb = *callbacks;
	conn->cb_data = data;
	conn->fd = -1;
	conn->framer = msn_framer_new(service, MSN_FROM_SERVER, version);
	conn->outbuf = g_byte_array_new();
	conn->next_trid = 1;
	conn->default_timeout = DEFAULT_TIMEOUT_S;
	conn->pending = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, pending_free);
	return conn;
}

static void
conn_close(MsnConn *conn)
{
	if (conn->connect_data) {
		purple_proxy_connect_cancel(conn->connect_data);
		conn->connect_data = NULL;
	}
	if (conn->read_watch) {
		purple_input_remove(conn->read_watch);
		conn->read_watch = 0;
	}
	if (conn->write_watch) {
		purple_input_remove(conn->write_watch);
		conn->write_watch = 0;
	}
	if (conn->fd >= 0) {
		close(conn->fd);
		conn->fd = -1;
	}
	conn->dead = TRUE;
}

static void
conn_destroy(MsnConn *conn)
{
	conn_close(conn);
	g_hash_table_destroy(conn->pending);
	msn_framer_free(conn->framer);
	g_byte_array_free(conn->outbuf, TRUE);
	g_free(conn->host);
	g_free(conn->description);
	g_free(conn);
}

void
msn_conn_free(MsnConn *conn)
{
	if (conn == NULL)
		return;
	if (conn->dispatch_depth > 0) {
		/* Inside one of our own callbacks: stop everything now, free later. */
		conn_close(conn);
		g_hash_table_remove_all(conn->pending);
		conn->free_requested = TRUE;
		return;
	}
	conn_destroy(conn);
}

/* Brackets around every call out to the owner.  Returns FALSE when the owner
 * freed the connection meanwhile (the caller must then return at once). */
static void
dispatch_enter(MsnConn *conn)
{
	conn->dispatch_depth++;
}

static gboolean
dispatch_leave(MsnConn *conn)
{
	conn->dispatch_depth--;
	if (conn->dispatch_depth == 0 && conn->free_requested) {
		conn_destroy(conn);
		return FALSE;
	}
	return !conn->free_requested && !conn->dead;
}

const char *
msn_conn_describe(const MsnConn *conn)
{
	return conn->description ? conn->description : "(not connected)";
}

gint64
msn_conn_get_last_activity(const MsnConn *conn)
{
	return conn->last_activity;
}

const char *
msn_conn_get_host(const MsnConn *conn)
{
	return conn->host;
}

int
msn_conn_get_port(const MsnConn *conn)
{
	return conn->port;
}

void
msn_conn_set_version(MsnConn *conn, guint version)
{
	msn_framer_set_version(conn->framer, version);
}

guint
msn_conn_get_version(const MsnConn *conn)
{
	return msn_framer_get_version(conn->framer);
}

/* Fails every pending transaction, then tells the owner. */
static void
conn_fail(MsnConn *conn, GError *error)
{
	GList *pend, *l;

	if (conn->dead) {
		g_error_free(error);
		return;
	}
	purple_debug_info("msnp", "%s: connection failed: %s\n", msn_conn_describe(conn), error->message);
	conn_close(conn);

	dispatch_enter(conn);
	pend = g_hash_table_get_values(conn->pending);
	g_hash_table_steal_all(conn->pending);
	for (l = pend; l; l = l->next) {
		Pending *pd = l->data;
		if (!conn->free_requested && pd->func)
			pd->func(conn, NULL, error, pd->data);
		pending_free(pd);
	}
	g_list_free(pend);
	if (!conn->free_requested && conn->cb.failed)
		conn->cb.failed(conn, error, conn->cb_data);
	g_error_free(error);
	dispatch_leave(conn);
}

static gboolean
pending_timeout_cb(gpointer data)
{
	Pending *pd = data;
	MsnConn *conn = pd->conn;
	GError *error;
	MsnReplyFunc func = pd->func;
	gpointer fdata = pd->data;
	guint32 trid = pd->trid;

	pd->timer = 0;
	g_hash_table_steal(conn->pending, GUINT_TO_POINTER(trid));
	g_free(pd);
	error = g_error_new(MSN_NET_ERROR, MSN_NET_ERROR_TIMEOUT,
	                    "The server did not answer request %u in time", trid);
	purple_debug_warning("msnp", "%s: %s\n", msn_conn_describe(conn), error->message);
	if (func) {
		dispatch_enter(conn);
		func(conn, NULL, error, fdata);
		dispatch_leave(conn);
	}
	g_error_free(error);
	return FALSE;
}

static void
log_command(MsnConn *conn, const char *dir, const MsnCommand *cmd)
{
	/* Parameters may hold tickets: USR lines are logged by name only. */
	if (strcmp(cmd->name, "USR") == 0 && cmd->n_params > 1 &&
	    strcmp(cmd->params[0], "TWN") == 0)
		purple_debug_misc("msnp", "%s %s USR %u TWN %s …\n", msn_conn_describe(conn), dir,
		                  cmd->trid, cmd->params[1]);
	else {
		char *joined = g_strjoinv(" ", cmd->params);
		if (cmd->has_trid)
			purple_debug_misc("msnp", "%s %s %s %u %s%s\n", msn_conn_describe(conn), dir,
			                  cmd->name, cmd->trid, joined,
			                  cmd->payload ? " [payload]" : "");
		else
			purple_debug_misc("msnp", "%s %s %s %s%s\n", msn_conn_describe(conn), dir,
			                  cmd->name, joined, cmd->payload ? " [payload]" : "");
		g_free(joined);
	}
}

static void
handle_command(MsnConn *conn, MsnCommand *cmd)
{
	Pending *pd = NULL;

	log_command(conn, "<-", cmd);
	if (cmd->has_trid && cmd->trid != 0)
		pd = g_hash_table_lookup(conn->pending, GUINT_TO_POINTER(cmd->trid));

	/* A reply that only acknowledges part of a list (ILN after CHG, LST after
	 * SYN …) shares the TrID but is not the final reply: only the command
	 * with the same name, or a numeric error, completes the transaction.
	 * The pending entry records nothing about names, so any same-TrID
	 * command other than the known intermediate ones completes it. */
	if (pd && strcmp(cmd->name, "ILN") != 0 && strcmp(cmd->name, "IRO") != 0 &&
	    strcmp(cmd->name, "GCF") != 0) {
		MsnReplyFunc func = pd->func;
		gpointer data = pd->data;

		g_hash_table_remove(conn->pending, GUINT_TO_POINTER(cmd->trid));
		if (func) {
			func(conn, cmd, NULL, data);
			return;
		}
	}
	if (conn->cb.command)
		conn->cb.command(conn, cmd, conn->cb_data);
}

static void
read_cb(gpointer data, gint source, PurpleInputCondition cond)
{
	MsnConn *conn = data;
	guint8 buf[READ_CHUNK];
	ssize_t n;

	n = read(conn->fd, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (n == 0)
			conn_fail(conn, g_error_new_literal(MSN_NET_ERROR, MSN_NET_ERROR_CLOSED,
			                                    "The server closed the connection"));
		else
			conn_fail(conn, g_error_new(MSN_NET_ERROR, MSN_NET_ERROR_IO,
			                            "Could not read from the server: %s",
			                            g_strerror(errno)));
		return;
	}
	conn->last_activity = g_get_monotonic_time();
	msn_framer_push(conn->framer, buf, (gsize)n);

	dispatch_enter(conn);
	for (;;) {
		GError *error = NULL;
		MsnCommand *cmd = msn_framer_next(conn->framer, &error);

		if (cmd) {
			handle_command(conn, cmd);
			msn_command_free(cmd);
		} else if (error && msn_proto_error_is_fatal(error)) {
			GError *e = g_error_new(MSN_NET_ERROR, MSN_NET_ERROR_PROTOCOL,
			                        "The server sent data that is not MSN protocol (%s)",
			                        error->message);
			g_error_free(error);
			conn_fail(conn, e);
			break;
		} else if (error) {
			/* One command dropped; the stream goes on. */
			purple_debug_warning("msnp", "%s: ignoring a malformed command: %s\n",
			                     msn_conn_describe(conn), error->message);
			g_error_free(error);
		} else
			break;
		if (conn->free_requested || conn->dead)
			break;
	}
	dispatch_leave(conn);
}

static void
write_cb(gpointer data, gint source, PurpleInputCondition cond)
{
	conn_flush(data);
}

static void
conn_flush(MsnConn *conn)
{
	ssize_t n;

	if (conn->fd < 0 || conn->corked || conn->outbuf->len == 0)
		return;
	n = write(conn->fd, conn->outbuf->data, conn->outbuf->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		n = 0;
	if (n < 0) {
		conn_fail(conn, g_error_new(MSN_NET_ERROR, MSN_NET_ERROR_IO,
		                            "Could not send to the server: %s", g_strerror(errno)));
		return;
	}
	g_byte_array_remove_range(conn->outbuf, 0, (guint)n);
	if (conn->outbuf->len > 0 && !conn->write_watch)
		conn->write_watch = purple_input_add(conn->fd, PURPLE_INPUT_WRITE, write_cb, conn);
	else if (conn->outbuf->len == 0 && conn->write_watch) {
		purple_input_remove(conn->write_watch);
		conn->write_watch = 0;
	}
}

static void
connect_cb(gpointer data, gint source, const gchar *error_message)
{
	MsnConn *conn = data;

	conn->connect_data = NULL;
	if (source < 0) {
		conn_fail(conn, g_error_new(MSN_NET_ERROR, MSN_NET_ERROR_CONNECT,
		                            "Could not connect to %s: %s", conn->description,
		                            error_message ? error_message : "unknown error"));
		return;
	}
	conn->fd = source;
	conn->last_activity = g_get_monotonic_time();
	conn->read_watch = purple_input_add(conn->fd, PURPLE_INPUT_READ, read_cb, conn);
	purple_debug_info("msnp", "%s: connected\n", conn->description);
	dispatch_enter(conn);
	if (conn->cb.connected)
		conn->cb.connected(conn, conn->cb_data);
	if (dispatch_leave(conn))
		conn_flush(conn);
}

gboolean
msn_conn_connect(MsnConn *conn, const char *host, int port, GError **error)
{
	g_free(conn->host);
	g_free(conn->description);
	conn->host = g_strdup(host);
	conn->port = port;
	conn->description = g_strdup_printf("%s:%d", host, port);
	conn->dead = FALSE;
	conn->connect_data = purple_proxy_connect(NULL, conn->account, host, port, connect_cb, conn);
	if (conn->connect_data == NULL) {
		g_set_error(error, MSN_NET_ERROR, MSN_NET_ERROR_CONNECT,
		            "Could not start connecting to %s", conn->description);
		return FALSE;
	}
	return TRUE;
}

void
msn_conn_cork(MsnConn *conn)
{
	conn->corked = TRUE;
}

void
msn_conn_uncork(MsnConn *conn)
{
	conn->corked = FALSE;
	conn_flush(conn);
}

guint32
msn_conn_send(MsnConn *conn, const char *name, const char *const *params,
              GBytes *payload, MsnReplyFunc reply, gpointer data, guint timeout_s)
{
	GString *out = g_string_new(NULL);
	GError *error = NULL;
	guint32 trid = conn->next_trid++;

	if (conn->next_trid == 0 || conn->next_trid > G_MAXINT32)
		conn->next_trid = 1;
	if (!msn_command_append(out, name, trid, params, payload, &error)) {
		/* A bug in the caller, never data from the network. */
		g_warning("msnp: refusing to send a malformed %s: %s", name, error->message);
		g_error_free(error);
		g_string_free(out, TRUE);
		return 0;
	}
	if (strcmp(name, "USR") == 0)
		purple_debug_misc("msnp", "%s -> USR %u …\n", msn_conn_describe(conn), trid);
	else
		purple_debug_misc("msnp", "%s -> %.*s\n", msn_conn_describe(conn),
		                  (int)strcspn(out->str, "\r\n"), out->str);
	g_byte_array_append(conn->outbuf, (const guint8 *)out->str, (guint)out->len);
	g_string_free(out, TRUE);

	if (reply) {
		Pending *pd = g_new0(Pending, 1);
		pd->conn = conn;
		pd->trid = trid;
		pd->func = reply;
		pd->data = data;
		pd->timer = purple_timeout_add_seconds(timeout_s ? timeout_s : conn->default_timeout,
		                                       pending_timeout_cb, pd);
		g_hash_table_replace(conn->pending, GUINT_TO_POINTER(trid), pd);
	}
	conn_flush(conn);
	return trid;
}

void
msn_conn_set_default_timeout(MsnConn *conn, guint seconds)
{
	conn->default_timeout = seconds ? seconds : DEFAULT_TIMEOUT_S;
}

void
msn_conn_send_plain(MsnConn *conn, const char *name)
{
	GString *out = g_string_new(NULL);

	if (msn_command_append(out, name, -1, NULL, NULL, NULL)) {
		purple_debug_misc("msnp", "%s -> %s\n", msn_conn_describe(conn), name);
		g_byte_array_append(conn->outbuf, (const guint8 *)out->str, (guint)out->len);
	}
	g_string_free(out, TRUE);
	conn_flush(conn);
}
