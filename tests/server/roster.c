/* msnp-testserver — list changes with their effects, as Escargot makes them.
 *
 * One set of operations for every way into the lists (the NS commands of
 * 8–14, the SOAP services, the control channel), so that a change looks the
 * same to everyone else whichever way it came:
 *
 *   alice adds bob to FL   bob's list gets alice on RL (pending when bob has
 *                          her on neither AL nor BL) and bob's sessions get
 *                          ADD 0 RL ver alice name (8–9), ADC 0 RL N= F=
 *                          (10–12), ADL 0 with l="8" and a NOT ABCHInternal
 *                          (13–14)
 *   alice drops bob off FL bob's RL (and pending) goes: REM 0 RL [ver] alice,
 *                          RML 0 with l="8"
 *   alice changes AL/BL    what bob sees of alice is re-evaluated (NLN/FLN)
 *   any change             alice's other sessions get the TrID 0 copy
 *                          (ADD/ADC/REM 0 …; NOT at 13+); a change from the
 *                          control channel goes to all of them, one made
 *                          over SOAP to none
 *
 * Every change is logged as "-- lists OWNER: …" (see --help).
 */
#include "testserver.h"

#include <string.h>

guint
roster_error_code(RosterResult r, guint version)
{
	switch (r) {
	case ROSTER_OK: return 0;
	case ROSTER_NO_USER:
	case ROSTER_NO_CONTACT: return version < 10 ? 205 : 208;
	case ROSTER_LIST_FULL: return 210;
	case ROSTER_ALREADY: return 215;
	case ROSTER_NOT_ON_LIST: return 216;
	case ROSTER_TOO_MANY_GROUPS: return 223;
	case ROSTER_NO_GROUP: return 224;
	case ROSTER_GROUP_EXISTS: return 228;
	case ROSTER_GROUP_TOO_LONG: return 229;
	case ROSTER_GROUP_ZERO: return 230;
	}
	return 500;
}

static const char *
list_name(guint list)
{
	switch (list) {
	case LIST_FL: return "FL";
	case LIST_AL: return "AL";
	case LIST_BL: return "BL";
	case LIST_RL: return "RL";
	default: return "PL";
	}
}

gboolean
roster_allows(Account *owner, const char *watcher)
{
	Contact *c = lists_find(owner, watcher);

	if (c && (c->lists & LIST_BL))
		return FALSE;
	if (owner->blp_bl && !(c && (c->lists & LIST_AL)))
		return FALSE;
	return TRUE;
}

/* ---- 13+ payloads ------------------------------------------------------------------ */

/* <ml><d n="example.com"><c n="bob" t="1" l="8" f="Bob%20B." /></d></ml> */
static char *
ml_payload(const char *handle, guint network, guint bits, const char *friendly)
{
	const char *at = strrchr(handle, '@');
	char *local = at ? g_strndup(handle, (gsize) (at - handle)) : g_strdup(handle);
	char *f = friendly ? g_uri_escape_string(friendly, NULL, FALSE) : NULL;
	char *out = g_strdup_printf("<ml><d n=\"%s\"><c n=\"%s\" t=\"%u\" l=\"%u\"%s%s%s /></d></ml>",
	                            at ? at + 1 : "", local, network, bits,
	                            f ? " f=\"" : "", f ? f : "", f ? "\"" : "");

	g_free(local);
	g_free(f);
	return out;
}

void
roster_notify_ab_changed(Server *srv, Account *a, NsSession *except)
{
	GList *sessions = ns_sessions_of(srv, a), *l;
	char *cid = lists_cid(a->guid);
	char *now = util_iso_time(0);
	guint member = g_str_hash(a->email) & 0x7fffffff;
	char *payload = g_strdup_printf(
		"<NOTIFICATION id=\"0\" siteid=\"45705\" siteurl=\"http://contacts.msn.com\">"
		"<TO pid=\"0x%08x:0x%08x\" name=\"%s\"><VIA agent=\"messenger\" /></TO>"
		"<MSG id=\"0\"><SUBSCR url=\"s.htm\" /><ACTION url=\"a.htm\" /><BODY>"
		"&lt;NotificationData xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
		"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"&gt;"
		"&lt;Service&gt;ABCHInternal&lt;/Service&gt;&lt;CID&gt;%s&lt;/CID&gt;"
		"&lt;LastModifiedDate&gt;%s&lt;/LastModifiedDate&gt;"
		"&lt;HasNewItem&gt;false&lt;/HasNewItem&gt;&lt;/NotificationData&gt;"
		"</BODY></MSG></NOTIFICATION>", member, 1u, a->email, cid, now);

	for (l = sessions; l; l = l->next) {
		NsSession *s = l->data;

		if (s != except && s->version >= 13)
			conn_send_payload(s->conn, "NOT", payload, strlen(payload));
	}
	g_list_free(sessions);
	g_free(payload);
	g_free(now);
	g_free(cid);
}

