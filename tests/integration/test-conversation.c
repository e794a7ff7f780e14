/* Conversations between real plugin instances (two or three accounts in one
 * libpurple) through the test server's switchboards, driven as a UI drives
 * them (purple_conv_im_send, serv_send_typing, purple_prpl_send_attention,
 * the buddy menu, serv_chat_invite, purple_conversation_destroy) and checked
 * through what libpurple tells a UI (received-im-msg, wrote-im-msg,
 * buddy-typing, got-attention, chat-joined …):
 *
 *   one-to-one both ways for each version family, queued in order before the
 *   switchboard is up, one switchboard per contact; formatting round trips;
 *   long messages split under the payload limit and joined back whole;
 *   NAK, a switchboard dropped before the ACK, offline and hidden contacts,
 *   a contact signing off mid-conversation; typing notices and their rate
 *   limit; nudges; content this client does not show and malformed
 *   messages pushed into the switchboard (sb-push); three-way chats with
 *   joins, invitations and leaves; closing a conversation (also while its
 *   switchboard is being opened, or while a contact's bare client lets it
 *   ring unanswered) with no socket or timer left behind; the server's idle
 *   timeout; and signing off with a message still on its way. */
#include "integration/driver.h"

#include <string.h>

#include <conversation.h>
#include <prpl.h>
#include <server.h>
#include <status.h>
#include <util.h>

#define ALICE "alice@example.com"
#define BOB "bob@example.com"
#define CAROL "carol@example.com"
#define DAVE "dave@example.com"       /* a bare client (driver's MsnpRaw) */

/* What the plugin sends when the user chose no font or colour. */
#define DEFAULT_FONT "<font face=\"Segoe UI\" color=\"#000000\">"

/* ---- Helpers ---------------------------------------------------------------- */

typedef struct {
	MsnpServer *server;
	PurpleAccount *alice, *bob, *carol;
	guint version;
} World;

/* sb-push lines sent to the server since the world started. */
static guint pushes;

static gboolean
wait_until(gboolean (*cond)(gpointer), gpointer data, guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)msnp_ms(ms) * 1000;

	while (!cond(data)) {
		if (g_get_monotonic_time() > end)
			return FALSE;
		msnp_run_until(NULL, 20);
	}
	return TRUE;
}

typedef struct {
	PurpleAccount *watcher;
	const char *who;
	gboolean online;
} Seen;

static gboolean
sees(gpointer data)
{
	Seen *s = data;
	PurpleBuddy *b = purple_find_buddy(s->watcher, s->who);

	return b && purple_presence_is_online(purple_buddy_get_presence(b)) == s->online;
}

static void
expect_presence(PurpleAccount *watcher, const char *who, gboolean online)
{
	Seen s = { watcher, who, online };

	if (!wait_until(sees, &s, 10000)) {
		g_printerr("# %s does not see %s %s\n", purple_account_get_username(watcher), who,
		           online ? "online" : "offline");
		g_assert_not_reached();
	}
}

static PurpleAccount *
account_for(MsnpServer *server, const char *user, guint version)
{
	PurpleAccount *a = msnp_account_new(user, "pw", server);
	MsnpSignin s;

	msnp_account_use_https(a, server);
	purple_account_set_int(a, "max_protocol", (int)version);
	msnp_signin(a, 20000, &s);
	if (!s.signed_on)
		g_printerr("# %s did not sign in: %s\n", user, s.error_text ? s.error_text : "timeout");
	g_assert_true(s.signed_on);
	msnp_signin_clear(&s);
	return a;
}

/* A server where alice, bob and carol have each other on their lists; alice
 * and bob signed in (and carol when asked), each seeing the others. */
static World *
world_start(guint version, const char *const *extra, gboolean carol_online)
{
	World *w = g_new0(World, 1);
	char *vers = g_strdup_printf("--versions=%u", version);
	GPtrArray *args = g_ptr_array_new();
	static const char *const base[] = {
		"--account=" ALICE ":pw:Alice", "--account=" BOB ":pw:Bob",
		"--account=" CAROL ":pw:Carol",
		"--contact=" ALICE ":" BOB ":FL,AL,RL:Bob", "--contact=" ALICE ":" CAROL ":FL,AL,RL:Carol",
		"--contact=" BOB ":" ALICE ":FL,AL,RL:Alice", "--contact=" BOB ":" CAROL ":FL,AL,RL:Carol",
		"--contact=" CAROL ":" ALICE ":FL,AL,RL:Alice", "--contact=" CAROL ":" BOB ":FL,AL,RL:Bob",
		NULL
	};
	const char *const *p;

	g_ptr_array_add(args, vers);
	for (p = base; *p; p++)
		g_ptr_array_add(args, (gpointer)*p);
	for (p = extra; p && *p; p++)
		g_ptr_array_add(args, (gpointer)*p);
	g_ptr_array_add(args, NULL);
	w->version = version;
	w->server = msnp_server_start_https((const char *const *)args->pdata);
	g_ptr_array_free(args, TRUE);
	g_free(vers);

	msnp_conv_events_clear();
	pushes = 0;
	w->alice = account_for(w->server, ALICE, version);
	w->bob = account_for(w->server, BOB, version);
	if (carol_online)
		w->carol = account_for(w->server, CAROL, version);
	expect_presence(w->alice, BOB, TRUE);
	expect_presence(w->bob, ALICE, TRUE);
	if (carol_online) {
		expect_presence(w->alice, CAROL, TRUE);
		expect_presence(w->bob, CAROL, TRUE);
		expect_presence(w->carol, ALICE, TRUE);
		expect_presence(w->carol, BOB, TRUE);
	}
	return w;
}

/* Closes what a user would close, signs everybody off and stops the server. */
static void
world_stop(World *w)
{
	PurpleAccount *accounts[] = { w->carol, w->bob, w->alice };
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(accounts); i++) {
		GList *convs, *l;
		if (accounts[i] == NULL)
			continue;
		convs = g_list_copy(purple_get_conversations());
		for (l = convs; l; l = l->next)
			if (purple_conversation_get_account(l->data) == accounts[i])
				purple_conversation_destroy(l->data);
		g_list_free(convs);
	}
	for (i = 0; i < G_N_ELEMENTS(accounts); i++)
		if (accounts[i])
			msnp_account_free(accounts[i]);
	msnp_server_stop(w->server);
	g_free(w);
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

/* How many times the server's log has needle. */
static guint
log_count(MsnpServer *server, const char *needle)
{
	char *log = msnp_server_log(server);
	guint n = count_in(log, needle);

	g_free(log);
	return n;
}

/* Sends html as the user types it in the conversation window with who. */
static void
send_im(PurpleAccount *from, const char *who, const char *html)
{
	PurpleConversation *conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, who, from);

	if (conv == NULL)
		conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, from, who);
	purple_conv_im_send(PURPLE_CONV_IM(conv), html);
}

static PurpleConnection *
gc_of(PurpleAccount *account)
{
	PurpleConnection *gc = purple_account_get_connection(account);

	g_assert_nonnull(gc);
	return gc;
}

/* The text a user reads in html: tags dropped, <br> a line end, entities
 * decoded. */
static char *
plain(const char *html)
{
	GString *out = g_string_new(NULL);
	const char *p;
	char *text;

	for (p = html; *p; p++) {
		if (*p == '<') {
			const char *end = strchr(p, '>');
			if (end == NULL)
				break;
			if (g_ascii_strncasecmp(p, "<br", 3) == 0)
				g_string_append_c(out, '\n');
			p = end;
		} else
			g_string_append_c(out, *p);
	}
	text = purple_unescape_html(out->str);
	g_string_free(out, TRUE);
	return text;
}

/* Received IMs (not nudge notices) for account from who. */
static MsnpConvMatch
ims(PurpleAccount *account, const char *who)
{
	return (MsnpConvMatch){ MSNP_EV_IM, account, who, NULL, 0, PURPLE_MESSAGE_NOTIFY };
}

static const MsnpConvEvent *
event_at(gint i)
{
	g_assert_cmpint(i, >=, 0);
	return g_ptr_array_index(msnp_conv_events(), (guint)i);
}

/* Waits for n IMs to account from who after the first `skip` and checks
 * their text (as read) in order. */
static void
expect_ims(PurpleAccount *account, const char *who, guint skip, const char *const *texts, guint n)
{
	MsnpConvMatch m = ims(account, who);
	guint i;

	if (msnp_conv_wait(&m, skip + n, 15000) < skip + n) {
		msnp_conv_dump();
		g_printerr("# %s got %u messages from %s, wanted %u\n",
		           purple_account_get_username(account), msnp_conv_count(&m) - skip, who, n);
		g_assert_not_reached();
	}
	for (i = 0; i < n; i++) {
		char *text = plain(event_at(msnp_conv_find(&m, skip + i))->text);
		g_assert_cmpstr(text, ==, texts[i]);
		g_free(text);
	}
}

