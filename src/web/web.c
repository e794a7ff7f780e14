/* purple-msnp — the account's HTTP(S) side: one SoupSession per account. */
#include "web/web.h"

#include <string.h>

#include <debug.h>
#include <proxy.h>

#include "msnp.h"

G_DEFINE_QUARK(msn-web-error-quark, msn_web_error)

#define READ_CHUNK (64 * 1024)
/* Bytes read in one main-loop turn at most when more is already waiting.
 * A TLS read returns one record (16 KiB): a 20,000-contact address book is
 * ~2,300 of them, each an async read and a loop turn when read one by one.
 * The bound keeps the loop responsive. */
#define READ_TURN (256 * 1024)

struct _MsnWeb {
	PurpleAccount *account;
	SoupSession *soup;
	GCancellable *cancel;
};

typedef struct {
	MsnWeb *web;                 /* not valid once cancel is cancelled */
	GCancellable *cancel;        /* a reference to web's */
	SoupMessage *msg;
	MsnWebCallback cb;
	MsnWebChunkCallback chunk_cb;  /* streaming: no body kept */
	gpointer data;
	GInputStream *stream;
	guint8 *buf;                 /* READ_CHUNK bytes: each read lands here */
	GByteArray *body;            /* not streaming: what was read so far */
	gsize received;              /* body bytes read so far */
	char *untrusted_fp;          /* the fingerprint of a refused certificate */
	GTlsCertificateFlags tls_errors;
} Request;

static GProxyResolver *
proxy_resolver_for(PurpleAccount *account)
{
	PurpleProxyInfo *info = purple_proxy_get_setup(account);
	const char *scheme = NULL;
	char *uri, *auth = NULL;
	GProxyResolver *resolver;

	switch (info ? purple_proxy_info_get_type(info) : PURPLE_PROXY_USE_ENVVAR) {
	case PURPLE_PROXY_NONE:
		return NULL;
	case PURPLE_PROXY_HTTP:
		scheme = "http";
		break;
	case PURPLE_PROXY_SOCKS4:
		scheme = "socks4";
		break;
	case PURPLE_PROXY_SOCKS5:
	case PURPLE_PROXY_TOR:
		scheme = "socks5";
		break;
	case PURPLE_PROXY_USE_ENVVAR:
	case PURPLE_PROXY_USE_GLOBAL:
	default:
		return g_object_ref(g_proxy_resolver_get_default());
	}
	if (purple_proxy_info_get_username(info) && *purple_proxy_info_get_username(info)) {
		char *u = g_uri_escape_string(purple_proxy_info_get_username(info), NULL, FALSE);
		char *p = g_uri_escape_string(purple_proxy_info_get_password(info) ?
		                              purple_proxy_info_get_password(info) : "", NULL, FALSE);
		auth = g_strdup_printf("%s:%s@", u, p);
		g_free(u);
		g_free(p);
	}
	uri = g_strdup_printf("%s://%s%s:%d", scheme, auth ? auth : "",
	                      purple_proxy_info_get_host(info), purple_proxy_info_get_port(info));
	resolver = g_simple_proxy_resolver_new(uri, NULL);
	g_free(uri);
	g_free(auth);
	return resolver;
}

MsnWeb *
msn_web_new(PurpleAccount *account)
{
	MsnWeb *web = g_new0(MsnWeb, 1);
	GProxyResolver *resolver = proxy_resolver_for(account);

	web->account = account;
	web->cancel = g_cancellable_new();
	web->soup = soup_session_new_with_options("timeout",
	                                          (guint)CLAMP(purple_account_get_int(account,
	                                                 MSNP_OPT_TIMEOUT, MSN_WEB_TIMEOUT_S), 1, 600),
	                                          "idle-timeout", 60,
	                                          "user-agent", "MSMSGS",
	                                          "proxy-resolver", resolver,
	                                          NULL);
	if (resolver)
		g_object_unref(resolver);
	return web;
}

