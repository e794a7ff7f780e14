/* purple-msnp — MSNP command framing, schema validation and building.
 *
 * The reader works in two layers:
 *
 *   msn_command_parse_line()  one line -> a validated MsnCommand (no payload)
 *   MsnFramer                 bytes in any split -> lines -> commands with payloads
 *
 * Every incoming line is checked against the schema table (schema.c) before a
 * command is handed out, so a handler may index params[0 .. min_params-1]
 * without checking.  A rejected line is consumed together with its payload
 * when the payload length can be read, so the stream stays in sync; only a
 * line that cannot be framed (too long, unreadable or oversized length on a
 * payload command) poisons the framer.
 */
#include "proto/command.h"
#include "proto/schema-private.h"

#include <string.h>

/* name + TrID + parameters */
#define MAX_TOKENS (2 + MSN_MAX_PARAMS)
#define QUOTE_MAX  64

GQuark
msn_proto_error_quark(void)
{
	return g_quark_from_static_string("msn-proto-error-quark");
}

gboolean
msn_proto_error_is_fatal(const GError *error)
{
	if (error == NULL || error->domain != MSN_PROTO_ERROR)
		return FALSE;
	switch (error->code) {
	case MSN_PROTO_ERROR_LINE_TOO_LONG:
	case MSN_PROTO_ERROR_PAYLOAD_TOO_LARGE:
	case MSN_PROTO_ERROR_BAD_LENGTH:
	case MSN_PROTO_ERROR_POISONED:
		return TRUE;
	default:
		return FALSE;
	}
}

void
msn_command_free(MsnCommand *cmd)
{
	if (cmd == NULL)
		return;
	g_strfreev(cmd->params);
	if (cmd->payload)
		g_bytes_unref(cmd->payload);
	g_free(cmd);
}

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
	const char *p;
	gsize len;
} Token;

static gboolean
tok_is_digits(const Token *t)
{
	gsize i;

	if (t->len == 0)
		return FALSE;
	for (i = 0; i < t->len; i++)
		if (!g_ascii_isdigit(t->p[i]))
			return FALSE;
	return TRUE;
}

static gboolean
tok_equals(const Token *t, const char *s)
{
	gsize n = strlen(s);

	return t->len == n && memcmp(t->p, s, n) == 0;
}

/* Parses an all-digit token; values above limit (or overflowing) give
 * *too_big.  Returns FALSE when the token is not all digits. */
static gboolean
tok_to_uint(const Token *t, guint64 limit, guint64 *out, gboolean *too_big)
{
	guint64 v = 0;
	gsize i;

	*too_big = FALSE;
	if (!tok_is_digits(t))
		return FALSE;
	for (i = 0; i < t->len; i++) {
		v = v * 10 + (guint64)(t->p[i] - '0');
		if (v > limit) {
			*too_big = TRUE;
			*out = 0;
			return TRUE;
		}
	}
	*out = v;
	return TRUE;
}

/* A printable, bounded rendering of the start of a line for error messages.
 * Lines that can carry credentials (USR tickets, SB cookies) show only their
 * command name. */
