/* purple-msnp — one account's session: the sign-in state machine on the NS. */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include <debug.h>

#include "addressbook.h"
#include "auth/auth.h"
#include "blist.h"
#include "contacts.h"
#include "endpoints.h"
#include "errors.h"
#include "msnp.h"
#include "proto/challenge.h"
#include "proto/mime.h"
#include "proto/urlenc.h"
#include "presence.h"
#include "psm.h"
#include "switchboard.h"

/* Seconds between PNGs unless the server asks otherwise (QNG n), and how long
 * the NS may stay silent after a PNG before the connection counts as dead. */
#define PING_INTERVAL_S 50
#define PING_DEAD_S 60

static void ns_connected(MsnConn *conn, gpointer data);
static void ns_command(MsnConn *conn, MsnCommand *cmd, gpointer data);
static void ns_failed(MsnConn *conn, const GError *error, gpointer data);

static const MsnConnCallbacks ns_callbacks = {
	.connected = ns_connected,
	.command = ns_command,
	.failed = ns_failed,
};

MsnSession *
msn_session_new(PurpleAccount *account, PurpleConnection *gc)
{
	MsnSession *session = g_new0(MsnSession, 1);
	int max;

	session->account = account;
	session->gc = gc;
	session->handle = g_strdup(purple_account_get_username(account));
	max = purple_account_get_int(account, MSNP_OPT_MAX_PROTOCOL, MSNP_DEFAULT_MAX_PROTOCOL);
	session->max_version = (guint)CLAMP(max, MSN_VERSION_MIN, MSN_VERSION_MAX);
	if (max != (int)session->max_version)
		purple_debug_warning("msnp", "max_protocol %d is outside 8-14; using %u\n",
		                     max, session->max_version);
	session->server = g_strstrip(g_strdup(purple_account_get_string(account, MSNP_OPT_SERVER,
	                                                                MSNP_DEFAULT_SERVER)));
	session->port = purple_account_get_int(account, MSNP_OPT_PORT, MSNP_DEFAULT_PORT);
	session->roster = msn_roster_new();
	session->gtc = 'A';
	session->blp = 'A';
	msn_switchboards_init(session);
	return session;
}

void
msn_session_free(MsnSession *session)
{
	if (session == NULL)
		return;
	/* Signing out: say so (the write goes out at once; nobody waits for the
	 * echo, which Escargot does not send anyway). */
	if (session->ns && session->state == MSN_SIGNIN_ONLINE)
		msn_conn_send_plain(session->ns, "OUT");
	msn_switchboards_free(session);
	msn_contacts_cancel_all(session);
	msn_conn_free(session->ns);
	msn_web_free(session->web);
	msn_roster_free(session->roster);
	msn_tickets_free(session->tickets);
	if (session->ping_timer)
		purple_timeout_remove(session->ping_timer);
	if (session->reconnect_timer)
		purple_timeout_remove(session->reconnect_timer);
	msn_addressbook_cancel(session);
	msn_addressbook_cancel_ops(session);
	g_free(session->own_name);
	g_free(session->sent_status);
	if (session->sent_uux)
		g_bytes_unref(session->sent_uux);
	g_free(session->mspauth);
	g_free(session->client_ip);
	g_free(session->handle);
	g_free(session->server);
	g_free(session->policy);
	g_free(session);
}

void
msn_session_fail(MsnSession *session, PurpleConnectionError reason, const char *message)
{
	purple_debug_info("msnp", "sign-in ends: %s\n", message);
	/* libpurple calls prpl close (freeing the session) from an idle callback,
	 * so nothing here is freed under our feet; stop the NS now. */
	if (session->ns) {
		msn_conn_free(session->ns);
		session->ns = NULL;
	}
	if (session->ping_timer) {
		purple_timeout_remove(session->ping_timer);
		session->ping_timer = 0;
	}
	purple_connection_error_reason(session->gc, reason, message);
}

/* Connects the NS connection to host:port (a new connection each time: a
 * redirect or reconnect starts again from VER with a fresh TrID counter). */
