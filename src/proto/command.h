/* purple-msnp — MSNP command framing, schema validation and building.
 *
 * Pure protocol code: GLib only, no libpurple, no sockets.  Bytes go in,
 * validated commands come out; values go in, bytes come out.
 */
#ifndef MSN_PROTO_COMMAND_H
#define MSN_PROTO_COMMAND_H

#include <glib.h>

G_BEGIN_DECLS

/* Bounds.  A line longer than MSN_MAX_LINE bytes (CRLF included) or a payload
 * longer than MSN_MAX_PAYLOAD bytes is a framing error. */
#define MSN_MAX_LINE     8192
#define MSN_MAX_PAYLOAD  (256 * 1024)
#define MSN_MAX_PARAMS   32

#define MSN_PROTO_ERROR (msn_proto_error_quark())
GQuark msn_proto_error_quark(void);

typedef enum {
	/* Fatal: the byte stream can no longer be framed; the connection must go. */
	MSN_PROTO_ERROR_LINE_TOO_LONG,
	MSN_PROTO_ERROR_PAYLOAD_TOO_LARGE,
	MSN_PROTO_ERROR_BAD_LENGTH,      /* payload length token is not a decimal number */
	MSN_PROTO_ERROR_POISONED,        /* a fatal error happened earlier on this framer */
	/* Not fatal: one command was dropped, the stream goes on. */
	MSN_PROTO_ERROR_EMPTY_LINE,
	MSN_PROTO_ERROR_UNKNOWN_COMMAND, /* no schema row for this name/service/direction/version */
	MSN_PROTO_ERROR_BAD_TRID,        /* TrID missing or not a number below 2^32 */
	MSN_PROTO_ERROR_BAD_PARAMS,      /* parameter count outside the schema's range */
	/* Builder errors. */
	MSN_PROTO_ERROR_INVALID_ARGUMENT
} MsnProtoError;

/* TRUE for the errors after which the framer refuses further input. */
gboolean msn_proto_error_is_fatal(const GError *error);

typedef enum {
	MSN_SERVICE_NS,    /* dispatch and notification server */
	MSN_SERVICE_SB     /* switchboard */
} MsnService;

typedef enum {
	MSN_FROM_CLIENT,   /* client -> server */
	MSN_FROM_SERVER    /* server -> client */
} MsnDirection;

#define MSN_VERSION_MIN 8
#define MSN_VERSION_MAX 14

typedef enum {
	MSN_TRID_NONE,      /* never carries a TrID (NLN, PNG, OUT, MSG from the server …) */
	MSN_TRID_ALWAYS,    /* always carries one (VER, USR, ADL, error replies …) */
	MSN_TRID_IF_NUMERIC /* carries one when the first parameter is all digits
	                       (BLP/GTC/PRP: inside SYN without, as replies with) */
} MsnTridRule;

typedef enum {
	MSN_PAYLOAD_NONE,
	MSN_PAYLOAD_LAST,           /* the last parameter is the payload byte count */
	MSN_PAYLOAD_LAST_UNLESS_OK  /* as LAST, except when the last parameter is "OK" */
} MsnPayloadRule;

/* One row of the schema table: how a command looks in one service, one
 * direction and a range of versions.  Parameter counts exclude the command
 * name and the TrID and include the payload length token. */
typedef struct {
	const char *name;        /* "USR"; "NNN" for the numeric error replies */
	MsnService service;
	MsnDirection dir;
	guint8 min_version;
	guint8 max_version;
	MsnTridRule trid;
	guint8 min_params;
	guint8 max_params;
	MsnPayloadRule payload;
} MsnCommandSchema;

/* The schema row for a command, or NULL when none fits.  Numeric commands
 * (error replies) are looked up under "NNN". */
const MsnCommandSchema *msn_schema_lookup(const char *name, MsnService service,
                                          MsnDirection dir, guint version);

/* The whole table, for tests and documentation. */
const MsnCommandSchema *msn_schema_table(gsize *n_rows);

typedef struct {
	char name[4];             /* NUL-terminated, e.g. "USR" or "911" */
	guint error_code;         /* 100..999 for a numeric error reply, else 0 */
	gboolean has_trid;
	guint32 trid;
	guint n_params;           /* guaranteed within the schema's [min, max] */
	char **params;            /* n_params strings, NULL-terminated, raw (not URL-decoded) */
	GBytes *payload;          /* NULL when the command carries none; may be empty */
	const MsnCommandSchema *schema;
} MsnCommand;

void msn_command_free(MsnCommand *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MsnCommand, msn_command_free)

/* Parse one line (without its line ending; empty tokens from repeated or
 * trailing spaces are ignored) against the schema.  On success returns the
 * command without its payload and stores in *payload_len the number of
 * payload bytes that follow the line (0 when none; -1 not used). */
MsnCommand *msn_command_parse_line(const char *line, gsize len,
                                   MsnService service, MsnDirection dir,
                                   guint version, gsize *payload_len,
                                   GError **error);

/* TRUE when a command parsed by msn_command_parse_line() is followed by a
 * payload, including a zero-length one ("UUX trid 0"): parse_line reports 0
 * bytes for both that and "no payload".  (Added by the proto core; on a
 * rejected line, msn_command_parse_line also stores in *payload_len the
 * payload bytes to skip to stay in sync, when the length can be read.) */
gboolean msn_command_expects_payload(const MsnCommand *cmd);

/* The incremental framer: push bytes in any split, pull validated commands. */
typedef struct _MsnFramer MsnFramer;

/* incoming: the direction of the bytes this framer reads (a client reads
 * MSN_FROM_SERVER).  version: the negotiated version, or before VER the
 * highest one offered. */
MsnFramer *msn_framer_new(MsnService service, MsnDirection incoming, guint version);
void msn_framer_set_version(MsnFramer *framer, guint version);
guint msn_framer_get_version(const MsnFramer *framer);
void msn_framer_free(MsnFramer *framer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MsnFramer, msn_framer_free)

void msn_framer_push(MsnFramer *framer, const guint8 *data, gsize len);

/* Returns the next complete command.  Returns NULL with *error unset when more
 * bytes are needed; NULL with *error set when a command was rejected (not
 * fatal: call again for the next one) or the stream broke (fatal: see
 * msn_proto_error_is_fatal; every later call fails with POISONED).  Error
 * messages quote at most the first 64 bytes of the offending line. */
MsnCommand *msn_framer_next(MsnFramer *framer, GError **error);

/* Bytes buffered but not yet returned as commands. */
gsize msn_framer_pending(const MsnFramer *framer);

/* Append one command to out: "NAME[ trid][ p1 p2 …][ len]\r\n[payload]".
 * trid < 0 means no TrID.  params is NULL-terminated (may be NULL); every
 * parameter must be non-empty and free of space, CR, LF and NUL.  When payload
 * is non-NULL its byte count is appended as the last parameter and its bytes
 * follow the CRLF with nothing after them.  On failure out is left untouched. */
gboolean msn_command_append(GString *out, const char *name, gint64 trid,
                            const char *const *params, GBytes *payload,
                            GError **error);

G_END_DECLS

#endif
