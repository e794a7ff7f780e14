/* msnp-testserver — the NS list commands, 8–14, with Escargot's replies.
 *
 *   SYN        8–9: SYN trid ver #contacts #groups, GTC, BLP, PRP (phones),
 *              LSG 0 Other%20Contacts 0, LSG id name 0, LST handle name bits
 *              gids (always a group field, "0" when none), BPR;
 *              10–12: SYN trid TS TS #contacts #groups (TS Escargot's fixed
 *              2000-01-01T00:00:00.0-00:00), GTC, BLP, PRP…, PRP MFN, LSG
 *              name guid, LST N= F= [C=] bits [nid] guids — C= only on FL,
 *              the group field empty when none (the line ends in a space),
 *              pending contacts with PL set and RL cleared;
 *              13+: 502 (the framer rejects SYN there: see nslists_rejected)
 *   ADD (8–9)  ADD trid L ver handle name [gid]; ADD at 10+ disconnects
 *   ADC (10–12) ADC trid FL N=h F=name C=guid | ADC trid FL C=guid gguid |
 *              ADC trid AL|BL N=h; ADC trid RL only for a pending contact
 *              (11+), else disconnect; ADC below 10 disconnects
 *   REM        REM trid L [ver] id [group]; REM trid RL disconnects
 *   ADG/RMG/REG  8–9 ADG trid ver name id 0, RMG trid ver id, REG trid ver id
 *              name 0; 10–12 ADG trid name guid 0, RMG trid 1 guid, REG trid 1
 *              name guid 0; errors 223 (more than --list-limits GROUPS, 30),
 *              224, 228, 229 (> 61 characters), 230 (group 0)
 *   REA (8–9)  own name, or echo; 10+ → 502.  SBP (10–12) echoed, not stored
 *   BLP/GTC    218 when already so (below 13); bad value disconnects;
 *              8–9 replies carry the list version
 *   PRP        MFN (10+; 715 below), phones and MOB/MBE stored
 *   ADL/RML    240/241/204 and disconnect; the initial <ml l="1"> answered
 *              OK without being applied; incremental ones change the lists
 *              (FL for an online contact: ILN with the ADL's TrID first)
 *   FQY (14)   <c n= t="1" /> for a known user (Escargot does not federate),
 *              208 otherwise; not one <d> with one <c>: 241/240 and disconnect
 *
 * After an FL add (ADD; ADC with N=) the contact's phones follow as BPR
 * lines (values only when it allows us, MOB N otherwise, as Escargot) and an
 * ILN with the command's TrID when it is online.
 */
#include "testserver.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* Escargot sends this fixed timestamp for both SYN values (10–12). */
#define SYN_TIMESTAMP "2000-01-01T00:00:00.0-00:00"

static void
error_reply(NsSession *s, MsnCommand *cmd, guint code, gboolean close)
{
	conn_send_line(s->conn, "%u %u", code, cmd->trid);
	if (close)
		conn_close_after_flush(s->conn);
}

static void
disconnect(NsSession *s, const char *why)
{
	server_logf(s->srv, conn_label(s->conn), "-- %s: disconnecting (as Escargot)", why);
	conn_close(s->conn);
}

static void
ignore(NsSession *s, MsnCommand *cmd, const char *why)
{
	server_logf(s->srv, conn_label(s->conn), "-- no reply to %s: %s", cmd->name, why);
}

static Origin
from(NsSession *s)
{
	Origin o = { s, FALSE };

	return o;
}

/* URL-decoded, or as it is when it is no valid escape. */
static char *
decode(const char *s)
{
	char *d = util_url_decode(s);

	return d ? d : g_strdup(s);
}

static guint
list_from_name(const char *name)
{
	if (strcmp(name, "FL") == 0)
		return LIST_FL;
	if (strcmp(name, "AL") == 0)
		return LIST_AL;
	if (strcmp(name, "BL") == 0)
		return LIST_BL;
	if (strcmp(name, "RL") == 0)
		return LIST_RL;
	if (strcmp(name, "PL") == 0)
		return LIST_PL;
	return 0;
}

/* ---- SYN -------------------------------------------------------------------------- */

/* The BPR lines after a contact's LST: its phones (an account's own PRP
 * settings, else the preloaded ones) and MOB, as Escargot. */
