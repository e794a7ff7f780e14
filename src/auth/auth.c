/* purple-msnp — Tweener tickets: Passport 1.4 (MSNP8–11) and RST (MSNP12–14). */
#include "auth/auth.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <debug.h>

#include "msnp.h"
#include "proto/urlenc.h"

G_DEFINE_QUARK(msn-auth-error-quark, msn_auth_error)

#define MAX_REDIRECTS 5

void
msn_tickets_free(MsnTickets *tickets)
{
	if (tickets == NULL)
		return;
	/* Tickets are credentials: do not leave them in freed memory. */
	if (tickets->messenger)
		memset(tickets->messenger, 0, strlen(tickets->messenger));
	if (tickets->contacts)
		memset(tickets->contacts, 0, strlen(tickets->contacts));
	g_free(tickets->messenger);
	g_free(tickets->contacts);
	g_free(tickets);
}

typedef struct {
	MsnWeb *web;
	char *handle;
	char *password;
	char *policy;
	gboolean require_https;   /* the configured URL was https: so must every hop be */
	guint redirects;
	MsnAuthCallback cb;
	gpointer data;
} AuthJob;

static void
job_free(AuthJob *job)
{
	if (job->password)
		memset(job->password, 0, strlen(job->password));
	g_free(job->handle);
	g_free(job->password);
	g_free(job->policy);
	g_free(job);
}

/* Reports the error, except a cancellation: then the owner is gone. */
static void
job_fail(AuthJob *job, GError *error)
{
	if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		job->cb(NULL, error, job->data);
	g_error_free(error);
	job_free(job);
}

static AuthJob *
job_new(MsnWeb *web, const char *url, const char *handle, const char *password,
        const char *policy, MsnAuthCallback cb, gpointer data)
{
	AuthJob *job = g_new0(AuthJob, 1);

	job->web = web;
	job->handle = g_strdup(handle);
	job->password = g_strdup(password ? password : "");
	job->policy = g_strdup(policy ? policy : "");
	job->require_https = g_str_has_prefix(url, "https://");
	job->cb = cb;
	job->data = data;
	return job;
}

/* A URL the job may go to: parsable, http(s), and https when it started so. */
static SoupMessage *
job_message(AuthJob *job, const char *method, const char *url, GError **error)
{
	SoupMessage *msg;

	if (job->require_https && !g_str_has_prefix(url, "https://")) {
		g_set_error(error, MSN_AUTH_ERROR, MSN_AUTH_ERROR_BAD_REPLY,
		            _("The sign-in server sent this client to an address without "
		              "encryption; the password was not sent."));
		return NULL;
	}
	if (!g_str_has_prefix(url, "https://") && !g_str_has_prefix(url, "http://")) {
		g_set_error(error, MSN_AUTH_ERROR, MSN_AUTH_ERROR_BAD_REPLY,
		            _("The sign-in address is not an http:// or https:// URL."));
		return NULL;
	}
	msg = soup_message_new(method, url);
	if (msg == NULL)
		g_set_error(error, MSN_AUTH_ERROR, MSN_AUTH_ERROR_BAD_REPLY,
		            _("The sign-in address is not a valid URL."));
	return msg;
}

static GError *
copy_web_error(const GError *error)
{
	return g_error_copy(error);
}

/* ---- Passport 1.4 ---- */

/* Value of key in a "k=v,k=v" list (keys case-insensitive), or NULL. */
static char *
kv_lookup(const char *list, const char *key)
{
	char **items;
	char *found = NULL;
	gsize klen = strlen(key);
	guint i;

	if (list == NULL)
		return NULL;
	items = g_strsplit(list, ",", 256);
	for (i = 0; items[i] && !found; i++) {
		char *item = g_strstrip(items[i]);
		if (g_ascii_strncasecmp(item, key, klen) == 0 && item[klen] == '=')
			found = g_strdup(item + klen + 1);
	}
	g_strfreev(items);
	return found;
}

char *
msn_passport14_parse_dalogin(const char *passport_urls)
{
	char *value = kv_lookup(passport_urls, "DALogin");
	char *url;

	if (value == NULL || *value == '\0') {
		g_free(value);
		return NULL;
	}
	if (g_str_has_prefix(value, "https://") || g_str_has_prefix(value, "http://"))
		return value;
	/* Official servers omit the scheme. */
	url = g_strconcat("https://", value, NULL);
	g_free(value);
	return url;
}

