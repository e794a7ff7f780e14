/* purple-msnp — the address book (ABCH) and Sharing services over HTTPS. */
#include "soap/abch.h"

#include <string.h>

#include <debug.h>

#include "msnp.h"
#include "web/web.h"

typedef enum {
	KIND_ADDRESS_BOOK,
	KIND_MEMBERSHIPS,
	KIND_DONE
} Kind;

typedef struct {
	MsnAbchOp op;
	Kind kind;
	gboolean need_guid;
	MsnAbchAddressBookCallback ab_cb;
	MsnAbchMembershipsCallback m_cb;
	MsnAbchDoneCallback done_cb;
	gpointer data;
	/* A fetch read as it arrives: */
	MsnAbchParser *parser;
	gint64 sent;             /* when the request left */
	gint64 parse_us;         /* time spent parsing */
	gsize received;          /* body bytes */
} Job;

static const char *
op_name(MsnAbchOp op)
{
	const char *action = msn_abch_op_soap_action(op);
	const char *slash = strrchr(action, '/');

	return slash ? slash + 1 : action;
}

static void
log_notes(Job *job, GPtrArray *notes)
{
	guint i;

	for (i = 0; notes && i < notes->len; i++)
		purple_debug_info("msnp", "%s: %s\n", op_name(job->op),
		                  (const char *)notes->pdata[i]);
}

/* Runs the callback once (error or result) and frees the job. */
static void
job_finish(Job *job, gpointer result, const char *guid, GError *error)
{
	if (error && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		purple_debug_warning("msnp", "%s failed: %s\n", op_name(job->op), error->message);
	switch (job->kind) {
	case KIND_ADDRESS_BOOK:
		job->ab_cb(result, error, job->data);
		break;
	case KIND_MEMBERSHIPS:
		job->m_cb(result, error, job->data);
		break;
	case KIND_DONE:
		job->done_cb(error ? NULL : guid, error, job->data);
		break;
	}
	if (error)
		g_error_free(error);
	msn_abch_parser_free(job->parser);
	g_free(job);
}

/* A fetch's reply body, piece by piece: parsed as it comes. */
static void
job_chunk(MsnWeb *web, SoupMessage *msg, const char *data, gsize len, gpointer user_data)
{
	Job *job = user_data;
	gint64 t0 = g_get_monotonic_time();

	if (job->received == 0)
		purple_debug_misc("msnp", "%s: reply arriving (HTTP %u) after %" G_GINT64_FORMAT
		                  " ms\n", op_name(job->op), soup_message_get_status(msg),
		                  (t0 - job->sent) / 1000);
	job->received += len;
	msn_abch_parser_feed(job->parser, data, len);
	job->parse_us += g_get_monotonic_time() - t0;
}

/* The end of a fetch: the parser has seen the whole body. */
static void
job_stream_done(MsnWeb *web, SoupMessage *msg, GBytes *body, const GError *error,
                gpointer data)
{
	Job *job = data;
	MsnAbchParser *parser = g_steal_pointer(&job->parser);
	GError *perr = NULL;
	gpointer result;
	GPtrArray *notes = NULL;
	char *what = NULL;
	guint status;
	gint64 t0 = g_get_monotonic_time();

	if (error) {
		msn_abch_parser_free(parser);
		job_finish(job, NULL, NULL, g_error_copy(error));
		return;
	}
	status = soup_message_get_status(msg);
	if (job->kind == KIND_ADDRESS_BOOK) {
		MsnAbchAddressBook *ab = msn_abch_parser_end_find_all(parser, status, &perr);

		if (ab) {
			what = g_strdup_printf("%u contacts, %u groups", ab->contacts->len,
			                       ab->groups->len);
			notes = ab->notes;
		}
		result = ab;
	} else {
		MsnAbchMemberships *m = msn_abch_parser_end_find_membership(parser, status, &perr);

		if (m) {
			what = g_strdup_printf("%u members", m->members->len);
			notes = m->notes;
		}
		result = m;
	}
	if (what) {
		gint64 now = g_get_monotonic_time();

		purple_debug_info("msnp", "%s: %s (%" G_GSIZE_FORMAT " bytes in %" G_GINT64_FORMAT
		                  " ms, %" G_GINT64_FORMAT " ms of it parsing)\n", op_name(job->op),
		                  what, job->received, (now - job->sent) / 1000,
		                  (job->parse_us + now - t0) / 1000);
		log_notes(job, notes);
		g_free(what);
	}
	job_finish(job, result, NULL, perr);
}

static void
job_cb(MsnWeb *web, SoupMessage *msg, GBytes *body, const GError *error, gpointer data)
{
	Job *job = data;
	GError *perr = NULL;
	char *guid = NULL;
	const char *xml;
	gsize len = 0;
	guint status;

	if (error) {
		job_finish(job, NULL, NULL, g_error_copy(error));
		return;
	}
	status = soup_message_get_status(msg);
	xml = body ? g_bytes_get_data(body, &len) : NULL;
	if (status < 200 || status >= 300) {
		job_finish(job, NULL, NULL, msn_abch_error_for_status(status, xml, len));
		return;
	}
	if (msn_abch_parse_result(xml, len, job->need_guid ? &guid : NULL, &perr) &&
	    job->need_guid && guid == NULL && job->op != MSN_ABCH_GROUP_CONTACT_ADD)
		perr = g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY,
		                   _("The address book accepted the change but sent no "
		                     "identifier for it."));
	job_finish(job, NULL, guid, perr);
	g_free(guid);
}

