/* msnp-testserver — the live notification server (and dispatch server).
 *
 * One NsSession per TCP connection.  Behaviour follows Escargot where the
 * protocol notes describe it (docs: protocol/README.md §4–§8, commands.md):
 * commands that do not fit the state, that the framer rejects, or that are
 * unknown get no reply at all; the reply shapes depend on the version.
 *
 *   VER → CVR → USR TWN I → (GCF 0, 13+) USR TWN S policy → USR TWN S ticket
 *   → USR OK, SBS (11+), profile MSG → SYN/GCF/BLP/ADL/PRP/CHG/UUX/PNG/XFR …
 */
#include "testserver.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

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
	char *status;             /* after the first CHG */
	gboolean syn_done;
};

/* Escargot's policy string (auth.md §3.1). */
#define TWN_POLICY "ct=1,rver=1,wp=FS_40SEC_0_COMPACT,lc=1,id=1"

#define SHIELDS_XML \
	"<?xml version=\"1.0\" encoding=\"utf-8\" ?><config><shield><cli maj=\"7\" min=\"0\" " \
	"minbld=\"0\" maxbld=\"9999\" deny=\" \" /></shield><block></block></config>"

#define POLICIES_XML \
	"<Policies><Policy type=\"SHIELDS\"><config><shield><cli maj=\"7\" min=\"0\" " \
	"minbld=\"0\" maxbld=\"9999\" deny=\" \" /></shield><block></block></config></Policy>" \
	"<Policy type=\"ABCH\"><policy><set id=\"push\" service=\"ABCH\" priority=\"200\">" \
	"<r id=\"pushstorage\" threshold=\"180000\" /></set></policy></Policy>" \
	"<Policy type=\"P2P\"><ObjStr SndDly=\"1\" /></Policy></Policies>"

/* Escargot sends this fixed timestamp for both SYN values (10–12). */
#define SYN_TIMESTAMP "2000-01-01T00:00:00.0-00:00"

static void
session_free(NsSession *s)
{
	g_free(s->status);
	g_free(s);
}

static void
ignore(NsSession *s, MsnCommand *cmd, const char *why)
{
	server_logf(s->srv, conn_label(s->conn), "-- no reply to %s: %s", cmd->name, why);
}

static void
error_reply(NsSession *s, MsnCommand *cmd, guint code, gboolean close)
{
	conn_send_line(s->conn, "%u %u", code, cmd->trid);
	if (close)
		conn_close_after_flush(s->conn);
}

static gboolean
all_digits(const char *p)
{
	if (!*p)
		return FALSE;
	for (; *p; p++)
		if (!g_ascii_isdigit(*p))
			return FALSE;
	return TRUE;
}

static guint
next_list_version(NsSession *s)
{
	return ++s->account->list_version;
}

/* ---- negotiation and login --------------------------------------------- */

static void
cmd_ver(NsSession *s, MsnCommand *cmd)
{
	guint v;

	if (s->state != NS_NEED_VER) {
		/* Escargot: a second VER is an error and the end of the connection. */
		error_reply(s, cmd, 715, TRUE);
		return;
	}
	v = server_pick_version(s->srv, cmd->params, cmd->n_params);
	if (v == 0) {
		conn_send_line(s->conn, "VER %u 0", cmd->trid);
		conn_close_after_flush(s->conn);
		return;
	}
	s->version = v;
	s->state = NS_NEED_USR_I;
	conn_set_version(s->conn, v);
	conn_send_line(s->conn, "VER %u MSNP%u", cmd->trid, v);
}

static void
cmd_cvr(NsSession *s, MsnCommand *cmd)
{
	if (s->state == NS_NEED_VER) {
		ignore(s, cmd, "before VER");
		return;
	}
	if (cmd->n_params < 6) {
		ignore(s, cmd, "fewer than 6 parameters");
		return;
	}
	conn_send_line(s->conn, "CVR %u %s %s %s http://127.0.0.1:%u/download http://127.0.0.1:%u/",
	               cmd->trid, cmd->params[5], cmd->params[5], cmd->params[5],
	               s->srv->http_port, s->srv->http_port);
}

