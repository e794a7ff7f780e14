/* purple-msnp — a streaming XML reader (see xml.h).
 *
 * How it reads: between tokens, character data is handed on straight from
 * the piece fed (no copy), scanned eight bytes at a time.  A plain "<name>"
 * or "</name>" lying whole in the piece is read in one pass: the end tag is
 * compared with the open element's name, the start tag with the name the
 * document had there last time (Name.first / Name.next), hashing only when
 * that guess is wrong.  Any other token — a tag with attributes, comment,
 * PI, CDATA section, reference, or one cut by the end of a piece — is first
 * scanned for its end by a small resumable state machine (quotes in tags,
 * "-->", "]]>", "?>", ';'), then read whole: from the piece itself when it
 * ends there, else from `pending`, where the bytes of a cut token wait for
 * the rest.  No byte is scanned twice by the state machine, so the work is
 * linear in the input however it is split.
 */
#include "proto/xml.h"

#include <string.h>

G_DEFINE_QUARK(msn-xml-error-quark, msn_xml_error)

typedef enum {
	DOC_PROLOG,    /* before the root element */
	DOC_CONTENT,   /* inside it */
	DOC_EPILOG     /* after it */
} DocState;

/* The token being scanned. */
typedef enum {
	TOK_NONE,      /* none: between tokens */
	TOK_LT,        /* "<": the next byte decides */
	TOK_BANG,      /* "<!" */
	TOK_OPENER,    /* matching `opener` ("<!--" or "<![CDATA[") */
	TOK_STAG,      /* a start tag: up to '>' outside quotes */
	TOK_ETAG,      /* an end tag: up to '>' */
	TOK_COMMENT,   /* up to "-->" */
	TOK_CDATA,     /* up to "]]>" */
	TOK_PI,        /* up to "?>" */
	TOK_REF        /* "&": up to ';' */
} TokKind;

static const char comment_opener[] = "<!--";
static const char cdata_opener[] = "<![CDATA[";
/* Longest reference read ("&#x10FFFF;" and the named ones fit). */
#define MAX_REF 32

/* An interned name.  Documents repeat the same sequences of elements, so
 * each name remembers which element came after it (as its next sibling) and
 * which came first inside it, last time: a start tag is compared with that
 * guess before any hashing. */
typedef struct _Name Name;
struct _Name {
	const char *str;     /* NUL-terminated, in names */
	guint32 len, hash;
	Name *local;         /* its local part (itself without a prefix) */
	Name *first;         /* the guesses (NULL: none yet) */
	Name *next;
};

typedef struct {
	Name *q;             /* as written (with its prefix) */
	Name *last;          /* its last child closed so far, NULL before one */
} Open;

struct _MsnXmlReader {
	MsnXmlHandlers h;
	gpointer data;
	GError *error;
	DocState doc;
	gboolean started;    /* past a byte-order mark (or its absence) */
	guint bom;           /* bytes of a byte-order mark seen so far */
	gboolean any;        /* something was read (the declaration comes first) */
	gboolean cr;         /* character data ended with CR: a LF right after is dropped */
	guint brackets;      /* ']' (0–2) ending the literal character data just read */
	/* the token being scanned */
	TokKind kind;
	const char *opener;
	gsize tok_len;       /* its bytes scanned so far */
	char quote;          /* TOK_STAG: the quote open, 0 outside */
	guint run;           /* '-', ']' or '?' just scanned */
	GString *pending;    /* a token cut by the end of a piece */
	/* open elements */
	Open stack[MSN_XML_MAX_DEPTH];
	guint depth;
	/* interned names: open addressing, a power of two */
	Name **slots;
	guint n_slots;
	GPtrArray *all;      /* Name*, owned */
	GStringChunk *names;
	/* the attributes of the tag being read */
	GString *scratch;
};

/* ---- characters ---- */

enum {
	C_NAME_START = 1 << 0,   /* may start a name */
	C_NAME = 1 << 1,         /* may be in a name */
	C_SPACE = 1 << 2,        /* S: space, tab, CR, LF */
	C_TEXT = 1 << 3,         /* stops a run of character data */
	C_CDATA = 1 << 4,        /* stops a run of a CDATA section's content */
	C_CONTROL = 1 << 5       /* not an XML character */
};

static guint8 classes[256];