void
msn_web_free(MsnWeb *web)
{
	if (web == NULL)
		return;
	g_cancellable_cancel(web->cancel);
	/* Requests hold no reference to web: each checks the cancellable first. */
	g_object_unref(web->cancel);
	soup_session_abort(web->soup);
	g_object_unref(web->soup);
	g_free(web);
}

char *
msn_web_cert_fingerprint(GTlsCertificate *cert)
{
	GByteArray *der = NULL;
	GChecksum *ck;
	guint8 digest[32];
	gsize len = sizeof digest, i;
	GString *out = g_string_new(NULL);

	g_object_get(cert, "certificate", &der, NULL);
	if (der == NULL)
		return g_string_free(out, FALSE);
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(ck, der->data, der->len);
	g_checksum_get_digest(ck, digest, &len);
	g_checksum_free(ck);
	g_byte_array_unref(der);
	for (i = 0; i < len; i++)
		g_string_append_printf(out, "%s%02X", i ? ":" : "", digest[i]);
	return g_string_free(out, FALSE);
}

/* Compares fingerprints ignoring case, colons and spaces. */
static gboolean
fingerprint_matches(const char *a, const char *b)
{
	while (*a || *b) {
		while (*a == ':' || *a == ' ')
			a++;
		while (*b == ':' || *b == ' ')
			b++;
		if (g_ascii_tolower(*a) != g_ascii_tolower(*b))
			return FALSE;
		if (*a == '\0')
			return TRUE;
		a++;
		b++;
	}
	return TRUE;
}

/* Called only when the system store did not vouch for the certificate. */
static gboolean
accept_certificate_cb(SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
                      gpointer data)
{
	Request *req = data;
	const char *trusted;
	char *fp;

	if (g_cancellable_is_cancelled(req->cancel))
		return FALSE;
	trusted = purple_account_get_string(req->web->account, MSNP_OPT_TLS_FINGERPRINT, "");
	fp = msn_web_cert_fingerprint(cert);

	if (trusted && *trusted && fingerprint_matches(fp, trusted)) {
		purple_debug_info("msnp", "accepting the certificate the user trusted (%s)\n", fp);
		g_free(fp);
		return TRUE;
	}
	g_free(req->untrusted_fp);
	req->untrusted_fp = fp;
	req->tls_errors = errors;
	return FALSE;
}

static void
request_finish(Request *req, GBytes *body, GError *error)
{
	/* After msn_web_free the callback still runs (to free its data) but gets
	 * G_IO_ERROR_CANCELLED and a web pointer it must not use. */
	if (g_cancellable_is_cancelled(req->cancel) &&
	    !(error && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))) {
		if (body)
			g_bytes_unref(body);
		body = NULL;
		if (error)
			g_error_free(error);
		error = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
	}
	req->cb(req->web, req->msg, body, error, req->data);
	if (body)
		g_bytes_unref(body);
	if (error)
		g_error_free(error);
	if (req->stream)
		g_object_unref(req->stream);
	g_free(req->buf);
	if (req->body)
		g_byte_array_unref(req->body);
	g_signal_handlers_disconnect_by_data(req->msg, req);
	g_object_unref(req->msg);
	g_free(req->untrusted_fp);
	g_object_unref(req->cancel);
	g_free(req);
}

/* The cause of a refused certificate: error code and a phrase. */
static MsnWebError
tls_problem(GTlsCertificateFlags flags, const char **why)
{
	if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY) {
		*why = _("it was issued for another host name");
		return MSN_WEB_ERROR_CERT_HOSTNAME;
	}
	if (flags & G_TLS_CERTIFICATE_EXPIRED) {
		*why = _("it has expired");
		return MSN_WEB_ERROR_CERT_EXPIRED;
	}
	if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED) {
		*why = _("it is not valid yet");
		return MSN_WEB_ERROR_CERT_NOT_ACTIVATED;
	}
	if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
		*why = _("it is not signed by a known authority");
	else if (flags & G_TLS_CERTIFICATE_REVOKED)
		*why = _("it has been revoked");
	else
		*why = _("it could not be verified");
	return MSN_WEB_ERROR_CERT_UNTRUSTED;
}

