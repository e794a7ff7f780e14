/* Contact-list sign-in at 1,000, 5,000 and 20,000 contacts in 20 groups (half
 * allowed, 2 % blocked, 2 % pending), against a floor measured in the same
 * run: a plain program putting the same buddies, groups, aliases and privacy
 * lists into libpurple the cheapest way libpurple allows.
 *
 *  plugin: time from "USR … OK" to the end of the buddy-list mirror (the
 *          plugin's "buddy list: …" line), read off libpurple's debug log;
 *  floor:  the same buddies inserted after a remembered node, the same server
 *          aliases, the permit/deny lists assigned in one go;
 *  naive:  (for reference) libpurple's plain append and purple_privacy_*_add,
 *          which scan lists: what a straightforward plugin costs.
 * Peak memory is each process's maximum resident size (every case runs in a
 * fresh process).  Targets: plugin at 20,000 within 2x the floor; the
 * plugin's 20,000/1,000 time ratio under 25.
 *
 * Usage: bench-contacts [MAXN]            run every case up to MAXN (20000)
 *        bench-contacts case MODE N [V]   one case (MODE plugin|floor|naive)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <blist.h>
#include <privacy.h>

#include "integration/driver.h"

#define GROUPS 20

/* How many buddies libpurple has for account (and name, or all). */
static guint
count_buddies(PurpleAccount *account, const char *name)
{
	GSList *l = purple_find_buddies(account, name);
	guint n = g_slist_length(l);

	g_slist_free(l);
	return n;
}

static long
peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* The test server's --generate list, rebuilt here for the floor. */
static void
floor_case(int n, gboolean naive)
{
	PurpleAccount *account = msnp_account_new("bench@example.com", "pw", NULL);
	PurpleGroup *groups[GROUPS];
	PurpleBlistNode *tails[GROUPS] = { NULL };
	GSList *permit = NULL, *deny = NULL;
	int width = n > 99999 ? 7 : 5, i;
	gint64 start = g_get_monotonic_time();

	for (i = 0; i < GROUPS; i++) {
		char *name = g_strdup_printf("Bench Group %02d", i + 1);
		groups[i] = purple_group_new(name);
		purple_blist_add_group(groups[i], NULL);
		g_free(name);
	}
	for (i = 1; i <= n; i++) {
		char *handle = g_strdup_printf("c%0*d@bench.test", width, i);
		char *friendly = g_strdup_printf("Bench Contact %0*d", width, i);
		gboolean pending = i % 50 == 0, blocked = i % 50 == 25, allowed = !blocked && (i % 2 == 1);

		if (!pending) {
			PurpleBuddy *b = purple_buddy_new(account, handle, NULL);
			int g = (i - 1) % GROUPS;
			if (naive)
				purple_blist_add_buddy(b, NULL, groups[g], NULL);
			else {
				PurpleContact *c = purple_contact_new();
				purple_blist_add_contact(c, groups[g], tails[g]);
				purple_blist_add_buddy(b, c, groups[g], NULL);
				tails[g] = PURPLE_BLIST_NODE(c);
			}
			purple_blist_server_alias_buddy(b, friendly);
		}
		if (naive) {
			if (allowed)
				purple_privacy_permit_add(account, handle, TRUE);
			if (blocked)
				purple_privacy_deny_add(account, handle, TRUE);
		} else {
			if (allowed)
				permit = g_slist_prepend(permit, g_strdup(handle));
			if (blocked)
				deny = g_slist_prepend(deny, g_strdup(handle));
		}
		g_free(handle);
		g_free(friendly);
	}
	if (!naive) {
		account->permit = g_slist_reverse(permit);
		account->deny = g_slist_reverse(deny);
	}
	printf("RESULT %.4f %ld\n", (g_get_monotonic_time() - start) / 1e6, peak_rss_kb());
}

