/* libFuzzer target: the incremental framer.
 *
 * Byte 0 picks service, direction and version; byte 1 the push chunk size;
 * the rest is the stream.  Every command that comes out must respect its
 * schema row, and what the builder writes back from it must parse to the
 * same command. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/command.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
check_command(const MsnCommand *cmd, guint version)
{
	const MsnCommandSchema *row = cmd->schema;
	guint i;

	check(row != NULL);
	check(strlen(cmd->name) == 3);
	check(cmd->n_params >= row->min_params && cmd->n_params <= row->max_params);
	check(cmd->n_params <= MSN_MAX_PARAMS);
	check(version >= row->min_version && version <= row->max_version);
	check(cmd->params != NULL && cmd->params[cmd->n_params] == NULL);
	for (i = 0; i < cmd->n_params; i++) {
		check(cmd->params[i] != NULL && cmd->params[i][0] != '\0');
		check(strchr(cmd->params[i], ' ') == NULL);
		check(strchr(cmd->params[i], '\n') == NULL);
	}
	if (row->trid == MSN_TRID_ALWAYS)
		check(cmd->has_trid);
	if (row->trid == MSN_TRID_NONE)
		check(!cmd->has_trid);
	if (cmd->payload)
		check(g_bytes_get_size(cmd->payload) <= MSN_MAX_PAYLOAD);
	if (row->payload == MSN_PAYLOAD_NONE)
		check(cmd->payload == NULL);
	check((cmd->payload != NULL) == msn_command_expects_payload(cmd));
	if (cmd->error_code)
		check(cmd->error_code >= 100 && cmd->error_code <= 999);
}

/* Rebuild the command and read it back. */
static void
round_trip(const MsnCommand *cmd, MsnService service, MsnDirection dir,
           guint version)
{
	GString *out = g_string_new(NULL);
	guint n = cmd->n_params;
	char **params;
	MsnFramer *f;
	MsnCommand *back;
	GError *error = NULL;
	guint i;

	/* with a payload the builder writes the length itself */
	if (cmd->payload && n > 0)
		n--;
	params = g_new0(char *, n + 1);
	for (i = 0; i < n; i++)
		params[i] = cmd->params[i];
	if (!msn_command_append(out, cmd->name, cmd->has_trid ? (gint64)cmd->trid : -1,
	                        (const char *const *)params, cmd->payload, NULL)) {
		g_free(params);
		g_string_free(out, TRUE);
		return;
	}
	f = msn_framer_new(service, dir, version);
	msn_framer_push(f, (const guint8 *)out->str, out->len);
	back = msn_framer_next(f, &error);
	check(back != NULL && error == NULL);
	check(strcmp(back->name, cmd->name) == 0);
	check(back->has_trid == cmd->has_trid && back->trid == cmd->trid);
	check(back->n_params == cmd->n_params);
	for (i = 0; i < n; i++)
		check(strcmp(back->params[i], cmd->params[i]) == 0);
	check((back->payload == NULL) == (cmd->payload == NULL));
	if (cmd->payload)
		check(g_bytes_equal(back->payload, cmd->payload));
	check(msn_framer_next(f, &error) == NULL && error == NULL);
	check(msn_framer_pending(f) == 0);
	msn_command_free(back);
	msn_framer_free(f);
	g_free(params);
	g_string_free(out, TRUE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MsnService service;
	MsnDirection dir;
	guint version;
	gsize step, pos = 0;
	MsnFramer *f;
	gboolean dead = FALSE;

	if (size < 2)
		return 0;
	service = (data[0] & 1) ? MSN_SERVICE_SB : MSN_SERVICE_NS;
	dir = (data[0] & 2) ? MSN_FROM_CLIENT : MSN_FROM_SERVER;
	version = 8 + (guint)((data[0] >> 2) % 7);
	step = data[1] == 0 ? size : data[1];
	data += 2;
	size -= 2;

	f = msn_framer_new(service, dir, version);
	while (pos < size && !dead) {
		gsize n = MIN(step, size - pos);

		msn_framer_push(f, data + pos, n);
		pos += n;
		for (;;) {
			GError *error = NULL;
			MsnCommand *cmd = msn_framer_next(f, &error);

			if (cmd == NULL && error == NULL)
				break;
			check((cmd == NULL) != (error == NULL));
			if (cmd) {
				check_command(cmd, version);
				round_trip(cmd, service, dir, version);
				msn_command_free(cmd);
			} else {
				check(error->domain == MSN_PROTO_ERROR);
				check(g_utf8_validate(error->message, -1, NULL));
				if (msn_proto_error_is_fatal(error)) {
					GError *again = NULL;

					check(msn_framer_next(f, &again) == NULL);
					check(again && again->code == MSN_PROTO_ERROR_POISONED);
					g_error_free(again);
					dead = TRUE;
				}
				g_error_free(error);
				if (dead)
					break;
			}
		}
		check(msn_framer_pending(f) <= pos + MSN_MAX_LINE);
	}
	msn_framer_free(f);
	return 0;
}
