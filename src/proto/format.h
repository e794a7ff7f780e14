/* purple-msnp — instant-message text: the X-MMS-IM-Format header, the
 * conversion to and from the HTML subset libpurple uses, and splitting long
 * text into MSG payloads (protocol/switchboard.md §4, §5.1; README §2.4).
 *
 *   X-MMS-IM-Format: FN=Segoe%20UI; EF=B; CO=ff0000; CS=0; PF=22
 *
 * GLib only.  Every function accepts any input without crashing and hands
 * out valid UTF-8.
 */
#ifndef MSN_PROTO_FORMAT_H
#define MSN_PROTO_FORMAT_H

#include <glib.h>

G_BEGIN_DECLS

/* The SB MSG payload limit (headers + body); Escargot closes the
 * switchboard above it. */
#define MSN_SB_MAX_PAYLOAD 1664

/* EF letters. */
#define MSN_EFFECT_BOLD      0x01   /* B */
#define MSN_EFFECT_ITALIC    0x02   /* I */
#define MSN_EFFECT_UNDERLINE 0x04   /* U */
#define MSN_EFFECT_STRIKE    0x08   /* S */

/* Longest font name kept (bytes, decoded; Windows allows 31 characters). */
#define MSN_FORMAT_MAX_FONT 128

/* Default font of msn_text_format_init_default() (the official example's). */
#define MSN_FORMAT_DEFAULT_FONT "Segoe UI"

typedef struct {
	char *font;                /* FN, URL-decoded, valid UTF-8 without control
	                              characters; NULL when absent or empty */
	guint effects;             /* EF: MSN_EFFECT_* */
	gboolean has_color;        /* CO was 1–6 hex digits */
	guint32 color;             /* as 0xRRGGBB (CO is sent as BBGGRR) */
	gboolean has_charset;      /* CS was 1–2 hex digits */
	guint8 charset;            /* Windows LOGFONT charset (0 ANSI, 0x86 GB2312 …) */
	gboolean has_pitch_family; /* PF was 1–2 hex digits */
	guint8 pitch_family;       /* 0x22 = swiss, variable pitch */
	gboolean rtl;              /* RL=1 */
} MsnTextFormat;

/* Everything unset (font NULL, no colour …). */
void msn_text_format_init(MsnTextFormat *fmt);
/* What the plugin sends when the user chose nothing: Segoe UI, no effects,
 * black, CS=0, PF=22. */
void msn_text_format_init_default(MsnTextFormat *fmt);
/* Frees the font and resets to msn_text_format_init(). */
void msn_text_format_clear(MsnTextFormat *fmt);
void msn_text_format_copy(MsnTextFormat *dest, const MsnTextFormat *src);

/* Parses a header value leniently into fmt (which it initialises first):
 * split on ';', trim, KEY=value with case-insensitive keys; the first of a
 * repeated key wins; unknown keys, values that do not parse (CO=zz,
 * CO=1234567, CS=xyz) and pairs without '=' are ignored.  EF takes the
 * letters B, I, U, S in any case and order and ignores others; RL is on only
 * for "1".  NULL reads as an empty header.  Returns TRUE when at least one
 * known key was understood. */
gboolean msn_text_format_parse(const char *header, MsnTextFormat *fmt);

/* Builds a header value: "FN=…; EF=…; CO=…; CS=…; PF=…" in that order,
 * then "; RL=1" when rtl.  Keys that are unset are left out, except EF,
 * which is always written (possibly empty, "EF="), as the official client
 * does.  FN is URL-encoded (a space is %20; so are ';' and '%'); CO is
 * lower-case BBGGRR hex without leading zeros ("ff" red, "0" black); CS and
 * PF upper-case hex without leading zeros ("0", "86", "22"). */
char *msn_text_format_build(const MsnTextFormat *fmt);

/* ---- HTML ---------------------------------------------------------------
 *
 * libpurple passes IMs as a small HTML subset.  Received text becomes:
 *
 *   <font face="F" color="#rrggbb"><span style="direction:rtl;text-align:right;">
 *   <b><i><u><s>text</s></u></i></b></span></font>
 *
 * (each wrapper only when the format has it), with & < > " escaped and every
 * line end (\r\n, \n, \r) turned into <br>. */
char *msn_text_to_html(const MsnTextFormat *fmt, const char *text);

/* Reads libpurple's HTML into plain text (line ends "\n") and a format.
 *
 * Tags (case-insensitive): b strong, i em, u, s strike del, font (face=,
 * color=), span (style= font-weight:bold|bolder|600–900, font-style:
 * italic|oblique, text-decoration: underline / line-through, color:,
 * font-family:, direction:rtl; and dir="rtl"), br (a line end), a (the link
 * text, followed by " (href)" when the href differs from it; "mailto:" is
 * ignored in the comparison), img (its alt text); control characters in
 * those two become spaces.  Comments are dropped;
 * any other tag is dropped and its content kept.  A '<' that does not
 * start a complete tag (a name, then '>' within MSN_HTML_MAX_TAG bytes) is
 * text.  Entities: &amp; &lt; &gt; &quot; &apos;
 * &nbsp; &#NN; &#xNN; — unknown ones stay literal; a CR reference (&#13;)
 * is dropped (the text's line ends are "\n" only).  Raw line ends in the
 * HTML are kept as "\n".
 *
 * MSN has one format per message; the one taken is the format in effect at
 * the first visible (non-space) character: its effects, and the face,
 * colour and direction of the innermost open tags that set them.  A message
 * without visible characters gets no format.  fmt is initialised first; the
 * font is left NULL and has_color FALSE when no tag set them (the caller
 * fills in its defaults).  Open tags are tracked up to a depth of
 * MSN_HTML_MAX_DEPTH; deeper ones are ignored.  NULL reads as "". */
#define MSN_HTML_MAX_DEPTH 64
/* A tag longer than this (bytes, from '<' to '>') is read as text. */
#define MSN_HTML_MAX_TAG 4096
char *msn_text_from_html(const char *html, MsnTextFormat *fmt);

/* Line ends "\r\n" and lone "\r" as "\n" (for received text), valid UTF-8. */
char *msn_text_normalize_newlines(const char *text);

/* ---- Sending ----------------------------------------------------------- */

#define MSN_TEXT_ERROR (msn_text_error_quark())
GQuark msn_text_error_quark(void);

typedef enum {
	MSN_TEXT_ERROR_NO_ROOM   /* the headers leave no room for text within the limit */
} MsnTextError;

/* The MSG payloads for text, in order:
 *
 *   MIME-Version: 1.0\r\n
 *   Content-Type: text/plain; charset=UTF-8\r\n
 *   X-MMS-IM-Format: <msn_text_format_build(fmt)>\r\n     (when fmt != NULL)
 *   \r\n
 *   body
 *
 * text is made valid UTF-8 and its line ends become "\r\n".  Every payload
 * is at most max_payload bytes (0 means MSN_SB_MAX_PAYLOAD).  A body is cut
 * at the last space, tab or line end in its second half when there is one
 * (the whitespace stays at the end of the earlier part), otherwise as late
 * as possible; never inside a UTF-8 character nor between \r and \n.  The
 * bodies joined give the whole normalised text back.  Empty text gives an
 * empty array.  Returns a GPtrArray of GBytes (free with g_ptr_array_unref),
 * or NULL with MSN_TEXT_ERROR_NO_ROOM when the headers leave fewer than 8
 * bytes for the body. */
GPtrArray *msn_text_message_build(const MsnTextFormat *fmt, const char *text,
                                  gsize max_payload, GError **error);

G_END_DECLS

#endif