static gboolean got_im(PurpleAccount *account, const char *who, const char *text);

/* Waits until account got an IM from who whose text (as read) contains text. */
static void
expect_one_im(PurpleAccount *account, const char *who, const char *text)
{
	gint64 end = g_get_monotonic_time() + (gint64)msnp_ms(15000) * 1000;

	while (!got_im(account, who, text)) {
		if (g_get_monotonic_time() > end) {
			msnp_conv_dump();
			g_printerr("# %s never got «%s» from %s\n", purple_account_get_username(account),
			           text, who);
			g_assert_not_reached();
		}
		msnp_run_until(NULL, 10);
	}
}

/* Whether account ever got an IM reading text from who. */
static gboolean
got_im(PurpleAccount *account, const char *who, const char *text)
{
	MsnpConvMatch m = ims(account, who);
	guint i, n = msnp_conv_count(&m);

	for (i = 0; i < n; i++) {
		char *t = plain(event_at(msnp_conv_find(&m, i))->text);
		gboolean same = strstr(t, text) != NULL;
		g_free(t);
		if (same)
			return TRUE;
	}
	return FALSE;
}

/* Lines written with flag (ERROR, SYSTEM) into account's conversations. */
static guint
notices(PurpleAccount *account, PurpleMessageFlags flag, const char *needle)
{
	return msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_WROTE, account, NULL, needle, flag, 0 });
}

static void
expect_notice(PurpleAccount *account, PurpleMessageFlags flag, const char *needle)
{
	MsnpConvMatch m = { MSNP_EV_WROTE, account, NULL, needle, flag, 0 };

	if (msnp_conv_wait(&m, 1, 15000) < 1) {
		msnp_conv_dump();
		g_printerr("# %s: no notice with «%s»\n", purple_account_get_username(account), needle);
		g_assert_not_reached();
	}
}

/* The error lines in account's conversation with who, joined. */
static char *
errors_in(PurpleAccount *account, const char *conv_name)
{
	GString *all = g_string_new(NULL);
	const GPtrArray *ev = msnp_conv_events();
	guint i;

	for (i = 0; i < ev->len; i++) {
		const MsnpConvEvent *e = g_ptr_array_index(ev, i);
		if (e->kind == MSNP_EV_WROTE && e->account == account && (e->flags & PURPLE_MESSAGE_ERROR) &&
		    e->conv_name && g_ascii_strcasecmp(e->conv_name, conv_name) == 0)
			g_string_append_printf(all, "%s\n", e->text);
	}
	return g_string_free(all, FALSE);
}

static void
expect_sockets(MsnpServer *server, guint n)
{
	gint64 end = g_get_monotonic_time() + (gint64)msnp_ms(10000) * 1000;

	while (msnp_sockets_to_port(server->sb_port) != n && g_get_monotonic_time() < end)
		msnp_run_until(NULL, 20);
	g_assert_cmpuint(msnp_sockets_to_port(server->sb_port), ==, n);
}

/* Waits until every timer the plugin started after mark has ended. */
static void
expect_no_plugin_timers(guint64 mark)
{
	gint64 end = g_get_monotonic_time() + (gint64)msnp_ms(10000) * 1000;

	while (msnp_plugin_timers_since(mark) > 0 && g_get_monotonic_time() < end)
		msnp_run_until(NULL, 20);
	g_assert_cmpuint(msnp_plugin_timers_since(mark), ==, 0);
}

static void
expect_log(MsnpServer *server, const char *needle, guint count)
{
	guint seen = msnp_server_wait_log(server, needle, count, 10000);

	if (seen < count) {
		char *log = msnp_server_log(server);
		g_printerr("# server log:\n%s# wanted %u × «%s», saw %u\n", log, count, needle, seen);
		g_free(log);
	}
	g_assert_cmpuint(seen, >=, count);
}

/* ---- One-to-one --------------------------------------------------------------- */

static void
test_im(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	World *w = world_start(version, NULL, FALSE);
	static const char *const to_bob[] = { "hello bob", "typed before the switchboard was up",
	                                      "third, still in order" };
	static const char *const to_alice[] = { "hi alice", "bob again" };
	gsize i;

	/* Typed at once, before any switchboard exists: queued, delivered in order. */
	for (i = 0; i < G_N_ELEMENTS(to_bob); i++)
		send_im(w->alice, BOB, to_bob[i]);
	expect_ims(w->bob, ALICE, 0, to_bob, G_N_ELEMENTS(to_bob));
	/* The other way, on the switchboard bob was invited to. */
	for (i = 0; i < G_N_ELEMENTS(to_alice); i++)
		send_im(w->bob, ALICE, to_alice[i]);
	expect_ims(w->alice, BOB, 0, to_alice, G_N_ELEMENTS(to_alice));
	/* alice answers: still the same switchboard. */
	send_im(w->alice, BOB, "and back");
	{
		const char *t[] = { "and back" };
		expect_ims(w->bob, ALICE, G_N_ELEMENTS(to_bob), t, 1);
	}

	/* Bob's conversation is named after alice's handle. */
	{
		gint i0 = msnp_conv_find(&(MsnpConvMatch){ MSNP_EV_WROTE, w->bob, ALICE, "hello bob",
		                                          PURPLE_MESSAGE_RECV, 0 }, 0);
		g_assert_cmpint(i0, >=, 0);
		g_assert_cmpstr(event_at(i0)->conv_name, ==, ALICE);
	}
	/* One switchboard carried it all; every message acknowledged. */
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, 1);
	g_assert_cmpuint(log_count(w->server, "joined (ANS)"), ==, 1);
	g_assert_cmpuint(log_count(w->server, " (ACK)"), ==, G_N_ELEMENTS(to_bob) + G_N_ELEMENTS(to_alice) + 1);
	g_assert_cmpuint(log_count(w->server, "(NAK)"), ==, 0);
	g_assert_cmpuint(notices(NULL, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	world_stop(w);
}

/* ---- Formatting ----------------------------------------------------------------- */

typedef struct {
	const char *sent;       /* libpurple HTML, as Pidgin sends it */
	const char *received;   /* the other side's HTML */
} FormatCase;

static const FormatCase format_cases[] = {
	{ "<b>bold</b>", DEFAULT_FONT "<b>bold</b></font>" },
	{ "<i>italic</i>", DEFAULT_FONT "<i>italic</i></font>" },
	{ "<u>underlined</u>", DEFAULT_FONT "<u>underlined</u></font>" },
	{ "<s>struck</s>", DEFAULT_FONT "<s>struck</s></font>" },
	{ "<b><i><u><s>all four</s></u></i></b>", DEFAULT_FONT "<b><i><u><s>all four</s></u></i></b></font>" },
	{ "<font face=\"Comic Sans MS\" color=\"#ff0000\">red comic</font>",
	  "<font face=\"Comic Sans MS\" color=\"#ff0000\">red comic</font>" },
	{ "<font color=\"#0080ff\"><i>blue italic</i></font>",
	  "<font face=\"Segoe UI\" color=\"#0080ff\"><i>blue italic</i></font>" },
	{ "<font face=\"Times &amp; Co\">ampersand face</font>",
	  "<font face=\"Times &amp; Co\" color=\"#000000\">ampersand face</font>" },
	{ "1 &lt; 2 &amp;&amp; 3 &gt; 2, &quot;quoted&quot;",
	  DEFAULT_FONT "1 &lt; 2 &amp;&amp; 3 &gt; 2, &quot;quoted&quot;</font>" },
	{ "&lt;b&gt;not bold&lt;/b&gt;", DEFAULT_FONT "&lt;b&gt;not bold&lt;/b&gt;</font>" },
	{ "first line<br>second line<br>third", DEFAULT_FONT "first line<br>second line<br>third</font>" },
	{ "typed\nwith a raw line end", DEFAULT_FONT "typed<br>with a raw line end</font>" },
	/* One format per message: the one at the first visible character. */
	{ "<b>bold start</b> then plain", DEFAULT_FONT "<b>bold start then plain</b></font>" },
	{ "plain start <b>then bold</b>", DEFAULT_FONT "plain start then bold</font>" },
	{ "Gr\xc3\xbc\xc3\x9f" "e, \xe6\x97\xa5\xe6\x9c\xac, \xf0\x9f\x98\x80",
	  DEFAULT_FONT "Gr\xc3\xbc\xc3\x9f" "e, \xe6\x97\xa5\xe6\x9c\xac, \xf0\x9f\x98\x80</font>" },
};

static void
check_formats(World *w, PurpleAccount *from, const char *from_name, PurpleAccount *to)
{
	MsnpConvMatch m = ims(to, from_name);
	guint before = msnp_conv_count(&m), i, bad = 0;

	for (i = 0; i < G_N_ELEMENTS(format_cases); i++)
		send_im(from, purple_account_get_username(to), format_cases[i].sent);
	if (msnp_conv_wait(&m, before + G_N_ELEMENTS(format_cases), 15000) <
	    before + G_N_ELEMENTS(format_cases)) {
		msnp_conv_dump();
		g_assert_not_reached();
	}
	for (i = 0; i < G_N_ELEMENTS(format_cases); i++) {
		const char *got = event_at(msnp_conv_find(&m, before + i))->text;
		if (strcmp(got, format_cases[i].received) != 0) {
			g_printerr("# sent «%s»\n#  got «%s»\n# want «%s»\n", format_cases[i].sent, got,
			           format_cases[i].received);
			bad++;
		}
	}
	g_assert_cmpuint(bad, ==, 0);
}

static void
test_format(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);

	check_formats(w, w->alice, ALICE, w->bob);
	check_formats(w, w->bob, BOB, w->alice);
	world_stop(w);
}

