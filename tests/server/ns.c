/* msnp-testserver — the live notification server (and dispatch server).
 *
 * One NsSession per TCP connection.  Behaviour follows Escargot where the
 * protocol notes describe it (docs: protocol/README.md §4–§8, commands.md):
 * commands that do not fit the state, that the framer rejects, or that are
 * unknown get no reply at all — except the list commands Escargot answers
 * with 502 or a disconnect in the wrong version (nslists_rejected); the
 * reply shapes depend on the version.
 *
 *   VER → CVR → USR TWN I → (GCF 0, 13+) USR TWN S policy → USR TWN S ticket
 *   → USR OK, SBS (11+), profile MSG → SYN/GCF/BLP/ADL/PRP/CHG/UUX/PNG/XFR …
 *
 * The list commands are in nslists.c; CHG and UUX feed presence.c (the
 * first CHG sends the ILNs with its TrID, later ones NLN to the watchers).
 *
 * Fault injection (fault.c, --help): --fault at each step, --drop-after,
 * --push/--challenge after the first CHG echo, and the control channel's
 * push/drop/kill-ns.  LIST is a fault step for every list change.
 */
#include "testserver.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "proto/challenge.h"
#include "proto/dialect.h"

static const Fault *apply_faults(NsSession *s, const char *step, const MsnCommand *cmd);

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