static void
init_classes(void)
{
	static gsize done = 0;
	guint c;

	if (!g_once_init_enter(&done))
		return;
	for (c = 0; c < 256; c++) {
		guint8 k = 0;

		if (g_ascii_isalpha(c) || c == '_' || c == ':' || c >= 0x80)
			k |= C_NAME_START | C_NAME;
		if (g_ascii_isdigit(c) || c == '-' || c == '.')
			k |= C_NAME;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			k |= C_SPACE;
		if (c < 0x20 && c != '\t' && c != '\r' && c != '\n')
			k |= C_CONTROL | C_TEXT | C_CDATA;
		if (c == '<' || c == '&' || c == '>' || c == '\r')
			k |= C_TEXT;
		if (c == '\r')
			k |= C_CDATA;
		classes[c] = k;
	}
	g_once_init_leave(&done, 1);
}

#define IS(c, k) ((classes[(guchar)(c)] & (k)) != 0)

/* ---- errors ---- */

static void
fail(MsnXmlReader *r, MsnXmlError code, const char *what)
{
	if (r->error == NULL)
		r->error = g_error_new_literal(MSN_XML_ERROR, code, what);
}

static void
malformed(MsnXmlReader *r, const char *what)
{
	fail(r, MSN_XML_ERROR_MALFORMED, what);
}

/* ---- names ---- */

/* Eight bytes at a time (names are short); the last eight may overlap. */
static guint32
hash_name(const char *s, gsize n)
{
	guint64 h = G_GUINT64_CONSTANT(0x9e3779b97f4a7c15) ^ n, w;
	gsize i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8) {
			memcpy(&w, s + i, 8);
			h = (h ^ w) * G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
			h ^= h >> 32;
		}
		memcpy(&w, s + n - 8, 8);
	} else if (n >= 4) {
		guint32 lo, hi;

		memcpy(&lo, s, 4);
		memcpy(&hi, s + n - 4, 4);
		w = lo | (guint64)hi << 32;
	} else if (n > 0)
		w = (guchar)s[0] | (guint64)(guchar)s[n / 2] << 8 | (guint64)(guchar)s[n - 1] << 16;
	else
		w = 0;
	h = (h ^ w) * G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= G_GUINT64_CONSTANT(0xc4ceb9fe1a85ec53);
	return (guint32)(h >> 32);
}

/* a[0..n) == b[0..n), a word at a time (names are short: no call). */
static inline gboolean
same_bytes(const char *a, const char *b, gsize n)
{
	guint64 x, y;
	guint32 u, v;
	gsize i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return FALSE;
		}
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if (u != v)
			return FALSE;
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return u == v;
	}
	return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

static void
grow_names(MsnXmlReader *r)
{
	guint n = r->n_slots * 2, i, j;
	Name **slots = g_new0(Name *, n);

	for (i = 0; i < r->n_slots; i++) {
		if (r->slots[i] == NULL)
			continue;
		for (j = r->slots[i]->hash & (n - 1); slots[j]; j = (j + 1) & (n - 1))
			;
		slots[j] = r->slots[i];
	}
	g_free(r->slots);
	r->slots = slots;
	r->n_slots = n;
}

static void local_part(const char *q, gsize n, const char **local, gsize *local_len);

/* The interned name s[0..n), NULL over a bound. */
static Name *
intern_len(MsnXmlReader *r, const char *s, gsize n)
{
	guint32 h;
	guint mask = r->n_slots - 1, i;
	Name *name, *local = NULL;
	const char *l;
	gsize llen;

	if (n > MSN_XML_MAX_NAME)
		return NULL;
	h = hash_name(s, n);
	for (i = h & mask; r->slots[i]; i = (i + 1) & mask)
		if (r->slots[i]->hash == h && r->slots[i]->len == n && same_bytes(r->slots[i]->str, s, n))
			return r->slots[i];
	/* A new name: its local part first (the table may grow meanwhile). */
	local_part(s, n, &l, &llen);
	if (llen != n && (local = intern_len(r, l, llen)) == NULL)
		return NULL;
	if (r->all->len >= MSN_XML_MAX_NAMES)
		return NULL;
	mask = r->n_slots - 1;
	for (i = h & mask; r->slots[i]; i = (i + 1) & mask)
		;
	name = g_new0(Name, 1);
	name->str = g_string_chunk_insert_len(r->names, s, (gssize)n);
	name->len = (guint32)n;
	name->hash = h;
	name->local = local ? local : name;
	r->slots[i] = name;
	g_ptr_array_add(r->all, name);
	if (r->all->len * 2 > r->n_slots)
		grow_names(r);
	return name;
}

