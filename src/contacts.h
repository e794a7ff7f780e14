/* purple-msnp — the contact list on the notification server: the SYN dump of
 * MSNP8–12 read into the roster, and the list commands of each version. */
#ifndef MSNP_CONTACTS_H
#define MSNP_CONTACTS_H

#include <prpl.h>

#include "session.h"

G_BEGIN_DECLS

/* TRUE when cmd was a list line (GTC, BLP, PRP, LSG, LST, BPR without TrID,
 * and their TrID-0 pushes) and has been applied to the roster. */
gboolean msn_contacts_handle(MsnSession *session, MsnCommand *cmd);

/* Parses the list bits token; unknown bits are dropped (with a debug line). */
guint msn_contacts_parse_bits(const char *token);

G_END_DECLS

G_BEGIN_DECLS

/* Changes the user makes, sent the way the negotiated version does it.  The
 * roster changes when the server confirms; when it refuses, libpurple's
 * buddy list is put back as the roster has it and the user is told why. */
void msn_contacts_add_buddy(MsnSession *session, const char *handle, const char *group);
void msn_contacts_remove_buddy(MsnSession *session, const char *handle, const char *group);
void msn_contacts_move_buddy(MsnSession *session, const char *handle,
                             const char *old_group, const char *new_group);
void msn_contacts_rename_group(MsnSession *session, const char *old_name, const char *new_name);
void msn_contacts_remove_group(MsnSession *session, const char *name);
/* AL or BL on/off (block = off AL, on BL, in that order). */
void msn_contacts_set_blocked(MsnSession *session, const char *handle, gboolean blocked);
void msn_contacts_set_allowed(MsnSession *session, const char *handle, gboolean allowed);
/* BLP: block everyone not on the allow list (TRUE) or allow everyone not blocked. */
void msn_contacts_set_privacy(MsnSession *session, gboolean block_others);
/* Answer to someone who added the user. */
void msn_contacts_decide(MsnSession *session, const char *handle, gboolean allow);
/* The user's own friendly name; the callbacks (may be NULL) say how it went. */
void msn_contacts_set_own_name(MsnSession *session, const char *name,
                               PurpleSetPublicAliasSuccessCallback success_cb,
                               PurpleSetPublicAliasFailureCallback failure_cb);

/* Drops the operations still waiting for a reply (session ending). */
void msn_contacts_cancel_all(MsnSession *session);

G_END_DECLS

#endif
