/* Every sign-in failure a user must understand, provoked by the test server:
 * the libpurple reason (which decides whether libpurple reconnects) and a
 * sentence that names the problem.  Then the connection is dropped, or left
 * silent, after each step of sign-in in turn: the plugin never hangs, never
 * crashes, and reports a network error. */
#include <string.h>

#include "integration/driver.h"

#define USER "alice@example.com"
#define PASS "secret"

/* Seconds the plugin waits for a silent server in these tests. */
#define TIMEOUT_S 2

typedef struct {
	const char *path;
	guint version;                /* max_protocol and --versions */
	const char *args[6];          /* extra server arguments */
	const char *tweak_key, *tweak_value;  /* an account setting to change */
	PurpleConnectionError reason;
	const char *text;             /* must appear in the message */
} ErrorCase;

#define NET PURPLE_CONNECTION_ERROR_NETWORK_ERROR
#define AUTH PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED

static const ErrorCase cases[] = {
	/* Numeric errors during sign-in. */
	{ "/errors/usr-500", 12, { "--fault=USR-I:error:500" }, NULL, NULL, NET, "internal error (500)" },
	{ "/errors/usr-600", 12, { "--fault=USR-I:error:600" }, NULL, NULL, NET, "busy or unavailable (600)" },
	{ "/errors/usr-601", 9, { "--fault=USR-I:error:601" }, NULL, NULL, NET, "busy or unavailable (601)" },
	{ "/errors/usr-910", 14, { "--fault=USR-I:error:910" }, NULL, NULL, NET, "too busy or unavailable (910)" },
	{ "/errors/usr-921", 11, { "--fault=USR-I:error:921" }, NULL, NULL, NET, "too busy or unavailable (921)" },
	{ "/errors/unknown-account", 12, { NULL }, "username", "nobody@example.com", AUTH,
	  "check the e-mail address and password" },
	{ "/errors/ticket-refused", 10, { "--fault=USR-S:error:911" }, NULL, NULL, AUTH,
	  "check the e-mail address and password" },
	{ "/errors/not-verified", 14, { "--fault=USR-S:error:924" }, NULL, NULL,
	  PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE, "not been verified" },
	{ "/errors/cvr-710", 12, { "--fault=CVR:error:710" }, NULL, NULL,
	  PURPLE_CONNECTION_ERROR_OTHER_ERROR, "does not accept this client's version" },
	{ "/errors/redirect-loop", 12, { "--dispatch-loop" }, NULL, NULL, NET, "kept redirecting" },
	/* The web side. */
	{ "/errors/auth-host-unreachable/passport", 9, { NULL }, "nexus_url",
	  "https://127.0.0.1:1/rdr/pprdr.asp", NET, "Could not reach 127.0.0.1" },
	{ "/errors/auth-host-unreachable/rst", 13, { NULL }, "rst_url",
	  "https://127.0.0.1:1/RST.srf", NET, "Could not reach 127.0.0.1" },
	{ "/errors/soap-fault", 12, { "--rst-fault=wsse:InvalidSecurityToken" }, NULL, NULL, NET,
	  "refused the request" },
	{ "/errors/rst-http-500", 14, { "--http-status=/RST.srf=500" }, NULL, NULL, NET, "HTTP 500" },
	{ "/errors/rst-no-token", 12, { "--rst-no-token" }, NULL, NULL, NET, "no ticket for Messenger" },
	{ "/errors/nexus-503", 8, { "--http-status=/rdr/pprdr.asp=503" }, NULL, NULL, NET, "HTTP 503" },
	{ "/errors/nexus-no-dalogin", 11, { "--nexus-no-dalogin" }, NULL, NULL, NET, "no DALogin" },
	{ "/errors/passport-redirect-loop", 10, { "--passport-redirects=50" }, NULL, NULL, NET,
	  "redirected the sign-in too many times" },
	{ "/errors/passport-redirect-to-http", 10, { "--passport-redirect-http" }, NULL, NULL, NET,
	  "the password was not sent" },
	{ "/errors/rst-silent", 12, { "--http-silent=/RST.srf" }, NULL, NULL, NET, "did not answer in time" },
	{ "/errors/port-out-of-range", 12, { NULL }, "port", "0",
	  PURPLE_CONNECTION_ERROR_INVALID_SETTINGS, "from 1 to 65535" },
	{ "/errors/not-an-email", 12, { NULL }, "username", "alice",
	  PURPLE_CONNECTION_ERROR_INVALID_USERNAME, "e-mail address" },
	/* Dropped by the server once signed in. */
	{ "/errors/out-oth", 12, { "--push=OUT OTH" }, NULL, NULL,
	  PURPLE_CONNECTION_ERROR_NAME_IN_USE, "signed in from another location" },
	{ "/errors/out-ssd", 9, { "--push=OUT SSD" }, NULL, NULL, NET, "maintenance" },
	{ "/errors/out-rct", 11, { "--push=OUT RCT 5" }, NULL, NULL, NET, "for 5 minutes" },
	{ "/errors/out-tou", 10, { "--push=OUT TOU" }, NULL, NULL,
	  PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE, "terms of use" },
};