static void
ns_connect(MsnSession *session, const char *host, int port)
{
	GError *error = NULL;

	msn_conn_free(session->ns);
	session->ns = NULL;
	/* XFR SB replies owed by the old connection will not come. */
	msn_switchboards_ns_lost(session);
	session->ns = msn_conn_new(session->account, MSN_SERVICE_NS, session->max_version,
	                           &ns_callbacks, session);
	msn_conn_set_default_timeout(session->ns, (guint)CLAMP(purple_account_get_int(
		session->account, MSNP_OPT_TIMEOUT, 60), 1, 600));
	session->dialect = NULL;
	session->state = MSN_SIGNIN_CONNECTING;
	session->list_ready = FALSE;
	purple_connection_update_progress(session->gc, _("Connecting"), 0, 4);
	if (!msn_conn_connect(session->ns, host, port, &error)) {
		char *msg = g_strdup_printf(_("Could not connect to %s:%d. Check the server and "
		                              "port in the account settings and your network "
		                              "connection."), host, port);
		g_error_free(error);
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_NETWORK_ERROR, msg);
		g_free(msg);
	}
}

void
msn_session_start(MsnSession *session)
{
	if (session->server[0] == '\0') {
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
		                 _("No server is set: enter the MSN server's address in the "
		                   "account settings."));
		return;
	}
	if (session->port < 1 || session->port > 65535) {
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
		                 _("The port must be a number from 1 to 65535 (MSN servers use "
		                   "1863)."));
		return;
	}
	if (strchr(session->handle, '@') == NULL) {
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_INVALID_USERNAME,
		                 _("The username must be an e-mail address, such as "
		                   "name@example.com."));
		return;
	}
	/* The NS a dispatch server sent us to last time saves a redirect, as long
	 * as the account still points at the same server. */
	{
		const char *last = purple_account_get_string(session->account, "last_ns", "");
		char *prefix = g_strdup_printf("%s:%d|", session->server, session->port);
		if (last && g_str_has_prefix(last, prefix)) {
			const char *addr = last + strlen(prefix);
			const char *colon = strrchr(addr, ':');
			int p = colon ? atoi(colon + 1) : 0;
			if (colon && colon != addr && p > 0 && p <= 65535) {
				char *host = g_strndup(addr, (gsize)(colon - addr));
				if (strcmp(host, session->server) != 0 || p != session->port) {
					session->trying_remembered = TRUE;
					purple_debug_info("msnp", "trying the remembered server %s:%d\n", host, p);
					ns_connect(session, host, p);
					g_free(host);
					g_free(prefix);
					return;
				}
				g_free(host);
			}
		}
		g_free(prefix);
	}
	ns_connect(session, session->server, session->port);
}

/* The remembered server failed before sign-in got anywhere: forget it and
 * start again at the configured one.  Returns TRUE when it did. */
static gboolean
fall_back_from_remembered(MsnSession *session)
{
	if (!session->trying_remembered || session->state >= MSN_SIGNIN_AUTHENTICATING)
		return FALSE;
	session->trying_remembered = FALSE;
	purple_account_set_string(session->account, "last_ns", NULL);
	purple_debug_info("msnp", "the remembered server failed; using %s:%d\n",
	                  session->server, session->port);
	ns_connect(session, session->server, session->port);
	return TRUE;
}

/* A numeric error reply during sign-in ends it with the matching reason. */
static void
fail_with_code(MsnSession *session, guint code)
{
	PurpleConnectionError reason;
	char *msg = msn_error_signin_message(code, &reason);

	msn_session_fail(session, reason, msg);
	g_free(msg);
}

static void
reply_error(MsnSession *session, const GError *error)
{
	char *msg;

	if (fall_back_from_remembered(session))
		return;
	if (g_error_matches(error, MSN_NET_ERROR, MSN_NET_ERROR_TIMEOUT))
		msg = g_strdup_printf(_("The server %s stopped answering while signing in. "
		                        "Try again later."), msn_conn_describe(session->ns));
	else
		msg = g_strdup_printf(_("The connection to %s was lost while signing in: %s"),
		                      msn_conn_describe(session->ns), error->message);
	msn_session_fail(session, PURPLE_CONNECTION_ERROR_NETWORK_ERROR, msg);
	g_free(msg);
}

