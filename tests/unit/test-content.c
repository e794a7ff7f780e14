/* Unit tests for src/proto/content.c */
#include <string.h>

#include "proto/content.h"

static MsnContentKind
classify(const char *payload, MsnService service)
{
	GError *error = NULL;
	MsnMime *m = msn_mime_parse((const guint8 *)payload, strlen(payload), &error);
	MsnContentKind k;

	g_assert_no_error(error);
	k = msn_content_classify(m, service);
	msn_mime_free(m);
	return k;
}

#define SB MSN_SERVICE_SB
#define NS MSN_SERVICE_NS
#define HDR "MIME-Version: 1.0\r\n"

static void
test_switchboard_kinds(void)
{
	const struct {
		const char *payload;
		MsnContentKind kind;
	} cases[] = {
		{ HDR "Content-Type: text/plain; charset=UTF-8\r\n"
		  "X-MMS-IM-Format: FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22\r\n\r\nHi there!",
		  MSN_CONTENT_TEXT },
		{ HDR "Content-Type: TEXT/Plain\r\n\r\nno charset", MSN_CONTENT_TEXT },
		{ HDR "Content-Type: text/x-msmsgscontrol\r\nTypingUser: me@example.com\r\n\r\n\r\n",
		  MSN_CONTENT_TYPING },
		{ HDR "Content-Type: text/x-msmsgscontrol\r\nRecordingUser: me@example.com\r\n\r\n\r\n",
		  MSN_CONTENT_TYPING },
		{ HDR "Content-Type: text/x-msmsgscontrol\r\n\r\n\r\n", MSN_CONTENT_OTHER },
		{ HDR "Content-Type: text/x-msmsgscontrol\r\nTypingUser:\r\n\r\n\r\n", MSN_CONTENT_OTHER },
		{ HDR "Content-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n\r\n", MSN_CONTENT_NUDGE },
		{ HDR "Content-Type: text/x-msnmsgr-datacast\r\n\r\nID: 2\r\nData: x\r\n\r\n", MSN_CONTENT_WINK },
		{ HDR "Content-Type: text/x-msnmsgr-datacast\r\n\r\nID: 3\r\n\r\n", MSN_CONTENT_VOICE_CLIP },
		{ HDR "Content-Type: text/x-msnmsgr-datacast\r\n\r\nID: 4\r\n\r\n", MSN_CONTENT_OTHER },
		{ HDR "Content-Type: text/x-msnmsgr-datacast\r\n\r\nID: one\r\n\r\n", MSN_CONTENT_OTHER },
		{ HDR "Content-Type: text/x-msnmsgr-datacast\r\n\r\n", MSN_CONTENT_OTHER },
		/* tolerant: LF only, no final blank line */
		{ HDR "Content-Type: text/x-msnmsgr-datacast\n\nid:1", MSN_CONTENT_NUDGE },
		{ HDR "Content-Type: image/gif\r\n\r\nbase64", MSN_CONTENT_INK },
		{ HDR "Content-Type: application/x-ms-ink\r\n\r\nbase64", MSN_CONTENT_INK },
		{ HDR "Content-Type: application/x-msnmsgrp2p\r\nP2P-Dest: me@example.com\r\n\r\n\x01\x02",
		  MSN_CONTENT_P2P },
		{ HDR "Content-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\nInvitation-Command: INVITE\r\n",
		  MSN_CONTENT_INVITATION },
		{ HDR "Content-Type: text/x-mms-emoticon\r\n\r\n:)\tmsnobj\t", MSN_CONTENT_EMOTICON },
		{ HDR "Content-Type: text/x-mms-animemoticon\r\n\r\n", MSN_CONTENT_EMOTICON },
		{ HDR "Content-Type: text/x-clientcaps\r\n\r\nClient-Name: x\r\n", MSN_CONTENT_CLIENT_CAPS },
		{ HDR "Content-Type: text/x-clientinfo\r\n\r\n", MSN_CONTENT_CLIENT_CAPS },
		{ HDR "Content-Type: text/x-keepalive\r\n\r\n", MSN_CONTENT_KEEPALIVE },
		{ HDR "Content-Type: application/x-unknown\r\n\r\n", MSN_CONTENT_UNKNOWN },
		{ HDR "\r\nno content type", MSN_CONTENT_UNKNOWN },
		{ "no headers at all", MSN_CONTENT_UNKNOWN },
		{ "", MSN_CONTENT_UNKNOWN },
		/* NS kinds are not SB kinds */
		{ HDR "Content-Type: text/x-msmsgsprofile; charset=UTF-8\r\n\r\n", MSN_CONTENT_UNKNOWN },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		MsnContentKind k = classify(cases[i].payload, SB);

		if (k != cases[i].kind)
			g_error("case %u: %s, expected %s", i, msn_content_kind_name(k),
			        msn_content_kind_name(cases[i].kind));
	}
}

