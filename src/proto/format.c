/* purple-msnp — X-MMS-IM-Format, HTML conversion and text splitting. */
#include "proto/format.h"

#include <string.h>

#include "proto/mime.h"
#include "proto/text-private.h"
#include "proto/urlenc.h"

/* ---- The format struct ------------------------------------------------- */

void
msn_text_format_init(MsnTextFormat *fmt)
{
	memset(fmt, 0, sizeof(*fmt));
}

void
msn_text_format_init_default(MsnTextFormat *fmt)
{
	msn_text_format_init(fmt);
	fmt->font = g_strdup(MSN_FORMAT_DEFAULT_FONT);
	fmt->has_color = TRUE;
	fmt->color = 0;
	fmt->has_charset = TRUE;
	fmt->charset = 0;
	fmt->has_pitch_family = TRUE;
	fmt->pitch_family = 0x22;
}

void
msn_text_format_clear(MsnTextFormat *fmt)
{
	g_free(fmt->font);
	msn_text_format_init(fmt);
}

void
msn_text_format_copy(MsnTextFormat *dest, const MsnTextFormat *src)
{
	*dest = *src;
	dest->font = g_strdup(src->font);
}

/* A font name fit for the struct: valid UTF-8, control characters dropped,
 * trimmed, at most MSN_FORMAT_MAX_FONT bytes; NULL when nothing is left. */
static char *
clean_font(const char *s, gsize len)
{
	char *valid = msn_text_make_valid(s, len);
	GString *out = g_string_new(NULL);
	const char *p;
	char *ret;

	for (p = valid; *p; p++)
		if ((guchar)*p >= 0x20 && *p != 0x7f)
			g_string_append_c(out, *p);
	g_free(valid);
	g_strstrip(out->str);
	out->len = strlen(out->str);
	g_string_truncate(out, msn_text_utf8_cut(out->str, out->len, MSN_FORMAT_MAX_FONT));
	g_strchomp(out->str);
	ret = g_string_free(out, FALSE);
	if (*ret == '\0') {
		g_free(ret);
		return NULL;
	}
	return ret;
}

/* 1..max_digits hex digits, nothing else. */
static gboolean
parse_hex(const char *s, gsize len, guint max_digits, guint32 *out)
{
	guint32 v = 0;
	gsize i;

	if (len == 0 || len > max_digits)
		return FALSE;
	for (i = 0; i < len; i++) {
		if (!g_ascii_isxdigit(s[i]))
			return FALSE;
		v = v * 16 + (guint32)g_ascii_xdigit_value(s[i]);
	}
	*out = v;
	return TRUE;
}

static guint32
swap_rb(guint32 v)
{
	return ((v & 0xFF) << 16) | (v & 0xFF00) | ((v >> 16) & 0xFF);
}

