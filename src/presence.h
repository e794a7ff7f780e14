/* purple-msnp — presence: contacts' ILN/NLN/FLN and UBX into libpurple, and
 * the user's own status, idle time, personal message and song out as CHG/UUX. */
#ifndef MSNP_PRESENCE_H
#define MSNP_PRESENCE_H

#include "session.h"

G_BEGIN_DECLS

/* TRUE when cmd was ILN, NLN, FLN or UBX (handled, or dropped with a debug
 * line when malformed). */
gboolean msn_presence_handle(MsnSession *session, MsnCommand *cmd);

/* The CHG status code for the account's chosen status and idle state. */
const char *msn_presence_own_code(MsnSession *session);
/* The UUX payload for the account's chosen status message and tune. */
GBytes *msn_presence_own_uux(MsnSession *session);
/* Sends CHG and, when the version has it, UUX — only what changed since the
 * last time (a status re-selected with the same values sends nothing). */
void msn_presence_send_own(MsnSession *session);

/* Every contact offline at once (signing off). */
void msn_presence_all_offline(MsnSession *session);

/* For the buddy list: the personal message or song, and tooltip lines. */
char *msn_presence_status_text(MsnSession *session, const char *handle);

G_END_DECLS

#endif
