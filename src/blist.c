/* purple-msnp — the roster mirrored into libpurple's buddy list.
 *
 * libpurple's convenient calls scan lists: appending a buddy walks its group's
 * children, purple_privacy_permit_add walks the permit list.  With 20,000
 * contacts that is quadratic, so this file inserts after a remembered node and
 * builds the privacy lists in one pass.
 */
#include "blist.h"

#include <string.h>

#include <blist.h>
#include <debug.h>
#include <privacy.h>

#include "contacts.h"
#include "msnp.h"

const char *
msn_blist_default_group(void)
{
	return _("Other Contacts");
}

/* What a whole-list mirror keeps, so each contact costs a few lookups. */
typedef struct {
	GHashTable *tails;     /* PurpleGroup* -> PurpleBlistNode* (last contact/chat) */
	GHashTable *present;   /* PurpleGroup* -> (lower-case handle -> PurpleBuddy*) */
	GHashTable *groups;    /* MsnGroup* -> PurpleGroup* */
	GHashTable *asked;     /* handles with an "auth-asked/" setting (see ask_authorization) */
} SyncState;

#define AUTH_ASKED "auth-asked/"

static gboolean
has_upper(const char *s)
{
	for (; *s; s++)
		if (g_ascii_isupper(*s))
			return TRUE;
	return FALSE;
}

/* Notes that buddy b is in the list (the mirror keeps it or removes it). */
static void
present_add(SyncState *st, PurpleBuddy *b)
{
	PurpleGroup *g = purple_buddy_get_group(b);
	GHashTable *in = g_hash_table_lookup(st->present, g);

	if (in == NULL) {
		in = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
		g_hash_table_insert(st->present, g, in);
	}
	g_hash_table_replace(in, g_ascii_strdown(purple_buddy_get_name(b), -1), b);
}

/* The buddy for handle in g the list had, taken off the to-remove list. */
static PurpleBuddy *
present_take(SyncState *st, const char *handle, PurpleGroup *g)
{
	GHashTable *in = g_hash_table_lookup(st->present, g);
	char *lower;
	PurpleBuddy *b;

	if (in == NULL)
		return NULL;
	lower = has_upper(handle) ? g_ascii_strdown(handle, -1) : NULL;
	b = g_hash_table_lookup(in, lower ? lower : handle);
	if (b)
		g_hash_table_remove(in, lower ? lower : handle);
	g_free(lower);
	return b;
}

static PurpleGroup *
ensure_group(const char *name)
{
	PurpleGroup *g = purple_find_group(name);

	if (g == NULL) {
		g = purple_group_new(name);
		purple_blist_add_group(g, NULL);
	}
	return g;
}

static PurpleBlistNode *
group_tail(SyncState *st, PurpleGroup *g)
{
	PurpleBlistNode *tail;

	if (g_hash_table_lookup_extended(st->tails, g, NULL, (gpointer *)&tail))
		return tail;
	/* Walked once per group, not once per buddy. */
	tail = purple_blist_node_get_first_child(PURPLE_BLIST_NODE(g));
	while (tail && purple_blist_node_get_sibling_next(tail))
		tail = purple_blist_node_get_sibling_next(tail);
	g_hash_table_insert(st->tails, g, tail);
	return tail;
}

static PurpleBuddy *
add_buddy_fast(SyncState *st, PurpleAccount *account, const char *handle, PurpleGroup *g)
{
	PurpleBuddy *b = purple_buddy_new(account, handle, NULL);
	PurpleContact *c = purple_contact_new();
	PurpleBlistNode *tail = group_tail(st, g);

	purple_blist_add_contact(c, g, tail);
	purple_blist_add_buddy(b, c, g, NULL);
	g_hash_table_insert(st->tails, g, PURPLE_BLIST_NODE(c));
	return b;
}

typedef struct {
	MsnSession *session;
	SyncState *st;
	PurpleGroup *fallback;
	GSList *permit, *deny;
	guint added, asked;
} Walk;

static void authorize_cb(void *data);
static void deny_cb(void *data);

/* A request's data must not be owned memory: libpurple drops unanswered
 * requests (account removed, UI closed) without telling us.  So the data is
 * an interned "username\001handle" string, looked up again on the answer. */
static gpointer
request_key(PurpleAccount *account, const char *handle)
{
	char *key = g_strdup_printf("%s\001%s", purple_account_get_username(account), handle);
	const char *interned = g_intern_string(key);

	g_free(key);
	return (gpointer)interned;
}

static void
ask_authorization(MsnSession *session, MsnContact *c)
{
	char *key = g_strconcat(AUTH_ASKED, c->handle, NULL);

	/* Asked once: a request the user has not answered is not asked again at
	 * every sign-in. */
	if (purple_account_get_bool(session->account, key, FALSE)) {
		g_free(key);
		return;
	}
	purple_account_set_bool(session->account, key, TRUE);
	g_free(key);
	purple_account_request_authorization(session->account, c->handle, NULL, c->friendly,
	                                     NULL, (c->lists & MSN_LIST_FL) != 0,
	                                     authorize_cb, deny_cb,
	                                     request_key(session->account, c->handle));
}

