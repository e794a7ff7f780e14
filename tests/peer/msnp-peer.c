/* msnp-peer — a second MSN user for UI tests and the demo: real libpurple with
 * the built plugin (the headless test driver), signed in to a test server,
 * talking on stdin/stdout.
 *
 *   msnp-peer HANDLE PASSWORD [KEY=VALUE ...] [--echo]
 *
 * KEY=VALUE are account settings as the UI scripts write them (server, port,
 * max_protocol, nexus_url, rst_url, ab_url, sharing_url, tls_fingerprint);
 * all-digit values are set as integers.  With --echo every message received
 * is answered with "You said: " and the message itself, formatting kept.
 *
 * Prints one line per event (stdout, flushed):
 *   signed-on | failed TEXT | im FROM TEXT | chat ID FROM TEXT | typing FROM |
 *   nudge FROM | notice TEXT
 * TEXT is the HTML with tags stripped.  Reads commands on stdin:
 *   send WHO HTML | typing WHO | nudge WHO | status ID [MESSAGE] | quit
 * and runs until "quit", SIGTERM or SIGINT (the end of stdin only stops reading).
 * MSNP_BUILDDIR names the build folder the plugin is loaded from.
 */
#include "integration/driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>

#include <glib-unix.h>

#include <conversation.h>
#include <server.h>
#include <util.h>

static PurpleAccount *account;
static gboolean echo;
static GMainLoop *loop;

static void
say(const char *kind, const char *a, const char *b)
{
	printf("%s%s%s%s%s\n", kind, a ? " " : "", a ? a : "", b ? " " : "", b ? b : "");
	fflush(stdout);
}

static void
say_html(const char *kind, const char *who, const char *html)
{
	char *text = purple_markup_strip_html(html);
	char *flat = g_strdelimit(text, "\r\n", ' ');

	say(kind, who, flat);
	g_free(text);
}

static void
received_im(PurpleAccount *a, char *sender, char *message, PurpleConversation *conv,
            PurpleMessageFlags flags, gpointer data)
{
	if (a != account)
		return;
	say_html("im", sender, message);
	if (echo && !(flags & PURPLE_MESSAGE_NOTIFY)) {
		/* MSN has one format per message, the one at its first visible
		 * character: the prefix goes inside the leading tags. */
		const char *p = message;
		char *reply;
		while (*p == '<' && strchr(p, '>'))
			p = strchr(p, '>') + 1;
		reply = g_strdup_printf("%.*sYou said: %s", (int)(p - message), message, p);
		serv_send_im(purple_account_get_connection(account), sender, reply, 0);
		g_free(reply);
	}
}

static void
received_chat(PurpleAccount *a, char *sender, char *message, PurpleConversation *conv,
              PurpleMessageFlags flags, gpointer data)
{
	char *who;

	if (a != account)
		return;
	who = g_strdup_printf("%d %s", purple_conv_chat_get_id(PURPLE_CONV_CHAT(conv)), sender);
	say_html("chat", who, message);
	g_free(who);
}

static void
typing(PurpleAccount *a, const char *who, gpointer data)
{
	if (a == account)
		say("typing", who, NULL);
}

static void
attention(PurpleAccount *a, const char *who, PurpleConversation *conv, guint type, gpointer data)
{
	if (a == account)
		say("nudge", who, NULL);
}

static void
wrote(PurpleAccount *a, const char *who, char *message, PurpleConversation *conv,
      PurpleMessageFlags flags, gpointer data)
{
	if (a == account && (flags & (PURPLE_MESSAGE_ERROR | PURPLE_MESSAGE_SYSTEM)))
		say_html("notice", NULL, message);
}

static void
signed_on(PurpleConnection *gc, gpointer data)
{
	if (purple_connection_get_account(gc) == account)
		say("signed-on", NULL, NULL);
}

static void
connection_error(PurpleConnection *gc, PurpleConnectionError reason, const char *text,
                 gpointer data)
{
	if (purple_connection_get_account(gc) == account)
		say("failed", text, NULL);
}

