/* msnp-testserver — options, listeners, READY line, shutdown.
 *
 *   msnp-testserver [--ns-port N] [--sb-port N] [--http-port N]
 *                   [--https-port N --tls-cert FILE --tls-key FILE]
 *                   [--versions 8-14] [--account EMAIL:PASSWORD[:FRIENDLY]]…
 *                   [--dispatch] [--script FILE [--script-linger]
 *                   [--script-timeout-ms N]] [--log FILE]
 *                   [--http-delay-ms N] [--reply-delay-ms N] [--exit-on-stdin-eof]
 *
 * Everything listens on 127.0.0.1.  When all listeners are up it prints
 *   READY ns=PORT sb=PORT http=PORT https=PORT
 * (0 for a listener not enabled) and serves until SIGTERM/SIGINT, stdin EOF
 * with --exit-on-stdin-eof, or the end of the script in scripted mode.
 */
#include "testserver.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <libxml/parser.h>

void
server_log(Server *srv, const char *label, const char *dir, const char *text)
{
	if (!srv->log)
		return;
	fprintf(srv->log, "%s %s %s\n", label, dir, text);
	fflush(srv->log);
}

void
server_logf(Server *srv, const char *label, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (!srv->log)
		return;
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fprintf(srv->log, "%s %s\n", label, text);
	fflush(srv->log);
	g_free(text);
}

void
server_quit(Server *srv, int exit_code)
{
	srv->exit_code = exit_code;
	g_main_loop_quit(srv->loop);
}

guint
server_max_version(Server *srv)
{
	guint v;

	for (v = MSN_VERSION_MAX; v > MSN_VERSION_MIN; v--)
		if (srv->versions & (1u << v))
			break;
	return v;
}

guint
server_pick_version(Server *srv, char **offered, guint n_offered)
{
	guint i, best = 0;

	for (i = 0; i < n_offered; i++) {
		const char *o = offered[i];
		guint64 v;
		char *end = NULL;

		if (strncmp(o, "MSNP", 4) != 0 || !g_ascii_isdigit(o[4]))
			continue;
		v = g_ascii_strtoull(o + 4, &end, 10);
		if (*end || v < MSN_VERSION_MIN || v > MSN_VERSION_MAX)
			continue;
		if ((srv->versions & (1u << v)) && v > best)
			best = (guint) v;
	}
	return best;
}

static gboolean
on_incoming_ns(GSocketService *svc, GSocketConnection *sc, GObject *src, gpointer data)
{
	Server *srv = data;

	if (srv->script)
		script_accept(srv->script, sc);
	else
		ns_accept(srv, sc, srv->dispatch);
	return TRUE;
}

static gboolean
on_incoming_ns2(GSocketService *svc, GSocketConnection *sc, GObject *src, gpointer data)
{
	ns_accept(data, sc, FALSE);
	return TRUE;
}

static gboolean
on_incoming_sb(GSocketService *svc, GSocketConnection *sc, GObject *src, gpointer data)
{
	sb_accept(data, sc);
	return TRUE;
}

static GSocketService *
listen_tcp(int port, guint16 *bound, GCallback cb, Server *srv, GError **error)
{
	GSocketService *svc = g_socket_service_new();
	GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	GSocketAddress *addr = g_inet_socket_address_new(lo, (guint16) port);
	GSocketAddress *eff = NULL;
	gboolean ok;

	ok = g_socket_listener_add_address(G_SOCKET_LISTENER(svc), addr, G_SOCKET_TYPE_STREAM,
	                                   G_SOCKET_PROTOCOL_TCP, NULL, &eff, error);
	g_object_unref(addr);
	g_object_unref(lo);
	if (!ok) {
		g_object_unref(svc);
		return NULL;
	}
	*bound = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(eff));
	g_object_unref(eff);
	g_signal_connect(svc, "incoming", cb, srv);
	g_socket_service_start(svc);
	return svc;
}

