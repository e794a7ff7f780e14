/* libFuzzer target: X-MMS-IM-Format, the HTML conversions and splitting.
 *
 * Input: byte 0 picks the payload limit for the split; up to the first
 * '\n' is a format header; the rest is HTML (and, as such, also text).
 *   - header: parse, build, parse again: the same format, a stable string;
 *   - HTML -> text: valid UTF-8, a format with a clean font;
 *   - text -> HTML -> text: the same text (line ends as "\n") and format;
 *   - split: every payload within the limit, bodies joined = the text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/format.h"
#include "proto/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
check_format(const MsnTextFormat *f)
{
	const char *p;

	check(f->effects <= 0x0F);
	check(!f->has_color || f->color <= 0xFFFFFF);
	if (f->font == NULL)
		return;
	check(f->font[0] != '\0' && g_utf8_validate(f->font, -1, NULL));
	check(strlen(f->font) <= MSN_FORMAT_MAX_FONT);
	for (p = f->font; *p; p++)
		check((guchar)*p >= 0x20 && *p != 0x7f);
}

static gboolean
same_format(const MsnTextFormat *a, const MsnTextFormat *b)
{
	return g_strcmp0(a->font, b->font) == 0 && a->effects == b->effects &&
	       a->has_color == b->has_color && (!a->has_color || a->color == b->color) &&
	       a->has_charset == b->has_charset && (!a->has_charset || a->charset == b->charset) &&
	       a->has_pitch_family == b->has_pitch_family &&
	       (!a->has_pitch_family || a->pitch_family == b->pitch_family) && a->rtl == b->rtl;
}

static gboolean
has_visible(const char *s)
{
	for (; *s; s++)
		if (!g_ascii_isspace(*s))
			return TRUE;
	return FALSE;
}

static void
check_split(const MsnTextFormat *fmt, const char *text, gsize max)
{
	GError *error = NULL;
	GPtrArray *msgs = msn_text_message_build(fmt, text, max, &error);
	GString *joined, *wire;
	char *norm;
	const char *p;
	guint i;

	if (msgs == NULL) {
		check(error != NULL && error->domain == MSN_TEXT_ERROR);
		g_error_free(error);
		return;
	}
	check(error == NULL);
	joined = g_string_new(NULL);
	for (i = 0; i < msgs->len; i++) {
		GBytes *b = g_ptr_array_index(msgs, i);
		MsnMime *m;
		const char *body;
		gsize blen;

		check(g_bytes_get_size(b) <= max);
		m = msn_mime_parse_bytes(b, &error);
		check(m != NULL && error == NULL && msn_mime_has_separator(m));
		body = g_bytes_get_data(msn_mime_get_body(m), &blen);
		check(blen > 0 && g_utf8_validate_len(body, blen, NULL));
		check(body[blen - 1] != '\r' && body[0] != '\n');
		g_string_append_len(joined, body, (gssize)blen);
		msn_mime_free(m);
	}
	norm = msn_text_normalize_newlines(text);
	wire = g_string_new(NULL);
	for (p = norm; *p; p++) {
		if (*p == '\n')
			g_string_append(wire, "\r\n");
		else
			g_string_append_c(wire, *p);
	}
	check(joined->len == wire->len && memcmp(joined->str, wire->str, wire->len) == 0);
	g_string_free(wire, TRUE);
	g_string_free(joined, TRUE);
	g_free(norm);
	g_ptr_array_unref(msgs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MsnTextFormat f1, f2, f3;
	char *input, *nl, *header, *html;
	char *b1, *b2, *text, *html2, *text2, *norm;
	gsize max;

	if (size < 1)
		return 0;
	max = 100 + (gsize)data[0] * 8;
	input = g_strndup((const char *)data + 1, size - 1);
	nl = strchr(input, '\n');
	header = nl ? g_strndup(input, (gsize)(nl - input)) : g_strdup(input);
	html = nl ? nl + 1 : input;

	/* the header */
	msn_text_format_parse(header, &f1);
	check_format(&f1);
	b1 = msn_text_format_build(&f1);
	check(g_utf8_validate(b1, -1, NULL) && strpbrk(b1, "\r\n") == NULL);
	msn_text_format_parse(b1, &f2);
	check(same_format(&f1, &f2));
	b2 = msn_text_format_build(&f2);
	check(strcmp(b1, b2) == 0);
	g_free(b1);
	g_free(b2);
	msn_text_format_clear(&f2);

	/* HTML -> text */
	text = msn_text_from_html(html, &f2);
	check(text != NULL && g_utf8_validate(text, -1, NULL));
	check(strchr(text, '\r') == NULL);
	check_format(&f2);
	msn_text_format_clear(&f2);

	/* text -> HTML -> text, with the header's format */
	norm = msn_text_normalize_newlines(html);
	html2 = msn_text_to_html(&f1, html);
	check(g_utf8_validate(html2, -1, NULL));
	text2 = msn_text_from_html(html2, &f3);
	check(strcmp(text2, norm) == 0);
	if (has_visible(norm)) {
		check(f3.effects == f1.effects && f3.rtl == f1.rtl);
		check(f3.has_color == f1.has_color && (!f1.has_color || f3.color == f1.color));
		/* a face list or quotes may shorten the font ("A,B" -> "A") */
		check(f1.font != NULL || f3.font == NULL);
		check(f1.font == NULL || f3.font != NULL || strpbrk(f1.font, ",\"'") != NULL);
	}
	msn_text_format_clear(&f3);

	/* splitting */
	check_split(&f1, html, max);
	check_split(NULL, text, max);

	g_free(text);
	g_free(text2);
	g_free(html2);
	g_free(norm);
	msn_text_format_clear(&f1);
	g_free(header);
	g_free(input);
	return 0;
}
