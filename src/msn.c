/* purple-msnp — the plugin and the libpurple glue.
 *
 * The only file that maps session events onto purple_* calls and prpl
 * callbacks onto session calls.  Protocol decisions live below it.
 */
#include "msnp.h"

#include <errno.h>
#include <string.h>

#include <accountopt.h>
#include <debug.h>
#include <plugin.h>
#include <privacy.h>
#include <prpl.h>
#include <status.h>
#include <util.h>
#include <version.h>

#include "contacts.h"
#include "presence.h"
#include "proto/ubx.h"
#include "roster.h"
#include "session.h"
#include "switchboard.h"

static PurplePlugin *msnp_plugin;

/* Status ids are the MSNP codes' names as users know them; the session maps
 * them to NLN/BSY/…  Idle is not a status: libpurple's idle time becomes IDL. */
static GList *
msnp_status_types(PurpleAccount *account)
{
	static const struct {
		PurpleStatusPrimitive prim;
		const char *id;
		const char *name;
	} types[] = {
		{ PURPLE_STATUS_AVAILABLE, MSNP_STATUS_AVAILABLE, N_("Available") },
		{ PURPLE_STATUS_UNAVAILABLE, MSNP_STATUS_BUSY, N_("Busy") },
		{ PURPLE_STATUS_AWAY, MSNP_STATUS_BRB, N_("Be Right Back") },
		{ PURPLE_STATUS_AWAY, MSNP_STATUS_AWAY, N_("Away") },
		{ PURPLE_STATUS_AWAY, MSNP_STATUS_PHONE, N_("On the Phone") },
		{ PURPLE_STATUS_AWAY, MSNP_STATUS_LUNCH, N_("Out to Lunch") },
	};
	GList *list = NULL;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(types); i++)
		list = g_list_append(list, purple_status_type_new_with_attrs(
			types[i].prim, types[i].id, _(types[i].name), TRUE, TRUE, FALSE,
			"message", _("Message"), purple_value_new(PURPLE_TYPE_STRING),
			NULL));
	list = g_list_append(list, purple_status_type_new_full(
		PURPLE_STATUS_INVISIBLE, MSNP_STATUS_HIDDEN, _("Appear Offline"), TRUE, TRUE, FALSE));
	list = g_list_append(list, purple_status_type_new_full(
		PURPLE_STATUS_OFFLINE, MSNP_STATUS_OFFLINE, _("Offline"), TRUE, TRUE, FALSE));
	/* Now playing, beside any of the above (MSNP11+ carries it). */
	list = g_list_append(list, purple_status_type_new_with_attrs(
		PURPLE_STATUS_TUNE, MSNP_STATUS_TUNE, NULL, FALSE, TRUE, TRUE,
		PURPLE_TUNE_ARTIST, _("Artist"), purple_value_new(PURPLE_TYPE_STRING),
		PURPLE_TUNE_TITLE, _("Title"), purple_value_new(PURPLE_TYPE_STRING),
		PURPLE_TUNE_ALBUM, _("Album"), purple_value_new(PURPLE_TYPE_STRING),
		NULL));
	return list;
}

static const char *
msnp_list_icon(PurpleAccount *account, PurpleBuddy *buddy)
{
	return "msnp";
}

static void
msnp_login(PurpleAccount *account)
{
	PurpleConnection *gc = purple_account_get_connection(account);
	MsnSession *session;

	gc->flags |= PURPLE_CONNECTION_HTML | PURPLE_CONNECTION_NO_URLDESC;
	session = msn_session_new(account, gc);
	gc->proto_data = session;
	msn_session_start(session);
}

static void
msnp_close(PurpleConnection *gc)
{
	MsnSession *session = gc->proto_data;

	gc->proto_data = NULL;
	msn_session_free(session);
}

static void
msnp_set_status(PurpleAccount *account, PurpleStatus *status)
{
	PurpleConnection *gc = purple_account_get_connection(account);

	if (gc && gc->proto_data)
		msn_presence_send_own(gc->proto_data);
}