static void
append_phones(GString *out, Server *srv, Contact *c)
{
	Account *a = accounts_find(srv, c->handle);
	guint k;

	for (k = 0; k <= SETTING_MOB; k++) {
		const char *v = a ? a->settings[k] : k < G_N_ELEMENTS(c->phone) ? c->phone[k] : NULL;

		if (v)
			g_string_append_printf(out, "BPR %s %s\r\n", setting_names[k], v);
	}
}

static void
append_escaped(GString *out, const char *s)
{
	for (; *s; s++) {
		guchar c = (guchar) *s;

		if (c == '%' || c == ' ' || c < 0x20 || c == 0x7f)
			g_string_append_printf(out, "%%%02X", c);
		else
			g_string_append_c(out, (char) c);
	}
}

static void
cmd_syn(NsSession *s, MsnCommand *cmd)
{
	Account *a = s->account;
	GString *out = g_string_sized_new(256 + a->contacts->len * 96);
	guint i, k;
	gint64 t0 = g_get_monotonic_time();

	if (s->version >= 13) {
		error_reply(s, cmd, 502, FALSE);
		return;
	}
	s->syn_done = TRUE;
	if (s->version <= 9) {
		guint64 ver = g_ascii_strtoull(cmd->params[0], NULL, 10);

		/* Escargot: always the client's version + 1, and the full list. */
		a->list_version = (guint) MIN(ver, G_MAXUINT - 1000) + 1;
		g_string_append_printf(out, "SYN %u %u %u %u\r\n", cmd->trid, a->list_version,
		                       a->contacts->len, a->groups->len + 1);
	} else {
		g_string_append_printf(out, "SYN %u %s %s %u %u\r\n", cmd->trid, SYN_TIMESTAMP,
		                       SYN_TIMESTAMP, a->contacts->len, a->groups->len);
	}
	g_string_append_printf(out, "GTC %c\r\nBLP %s\r\n", a->gtc, a->blp_bl ? "BL" : "AL");
	for (k = 0; k < N_SETTINGS; k++)
		if (a->settings[k])
			g_string_append_printf(out, "PRP %s %s\r\n", setting_names[k], a->settings[k]);
	if (s->version >= 10) {
		g_string_append(out, "PRP MFN ");
		append_escaped(out, a->friendly);
		g_string_append(out, "\r\n");
	} else {
		g_string_append(out, "LSG 0 Other%20Contacts 0\r\n");
	}
	for (i = 0; i < a->groups->len; i++) {
		Group *g = g_ptr_array_index(a->groups, i);

		g_string_append(out, "LSG ");
		if (s->version <= 9) {
			g_string_append_printf(out, "%u ", g->id);
			append_escaped(out, g->name);
			g_string_append(out, " 0\r\n");
		} else {
			append_escaped(out, g->name);
			g_string_append_printf(out, " %s\r\n", g->guid);
		}
	}
	for (i = 0; i < a->contacts->len; i++) {
		Contact *c = g_ptr_array_index(a->contacts, i);
		guint bits = c->lists;

		if (s->version <= 9) {
			g_string_append_printf(out, "LST %s ", c->handle);
			append_escaped(out, c->friendly);
			g_string_append_printf(out, " %u ", bits);
			if (!c->groups)
				g_string_append_c(out, '0');
			for (k = 0; c->groups && k < c->groups->len; k++)
				g_string_append_printf(out, "%s%u", k ? "," : "",
				                       ((Group *) g_ptr_array_index(c->groups, k))->id);
		} else {
			/* Escargot: pending contacts show PL with RL cleared. */
			if (c->pending)
				bits = (bits & ~(guint) LIST_RL) | LIST_PL;
			g_string_append_printf(out, "LST N=%s F=", c->handle);
			append_escaped(out, c->friendly);
			if (c->lists & LIST_FL)
				g_string_append_printf(out, " C=%s", c->guid);
			g_string_append_printf(out, " %u ", bits);
			if (s->version >= 12)
				g_string_append_printf(out, "%u ", c->network);
			for (k = 0; c->groups && k < c->groups->len; k++)
				g_string_append_printf(out, "%s%s", k ? "," : "",
				                       ((Group *) g_ptr_array_index(c->groups, k))->guid);
		}
		g_string_append(out, "\r\n");
		append_phones(out, s->srv, c);
	}
	conn_send_block(s->conn, out->str, out->len);
	server_logf(s->srv, conn_label(s->conn), "-- SYN: %u contacts, %u groups, %" G_GSIZE_FORMAT
	            " bytes in %.1f ms", a->contacts->len, a->groups->len, out->len,
	            (double) (g_get_monotonic_time() - t0) / 1000.0);
	g_string_free(out, TRUE);
}

