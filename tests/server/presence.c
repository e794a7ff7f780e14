/* msnp-testserver — presence fan-out.
 *
 * A user's presence is that of its newest signed-in NS session that has sent
 * CHG (status, capabilities, MSNObject; PSM from UUX; the account's display
 * name), or a virtual presence (--presence, control "status") for users
 * without a client.  HDN shows as offline.
 *
 * A session watches the users on its account's FL, from its first CHG on;
 * it sees one online when that user allows it (not on the user's BL, and on
 * its AL if the user's BLP is BL).  Each session remembers the NLN it last
 * got per user, so it is told exactly about changes:
 *
 *   first CHG       ILN trid (same TrID) for every visible online FL contact,
 *                   each followed by UBX (11+) when that user has sent UUX
 *   change          NLN (+ UBX) when what a watcher sees changes: status,
 *                   caps, MSNObject, name; FLN when it goes offline, hidden
 *                   or blocks the watcher (14: "FLN h 1 0" as Escargot)
 *   UUX             UBX to every watcher that sees the user online (11+)
 *   ADD/ADC FL, ADL ILN with that command's TrID when the contact is online
 *
 * Formats: 8 "ILN trid STS h name caps"; 9–13 + msnobj ("%3Cmsnobj%2F%3E"
 * when none, as Escargot); 14 "ILN trid STS h 1 name caps msnobj".  UBX
 * payloads are rebuilt per watcher: below 13 with full entity escaping, at
 * 13+ with only & escaped (&#x26;), as Escargot does.
 */
#include "testserver.h"

#include <string.h>

typedef struct {
	char *handle;
	char *status;             /* NULL: offline (the entry keeps the name) */
	char *friendly;
} VirtualPresence;

/* Escargot's capabilities for users on its other front-ends. */
#define VIRTUAL_CAPS "1073741824"
#define EMPTY_MSNOBJ "%3Cmsnobj%2F%3E"

typedef struct {
	const char *status;
	const char *caps;
	const char *msnobj;       /* URL-encoded, or NULL */
	const char *friendly;
	NsSession *session;       /* NULL for virtual presence */
} Presence;

static void
virtual_free(gpointer p)
{
	VirtualPresence *v = p;

	g_free(v->handle);
	g_free(v->status);
	g_free(v->friendly);
	g_free(v);
}

static VirtualPresence *
virtual_find(Server *srv, const char *handle)
{
	guint i;

	for (i = 0; srv->virtual_presence && i < srv->virtual_presence->len; i++) {
		VirtualPresence *v = g_ptr_array_index(srv->virtual_presence, i);

		if (g_ascii_strcasecmp(v->handle, handle) == 0)
			return v;
	}
	return NULL;
}

static gboolean
is_self(NsSession *s, const char *handle)
{
	return g_ascii_strcasecmp(s->account->email, handle) == 0;
}

/* The presence of handle, ignoring privacy; FALSE when offline. */
static gboolean
presence_of(Server *srv, const char *handle, Presence *p)
{
	Account *a = accounts_find(srv, handle);
	VirtualPresence *v;

	memset(p, 0, sizeof *p);
	if (a) {
		GList *l;

		/* ns_sessions is newest first: the newest online session wins. */
		for (l = srv->ns_sessions; l; l = l->next) {
			NsSession *s = l->data;

			if (s->account != a || !ns_session_live(s) || !s->chg_echoed || !s->status)
				continue;
			p->status = s->status;
			p->caps = s->caps ? s->caps : "0";
			p->msnobj = s->msnobj;
			p->friendly = a->friendly;
			p->session = s;
			return TRUE;
		}
	}
	v = virtual_find(srv, handle);
	if (!v || !v->status)
		return FALSE;
	p->status = v->status;
	p->caps = VIRTUAL_CAPS;
	p->friendly = v->friendly ? v->friendly : (a ? a->friendly : v->handle);
	return TRUE;
}

static gboolean
watching(NsSession *s, const char *handle)
{
	Contact *c = lists_find(s->account, handle);

	return c && (c->lists & LIST_FL) && !is_self(s, handle);
}

