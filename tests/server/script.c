/* msnp-testserver — scripted mode: play a transcript against one client.
 *
 * Script format (the seeds' format, tests/seeds/):
 *
 *   C: …        a command the client must send
 *   S: …        a command the server sends
 *   .. …        continues the line before it (joined with one space)
 *   payload     a payload command (by the schema in src/proto) is followed by
 *               its payload lines.  The byte count in the file is matched
 *               against the following lines with LF and with CRLF line ends
 *               (a fit counts where a blank line, a script line or the end
 *               follows); when nothing fits (payloads "exploded for
 *               visibility"), the payload runs to the next C:/S:/#! line.  Payloads are
 *               normalised to CRLF line ends; S: payloads are sent with the
 *               count recomputed.
 *   "Client disconnects" / "Server disconnects" anywhere in a line: the
 *               connection ends there; the events after it belong to a new
 *               connection from the client (on the NS listener).  After
 *               "Server disconnects" the server closes the connection; after
 *               "Client disconnects" the client is expected to close it (a new
 *               connection also counts; at the end of the script the server
 *               waits for the close, then stops).  A connection segment with
 *               no C: line cannot be played (MSNP servers never speak first)
 *               and is skipped: the seeds' "S: OUT" after "Client disconnects".
 *   any other line (prose, headings, blank) is ignored.
 *
 * Directives (for our own scripts; a line starting with "#!"):
 *
 *   #! allow CMD extra-params   the client may send more trailing parameters
 *                               than the script shows for CMD (the seeds show
 *                               "CHG 9 NLN" without the capabilities)
 *   #! allow CMD any-param N    parameter N of CMD (1 = first after the TrID)
 *                               may have any value
 *   #! allow CMD any-payload    the payload of CMD is not compared
 *   #! expect-close             the server waits for the client to close the
 *                               connection (strict: SCRIPT-TIMEOUT otherwise)
 *   #! sleep MS                 the server pauses MS milliseconds
 *   #! close                    the server closes the connection now
 *   "allow" directives apply to every later line of the script.
 *
 * Matching a client line: the command name and every token must match,
 * except what legitimately varies: the TrID (the client's actual TrID is
 * learnt and substituted into the S: lines that carry the script's TrID),
 * every CVR field but the last (the handle), ISO timestamps (any timestamp
 * or "0", a client without a cache), the ticket of "USR trid TWN S ticket",
 * tokens written "$(…)" (any non-empty token) and payload lengths.  Payloads
 * compare as XML with blank text between tags ignored (attribute order too),
 * or as text with CRLF/LF normalised.
 *
 * Server lines: "host:port" tokens are rewritten to this server's listeners
 * (XFR … SB and RNG → the SB listener, anything else → the NS listener) so
 * that the client reconnects to us on loopback.
 *
 * Results go to stderr: "SCRIPT-OK", or "SCRIPT-MISMATCH line N: expected «…»
 * got «…»", "SCRIPT-TIMEOUT line N: …", "SCRIPT-EOF line N: …" (exit 1).
 */
#include "testserver.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

typedef enum {
	EV_CLIENT,
	EV_SERVER,
	EV_CLIENT_DISCONNECTS,
	EV_SERVER_DISCONNECTS,
	EV_EXPECT_CLOSE,
	EV_SLEEP
} EventKind;

typedef struct {
	char *cmd;
	gboolean extra_params;
	guint64 any_params;      /* bit i: parameter i+1 */
	gboolean any_payload;
} AllowRule;

typedef struct {
	EventKind kind;
	guint line;              /* 1-based line in the script file */
	char *text;              /* the joined command line (without "C: ") */
	char **tokens;
	guint n_tokens;
	gboolean has_payload;
	GBytes *payload;         /* normalised to CRLF */
	guint version;           /* version in force (from the last S: VER) */
	guint sleep_ms;
	gboolean skip;           /* undeliverable server line */
	/* client lines: the allow rules in force */
	gboolean extra_params;
	guint64 any_params;
	gboolean any_payload;
} Event;

typedef enum {
	PLAY_RUNNING,
	PLAY_DONE_FLUSH,         /* success: flushing the last lines */
	PLAY_DONE_LINGER,        /* success: waiting for the client to leave */
	PLAY_FAILED
} PlayState;

struct _Script {
	Server *srv;
	char *path;
	GPtrArray *events;       /* Event* */
	guint pos;
	PlayState state;

	Conn *conn;              /* the connection the script talks on */
	Conn *leaving;           /* after "Client disconnects": should close */
	gboolean need_conn;      /* the next events are on a new connection */
	gboolean waiting_close;  /* at expect-close or the final client disconnect */
	gboolean strict_close;   /* expect-close: a timeout is a failure */
	GList *flushing;         /* retired connections still writing */
	GSource *timer;
	GHashTable *trids;       /* script TrID → client TrID (GUINT_TO_POINTER) */
	GRegex *iso_re;
	GRegex *hostport_re;
};