void
msn_blist_ask(MsnSession *session, MsnContact *contact)
{
	ask_authorization(session, contact);
}

static void
answer(const char *key, gboolean allow)
{
	const char *sep = strchr(key, '\001');
	char *username = g_strndup(key, (gsize)(sep - key));
	const char *handle = sep + 1;
	PurpleAccount *account = purple_accounts_find(username, MSNP_PLUGIN_ID);
	PurpleConnection *gc = account ? purple_account_get_connection(account) : NULL;
	char *setting = g_strconcat(AUTH_ASKED, handle, NULL);

	/* The session that asked may be gone (signed out meanwhile). */
	if (gc && gc->proto_data && purple_connection_get_state(gc) == PURPLE_CONNECTED)
		msn_contacts_decide(gc->proto_data, handle, allow);
	else if (account)
		/* Not answered on the server: ask again next time. */
		purple_account_remove_setting(account, setting);
	g_free(setting);
	g_free(username);
}

static void
authorize_cb(void *data)
{
	answer(data, TRUE);
}

static void
deny_cb(void *data)
{
	answer(data, FALSE);
}

/* The libpurple group for a roster group, looked up once per mirror. */
static PurpleGroup *
purple_group_for(SyncState *st, MsnGroup *mg)
{
	PurpleGroup *g = g_hash_table_lookup(st->groups, mg);

	if (g == NULL) {
		g = ensure_group(mg->name);
		g_hash_table_insert(st->groups, mg, g);
	}
	return g;
}

/* The handles this account has an "auth-asked/" setting set for. */
static GHashTable *
asked_handles(PurpleAccount *account)
{
	GHashTable *asked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, account->settings);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (g_str_has_prefix(key, AUTH_ASKED) && purple_account_get_bool(account, key, FALSE))
			g_hash_table_add(asked, g_strdup((const char *)key + strlen(AUTH_ASKED)));
	return asked;
}

static void
sync_contact(gpointer data, gpointer user)
{
	MsnContact *c = data;
	Walk *w = user;
	PurpleAccount *account = w->session->account;
	guint i, n;

	if (c->lists & MSN_LIST_AL)
		w->permit = g_slist_prepend(w->permit, g_strdup(purple_normalize(account, c->handle)));
	if (c->lists & MSN_LIST_BL)
		w->deny = g_slist_prepend(w->deny, g_strdup(purple_normalize(account, c->handle)));
	if (msn_contact_needs_decision(c)) {
		ask_authorization(w->session, c);
		w->asked++;
	} else if (g_hash_table_contains(w->st->asked, c->handle)) {
		/* Decided: a later request from this contact is a new one. */
		char *key = g_strconcat(AUTH_ASKED, c->handle, NULL);
		purple_account_remove_setting(account, key);
		g_free(key);
	}
	if (!(c->lists & MSN_LIST_FL))
		return;

	n = c->groups && c->groups->len ? c->groups->len : 1;
	for (i = 0; i < n; i++) {
		PurpleGroup *g;
		PurpleBuddy *b;

		if (c->groups && c->groups->len) {
			g = purple_group_for(w->st, g_ptr_array_index(c->groups, i));
		} else {
			/* Made when first needed: an empty group is clutter. */
			if (w->fallback == NULL)
				w->fallback = ensure_group(msn_blist_default_group());
			g = w->fallback;
		}
		b = present_take(w->st, c->handle, g);
		if (b == NULL) {
			b = add_buddy_fast(w->st, account, c->handle, g);
			w->added++;
		}
		if (g_strcmp0(purple_buddy_get_server_alias(b), c->friendly) != 0)
			purple_blist_server_alias_buddy(b, c->friendly);
	}
}

static void
replace_list(GSList **list, GSList *items)
{
	g_slist_free_full(*list, g_free);
	*list = g_slist_reverse(items);
}