/* Whether the watcher session sees handle online; fills p. */
static gboolean
visible(Server *srv, NsSession *watcher, const char *handle, Presence *p)
{
	Account *a;

	if (!presence_of(srv, handle, p) || strcmp(p->status, "HDN") == 0)
		return FALSE;
	a = accounts_find(srv, handle);
	return !a || roster_allows(a, watcher->account->email);
}

/* "STS handle [nid] name caps [msnobj]": what follows ILN trid / NLN. */
static char *
presence_body(NsSession *watcher, const char *handle, const Presence *p)
{
	GString *b = g_string_new(NULL);
	char *name = util_url_escape_param(p->friendly);

	g_string_append_printf(b, "%s %s", p->status, handle);
	if (watcher->version >= 14)
		g_string_append(b, " 1");
	g_string_append_printf(b, " %s %s", name, p->caps);
	if (watcher->version >= 9)
		g_string_append_printf(b, " %s", p->msnobj ? p->msnobj : EMPTY_MSNOBJ);
	g_free(name);
	return g_string_free(b, FALSE);
}

static void
append_xml_text(GString *out, const char *s, guint version)
{
	for (; s && *s; s++) {
		if (version >= 13) {
			if (*s == '&')
				g_string_append(out, "&#x26;");
			else
				g_string_append_c(out, *s);
			continue;
		}
		switch (*s) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '\'': g_string_append(out, "&apos;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		default: g_string_append_c(out, *s);
		}
	}
}

static void
send_ubx(NsSession *watcher, const char *handle, NsSession *from)
{
	GString *data;
	char *head;

	if (watcher->version < 11 || !from || !from->has_uux)
		return;
	data = g_string_new("<Data><PSM>");
	append_xml_text(data, from->psm, watcher->version);
	g_string_append(data, "</PSM><CurrentMedia>");
	append_xml_text(data, from->media, watcher->version);
	g_string_append(data, "</CurrentMedia>");
	if (watcher->version >= 13 && from->machine_guid) {
		g_string_append(data, "<MachineGuid>");
		append_xml_text(data, from->machine_guid, watcher->version);
		g_string_append(data, "</MachineGuid>");
	}
	g_string_append(data, "</Data>");
	head = watcher->version >= 14 ? g_strdup_printf("UBX %s 1", handle)
	                              : g_strdup_printf("UBX %s", handle);
	conn_send_payload(watcher->conn, head, data->str, data->len);
	g_free(head);
	g_string_free(data, TRUE);
}

static void
send_fln(NsSession *s, const char *handle)
{
	if (s->version >= 14)
		conn_send_line(s->conn, "FLN %s 1 0", handle);
	else
		conn_send_line(s->conn, "FLN %s", handle);
}

/* Brings one watcher session up to date about handle.  iln_trid > 0: ILN
 * with that TrID (if visible) instead of NLN, even when nothing changed. */
static void
refresh_one(Server *srv, NsSession *s, const char *handle, guint iln_trid)
{
	Presence p;
	gboolean watch = watching(s, handle);
	gboolean vis = watch && visible(srv, s, handle, &p);
	const char *old;
	char *body, *key;

	if (!s->seen)
		s->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	key = g_ascii_strdown(handle, -1);
	old = g_hash_table_lookup(s->seen, key);
	if (!vis) {
		if (old && watch)
			send_fln(s, key);
		g_hash_table_remove(s->seen, key);
		g_free(key);
		return;
	}
	body = presence_body(s, key, &p);
	if (iln_trid) {
		conn_send_line(s->conn, "ILN %u %s", iln_trid, body);
		send_ubx(s, key, p.session);
	} else if (!old || strcmp(old, body) != 0) {
		conn_send_line(s->conn, "NLN %s", body);
		send_ubx(s, key, p.session);
	}
	g_hash_table_replace(s->seen, key, body);
}

static gboolean
ready(NsSession *s)
{
	return ns_session_live(s) && s->chg_echoed;
}