/* ---- pushes ------------------------------------------------------------------------ */

/* owner's other sessions learn of owner's change (TrID 0 copies). */
static void
copy_to_owner(Server *srv, Account *owner, Origin origin, gboolean add, guint list,
              const char *handle, const char *guid, const char *friendly, Group *group)
{
	GList *sessions, *l;
	gboolean ab = FALSE;
	char *name = util_url_escape_param(friendly ? friendly : handle);

	if (origin.soap)
		goto out;
	sessions = ns_sessions_of(srv, owner);
	for (l = sessions; l; l = l->next) {
		NsSession *s = l->data;
		const char *ln = list_name(list);

		if (s == origin.session)
			continue;
		if (s->version >= 13) {
			ab = TRUE;
		} else if (s->version <= 9) {
			GString *line = g_string_new(NULL);

			g_string_printf(line, "%s 0 %s %u %s", add ? "ADD" : "REM", ln,
			                owner->list_version, handle);
			if (add)
				g_string_append_printf(line, " %s", list == LIST_FL ? name : handle);
			if (group)
				g_string_append_printf(line, " %u", group->id);
			conn_send_line(s->conn, "%s", line->str);
			g_string_free(line, TRUE);
		} else if (add && list == LIST_FL && group) {
			conn_send_line(s->conn, "ADC 0 FL C=%s %s", guid, group->guid);
		} else if (add && list == LIST_FL) {
			conn_send_line(s->conn, "ADC 0 FL N=%s F=%s C=%s", handle, name, guid);
		} else if (add) {
			conn_send_line(s->conn, "ADC 0 %s N=%s", ln, handle);
		} else if (list == LIST_FL) {
			if (group)
				conn_send_line(s->conn, "REM 0 FL %s %s", guid, group->guid);
			else
				conn_send_line(s->conn, "REM 0 FL %s", guid);
		} else {
			conn_send_line(s->conn, "REM 0 %s %s", ln, handle);
		}
	}
	g_list_free(sessions);
	if (ab)
		roster_notify_ab_changed(srv, owner, origin.session);
out:
	g_free(name);
}

/* a's sessions learn that adder put a on its FL (or took it off). */
static void
push_reverse(Server *srv, Account *a, const char *adder, guint network, const char *friendly,
             gboolean add)
{
	GList *sessions = ns_sessions_of(srv, a), *l;
	char *name = util_url_escape_param(friendly ? friendly : adder);
	char *ml = ml_payload(adder, network, LIST_RL, add ? (friendly ? friendly : adder) : NULL);
	gboolean ab = FALSE;

	for (l = sessions; l; l = l->next) {
		NsSession *s = l->data;

		if (s->version <= 9) {
			if (add)
				conn_send_line(s->conn, "ADD 0 RL %u %s %s", a->list_version, adder, name);
			else
				conn_send_line(s->conn, "REM 0 RL %u %s", a->list_version, adder);
		} else if (s->version <= 12) {
			if (add)
				conn_send_line(s->conn, "ADC 0 RL N=%s F=%s", adder, name);
			else
				conn_send_line(s->conn, "REM 0 RL %s", adder);
		} else {
			conn_send_payload(s->conn, add ? "ADL 0" : "RML 0", ml, strlen(ml));
			ab = add;
		}
	}
	g_list_free(sessions);
	/* Escargot follows a 13+ "someone added you" with an address-book notice. */
	if (ab)
		roster_notify_ab_changed(srv, a, NULL);
	g_free(ml);
	g_free(name);
}

/* adder (an account) put target on its FL: target gets adder on RL. */
static void
reverse_add(Server *srv, Account *target, const char *adder, guint network,
            const char *friendly, gboolean force_pending)
{
	Contact *c = lists_ensure(srv, target, adder, network, friendly);
	gboolean newly = !(c->lists & LIST_RL);

	if (!newly && !(force_pending && !c->pending))
		return;
	lists_set(target, c, LIST_RL);
	if (force_pending || (newly && !(c->lists & (LIST_AL | LIST_BL))))
		c->pending = TRUE;
	target->list_version++;
	server_logf(srv, "server", "-- lists %s: +RL %s%s", target->email, c->handle,
	            c->pending ? " (pending)" : "");
	push_reverse(srv, target, c->handle, c->network, friendly, TRUE);
}

