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

/* A change as a queue of steps (SOAP calls, then ADL/RML/BLP/PRP on the NS),
 * run in order; the roster follows each confirmed step; a refused step ends
 * the change, puts libpurple back as the roster has it and tells the user
 * (title).  Used by contacts.c for MSNP13–14. */
typedef struct _MsnAbOp MsnAbOp;
/* session NULL: the change was dropped (the session ended); free data only. */
typedef void (*MsnAbDone)(MsnSession *session, const GError *error, gpointer data);

enum {
	MSN_AB_CONTACT_ADD,          /* a = handle */
	MSN_AB_CONTACT_DELETE,       /* a = handle */
	MSN_AB_GROUP_ENSURE,         /* a = group name */
	MSN_AB_GROUP_CONTACT_ADD,    /* a = handle, b = group name */
	MSN_AB_GROUP_CONTACT_DELETE, /* a = handle, b = group name */
	MSN_AB_GROUP_RENAME,         /* a = old name, b = new name */
	MSN_AB_GROUP_DELETE,         /* a = group name */
	MSN_AB_MEMBER_ADD,           /* lists = role, a = handle */
	MSN_AB_MEMBER_DELETE,        /* lists = role, a = handle */
	MSN_AB_ADL,                  /* lists, a = handle */
	MSN_AB_RML,                  /* lists, a = handle */
	MSN_AB_BLP,                  /* lists = MSN_LIST_AL or MSN_LIST_BL */
	MSN_AB_ME_UPDATE,            /* a = display name or NULL, lists = BLP list or 0 */
	MSN_AB_PRP_MFN               /* a = display name */
};

MsnAbOp *msn_abop_new(MsnSession *session, const char *handle, const char *title);
void msn_abop_add(MsnAbOp *op, guint kind, guint lists, const char *a, const char *b);
void msn_abop_on_done(MsnAbOp *op, MsnAbDone done, gpointer data);
void msn_abop_run(MsnAbOp *op);
void msn_addressbook_cancel_ops(MsnSession *session);

G_END_DECLS

#endif
