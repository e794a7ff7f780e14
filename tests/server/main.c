/* msnp-testserver — options, listeners, READY line, shutdown.
 *
 *   msnp-testserver [--ns-port N] [--sb-port N] [--http-port N]
 *                   [--https-port N --tls-cert FILE --tls-key FILE]
 *                   [--versions 8-14] [--account EMAIL:PASSWORD[:FRIENDLY]]…
 *                   [--dispatch] [--script FILE [--script-linger]
 *                   [--script-timeout-ms N]] [--log FILE]
 *                   [--http-delay-ms N] [--reply-delay-ms N] [--exit-on-stdin-eof]
 *                   [--control] [contact-list options] [fault injection options]
 *                   (see --help)
 *
 * Everything listens on 127.0.0.1.  When all listeners are up it prints
 *   READY ns=PORT sb=PORT http=PORT https=PORT
 * (0 for a listener not enabled) and serves until SIGTERM/SIGINT, stdin EOF
 * with --exit-on-stdin-eof, or the end of the script in scripted mode.
 * With --exit-on-stdin-eof or --control, standard input is also a control
 * channel, one command a line (fault.c).
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
		ns_accept(srv, sc, srv->dispatch ? NS_ROLE_DISPATCH : NS_ROLE_NS);
	return TRUE;
}

static gboolean
on_incoming_ns2(GSocketService *svc, GSocketConnection *sc, GObject *src, gpointer data)
{
	ns_accept(data, sc, NS_ROLE_NS2);
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
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf);
	Server *srv = data;

	if (n > 0) {
		if (srv->control)
			control_feed(srv, buf, (gsize) n);
		return G_SOURCE_CONTINUE;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return G_SOURCE_CONTINUE;
	srv->stdin_watch = 0;
	if (srv->control)
		control_flush(srv);
	if (srv->exit_on_stdin_eof)
		server_quit(srv, 0);
	return G_SOURCE_REMOVE;
}

/* --http-status PATH=NNN */
static gboolean
add_http_status(Server *srv, const char *spec, GError **error)
{
	const char *eq = strrchr(spec, '=');
	guint64 code = 0;
	char *end = NULL;

	if (eq && eq[1])
		code = g_ascii_strtoull(eq + 1, &end, 10);
	if (!eq || spec[0] != '/' || !end || *end || code < 100 || code > 599) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--http-status: expected /PATH=NNN (100-599), got %s", spec);
		return FALSE;
	}
	if (!srv->http_status)
		srv->http_status = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_replace(srv->http_status, g_strndup(spec, (gsize) (eq - spec)),
	                     GUINT_TO_POINTER((guint) code));
	return TRUE;
}

static gboolean
check_fault_options(Server *srv, char **faults, char **http_status, GError **error)
{
	char **p;

	for (p = faults; p && *p; p++) {
		Fault *f = fault_parse(*p, error);

		if (!f)
			return FALSE;
		if (!srv->faults)
			srv->faults = g_ptr_array_new_with_free_func(fault_free);
		g_ptr_array_add(srv->faults, f);
	}
	for (p = srv->pushes; p && *p; p++) {
		GBytes *b = push_encode(*p, error);

		if (!b) {
			g_prefix_error(error, "--push %s: ", *p);
			return FALSE;
		}
		g_bytes_unref(b);
	}
	if (srv->challenge && (!*srv->challenge || strpbrk(srv->challenge, " \r\n"))) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--challenge: one non-empty word");
		return FALSE;
	}
	for (p = http_status; p && *p; p++)
		if (!add_http_status(srv, *p, error))
			return FALSE;
	for (p = srv->http_silent; p && *p; p++)
		if (**p != '/') {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "--http-silent: expected a /PATH, got %s", *p);
			return FALSE;
		}
	if (srv->dispatch_loop || srv->dispatch_once || srv->ns2_fail)
		srv->dispatch = TRUE;
	if (srv->script && (srv->faults || srv->drop_after || srv->pushes || srv->challenge ||
	                    srv->dispatch_loop || srv->dispatch_once || srv->ns2_fail)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
		            "--fault, --drop-after, --push, --challenge and the dispatch faults "
		            "are for the live mode, not --script");
		return FALSE;
	}
	if (srv->passport_redirect_http && srv->passport_redirects == 0)
		srv->passport_redirects = 1;
	return TRUE;
}

