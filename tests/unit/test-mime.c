/* Unit tests for src/proto/mime.c */
#include <string.h>

#include "proto/mime.h"

static MsnMime *
parse_str(const char *s)
{
	GError *error = NULL;
	MsnMime *m = msn_mime_parse((const guint8 *)s, strlen(s), &error);

	g_assert_no_error(error);
	g_assert_nonnull(m);
	return m;
}

static void
assert_body(const MsnMime *m, const char *expected)
{
	gsize n;
	const char *d = g_bytes_get_data(msn_mime_get_body(m), &n);

	g_assert_cmpmem(d, n, expected, strlen(expected));
}

static void
test_instant_message(void)
{
	g_autoptr(MsnMime) m = parse_str(
		"MIME-Version: 1.0\r\n"
		"Content-Type: text/plain; charset=UTF-8\r\n"
		"X-MMS-IM-Format: FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22\r\n"
		"\r\n"
		"Hi there!\r\nSecond line\r\n\r\nafter blank");
	g_autofree char *type = msn_mime_dup_media_type(m);
	g_autofree char *charset = msn_mime_dup_content_type_param(m, "CHARSET");

	g_assert_cmpuint(msn_mime_get_n_headers(m), ==, 3);
	g_assert_cmpstr(msn_mime_get_header_name(m, 0), ==, "MIME-Version");
	g_assert_cmpstr(msn_mime_get_header_value(m, 0), ==, "1.0");
	g_assert_null(msn_mime_get_header_name(m, 3));
	g_assert_null(msn_mime_get_header_value(m, 3));
	g_assert_cmpstr(msn_mime_get_header(m, "content-type"), ==,
	                "text/plain; charset=UTF-8");
	g_assert_cmpstr(msn_mime_get_header(m, "X-MMS-IM-FORMAT"), ==,
	                "FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22");
	g_assert_null(msn_mime_get_header(m, "TypingUser"));
	g_assert_null(msn_mime_get_header(m, NULL));
	g_assert_cmpstr(type, ==, "text/plain");
	g_assert_cmpstr(charset, ==, "UTF-8");
	g_assert_true(msn_mime_has_separator(m));
	/* only the first blank line separates */
	assert_body(m, "Hi there!\r\nSecond line\r\n\r\nafter blank");
}

static void
test_nudge_and_typing(void)
{
	g_autoptr(MsnMime) nudge = parse_str(
		"MIME-Version: 1.0\r\n"
		"Content-Type: text/x-msnmsgr-datacast\r\n"
		"\r\n"
		"ID: 1\r\n"
		"\r\n");
	g_autoptr(MsnMime) typing = parse_str(
		"MIME-Version: 1.0\r\n"
		"Content-Type: text/x-msmsgscontrol\r\n"
		"TypingUser: me@example.com\r\n"
		"\r\n"
		"\r\n");
	g_autofree char *t = msn_mime_dup_media_type(typing);

	g_assert_cmpuint(msn_mime_get_n_headers(nudge), ==, 2);
	assert_body(nudge, "ID: 1\r\n\r\n");
	g_assert_cmpstr(msn_mime_get_header(typing, "typinguser"), ==, "me@example.com");
	g_assert_cmpstr(t, ==, "text/x-msmsgscontrol");
	assert_body(typing, "\r\n");
}

static void
test_lf_only(void)
{
	g_autoptr(MsnMime) m = parse_str("A: 1\nB:2\n\nbody\n");

	g_assert_cmpuint(msn_mime_get_n_headers(m), ==, 2);
	g_assert_cmpstr(msn_mime_get_header(m, "b"), ==, "2");
	assert_body(m, "body\n");
}

static void
test_trimming_and_odd_lines(void)
{
	g_autoptr(MsnMime) m = parse_str(
		"  Leading: skipped (folded line)\r\n"
		"Name  :   spaced value \t \r\n"
		"no colon here\r\n"
		": empty name\r\n"
		"Empty:\r\n"
		"Colons: a:b:c\r\n"
		"Dup: first\r\n"
		"dup: second\r\n"
		"\r\n");
	g_autofree char *ct = msn_mime_dup_media_type(m);

	g_assert_cmpuint(msn_mime_get_n_headers(m), ==, 5);
	g_assert_cmpstr(msn_mime_get_header(m, "name"), ==, "spaced value");
	g_assert_cmpstr(msn_mime_get_header(m, "Empty"), ==, "");
	g_assert_cmpstr(msn_mime_get_header(m, "Colons"), ==, "a:b:c");
	g_assert_cmpstr(msn_mime_get_header(m, "DUP"), ==, "first");
	g_assert_null(msn_mime_get_header(m, "Leading"));
	g_assert_null(ct);
	assert_body(m, "");
}

