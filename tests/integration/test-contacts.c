/* Contact lists end to end, for each version family (MSNP8–9 ADD, 10–12 ADC
 * with GUIDs, 13–14 address book + ADL): the server's lists appear in
 * libpurple exactly, every change made through libpurple reaches the server
 * (checked with the server's own dump of what it stores), refused changes are
 * undone and explained, and changes the server pushes show up at once. */
#include <string.h>

#include <privacy.h>
#include <server.h>

#include "integration/driver.h"

#define ALICE "alice@example.com"

/* How many buddies libpurple has for account (and name, or all). */
static guint
count_buddies(PurpleAccount *account, const char *name)
{
	GSList *l = purple_find_buddies(account, name);
	guint n = g_slist_length(l);

	g_slist_free(l);
	return n;
}

static gboolean
wait_for(MsnpServer *server, const char *needle)
{
	return msnp_server_wait_log(server, needle, 1, 10000) >= 1;
}

/* The server's stored line for contact `who` of alice ("" when none). */
static char *
stored(MsnpServer *server, const char *who)
{
	static guint serial;
	char *marker = g_strdup_printf("-- list " ALICE ": end");
	char *log, *line = NULL, *start, *p;
	guint before;

	log = msnp_server_log(server);
	before = 0;
	for (p = log; (p = strstr(p, marker)); p += strlen(marker))
		before++;
	g_free(log);
	msnp_server_control(server, "dump " ALICE);
	g_assert_cmpuint(msnp_server_wait_log(server, marker, before + 1, 10000), ==, before + 1);
	log = msnp_server_log(server);
	/* The last dump: from its last "name" line on. */
	start = g_strrstr(log, "-- list " ALICE ": name ");
	g_assert_nonnull(start);
	{
		char *needle = g_strdup_printf("-- list " ALICE ": %s ", who);
		char *hit = strstr(start, needle);
		if (hit) {
			char *end = strchr(hit, '\n');
			line = g_strndup(hit + strlen(needle), end ? (gsize)(end - hit - strlen(needle)) : strlen(hit));
		}
		g_free(needle);
	}
	if (line == NULL && strcmp(who, "name") == 0)
		line = g_strdup("");
	g_free(log);
	g_free(marker);
	serial++;
	return line ? line : g_strdup("");
}

static gboolean
stored_has(MsnpServer *server, const char *who, const char *needle)
{
	char *line = stored(server, who);
	gboolean yes = strstr(line, needle) != NULL;

	if (!yes)
		g_printerr("# server has %s: «%s», wanted «%s»\n", who, line, needle);
	g_free(line);
	return yes;
}

/* Polls the server's dump until contact `who` has (or lacks) needle: changes
 * take several round trips, and slower builds (ASan) take longer. */
static gboolean
eventually(MsnpServer *server, const char *who, const char *needle, gboolean present)
{
	gint64 end = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;

	for (;;) {
		char *line = stored(server, who);
		gboolean has = strstr(line, needle) != NULL;
		if (has == present || g_get_monotonic_time() > end) {
			if (has != present)
				g_printerr("# server has %s: «%s», wanted %s«%s»\n", who, line,
				           present ? "" : "no ", needle);
			g_free(line);
			return has == present;
		}
		g_free(line);
		msnp_run_until(NULL, 200);
	}
}

static gboolean
on_list(GSList *l, const char *who)
{
	for (; l; l = l->next)
		if (g_ascii_strcasecmp(l->data, who) == 0)
			return TRUE;
	return FALSE;
}

static gint
find_auth(const char *who)
{
	const GPtrArray *reqs = msnp_auth_requests();
	guint i;

	for (i = 0; i < reqs->len; i++) {
		MsnpAuthRequest *r = g_ptr_array_index(reqs, i);
		if (g_ascii_strcasecmp(r->who, who) == 0 && !r->answered)
			return (gint)i;
	}
	return -1;
}

