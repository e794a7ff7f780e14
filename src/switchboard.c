/* purple-msnp — conversations over switchboard sessions. */
#include "switchboard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <debug.h>
#include <eventloop.h>
#include <blist.h>
#include <privacy.h>
#include <server.h>

#include "msnp.h"
#include "proto/content.h"
#include "proto/format.h"
#include "proto/mime.h"
#include "proto/urlenc.h"

/* The longest handle taken from the network (RFC 5321 path limit). */
#define MAX_HANDLE 320

typedef enum {
	SB_XFR,          /* XFR SB sent on the NS */
	SB_CONNECTING,   /* TCP connect to the switchboard */
	SB_AUTH,         /* USR or ANS sent */
	SB_READY,        /* authenticated: CAL, MSG */
	SB_CLOSED        /* left; kept only until the XFR reply comes */
} SbState;

typedef struct _MsnSwitchboard MsnSwitchboard;

/* One message the user sent (one or more payloads). */
typedef struct {
	guint refs;
	char *who;          /* the one-to-one contact, or NULL in a chat */
	int chat_id;        /* the chat, or 0 */
	char *text;         /* plain text, for the "not delivered" notice; NULL: a nudge */
	gboolean reported;
} OutMsg;

/* One MSG payload, queued or waiting for its ACK. */
typedef struct {
	MsnSwitchboard *sb;
	GBytes *payload;
	char ack;           /* 'A' or 'U' */
	OutMsg *msg;        /* NULL for typing notices */
} Part;

/* A CAL waiting for its reply. */
typedef struct {
	MsnSwitchboard *sb;
	char *who;
} Call;

struct _MsnSwitchboard {
	MsnSession *session;
	guint id;
	SbState state;
	gboolean xfr_waiting;   /* the NS owes us the XFR reply */
	gboolean invited;       /* came from RNG */
	MsnConn *conn;
	char *cookie;
	char *session_id;       /* RNG's, for ANS */
	char *im_who;           /* one-to-one contact (normalised), NULL in a chat */
	gboolean is_chat;
	GPtrArray *members;     /* the others present, normalised handles */
	GPtrArray *to_call;     /* invited once authenticated */
	GQueue queue;           /* Parts waiting for someone to join */
	GPtrArray *in_flight;   /* Parts sent with ack A, waiting */
	GPtrArray *calls;       /* Calls waiting */
	guint setup_timer;      /* from XFR/RNG until someone is there */
	gboolean ringing;       /* a CAL was answered RINGING */
	gboolean typing_shown;  /* a typing notice was passed on since the last message */
	gint64 last_typing;
};

static void sb_leave(MsnSwitchboard *sb);
static void sb_fail(MsnSwitchboard *sb, const char *reason);

/* ---- Helpers ------------------------------------------------------------ */

static guint
setup_timeout(MsnSession *session)
{
	return (guint)CLAMP(purple_account_get_int(session->account, MSNP_OPT_TIMEOUT, 60), 1, 600);
}

/* A handle from the network or the UI, lower-cased; NULL when it cannot be
 * one (empty, too long, invalid UTF-8, spaces or control characters). */
static char *
handle_norm(const char *s)
{
	const char *p;

	if (s == NULL || *s == '\0' || strlen(s) > MAX_HANDLE || !g_utf8_validate(s, -1, NULL))
		return NULL;
	for (p = s; *p; p++)
		if ((guchar)*p <= ' ' || *p == 0x7f)
			return NULL;
	return g_ascii_strdown(s, -1);
}

static void
out_msg_unref(OutMsg *m)
{
	if (m == NULL || --m->refs > 0)
		return;
	g_free(m->who);
	g_free(m->text);
	g_free(m);
}

static void
part_free(Part *p)
{
	if (p == NULL)
		return;
	g_bytes_unref(p->payload);
	out_msg_unref(p->msg);
	g_free(p);
}

static void
call_free(Call *c)
{
	g_free(c->who);
	g_free(c);
}

static PurpleConversation *
find_chat(MsnSession *session, int id)
{
	return purple_find_chat(session->gc, id);
}

/* The conversation with who, opened when there is none (unless signing off). */
static PurpleConversation *
im_conv(MsnSession *session, const char *who)
{
	PurpleConversation *conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, who,
	                                                                 session->account);
	if (conv == NULL && !session->sb_closing)
		conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, session->account, who);
	return conv;
}

/* Writes a line into the conversation: the chat when chat_id is set and
 * still open, else the one-to-one conversation with who. */
static void
write_notice(MsnSession *session, const char *who, int chat_id, const char *text,
             PurpleMessageFlags flags)
{
	PurpleConversation *conv = chat_id ? find_chat(session, chat_id) : NULL;

	if (conv == NULL && who)
		conv = im_conv(session, who);
	if (conv)
		purple_conversation_write(conv, NULL, text, flags | PURPLE_MESSAGE_NO_LOG, time(NULL));
}

/* Tells the user once that a message did not arrive, with its text. */
static void
report_undelivered(MsnSession *session, OutMsg *m)
{
	char *text, *who_esc;

	if (m == NULL || m->reported)
		return;
	m->reported = TRUE;
	who_esc = g_markup_escape_text(m->who ? m->who : "", -1);
	if (m->text) {
		char *esc = g_markup_escape_text(m->text, -1);
		if (m->chat_id)
			text = g_strdup_printf(_("This message could not be delivered to the chat: %s"), esc);
		else
			text = g_strdup_printf(_("This message could not be delivered to %s: %s"),
			                       who_esc, esc);
		g_free(esc);
	} else
		text = g_strdup_printf(_("Your nudge could not be delivered to %s."), who_esc);
	write_notice(session, m->who, m->chat_id, text, PURPLE_MESSAGE_ERROR);
	g_free(text);
	g_free(who_esc);
}

static const char *
sb_label(MsnSwitchboard *sb)
{
	return sb->im_who ? sb->im_who : (sb->is_chat ? "chat" : "new");
}

