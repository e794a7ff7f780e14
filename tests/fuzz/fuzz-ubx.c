/* libFuzzer target: the UBX/UUX payload reader and the CurrentMedia string.
 *
 * Reads the input strictly and leniently (every string must be valid UTF-8
 * and within the text bound; when the strict reader succeeds the lenient
 * one must agree), escapes the PSM back into a payload and reads it again,
 * then parses the CurrentMedia (and the raw input as one), renders it, and
 * rebuilds it: building what was parsed must be stable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ubx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
check_ubx(const MsnUbx *u)
{
	check(u->psm != NULL && u->current_media != NULL);
	check(g_utf8_validate(u->psm, -1, NULL) && strlen(u->psm) <= MSN_UBX_MAX_TEXT);
	check(g_utf8_validate(u->current_media, -1, NULL) &&
	      strlen(u->current_media) <= MSN_UBX_MAX_TEXT);
	check(u->machine_guid == NULL ||
	      (g_utf8_validate(u->machine_guid, -1, NULL) &&
	       strlen(u->machine_guid) <= MSN_UBX_MAX_TEXT));
}

static void
check_media(const char *s)
{
	MsnMedia *m = msn_media_parse(s);
	char *r, *b1, *b2;
	MsnMedia *again;
	guint i;

	if (m == NULL)
		return;
	check(m->application && m->category && m->format && m->values);
	check(m->n_values + 4 <= MSN_MEDIA_MAX_FIELDS);
	for (i = 0; i < m->n_values; i++)
		check(m->values[i] != NULL && g_utf8_validate(m->values[i], -1, NULL));
	check(m->values[m->n_values] == NULL);
	check(msn_media_get_value(m, m->n_values) == NULL);

	r = msn_media_render(m);
	check(r == NULL || (g_utf8_validate(r, -1, NULL) && strlen(r) <= MSN_MEDIA_MAX_RENDER &&
	                    r[0] != '\0'));
	check(r == NULL || m->enabled);
	g_free(r);

	b1 = msn_media_build(m->category, m->enabled, m->format, (const char *const *)m->values);
	again = msn_media_parse(b1);
	check(again != NULL);
	check(again->enabled == m->enabled);
	b2 = msn_media_build(again->category, again->enabled, again->format,
	                     (const char *const *)again->values);
	check(strcmp(b1, b2) == 0);
	g_free(b1);
	g_free(b2);
	msn_media_free(again);
	msn_media_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	MsnUbx *strict, *lenient;
	char *raw;

	strict = msn_ubx_parse(data, size, &error);
	check((strict == NULL) == (error != NULL));
	if (error) {
		check(error->domain == MSN_UBX_ERROR);
		g_clear_error(&error);
	}
	lenient = msn_ubx_parse_lenient(data, size, &error);
	check((lenient == NULL) == (error != NULL));
	g_clear_error(&error);
	if (size > MSN_UBX_MAX_PAYLOAD)
		check(strict == NULL && lenient == NULL);

	if (strict) {
		check_ubx(strict);
		check(!strict->recovered);
		check(lenient != NULL && !lenient->recovered);
		check(strcmp(strict->psm, lenient->psm) == 0);
		check(strcmp(strict->current_media, lenient->current_media) == 0);
		check(g_strcmp0(strict->machine_guid, lenient->machine_guid) == 0);
	}
	if (lenient) {
		GString *xml = g_string_new("<Data><PSM>");
		const char *p;
		MsnUbx *back;

		check_ubx(lenient);
		/* Escaped back into a payload, the PSM reads the same. */
		for (p = lenient->psm; *p; p++) {
			switch (*p) {
			case '&': g_string_append(xml, "&amp;"); break;
			case '<': g_string_append(xml, "&lt;"); break;
			case '>': g_string_append(xml, "&gt;"); break;
			case '\r': g_string_append(xml, "&#13;"); break;
			default: g_string_append_c(xml, *p);
			}
		}
		g_string_append(xml, "</PSM></Data>");
		if (xml->len <= MSN_UBX_MAX_PAYLOAD) {
			back = msn_ubx_parse((const guint8 *)xml->str, xml->len, &error);
			check(back != NULL && error == NULL);
			check(strcmp(back->psm, lenient->psm) == 0);
			msn_ubx_free(back);
		}
		g_string_free(xml, TRUE);
		check_media(lenient->current_media);
	}

	raw = g_strndup((const char *)data, size);
	check_media(raw);
	g_free(raw);

	msn_ubx_free(strict);
	msn_ubx_free(lenient);
	return 0;
}
