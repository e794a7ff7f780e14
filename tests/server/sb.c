/* msnp-testserver — the live switchboard.
 *
 * Escargot's switchboard (front/msn/msnp_sb.py) is the model; protocol notes:
 * switchboard.md, commands.md §8.  An SbSession is one SB connection; a
 * Switchboard is one conversation (its number is the session id of CAL
 * RINGING and RNG) grouping the connections that joined it.
 *
 *   XFR SB (ns.c) → USR trid handle cookie → USR trid OK handle name: a new
 *     switchboard with one participant.  The cookie is single use, 120 s,
 *     for that exact handle; otherwise 911 and the connection closes.
 *   CAL trid handle → CAL trid RINGING id, and RNG id 127.0.0.1:PORT CKI
 *     cookie caller name [U messenger.hotmail.com [1]] on every NS session
 *     of the callee that is signed in, has sent CHG and is not HDN, and not
 *     already in the switchboard.  217 when there is none, or the callee
 *     blocks the caller (BL; BLP BL without AL), or is unknown; 215 when all
 *     of its sessions are in already; 208 for a malformed handle.
 *   ANS trid handle cookie id → IRO trid i n handle name [caps 12+] per other
 *     participant, ANS trid OK; the others get JOI handle name [caps].  A
 *     switchboard everybody left meanwhile is joined empty (as Escargot).
 *     Wrong session id: closed without reply (Escargot).
 *   MSG trid U|N|A|D len → MSG sender name len to every other connection of
 *     the switchboard; A: ACK when it reached one, else NAK; N: NAK when it
 *     reached nobody; D: ACK; U: nothing.  Closed (no reply) for another
 *     ack type, a payload over 1664 bytes, P2P without D; a payload without
 *     the blank line after the headers is dropped without reply.
 *   OUT, or the connection closing → BYE handle to the others once the
 *     user's last connection in it is gone.  An NS connection ending closes
 *     the SB connections opened through it (its XFR cookies and RNGs).
 *
 * JOI and BYE go out once per user (not per connection), and IRO lists each
 * user once.  Commands before USR/ANS OK, unknown ones and a second USR/ANS
 * get no reply; a connection that has not authenticated after 60 s closes.
 *
 * Faults: --sb-idle-timeout (everybody gets BYE other 1, then the
 * connections close), --sb-drop-after, --sb-nak and the control commands
 * sb-bye, sb-nak and sb-push (raw lines into a user's switchboards).  Log
 * lines "-- sb#ID EMAIL: …" (see --help).
 */
#include "testserver.h"

#include <string.h>

#define SB_MSG_MAX 1664
#define SB_AUTH_TIMEOUT_S 60

typedef struct _Switchboard Switchboard;

typedef enum {
	SB_NEED_AUTH,
	SB_READY,
	SB_GONE               /* left or closing: nothing more is answered */
} SbState;

struct _SbSession {
	Server *srv;
	Conn *conn;
	SbState state;
	guint version;
	char *email;
	char *ns_label;        /* the NS connection it belongs to, or NULL */
	Switchboard *sb;       /* NULL until USR/ANS OK and after leaving */
	guint n_commands;
	guint auth_timer;
};

struct _Switchboard {
	Server *srv;
	guint id;              /* the session id */
	GPtrArray *members;    /* SbSession*, in join order */
	guint idle_timer;
};

typedef struct {
	char *email;
	char *ns_label;
	guint version;
	guint sb_id;
	gint64 expires;        /* monotonic µs */
} SbInvite;

/* ---- helpers ---------------------------------------------------------------- */

static void G_GNUC_PRINTF(3, 4)
sb_log(Switchboard *sb, SbSession *actor, const char *fmt, ...)
{
	Server *srv = sb ? sb->srv : actor->srv;
	va_list ap;
	char *text;

	if (!srv->log)
		return;
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (actor && actor->email)
		server_logf(srv, actor ? conn_label(actor->conn) : "server", "-- sb#%u %s: %s",
		            sb ? sb->id : 0, actor->email, text);
	else
		server_logf(srv, actor ? conn_label(actor->conn) : "server", "-- sb#%u: %s",
		            sb ? sb->id : 0, text);
	g_free(text);
}