/* ---- after an FL add: BPR and ILN ----------------------------------------------------- */

static void
after_fl_add(NsSession *s, Contact *c, guint trid)
{
	Account *other = accounts_find(s->srv, c->handle);
	Contact *back = other ? lists_find(other, s->account->email) : NULL;
	gboolean allowed = back && (back->lists & LIST_AL);
	guint k;

	if (s->syn_done) {
		for (k = 0; k < 4; k++) {
			const char *key = k < 3 ? setting_names[k] : "MOB";
			const char *v = NULL;

			if (allowed && other)
				v = other->settings[k < 3 ? k : SETTING_MOB];
			if (k == 3 && !v)
				v = "N";
			if (s->version <= 9)
				conn_send_line(s->conn, "BPR %u %s %s%s%s", s->account->list_version, c->handle,
				               key, v ? " " : "", v ? v : "");
			else
				conn_send_line(s->conn, "BPR %s %s%s%s", c->handle, key, v ? " " : "",
				               v ? v : "");
		}
	}
	presence_refresh(s->srv, s->account, c->handle, s, trid);
}

/* ---- ADD (8–9) --------------------------------------------------------------------------- */

static void
cmd_add(NsSession *s, MsnCommand *cmd)
{
	guint list = list_from_name(cmd->params[0]);
	const char *handle = cmd->params[1];
	const char *name = cmd->params[2];
	const char *gid = cmd->n_params > 3 ? cmd->params[3] : NULL;
	Group *group = NULL;
	Contact *c = NULL;
	RosterResult r;
	char *friendly;

	if (list == LIST_RL) {
		disconnect(s, "ADD RL");
		return;
	}
	if (list != LIST_FL && list != LIST_AL && list != LIST_BL) {
		ignore(s, cmd, "no such list");
		return;
	}
	if (!lists_valid_handle(handle)) {
		error_reply(s, cmd, 201, FALSE);
		return;
	}
	if (list == LIST_FL && gid && strcmp(gid, "0") != 0) {
		group = lists_group_by_id(s->account, gid);
		if (!group || !g_ascii_isdigit(gid[0])) {
			error_reply(s, cmd, 224, FALSE);
			return;
		}
	}
	friendly = decode(name);
	r = roster_add(s->srv, s->account, handle, NETWORK_MSN, list, friendly, group, from(s), &c);
	g_free(friendly);
	if (r) {
		error_reply(s, cmd, roster_error_code(r, s->version), FALSE);
		return;
	}
	if (list == LIST_FL && gid)
		conn_send_line(s->conn, "ADD %u FL %u %s %s %s", cmd->trid, s->account->list_version,
		               c->handle, name, gid);
	else
		conn_send_line(s->conn, "ADD %u %s %u %s %s", cmd->trid, cmd->params[0],
		               s->account->list_version, c->handle, name);
	if (list == LIST_FL)
		after_fl_add(s, c, cmd->trid);
}

/* ---- ADC (10–12) ------------------------------------------------------------------------ */

