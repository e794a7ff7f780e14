/* purple-msnp — presence in both directions. */
#include "presence.h"

#include <string.h>

#include <debug.h>
#include <server.h>
#include <status.h>
#include <util.h>

#include "msnp.h"
#include "proto/presence.h"
#include "proto/ubx.h"
#include "psm.h"

/* MsnStatus -> our status type id (msn.c). */
static const char *
status_id(MsnStatus status)
{
	switch (status) {
	case MSN_STATUS_ONLINE: return MSNP_STATUS_AVAILABLE;
	case MSN_STATUS_BUSY: return MSNP_STATUS_BUSY;
	case MSN_STATUS_BRB: return MSNP_STATUS_BRB;
	case MSN_STATUS_PHONE: return MSNP_STATUS_PHONE;
	case MSN_STATUS_LUNCH: return MSNP_STATUS_LUNCH;
	case MSN_STATUS_IDLE:
	case MSN_STATUS_AWAY:
		return MSNP_STATUS_AWAY;
	case MSN_STATUS_OFFLINE:
	case MSN_STATUS_HIDDEN:
		return MSNP_STATUS_OFFLINE;
	default:
		/* An online code this client does not know: online, shown as away
		 * (proto/presence.h). */
		return MSNP_STATUS_AWAY;
	}
}

/* libpurple's view of one contact made to match what we know. */
static void
apply_contact(MsnSession *session, MsnContact *c)
{
	PurpleAccount *account = session->account;
	MsnMedia *media = NULL;
	MsnStatus st = (MsnStatus)c->status;
	char *message;

	if (st == MSN_STATUS_UNKNOWN || st == MSN_STATUS_OFFLINE || st == MSN_STATUS_HIDDEN) {
		purple_prpl_got_user_status(account, c->handle, MSNP_STATUS_OFFLINE, NULL);
		purple_prpl_got_user_status_deactive(account, c->handle, MSNP_STATUS_TUNE);
		return;
	}
	/* libpurple status messages are HTML: a contact's text is escaped, so
	 * "<b>" shows as typed and never as markup. */
	message = c->psm && *c->psm ? g_markup_escape_text(c->psm, -1) : NULL;
	purple_prpl_got_user_status(account, c->handle, status_id(st), "message", message, NULL);
	g_free(message);
	purple_prpl_got_user_idle(account, c->handle, st == MSN_STATUS_IDLE, 0);
	if (c->media && *c->media)
		media = msn_media_parse(c->media);
	if (media && media->enabled && media->type == MSN_MEDIA_MUSIC) {
		/* Music: title, artist, album. */
		purple_prpl_got_user_status(account, c->handle, MSNP_STATUS_TUNE,
		                            PURPLE_TUNE_TITLE, msn_media_get_value(media, 0),
		                            PURPLE_TUNE_ARTIST, msn_media_get_value(media, 1),
		                            PURPLE_TUNE_ALBUM, msn_media_get_value(media, 2), NULL);
	} else
		purple_prpl_got_user_status_deactive(account, c->handle, MSNP_STATUS_TUNE);
	msn_media_free(media);
}

static void
handle_presence(MsnSession *session, MsnCommand *cmd)
{
	GError *error = NULL;
	MsnPresence *p = msn_presence_parse(cmd, session->dialect->version, &error);
	MsnContact *c;

	if (p == NULL) {
		purple_debug_warning("msnp", "dropping a malformed %s: %s\n", cmd->name, error->message);
		g_error_free(error);
		return;
	}
	c = msn_roster_find(session->roster, p->handle);
	if (c == NULL) {
		/* Presence of someone not on our lists: nothing to show it on. */
		purple_debug_info("msnp", "presence of %s, who is not on the contact list\n", p->handle);
		msn_presence_free(p);
		return;
	}
	/* In the roster 0 means "not seen"; an online code we do not know is
	 * still online. */
	c->status = (guint8)(p->status == MSN_STATUS_UNKNOWN ? MSN_STATUS_AWAY : p->status);
	if (p->friendly_name && *p->friendly_name && strcmp(cmd->name, "FLN") != 0 &&
	    g_strcmp0(p->friendly_name, c->friendly) != 0 &&
	    g_ascii_strcasecmp(p->friendly_name, c->handle) != 0) {
		msn_roster_set_friendly(c, p->friendly_name);
		/* The server alias, never the alias the user set. */
		serv_got_alias(session->gc, c->handle, p->friendly_name);
	}
	if (p->status == MSN_STATUS_OFFLINE) {
		g_clear_pointer(&c->psm, g_free);
		g_clear_pointer(&c->media, g_free);
	}
	apply_contact(session, c);
	msn_presence_free(p);
}

static void
handle_ubx(MsnSession *session, MsnCommand *cmd)
{
	GError *error = NULL;
	MsnUbx *ubx = msn_ubx_parse_command(cmd, session->dialect->version, &error);
	MsnContact *c;

	if (ubx == NULL) {
		/* Malformed XML, too large, not UTF-8 …: never shown raw. */
		purple_debug_warning("msnp", "dropping a personal message: %s\n", error->message);
		g_error_free(error);
		return;
	}
	c = msn_roster_find(session->roster, ubx->handle);
	if (c) {
		g_free(c->psm);
		c->psm = *ubx->psm ? g_strdup(ubx->psm) : NULL;
		g_free(c->media);
		c->media = *ubx->current_media ? g_strdup(ubx->current_media) : NULL;
		if (c->status != MSN_STATUS_UNKNOWN)
			apply_contact(session, c);
	}
	msn_ubx_free(ubx);
}