/* ---- Long messages ---------------------------------------------------------------- */

/* Sends text (plain, nothing to escape) from alice and checks that bob reads
 * it back whole, joined from several messages, each under the limit. */
static void
long_round_trip(World *w, const char *text, guint min_parts)
{
	MsnpConvMatch m = ims(w->bob, ALICE);
	guint before = msnp_conv_count(&m), msgs_before = log_count(w->server, ALICE ": MSG A ");
	glong want = g_utf8_strlen(text, -1);
	GString *joined = g_string_new(NULL);
	gint64 end = g_get_monotonic_time() + (gint64)msnp_ms(20000) * 1000;
	guint i, parts;

	send_im(w->alice, BOB, text);
	for (;;) {
		guint n = msnp_conv_count(&m);
		g_string_truncate(joined, 0);
		for (i = before; i < n; i++) {
			char *t = plain(event_at(msnp_conv_find(&m, i))->text);
			g_string_append(joined, t);
			g_free(t);
		}
		if (g_utf8_strlen(joined->str, -1) >= want || g_get_monotonic_time() > end)
			break;
		msnp_run_until(NULL, 20);
	}
	parts = msnp_conv_count(&m) - before;
	g_assert_true(g_utf8_validate(joined->str, -1, NULL));
	g_assert_cmpuint(strlen(joined->str), ==, strlen(text));
	g_assert_true(strcmp(joined->str, text) == 0);
	g_assert_cmpuint(parts, >=, min_parts);
	/* Each part went as its own MSG, every one within the limit. */
	{
		char *log = msnp_server_log(w->server);
		const char *p = log;
		guint seen = 0;
		while ((p = strstr(p, ALICE ": MSG A "))) {
			guint bytes = (guint)g_ascii_strtoull(p + strlen(ALICE ": MSG A "), NULL, 10);
			g_assert_cmpuint(bytes, <=, 1664);
			seen++;
			p++;
		}
		g_assert_cmpuint(seen - msgs_before, ==, parts);
		g_free(log);
	}
	g_string_free(joined, TRUE);
}

static void
test_long(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	GString *words = g_string_new(NULL), *solid = g_string_new(NULL), *wide = g_string_new(NULL);
	static const char *const glyphs[] = { "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xc3\x9f", "a" };
	guint i;

	for (i = 0; words->len < 5000; i++)
		g_string_append_printf(words, "word%04u ", i);
	g_string_truncate(words, 5000);
	g_strchomp(words->str);
	words->len = strlen(words->str);
	for (i = 0; i < 5000; i++)
		g_string_append_c(solid, (char)('a' + i % 26));
	for (i = 0; i < 5000; i++)
		g_string_append(wide, glyphs[i % G_N_ELEMENTS(glyphs)]);

	long_round_trip(w, words->str, 4);
	long_round_trip(w, solid->str, 4);
	/* 5,000 characters, 13,000 bytes: never cut inside a character. */
	long_round_trip(w, wide->str, 8);

	/* The server never had to close the switchboard. */
	g_assert_cmpuint(log_count(w->server, "closing"), ==, 0);
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, 1);
	g_assert_cmpuint(notices(NULL, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	g_string_free(words, TRUE);
	g_string_free(solid, TRUE);
	g_string_free(wide, TRUE);
	world_stop(w);
}

/* ---- Messages that did not arrive -------------------------------------------------- */

static void
test_nak(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	char *errors;

	send_im(w->alice, BOB, "first");
	expect_one_im(w->bob, ALICE, "first");

	/* The server refuses the next message: alice is told, with its text. */
	msnp_server_control(w->server, "sb-nak " ALICE " 1");
	expect_log(w->server, "the next 1 MSG A/N get NAK", 1);
	send_im(w->alice, BOB, "second &lt;&amp;&gt; lost");
	expect_notice(w->alice, PURPLE_MESSAGE_ERROR, "could not be delivered");
	errors = errors_in(w->alice, BOB);
	g_assert_nonnull(strstr(errors, "second &lt;&amp;&gt; lost"));
	g_free(errors);

	/* The next one goes through, on the same switchboard. */
	send_im(w->alice, BOB, "third");
	expect_one_im(w->bob, ALICE, "third");
	g_assert_false(got_im(w->bob, ALICE, "second"));
	g_assert_cmpuint(notices(w->alice, PURPLE_MESSAGE_ERROR, "could not be delivered"), ==, 1);

	/* A nudge that is refused is reported too. */
	msnp_server_control(w->server, "sb-nak " ALICE " 1");
	expect_log(w->server, "the next 1 MSG A/N get NAK", 2);
	purple_prpl_send_attention(gc_of(w->alice), BOB, 0);
	expect_notice(w->alice, PURPLE_MESSAGE_ERROR, "nudge could not be delivered");
	g_assert_cmpuint(msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_ATTENTION, w->bob }), ==, 0);

	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, 1);
	g_assert_true(purple_account_is_connected(w->alice));
	world_stop(w);
}

/* The server drops alice's switchboard on its 4th command (USR, CAL, MSG,
 * MSG): the second message was never acknowledged. */
static void
test_dropped(gconstpointer data)
{
	static const char *const args[] = { "--sb-drop-after=4", NULL };
	World *w = world_start(GPOINTER_TO_UINT(data), args, FALSE);
	char *errors;

	send_im(w->alice, BOB, "one");
	expect_one_im(w->bob, ALICE, "one");
	send_im(w->alice, BOB, "two, never acknowledged");
	expect_log(w->server, "sb-drop-after 4", 1);
	expect_notice(w->alice, PURPLE_MESSAGE_ERROR, "could not be delivered");
	errors = errors_in(w->alice, BOB);
	g_assert_nonnull(strstr(errors, "two, never acknowledged"));
	g_free(errors);

	/* A new switchboard opens for the next message. */
	send_im(w->alice, BOB, "three");
	expect_one_im(w->bob, ALICE, "three");
	g_assert_false(got_im(w->bob, ALICE, "two"));
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, 2);
	g_assert_true(purple_account_is_connected(w->alice));
	world_stop(w);
}