static void
apply(PurpleAccount *account, MsnpServer *server, const ErrorCase *c)
{
	msnp_account_use_https(account, server);
	purple_account_set_int(account, "max_protocol", (int)c->version);
	purple_account_set_int(account, "request_timeout", TIMEOUT_S);
	if (c->tweak_key == NULL)
		return;
	if (strcmp(c->tweak_key, "username") == 0)
		purple_account_set_username(account, c->tweak_value);
	else if (strcmp(c->tweak_key, "port") == 0)
		purple_account_set_int(account, "port", atoi(c->tweak_value));
	else
		purple_account_set_string(account, c->tweak_key, c->tweak_value);
}

static void
test_error(gconstpointer data)
{
	const ErrorCase *c = data;
	char *vers = g_strdup_printf("--versions=%u", c->version);
	const char *args[10] = { vers, "--account=" USER ":" PASS };
	MsnpServer *server;
	PurpleAccount *account;
	MsnpSignin s;
	guint i, n = 2;

	for (i = 0; c->args[i] && n < G_N_ELEMENTS(args) - 1; i++)
		args[n++] = c->args[i];
	server = msnp_server_start_https(args);
	account = msnp_account_new(USER, PASS, server);
	apply(account, server, c);
	msnp_signin(account, 20000, &s);
	/* A server that drops the session once it is up (OUT …) may do so just
	 * after libpurple has seen it signed on. */
	if (s.signed_on && !s.failed)
		msnp_signin_wait_failure(&s, 10000);
	if (!s.failed)
		g_printerr("# expected a failure; signed_on=%d\n", s.signed_on);
	else
		g_printerr("# reason %d: %s\n", s.reason, s.error_text);
	g_assert_true(s.failed);
	g_assert_cmpint(s.reason, ==, c->reason);
	g_assert_nonnull(strstr(s.error_text, c->text));
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(vers);
}

/* Connection refused at the configured server. */
static void
test_refused(void)
{
	PurpleAccount *account = msnp_account_new(USER, PASS, NULL);
	MsnpSignin s;

	purple_account_set_string(account, "server", "127.0.0.1");
	purple_account_set_int(account, "port", 1);
	msnp_signin(account, 10000, &s);
	g_assert_true(s.failed);
	g_assert_cmpint(s.reason, ==, NET);
	g_assert_nonnull(strstr(s.error_text, "Could not connect to 127.0.0.1:1"));
	msnp_account_free(account);
	msnp_signin_clear(&s);
}

/* The connection closes, or goes silent, after each client command of the
 * sign-in in turn: always a network error, never a hang. */