static void advance(Script *s);

/* ---- parsing ---------------------------------------------------------------- */

static void
event_free(gpointer p)
{
	Event *e = p;

	g_free(e->text);
	g_strfreev(e->tokens);
	if (e->payload)
		g_bytes_unref(e->payload);
	g_free(e);
}

static void
allow_rule_free(gpointer p)
{
	AllowRule *r = p;

	g_free(r->cmd);
	g_free(r);
}

static gboolean
is_number(const char *s)
{
	if (!s || !*s)
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isdigit(*s))
			return FALSE;
	return TRUE;
}

static char **
split_tokens(const char *text, guint *n)
{
	char **raw = g_strsplit(text, " ", -1);
	GPtrArray *out = g_ptr_array_new();
	char **p;

	for (p = raw; *p; p++)
		if (**p)
			g_ptr_array_add(out, g_strdup(*p));
	*n = out->len;
	g_ptr_array_add(out, NULL);
	g_strfreev(raw);
	return (char **) g_ptr_array_free(out, FALSE);
}

/* Whether tokens[1] is a TrID, by the schema. */
static gboolean
tokens_have_trid(const MsnCommandSchema *row, char **tokens, guint n)
{
	if (!row || n < 2)
		return FALSE;
	switch (row->trid) {
	case MSN_TRID_ALWAYS:
		return TRUE;
	case MSN_TRID_IF_NUMERIC:
		return is_number(tokens[1]);
	case MSN_TRID_NONE:
	default:
		return FALSE;
	}
}

/* Whether a command line (as tokens) is followed by a payload, by the schema. */
static gboolean
tokens_have_payload(MsnDirection dir, guint version, char **tokens, guint n)
{
	const MsnCommandSchema *row = msn_schema_lookup(tokens[0], MSN_SERVICE_NS, dir, version);
	guint first_param;

	if (!row || row->payload == MSN_PAYLOAD_NONE)
		return FALSE;
	first_param = tokens_have_trid(row, tokens, n) ? 2 : 1;
	if (n <= first_param || !is_number(tokens[n - 1]))
		return FALSE;
	if (row->payload == MSN_PAYLOAD_LAST_UNLESS_OK && strcmp(tokens[n - 1], "OK") == 0)
		return FALSE;
	return TRUE;
}

static gboolean
is_script_line(const char *l)
{
	return g_str_has_prefix(l, "C: ") || g_str_has_prefix(l, "S: ") ||
	       g_str_has_prefix(l, "#!") || strstr(l, "Client disconnects") ||
	       strstr(l, "Server disconnects");
}

/* Finds where the payload that follows line `start` ends.  Returns the number
 * of lines it covers and whether the last one has its line end included. */
static guint
payload_extent(char **lines, guint n_lines, guint start, gsize count, gboolean *final_newline)
{
	gsize lf = 0, crlf = 0;
	guint j;

	*final_newline = FALSE;
	if (count == 0)
		return 0;
	for (j = start; j < n_lines; j++) {
		gsize len = strlen(lines[j]);
		/* A count that fits counts only where the payload can end: before
		 * a blank line, a script line or the end of the file. */
		gboolean can_end = j + 1 >= n_lines || lines[j + 1][0] == '\0' ||
		                   is_script_line(lines[j + 1]);

		if (can_end && (lf + len == count || crlf + len == count))
			return j - start + 1;
		lf += len + 1;
		crlf += len + 2;
		if (can_end && (lf == count || crlf == count)) {
			*final_newline = TRUE;
			return j - start + 1;
		}
		if (lf > count && crlf > count)
			break;
	}
	/* No count fits: up to the next script line, without trailing blanks. */
	for (j = start; j < n_lines && !is_script_line(lines[j]); j++)
		;
	while (j > start && lines[j - 1][0] == '\0')
		j--;
	return j - start;
}