static void
session_free(NsSession *s)
{
	g_free(s->status);
	g_free(s->caps);
	g_free(s->msnobj);
	g_free(s->psm);
	g_free(s->media);
	g_free(s->machine_guid);
	if (s->seen)
		g_hash_table_unref(s->seen);
	g_free(s->challenge);
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
			Account *da = accounts_find(s->srv, handle);

			if (s->srv->dispatch_once && da && da->dispatched) {
				server_logf(s->srv, conn_label(s->conn),
				            "-- dispatch-once: %s was redirected before; serving it here", handle);
			} else {
				/* --dispatch-loop: back to this very port, for ever. */
				guint16 to = s->srv->dispatch_loop ? s->srv->ns_port : s->srv->ns2_port;

				if (da)
					da->dispatched = TRUE;
				if (s->version >= 13)
					conn_send_line(s->conn, "XFR %u NS 127.0.0.1:%u U D", cmd->trid, to);
				else
					conn_send_line(s->conn, "XFR %u NS 127.0.0.1:%u 0 127.0.0.1:%u", cmd->trid,
					               to, s->srv->ns_port);
				return;
			}
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
		if (s->version >= 13) {
			/* --fault GCF at 13+ is about this pushed GCF: silent leaves it
			 * out, the other replacing faults end the reply here. */
			const Fault *f = apply_faults(s, "GCF", cmd);

			if (!f)
				conn_send_payload(s->conn, "GCF 0", POLICIES_XML, strlen(POLICIES_XML));
			else if (f->action != FAULT_SILENT)
				return;
		}
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

/* Sends a --push style line (fault.c: push_encode).  An OUT ends the
 * connection once written; a CHL is remembered to check the QRY. */
static gboolean
send_push(NsSession *s, const char *line, GError **error)
{
	GBytes *wire = push_encode(line, error);
	gsize len;
	const char *data;

	if (!wire)
		return FALSE;
	data = g_bytes_get_data(wire, &len);
	conn_send_raw(s->conn, data, len);
	if (len >= 3 && memcmp(data, "OUT", 3) == 0 && (len == 3 || data[3] == ' ' || data[3] == '\r')) {
		s->closing = TRUE;
		conn_close_after_flush(s->conn);
	} else if (len > 6 && memcmp(data, "CHL 0 ", 6) == 0) {
		const char *chl = data + 6;
		gsize n = 0;

		while (chl + n < data + len && chl[n] != '\r' && chl[n] != '\n' && chl[n] != ' ')
			n++;
		g_free(s->challenge);
		s->challenge = g_strndup(chl, n);
	}
	g_bytes_unref(wire);
	return TRUE;
}

/* Signed in for good: --challenge (every connection), then the --push lines
 * (once per server: an OUT MIG must not come back on the reconnection). */
static void
after_first_chg(NsSession *s)
{
	Server *srv = s->srv;
	char **p;

	if (srv->challenge) {
		conn_send_line(s->conn, "CHL 0 %s", srv->challenge);
		g_free(s->challenge);
		s->challenge = g_strdup(srv->challenge);
	}
	if (!srv->pushes || srv->pushes_done)
		return;
	srv->pushes_done = TRUE;
	for (p = srv->pushes; *p && !s->closing; p++)
		send_push(s, *p, NULL);   /* checked when the options were read */
}

static void
cmd_qry(NsSession *s, MsnCommand *cmd)
{
	const MsnDialect *d = msn_dialect_get(s->version);
	char want[33];
	gsize len = 0;
	const char *data = cmd->payload ? g_bytes_get_data(cmd->payload, &len) : NULL;
	char *got;
	gboolean ok;

	if (!s->challenge) {
		ignore(s, cmd, "no challenge pending (Escargot never answers QRY)");
		return;
	}
	if (!d || !msn_challenge_answer(d, s->challenge, want)) {
		ignore(s, cmd, "no dialect for this version");
		return;
	}
	got = g_strndup(data ? data : "", len);
	ok = strcmp(cmd->params[0], d->challenge_product_id) == 0 && len == 32 &&
	     strcmp(got, want) == 0;
	if (ok)
		server_log(s->srv, conn_label(s->conn), "--", "QRY ok");
	else if (strcmp(cmd->params[0], d->challenge_product_id) != 0)
		server_logf(s->srv, conn_label(s->conn), "-- QRY bad (expected %s %s got %s %s)",
		            d->challenge_product_id, want, cmd->params[0], got);
	else
		server_logf(s->srv, conn_label(s->conn), "-- QRY bad (expected %s got %s)", want, got);
	g_free(got);
	g_clear_pointer(&s->challenge, g_free);
	/* Official servers: an empty QRY when right, 540 and the end when wrong. */
	if (ok) {
		conn_send_line(s->conn, "QRY %u", cmd->trid);
	} else {
		conn_send_line(s->conn, "540 %u", cmd->trid);
		conn_close_after_flush(s->conn);
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
	g_free(s->caps);
	s->caps = g_strdup(cmd->params[1]);
	g_free(s->msnobj);
	s->msnobj = cmd->n_params > 2 ? g_strdup(cmd->params[2]) : NULL;
	reply = g_string_new(NULL);
	g_string_append_printf(reply, "CHG %u", cmd->trid);
	for (i = 0; i < cmd->n_params; i++)
		g_string_append_printf(reply, " %s", cmd->params[i]);
	conn_send_line(s->conn, "%s", reply->str);
	g_string_free(reply, TRUE);
	if (!s->chg_echoed) {
		/* ILN with the CHG's TrID, then this user's NLN to its watchers. */
		s->chg_echoed = TRUE;
		s->online_since = g_get_monotonic_time();
		presence_first_chg(s, cmd->trid);
		after_first_chg(s);
	} else {
		presence_update(s->srv, s->account->email);
	}
}

/* The text of the first element called name below node, or NULL. */
static char *
child_text(xmlNodePtr node, const char *name)
{
	xmlNodePtr c;

	for (c = node ? node->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0) {
			xmlChar *t = xmlNodeGetContent(c);
			char *r = g_strdup((const char *) t);

			xmlFree(t);
			return r;
		}
	return NULL;
}

static void
cmd_uux(NsSession *s, MsnCommand *cmd)
{
	xmlNodePtr root;
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
		root = xmlDocGetRootElement(doc);
		g_free(s->psm);
		g_free(s->media);
		g_free(s->machine_guid);
		s->psm = child_text(root, "PSM");
		s->media = child_text(root, "CurrentMedia");
		s->machine_guid = child_text(root, "MachineGuid");
		s->has_uux = TRUE;
		xmlFreeDoc(doc);
	} else {
		g_clear_pointer(&s->psm, g_free);
		g_clear_pointer(&s->media, g_free);
		s->has_uux = TRUE;
	}
	conn_send_line(s->conn, "UUX %u 0", cmd->trid);
	if (s->chg_echoed)
		presence_ubx(s->srv, s->account->email);
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
	cookie = sb_cookie_issue(s->srv, s->account->email, s->account->friendly, s->version,
	                         conn_label(s->conn));
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

/* ---- fault injection ---------------------------------------------------------- */

/* The --fault step a command is: USR TWN I/S are USR-I/USR-S, the rest their name. */
static const char *
step_of(const MsnCommand *cmd)
{
	if (strcmp(cmd->name, "USR") == 0 && cmd->n_params >= 2 && strcmp(cmd->params[0], "TWN") == 0) {
		if (strcmp(cmd->params[1], "I") == 0)
			return "USR-I";
		if (strcmp(cmd->params[1], "S") == 0)
			return "USR-S";
	}
	return cmd->name;
}

/* The commands --fault LIST:… hits: every list change a client can make. */
static gboolean
is_list_change(NsSession *s, const MsnCommand *cmd)
{
	static const char *const names[] = {
		"ADD", "ADC", "REM", "ADG", "RMG", "REG", "BLP", "GTC", "PRP", "REA", "SBP", "ADL", "RML"
	};
	guint i;

	if (s->state != NS_SIGNED_IN)
		return FALSE;
	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(cmd->name, names[i]) == 0)
			break;
	if (i == G_N_ELEMENTS(names))
		return FALSE;
	if (cmd->payload && (strcmp(cmd->name, "ADL") == 0 || strcmp(cmd->name, "RML") == 0)) {
		gsize len;
		const char *p = g_bytes_get_data(cmd->payload, &len);

		/* The initial list is no change. */
		if (len >= 10 && memcmp(p, "<ml l=\"1\"", 10) == 0)
			return FALSE;
	}
	return TRUE;
}

static const guint8 binary_junk[] = {
	0x00, 0xff, 0xfe, 0x80, 0x01, 0x02, 0x1b, '[', '2', 'J', 0xc3, 0x28, 0x7f, 0xed,
	0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80, 0x00, 'M', 'S', 'G', 0x00, 0x9f, '\r', '\n'
};

/* Carries out the faults for step (cmd is NULL for CONNECT).  Returns the
 * fault that replaced the normal handling, or NULL when it goes on. */
static const Fault *
apply_faults(NsSession *s, const char *step, const MsnCommand *cmd)
{
	guint i = 0;
	Fault *f;

	while ((f = fault_next(s->srv, step, &i)) != NULL) {
		server_logf(s->srv, conn_label(s->conn), "-- fault %s", f->spec);
		switch (f->action) {
		case FAULT_DROP:
			conn_close(s->conn);
			return f;
		case FAULT_SILENT:
			return f;
		case FAULT_HANG:
			s->mute = TRUE;
			return f;
		case FAULT_ERROR:
			conn_send_line(s->conn, "%u %u", f->arg, cmd && cmd->has_trid ? cmd->trid : 0);
			if (fault_error_closes(f))
				conn_close_after_flush(s->conn);
			return f;
		case FAULT_GARBAGE: {
			char *g = g_malloc(FAULT_GARBAGE_BYTES);
			gsize k;

			for (k = 0; k < FAULT_GARBAGE_BYTES; k++)
				g[k] = "GARBAGE-"[k % 8];
			conn_send_raw(s->conn, g, FAULT_GARBAGE_BYTES);
			g_free(g);
			s->mute = TRUE;   /* anything more would continue the same line */
			return f;
		}
		case FAULT_JUNK: {
			static const char junk[] = "XYZ 1 this-is-not-msnp\r\n";

			conn_send_raw(s->conn, junk, sizeof junk - 1);
			break;
		}
		case FAULT_BINARY:
			conn_send_raw(s->conn, binary_junk, sizeof binary_junk);
			break;
		case FAULT_DELAY:
			conn_hold(s->conn, f->arg);
			break;
		}
	}
	return NULL;
}

/* ---- dispatch -------------------------------------------------------------- */

static void
on_command(Conn *conn, MsnCommand *cmd, gpointer data)
{
	NsSession *s = data;
	const char *n = cmd->name;

	if (s->srv->drop_after && ++s->n_commands == s->srv->drop_after) {
		server_logf(s->srv, conn_label(conn), "-- drop-after %u: closing before replying to %s",
		            s->srv->drop_after, n);
		conn_close(conn);
		return;
	}
	if (s->mute) {
		ignore(s, cmd, "hanging (fault)");
		return;
	}
	if (apply_faults(s, step_of(cmd), cmd))
		return;
	if (is_list_change(s, cmd) && apply_faults(s, "LIST", cmd))
		return;
	if (s->closing) {
		ignore(s, cmd, "OUT sent");
		return;
	}

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
		server_log(s->srv, conn_label(conn), "--", "PNG");
		if (s->state != NS_SIGNED_IN) {
			server_log(s->srv, conn_label(conn), "--", "PNG before USR OK: disconnecting");
			conn_close(conn);
		} else if (s->version == 8) {
			conn_send_line(conn, "QNG");
		} else {
			conn_send_line(conn, "QNG %u", s->srv->qng_interval);
		}
		return;
	}
	if (s->state != NS_SIGNED_IN) {
		ignore(s, cmd, "not signed in");
		return;
	}
	if (nslists_command(s, cmd))
		return;
	if (strcmp(n, "GCF") == 0)
		cmd_gcf(s, cmd);
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
		cmd_qry(s, cmd);
	else
		ignore(s, cmd, "not implemented");
}