#define LISTS_HELP \
"Contact lists (live mode).  OWNER is an --account; HANDLEs need not be\n" \
"accounts: a handle on any preloaded list exists as a user (it can be added);\n" \
"any other is unknown (205/208, InvalidPassportUser).  Preloads are literal:\n" \
"no reverse RL is implied, give it too (--contact bob@x:alice@x:RL).\n" \
"  --contact OWNER:HANDLE[/32]:LISTS[:FRIENDLY[:GROUP[,GROUP...]]]\n" \
"      LISTS: FL,AL,BL,RL,PL (with , or +) or a number (FL 1 AL 2 BL 4 RL 8 PL 16);\n" \
"      PL = pending (implies RL); /32 = a Yahoo contact (network 32); FRIENDLY\n" \
"      and GROUP names take %XX escapes (%3A for :, %2C for ,); groups are\n" \
"      created on first use.\n" \
"  --group OWNER:NAME        an (empty) group; ids follow the order of creation\n" \
"  --blp OWNER:AL|BL         default AL;  --gtc OWNER:A|N   default A\n" \
"  --generate OWNER:N[:GROUPS]   N contacts c00001@bench.test ... over GROUPS\n" \
"      groups \"Bench Group 01\" ... (default 20), deterministic: every 50th\n" \
"      pending (RL+PL, not FL), the others FL+RL, every 50th from the 25th on\n" \
"      BL, of the rest the odd ones on AL, every 10th from the 3rd with a home\n" \
"      phone, names \"Bench Contact 00001\"...\n" \
"  --list-limits escargot|none|FL=N,AL=N,BL=N,GROUPS=N   list limits (210) and\n" \
"      the NS group limit (223): escargot = FL 1000, AL 1500, BL 1200; default\n" \
"      none for the lists and GROUPS=30; 0 = no limit.\n" \
"  --presence HANDLE:CODE[:FRIENDLY]   a user online without a client (NLN,\n" \
"      BSY, IDL, BRB, AWY, PHN, LUN, HDN; FRIENDLY with %XX escapes): its\n" \
"      watchers get ILN/NLN for it (caps 1073741824, no MSNObject, no PSM).\n" \
"\n"

