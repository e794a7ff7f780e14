/* libFuzzer target: the MIME parser and builder.
 *
 * Parses the input as an MSG payload, calls every getter, and rebuilds
 * the message from what was parsed: reading that back must give the same
 * headers and body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	MsnMime *m = msn_mime_parse(data, size, &error);
	guint i, n;
	GPtrArray *pairs;
	GBytes *body, *rebuilt;
	char *s;
	gsize blen;
	const guint8 *bdata;

	if (m == NULL) {
		check(error != NULL && error->domain == MSN_MIME_ERROR);
		g_error_free(error);
		return 0;
	}
	check(error == NULL);
	n = msn_mime_get_n_headers(m);
	check(n <= MSN_MIME_MAX_HEADERS);
	pairs = g_ptr_array_new();
	for (i = 0; i < n; i++) {
		const char *name = msn_mime_get_header_name(m, i);
		const char *value = msn_mime_get_header_value(m, i);

		check(name != NULL && value != NULL && name[0] != '\0');
		check(strchr(name, '\n') == NULL && strchr(value, '\n') == NULL);
		check(msn_mime_get_header(m, name) != NULL);
		s = msn_mime_dup_header_utf8(m, name);
		check(s != NULL && g_utf8_validate(s, -1, NULL));
		g_free(s);
		g_ptr_array_add(pairs, (gpointer)name);
		g_ptr_array_add(pairs, (gpointer)value);
	}
	g_ptr_array_add(pairs, NULL);
	check(msn_mime_get_header_name(m, n) == NULL);

	s = msn_mime_dup_media_type(m);
	g_free(s);
	s = msn_mime_dup_content_type_param(m, "charset");
	check(s == NULL || g_utf8_validate(s, -1, NULL) ||
	      !g_utf8_validate(msn_mime_get_header(m, "Content-Type"), -1, NULL));
	g_free(s);

	body = msn_mime_get_body(m);
	check(body != NULL);
	bdata = g_bytes_get_data(body, &blen);
	check(blen <= size);
	s = msn_mime_dup_body_utf8(m);
	check(s != NULL && g_utf8_validate(s, -1, NULL));
	g_free(s);

	rebuilt = msn_mime_build((const char *const *)pairs->pdata, bdata, blen, NULL);
	if (rebuilt) {
		MsnMime *back = msn_mime_parse_bytes(rebuilt, &error);

		check(back != NULL && error == NULL);
		check(msn_mime_get_n_headers(back) == n);
		for (i = 0; i < n; i++) {
			check(strcmp(msn_mime_get_header_name(back, i),
			             msn_mime_get_header_name(m, i)) == 0);
			check(strcmp(msn_mime_get_header_value(back, i),
			             msn_mime_get_header_value(m, i)) == 0);
		}
		check(msn_mime_has_separator(back));
		check(g_bytes_equal(msn_mime_get_body(back), body));
		msn_mime_free(back);
		g_bytes_unref(rebuilt);
	}
	g_ptr_array_unref(pairs);
	msn_mime_free(m);
	return 0;
}
