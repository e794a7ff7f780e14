/* msnp-testserver — the live switchboard.
 *
 * For now a switchboard connection only authenticates (USR with a cookie from
 * XFR SB) and leaves (OUT).  Relaying (CAL/JOI/ANS/IRO/MSG/BYE) grows here:
 * an SbSession is one participant's connection; a future Switchboard object
 * will group the sessions of one conversation.
 */
#include "testserver.h"

#include <string.h>

typedef enum {
	SB_NEED_AUTH,
	SB_READY
} SbState;

struct _SbSession {
	Server *srv;
	Conn *conn;
	SbState state;
	guint version;
	char *email;
	char *friendly;
};

static void
session_free(SbSession *s)
{
	g_free(s->email);
	g_free(s->friendly);
	g_free(s);
}

static void
cmd_usr(SbSession *s, MsnCommand *cmd)
{
	const char *handle = cmd->params[0];
	const char *cookie = cmd->params[1];
	char *friendly = NULL, *name;
	guint version = s->version;

	if (s->state != SB_NEED_AUTH) {
		server_log(s->srv, conn_label(s->conn), "--", "no reply to USR: already authenticated");
		return;
	}
	if (s->srv->script) {
		/* Scripted mode hands out cookies from the script: accept any. */
		Account *a = accounts_find(s->srv, handle);

		friendly = g_strdup(a ? a->friendly : handle);
	} else if (!sb_cookie_take(s->srv, cookie, handle, &friendly, &version)) {
		conn_send_line(s->conn, "911 %u", cmd->trid);
		conn_close_after_flush(s->conn);
		return;
	}
	s->state = SB_READY;
	s->email = g_strdup(handle);
	s->friendly = friendly;
	s->version = version;
	conn_set_version(s->conn, version);
	name = util_url_escape_param(friendly);
	conn_send_line(s->conn, "USR %u OK %s %s", cmd->trid, handle, name);
	g_free(name);
}

static void
on_command(Conn *conn, MsnCommand *cmd, gpointer data)
{
	SbSession *s = data;

	if (strcmp(cmd->name, "OUT") == 0)
		conn_close_after_flush(conn);
	else if (strcmp(cmd->name, "USR") == 0)
		cmd_usr(s, cmd);
	else
		server_logf(s->srv, conn_label(conn), "-- no reply to %s: not implemented", cmd->name);
}

static void
on_close(Conn *conn, gpointer data)
{
	SbSession *s = data;

	s->srv->sb_sessions = g_list_remove(s->srv->sb_sessions, s);
	session_free(s);
}

static const ConnHandlers sb_handlers = {
	.on_command = on_command,
	.on_reject = NULL,
	.on_close = on_close,
};

void
sb_accept(Server *srv, GSocketConnection *sc)
{
	SbSession *s = g_new0(SbSession, 1);

	s->srv = srv;
	s->state = SB_NEED_AUTH;
	s->version = server_max_version(srv);
	s->conn = conn_new(srv, sc, MSN_SERVICE_SB, "sb", s->version, &sb_handlers, s);
	conn_set_reply_delay(s->conn, srv->reply_delay_ms);
	srv->sb_sessions = g_list_prepend(srv->sb_sessions, s);
}

void
sb_free_all(Server *srv)
{
	GList *l, *copy = g_list_copy(srv->sb_sessions);

	for (l = copy; l; l = l->next)
		conn_close(((SbSession *) l->data)->conn);
	g_list_free(copy);
}
