/* purple-msnp — reading the UBX/UUX <Data> payload and the CurrentMedia string. */
#include "proto/ubx.h"

#include <string.h>

#include "proto/dialect.h"
#include "proto/text-private.h"

GQuark
msn_ubx_error_quark(void)
{
	return g_quark_from_static_string("msn-ubx-error-quark");
}

/* ---- The <Data> payload ------------------------------------------------ */

enum { FIELD_PSM, FIELD_MEDIA, FIELD_GUID, N_FIELDS, FIELD_NONE = N_FIELDS };

static const char *const field_names[N_FIELDS] = { "PSM", "CurrentMedia", "MachineGuid" };

typedef struct {
	guint depth;
	gboolean root_seen;
	guint capture;               /* FIELD_* being read, or FIELD_NONE */
	GString *text[N_FIELDS];     /* NULL until the element is met */
	gboolean truncated;
} ParseState;

static void
on_start(GMarkupParseContext *ctx, const char *name, const char **attr_names,
         const char **attr_values, gpointer user_data, GError **error)
{
	ParseState *st = user_data;
	guint i;

	st->depth++;
	if (st->depth == 1) {
		if (st->root_seen) {
			g_set_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_BAD_ROOT,
			            "more than one root element");
			return;
		}
		st->root_seen = TRUE;
		if (strcmp(name, "Data") != 0)
			g_set_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_BAD_ROOT,
			            "root element is not <Data>");
		return;
	}
	if (st->depth != 2)
		return;
	for (i = 0; i < N_FIELDS; i++) {
		if (strcmp(name, field_names[i]) == 0 && st->text[i] == NULL) {
			st->text[i] = g_string_new(NULL);
			st->capture = i;
			return;
		}
	}
}

static void
on_end(GMarkupParseContext *ctx, const char *name, gpointer user_data, GError **error)
{
	ParseState *st = user_data;

	if (st->depth == 2)
		st->capture = FIELD_NONE;
	st->depth--;
}

static void
on_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer user_data,
        GError **error)
{
	ParseState *st = user_data;

	if (st->capture == FIELD_NONE || len == 0)
		return;
	if (!msn_text_append_bounded(st->text[st->capture], text, len, MSN_UBX_MAX_TEXT))
		st->truncated = TRUE;
}

static const GMarkupParser ubx_parser = { on_start, on_end, on_text, NULL, NULL };

static MsnUbx *
ubx_new(void)
{
	MsnUbx *ubx = g_new0(MsnUbx, 1);

	ubx->psm = g_strdup("");
	ubx->current_media = g_strdup("");
	return ubx;
}

static gboolean
check_size(gsize len, GError **error)
{
	if (len > MSN_UBX_MAX_PAYLOAD) {
		g_set_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_TOO_LARGE,
		            "personal message payload of %" G_GSIZE_FORMAT " bytes (limit %d)",
		            len, MSN_UBX_MAX_PAYLOAD);
		return FALSE;
	}
	return TRUE;
}

/* Strict parse of an already valid UTF-8 string. */
static MsnUbx *
parse_strict(const char *xml, gsize len, GError **error)
{
	ParseState st = { 0 };
	GMarkupParseContext *ctx;
	GError *local = NULL;
	MsnUbx *ubx;
	guint i;

	if (len == 0)
		return ubx_new();

	st.capture = FIELD_NONE;
	ctx = g_markup_parse_context_new(&ubx_parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &st, NULL);
	if (g_markup_parse_context_parse(ctx, xml, (gssize)len, &local))
		g_markup_parse_context_end_parse(ctx, &local);
	g_markup_parse_context_free(ctx);

	if (local == NULL && !st.root_seen)
		g_set_error(&local, MSN_UBX_ERROR, MSN_UBX_ERROR_MALFORMED, "no root element");
	if (local != NULL) {
		if (local->domain != MSN_UBX_ERROR)
			g_set_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_MALFORMED,
			            "personal message is not well-formed XML: %s", local->message);
		else
			g_propagate_error(error, g_steal_pointer(&local));
		g_clear_error(&local);
		for (i = 0; i < N_FIELDS; i++)
			if (st.text[i])
				g_string_free(st.text[i], TRUE);
		return NULL;
	}

	ubx = ubx_new();
	ubx->truncated = st.truncated;
	if (st.text[FIELD_PSM]) {
		g_free(ubx->psm);
		ubx->psm = g_string_free(st.text[FIELD_PSM], FALSE);
	}
	if (st.text[FIELD_MEDIA]) {
		g_free(ubx->current_media);
		ubx->current_media = g_string_free(st.text[FIELD_MEDIA], FALSE);
	}
	if (st.text[FIELD_GUID])
		ubx->machine_guid = g_string_free(st.text[FIELD_GUID], FALSE);
	return ubx;
}

