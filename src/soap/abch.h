/* purple-msnp — the address book (ABCH) and Sharing services over HTTPS
 * (MSNP13–14, protocol/contacts.md §6, auth.md §4).
 *
 * Each call builds the SOAP request (soap/abch-xml.h), sends it through the
 * account's MsnWeb with the ticket both as <TicketToken> and as the
 * "Cookie: MSPAuth=" header, and hands the parsed reply or a GError
 * (MSN_ABCH_ERROR, or MSN_WEB_ERROR for transport and TLS failures) to the
 * callback, exactly once.
 *
 * Cancellation (the MsnWeb contract): after msn_web_free() every pending
 * callback still runs once, later, with a G_IO_ERROR_CANCELLED error and a
 * NULL result.  It must then only free its data: the session is gone.
 *
 * A request that cannot be built (NULL handle, GUID or name, a URL that is
 * not http(s)) fails at once: the callback runs before the call returns,
 * with MSN_ABCH_ERROR_INVALID_ARGUMENT.
 *
 * url is the AB service URL (…/abservice/abservice.asmx) for the AB
 * operations and the Sharing service URL (…/abservice/SharingService.asmx)
 * for FindMembership, AddMember and DeleteMember.  ticket is the
 * contacts.msn.com ticket "t=…&p=…".
 */
#ifndef MSNP_SOAP_ABCH_H
#define MSNP_SOAP_ABCH_H

#include <glib.h>

#include "soap/abch-xml.h"

G_BEGIN_DECLS

typedef struct _MsnWeb MsnWeb;

/* ab / m belong to the callback (free with msn_abch_address_book_free /
 * msn_abch_memberships_free); NULL exactly when error is set. */
typedef void (*MsnAbchAddressBookCallback)(MsnAbchAddressBook *ab, const GError *error,
                                           gpointer data);
typedef void (*MsnAbchMembershipsCallback)(MsnAbchMemberships *m, const GError *error,
                                           gpointer data);
/* guid: the new contact's GUID (contact_add, group_contact_add) or group's
 * (group_add), valid during the call; NULL for the other operations and on
 * error.  contact_add and group_add fail with BAD_REPLY when the server sent
 * no GUID. */
typedef void (*MsnAbchDoneCallback)(const char *guid, const GError *error, gpointer data);

/* The login fetches (PartnerScenario Initial), always full. */
void msn_abch_find_all(MsnWeb *web, const char *url, const char *ticket,
                       MsnAbchAddressBookCallback cb, gpointer data);
void msn_abch_find_membership(MsnWeb *web, const char *url, const char *ticket,
                              MsnAbchMembershipsCallback cb, gpointer data);

/* AB service. */
void msn_abch_contact_add(MsnWeb *web, const char *url, const char *ticket,
                          const char *handle, guint network, const char *display_name,
                          MsnAbchDoneCallback cb, gpointer data);
void msn_abch_contact_delete(MsnWeb *web, const char *url, const char *ticket,
                             const char *contact_guid, MsnAbchDoneCallback cb, gpointer data);
/* The Me contact: see msn_abch_build_me_update() for the arguments. */
void msn_abch_me_update(MsnWeb *web, const char *url, const char *ticket,
                        const char *display_name, guint blp, char gtc,
                        MsnAbchDoneCallback cb, gpointer data);
void msn_abch_group_add(MsnWeb *web, const char *url, const char *ticket, const char *name,
                        MsnAbchDoneCallback cb, gpointer data);
void msn_abch_group_rename(MsnWeb *web, const char *url, const char *ticket,
                           const char *group_guid, const char *name,
                           MsnAbchDoneCallback cb, gpointer data);
void msn_abch_group_delete(MsnWeb *web, const char *url, const char *ticket,
                           const char *group_guid, MsnAbchDoneCallback cb, gpointer data);
void msn_abch_group_contact_add(MsnWeb *web, const char *url, const char *ticket,
                                const char *group_guid, const char *contact_guid,
                                MsnAbchDoneCallback cb, gpointer data);
void msn_abch_group_contact_delete(MsnWeb *web, const char *url, const char *ticket,
                                   const char *group_guid, const char *contact_guid,
                                   MsnAbchDoneCallback cb, gpointer data);

/* Sharing service: role is MSN_ADL_AL, MSN_ADL_BL, MSN_ADL_RL or MSN_ADL_PL. */
void msn_abch_member_add(MsnWeb *web, const char *url, const char *ticket, guint role,
                         const char *handle, guint network,
                         MsnAbchDoneCallback cb, gpointer data);
void msn_abch_member_delete(MsnWeb *web, const char *url, const char *ticket, guint role,
                            const char *handle, guint network,
                            MsnAbchDoneCallback cb, gpointer data);

G_END_DECLS

#endif
