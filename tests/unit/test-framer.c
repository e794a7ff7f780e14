/* Unit tests for the incremental framer (src/proto/command.c). */
#include <string.h>

#include "proto/command.h"

/* ---- helpers ------------------------------------------------------------ */

/* One framer event: a command rendered as text, or an error code. */
static void
render(GString *log, MsnCommand *cmd, GError *error)
{
	guint i;

	if (error) {
		g_string_append_printf(log, "ERROR %d%s\n", error->code,
		                       msn_proto_error_is_fatal(error) ? " fatal" : "");
		return;
	}
	g_string_append(log, cmd->name);
	if (cmd->has_trid)
		g_string_append_printf(log, " #%u", cmd->trid);
	for (i = 0; i < cmd->n_params; i++)
		g_string_append_printf(log, " [%s]", cmd->params[i]);
	g_assert_null(cmd->params[cmd->n_params]);
	if (cmd->payload) {
		gsize n;
		const char *d = g_bytes_get_data(cmd->payload, &n);

		g_string_append_printf(log, " payload(%" G_GSIZE_FORMAT ")=", n);
		g_string_append_len(log, d ? d : "", (gssize)n);
	}
	g_string_append_c(log, '\n');
}

/* Feeds data in chunks of `step` bytes (0 = all at once), pulls after every
 * push and returns the event log.  Stops at the first fatal error. */
static char *
feed(MsnService service, MsnDirection dir, guint version, const char *data,
     gsize len, gsize step, guint *n_commands, guint *n_errors)
{
	g_autoptr(MsnFramer) f = msn_framer_new(service, dir, version);
	GString *log = g_string_new(NULL);
	gsize pos = 0;
	gboolean dead = FALSE;

	if (n_commands)
		*n_commands = 0;
	if (n_errors)
		*n_errors = 0;
	if (step == 0)
		step = MAX(len, 1);
	while (pos < len && !dead) {
		gsize n = MIN(step, len - pos);

		msn_framer_push(f, (const guint8 *)data + pos, n);
		pos += n;
		for (;;) {
			GError *error = NULL;
			MsnCommand *cmd = msn_framer_next(f, &error);

			if (cmd == NULL && error == NULL)
				break;
			g_assert_true(cmd == NULL || error == NULL);
			render(log, cmd, error);
			if (cmd) {
				if (n_commands)
					(*n_commands)++;
				msn_command_free(cmd);
			} else {
				gboolean fatal = msn_proto_error_is_fatal(error);

				if (n_errors)
					(*n_errors)++;
				g_error_free(error);
				if (fatal) {
					dead = TRUE;
					break;
				}
			}
		}
	}
	return g_string_free(log, FALSE);
}

/* Pulls exactly one event from a framer that has data. */
static MsnCommand *
next_ok(MsnFramer *f)
{
	GError *error = NULL;
	MsnCommand *cmd = msn_framer_next(f, &error);

	g_assert_no_error(error);
	g_assert_nonnull(cmd);
	return cmd;
}

static void
next_error(MsnFramer *f, MsnProtoError code)
{
	GError *error = NULL;
	MsnCommand *cmd = msn_framer_next(f, &error);

	g_assert_null(cmd);
	g_assert_error(error, MSN_PROTO_ERROR, (gint)code);
	g_error_free(error);
}

static void
next_none(MsnFramer *f)
{
	GError *error = NULL;
	MsnCommand *cmd = msn_framer_next(f, &error);

	g_assert_no_error(error);
	g_assert_null(cmd);
}

static void
push_str(MsnFramer *f, const char *s)
{
	msn_framer_push(f, (const guint8 *)s, strlen(s));
}

/* ---- seed transcripts --------------------------------------------------- */

/* Rebuilds the byte stream one side of a seed transcript sends: "S: " (or
 * "C: ") lines with their ".. " continuations, CRLF-terminated, each payload
 * taken from the lines that follow it (joined with CRLF) and its length token
 * rewritten to the bytes actually used, so the stream is self-consistent
 * even where a transcript pretty-printed its XML. */