/* Frees a request body that holds the ticket. */
static void
wipe_free(gpointer data)
{
	memset(data, 0, strlen(data));
	g_free(data);
}

/* Sends body (taken; NULL when it could not be built) for job. */
static void
job_send(MsnWeb *web, const char *url, const char *ticket, char *body, Job *job)
{
	SoupMessage *msg = NULL;
	SoupMessageHeaders *h;
	GBytes *bytes;
	char *cookie;

	if (body && url && (g_str_has_prefix(url, "https://") || g_str_has_prefix(url, "http://")))
		msg = soup_message_new("POST", url);
	if (msg == NULL) {
		if (body)
			wipe_free(body);
		job_finish(job, NULL, NULL, g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_INVALID_ARGUMENT,
		           body ? _("The address book URL is not a valid http:// or https:// URL. "
		                    "Check the account settings.") :
		                  _("The address book request could not be made (a name or "
		                    "identifier is missing).")));
		return;
	}
	h = soup_message_get_request_headers(msg);
	soup_message_headers_replace(h, "SOAPAction", msn_abch_op_soap_action(job->op));
	/* Escargot reads TicketToken first and the cookie second: send both. */
	cookie = msn_abch_ticket_cookie(ticket);
	if (cookie) {
		char *value = g_strconcat("MSPAuth=", cookie, NULL);

		soup_message_headers_replace(h, "Cookie", value);
		wipe_free(value);
		wipe_free(cookie);
	}
	bytes = g_bytes_new_with_free_func(body, strlen(body), wipe_free, body);
	soup_message_set_request_body_from_bytes(msg, "text/xml; charset=utf-8", bytes);
	g_bytes_unref(bytes);
	/* The fetches are large: parsed while they download.  They change
	 * nothing, so libsoup may send them on a kept-alive connection (a POST
	 * otherwise always gets a new one: a TLS handshake each). */
	if (job->kind == KIND_DONE)
		msn_web_send(web, msg, job_cb, job);
	else {
		soup_message_add_flags(msg, SOUP_MESSAGE_IDEMPOTENT);
		job->parser = msn_abch_parser_new(job->op);
		job->sent = g_get_monotonic_time();
		msn_web_send_stream(web, msg, job_chunk, job_stream_done, job);
	}
}

static Job *
job_new(MsnAbchOp op, Kind kind)
{
	Job *job = g_new0(Job, 1);

	job->op = op;
	job->kind = kind;
	return job;
}

static void
send_done(MsnWeb *web, const char *url, const char *ticket, MsnAbchOp op, char *body,
          gboolean need_guid, MsnAbchDoneCallback cb, gpointer data)
{
	Job *job = job_new(op, KIND_DONE);

	job->need_guid = need_guid;
	job->done_cb = cb;
	job->data = data;
	job_send(web, url, ticket, body, job);
}

void
msn_abch_find_all(MsnWeb *web, const char *url, const char *ticket,
                  MsnAbchAddressBookCallback cb, gpointer data)
{
	Job *job = job_new(MSN_ABCH_FIND_ALL, KIND_ADDRESS_BOOK);

	job->ab_cb = cb;
	job->data = data;
	job_send(web, url, ticket, msn_abch_build_find_all(ticket, MSN_ABCH_SCENARIO_INITIAL), job);
}

