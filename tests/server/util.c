/* msnp-testserver — small helpers. */
#include "testserver.h"

#include <string.h>

char *
util_url_escape_param(const char *s)
{
	GString *out = g_string_new(NULL);

	for (; *s; s++) {
		guchar c = (guchar) *s;

		if (c == '%' || c == ' ' || c < 0x20 || c == 0x7f)
			g_string_append_printf(out, "%%%02X", c);
		else
			g_string_append_c(out, (char) c);
	}
	return g_string_free(out, FALSE);
}

char *
util_url_decode(const char *s)
{
	GString *out = g_string_new(NULL);

	while (*s) {
		if (*s == '%') {
			int hi, lo;

			if (!s[1] || !s[2] ||
			    (hi = g_ascii_xdigit_value(s[1])) < 0 ||
			    (lo = g_ascii_xdigit_value(s[2])) < 0) {
				g_string_free(out, TRUE);
				return NULL;
			}
			g_string_append_c(out, (char) (hi * 16 + lo));
			s += 3;
		} else {
			g_string_append_c(out, *s++);
		}
	}
	return g_string_free(out, FALSE);
}

char *
util_random_token(gsize len, const char *alphabet)
{
	gsize n = strlen(alphabet);
	char *t = g_malloc(len + 1);
	gsize i;

	for (i = 0; i < len; i++)
		t[i] = alphabet[g_random_int_range(0, (gint32) n)];
	t[len] = '\0';
	return t;
}

char *
util_iso_time(gint64 offset_secs)
{
	GDateTime *now = g_date_time_new_now_utc();
	GDateTime *t = g_date_time_add_seconds(now, (gdouble) offset_secs);
	char *s = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");

	g_date_time_unref(t);
	g_date_time_unref(now);
	return s;
}

static gboolean
parse_version_number(const char *s, guint *out)
{
	guint64 v;
	char *end = NULL;

	if (g_ascii_strncasecmp(s, "MSNP", 4) == 0)
		s += 4;
	if (!g_ascii_isdigit(*s))
		return FALSE;
	v = g_ascii_strtoull(s, &end, 10);
	if (*end != '\0' || v < MSN_VERSION_MIN || v > MSN_VERSION_MAX)
		return FALSE;
	*out = (guint) v;
	return TRUE;
}

gboolean
util_parse_versions(const char *list, guint32 *mask, GError **error)
{
	char **parts = g_strsplit(list, ",", -1);
	guint32 m = 0;
	char **p;

	for (p = parts; *p; p++) {
		char *item = g_strstrip(*p);
		char *dash = strchr(item, '-');
		guint lo, hi, v;

		if (dash) {
			*dash = '\0';
			if (!parse_version_number(g_strstrip(item), &lo) ||
			    !parse_version_number(g_strstrip(dash + 1), &hi) || lo > hi)
				goto bad;
		} else {
			if (!parse_version_number(item, &lo))
				goto bad;
			hi = lo;
		}
		for (v = lo; v <= hi; v++)
			m |= 1u << v;
	}
	g_strfreev(parts);
	if (m == 0) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--versions: empty list");
		return FALSE;
	}
	*mask = m;
	return TRUE;
bad:
	g_strfreev(parts);
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
	            "--versions: expected a list like 8-14 or 8,10-12 (versions %d to %d): %s",
	            MSN_VERSION_MIN, MSN_VERSION_MAX, list);
	return FALSE;
}