static gboolean
parse_directive(Script *s, const char *line, guint lineno, GPtrArray *rules,
                GError **error)
{
	guint n;
	char **w = split_tokens(line + 2, &n);
	gboolean ok = FALSE;

	if (n == 1 && strcmp(w[0], "expect-close") == 0) {
		Event *e = g_new0(Event, 1);

		e->kind = EV_EXPECT_CLOSE;
		e->line = lineno;
		e->text = g_strdup("the client to close the connection");
		g_ptr_array_add(s->events, e);
		ok = TRUE;
	} else if (n == 1 && strcmp(w[0], "close") == 0) {
		Event *e = g_new0(Event, 1);

		e->kind = EV_SERVER_DISCONNECTS;
		e->line = lineno;
		e->text = g_strdup("server closes the connection");
		g_ptr_array_add(s->events, e);
		ok = TRUE;
	} else if (n == 2 && strcmp(w[0], "sleep") == 0 && is_number(w[1])) {
		Event *e = g_new0(Event, 1);

		e->kind = EV_SLEEP;
		e->line = lineno;
		e->sleep_ms = (guint) g_ascii_strtoull(w[1], NULL, 10);
		e->text = g_strdup_printf("server sleeps %u ms", e->sleep_ms);
		g_ptr_array_add(s->events, e);
		ok = TRUE;
	} else if (n >= 3 && strcmp(w[0], "allow") == 0) {
		AllowRule *r = g_new0(AllowRule, 1);

		r->cmd = g_strdup(w[1]);
		if (n == 3 && strcmp(w[2], "extra-params") == 0) {
			r->extra_params = TRUE;
			ok = TRUE;
		} else if (n == 3 && strcmp(w[2], "any-payload") == 0) {
			r->any_payload = TRUE;
			ok = TRUE;
		} else if (n == 4 && strcmp(w[2], "any-param") == 0 && is_number(w[3])) {
			guint64 i = g_ascii_strtoull(w[3], NULL, 10);

			if (i >= 1 && i <= 64) {
				r->any_params = (guint64) 1 << (i - 1);
				ok = TRUE;
			}
		}
		if (ok)
			g_ptr_array_add(rules, r);
		else
			allow_rule_free(r);
	}
	if (!ok)
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		            "%s:%u: unknown directive: %s", s->path, lineno, line);
	g_strfreev(w);
	return ok;
}

static GBytes *
join_payload(char **lines, guint start, guint count, gboolean final_newline)
{
	GString *p = g_string_new(NULL);
	guint j;

	for (j = 0; j < count; j++) {
		if (j > 0)
			g_string_append(p, "\r\n");
		g_string_append(p, lines[start + j]);
	}
	if (count > 0 && final_newline)
		g_string_append(p, "\r\n");
	return g_string_free_to_bytes(p);
}

static gboolean
parse_script(Script *s, const char *contents, GError **error)
{
	char **lines = g_strsplit(contents, "\n", -1);
	guint n_lines = g_strv_length(lines);
	GPtrArray *rules = g_ptr_array_new_with_free_func(allow_rule_free);
	guint version = server_max_version(s->srv);
	guint i, k;
	gboolean ok = TRUE;

	for (i = 0; i < n_lines; i++) {
		gsize len = strlen(lines[i]);

		if (len && lines[i][len - 1] == '\r')
			lines[i][len - 1] = '\0';
	}

	for (i = 0; i < n_lines && ok; i++) {
		const char *l = lines[i];
		Event *e;
		GString *text;
		guint start = i;

		if (g_str_has_prefix(l, "#!")) {
			ok = parse_directive(s, l, i + 1, rules, error);
			continue;
		}
		if (!g_str_has_prefix(l, "C: ") && !g_str_has_prefix(l, "S: ")) {
			if (strstr(l, "Client disconnects") || strstr(l, "Server disconnects")) {
				e = g_new0(Event, 1);
				e->kind = strstr(l, "Client disconnects") ? EV_CLIENT_DISCONNECTS
				                                          : EV_SERVER_DISCONNECTS;
				e->line = i + 1;
				e->text = g_strdup(e->kind == EV_CLIENT_DISCONNECTS
				                   ? "the client to disconnect" : "server disconnects");
				g_ptr_array_add(s->events, e);
			}
			continue;
		}

		e = g_new0(Event, 1);
		e->kind = l[0] == 'C' ? EV_CLIENT : EV_SERVER;
		e->line = i + 1;
		text = g_string_new(l + 3);
		while (i + 1 < n_lines && g_str_has_prefix(lines[i + 1], ".. ")) {
			i++;
			g_string_append_c(text, ' ');
			g_string_append(text, lines[i] + 3);
		}
		e->text = g_strstrip(g_string_free(text, FALSE));
		e->tokens = split_tokens(e->text, &e->n_tokens);
		if (e->n_tokens == 0) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			            "%s:%u: empty command line", s->path, start + 1);
			event_free(e);
			ok = FALSE;
			break;
		}
		e->version = version;
		if (e->kind == EV_SERVER && strcmp(e->tokens[0], "VER") == 0 && e->n_tokens >= 3 &&
		    g_str_has_prefix(e->tokens[2], "MSNP")) {
			guint64 v = g_ascii_strtoull(e->tokens[2] + 4, NULL, 10);

			if (v >= MSN_VERSION_MIN && v <= MSN_VERSION_MAX)
				version = e->version = (guint) v;
		}
		if (e->kind == EV_CLIENT) {
			for (k = 0; k < rules->len; k++) {
				AllowRule *r = g_ptr_array_index(rules, k);

				if (strcmp(r->cmd, e->tokens[0]) == 0) {
					e->extra_params |= r->extra_params;
					e->any_params |= r->any_params;
					e->any_payload |= r->any_payload;
				}
			}
		}
		e->has_payload = tokens_have_payload(e->kind == EV_CLIENT ? MSN_FROM_CLIENT : MSN_FROM_SERVER,
		                                     e->version, e->tokens, e->n_tokens);
		if (e->has_payload) {
			gsize count = g_ascii_strtoull(e->tokens[e->n_tokens - 1], NULL, 10);
			gboolean nl;
			guint n = payload_extent(lines, n_lines, i + 1, count, &nl);

			e->payload = join_payload(lines, i + 1, n, nl);
			i += n;
		}
		g_ptr_array_add(s->events, e);
	}
	g_ptr_array_unref(rules);
	g_strfreev(lines);
	if (!ok)
		return FALSE;

	/* Segments (between disconnects) without a client line are skipped. */
	for (i = 0; i < s->events->len;) {
		guint j;
		gboolean has_client = FALSE;

		for (j = i; j < s->events->len; j++) {
			Event *e = g_ptr_array_index(s->events, j);

			if (e->kind == EV_CLIENT_DISCONNECTS || e->kind == EV_SERVER_DISCONNECTS)
				break;
			if (e->kind == EV_CLIENT)
				has_client = TRUE;
		}
		if (!has_client)
			for (k = i; k < j; k++) {
				Event *e = g_ptr_array_index(s->events, k);

				if (e->kind == EV_SERVER || e->kind == EV_SLEEP)
					e->skip = TRUE;
			}
		i = j + 1;
	}
	for (i = 0; i < s->events->len; i++)
		if (((Event *) g_ptr_array_index(s->events, i))->kind == EV_CLIENT)
			return TRUE;
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
	            "%s: no C: line: not a script", s->path);
	return FALSE;
}