static MsnpServer *
start(guint version, const char *const *extra)
{
	char *vers = g_strdup_printf("--versions=%u", version);
	GPtrArray *args = g_ptr_array_new();
	MsnpServer *server;

	g_ptr_array_add(args, vers);
	g_ptr_array_add(args, (gpointer)"--account=" ALICE ":pw:Alice");
	g_ptr_array_add(args, (gpointer)"--account=bob@example.com:pw:Bob");
	g_ptr_array_add(args, (gpointer)"--group=" ALICE ":Friends");
	g_ptr_array_add(args, (gpointer)"--contact=" ALICE ":bob@example.com:FL,AL,RL:Bob:Friends");
	g_ptr_array_add(args, (gpointer)"--contact=" ALICE ":carol@example.com:FL,BL:Carol");
	g_ptr_array_add(args, (gpointer)"--contact=" ALICE ":dave@example.com:PL:Dave");
	g_ptr_array_add(args, (gpointer)"--presence=erin@example.com:NLN:Erin");
	g_ptr_array_add(args, (gpointer)"--presence=frank@example.com:NLN:Frank");
	g_ptr_array_add(args, (gpointer)"--blp=" ALICE ":AL");
	/* A Yahoo contact (network 32): federated at MSNP14, a plain contact below. */
	g_ptr_array_add(args, (gpointer)"--contact=" ALICE ":yuki@yahoo.com/32:FL,AL:Yuki");
	for (; extra && *extra; extra++)
		g_ptr_array_add(args, (gpointer)*extra);
	g_ptr_array_add(args, NULL);
	server = msnp_server_start_https((const char *const *)args->pdata);
	g_ptr_array_free(args, TRUE);
	g_free(vers);
	return server;
}

static PurpleAccount *
sign_in(MsnpServer *server, guint version)
{
	PurpleAccount *account = msnp_account_new(ALICE, "pw", server);
	MsnpSignin s;

	msnp_account_use_https(account, server);
	purple_account_set_int(account, "max_protocol", (int)version);
	msnp_auth_requests_clear();
	msnp_notices_clear();
	msnp_signin(account, 20000, &s);
	if (!s.signed_on)
		g_printerr("# sign-in: %s\n", s.error_text ? s.error_text : "timeout");
	g_assert_true(s.signed_on);
	msnp_signin_clear(&s);
	msnp_run_until(NULL, 200);
	return account;
}

static void
test_read(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	MsnpServer *server = start(version, NULL);
	PurpleAccount *account = sign_in(server, version);
	PurpleBuddy *bob = purple_find_buddy(account, "bob@example.com");
	PurpleBuddy *carol = purple_find_buddy(account, "carol@example.com");

	g_assert_nonnull(bob);
	g_assert_cmpstr(purple_group_get_name(purple_buddy_get_group(bob)), ==, "Friends");
	g_assert_cmpstr(purple_buddy_get_server_alias(bob), ==, "Bob");
	g_assert_nonnull(carol);
	g_assert_cmpstr(purple_group_get_name(purple_buddy_get_group(carol)), ==, "Other Contacts");
	g_assert_null(purple_find_buddy(account, "dave@example.com"));
	g_assert_nonnull(purple_find_buddy(account, "yuki@yahoo.com"));
	g_assert_cmpuint(count_buddies(account, NULL), ==, 3);
	/* Privacy: AL and BL as permit and deny, BLP AL = everyone else allowed. */
	g_assert_true(on_list(account->permit, "bob@example.com"));
	g_assert_true(on_list(account->deny, "carol@example.com"));
	g_assert_false(on_list(account->permit, "carol@example.com"));
	g_assert_cmpint(account->perm_deny, ==, PURPLE_PRIVACY_DENY_USERS);
	/* dave added alice and waits for her decision: asked, once. */
	g_assert_cmpint(find_auth("dave@example.com"), >=, 0);
	g_assert_cmpuint(msnp_auth_requests()->len, ==, 1);

	/* Signed in again: the list is the same, nothing doubled, not asked again. */
	msnp_signout(account);
	{
		MsnpSignin s;
		msnp_auth_requests_clear();
		msnp_signin(account, 20000, &s);
		g_assert_true(s.signed_on);
		msnp_signin_clear(&s);
		msnp_run_until(NULL, 200);
	}
	g_assert_cmpuint(count_buddies(account, NULL), ==, 3);
	g_assert_cmpuint(msnp_auth_requests()->len, ==, 0);

	msnp_account_free(account);
	msnp_server_stop(server);
}