static char *
quote_line(const char *line, gsize len)
{
	GString *s = g_string_new(NULL);
	gsize i, n = MIN(len, (gsize)QUOTE_MAX);

	if (len >= 3 && (memcmp(line, "USR", 3) == 0 || memcmp(line, "ANS", 3) == 0) &&
	    (len == 3 || line[3] == ' ')) {
		g_string_append_len(s, line, 3);
		if (len > 3)
			g_string_append(s, " [parameters hidden]");
		return g_string_free(s, FALSE);
	}
	for (i = 0; i < n; i++) {
		guchar c = (guchar)line[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			g_string_append_c(s, (char)c);
		else
			g_string_append_printf(s, "\\x%02x", c);
	}
	if (len > n)
		g_string_append(s, "...");
	return g_string_free(s, FALSE);
}

static void
set_error(GError **error, MsnProtoError code, const char *line, gsize len,
          const char *what)
{
	char *q;

	if (error == NULL)
		return;
	q = quote_line(line, len);
	g_set_error(error, MSN_PROTO_ERROR, code, "%s: \"%s\"", what, q);
	g_free(q);
}

static const char *
service_name(MsnService service)
{
	return service == MSN_SERVICE_SB ? "SB" : "NS";
}

/* ---- line parser -------------------------------------------------------- */

/* Outcome of looking at the length token of a line, used both for valid
 * commands and for skipping the payload of rejected ones. */
typedef enum {
	LEN_NONE,      /* the line carries no payload */
	LEN_OK,        /* *len holds the payload size */
	LEN_BAD,       /* the length token is not a number */
	LEN_TOO_LARGE  /* above MSN_MAX_PAYLOAD */
} LenResult;

static LenResult
payload_length(const MsnCommandSchema *row, const Token *params, guint n_params,
               gsize *len)
{
	const Token *last;
	guint64 v = 0;
	gboolean too_big;

	*len = 0;
	if (row == NULL || row->payload == MSN_PAYLOAD_NONE || n_params == 0)
		return LEN_NONE;
	last = &params[n_params - 1];
	if (row->payload == MSN_PAYLOAD_LAST_UNLESS_OK && tok_equals(last, "OK"))
		return LEN_NONE;
	if (!tok_to_uint(last, MSN_MAX_PAYLOAD, &v, &too_big))
		return LEN_BAD;
	if (too_big)
		return LEN_TOO_LARGE;
	*len = (gsize)v;
	return LEN_OK;
}

/* For a rejected line: how many payload bytes to skip to stay in sync.
 * Returns FALSE (fatal) only when the announced payload is over the limit. */
static gboolean
skip_length(const MsnCommandSchema *row, const Token *toks, guint n_tok,
            gsize *skip)
{
	guint first = 1;
	const Token *params;
	guint n_params;
	gsize len = 0;

	*skip = 0;
	if (row == NULL || row->payload == MSN_PAYLOAD_NONE)
		return TRUE;
	/* Only look at a token that sits where a parameter would be: never
	 * mistake a lone TrID for a length. */
	if (row->trid == MSN_TRID_ALWAYS)
		first = 2;
	if (n_tok <= first)
		return TRUE;
	params = &toks[first];
	n_params = n_tok - first;
	switch (payload_length(row, params, n_params, &len)) {
	case LEN_OK:
		*skip = len;
		return TRUE;
	case LEN_TOO_LARGE:
		return FALSE;
	default:
		return TRUE;
	}
}

/* The work behind msn_command_parse_line; *has_payload tells the framer
 * whether a (possibly empty) payload follows. */
static MsnCommand *
parse_line(const char *line, gsize len, MsnService service, MsnDirection dir,
           guint version, gsize *payload_len, gboolean *has_payload,
           GError **error)
{
	Token toks[MAX_TOKENS + 1];
	guint n_tok = 0;       /* tokens stored (the last one always kept) */
	guint n_seen = 0;      /* tokens in the line */
	gboolean overflow = FALSE;
	gboolean has_nul;
	gsize i = 0;
	char name[4];
	guint error_code = 0;
	const MsnCommandSchema *row;
	const MsnCommandForm *form = NULL;
	gboolean has_trid = FALSE;
	guint64 trid = 0;
	guint first_param;
	guint n_params;
	gsize plen = 0;
	gsize skip = 0;
	MsnCommand *cmd;
	guint k;

	*payload_len = 0;
	*has_payload = FALSE;

	while (len > 0 && line[len - 1] == '\r')
		len--;

	has_nul = memchr(line, '\0', len) != NULL;

	/* Tokenize on single spaces, dropping empty tokens.  Past MAX_TOKENS
	 * the last slot keeps being overwritten so the final token (a possible
	 * payload length) is still known. */
	while (i < len) {
		gsize start;

		while (i < len && line[i] == ' ')
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && line[i] != ' ')
			i++;
		if (n_tok < MAX_TOKENS + 1) {
			toks[n_tok].p = line + start;
			toks[n_tok].len = i - start;
			n_tok++;
		} else {
			toks[MAX_TOKENS].p = line + start;
			toks[MAX_TOKENS].len = i - start;
			overflow = TRUE;
		}
		n_seen++;
	}

	if (n_seen == 0) {
		if (error)
			g_set_error_literal(error, MSN_PROTO_ERROR,
			                    MSN_PROTO_ERROR_EMPTY_LINE,
			                    "Empty command line");
		return NULL;
	}

	/* The command name: three capital letters or a three-digit code. */
	if (toks[0].len != 3) {
		set_error(error, MSN_PROTO_ERROR_UNKNOWN_COMMAND, line, len,
		          "Not a command name");
		return NULL;
	}
	memcpy(name, toks[0].p, 3);
	name[3] = '\0';
	if (g_ascii_isdigit(name[0]) && g_ascii_isdigit(name[1]) &&
	    g_ascii_isdigit(name[2])) {
		error_code = (guint)((name[0] - '0') * 100 + (name[1] - '0') * 10 +
		                     (name[2] - '0'));
		if (error_code < 100) {
			set_error(error, MSN_PROTO_ERROR_UNKNOWN_COMMAND, line, len,
			          "Not a command name");
			return NULL;
		}
	} else if (!(g_ascii_isupper(name[0]) && g_ascii_isupper(name[1]) &&
	             g_ascii_isupper(name[2]))) {
		set_error(error, MSN_PROTO_ERROR_UNKNOWN_COMMAND, line, len,
		          "Not a command name");
		return NULL;
	}

	row = msn_schema_lookup(name, service, dir, version);
	if (row == NULL) {
		const MsnCommandSchema *any =
			msn_schema_lookup_any_version(name, service, dir);

		if (!skip_length(any, toks, n_tok, &skip)) {
			set_error(error, MSN_PROTO_ERROR_PAYLOAD_TOO_LARGE, line, len,
			          "Payload length over the limit");
			return NULL;
		}
		*payload_len = skip;
		if (error) {
			char *q = quote_line(line, len);

			g_set_error(error, MSN_PROTO_ERROR,
			            MSN_PROTO_ERROR_UNKNOWN_COMMAND,
			            "Unknown command for %s %s in MSNP%u: \"%s\"",
			            service_name(service),
			            dir == MSN_FROM_CLIENT ? "from client" : "from server",
			            version, q);
			g_free(q);
		}
		return NULL;
	}

	/* TrID */
	first_param = 1;
	if (row->trid != MSN_TRID_NONE && n_tok >= 2 && tok_is_digits(&toks[1])) {
		gboolean too_big;

		tok_to_uint(&toks[1], G_MAXUINT32, &trid, &too_big);
		if (too_big) {
			if (!skip_length(row, toks, n_tok, &skip)) {
				set_error(error, MSN_PROTO_ERROR_PAYLOAD_TOO_LARGE, line,
				          len, "Payload length over the limit");
				return NULL;
			}
			*payload_len = skip;
			set_error(error, MSN_PROTO_ERROR_BAD_TRID, line, len,
			          "Transaction ID out of range");
			return NULL;
		}
		has_trid = TRUE;
		first_param = 2;
	} else if (row->trid == MSN_TRID_ALWAYS) {
		if (!skip_length(row, toks, n_tok, &skip)) {
			set_error(error, MSN_PROTO_ERROR_PAYLOAD_TOO_LARGE, line, len,
			          "Payload length over the limit");
			return NULL;
		}
		*payload_len = skip;
		set_error(error, MSN_PROTO_ERROR_BAD_TRID, line, len,
		          "Missing or malformed transaction ID");
		return NULL;
	}

	/* Parameter count */
	n_params = n_seen - first_param;
	if (n_params > 0 && n_params <= MSN_MAX_PARAMS && toks[first_param].len < 16) {
		char first[16];

		memcpy(first, toks[first_param].p, toks[first_param].len);
		first[toks[first_param].len] = '\0';
		form = msn_schema_lookup_form(row, first, version);
	}
	if (has_nul || overflow || n_params > MSN_MAX_PARAMS ||
	    n_params < row->min_params || n_params > row->max_params ||
	    (form && (n_params < form->min_params || n_params > form->max_params))) {
		if (!skip_length(row, toks, n_tok, &skip)) {
			set_error(error, MSN_PROTO_ERROR_PAYLOAD_TOO_LARGE, line, len,
			          "Payload length over the limit");
			return NULL;
		}
		*payload_len = skip;
		if (error) {
			char *q = quote_line(line, len);

			if (has_nul)
				g_set_error(error, MSN_PROTO_ERROR,
				            MSN_PROTO_ERROR_BAD_PARAMS,
				            "NUL byte in a %s line: \"%s\"", name, q);
			else
				g_set_error(error, MSN_PROTO_ERROR,
				            MSN_PROTO_ERROR_BAD_PARAMS,
				            "Wrong number of parameters (%u) for %s in MSNP%u: \"%s\"",
				            n_params, name, version, q);
			g_free(q);
		}
		return NULL;
	}

	/* Payload length */
	switch (payload_length(row, &toks[first_param], n_params, &plen)) {
	case LEN_NONE:
		break;
	case LEN_OK:
		*has_payload = TRUE;
		*payload_len = plen;
		break;
	case LEN_BAD:
		set_error(error, MSN_PROTO_ERROR_BAD_LENGTH, line, len,
		          "Payload length is not a number");
		return NULL;
	case LEN_TOO_LARGE:
		set_error(error, MSN_PROTO_ERROR_PAYLOAD_TOO_LARGE, line, len,
		          "Payload length over the limit");
		return NULL;
	}

	cmd = g_new0(MsnCommand, 1);
	memcpy(cmd->name, name, sizeof(cmd->name));
	cmd->error_code = error_code;
	cmd->has_trid = has_trid;
	cmd->trid = (guint32)trid;
	cmd->n_params = n_params;
	cmd->params = g_new0(char *, n_params + 1);
	for (k = 0; k < n_params; k++)
		cmd->params[k] = g_strndup(toks[first_param + k].p,
		                           toks[first_param + k].len);
	cmd->schema = row;
	return cmd;
}

