/* The plugin's strings come from its own gettext domain: under LANGUAGE=de
 * the built German catalogue shows in status names and in sign-in errors. */
#include "integration/driver.h"

#include <libintl.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <status.h>

static void
bind_built_catalogue(void)
{
	/* The plugin binds its domain to the installed locale folder; the test
	 * points it at the catalogue `make` compiled into the build folder. */
	char *dir = g_build_filename(msnp_builddir(), "locale", NULL);
	char *abs = g_canonicalize_filename(dir, NULL);
	char *mo = g_build_filename(abs, "de", "LC_MESSAGES", "purple-msnp.mo", NULL);

	g_assert_true(g_file_test(mo, G_FILE_TEST_EXISTS));
	bindtextdomain("purple-msnp", abs);
	g_free(mo);
	g_free(abs);
	g_free(dir);
}

static void
test_status_names(void)
{
	PurpleAccount *account = msnp_account_new("lang@example.com", "x", NULL);
	PurpleStatusType *away = purple_account_get_status_type(account, "away");
	PurpleStatusType *hidden = purple_account_get_status_type(account, "invisible");

	g_assert_nonnull(away);
	g_assert_cmpstr(purple_status_type_get_name(away), ==, "Abwesend");
	g_assert_cmpstr(purple_status_type_get_name(hidden), ==, "Offline erscheinen");
	msnp_account_free(account);
}

static void
test_error_text(void)
{
	PurpleAccount *account = msnp_account_new("lang@example.com", "x", NULL);
	MsnpSignin s;

	purple_account_set_string(account, "server", "");
	msnp_signin(account, 5000, &s);
	g_assert_true(s.failed);
	g_assert_cmpint(s.reason, ==, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS);
	g_assert_nonnull(strstr(s.error_text, "Kein Server eingestellt"));
	msnp_signin_clear(&s);
	msnp_account_free(account);
}

int
main(int argc, char **argv)
{
	g_setenv("LANGUAGE", "de", TRUE);
	setlocale(LC_ALL, "");
	msnp_driver_init(&argc, &argv);
	bind_built_catalogue();
	g_test_add_func("/i18n/status-names", test_status_names);
	g_test_add_func("/i18n/error-text", test_error_text);
	return g_test_run();
}