static void
test_edge_payloads(void)
{
	GError *error = NULL;
	MsnMime *m;

	/* empty payload */
	m = msn_mime_parse(NULL, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(msn_mime_get_n_headers(m), ==, 0);
	g_assert_false(msn_mime_has_separator(m));
	assert_body(m, "");
	msn_mime_free(m);

	m = msn_mime_parse_bytes(NULL, &error);
	g_assert_no_error(error);
	msn_mime_free(m);

	/* no separator: all headers, empty body */
	m = parse_str("A: 1\r\nB: 2");
	g_assert_cmpuint(msn_mime_get_n_headers(m), ==, 2);
	g_assert_false(msn_mime_has_separator(m));
	assert_body(m, "");
	msn_mime_free(m);

	/* a payload that starts with the blank line: no headers */
	m = parse_str("\r\nbody only");
	g_assert_cmpuint(msn_mime_get_n_headers(m), ==, 0);
	g_assert_true(msn_mime_has_separator(m));
	assert_body(m, "body only");
	msn_mime_free(m);

	/* separator and nothing after it */
	m = parse_str("A: 1\r\n\r\n");
	g_assert_true(msn_mime_has_separator(m));
	assert_body(m, "");
	msn_mime_free(m);

	/* a lone CR is not a blank line */
	m = parse_str("A: 1\r\n\r");
	g_assert_false(msn_mime_has_separator(m));
	msn_mime_free(m);
}

static void
test_invalid_utf8(void)
{
	static const char payload[] =
		"Content-Type: text/plain\r\n"
		"X-Name: caf\xe9\r\n"
		"X-Nul: a\0b\r\n"         /* a NUL in a header line: skipped */
		"\r\n"
		"bin\xff\xfe\0ary";
	GError *error = NULL;
	g_autoptr(MsnMime) m = msn_mime_parse((const guint8 *)payload,
	                                      sizeof(payload) - 1, &error);
	g_autofree char *name = NULL;
	g_autofree char *body = NULL;
	gsize n;
	const guint8 *raw;

	g_assert_no_error(error);
	g_assert_cmpuint(msn_mime_get_n_headers(m), ==, 2);
	g_assert_cmpstr(msn_mime_get_header(m, "X-Name"), ==, "caf\xe9");
	name = msn_mime_dup_header_utf8(m, "X-Name");
	g_assert_cmpstr(name, ==, "caf\xef\xbf\xbd");
	g_assert_null(msn_mime_dup_header_utf8(m, "X-Nul"));

	raw = g_bytes_get_data(msn_mime_get_body(m), &n);
	g_assert_cmpmem(raw, n, "bin\xff\xfe\0ary", 9);
	body = msn_mime_dup_body_utf8(m);
	g_assert_true(g_utf8_validate(body, -1, NULL));
	g_assert_cmpstr(body, ==, "bin\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "ary");
}

static void
test_limits(void)
{
	GString *s = g_string_new(NULL);
	GError *error = NULL;
	MsnMime *m;
	int i;
	g_autofree guint8 *big = g_malloc0(MSN_MIME_MAX_SIZE + 1);

	for (i = 0; i < MSN_MIME_MAX_HEADERS; i++)
		g_string_append_printf(s, "H%d: %d\r\n", i, i);
	m = parse_str(s->str);
	g_assert_cmpuint(msn_mime_get_n_headers(m), ==, MSN_MIME_MAX_HEADERS);
	msn_mime_free(m);

	g_string_append(s, "One: too many\r\n\r\n");
	m = msn_mime_parse((const guint8 *)s->str, s->len, &error);
	g_assert_null(m);
	g_assert_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_TOO_MANY_HEADERS);
	g_clear_error(&error);

	/* skipped lines do not count */
	g_string_truncate(s, 0);
	for (i = 0; i < 1000; i++)
		g_string_append(s, "junk\r\n");
	m = parse_str(s->str);
	g_assert_cmpuint(msn_mime_get_n_headers(m), ==, 0);
	msn_mime_free(m);

	/* an over-long name is skipped */
	g_string_truncate(s, 0);
	for (i = 0; i < MSN_MIME_MAX_NAME + 1; i++)
		g_string_append_c(s, 'N');
	g_string_append(s, ": v\r\nOk: 1\r\n");
	m = parse_str(s->str);
	g_assert_cmpuint(msn_mime_get_n_headers(m), ==, 1);
	msn_mime_free(m);

	/* payload size */
	m = msn_mime_parse(big, MSN_MIME_MAX_SIZE, &error);
	g_assert_no_error(error);
	msn_mime_free(m);
	m = msn_mime_parse(big, MSN_MIME_MAX_SIZE + 1, &error);
	g_assert_null(m);
	g_assert_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_TOO_LARGE);
	g_clear_error(&error);
	g_string_free(s, TRUE);
}