static void
cmd_adc(NsSession *s, MsnCommand *cmd)
{
	guint list = list_from_name(cmd->params[0]);
	const char *arg1 = cmd->params[1];
	const char *arg2 = cmd->n_params > 2 ? cmd->params[2] : NULL;
	Account *a = s->account;
	Contact *c = NULL;
	Group *group = NULL;
	RosterResult r;

	if (list == LIST_RL) {
		c = g_str_has_prefix(arg1, "N=") ? lists_find(a, arg1 + 2) : NULL;
		if (s->version >= 11 && c && c->pending) {
			/* Accepted for a pending contact, and changes nothing. */
			conn_send_line(s->conn, "ADC %u RL N=%s", cmd->trid, c->handle);
			return;
		}
		disconnect(s, "ADC RL for a contact that is not pending");
		return;
	}
	if (list != LIST_FL && list != LIST_AL && list != LIST_BL) {
		ignore(s, cmd, "no such list");
		return;
	}
	if (g_str_has_prefix(arg1, "N=")) {
		const char *handle = arg1 + 2;
		char *friendly = NULL;

		if (!lists_valid_handle(handle)) {
			error_reply(s, cmd, 201, FALSE);
			return;
		}
		if (list == LIST_FL && arg2 && g_str_has_prefix(arg2, "F="))
			friendly = decode(arg2 + 2);
		r = roster_add(s->srv, a, handle, NETWORK_MSN, list, friendly, NULL, from(s), &c);
		g_free(friendly);
		if (r) {
			error_reply(s, cmd, roster_error_code(r, s->version), FALSE);
			return;
		}
		if (list == LIST_FL) {
			char *f = util_url_escape_param(c->friendly);

			conn_send_line(s->conn, "ADC %u FL N=%s%s%s C=%s", cmd->trid, c->handle,
			               *f ? " F=" : "", f, c->guid);
			g_free(f);
			after_fl_add(s, c, cmd->trid);
		} else {
			conn_send_line(s->conn, "ADC %u %s N=%s", cmd->trid, cmd->params[0], c->handle);
		}
		return;
	}
	if (!g_str_has_prefix(arg1, "C=")) {
		error_reply(s, cmd, 201, FALSE);
		return;
	}
	c = lists_find_guid(a, arg1 + 2);
	if (!c) {
		error_reply(s, cmd, 208, FALSE);
		return;
	}
	if (list == LIST_FL && arg2) {
		group = lists_group_by_id(a, arg2);
		if (!group || !lists_valid_guid(arg2)) {
			error_reply(s, cmd, 224, FALSE);
			return;
		}
	}
	r = roster_add(s->srv, a, c->handle, c->network, list, NULL, group, from(s), &c);
	if (r) {
		error_reply(s, cmd, roster_error_code(r, s->version), FALSE);
		return;
	}
	if (group)
		conn_send_line(s->conn, "ADC %u FL C=%s %s", cmd->trid, c->guid, group->guid);
	else if (list == LIST_FL) {
		char *f = util_url_escape_param(c->friendly);

		conn_send_line(s->conn, "ADC %u FL N=%s F=%s C=%s", cmd->trid, c->handle, f, c->guid);
		g_free(f);
	}
	else
		conn_send_line(s->conn, "ADC %u %s N=%s", cmd->trid, cmd->params[0], c->handle);
}

/* ---- REM --------------------------------------------------------------------------------- */

/* A group id in the version's form (8–9 a number, 10+ a GUID), or NULL. */
static Group *
group_param(NsSession *s, const char *id)
{
	if (s->version <= 9 ? !g_ascii_isdigit(id[0]) : !lists_valid_guid(id))
		return NULL;
	return lists_group_by_id(s->account, id);
}

static void
cmd_rem(NsSession *s, MsnCommand *cmd)
{
	guint list = list_from_name(cmd->params[0]);
	const char *id = cmd->params[1];
	const char *gid = cmd->n_params > 2 ? cmd->params[2] : NULL;
	gboolean group_zero = FALSE;
	Account *a = s->account;
	Contact *c;
	Group *group = NULL;
	RosterResult r;
	char *echo;

	if (list == LIST_RL) {
		disconnect(s, "REM RL");
		return;
	}
	if (!list) {
		ignore(s, cmd, "no such list");
		return;
	}
	if (list == LIST_FL && s->version >= 10) {
		if (!lists_valid_guid(id)) {
			error_reply(s, cmd, 403, FALSE);
			return;
		}
		c = lists_find_guid(a, id);
	} else {
		c = lists_find(a, id);
	}
	if (!c) {
		/* Escargot: a user that does not exist is 205 in every version. */
		gboolean user = (list == LIST_FL && s->version >= 10) || lists_user_exists(s->srv, id);

		error_reply(s, cmd, user ? roster_error_code(ROSTER_NO_CONTACT, s->version) : 205, FALSE);
		return;
	}
	if (list == LIST_FL && gid) {
		group_zero = s->version <= 9 && strcmp(gid, "0") == 0;
		group = group_zero ? NULL : group_param(s, gid);
		if (!group && !group_zero) {
			error_reply(s, cmd, 224, FALSE);
			return;
		}
	}
	echo = g_strdup(id);
	if (group_zero) {
		/* 8–9 group 0: there is nothing to take the contact out of. */
		r = c->lists & LIST_FL ? ROSTER_OK : ROSTER_NOT_ON_LIST;
		if (r == ROSTER_OK)
			a->list_version++;
	} else {
		r = roster_remove(s->srv, a, c, list, group, from(s));
	}
	if (r) {
		error_reply(s, cmd, roster_error_code(r, s->version), FALSE);
	} else if (s->version <= 9) {
		conn_send_line(s->conn, "REM %u %s %u %s%s%s", cmd->trid, cmd->params[0], a->list_version,
		               echo, gid ? " " : "", gid ? gid : "");
	} else {
		conn_send_line(s->conn, "REM %u %s %s%s%s", cmd->trid, cmd->params[0], echo,
		               gid ? " " : "", gid ? gid : "");
	}
	g_free(echo);
}

