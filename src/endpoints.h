/* purple-msnp — the web-service URLs of an account: each an account option,
 * each derived from the server's host name when the option is empty. */
#ifndef MSNP_ENDPOINTS_H
#define MSNP_ENDPOINTS_H

#include <glib.h>
#include <account.h>

G_BEGIN_DECLS

typedef enum {
	MSN_ENDPOINT_NEXUS,    /* Passport 1.4 nexus:  https://SERVER/rdr/pprdr.asp */
	MSN_ENDPOINT_RST,      /* RST:                 https://SERVER/RST.srf */
	MSN_ENDPOINT_AB,       /* address book:        https://SERVER/abservice/abservice.asmx */
	MSN_ENDPOINT_SHARING   /* sharing service:     https://SERVER/abservice/SharingService.asmx */
} MsnEndpoint;

/* The URL to use (newly allocated). */
char *msn_endpoint_url(PurpleAccount *account, MsnEndpoint which);

/* The default for a server host name (newly allocated). */
char *msn_endpoint_derive(const char *server, MsnEndpoint which);

G_END_DECLS

#endif
