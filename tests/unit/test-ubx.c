/* Unit tests for src/proto/ubx.c */
#include <string.h>

#include "proto/ubx.h"

static MsnUbx *
parse_ok(const char *xml)
{
	GError *error = NULL;
	MsnUbx *u = msn_ubx_parse((const guint8 *)xml, strlen(xml), &error);

	g_assert_no_error(error);
	g_assert_nonnull(u);
	g_assert_nonnull(u->psm);
	g_assert_nonnull(u->current_media);
	g_assert_true(g_utf8_validate(u->psm, -1, NULL));
	g_assert_true(g_utf8_validate(u->current_media, -1, NULL));
	g_assert_false(u->recovered);
	return u;
}

static void
parse_fails(const char *xml, gssize len, gint code)
{
	GError *error = NULL;
	gsize n = len < 0 ? strlen(xml) : (gsize)len;

	g_assert_null(msn_ubx_parse((const guint8 *)xml, n, &error));
	g_assert_error(error, MSN_UBX_ERROR, code);
	g_clear_error(&error);
}

#define MEDIA "\\0Music\\01\\0{0} - {1}\\0Blue Monday\\0New Order\\0Power, Corruption & Lies\\0\\0"

static void
test_reference_examples(void)
{
	MsnUbx *u;

	/* presence.md §6.1/6.2 */
	u = parse_ok("<Data><PSM>hello</PSM><CurrentMedia></CurrentMedia></Data>");
	g_assert_cmpstr(u->psm, ==, "hello");
	g_assert_cmpstr(u->current_media, ==, "");
	g_assert_null(u->machine_guid);
	g_assert_false(u->truncated);
	msn_ubx_free(u);

	u = parse_ok("<Data><PSM>at lunch</PSM><CurrentMedia></CurrentMedia><MachineGuid>"
	             "{F00DBABE-1234-4CDE-8F00-0123456789AB}</MachineGuid></Data>");
	g_assert_cmpstr(u->psm, ==, "at lunch");
	g_assert_cmpstr(u->machine_guid, ==, "{F00DBABE-1234-4CDE-8F00-0123456789AB}");
	msn_ubx_free(u);

	/* §6.3, as it travels (escaped) */
	u = parse_ok("<Data><PSM></PSM><CurrentMedia>\\0Music\\01\\0{0} - {1}\\0Blue Monday"
	             "\\0New Order\\0Power, Corruption &amp; Lies\\0\\0</CurrentMedia></Data>");
	g_assert_cmpstr(u->psm, ==, "");
	g_assert_cmpstr(u->current_media, ==, MEDIA);
	msn_ubx_free(u);

	/* length 0 = cleared */
	u = msn_ubx_parse(NULL, 0, NULL);
	g_assert_nonnull(u);
	g_assert_cmpstr(u->psm, ==, "");
	g_assert_cmpstr(u->current_media, ==, "");
	g_assert_null(u->machine_guid);
	msn_ubx_free(u);
}

static void
test_entities_and_markup(void)
{
	MsnUbx *u;

	/* the five entities and numeric references (Escargot 13+: &#x26;) */
	u = parse_ok("<Data><PSM>&amp;&lt;&gt;&quot;&apos; &#x26; &#38; &#233;&#x1F600;</PSM></Data>");
	g_assert_cmpstr(u->psm, ==, "&<>\"' & & \xC3\xA9\xF0\x9F\x98\x80");
	msn_ubx_free(u);

	/* extra elements, attributes, whitespace, declaration, CDATA, nesting */
	u = parse_ok("<?xml version=\"1.0\"?>\n<Data>\n <DDP>x</DDP><PSM a=\"1\">one "
	             "<b>two</b> <![CDATA[<three>]]></PSM>\n<SignatureSound>s</SignatureSound>"
	             "<CurrentMedia/></Data>\n");
	g_assert_cmpstr(u->psm, ==, "one two <three>");
	g_assert_cmpstr(u->current_media, ==, "");
	msn_ubx_free(u);

	/* the first of a repeated element wins; a nested PSM does not count */
	u = parse_ok("<Data><X><PSM>deep</PSM></X><PSM>first</PSM><PSM>second</PSM></Data>");
	g_assert_cmpstr(u->psm, ==, "first");
	msn_ubx_free(u);

	/* self-closing root */
	u = parse_ok("<Data/>");
	g_assert_cmpstr(u->psm, ==, "");
	msn_ubx_free(u);
}