char *
msn_passport14_parse_from_pp(const char *info)
{
	const char *p, *end;

	if (info == NULL || (p = strstr(info, "from-PP=")) == NULL)
		return NULL;
	p += strlen("from-PP=");
	if (*p == '\'') {
		p++;
		end = strchr(p, '\'');
		if (end == NULL)
			return NULL;
	} else
		end = p + strcspn(p, ",");
	if (end == p)
		return NULL;
	return g_strndup(p, (gsize)(end - p));
}

static void passport_login(AuthJob *job, const char *url);

static void
passport_login_cb(MsnWeb *web, SoupMessage *msg, GBytes *body, const GError *error, gpointer data)
{
	AuthJob *job = data;
	SoupMessageHeaders *h;
	guint status;

	if (error) {
		job_fail(job, copy_web_error(error));
		return;
	}
	h = soup_message_get_response_headers(msg);
	status = soup_message_get_status(msg);
	if (status == 200) {
		char *ticket = msn_passport14_parse_from_pp(
			soup_message_headers_get_one(h, "Authentication-Info"));
		MsnTickets *tickets;

		if (ticket == NULL) {
			job_fail(job, g_error_new(MSN_AUTH_ERROR, MSN_AUTH_ERROR_BAD_REPLY,
			         _("The Passport server accepted the password but sent no ticket.")));
			return;
		}
		tickets = g_new0(MsnTickets, 1);
		tickets->messenger = ticket;
		job->cb(tickets, NULL, job->data);
		job_free(job);
	} else if (status == 302 || status == 301 || status == 307) {
		const char *location = soup_message_headers_get_one(h, "Location");
		if (++job->redirects > MAX_REDIRECTS || location == NULL) {
			job_fail(job, g_error_new(MSN_AUTH_ERROR, MSN_AUTH_ERROR_REDIRECTS,
			         _("The Passport server redirected the sign-in too many times.")));
			return;
		}
		passport_login(job, location);
	} else if (status == 401) {
		char *text = kv_lookup(soup_message_headers_get_one(h, "WWW-Authenticate"), "cbtxt");
		char *decoded = text ? msn_url_decode(text) : NULL;
		GError *e = g_error_new(MSN_AUTH_ERROR, MSN_AUTH_ERROR_WRONG_PASSWORD,
		                        _("The e-mail address or password is wrong.%s%s"),
		                        decoded ? " " : "", decoded ? decoded : "");
		g_free(text);
		g_free(decoded);
		job_fail(job, e);
	} else
		job_fail(job, g_error_new(MSN_AUTH_ERROR, MSN_AUTH_ERROR_SERVER,
		         _("The Passport server failed (HTTP %u). Try again later."), status));
}

static void
passport_login(AuthJob *job, const char *url)
{
	GError *error = NULL;
	SoupMessage *msg = job_message(job, "GET", url, &error);
	char *user, *pass, *auth;

	if (msg == NULL) {
		job_fail(job, error);
		return;
	}
	user = msn_url_encode(job->handle);
	pass = msn_url_encode(job->password);
	auth = g_strdup_printf("Passport1.4 OrgVerb=GET,OrgURL=http%%3A%%2F%%2Fmessenger%%2Emsn%%2Ecom,"
	                       "sign-in=%s,pwd=%s,%s", user, pass, job->policy);
	soup_message_headers_replace(soup_message_get_request_headers(msg), "Authorization", auth);
	soup_message_headers_replace(soup_message_get_request_headers(msg), "Cache-Control", "no-cache");
	memset(pass, 0, strlen(pass));
	memset(auth, 0, strlen(auth));
	g_free(user);
	g_free(pass);
	g_free(auth);
	msn_web_send(job->web, msg, passport_login_cb, job);
}

