/* Sign-in end to end against the test server's live mode: every version 8–14
 * over HTTPS (Passport 1.4 for 8–11, RST for 12–14), through a dispatch
 * redirect, and the errors a user must understand. */
#include <string.h>

#include "integration/driver.h"
#include "integration/proxy.h"

#include <proxy.h>

#define USER "alice@example.com"
#define PASS "s3cr&t<pw>"

static char *
account_arg(void)
{
	return g_strdup("--account=" USER ":" PASS ":Alice");
}

static void
test_signin_version(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	char *vers = g_strdup_printf("--versions=%u", version);
	char *acc = account_arg();
	/* Through a dispatch server, as official clients met it. */
	const char *args[] = { vers, acc, "--dispatch", NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	MsnpSignin s;
	char *log, *want;
	guint i;

	msnp_account_use_https(account, server);
	msnp_debug_clear();
	msnp_signin(account, 15000, &s);
	if (!s.signed_on)
		g_printerr("# sign-in failed: %s\n", s.error_text ? s.error_text : "(timeout)");
	g_assert_true(s.signed_on);
	g_assert_false(s.failed);
	log = msnp_server_log(server);
	want = g_strdup_printf("S: VER 1 MSNP%u", version);
	g_assert_nonnull(strstr(log, want));
	g_assert_nonnull(strstr(log, " NS 127.0.0.1:"));   /* the XFR NS redirect */
	g_assert_nonnull(strstr(log, " OK " USER));
	/* The method the version calls for. */
	if (version <= 11)
		g_assert_nonnull(strstr(log, "/login2.srf"));
	else
		g_assert_nonnull(strstr(log, "/RST.srf"));
	/* Neither the password nor the ticket reaches the debug log. */
	for (i = 0; i < msnp_debug_lines()->len; i++) {
		const char *line = g_ptr_array_index(msnp_debug_lines(), i);
		g_assert_null(strstr(line, PASS));
		g_assert_null(strstr(line, "s3cr"));
		g_assert_null(strstr(line, "t="));
	}
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(want);
	g_free(log);
	g_free(acc);
	g_free(vers);
}

static void
test_wrong_password(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	char *vers = g_strdup_printf("--versions=%u", version);
	char *acc = account_arg();
	const char *args[] = { vers, acc, NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, "not-the-password", server);
	MsnpSignin s;

	msnp_account_use_https(account, server);
	msnp_signin(account, 15000, &s);
	g_assert_true(s.failed);
	g_assert_cmpint(s.reason, ==, PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED);
	g_assert_nonnull(strstr(s.error_text, "password is wrong"));
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(acc);
	g_free(vers);
}

/* Without the fingerprint the self-signed certificate is refused, and the
 * message shows the fingerprint to trust. */
static void
test_untrusted_certificate(void)
{
	char *acc = account_arg();
	const char *args[] = { "--versions=12", acc, NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	const char *cert, *key, *fp;
	MsnpSignin s;

	msnp_test_cert(&cert, &key, &fp);
	msnp_account_use_https(account, server);
	purple_account_set_string(account, "tls_fingerprint", "");
	msnp_signin(account, 15000, &s);
	g_assert_true(s.failed);
	g_assert_cmpint(s.reason, ==, PURPLE_CONNECTION_ERROR_CERT_UNTRUSTED);
	g_assert_nonnull(strstr(s.error_text, fp));
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(acc);
}

/* A dispatch server redirects with XFR NS; the NS it named is remembered and
 * the next sign-in goes there directly. */
static void
test_dispatch_redirect(void)
{
	char *acc = account_arg();
	const char *args[] = { "--dispatch", acc, NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	MsnpSignin s;
	char *log, *second;
	gsize before;

	msnp_account_use_https(account, server);
	msnp_signin(account, 15000, &s);
	g_assert_true(s.signed_on);
	log = msnp_server_log(server);
	g_assert_nonnull(strstr(log, "XFR 3 NS 127.0.0.1:"));
	before = strlen(log);
	msnp_signin_clear(&s);

	msnp_signout(account);
	msnp_signin(account, 15000, &s);
	g_assert_true(s.signed_on);
	g_free(log);
	log = msnp_server_log(server);
	second = log + before;
	g_assert_nonnull(strstr(second, "OK " USER));
	g_assert_null(strstr(second, "XFR"));

	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(log);
	g_free(acc);
}

static gboolean
targets_have(const GPtrArray *targets, int port)
{
	char *want = g_strdup_printf("127.0.0.1:%d", port);
	gboolean found = FALSE;
	guint i;

	for (i = 0; i < targets->len; i++)
		found = found || strcmp(g_ptr_array_index(targets, i), want) == 0;
	g_free(want);
	return found;
}

/* The account's proxy carries both the NS connection and the HTTPS sign-in. */
static void
test_account_proxy(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	char *vers = g_strdup_printf("--versions=%u", version);
	char *acc = account_arg();
	const char *args[] = { vers, acc, NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	MsnpProxy *proxy = msnp_proxy_start();
	PurpleProxyInfo *info = purple_proxy_info_new();
	MsnpSignin s;

	purple_proxy_info_set_type(info, PURPLE_PROXY_HTTP);
	purple_proxy_info_set_host(info, "127.0.0.1");
	purple_proxy_info_set_port(info, msnp_proxy_port(proxy));
	purple_account_set_proxy_info(account, info);
	msnp_account_use_https(account, server);
	msnp_signin(account, 15000, &s);
	g_assert_true(s.signed_on);
	g_assert_true(targets_have(msnp_proxy_targets(proxy), server->ns_port));
	g_assert_true(targets_have(msnp_proxy_targets(proxy), server->https_port));

	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_proxy_stop(proxy);
	msnp_signin_clear(&s);
	g_free(acc);
	g_free(vers);
}

/* Tickets are chosen by the address they are for: a server that numbers a
 * decoy token Compact1 does not fool the plugin. */
static void
test_ticket_by_address(void)
{
	char *acc = account_arg();
	const char *args[] = { "--versions=14", acc, "--rst-compact-swap", NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	MsnpSignin s;

	msnp_account_use_https(account, server);
	msnp_signin(account, 15000, &s);
	g_assert_true(s.signed_on);
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(acc);
}

/* Official servers' Passport shapes: DALogin without a scheme, from-PP
 * without quotes. */
static void
test_passport_variants(void)
{
	char *acc = account_arg();
	const char *args[] = { "--versions=9", acc, "--nexus-dalogin-noscheme", "--passport-unquoted",
	                       "--passport-redirects=2", NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	MsnpSignin s;

	msnp_account_use_https(account, server);
	msnp_signin(account, 15000, &s);
	g_assert_true(s.signed_on);
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(acc);
}

int
main(int argc, char **argv)
{
	guint v;

	msnp_driver_init(&argc, &argv);
	for (v = 8; v <= 14; v++) {
		char *path = g_strdup_printf("/signin/msnp%u", v);
		g_test_add_data_func(path, GUINT_TO_POINTER(v), test_signin_version);
		g_free(path);
	}
	g_test_add_data_func("/signin/wrong-password/passport14", GUINT_TO_POINTER(9), test_wrong_password);
	g_test_add_data_func("/signin/wrong-password/rst", GUINT_TO_POINTER(13), test_wrong_password);
	g_test_add_func("/signin/untrusted-certificate", test_untrusted_certificate);
	g_test_add_func("/signin/dispatch-redirect", test_dispatch_redirect);
	g_test_add_func("/signin/ticket-chosen-by-address", test_ticket_by_address);
	g_test_add_func("/signin/passport-official-shapes", test_passport_variants);
	g_test_add_data_func("/signin/proxy/passport14", GUINT_TO_POINTER(10), test_account_proxy);
	g_test_add_data_func("/signin/proxy/rst", GUINT_TO_POINTER(14), test_account_proxy);
	return g_test_run();
}