static gboolean
has_member(MsnSwitchboard *sb, const char *who)
{
	guint i;

	for (i = 0; i < sb->members->len; i++)
		if (strcmp(g_ptr_array_index(sb->members, i), who) == 0)
			return TRUE;
	return FALSE;
}

static void
stop_setup_timer(MsnSwitchboard *sb)
{
	if (sb->setup_timer) {
		purple_timeout_remove(sb->setup_timer);
		sb->setup_timer = 0;
	}
}

/* ---- Life cycle --------------------------------------------------------- */

static MsnSwitchboard *
sb_new(MsnSession *session)
{
	MsnSwitchboard *sb = g_new0(MsnSwitchboard, 1);

	sb->session = session;
	/* Chat ids are ints; skip 0 (no chat) on wrap-around. */
	if (++session->next_sb_id > G_MAXINT)
		session->next_sb_id = 1;
	sb->id = session->next_sb_id;
	sb->members = g_ptr_array_new_with_free_func(g_free);
	sb->to_call = g_ptr_array_new_with_free_func(g_free);
	sb->in_flight = g_ptr_array_new();
	sb->calls = g_ptr_array_new();
	g_queue_init(&sb->queue);
	g_hash_table_insert(session->switchboards, GUINT_TO_POINTER(sb->id), sb);
	return sb;
}

/* Drops the one-to-one mapping to sb, if it is the contact's. */
static void
sb_unmap(MsnSwitchboard *sb)
{
	if (sb->im_who && g_hash_table_lookup(sb->session->sb_im, sb->im_who) == sb)
		g_hash_table_remove(sb->session->sb_im, sb->im_who);
}

/* Frees everything; the switchboard must be out of the session's tables. */
static void
sb_destroy(MsnSwitchboard *sb)
{
	Part *p;
	guint i;

	stop_setup_timer(sb);
	/* The connection first: its pending replies point into what follows. */
	msn_conn_free(sb->conn);
	sb->conn = NULL;
	while ((p = g_queue_pop_head(&sb->queue)))
		part_free(p);
	for (i = 0; i < sb->in_flight->len; i++)
		part_free(g_ptr_array_index(sb->in_flight, i));
	g_ptr_array_free(sb->in_flight, TRUE);
	for (i = 0; i < sb->calls->len; i++)
		call_free(g_ptr_array_index(sb->calls, i));
	g_ptr_array_free(sb->calls, TRUE);
	g_ptr_array_free(sb->members, TRUE);
	g_ptr_array_free(sb->to_call, TRUE);
	g_free(sb->cookie);
	g_free(sb->session_id);
	g_free(sb->im_who);
	g_free(sb);
}

/* Takes sb out of the session and frees it — unless the NS still owes the
 * XFR reply, which then frees it. */
static void
sb_dispose(MsnSwitchboard *sb)
{
	MsnSession *session = sb->session;

	sb_unmap(sb);
	if (sb->is_chat && find_chat(session, (int)sb->id))
		serv_got_chat_left(session->gc, (int)sb->id);
	sb->state = SB_CLOSED;
	if (sb->xfr_waiting) {
		/* Keep it (closed, silent) until xfr_reply; free what it holds. */
		Part *p;
		stop_setup_timer(sb);
		while ((p = g_queue_pop_head(&sb->queue)))
			part_free(p);
		return;
	}
	g_hash_table_steal(session->switchboards, GUINT_TO_POINTER(sb->id));
	purple_debug_info("msnp", "switchboard %u (%s) closed\n", sb->id, sb_label(sb));
	sb_destroy(sb);
}

/* OUT, when the switchboard has accepted us and is still open. */
static void
say_out(MsnSwitchboard *sb)
{
	if (sb->conn && sb->state >= SB_AUTH && sb->state != SB_CLOSED)
		msn_conn_send_plain(sb->conn, "OUT");
}

/* Reports the messages waiting for an ACK and, with queued, those not sent. */
static void
report_pending(MsnSwitchboard *sb, gboolean queued)
{
	GList *l;
	guint i;

	if (queued)
		for (l = sb->queue.head; l; l = l->next)
			report_undelivered(sb->session, ((Part *)l->data)->msg);
	for (i = 0; i < sb->in_flight->len; i++)
		report_undelivered(sb->session, ((Part *)g_ptr_array_index(sb->in_flight, i))->msg);
}

/* The user closed the window: nothing in flight is worth a notice any more. */
static void
forget_in_flight(MsnSwitchboard *sb)
{
	guint i;

	for (i = 0; i < sb->in_flight->len; i++) {
		Part *p = g_ptr_array_index(sb->in_flight, i);
		if (p->msg)
			p->msg->reported = TRUE;
	}
}

/* Leaves politely (OUT) and disposes.  Messages not yet acknowledged are
 * reported: nobody will confirm them any more. */
static void
sb_leave(MsnSwitchboard *sb)
{
	say_out(sb);
	report_pending(sb, FALSE);
	sb_dispose(sb);
}

/* Something went wrong: say why once (when reason is set), report every
 * message that will not arrive, and dispose. */
static void
sb_fail(MsnSwitchboard *sb, const char *reason)
{
	purple_debug_info("msnp", "switchboard %u (%s) failed: %s\n", sb->id, sb_label(sb),
	                  reason ? reason : "(no reason)");
	if (reason) {
		/* The one-to-one contact, or the first one invited. */
		const char *who = sb->im_who ? sb->im_who :
		                  sb->to_call->len > 0 ? g_ptr_array_index(sb->to_call, 0) : NULL;
		if (who || sb->is_chat)
			write_notice(sb->session, who, sb->is_chat ? (int)sb->id : 0, reason,
			             PURPLE_MESSAGE_ERROR);
	}
	report_pending(sb, TRUE);
	say_out(sb);
	sb_dispose(sb);
}