static void
msnp_set_idle(PurpleConnection *gc, int idle_seconds)
{
	if (gc->proto_data)
		msn_presence_send_own(gc->proto_data);
}

static char *
msnp_status_text(PurpleBuddy *buddy)
{
	PurpleConnection *gc = purple_account_get_connection(purple_buddy_get_account(buddy));

	if (gc == NULL || gc->proto_data == NULL)
		return NULL;
	return msn_presence_status_text(gc->proto_data, purple_buddy_get_name(buddy));
}

/* The personal message and the song, each on its own line (the buddy list's
 * one line shows the song when there is one, as the official client did). */
static void
msnp_add_message_lines(const MsnContact *c, PurpleNotifyUserInfo *info)
{
	MsnMedia *media;

	if (c->psm && *c->psm)
		purple_notify_user_info_add_pair_plaintext(info, _("Message"), c->psm);
	if (c->media && (media = msn_media_parse(c->media)) != NULL) {
		char *text = msn_media_render(media);
		if (text && media->type == MSN_MEDIA_MUSIC && media->n_values > 2 &&
		    *media->values[2]) {
			/* The album, when the format did not show it. */
			if (strstr(media->format ? media->format : "", "{2}") == NULL) {
				char *with = g_strdup_printf("%s (%s)", text, media->values[2]);
				g_free(text);
				text = with;
			}
		}
		if (text)
			purple_notify_user_info_add_pair_plaintext(info, _("Now Listening"), text);
		g_free(text);
		msn_media_free(media);
	}
}

static void
msnp_add_phone_lines(const MsnContact *c, PurpleNotifyUserInfo *info)
{
	if (c->phone_home)
		purple_notify_user_info_add_pair_plaintext(info, _("Home phone"), c->phone_home);
	if (c->phone_work)
		purple_notify_user_info_add_pair_plaintext(info, _("Work phone"), c->phone_work);
	if (c->phone_mobile)
		purple_notify_user_info_add_pair_plaintext(info, _("Mobile phone"), c->phone_mobile);
}

static void
msnp_tooltip_text(PurpleBuddy *buddy, PurpleNotifyUserInfo *info, gboolean full)
{
	PurpleConnection *gc = purple_account_get_connection(purple_buddy_get_account(buddy));
	PurplePresence *presence = purple_buddy_get_presence(buddy);
	PurpleStatus *status = purple_presence_get_active_status(presence);
	MsnSession *session = gc ? gc->proto_data : NULL;
	MsnContact *c = session ? msn_roster_find(session->roster, purple_buddy_get_name(buddy)) : NULL;

	if (purple_presence_is_online(presence))
		purple_notify_user_info_add_pair_plaintext(info, _("Status"),
			purple_presence_is_idle(presence) ? _("Idle") : purple_status_get_name(status));
	if (c)
		msnp_add_message_lines(c, info);
	if (c == NULL || !full)
		return;
	msnp_add_phone_lines(c, info);
	purple_notify_user_info_add_pair_plaintext(info, _("Has you on their list"),
		(c->lists & (MSN_LIST_RL | MSN_LIST_PL)) ? _("Yes") : _("No"));
	if (c->lists & MSN_LIST_BL)
		purple_notify_user_info_add_pair_plaintext(info, _("Blocked"), _("Yes"));
}