static void
send_profile(NsSession *s, const char *ticket)
{
	GString *p = g_string_new(NULL);
	char *token = tickets_extract_token(ticket);
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	guint member = g_str_hash(s->account->email) & 0x7fffffff;

	g_string_append(p, "MIME-Version: 1.0\r\n"
	                   "Content-Type: text/x-msmsgsprofile; charset=UTF-8\r\n");
	g_string_append_printf(p, "LoginTime: %" G_GINT64_FORMAT "\r\n", now);
	g_string_append(p, "EmailEnabled: 1\r\n"
	                   "MemberIdHigh: 1\r\n");
	g_string_append_printf(p, "MemberIdLow: %u\r\n", member);
	g_string_append(p, "lang_preference: 1033\r\n");
	g_string_append_printf(p, "PreferredEmail: %s\r\n", s->account->email);
	g_string_append(p, "country: US\r\n"
	                   "PostalCode: \r\n"
	                   "Gender: \r\n"
	                   "Kid: 0\r\n"
	                   "Age: \r\n"
	                   "BDayPre: \r\n"
	                   "Birthday: \r\n"
	                   "Wallet: \r\n"
	                   "Flags: 1027\r\n"
	                   "sid: 507\r\n"
	                   "kv: 11\r\n");
	g_string_append_printf(p, "MSPAuth: %s\r\n", token);
	g_string_append_printf(p, "ClientIP: %s\r\n", conn_peer_host(s->conn));
	g_string_append_printf(p, "ClientPort: %u\r\n", conn_peer_port(s->conn));
	if (s->version >= 10)
		g_string_append(p, "ABCHMigrated: 1\r\n");
	g_string_append(p, "\r\n");
	conn_send_payload(s->conn, "MSG Hotmail Hotmail", p->str, p->len);
	g_string_free(p, TRUE);
	g_free(token);
}

static void
cmd_usr(NsSession *s, MsnCommand *cmd)
{
	const char *method = cmd->params[0];

	if (s->state == NS_NEED_VER) {
		ignore(s, cmd, "before VER");
		return;
	}
	if (s->state == NS_SIGNED_IN) {
		/* Escargot answers a repeated TWN USR with 205. */
		error_reply(s, cmd, 205, FALSE);
		return;
	}
	if (strcmp(method, "MD5") == 0 || strcmp(method, "SSO") == 0) {
		server_logf(s->srv, conn_label(s->conn), "-- USR %s at MSNP%u: disconnecting", method, s->version);
		conn_close(s->conn);
		return;
	}
	if (strcmp(method, "TWN") != 0 || cmd->n_params < 3) {
		error_reply(s, cmd, 911, TRUE);
		return;
	}

	if (strcmp(cmd->params[1], "I") == 0) {
		const char *handle = cmd->params[2];
		Account *a;

		if (s->state != NS_NEED_USR_I) {
			ignore(s, cmd, "USR TWN I twice");
			return;
		}
		if (!strchr(handle, '@')) {
			error_reply(s, cmd, 911, TRUE);
			return;
		}
		if (s->dispatch) {
			if (s->version >= 13)
				conn_send_line(s->conn, "XFR %u NS 127.0.0.1:%u U D", cmd->trid, s->srv->ns2_port);
			else
				conn_send_line(s->conn, "XFR %u NS 127.0.0.1:%u 0 127.0.0.1:%u", cmd->trid,
				               s->srv->ns2_port, s->srv->ns_port);
			return;
		}
		/* Escargot looks the account up case-insensitively but compares
		 * the handle case-sensitively. */
		a = accounts_find(s->srv, handle);
		if (!a || strcmp(a->email, handle) != 0) {
			error_reply(s, cmd, 911, TRUE);
			return;
		}
		s->account = a;
		s->state = NS_NEED_USR_S;
		if (s->version >= 13)
			conn_send_payload(s->conn, "GCF 0", POLICIES_XML, strlen(POLICIES_XML));
		conn_send_line(s->conn, "USR %u TWN S %s", cmd->trid, TWN_POLICY);
		return;
	}

	if (strcmp(cmd->params[1], "S") == 0) {
		const char *ticket = cmd->params[2];
		char *name;

		if (s->state != NS_NEED_USR_S) {
			ignore(s, cmd, "USR TWN S before USR TWN I");
			return;
		}
		if (!tickets_check(s->srv, ticket, s->account->email)) {
			server_logf(s->srv, conn_label(s->conn), "-- unknown or expired ticket for %s",
			            s->account->email);
			error_reply(s, cmd, 911, TRUE);
			return;
		}
		s->state = NS_SIGNED_IN;
		name = util_url_escape_param(s->account->friendly);
		if (s->version <= 9)
			conn_send_line(s->conn, "USR %u OK %s %s 1 0", cmd->trid, s->account->email, name);
		else
			conn_send_line(s->conn, "USR %u OK %s 1 0", cmd->trid, s->account->email);
		g_free(name);
		if (s->version >= 11)
			conn_send_line(s->conn, "SBS 0 null");
		send_profile(s, ticket);
		return;
	}
	error_reply(s, cmd, 911, TRUE);
}

