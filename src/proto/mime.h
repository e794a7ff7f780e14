/* purple-msnp — the MIME layer of MSG payloads (protocol/switchboard.md §5).
 *
 *   Header-Name: value\r\n … \r\n \r\n body
 *
 * Reading is tolerant: "\n" line ends are accepted, names compare
 * case-insensitively, values are trimmed, lines without a colon are skipped,
 * and a payload without the blank line is all headers with an empty body.
 * Values and body are raw bytes and may be invalid UTF-8; the *_utf8 getters
 * return valid copies.
 */
#ifndef MSN_PROTO_MIME_H
#define MSN_PROTO_MIME_H

#include <glib.h>

G_BEGIN_DECLS

#define MSN_MIME_MAX_HEADERS   64
#define MSN_MIME_MAX_NAME      128             /* bytes in a header name */
#define MSN_MIME_MAX_SIZE      (256 * 1024)    /* whole payload, = MSN_MAX_PAYLOAD */

#define MSN_MIME_ERROR (msn_mime_error_quark())
GQuark msn_mime_error_quark(void);

typedef enum {
	MSN_MIME_ERROR_TOO_LARGE,        /* payload above MSN_MIME_MAX_SIZE */
	MSN_MIME_ERROR_TOO_MANY_HEADERS, /* more than MSN_MIME_MAX_HEADERS */
	MSN_MIME_ERROR_INVALID_ARGUMENT  /* builder: bad header name or value */
} MsnMimeError;

typedef struct _MsnMime MsnMime;

/* Parses a payload; data may be NULL when len is 0.  A header line that has
 * no colon, an empty or over-long name, or a NUL byte is skipped.  Header
 * lines that start with a space or tab (RFC 822 folding) are not joined: they
 * are skipped too. */
MsnMime *msn_mime_parse(const guint8 *data, gsize len, GError **error);
MsnMime *msn_mime_parse_bytes(GBytes *payload, GError **error);
void msn_mime_free(MsnMime *mime);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MsnMime, msn_mime_free)

guint msn_mime_get_n_headers(const MsnMime *mime);
/* The i-th header in payload order (NULL when out of range).  Raw bytes,
 * NUL-terminated, possibly invalid UTF-8. */
const char *msn_mime_get_header_name(const MsnMime *mime, guint i);
const char *msn_mime_get_header_value(const MsnMime *mime, guint i);
/* The value of the first header called name (any case), or NULL. */
const char *msn_mime_get_header(const MsnMime *mime, const char *name);
/* The same as a valid UTF-8 copy (invalid sequences become U+FFFD), or NULL. */
char *msn_mime_dup_header_utf8(const MsnMime *mime, const char *name);

/* Content-Type without parameters, lower-cased and trimmed ("text/plain"),
 * or NULL when there is no Content-Type header. */
char *msn_mime_dup_media_type(const MsnMime *mime);
/* A Content-Type parameter by name (any case), unquoted: "charset" ->
 * "UTF-8".  NULL when absent. */
char *msn_mime_dup_content_type_param(const MsnMime *mime, const char *param);

/* The body: the bytes after the first blank line (never NULL; may be
 * empty). */
GBytes *msn_mime_get_body(const MsnMime *mime);
/* The body as valid UTF-8 (invalid sequences and NUL bytes become U+FFFD). */
char *msn_mime_dup_body_utf8(const MsnMime *mime);
/* FALSE when the payload had no blank line (all headers, empty body). */
gboolean msn_mime_has_separator(const MsnMime *mime);

/* Builds "Name: value\r\n"… "\r\n" body.  headers is a NULL-terminated list
 * of name, value pairs, in order ({"MIME-Version", "1.0", "Content-Type",
 * "text/plain; charset=UTF-8", NULL}); may be NULL.  A name must be
 * non-empty printable ASCII without colon or space; a value must not hold
 * CR, LF or NUL (it may be empty).  body may be NULL when body_len is 0.
 * Returns NULL with error on a bad header or when the result would exceed
 * MSN_MIME_MAX_SIZE. */
GBytes *msn_mime_build(const char *const *headers, const guint8 *body,
                       gsize body_len, GError **error);

G_END_DECLS

#endif
