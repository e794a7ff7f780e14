/* The MSNP13–14 address book fetches, read as they download: a fault or a
 * plain error status on either fetch still explains itself and sign-in
 * completes, and a session that ends while a reply is streaming in frees
 * everything (run under valgrind or the ASan build for the leak check). */
#include <string.h>

#include "integration/driver.h"

#define ALICE "alice@example.com"
#define CONTACTS 5000

static MsnpServer *
start(const char *extra)
{
	const char *args[] = {
		"--versions=14", "--account=" ALICE ":pw:Alice",
		"--generate=" ALICE ":5000:10", extra, NULL
	};

	return msnp_server_start_https(args);
}

static PurpleAccount *
account_for(MsnpServer *server)
{
	PurpleAccount *account = msnp_account_new(ALICE, "pw", server);

	msnp_account_use_https(account, server);
	purple_account_set_int(account, "max_protocol", 14);
	return account;
}

/* An error reply to one fetch: the user is told why, sign-in completes. */
static void
check_error(const char *fault, const char *told)
{
	MsnpServer *server = start(fault);
	PurpleAccount *account = account_for(server);
	MsnpSignin s;

	msnp_notices_clear();
	msnp_signin(account, 30000, &s);
	g_assert_true(s.signed_on);
	msnp_signin_clear(&s);
	msnp_run_until(NULL, 200);
	if (!msnp_notices_contain(told)) {
		const GPtrArray *n = msnp_notices();
		guint i;

		for (i = 0; i < n->len; i++)
			g_printerr("# notice: %s\n", (const char *)g_ptr_array_index(n, i));
	}
	g_assert_true(msnp_notices_contain("could not be loaded"));
	g_assert_true(msnp_notices_contain(told));
	msnp_account_free(account);
	msnp_server_stop(server);
}

/* A SOAP fault with HTTP 500: the fault, not the status, is what the user reads. */
static void
test_fault_500(void)
{
	check_error("--soap-fault=ABFindAll:InternalError", "refused the request: InternalError");
}

/* HTTP 500 with a body that is no XML: the status. */
static void
test_plain_500(void)
{
	check_error("--soap-fault=FindMembership:500", "service failed (HTTP 500)");
}

/* Signs out as soon as the first piece of `fetch`'s reply has been parsed. */
static void
cancel_when_arriving(gconstpointer data)
{
	const char *fetch = data;
	MsnpServer *server = start(NULL);
	PurpleAccount *account = account_for(server);
	char *arriving = g_strdup_printf("%s: reply arriving", fetch);
	/* The line a finished fetch logs ("ABFindAll: 4900 contacts, …"). */
	char *complete = strcmp(fetch, "ABFindAll") == 0 ?
	                 g_strdup_printf("ABFindAll: %u contacts", CONTACTS - CONTACTS / 50) :
	                 g_strdup_printf("FindMembership: %u members", CONTACTS);
	gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	GSList *buddies;
	MsnpSignin s;

	msnp_debug_clear();
	/* Starts connecting and returns: the loop below decides when to stop. */
	msnp_signin(account, 1, &s);
	g_assert_false(s.signed_on);
	msnp_signin_clear(&s);
	while (!msnp_debug_contains(arriving) && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	g_assert_true(msnp_debug_contains(arriving));
	/* One piece is read per main-loop turn: the rest is still to come. */
	g_assert_false(msnp_debug_contains(complete));

	msnp_signout(account);
	g_assert_true(purple_account_is_disconnected(account));
	/* The cancelled reads report back (and free) on later turns. */
	msnp_run_until(NULL, 300);
	g_assert_false(msnp_debug_contains(complete));

	/* The account still signs in afterwards. */
	msnp_signin(account, 30000, &s);
	g_assert_true(s.signed_on);
	msnp_signin_clear(&s);
	g_assert_true(msnp_debug_contains(complete));
	buddies = purple_find_buddies(account, NULL);
	g_assert_cmpuint(g_slist_length(buddies), ==, CONTACTS - CONTACTS / 50);
	g_slist_free(buddies);

	msnp_account_free(account);
	msnp_server_stop(server);
	g_free(arriving);
	g_free(complete);
}

int
main(int argc, char **argv)
{
	msnp_driver_init(&argc, &argv);
	g_test_add_func("/addressbook/fault-http-500", test_fault_500);
	g_test_add_func("/addressbook/plain-http-500", test_plain_500);
	g_test_add_data_func("/addressbook/cancel/find-membership", "FindMembership",
	                     cancel_when_arriving);
	g_test_add_data_func("/addressbook/cancel/address-book", "ABFindAll",
	                     cancel_when_arriving);
	return g_test_run();
}
