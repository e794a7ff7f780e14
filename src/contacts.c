/* purple-msnp — the MSNP8–12 list dump (SYN) read into the roster. */
#include "contacts.h"

#include <stdlib.h>
#include <string.h>

#include <debug.h>

#include "addressbook.h"
#include "blist.h"
#include "msnp.h"
#include "proto/urlenc.h"

#include <notify.h>

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

guint
msn_contacts_parse_bits(const char *token)
{
	guint64 v = g_ascii_strtoull(token, NULL, 10);

	if (v & ~(guint64)MSN_LIST_ALL)
		purple_debug_info("msnp", "ignoring unknown list bits 0x%" G_GINT64_MODIFIER "x\n",
		                  v & ~(guint64)MSN_LIST_ALL);
	return (guint)(v & MSN_LIST_ALL);
}

static guint
list_from_name(const char *name)
{
	if (g_strcmp0(name, "FL") == 0) return MSN_LIST_FL;
	if (g_strcmp0(name, "AL") == 0) return MSN_LIST_AL;
	if (g_strcmp0(name, "BL") == 0) return MSN_LIST_BL;
	if (g_strcmp0(name, "RL") == 0) return MSN_LIST_RL;
	if (g_strcmp0(name, "PL") == 0) return MSN_LIST_PL;
	return 0;
}

/* A decoded, valid UTF-8 name; NULL for an empty one. */
static char *
decode_name(const char *raw)
{
	char *s;

	if (raw == NULL || *raw == '\0')
		return NULL;
	s = msn_url_decode(raw);
	if (*s == '\0') {
		g_free(s);
		return NULL;
	}
	return s;
}

/* The group name libpurple can hold: never empty. */
static char *
group_name(const char *raw, const char *id)
{
	char *name = decode_name(raw);

	if (name == NULL)
		name = g_strdup_printf("Group %s", id);
	return name;
}

/* LSG id name 0 (8–9) / LSG name guid (10–12). */
static void
handle_lsg(MsnSession *session, MsnCommand *cmd)
{
	const char *id, *raw;
	char *name;

	if (session->dialect->list_style == MSN_LIST_SYN_VERSION) {
		id = cmd->params[0];
		raw = cmd->n_params > 1 ? cmd->params[1] : "";
	} else if (cmd->n_params >= 2) {
		raw = cmd->params[0];
		id = cmd->params[1];
	} else {
		/* An empty name leaves only the GUID. */
		raw = "";
		id = cmd->params[0];
	}
	name = group_name(raw, id);
	msn_roster_add_group(session->roster, id, name);
	g_free(name);
}

/* Puts the contact in each group of a comma-separated list. */
static void
set_groups(MsnSession *session, MsnContact *c, const char *list)
{
	char **ids;
	guint i;

	if (c->groups)
		g_ptr_array_set_size(c->groups, 0);
	if (list == NULL || *list == '\0')
		return;
	ids = g_strsplit(list, ",", 64);
	for (i = 0; ids[i]; i++) {
		MsnGroup *g;
		if (*ids[i] == '\0')
			continue;
		g = msn_roster_find_group(session->roster, ids[i]);
		if (g)
			msn_contact_add_group(c, g);
		else
			purple_debug_warning("msnp", "%s is in group %s, which the list does not "
			                     "have; showing it ungrouped\n", c->handle, ids[i]);
	}
	g_strfreev(ids);
}

/* LST handle friendly bits {gids} (8–9); LST N= F= C= bits {nid} {guids} (10–12). */
static void
handle_lst(MsnSession *session, MsnCommand *cmd)
{
	const char *handle = NULL, *friendly = NULL, *guid = NULL, *groups = NULL;
	guint bits = 0, network = 1, i;
	gboolean have_bits = FALSE, have_nid = FALSE;
	MsnContact *c;
	char *name;

	if (session->dialect->list_style == MSN_LIST_SYN_VERSION) {
		handle = cmd->params[0];
		friendly = cmd->n_params > 1 ? cmd->params[1] : NULL;
		for (i = 1; i < cmd->n_params; i++) {
			if (!have_bits && all_digits(cmd->params[i]) && i >= 2) {
				bits = msn_contacts_parse_bits(cmd->params[i]);
				have_bits = TRUE;
			} else if (have_bits)
				groups = cmd->params[i];
		}
	} else {
		for (i = 0; i < cmd->n_params; i++) {
			const char *t = cmd->params[i];
			if (g_str_has_prefix(t, "N="))
				handle = t + 2;
			else if (g_str_has_prefix(t, "F="))
				friendly = t + 2;
			else if (g_str_has_prefix(t, "C="))
				guid = t + 2;
			else if (!have_bits && all_digits(t)) {
				bits = msn_contacts_parse_bits(t);
				have_bits = TRUE;
			} else if (have_bits && !have_nid && session->dialect->lst_has_nid && all_digits(t)) {
				network = (guint)CLAMP(atoi(t), 0, 1 << 16);
				have_nid = TRUE;
			} else if (have_bits)
				groups = t;
		}
	}
	if (handle == NULL || *handle == '\0' || !have_bits) {
		purple_debug_warning("msnp", "ignoring an LST line without handle or list bits\n");
		return;
	}
	if (msn_roster_find(session->roster, handle))
		purple_debug_info("msnp", "%s is listed twice; merging\n", handle);
	c = msn_roster_ensure(session->roster, handle);
	c->lists |= bits;
	c->network = network;
	/* A GUID equal to the handle (ABCHMigrated: 0) is no GUID. */
	if (guid && *guid && g_ascii_strcasecmp(guid, handle) != 0)
		msn_roster_set_guid(session->roster, c, guid);
	name = decode_name(friendly);
	if (name && g_ascii_strcasecmp(name, handle) != 0)
		msn_roster_set_friendly(c, name);
	g_free(name);
	if (bits & MSN_LIST_FL)
		set_groups(session, c, groups);
	session->last_lst = c;
}

