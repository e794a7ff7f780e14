/* The plugin negotiates each version MSNP8…MSNP14 with a server that accepts
 * only that one, and refuses cleanly when there is no common version. */
#include <string.h>

#include "integration/driver.h"

static gboolean
progress_has(const MsnpSignin *s, const char *needle)
{
	guint i;

	for (i = 0; i < s->progress->len; i++)
		if (strstr(g_ptr_array_index(s->progress, i), needle))
			return TRUE;
	return FALSE;
}

/* The offer the plugin must make when its highest version is max. */
static char *
expected_offer(guint max)
{
	GString *s = g_string_new("VER 1");
	guint v;

	for (v = max; v >= 8; v--)
		g_string_append_printf(s, " MSNP%u", v);
	g_string_append(s, " CVR0");
	return g_string_free(s, FALSE);
}

static void
test_only_version(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	char *vers = g_strdup_printf("%u", version);
	const char *args[] = { "--versions", vers, "--account", "alice@example.com:secret", NULL };
	MsnpServer *server = msnp_server_start(args);
	PurpleAccount *account = msnp_account_new("alice@example.com", "secret", server);
	char *want_progress = g_strdup_printf("Negotiated MSNP%u", version);
	char *want_reply = g_strdup_printf("S: VER 1 MSNP%u", version);
	char *offer = expected_offer(14);
	MsnpSignin s;
	char *log;

	msnp_signin(account, 10000, &s);
	log = msnp_server_log(server);
	/* The plugin offered everything from 14 down, the server chose `version`,
	 * and the plugin carried on in that version (CVR, then USR TWN I). */
	g_assert_nonnull(strstr(log, offer));
	g_assert_nonnull(strstr(log, want_reply));
	g_assert_nonnull(strstr(log, "C: CVR 2 0x0409"));
	g_assert_nonnull(strstr(log, "C: USR 3 TWN I alice@example.com"));
	g_assert_true(progress_has(&s, want_progress));

	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(log);
	g_free(offer);
	g_free(want_reply);
	g_free(want_progress);
	g_free(vers);
}

/* max_protocol caps the offer: a server that wants 14 meets a client that
 * offers 12 at most, answers VER 0 and the user reads why. */
static void
test_no_common_version(void)
{
	const char *args[] = { "--versions", "13-14", "--account", "alice@example.com:secret", NULL };
	MsnpServer *server = msnp_server_start(args);
	PurpleAccount *account = msnp_account_new("alice@example.com", "secret", server);
	char *offer = expected_offer(12);
	MsnpSignin s;
	char *log;

	purple_account_set_int(account, "max_protocol", 12);
	msnp_signin(account, 10000, &s);
	log = msnp_server_log(server);
	g_assert_nonnull(strstr(log, offer));
	g_assert_true(s.failed);
	g_assert_cmpint(s.reason, ==, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS);
	g_assert_nonnull(strstr(s.error_text, "MSNP8 to MSNP12"));
	g_assert_false(progress_has(&s, "Negotiated"));

	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(log);
	g_free(offer);
}

/* max_protocol 8 offers MSNP8 alone. */
static void
test_offer_capped_at_8(void)
{
	const char *args[] = { "--versions", "8-14", "--account", "alice@example.com:secret", NULL };
	MsnpServer *server = msnp_server_start(args);
	PurpleAccount *account = msnp_account_new("alice@example.com", "secret", server);
	MsnpSignin s;
	char *log;

	purple_account_set_int(account, "max_protocol", 8);
	msnp_signin(account, 10000, &s);
	log = msnp_server_log(server);
	g_assert_nonnull(strstr(log, "C: VER 1 MSNP8 CVR0"));
	g_assert_nonnull(strstr(log, "S: VER 1 MSNP8"));
	g_assert_true(progress_has(&s, "Negotiated MSNP8"));

	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(log);
}

int
main(int argc, char **argv)
{
	guint v;

	msnp_driver_init(&argc, &argv);
	for (v = 8; v <= 14; v++) {
		char *path = g_strdup_printf("/negotiate/only-msnp%u", v);
		g_test_add_data_func(path, GUINT_TO_POINTER(v), test_only_version);
		g_free(path);
	}
	g_test_add_func("/negotiate/no-common-version", test_no_common_version);
	g_test_add_func("/negotiate/offer-capped-at-8", test_offer_capped_at_8);
	return g_test_run();
}
