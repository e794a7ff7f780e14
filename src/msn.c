/* purple-msnp — the plugin and the libpurple glue.
 *
 * The only file that maps session events onto purple_* calls and prpl
 * callbacks onto session calls.  Protocol decisions live below it.
 */
#include "msnp.h"

#include <string.h>

#include <accountopt.h>
#include <debug.h>
#include <plugin.h>
#include <prpl.h>
#include <status.h>
#include <util.h>
#include <version.h>

#include "session.h"

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

static PurplePluginProtocolInfo prpl_info = {
	.options = OPT_PROTO_MAIL_CHECK,
	.icon_spec = NO_BUDDY_ICONS,
	.list_icon = msnp_list_icon,
	.status_types = msnp_status_types,
	.login = msnp_login,
	.close = msnp_close,
	.normalize = msnp_normalize,
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
