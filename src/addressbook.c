/* purple-msnp — the MSNP13–14 contact list over the address book services. */
#include "addressbook.h"

#include <string.h>

#include <blist.h>
#include <debug.h>
#include <notify.h>

#include "blist.h"
#include "endpoints.h"
#include "msnp.h"
#include "proto/adl.h"
#include "soap/abch.h"

/* One sign-in's two fetches.  Owned by the session while they run; a fetch
 * that returns after the session ended gets G_IO_ERROR_CANCELLED and only
 * frees its result (the session pointer is not touched then). */
typedef struct {
	MsnSession *session;
	void (*done)(MsnSession *session);
	MsnAbchAddressBook *ab;
	MsnAbchMemberships *members;
	GError *error;
	guint waiting;
	gboolean cancelled;
} Load;

static const char *
contacts_ticket(MsnSession *session)
{
	if (session->tickets == NULL)
		return NULL;
	return session->tickets->contacts ? session->tickets->contacts : session->tickets->messenger;
}

static char *
group_name(const MsnAbchGroup *g)
{
	char *name = g_utf8_make_valid(g->name, -1);

	if (*g_strstrip(name) == '\0') {
		g_free(name);
		name = g_strdup_printf("Group %.8s", g->guid);
	}
	return name;
}

/* The roster from the two replies: FL from the address book, the other lists
 * from the memberships. */
static void
fill_roster(MsnSession *session, MsnAbchAddressBook *ab, MsnAbchMemberships *m)
{
	MsnRoster *r = session->roster;
	guint i, j;

	msn_roster_clear(r);
	for (i = 0; i < ab->groups->len; i++) {
		MsnAbchGroup *g = g_ptr_array_index(ab->groups, i);
		char *name = group_name(g);
		msn_roster_add_group(r, g->guid, name);
		g_free(name);
	}
	for (i = 0; i < ab->contacts->len; i++) {
		MsnAbchContact *ac = g_ptr_array_index(ab->contacts, i);
		MsnContact *c;

		if (!ac->is_messenger_user || ac->network == MSN_NETWORK_PHONE)
			continue;
		c = msn_roster_ensure(r, ac->handle);
		c->lists |= MSN_LIST_FL;
		c->network = ac->network ? ac->network : 1;
		if (ac->guid)
			msn_roster_set_guid(r, c, ac->guid);
		if (ac->display_name && g_ascii_strcasecmp(ac->display_name, ac->handle) != 0)
			msn_roster_set_friendly(c, ac->display_name);
		for (j = 0; ac->group_guids && ac->group_guids[j]; j++) {
			MsnGroup *g = msn_roster_find_group(r, ac->group_guids[j]);
			if (g)
				msn_contact_add_group(c, g);
			else
				purple_debug_warning("msnp", "%s is in group %s, which the address book "
				                     "does not have; showing it ungrouped\n", ac->handle,
				                     ac->group_guids[j]);
		}
		g_free(c->phone_home);
		c->phone_home = g_strdup(ac->phone_home);
		g_free(c->phone_work);
		c->phone_work = g_strdup(ac->phone_work);
		g_free(c->phone_mobile);
		c->phone_mobile = g_strdup(ac->phone_mobile);
	}
	for (i = 0; i < m->members->len; i++) {
		MsnAbchMember *mm = g_ptr_array_index(m->members, i);
		MsnContact *c;

		if (mm->network == MSN_NETWORK_PHONE)
			continue;
		c = msn_roster_ensure(r, mm->handle);
		c->lists |= mm->lists & (MSN_LIST_AL | MSN_LIST_BL | MSN_LIST_RL | MSN_LIST_PL);
		if (mm->network)
			c->network = mm->network;
		if (c->friendly == NULL && mm->display_name &&
		    g_ascii_strcasecmp(mm->display_name, mm->handle) != 0)
			msn_roster_set_friendly(c, mm->display_name);
	}
	session->blp = ab->blp == MSN_ADL_BL ? 'B' : 'A';
	session->gtc = ab->gtc == 'N' ? 'N' : 'A';
	if (ab->me_display_name) {
		purple_connection_set_display_name(session->gc, ab->me_display_name);
		g_free(session->own_name);
		session->own_name = g_strdup(ab->me_display_name);
	}
	for (i = 0; ab->notes && i < ab->notes->len; i++)
		purple_debug_info("msnp", "address book: %s\n", (char *)g_ptr_array_index(ab->notes, i));
}

/* Without the server's lists: what libpurple has, so presence still works
 * and nothing is removed. */
static void
roster_from_blist(MsnSession *session)
{
	PurpleAccount *account = session->account;
	GSList *buddies = purple_find_buddies(account, NULL), *l;

	msn_roster_clear(session->roster);
	for (l = buddies; l; l = l->next) {
		MsnContact *c = msn_roster_ensure(session->roster, purple_buddy_get_name(l->data));
		c->lists |= MSN_LIST_FL;
	}
	g_slist_free(buddies);
	for (l = account->permit; l; l = l->next)
		msn_roster_ensure(session->roster, l->data)->lists |= MSN_LIST_AL;
	for (l = account->deny; l; l = l->next)
		msn_roster_ensure(session->roster, l->data)->lists |= MSN_LIST_BL;
}

