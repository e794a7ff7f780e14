/* msnp-testserver — HTTP(S) side: Passport 1.4 nexus and login, RST, and
 * the address-book and sharing services (abch.c).
 *
 * The same handlers serve plain HTTP and HTTPS (docs: protocol/auth.md):
 *   GET  /rdr/pprdr.asp   nexus: PassportURLs header pointing at login2.srf
 *   GET  /login2.srf      Passport 1.4 login (Authorization: Passport1.4 …)
 *   POST /RST.srf         WS-Trust RequestSecurityToken (SOAP)
 *   POST /abservice/abservice.asmx, /abservice/SharingService.asmx  (abch.c)
 * In scripted mode any credentials get a ticket.  Only the method and path of
 * a request are logged, never headers or bodies (passwords).
 *
 * Faults (--help): --http-status, --http-silent, --rst-fault, --rst-no-token,
 * --rst-compact-swap, --passport-redirects, --passport-redirect-http,
 * --nexus-no-dalogin, --nexus-dalogin-noscheme, --passport-unquoted.
 */
#include "testserver.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

typedef struct {
	Server *srv;
	SoupServerMessage *msg;
	GSource *timer;
} DelayedReply;

static GList *delayed_replies;   /* DelayedReply* */
static GList *silent_requests;   /* SoupServerMessage* paused for ever (--http-silent) */

#define SOAP_NS_DECLS \
	"xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\" " \
	"xmlns:wst=\"http://schemas.xmlsoap.org/ws/2004/04/trust\" " \
	"xmlns:wsse=\"http://schemas.xmlsoap.org/ws/2003/06/secext\" " \
	"xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\" " \
	"xmlns:saml=\"urn:oasis:names:tc:SAML:1.0:assertion\" " \
	"xmlns:wsp=\"http://schemas.xmlsoap.org/ws/2002/12/policy\" " \
	"xmlns:psf=\"http://schemas.microsoft.com/Passport/SoapServices/SOAPFault\""

static void
log_response(Server *srv, const char *label, guint status)
{
	char text[32];

	g_snprintf(text, sizeof text, "%u", status);
	server_log(srv, label, "S:", text);
}

/* ---- Passport 1.4 ----------------------------------------------------------- */

static char *
login_base_url(Server *srv)
{
	if (srv->https_port)
		return g_strdup_printf("https://127.0.0.1:%u", srv->https_port);
	return g_strdup_printf("http://127.0.0.1:%u", srv->http_port);
}

static void
handle_nexus(Server *srv, SoupServerMessage *msg)
{
	char *base = login_base_url(srv);
	char *dalogin;
	char *urls;

	if (srv->nexus_no_dalogin)
		dalogin = g_strdup("");
	else if (srv->nexus_dalogin_noscheme)
		dalogin = g_strdup_printf("DALogin=127.0.0.1:%u/login2.srf,",
		                          srv->https_port ? srv->https_port : srv->http_port);
	else
		dalogin = g_strdup_printf("DALogin=%s/login2.srf,", base);
	urls = g_strdup_printf(
		"DARealm=Passport.Net,%sDAReg=http://127.0.0.1:%u/reg,"
		"Properties=%s/properties,Privacy=http://127.0.0.1:%u/privacy,"
		"GeneralRedir=http://127.0.0.1:%u/redir,Help=http://127.0.0.1:%u/help,ConfigVersion=16",
		dalogin, srv->http_port, base, srv->http_port, srv->http_port, srv->http_port);
	g_free(dalogin);

	soup_message_headers_append(soup_server_message_get_response_headers(msg), "PassportURLs", urls);
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, "text/html", SOUP_MEMORY_STATIC, "", 0);
	g_free(urls);
	g_free(base);
}

/* Lenient %XX decoding: malformed escapes stay as they are (like Python's unquote). */
static char *
decode_lenient(const char *s)
{
	char *d = util_url_decode(s);

	return d ? d : g_strdup(s);
}

