/* Messages between two plugin instances (alice and bob, two accounts in one
 * libpurple) through the test server's switchboard, on loopback:
 *
 *   throughput  N messages alice -> bob typed at once (purple_conv_im_send)
 *               once the switchboard is up; the time until bob's libpurple
 *               has received the last one (received-im-msg), in messages/s;
 *   round trip  ROUNDS ping-pongs: alice sends, bob answers from his
 *               received-im-msg handler, alice times each reply: median, p95.
 *
 * Beside them, measured in the same run:
 *   raw sockets  two bare MSNP8 clients (no libpurple, no plugin; blocking
 *                sockets, signed in over plain HTTP Passport) doing the same
 *                MSG exchange with the same payloads through the same
 *                switchboard: the cost of the test server and loopback alone;
 *   display      libpurple's own cost of showing the N messages in both
 *                windows (the sender's write and serv_got_im, no network):
 *                what any plugin pays.
 * The plugin's share is what its figures add on top of both.
 *
 * Usage: bench-messages [N [ROUNDS]]   (default 2000 and 200)
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include <conversation.h>
#include <prefs.h>
#include <server.h>
#include <signals.h>

#include "integration/driver.h"

#define ALICE "alice@example.com"
#define BOB "bob@example.com"
#define RAW1 "raw1@example.com"
#define RAW2 "raw2@example.com"

/* The payload headers the plugin sends for unformatted text. */
#define HEADERS "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" \
	"X-MMS-IM-Format: FN=Segoe%20UI; EF=; CO=0; CS=0; PF=22\r\n\r\n"

typedef struct {
	double secs;        /* throughput: first send to last receipt */
	double median_ms, p95_ms;
} Figures;

static char *
message_text(guint i, guint n)
{
	return g_strdup_printf("message %u of %u: an ordinary line of chat, about this long.", i, n);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
percentiles(double *v, guint n, Figures *f)
{
	qsort(v, n, sizeof *v, cmp_double);
	f->median_ms = v[n / 2];
	f->p95_ms = v[MIN(n - 1, (n * 95 + 99) / 100 - 1)];
}

/* ---- The plugin ------------------------------------------------------------ */

static PurpleAccount *bench_alice, *bench_bob;
static guint bob_received, alice_received;
static gboolean ping_pong;
static int bench_handle;

static void
received(PurpleAccount *account, char *sender, char *message, PurpleConversation *conv,
         PurpleMessageFlags flags, gpointer data)
{
	if (account == bench_bob) {
		bob_received++;
		if (ping_pong)
			serv_send_im(purple_account_get_connection(bench_bob), ALICE, "pong", 0);
	} else if (account == bench_alice)
		alice_received++;
}

static gboolean
flag_cb(gpointer data)
{
	*(gboolean *)data = TRUE;
	return G_SOURCE_REMOVE;
}

/* Runs the main loop event by event until *counter reaches want. */
static gboolean
run_until_count(guint *counter, guint want, guint timeout_ms)
{
	gboolean timed_out = FALSE;
	guint id = g_timeout_add(timeout_ms, flag_cb, &timed_out);

	while (*counter < want && !timed_out)
		g_main_context_iteration(NULL, TRUE);
	if (!timed_out)
		g_source_remove(id);
	return *counter >= want;
}

static PurpleAccount *
sign_in(MsnpServer *server, const char *user, guint version)
{
	PurpleAccount *a = msnp_account_new(user, "pw", server);
	MsnpSignin s;

	msnp_account_use_https(a, server);
	purple_account_set_int(a, "max_protocol", (int)version);
	msnp_signin(a, 30000, &s);
	if (!s.signed_on)
		g_error("%s: sign-in failed: %s", user, s.error_text ? s.error_text : "timeout");
	msnp_signin_clear(&s);
	return a;
}

static void
plugin_case(MsnpServer *server, guint version, guint n, guint rounds, Figures *f)
{
	PurpleConversation *conv;
	double *rtt = g_new(double, rounds);
	gint64 t0;
	guint i;

	bench_alice = sign_in(server, ALICE, version);
	bench_bob = sign_in(server, BOB, version);
	/* bob must be reachable (his first CHG seen) before alice calls him. */
	msnp_run_until(NULL, 300);
	bob_received = alice_received = 0;
	ping_pong = FALSE;

	/* Warm-up: the switchboard, both conversations. */
	conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, bench_alice, BOB);
	purple_conv_im_send(PURPLE_CONV_IM(conv), "warming up");
	if (!run_until_count(&bob_received, 1, 30000))
		g_error("MSNP%u: the first message never arrived", version);
	serv_send_im(purple_account_get_connection(bench_bob), ALICE, "warm too", 0);
	if (!run_until_count(&alice_received, 1, 30000))
		g_error("MSNP%u: bob's first message never arrived", version);
	msnp_conv_events_clear();

	/* Throughput. */
	bob_received = 0;
	t0 = g_get_monotonic_time();
	for (i = 0; i < n; i++) {
		char *text = message_text(i + 1, n);
		purple_conv_im_send(PURPLE_CONV_IM(conv), text);
		g_free(text);
	}
	if (!run_until_count(&bob_received, n, 300000))
		g_error("MSNP%u: bob received %u of %u messages", version, bob_received, n);
	f->secs = (double)(g_get_monotonic_time() - t0) / 1e6;
	msnp_conv_events_clear();

	/* Round trips. */
	ping_pong = TRUE;
	for (i = 0; i < rounds; i++) {
		guint want = alice_received + 1;
		gint64 s = g_get_monotonic_time();
		purple_conv_im_send(PURPLE_CONV_IM(conv), "ping");
		if (!run_until_count(&alice_received, want, 30000))
			g_error("MSNP%u: no answer to ping %u", version, i);
		rtt[i] = (double)(g_get_monotonic_time() - s) / 1000.0;
	}
	ping_pong = FALSE;
	percentiles(rtt, rounds, f);
	msnp_conv_events_clear();

	purple_conversation_destroy(conv);
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, ALICE, bench_bob);
	if (conv)
		purple_conversation_destroy(conv);
	msnp_account_free(bench_bob);
	msnp_account_free(bench_alice);
	bench_alice = bench_bob = NULL;
	g_free(rtt);
}

