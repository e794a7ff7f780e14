/* purple-msnp — a streaming XML reader for the address book replies.
 *
 * The ABCH replies are tens of megabytes of SOAP (20,000 contacts ≈ 37 MB):
 * they are read as they download, and libxml2's push parser spent most of
 * the sign-in there.  This reader does only what those replies need, fast:
 * element names (namespace prefixes stripped), attributes, character data,
 * CDATA sections, comments and processing instructions are skipped, the five
 * predefined entities and character references are decoded.  GLib only.
 *
 * Fed any split of a document, it makes the same calls and ends with the
 * same result (error or not): no byte is read twice, a token cut by the end
 * of a piece is kept (bounded) until the next piece completes it.
 *
 * Well-formedness is checked as XML 1.0 asks for what it reads: one root
 * element, end tags matching start tags, names, quoted attribute values
 * without '<', no repeated attribute, only whitespace, comments and PIs
 * outside the root, no "]]>" in text, no "--" in comments, the XML
 * declaration only first, no control characters but tab, CR and LF (also
 * through references), CR LF and CR read as LF.  A document type
 * declaration is refused (MSN_XML_ERROR_DTD): no entity is ever declared,
 * so none can expand.
 *
 * Input: UTF-8 (a leading byte-order mark is skipped).  Bytes are not
 * validated as UTF-8: the caller repairs them first (abch-xml.c turns every
 * invalid byte into U+FFFD); a NUL byte is a control character (an error).
 *
 * Bounds: MSN_XML_MAX_DEPTH open elements, MSN_XML_MAX_TOKEN bytes of one
 * tag, comment, PI or CDATA section (character data is handed on in pieces
 * and has no bound here), MSN_XML_MAX_NAME bytes of a name,
 * MSN_XML_MAX_NAMES distinct element names, MSN_XML_MAX_ATTRS attributes of
 * one tag.  Over one: MSN_XML_ERROR_TOO_LARGE.  Memory is bounded by these,
 * never by the document's length.
 */
#ifndef MSN_PROTO_XML_H
#define MSN_PROTO_XML_H

#include <glib.h>

G_BEGIN_DECLS

#define MSN_XML_MAX_DEPTH 256
#define MSN_XML_MAX_TOKEN (64 * 1024)
#define MSN_XML_MAX_NAME  1024
#define MSN_XML_MAX_NAMES 4096
#define MSN_XML_MAX_ATTRS 64

#define MSN_XML_ERROR (msn_xml_error_quark())
GQuark msn_xml_error_quark(void);

typedef enum {
	MSN_XML_ERROR_MALFORMED,   /* not well-formed (or not XML, or cut short) */
	MSN_XML_ERROR_DTD,         /* a <!DOCTYPE …> (or other markup declaration) */
	MSN_XML_ERROR_TOO_LARGE,   /* over one of the bounds above */
	MSN_XML_ERROR_STOPPED      /* a handler called msn_xml_reader_stop() */
} MsnXmlError;

typedef struct _MsnXmlReader MsnXmlReader;

/* name: the element's local name, the reader's interned copy (compare it
 * with msn_xml_reader_intern()'s pointers); it stays valid as long as the
 * reader.  Attributes: NULL-terminated arrays of local names and decoded
 * values, valid during the call; namespace declarations (xmlns, xmlns:*)
 * are not among them.  text: decoded character data or a CDATA section's
 * content, in pieces of any size (a run of text may come in several calls),
 * not NUL-terminated.  Any handler may be NULL.  A handler may call
 * msn_xml_reader_stop(); it must not feed or free the reader. */
typedef struct {
	void (*start)(MsnXmlReader *r, const char *name, const char *const *attr_names,
	              const char *const *attr_values, gpointer data);
	void (*end)(MsnXmlReader *r, const char *name, gpointer data);
	void (*text)(MsnXmlReader *r, const char *text, gsize len, gpointer data);
} MsnXmlHandlers;

/* handlers is copied. */
MsnXmlReader *msn_xml_reader_new(const MsnXmlHandlers *handlers, gpointer data);
void msn_xml_reader_free(MsnXmlReader *r);

/* The reader's copy of name, the pointer the handlers get for an element of
 * that local name; NULL once MSN_XML_MAX_NAMES names are known, or for a
 * name longer than MSN_XML_MAX_NAME. */
const char *msn_xml_reader_intern(MsnXmlReader *r, const char *name);

/* The next piece of the document, in order, any size (data may be NULL
 * when len is 0).  FALSE once the document cannot be read (an error, or a
 * handler stopped it): later pieces are ignored. */
gboolean msn_xml_reader_feed(MsnXmlReader *r, const char *data, gsize len);

/* The document ends here: TRUE when it was one well-formed element, else
 * FALSE with the first error (also after a stop: MSN_XML_ERROR_STOPPED). */
gboolean msn_xml_reader_end(MsnXmlReader *r, GError **error);

/* From a handler: read nothing more (feed returns FALSE). */
void msn_xml_reader_stop(MsnXmlReader *r);

/* The first error met, NULL while there is none. */
const GError *msn_xml_reader_error(MsnXmlReader *r);

G_END_DECLS

#endif