MsnUbx *
msn_ubx_parse(const guint8 *data, gsize len, GError **error)
{
	char *xml;
	MsnUbx *ubx;

	if (!check_size(len, error))
		return NULL;
	if (len == 0)
		return ubx_new();
	xml = msn_text_make_valid((const char *)data, len);
	ubx = parse_strict(xml, strlen(xml), error);
	g_free(xml);
	return ubx;
}

/* Finds <name>…</name> (the open tag may carry attributes, or be <name/>)
 * in s.  Returns TRUE and the content's bounds when found. */
static gboolean
find_element(const char *s, const char *name, const char **start, gsize *len)
{
	gsize nlen = strlen(name);
	const char *p = s;

	while ((p = strchr(p, '<')) != NULL) {
		const char *gt, *close, *q;
		char *close_tag;

		p++;
		if (strncmp(p, name, nlen) != 0)
			continue;
		q = p + nlen;
		if (*q != '>' && *q != '/' && !g_ascii_isspace(*q))
			continue;
		gt = strchr(q, '>');
		if (gt == NULL)
			return FALSE;
		if (gt > q && gt[-1] == '/') {
			*start = gt + 1;
			*len = 0;
			return TRUE;
		}
		close_tag = g_strconcat("</", name, ">", NULL);
		close = strstr(gt + 1, close_tag);
		g_free(close_tag);
		if (close == NULL)
			return FALSE;
		*start = gt + 1;
		*len = (gsize)(close - (gt + 1));
		return TRUE;
	}
	return FALSE;
}

static char *
recover_field(const char *xml, guint field, gboolean *found, gboolean *truncated)
{
	const char *start;
	gsize len;
	char *decoded;
	gsize cut;

	if (!find_element(xml, field_names[field], &start, &len))
		return NULL;
	*found = TRUE;
	/* As an XML parser would: line ends become "\n" first (so &#13; still
	 * gives a CR), then references are decoded. */
	{
		GString *raw = g_string_sized_new(len + 1);
		gsize i;

		for (i = 0; i < len; i++) {
			if (start[i] == '\r') {
				g_string_append_c(raw, '\n');
				if (i + 1 < len && start[i + 1] == '\n')
					i++;
			} else {
				g_string_append_c(raw, start[i]);
			}
		}
		decoded = msn_text_decode_entities(raw->str, raw->len, FALSE);
		g_string_free(raw, TRUE);
	}
	len = strlen(decoded);
	cut = msn_text_utf8_cut(decoded, len, MSN_UBX_MAX_TEXT);
	if (cut < len) {
		decoded[cut] = '\0';
		*truncated = TRUE;
	}
	return decoded;
}

MsnUbx *
msn_ubx_parse_lenient(const guint8 *data, gsize len, GError **error)
{
	GError *strict_error = NULL;
	gboolean found = FALSE;
	char *xml, *s;
	MsnUbx *ubx;

	if (!check_size(len, error))
		return NULL;
	if (len == 0)
		return ubx_new();
	xml = msn_text_make_valid((const char *)data, len);
	ubx = parse_strict(xml, strlen(xml), &strict_error);
	if (ubx != NULL) {
		g_free(xml);
		return ubx;
	}

	ubx = ubx_new();
	ubx->recovered = TRUE;
	if ((s = recover_field(xml, FIELD_PSM, &found, &ubx->truncated)) != NULL) {
		g_free(ubx->psm);
		ubx->psm = s;
	}
	if ((s = recover_field(xml, FIELD_MEDIA, &found, &ubx->truncated)) != NULL) {
		g_free(ubx->current_media);
		ubx->current_media = s;
	}
	ubx->machine_guid = recover_field(xml, FIELD_GUID, &found, &ubx->truncated);
	g_free(xml);
	if (!found) {
		msn_ubx_free(ubx);
		g_propagate_error(error, strict_error);
		return NULL;
	}
	g_clear_error(&strict_error);
	return ubx;
}

static gboolean
all_digits(const char *s)
{
	if (s == NULL || *s == '\0')
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isdigit(*s))
			return FALSE;
	return TRUE;
}

