/* purple-msnp — small text helpers shared by ubx.c and format.c (internal). */
#ifndef MSN_PROTO_TEXT_PRIVATE_H
#define MSN_PROTO_TEXT_PRIVATE_H

#include <glib.h>

G_BEGIN_DECLS

#define MSN_REPLACEMENT_CHAR "\xEF\xBF\xBD"   /* U+FFFD */

/* A valid UTF-8, NUL-terminated copy of data[0..len): every byte that does
 * not start a valid sequence, and every NUL byte, becomes U+FFFD. */
char *msn_text_make_valid(const char *data, gsize len);

/* The largest n <= max such that s[0..n) ends on a character boundary of the
 * UTF-8 string s[0..len) (n = len when len <= max). */
gsize msn_text_utf8_cut(const char *s, gsize len, gsize max);

/* Appends s[0..len) to out without letting out grow above max bytes, cutting
 * at a character boundary.  Returns FALSE when something was left out. */
gboolean msn_text_append_bounded(GString *out, const char *s, gsize len, gsize max);

/* Reads one character reference at s[0..len) (s[0] == '&'): &amp; &lt;
 * &gt; &quot; &apos;, with html also &nbsp; (as a space), and &#NN; /
 * &#xNN; (x or X, at most 8 digits).  Names are case-sensitive.  A numeric
 * reference to NUL, a surrogate, or above U+10FFFF gives U+FFFD.  Returns
 * the bytes consumed (0 when s does not start a reference it knows, which
 * the caller then copies literally) and stores the character in *out. */
gsize msn_text_read_entity(const char *s, gsize len, gboolean html, gunichar *out);

/* Tolerant entity decoding of s[0..len) (valid UTF-8): known references are
 * decoded, anything else is copied literally. */
char *msn_text_decode_entities(const char *s, gsize len, gboolean html);

G_END_DECLS

#endif