static void
nexus_cb(MsnWeb *web, SoupMessage *msg, GBytes *body, const GError *error, gpointer data)
{
	AuthJob *job = data;
	char *dalogin;

	if (error) {
		job_fail(job, copy_web_error(error));
		return;
	}
	if (soup_message_get_status(msg) != 200) {
		job_fail(job, g_error_new(MSN_AUTH_ERROR, MSN_AUTH_ERROR_SERVER,
		         _("The Passport nexus failed (HTTP %u). Check the nexus URL in the "
		           "account settings."), soup_message_get_status(msg)));
		return;
	}
	/* Header names are case-insensitive here: "Passporturls" works too. */
	dalogin = msn_passport14_parse_dalogin(soup_message_headers_get_one(
		soup_message_get_response_headers(msg), "PassportURLs"));
	if (dalogin == NULL) {
		job_fail(job, g_error_new(MSN_AUTH_ERROR, MSN_AUTH_ERROR_BAD_REPLY,
		         _("The Passport nexus did not say where to sign in (no DALogin).")));
		return;
	}
	passport_login(job, dalogin);
	g_free(dalogin);
}

void
msn_auth_passport14(MsnWeb *web, const char *nexus_url, const char *handle,
                    const char *password, const char *policy,
                    MsnAuthCallback cb, gpointer data)
{
	AuthJob *job = job_new(web, nexus_url, handle, password, policy, cb, data);
	GError *error = NULL;
	SoupMessage *msg = job_message(job, "GET", nexus_url, &error);

	if (msg == NULL) {
		job_fail(job, error);
		return;
	}
	msn_web_send(web, msg, nexus_cb, job);
}

/* ---- RST ---- */

#define NS_SOAP "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_WSSE "http://schemas.xmlsoap.org/ws/2003/06/secext"
#define NS_WSP  "http://schemas.xmlsoap.org/ws/2002/12/policy"
#define NS_WSA  "http://schemas.xmlsoap.org/ws/2004/03/addressing"
#define NS_WST  "http://schemas.xmlsoap.org/ws/2004/04/trust"
#define NS_PS   "http://schemas.microsoft.com/Passport/SoapServices/PPCRL"
#define ISSUE   "http://schemas.xmlsoap.org/ws/2004/04/security/trust/Issue"

static void
add_token_request(xmlNodePtr parent, int index, const char *address, const char *policy,
                  xmlNsPtr wst, xmlNsPtr wsp, xmlNsPtr wsa, xmlNsPtr wsse)
{
	char id[16];
	xmlNodePtr rst, applies, epr;

	g_snprintf(id, sizeof id, "RST%d", index);
	rst = xmlNewChild(parent, wst, BAD_CAST "RequestSecurityToken", NULL);
	xmlNewProp(rst, BAD_CAST "Id", BAD_CAST id);
	xmlNewTextChild(rst, wst, BAD_CAST "RequestType", BAD_CAST ISSUE);
	applies = xmlNewChild(rst, wsp, BAD_CAST "AppliesTo", NULL);
	epr = xmlNewChild(applies, wsa, BAD_CAST "EndpointReference", NULL);
	xmlNewTextChild(epr, wsa, BAD_CAST "Address", BAD_CAST address);
	if (policy) {
		xmlNodePtr ref = xmlNewChild(rst, wsse, BAD_CAST "PolicyReference", NULL);
		xmlNewProp(ref, BAD_CAST "URI", BAD_CAST policy);
	}
}

/* "?k=v&k=v" from the TWN policy's "k=v,k=v", or "?id=507" without one. */
static char *
messenger_policy(const char *policy)
{
	char *q;

	if (policy == NULL || strchr(policy, '=') == NULL)
		return g_strdup("?id=507");
	q = g_strconcat("?", policy, NULL);
	g_strdelimit(q, ",", '&');
	return q;
}