MsnUbx *
msn_ubx_parse_command(const MsnCommand *cmd, guint version, GError **error)
{
	const MsnDialect *d = msn_dialect_get(version);
	const guint8 *data = NULL;
	gsize len = 0;
	MsnUbx *ubx;

	g_return_val_if_fail(cmd != NULL, NULL);

	if (strcmp(cmd->name, "UBX") != 0 || cmd->n_params < 1 || cmd->params == NULL ||
	    cmd->params[0] == NULL || cmd->params[0][0] == '\0') {
		g_set_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_NOT_UBX,
		            "%s is not a UBX command", cmd->name);
		return NULL;
	}
	if (cmd->payload)
		data = g_bytes_get_data(cmd->payload, &len);
	ubx = msn_ubx_parse_lenient(data, len, error);
	if (ubx == NULL)
		return NULL;
	ubx->handle = g_utf8_make_valid(cmd->params[0], -1);
	ubx->network = 1;
	/* UBX handle nid len: the last parameter is the length. */
	if (d && d->presence_has_nid && cmd->n_params >= 3 && all_digits(cmd->params[1])) {
		guint64 v = 0;

		if (g_ascii_string_to_unsigned(cmd->params[1], 10, 0, G_MAXUINT32, &v, NULL))
			ubx->network = (guint)v;
		else
			ubx->network = 0;
	}
	return ubx;
}

void
msn_ubx_free(MsnUbx *ubx)
{
	if (ubx == NULL)
		return;
	g_free(ubx->psm);
	g_free(ubx->current_media);
	g_free(ubx->machine_guid);
	g_free(ubx->handle);
	g_free(ubx);
}

/* ---- CurrentMedia ------------------------------------------------------ */

#define SEP "\\0"

MsnMedia *
msn_media_parse(const char *s)
{
	GPtrArray *fields;
	MsnMedia *media;
	const char *p;
	char *valid;
	guint i;

	if (s == NULL || *s == '\0')
		return NULL;
	valid = g_utf8_make_valid(s, -1);

	fields = g_ptr_array_new_with_free_func(g_free);
	p = valid;
	for (;;) {
		const char *sep = strstr(p, SEP);

		if (fields->len == MSN_MEDIA_MAX_FIELDS)
			break;
		if (sep == NULL) {
			g_ptr_array_add(fields, g_strdup(p));
			break;
		}
		g_ptr_array_add(fields, g_strndup(p, (gsize)(sep - p)));
		p = sep + 2;
	}
	g_free(valid);

	if (fields->len < 4) {
		g_ptr_array_unref(fields);
		return NULL;
	}
	/* The empty field after the final separator is not a value. */
	if (fields->len > 4 && *(const char *)g_ptr_array_index(fields, fields->len - 1) == '\0')
		g_ptr_array_remove_index(fields, fields->len - 1);

	media = g_new0(MsnMedia, 1);
	media->application = g_strdup(g_ptr_array_index(fields, 0));
	media->category = g_strdup(g_ptr_array_index(fields, 1));
	if (g_ascii_strcasecmp(media->category, "Music") == 0)
		media->type = MSN_MEDIA_MUSIC;
	else if (g_ascii_strcasecmp(media->category, "Games") == 0)
		media->type = MSN_MEDIA_GAMES;
	else if (g_ascii_strcasecmp(media->category, "Office") == 0)
		media->type = MSN_MEDIA_OFFICE;
	else
		media->type = MSN_MEDIA_OTHER;
	{
		const char *en = g_ptr_array_index(fields, 2);
		gboolean digits = *en != '\0';
		gboolean nonzero = FALSE;

		for (; *en; en++) {
			if (!g_ascii_isdigit(*en))
				digits = FALSE;
			else if (*en != '0')
				nonzero = TRUE;
		}
		media->enabled = digits && nonzero;
	}
	media->format = g_strdup(g_ptr_array_index(fields, 3));
	media->n_values = fields->len - 4;
	media->values = g_new0(char *, media->n_values + 1);
	for (i = 0; i < media->n_values; i++)
		media->values[i] = g_strdup(g_ptr_array_index(fields, i + 4));
	g_ptr_array_unref(fields);
	return media;
}

void
msn_media_free(MsnMedia *media)
{
	if (media == NULL)
		return;
	g_free(media->application);
	g_free(media->category);
	g_free(media->format);
	g_strfreev(media->values);
	g_free(media);
}