static gboolean
setup_timeout_cb(gpointer data)
{
	MsnSwitchboard *sb = data;

	sb->setup_timer = 0;
	if (sb->ringing && sb->im_who) {
		/* CAL was answered with RINGING; the contact never came. */
		char *esc = g_markup_escape_text(sb->im_who, -1);
		char *text = g_strdup_printf(_("%s did not join the conversation in time."), esc);
		sb_fail(sb, text);
		g_free(text);
		g_free(esc);
	} else
		sb_fail(sb, _("The conversation could not be started: the server did not answer in time."));
	return FALSE;
}

static void
start_setup_timer(MsnSwitchboard *sb)
{
	stop_setup_timer(sb);
	sb->setup_timer = purple_timeout_add_seconds(setup_timeout(sb->session), setup_timeout_cb, sb);
}

/* ---- Sending ------------------------------------------------------------ */

static void part_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data);

static void
transmit(MsnSwitchboard *sb, Part *p)
{
	const char *params[] = { p->ack == 'A' ? "A" : "U", NULL };

	if (p->ack == 'A') {
		g_ptr_array_add(sb->in_flight, p);
		msn_conn_send(sb->conn, "MSG", params, p->payload, part_reply, p, 0);
	} else {
		msn_conn_send(sb->conn, "MSG", params, p->payload, NULL, NULL, 0);
		part_free(p);
	}
}

static gboolean
sb_can_send(MsnSwitchboard *sb)
{
	return sb->state == SB_READY && sb->conn && sb->members->len > 0;
}

static void
sb_flush(MsnSwitchboard *sb)
{
	Part *p;

	if (!sb_can_send(sb) || g_queue_is_empty(&sb->queue))
		return;
	msn_conn_cork(sb->conn);
	while (sb_can_send(sb) && (p = g_queue_pop_head(&sb->queue)))
		transmit(sb, p);
	if (sb->conn)
		msn_conn_uncork(sb->conn);
}

static void
part_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	Part *p = data;
	MsnSwitchboard *sb = p->sb;

	g_ptr_array_remove(sb->in_flight, p);
	if (cmd && strcmp(cmd->name, "ACK") == 0) {
		part_free(p);
		return;
	}
	purple_debug_info("msnp", "switchboard %u: message not delivered (%s)\n", sb->id,
	                  cmd ? cmd->name : error->message);
	report_undelivered(sb->session, p->msg);
	part_free(p);
}

/* Queues (or sends) payloads for one user message. */
static gboolean
sb_enqueue(MsnSwitchboard *sb, GPtrArray *payloads, OutMsg *m, char ack)
{
	guint i;

	if (g_queue_get_length(&sb->queue) + payloads->len > MSN_SB_MAX_QUEUED)
		return FALSE;
	for (i = 0; i < payloads->len; i++) {
		Part *p = g_new0(Part, 1);
		p->sb = sb;
		p->payload = g_bytes_ref(g_ptr_array_index(payloads, i));
		p->ack = ack;
		if (m) {
			m->refs++;
			p->msg = m;
		}
		g_queue_push_tail(&sb->queue, p);
	}
	sb_flush(sb);
	return TRUE;
}

static void xfr_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data);

/* Asks the NS for a switchboard. */
static void
sb_request(MsnSwitchboard *sb)
{
	const char *params[] = { "SB", NULL };

	sb->state = SB_XFR;
	sb->xfr_waiting = TRUE;
	start_setup_timer(sb);
	msn_conn_send(sb->session->ns, "XFR", params, NULL, xfr_reply, sb, 0);
}

static gboolean
session_online(MsnSession *session)
{
	return session && session->ns && session->state == MSN_SIGNIN_ONLINE &&
	       session->switchboards != NULL;
}

/* The switchboard used to send to who, opened when there is none. */
static MsnSwitchboard *
im_switchboard(MsnSession *session, const char *who)
{
	MsnSwitchboard *sb = g_hash_table_lookup(session->sb_im, who);

	if (sb)
		return sb;
	if (g_hash_table_size(session->switchboards) >= MSN_SB_MAX_OPEN)
		return NULL;
	sb = sb_new(session);
	sb->im_who = g_strdup(who);
	g_ptr_array_add(sb->to_call, g_strdup(who));
	g_hash_table_insert(session->sb_im, sb->im_who, sb);
	purple_debug_info("msnp", "switchboard %u: opening for %s\n", sb->id, who);
	sb_request(sb);
	return sb;
}

/* The MSG payloads of an HTML message, with the user's format over the
 * default one; NULL when there is nothing to send. */
static GPtrArray *
build_text(const char *html, char **plain_out)
{
	MsnTextFormat fmt, def;
	char *plain = msn_text_from_html(html, &fmt);
	GPtrArray *payloads;
	GError *error = NULL;

	msn_text_format_init_default(&def);
	if (fmt.font == NULL)
		fmt.font = g_strdup(def.font);
	if (!fmt.has_color) {
		fmt.has_color = TRUE;
		fmt.color = def.color;
	}
	if (!fmt.has_charset) {
		fmt.has_charset = TRUE;
		fmt.charset = def.charset;
	}
	if (!fmt.has_pitch_family) {
		fmt.has_pitch_family = TRUE;
		fmt.pitch_family = def.pitch_family;
	}
	payloads = msn_text_message_build(&fmt, plain, 0, &error);
	if (payloads == NULL) {
		purple_debug_warning("msnp", "cannot build a message: %s\n", error->message);
		g_error_free(error);
	} else if (payloads->len == 0) {
		g_ptr_array_unref(payloads);
		payloads = NULL;
	}
	msn_text_format_clear(&fmt);
	msn_text_format_clear(&def);
	*plain_out = plain;
	return payloads;
}

