/* purple-msnp — conversations: switchboard sessions (protocol/switchboard.md).
 *
 * One MsnSwitchboard is one SB connection.  Outgoing: XFR SB on the NS, then
 * connect, USR, CAL, and the messages queued meanwhile leave once someone
 * has joined.  Incoming: RNG on the NS, then connect, ANS, IRO.  A session
 * keeps at most one switchboard per contact for one-to-one sending (the
 * newest); messages are received on all of them.  A switchboard with more
 * than one other participant is a libpurple chat whose id is the
 * switchboard's id.
 *
 * Every switchboard belongs to the session's table until it is freed; none
 * outlives the session, and closing a conversation closes its switchboards.
 */
#ifndef MSNP_SWITCHBOARD_H
#define MSNP_SWITCHBOARD_H

#include <conversation.h>

#include "session.h"

G_BEGIN_DECLS

/* Limits: switchboards per session, payloads waiting per switchboard. */
#define MSN_SB_MAX_OPEN      64
#define MSN_SB_MAX_QUEUED    512
/* Seconds between two typing notices (the official client sends one every
 * 5 s while the user types), and how long a received one shows. */
#define MSN_TYPING_RESEND    5
#define MSN_TYPING_SHOW      6

void msn_switchboards_init(MsnSession *session);
/* Leaves every switchboard (OUT) and frees it: signing off. */
void msn_switchboards_free(MsnSession *session);
/* The NS connection was replaced: switchboards still waiting for their XFR
 * reply will not get it; they fail and say so. */
void msn_switchboards_ns_lost(MsnSession *session);

/* RNG from the NS: an invitation, accepted at once (the official client's
 * behaviour); the user sees a conversation when the first message comes. */
void msn_switchboard_handle_rng(MsnSession *session, MsnCommand *cmd);

/* prpl send_im: > 0 when the message was sent or queued, -errno otherwise. */
int msn_switchboard_send_im(MsnSession *session, const char *who, const char *html);
/* prpl send_typing: seconds until libpurple should call again. */
unsigned int msn_switchboard_send_typing(MsnSession *session, const char *who,
                                         PurpleTypingState state);
/* prpl send_attention (a nudge). */
gboolean msn_switchboard_send_nudge(MsnSession *session, const char *who);
/* prpl convo_closed: leaves the contact's one-to-one switchboards. */
void msn_switchboard_conv_closed(MsnSession *session, const char *who);

/* "Initiate Chat" on a buddy: a chat with the user in it at once, and who
 * invited.  Returns the chat id, or 0 when it could not start. */
int msn_switchboard_start_chat(MsnSession *session, const char *who);
/* prpl chat_send / chat_invite / chat_leave. */
int msn_switchboard_chat_send(MsnSession *session, int id, const char *html);
void msn_switchboard_chat_invite(MsnSession *session, int id, const char *who);
void msn_switchboard_chat_leave(MsnSession *session, int id);

G_END_DECLS

#endif
