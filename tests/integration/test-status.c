/* Presence between two real plugin instances (two accounts in one libpurple)
 * through the test server, for each version family: status, idle, personal
 * message, now playing, invisibility, friendly names, signing off; and
 * malformed presence lines that must leave the session alive. */
#include "integration/driver.h"

#include <string.h>
#include <time.h>

#include <status.h>

#define ALICE "alice@example.com"
#define BOB "bob@example.com"

static gboolean
wait_until(gboolean (*cond)(gpointer), gpointer data, guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

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
	const char *status_id;     /* active status id wanted, or NULL */
	const char *message;       /* wanted message, "" for none, NULL: don't care */
	int idle;                  /* 1 idle, 0 not idle, -1 don't care */
	const char *title;         /* tune title wanted, "" for no tune, NULL: don't care */
	const char *alias;         /* server alias wanted, or NULL */
} Want;

static gboolean
matches(gpointer data)
{
	Want *w = data;
	PurpleBuddy *b = purple_find_buddy(w->watcher, w->who);
	PurplePresence *p;
	PurpleStatus *st, *tune;
	const char *msg;

	if (b == NULL)
		return FALSE;
	p = purple_buddy_get_presence(b);
	st = purple_presence_get_active_status(p);
	if (w->status_id && g_strcmp0(purple_status_get_id(st), w->status_id) != 0)
		return FALSE;
	msg = purple_status_get_attr_string(st, "message");
	if (w->message && g_strcmp0(msg ? msg : "", w->message) != 0)
		return FALSE;
	if (w->idle >= 0 && (purple_presence_is_idle(p) ? 1 : 0) != w->idle)
		return FALSE;
	tune = purple_presence_get_status(p, "tune");
	if (w->title) {
		gboolean active = tune && purple_status_is_active(tune);
		if (*w->title == '\0' ? active
		    : !active || g_strcmp0(purple_status_get_attr_string(tune, PURPLE_TUNE_TITLE), w->title))
			return FALSE;
	}
	if (w->alias && g_strcmp0(purple_buddy_get_server_alias(b), w->alias) != 0)
		return FALSE;
	return TRUE;
}