static void
test_drop_each_step(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	guint step;

	/* Until a drop comes after the last sign-in command (then sign-in
	 * completes): every step of that version's sequence is covered. */
	for (step = 1; ; step++) {
		char *vers = g_strdup_printf("--versions=%u", version);
		char *drop = g_strdup_printf("--drop-after=%u", step);
		const char *args[] = { vers, "--account=" USER ":" PASS, drop, NULL };
		MsnpServer *server = msnp_server_start_https(args);
		PurpleAccount *account = msnp_account_new(USER, PASS, server);
		MsnpSignin s;

		msnp_account_use_https(account, server);
		purple_account_set_int(account, "request_timeout", TIMEOUT_S);
		msnp_signin(account, 20000, &s);
		if (s.signed_on) {
			/* VER CVR USR USR and at least one list command came first. */
			g_assert_cmpuint(step, >=, 6);
			msnp_account_free(account);
			msnp_server_stop(server);
			msnp_signin_clear(&s);
			g_free(drop);
			g_free(vers);
			break;
		}
		g_assert_true(s.failed);
		g_assert_cmpint(s.reason, ==, NET);
		g_assert_nonnull(s.error_text);
		msnp_account_free(account);
		msnp_server_stop(server);
		msnp_signin_clear(&s);
		g_free(drop);
		g_free(vers);
	}
}

static void
test_silent_each_step(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	static const char *steps_8_12[] = { "VER", "CVR", "USR-I", "USR-S", "SYN", "CHG", NULL };
	static const char *steps_13_14[] = { "VER", "CVR", "USR-I", "USR-S", "CHG", NULL };
	const char **steps = version >= 13 ? steps_13_14 : steps_8_12;
	guint i;

	for (i = 0; steps[i]; i++) {
		char *vers = g_strdup_printf("--versions=%u", version);
		char *fault = g_strdup_printf("--fault=%s:hang", steps[i]);
		const char *args[] = { vers, "--account=" USER ":" PASS, fault, NULL };
		MsnpServer *server = msnp_server_start_https(args);
		PurpleAccount *account = msnp_account_new(USER, PASS, server);
		MsnpSignin s;

		msnp_account_use_https(account, server);
		purple_account_set_int(account, "request_timeout", TIMEOUT_S);
		msnp_signin(account, 20000, &s);
		if (!s.failed)
			g_printerr("# MSNP%u silent at %s: no failure\n", version, steps[i]);
		g_assert_true(s.failed);
		g_assert_cmpint(s.reason, ==, NET);
		g_assert_nonnull(strstr(s.error_text, "stopped answering"));
		msnp_account_free(account);
		msnp_server_stop(server);
		msnp_signin_clear(&s);
		g_free(fault);
		g_free(vers);
	}
}

/* Garbage from the server: an over-long line is a protocol error; a short
 * malformed line is skipped and sign-in goes on. */
static void
test_garbage(void)
{
	const char *args[] = { "--versions=12", "--account=" USER ":" PASS, "--fault=CVR:garbage", NULL };
	const char *args2[] = { "--versions=12", "--account=" USER ":" PASS, "--fault=VER:junk",
	                        "--fault=USR-S:binary", NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	MsnpSignin s;

	msnp_account_use_https(account, server);
	purple_account_set_int(account, "request_timeout", TIMEOUT_S);
	msnp_signin(account, 20000, &s);
	g_assert_true(s.failed);
	g_assert_cmpint(s.reason, ==, NET);
	g_assert_nonnull(strstr(s.error_text, "not MSN protocol"));
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);

	server = msnp_server_start_https(args2);
	account = msnp_account_new(USER, PASS, server);
	msnp_account_use_https(account, server);
	msnp_signin(account, 20000, &s);
	g_assert_true(s.signed_on);
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
}