/* BPR key value (in SYN: for the preceding LST) / BPR {ver} handle key value. */
static void
handle_bpr(MsnSession *session, MsnCommand *cmd)
{
	MsnContact *c = session->last_lst;
	const char *key, *value;
	char **slot = NULL;

	if (cmd->n_params >= 3) {
		c = msn_roster_find(session->roster, cmd->params[cmd->n_params - 3]);
		key = cmd->params[cmd->n_params - 2];
		value = cmd->params[cmd->n_params - 1];
	} else if (cmd->n_params == 2) {
		key = cmd->params[0];
		value = cmd->params[1];
	} else
		return;
	if (c == NULL)
		return;
	if (strcmp(key, "PHH") == 0)
		slot = &c->phone_home;
	else if (strcmp(key, "PHW") == 0)
		slot = &c->phone_work;
	else if (strcmp(key, "PHM") == 0)
		slot = &c->phone_mobile;
	if (slot) {
		g_free(*slot);
		*slot = decode_name(value);
	}
}

/* The last parameter of GTC/BLP: inside SYN the only one, in replies after
 * the TrID and (8–9) the list version. */
static const char *
last_param(MsnCommand *cmd)
{
	return cmd->n_params ? cmd->params[cmd->n_params - 1] : "";
}

/* A list change confirmed by the server, or pushed by it (TrID 0):
 * ADD LIST {ver} handle name {gid} (8–9) / ADC LIST N= F= C= | C=guid gguid (10–12). */
static void
handle_add(MsnSession *session, MsnCommand *cmd)
{
	guint list = list_from_name(cmd->params[0]);
	const char *handle = NULL, *friendly = NULL, *guid = NULL, *gid = NULL;
	MsnContact *c;
	guint i;

	if (list == 0)
		return;
	if (strcmp(cmd->name, "ADD") == 0) {
		/* LIST ver handle name {gid} */
		if (cmd->n_params < 4)
			return;
		handle = cmd->params[2];
		friendly = cmd->params[3];
		gid = cmd->n_params > 4 ? cmd->params[4] : NULL;
	} else {
		for (i = 1; i < cmd->n_params; i++) {
			const char *t = cmd->params[i];
			if (g_str_has_prefix(t, "N="))
				handle = t + 2;
			else if (g_str_has_prefix(t, "F="))
				friendly = t + 2;
			else if (g_str_has_prefix(t, "C="))
				guid = t + 2;
			else
				gid = t;
		}
	}
	if (handle)
		c = msn_roster_ensure(session->roster, handle);
	else if (guid)
		c = msn_roster_find_guid(session->roster, guid);
	else
		return;
	if (c == NULL)
		return;
	c->lists |= list;
	if (guid && handle && g_ascii_strcasecmp(guid, handle) != 0)
		msn_roster_set_guid(session->roster, c, guid);
	if (friendly) {
		char *name = decode_name(friendly);
		if (name && g_ascii_strcasecmp(name, c->handle) != 0)
			msn_roster_set_friendly(c, name);
		g_free(name);
	}
	if (list == MSN_LIST_FL && gid) {
		MsnGroup *g = msn_roster_find_group(session->roster, gid);
		if (g)
			msn_contact_add_group(c, g);
	}
	if (cmd->trid == 0 && session->list_ready) {
		msn_blist_contact_changed(session, c->handle);
		if ((list & (MSN_LIST_RL | MSN_LIST_PL)) && msn_contact_needs_decision(c) &&
		    session->gtc != 'N')
			msn_blist_ask(session, c);
	}
}

/* REM LIST {ver} handle {gid} (8–9) / REM LIST guid|handle {gguid} (10–12). */
static void
handle_rem(MsnSession *session, MsnCommand *cmd)
{
	guint list = list_from_name(cmd->params[0]);
	const char *who, *gid = NULL;
	MsnContact *c;
	guint first = 1;

	if (list == 0)
		return;
	/* 8–9 and RL pushes may carry a list version before the handle. */
	if (cmd->n_params > 2 && all_digits(cmd->params[1]))
		first = 2;
	if (cmd->n_params <= first)
		return;
	who = cmd->params[first];
	if (cmd->n_params > first + 1)
		gid = cmd->params[first + 1];
	c = msn_roster_find_guid(session->roster, who);
	if (c == NULL)
		c = msn_roster_find(session->roster, who);
	if (c == NULL)
		return;
	if (list == MSN_LIST_FL && gid) {
		MsnGroup *g = msn_roster_find_group(session->roster, gid);
		if (g)
			msn_contact_remove_group(c, g);
	} else {
		c->lists &= ~list;
		if (list == MSN_LIST_FL && c->groups)
			g_ptr_array_set_size(c->groups, 0);
	}
	if (cmd->trid == 0 && session->list_ready)
		msn_blist_contact_changed(session, c->handle);
}