#define SB_HELP \
"Switchboard (live mode; Escargot's behaviour).  XFR SB gives a cookie for USR\n" \
"(single use, 120 s, exact handle; else 911 and close); USR trid OK HANDLE NAME\n" \
"opens a switchboard.  CAL HANDLE: CAL trid RINGING ID, and RNG on every NS\n" \
"session of HANDLE that is signed in, has sent CHG, is not HDN and is not in\n" \
"the switchboard yet (13: + U messenger.hotmail.com, 14: + 1); 217 offline,\n" \
"hidden, unknown, or HANDLE blocks the caller (BL, or BLP BL without AL); 215\n" \
"all its sessions are in; 208 malformed.  ANS: IRO per other user (caps at\n" \
"12+), ANS OK; the others get JOI.  MSG U|N|A|D goes to every other\n" \
"connection: A gets ACK when it reached one, else NAK; N NAK only then; D\n" \
"ACK.  Over 1664 bytes, a bad ack type or P2P without D close the sender's\n" \
"connection.  OUT or a closed connection: BYE HANDLE to the others (once per\n" \
"user); SB connections close with the NS connection they came from.  No reply\n" \
"before USR/ANS OK; 60 s to authenticate.\n" \
"  --sb-idle-timeout S   S seconds without USR/ANS/CAL/MSG or a leave: every\n" \
"    participant gets BYE OTHER 1 for each other one, then all close.\n" \
"Switchboard log lines (ID is the session id of CAL RINGING and RNG):\n" \
"  -- sb#ID EMAIL: open (USR)\n" \
"  -- sb#ID EMAIL: joined (ANS), N others\n" \
"  -- sb#ID EMAIL: CAL HANDLE: RINGING (RNG on ns#N,...)    or 217 (REASON),\n" \
"     215 (already in the session), 208 (malformed handle)\n" \
"  -- sb#ID EMAIL: MSG A 133 bytes -> bob@x,carol@x (ACK)   or -> nobody (NAK),\n" \
"     -> nobody (sb-nak) (NAK); U shows no reply, N only (NAK); \"MSG A 1665\n" \
"     bytes: over 1664, closing\", \"bad ack type, closing\", \"P2P without D,\n" \
"     closing\", \"no blank line after the headers, dropped\"\n" \
"  -- sb#ID EMAIL: left (OUT | connection closed | its NS connection is gone |\n" \
"     sb-bye | sb-bye, idle | sb-drop-after | message too long | ...)\n" \
"  -- sb#ID: idle for S s: BYE ... 1 to every participant, closing N connections\n" \
"  -- sb#ID: empty, gone\n" \
"\n"