gboolean
msn_command_expects_payload(const MsnCommand *cmd)
{
	const char *last;

	g_return_val_if_fail(cmd != NULL, FALSE);
	if (cmd->schema == NULL || cmd->schema->payload == MSN_PAYLOAD_NONE ||
	    cmd->n_params == 0)
		return FALSE;
	last = cmd->params[cmd->n_params - 1];
	if (cmd->schema->payload == MSN_PAYLOAD_LAST_UNLESS_OK &&
	    strcmp(last, "OK") == 0)
		return FALSE;
	return TRUE;
}

MsnCommand *
msn_command_parse_line(const char *line, gsize len, MsnService service,
                       MsnDirection dir, guint version, gsize *payload_len,
                       GError **error)
{
	gsize dummy_len;
	gboolean has_payload;

	g_return_val_if_fail(line != NULL || len == 0, NULL);
	if (payload_len == NULL)
		payload_len = &dummy_len;
	if (line == NULL)
		line = "";
	return parse_line(line, len, service, dir, version, payload_len,
	                  &has_payload, error);
}

/* ---- framer ------------------------------------------------------------- */

struct _MsnFramer {
	MsnService service;
	MsnDirection dir;
	guint version;

	GByteArray *buf;
	gsize head;          /* bytes of buf already consumed */
	gsize scanned;       /* bytes after head known to hold no '\n' */

