/* Unit tests for src/proto/presence.c */
#include <string.h>

#include "proto/presence.h"

static MsnCommand *
cmd(const char *line, guint version)
{
	GError *error = NULL;
	gsize plen = 0;
	MsnCommand *c = msn_command_parse_line(line, strlen(line), MSN_SERVICE_NS,
	                                       MSN_FROM_SERVER, version, &plen, &error);

	g_assert_no_error(error);
	g_assert_nonnull(c);
	return c;
}

static MsnPresence *
parse(const char *line, guint version)
{
	g_autoptr(MsnCommand) c = cmd(line, version);
	GError *error = NULL;
	MsnPresence *p = msn_presence_parse(c, version, &error);

	g_assert_no_error(error);
	g_assert_nonnull(p);
	g_assert_true(g_utf8_validate(p->handle, -1, NULL));
	g_assert_true(p->friendly_name == NULL || g_utf8_validate(p->friendly_name, -1, NULL));
	g_assert_true(p->msnobj == NULL || g_utf8_validate(p->msnobj, -1, NULL));
	return p;
}

#define MSNOBJ_ENC "%3Cmsnobj%20Creator%3D%22bob%40example.com%22%20Size%3D%2221301%22" \
	"%20Type%3D%223%22%20Location%3D%220%22%20Friendly%3D%22AAA%3D%22%20SHA1D%3D%22" \
	"abc%3D%22%2F%3E"
#define MSNOBJ_DEC "<msnobj Creator=\"bob@example.com\" Size=\"21301\" Type=\"3\" " \
	"Location=\"0\" Friendly=\"AAA=\" SHA1D=\"abc=\"/>"

static void
test_status_table(void)
{
	static const char *codes[] = { "NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN", "HDN", "FLN" };
	guint i;

	for (i = 0; i < G_N_ELEMENTS(codes); i++) {
		MsnStatus s = msn_status_from_code(codes[i]);

		g_assert_cmpint(s, !=, MSN_STATUS_UNKNOWN);
		g_assert_cmpstr(msn_status_to_code(s), ==, codes[i]);
	}
	g_assert_cmpint(msn_status_from_code("NLN"), ==, MSN_STATUS_ONLINE);
	g_assert_cmpint(msn_status_from_code("AWY"), ==, MSN_STATUS_AWAY);
	g_assert_cmpint(msn_status_from_code("FLN"), ==, MSN_STATUS_OFFLINE);
	/* case-sensitive, exact */
	g_assert_cmpint(msn_status_from_code("nln"), ==, MSN_STATUS_UNKNOWN);
	g_assert_cmpint(msn_status_from_code("NLNX"), ==, MSN_STATUS_UNKNOWN);
	g_assert_cmpint(msn_status_from_code(""), ==, MSN_STATUS_UNKNOWN);
	g_assert_cmpint(msn_status_from_code(NULL), ==, MSN_STATUS_UNKNOWN);
	g_assert_null(msn_status_to_code(MSN_STATUS_UNKNOWN));
	g_assert_null(msn_status_to_code((MsnStatus)99));

	/* CHG: never FLN, never an unknown */
	g_assert_true(msn_status_is_settable(MSN_STATUS_ONLINE));
	g_assert_true(msn_status_is_settable(MSN_STATUS_HIDDEN));
	g_assert_true(msn_status_is_settable(MSN_STATUS_IDLE));
	g_assert_false(msn_status_is_settable(MSN_STATUS_OFFLINE));
	g_assert_false(msn_status_is_settable(MSN_STATUS_UNKNOWN));

	/* unknown = online and away */
	g_assert_true(msn_status_is_online(MSN_STATUS_UNKNOWN));
	g_assert_true(msn_status_is_away(MSN_STATUS_UNKNOWN));
	g_assert_true(msn_status_is_online(MSN_STATUS_BUSY));
	g_assert_false(msn_status_is_away(MSN_STATUS_BUSY));
	g_assert_false(msn_status_is_away(MSN_STATUS_ONLINE));
	g_assert_true(msn_status_is_away(MSN_STATUS_LUNCH));
	g_assert_false(msn_status_is_online(MSN_STATUS_OFFLINE));
	g_assert_false(msn_status_is_online(MSN_STATUS_HIDDEN));
}