/* ---- groups -------------------------------------------------------------------------------- */

static void
cmd_adg(NsSession *s, MsnCommand *cmd)
{
	const char *raw = cmd->params[0];
	char *name = decode(raw);
	Group *g = NULL;
	RosterResult r = roster_group_add(s->srv, s->account, name, &g);

	g_free(name);
	if (r)
		error_reply(s, cmd, roster_error_code(r, s->version), FALSE);
	else if (s->version <= 9)
		conn_send_line(s->conn, "ADG %u %u %s %u 0", cmd->trid, s->account->list_version, raw,
		               g->id);
	else
		conn_send_line(s->conn, "ADG %u %s %s 0", cmd->trid, raw, g->guid);
}

static void
cmd_rmg(NsSession *s, MsnCommand *cmd)
{
	const char *id = cmd->params[0];
	Group *g;

	if (s->version <= 9 && strcmp(id, "0") == 0) {
		error_reply(s, cmd, 230, FALSE);
		return;
	}
	g = group_param(s, id);
	if (!g) {
		error_reply(s, cmd, 224, FALSE);
		return;
	}
	roster_group_remove(s->srv, s->account, g);
	if (s->version <= 9)
		conn_send_line(s->conn, "RMG %u %u %s", cmd->trid, s->account->list_version, id);
	else
		conn_send_line(s->conn, "RMG %u 1 %s", cmd->trid, id);
}

static void
cmd_reg(NsSession *s, MsnCommand *cmd)
{
	const char *id = cmd->params[0];
	const char *raw = cmd->params[1];
	Group *g = group_param(s, id);
	char *name;
	RosterResult r;

	if (!g) {
		error_reply(s, cmd, 224, FALSE);
		return;
	}
	name = decode(raw);
	r = roster_group_rename(s->srv, s->account, g, name);
	g_free(name);
	if (r)
		error_reply(s, cmd, roster_error_code(r, s->version), FALSE);
	else if (s->version <= 9)
		conn_send_line(s->conn, "REG %u %u %s %s 0", cmd->trid, s->account->list_version, id, raw);
	else
		conn_send_line(s->conn, "REG %u 1 %s %s 0", cmd->trid, raw, id);
}

/* ---- settings -------------------------------------------------------------------------------- */

static void
cmd_blp_gtc(NsSession *s, MsnCommand *cmd)
{
	const char *v = cmd->params[0];
	gboolean blp = strcmp(cmd->name, "BLP") == 0;
	Account *a = s->account;

	if (blp ? (strcmp(v, "AL") != 0 && strcmp(v, "BL") != 0)
	        : (strcmp(v, "A") != 0 && strcmp(v, "N") != 0)) {
		disconnect(s, blp ? "BLP neither AL nor BL" : "GTC neither A nor N");
		return;
	}
	if (s->version < 13 && (blp ? a->blp_bl == (v[0] == 'B') : a->gtc == v[0])) {
		error_reply(s, cmd, 218, FALSE);
		return;
	}
	if (blp)
		roster_set_blp(s->srv, a, v[0] == 'B');
	else
		roster_set_gtc(s->srv, a, v[0]);
	a->list_version++;
	if (s->version <= 9)
		conn_send_line(s->conn, "%s %u %u %s", cmd->name, cmd->trid, a->list_version, v);
	else
		conn_send_line(s->conn, "%s %u %s", cmd->name, cmd->trid, v);
}