static gboolean
seed_payload_command(const char *line, gboolean from_server)
{
	const char *last = strrchr(line, ' ');
	gboolean digits;
	const char *p;
	static const char *const server_cmds[] = { "MSG", "GCF", "UBX", "UUX",
	                                           "ADL", "RML", "NOT", "IPG",
	                                           "FQY", "UBN", "UBM", NULL };
	static const char *const client_cmds[] = { "MSG", "UUX", "ADL", "RML",
	                                           "QRY", "FQY", "UUN", "UUM", NULL };
	const char *const *cmds = from_server ? server_cmds : client_cmds;
	guint i;
	gboolean known = FALSE;

	if (last == NULL || last[1] == '\0')
		return FALSE;
	for (p = last + 1, digits = TRUE; *p; p++)
		if (!g_ascii_isdigit(*p))
			digits = FALSE;
	if (!digits)
		return FALSE;
	for (i = 0; cmds[i]; i++)
		if (strncmp(line, cmds[i], 3) == 0 && line[3] == ' ')
			known = TRUE;
	if (!known)
		return FALSE;
	/* ("GCF 9 Shields.xml" has no length; "UUX 11 0" has length 0.) */
	return TRUE;
}

static GString *
seed_stream(const char *path, gboolean from_server, guint *n_lines)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GString *out = g_string_new(NULL);
	const char *prefix = from_server ? "S: " : "C: ";
	GError *error = NULL;
	guint i, n;

	g_file_get_contents(path, &text, NULL, &error);
	g_assert_no_error(error);
	lines = g_strsplit(text, "\n", -1);
	n = g_strv_length(lines);
	*n_lines = 0;
	for (i = 0; i < n; i++) {
		GString *line;

		if (!g_str_has_prefix(lines[i], prefix))
			continue;
		line = g_string_new(lines[i] + 3);
		while (i + 1 < n && g_str_has_prefix(lines[i + 1], ".. ")) {
			g_string_append_c(line, ' ');
			g_string_append(line, lines[i + 1] + 3);
			i++;
		}
		(*n_lines)++;
		if (seed_payload_command(line->str, from_server)) {
			char *sp = strrchr(line->str, ' ');
			gsize want = (gsize)g_ascii_strtoull(sp + 1, NULL, 10);
			GString *acc = g_string_new(NULL);

			while (want > 0 && acc->len < want && i + 1 < n &&
			       !g_str_has_prefix(lines[i + 1], "C: ") &&
			       !g_str_has_prefix(lines[i + 1], "S: ")) {
				g_string_append(acc, lines[i + 1]);
				g_string_append(acc, "\r\n");
				i++;
			}
			if (acc->len > want)
				g_string_truncate(acc, want);
			g_string_truncate(line, (gsize)(sp - line->str));
			g_string_append_printf(line, " %" G_GSIZE_FORMAT "\r\n", acc->len);
			g_string_append_len(line, acc->str, (gssize)acc->len);
			g_string_free(acc, TRUE);
		} else {
			g_string_append(line, "\r\n");
		}
		g_string_append_len(out, line->str, (gssize)line->len);
		g_string_free(line, TRUE);
	}
	return out;
}

static const struct {
	const char *file;
	guint version;
} seeds[] = {
	{ "000_4c30c750cea8e7b5.txt", 12 },
	{ "001_fb3b4e66304fb60f.txt", 11 },
	{ "002_1c83cbfd3ee6fb15.txt", 10 },
	{ "003_6b54d6269a4c8057.txt", 14 },
	{ "004_966a299fc87d526b.txt", 8 },
};

static char *
seed_path(const char *file)
{
	const char *src = g_getenv("MSNP_SRCDIR");

	return g_build_filename(src ? src : ".", "tests", "seeds", file, NULL);
}

