/* Unit tests for src/soap/abch-xml.c: the ABCH / Sharing SOAP documents.
 *
 * The replies are written after protocol/contacts.md §6 in the shape
 * Escargot sends (tabs, ServiceHeader, Me contact last, Info after the
 * Memberships), plus odd data a server may send. */
#include <string.h>

#include <libxml/parser.h>

#include "soap/abch-xml.h"

#define ENV_OPEN \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" \
	"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" " \
	"xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" " \
	"xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\n" \
	"\t<soap:Header>\n\t\t<ServiceHeader xmlns=\"http://www.msn.com/webservices/AddressBook\">\n" \
	"\t\t\t<Version>15.01.1408.0000</Version>\n\t\t\t<CacheKey>12r1:abc</CacheKey>\n" \
	"\t\t\t<CacheKeyChanged>true</CacheKeyChanged>\n\t\t</ServiceHeader>\n\t</soap:Header>\n" \
	"\t<soap:Body>\n"
#define ENV_CLOSE "\t</soap:Body>\n</soap:Envelope>"

#define G_WORK    "5c2f0b4e-7a1d-4c39-9e31-0a6d3c7f1b22"
#define G_FAMILY  "0b6d7c1e-2a3b-4c5d-8e9f-a0b1c2d3e4f5"
#define C_BOB     "8e1c7a52-3f3e-4bb1-9a53-1f0c2d9b6a10"

/* One Contact as Escargot's contact_entry renders it. */
static void
append_contact(GString *s, const char *guid, const char *type, const char *passport,
               const char *display, const char *groups_xml, const char *extra_info,
               const char *messenger, const char *deleted)
{
	g_string_append_printf(s,
		"\t\t\t\t\t\t<Contact>\n"
		"\t<contactId>%s</contactId>\n"
		"\t<contactInfo>%s"
		"<contactType>%s</contactType>\n"
		"\t\t<quickName>%s</quickName>",
		guid, extra_info ? extra_info : "", type, display ? display : "");
	if (passport)
		g_string_append_printf(s, "<passportName>%s</passportName>"
		                       "<IsPassportNameHidden>false</IsPassportNameHidden>", passport);
	if (display)
		g_string_append_printf(s, "<displayName>%s</displayName>", display);
	g_string_append_printf(s,
		"<puid>0</puid>%s<CID>-123456789</CID>\n"
		"\t\t<IsNotMobileVisible>false</IsNotMobileVisible>\n"
		"\t\t<isMobileIMEnabled>false</isMobileIMEnabled>\n"
		"\t\t<isMessengerUser>%s</isMessengerUser>\n"
		"\t\t<isFavorite>false</isFavorite><isSmtp>false</isSmtp><hasSpace>false</hasSpace>"
		"<spotWatchState>NoDevice</spotWatchState><birthdate>0001-01-01T00:00:00</birthdate>"
		"<primaryEmailType>ContactEmailPersonal</primaryEmailType>"
		"<PrimaryLocation>ContactLocationPersonal</PrimaryLocation>"
		"<PrimaryPhone>ContactPhonePersonal</PrimaryPhone><IsPrivate>false</IsPrivate>"
		"<Gender>Unspecified</Gender><TimeZone>None</TimeZone>\n"
		"\t</contactInfo>\n\t<propertiesChanged />\n\t<fDeleted>%s</fDeleted>\n"
		"\t<lastChange>2024-01-02T03:04:05Z</lastChange></Contact>\n",
		groups_xml ? groups_xml : "", messenger, deleted);
}

static void
append_group(GString *s, const char *guid, const char *name_xml)
{
	g_string_append_printf(s,
		"\t<Group>\n\t\t<groupId>%s</groupId>\n\t\t<groupInfo>\n"
		"\t\t\t<annotations><Annotation><Name>MSN.IM.Display</Name><Value>1</Value>"
		"</Annotation></annotations>\n"
		"\t\t\t<groupType>c8529ce2-6ead-434d-881f-341e17db3ff8</groupType>\n"
		"\t\t\t%s\n\t\t\t<IsNotMobileVisible>false</IsNotMobileVisible>"
		"<IsPrivate>false</IsPrivate><IsFavorite>false</IsFavorite>\n"
		"\t\t</groupInfo>\n\t\t<propertiesChanged />\n\t\t<fDeleted>false</fDeleted>\n"
		"\t\t<lastChange>2024-01-02T03:04:05Z</lastChange>\n\t</Group>\n",
		guid, name_xml);
}

#define ME_CONTACT \
	"\t<Contact>\n\t\t<contactId>aaaaaaaa-0000-0000-0000-000000000001</contactId>\n" \
	"\t\t<contactInfo>\n\t\t\t<annotations>\n" \
	"\t\t\t\t<Annotation><Name>MSN.IM.MBEA</Name><Value>0</Value></Annotation>\n" \
	"\t\t\t\t<Annotation><Name>MSN.IM.GTC</Name><Value>1</Value></Annotation>\n" \
	"\t\t\t\t<Annotation><Name>MSN.IM.BLP</Name><Value>2</Value></Annotation>\n" \
	"\t\t\t</annotations>\n\t\t\t<contactType>Me</contactType>\n" \
	"\t\t\t<quickName>Me &amp; Myself</quickName>\n" \
	"\t\t\t<passportName>Me@Example.com</passportName>\n" \
	"\t\t\t<IsPassportNameHidden>false</IsPassportNameHidden>\n" \
	"\t\t\t<displayName>Me &amp; Myself</displayName>\n" \
	"\t\t\t<puid>0</puid><CID>42</CID>\n" \
	"\t\t\t<isMessengerUser>false</isMessengerUser>\n" \
	"\t\t</contactInfo>\n\t\t<propertiesChanged />\n\t\t<fDeleted>false</fDeleted>\n" \
	"\t</Contact>\n"

#define AB_TAIL \
	"\t\t\t\t<ab><abId>00000000-0000-0000-0000-000000000000</abId>" \
	"<abInfo><ownerEmail>me@example.com</ownerEmail></abInfo>" \
	"<lastChange>2024-01-02T03:04:05Z</lastChange></ab>\n"

static MsnAbchAddressBook *
parse_ab_ok(const GString *doc)
{
	GError *error = NULL;
	MsnAbchAddressBook *ab = msn_abch_parse_find_all(doc->str, doc->len, &error);

	g_assert_no_error(error);
	g_assert_nonnull(ab);
	return ab;
}

static MsnAbchContact *
lookup_contact(MsnAbchAddressBook *ab, const char *handle)
{
	guint i;

	for (i = 0; i < ab->contacts->len; i++) {
		MsnAbchContact *c = ab->contacts->pdata[i];

		if (strcmp(c->handle, handle) == 0)
			return c;
	}
	return NULL;
}

/* The contact, which must be there. */
static MsnAbchContact *
find_contact(MsnAbchAddressBook *ab, const char *handle)
{
	MsnAbchContact *c = lookup_contact(ab, handle);

	if (c == NULL)
		g_error("no contact %s", handle);
	return c;
}

static gboolean
has_note(GPtrArray *notes, const char *part)
{
	guint i;

	for (i = 0; i < notes->len; i++)
		if (strstr(notes->pdata[i], part))
			return TRUE;
	return FALSE;
}