	MsnCommand *pending; /* command waiting for its payload */
	gsize pending_line;  /* length of its line, for msn_framer_pending */
	gsize need;          /* payload bytes it waits for */
	gsize skip;          /* payload bytes of a rejected command to drop */

	gboolean poisoned;
};

MsnFramer *
msn_framer_new(MsnService service, MsnDirection incoming, guint version)
{
	MsnFramer *f = g_new0(MsnFramer, 1);

	f->service = service;
	f->dir = incoming;
	f->version = version;
	f->buf = g_byte_array_new();
	return f;
}

void
msn_framer_set_version(MsnFramer *framer, guint version)
{
	g_return_if_fail(framer != NULL);
	framer->version = version;
}

guint
msn_framer_get_version(const MsnFramer *framer)
{
	g_return_val_if_fail(framer != NULL, 0);
	return framer->version;
}

void
msn_framer_free(MsnFramer *framer)
{
	if (framer == NULL)
		return;
	msn_command_free(framer->pending);
	g_byte_array_unref(framer->buf);
	g_free(framer);
}

static void
framer_compact(MsnFramer *f)
{
	if (f->head == 0)
		return;
	if (f->head >= f->buf->len) {
		g_byte_array_set_size(f->buf, 0);
		f->head = 0;
	} else if (f->head >= 4096 && f->head >= f->buf->len / 2) {
		g_byte_array_remove_range(f->buf, 0, (guint)f->head);
		f->head = 0;
	}
}