static void
ignore(SbSession *s, MsnCommand *cmd, const char *why)
{
	server_logf(s->srv, conn_label(s->conn), "-- no reply to %s: %s", cmd->name, why);
}

/* The current display name, URL-escaped (Escargot: the user's status name). */
static char *
escaped_name(Server *srv, const char *email)
{
	Account *a = accounts_find(srv, email);

	return util_url_escape_param(a ? a->friendly : email);
}

static NsSession *
ns_by_label(Server *srv, const char *label)
{
	GList *l;

	if (!label)
		return NULL;
	for (l = srv->ns_sessions; l; l = l->next) {
		NsSession *n = l->data;

		if (strcmp(conn_label(n->conn), label) == 0)
			return n;
	}
	return NULL;
}

static const char *
caps_of(SbSession *m)
{
	NsSession *n = ns_by_label(m->srv, m->ns_label);

	return n && n->caps ? n->caps : "0";
}

static gboolean
same_user(const SbSession *m, const char *email)
{
	return m->email && g_ascii_strcasecmp(m->email, email) == 0;
}

/* Whether email has a connection in sb other than except. */
static gboolean
user_in(Switchboard *sb, const char *email, SbSession *except)
{
	guint i;

	for (i = 0; i < sb->members->len; i++) {
		SbSession *m = g_ptr_array_index(sb->members, i);

		if (m != except && same_user(m, email))
			return TRUE;
	}
	return FALSE;
}

/* Whether a member before index i (not skip) is email: to name each user once. */
static gboolean
user_before(Switchboard *sb, guint i, const char *email, SbSession *skip)
{
	guint k;

	for (k = 0; k < i; k++) {
		SbSession *m = g_ptr_array_index(sb->members, k);

		if (m != skip && m->state == SB_READY && same_user(m, email))
			return TRUE;
	}
	return FALSE;
}

/* "JOI handle name [caps]" / "IRO trid i n handle name [caps]" tail. */
static char *
participant_text(SbSession *to, SbSession *who)
{
	char *name = escaped_name(to->srv, who->email);
	char *text = to->version >= 12
		? g_strdup_printf("%s %s %s", who->email, name, caps_of(who))
		: g_strdup_printf("%s %s", who->email, name);

	g_free(name);
	return text;
}

/* ---- switchboards ------------------------------------------------------------- */

static void idle_touch(Switchboard *sb);

static Switchboard *
switchboard_new(Server *srv, guint id)
{
	Switchboard *sb = g_new0(Switchboard, 1);

	if (!srv->switchboards)
		srv->switchboards = g_hash_table_new(g_direct_hash, g_direct_equal);
	while (id == 0 || g_hash_table_contains(srv->switchboards, GUINT_TO_POINTER(id)))
		id = 100000 + ++srv->next_sb_id;
	sb->srv = srv;
	sb->id = id;
	sb->members = g_ptr_array_new();
	g_hash_table_insert(srv->switchboards, GUINT_TO_POINTER(id), sb);
	return sb;
}

static void
switchboard_free(Switchboard *sb)
{
	g_hash_table_remove(sb->srv->switchboards, GUINT_TO_POINTER(sb->id));
	if (sb->idle_timer)
		g_source_remove(sb->idle_timer);
	g_ptr_array_unref(sb->members);
	g_free(sb);
}

static void
member_join(Switchboard *sb, SbSession *s)
{
	gboolean first = !user_in(sb, s->email, NULL);
	guint i;

	if (first) {
		for (i = 0; i < sb->members->len; i++) {
			SbSession *m = g_ptr_array_index(sb->members, i);
			char *text;

			if (same_user(m, s->email))
				continue;
			text = participant_text(m, s);
			conn_send_line(m->conn, "JOI %s", text);
			g_free(text);
		}
	}
	g_ptr_array_add(sb->members, s);
	s->sb = sb;
	idle_touch(sb);
}

/* s leaves its switchboard: BYE [1] to the others when it was the user's
 * last connection there; an empty switchboard goes. */
