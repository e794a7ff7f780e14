/* Unit tests for src/proto/format.c */
#include <string.h>

#include "proto/format.h"
#include "proto/mime.h"

static void
test_parse_reference(void)
{
	MsnTextFormat f;

	/* switchboard.md §5.1 */
	g_assert_true(msn_text_format_parse("FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22", &f));
	g_assert_cmpstr(f.font, ==, "Segoe UI");
	g_assert_cmpuint(f.effects, ==, MSN_EFFECT_BOLD);
	g_assert_true(f.has_color);
	g_assert_cmphex(f.color, ==, 0x0000ff);   /* BBGGRR ff0000 = blue */
	g_assert_true(f.has_charset);
	g_assert_cmpuint(f.charset, ==, 0);
	g_assert_true(f.has_pitch_family);
	g_assert_cmphex(f.pitch_family, ==, 0x22);
	g_assert_false(f.rtl);
	msn_text_format_clear(&f);

	/* Pidgin 2.4's default, with a missing space before PF */
	g_assert_true(msn_text_format_parse("FN=MS%20Sans%20Serif; EF=; CO=0; CS=86;PF=0", &f));
	g_assert_cmpstr(f.font, ==, "MS Sans Serif");
	g_assert_cmpuint(f.effects, ==, 0);
	g_assert_true(f.has_color);
	g_assert_cmphex(f.color, ==, 0);
	g_assert_cmphex(f.charset, ==, 0x86);
	g_assert_cmphex(f.pitch_family, ==, 0);
	msn_text_format_clear(&f);

	/* dropped leading zeros: ff = red, ff00 = green, fff = R ff G 0f */
	g_assert_true(msn_text_format_parse("CO=ff", &f));
	g_assert_cmphex(f.color, ==, 0xff0000);
	g_assert_true(msn_text_format_parse("CO=ff00", &f));
	g_assert_cmphex(f.color, ==, 0x00ff00);
	g_assert_true(msn_text_format_parse("CO=fff", &f));
	g_assert_cmphex(f.color, ==, 0xff0f00);
	g_assert_true(msn_text_format_parse("co=123456", &f));
	g_assert_cmphex(f.color, ==, 0x563412);

	/* every effect, any case and order; RL; unknown letters ignored */
	g_assert_true(msn_text_format_parse("EF=suXib; RL=1", &f));
	g_assert_cmpuint(f.effects, ==, MSN_EFFECT_BOLD | MSN_EFFECT_ITALIC |
	                 MSN_EFFECT_UNDERLINE | MSN_EFFECT_STRIKE);
	g_assert_true(f.rtl);
	g_assert_true(msn_text_format_parse("RL=0", &f));
	g_assert_false(f.rtl);
}