/* ---- signed in ----------------------------------------------------------- */

static void
cmd_syn(NsSession *s, MsnCommand *cmd)
{
	if (s->version >= 13) {
		error_reply(s, cmd, 502, FALSE);
		return;
	}
	s->syn_done = TRUE;
	if (s->version <= 9) {
		guint64 ver = g_ascii_strtoull(cmd->params[0], NULL, 10);

		s->account->list_version = (guint) MIN(ver, G_MAXUINT - 1000) + 1;
		conn_send_line(s->conn, "SYN %u %u 0 0", cmd->trid, s->account->list_version);
		conn_send_line(s->conn, "GTC A");
		conn_send_line(s->conn, "BLP AL");
	} else {
		char *name = util_url_escape_param(s->account->friendly);

		conn_send_line(s->conn, "SYN %u %s %s 0 0", cmd->trid, SYN_TIMESTAMP, SYN_TIMESTAMP);
		conn_send_line(s->conn, "GTC A");
		conn_send_line(s->conn, "BLP AL");
		conn_send_line(s->conn, "PRP MFN %s", name);
		g_free(name);
	}
}

static void
cmd_gcf(NsSession *s, MsnCommand *cmd)
{
	char *head;

	if (s->version >= 13) {
		ignore(s, cmd, "GCF from the client at 13+");
		return;
	}
	if (!s->syn_done) {
		error_reply(s, cmd, 715, FALSE);
		return;
	}
	head = g_strdup_printf("GCF %u %s", cmd->trid, cmd->params[0]);
	conn_send_payload(s->conn, head, SHIELDS_XML, strlen(SHIELDS_XML));
	g_free(head);
}

static void
cmd_list_setting(NsSession *s, MsnCommand *cmd)
{
	/* BLP trid AL|BL, GTC trid A|N */
	const char *v = cmd->params[0];
	gboolean blp = strcmp(cmd->name, "BLP") == 0;

	if (blp ? (strcmp(v, "AL") != 0 && strcmp(v, "BL") != 0)
	        : (strcmp(v, "A") != 0 && strcmp(v, "N") != 0)) {
		error_reply(s, cmd, 201, FALSE);
		return;
	}
	if (s->version <= 9)
		conn_send_line(s->conn, "%s %u %u %s", cmd->name, cmd->trid, next_list_version(s), v);
	else
		conn_send_line(s->conn, "%s %u %s", cmd->name, cmd->trid, v);
}

static void
cmd_prp(NsSession *s, MsnCommand *cmd)
{
	const char *key = cmd->params[0];
	const char *value = cmd->n_params > 1 ? cmd->params[1] : NULL;
	GString *reply = g_string_new(NULL);

	if (strcmp(key, "MFN") == 0) {
		char *decoded;

		if (s->version < 10) {
			g_string_free(reply, TRUE);
			error_reply(s, cmd, 715, FALSE);
			return;
		}
		decoded = value ? util_url_decode(value) : NULL;
		if (decoded && *decoded) {
			g_free(s->account->friendly);
			s->account->friendly = decoded;
		} else {
			g_free(decoded);
		}
	} else if (value && strlen(value) > 95) {
		g_string_free(reply, TRUE);
		conn_close(s->conn);    /* Escargot: phone numbers over 95 chars */
		return;
	}
	g_string_append_printf(reply, "PRP %u", cmd->trid);
	if (s->version <= 9)
		g_string_append_printf(reply, " %u", next_list_version(s));
	g_string_append_printf(reply, " %s", key);
	if (value)
		g_string_append_printf(reply, " %s", value);
	conn_send_line(s->conn, "%s", reply->str);
	g_string_free(reply, TRUE);
}

static void
cmd_rea(NsSession *s, MsnCommand *cmd)
{
	const char *handle = cmd->params[0];
	const char *value = cmd->params[1];

	if (g_ascii_strcasecmp(handle, s->account->email) == 0) {
		char *decoded = util_url_decode(value);

		if (decoded && *decoded) {
			g_free(s->account->friendly);
			s->account->friendly = decoded;
		} else {
			g_free(decoded);
		}
	}
	conn_send_line(s->conn, "REA %u %u %s %s", cmd->trid, next_list_version(s), handle, value);
}