static void
reverse_remove(Server *srv, Account *target, Contact *c)
{
	char *handle;
	guint network;

	if (!(c->lists & LIST_RL) && !c->pending)
		return;
	handle = g_strdup(c->handle);
	network = c->network;
	lists_clear(target, c, LIST_RL);
	c->pending = FALSE;
	target->list_version++;
	server_logf(srv, "server", "-- lists %s: -RL %s", target->email, handle);
	lists_drop_if_empty(target, c);
	push_reverse(srv, target, handle, network, NULL, FALSE);
	g_free(handle);
}

/* ---- changes --------------------------------------------------------------------------- */

static guint
limit_of(Server *srv, guint list)
{
	switch (list) {
	case LIST_FL: return srv->limits.fl;
	case LIST_AL: return srv->limits.al;
	case LIST_BL: return srv->limits.bl;
	default: return 0;
	}
}

RosterResult
roster_add(Server *srv, Account *owner, const char *handle, guint network, guint list,
           const char *friendly, Group *group, Origin origin, Contact **out)
{
	Contact *c = lists_find(owner, handle);
	guint limit = limit_of(srv, list);
	gboolean was_on;
	Account *other;

	/* Yahoo users (network 32) live elsewhere: any handle will do. */
	if (!c && network != NETWORK_YAHOO && !lists_user_exists(srv, handle))
		return ROSTER_NO_USER;
	if (c && (c->lists & list)) {
		/* Escargot echoes a re-add; only an FL add into a group the
		 * contact is already in is an error. */
		if (list == LIST_FL && group && contact_in_group(c, group))
			return ROSTER_ALREADY;
	} else if (limit && lists_count(owner, list) >= limit) {
		return ROSTER_LIST_FULL;
	}
	c = lists_ensure(srv, owner, handle, network, friendly);
	was_on = (c->lists & list) != 0;
	if (friendly && *friendly && strcmp(friendly, c->friendly) != 0 && list == LIST_FL) {
		g_free(c->friendly);
		c->friendly = g_strdup(friendly);
	}
	lists_set(owner, c, list);
	if (group && list == LIST_FL)
		contact_add_group(c, group);
	owner->list_version++;
	if (group && list == LIST_FL)
		server_logf(srv, "server", "-- lists %s: +%s %s group \"%s\"", owner->email,
		            list_name(list), c->handle, group->name);
	else
		server_logf(srv, "server", "-- lists %s: +%s %s%s", owner->email, list_name(list),
		            c->handle, was_on ? " (again)" : "");
	copy_to_owner(srv, owner, origin, TRUE, list, c->handle, c->guid, c->friendly,
	              list == LIST_FL ? group : NULL);
	other = accounts_find(srv, c->handle);
	if (other && other != owner) {
		if (list == LIST_FL && !was_on)
			reverse_add(srv, other, owner->email, NETWORK_MSN, owner->friendly, FALSE);
		if ((list == LIST_AL || list == LIST_BL) && !was_on)
			presence_refresh(srv, other, owner->email, NULL, 0);
	}
	if (out)
		*out = c;
	return ROSTER_OK;
}

RosterResult
roster_remove(Server *srv, Account *owner, Contact *c, guint list, Group *group, Origin origin)
{
	char *handle, *guid;
	Account *other;

	if (list == LIST_PL) {
		if (!c->pending)
			return ROSTER_NOT_ON_LIST;
		c->pending = FALSE;
	} else if (!(c->lists & list)) {
		return ROSTER_NOT_ON_LIST;
	} else if (list == LIST_FL && group) {
		/* Escargot: taking a contact out of a group it is not in is no error. */
		contact_remove_group(c, group);
	} else {
		group = NULL;
		lists_clear(owner, c, list);
	}
	owner->list_version++;
	handle = g_strdup(c->handle);
	guid = g_strdup(c->guid);
	if (group)
		server_logf(srv, "server", "-- lists %s: -%s %s group \"%s\"", owner->email,
		            list_name(list), handle, group->name);
	else
		server_logf(srv, "server", "-- lists %s: -%s %s", owner->email, list_name(list), handle);
	lists_drop_if_empty(owner, c);
	c = NULL;
	copy_to_owner(srv, owner, origin, FALSE, list, handle, guid, NULL, group);
	other = accounts_find(srv, handle);
	if (other && other != owner) {
		if (list == LIST_FL && !group) {
			Contact *back = lists_find(other, owner->email);

			if (back)
				reverse_remove(srv, other, back);
		}
		if (list == LIST_AL || list == LIST_BL)
			presence_refresh(srv, other, owner->email, NULL, 0);
	}
	/* The owner no longer watches a contact it took off FL. */
	if (list == LIST_FL && !group)
		presence_refresh(srv, owner, handle, NULL, 0);
	g_free(handle);
	g_free(guid);
	return ROSTER_OK;
}

