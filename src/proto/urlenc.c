/* purple-msnp — URL ("percent") encoding of command parameters. */
#include "proto/urlenc.h"

#include <string.h>

static gboolean
is_unreserved(guchar c)
{
	return g_ascii_isalnum(c) || c == '.' || c == '_' || c == '~' ||
	       c == '@' || c == '-';
}

char *
msn_url_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	GString *out;
	const guchar *p;

	if (s == NULL)
		return NULL;
	out = g_string_sized_new(strlen(s) + 1);
	for (p = (const guchar *)s; *p; p++) {
		if (is_unreserved(*p)) {
			g_string_append_c(out, (char)*p);
		} else {
			g_string_append_c(out, '%');
			g_string_append_c(out, hex[*p >> 4]);
			g_string_append_c(out, hex[*p & 0x0f]);
		}
	}
	return g_string_free(out, FALSE);
}

/* TRUE when data[0..len) is UTF-8 once NUL bytes are ignored. */
static gboolean
valid_utf8_with_nuls(const char *data, gsize len)
{
	gsize i = 0;

	while (i < len) {
		const char *nul = memchr(data + i, '\0', len - i);
		gsize seg = nul ? (gsize)(nul - (data + i)) : len - i;

		if (seg > 0 && !g_utf8_validate_len(data + i, seg, NULL))
			return FALSE;
		i += seg + 1;
	}
	return TRUE;
}

#define REPLACEMENT "\xEF\xBF\xBD"   /* U+FFFD */

char *
msn_url_decode(const char *s)
{
	GByteArray *raw;
	GString *out;
	const char *p;
	gsize i;

	if (s == NULL)
		return NULL;

	raw = g_byte_array_sized_new((guint)MIN(strlen(s), (gsize)G_MAXUINT / 2));
	for (p = s; *p; p++) {
		guint8 c = (guint8)*p;

		if (c == '%' && g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
			c = (guint8)((g_ascii_xdigit_value(p[1]) << 4) |
			             g_ascii_xdigit_value(p[2]));
			p += 2;
		}
		g_byte_array_append(raw, &c, 1);
	}

	out = g_string_sized_new(raw->len + 1);
	if (valid_utf8_with_nuls((const char *)raw->data, raw->len)) {
		for (i = 0; i < raw->len; i++) {
			if (raw->data[i] == 0)
				g_string_append(out, REPLACEMENT);
			else
				g_string_append_c(out, (char)raw->data[i]);
		}
	} else {
		/* Latin-1: each byte is the code point of the same value. */
		for (i = 0; i < raw->len; i++) {
			if (raw->data[i] == 0)
				g_string_append(out, REPLACEMENT);
			else
				g_string_append_unichar(out, raw->data[i]);
		}
	}
	g_byte_array_unref(raw);
	return g_string_free(out, FALSE);
}
