/* purple-msnp tests — a headless libpurple driver. */
#include "integration/driver.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <core.h>
#include <notify.h>
#include <debug.h>
#include <eventloop.h>
#include <plugin.h>
#include <prefs.h>
#include <signals.h>

#define UI_ID "msnp-test"

static char *builddir;
static char *userdir;
static GPtrArray *debug_lines;
static GArray *debug_times;
static MsnpSignin *current_signin;

/* ---- GLib event loop for libpurple ---- */

typedef struct {
	PurpleInputFunction func;
	gpointer data;
} IoClosure;

static gboolean
io_invoke(GIOChannel *source, GIOCondition condition, gpointer data)
{
	IoClosure *c = data;
	int cond = 0;

	if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))
		cond |= PURPLE_INPUT_READ;
	if (condition & (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL))
		cond |= PURPLE_INPUT_WRITE;
	c->func(c->data, g_io_channel_unix_get_fd(source), (PurpleInputCondition)cond);
	return TRUE;
}

static guint
io_add(gint fd, PurpleInputCondition condition, PurpleInputFunction func, gpointer data)
{
	IoClosure *c = g_new0(IoClosure, 1);
	GIOChannel *ch = g_io_channel_unix_new(fd);
	GIOCondition cond = 0;
	guint id;

	c->func = func;
	c->data = data;
	if (condition & PURPLE_INPUT_READ)
		cond |= G_IO_IN | G_IO_HUP | G_IO_ERR;
	if (condition & PURPLE_INPUT_WRITE)
		cond |= G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL;
	id = g_io_add_watch_full(ch, G_PRIORITY_DEFAULT, cond, io_invoke, c, g_free);
	g_io_channel_unref(ch);
	return id;
}

static PurpleEventLoopUiOps loop_ops = {
	.timeout_add = g_timeout_add,
	.timeout_remove = g_source_remove,
	.input_add = io_add,
	.input_remove = g_source_remove,
	.timeout_add_seconds = g_timeout_add_seconds,
};

/* ---- What a UI would see ---- */

static void
debug_print(PurpleDebugLevel level, const char *category, const char *arg)
{
	char *line = g_strdup_printf("%s: %s", category ? category : "", arg);
	gint64 now = g_get_monotonic_time();

	g_strchomp(line);
	g_ptr_array_add(debug_lines, line);
	g_array_append_val(debug_times, now);
	if (g_getenv("MSNP_TEST_VERBOSE"))
		g_printerr("# %s\n", line);
}

static gboolean
debug_is_enabled(PurpleDebugLevel level, const char *category)
{
	return TRUE;
}

static PurpleDebugUiOps debug_ops = {
	.print = debug_print,
	.is_enabled = debug_is_enabled,
};

static void
connect_progress(PurpleConnection *gc, const char *text, size_t step, size_t count)
{
	if (current_signin && current_signin->progress)
		g_ptr_array_add(current_signin->progress, g_strdup(text));
}

static PurpleConnectionUiOps conn_ops = {
	.connect_progress = connect_progress,
};

static void
signed_on_cb(PurpleConnection *gc, gpointer data)
{
	if (current_signin)
		current_signin->signed_on = TRUE;
}

static void
connection_error_cb(PurpleConnection *gc, PurpleConnectionError reason, const char *text,
                    gpointer data)
{
	if (current_signin) {
		current_signin->failed = TRUE;
		current_signin->reason = reason;
		g_free(current_signin->error_text);
		current_signin->error_text = g_strdup(text);
	}
}

static gboolean handle;
static GPtrArray *auth_requests;
static GPtrArray *notices;

static void *
notify_message(PurpleNotifyMsgType type, const char *title, const char *primary,
               const char *secondary)
{
	g_ptr_array_add(notices, g_strdup_printf("%s: %s: %s", title ? title : "",
	                                         primary ? primary : "", secondary ? secondary : ""));
	return NULL;
}

static PurpleNotifyUiOps notify_ops = {
	.notify_message = notify_message,
};

