/* purple-msnp tests — a headless libpurple driver. */
#define _GNU_SOURCE           /* dladdr */
#include "integration/driver.h"

#include <dlfcn.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <glib/gstdio.h>

#include <conversation.h>
#include <core.h>
#include <notify.h>
#include <debug.h>
#include <eventloop.h>
#include <plugin.h>
#include <prefs.h>
#include <signals.h>
#include <util.h>

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

/* Timers libpurple and the plugin start through the event loop, tracked so
 * that tests can see that none of the plugin's outlives what it was for. */
typedef struct {
	GSourceFunc func;
	gpointer data;
	guint id;
	guint64 serial;       /* creation order */
	gboolean plugin;      /* the callback is in libmsnp.so */
} TimerClosure;

static GHashTable *live_timers;   /* id -> TimerClosure */
static guint64 timer_serial;

static gboolean
timer_invoke(gpointer p)
{
	TimerClosure *c = p;

	return c->func(c->data);
}

static void
timer_gone(gpointer p)
{
	TimerClosure *c = p;

	if (c->id)
		g_hash_table_remove(live_timers, GUINT_TO_POINTER(c->id));
	g_free(c);
}

static gboolean
in_plugin(gpointer func)
{
	Dl_info info;

	return dladdr(func, &info) != 0 && info.dli_fname && strstr(info.dli_fname, "libmsnp.so");
}

static guint
timer_add(guint interval, GSourceFunc func, gpointer data, gboolean seconds)
{
	TimerClosure *c = g_new0(TimerClosure, 1);

	c->func = func;
	c->data = data;
	c->serial = ++timer_serial;
	c->plugin = in_plugin((gpointer)func);
	if (seconds)
		c->id = g_timeout_add_seconds_full(G_PRIORITY_DEFAULT, interval, timer_invoke, c, timer_gone);
	else
		c->id = g_timeout_add_full(G_PRIORITY_DEFAULT, interval, timer_invoke, c, timer_gone);
	g_hash_table_insert(live_timers, GUINT_TO_POINTER(c->id), c);
	return c->id;
}

static guint
timeout_add(guint interval, GSourceFunc func, gpointer data)
{
	return timer_add(interval, func, data, FALSE);
}

static guint
timeout_add_seconds(guint interval, GSourceFunc func, gpointer data)
{
	return timer_add(interval, func, data, TRUE);
}

guint64
msnp_timers_mark(void)
{
	return timer_serial;
}

guint
msnp_plugin_timers_since(guint64 mark)
{
	GHashTableIter it;
	gpointer v;
	guint n = 0;

	g_hash_table_iter_init(&it, live_timers);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		TimerClosure *c = v;
		if (c->plugin && c->serial > mark)
			n++;
	}
	return n;
}

