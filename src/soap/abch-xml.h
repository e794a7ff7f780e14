/* purple-msnp — the address book (ABCH) and Sharing service SOAP documents
 * (protocol/contacts.md §6): request builders and reply parsers.
 *
 * GLib and libxml2 only (no libpurple, no libsoup), so the unit tests link
 * it alone.  The HTTP side is src/soap/abch.c.
 *
 * Parsers read with proto/xml.h's streaming reader (not libxml2: a
 * 20,000-contact sign-in is ~37 MB of SOAP, and libxml2's push parser spent
 * most of the sign-in reading it), by local element names (namespaces and
 * prefixes ignored), so an address book costs little memory beyond its
 * result; they refuse bodies over MSN_ABCH_MAX_BODY and documents with a
 * DTD, turn invalid UTF-8 into U+FFFD, convert a document that declares
 * another encoding (iconv), and look for a SOAP Fault anywhere (it may come
 * with HTTP 200).  Builders escape every value (libxml2 tree API).
 */
#ifndef MSNP_SOAP_ABCH_XML_H
#define MSNP_SOAP_ABCH_XML_H

#include <glib.h>

#include "proto/adl.h"   /* list bits MSN_ADL_*, MsnNetwork */

G_BEGIN_DECLS

/* Largest reply body parsed (= MSN_WEB_MAX_BODY). */
#define MSN_ABCH_MAX_BODY (64 * 1024 * 1024)
/* More contacts (or members) than this in one reply is refused. */
#define MSN_ABCH_MAX_CONTACTS 100000
/* Text of one element beyond this many bytes is cut. */
#define MSN_ABCH_MAX_TEXT (16 * 1024)
/* Parse notes (duplicates, skipped entries) kept per result. */
#define MSN_ABCH_MAX_NOTES 32

#define MSN_ABCH_ERROR (msn_abch_error_quark())
GQuark msn_abch_error_quark(void);

typedef enum {
	MSN_ABCH_ERROR_BAD_REPLY,        /* not XML, DTD, no result where one is needed */
	MSN_ABCH_ERROR_TOO_LARGE,        /* body over MSN_ABCH_MAX_BODY, or too many contacts */
	MSN_ABCH_ERROR_TICKET_REFUSED,   /* HTTP 403: no sign-in session for the ticket */
	MSN_ABCH_ERROR_SERVER,           /* HTTP error status without a SOAP fault */
	MSN_ABCH_ERROR_FAULT,            /* a SOAP fault not listed below */
	MSN_ABCH_ERROR_FULL_SYNC_REQUIRED,
	MSN_ABCH_ERROR_CONTACT_EXISTS,
	MSN_ABCH_ERROR_CONTACT_DOES_NOT_EXIST,
	MSN_ABCH_ERROR_GROUP_EXISTS,
	MSN_ABCH_ERROR_GROUP_DOES_NOT_EXIST,
	MSN_ABCH_ERROR_GROUP_NAME_TOO_LONG,
	MSN_ABCH_ERROR_MEMBER_EXISTS,
	MSN_ABCH_ERROR_MEMBER_DOES_NOT_EXIST,
	MSN_ABCH_ERROR_NO_SUCH_USER,     /* InvalidPassportUser, UserDoesNotExist,
	                                    EmailMissingAtSign, EmailMissingDot */
	MSN_ABCH_ERROR_INVALID_ARGUMENT  /* a request could not be built (missing
	                                    handle, GUID or name; bad URL) */
} MsnAbchError;

/* ---- what the fetches return ---- */

typedef struct {
	char *guid;          /* never NULL */
	char *name;          /* never NULL; may be "" (the caller decides) */
} MsnAbchGroup;

typedef enum {
	MSN_ABCH_CONTACT_REGULAR,
	MSN_ABCH_CONTACT_LIVE,
	MSN_ABCH_CONTACT_LIVE_PENDING,
	MSN_ABCH_CONTACT_LIVE_REJECTED,
	MSN_ABCH_CONTACT_LIVE_DROPPED,
	MSN_ABCH_CONTACT_OTHER           /* missing or unknown contactType */
} MsnAbchContactType;

typedef struct {
	char *guid;          /* contactId; NULL when the server sent none */
	/* passportName (network 1); for an e-mail-only contact its Messenger-
	 * enabled e-mail (network 32 when the e-mail type is Messenger2, Yahoo;
	 * else 1); for a phone-only contact "tel:<number>" of its Messenger-
	 * enabled phone (network 4: kept, the ADL builder skips it).
	 * ASCII lower-cased; never NULL (contacts without any are skipped). */
	char *handle;
	char *display_name;  /* NULL when absent or empty */
	char **group_guids;  /* NULL-terminated, NULL when in no group; a GUID
	                        may name a group the reply does not list */
	char *phone_home, *phone_work, *phone_mobile;  /* NULL when absent */
	guint network;       /* MsnNetwork */
	MsnAbchContactType type;
	gboolean is_messenger_user;  /* FALSE: an address-book entry, not a buddy */
} MsnAbchContact;