/* A reply during sign-in: FALSE (after ending the sign-in with the right
 * error) when there is none (connection lost, timeout) or it is an error. */
static gboolean
signin_reply_usable(MsnSession *session, MsnCommand *cmd, const GError *error)
{
	if (cmd == NULL) {
		reply_error(session, error);
		return FALSE;
	}
	if (cmd->error_code) {
		fail_with_code(session, cmd->error_code);
		return FALSE;
	}
	return TRUE;
}

static void
ver_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	MsnSession *session = data;
	guint version;
	char *msg;

	if (!signin_reply_usable(session, cmd, error))
		return;
	version = msn_dialect_parse_ver_token(cmd->params[0]);
	if (version < MSN_VERSION_MIN || version > session->max_version) {
		msg = g_strdup_printf(_("The server %s speaks none of the protocol versions this "
		                        "client offers (MSNP8 to MSNP%u). Raise \"Highest protocol "
		                        "version\" in the account settings, or check the server."),
		                      msn_conn_describe(conn), session->max_version);
		/* The fix is in the account settings (or on the server). */
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS, msg);
		g_free(msg);
		return;
	}
	session->dialect = msn_dialect_get(version);
	msn_conn_set_version(conn, version);
	purple_debug_info("msnp", "%s: negotiated %s\n", msn_conn_describe(conn),
	                  session->dialect->ver_token);
	msg = g_strdup_printf(_("Negotiated MSNP%u, authenticating"), version);
	purple_connection_update_progress(session->gc, msg, 1, 4);
	g_free(msg);
}

static void
cvr_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	/* The recommended versions and download URLs are of no use to us. */
	if (cmd && cmd->error_code)
		fail_with_code(data, cmd->error_code);
}

/* XFR trid NS host:port …: reconnect there and start again. */
static void
handle_xfr_ns(MsnSession *session, MsnCommand *cmd)
{
	char *host = NULL;
	int port = MSNP_DEFAULT_PORT;
	const char *addr = cmd->params[1];
	const char *colon;

	if (++session->redirects > MSN_MAX_REDIRECTS) {
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
		                 _("The server kept redirecting the sign-in to other servers. "
		                   "Try again later."));
		return;
	}
	if (strcmp(addr, "0") == 0)
		host = g_strdup(msn_conn_get_host(session->ns)), port = msn_conn_get_port(session->ns);
	else if ((colon = strrchr(addr, ':')) != NULL) {
		char *end;
		long p = strtol(colon + 1, &end, 10);
		if (*end != '\0' || p <= 0 || p > 65535 || colon == addr) {
			msn_session_fail(session, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
			                 _("The server sent an invalid redirect address."));
			return;
		}
		host = g_strndup(addr, (gsize)(colon - addr));
		port = (int)p;
	} else
		host = g_strdup(addr);
	purple_debug_info("msnp", "redirected to %s:%d (%u of at most %d)\n", host, port,
	                  session->redirects, MSN_MAX_REDIRECTS);
	ns_connect(session, host, port);
	g_free(host);
}

static void usr_ok_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data);

static void
auth_done(MsnTickets *tickets, const GError *error, gpointer data)
{
	MsnSession *session = data;
	const char *usr[] = { "TWN", "S", NULL, NULL };

	if (tickets == NULL) {
		PurpleConnectionError reason = PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
		if (error->domain == MSN_WEB_ERROR)
			reason = msn_web_error_reason(error);
		else if (g_error_matches(error, MSN_AUTH_ERROR, MSN_AUTH_ERROR_WRONG_PASSWORD))
			reason = PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED;
		msn_session_fail(session, reason, error->message);
		return;
	}
	msn_tickets_free(session->tickets);
	session->tickets = tickets;
	if (session->ns == NULL)
		return;
	/* Escargot's Passport 1.4 tickets live 30 s: send at once. */
	usr[2] = tickets->messenger;
	session->state = MSN_SIGNIN_TICKET_SENT;
	purple_connection_update_progress(session->gc, _("Signing in"), 3, 4);
	msn_conn_send(session->ns, "USR", usr, NULL, usr_ok_reply, session, 0);
}