/* ADG trid {ver} name id {0}: a list version (8–9, and Escargot sometimes at
 * 10+) may stand before the name; the group's id follows the name. */
static void
handle_adg(MsnSession *session, MsnCommand *cmd)
{
	guint start = 0;
	char *name;

	if (cmd->n_params >= 3 && all_digits(cmd->params[0]) &&
	    (session->dialect->list_style == MSN_LIST_SYN_VERSION || strchr(cmd->params[2], '-')))
		start = 1;
	if (cmd->n_params < start + 2)
		return;
	name = group_name(cmd->params[start], cmd->params[start + 1]);
	msn_roster_add_group(session->roster, cmd->params[start + 1], name);
	g_free(name);
}

gboolean
msn_contacts_handle(MsnSession *session, MsnCommand *cmd)
{
	const char *n = cmd->name;

	if (session->dialect == NULL || session->dialect->list_style == MSN_LIST_ABCH)
		return FALSE;
	if (strcmp(n, "ADD") == 0 || strcmp(n, "ADC") == 0)
		handle_add(session, cmd);
	else if (strcmp(n, "REM") == 0)
		handle_rem(session, cmd);
	else if (strcmp(n, "ADG") == 0)
		handle_adg(session, cmd);
	else if (strcmp(n, "RMG") == 0 || strcmp(n, "REG") == 0)
		;   /* confirmations: the operation that asked updates the roster */
	else if (strcmp(n, "REA") == 0) {
		/* REA trid ver handle name: our own name when the handle is ours. */
		if (cmd->n_params >= 3 &&
		    g_ascii_strcasecmp(cmd->params[cmd->n_params - 2], session->handle) == 0) {
			char *name = decode_name(cmd->params[cmd->n_params - 1]);
			if (name)
				purple_connection_set_display_name(session->gc, name);
			g_free(name);
		}
	}
	else if (strcmp(n, "LST") == 0)
		handle_lst(session, cmd);
	else if (strcmp(n, "LSG") == 0)
		handle_lsg(session, cmd);
	else if (strcmp(n, "BPR") == 0)
		handle_bpr(session, cmd);
	else if (strcmp(n, "GTC") == 0)
		session->gtc = strcmp(last_param(cmd), "N") == 0 ? 'N' : 'A';
	else if (strcmp(n, "BLP") == 0)
		session->blp = strcmp(last_param(cmd), "BL") == 0 ? 'B' : 'A';
	else if (strcmp(n, "PRP") == 0) {
		/* PRP MFN name: our own display name (10+). */
		guint k = cmd->has_trid && session->dialect->list_style == MSN_LIST_SYN_VERSION ? 1 : 0;
		if (cmd->n_params >= k + 2 && strcmp(cmd->params[k], "MFN") == 0) {
			char *name = decode_name(cmd->params[k + 1]);
			if (name)
				purple_connection_set_display_name(session->gc, name);
			g_free(name);
		}
	} else if (strcmp(n, "SYN") == 0)
		/* The reply itself: a full dump follows (we always ask for one). */
		msn_roster_clear(session->roster), session->last_lst = NULL;
	else
		return FALSE;
	return TRUE;
}

/* ---- Changes (MSNP8–12 over the NS) ---- */

/* One user-visible change, possibly several commands long. */
typedef enum {
	OP_ADD_BUDDY,      /* FL (+ group), then AL unless on AL/BL */
	OP_ADD_TO_GROUP,   /* an FL contact into one more group */
	OP_REMOVE_BUDDY,
	OP_MOVE_BUDDY,     /* into new group, then out of old */
	OP_RENAME_GROUP,
	OP_REMOVE_GROUP,
	OP_LIST,           /* AL/BL/PL on or off, possibly several in a row */
	OP_PRIVACY,
	OP_OWN_NAME
} OpKind;

typedef struct {
	MsnSession *session;
	OpKind kind;
	char *handle;
	char *group;       /* the group name the change is about */
	char *group2;      /* move: the old group; rename: the new name */
	guint step;
	/* OP_LIST: a queue of (list, on) pairs still to send. */
	GArray *lists;
	/* OP_OWN_NAME */
	PurpleSetPublicAliasSuccessCallback name_ok;
	PurpleSetPublicAliasFailureCallback name_failed;
} Op;

typedef struct {
	guint list;
	gboolean on;
} ListChange;

static void op_next(Op *op);

static void
op_free(Op *op)
{
	g_free(op->handle);
	g_free(op->group);
	g_free(op->group2);
	if (op->lists)
		g_array_free(op->lists, TRUE);
	g_free(op);
}

static GHashTable *
ops_of(MsnSession *session)
{
	if (session->ops == NULL)
		session->ops = g_hash_table_new_full(g_direct_hash, g_direct_equal,
		                                     (GDestroyNotify)op_free, NULL);
	return session->ops;
}