static void
test_notification_kinds(void)
{
	const struct {
		const char *type;
		MsnContentKind kind;
	} cases[] = {
		{ "text/x-msmsgsprofile; charset=UTF-8", MSN_CONTENT_PROFILE },
		{ "text/x-msmsgsinitialemailnotification; charset=UTF-8", MSN_CONTENT_INITIAL_EMAIL },
		{ "text/x-msmsgsemailnotification; charset=UTF-8", MSN_CONTENT_EMAIL },
		{ "text/x-msmsgsactivemailnotification; charset=UTF-8", MSN_CONTENT_ACTIVE_MAIL },
		{ "application/x-msmsgssystemmessage", MSN_CONTENT_SYSTEM_MESSAGE },
		{ "text/x-msmsgssystemmessage", MSN_CONTENT_SYSTEM_MESSAGE },
		{ "text/x-msmsgssystemmessage; charset=UTF-8", MSN_CONTENT_SYSTEM_MESSAGE },
		{ "text/x-msmsgsinitialmdatanotification; charset=UTF-8", MSN_CONTENT_INITIAL_MAIL_DATA },
		{ "text/x-msmsgsoimnotification; charset=UTF-8", MSN_CONTENT_OIM },
		{ "text/plain; charset=UTF-8", MSN_CONTENT_UNKNOWN },
		{ "text/x-msnmsgr-datacast", MSN_CONTENT_UNKNOWN },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *p = g_strdup_printf(HDR "Content-Type: %s\r\n\r\nType: 1\r\nArg1: 5\r\n",
		                          cases[i].type);

		g_assert_cmpint(classify(p, NS), ==, cases[i].kind);
		g_free(p);
	}
	g_assert_cmpint(msn_content_classify(NULL, NS), ==, MSN_CONTENT_UNKNOWN);
}

static void
test_helpers(void)
{
	GError *error = NULL;
	static const char typing[] = HDR "Content-Type: text/x-msmsgscontrol\r\n"
		"TypingUser: b\xffob@example.com\r\n\r\n\r\n";
	MsnMime *m = msn_mime_parse((const guint8 *)typing, strlen(typing), &error);
	char *user = msn_content_dup_typing_user(m);
	guint k;

	g_assert_cmpstr(user, ==, "b\xEF\xBF\xBDob@example.com");
	g_free(user);
	g_assert_cmpint(msn_content_datacast_id(m), ==, -1);
	msn_mime_free(m);
	g_assert_null(msn_content_dup_typing_user(NULL));
	g_assert_cmpint(msn_content_datacast_id(NULL), ==, -1);

	for (k = MSN_CONTENT_UNKNOWN; k <= MSN_CONTENT_OIM; k++)
		g_assert_nonnull(msn_content_kind_name((MsnContentKind)k));
	g_assert_cmpstr(msn_content_kind_name(MSN_CONTENT_NUDGE), ==, "nudge");
	g_assert_cmpstr(msn_content_kind_name((MsnContentKind)999), ==, "unknown");
}

static void
test_builders(void)
{
	static const char typing[] =
		"MIME-Version: 1.0\r\n"
		"Content-Type: text/x-msmsgscontrol\r\n"
		"TypingUser: me@example.com\r\n"
		"\r\n"
		"\r\n";
	static const char nudge[] =
		"MIME-Version: 1.0\r\n"
		"Content-Type: text/x-msnmsgr-datacast\r\n"
		"\r\n"
		"ID: 1\r\n"
		"\r\n";
	GBytes *b;
	GError *error = NULL;
	MsnMime *m;

	/* switchboard.md §5.2: 87 bytes */
	b = msn_content_build_typing("me@example.com");
	g_assert_cmpuint(g_bytes_get_size(b), ==, 87);
	g_assert_cmpmem(g_bytes_get_data(b, NULL), 87, typing, sizeof(typing) - 1);
	m = msn_mime_parse_bytes(b, &error);
	g_assert_cmpint(msn_content_classify(m, SB), ==, MSN_CONTENT_TYPING);
	msn_mime_free(m);
	g_bytes_unref(b);

	/* §5.3: 69 bytes */
	b = msn_content_build_nudge();
	g_assert_cmpuint(g_bytes_get_size(b), ==, 69);
	g_assert_cmpmem(g_bytes_get_data(b, NULL), 69, nudge, sizeof(nudge) - 1);
	m = msn_mime_parse_bytes(b, &error);
	g_assert_cmpint(msn_content_classify(m, SB), ==, MSN_CONTENT_NUDGE);
	g_assert_cmpint(msn_content_datacast_id(m), ==, 1);
	msn_mime_free(m);
	g_bytes_unref(b);

	g_assert_null(msn_content_build_typing(NULL));
	g_assert_null(msn_content_build_typing(""));
	g_assert_null(msn_content_build_typing("me@example.com\r\nX: y"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/content/switchboard", test_switchboard_kinds);
	g_test_add_func("/content/notification", test_notification_kinds);
	g_test_add_func("/content/helpers", test_helpers);
	g_test_add_func("/content/builders", test_builders);
	return g_test_run();
}
