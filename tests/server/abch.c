/* msnp-testserver — the address-book (ABCH) and sharing SOAP services, MSNP13+.
 *
 *   POST /abservice/abservice.asmx       ABFindAll, ABContactAdd,
 *        ABContactDelete, ABContactUpdate, ABGroupAdd, ABGroupUpdate,
 *        ABGroupDelete, ABGroupContactAdd, ABGroupContactDelete
 *   POST /abservice/SharingService.asmx  FindMembership, AddMember, DeleteMember
 *
 * As Escargot (docs: protocol/contacts.md §5–§8): both paths take every
 * action (dispatch by the Body's first element); authentication by the
 * TicketToken in the body, else the MSPAuth cookie — none is a plain 500, a
 * ticket the server does not know (or an expired one never used to sign in)
 * 403; a deltasOnly=true request gets the FullSyncRequired fault with HTTP
 * 200; an abId other than the zero GUID, a body that is no XML, or a
 * malformed request is a plain 500; other faults come with HTTP 500 and
 * detail/errorcode (InvalidPassportUser, EmailMissingAtSign,
 * EmailMissingDot, ContactAlreadyExists, ContactDoesNotExist,
 * GroupAlreadyExists, GroupNameTooLong, MemberAlreadyExists,
 * MemberDoesNotExist, UserDoesNotExist).  An unknown action gets an
 * "UnsupportedAction" fault with HTTP 200 (Escargot's Fault.unsupported).
 *
 * Membership ids are Escargot's "Role/contact-GUID".  Contacts of network 32
 * (Yahoo) are e-mail contacts: a ContactEmail of type Messenger2 with
 * isMessengerEnabled in the address book, an EmailMember with
 * MSN.IM.BuddyType "32:" in the memberships.
 *
 * Faults on request: --soap-fault ACTION:CODE[/N], --abfindall-truncate N[/TIMES].
 * Log lines: "-- abch EMAIL: ACTION …" with the outcome.
 */
#include "testserver.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#define NS_AB       "http://www.msn.com/webservices/AddressBook"
#define ZERO_AB_ID  "00000000-0000-0000-0000-000000000000"
#define NEVER       "0001-01-01T00:00:00"
#define GROUP_TYPE  "c8529ce2-6ead-434d-881f-341e17db3ff8"

typedef struct {
	char *spec;
	char *action;
	char *code;          /* errorcode, or a number: a plain HTTP status */
	int remaining;
} SoapFault;

typedef struct {
	Server *srv;
	SoupServerMessage *msg;
	const char *label;
	Account *a;
	const char *action;
	xmlNodePtr body;     /* the action element */
	char *now;
} Req;

static void
soap_fault_free(gpointer p)
{
	SoapFault *f = p;

	g_free(f->spec);
	g_free(f->action);
	g_free(f->code);
	g_free(f);
}

gboolean
abch_parse_soap_fault(Server *srv, const char *spec, GError **error)
{
	const char *colon = strchr(spec, ':');
	const char *slash = strrchr(spec, '/');
	SoapFault *f;
	guint64 n = 1;

	if (slash && slash > colon) {
		char *end = NULL;

		n = g_ascii_strtoull(slash + 1, &end, 10);
		if (!slash[1] || *end || n == 0 || n > G_MAXINT)
			colon = NULL;
	} else {
		slash = spec + strlen(spec);
	}
	if (!colon || colon == spec || colon + 1 >= slash) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--soap-fault: expected ACTION:FAULTCODE[/N] (FAULTCODE an errorcode "
		            "such as ContactAlreadyExists, or an HTTP status such as 500), got %s", spec);
		return FALSE;
	}
	f = g_new0(SoapFault, 1);
	f->spec = g_strdup(spec);
	f->action = g_strndup(spec, (gsize) (colon - spec));
	f->code = g_strndup(colon + 1, (gsize) (slash - colon - 1));
	f->remaining = (int) n;
	if (!srv->soap_faults)
		srv->soap_faults = g_ptr_array_new_with_free_func(soap_fault_free);
	g_ptr_array_add(srv->soap_faults, f);
	return TRUE;
}

gboolean
abch_parse_truncate(Server *srv, const char *spec, GError **error)
{
	char **f = g_strsplit(spec, "/", 2);
	char *end = NULL;
	guint64 n = g_ascii_strtoull(f[0], &end, 10), times = 0;
	gboolean ok = *f[0] && !*end && n <= G_MAXINT;

	if (ok && f[1]) {
		times = g_ascii_strtoull(f[1], &end, 10);
		ok = *f[1] && !*end && times > 0 && times <= G_MAXINT;
	}
	g_strfreev(f);
	if (!ok) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
		            "--abfindall-truncate: expected N[/TIMES], got %s", spec);
		return FALSE;
	}
	srv->abfindall_truncate = (guint) n;
	srv->abfindall_truncate_times = times ? (int) times : -1;
	return TRUE;
}

void
abch_free_all(Server *srv)
{
	g_clear_pointer(&srv->soap_faults, g_ptr_array_unref);
}

/* ---- XML in ------------------------------------------------------------------------ */

/* The first element called name (local name) at or below node, depth first. */
static xmlNodePtr
find(xmlNodePtr node, const char *name)
{
	xmlNodePtr c, r;

	for (c = node ? node->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(c->name, BAD_CAST name) == 0)
			return c;
		if ((r = find(c, name)) != NULL)
			return r;
	}
	return NULL;
}

/* "a/b/c": find a, then b below it, … */
static xmlNodePtr
find_path(xmlNodePtr node, const char *path)
{
	char **parts = g_strsplit(path, "/", -1);
	guint i;

	for (i = 0; parts[i] && node; i++)
		node = find(node, parts[i]);
	g_strfreev(parts);
	return node;
}

static char *
text_of(xmlNodePtr node)
{
	xmlChar *t;
	char *r;

	if (!node)
		return NULL;
	t = xmlNodeGetContent(node);
	r = g_strstrip(g_strdup(t ? (const char *) t : ""));
	xmlFree(t);
	return r;
}

static char *
find_text(xmlNodePtr node, const char *path)
{
	return text_of(find_path(node, path));
}

/* The element children of node called name. */
static GPtrArray *
children(xmlNodePtr node, const char *name)
{
	GPtrArray *out = g_ptr_array_new();
	xmlNodePtr c;

	for (c = node ? node->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0)
			g_ptr_array_add(out, c);
	return out;
}

/* ---- XML out --------------------------------------------------------------------------- */

/* Appends the strings up to NULL as they are (the big replies are built from
 * thousands of these: no format parsing). */