static void
check_seeds(gboolean from_server)
{
	gsize s;

	for (s = 0; s < G_N_ELEMENTS(seeds); s++) {
		g_autofree char *path = seed_path(seeds[s].file);
		MsnDirection dir = from_server ? MSN_FROM_SERVER : MSN_FROM_CLIENT;
		guint n_lines = 0, n_cmd_all, n_err_all, n_cmd_one, n_err_one;
		GString *stream;
		g_autofree char *all = NULL;
		g_autofree char *one = NULL;
		gsize step;

		g_test_message("%s (MSNP%u, %s lines)", seeds[s].file,
		               seeds[s].version, from_server ? "S:" : "C:");
		stream = seed_stream(path, from_server, &n_lines);
		g_assert_cmpuint(n_lines, >, 5);

		all = feed(MSN_SERVICE_NS, dir, seeds[s].version, stream->str,
		           stream->len, 0, &n_cmd_all, &n_err_all);
		one = feed(MSN_SERVICE_NS, dir, seeds[s].version, stream->str,
		           stream->len, 1, &n_cmd_one, &n_err_one);
		/* every line of every seed is valid at its version */
		if (n_err_all || g_getenv("SHOW_SEEDS"))
			g_test_message("%s", all);
		g_assert_cmpuint(n_err_all, ==, 0);
		g_assert_cmpuint(n_cmd_all, ==, n_lines);
		g_assert_cmpstr(all, ==, one);
		g_assert_cmpuint(n_cmd_one, ==, n_cmd_all);

		/* and any other split gives the same result */
		for (step = 2; step < 40; step += 7) {
			g_autofree char *split = feed(MSN_SERVICE_NS, dir,
			                              seeds[s].version, stream->str,
			                              stream->len, step, NULL, NULL);

			g_assert_cmpstr(all, ==, split);
		}
		g_string_free(stream, TRUE);
	}
}

static void
test_seeds_server(void)
{
	check_seeds(TRUE);
}

static void
test_seeds_client(void)
{
	check_seeds(FALSE);
}

/* ---- basic framing ------------------------------------------------------ */

static void
test_lf_and_crlf(void)
{
	const char *crlf = "VER 1 MSNP12\r\nCHL 0 123\r\nQNG 50\r\n";
	const char *lf = "VER 1 MSNP12\nCHL 0 123\nQNG 50\n";
	g_autofree char *a = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 12, crlf,
	                          strlen(crlf), 0, NULL, NULL);
	g_autofree char *b = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 12, lf,
	                          strlen(lf), 1, NULL, NULL);

	g_assert_cmpstr(a, ==, "VER #1 [MSNP12]\nCHL #0 [123]\nQNG [50]\n");
	g_assert_cmpstr(a, ==, b);
}

static void
test_empty_tokens(void)
{
	/* Escargot's LST for a contact in no group ends with a space; repeated
	 * spaces never make empty parameters. */
	const char *in = "LST N=a@b.c F=a C=1234 11 \r\nBLP  3   AL\r\n";
	g_autofree char *log = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 11, in,
	                            strlen(in), 1, NULL, NULL);

	g_assert_cmpstr(log, ==, "LST [N=a@b.c] [F=a] [C=1234] [11]\nBLP #3 [AL]\n");
}

static void
test_empty_line(void)
{
	g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_NS, MSN_FROM_SERVER, 12);
	MsnCommand *cmd;

	push_str(f, "\r\n\n   \r\nQNG 50\r\n");
	next_error(f, MSN_PROTO_ERROR_EMPTY_LINE);
	next_error(f, MSN_PROTO_ERROR_EMPTY_LINE);
	next_error(f, MSN_PROTO_ERROR_EMPTY_LINE);
	cmd = next_ok(f);
	g_assert_cmpstr(cmd->name, ==, "QNG");
	msn_command_free(cmd);
	next_none(f);
}

static void
test_needs_more(void)
{
	g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_SB, MSN_FROM_SERVER, 12);
	MsnCommand *cmd;

	next_none(f);
	g_assert_cmpuint(msn_framer_pending(f), ==, 0);
	push_str(f, "MSG bob@example.com Bob 5\r");
	next_none(f);
	g_assert_cmpuint(msn_framer_pending(f), ==, 26);
	push_str(f, "\nhe");
	next_none(f);
	/* the line is not returned yet, so it still counts as pending */
	g_assert_cmpuint(msn_framer_pending(f), ==, 29);
	push_str(f, "llo");
	cmd = next_ok(f);
	g_assert_cmpstr(cmd->name, ==, "MSG");
	g_assert_false(cmd->has_trid);
	g_assert_cmpuint(cmd->n_params, ==, 3);
	g_assert_cmpuint(g_bytes_get_size(cmd->payload), ==, 5);
	g_assert_cmpmem(g_bytes_get_data(cmd->payload, NULL), 5, "hello", 5);
	msn_command_free(cmd);
	g_assert_cmpuint(msn_framer_pending(f), ==, 0);
	next_none(f);
}

