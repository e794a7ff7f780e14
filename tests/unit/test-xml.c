/* Unit tests: the streaming XML reader (src/proto/xml.c). */
#include <string.h>

#include "proto/xml.h"

typedef struct {
	GString *out;
	GString *text;
	int stop_at;   /* stop at the start of the element with this many starts; 0: never */
	int starts;
} Log;

static void
flush(Log *log)
{
	if (log->text->len) {
		g_string_append_printf(log->out, "[%s]", log->text->str);
		g_string_truncate(log->text, 0);
	}
}

static void
on_start(MsnXmlReader *r, const char *name, const char *const *names,
         const char *const *values, gpointer data)
{
	Log *log = data;
	guint i;

	flush(log);
	g_string_append_printf(log->out, "<%s", name);
	for (i = 0; names[i]; i++)
		g_string_append_printf(log->out, " %s=%s", names[i], values[i]);
	g_string_append_c(log->out, '>');
	if (++log->starts == log->stop_at)
		msn_xml_reader_stop(r);
}

static void
on_end(MsnXmlReader *r, const char *name, gpointer data)
{
	Log *log = data;

	flush(log);
	g_string_append_printf(log->out, "</%s>", name);
}

static void
on_text(MsnXmlReader *r, const char *text, gsize len, gpointer data)
{
	g_string_append_len(((Log *)data)->text, text, (gssize)len);
}

static const MsnXmlHandlers handlers = { on_start, on_end, on_text };

/* Reads doc in pieces of `piece` bytes (0: whole); the calls, then "OK" or
 * "ERROR code". */
static char *
read_doc(const char *doc, gsize len, gsize piece, int stop_at)
{
	Log log = { g_string_new(NULL), g_string_new(NULL), stop_at, 0 };
	MsnXmlReader *r = msn_xml_reader_new(&handlers, &log);
	GError *error = NULL;
	gsize off = 0;

	while (off < len) {
		gsize n = piece ? MIN(piece, len - off) : len - off;
		char *copy = g_memdup2(doc + off, n);   /* reading past it would show in ASan */

		msn_xml_reader_feed(r, copy, n);
		g_free(copy);
		off += n;
	}
	if (msn_xml_reader_end(r, &error))
		g_string_append(log.out, " OK");
	else {
		flush(&log);
		g_string_append_printf(log.out, " ERROR %d", error->code);
		g_error_free(error);
	}
	msn_xml_reader_free(r);
	g_string_free(log.text, TRUE);
	return g_string_free(log.out, FALSE);
}

/* doc read whole and in every piece size up to 17 gives want. */
static void
check_doc(const char *doc, const char *want)
{
	gsize piece;

	for (piece = 0; piece <= 17; piece++) {
		char *got = read_doc(doc, strlen(doc), piece, 0);

		if (strcmp(got, want) != 0)
			g_test_message("piece %" G_GSIZE_FORMAT ": %s", piece, doc);
		g_assert_cmpstr(got, ==, want);
		g_free(got);
	}
}

static void
test_basic(void)
{
	check_doc("<a/>", "<a></a> OK");
	check_doc("<a>text</a>", "<a>[text]</a> OK");
	check_doc("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a><b>1</b><c/><b>2</b></a>\n",
	          "<a><b>[1]</b><c></c><b>[2]</b></a> OK");
	/* Prefixes stripped from element and attribute names; xmlns not handed on. */
	check_doc("<soap:Envelope xmlns:soap=\"u\" xmlns=\"v\"><soap:Body x:y=\"1\" z='2'/>"
	          "</soap:Envelope>",
	          "<Envelope><Body y=1 z=2></Body></Envelope> OK");
	/* Whitespace around the root, comments and PIs skipped. */
	check_doc("<!-- c --><?pi x?><a><!-- in --><?p?>x</a> <!-- after -->\n",
	          "<a>[x]</a> OK");
	/* A byte-order mark. */
	check_doc("\xef\xbb\xbf<a/>", "<a></a> OK");
	/* Deep enough nesting and repeated siblings (the name guesses). */
	check_doc("<r><c><i>1</i><n>a</n></c><c><i>2</i><n>b</n></c><c><n>c</n><i>3</i></c></r>",
	          "<r><c><i>[1]</i><n>[a]</n></c><c><i>[2]</i><n>[b]</n></c>"
	          "<c><n>[c]</n><i>[3]</i></c></r> OK");
	/* Spaces inside tags. */
	check_doc("<a  b = \"1\"\n\tc='2' ></a >", "<a b=1 c=2></a> OK");
}