static void
test_offline(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	char *errors;

	/* carol is not signed in: CAL gets 217. */
	send_im(w->alice, CAROL, "are you there, carol?");
	expect_log(w->server, "CAL " CAROL ": 217", 1);
	expect_notice(w->alice, PURPLE_MESSAGE_ERROR, "could not be delivered");
	errors = errors_in(w->alice, CAROL);
	g_assert_nonnull(strstr(errors, "offline"));
	g_assert_nonnull(strstr(errors, "are you there, carol?"));
	g_free(errors);
	/* and nothing is left open for it. */
	expect_sockets(w->server, 0);

	/* bob appears offline: the same. */
	purple_account_set_status(w->bob, "invisible", TRUE, NULL);
	expect_presence(w->alice, BOB, FALSE);
	send_im(w->alice, BOB, "hidden bob");
	expect_log(w->server, "CAL " BOB ": 217", 1);
	expect_notice(w->alice, PURPLE_MESSAGE_ERROR, "hidden bob");
	errors = errors_in(w->alice, BOB);
	g_assert_nonnull(strstr(errors, "offline"));
	g_assert_nonnull(strstr(errors, "could not be delivered"));
	g_free(errors);
	g_assert_false(got_im(w->bob, ALICE, "hidden bob"));

	/* Visible again: messages arrive. */
	purple_account_set_status(w->bob, "available", TRUE, NULL);
	expect_presence(w->alice, BOB, TRUE);
	send_im(w->alice, BOB, "visible again");
	expect_one_im(w->bob, ALICE, "visible again");

	/* bob signs off mid-conversation: his switchboards go, alice's closes. */
	msnp_signout(w->bob);
	expect_presence(w->alice, BOB, FALSE);
	expect_sockets(w->server, 0);
	send_im(w->alice, BOB, "after you left");
	expect_log(w->server, "CAL " BOB ": 217", 2);
	expect_notice(w->alice, PURPLE_MESSAGE_ERROR, "after you left");
	errors = errors_in(w->alice, BOB);
	g_assert_cmpuint(count_in(errors, "offline"), >=, 2);
	g_free(errors);
	g_assert_true(purple_account_is_connected(w->alice));

	/* bob is back: a new switchboard, and the message arrives. */
	{
		MsnpSignin s;
		msnp_signin(w->bob, 20000, &s);
		g_assert_true(s.signed_on);
		msnp_signin_clear(&s);
	}
	expect_presence(w->alice, BOB, TRUE);
	send_im(w->alice, BOB, "welcome back");
	expect_one_im(w->bob, ALICE, "welcome back");

	/* Writing to oneself is refused with a notice (Escargot refuses the CAL). */
	send_im(w->alice, ALICE, "note to self");
	expect_notice(w->alice, PURPLE_MESSAGE_ERROR, "yourself");
	world_stop(w);
}

/* ---- Typing and nudges ------------------------------------------------------------- */

static void
test_typing(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	MsnpConvMatch bob_sees = { MSNP_EV_TYPING, w->bob, ALICE };
	MsnpConvMatch bob_sees_stop = { MSNP_EV_TYPING_STOPPED, w->bob, ALICE };
	MsnpConvMatch alice_sees = { MSNP_EV_TYPING, w->alice, BOB };
	MsnpConvMatch alice_sees_stop = { MSNP_EV_TYPING_STOPPED, w->alice, BOB };
	guint again, usr, stopped0;
	gint i_stop, i_msg;

	/* Typing to someone offline sends nothing and says nothing. */
	g_assert_cmpuint(serv_send_typing(gc_of(w->alice), CAROL, PURPLE_TYPING), ==, 0);
	msnp_run_until(NULL, 300);
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, 0);
	g_assert_cmpuint(notices(w->alice, PURPLE_MESSAGE_ERROR, NULL), ==, 0);

	/* Starting to type to bob opens the conversation (as the official
	 * client); libpurple is asked to call again in a few seconds. */
	again = serv_send_typing(gc_of(w->alice), BOB, PURPLE_TYPING);
	g_assert_cmpuint(again, >=, 3);
	g_assert_cmpuint(again, <=, 6);
	g_assert_cmpuint(msnp_conv_wait(&bob_sees, 1, 10000), ==, 1);
	expect_log(w->server, ALICE ": MSG U ", 1);
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, 1);
	/* Called again at once: nothing more goes out (rate limit). */
	g_assert_cmpuint(serv_send_typing(gc_of(w->alice), BOB, PURPLE_TYPING), ==, again);
	msnp_run_until(NULL, 500);
	g_assert_cmpuint(log_count(w->server, ALICE ": MSG U "), ==, 1);
	/* "Stopped typing" has no message of its own. */
	serv_send_typing(gc_of(w->alice), BOB, PURPLE_NOT_TYPING);
	msnp_run_until(NULL, 300);
	g_assert_cmpuint(log_count(w->server, ALICE ": MSG U "), ==, 1);
	/* The message ends the notice no later than it arrives. */
	send_im(w->alice, BOB, "done typing");
	expect_one_im(w->bob, ALICE, "done typing");
	i_stop = msnp_conv_find(&bob_sees_stop, 0);
	i_msg = msnp_conv_find(&(MsnpConvMatch){ MSNP_EV_IM, w->bob, ALICE, "done typing" }, 0);
	g_assert_cmpint(i_stop, >=, 0);
	g_assert_cmpint(i_stop, <, i_msg);

	/* bob types back, on the switchboard he was invited to. */
	usr = log_count(w->server, "open (USR)");
	stopped0 = msnp_conv_count(&alice_sees_stop);
	g_assert_cmpuint(serv_send_typing(gc_of(w->bob), ALICE, PURPLE_TYPING), ==, again);
	g_assert_cmpuint(msnp_conv_wait(&alice_sees, 1, 10000), ==, 1);
	expect_log(w->server, BOB ": MSG U ", 1);
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, usr);
	g_assert_cmpuint(msnp_conv_count(&alice_sees_stop), ==, stopped0);
	serv_send_typing(gc_of(w->bob), ALICE, PURPLE_TYPING);
	msnp_run_until(NULL, 500);
	g_assert_cmpuint(log_count(w->server, BOB ": MSG U "), ==, 1);
	/* Without another notice, alice's "typing" ends by itself. */
	g_assert_cmpuint(msnp_conv_wait(&alice_sees_stop, stopped0 + 1, 15000), ==, stopped0 + 1);
	/* Typing again (the resend interval is over), then the message. */
	serv_send_typing(gc_of(w->bob), ALICE, PURPLE_TYPING);
	g_assert_cmpuint(msnp_conv_wait(&alice_sees, 2, 10000), ==, 2);
	expect_log(w->server, BOB ": MSG U ", 2);
	send_im(w->bob, ALICE, "bob done typing");
	expect_one_im(w->alice, BOB, "bob done typing");
	i_stop = msnp_conv_find(&alice_sees_stop, stopped0 + 1);
	i_msg = msnp_conv_find(&(MsnpConvMatch){ MSNP_EV_IM, w->alice, BOB, "bob done typing" }, 0);
	g_assert_cmpint(i_stop, >=, 0);
	g_assert_cmpint(i_stop, <, i_msg);
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, usr);
	world_stop(w);
}

static void
test_nudge(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	MsnpConvMatch to_bob = { MSNP_EV_ATTENTION, w->bob, ALICE };
	MsnpConvMatch to_alice = { MSNP_EV_ATTENTION, w->alice, BOB };
	gint i;

	/* A nudge opens the switchboard by itself. */
	purple_prpl_send_attention(gc_of(w->alice), BOB, 0);
	g_assert_cmpuint(msnp_conv_wait(&to_bob, 1, 15000), ==, 1);
	i = msnp_conv_find(&to_bob, 0);
	g_assert_cmpuint(event_at(i)->number, ==, 0);
	/* bob's window says so (libpurple's "has nudged you"), never raw text. */
	g_assert_cmpuint(msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_WROTE, w->bob, NULL, "nudged",
	                                                   PURPLE_MESSAGE_NOTIFY }), >=, 1);
	g_assert_cmpuint(msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_WROTE, w->bob, NULL, "ID:" }), ==, 0);

	purple_prpl_send_attention(gc_of(w->bob), ALICE, 0);
	g_assert_cmpuint(msnp_conv_wait(&to_alice, 1, 15000), ==, 1);
	g_assert_cmpuint(event_at(msnp_conv_find(&to_alice, 0))->number, ==, 0);

	/* Nudges and messages share the switchboard. */
	send_im(w->alice, BOB, "after the nudge");
	expect_one_im(w->bob, ALICE, "after the nudge");
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, 1);
	g_assert_cmpuint(msnp_conv_count(&to_bob), ==, 1);

	/* A nudge to someone offline is reported. */
	purple_prpl_send_attention(gc_of(w->alice), CAROL, 0);
	expect_notice(w->alice, PURPLE_MESSAGE_ERROR, "offline");
	world_stop(w);
}

/* ---- What this client does not show, and malformed messages ------------------------ */

static void
push_raw(MsnpServer *server, const char *raw)
{
	char *line = g_strdup_printf("sb-push " BOB " %s", raw);

	msnp_server_control(server, line);
	pushes++;
	g_free(line);
}

/* Makes bob's switchboard deliver payload (push escapes) as a MSG from alice. */
static void
push_from_alice(MsnpServer *server, const char *payload)
{
	char *raw = g_strdup_printf("MSG " ALICE " Alice {len}|%s", payload);

	push_raw(server, raw);
	g_free(raw);
}