/* libpurple showing n messages in the sender's window and n in the
 * receiver's (purple_conv_im_write as purple_conv_im_send does, then
 * serv_got_im), on a signed-in account, nothing on the network: what any
 * plugin pays. */
static double
display_case(MsnpServer *server, guint n)
{
	PurpleAccount *a = sign_in(server, BOB, 8);
	PurpleConnection *gc = purple_account_get_connection(a);
	PurpleConversation *sent = purple_conversation_new(PURPLE_CONV_TYPE_IM, a, "someone@example.com");
	PurpleConversation *conv;
	gint64 t0 = g_get_monotonic_time();
	double secs;
	guint i;

	for (i = 0; i < n; i++) {
		char *text = message_text(i + 1, n);
		char *html = g_strdup_printf("<font face=\"Segoe UI\" color=\"#000000\">%s</font>", text);
		purple_conv_im_write(PURPLE_CONV_IM(sent), NULL, text, PURPLE_MESSAGE_SEND, time(NULL));
		serv_got_im(gc, ALICE, html, PURPLE_MESSAGE_RECV, time(NULL));
		g_free(html);
		g_free(text);
	}
	secs = (double)(g_get_monotonic_time() - t0) / 1e6;
	msnp_conv_events_clear();
	purple_conversation_destroy(sent);
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, ALICE, a);
	if (conv)
		purple_conversation_destroy(conv);
	msnp_account_free(a);
	return secs;
}

/* ---- Raw sockets (the driver's bare MSNP8 client) ------------------------------ */

/* Field i (from 0) of a command line. */
static char *
field(const char *line, guint i)
{
	char **f = g_strsplit(line, " ", -1);
	char *v = i < g_strv_length(f) ? g_strdup(f[i]) : NULL;

	g_strfreev(f);
	if (v == NULL)
		g_error("no field %u in «%s»", i, line);
	return v;
}