/* Get Info: what the roster knows (MSN has no profile service to ask). */
static void
msnp_get_info(PurpleConnection *gc, const char *who)
{
	MsnSession *session = gc->proto_data;
	PurpleNotifyUserInfo *info = purple_notify_user_info_new();
	PurpleBuddy *buddy = purple_find_buddy(purple_connection_get_account(gc), who);
	MsnContact *c = session ? msn_roster_find(session->roster, who) : NULL;

	purple_notify_user_info_add_pair_plaintext(info, _("E-mail address"), who);
	if (c && c->friendly && *c->friendly)
		purple_notify_user_info_add_pair_plaintext(info, _("Display name"), c->friendly);
	if (buddy) {
		PurplePresence *presence = purple_buddy_get_presence(buddy);
		purple_notify_user_info_add_pair_plaintext(info, _("Status"),
			!purple_presence_is_online(presence) ? _("Offline") :
			purple_presence_is_idle(presence) ? _("Idle") :
			purple_status_get_name(purple_presence_get_active_status(presence)));
	}
	if (c) {
		msnp_add_message_lines(c, info);
		msnp_add_phone_lines(c, info);
		purple_notify_user_info_add_pair_plaintext(info, _("In your contact list"),
			(c->lists & MSN_LIST_FL) ? _("Yes") : _("No"));
		purple_notify_user_info_add_pair_plaintext(info, _("Has you on their list"),
			(c->lists & (MSN_LIST_RL | MSN_LIST_PL)) ? _("Yes") : _("No"));
		purple_notify_user_info_add_pair_plaintext(info, _("Blocked"),
			(c->lists & MSN_LIST_BL) ? _("Yes") : _("No"));
	}
	purple_notify_userinfo(gc, who, info, NULL, NULL);
	purple_notify_user_info_destroy(info);
}

static const char *
msnp_normalize(const PurpleAccount *account, const char *who)
{
	static char buf[256];
	char *lower;

	if (who == NULL)
		return NULL;
	lower = g_ascii_strdown(who, -1);
	g_strlcpy(buf, g_strstrip(lower), sizeof buf);
	g_free(lower);
	return buf;
}

/* The session, unless the plugin itself is editing the buddy list (then the
 * change is a mirror of the server's, not the user's). */
static MsnSession *
user_session(PurpleConnection *gc)
{
	MsnSession *session = gc ? gc->proto_data : NULL;

	return session && session->mirroring == 0 ? session : NULL;
}

static void
msnp_add_buddy(PurpleConnection *gc, PurpleBuddy *buddy, PurpleGroup *group)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_contacts_add_buddy(session, purple_buddy_get_name(buddy),
		                       group ? purple_group_get_name(group) : NULL);
}

static void
msnp_remove_buddy(PurpleConnection *gc, PurpleBuddy *buddy, PurpleGroup *group)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_contacts_remove_buddy(session, purple_buddy_get_name(buddy),
		                          group ? purple_group_get_name(group) : NULL);
}

static void
msnp_group_buddy(PurpleConnection *gc, const char *who, const char *old_group,
                 const char *new_group)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_contacts_move_buddy(session, who, old_group, new_group);
}

static void
msnp_rename_group(PurpleConnection *gc, const char *old_name, PurpleGroup *group,
                  GList *moved_buddies)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_contacts_rename_group(session, old_name, purple_group_get_name(group));
}

static void
msnp_remove_group(PurpleConnection *gc, PurpleGroup *group)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_contacts_remove_group(session, purple_group_get_name(group));
}

static void
msnp_add_permit(PurpleConnection *gc, const char *who)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_contacts_set_allowed(session, who, TRUE);
}

static void
msnp_rem_permit(PurpleConnection *gc, const char *who)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_contacts_set_allowed(session, who, FALSE);
}

static void
msnp_add_deny(PurpleConnection *gc, const char *who)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_contacts_set_blocked(session, who, TRUE);
}

static void
msnp_rem_deny(PurpleConnection *gc, const char *who)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_contacts_set_blocked(session, who, FALSE);
}

/* MSN has two modes: BLP AL (allow all but the blocked) and BLP BL (block
 * all but the allowed); libpurple's five map onto them. */
static void
msnp_set_permit_deny(PurpleConnection *gc)
{
	MsnSession *session = user_session(gc);
	PurplePrivacyType t;

	if (session == NULL)
		return;
	t = purple_connection_get_account(gc)->perm_deny;
	msn_contacts_set_privacy(session, t == PURPLE_PRIVACY_DENY_ALL ||
	                                  t == PURPLE_PRIVACY_ALLOW_USERS ||
	                                  t == PURPLE_PRIVACY_ALLOW_BUDDYLIST);
}