#define MIME "MIME-Version: 1.0\\r\\n"
#define TEXT_PLAIN "Content-Type: text/plain; charset=UTF-8\\r\\n"
#define P2P_HEADER "MIME-Version: 1.0\\r\\nContent-Type: application/x-msnmsgrp2p\\r\\nP2P-Dest: " BOB "\\r\\n\\r\\n" \
	"\\x00\\x00\\x00\\x00\\x01\\x02\\x03\\x04\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00" \
	"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x10\\x01\\x00\\x00\\x00\\x00\\x00\\x00" \
	"\\x10\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x05\\x06\\x07\\x08\\x00\\x00\\x00\\x00"
#define SLP_INVITE(guid) "INVITE MSNMSGR:" BOB " MSNSLP/1.0\\r\\nTo: <msnmsgr:" BOB ">\\r\\n" \
	"From: <msnmsgr:" ALICE ">\\r\\nCSeq: 0\\r\\nCall-ID: {00000000-0000-0000-0000-000000000001}\\r\\n" \
	"Content-Type: application/x-msnmsgr-sessionreqbody\\r\\n\\r\\nEUF-GUID: " guid "\\r\\nSessionID: 1\\r\\n\\r\\n\\x00"

/* What must never reach a conversation: MIME, protocol and P2P text. */
static const char *const raw_bits[] = {
	"MIME-Version", "Content-Type", "content-type", "Invitation-", "Application-", "msnobj",
	"MSNSLP", "EUF-GUID", "TypingUser", "ID: ", "P2P-Dest", "secret raw", "X-MMS",
};

static void
expect_nothing_raw(PurpleAccount *account)
{
	const GPtrArray *ev = msnp_conv_events();
	guint i;
	gsize k;

	for (i = 0; i < ev->len; i++) {
		const MsnpConvEvent *e = g_ptr_array_index(ev, i);
		if (e->account != account || e->text == NULL)
			continue;
		g_assert_true(g_utf8_validate(e->text, -1, NULL));
		for (k = 0; k < G_N_ELEMENTS(raw_bits); k++)
			if (strstr(e->text, raw_bits[k])) {
				msnp_conv_dump();
				g_printerr("# event %u shows «%s»\n", i, raw_bits[k]);
				g_assert_not_reached();
			}
	}
}

/* Pushes a good message and waits for it: everything pushed before it has
 * been read by then. */
static void
sentinel(World *w, const char *text)
{
	char *payload = g_strdup_printf(MIME TEXT_PLAIN "\\r\\n%s", text);

	push_from_alice(w->server, payload);
	g_free(payload);
	expect_one_im(w->bob, ALICE, text);
	/* Every push reached bob's switchboard (none was refused by the server). */
	g_assert_cmpuint(log_count(w->server, "-- control: sb-push " BOB ": "), ==, pushes);
	g_assert_cmpuint(log_count(w->server, " bytes sent on "), ==, pushes);
}

static void
test_unsupported(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	guint system_before, ims_before;

	send_im(w->alice, BOB, "setting up");
	expect_one_im(w->bob, ALICE, "setting up");
	system_before = notices(w->bob, PURPLE_MESSAGE_SYSTEM, NULL);
	ims_before = msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_IM, w->bob });

	/* Shown as one line each. */
	push_from_alice(w->server, MIME "Content-Type: text/x-msnmsgr-datacast\\r\\n\\r\\nID: 2\\r\\n"
	                "Data: <msnobj Creator=\"" ALICE "\" Type=\"8\"/>\\r\\n\\r\\n");
	push_from_alice(w->server, MIME "Content-Type: text/x-msnmsgr-datacast\\r\\n\\r\\nID: 3\\r\\n"
	                "Data: <msnobj Creator=\"" ALICE "\" Type=\"11\"/>\\r\\n\\r\\n");
	push_from_alice(w->server, MIME "Content-Type: image/gif\\r\\n\\r\\n"
	                "base64:R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");
	push_from_alice(w->server, MIME "Content-Type: application/x-ms-ink\\r\\n\\r\\nbase64:AAECAwQF");
	push_from_alice(w->server, MIME "Content-Type: text/x-msmsgsinvite; charset=UTF-8\\r\\n\\r\\n"
	                "Application-Name: File Transfer\\r\\n"
	                "Application-GUID: {5D3E02AB-6190-11d3-BBBB-00C04F795683}\\r\\n"
	                "Invitation-Command: INVITE\\r\\nInvitation-Cookie: 4242\\r\\n"
	                "Application-File: notes.txt\\r\\nApplication-FileSize: 120\\r\\n\\r\\n");
	push_from_alice(w->server, P2P_HEADER SLP_INVITE("{5D3E02AB-6190-11D3-BBBB-00C04F795683}")
	                "\\x00\\x00\\x00\\x02");
	/* Ignored: nothing shown. */
	push_from_alice(w->server, MIME "Content-Type: text/x-msmsgsinvite; charset=UTF-8\\r\\n\\r\\n"
	                "Invitation-Command: CANCEL\\r\\nInvitation-Cookie: 4242\\r\\n"
	                "Cancel-Code: REJECT\\r\\n\\r\\n");
	push_from_alice(w->server, P2P_HEADER SLP_INVITE("{A4268EEC-FEC5-49E5-95C3-F126696BDBF6}")
	                "\\x00\\x00\\x00\\x01");
	push_from_alice(w->server, P2P_HEADER "\\x00\\x00\\x00\\x00");
	push_from_alice(w->server, MIME "Content-Type: text/x-mms-emoticon\\r\\n\\r\\n"
	                ":cat:\\t<msnobj Creator=\"" ALICE "\" Type=\"2\"/>\\t");
	push_from_alice(w->server, MIME "Content-Type: text/x-mms-animemoticon\\r\\n\\r\\n"
	                ":dog:\\t<msnobj Creator=\"" ALICE "\" Type=\"2\"/>\\t");
	push_from_alice(w->server, MIME "Content-Type: text/x-clientcaps\\r\\n\\r\\n"
	                "Client-Name: Trillian/3.1\\r\\nChat-Logging: Y\\r\\n");
	push_from_alice(w->server, MIME "Content-Type: text/x-clientinfo\\r\\n\\r\\nClient-Name: x\\r\\n");
	push_from_alice(w->server, MIME "Content-Type: text/x-keepalive\\r\\n\\r\\n");
	push_from_alice(w->server, MIME "Content-Type: text/x-msnmsgr-datacast\\r\\n\\r\\nID: 4\\r\\n\\r\\n");
	push_from_alice(w->server, MIME "Content-Type: text/x-msnmsgr-datacast\\r\\n\\r\\nno id here\\r\\n\\r\\n");
	push_from_alice(w->server, MIME "Content-Type: text/x-msmsgscontrol\\r\\n\\r\\n\\r\\n");
	push_from_alice(w->server, MIME "Content-Type: application/x-unheard-of\\r\\n\\r\\nsecret raw");
	sentinel(w, "after the unsupported ones");

	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_SYSTEM, "wink"), ==, 1);
	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_SYSTEM, "voice clip"), ==, 1);
	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_SYSTEM, "handwritten"), ==, 2);
	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_SYSTEM, "does not support"), ==, 1);
	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_SYSTEM, "send you a file"), ==, 1);
	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_SYSTEM, "cannot"), ==, 5);
	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_SYSTEM, NULL) - system_before, ==, 6);
	/* None of them is a message; the sentinel is the only one. */
	g_assert_cmpuint(msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_IM, w->bob }) - ims_before, ==, 1);
	g_assert_cmpuint(msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_TYPING, w->bob }), ==, 0);
	g_assert_cmpuint(msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_ATTENTION, w->bob }), ==, 0);
	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	expect_nothing_raw(w->bob);

	/* The switchboard is alive: alice's next message comes on it. */
	send_im(w->alice, BOB, "still talking");
	expect_one_im(w->bob, ALICE, "still talking");
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, 1);
	world_stop(w);
}

/* Pushes a line that may break bob's switchboard, then a good message: it
 * arrives, or the switchboard closed on both sides (nothing left open) and
 * alice's next message arrives on a new one. */
static void
survive_or_reopen(World *w, const char *raw, const char *tag)
{
	char *payload = g_strdup_printf("MSG " ALICE " Alice {len}|" MIME TEXT_PLAIN "\\r\\n%s", tag);
	gint64 end = g_get_monotonic_time() + (gint64)msnp_ms(10000) * 1000;

	push_raw(w->server, raw);
	push_raw(w->server, payload);
	g_free(payload);
	while (!got_im(w->bob, ALICE, tag) && msnp_sockets_to_port(w->server->sb_port) > 0 &&
	       g_get_monotonic_time() < end)
		msnp_run_until(NULL, 20);
	g_assert_true(purple_account_is_connected(w->bob));
	g_assert_true(purple_account_is_connected(w->alice));
	if (!got_im(w->bob, ALICE, tag)) {
		char *again = g_strdup_printf("%s, on a new switchboard", tag);
		g_assert_cmpuint(msnp_sockets_to_port(w->server->sb_port), ==, 0);
		g_test_message("«%s» closed the switchboard", raw);
		send_im(w->alice, BOB, again);
		expect_one_im(w->bob, ALICE, again);
		g_free(again);
	}
}