/* Parses an ADL/RML payload; returns 0 when fine or the error code. */
static guint
check_ml_payload(MsnCommand *cmd)
{
	gsize len;
	const char *data = cmd->payload ? g_bytes_get_data(cmd->payload, &len) : NULL;
	xmlDocPtr doc;
	xmlNodePtr root, d, c;
	guint code = 0;

	if (!data || len == 0 || len > G_MAXINT)
		return 241;
	doc = xmlReadMemory(data, (int) len, "ml.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return 241;
	root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcmp(root->name, BAD_CAST "ml") != 0) {
		xmlFreeDoc(doc);
		return 241;
	}
	for (d = root->children; d && !code; d = d->next) {
		xmlChar *dn;

		if (d->type != XML_ELEMENT_NODE || xmlStrcmp(d->name, BAD_CAST "d") != 0)
			continue;
		dn = xmlGetProp(d, BAD_CAST "n");
		if (!dn || !*dn)
			code = 240;
		xmlFree(dn);
		for (c = d->children; c && !code; c = c->next) {
			xmlChar *l;

			if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, BAD_CAST "c") != 0)
				continue;
			l = xmlGetProp(c, BAD_CAST "l");
			if (!l || !all_digits((const char *) l) ||
			    (g_ascii_strtoull((const char *) l, NULL, 10) & ~(guint64) 7) != 0)
				code = 241;   /* RL/PL bits from a client */
			xmlFree(l);
		}
	}
	xmlFreeDoc(doc);
	return code;
}

static void
cmd_adl(NsSession *s, MsnCommand *cmd)
{
	guint code = check_ml_payload(cmd);

	if (code) {
		error_reply(s, cmd, code, TRUE);
		return;
	}
	conn_send_line(s->conn, "%s %u OK", cmd->name, cmd->trid);
}

static gboolean
valid_status(const char *st)
{
	static const char *const ok[] = { "NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN", "HDN", NULL };
	guint i;

	for (i = 0; ok[i]; i++)
		if (strcmp(st, ok[i]) == 0)
			return TRUE;
	return FALSE;
}

static void
cmd_chg(NsSession *s, MsnCommand *cmd)
{
	const char *st = cmd->params[0];
	GString *reply;
	guint i;

	if (cmd->n_params < 2) {
		ignore(s, cmd, "CHG without capabilities (Escargot ignores it)");
		return;
	}
	if (!all_digits(cmd->params[1])) {
		ignore(s, cmd, "non-numeric capabilities");
		return;
	}
	if (strcmp(st, "FLN") == 0) {
		error_reply(s, cmd, 201, FALSE);
		return;
	}
	if (!valid_status(st)) {
		server_logf(s->srv, conn_label(s->conn), "-- unknown status %s: disconnecting", st);
		conn_close(s->conn);
		return;
	}
	g_free(s->status);
	s->status = g_strdup(st);
	reply = g_string_new(NULL);
	g_string_append_printf(reply, "CHG %u", cmd->trid);
	for (i = 0; i < cmd->n_params; i++)
		g_string_append_printf(reply, " %s", cmd->params[i]);
	conn_send_line(s->conn, "%s", reply->str);
	g_string_free(reply, TRUE);
}

