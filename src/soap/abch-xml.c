/* purple-msnp — ABCH / Sharing SOAP documents: builders and parsers. */
#include "soap/abch-xml.h"

#include <errno.h>
#include <string.h>

#include <libxml/tree.h>

#include "msnp.h"
#include "proto/xml.h"

G_DEFINE_QUARK(msn-abch-error-quark, msn_abch_error)

#define NS_SOAP    "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_XSI     "http://www.w3.org/2001/XMLSchema-instance"
#define NS_XSD     "http://www.w3.org/2001/XMLSchema"
#define NS_SOAPENC "http://schemas.xmlsoap.org/soap/encoding/"
#define NS_AB      "http://www.msn.com/webservices/AddressBook"
#define ACTION_BASE NS_AB "/"
#define APPLICATION_ID "09607671-1C32-421F-A6A6-CBFAA51AB5F4"
#define OWN_AB_ID      "00000000-0000-0000-0000-000000000000"
#define NEVER          "0001-01-01T00:00:00.0000000-08:00"
#define GROUP_TYPE_C   "C8529CE2-6EAD-434d-881F-341E17DB3FF8"

/* Elements deeper than this are not looked at (the reader stops at
 * MSN_XML_MAX_DEPTH). */
#define MAX_DEPTH 48
/* Group GUIDs kept per contact (a repeated GUID is dropped with a scan). */
#define MAX_CONTACT_GROUPS 64
/* Bytes of server text put into an error message. */
#define MAX_FAULT_TEXT 300

/* ---- results ---- */

static void
group_free(MsnAbchGroup *g)
{
	g_free(g->guid);
	g_free(g->name);
	g_free(g);
}

void
msn_abch_contact_free(MsnAbchContact *c)
{
	if (c == NULL)
		return;
	g_free(c->guid);
	g_free(c->handle);
	g_free(c->display_name);
	g_strfreev(c->group_guids);
	g_free(c->phone_home);
	g_free(c->phone_work);
	g_free(c->phone_mobile);
	g_free(c);
}

void
msn_abch_member_free(MsnAbchMember *m)
{
	if (m == NULL)
		return;
	g_free(m->handle);
	g_free(m->display_name);
	g_free(m);
}

void
msn_abch_address_book_free(MsnAbchAddressBook *ab)
{
	if (ab == NULL)
		return;
	g_ptr_array_unref(ab->groups);
	g_ptr_array_unref(ab->contacts);
	g_ptr_array_unref(ab->notes);
	g_free(ab->me_guid);
	g_free(ab->me_handle);
	g_free(ab->me_display_name);
	g_free(ab);
}

void
msn_abch_memberships_free(MsnAbchMemberships *m)
{
	if (m == NULL)
		return;
	g_ptr_array_unref(m->members);
	g_ptr_array_unref(m->notes);
	g_free(m);
}

G_GNUC_PRINTF(3, 4) static void
note(GPtrArray *notes, guint *n_notes, const char *fmt, ...)
{
	va_list ap;

	(*n_notes)++;
	if (notes->len < MSN_ABCH_MAX_NOTES) {
		va_start(ap, fmt);
		g_ptr_array_add(notes, g_strdup_vprintf(fmt, ap));
		va_end(ap);
	}
}

static void
notes_finish(GPtrArray *notes, guint n_notes)
{
	if (n_notes > notes->len)
		g_ptr_array_add(notes, g_strdup_printf("… and %u more like these",
		                                       n_notes - notes->len));
}

/* ---- the streaming reader ---- */

/* Every element name a handler looks at.  The reader interns names (one
 * copy of each), so names are compared as pointers (N(Contact)). */
#define ATOMS(X) \
	X(Fault) X(faultcode) X(faultstring) X(errorcode) X(errorstring) X(Code) X(Value) \
	X(Reason) X(Text) \
	X(ABFindAllResult) X(ABFindAllResponse) X(groups) X(Group) X(groupId) X(groupInfo) \
	X(name) X(fDeleted) X(contacts) X(Contact) X(contactId) X(contactInfo) X(contactType) \
	X(passportName) X(displayName) X(isMessengerUser) X(groupIds) X(guid) X(ContactEmail) \
	X(ContactPhone) X(contactEmailType) X(contactPhoneType) X(email) X(number) \
	X(isMessengerEnabled) X(Annotation) X(Name) \
	X(FindMembershipResult) X(FindMembershipResponse) X(Services) X(Service) X(Info) \
	X(Handle) X(Type) X(Memberships) X(Membership) X(MemberRole) X(Members) X(Member) \
	X(PassportName) X(Email) X(PhoneNumber) X(DisplayName) X(Deleted)

enum {
#define ATOM_ENUM(n) ATOM_##n,
	ATOMS(ATOM_ENUM)
#undef ATOM_ENUM
	N_ATOMS
};

static const char *const atom_names[N_ATOMS] = {
#define ATOM_NAME(n) #n,
	ATOMS(ATOM_NAME)
#undef ATOM_NAME
};

/* The reader's copy of a name, for pointer comparison (s in scope). */
#define N(n) (s->atom[ATOM_##n])

typedef struct _Sax Sax;

struct _Sax {
	MsnXmlReader *reader;
	const char *atom[N_ATOMS];     /* interned by the reader */
	const char *path[MAX_DEPTH];   /* local names, interned by the reader */
	guint depth;
	GString *text;                 /* the current element's text, capped */
	gboolean text_full;            /* the cap was met: more text is dropped */
	GError *abort;                 /* a handler stopped the parse */
	/* The first SOAP Fault met, anywhere. */
	guint fault_depth;             /* depth of the open Fault, 0 outside */
	gboolean fault;
	char *faultcode, *faultstring, *errorcode, *errorstring;
	/* The operation's handlers; names are the reader's local names;
	 * attributes as MsnXmlHandlers has them. */
	void (*start)(Sax *s, const char *name, const char *const *attr_names,
	              const char *const *attr_values);
	void (*end)(Sax *s, const char *name, char *text);
	gpointer op;
};

/* The name of the element `up` levels above the current one, "" if none. */
static const char *
at(Sax *s, guint up)
{
	if (up >= s->depth || s->depth - 1 - up >= MAX_DEPTH)
		return "";
	return s->path[s->depth - 1 - up];
}

/* name: an atom, N(…). */
static gboolean
is(Sax *s, guint up, const char *name)
{
	return at(s, up) == name;
}

static void
sax_abort(Sax *s, GError *error)
{
	if (s->abort == NULL)
		s->abort = error;
	else
		g_error_free(error);
	msn_xml_reader_stop(s->reader);
}

static void
sax_start(MsnXmlReader *r, const char *name, const char *const *attr_names,
          const char *const *attr_values, gpointer ctx)
{
	Sax *s = ctx;

	if (s->abort)
		return;
	if (s->depth < MAX_DEPTH)
		s->path[s->depth] = name;
	s->depth++;
	s->text->len = 0;
	s->text_full = FALSE;
	if (s->fault_depth == 0 && !s->fault && name == N(Fault)) {
		s->fault = TRUE;
		s->fault_depth = s->depth;
	}
	if (s->depth <= MAX_DEPTH && s->start)
		s->start(s, name, attr_names, attr_values);
}

static void
keep_first(char **slot, const char *text)
{
	if (*slot == NULL && *text)
		*slot = g_strdup(text);
}

static void
sax_end(MsnXmlReader *r, const char *name, gpointer ctx)
{
	Sax *s = ctx;
	char *text = s->text->str;
	gsize len = s->text->len;

	if (s->abort || s->depth == 0)
		return;
	/* Stripped in place (what g_strstrip does, without moving the text). */
	while (len > 0 && g_ascii_isspace(text[len - 1]))
		len--;
	text[len] = '\0';
	while (g_ascii_isspace(*text))
		text++;
	if (s->fault_depth) {
		if (name == N(faultcode) || (name == N(Value) && is(s, 1, N(Code))))
			keep_first(&s->faultcode, text);
		else if (name == N(faultstring) || (name == N(Text) && is(s, 1, N(Reason))))
			keep_first(&s->faultstring, text);
		else if (name == N(errorcode))
			keep_first(&s->errorcode, text);
		else if (name == N(errorstring))
			keep_first(&s->errorstring, text);
	}
	if (s->depth <= MAX_DEPTH && s->end)
		s->end(s, name, text);
	if (s->fault_depth == s->depth)
		s->fault_depth = 0;
	s->depth--;
	s->text->len = 0;
	s->text_full = FALSE;
}

/* s->text holds MSN_ABCH_MAX_TEXT bytes and its NUL from the start; only
 * sax_end needs the NUL, so len alone is kept here.  Text comes in pieces
 * cut anywhere (even inside a character): the first that does not fit ends
 * it, cut back to its last whole character, whatever the pieces were. */
