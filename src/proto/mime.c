/* purple-msnp — the MIME layer of MSG payloads. */
#include "proto/mime.h"

#include <string.h>

typedef struct {
	char *name;
	char *value;
} Header;

struct _MsnMime {
	Header headers[MSN_MIME_MAX_HEADERS];
	guint n_headers;
	GBytes *body;
	gboolean has_separator;
};

GQuark
msn_mime_error_quark(void)
{
	return g_quark_from_static_string("msn-mime-error-quark");
}

/* A valid UTF-8 copy of data[0..len): every byte that does not start a valid
 * sequence (NUL included) becomes U+FFFD. */
static char *
utf8_copy(const char *data, gsize len)
{
	GString *out = g_string_sized_new(len + 1);

	while (len > 0) {
		const char *end;

		if (g_utf8_validate_len(data, len, &end)) {
			g_string_append_len(out, data, (gssize)len);
			break;
		}
		g_string_append_len(out, data, end - data);
		g_string_append(out, "\xEF\xBF\xBD");
		len -= (gsize)(end - data) + 1;
		data = end + 1;
	}
	return g_string_free(out, FALSE);
}

static gboolean
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

MsnMime *
msn_mime_parse(const guint8 *data, gsize len, GError **error)
{
	MsnMime *mime;
	const char *p = (const char *)data;
	gsize pos = 0;
	gsize body_start = len;

	if (len > MSN_MIME_MAX_SIZE) {
		g_set_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_TOO_LARGE,
		            "Message of %" G_GSIZE_FORMAT " bytes is too large", len);
		return NULL;
	}
	if (data == NULL)
		len = 0;

	mime = g_new0(MsnMime, 1);
	while (pos < len) {
		const char *nl = memchr(p + pos, '\n', len - pos);
		gsize line_end = nl ? (gsize)(nl - p) : len;  /* excludes '\n' */
		gsize next = nl ? line_end + 1 : len;
		gsize e = line_end;
		const char *line = p + pos;
		const char *colon;
		gsize ll, nb, ne, vb, ve;

		if (e > pos && p[e - 1] == '\r')
			e--;
		ll = e - pos;
		if (ll == 0 && nl != NULL) {
			/* the blank line: the body follows */
			mime->has_separator = TRUE;
			body_start = next;
			break;
		}
		pos = next;

		if (ll == 0 || is_blank(line[0]) || memchr(line, '\0', ll) != NULL)
			continue;
		colon = memchr(line, ':', ll);
		if (colon == NULL)
			continue;
		nb = 0;
		ne = (gsize)(colon - line);
		while (ne > nb && is_blank(line[ne - 1]))
			ne--;
		if (ne == nb || ne - nb > MSN_MIME_MAX_NAME)
			continue;
		vb = (gsize)(colon - line) + 1;
		ve = ll;
		while (vb < ve && is_blank(line[vb]))
			vb++;
		while (ve > vb && (is_blank(line[ve - 1]) || line[ve - 1] == '\r'))
			ve--;

		if (mime->n_headers >= MSN_MIME_MAX_HEADERS) {
			g_set_error(error, MSN_MIME_ERROR,
			            MSN_MIME_ERROR_TOO_MANY_HEADERS,
			            "Message has more than %d headers",
			            MSN_MIME_MAX_HEADERS);
			msn_mime_free(mime);
			return NULL;
		}
		mime->headers[mime->n_headers].name = g_strndup(line + nb, ne - nb);
		mime->headers[mime->n_headers].value = g_strndup(line + vb, ve - vb);
		mime->n_headers++;
	}

	if (body_start < len)
		mime->body = g_bytes_new(p + body_start, len - body_start);
	else
		mime->body = g_bytes_new(NULL, 0);
	return mime;
}

MsnMime *
msn_mime_parse_bytes(GBytes *payload, GError **error)
{
	gsize len = 0;
	const guint8 *data = NULL;

	if (payload)
		data = g_bytes_get_data(payload, &len);
	return msn_mime_parse(data, len, error);
}

void
msn_mime_free(MsnMime *mime)
{
	guint i;

	if (mime == NULL)
		return;
	for (i = 0; i < mime->n_headers; i++) {
		g_free(mime->headers[i].name);
		g_free(mime->headers[i].value);
	}
	if (mime->body)
		g_bytes_unref(mime->body);
	g_free(mime);
}

guint
msn_mime_get_n_headers(const MsnMime *mime)
{
	g_return_val_if_fail(mime != NULL, 0);
	return mime->n_headers;
}

const char *
msn_mime_get_header_name(const MsnMime *mime, guint i)
{
	g_return_val_if_fail(mime != NULL, NULL);
	return i < mime->n_headers ? mime->headers[i].name : NULL;
}

const char *
msn_mime_get_header_value(const MsnMime *mime, guint i)
{
	g_return_val_if_fail(mime != NULL, NULL);
	return i < mime->n_headers ? mime->headers[i].value : NULL;
}

