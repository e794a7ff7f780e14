/* Sign-in time per protocol version, with 0 ms and 50 ms of delay injected
 * into every server reply (NS and HTTP), and the number of dependent round
 * trips that follows from the difference: each round trip the client must
 * wait for costs the delay once.
 *
 * Beside each count stands its floor, the round trips the protocol itself
 * forces with everything that can travel together batched:
 *   Passport 1.4 (8–11): VER+CVR+USR I | nexus | login | USR S | SYN…CHG  = 5
 *   RST (12–14):         VER+CVR+USR I | RST   | USR S | list…CHG        = 4
 * and the count of a client that waits for every reply before sending the
 * next command (the anchors' way): the commands of the sequence, one each.
 *
 * Usage: bench-signin [ROUNDS]   (median of ROUNDS sign-ins, default 5)
 */
#include <stdlib.h>
#include <string.h>

#include "integration/driver.h"

#define DELAY_MS 50

static gint64
one_signin(guint version, guint delay, guint rounds)
{
	char *vers = g_strdup_printf("--versions=%u", version);
	char *rd = g_strdup_printf("--reply-delay-ms=%u", delay);
	char *hd = g_strdup_printf("--http-delay-ms=%u", delay);
	const char *args[] = { vers, rd, hd, "--account=bench@example.com:pw", NULL };
	MsnpServer *server = msnp_server_start_https(args);
	PurpleAccount *account = msnp_account_new("bench@example.com", "pw", server);
	gint64 *times = g_new0(gint64, rounds);
	gint64 median;
	guint i;

	msnp_account_use_https(account, server);
	for (i = 0; i < rounds; i++) {
		MsnpSignin s;
		gint64 start = g_get_monotonic_time();

		msnp_signin(account, 30000, &s);
		times[i] = g_get_monotonic_time() - start;
		if (!s.signed_on)
			g_error("MSNP%u sign-in failed: %s", version, s.error_text ? s.error_text : "timeout");
		msnp_signin_clear(&s);
		msnp_signout(account);
	}
	for (i = 1; i < rounds; i++) {   /* insertion sort: tiny */
		gint64 t = times[i];
		guint j = i;
		while (j > 0 && times[j - 1] > t) {
			times[j] = times[j - 1];
			j--;
		}
		times[j] = t;
	}
	median = times[rounds / 2];
	msnp_account_free(account);
	msnp_server_stop(server);
	g_free(times);
	g_free(vers);
	g_free(rd);
	g_free(hd);
	return median;
}

int
main(int argc, char **argv)
{
	guint rounds = 5, v;

	msnp_driver_init(&argc, &argv);
	if (argc > 1)
		rounds = (guint)CLAMP(atoi(argv[1]), 1, 50);
	g_print("sign-in time, median of %u, per version (HTTPS on loopback)\n", rounds);
	g_print("%-7s %10s %10s %13s %7s %10s\n", "version", "0 ms", "50 ms", "round trips",
	        "floor", "sequential");
	for (v = 8; v <= 14; v++) {
		gint64 t0 = one_signin(v, 0, rounds);
		gint64 t50 = one_signin(v, DELAY_MS, rounds);
		double trips = (double)(t50 - t0) / (DELAY_MS * 1000.0);
		guint floor_trips = v <= 11 ? 5 : 4;
		/* One wait per command sent: VER CVR USR-I (nexus login | RST) USR-S
		 * SYN [GCF] CHG [UUX] — or ADL instead of SYN at 13+. */
		guint sequential = 3 + (v <= 11 ? 2 : 1) + 1 + 1 + (v == 11 || v == 12 ? 1 : 0) + 1 +
		                   (v >= 11 ? 1 : 0);
		g_print("MSNP%-3u %8.1f ms %8.1f ms %13.1f %7u %10u\n", v, t0 / 1000.0, t50 / 1000.0,
		        trips, floor_trips, sequential);
	}
	return 0;
}