/* The framer rejected a command.  For a command unknown in this version
 * (ADD at 10+, SYN at 13+ …) Escargot's answer, from the quoted line in
 * the error: 'Unknown command for NS from client in MSNP10: "ADD 5 …"'. */
static void
on_reject(Conn *conn, const GError *error, gpointer data)
{
	NsSession *s = data;
	const char *q;
	char name[4];
	guint64 trid = 0;

	if (!g_error_matches(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_UNKNOWN_COMMAND) ||
	    s->mute || s->closing)
		return;
	q = strstr(error->message, ": \"");
	if (!q || strlen(q) < 6 || q[6] != ' ')
		return;
	memcpy(name, q + 3, 3);
	name[3] = '\0';
	if (g_ascii_isdigit(q[7]))
		trid = g_ascii_strtoull(q + 7, NULL, 10);
	nslists_rejected(s, name, (guint) MIN(trid, G_MAXUINT32));
}

static void
on_close(Conn *conn, gpointer data)
{
	NsSession *s = data;

	s->srv->ns_sessions = g_list_remove(s->srv->ns_sessions, s);
	presence_session_gone(s);
	/* Its switchboard connections end with it (the others get BYE). */
	sb_ns_gone(s->srv, conn_label(conn));
	session_free(s);
}

static const ConnHandlers ns_handlers = {
	.on_command = on_command,
	.on_reject = on_reject,
	.on_close = on_close,
};