/* Turns a GIO/TLS/resolver error into one of ours, with a sentence. */
static GError *
translate_error(Request *req, const GError *error)
{
	GUri *uri = soup_message_get_uri(req->msg);
	const char *host = g_uri_get_host(uri);

	if (req->untrusted_fp) {
		const char *why;
		MsnWebError code = tls_problem(req->tls_errors, &why);

		return g_error_new(MSN_WEB_ERROR, code,
		                   _("The certificate of %s is not trusted: %s. Its SHA-256 "
		                     "fingerprint is %s. If you are sure this is your server's "
		                     "certificate, enter that fingerprint as \"Trusted "
		                     "certificate\" in the account settings (Advanced)."),
		                   host, why, req->untrusted_fp);
	}
	if (error->domain == G_TLS_ERROR)
		return g_error_new(MSN_WEB_ERROR, MSN_WEB_ERROR_TLS,
		                   _("A secure connection to %s could not be set up: %s"),
		                   host, error->message);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
		return g_error_new(MSN_WEB_ERROR, MSN_WEB_ERROR_TIMEOUT,
		                   _("%s did not answer in time."), host);
	return g_error_new(MSN_WEB_ERROR, MSN_WEB_ERROR_UNREACHABLE,
	                   _("Could not reach %s: %s"), host, error->message);
}

static GError *
too_large(Request *req)
{
	return g_error_new(MSN_WEB_ERROR, MSN_WEB_ERROR_TOO_LARGE,
	                   _("%s sent a reply larger than %d MiB."),
	                   g_uri_get_host(soup_message_get_uri(req->msg)),
	                   MSN_WEB_MAX_BODY / (1024 * 1024));
}

static void read_more(Request *req);

/* One read's outcome: FALSE when the request is finished (and freed). */
static gboolean
got(Request *req, gssize n, GError *error)
{
	if (n < 0) {
		GError *e = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ?
		            g_error_copy(error) : translate_error(req, error);
		g_error_free(error);
		request_finish(req, NULL, e);
		return FALSE;
	}
	if (n == 0) {
		request_finish(req, req->body ? g_byte_array_free_to_bytes(g_steal_pointer(&req->body))
		                              : NULL, NULL);
		return FALSE;
	}
	if ((gsize)n > MSN_WEB_MAX_BODY - req->received) {
		request_finish(req, NULL, too_large(req));
		return FALSE;
	}
	req->received += (gsize)n;
	if (req->chunk_cb) {
		/* msn_web_free may have run since the read completed: web is gone. */
		if (!g_cancellable_is_cancelled(req->cancel))
			req->chunk_cb(req->web, req->msg, (const char *)req->buf, (gsize)n, req->data);
	} else
		g_byte_array_append(req->body, req->buf, (guint)n);
	return TRUE;
}

static void
read_cb(GObject *source, GAsyncResult *res, gpointer data)
{
	Request *req = data;
	GError *error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), res, &error);
	gsize turn;

	if (!got(req, n, error))
		return;
	/* What is already there is read now, without blocking, up to a bound. */
	if (G_IS_POLLABLE_INPUT_STREAM(req->stream) &&
	    g_pollable_input_stream_can_poll(G_POLLABLE_INPUT_STREAM(req->stream))) {
		for (turn = (gsize)n; turn < READ_TURN; turn += (gsize)n) {
			if (g_cancellable_is_cancelled(req->cancel))
				break;
			n = g_pollable_input_stream_read_nonblocking(G_POLLABLE_INPUT_STREAM(req->stream),
			                                             req->buf, READ_CHUNK, req->cancel,
			                                             &error);
			if (n < 0 && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
				g_clear_error(&error);
				break;
			}
			if (!got(req, n, error))
				return;
		}
	}
	read_more(req);
}