#define FAULT_HELP \
"Fault injection (NS faults in live mode only; they hit every NS-port\n" \
"connection: dispatch, NS and second NS, never the switchboard):\n" \
"  --fault STEP:ACTION[/N]  at STEP do ACTION: every time, or only the first N\n" \
"    times in the server's life (N counts over all connections).\n" \
"    STEP: CONNECT (right after accept), USR-I (USR TWN I), USR-S (USR TWN S\n" \
"          ticket), LIST (any list change: ADD ADC REM ADG RMG REG BLP GTC PRP\n" \
"          REA SBP, ADL/RML but the initial one), or any command name: VER CVR\n" \
"          SYN ADD ADC REM ADG ADL CHG UUX GCF BLP PRP PNG ...\n" \
"          GCF at MSNP13+ is the GCF the server pushes after USR TWN I (silent\n" \
"          leaves it out; the USR TWN S reply still comes).\n" \
"    ACTION: drop         close at once without replying\n" \
"            silent       no reply to this command (later ones are answered)\n" \
"            hang         no reply to this or any later command; socket stays open\n" \
"            error:NNN[:close|:keep]  reply \"NNN trid\" instead; closes by default\n" \
"                         after 911, 500, 240, 241, and 715 at VER (as Escargot)\n" \
"            garbage      a 20 KB line without newline instead of the reply, then hang\n" \
"            junk         the line \"XYZ 1 this-is-not-msnp\", then the normal reply\n" \
"            binary       a line of binary bytes (NUL, 0xff, bad UTF-8), then the reply\n" \
"            delay:MS     the reply and everything after it MS later\n" \
"    Several faults on one step run in order until one replaces the reply.\n" \
"  --push LINE   after the first CHG echo of the first connection to get there,\n" \
"    send LINE + CRLF (repeatable, in order).  Escapes \\r \\n \\t \\\\ \\xHH;\n" \
"    \"HEAD {len}|PAYLOAD\" sends HEAD, the payload's byte count, CRLF, PAYLOAD.\n" \
"    OUT ... closes the connection after it; CHL 0 X is checked like --challenge.\n" \
"\n" \
"Control channel (standard input, with --exit-on-stdin-eof or --control), one\n" \
"command a line, each logged as \"-- control: ...\" with its outcome:\n" \
"  push EMAIL LINE   send LINE (as --push) on EMAIL's newest signed-in NS connection\n" \
"  drop EMAIL        close EMAIL's NS connections\n" \
"  kill-ns           close every NS connection\n" \
"  ns2-fail on|off   as --ns2-fail, from now on\n" \
"  add-contact OWNER HANDLE[/32] LISTS [FRIENDLY]   a change made elsewhere: FL, AL,\n" \
"                    BL as if OWNER's other client made it (OWNER's sessions get\n" \
"                    ADD/ADC 0 ..., or NOT at 13+; HANDLE gets its RL push); RL as\n" \
"                    if HANDLE added OWNER (pending when OWNER has it on neither\n" \
"                    AL nor BL); PL forces pending.  HANDLE exists from then on.\n" \
"  remove-contact OWNER HANDLE LISTS   the same for removals (RL: HANDLE dropped\n" \
"                    OWNER; PL clears pending)\n" \
"  dump EMAIL        log EMAIL's stored lists (below)\n" \
"  status HANDLE CODE [FRIENDLY]   virtual presence (as --presence); FLN = offline\n" \
"  sb-bye EMAIL [1]  close EMAIL's switchboard connections; the others get\n" \
"                    BYE EMAIL (BYE EMAIL 1 with 1)\n" \
"  sb-nak EMAIL on|off|N   MSG A/N from EMAIL get NAK and are not delivered:\n" \
"                    all from now on, no more, or the next N\n" \
"  sb-push EMAIL LINE   send LINE (as --push) on each of EMAIL's switchboard\n" \
"                    connections, as if the switchboard sent it (e.g. \"MSG\n" \
"                    HANDLE NAME {len}|PAYLOAD\" for a message from HANDLE)\n" \
"\n" \
"SOAP faults (MSNP13+ address book and sharing services):\n" \
"  --soap-fault ACTION:CODE[/N]  the next N (default 1) requests for ACTION\n" \
"    (ABFindAll, ABContactAdd, FindMembership, AddMember, ...; * = any) fail:\n" \
"    CODE an errorcode (ContactAlreadyExists, UserDoesNotExist, ...; HTTP 500\n" \
"    with a SOAP fault, FullSyncRequired with HTTP 200) or an HTTP status\n" \
"    (500, 403: an empty body).\n" \
"  --abfindall-truncate N[/TIMES]  ABFindAll answers HTTP 200 with a body cut\n" \
"    after N contacts (not well-formed), every time or TIMES times.\n" \
"\n" \
"Log lines for tests: \"-- PNG\" per PNG, \"-- QRY ok\", \"-- QRY bad (expected X got Y)\",\n" \
"\"-- fault SPEC\" each time a fault fires, \"-- soap-fault SPEC\";\n" \
"every stored list change: \"-- lists OWNER: +FL HANDLE\" (-FL, +AL, +RL HANDLE\n" \
"(pending), -PL, +FL HANDLE group \"NAME\", +group ID GUID \"NAME\", -group ...,\n" \
"group ID \"OLD\" renamed \"NEW\", BLP BL, GTC N, name \"NEW\"); SOAP calls:\n" \
"\"-- abch EMAIL: ACTION\" and its outcome (\"... fault CODE (HTTP 500)\");\n" \
"\"-- SYN: N contacts, G groups, B bytes in T ms\", \"-- abch EMAIL: ABFindAll N\n" \
"contacts, ... in T ms\".  dump writes, in the order stored:\n" \
"  -- list EMAIL: name \"Alice\" BLP AL GTC A contacts N groups G version V [PHH ...]\n" \
"  -- list EMAIL: group ID GUID \"NAME\"\n" \
"  -- list EMAIL: HANDLE[/32] FL,AL,BL,RL,PL GROUP,GROUP|- \"FRIENDLY\" [PHH ...]\n" \
"  -- list EMAIL: end\n" \
"(group names in the contact lines with space , % \" %-escaped; PL = pending)."