char *
msn_rst_build_request(const char *handle, const char *password, const char *policy,
                      gboolean want_contacts)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr env, header, info, sec, tok, body, multi;
	xmlNsPtr soap, wsse, wsp, wsa, wst, ps;
	xmlChar *out = NULL;
	int len = 0;
	char *result, *mpolicy = messenger_policy(policy);

	env = xmlNewNode(NULL, BAD_CAST "Envelope");
	xmlDocSetRootElement(doc, env);
	soap = xmlNewNs(env, BAD_CAST NS_SOAP, NULL);
	xmlSetNs(env, soap);
	wsse = xmlNewNs(env, BAD_CAST NS_WSSE, BAD_CAST "wsse");
	wsp = xmlNewNs(env, BAD_CAST NS_WSP, BAD_CAST "wsp");
	wsa = xmlNewNs(env, BAD_CAST NS_WSA, BAD_CAST "wsa");
	wst = xmlNewNs(env, BAD_CAST NS_WST, BAD_CAST "wst");
	ps = xmlNewNs(env, BAD_CAST NS_PS, BAD_CAST "ps");

	header = xmlNewChild(env, soap, BAD_CAST "Header", NULL);
	info = xmlNewChild(header, ps, BAD_CAST "AuthInfo", NULL);
	xmlNewProp(info, BAD_CAST "Id", BAD_CAST "PPAuthInfo");
	xmlNewTextChild(info, ps, BAD_CAST "HostingApp", BAD_CAST "{7108E71A-9926-4FCB-BCC9-9A9D3F32E423}");
	xmlNewTextChild(info, ps, BAD_CAST "BinaryVersion", BAD_CAST "4");
	xmlNewTextChild(info, ps, BAD_CAST "UIVersion", BAD_CAST "1");
	xmlNewTextChild(info, ps, BAD_CAST "Cookies", NULL);
	xmlNewTextChild(info, ps, BAD_CAST "RequestParams", BAD_CAST "AQAAAAIAAABsYwQAAAAxMDMz");
	sec = xmlNewChild(header, wsse, BAD_CAST "Security", NULL);
	tok = xmlNewChild(sec, wsse, BAD_CAST "UsernameToken", NULL);
	xmlNewProp(tok, BAD_CAST "Id", BAD_CAST "user");
	/* xmlNewTextChild escapes: a password with <, & or quotes stays a password. */
	xmlNewTextChild(tok, wsse, BAD_CAST "Username", BAD_CAST handle);
	xmlNewTextChild(tok, wsse, BAD_CAST "Password", BAD_CAST (password ? password : ""));

	body = xmlNewChild(env, soap, BAD_CAST "Body", NULL);
	multi = xmlNewChild(body, ps, BAD_CAST "RequestMultipleSecurityTokens", NULL);
	xmlNewProp(multi, BAD_CAST "Id", BAD_CAST "RSTS");
	add_token_request(multi, 0, "http://Passport.NET/tb", NULL, wst, wsp, wsa, wsse);
	add_token_request(multi, 1, "messenger.msn.com", mpolicy, wst, wsp, wsa, wsse);
	if (want_contacts)
		add_token_request(multi, 2, "contacts.msn.com", "MBI", wst, wsp, wsa, wsse);

	xmlDocDumpMemoryEnc(doc, &out, &len, "UTF-8");
	result = g_strndup((const char *)out, (gsize)len);
	if (out) {
		memset(out, 0, (size_t)len);
		xmlFree(out);
	}
	xmlFreeDoc(doc);
	g_free(mpolicy);
	return result;
}

static xmlNodePtr
find_element(xmlNodePtr node, const char *local)
{
	for (; node; node = node->next) {
		xmlNodePtr found;
		if (node->type == XML_ELEMENT_NODE && xmlStrcmp(node->name, BAD_CAST local) == 0)
			return node;
		if ((found = find_element(node->children, local)) != NULL)
			return found;
	}
	return NULL;
}

static char *
element_text(xmlNodePtr node)
{
	xmlChar *c;
	char *s;

	if (node == NULL)
		return NULL;
	c = xmlNodeGetContent(node);
	s = c ? g_strstrip(g_strdup((const char *)c)) : NULL;
	xmlFree(c);
	return s;
}

/* Collects RequestSecurityTokenResponse elements (bounded depth walk). */
static void
collect_tokens(xmlNodePtr node, MsnTickets *t, int depth)
{
	if (depth > 32)
		return;
	for (; node; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(node->name, BAD_CAST "RequestSecurityTokenResponse") == 0) {
			char *addr = element_text(find_element(node->children, "Address"));
			char *token = element_text(find_element(node->children, "BinarySecurityToken"));
			/* Chosen by the address it is for, never by its Compact number. */
			if (addr && token && g_ascii_strcasecmp(addr, "messenger.msn.com") == 0 &&
			    !t->messenger)
				t->messenger = g_steal_pointer(&token);
			else if (addr && token && g_ascii_strcasecmp(addr, "contacts.msn.com") == 0 &&
			         !t->contacts)
				t->contacts = g_steal_pointer(&token);
			g_free(addr);
			g_free(token);
		} else
			collect_tokens(node->children, t, depth + 1);
	}
}