int
msn_switchboard_send_im(MsnSession *session, const char *who_in, const char *html)
{
	char *who = handle_norm(who_in), *plain = NULL;
	MsnSwitchboard *sb;
	GPtrArray *payloads;
	OutMsg *m;
	int ret = 1;

	if (who == NULL)
		return -EINVAL;
	if (!session_online(session)) {
		g_free(who);
		return -ENOTCONN;
	}
	if (g_ascii_strcasecmp(who, session->handle) == 0) {
		/* Escargot refuses CAL to oneself; so did the official servers. */
		write_notice(session, who, 0, _("You cannot send messages to yourself."),
		             PURPLE_MESSAGE_ERROR);
		g_free(who);
		return 0;
	}
	payloads = build_text(html, &plain);
	if (payloads == NULL) {
		g_free(plain);
		g_free(who);
		return 0;
	}
	sb = im_switchboard(session, who);
	m = g_new0(OutMsg, 1);
	m->refs = 1;
	m->who = g_strdup(who);
	m->text = plain;
	if (sb == NULL || !sb_enqueue(sb, payloads, m, 'A')) {
		write_notice(session, who, 0, _("Too many messages are waiting to be sent; this one "
		                                "was not sent. Try again in a moment."),
		             PURPLE_MESSAGE_ERROR);
		ret = -E2BIG;
	}
	out_msg_unref(m);
	g_ptr_array_unref(payloads);
	g_free(who);
	return ret;
}

unsigned int
msn_switchboard_send_typing(MsnSession *session, const char *who_in, PurpleTypingState state)
{
	char *who;
	MsnSwitchboard *sb;
	gint64 now = g_get_monotonic_time();

	/* MSN has no "stopped typing": the other side's notice times out. */
	if (state != PURPLE_TYPING || !session_online(session))
		return 0;
	who = handle_norm(who_in);
	if (who == NULL || g_ascii_strcasecmp(who, session->handle) == 0) {
		g_free(who);
		return 0;
	}
	sb = g_hash_table_lookup(session->sb_im, who);
	if (sb == NULL) {
		/* As the official client: starting to type opens the conversation,
		 * so the contact sees it before the first message — but only with
		 * a contact who is online (no "offline" notice for typing). */
		PurpleBuddy *buddy = purple_find_buddy(session->account, who);
		if (buddy && PURPLE_BUDDY_IS_ONLINE(buddy))
			sb = im_switchboard(session, who);
	}
	g_free(who);
	if (sb == NULL)
		return 0;
	if (sb->last_typing == 0 || now - sb->last_typing >= (MSN_TYPING_RESEND - 1) * G_USEC_PER_SEC) {
		GBytes *payload = msn_content_build_typing(session->handle);
		if (payload) {
			GPtrArray *one = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
			g_ptr_array_add(one, payload);
			sb->last_typing = now;
			/* Queued until someone has joined, like a message (ack U). */
			sb_enqueue(sb, one, NULL, 'U');
			g_ptr_array_unref(one);
		}
	}
	return MSN_TYPING_RESEND;
}

gboolean
msn_switchboard_send_nudge(MsnSession *session, const char *who_in)
{
	char *who = handle_norm(who_in);
	MsnSwitchboard *sb;
	GPtrArray *one;
	OutMsg *m;
	gboolean ok;

	if (who == NULL || !session_online(session) ||
	    g_ascii_strcasecmp(who, session->handle) == 0) {
		g_free(who);
		return FALSE;
	}
	sb = im_switchboard(session, who);
	if (sb == NULL) {
		g_free(who);
		return FALSE;
	}
	one = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_ptr_array_add(one, msn_content_build_nudge());
	m = g_new0(OutMsg, 1);
	m->refs = 1;
	m->who = who;
	/* Ack A (as msnp11-sdk): a nudge that did not arrive is reported. */
	ok = sb_enqueue(sb, one, m, 'A');
	out_msg_unref(m);
	g_ptr_array_unref(one);
	return ok;
}

void
msn_switchboard_conv_closed(MsnSession *session, const char *who_in)
{
	char *who = handle_norm(who_in);
	GList *all, *l;

	if (who == NULL || session->switchboards == NULL) {
		g_free(who);
		return;
	}
	all = g_hash_table_get_values(session->switchboards);
	for (l = all; l; l = l->next) {
		MsnSwitchboard *sb = l->data;
		if (!sb->is_chat && sb->state != SB_CLOSED && sb->im_who &&
		    strcmp(sb->im_who, who) == 0) {
			forget_in_flight(sb);
			purple_debug_info("msnp", "switchboard %u: conversation with %s closed\n",
			                  sb->id, who);
			sb_leave(sb);
		}
	}
	g_list_free(all);
	g_free(who);
}

/* ---- Chats --------------------------------------------------------------- */

static void
chat_add(MsnSwitchboard *sb, const char *who, gboolean new_arrival)
{
	PurpleConversation *conv = find_chat(sb->session, (int)sb->id);

	if (conv && !purple_conv_chat_find_user(PURPLE_CONV_CHAT(conv), who))
		purple_conv_chat_add_user(PURPLE_CONV_CHAT(conv), who, NULL, PURPLE_CBFLAGS_NONE,
		                          new_arrival);
}

/* Opens the libpurple chat for sb, with the user and everyone present. */
static void
sb_make_chat(MsnSwitchboard *sb)
{
	MsnSession *session = sb->session;
	PurpleConversation *conv;
	char *name;
	guint i;

	if (sb->is_chat)
		return;
	sb_unmap(sb);
	g_free(sb->im_who);
	sb->im_who = NULL;
	sb->is_chat = TRUE;
	name = g_strdup_printf(_("MSN chat %u"), sb->id);
	conv = serv_got_joined_chat(session->gc, (int)sb->id, name);
	g_free(name);
	if (conv == NULL)
		return;
	purple_conv_chat_add_user(PURPLE_CONV_CHAT(conv), session->handle, NULL,
	                          PURPLE_CBFLAGS_NONE, FALSE);
	for (i = 0; i < sb->members->len; i++)
		chat_add(sb, g_ptr_array_index(sb->members, i), FALSE);
	purple_debug_info("msnp", "switchboard %u is a chat with %u others\n", sb->id,
	                  sb->members->len);
}