/* The contact-list options, once the accounts exist. */
static gboolean
load_lists(Server *srv, char **groups, char **contacts, char **generates, char **blps,
           char **gtcs, const char *limits, GError **error)
{
	char **p;
	gint64 t0 = g_get_monotonic_time();
	guint n = 0;

	srv->limits.groups = GROUPS_DEFAULT_MAX;
	if (limits && !lists_parse_limits(srv, limits, error))
		return FALSE;
	for (p = groups; p && *p; p++)
		if (!lists_add_group_spec(srv, *p, error))
			return FALSE;
	for (p = contacts; p && *p; p++)
		if (!lists_add_contact_spec(srv, *p, error))
			return FALSE;
	for (p = generates; p && *p; p++, n++)
		if (!lists_generate_spec(srv, *p, error))
			return FALSE;
	for (p = blps; p && *p; p++)
		if (!lists_set_blp_spec(srv, *p, error))
			return FALSE;
	for (p = gtcs; p && *p; p++)
		if (!lists_set_gtc_spec(srv, *p, error))
			return FALSE;
	if (n)
		server_logf(srv, "server", "-- generated lists in %.1f ms",
		            (double) (g_get_monotonic_time() - t0) / 1000.0);
	return TRUE;
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
	char **faults = NULL, **http_status = NULL;
	char **contacts = NULL, **groups = NULL, **blps = NULL, **gtcs = NULL, **generates = NULL;
	char **presences = NULL, **soap_faults = NULL;
	char *limits = NULL, *truncate = NULL;
	int http_delay = 0, reply_delay = 0, script_timeout = 10000;
	int drop_after = 0, qng = 60, passport_redirects = 0;
	int sb_drop_after = 0, sb_idle_timeout = 0;
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
		{ "exit-on-stdin-eof", 0, 0, G_OPTION_ARG_NONE, &stdin_eof, "Exit when standard input is closed (and read control commands from it)", NULL },
		{ "control", 0, 0, G_OPTION_ARG_NONE, &srv.control, "Read control commands from standard input (see below)", NULL },
		{ NULL }
	};
	GOptionEntry list_entries[] = {
		{ "contact", 0, 0, G_OPTION_ARG_STRING_ARRAY, &contacts, "A contact on OWNER's lists (repeatable; see below)", "OWNER:HANDLE:LISTS[:FRIENDLY[:GROUP,...]]" },
		{ "group", 0, 0, G_OPTION_ARG_STRING_ARRAY, &groups, "A group of OWNER's (repeatable)", "OWNER:NAME" },
		{ "blp", 0, 0, G_OPTION_ARG_STRING_ARRAY, &blps, "OWNER's privacy default (repeatable)", "OWNER:AL|BL" },
		{ "gtc", 0, 0, G_OPTION_ARG_STRING_ARRAY, &gtcs, "OWNER's add prompt setting (repeatable)", "OWNER:A|N" },
		{ "generate", 0, 0, G_OPTION_ARG_STRING_ARRAY, &generates, "N generated contacts for benchmarks (repeatable)", "OWNER:N[:GROUPS]" },
		{ "list-limits", 0, 0, G_OPTION_ARG_STRING, &limits, "List size limits (default none; groups 30)", "escargot|none|FL=N,..." },
		{ "presence", 0, 0, G_OPTION_ARG_STRING_ARRAY, &presences, "HANDLE is online without a client (repeatable)", "HANDLE:CODE[:FRIENDLY]" },
		{ "soap-fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &soap_faults, "A SOAP action fails (repeatable; see below)", "ACTION:CODE[/N]" },
		{ "abfindall-truncate", 0, 0, G_OPTION_ARG_STRING, &truncate, "ABFindAll bodies end after N contacts", "N[/TIMES]" },
		{ NULL }
	};
	GOptionEntry fault_entries[] = {
		{ "fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &faults, "An NS fault (repeatable; see below)", "STEP:ACTION[/N]" },
		{ "drop-after", 0, 0, G_OPTION_ARG_INT, &drop_after, "Close each NS connection on its Nth command (from 1), before replying", "N" },
		{ "sb-drop-after", 0, 0, G_OPTION_ARG_INT, &sb_drop_after, "Close each SB connection on its Nth command (from 1), before replying (the others get BYE)", "N" },
		{ "sb-idle-timeout", 0, 0, G_OPTION_ARG_INT, &sb_idle_timeout, "A switchboard without activity for SECONDS ends: everyone gets BYE HANDLE 1 (default 0 = never)", "SECONDS" },
		{ "sb-nak", 0, 0, G_OPTION_ARG_NONE, &srv.sb_nak, "Every SB MSG A/N gets NAK and is not delivered", NULL },
		{ "push", 0, 0, G_OPTION_ARG_STRING_ARRAY, &srv.pushes, "Send LINE after the first CHG echo (repeatable; see below)", "LINE" },
		{ "challenge", 0, 0, G_OPTION_ARG_STRING, &srv.challenge, "Send CHL 0 CHL after each connection's first CHG echo; check QRY (QRY trid if right, 540 and close if wrong)", "CHL" },
		{ "qng", 0, 0, G_OPTION_ARG_INT, &qng, "The interval sent in QNG (default 60)", "SECONDS" },
		{ "dispatch-loop", 0, 0, G_OPTION_ARG_NONE, &srv.dispatch_loop, "The dispatch redirects every USR TWN I to itself (implies --dispatch)", NULL },
		{ "dispatch-once", 0, 0, G_OPTION_ARG_NONE, &srv.dispatch_once, "The dispatch redirects an account only the first time, then serves it itself (implies --dispatch)", NULL },
		{ "ns2-fail", 0, 0, G_OPTION_ARG_NONE, &srv.ns2_fail, "The second NS accepts and closes every connection at once (implies --dispatch)", NULL },
		{ "http-status", 0, 0, G_OPTION_ARG_STRING_ARRAY, &http_status, "PATH answers every request with status NNN and an empty body (repeatable)", "/PATH=NNN" },
		{ "http-silent", 0, 0, G_OPTION_ARG_STRING_ARRAY, &srv.http_silent, "PATH accepts requests and never answers (repeatable)", "/PATH" },
		{ "rst-fault", 0, 0, G_OPTION_ARG_STRING, &srv.rst_fault, "RST answers HTTP 200 with a SOAP fault with this faultcode (psf:Redirect adds a redirectUrl)", "CODE" },
		{ "rst-no-token", 0, 0, G_OPTION_ARG_NONE, &srv.rst_no_token, "RST succeeds without the messenger.msn.com token", NULL },
		{ "rst-compact-swap", 0, 0, G_OPTION_ARG_NONE, &srv.rst_compact_swap, "RST puts a decoy token for spaces.live.com first as Compact1 (not valid on the NS); the messenger token gets a higher number", NULL },
		{ "passport-redirects", 0, 0, G_OPTION_ARG_INT, &passport_redirects, "login2.srf answers 302 to itself N times per sign-in before the real answer", "N" },
		{ "passport-redirect-http", 0, 0, G_OPTION_ARG_NONE, &srv.passport_redirect_http, "Those 302s point at the plain http:// URL (at least one redirect)", NULL },
		{ "nexus-no-dalogin", 0, 0, G_OPTION_ARG_NONE, &srv.nexus_no_dalogin, "The nexus's PassportURLs has no DALogin", NULL },
		{ "nexus-dalogin-noscheme", 0, 0, G_OPTION_ARG_NONE, &srv.nexus_dalogin_noscheme, "DALogin without scheme, as official servers: 127.0.0.1:PORT/login2.srf (HTTPS port when there is one)", NULL },
		{ "passport-unquoted", 0, 0, G_OPTION_ARG_NONE, &srv.passport_unquoted, "from-PP=t=...&p=... without quotes, ended by a comma", NULL },
		{ NULL }
	};

	signal(SIGPIPE, SIG_IGN);
	xmlInitParser();
	ctx = g_option_context_new("- loopback MSN Messenger server for the purple-msnp tests");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_main_entries(ctx, list_entries, NULL);
	g_option_context_add_main_entries(ctx, fault_entries, NULL);
	g_option_context_set_description(ctx, LISTS_HELP SB_HELP FAULT_HELP);
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
	if (drop_after < 0 || qng < 0 || passport_redirects < 0 || sb_drop_after < 0 ||
	    sb_idle_timeout < 0) {
		g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--drop-after, --qng, --passport-redirects, --sb-drop-after and "
		            "--sb-idle-timeout must be >= 0");
		goto out;
	}
	srv.sb_drop_after = (guint) sb_drop_after;
	srv.sb_idle_timeout = (guint) sb_idle_timeout;
	srv.drop_after = (guint) drop_after;
	srv.qng_interval = (guint) qng;
	srv.passport_redirects = (guint) passport_redirects;
	srv.http_delay_ms = (guint) http_delay;
	srv.reply_delay_ms = (guint) reply_delay;
	srv.script_timeout_ms = (guint) script_timeout;
	srv.versions = 0;
	if (!util_parse_versions(versions ? versions : "8-14", &srv.versions, &error))
		goto out;
	for (a = accounts; a && *a; a++)
		if (!accounts_add_from_spec(&srv, *a, &error))
			goto out;
	for (a = soap_faults; a && *a; a++)
		if (!abch_parse_soap_fault(&srv, *a, &error))
			goto out;
	if (truncate && !abch_parse_truncate(&srv, truncate, &error))
		goto out;
	if (log_path) {
		srv.log = fopen(log_path, "w");
		if (!srv.log) {
			g_set_error(&error, G_FILE_ERROR, g_file_error_from_errno(errno),
			            "--log %s: %s", log_path, g_strerror(errno));
			goto out;
		}
	}
	if (!load_lists(&srv, groups, contacts, generates, blps, gtcs, limits, &error))
		goto out;
	if (script_path) {
		srv.script = script_load(&srv, script_path, &error);
		if (!srv.script)
			goto out;
	}
	if (!check_fault_options(&srv, faults, http_status, &error))
		goto out;

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
	srv.exit_on_stdin_eof = stdin_eof;
	if (stdin_eof)
		srv.control = TRUE;
	if (srv.control)
		srv.stdin_watch = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &srv);
	for (a = presences; a && *a; a++) {
		char **f = g_strsplit(*a, ":", 3);
		gboolean ok = g_strv_length(f) >= 2 &&
		              presence_set_virtual(&srv, f[0], f[1], f[2], &error);

		if (!ok && !error)
			g_set_error(&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			            "expected HANDLE:CODE[:FRIENDLY]");
		g_strfreev(f);
		if (!ok) {
			g_prefix_error(&error, "--presence %s: ", *a);
			goto out;
		}
	}
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
	srv.quitting = TRUE;
	conn_finish_lingering(&srv);
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
	sb_free_state(&srv);
	presence_free_all(&srv);
	abch_free_all(&srv);
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
	g_strfreev(contacts);
	g_strfreev(groups);
	g_strfreev(blps);
	g_strfreev(gtcs);
	g_strfreev(generates);
	g_strfreev(presences);
	g_strfreev(soap_faults);
	g_free(limits);
	g_free(truncate);
	g_strfreev(faults);
	g_strfreev(http_status);
	g_strfreev(srv.pushes);
	g_strfreev(srv.http_silent);
	g_free(srv.challenge);
	g_free(srv.rst_fault);
	g_clear_pointer(&srv.faults, g_ptr_array_unref);
	g_clear_pointer(&srv.http_status, g_hash_table_unref);
	if (srv.control_buf)
		g_string_free(srv.control_buf, TRUE);
	xmlCleanupParser();
	return rc;
}