static void G_GNUC_NULL_TERMINATED
cat(GString *out, ...)
{
	va_list ap;
	const char *piece;

	va_start(ap, out);
	while ((piece = va_arg(ap, const char *)) != NULL)
		g_string_append(out, piece);
	va_end(ap);
}

static void
xml_text(GString *out, const char *s)
{
	while (s && *s) {
		gsize run = strcspn(s, "&<>\"");

		g_string_append_len(out, s, (gssize) run);
		s += run;
		switch (*s) {
		case '&': g_string_append(out, "&amp;"); break;
		case '<': g_string_append(out, "&lt;"); break;
		case '>': g_string_append(out, "&gt;"); break;
		case '"': g_string_append(out, "&quot;"); break;
		default: return;
		}
		s++;
	}
}

static void
element(GString *out, const char *name, const char *text)
{
	cat(out, "<", name, ">", NULL);
	xml_text(out, text);
	cat(out, "</", name, ">", NULL);
}

#define ENVELOPE_OPEN \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>" \
	"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" " \
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" " \
	"xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"

/* The envelope up to the action's response element. */
static void
response_head(Req *r, GString *out)
{
	char *key = util_random_token(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
	char *sid = lists_make_guid("session", key);

	g_string_append(out, ENVELOPE_OPEN "<soap:Header><ServiceHeader xmlns=\"" NS_AB "\">"
	                "<Version>15.01.1408.0000</Version>");
	g_string_append_printf(out, "<CacheKey>12r1:%s</CacheKey><CacheKeyChanged>true</CacheKeyChanged>"
	                       "<PreferredHostName>127.0.0.1</PreferredHostName>"
	                       "<SessionId>%s</SessionId></ServiceHeader></soap:Header><soap:Body>"
	                       "<%sResponse xmlns=\"" NS_AB "\">", key, sid, r->action);
	g_free(key);
	g_free(sid);
}

static GString *
response_begin(Req *r, gsize reserve)
{
	GString *out = g_string_sized_new(1024 + reserve);

	response_head(r, out);
	return out;
}

static void
respond(Req *r, guint status, GString *body)
{
	gsize len = body->len;

	soup_server_message_set_status(r->msg, status, NULL);
	soup_server_message_set_response(r->msg, "text/xml; charset=utf-8", SOUP_MEMORY_TAKE,
	                                 g_string_free(body, FALSE), len);
}

static void
response_tail(Req *r, GString *out)
{
	g_string_append_printf(out, "</%sResponse></soap:Body></soap:Envelope>", r->action);
}

static void
response_end(Req *r, GString *out)
{
	response_tail(r, out);
	respond(r, SOUP_STATUS_OK, out);
}

/* ---- the big replies, streamed ----------------------------------------------------------
 *
 * ABFindAll and FindMembership are sent as they are written, a piece of
 * STREAM_PIECE entries at a time (chunked transfer encoding), the next piece
 * written when libsoup has sent the last: the first bytes leave at once and
 * a 20,000-contact list never sits whole in memory — as a real server
 * streams rows from its database.  A list changed while its reply streams
 * may show the change or not (entries are taken by index, never freed). */

#define STREAM_PIECE 128

typedef struct _Stream Stream;

/* Appends the next piece to out; TRUE when it was the last. */
typedef gboolean (*StreamNext)(Stream *st, GString *out);

struct _Stream {
	Req r;               /* r.action and r.now are owned copies; r.body is NULL */
	StreamNext next;
	guint phase, role, i, n;
	guint counts[4];
	gboolean done;
	gsize bytes;
	gint64 t0;
};

static void
stream_free(gpointer p)
{
	Stream *st = p;

	g_free((char *) st->r.action);
	g_free(st->r.now);
	g_free(st);
}

static void
stream_more(SoupServerMessage *msg, gpointer data)
{
	Stream *st = data;
	SoupMessageBody *body = soup_server_message_get_response_body(msg);
	GString *out;
	gsize len;

	if (st->done)
		return;
	out = g_string_sized_new(STREAM_PIECE * 1300);
	st->done = st->next(st, out);
	len = out->len;
	st->bytes += len;
	if (len > 0)
		soup_message_body_append(body, SOUP_MEMORY_TAKE, g_string_free(out, FALSE), len);
	else
		g_string_free(out, TRUE);
	if (st->done)
		soup_message_body_complete(body);
}

/* Answers r with HTTP 200 and the pieces next writes. */
static void
stream_start(Req *r, StreamNext next)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(r->msg);
	Stream *st = g_new0(Stream, 1);

	st->r = *r;
	st->r.action = g_strdup(r->action);
	st->r.now = g_strdup(r->now);
	st->r.body = NULL;
	st->next = next;
	st->t0 = g_get_monotonic_time();
	soup_server_message_set_status(r->msg, SOUP_STATUS_OK, NULL);
	soup_message_headers_replace(h, "Content-Type", "text/xml; charset=utf-8");
	soup_message_headers_set_encoding(h, SOUP_ENCODING_CHUNKED);
	/* Sent pieces are dropped, not kept for a body nobody reads. */
	soup_message_body_set_accumulate(soup_server_message_get_response_body(r->msg), FALSE);
	g_object_set_data_full(G_OBJECT(r->msg), "msnp-stream", st, stream_free);
	g_signal_connect(r->msg, "wrote-chunk", G_CALLBACK(stream_more), st);
	stream_more(r->msg, st);
}

/* An action without a result: <ActionResponse xmlns="…"/> in the body. */
static void
respond_empty(Req *r)
{
	response_end(r, response_begin(r, 0));
}

static const char *
fault_text(const char *code)
{
	static const struct {
		const char *code, *text;
	} texts[] = {
		{ "ContactAlreadyExists", "Contact Already Exists" },
		{ "ContactDoesNotExist", "Contact Does Not Exist" },
		{ "InvalidPassportUser", "Invalid Passport User" },
		{ "EmailMissingAtSign", "Email address is missing the @ sign" },
		{ "EmailMissingDot", "Email address is missing a dot" },
		{ "GroupAlreadyExists", "Group Already Exists" },
		{ "GroupNameTooLong", "Group name too long" },
		{ "MemberAlreadyExists", "Member already exists" },
		{ "MemberDoesNotExist", "Member does not exist" },
		{ "UserDoesNotExist", "User does not exist" },
		{ "FullSyncRequired", "Full sync required.  Details: Delta syncs disabled." },
		{ "UnsupportedAction", "The action is not supported by this server" },
	};
	guint i;

	for (i = 0; i < G_N_ELEMENTS(texts); i++)
		if (strcmp(texts[i].code, code) == 0)
			return texts[i].text;
	return code;
}