gboolean
msn_text_format_parse(const char *header, MsnTextFormat *fmt)
{
	gboolean seen_fn = FALSE, seen_ef = FALSE, seen_co = FALSE, seen_cs = FALSE;
	gboolean seen_pf = FALSE, seen_rl = FALSE;
	gboolean understood = FALSE;
	const char *p = header;

	msn_text_format_init(fmt);
	if (header == NULL)
		return FALSE;

	while (*p) {
		const char *end = strchr(p, ';');
		const char *k, *ke, *v, *ve, *eq;

		if (end == NULL)
			end = p + strlen(p);
		k = p;
		ve = end;
		p = *end ? end + 1 : end;

		eq = memchr(k, '=', (gsize)(ve - k));
		if (eq == NULL)
			continue;
		while (k < eq && g_ascii_isspace(*k))
			k++;
		ke = eq;
		while (ke > k && g_ascii_isspace(ke[-1]))
			ke--;
		v = eq + 1;
		while (v < ve && g_ascii_isspace(*v))
			v++;
		while (ve > v && g_ascii_isspace(ve[-1]))
			ve--;
		if (ke - k != 2)
			continue;

		if (g_ascii_strncasecmp(k, "FN", 2) == 0 && !seen_fn) {
			char *raw = g_strndup(v, (gsize)(ve - v));
			char *dec = msn_url_decode(raw);

			seen_fn = understood = TRUE;
			fmt->font = clean_font(dec, strlen(dec));
			g_free(dec);
			g_free(raw);
		} else if (g_ascii_strncasecmp(k, "EF", 2) == 0 && !seen_ef) {
			const char *c;

			seen_ef = understood = TRUE;
			for (c = v; c < ve; c++) {
				switch (g_ascii_toupper(*c)) {
				case 'B': fmt->effects |= MSN_EFFECT_BOLD; break;
				case 'I': fmt->effects |= MSN_EFFECT_ITALIC; break;
				case 'U': fmt->effects |= MSN_EFFECT_UNDERLINE; break;
				case 'S': fmt->effects |= MSN_EFFECT_STRIKE; break;
				default: break;
				}
			}
		} else if (g_ascii_strncasecmp(k, "CO", 2) == 0 && !seen_co) {
			guint32 bgr;

			if (parse_hex(v, (gsize)(ve - v), 6, &bgr)) {
				seen_co = understood = TRUE;
				fmt->has_color = TRUE;
				fmt->color = swap_rb(bgr);
			}
		} else if (g_ascii_strncasecmp(k, "CS", 2) == 0 && !seen_cs) {
			guint32 cs;

			if (parse_hex(v, (gsize)(ve - v), 2, &cs)) {
				seen_cs = understood = TRUE;
				fmt->has_charset = TRUE;
				fmt->charset = (guint8)cs;
			}
		} else if (g_ascii_strncasecmp(k, "PF", 2) == 0 && !seen_pf) {
			guint32 pf;

			if (parse_hex(v, (gsize)(ve - v), 2, &pf)) {
				seen_pf = understood = TRUE;
				fmt->has_pitch_family = TRUE;
				fmt->pitch_family = (guint8)pf;
			}
		} else if (g_ascii_strncasecmp(k, "RL", 2) == 0 && !seen_rl) {
			seen_rl = understood = TRUE;
			fmt->rtl = (ve - v == 1 && *v == '1');
		}
	}
	return understood;
}

char *
msn_text_format_build(const MsnTextFormat *fmt)
{
	GString *out = g_string_new(NULL);

	if (fmt->font && *fmt->font) {
		char *clean = clean_font(fmt->font, strlen(fmt->font));

		if (clean) {
			char *enc = msn_url_encode(clean);

			g_string_append(out, "FN=");
			g_string_append(out, enc);
			g_string_append(out, "; ");
			g_free(enc);
			g_free(clean);
		}
	}
	g_string_append(out, "EF=");
	if (fmt->effects & MSN_EFFECT_BOLD)
		g_string_append_c(out, 'B');
	if (fmt->effects & MSN_EFFECT_ITALIC)
		g_string_append_c(out, 'I');
	if (fmt->effects & MSN_EFFECT_UNDERLINE)
		g_string_append_c(out, 'U');
	if (fmt->effects & MSN_EFFECT_STRIKE)
		g_string_append_c(out, 'S');
	if (fmt->has_color)
		g_string_append_printf(out, "; CO=%x", (guint)swap_rb(fmt->color & 0xFFFFFF));
	if (fmt->has_charset)
		g_string_append_printf(out, "; CS=%X", (guint)fmt->charset);
	if (fmt->has_pitch_family)
		g_string_append_printf(out, "; PF=%X", (guint)fmt->pitch_family);
	if (fmt->rtl)
		g_string_append(out, "; RL=1");
	return g_string_free(out, FALSE);
}

/* ---- To HTML ----------------------------------------------------------- */

static void
append_escaped(GString *out, const char *s, gboolean attribute)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		case '\'':
			if (attribute)
				g_string_append(out, "&apos;");
			else
				g_string_append_c(out, '\'');
			break;
		case '\r':
			g_string_append(out, "<br>");
			if (s[1] == '\n')
				s++;
			break;
		case '\n':
			g_string_append(out, "<br>");
			break;
		default:
			g_string_append_c(out, *s);
		}
	}
}