static void
member_leave(SbSession *s, gboolean idle)
{
	Switchboard *sb = s->sb;
	guint i;

	if (!sb)
		return;
	g_ptr_array_remove(sb->members, s);
	s->sb = NULL;
	if (!user_in(sb, s->email, NULL)) {
		for (i = 0; i < sb->members->len; i++) {
			SbSession *m = g_ptr_array_index(sb->members, i);

			conn_send_line(m->conn, idle ? "BYE %s 1" : "BYE %s", s->email);
		}
	}
	if (sb->members->len == 0) {
		sb_log(sb, NULL, "empty, gone");
		switchboard_free(sb);
	} else {
		idle_touch(sb);
	}
}

/* The end of one connection: leaves (BYE to the others), then closes. */
static void
session_end(SbSession *s, gboolean hard, gboolean idle, const char *why)
{
	if (s->state == SB_GONE)
		return;
	sb_log(s->sb, s, "left (%s)", why);
	s->state = SB_GONE;
	member_leave(s, idle);
	if (hard)
		conn_close(s->conn);
	else
		conn_close_after_flush(s->conn);
}

static gboolean
on_idle_timeout(gpointer data)
{
	Switchboard *sb = data;
	GPtrArray *members = g_ptr_array_copy(sb->members, NULL, NULL);
	guint i, j;

	sb->idle_timer = 0;
	sb_log(sb, NULL, "idle for %u s: BYE ... 1 to every participant, closing %u connection%s",
	       sb->srv->sb_idle_timeout, members->len, members->len == 1 ? "" : "s");
	/* Escargot: each one hears that the other(s) left idle, then all close. */
	for (i = 0; i < members->len; i++) {
		SbSession *m = g_ptr_array_index(members, i);

		for (j = 0; j < members->len; j++) {
			SbSession *o = g_ptr_array_index(members, j);
			guint k;
			gboolean dup = FALSE;

			if (same_user(o, m->email))
				continue;
			for (k = 0; k < j && !dup; k++)
				dup = same_user(g_ptr_array_index(members, k), o->email);
			if (!dup)
				conn_send_line(m->conn, "BYE %s 1", o->email);
		}
	}
	for (i = 0; i < members->len; i++) {
		SbSession *m = g_ptr_array_index(members, i);

		m->state = SB_GONE;
		m->sb = NULL;
		conn_close_after_flush(m->conn);
	}
	g_ptr_array_set_size(sb->members, 0);
	g_ptr_array_unref(members);
	switchboard_free(sb);
	return G_SOURCE_REMOVE;
}

static void
idle_touch(Switchboard *sb)
{
	if (!sb->srv->sb_idle_timeout)
		return;
	if (sb->idle_timer)
		g_source_remove(sb->idle_timer);
	sb->idle_timer = g_timeout_add(sb->srv->sb_idle_timeout * 1000, on_idle_timeout, sb);
}

/* ---- invitations ------------------------------------------------------------------ */

static void
invite_free(gpointer p)
{
	SbInvite *i = p;

	g_free(i->email);
	g_free(i->ns_label);
	g_free(i);
}

static gboolean
invite_expired(gpointer key, gpointer value, gpointer now)
{
	return ((SbInvite *) value)->expires <= *(gint64 *) now;
}

static char *
invite_issue(Server *srv, NsSession *to, Switchboard *sb)
{
	SbInvite *inv = g_new0(SbInvite, 1);
	gint64 now = g_get_monotonic_time();
	char *cookie;

	if (!srv->sb_invites)
		srv->sb_invites = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, invite_free);
	g_hash_table_foreach_remove(srv->sb_invites, invite_expired, &now);
	do {
		char *a = util_random_token(10, "0123456789");
		char *b = util_random_token(10, "0123456789");

		cookie = g_strdup_printf("%s.%s", a, b);
		g_free(a);
		g_free(b);
		if (!g_hash_table_contains(srv->sb_invites, cookie))
			break;
		g_free(cookie);
	} while (TRUE);
	inv->email = g_strdup(to->account->email);
	inv->ns_label = g_strdup(conn_label(to->conn));
	inv->version = to->version;
	inv->sb_id = sb->id;
	inv->expires = now + SB_COOKIE_LIFETIME_US;
	g_hash_table_insert(srv->sb_invites, g_strdup(cookie), inv);
	return cookie;
}

/* ---- commands ------------------------------------------------------------------------ */