gboolean
msn_presence_handle(MsnSession *session, MsnCommand *cmd)
{
	if (strcmp(cmd->name, "ILN") == 0 || strcmp(cmd->name, "NLN") == 0 ||
	    strcmp(cmd->name, "FLN") == 0)
		handle_presence(session, cmd);
	else if (strcmp(cmd->name, "UBX") == 0)
		handle_ubx(session, cmd);
	else
		return FALSE;
	return TRUE;
}

const char *
msn_presence_own_code(MsnSession *session)
{
	static const struct { const char *id; MsnStatus st; } map[] = {
		{ MSNP_STATUS_AVAILABLE, MSN_STATUS_ONLINE }, { MSNP_STATUS_BUSY, MSN_STATUS_BUSY },
		{ MSNP_STATUS_BRB, MSN_STATUS_BRB }, { MSNP_STATUS_AWAY, MSN_STATUS_AWAY },
		{ MSNP_STATUS_PHONE, MSN_STATUS_PHONE }, { MSNP_STATUS_LUNCH, MSN_STATUS_LUNCH },
		{ MSNP_STATUS_HIDDEN, MSN_STATUS_HIDDEN },
	};
	PurplePresence *presence = purple_account_get_presence(session->account);
	PurpleStatus *status = purple_presence_get_active_status(presence);
	const char *id = status ? purple_status_get_id(status) : MSNP_STATUS_AVAILABLE;
	gsize i;

	/* Idle only shows while otherwise available, as the official client did. */
	if (g_strcmp0(id, MSNP_STATUS_AVAILABLE) == 0 && purple_presence_is_idle(presence))
		return msn_status_to_code(MSN_STATUS_IDLE);
	for (i = 0; i < G_N_ELEMENTS(map); i++)
		if (g_strcmp0(id, map[i].id) == 0)
			return msn_status_to_code(map[i].st);
	return msn_status_to_code(MSN_STATUS_ONLINE);
}

GBytes *
msn_presence_own_uux(MsnSession *session)
{
	PurplePresence *presence = purple_account_get_presence(session->account);
	PurpleStatus *status = purple_presence_get_active_status(presence);
	PurpleStatus *tune = purple_presence_get_status(presence, MSNP_STATUS_TUNE);
	const char *message = status ? purple_status_get_attr_string(status, "message") : NULL;
	char *plain = message && *message ? purple_markup_strip_html(message) : NULL;
	char *media = NULL;
	GBytes *payload;

	if (tune && purple_status_is_active(tune)) {
		const char *title = purple_status_get_attr_string(tune, PURPLE_TUNE_TITLE);
		const char *artist = purple_status_get_attr_string(tune, PURPLE_TUNE_ARTIST);
		const char *album = purple_status_get_attr_string(tune, PURPLE_TUNE_ALBUM);
		if ((title && *title) || (artist && *artist))
			media = msn_media_build_music(artist, title, album);
	}
	payload = msn_psm_build(plain, media,
	                        session->dialect->has_machine_guid ? msn_session_machine_guid(session) : NULL);
	g_free(media);
	g_free(plain);
	return payload;
}

void
msn_presence_send_own(MsnSession *session)
{
	const char *code;

	if (session->ns == NULL || session->state != MSN_SIGNIN_ONLINE)
		return;
	code = msn_presence_own_code(session);
	if (g_strcmp0(code, session->sent_status) != 0) {
		char caps[16];
		const char *chg[] = { code, caps, NULL };
		g_snprintf(caps, sizeof caps, "%u", session->dialect->client_caps);
		msn_conn_send(session->ns, "CHG", chg, NULL, NULL, NULL, 0);
		g_free(session->sent_status);
		session->sent_status = g_strdup(code);
	}
	if (session->dialect->has_uux) {
		GBytes *uux = msn_presence_own_uux(session);
		if (session->sent_uux == NULL || !g_bytes_equal(uux, session->sent_uux)) {
			msn_conn_send(session->ns, "UUX", NULL, uux, NULL, NULL, 0);
			if (session->sent_uux)
				g_bytes_unref(session->sent_uux);
			session->sent_uux = g_bytes_ref(uux);
		}
		g_bytes_unref(uux);
	}
}

char *
msn_presence_status_text(MsnSession *session, const char *handle)
{
	MsnContact *c = msn_roster_find(session->roster, handle);
	MsnMedia *media;
	char *text = NULL;

	if (c == NULL)
		return NULL;
	if (c->media && (media = msn_media_parse(c->media)) != NULL) {
		if (media->enabled)
			text = msn_media_render(media);
		msn_media_free(media);
	}
	if ((text == NULL || *text == '\0') && c->psm && *c->psm) {
		g_free(text);
		text = g_strdup(c->psm);
	}
	if (text && *text == '\0')
		g_clear_pointer(&text, g_free);
	if (text) {
		char *escaped = g_markup_escape_text(text, -1);
		g_free(text);
		text = escaped;
	}
	return text;
}