static void
cmd_prp(NsSession *s, MsnCommand *cmd)
{
	const char *key = cmd->params[0];
	const char *value = cmd->n_params > 1 ? cmd->params[1] : NULL;
	Account *a = s->account;
	GString *reply;
	guint k;

	if (strcmp(key, "MFN") == 0) {
		char *decoded;

		if (s->version < 10) {
			error_reply(s, cmd, 715, FALSE);
			return;
		}
		decoded = value ? util_url_decode(value) : NULL;
		roster_set_friendly(s->srv, a, decoded);
		g_free(decoded);
	} else if (g_str_has_prefix(key, "PH")) {
		if (strlen(key) > 3 || (value && strlen(value) > 95)) {
			disconnect(s, "PRP phone key over 3 characters or value over 95");
			return;
		}
		for (k = 0; k < 3; k++)
			if (strcmp(key, setting_names[k]) == 0)
				break;
		if (k == 3) {
			error_reply(s, cmd, 715, FALSE);
			return;
		}
		g_free(a->settings[k]);
		a->settings[k] = value ? g_strdup(value) : NULL;
	} else if (strcmp(key, "MOB") == 0 || strcmp(key, "MBE") == 0) {
		k = key[1] == 'O' ? SETTING_MOB : SETTING_MBE;
		g_free(a->settings[k]);
		a->settings[k] = g_strdup(value && (strcmp(value, "Y") == 0) ? "Y" : "N");
	}
	reply = g_string_new(NULL);
	g_string_append_printf(reply, "PRP %u", cmd->trid);
	if (s->version <= 9)
		g_string_append_printf(reply, " %u", ++a->list_version);
	g_string_append_printf(reply, " %s", key);
	if (value)
		g_string_append_printf(reply, " %s", value);
	conn_send_line(s->conn, "%s", reply->str);
	g_string_free(reply, TRUE);
}

static void
cmd_rea(NsSession *s, MsnCommand *cmd)
{
	const char *handle = cmd->params[0];
	const char *value = cmd->params[1];

	if (g_ascii_strcasecmp(handle, s->account->email) == 0) {
		char *decoded = util_url_decode(value);

		roster_set_friendly(s->srv, s->account, decoded);
		g_free(decoded);
	}
	conn_send_line(s->conn, "REA %u %u %s %s", cmd->trid, ++s->account->list_version, handle,
	               value);
}

/* ---- ADL / RML (13–14) ------------------------------------------------------------------------ */

typedef struct {
	char *handle;
	guint bits;
	guint network;
} MlEntry;

static gboolean
all_digits(const char *p)
{
	if (!*p)
		return FALSE;
	for (; *p; p++)
		if (!g_ascii_isdigit(*p))
			return FALSE;
	return TRUE;
}

static gboolean
known_network(guint64 t)
{
	return t == 1 || t == 2 || t == 4 || t == 8 || t == 9 || t == 16 || t == 32;
}

/* Parses an ADL/RML payload.  Returns 0 with the entries (and whether it is
 * the initial list), or the error code: 240, 241, 204; 1 when a <c> has no
 * t (Escargot: no reply at all). */
static guint
parse_ml(MsnCommand *cmd, GPtrArray *entries, gboolean *initial, guint *n_domains)
{
	gsize len;
	const char *data = cmd->payload ? g_bytes_get_data(cmd->payload, &len) : NULL;
	xmlDocPtr doc;
	xmlNodePtr root, d, c;
	xmlChar *l;
	guint code = 0;

	*initial = FALSE;
	*n_domains = 0;
	if (!data || len == 0 || len > G_MAXINT)
		return 241;
	doc = xmlReadMemory(data, (int) len, "ml.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return 241;
	root = xmlDocGetRootElement(doc);
	if (!root || xmlStrcmp(root->name, BAD_CAST "ml") != 0) {
		xmlFreeDoc(doc);
		return 241;
	}
	l = xmlGetProp(root, BAD_CAST "l");
	*initial = l && xmlStrcmp(l, BAD_CAST "1") == 0;
	xmlFree(l);
	for (d = root->children; d && !code; d = d->next) {
		xmlChar *dn;
		guint n_c = 0;

		if (d->type != XML_ELEMENT_NODE || xmlStrcmp(d->name, BAD_CAST "d") != 0)
			continue;
		(*n_domains)++;
		dn = xmlGetProp(d, BAD_CAST "n");
		if (!dn || !*dn)
			code = 240;
		for (c = d->children; c && !code; c = c->next) {
			xmlChar *cl, *cn, *ct;
			MlEntry *e;

			if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, BAD_CAST "c") != 0)
				continue;
			n_c++;
			cl = xmlGetProp(c, BAD_CAST "l");
			cn = xmlGetProp(c, BAD_CAST "n");
			ct = xmlGetProp(c, BAD_CAST "t");
			if (!cl || !all_digits((const char *) cl) ||
			    (g_ascii_strtoull((const char *) cl, NULL, 10) & ~(guint64) 7) != 0 || !cn || !*cn)
				code = 241;   /* RL/PL bits from a client, or no list */
			else if (!ct)
				code = 1;
			else if (!all_digits((const char *) ct) ||
			         !known_network(g_ascii_strtoull((const char *) ct, NULL, 10)))
				code = 204;
			if (!code) {
				e = g_new0(MlEntry, 1);
				e->handle = g_strdup_printf("%s@%s", (const char *) cn, (const char *) dn);
				e->bits = (guint) g_ascii_strtoull((const char *) cl, NULL, 10);
				e->network = (guint) g_ascii_strtoull((const char *) ct, NULL, 10);
				g_ptr_array_add(entries, e);
			}
			xmlFree(cl);
			xmlFree(cn);
			xmlFree(ct);
		}
		if (!code && n_c == 0)
			code = 240;    /* a <d> without <c> */
		xmlFree(dn);
	}
	xmlFreeDoc(doc);
	return code;
}