Script *
script_load(Server *srv, const char *path, GError **error)
{
	Script *s = g_new0(Script, 1);
	char *contents = NULL;

	s->srv = srv;
	s->path = g_strdup(path);
	s->events = g_ptr_array_new_with_free_func(event_free);
	s->trids = g_hash_table_new(g_direct_hash, g_direct_equal);
	s->need_conn = TRUE;
	s->iso_re = g_regex_new("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?"
	                        "(Z|[+-][0-9]{2}:?[0-9]{2})?$", 0, 0, NULL);
	s->hostport_re = g_regex_new("^[A-Za-z0-9.-]+:[0-9]{1,5}$", 0, 0, NULL);
	if (!g_file_get_contents(path, &contents, NULL, error) ||
	    !parse_script(s, contents, error)) {
		g_free(contents);
		script_free(s);
		return NULL;
	}
	g_free(contents);
	return s;
}

/* ---- playing ---------------------------------------------------------------- */

static Event *
current(Script *s)
{
	return s->pos < s->events->len ? g_ptr_array_index(s->events, s->pos) : NULL;
}

static void
stop_timer(Script *s)
{
	if (s->timer) {
		g_source_destroy(s->timer);
		g_source_unref(s->timer);
		s->timer = NULL;
	}
}

/* Stops caring about a connection and closes it now. */
static void
detach(Conn *c)
{
	conn_set_handlers(c, NULL, NULL);
	conn_close(c);
}

/* Success is final once the script's connection and every connection still
 * writing its last lines are closed. */
static void
maybe_quit(Script *s)
{
	if ((s->state == PLAY_DONE_FLUSH || s->state == PLAY_DONE_LINGER) &&
	    !s->conn && !s->flushing)
		server_quit(s->srv, 0);
}

static void
retired_closed(Conn *c, gpointer data)
{
	Script *s = data;

	s->flushing = g_list_remove(s->flushing, c);
	maybe_quit(s);
}

static const ConnHandlers retired_handlers = {
	.on_close = retired_closed,
};

/* Stops caring about a connection; it closes once its output is written. */
static void
retire(Script *s, Conn *c)
{
	conn_set_handlers(c, &retired_handlers, s);
	s->flushing = g_list_prepend(s->flushing, c);
	conn_close_after_flush(c);
}

static char *
describe(const Event *e)
{
	switch (e->kind) {
	case EV_CLIENT:
		return g_strdup_printf("C: %s", e->text);
	case EV_SERVER:
		return g_strdup_printf("S: %s", e->text);
	default:
		return g_strdup(e->text);
	}
}

