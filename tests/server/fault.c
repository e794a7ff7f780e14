/* msnp-testserver — fault injection: --fault specs, --push lines and the
 * control channel on standard input.
 *
 * A fault is STEP:ACTION[/N]: when an NS connection reaches STEP (a client
 * command, or CONNECT right after accept), ACTION replaces or precedes the
 * normal handling, at most N times over the server's life (every time without
 * /N).  ns.c asks fault_next() at each step and carries the action out.
 */
#include "testserver.h"

#include <string.h>

void
fault_free(gpointer p)
{
	Fault *f = p;

	g_free(f->spec);
	g_free(f->step);
	g_free(f);
}

static gboolean
parse_uint(const char *s, guint max, guint *out)
{
	guint64 v;
	char *end = NULL;

	if (!g_ascii_isdigit(*s))
		return FALSE;
	v = g_ascii_strtoull(s, &end, 10);
	if (*end || v > max)
		return FALSE;
	*out = (guint) v;
	return TRUE;
}

static gboolean
valid_step(const char *step)
{
	if (strcmp(step, "CONNECT") == 0 || strcmp(step, "USR-I") == 0 ||
	    strcmp(step, "USR-S") == 0 || strcmp(step, "LIST") == 0)
		return TRUE;
	/* Any command name: three upper-case letters or digits. */
	return strlen(step) == 3 && g_ascii_isalnum(step[0]) && g_ascii_isalnum(step[1]) &&
	       g_ascii_isalnum(step[2]);
}

Fault *
fault_parse(const char *spec, GError **error)
{
	Fault *f = g_new0(Fault, 1);
	char *copy = g_strdup(spec);
	char *slash = strrchr(copy, '/');
	char **parts = NULL;
	guint n, times;

	f->spec = g_strdup(spec);
	f->remaining = -1;
	f->close = -1;
	if (slash) {
		if (!parse_uint(slash + 1, G_MAXINT, &times) || times == 0)
			goto bad;
		f->remaining = (int) times;
		*slash = '\0';
	}
	parts = g_strsplit(copy, ":", -1);
	n = g_strv_length(parts);
	if (n < 2)
		goto bad;
	f->step = g_ascii_strup(parts[0], -1);
	if (!valid_step(f->step))
		goto bad;
	if (strcmp(parts[1], "drop") == 0 && n == 2)
		f->action = FAULT_DROP;
	else if (strcmp(parts[1], "silent") == 0 && n == 2)
		f->action = FAULT_SILENT;
	else if (strcmp(parts[1], "hang") == 0 && n == 2)
		f->action = FAULT_HANG;
	else if (strcmp(parts[1], "garbage") == 0 && n == 2)
		f->action = FAULT_GARBAGE;
	else if (strcmp(parts[1], "junk") == 0 && n == 2)
		f->action = FAULT_JUNK;
	else if (strcmp(parts[1], "binary") == 0 && n == 2)
		f->action = FAULT_BINARY;
	else if (strcmp(parts[1], "delay") == 0 && n == 3 &&
	         parse_uint(parts[2], 3600 * 1000, &f->arg))
		f->action = FAULT_DELAY;
	else if (strcmp(parts[1], "error") == 0 && (n == 3 || n == 4) &&
	         parse_uint(parts[2], 999, &f->arg) && f->arg >= 100) {
		f->action = FAULT_ERROR;
		if (n == 4) {
			if (strcmp(parts[3], "close") == 0)
				f->close = 1;
			else if (strcmp(parts[3], "keep") == 0)
				f->close = 0;
			else
				goto bad;
		}
	} else
		goto bad;
	if (strcmp(f->step, "CONNECT") == 0 && f->action == FAULT_SILENT)
		f->action = FAULT_HANG;   /* nothing to leave unanswered but everything */
	g_strfreev(parts);
	g_free(copy);
	return f;

bad:
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
	            "--fault: expected STEP:ACTION[/N] with STEP CONNECT, USR-I, USR-S, LIST or a "
	            "command name and ACTION drop, silent, hang, error:NNN[:close|:keep], "
	            "garbage, junk, binary or delay:MS; got %s", spec);
	g_strfreev(parts);
	g_free(copy);
	fault_free(f);
	return NULL;
}

Fault *
fault_next(Server *srv, const char *step, guint *index)
{
	if (!srv->faults)
		return NULL;
	for (; *index < srv->faults->len; (*index)++) {
		Fault *f = g_ptr_array_index(srv->faults, *index);

		if (f->remaining == 0 || strcmp(f->step, step) != 0)
			continue;
		if (f->remaining > 0)
			f->remaining--;
		(*index)++;
		return f;
	}
	return NULL;
}

gboolean
fault_error_closes(const Fault *f)
{
	if (f->close >= 0)
		return f->close == 1;
	/* Escargot closes after these (commands.md): a bad login, an internal
	 * error, a second VER, a bad ADL/RML payload. */
	switch (f->arg) {
	case 911:
	case 500:
	case 240:
	case 241:
		return TRUE;
	case 715:
		return strcmp(f->step, "VER") == 0;
	default:
		return FALSE;
	}
}

/* ---- --push lines ---------------------------------------------------------- */

static gboolean
unescape(const char *s, gsize len, GString *out, GError **error)
{
	const char *end = s + len;

	while (s < end) {
		int hi, lo;

		if (*s != '\\') {
			g_string_append_c(out, *s++);
			continue;
		}
		if (s + 1 >= end)
			goto bad;
		switch (s[1]) {
		case 'r': g_string_append_c(out, '\r'); s += 2; break;
		case 'n': g_string_append_c(out, '\n'); s += 2; break;
		case 't': g_string_append_c(out, '\t'); s += 2; break;
		case '\\': g_string_append_c(out, '\\'); s += 2; break;
		case 'x':
			if (s + 3 >= end || (hi = g_ascii_xdigit_value(s[2])) < 0 ||
			    (lo = g_ascii_xdigit_value(s[3])) < 0)
				goto bad;
			g_string_append_c(out, (char) (hi * 16 + lo));
			s += 4;
			break;
		default:
			goto bad;
		}
	}
	return TRUE;
bad:
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
	            "bad escape in push line (use \\r \\n \\t \\\\ \\xHH)");
	return FALSE;
}