static void
fault(Req *r, const char *code, guint status)
{
	GString *out = g_string_new(ENVELOPE_OPEN "<soap:Body><soap:Fault><faultcode>soap:Client</faultcode>");
	const char *text = fault_text(code);

	element(out, "faultstring", text);
	g_string_append_printf(out, "<faultactor>" NS_AB "/%s</faultactor><detail>", r->action);
	g_string_append(out, "<errorcode xmlns=\"" NS_AB "\">");
	xml_text(out, code);
	g_string_append(out, "</errorcode><errorstring xmlns=\"" NS_AB "\">");
	xml_text(out, text);
	g_string_append(out, "</errorstring><machineName xmlns=\"" NS_AB "\">msnp-testserver"
	                "</machineName></detail></soap:Fault></soap:Body></soap:Envelope>");
	server_logf(r->srv, r->label, "-- abch %s: %s fault %s (HTTP %u)", r->a ? r->a->email : "?",
	            r->action, code, status);
	respond(r, status, out);
}

static void
plain(Req *r, guint status, const char *why)
{
	server_logf(r->srv, r->label, "-- abch %s: %s plain %u: %s", r->a ? r->a->email : "?",
	            r->action ? r->action : "?", status, why);
	soup_server_message_set_status(r->msg, status, NULL);
	soup_server_message_set_response(r->msg, "text/html", SOUP_MEMORY_STATIC, "", 0);
}

/* ---- entries ------------------------------------------------------------------------------ */

static void
append_decoded(GString *out, const char *name, const char *urlenc)
{
	char *d = util_url_decode(urlenc);

	element(out, name, d ? d : urlenc);
	g_free(d);
}

static void
append_contact(Req *r, GString *out, Contact *c)
{
	static const char *const phone_types[] = {
		"ContactPhonePersonal", "ContactPhoneBusiness", "ContactPhoneMobile"
	};
	char *cid = lists_cid(c->guid);
	Account *acc = accounts_find(r->srv, c->handle);
	gboolean phones = FALSE;
	guint k;

	cat(out, "<Contact><contactId>", c->guid, "</contactId><contactInfo>", NULL);
	if (c->network == NETWORK_YAHOO) {
		g_string_append(out, "<emails><ContactEmail><contactEmailType>Messenger2</contactEmailType>");
		element(out, "email", c->handle);
		g_string_append(out, "<isMessengerEnabled>true</isMessengerEnabled><Capability>32</Capability>"
		                "<MessengerEnabledExternally>false</MessengerEnabledExternally>"
		                "<propertiesChanged /></ContactEmail></emails>");
	}
	for (k = 0; k < G_N_ELEMENTS(c->phone); k++) {
		const char *v = acc ? acc->settings[k] : c->phone[k];

		if (!v)
			continue;
		if (!phones)
			g_string_append(out, "<phones>");
		phones = TRUE;
		cat(out, "<ContactPhone><contactPhoneType>", phone_types[k], "</contactPhoneType>", NULL);
		append_decoded(out, "number", v);
		g_string_append(out, "<isMessengerEnabled>false</isMessengerEnabled><propertiesChanged />"
		                "</ContactPhone>");
	}
	if (phones)
		g_string_append(out, "</phones>");
	g_string_append(out, "<contactType>Regular</contactType>");
	element(out, "quickName", c->friendly);
	if (c->network != NETWORK_YAHOO) {
		element(out, "passportName", c->handle);
		g_string_append(out, "<IsPassportNameHidden>false</IsPassportNameHidden>");
	}
	element(out, "displayName", c->friendly);
	g_string_append(out, "<puid>0</puid>");
	if (c->groups) {
		g_string_append(out, "<groupIds>");
		for (k = 0; k < c->groups->len; k++)
			cat(out, "<guid>", ((Group *) g_ptr_array_index(c->groups, k))->guid, "</guid>", NULL);
		g_string_append(out, "</groupIds>");
	}
	cat(out, "<CID>", cid, "</CID><IsNotMobileVisible>false</IsNotMobileVisible>"
		"<isMobileIMEnabled>false</isMobileIMEnabled><isMessengerUser>true</isMessengerUser>"
		"<isFavorite>false</isFavorite><isSmtp>false</isSmtp><hasSpace>false</hasSpace>"
		"<spotWatchState>NoDevice</spotWatchState><birthdate>" NEVER "</birthdate>"
		"<primaryEmailType>ContactEmailPersonal</primaryEmailType>"
		"<PrimaryLocation>ContactLocationPersonal</PrimaryLocation>"
		"<PrimaryPhone>ContactPhonePersonal</PrimaryPhone><IsPrivate>false</IsPrivate>"
		"<Gender>Unspecified</Gender><TimeZone>None</TimeZone></contactInfo>"
		"<propertiesChanged /><fDeleted>false</fDeleted><lastChange>", r->now,
		"</lastChange></Contact>", NULL);
	g_free(cid);
}

static void
append_me(Req *r, GString *out)
{
	Account *a = r->a;
	char *cid = lists_cid(a->guid);

	g_string_append_printf(out, "<Contact><contactId>%s</contactId><contactInfo><annotations>"
		"<Annotation><Name>MSN.IM.MBEA</Name><Value>0</Value></Annotation>"
		"<Annotation><Name>MSN.IM.GTC</Name><Value>%d</Value></Annotation>"
		"<Annotation><Name>MSN.IM.BLP</Name><Value>%d</Value></Annotation>"
		"</annotations><contactType>Me</contactType>",
		a->guid, a->gtc == 'N' ? 2 : 1, a->blp_bl ? 2 : 1);
	element(out, "quickName", a->friendly);
	element(out, "passportName", a->email);
	g_string_append(out, "<IsPassportNameHidden>false</IsPassportNameHidden>");
	element(out, "displayName", a->friendly);
	g_string_append_printf(out, "<puid>0</puid><CID>%s</CID>"
		"<IsNotMobileVisible>false</IsNotMobileVisible><isMobileIMEnabled>false</isMobileIMEnabled>"
		"<isMessengerUser>false</isMessengerUser><isFavorite>false</isFavorite>"
		"<isSmtp>false</isSmtp><hasSpace>false</hasSpace><spotWatchState>NoDevice</spotWatchState>"
		"<birthdate>" NEVER "</birthdate><primaryEmailType>ContactEmailPersonal</primaryEmailType>"
		"<PrimaryLocation>ContactLocationPersonal</PrimaryLocation>"
		"<PrimaryPhone>ContactPhonePersonal</PrimaryPhone><IsPrivate>false</IsPrivate>"
		"<Gender>Unspecified</Gender><TimeZone>None</TimeZone></contactInfo><propertiesChanged />"
		"<fDeleted>false</fDeleted><lastChange>%s</lastChange></Contact>", cid, r->now);
	g_free(cid);
}