static void
test_changes(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	MsnpServer *server = start(version, NULL);
	PurpleAccount *account = sign_in(server, version);
	PurpleGroup *work;
	PurpleBuddy *erin, *bob;
	gint dave;

	/* Add a buddy into a new group. */
	work = purple_group_new("Work");
	purple_blist_add_group(work, NULL);
	erin = purple_buddy_new(account, "erin@example.com", NULL);
	purple_blist_add_buddy(erin, NULL, work, NULL);
	purple_account_add_buddy(account, erin);
	g_assert_true(eventually(server, "erin@example.com", "FL,AL", TRUE));
	g_assert_true(eventually(server, "erin@example.com", "Work", TRUE));

	/* Move bob from Friends to Work. */
	bob = purple_find_buddy(account, "bob@example.com");
	purple_blist_add_buddy(bob, NULL, work, NULL);
	g_assert_true(eventually(server, "bob@example.com", "Friends", FALSE));
	{
		char *line = stored(server, "bob@example.com");
		g_assert_nonnull(strstr(line, " Work "));
		g_assert_null(strstr(line, "Friends"));
		g_assert_nonnull(strstr(line, "\"Bob\""));   /* the stored name survives */
		g_free(line);
	}

	/* Rename the group. */
	purple_blist_rename_group(work, "Job");
	g_assert_true(eventually(server, "bob@example.com", "Job", TRUE));

	/* Copy bob into Friends as well: he is in both groups. */
	{
		PurpleBuddy *copy = purple_buddy_new(account, "bob@example.com", NULL);
		purple_blist_add_buddy(copy, NULL, purple_find_group("Friends"), NULL);
		purple_account_add_buddy(account, copy);
	}
	g_assert_true(eventually(server, "bob@example.com", "Friends", TRUE));
	g_assert_true(stored_has(server, "bob@example.com", "Job"));

	/* Block bob, then unblock him. */
	purple_privacy_deny_add(account, "bob@example.com", FALSE);
	g_assert_true(eventually(server, "bob@example.com", "BL", TRUE));
	{
		char *line = stored(server, "bob@example.com");
		g_assert_nonnull(strstr(line, "BL"));
		g_assert_null(strstr(line, "AL"));     /* off AL before onto BL */
		g_free(line);
	}
	purple_privacy_deny_remove(account, "bob@example.com", FALSE);
	g_assert_true(eventually(server, "bob@example.com", "AL", TRUE));
	{
		char *line = stored(server, "bob@example.com");
		g_assert_nonnull(strstr(line, "AL"));
		g_assert_null(strstr(line, "BL"));
		g_free(line);
	}

	/* Accept dave's request. */
	dave = find_auth("dave@example.com");
	g_assert_cmpint(dave, >=, 0);
	msnp_auth_answer((guint)dave, TRUE);
	g_assert_true(eventually(server, "dave@example.com", "AL", TRUE));
	/* 10+: the client clears "pending" (REM PL); 8–9 have no PL to clear. */
	if (version >= 10)
		g_assert_true(eventually(server, "dave@example.com", "PL", FALSE));

	/* Remove carol. */
	{
		PurpleBuddy *carol = purple_find_buddy(account, "carol@example.com");
		purple_account_remove_buddy(account, carol, purple_buddy_get_group(carol));
		purple_blist_remove_buddy(carol);
	}
	g_assert_true(eventually(server, "carol@example.com", "FL", FALSE));

	/* Take bob and erin out of Job, then remove the empty group. */
	{
		GSList *l, *bl = purple_find_buddies(account, "bob@example.com");
		for (l = bl; l; l = l->next)
			if (strcmp(purple_group_get_name(purple_buddy_get_group(l->data)), "Job") == 0) {
				purple_account_remove_buddy(account, l->data, work);
				purple_blist_remove_buddy(l->data);
			}
		g_slist_free(bl);
		erin = purple_find_buddy(account, "erin@example.com");
		purple_account_remove_buddy(account, erin, work);
		purple_blist_remove_buddy(erin);
	}
	g_assert_true(eventually(server, "bob@example.com", "Job", FALSE));
	g_assert_true(eventually(server, "erin@example.com", "FL", FALSE));
	g_assert_true(stored_has(server, "bob@example.com", "Friends"));
	/* As Pidgin does it: libpurple tells the protocol itself. */
	purple_blist_remove_group(work);
	{
		gint64 end = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
		gboolean gone = FALSE;
		while (!gone && g_get_monotonic_time() < end) {
			char *line = stored(server, "name");
			char *log = msnp_server_log(server);
			char *last = g_strrstr(log, "-- list " ALICE ": name ");
			gone = last && strstr(last, "\"Job\"") == NULL;
			g_free(log);
			g_free(line);
			if (!gone)
				msnp_run_until(NULL, 200);
		}
		g_assert_true(gone);
	}

	/* Privacy mode: only the allowed may see me. */
	account->perm_deny = PURPLE_PRIVACY_ALLOW_USERS;
	serv_set_permit_deny(purple_account_get_connection(account));
	g_assert_true(eventually(server, "name", "BLP BL", TRUE));

	/* My own name. */
	purple_account_set_public_alias(account, "Alice A.", NULL, NULL);
	g_assert_true(eventually(server, "name", "\"Alice A.\"", TRUE));

	if (msnp_notices()->len)
		g_printerr("# notice: %s\n", (char *)g_ptr_array_index(msnp_notices(), 0));
	g_assert_false(msnp_notices_contain("Could not"));
	msnp_account_free(account);
	msnp_server_stop(server);
}

