/* purple-msnp — the ADL/RML/FQY payload (protocol/contacts.md §7). */
#include "proto/adl.h"

#include <string.h>

#include "proto/urlenc.h"

G_DEFINE_QUARK(msn-adl-error-quark, msn_adl_error)

#define ML_INITIAL_OPEN "<ml l=\"1\">"
#define ML_CLOSE        "</ml>"
#define D_ML_CLOSE      "</d></ml>"

/* ---- building ---- */

/* Where handle splits, or NULL when it may not go into an ADL. */
static const char *
handle_split(const char *handle, gsize *len)
{
	const char *at;
	gsize n, i;

	if (handle == NULL)
		return NULL;
	n = strlen(handle);
	if (n == 0 || n > MSN_ADL_MAX_HANDLE || !g_utf8_validate(handle, (gssize)n, NULL))
		return NULL;
	for (i = 0; i < n; i++)
		if ((guchar)handle[i] < 0x20 || handle[i] == 0x7f)
			return NULL;
	at = strrchr(handle, '@');
	if (at == NULL || at == handle || at[1] == '\0')
		return NULL;
	*len = n;
	return at;
}

/* Appends s[0..len) lower-cased (ASCII) and escaped for an attribute value:
 * runs without a character to escape are copied whole. */
static void
append_attr(GString *out, const char *s, gsize len)
{
	gsize i = 0;

	while (i < len) {
		gsize run = i, k, at;

		while (run < len && s[run] != '&' && s[run] != '<' && s[run] != '>' &&
		       s[run] != '"' && s[run] != '\'')
			run++;
		if (run > i) {
			at = out->len;
			g_string_append_len(out, s + i, (gssize)(run - i));
			for (k = at; k < out->len; k++)
				out->str[k] = g_ascii_tolower(out->str[k]);
			i = run;
			if (i == len)
				break;
		}
		switch (s[i]) {
		case '&':
			g_string_append(out, "&amp;");
			break;
		case '<':
			g_string_append(out, "&lt;");
			break;
		case '>':
			g_string_append(out, "&gt;");
			break;
		case '"':
			g_string_append(out, "&quot;");
			break;
		default:
			g_string_append(out, "&apos;");
			break;
		}
		i++;
	}
}

/* Appends v in decimal (no printf: the initial dump has thousands). */
static void
append_uint(GString *out, guint v)
{
	char buf[16];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		g_string_append_c(out, buf[--n]);
}

static void
append_c(GString *out, const char *local, gsize local_len, guint lists, guint network)
{
	g_string_append(out, "<c n=\"");
	append_attr(out, local, local_len);
	g_string_append(out, "\" l=\"");
	append_uint(out, lists & MSN_ADL_SENDABLE);
	g_string_append(out, "\" t=\"");
	append_uint(out, network ? network : (guint)MSN_NETWORK_PASSPORT);
	g_string_append(out, "\" />");
}

static void
append_d_open(GString *out, const char *domain, gsize domain_len)
{
	g_string_append(out, "<d n=\"");
	append_attr(out, domain, domain_len);
	g_string_append(out, "\">");
}

static gboolean
entry_usable(const char *handle, guint lists, guint network, const char **at, gsize *len)
{
	if ((lists & MSN_ADL_SENDABLE) == 0 || network == MSN_NETWORK_PHONE)
		return FALSE;
	*at = handle_split(handle, len);
	return *at != NULL;
}

char *
msn_adl_build_one(const char *handle, guint lists, guint network)
{
	const char *at;
	gsize len;
	GString *out;

	if (!entry_usable(handle, lists, network, &at, &len))
		return NULL;
	out = g_string_sized_new(64 + 2 * len);
	g_string_append(out, "<ml>");
	append_d_open(out, at + 1, len - (gsize)(at + 1 - handle));
	append_c(out, handle, (gsize)(at - handle), lists, network);
	g_string_append(out, D_ML_CLOSE);
	return g_string_free(out, FALSE);
}

typedef struct {
	gint first, last;     /* entry indexes, chained through next[] */
} Bucket;

typedef struct {
	GPtrArray *out;
	GString *cur;         /* the batch being filled, or NULL */
	guint count;          /* <c> in cur */
	gboolean d_open;      /* cur ends inside a <d> */
} Batcher;

static void
batch_flush(Batcher *b)
{
	if (b->cur == NULL)
		return;
	g_string_append(b->cur, b->d_open ? D_ML_CLOSE : ML_CLOSE);
	g_ptr_array_add(b->out, g_string_free(b->cur, FALSE));
	b->cur = NULL;
	b->count = 0;
	b->d_open = FALSE;
}