static void
authenticated(SbSession *s, const char *email, guint version, char *ns_label)
{
	s->state = SB_READY;
	s->email = g_strdup(email);
	s->version = version;
	s->ns_label = ns_label;
	conn_set_version(s->conn, version);
	if (s->auth_timer) {
		g_source_remove(s->auth_timer);
		s->auth_timer = 0;
	}
}

/* Escargot: a failed sign-in is 911 and the end of the connection. */
static void
auth_fail(SbSession *s, MsnCommand *cmd, const char *why)
{
	server_logf(s->srv, conn_label(s->conn), "-- sb %s %s: 911 (%s)", cmd->name, cmd->params[0], why);
	conn_send_line(s->conn, "911 %u", cmd->trid);
	s->state = SB_GONE;
	conn_close_after_flush(s->conn);
}

static gboolean
ns_alive(Server *srv, const char *label)
{
	NsSession *n = ns_by_label(srv, label);

	return n && ns_session_live(n);
}

static void
cmd_usr(SbSession *s, MsnCommand *cmd)
{
	const char *handle = cmd->params[0];
	const char *cookie = cmd->params[1];
	char *name, *ns_label = NULL;
	guint version = s->version;
	Switchboard *sb;

	if (s->state != SB_NEED_AUTH) {
		ignore(s, cmd, "already authenticated");
		return;
	}
	if (!s->srv->script) {
		/* Scripted mode hands out cookies from the script: any is good. */
		if (!sb_cookie_take(s->srv, cookie, handle, NULL, &version, &ns_label)) {
			auth_fail(s, cmd, "unknown, used or expired cookie, or another handle");
			return;
		}
		if (!ns_alive(s->srv, ns_label)) {
			g_free(ns_label);
			auth_fail(s, cmd, "its NS connection is gone");
			return;
		}
	}
	authenticated(s, handle, version, ns_label);
	sb = switchboard_new(s->srv, 0);
	member_join(sb, s);
	name = escaped_name(s->srv, handle);
	conn_send_line(s->conn, "USR %u OK %s %s", cmd->trid, handle, name);
	g_free(name);
	sb_log(sb, s, "open (USR)");
}

static void
cmd_ans(SbSession *s, MsnCommand *cmd)
{
	const char *handle = cmd->params[0];
	const char *cookie = cmd->params[1];
	const char *sessid = cmd->params[2];
	guint64 id = g_ascii_strtoull(sessid, NULL, 10);
	Switchboard *sb;
	GPtrArray *others;
	guint version = s->version, i;
	char *ns_label = NULL;

	if (s->state != SB_NEED_AUTH) {
		ignore(s, cmd, "already authenticated");
		return;
	}
	if (!s->srv->script) {
		SbInvite *inv = s->srv->sb_invites ? g_hash_table_lookup(s->srv->sb_invites, cookie) : NULL;
		gboolean expired, wrong_user, wrong_id;

		if (!inv) {
			auth_fail(s, cmd, "unknown or used cookie");
			return;
		}
		expired = g_get_monotonic_time() >= inv->expires;
		wrong_user = strcmp(inv->email, handle) != 0;
		wrong_id = id != inv->sb_id;
		version = inv->version;
		ns_label = g_strdup(inv->ns_label);
		g_hash_table_remove(s->srv->sb_invites, cookie);   /* single use */
		if (expired || wrong_user) {
			g_free(ns_label);
			auth_fail(s, cmd, expired ? "expired cookie" : "another handle");
			return;
		}
		if (wrong_id) {
			server_logf(s->srv, conn_label(s->conn),
			            "-- sb ANS %s: wrong session id %s: closing (Escargot)", handle, sessid);
			g_free(ns_label);
			s->state = SB_GONE;
			conn_close(s->conn);
			return;
		}
		if (!ns_alive(s->srv, ns_label)) {
			g_free(ns_label);
			auth_fail(s, cmd, "its NS connection is gone");
			return;
		}
	}
	if (id > G_MAXUINT)
		id = 0;
	sb = s->srv->switchboards ? g_hash_table_lookup(s->srv->switchboards, GUINT_TO_POINTER((guint) id))
	                          : NULL;
	if (!sb)
		sb = switchboard_new(s->srv, (guint) id);   /* everybody left: an empty one */
	authenticated(s, handle, version, ns_label);

	/* One IRO per other user, in the order they joined. */
	others = g_ptr_array_new();
	for (i = 0; i < sb->members->len; i++) {
		SbSession *m = g_ptr_array_index(sb->members, i);
		guint k;
		gboolean dup = same_user(m, handle);

		for (k = 0; k < others->len && !dup; k++)
			dup = same_user(g_ptr_array_index(others, k), m->email);
		if (!dup)
			g_ptr_array_add(others, m);
	}
	for (i = 0; i < others->len; i++) {
		char *text = participant_text(s, g_ptr_array_index(others, i));

		conn_send_line(s->conn, "IRO %u %u %u %s", cmd->trid, i + 1, others->len, text);
		g_free(text);
	}
	conn_send_line(s->conn, "ANS %u OK", cmd->trid);
	member_join(sb, s);
	sb_log(sb, s, "joined (ANS), %u other%s", others->len, others->len == 1 ? "" : "s");
	g_ptr_array_unref(others);
}