static void
test_payload_opaque(void)
{
	/* CRLFs and command-looking text inside a payload are payload */
	const char *in = "MSG a b 26\r\nOUT\r\n\r\n\r\nMSG a b 99\r\nPNG\r\nBYE a\r\n";
	g_autofree char *log = feed(MSN_SERVICE_SB, MSN_FROM_SERVER, 9, in,
	                            strlen(in), 1, NULL, NULL);

	g_assert_cmpstr(log, ==,
	                "MSG [a] [b] [26] payload(26)=OUT\r\n\r\n\r\nMSG a b 99\r\nPNG\r\n\n"
	                "BYE [a]\n");
}

static void
test_payload_rules(void)
{
	const char *in =
		"UUX 7 0\r\n"             /* zero-length payload, no bytes follow */
		"UUX 8\r\n"               /* wiki form: no payload at all */
		"ADL 9 OK\r\n"            /* reply, no payload */
		"ADL 0 4\r\n<ml>"         /* unsolicited with payload */
		"QRY 10\r\n"              /* last token is the TrID */
		"GCF 0 3\r\nabc"
		"GCF 11 Shields.xml 2\r\nxy"
		"UBX a@b 1 0\r\n"
		"FQY 12 2\r\nzz"
		"NOT 1\r\nn"
		"IPG 1\r\np"
		"UBN a@b 1 1\r\nq"
		"UBM a@b 32 1 1\r\nr"
		"UUN 13 OK\r\n"
		"RML 14 OK\r\n"
		"CHL 0 15570131571988941333\r\n";
	g_autofree char *log = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 14, in,
	                            strlen(in), 1, NULL, NULL);

	g_assert_cmpstr(log, ==,
	                "UUX #7 [0] payload(0)=\n"
	                "UUX #8\n"
	                "ADL #9 [OK]\n"
	                "ADL #0 [4] payload(4)=<ml>\n"
	                "QRY #10\n"
	                "GCF #0 [3] payload(3)=abc\n"
	                "GCF #11 [Shields.xml] [2] payload(2)=xy\n"
	                "UBX [a@b] [1] [0] payload(0)=\n"
	                "FQY #12 [2] payload(2)=zz\n"
	                "NOT [1] payload(1)=n\n"
	                "IPG [1] payload(1)=p\n"
	                "UBN [a@b] [1] [1] payload(1)=q\n"
	                "UBM [a@b] [32] [1] [1] payload(1)=r\n"
	                "UUN #13 [OK]\n"
	                "RML #14 [OK]\n"
	                "CHL #0 [15570131571988941333]\n");
}

static void
test_error_replies(void)
{
	const char *in =
		"911 7\r\n"          /* never a payload with two tokens */
		"500 12 3\r\nabc"    /* three tokens: payload */
		"241 13 0\r\n"
		"911\r\n"            /* no TrID */
		"099 1\r\n"          /* not an error code */
		"PNG\r\n";
	g_autofree char *log = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 13, in,
	                            strlen(in), 1, NULL, NULL);

	g_assert_cmpstr(log, ==,
	                "911 #7\n"
	                "500 #12 [3] payload(3)=abc\n"
	                "241 #13 [0] payload(0)=\n"
	                "ERROR 6\n"                 /* BAD_TRID */
	                "ERROR 5\n"                 /* UNKNOWN_COMMAND */
	                "ERROR 5\n");               /* PNG from the server */
}

static void
test_error_code_field(void)
{
	g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_SB, MSN_FROM_SERVER, 12);
	MsnCommand *cmd;

	push_str(f, "217 4\r\nACK 5\r\n");
	cmd = next_ok(f);
	g_assert_cmpstr(cmd->name, ==, "217");
	g_assert_cmpuint(cmd->error_code, ==, 217);
	g_assert_true(cmd->has_trid);
	g_assert_cmpuint(cmd->trid, ==, 4);
	g_assert_null(cmd->payload);
	g_assert_nonnull(cmd->schema);
	g_assert_cmpstr(cmd->schema->name, ==, "NNN");
	msn_command_free(cmd);
	cmd = next_ok(f);
	g_assert_cmpuint(cmd->error_code, ==, 0);
	msn_command_free(cmd);
}

/* ---- limits ------------------------------------------------------------- */

static GString *
line_of_length(const char *prefix, gsize total, const char *ending)
{
	GString *s = g_string_new(prefix);

	while (s->len + strlen(ending) < total)
		g_string_append_c(s, 'x');
	g_string_append(s, ending);
	g_assert_cmpuint(s->len, ==, total);
	return s;
}

