/* purple-msnp — the contact roster, indexed by handle and GUID. */
#include "roster.h"

#include <string.h>

struct _MsnRoster {
	GHashTable *by_handle;   /* lower-case handle -> MsnContact (owned) */
	GHashTable *by_guid;     /* guid (the contact's own string) -> MsnContact */
	GQueue order;            /* MsnContact*, insertion order */
	GHashTable *order_links; /* MsnContact -> GList link in order, for O(1) removal */
	GHashTable *groups;      /* id -> MsnGroup (owned) */
	GHashTable *group_names; /* name -> MsnGroup */
	GPtrArray *group_order;  /* MsnGroup* */
};

static void
contact_free(gpointer p)
{
	MsnContact *c = p;

	g_free(c->handle);
	g_free(c->friendly);
	g_free(c->guid);
	if (c->groups)
		g_ptr_array_free(c->groups, TRUE);
	g_free(c->phone_home);
	g_free(c->phone_work);
	g_free(c->phone_mobile);
	g_free(c->psm);
	g_free(c->media);
	g_free(c);
}

static void
group_free(gpointer p)
{
	MsnGroup *g = p;

	g_free(g->id);
	g_free(g->name);
	g_free(g);
}

MsnRoster *
msn_roster_new(void)
{
	MsnRoster *r = g_new0(MsnRoster, 1);

	r->by_handle = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, contact_free);
	r->by_guid = g_hash_table_new(g_str_hash, g_str_equal);
	g_queue_init(&r->order);
	r->order_links = g_hash_table_new(g_direct_hash, g_direct_equal);
	r->groups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, group_free);
	r->group_names = g_hash_table_new(g_str_hash, g_str_equal);
	r->group_order = g_ptr_array_new();
	return r;
}

void
msn_roster_clear(MsnRoster *r)
{
	g_queue_clear(&r->order);
	g_hash_table_remove_all(r->order_links);
	g_hash_table_remove_all(r->by_guid);
	g_hash_table_remove_all(r->by_handle);
	g_ptr_array_set_size(r->group_order, 0);
	g_hash_table_remove_all(r->group_names);
	g_hash_table_remove_all(r->groups);
}

void
msn_roster_free(MsnRoster *r)
{
	if (r == NULL)
		return;
	msn_roster_clear(r);
	g_hash_table_destroy(r->by_handle);
	g_hash_table_destroy(r->by_guid);
	g_hash_table_destroy(r->order_links);
	g_hash_table_destroy(r->group_names);
	g_hash_table_destroy(r->groups);
	g_ptr_array_free(r->group_order, TRUE);
	g_free(r);
}

static gboolean
has_upper(const char *s)
{
	for (; *s; s++)
		if (g_ascii_isupper(*s))
			return TRUE;
	return FALSE;
}

static char *
handle_key(const char *handle)
{
	/* Handles are mostly lower case already (the parsers make them so). */
	return has_upper(handle) ? g_ascii_strdown(handle, -1) : g_strdup(handle);
}

MsnContact *
msn_roster_find(MsnRoster *r, const char *handle)
{
	char *key;
	MsnContact *c;

	if (handle == NULL)
		return NULL;
	/* Handles are mostly lower case already (the parsers make them so). */
	if (!has_upper(handle))
		return g_hash_table_lookup(r->by_handle, handle);
	key = handle_key(handle);
	c = g_hash_table_lookup(r->by_handle, key);
	g_free(key);
	return c;
}

MsnContact *
msn_roster_find_guid(MsnRoster *r, const char *guid)
{
	return guid ? g_hash_table_lookup(r->by_guid, guid) : NULL;
}

MsnContact *
msn_roster_ensure(MsnRoster *r, const char *handle)
{
	MsnContact *c = msn_roster_find(r, handle);

	if (c)
		return c;
	c = g_new0(MsnContact, 1);
	c->handle = g_strdup(handle);
	c->network = 1;
	g_hash_table_insert(r->by_handle, handle_key(handle), c);
	g_queue_push_tail(&r->order, c);
	g_hash_table_insert(r->order_links, c, r->order.tail);
	return c;
}

void
msn_roster_set_guid(MsnRoster *r, MsnContact *c, const char *guid)
{
	if (g_strcmp0(c->guid, guid) == 0)
		return;
	if (c->guid && g_hash_table_lookup(r->by_guid, c->guid) == c)
		g_hash_table_remove(r->by_guid, c->guid);
	g_free(c->guid);
	c->guid = g_strdup(guid);
	if (guid)
		g_hash_table_replace(r->by_guid, c->guid, c);
}