static void
test_parse_malformed(void)
{
	MsnTextFormat f;

	g_assert_false(msn_text_format_parse(NULL, &f));
	g_assert_null(f.font);
	g_assert_false(msn_text_format_parse("", &f));
	g_assert_false(msn_text_format_parse(";;; ; =;=x; X=1; FONT=Arial; F=1", &f));
	g_assert_false(f.has_color);

	/* bad values are ignored one by one */
	g_assert_true(msn_text_format_parse("FN=Arial; CO=zz; CS=xyz; PF=123", &f));
	g_assert_cmpstr(f.font, ==, "Arial");
	g_assert_false(f.has_color);
	g_assert_false(f.has_charset);
	g_assert_false(f.has_pitch_family);
	msn_text_format_clear(&f);
	g_assert_false(msn_text_format_parse("CO=1234567", &f));
	g_assert_false(msn_text_format_parse("CO=", &f));
	g_assert_false(msn_text_format_parse("CO=-1", &f));
	g_assert_false(msn_text_format_parse("CO=#ff0000", &f));
	g_assert_false(msn_text_format_parse("CO=ff 00", &f));

	/* each parameter missing: the others still read */
	{
		static const char *const full[] = {
			"FN=Arial", "EF=I", "CO=ff", "CS=0", "PF=22", "RL=1"
		};
		guint skip, i;

		for (skip = 0; skip < G_N_ELEMENTS(full); skip++) {
			GString *h = g_string_new(NULL);

			for (i = 0; i < G_N_ELEMENTS(full); i++) {
				if (i == skip)
					continue;
				if (h->len)
					g_string_append(h, "; ");
				g_string_append(h, full[i]);
			}
			g_assert_true(msn_text_format_parse(h->str, &f));
			g_assert_true((f.font != NULL) == (skip != 0));
			g_assert_true((f.effects == MSN_EFFECT_ITALIC) == (skip != 1));
			g_assert_true(f.has_color == (skip != 2));
			g_assert_true(f.has_charset == (skip != 3));
			g_assert_true(f.has_pitch_family == (skip != 4));
			g_assert_true(f.rtl == (skip != 5));
			msn_text_format_clear(&f);
			g_string_free(h, TRUE);
		}
	}

	/* FN with %-garbage, control characters and invalid UTF-8 */
	g_assert_true(msn_text_format_parse("FN=%zz%4%", &f));
	g_assert_cmpstr(f.font, ==, "%zz%4%");
	msn_text_format_clear(&f);
	g_assert_true(msn_text_format_parse("FN=A%0D%0Ab%00c%09d", &f));
	g_assert_cmpstr(f.font, ==, "Ab\xEF\xBF\xBD" "cd");
	msn_text_format_clear(&f);
	g_assert_true(msn_text_format_parse("FN=caf%E9", &f));
	g_assert_cmpstr(f.font, ==, "caf\xC3\xA9");
	msn_text_format_clear(&f);
	g_assert_true(msn_text_format_parse("FN=%20%20; EF=B", &f));
	g_assert_null(f.font);
	g_assert_true(msn_text_format_parse("FN=\xff\xfe", &f));
	g_assert_true(g_utf8_validate(f.font, -1, NULL));
	msn_text_format_clear(&f);
	/* a long font name is cut at a character boundary */
	{
		GString *h = g_string_new("FN=");
		guint i;

		for (i = 0; i < 100; i++)
			g_string_append(h, "%E2%82%AC");
		g_assert_true(msn_text_format_parse(h->str, &f));
		g_assert_cmpuint(strlen(f.font), ==, 126);
		g_assert_true(g_utf8_validate(f.font, -1, NULL));
		msn_text_format_clear(&f);
		g_string_free(h, TRUE);
	}

	/* the first of a repeated key wins */
	g_assert_true(msn_text_format_parse("FN=A; FN=B; CO=zz; CO=ff; CO=ff00", &f));
	g_assert_cmpstr(f.font, ==, "A");
	g_assert_cmphex(f.color, ==, 0xff0000);
	msn_text_format_clear(&f);
	/* spaces around keys and values */
	g_assert_true(msn_text_format_parse("  FN = Tahoma ;EF= BU  ", &f));
	g_assert_cmpstr(f.font, ==, "Tahoma");
	g_assert_cmpuint(f.effects, ==, MSN_EFFECT_BOLD | MSN_EFFECT_UNDERLINE);
	msn_text_format_clear(&f);
}