/* A change the server refuses is undone in libpurple and explained. */
static void
test_refused(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	const char *nsfault[] = { "--fault=LIST:error:210", NULL };
	const char *soapfault[] = { "--soap-fault=ABContactAdd:ContactLimitReached", NULL };
	MsnpServer *server = start(version, version >= 13 ? soapfault : nsfault);
	PurpleAccount *account = sign_in(server, version);
	PurpleBuddy *erin = purple_buddy_new(account, "erin@example.com", NULL);

	purple_blist_add_buddy(erin, NULL, purple_find_group("Friends"), NULL);
	purple_account_add_buddy(account, erin);
	{
		gint64 end = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
		while (!msnp_notices_contain("Could not add the contact") && g_get_monotonic_time() < end)
			msnp_run_until(NULL, 50);
	}
	g_assert_null(purple_find_buddy(account, "erin@example.com"));
	g_assert_true(msnp_notices_contain("Could not add the contact"));
	msnp_account_free(account);
	msnp_server_stop(server);
}

/* Changes made elsewhere: someone adds alice (asked at once), someone removes
 * her (their RL goes). */
static void
test_pushed(gconstpointer data)
{
	guint version = GPOINTER_TO_UINT(data);
	MsnpServer *server = start(version, NULL);
	PurpleAccount *account = sign_in(server, version);

	msnp_auth_requests_clear();
	msnp_server_control(server, "add-contact " ALICE " frank@example.com RL Frank");
	g_assert_true(wait_for(server, "-- control: add-contact"));
	{
		gint64 end = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
		while (find_auth("frank@example.com") < 0 && g_get_monotonic_time() < end)
			msnp_run_until(NULL, 50);
	}
	g_assert_cmpint(find_auth("frank@example.com"), >=, 0);
	msnp_auth_answer((guint)find_auth("frank@example.com"), FALSE);
	g_assert_true(eventually(server, "frank@example.com", "BL", TRUE));
	msnp_account_free(account);
	msnp_server_stop(server);
}

/* A list with odd data, played as a transcript (a live server never holds
 * such data): an empty group name, invalid UTF-8 in a friendly name, a contact
 * in a group that does not exist, a duplicate contact, unknown list bits, an
 * empty F=, a line without N=.  Nothing crashes and nobody is lost. */