void
msn_roster_set_friendly(MsnContact *c, const char *friendly)
{
	if (g_strcmp0(c->friendly, friendly) == 0)
		return;
	g_free(c->friendly);
	c->friendly = g_strdup(friendly);
}

void
msn_roster_remove(MsnRoster *r, MsnContact *c)
{
	GList *link = g_hash_table_lookup(r->order_links, c);
	char *key = handle_key(c->handle);

	if (link)
		g_queue_delete_link(&r->order, link);
	g_hash_table_remove(r->order_links, c);
	if (c->guid && g_hash_table_lookup(r->by_guid, c->guid) == c)
		g_hash_table_remove(r->by_guid, c->guid);
	g_hash_table_remove(r->by_handle, key);   /* frees c */
	g_free(key);
}

guint
msn_roster_size(MsnRoster *r)
{
	return g_hash_table_size(r->by_handle);
}

void
msn_roster_foreach(MsnRoster *r, GFunc func, gpointer data)
{
	g_queue_foreach(&r->order, func, data);
}

MsnGroup *
msn_roster_find_group(MsnRoster *r, const char *id)
{
	return id ? g_hash_table_lookup(r->groups, id) : NULL;
}

MsnGroup *
msn_roster_find_group_by_name(MsnRoster *r, const char *name)
{
	return name ? g_hash_table_lookup(r->group_names, name) : NULL;
}

MsnGroup *
msn_roster_add_group(MsnRoster *r, const char *id, const char *name)
{
	MsnGroup *g = msn_roster_find_group(r, id);

	if (g) {
		msn_roster_rename_group(r, g, name);
		return g;
	}
	g = g_new0(MsnGroup, 1);
	g->id = g_strdup(id);
	g->name = g_strdup(name);
	g_hash_table_insert(r->groups, g->id, g);
	/* The first group of a name wins the name index. */
	if (!g_hash_table_contains(r->group_names, g->name))
		g_hash_table_insert(r->group_names, g->name, g);
	g_ptr_array_add(r->group_order, g);
	return g;
}

void
msn_roster_rename_group(MsnRoster *r, MsnGroup *g, const char *name)
{
	if (g_strcmp0(g->name, name) == 0)
		return;
	if (g_hash_table_lookup(r->group_names, g->name) == g)
		g_hash_table_remove(r->group_names, g->name);
	g_free(g->name);
	g->name = g_strdup(name);
	if (!g_hash_table_contains(r->group_names, g->name))
		g_hash_table_insert(r->group_names, g->name, g);
}

static void
drop_group(gpointer data, gpointer group)
{
	msn_contact_remove_group(data, group);
}

void
msn_roster_remove_group(MsnRoster *r, MsnGroup *g)
{
	/* Linear in the roster: group removal is a rare, user-driven event. */
	g_queue_foreach(&r->order, drop_group, g);
	if (g_hash_table_lookup(r->group_names, g->name) == g)
		g_hash_table_remove(r->group_names, g->name);
	g_ptr_array_remove(r->group_order, g);
	g_hash_table_remove(r->groups, g->id);   /* frees g */
}

GPtrArray *
msn_roster_groups(MsnRoster *r)
{
	return r->group_order;
}

gboolean
msn_contact_in_group(const MsnContact *c, const MsnGroup *g)
{
	guint i;

	for (i = 0; c->groups && i < c->groups->len; i++)
		if (g_ptr_array_index(c->groups, i) == g)
			return TRUE;
	return FALSE;
}

void
msn_contact_add_group(MsnContact *c, MsnGroup *g)
{
	if (msn_contact_in_group(c, g))
		return;
	if (c->groups == NULL)
		c->groups = g_ptr_array_sized_new(1);
	g_ptr_array_add(c->groups, g);
}

void
msn_contact_remove_group(MsnContact *c, MsnGroup *g)
{
	if (c->groups)
		g_ptr_array_remove(c->groups, g);
}

gboolean
msn_contact_needs_decision(const MsnContact *c)
{
	if (c->lists & (MSN_LIST_AL | MSN_LIST_BL))
		return FALSE;
	/* Pending (11+) is the server saying so; below that, someone on RL whom
	 * the user never added nor decided about.  A contact the user added
	 * (FL) was a decision already. */
	return (c->lists & MSN_LIST_PL) || ((c->lists & MSN_LIST_RL) && !(c->lists & MSN_LIST_FL));
}
