/* purple-msnp — small text helpers shared by ubx.c and format.c. */
#include "proto/text-private.h"

#include <string.h>

char *
msn_text_make_valid(const char *data, gsize len)
{
	GString *out = g_string_sized_new(len + 1);

	while (len > 0) {
		const char *end;

		if (g_utf8_validate_len(data, len, &end)) {
			g_string_append_len(out, data, (gssize)len);
			break;
		}
		/* end points at the first byte that is not part of a valid
		 * character (a NUL byte included). */
		g_string_append_len(out, data, end - data);
		g_string_append(out, MSN_REPLACEMENT_CHAR);
		len -= (gsize)(end - data) + 1;
		data = end + 1;
	}
	return g_string_free(out, FALSE);
}

gsize
msn_text_utf8_cut(const char *s, gsize len, gsize max)
{
	gsize n;

	if (len <= max)
		return len;
	n = max;
	/* Step back over continuation bytes to the start of the character
	 * that straddles the limit (at most 3 steps in valid UTF-8). */
	while (n > 0 && ((guchar)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

gboolean
msn_text_append_bounded(GString *out, const char *s, gsize len, gsize max)
{
	gsize room = out->len < max ? max - out->len : 0;
	gsize n = msn_text_utf8_cut(s, len, room);

	g_string_append_len(out, s, (gssize)n);
	return n == len;
}

static const struct {
	const char *name;   /* without & and ; */
	gunichar c;
	gboolean html_only;
} named[] = {
	{ "amp",  '&',  FALSE },
	{ "lt",   '<',  FALSE },
	{ "gt",   '>',  FALSE },
	{ "quot", '"',  FALSE },
	{ "apos", '\'', FALSE },
	{ "nbsp", ' ',  TRUE },
};

gsize
msn_text_read_entity(const char *s, gsize len, gboolean html, gunichar *out)
{
	gsize i;

	if (len < 3 || s[0] != '&')
		return 0;

	if (s[1] == '#') {
		gboolean hex = len > 2 && (s[2] == 'x' || s[2] == 'X');
		gsize start = hex ? 3 : 2;
		guint32 v = 0;

		for (i = start; i < len && i - start < 8; i++) {
			if (hex && g_ascii_isxdigit(s[i]))
				v = v * 16 + (guint32)g_ascii_xdigit_value(s[i]);
			else if (!hex && g_ascii_isdigit(s[i]))
				v = v * 10 + (guint32)(s[i] - '0');
			else
				break;
		}
		if (i == start || i >= len || s[i] != ';')
			return 0;
		if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			v = 0xFFFD;
		*out = v;
		return i + 1;
	}

	for (i = 0; i < G_N_ELEMENTS(named); i++) {
		gsize n = strlen(named[i].name);

		if (named[i].html_only && !html)
			continue;
		if (len >= n + 2 && memcmp(s + 1, named[i].name, n) == 0 && s[n + 1] == ';') {
			*out = named[i].c;
			return n + 2;
		}
	}
	return 0;
}

char *
msn_text_decode_entities(const char *s, gsize len, gboolean html)
{
	GString *out = g_string_sized_new(len + 1);
	gsize i = 0;

	while (i < len) {
		const char *amp = memchr(s + i, '&', len - i);
		gsize n;
		gunichar c;

		if (amp == NULL) {
			g_string_append_len(out, s + i, (gssize)(len - i));
			break;
		}
		g_string_append_len(out, s + i, amp - (s + i));
		i = (gsize)(amp - s);
		n = msn_text_read_entity(s + i, len - i, html, &c);
		if (n == 0) {
			g_string_append_c(out, '&');
			i++;
		} else {
			g_string_append_unichar(out, c);
			i += n;
		}
	}
	return g_string_free(out, FALSE);
}
