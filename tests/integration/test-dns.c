/* A server name that does not resolve: a network error naming the host, and
 * the same for a web-service host.  The lookup never leaves the machine: the
 * test runs with tests/shim/libnodns.so preloaded, which fails every name
 * under ".invalid" (it re-executes itself with LD_PRELOAD set). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "integration/driver.h"

static void
test_ns_host(void)
{
	PurpleAccount *account = msnp_account_new("alice@example.com", "pw", NULL);
	MsnpSignin s;

	purple_account_set_string(account, "server", "msn.example.invalid");
	purple_account_set_int(account, "port", 1863);
	msnp_signin(account, 15000, &s);
	g_assert_true(s.failed);
	g_assert_cmpint(s.reason, ==, PURPLE_CONNECTION_ERROR_NETWORK_ERROR);
	g_assert_nonnull(strstr(s.error_text, "msn.example.invalid"));
	msnp_account_free(account);
	msnp_signin_clear(&s);
}

static void
test_web_host(void)
{
	const char *args[] = { "--versions=12", "--account=alice@example.com:pw", NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new("alice@example.com", "pw", server);
	MsnpSignin s;

	msnp_account_use_https(account, server);
	purple_account_set_string(account, "rst_url", "https://login.example.invalid/RST.srf");
	msnp_signin(account, 15000, &s);
	g_assert_true(s.failed);
	g_assert_cmpint(s.reason, ==, PURPLE_CONNECTION_ERROR_NETWORK_ERROR);
	g_assert_nonnull(strstr(s.error_text, "login.example.invalid"));
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
}

int
main(int argc, char **argv)
{
	const char *builddir = g_getenv("MSNP_BUILDDIR") ? g_getenv("MSNP_BUILDDIR") : "build";
	char *shim = g_build_filename(builddir, "tests", "shim", "libnodns.so", NULL);
	char *abs = g_canonicalize_filename(shim, NULL);
	const char *pre = g_getenv("LD_PRELOAD");

	if (pre == NULL || strstr(pre, "libnodns.so") == NULL) {
		char *value = pre && *pre ? g_strdup_printf("%s:%s", pre, abs) : g_strdup(abs);
		if (!g_file_test(abs, G_FILE_TEST_EXISTS))
			g_error("%s is missing: build it with make tests", abs);
		g_setenv("LD_PRELOAD", value, TRUE);
		execv("/proc/self/exe", argv);
		g_error("cannot re-execute with the DNS shim");
	}
	g_free(shim);
	g_free(abs);
	msnp_driver_init(&argc, &argv);
	g_test_add_func("/dns/server-name", test_ns_host);
	g_test_add_func("/dns/web-service-name", test_web_host);
	return g_test_run();
}
