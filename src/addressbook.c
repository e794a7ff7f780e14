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
#include "proto/urlenc.h"
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
 * from the memberships.  Each entry is freed once read (its strings taken
 * where the roster keeps them), so the roster reuses the replies' memory. */
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

		if (!ac->is_messenger_user || ac->network == MSN_NETWORK_PHONE) {
			msn_abch_contact_free(ac);
			ab->contacts->pdata[i] = NULL;
			continue;
		}
		c = msn_roster_ensure(r, ac->handle);
		c->lists |= MSN_LIST_FL;
		c->network = ac->network ? ac->network : 1;
		if (ac->guid)
			msn_roster_set_guid(r, c, ac->guid);
		if (ac->display_name && g_ascii_strcasecmp(ac->display_name, ac->handle) != 0) {
			if (c->friendly == NULL)
				c->friendly = g_steal_pointer(&ac->display_name);
			else
				msn_roster_set_friendly(c, ac->display_name);
		}
		for (j = 0; ac->group_guids && ac->group_guids[j]; j++) {
			MsnGroup *g = msn_roster_find_group(r, ac->group_guids[j]);
			if (g)
				msn_contact_add_group(c, g);
			else
				purple_debug_warning("msnp", "%s is in group %s, which the address book "
				                     "does not have; showing it ungrouped\n", ac->handle,
				                     ac->group_guids[j]);
		}
		g_clear_pointer(&c->phone_home, g_free);
		c->phone_home = g_steal_pointer(&ac->phone_home);
		g_clear_pointer(&c->phone_work, g_free);
		c->phone_work = g_steal_pointer(&ac->phone_work);
		g_clear_pointer(&c->phone_mobile, g_free);
		c->phone_mobile = g_steal_pointer(&ac->phone_mobile);
		msn_abch_contact_free(ac);
		ab->contacts->pdata[i] = NULL;
	}
	for (i = 0; i < m->members->len; i++) {
		MsnAbchMember *mm = g_ptr_array_index(m->members, i);
		MsnContact *c;

		if (mm->network != MSN_NETWORK_PHONE) {
			c = msn_roster_ensure(r, mm->handle);
			c->lists |= mm->lists & (MSN_LIST_AL | MSN_LIST_BL | MSN_LIST_RL | MSN_LIST_PL);
			if (mm->network)
				c->network = mm->network;
			if (c->friendly == NULL && mm->display_name &&
			    g_ascii_strcasecmp(mm->display_name, mm->handle) != 0)
				c->friendly = g_steal_pointer(&mm->display_name);
		}
		msn_abch_member_free(mm);
		m->members->pdata[i] = NULL;
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
	gboolean cancelled = load->cancelled;
	void (*done)(MsnSession *session) = load->done;

	if (--load->waiting > 0)
		return;
	if (!cancelled) {
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
	}
	/* The roster has it all now: the replies go before done mirrors it. */
	msn_abch_address_book_free(load->ab);
	msn_abch_memberships_free(load->members);
	g_clear_error(&load->error);
	g_free(load);
	if (!cancelled)
		done(session);
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

/* ---- Changes (MSNP13–14): SOAP first, then ADL/RML on the NS ---- */

typedef guint StepKind;   /* MSN_AB_* */

typedef struct {
	StepKind kind;
	guint lists;          /* roles / list bits */
	char *a, *b;          /* handle, group name, new name … */
} Step;

struct _MsnAbOp {
	MsnSession *session;   /* NULL once the session is gone */
	GQueue steps;
	char *handle;          /* the contact the change is about, for undo */
	char *title;           /* what failed, for the user */
	MsnAbDone done;
	gpointer done_data;
	gboolean running;      /* a SOAP reply is on its way (it will free op) */
};

static void
step_free(gpointer p)
{
	Step *s = p;

	g_free(s->a);
	g_free(s->b);
	g_free(s);
}

static void
abop_free(MsnAbOp *op)
{
	/* Dropped before it finished (the session ended): let the owner of
	 * done_data free it. */
	if (op->done)
		op->done(NULL, NULL, op->done_data);
	g_queue_clear_full(&op->steps, step_free);
	g_free(op->handle);
	g_free(op->title);
	g_free(op);
}

MsnAbOp *
msn_abop_new(MsnSession *session, const char *handle, const char *title)
{
	MsnAbOp *op = g_new0(MsnAbOp, 1);

	op->session = session;
	op->handle = g_strdup(handle);
	op->title = g_strdup(title);
	g_queue_init(&op->steps);
	if (session->ab_ops == NULL)
		session->ab_ops = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_add(session->ab_ops, op);
	return op;
}

void
msn_abop_add(MsnAbOp *op, guint kind, guint lists, const char *a, const char *b)
{
	Step *s = g_new0(Step, 1);

	s->kind = kind;
	s->lists = lists;
	s->a = g_strdup(a);
	s->b = g_strdup(b);
	g_queue_push_tail(&op->steps, s);
}

void
msn_abop_on_done(MsnAbOp *op, MsnAbDone done, gpointer data)
{
	op->done = done;
	op->done_data = data;
}

void
msn_addressbook_cancel_ops(MsnSession *session)
{
	GHashTableIter it;
	gpointer key;

	if (session->ab_ops == NULL)
		return;
	g_hash_table_iter_init(&it, session->ab_ops);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		MsnAbOp *op = key;
		/* A SOAP reply still on its way frees the operation; an NS reply
		 * never comes (the connection is gone), so free those now. */
		if (op->running)
			op->session = NULL;
		else
			abop_free(op);
	}
	g_hash_table_destroy(session->ab_ops);
	session->ab_ops = NULL;
}