/* ABFindAll.  Deleted groups/contacts (fDeleted true) are left out; so is
 * the Me contact, whose fields are below.  The first of duplicates (same
 * GUID, or same handle) is kept and a note says so. */
typedef struct {
	GPtrArray *groups;       /* MsnAbchGroup*, owned, reply order */
	GPtrArray *contacts;     /* MsnAbchContact*, owned, reply order */
	char *me_guid;           /* NULL when there is no Me contact */
	char *me_handle;
	char *me_display_name;   /* NULL when absent or empty */
	guint blp;               /* MSN.IM.BLP 1 → MSN_ADL_AL, 2 → MSN_ADL_BL, else 0 */
	char gtc;                /* MSN.IM.GTC 1 → 'A', 2 → 'N', else 0 */
	GPtrArray *notes;        /* char*: what was skipped and why, for a debug log */
} MsnAbchAddressBook;

void msn_abch_address_book_free(MsnAbchAddressBook *ab);
/* One entry of contacts (NULL is fine): a caller done with an entry may free
 * it early and leave NULL in its place. */
void msn_abch_contact_free(MsnAbchContact *c);

/* FindMembership, Messenger service only: one entry per handle with the
 * OR of its roles (Allow MSN_ADL_AL, Block MSN_ADL_BL, Reverse MSN_ADL_RL,
 * Pending MSN_ADL_PL; never FL).  Deleted members and circles are left out. */
typedef struct {
	char *handle;        /* ASCII lower-cased: PassportName, Email, or "tel:…" */
	char *display_name;  /* the membership's DisplayName, NULL when none */
	guint lists;
	guint network;       /* 1 Passport; an EmailMember is 32 (or its
	                        MSN.IM.BuddyType annotation's number); 4 phone */
} MsnAbchMember;

typedef struct {
	GPtrArray *members;      /* MsnAbchMember*, owned, order of first appearance */
	GPtrArray *notes;
} MsnAbchMemberships;

void msn_abch_memberships_free(MsnAbchMemberships *m);
/* One entry of members, as msn_abch_contact_free. */
void msn_abch_member_free(MsnAbchMember *m);

/* ---- parsers ---- */

/* The SOAP operations. */
typedef enum {
	MSN_ABCH_FIND_ALL,
	MSN_ABCH_FIND_MEMBERSHIP,
	MSN_ABCH_CONTACT_ADD,
	MSN_ABCH_CONTACT_DELETE,
	MSN_ABCH_CONTACT_UPDATE,
	MSN_ABCH_GROUP_ADD,
	MSN_ABCH_GROUP_UPDATE,
	MSN_ABCH_GROUP_DELETE,
	MSN_ABCH_GROUP_CONTACT_ADD,
	MSN_ABCH_GROUP_CONTACT_DELETE,
	MSN_ABCH_ADD_MEMBER,
	MSN_ABCH_DELETE_MEMBER
} MsnAbchOp;

/* NULL with error for a fault, an unreadable document, a body over the limit,
 * or a document without an ABFindAllResult / FindMembershipResult. */
MsnAbchAddressBook *msn_abch_parse_find_all(const char *xml, gsize len, GError **error);
MsnAbchMemberships *msn_abch_parse_find_membership(const char *xml, gsize len,
                                                   GError **error);

/* The same parsers fed as the reply arrives (a streaming reader), so
 * reading overlaps the download.  msn_abch_parse_find_all and
 * msn_abch_parse_find_membership are these fed the whole body at once. */
typedef struct _MsnAbchParser MsnAbchParser;

/* op: MSN_ABCH_FIND_ALL or MSN_ABCH_FIND_MEMBERSHIP. */
MsnAbchParser *msn_abch_parser_new(MsnAbchOp op);
/* The next piece of the body, in order, any size.  FALSE once the reply
 * cannot be used (over a bound, a DTD, not XML): more is ignored. */
gboolean msn_abch_parser_feed(MsnAbchParser *p, const char *data, gsize len);
/* The body is complete: the result, or NULL with error as the whole-body
 * parsers give.  status is the reply's HTTP status: outside 2xx the result
 * is NULL with msn_abch_error_for_status's error for the body fed.  Frees p. */