char *
msn_text_to_html(const MsnTextFormat *fmt, const char *text)
{
	GString *out = g_string_new(NULL);
	char *valid = g_utf8_make_valid(text ? text : "", -1);
	char *font = NULL;
	gboolean has_font_tag;
	guint effects = 0;

	if (fmt) {
		effects = fmt->effects;
		if (fmt->font)
			font = clean_font(fmt->font, strlen(fmt->font));
	}
	has_font_tag = font != NULL || (fmt && fmt->has_color);

	if (has_font_tag) {
		g_string_append(out, "<font");
		if (font) {
			g_string_append(out, " face=\"");
			append_escaped(out, font, TRUE);
			g_string_append_c(out, '"');
		}
		if (fmt->has_color)
			g_string_append_printf(out, " color=\"#%06x\"", (guint)(fmt->color & 0xFFFFFF));
		g_string_append_c(out, '>');
	}
	if (fmt && fmt->rtl)
		g_string_append(out, "<span style=\"direction:rtl;text-align:right;\">");
	if (effects & MSN_EFFECT_BOLD)
		g_string_append(out, "<b>");
	if (effects & MSN_EFFECT_ITALIC)
		g_string_append(out, "<i>");
	if (effects & MSN_EFFECT_UNDERLINE)
		g_string_append(out, "<u>");
	if (effects & MSN_EFFECT_STRIKE)
		g_string_append(out, "<s>");
	append_escaped(out, valid, FALSE);
	if (effects & MSN_EFFECT_STRIKE)
		g_string_append(out, "</s>");
	if (effects & MSN_EFFECT_UNDERLINE)
		g_string_append(out, "</u>");
	if (effects & MSN_EFFECT_ITALIC)
		g_string_append(out, "</i>");
	if (effects & MSN_EFFECT_BOLD)
		g_string_append(out, "</b>");
	if (fmt && fmt->rtl)
		g_string_append(out, "</span>");
	if (has_font_tag)
		g_string_append(out, "</font>");
	g_free(font);
	g_free(valid);
	return g_string_free(out, FALSE);
}

/* ---- From HTML --------------------------------------------------------- */

typedef enum {
	TAG_OTHER, TAG_B, TAG_I, TAG_U, TAG_S, TAG_FONT, TAG_SPAN, TAG_A,
	TAG_BR, TAG_IMG
} TagId;

static const struct {
	const char *name;
	TagId id;
} tag_names[] = {
	{ "b", TAG_B }, { "strong", TAG_B },
	{ "i", TAG_I }, { "em", TAG_I },
	{ "u", TAG_U },
	{ "s", TAG_S }, { "strike", TAG_S }, { "del", TAG_S },
	{ "font", TAG_FONT }, { "span", TAG_SPAN }, { "a", TAG_A },
	{ "br", TAG_BR }, { "img", TAG_IMG },
};

typedef struct {
	TagId id;
	guint effects;
	char *face;
	gboolean has_color;
	guint32 color;
	gboolean rtl;
	char *href;          /* TAG_A */
	gsize text_start;    /* TAG_A: out->len when it opened */
} OpenTag;

typedef struct {
	GString *out;
	OpenTag stack[MSN_HTML_MAX_DEPTH];
	guint depth;
	gboolean snapped;
	MsnTextFormat *fmt;
} HtmlState;

static void
snapshot(HtmlState *st)
{
	guint i;

	st->snapped = TRUE;
	for (i = 0; i < st->depth; i++) {
		const OpenTag *t = &st->stack[i];

		st->fmt->effects |= t->effects;
		if (t->face) {
			g_free(st->fmt->font);
			st->fmt->font = g_strdup(t->face);
		}
		if (t->has_color) {
			st->fmt->has_color = TRUE;
			st->fmt->color = t->color;
		}
		if (t->rtl)
			st->fmt->rtl = TRUE;
	}
}

static void
emit(HtmlState *st, const char *s, gsize len)
{
	gsize i;

	if (!st->snapped) {
		for (i = 0; i < len; i++) {
			if (!g_ascii_isspace(s[i])) {
				snapshot(st);
				break;
			}
		}
	}
	g_string_append_len(st->out, s, (gssize)len);
}

static void
emit_char(HtmlState *st, gunichar c)
{
	char buf[6];
	gint n = g_unichar_to_utf8(c, buf);

	emit(st, buf, (gsize)n);
}

/* Text taken from an attribute (a link target, an image's alt text): valid
 * UTF-8 with control characters, line ends included, as spaces. */