static Op *
op_new(MsnSession *session, OpKind kind, const char *handle, const char *group)
{
	Op *op = g_new0(Op, 1);

	op->session = session;
	op->kind = kind;
	op->handle = g_strdup(handle);
	op->group = g_strdup(group);
	g_hash_table_add(ops_of(session), op);
	return op;
}

static void
op_done(Op *op)
{
	g_hash_table_remove(ops_of(op->session), op);
}

void
msn_contacts_cancel_all(MsnSession *session)
{
	if (session->ops)
		g_hash_table_destroy(session->ops);
	session->ops = NULL;
}

static const char *
list_name(guint list)
{
	switch (list) {
	case MSN_LIST_FL: return "FL";
	case MSN_LIST_AL: return "AL";
	case MSN_LIST_BL: return "BL";
	case MSN_LIST_RL: return "RL";
	default: return "PL";
	}
}

/* The sentence for an error reply to a list change. */
static char *
change_error_text(guint code, const char *handle, const char *group)
{
	switch (code) {
	case 201: case 205: case 208:
		return g_strdup_printf(_("%s is not a valid MSN account."), handle ? handle : "");
	case 210:
		return g_strdup(_("The contact list is full."));
	case 223:
		return g_strdup(_("There are too many groups."));
	case 224: case 231:
		return g_strdup_printf(_("The group \"%s\" does not exist on the server."), group ? group : "");
	case 228:
		return g_strdup_printf(_("A group called \"%s\" already exists."), group ? group : "");
	case 229:
		return g_strdup_printf(_("The group name \"%s\" is too long."), group ? group : "");
	case 230:
		return g_strdup(_("This group cannot be removed."));
	case 800:
		return g_strdup(_("Too many changes in a short time. Wait a minute and try again."));
	default:
		return g_strdup_printf(_("The server refused the change (error %u)."), code);
	}
}

/* The server refused: put libpurple back as the roster has it, and say why. */
static void
op_fail(Op *op, guint code, const GError *error)
{
	MsnSession *session = op->session;
	char *text = error ? g_strdup(error->message) : change_error_text(code, op->handle, op->group);
	const char *title;

	switch (op->kind) {
	case OP_ADD_BUDDY: case OP_ADD_TO_GROUP: title = _("Could not add the contact"); break;
	case OP_REMOVE_BUDDY: title = _("Could not remove the contact"); break;
	case OP_MOVE_BUDDY: title = _("Could not move the contact"); break;
	case OP_RENAME_GROUP: title = _("Could not rename the group"); break;
	case OP_REMOVE_GROUP: title = _("Could not remove the group"); break;
	case OP_OWN_NAME: title = _("Could not change your name"); break;
	default: title = _("Could not change the privacy settings"); break;
	}
	purple_debug_warning("msnp", "list change refused: %s\n", text);
	if (op->kind == OP_RENAME_GROUP)
		msn_blist_rename_group_back(session, op->group2, op->group);
	else if (op->kind == OP_REMOVE_GROUP)
		msn_blist_restore_group(session, op->group);
	else if (op->kind == OP_PRIVACY)
		msn_blist_restore_privacy(session);
	else if (op->kind == OP_OWN_NAME && op->name_failed)
		op->name_failed(session->account, text);
	else if (op->handle)
		msn_blist_contact_changed(session, op->handle);
	purple_notify_error(session->gc, title, title, text);
	g_free(text);
	op_done(op);
}

static gboolean
is_ok_error(guint code, OpKind kind)
{
	/* 215 already there, 216 not on the list, 225 not in that group,
	 * 218 already in that mode: the server already has what we want. */
	return code == 215 || code == 216 || code == 225 || code == 218 ||
	       (code == 219 && kind == OP_LIST) || (code == 224 && kind == OP_REMOVE_GROUP);
}

static void
op_reply(MsnConn *conn, MsnCommand *cmd, const GError *error, gpointer data)
{
	Op *op = data;

	if (cmd == NULL) {
		op_fail(op, 0, error);
		return;
	}
	if (cmd->error_code && !is_ok_error(cmd->error_code, op->kind)) {
		op_fail(op, cmd->error_code, NULL);
		return;
	}
	if (!cmd->error_code)
		msn_contacts_handle(op->session, cmd);
	op->step++;
	op_next(op);
}

static void
op_send(Op *op, const char *name, const char *const *params)
{
	msn_conn_send(op->session->ns, name, params, NULL, op_reply, op, 0);
}

/* 8–9: ADD/REM with handles and integer group ids; 10–12: ADC/REM with GUIDs. */
static gboolean
old_style(MsnSession *session)
{
	return session->dialect->add_style == MSN_ADD_ADD;
}

static void
send_list_add(Op *op, guint list, const char *handle)
{
	if (old_style(op->session)) {
		const char *p[] = { list_name(list), handle, handle, NULL };
		op_send(op, "ADD", p);
	} else {
		char *n = g_strconcat("N=", handle, NULL);
		const char *p[] = { list_name(list), n, NULL };
		op_send(op, "ADC", p);
		g_free(n);
	}
}