static void
test_build(void)
{
	MsnTextFormat f;
	char *s;

	msn_text_format_init_default(&f);
	f.effects = MSN_EFFECT_BOLD;
	f.color = 0x0000ff;
	s = msn_text_format_build(&f);
	g_assert_cmpstr(s, ==, "FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22");
	g_free(s);

	f.color = 0xff0000;
	f.effects = MSN_EFFECT_STRIKE | MSN_EFFECT_UNDERLINE | MSN_EFFECT_ITALIC | MSN_EFFECT_BOLD;
	f.charset = 0x86;
	f.rtl = TRUE;
	g_free(f.font);
	f.font = g_strdup("A;B%C D");
	s = msn_text_format_build(&f);
	g_assert_cmpstr(s, ==, "FN=A%3BB%25C%20D; EF=BIUS; CO=ff; CS=86; PF=22; RL=1");
	g_free(s);
	msn_text_format_clear(&f);

	/* only what is set; EF always */
	s = msn_text_format_build(&f);
	g_assert_cmpstr(s, ==, "EF=");
	g_free(s);
	f.has_color = TRUE;
	f.color = 0;
	s = msn_text_format_build(&f);
	g_assert_cmpstr(s, ==, "EF=; CO=0");
	g_free(s);
	f.color = 0x00ff00;
	s = msn_text_format_build(&f);
	g_assert_cmpstr(s, ==, "EF=; CO=ff00");
	g_free(s);
	/* a font that cleans to nothing is left out */
	f.font = g_strdup(" \r\n ");
	s = msn_text_format_build(&f);
	g_assert_cmpstr(s, ==, "EF=; CO=ff00");
	g_free(s);
	msn_text_format_clear(&f);
}

static void
test_round_trip(void)
{
	static const char *const headers[] = {
		"FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22",
		"FN=MS%20Sans%20Serif; EF=; CO=0; CS=86; PF=0",
		"FN=%E5%BE%AE%E8%BD%AF%E9%9B%85%E9%BB%91; EF=IUS; CO=abc; CS=86; PF=22; RL=1",
		"EF=",
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(headers); i++) {
		MsnTextFormat a, b, c;
		char *s1, *s2;

		msn_text_format_parse(headers[i], &a);
		s1 = msn_text_format_build(&a);
		g_assert_cmpstr(s1, ==, headers[i]);
		msn_text_format_parse(s1, &b);
		msn_text_format_copy(&c, &b);
		s2 = msn_text_format_build(&c);
		g_assert_cmpstr(s1, ==, s2);
		g_assert_cmpstr(a.font, ==, c.font);
		g_free(s1);
		g_free(s2);
		msn_text_format_clear(&a);
		msn_text_format_clear(&b);
		msn_text_format_clear(&c);
	}
}

static void
check_to_html(const char *header, const char *text, const char *expected)
{
	MsnTextFormat f;
	char *html;

	msn_text_format_parse(header, &f);
	html = msn_text_to_html(header ? &f : NULL, text);
	g_assert_cmpstr(html, ==, expected);
	g_free(html);
	msn_text_format_clear(&f);
}

static void
test_to_html(void)
{
	check_to_html("FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22", "Hi there!",
	              "<font face=\"Segoe UI\" color=\"#0000ff\"><b>Hi there!</b></font>");
	check_to_html(NULL, "a < b && c > \"d\" 'e'\r\nline2\nline3\rline4",
	              "a &lt; b &amp;&amp; c &gt; &quot;d&quot; 'e'<br>line2<br>line3<br>line4");
	check_to_html("EF=BIUS; RL=1", "x",
	              "<span style=\"direction:rtl;text-align:right;\"><b><i><u><s>x</s></u></i></b></span>");
	check_to_html("FN=%22%3E%3Cscript%3E'; CO=0", "",
	              "<font face=\"&quot;&gt;&lt;script&gt;&apos;\" color=\"#000000\"></font>");
	check_to_html("EF=", "caf\xE9", "caf\xEF\xBF\xBD");
	check_to_html(NULL, NULL, "");
}

static char *
from_html(const char *html, MsnTextFormat *f)
{
	char *text = msn_text_from_html(html, f);

	g_assert_nonnull(text);
	g_assert_true(g_utf8_validate(text, -1, NULL));
	return text;
}

static void
check_from_html(const char *html, const char *text, const char *font, gint64 color,
                guint effects, gboolean rtl)
{
	MsnTextFormat f;
	char *t = from_html(html, &f);

	g_assert_cmpstr(t, ==, text);
	g_assert_cmpstr(f.font, ==, font);
	if (color < 0) {
		g_assert_false(f.has_color);
	} else {
		g_assert_true(f.has_color);
		g_assert_cmphex(f.color, ==, (guint32)color);
	}
	g_assert_cmpuint(f.effects, ==, effects);
	g_assert_true(f.rtl == rtl);
	g_free(t);
	msn_text_format_clear(&f);
}