static void abop_next(MsnAbOp *op);

static void
abop_finish(MsnAbOp *op, const GError *error)
{
	MsnSession *session = op->session;

	if (session) {
		g_hash_table_remove(session->ab_ops, op);
		if (error) {
			char *text = g_strdup(error->message);
			purple_debug_warning("msnp", "address book change refused: %s\n", text);
			if (op->handle)
				msn_blist_contact_changed(session, op->handle);
			else
				msn_blist_sync(session);
			purple_notify_error(session->gc, op->title, op->title, text);
			g_free(text);
		} else if (op->handle)
			msn_blist_contact_changed(session, op->handle);
		if (op->done)
			op->done(session, error, op->done_data);
		op->done = NULL;
	}
	abop_free(op);
}

/* Errors that mean the server already has what we wanted. */
static gboolean
already_done(const GError *error, StepKind kind)
{
	if (error->domain != MSN_ABCH_ERROR)
		return FALSE;
	switch (error->code) {
	case MSN_ABCH_ERROR_MEMBER_EXISTS:
		return kind == MSN_AB_MEMBER_ADD;
	case MSN_ABCH_ERROR_MEMBER_DOES_NOT_EXIST:
		return kind == MSN_AB_MEMBER_DELETE;
	case MSN_ABCH_ERROR_CONTACT_DOES_NOT_EXIST:
		return kind == MSN_AB_CONTACT_DELETE || kind == MSN_AB_GROUP_CONTACT_DELETE;
	case MSN_ABCH_ERROR_GROUP_DOES_NOT_EXIST:
		return kind == MSN_AB_GROUP_DELETE;
	default:
		return FALSE;
	}
}