/* --passport-redirects: 302 to this same URL, counting the hops in the query
 * so that every sign-in gets N of them.  TRUE when it redirected. */
static gboolean
passport_redirect(Server *srv, SoupServerMessage *msg, GHashTable *query, gboolean https)
{
	const char *rd = query ? g_hash_table_lookup(query, "rd") : NULL;
	guint hop = rd ? (guint) g_ascii_strtoull(rd, NULL, 10) : 0;
	char *location;

	if (hop >= srv->passport_redirects)
		return FALSE;
	if (https && !srv->passport_redirect_http)
		location = g_strdup_printf("https://127.0.0.1:%u/login2.srf?rd=%u", srv->https_port, hop + 1);
	else
		location = g_strdup_printf("http://127.0.0.1:%u/login2.srf?rd=%u", srv->http_port, hop + 1);
	server_logf(srv, https ? "https" : "http", "-- redirect %u of %u to %s", hop + 1,
	            srv->passport_redirects, location);
	soup_message_headers_append(soup_server_message_get_response_headers(msg), "Location", location);
	soup_server_message_set_status(msg, SOUP_STATUS_FOUND, NULL);
	soup_server_message_set_response(msg, "text/html", SOUP_MEMORY_STATIC, "", 0);
	g_free(location);
	return TRUE;
}