static void
append_group(Req *r, GString *out, Group *g)
{
	g_string_append_printf(out, "<Group><groupId>%s</groupId><groupInfo><annotations><Annotation>"
		"<Name>MSN.IM.Display</Name><Value>1</Value></Annotation></annotations>"
		"<groupType>" GROUP_TYPE "</groupType>", g->guid);
	element(out, "name", g->name);
	g_string_append_printf(out, "<IsNotMobileVisible>false</IsNotMobileVisible>"
		"<IsPrivate>false</IsPrivate><IsFavorite>false</IsFavorite></groupInfo>"
		"<propertiesChanged /><fDeleted>false</fDeleted><lastChange>%s</lastChange></Group>", r->now);
}

/* ---- the AB service --------------------------------------------------------------------------- */

/* Escargot answers 500 for any abId but the zero GUID. */
static gboolean
check_ab_id(Req *r)
{
	char *id = find_text(r->body, "abId");
	gboolean ok = !id || strcmp(id, ZERO_AB_ID) == 0;

	g_free(id);
	if (!ok)
		plain(r, 500, "abId is not the zero GUID");
	return ok;
}

/* ABFindAll, piece by piece: groups, FL contacts, the Me contact and the ab. */
static gboolean
ab_find_all_next(Stream *st, GString *out)
{
	Req *r = &st->r;
	Account *a = r->a;
	Server *srv = r->srv;
	gboolean cut = srv->abfindall_truncate > 0 && srv->abfindall_truncate_times != 0;
	guint i, piece = 0;
	char *cid;

	if (st->phase == 0) {
		response_head(r, out);
		g_string_append(out, "<ABFindAllResult>");
		if (a->groups->len) {
			g_string_append(out, "<groups>");
			for (i = 0; i < a->groups->len; i++)
				append_group(r, out, g_ptr_array_index(a->groups, i));
			g_string_append(out, "</groups>");
		}
		g_string_append(out, "<contacts>");
		st->phase = 1;
	}
	for (; st->i < a->contacts->len && piece < STREAM_PIECE; st->i++) {
		Contact *c = g_ptr_array_index(a->contacts, st->i);

		if (!(c->lists & LIST_FL))
			continue;
		if (cut && st->n == srv->abfindall_truncate) {
			if (srv->abfindall_truncate_times > 0)
				srv->abfindall_truncate_times--;
			server_logf(srv, r->label, "-- abch %s: ABFindAll cut after %u contacts "
			            "(--abfindall-truncate)", a->email, st->n);
			return TRUE;
		}
		append_contact(r, out, c);
		st->n++;
		piece++;
	}
	if (st->i < a->contacts->len)
		return FALSE;
	append_me(r, out);
	cid = lists_cid(a->guid);
	g_string_append(out, "</contacts><ab><abId>" ZERO_AB_ID "</abId><abInfo><ownerPuid>0</ownerPuid>");
	g_string_append_printf(out, "<OwnerCID>%s</OwnerCID>", cid);
	element(out, "ownerEmail", a->email);
	g_string_append_printf(out, "<fDefault>true</fDefault><joinedNamespace>false</joinedNamespace>"
		"<IsBot>false</IsBot><IsParentManaged>false</IsParentManaged>"
		"<SubscribeExternalPartner>false</SubscribeExternalPartner>"
		"<NotifyExternalPartner>false</NotifyExternalPartner>"
		"<AddressBookType>Individual</AddressBookType></abInfo><lastChange>%s</lastChange>"
		"<DynamicItemLastChanged>" NEVER "</DynamicItemLastChanged><createDate>%s</createDate>"
		"<propertiesChanged /></ab></ABFindAllResult>", r->now, r->now);
	g_free(cid);
	response_tail(r, out);
	server_logf(srv, r->label, "-- abch %s: ABFindAll %u contacts, %u groups, %" G_GSIZE_FORMAT
	            " bytes, written in %.1f ms", a->email, st->n, a->groups->len,
	            st->bytes + out->len, (double) (g_get_monotonic_time() - st->t0) / 1000.0);
	return TRUE;
}

static void
ab_find_all(Req *r)
{
	if (check_ab_id(r))
		stream_start(r, ab_find_all_next);
}

static const Origin from_soap = { NULL, TRUE };

/* The handle (and network) a contactInfo names: passportName, or a
 * Messenger2 e-mail (Yahoo).  NULL when none. */
static char *
contact_info_handle(xmlNodePtr info, guint *network)
{
	char *h = find_text(info, "passportName");
	GPtrArray *emails;
	guint i;

	*network = NETWORK_MSN;
	if (h && *h)
		return h;
	g_free(h);
	emails = children(find(info, "emails"), "ContactEmail");
	for (i = 0; i < emails->len && !h; i++) {
		char *type = find_text(g_ptr_array_index(emails, i), "contactEmailType");

		if (type && (strcmp(type, "Messenger2") == 0 || strcmp(type, "Messenger3") == 0)) {
			h = find_text(g_ptr_array_index(emails, i), "email");
			*network = NETWORK_YAHOO;
		}
		g_free(type);
	}
	g_ptr_array_unref(emails);
	return h;
}

static void
ab_contact_add(Req *r)
{
	xmlNodePtr contact = find_path(r->body, "contacts/Contact");
	xmlNodePtr info = find(contact, "contactInfo");
	guint network;
	char *handle, *display;
	Contact *c;
	RosterResult res;

	if (!check_ab_id(r))
		return;
	if (!contact) {
		plain(r, 500, "no contacts/Contact");
		return;
	}
	handle = contact_info_handle(info, &network);
	if (!handle)
		handle = g_strdup("");
	if (!strchr(handle, '@')) {
		fault(r, "EmailMissingAtSign", 500);
		g_free(handle);
		return;
	}
	if (!strchr(handle, '.')) {
		fault(r, "EmailMissingDot", 500);
		g_free(handle);
		return;
	}
	if (network != NETWORK_YAHOO && !lists_user_exists(r->srv, handle)) {
		fault(r, "InvalidPassportUser", 500);
		g_free(handle);
		return;
	}
	c = lists_find(r->a, handle);
	if (c && (c->lists & LIST_FL)) {
		fault(r, "ContactAlreadyExists", 500);
		g_free(handle);
		return;
	}
	display = find_text(info, "displayName");
	res = roster_add(r->srv, r->a, handle, network, LIST_FL, display, NULL, from_soap, &c);
	g_free(display);
	if (res == ROSTER_LIST_FULL) {
		/* Escargot swallows the error and answers with the GUID anyway. */
		server_logf(r->srv, r->label, "-- abch %s: ABContactAdd %s: FL full (ignored, as Escargot)",
		            r->a->email, handle);
		c = lists_ensure(r->srv, r->a, handle, network, NULL);
		if (!c->lists && !c->pending)
			lists_drop_if_empty(r->a, c);
		{
			GString *out = response_begin(r, 0);
			char *guid = lists_make_guid("contact", handle);

			g_string_append_printf(out, "<ABContactAddResult><guid>%s</guid></ABContactAddResult>", guid);
			g_free(guid);
			response_end(r, out);
		}
		g_free(handle);
		return;
	}
	server_logf(r->srv, r->label, "-- abch %s: ABContactAdd %s -> %s", r->a->email, c->handle, c->guid);
	{
		GString *out = response_begin(r, 0);

		g_string_append_printf(out, "<ABContactAddResult><guid>%s</guid></ABContactAddResult>", c->guid);
		response_end(r, out);
	}
	g_free(handle);
}