const char *
msn_mime_get_header(const MsnMime *mime, const char *name)
{
	guint i;

	g_return_val_if_fail(mime != NULL, NULL);
	if (name == NULL)
		return NULL;
	for (i = 0; i < mime->n_headers; i++)
		if (g_ascii_strcasecmp(mime->headers[i].name, name) == 0)
			return mime->headers[i].value;
	return NULL;
}

char *
msn_mime_dup_header_utf8(const MsnMime *mime, const char *name)
{
	const char *v = msn_mime_get_header(mime, name);

	return v ? utf8_copy(v, strlen(v)) : NULL;
}

char *
msn_mime_dup_media_type(const MsnMime *mime)
{
	const char *v = msn_mime_get_header(mime, "Content-Type");
	const char *semi;
	char *t, *lower;

	if (v == NULL)
		return NULL;
	semi = strchr(v, ';');
	t = semi ? g_strndup(v, (gsize)(semi - v)) : g_strdup(v);
	g_strstrip(t);
	lower = g_ascii_strdown(t, -1);
	g_free(t);
	return lower;
}

char *
msn_mime_dup_content_type_param(const MsnMime *mime, const char *param)
{
	const char *v = msn_mime_get_header(mime, "Content-Type");
	char **parts;
	char *result = NULL;
	guint i;

	if (v == NULL || param == NULL)
		return NULL;
	parts = g_strsplit(v, ";", -1);
	/* (an empty value splits into no parts at all) */
	for (i = 1; parts[0] && parts[i] && result == NULL; i++) {
		char *eq = strchr(parts[i], '=');
		gsize n;

		if (eq == NULL)
			continue;
		*eq = '\0';
		g_strstrip(parts[i]);
		if (g_ascii_strcasecmp(parts[i], param) != 0)
			continue;
		result = g_strstrip(g_strdup(eq + 1));
		n = strlen(result);
		if (n >= 2 && result[0] == '"' && result[n - 1] == '"') {
			memmove(result, result + 1, n - 2);
			result[n - 2] = '\0';
		}
	}
	g_strfreev(parts);
	return result;
}

GBytes *
msn_mime_get_body(const MsnMime *mime)
{
	g_return_val_if_fail(mime != NULL, NULL);
	return mime->body;
}

char *
msn_mime_dup_body_utf8(const MsnMime *mime)
{
	gsize len = 0;
	const char *data;

	g_return_val_if_fail(mime != NULL, NULL);
	data = g_bytes_get_data(mime->body, &len);
	return utf8_copy(data ? data : "", len);
}

gboolean
msn_mime_has_separator(const MsnMime *mime)
{
	g_return_val_if_fail(mime != NULL, FALSE);
	return mime->has_separator;
}

static gboolean
header_name_ok(const char *name)
{
	const guchar *p;

	if (name == NULL || *name == '\0' || strlen(name) > MSN_MIME_MAX_NAME)
		return FALSE;
	for (p = (const guchar *)name; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == ':')
			return FALSE;
	return TRUE;
}

GBytes *
msn_mime_build(const char *const *headers, const guint8 *body, gsize body_len,
               GError **error)
{
	GString *out;
	guint i;

	g_return_val_if_fail(body != NULL || body_len == 0, NULL);

	out = g_string_new(NULL);
	for (i = 0; headers && headers[i]; i += 2) {
		const char *name = headers[i];
		const char *value = headers[i + 1];

		if (!header_name_ok(name)) {
			g_set_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_INVALID_ARGUMENT,
			            "Header %u has an invalid name", i / 2);
			g_string_free(out, TRUE);
			return NULL;
		}
		if (value == NULL) {
			g_set_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_INVALID_ARGUMENT,
			            "Header %u has no value", i / 2);
			g_string_free(out, TRUE);
			return NULL;
		}
		if (strpbrk(value, "\r\n") != NULL) {
			g_set_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_INVALID_ARGUMENT,
			            "Header %u value contains a line break", i / 2);
			g_string_free(out, TRUE);
			return NULL;
		}
		if (i / 2 >= MSN_MIME_MAX_HEADERS) {
			g_set_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_TOO_MANY_HEADERS,
			            "More than %d headers", MSN_MIME_MAX_HEADERS);
			g_string_free(out, TRUE);
			return NULL;
		}
		g_string_append(out, name);
		g_string_append(out, ": ");
		g_string_append(out, value);
		g_string_append(out, "\r\n");
	}
	g_string_append(out, "\r\n");
	if (body_len > MSN_MIME_MAX_SIZE || out->len + body_len > MSN_MIME_MAX_SIZE) {
		g_set_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_TOO_LARGE,
		            "Message would be larger than %d bytes", MSN_MIME_MAX_SIZE);
		g_string_free(out, TRUE);
		return NULL;
	}
	if (body_len > 0)
		g_string_append_len(out, (const char *)body, (gssize)body_len);
	return g_string_free_to_bytes(out);
}