static void
handle_login(Server *srv, SoupServerMessage *msg, GHashTable *query, gboolean https)
{
	const char *auth = soup_message_headers_get_one(soup_server_message_get_request_headers(msg),
	                                                "Authorization");
	SoupMessageHeaders *rh = soup_server_message_get_response_headers(msg);
	char **fields, **f;
	char *user = NULL, *pwd = NULL;

	if (passport_redirect(srv, msg, query, https))
		return;

	/* Escargot: a missing or malformed header raises: HTTP 500. */
	if (!auth || !g_str_has_prefix(auth, "Passport1.4 ")) {
		soup_server_message_set_status(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
		return;
	}
	fields = g_strsplit(auth + strlen("Passport1.4 "), ",", -1);
	for (f = fields; *f; f++) {
		char *eq = strchr(*f, '=');
		char *key, *value;

		if (!eq)
			continue;
		*eq = '\0';
		key = decode_lenient(*f);
		value = decode_lenient(eq + 1);
		if (strcmp(key, "sign-in") == 0 && !user)
			user = value;
		else if (strcmp(key, "pwd") == 0 && !pwd)
			pwd = value;
		else
			g_free(value);
		g_free(key);
	}
	g_strfreev(fields);
	if (!user || !pwd) {
		soup_server_message_set_status(msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
	} else if (srv->script || accounts_check_password(srv, user, pwd)) {
		const char *ticket = tickets_issue(srv, user, TICKET_PASSPORT14);
		char *p = util_random_token(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*$");
		const char *q = srv->passport_unquoted ? "" : "'";
		char *info = g_strdup_printf("Passport1.4 da-status=success,tname=MSPAuth,tname=MSPProf,"
		                             "tname=MSPSec,from-PP=%st=%s&p=%s%s,ru=http://messenger.msn.com",
		                             q, ticket, p, q);

		soup_message_headers_append(rh, "Authentication-Info", info);
		soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
		soup_server_message_set_response(msg, "text/html", SOUP_MEMORY_STATIC, "", 0);
		g_free(info);
		g_free(p);
	} else {
		soup_message_headers_append(rh, "WWW-Authenticate",
			"Passport1.4 da-status=failed,srealm=Passport.NET,ts=-3,prompt,"
			"cburl=http://127.0.0.1/logo.gif,"
			"cbtxt=The%20e-mail%20address%20or%20password%20is%20incorrect");
		soup_server_message_set_status(msg, SOUP_STATUS_UNAUTHORIZED, NULL);
		soup_server_message_set_response(msg, "text/html", SOUP_MEMORY_STATIC, "", 0);
	}
	g_free(user);
	g_free(pwd);
}

/* ---- RST ------------------------------------------------------------------------ */

static void
collect(xmlNodePtr node, char **user, char **pwd, GPtrArray *addresses)
{
	for (; node; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		if (!*user && xmlStrcmp(node->name, BAD_CAST "Username") == 0) {
			xmlChar *t = xmlNodeGetContent(node);

			*user = g_strdup((const char *) t);
			xmlFree(t);
		} else if (!*pwd && xmlStrcmp(node->name, BAD_CAST "Password") == 0) {
			xmlChar *t = xmlNodeGetContent(node);

			*pwd = g_strdup((const char *) t);
			xmlFree(t);
		} else if (xmlStrcmp(node->name, BAD_CAST "Address") == 0) {
			xmlChar *t = xmlNodeGetContent(node);

			g_ptr_array_add(addresses, g_strstrip(g_strdup((const char *) t)));
			xmlFree(t);
		}
		collect(node->children, user, pwd, addresses);
	}
}

static char *
rst_fault(const char *code, const char *text, const char *reqstatus, const char *redirect)
{
	char *now = util_iso_time(0);
	char *extra = redirect ? g_markup_printf_escaped("<psf:redirectUrl>%s</psf:redirectUrl>", redirect)
	                       : g_strdup("");
	char *esc_code = g_markup_escape_text(code, -1);
	char *body = g_strdup_printf(
		"<?xml version=\"1.0\" encoding=\"utf-8\" ?>"
		"<S:Envelope " SOAP_NS_DECLS ">"
		"<S:Header><psf:pp><psf:serverVersion>1</psf:serverVersion>"
		"<psf:authstate>0x80048800</psf:authstate><psf:reqstatus>%s</psf:reqstatus>"
		"<psf:serverInfo Path=\"Live1\" RollingUpgradeState=\"ExclusiveNew\" LocVersion=\"0\" "
		"ServerTime=\"%s\">msnp-testserver</psf:serverInfo><psf:cookies/><psf:response/>"
		"</psf:pp></S:Header>"
		"<S:Fault><faultcode>%s</faultcode>%s<faultstring>%s</faultstring></S:Fault>"
		"</S:Envelope>", reqstatus, now, esc_code, extra, text);

	g_free(esc_code);
	g_free(extra);
	g_free(now);
	return body;
}

/* The faultstring official servers sent with a faultcode (default: generic). */
static const char *
fault_text(const char *code)
{
	if (strstr(code, "FailedAuthentication") || strstr(code, "Redirect"))
		return "Authentication Failure";
	if (strstr(code, "InvalidSecurityToken"))
		return "Invalid Security Token";
	if (strstr(code, "Client"))
		return "Invalid Request";
	return "Internal Server Error";
}

static void
append_compact(GString *b, const char *addr, const char *created, const char *expires,
               guint id, const char *ticket)
{
	char *esc = g_markup_escape_text(addr, -1);

	g_string_append_printf(b,
		"<wst:RequestSecurityTokenResponse>"
		"<wst:TokenType>urn:passport:compact</wst:TokenType>"
		"<wsp:AppliesTo xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/03/addressing\">"
		"<wsa:EndpointReference><wsa:Address>%s</wsa:Address></wsa:EndpointReference>"
		"</wsp:AppliesTo>"
		"<wst:LifeTime><wsu:Created>%s</wsu:Created><wsu:Expires>%s</wsu:Expires></wst:LifeTime>"
		"<wst:RequestedSecurityToken>"
		"<wsse:BinarySecurityToken Id=\"Compact%u\">t=%s&amp;p=</wsse:BinarySecurityToken>"
		"</wst:RequestedSecurityToken>"
		"<wst:RequestedTokenReference><wsse:KeyIdentifier ValueType=\"urn:passport:compact\"/>"
		"<wsse:Reference URI=\"#Compact%u\"/></wst:RequestedTokenReference>"
		"</wst:RequestSecurityTokenResponse>",
		esc, created, expires, id, ticket, id);
	g_free(esc);
}

static char *
rst_success(Server *srv, const char *ticket, GPtrArray *addresses)
{
	GString *b = g_string_new(NULL);
	char *created = util_iso_time(0);
	char *expires = util_iso_time(24 * 3600);
	guint i, shift = 1;

	g_string_append_printf(b,
		"<?xml version=\"1.0\" encoding=\"utf-8\" ?>"
		"<S:Envelope " SOAP_NS_DECLS ">"
		"<S:Header><psf:pp><psf:serverVersion>1</psf:serverVersion>"
		"<psf:PUID>0001000000000001</psf:PUID><psf:configVersion>3.0.869.0</psf:configVersion>"
		"<psf:uiVersion>3.0.869.0</psf:uiVersion><psf:authstate>0x48803</psf:authstate>"
		"<psf:reqstatus>0x0</psf:reqstatus>"
		"<psf:serverInfo Path=\"Live1\" RollingUpgradeState=\"ExclusiveNew\" LocVersion=\"0\" "
		"ServerTime=\"%s\">msnp-testserver</psf:serverInfo><psf:cookies/>"
		"<psf:browserCookies/><psf:credProperties/><psf:extProperties/><psf:response/>"
		"</psf:pp></S:Header><S:Body>"
		"<wst:RequestSecurityTokenResponseCollection>", created);
	if (srv->rst_compact_swap) {
		/* A token for another service first, as Compact1; it is no ticket
		 * the NS knows, so a client that picks it fails with 911. */
		char *decoy = util_random_token(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

		append_compact(b, "spaces.live.com", created, expires, 1, decoy);
		g_free(decoy);
		shift = 2;
	}
	for (i = 0; i < addresses->len; i++) {
		const char *addr = g_ptr_array_index(addresses, i);
		char *esc;
		gboolean legacy = g_ascii_strcasecmp(addr, "http://Passport.NET/tb") == 0;

		if (srv->rst_no_token && g_ascii_strcasecmp(addr, "messenger.msn.com") == 0)
			continue;
		if (!legacy) {
			/* Escargot numbers Compact ids by position, counting Passport.NET/tb. */
			append_compact(b, addr, created, expires, i + shift, ticket);
			continue;
		}
		esc = g_markup_escape_text(addr, -1);
		g_string_append_printf(b,
			"<wst:RequestSecurityTokenResponse>"
			"<wst:TokenType>%s</wst:TokenType>"
			"<wsp:AppliesTo xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/03/addressing\">"
			"<wsa:EndpointReference><wsa:Address>%s</wsa:Address></wsa:EndpointReference>"
			"</wsp:AppliesTo>"
			"<wst:LifeTime><wsu:Created>%s</wsu:Created><wsu:Expires>%s</wsu:Expires></wst:LifeTime>",
			"urn:passport:legacy", esc, created, expires);
		g_string_append(b,
			"<wst:RequestedSecurityToken>"
			"<EncryptedData xmlns=\"http://www.w3.org/2001/04/xmlenc#\" Id=\"BinaryDAToken0\" "
			"Type=\"http://www.w3.org/2001/04/xmlenc#Element\">"
			"<EncryptionMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#tripledes-cbc\"/>"
			"<ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:KeyName>http://Passport.NET/STS</ds:KeyName></ds:KeyInfo>"
			"<CipherData><CipherValue>bXNucC10ZXN0c2VydmVy</CipherValue></CipherData>"
			"</EncryptedData></wst:RequestedSecurityToken>"
			"<wst:RequestedTokenReference><wsse:KeyIdentifier ValueType=\"urn:passport\"/>"
			"<wsse:Reference URI=\"#BinaryDAToken0\"/></wst:RequestedTokenReference>"
			"<wst:RequestedProofToken><wst:BinarySecret>bXNucC10ZXN0c2VydmVyLXByb29m</wst:BinarySecret>"
			"</wst:RequestedProofToken>");
		g_string_append(b, "</wst:RequestSecurityTokenResponse>");
		g_free(esc);
	}
	g_string_append(b, "</wst:RequestSecurityTokenResponseCollection></S:Body></S:Envelope>");
	g_free(created);
	g_free(expires);
	return g_string_free(b, FALSE);
}

static void
handle_rst(Server *srv, SoupServerMessage *msg, gboolean https)
{
	SoupMessageBody *req = soup_server_message_get_request_body(msg);
	GBytes *body = soup_message_body_flatten(req);
	gsize len;
	const char *data = g_bytes_get_data(body, &len);
	xmlDocPtr doc = NULL;
	char *user = NULL, *pwd = NULL, *reply;
	GPtrArray *addresses = g_ptr_array_new_with_free_func(g_free);

	if (len > 0 && len <= G_MAXINT)
		doc = xmlReadMemory(data, (int) len, "rst.xml", NULL,
		                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc)
		collect(xmlDocGetRootElement(doc), &user, &pwd, addresses);
	if (!doc || !user) {
		reply = rst_fault("S:Client", "Invalid Request", "0x80045c01", NULL);
	} else if (srv->rst_fault) {
		char *url = g_strdup_printf("%s://127.0.0.1:%u/RST.srf", https ? "https" : "http",
		                            https ? srv->https_port : srv->http_port);

		server_logf(srv, https ? "https" : "http", "-- rst-fault %s", srv->rst_fault);
		reply = rst_fault(srv->rst_fault, fault_text(srv->rst_fault), "0x80048800",
		                  strstr(srv->rst_fault, "Redirect") ? url : NULL);
		g_free(url);
	} else if (srv->script || accounts_check_password(srv, user, pwd)) {
		const char *ticket = tickets_issue(srv, user, TICKET_RST);

		reply = rst_success(srv, ticket, addresses);
	} else {
		reply = rst_fault("wsse:FailedAuthentication", "Authentication Failure", "0x80048823", NULL);
	}
	/* Escargot answers faults with HTTP 200 too. */
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, "text/xml; charset=utf-8", SOUP_MEMORY_TAKE,
	                                 reply, strlen(reply));
	if (doc)
		xmlFreeDoc(doc);
	g_free(user);
	if (pwd)
		memset(pwd, 0, strlen(pwd));
	g_free(pwd);
	g_ptr_array_unref(addresses);
	g_bytes_unref(body);
}

/* ---- dispatch ------------------------------------------------------------------- */

static gboolean
on_delay_done(gpointer p)
{
	DelayedReply *d = p;

	delayed_replies = g_list_remove(delayed_replies, d);
	soup_server_message_unpause(d->msg);
	g_object_unref(d->msg);
	g_source_unref(d->timer);
	g_free(d);
	return G_SOURCE_REMOVE;
}

static void
handle_any(SoupServer *server, SoupServerMessage *msg, const char *path,
           GHashTable *query, gpointer user_data)
{
	Server *srv = user_data;
	const char *method = soup_server_message_get_method(msg);
	GUri *uri = soup_server_message_get_uri(msg);
	gboolean https = g_strcmp0(g_uri_get_scheme(uri), "https") == 0;
	const char *label = https ? "https" : "http";
	char *line = g_strdup_printf("%s %s", method, path);
	gpointer status;
	char **p;

	server_log(srv, label, "C:", line);
	g_free(line);

	for (p = srv->http_silent; p && *p; p++)
		if (strcmp(*p, path) == 0) {
			server_log(srv, label, "--", "http-silent: never answering");
			soup_server_message_pause(msg);
			silent_requests = g_list_prepend(silent_requests, g_object_ref(msg));
			return;
		}

	if (srv->http_status && g_hash_table_lookup_extended(srv->http_status, path, NULL, &status))
		soup_server_message_set_status(msg, GPOINTER_TO_UINT(status), NULL);
	else if (strcmp(path, "/rdr/pprdr.asp") == 0 && strcmp(method, "GET") == 0)
		handle_nexus(srv, msg);
	else if ((strcmp(path, "/login2.srf") == 0 || strcmp(path, "/login") == 0) &&
	         strcmp(method, "GET") == 0)
		handle_login(srv, msg, query, https);
	else if (strcmp(path, "/RST.srf") == 0 && strcmp(method, "POST") == 0)
		handle_rst(srv, msg, https);
	else if ((strcmp(path, "/abservice/abservice.asmx") == 0 ||
	          strcmp(path, "/abservice/SharingService.asmx") == 0) && strcmp(method, "POST") == 0)
		abch_handle(srv, msg, label);
	else if (strcmp(path, "/rdr/pprdr.asp") == 0 || strcmp(path, "/login2.srf") == 0 ||
	         strcmp(path, "/RST.srf") == 0)
		soup_server_message_set_status(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
	else
		soup_server_message_set_status(msg, SOUP_STATUS_NOT_FOUND, NULL);

	log_response(srv, label, soup_server_message_get_status(msg));

	if (srv->http_delay_ms > 0) {
		DelayedReply *d = g_new0(DelayedReply, 1);

		d->srv = srv;
		d->msg = g_object_ref(msg);
		soup_server_message_pause(msg);
		d->timer = g_timeout_source_new(srv->http_delay_ms);
		g_source_set_callback(d->timer, on_delay_done, d, NULL);
		g_source_attach(d->timer, NULL);
		delayed_replies = g_list_prepend(delayed_replies, d);
	}
}

/* A listening IPv4 loopback socket; *port gets the port actually bound. */
static GSocket *
listen_loopback(int port, guint16 *bound, GError **error)
{
	GSocket *sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
	                             G_SOCKET_PROTOCOL_TCP, error);
	GInetAddress *lo;
	GSocketAddress *addr, *local;

	if (!sock)
		return NULL;
	lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	addr = g_inet_socket_address_new(lo, (guint16) port);
	g_object_unref(lo);
	if (!g_socket_bind(sock, addr, TRUE, error) || !g_socket_listen(sock, error)) {
		g_object_unref(addr);
		g_object_unref(sock);
		return NULL;
	}
	g_object_unref(addr);
	local = g_socket_get_local_address(sock, error);
	if (!local) {
		g_object_unref(sock);
		return NULL;
	}
	*bound = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
	g_object_unref(local);
	return sock;
}

gboolean
http_start(Server *srv, GError **error)
{
	GSocket *sock;

	srv->soup = soup_server_new("server-header", "msnp-testserver", NULL);
	if (srv->tls_cert) {
		GTlsCertificate *cert = g_tls_certificate_new_from_files(srv->tls_cert, srv->tls_key, error);

		if (!cert)
			return FALSE;
		soup_server_set_tls_certificate(srv->soup, cert);
		g_object_unref(cert);
	}
	soup_server_add_handler(srv->soup, NULL, handle_any, srv, NULL);

	sock = listen_loopback(srv->http_port_opt, &srv->http_port, error);
	if (!sock)
		return FALSE;
	if (!soup_server_listen_socket(srv->soup, sock, 0, error)) {
		g_object_unref(sock);
		return FALSE;
	}
	g_object_unref(sock);

	if (srv->tls_cert) {
		sock = listen_loopback(srv->https_port_opt, &srv->https_port, error);
		if (!sock)
			return FALSE;
		if (!soup_server_listen_socket(srv->soup, sock, SOUP_SERVER_LISTEN_HTTPS, error)) {
			g_object_unref(sock);
			return FALSE;
		}
		g_object_unref(sock);
	}
	return TRUE;
}

void
http_stop(Server *srv)
{
	while (delayed_replies) {
		DelayedReply *d = delayed_replies->data;

		delayed_replies = g_list_delete_link(delayed_replies, delayed_replies);
		g_source_destroy(d->timer);
		g_source_unref(d->timer);
		g_object_unref(d->msg);
		g_free(d);
	}
	g_list_free_full(silent_requests, g_object_unref);
	silent_requests = NULL;
	if (srv->soup) {
		soup_server_disconnect(srv->soup);
		g_clear_object(&srv->soup);
	}
}