MsnTickets *
msn_rst_parse_response(const char *xml, gsize len, GError **error)
{
	xmlDocPtr doc;
	xmlNodePtr root, fault;
	MsnTickets *t;

	if (len > G_MAXINT)
		len = G_MAXINT;
	/* No network, no entity expansion. */
	doc = xmlReadMemory(xml, (int)len, "rst.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL) {
		g_set_error(error, MSN_AUTH_ERROR, MSN_AUTH_ERROR_BAD_REPLY,
		            _("The sign-in server's reply could not be read (not XML)."));
		xmlFreeDoc(doc);
		return NULL;
	}
	/* Faults can come with HTTP 200 and outside Body: look everywhere. */
	fault = find_element(root, "Fault");
	if (fault) {
		char *code = element_text(find_element(fault->children, "faultcode"));
		char *text = element_text(find_element(fault->children, "faultstring"));
		if (code && strstr(code, "FailedAuthentication"))
			g_set_error(error, MSN_AUTH_ERROR, MSN_AUTH_ERROR_WRONG_PASSWORD,
			            _("The e-mail address or password is wrong."));
		else
			g_set_error(error, MSN_AUTH_ERROR, MSN_AUTH_ERROR_SERVER,
			            _("The sign-in server refused the request: %s (%s)."),
			            text && *text ? text : _("no reason given"), code ? code : "?");
		g_free(code);
		g_free(text);
		xmlFreeDoc(doc);
		return NULL;
	}
	t = g_new0(MsnTickets, 1);
	collect_tokens(root, t, 0);
	xmlFreeDoc(doc);
	if (t->messenger == NULL || *t->messenger == '\0') {
		msn_tickets_free(t);
		g_set_error(error, MSN_AUTH_ERROR, MSN_AUTH_ERROR_BAD_REPLY,
		            _("The sign-in server sent no ticket for Messenger."));
		return NULL;
	}
	return t;
}

static void
rst_cb(MsnWeb *web, SoupMessage *msg, GBytes *body, const GError *error, gpointer data)
{
	AuthJob *job = data;
	GError *perr = NULL;
	MsnTickets *t;
	gsize len;
	const char *xml;
	guint status;

	if (error) {
		job_fail(job, copy_web_error(error));
		return;
	}
	status = soup_message_get_status(msg);
	xml = g_bytes_get_data(body, &len);
	t = (len > 0) ? msn_rst_parse_response(xml, len, &perr) : NULL;
	if (t == NULL && perr == NULL)
		perr = g_error_new(MSN_AUTH_ERROR, MSN_AUTH_ERROR_SERVER,
		                   _("The sign-in server failed (HTTP %u). Try again later."), status);
	if (t == NULL && status >= 500 && perr->code == MSN_AUTH_ERROR_BAD_REPLY) {
		g_clear_error(&perr);
		perr = g_error_new(MSN_AUTH_ERROR, MSN_AUTH_ERROR_SERVER,
		                   _("The sign-in server failed (HTTP %u). Try again later."), status);
	}
	if (t == NULL) {
		job_fail(job, perr);
		return;
	}
	job->cb(t, NULL, job->data);
	job_free(job);
}

void
msn_auth_rst(MsnWeb *web, const char *rst_url, const char *handle, const char *password,
             const char *policy, gboolean want_contacts, MsnAuthCallback cb, gpointer data)
{
	AuthJob *job = job_new(web, rst_url, handle, password, policy, cb, data);
	GError *error = NULL;
	SoupMessage *msg = job_message(job, "POST", rst_url, &error);
	char *body;
	GBytes *bytes;

	if (msg == NULL) {
		job_fail(job, error);
		return;
	}
	body = msn_rst_build_request(handle, job->password, policy, want_contacts);
	bytes = g_bytes_new_take(body, strlen(body));
	soup_message_set_request_body_from_bytes(msg, "text/xml; charset=utf-8", bytes);
	g_bytes_unref(bytes);
	msn_web_send(web, msg, rst_cb, job);
}