static void
test_from_html(void)
{
	/* what Pidgin sends */
	check_from_html("<FONT FACE=\"Arial\"><FONT COLOR=\"#ff0000\"><B>hi</B></FONT></FONT>",
	                "hi", "Arial", 0xff0000, MSN_EFFECT_BOLD, FALSE);
	check_from_html("<font face='Comic Sans MS, cursive' color=#00FF00><i><u>a</u></i></font>",
	                "a", "Comic Sans MS", 0x00ff00, MSN_EFFECT_ITALIC | MSN_EFFECT_UNDERLINE, FALSE);
	check_from_html("<strong><em><strike>x</strike></em></strong><s>y</s><del>z</del>",
	                "xyz", NULL, -1, MSN_EFFECT_BOLD | MSN_EFFECT_ITALIC | MSN_EFFECT_STRIKE, FALSE);
	check_from_html("<span style=\"font-weight: bold; font-style:italic;"
	                "text-decoration: underline line-through; color: #abc; "
	                "font-family: 'DejaVu Sans', sans-serif; direction: rtl\">s</span>",
	                "s", "DejaVu Sans", 0xaabbcc,
	                MSN_EFFECT_BOLD | MSN_EFFECT_ITALIC | MSN_EFFECT_UNDERLINE | MSN_EFFECT_STRIKE,
	                TRUE);
	check_from_html("<span style=\"font-weight:700\">w</span>", "w", NULL, -1, MSN_EFFECT_BOLD, FALSE);
	check_from_html("<span style=\"font-weight:normal;color:red\">w</span>", "w", NULL, 0xff0000, 0, FALSE);
	check_from_html("<span dir=\"rtl\">w</span>", "w", NULL, -1, 0, TRUE);

	/* line breaks, entities */
	check_from_html("a<br>b<BR/>c<br />d\ne\r\nf\rg",
	                "a\nb\nc\nd\ne\nf\ng", NULL, -1, 0, FALSE);
	check_from_html("&amp;&lt;&gt;&quot;&apos;&nbsp;&#65;&#x42;&#X43;&#0;&#xD800;&#x110000;",
	                "&<>\"' ABC\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", NULL, -1, 0, FALSE);
	check_from_html("a&#13;&#10;b&#xd;c", "a\nbc", NULL, -1, 0, FALSE);
	check_from_html("&bogus; & &amp &#; &#x; &#123456789; &AMP;",
	                "&bogus; & &amp &#; &#x; &#123456789; &AMP;", NULL, -1, 0, FALSE);

	/* the format in effect at the first visible character */
	check_from_html("hello <b>world</b>", "hello world", NULL, -1, 0, FALSE);
	check_from_html("  <b>bold</b> plain", "  bold plain", NULL, -1, MSN_EFFECT_BOLD, FALSE);
	check_from_html("<font face=A color=#111111><font face=B>x</font></font><font color=#222222>y</font>",
	                "xy", "B", 0x111111, 0, FALSE);
	check_from_html("<b></b>x", "x", NULL, -1, 0, FALSE);
	check_from_html("<b>   </b>", "   ", NULL, -1, 0, FALSE);
	check_from_html("", "", NULL, -1, 0, FALSE);
	check_from_html(NULL, "", NULL, -1, 0, FALSE);

	/* links and images */
	check_from_html("<a href=\"http://x.org/\">http://x.org/</a>", "http://x.org/", NULL, -1, 0, FALSE);
	check_from_html("<a href=\"mailto:me@x.org\">me@x.org</a>", "me@x.org", NULL, -1, 0, FALSE);
	check_from_html("<a href=\"http://x.org/?a=1&amp;b=2\">site</a>!",
	                "site (http://x.org/?a=1&b=2)!", NULL, -1, 0, FALSE);
	check_from_html("<a href='http://x.org/'></a>", "http://x.org/", NULL, -1, 0, FALSE);
	check_from_html("<a href='http://x.org/'>unclosed", "unclosed", NULL, -1, 0, FALSE);
	check_from_html("<img src=\"x.png\" alt=\":-)\">!<img src=y>", ":-)!", NULL, -1, 0, FALSE);
	check_from_html("<a href='a\r\nb&#13;'>x</a><img alt='c\rd\te'>", "x (a  b )c d e",
	                NULL, -1, 0, FALSE);

	/* tolerance: stray '<', unknown tags, comments, quotes, bad nesting */
	check_from_html("1 < 2 and 3<4 and <", "1 < 2 and 3<4 and <", NULL, -1, 0, FALSE);
	check_from_html("<unknown attr=\"1\">kept</unknown><p>para</p>", "keptpara", NULL, -1, 0, FALSE);
	check_from_html("a<!-- <b>hidden</b> -->b<!-- never closed", "ab", NULL, -1, 0, FALSE);
	check_from_html("<font face=\"x>y\">t</font>", "t", "x>y", -1, 0, FALSE);
	check_from_html("<font face=don't>t</font>", "t", "don't", -1, 0, FALSE);
	check_from_html("<b><i>x</b>y</i>z", "xyz", NULL, -1, MSN_EFFECT_BOLD | MSN_EFFECT_ITALIC, FALSE);
	check_from_html("</b></font>x", "x", NULL, -1, 0, FALSE);
	check_from_html("<b", "<b", NULL, -1, 0, FALSE);
	check_from_html("<font color=\"nonsense\" face=\"\">x", "x", NULL, -1, 0, FALSE);
	check_from_html("<font color=#12345>x", "x", NULL, -1, 0, FALSE);
	check_from_html("<!DOCTYPE html><?xml x?>t", "t", NULL, -1, 0, FALSE);
	check_from_html("<b/>x", "x", NULL, -1, 0, FALSE);
	check_from_html("caf\xE9<b>\xff</b>", "caf\xEF\xBF\xBD\xEF\xBF\xBD", NULL, -1, 0, FALSE);

	/* too deep: extra tags are ignored, no crash */
	{
		GString *h = g_string_new(NULL);
		MsnTextFormat f;
		char *t;
		guint i;

		for (i = 0; i < 1000; i++)
			g_string_append(h, "<b><font face=F>");
		g_string_append(h, "deep");
		for (i = 0; i < 1000; i++)
			g_string_append(h, "</font></b>");
		t = from_html(h->str, &f);
		g_assert_cmpstr(t, ==, "deep");
		g_assert_cmpuint(f.effects, ==, MSN_EFFECT_BOLD);
		g_assert_cmpstr(f.font, ==, "F");
		g_free(t);
		msn_text_format_clear(&f);
		g_string_free(h, TRUE);
	}

	/* fmt may be NULL */
	{
		char *t = msn_text_from_html("<b>x</b>", NULL);

		g_assert_cmpstr(t, ==, "x");
		g_free(t);
	}
}

