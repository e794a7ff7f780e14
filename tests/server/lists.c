/* msnp-testserver — contact lists: the data model.
 *
 * Every account has contacts (handle, list bits FL/AL/BL/RL, the pending
 * flag that MSNP10+ shows as PL, a stored friendly name, a GUID, group
 * memberships, phones) and groups (an MSNP8–9 integer id and an MSNP10+
 * GUID each; group 0 "Other Contacts" is implicit), plus GTC, BLP and the
 * PRP settings.  This file only keeps the data; roster.c makes changes with
 * their effects on other accounts and sessions.
 *
 * GUIDs are derived from text, so a run is reproducible: a contact's GUID
 * comes from its handle alone (as in Escargot, where the contact id is the
 * other user's id: the same in every list), a group's from its owner and a
 * per-account serial, an account's own from its e-mail address.
 *
 * Handles that are not accounts but appear on a preloaded list (--contact,
 * --generate) or have virtual presence count as existing users: they can be
 * added (ADD/ADC/ADL/ABContactAdd); anything else is an unknown user.
 */
#include "testserver.h"

#include <string.h>

const char *const setting_names[N_SETTINGS] = { "PHH", "PHW", "PHM", "MOB", "MBE" };

static void
contact_free(gpointer p)
{
	Contact *c = p;
	guint i;

	g_free(c->handle);
	g_free(c->friendly);
	g_free(c->guid);
	if (c->groups)
		g_ptr_array_unref(c->groups);
	for (i = 0; i < G_N_ELEMENTS(c->phone); i++)
		g_free(c->phone[i]);
	g_free(c);
}

static void
group_free(gpointer p)
{
	Group *g = p;

	g_free(g->guid);
	g_free(g->name);
	g_free(g);
}

void
lists_init_account(Account *a)
{
	a->guid = lists_make_guid("user", a->email);
	a->contacts = g_ptr_array_new_with_free_func(contact_free);
	a->by_handle = g_hash_table_new(g_str_hash, g_str_equal);
	a->by_guid = g_hash_table_new(g_str_hash, g_str_equal);
	a->groups = g_ptr_array_new_with_free_func(group_free);
	a->next_group_id = 1;
	a->gtc = 'A';
}

void
lists_free_account(Account *a)
{
	guint i;

	g_clear_pointer(&a->by_handle, g_hash_table_unref);
	g_clear_pointer(&a->by_guid, g_hash_table_unref);
	g_clear_pointer(&a->contacts, g_ptr_array_unref);
	g_clear_pointer(&a->groups, g_ptr_array_unref);
	g_clear_pointer(&a->guid, g_free);
	for (i = 0; i < N_SETTINGS; i++)
		g_clear_pointer(&a->settings[i], g_free);
}

/* ---- GUIDs -------------------------------------------------------------------- */