static void
test_malformed(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	MsnpConvMatch bob_ims = { MSNP_EV_IM, NULL, NULL };
	char *longname = g_strnfill(400, 'x');
	char *line;
	guint i, n;

	bob_ims.account = w->bob;
	send_im(w->alice, BOB, "setting up");
	expect_one_im(w->bob, ALICE, "setting up");

	/* Not UTF-8 although it says so. */
	push_from_alice(w->server, MIME TEXT_PLAIN "\\r\\nM1 bad \\xff\\xfe\\xc3 utf-8");
	/* No charset and not UTF-8: read as Windows-1252. */
	push_from_alice(w->server, MIME "Content-Type: text/plain\\r\\n\\r\\nM2 caf\\xe9 cr\\xe8me");
	/* A header line without a colon. */
	push_from_alice(w->server, MIME TEXT_PLAIN "this header line has no colon\\r\\n\\r\\nM3 after a bad header");
	push_from_alice(w->server, MIME TEXT_PLAIN ": no name\\r\\nX-MMS-IM-Format\\r\\n\\r\\nM3b colon only");
	/* An empty body (blank ones: test_blank). */
	push_from_alice(w->server, MIME TEXT_PLAIN "\\r\\n");
	/* No blank line after the headers. */
	push_from_alice(w->server, MIME TEXT_PLAIN "M5 no blank line");
	push_from_alice(w->server, MIME "Content-Type: text/plain; charset=UTF-8");
	/* Missing Content-Type, no headers at all, an empty one. */
	push_from_alice(w->server, MIME "\\r\\nM7 no content type");
	push_from_alice(w->server, "\\r\\nM8 no headers at all");
	push_from_alice(w->server, MIME "Content-Type:\\r\\n\\r\\nM8b empty type");
	push_from_alice(w->server, MIME "Content-Type: ;;;\\r\\n\\r\\nM8c only separators");
	/* A zero-length payload. */
	push_raw(w->server, "MSG " ALICE " Alice 0\\r\\n");
	/* A NUL in the body. */
	push_from_alice(w->server, MIME TEXT_PLAIN "\\r\\nM10 nul\\x00inside");
	/* A format header that is nonsense. */
	push_from_alice(w->server, MIME TEXT_PLAIN "X-MMS-IM-Format: FN=%ZZ%; EF=QQQ; CO=zzzzzzzz; CS=; PF\\r\\n\\r\\nM11 odd format");
	/* A length shorter than the payload: the rest reads as bad lines. */
	push_raw(w->server, "MSG " ALICE " Alice 20\\r\\nMIME-Version: 1.0\\r\\nContent-Type: text/plain\\r\\n\\r\\nM6 longer than said");
	/* Senders that cannot be handles. */
	line = g_strdup_printf("MSG %s@example.com Long {len}|" MIME TEXT_PLAIN "\\r\\nM12 from a long handle", longname);
	push_raw(w->server, line);
	g_free(line);
	push_raw(w->server, "MSG not\\x01a\\x7fhandle Bad {len}|" MIME TEXT_PLAIN "\\r\\nM13 control characters");
	/* JOI, BYE and IRO with nothing. */
	push_raw(w->server, "JOI");
	push_raw(w->server, "BYE");
	push_raw(w->server, "IRO 1");
	sentinel(w, "after the malformed ones");

	/* Windows-1252 read as such. */
	g_assert_true(got_im(w->bob, ALICE, "M2 caf\xc3\xa9 cr\xc3\xa8me"));
	/* What has no body or no text part never shows. */
	g_assert_false(got_im(w->bob, ALICE, "M5"));
	g_assert_false(got_im(w->bob, ALICE, "M6"));
	g_assert_false(got_im(w->bob, ALICE, "M7"));
	g_assert_false(got_im(w->bob, ALICE, "M8"));
	g_assert_false(got_im(w->bob, ALICE, "M12"));
	g_assert_false(got_im(w->bob, ALICE, "M13"));
	/* Every message shown is valid UTF-8 and not empty; no raw MIME. */
	n = msnp_conv_count(&bob_ims);
	for (i = 0; i < n; i++) {
		const MsnpConvEvent *e = event_at(msnp_conv_find(&bob_ims, i));
		char *t = plain(e->text);
		g_assert_true(g_utf8_validate(e->text, -1, NULL));
		g_assert_cmpstr(g_strstrip(t), !=, "");
		g_free(t);
	}
	expect_nothing_raw(w->bob);
	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	/* bob left nobody: he is still in the switchboard, and signed in. */
	g_assert_true(purple_account_is_connected(w->bob));
	send_im(w->alice, BOB, "still talking");
	expect_one_im(w->bob, ALICE, "still talking");
	send_im(w->bob, ALICE, "bob still answers");
	expect_one_im(w->alice, BOB, "bob still answers");
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, 1);
	g_assert_cmpuint(log_count(w->server, "left ("), ==, 0);

	/* Lines after which the stream cannot be framed any more (a payload
	 * length that is no number, bytes that are no command): the plugin may
	 * drop that switchboard, but the conversation goes on. */
	{
		static const char *const broken[] = {
			"MSG " ALICE " Alice abc", "MSG " ALICE " Alice -5", "MSG " ALICE, "MSG",
			"MSG " ALICE " Alice 99999999999999999999", "\\xff\\xfe\\x00garbage",
		};
		for (i = 0; i < G_N_ELEMENTS(broken); i++) {
			char *tag = g_strdup_printf("after broken line %u", i);
			survive_or_reopen(w, broken[i], tag);
			g_free(tag);
		}
	}
	expect_nothing_raw(w->bob);
	g_assert_cmpuint(notices(NULL, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	g_free(longname);
	world_stop(w);
}

/* Bodies with nothing to read (line ends, spaces) are dropped like empty
 * ones: no blank message appears. */
static void
test_blank(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	MsnpConvMatch bob_ims = { MSNP_EV_IM, NULL, NULL };
	guint i, n;

	bob_ims.account = w->bob;
	send_im(w->alice, BOB, "setting up");
	expect_one_im(w->bob, ALICE, "setting up");
	push_from_alice(w->server, MIME TEXT_PLAIN "\\r\\n\\r\\n\\r\\n");
	push_from_alice(w->server, MIME TEXT_PLAIN "\\r\\n\\n");
	push_from_alice(w->server, MIME TEXT_PLAIN "\\r\\n   \\t ");
	sentinel(w, "after the blank ones");
	n = msnp_conv_count(&bob_ims);
	for (i = 0; i < n; i++) {
		const MsnpConvEvent *e = event_at(msnp_conv_find(&bob_ims, i));
		char *t = plain(e->text);
		if (*g_strstrip(t) == '\0') {
			msnp_conv_dump();
			g_printerr("# a message with nothing to read was shown: «%s»\n", e->text);
		}
		g_assert_cmpstr(t, !=, "");
		g_free(t);
	}
	g_assert_cmpuint(n, ==, 2);
	world_stop(w);
}

/* ---- Chats --------------------------------------------------------------------- */

/* Runs the buddy's "Initiate _Chat" menu action, as Pidgin's buddy menu does. */
static void
initiate_chat(PurpleAccount *account, const char *who)
{
	PurpleBuddy *buddy = purple_find_buddy(account, who);
	PurplePlugin *prpl = purple_find_prpl(purple_account_get_protocol_id(account));
	PurplePluginProtocolInfo *info;
	GList *menu, *l;
	guint found = 0;

	g_assert_nonnull(buddy);
	g_assert_nonnull(prpl);
	info = PURPLE_PLUGIN_PROTOCOL_INFO(prpl);
	g_assert_nonnull(info->blist_node_menu);
	menu = info->blist_node_menu((PurpleBlistNode *)buddy);
	for (l = menu; l; l = l->next) {
		PurpleMenuAction *a = l->data;
		if (g_strcmp0(a->label, "Initiate _Chat") == 0) {
			((void (*)(PurpleBlistNode *, gpointer))a->callback)((PurpleBlistNode *)buddy, a->data);
			found++;
		}
	}
	g_list_free_full(menu, (GDestroyNotify)purple_menu_action_free);
	g_assert_cmpuint(found, ==, 1);
}

/* The chat account joined (its n-th), waiting for it. */
static PurpleConversation *
joined_chat(PurpleAccount *account, guint n)
{
	MsnpConvMatch m = { MSNP_EV_CHAT_JOINED, account };
	PurpleConversation *conv;

	if (msnp_conv_wait(&m, n + 1, 15000) < n + 1) {
		msnp_conv_dump();
		g_printerr("# %s joined no chat\n", purple_account_get_username(account));
		g_assert_not_reached();
	}
	conv = purple_find_chat(gc_of(account), event_at(msnp_conv_find(&m, n))->chat_id);
	g_assert_nonnull(conv);
	return conv;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The participants of a chat, sorted, comma-separated. */
static char *
users_of(PurpleConversation *conv)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GList *l;
	char *joined;

	for (l = purple_conv_chat_get_users(PURPLE_CONV_CHAT(conv)); l; l = l->next)
		g_ptr_array_add(names, g_ascii_strdown(purple_conv_chat_cb_get_name(l->data), -1));
	g_ptr_array_sort(names, cmp_str);
	g_ptr_array_add(names, NULL);
	joined = g_strjoinv(",", (char **)names->pdata);
	g_ptr_array_free(names, TRUE);
	return joined;
}

typedef struct {
	PurpleConversation *conv;
	const char *want;
} UsersWant;

static gboolean
users_are(gpointer data)
{
	UsersWant *u = data;
	char *have = users_of(u->conv);
	gboolean same = strcmp(have, u->want) == 0;

	g_free(have);
	return same;
}

static void
expect_users(PurpleConversation *conv, const char *want)
{
	UsersWant u = { conv, want };

	if (!wait_until(users_are, &u, 15000)) {
		char *have = users_of(conv);
		msnp_conv_dump();
		g_printerr("# %s's chat has %s, wanted %s\n",
		           purple_account_get_username(purple_conversation_get_account(conv)), have, want);
		g_free(have);
		g_assert_not_reached();
	}
}

static void
expect_chat_msg(PurpleAccount *account, const char *from, const char *text)
{
	MsnpConvMatch m = { MSNP_EV_CHAT, account, from, text, 0, 0 };

	if (msnp_conv_wait(&m, 1, 15000) < 1) {
		msnp_conv_dump();
		g_printerr("# %s: no chat message «%s» from %s\n", purple_account_get_username(account),
		           text, from);
		g_assert_not_reached();
	}
}

static void
test_chat(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, TRUE);
	PurpleConversation *a_chat, *b_chat, *c_chat;
	int id;

	/* alice starts a chat from bob's buddy menu: a chat window at once. */
	initiate_chat(w->alice, BOB);
	a_chat = joined_chat(w->alice, 0);
	id = purple_conv_chat_get_id(PURPLE_CONV_CHAT(a_chat));
	expect_users(a_chat, ALICE "," BOB);
	/* bob, alone with alice there, is in a one-to-one conversation: what
	 * alice says in her chat reaches him as an IM. */
	purple_conv_chat_send(PURPLE_CONV_CHAT(a_chat), "just us two so far");
	expect_one_im(w->bob, ALICE, "just us two so far");
	g_assert_cmpuint(msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_CHAT_JOINED, w->bob }), ==, 0);

	/* alice invites carol from the chat window. */
	serv_chat_invite(gc_of(w->alice), id, NULL, CAROL);
	c_chat = joined_chat(w->carol, 0);
	expect_users(c_chat, ALICE "," BOB "," CAROL);
	expect_users(a_chat, ALICE "," BOB "," CAROL);
	/* A third person: bob's conversation becomes a chat. */
	b_chat = joined_chat(w->bob, 0);
	expect_users(b_chat, ALICE "," BOB "," CAROL);
	g_assert_cmpuint(msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_CHAT_BUDDY_JOINED, w->alice, CAROL }), ==, 1);

	/* Everyone hears everyone. */
	purple_conv_chat_send(PURPLE_CONV_CHAT(a_chat), "hello <b>all</b>");
	expect_chat_msg(w->bob, ALICE, "all");
	expect_chat_msg(w->carol, ALICE, "all");
	purple_conv_chat_send(PURPLE_CONV_CHAT(c_chat), "carol here");
	expect_chat_msg(w->alice, CAROL, "carol here");
	expect_chat_msg(w->bob, CAROL, "carol here");
	purple_conv_chat_send(PURPLE_CONV_CHAT(b_chat), "bob here");
	expect_chat_msg(w->alice, BOB, "bob here");
	expect_chat_msg(w->carol, BOB, "bob here");
	/* Chat messages are not IMs. */
	g_assert_false(got_im(w->bob, ALICE, "all"));
	g_assert_false(got_im(w->carol, BOB, "bob here"));

	/* bob writes to alice privately: a one-to-one conversation, not the chat. */
	send_im(w->bob, ALICE, "just between us");
	expect_one_im(w->alice, BOB, "just between us");
	g_assert_cmpuint(msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_CHAT, w->alice, BOB,
	                                                   "just between us" }), ==, 0);
	g_assert_cmpuint(msnp_conv_count(&(MsnpConvMatch){ MSNP_EV_CHAT, w->carol, NULL,
	                                                   "just between us" }), ==, 0);
	g_assert_false(got_im(w->carol, BOB, "just between us"));

	/* carol closes her chat window: she leaves. */
	purple_conversation_destroy(c_chat);
	expect_log(w->server, CAROL ": left (OUT)", 1);
	expect_users(a_chat, ALICE "," BOB);
	expect_users(b_chat, ALICE "," BOB);
	g_assert_cmpuint(msnp_conv_wait(&(MsnpConvMatch){ MSNP_EV_CHAT_BUDDY_LEFT, w->bob, CAROL }, 1, 5000), ==, 1);
	purple_conv_chat_send(PURPLE_CONV_CHAT(a_chat), "two of us");
	expect_chat_msg(w->bob, ALICE, "two of us");

	/* bob leaves too: alice is alone; her switchboard closes, her window stays. */
	purple_conversation_destroy(b_chat);
	expect_log(w->server, BOB ": left (OUT)", 1);
	expect_users(a_chat, ALICE);
	g_assert_cmpuint(msnp_conv_wait(&(MsnpConvMatch){ MSNP_EV_CHAT_BUDDY_LEFT, w->alice, BOB }, 1, 5000), ==, 1);
	g_assert_cmpuint(notices(w->alice, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	g_assert_cmpuint(notices(w->carol, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	purple_conversation_destroy(a_chat);
	world_stop(w);
}

/* ---- Closing, idle timeout, signing off --------------------------------------------- */

static void
test_close(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	PurpleConversation *conv;
	guint64 timers = msnp_timers_mark();
	guint usr;

	/* Closed while its switchboard is still being opened: nothing is sent,
	 * nothing is said, the window does not come back, and no socket or
	 * timer is left once the server's answer has come. */
	send_im(w->alice, BOB, "never mind");
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, BOB, w->alice);
	g_assert_nonnull(conv);
	purple_conversation_destroy(conv);
	msnp_run_until(NULL, 1000);
	expect_sockets(w->server, 0);
	expect_no_plugin_timers(timers);
	g_assert_false(got_im(w->bob, ALICE, "never mind"));
	g_assert_null(purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, BOB, w->alice));
	g_assert_cmpuint(notices(NULL, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	usr = log_count(w->server, "open (USR)");

	send_im(w->alice, BOB, "hello");
	expect_one_im(w->bob, ALICE, "hello");
	expect_sockets(w->server, 2);        /* alice's and bob's */

	/* alice closes the window: she leaves the switchboard; bob, alone, too. */
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, BOB, w->alice);
	g_assert_nonnull(conv);
	purple_conversation_destroy(conv);
	expect_log(w->server, ALICE ": left (OUT)", 1);
	expect_sockets(w->server, 0);
	expect_no_plugin_timers(timers);
	g_assert_cmpuint(notices(NULL, PURPLE_MESSAGE_ERROR, NULL), ==, 0);

	/* A new window, a new switchboard. */
	send_im(w->alice, BOB, "reopened");
	expect_one_im(w->bob, ALICE, "reopened");
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, usr + 2);

	/* Now bob closes his. */
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, ALICE, w->bob);
	g_assert_nonnull(conv);
	purple_conversation_destroy(conv);
	expect_log(w->server, BOB ": left (OUT)", 1);
	expect_sockets(w->server, 0);

	/* alice's window is still open: her next message opens a switchboard,
	 * and bob gets a new window. */
	send_im(w->alice, BOB, "are you still there?");
	expect_one_im(w->bob, ALICE, "are you still there?");
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, usr + 3);
	g_assert_cmpuint(notices(NULL, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	world_stop(w);
	/* Signed off: nothing left to the switchboard. */
}

static void
test_idle(gconstpointer data)
{
	static const char *const args[] = { "--sb-idle-timeout=2", NULL };
	World *w = world_start(GPOINTER_TO_UINT(data), args, FALSE);
	guint64 timers = msnp_timers_mark();

	send_im(w->alice, BOB, "before the idle timeout");
	expect_one_im(w->bob, ALICE, "before the idle timeout");
	expect_log(w->server, "idle for 2 s", 1);
	expect_sockets(w->server, 0);
	expect_no_plugin_timers(timers);

	/* The next message opens a new switchboard without the user noticing. */
	send_im(w->alice, BOB, "after the idle timeout");
	expect_one_im(w->bob, ALICE, "after the idle timeout");
	send_im(w->bob, ALICE, "bob answers");
	expect_one_im(w->alice, BOB, "bob answers");
	g_assert_cmpuint(log_count(w->server, "open (USR)"), ==, 2);
	g_assert_cmpuint(notices(NULL, PURPLE_MESSAGE_ERROR, NULL), ==, 0);
	world_stop(w);
}

/* dave's client (a bare one) never answers the invitation: the plugin gives
 * up after its request timeout and says so, with the text; a window closed
 * while it rings leaves no timer and no socket behind. */
static void
test_unanswered(gconstpointer data)
{
	static const char *const args[] = { "--account=" DAVE ":pw:Dave",
	                                    "--contact=" ALICE ":" DAVE ":FL,AL,RL:Dave", NULL };
	World *w = world_start(GPOINTER_TO_UINT(data), args, FALSE);
	MsnpRaw *dave = msnp_raw_signin(w->server, DAVE, "pw");
	PurpleConversation *conv;
	guint64 timers;
	guint errors_before;
	char *errors;

	expect_presence(w->alice, DAVE, TRUE);
	timers = msnp_timers_mark();
	purple_account_set_int(w->alice, "request_timeout", 2);

	send_im(w->alice, DAVE, "hello dave");
	expect_log(w->server, "CAL " DAVE ": RINGING", 1);
	expect_sockets(w->server, 1);       /* alice's; dave never comes */
	expect_notice(w->alice, PURPLE_MESSAGE_ERROR, "hello dave");
	errors = errors_in(w->alice, DAVE);
	g_assert_nonnull(strstr(errors, "could not be delivered"));
	g_assert_nonnull(strstr(errors, "in time"));
	g_free(errors);
	expect_sockets(w->server, 0);
	expect_no_plugin_timers(timers);

	/* Ringing again; the user closes the window meanwhile. */
	purple_account_set_int(w->alice, "request_timeout", 60);
	errors_before = notices(w->alice, PURPLE_MESSAGE_ERROR, NULL);
	send_im(w->alice, DAVE, "second try");
	expect_log(w->server, "CAL " DAVE ": RINGING", 2);
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, DAVE, w->alice);
	g_assert_nonnull(conv);
	purple_conversation_destroy(conv);
	expect_sockets(w->server, 0);
	expect_no_plugin_timers(timers);
	msnp_run_until(NULL, 500);
	g_assert_cmpuint(notices(w->alice, PURPLE_MESSAGE_ERROR, NULL), ==, errors_before);
	g_assert_null(purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, DAVE, w->alice));
	g_assert_true(purple_account_is_connected(w->alice));
	msnp_raw_free(dave);
	world_stop(w);
}