static void
send_list_rem(Op *op, guint list, const char *handle)
{
	const char *p[] = { list_name(list), handle, NULL };
	op_send(op, "REM", p);
}

static MsnGroup *
group_named(MsnSession *session, const char *name)
{
	if (name == NULL || strcmp(name, msn_blist_default_group()) == 0)
		return NULL;
	return msn_roster_find_group_by_name(session->roster, name);
}

/* Creates the group on the server, then continues the operation. */
static void
send_adg(Op *op, const char *name)
{
	char *enc = msn_url_encode(name);

	if (old_style(op->session)) {
		const char *p[] = { enc, "0", NULL };
		op_send(op, "ADG", p);
	} else {
		const char *p[] = { enc, NULL };
		op_send(op, "ADG", p);
	}
	g_free(enc);
}

/* The FL add of a new buddy (8–9 can name the group at once). */
static void
send_fl_add(Op *op, MsnGroup *g)
{
	if (old_style(op->session)) {
		const char *p[] = { "FL", op->handle, op->handle, g ? g->id : "0", NULL };
		op_send(op, "ADD", p);
	} else {
		char *n = g_strconcat("N=", op->handle, NULL);
		char *f = g_strconcat("F=", op->handle, NULL);
		const char *p[] = { "FL", n, f, NULL };
		op_send(op, "ADC", p);
		g_free(n);
		g_free(f);
	}
}

/* An existing FL contact into group g. */
static void
send_group_add(Op *op, MsnContact *c, MsnGroup *g)
{
	if (old_style(op->session)) {
		/* 8–9 ADD carries the name: keep the stored one. */
		char *name = msn_url_encode(c->friendly ? c->friendly : c->handle);
		const char *p[] = { "FL", c->handle, name, g->id, NULL };
		op_send(op, "ADD", p);
		g_free(name);
	} else {
		char *cg = g_strconcat("C=", c->guid ? c->guid : c->handle, NULL);
		const char *p[] = { "FL", cg, g->id, NULL };
		op_send(op, "ADC", p);
		g_free(cg);
	}
}

static void
send_group_rem(Op *op, MsnContact *c, MsnGroup *g)
{
	const char *who = old_style(op->session) || c->guid == NULL ? c->handle : c->guid;
	const char *p[] = { "FL", who, g ? g->id : NULL, NULL };
	op_send(op, "REM", p);
}

static void
op_next(Op *op)
{
	MsnSession *session = op->session;
	MsnContact *c = op->handle ? msn_roster_find(session->roster, op->handle) : NULL;
	MsnGroup *g = group_named(session, op->group);

	switch (op->kind) {
	case OP_ADD_BUDDY:
	case OP_ADD_TO_GROUP:
		/* step 0: make the group if needed; 1: FL / into the group;
		 * 2: the group for 10–12 new contacts; 3: AL; 4: done. */
		if (op->step == 0) {
			if (op->group && g == NULL && strcmp(op->group, msn_blist_default_group()) != 0) {
				send_adg(op, op->group);
				return;
			}
			op->step = 1;
		}
		if (op->step == 1) {
			if (c && (c->lists & MSN_LIST_FL)) {
				if (g && !msn_contact_in_group(c, g)) {
					send_group_add(op, c, g);
					op->step = 2;   /* the reply takes us to 3 */
					return;
				}
				op->step = 3;
			} else {
				send_fl_add(op, g);
				return;
			}
		}
		if (op->step == 2) {
			/* 10–12: the new contact has its GUID now; put it in the group. */
			if (!old_style(session) && g && c && !msn_contact_in_group(c, g)) {
				send_group_add(op, c, g);
				return;
			}
			op->step = 3;
		}
		if (op->step == 3) {
			op->step = 4;
			if (c && !(c->lists & (MSN_LIST_AL | MSN_LIST_BL))) {
				send_list_add(op, MSN_LIST_AL, op->handle);
				return;
			}
		}
		msn_blist_contact_changed(session, op->handle);
		op_done(op);
		return;

	case OP_REMOVE_BUDDY:
		if (op->step == 0 && c && (c->lists & MSN_LIST_FL)) {
			/* Out of this group only, while it is in others. */
			if (g && c->groups && c->groups->len > 1)
				send_group_rem(op, c, g);
			else
				send_group_rem(op, c, NULL);
			return;
		}
		msn_blist_contact_changed(session, op->handle);
		op_done(op);
		return;

	case OP_MOVE_BUDDY: {
		MsnGroup *old = group_named(session, op->group2);
		if (op->step == 0) {
			if (op->group && g == NULL && strcmp(op->group, msn_blist_default_group()) != 0) {
				send_adg(op, op->group);
				return;
			}
			op->step = 1;
		}
		if (op->step == 1 && c && g && !msn_contact_in_group(c, g)) {
			send_group_add(op, c, g);
			return;
		}
		if (op->step <= 2 && c && old && msn_contact_in_group(c, old)) {
			op->step = 2;
			send_group_rem(op, c, old);
			return;
		}
		msn_blist_contact_changed(session, op->handle);
		op_done(op);
		return;
	}

	case OP_RENAME_GROUP:
		if (op->step == 0 && g) {
			char *enc = msn_url_encode(op->group2);
			if (old_style(session)) {
				const char *p[] = { g->id, enc, "0", NULL };
				op_send(op, "REG", p);
			} else {
				const char *p[] = { g->id, enc, NULL };
				op_send(op, "REG", p);
			}
			g_free(enc);
			return;
		}
		if (g)
			msn_roster_rename_group(session->roster, g, op->group2);
		op_done(op);
		return;

	case OP_REMOVE_GROUP:
		if (op->step == 0 && g) {
			const char *p[] = { g->id, NULL };
			op_send(op, "RMG", p);
			return;
		}
		if (g)
			msn_roster_remove_group(session->roster, g);
		op_done(op);
		return;

	case OP_LIST:
		if (op->lists && op->step < op->lists->len) {
			ListChange *lc = &g_array_index(op->lists, ListChange, op->step);
			gboolean has = c && (c->lists & lc->list);
			if (lc->on == has) {
				op->step++;
				op_next(op);
			} else if (lc->on)
				send_list_add(op, lc->list, op->handle);
			else
				send_list_rem(op, lc->list, op->handle);
			return;
		}
		msn_blist_contact_changed(session, op->handle);
		op_done(op);
		return;

	case OP_PRIVACY:
		if (op->step == 0) {
			const char *p[] = { op->group, NULL };
			op_send(op, "BLP", p);
			return;
		}
		op_done(op);
		return;

	case OP_OWN_NAME:
		if (op->step == 0) {
			char *enc = msn_url_encode(op->group);
			if (session->dialect->own_name == MSN_OWN_NAME_REA) {
				const char *p[] = { session->handle, enc, NULL };
				op_send(op, "REA", p);
			} else {
				const char *p[] = { "MFN", enc, NULL };
				op_send(op, "PRP", p);
			}
			g_free(enc);
			return;
		}
		if (op->name_ok)
			op->name_ok(session->account, op->group);
		op_done(op);
		return;
	}
}