/* The name the next start tag at the current depth is likely to have. */
static Name *
guess(MsnXmlReader *r)
{
	Open *parent = r->depth ? &r->stack[r->depth - 1] : NULL;

	if (parent == NULL)
		return NULL;
	return parent->last ? parent->last->next : parent->q->first;
}

/* The name of a start tag s[0..n) at the current depth, guessed first. */
static Name *
child_name(MsnXmlReader *r, const char *s, gsize n)
{
	Open *parent = r->depth ? &r->stack[r->depth - 1] : NULL;
	Name *g = guess(r), *name;

	if (g && g->len == n && same_bytes(g->str, s, n))
		return g;
	name = intern_len(r, s, n);
	if (name && parent) {
		if (parent->last)
			parent->last->next = name;
		else
			parent->q->first = name;
	}
	return name;
}

/* Enters an element named name (the depth has room). */
static Open *
push_open(MsnXmlReader *r, Name *name)
{
	Open *o = &r->stack[r->depth++];

	o->q = name;
	o->last = NULL;
	return o;
}

/* Leaves the innermost element: its name. */
static Name *
pop_open(MsnXmlReader *r)
{
	Name *name = r->stack[--r->depth].q;

	if (r->depth > 0)
		r->stack[r->depth - 1].last = name;
	else
		r->doc = DOC_EPILOG;
	return name;
}

const char *
msn_xml_reader_intern(MsnXmlReader *r, const char *name)
{
	Name *n;

	g_return_val_if_fail(r != NULL && name != NULL, NULL);
	n = intern_len(r, name, strlen(name));
	return n ? n->str : NULL;
}

/* The local part of a qualified name: after its colon when both sides have
 * something. */
static void
local_part(const char *q, gsize n, const char **local, gsize *local_len)
{
	const char *colon = memchr(q, ':', n);

	if (colon && colon > q && colon < q + n - 1) {
		*local = colon + 1;
		*local_len = n - (gsize)(colon + 1 - q);
	} else {
		*local = q;
		*local_len = n;
	}
}

/* A name at *p (before end): its length, 0 when there is none. */
static gsize
name_at(const char *p, const char *end)
{
	const char *s = p;

	if (p == end || !IS(*p, C_NAME_START))
		return 0;
	for (p++; p < end && IS(*p, C_NAME); p++)
		;
	return (gsize)(p - s);
}

/* ---- life ---- */

MsnXmlReader *
msn_xml_reader_new(const MsnXmlHandlers *handlers, gpointer data)
{
	MsnXmlReader *r = g_new0(MsnXmlReader, 1);

	init_classes();
	if (handlers)
		r->h = *handlers;
	r->data = data;
	r->pending = g_string_new(NULL);
	r->scratch = g_string_new(NULL);
	r->n_slots = 256;
	r->slots = g_new0(Name *, r->n_slots);
	r->all = g_ptr_array_new_with_free_func(g_free);
	r->names = g_string_chunk_new(4096);
	return r;
}

void
msn_xml_reader_free(MsnXmlReader *r)
{
	if (r == NULL)
		return;
	g_clear_error(&r->error);
	g_string_free(r->pending, TRUE);
	g_string_free(r->scratch, TRUE);
	g_free(r->slots);
	g_ptr_array_unref(r->all);
	g_string_chunk_free(r->names);
	g_free(r);
}

void
msn_xml_reader_stop(MsnXmlReader *r)
{
	fail(r, MSN_XML_ERROR_STOPPED, "reading was stopped");
}

const GError *
msn_xml_reader_error(MsnXmlReader *r)
{
	return r->error;
}

/* ---- character data ---- */

/* ']' ending the literal text so far after s[0..n) followed prev of them. */
static guint
brackets_after(guint prev, const char *s, gsize n)
{
	gsize k = 0;

	while (k < n && k < 2 && s[n - 1 - k] == ']')
		k++;
	if (k == n)
		return MIN(2, prev + (guint)k);
	return (guint)k;
}

/* Eight bytes at a time: whether w holds a byte below 0x20 (CR and the
 * control characters; tab and LF too, sent to the byte loop) or, for text,
 * '<', '&' or '>'. */
#define ONES  G_GUINT64_CONSTANT(0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT(0x8080808080808080)
#define HAS_ZERO(v) (((v) - ONES) & ~(v) & HIGHS)