static void
stop_service(GSocketService **svc)
{
	if (*svc) {
		g_socket_service_stop(*svc);
		g_socket_listener_close(G_SOCKET_LISTENER(*svc));
		g_clear_object(svc);
	}
}

static gboolean
on_signal(gpointer data)
{
	server_quit(data, 0);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_stdin(gint fd, GIOCondition cond, gpointer data)
{
	char buf[256];
	ssize_t n = read(fd, buf, sizeof buf);

	Server *srv = data;

	if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN)))
		return G_SOURCE_CONTINUE;
	srv->stdin_watch = 0;
	server_quit(srv, 0);
	return G_SOURCE_REMOVE;
}

static gboolean
check_port(const char *name, int port, GError **error)
{
	if (port < 0 || port > 65535) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--%s: %d is not a port number", name, port);
		return FALSE;
	}
	return TRUE;
}

int
main(int argc, char **argv)
{
	Server srv = { 0 };
	char *versions = NULL, *script_path = NULL, *log_path = NULL;
	char **accounts = NULL, **a;
	int http_delay = 0, reply_delay = 0, script_timeout = 10000;
	gboolean stdin_eof = FALSE;
	guint sig_term, sig_int;
	GError *error = NULL;
	GOptionContext *ctx;
	int rc = 1;
	GOptionEntry entries[] = {
		{ "ns-port", 0, 0, G_OPTION_ARG_INT, &srv.ns_port_opt, "Notification server port (0 = any)", "N" },
		{ "sb-port", 0, 0, G_OPTION_ARG_INT, &srv.sb_port_opt, "Switchboard port (0 = any)", "N" },
		{ "http-port", 0, 0, G_OPTION_ARG_INT, &srv.http_port_opt, "Plain HTTP port (0 = any)", "N" },
		{ "https-port", 0, 0, G_OPTION_ARG_INT, &srv.https_port_opt, "HTTPS port (0 = any; needs --tls-cert and --tls-key)", "N" },
		{ "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &srv.tls_cert, "PEM certificate for HTTPS", "FILE" },
		{ "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &srv.tls_key, "PEM private key for HTTPS", "FILE" },
		{ "versions", 0, 0, G_OPTION_ARG_STRING, &versions, "Accepted MSNP versions (default 8-14)", "LIST" },
		{ "account", 0, 0, G_OPTION_ARG_STRING_ARRAY, &accounts, "An account (repeatable)", "EMAIL:PASSWORD[:FRIENDLY]" },
		{ "dispatch", 0, 0, G_OPTION_ARG_NONE, &srv.dispatch, "The NS port redirects USR TWN I to a second NS", NULL },
		{ "script", 0, 0, G_OPTION_ARG_FILENAME, &script_path, "Play this transcript against one client", "FILE" },
		{ "script-linger", 0, 0, G_OPTION_ARG_NONE, &srv.script_linger, "After the script, stay up until the client disconnects", NULL },
		{ "script-timeout-ms", 0, 0, G_OPTION_ARG_INT, &script_timeout, "Per-step timeout in scripted mode (default 10000)", "N" },
		{ "log", 0, 0, G_OPTION_ARG_FILENAME, &log_path, "Log every line received and sent", "FILE" },
		{ "http-delay-ms", 0, 0, G_OPTION_ARG_INT, &http_delay, "Delay every HTTP response", "N" },
		{ "reply-delay-ms", 0, 0, G_OPTION_ARG_INT, &reply_delay, "Delay every NS/SB reply", "N" },
		{ "exit-on-stdin-eof", 0, 0, G_OPTION_ARG_NONE, &stdin_eof, "Exit when standard input is closed", NULL },
		{ NULL }
	};

	signal(SIGPIPE, SIG_IGN);
	xmlInitParser();
	ctx = g_option_context_new("- loopback MSN Messenger server for the purple-msnp tests");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error))
		goto out;
	if (argc > 1) {
		g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument %s", argv[1]);
		goto out;
	}
	if (!check_port("ns-port", srv.ns_port_opt, &error) ||
	    !check_port("sb-port", srv.sb_port_opt, &error) ||
	    !check_port("http-port", srv.http_port_opt, &error) ||
	    !check_port("https-port", srv.https_port_opt, &error))
		goto out;
	if (!srv.tls_cert != !srv.tls_key) {
		g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
		            "--tls-cert and --tls-key go together");
		goto out;
	}
	if (http_delay < 0 || reply_delay < 0 || script_timeout <= 0) {
		g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "delays must be >= 0 and --script-timeout-ms > 0");
		goto out;
	}
	srv.http_delay_ms = (guint) http_delay;
	srv.reply_delay_ms = (guint) reply_delay;
	srv.script_timeout_ms = (guint) script_timeout;
	srv.versions = 0;
	if (!util_parse_versions(versions ? versions : "8-14", &srv.versions, &error))
		goto out;
	for (a = accounts; a && *a; a++)
		if (!accounts_add_from_spec(&srv, *a, &error))
			goto out;
	if (log_path) {
		srv.log = fopen(log_path, "w");
		if (!srv.log) {
			g_set_error(&error, G_FILE_ERROR, g_file_error_from_errno(errno),
			            "--log %s: %s", log_path, g_strerror(errno));
			goto out;
		}
	}
	if (script_path) {
		srv.script = script_load(&srv, script_path, &error);
		if (!srv.script)
			goto out;
	}

	srv.loop = g_main_loop_new(NULL, FALSE);
	srv.ns_service = listen_tcp(srv.ns_port_opt, &srv.ns_port, G_CALLBACK(on_incoming_ns), &srv, &error);
	if (!srv.ns_service)
		goto out;
	if (srv.dispatch && !srv.script) {
		srv.ns2_service = listen_tcp(0, &srv.ns2_port, G_CALLBACK(on_incoming_ns2), &srv, &error);
		if (!srv.ns2_service)
			goto out;
	}
	srv.sb_service = listen_tcp(srv.sb_port_opt, &srv.sb_port, G_CALLBACK(on_incoming_sb), &srv, &error);
	if (!srv.sb_service)
		goto out;
	if (!http_start(&srv, &error))
		goto out;

	sig_term = g_unix_signal_add(SIGTERM, on_signal, &srv);
	sig_int = g_unix_signal_add(SIGINT, on_signal, &srv);
	if (stdin_eof)
		srv.stdin_watch = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &srv);
	if (srv.script)
		script_start(srv.script);

	printf("READY ns=%u sb=%u http=%u https=%u\n", srv.ns_port, srv.sb_port,
	       srv.http_port, srv.https_port);
	fflush(stdout);
	server_logf(&srv, "server", "-- READY ns=%u ns2=%u sb=%u http=%u https=%u", srv.ns_port,
	            srv.ns2_port, srv.sb_port, srv.http_port, srv.https_port);

	srv.exit_code = 0;
	g_main_loop_run(srv.loop);
	rc = srv.exit_code;

	g_source_remove(sig_term);
	g_source_remove(sig_int);
	if (srv.stdin_watch)
		g_source_remove(srv.stdin_watch);

out:
	if (error) {
		fprintf(stderr, "msnp-testserver: %s\n", error->message);
		g_error_free(error);
		rc = 2;
	}
	stop_service(&srv.ns_service);
	stop_service(&srv.ns2_service);
	stop_service(&srv.sb_service);
	if (srv.script)
		script_free(srv.script);
	srv.script = NULL;
	ns_free_all(&srv);
	sb_free_all(&srv);
	http_stop(&srv);
	/* Let the connections' close notifications run. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	accounts_free_all(&srv);
	if (srv.loop)
		g_main_loop_unref(srv.loop);
	if (srv.log) {
		server_log(&srv, "server", "--", "exit");
		fclose(srv.log);
	}
	g_option_context_free(ctx);
	g_free(versions);
	g_free(script_path);
	g_free(log_path);
	g_free(srv.tls_cert);
	g_free(srv.tls_key);
	g_strfreev(accounts);
	xmlCleanupParser();
	return rc;
}