static void
test_signoff(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	char *errors;

	/* Sent, then signed off before the switchboard was even asked for. */
	send_im(w->alice, BOB, "sent just before signing off");
	msnp_signout(w->alice);
	errors = errors_in(w->alice, BOB);
	g_assert_nonnull(strstr(errors, "could not be delivered"));
	g_assert_nonnull(strstr(errors, "sent just before signing off"));
	g_free(errors);
	msnp_run_until(NULL, 500);
	g_assert_false(got_im(w->bob, ALICE, "sent just before signing off"));
	expect_sockets(w->server, 0);
	world_stop(w);
}

/* Invitations (RNG on the NS) that cannot be followed are dropped quietly: no
 * address, a port out of range, no CKI, an invalid inviter, a switchboard
 * that refuses the connection.  The session goes on and real ones work. */
static void
test_bad_invitations(gconstpointer data)
{
	World *w = world_start(GPOINTER_TO_UINT(data), NULL, FALSE);
	static const char *const bad[] = {
		"RNG 11 nohostport CKI 1.2.3 " ALICE " Alice",
		"RNG 12 127.0.0.1:0 CKI 1.2.3 " ALICE " Alice",
		"RNG 13 127.0.0.1:99999 CKI 1.2.3 " ALICE " Alice",
		"RNG 14 127.0.0.1:1x CKI 1.2.3 " ALICE " Alice",
		"RNG 15 :1864 CKI 1.2.3 " ALICE " Alice",
		"RNG 16 127.0.0.1:1864 XYZ 1.2.3 " ALICE " Alice",
		"RNG 17 127.0.0.1:1864 CKI 1.2.3 not\\x01a\\x7fhandle Bad",
		"RNG 18 127.0.0.1:1 CKI 1.2.3 " ALICE " Alice",
		"RNG 19",
	};
	guint errors_before = notices(w->bob, PURPLE_MESSAGE_ERROR, NULL);
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *line = g_strdup_printf("push " BOB " %s", bad[i]);
		msnp_server_control(w->server, line);
		g_free(line);
	}
	msnp_run_until(NULL, 1000);
	/* They reached the plugin: the well-formed ones as commands, and the
	 * one with a refusing port got as far as connecting. */
	g_assert_true(msnp_debug_contains("<- RNG 11 nohostport"));
	g_assert_true(msnp_debug_contains("RNG with an invalid address ignored"));
	g_assert_true(msnp_debug_contains("<- RNG 18 127.0.0.1:1 "));
	g_assert_true(purple_account_is_connected(w->bob));
	g_assert_null(purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, ALICE, w->bob));
	g_assert_cmpuint(notices(w->bob, PURPLE_MESSAGE_ERROR, NULL), ==, errors_before);
	/* A real invitation still works. */
	send_im(w->alice, BOB, "after the bad invitations");
	expect_one_im(w->bob, ALICE, "after the bad invitations");
	world_stop(w);
}