static void
test_iln_versions(void)
{
	MsnPresence *p;

	/* presence.md §4, MSNP8 */
	p = parse("ILN 9 NLN bob@example.com Bob%20B. 28", 8);
	g_assert_cmpint(p->status, ==, MSN_STATUS_ONLINE);
	g_assert_cmpstr(p->code, ==, "NLN");
	g_assert_true(p->has_trid);
	g_assert_cmpuint(p->trid, ==, 9);
	g_assert_cmpstr(p->handle, ==, "bob@example.com");
	g_assert_cmpuint(p->network, ==, 1);
	g_assert_cmpstr(p->friendly_name, ==, "Bob B.");
	g_assert_cmpuint(p->caps, ==, 28);
	g_assert_null(p->msnobj);
	g_assert_null(p->icon_url);
	msn_presence_free(p);

	/* 9–13 */
	p = parse("ILN 9 BSY bob@example.com Bob%20B. 1073741856 " MSNOBJ_ENC, 11);
	g_assert_cmpint(p->status, ==, MSN_STATUS_BUSY);
	g_assert_cmpuint(p->caps, ==, 1073741856u);
	g_assert_cmpuint(msn_caps_msnc_version(p->caps), ==, 4);
	g_assert_cmpstr(p->msnobj, ==, MSNOBJ_DEC);
	g_assert_cmpuint(p->network, ==, 1);
	msn_presence_free(p);

	/* 14 with the network id */
	p = parse("ILN 9 BSY bob@example.com 1 Bob%20B. 1073741856 " MSNOBJ_ENC, 14);
	g_assert_cmpuint(p->network, ==, 1);
	g_assert_cmpstr(p->friendly_name, ==, "Bob B.");
	g_assert_cmpuint(p->caps, ==, 1073741856u);
	g_assert_cmpstr(p->msnobj, ==, MSNOBJ_DEC);
	msn_presence_free(p);

	/* 14, federated: network 32 and a presence-icon URL */
	p = parse("ILN 3 NLN yuki@yahoo.com 32 Yuki 0 %3Cmsnobj%2F%3E "
	          "http%3A%2F%2Fexample.com%2Ficon.png", 14);
	g_assert_cmpuint(p->network, ==, 32);
	g_assert_cmpstr(p->friendly_name, ==, "Yuki");
	g_assert_cmpuint(p->caps, ==, 0);
	g_assert_null(p->msnobj);
	g_assert_cmpstr(p->icon_url, ==, "http://example.com/icon.png");
	msn_presence_free(p);
}

static void
test_nln_fln(void)
{
	MsnPresence *p;

	p = parse("NLN AWY bob@example.com Bob 1073741856 " MSNOBJ_ENC, 12);
	g_assert_cmpint(p->status, ==, MSN_STATUS_AWAY);
	g_assert_false(p->has_trid);
	g_assert_cmpstr(p->msnobj, ==, MSNOBJ_DEC);
	msn_presence_free(p);

	p = parse("NLN IDL bob@example.com 1 Bob 0", 14);
	g_assert_cmpint(p->status, ==, MSN_STATUS_IDLE);
	g_assert_cmpuint(p->network, ==, 1);
	g_assert_cmpstr(p->friendly_name, ==, "Bob");
	msn_presence_free(p);

	p = parse("FLN bob@example.com", 8);
	g_assert_cmpint(p->status, ==, MSN_STATUS_OFFLINE);
	g_assert_cmpstr(p->code, ==, "FLN");
	g_assert_cmpstr(p->handle, ==, "bob@example.com");
	g_assert_null(p->friendly_name);
	g_assert_cmpuint(p->network, ==, 1);
	g_assert_false(p->has_trid);
	msn_presence_free(p);

	p = parse("FLN bob@example.com 1", 14);
	g_assert_cmpuint(p->network, ==, 1);
	msn_presence_free(p);

	/* Escargot: FLN handle 1 0 */
	p = parse("FLN yuki@yahoo.com 32 0", 14);
	g_assert_cmpint(p->status, ==, MSN_STATUS_OFFLINE);
	g_assert_cmpuint(p->network, ==, 32);
	msn_presence_free(p);

	/* A digit after the handle below 14 is not a network id. */
	p = parse("FLN bob@example.com 5", 13);
	g_assert_cmpuint(p->network, ==, 1);
	msn_presence_free(p);
}