static void
cmd_cal(SbSession *s, MsnCommand *cmd)
{
	Server *srv = s->srv;
	const char *handle = cmd->params[0];
	Switchboard *sb = s->sb;
	Account *a;
	GList *l;
	GString *rung;
	guint online = 0;
	char *caller_name;

	if (!lists_valid_handle(handle)) {
		sb_log(sb, s, "CAL %s: 208 (malformed handle)", handle);
		conn_send_line(s->conn, "208 %u", cmd->trid);
		return;
	}
	a = accounts_find(srv, handle);
	if (!a) {
		sb_log(sb, s, "CAL %s: 217 (%s)", handle,
		       lists_user_exists(srv, handle) ? "no client can be reached" : "unknown user");
		conn_send_line(s->conn, "217 %u", cmd->trid);
		return;
	}
	if (!roster_allows(a, s->email)) {
		sb_log(sb, s, "CAL %s: 217 (blocks the caller)", handle);
		conn_send_line(s->conn, "217 %u", cmd->trid);
		return;
	}
	/* ns_sessions is newest first; RNG oldest first. */
	rung = g_string_new(NULL);
	caller_name = escaped_name(srv, s->email);
	for (l = g_list_last(srv->ns_sessions); l; l = l->prev) {
		NsSession *n = l->data;
		gboolean in = FALSE;
		guint i;

		if (n->account != a || !ns_session_live(n) || !n->chg_echoed || !n->status ||
		    strcmp(n->status, "HDN") == 0)
			continue;
		online++;
		for (i = 0; i < sb->members->len && !in; i++) {
			SbSession *m = g_ptr_array_index(sb->members, i);

			in = m->ns_label && strcmp(m->ns_label, conn_label(n->conn)) == 0;
		}
		if (in)
			continue;
		if (rung->len == 0)
			conn_send_line(s->conn, "CAL %u RINGING %u", cmd->trid, sb->id);
		{
			char *cookie = invite_issue(srv, n, sb);
			const char *tail = n->version >= 14 ? " U messenger.hotmail.com 1"
			                 : n->version == 13 ? " U messenger.hotmail.com" : "";

			conn_send_line(n->conn, "RNG %u 127.0.0.1:%u CKI %s %s %s%s", sb->id, srv->sb_port,
			               cookie, s->email, caller_name, tail);
			g_free(cookie);
		}
		g_string_append_printf(rung, "%s%s", rung->len ? "," : "", conn_label(n->conn));
	}
	g_free(caller_name);
	if (rung->len) {
		sb_log(sb, s, "CAL %s: RINGING (RNG on %s)", handle, rung->str);
	} else if (online) {
		sb_log(sb, s, "CAL %s: 215 (already in the session)", handle);
		conn_send_line(s->conn, "215 %u", cmd->trid);
	} else {
		sb_log(sb, s, "CAL %s: 217 (offline or hidden)", handle);
		conn_send_line(s->conn, "217 %u", cmd->trid);
	}
	g_string_free(rung, TRUE);
}

/* Whether the header block (up to the first blank line) has a P2P Content-Type. */
static gboolean
is_p2p(const char *data, gsize len)
{
	char *text = g_strndup(data, len), *end, *low;
	gboolean p2p;

	end = strstr(text, "\r\n\r\n");
	if (end)
		*end = '\0';
	low = g_ascii_strdown(text, -1);
	p2p = strstr(low, "content-type: application/x-msnmsgrp2p") != NULL;
	g_free(low);
	g_free(text);
	return p2p;
}