static void
load_finish(Load *load)
{
	MsnSession *session = load->session;

	if (--load->waiting > 0)
		return;
	if (!load->cancelled) {
		session->abch_load = NULL;
		if (load->error == NULL) {
			fill_roster(session, load->ab, load->members);
			session->list_from_server = TRUE;
		} else {
			char *text = g_strdup_printf(_("Your contact list could not be loaded: %s "
			                               "The buddy list keeps the contacts of your last "
			                               "session; changes to it are not saved on the "
			                               "server until the list loads."),
			                             load->error->message);
			purple_debug_warning("msnp", "address book: %s\n", load->error->message);
			purple_notify_error(session->gc, _("Contact list"),
			                    _("Your contact list could not be loaded"), text);
			g_free(text);
			roster_from_blist(session);
			session->list_from_server = FALSE;
		}
		load->done(session);
	}
	msn_abch_address_book_free(load->ab);
	msn_abch_memberships_free(load->members);
	g_clear_error(&load->error);
	g_free(load);
}

static void
keep_error(Load *load, const GError *error)
{
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		load->cancelled = TRUE;
	else if (load->error == NULL)
		load->error = g_error_copy(error);
}

static void
find_all_cb(MsnAbchAddressBook *ab, const GError *error, gpointer data)
{
	Load *load = data;

	if (error)
		keep_error(load, error);
	load->ab = ab;
	load_finish(load);
}

static void
find_membership_cb(MsnAbchMemberships *m, const GError *error, gpointer data)
{
	Load *load = data;

	if (error)
		keep_error(load, error);
	load->members = m;
	load_finish(load);
}

void
msn_addressbook_load(MsnSession *session, void (*done)(MsnSession *session))
{
	Load *load = g_new0(Load, 1);
	char *ab_url = msn_endpoint_url(session->account, MSN_ENDPOINT_AB);
	char *sharing_url = msn_endpoint_url(session->account, MSN_ENDPOINT_SHARING);
	const char *ticket = contacts_ticket(session);

	load->session = session;
	load->done = done;
	load->waiting = 2;
	session->abch_load = load;
	purple_connection_update_progress(session->gc, _("Loading the contact list"), 3, 4);
	msn_abch_find_membership(session->web, sharing_url, ticket, find_membership_cb, load);
	msn_abch_find_all(session->web, ab_url, ticket, find_all_cb, load);
	g_free(ab_url);
	g_free(sharing_url);
}

void
msn_addressbook_cancel(MsnSession *session)
{
	Load *load = session->abch_load;

	if (load) {
		load->cancelled = TRUE;
		load->session = NULL;
		session->abch_load = NULL;
	}
}

typedef struct {
	MsnAdlEntry *entries;
	gsize n;
} AdlBuild;

static void
collect_entry(gpointer data, gpointer user)
{
	MsnContact *c = data;
	AdlBuild *b = user;

	if (!(c->lists & (MSN_LIST_FL | MSN_LIST_AL | MSN_LIST_BL)))
		return;
	b->entries[b->n].handle = c->handle;
	b->entries[b->n].lists = c->lists & (MSN_LIST_FL | MSN_LIST_AL | MSN_LIST_BL);
	b->entries[b->n].network = c->network;
	b->n++;
}

GPtrArray *
msn_addressbook_initial_adl(MsnSession *session)
{
	AdlBuild b = { g_new(MsnAdlEntry, msn_roster_size(session->roster) + 1), 0 };
	GPtrArray *payloads;
	guint skipped = 0;

	msn_roster_foreach(session->roster, collect_entry, &b);
	payloads = msn_adl_build_initial(b.entries, b.n, &skipped);
	if (skipped)
		purple_debug_info("msnp", "initial ADL: %u contacts cannot be subscribed to\n", skipped);
	g_free(b.entries);
	return payloads;
}

/* ADL 0 len (l=8: someone added you) / RML 0 len (someone removed you). */
gboolean
msn_addressbook_handle(MsnSession *session, MsnCommand *cmd)
{
	gboolean add = strcmp(cmd->name, "ADL") == 0;
	GPtrArray *items;
	guint i;

	if ((!add && strcmp(cmd->name, "RML") != 0) || cmd->trid != 0 || cmd->payload == NULL)
		return FALSE;
	items = msn_adl_parse(g_bytes_get_data(cmd->payload, NULL), g_bytes_get_size(cmd->payload),
	                      NULL);
	for (i = 0; items && i < items->len; i++) {
		MsnAdlItem *it = g_ptr_array_index(items, i);
		MsnContact *c;
		guint lists = it->lists & (MSN_LIST_RL | MSN_LIST_PL | MSN_LIST_FL | MSN_LIST_AL |
		                           MSN_LIST_BL);

		if (strchr(it->handle, '@') == NULL)
			continue;
		c = add ? msn_roster_ensure(session->roster, it->handle)
		        : msn_roster_find(session->roster, it->handle);
		if (c == NULL)
			continue;
		if (add) {
			c->lists |= lists;
			/* Escargot keeps a contact that added you pending until you decide. */
			if (lists & MSN_LIST_RL)
				c->lists |= MSN_LIST_PL;
			if (it->friendly && c->friendly == NULL &&
			    g_ascii_strcasecmp(it->friendly, c->handle) != 0)
				msn_roster_set_friendly(c, it->friendly);
		} else
			c->lists &= ~lists;
		if (session->list_ready) {
			msn_blist_contact_changed(session, c->handle);
			if (add && msn_contact_needs_decision(c) && session->gtc != 'N')
				msn_blist_ask(session, c);
		}
	}
	if (items)
		g_ptr_array_free(items, TRUE);
	return TRUE;
}