static void
test_text(void)
{
	check_doc("<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;</a>",
	          "<a>[<>&'\"AB\xf0\x9f\x98\x80]</a> OK");
	check_doc("<a><![CDATA[<b>&amp;]]]]></a>", "<a>[<b>&amp;]]]</a> OK");
	/* Line ends: CR LF and CR are LF (in CDATA too); a reference keeps CR. */
	check_doc("<a>1\r\n2\r3\n4&#13;<![CDATA[5\r\n6]]></a>", "<a>[1\n2\n3\n4\r5\n6]</a> OK");
	/* Attribute values: references decoded, white space made spaces. */
	check_doc("<a v=\"x&amp;y&#x3c;\t1\r\n2\"/>", "<a v=x&y< 1 2></a> OK");
	/* '>' alone is fine in text. */
	check_doc("<a>a > b ]> ] ></a>", "<a>[a > b ]> ] >]</a> OK");
}

static void
test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"   ",
		"text",
		"<a>",
		"<a></b>",
		"<a><b></a></b>",
		"<a/><b/>",
		"<a/>text",
		"<a>]]></a>",
		"<a><!-- x -- y --></a>",
		"<a><!-- x ---></a>",
		"<a b=\"1\" b=\"2\"/>",
		"<a b=1/>",
		"<a b=\"<\"/>",
		"<a b=\"1\"c=\"2\"/>",
		"<a>\x01</a>",
		"<a>&#0;</a>",
		"<a>&#xD800;</a>",
		"<a>&#x110000;</a>",
		"<a>&undefined;</a>",
		"<a>a & b</a>",
		"&amp;<a/>",
		"<a/><![CDATA[x]]>",
		"<a><?xml version=\"1.0\"?></a>",
		" <?xml version=\"1.0\"?><a/>",
		"<a><!x></a>",
		"<a><![CDATA[x]]></a",
		"<>",
		"</a>",
		"<a></ a>",
		"\xef\xbb<a/>",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *got = read_doc(bad[i], strlen(bad[i]), 0, 0);
		gsize piece;

		g_test_message("%s -> %s", bad[i], got);
		g_assert_true(g_str_has_suffix(got, " ERROR 0"));
		for (piece = 1; piece <= 5; piece++) {
			char *split = read_doc(bad[i], strlen(bad[i]), piece, 0);

			g_assert_cmpstr(split, ==, got);
			g_free(split);
		}
		g_free(got);
	}
	/* The text before the error is handed on, however split. */
	check_doc("<a>abc\x01</a>", "<a>[abc] ERROR 0");
}

static void
test_dtd(void)
{
	check_doc("<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>",
	          " ERROR 1");
	check_doc("<a><!DOCTYPE a></a>", "<a> ERROR 1");
}