MsnAbchAddressBook *msn_abch_parser_end_find_all(MsnAbchParser *p, guint status,
                                                 GError **error);
MsnAbchMemberships *msn_abch_parser_end_find_membership(MsnAbchParser *p, guint status,
                                                        GError **error);
/* Drops a parser without a result (the fetch failed or was cancelled). */
void msn_abch_parser_free(MsnAbchParser *p);

/* The reply to a modifying operation.  TRUE on success with *guid (when guid
 * is not NULL) the first <guid> of the …Result element (ABContactAdd,
 * ABGroupAdd, ABGroupContactAdd) or NULL when there is none.  An empty body is
 * success without a GUID.  FALSE with error for a fault (its code picks the
 * MsnAbchError; the server's text is in the message) or unreadable XML. */
gboolean msn_abch_parse_result(const char *xml, gsize len, char **guid, GError **error);

/* The error for a reply with an HTTP status outside 2xx: the body's SOAP
 * fault when it has one, else TICKET_REFUSED for 403 and SERVER otherwise. */
GError *msn_abch_error_for_status(guint status, const char *body, gsize len);

/* ---- requests ---- */

/* "http://www.msn.com/webservices/AddressBook/ABFindAll" … */
const char *msn_abch_op_soap_action(MsnAbchOp op);
/* TRUE for the Sharing service (FindMembership, AddMember, DeleteMember),
 * FALSE for the AB service. */
gboolean msn_abch_op_is_sharing(MsnAbchOp op);

typedef enum {
	MSN_ABCH_SCENARIO_INITIAL,
	MSN_ABCH_SCENARIO_TIMER,
	MSN_ABCH_SCENARIO_CONTACT_SAVE,
	MSN_ABCH_SCENARIO_GROUP_SAVE,
	MSN_ABCH_SCENARIO_BLOCK_UNBLOCK,
	MSN_ABCH_SCENARIO_CONTACT_MSGR_API,
	MSN_ABCH_SCENARIO_MESSENGER_PENDING_LIST
} MsnAbchScenario;

/* Every builder returns a complete SOAP document (UTF-8, newly allocated),
 * with ABApplicationHeader and ABAuthHeader; ticket is the contacts.msn.com
 * ticket "t=…&p=…" put in <TicketToken> (left out when NULL or empty).
 * Builders return NULL when a required argument is NULL or empty, or a role
 * is not one of AL/BL/RL/PL. */

/* Full, never a delta: deltasOnly false, lastChange 0001-01-01. */
char *msn_abch_build_find_all(const char *ticket, MsnAbchScenario scenario);
char *msn_abch_build_find_membership(const char *ticket, MsnAbchScenario scenario);
/* Network 32 gives the e-mail (Messenger2) form; anything else passportName.
 * display_name may be NULL. */
char *msn_abch_build_contact_add(const char *ticket, const char *handle, guint network,
                                 const char *display_name);
char *msn_abch_build_contact_delete(const char *ticket, const char *contact_guid);
/* Updates the Me contact: display_name (NULL: unchanged), blp (MSN_ADL_AL /
 * MSN_ADL_BL, 0: unchanged) and gtc ('A' / 'N', 0: unchanged) as
 * MSN.IM.BLP / MSN.IM.GTC annotations.  NULL when nothing changes.
 * Escargot takes the annotations but ignores DisplayName (send PRP MFN). */
char *msn_abch_build_me_update(const char *ticket, const char *display_name, guint blp,
                               char gtc);
char *msn_abch_build_group_add(const char *ticket, const char *name);
char *msn_abch_build_group_update(const char *ticket, const char *group_guid,
                                  const char *name);
char *msn_abch_build_group_delete(const char *ticket, const char *group_guid);
char *msn_abch_build_group_contact_add(const char *ticket, const char *group_guid,
                                       const char *contact_guid);
char *msn_abch_build_group_contact_delete(const char *ticket, const char *group_guid,
                                          const char *contact_guid);
/* role: one of MSN_ADL_AL, MSN_ADL_BL, MSN_ADL_RL, MSN_ADL_PL.  Network 32:
 * EmailMember with MSN.IM.BuddyType "32:"; else PassportMember.  Always with
 * Type and State (Escargot ignores members without them). */
char *msn_abch_build_member(gboolean add, const char *ticket, guint role,
                            const char *handle, guint network);

/* The MSPAuth cookie value for a ticket: the part between "t=" and "&p="
 * (the whole ticket when it has no "t=").  NULL when that is empty or holds
 * characters a cookie cannot carry. */
char *msn_abch_ticket_cookie(const char *ticket);

G_END_DECLS

#endif
