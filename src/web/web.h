/* purple-msnp — the account's HTTP(S) side: one SoupSession per account.
 *
 * Follows the account's proxy settings, verifies TLS certificates against the
 * system store, and lets the user trust one server certificate deliberately by
 * its SHA-256 fingerprint (account option "tls_fingerprint").  Requests are
 * asynchronous on the GLib main loop and end with a GError a user can read.
 */
#ifndef MSNP_WEB_H
#define MSNP_WEB_H

#include <glib.h>
#include <libsoup/soup.h>
#include <account.h>
#include <connection.h>

G_BEGIN_DECLS

#define MSN_WEB_ERROR (msn_web_error_quark())
GQuark msn_web_error_quark(void);

typedef enum {
	MSN_WEB_ERROR_UNREACHABLE,   /* DNS failure, refused, proxy failure */
	MSN_WEB_ERROR_TIMEOUT,       /* no answer in time */
	/* Certificate not trusted (the message has its fingerprint), by cause: */
	MSN_WEB_ERROR_CERT_UNTRUSTED,
	MSN_WEB_ERROR_CERT_HOSTNAME,
	MSN_WEB_ERROR_CERT_EXPIRED,
	MSN_WEB_ERROR_CERT_NOT_ACTIVATED,
	MSN_WEB_ERROR_TLS,           /* other TLS failure */
	MSN_WEB_ERROR_HTTP,          /* unexpected HTTP status */
	MSN_WEB_ERROR_TOO_LARGE,     /* body over the limit */
	MSN_WEB_ERROR_BAD_URL
} MsnWebError;

/* Seconds a request may take in all. */
#define MSN_WEB_TIMEOUT_S 30
/* Largest response body accepted: a 20,000-contact ABFindAll is ~30 MiB. */
#define MSN_WEB_MAX_BODY (64 * 1024 * 1024)

typedef struct _MsnWeb MsnWeb;

MsnWeb *msn_web_new(PurpleAccount *account);
/* Cancels every request in flight: their callbacks run later with
 * G_IO_ERROR_CANCELLED (only to free their data; web is gone by then). */
void msn_web_free(MsnWeb *web);

/* msg's status and headers are valid in the callback; body is NULL on error. */
typedef void (*MsnWebCallback)(MsnWeb *web, SoupMessage *msg, GBytes *body,
                               const GError *error, gpointer data);

/* Sends msg (taking ownership).  Redirects are not followed automatically:
 * callers decide (Passport 1.4 follows 302 itself, bounded). */
void msn_web_send(MsnWeb *web, SoupMessage *msg, MsnWebCallback cb, gpointer data);

/* One piece of a reply body, as it was read (msg's status and headers are
 * valid).  data is only valid during the call. */
typedef void (*MsnWebChunkCallback)(MsnWeb *web, SoupMessage *msg, const char *data, gsize len,
                                    gpointer user_data);

/* msn_web_send without keeping the body: chunk_cb gets each piece of it in
 * order as it arrives (whatever the HTTP status), then done_cb runs once with
 * body NULL — error NULL when the body was read to its end.  The same
 * contract otherwise: certificates, timeout, MSN_WEB_MAX_BODY in all (over
 * it: done_cb with MSN_WEB_ERROR_TOO_LARGE, no more chunks), and after
 * msn_web_free no chunk_cb runs and done_cb gets G_IO_ERROR_CANCELLED. */
void msn_web_send_stream(MsnWeb *web, SoupMessage *msg, MsnWebChunkCallback chunk_cb,
                         MsnWebCallback done_cb, gpointer data);

/* The libpurple reason for a web error (certificate errors get the CERT_
 * reasons, so libpurple does not retry them blindly). */
PurpleConnectionError msn_web_error_reason(const GError *error);

/* "AB:CD:…" SHA-256 of a certificate's DER bytes; newly allocated. */
char *msn_web_cert_fingerprint(GTlsCertificate *cert);

G_END_DECLS

#endif