static PurpleEventLoopUiOps loop_ops = {
	.timeout_add = timeout_add,
	.timeout_remove = g_source_remove,
	.input_add = io_add,
	.input_remove = g_source_remove,
	.timeout_add_seconds = timeout_add_seconds,
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
static GPtrArray *conv_events;
static GPtrArray *notices;

static void *
notify_message(PurpleNotifyMsgType type, const char *title, const char *primary,
               const char *secondary)
{
	g_ptr_array_add(notices, g_strdup_printf("%s: %s: %s", title ? title : "",
	                                         primary ? primary : "", secondary ? secondary : ""));
	return NULL;
}

/* Get Info: "userinfo: WHO: label: value\nlabel: value…". */
static void *
notify_userinfo(PurpleConnection *gc, const char *who, PurpleNotifyUserInfo *info)
{
	char *text = purple_notify_user_info_get_text_with_newline(info, "\n");
	char *plain = purple_markup_strip_html(text);

	g_ptr_array_add(notices, g_strdup_printf("userinfo: %s: %s", who, plain));
	g_free(plain);
	g_free(text);
	return NULL;
}

static PurpleNotifyUiOps notify_ops = {
	.notify_message = notify_message,
	.notify_userinfo = notify_userinfo,
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

/* ---- Timeouts ---- */

guint
msnp_ms(guint ms)
{
	static guint scale;

	if (scale == 0) {
		const char *env = g_getenv("MSNP_TEST_TIMEOUT_SCALE");
		guint64 v = env ? g_ascii_strtoull(env, NULL, 10) : 1;
		scale = (guint)CLAMP(v, 1, 100);
	}
	return ms > G_MAXUINT / scale ? G_MAXUINT : ms * scale;
}

/* ---- Conversations ---- */

static void
conv_event_free(gpointer p)
{
	MsnpConvEvent *e = p;

	g_free(e->who);
	g_free(e->text);
	g_free(e->conv_name);
	g_free(e);
}

static MsnpConvEvent *
conv_event_add(MsnpConvEventKind kind, PurpleAccount *account, const char *who,
               const char *text, PurpleConversation *conv, PurpleMessageFlags flags)
{
	MsnpConvEvent *e = g_new0(MsnpConvEvent, 1);

	e->kind = kind;
	e->account = account;
	e->who = g_strdup(who);
	e->text = g_strdup(text);
	e->flags = flags;
	e->time = g_get_monotonic_time();
	if (conv) {
		if (account == NULL)
			e->account = purple_conversation_get_account(conv);
		e->conv_name = g_strdup(purple_conversation_get_name(conv));
		e->is_chat = purple_conversation_get_type(conv) == PURPLE_CONV_TYPE_CHAT;
		if (e->is_chat)
			e->chat_id = purple_conv_chat_get_id(PURPLE_CONV_CHAT(conv));
	}
	g_ptr_array_add(conv_events, e);
	return e;
}

static void
received_im_cb(PurpleAccount *account, char *sender, char *message, PurpleConversation *conv,
               PurpleMessageFlags flags, gpointer data)
{
	conv_event_add(MSNP_EV_IM, account, sender, message, conv, flags);
}

static void
received_chat_cb(PurpleAccount *account, char *sender, char *message, PurpleConversation *conv,
                 PurpleMessageFlags flags, gpointer data)
{
	conv_event_add(MSNP_EV_CHAT, account, sender, message, conv, flags);
}

static void
wrote_cb(PurpleAccount *account, const char *who, char *message, PurpleConversation *conv,
         PurpleMessageFlags flags, gpointer data)
{
	conv_event_add(MSNP_EV_WROTE, account, who, message, conv, flags);
}

static void
typing_cb(PurpleAccount *account, const char *name, gpointer data)
{
	conv_event_add(MSNP_EV_TYPING, account, name, NULL, NULL, 0);
}

static void
typing_stopped_cb(PurpleAccount *account, const char *name, gpointer data)
{
	conv_event_add(MSNP_EV_TYPING_STOPPED, account, name, NULL, NULL, 0);
}

static void
attention_cb(PurpleAccount *account, const char *who, PurpleConversation *conv, guint type,
             gpointer data)
{
	conv_event_add(MSNP_EV_ATTENTION, account, who, NULL, conv, 0)->number = type;
}

static void
chat_joined_cb(PurpleConversation *conv, gpointer data)
{
	conv_event_add(MSNP_EV_CHAT_JOINED, NULL, NULL, NULL, conv, 0);
}

static void
chat_left_cb(PurpleConversation *conv, gpointer data)
{
	conv_event_add(MSNP_EV_CHAT_LEFT, NULL, NULL, NULL, conv, 0);
}

static void
chat_buddy_joined_cb(PurpleConversation *conv, const char *name, PurpleConvChatBuddyFlags flags,
                     gboolean new_arrival, gpointer data)
{
	conv_event_add(MSNP_EV_CHAT_BUDDY_JOINED, NULL, name, NULL, conv, 0)->number = (guint)new_arrival;
}

static void
chat_buddy_left_cb(PurpleConversation *conv, const char *name, const char *reason, gpointer data)
{
	conv_event_add(MSNP_EV_CHAT_BUDDY_LEFT, NULL, name, reason, conv, 0);
}

static void
conv_signals_connect(void)
{
	void *h = purple_conversations_get_handle();

	conv_events = g_ptr_array_new_with_free_func(conv_event_free);
	purple_signal_connect(h, "received-im-msg", &handle, PURPLE_CALLBACK(received_im_cb), NULL);
	purple_signal_connect(h, "received-chat-msg", &handle, PURPLE_CALLBACK(received_chat_cb), NULL);
	purple_signal_connect(h, "wrote-im-msg", &handle, PURPLE_CALLBACK(wrote_cb), NULL);
	purple_signal_connect(h, "wrote-chat-msg", &handle, PURPLE_CALLBACK(wrote_cb), NULL);
	purple_signal_connect(h, "buddy-typing", &handle, PURPLE_CALLBACK(typing_cb), NULL);
	purple_signal_connect(h, "buddy-typing-stopped", &handle, PURPLE_CALLBACK(typing_stopped_cb), NULL);
	purple_signal_connect(h, "got-attention", &handle, PURPLE_CALLBACK(attention_cb), NULL);
	purple_signal_connect(h, "chat-joined", &handle, PURPLE_CALLBACK(chat_joined_cb), NULL);
	purple_signal_connect(h, "chat-left", &handle, PURPLE_CALLBACK(chat_left_cb), NULL);
	purple_signal_connect(h, "chat-buddy-joined", &handle, PURPLE_CALLBACK(chat_buddy_joined_cb), NULL);
	purple_signal_connect(h, "chat-buddy-left", &handle, PURPLE_CALLBACK(chat_buddy_left_cb), NULL);
}

const GPtrArray *
msnp_conv_events(void)
{
	return conv_events;
}

void
msnp_conv_events_clear(void)
{
	g_ptr_array_set_size(conv_events, 0);
}

gboolean
msnp_conv_event_matches(const MsnpConvEvent *e, const MsnpConvMatch *m)
{
	return e->kind == m->kind && (m->account == NULL || e->account == m->account) &&
	       (m->who == NULL || (e->who && g_ascii_strcasecmp(e->who, m->who) == 0)) &&
	       (m->needle == NULL || (e->text && strstr(e->text, m->needle))) &&
	       (e->flags & m->with) == m->with && (e->flags & m->without) == 0;
}

guint
msnp_conv_count(const MsnpConvMatch *m)
{
	guint i, n = 0;

	for (i = 0; i < conv_events->len; i++)
		if (msnp_conv_event_matches(g_ptr_array_index(conv_events, i), m))
			n++;
	return n;
}

gint
msnp_conv_find(const MsnpConvMatch *m, guint n)
{
	guint i;

	for (i = 0; i < conv_events->len; i++)
		if (msnp_conv_event_matches(g_ptr_array_index(conv_events, i), m) && n-- == 0)
			return (gint)i;
	return -1;
}

guint
msnp_conv_wait(const MsnpConvMatch *m, guint count, guint timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)msnp_ms(timeout_ms) * 1000;
	guint seen;

	while ((seen = msnp_conv_count(m)) < count && g_get_monotonic_time() < end)
		msnp_run_until(NULL, 10);
	return seen;
}

void
msnp_conv_dump(void)
{
	static const char *names[] = { "im", "chat", "wrote", "typing", "typing-stopped",
	                               "attention", "chat-joined", "chat-left",
	                               "chat-buddy-joined", "chat-buddy-left" };
	guint i;

	for (i = 0; i < conv_events->len; i++) {
		MsnpConvEvent *e = g_ptr_array_index(conv_events, i);
		g_printerr("# event %u: %s account=%s who=%s conv=%s%s flags=0x%x number=%u text=«%s»\n",
		           i, names[e->kind],
		           e->account ? purple_account_get_username(e->account) : "-",
		           e->who ? e->who : "-", e->conv_name ? e->conv_name : "-",
		           e->is_chat ? " (chat)" : "", (guint)e->flags, e->number,
		           e->text ? e->text : "");
	}
}

/* The inodes of this process's sockets. */
static GHashTable *
own_socket_inodes(void)
{
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GDir *dir = g_dir_open("/proc/self/fd", 0, NULL);
	const char *name;

	while (dir && (name = g_dir_read_name(dir))) {
		char *path = g_build_filename("/proc/self/fd", name, NULL);
		char *target = g_file_read_link(path, NULL);

		if (target && g_str_has_prefix(target, "socket:[")) {
			char *inode = g_strndup(target + 8, strcspn(target + 8, "]"));
			g_hash_table_add(set, inode);
		}
		g_free(target);
		g_free(path);
	}
	if (dir)
		g_dir_close(dir);
	return set;
}

guint
msnp_sockets_to_port(int port)
{
	static const char *tables[] = { "/proc/self/net/tcp", "/proc/self/net/tcp6" };
	GHashTable *mine = own_socket_inodes();
	guint n = 0, t;

	for (t = 0; t < G_N_ELEMENTS(tables); t++) {
		char *text = NULL, **lines, **l;

		if (!g_file_get_contents(tables[t], &text, NULL, NULL))
			continue;
		lines = g_strsplit(text, "\n", -1);
		for (l = lines; *l; l++) {
			/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
			char **f = g_strsplit_set(g_strstrip(*l), " ", -1);
			GPtrArray *v = g_ptr_array_new();
			char **p;

			for (p = f; *p; p++)
				if (**p)
					g_ptr_array_add(v, *p);
			if (v->len >= 10 && strchr(g_ptr_array_index(v, 2), ':')) {
				const char *rem = strrchr(g_ptr_array_index(v, 2), ':') + 1;
				if ((int)g_ascii_strtoull(rem, NULL, 16) == port &&
				    g_hash_table_contains(mine, g_ptr_array_index(v, 9)))
					n++;
			}
			g_ptr_array_free(v, TRUE);
			g_strfreev(f);
		}
		g_strfreev(lines);
		g_free(text);
	}
	g_hash_table_destroy(mine);
	return n;
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
	live_timers = g_hash_table_new(g_direct_hash, g_direct_equal);
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
	conv_signals_connect();
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
	gint64 end = g_get_monotonic_time() + (gint64)msnp_ms(timeout_ms) * 1000;
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
		guint id = g_timeout_add(msnp_ms(timeout_ms), timeout_flag_cb, &timed_out);
		while (!timed_out && !out->signed_on && !out->failed)
			g_main_context_iteration(NULL, TRUE);
		if (!timed_out)
			g_source_remove(id);
	}
	current_signin = NULL;
}