static void
ab_contact_delete(Req *r)
{
	GPtrArray *contacts;
	guint i;

	if (!check_ab_id(r))
		return;
	contacts = children(find(r->body, "contacts"), "Contact");
	for (i = 0; i < contacts->len; i++) {
		char *id = find_text(g_ptr_array_index(contacts, i), "contactId");
		Contact *c = id ? lists_find_guid(r->a, id) : NULL;

		/* Escargot ignores contacts it does not have. */
		if (c && (c->lists & LIST_FL))
			roster_remove(r->srv, r->a, c, LIST_FL, NULL, from_soap);
		server_logf(r->srv, r->label, "-- abch %s: ABContactDelete %s%s", r->a->email,
		            id ? id : "(no contactId)", c ? "" : " (no such contact, ignored)");
		g_free(id);
	}
	g_ptr_array_unref(contacts);
	respond_empty(r);
}

static void
ab_contact_update(Req *r)
{
	GPtrArray *contacts;
	guint i, k;

	if (!check_ab_id(r))
		return;
	contacts = children(find(r->body, "contacts"), "Contact");
	/* Everything is checked before anything changes, as Escargot. */
	for (i = 0; i < contacts->len; i++) {
		xmlNodePtr ct = g_ptr_array_index(contacts, i);
		char *type = find_text(ct, "contactType");
		char *props = find_text(ct, "propertiesChanged");
		gboolean me = type && strcmp(type, "Me") == 0;
		char *id = me ? NULL : find_text(ct, "contactId");
		gboolean exists = me || (id && lists_find_guid(r->a, id));

		g_free(type);
		g_free(id);
		if (!exists) {
			g_free(props);
			g_ptr_array_unref(contacts);
			fault(r, "ContactDoesNotExist", 500);
			return;
		}
		if (!props || !*props) {
			g_free(props);
			g_ptr_array_unref(contacts);
			plain(r, 500, "no propertiesChanged");
			return;
		}
		g_free(props);
	}
	for (i = 0; i < contacts->len; i++) {
		xmlNodePtr ct = g_ptr_array_index(contacts, i);
		char *type = find_text(ct, "contactType");
		char *props = find_text(ct, "propertiesChanged");
		gboolean me = type && strcmp(type, "Me") == 0;
		GPtrArray *ann = children(find(ct, "annotations"), "Annotation");

		if (me && strstr(props, "Annotation")) {
			for (k = 0; k < ann->len; k++) {
				char *name = find_text(g_ptr_array_index(ann, k), "Name");
				char *value = find_text(g_ptr_array_index(ann, k), "Value");

				if (name && value && strcmp(name, "MSN.IM.BLP") == 0 &&
				    (strcmp(value, "1") == 0 || strcmp(value, "2") == 0))
					roster_set_blp(r->srv, r->a, value[0] == '2');
				else if (name && value && strcmp(name, "MSN.IM.GTC") == 0 &&
				         (strcmp(value, "1") == 0 || strcmp(value, "2") == 0))
					roster_set_gtc(r->srv, r->a, value[0] == '2' ? 'N' : 'A');
				g_free(name);
				g_free(value);
			}
		}
		server_logf(r->srv, r->label, "-- abch %s: ABContactUpdate %s %s%s", r->a->email,
		            me ? "Me" : "contact", props,
		            strstr(props, "DisplayName") ? " (display name ignored, as Escargot: "
		                                           "it comes from PRP MFN)" : "");
		g_ptr_array_unref(ann);
		g_free(type);
		g_free(props);
	}
	g_ptr_array_unref(contacts);
	respond_empty(r);
}

static void
group_fault(Req *r, RosterResult res)
{
	fault(r, res == ROSTER_GROUP_TOO_LONG ? "GroupNameTooLong" : "GroupAlreadyExists", 500);
}

static void
ab_group_add(Req *r)
{
	char *name;
	Group *g = NULL;
	RosterResult res;
	GString *out;

	if (!check_ab_id(r))
		return;
	name = find_text(r->body, "groupInfo/name");
	if (!name) {
		plain(r, 500, "no groupInfo/name");
		return;
	}
	res = roster_group_add(r->srv, r->a, name, &g);
	if (res == ROSTER_TOO_MANY_GROUPS) {
		/* The NS limit (223); Escargot's ABCH has none. */
		g = lists_group_new(r->a, name);
		r->a->list_version++;
		server_logf(r->srv, "server", "-- lists %s: +group %u %s \"%s\"", r->a->email, g->id,
		            g->guid, name);
		res = ROSTER_OK;
	}
	g_free(name);
	if (res) {
		group_fault(r, res);
		return;
	}
	out = response_begin(r, 0);
	g_string_append_printf(out, "<ABGroupAddResult><guid>%s</guid></ABGroupAddResult>", g->guid);
	response_end(r, out);
}

/* The groups named in groupFilter/groupIds; NULL (after a plain 500) when
 * one does not exist. */
static GPtrArray *
filter_groups(Req *r)
{
	GPtrArray *ids = children(find_path(r->body, "groupFilter/groupIds"), "guid");
	GPtrArray *groups = g_ptr_array_new();
	guint i;

	for (i = 0; i < ids->len; i++) {
		char *id = text_of(g_ptr_array_index(ids, i));
		Group *g = id && lists_valid_guid(id) ? lists_group_by_id(r->a, id) : NULL;

		g_free(id);
		if (!g) {
			g_ptr_array_unref(ids);
			g_ptr_array_unref(groups);
			plain(r, 500, "no such group");
			return NULL;
		}
		g_ptr_array_add(groups, g);
	}
	g_ptr_array_unref(ids);
	return groups;
}