static void
test_find_all_escargot(void)
{
	GString *doc = g_string_new(ENV_OPEN
		"\t\t<ABFindAllResponse xmlns=\"http://www.msn.com/webservices/AddressBook\">\n"
		"\t\t\t<ABFindAllResult><groups>\n");
	MsnAbchAddressBook *ab;
	MsnAbchContact *c;
	MsnAbchGroup *g;

	append_group(doc, G_WORK, "<name>Work</name>");
	append_group(doc, G_FAMILY, "<name>Friends &amp; Family</name>");
	g_string_append(doc, "</groups><contacts>");
	append_contact(doc, C_BOB, "Regular", "Bob@Example.com", "Bob B.",
	               "<groupIds>\n\t\t\t\t<guid>" G_WORK "</guid>\n\t\t\t\t<guid>" G_FAMILY
	               "</guid>\n\t\t\t</groupIds>", NULL, "true", "false");
	append_contact(doc, "c0000000-0000-0000-0000-000000000002", "Live", "carol@hotmail.com",
	               "Carol", NULL,
	               "<phones><ContactPhone><contactPhoneType>ContactPhonePersonal</contactPhoneType>"
	               "<number>555 1234</number><isMessengerEnabled>false</isMessengerEnabled>"
	               "</ContactPhone><ContactPhone><contactPhoneType>ContactPhoneMobile"
	               "</contactPhoneType><number>555 9876</number><isMessengerEnabled>false"
	               "</isMessengerEnabled></ContactPhone></phones>",
	               "true", "false");
	/* Yahoo (MSNP14): e-mail only, Messenger2 */
	append_contact(doc, "c0000000-0000-0000-0000-000000000003", "LivePending", NULL,
	               "Yahoo Pal", NULL,
	               "<emails><ContactEmail><contactEmailType>ContactEmailPersonal</contactEmailType>"
	               "<email>home@example.org</email><isMessengerEnabled>false</isMessengerEnabled>"
	               "</ContactEmail><ContactEmail><contactEmailType>Messenger2</contactEmailType>"
	               "<email>Pal@Yahoo.com</email><isMessengerEnabled>true</isMessengerEnabled>"
	               "<Capability>0</Capability></ContactEmail></emails>",
	               "true", "false");
	/* a mobile-only contact: kept as network 4 */
	append_contact(doc, "c0000000-0000-0000-0000-000000000004", "Regular", NULL, "Phone Pal",
	               NULL,
	               "<phones><ContactPhone><contactPhoneType>ContactPhoneMobile</contactPhoneType>"
	               "<number>+15551111222</number><isMessengerEnabled>true</isMessengerEnabled>"
	               "</ContactPhone></phones>",
	               "true", "false");
	append_contact(doc, "c0000000-0000-0000-0000-000000000005", "Regular", "book@example.com",
	               "Just An Entry", NULL, NULL, "false", "false");
	append_contact(doc, "c0000000-0000-0000-0000-000000000006", "Regular", "gone@example.com",
	               "Gone", NULL, NULL, "true", "true");
	g_string_append(doc, ME_CONTACT "</contacts>\n" AB_TAIL
	                "\t\t\t</ABFindAllResult>\n\t\t</ABFindAllResponse>\n" ENV_CLOSE);

	ab = parse_ab_ok(doc);
	g_assert_cmpuint(ab->groups->len, ==, 2);
	g = ab->groups->pdata[0];
	g_assert_cmpstr(g->guid, ==, G_WORK);
	g_assert_cmpstr(g->name, ==, "Work");
	g = ab->groups->pdata[1];
	g_assert_cmpstr(g->name, ==, "Friends & Family");

	g_assert_cmpuint(ab->contacts->len, ==, 5);
	c = ab->contacts->pdata[0];
	g_assert_cmpstr(c->guid, ==, C_BOB);
	g_assert_cmpstr(c->handle, ==, "bob@example.com");      /* lower-cased */
	g_assert_cmpstr(c->display_name, ==, "Bob B.");
	g_assert_cmpuint(c->network, ==, MSN_NETWORK_PASSPORT);
	g_assert_cmpint(c->type, ==, MSN_ABCH_CONTACT_REGULAR);
	g_assert_true(c->is_messenger_user);
	g_assert_nonnull(c->group_guids);
	g_assert_cmpstr(c->group_guids[0], ==, G_WORK);
	g_assert_cmpstr(c->group_guids[1], ==, G_FAMILY);
	g_assert_null(c->group_guids[2]);
	g_assert_null(c->phone_home);

	c = find_contact(ab, "carol@hotmail.com");
	g_assert_nonnull(c);
	g_assert_null(c->group_guids);
	g_assert_cmpint(c->type, ==, MSN_ABCH_CONTACT_LIVE);
	g_assert_cmpstr(c->phone_home, ==, "555 1234");
	g_assert_cmpstr(c->phone_mobile, ==, "555 9876");
	g_assert_null(c->phone_work);

	c = find_contact(ab, "pal@yahoo.com");
	g_assert_nonnull(c);
	g_assert_cmpuint(c->network, ==, MSN_NETWORK_YAHOO);
	g_assert_cmpint(c->type, ==, MSN_ABCH_CONTACT_LIVE_PENDING);

	c = find_contact(ab, "tel:+15551111222");
	g_assert_nonnull(c);
	g_assert_cmpuint(c->network, ==, MSN_NETWORK_PHONE);
	g_assert_cmpstr(c->phone_mobile, ==, "+15551111222");

	c = find_contact(ab, "book@example.com");
	g_assert_nonnull(c);
	g_assert_false(c->is_messenger_user);
	g_assert_null(lookup_contact(ab, "gone@example.com"));   /* fDeleted */
	g_assert_null(lookup_contact(ab, "me@example.com"));     /* Me is apart */

	g_assert_cmpstr(ab->me_guid, ==, "aaaaaaaa-0000-0000-0000-000000000001");
	g_assert_cmpstr(ab->me_handle, ==, "me@example.com");
	g_assert_cmpstr(ab->me_display_name, ==, "Me & Myself");
	g_assert_cmpuint(ab->blp, ==, MSN_ADL_BL);
	g_assert_cmpint(ab->gtc, ==, 'A');
	g_assert_cmpuint(ab->notes->len, ==, 0);
	msn_abch_address_book_free(ab);
	g_string_free(doc, TRUE);
}

/* A minimal address book: other prefixes, no Me, no groups element. */
static void
test_find_all_minimal(void)
{
	static const char doc[] =
		"\n\n  <?xml version=\"1.0\"?><S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\">"
		"<S:Body><ab:ABFindAllResponse xmlns:ab=\"http://www.msn.com/webservices/AddressBook\">"
		"<ab:ABFindAllResult><ab:contacts><ab:Contact><ab:contactInfo>"
		"<ab:passportName>x@y.com</ab:passportName></ab:contactInfo></ab:Contact>"
		"</ab:contacts></ab:ABFindAllResult></ab:ABFindAllResponse></S:Body></S:Envelope>";
	static const char empty[] =
		"<Envelope><Body><ABFindAllResponse><ABFindAllResult/></ABFindAllResponse></Body>"
		"</Envelope>";
	GError *error = NULL;
	MsnAbchAddressBook *ab = msn_abch_parse_find_all(doc, strlen(doc), &error);
	MsnAbchContact *c;

	g_assert_no_error(error);
	g_assert_cmpuint(ab->contacts->len, ==, 1);
	c = ab->contacts->pdata[0];
	g_assert_cmpstr(c->handle, ==, "x@y.com");
	g_assert_null(c->guid);
	g_assert_null(c->display_name);
	g_assert_false(c->is_messenger_user);
	g_assert_cmpint(c->type, ==, MSN_ABCH_CONTACT_OTHER);
	g_assert_null(ab->me_guid);
	g_assert_cmpuint(ab->blp, ==, 0);
	g_assert_cmpint(ab->gtc, ==, 0);
	msn_abch_address_book_free(ab);

	ab = msn_abch_parse_find_all(empty, strlen(empty), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(ab->contacts->len, ==, 0);
	g_assert_cmpuint(ab->groups->len, ==, 0);
	msn_abch_address_book_free(ab);
}

static void
test_find_all_odd(void)
{
	GString *doc = g_string_new(ENV_OPEN
		"<ABFindAllResponse xmlns=\"http://www.msn.com/webservices/AddressBook\">"
		"<ABFindAllResult><groups>");
	g_autofree char *long_name = g_strnfill(MSN_ABCH_MAX_TEXT + 500, 'n');
	g_autofree char *long_xml = g_strdup_printf("<displayName>%s</displayName>", long_name);
	MsnAbchAddressBook *ab;
	MsnAbchContact *c;
	MsnAbchGroup *g;

	append_group(doc, G_WORK, "<name></name>");                  /* empty name */
	append_group(doc, G_WORK, "<name>Second Work</name>");       /* duplicate GUID */
	g_string_append(doc, "<Group><groupInfo><name>No Id</name></groupInfo></Group>");
	append_group(doc, G_FAMILY, "");                             /* no name at all */
	g_string_append(doc, "</groups><contacts>");
	/* in a group that does not exist, and twice in the same one */
	append_contact(doc, C_BOB, "Regular", "bob@example.com", "",
	               "<groupIds><guid>ffffffff-0000-0000-0000-00000000dead</guid><guid>"
	               G_WORK "</guid><guid>" G_WORK "</guid></groupIds>", NULL, "true", "false");
	/* duplicates: same GUID, then same handle in another case */
	append_contact(doc, C_BOB, "Regular", "other@example.com", "Dup Guid", NULL, NULL,
	               "true", "false");
	append_contact(doc, "c0000000-0000-0000-0000-000000000009", "Regular", "BOB@example.com",
	               "Dup Handle", NULL, NULL, "true", "false");
	/* no handle of any kind */
	append_contact(doc, "c0000000-0000-0000-0000-00000000000a", "Regular", NULL, "Nobody",
	               NULL, NULL, "true", "false");
	/* invalid UTF-8 in a name, an over-long name */
	append_contact(doc, "c0000000-0000-0000-0000-00000000000b", "Regular", "utf@example.com",
	               "caf\xe9 \xff\xfe ok", NULL, NULL, "true", "false");
	g_string_append_printf(doc, "<Contact><contactId>c0000000-0000-0000-0000-00000000000c"
	                       "</contactId><contactInfo><passportName>long@example.com"
	                       "</passportName>%s<unknownElement><deeper><guid>x</guid></deeper>"
	                       "</unknownElement></contactInfo></Contact>", long_xml);
	/* a contact without contactInfo, and a bare element soup */
	g_string_append(doc, "<Contact><contactId>c0000000-0000-0000-0000-00000000000d</contactId>"
	                "</Contact><Contact/><Contact><contactInfo/></Contact>");
	g_string_append(doc, ME_CONTACT ME_CONTACT "</contacts>"
	                "</ABFindAllResult></ABFindAllResponse>" ENV_CLOSE);

	ab = parse_ab_ok(doc);
	g_assert_cmpuint(ab->groups->len, ==, 2);
	g = ab->groups->pdata[0];
	g_assert_cmpstr(g->guid, ==, G_WORK);
	g_assert_cmpstr(g->name, ==, "");
	g = ab->groups->pdata[1];
	g_assert_cmpstr(g->guid, ==, G_FAMILY);
	g_assert_cmpstr(g->name, ==, "");

	g_assert_cmpuint(ab->contacts->len, ==, 3);
	c = ab->contacts->pdata[0];
	g_assert_cmpstr(c->handle, ==, "bob@example.com");
	g_assert_null(c->display_name);                          /* empty → NULL */
	g_assert_cmpstr(c->group_guids[0], ==, "ffffffff-0000-0000-0000-00000000dead");
	g_assert_cmpstr(c->group_guids[1], ==, G_WORK);
	g_assert_null(c->group_guids[2]);                        /* repeat dropped */

	c = find_contact(ab, "utf@example.com");
	g_assert_nonnull(c);
	g_assert_true(g_utf8_validate(c->display_name, -1, NULL));
	g_assert_cmpstr(c->display_name, ==, "caf\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd ok");

	c = find_contact(ab, "long@example.com");
	g_assert_nonnull(c);
	g_assert_cmpuint(strlen(c->display_name), ==, MSN_ABCH_MAX_TEXT);

	g_assert_true(has_note(ab->notes, "duplicate group " G_WORK));
	g_assert_true(has_note(ab->notes, "without groupId"));
	g_assert_true(has_note(ab->notes, "duplicate contact other@example.com"));
	g_assert_true(has_note(ab->notes, "duplicate contact bob@example.com"));
	g_assert_true(has_note(ab->notes, "no passport name"));
	g_assert_true(has_note(ab->notes, "second Me"));
	g_assert_cmpstr(ab->me_display_name, ==, "Me & Myself");
	msn_abch_address_book_free(ab);
	g_string_free(doc, TRUE);
}

static void
test_find_all_bad(void)
{
	static const char *const bad[] = {
		"",
		"   \n\t",
		"this is not XML",
		"<html><body>Service Unavailable</body></html>",
		"<Envelope><Body><ABFindAllResponse><ABFindAllResult><contacts>",  /* cut short */
		"<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY a \"aaaaaaaa\"><!ENTITY b "
		"\"&a;&a;&a;&a;&a;&a;&a;&a;\">]><Envelope><Body><ABFindAllResponse><ABFindAllResult>"
		"<contacts><Contact><contactInfo><passportName>&b;</passportName></contactInfo>"
		"</Contact></contacts></ABFindAllResult></ABFindAllResponse></Body></Envelope>",
		"<Envelope><Body><x>&undefined;</x></Body></Envelope>",
		"<Envelope><Body><ABFindAllResponse/></Body></Envelope><second/>",
	};
	GError *error = NULL;
	gsize i;
	char *huge;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_null(msn_abch_parse_find_all(bad[i], strlen(bad[i]), &error));
		g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY);
		g_assert_true(g_utf8_validate(error->message, -1, NULL));
		g_test_message("%s", error->message);
		g_clear_error(&error);
		g_assert_null(msn_abch_parse_find_membership(bad[i], strlen(bad[i]), &error));
		g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY);
		g_clear_error(&error);
	}
	g_assert_null(msn_abch_parse_find_all(NULL, 0, &error));
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY);
	g_clear_error(&error);

	/* no address book in a well-formed reply */
	g_assert_null(msn_abch_parse_find_all("<Envelope><Body/></Envelope>", 28, &error));
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY);
	g_clear_error(&error);

	/* over the limit: refused before reading */
	huge = g_malloc(MSN_ABCH_MAX_BODY + 1);
	memset(huge, ' ', 16);
	g_assert_null(msn_abch_parse_find_all(huge, MSN_ABCH_MAX_BODY + 1, &error));
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_TOO_LARGE);
	g_clear_error(&error);
	g_free(huge);
}