const GPtrArray *
msnp_notices(void)
{
	return notices;
}

gboolean
msnp_notices_contain(const char *needle)
{
	guint i;

	for (i = 0; i < notices->len; i++)
		if (strstr(g_ptr_array_index(notices, i), needle))
			return TRUE;
	return FALSE;
}

void
msnp_notices_clear(void)
{
	g_ptr_array_set_size(notices, 0);
}

static void
auth_request_free(gpointer p)
{
	MsnpAuthRequest *r = p;

	g_free(r->who);
	g_free(r->alias);
	g_free(r);
}

static void *
request_authorize(PurpleAccount *account, const char *remote_user, const char *id,
                  const char *alias, const char *message, gboolean on_list,
                  PurpleAccountRequestAuthorizationCb authorize_cb,
                  PurpleAccountRequestAuthorizationCb deny_cb, void *user_data)
{
	MsnpAuthRequest *r = g_new0(MsnpAuthRequest, 1);

	r->account = account;
	r->who = g_strdup(remote_user);
	r->alias = g_strdup(alias);
	r->on_list = on_list;
	r->authorize_cb = authorize_cb;
	r->deny_cb = deny_cb;
	r->data = user_data;
	g_ptr_array_add(auth_requests, r);
	return r;
}

static void
close_account_request(void *ui_handle)
{
}

static PurpleAccountUiOps account_ops = {
	.request_authorize = request_authorize,
	.close_account_request = close_account_request,
};

const GPtrArray *
msnp_auth_requests(void)
{
	return auth_requests;
}

void
msnp_auth_requests_clear(void)
{
	g_ptr_array_set_size(auth_requests, 0);
}

void
msnp_auth_answer(guint i, gboolean allow)
{
	MsnpAuthRequest *r = g_ptr_array_index(auth_requests, i);

	g_assert_false(r->answered);
	r->answered = TRUE;
	if (allow)
		r->authorize_cb(r->data);
	else
		r->deny_cb(r->data);
}

const char *
msnp_builddir(void)
{
	return builddir;
}

const char *
msnp_user_dir(void)
{
	return userdir;
}

static void
cleanup_userdir(void)
{
	if (userdir && !g_getenv("MSNP_TEST_KEEP")) {
		char *argv[] = { (char *)"rm", (char *)"-rf", userdir, NULL };
		g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
	}
}

static void
drop_log(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

void
msnp_driver_init(int *argc, char ***argv)
{
	PurplePlugin *plugin;
	char *path;
	GError *error = NULL;

	g_test_init(argc, argv, NULL);
	/* GLib's own debug chatter (GIO's socket client …) is not ours to show. */
	if (!g_getenv("MSNP_TEST_VERBOSE"))
		g_log_set_handler("GLib-GIO", G_LOG_LEVEL_DEBUG, drop_log, NULL);
	signal(SIGPIPE, SIG_IGN);
	builddir = g_strdup(g_getenv("MSNP_BUILDDIR") ? g_getenv("MSNP_BUILDDIR") : "build");
	userdir = g_dir_make_tmp("msnp-test-XXXXXX", &error);
	g_assert_no_error(error);
	atexit(cleanup_userdir);
	debug_lines = g_ptr_array_new_with_free_func(g_free);
	debug_times = g_array_new(FALSE, FALSE, sizeof(gint64));

	purple_util_set_user_dir(userdir);
	purple_debug_set_enabled(FALSE);
	purple_debug_set_ui_ops(&debug_ops);
	purple_eventloop_set_ui_ops(&loop_ops);
	purple_connections_set_ui_ops(&conn_ops);
	auth_requests = g_ptr_array_new_with_free_func(auth_request_free);
	purple_accounts_set_ui_ops(&account_ops);
	notices = g_ptr_array_new_with_free_func(g_free);
	purple_notify_set_ui_ops(&notify_ops);
	/* libpurple registers protocol plugins while probing its search path at
	 * start-up: put the build folder (and only our plugin is there) on it. */
	path = g_canonicalize_filename(builddir, NULL);
	purple_plugins_add_search_path(path);
	g_free(path);
	if (!purple_core_init(UI_ID))
		g_error("libpurple did not start");
	purple_set_blist(purple_blist_new());
	purple_blist_load();
	purple_prefs_load();

	plugin = purple_find_prpl("prpl-msnp");
	if (plugin == NULL || !purple_plugin_is_loaded(plugin))
		g_error("the plugin was not loaded from %s", builddir);
	if (!g_str_has_suffix(plugin->path, "libmsnp.so"))
		g_error("prpl-msnp came from %s, not from the build folder", plugin->path);

	purple_signal_connect(purple_connections_get_handle(), "signed-on", &handle,
	                      PURPLE_CALLBACK(signed_on_cb), NULL);
	purple_signal_connect(purple_connections_get_handle(), "connection-error", &handle,
	                      PURPLE_CALLBACK(connection_error_cb), NULL);
}

/* ---- Main loop helpers ---- */

static gboolean
timeout_flag_cb(gpointer data)
{
	*(gboolean *)data = TRUE;
	return FALSE;
}

void
msnp_run_until(gboolean *flag, guint ms)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add(ms, timeout_flag_cb, &timed_out);

	while (!timed_out && !(flag && *flag))
		g_main_context_iteration(NULL, TRUE);
	if (!timed_out)
		g_source_remove(id);
}

