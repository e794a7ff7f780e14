/* purple-msnp — Tweener tickets: Passport 1.4 (MSNP8–11) and RST (MSNP12–14). */
#ifndef MSNP_AUTH_H
#define MSNP_AUTH_H

#include <glib.h>

#include "web/web.h"

G_BEGIN_DECLS

#define MSN_AUTH_ERROR (msn_auth_error_quark())
GQuark msn_auth_error_quark(void);

typedef enum {
	MSN_AUTH_ERROR_WRONG_PASSWORD,  /* Passport 401 / da-status=failed, RST FailedAuthentication */
	MSN_AUTH_ERROR_SERVER,          /* 5xx, SOAP fault other than a wrong password */
	MSN_AUTH_ERROR_BAD_REPLY,       /* a reply we cannot read (no ticket, bad XML, no DALogin) */
	MSN_AUTH_ERROR_REDIRECTS        /* too many 302s */
} MsnAuthError;

/* The tickets one sign-in obtained, keyed by the address they are for. */
typedef struct {
	char *messenger;   /* for USR TWN S: "t=…&p=…" (RST) or the from-PP value */
	char *contacts;    /* contacts.msn.com (RST, MSNP13+), NULL otherwise */
} MsnTickets;

void msn_tickets_free(MsnTickets *tickets);

/* tickets NULL and error set on failure.  Ownership of tickets passes to the
 * callback. */
typedef void (*MsnAuthCallback)(MsnTickets *tickets, const GError *error, gpointer data);

/* Passport 1.4: GET the nexus for DALogin, then GET DALogin with the
 * Authorization header; follows up to 5 redirects.  policy is the string from
 * USR TWN S, passed on verbatim. */
void msn_auth_passport14(MsnWeb *web, const char *nexus_url, const char *handle,
                         const char *password, const char *policy,
                         MsnAuthCallback cb, gpointer data);

/* RST: one SOAP request for messenger.msn.com (and contacts.msn.com when
 * want_contacts). */
void msn_auth_rst(MsnWeb *web, const char *rst_url, const char *handle,
                  const char *password, const char *policy, gboolean want_contacts,
                  MsnAuthCallback cb, gpointer data);

/* Exposed for unit tests and fuzzing: parse the two replies. */
char *msn_passport14_parse_dalogin(const char *passport_urls);
char *msn_passport14_parse_from_pp(const char *authentication_info);
/* Returns tickets, or NULL with error (wrong password, fault, unreadable). */
MsnTickets *msn_rst_parse_response(const char *xml, gsize len, GError **error);
/* The SOAP request; credentials XML-escaped by libxml2. */
char *msn_rst_build_request(const char *handle, const char *password,
                            const char *policy, gboolean want_contacts);

G_END_DECLS

#endif