void
msn_framer_push(MsnFramer *framer, const guint8 *data, gsize len)
{
	g_return_if_fail(framer != NULL);
	g_return_if_fail(data != NULL || len == 0);
	if (framer->poisoned || len == 0)
		return;
	framer_compact(framer);
	/* Drop what a rejected command's payload still owes us right away. */
	if (framer->skip > 0 && framer->head >= framer->buf->len) {
		gsize n = MIN(framer->skip, len);

		framer->skip -= n;
		data += n;
		len -= n;
		if (len == 0)
			return;
	}
	while (len > 0) {
		guint chunk = (guint)MIN(len, (gsize)G_MAXUINT / 2);

		g_byte_array_append(framer->buf, data, chunk);
		data += chunk;
		len -= chunk;
	}
}

static void
framer_poison(MsnFramer *f)
{
	f->poisoned = TRUE;
	msn_command_free(f->pending);
	f->pending = NULL;
	g_byte_array_set_size(f->buf, 0);
	f->head = 0;
	f->scanned = 0;
	f->skip = 0;
	f->need = 0;
}

MsnCommand *
msn_framer_next(MsnFramer *framer, GError **error)
{
	MsnFramer *f = framer;

	g_return_val_if_fail(framer != NULL, NULL);

	if (f->poisoned) {
		g_set_error_literal(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_POISONED,
		                    "The command stream broke earlier");
		return NULL;
	}

	for (;;) {
		gsize avail = f->buf->len - f->head;
		const char *start = (const char *)f->buf->data + f->head;
		const char *nl;
		gsize limit, line_len, plen = 0;
		gboolean has_payload = FALSE;
		GError *local = NULL;
		MsnCommand *cmd;

		if (f->skip > 0) {
			gsize n = MIN(f->skip, avail);

			f->head += n;
			f->skip -= n;
			if (f->skip > 0) {
				framer_compact(f);
				return NULL;
			}
			continue;
		}

		if (f->pending) {
			if (avail < f->need) {
				framer_compact(f);
				return NULL;
			}
			cmd = f->pending;
			cmd->payload = g_bytes_new(start, f->need);
			f->head += f->need;
			f->pending = NULL;
			f->need = 0;
			f->pending_line = 0;
			framer_compact(f);
			return cmd;
		}

		limit = MIN(avail, (gsize)MSN_MAX_LINE);
		nl = NULL;
		if (limit > f->scanned)
			nl = memchr(start + f->scanned, '\n', limit - f->scanned);
		if (nl == NULL) {
			f->scanned = limit;
			if (avail >= MSN_MAX_LINE) {
				set_error(error, MSN_PROTO_ERROR_LINE_TOO_LONG, start,
				          avail, "Command line too long");
				framer_poison(f);
				return NULL;
			}
			framer_compact(f);
			return NULL;
		}

		line_len = (gsize)(nl - start);
		f->head += line_len + 1;
		f->scanned = 0;

		cmd = parse_line(start, line_len, f->service, f->dir, f->version,
		                 &plen, &has_payload, &local);
		if (cmd == NULL) {
			if (msn_proto_error_is_fatal(local))
				framer_poison(f);
			else
				f->skip = plen;
			g_propagate_error(error, local);
			framer_compact(f);
			return NULL;
		}
		if (!has_payload) {
			framer_compact(f);
			return cmd;
		}
		if (plen == 0) {
			cmd->payload = g_bytes_new(NULL, 0);
			framer_compact(f);
			return cmd;
		}
		f->pending = cmd;
		f->pending_line = line_len + 1;
		f->need = plen;
	}
}