static void
ml_entry_free(gpointer p)
{
	MlEntry *e = p;

	g_free(e->handle);
	g_free(e);
}

static void
cmd_adl_rml(NsSession *s, MsnCommand *cmd)
{
	gboolean add = strcmp(cmd->name, "ADL") == 0;
	GPtrArray *entries = g_ptr_array_new_with_free_func(ml_entry_free);
	gboolean initial;
	guint n_domains, i, k, code = parse_ml(cmd, entries, &initial, &n_domains);
	static const guint order[] = { LIST_FL, LIST_AL, LIST_BL };

	if (code == 1) {
		ignore(s, cmd, "a <c> without t (Escargot's handler fails)");
		goto out;
	}
	if (code) {
		error_reply(s, cmd, code, TRUE);
		goto out;
	}
	if (!add && (n_domains != 1 || entries->len != 1) && !initial) {
		/* Escargot: one <d> with one <c> per RML. */
		error_reply(s, cmd, 241, TRUE);
		goto out;
	}
	if (add && initial) {
		/* Escargot acknowledges the initial list without reading it. */
		server_logf(s->srv, conn_label(s->conn), "-- ADL initial: %u contacts (not applied)",
		            entries->len);
		conn_send_line(s->conn, "ADL %u OK", cmd->trid);
		goto out;
	}
	for (i = 0; i < entries->len; i++) {
		MlEntry *e = g_ptr_array_index(entries, i);

		if (!add && e->network != NETWORK_MSN && e->network != NETWORK_YAHOO) {
			error_reply(s, cmd, 208, FALSE);
			goto out;
		}
		if (e->network != NETWORK_YAHOO && !lists_user_exists(s->srv, e->handle)) {
			error_reply(s, cmd, 208, FALSE);
			goto out;
		}
	}
	for (i = 0; i < entries->len; i++) {
		MlEntry *e = g_ptr_array_index(entries, i);

		for (k = 0; k < G_N_ELEMENTS(order); k++) {
			Contact *c;

			if (!(e->bits & order[k]))
				continue;
			if (add) {
				RosterResult r = roster_add(s->srv, s->account, e->handle, e->network, order[k],
				                            NULL, NULL, from(s), &c);

				if (r) {
					error_reply(s, cmd, r == ROSTER_LIST_FULL ? 210 : 208, FALSE);
					goto out;
				}
				if (order[k] == LIST_FL)
					presence_refresh(s->srv, s->account, e->handle, s, cmd->trid);
			} else if ((c = lists_find(s->account, e->handle)) != NULL) {
				/* Escargot ignores removing what is not there. */
				roster_remove(s->srv, s->account, c, order[k], NULL, from(s));
			}
		}
	}
	conn_send_line(s->conn, "%s %u OK", cmd->name, cmd->trid);
out:
	g_ptr_array_unref(entries);
}

/* FQY (14): one <d> with one <c>; Escargot answers t="1" for every user it
 * knows (it does not federate), 208 otherwise. */