static guint64
fnv1a(const char *kind, const char *text, guint64 basis)
{
	guint64 h = basis;
	const char *p;

	for (p = kind; *p; p++)
		h = (h ^ (guchar) *p) * G_GUINT64_CONSTANT(0x100000001b3);
	h = (h ^ ':') * G_GUINT64_CONSTANT(0x100000001b3);
	for (p = text; *p; p++)
		h = (h ^ (guchar) g_ascii_tolower(*p)) * G_GUINT64_CONSTANT(0x100000001b3);
	/* MurmurHash3's finaliser: similar texts get unlike GUIDs. */
	h ^= h >> 33;
	h *= G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= G_GUINT64_CONSTANT(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

char *
lists_make_guid(const char *kind, const char *text)
{
	guint64 a = fnv1a(kind, text, G_GUINT64_CONSTANT(0xcbf29ce484222325));
	guint64 b = fnv1a(kind, text, G_GUINT64_CONSTANT(0x84222325cbf29ce4));

	/* Version 4, variant 10: looks like any other GUID to a client. */
	return g_strdup_printf("%08x-%04x-4%03x-%04x-%012" G_GINT64_MODIFIER "x",
	                       (guint) (a >> 32), (guint) ((a >> 16) & 0xffff), (guint) (a & 0xfff),
	                       (guint) (0x8000 | ((b >> 48) & 0x3fff)),
	                       b & G_GUINT64_CONSTANT(0xffffffffffff));
}

gboolean
lists_valid_guid(const char *s)
{
	static const int dash[] = { 8, 13, 18, 23 };
	guint i, d = 0;

	if (strlen(s) != 36)
		return FALSE;
	for (i = 0; i < 36; i++) {
		if (d < G_N_ELEMENTS(dash) && (int) i == dash[d]) {
			if (s[i] != '-')
				return FALSE;
			d++;
		} else if (!g_ascii_isxdigit(s[i])) {
			return FALSE;
		}
	}
	return TRUE;
}

/* "%" G_GINT64_FORMAT without printf (one per contact in the big replies). */
static char *
int64_text(gint64 value)
{
	char buf[24], *p = buf + sizeof buf;
	guint64 v = value < 0 ? -(guint64) value : (guint64) value;

	*--p = '\0';
	do
		*--p = (char) ('0' + v % 10);
	while ((v /= 10) != 0);
	if (value < 0)
		*--p = '-';
	return g_strdup(p);
}

char *
lists_cid(const char *guid)
{
	guint8 bytes[8];
	char hex[17];
	guint64 v = 0;
	guint i;

	if (!lists_valid_guid(guid))
		return g_strdup("0");
	memcpy(hex, guid + 19, 4);
	memcpy(hex + 4, guid + 24, 12);
	hex[16] = '\0';
	for (i = 0; i < 8; i++)
		bytes[i] = (guint8) (g_ascii_xdigit_value(hex[2 * i]) * 16 +
		                     g_ascii_xdigit_value(hex[2 * i + 1]));
	for (i = 8; i > 0; i--)
		v = (v << 8) | bytes[i - 1];
	return int64_text((gint64) v);
}

/* ---- contacts ----------------------------------------------------------------- */

Contact *
lists_find(Account *a, const char *handle)
{
	char *key;
	Contact *c;

	if (!a->by_handle || !handle)
		return NULL;
	c = g_hash_table_lookup(a->by_handle, handle);
	if (c)
		return c;
	key = g_ascii_strdown(handle, -1);
	c = g_hash_table_lookup(a->by_handle, key);
	g_free(key);
	return c;
}

Contact *
lists_find_guid(Account *a, const char *guid)
{
	char *key;
	Contact *c;

	if (!a->by_guid || !guid)
		return NULL;
	key = g_ascii_strdown(guid, -1);
	c = g_hash_table_lookup(a->by_guid, key);
	g_free(key);
	return c;
}

Contact *
lists_ensure(Server *srv, Account *a, const char *handle, guint network, const char *friendly)
{
	Contact *c = lists_find(a, handle);

	if (c)
		return c;
	c = g_new0(Contact, 1);
	c->handle = g_ascii_strdown(handle, -1);
	c->network = network ? network : NETWORK_MSN;
	c->friendly = g_strdup(friendly && *friendly ? friendly : c->handle);
	c->guid = lists_make_guid("contact", c->handle);
	g_ptr_array_add(a->contacts, c);
	g_hash_table_insert(a->by_handle, c->handle, c);
	g_hash_table_insert(a->by_guid, c->guid, c);
	lists_register_user(srv, c->handle);
	return c;
}

gboolean
lists_drop_if_empty(Account *a, Contact *c)
{
	if (c->lists || c->pending)
		return FALSE;
	g_hash_table_remove(a->by_handle, c->handle);
	g_hash_table_remove(a->by_guid, c->guid);
	g_ptr_array_remove(a->contacts, c);   /* frees it */
	return TRUE;
}

static void
count(Account *a, guint bits, int delta)
{
	if (bits & LIST_FL)
		a->n_fl = (guint) ((int) a->n_fl + delta);
	if (bits & LIST_AL)
		a->n_al = (guint) ((int) a->n_al + delta);
	if (bits & LIST_BL)
		a->n_bl = (guint) ((int) a->n_bl + delta);
}

void
lists_set(Account *a, Contact *c, guint bits)
{
	bits &= LIST_FL | LIST_AL | LIST_BL | LIST_RL;
	count(a, bits & ~c->lists, 1);
	c->lists |= bits;
}

void
lists_clear(Account *a, Contact *c, guint bits)
{
	count(a, bits & c->lists, -1);
	c->lists &= ~bits;
	if (bits & LIST_FL)
		g_clear_pointer(&c->groups, g_ptr_array_unref);
}

guint
lists_count(Account *a, guint list)
{
	switch (list) {
	case LIST_FL: return a->n_fl;
	case LIST_AL: return a->n_al;
	case LIST_BL: return a->n_bl;
	default: return 0;
	}
}

/* ---- groups --------------------------------------------------------------------- */

Group *
lists_group_by_name(Account *a, const char *name)
{
	guint i;

	for (i = 0; i < a->groups->len; i++) {
		Group *g = g_ptr_array_index(a->groups, i);

		if (strcmp(g->name, name) == 0)
			return g;
	}
	return NULL;
}

Group *
lists_group_by_id(Account *a, const char *id)
{
	guint i;
	gboolean numeric = *id && strspn(id, "0123456789") == strlen(id);
	guint64 n = numeric ? g_ascii_strtoull(id, NULL, 10) : 0;

	for (i = 0; i < a->groups->len; i++) {
		Group *g = g_ptr_array_index(a->groups, i);

		if (numeric ? g->id == n : g_ascii_strcasecmp(g->guid, id) == 0)
			return g;
	}
	return NULL;
}

Group *
lists_group_new(Account *a, const char *name)
{
	Group *g = g_new0(Group, 1);
	char *seed = g_strdup_printf("%s/%u", a->email, a->next_group_id);

	g->id = a->next_group_id++;
	g->guid = lists_make_guid("group", seed);
	g->name = g_strdup(name);
	g_free(seed);
	g_ptr_array_add(a->groups, g);
	return g;
}

gboolean
contact_in_group(const Contact *c, const Group *g)
{
	guint i;

	for (i = 0; c->groups && i < c->groups->len; i++)
		if (g_ptr_array_index(c->groups, i) == g)
			return TRUE;
	return FALSE;
}

void
contact_add_group(Contact *c, Group *g)
{
	if (contact_in_group(c, g))
		return;
	if (!c->groups)
		c->groups = g_ptr_array_new();
	g_ptr_array_add(c->groups, g);
}

gboolean
contact_remove_group(Contact *c, Group *g)
{
	if (!c->groups || !g_ptr_array_remove(c->groups, g))
		return FALSE;
	if (c->groups->len == 0)
		g_clear_pointer(&c->groups, g_ptr_array_unref);
	return TRUE;
}

void
lists_group_free_in(Account *a, Group *g)
{
	guint i;

	for (i = 0; i < a->contacts->len; i++)
		contact_remove_group(g_ptr_array_index(a->contacts, i), g);
	g_ptr_array_remove(a->groups, g);   /* frees it */
}

/* ---- users ------------------------------------------------------------------------ */

void
lists_register_user(Server *srv, const char *handle)
{
	char *key;

	if (!srv->known_users)
		srv->known_users = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (g_hash_table_contains(srv->known_users, handle))
		return;
	key = g_ascii_strdown(handle, -1);
	g_hash_table_add(srv->known_users, key);
}

gboolean
lists_user_exists(Server *srv, const char *handle)
{
	char *key;
	gboolean known;

	if (accounts_find(srv, handle))
		return TRUE;
	if (!srv->known_users)
		return FALSE;
	key = g_ascii_strdown(handle, -1);
	known = g_hash_table_contains(srv->known_users, key);
	g_free(key);
	return known;
}

gboolean
lists_valid_handle(const char *h)
{
	const char *at = strchr(h, '@'), *p, *last_dot;
	gboolean label = FALSE;

	if (!at || at == h)
		return FALSE;
	for (p = h; p < at; p++)
		if (!g_ascii_isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
			return FALSE;
	/* ([a-zA-Z0-9-]+\.)+[a-zA-Z]+ */
	last_dot = strrchr(at + 1, '.');
	if (!last_dot || !last_dot[1])
		return FALSE;
	for (p = at + 1; p < last_dot + 1; p++) {
		if (*p == '.') {
			if (!label)
				return FALSE;
			label = FALSE;
		} else if (g_ascii_isalnum(*p) || *p == '-') {
			label = TRUE;
		} else {
			return FALSE;
		}
	}
	for (p = last_dot + 1; *p; p++)
		if (!g_ascii_isalpha(*p))
			return FALSE;
	return TRUE;
}

/* ---- list bits as text ---------------------------------------------------------- */

static const struct {
	const char *name;
	guint bit;
} list_names[] = {
	{ "FL", LIST_FL }, { "AL", LIST_AL }, { "BL", LIST_BL }, { "RL", LIST_RL }, { "PL", LIST_PL }
};

gboolean
lists_parse_bits(const char *text, guint *bits)
{
	char **parts;
	guint i, b = 0;
	gboolean ok = TRUE;

	if (!*text)
		return FALSE;
	if (strspn(text, "0123456789") == strlen(text)) {
		guint64 v = g_ascii_strtoull(text, NULL, 10);

		if (v == 0 || v > 31)
			return FALSE;
		*bits = (guint) v;
		return TRUE;
	}
	parts = g_strsplit_set(text, ",+", -1);
	for (i = 0; parts[i] && ok; i++) {
		guint k;

		ok = FALSE;
		for (k = 0; k < G_N_ELEMENTS(list_names); k++)
			if (g_ascii_strcasecmp(parts[i], list_names[k].name) == 0) {
				b |= list_names[k].bit;
				ok = TRUE;
			}
	}
	g_strfreev(parts);
	if (ok)
		*bits = b;
	return ok && b != 0;
}

char *
lists_bits_text(guint bits, gboolean pending)
{
	GString *s = g_string_new(NULL);
	guint k;

	if (pending)
		bits |= LIST_PL;
	for (k = 0; k < G_N_ELEMENTS(list_names); k++)
		if (bits & list_names[k].bit)
			g_string_append_printf(s, "%s%s", s->len ? "," : "", list_names[k].name);
	if (s->len == 0)
		g_string_append_c(s, '-');
	return g_string_free(s, FALSE);
}

/* ---- option specs ------------------------------------------------------------------ */

static gboolean
bad(GError **error, const char *what, const char *spec)
{
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s, got %s", what, spec);
	return FALSE;
}

/* %XX escapes decoded; text left as it is when it is no valid escape. */
static char *
decode(const char *s)
{
	char *d = util_url_decode(s);

	return d ? d : g_strdup(s);
}

static Account *
spec_owner(Server *srv, const char *spec, const char *option, char **rest, GError **error)
{
	const char *colon = strchr(spec, ':');
	char *email;
	Account *a;

	if (!colon) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--%s: expected OWNER:..., got %s", option, spec);
		return NULL;
	}
	email = g_strndup(spec, (gsize) (colon - spec));
	a = accounts_find(srv, email);
	if (!a)
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--%s %s: %s is no --account", option, spec, email);
	g_free(email);
	*rest = (char *) colon + 1;
	return a;
}

static Group *
group_for_preload(Account *a, const char *name)
{
	Group *g = lists_group_by_name(a, name);

	return g ? g : lists_group_new(a, name);
}

gboolean
lists_add_contact_spec(Server *srv, const char *spec, GError **error)
{
	char *rest, **f = NULL, *handle = NULL, *slash;
	Account *a = spec_owner(srv, spec, "contact", &rest, error);
	guint bits, network = NETWORK_MSN, i;
	char *friendly = NULL;
	Contact *c;
	gboolean ok = FALSE;

	if (!a)
		return FALSE;
	f = g_strsplit(rest, ":", 4);
	if (g_strv_length(f) < 2) {
		bad(error, "--contact: expected OWNER:HANDLE:LISTS[:FRIENDLY[:GROUP[,GROUP...]]]", spec);
		goto out;
	}
	handle = g_strdup(f[0]);
	slash = strchr(handle, '/');
	if (slash) {
		guint64 n = g_ascii_strtoull(slash + 1, NULL, 10);

		if (n != NETWORK_MSN && n != NETWORK_YAHOO) {
			bad(error, "--contact: the network suffix is /1 or /32", spec);
			goto out;
		}
		network = (guint) n;
		*slash = '\0';
	}
	if (!lists_valid_handle(handle)) {
		bad(error, "--contact: HANDLE must look like an e-mail address", spec);
		goto out;
	}
	if (!lists_parse_bits(f[1], &bits)) {
		bad(error, "--contact: LISTS is FL,AL,BL,RL,PL (any of them, with , or +) or a number", spec);
		goto out;
	}
	if (f[2] && *f[2])
		friendly = decode(f[2]);
	c = lists_ensure(srv, a, handle, network, friendly);
	c->network = network;
	if (friendly) {
		g_free(c->friendly);
		c->friendly = g_strdup(friendly);
	}
	if (bits & LIST_PL) {
		c->pending = TRUE;
		bits |= LIST_RL;
	}
	lists_set(a, c, bits);
	if (f[2] && f[3] && *f[3]) {
		char **names = g_strsplit(f[3], ",", -1);

		if (!(c->lists & LIST_FL)) {
			g_strfreev(names);
			bad(error, "--contact: groups are for FL contacts", spec);
			goto out;
		}
		for (i = 0; names[i]; i++) {
			char *name = decode(names[i]);

			if (*name)
				contact_add_group(c, group_for_preload(a, name));
			g_free(name);
		}
		g_strfreev(names);
	}
	ok = TRUE;
out:
	g_free(friendly);
	g_free(handle);
	g_strfreev(f);
	return ok;
}

gboolean
lists_add_group_spec(Server *srv, const char *spec, GError **error)
{
	char *rest, *name;
	Account *a = spec_owner(srv, spec, "group", &rest, error);

	if (!a)
		return FALSE;
	if (!*rest)
		return bad(error, "--group: expected OWNER:NAME", spec);
	name = decode(rest);
	group_for_preload(a, name);
	g_free(name);
	return TRUE;
}

gboolean
lists_set_blp_spec(Server *srv, const char *spec, GError **error)
{
	char *rest;
	Account *a = spec_owner(srv, spec, "blp", &rest, error);

	if (!a)
		return FALSE;
	if (strcmp(rest, "AL") != 0 && strcmp(rest, "BL") != 0)
		return bad(error, "--blp: expected OWNER:AL or OWNER:BL", spec);
	a->blp_bl = strcmp(rest, "BL") == 0;
	return TRUE;
}

gboolean
lists_set_gtc_spec(Server *srv, const char *spec, GError **error)
{
	char *rest;
	Account *a = spec_owner(srv, spec, "gtc", &rest, error);

	if (!a)
		return FALSE;
	if (strcmp(rest, "A") != 0 && strcmp(rest, "N") != 0)
		return bad(error, "--gtc: expected OWNER:A or OWNER:N", spec);
	a->gtc = rest[0];
	return TRUE;
}

/* --generate OWNER:N[:GROUPS]: cNNNNN@bench.test, deterministic:
 *   every 50th (i % 50 == 0) pending: RL + PL only, not on FL;
 *   the others FL + RL, in group (i-1) % GROUPS;
 *   i % 50 == 25 on BL; of the rest the odd ones on AL (about half);
 *   i % 10 == 3 has a home phone (a BPR line);
 *   friendly name "Bench Contact NNNNN". */
gboolean
lists_generate_spec(Server *srv, const char *spec, GError **error)
{
	char *rest, **f;
	Account *a = spec_owner(srv, spec, "generate", &rest, error);
	guint64 n = 0, ngroups = 20;
	char *end = NULL;
	GPtrArray *groups;
	guint i, width;

	if (!a)
		return FALSE;
	f = g_strsplit(rest, ":", 2);
	if (f[0])
		n = g_ascii_strtoull(f[0], &end, 10);
	if (!f[0] || !end || *end || n == 0 || n > 1000000) {
		g_strfreev(f);
		return bad(error, "--generate: expected OWNER:N[:GROUPS] with N from 1 to 1000000", spec);
	}
	if (f[1]) {
		ngroups = g_ascii_strtoull(f[1], &end, 10);
		if (!*f[1] || *end || ngroups > 1000) {
			g_strfreev(f);
			return bad(error, "--generate: GROUPS is 0 to 1000", spec);
		}
	}
	g_strfreev(f);
	width = n > 99999 ? 7 : 5;
	groups = g_ptr_array_new();
	for (i = 1; i <= ngroups; i++) {
		char *name = g_strdup_printf("Bench Group %02u", i);

		g_ptr_array_add(groups, group_for_preload(a, name));
		g_free(name);
	}
	for (i = 1; i <= n; i++) {
		char *handle = g_strdup_printf("c%0*u@bench.test", (int) width, i);
		char *friendly = g_strdup_printf("Bench Contact %0*u", (int) width, i);
		Contact *c = lists_ensure(srv, a, handle, NETWORK_MSN, friendly);

		if (i % 50 == 0) {
			c->pending = TRUE;
			lists_set(a, c, LIST_RL);
		} else {
			guint bits = LIST_FL | LIST_RL;

			if (i % 50 == 25)
				bits |= LIST_BL;
			else if (i % 2 == 1)
				bits |= LIST_AL;
			lists_set(a, c, bits);
			if (ngroups)
				contact_add_group(c, g_ptr_array_index(groups, (i - 1) % ngroups));
		}
		if (i % 10 == 3) {
			g_free(c->phone[0]);
			c->phone[0] = g_strdup_printf("555%%20%0*u", (int) width, i);
		}
		g_free(handle);
		g_free(friendly);
	}
	g_ptr_array_unref(groups);
	return TRUE;
}

gboolean
lists_parse_limits(Server *srv, const char *spec, GError **error)
{
	char **parts;
	guint i;
	gboolean ok = TRUE;

	if (strcmp(spec, "escargot") == 0) {
		srv->limits.fl = 1000;
		srv->limits.al = 1500;
		srv->limits.bl = 1200;
		return TRUE;
	}
	if (strcmp(spec, "none") == 0) {
		srv->limits.fl = srv->limits.al = srv->limits.bl = srv->limits.groups = 0;
		return TRUE;
	}
	parts = g_strsplit(spec, ",", -1);
	for (i = 0; parts[i] && ok; i++) {
		char *eq = strchr(parts[i], '='), *end = NULL;
		guint64 v;

		ok = FALSE;
		if (!eq || !eq[1])
			break;
		*eq = '\0';
		v = g_ascii_strtoull(eq + 1, &end, 10);
		if (*end || v > G_MAXINT)
			break;
		ok = TRUE;
		if (g_ascii_strcasecmp(parts[i], "FL") == 0)
			srv->limits.fl = (guint) v;
		else if (g_ascii_strcasecmp(parts[i], "AL") == 0)
			srv->limits.al = (guint) v;
		else if (g_ascii_strcasecmp(parts[i], "BL") == 0)
			srv->limits.bl = (guint) v;
		else if (g_ascii_strcasecmp(parts[i], "GROUPS") == 0)
			srv->limits.groups = (guint) v;
		else
			ok = FALSE;
	}
	g_strfreev(parts);
	if (!ok)
		return bad(error, "--list-limits: expected escargot, none or FL=N,AL=N,BL=N,GROUPS=N "
		           "(0 = no limit)", spec);
	return TRUE;
}

/* ---- the dump ------------------------------------------------------------------------ */

/* Group names in the dump: space, comma, percent and controls %-escaped, so
 * that the groups field is one comma-separated token. */
static void
append_token(GString *out, const char *s)
{
	for (; *s; s++) {
		guchar c = (guchar) *s;

		if (c <= ' ' || c == ',' || c == '%' || c == '"' || c == 0x7f)
			g_string_append_printf(out, "%%%02X", c);
		else
			g_string_append_c(out, (char) c);
	}
}

static void
append_quoted(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(out, '\\');
		if ((guchar) *s < 0x20)
			g_string_append_printf(out, "\\x%02x", (guchar) *s);
		else
			g_string_append_c(out, *s);
	}
	g_string_append_c(out, '"');
}

void
lists_dump(Server *srv, Account *a)
{
	GString *line = g_string_new(NULL);
	guint i, k;

	g_string_printf(line, "-- list %s: name ", a->email);
	append_quoted(line, a->friendly);
	g_string_append_printf(line, " BLP %s GTC %c contacts %u groups %u version %u",
	                       a->blp_bl ? "BL" : "AL", a->gtc, a->contacts->len, a->groups->len,
	                       a->list_version);
	for (k = 0; k < N_SETTINGS; k++)
		if (a->settings[k])
			g_string_append_printf(line, " %s %s", setting_names[k], a->settings[k]);
	server_logf(srv, "server", "%s", line->str);
	for (i = 0; i < a->groups->len; i++) {
		Group *g = g_ptr_array_index(a->groups, i);

		g_string_printf(line, "-- list %s: group %u %s ", a->email, g->id, g->guid);
		append_quoted(line, g->name);
		server_logf(srv, "server", "%s", line->str);
	}
	for (i = 0; i < a->contacts->len; i++) {
		Contact *c = g_ptr_array_index(a->contacts, i);
		char *bits = lists_bits_text(c->lists, c->pending);

		g_string_printf(line, "-- list %s: %s", a->email, c->handle);
		if (c->network != NETWORK_MSN)
			g_string_append_printf(line, "/%u", c->network);
		g_string_append_printf(line, " %s ", bits);
		if (!c->groups)
			g_string_append_c(line, '-');
		for (k = 0; c->groups && k < c->groups->len; k++) {
			if (k)
				g_string_append_c(line, ',');
			append_token(line, ((Group *) g_ptr_array_index(c->groups, k))->name);
		}
		g_string_append_c(line, ' ');
		append_quoted(line, c->friendly);
		for (k = 0; k < G_N_ELEMENTS(c->phone); k++)
			if (c->phone[k])
				g_string_append_printf(line, " %s %s", setting_names[k], c->phone[k]);
		server_logf(srv, "server", "%s", line->str);
		g_free(bits);
	}
	g_string_printf(line, "-- list %s: end", a->email);
	server_logf(srv, "server", "%s", line->str);
	g_string_free(line, TRUE);
}