static void
msnp_set_public_alias(PurpleConnection *gc, const char *alias,
                      PurpleSetPublicAliasSuccessCallback success_cb,
                      PurpleSetPublicAliasFailureCallback failure_cb)
{
	MsnSession *session = user_session(gc);

	if (session == NULL) {
		if (failure_cb)
			failure_cb(purple_connection_get_account(gc), _("Not signed in."));
		return;
	}
	msn_contacts_set_own_name(session, alias, success_cb, failure_cb);
}

/* ---- Conversations ---------------------------------------------------- */

static int
msnp_send_im(PurpleConnection *gc, const char *who, const char *message,
             PurpleMessageFlags flags)
{
	MsnSession *session = user_session(gc);

	if (session == NULL)
		return -ENOTCONN;
	return msn_switchboard_send_im(session, who, message);
}

static unsigned int
msnp_send_typing(PurpleConnection *gc, const char *who, PurpleTypingState state)
{
	MsnSession *session = user_session(gc);

	return session ? msn_switchboard_send_typing(session, who, state) : 0;
}

static void
msnp_convo_closed(PurpleConnection *gc, const char *who)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_switchboard_conv_closed(session, who);
}

static gboolean
msnp_send_attention(PurpleConnection *gc, const char *who, guint type)
{
	MsnSession *session = user_session(gc);

	return session && type == 0 && msn_switchboard_send_nudge(session, who);
}

static GList *
msnp_attention_types(PurpleAccount *account)
{
	static GList *types;

	if (types == NULL)
		types = g_list_append(NULL, purple_attention_type_new("Nudge", _("Nudge"),
			_("%s has nudged you!"), _("Nudging %s...")));
	return types;
}

static int
msnp_chat_send(PurpleConnection *gc, int id, const char *message, PurpleMessageFlags flags)
{
	MsnSession *session = user_session(gc);

	return session ? msn_switchboard_chat_send(session, id, message) : -ENOTCONN;
}

static void
msnp_chat_invite(PurpleConnection *gc, int id, const char *message, const char *who)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_switchboard_chat_invite(session, id, who);
}

static void
msnp_chat_leave(PurpleConnection *gc, int id)
{
	MsnSession *session = user_session(gc);

	if (session)
		msn_switchboard_chat_leave(session, id);
}

static void
msnp_initiate_chat_cb(PurpleBlistNode *node, gpointer data)
{
	PurpleBuddy *buddy;
	PurpleConnection *gc;
	MsnSession *session;

	if (!PURPLE_BLIST_NODE_IS_BUDDY(node))
		return;
	buddy = (PurpleBuddy *)node;
	gc = purple_account_get_connection(purple_buddy_get_account(buddy));
	session = gc ? user_session(gc) : NULL;
	if (session)
		msn_switchboard_start_chat(session, purple_buddy_get_name(buddy));
}

static GList *
msnp_blist_node_menu(PurpleBlistNode *node)
{
	if (!PURPLE_BLIST_NODE_IS_BUDDY(node))
		return NULL;
	return g_list_append(NULL, purple_menu_action_new(_("Initiate _Chat"),
		PURPLE_CALLBACK(msnp_initiate_chat_cb), NULL, NULL));
}

static PurplePluginProtocolInfo prpl_info = {
	.options = OPT_PROTO_MAIL_CHECK,
	.icon_spec = NO_BUDDY_ICONS,
	.list_icon = msnp_list_icon,
	.status_types = msnp_status_types,
	.status_text = msnp_status_text,
	.tooltip_text = msnp_tooltip_text,
	.set_status = msnp_set_status,
	.set_idle = msnp_set_idle,
	.login = msnp_login,
	.close = msnp_close,
	.normalize = msnp_normalize,
	.get_info = msnp_get_info,
	.add_buddy = msnp_add_buddy,
	.remove_buddy = msnp_remove_buddy,
	.add_permit = msnp_add_permit,
	.add_deny = msnp_add_deny,
	.rem_permit = msnp_rem_permit,
	.rem_deny = msnp_rem_deny,
	.set_permit_deny = msnp_set_permit_deny,
	.group_buddy = msnp_group_buddy,
	.rename_group = msnp_rename_group,
	.remove_group = msnp_remove_group,
	.set_public_alias = msnp_set_public_alias,
	.send_im = msnp_send_im,
	.send_typing = msnp_send_typing,
	.convo_closed = msnp_convo_closed,
	.send_attention = msnp_send_attention,
	.get_attention_types = msnp_attention_types,
	.chat_send = msnp_chat_send,
	.chat_invite = msnp_chat_invite,
	.chat_leave = msnp_chat_leave,
	.blist_node_menu = msnp_blist_node_menu,
	.struct_size = sizeof(PurplePluginProtocolInfo),
};