static inline gboolean
word_stops(guint64 w, gboolean cdata)
{
	if (((w - ONES * 0x20) & ~w & HIGHS) != 0)
		return TRUE;
	return !cdata && (HAS_ZERO(w ^ (ONES * '<')) | HAS_ZERO(w ^ (ONES * '&')) |
	                  HAS_ZERO(w ^ (ONES * '>'))) != 0;
}

static void
emit(MsnXmlReader *r, const char *s, gsize n)
{
	if (n == 0)
		return;
	r->brackets = brackets_after(r->brackets, s, n);
	if (r->h.text)
		r->h.text(r, s, n, r->data);
}

/* Reads character data from s (cdata: a CDATA section's content, where only
 * CR and control characters are special); returns the bytes used — up to a
 * '<' or '&' (text), or all of them. */
static gsize
char_data(MsnXmlReader *r, const char *s, gsize n, gboolean cdata)
{
	guint8 stop = cdata ? C_CDATA : C_TEXT;
	gsize i = 0, from = 0;

	if (r->cr) {
		r->cr = FALSE;
		if (n > 0 && s[0] == '\n')
			i = from = 1;
	}
	for (;;) {
		char c;

		for (; i + 8 <= n; i += 8) {
			guint64 w;

			memcpy(&w, s + i, 8);
			if (word_stops(w, cdata))
				break;
		}
		while (i < n && !IS(s[i], stop))
			i++;
		if (i == n)
			break;
		c = s[i];
		if (c == '<' || c == '&')
			break;
		if (c == '\r') {
			emit(r, s + from, i - from);
			if (r->error)
				return i;
			emit(r, "\n", 1);
			if (r->error)
				return i;
			from = ++i;
			/* CR LF is one LF; a CR at the end waits for the next byte. */
			if (i == n)
				r->cr = TRUE;
			else if (s[i] == '\n')
				from = ++i;
			continue;
		}
		if (c == '>') {
			if (brackets_after(r->brackets, s + from, i - from) >= 2)
				break;
			i++;
			continue;
		}
		break;
	}
	/* What came before an error is handed on too: a split there would
	 * have handed it on already. */
	emit(r, s + from, i - from);
	if (i < n && r->error == NULL && s[i] != '<' && s[i] != '&') {
		malformed(r, s[i] == '>' ? "\"]]>\" in text" : "a control character");
		return i;
	}
	return i;
}

/* Outside the root element: only whitespace. */
static gsize
outside_data(MsnXmlReader *r, const char *s, gsize n)
{
	gsize i;

	for (i = 0; i < n && IS(s[i], C_SPACE); i++)
		;
	if (i < n && s[i] != '<' && s[i] != '&')
		malformed(r, r->doc == DOC_PROLOG ? "text before the root element (not XML)"
		                                  : "text after the root element");
	return i;
}

static gboolean
has_control(const char *s, gsize n)
{
	gsize i;

	for (i = 0; i < n; i++)
		if (IS(s[i], C_CONTROL))
			return TRUE;
	return FALSE;
}

/* ---- references ---- */