static void
emit_attr_text(HtmlState *st, const char *s)
{
	char *clean = g_utf8_make_valid(s, -1);
	char *p;

	for (p = clean; *p; p++)
		if ((guchar)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	emit(st, clean, strlen(clean));
	g_free(clean);
}

/* The value of attribute name in a[0..len) (entity-decoded), or NULL. */
static char *
tag_attr(const char *a, gsize len, const char *name)
{
	gsize i = 0, nlen = strlen(name);

	while (i < len) {
		gsize ns, ne, vs, ve;
		gboolean has_value = FALSE;

		while (i < len && (g_ascii_isspace(a[i]) || a[i] == '/'))
			i++;
		ns = i;
		while (i < len && !g_ascii_isspace(a[i]) && a[i] != '=' && a[i] != '/')
			i++;
		ne = i;
		if (ne == ns) {
			i++;
			continue;
		}
		while (i < len && g_ascii_isspace(a[i]))
			i++;
		vs = ve = i;
		if (i < len && a[i] == '=') {
			i++;
			while (i < len && g_ascii_isspace(a[i]))
				i++;
			has_value = TRUE;
			if (i < len && (a[i] == '"' || a[i] == '\'')) {
				char q = a[i++];

				vs = i;
				while (i < len && a[i] != q)
					i++;
				ve = i;
				if (i < len)
					i++;
			} else {
				vs = i;
				while (i < len && !g_ascii_isspace(a[i]))
					i++;
				ve = i;
			}
		}
		if (has_value && ne - ns == nlen && g_ascii_strncasecmp(a + ns, name, nlen) == 0)
			return msn_text_decode_entities(a + vs, ve - vs, TRUE);
	}
	return NULL;
}

static const struct {
	const char *name;
	guint32 rgb;
} color_names[] = {
	{ "black", 0x000000 }, { "silver", 0xc0c0c0 }, { "gray", 0x808080 },
	{ "grey", 0x808080 }, { "white", 0xffffff }, { "maroon", 0x800000 },
	{ "red", 0xff0000 }, { "purple", 0x800080 }, { "fuchsia", 0xff00ff },
	{ "green", 0x008000 }, { "lime", 0x00ff00 }, { "olive", 0x808000 },
	{ "yellow", 0xffff00 }, { "navy", 0x000080 }, { "blue", 0x0000ff },
	{ "teal", 0x008080 }, { "aqua", 0x00ffff },
};

/* "#rrggbb", "#rgb", "rrggbb" or a basic colour name. */
static gboolean
parse_html_color(const char *s, guint32 *rgb)
{
	char *t = g_strstrip(g_strdup(s));
	const char *h = t[0] == '#' ? t + 1 : t;
	gsize n = strlen(h);
	guint32 v;
	gboolean ok = FALSE;
	gsize i;

	if ((n == 6 || (n == 3 && t[0] == '#')) && parse_hex(h, n, 6, &v)) {
		if (n == 3)
			v = ((v & 0xF00) << 12) | ((v & 0xF00) << 8) | ((v & 0x0F0) << 8) |
			    ((v & 0x0F0) << 4) | ((v & 0x00F) << 4) | (v & 0x00F);
		*rgb = v;
		ok = TRUE;
	} else {
		for (i = 0; i < G_N_ELEMENTS(color_names); i++) {
			if (g_ascii_strcasecmp(t, color_names[i].name) == 0) {
				*rgb = color_names[i].rgb;
				ok = TRUE;
				break;
			}
		}
	}
	g_free(t);
	return ok;
}

/* The first family of a face list ("Arial, sans-serif" -> "Arial"), without
 * quotes, cleaned; NULL when empty. */
static char *
first_face(const char *s)
{
	const char *comma = strchr(s, ',');
	gsize len = comma ? (gsize)(comma - s) : strlen(s);
	char *t = g_strndup(s, len);
	char *f = g_strstrip(t);
	gsize n = strlen(f);
	char *ret;

	if (n >= 2 && (f[0] == '"' || f[0] == '\'') && f[n - 1] == f[0]) {
		f[n - 1] = '\0';
		f++;
	}
	ret = clean_font(f, strlen(f));
	g_free(t);
	return ret;
}

static void
parse_style(const char *style, OpenTag *t)
{
	char **decls = g_strsplit(style, ";", 32);
	char **d;

	for (d = decls; *d; d++) {
		char *colon = strchr(*d, ':');
		char *prop, *val;

		if (colon == NULL)
			continue;
		*colon = '\0';
		prop = g_strstrip(*d);
		val = g_strstrip(colon + 1);
		if (g_ascii_strcasecmp(prop, "font-weight") == 0) {
			guint64 w = 0;

			if (g_ascii_strcasecmp(val, "bold") == 0 ||
			    g_ascii_strcasecmp(val, "bolder") == 0 ||
			    (g_ascii_string_to_unsigned(val, 10, 600, 1000, &w, NULL)))
				t->effects |= MSN_EFFECT_BOLD;
		} else if (g_ascii_strcasecmp(prop, "font-style") == 0) {
			if (g_ascii_strcasecmp(val, "italic") == 0 ||
			    g_ascii_strcasecmp(val, "oblique") == 0)
				t->effects |= MSN_EFFECT_ITALIC;
		} else if (g_ascii_strcasecmp(prop, "text-decoration") == 0 ||
		           g_ascii_strcasecmp(prop, "text-decoration-line") == 0) {
			char *low = g_ascii_strdown(val, -1);

			if (strstr(low, "underline"))
				t->effects |= MSN_EFFECT_UNDERLINE;
			if (strstr(low, "line-through"))
				t->effects |= MSN_EFFECT_STRIKE;
			g_free(low);
		} else if (g_ascii_strcasecmp(prop, "color") == 0) {
			if (parse_html_color(val, &t->color))
				t->has_color = TRUE;
		} else if (g_ascii_strcasecmp(prop, "font-family") == 0) {
			if (t->face == NULL)
				t->face = first_face(val);
		} else if (g_ascii_strcasecmp(prop, "direction") == 0) {
			if (g_ascii_strcasecmp(val, "rtl") == 0)
				t->rtl = TRUE;
		}
	}
	g_strfreev(decls);
}

static void
open_tag_clear(OpenTag *t)
{
	g_free(t->face);
	g_free(t->href);
	memset(t, 0, sizeof(*t));
}

/* Link text and href: the text, then " (href)" unless they match. */
static void
close_link(HtmlState *st, OpenTag *t)
{
	const char *href = t->href;
	const char *text;
	gsize text_len;

	if (href == NULL || *href == '\0')
		return;
	text = st->out->str + t->text_start;
	text_len = st->out->len - t->text_start;
	if (g_ascii_strncasecmp(href, "mailto:", 7) == 0)
		href += 7;
	if (*href == '\0')
		return;
	if (text_len == strlen(href) && memcmp(text, href, text_len) == 0)
		return;
	if (text_len == strlen(t->href) && memcmp(text, t->href, text_len) == 0)
		return;
	if (text_len > 0)
		emit(st, " (", 2);
	emit_attr_text(st, href);
	if (text_len > 0)
		emit(st, ")", 1);
}

static void
handle_tag(HtmlState *st, gboolean closing, TagId id, const char *attrs, gsize alen)
{
	OpenTag *t;
	char *v;

	if (id == TAG_BR) {
		emit(st, "\n", 1);
		return;
	}
	if (id == TAG_IMG) {
		if (!closing && (v = tag_attr(attrs, alen, "alt")) != NULL) {
			emit_attr_text(st, v);
			g_free(v);
		}
		return;
	}
	if (id == TAG_OTHER)
		return;

	if (closing) {
		guint i = st->depth;

		while (i > 0 && st->stack[i - 1].id != id)
			i--;
		if (i == 0)
			return;
		/* Close it and everything opened inside it. */
		while (st->depth >= i) {
			OpenTag *top = &st->stack[st->depth - 1];

			if (top->id == TAG_A)
				close_link(st, top);
			open_tag_clear(top);
			st->depth--;
		}
		return;
	}

	/* A self-closing <b/> opens nothing. */
	if (alen > 0 && attrs[alen - 1] == '/')
		return;
	if (st->depth == MSN_HTML_MAX_DEPTH)
		return;
	t = &st->stack[st->depth++];
	memset(t, 0, sizeof(*t));
	t->id = id;
	switch (id) {
	case TAG_B: t->effects = MSN_EFFECT_BOLD; break;
	case TAG_I: t->effects = MSN_EFFECT_ITALIC; break;
	case TAG_U: t->effects = MSN_EFFECT_UNDERLINE; break;
	case TAG_S: t->effects = MSN_EFFECT_STRIKE; break;
	case TAG_FONT:
		if ((v = tag_attr(attrs, alen, "face")) != NULL) {
			t->face = first_face(v);
			g_free(v);
		}
		if ((v = tag_attr(attrs, alen, "color")) != NULL) {
			if (parse_html_color(v, &t->color))
				t->has_color = TRUE;
			g_free(v);
		}
		break;
	case TAG_SPAN:
		if ((v = tag_attr(attrs, alen, "style")) != NULL) {
			parse_style(v, t);
			g_free(v);
		}
		if ((v = tag_attr(attrs, alen, "dir")) != NULL) {
			if (g_ascii_strcasecmp(v, "rtl") == 0)
				t->rtl = TRUE;
			g_free(v);
		}
		break;
	case TAG_A:
		if ((v = tag_attr(attrs, alen, "href")) != NULL) {
			t->href = g_utf8_make_valid(v, -1);
			g_free(v);
		}
		t->text_start = st->out->len;
		break;
	default:
		break;
	}
}

/* The end of the tag starting at s[0] == '<' (the index of its '>'), or 0
 * when it is not a complete tag within MSN_HTML_MAX_TAG bytes.  Quoted
 * attribute values may hold '>'. */
static gsize
find_tag_end(const char *s, gsize len)
{
	char quote = 0;
	gsize i;

	if (len > MSN_HTML_MAX_TAG)
		len = MSN_HTML_MAX_TAG;
	for (i = 1; i < len; i++) {
		if (quote) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '"' || s[i] == '\'') {
			/* Only a quote that starts a value (after '=') opens a
			 * quoted string; a stray one is an ordinary character. */
			gsize j = i;

			while (j > 1 && g_ascii_isspace(s[j - 1]))
				j--;
			if (s[j - 1] == '=')
				quote = s[i];
		} else if (s[i] == '>') {
			return i;
		}
	}
	return 0;
}