void
msn_blist_sync(MsnSession *session)
{
	PurpleAccount *account = session->account;
	SyncState st;
	Walk w = { 0 };
	GSList *existing, *l;
	GHashTableIter it, in_it;
	gpointer value;
	guint removed = 0;
	gint64 start = g_get_monotonic_time();
	GPtrArray *groups = msn_roster_groups(session->roster);
	guint i;

	session->mirroring++;
	st.tails = g_hash_table_new(g_direct_hash, g_direct_equal);
	st.present = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	                                   (GDestroyNotify)g_hash_table_unref);
	st.groups = g_hash_table_new(g_direct_hash, g_direct_equal);
	st.asked = asked_handles(account);

	/* Groups first, in the server's order. */
	for (i = 0; i < groups->len; i++)
		purple_group_for(&st, g_ptr_array_index(groups, i));

	/* What libpurple already has for this account (from blist.xml). */
	existing = purple_find_buddies(account, NULL);
	for (l = existing; l; l = l->next)
		present_add(&st, l->data);
	g_slist_free(existing);

	w.session = session;
	w.st = &st;
	msn_roster_foreach(session->roster, sync_contact, &w);

	/* Whatever is left is not on the server's forward list (in that group). */
	g_hash_table_iter_init(&it, st.present);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		gpointer b;

		g_hash_table_iter_init(&in_it, value);
		while (g_hash_table_iter_next(&in_it, NULL, &b)) {
			purple_blist_remove_buddy(b);
			removed++;
		}
	}

	/* Privacy: built in one pass, not contact by contact. */
	replace_list(&account->permit, w.permit);
	replace_list(&account->deny, w.deny);
	account->perm_deny = session->blp == 'B' ? PURPLE_PRIVACY_ALLOW_USERS
	                                         : PURPLE_PRIVACY_DENY_USERS;
	purple_blist_schedule_save();

	g_hash_table_destroy(st.present);
	g_hash_table_destroy(st.tails);
	g_hash_table_destroy(st.groups);
	g_hash_table_destroy(st.asked);
	session->mirroring--;
	session->list_ready = TRUE;
	purple_debug_info("msnp", "buddy list: %u contacts, %u buddies added, %u removed, "
	                  "%u requests, %.3f s\n", msn_roster_size(session->roster), w.added,
	                  removed, w.asked, (g_get_monotonic_time() - start) / 1e6);
}

/* The names of the libpurple groups a contact belongs in. */
static GPtrArray *
wanted_groups(MsnContact *c)
{
	GPtrArray *names = g_ptr_array_new();
	guint i;

	if (c == NULL || !(c->lists & MSN_LIST_FL))
		return names;
	for (i = 0; c->groups && i < c->groups->len; i++)
		g_ptr_array_add(names, ((MsnGroup *)g_ptr_array_index(c->groups, i))->name);
	if (names->len == 0)
		g_ptr_array_add(names, (gpointer)msn_blist_default_group());
	return names;
}

static gboolean
on_list(GSList *list, const char *norm)
{
	for (; list; list = list->next)
		if (g_strcmp0(list->data, norm) == 0)
			return TRUE;
	return FALSE;
}

void
msn_blist_contact_changed(MsnSession *session, const char *handle)
{
	PurpleAccount *account = session->account;
	MsnContact *c = msn_roster_find(session->roster, handle);
	GPtrArray *want = wanted_groups(c);
	gboolean *have = g_new0(gboolean, want->len + 1);
	GSList *buddies = purple_find_buddies(account, handle), *l;
	char *norm = g_strdup(purple_normalize(account, handle));
	guint i;

	session->mirroring++;
	for (l = buddies; l; l = l->next) {
		PurpleBuddy *b = l->data;
		const char *gname = purple_group_get_name(purple_buddy_get_group(b));
		gboolean keep = FALSE;
		for (i = 0; i < want->len; i++)
			if (!have[i] && strcmp(g_ptr_array_index(want, i), gname) == 0)
				keep = have[i] = TRUE;
		if (!keep)
			purple_blist_remove_buddy(b);
		else if (g_strcmp0(purple_buddy_get_server_alias(b), c->friendly) != 0)
			purple_blist_server_alias_buddy(b, c->friendly);
	}
	for (i = 0; i < want->len; i++) {
		if (!have[i]) {
			PurpleBuddy *b = purple_buddy_new(account, c->handle, NULL);
			purple_blist_add_buddy(b, NULL, ensure_group(g_ptr_array_index(want, i)), NULL);
			if (c->friendly)
				purple_blist_server_alias_buddy(b, c->friendly);
		}
	}
	/* Privacy entries, locally (libpurple must not echo them to us). */
	if (c && (c->lists & MSN_LIST_AL)) {
		if (!on_list(account->permit, norm))
			purple_privacy_permit_add(account, norm, TRUE);
	} else if (on_list(account->permit, norm))
		purple_privacy_permit_remove(account, norm, TRUE);
	if (c && (c->lists & MSN_LIST_BL)) {
		if (!on_list(account->deny, norm))
			purple_privacy_deny_add(account, norm, TRUE);
	} else if (on_list(account->deny, norm))
		purple_privacy_deny_remove(account, norm, TRUE);
	session->mirroring--;

	g_slist_free(buddies);
	g_ptr_array_free(want, TRUE);
	g_free(have);
	g_free(norm);
}

void
msn_blist_rename_group_back(MsnSession *session, const char *current, const char *old_name)
{
	PurpleGroup *g = purple_find_group(current);

	if (g == NULL)
		return;
	session->mirroring++;
	purple_blist_rename_group(g, old_name);
	session->mirroring--;
}

void
msn_blist_restore_group(MsnSession *session, const char *name)
{
	/* Rare: the whole list is mirrored again. */
	msn_blist_sync(session);
}

void
msn_blist_restore_privacy(MsnSession *session)
{
	session->account->perm_deny = session->blp == 'B' ? PURPLE_PRIVACY_ALLOW_USERS
	                                                  : PURPLE_PRIVACY_DENY_USERS;
	purple_blist_schedule_save();
}