static void
test_content_type_params(void)
{
	g_autoptr(MsnMime) m = parse_str(
		"Content-Type:  Text/X-MSMSGSINVITE ; charset=\"utf-8\";name = x=y\r\n\r\n");
	g_autofree char *type = msn_mime_dup_media_type(m);
	g_autofree char *cs = msn_mime_dup_content_type_param(m, "charset");
	g_autofree char *nm = msn_mime_dup_content_type_param(m, "name");
	g_autofree char *none = msn_mime_dup_content_type_param(m, "boundary");

	g_assert_cmpstr(type, ==, "text/x-msmsgsinvite");
	{
		/* found by fuzz-mime: an empty Content-Type value */
		g_autoptr(MsnMime) e = parse_str("Content-Type:\r\n\r\n");
		g_autofree char *et = msn_mime_dup_media_type(e);

		g_assert_cmpstr(et, ==, "");
		g_assert_null(msn_mime_dup_content_type_param(e, "charset"));
	}
	g_assert_cmpstr(cs, ==, "utf-8");
	g_assert_cmpstr(nm, ==, "x=y");
	g_assert_null(none);
}

static void
test_build(void)
{
	const char *const headers[] = {
		"MIME-Version", "1.0",
		"Content-Type", "text/plain; charset=UTF-8",
		"X-MMS-IM-Format", "FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22",
		NULL
	};
	const char *const typing[] = {
		"MIME-Version", "1.0",
		"Content-Type", "text/x-msmsgscontrol",
		"TypingUser", "me@example.com",
		NULL
	};
	const char *const nudge[] = {
		"MIME-Version", "1.0",
		"Content-Type", "text/x-msnmsgr-datacast",
		NULL
	};
	GError *error = NULL;
	g_autoptr(GBytes) im = msn_mime_build(headers, (const guint8 *)"Hi there!", 9, &error);
	g_autoptr(GBytes) ty = msn_mime_build(typing, (const guint8 *)"\r\n", 2, &error);
	g_autoptr(GBytes) nu = msn_mime_build(nudge, (const guint8 *)"ID: 1\r\n\r\n", 9, &error);
	g_autoptr(GBytes) bare = msn_mime_build(NULL, NULL, 0, &error);
	g_autoptr(MsnMime) back = NULL;

	g_assert_no_error(error);
	/* the byte counts switchboard.md gives */
	g_assert_cmpuint(g_bytes_get_size(im), ==, 133);
	g_assert_cmpuint(g_bytes_get_size(ty), ==, 87);
	g_assert_cmpuint(g_bytes_get_size(nu), ==, 69);
	g_assert_cmpmem(g_bytes_get_data(bare, NULL), g_bytes_get_size(bare), "\r\n", 2);

	back = msn_mime_parse_bytes(im, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(msn_mime_get_n_headers(back), ==, 3);
	g_assert_cmpstr(msn_mime_get_header(back, "X-MMS-IM-Format"), ==, headers[5]);
	assert_body(back, "Hi there!");
}

static void
test_build_rejects(void)
{
	static const char *const bad[][3] = {
		{ "", "v", NULL },
		{ "Bad Name", "v", NULL },
		{ "Bad:Name", "v", NULL },
		{ "Bad\r\nName", "v", NULL },
		{ "Name", "value\r\nInjected: 1", NULL },
		{ "Name", "value\n", NULL },
		{ "N\xc3\xa9", "v", NULL },
		{ "Name", NULL, NULL },
	};
	gsize i;
	GPtrArray *many;
	GError *error = NULL;
	g_autofree guint8 *big = g_malloc0(MSN_MIME_MAX_SIZE);

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		const char *h[3] = { bad[i][0], bad[i][1], NULL };
		GBytes *b;

		/* ({"Name", NULL, NULL}: a name without its value) */
		b = msn_mime_build(h, NULL, 0, &error);
		g_assert_null(b);
		g_assert_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_INVALID_ARGUMENT);
		g_clear_error(&error);
	}

	many = g_ptr_array_new();
	for (i = 0; i <= MSN_MIME_MAX_HEADERS; i++) {
		g_ptr_array_add(many, (gpointer)"H");
		g_ptr_array_add(many, (gpointer)"v");
	}
	g_ptr_array_add(many, NULL);
	g_assert_null(msn_mime_build((const char *const *)many->pdata, NULL, 0, &error));
	g_assert_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_TOO_MANY_HEADERS);
	g_clear_error(&error);
	g_ptr_array_unref(many);

	/* headers plus body over the size limit */
	{
		const char *h[] = { "A", "b", NULL };

		g_assert_null(msn_mime_build(h, big, MSN_MIME_MAX_SIZE, &error));
		g_assert_error(error, MSN_MIME_ERROR, MSN_MIME_ERROR_TOO_LARGE);
		g_clear_error(&error);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mime/instant-message", test_instant_message);
	g_test_add_func("/mime/nudge-and-typing", test_nudge_and_typing);
	g_test_add_func("/mime/lf-only", test_lf_only);
	g_test_add_func("/mime/trimming-and-odd-lines", test_trimming_and_odd_lines);
	g_test_add_func("/mime/edge-payloads", test_edge_payloads);
	g_test_add_func("/mime/invalid-utf8", test_invalid_utf8);
	g_test_add_func("/mime/limits", test_limits);
	g_test_add_func("/mime/content-type-params", test_content_type_params);
	g_test_add_func("/mime/build", test_build);
	g_test_add_func("/mime/build-rejects", test_build_rejects);
	return g_test_run();
}