static void
sax_chars(MsnXmlReader *r, const char *ch, gsize len, gpointer ctx)
{
	Sax *s = ctx;
	gsize room, n;
	const char *valid_end;

	if (len == 0 || s->text_full)
		return;
	room = MSN_ABCH_MAX_TEXT - s->text->len;
	n = MIN(len, room);
	memcpy(s->text->str + s->text->len, ch, n);
	s->text->len += n;
	if (n < len) {
		s->text_full = TRUE;
		if (!g_utf8_validate(s->text->str, (gssize)s->text->len, &valid_end))
			s->text->len = (gsize)(valid_end - s->text->str);
	}
}

/* The encoding the XML declaration names when it is not UTF-8 (newly
 * allocated), NULL for UTF-8 or none.  A declaration readable as ASCII is
 * not in UTF-16 or UCS-4, whatever it says (as libxml2 reads it). */
static char *
declared_encoding(const char *xml, gsize len)
{
	static const char *const as_utf8[] = {
		"utf-8", "utf8", "utf-16", "utf16", "ucs-2", "ucs2", "ucs-4", "ucs4", "utf-32", "utf32"
	};
	gsize n = MIN(len, 200), i, k;
	const char *end, *enc;
	char *decl, *name = NULL;

	if (n < 5 || memcmp(xml, "<?xml", 5) != 0)
		return NULL;
	end = memchr(xml, '>', n);
	if (end == NULL)
		return NULL;
	decl = g_strndup(xml, (gsize)(end - xml));
	enc = strstr(decl, "encoding");
	if (enc) {
		enc += strlen("encoding");
		while (*enc == ' ' || *enc == '=' || *enc == '"' || *enc == '\'')
			enc++;
		for (i = 0; enc[i] && enc[i] != '"' && enc[i] != '\''; i++)
			;
		name = g_strndup(enc, i);
		for (k = 0; k < G_N_ELEMENTS(as_utf8); k++)
			if (g_ascii_strncasecmp(name, as_utf8[k], strlen(as_utf8[k])) == 0 &&
			    (k < 2 ? name[strlen(as_utf8[k])] == '\0' : TRUE)) {
				g_clear_pointer(&name, g_free);
				break;
			}
	}
	g_free(decl);
	return name;
}

/* Sets s up to read with a fresh reader. */
static void
sax_begin(Sax *s)
{
	static const MsnXmlHandlers h = { sax_start, sax_end, sax_chars };
	guint i;

	s->text = g_string_sized_new(MSN_ABCH_MAX_TEXT + 1);
	s->reader = msn_xml_reader_new(&h, s);
	for (i = 0; i < N_ATOMS; i++)
		s->atom[i] = msn_xml_reader_intern(s->reader, atom_names[i]);
}

/* FALSE once the parse cannot succeed: more input would not be read. */
static gboolean
sax_going(Sax *s)
{
	return msn_xml_reader_error(s->reader) == NULL && !s->abort;
}

/* Hands the reader the next bytes (UTF-8). */
static void
sax_push(Sax *s, const char *xml, gsize len)
{
	if (sax_going(s))
		msn_xml_reader_feed(s->reader, xml, len);
}

static GError *fault_error(Sax *s);

/* Ends the document (everything was pushed).  FALSE with error for a fault,
 * a DTD, not well-formed, or a handler's abort. */
static gboolean
sax_end_document(Sax *s, GError **error)
{
	GError *xerr = NULL;
	gboolean well_formed = msn_xml_reader_end(s->reader, &xerr);

	if (s->abort) {
		g_clear_error(&xerr);
		g_propagate_error(error, g_steal_pointer(&s->abort));
		return FALSE;
	}
	if (xerr && g_error_matches(xerr, MSN_XML_ERROR, MSN_XML_ERROR_DTD)) {
		g_error_free(xerr);
		g_set_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY,
		            _("The address book's reply could not be read (it has a DTD)."));
		return FALSE;
	}
	if (s->fault) {
		g_clear_error(&xerr);
		g_propagate_error(error, fault_error(s));
		return FALSE;
	}
	if (!well_formed) {
		g_set_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY,
		            _("The address book's reply could not be read (%s)."),
		            xerr ? xerr->message : _("not XML"));
		g_clear_error(&xerr);
		return FALSE;
	}
	return TRUE;
}

static void
sax_clear(Sax *s)
{
	msn_xml_reader_free(s->reader);
	if (s->text)
		g_string_free(s->text, TRUE);
	g_clear_error(&s->abort);
	g_free(s->faultcode);
	g_free(s->faultstring);
	g_free(s->errorcode);
	g_free(s->errorstring);
}

/* ---- faults ---- */

static const struct {
	const char *code;
	MsnAbchError error;
	const char *format;   /* one %s: what the server said */
} fault_table[] = {
	{ "FullSyncRequired", MSN_ABCH_ERROR_FULL_SYNC_REQUIRED,
	  N_("The address book asked for the whole contact list to be fetched again (%s).") },
	{ "ContactAlreadyExists", MSN_ABCH_ERROR_CONTACT_EXISTS,
	  N_("That contact is already in your address book (%s).") },
	{ "ContactDoesNotExist", MSN_ABCH_ERROR_CONTACT_DOES_NOT_EXIST,
	  N_("That contact is not in your address book (%s).") },
	{ "GroupAlreadyExists", MSN_ABCH_ERROR_GROUP_EXISTS,
	  N_("A group with that name already exists (%s).") },
	{ "GroupDoesNotExist", MSN_ABCH_ERROR_GROUP_DOES_NOT_EXIST,
	  N_("That group does not exist in your address book (%s).") },
	{ "GroupNameTooLong", MSN_ABCH_ERROR_GROUP_NAME_TOO_LONG,
	  N_("That group name is too long (%s).") },
	{ "MemberAlreadyExists", MSN_ABCH_ERROR_MEMBER_EXISTS,
	  N_("That person is already on that list (%s).") },
	{ "MemberDoesNotExist", MSN_ABCH_ERROR_MEMBER_DOES_NOT_EXIST,
	  N_("That person is not on that list (%s).") },
	{ "InvalidPassportUser", MSN_ABCH_ERROR_NO_SUCH_USER,
	  N_("There is no Messenger user with that address (%s).") },
	{ "UserDoesNotExist", MSN_ABCH_ERROR_NO_SUCH_USER,
	  N_("There is no Messenger user with that address (%s).") },
	{ "EmailMissingAtSign", MSN_ABCH_ERROR_NO_SUCH_USER,
	  N_("That is not a valid e-mail address (%s).") },
	{ "EmailMissingDot", MSN_ABCH_ERROR_NO_SUCH_USER,
	  N_("That is not a valid e-mail address (%s).") },
};

/* s cut to at most max bytes on a character boundary (s is valid UTF-8). */
static char *
cut_text(const char *s, gsize max)
{
	const char *end;

	if (strlen(s) <= max)
		return g_strdup(s);
	/* The start of the character holding byte max: all before it is whole. */
	end = g_utf8_find_prev_char(s, s + max + 1);
	if (end == NULL)
		end = s;
	return g_strdup_printf("%.*s…", (int)(end - s), s);
}

static gboolean
is_fault_code(int code)
{
	return code >= MSN_ABCH_ERROR_FAULT && code <= MSN_ABCH_ERROR_NO_SUCH_USER;
}

static GError *
fault_error(Sax *s)
{
	const char *code = s->errorcode;
	const char *said;
	char *text;
	GError *error = NULL;
	gsize i;

	/* Without detail/errorcode, the faultcode's local part may name it. */
	if (code == NULL && s->faultcode) {
		const char *colon = strrchr(s->faultcode, ':');
		code = colon ? colon + 1 : s->faultcode;
	}
	said = s->faultstring ? s->faultstring :
	       s->errorstring ? s->errorstring :
	       code ? code : _("no reason given");
	text = cut_text(said, MAX_FAULT_TEXT);
	for (i = 0; code && i < G_N_ELEMENTS(fault_table); i++)
		if (strcmp(code, fault_table[i].code) == 0) {
			error = g_error_new(MSN_ABCH_ERROR, fault_table[i].error,
			                    _(fault_table[i].format), text);
			break;
		}
	if (error == NULL)
		error = g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_FAULT,
		                    _("The address book refused the request: %s (%s)."), text,
		                    code ? code : "?");
	g_free(text);
	return error;
}

/* ---- ABFindAll ---- */

typedef struct {
	MsnAbchAddressBook *ab;
	guint n_notes;
	GHashTable *group_ids, *contact_ids, *handles;   /* dedup, borrowed keys */
	gboolean saw_result;
	gboolean saw_me;
	/* the open Group */
	gboolean in_group;
	char *g_guid, *g_name;
	gboolean g_deleted;
	/* the open Contact */
	gboolean in_contact;
	char *c_guid, *c_passport, *c_display;   /* c_passport lower-cased */
	MsnAbchContactType c_type;
	gboolean c_me;          /* contactType Me */
	gboolean c_messenger, c_deleted;
	GPtrArray *c_groups;
	char *c_email;          /* its first Messenger-enabled e-mail */
	guint c_email_network;
	char *c_tel;            /* its first Messenger-enabled phone */
	char *c_home, *c_work, *c_mobile;
	char *c_blp, *c_gtc;
	/* the open ContactEmail / ContactPhone / Annotation */
	char *x_type, *x_value;
	gboolean x_enabled;
	char *a_name, *a_value;
} FindAll;