static void
fail(Script *s, const char *kind, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
fail(Script *s, const char *kind, const char *fmt, ...)
{
	Event *e = current(s);
	char *what, *exp;
	va_list ap;

	if (s->state == PLAY_FAILED)
		return;
	s->state = PLAY_FAILED;
	stop_timer(s);
	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	exp = e ? describe(e) : g_strdup("the end of the script");
	fprintf(stderr, "%s line %u: expected «%s» %s\n", kind, e ? e->line : 0, exp, what);
	server_logf(s->srv, "script", "-- %s line %u: expected «%s» %s", kind, e ? e->line : 0, exp, what);
	g_free(exp);
	g_free(what);
	server_quit(s->srv, 1);
}

static gboolean
on_timeout(gpointer p)
{
	Script *s = p;

	g_source_unref(s->timer);
	s->timer = NULL;
	if (s->waiting_close && !s->strict_close) {
		/* "Client disconnects" at the end: the server hangs up instead. */
		s->waiting_close = FALSE;
		if (s->conn)
			retire(s, s->conn);
		s->conn = NULL;
		s->need_conn = TRUE;
		s->pos++;
		advance(s);
		return G_SOURCE_REMOVE;
	}
	fail(s, "SCRIPT-TIMEOUT", "(nothing for %u ms)", s->srv->script_timeout_ms);
	return G_SOURCE_REMOVE;
}

static gboolean
on_sleep_done(gpointer p)
{
	Script *s = p;

	g_source_unref(s->timer);
	s->timer = NULL;
	s->pos++;
	advance(s);
	return G_SOURCE_REMOVE;
}

static void
start_timer(Script *s, guint ms)
{
	stop_timer(s);
	s->timer = g_timeout_source_new(ms);
	g_source_set_callback(s->timer, on_timeout, s, NULL);
	g_source_attach(s->timer, NULL);
}

static void
finish(Script *s)
{
	stop_timer(s);
	fprintf(stderr, "SCRIPT-OK\n");
	server_log(s->srv, "script", "--", "SCRIPT-OK");
	if (s->leaving) {
		retire(s, s->leaving);
		s->leaving = NULL;
	}
	if (s->conn && conn_is_open(s->conn)) {
		if (s->srv->script_linger) {
			s->state = PLAY_DONE_LINGER;
		} else {
			s->state = PLAY_DONE_FLUSH;
			conn_close_after_flush(s->conn);
		}
		return;
	}
	s->state = PLAY_DONE_FLUSH;
	maybe_quit(s);
}

/* The TrID position of a server line, by the schema (or a guess). */
static gboolean
server_line_has_trid(Script *s, const Event *e)
{
	const MsnCommandSchema *row;

	if (e->n_tokens < 2)
		return FALSE;
	row = msn_schema_lookup(e->tokens[0], MSN_SERVICE_NS, MSN_FROM_SERVER, e->version);
	if (row)
		return tokens_have_trid(row, e->tokens, e->n_tokens);
	return is_number(e->tokens[1]) &&
	       g_hash_table_contains(s->trids, GUINT_TO_POINTER(g_ascii_strtoull(e->tokens[1], NULL, 10)));
}

static void
send_server_line(Script *s, Event *e)
{
	GString *line = g_string_new(NULL);
	gboolean trid = server_line_has_trid(s, e);
	gboolean to_sb = strcmp(e->tokens[0], "RNG") == 0;
	guint i, last = e->has_payload ? e->n_tokens - 1 : e->n_tokens;

	for (i = 1; i < e->n_tokens; i++)
		if (strcmp(e->tokens[0], "XFR") == 0 && strcmp(e->tokens[i], "SB") == 0)
			to_sb = TRUE;
	for (i = 0; i < last; i++) {
		const char *t = e->tokens[i];
		char buf[32];

		if (i > 0)
			g_string_append_c(line, ' ');
		if (i == 1 && trid && is_number(t) && strcmp(t, "0") != 0) {
			gpointer actual;

			if (g_hash_table_lookup_extended(s->trids,
			                                 GUINT_TO_POINTER(g_ascii_strtoull(t, NULL, 10)),
			                                 NULL, &actual)) {
				g_snprintf(buf, sizeof buf, "%u", GPOINTER_TO_UINT(actual));
				t = buf;
			}
		} else if (i > 1 && g_regex_match(s->hostport_re, t, 0, NULL)) {
			g_snprintf(buf, sizeof buf, "127.0.0.1:%u",
			           to_sb ? s->srv->sb_port : s->srv->ns_port);
			t = buf;
		}
		g_string_append(line, t);
	}
	if (e->has_payload) {
		gsize n;
		const void *d = g_bytes_get_data(e->payload, &n);

		conn_send_payload(s->conn, line->str, d, n);
	} else {
		conn_send_line(s->conn, "%s", line->str);
	}
	if (strcmp(e->tokens[0], "VER") == 0 && e->n_tokens >= 3 && g_str_has_prefix(e->tokens[2], "MSNP"))
		conn_set_version(s->conn, e->version);
	g_string_free(line, TRUE);
}

/* Runs events until one needs the client. */
static void
advance(Script *s)
{
	Event *e;

	while (s->state == PLAY_RUNNING && (e = current(s))) {
		switch (e->kind) {
		case EV_SERVER:
			if (e->skip) {
				server_logf(s->srv, "script", "-- line %u skipped (the client has gone): S: %s",
				            e->line, e->text);
				s->pos++;
				continue;
			}
			if (s->need_conn || !s->conn) {
				start_timer(s, s->srv->script_timeout_ms);
				return;
			}
			send_server_line(s, e);
			s->pos++;
			continue;
		case EV_CLIENT:
			start_timer(s, s->srv->script_timeout_ms);
			return;
		case EV_SLEEP:
			if (e->skip || e->sleep_ms == 0) {
				s->pos++;
				continue;
			}
			stop_timer(s);
			s->timer = g_timeout_source_new(e->sleep_ms);
			g_source_set_callback(s->timer, on_sleep_done, s, NULL);
			g_source_attach(s->timer, NULL);
			return;
		case EV_SERVER_DISCONNECTS:
			if (s->conn)
				retire(s, s->conn);
			if (s->leaving)
				detach(s->leaving);
			s->conn = NULL;
			s->leaving = NULL;
			s->need_conn = TRUE;
			s->pos++;
			continue;
		case EV_CLIENT_DISCONNECTS:
			if (!s->conn || s->need_conn) {
				s->pos++;
				continue;
			}
			{
				guint j;
				gboolean last = TRUE;

				for (j = s->pos + 1; j < s->events->len; j++) {
					Event *f = g_ptr_array_index(s->events, j);

					if (f->kind == EV_CLIENT || f->kind == EV_EXPECT_CLOSE ||
					    (f->kind == EV_SERVER && !f->skip)) {
						last = FALSE;
						break;
					}
				}
				if (last) {
					s->waiting_close = TRUE;
					s->strict_close = FALSE;
					start_timer(s, s->srv->script_timeout_ms);
					return;
				}
			}
			if (s->leaving)
				detach(s->leaving);
			s->leaving = s->conn;
			s->conn = NULL;
			s->need_conn = TRUE;
			s->pos++;
			continue;
		case EV_EXPECT_CLOSE:
			if (!s->conn || s->need_conn) {
				s->pos++;
				continue;
			}
			s->waiting_close = TRUE;
			s->strict_close = TRUE;
			start_timer(s, s->srv->script_timeout_ms);
			return;
		}
	}
	if (s->state == PLAY_RUNNING)
		finish(s);
}

/* ---- comparing -------------------------------------------------------------- */

static gboolean
is_any_token(const char *t)
{
	return g_str_has_prefix(t, "$(") && t[strlen(t) - 1] == ')';
}

/* Strips an XML declaration and wraps the rest so fragments parse too. */
static xmlDocPtr
parse_fragment(const char *data, gsize len)
{
	GString *w = g_string_new("<msnp-testserver-root>");
	const char *p = data, *end = data + len;
	xmlDocPtr doc;

	while (p < end && g_ascii_isspace(*p))
		p++;
	if (end - p > 5 && strncmp(p, "<?xml", 5) == 0) {
		const char *q = g_strstr_len(p, end - p, "?>");

		if (q)
			p = q + 2;
	}
	g_string_append_len(w, p, end - p);
	g_string_append(w, "</msnp-testserver-root>");
	doc = w->len <= G_MAXINT
		? xmlReadMemory(w->str, (int) w->len, "payload.xml", NULL,
		                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
		: NULL;
	g_string_free(w, TRUE);
	return doc;
}

static gboolean
blank_text(xmlNodePtr n)
{
	return (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && xmlIsBlankNode(n);
}

static xmlNodePtr
next_significant(xmlNodePtr n)
{
	while (n && (blank_text(n) || n->type == XML_COMMENT_NODE))
		n = n->next;
	return n;
}

static gboolean
same_attributes(xmlNodePtr a, xmlNodePtr b)
{
	xmlAttrPtr x;
	guint na = 0, nb = 0;

	for (x = b->properties; x; x = x->next)
		nb++;
	for (x = a->properties; x; x = x->next) {
		xmlChar *va = xmlNodeGetContent((xmlNodePtr) x);
		xmlChar *vb = xmlGetNsProp(b, x->name, x->ns ? x->ns->href : NULL);
		gboolean eq = vb && xmlStrcmp(va, vb) == 0;

		xmlFree(va);
		xmlFree(vb);
		if (!eq)
			return FALSE;
		na++;
	}
	return na == nb;
}

static gboolean
same_nodes(xmlNodePtr a, xmlNodePtr b)
{
	a = next_significant(a);
	b = next_significant(b);
	while (a && b) {
		if (a->type != b->type)
			return FALSE;
		if (a->type == XML_ELEMENT_NODE) {
			if (xmlStrcmp(a->name, b->name) != 0 || !same_attributes(a, b) ||
			    !same_nodes(a->children, b->children))
				return FALSE;
		} else if (a->type == XML_TEXT_NODE || a->type == XML_CDATA_SECTION_NODE) {
			char *ta = g_strstrip(g_strdup((const char *) a->content));
			char *tb = g_strstrip(g_strdup((const char *) b->content));
			gboolean eq = strcmp(ta, tb) == 0;

			g_free(ta);
			g_free(tb);
			if (!eq)
				return FALSE;
		}
		a = next_significant(a->next);
		b = next_significant(b->next);
	}
	return a == NULL && b == NULL;
}

static char *
normalise_text(const char *data, gsize len)
{
	GString *s = g_string_sized_new(len);
	gsize i;

	for (i = 0; i < len; i++)
		if (!(data[i] == '\r' && i + 1 < len && data[i + 1] == '\n'))
			g_string_append_c(s, data[i]);
	return g_string_free(s, FALSE);
}

static gboolean
same_payload(GBytes *expected, GBytes *actual)
{
	gsize el, al;
	const char *ed = g_bytes_get_data(expected, &el);
	const char *ad = actual ? g_bytes_get_data(actual, &al) : "";
	xmlDocPtr ex, ac;
	gboolean same = FALSE, done = FALSE;
	char *et, *at;

	if (!actual)
		al = 0;
	ex = el ? parse_fragment(ed, el) : NULL;
	ac = (ex && al) ? parse_fragment(ad, al) : NULL;
	if (ex && ac) {
		same = same_nodes(xmlDocGetRootElement(ex), xmlDocGetRootElement(ac));
		done = TRUE;
	}
	if (ex)
		xmlFreeDoc(ex);
	if (ac)
		xmlFreeDoc(ac);
	if (done)
		return same;
	et = normalise_text(ed, el);
	at = normalise_text(ad, al);
	same = strcmp(et, at) == 0;
	g_free(et);
	g_free(at);
	return same;
}

static char *
payload_preview(GBytes *b)
{
	gsize n;
	const char *d;
	GString *s;
	gsize i;

	if (!b)
		return g_strdup("(none)");
	d = g_bytes_get_data(b, &n);
	s = g_string_new(NULL);
	for (i = 0; i < n && s->len < 160; i++) {
		if (d[i] == '\r')
			g_string_append(s, "\\r");
		else if (d[i] == '\n')
			g_string_append(s, "\\n");
		else
			g_string_append_c(s, d[i]);
	}
	if (i < n)
		g_string_append(s, "…");
	return g_string_free(s, FALSE);
}

/* Why a client command does not match the script's line, or NULL. */
static char *
mismatch(Script *s, Event *e, MsnCommand *cmd, guint *learnt_trid, gboolean *has_learnt)
{
	guint first = 1, n_exp, n_act, i;
	gboolean is_cvr = strcmp(cmd->name, "CVR") == 0;
	gboolean is_usr_twn_s = strcmp(cmd->name, "USR") == 0 && cmd->n_params >= 3 &&
	                        strcmp(cmd->params[0], "TWN") == 0 && strcmp(cmd->params[1], "S") == 0;

	*has_learnt = FALSE;
	if (strcmp(e->tokens[0], cmd->name) != 0)
		return g_strdup("a different command");
	if (cmd->has_trid) {
		if (e->n_tokens < 2)
			return g_strdup("a TrID the script does not show");
		if (is_number(e->tokens[1])) {
			*learnt_trid = (guint) g_ascii_strtoull(e->tokens[1], NULL, 10);
			*has_learnt = TRUE;
		} else if (!is_any_token(e->tokens[1])) {
			return g_strdup("a TrID where the script has none");
		}
		first = 2;
	}
	n_exp = e->n_tokens - first;
	n_act = cmd->n_params;
	if (e->has_payload && n_exp > 0)
		n_exp--;
	if (cmd->payload && n_act > 0)
		n_act--;
	if (n_act < n_exp)
		return g_strdup("fewer parameters");
	if (n_act > n_exp && !e->extra_params)
		return g_strdup("more parameters");
	for (i = 0; i < n_exp; i++) {
		const char *x = e->tokens[first + i];
		const char *a = cmd->params[i];

		if (strcmp(x, a) == 0 || is_any_token(x))
			continue;
		if (i < 64 && (e->any_params & ((guint64) 1 << i)))
			continue;
		if (is_cvr && i + 1 < n_exp)
			continue;
		if (is_usr_twn_s && i == 2)
			continue;
		if (g_regex_match(s->iso_re, x, 0, NULL) &&
		    (strcmp(a, "0") == 0 || g_regex_match(s->iso_re, a, 0, NULL)))
			continue;
		return g_strdup_printf("parameter %u differs", i + 1);
	}
	if (e->has_payload && !e->any_payload) {
		if (!cmd->payload)
			return g_strdup("no payload");
		if (!same_payload(e->payload, cmd->payload)) {
			char *x = payload_preview(e->payload), *a = payload_preview(cmd->payload);
			char *why = g_strdup_printf("payload differs: expected «%s» got «%s»", x, a);

			g_free(x);
			g_free(a);
			return why;
		}
	}
	return NULL;
}

/* ---- connection events ---------------------------------------------------------- */

static void
on_command(Conn *conn, MsnCommand *cmd, gpointer data)
{
	Script *s = data;
	Event *e = current(s);
	char *got, *why;
	guint trid = 0;
	gboolean learnt;

	if (s->state == PLAY_DONE_LINGER || s->state == PLAY_DONE_FLUSH) {
		server_logf(s->srv, "script", "-- after the script: %s (no reply)", cmd->name);
		return;
	}
	if (s->state != PLAY_RUNNING)
		return;
	got = conn_command_to_line(cmd);
	if (conn == s->leaving) {
		fail(s, "SCRIPT-MISMATCH", "got «C: %s» on the connection the client should have closed", got);
	} else if (conn != s->conn) {
		fail(s, "SCRIPT-MISMATCH", "got «C: %s» on an unexpected connection", got);
	} else if (!e || e->kind != EV_CLIENT) {
		fail(s, "SCRIPT-MISMATCH", "got «C: %s»", got);
	} else if ((why = mismatch(s, e, cmd, &trid, &learnt))) {
		fail(s, "SCRIPT-MISMATCH", "got «C: %s» (%s)", got, why);
		g_free(why);
	} else {
		if (learnt && cmd->has_trid)
			g_hash_table_insert(s->trids, GUINT_TO_POINTER(trid), GUINT_TO_POINTER(cmd->trid));
		stop_timer(s);
		s->pos++;
		advance(s);
	}
	g_free(got);
}

static void
on_reject(Conn *conn, const GError *error, gpointer data)
{
	Script *s = data;

	if (s->state != PLAY_RUNNING)
		return;
	fail(s, "SCRIPT-MISMATCH", "got a line the framer rejects (%s)", error->message);
}

static void
on_close(Conn *conn, gpointer data)
{
	Script *s = data;

	if (conn == s->leaving) {
		s->leaving = NULL;
		return;
	}
	if (conn != s->conn)
		return;
	s->conn = NULL;
	s->need_conn = TRUE;
	if (s->state == PLAY_DONE_FLUSH || s->state == PLAY_DONE_LINGER) {
		maybe_quit(s);
	} else if (s->state == PLAY_RUNNING) {
		if (s->waiting_close) {
			s->waiting_close = FALSE;
			stop_timer(s);
			s->pos++;
			advance(s);
		} else {
			fail(s, "SCRIPT-EOF", "but the client closed the connection");
		}
	}
}

static const ConnHandlers script_handlers = {
	.on_command = on_command,
	.on_reject = on_reject,
	.on_close = on_close,
};

void
script_accept(Script *s, GSocketConnection *sc)
{
	Conn *c = conn_new(s->srv, sc, MSN_SERVICE_NS, "ns", server_max_version(s->srv),
	                   &script_handlers, s);

	conn_set_reply_delay(c, s->srv->reply_delay_ms);
	if (s->state != PLAY_RUNNING) {
		server_log(s->srv, conn_label(c), "--", "the script is over: closing");
		detach(c);
		return;
	}
	if (s->waiting_close && s->conn) {
		/* The client closed and came back before the close was seen. */
		detach(s->conn);
		s->conn = NULL;
		s->need_conn = TRUE;
		s->waiting_close = FALSE;
		stop_timer(s);
		s->pos++;
		advance(s);
		if (s->state != PLAY_RUNNING) {
			detach(c);
			return;
		}
	} else if (!s->need_conn && s->conn) {
		fail(s, "SCRIPT-MISMATCH", "got «a new connection» while the current one is open");
		detach(c);
		return;
	}
	if (s->leaving) {
		/* The client moved on: its old connection is done. */
		detach(s->leaving);
		s->leaving = NULL;
	}
	s->conn = c;
	s->need_conn = FALSE;
	stop_timer(s);
	advance(s);
}

void
script_start(Script *s)
{
	s->state = PLAY_RUNNING;
	advance(s);
}

void
script_free(Script *s)
{
	stop_timer(s);
	if (s->conn)
		detach(s->conn);
	if (s->leaving)
		detach(s->leaving);
	while (s->flushing) {
		detach(s->flushing->data);
		s->flushing = g_list_delete_link(s->flushing, s->flushing);
	}
	g_ptr_array_unref(s->events);
	g_hash_table_unref(s->trids);
	if (s->iso_re)
		g_regex_unref(s->iso_re);
	if (s->hostport_re)
		g_regex_unref(s->hostport_re);
	g_free(s->path);
	g_free(s);
}