static void
test_bad_xml(void)
{
	parse_fails("<Data><PSM>a</PSM>", -1, MSN_UBX_ERROR_MALFORMED);
	parse_fails("<Data><PSM>a < b</PSM></Data>", -1, MSN_UBX_ERROR_MALFORMED);
	parse_fails("<Data><PSM>&nbsp;</PSM></Data>", -1, MSN_UBX_ERROR_MALFORMED);
	parse_fails("<Data><PSM>&#0;</PSM></Data>", -1, MSN_UBX_ERROR_MALFORMED);
	parse_fails("<Data><PSM></CurrentMedia></Data>", -1, MSN_UBX_ERROR_MALFORMED);
	parse_fails("just text", -1, MSN_UBX_ERROR_MALFORMED);
	parse_fails("   ", -1, MSN_UBX_ERROR_MALFORMED);
	parse_fails("<", -1, MSN_UBX_ERROR_MALFORMED);
	/* seed MSNP11: no <Data> root */
	parse_fails("<PSM></PSM><CurrentMedia></CurrentMedia>", -1, MSN_UBX_ERROR_BAD_ROOT);
	parse_fails("<Root><PSM>x</PSM></Root>", -1, MSN_UBX_ERROR_BAD_ROOT);
	parse_fails("<Data/><Data/>", -1, MSN_UBX_ERROR_BAD_ROOT);
}

static void
test_bytes(void)
{
	static const char with_nul[] = "<Data><PSM>a\0b</PSM></Data>";
	MsnUbx *u;
	GError *error = NULL;

	/* NUL bytes become U+FFFD */
	u = msn_ubx_parse((const guint8 *)with_nul, sizeof(with_nul) - 1, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(u->psm, ==, "a\xEF\xBF\xBD" "b");
	msn_ubx_free(u);

	/* invalid UTF-8 is made valid instead of failing */
	u = parse_ok("<Data><PSM>caf\xE9 \xC3\x28 \xF0\x9F\x98</PSM></Data>");
	g_assert_cmpstr(u->psm, ==, "caf\xEF\xBF\xBD \xEF\xBF\xBD( \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	msn_ubx_free(u);

	/* a NUL inside a tag name breaks the XML, not the program */
	{
		static const char bad[] = "<Da\0ta></Data>";

		g_assert_null(msn_ubx_parse((const guint8 *)bad, sizeof(bad) - 1, &error));
		g_assert_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_MALFORMED);
		g_clear_error(&error);
	}
}

static void
test_limits(void)
{
	GString *s;
	MsnUbx *u;
	GError *error = NULL;
	guint i;

	/* over 8 KiB: refused */
	s = g_string_new("<Data><PSM>");
	while (s->len < MSN_UBX_MAX_PAYLOAD)
		g_string_append_c(s, 'x');
	g_string_append(s, "</PSM></Data>");
	g_assert_null(msn_ubx_parse((const guint8 *)s->str, s->len, &error));
	g_assert_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_TOO_LARGE);
	g_clear_error(&error);
	g_assert_null(msn_ubx_parse_lenient((const guint8 *)s->str, s->len, &error));
	g_assert_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_TOO_LARGE);
	g_clear_error(&error);
	g_string_free(s, TRUE);

	/* a text over 1 KiB: cut at a character boundary */
	s = g_string_new("<Data><PSM>x");
	for (i = 0; i < 600; i++)
		g_string_append(s, "\xC3\xA9");   /* é, 2 bytes: 1 + 1200 bytes */
	g_string_append(s, "</PSM><CurrentMedia>m</CurrentMedia></Data>");
	u = parse_ok(s->str);
	g_assert_true(u->truncated);
	g_assert_cmpuint(strlen(u->psm), ==, MSN_UBX_MAX_TEXT - 1);
	g_assert_cmpstr(u->current_media, ==, "m");
	msn_ubx_free(u);
	g_string_free(s, TRUE);

	/* exactly at the limit: not truncated; entities count after decoding */
	s = g_string_new("<Data><PSM>");
	for (i = 0; i < MSN_UBX_MAX_TEXT; i++)
		g_string_append(s, "&amp;");
	g_string_append(s, "</PSM></Data>");
	u = parse_ok(s->str);
	g_assert_false(u->truncated);
	g_assert_cmpuint(strlen(u->psm), ==, MSN_UBX_MAX_TEXT);
	msn_ubx_free(u);
	g_string_free(s, TRUE);

	/* deep nesting within the size limit */
	s = g_string_new("<Data>");
	for (i = 0; i < 900; i++)
		g_string_append(s, "<a>");
	for (i = 0; i < 900; i++)
		g_string_append(s, "</a>");
	g_string_append(s, "<PSM>ok</PSM></Data>");
	u = parse_ok(s->str);
	g_assert_cmpstr(u->psm, ==, "ok");
	msn_ubx_free(u);
	g_string_free(s, TRUE);
}