static gboolean
is_true(const char *text)
{
	return g_ascii_strcasecmp(text, "true") == 0 || strcmp(text, "1") == 0;
}

static void
set_text(char **slot, const char *text)
{
	g_free(*slot);
	*slot = *text ? g_strdup(text) : NULL;
}

/* set_text, ASCII lower-cased (handles: the copy the result keeps). */
static void
set_lower(char **slot, const char *text)
{
	char *p;

	set_text(slot, text);
	for (p = *slot; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
}

static void
find_all_reset_contact(FindAll *f)
{
	g_clear_pointer(&f->c_guid, g_free);
	f->c_type = MSN_ABCH_CONTACT_OTHER;
	f->c_me = FALSE;
	g_clear_pointer(&f->c_passport, g_free);
	g_clear_pointer(&f->c_display, g_free);
	g_clear_pointer(&f->c_email, g_free);
	g_clear_pointer(&f->c_tel, g_free);
	g_clear_pointer(&f->c_home, g_free);
	g_clear_pointer(&f->c_work, g_free);
	g_clear_pointer(&f->c_mobile, g_free);
	g_clear_pointer(&f->c_blp, g_free);
	g_clear_pointer(&f->c_gtc, g_free);
	g_ptr_array_set_size(f->c_groups, 0);
	f->c_messenger = f->c_deleted = FALSE;
	f->c_email_network = 0;
	f->in_contact = FALSE;
}

static void
find_all_reset_group(FindAll *f)
{
	g_clear_pointer(&f->g_guid, g_free);
	g_clear_pointer(&f->g_name, g_free);
	f->g_deleted = FALSE;
	f->in_group = FALSE;
}

static MsnAbchContactType
contact_type(const char *t)
{
	if (t == NULL)
		return MSN_ABCH_CONTACT_OTHER;
	if (strcmp(t, "Regular") == 0)
		return MSN_ABCH_CONTACT_REGULAR;
	if (strcmp(t, "Live") == 0)
		return MSN_ABCH_CONTACT_LIVE;
	if (strcmp(t, "LivePending") == 0)
		return MSN_ABCH_CONTACT_LIVE_PENDING;
	if (strcmp(t, "LiveRejected") == 0)
		return MSN_ABCH_CONTACT_LIVE_REJECTED;
	if (strcmp(t, "LiveDropped") == 0)
		return MSN_ABCH_CONTACT_LIVE_DROPPED;
	return MSN_ABCH_CONTACT_OTHER;
}

static void
find_all_commit_group(Sax *s, FindAll *f)
{
	MsnAbchGroup *g;

	if (f->g_deleted)
		return;
	if (f->g_guid == NULL) {
		note(f->ab->notes, &f->n_notes, "skipped a group without groupId (\"%s\")",
		     f->g_name ? f->g_name : "");
		return;
	}
	if (g_hash_table_contains(f->group_ids, f->g_guid)) {
		note(f->ab->notes, &f->n_notes, "duplicate group %s: kept the first", f->g_guid);
		return;
	}
	if (f->ab->groups->len >= MSN_ABCH_MAX_CONTACTS) {
		sax_abort(s, g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_TOO_LARGE,
		          _("The address book has more than %d groups."), MSN_ABCH_MAX_CONTACTS));
		return;
	}
	g = g_new0(MsnAbchGroup, 1);
	g->guid = g_steal_pointer(&f->g_guid);
	g->name = f->g_name ? g_steal_pointer(&f->g_name) : g_strdup("");
	g_ptr_array_add(f->ab->groups, g);
	g_hash_table_add(f->group_ids, g->guid);
}

static void
find_all_commit_me(FindAll *f)
{
	MsnAbchAddressBook *ab = f->ab;

	if (f->saw_me) {
		note(ab->notes, &f->n_notes, "a second Me contact: kept the first");
		return;
	}
	f->saw_me = TRUE;
	ab->me_guid = g_strdup(f->c_guid ? f->c_guid : "");
	ab->me_handle = g_steal_pointer(&f->c_passport);
	ab->me_display_name = g_strdup(f->c_display);
	if (f->c_blp && strcmp(f->c_blp, "1") == 0)
		ab->blp = MSN_ADL_AL;
	else if (f->c_blp && strcmp(f->c_blp, "2") == 0)
		ab->blp = MSN_ADL_BL;
	if (f->c_gtc && strcmp(f->c_gtc, "1") == 0)
		ab->gtc = 'A';
	else if (f->c_gtc && strcmp(f->c_gtc, "2") == 0)
		ab->gtc = 'N';
}

static void
find_all_commit_contact(Sax *s, FindAll *f)
{
	MsnAbchAddressBook *ab = f->ab;
	MsnAbchContact *c;
	char *handle;
	guint network, i;

	if (f->c_deleted)
		return;
	if (f->c_me) {
		find_all_commit_me(f);
		return;
	}
	if (f->c_passport) {
		handle = g_steal_pointer(&f->c_passport);
		network = MSN_NETWORK_PASSPORT;
	} else if (f->c_email) {
		handle = g_ascii_strdown(f->c_email, -1);
		network = f->c_email_network;
	} else if (f->c_tel) {
		handle = g_strconcat("tel:", f->c_tel, NULL);
		network = MSN_NETWORK_PHONE;
	} else {
		note(ab->notes, &f->n_notes, "skipped contact %s: no passport name, Messenger "
		     "e-mail or phone", f->c_guid ? f->c_guid : "(no contactId)");
		return;
	}
	if ((f->c_guid && g_hash_table_contains(f->contact_ids, f->c_guid)) ||
	    g_hash_table_contains(f->handles, handle)) {
		note(ab->notes, &f->n_notes, "duplicate contact %s (%s): kept the first", handle,
		     f->c_guid ? f->c_guid : "no contactId");
		g_free(handle);
		return;
	}
	if (ab->contacts->len >= MSN_ABCH_MAX_CONTACTS) {
		g_free(handle);
		sax_abort(s, g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_TOO_LARGE,
		          _("The address book has more than %d contacts."), MSN_ABCH_MAX_CONTACTS));
		return;
	}
	c = g_new0(MsnAbchContact, 1);
	c->guid = g_steal_pointer(&f->c_guid);
	c->handle = handle;
	c->display_name = g_steal_pointer(&f->c_display);
	c->phone_home = g_steal_pointer(&f->c_home);
	c->phone_work = g_steal_pointer(&f->c_work);
	c->phone_mobile = g_steal_pointer(&f->c_mobile);
	c->network = network;
	c->type = f->c_type;
	c->is_messenger_user = f->c_messenger;
	if (f->c_groups->len > 0) {
		c->group_guids = g_new0(char *, f->c_groups->len + 1);
		for (i = 0; i < f->c_groups->len; i++)
			c->group_guids[i] = g_steal_pointer(&f->c_groups->pdata[i]);
		g_ptr_array_set_size(f->c_groups, 0);
	}
	g_ptr_array_add(ab->contacts, c);
	g_hash_table_add(f->handles, c->handle);
	if (c->guid)
		g_hash_table_add(f->contact_ids, c->guid);
}

static void
find_all_add_group_id(FindAll *f, const char *guid)
{
	guint i;

	if (*guid == '\0')
		return;
	for (i = 0; i < f->c_groups->len; i++)
		if (g_ascii_strcasecmp(f->c_groups->pdata[i], guid) == 0)
			return;
	if (f->c_groups->len >= MAX_CONTACT_GROUPS) {
		note(f->ab->notes, &f->n_notes, "contact %s is in more than %d groups: dropped %s",
		     f->c_guid ? f->c_guid : "?", MAX_CONTACT_GROUPS, guid);
		return;
	}
	g_ptr_array_add(f->c_groups, g_strdup(guid));
}

static void
find_all_start(Sax *s, const char *name, const char *const *attr_names,
               const char *const *attr_values)
{
	FindAll *f = s->op;

	if (name == N(ABFindAllResult) || name == N(ABFindAllResponse))
		f->saw_result = TRUE;
	else if (name == N(Group) && is(s, 1, N(groups)) && !f->in_group &&
	         !f->in_contact) {
		find_all_reset_group(f);
		f->in_group = TRUE;
	} else if (name == N(Contact) && is(s, 1, N(contacts)) && !f->in_contact &&
	           !f->in_group) {
		find_all_reset_contact(f);
		f->in_contact = TRUE;
	} else if (name == N(ContactEmail) || name == N(ContactPhone)) {
		g_clear_pointer(&f->x_type, g_free);
		g_clear_pointer(&f->x_value, g_free);
		f->x_enabled = FALSE;
	} else if (name == N(Annotation)) {
		g_clear_pointer(&f->a_name, g_free);
		g_clear_pointer(&f->a_value, g_free);
	}
}