void
msnp_signin_wait_failure(MsnpSignin *s, guint timeout_ms)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add(timeout_ms, timeout_flag_cb, &timed_out);

	current_signin = s;
	while (!timed_out && !s->failed)
		g_main_context_iteration(NULL, TRUE);
	if (!timed_out)
		g_source_remove(id);
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

/* ---- A bare MSNP8 client ---- */

MsnpRaw *
msnp_raw_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((guint16)port) };
	MsnpRaw *r = g_new0(MsnpRaw, 1);
	int one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (r->fd < 0 || connect(r->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		g_error("raw client: cannot connect to port %d: %s", port, g_strerror(errno));
	setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	r->in = g_string_new(NULL);
	r->trid = 1;
	return r;
}

void
msnp_raw_free(MsnpRaw *r)
{
	if (r == NULL)
		return;
	close(r->fd);
	g_string_free(r->in, TRUE);
	g_free(r);
}

static void
raw_write_all(int fd, const char *data, gsize len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			g_error("raw client: write: %s", g_strerror(errno));
		data += w;
		len -= (gsize)w;
	}
}

void
msnp_raw_send(MsnpRaw *r, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	raw_write_all(r->fd, line, strlen(line));
	g_free(line);
}

gsize
msnp_raw_command_length(MsnpRaw *r)
{
	char *nl = memchr(r->in->str, '\n', r->in->len);
	gsize line_len, payload = 0;

	if (nl == NULL)
		return 0;
	line_len = (gsize)(nl - r->in->str) + 1;
	if (g_str_has_prefix(r->in->str, "MSG ")) {
		const char *sp = g_strrstr_len(r->in->str, (gssize)line_len, " ");
		payload = sp ? (gsize)g_ascii_strtoull(sp + 1, NULL, 10) : 0;
	}
	return r->in->len >= line_len + payload ? line_len + payload : 0;
}