static void
raw_msg(MsnpRaw *sb, const char *text)
{
	gsize len = strlen(HEADERS) + strlen(text);

	msnp_raw_send(sb, "MSG %u A %" G_GSIZE_FORMAT "\r\n%s%s", ++sb->trid, len, HEADERS, text);
}

static void
raw_case(MsnpServer *server, guint n, guint rounds, Figures *f)
{
	MsnpRaw *ns1 = msnp_raw_signin(server, RAW1, "pw"), *ns2 = msnp_raw_signin(server, RAW2, "pw"), *sb1, *sb2;
	char *line, *addr, *cookie, *port, *id;
	double *rtt = g_new(double, rounds);
	GString *out = g_string_new(NULL);
	gsize sent_off = 0;
	guint got = 0, i;
	gint64 t0;

	/* raw1 opens a switchboard and calls raw2, who answers the RNG. */
	msnp_raw_send(ns1, "XFR %u SB\r\n", ns1->trid++);
	line = msnp_raw_expect(ns1, "XFR ");
	addr = field(line, 3);
	cookie = field(line, 5);
	g_free(line);
	port = strrchr(addr, ':') + 1;
	sb1 = msnp_raw_connect(atoi(port));
	msnp_raw_send(sb1, "USR 1 %s %s\r\n", RAW1, cookie);
	g_free(msnp_raw_expect(sb1, "USR 1 OK"));
	msnp_raw_send(sb1, "CAL 2 %s\r\n", RAW2);
	g_free(msnp_raw_expect(sb1, "CAL 2 RINGING"));
	sb1->trid = 2;
	g_free(cookie);
	g_free(addr);
	line = msnp_raw_expect(ns2, "RNG ");
	id = field(line, 1);
	addr = field(line, 2);
	cookie = field(line, 4);
	g_free(line);
	sb2 = msnp_raw_connect(atoi(strrchr(addr, ':') + 1));
	msnp_raw_send(sb2, "ANS 1 %s %s %s\r\n", RAW2, cookie, id);
	g_free(msnp_raw_expect(sb2, "ANS 1 OK"));
	g_free(msnp_raw_expect(sb1, "JOI "));
	g_free(cookie);
	g_free(addr);
	g_free(id);

	/* Throughput: all n written as fast as the socket takes them; raw2 reads
	 * them (and raw1 its ACKs) meanwhile. */
	for (i = 0; i < n; i++) {
		char *text = message_text(i + 1, n);
		gsize len = strlen(HEADERS) + strlen(text);
		g_string_append_printf(out, "MSG %u A %" G_GSIZE_FORMAT "\r\n%s%s", ++sb1->trid, len,
		                       HEADERS, text);
		g_free(text);
	}
	t0 = g_get_monotonic_time();
	while (got < n) {
		struct pollfd p[2] = { { .fd = sb1->fd, .events = POLLIN | (sent_off < out->len ? POLLOUT : 0) },
		                       { .fd = sb2->fd, .events = POLLIN } };
		if (poll(p, 2, 30000) <= 0)
			g_error("raw throughput stalled at %u of %u", got, n);
		if ((p[0].revents & POLLOUT) && sent_off < out->len) {
			ssize_t w = send(sb1->fd, out->str + sent_off, out->len - sent_off, MSG_DONTWAIT);
			if (w > 0)
				sent_off += (gsize)w;
		}
		if (p[0].revents & POLLIN) {
			msnp_raw_fill(sb1, FALSE);
			g_string_truncate(sb1->in, 0);   /* ACKs */
		}
		if (p[1].revents & POLLIN) {
			gsize len;
			msnp_raw_fill(sb2, FALSE);
			while ((len = msnp_raw_command_length(sb2)) > 0) {
				if (g_str_has_prefix(sb2->in->str, "MSG "))
					got++;
				g_string_erase(sb2->in, 0, (gssize)len);
			}
		}
	}
	f->secs = (double)(g_get_monotonic_time() - t0) / 1e6;
	/* The ACKs still on their way. */
	g_usleep(100000);
	while (msnp_raw_fill(sb1, FALSE))
		g_string_truncate(sb1->in, 0);

	/* Round trips: raw1 sends, raw2 answers at once, raw1 times the answer. */
	for (i = 0; i < rounds; i++) {
		gint64 s = g_get_monotonic_time();
		raw_msg(sb1, "ping");
		g_free(msnp_raw_expect(sb2, "MSG "));
		raw_msg(sb2, "pong");
		g_free(msnp_raw_expect(sb1, "MSG "));
		rtt[i] = (double)(g_get_monotonic_time() - s) / 1000.0;
	}
	percentiles(rtt, rounds, f);

	msnp_raw_send(sb1, "OUT\r\n");
	msnp_raw_send(sb2, "OUT\r\n");
	msnp_raw_send(ns1, "OUT\r\n");
	msnp_raw_send(ns2, "OUT\r\n");
	msnp_raw_free(sb1);
	msnp_raw_free(sb2);
	msnp_raw_free(ns1);
	msnp_raw_free(ns2);
	g_string_free(out, TRUE);
	g_free(rtt);
}