GPtrArray *
msn_adl_build_initial(const MsnAdlEntry *entries, gsize n_entries, guint *n_skipped)
{
	GHashTable *domains;       /* lower-cased domain → bucket index + 1 */
	GArray *buckets;
	gint *next;
	const char **ats;          /* per entry: its last '@', NULL when skipped */
	gsize *lens, i;
	gssize last = -1;          /* the last usable entry, and its bucket index + 1 */
	guint skipped = 0, bi, last_bucket = 0;
	Batcher b = { 0 };
	GString *d_open = g_string_new(NULL), *c = g_string_new(NULL);

	b.out = g_ptr_array_new_with_free_func(g_free);
	domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	buckets = g_array_new(FALSE, FALSE, sizeof(Bucket));
	next = g_new(gint, n_entries ? n_entries : 1);
	ats = g_new0(const char *, n_entries ? n_entries : 1);
	lens = g_new0(gsize, n_entries ? n_entries : 1);

	/* One pass to bucket by domain, keeping first-seen order.  Lists come
	 * mostly in runs of one domain: the last entry's bucket is tried first. */
	for (i = 0; i < n_entries; i++) {
		const MsnAdlEntry *e = &entries[i];
		char *domain;
		gpointer found;
		Bucket *bk;

		next[i] = -1;
		if (!entry_usable(e->handle, e->lists, e->network, &ats[i], &lens[i])) {
			ats[i] = NULL;
			skipped++;
			continue;
		}
		if (last >= 0 && g_ascii_strcasecmp(ats[last] + 1, ats[i] + 1) == 0) {
			found = GUINT_TO_POINTER(last_bucket);
		} else {
			domain = g_ascii_strdown(ats[i] + 1, -1);
			found = g_hash_table_lookup(domains, domain);
			if (found == NULL) {
				Bucket nb = { (gint)i, (gint)i };

				g_array_append_val(buckets, nb);
				g_hash_table_insert(domains, domain, GUINT_TO_POINTER(buckets->len));
				last = (gssize)i;
				last_bucket = buckets->len;
				continue;
			}
			g_free(domain);
		}
		last = (gssize)i;
		last_bucket = GPOINTER_TO_UINT(found);
		bk = &g_array_index(buckets, Bucket, GPOINTER_TO_UINT(found) - 1);
		next[bk->last] = (gint)i;
		bk->last = (gint)i;
	}

	for (bi = 0; bi < buckets->len; bi++) {
		Bucket *bk = &g_array_index(buckets, Bucket, bi);
		gint k;

		g_string_truncate(d_open, 0);
		{
			const char *h = entries[bk->first].handle;
			const char *at = ats[bk->first];

			append_d_open(d_open, at + 1, lens[bk->first] - (gsize)(at + 1 - h));
		}
		for (k = bk->first; k >= 0; k = next[k]) {
			const MsnAdlEntry *e = &entries[k];
			gsize need;

			g_string_truncate(c, 0);
			append_c(c, e->handle, (gsize)(ats[k] - e->handle), e->lists, e->network);
			/* A contact that cannot fit even alone is skipped. */
			if (strlen(ML_INITIAL_OPEN) + d_open->len + c->len + strlen(D_ML_CLOSE) >=
			    MSN_ADL_MAX_BYTES) {
				skipped++;
				continue;
			}
			need = c->len + (b.d_open ? 0 : d_open->len) + strlen(D_ML_CLOSE);
			if (b.cur && (b.count >= MSN_ADL_MAX_CONTACTS ||
			              b.cur->len + need >= MSN_ADL_MAX_BYTES))
				batch_flush(&b);
			if (b.cur == NULL)
				b.cur = g_string_new(ML_INITIAL_OPEN);
			if (!b.d_open) {
				g_string_append_len(b.cur, d_open->str, (gssize)d_open->len);
				b.d_open = TRUE;
			}
			g_string_append_len(b.cur, c->str, (gssize)c->len);
			b.count++;
		}
		if (b.cur && b.d_open) {
			g_string_append(b.cur, "</d>");
			b.d_open = FALSE;
		}
	}
	batch_flush(&b);
	if (b.out->len == 0)
		g_ptr_array_add(b.out, g_strdup(ML_INITIAL_OPEN ML_CLOSE));

	g_string_free(d_open, TRUE);
	g_string_free(c, TRUE);
	g_hash_table_unref(domains);
	g_array_unref(buckets);
	g_free(next);
	g_free(ats);
	g_free(lens);
	if (n_skipped)
		*n_skipped = skipped;
	return b.out;
}

/* ---- reading ---- */

void
msn_adl_item_free(MsnAdlItem *item)
{
	if (item == NULL)
		return;
	g_free(item->handle);
	g_free(item->friendly);
	g_free(item);
}

enum { K_OTHER, K_ML, K_D, K_T, K_C };
#define MAX_DEPTH 32

typedef struct {
	GPtrArray *items;
	guint8 kinds[MAX_DEPTH];
	guint depth;
	gboolean root_seen;
	char *domain;          /* the open <d>'s n, lower-cased; NULL if none */
} Reader;

static guint
parse_uint(const char *s, guint fallback)
{
	guint64 v;

	if (s && g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT, &v, NULL))
		return (guint)v;
	return fallback;
}