static void
test_max_line(void)
{
	g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_NS, MSN_FROM_SERVER, 12);
	GString *ok = line_of_length("CHL 0 ", MSN_MAX_LINE, "\r\n");
	GString *lf = line_of_length("CHL 0 ", MSN_MAX_LINE, "\n");
	MsnCommand *cmd;
	gsize i;

	/* exactly MSN_MAX_LINE bytes including CRLF, fed byte by byte */
	for (i = 0; i < ok->len; i++) {
		msn_framer_push(f, (const guint8 *)ok->str + i, 1);
		if (i + 1 < ok->len)
			next_none(f);
	}
	cmd = next_ok(f);
	g_assert_cmpuint(strlen(cmd->params[0]), ==, MSN_MAX_LINE - 8);
	msn_command_free(cmd);

	msn_framer_push(f, (const guint8 *)lf->str, lf->len);
	cmd = next_ok(f);
	msn_command_free(cmd);
	next_none(f);
	g_string_free(ok, TRUE);
	g_string_free(lf, TRUE);
}

static void
test_line_too_long(void)
{
	g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_NS, MSN_FROM_SERVER, 12);
	GString *bad = line_of_length("CHL 0 ", MSN_MAX_LINE + 1, "\r\n");
	GError *error = NULL;
	gsize i;

	/* detected as soon as MSN_MAX_LINE bytes without LF are buffered */
	for (i = 0; i < MSN_MAX_LINE - 1; i++) {
		msn_framer_push(f, (const guint8 *)bad->str + i, 1);
		next_none(f);
	}
	msn_framer_push(f, (const guint8 *)bad->str + i, 1);
	g_assert_null(msn_framer_next(f, &error));
	g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_LINE_TOO_LONG);
	g_assert_true(msn_proto_error_is_fatal(error));
	/* the message quotes at most 64 bytes of the line */
	g_assert_cmpuint(strlen(error->message), <, 200);
	g_clear_error(&error);

	/* poisoned for good */
	push_str(f, "QNG 50\r\n");
	next_error(f, MSN_PROTO_ERROR_POISONED);
	next_error(f, MSN_PROTO_ERROR_POISONED);
	g_assert_cmpuint(msn_framer_pending(f), ==, 0);
	g_string_free(bad, TRUE);
}

static void
test_max_payload(void)
{
	g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_NS, MSN_FROM_SERVER, 12);
	g_autofree char *line = g_strdup_printf("NOT %d\r\n", MSN_MAX_PAYLOAD);
	g_autofree guint8 *body = g_malloc0(MSN_MAX_PAYLOAD);
	MsnCommand *cmd;

	push_str(f, line);
	next_none(f);
	msn_framer_push(f, body, MSN_MAX_PAYLOAD - 1);
	next_none(f);
	msn_framer_push(f, body, 1);
	cmd = next_ok(f);
	g_assert_cmpuint(g_bytes_get_size(cmd->payload), ==, MSN_MAX_PAYLOAD);
	msn_command_free(cmd);
	next_none(f);
}

static void
test_payload_too_large(void)
{
	static const char *const lines[] = {
		"NOT 262145\r\n",
		"NOT 99999999999999999999999999\r\n",
		"MSG a b 262145\r\n",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(lines); i++) {
		g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_NS,
		                                        MSN_FROM_SERVER, 12);

		push_str(f, lines[i]);
		next_error(f, MSN_PROTO_ERROR_PAYLOAD_TOO_LARGE);
		next_error(f, MSN_PROTO_ERROR_POISONED);
	}
}

static void
test_bad_length(void)
{
	static const char *const lines[] = {
		"MSG a b x\r\n", "NOT -1\r\n", "NOT 1x\r\n", "UBX a@b 0x10\r\n",
		"ADL 0 ok\r\n",
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(lines); i++) {
		g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_NS,
		                                        MSN_FROM_SERVER, 13);
		GError *error = NULL;

		push_str(f, lines[i]);
		g_assert_null(msn_framer_next(f, &error));
		g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_BAD_LENGTH);
		g_assert_true(msn_proto_error_is_fatal(error));
		g_error_free(error);
		push_str(f, "QNG 5\r\n");
		next_error(f, MSN_PROTO_ERROR_POISONED);
	}
}