static MsnUbx *
lenient(const char *xml)
{
	GError *error = NULL;
	MsnUbx *u = msn_ubx_parse_lenient((const guint8 *)xml, strlen(xml), &error);

	g_assert_no_error(error);
	g_assert_nonnull(u);
	return u;
}

static void
test_lenient(void)
{
	MsnUbx *u;
	GError *error = NULL;

	/* well-formed: same as strict */
	u = lenient("<Data><PSM>a &amp; b</PSM></Data>");
	g_assert_cmpstr(u->psm, ==, "a & b");
	g_assert_false(u->recovered);
	msn_ubx_free(u);

	/* Escargot 13+: raw '<' and &#x26; */
	u = lenient("<Data><PSM>1 < 2 &#x26; 3 > 2 &nbsp;&bogus;</PSM><CurrentMedia>"
	            "\\0Games\\01\\0Playing {0}\\0Pong\\0</CurrentMedia>"
	            "<MachineGuid>{G}</MachineGuid></Data>");
	g_assert_true(u->recovered);
	g_assert_cmpstr(u->psm, ==, "1 < 2 & 3 > 2 &nbsp;&bogus;");
	g_assert_cmpstr(u->current_media, ==, "\\0Games\\01\\0Playing {0}\\0Pong\\0");
	g_assert_cmpstr(u->machine_guid, ==, "{G}");
	msn_ubx_free(u);

	/* line ends as XML has them: CR LF and CR read as LF, &#13; is a CR */
	u = lenient("<Data><PSM>a\r\nb\rc\nd&#13;<</PSM></Data>");
	g_assert_true(u->recovered);
	g_assert_cmpstr(u->psm, ==, "a\nb\nc\nd\r<");
	msn_ubx_free(u);
	u = lenient("<Data><PSM>a\r\nb\rc\nd&#13;</PSM></Data>");
	g_assert_false(u->recovered);
	g_assert_cmpstr(u->psm, ==, "a\nb\nc\nd\r");
	msn_ubx_free(u);

	/* seed MSNP11: no root */
	u = lenient("<PSM>hi</PSM><CurrentMedia/>");
	g_assert_true(u->recovered);
	g_assert_cmpstr(u->psm, ==, "hi");
	g_assert_cmpstr(u->current_media, ==, "");
	g_assert_null(u->machine_guid);
	msn_ubx_free(u);

	/* <PSMX> is not <PSM>; attributes are allowed */
	u = lenient("<Data><PSMX>no</PSMX><PSM lang='en'>yes</PSM><</Data>");
	g_assert_cmpstr(u->psm, ==, "yes");
	msn_ubx_free(u);

	/* nothing to recover: the strict error */
	g_assert_null(msn_ubx_parse_lenient((const guint8 *)"<Data><PSM>x", 12, &error));
	g_assert_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_MALFORMED);
	g_clear_error(&error);
	g_assert_null(msn_ubx_parse_lenient((const guint8 *)"garbage", 7, &error));
	g_assert_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_MALFORMED);
	g_clear_error(&error);
}