static void
ab_group_update(Req *r)
{
	GPtrArray *groups;
	guint i;

	if (!check_ab_id(r))
		return;
	groups = children(find(r->body, "groups"), "Group");
	for (i = 0; i < groups->len; i++) {
		xmlNodePtr ge = g_ptr_array_index(groups, i);
		char *id = find_text(ge, "groupId");
		char *props = find_text(ge, "propertiesChanged");
		char *name = find_text(ge, "groupInfo/name");
		Group *g = id && lists_valid_guid(id) ? lists_group_by_id(r->a, id) : NULL;
		RosterResult res = ROSTER_OK;

		if (!g || !props || !*props || (strstr(props, "GroupName") && !name)) {
			plain(r, 500, !g ? "no such group" : "no propertiesChanged or name");
			res = ROSTER_NO_GROUP;
		} else if (strstr(props, "GroupName")) {
			res = roster_group_rename(r->srv, r->a, g, name);
			if (res)
				group_fault(r, res);
		}
		g_free(id);
		g_free(props);
		g_free(name);
		if (res) {
			g_ptr_array_unref(groups);
			return;
		}
	}
	g_ptr_array_unref(groups);
	respond_empty(r);
}

static void
ab_group_delete(Req *r)
{
	GPtrArray *groups;
	guint i;

	if (!check_ab_id(r) || (groups = filter_groups(r)) == NULL)
		return;
	for (i = 0; i < groups->len; i++)
		roster_group_remove(r->srv, r->a, g_ptr_array_index(groups, i));
	g_ptr_array_unref(groups);
	respond_empty(r);
}

static void
ab_group_contact_add(Req *r)
{
	GPtrArray *groups;
	xmlNodePtr info = find(r->body, "contactInfo");
	Contact *c = NULL;
	guint i;
	GString *out;

	if (!check_ab_id(r) || (groups = filter_groups(r)) == NULL)
		return;
	if (info) {
		/* A new contact straight into the groups. */
		guint network;
		char *handle = contact_info_handle(info, &network);

		if (!handle || (network != NETWORK_YAHOO && !lists_user_exists(r->srv, handle))) {
			plain(r, 500, "no such user");
			g_free(handle);
			g_ptr_array_unref(groups);
			return;
		}
		c = lists_find(r->a, handle);
		for (i = 0; c && (c->lists & LIST_FL) && i < groups->len; i++)
			if (contact_in_group(c, g_ptr_array_index(groups, i))) {
				plain(r, 500, "already in that group");
				g_free(handle);
				g_ptr_array_unref(groups);
				return;
			}
		for (i = 0; i < groups->len; i++)
			roster_add(r->srv, r->a, handle, network, LIST_FL, NULL, g_ptr_array_index(groups, i),
			           from_soap, &c);
		if (!c)
			roster_add(r->srv, r->a, handle, network, LIST_FL, NULL, NULL, from_soap, &c);
		g_free(handle);
	} else {
		char *id = find_text(r->body, "contactId");

		c = id ? lists_find_guid(r->a, id) : NULL;
		g_free(id);
		if (!c || !(c->lists & LIST_FL)) {
			fault(r, "ContactDoesNotExist", 500);
			g_ptr_array_unref(groups);
			return;
		}
		for (i = 0; i < groups->len; i++)
			if (contact_in_group(c, g_ptr_array_index(groups, i))) {
				plain(r, 500, "already in that group");
				g_ptr_array_unref(groups);
				return;
			}
		for (i = 0; i < groups->len; i++)
			roster_group_contact_add(r->srv, r->a, g_ptr_array_index(groups, i), c);
	}
	g_ptr_array_unref(groups);
	out = response_begin(r, 0);
	g_string_append_printf(out, "<ABGroupContactAddResult><guid>%s</guid></ABGroupContactAddResult>",
	                       c ? c->guid : ZERO_AB_ID);
	response_end(r, out);
}

static void
ab_group_contact_delete(Req *r)
{
	GPtrArray *groups;
	char *id;
	Contact *c;
	guint i;

	if (!check_ab_id(r) || (groups = filter_groups(r)) == NULL)
		return;
	id = find_text(r->body, "contactId");
	c = id ? lists_find_guid(r->a, id) : NULL;
	g_free(id);
	if (!c) {
		fault(r, "ContactDoesNotExist", 500);
		g_ptr_array_unref(groups);
		return;
	}
	if (c->lists & LIST_FL) {
		for (i = 0; i < groups->len; i++)
			if (!contact_in_group(c, g_ptr_array_index(groups, i))) {
				plain(r, 500, "not in that group");
				g_ptr_array_unref(groups);
				return;
			}
		for (i = 0; i < groups->len; i++)
			roster_group_contact_remove(r->srv, r->a, g_ptr_array_index(groups, i), c);
	}
	g_ptr_array_unref(groups);
	respond_empty(r);
}

/* ---- the sharing service ------------------------------------------------------------------------ */

static const char *const roles[] = { "Allow", "Block", "Reverse", "Pending" };

static void
append_member(Req *r, GString *out, const char *role, Contact *c)
{
	gboolean email = c->network == NETWORK_YAHOO;

	cat(out, "<Member xsi:type=\"", email ? "EmailMember" : "PassportMember",
	    "\"><MembershipId>", role, "/", c->guid, "</MembershipId><Type>",
	    email ? "Email" : "Passport", "</Type><State>Accepted</State>", NULL);
	if (email)
		g_string_append(out, "<Annotations><Annotation><Name>MSN.IM.BuddyType</Name>"
		                "<Value>32:</Value></Annotation></Annotations>");
	cat(out, "<Deleted>false</Deleted><LastChanged>", r->now, "</LastChanged><JoinedDate>",
	    r->now, "</JoinedDate><ExpirationDate>" NEVER "</ExpirationDate><Changes />", NULL);
	if (email) {
		element(out, "Email", c->handle);
	} else {
		char *cid = lists_cid(c->guid);

		element(out, "PassportName", c->handle);
		cat(out, "<IsPassportNameHidden>false</IsPassportNameHidden><PassportId>0</PassportId>"
		    "<CID>", cid, "</CID><PassportChanges /><LookedupByCID>false</LookedupByCID>", NULL);
		g_free(cid);
	}
	g_string_append(out, "</Member>");
}

static gboolean
in_role(Contact *c, guint role)
{
	switch (role) {
	case 0: return (c->lists & LIST_AL) != 0;
	case 1: return (c->lists & LIST_BL) != 0;
	case 2: return (c->lists & LIST_RL) && !c->pending;
	default: return c->pending;
	}
}