static void
find_all_end_contact_field(Sax *s, FindAll *f, const char *name, const char *text)
{
	if (is(s, 1, N(Contact))) {
		if (name == N(contactId))
			set_text(&f->c_guid, text);
		else if (name == N(fDeleted))
			f->c_deleted = is_true(text);
	} else if (is(s, 1, N(contactInfo))) {
		if (name == N(contactType)) {
			f->c_type = contact_type(*text ? text : NULL);
			f->c_me = strcmp(text, "Me") == 0;
		} else if (name == N(passportName))
			set_lower(&f->c_passport, text);
		else if (name == N(displayName))
			set_text(&f->c_display, text);
		else if (name == N(isMessengerUser))
			f->c_messenger = is_true(text);
	} else if (name == N(guid) && is(s, 1, N(groupIds)) && is(s, 2, N(contactInfo))) {
		find_all_add_group_id(f, text);
	} else if (is(s, 1, N(ContactEmail)) || is(s, 1, N(ContactPhone))) {
		if (name == N(contactEmailType) || name == N(contactPhoneType))
			set_text(&f->x_type, text);
		else if (name == N(email) || name == N(number))
			set_text(&f->x_value, text);
		else if (name == N(isMessengerEnabled))
			f->x_enabled = is_true(text);
	} else if (name == N(ContactEmail)) {
		if (f->x_enabled && f->x_value && f->c_email == NULL) {
			f->c_email = g_steal_pointer(&f->x_value);
			f->c_email_network = (f->x_type && strcmp(f->x_type, "Messenger2") == 0) ?
			                     MSN_NETWORK_YAHOO : MSN_NETWORK_PASSPORT;
		}
	} else if (name == N(ContactPhone)) {
		if (f->x_value && f->x_type) {
			if (strcmp(f->x_type, "ContactPhonePersonal") == 0 && !f->c_home)
				f->c_home = g_strdup(f->x_value);
			else if (strcmp(f->x_type, "ContactPhoneBusiness") == 0 && !f->c_work)
				f->c_work = g_strdup(f->x_value);
			else if (strcmp(f->x_type, "ContactPhoneMobile") == 0 && !f->c_mobile)
				f->c_mobile = g_strdup(f->x_value);
		}
		if (f->x_enabled && f->x_value && f->c_tel == NULL)
			f->c_tel = g_steal_pointer(&f->x_value);
	} else if (is(s, 1, N(Annotation))) {
		if (name == N(Name))
			set_text(&f->a_name, text);
		else if (name == N(Value))
			set_text(&f->a_value, text);
	} else if (name == N(Annotation) && is(s, 2, N(contactInfo)) && f->a_name) {
		if (strcmp(f->a_name, "MSN.IM.BLP") == 0)
			set_text(&f->c_blp, f->a_value ? f->a_value : "");
		else if (strcmp(f->a_name, "MSN.IM.GTC") == 0)
			set_text(&f->c_gtc, f->a_value ? f->a_value : "");
	}
}

static void
find_all_end(Sax *s, const char *name, char *text)
{
	FindAll *f = s->op;

	if (f->in_contact) {
		if (name == N(Contact) && is(s, 1, N(contacts))) {
			find_all_commit_contact(s, f);
			find_all_reset_contact(f);
		} else
			find_all_end_contact_field(s, f, name, text);
	} else if (f->in_group) {
		if (name == N(Group) && is(s, 1, N(groups))) {
			find_all_commit_group(s, f);
			find_all_reset_group(f);
		} else if (name == N(groupId) && is(s, 1, N(Group)))
			set_text(&f->g_guid, text);
		else if (name == N(name) && is(s, 1, N(groupInfo)))
			set_text(&f->g_name, text);
		else if (name == N(fDeleted) && is(s, 1, N(Group)))
			f->g_deleted = is_true(text);
	}
}

static void
find_all_init(FindAll *f)
{
	MsnAbchAddressBook *ab = g_new0(MsnAbchAddressBook, 1);

	ab->groups = g_ptr_array_new_with_free_func((GDestroyNotify)group_free);
	ab->contacts = g_ptr_array_new_with_free_func((GDestroyNotify)msn_abch_contact_free);
	ab->notes = g_ptr_array_new_with_free_func(g_free);
	f->ab = ab;
	f->group_ids = g_hash_table_new(g_str_hash, g_str_equal);
	f->contact_ids = g_hash_table_new(g_str_hash, g_str_equal);
	f->handles = g_hash_table_new(g_str_hash, g_str_equal);
	f->c_groups = g_ptr_array_new_with_free_func(g_free);
}

static void
find_all_clear(FindAll *f)
{
	find_all_reset_contact(f);
	find_all_reset_group(f);
	g_ptr_array_unref(f->c_groups);
	g_free(f->x_type);
	g_free(f->x_value);
	g_free(f->a_name);
	g_free(f->a_value);
	g_hash_table_unref(f->group_ids);
	g_hash_table_unref(f->contact_ids);
	g_hash_table_unref(f->handles);
	msn_abch_address_book_free(f->ab);
}

/* ---- FindMembership ---- */

typedef struct {
	char *handle;
	char *display_name;
	guint network;
	guint role;           /* set when its Membership ends */
} Pending;

static void
pending_free(Pending *p)
{
	g_free(p->handle);
	g_free(p->display_name);
	g_free(p);
}

typedef struct {
	MsnAbchMemberships *res;
	guint n_notes;
	GHashTable *by_handle;      /* handle → MsnAbchMember*, borrowed */
	gboolean saw_result;
	/* the open Service */
	gboolean in_service;
	char *svc_type;
	GPtrArray *pending;         /* Pending*, members of the open Service */
	/* the open Membership */
	gboolean in_membership;
	guint membership_start;     /* index in pending of its first member */
	char *role;
	/* the open Member */
	gboolean in_member;
	char *m_kind, *m_xsi, *m_phone, *m_display, *m_buddy;
	char *m_passport, *m_email;   /* lower-cased */
	gboolean m_deleted;
	char *a_name, *a_value;
	guint n_members;            /* seen, for the bound */
} Membership;

static void
member_reset(Membership *m)
{
	g_clear_pointer(&m->m_kind, g_free);
	g_clear_pointer(&m->m_xsi, g_free);
	g_clear_pointer(&m->m_passport, g_free);
	g_clear_pointer(&m->m_email, g_free);
	g_clear_pointer(&m->m_phone, g_free);
	g_clear_pointer(&m->m_display, g_free);
	g_clear_pointer(&m->m_buddy, g_free);
	m->m_deleted = FALSE;
	m->in_member = FALSE;
}

static guint
role_bit(const char *role)
{
	if (role == NULL)
		return 0;
	if (strcmp(role, "Allow") == 0)
		return MSN_ADL_AL;
	if (strcmp(role, "Block") == 0)
		return MSN_ADL_BL;
	if (strcmp(role, "Reverse") == 0)
		return MSN_ADL_RL;
	if (strcmp(role, "Pending") == 0)
		return MSN_ADL_PL;
	return 0;
}

/* The member's kind: Type element first, xsi:type second. */
static const char *
member_kind(Membership *m)
{
	if (m->m_kind)
		return m->m_kind;
	if (m->m_xsi) {
		if (strcmp(m->m_xsi, "PassportMember") == 0)
			return "Passport";
		if (strcmp(m->m_xsi, "EmailMember") == 0)
			return "Email";
		if (strcmp(m->m_xsi, "PhoneMember") == 0)
			return "Phone";
		return m->m_xsi;
	}
	return "";
}

static void
member_commit(Sax *s, Membership *m)
{
	const char *kind = member_kind(m);
	Pending *p;
	char *handle = NULL;
	guint network = MSN_NETWORK_PASSPORT;

	if (m->m_deleted)
		return;
	if (strcmp(kind, "Passport") == 0 || (*kind == '\0' && m->m_passport)) {
		handle = g_steal_pointer(&m->m_passport);
	} else if (strcmp(kind, "Email") == 0 || (*kind == '\0' && m->m_email)) {
		guint64 n;
		char *colon;

		network = MSN_NETWORK_YAHOO;
		if (m->m_buddy && (colon = strchr(m->m_buddy, ':')) != NULL) {
			*colon = '\0';
			if (g_ascii_string_to_unsigned(m->m_buddy, 10, 1, G_MAXUINT, &n, NULL))
				network = (guint)n;
		}
		handle = g_steal_pointer(&m->m_email);
	} else if (strcmp(kind, "Phone") == 0) {
		network = MSN_NETWORK_PHONE;
		if (m->m_phone)
			handle = g_strconcat("tel:", m->m_phone, NULL);
	} else
		return;   /* circles, roles, domains, "everyone": not people */
	if (handle == NULL) {
		note(m->res->notes, &m->n_notes, "skipped a %s member without an address", kind);
		return;
	}
	if (++m->n_members > MSN_ABCH_MAX_CONTACTS) {
		g_free(handle);
		sax_abort(s, g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_TOO_LARGE,
		          _("The contact lists have more than %d entries."), MSN_ABCH_MAX_CONTACTS));
		return;
	}
	p = g_new0(Pending, 1);
	p->handle = handle;
	p->display_name = g_steal_pointer(&m->m_display);
	p->network = network;
	g_ptr_array_add(m->pending, p);
}

