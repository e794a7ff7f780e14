/* purple-msnp — the UUX payload: personal message, now playing, machine GUID. */
#ifndef MSNP_PSM_H
#define MSNP_PSM_H

#include <glib.h>

G_BEGIN_DECLS

/* Longest personal message sent, in characters (the official client's). */
#define MSN_PSM_MAX_CHARS 129

/* <Data><PSM>…</PSM><CurrentMedia>…</CurrentMedia>[<MachineGuid>…</MachineGuid>]</Data>,
 * built with libxml2 (escaped), no whitespace, no XML declaration.  Any
 * argument may be NULL; psm is cut to MSN_PSM_MAX_CHARS characters. */
GBytes *msn_psm_build(const char *psm, const char *media, const char *machine_guid);

G_END_DECLS

#endif