static void
start_auth(MsnSession *session)
{
	const char *password = purple_connection_get_password(session->gc);
	char *url;

	session->state = MSN_SIGNIN_AUTHENTICATING;
	purple_connection_update_progress(session->gc, _("Getting a sign-in ticket"), 2, 4);
	if (session->web == NULL)
		session->web = msn_web_new(session->account);
	if (session->dialect->auth == MSN_AUTH_PASSPORT14) {
		url = msn_endpoint_url(session->account, MSN_ENDPOINT_NEXUS);
		msn_auth_passport14(session->web, url, session->handle, password, session->policy,
		                    auth_done, session);
	} else {
		url = msn_endpoint_url(session->account, MSN_ENDPOINT_RST);
		msn_auth_rst(session->web, url, session->handle, password, session->policy,
		             session->dialect->list_style == MSN_LIST_ABCH, auth_done, session);
	}
	g_free(url);
}

static void
usr_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	MsnSession *session = data;

	if (!signin_reply_usable(session, cmd, error))
		return;
	if (strcmp(cmd->name, "XFR") == 0 && cmd->n_params >= 2 &&
	    strcmp(cmd->params[0], "NS") == 0) {
		handle_xfr_ns(session, cmd);
		return;
	}
	if (strcmp(cmd->name, "USR") == 0 && cmd->n_params >= 3 &&
	    strcmp(cmd->params[0], "TWN") == 0 && strcmp(cmd->params[1], "S") == 0) {
		g_free(session->policy);
		session->policy = g_strdup(cmd->params[2]);
		start_auth(session);
		return;
	}
	purple_debug_warning("msnp", "unexpected reply to USR: %s\n", cmd->name);
}

/* ---- Signed in: keep-alive ---- */

static gboolean
ping_cb(gpointer data)
{
	MsnSession *session = data;
	gint64 silent;

	if (session->ns == NULL)
		return FALSE;
	silent = (g_get_monotonic_time() - msn_conn_get_last_activity(session->ns)) / G_USEC_PER_SEC;
	if (silent > (gint64)session->ping_interval + PING_DEAD_S) {
		session->ping_timer = 0;
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
		                 _("The server stopped answering. The connection is lost."));
		return FALSE;
	}
	msn_conn_send_plain(session->ns, "PNG");
	return TRUE;
}

static void
schedule_ping(MsnSession *session, guint interval)
{
	interval = CLAMP(interval, 5, PING_INTERVAL_S);
	if (session->ping_timer && interval == session->ping_interval)
		return;
	if (session->ping_timer)
		purple_timeout_remove(session->ping_timer);
	session->ping_interval = interval;
	session->ping_timer = purple_timeout_add_seconds(interval, ping_cb, session);
}

/* ---- Signed in: own status ---- */

/* The full list is in once anything else follows the SYN dump (the server
 * answers in order), or the address book has loaded: mirror it into
 * libpurple before presence arrives for it.  13–14 without the address book:
 * the local list stays as it is. */
static void
mirror_list(MsnSession *session)
{
	if (session->list_ready)
		return;
	if (session->dialect->list_style != MSN_LIST_ABCH || session->list_from_server)
		msn_blist_sync(session);
	session->list_ready = TRUE;
}

static void
chg_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	MsnSession *session = data;

	if (cmd == NULL) {
		if (session->state < MSN_SIGNIN_ONLINE)
			reply_error(session, error);
		return;
	}
	if (cmd->error_code) {
		if (session->state < MSN_SIGNIN_ONLINE)
			fail_with_code(session, cmd->error_code);
		return;
	}
	if (session->state < MSN_SIGNIN_ONLINE) {
		session->state = MSN_SIGNIN_ONLINE;
		session->redirects = 0;
		mirror_list(session);
		/* libpurple pushes the privacy mode to the protocol on connecting;
		 * it is the server's own, just mirrored: not a change to send. */
		session->mirroring++;
		purple_connection_set_state(session->gc, PURPLE_CONNECTED);
		session->mirroring--;
		schedule_ping(session, PING_INTERVAL_S);
	}
}