/* Where the translations are: the compiled-in folder, or, for a plugin that
 * `make install-user` put in ~/.purple/plugins, the user's locale folder. */
static void
msnp_bind_textdomain(PurplePlugin *plugin)
{
	const char *localedir = LOCALEDIR;
	char *userdir = NULL;

	if (plugin->path && g_str_has_prefix(plugin->path, purple_user_dir())) {
		userdir = g_build_filename(g_get_user_data_dir(), "locale", NULL);
		localedir = userdir;
	}
	bindtextdomain(GETTEXT_PACKAGE, localedir);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	g_free(userdir);
}

static PurplePluginInfo info = {
	.magic = PURPLE_PLUGIN_MAGIC,
	.major_version = PURPLE_MAJOR_VERSION,
	.minor_version = PURPLE_MINOR_VERSION,
	.type = PURPLE_PLUGIN_PROTOCOL,
	.priority = PURPLE_PRIORITY_DEFAULT,
	.id = MSNP_PLUGIN_ID,
	.name = "MSN Messenger",
	.version = PACKAGE_VERSION,
	.summary = N_("MSN Messenger protocol plugin (MSNP8 to MSNP14)"),
	.description = N_("Chat on revived MSN Messenger networks such as Escargot, "
	                  "speaking MSNP8 through MSNP14."),
	.author = "purple-msnp developers",
	.homepage = "https://escargot.chat/",
	.extra_info = &prpl_info,
};

static void
msnp_add_string_option(const char *text, const char *key, const char *def)
{
	prpl_info.protocol_options = g_list_append(prpl_info.protocol_options,
		purple_account_option_string_new(text, key, def));
}

static void
msnp_init(PurplePlugin *plugin)
{
	msnp_plugin = plugin;
	/* The labels below are translated at load time, so bind first. */
	msnp_bind_textdomain(plugin);
	info.summary = _(info.summary);
	info.description = _(info.description);

	msnp_add_string_option(_("Server"), MSNP_OPT_SERVER, MSNP_DEFAULT_SERVER);
	prpl_info.protocol_options = g_list_append(prpl_info.protocol_options,
		purple_account_option_int_new(_("Port"), MSNP_OPT_PORT, MSNP_DEFAULT_PORT));
	prpl_info.protocol_options = g_list_append(prpl_info.protocol_options,
		purple_account_option_int_new(_("Highest protocol version"),
		                              MSNP_OPT_MAX_PROTOCOL, MSNP_DEFAULT_MAX_PROTOCOL));
	msnp_add_string_option(_("Passport nexus URL"),
	                       MSNP_OPT_NEXUS_URL, "");
	msnp_add_string_option(_("RST URL"),
	                       MSNP_OPT_RST_URL, "");
	msnp_add_string_option(_("Address book URL"),
	                       MSNP_OPT_AB_URL, "");
	msnp_add_string_option(_("Sharing service URL"),
	                       MSNP_OPT_SHARING_URL, "");
	/* TRANSLATORS: the SHA-256 fingerprint of a server certificate the user
	   trusts although no known authority signed it. */
	msnp_add_string_option(_("Trusted certificate"), MSNP_OPT_TLS_FINGERPRINT, "");
}

PURPLE_INIT_PLUGIN(msnp, msnp_init, info)