const char *
msn_media_get_value(const MsnMedia *media, guint i)
{
	if (media == NULL || i >= media->n_values)
		return NULL;
	return media->values[i];
}

char *
msn_media_render(const MsnMedia *media)
{
	GString *out;
	const char *f;
	gboolean had_placeholder = FALSE, had_value = FALSE;

	if (media == NULL || !media->enabled)
		return NULL;
	out = g_string_new(NULL);

	if (media->format[0] == '\0') {
		guint i;

		for (i = 0; i < media->n_values; i++) {
			const char *v = media->values[i];

			if (*v == '\0')
				continue;
			if (out->len > 0)
				msn_text_append_bounded(out, " - ", 3, MSN_MEDIA_MAX_RENDER);
			msn_text_append_bounded(out, v, strlen(v), MSN_MEDIA_MAX_RENDER);
		}
	} else {
		for (f = media->format; *f && out->len < MSN_MEDIA_MAX_RENDER; ) {
			if ((f[0] == '{' && f[1] == '{') || (f[0] == '}' && f[1] == '}')) {
				msn_text_append_bounded(out, f, 1, MSN_MEDIA_MAX_RENDER);
				f += 2;
				continue;
			}
			if (f[0] == '{' && g_ascii_isdigit(f[1])) {
				guint n = (guint)(f[1] - '0');
				const char *end = f + 2;

				if (g_ascii_isdigit(*end)) {
					n = n * 10 + (guint)(*end - '0');
					end++;
				}
				if (*end == '}') {
					const char *v = msn_media_get_value(media, n);

					had_placeholder = TRUE;
					if (v && *v) {
						had_value = TRUE;
						msn_text_append_bounded(out, v, strlen(v),
						                        MSN_MEDIA_MAX_RENDER);
					}
					f = end + 1;
					continue;
				}
			}
			/* One whole character, copied as is. */
			{
				const char *next = g_utf8_next_char(f);

				msn_text_append_bounded(out, f, (gsize)(next - f), MSN_MEDIA_MAX_RENDER);
				f = next;
			}
		}
	}

	if ((had_placeholder && !had_value) || g_strstrip(out->str)[0] == '\0') {
		g_string_free(out, TRUE);
		return NULL;
	}
	return g_string_free(out, FALSE);
}

/* Appends a cleaned field: valid UTF-8, control characters as spaces, no
 * "\0" sequence (a run of backslashes before a '0' is dropped), at most
 * MSN_MEDIA_MAX_VALUE bytes. */
static void
append_field(GString *out, const char *value)
{
	GString *clean;
	char *valid;
	const char *p;

	valid = g_utf8_make_valid(value ? value : "", -1);
	clean = g_string_new(NULL);
	for (p = valid; *p; ) {
		if (*p == '\\') {
			const char *q = p;

			while (*q == '\\')
				q++;
			if (*q != '0')
				g_string_append_len(clean, p, q - p);
			p = q;
			continue;
		}
		if ((guchar)*p < 0x20 || *p == 0x7f)
			g_string_append_c(clean, ' ');
		else
			g_string_append_c(clean, *p);
		p++;
	}
	g_string_append_len(out, clean->str,
	                    (gssize)msn_text_utf8_cut(clean->str, clean->len, MSN_MEDIA_MAX_VALUE));
	g_string_free(clean, TRUE);
	g_free(valid);
}

char *
msn_media_build(const char *category, gboolean enabled, const char *format,
                const char *const *values)
{
	GString *out = g_string_new(SEP);

	append_field(out, category);
	g_string_append(out, SEP);
	g_string_append(out, enabled ? "1" : "0");
	g_string_append(out, SEP);
	append_field(out, format);
	g_string_append(out, SEP);
	for (; values && *values; values++) {
		append_field(out, *values);
		g_string_append(out, SEP);
	}
	return g_string_free(out, FALSE);
}

char *
msn_media_build_music(const char *artist, const char *title, const char *album)
{
	gboolean has_title = title && *title;
	gboolean has_artist = artist && *artist;
	const char *values[5];
	const char *format;

	if (!has_title && !has_artist)
		return NULL;
	if (has_title && has_artist)
		format = "{0} - {1}";
	else if (has_title)
		format = "{0}";
	else
		format = "{1}";
	values[0] = has_title ? title : "";
	values[1] = has_artist ? artist : "";
	values[2] = album ? album : "";
	values[3] = "";        /* WMContentID: none */
	values[4] = NULL;
	return msn_media_build("Music", TRUE, format, values);
}