const char *
msn_session_machine_guid(MsnSession *session)
{
	const char *guid = purple_account_get_string(session->account, "machine_guid", NULL);

	if (guid == NULL || *guid == '\0') {
		char *fresh = g_uuid_string_random();
		char *upper = g_ascii_strup(fresh, -1);
		char *braced = g_strdup_printf("{%s}", upper);
		purple_account_set_string(session->account, "machine_guid", braced);
		g_free(braced);
		g_free(upper);
		g_free(fresh);
		guid = purple_account_get_string(session->account, "machine_guid", NULL);
	}
	return guid;
}

/* The first CHG (its echo completes sign-in) and UUX of a session. */
static void
send_chg(MsnSession *session)
{
	char caps[16];
	const char *code = msn_presence_own_code(session);
	const char *chg[] = { code, caps, NULL };

	g_snprintf(caps, sizeof caps, "%u", session->dialect->client_caps);
	msn_conn_send(session->ns, "CHG", chg, NULL, chg_reply, session, 0);
	g_free(session->sent_status);
	session->sent_status = g_strdup(code);
}

static void
send_uux(MsnSession *session)
{
	GBytes *payload = msn_presence_own_uux(session);

	msn_conn_send(session->ns, "UUX", NULL, payload, NULL, NULL, 0);
	if (session->sent_uux)
		g_bytes_unref(session->sent_uux);
	session->sent_uux = payload;
}

/* 13–14, once the address book is in: the subscription and status in one
 * write. */
static void
after_address_book(MsnSession *session)
{
	const MsnDialect *d = session->dialect;
	const char *blp[] = { session->blp == 'B' ? "BL" : "AL", NULL };
	GPtrArray *adl;
	guint i;

	if (session->ns == NULL)
		return;
	msn_conn_cork(session->ns);
	msn_conn_send(session->ns, "BLP", blp, NULL, NULL, NULL, 0);
	adl = msn_addressbook_initial_adl(session);
	for (i = 0; i < adl->len; i++) {
		const char *ml = g_ptr_array_index(adl, i);
		GBytes *payload = g_bytes_new(ml, strlen(ml));
		msn_conn_send(session->ns, "ADL", NULL, payload, NULL, NULL, 0);
		g_bytes_unref(payload);
	}
	g_ptr_array_free(adl, TRUE);
	if (session->own_name) {
		char *enc = msn_url_encode(session->own_name);
		const char *prp[] = { "MFN", enc, NULL };
		msn_conn_send(session->ns, "PRP", prp, NULL, NULL, NULL, 0);
		g_free(enc);
	}
	send_chg(session);
	if (d->has_uux)
		send_uux(session);
	msn_conn_uncork(session->ns);
	/* The list is complete: mirror it while the server reads the ADLs,
	 * not after the CHG echo (presence comes after that echo). */
	mirror_list(session);
}

/* After USR OK: everything that does not wait for a reply leaves in one write. */
static void
after_signin(MsnSession *session)
{
	const MsnDialect *d = session->dialect;

	if (d->list_style == MSN_LIST_ABCH) {
		msn_addressbook_load(session, after_address_book);
		return;
	}
	msn_conn_cork(session->ns);
	if (d->list_style == MSN_LIST_SYN_VERSION) {
		const char *syn[] = { "0", NULL };
		msn_conn_send(session->ns, "SYN", syn, NULL, NULL, NULL, 0);
	} else {
		const char *syn[] = { "0", "0", NULL };
		msn_conn_send(session->ns, "SYN", syn, NULL, NULL, NULL, 0);
	}
	if (d->gcf == MSN_GCF_CLIENT_REQUESTS) {
		const char *gcf[] = { "Shields.xml", NULL };
		msn_conn_send(session->ns, "GCF", gcf, NULL, NULL, NULL, 0);
	}
	send_chg(session);
	if (d->has_uux)
		send_uux(session);
	msn_conn_uncork(session->ns);
}