static void
test_network_id_rules(void)
{
	MsnPresence *p;

	/* Below 14 an all-digit friendly name stays a name. */
	p = parse("NLN NLN bob@example.com 12345 28", 13);
	g_assert_cmpstr(p->friendly_name, ==, "12345");
	g_assert_cmpuint(p->caps, ==, 28);
	g_assert_cmpuint(p->network, ==, 1);
	msn_presence_free(p);

	/* 14 without the network id (a lax server): the name is not digits. */
	p = parse("NLN NLN bob@example.com Bob 28 " MSNOBJ_ENC, 14);
	g_assert_cmpuint(p->network, ==, 1);
	g_assert_cmpstr(p->friendly_name, ==, "Bob");
	g_assert_cmpuint(p->caps, ==, 28);
	g_assert_cmpstr(p->msnobj, ==, MSNOBJ_DEC);
	msn_presence_free(p);

	/* 14: a network id too big for 32 bits reads as 0 */
	p = parse("NLN NLN bob@example.com 99999999999 Bob 28", 14);
	g_assert_cmpuint(p->network, ==, 0);
	g_assert_cmpstr(p->friendly_name, ==, "Bob");
	msn_presence_free(p);
}

static void
test_caps_parsing(void)
{
	g_assert_cmpuint(msn_presence_parse_caps("0"), ==, 0);
	g_assert_cmpuint(msn_presence_parse_caps("28"), ==, 28);
	g_assert_cmpuint(msn_presence_parse_caps("4294967295"), ==, G_MAXUINT32);
	g_assert_cmpuint(msn_presence_parse_caps("4294967296"), ==, 0);
	g_assert_cmpuint(msn_presence_parse_caps("99999999999999999999999"), ==, 0);
	g_assert_cmpuint(msn_presence_parse_caps("-1"), ==, 0);
	g_assert_cmpuint(msn_presence_parse_caps("+5"), ==, 0);
	g_assert_cmpuint(msn_presence_parse_caps("0x40"), ==, 0);
	g_assert_cmpuint(msn_presence_parse_caps("abc"), ==, 0);
	g_assert_cmpuint(msn_presence_parse_caps(""), ==, 0);
	g_assert_cmpuint(msn_presence_parse_caps(NULL), ==, 0);
	g_assert_cmpuint(msn_presence_parse_caps("2789003324:48"), ==, 2789003324u);
	g_assert_cmpuint(msn_presence_parse_caps(":48"), ==, 0);
	g_assert_cmpuint(msn_caps_msnc_version(0x50000000), ==, 5);
	g_assert_cmpuint(msn_caps_msnc_version(28), ==, 0);
}