gboolean
ns_session_live(NsSession *s)
{
	return s->state == NS_SIGNED_IN && conn_is_open(s->conn) && !s->closing && !s->mute;
}

GList *
ns_sessions_of(Server *srv, Account *a)
{
	GList *out = NULL, *l;

	for (l = srv->ns_sessions; l; l = l->next) {
		NsSession *s = l->data;

		if (s->account == a && ns_session_live(s))
			out = g_list_prepend(out, s);
	}
	return g_list_reverse(out);
}

void
ns_accept(Server *srv, GSocketConnection *sc, NsRole role)
{
	NsSession *s = g_new0(NsSession, 1);

	s->srv = srv;
	s->dispatch = role == NS_ROLE_DISPATCH;
	s->state = NS_NEED_VER;
	s->version = server_max_version(srv);
	s->conn = conn_new(srv, sc, MSN_SERVICE_NS, s->dispatch ? "ds" : "ns", s->version,
	                   &ns_handlers, s);
	conn_set_reply_delay(s->conn, srv->reply_delay_ms);
	srv->ns_sessions = g_list_prepend(srv->ns_sessions, s);
	if (role == NS_ROLE_NS2 && srv->ns2_fail) {
		server_log(srv, conn_label(s->conn), "--", "ns2-fail: closing at once");
		conn_close(s->conn);
		return;
	}
	apply_faults(s, "CONNECT", NULL);
}

/* ---- control channel ------------------------------------------------------------ */

static gboolean
is_account(NsSession *s, const char *email)
{
	return s->account && g_ascii_strcasecmp(s->account->email, email) == 0;
}

char *
ns_control_push(Server *srv, const char *email, const char *line)
{
	GList *l;
	GError *error = NULL;

	/* ns_sessions is newest first. */
	for (l = srv->ns_sessions; l; l = l->next) {
		NsSession *s = l->data;
		char *done;

		if (s->state != NS_SIGNED_IN || !conn_is_open(s->conn) || s->closing ||
		    !is_account(s, email))
			continue;
		if (!send_push(s, line, &error)) {
			done = g_strdup_printf("push %s: %s", email, error->message);
			g_error_free(error);
			return done;
		}
		return g_strdup_printf("push %s: sent on %s", email, conn_label(s->conn));
	}
	return g_strdup_printf("push %s: no signed-in NS connection", email);
}

char *
ns_control_drop(Server *srv, const char *email)
{
	GString *done = g_string_new(NULL);
	GList *l;

	for (l = srv->ns_sessions; l; l = l->next) {
		NsSession *s = l->data;

		if (!conn_is_open(s->conn) || !is_account(s, email))
			continue;
		g_string_append_printf(done, " %s", conn_label(s->conn));
		conn_close(s->conn);
	}
	if (done->len == 0) {
		g_string_free(done, TRUE);
		return g_strdup_printf("drop %s: no NS connection", email);
	}
	g_string_prepend(done, ": closed");
	g_string_prepend(done, email);
	g_string_prepend(done, "drop ");
	return g_string_free(done, FALSE);
}

char *
ns_control_kill(Server *srv)
{
	GList *l;
	guint n = 0;

	for (l = srv->ns_sessions; l; l = l->next) {
		NsSession *s = l->data;

		if (conn_is_open(s->conn)) {
			conn_close(s->conn);
			n++;
		}
	}
	return g_strdup_printf("kill-ns: closed %u NS connection%s", n, n == 1 ? "" : "s");
}

void
ns_free_all(Server *srv)
{
	GList *l, *copy = g_list_copy(srv->ns_sessions);

	for (l = copy; l; l = l->next)
		conn_close(((NsSession *) l->data)->conn);
	g_list_free(copy);
}