static void
merge_pending(Membership *m, guint from)
{
	guint i;

	for (i = from; i < m->pending->len; i++) {
		Pending *p = m->pending->pdata[i];
		MsnAbchMember *x;

		if (p->role == 0)
			continue;
		x = g_hash_table_lookup(m->by_handle, p->handle);
		if (x == NULL) {
			x = g_new0(MsnAbchMember, 1);
			x->handle = g_steal_pointer(&p->handle);
			x->display_name = g_steal_pointer(&p->display_name);
			x->network = p->network;
			x->lists = p->role;
			g_ptr_array_add(m->res->members, x);
			g_hash_table_insert(m->by_handle, x->handle, x);
			continue;
		}
		if (x->lists & p->role)
			note(m->res->notes, &m->n_notes, "duplicate member %s in role %u: kept the first",
			     x->handle, p->role);
		x->lists |= p->role;
		if (x->display_name == NULL)
			x->display_name = g_steal_pointer(&p->display_name);
	}
	g_ptr_array_set_size(m->pending, (guint)from);
}

static void
membership_start(Sax *s, const char *name, const char *const *attr_names,
                 const char *const *attr_values)
{
	Membership *m = s->op;
	guint i;

	if (name == N(FindMembershipResult) ||
	    name == N(FindMembershipResponse)) {
		m->saw_result = TRUE;
	} else if (name == N(Service) && is(s, 1, N(Services)) && !m->in_service) {
		m->in_service = TRUE;
		g_clear_pointer(&m->svc_type, g_free);
	} else if (name == N(Membership) && is(s, 1, N(Memberships)) &&
	           !m->in_membership) {
		m->in_membership = TRUE;
		m->membership_start = m->pending->len;
		g_clear_pointer(&m->role, g_free);
	} else if (name == N(Member) && is(s, 1, N(Members)) && m->in_membership &&
	           !m->in_member) {
		member_reset(m);
		m->in_member = TRUE;
		/* xsi:type="PassportMember" (its value may have a prefix too) */
		for (i = 0; attr_names[i]; i++)
			if (strcmp(attr_names[i], "type") == 0) {
				const char *colon = strrchr(attr_values[i], ':');

				g_free(m->m_xsi);
				m->m_xsi = g_strdup(colon ? colon + 1 : attr_values[i]);
			}
	} else if (name == N(Annotation) && m->in_member) {
		g_clear_pointer(&m->a_name, g_free);
		g_clear_pointer(&m->a_value, g_free);
	}
}

static void
membership_end(Sax *s, const char *name, char *text)
{
	Membership *m = s->op;

	if (m->in_member) {
		if (name == N(Member) && is(s, 1, N(Members))) {
			member_commit(s, m);
			member_reset(m);
		} else if (is(s, 1, N(Member))) {
			if (name == N(Type))
				set_text(&m->m_kind, text);
			else if (name == N(PassportName))
				set_lower(&m->m_passport, text);
			else if (name == N(Email))
				set_lower(&m->m_email, text);
			else if (name == N(PhoneNumber))
				set_text(&m->m_phone, text);
			else if (name == N(DisplayName))
				set_text(&m->m_display, text);
			else if (name == N(Deleted))
				m->m_deleted = is_true(text);
		} else if (is(s, 1, N(Annotation))) {
			if (name == N(Name))
				set_text(&m->a_name, text);
			else if (name == N(Value))
				set_text(&m->a_value, text);
		} else if (name == N(Annotation) && m->a_name &&
		           strcmp(m->a_name, "MSN.IM.BuddyType") == 0 && m->a_value) {
			g_free(m->m_buddy);
			m->m_buddy = g_strdup(m->a_value);
		}
		return;
	}
	if (m->in_membership) {
		if (name == N(MemberRole) && is(s, 1, N(Membership))) {
			set_text(&m->role, text);
		} else if (name == N(Membership) && is(s, 1, N(Memberships))) {
			guint bit = role_bit(m->role), i;

			for (i = m->membership_start; i < m->pending->len; i++)
				((Pending *)m->pending->pdata[i])->role = bit;
			/* Outside a Service there is nothing to wait for. */
			if (!m->in_service)
				merge_pending(m, 0);
			m->in_membership = FALSE;
		}
		return;
	}
	if (m->in_service) {
		if (name == N(Type) && is(s, 1, N(Handle)) && is(s, 2, N(Info)) &&
		    is(s, 3, N(Service)))
			set_text(&m->svc_type, text);
		else if (name == N(Service) && is(s, 1, N(Services))) {
			/* Info may come after Memberships (Escargot): decide now. */
			if (m->svc_type == NULL || strcmp(m->svc_type, "Messenger") == 0)
				merge_pending(m, 0);
			else
				g_ptr_array_set_size(m->pending, 0);
			m->in_service = FALSE;
		}
	}
}

static void
membership_init(Membership *m)
{
	MsnAbchMemberships *res = g_new0(MsnAbchMemberships, 1);

	res->members = g_ptr_array_new_with_free_func((GDestroyNotify)msn_abch_member_free);
	res->notes = g_ptr_array_new_with_free_func(g_free);
	m->res = res;
	m->by_handle = g_hash_table_new(g_str_hash, g_str_equal);
	m->pending = g_ptr_array_new_with_free_func((GDestroyNotify)pending_free);
}

static void
membership_clear(Membership *m)
{
	member_reset(m);
	g_free(m->a_name);
	g_free(m->a_value);
	g_free(m->svc_type);
	g_free(m->role);
	g_ptr_array_unref(m->pending);
	g_hash_table_unref(m->by_handle);
	msn_abch_memberships_free(m->res);
}

/* ---- modifying operations ---- */

typedef struct {
	char *guid;
} Result;

static void
result_end(Sax *s, const char *name, char *text)
{
	Result *r = s->op;

	if (r->guid == NULL && *text && name == N(guid) &&
	    g_str_has_suffix(at(s, 1), "Result"))
		r->guid = g_strdup(text);
}

/* ---- the parser, fed as the reply arrives ---- */

typedef enum {
	PARSE_PLAIN,          /* faults only */
	PARSE_FIND_ALL,
	PARSE_FIND_MEMBERSHIP,
	PARSE_RESULT
} ParseKind;

/* Bytes in which the XML declaration (and its encoding) must end. */
#define HEAD 200

struct _MsnAbchParser {
	Sax s;
	ParseKind kind;
	FindAll f;
	Membership m;
	Result r;
	gsize fed;               /* bytes fed, for the bound */
	gboolean started;        /* past the whitespace before the document */
	gboolean head_done;      /* the encoding is known */
	GIConv cd;               /* from the declared encoding; (GIConv)-1: UTF-8 */
	GByteArray *head;        /* the first bytes while the encoding is not known */
	char carry[16];          /* the start of a character cut by the end of a piece */
	gsize n_carry;
};

static MsnAbchParser *
parser_new(ParseKind kind)
{
	MsnAbchParser *p = g_new0(MsnAbchParser, 1);

	p->kind = kind;
	p->cd = (GIConv)-1;
	switch (kind) {
	case PARSE_FIND_ALL:
		find_all_init(&p->f);
		p->s.start = find_all_start;
		p->s.end = find_all_end;
		p->s.op = &p->f;
		break;
	case PARSE_FIND_MEMBERSHIP:
		membership_init(&p->m);
		p->s.start = membership_start;
		p->s.end = membership_end;
		p->s.op = &p->m;
		break;
	case PARSE_RESULT:
		p->s.end = result_end;
		p->s.op = &p->r;
		break;
	case PARSE_PLAIN:
		break;
	}
	sax_begin(&p->s);
	return p;
}

void
msn_abch_parser_free(MsnAbchParser *p)
{
	if (p == NULL)
		return;
	sax_clear(&p->s);
	switch (p->kind) {
	case PARSE_FIND_ALL:
		find_all_clear(&p->f);
		break;
	case PARSE_FIND_MEMBERSHIP:
		membership_clear(&p->m);
		break;
	case PARSE_RESULT:
		g_free(p->r.guid);
		break;
	case PARSE_PLAIN:
		break;
	}
	if (p->head)
		g_byte_array_unref(p->head);
	if (p->cd != (GIConv)-1)
		g_iconv_close(p->cd);
	g_free(p);
}

