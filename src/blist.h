/* purple-msnp — the roster mirrored into libpurple's buddy list, privacy
 * lists and authorization requests, in time linear in the list. */
#ifndef MSNP_BLIST_H
#define MSNP_BLIST_H

#include "session.h"

G_BEGIN_DECLS

/* Makes libpurple's buddy list, permit/deny lists and privacy mode for this
 * account exactly what the roster holds, and asks about contacts that added
 * the user (once each).  Called when a full list has arrived. */
void msn_blist_sync(MsnSession *session);

/* One contact's buddies, server alias and privacy entries made to match the
 * roster again (after a pushed change, or to undo a refused one). */
void msn_blist_contact_changed(MsnSession *session, const char *handle);

/* Asks the user about a contact that added them (once per contact). */
void msn_blist_ask(MsnSession *session, MsnContact *contact);

/* Undo helpers for refused changes. */
void msn_blist_rename_group_back(MsnSession *session, const char *current, const char *old_name);
void msn_blist_restore_group(MsnSession *session, const char *name);
void msn_blist_restore_privacy(MsnSession *session);

/* The libpurple group for an ungrouped buddy. */
const char *msn_blist_default_group(void);

G_END_DECLS

#endif