int
msn_switchboard_start_chat(MsnSession *session, const char *who_in)
{
	char *who = handle_norm(who_in);
	MsnSwitchboard *sb;

	if (who == NULL || !session_online(session) ||
	    g_hash_table_size(session->switchboards) >= MSN_SB_MAX_OPEN) {
		g_free(who);
		return 0;
	}
	sb = sb_new(session);
	sb_make_chat(sb);
	g_ptr_array_add(sb->to_call, who);
	sb_request(sb);
	return (int)sb->id;
}

static MsnSwitchboard *
chat_switchboard(MsnSession *session, int id)
{
	MsnSwitchboard *sb;

	if (session == NULL || session->switchboards == NULL || id <= 0)
		return NULL;
	sb = g_hash_table_lookup(session->switchboards, GUINT_TO_POINTER((guint)id));
	return sb && sb->is_chat && sb->state != SB_CLOSED ? sb : NULL;
}

int
msn_switchboard_chat_send(MsnSession *session, int id, const char *html)
{
	MsnSwitchboard *sb = chat_switchboard(session, id);
	GPtrArray *payloads;
	char *plain = NULL;
	OutMsg *m;
	int ret = 0;

	if (sb == NULL)
		return -ENOTCONN;
	payloads = build_text(html, &plain);
	if (payloads == NULL) {
		g_free(plain);
		return 0;
	}
	m = g_new0(OutMsg, 1);
	m->refs = 1;
	m->chat_id = id;
	m->text = plain;
	if (sb_enqueue(sb, payloads, m, 'A')) {
		/* Chats show the user's own message through the prpl. */
		serv_got_chat_in(session->gc, id, session->handle, PURPLE_MESSAGE_SEND, html, time(NULL));
	} else
		ret = -E2BIG;
	out_msg_unref(m);
	g_ptr_array_unref(payloads);
	return ret;
}

static void cal_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data);

static void
sb_call(MsnSwitchboard *sb, const char *who)
{
	const char *params[] = { who, NULL };
	Call *c = g_new0(Call, 1);

	c->sb = sb;
	c->who = g_strdup(who);
	g_ptr_array_add(sb->calls, c);
	msn_conn_send(sb->conn, "CAL", params, NULL, cal_reply, c, 0);
}

void
msn_switchboard_chat_invite(MsnSession *session, int id, const char *who_in)
{
	MsnSwitchboard *sb = chat_switchboard(session, id);
	char *who = handle_norm(who_in);

	if (sb && who && !has_member(sb, who) && g_ascii_strcasecmp(who, session->handle) != 0) {
		if (sb->state == SB_READY)
			sb_call(sb, who);
		else
			g_ptr_array_add(sb->to_call, g_strdup(who));
	}
	g_free(who);
}

void
msn_switchboard_chat_leave(MsnSession *session, int id)
{
	MsnSwitchboard *sb = chat_switchboard(session, id);

	if (sb) {
		forget_in_flight(sb);
		/* libpurple is closing the chat itself: not serv_got_chat_left. */
		sb->is_chat = FALSE;
		sb_leave(sb);
	}
}

/* ---- Switchboard replies and commands ------------------------------------ */

static const char *
call_error_text(guint code)
{
	switch (code) {
	case 217: return N_("%s is offline or appears offline and cannot receive messages now.");
	case 208: return N_("%s is not a valid MSN address.");
	case 216: return N_("%s is not accepting messages from you.");
	case 713: case 714: case 800:
		return N_("The server refused to invite %s: too many conversations were opened "
		          "in a short time. Try again in a moment.");
	default:  return N_("%s could not be invited to the conversation.");
	}
}

static void
cal_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	Call *c = data;
	MsnSwitchboard *sb = c->sb;
	char *who = c->who, *text, *esc;

	g_ptr_array_remove(sb->calls, c);
	g_free(c);
	if (cmd && strcmp(cmd->name, "CAL") == 0) {
		sb->ringing = TRUE;
		purple_debug_info("msnp", "switchboard %u: ringing %s\n", sb->id, who);
		g_free(who);
		return;
	}
	if (cmd && cmd->error_code == 215) {   /* already there */
		g_free(who);
		return;
	}
	esc = g_markup_escape_text(who, -1);
	if (cmd && cmd->error_code)
		text = g_strdup_printf(_(call_error_text(cmd->error_code)), esc);
	else
		text = g_strdup_printf(_("%s could not be invited to the conversation."), esc);
	g_free(esc);
	purple_debug_info("msnp", "switchboard %u: CAL %s failed (%u)\n", sb->id, who,
	                  cmd ? cmd->error_code : 0);
	if (sb->is_chat) {
		write_notice(sb->session, NULL, (int)sb->id, text, PURPLE_MESSAGE_ERROR);
		if (sb->members->len == 0 && sb->calls->len == 0 && sb->to_call->len == 0) {
			stop_setup_timer(sb);
			/* Nobody will come: keep the chat window, close the switchboard. */
			sb_leave(sb);
		}
	} else if (sb->members->len == 0)
		sb_fail(sb, text);
	g_free(text);
	g_free(who);
}

static void
usr_ans_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	MsnSwitchboard *sb = data;
	guint i;

	if (cmd == NULL || cmd->error_code || cmd->n_params < 1 || strcmp(cmd->params[0], "OK") != 0) {
		purple_debug_info("msnp", "switchboard %u: %s refused (%s)\n", sb->id,
		                  sb->invited ? "ANS" : "USR",
		                  cmd ? cmd->name : error->message);
		/* An invitation that fails is the inviter's to retry: no notice. */
		sb_fail(sb, sb->invited ? NULL :
		        _("The conversation could not be started: the switchboard refused the "
		          "sign-in."));
		return;
	}
	sb->state = SB_READY;
	purple_debug_info("msnp", "switchboard %u (%s): ready\n", sb->id, sb_label(sb));
	if (sb->invited) {
		stop_setup_timer(sb);
		if (sb->members->len >= 2)
			sb_make_chat(sb);
		else if (sb->members->len == 1 && !sb->is_chat) {
			/* The newest switchboard with a contact is the one to send on. */
			g_free(sb->im_who);
			sb->im_who = g_strdup(g_ptr_array_index(sb->members, 0));
			g_hash_table_replace(sb->session->sb_im, sb->im_who, sb);
		} else if (sb->members->len == 0) {
			sb_leave(sb);
			return;
		}
	}
	msn_conn_cork(sb->conn);
	for (i = 0; i < sb->to_call->len; i++)
		sb_call(sb, g_ptr_array_index(sb->to_call, i));
	g_ptr_array_set_size(sb->to_call, 0);
	msn_conn_uncork(sb->conn);
	sb_flush(sb);
}