int
main(int argc, char **argv)
{
	static const guint im_versions[] = { 8, 9, 10, 11, 12, 13, 14 };
	static const guint two_versions[] = { 8, 14 };
	static const struct {
		const char *name;
		GTestDataFunc func;
	} at14[] = {
		{ "long", test_long },
		{ "nak", test_nak },
		{ "dropped", test_dropped },
		{ "offline", test_offline },
		{ "typing", test_typing },
		{ "nudge", test_nudge },
		{ "unsupported", test_unsupported },
		{ "malformed", test_malformed },
		{ "close", test_close },
		{ "idle", test_idle },
		{ "signoff", test_signoff },
		{ "bad-invitations", test_bad_invitations },
	};
	gsize i;

	msnp_driver_init(&argc, &argv);
	for (i = 0; i < G_N_ELEMENTS(im_versions); i++) {
		char *p = g_strdup_printf("/conversation/im/msnp%u", im_versions[i]);
		g_test_add_data_func(p, GUINT_TO_POINTER(im_versions[i]), test_im);
		g_free(p);
	}
	for (i = 0; i < G_N_ELEMENTS(two_versions); i++) {
		char *p = g_strdup_printf("/conversation/format/msnp%u", two_versions[i]);
		char *q = g_strdup_printf("/conversation/chat/msnp%u", two_versions[i]);
		g_test_add_data_func(p, GUINT_TO_POINTER(two_versions[i]), test_format);
		g_test_add_data_func(q, GUINT_TO_POINTER(two_versions[i]), test_chat);
		g_free(p);
		g_free(q);
	}
	for (i = 0; i < G_N_ELEMENTS(at14); i++) {
		char *p = g_strdup_printf("/conversation/%s/msnp14", at14[i].name);
		g_test_add_data_func(p, GUINT_TO_POINTER(14), at14[i].func);
		g_free(p);
	}
	/* The bare client speaks MSNP8. */
	g_test_add_data_func("/conversation/unanswered/msnp8", GUINT_TO_POINTER(8), test_unanswered);
	g_test_add_data_func("/conversation/blank/msnp14", GUINT_TO_POINTER(14), test_blank);
	return g_test_run();
}
