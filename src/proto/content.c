/* purple-msnp — MSG payload kinds and the outgoing control payloads. */
#include "proto/content.h"

#include <string.h>

static const struct {
	const char *type;
	MsnContentKind kind;
} sb_types[] = {
	{ "text/plain",                MSN_CONTENT_TEXT },
	{ "text/x-msmsgscontrol",      MSN_CONTENT_TYPING },   /* refined below */
	{ "text/x-msnmsgr-datacast",   MSN_CONTENT_OTHER },    /* refined below */
	{ "image/gif",                 MSN_CONTENT_INK },
	{ "application/x-ms-ink",      MSN_CONTENT_INK },
	{ "application/x-msnmsgrp2p",  MSN_CONTENT_P2P },
	{ "text/x-msmsgsinvite",       MSN_CONTENT_INVITATION },
	{ "text/x-mms-emoticon",       MSN_CONTENT_EMOTICON },
	{ "text/x-mms-animemoticon",   MSN_CONTENT_EMOTICON },
	{ "text/x-clientcaps",         MSN_CONTENT_CLIENT_CAPS },
	{ "text/x-clientinfo",         MSN_CONTENT_CLIENT_CAPS },
	{ "text/x-keepalive",          MSN_CONTENT_KEEPALIVE },
};

static const struct {
	const char *type;
	MsnContentKind kind;
} ns_types[] = {
	{ "text/x-msmsgsprofile",                   MSN_CONTENT_PROFILE },
	{ "text/x-msmsgsinitialemailnotification",  MSN_CONTENT_INITIAL_EMAIL },
	{ "text/x-msmsgsemailnotification",         MSN_CONTENT_EMAIL },
	{ "text/x-msmsgsactivemailnotification",    MSN_CONTENT_ACTIVE_MAIL },
	{ "text/x-msmsgsinitialmdatanotification",  MSN_CONTENT_INITIAL_MAIL_DATA },
	{ "text/x-msmsgsoimnotification",           MSN_CONTENT_OIM },
};

gint
msn_content_datacast_id(const MsnMime *mime)
{
	GBytes *body;
	const guint8 *data;
	gsize len;
	MsnMime *inner;
	const char *id;
	guint64 v;
	gint ret = -1;

	if (mime == NULL)
		return -1;
	body = msn_mime_get_body(mime);
	data = g_bytes_get_data(body, &len);
	/* The body is a second "Key: value" block. */
	inner = msn_mime_parse(data, len, NULL);
	if (inner == NULL)
		return -1;
	id = msn_mime_get_header(inner, "ID");
	if (id && g_ascii_string_to_unsigned(id, 10, 0, 999999, &v, NULL))
		ret = (gint)v;
	msn_mime_free(inner);
	return ret;
}

char *
msn_content_dup_typing_user(const MsnMime *mime)
{
	char *user;

	if (mime == NULL)
		return NULL;
	user = msn_mime_dup_header_utf8(mime, "TypingUser");
	if (user == NULL)
		user = msn_mime_dup_header_utf8(mime, "RecordingUser");
	return user;
}

MsnContentKind
msn_content_classify(const MsnMime *mime, MsnService service)
{
	char *type;
	MsnContentKind kind = MSN_CONTENT_UNKNOWN;
	gsize i;

	if (mime == NULL)
		return MSN_CONTENT_UNKNOWN;
	type = msn_mime_dup_media_type(mime);
	if (type == NULL)
		return MSN_CONTENT_UNKNOWN;

	if (service == MSN_SERVICE_SB) {
		for (i = 0; i < G_N_ELEMENTS(sb_types); i++) {
			if (strcmp(type, sb_types[i].type) == 0) {
				kind = sb_types[i].kind;
				break;
			}
		}
		if (kind == MSN_CONTENT_TYPING) {
			char *user = msn_content_dup_typing_user(mime);

			if (user == NULL || *user == '\0')
				kind = MSN_CONTENT_OTHER;
			g_free(user);
		} else if (kind == MSN_CONTENT_OTHER) {
			switch (msn_content_datacast_id(mime)) {
			case 1: kind = MSN_CONTENT_NUDGE; break;
			case 2: kind = MSN_CONTENT_WINK; break;
			case 3: kind = MSN_CONTENT_VOICE_CLIP; break;
			default: break;
			}
		}
	} else {
		for (i = 0; i < G_N_ELEMENTS(ns_types); i++) {
			if (strcmp(type, ns_types[i].type) == 0) {
				kind = ns_types[i].kind;
				break;
			}
		}
		if (kind == MSN_CONTENT_UNKNOWN && strstr(type, "msmsgssystemmessage"))
			kind = MSN_CONTENT_SYSTEM_MESSAGE;
	}
	g_free(type);
	return kind;
}

const char *
msn_content_kind_name(MsnContentKind kind)
{
	switch (kind) {
	case MSN_CONTENT_UNKNOWN: return "unknown";
	case MSN_CONTENT_TEXT: return "text";
	case MSN_CONTENT_TYPING: return "typing";
	case MSN_CONTENT_NUDGE: return "nudge";
	case MSN_CONTENT_WINK: return "wink";
	case MSN_CONTENT_VOICE_CLIP: return "voice-clip";
	case MSN_CONTENT_INK: return "ink";
	case MSN_CONTENT_P2P: return "p2p";
	case MSN_CONTENT_INVITATION: return "invitation";
	case MSN_CONTENT_EMOTICON: return "emoticon";
	case MSN_CONTENT_CLIENT_CAPS: return "client-caps";
	case MSN_CONTENT_KEEPALIVE: return "keepalive";
	case MSN_CONTENT_OTHER: return "other";
	case MSN_CONTENT_PROFILE: return "profile";
	case MSN_CONTENT_INITIAL_EMAIL: return "initial-email";
	case MSN_CONTENT_EMAIL: return "email";
	case MSN_CONTENT_ACTIVE_MAIL: return "active-mail";
	case MSN_CONTENT_SYSTEM_MESSAGE: return "system-message";
	case MSN_CONTENT_INITIAL_MAIL_DATA: return "initial-mail-data";
	case MSN_CONTENT_OIM: return "oim";
	}
	return "unknown";
}

GBytes *
msn_content_build_typing(const char *handle)
{
	const char *headers[] = {
		"MIME-Version", "1.0",
		"Content-Type", "text/x-msmsgscontrol",
		"TypingUser", handle,
		NULL
	};

	if (handle == NULL || *handle == '\0')
		return NULL;
	return msn_mime_build(headers, (const guint8 *)"\r\n", 2, NULL);
}

GBytes *
msn_content_build_nudge(void)
{
	static const char body[] = "ID: 1\r\n\r\n";
	const char *headers[] = {
		"MIME-Version", "1.0",
		"Content-Type", "text/x-msnmsgr-datacast",
		NULL
	};

	return msn_mime_build(headers, (const guint8 *)body, sizeof(body) - 1, NULL);
}