static void
sb_connected(MsnConn *conn, gpointer data)
{
	MsnSwitchboard *sb = data;

	sb->state = SB_AUTH;
	if (sb->invited) {
		const char *params[] = { sb->session->handle, sb->cookie, sb->session_id, NULL };
		msn_conn_send(conn, "ANS", params, NULL, usr_ans_reply, sb, 0);
	} else {
		const char *params[] = { sb->session->handle, sb->cookie, NULL };
		msn_conn_send(conn, "USR", params, NULL, usr_ans_reply, sb, 0);
	}
}

static void
sb_failed(MsnConn *conn, const GError *error, gpointer data)
{
	MsnSwitchboard *sb = data;

	if (sb->state == SB_CONNECTING && !sb->invited)
		sb_fail(sb, _("The conversation could not be started: could not connect to the "
		              "switchboard server."));
	else if (g_queue_is_empty(&sb->queue) && sb->in_flight->len == 0)
		/* Nothing lost: the next message opens a new one. */
		sb_dispose(sb);
	else
		sb_fail(sb, _("The connection to the conversation was lost."));
}

/* Someone joined (JOI) or was present (IRO). */
static void
member_joined(MsnSwitchboard *sb, const char *who_raw, gboolean announce)
{
	char *who = handle_norm(who_raw);

	if (who == NULL || g_ascii_strcasecmp(who, sb->session->handle) == 0 || has_member(sb, who)) {
		g_free(who);
		return;
	}
	g_ptr_array_add(sb->members, who);
	purple_debug_info("msnp", "switchboard %u: %s joined (%u present)\n", sb->id, who,
	                  sb->members->len);
	if (!announce)
		return;
	stop_setup_timer(sb);
	if (sb->is_chat)
		chat_add(sb, who, TRUE);
	else if (sb->members->len >= 2)
		sb_make_chat(sb);
	sb_flush(sb);
}

/* Moves what is still queued on sb to a new switchboard with the same contact. */
static void
requeue(MsnSwitchboard *sb)
{
	MsnSession *session = sb->session;
	MsnSwitchboard *fresh;
	Part *p;

	if (g_queue_is_empty(&sb->queue) || sb->im_who == NULL)
		return;
	sb_unmap(sb);
	fresh = im_switchboard(session, sb->im_who);
	if (fresh == NULL)
		return;   /* reported by sb_fail */
	while ((p = g_queue_pop_head(&sb->queue))) {
		p->sb = fresh;
		g_queue_push_tail(&fresh->queue, p);
	}
}

static void
member_left(MsnSwitchboard *sb, MsnCommand *cmd)
{
	char *who = handle_norm(cmd->params[0]);
	gboolean idle = cmd->n_params > 1 && strcmp(cmd->params[1], "1") == 0;
	guint i;

	if (who == NULL)
		return;
	for (i = 0; i < sb->members->len; i++)
		if (strcmp(g_ptr_array_index(sb->members, i), who) == 0) {
			g_ptr_array_remove_index(sb->members, i);
			break;
		}
	purple_debug_info("msnp", "switchboard %u: %s left%s (%u present)\n", sb->id, who,
	                  idle ? " (idle)" : "", sb->members->len);
	if (sb->is_chat) {
		PurpleConversation *conv = find_chat(sb->session, (int)sb->id);
		if (conv && purple_conv_chat_find_user(PURPLE_CONV_CHAT(conv), who))
			purple_conv_chat_remove_user(PURPLE_CONV_CHAT(conv), who, NULL);
	}
	g_free(who);
	if (sb->members->len > 0 || sb->calls->len > 0)
		return;
	/* Alone: the switchboard is no use any more.  What was still waiting
	 * goes out on a new one; a chat stays open but is left. */
	if (sb->is_chat)
		write_notice(sb->session, NULL, (int)sb->id,
		             _("Everyone else has left the chat."), PURPLE_MESSAGE_SYSTEM);
	else
		requeue(sb);
	sb_leave(sb);
}

/* The sender's text as UTF-8: declared or valid UTF-8 as is, else read as
 * Windows-1252 (switchboard.md §5.1). */
