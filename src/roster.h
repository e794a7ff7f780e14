/* purple-msnp — the contact roster as the server holds it: contacts with their
 * five lists, groups, and indexes so every lookup is O(1).
 *
 * GLib only: no libpurple here (src/blist.c mirrors the roster into
 * libpurple's buddy list).
 */
#ifndef MSNP_ROSTER_H
#define MSNP_ROSTER_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	MSN_LIST_FL = 1,   /* forward: your buddies */
	MSN_LIST_AL = 2,   /* allow */
	MSN_LIST_BL = 4,   /* block */
	MSN_LIST_RL = 8,   /* reverse: who has you */
	MSN_LIST_PL = 16   /* pending: waiting for your decision */
} MsnListBits;

#define MSN_LIST_ALL 31

typedef struct _MsnGroup {
	char *id;          /* "0", "1" … (8–9) or a GUID (10+) */
	char *name;        /* decoded UTF-8 */
} MsnGroup;

typedef struct _MsnContact {
	char *handle;      /* as the server spells it */
	char *friendly;    /* server-stored name, decoded UTF-8, NULL if none */
	char *guid;        /* contact GUID (10+), NULL when the server gave none */
	guint lists;       /* MsnListBits */
	guint network;     /* 1 MSN, 4 phone, 32 Yahoo … */
	GPtrArray *groups; /* MsnGroup*, not owned; NULL when in no group */
	char *phone_home, *phone_work, *phone_mobile;
	/* Presence, as last announced. */
	char *psm;         /* personal message, NULL when none */
	char *media;       /* raw CurrentMedia, NULL when none */
	guint8 status;     /* MsnStatus (src/proto/presence.h); 0 = offline/unknown */
} MsnContact;

typedef struct _MsnRoster MsnRoster;

MsnRoster *msn_roster_new(void);
void msn_roster_free(MsnRoster *roster);
/* Forgets every contact and group (a new full sync). */
void msn_roster_clear(MsnRoster *roster);

/* Contacts, by handle (case-insensitive) or GUID. */
MsnContact *msn_roster_find(MsnRoster *roster, const char *handle);
MsnContact *msn_roster_find_guid(MsnRoster *roster, const char *guid);
/* The contact for handle, created (on no list) when missing. */
MsnContact *msn_roster_ensure(MsnRoster *roster, const char *handle);
void msn_roster_set_guid(MsnRoster *roster, MsnContact *contact, const char *guid);
void msn_roster_set_friendly(MsnContact *contact, const char *friendly);
void msn_roster_remove(MsnRoster *roster, MsnContact *contact);
guint msn_roster_size(MsnRoster *roster);
/* Contacts in the order they were first added. */
void msn_roster_foreach(MsnRoster *roster, GFunc func, gpointer data);

/* Groups, by id or (case-sensitive) name. */
MsnGroup *msn_roster_find_group(MsnRoster *roster, const char *id);
MsnGroup *msn_roster_find_group_by_name(MsnRoster *roster, const char *name);
/* Adds or renames. */
MsnGroup *msn_roster_add_group(MsnRoster *roster, const char *id, const char *name);
void msn_roster_rename_group(MsnRoster *roster, MsnGroup *group, const char *name);
/* Removes the group and takes every contact out of it. */
void msn_roster_remove_group(MsnRoster *roster, MsnGroup *group);
/* Groups in the order they were added. */
GPtrArray *msn_roster_groups(MsnRoster *roster);

gboolean msn_contact_in_group(const MsnContact *contact, const MsnGroup *group);
void msn_contact_add_group(MsnContact *contact, MsnGroup *group);
void msn_contact_remove_group(MsnContact *contact, MsnGroup *group);

/* "needs a decision": on neither AL nor BL, and pending (PL), or on RL
 * without being on FL. */
gboolean msn_contact_needs_decision(const MsnContact *contact);

G_END_DECLS

#endif