static void
test_too_many_params(void)
{
	GString *in = g_string_new("BYE");
	g_autofree char *log = NULL;
	int i;

	for (i = 0; i < 40; i++)
		g_string_append(in, " a");
	g_string_append(in, "\r\nMSG");
	for (i = 0; i < 40; i++)
		g_string_append(in, " a");
	/* a rejected payload command still has its payload skipped */
	g_string_append(in, " 5\r\nhelloBYE bob\r\n");
	log = feed(MSN_SERVICE_SB, MSN_FROM_SERVER, 12, in->str, in->len, 1, NULL,
	           NULL);
	g_assert_cmpstr(log, ==, "ERROR 7\nERROR 7\nBYE [bob]\n");
	g_string_free(in, TRUE);
}

static void
test_mismatch_keeps_sync(void)
{
	const char *in =
		"MSG Hotmail 5\r\nhello"              /* one param too few */
		"UBX a@b 3\r\nabc"                    /* UBX does not exist in MSNP10 */
		"ADL 0 2\r\nzz"                       /* neither does ADL */
		"GCF 9 Shields.xml 3\r\nxyz"          /* nor GCF */
		"XYZ 1 2 3\r\n"                       /* unknown: no payload assumed */
		"BLP 99999999999 AL\r\n"              /* TrID out of range */
		"ILN 5 NLN a@b\r\n"                   /* too few */
		"QNG 50\r\n";
	g_autofree char *log = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 10, in,
	                            strlen(in), 1, NULL, NULL);
	g_autofree char *log2 = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 10, in,
	                             strlen(in), 0, NULL, NULL);

	g_assert_cmpstr(log, ==,
	                "ERROR 7\n"   /* BAD_PARAMS */
	                "ERROR 5\n"   /* UNKNOWN_COMMAND */
	                "ERROR 5\n"
	                "ERROR 5\n"
	                "ERROR 5\n"
	                "ERROR 6\n"   /* BAD_TRID */
	                "ERROR 7\n"
	                "QNG [50]\n");
	g_assert_cmpstr(log, ==, log2);
}

static void
test_trid_range(void)
{
	const char *in =
		"VER 4294967295 MSNP12\r\n"
		"VER 4294967296 MSNP12\r\n"
		"VER 00000000000000000001 MSNP12\r\n"
		"VER x MSNP12\r\n"
		"VER\r\n";
	g_autofree char *log = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 12, in,
	                            strlen(in), 0, NULL, NULL);

	g_assert_cmpstr(log, ==,
	                "VER #4294967295 [MSNP12]\n"
	                "ERROR 6\n"
	                "VER #1 [MSNP12]\n"
	                "ERROR 6\n"
	                "ERROR 6\n");
}

static void
test_trid_if_numeric(void)
{
	const char *in =
		"GTC A\r\n"          /* inside SYN */
		"GTC 5 A\r\n"        /* reply */
		"GTC 5 12 A\r\n"     /* 8–9 reply with list version */
		"BLP BL\r\n"
		"BLP 0 AL\r\n"
		"PRP PHH 123%20456\r\n"
		"PRP 7 15 PHH 1\r\n"
		"PRP MFN\r\n"
		"BLP 4294967296 AL\r\n";
	g_autofree char *log = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 9, in,
	                            strlen(in), 1, NULL, NULL);

	g_assert_cmpstr(log, ==,
	                "GTC [A]\n"
	                "GTC #5 [A]\n"
	                "GTC #5 [12] [A]\n"
	                "BLP [BL]\n"
	                "BLP #0 [AL]\n"
	                "PRP [PHH] [123%20456]\n"
	                "PRP #7 [15] [PHH] [1]\n"
	                "PRP [MFN]\n"
	                "ERROR 6\n");
}

static void
test_version_switch(void)
{
	g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_NS, MSN_FROM_SERVER, 14);
	MsnCommand *cmd;

	g_assert_cmpuint(msn_framer_get_version(f), ==, 14);
	/* the 13 shape lacks the network id: too few for 14 */
	push_str(f, "FLN a@b\r\n");
	next_error(f, MSN_PROTO_ERROR_BAD_PARAMS);
	push_str(f, "FLN a@b 1 0\r\n");
	cmd = next_ok(f);
	g_assert_cmpuint(cmd->n_params, ==, 3);
	msn_command_free(cmd);

	msn_framer_set_version(f, 12);
	g_assert_cmpuint(msn_framer_get_version(f), ==, 12);
	push_str(f, "FLN a@b\r\nADL 0 3\r\nabcQNG 1\r\n");
	cmd = next_ok(f);
	g_assert_cmpuint(cmd->n_params, ==, 1);
	msn_command_free(cmd);
	next_error(f, MSN_PROTO_ERROR_UNKNOWN_COMMAND);
	cmd = next_ok(f);
	g_assert_cmpstr(cmd->name, ==, "QNG");
	msn_command_free(cmd);
}