static void
read_more(Request *req)
{
	g_input_stream_read_async(req->stream, req->buf, READ_CHUNK, G_PRIORITY_DEFAULT,
	                          req->cancel, read_cb, req);
}

static void
send_cb(GObject *source, GAsyncResult *res, gpointer data)
{
	Request *req = data;
	GError *error = NULL;
	goffset length;

	req->stream = soup_session_send_finish(SOUP_SESSION(source), res, &error);
	if (req->stream == NULL) {
		GError *e = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ?
		            g_error_copy(error) : translate_error(req, error);
		g_error_free(error);
		request_finish(req, NULL, e);
		return;
	}
	length = soup_message_headers_get_content_length(soup_message_get_response_headers(req->msg));
	if (length > MSN_WEB_MAX_BODY) {
		request_finish(req, NULL, too_large(req));
		return;
	}
	/* The announced length (when there is one) sizes the buffer once. */
	if (req->chunk_cb == NULL)
		req->body = g_byte_array_sized_new((guint)length);
	req->buf = g_malloc(READ_CHUNK);
	read_more(req);
}

static void
request_start(MsnWeb *web, SoupMessage *msg, MsnWebChunkCallback chunk_cb, MsnWebCallback cb,
              gpointer data)
{
	Request *req = g_new0(Request, 1);
	GUri *uri = soup_message_get_uri(msg);

	req->web = web;
	req->cancel = g_object_ref(web->cancel);
	req->msg = msg;
	req->cb = cb;
	req->chunk_cb = chunk_cb;
	req->data = data;
	soup_message_set_flags(msg, soup_message_get_flags(msg) | SOUP_MESSAGE_NO_REDIRECT);
	g_signal_connect(msg, "accept-certificate", G_CALLBACK(accept_certificate_cb), req);
	/* Log the method, host and path only: queries and headers may hold credentials. */
	purple_debug_info("msnp", "HTTP %s %s://%s:%d%s\n", soup_message_get_method(msg),
	                  g_uri_get_scheme(uri), g_uri_get_host(uri), g_uri_get_port(uri),
	                  g_uri_get_path(uri));
	soup_session_send_async(web->soup, msg, G_PRIORITY_DEFAULT, web->cancel, send_cb, req);
}

void
msn_web_send(MsnWeb *web, SoupMessage *msg, MsnWebCallback cb, gpointer data)
{
	request_start(web, msg, NULL, cb, data);
}

void
msn_web_send_stream(MsnWeb *web, SoupMessage *msg, MsnWebChunkCallback chunk_cb,
                    MsnWebCallback done_cb, gpointer data)
{
	g_return_if_fail(chunk_cb != NULL);
	request_start(web, msg, chunk_cb, done_cb, data);
}

PurpleConnectionError
msn_web_error_reason(const GError *error)
{
	if (error->domain != MSN_WEB_ERROR)
		return PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
	switch (error->code) {
	case MSN_WEB_ERROR_CERT_UNTRUSTED:
		return PURPLE_CONNECTION_ERROR_CERT_UNTRUSTED;
	case MSN_WEB_ERROR_CERT_HOSTNAME:
		return PURPLE_CONNECTION_ERROR_CERT_HOSTNAME_MISMATCH;
	case MSN_WEB_ERROR_CERT_EXPIRED:
		return PURPLE_CONNECTION_ERROR_CERT_EXPIRED;
	case MSN_WEB_ERROR_CERT_NOT_ACTIVATED:
		return PURPLE_CONNECTION_ERROR_CERT_NOT_ACTIVATED;
	case MSN_WEB_ERROR_TLS:
		return PURPLE_CONNECTION_ERROR_ENCRYPTION_ERROR;
	default:
		return PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
	}
}
