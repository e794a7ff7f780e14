/* purple-msnp — names shared by the plugin's files. */
#ifndef MSNP_H
#define MSNP_H

#include <glib.h>
#include <glib/gi18n-lib.h>

#define MSNP_PLUGIN_ID "prpl-msnp"

/* Account option keys: stable, scripts and settings depend on them. */
#define MSNP_OPT_SERVER       "server"
#define MSNP_OPT_PORT         "port"
#define MSNP_OPT_MAX_PROTOCOL "max_protocol"
#define MSNP_OPT_NEXUS_URL    "nexus_url"
#define MSNP_OPT_RST_URL      "rst_url"
#define MSNP_OPT_AB_URL       "ab_url"
#define MSNP_OPT_SHARING_URL  "sharing_url"
#define MSNP_OPT_TLS_FINGERPRINT "tls_fingerprint"
/* Not in the account dialog: seconds a server may stay silent on a request
 * before it counts as an error (sign-in replies, web services). */
#define MSNP_OPT_TIMEOUT      "request_timeout"

#define MSNP_DEFAULT_SERVER       "msnmsgr.escargot.chat"
#define MSNP_DEFAULT_PORT         1863
#define MSNP_DEFAULT_MAX_PROTOCOL 14

/* Status ids. */
#define MSNP_STATUS_AVAILABLE "available"
#define MSNP_STATUS_BUSY      "busy"
#define MSNP_STATUS_BRB       "brb"
#define MSNP_STATUS_AWAY      "away"
#define MSNP_STATUS_PHONE     "phone"
#define MSNP_STATUS_LUNCH     "lunch"
#define MSNP_STATUS_HIDDEN    "invisible"
#define MSNP_STATUS_OFFLINE   "offline"
#define MSNP_STATUS_TUNE      "tune"      /* now playing (independent) */

#endif