static void
test_bad_names(void)
{
	const char *in =
		"usr 1 OK\r\n"
		"US 1\r\n"
		"USRX 1\r\n"
		"U$R 1\r\n"
		"12 1\r\n"
		"1234 1\r\n"
		"QNG\r\n";
	g_autofree char *log = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 12, in,
	                            strlen(in), 1, NULL, NULL);

	g_assert_cmpstr(log, ==,
	                "ERROR 5\nERROR 5\nERROR 5\nERROR 5\nERROR 5\nERROR 5\nQNG\n");
}

static void
test_nul_in_line(void)
{
	/* rejected, and a payload it announces is still skipped */
	static const char in[] = "QNG 5\0x\r\nMSG Hot\0mail Hotmail 3\r\nabcQNG 6\r\n";
	g_autofree char *log = feed(MSN_SERVICE_NS, MSN_FROM_SERVER, 12, in,
	                            sizeof(in) - 1, 1, NULL, NULL);

	g_assert_cmpstr(log, ==, "ERROR 7\nERROR 7\nQNG [6]\n");
}

static void
test_error_messages(void)
{
	g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_NS, MSN_FROM_CLIENT, 12);
	GString *longline = g_string_new("FOO 1 ");
	GError *error = NULL;
	int i;

	/* credentials in USR lines are never quoted */
	push_str(f, "USR 7 TWN S t=secretticket&p=secretprofile extra\r\n");
	g_assert_null(msn_framer_next(f, &error));
	g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_BAD_PARAMS);
	g_assert_null(strstr(error->message, "secret"));
	g_clear_error(&error);

	for (i = 0; i < 200; i++)
		g_string_append_c(longline, 'y');
	g_string_append(longline, "\x01\xff\r\n");
	msn_framer_push(f, (const guint8 *)longline->str, longline->len);
	g_assert_null(msn_framer_next(f, &error));
	g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_UNKNOWN_COMMAND);
	g_assert_true(g_utf8_validate(error->message, -1, NULL));
	g_assert_null(strstr(error->message, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"));
	g_clear_error(&error);
	g_string_free(longline, TRUE);
}

static void
test_client_direction(void)
{
	const char *in =
		"VER 1 MSNP14 MSNP13 MSNP12 MSNP11 MSNP10 MSNP9 MSNP8 CVR0\r\n"
		"CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 8.1.0178 msmsgs me@example.com\r\n"
		"USR 3 TWN I me@example.com\r\n"
		"QRY 4 PROD01065C%ZFN6F 32\r\n0123456789abcdef0123456789abcdef"
		"UUX 5 7\r\n<Data/>"
		"ADL 6 4\r\n<ml>"
		"PNG\r\n"
		"CHG 7 NLN 0\r\n"
		"OUT\r\n";
	g_autofree char *log = feed(MSN_SERVICE_NS, MSN_FROM_CLIENT, 14, in,
	                            strlen(in), 1, NULL, NULL);

	g_assert_cmpstr(log, ==,
	                "VER #1 [MSNP14] [MSNP13] [MSNP12] [MSNP11] [MSNP10] [MSNP9] [MSNP8] [CVR0]\n"
	                "CVR #2 [0x0409] [winnt] [5.1] [i386] [MSNMSGR] [8.1.0178] [msmsgs] [me@example.com]\n"
	                "USR #3 [TWN] [I] [me@example.com]\n"
	                "QRY #4 [PROD01065C%ZFN6F] [32] payload(32)=0123456789abcdef0123456789abcdef\n"
	                "UUX #5 [7] payload(7)=<Data/>\n"
	                "ADL #6 [4] payload(4)=<ml>\n"
	                "PNG\n"
	                "CHG #7 [NLN] [0]\n"
	                "OUT\n");
}

static void
test_sb_client(void)
{
	const char *in =
		"USR 1 me@example.com 1834509262.23415.1123\r\n"
		"CAL 2 bob@example.com\r\n"
		"MSG 3 A 5\r\nhello"
		"MSG 4 U 0\r\n"
		"ANS 1 me@example.com 99120315.3301.7 11752099\r\n"
		"MSG 5 A\r\n"       /* no length: too few */
		"OUT\r\n";
	g_autofree char *log = feed(MSN_SERVICE_SB, MSN_FROM_CLIENT, 12, in,
	                            strlen(in), 1, NULL, NULL);

	g_assert_cmpstr(log, ==,
	                "USR #1 [me@example.com] [1834509262.23415.1123]\n"
	                "CAL #2 [bob@example.com]\n"
	                "MSG #3 [A] [5] payload(5)=hello\n"
	                "MSG #4 [U] [0] payload(0)=\n"
	                "ANS #1 [me@example.com] [99120315.3301.7] [11752099]\n"
	                "ERROR 7\n"
	                "OUT\n");
}

static void
test_random_splits(void)
{
	const char *in =
		"MSG a b 10\r\n0123456789"
		"JOI bob@example.com Bob 1073741856\r\n"
		"IRO 1 1 2 bob@example.com Bob%20B. 1073741856\r\n"
		"\r\n"
		"MSG a 3\r\nxyz"
		"ACK 3\r\nNAK 4\r\nBYE bob@example.com 1\r\n"
		"282 5\r\n";
	g_autofree char *ref = feed(MSN_SERVICE_SB, MSN_FROM_SERVER, 12, in,
	                            strlen(in), 0, NULL, NULL);
	int round;

	for (round = 0; round < 200; round++) {
		g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_SB,
		                                        MSN_FROM_SERVER, 12);
		GString *log = g_string_new(NULL);
		gsize pos = 0, len = strlen(in);

		while (pos < len) {
			gsize n = (gsize)g_test_rand_int_range(1, 20);

			n = MIN(n, len - pos);
			msn_framer_push(f, (const guint8 *)in + pos, n);
			pos += n;
			for (;;) {
				GError *error = NULL;
				MsnCommand *cmd = msn_framer_next(f, &error);

				if (!cmd && !error)
					break;
				render(log, cmd, error);
				msn_command_free(cmd);
				g_clear_error(&error);
			}
		}
		g_assert_cmpstr(log->str, ==, ref);
		g_string_free(log, TRUE);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/framer/seeds/server-lines", test_seeds_server);
	g_test_add_func("/framer/seeds/client-lines", test_seeds_client);
	g_test_add_func("/framer/lf-and-crlf", test_lf_and_crlf);
	g_test_add_func("/framer/empty-tokens", test_empty_tokens);
	g_test_add_func("/framer/empty-line", test_empty_line);
	g_test_add_func("/framer/needs-more", test_needs_more);
	g_test_add_func("/framer/payload-opaque", test_payload_opaque);
	g_test_add_func("/framer/payload-rules", test_payload_rules);
	g_test_add_func("/framer/error-replies", test_error_replies);
	g_test_add_func("/framer/error-code-field", test_error_code_field);
	g_test_add_func("/framer/limits/max-line", test_max_line);
	g_test_add_func("/framer/limits/line-too-long", test_line_too_long);
	g_test_add_func("/framer/limits/max-payload", test_max_payload);
	g_test_add_func("/framer/limits/payload-too-large", test_payload_too_large);
	g_test_add_func("/framer/limits/bad-length", test_bad_length);
	g_test_add_func("/framer/limits/too-many-params", test_too_many_params);
	g_test_add_func("/framer/mismatch-keeps-sync", test_mismatch_keeps_sync);
	g_test_add_func("/framer/trid/range", test_trid_range);
	g_test_add_func("/framer/trid/if-numeric", test_trid_if_numeric);
	g_test_add_func("/framer/version-switch", test_version_switch);
	g_test_add_func("/framer/bad-names", test_bad_names);
	g_test_add_func("/framer/nul-in-line", test_nul_in_line);
	g_test_add_func("/framer/error-messages", test_error_messages);
	g_test_add_func("/framer/client-direction", test_client_direction);
	g_test_add_func("/framer/sb-client", test_sb_client);
	g_test_add_func("/framer/random-splits", test_random_splits);
	return g_test_run();
}