/* A declared Latin-1 document is decoded, not "repaired". */
static void
test_find_all_latin1(void)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Envelope><Body><ABFindAllResponse>"
		"<ABFindAllResult><groups><Group><groupId>g</groupId><groupInfo><name>Caf\xe9</name>"
		"</groupInfo></Group></groups></ABFindAllResult></ABFindAllResponse></Body></Envelope>";
	GError *error = NULL;
	MsnAbchAddressBook *ab = msn_abch_parse_find_all(doc, strlen(doc), &error);

	g_assert_no_error(error);
	g_assert_cmpstr(((MsnAbchGroup *)ab->groups->pdata[0])->name, ==, "Caf\xc3\xa9");
	msn_abch_address_book_free(ab);
}

#define FAULT_DOC(code, text) \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" \
	"<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n" \
	"\t<soap:Body>\n\t\t<soap:Fault>\n\t\t\t<faultcode>soap:Client</faultcode>\n" \
	"\t\t\t<faultstring>" text "</faultstring>\n" \
	"\t\t\t<faultactor>http://www.msn.com/webservices/AddressBook/ABFindAll</faultactor>\n" \
	"\t\t\t<detail>\n\t\t\t\t<errorcode xmlns=\"http://www.msn.com/webservices/AddressBook\">" \
	code "</errorcode>\n\t\t\t\t<errorstring xmlns=\"http://www.msn.com/webservices/" \
	"AddressBook\">" text "</errorstring>\n\t\t\t\t<machineName>BAYABCHWBB133</machineName>\n" \
	"\t\t\t</detail>\n\t\t</soap:Fault>\n\t</soap:Body>\n</soap:Envelope>"

static void
test_faults(void)
{
	static const struct {
		const char *doc;
		int code;
		const char *said;
	} v[] = {
		{ FAULT_DOC("FullSyncRequired", "Full sync required.  Details: Delta syncs disabled."),
		  MSN_ABCH_ERROR_FULL_SYNC_REQUIRED, "Delta syncs disabled" },
		{ FAULT_DOC("ContactAlreadyExists", "Contact Already Exists "),
		  MSN_ABCH_ERROR_CONTACT_EXISTS, "Contact Already Exists" },
		{ FAULT_DOC("ContactDoesNotExist", "Contact Does Not Exist"),
		  MSN_ABCH_ERROR_CONTACT_DOES_NOT_EXIST, "Contact Does Not Exist" },
		{ FAULT_DOC("GroupAlreadyExists", "Group Already Exists"),
		  MSN_ABCH_ERROR_GROUP_EXISTS, "Group Already Exists" },
		{ FAULT_DOC("GroupDoesNotExist", "Group Does Not Exist"),
		  MSN_ABCH_ERROR_GROUP_DOES_NOT_EXIST, "Group Does Not Exist" },
		{ FAULT_DOC("GroupNameTooLong", "Group Name Too Long"),
		  MSN_ABCH_ERROR_GROUP_NAME_TOO_LONG, "Group Name Too Long" },
		{ FAULT_DOC("MemberAlreadyExists", "Member already exists"),
		  MSN_ABCH_ERROR_MEMBER_EXISTS, "Member already exists" },
		{ FAULT_DOC("MemberDoesNotExist", "Member does not exist"),
		  MSN_ABCH_ERROR_MEMBER_DOES_NOT_EXIST, "Member does not exist" },
		{ FAULT_DOC("InvalidPassportUser", "Invalid Passport User &lt;x&gt;"),
		  MSN_ABCH_ERROR_NO_SUCH_USER, "Invalid Passport User <x>" },
		{ FAULT_DOC("UserDoesNotExist", "User does not exist"),
		  MSN_ABCH_ERROR_NO_SUCH_USER, "User does not exist" },
		{ FAULT_DOC("EmailMissingAtSign", "Email missing at sign"),
		  MSN_ABCH_ERROR_NO_SUCH_USER, "Email missing at sign" },
		{ FAULT_DOC("SomethingNew", "Something new happened"),
		  MSN_ABCH_ERROR_FAULT, "Something new happened (SomethingNew)" },
		/* no detail: the faultcode names it */
		{ "<Envelope><Body><Fault><faultcode>psf:FullSyncRequired</faultcode></Fault></Body>"
		  "</Envelope>", MSN_ABCH_ERROR_FULL_SYNC_REQUIRED, "FullSyncRequired" },
		{ "<Envelope><Body><Fault><faultcode>soap:Server</faultcode></Fault></Body></Envelope>",
		  MSN_ABCH_ERROR_FAULT, "(Server)" },
		/* SOAP 1.2 shape */
		{ "<e:Envelope xmlns:e=\"http://www.w3.org/2003/05/soap-envelope\"><e:Body><e:Fault>"
		  "<e:Code><e:Value>e:Receiver</e:Value></e:Code><e:Reason><e:Text xml:lang=\"en\">"
		  "Broken</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>",
		  MSN_ABCH_ERROR_FAULT, "Broken (Receiver)" },
		/* a fault next to a result: the fault wins */
		{ "<Envelope><Body><ABFindAllResponse><ABFindAllResult/></ABFindAllResponse><Fault>"
		  "<detail><errorcode>FullSyncRequired</errorcode></detail></Fault></Body></Envelope>",
		  MSN_ABCH_ERROR_FULL_SYNC_REQUIRED, "FullSyncRequired" },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(v); i++) {
		GError *error = NULL;
		char *guid = (char *)"untouched";
		MsnAbchAddressBook *ab;
		MsnAbchMemberships *m;

		/* with HTTP 200 the parsers find it */
		ab = msn_abch_parse_find_all(v[i].doc, strlen(v[i].doc), &error);
		g_assert_null(ab);
		g_assert_error(error, MSN_ABCH_ERROR, v[i].code);
		g_assert_nonnull(strstr(error->message, v[i].said));
		g_test_message("%s", error->message);
		g_clear_error(&error);
		m = msn_abch_parse_find_membership(v[i].doc, strlen(v[i].doc), &error);
		g_assert_null(m);
		g_assert_error(error, MSN_ABCH_ERROR, v[i].code);
		g_clear_error(&error);
		g_assert_false(msn_abch_parse_result(v[i].doc, strlen(v[i].doc), &guid, &error));
		g_assert_null(guid);
		g_assert_error(error, MSN_ABCH_ERROR, v[i].code);
		g_clear_error(&error);
		/* and with HTTP 500 */
		error = msn_abch_error_for_status(500, v[i].doc, strlen(v[i].doc));
		g_assert_error(error, MSN_ABCH_ERROR, v[i].code);
		g_clear_error(&error);
	}
}

static void
test_fault_long_text(void)
{
	GString *doc = g_string_new("<Envelope><Body><Fault><faultcode>soap:Server</faultcode>"
	                            "<faultstring>Traceback: ");
	GError *error = NULL;
	guint i;

	for (i = 0; i < 200; i++)
		g_string_append(doc, "\xc3\xa9t\xc3\xa9 ");   /* multi-byte, to cut inside one */
	g_string_append(doc, "</faultstring></Fault></Body></Envelope>");
	g_assert_false(msn_abch_parse_result(doc->str, doc->len, NULL, &error));
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_FAULT);
	g_assert_true(g_utf8_validate(error->message, -1, NULL));
	g_assert_cmpuint(strlen(error->message), <, 600);
	g_clear_error(&error);
	g_string_free(doc, TRUE);
}

static void
test_status(void)
{
	static const char ok_doc[] =
		"<Envelope><Body><ABContactDeleteResponse/></Body></Envelope>";
	GError *error;

	error = msn_abch_error_for_status(403, NULL, 0);
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_TICKET_REFUSED);
	g_assert_nonnull(strstr(error->message, "ticket"));
	g_clear_error(&error);
	error = msn_abch_error_for_status(403, "<html>Forbidden</html>", 22);
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_TICKET_REFUSED);
	g_clear_error(&error);
	error = msn_abch_error_for_status(500, "", 0);
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_SERVER);
	g_assert_nonnull(strstr(error->message, "failed"));
	g_assert_nonnull(strstr(error->message, "500"));
	g_clear_error(&error);
	error = msn_abch_error_for_status(502, "garbage", 7);
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_SERVER);
	g_clear_error(&error);
	/* a SOAP body without a fault does not hide the status */
	error = msn_abch_error_for_status(500, ok_doc, strlen(ok_doc));
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_SERVER);
	g_clear_error(&error);
	error = msn_abch_error_for_status(404, NULL, 0);
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_SERVER);
	g_assert_nonnull(strstr(error->message, "404"));
	g_clear_error(&error);
}