void
roster_reverse_add(Server *srv, Account *owner, const char *handle, guint network,
                   gboolean pending)
{
	Account *adder = accounts_find(srv, handle);

	reverse_add(srv, owner, handle, network, adder ? adder->friendly : NULL, pending);
}

void
roster_reverse_remove(Server *srv, Account *owner, Contact *c)
{
	reverse_remove(srv, owner, c);
}

/* ---- groups ------------------------------------------------------------------------------ */

static RosterResult
check_group_name(Account *a, const char *name, Group *self)
{
	Group *g;

	if (g_utf8_strlen(name, -1) > GROUP_NAME_MAX)
		return ROSTER_GROUP_TOO_LONG;
	if (strcmp(name, "(No Group)") == 0)
		return ROSTER_GROUP_EXISTS;
	g = lists_group_by_name(a, name);
	if (g && g != self)
		return ROSTER_GROUP_EXISTS;
	return ROSTER_OK;
}

RosterResult
roster_group_add(Server *srv, Account *a, const char *name, Group **out)
{
	RosterResult r = check_group_name(a, name, NULL);
	Group *g;

	if (r)
		return r;
	if (srv->limits.groups && a->groups->len >= srv->limits.groups)
		return ROSTER_TOO_MANY_GROUPS;
	g = lists_group_new(a, name);
	a->list_version++;
	server_logf(srv, "server", "-- lists %s: +group %u %s \"%s\"", a->email, g->id, g->guid, name);
	if (out)
		*out = g;
	return ROSTER_OK;
}

RosterResult
roster_group_rename(Server *srv, Account *a, Group *g, const char *name)
{
	RosterResult r = check_group_name(a, name, g);

	if (r)
		return r;
	server_logf(srv, "server", "-- lists %s: group %u \"%s\" renamed \"%s\"", a->email, g->id,
	            g->name, name);
	g_free(g->name);
	g->name = g_strdup(name);
	a->list_version++;
	return ROSTER_OK;
}

RosterResult
roster_group_remove(Server *srv, Account *a, Group *g)
{
	server_logf(srv, "server", "-- lists %s: -group %u \"%s\"", a->email, g->id, g->name);
	lists_group_free_in(a, g);
	a->list_version++;
	return ROSTER_OK;
}

RosterResult
roster_group_contact_add(Server *srv, Account *a, Group *g, Contact *c)
{
	if (contact_in_group(c, g))
		return ROSTER_ALREADY;
	contact_add_group(c, g);
	a->list_version++;
	server_logf(srv, "server", "-- lists %s: +FL %s group \"%s\"", a->email, c->handle, g->name);
	return ROSTER_OK;
}

RosterResult
roster_group_contact_remove(Server *srv, Account *a, Group *g, Contact *c)
{
	if (!contact_remove_group(c, g))
		return ROSTER_NOT_ON_LIST;
	a->list_version++;
	server_logf(srv, "server", "-- lists %s: -FL %s group \"%s\"", a->email, c->handle, g->name);
	return ROSTER_OK;
}

/* ---- settings ------------------------------------------------------------------------------ */

void
roster_set_blp(Server *srv, Account *a, gboolean bl)
{
	guint i;

	if (a->blp_bl == bl)
		return;
	a->blp_bl = bl;
	server_logf(srv, "server", "-- lists %s: BLP %s", a->email, bl ? "BL" : "AL");
	/* Everyone who watches a may see it differently now. */
	for (i = 0; srv->accounts && i < srv->accounts->len; i++) {
		Account *w = g_ptr_array_index(srv->accounts, i);
		Contact *c = w != a ? lists_find(w, a->email) : NULL;

		if (c && (c->lists & LIST_FL))
			presence_refresh(srv, w, a->email, NULL, 0);
	}
}

