/* libFuzzer target: presence commands and MSG payload kinds.
 *
 * Byte 0 picks the protocol version (8..14) and the mode.  Mode 0: the rest
 * is one NS line; when it is a valid ILN/NLN/FLN, the presence read from it
 * must be sane (valid UTF-8, a non-empty handle, a status that maps back to
 * its code).  Mode 1: the rest is an MSG payload, classified as from the
 * switchboard and from the notification server. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/content.h"
#include "proto/presence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
fuzz_line(const char *line, gsize len, guint version)
{
	GError *error = NULL;
	gsize plen = 0;
	MsnCommand *cmd = msn_command_parse_line(line, len, MSN_SERVICE_NS, MSN_FROM_SERVER,
	                                         version, &plen, &error);
	MsnPresence *p;
	gboolean is_presence;

	g_clear_error(&error);
	if (cmd == NULL)
		return;
	is_presence = strcmp(cmd->name, "ILN") == 0 || strcmp(cmd->name, "NLN") == 0 ||
	              strcmp(cmd->name, "FLN") == 0;
	p = msn_presence_parse(cmd, version, &error);
	check(is_presence == (p != NULL));
	check((p == NULL) == (error != NULL));
	g_clear_error(&error);
	if (p) {
		const char *code = msn_status_to_code(p->status);

		check(p->handle && p->handle[0] && g_utf8_validate(p->handle, -1, NULL));
		check(strlen(p->code) <= 3 && g_utf8_validate(p->code, -1, NULL));
		check((p->friendly_name == NULL) == (strcmp(cmd->name, "FLN") == 0));
		check(p->friendly_name == NULL || g_utf8_validate(p->friendly_name, -1, NULL));
		check(p->msnobj == NULL || (g_utf8_validate(p->msnobj, -1, NULL) &&
		                            g_str_has_prefix(p->msnobj, "<msnobj")));
		check(p->icon_url == NULL || g_utf8_validate(p->icon_url, -1, NULL));
		check(p->has_trid == (strcmp(cmd->name, "ILN") == 0));
		check(p->status <= MSN_STATUS_LAST);
		check((code == NULL) == (p->status == MSN_STATUS_UNKNOWN));
		check(code == NULL || msn_status_from_code(code) == p->status);
		check(code == NULL || strcmp(code, p->code) == 0);
		msn_presence_free(p);
	}
	msn_command_free(cmd);
}

static void
fuzz_payload(const guint8 *data, gsize size)
{
	MsnMime *m = msn_mime_parse(data, size, NULL);
	MsnContentKind sb, ns;
	char *user;

	if (m == NULL)
		return;
	sb = msn_content_classify(m, MSN_SERVICE_SB);
	ns = msn_content_classify(m, MSN_SERVICE_NS);
	check(sb <= MSN_CONTENT_OTHER);
	check(ns == MSN_CONTENT_UNKNOWN || ns > MSN_CONTENT_OTHER);
	check(msn_content_kind_name(sb) != NULL && msn_content_kind_name(ns) != NULL);
	user = msn_content_dup_typing_user(m);
	check(user == NULL || g_utf8_validate(user, -1, NULL));
	if (sb == MSN_CONTENT_TYPING) {
		GBytes *b;

		check(user != NULL && user[0] != '\0');
		/* what we would send for that user reads back as typing */
		b = msn_content_build_typing(user);
		if (b) {
			MsnMime *back = msn_mime_parse_bytes(b, NULL);

			check(back && msn_content_classify(back, MSN_SERVICE_SB) == MSN_CONTENT_TYPING);
			msn_mime_free(back);
			g_bytes_unref(b);
		}
	}
	if (sb == MSN_CONTENT_NUDGE)
		check(msn_content_datacast_id(m) == 1);
	g_free(user);
	msn_mime_free(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	guint version;

	if (size < 1)
		return 0;
	version = MSN_VERSION_MIN + (data[0] & 0x7F) % (MSN_VERSION_MAX - MSN_VERSION_MIN + 1);
	if (data[0] & 0x80)
		fuzz_payload(data + 1, size - 1);
	else
		fuzz_line((const char *)data + 1, size - 1, version);
	return 0;
}
