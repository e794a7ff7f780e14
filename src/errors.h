/* purple-msnp — numeric MSNP errors as sentences a user can act on. */
#ifndef MSNP_ERRORS_H
#define MSNP_ERRORS_H

#include <glib.h>
#include <connection.h>

G_BEGIN_DECLS

/* For an error reply received while signing in: the libpurple reason (which
 * decides whether libpurple reconnects by itself) and a translated sentence
 * naming the problem and what to do.  Returns a newly allocated string. */
char *msn_error_signin_message(guint code, PurpleConnectionError *reason);

G_END_DECLS

#endif
