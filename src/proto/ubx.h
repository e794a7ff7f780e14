/* purple-msnp — reading the UBX/UUX <Data> payload and the CurrentMedia
 * string (protocol/presence.md §6).
 *
 *   <Data><PSM>hello</PSM><CurrentMedia>\0Music\01\0{0} - {1}\0…</CurrentMedia>
 *         <MachineGuid>{…}</MachineGuid></Data>
 *
 * GLib only (GMarkup).  Building the UUX XML is src/psm.c's job (libxml2);
 * this file builds only the CurrentMedia *string* that goes into it.
 *
 * Bounds: a payload above MSN_UBX_MAX_PAYLOAD bytes is refused (error
 * TOO_LARGE); the text of PSM, CurrentMedia or MachineGuid above
 * MSN_UBX_MAX_TEXT bytes is cut at a character boundary (and the result's
 * "truncated" flag is set) — a long but otherwise good message still shows.
 *
 * Bytes: invalid UTF-8 sequences and NUL bytes in the payload are replaced by
 * U+FFFD before parsing, so they never make a payload unreadable.  GMarkup
 * decodes the five XML entities and numeric references (&#38; &#x26;);
 * anything else that is not well-formed XML is an error of the strict reader.
 */
#ifndef MSN_PROTO_UBX_H
#define MSN_PROTO_UBX_H

#include <glib.h>

#include "proto/command.h"

G_BEGIN_DECLS

#define MSN_UBX_MAX_PAYLOAD 8192   /* bytes of XML */
#define MSN_UBX_MAX_TEXT    1024   /* bytes of one element's text */

#define MSN_UBX_ERROR (msn_ubx_error_quark())
GQuark msn_ubx_error_quark(void);

typedef enum {
	MSN_UBX_ERROR_TOO_LARGE,     /* payload above MSN_UBX_MAX_PAYLOAD */
	MSN_UBX_ERROR_MALFORMED,     /* not well-formed XML (message from GMarkup) */
	MSN_UBX_ERROR_BAD_ROOT,      /* the root element is not <Data>, or there are two */
	MSN_UBX_ERROR_NOT_UBX        /* msn_ubx_parse_command: not a UBX with a payload */
} MsnUbxError;

typedef struct {
	char *psm;            /* valid UTF-8, never NULL ("" when absent) */
	char *current_media;  /* the raw CurrentMedia string, never NULL ("" when absent) */
	char *machine_guid;   /* NULL when absent */
	gboolean truncated;   /* an element's text was cut at MSN_UBX_MAX_TEXT */
	gboolean recovered;   /* the lenient reader fell back to searching for the tags */
	/* Set by msn_ubx_parse_command() only (NULL / 0 otherwise). */
	char *handle;
	guint network;
} MsnUbx;

/* Strict: the payload must be well-formed XML with one <Data> root (an
 * empty payload, length 0, is fine: everything empty).  PSM, CurrentMedia
 * and MachineGuid are read where they are children of <Data>; the first of
 * each wins; other elements are ignored; text inside nested elements counts
 * as the parent's text.  data may be NULL when len is 0. */
MsnUbx *msn_ubx_parse(const guint8 *data, gsize len, GError **error);

/* Lenient, for what servers really send (Escargot 13+ escapes only '&', so a
 * raw '<' may sit inside PSM; seed MSNP11 has no <Data> root): the strict
 * reader first, and when it fails, a search for <PSM>…</PSM>,
 * <CurrentMedia>…</CurrentMedia> and <MachineGuid>…</MachineGuid>, whose
 * contents have their line ends made "\n" (as XML does) and are
 * entity-decoded tolerantly (unknown entities stay literal);
 * "recovered" is then TRUE.  Fails (with the strict reader's error) only when
 * the payload is too large or none of the three elements is found. */
MsnUbx *msn_ubx_parse_lenient(const guint8 *data, gsize len, GError **error);

/* A validated UBX command with its payload (UBX handle {nid} len): reads the
 * payload leniently and sets handle and network (the token after the handle
 * when all digits and version >= 14, else 1). */
MsnUbx *msn_ubx_parse_command(const MsnCommand *cmd, guint version, GError **error);

void msn_ubx_free(MsnUbx *ubx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MsnUbx, msn_ubx_free)

/* ---- CurrentMedia ------------------------------------------------------
 *
 * Fields are separated by the two characters '\' '0' (not a NUL byte):
 *
 *   app \0 category \0 enabled \0 format \0 value0 \0 value1 \0 … \0
 *
 * The official client (WMP plug-in) sends, for music,
 *   \0Music\01\0{0} - {1}\0Title\0Artist\0Album\0WMContentID\0
 * i.e. an empty application name, values title, artist, album, content id,
 * and an empty field after the last separator.
 */

typedef enum {
	MSN_MEDIA_OTHER = 0,   /* a category this table does not know */
	MSN_MEDIA_MUSIC,
	MSN_MEDIA_GAMES,
	MSN_MEDIA_OFFICE
} MsnMediaType;

#define MSN_MEDIA_MAX_FIELDS 64   /* fields read; the rest are ignored */

typedef struct {
	char *application;    /* field 0 ("" usually; Pidgin sent "WMP") */
	char *category;       /* field 1 as sent */
	MsnMediaType type;    /* from the category, case-insensitively */
	gboolean enabled;     /* field 2 is a number other than 0 */
	char *format;         /* field 3: "{0} - {1}" */
	char **values;        /* fields 4…, NULL-terminated, without the empty
	                         field after the final separator */
	guint n_values;
} MsnMedia;

/* Reads a CurrentMedia string (as found in MsnUbx.current_media).  NULL for
 * NULL, "", or a string with fewer than four fields (no format).  Fields are
 * made valid UTF-8. */
MsnMedia *msn_media_parse(const char *s);
void msn_media_free(MsnMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MsnMedia, msn_media_free)

/* The value at index i (the {i} placeholder), or NULL when out of range. */
const char *msn_media_get_value(const MsnMedia *media, guint i);

/* Longest rendered text, in bytes (cut at a character boundary). */
#define MSN_MEDIA_MAX_RENDER 1024

/* The display text: the format with {N} replaced by value N ("" when there is
 * no such value); "{{" and "}}" give literal braces; a brace that does not
 * start a placeholder (N is at most two digits) is copied as is.  An empty
 * format gives the non-empty values joined with " - ".  NULL when the media
 * is disabled or the text would be empty.  No printf is involved. */
char *msn_media_render(const MsnMedia *media);

/* The string the official client sends for music, ready to be XML-escaped
 * into <CurrentMedia>:
 *   \0Music\01\0FORMAT\0title\0artist\0album\0\0
 * FORMAT is "{0} - {1}" with both title and artist, "{0}" with a title only,
 * "{1}" with an artist only.  NULL (meaning: send an empty CurrentMedia)
 * when title and artist are both NULL or empty.  Each value is made valid
 * UTF-8, has control characters replaced by spaces and the two-character
 * sequence "\0" turned into "0" (it would split the field), and is cut to
 * MSN_MEDIA_MAX_VALUE bytes at a character boundary. */
#define MSN_MEDIA_MAX_VALUE 256
char *msn_media_build_music(const char *artist, const char *title, const char *album);

/* The general form: "\0CATEGORY\0(1|0)\0FORMAT\0v0\0v1\0…\0" with the same
 * cleaning of every field (category "Music", "Games", "Office"; values NULL
 * terminated, may be NULL).  Format and category are cleaned like values. */
char *msn_media_build(const char *category, gboolean enabled, const char *format,
                      const char *const *values);

G_END_DECLS

#endif