/* A step is done on the server: the roster follows. */
static void
apply_step(MsnSession *session, Step *s, const char *guid)
{
	MsnRoster *r = session->roster;
	MsnContact *c = s->a ? msn_roster_find(r, s->a) : NULL;
	MsnGroup *g;

	switch (s->kind) {
	case MSN_AB_CONTACT_ADD:
		c = msn_roster_ensure(r, s->a);
		c->lists |= MSN_LIST_FL;
		if (guid)
			msn_roster_set_guid(r, c, guid);
		break;
	case MSN_AB_CONTACT_DELETE:
		if (c) {
			c->lists &= ~MSN_LIST_FL;
			if (c->groups)
				g_ptr_array_set_size(c->groups, 0);
		}
		break;
	case MSN_AB_GROUP_ENSURE:
		if (guid)
			msn_roster_add_group(r, guid, s->a);
		break;
	case MSN_AB_GROUP_CONTACT_ADD:
		if (c && (g = msn_roster_find_group_by_name(r, s->b)))
			msn_contact_add_group(c, g);
		break;
	case MSN_AB_GROUP_CONTACT_DELETE:
		if (c && (g = msn_roster_find_group_by_name(r, s->b)))
			msn_contact_remove_group(c, g);
		break;
	case MSN_AB_GROUP_RENAME:
		if ((g = msn_roster_find_group_by_name(r, s->a)))
			msn_roster_rename_group(r, g, s->b);
		break;
	case MSN_AB_GROUP_DELETE:
		if ((g = msn_roster_find_group_by_name(r, s->a)))
			msn_roster_remove_group(r, g);
		break;
	case MSN_AB_MEMBER_ADD:
		msn_roster_ensure(r, s->a)->lists |= s->lists;
		break;
	case MSN_AB_MEMBER_DELETE:
		if (c)
			c->lists &= ~s->lists;
		break;
	case MSN_AB_BLP:
		session->blp = s->lists == MSN_LIST_BL ? 'B' : 'A';
		break;
	case MSN_AB_PRP_MFN:
	case MSN_AB_ME_UPDATE:
		if (s->a) {
			g_free(session->own_name);
			session->own_name = g_strdup(s->a);
			purple_connection_set_display_name(session->gc, s->a);
		}
		break;
	default:
		break;
	}
}

static void
soap_done(const char *guid, const GError *error, gpointer data)
{
	MsnAbOp *op = data;
	Step *s;

	op->running = FALSE;
	if (op->session == NULL) {   /* the session ended meanwhile */
		abop_free(op);
		return;
	}
	s = g_queue_pop_head(&op->steps);
	if (error && !already_done(error, s->kind)) {
		step_free(s);
		abop_finish(op, error);
		return;
	}
	apply_step(op->session, s, guid);
	step_free(s);
	abop_next(op);
}

static void
ns_done(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	MsnAbOp *op = data;
	Step *s = g_queue_pop_head(&op->steps);

	if (cmd == NULL || cmd->error_code) {
		GError *e = cmd ? g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_SERVER,
		                              _("The server refused the change (error %u)."),
		                              cmd->error_code) : g_error_copy(error);
		step_free(s);
		abop_finish(op, e);
		g_error_free(e);
		return;
	}
	apply_step(op->session, s, NULL);
	step_free(s);
	abop_next(op);
}

static MsnContact *
step_contact(MsnSession *session, Step *s)
{
	return s->a ? msn_roster_find(session->roster, s->a) : NULL;
}