char *
msn_text_from_html(const char *html, MsnTextFormat *fmt)
{
	HtmlState st;
	char *valid;
	const char *s;
	gsize len, i = 0;
	const char *last_gt;
	MsnTextFormat local;

	if (fmt == NULL)
		fmt = &local;
	msn_text_format_init(fmt);
	memset(&st, 0, sizeof(st));
	st.fmt = fmt;
	valid = g_utf8_make_valid(html ? html : "", -1);
	s = valid;
	len = strlen(valid);
	st.out = g_string_sized_new(len + 1);
	last_gt = strrchr(s, '>');

	while (i < len) {
		char c = s[i];

		if (c == '<') {
			gsize end, n;
			gboolean closing = FALSE;
			TagId id = TAG_OTHER;
			gsize k;

			if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
				const char *e = g_strstr_len(s + i + 4, (gssize)(len - i - 4), "-->");

				i = e ? (gsize)(e - s) + 3 : len;
				continue;
			}
			k = i + 1;
			if (k < len && s[k] == '/') {
				closing = TRUE;
				k++;
			}
			/* A tag needs a name and a '>' somewhere after it. */
			end = 0;
			if (k < len && (g_ascii_isalpha(s[k]) || s[k] == '!' || s[k] == '?') &&
			    last_gt != NULL && s + k < last_gt)
				end = find_tag_end(s + i, len - i);
			if (end == 0) {
				emit(&st, "<", 1);
				i++;
				continue;
			}
			end += i;
			n = k;
			while (n < end && g_ascii_isalnum(s[n]))
				n++;
			for (k = 0; k < G_N_ELEMENTS(tag_names); k++) {
				gsize tl = strlen(tag_names[k].name);
				gsize start = closing ? i + 2 : i + 1;

				if (n - start == tl &&
				    g_ascii_strncasecmp(s + start, tag_names[k].name, tl) == 0) {
					id = tag_names[k].id;
					break;
				}
			}
			handle_tag(&st, closing, id, s + n, end - n);
			i = end + 1;
		} else if (c == '&') {
			gunichar u;
			gsize n = msn_text_read_entity(s + i, len - i, TRUE, &u);

			if (n == 0) {
				emit(&st, "&", 1);
				i++;
			} else {
				/* &#13; is not a line end of the text: dropped */
				if (u != '\r')
					emit_char(&st, u);
				i += n;
			}
		} else if (c == '\r') {
			emit(&st, "\n", 1);
			i += (i + 1 < len && s[i + 1] == '\n') ? 2 : 1;
		} else {
			gsize j = i + 1;

			while (j < len && s[j] != '<' && s[j] != '&' && s[j] != '\r')
				j++;
			emit(&st, s + i, j - i);
			i = j;
		}
	}

	while (st.depth > 0) {
		OpenTag *top = &st.stack[--st.depth];

		open_tag_clear(top);
	}
	g_free(valid);
	if (fmt == &local)
		msn_text_format_clear(&local);
	return g_string_free(st.out, FALSE);
}

