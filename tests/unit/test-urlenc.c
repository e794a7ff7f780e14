/* Unit tests for src/proto/urlenc.c */
#include <string.h>

#include "proto/urlenc.h"

static void
check_encode(const char *in, const char *expected)
{
	g_autofree char *out = msn_url_encode(in);

	g_assert_cmpstr(out, ==, expected);
}

static void
check_decode(const char *in, const char *expected)
{
	g_autofree char *out = msn_url_decode(in);

	g_assert_nonnull(out);
	g_assert_true(g_utf8_validate(out, -1, NULL));
	g_assert_cmpstr(out, ==, expected);
}

static void
test_encode(void)
{
	g_assert_null(msn_url_encode(NULL));
	check_encode("", "");
	check_encode("AZaz09._~@-", "AZaz09._~@-");
	check_encode("Bob B.", "Bob%20B.");
	check_encode("100% + a/b", "100%25%20%2B%20a%2Fb");
	check_encode("a\r\nb\tc", "a%0D%0Ab%09c");
	check_encode("<msnobj Creator=\"me@example.com\"/>",
	              "%3Cmsnobj%20Creator%3D%22me@example.com%22%2F%3E");
	/* UTF-8 bytes, upper-case hex */
	check_encode("caf\xc3\xa9 \xe2\x98\x83", "caf%C3%A9%20%E2%98%83");
	check_encode("\x7f\xff", "%7F%FF");
}

static void
test_decode(void)
{
	g_assert_null(msn_url_decode(NULL));
	check_decode("", "");
	check_decode("Bob%20B.", "Bob B.");
	check_decode("a+b", "a+b");                     /* '+' is literal */
	check_decode("%3cmsnobj%2F%3E", "<msnobj/>");   /* either case */
	check_decode("caf%C3%A9", "caf\xc3\xa9");
	check_decode("caf\xc3\xa9", "caf\xc3\xa9");     /* raw UTF-8 passes */
	/* malformed escapes are kept literally */
	check_decode("100%", "100%");
	check_decode("100%2", "100%2");
	check_decode("%zz%2%g0", "%zz%2%g0");
	check_decode("%%41", "%A");
	check_decode("%", "%");
	/* not UTF-8 after decoding: read as Latin-1 */
	check_decode("caf%E9", "caf\xc3\xa9");
	check_decode("%FF%FE", "\xc3\xbf\xc3\xbe");
	check_decode("\xe9t\xe9", "\xc3\xa9t\xc3\xa9");
	check_decode("%C3", "\xc3\x83");                /* truncated sequence */
	/* NUL never cuts the string short: it becomes U+FFFD */
	check_decode("a%00b", "a\xef\xbf\xbd" "b");
	check_decode("%00", "\xef\xbf\xbd");
	check_decode("%E9%00", "\xc3\xa9\xef\xbf\xbd");
}

static void
test_round_trip(void)
{
	static const char *const samples[] = {
		"", "plain", "with space", "100% sure", "\xe2\x98\x83 snow",
		"tab\there", "<msnobj Creator=\"x\" Size=\"1\"/>", "a+b=c&d",
	};
	gsize i;
	int c;

	for (i = 0; i < G_N_ELEMENTS(samples); i++) {
		g_autofree char *enc = msn_url_encode(samples[i]);
		g_autofree char *dec = msn_url_decode(enc);

		g_assert_null(strpbrk(enc, " \r\n"));
		g_assert_cmpstr(dec, ==, samples[i]);
	}
	/* every single byte 1..127 */
	for (c = 1; c < 128; c++) {
		char s[2] = { (char)c, 0 };
		g_autofree char *enc = msn_url_encode(s);
		g_autofree char *dec = msn_url_decode(enc);

		g_assert_cmpstr(dec, ==, s);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/urlenc/encode", test_encode);
	g_test_add_func("/urlenc/decode", test_decode);
	g_test_add_func("/urlenc/round-trip", test_round_trip);
	return g_test_run();
}
