/* purple-msnp — the MSNP13–14 contact list: address book and memberships over
 * SOAP at sign-in, then the initial ADL; changes through SOAP plus ADL/RML. */
#ifndef MSNP_ADDRESSBOOK_H
#define MSNP_ADDRESSBOOK_H

#include "session.h"

G_BEGIN_DECLS

/* After USR OK: fetches FindMembership and ABFindAll (in parallel), fills the
 * roster, then calls done (which sends BLP, ADL, PRP, CHG …).  When a fetch
 * fails the user is told and the roster is built from libpurple's own list,
 * so nothing is lost and presence still works. */
void msn_addressbook_load(MsnSession *session, void (*done)(MsnSession *session));

/* The session ends: a fetch still running will only free its results. */
void msn_addressbook_cancel(MsnSession *session);

/* The initial ADL payloads for the roster (FL/AL/BL contacts). */
GPtrArray *msn_addressbook_initial_adl(MsnSession *session);

/* Server pushes ADL 0 / RML 0 (someone added or removed you). */
gboolean msn_addressbook_handle(MsnSession *session, MsnCommand *cmd);

G_END_DECLS

#endif