static char *
body_text(const MsnMime *mime)
{
	GBytes *body = msn_mime_get_body(mime);
	gsize len;
	const char *data = g_bytes_get_data(body, &len);
	char *charset = msn_mime_dup_content_type_param(mime, "charset");
	char *text = NULL;

	if (len > 0 && !g_utf8_validate(data, (gssize)len, NULL) &&
	    (charset == NULL || g_ascii_strcasecmp(charset, "UTF-8") != 0) &&
	    memchr(data, '\0', len) == NULL)
		text = g_convert(data, (gssize)len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
	if (text == NULL)
		text = msn_mime_dup_body_utf8(mime);
	g_free(charset);
	return text;
}

static gboolean
has_visible(const char *text)
{
	const char *p;

	for (p = text; *p; p = g_utf8_next_char(p))
		if (!g_unichar_isspace(g_utf8_get_char(p)))
			return TRUE;
	return FALSE;
}

static void
got_text(MsnSwitchboard *sb, const char *who, const MsnMime *mime)
{
	MsnSession *session = sb->session;
	MsnTextFormat fmt;
	char *raw = body_text(mime), *text, *html, *header;

	text = msn_text_normalize_newlines(raw);
	g_free(raw);
	if (!has_visible(text)) {
		/* Nothing to read (empty, or only spaces and line ends). */
		purple_debug_info("msnp", "switchboard %u: empty message from %s dropped\n", sb->id, who);
		g_free(text);
		return;
	}
	header = msn_mime_dup_header_utf8(mime, "X-MMS-IM-Format");
	msn_text_format_parse(header, &fmt);
	html = msn_text_to_html(&fmt, text);
	if (sb->is_chat)
		serv_got_chat_in(session->gc, (int)sb->id, who, PURPLE_MESSAGE_RECV, html, time(NULL));
	else {
		/* The message ends the typing notice this switchboard started
		 * (libpurple tells the UI even when no window is open yet). */
		if (sb->typing_shown) {
			sb->typing_shown = FALSE;
			serv_got_typing_stopped(session->gc, who);
		}
		serv_got_im(session->gc, who, html, PURPLE_MESSAGE_RECV, time(NULL));
	}
	g_free(html);
	g_free(header);
	msn_text_format_clear(&fmt);
	g_free(text);
}

/* A short line instead of content this client cannot show. */
static void
got_unsupported(MsnSwitchboard *sb, const char *who, const char *format)
{
	char *esc = g_markup_escape_text(who, -1);
	char *text = g_strdup_printf(format, esc);

	write_notice(sb->session, who, sb->is_chat ? (int)sb->id : 0, text, PURPLE_MESSAGE_SYSTEM);
	g_free(text);
	g_free(esc);
}

static gboolean
bytes_contain(GBytes *b, const char *needle)
{
	gsize len, n = strlen(needle);
	const char *d = g_bytes_get_data(b, &len);
	gsize i;

	for (i = 0; len >= n && i <= len - n; i++)
		if (d[i] == needle[0] && memcmp(d + i, needle, n) == 0)
			return TRUE;
	return FALSE;
}

/* MSNC file-transfer invitations carry this EUF-GUID in their SLP INVITE. */
#define P2P_FILE_GUID "5D3E02AB-6190-11D3-BBBB-00C04F795683"

static void
got_msg(MsnSwitchboard *sb, MsnCommand *cmd)
{
	MsnSession *session = sb->session;
	char *who = handle_norm(cmd->params[0]);
	MsnMime *mime;
	MsnContentKind kind;
	GError *error = NULL;

	if (who == NULL) {
		purple_debug_warning("msnp", "switchboard %u: MSG from an invalid handle dropped\n", sb->id);
		return;
	}
	if (!purple_privacy_check(session->account, who)) {
		purple_debug_info("msnp", "switchboard %u: message from blocked %s dropped\n", sb->id, who);
		g_free(who);
		return;
	}
	mime = msn_mime_parse_bytes(cmd->payload, &error);
	if (mime == NULL) {
		purple_debug_warning("msnp", "switchboard %u: unreadable message from %s: %s\n", sb->id,
		                     who, error ? error->message : "?");
		g_clear_error(&error);
		g_free(who);
		return;
	}
	kind = msn_content_classify(mime, MSN_SERVICE_SB);
	purple_debug_misc("msnp", "switchboard %u: %s from %s\n", sb->id, msn_content_kind_name(kind), who);
	switch (kind) {
	case MSN_CONTENT_TEXT:
		if (!msn_mime_has_separator(mime))
			/* Escargot drops these too: without the blank line it is all headers. */
			purple_debug_info("msnp", "switchboard %u: message without a body dropped\n", sb->id);
		else
			got_text(sb, who, mime);
		break;
	case MSN_CONTENT_TYPING:
		if (!sb->is_chat) {
			sb->typing_shown = TRUE;
			serv_got_typing(session->gc, who, MSN_TYPING_SHOW, PURPLE_TYPING);
		}
		break;
	case MSN_CONTENT_NUDGE:
		if (sb->is_chat)
			got_unsupported(sb, who, _("%s sent a nudge."));
		else
			serv_got_attention(session->gc, who, 0);
		break;
	case MSN_CONTENT_WINK:
		got_unsupported(sb, who, _("%s sent you a wink, which this client cannot show."));
		break;
	case MSN_CONTENT_VOICE_CLIP:
		got_unsupported(sb, who, _("%s sent you a voice clip, which this client cannot play."));
		break;
	case MSN_CONTENT_INK:
		got_unsupported(sb, who, _("%s sent you a handwritten message, which this client "
		                           "cannot show."));
		break;
	case MSN_CONTENT_INVITATION: {
		const char *command = msn_mime_get_header(mime, "Invitation-Command");
		GBytes *body = msn_mime_get_body(mime);
		/* The invitation's fields are in its body; only INVITE is news. */
		if ((command == NULL && bytes_contain(body, "Invitation-Command: INVITE")) ||
		    (command && g_ascii_strcasecmp(command, "INVITE") == 0))
			got_unsupported(sb, who, _("%s invited you to an activity (such as a file "
			                           "transfer) that this client does not support."));
		break;
	}
	case MSN_CONTENT_P2P:
		if (bytes_contain(msn_mime_get_body(mime), "INVITE MSNMSGR:") &&
		    bytes_contain(msn_mime_get_body(mime), P2P_FILE_GUID))
			got_unsupported(sb, who, _("%s wants to send you a file, which this client "
			                           "cannot receive yet."));
		break;
	default:
		/* Emoticon definitions, client capabilities, keep-alives, unknown
		 * types: nothing to show (switchboard.md §5.4). */
		break;
	}
	msn_mime_free(mime);
	g_free(who);
}

static void
sb_command(MsnConn *conn, MsnCommand *cmd, gpointer data)
{
	MsnSwitchboard *sb = data;

	if (strcmp(cmd->name, "MSG") == 0 && cmd->payload)
		got_msg(sb, cmd);
	else if (strcmp(cmd->name, "JOI") == 0)
		member_joined(sb, cmd->params[0], TRUE);
	else if (strcmp(cmd->name, "IRO") == 0 && cmd->n_params >= 4)
		member_joined(sb, cmd->params[2], FALSE);
	else if (strcmp(cmd->name, "BYE") == 0)
		member_left(sb, cmd);
	else if (strcmp(cmd->name, "OUT") == 0) {
		purple_debug_info("msnp", "switchboard %u: the server closed it\n", sb->id);
		requeue(sb);
		sb_dispose(sb);
	} else
		purple_debug_misc("msnp", "switchboard %u: unhandled %s\n", sb->id, cmd->name);
}

static const MsnConnCallbacks sb_callbacks = {
	.connected = sb_connected,
	.command = sb_command,
	.failed = sb_failed,
};

/* host:port with a port in 1–65535; host is a copy. */
static gboolean
split_address(const char *addr, char **host, int *port)
{
	const char *colon = strrchr(addr, ':');
	char *end;
	long p;

	if (colon == NULL || colon == addr || colon - addr > 255)
		return FALSE;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return FALSE;
	*host = g_strndup(addr, (gsize)(colon - addr));
	*port = (int)p;
	return TRUE;
}

static gboolean
sb_connect(MsnSwitchboard *sb, const char *address)
{
	MsnSession *session = sb->session;
	char *host = NULL;
	int port = 0;
	GError *error = NULL;

	if (!split_address(address, &host, &port))
		return FALSE;
	sb->conn = msn_conn_new(session->account, MSN_SERVICE_SB, session->dialect->version,
	                        &sb_callbacks, sb);
	msn_conn_set_default_timeout(sb->conn, setup_timeout(session));
	sb->state = SB_CONNECTING;
	if (!msn_conn_connect(sb->conn, host, port, &error)) {
		g_error_free(error);
		g_free(host);
		return FALSE;
	}
	g_free(host);
	return TRUE;
}

static void
xfr_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	MsnSwitchboard *sb = data;

	sb->xfr_waiting = FALSE;
	if (sb->state == SB_CLOSED) {
		sb_dispose(sb);
		return;
	}
	if (cmd == NULL) {
		sb_fail(sb, _("The conversation could not be started: the server did not answer "
		              "in time."));
		return;
	}
	if (cmd->error_code == 913) {
		sb_fail(sb, _("You cannot start a conversation while your status is Appear Offline."));
		return;
	}
	if (cmd->error_code == 800 || cmd->error_code == 713 || cmd->error_code == 714) {
		sb_fail(sb, _("The server refused to open a conversation: too many were opened in a "
		              "short time. Try again in a moment."));
		return;
	}
	if (cmd->error_code || strcmp(cmd->name, "XFR") != 0 || cmd->n_params < 4 ||
	    strcmp(cmd->params[0], "SB") != 0 || strcmp(cmd->params[2], "CKI") != 0) {
		char *text = g_strdup_printf(_("The conversation could not be started: the server "
		                               "answered with error %u."), cmd->error_code);
		sb_fail(sb, text);
		g_free(text);
		return;
	}
	g_free(sb->cookie);
	sb->cookie = g_strdup(cmd->params[3]);
	if (!sb_connect(sb, cmd->params[1]))
		sb_fail(sb, _("The conversation could not be started: the server sent an invalid "
		              "switchboard address."));
}