static void
command(const char *line)
{
	PurpleConnection *gc = purple_account_get_connection(account);
	char **w = g_strsplit(line, " ", 3);

	if (w[0] == NULL || gc == NULL)
		;
	else if (strcmp(w[0], "quit") == 0)
		g_main_loop_quit(loop);
	else if (strcmp(w[0], "send") == 0 && w[1] && w[2])
		serv_send_im(gc, w[1], w[2], 0);
	else if (strcmp(w[0], "typing") == 0 && w[1])
		serv_send_typing(gc, w[1], PURPLE_TYPING);
	else if (strcmp(w[0], "nudge") == 0 && w[1])
		purple_prpl_send_attention(gc, w[1], 0);
	else if (strcmp(w[0], "status") == 0 && w[1])
		purple_account_set_status(account, w[1], TRUE, w[2] ? "message" : NULL, w[2], NULL);
	else
		say("notice", "unknown command:", line);
	g_strfreev(w);
}

static gboolean
quit_cb(gpointer data)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

static gboolean
stdin_cb(GIOChannel *ch, GIOCondition cond, gpointer data)
{
	char *line = NULL;
	gsize len = 0;
	GIOStatus st = g_io_channel_read_line(ch, &line, &len, NULL, NULL);

	if (st == G_IO_STATUS_EOF || st == G_IO_STATUS_ERROR)
		return FALSE;   /* no more commands; run until "quit" or SIGTERM */
	if (line) {
		g_strchomp(line);
		command(line);
		g_free(line);
	}
	return TRUE;
}

int
main(int argc, char **argv)
{
	GIOChannel *in;
	int i;

	msnp_driver_init(&argc, &argv);
	if (argc < 3) {
		fprintf(stderr, "usage: msnp-peer HANDLE PASSWORD [KEY=VALUE ...] [--echo]\n");
		return 2;
	}
	account = msnp_account_new(argv[1], argv[2], NULL);
	for (i = 3; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		char *key;
		if (strcmp(argv[i], "--echo") == 0) {
			echo = TRUE;
			continue;
		}
		if (eq == NULL || eq == argv[i]) {
			fprintf(stderr, "msnp-peer: not KEY=VALUE: %s\n", argv[i]);
			return 2;
		}
		key = g_strndup(argv[i], (gsize)(eq - argv[i]));
		if (eq[1] && strspn(eq + 1, "0123456789") == strlen(eq + 1))
			purple_account_set_int(account, key, atoi(eq + 1));
		else
			purple_account_set_string(account, key, eq + 1);
		g_free(key);
	}
	purple_signal_connect(purple_conversations_get_handle(), "received-im-msg", &account,
	                      PURPLE_CALLBACK(received_im), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "received-chat-msg", &account,
	                      PURPLE_CALLBACK(received_chat), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "buddy-typing", &account,
	                      PURPLE_CALLBACK(typing), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "got-attention", &account,
	                      PURPLE_CALLBACK(attention), NULL);
	purple_signal_connect(purple_conversations_get_handle(), "wrote-im-msg", &account,
	                      PURPLE_CALLBACK(wrote), NULL);
	purple_signal_connect(purple_connections_get_handle(), "signed-on", &account,
	                      PURPLE_CALLBACK(signed_on), NULL);
	purple_signal_connect(purple_connections_get_handle(), "connection-error", &account,
	                      PURPLE_CALLBACK(connection_error), NULL);

	loop = g_main_loop_new(NULL, FALSE);
	in = g_io_channel_unix_new(0);
	g_io_add_watch(in, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, NULL);
	/* SIGTERM/SIGINT end it cleanly (signed out, configuration folder removed). */
	g_unix_signal_add(SIGTERM, quit_cb, NULL);
	g_unix_signal_add(SIGINT, quit_cb, NULL);
	/* Enabling connects (the status is the default, available). */
	purple_account_set_enabled(account, "msnp-test", TRUE);
	g_main_loop_run(loop);
	msnp_signout(account);
	g_io_channel_unref(in);
	g_main_loop_unref(loop);
	return 0;
}