void
msn_abch_find_membership(MsnWeb *web, const char *url, const char *ticket,
                         MsnAbchMembershipsCallback cb, gpointer data)
{
	Job *job = job_new(MSN_ABCH_FIND_MEMBERSHIP, KIND_MEMBERSHIPS);

	job->m_cb = cb;
	job->data = data;
	job_send(web, url, ticket,
	         msn_abch_build_find_membership(ticket, MSN_ABCH_SCENARIO_INITIAL), job);
}

void
msn_abch_contact_add(MsnWeb *web, const char *url, const char *ticket, const char *handle,
                     guint network, const char *display_name,
                     MsnAbchDoneCallback cb, gpointer data)
{
	send_done(web, url, ticket, MSN_ABCH_CONTACT_ADD,
	          msn_abch_build_contact_add(ticket, handle, network, display_name), TRUE, cb, data);
}

void
msn_abch_contact_delete(MsnWeb *web, const char *url, const char *ticket,
                        const char *contact_guid, MsnAbchDoneCallback cb, gpointer data)
{
	send_done(web, url, ticket, MSN_ABCH_CONTACT_DELETE,
	          msn_abch_build_contact_delete(ticket, contact_guid), FALSE, cb, data);
}

void
msn_abch_me_update(MsnWeb *web, const char *url, const char *ticket, const char *display_name,
                   guint blp, char gtc, MsnAbchDoneCallback cb, gpointer data)
{
	send_done(web, url, ticket, MSN_ABCH_CONTACT_UPDATE,
	          msn_abch_build_me_update(ticket, display_name, blp, gtc), FALSE, cb, data);
}

void
msn_abch_group_add(MsnWeb *web, const char *url, const char *ticket, const char *name,
                   MsnAbchDoneCallback cb, gpointer data)
{
	send_done(web, url, ticket, MSN_ABCH_GROUP_ADD, msn_abch_build_group_add(ticket, name),
	          TRUE, cb, data);
}

void
msn_abch_group_rename(MsnWeb *web, const char *url, const char *ticket, const char *group_guid,
                      const char *name, MsnAbchDoneCallback cb, gpointer data)
{
	send_done(web, url, ticket, MSN_ABCH_GROUP_UPDATE,
	          msn_abch_build_group_update(ticket, group_guid, name), FALSE, cb, data);
}

void
msn_abch_group_delete(MsnWeb *web, const char *url, const char *ticket, const char *group_guid,
                      MsnAbchDoneCallback cb, gpointer data)
{
	send_done(web, url, ticket, MSN_ABCH_GROUP_DELETE,
	          msn_abch_build_group_delete(ticket, group_guid), FALSE, cb, data);
}

void
msn_abch_group_contact_add(MsnWeb *web, const char *url, const char *ticket,
                           const char *group_guid, const char *contact_guid,
                           MsnAbchDoneCallback cb, gpointer data)
{
	send_done(web, url, ticket, MSN_ABCH_GROUP_CONTACT_ADD,
	          msn_abch_build_group_contact_add(ticket, group_guid, contact_guid), TRUE, cb, data);
}

void
msn_abch_group_contact_delete(MsnWeb *web, const char *url, const char *ticket,
                              const char *group_guid, const char *contact_guid,
                              MsnAbchDoneCallback cb, gpointer data)
{
	send_done(web, url, ticket, MSN_ABCH_GROUP_CONTACT_DELETE,
	          msn_abch_build_group_contact_delete(ticket, group_guid, contact_guid), FALSE,
	          cb, data);
}

void
msn_abch_member_add(MsnWeb *web, const char *url, const char *ticket, guint role,
                    const char *handle, guint network, MsnAbchDoneCallback cb, gpointer data)
{
	send_done(web, url, ticket, MSN_ABCH_ADD_MEMBER,
	          msn_abch_build_member(TRUE, ticket, role, handle, network), FALSE, cb, data);
}

void
msn_abch_member_delete(MsnWeb *web, const char *url, const char *ticket, guint role,
                       const char *handle, guint network, MsnAbchDoneCallback cb, gpointer data)
{
	send_done(web, url, ticket, MSN_ABCH_DELETE_MEMBER,
	          msn_abch_build_member(FALSE, ticket, role, handle, network), FALSE, cb, data);
}