static void
expect(Want w)
{
	if (!wait_until(matches, &w, 8000)) {
		PurpleBuddy *b = purple_find_buddy(w.watcher, w.who);
		PurpleStatus *st = b ? purple_presence_get_active_status(purple_buddy_get_presence(b)) : NULL;
		g_printerr("# %s is %s, message «%s», idle %d, alias «%s»\n", w.who,
		           st ? purple_status_get_id(st) : "(no buddy)",
		           st && purple_status_get_attr_string(st, "message") ?
		               purple_status_get_attr_string(st, "message") : "",
		           b ? purple_presence_is_idle(purple_buddy_get_presence(b)) : -1,
		           b && purple_buddy_get_server_alias(b) ? purple_buddy_get_server_alias(b) : "");
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
	g_assert_true(s.signed_on);
	msnp_signin_clear(&s);
	return a;
}

static void
test_two_accounts(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	gboolean psm = version >= 11;
	char *vers = g_strdup_printf("--versions=%u", version);
	const char *args[] = { vers, "--account=" ALICE ":pw:Alice", "--account=" BOB ":pw:Bob",
	                       "--contact=" ALICE ":" BOB ":FL,AL,RL:Bob",
	                       "--contact=" BOB ":" ALICE ":FL,AL,RL:Alice", NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *alice = account_for(server, ALICE, version);
	PurpleAccount *bob;

	/* bob comes online: alice sees him available. */
	bob = account_for(server, BOB, version);
	expect((Want){ alice, BOB, "available", NULL, 0, NULL, NULL });
	/* and bob saw alice, who was already online (ILN). */
	expect((Want){ bob, ALICE, "available", NULL, -1, NULL, NULL });

	purple_account_set_status(bob, "away", TRUE, NULL);
	expect((Want){ alice, BOB, "away", NULL, -1, NULL, NULL });

	/* Status messages are HTML in libpurple: what bob typed travels as text
	 * and shows to alice as he typed it, never as markup. */
	purple_account_set_status(bob, "busy", TRUE, "message", "in a &lt;meeting&gt; &amp; <b>busy</b>", NULL);
	expect((Want){ alice, BOB, "busy", psm ? "in a &lt;meeting&gt; &amp; busy" : "", -1, NULL, NULL });

	if (psm) {
		purple_account_set_status(bob, "tune", TRUE, PURPLE_TUNE_ARTIST, "New Order",
		                          PURPLE_TUNE_TITLE, "Blue Monday", PURPLE_TUNE_ALBUM,
		                          "Power, Corruption & Lies", NULL);
		expect((Want){ alice, BOB, "busy", NULL, -1, "Blue Monday", NULL });
		purple_account_set_status(bob, "tune", FALSE, NULL);
		expect((Want){ alice, BOB, "busy", NULL, -1, "", NULL });
		/* An empty message clears it. */
		purple_account_set_status(bob, "busy", TRUE, "message", "", NULL);
		expect((Want){ alice, BOB, "busy", "", -1, NULL, NULL });
	}

	/* Idle while available shows as idle. */
	purple_account_set_status(bob, "available", TRUE, NULL);
	purple_presence_set_idle(purple_account_get_presence(bob), TRUE, time(NULL) - 600);
	expect((Want){ alice, BOB, NULL, NULL, 1, NULL, NULL });
	purple_presence_set_idle(purple_account_get_presence(bob), FALSE, 0);
	expect((Want){ alice, BOB, "available", NULL, 0, NULL, NULL });

	/* A new friendly name becomes alice's server alias for bob; the alias
	 * alice gave him herself stays. */
	purple_blist_alias_buddy(purple_find_buddy(alice, BOB), "My Bob");
	purple_account_set_public_alias(bob, "Bobby Tables", NULL, NULL);
	expect((Want){ alice, BOB, NULL, NULL, -1, NULL, "Bobby Tables" });
	g_assert_cmpstr(purple_buddy_get_alias_only(purple_find_buddy(alice, BOB)), ==, "My Bob");

	/* The same status chosen again sends nothing new. */
	{
		char *log = msnp_server_log(server);
		guint before = 0, after = 0;
		const char *p;
		for (p = log; (p = strstr(p, " C: CHG ")); p++)
			before++;
		g_free(log);
		purple_account_set_status(bob, "available", TRUE, NULL);
		msnp_run_until(NULL, 300);
		log = msnp_server_log(server);
		for (p = log; (p = strstr(p, " C: CHG ")); p++)
			after++;
		g_free(log);
		g_assert_cmpuint(after, ==, before);
	}

	/* Invisible: offline to alice; back: online. */
	purple_account_set_status(bob, "invisible", TRUE, NULL);
	expect((Want){ alice, BOB, "offline", NULL, -1, NULL, NULL });
	purple_account_set_status(bob, "available", TRUE, NULL);
	expect((Want){ alice, BOB, "available", NULL, -1, NULL, NULL });

	/* alice signs off: every buddy offline at once. */
	msnp_signout(alice);
	g_assert_false(purple_presence_is_online(purple_buddy_get_presence(purple_find_buddy(alice, BOB))));
	{
		MsnpSignin s;
		msnp_signin(alice, 20000, &s);
		g_assert_true(s.signed_on);
		msnp_signin_clear(&s);
	}
	expect((Want){ alice, BOB, "available", NULL, -1, NULL, NULL });

	/* bob signs off: offline to alice. */
	msnp_signout(bob);
	expect((Want){ alice, BOB, "offline", NULL, -1, NULL, NULL });

	msnp_account_free(bob);
	msnp_account_free(alice);
	msnp_server_stop(server);
	g_free(vers);
}

/* Malformed presence lines: each dropped, the session stays alive. */
static void
test_malformed(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	char *vers = g_strdup_printf("--versions=%u", version);
	const char *args[] = { vers, "--account=" ALICE ":pw:Alice",
	                       "--contact=" ALICE ":" BOB ":FL,AL,RL:Bob",
	                       "--presence=" BOB ":NLN:Bob", NULL };
	static const char *lines[] = {
		"NLN", "NLN NLN", "NLN NLN " BOB, "ILN 0 NLN", "FLN", "NLN XYZ " BOB " Bob%FF%FE 12x",
		"NLN NLN " BOB " %ZZ%", "UBX " BOB " {len}|<Data><PSM>unclosed",
		"UBX " BOB " {len}|<Data><PSM>\xff\xfe broken utf8</PSM></Data>",
		"UBX " BOB " {len}|not xml at all <<<>>>",
		/* A length shorter than the payload: the rest reads as a bad line. */
		"UBX " BOB " 12\\r\\n<Data><PSM>too long for its length</PSM></Data>",
		/* An empty payload clears the message. */
		"UBX " BOB " 0",
		"UBX nobody@example.com {len}|<Data><PSM>stranger</PSM></Data>",
		"NLN NLN stranger@example.com Stranger 0",
	};
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *alice = account_for(server, ALICE, version);
	guint i;

	expect((Want){ alice, BOB, "available", NULL, -1, NULL, NULL });
	for (i = 0; i < G_N_ELEMENTS(lines); i++) {
		char *ctl = g_strdup_printf("push " ALICE " %s", lines[i]);
		msnp_server_control(server, ctl);
		g_free(ctl);
	}
	msnp_run_until(NULL, 1000);
	/* Still signed in, bob still shown, and a valid change still arrives. */
	g_assert_true(purple_account_is_connected(alice));
	msnp_server_control(server, "status " BOB " AWY Bob");
	expect((Want){ alice, BOB, "away", NULL, -1, NULL, NULL });
	msnp_account_free(alice);
	msnp_server_stop(server);
	g_free(vers);
}

int
main(int argc, char **argv)
{
	static const guint versions[] = { 8, 11, 14 };
	gsize i;

	msnp_driver_init(&argc, &argv);
	for (i = 0; i < G_N_ELEMENTS(versions); i++) {
		char *p = g_strdup_printf("/presence/two-accounts/msnp%u", versions[i]);
		char *q = g_strdup_printf("/presence/malformed/msnp%u", versions[i]);
		g_test_add_data_func(p, GUINT_TO_POINTER(versions[i]), test_two_accounts);
		g_test_add_data_func(q, GUINT_TO_POINTER(versions[i]), test_malformed);
		g_free(p);
		g_free(q);
	}
	return g_test_run();
}
