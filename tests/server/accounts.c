/* msnp-testserver — accounts, login tickets and switchboard cookies. */
#include "testserver.h"

#include <string.h>

typedef struct {
	char *email;
	TicketKind kind;
	gint64 issued;         /* monotonic µs */
	gboolean signed_in;    /* used for an NS sign-in: good for the ABCH from then on */
} Ticket;

typedef struct {
	char *email;
	char *friendly;
	guint version;
	char *ns_label;        /* the NS connection that asked, or NULL */
	gint64 expires;        /* monotonic µs */
} SbCookie;

/* Ticket characters: what official compact tickets used, minus the separators
 * the plugin must never see inside one (& , ' = space). */
#define TICKET_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*$"
#define COOKIE_ALPHABET "0123456789"

static void
account_free(gpointer p)
{
	Account *a = p;

	lists_free_account(a);
	g_free(a->email);
	g_free(a->password);
	g_free(a->friendly);
	g_free(a);
}

static void
ticket_free(gpointer p)
{
	Ticket *t = p;

	g_free(t->email);
	g_free(t);
}

static void
cookie_free(gpointer p)
{
	SbCookie *c = p;

	g_free(c->email);
	g_free(c->friendly);
	g_free(c->ns_label);
	g_free(c);
}

static void
ensure_tables(Server *srv)
{
	if (!srv->accounts)
		srv->accounts = g_ptr_array_new_with_free_func(account_free);
	if (!srv->tickets)
		srv->tickets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, ticket_free);
	if (!srv->sb_cookies)
		srv->sb_cookies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, cookie_free);
	if (!srv->accounts_by_email)
		srv->accounts_by_email = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

gboolean
accounts_add_from_spec(Server *srv, const char *spec, GError **error)
{
	const char *c1 = strchr(spec, ':');
	const char *c2;
	Account *a;

	ensure_tables(srv);
	if (!c1 || c1 == spec || !strchr(spec, '@') || strchr(spec, '@') > c1) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--account: expected EMAIL:PASSWORD[:FRIENDLY], got %s", spec);
		return FALSE;
	}
	c2 = strchr(c1 + 1, ':');
	a = g_new0(Account, 1);
	a->email = g_strndup(spec, (gsize) (c1 - spec));
	if (c2) {
		a->password = g_strndup(c1 + 1, (gsize) (c2 - c1 - 1));
		a->friendly = g_strdup(c2 + 1);
	} else {
		a->password = g_strdup(c1 + 1);
	}
	if (!a->friendly || !*a->friendly) {
		g_free(a->friendly);
		a->friendly = g_strdup(a->email);
	}
	if (accounts_find(srv, a->email)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--account: %s given twice", a->email);
		account_free(a);
		return FALSE;
	}
	lists_init_account(a);
	g_ptr_array_add(srv->accounts, a);
	g_hash_table_insert(srv->accounts_by_email, g_ascii_strdown(a->email, -1), a);
	return TRUE;
}

Account *
accounts_find(Server *srv, const char *email)
{
	char *key;
	Account *a;

	if (!srv->accounts_by_email || !email)
		return NULL;
	a = g_hash_table_lookup(srv->accounts_by_email, email);
	if (a)
		return a;
	key = g_ascii_strdown(email, -1);
	a = g_hash_table_lookup(srv->accounts_by_email, key);
	g_free(key);
	return a;
}

gboolean
accounts_check_password(Server *srv, const char *email, const char *password)
{
	Account *a = accounts_find(srv, email);

	return a && password && strcmp(a->password, password) == 0;
}

const char *
tickets_issue(Server *srv, const char *email, TicketKind kind)
{
	Ticket *t;
	char *token;

	ensure_tables(srv);
	do {
		token = util_random_token(40, TICKET_ALPHABET);
		if (!g_hash_table_contains(srv->tickets, token))
			break;
		g_free(token);
	} while (TRUE);
	t = g_new0(Ticket, 1);
	t->email = g_strdup(email);
	t->kind = kind;
	t->issued = g_get_monotonic_time();
	g_hash_table_insert(srv->tickets, token, t);
	return token;
}