gsize
msn_framer_pending(const MsnFramer *framer)
{
	g_return_val_if_fail(framer != NULL, 0);
	if (framer->poisoned)
		return 0;
	return framer->buf->len - framer->head +
	       (framer->pending ? framer->pending_line : 0);
}

/* ---- builder ------------------------------------------------------------ */

static gboolean
name_is_valid(const char *name)
{
	if (name == NULL || strlen(name) != 3)
		return FALSE;
	if (g_ascii_isdigit(name[0]) && g_ascii_isdigit(name[1]) &&
	    g_ascii_isdigit(name[2]))
		return name[0] != '0';
	return g_ascii_isupper(name[0]) && g_ascii_isupper(name[1]) &&
	       g_ascii_isupper(name[2]);
}

gboolean
msn_command_append(GString *out, const char *name, gint64 trid,
                   const char *const *params, GBytes *payload, GError **error)
{
	gsize n_params = 0;
	gsize line_len;
	gsize payload_size = 0;
	char num[32];
	gsize i;

	g_return_val_if_fail(out != NULL, FALSE);

	if (!name_is_valid(name)) {
		g_set_error_literal(error, MSN_PROTO_ERROR,
		                    MSN_PROTO_ERROR_INVALID_ARGUMENT,
		                    "Command name must be three capital letters or a "
		                    "three-digit code");
		return FALSE;
	}
	if (trid > (gint64)G_MAXUINT32) {
		g_set_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_INVALID_ARGUMENT,
		            "%s: transaction ID above 2^32-1", name);
		return FALSE;
	}

	line_len = 3 + 2;  /* name + CRLF */
	if (trid >= 0) {
		g_snprintf(num, sizeof(num), "%" G_GINT64_FORMAT, trid);
		line_len += 1 + strlen(num);
	}
	for (i = 0; params && params[i]; i++) {
		const char *p = params[i];

		if (*p == '\0') {
			g_set_error(error, MSN_PROTO_ERROR,
			            MSN_PROTO_ERROR_INVALID_ARGUMENT,
			            "%s: parameter %" G_GSIZE_FORMAT " is empty", name, i);
			return FALSE;
		}
		if (strpbrk(p, " \r\n") != NULL) {
			g_set_error(error, MSN_PROTO_ERROR,
			            MSN_PROTO_ERROR_INVALID_ARGUMENT,
			            "%s: parameter %" G_GSIZE_FORMAT
			            " contains a space or line break", name, i);
			return FALSE;
		}
		line_len += 1 + strlen(p);
		n_params++;
	}
	if (payload) {
		payload_size = g_bytes_get_size(payload);
		if (payload_size > MSN_MAX_PAYLOAD) {
			g_set_error(error, MSN_PROTO_ERROR,
			            MSN_PROTO_ERROR_INVALID_ARGUMENT,
			            "%s: payload of %" G_GSIZE_FORMAT
			            " bytes is over the limit", name, payload_size);
			return FALSE;
		}
		line_len += 1 + (gsize)g_snprintf(num, sizeof(num), "%" G_GSIZE_FORMAT,
		                                  payload_size);
		n_params++;
	}
	if (n_params > MSN_MAX_PARAMS) {
		g_set_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_INVALID_ARGUMENT,
		            "%s: too many parameters (%" G_GSIZE_FORMAT ")", name,
		            n_params);
		return FALSE;
	}
	if (line_len > MSN_MAX_LINE) {
		g_set_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_INVALID_ARGUMENT,
		            "%s: command line too long (%" G_GSIZE_FORMAT " bytes)",
		            name, line_len);
		return FALSE;
	}

	g_string_append(out, name);
	if (trid >= 0)
		g_string_append_printf(out, " %" G_GINT64_FORMAT, trid);
	for (i = 0; params && params[i]; i++) {
		g_string_append_c(out, ' ');
		g_string_append(out, params[i]);
	}
	if (payload)
		g_string_append_printf(out, " %" G_GSIZE_FORMAT, payload_size);
	g_string_append(out, "\r\n");
	if (payload && payload_size > 0)
		g_string_append_len(out, g_bytes_get_data(payload, NULL),
		                    (gssize)payload_size);
	return TRUE;
}
