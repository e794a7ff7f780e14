/* libFuzzer target: msn_command_parse_line on single lines.
 *
 * Byte 0 picks service, direction and version (also out-of-range versions);
 * the rest is one line.  Parameters are also run through the URL decoder,
 * whose output must always be valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/command.h"
#include "proto/urlenc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	MsnService service;
	MsnDirection dir;
	guint version;
	gsize plen = 0;
	GError *error = NULL;
	MsnCommand *cmd;
	guint i;

	if (size < 1)
		return 0;
	service = (data[0] & 1) ? MSN_SERVICE_SB : MSN_SERVICE_NS;
	dir = (data[0] & 2) ? MSN_FROM_CLIENT : MSN_FROM_SERVER;
	version = 6 + (guint)((data[0] >> 2) % 10);   /* 6..15 */
	data++;
	size--;

	cmd = msn_command_parse_line((const char *)data, size, service, dir,
	                             version, &plen, &error);
	check((cmd == NULL) != (error == NULL));
	check(plen <= MSN_MAX_PAYLOAD);
	if (error) {
		check(error->domain == MSN_PROTO_ERROR);
		check(g_utf8_validate(error->message, -1, NULL));
		g_error_free(error);
		return 0;
	}
	check(cmd->schema != NULL);
	check(version >= MSN_VERSION_MIN && version <= MSN_VERSION_MAX);
	check(cmd->n_params >= cmd->schema->min_params &&
	      cmd->n_params <= cmd->schema->max_params);
	check(cmd->payload == NULL);
	check(cmd->params[cmd->n_params] == NULL);
	for (i = 0; i < cmd->n_params; i++) {
		char *dec = msn_url_decode(cmd->params[i]);
		char *enc = msn_url_encode(dec);
		char *dec2 = msn_url_decode(enc);

		check(cmd->params[i][0] != '\0');
		check(dec != NULL && g_utf8_validate(dec, -1, NULL));
		check(strpbrk(enc, " \r\n") == NULL);
		/* decoding is a fixed point after one encode */
		check(strcmp(dec, dec2) == 0);
		g_free(dec);
		g_free(enc);
		g_free(dec2);
	}
	msn_command_free(cmd);
	return 0;
}