static void
cmd_uux(NsSession *s, MsnCommand *cmd)
{
	gsize len = 0;
	const char *data = cmd->payload ? g_bytes_get_data(cmd->payload, &len) : NULL;

	if (len > 0) {
		xmlDocPtr doc = len <= G_MAXINT
			? xmlReadMemory(data, (int) len, "uux.xml", NULL,
			                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
			: NULL;

		if (!doc) {
			ignore(s, cmd, "payload is not well-formed XML (Escargot drops it)");
			return;
		}
		xmlFreeDoc(doc);
	}
	conn_send_line(s->conn, "UUX %u 0", cmd->trid);
}

static void
cmd_xfr(NsSession *s, MsnCommand *cmd)
{
	char *cookie;

	if (strcmp(cmd->params[0], "SB") != 0) {
		error_reply(s, cmd, 201, FALSE);
		return;
	}
	if (!s->status || (s->version < 13 && strcmp(s->status, "HDN") == 0)) {
		error_reply(s, cmd, 913, FALSE);
		return;
	}
	cookie = sb_cookie_issue(s->srv, s->account->email, s->account->friendly, s->version);
	if (s->version >= 14)
		conn_send_line(s->conn, "XFR %u SB 127.0.0.1:%u CKI %s U messenger.msn.com 1",
		               cmd->trid, s->srv->sb_port, cookie);
	else if (s->version == 13)
		conn_send_line(s->conn, "XFR %u SB 127.0.0.1:%u CKI %s U messenger.msn.com",
		               cmd->trid, s->srv->sb_port, cookie);
	else
		conn_send_line(s->conn, "XFR %u SB 127.0.0.1:%u CKI %s", cmd->trid, s->srv->sb_port, cookie);
	g_free(cookie);
}

/* ---- dispatch -------------------------------------------------------------- */

static void
on_command(Conn *conn, MsnCommand *cmd, gpointer data)
{
	NsSession *s = data;
	const char *n = cmd->name;

	if (strcmp(n, "VER") == 0) {
		cmd_ver(s, cmd);
		return;
	}
	if (strcmp(n, "OUT") == 0) {
		conn_close_after_flush(conn);   /* Escargot does not echo OUT */
		return;
	}
	if (s->state == NS_NEED_VER) {
		ignore(s, cmd, "before VER");
		return;
	}
	if (strcmp(n, "CVR") == 0) {
		cmd_cvr(s, cmd);
		return;
	}
	if (strcmp(n, "USR") == 0) {
		cmd_usr(s, cmd);
		return;
	}
	if (strcmp(n, "PNG") == 0) {
		if (s->state != NS_SIGNED_IN) {
			server_log(s->srv, conn_label(conn), "--", "PNG before USR OK: disconnecting");
			conn_close(conn);
		} else if (s->version == 8) {
			conn_send_line(conn, "QNG");
		} else {
			conn_send_line(conn, "QNG 60");
		}
		return;
	}
	if (s->state != NS_SIGNED_IN) {
		ignore(s, cmd, "not signed in");
		return;
	}
	if (strcmp(n, "SYN") == 0)
		cmd_syn(s, cmd);
	else if (strcmp(n, "GCF") == 0)
		cmd_gcf(s, cmd);
	else if (strcmp(n, "BLP") == 0 || strcmp(n, "GTC") == 0)
		cmd_list_setting(s, cmd);
	else if (strcmp(n, "PRP") == 0)
		cmd_prp(s, cmd);
	else if (strcmp(n, "REA") == 0)
		cmd_rea(s, cmd);
	else if (strcmp(n, "ADL") == 0 || strcmp(n, "RML") == 0)
		cmd_adl(s, cmd);
	else if (strcmp(n, "CHG") == 0)
		cmd_chg(s, cmd);
	else if (strcmp(n, "UUX") == 0)
		cmd_uux(s, cmd);
	else if (strcmp(n, "XFR") == 0)
		cmd_xfr(s, cmd);
	else if (strcmp(n, "URL") == 0)
		conn_send_line(conn, "URL %u /unused1 /unused2 1", cmd->trid);
	else if (strcmp(n, "SND") == 0)
		conn_send_line(conn, "SND %u OK", cmd->trid);
	else if (strcmp(n, "QRY") == 0)
		ignore(s, cmd, "Escargot never answers QRY");
	else
		ignore(s, cmd, "not implemented");
}

static void
on_close(Conn *conn, gpointer data)
{
	NsSession *s = data;

	s->srv->ns_sessions = g_list_remove(s->srv->ns_sessions, s);
	session_free(s);
}

static const ConnHandlers ns_handlers = {
	.on_command = on_command,
	.on_reject = NULL,
	.on_close = on_close,
};

void
ns_accept(Server *srv, GSocketConnection *sc, gboolean dispatch)
{
	NsSession *s = g_new0(NsSession, 1);

	s->srv = srv;
	s->dispatch = dispatch;
	s->state = NS_NEED_VER;
	s->version = server_max_version(srv);
	s->conn = conn_new(srv, sc, MSN_SERVICE_NS, dispatch ? "ds" : "ns", s->version,
	                   &ns_handlers, s);
	conn_set_reply_delay(s->conn, srv->reply_delay_ms);
	srv->ns_sessions = g_list_prepend(srv->ns_sessions, s);
}

void
ns_free_all(Server *srv)
{
	GList *l, *copy = g_list_copy(srv->ns_sessions);

	for (l = copy; l; l = l->next)
		conn_close(((NsSession *) l->data)->conn);
	g_list_free(copy);
}