static void
test_bounds(void)
{
	GString *doc = g_string_new(NULL);
	char *got;
	guint i;

	/* MSN_XML_MAX_DEPTH open elements are fine, one more is not. */
	for (i = 0; i < MSN_XML_MAX_DEPTH; i++)
		g_string_append(doc, "<d>");
	for (i = 0; i < MSN_XML_MAX_DEPTH; i++)
		g_string_append(doc, "</d>");
	got = read_doc(doc->str, doc->len, 0, 0);
	g_assert_true(g_str_has_suffix(got, " OK"));
	g_free(got);
	g_string_prepend(doc, "<d>");
	g_string_append(doc, "</d>");
	got = read_doc(doc->str, doc->len, 0, 0);
	g_assert_true(g_str_has_suffix(got, " ERROR 2"));
	g_free(got);

	/* A tag over MSN_XML_MAX_TOKEN bytes, whole or cut. */
	g_string_assign(doc, "<a b=\"");
	for (i = 0; i < MSN_XML_MAX_TOKEN; i++)
		g_string_append_c(doc, 'x');
	g_string_append(doc, "\"/>");
	got = read_doc(doc->str, doc->len, 0, 0);
	g_assert_cmpstr(got, ==, " ERROR 2");
	g_free(got);
	got = read_doc(doc->str, doc->len, 1000, 0);
	g_assert_cmpstr(got, ==, " ERROR 2");
	g_free(got);

	/* Text has no bound here: it comes in pieces. */
	g_string_assign(doc, "<a>");
	for (i = 0; i < 4 * MSN_XML_MAX_TOKEN; i++)
		g_string_append_c(doc, 'y');
	g_string_append(doc, "</a>");
	got = read_doc(doc->str, doc->len, 7000, 0);
	g_assert_true(g_str_has_suffix(got, "</a> OK"));
	g_free(got);

	/* More than MSN_XML_MAX_NAMES distinct names. */
	g_string_assign(doc, "<r>");
	for (i = 0; i <= MSN_XML_MAX_NAMES; i++)
		g_string_append_printf(doc, "<n%u/>", i);
	g_string_append(doc, "</r>");
	got = read_doc(doc->str, doc->len, 0, 0);
	g_assert_true(g_str_has_suffix(got, " ERROR 2"));
	g_free(got);

	/* A name over MSN_XML_MAX_NAME bytes. */
	g_string_assign(doc, "<");
	for (i = 0; i <= MSN_XML_MAX_NAME; i++)
		g_string_append_c(doc, 'n');
	g_string_append(doc, "/>");
	got = read_doc(doc->str, doc->len, 0, 0);
	g_assert_cmpstr(got, ==, " ERROR 2");
	g_free(got);

	/* Too many attributes. */
	g_string_assign(doc, "<a");
	for (i = 0; i <= MSN_XML_MAX_ATTRS; i++)
		g_string_append_printf(doc, " a%u=\"\"", i);
	g_string_append(doc, "/>");
	got = read_doc(doc->str, doc->len, 0, 0);
	g_assert_cmpstr(got, ==, " ERROR 2");
	g_free(got);
	g_string_free(doc, TRUE);
}

static void
test_stop_and_intern(void)
{
	static const char doc[] = "<a><b>1</b><c>2</c><d/></a>";
	MsnXmlReader *r;
	char *got;

	/* Stopped at the third start: nothing more is called, the end says so. */
	got = read_doc(doc, strlen(doc), 0, 3);
	g_assert_cmpstr(got, ==, "<a><b>[1]</b><c> ERROR 3");
	g_free(got);
	got = read_doc(doc, strlen(doc), 2, 3);
	g_assert_cmpstr(got, ==, "<a><b>[1]</b><c> ERROR 3");
	g_free(got);

	r = msn_xml_reader_new(NULL, NULL);
	g_assert_true(msn_xml_reader_intern(r, "Contact") == msn_xml_reader_intern(r, "Contact"));
	g_assert_cmpstr(msn_xml_reader_intern(r, "Contact"), ==, "Contact");
	g_assert_true(msn_xml_reader_feed(r, "<Contact/>", 10));
	g_assert_true(msn_xml_reader_end(r, NULL));
	g_assert_null(msn_xml_reader_error(r));
	msn_xml_reader_free(r);

	/* Fed after an error: refused. */
	r = msn_xml_reader_new(NULL, NULL);
	g_assert_false(msn_xml_reader_feed(r, "<a></b>", 7));
	g_assert_false(msn_xml_reader_feed(r, "<a/>", 4));
	g_assert_nonnull(msn_xml_reader_error(r));
	msn_xml_reader_free(r);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/xml/basic", test_basic);
	g_test_add_func("/xml/text", test_text);
	g_test_add_func("/xml/malformed", test_malformed);
	g_test_add_func("/xml/dtd", test_dtd);
	g_test_add_func("/xml/bounds", test_bounds);
	g_test_add_func("/xml/stop-and-intern", test_stop_and_intern);
	return g_test_run();
}