char *
msn_text_normalize_newlines(const char *text)
{
	char *valid = g_utf8_make_valid(text ? text : "", -1);
	GString *out = g_string_sized_new(strlen(valid) + 1);
	const char *p;

	for (p = valid; *p; p++) {
		if (*p == '\r') {
			g_string_append_c(out, '\n');
			if (p[1] == '\n')
				p++;
		} else {
			g_string_append_c(out, *p);
		}
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}

/* ---- Sending ----------------------------------------------------------- */

GQuark
msn_text_error_quark(void)
{
	return g_quark_from_static_string("msn-text-error-quark");
}

/* Valid UTF-8 with every line end as \r\n. */
static GString *
wire_text(const char *text)
{
	char *valid = g_utf8_make_valid(text ? text : "", -1);
	GString *out = g_string_sized_new(strlen(valid) + 16);
	const char *p;

	for (p = valid; *p; p++) {
		if (*p == '\r') {
			g_string_append(out, "\r\n");
			if (p[1] == '\n')
				p++;
		} else if (*p == '\n') {
			g_string_append(out, "\r\n");
		} else {
			g_string_append_c(out, *p);
		}
	}
	g_free(valid);
	return out;
}

/* Where to end the next part of s[0..len) (len > max): see format.h. */
static gsize
split_point(const char *s, gsize len, gsize max)
{
	gsize cut = msn_text_utf8_cut(s, len, max);
	gsize i;

	if (cut > 0 && s[cut - 1] == '\r' && s[cut] == '\n')
		cut--;
	for (i = cut; i > max / 2; i--) {
		char c = s[i - 1];

		if (c == ' ' || c == '\t' || c == '\n')
			return i;
	}
	return cut;
}

GPtrArray *
msn_text_message_build(const MsnTextFormat *fmt, const char *text,
                       gsize max_payload, GError **error)
{
	const char *headers[7];
	char *format = NULL;
	GBytes *probe;
	gsize header_len, max_body;
	GPtrArray *out;
	GString *body;
	gsize pos = 0;
	guint h = 0;

	if (max_payload == 0)
		max_payload = MSN_SB_MAX_PAYLOAD;
	headers[h++] = "MIME-Version";
	headers[h++] = "1.0";
	headers[h++] = "Content-Type";
	headers[h++] = "text/plain; charset=UTF-8";
	if (fmt) {
		format = msn_text_format_build(fmt);
		headers[h++] = "X-MMS-IM-Format";
		headers[h++] = format;
	}
	headers[h] = NULL;

	probe = msn_mime_build(headers, NULL, 0, NULL);
	header_len = probe ? g_bytes_get_size(probe) : G_MAXSIZE;
	if (probe)
		g_bytes_unref(probe);
	if (header_len >= max_payload || max_payload - header_len < 8) {
		g_set_error(error, MSN_TEXT_ERROR, MSN_TEXT_ERROR_NO_ROOM,
		            "message headers leave no room for text within %" G_GSIZE_FORMAT
		            " bytes", max_payload);
		g_free(format);
		return NULL;
	}
	max_body = max_payload - header_len;

	out = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	body = wire_text(text);
	while (pos < body->len) {
		gsize rest = body->len - pos;
		gsize n = rest <= max_body ? rest : split_point(body->str + pos, rest, max_body);
		GBytes *msg;

		if (n == 0)     /* cannot happen with max_body >= 8; never loop */
			n = MIN(rest, max_body);
		msg = msn_mime_build(headers, (const guint8 *)body->str + pos, n, NULL);
		if (msg == NULL)
			break;
		g_ptr_array_add(out, msg);
		pos += n;
	}
	g_string_free(body, TRUE);
	g_free(format);
	return out;
}