/* OUT MIG: sign in again at once, on the same server; stays online. */
static void
test_out_mig(void)
{
	const char *args[] = { "--versions=10", "--account=" USER ":" PASS, "--push=OUT MIG", NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	MsnpSignin s;

	msnp_account_use_https(account, server);
	msnp_signin(account, 20000, &s);
	g_assert_true(s.signed_on);
	/* Two sign-ins reach USR OK: the first, and the one after OUT MIG. */
	g_assert_cmpuint(msnp_server_wait_log(server, "OK " USER, 2, 10000), >=, 2);
	g_assert_true(purple_account_is_connected(account));
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
}

/* CHL is answered with the version's scheme (the server checks it). */
static void
test_challenge(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	char *vers = g_strdup_printf("--versions=%u", version);
	const char *args[] = { vers, "--account=" USER ":" PASS, "--challenge=22210219642164014968", NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	MsnpSignin s;
	char *log;

	msnp_account_use_https(account, server);
	msnp_signin(account, 20000, &s);
	g_assert_true(s.signed_on);
	g_assert_cmpuint(msnp_server_wait_log(server, "-- QRY ok", 1, 10000), ==, 1);
	log = msnp_server_log(server);
	g_assert_null(strstr(log, "QRY bad"));
	g_assert_true(purple_account_is_connected(account));
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
	g_free(log);
	g_free(vers);
}

/* PNG at the interval QNG asks for. */
static void
test_keepalive(void)
{
	const char *args[] = { "--versions=12", "--account=" USER ":" PASS, "--push=QNG 5",
	                       "--qng=5", NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	MsnpSignin s;

	msnp_account_use_https(account, server);
	msnp_signin(account, 20000, &s);
	g_assert_true(s.signed_on);
	g_assert_cmpuint(msnp_server_wait_log(server, "-- PNG", 2, 16000), >=, 2);
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
}

/* The remembered NS fails: the plugin falls back to the configured server. */
static void
test_remembered_fallback(void)
{
	const char *args[] = { "--dispatch-once", "--account=" USER ":" PASS, NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new(USER, PASS, server);
	MsnpSignin s;

	msnp_account_use_https(account, server);
	msnp_signin(account, 20000, &s);
	g_assert_true(s.signed_on);
	msnp_signin_clear(&s);
	msnp_signout(account);
	msnp_server_control(server, "ns2-fail on");
	msnp_server_wait_log(server, "-- control: ns2-fail", 1, 5000);
	msnp_signin(account, 20000, &s);
	g_assert_true(s.signed_on);
	msnp_account_free(account);
	msnp_server_stop(server);
	msnp_signin_clear(&s);
}

int
main(int argc, char **argv)
{
	gsize i;
	guint versions[] = { 8, 12, 14 };

	msnp_driver_init(&argc, &argv);
	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		g_test_add_data_func(cases[i].path, &cases[i], test_error);
	g_test_add_func("/errors/connection-refused", test_refused);
	for (i = 0; i < G_N_ELEMENTS(versions); i++) {
		char *p = g_strdup_printf("/errors/drop-each-step/msnp%u", versions[i]);
		char *q = g_strdup_printf("/errors/silent-each-step/msnp%u", versions[i]);
		char *r = g_strdup_printf("/errors/challenge/msnp%u", versions[i]);
		g_test_add_data_func(p, GUINT_TO_POINTER(versions[i]), test_drop_each_step);
		g_test_add_data_func(q, GUINT_TO_POINTER(versions[i]), test_silent_each_step);
		g_test_add_data_func(r, GUINT_TO_POINTER(versions[i]), test_challenge);
		g_free(p);
		g_free(q);
		g_free(r);
	}
	g_test_add_func("/errors/garbage", test_garbage);
	g_test_add_func("/errors/out-mig", test_out_mig);
	g_test_add_func("/errors/keepalive", test_keepalive);
	g_test_add_func("/errors/remembered-server-fallback", test_remembered_fallback);
	return g_test_run();
}