static gboolean
can_change(MsnSession *session)
{
	return session->ns && session->state == MSN_SIGNIN_ONLINE && session->dialect &&
	       session->dialect->list_style != MSN_LIST_ABCH;
}

/* ---- MSNP13–14: the same changes through the address book ---- */

static gboolean
is_default_group(const char *group)
{
	return group == NULL || strcmp(group, msn_blist_default_group()) == 0;
}

/* An address-book change, or NULL (after undoing the local change) when the
 * list did not load from the server this session. */
static MsnAbOp *
ab_op(MsnSession *session, const char *handle, const char *title)
{
	if (session->ns == NULL || session->state != MSN_SIGNIN_ONLINE || session->dialect == NULL ||
	    session->dialect->list_style != MSN_LIST_ABCH)
		return NULL;
	if (!session->list_from_server) {
		purple_notify_error(session->gc, title, title,
		                    _("Your contact list did not load from the server this "
		                      "session, so changes cannot be saved. Sign in again."));
		if (handle)
			msn_blist_contact_changed(session, handle);
		return NULL;
	}
	return msn_abop_new(session, handle, title);
}

static gboolean
ab_add_buddy(MsnSession *session, const char *handle, const char *group)
{
	MsnAbOp *op;
	MsnContact *c;
	guint adl = MSN_LIST_FL;

	if (session->dialect->list_style != MSN_LIST_ABCH)
		return FALSE;
	if ((op = ab_op(session, handle, _("Could not add the contact"))) == NULL)
		return TRUE;
	c = msn_roster_find(session->roster, handle);
	if (!is_default_group(group))
		msn_abop_add(op, MSN_AB_GROUP_ENSURE, 0, group, NULL);
	msn_abop_add(op, MSN_AB_CONTACT_ADD, 0, handle, NULL);
	if (!is_default_group(group))
		msn_abop_add(op, MSN_AB_GROUP_CONTACT_ADD, 0, handle, group);
	if (!(c && (c->lists & (MSN_LIST_AL | MSN_LIST_BL)))) {
		msn_abop_add(op, MSN_AB_MEMBER_ADD, MSN_LIST_AL, handle, NULL);
		adl |= MSN_LIST_AL;
	}
	if (!(c && (c->lists & MSN_LIST_FL)))
		msn_abop_add(op, MSN_AB_ADL, adl, handle, NULL);
	if (c && (c->lists & MSN_LIST_PL))
		msn_abop_add(op, MSN_AB_MEMBER_DELETE, MSN_LIST_PL, handle, NULL);
	msn_abop_run(op);
	return TRUE;
}

static gboolean
ab_remove_buddy(MsnSession *session, const char *handle, const char *group)
{
	MsnAbOp *op;
	MsnContact *c;

	if (session->dialect->list_style != MSN_LIST_ABCH)
		return FALSE;
	if ((op = ab_op(session, handle, _("Could not remove the contact"))) == NULL)
		return TRUE;
	c = msn_roster_find(session->roster, handle);
	if (!is_default_group(group) && c && c->groups && c->groups->len > 1)
		msn_abop_add(op, MSN_AB_GROUP_CONTACT_DELETE, 0, handle, group);
	else {
		msn_abop_add(op, MSN_AB_CONTACT_DELETE, 0, handle, NULL);
		msn_abop_add(op, MSN_AB_RML, MSN_LIST_FL, handle, NULL);
	}
	msn_abop_run(op);
	return TRUE;
}