void
roster_set_gtc(Server *srv, Account *a, char gtc)
{
	if (a->gtc == gtc)
		return;
	a->gtc = gtc;
	server_logf(srv, "server", "-- lists %s: GTC %c", a->email, gtc);
}

void
roster_set_friendly(Server *srv, Account *a, const char *friendly)
{
	if (!friendly || !*friendly || strcmp(friendly, a->friendly) == 0)
		return;
	g_free(a->friendly);
	a->friendly = g_strdup(friendly);
	server_logf(srv, "server", "-- lists %s: name \"%s\"", a->email, friendly);
	presence_update(srv, a->email);
}

/* ---- control channel ------------------------------------------------------------------------ */

/* add-contact|remove-contact OWNER HANDLE[/NETWORK] LISTS [FRIENDLY…] */
char *
roster_control_change(Server *srv, gboolean add, const char *args)
{
	const char *cmd = add ? "add-contact" : "remove-contact";
	char **f = g_strsplit(args, " ", 4);
	Account *owner;
	char *handle = NULL, *slash, *result = NULL;
	guint bits = 0, network = NETWORK_MSN;
	GString *done = g_string_new(NULL);
	Origin elsewhere = { NULL, FALSE };
	static const guint order[] = { LIST_FL, LIST_AL, LIST_BL, LIST_RL, LIST_PL };
	guint i;

	if (g_strv_length(f) < 3 || !lists_parse_bits(f[2], &bits)) {
		result = g_strdup_printf("usage: %s OWNER HANDLE[/32] FL,AL,BL,RL,PL [FRIENDLY]", cmd);
		goto out;
	}
	owner = accounts_find(srv, f[0]);
	if (!owner) {
		result = g_strdup_printf("%s: %s is no account", cmd, f[0]);
		goto out;
	}
	handle = g_ascii_strdown(f[1], -1);
	slash = strchr(handle, '/');
	if (slash) {
		network = (guint) g_ascii_strtoull(slash + 1, NULL, 10);
		*slash = '\0';
	}
	if (!lists_valid_handle(handle)) {
		result = g_strdup_printf("%s: %s is no handle", cmd, f[1]);
		goto out;
	}
	/* A handle named here exists from now on (as if it had signed up). */
	lists_register_user(srv, handle);
	for (i = 0; i < G_N_ELEMENTS(order); i++) {
		guint list = order[i];
		RosterResult r = ROSTER_OK;
		Contact *c;

		if (!(bits & list))
			continue;
		if (add && list == LIST_RL) {
			roster_reverse_add(srv, owner, handle, network, (bits & LIST_PL) != 0);
		} else if (add && list == LIST_PL) {
			if (!(bits & LIST_RL))
				roster_reverse_add(srv, owner, handle, network, TRUE);
		} else if (add) {
			r = roster_add(srv, owner, handle, network, list, f[3], NULL, elsewhere, NULL);
			if (r == ROSTER_OK && list == LIST_FL)
				presence_refresh(srv, owner, handle, NULL, 0);
		} else if ((c = lists_find(owner, handle)) == NULL) {
			r = ROSTER_NO_CONTACT;
		} else if (list == LIST_RL) {
			roster_reverse_remove(srv, owner, c);
		} else {
			r = roster_remove(srv, owner, c, list, NULL, elsewhere);
		}
		g_string_append_printf(done, " %s%s%s", add ? "+" : "-", list_name(list),
		                       r == ROSTER_OK ? "" : r == ROSTER_NOT_ON_LIST ? "(not on it)" :
		                       r == ROSTER_NO_CONTACT ? "(not on any list)" :
		                       r == ROSTER_LIST_FULL ? "(list full)" : "(failed)");
	}
	result = g_strdup_printf("%s %s %s:%s", cmd, owner->email, handle, done->str);
out:
	g_string_free(done, TRUE);
	g_free(handle);
	g_strfreev(f);
	return result;
}

char *
roster_control_dump(Server *srv, const char *email)
{
	Account *a = accounts_find(srv, email);

	if (!a)
		return g_strdup_printf("dump %s: no such account", email);
	lists_dump(srv, a);
	return g_strdup_printf("dump %s: %u contacts, %u groups", a->email, a->contacts->len,
	                       a->groups->len);
}