gboolean
msnp_raw_fill(MsnpRaw *r, gboolean block)
{
	char buf[65536];
	ssize_t n;
	struct pollfd p = { .fd = r->fd, .events = POLLIN };

	if (poll(&p, 1, block ? (int)msnp_ms(30000) : 0) <= 0) {
		if (block)
			g_error("raw client: the server said nothing for 30 s");
		return FALSE;
	}
	n = read(r->fd, buf, sizeof buf);
	if (n <= 0)
		g_error("raw client: the test server closed the connection");
	g_string_append_len(r->in, buf, n);
	return TRUE;
}

char *
msnp_raw_next(MsnpRaw *r)
{
	gsize len;
	char *line;

	while ((len = msnp_raw_command_length(r)) == 0)
		msnp_raw_fill(r, TRUE);
	line = g_strndup(r->in->str, strcspn(r->in->str, "\r\n"));
	g_string_erase(r->in, 0, (gssize)len);
	return line;
}

char *
msnp_raw_expect(MsnpRaw *r, const char *prefix)
{
	for (;;) {
		char *line = msnp_raw_next(r);
		if (g_str_has_prefix(line, prefix))
			return line;
		if (g_ascii_isdigit(line[0]))
			g_error("raw client: error reply «%s» while waiting for «%s»", line, prefix);
		g_free(line);
	}
}