static gboolean
ab_move_buddy(MsnSession *session, const char *handle, const char *old_group,
              const char *new_group)
{
	MsnAbOp *op;

	if (session->dialect->list_style != MSN_LIST_ABCH)
		return FALSE;
	if ((op = ab_op(session, handle, _("Could not move the contact"))) == NULL)
		return TRUE;
	if (!is_default_group(new_group)) {
		msn_abop_add(op, MSN_AB_GROUP_ENSURE, 0, new_group, NULL);
		msn_abop_add(op, MSN_AB_GROUP_CONTACT_ADD, 0, handle, new_group);
	}
	if (!is_default_group(old_group))
		msn_abop_add(op, MSN_AB_GROUP_CONTACT_DELETE, 0, handle, old_group);
	msn_abop_run(op);
	return TRUE;
}

/* Leave list `off`, join list `on` (0: none), with the NS told each. */
static gboolean
ab_switch_lists(MsnSession *session, const char *handle, guint off, guint on, const char *title)
{
	MsnContact *c;
	MsnAbOp *op;

	if (session->dialect->list_style != MSN_LIST_ABCH)
		return FALSE;
	if ((op = ab_op(session, handle, title)) == NULL)
		return TRUE;
	c = msn_roster_find(session->roster, handle);
	if (off && c && (c->lists & off)) {
		msn_abop_add(op, MSN_AB_MEMBER_DELETE, off, handle, NULL);
		msn_abop_add(op, MSN_AB_RML, off, handle, NULL);
	}
	if (on && !(c && (c->lists & on))) {
		msn_abop_add(op, MSN_AB_MEMBER_ADD, on, handle, NULL);
		msn_abop_add(op, MSN_AB_ADL, on, handle, NULL);
	}
	msn_abop_run(op);
	return TRUE;
}

void
msn_contacts_add_buddy(MsnSession *session, const char *handle, const char *group)
{
	MsnContact *c;

	if (strchr(handle, '@') == NULL && session->state == MSN_SIGNIN_ONLINE) {
		char *text = g_strdup_printf(_("%s is not a valid MSN account: an account is an "
		                               "e-mail address."), handle);
		purple_notify_error(session->gc, _("Could not add the contact"),
		                    _("Could not add the contact"), text);
		g_free(text);
		msn_blist_contact_changed(session, handle);
		return;
	}
	if (ab_add_buddy(session, handle, group) || !can_change(session))
		return;
	c = msn_roster_find(session->roster, handle);
	op_next(op_new(session, c && (c->lists & MSN_LIST_FL) ? OP_ADD_TO_GROUP : OP_ADD_BUDDY,
	               handle, group));
}

void
msn_contacts_remove_buddy(MsnSession *session, const char *handle, const char *group)
{
	if (ab_remove_buddy(session, handle, group))
		return;
	if (can_change(session))
		op_next(op_new(session, OP_REMOVE_BUDDY, handle, group));
}

void
msn_contacts_move_buddy(MsnSession *session, const char *handle, const char *old_group,
                        const char *new_group)
{
	Op *op;

	if (ab_move_buddy(session, handle, old_group, new_group) || !can_change(session))
		return;
	op = op_new(session, OP_MOVE_BUDDY, handle, new_group);
	op->group2 = g_strdup(old_group);
	op_next(op);
}

void
msn_contacts_rename_group(MsnSession *session, const char *old_name, const char *new_name)
{
	Op *op;

	if (session->dialect && session->dialect->list_style == MSN_LIST_ABCH) {
		MsnAbOp *ab = ab_op(session, NULL, _("Could not rename the group"));
		if (ab) {
			msn_abop_add(ab, MSN_AB_GROUP_RENAME, 0, old_name, new_name);
			msn_abop_run(ab);
		}
		return;
	}
	if (!can_change(session))
		return;
	op = op_new(session, OP_RENAME_GROUP, NULL, old_name);
	op->group2 = g_strdup(new_name);
	op_next(op);
}

void
msn_contacts_remove_group(MsnSession *session, const char *name)
{
	if (session->dialect && session->dialect->list_style == MSN_LIST_ABCH) {
		MsnAbOp *ab = ab_op(session, NULL, _("Could not remove the group"));
		if (ab) {
			msn_abop_add(ab, MSN_AB_GROUP_DELETE, 0, name, NULL);
			msn_abop_run(ab);
		}
		return;
	}
	if (can_change(session))
		op_next(op_new(session, OP_REMOVE_GROUP, NULL, name));
}

static void
list_op(MsnSession *session, const char *handle, const ListChange *changes, guint n)
{
	Op *op;

	if (!can_change(session))
		return;
	op = op_new(session, OP_LIST, handle, NULL);
	op->lists = g_array_new(FALSE, FALSE, sizeof(ListChange));
	g_array_append_vals(op->lists, changes, n);
	op_next(op);
}