MsnAbchParser *
msn_abch_parser_new(MsnAbchOp op)
{
	g_return_val_if_fail(op == MSN_ABCH_FIND_ALL || op == MSN_ABCH_FIND_MEMBERSHIP, NULL);
	return parser_new(op == MSN_ABCH_FIND_ALL ? PARSE_FIND_ALL : PARSE_FIND_MEMBERSHIP);
}

/* How many bytes from the start of s are valid UTF-8 without NUL (what
 * g_utf8_validate_len accepts), ASCII a word at a time. */
static gsize
utf8_valid_prefix(const char *s, gsize len)
{
	gsize i = 0;

	while (i < len) {
		const char *end;
		gsize n;

		while (len - i >= 8) {
			guint64 w;

			memcpy(&w, s + i, 8);
			/* A byte with its top bit set, or a NUL (which borrows). */
			if (((w | (w - G_GUINT64_CONSTANT(0x0101010101010101))) &
			     G_GUINT64_CONSTANT(0x8080808080808080)) != 0)
				break;
			i += 8;
		}
		if (i == len)
			break;
		if ((guchar)s[i] - 1u < 0x7fu) {
			i++;
			continue;
		}
		/* Not ASCII: glib decides, a window at a time (a character fits). */
		n = MIN(len - i, 64);
		if (g_utf8_validate_len(s + i, n, &end)) {
			i += n;
			continue;
		}
		if (end == s + i)
			return i;
		i = (gsize)(end - s);
	}
	return len;
}

/* Hands on UTF-8 text with every byte that is not part of a character (and
 * NUL) as U+FFFD, as g_utf8_make_valid does; returns how many bytes at the
 * end were kept back: the start of a character the next piece may complete
 * (none when final). */
static gsize
push_valid(Sax *s, const char *data, gsize len, gboolean final)
{
	while (len > 0 && sax_going(s)) {
		gsize ok = utf8_valid_prefix(data, len);

		if (ok > 0)
			sax_push(s, data, ok);
		data += ok;
		len -= ok;
		if (len == 0)
			break;
		if (len < 4 && !final)
			return len;
		sax_push(s, "\xef\xbf\xbd", 3);
		data++;
		len--;
	}
	return 0;
}

/* Converts text in the declared encoding to UTF-8 and hands it on; returns
 * how many bytes at the end were kept back (an incomplete sequence). */
static gsize
push_converted(MsnAbchParser *p, const char *data, gsize len, gboolean final)
{
	char out[8192];

	while (len > 0 && sax_going(&p->s)) {
		gchar *in = (gchar *)data, *o = out;
		gsize in_left = len, out_left = sizeof out;
		gsize r = g_iconv(p->cd, &in, &in_left, &o, &out_left);
		int e = errno;

		push_valid(&p->s, out, (gsize)(o - out), TRUE);
		data = in;
		len = in_left;
		if (r != (gsize)-1 || e == E2BIG)
			continue;
		if (e == EINVAL && !final && len <= sizeof p->carry)
			return len;
		sax_abort(&p->s, g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY,
		          _("The address book's reply could not be read (it holds bytes its "
		            "declared encoding does not have).")));
	}
	return 0;
}

/* Hands the document text on as UTF-8; a character cut by the end of a
 * piece waits for the next (final: there is none). */
static void
push_text(MsnAbchParser *p, const char *data, gsize len, gboolean final)
{
	char *joined = NULL;
	gsize left;

	if (p->n_carry) {
		joined = g_malloc(p->n_carry + len);
		memcpy(joined, p->carry, p->n_carry);
		if (len > 0)
			memcpy(joined + p->n_carry, data, len);
		data = joined;
		len += p->n_carry;
		p->n_carry = 0;
	}
	if (p->cd == (GIConv)-1)
		left = push_valid(&p->s, data, len, final);
	else
		left = push_converted(p, data, len, final);
	if (left > 0) {
		memcpy(p->carry, data + len - left, left);
		p->n_carry = left;
	}
	g_free(joined);
}

/* An encoding name iconv may be asked about. */
static gboolean
is_encoding_name(const char *name)
{
	gsize i;

	for (i = 0; name[i]; i++)
		if (!g_ascii_isalnum(name[i]) && !strchr("-_.:+()", name[i]))
			return FALSE;
	return i > 0 && i <= 64;
}

/* The encoding is known from the first bytes: hand them on. */
static void
head_done(MsnAbchParser *p, const char *data, gsize len)
{
	char *enc = declared_encoding(data, len);

	p->head_done = TRUE;
	if (enc) {
		if (is_encoding_name(enc))
			p->cd = g_iconv_open("UTF-8", enc);
		g_free(enc);
		if (p->cd == (GIConv)-1) {
			sax_abort(&p->s, g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY,
			          _("The address book's reply could not be read (its encoding is "
			            "not one this program knows).")));
			return;
		}
	}
	push_text(p, data, len, FALSE);
}

gboolean
msn_abch_parser_feed(MsnAbchParser *p, const char *data, gsize len)
{
	Sax *s = &p->s;

	if (!sax_going(s))
		return FALSE;
	if (len > MSN_ABCH_MAX_BODY - p->fed) {
		sax_abort(s, g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_TOO_LARGE,
		          _("The address book sent a reply larger than %d MiB."),
		          MSN_ABCH_MAX_BODY / (1024 * 1024)));
		return FALSE;
	}
	p->fed += len;
	/* Servers may put whitespace before the declaration. */
	if (!p->started) {
		while (len > 0 && g_ascii_isspace(*data)) {
			data++;
			len--;
		}
		if (len == 0)
			return TRUE;
		p->started = TRUE;
	}
	if (p->head_done)
		push_text(p, data, len, FALSE);
	else if (p->head == NULL && (len >= HEAD || memchr(data, '>', len)))
		head_done(p, data, len);
	else {
		if (p->head == NULL)
			p->head = g_byte_array_new();
		g_byte_array_append(p->head, (const guint8 *)data, (guint)len);
		if (p->head->len >= HEAD || memchr(p->head->data, '>', p->head->len)) {
			GByteArray *head = g_steal_pointer(&p->head);

			head_done(p, (const char *)head->data, head->len);
			g_byte_array_unref(head);
		}
	}
	return sax_going(s);
}

/* Ends the document: FALSE with error for an empty reply, or as
 * sax_end_document. */
static gboolean
parser_end(MsnAbchParser *p, GError **error)
{
	if (p->s.abort == NULL && !p->started) {
		g_set_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY,
		            _("The address book sent an empty reply."));
		return FALSE;
	}
	if (p->head) {
		GByteArray *head = g_steal_pointer(&p->head);

		head_done(p, (const char *)head->data, head->len);
		g_byte_array_unref(head);
	}
	push_text(p, NULL, 0, TRUE);
	return sax_end_document(&p->s, error);
}

/* The error for a reply with HTTP status outside 2xx: its fault, else one
 * from the status. */
static GError *
status_error(MsnAbchParser *p, guint status)
{
	GError *error = NULL;

	if (p->fed > 0 && !parser_end(p, &error) && error->domain == MSN_ABCH_ERROR &&
	    is_fault_code(error->code))
		return error;
	g_clear_error(&error);
	if (status == 403)
		return g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_TICKET_REFUSED,
		                   _("The address book refused the sign-in ticket (HTTP 403). "
		                     "Sign in again."));
	if (status >= 500)
		return g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_SERVER,
		                   _("The address book service failed (HTTP %u). Try again later."),
		                   status);
	return g_error_new(MSN_ABCH_ERROR, MSN_ABCH_ERROR_SERVER,
	                   _("The address book service answered HTTP %u. Check the address "
	                     "book URL in the account settings."), status);
}

static gboolean
status_ok(guint status)
{
	return status >= 200 && status < 300;
}

MsnAbchAddressBook *
msn_abch_parser_end_find_all(MsnAbchParser *p, guint status, GError **error)
{
	MsnAbchAddressBook *ab = NULL;

	g_return_val_if_fail(p != NULL && p->kind == PARSE_FIND_ALL, NULL);
	if (!status_ok(status))
		g_propagate_error(error, status_error(p, status));
	else if (parser_end(p, error)) {
		if (!p->f.saw_result)
			g_set_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY,
			            _("The address book's reply holds no address book."));
		else {
			ab = g_steal_pointer(&p->f.ab);
			notes_finish(ab->notes, p->f.n_notes);
		}
	}
	msn_abch_parser_free(p);
	return ab;
}

MsnAbchMemberships *
msn_abch_parser_end_find_membership(MsnAbchParser *p, guint status, GError **error)
{
	MsnAbchMemberships *m = NULL;

	g_return_val_if_fail(p != NULL && p->kind == PARSE_FIND_MEMBERSHIP, NULL);
	if (!status_ok(status))
		g_propagate_error(error, status_error(p, status));
	else if (parser_end(p, error)) {
		if (!p->m.saw_result)
			g_set_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY,
			            _("The sharing service's reply holds no contact lists."));
		else {
			m = g_steal_pointer(&p->m.res);
			notes_finish(m->notes, p->m.n_notes);
		}
	}
	msn_abch_parser_free(p);
	return m;
}