static void
test_html_round_trip(void)
{
	static const char *const texts[] = {
		"plain", "a < b & c > d \"q\" 'a'", "line1\nline2\n\nline4", "caf\xC3\xA9 \xF0\x9F\x98\x80",
		"&amp; is not decoded twice", "",
	};
	MsnTextFormat f, back;
	guint i;

	msn_text_format_init(&f);
	f.font = g_strdup("Trebuchet MS");
	f.has_color = TRUE;
	f.color = 0x123456;
	f.effects = MSN_EFFECT_BOLD | MSN_EFFECT_STRIKE;
	f.rtl = TRUE;
	for (i = 0; i < G_N_ELEMENTS(texts); i++) {
		char *html = msn_text_to_html(&f, texts[i]);
		char *text = from_html(html, &back);

		g_assert_cmpstr(text, ==, texts[i]);
		if (texts[i][0]) {
			g_assert_cmpstr(back.font, ==, f.font);
			g_assert_true(back.has_color);
			g_assert_cmphex(back.color, ==, f.color);
			g_assert_cmpuint(back.effects, ==, f.effects);
			g_assert_true(back.rtl);
		}
		g_free(html);
		g_free(text);
		msn_text_format_clear(&back);
	}
	msn_text_format_clear(&f);
}

static void
test_normalize_newlines(void)
{
	char *s = msn_text_normalize_newlines("a\r\nb\rc\nd\r\r\n\xff");

	g_assert_cmpstr(s, ==, "a\nb\nc\nd\n\n\xEF\xBF\xBD");
	g_free(s);
	s = msn_text_normalize_newlines(NULL);
	g_assert_cmpstr(s, ==, "");
	g_free(s);
}

