/* purple-msnp — contacts' presence (ILN/NLN/FLN) and the status codes. */
#include "proto/presence.h"

#include <string.h>

#include "proto/dialect.h"
#include "proto/urlenc.h"

static const struct {
	MsnStatus status;
	const char *code;
} status_table[] = {
	{ MSN_STATUS_ONLINE,  "NLN" },
	{ MSN_STATUS_BUSY,    "BSY" },
	{ MSN_STATUS_IDLE,    "IDL" },
	{ MSN_STATUS_BRB,     "BRB" },
	{ MSN_STATUS_AWAY,    "AWY" },
	{ MSN_STATUS_PHONE,   "PHN" },
	{ MSN_STATUS_LUNCH,   "LUN" },
	{ MSN_STATUS_HIDDEN,  "HDN" },
	{ MSN_STATUS_OFFLINE, "FLN" },
};

MsnStatus
msn_status_from_code(const char *code)
{
	gsize i;

	if (code == NULL)
		return MSN_STATUS_UNKNOWN;
	for (i = 0; i < G_N_ELEMENTS(status_table); i++)
		if (strcmp(code, status_table[i].code) == 0)
			return status_table[i].status;
	return MSN_STATUS_UNKNOWN;
}

const char *
msn_status_to_code(MsnStatus status)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(status_table); i++)
		if (status_table[i].status == status)
			return status_table[i].code;
	return NULL;
}

gboolean
msn_status_is_settable(MsnStatus status)
{
	return status != MSN_STATUS_OFFLINE && msn_status_to_code(status) != NULL;
}

gboolean
msn_status_is_online(MsnStatus status)
{
	return status != MSN_STATUS_OFFLINE && status != MSN_STATUS_HIDDEN;
}

gboolean
msn_status_is_away(MsnStatus status)
{
	switch (status) {
	case MSN_STATUS_IDLE:
	case MSN_STATUS_BRB:
	case MSN_STATUS_AWAY:
	case MSN_STATUS_PHONE:
	case MSN_STATUS_LUNCH:
	case MSN_STATUS_UNKNOWN:
		return TRUE;
	default:
		return FALSE;
	}
}

GQuark
msn_presence_error_quark(void)
{
	return g_quark_from_static_string("msn-presence-error-quark");
}

static gboolean
all_digits(const char *s)
{
	if (s == NULL || *s == '\0')
		return FALSE;
	for (; *s; s++)
		if (!g_ascii_isdigit(*s))
			return FALSE;
	return TRUE;
}

/* Decimal digits [s, s+len) as a 32-bit number; FALSE on overflow or when
 * len is 0 or a byte is not a digit. */
static gboolean
parse_u32(const char *s, gsize len, guint32 *out)
{
	guint64 v = 0;
	gsize i;

	if (len == 0)
		return FALSE;
	for (i = 0; i < len; i++) {
		if (!g_ascii_isdigit(s[i]))
			return FALSE;
		v = v * 10 + (guint64)(s[i] - '0');
		if (v > G_MAXUINT32)
			return FALSE;
	}
	*out = (guint32)v;
	return TRUE;
}

guint32
msn_presence_parse_caps(const char *s)
{
	const char *colon;
	guint32 v;

	if (s == NULL)
		return 0;
	colon = strchr(s, ':');
	if (!parse_u32(s, colon ? (gsize)(colon - s) : strlen(s), &v))
		return 0;
	return v;
}

guint
msn_caps_msnc_version(guint32 caps)
{
	return caps >> 28;
}

static char *
utf8_dup(const char *s)
{
	return g_utf8_make_valid(s, -1);
}

/* The decoded MSNObject, or NULL when it is not a real one: the field must
 * be an <msnobj element with at least one attribute. */
static char *
decode_msnobj(const char *raw)
{
	char *decoded = msn_url_decode(raw);
	char *s = g_strstrip(decoded);

	if (g_str_has_prefix(s, "<msnobj") &&
	    g_ascii_isspace(s[7]) && strchr(s, '=') != NULL) {
		char *ret = g_strdup(s);

		g_free(decoded);
		return ret;
	}
	g_free(decoded);
	return NULL;
}

static void
set_code(MsnPresence *p, const char *code)
{
	gsize i;

	for (i = 0; i < 3 && code[i] != '\0'; i++) {
		guchar c = (guchar)code[i];

		p->code[i] = (c >= 0x21 && c < 0x7f) ? (char)c : '?';
	}
	p->code[i] = '\0';
}

MsnPresence *
msn_presence_parse(const MsnCommand *cmd, guint version, GError **error)
{
	const MsnDialect *d = msn_dialect_get(version);
	gboolean has_nid = d ? d->presence_has_nid : FALSE;
	gboolean has_msnobj = d ? d->chg_has_msnobj : TRUE;
	gboolean is_fln;
	MsnPresence *p;
	const char *handle;
	guint idx;

	g_return_val_if_fail(cmd != NULL, NULL);

	is_fln = strcmp(cmd->name, "FLN") == 0;
	if (!is_fln && strcmp(cmd->name, "ILN") != 0 && strcmp(cmd->name, "NLN") != 0) {
		g_set_error(error, MSN_PRESENCE_ERROR, MSN_PRESENCE_ERROR_NOT_PRESENCE,
		            "%s is not a presence command", cmd->name);
		return NULL;
	}
	/* The schema guarantees these counts; check anyway, a caller may build
	 * an MsnCommand by hand. */
	if (cmd->params == NULL || cmd->n_params < (is_fln ? 1u : 3u) ||
	    (handle = cmd->params[is_fln ? 0 : 1]) == NULL || *handle == '\0') {
		g_set_error(error, MSN_PRESENCE_ERROR, MSN_PRESENCE_ERROR_MALFORMED,
		            "%s without a handle", cmd->name);
		return NULL;
	}

	p = g_new0(MsnPresence, 1);
	p->has_trid = cmd->has_trid;
	p->trid = cmd->trid;
	p->handle = utf8_dup(handle);
	p->network = MSN_PRESENCE_DEFAULT_NETWORK;

	if (is_fln) {
		p->status = MSN_STATUS_OFFLINE;
		set_code(p, "FLN");
		if (has_nid && cmd->n_params > 1 && all_digits(cmd->params[1])) {
			guint32 nid = 0;

			p->network = parse_u32(cmd->params[1], strlen(cmd->params[1]), &nid) ? nid : 0;
		}
		return p;
	}

	p->status = msn_status_from_code(cmd->params[0]);
	set_code(p, cmd->params[0]);

	idx = 2;
	if (has_nid && cmd->n_params > 3 && all_digits(cmd->params[2])) {
		guint32 nid = 0;

		p->network = parse_u32(cmd->params[2], strlen(cmd->params[2]), &nid) ? nid : 0;
		idx = 3;
	}
	p->friendly_name = msn_url_decode(cmd->params[idx]);
	if (idx + 1 < cmd->n_params)
		p->caps = msn_presence_parse_caps(cmd->params[idx + 1]);
	if (has_msnobj && idx + 2 < cmd->n_params)
		p->msnobj = decode_msnobj(cmd->params[idx + 2]);
	if (has_nid && idx + 3 < cmd->n_params)
		p->icon_url = msn_url_decode(cmd->params[idx + 3]);
	return p;
}

void
msn_presence_free(MsnPresence *presence)
{
	if (presence == NULL)
		return;
	g_free(presence->handle);
	g_free(presence->friendly_name);
	g_free(presence->msnobj);
	g_free(presence->icon_url);
	g_free(presence);
}