static void
test_result(void)
{
	static const char contact_add[] = ENV_OPEN
		"\t\t<ABContactAddResponse xmlns=\"http://www.msn.com/webservices/AddressBook\">\n"
		"\t\t\t<ABContactAddResult>\n\t\t\t\t<guid>" C_BOB "</guid>\n"
		"\t\t\t</ABContactAddResult>\n\t\t</ABContactAddResponse>\n" ENV_CLOSE;
	static const char group_add[] = ENV_OPEN
		"<ABGroupAddResponse xmlns=\"http://www.msn.com/webservices/AddressBook\">"
		"<ABGroupAddResult><guid>" G_WORK "</guid></ABGroupAddResult></ABGroupAddResponse>"
		ENV_CLOSE;
	static const char deleted[] = ENV_OPEN
		"<ABContactDeleteResponse xmlns=\"http://www.msn.com/webservices/AddressBook\" />"
		ENV_CLOSE;
	/* a guid elsewhere (header) is not the result's */
	static const char stray[] =
		"<Envelope><Header><guid>nope</guid></Header><Body><AddMemberResponse/></Body>"
		"</Envelope>";
	GError *error = NULL;
	char *guid = NULL;

	g_assert_true(msn_abch_parse_result(contact_add, strlen(contact_add), &guid, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(guid, ==, C_BOB);
	g_clear_pointer(&guid, g_free);
	g_assert_true(msn_abch_parse_result(group_add, strlen(group_add), &guid, &error));
	g_assert_cmpstr(guid, ==, G_WORK);
	g_clear_pointer(&guid, g_free);
	g_assert_true(msn_abch_parse_result(deleted, strlen(deleted), &guid, &error));
	g_assert_null(guid);
	g_assert_true(msn_abch_parse_result(stray, strlen(stray), &guid, &error));
	g_assert_null(guid);
	g_assert_true(msn_abch_parse_result(contact_add, strlen(contact_add), NULL, &error));
	/* empty body: success without a GUID */
	g_assert_true(msn_abch_parse_result("", 0, &guid, &error));
	g_assert_true(msn_abch_parse_result(NULL, 0, &guid, &error));
	g_assert_true(msn_abch_parse_result(" \r\n", 3, &guid, &error));
	g_assert_null(guid);
	g_assert_no_error(error);
	g_assert_false(msn_abch_parse_result("<oops", 5, &guid, &error));
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_BAD_REPLY);
	g_clear_error(&error);
}

/* ---- FindMembership ---- */

static void
append_member(GString *s, const char *role, const char *xsi, const char *type,
              const char *addr_xml, const char *extra)
{
	g_string_append_printf(s,
		"\t\t\t\t\t\t\t\t\t\t\t\t<Member xsi:type=\"%s\">\n"
		"\t\t\t\t\t\t\t\t\t\t\t\t\t<MembershipId>%s/8e1c7a52</MembershipId>\n"
		"\t\t\t\t\t\t\t\t\t\t\t\t\t<Type>%s</Type>\n%s"
		"\t\t\t\t\t\t\t\t\t\t\t\t\t<State>Accepted</State>\n"
		"\t\t\t\t\t\t\t\t\t\t\t\t\t<Deleted>false</Deleted>\n"
		"\t<LastChanged>2024-01-02T03:04:05Z</LastChanged><JoinedDate>2024-01-02T03:04:05Z"
		"</JoinedDate><ExpirationDate>0001-01-01T00:00:00</ExpirationDate><Changes />\n"
		"\t%s<IsPassportNameHidden>false</IsPassportNameHidden><PassportId>0</PassportId>"
		"<CID>-42</CID><PassportChanges /><LookedupByCID>false</LookedupByCID>\n"
		"\t\t\t\t\t\t\t\t\t\t\t\t</Member>\n",
		xsi, role, type, extra ? extra : "", addr_xml);
}

static void
open_membership(GString *s, const char *role)
{
	g_string_append_printf(s, "\t\t\t\t\t\t\t\t<Membership>\n\t\t\t\t\t\t\t\t\t<MemberRole>%s"
	                       "</MemberRole>\n\t\t\t\t\t\t\t\t\t<Members>\n", role);
}

static void
close_membership(GString *s)
{
	g_string_append(s, "\t\t\t\t\t\t\t\t\t</Members>\n\t\t\t\t\t\t\t\t\t"
	                "<MembershipIsComplete>true</MembershipIsComplete>\n"
	                "\t\t\t\t\t\t\t\t</Membership>\n");
}

static MsnAbchMember *
lookup_member(MsnAbchMemberships *m, const char *handle)
{
	guint i;

	for (i = 0; i < m->members->len; i++) {
		MsnAbchMember *x = m->members->pdata[i];

		if (strcmp(x->handle, handle) == 0)
			return x;
	}
	return NULL;
}

static MsnAbchMember *
find_member(MsnAbchMemberships *m, const char *handle)
{
	MsnAbchMember *x = lookup_member(m, handle);

	if (x == NULL)
		g_error("no member %s", handle);
	return x;
}

#define PASSPORT(h) "<PassportName>" h "</PassportName>"

static void
test_membership(void)
{
	GString *doc = g_string_new(ENV_OPEN
		"\t\t<FindMembershipResponse xmlns=\"http://www.msn.com/webservices/AddressBook\">\n"
		"\t\t\t<FindMembershipResult>\n\t\t\t\t<Services>\n\t\t\t\t\t<Service>\n"
		"\t\t\t\t\t\t<Memberships>\n");
	GError *error = NULL;
	MsnAbchMemberships *m;
	MsnAbchMember *x;

	open_membership(doc, "Allow");
	append_member(doc, "Allow", "PassportMember", "Passport", PASSPORT("Bob@Example.com"), NULL);
	append_member(doc, "Allow", "PassportMember", "Passport", PASSPORT("carol@hotmail.com"),
	              "<DisplayName>Carol &amp; Co</DisplayName>");
	append_member(doc, "Allow", "PassportMember", "Passport", PASSPORT("bob@example.com"), NULL);
	append_member(doc, "Allow", "EmailMember", "Email", "<Email>Pal@Yahoo.com</Email>",
	              "<Annotations><Annotation><Name>MSN.IM.BuddyType</Name><Value>32:</Value>"
	              "</Annotation></Annotations>");
	append_member(doc, "Allow", "EmailMember", "Email", "<Email>plain@example.org</Email>", NULL);
	close_membership(doc);
	open_membership(doc, "Block");
	append_member(doc, "Block", "PassportMember", "Passport", PASSPORT("mallory@example.com"),
	              NULL);
	/* Escargot blocks circles too: not a person */
	g_string_append(doc, "<Member xsi:type=\"CircleMember\"><MembershipId>Block/00000000-0000-"
	                "0000-0009-000000000001</MembershipId><Type>Circle</Type><State>Accepted"
	                "</State><Deleted>false</Deleted><CircleId>00000000-0000-0000-0009-"
	                "000000000001</CircleId></Member>");
	close_membership(doc);
	open_membership(doc, "Reverse");
	append_member(doc, "Reverse", "PassportMember", "Passport", PASSPORT("bob@example.com"), NULL);
	append_member(doc, "Reverse", "PassportMember", "Passport", PASSPORT("dave@example.com"),
	              NULL);
	/* deleted members are not members */
	g_string_append(doc, "<Member xsi:type=\"PassportMember\"><Type>Passport</Type><State>"
	                "Accepted</State><Deleted>true</Deleted><PassportName>old@example.com"
	                "</PassportName></Member>");
	close_membership(doc);
	open_membership(doc, "Pending");
	append_member(doc, "Pending", "PassportMember", "Passport", PASSPORT("erin@example.com"), NULL);
	/* no address at all */
	g_string_append(doc, "<Member xsi:type=\"PassportMember\"><Type>Passport</Type></Member>");
	close_membership(doc);
	open_membership(doc, "ProfileExpansion");      /* a role we do not read */
	append_member(doc, "ProfileExpansion", "PassportMember", "Passport",
	              PASSPORT("frank@example.com"), NULL);
	close_membership(doc);
	/* Escargot puts Info after the Memberships */
	g_string_append(doc, "\t\t\t\t\t\t</Memberships>\n\t\t\t\t\t\t<Info>\n\t\t\t\t\t\t\t<Handle>"
	                "<Id>1</Id><Type>Messenger</Type><ForeignId /></Handle>\n"
	                "\t\t\t\t\t\t\t<InverseRequired>false</InverseRequired></Info>\n"
	                "\t\t\t\t\t\t<Changes /><LastChange>2024-01-02T03:04:05Z</LastChange>"
	                "<Deleted>false</Deleted>\n\t\t\t\t\t</Service>\n");
	/* another service: ignored */
	g_string_append(doc, "<Service><Memberships>");
	open_membership(doc, "Allow");
	append_member(doc, "Allow", "PassportMember", "Passport", PASSPORT("profile@example.com"),
	              NULL);
	close_membership(doc);
	g_string_append(doc, "</Memberships><Info><Handle><Id>2</Id><Type>Profile</Type></Handle>"
	                "</Info></Service>");
	g_string_append(doc, "\t\t\t\t</Services>\n\t\t\t\t<OwnerNamespace><Info><Handle><Id>"
	                "00000000-0000-0000-0000-000000000000</Id></Handle><CreatorPassportName>"
	                "me@example.com</CreatorPassportName></Info></OwnerNamespace>\n"
	                "\t\t\t</FindMembershipResult>\n\t\t</FindMembershipResponse>\n" ENV_CLOSE);

	m = msn_abch_parse_find_membership(doc->str, doc->len, &error);
	g_assert_no_error(error);
	g_assert_nonnull(m);
	g_assert_cmpuint(m->members->len, ==, 7);
	x = m->members->pdata[0];
	g_assert_cmpstr(x->handle, ==, "bob@example.com");
	g_assert_cmpuint(x->lists, ==, MSN_ADL_AL | MSN_ADL_RL);
	g_assert_cmpuint(x->network, ==, MSN_NETWORK_PASSPORT);
	g_assert_null(x->display_name);
	x = find_member(m, "carol@hotmail.com");
	g_assert_cmpuint(x->lists, ==, MSN_ADL_AL);
	g_assert_cmpstr(x->display_name, ==, "Carol & Co");
	x = find_member(m, "pal@yahoo.com");
	g_assert_cmpuint(x->network, ==, MSN_NETWORK_YAHOO);
	x = find_member(m, "plain@example.org");
	g_assert_cmpuint(x->network, ==, MSN_NETWORK_YAHOO);
	x = find_member(m, "mallory@example.com");
	g_assert_cmpuint(x->lists, ==, MSN_ADL_BL);
	x = find_member(m, "dave@example.com");
	g_assert_cmpuint(x->lists, ==, MSN_ADL_RL);
	x = find_member(m, "erin@example.com");
	g_assert_cmpuint(x->lists, ==, MSN_ADL_PL);
	g_assert_null(lookup_member(m, "old@example.com"));
	g_assert_null(lookup_member(m, "frank@example.com"));
	g_assert_null(lookup_member(m, "profile@example.com"));
	g_assert_true(has_note(m->notes, "duplicate member bob@example.com"));
	g_assert_true(has_note(m->notes, "without an address"));
	msn_abch_memberships_free(m);
	g_string_free(doc, TRUE);
}

static void
test_membership_empty(void)
{
	static const char doc[] = ENV_OPEN
		"<FindMembershipResponse xmlns=\"http://www.msn.com/webservices/AddressBook\">"
		"<FindMembershipResult><Services><Service><Memberships><Membership><MemberRole>Allow"
		"</MemberRole><Members /></Membership></Memberships><Info><Handle><Type>Messenger"
		"</Type></Handle></Info></Service></Services></FindMembershipResult>"
		"</FindMembershipResponse>" ENV_CLOSE;
	/* role after the members, and no Service element at all */
	static const char loose[] =
		"<Envelope><Body><FindMembershipResponse><FindMembershipResult><Memberships>"
		"<Membership><Members><Member><PassportName>late@example.com</PassportName></Member>"
		"</Members><MemberRole>Block</MemberRole></Membership></Memberships>"
		"</FindMembershipResult></FindMembershipResponse></Body></Envelope>";
	GError *error = NULL;
	MsnAbchMemberships *m = msn_abch_parse_find_membership(doc, strlen(doc), &error);
	MsnAbchMember *x;

	g_assert_no_error(error);
	g_assert_cmpuint(m->members->len, ==, 0);
	msn_abch_memberships_free(m);

	m = msn_abch_parse_find_membership(loose, strlen(loose), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(m->members->len, ==, 1);
	x = m->members->pdata[0];
	g_assert_cmpstr(x->handle, ==, "late@example.com");
	g_assert_cmpuint(x->lists, ==, MSN_ADL_BL);
	msn_abch_memberships_free(m);
}

/* ---- requests ---- */

static xmlDocPtr
well_formed(const char *xml)
{
	xmlDocPtr doc;

	g_assert_nonnull(xml);
	g_assert_true(g_utf8_validate(xml, -1, NULL));
	doc = xmlReadMemory(xml, (int)strlen(xml), "req.xml", NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	g_assert_nonnull(doc);
	return doc;
}

static void
has(const char *xml, const char *part)
{
	if (strstr(xml, part) == NULL)
		g_error("missing %s in\n%s", part, xml);
}

static void
test_build_headers(void)
{
	g_autofree char *req = msn_abch_build_find_all("t=AB&CD<x>&p=EF\"G", MSN_ABCH_SCENARIO_INITIAL);
	g_autofree char *no_ticket = msn_abch_build_find_all(NULL, MSN_ABCH_SCENARIO_TIMER);
	g_autofree char *empty_ticket = msn_abch_build_find_all("", MSN_ABCH_SCENARIO_INITIAL);
	xmlDocPtr doc = well_formed(req);

	xmlFreeDoc(doc);
	has(req, "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"");
	has(req, "<ABApplicationHeader xmlns=\"http://www.msn.com/webservices/AddressBook\">"
	         "<ApplicationId>09607671-1C32-421F-A6A6-CBFAA51AB5F4</ApplicationId>"
	         "<IsMigration>false</IsMigration><PartnerScenario>Initial</PartnerScenario>"
	         "</ABApplicationHeader>");
	has(req, "<ABAuthHeader xmlns=\"http://www.msn.com/webservices/AddressBook\">"
	         "<ManagedGroupRequest>false</ManagedGroupRequest>"
	         "<TicketToken>t=AB&amp;CD&lt;x&gt;&amp;p=EF\"G</TicketToken></ABAuthHeader>");
	has(req, "<soap:Body><ABFindAll xmlns=\"http://www.msn.com/webservices/AddressBook\">"
	         "<abId>00000000-0000-0000-0000-000000000000</abId><abView>Full</abView>"
	         "<deltasOnly>false</deltasOnly>"
	         "<lastChange>0001-01-01T00:00:00.0000000-08:00</lastChange></ABFindAll>");
	g_assert_null(strstr(no_ticket, "TicketToken"));
	has(no_ticket, "<PartnerScenario>Timer</PartnerScenario>");
	g_assert_null(strstr(empty_ticket, "TicketToken"));

	g_assert_cmpstr(msn_abch_op_soap_action(MSN_ABCH_FIND_ALL), ==,
	                "http://www.msn.com/webservices/AddressBook/ABFindAll");
	g_assert_cmpstr(msn_abch_op_soap_action(MSN_ABCH_DELETE_MEMBER), ==,
	                "http://www.msn.com/webservices/AddressBook/DeleteMember");
	g_assert_cmpstr(msn_abch_op_soap_action(MSN_ABCH_GROUP_CONTACT_DELETE), ==,
	                "http://www.msn.com/webservices/AddressBook/ABGroupContactDelete");
	g_assert_true(msn_abch_op_is_sharing(MSN_ABCH_FIND_MEMBERSHIP));
	g_assert_true(msn_abch_op_is_sharing(MSN_ABCH_ADD_MEMBER));
	g_assert_false(msn_abch_op_is_sharing(MSN_ABCH_CONTACT_ADD));
}

static void
test_build_operations(void)
{
	const char *t = "t=TICKET&p=P";
	char *r;

	r = msn_abch_build_find_membership(t, MSN_ABCH_SCENARIO_MESSENGER_PENDING_LIST);
	xmlFreeDoc(well_formed(r));
	has(r, "<PartnerScenario>MessengerPendingList</PartnerScenario>");
	has(r, "<FindMembership xmlns=\"http://www.msn.com/webservices/AddressBook\"><serviceFilter>"
	       "<Types><ServiceType>Messenger</ServiceType></Types></serviceFilter></FindMembership>");
	g_assert_null(strstr(r, "deltasOnly"));
	g_free(r);

	r = msn_abch_build_contact_add(t, "bob@example.com", 1, "Bob <&> B.");
	xmlFreeDoc(well_formed(r));
	has(r, "<PartnerScenario>ContactSave</PartnerScenario>");
	has(r, "<ABContactAdd xmlns=\"http://www.msn.com/webservices/AddressBook\"><abId>"
	       "00000000-0000-0000-0000-000000000000</abId><contacts><Contact><contactInfo>"
	       "<contactType>LivePending</contactType><passportName>bob@example.com</passportName>"
	       "<displayName>Bob &lt;&amp;&gt; B.</displayName><isMessengerUser>true"
	       "</isMessengerUser></contactInfo></Contact></contacts><options>"
	       "<EnableAllowListManagement>true</EnableAllowListManagement></options></ABContactAdd>");
	g_free(r);
	r = msn_abch_build_contact_add(t, "pal@yahoo.com", MSN_NETWORK_YAHOO, NULL);
	xmlFreeDoc(well_formed(r));
	has(r, "<contactInfo><emails><ContactEmail><contactEmailType>Messenger2</contactEmailType>"
	       "<email>pal@yahoo.com</email><isMessengerEnabled>true</isMessengerEnabled>"
	       "</ContactEmail></emails><contactType>LivePending</contactType><isMessengerUser>true"
	       "</isMessengerUser></contactInfo>");
	g_assert_null(strstr(r, "passportName"));
	g_assert_null(strstr(r, "displayName"));
	g_free(r);
	g_assert_null(msn_abch_build_contact_add(t, NULL, 1, NULL));
	g_assert_null(msn_abch_build_contact_add(t, "", 1, NULL));

	r = msn_abch_build_contact_delete(t, C_BOB);
	xmlFreeDoc(well_formed(r));
	has(r, "<PartnerScenario>Timer</PartnerScenario>");
	has(r, "<ABContactDelete xmlns=\"http://www.msn.com/webservices/AddressBook\"><abId>"
	       "00000000-0000-0000-0000-000000000000</abId><contacts><Contact><contactId>" C_BOB
	       "</contactId></Contact></contacts></ABContactDelete>");
	g_free(r);
	g_assert_null(msn_abch_build_contact_delete(t, NULL));

	r = msn_abch_build_me_update(t, "New \x01Name\xff", 0, 0);
	xmlFreeDoc(well_formed(r));
	has(r, "<contacts><Contact><contactInfo><contactType>Me</contactType><displayName>"
	       "New Name\xef\xbf\xbd</displayName></contactInfo><propertiesChanged>DisplayName"
	       "</propertiesChanged></Contact></contacts>");
	g_free(r);
	r = msn_abch_build_me_update(t, NULL, MSN_ADL_AL, 'N');
	xmlFreeDoc(well_formed(r));
	has(r, "<contactInfo><annotations><Annotation><Name>MSN.IM.BLP</Name><Value>1</Value>"
	       "</Annotation><Annotation><Name>MSN.IM.GTC</Name><Value>2</Value></Annotation>"
	       "</annotations><contactType>Me</contactType></contactInfo><propertiesChanged>"
	       "Annotation</propertiesChanged>");
	g_free(r);
	r = msn_abch_build_me_update(t, "Me", MSN_ADL_BL, 0);
	has(r, "<Value>2</Value>");
	has(r, "<propertiesChanged>DisplayName Annotation</propertiesChanged>");
	g_assert_null(strstr(r, "MSN.IM.GTC"));
	g_free(r);
	g_assert_null(msn_abch_build_me_update(t, NULL, 0, 0));
	g_assert_null(msn_abch_build_me_update(t, NULL, MSN_ADL_RL, 'x'));

	r = msn_abch_build_group_add(t, "Friends & <Family>");
	xmlFreeDoc(well_formed(r));
	has(r, "<PartnerScenario>GroupSave</PartnerScenario>");
	has(r, "<ABGroupAdd xmlns=\"http://www.msn.com/webservices/AddressBook\"><abId>"
	       "00000000-0000-0000-0000-000000000000</abId><groupAddOptions><fRenameOnMsgrConflict>"
	       "false</fRenameOnMsgrConflict></groupAddOptions><groupInfo><GroupInfo><name>"
	       "Friends &amp; &lt;Family&gt;</name><groupType>C8529CE2-6EAD-434d-881F-341E17DB3FF8"
	       "</groupType><fMessenger>false</fMessenger><annotations><Annotation><Name>"
	       "MSN.IM.Display</Name><Value>1</Value></Annotation></annotations></GroupInfo>"
	       "</groupInfo></ABGroupAdd>");
	g_free(r);
	g_assert_null(msn_abch_build_group_add(t, ""));

	r = msn_abch_build_group_update(t, G_WORK, "Job");
	xmlFreeDoc(well_formed(r));
	has(r, "<groups><Group><groupId>" G_WORK "</groupId><groupInfo><name>Job</name>"
	       "</groupInfo><propertiesChanged>GroupName</propertiesChanged></Group></groups>");
	g_free(r);
	g_assert_null(msn_abch_build_group_update(t, G_WORK, NULL));

	r = msn_abch_build_group_delete(t, G_WORK);
	xmlFreeDoc(well_formed(r));
	has(r, "<ABGroupDelete xmlns=\"http://www.msn.com/webservices/AddressBook\"><abId>"
	       "00000000-0000-0000-0000-000000000000</abId><groupFilter><groupIds><guid>" G_WORK
	       "</guid></groupIds></groupFilter></ABGroupDelete>");
	g_free(r);

	r = msn_abch_build_group_contact_add(t, G_WORK, C_BOB);
	xmlFreeDoc(well_formed(r));
	has(r, "<PartnerScenario>ContactSave</PartnerScenario>");
	has(r, "<abId>00000000-0000-0000-0000-000000000000</abId><groupFilter><groupIds><guid>"
	       G_WORK "</guid></groupIds></groupFilter><contacts><Contact><contactId>" C_BOB
	       "</contactId></Contact></contacts></ABGroupContactAdd>");
	g_free(r);
	r = msn_abch_build_group_contact_delete(t, G_WORK, C_BOB);
	xmlFreeDoc(well_formed(r));
	has(r, "<abId>00000000-0000-0000-0000-000000000000</abId><contacts><Contact><contactId>"
	       C_BOB "</contactId></Contact></contacts><groupFilter><groupIds><guid>" G_WORK
	       "</guid></groupIds></groupFilter></ABGroupContactDelete>");
	g_free(r);
	g_assert_null(msn_abch_build_group_contact_delete(t, NULL, C_BOB));
	g_assert_null(msn_abch_build_group_contact_add(t, G_WORK, ""));
}

static void
test_build_members(void)
{
	const char *t = "t=TICKET&p=P";
	char *r;

	r = msn_abch_build_member(TRUE, t, MSN_ADL_AL, "bob@example.com", 1);
	xmlFreeDoc(well_formed(r));
	has(r, "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
	has(r, "<PartnerScenario>BlockUnblock</PartnerScenario>");
	has(r, "<AddMember xmlns=\"http://www.msn.com/webservices/AddressBook\"><serviceHandle>"
	       "<Id>0</Id><Type>Messenger</Type><ForeignId></ForeignId></serviceHandle>"
	       "<memberships><Membership><MemberRole>Allow</MemberRole><Members>"
	       "<Member xsi:type=\"PassportMember\"><Type>Passport</Type><State>Accepted</State>"
	       "<PassportName>bob@example.com</PassportName></Member></Members></Membership>"
	       "</memberships></AddMember>");
	g_free(r);
	r = msn_abch_build_member(FALSE, t, MSN_ADL_PL, "erin@example.com", 1);
	xmlFreeDoc(well_formed(r));
	has(r, "<PartnerScenario>ContactMsgrAPI</PartnerScenario>");
	has(r, "<DeleteMember xmlns=");
	has(r, "<MemberRole>Pending</MemberRole>");
	g_free(r);
	r = msn_abch_build_member(TRUE, t, MSN_ADL_BL, "pal@yahoo.com", MSN_NETWORK_YAHOO);
	xmlFreeDoc(well_formed(r));
	has(r, "<MemberRole>Block</MemberRole><Members><Member xsi:type=\"EmailMember\">"
	       "<Type>Email</Type><State>Accepted</State><Annotations><Annotation><Name>"
	       "MSN.IM.BuddyType</Name><Value>32:</Value></Annotation></Annotations>"
	       "<Email>pal@yahoo.com</Email></Member>");
	g_free(r);
	r = msn_abch_build_member(TRUE, t, MSN_ADL_RL, "x@example.com", 1);
	has(r, "<MemberRole>Reverse</MemberRole>");
	g_free(r);
	g_assert_null(msn_abch_build_member(TRUE, t, MSN_ADL_FL, "x@example.com", 1));
	g_assert_null(msn_abch_build_member(TRUE, t, MSN_ADL_AL | MSN_ADL_BL, "x@example.com", 1));
	g_assert_null(msn_abch_build_member(TRUE, t, MSN_ADL_AL, NULL, 1));
}

static void
test_cookie(void)
{
	char *c;

	c = msn_abch_ticket_cookie("t=EwCoAa9g%21abc*def$&p=Hjk9!x");
	g_assert_cmpstr(c, ==, "EwCoAa9g%21abc*def$");
	g_free(c);
	c = msn_abch_ticket_cookie("t=ABC");
	g_assert_cmpstr(c, ==, "ABC");
	g_free(c);
	c = msn_abch_ticket_cookie("plainticket");
	g_assert_cmpstr(c, ==, "plainticket");
	g_free(c);
	g_assert_null(msn_abch_ticket_cookie(NULL));
	g_assert_null(msn_abch_ticket_cookie(""));
	g_assert_null(msn_abch_ticket_cookie("t=&p=x"));
	g_assert_null(msn_abch_ticket_cookie("t=a;b&p=x"));
	g_assert_null(msn_abch_ticket_cookie("t=a b&p=x"));
	g_assert_null(msn_abch_ticket_cookie("t=a\r\nX-Evil: 1&p=x"));
}

/* ---- 20,000 contacts ---- */

static void
test_20000(void)
{
	const guint n = 20000, n_groups = 30;
	GString *doc = g_string_sized_new(32 * 1024 * 1024);
	GString *mdoc = g_string_sized_new(16 * 1024 * 1024);
	GError *error = NULL;
	MsnAbchAddressBook *ab;
	MsnAbchMemberships *m;
	gint64 t0, t1;
	guint i;

	g_string_append(doc, ENV_OPEN "\t\t<ABFindAllResponse xmlns=\"http://www.msn.com/"
	                "webservices/AddressBook\">\n\t\t\t<ABFindAllResult>\n\t\t\t\t<groups>\n");
	for (i = 0; i < n_groups; i++) {
		char guid[64], name[64];

		g_snprintf(guid, sizeof guid, "%08x-0000-4000-8000-000000000000", i);
		g_snprintf(name, sizeof name, "<name>Group %u</name>", i);
		append_group(doc, guid, name);
	}
	g_string_append(doc, "\t\t\t\t</groups>\n\t\t\t\t<contacts>\n");
	for (i = 0; i < n; i++) {
		char guid[64], passport[64], display[64], groups[128];

		g_snprintf(guid, sizeof guid, "%08x-1111-4000-8000-%012x", i, i);
		g_snprintf(passport, sizeof passport, "Contact%05u@Domain%03u.example.com", i, i % 500);
		g_snprintf(display, sizeof display, "Contact &amp; %u \xe2\x98\x83", i);
		g_snprintf(groups, sizeof groups, "<groupIds><guid>%08x-0000-4000-8000-000000000000"
		           "</guid></groupIds>", i % n_groups);
		append_contact(doc, guid, "Regular", passport, display, (i % 3) ? groups : NULL,
		               NULL, "true", "false");
	}
	g_string_append(doc, ME_CONTACT "\t\t\t\t</contacts>\n" AB_TAIL
	                "\t\t\t</ABFindAllResult>\n\t\t</ABFindAllResponse>\n" ENV_CLOSE);

	t0 = g_get_monotonic_time();
	ab = msn_abch_parse_find_all(doc->str, doc->len, &error);
	t1 = g_get_monotonic_time();
	g_assert_no_error(error);
	g_test_message("ABFindAll: %u contacts, %.1f MiB parsed in %.1f ms", n,
	               doc->len / 1048576.0, (t1 - t0) / 1000.0);
	g_assert_cmpuint(ab->contacts->len, ==, n);
	g_assert_cmpuint(ab->groups->len, ==, n_groups);
	for (i = 0; i < n; i += 997) {
		MsnAbchContact *c = ab->contacts->pdata[i];
		g_autofree char *h = g_strdup_printf("contact%05u@domain%03u.example.com", i, i % 500);
		g_autofree char *d = g_strdup_printf("Contact & %u \xe2\x98\x83", i);

		g_assert_cmpstr(c->handle, ==, h);
		g_assert_cmpstr(c->display_name, ==, d);
		g_assert_true((c->group_guids != NULL) == ((i % 3) != 0));
	}
	g_assert_cmpuint(ab->blp, ==, MSN_ADL_BL);
	g_assert_cmpuint(ab->notes->len, ==, 0);
	msn_abch_address_book_free(ab);

	/* the same people as memberships: Allow all, Reverse half */
	g_string_append(mdoc, ENV_OPEN "<FindMembershipResponse xmlns=\"http://www.msn.com/"
	                "webservices/AddressBook\"><FindMembershipResult><Services><Service>"
	                "<Memberships>\n");
	open_membership(mdoc, "Allow");
	for (i = 0; i < n; i++) {
		char addr[96];

		g_snprintf(addr, sizeof addr, "<PassportName>contact%05u@domain%03u.example.com"
		           "</PassportName>", i, i % 500);
		append_member(mdoc, "Allow", "PassportMember", "Passport", addr, NULL);
	}
	close_membership(mdoc);
	open_membership(mdoc, "Reverse");
	for (i = 0; i < n; i += 2) {
		char addr[96];

		g_snprintf(addr, sizeof addr, "<PassportName>contact%05u@domain%03u.example.com"
		           "</PassportName>", i, i % 500);
		append_member(mdoc, "Reverse", "PassportMember", "Passport", addr, NULL);
	}
	close_membership(mdoc);
	g_string_append(mdoc, "</Memberships><Info><Handle><Type>Messenger</Type></Handle></Info>"
	                "</Service></Services></FindMembershipResult></FindMembershipResponse>"
	                ENV_CLOSE);
	t0 = g_get_monotonic_time();
	m = msn_abch_parse_find_membership(mdoc->str, mdoc->len, &error);
	t1 = g_get_monotonic_time();
	g_assert_no_error(error);
	g_test_message("FindMembership: %u members (%u memberships), %.1f MiB parsed in %.1f ms",
	               m->members->len, n + n / 2, mdoc->len / 1048576.0, (t1 - t0) / 1000.0);
	g_assert_cmpuint(m->members->len, ==, n);
	g_assert_cmpuint(((MsnAbchMember *)m->members->pdata[0])->lists, ==, MSN_ADL_AL | MSN_ADL_RL);
	g_assert_cmpuint(((MsnAbchMember *)m->members->pdata[1])->lists, ==, MSN_ADL_AL);
	msn_abch_memberships_free(m);

	g_string_free(doc, TRUE);
	g_string_free(mdoc, TRUE);
}

/* More contacts than MSN_ABCH_MAX_CONTACTS are refused, not half-kept. */
static void
test_too_many(void)
{
	GString *doc = g_string_new("<Envelope><Body><ABFindAllResponse><ABFindAllResult>"
	                            "<contacts>");
	GError *error = NULL;
	guint i;

	for (i = 0; i <= MSN_ABCH_MAX_CONTACTS; i++)
		g_string_append_printf(doc, "<Contact><contactInfo><passportName>%u@x"
		                       "</passportName></contactInfo></Contact>", i);
	g_string_append(doc, "</contacts></ABFindAllResult></ABFindAllResponse></Body></Envelope>");
	g_assert_null(msn_abch_parse_find_all(doc->str, doc->len, &error));
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_TOO_LARGE);
	g_clear_error(&error);
	g_string_free(doc, TRUE);
}

/* ---- the push parser: any split of the body reads the same ---- */

static void
dump_str(GString *out, const char *name, const char *value)
{
	g_string_append_printf(out, " %s=%s", name, value ? value : "(null)");
}

/* Everything a parse gave, or its error, as one string. */
static char *
dump_find_all(MsnAbchAddressBook *ab, GError *error)
{
	GString *out = g_string_new(NULL);
	guint i, j;

	if (ab == NULL) {
		g_string_printf(out, "error %s %d %s", g_quark_to_string(error->domain), error->code,
		                error->message);
		return g_string_free(out, FALSE);
	}
	for (i = 0; i < ab->groups->len; i++) {
		MsnAbchGroup *g = ab->groups->pdata[i];

		g_string_append(out, "group");
		dump_str(out, "guid", g->guid);
		dump_str(out, "name", g->name);
		g_string_append_c(out, '\n');
	}
	for (i = 0; i < ab->contacts->len; i++) {
		MsnAbchContact *c = ab->contacts->pdata[i];

		g_string_append(out, "contact");
		dump_str(out, "guid", c->guid);
		dump_str(out, "handle", c->handle);
		dump_str(out, "display", c->display_name);
		dump_str(out, "home", c->phone_home);
		dump_str(out, "work", c->phone_work);
		dump_str(out, "mobile", c->phone_mobile);
		g_string_append_printf(out, " net=%u type=%d msgr=%d", c->network, c->type,
		                       c->is_messenger_user);
		for (j = 0; c->group_guids && c->group_guids[j]; j++)
			dump_str(out, "in", c->group_guids[j]);
		g_string_append_c(out, '\n');
	}
	g_string_append(out, "me");
	dump_str(out, "guid", ab->me_guid);
	dump_str(out, "handle", ab->me_handle);
	dump_str(out, "display", ab->me_display_name);
	g_string_append_printf(out, " blp=%u gtc=%d\n", ab->blp, ab->gtc);
	for (i = 0; i < ab->notes->len; i++)
		g_string_append_printf(out, "note %s\n", (const char *)ab->notes->pdata[i]);
	return g_string_free(out, FALSE);
}

static char *
dump_memberships(MsnAbchMemberships *m, GError *error)
{
	GString *out = g_string_new(NULL);
	guint i;

	if (m == NULL) {
		g_string_printf(out, "error %s %d %s", g_quark_to_string(error->domain), error->code,
		                error->message);
		return g_string_free(out, FALSE);
	}
	for (i = 0; i < m->members->len; i++) {
		MsnAbchMember *x = m->members->pdata[i];

		g_string_append(out, "member");
		dump_str(out, "handle", x->handle);
		dump_str(out, "display", x->display_name);
		g_string_append_printf(out, " lists=%u net=%u\n", x->lists, x->network);
	}
	for (i = 0; i < m->notes->len; i++)
		g_string_append_printf(out, "note %s\n", (const char *)m->notes->pdata[i]);
	return g_string_free(out, FALSE);
}

/* Feeds doc in pieces of `piece` bytes (0: sizes from rand) and ends with status. */
static char *
streamed(MsnAbchOp op, const char *doc, gsize len, gsize piece, GRand *rand, guint status)
{
	MsnAbchParser *p = msn_abch_parser_new(op);
	GError *error = NULL;
	gsize off = 0;
	char *out;

	while (off < len) {
		gsize n = piece ? piece : (gsize)g_rand_int_range(rand, 1, 40);
		char *copy;

		n = MIN(n, len - off);
		/* A copy of just the piece: reading past it would show in valgrind/ASan. */
		copy = g_memdup2(doc + off, n);
		msn_abch_parser_feed(p, copy, n);
		g_free(copy);
		off += n;
	}
	if (op == MSN_ABCH_FIND_ALL) {
		MsnAbchAddressBook *ab = msn_abch_parser_end_find_all(p, status, &error);

		out = dump_find_all(ab, error);
		msn_abch_address_book_free(ab);
	} else {
		MsnAbchMemberships *m = msn_abch_parser_end_find_membership(p, status, &error);

		out = dump_memberships(m, error);
		msn_abch_memberships_free(m);
	}
	g_clear_error(&error);
	return out;
}

/* doc read whole and in many splits gives one answer; returns it. */
static char *
check_splits(MsnAbchOp op, const char *doc, gsize len)
{
	static const gsize pieces[] = { 1, 2, 3, 4, 5, 7, 13, 199, 200, 201, 4096 };
	GRand *rand = g_rand_new_with_seed(7);
	GError *error = NULL;
	char *whole;
	gsize i;

	if (op == MSN_ABCH_FIND_ALL) {
		MsnAbchAddressBook *ab = msn_abch_parse_find_all(doc, len, &error);

		whole = dump_find_all(ab, error);
		msn_abch_address_book_free(ab);
	} else {
		MsnAbchMemberships *m = msn_abch_parse_find_membership(doc, len, &error);

		whole = dump_memberships(m, error);
		msn_abch_memberships_free(m);
	}
	g_clear_error(&error);
	for (i = 0; i < G_N_ELEMENTS(pieces) + 5; i++) {
		char *s = streamed(op, doc, len, i < G_N_ELEMENTS(pieces) ? pieces[i] : 0, rand, 200);

		g_assert_cmpstr(s, ==, whole);
		g_free(s);
	}
	g_rand_free(rand);
	return whole;
}

static void
test_push_splits(void)
{
	GString *doc = g_string_new(" \r\n\t" ENV_OPEN
		"<ABFindAllResponse xmlns=\"http://www.msn.com/webservices/AddressBook\">"
		"<ABFindAllResult><groups>");
	g_autofree char *long_name = g_strnfill(MSN_ABCH_MAX_TEXT + 3, 'n');
	g_autofree char *long_xml = NULL;
	char *result;
	gsize i;
	static const char *const bad[] = {
		"",
		"   \n\t",
		"this is not XML",
		"<Envelope><Body><ABFindAllResponse><ABFindAllResult><contacts>",
		"<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY a \"aaaaaaaa\">]><Envelope/>",
		"<Envelope><Body><x>&undefined;</x></Body></Envelope>",
		"<Envelope><Body><ABFindAllResponse/></Body></Envelope><second/>",
		"<Envelope><Body/></Envelope>",
		"<Envelope><Body><ABFindAllResult/></Body></Envelope>\xe2\x98",
		"\xef\xbb\xbf<Envelope><Body><ABFindAllResult/></Body></Envelope>",
		"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Envelope><Body><ABFindAllResult>"
		"<groups><Group><groupId>g</groupId><groupInfo><name>Caf\xe9 \xff</name></groupInfo>"
		"</Group></groups></ABFindAllResult></Body></Envelope>",
	};

	/* A name cut by the text bound inside a 3-byte character. */
	long_name[MSN_ABCH_MAX_TEXT - 1] = '\0';
	long_xml = g_strdup_printf("<displayName>%s\xe2\x98\x83 tail</displayName>", long_name);
	append_group(doc, G_WORK, "<name>W\xc3\xb6rk \xf0\x9f\x98\x80 &amp; <![CDATA[<b>]]></name>");
	append_group(doc, G_FAMILY, "<name>Fam\xe9ly \xff\xfe \xe2\x98 x \xed\xa0\x80</name>");
	g_string_append(doc, "</groups><contacts>");
	append_contact(doc, C_BOB, "Live", "Bob@Example.com", "B\xc3\xb8\x62 \xe2\x98\x83",
	               "<groupIds><guid>" G_WORK "</guid><guid>" G_FAMILY "</guid></groupIds>",
	               "<phones><ContactPhone><contactPhoneType>ContactPhoneMobile"
	               "</contactPhoneType><number>+1 555</number><isMessengerEnabled>true"
	               "</isMessengerEnabled></ContactPhone></phones>", "true", "false");
	append_contact(doc, "c0000000-0000-0000-0000-000000000002", "Regular", NULL, "Mail Only",
	               NULL, "<emails><ContactEmail><contactEmailType>Messenger2</contactEmailType>"
	               "<email>Y@Yahoo.com</email><isMessengerEnabled>true</isMessengerEnabled>"
	               "</ContactEmail></emails>", "true", "false");
	append_contact(doc, C_BOB, "Regular", "dup@example.com", "Dup", NULL, NULL, "true", "false");
	g_string_append_printf(doc, "<Contact><contactId>c0000000-0000-0000-0000-00000000000c"
	                       "</contactId><contactInfo><passportName>long@example.com"
	                       "</passportName>%s</contactInfo></Contact>", long_xml);
	g_string_append(doc, ME_CONTACT "</contacts></ABFindAllResult></ABFindAllResponse>"
	                ENV_CLOSE "\n");

	result = check_splits(MSN_ABCH_FIND_ALL, doc->str, doc->len);
	/* The document is read as meant, not only the same way each time. */
	g_assert_nonnull(strstr(result, "name=W\xc3\xb6rk \xf0\x9f\x98\x80 & <b>\n"));
	g_assert_nonnull(strstr(result, "name=Fam\xef\xbf\xbdly \xef\xbf\xbd\xef\xbf\xbd "
	                        "\xef\xbf\xbd\xef\xbf\xbd x \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\n"));
	g_assert_nonnull(strstr(result, "handle=bob@example.com display=B\xc3\xb8\x62 \xe2\x98\x83"));
	g_assert_nonnull(strstr(result, "mobile=+1 555"));
	g_assert_nonnull(strstr(result, "handle=y@yahoo.com"));
	g_assert_nonnull(strstr(result, "note duplicate contact dup@example.com"));
	{
		g_autofree char *blp = g_strdup_printf("blp=%u gtc=%d", MSN_ADL_BL, 'A');

		g_assert_nonnull(strstr(result, blp));
	}
	g_free(result);
	g_string_free(doc, TRUE);

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		result = check_splits(MSN_ABCH_FIND_ALL, bad[i], strlen(bad[i]));
		g_test_message("%s", result);
		g_free(result);
		g_free(check_splits(MSN_ABCH_FIND_MEMBERSHIP, bad[i], strlen(bad[i])));
	}

	doc = g_string_new(ENV_OPEN "<FindMembershipResponse><FindMembershipResult><Services>"
	                   "<Service><Memberships>");
	open_membership(doc, "Allow");
	append_member(doc, "Allow", "PassportMember", "Passport", PASSPORT("Bob@Example.com"), NULL);
	append_member(doc, "Allow", "EmailMember", "Email", "<Email>y\xc3\xa9@yahoo.com</Email>",
	              "<Annotations><Annotation><Name>MSN.IM.BuddyType</Name><Value>32:</Value>"
	              "</Annotation></Annotations>");
	close_membership(doc);
	open_membership(doc, "Reverse");
	append_member(doc, "Reverse", "PassportMember", "Passport", PASSPORT("bob@example.com"),
	              "<DisplayName>B\xf8\x62</DisplayName>");
	close_membership(doc);
	g_string_append(doc, "</Memberships><Info><Handle><Type>Messenger</Type></Handle></Info>"
	                "</Service></Services></FindMembershipResult></FindMembershipResponse>"
	                ENV_CLOSE);
	result = check_splits(MSN_ABCH_FIND_MEMBERSHIP, doc->str, doc->len);
	{
		g_autofree char *bob = g_strdup_printf("handle=bob@example.com display=B\xef\xbf\xbd\x62 "
		                                       "lists=%u net=1\n", MSN_ADL_AL | MSN_ADL_RL);
		g_autofree char *y = g_strdup_printf("handle=y\xc3\xa9@yahoo.com display=(null) lists=%u "
		                                     "net=32\n", MSN_ADL_AL);

		g_assert_nonnull(strstr(result, bob));
		g_assert_nonnull(strstr(result, y));
	}
	g_free(result);
	g_string_free(doc, TRUE);
}

/* The HTTP status decides, as msn_abch_error_for_status does, whatever the split. */
static void
test_push_status(void)
{
	static const char fault[] = ENV_OPEN "<soap:Fault><faultcode>soap:Client</faultcode>"
		"<faultstring>Contact Does Not Exist</faultstring><detail><errorcode>"
		"ContactDoesNotExist</errorcode></detail></soap:Fault>" ENV_CLOSE;
	static const char html[] = "<html><body>Internal Server Error</body></html>";
	static const struct {
		const char *body;
		guint status;
		int code;
		const char *says;
	} cases[] = {
		{ fault, 500, MSN_ABCH_ERROR_CONTACT_DOES_NOT_EXIST, "Contact Does Not Exist" },
		{ fault, 200, MSN_ABCH_ERROR_CONTACT_DOES_NOT_EXIST, "Contact Does Not Exist" },
		{ html, 500, MSN_ABCH_ERROR_SERVER, "failed (HTTP 500)" },
		{ "not XML at all", 503, MSN_ABCH_ERROR_SERVER, "failed (HTTP 503)" },
		{ "", 403, MSN_ABCH_ERROR_TICKET_REFUSED, "HTTP 403" },
		{ html, 404, MSN_ABCH_ERROR_SERVER, "answered HTTP 404" },
	};
	gsize i, piece;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		GError *expected = cases[i].status == 200 ? NULL :
		                   msn_abch_error_for_status(cases[i].status, cases[i].body,
		                                             strlen(cases[i].body));

		for (piece = 1; piece <= 64; piece *= 4) {
			char *a = streamed(MSN_ABCH_FIND_ALL, cases[i].body, strlen(cases[i].body), piece,
			                   NULL, cases[i].status);
			char *m = streamed(MSN_ABCH_FIND_MEMBERSHIP, cases[i].body, strlen(cases[i].body),
			                   piece, NULL, cases[i].status);
			char *want = g_strdup_printf("error %s %d ", g_quark_to_string(MSN_ABCH_ERROR),
			                             cases[i].code);

			g_assert_true(g_str_has_prefix(a, want));
			g_assert_nonnull(strstr(a, cases[i].says));
			g_assert_cmpstr(a, ==, m);
			if (expected)
				g_assert_cmpstr(a + strlen(want), ==, expected->message);
			g_free(a);
			g_free(m);
			g_free(want);
		}
		g_clear_error(&expected);
	}
}

/* MSN_ABCH_MAX_BODY in all, fed piece by piece: the byte over it is refused. */
static void
test_push_bound(void)
{
	gsize piece = 1024 * 1024, fed;
	char *spaces = g_malloc(piece);
	MsnAbchParser *p = msn_abch_parser_new(MSN_ABCH_FIND_ALL);
	GError *error = NULL;

	memset(spaces, ' ', piece);
	g_assert_true(msn_abch_parser_feed(p, "<Envelope>", 10));
	for (fed = 10; fed + piece <= MSN_ABCH_MAX_BODY; fed += piece)
		g_assert_true(msn_abch_parser_feed(p, spaces, piece));
	g_assert_true(msn_abch_parser_feed(p, spaces, MSN_ABCH_MAX_BODY - fed));
	g_assert_false(msn_abch_parser_feed(p, " ", 1));
	g_assert_false(msn_abch_parser_feed(p, "</Envelope>", 11));
	g_assert_null(msn_abch_parser_end_find_all(p, 200, &error));
	g_assert_error(error, MSN_ABCH_ERROR, MSN_ABCH_ERROR_TOO_LARGE);
	g_clear_error(&error);

	/* Dropped halfway, for a fetch that failed or was cancelled. */
	p = msn_abch_parser_new(MSN_ABCH_FIND_MEMBERSHIP);
	{
		static const char cut[] = "<?xml version=\"1.0\"?><a><b>\xc3";

		g_assert_true(msn_abch_parser_feed(p, cut, strlen(cut)));
	}
	msn_abch_parser_free(p);
	g_free(spaces);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/abch/find-all/escargot", test_find_all_escargot);
	g_test_add_func("/abch/find-all/minimal", test_find_all_minimal);
	g_test_add_func("/abch/find-all/odd", test_find_all_odd);
	g_test_add_func("/abch/find-all/bad", test_find_all_bad);
	g_test_add_func("/abch/find-all/latin1", test_find_all_latin1);
	g_test_add_func("/abch/faults", test_faults);
	g_test_add_func("/abch/fault-long-text", test_fault_long_text);
	g_test_add_func("/abch/status", test_status);
	g_test_add_func("/abch/result", test_result);
	g_test_add_func("/abch/membership", test_membership);
	g_test_add_func("/abch/membership-empty", test_membership_empty);
	g_test_add_func("/abch/build/headers", test_build_headers);
	g_test_add_func("/abch/build/operations", test_build_operations);
	g_test_add_func("/abch/build/members", test_build_members);
	g_test_add_func("/abch/cookie", test_cookie);
	g_test_add_func("/abch/20000", test_20000);
	g_test_add_func("/abch/too-many", test_too_many);
	g_test_add_func("/abch/push/splits", test_push_splits);
	g_test_add_func("/abch/push/status", test_push_status);
	g_test_add_func("/abch/push/bound", test_push_bound);
	return g_test_run();
}