MsnAbchAddressBook *
msn_abch_parse_find_all(const char *xml, gsize len, GError **error)
{
	MsnAbchParser *p = parser_new(PARSE_FIND_ALL);

	if (xml)
		msn_abch_parser_feed(p, xml, len);
	return msn_abch_parser_end_find_all(p, 200, error);
}

MsnAbchMemberships *
msn_abch_parse_find_membership(const char *xml, gsize len, GError **error)
{
	MsnAbchParser *p = parser_new(PARSE_FIND_MEMBERSHIP);

	if (xml)
		msn_abch_parser_feed(p, xml, len);
	return msn_abch_parser_end_find_membership(p, 200, error);
}

gboolean
msn_abch_parse_result(const char *xml, gsize len, char **guid, GError **error)
{
	MsnAbchParser *p;
	gsize i;
	gboolean ok;

	if (guid)
		*guid = NULL;
	for (i = 0; xml && i < len && g_ascii_isspace(xml[i]); i++)
		;
	if (xml == NULL || i == len)
		return TRUE;
	p = parser_new(PARSE_RESULT);
	msn_abch_parser_feed(p, xml, len);
	ok = parser_end(p, error);
	if (ok && guid)
		*guid = g_steal_pointer(&p->r.guid);
	msn_abch_parser_free(p);
	return ok;
}

GError *
msn_abch_error_for_status(guint status, const char *body, gsize len)
{
	MsnAbchParser *p = parser_new(PARSE_PLAIN);
	GError *error;

	if (body && len > 0)
		msn_abch_parser_feed(p, body, len);
	error = status_error(p, status);
	msn_abch_parser_free(p);
	return error;
}

/* ---- requests ---- */

const char *
msn_abch_op_soap_action(MsnAbchOp op)
{
	switch (op) {
	case MSN_ABCH_FIND_ALL: return ACTION_BASE "ABFindAll";
	case MSN_ABCH_FIND_MEMBERSHIP: return ACTION_BASE "FindMembership";
	case MSN_ABCH_CONTACT_ADD: return ACTION_BASE "ABContactAdd";
	case MSN_ABCH_CONTACT_DELETE: return ACTION_BASE "ABContactDelete";
	case MSN_ABCH_CONTACT_UPDATE: return ACTION_BASE "ABContactUpdate";
	case MSN_ABCH_GROUP_ADD: return ACTION_BASE "ABGroupAdd";
	case MSN_ABCH_GROUP_UPDATE: return ACTION_BASE "ABGroupUpdate";
	case MSN_ABCH_GROUP_DELETE: return ACTION_BASE "ABGroupDelete";
	case MSN_ABCH_GROUP_CONTACT_ADD: return ACTION_BASE "ABGroupContactAdd";
	case MSN_ABCH_GROUP_CONTACT_DELETE: return ACTION_BASE "ABGroupContactDelete";
	case MSN_ABCH_ADD_MEMBER: return ACTION_BASE "AddMember";
	case MSN_ABCH_DELETE_MEMBER: return ACTION_BASE "DeleteMember";
	}
	return ACTION_BASE "ABFindAll";
}

gboolean
msn_abch_op_is_sharing(MsnAbchOp op)
{
	return op == MSN_ABCH_FIND_MEMBERSHIP || op == MSN_ABCH_ADD_MEMBER ||
	       op == MSN_ABCH_DELETE_MEMBER;
}

static const char *
scenario_name(MsnAbchScenario sc)
{
	switch (sc) {
	case MSN_ABCH_SCENARIO_INITIAL: return "Initial";
	case MSN_ABCH_SCENARIO_TIMER: return "Timer";
	case MSN_ABCH_SCENARIO_CONTACT_SAVE: return "ContactSave";
	case MSN_ABCH_SCENARIO_GROUP_SAVE: return "GroupSave";
	case MSN_ABCH_SCENARIO_BLOCK_UNBLOCK: return "BlockUnblock";
	case MSN_ABCH_SCENARIO_CONTACT_MSGR_API: return "ContactMsgrAPI";
	case MSN_ABCH_SCENARIO_MESSENGER_PENDING_LIST: return "MessengerPendingList";
	}
	return "Initial";
}

static const char *
role_name(guint role)
{
	switch (role) {
	case MSN_ADL_AL: return "Allow";
	case MSN_ADL_BL: return "Block";
	case MSN_ADL_RL: return "Reverse";
	case MSN_ADL_PL: return "Pending";
	default: return NULL;
	}
}

/* Valid UTF-8 without the control characters XML 1.0 cannot carry. */
static char *
clean_text(const char *s)
{
	char *valid = g_utf8_make_valid(s, -1);
	char *r, *w;

	for (r = w = valid; *r; r++)
		if ((guchar)*r >= 0x20 || *r == '\t' || *r == '\n' || *r == '\r')
			*w++ = *r;
	*w = '\0';
	return valid;
}

/* A child element with escaped text. */
static xmlNodePtr
text_child(xmlNodePtr parent, const char *name, const char *value)
{
	char *clean = clean_text(value);
	xmlNodePtr node = xmlNewTextChild(parent, parent->ns, BAD_CAST name, BAD_CAST clean);

	g_free(clean);
	return node;
}

static xmlNodePtr
child(xmlNodePtr parent, const char *name)
{
	return xmlNewChild(parent, parent->ns, BAD_CAST name, NULL);
}

typedef struct {
	xmlDocPtr doc;
	xmlNodePtr action;     /* the Body's element, in the AddressBook namespace */
	xmlNsPtr xsi;
} Request;

static void
request_begin(Request *rq, const char *ticket, MsnAbchScenario sc, const char *action)
{
	xmlNodePtr env, header, app, auth, body;
	xmlNsPtr soap;

	rq->doc = xmlNewDoc(BAD_CAST "1.0");
	env = xmlNewNode(NULL, BAD_CAST "Envelope");
	xmlDocSetRootElement(rq->doc, env);
	soap = xmlNewNs(env, BAD_CAST NS_SOAP, BAD_CAST "soap");
	xmlSetNs(env, soap);
	rq->xsi = xmlNewNs(env, BAD_CAST NS_XSI, BAD_CAST "xsi");
	xmlNewNs(env, BAD_CAST NS_XSD, BAD_CAST "xsd");
	xmlNewNs(env, BAD_CAST NS_SOAPENC, BAD_CAST "soapenc");

	header = xmlNewChild(env, soap, BAD_CAST "Header", NULL);
	app = xmlNewChild(header, NULL, BAD_CAST "ABApplicationHeader", NULL);
	xmlSetNs(app, xmlNewNs(app, BAD_CAST NS_AB, NULL));
	text_child(app, "ApplicationId", APPLICATION_ID);
	text_child(app, "IsMigration", "false");
	text_child(app, "PartnerScenario", scenario_name(sc));
	auth = xmlNewChild(header, NULL, BAD_CAST "ABAuthHeader", NULL);
	xmlSetNs(auth, xmlNewNs(auth, BAD_CAST NS_AB, NULL));
	text_child(auth, "ManagedGroupRequest", "false");
	/* An empty TicketToken would defeat the cookie: leave it out instead. */
	if (ticket && *ticket)
		text_child(auth, "TicketToken", ticket);

	body = xmlNewChild(env, soap, BAD_CAST "Body", NULL);
	rq->action = xmlNewChild(body, NULL, BAD_CAST action, NULL);
	xmlSetNs(rq->action, xmlNewNs(rq->action, BAD_CAST NS_AB, NULL));
}

static char *
request_end(Request *rq)
{
	xmlChar *out = NULL;
	int len = 0;
	char *result;

	xmlDocDumpMemoryEnc(rq->doc, &out, &len, "UTF-8");
	result = g_strndup((const char *)out, (gsize)len);
	if (out) {
		/* The ticket is a credential. */
		memset(out, 0, (size_t)len);
		xmlFree(out);
	}
	xmlFreeDoc(rq->doc);
	return result;
}

static gboolean
given(const char *s)
{
	return s != NULL && *s != '\0';
}

char *
msn_abch_build_find_all(const char *ticket, MsnAbchScenario scenario)
{
	Request rq;

	request_begin(&rq, ticket, scenario, "ABFindAll");
	text_child(rq.action, "abId", OWN_AB_ID);
	text_child(rq.action, "abView", "Full");
	/* Escargot refuses deltas (FullSyncRequired): always the whole list. */
	text_child(rq.action, "deltasOnly", "false");
	text_child(rq.action, "lastChange", NEVER);
	return request_end(&rq);
}