/* Checks every payload of a split and returns the bodies joined. */
static GString *
check_split(GPtrArray *msgs, gsize max, const char *format_header)
{
	GString *joined = g_string_new(NULL);
	guint i;

	for (i = 0; i < msgs->len; i++) {
		GBytes *b = g_ptr_array_index(msgs, i);
		g_autoptr(MsnMime) m = NULL;
		GError *error = NULL;
		const char *body;
		gsize blen;

		g_assert_cmpuint(g_bytes_get_size(b), <=, max);
		m = msn_mime_parse_bytes(b, &error);
		g_assert_no_error(error);
		g_assert_cmpstr(msn_mime_get_header_name(m, 0), ==, "MIME-Version");
		g_assert_cmpstr(msn_mime_get_header(m, "Content-Type"), ==, "text/plain; charset=UTF-8");
		g_assert_cmpstr(msn_mime_get_header(m, "X-MMS-IM-Format"), ==, format_header);
		body = g_bytes_get_data(msn_mime_get_body(m), &blen);
		g_assert_cmpuint(blen, >, 0);
		g_assert_true(g_utf8_validate_len(body, blen, NULL));
		/* never between \r and \n */
		g_assert_false(body[blen - 1] == '\r');
		g_assert_false(body[0] == '\n');
		g_string_append_len(joined, body, (gssize)blen);
	}
	return joined;
}