static void
test_malformed_fields(void)
{
	MsnPresence *p;

	/* missing caps and msnobj */
	p = parse("ILN 1 NLN bob@example.com Bob", 11);
	g_assert_cmpuint(p->caps, ==, 0);
	g_assert_null(p->msnobj);
	msn_presence_free(p);

	/* non-numeric caps */
	p = parse("NLN BSY bob@example.com Bob xyz " MSNOBJ_ENC, 11);
	g_assert_cmpuint(p->caps, ==, 0);
	g_assert_cmpstr(p->msnobj, ==, MSNOBJ_DEC);
	msn_presence_free(p);

	/* Escargot's empty MSNObject and other non-objects */
	p = parse("NLN NLN bob@example.com Bob 0 %3Cmsnobj%2F%3E", 11);
	g_assert_null(p->msnobj);
	msn_presence_free(p);
	p = parse("NLN NLN bob@example.com Bob 0 %3Cmsnobj%20%2F%3E", 11);
	g_assert_null(p->msnobj);
	msn_presence_free(p);
	p = parse("NLN NLN bob@example.com Bob 0 0", 11);
	g_assert_null(p->msnobj);
	msn_presence_free(p);
	p = parse("NLN NLN bob@example.com Bob 0 %3Cmsnobjx%20a%3D1%2F%3E", 11);
	g_assert_null(p->msnobj);
	msn_presence_free(p);
	p = parse("NLN NLN bob@example.com Bob 0 %", 11);
	g_assert_null(p->msnobj);
	msn_presence_free(p);

	/* MSNP8 has no MSNObject: an extra token is not read as one */
	p = parse("NLN NLN bob@example.com Bob 0 " MSNOBJ_ENC, 8);
	g_assert_null(p->msnobj);
	msn_presence_free(p);

	/* friendly-name garbage: bad escapes stay literal, invalid UTF-8 reads
	 * as Latin-1, %00 becomes U+FFFD */
	p = parse("NLN NLN bob@example.com %zz%4%E9t%C3%A9%00x 0", 11);
	g_assert_cmpstr(p->friendly_name, ==, "%zz%4\xC3\xA9t\xC3\x83\xC2\xA9\xEF\xBF\xBDx");
	msn_presence_free(p);

	/* unknown status code: kept, status UNKNOWN */
	p = parse("NLN XYZ bob@example.com Bob 0", 11);
	g_assert_cmpint(p->status, ==, MSN_STATUS_UNKNOWN);
	g_assert_cmpstr(p->code, ==, "XYZ");
	g_assert_true(msn_status_is_online(p->status));
	msn_presence_free(p);
	p = parse("NLN LONGCODE bob@example.com Bob 0", 11);
	g_assert_cmpint(p->status, ==, MSN_STATUS_UNKNOWN);
	g_assert_cmpstr(p->code, ==, "LON");
	msn_presence_free(p);
	p = parse("NLN \xff\x01Z bob@example.com Bob 0", 11);
	g_assert_cmpstr(p->code, ==, "??Z");
	msn_presence_free(p);

	/* an invalid UTF-8 handle comes out valid */
	p = parse("FLN b\xffob@example.com", 11);
	g_assert_cmpstr(p->handle, ==, "b\xEF\xBF\xBDob@example.com");
	msn_presence_free(p);
}

static void
test_not_presence(void)
{
	g_autoptr(MsnCommand) chg = cmd("CHG 9 NLN 0", 11);
	MsnCommand fake = { "ILN", 0, TRUE, 1, 0, NULL, NULL, NULL };
	char *params[] = { (char *)"NLN", (char *)"", (char *)"x", NULL };
	GError *error = NULL;

	g_assert_null(msn_presence_parse(chg, 11, &error));
	g_assert_error(error, MSN_PRESENCE_ERROR, MSN_PRESENCE_ERROR_NOT_PRESENCE);
	g_clear_error(&error);

	/* hand-made commands that bypass the schema */
	g_assert_null(msn_presence_parse(&fake, 11, &error));
	g_assert_error(error, MSN_PRESENCE_ERROR, MSN_PRESENCE_ERROR_MALFORMED);
	g_clear_error(&error);
	fake.n_params = 3;
	fake.params = params;
	g_assert_null(msn_presence_parse(&fake, 11, &error));
	g_assert_error(error, MSN_PRESENCE_ERROR, MSN_PRESENCE_ERROR_MALFORMED);
	g_clear_error(&error);
	params[1] = (char *)"bob@example.com";
	{
		g_autoptr(MsnPresence) p = msn_presence_parse(&fake, 99, &error);

		g_assert_no_error(error);
		g_assert_cmpstr(p->friendly_name, ==, "x");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/presence/status-table", test_status_table);
	g_test_add_func("/presence/iln-versions", test_iln_versions);
	g_test_add_func("/presence/nln-fln", test_nln_fln);
	g_test_add_func("/presence/network-id-rules", test_network_id_rules);
	g_test_add_func("/presence/caps", test_caps_parsing);
	g_test_add_func("/presence/malformed-fields", test_malformed_fields);
	g_test_add_func("/presence/not-presence", test_not_presence);
	return g_test_run();
}