/* FindMembership, piece by piece: the four roles' members, then the rest. */
static gboolean
find_membership_next(Stream *st, GString *out)
{
	Req *r = &st->r;
	Account *a = r->a;
	guint piece = 0;
	char *cid;

	if (st->phase == 0) {
		response_head(r, out);
		g_string_append(out, "<FindMembershipResult><Services><Service><Memberships>");
		st->phase = 1;
	}
	while (st->role < G_N_ELEMENTS(roles)) {
		if (st->i == 0)
			g_string_append_printf(out, "<Membership><MemberRole>%s</MemberRole><Members>",
			                       roles[st->role]);
		for (; st->i < a->contacts->len && piece < STREAM_PIECE; st->i++) {
			Contact *c = g_ptr_array_index(a->contacts, st->i);

			if (in_role(c, st->role)) {
				append_member(r, out, roles[st->role], c);
				st->counts[st->role]++;
				piece++;
			}
		}
		if (st->i < a->contacts->len)
			return FALSE;
		g_string_append(out, "</Members><MembershipIsComplete>true</MembershipIsComplete></Membership>");
		st->role++;
		st->i = 0;
	}
	cid = lists_cid(a->guid);
	g_string_append_printf(out, "</Memberships><Info><Handle><Id>1</Id><Type>Messenger</Type>"
		"<ForeignId /></Handle><InverseRequired>false</InverseRequired>"
		"<AuthorizationCriteria>Everyone</AuthorizationCriteria><IsBot>false</IsBot></Info>"
		"<Changes /><LastChange>%s</LastChange><Deleted>false</Deleted></Service></Services>"
		"<OwnerNamespace><Info><Handle><Id>" ZERO_AB_ID "</Id>"
		"<IsPassportNameHidden>false</IsPassportNameHidden><CID>0</CID></Handle>"
		"<CreatorPuid>0</CreatorPuid><CreatorCID>%s</CreatorCID>", r->now, cid);
	element(out, "CreatorPassportName", a->email);
	g_string_append_printf(out, "<CircleAttributes><IsPresenceEnabled>false</IsPresenceEnabled>"
		"<Domain>WindowsLive</Domain></CircleAttributes>"
		"<MessengerApplicationServiceCreated>false</MessengerApplicationServiceCreated></Info>"
		"<Changes /><CreateDate>%s</CreateDate><LastChange>%s</LastChange></OwnerNamespace>"
		"</FindMembershipResult>", r->now, r->now);
	g_free(cid);
	response_tail(r, out);
	server_logf(r->srv, r->label, "-- abch %s: FindMembership Allow %u Block %u Reverse %u "
	            "Pending %u, %" G_GSIZE_FORMAT " bytes, written in %.1f ms", a->email,
	            st->counts[0], st->counts[1], st->counts[2], st->counts[3], st->bytes + out->len,
	            (double) (g_get_monotonic_time() - st->t0) / 1000.0);
	return TRUE;
}

static void
find_membership(Req *r)
{
	stream_start(r, find_membership_next);
}

typedef struct {
	guint role;           /* index into roles */
	char *handle;         /* or NULL */
	char *membership_id;  /* or NULL */
	guint network;
	gboolean valid;       /* Type and State as Escargot wants them */
} Member;

static void
member_clear(Member *m)
{
	g_free(m->handle);
	g_free(m->membership_id);
}

/* Every memberships/Membership/Members/Member, in order.  FALSE (after a
 * plain 500) when a role is unknown. */
static gboolean
collect_members(Req *r, GArray *out)
{
	GPtrArray *ms = children(find(r->body, "memberships"), "Membership");
	guint i, k, role;

	for (i = 0; i < ms->len; i++) {
		xmlNodePtr m = g_ptr_array_index(ms, i);
		char *rname = find_text(m, "MemberRole");
		GPtrArray *members;

		for (role = 0; role < G_N_ELEMENTS(roles); role++)
			if (rname && strcmp(rname, roles[role]) == 0)
				break;
		g_free(rname);
		if (role == G_N_ELEMENTS(roles)) {
			g_ptr_array_unref(ms);
			plain(r, 500, "unknown MemberRole");
			return FALSE;
		}
		members = children(find(m, "Members"), "Member");
		for (k = 0; k < members->len; k++) {
			xmlNodePtr mem = g_ptr_array_index(members, k);
			xmlChar *xt = xmlGetProp(mem, BAD_CAST "type");
			char *type = find_text(mem, "Type");
			char *state = find_text(mem, "State");
			Member e = { role, NULL, NULL, NETWORK_MSN, FALSE };

			e.membership_id = find_text(mem, "MembershipId");
			if (xt && xmlStrcmp(xt, BAD_CAST "EmailMember") == 0) {
				e.valid = type && strcmp(type, "Email") == 0 && state && strcmp(state, "Accepted") == 0;
				e.handle = find_text(mem, "Email");
				e.network = NETWORK_YAHOO;
			} else {
				e.valid = type && strcmp(type, "Passport") == 0 && state &&
				          strcmp(state, "Accepted") == 0;
				e.handle = find_text(mem, "PassportName");
			}
			g_array_append_val(out, e);
			xmlFree(xt);
			g_free(type);
			g_free(state);
		}
		g_ptr_array_unref(members);
	}
	g_ptr_array_unref(ms);
	return TRUE;
}

static void
add_member(Req *r)
{
	GArray *members = g_array_new(FALSE, TRUE, sizeof(Member));
	guint i;

	g_array_set_clear_func(members, (GDestroyNotify) member_clear);
	if (!collect_members(r, members))
		goto out;
	for (i = 0; i < members->len; i++) {
		Member *m = &g_array_index(members, Member, i);
		Contact *c;

		if (!m->valid || !m->handle ||
		    (m->network != NETWORK_YAHOO && !lists_user_exists(r->srv, m->handle))) {
			fault(r, "UserDoesNotExist", 500);
			goto out;
		}
		c = lists_find(r->a, m->handle);
		if (c && m->role <= 1 && in_role(c, m->role)) {
			fault(r, "MemberAlreadyExists", 500);
			goto out;
		}
	}
	for (i = 0; i < members->len; i++) {
		Member *m = &g_array_index(members, Member, i);
		Contact *c = lists_find(r->a, m->handle);

		server_logf(r->srv, r->label, "-- abch %s: AddMember %s %s", r->a->email, roles[m->role],
		            m->handle);
		if (m->role <= 1) {
			if (roster_add(r->srv, r->a, m->handle, m->network, m->role == 0 ? LIST_AL : LIST_BL,
			               NULL, NULL, from_soap, NULL) == ROSTER_LIST_FULL)
				server_logf(r->srv, r->label, "-- abch %s: %s full (ignored, as Escargot)",
				            r->a->email, m->role == 0 ? "AL" : "BL");
		} else if (m->role == 2) {
			/* Escargot: Reverse puts the contact on RL, and on AL. */
			if (!c || !(c->lists & LIST_RL)) {
				c = lists_ensure(r->srv, r->a, m->handle, m->network, NULL);
				lists_set(r->a, c, LIST_RL);
				r->a->list_version++;
				server_logf(r->srv, "server", "-- lists %s: +RL %s", r->a->email, c->handle);
			}
			if (!(c->lists & LIST_AL))
				roster_add(r->srv, r->a, m->handle, m->network, LIST_AL, NULL, NULL, from_soap, NULL);
		}
		/* Pending: nothing (Escargot fails and ignores it). */
	}
	respond_empty(r);
out:
	g_array_unref(members);
}