static void
usr_ok_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	MsnSession *session = data;

	if (!signin_reply_usable(session, cmd, error))
		return;
	if (strcmp(cmd->name, "USR") != 0 || strcmp(cmd->params[0], "OK") != 0) {
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
		                 _("The server answered the sign-in ticket with something "
		                   "unexpected."));
		return;
	}
	if (session->dialect->usr_ok_has_friendly && cmd->n_params >= 3) {
		char *friendly = msn_url_decode(cmd->params[2]);
		purple_connection_set_display_name(session->gc, friendly);
		g_free(friendly);
	}
	/* Remember this notification server for the next sign-in. */
	{
		char *ns = g_strdup_printf("%s:%d|%s:%d", session->server, session->port,
		                           msn_conn_get_host(conn), msn_conn_get_port(conn));
		purple_account_set_string(session->account, "last_ns", ns);
		g_free(ns);
	}
	after_signin(session);
}

/* ---- NS commands outside transactions ---- */

static void
handle_profile(MsnSession *session, MsnCommand *cmd)
{
	MsnMime *mime = msn_mime_parse_bytes(cmd->payload, NULL);
	char *type;

	if (mime == NULL)
		return;
	type = msn_mime_dup_media_type(mime);
	if (g_strcmp0(type, "text/x-msmsgsprofile") == 0) {
		const char *port = msn_mime_get_header(mime, "ClientPort");
		g_free(session->mspauth);
		session->mspauth = g_strdup(msn_mime_get_header(mime, "MSPAuth"));
		g_free(session->client_ip);
		session->client_ip = g_strdup(msn_mime_get_header(mime, "ClientIP"));
		session->client_port = port ? atoi(port) : 0;
		purple_debug_info("msnp", "profile received (client address %s)\n",
		                  session->client_ip ? session->client_ip : "unknown");
	}
	g_free(type);
	msn_mime_free(mime);
}

static void
handle_chl(MsnSession *session, MsnCommand *cmd)
{
	char answer[33];
	const char *qry[] = { session->dialect->challenge_product_id, NULL };
	GBytes *payload;

	if (!msn_challenge_answer(session->dialect, cmd->params[0], answer))
		return;
	payload = g_bytes_new(answer, 32);
	/* Escargot never answers QRY: nothing waits for the reply. */
	msn_conn_send(session->ns, "QRY", qry, payload, NULL, NULL, 0);
	g_bytes_unref(payload);
}

static void
handle_out(MsnSession *session, MsnCommand *cmd)
{
	const char *why = cmd->n_params > 0 ? cmd->params[0] : "";

	if (strcmp(why, "OTH") == 0)
		/* NAME_IN_USE: libpurple will not reconnect and kick the other client. */
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_NAME_IN_USE,
		                 _("You have signed in from another location. Sign in here "
		                   "again to move the session back."));
	else if (strcmp(why, "SSD") == 0)
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
		                 _("The MSN server is going down for maintenance. The account "
		                   "will reconnect later."));
	else if (strcmp(why, "MIG") == 0) {
		/* The list moved (MSNP10): sign in again at once, on the same server. */
		char *host = g_strdup(msn_conn_get_host(session->ns));
		int port = msn_conn_get_port(session->ns);
		purple_debug_info("msnp", "OUT MIG: signing in again to %s:%d\n", host, port);
		ns_connect(session, host, port);
		g_free(host);
	} else if (strcmp(why, "TOU") == 0)
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE,
		                 _("The server asks you to accept new terms of use, which this "
		                   "client cannot show. Accept them with another client."));
	else if (strcmp(why, "RCT") == 0) {
		char *msg = g_strdup_printf(_("The server closed the connection for %s minutes. "
		                              "The account will reconnect later."),
		                            cmd->n_params > 1 ? cmd->params[1] : "a few");
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_NETWORK_ERROR, msg);
		g_free(msg);
	} else
		msn_session_fail(session, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
		                 _("The server ended the session."));
}