/* ---- The test server ---- */

static void
child_exited(GPid pid, gint status, gpointer data)
{
	MsnpServer *server = data;

	server->exited = TRUE;
	server->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	g_spawn_close_pid(pid);
}

MsnpServer *
msnp_server_start(const char *const *args)
{
	MsnpServer *server = g_new0(MsnpServer, 1);
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	int in_pipe[2], out_pipe[2], err_fd;
	GError *error = NULL;
	GString *line = g_string_new(NULL);
	gint64 deadline;
	static int counter;

	server->log_path = g_strdup_printf("%s/server-%d.log", userdir, ++counter);
	server->stderr_path = g_strdup_printf("%s/server-%d.stderr", userdir, counter);
	g_ptr_array_add(argv, g_build_filename(builddir, "msnp-testserver", NULL));
	g_ptr_array_add(argv, g_strdup("--exit-on-stdin-eof"));
	g_ptr_array_add(argv, g_strdup("--log"));
	g_ptr_array_add(argv, g_strdup(server->log_path));
	for (; args && *args; args++)
		g_ptr_array_add(argv, g_strdup(*args));
	g_ptr_array_add(argv, NULL);

	g_assert_cmpint(pipe(in_pipe), ==, 0);
	g_assert_cmpint(pipe(out_pipe), ==, 0);
	err_fd = open(server->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	g_assert_cmpint(err_fd, >=, 0);
	if (!g_spawn_async_with_fds(NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
	                            NULL, NULL, &server->pid, in_pipe[0], out_pipe[1], err_fd,
	                            &error))
		g_error("cannot start the test server: %s", error->message);
	close(in_pipe[0]);
	close(out_pipe[1]);
	close(err_fd);
	server->stdin_fd = in_pipe[1];
	g_child_watch_add(server->pid, child_exited, server);

	deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (strchr(line->str, '\n') == NULL) {
		struct pollfd p = { .fd = out_pipe[0], .events = POLLIN };
		char buf[256];
		ssize_t n;
		int left = (int)((deadline - g_get_monotonic_time()) / 1000);

		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		n = read(out_pipe[0], buf, sizeof buf);
		if (n <= 0)
			break;
		g_string_append_len(line, buf, n);
	}
	close(out_pipe[0]);
	if (sscanf(line->str, "READY ns=%d sb=%d http=%d https=%d", &server->ns_port,
	           &server->sb_port, &server->http_port, &server->https_port) != 4) {
		char *err = msnp_server_stderr(server);
		g_error("the test server did not start (said «%s», stderr «%s»)", line->str, err);
	}
	g_string_free(line, TRUE);
	g_ptr_array_free(argv, TRUE);
	return server;
}

gboolean
msnp_server_wait(MsnpServer *server, guint timeout_ms)
{
	msnp_run_until(&server->exited, timeout_ms);
	return server->exited;
}

void
msnp_server_stop(MsnpServer *server)
{
	if (server == NULL)
		return;
	if (server->stdin_fd >= 0)
		close(server->stdin_fd);
	if (!server->exited) {
		kill(server->pid, SIGTERM);
		if (!msnp_server_wait(server, 5000)) {
			kill(server->pid, SIGKILL);
			msnp_server_wait(server, 5000);
		}
	}
	g_free(server->log_path);
	g_free(server->stderr_path);
	g_free(server);
}

void
msnp_server_control(MsnpServer *server, const char *line)
{
	char *l = g_strconcat(line, "\n", NULL);
	gsize len = strlen(l);

	g_assert_cmpint(write(server->stdin_fd, l, len), ==, (gssize)len);
	g_free(l);
}

static guint
count_in(const char *hay, const char *needle)
{
	guint n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

guint
msnp_server_wait_log(MsnpServer *server, const char *needle, guint count, guint timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	guint seen = 0;

	for (;;) {
		char *log = msnp_server_log(server);
		seen = count_in(log, needle);
		g_free(log);
		if (seen >= count || g_get_monotonic_time() >= end)
			return seen;
		msnp_run_until(NULL, 50);
	}
}

static char *
read_or_empty(const char *path)
{
	char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		text = g_strdup("");
	return text;
}

char *
msnp_server_log(MsnpServer *server)
{
	return read_or_empty(server->log_path);
}

char *
msnp_server_stderr(MsnpServer *server)
{
	return read_or_empty(server->stderr_path);
}

void
msnp_test_cert(const char **cert, const char **key, const char **fingerprint)
{
	static char *c, *k, *fp;

	if (c == NULL) {
		char *out = NULL, *err = NULL, *eq;
		int status = 0;
		c = g_build_filename(userdir, "cert.pem", NULL);
		k = g_build_filename(userdir, "key.pem", NULL);
		{
			const char *gen[] = { "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
			                      "-days", "2", "-subj", "/CN=127.0.0.1",
			                      "-addext", "subjectAltName=IP:127.0.0.1",
			                      "-keyout", k, "-out", c, NULL };
			if (!g_spawn_sync(NULL, (char **)gen, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
			                  NULL, &err, &status, NULL) || status != 0)
				g_error("openssl could not make a test certificate: %s", err ? err : "");
			g_free(err);
		}
		{
			const char *fpr[] = { "openssl", "x509", "-noout", "-fingerprint", "-sha256",
			                      "-in", c, NULL };
			if (!g_spawn_sync(NULL, (char **)fpr, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
			                  &out, NULL, &status, NULL) || status != 0 ||
			    (eq = strchr(out, '=')) == NULL)
				g_error("openssl could not read the test certificate");
			fp = g_strstrip(g_strdup(eq + 1));
			g_free(out);
		}
	}
	*cert = c;
	*key = k;
	if (fingerprint)
		*fingerprint = fp;
}

MsnpServer *
msnp_server_start_https(const char *const *args)
{
	const char *cert, *key;
	GPtrArray *all = g_ptr_array_new();
	MsnpServer *server;

	msnp_test_cert(&cert, &key, NULL);
	g_ptr_array_add(all, (gpointer)"--https-port");
	g_ptr_array_add(all, (gpointer)"0");
	g_ptr_array_add(all, (gpointer)"--tls-cert");
	g_ptr_array_add(all, (gpointer)cert);
	g_ptr_array_add(all, (gpointer)"--tls-key");
	g_ptr_array_add(all, (gpointer)key);
	for (; args && *args; args++)
		g_ptr_array_add(all, (gpointer)*args);
	g_ptr_array_add(all, NULL);
	server = msnp_server_start((const char *const *)all->pdata);
	g_ptr_array_free(all, TRUE);
	return server;
}

void
msnp_account_use_https(PurpleAccount *account, MsnpServer *server)
{
	const char *cert, *key, *fp;
	char *url;

	msnp_test_cert(&cert, &key, &fp);
	url = g_strdup_printf("https://127.0.0.1:%d/rdr/pprdr.asp", server->https_port);
	purple_account_set_string(account, "nexus_url", url);
	g_free(url);
	url = g_strdup_printf("https://127.0.0.1:%d/RST.srf", server->https_port);
	purple_account_set_string(account, "rst_url", url);
	g_free(url);
	url = g_strdup_printf("https://127.0.0.1:%d/abservice/abservice.asmx", server->https_port);
	purple_account_set_string(account, "ab_url", url);
	g_free(url);
	url = g_strdup_printf("https://127.0.0.1:%d/abservice/SharingService.asmx", server->https_port);
	purple_account_set_string(account, "sharing_url", url);
	g_free(url);
	purple_account_set_string(account, "tls_fingerprint", fp);
}

/* ---- Accounts ---- */

PurpleAccount *
msnp_account_new(const char *username, const char *password, MsnpServer *server)
{
	PurpleAccount *account = purple_account_new(username, "prpl-msnp");

	purple_account_set_password(account, password);
	purple_account_set_remember_password(account, TRUE);
	if (server) {
		purple_account_set_string(account, "server", "127.0.0.1");
		purple_account_set_int(account, "port", server->ns_port);
	}
	purple_accounts_add(account);
	return account;
}

void
msnp_account_free(PurpleAccount *account)
{
	msnp_signout(account);
	purple_accounts_delete(account);
}

void
msnp_signin(PurpleAccount *account, guint timeout_ms, MsnpSignin *out)
{
	memset(out, 0, sizeof *out);
	out->progress = g_ptr_array_new_with_free_func(g_free);
	current_signin = out;
	if (purple_account_get_enabled(account, UI_ID))
		purple_account_connect(account);
	else
		purple_account_set_enabled(account, UI_ID, TRUE);
	{
		/* Iterate event by event (no polling quantum: benchmarks time this). */
		gboolean timed_out = FALSE;
		guint id = g_timeout_add(timeout_ms, timeout_flag_cb, &timed_out);
		while (!timed_out && !out->signed_on && !out->failed)
			g_main_context_iteration(NULL, TRUE);
		if (!timed_out)
			g_source_remove(id);
	}
	current_signin = NULL;
}

void
msnp_signin_clear(MsnpSignin *s)
{
	g_free(s->error_text);
	if (s->progress)
		g_ptr_array_free(s->progress, TRUE);
	memset(s, 0, sizeof *s);
}

void
msnp_signout(PurpleAccount *account)
{
	purple_account_set_enabled(account, UI_ID, FALSE);
	if (!purple_account_is_disconnected(account))
		purple_account_disconnect(account);
	/* libpurple frees connections from idle callbacks. */
	msnp_run_until(NULL, 50);
}

/* ---- Debug log ---- */

const GPtrArray *
msnp_debug_lines(void)
{
	return debug_lines;
}

gboolean
msnp_debug_contains(const char *needle)
{
	guint i;

	for (i = 0; i < debug_lines->len; i++)
		if (strstr(g_ptr_array_index(debug_lines, i), needle))
			return TRUE;
	return FALSE;
}

gint64
msnp_debug_time_of(const char *needle)
{
	guint i;

	for (i = 0; i < debug_lines->len; i++)
		if (strstr(g_ptr_array_index(debug_lines, i), needle))
			return g_array_index(debug_times, gint64, i);
	return 0;
}

void
msnp_debug_clear(void)
{
	g_array_set_size(debug_times, 0);
	g_ptr_array_set_size(debug_lines, 0);
}