void
msn_switchboard_handle_rng(MsnSession *session, MsnCommand *cmd)
{
	MsnSwitchboard *sb;
	char *inviter;

	if (!session_online(session) || cmd->n_params < 6 || strcmp(cmd->params[2], "CKI") != 0)
		return;
	inviter = handle_norm(cmd->params[4]);
	if (inviter == NULL || !purple_privacy_check(session->account, inviter)) {
		purple_debug_info("msnp", "RNG from %s ignored\n", inviter ? inviter : "an invalid handle");
		g_free(inviter);
		return;
	}
	if (g_hash_table_size(session->switchboards) >= MSN_SB_MAX_OPEN) {
		purple_debug_warning("msnp", "RNG from %s ignored: %u switchboards open\n", inviter,
		                     MSN_SB_MAX_OPEN);
		g_free(inviter);
		return;
	}
	sb = sb_new(session);
	sb->invited = TRUE;
	sb->session_id = g_strdup(cmd->params[0]);
	sb->cookie = g_strdup(cmd->params[3]);
	purple_debug_info("msnp", "switchboard %u: invited by %s\n", sb->id, inviter);
	g_free(inviter);
	start_setup_timer(sb);
	if (!sb_connect(sb, cmd->params[1])) {
		purple_debug_warning("msnp", "RNG with an invalid address ignored\n");
		sb_dispose(sb);
	}
}

/* ---- Session hooks -------------------------------------------------------- */

void
msn_switchboards_init(MsnSession *session)
{
	if (session->switchboards)
		return;
	session->switchboards = g_hash_table_new(g_direct_hash, g_direct_equal);
	session->sb_im = g_hash_table_new(g_str_hash, g_str_equal);
}

void
msn_switchboards_free(MsnSession *session)
{
	GList *all, *l;

	if (session->switchboards == NULL)
		return;
	session->sb_closing = TRUE;
	all = g_hash_table_get_values(session->switchboards);
	for (l = all; l; l = l->next) {
		MsnSwitchboard *sb = l->data;
		/* Signing off (or the connection died): what did not arrive is said
		 * in the conversations still open. */
		report_pending(sb, TRUE);
		say_out(sb);
		sb_destroy(sb);
	}
	g_list_free(all);
	g_hash_table_destroy(session->switchboards);
	g_hash_table_destroy(session->sb_im);
	session->switchboards = NULL;
	session->sb_im = NULL;
}

void
msn_switchboards_ns_lost(MsnSession *session)
{
	GList *all, *l;

	if (session->switchboards == NULL)
		return;
	all = g_hash_table_get_values(session->switchboards);
	for (l = all; l; l = l->next) {
		MsnSwitchboard *sb = l->data;
		if (sb->xfr_waiting) {
			sb->xfr_waiting = FALSE;
			if (sb->state == SB_CLOSED)
				sb_dispose(sb);
			else
				sb_fail(sb, _("The conversation could not be started: the connection to "
				              "the server was lost."));
		}
	}
	g_list_free(all);
}