static void
cmd_fqy(NsSession *s, MsnCommand *cmd)
{
	gsize len;
	const char *data = cmd->payload ? g_bytes_get_data(cmd->payload, &len) : NULL;
	xmlDocPtr doc = data && len > 0 && len <= G_MAXINT
		? xmlReadMemory(data, (int) len, "fqy.xml", NULL,
		                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
		: NULL;
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL, d, c;
	char *handle = NULL, *reply;
	guint n_d = 0, n_c = 0;

	for (d = root ? root->children : NULL; d; d = d->next) {
		if (d->type != XML_ELEMENT_NODE || xmlStrcmp(d->name, BAD_CAST "d") != 0)
			continue;
		n_d++;
		for (c = d->children; c; c = c->next) {
			xmlChar *dn, *cn;

			if (c->type != XML_ELEMENT_NODE || xmlStrcmp(c->name, BAD_CAST "c") != 0)
				continue;
			n_c++;
			dn = xmlGetProp(d, BAD_CAST "n");
			cn = xmlGetProp(c, BAD_CAST "n");
			if (dn && cn && *dn && *cn && !handle)
				handle = g_strdup_printf("%s@%s", (const char *) cn, (const char *) dn);
			xmlFree(dn);
			xmlFree(cn);
		}
	}
	if (!root || xmlStrcmp(root->name, BAD_CAST "ml") != 0 || n_d != 1 || n_c > 1) {
		error_reply(s, cmd, 241, TRUE);
	} else if (n_c == 0 || !handle) {
		error_reply(s, cmd, 240, TRUE);
	} else if (!lists_user_exists(s->srv, handle)) {
		error_reply(s, cmd, 208, FALSE);
	} else {
		const char *at = strrchr(handle, '@');
		char *local = g_strndup(handle, (gsize) (at - handle));
		char *head = g_strdup_printf("FQY %u", cmd->trid);

		reply = g_strdup_printf("<ml><d n=\"%s\"><c n=\"%s\" t=\"1\" /></d></ml>", at + 1, local);
		conn_send_payload(s->conn, head, reply, strlen(reply));
		g_free(reply);
		g_free(head);
		g_free(local);
	}
	g_free(handle);
	if (doc)
		xmlFreeDoc(doc);
}

/* ---- dispatch -------------------------------------------------------------------------------- */

gboolean
nslists_command(NsSession *s, MsnCommand *cmd)
{
	const char *n = cmd->name;

	if (strcmp(n, "SYN") == 0)
		cmd_syn(s, cmd);
	else if (strcmp(n, "ADD") == 0)
		cmd_add(s, cmd);
	else if (strcmp(n, "ADC") == 0)
		cmd_adc(s, cmd);
	else if (strcmp(n, "REM") == 0)
		cmd_rem(s, cmd);
	else if (strcmp(n, "ADG") == 0)
		cmd_adg(s, cmd);
	else if (strcmp(n, "RMG") == 0)
		cmd_rmg(s, cmd);
	else if (strcmp(n, "REG") == 0)
		cmd_reg(s, cmd);
	else if (strcmp(n, "BLP") == 0 || strcmp(n, "GTC") == 0)
		cmd_blp_gtc(s, cmd);
	else if (strcmp(n, "PRP") == 0)
		cmd_prp(s, cmd);
	else if (strcmp(n, "REA") == 0)
		cmd_rea(s, cmd);
	else if (strcmp(n, "SBP") == 0)
		conn_send_line(s->conn, "SBP %u %s %s %s", cmd->trid, cmd->params[0], cmd->params[1],
		               cmd->params[2]);
	else if (strcmp(n, "ADL") == 0 || strcmp(n, "RML") == 0)
		cmd_adl_rml(s, cmd);
	else if (strcmp(n, "FQY") == 0)
		cmd_fqy(s, cmd);
	else
		return FALSE;
	return TRUE;
}

gboolean
nslists_rejected(NsSession *s, const char *name, guint trid)
{
	guint v = s->version;

	if (s->state != NS_SIGNED_IN)
		return FALSE;
	if ((strcmp(name, "SYN") == 0 && v >= 13) || (strcmp(name, "REA") == 0 && v >= 10)) {
		conn_send_line(s->conn, "502 %u", trid);
		return TRUE;
	}
	if ((strcmp(name, "ADD") == 0 && v >= 10) || (strcmp(name, "ADC") == 0 && v < 10) ||
	    (strcmp(name, "GTC") == 0 && v >= 13) || strcmp(name, "SBP") == 0 ||
	    (strcmp(name, "GCF") == 0 && v < 11) ||
	    ((strcmp(name, "ADL") == 0 || strcmp(name, "RML") == 0 || strcmp(name, "UUN") == 0) &&
	     v < 13) ||
	    ((strcmp(name, "FQY") == 0 || strcmp(name, "UUM") == 0) && v < 14)) {
		char *why = g_strdup_printf("%s at MSNP%u", name, v);

		disconnect(s, why);
		g_free(why);
		return TRUE;
	}
	return FALSE;
}