char *
msn_abch_build_find_membership(const char *ticket, MsnAbchScenario scenario)
{
	Request rq;
	xmlNodePtr types;

	request_begin(&rq, ticket, scenario, "FindMembership");
	types = child(child(rq.action, "serviceFilter"), "Types");
	text_child(types, "ServiceType", "Messenger");
	return request_end(&rq);
}

char *
msn_abch_build_contact_add(const char *ticket, const char *handle, guint network,
                           const char *display_name)
{
	Request rq;
	xmlNodePtr info;

	if (!given(handle))
		return NULL;
	request_begin(&rq, ticket, MSN_ABCH_SCENARIO_CONTACT_SAVE, "ABContactAdd");
	text_child(rq.action, "abId", OWN_AB_ID);
	info = child(child(child(rq.action, "contacts"), "Contact"), "contactInfo");
	if (network == MSN_NETWORK_YAHOO) {
		xmlNodePtr email = child(child(info, "emails"), "ContactEmail");

		text_child(email, "contactEmailType", "Messenger2");
		text_child(email, "email", handle);
		text_child(email, "isMessengerEnabled", "true");
		text_child(info, "contactType", "LivePending");
	} else {
		text_child(info, "contactType", "LivePending");
		text_child(info, "passportName", handle);
	}
	if (given(display_name))
		text_child(info, "displayName", display_name);
	text_child(info, "isMessengerUser", "true");
	text_child(child(rq.action, "options"), "EnableAllowListManagement", "true");
	return request_end(&rq);
}

char *
msn_abch_build_contact_delete(const char *ticket, const char *contact_guid)
{
	Request rq;

	if (!given(contact_guid))
		return NULL;
	request_begin(&rq, ticket, MSN_ABCH_SCENARIO_TIMER, "ABContactDelete");
	text_child(rq.action, "abId", OWN_AB_ID);
	text_child(child(child(rq.action, "contacts"), "Contact"), "contactId", contact_guid);
	return request_end(&rq);
}

static void
annotation(xmlNodePtr annotations, const char *name, const char *value)
{
	xmlNodePtr a = child(annotations, "Annotation");

	text_child(a, "Name", name);
	text_child(a, "Value", value);
}

char *
msn_abch_build_me_update(const char *ticket, const char *display_name, guint blp, char gtc)
{
	Request rq;
	xmlNodePtr contact, info;
	GString *changed;
	gboolean annotate;

	if (blp != 0 && blp != MSN_ADL_AL && blp != MSN_ADL_BL)
		blp = 0;
	if (gtc != 'A' && gtc != 'N')
		gtc = 0;
	annotate = blp || gtc;
	if (display_name == NULL && !annotate)
		return NULL;
	request_begin(&rq, ticket, MSN_ABCH_SCENARIO_CONTACT_SAVE, "ABContactUpdate");
	text_child(rq.action, "abId", OWN_AB_ID);
	contact = child(child(rq.action, "contacts"), "Contact");
	info = child(contact, "contactInfo");
	changed = g_string_new(NULL);
	/* Schema order: annotations, contactType, displayName. */
	if (annotate) {
		xmlNodePtr list = child(info, "annotations");

		if (blp)
			annotation(list, "MSN.IM.BLP", blp == MSN_ADL_AL ? "1" : "2");
		if (gtc)
			annotation(list, "MSN.IM.GTC", gtc == 'A' ? "1" : "2");
	}
	text_child(info, "contactType", "Me");
	if (display_name) {
		text_child(info, "displayName", display_name);
		g_string_append(changed, "DisplayName");
	}
	if (annotate)
		g_string_append(changed, changed->len ? " Annotation" : "Annotation");
	text_child(contact, "propertiesChanged", changed->str);
	g_string_free(changed, TRUE);
	return request_end(&rq);
}

char *
msn_abch_build_group_add(const char *ticket, const char *name)
{
	Request rq;
	xmlNodePtr info;

	if (!given(name))
		return NULL;
	request_begin(&rq, ticket, MSN_ABCH_SCENARIO_GROUP_SAVE, "ABGroupAdd");
	text_child(rq.action, "abId", OWN_AB_ID);
	text_child(child(rq.action, "groupAddOptions"), "fRenameOnMsgrConflict", "false");
	info = child(child(rq.action, "groupInfo"), "GroupInfo");
	text_child(info, "name", name);
	text_child(info, "groupType", GROUP_TYPE_C);
	text_child(info, "fMessenger", "false");
	annotation(child(info, "annotations"), "MSN.IM.Display", "1");
	return request_end(&rq);
}

char *
msn_abch_build_group_update(const char *ticket, const char *group_guid, const char *name)
{
	Request rq;
	xmlNodePtr group;

	if (!given(group_guid) || !given(name))
		return NULL;
	request_begin(&rq, ticket, MSN_ABCH_SCENARIO_TIMER, "ABGroupUpdate");
	text_child(rq.action, "abId", OWN_AB_ID);
	group = child(child(rq.action, "groups"), "Group");
	text_child(group, "groupId", group_guid);
	text_child(child(group, "groupInfo"), "name", name);
	text_child(group, "propertiesChanged", "GroupName");
	return request_end(&rq);
}

static void
group_filter(xmlNodePtr action, const char *group_guid)
{
	text_child(child(child(action, "groupFilter"), "groupIds"), "guid", group_guid);
}

char *
msn_abch_build_group_delete(const char *ticket, const char *group_guid)
{
	Request rq;

	if (!given(group_guid))
		return NULL;
	request_begin(&rq, ticket, MSN_ABCH_SCENARIO_TIMER, "ABGroupDelete");
	text_child(rq.action, "abId", OWN_AB_ID);
	group_filter(rq.action, group_guid);
	return request_end(&rq);
}

char *
msn_abch_build_group_contact_add(const char *ticket, const char *group_guid,
                                 const char *contact_guid)
{
	Request rq;

	if (!given(group_guid) || !given(contact_guid))
		return NULL;
	request_begin(&rq, ticket, MSN_ABCH_SCENARIO_CONTACT_SAVE, "ABGroupContactAdd");
	text_child(rq.action, "abId", OWN_AB_ID);
	group_filter(rq.action, group_guid);
	text_child(child(child(rq.action, "contacts"), "Contact"), "contactId", contact_guid);
	return request_end(&rq);
}

char *
msn_abch_build_group_contact_delete(const char *ticket, const char *group_guid,
                                    const char *contact_guid)
{
	Request rq;

	if (!given(group_guid) || !given(contact_guid))
		return NULL;
	request_begin(&rq, ticket, MSN_ABCH_SCENARIO_TIMER, "ABGroupContactDelete");
	text_child(rq.action, "abId", OWN_AB_ID);
	text_child(child(child(rq.action, "contacts"), "Contact"), "contactId", contact_guid);
	group_filter(rq.action, group_guid);
	return request_end(&rq);
}

char *
msn_abch_build_member(gboolean add, const char *ticket, guint role, const char *handle,
                      guint network)
{
	Request rq;
	xmlNodePtr handle_node, membership, member;
	const char *rname = role_name(role);
	gboolean email = network == MSN_NETWORK_YAHOO;

	if (rname == NULL || !given(handle))
		return NULL;
	request_begin(&rq, ticket,
	              (role == MSN_ADL_AL || role == MSN_ADL_BL) ? MSN_ABCH_SCENARIO_BLOCK_UNBLOCK :
	                                                           MSN_ABCH_SCENARIO_CONTACT_MSGR_API,
	              add ? "AddMember" : "DeleteMember");
	handle_node = child(rq.action, "serviceHandle");
	text_child(handle_node, "Id", "0");
	text_child(handle_node, "Type", "Messenger");
	text_child(handle_node, "ForeignId", "");
	membership = child(child(rq.action, "memberships"), "Membership");
	text_child(membership, "MemberRole", rname);
	member = child(child(membership, "Members"), "Member");
	xmlNewNsProp(member, rq.xsi, BAD_CAST "type",
	             BAD_CAST (email ? "EmailMember" : "PassportMember"));
	text_child(member, "Type", email ? "Email" : "Passport");
	text_child(member, "State", "Accepted");
	if (email) {
		annotation(child(member, "Annotations"), "MSN.IM.BuddyType", "32:");
		text_child(member, "Email", handle);
	} else
		text_child(member, "PassportName", handle);
	return request_end(&rq);
}

/* RFC 6265 cookie-octet. */
static gboolean
cookie_octet(guchar c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
	       (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

char *
msn_abch_ticket_cookie(const char *ticket)
{
	const char *start, *end, *p;

	if (ticket == NULL)
		return NULL;
	start = g_str_has_prefix(ticket, "t=") ? ticket + 2 : ticket;
	end = strstr(start, "&p=");
	if (end == NULL)
		end = start + strlen(start);
	if (end == start)
		return NULL;
	for (p = start; p < end; p++)
		if (!cookie_octet((guchar)*p))
			return NULL;
	return g_strndup(start, (gsize)(end - start));
}