/* A legal XML character. */
static gboolean
is_xml_char(gunichar c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Decodes "&…;" (whole) into out (UTF-8, 4 bytes at most); its length, 0
 * for a reference that is not one of the predefined entities or a legal
 * character. */
static gsize
decode_ref(const char *ref, gsize n, char out[4])
{
	static const struct {
		const char *name;
		char c;
	} named[] = { { "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "apos", '\'' }, { "quot", '"' } };
	const char *s = ref + 1;
	gsize len = n - 2, i;
	guint64 v = 0;

	if (len >= 2 && s[0] == '#') {
		gboolean hex = s[1] == 'x';

		for (i = hex ? 2 : 1; i < len; i++) {
			int d = hex ? g_ascii_xdigit_value(s[i]) : g_ascii_digit_value(s[i]);

			if (d < 0)
				return 0;
			v = v * (hex ? 16 : 10) + (guint)d;
			if (v > 0x10FFFF)
				return 0;
		}
		if (i == (hex ? 2u : 1u) || !is_xml_char((gunichar)v))
			return 0;
		return (gsize)g_unichar_to_utf8((gunichar)v, out);
	}
	for (i = 0; i < G_N_ELEMENTS(named); i++)
		if (strlen(named[i].name) == len && memcmp(named[i].name, s, len) == 0) {
			out[0] = named[i].c;
			return 1;
		}
	return 0;
}

static void
read_ref(MsnXmlReader *r, const char *tok, gsize len)
{
	char c[4];
	gsize n;

	if (r->doc != DOC_CONTENT) {
		malformed(r, "a reference outside the root element");
		return;
	}
	n = decode_ref(tok, len, c);
	if (n == 0) {
		malformed(r, "an undefined entity or a character reference to no character");
		return;
	}
	if (r->h.text)
		r->h.text(r, c, n, r->data);
}

/* ---- tags ---- */

/* An attribute value (between its quotes) decoded and normalized into
 * out; FALSE when it holds '<', a bad reference or a control character. */
static gboolean
attr_value(const char *v, gsize n, GString *out)
{
	gsize i = 0;

	while (i < n) {
		char c = v[i];

		if (c == '&') {
			const char *semi = memchr(v + i, ';', MIN(n - i, MAX_REF));
			char u[4];
			gsize k;

			if (semi == NULL || (k = decode_ref(v + i, (gsize)(semi - (v + i)) + 1, u)) == 0)
				return FALSE;
			g_string_append_len(out, u, (gssize)k);
			i = (gsize)(semi - v) + 1;
		} else if (c == '<' || IS(c, C_CONTROL)) {
			return FALSE;
		} else if (c == '\r') {
			/* CR LF and CR are a LF; white space becomes a space. */
			g_string_append_c(out, ' ');
			i += (i + 1 < n && v[i + 1] == '\n') ? 2 : 1;
		} else {
			g_string_append_c(out, IS(c, C_SPACE) ? ' ' : c);
			i++;
		}
	}
	return TRUE;
}

static gboolean
is_xmlns(const char *q, gsize n)
{
	return (n == 5 && memcmp(q, "xmlns", 5) == 0) || (n > 6 && memcmp(q, "xmlns:", 6) == 0);
}

static void
read_start(MsnXmlReader *r, const char *tok, gsize len)
{
	const char *p = tok + 1, *end = tok + len - 1;   /* at the '>' */
	const char *qnames[MSN_XML_MAX_ATTRS];
	gsize qlens[MSN_XML_MAX_ATTRS], offs[2 * MSN_XML_MAX_ATTRS];
	const char *names[MSN_XML_MAX_ATTRS + 1], *values[MSN_XML_MAX_ATTRS + 1];
	guint n_attrs = 0, n_out = 0, i;
	gboolean empty = FALSE;
	gsize qlen, llen;
	const char *lstart, *qname, *local;
	Name *name;

	if (end > p && end[-1] == '/') {
		empty = TRUE;
		end--;
	}
	qlen = name_at(p, end);
	if (qlen == 0) {
		malformed(r, "a tag without a name");
		return;
	}
	qname = p;
	p += qlen;
	g_string_truncate(r->scratch, 0);
	while (p < end) {
		const char *an, *v, *close;
		gsize alen, k;
		char q;

		if (!IS(*p, C_SPACE)) {
			malformed(r, "a tag's attributes are not name=\"value\" separated by spaces");
			return;
		}
		while (p < end && IS(*p, C_SPACE))
			p++;
		if (p == end)
			break;
		an = p;
		alen = name_at(p, end);
		p += alen;
		while (p < end && IS(*p, C_SPACE))
			p++;
		if (alen == 0 || p == end || *p != '=') {
			malformed(r, "a tag's attributes are not name=\"value\" separated by spaces");
			return;
		}
		for (p++; p < end && IS(*p, C_SPACE); p++)
			;
		if (p == end || (*p != '"' && *p != '\'')) {
			malformed(r, "an attribute value without quotes");
			return;
		}
		q = *p++;
		v = p;
		close = memchr(p, q, (gsize)(end - p));
		if (close == NULL) {
			malformed(r, "an attribute value without quotes");
			return;
		}
		p = close + 1;
		for (k = 0; k < n_attrs; k++)
			if (qlens[k] == alen && memcmp(qnames[k], an, alen) == 0) {
				malformed(r, "an attribute given twice");
				return;
			}
		if (n_attrs == MSN_XML_MAX_ATTRS) {
			fail(r, MSN_XML_ERROR_TOO_LARGE, "a tag with too many attributes");
			return;
		}
		qnames[n_attrs] = an;
		qlens[n_attrs] = alen;
		n_attrs++;
		if (is_xmlns(an, alen)) {
			/* Checked, not handed on (namespaces are not read). */
			gsize mark = r->scratch->len;

			if (!attr_value(v, (gsize)(close - v), r->scratch)) {
				malformed(r, "an attribute value with '<', a bad reference or a control "
				          "character");
				return;
			}
			g_string_truncate(r->scratch, mark);
			continue;
		}
		local_part(an, alen, &lstart, &llen);
		offs[2 * n_out] = r->scratch->len;
		g_string_append_len(r->scratch, lstart, (gssize)llen);
		g_string_append_c(r->scratch, '\0');
		offs[2 * n_out + 1] = r->scratch->len;
		if (!attr_value(v, (gsize)(close - v), r->scratch)) {
			malformed(r, "an attribute value with '<', a bad reference or a control character");
			return;
		}
		g_string_append_c(r->scratch, '\0');
		n_out++;
	}
	if (r->doc == DOC_EPILOG) {
		malformed(r, "a second root element");
		return;
	}
	if (r->depth == MSN_XML_MAX_DEPTH) {
		fail(r, MSN_XML_ERROR_TOO_LARGE, "elements nested too deeply");
		return;
	}
	name = child_name(r, qname, qlen);
	if (name == NULL) {
		fail(r, MSN_XML_ERROR_TOO_LARGE, "too many different element names, or one too long");
		return;
	}
	push_open(r, name);
	local = name->local->str;
	r->doc = DOC_CONTENT;
	for (i = 0; i < n_out; i++) {
		names[i] = r->scratch->str + offs[2 * i];
		values[i] = r->scratch->str + offs[2 * i + 1];
	}
	names[n_out] = values[n_out] = NULL;
	if (r->h.start)
		r->h.start(r, local, names, values, r->data);
	if (empty && r->error == NULL) {
		pop_open(r);
		if (r->h.end)
			r->h.end(r, local, r->data);
	}
}

static void
read_end(MsnXmlReader *r, const char *tok, gsize len)
{
	const char *p = tok + 2, *end = tok + len - 1;
	gsize n = name_at(p, end);
	const Name *q;

	if (n == 0) {
		malformed(r, "an end tag without a name");
		return;
	}
	for (p += n; p < end && IS(*p, C_SPACE); p++)
		;
	if (p != end) {
		malformed(r, "an end tag with more than a name");
		return;
	}
	if (r->depth == 0) {
		malformed(r, "an end tag without its start tag");
		return;
	}
	q = r->stack[r->depth - 1].q;
	if (q->len != n || !same_bytes(q->str, tok + 2, n)) {
		malformed(r, "an end tag that does not match its start tag");
		return;
	}
	pop_open(r);
	if (r->h.end)
		r->h.end(r, q->local->str, r->data);
}

static void
read_pi(MsnXmlReader *r, const char *tok, gsize len, gboolean first)
{
	const char *p = tok + 2, *end = tok + len - 2;   /* at the "?>" */
	gsize n = name_at(p, end);

	if (n == 0 || (p + n < end && !IS(p[n], C_SPACE))) {
		malformed(r, "a processing instruction without a target");
		return;
	}
	if (n == 3 && g_ascii_strncasecmp(p, "xml", 3) == 0 && !first) {
		malformed(r, "an XML declaration that is not at the start");
		return;
	}
	if (has_control(tok, len))
		malformed(r, "a control character");
}

static void
read_comment(MsnXmlReader *r, const char *tok, gsize len)
{
	const char *s = tok + 4;
	gsize n = len - 7, i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '-' && s[i + 1] == '-')
			break;
	if (i + 1 < n || (n > 0 && s[n - 1] == '-'))
		malformed(r, "\"--\" in a comment");
	else if (has_control(s, n))
		malformed(r, "a control character");
}

/* A whole token: what it says. */
static void
read_token(MsnXmlReader *r, TokKind kind, const char *tok, gsize len)
{
	gboolean first = !r->any;

	r->any = TRUE;
	r->cr = FALSE;
	r->brackets = 0;
	switch (kind) {
	case TOK_STAG:
		read_start(r, tok, len);
		break;
	case TOK_ETAG:
		read_end(r, tok, len);
		break;
	case TOK_COMMENT:
		read_comment(r, tok, len);
		break;
	case TOK_PI:
		read_pi(r, tok, len, first);
		break;
	case TOK_CDATA:
		if (r->doc != DOC_CONTENT)
			malformed(r, "a CDATA section outside the root element");
		else {
			char_data(r, tok + 9, len - 12, TRUE);
			r->cr = FALSE;
			r->brackets = 0;
		}
		break;
	case TOK_REF:
		read_ref(r, tok, len);
		break;
	default:
		malformed(r, "a broken token");
		break;
	}
}

/* ---- scanning for a token's end ---- */

/* Scans s for the end of the token in r->kind (TOK_NONE: s starts one);
 * the bytes after its end, or -1 when it goes on past s (or an error was
 * met).  r->tok_len counts what was scanned. */
static gssize
scan(MsnXmlReader *r, const char *s, gsize n)
{
	gsize i = 0;

	while (i < n) {
		char c = s[i];

		switch (r->kind) {
		case TOK_NONE:
			r->kind = c == '<' ? TOK_LT : TOK_REF;
			i++;
			continue;
		case TOK_LT:
			if (c == '/')
				r->kind = TOK_ETAG;
			else if (c == '?') {
				r->kind = TOK_PI;
				r->run = 0;
			} else if (c == '!')
				r->kind = TOK_BANG;
			else {
				r->kind = TOK_STAG;
				r->quote = 0;
				continue;
			}
			i++;
			continue;
		case TOK_BANG:
			if (c == '-' || c == '[') {
				r->kind = TOK_OPENER;
				r->opener = c == '-' ? comment_opener : cdata_opener;
				continue;
			}
			if (g_ascii_isupper(c))
				fail(r, MSN_XML_ERROR_DTD, "a document type declaration");
			else
				malformed(r, "\"<!\" that starts no comment or CDATA section");
			return -1;
		case TOK_OPENER: {
			gsize at = r->tok_len + i;

			if (c != r->opener[at]) {
				malformed(r, "\"<!\" that starts no comment or CDATA section");
				return -1;
			}
			i++;
			if (r->opener[at + 1] == '\0') {
				r->kind = r->opener == comment_opener ? TOK_COMMENT : TOK_CDATA;
				r->run = 0;
			}
			continue;
		}
		case TOK_STAG:
			for (; i < n; i++) {
				c = s[i];
				if (r->quote) {
					if (c == r->quote)
						r->quote = 0;
				} else if (c == '"' || c == '\'')
					r->quote = c;
				else if (c == '>')
					goto found;
			}
			break;
		case TOK_ETAG: {
			const char *gt = memchr(s + i, '>', n - i);

			if (gt) {
				i = (gsize)(gt - s);
				goto found;
			}
			i = n;
			break;
		}
		case TOK_COMMENT:
		case TOK_CDATA: {
			char mark = r->kind == TOK_COMMENT ? '-' : ']';

			for (; i < n; i++) {
				c = s[i];
				if (c == mark)
					r->run++;
				else if (c == '>' && r->run >= 2)
					goto found;
				else
					r->run = 0;
			}
			break;
		}
		case TOK_PI:
			for (; i < n; i++) {
				c = s[i];
				if (c == '>' && r->run)
					goto found;
				r->run = c == '?';
			}
			break;
		case TOK_REF:
			for (; i < n; i++) {
				c = s[i];
				if (c == ';')
					goto found;
				if (r->tok_len + i >= MAX_REF || c == '<' || c == '&' || IS(c, C_SPACE)) {
					malformed(r, "a '&' that starts no reference");
					return -1;
				}
			}
			break;
		}
	}
	r->tok_len += n;
	if (r->tok_len > MSN_XML_MAX_TOKEN)
		fail(r, MSN_XML_ERROR_TOO_LARGE, "a tag, comment or CDATA section too long");
	return -1;
found:
	i++;
	r->tok_len += i;
	if (r->tok_len > MSN_XML_MAX_TOKEN) {
		fail(r, MSN_XML_ERROR_TOO_LARGE, "a tag, comment or CDATA section too long");
		return -1;
	}
	return (gssize)i;
}

/* The token scanned is whole: read it and start afresh. */
static void
token_done(MsnXmlReader *r, const char *tok, gsize len)
{
	TokKind kind = r->kind;

	r->kind = TOK_NONE;
	r->tok_len = 0;
	read_token(r, kind, tok, len);
}

/* ---- the common tags, read in one pass ---- */

/* At s[0] == '<' with no token pending: a plain "<name>" or "</name>" closing
 * the open element, read where it lies; the bytes used, 0 for anything else
 * (attributes, "/>", a tag cut by the end of the piece, an error to report):
 * those take the general path, which reads them the same way. */
static gsize
fast_tag(MsnXmlReader *r, const char *s, gsize n)
{
	gsize i, qlen;
	Name *name;

	if (n < 3)
		return 0;
	if (s[1] == '/') {
		if (r->depth == 0)
			return 0;
		name = r->stack[r->depth - 1].q;
		qlen = name->len;
		if (qlen + 2 >= n || s[qlen + 2] != '>' || !same_bytes(s + 2, name->str, qlen))
			return 0;
		r->any = TRUE;
		r->cr = FALSE;
		r->brackets = 0;
		pop_open(r);
		if (r->h.end)
			r->h.end(r, name->local->str, r->data);
		return qlen + 3;
	}
	if (!IS(s[1], C_NAME_START) || r->doc == DOC_EPILOG || r->depth == MSN_XML_MAX_DEPTH)
		return 0;
	/* The name guessed is tried on the bytes first: no scan when right. */
	name = guess(r);
	if (name && name->len + 1 < n && s[name->len + 1] == '>' &&
	    same_bytes(s + 1, name->str, name->len)) {
		i = name->len + 1;
	} else {
		for (i = 2; i < n && IS(s[i], C_NAME); i++)
			;
		qlen = i - 1;
		if (i == n || s[i] != '>' || qlen > MSN_XML_MAX_NAME)
			return 0;
		name = child_name(r, s + 1, qlen);
		if (name == NULL)
			return 0;
	}
	r->any = TRUE;
	r->cr = FALSE;
	r->brackets = 0;
	push_open(r, name);
	r->doc = DOC_CONTENT;
	if (r->h.start) {
		static const char *const none[] = { NULL };

		r->h.start(r, name->local->str, none, none, r->data);
	}
	return i + 1;
}

/* ---- feeding ---- */

gboolean
msn_xml_reader_feed(MsnXmlReader *r, const char *data, gsize len)
{
	static const char bom[] = "\xef\xbb\xbf";

	g_return_val_if_fail(r != NULL, FALSE);
	if (r->error)
		return FALSE;
	if (len == 0)
		return TRUE;
	/* A byte-order mark, perhaps in pieces. */
	while (!r->started && len > 0) {
		if ((guchar)data[0] == (guchar)bom[r->bom]) {
			data++;
			len--;
			if (++r->bom == 3)
				r->started = TRUE;
		} else if (r->bom > 0) {
			malformed(r, "a broken byte-order mark");
			return FALSE;
		} else
			r->started = TRUE;
	}
	/* The rest of a token cut by the last piece. */
	if (r->kind != TOK_NONE && len > 0) {
		gssize e = scan(r, data, len);

		if (e < 0) {
			if (r->error == NULL)
				g_string_append_len(r->pending, data, (gssize)len);
			return r->error == NULL;
		}
		g_string_append_len(r->pending, data, e);
		token_done(r, r->pending->str, r->pending->len);
		g_string_truncate(r->pending, 0);
		data += e;
		len -= (gsize)e;
	}
	while (len > 0 && r->error == NULL) {
		gsize used;

		if (*data == '<' && (used = fast_tag(r, data, len)) > 0) {
			/* read */
		} else if (*data == '<' || *data == '&') {
			gssize e = scan(r, data, len);

			if (e < 0) {
				if (r->error == NULL)
					g_string_append_len(r->pending, data, (gssize)len);
				break;
			}
			token_done(r, data, (gsize)e);
			used = (gsize)e;
		} else {
			r->any = TRUE;
			used = r->doc == DOC_CONTENT ? char_data(r, data, len, FALSE)
			                             : outside_data(r, data, len);
		}
		data += used;
		len -= used;
	}
	return r->error == NULL;
}

gboolean
msn_xml_reader_end(MsnXmlReader *r, GError **error)
{
	g_return_val_if_fail(r != NULL, FALSE);
	if (r->error == NULL) {
		if (r->kind != TOK_NONE || (!r->started && r->bom > 0))
			malformed(r, "the document ends inside a tag");
		else if (r->doc == DOC_PROLOG)
			malformed(r, "the document has no root element");
		else if (r->doc == DOC_CONTENT)
			malformed(r, "the document ends before its root element does");
	}
	if (r->error) {
		if (error)
			*error = g_error_copy(r->error);
		return FALSE;
	}
	return TRUE;
}