void
msn_contacts_set_blocked(MsnSession *session, const char *handle, gboolean blocked)
{
	/* AL and BL exclude each other (Escargot does not enforce it): leave
	 * one before joining the other. */
	ListChange block[] = { { MSN_LIST_AL, FALSE }, { MSN_LIST_BL, TRUE } };
	ListChange unblock[] = { { MSN_LIST_BL, FALSE }, { MSN_LIST_AL, TRUE } };

	if (ab_switch_lists(session, handle, blocked ? MSN_LIST_AL : MSN_LIST_BL,
	                    blocked ? MSN_LIST_BL : MSN_LIST_AL,
	                    _("Could not change the privacy settings")))
		return;
	list_op(session, handle, blocked ? block : unblock, 2);
}

void
msn_contacts_set_allowed(MsnSession *session, const char *handle, gboolean allowed)
{
	ListChange allow[] = { { MSN_LIST_BL, FALSE }, { MSN_LIST_AL, TRUE } };
	ListChange disallow[] = { { MSN_LIST_AL, FALSE } };

	if (ab_switch_lists(session, handle, allowed ? MSN_LIST_BL : MSN_LIST_AL,
	                    allowed ? MSN_LIST_AL : 0, _("Could not change the privacy settings")))
		return;
	list_op(session, handle, allowed ? allow : disallow, allowed ? 2 : 1);
}

void
msn_contacts_decide(MsnSession *session, const char *handle, gboolean allow)
{
	MsnContact *c = msn_roster_find(session->roster, handle);
	ListChange changes[3];
	guint n = 0;

	if (session->dialect && session->dialect->list_style == MSN_LIST_ABCH) {
		MsnAbOp *op = ab_op(session, handle, _("Could not change the privacy settings"));
		guint list = allow ? MSN_LIST_AL : MSN_LIST_BL;
		if (op == NULL)
			return;
		msn_abop_add(op, MSN_AB_MEMBER_ADD, list, handle, NULL);
		msn_abop_add(op, MSN_AB_ADL, list, handle, NULL);
		if (c && (c->lists & MSN_LIST_PL))
			msn_abop_add(op, MSN_AB_MEMBER_DELETE, MSN_LIST_PL, handle, NULL);
		msn_abop_run(op);
		return;
	}
	changes[n].list = allow ? MSN_LIST_AL : MSN_LIST_BL;
	changes[n++].on = TRUE;
	/* 10–12: clearing PL is what ends "pending" (Escargot). */
	if (c && (c->lists & MSN_LIST_PL) && !old_style(session)) {
		changes[n].list = MSN_LIST_PL;
		changes[n++].on = FALSE;
	}
	list_op(session, handle, changes, n);
}

void
msn_contacts_set_privacy(MsnSession *session, gboolean block_others)
{
	Op *op;

	if (!session->ns || session->state != MSN_SIGNIN_ONLINE)
		return;
	if (session->dialect->list_style == MSN_LIST_ABCH) {
		MsnAbOp *ab = ab_op(session, NULL, _("Could not change the privacy settings"));
		guint list = block_others ? MSN_LIST_BL : MSN_LIST_AL;
		if (ab) {
			msn_abop_add(ab, MSN_AB_BLP, list, NULL, NULL);
			msn_abop_add(ab, MSN_AB_ME_UPDATE, list, NULL, NULL);
			msn_abop_run(ab);
		}
		return;
	}
	op = op_new(session, OP_PRIVACY, NULL, block_others ? "BL" : "AL");
	op_next(op);
}

typedef struct {
	PurpleSetPublicAliasSuccessCallback ok;
	PurpleSetPublicAliasFailureCallback failed;
	char *name;
} NameCallbacks;

static void
name_done(MsnSession *session, const GError *error, gpointer data)
{
	NameCallbacks *nc = data;

	if (session == NULL)
		;
	else if (error && nc->failed)
		nc->failed(session->account, error->message);
	else if (!error && nc->ok)
		nc->ok(session->account, nc->name);
	g_free(nc->name);
	g_free(nc);
}

void
msn_contacts_set_own_name(MsnSession *session, const char *name,
                          PurpleSetPublicAliasSuccessCallback success_cb,
                          PurpleSetPublicAliasFailureCallback failure_cb)
{
	Op *op;

	if (!session->ns || session->state != MSN_SIGNIN_ONLINE || name == NULL || *name == '\0') {
		if (failure_cb)
			failure_cb(session->account, _("Not signed in."));
		return;
	}
	if (session->dialect->list_style == MSN_LIST_ABCH) {
		MsnAbOp *ab = ab_op(session, NULL, _("Could not change your name"));
		NameCallbacks *nc;
		if (ab == NULL) {
			if (failure_cb)
				failure_cb(session->account, _("The contact list is not loaded."));
			return;
		}
		nc = g_new0(NameCallbacks, 1);
		nc->ok = success_cb;
		nc->failed = failure_cb;
		nc->name = g_strdup(name);
		msn_abop_add(ab, MSN_AB_ME_UPDATE, 0, name, NULL);
		msn_abop_add(ab, MSN_AB_PRP_MFN, 0, name, NULL);
		msn_abop_on_done(ab, name_done, nc);
		msn_abop_run(ab);
		return;
	}
	op = op_new(session, OP_OWN_NAME, NULL, name);
	op->name_ok = success_cb;
	op->name_failed = failure_cb;
	op_next(op);
}