static void
ns_connected(MsnConn *conn, gpointer data)
{
	MsnSession *session = data;
	const MsnDialect *offer = msn_dialect_get(session->max_version);
	char **ver = msn_dialect_ver_offer(session->max_version);
	const char *cvr[] = { "0x0409", "winnt", "5.1", "i386", "MSNMSGR",
	                      offer->cvr_client_version, "msmsgs", session->handle, NULL };
	const char *usr[] = { "TWN", "I", session->handle, NULL };

	session->state = MSN_SIGNIN_NEGOTIATING;
	purple_connection_update_progress(session->gc, _("Negotiating the protocol version"), 1, 4);
	/* VER, CVR and USR TWN I do not depend on each other's replies: one write. */
	msn_conn_cork(conn);
	msn_conn_send(conn, "VER", (const char *const *)ver, NULL, ver_reply, session, 0);
	msn_conn_send(conn, "CVR", cvr, NULL, cvr_reply, session, 0);
	msn_conn_send(conn, "USR", usr, NULL, usr_reply, session, 0);
	msn_conn_uncork(conn);
	g_strfreev(ver);
}

static void
ns_command(MsnConn *conn, MsnCommand *cmd, gpointer data)
{
	MsnSession *session = data;

	if (cmd->error_code && session->state < MSN_SIGNIN_ONLINE) {
		fail_with_code(session, cmd->error_code);
		return;
	}
	if (strcmp(cmd->name, "OUT") == 0)
		handle_out(session, cmd);
	else if (session->dialect == NULL)
		purple_debug_misc("msnp", "ignoring %s before VER\n", cmd->name);
	else if ((strcmp(cmd->name, "ILN") == 0 || strcmp(cmd->name, "NLN") == 0 ||
	          strcmp(cmd->name, "FLN") == 0 || strcmp(cmd->name, "UBX") == 0) &&
	         session->state >= MSN_SIGNIN_TICKET_SENT) {
		mirror_list(session);
		msn_presence_handle(session, cmd);
	}
	else if (msn_contacts_handle(session, cmd))
		;
	else if (session->dialect->list_style == MSN_LIST_ABCH && msn_addressbook_handle(session, cmd))
		;
	else if (strcmp(cmd->name, "SBS") == 0 || strcmp(cmd->name, "GCF") == 0 ||
	         strcmp(cmd->name, "UUX") == 0 || strcmp(cmd->name, "ADL") == 0 ||
	         strcmp(cmd->name, "QRY") == 0 || strcmp(cmd->name, "BLP") == 0 ||
	         strcmp(cmd->name, "PRP") == 0)
		;   /* SBS: meaning unknown; GCF: policies we do not use; the others
		     * (13–14 sign-in) acknowledge what we sent; nothing waits. */
	else if (strcmp(cmd->name, "CHL") == 0)
		handle_chl(session, cmd);
	else if (strcmp(cmd->name, "RNG") == 0)
		msn_switchboard_handle_rng(session, cmd);
	else if (strcmp(cmd->name, "QNG") == 0) {
		if (cmd->n_params > 0 && session->state == MSN_SIGNIN_ONLINE)
			schedule_ping(session, (guint)CLAMP(atoi(cmd->params[0]), 0, 3600));
	} else if (strcmp(cmd->name, "MSG") == 0 && cmd->payload)
		handle_profile(session, cmd);
	else
		purple_debug_misc("msnp", "unhandled %s\n", cmd->name);
}

static void
ns_failed(MsnConn *conn, const GError *error, gpointer data)
{
	MsnSession *session = data;
	char *msg;

	if (fall_back_from_remembered(session))
		return;
	if (g_error_matches(error, MSN_NET_ERROR, MSN_NET_ERROR_CONNECT))
		msg = g_strdup_printf(_("%s. Check the server and port in the account settings "
		                        "and your network connection."), error->message);
	else
		msg = g_strdup_printf(_("Lost the connection to %s: %s"),
		                      msn_conn_describe(conn), error->message);
	msn_session_fail(session, PURPLE_CONNECTION_ERROR_NETWORK_ERROR, msg);
	g_free(msg);
}