static void
test_command(void)
{
	static const char xml[] = "<Data><PSM>hey</PSM></Data>";
	const struct {
		const char *line;
		guint version;
		const char *handle;
		guint network;
	} cases[] = {
		{ "UBX bob@example.com 27", 11, "bob@example.com", 1 },
		{ "UBX bob@example.com 1 27", 14, "bob@example.com", 1 },
		{ "UBX yuki@yahoo.com 32 27", 14, "yuki@yahoo.com", 32 },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError *error = NULL;
		gsize plen = 0;
		MsnCommand *c = msn_command_parse_line(cases[i].line, strlen(cases[i].line),
		                                       MSN_SERVICE_NS, MSN_FROM_SERVER,
		                                       cases[i].version, &plen, &error);
		MsnUbx *u;

		g_assert_no_error(error);
		g_assert_cmpuint(plen, ==, sizeof(xml) - 1);
		c->payload = g_bytes_new_static(xml, sizeof(xml) - 1);
		u = msn_ubx_parse_command(c, cases[i].version, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(u->handle, ==, cases[i].handle);
		g_assert_cmpuint(u->network, ==, cases[i].network);
		g_assert_cmpstr(u->psm, ==, "hey");
		msn_ubx_free(u);
		msn_command_free(c);
	}

	{
		GError *error = NULL;
		gsize plen = 0;
		MsnCommand *c = msn_command_parse_line("UUX 10 0", 8, MSN_SERVICE_NS,
		                                       MSN_FROM_SERVER, 11, &plen, &error);

		g_assert_no_error(error);
		g_assert_null(msn_ubx_parse_command(c, 11, &error));
		g_assert_error(error, MSN_UBX_ERROR, MSN_UBX_ERROR_NOT_UBX);
		g_clear_error(&error);
		msn_command_free(c);
	}
}

static void
test_media_parse(void)
{
	g_autoptr(MsnMedia) m = msn_media_parse(MEDIA);
	g_autoptr(MsnMedia) games = msn_media_parse("\\0Games\\01\\0Playing {0}\\0Pong\\0");
	g_autoptr(MsnMedia) office = msn_media_parse("\\0office\\01\\0Editing {0}\\0Report.doc\\0");
	g_autoptr(MsnMedia) off = msn_media_parse("\\0Music\\00\\0{0} - {1}\\0T\\0A\\0\\0\\0");
	g_autoptr(MsnMedia) pidgin = msn_media_parse("WMP\\0Music\\01\\0{0} - {1}\\0T\\0A\\0");
	g_autoptr(MsnMedia) odd = msn_media_parse("\\0Radio\\0yes\\0{0}\\0x");

	g_assert_nonnull(m);
	g_assert_cmpstr(m->application, ==, "");
	g_assert_cmpstr(m->category, ==, "Music");
	g_assert_cmpint(m->type, ==, MSN_MEDIA_MUSIC);
	g_assert_true(m->enabled);
	g_assert_cmpstr(m->format, ==, "{0} - {1}");
	g_assert_cmpuint(m->n_values, ==, 4);
	g_assert_cmpstr(msn_media_get_value(m, 0), ==, "Blue Monday");
	g_assert_cmpstr(msn_media_get_value(m, 1), ==, "New Order");
	g_assert_cmpstr(msn_media_get_value(m, 2), ==, "Power, Corruption & Lies");
	g_assert_cmpstr(msn_media_get_value(m, 3), ==, "");   /* WMContentID */
	g_assert_null(msn_media_get_value(m, 4));
	g_assert_null(m->values[4]);

	g_assert_cmpint(games->type, ==, MSN_MEDIA_GAMES);
	g_assert_cmpuint(games->n_values, ==, 1);
	g_assert_cmpint(office->type, ==, MSN_MEDIA_OFFICE);
	g_assert_false(off->enabled);
	g_assert_cmpstr(pidgin->application, ==, "WMP");
	g_assert_cmpint(odd->type, ==, MSN_MEDIA_OTHER);
	g_assert_false(odd->enabled);
	g_assert_cmpstr(msn_media_get_value(odd, 0), ==, "x");

	g_assert_null(msn_media_parse(NULL));
	g_assert_null(msn_media_parse(""));
	g_assert_null(msn_media_parse("plain text"));
	g_assert_null(msn_media_parse("\\0Music\\01"));
	g_assert_null(msn_media_get_value(NULL, 0));
	{
		g_autoptr(MsnMedia) minimal = msn_media_parse("\\0Music\\01\\0{0}");

		g_assert_nonnull(minimal);
		g_assert_cmpuint(minimal->n_values, ==, 0);
	}
	/* at most MSN_MEDIA_MAX_FIELDS fields are read */
	{
		GString *s = g_string_new("\\0Music\\01\\0{0}");
		MsnMedia *big;
		guint i;

		for (i = 0; i < 1000; i++)
			g_string_append(s, "\\0v");
		big = msn_media_parse(s->str);
		g_assert_cmpuint(big->n_values, ==, MSN_MEDIA_MAX_FIELDS - 4);
		msn_media_free(big);
		g_string_free(s, TRUE);
	}
}

static char *
render(const char *media)
{
	MsnMedia *m = msn_media_parse(media);
	char *r;

	g_assert_nonnull(m);
	r = msn_media_render(m);
	msn_media_free(m);
	return r;
}

static void
check_render(const char *media, const char *expected)
{
	char *r = render(media);

	g_assert_cmpstr(r, ==, expected);
	g_free(r);
}

static void
test_media_render(void)
{
	check_render(MEDIA, "Blue Monday - New Order");
	check_render("\\0Games\\01\\0Playing {0}\\0Pong\\0", "Playing Pong");
	check_render("\\0Office\\01\\0Editing {0}\\0Report.doc\\0", "Editing Report.doc");
	check_render("\\0Music\\01\\0{1} - {0} ({2})\\0T\\0A\\0B\\0\\0", "A - T (B)");
	/* disabled, or nothing to show */
	check_render("\\0Music\\00\\0{0} - {1}\\0T\\0A\\0\\0", NULL);
	check_render("\\0Music\\01\\0{0} - {1}\\0\\0\\0\\0", NULL);
	check_render("\\0Games\\01\\0Playing {0}\\0", NULL);
	check_render("\\0Music\\01\\0   \\0", NULL);
	/* missing values are empty; odd braces are literal */
	check_render("\\0Music\\01\\0{0} - {5}\\0T\\0", "T -");
	check_render("\\0Music\\01\\0{{0}} {0} {x} {} {123} { {0\\0T\\0", "{0} T {x} {} {123} { {0");
	check_render("\\0Music\\01\\0{99}{0}\\0T\\0", "T");
	/* placeholder text inside a value is not expanded again */
	check_render("\\0Music\\01\\0{0}\\0{0}{1}\\0x\\0", "{0}{1}");
	/* printf directives are plain text */
	check_render("\\0Music\\01\\0%s%n%x {0}\\0T\\0", "%s%n%x T");
	/* empty format: the values joined */
	check_render("\\0Music\\01\\0\\0T\\0\\0A\\0", "T - A");
	/* the output is bounded */
	{
		GString *s = g_string_new("\\0Music\\01\\0");
		char *r;
		guint i;

		for (i = 0; i < 200; i++)
			g_string_append(s, "{0}");
		g_string_append(s, "\\0");
		for (i = 0; i < 200; i++)
			g_string_append(s, "\xE2\x82\xAC");   /* €, 3 bytes */
		g_string_append(s, "\\0");
		r = render(s->str);
		g_assert_cmpuint(strlen(r), <=, MSN_MEDIA_MAX_RENDER);
		g_assert_cmpuint(strlen(r), >, MSN_MEDIA_MAX_RENDER - 4);
		g_assert_true(g_utf8_validate(r, -1, NULL));
		g_free(r);
		g_string_free(s, TRUE);
	}
	g_assert_null(msn_media_render(NULL));
}

static void
test_media_build(void)
{
	char *s;
	GString *xml;
	const char *p;

	/* the official client's encoding */
	s = msn_media_build_music("New Order", "Blue Monday", "Power, Corruption & Lies");
	g_assert_cmpstr(s, ==, MEDIA);
	/* presence.md §6.3: 132 bytes as a UUX payload with an empty PSM */
	xml = g_string_new("<Data><PSM></PSM><CurrentMedia>");
	for (p = s; *p; p++) {
		if (*p == '&')
			g_string_append(xml, "&amp;");
		else
			g_string_append_c(xml, *p);
	}
	g_string_append(xml, "</CurrentMedia></Data>");
	g_assert_cmpuint(xml->len, ==, 132);
	{
		g_autoptr(MsnUbx) u = parse_ok(xml->str);

		g_assert_cmpstr(u->current_media, ==, s);
	}
	g_string_free(xml, TRUE);
	g_free(s);

	s = msn_media_build_music(NULL, "Title", NULL);
	g_assert_cmpstr(s, ==, "\\0Music\\01\\0{0}\\0Title\\0\\0\\0\\0");
	g_free(s);
	s = msn_media_build_music("Artist", "", "");
	g_assert_cmpstr(s, ==, "\\0Music\\01\\0{1}\\0\\0Artist\\0\\0\\0");
	g_free(s);
	g_assert_null(msn_media_build_music(NULL, NULL, "Album"));
	g_assert_null(msn_media_build_music("", "", NULL));

	/* cleaning: "\0" sequences, control characters, invalid UTF-8, length */
	s = msn_media_build_music("A\\0B\\\\0C\\x", "T\tab\x01\xff", NULL);
	g_assert_cmpstr(s, ==, "\\0Music\\01\\0{0} - {1}\\0T ab \xEF\xBF\xBD\\0A0B0C\\x\\0\\0\\0");
	g_free(s);
	{
		GString *big = g_string_new(NULL);
		g_autoptr(MsnMedia) m = NULL;
		guint i;

		for (i = 0; i < 300; i++)
			g_string_append(big, "\xE2\x82\xAC");
		s = msn_media_build_music(big->str, "t", NULL);
		m = msn_media_parse(s);
		g_assert_cmpuint(strlen(msn_media_get_value(m, 1)), ==, 255);
		g_assert_true(g_utf8_validate(msn_media_get_value(m, 1), -1, NULL));
		g_free(s);
		g_string_free(big, TRUE);
	}

	/* general form and a round trip */
	{
		const char *values[] = { "Pong", NULL };
		g_autoptr(MsnMedia) m = NULL;
		char *again;

		s = msn_media_build("Games", TRUE, "Playing {0}", values);
		g_assert_cmpstr(s, ==, "\\0Games\\01\\0Playing {0}\\0Pong\\0");
		m = msn_media_parse(s);
		again = msn_media_build(m->category, m->enabled, m->format,
		                        (const char *const *)m->values);
		g_assert_cmpstr(again, ==, s);
		g_free(again);
		g_free(s);
		s = msn_media_build("Office", FALSE, NULL, NULL);
		g_assert_cmpstr(s, ==, "\\0Office\\00\\0\\0");
		g_free(s);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ubx/reference-examples", test_reference_examples);
	g_test_add_func("/ubx/entities-and-markup", test_entities_and_markup);
	g_test_add_func("/ubx/bad-xml", test_bad_xml);
	g_test_add_func("/ubx/bytes", test_bytes);
	g_test_add_func("/ubx/limits", test_limits);
	g_test_add_func("/ubx/lenient", test_lenient);
	g_test_add_func("/ubx/command", test_command);
	g_test_add_func("/media/parse", test_media_parse);
	g_test_add_func("/media/render", test_media_render);
	g_test_add_func("/media/build", test_media_build);
	return g_test_run();
}