/* A Passport 1.4 ticket from the server's plain-HTTP login. */
static char *
raw_passport_ticket(MsnpServer *server, const char *user, const char *password)
{
	MsnpRaw *http = msnp_raw_connect(server->http_port);
	char *u = g_uri_escape_string(user, NULL, FALSE), *p = g_uri_escape_string(password, NULL, FALSE);
	char *start, *end, *ticket;

	msnp_raw_send(http, "GET /login2.srf HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	              "Authorization: Passport1.4 OrgVerb=GET,OrgURL=http%%3A%%2F%%2Fmessenger%%2Emsn%%2Ecom,"
	              "sign-in=%s,pwd=%s,lc=1033,id=507,tw=40,fs=1,ct=1,kpp=1,kv=5,ver=2.1.0173.1,tpf=x\r\n"
	              "Connection: close\r\n\r\n", u, p);
	for (;;) {
		char buf[4096];
		ssize_t n = read(http->fd, buf, sizeof buf);
		if (n <= 0)
			break;
		g_string_append_len(http->in, buf, n);
	}
	start = strstr(http->in->str, "from-PP='");
	end = start ? strchr(start + 9, '\'') : NULL;
	if (end == NULL)
		g_error("raw client: no Passport ticket for %s: %s", user, http->in->str);
	ticket = g_strndup(start + 9, (gsize)(end - start - 9));
	msnp_raw_free(http);
	g_free(u);
	g_free(p);
	return ticket;
}

MsnpRaw *
msnp_raw_signin(MsnpServer *server, const char *user, const char *password)
{
	MsnpRaw *ns = msnp_raw_connect(server->ns_port);
	char *ticket = raw_passport_ticket(server, user, password);

	msnp_raw_send(ns, "VER 1 MSNP8 CVR0\r\n");
	g_free(msnp_raw_expect(ns, "VER 1"));
	msnp_raw_send(ns, "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 6.0.0602 MSMSGS %s\r\n", user);
	g_free(msnp_raw_expect(ns, "CVR 2"));
	msnp_raw_send(ns, "USR 3 TWN I %s\r\n", user);
	g_free(msnp_raw_expect(ns, "USR 3 TWN S"));
	msnp_raw_send(ns, "USR 4 TWN S %s\r\n", ticket);
	g_free(msnp_raw_expect(ns, "USR 4 OK"));
	msnp_raw_send(ns, "CHG 5 NLN 0\r\n");
	g_free(msnp_raw_expect(ns, "CHG 5"));
	ns->trid = 6;
	g_free(ticket);
	return ns;
}