static void
abop_next(MsnAbOp *op)
{
	MsnSession *session = op->session;
	Step *s = g_queue_peek_head(&op->steps);
	char *ab_url, *sh_url;
	const char *ticket;
	MsnContact *c;
	MsnGroup *g;

	if (s == NULL) {
		abop_finish(op, NULL);
		return;
	}
	c = step_contact(session, s);
	/* Steps with nothing left to do are skipped. */
	if ((s->kind == MSN_AB_GROUP_ENSURE && msn_roster_find_group_by_name(session->roster, s->a)) ||
	    (s->kind == MSN_AB_CONTACT_ADD && c && (c->lists & MSN_LIST_FL)) ||
	    (s->kind == MSN_AB_CONTACT_DELETE && !(c && (c->lists & MSN_LIST_FL))) ||
	    (s->kind == MSN_AB_MEMBER_ADD && c && (c->lists & s->lists) == s->lists) ||
	    (s->kind == MSN_AB_MEMBER_DELETE && !(c && (c->lists & s->lists)))) {
		step_free(g_queue_pop_head(&op->steps));
		abop_next(op);
		return;
	}
	ab_url = msn_endpoint_url(session->account, MSN_ENDPOINT_AB);
	sh_url = msn_endpoint_url(session->account, MSN_ENDPOINT_SHARING);
	ticket = contacts_ticket(session);
	op->running = TRUE;
	switch (s->kind) {
	case MSN_AB_CONTACT_ADD:
		msn_abch_contact_add(session->web, ab_url, ticket, s->a, c ? c->network : 1, NULL,
		                     soap_done, op);
		break;
	case MSN_AB_CONTACT_DELETE:
		msn_abch_contact_delete(session->web, ab_url, ticket, c->guid, soap_done, op);
		break;
	case MSN_AB_GROUP_ENSURE:
		msn_abch_group_add(session->web, ab_url, ticket, s->a, soap_done, op);
		break;
	case MSN_AB_GROUP_CONTACT_ADD:
	case MSN_AB_GROUP_CONTACT_DELETE:
		g = msn_roster_find_group_by_name(session->roster, s->b);
		if (s->kind == MSN_AB_GROUP_CONTACT_ADD)
			msn_abch_group_contact_add(session->web, ab_url, ticket, g ? g->id : NULL,
			                           c ? c->guid : NULL, soap_done, op);
		else
			msn_abch_group_contact_delete(session->web, ab_url, ticket, g ? g->id : NULL,
			                              c ? c->guid : NULL, soap_done, op);
		break;
	case MSN_AB_GROUP_RENAME:
		g = msn_roster_find_group_by_name(session->roster, s->a);
		msn_abch_group_rename(session->web, ab_url, ticket, g ? g->id : NULL, s->b,
		                      soap_done, op);
		break;
	case MSN_AB_GROUP_DELETE:
		g = msn_roster_find_group_by_name(session->roster, s->a);
		msn_abch_group_delete(session->web, ab_url, ticket, g ? g->id : NULL, soap_done, op);
		break;
	case MSN_AB_MEMBER_ADD:
	case MSN_AB_MEMBER_DELETE:
		if (s->kind == MSN_AB_MEMBER_ADD)
			msn_abch_member_add(session->web, sh_url, ticket, s->lists, s->a,
			                    c ? c->network : 1, soap_done, op);
		else
			msn_abch_member_delete(session->web, sh_url, ticket, s->lists, s->a,
			                       c ? c->network : 1, soap_done, op);
		break;
	case MSN_AB_ME_UPDATE:
		msn_abch_me_update(session->web, ab_url, ticket, s->a,
		                   s->lists == MSN_LIST_BL ? MSN_ADL_BL : s->lists == MSN_LIST_AL ? MSN_ADL_AL : 0,
		                   0, soap_done, op);
		break;
	case MSN_AB_ADL:
	case MSN_AB_RML: {
		char *ml = msn_adl_build_one(s->a, s->lists, c ? c->network : 1);
		GBytes *payload;
		if (ml == NULL) {
			op->running = FALSE;
			step_free(g_queue_pop_head(&op->steps));
			g_free(ab_url);
			g_free(sh_url);
			abop_next(op);
			return;
		}
		payload = g_bytes_new_take(ml, strlen(ml));
		op->running = FALSE;
		msn_conn_send(session->ns, s->kind == MSN_AB_ADL ? "ADL" : "RML", NULL, payload,
		              ns_done, op, 0);
		g_bytes_unref(payload);
		break;
	}
	case MSN_AB_BLP: {
		const char *p[] = { s->lists == MSN_LIST_BL ? "BL" : "AL", NULL };
		op->running = FALSE;
		msn_conn_send(session->ns, "BLP", p, NULL, ns_done, op, 0);
		break;
	}
	case MSN_AB_PRP_MFN: {
		char *enc = msn_url_encode(s->a);
		const char *p[] = { "MFN", enc, NULL };
		op->running = FALSE;
		msn_conn_send(session->ns, "PRP", p, NULL, ns_done, op, 0);
		g_free(enc);
		break;
	}
	}
	g_free(ab_url);
	g_free(sh_url);
}

void
msn_abop_run(MsnAbOp *op)
{
	abop_next(op);
}