static void
read_c(Reader *r, guint8 parent, const char **names, const char **values)
{
	const char *n = NULL, *l = NULL, *t = NULL, *f = NULL;
	MsnAdlItem *item;
	guint i;

	for (i = 0; names[i]; i++) {
		if (strcmp(names[i], "n") == 0 && !n)
			n = values[i];
		else if (strcmp(names[i], "l") == 0 && !l)
			l = values[i];
		else if (strcmp(names[i], "t") == 0 && !t)
			t = values[i];
		else if (strcmp(names[i], "f") == 0 && !f)
			f = values[i];
	}
	if (n == NULL || *n == '\0')
		return;
	if (parent == K_D && r->domain == NULL)
		return;
	item = g_new0(MsnAdlItem, 1);
	if (parent == K_D) {
		char *local = g_ascii_strdown(n, -1);

		item->handle = g_strconcat(local, "@", r->domain, NULL);
		g_free(local);
		item->network = parse_uint(t, MSN_NETWORK_PASSPORT);
	} else {
		item->handle = g_strdup(n);
		item->network = parse_uint(t, MSN_NETWORK_PHONE);
	}
	item->lists = parse_uint(l, 0);
	item->friendly = f ? msn_url_decode(f) : NULL;
	g_ptr_array_add(r->items, item);
}

static void
start_element(GMarkupParseContext *ctx, const char *name, const char **names,
              const char **values, gpointer data, GError **error)
{
	Reader *r = data;
	guint8 parent = r->depth ? r->kinds[MIN(r->depth, MAX_DEPTH) - 1] : K_OTHER;
	guint8 kind = K_OTHER;

	if (r->depth == 0) {
		if (r->root_seen) {
			g_set_error(error, MSN_ADL_ERROR, MSN_ADL_ERROR_MALFORMED,
			            "a second root element <%s>", name);
			return;
		}
		r->root_seen = TRUE;
		if (strcmp(name, "ml") != 0) {
			g_set_error(error, MSN_ADL_ERROR, MSN_ADL_ERROR_MALFORMED,
			            "the root element is <%s>, not <ml>", name);
			return;
		}
		kind = K_ML;
	} else if (r->depth < MAX_DEPTH && parent == K_ML && strcmp(name, "d") == 0) {
		guint i;

		kind = K_D;
		g_clear_pointer(&r->domain, g_free);
		for (i = 0; names[i]; i++)
			if (strcmp(names[i], "n") == 0 && values[i][0] && !strchr(values[i], '@')) {
				r->domain = g_ascii_strdown(values[i], -1);
				break;
			}
	} else if (r->depth < MAX_DEPTH && parent == K_ML && strcmp(name, "t") == 0) {
		kind = K_T;
	} else if (r->depth < MAX_DEPTH && (parent == K_D || parent == K_T) &&
	           strcmp(name, "c") == 0) {
		kind = K_C;
		read_c(r, parent, names, values);
	}
	if (r->depth < MAX_DEPTH)
		r->kinds[r->depth] = kind;
	r->depth++;
}

static void
end_element(GMarkupParseContext *ctx, const char *name, gpointer data, GError **error)
{
	Reader *r = data;

	if (r->depth == 0)
		return;
	r->depth--;
	if (r->depth < MAX_DEPTH && r->kinds[r->depth] == K_D)
		g_clear_pointer(&r->domain, g_free);
}

GPtrArray *
msn_adl_parse(const char *payload, gsize len, GError **error)
{
	static const GMarkupParser parser = { start_element, end_element, NULL, NULL, NULL };
	Reader r = { 0 };
	GMarkupParseContext *ctx;
	GError *perr = NULL;
	gboolean ok;

	if (len > MSN_ADL_MAX_PARSE) {
		g_set_error(error, MSN_ADL_ERROR, MSN_ADL_ERROR_TOO_LARGE,
		            "ADL payload of %" G_GSIZE_FORMAT " bytes (at most %d)", len,
		            MSN_ADL_MAX_PARSE);
		return NULL;
	}
	if (payload == NULL) {
		payload = "";
		len = 0;
	}
	if (memchr(payload, '\0', len) != NULL) {
		g_set_error(error, MSN_ADL_ERROR, MSN_ADL_ERROR_MALFORMED,
		            "malformed ADL payload: it holds a NUL byte");
		return NULL;
	}
	r.items = g_ptr_array_new_with_free_func((GDestroyNotify)msn_adl_item_free);
	ctx = g_markup_parse_context_new(&parser, 0, &r, NULL);
	ok = g_markup_parse_context_parse(ctx, payload, (gssize)len, &perr) &&
	     g_markup_parse_context_end_parse(ctx, &perr);
	g_markup_parse_context_free(ctx);
	g_free(r.domain);
	if (!ok) {
		g_set_error(error, MSN_ADL_ERROR, MSN_ADL_ERROR_MALFORMED, "malformed ADL payload: %s",
		            perr ? perr->message : "?");
		g_clear_error(&perr);
		g_ptr_array_unref(r.items);
		return NULL;
	}
	return r.items;
}