static const char odd_script[] =
	"#! allow VER any-param 2\n#! allow VER any-param 3\n#! allow VER any-param 4\n"
	"#! allow VER any-param 5\n#! allow VER any-param 6\n#! allow VER extra-params\n"
	"#! allow CHG extra-params\n"
	"C: VER 1 MSNP12 MSNP11 MSNP10 MSNP9 MSNP8 CVR0\n"
	"S: VER 1 MSNP12\n"
	"C: CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 7.5.0324 msmsgs alice@example.com\n"
	"S: CVR 2 7.5.0324 7.5.0324 7.5.0324 http://x.invalid http://x.invalid\n"
	"C: USR 3 TWN I alice@example.com\n"
	"S: USR 3 TWN S ct=1,rver=1,wp=FS_40SEC_0_COMPACT,lc=1,id=1\n"
	"C: USR 4 TWN S $(ticket)\n"
	"S: USR 4 OK alice@example.com 1 0\n"
	"C: SYN 5 0 0\n"
	"S: SYN 5 2000-01-01T00:00:00.0-00:00 2000-01-01T00:00:00.0-00:00 7 3\n"
	"S: GTC A\n"
	"S: BLP AL\n"
	"S: LSG Friends 11111111-1111-1111-1111-111111111111\n"
	"S: LSG  22222222-2222-2222-2222-222222222222\n"
	"S: LST N=bob@example.com F=Bob%FF%FE%C3 C=aaaaaaaa-0000-0000-0000-000000000001 11 1 11111111-1111-1111-1111-111111111111\n"
	"S: LST N=carol@example.com F=Carol C=aaaaaaaa-0000-0000-0000-000000000002 11 1 99999999-9999-9999-9999-999999999999\n"
	"S: LST N=bob@example.com F=Bob C=aaaaaaaa-0000-0000-0000-000000000001 3 1 11111111-1111-1111-1111-111111111111\n"
	"S: LST N=dave@example.com F=Dave C=aaaaaaaa-0000-0000-0000-000000000003 75 1 \n"
	"S: LST N=erin@example.com F= C=aaaaaaaa-0000-0000-0000-000000000004 1 1 22222222-2222-2222-2222-222222222222\n"
	"S: LST F=nobody 1 1\n"
	"S: BPR PHH 555%201234\n"
	"C: GCF 6 Shields.xml\n"
	"S: GCF 6 Shields.xml 9\n"
	"<config/>\n"
	"C: CHG 7 NLN 0\n"
	"S: CHG 7 NLN 0\n"
	"C: UUX 8 53\n"
	"<Data><PSM></PSM><CurrentMedia></CurrentMedia></Data>\n"
	"S: UUX 8 0\n"
	"C: OUT\n";