char *
tickets_extract_token(const char *ticket)
{
	if (g_str_has_prefix(ticket, "t=")) {
		const char *amp = strchr(ticket + 2, '&');

		return amp ? g_strndup(ticket + 2, (gsize) (amp - ticket - 2)) : g_strdup(ticket + 2);
	}
	return g_strdup(ticket);
}

gboolean
tickets_check(Server *srv, const char *ticket, const char *email)
{
	char *token;
	Ticket *t;
	gint64 lifetime;
	gboolean ok;

	if (!srv->tickets || !ticket || !email)
		return FALSE;
	token = tickets_extract_token(ticket);
	t = g_hash_table_lookup(srv->tickets, token);
	g_free(token);
	if (!t)
		return FALSE;
	lifetime = t->kind == TICKET_PASSPORT14 ? TICKET_PASSPORT14_LIFETIME_US
	                                        : TICKET_RST_LIFETIME_US;
	ok = g_ascii_strcasecmp(t->email, email) == 0 &&
	     g_get_monotonic_time() - t->issued < lifetime;
	if (ok)
		t->signed_in = TRUE;
	return ok;
}

Account *
tickets_account(Server *srv, const char *ticket)
{
	char *token;
	Ticket *t;
	gint64 lifetime;

	if (!srv->tickets || !ticket)
		return NULL;
	token = tickets_extract_token(ticket);
	t = g_hash_table_lookup(srv->tickets, token);
	g_free(token);
	if (!t)
		return NULL;
	lifetime = t->kind == TICKET_PASSPORT14 ? TICKET_PASSPORT14_LIFETIME_US
	                                        : TICKET_RST_LIFETIME_US;
	if (!t->signed_in && g_get_monotonic_time() - t->issued >= lifetime)
		return NULL;
	return accounts_find(srv, t->email);
}

char *
sb_cookie_issue(Server *srv, const char *email, const char *friendly, guint version,
                const char *ns_label)
{
	SbCookie *c;
	char *cookie, *a, *b;

	ensure_tables(srv);
	do {
		a = util_random_token(10, COOKIE_ALPHABET);
		b = util_random_token(10, COOKIE_ALPHABET);
		cookie = g_strdup_printf("%s.%s", a, b);
		g_free(a);
		g_free(b);
		if (!g_hash_table_contains(srv->sb_cookies, cookie))
			break;
		g_free(cookie);
	} while (TRUE);
	c = g_new0(SbCookie, 1);
	c->email = g_strdup(email);
	c->friendly = g_strdup(friendly);
	c->version = version;
	c->ns_label = g_strdup(ns_label);
	c->expires = g_get_monotonic_time() + SB_COOKIE_LIFETIME_US;
	g_hash_table_insert(srv->sb_cookies, g_strdup(cookie), c);
	return cookie;
}

gboolean
sb_cookie_take(Server *srv, const char *cookie, const char *email,
               char **friendly, guint *version, char **ns_label)
{
	SbCookie *c;
	gboolean ok;

	if (!srv->sb_cookies || !cookie || !email)
		return FALSE;
	c = g_hash_table_lookup(srv->sb_cookies, cookie);
	if (!c)
		return FALSE;
	/* Escargot pops the token first and checks it afterwards: a cookie
	 * is gone after one try, right or wrong. */
	ok = strcmp(c->email, email) == 0 &&
	     g_get_monotonic_time() < c->expires;
	if (ok) {
		if (friendly)
			*friendly = g_strdup(c->friendly);
		if (version)
			*version = c->version;
		if (ns_label)
			*ns_label = g_strdup(c->ns_label);
	}
	g_hash_table_remove(srv->sb_cookies, cookie);
	return ok;
}

void
accounts_free_all(Server *srv)
{
	g_clear_pointer(&srv->accounts_by_email, g_hash_table_unref);
	g_clear_pointer(&srv->accounts, g_ptr_array_unref);
	g_clear_pointer(&srv->known_users, g_hash_table_unref);
	g_clear_pointer(&srv->tickets, g_hash_table_unref);
	g_clear_pointer(&srv->sb_cookies, g_hash_table_unref);
}