void
presence_first_chg(NsSession *s, guint trid)
{
	Server *srv = s->srv;
	guint i;

	for (i = 0; srv->accounts && i < srv->accounts->len; i++) {
		Account *a = g_ptr_array_index(srv->accounts, i);

		if (a != s->account && watching(s, a->email))
			refresh_one(srv, s, a->email, trid);
	}
	for (i = 0; srv->virtual_presence && i < srv->virtual_presence->len; i++) {
		VirtualPresence *v = g_ptr_array_index(srv->virtual_presence, i);

		if (!accounts_find(srv, v->handle) && watching(s, v->handle))
			refresh_one(srv, s, v->handle, trid);
	}
	presence_update(srv, s->account->email);
}

void
presence_update(Server *srv, const char *handle)
{
	GList *copy = g_list_copy(srv->ns_sessions), *l;

	for (l = copy; l; l = l->next) {
		NsSession *s = l->data;

		if (ready(s) && watching(s, handle))
			refresh_one(srv, s, handle, 0);
	}
	g_list_free(copy);
}

void
presence_ubx(Server *srv, const char *handle)
{
	Presence p;
	GList *l;
	char *key = g_ascii_strdown(handle, -1);

	if (presence_of(srv, handle, &p) && p.session) {
		for (l = srv->ns_sessions; l; l = l->next) {
			NsSession *s = l->data;

			if (ready(s) && s->seen && g_hash_table_contains(s->seen, key))
				send_ubx(s, key, p.session);
		}
	}
	g_free(key);
}

void
presence_refresh(Server *srv, Account *watcher, const char *handle, NsSession *iln_session,
                 guint iln_trid)
{
	GList *sessions = ns_sessions_of(srv, watcher), *l;

	for (l = sessions; l; l = l->next) {
		NsSession *s = l->data;

		if (ready(s))
			refresh_one(srv, s, handle, s == iln_session ? iln_trid : 0);
	}
	g_list_free(sessions);
}

void
presence_session_gone(NsSession *s)
{
	g_clear_pointer(&s->seen, g_hash_table_unref);
	if (s->account && s->chg_echoed)
		presence_update(s->srv, s->account->email);
}

static gboolean
valid_code(const char *code)
{
	static const char *const ok[] = { "NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN", "HDN",
	                                  "FLN", NULL };
	guint i;

	for (i = 0; ok[i]; i++)
		if (strcmp(code, ok[i]) == 0)
			return TRUE;
	return FALSE;
}

gboolean
presence_set_virtual(Server *srv, const char *handle, const char *code, const char *friendly,
                     GError **error)
{
	VirtualPresence *v;

	if (!lists_valid_handle(handle) || (code && !valid_code(code))) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "expected HANDLE and a status (NLN BSY IDL BRB AWY PHN LUN HDN FLN)");
		return FALSE;
	}
	if (!srv->virtual_presence)
		srv->virtual_presence = g_ptr_array_new_with_free_func(virtual_free);
	v = virtual_find(srv, handle);
	if (!v) {
		v = g_new0(VirtualPresence, 1);
		v->handle = g_ascii_strdown(handle, -1);
		g_ptr_array_add(srv->virtual_presence, v);
	}
	g_free(v->status);
	v->status = code && strcmp(code, "FLN") != 0 ? g_strdup(code) : NULL;
	if (friendly && *friendly) {
		char *d = util_url_decode(friendly);

		g_free(v->friendly);
		v->friendly = d ? d : g_strdup(friendly);
	}
	lists_register_user(srv, handle);
	presence_update(srv, handle);
	return TRUE;
}

/* status HANDLE CODE [FRIENDLY…] (FRIENDLY may use %XX escapes) */
char *
presence_control_status(Server *srv, const char *args)
{
	char **f = g_strsplit(args, " ", 3);
	GError *error = NULL;
	char *result;

	if (g_strv_length(f) < 2) {
		result = g_strdup("usage: status HANDLE NLN|BSY|IDL|BRB|AWY|PHN|LUN|HDN|FLN [FRIENDLY]");
	} else if (!presence_set_virtual(srv, f[0], f[1], f[2], &error)) {
		result = g_strdup_printf("status %s: %s", f[0], error->message);
		g_error_free(error);
	} else {
		result = g_strdup_printf("status %s: now %s", f[0], f[1]);
	}
	g_strfreev(f);
	return result;
}

void
presence_free_all(Server *srv)
{
	g_clear_pointer(&srv->virtual_presence, g_ptr_array_unref);
}