static void
test_odd_data(void)
{
	char *path = g_build_filename(msnp_user_dir(), "odd-list.txt", NULL);
	char *arg;
	MsnpServer *server;
	PurpleAccount *account;
	PurpleBuddy *b;
	MsnpSignin s;
	char *err;

	g_assert_true(g_file_set_contents(path, odd_script, -1, NULL));
	arg = g_strdup_printf("--script=%s", path);
	{
		const char *args[] = { arg, "--script-timeout-ms=8000", NULL };
		server = msnp_server_start_https(args);
	}
	account = msnp_account_new(ALICE, "pw", server);
	msnp_account_use_https(account, server);
	purple_account_set_int(account, "max_protocol", 12);
	msnp_signin(account, 20000, &s);
	g_assert_true(s.signed_on);
	msnp_signin_clear(&s);
	msnp_run_until(NULL, 300);

	/* bob once (duplicate merged), in Friends, with a readable name. */
	g_assert_cmpuint(count_buddies(account, "bob@example.com"), ==, 1);
	b = purple_find_buddy(account, "bob@example.com");
	g_assert_cmpstr(purple_group_get_name(purple_buddy_get_group(b)), ==, "Friends");
	g_assert_true(g_utf8_validate(purple_buddy_get_server_alias(b), -1, NULL));
	g_assert_true(g_str_has_prefix(purple_buddy_get_server_alias(b), "Bob"));
	/* Get Info shows what the roster knows, the phone number from BPR too. */
	msnp_notices_clear();
	serv_get_info(purple_account_get_connection(account), "erin@example.com");
	g_assert_true(msnp_notices_contain("userinfo: erin@example.com: "));
	g_assert_true(msnp_notices_contain("Home phone: 555 1234"));
	g_assert_true(msnp_notices_contain("In your contact list: Yes"));
	g_assert_true(msnp_notices_contain("Has you on their list: No"));
	g_assert_true(msnp_notices_contain("Blocked: No"));
	/* carol's group does not exist: she is shown, ungrouped. */
	b = purple_find_buddy(account, "carol@example.com");
	g_assert_nonnull(b);
	g_assert_cmpstr(purple_group_get_name(purple_buddy_get_group(b)), ==, "Other Contacts");
	/* dave's unknown list bits are dropped, his known ones kept (FL|AL|RL). */
	g_assert_nonnull(purple_find_buddy(account, "dave@example.com"));
	/* erin is in the group with no name, which got one. */
	b = purple_find_buddy(account, "erin@example.com");
	g_assert_nonnull(b);
	g_assert_cmpstr(purple_group_get_name(purple_buddy_get_group(b)), !=, "");
	g_assert_cmpuint(count_buddies(account, NULL), ==, 4);

	msnp_signout(account);
	msnp_server_wait(server, 10000);
	err = msnp_server_stderr(server);
	if (!strstr(err, "SCRIPT-OK"))
		g_printerr("# %s\n", err);
	g_assert_nonnull(strstr(err, "SCRIPT-OK"));
	msnp_account_free(account);
	msnp_server_stop(server);
	g_free(err);
	g_free(arg);
	g_free(path);
}

/* The address book breaks off halfway: the user is told, nothing is lost
 * from the buddy list, and sign-in completes. */
static void
test_abch_truncated(void)
{
	const char *extra[] = { "--abfindall-truncate=1", NULL };
	MsnpServer *server = start(14, NULL);
	PurpleAccount *account = sign_in(server, 14);
	MsnpServer *broken;
	MsnpSignin s;

	/* A first, good sign-in fills the buddy list. */
	g_assert_cmpuint(count_buddies(account, NULL), ==, 3);
	msnp_signout(account);
	msnp_server_stop(server);

	broken = start(14, extra);
	msnp_account_use_https(account, broken);
	purple_account_set_int(account, "port", broken->ns_port);
	msnp_notices_clear();
	msnp_signin(account, 20000, &s);
	g_assert_true(s.signed_on);
	msnp_signin_clear(&s);
	msnp_run_until(NULL, 300);
	g_assert_true(msnp_notices_contain("could not be loaded"));
	g_assert_cmpuint(count_buddies(account, NULL), ==, 3);
	msnp_account_free(account);
	msnp_server_stop(broken);
}

int
main(int argc, char **argv)
{
	static const guint versions[] = { 8, 10, 12, 14 };
	gsize i;

	msnp_driver_init(&argc, &argv);
	for (i = 0; i < G_N_ELEMENTS(versions); i++) {
		char *p;
		p = g_strdup_printf("/contacts/read/msnp%u", versions[i]);
		g_test_add_data_func(p, GUINT_TO_POINTER(versions[i]), test_read);
		g_free(p);
		p = g_strdup_printf("/contacts/changes/msnp%u", versions[i]);
		g_test_add_data_func(p, GUINT_TO_POINTER(versions[i]), test_changes);
		g_free(p);
		p = g_strdup_printf("/contacts/refused/msnp%u", versions[i]);
		g_test_add_data_func(p, GUINT_TO_POINTER(versions[i]), test_refused);
		g_free(p);
		p = g_strdup_printf("/contacts/pushed/msnp%u", versions[i]);
		g_test_add_data_func(p, GUINT_TO_POINTER(versions[i]), test_pushed);
		g_free(p);
	}
	g_test_add_func("/contacts/odd-data", test_odd_data);
	g_test_add_func("/contacts/address-book-truncated", test_abch_truncated);
	return g_test_run();
}