static void
test_split(void)
{
	MsnTextFormat f;
	GPtrArray *msgs;
	GString *text, *joined;
	GError *error = NULL;
	guint i;

	/* the reference message: 133 bytes */
	msn_text_format_parse("FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22", &f);
	msgs = msn_text_message_build(&f, "Hi there!", 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(msgs->len, ==, 1);
	g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(msgs, 0)), ==, 133);
	g_assert_cmpmem(g_bytes_get_data(g_ptr_array_index(msgs, 0), NULL), 133,
	                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	                "X-MMS-IM-Format: FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22\r\n"
	                "\r\nHi there!", 133);
	g_ptr_array_unref(msgs);

	/* empty text: nothing to send */
	msgs = msn_text_message_build(&f, "", 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(msgs->len, ==, 0);
	g_ptr_array_unref(msgs);

	/* newlines go out as \r\n */
	msgs = msn_text_message_build(NULL, "a\nb\r\nc\rd", 0, &error);
	g_assert_no_error(error);
	joined = check_split(msgs, MSN_SB_MAX_PAYLOAD, NULL);
	g_assert_cmpstr(joined->str, ==, "a\r\nb\r\nc\r\nd");
	g_string_free(joined, TRUE);
	g_ptr_array_unref(msgs);

	/* words: split at spaces, the space stays with the earlier part */
	text = g_string_new(NULL);
	for (i = 0; i < 1000; i++)
		g_string_append(text, "word ");
	msgs = msn_text_message_build(&f, text->str, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(msgs->len, >=, 4);
	joined = check_split(msgs, MSN_SB_MAX_PAYLOAD, "FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22");
	g_assert_cmpstr(joined->str, ==, text->str);
	for (i = 0; i + 1 < msgs->len; i++) {
		gsize n;
		const char *d = g_bytes_get_data(g_ptr_array_index(msgs, i), &n);

		g_assert_cmpint(d[n - 1], ==, ' ');
		g_assert_cmpuint(n, >, MSN_SB_MAX_PAYLOAD - 6);
	}
	g_string_free(joined, TRUE);
	g_string_free(text, TRUE);
	g_ptr_array_unref(msgs);

	/* no whitespace, multi-byte characters: cut between characters, as
	 * late as possible */
	text = g_string_new(NULL);
	for (i = 0; i < 2000; i++)
		g_string_append(text, i % 2 ? "\xF0\x9F\x98\x80" : "\xE2\x82\xAC");
	msgs = msn_text_message_build(&f, text->str, 0, &error);
	g_assert_no_error(error);
	joined = check_split(msgs, MSN_SB_MAX_PAYLOAD, "FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22");
	g_assert_cmpstr(joined->str, ==, text->str);
	for (i = 0; i + 1 < msgs->len; i++)
		g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(msgs, i)), >, MSN_SB_MAX_PAYLOAD - 4);
	g_string_free(joined, TRUE);
	g_string_free(text, TRUE);
	g_ptr_array_unref(msgs);

	/* only CRLFs: never split between \r and \n */
	text = g_string_new(NULL);
	for (i = 0; i < 3000; i++)
		g_string_append_c(text, '\n');
	msgs = msn_text_message_build(NULL, text->str, 101, &error);
	g_assert_no_error(error);
	joined = check_split(msgs, 101, NULL);
	g_assert_cmpuint(joined->len, ==, 6000);
	g_string_free(joined, TRUE);
	g_string_free(text, TRUE);
	g_ptr_array_unref(msgs);

	/* a whitespace only early in the chunk is not used (no tiny parts) */
	text = g_string_new("ab ");
	for (i = 0; i < 3000; i++)
		g_string_append_c(text, 'x');
	msgs = msn_text_message_build(NULL, text->str, 0, &error);
	g_assert_no_error(error);
	joined = check_split(msgs, MSN_SB_MAX_PAYLOAD, NULL);
	g_assert_cmpuint(g_bytes_get_size(g_ptr_array_index(msgs, 0)), ==, MSN_SB_MAX_PAYLOAD);
	g_assert_cmpstr(joined->str, ==, text->str);
	g_string_free(joined, TRUE);
	g_string_free(text, TRUE);
	g_ptr_array_unref(msgs);

	/* invalid UTF-8 is made valid before splitting */
	msgs = msn_text_message_build(NULL, "caf\xE9", 0, &error);
	g_assert_no_error(error);
	joined = check_split(msgs, MSN_SB_MAX_PAYLOAD, NULL);
	g_assert_cmpstr(joined->str, ==, "caf\xEF\xBF\xBD");
	g_string_free(joined, TRUE);
	g_ptr_array_unref(msgs);

	/* headers too big for the limit */
	g_assert_null(msn_text_message_build(&f, "x", 100, &error));
	g_assert_error(error, MSN_TEXT_ERROR, MSN_TEXT_ERROR_NO_ROOM);
	g_clear_error(&error);
	g_assert_null(msn_text_message_build(NULL, "x", 69, &error));
	g_assert_error(error, MSN_TEXT_ERROR, MSN_TEXT_ERROR_NO_ROOM);
	g_clear_error(&error);
	msgs = msn_text_message_build(NULL, "0123456789", 70, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(msgs->len, ==, 2);
	g_ptr_array_unref(msgs);
	msn_text_format_clear(&f);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/format/parse-reference", test_parse_reference);
	g_test_add_func("/format/parse-malformed", test_parse_malformed);
	g_test_add_func("/format/build", test_build);
	g_test_add_func("/format/round-trip", test_round_trip);
	g_test_add_func("/format/to-html", test_to_html);
	g_test_add_func("/format/from-html", test_from_html);
	g_test_add_func("/format/html-round-trip", test_html_round_trip);
	g_test_add_func("/format/normalize-newlines", test_normalize_newlines);
	g_test_add_func("/format/split", test_split);
	return g_test_run();
}