static gboolean
has_header_end(const char *data, gsize len)
{
	gsize i;

	for (i = 0; i + 1 < len; i++)
		if (data[i] == '\n' && (data[i + 1] == '\n' ||
		                        (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n')))
			return TRUE;
	return FALSE;
}

/* A --sb-nak / sb-nak fault for a message from email; consumes one use. */
static gboolean
nak_fault(Server *srv, const char *email)
{
	char *key;
	gpointer v;
	gboolean hit = FALSE;

	if (srv->sb_nak)
		return TRUE;
	if (!srv->sb_nak_users)
		return FALSE;
	key = g_ascii_strdown(email, -1);
	if (g_hash_table_lookup_extended(srv->sb_nak_users, key, NULL, &v)) {
		int left = GPOINTER_TO_INT(v);

		hit = TRUE;
		if (left > 0) {
			if (left == 1)
				g_hash_table_remove(srv->sb_nak_users, key);
			else
				g_hash_table_replace(srv->sb_nak_users, g_strdup(key), GINT_TO_POINTER(left - 1));
		}
	}
	g_free(key);
	return hit;
}

static void
cmd_msg(SbSession *s, MsnCommand *cmd)
{
	Server *srv = s->srv;
	Switchboard *sb = s->sb;
	const char *ack = cmd->params[0];
	gsize len = 0;
	const char *data = cmd->payload ? g_bytes_get_data(cmd->payload, &len) : "";
	GString *to;
	char *head, *name;
	guint i, delivered = 0;
	const char *reply = "";

	if (strlen(ack) != 1 || !strchr("UNAD", ack[0])) {
		sb_log(sb, s, "MSG %s %" G_GSIZE_FORMAT " bytes: bad ack type, closing", ack, len);
		session_end(s, TRUE, FALSE, "bad ack type");
		return;
	}
	if (len > SB_MSG_MAX) {
		sb_log(sb, s, "MSG %s %" G_GSIZE_FORMAT " bytes: over %u, closing", ack, len, SB_MSG_MAX);
		session_end(s, TRUE, FALSE, "message too long");
		return;
	}
	if (ack[0] != 'D' && is_p2p(data, len)) {
		sb_log(sb, s, "MSG %s %" G_GSIZE_FORMAT " bytes: P2P without D, closing", ack, len);
		session_end(s, TRUE, FALSE, "P2P without D");
		return;
	}
	if (!has_header_end(data, len)) {
		sb_log(sb, s, "MSG %s %" G_GSIZE_FORMAT " bytes: no blank line after the headers, dropped",
		       ack, len);
		return;
	}
	if ((ack[0] == 'A' || ack[0] == 'N') && nak_fault(srv, s->email)) {
		sb_log(sb, s, "MSG %s %" G_GSIZE_FORMAT " bytes -> nobody (sb-nak) (NAK)", ack, len);
		conn_send_line(s->conn, "NAK %u", cmd->trid);
		return;
	}
	name = escaped_name(srv, s->email);
	head = g_strdup_printf("MSG %s %s", s->email, name);
	to = g_string_new(NULL);
	for (i = 0; i < sb->members->len; i++) {
		SbSession *m = g_ptr_array_index(sb->members, i);

		if (m == s || m->state != SB_READY || !conn_is_open(m->conn))
			continue;
		conn_send_payload(m->conn, head, data, len);
		delivered++;
		if (!user_before(sb, i, m->email, s))
			g_string_append_printf(to, "%s%s", to->len ? "," : "", m->email);
	}
	g_free(head);
	g_free(name);
	switch (ack[0]) {
	case 'A':
		reply = delivered ? " (ACK)" : " (NAK)";
		conn_send_line(s->conn, "%s %u", delivered ? "ACK" : "NAK", cmd->trid);
		break;
	case 'N':
		if (!delivered) {
			reply = " (NAK)";
			conn_send_line(s->conn, "NAK %u", cmd->trid);
		}
		break;
	case 'D':
		reply = " (ACK)";
		conn_send_line(s->conn, "ACK %u", cmd->trid);
		break;
	default:
		break;
	}
	sb_log(sb, s, "MSG %s %" G_GSIZE_FORMAT " bytes -> %s%s", ack, len,
	       to->len ? to->str : "nobody", reply);
	g_string_free(to, TRUE);
}

static void
on_command(Conn *conn, MsnCommand *cmd, gpointer data)
{
	SbSession *s = data;
	const char *n = cmd->name;

	if (s->state == SB_GONE) {
		ignore(s, cmd, "leaving");
		return;
	}
	if (s->srv->sb_drop_after && ++s->n_commands == s->srv->sb_drop_after) {
		server_logf(s->srv, conn_label(conn), "-- sb-drop-after %u: closing before replying to %s",
		            s->srv->sb_drop_after, n);
		if (s->sb)
			session_end(s, TRUE, FALSE, "sb-drop-after");
		else
			conn_close(conn);
		s->state = SB_GONE;
		return;
	}
	if (strcmp(n, "OUT") == 0) {
		if (s->sb)
			session_end(s, FALSE, FALSE, "OUT");   /* not echoed */
		else
			conn_close_after_flush(conn);
		s->state = SB_GONE;
		return;
	}
	if (strcmp(n, "USR") == 0) {
		cmd_usr(s, cmd);
		return;
	}
	if (strcmp(n, "ANS") == 0) {
		cmd_ans(s, cmd);
		return;
	}
	if (s->state != SB_READY || !s->sb) {
		ignore(s, cmd, "before USR/ANS OK (Escargot)");
		return;
	}
	idle_touch(s->sb);
	if (strcmp(n, "CAL") == 0)
		cmd_cal(s, cmd);
	else if (strcmp(n, "MSG") == 0)
		cmd_msg(s, cmd);
	else
		ignore(s, cmd, "not a switchboard command");
}

static void
on_close(Conn *conn, gpointer data)
{
	SbSession *s = data;

	if (s->sb) {
		sb_log(s->sb, s, "left (connection closed)");
		member_leave(s, FALSE);
	}
	if (s->auth_timer)
		g_source_remove(s->auth_timer);
	s->srv->sb_sessions = g_list_remove(s->srv->sb_sessions, s);
	g_free(s->email);
	g_free(s->ns_label);
	g_free(s);
}

static const ConnHandlers sb_handlers = {
	.on_command = on_command,
	.on_reject = NULL,
	.on_close = on_close,
};

static gboolean
on_auth_timeout(gpointer data)
{
	SbSession *s = data;

	s->auth_timer = 0;
	if (s->state == SB_NEED_AUTH) {
		server_logf(s->srv, conn_label(s->conn), "-- no USR/ANS within %u s: closing (Escargot)",
		            SB_AUTH_TIMEOUT_S);
		s->state = SB_GONE;
		conn_close(s->conn);
	}
	return G_SOURCE_REMOVE;
}

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
	s->auth_timer = g_timeout_add_seconds(SB_AUTH_TIMEOUT_S, on_auth_timeout, s);
}

void
sb_ns_gone(Server *srv, const char *ns_label)
{
	GList *l, *copy = g_list_copy(srv->sb_sessions);

	for (l = copy; l; l = l->next) {
		SbSession *s = l->data;

		if (s->ns_label && strcmp(s->ns_label, ns_label) == 0 && s->state != SB_GONE)
			session_end(s, TRUE, FALSE, "its NS connection is gone");
	}
	g_list_free(copy);
}

/* ---- control channel -------------------------------------------------------------- */

/* sb-bye EMAIL [1] */
char *
sb_control_bye(Server *srv, const char *args)
{
	char **f = g_strsplit(args, " ", -1);
	guint n = g_strv_length(f);
	gboolean idle = n == 2 && strcmp(f[1], "1") == 0;
	GString *done;
	GList *l, *copy;
	char *result;

	if (n < 1 || n > 2 || !*f[0] || (n == 2 && !idle)) {
		g_strfreev(f);
		return g_strdup("usage: sb-bye EMAIL [1]");
	}
	done = g_string_new(NULL);
	copy = g_list_copy(srv->sb_sessions);
	for (l = copy; l; l = l->next) {
		SbSession *s = l->data;

		if (!s->sb || s->state != SB_READY || !same_user(s, f[0]))
			continue;
		g_string_append_printf(done, " %s (sb#%u)", conn_label(s->conn), s->sb->id);
		session_end(s, FALSE, idle, idle ? "sb-bye, idle" : "sb-bye");
	}
	g_list_free(copy);
	result = done->len ? g_strdup_printf("sb-bye %s: closed%s", f[0], done->str)
	                   : g_strdup_printf("sb-bye %s: no switchboard connection", f[0]);
	g_string_free(done, TRUE);
	g_strfreev(f);
	return result;
}

/* sb-nak EMAIL on|off|N */
char *
sb_control_nak(Server *srv, const char *args)
{
	char **f = g_strsplit(args, " ", -1);
	char *result, *key, *end = NULL;
	guint64 count = 0;

	if (g_strv_length(f) != 2 || !*f[0] ||
	    (strcmp(f[1], "on") != 0 && strcmp(f[1], "off") != 0 &&
	     ((count = g_ascii_strtoull(f[1], &end, 10)) == 0 || *end || count > G_MAXINT))) {
		g_strfreev(f);
		return g_strdup("usage: sb-nak EMAIL on|off|N");
	}
	if (!srv->sb_nak_users)
		srv->sb_nak_users = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	key = g_ascii_strdown(f[0], -1);
	if (strcmp(f[1], "off") == 0) {
		g_hash_table_remove(srv->sb_nak_users, key);
		g_free(key);
		result = g_strdup_printf("sb-nak %s: messages delivered again", f[0]);
	} else {
		int left = strcmp(f[1], "on") == 0 ? -1 : (int) count;

		g_hash_table_replace(srv->sb_nak_users, key, GINT_TO_POINTER(left));
		result = left < 0 ? g_strdup_printf("sb-nak %s: every MSG A/N from now on gets NAK", f[0])
		                  : g_strdup_printf("sb-nak %s: the next %d MSG A/N get NAK", f[0], left);
	}
	g_strfreev(f);
	return result;
}

/* sb-push EMAIL LINE: LINE (as --push: escapes, "HEAD {len}|PAYLOAD") on each
 * of EMAIL's switchboard connections that are in a switchboard, as if the
 * switchboard sent it (a MSG from another participant, a JOI, a bad line). */
char *
sb_control_push(Server *srv, const char *email, const char *line)
{
	GError *error = NULL;
	GBytes *wire = push_encode(line, &error);
	GString *done;
	GList *l;
	char *result;

	if (!wire) {
		result = g_strdup_printf("sb-push %s: %s", email, error->message);
		g_error_free(error);
		return result;
	}
	done = g_string_new(NULL);
	for (l = srv->sb_sessions; l; l = l->next) {
		SbSession *s = l->data;
		gsize len;
		const void *data = g_bytes_get_data(wire, &len);

		if (!s->sb || s->state != SB_READY || !same_user(s, email) || !conn_is_open(s->conn))
			continue;
		conn_send_raw(s->conn, data, len);
		g_string_append_printf(done, " %s (sb#%u)", conn_label(s->conn), s->sb->id);
	}
	result = done->len ? g_strdup_printf("sb-push %s: %" G_GSIZE_FORMAT " bytes sent on%s", email,
	                                     g_bytes_get_size(wire), done->str)
	                   : g_strdup_printf("sb-push %s: no switchboard connection", email);
	g_string_free(done, TRUE);
	g_bytes_unref(wire);
	return result;
}

void
sb_free_all(Server *srv)
{
	GList *l, *copy = g_list_copy(srv->sb_sessions);

	for (l = copy; l; l = l->next)
		conn_close(((SbSession *) l->data)->conn);
	g_list_free(copy);
}

void
sb_free_state(Server *srv)
{
	if (srv->switchboards) {
		GList *sbs = g_hash_table_get_values(srv->switchboards), *l;

		/* Only left when a connection never ran its close notification. */
		for (l = sbs; l; l = l->next)
			switchboard_free(l->data);
		g_list_free(sbs);
	}
	g_clear_pointer(&srv->switchboards, g_hash_table_unref);
	g_clear_pointer(&srv->sb_invites, g_hash_table_unref);
	g_clear_pointer(&srv->sb_nak_users, g_hash_table_unref);
}