GBytes *
push_encode(const char *line, GError **error)
{
	GString *out = g_string_new(NULL);
	const char *len_at = strstr(line, "{len}|");

	if (!len_at) {
		if (!unescape(line, strlen(line), out, error))
			goto fail;
		g_string_append(out, "\r\n");
	} else {
		GString *head = g_string_new(NULL);
		GString *payload = g_string_new(NULL);
		const char *after = len_at + strlen("{len}|");
		gboolean ok = unescape(line, (gsize) (len_at - line), head, error) &&
		              unescape(after, strlen(after), payload, error);

		if (ok) {
			g_string_append_len(out, head->str, (gssize) head->len);
			g_string_append_printf(out, "%" G_GSIZE_FORMAT "\r\n", payload->len);
			g_string_append_len(out, payload->str, (gssize) payload->len);
		}
		g_string_free(head, TRUE);
		g_string_free(payload, TRUE);
		if (!ok)
			goto fail;
	}
	return g_string_free_to_bytes(out);
fail:
	g_string_free(out, TRUE);
	return NULL;
}

/* ---- the control channel ------------------------------------------------------ */

static void
control_run(Server *srv, char *line)
{
	gsize n = strlen(line);
	char *result = NULL;

	if (n && line[n - 1] == '\r')
		line[n - 1] = '\0';
	if (!*line)
		return;
	server_logf(srv, "server", "-- control: %s", line);
	if (g_str_has_prefix(line, "push ")) {
		char *email = line + 5;
		char *sp = strchr(email, ' ');

		if (!sp || sp == email || !sp[1]) {
			result = g_strdup("usage: push EMAIL LINE");
		} else {
			*sp = '\0';
			result = ns_control_push(srv, email, sp + 1);
		}
	} else if (g_str_has_prefix(line, "drop ")) {
		result = ns_control_drop(srv, g_strstrip(line + 5));
	} else if (strcmp(line, "kill-ns") == 0) {
		result = ns_control_kill(srv);
	} else if (g_str_has_prefix(line, "add-contact ")) {
		result = roster_control_change(srv, TRUE, g_strstrip(line + strlen("add-contact ")));
	} else if (g_str_has_prefix(line, "remove-contact ")) {
		result = roster_control_change(srv, FALSE, g_strstrip(line + strlen("remove-contact ")));
	} else if (g_str_has_prefix(line, "dump ")) {
		result = roster_control_dump(srv, g_strstrip(line + strlen("dump ")));
	} else if (g_str_has_prefix(line, "status ")) {
		result = presence_control_status(srv, g_strstrip(line + strlen("status ")));
	} else if (g_str_has_prefix(line, "sb-push ")) {
		char *email = line + strlen("sb-push ");
		char *sp = strchr(email, ' ');

		if (!sp || sp == email || !sp[1]) {
			result = g_strdup("usage: sb-push EMAIL LINE");
		} else {
			*sp = '\0';
			result = sb_control_push(srv, email, sp + 1);
		}
	} else if (g_str_has_prefix(line, "sb-bye ")) {
		result = sb_control_bye(srv, g_strstrip(line + strlen("sb-bye ")));
	} else if (g_str_has_prefix(line, "sb-nak ")) {
		result = sb_control_nak(srv, g_strstrip(line + strlen("sb-nak ")));
	} else if (strcmp(line, "ns2-fail on") == 0 || strcmp(line, "ns2-fail off") == 0) {
		srv->ns2_fail = strcmp(line, "ns2-fail on") == 0;
		result = g_strdup_printf("the second NS %s", srv->ns2_fail
		                         ? "now closes every connection at once" : "works again");
	} else {
		result = g_strdup("unknown command (push EMAIL LINE, drop EMAIL, kill-ns, "
		                  "ns2-fail on|off, add-contact OWNER HANDLE LISTS [FRIENDLY], "
		                  "remove-contact OWNER HANDLE LISTS, dump EMAIL, status HANDLE CODE "
		                  "[FRIENDLY], sb-bye EMAIL [1], sb-nak EMAIL on|off|N, "
		                  "sb-push EMAIL LINE)");
	}
	server_logf(srv, "server", "-- control: %s", result);
	g_free(result);
}

void
control_feed(Server *srv, const char *data, gsize len)
{
	char *nl;

	if (!srv->control_buf)
		srv->control_buf = g_string_new(NULL);
	g_string_append_len(srv->control_buf, data, (gssize) len);
	while ((nl = memchr(srv->control_buf->str, '\n', srv->control_buf->len)) != NULL) {
		gsize n = (gsize) (nl - srv->control_buf->str);
		char *line = g_strndup(srv->control_buf->str, n);

		g_string_erase(srv->control_buf, 0, (gssize) n + 1);
		control_run(srv, line);
		g_free(line);
	}
	if (srv->control_buf->len > 1024 * 1024) {
		server_log(srv, "server", "--", "control: line over 1 MiB dropped");
		g_string_truncate(srv->control_buf, 0);
	}
}

void
control_flush(Server *srv)
{
	if (srv->control_buf && srv->control_buf->len > 0) {
		char *line = g_strndup(srv->control_buf->str, srv->control_buf->len);

		g_string_truncate(srv->control_buf, 0);
		control_run(srv, line);
		g_free(line);
	}
}
