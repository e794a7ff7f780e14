/* purple-msnp — schema internals shared by command.c and the unit tests. */
#ifndef MSN_PROTO_SCHEMA_PRIVATE_H
#define MSN_PROTO_SCHEMA_PRIVATE_H

#include "proto/command.h"

G_BEGIN_DECLS

/* A narrower shape of a schema row, chosen by the exact first parameter
 * (after the TrID): "USR trid OK …" vs "USR trid TWN S …", "XFR trid SB …".
 * When a form matches, the command must satisfy both the row's and the
 * form's parameter bounds. */
typedef struct {
	const char *name;
	MsnService service;
	MsnDirection dir;
	guint8 min_version;
	guint8 max_version;
	const char *first_param;
	guint8 min_params;
	guint8 max_params;
} MsnCommandForm;

const MsnCommandForm *msn_schema_forms(gsize *n_rows);

/* The form for row and first parameter at this version, or NULL. */
const MsnCommandForm *msn_schema_lookup_form(const MsnCommandSchema *row,
                                             const char *first_param,
                                             guint version);

/* Any row for name/service/direction regardless of version: used to keep the
 * stream in sync (skip the payload) when a command arrives in a version that
 * does not define it. */
const MsnCommandSchema *msn_schema_lookup_any_version(const char *name,
                                                      MsnService service,
                                                      MsnDirection dir);

G_END_DECLS

#endif