static void
plugin_case(int n, int version)
{
	char *gen = g_strdup_printf("--generate=bench@example.com:%d:%d", n, GROUPS);
	char *vers = g_strdup_printf("--versions=%d", version);
	const char *args[] = { "--account=bench@example.com:pw", gen, vers, NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new("bench@example.com", "pw", server);
	MsnpSignin s;
	gint64 t0, t1;
	guint buddies;

	msnp_account_use_https(account, server);
	purple_account_set_int(account, "max_protocol", version);
	msnp_signin(account, 120000, &s);
	if (!s.signed_on)
		g_error("sign-in failed: %s", s.error_text ? s.error_text : "timeout");
	t0 = msnp_debug_time_of("OK bench@example.com");
	t1 = msnp_debug_time_of("buddy list: ");
	buddies = count_buddies(account, NULL);
	if (t0 == 0 || t1 == 0 || buddies != (guint)(n - n / 50))
		g_error("unexpected result: %u buddies (expected %d)", buddies, n - n / 50);
	if (g_getenv("MSNP_BENCH_TRACE")) {
		/* Where the time goes: the debug lines after USR OK, with offsets. */
		const GPtrArray *lines = msnp_debug_lines();
		guint i;
		/* For `perf record -k CLOCK_MONOTONIC`: the window in the same clock. */
		fprintf(stderr, "window %.6f .. %.6f s (CLOCK_MONOTONIC)\n", t0 / 1e6, t1 / 1e6);
		for (i = 0; i < lines->len; i++) {
			const char *l = g_ptr_array_index(lines, i);
			gint64 t = msnp_debug_time_of(l);
			if (t >= t0 && (strstr(l, "HTTP") || strstr(l, "ABFindAll") || strstr(l, "FindMembership") || strstr(l, "-> BLP") || strstr(l, "-> CHG") ||
			                strstr(l, "buddy list") || strstr(l, "<- CHG")))
				fprintf(stderr, "%+8.3f s  %.100s\n", (t - t0) / 1e6, l);
		}
	}
	printf("RESULT %.4f %ld\n", (t1 - t0) / 1e6, peak_rss_kb());
	msnp_signin_clear(&s);
	msnp_server_stop(server);
	g_free(gen);
	g_free(vers);
}

/* Runs one case in a fresh process; returns seconds and peak KiB. */
static gboolean
run_case(const char *self, const char *mode, int n, int version, double *secs, long *kb)
{
	char nbuf[16], vbuf[16];
	char *out = NULL;
	const char *argv[] = { self, "case", mode, nbuf, vbuf, NULL };
	int status;
	char *line;
	gboolean ok;

	g_snprintf(nbuf, sizeof nbuf, "%d", n);
	g_snprintf(vbuf, sizeof vbuf, "%d", version);
	if (!g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &out, NULL, &status, NULL))
		return FALSE;
	line = out ? strstr(out, "RESULT ") : NULL;
	ok = line && sscanf(line, "RESULT %lf %ld", secs, kb) == 2 && WIFEXITED(status) &&
	     WEXITSTATUS(status) == 0;
	g_free(out);
	return ok;
}

int
main(int argc, char **argv)
{
	static const int sizes[] = { 1000, 5000, 20000 };
	static const int versions[] = { 12, 14 };
	int maxn = 20000;
	double floor_t[3] = { 0 }, plugin_t[2][3] = { { 0 } };
	long floor_kb[3] = { 0 };
	gsize i, v;

	if (argc >= 4 && strcmp(argv[1], "case") == 0) {
		int argc2 = 1;
		msnp_driver_init(&argc2, &argv);
		if (strcmp(argv[2], "plugin") == 0)
			plugin_case(atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 12);
		else
			floor_case(atoi(argv[3]), strcmp(argv[2], "naive") == 0);
		return 0;
	}
	if (argc > 1)
		maxn = atoi(argv[1]);
	printf("contact-list sign-in, %d groups; each case in a fresh process\n", GROUPS);
	printf("%-7s %-22s %10s %12s\n", "N", "case", "time", "peak RSS");
	for (i = 0; i < G_N_ELEMENTS(sizes) && sizes[i] <= maxn; i++) {
		int n = sizes[i];
		double t;
		long kb;

		if (!run_case(argv[0], "floor", n, 0, &t, &kb))
			g_error("floor case %d failed", n);
		floor_t[i] = t;
		floor_kb[i] = kb;
		printf("%-7d %-22s %8.3f s %9ld KiB\n", n, "floor (libpurple)", t, kb);
		if (run_case(argv[0], "naive", n, 0, &t, &kb))
			printf("%-7d %-22s %8.3f s %9ld KiB\n", n, "naive append (ref.)", t, kb);
		for (v = 0; v < G_N_ELEMENTS(versions); v++) {
			char label[32];
			if (!run_case(argv[0], "plugin", n, versions[v], &t, &kb))
				g_error("plugin case %d MSNP%d failed", n, versions[v]);
			plugin_t[v][i] = t;
			g_snprintf(label, sizeof label, "plugin MSNP%d", versions[v]);
			printf("%-7d %-22s %8.3f s %9ld KiB   %.2fx floor, +%ld KiB\n", n, label, t, kb,
			       floor_t[i] > 0 ? t / floor_t[i] : 0.0, kb - floor_kb[i]);
		}
	}
	if (maxn >= 20000) {
		for (v = 0; v < G_N_ELEMENTS(versions); v++) {
			double ratio = plugin_t[v][2] / plugin_t[v][0];
			double vs_floor = plugin_t[v][2] / floor_t[2];
			printf("MSNP%d: 20,000 vs floor %.2fx (target < 2: %s); 20,000/1,000 ratio %.1f "
			       "(target < 25: %s)\n", versions[v], vs_floor, vs_floor < 2 ? "met" : "MISSED",
			       ratio, ratio < 25 ? "met" : "MISSED");
		}
	}
	return 0;
}