/* ---- Main --------------------------------------------------------------------- */

static void
print_row(const char *name, guint n, const Figures *f)
{
	printf("%-28s %9.0f %8.3f s %9.2f %9.2f\n", name, n / f->secs, f->secs, f->median_ms, f->p95_ms);
}

int
main(int argc, char **argv)
{
	static const guint versions[] = { 14, 8 };
	guint n = 2000, rounds = 200;
	const char *args[] = { "--account=" ALICE ":pw:Alice", "--account=" BOB ":pw:Bob",
	                       "--account=" RAW1 ":pw:Raw1", "--account=" RAW2 ":pw:Raw2",
	                       "--contact=" ALICE ":" BOB ":FL,AL,RL:Bob",
	                       "--contact=" BOB ":" ALICE ":FL,AL,RL:Alice", NULL };
	MsnpServer *server;
	Figures raw, plugin[G_N_ELEMENTS(versions)];
	double display;
	gsize v;

	msnp_driver_init(&argc, &argv);
	if (argc > 1)
		n = (guint)CLAMP(atoi(argv[1]), 1, 100000);
	if (argc > 2)
		rounds = (guint)CLAMP(atoi(argv[2]), 1, 100000);
	purple_signal_connect(purple_conversations_get_handle(), "received-im-msg", &bench_handle,
	                      PURPLE_CALLBACK(received), NULL);
	server = msnp_server_start_https(args);

	raw_case(server, n, rounds, &raw);
	for (v = 0; v < G_N_ELEMENTS(versions); v++)
		plugin_case(server, versions[v], n, rounds, &plugin[v]);
	display = display_case(server, n);
	msnp_server_stop(server);

	printf("messages through the test server's switchboard on loopback: %u one way, "
	       "%u ping-pongs\n", n, rounds);
	printf("(libpurple logs conversations: %s)\n",
	       purple_prefs_get_bool("/purple/logging/log_ims") ? "yes" : "no");
	printf("%-28s %9s %10s %9s %9s\n", "", "msgs/s", "total", "rtt med", "rtt p95");
	for (v = 0; v < G_N_ELEMENTS(versions); v++) {
		char *name = g_strdup_printf("plugin, MSNP%u", versions[v]);
		print_row(name, n, &plugin[v]);
		g_free(name);
	}
	print_row("raw sockets (baseline)", n, &raw);
	printf("%-28s %9.0f %8.3f s %9s %9s\n", "libpurple display (floor)", n / display, display,
	       "-", "-");
	printf("plugin MSNP14 vs raw: %.1fx the time for %u messages, %+.2f ms per round trip (median)\n",
	       plugin[0].secs / raw.secs, n, plugin[0].median_ms - raw.median_ms);
	return 0;
}