static void
delete_member(Req *r)
{
	GArray *members = g_array_new(FALSE, TRUE, sizeof(Member));
	guint i;

	g_array_set_clear_func(members, (GDestroyNotify) member_clear);
	if (!collect_members(r, members))
		goto out;
	for (i = 0; i < members->len; i++) {
		Member *m = &g_array_index(members, Member, i);
		const char *slash = m->membership_id ? strchr(m->membership_id, '/') : NULL;
		Contact *c = NULL;

		if (!m->valid)
			continue;   /* Escargot silently does nothing */
		if (slash)
			c = lists_find_guid(r->a, slash + 1);
		else if (m->handle)
			c = lists_find(r->a, m->handle);
		if (!c) {
			fault(r, "MemberDoesNotExist", 500);
			goto out;
		}
		server_logf(r->srv, r->label, "-- abch %s: DeleteMember %s %s", r->a->email, roles[m->role],
		            c->handle);
		switch (m->role) {
		case 0:
		case 1:
			/* Not in that role: ignored, as Escargot. */
			roster_remove(r->srv, r->a, c, m->role == 0 ? LIST_AL : LIST_BL, NULL, from_soap);
			break;
		case 3:
			roster_remove(r->srv, r->a, c, LIST_PL, NULL, from_soap);
			break;
		default:
			break;   /* Reverse: the server's to keep */
		}
	}
	respond_empty(r);
out:
	g_array_unref(members);
}

/* ---- dispatch ------------------------------------------------------------------------------------ */

static char *
cookie_mspauth(SoupServerMessage *msg)
{
	const char *h = soup_message_headers_get_list(soup_server_message_get_request_headers(msg),
	                                              "Cookie");
	const char *p;
	gsize n;

	if (!h || (p = strstr(h, "MSPAuth=")) == NULL)
		return NULL;
	p += strlen("MSPAuth=");
	n = strcspn(p, ";, ");
	return n ? g_strndup(p, n) : NULL;
}

/* A --soap-fault for this action (one use), or NULL. */
static SoapFault *
next_soap_fault(Server *srv, const char *action)
{
	guint i;

	for (i = 0; srv->soap_faults && i < srv->soap_faults->len; i++) {
		SoapFault *f = g_ptr_array_index(srv->soap_faults, i);

		if (f->remaining != 0 && (strcmp(f->action, action) == 0 || strcmp(f->action, "*") == 0)) {
			if (f->remaining > 0)
				f->remaining--;
			return f;
		}
	}
	return NULL;
}

void
abch_handle(Server *srv, SoupServerMessage *msg, const char *label)
{
	SoupMessageBody *req = soup_server_message_get_request_body(msg);
	GBytes *bytes = soup_message_body_flatten(req);
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	Req r = { srv, msg, label, NULL, NULL, NULL, NULL };
	xmlDocPtr doc = NULL;
	xmlNodePtr root, body, c;
	char *ticket = NULL, *deltas;
	SoapFault *f;

	while (len > 0 && g_ascii_isspace(*data)) {
		data++;
		len--;
	}
	if (len > 0 && len <= G_MAXINT)
		doc = xmlReadMemory(data, (int) len, "soap.xml", NULL,
		                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		                    XML_PARSE_HUGE);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	body = root ? find(root, "Body") : NULL;
	for (c = body ? body->children : NULL; c && c->type != XML_ELEMENT_NODE; c = c->next)
		;
	if (!c) {
		plain(&r, 500, "no SOAP body");
		goto out;
	}
	r.body = c;
	r.action = (const char *) c->name;
	ticket = find_text(root, "TicketToken");
	if (!ticket || !*ticket) {
		g_free(ticket);
		ticket = cookie_mspauth(msg);
	}
	if (!ticket) {
		plain(&r, 500, "no TicketToken and no MSPAuth cookie");
		goto out;
	}
	r.a = tickets_account(srv, ticket);
	if (!r.a) {
		plain(&r, 403, "unknown ticket");
		goto out;
	}
	r.now = util_iso_time(0);
	server_logf(srv, label, "-- abch %s: %s", r.a->email, r.action);
	f = next_soap_fault(srv, r.action);
	if (f) {
		server_logf(srv, label, "-- soap-fault %s", f->spec);
		if (g_ascii_isdigit(f->code[0]))
			plain(&r, (guint) g_ascii_strtoull(f->code, NULL, 10), "--soap-fault");
		else
			fault(&r, f->code, strcmp(f->code, "FullSyncRequired") == 0 ? 200 : 500);
		goto out;
	}
	deltas = find_text(r.body, "deltasOnly");
	if (!deltas)
		deltas = find_text(r.body, "DeltasOnly");
	if (deltas && g_ascii_strcasecmp(deltas, "true") == 0) {
		g_free(deltas);
		fault(&r, "FullSyncRequired", 200);
		goto out;
	}
	g_free(deltas);
	if (strcmp(r.action, "ABFindAll") == 0)
		ab_find_all(&r);
	else if (strcmp(r.action, "ABContactAdd") == 0)
		ab_contact_add(&r);
	else if (strcmp(r.action, "ABContactDelete") == 0)
		ab_contact_delete(&r);
	else if (strcmp(r.action, "ABContactUpdate") == 0)
		ab_contact_update(&r);
	else if (strcmp(r.action, "ABGroupAdd") == 0)
		ab_group_add(&r);
	else if (strcmp(r.action, "ABGroupUpdate") == 0)
		ab_group_update(&r);
	else if (strcmp(r.action, "ABGroupDelete") == 0)
		ab_group_delete(&r);
	else if (strcmp(r.action, "ABGroupContactAdd") == 0)
		ab_group_contact_add(&r);
	else if (strcmp(r.action, "ABGroupContactDelete") == 0)
		ab_group_contact_delete(&r);
	else if (strcmp(r.action, "FindMembership") == 0)
		find_membership(&r);
	else if (strcmp(r.action, "AddMember") == 0)
		add_member(&r);
	else if (strcmp(r.action, "DeleteMember") == 0)
		delete_member(&r);
	else
		fault(&r, "UnsupportedAction", 200);
out:
	g_free(r.now);
	g_free(ticket);
	if (doc)
		xmlFreeDoc(doc);
	g_bytes_unref(bytes);
}
