/* purple-msnp — URL ("percent") encoding of command parameters.
 *
 * MSNP sends free text (friendly names, group names, MSNObjects) as
 * percent-encoded parameters.  See protocol README §3.
 */
#ifndef MSN_PROTO_URLENC_H
#define MSN_PROTO_URLENC_H

#include <glib.h>

G_BEGIN_DECLS

/* Encodes every byte outside [A-Za-z0-9._~@-] as %XX (upper-case hex), so
 * the result never holds a space, CR, LF or '%' literally.  "" gives "";
 * NULL in, NULL out. */
char *msn_url_encode(const char *s);

/* Full percent decoding.  A '%' not followed by two hex digits is kept
 * literally, '+' is literal.  The result is always valid UTF-8: when the
 * decoded bytes are not UTF-8 they are read as Latin-1.  A decoded NUL byte
 * (%00) is replaced by U+FFFD so the string is never cut short.  NULL in,
 * NULL out; never NULL otherwise. */
char *msn_url_decode(const char *s);

G_END_DECLS

#endif
