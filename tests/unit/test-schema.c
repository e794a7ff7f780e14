/* Unit tests for the schema table, msn_command_parse_line and the builder. */
#include <string.h>

#include "proto/command.h"
#include "proto/schema-private.h"

/* ---- the table itself --------------------------------------------------- */

static void
test_table_sane(void)
{
	gsize n, i, j;
	const MsnCommandSchema *t = msn_schema_table(&n);

	g_assert_cmpuint(n, >, 100);
	for (i = 0; i < n; i++) {
		g_test_message("row %" G_GSIZE_FORMAT ": %s", i, t[i].name);
		g_assert_cmpuint(strlen(t[i].name), ==, 3);
		g_assert_cmpuint(t[i].min_version, >=, MSN_VERSION_MIN);
		g_assert_cmpuint(t[i].max_version, <=, MSN_VERSION_MAX);
		g_assert_cmpuint(t[i].min_version, <=, t[i].max_version);
		g_assert_cmpuint(t[i].min_params, <=, t[i].max_params);
		g_assert_cmpuint(t[i].max_params, <=, MSN_MAX_PARAMS);
		/* a payload length needs a parameter to sit in */
		if (t[i].payload != MSN_PAYLOAD_NONE)
			g_assert_cmpuint(t[i].max_params, >=, 1);
		/* a TrID chosen by "is it numeric" never goes with a payload */
		if (t[i].trid == MSN_TRID_IF_NUMERIC)
			g_assert_cmpint(t[i].payload, ==, MSN_PAYLOAD_NONE);
		/* no two rows claim the same command in the same version */
		for (j = i + 1; j < n; j++) {
			if (strcmp(t[i].name, t[j].name) != 0 ||
			    t[i].service != t[j].service || t[i].dir != t[j].dir)
				continue;
			g_assert_true(t[i].max_version < t[j].min_version ||
			              t[j].max_version < t[i].min_version);
		}
	}
}

static void
test_forms_sane(void)
{
	gsize n, i;
	const MsnCommandForm *forms = msn_schema_forms(&n);

	for (i = 0; i < n; i++) {
		guint v;

		g_assert_cmpuint(forms[i].min_params, <=, forms[i].max_params);
		g_assert_cmpuint(strlen(forms[i].first_param), <, 16);
		for (v = forms[i].min_version; v <= forms[i].max_version; v++) {
			const MsnCommandSchema *row =
				msn_schema_lookup(forms[i].name, forms[i].service,
				                  forms[i].dir, v);

			/* a form only narrows its row */
			g_assert_nonnull(row);
			g_assert_cmpuint(forms[i].min_params, >=, row->min_params);
			g_assert_cmpuint(forms[i].max_params, <=, row->max_params);
			g_assert_true(msn_schema_lookup_form(row, forms[i].first_param, v) ==
			              &forms[i]);
		}
	}
}

/* Every command the client or the test server must read, in the versions the
 * reference gives it. */
static const struct {
	const char *name;
	MsnService service;
	MsnDirection dir;
	guint min_version, max_version;
} required[] = {
#define NS MSN_SERVICE_NS
#define SB MSN_SERVICE_SB
#define C MSN_FROM_CLIENT
#define S MSN_FROM_SERVER
	{ "VER", NS, S, 8, 14 }, { "VER", NS, C, 8, 14 },
	{ "CVR", NS, S, 8, 14 }, { "CVR", NS, C, 8, 14 },
	{ "USR", NS, S, 8, 14 }, { "USR", NS, C, 8, 14 },
	{ "USR", SB, S, 8, 14 }, { "USR", SB, C, 8, 14 },
	{ "XFR", NS, S, 8, 14 }, { "XFR", NS, C, 8, 14 },
	{ "OUT", NS, S, 8, 14 }, { "OUT", NS, C, 8, 14 }, { "OUT", SB, C, 8, 14 },
	{ "SYN", NS, S, 8, 12 }, { "SYN", NS, C, 8, 12 },
	{ "GTC", NS, S, 8, 12 }, { "GTC", NS, C, 8, 12 },
	{ "BLP", NS, S, 8, 14 }, { "BLP", NS, C, 8, 14 },
	{ "PRP", NS, S, 8, 14 }, { "PRP", NS, C, 8, 14 },
	{ "LSG", NS, S, 8, 12 }, { "LST", NS, S, 8, 12 }, { "BPR", NS, S, 8, 12 },
	{ "GCF", NS, S, 11, 14 }, { "GCF", NS, C, 11, 14 },
	{ "SBS", NS, S, 11, 14 },
	{ "ADD", NS, S, 8, 9 }, { "ADD", NS, C, 8, 9 },
	{ "ADC", NS, S, 10, 12 }, { "ADC", NS, C, 10, 12 },
	{ "REM", NS, S, 8, 12 }, { "REM", NS, C, 8, 12 },
	{ "ADG", NS, S, 8, 12 }, { "ADG", NS, C, 8, 12 },
	{ "RMG", NS, S, 8, 12 }, { "RMG", NS, C, 8, 12 },
	{ "REG", NS, S, 8, 12 }, { "REG", NS, C, 8, 12 },
	{ "REA", NS, S, 8, 9 }, { "REA", NS, C, 8, 9 },
	{ "SBP", NS, S, 10, 12 }, { "SBP", NS, C, 10, 12 },
	{ "ADL", NS, S, 13, 14 }, { "ADL", NS, C, 13, 14 },
	{ "RML", NS, S, 13, 14 }, { "RML", NS, C, 13, 14 },
	{ "FQY", NS, S, 14, 14 }, { "FQY", NS, C, 14, 14 },
	{ "UUN", NS, S, 13, 14 }, { "UUN", NS, C, 13, 14 },
	{ "UBN", NS, S, 13, 14 },
	{ "UUM", NS, C, 14, 14 }, { "UBM", NS, S, 14, 14 },
	{ "CHG", NS, S, 8, 14 }, { "CHG", NS, C, 8, 14 },
	{ "ILN", NS, S, 8, 14 }, { "NLN", NS, S, 8, 14 }, { "FLN", NS, S, 8, 14 },
	{ "UUX", NS, S, 11, 14 }, { "UUX", NS, C, 11, 14 },
	{ "UBX", NS, S, 11, 14 },
	{ "PNG", NS, C, 8, 14 }, { "QNG", NS, S, 8, 14 },
	{ "CHL", NS, S, 8, 14 }, { "QRY", NS, S, 8, 14 }, { "QRY", NS, C, 8, 14 },
	{ "URL", NS, S, 8, 14 }, { "URL", NS, C, 8, 14 },
	{ "SND", NS, S, 8, 14 }, { "SND", NS, C, 8, 14 },
	{ "IMS", NS, S, 8, 14 }, { "IMS", NS, C, 8, 14 },
	{ "MSG", NS, S, 8, 14 }, { "MSG", SB, S, 8, 14 }, { "MSG", SB, C, 8, 14 },
	{ "NOT", NS, S, 8, 14 }, { "IPG", NS, S, 8, 14 }, { "RNG", NS, S, 8, 14 },
	{ "ANS", SB, S, 8, 14 }, { "ANS", SB, C, 8, 14 },
	{ "IRO", SB, S, 8, 14 },
	{ "CAL", SB, S, 8, 14 }, { "CAL", SB, C, 8, 14 },
	{ "JOI", SB, S, 8, 14 }, { "BYE", SB, S, 8, 14 },
	{ "ACK", SB, S, 8, 14 }, { "NAK", SB, S, 8, 14 },
	{ "NNN", NS, S, 8, 14 }, { "NNN", SB, S, 8, 14 },
#undef NS
#undef SB
#undef C
#undef S
};

static void
test_table_complete(void)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(required); i++) {
		guint v;

		for (v = required[i].min_version; v <= required[i].max_version; v++) {
			if (msn_schema_lookup(required[i].name, required[i].service,
			                      required[i].dir, v) == NULL)
				g_error("no row for %s %s %s MSNP%u", required[i].name,
				        required[i].service == MSN_SERVICE_NS ? "NS" : "SB",
				        required[i].dir == MSN_FROM_SERVER ? "S" : "C", v);
		}
	}
	/* and none outside the reference's versions for the split commands */
	g_assert_null(msn_schema_lookup("SYN", MSN_SERVICE_NS, MSN_FROM_SERVER, 13));
	g_assert_null(msn_schema_lookup("ADL", MSN_SERVICE_NS, MSN_FROM_CLIENT, 12));
	g_assert_null(msn_schema_lookup("ADC", MSN_SERVICE_NS, MSN_FROM_CLIENT, 9));
	g_assert_null(msn_schema_lookup("ADD", MSN_SERVICE_NS, MSN_FROM_CLIENT, 10));
	g_assert_null(msn_schema_lookup("UUX", MSN_SERVICE_NS, MSN_FROM_CLIENT, 10));
	g_assert_null(msn_schema_lookup("FQY", MSN_SERVICE_NS, MSN_FROM_CLIENT, 13));
	g_assert_null(msn_schema_lookup("VER", MSN_SERVICE_NS, MSN_FROM_SERVER, 7));
	g_assert_null(msn_schema_lookup("VER", MSN_SERVICE_NS, MSN_FROM_SERVER, 15));
	g_assert_null(msn_schema_lookup("PNG", MSN_SERVICE_NS, MSN_FROM_SERVER, 12));
	g_assert_null(msn_schema_lookup("MSG", MSN_SERVICE_NS, MSN_FROM_CLIENT, 12));
	g_assert_null(msn_schema_lookup(NULL, MSN_SERVICE_NS, MSN_FROM_CLIENT, 12));
	g_assert_null(msn_schema_lookup("VERX", MSN_SERVICE_NS, MSN_FROM_CLIENT, 12));
	/* numeric names are looked up under NNN */
	g_assert_true(msn_schema_lookup("911", MSN_SERVICE_NS, MSN_FROM_SERVER, 12) ==
	              msn_schema_lookup("NNN", MSN_SERVICE_NS, MSN_FROM_SERVER, 12));
	g_assert_nonnull(msn_schema_lookup("911", MSN_SERVICE_NS, MSN_FROM_SERVER, 12));
}

/* ---- every row: a valid example, one too few, one too many -------------- */

/* Builds "NAME [trid] p0 p1 …" with n parameters; the last one is the
 * payload length 0 for payload rows (unless without TrID, where a number
 * would be read as the TrID). */
static char *
example_full(const MsnCommandSchema *row, guint n, gboolean with_trid,
             gboolean numeric_len)
{
	GString *s = g_string_new(strcmp(row->name, "NNN") == 0 ? "911" : row->name);
	guint i;

	if (with_trid)
		g_string_append(s, " 42");
	for (i = 0; i < n; i++) {
		if (i + 1 == n && row->payload != MSN_PAYLOAD_NONE && numeric_len)
			g_string_append(s, " 0");
		else
			g_string_append_printf(s, " p%u", i);
	}
	return g_string_free(s, FALSE);
}

static char *
example(const MsnCommandSchema *row, guint n, gboolean with_trid)
{
	return example_full(row, n, with_trid, TRUE);
}

static MsnCommand *
parse(const char *line, const MsnCommandSchema *row, guint version,
      gsize *plen, GError **error)
{
	return msn_command_parse_line(line, strlen(line), row->service, row->dir,
	                              version, plen, error);
}

static void
test_every_row(void)
{
	gsize n, i;
	const MsnCommandSchema *t = msn_schema_table(&n);

	for (i = 0; i < n; i++) {
		const MsnCommandSchema *row = &t[i];
		gboolean with_trid = row->trid != MSN_TRID_NONE;
		guint v;

		for (v = row->min_version; v <= row->max_version; v++) {
			guint k;

			/* every count in [min, max] is accepted */
			for (k = row->min_params; k <= row->max_params; k++) {
				g_autofree char *line = example(row, k, with_trid);
				GError *error = NULL;
				gsize plen = 99;
				g_autoptr(MsnCommand) cmd = parse(line, row, v, &plen, &error);

				if (error)
					g_error("MSNP%u \"%s\": %s", v, line, error->message);
				g_assert_nonnull(cmd);
				g_assert_true(cmd->schema == row);
				g_assert_cmpuint(cmd->n_params, ==, k);
				g_assert_cmpint(cmd->has_trid, ==, with_trid);
				if (with_trid)
					g_assert_cmpuint(cmd->trid, ==, 42);
				g_assert_cmpuint(plen, ==, 0);
				g_assert_null(cmd->payload);
			}
			/* one too few */
			if (row->min_params > 0) {
				g_autofree char *line = example(row, row->min_params - 1,
				                                with_trid);
				GError *error = NULL;
				MsnCommand *cmd = parse(line, row, v, NULL, &error);

				g_assert_null(cmd);
				g_assert_error(error, MSN_PROTO_ERROR,
				               MSN_PROTO_ERROR_BAD_PARAMS);
				g_assert_false(msn_proto_error_is_fatal(error));
				g_error_free(error);
			}
			/* one too many */
			{
				g_autofree char *line = example(row, row->max_params + 1,
				                                with_trid);
				GError *error = NULL;
				MsnCommand *cmd = parse(line, row, v, NULL, &error);

				g_assert_null(cmd);
				g_assert_error(error, MSN_PROTO_ERROR,
				               MSN_PROTO_ERROR_BAD_PARAMS);
				g_error_free(error);
			}
			/* a TrID is demanded where the row says ALWAYS */
			if (row->trid == MSN_TRID_ALWAYS) {
				g_autofree char *line = example_full(row, row->max_params,
				                                     FALSE, FALSE);
				GError *error = NULL;
				MsnCommand *cmd = parse(line, row, v, NULL, &error);

				g_assert_null(cmd);
				g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_BAD_TRID);
				g_error_free(error);
			}
		}
	}
}

/* ---- real lines from the reference -------------------------------------- */

typedef struct {
	MsnService service;
	MsnDirection dir;
	guint version;
	const char *line;
	int error;            /* -1 = must parse */
	guint n_params;
	gsize payload_len;
} Example;

#define OK -1
#define BADP MSN_PROTO_ERROR_BAD_PARAMS
#define UNK MSN_PROTO_ERROR_UNKNOWN_COMMAND
#define BADT MSN_PROTO_ERROR_BAD_TRID
#define NS MSN_SERVICE_NS
#define SB MSN_SERVICE_SB
#define C MSN_FROM_CLIENT
#define S MSN_FROM_SERVER

static const Example examples[] = {
	/* login */
	{ NS, S, 14, "VER 1 MSNP14", OK, 1, 0 },
	{ NS, S, 12, "VER 1 0", OK, 1, 0 },
	{ NS, S, 12, "CVR 2 7.5.0324 7.5.0324 7.5.0324 https://x https://y", OK, 5, 0 },
	{ NS, S, 8, "USR 6 TWN S lc=1033,id=507,tw=40", OK, 3, 0 },
	{ NS, S, 8, "USR 7 OK me@example.com Me%20Myself 1 0", OK, 5, 0 },
	{ NS, S, 9, "USR 7 OK me@example.com", BADP, 0, 0 },        /* 8–9 need the name */
	{ NS, S, 10, "USR 7 OK me@example.com 1 0", OK, 4, 0 },
	{ NS, S, 10, "USR 7 OK", BADP, 0, 0 },
	{ NS, S, 10, "USR 7 TWN S", BADP, 0, 0 },
	{ NS, S, 12, "XFR 3 NS 10.0.0.5:1863 0 10.0.0.1:1863", OK, 4, 0 },
	{ NS, S, 13, "XFR 3 NS 10.0.0.5:1863 U D", OK, 4, 0 },
	{ NS, S, 12, "XFR 15 SB 10.0.0.9:1864 CKI 1834509262.23415.1123", OK, 4, 0 },
	{ NS, S, 13, "XFR 15 SB 10.0.0.9:1864 CKI 18345.1 U messenger.msn.com", OK, 6, 0 },
	{ NS, S, 14, "XFR 15 SB 10.0.0.9:1864 CKI 18345.1 U messenger.msn.com 1", OK, 7, 0 },
	{ NS, S, 12, "XFR 15 SB 10.0.0.9:1864 CKI 18345.1 U messenger.msn.com 1", BADP, 0, 0 },
	{ NS, S, 14, "XFR 15 SB 10.0.0.9:1864 CKI 18345.1 U messenger.msn.com 1 x y", BADP, 0, 0 },
	{ NS, S, 14, "XFR 15 SB 10.0.0.9:1864 CKI", BADP, 0, 0 },   /* no cookie */
	{ NS, S, 14, "OUT", OK, 0, 0 },
	{ NS, S, 14, "OUT OTH", OK, 1, 0 },
	{ NS, S, 11, "OUT RCT 5", OK, 2, 0 },
	{ NS, S, 11, "OUT RCT", BADP, 0, 0 },
	{ NS, S, 11, "SBS 0 null", OK, 1, 0 },
	{ NS, S, 14, "GCF 0 201", OK, 1, 201 },
	{ NS, S, 11, "GCF 9 Shields.xml 145", OK, 2, 145 },
	/* lists 8–12 */
	{ NS, S, 8, "SYN 8 101 3 2", OK, 3, 0 },
	{ NS, S, 9, "SYN 8 101", OK, 1, 0 },
	{ NS, S, 12, "SYN 8 2006-01-02T03:04:05.0000000-08:00 2006-01-02T03:04:05.0000000-08:00", OK, 2, 0 },
	{ NS, S, 12, "SYN 8 2006-01-02T03:04:05.0000000-08:00", BADP, 0, 0 },
	{ NS, S, 8, "LSG 0 Other%20Contacts 0", OK, 3, 0 },
	{ NS, S, 10, "LSG Friends 4a0dfd4e-5b43-4b47-a2c2-f0fe7a7e2a59", OK, 2, 0 },
	{ NS, S, 8, "LST bob@example.com Bob 11 0", OK, 4, 0 },
	{ NS, S, 8, "LST bob@example.com 11", BADP, 0, 0 },
	{ NS, S, 11, "LST N=bob@example.com F=Bob C=4a0d 11 ", OK, 4, 0 },
	{ NS, S, 12, "LST N=bob@example.com 8 1", OK, 3, 0 },
	{ NS, S, 12, "LST N=bob@example.com", BADP, 0, 0 },
	{ NS, S, 8, "BPR 12 bob@example.com PHH 555", OK, 4, 0 },
	{ NS, S, 10, "BPR PHH", OK, 1, 0 },
	{ NS, S, 9, "ADD 0 RL 12 bob@example.com Bob", OK, 4, 0 },
	{ NS, S, 9, "ADD 5 FL 12 bob@example.com Bob 0", OK, 5, 0 },
	{ NS, S, 12, "ADC 0 RL N=bob@example.com F=Bob", OK, 3, 0 },
	{ NS, S, 12, "ADC 5 AL N=bob@example.com", OK, 2, 0 },
	{ NS, S, 12, "REM 0 RL bob@example.com", OK, 2, 0 },
	{ NS, S, 9, "REM 6 FL 13 bob@example.com 1", OK, 4, 0 },
	{ NS, S, 9, "ADG 7 14 New%20Group 1 0", OK, 4, 0 },
	{ NS, S, 12, "ADG 7 New%20Group 4a0d", OK, 2, 0 },
	{ NS, S, 12, "RMG 8 1 4a0d", OK, 2, 0 },
	{ NS, S, 12, "REG 9 1 name 4a0d 0", OK, 4, 0 },
	{ NS, S, 9, "REA 10 15 me@example.com Me", OK, 3, 0 },
	{ NS, S, 12, "SBP 11 4a0d MFN Bobby", OK, 3, 0 },
	{ NS, S, 9, "GTC 12 16 N", OK, 2, 0 },
	/* lists 13–14 */
	{ NS, S, 13, "ADL 8 OK", OK, 1, 0 },
	{ NS, S, 13, "ADL 0 87", OK, 1, 87 },
	{ NS, S, 14, "RML 0 87", OK, 1, 87 },
	{ NS, S, 14, "FQY 10 52", OK, 1, 52 },
	{ NS, S, 14, "UUN 11 OK", OK, 1, 0 },
	{ NS, S, 13, "UBN bob@example.com 1 100", OK, 3, 100 },
	{ NS, S, 14, "UBM bob@yahoo.com 32 1 120", OK, 4, 120 },
	/* presence */
	{ NS, S, 8, "CHG 9 NLN 0", OK, 2, 0 },
	{ NS, S, 12, "CHG 9 AWY 1073741856 %3Cmsnobj%2F%3E", OK, 3, 0 },
	{ NS, S, 8, "ILN 9 NLN bob@example.com Bob%20B. 28", OK, 4, 0 },
	{ NS, S, 12, "ILN 9 BSY bob@example.com Bob%20B. 1073741856 %3Cmsnobj%2F%3E", OK, 5, 0 },
	{ NS, S, 14, "ILN 9 BSY bob@example.com 1 Bob%20B. 1073741856 %3Cmsnobj%2F%3E", OK, 6, 0 },
	{ NS, S, 14, "ILN 9 BSY bob@example.com 1", BADP, 0, 0 },
	{ NS, S, 12, "ILN NLN bob@example.com Bob 0", BADT, 0, 0 },
	{ NS, S, 12, "NLN AWY bob@example.com Bob%20B. 1073741856", OK, 4, 0 },
	{ NS, S, 14, "NLN AWY bob@example.com 1 Bob%20B. 1073741856 %3Cmsnobj%2F%3E http://icon", OK, 7, 0 },
	{ NS, S, 12, "NLN AWY bob@example.com", BADP, 0, 0 },
	{ NS, S, 12, "FLN bob@example.com", OK, 1, 0 },
	{ NS, S, 14, "FLN bob@example.com 1", OK, 2, 0 },
	{ NS, S, 14, "FLN bob@example.com 1 0", OK, 3, 0 },
	{ NS, S, 11, "UBX bob@example.com 58", OK, 2, 58 },
	{ NS, S, 14, "UBX bob@example.com 1 58", OK, 3, 58 },
	{ NS, S, 14, "UBX bob@example.com", BADP, 0, 0 },
	{ NS, S, 11, "UUX 10 0", OK, 1, 0 },
	/* misc */
	{ NS, S, 8, "QNG", OK, 0, 0 },
	{ NS, S, 9, "QNG 50", OK, 1, 0 },
	{ NS, S, 12, "CHL 0 19383247231184367291", OK, 1, 0 },
	{ NS, S, 12, "QRY 42", OK, 0, 0 },
	{ NS, S, 12, "URL 5 /cgi-bin/HoTMaiL https://login.example/ppsecure/md5auth.srf?lc=1033 2", OK, 3, 0 },
	{ NS, S, 12, "MSG Hotmail Hotmail 465", OK, 3, 465 },
	{ NS, S, 12, "NOT 300", OK, 1, 300 },
	{ NS, S, 12, "IPG 30", OK, 1, 30 },
	{ NS, S, 12, "RNG 11752099 10.0.0.9:1864 CKI 99120315.3301.7 bob@example.com Bob%20B.", OK, 6, 0 },
	{ NS, S, 13, "RNG 11752099 10.0.0.9:1864 CKI 99120315.3301.7 bob@example.com Bob%20B. U messenger.hotmail.com", OK, 8, 0 },
	{ NS, S, 14, "RNG 11752099 10.0.0.9:1864 CKI 99120315.3301.7 bob@example.com Bob%20B. U messenger.hotmail.com 1", OK, 9, 0 },
	{ NS, S, 14, "RNG 11752099 10.0.0.9:1864 CKI 99120315.3301.7 bob@example.com", BADP, 0, 0 },
	{ NS, S, 12, "911 7", OK, 0, 0 },
	{ NS, S, 13, "241 7 120", OK, 1, 120 },
	/* client lines (what the test server reads) */
	{ NS, C, 14, "VER 1 MSNP14 MSNP13 CVR0", OK, 3, 0 },
	{ NS, C, 14, "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 8.1.0178 msmsgs me@example.com", OK, 8, 0 },
	{ NS, C, 14, "CVR 2 0x0409 winnt 5.1 i386", BADP, 0, 0 },
	{ NS, C, 14, "USR 3 TWN I me@example.com", OK, 3, 0 },
	{ NS, C, 14, "USR 3 TWN I", BADP, 0, 0 },
	{ NS, C, 12, "XFR 4 SB", OK, 1, 0 },
	{ NS, C, 12, "SYN 5 0 0", OK, 2, 0 },
	{ NS, C, 8, "SYN 5 0", OK, 1, 0 },
	{ NS, C, 13, "SYN 5 0 0", UNK, 0, 0 },
	{ NS, C, 12, "PRP 6 MFN Me%20Myself", OK, 2, 0 },
	{ NS, C, 9, "ADD 7 FL bob@example.com Bob 0", OK, 4, 0 },
	{ NS, C, 12, "ADC 7 FL N=bob@example.com F=Bob", OK, 3, 0 },
	{ NS, C, 12, "ADC 7 FL C=4a0d 1e2f", OK, 3, 0 },
	{ NS, C, 12, "REM 8 PL bob@example.com", OK, 2, 0 },
	{ NS, C, 9, "ADG 9 New%20Group 0", OK, 2, 0 },
	{ NS, C, 9, "REA 10 me@example.com Me", OK, 2, 0 },
	{ NS, C, 12, "SBP 11 4a0d MFN Bobby", OK, 3, 0 },
	{ NS, C, 12, "GCF 12 Shields.xml", OK, 1, 0 },
	{ NS, C, 13, "ADL 13 110", OK, 1, 110 },
	{ NS, C, 14, "FQY 14 46", OK, 1, 46 },
	{ NS, C, 14, "UUM 15 bob@yahoo.com 32 1 100", OK, 4, 100 },
	{ NS, C, 13, "UUN 16 bob@example.com 1 20", OK, 3, 20 },
	{ NS, C, 9, "CHG 17 NLN 0 %3Cmsnobj%2F%3E", OK, 3, 0 },
	{ NS, C, 11, "UUX 18 53", OK, 1, 53 },
	{ NS, C, 11, "UUX 18", BADP, 0, 0 },
	{ NS, C, 12, "QRY 19 PROD0090YUAUV{2B 32", OK, 2, 32 },
	{ NS, C, 12, "PNG", OK, 0, 0 },
	{ NS, C, 12, "PNG 5", BADP, 0, 0 },
	{ NS, C, 12, "OUT", OK, 0, 0 },
	{ NS, C, 12, "BLP 20 BL", OK, 1, 0 },
	{ NS, C, 12, "GTC 21 N", OK, 1, 0 },
	{ NS, C, 12, "URL 22 INBOX", OK, 1, 0 },
	/* switchboard */
	{ SB, S, 12, "USR 1 OK me@example.com My%20Name", OK, 3, 0 },
	{ SB, S, 12, "IRO 1 1 2 bob@example.com Bob%20B. 1073741856", OK, 5, 0 },
	{ SB, S, 9, "IRO 1 1 2 bob@example.com Bob%20B.", OK, 4, 0 },
	{ SB, S, 9, "IRO 1 1 2 bob@example.com Bob%20B. 1 2", BADP, 0, 0 },
	{ SB, S, 12, "ANS 1 OK", OK, 1, 0 },
	{ SB, S, 12, "CAL 2 RINGING 11752099", OK, 2, 0 },
	{ SB, S, 12, "CAL 2 RINGING", BADP, 0, 0 },
	{ SB, S, 12, "JOI bob@example.com Bob%20B. 1073741856", OK, 3, 0 },
	{ SB, S, 9, "JOI bob@example.com Bob%20B.", OK, 2, 0 },
	{ SB, S, 12, "BYE bob@example.com", OK, 1, 0 },
	{ SB, S, 12, "BYE bob@example.com 1", OK, 2, 0 },
	{ SB, S, 12, "MSG bob@example.com Bob%20B. 133", OK, 3, 133 },
	{ SB, S, 12, "ACK 3", OK, 0, 0 },
	{ SB, S, 12, "NAK 3", OK, 0, 0 },
	{ SB, S, 12, "282 3", OK, 0, 0 },
	{ SB, S, 12, "RNG 1 2 3 4 5 6", UNK, 0, 0 },
	{ SB, C, 12, "USR 1 me@example.com 1834509262.23415.1123", OK, 2, 0 },
	{ SB, C, 12, "ANS 1 me@example.com 99120315.3301.7 11752099", OK, 3, 0 },
	{ SB, C, 12, "CAL 2 bob@example.com", OK, 1, 0 },
	{ SB, C, 12, "MSG 3 A 133", OK, 2, 133 },
	{ SB, C, 12, "MSG 3 133", BADP, 0, 0 },
	{ SB, C, 12, "OUT", OK, 0, 0 },
};

static void
test_examples(void)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(examples); i++) {
		const Example *e = &examples[i];
		GError *error = NULL;
		gsize plen = 12345;
		MsnCommand *cmd = msn_command_parse_line(e->line, strlen(e->line),
		                                         e->service, e->dir, e->version,
		                                         &plen, &error);

		g_test_message("MSNP%u %s %s: %s", e->version,
		               e->service == MSN_SERVICE_NS ? "NS" : "SB",
		               e->dir == MSN_FROM_SERVER ? "S" : "C", e->line);
		if (e->error == OK) {
			g_assert_no_error(error);
			g_assert_nonnull(cmd);
			g_assert_cmpuint(cmd->n_params, ==, e->n_params);
			g_assert_cmpuint(plen, ==, e->payload_len);
			msn_command_free(cmd);
		} else {
			g_assert_null(cmd);
			g_assert_error(error, MSN_PROTO_ERROR, e->error);
			g_error_free(error);
		}
	}
}

#undef NS
#undef SB
#undef C
#undef S

static void
test_parse_line_payload_skip(void)
{
	GError *error = NULL;
	gsize plen = 0;
	MsnCommand *cmd;

	/* a rejected payload command reports the bytes to skip */
	cmd = msn_command_parse_line("MSG a 17", 8, MSN_SERVICE_SB, MSN_FROM_SERVER,
	                             12, &plen, &error);
	g_assert_null(cmd);
	g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_BAD_PARAMS);
	g_assert_cmpuint(plen, ==, 17);
	g_clear_error(&error);

	/* … but never mistakes a lone TrID for a length */
	cmd = msn_command_parse_line("UUX 17", 6, MSN_SERVICE_NS, MSN_FROM_CLIENT,
	                             12, &plen, &error);
	g_assert_null(cmd);
	g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_BAD_PARAMS);
	g_assert_cmpuint(plen, ==, 0);
	g_clear_error(&error);

	/* zero-length payload vs none */
	cmd = msn_command_parse_line("UUX 5 0", 7, MSN_SERVICE_NS, MSN_FROM_SERVER,
	                             12, &plen, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(plen, ==, 0);
	g_assert_true(msn_command_expects_payload(cmd));
	msn_command_free(cmd);
	cmd = msn_command_parse_line("ADL 5 OK", 8, MSN_SERVICE_NS, MSN_FROM_SERVER,
	                             13, &plen, &error);
	g_assert_no_error(error);
	g_assert_false(msn_command_expects_payload(cmd));
	msn_command_free(cmd);
	cmd = msn_command_parse_line("ADL 0 5", 7, MSN_SERVICE_NS, MSN_FROM_SERVER,
	                             13, &plen, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(plen, ==, 5);
	g_assert_true(msn_command_expects_payload(cmd));
	msn_command_free(cmd);
	cmd = msn_command_parse_line("UUX 5", 5, MSN_SERVICE_NS, MSN_FROM_SERVER,
	                             12, &plen, &error);
	g_assert_no_error(error);
	g_assert_false(msn_command_expects_payload(cmd));
	msn_command_free(cmd);
	cmd = msn_command_parse_line("QNG 5", 5, MSN_SERVICE_NS, MSN_FROM_SERVER,
	                             12, &plen, &error);
	g_assert_false(msn_command_expects_payload(cmd));
	msn_command_free(cmd);

	/* the line may come with its CR; NULL payload_len is fine */
	cmd = msn_command_parse_line("QNG 5\r", 6, MSN_SERVICE_NS, MSN_FROM_SERVER,
	                             12, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(cmd->params[0], ==, "5");
	msn_command_free(cmd);

	/* an error pointer is optional */
	g_assert_null(msn_command_parse_line("", 0, MSN_SERVICE_NS,
	                                     MSN_FROM_SERVER, 12, NULL, NULL));
}

static void
test_max_params(void)
{
	/* 32 parameters is the bound; a row never allows more */
	GString *s = g_string_new("VER 1");
	GError *error = NULL;
	MsnCommand *cmd;
	int i;

	for (i = 0; i < 40; i++)
		g_string_append(s, " MSNP8");
	cmd = msn_command_parse_line(s->str, s->len, MSN_SERVICE_NS,
	                             MSN_FROM_CLIENT, 12, NULL, &error);
	g_assert_null(cmd);
	g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_BAD_PARAMS);
	g_clear_error(&error);
	g_string_free(s, TRUE);
}

/* ---- builder ------------------------------------------------------------ */

static void
test_append(void)
{
	GString *out = g_string_new(NULL);
	const char *const ver[] = { "MSNP14", "MSNP13", "CVR0", NULL };
	const char *const uux[] = { NULL };
	g_autoptr(GBytes) data = g_bytes_new_static("<Data/>", 7);
	g_autoptr(GBytes) empty = g_bytes_new_static("", 0);
	GError *error = NULL;

	g_assert_true(msn_command_append(out, "VER", 1, ver, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(msn_command_append(out, "PNG", -1, NULL, NULL, &error));
	g_assert_true(msn_command_append(out, "UUX", 4294967295LL, uux, data, &error));
	g_assert_true(msn_command_append(out, "UUX", 0, NULL, empty, &error));
	g_assert_true(msn_command_append(out, "911", 7, NULL, NULL, &error));
	g_assert_cmpstr(out->str, ==,
	                "VER 1 MSNP14 MSNP13 CVR0\r\n"
	                "PNG\r\n"
	                "UUX 4294967295 7\r\n<Data/>"
	                "UUX 0 0\r\n"
	                "911 7\r\n");
	g_string_free(out, TRUE);
}

static void
test_append_rejects(void)
{
	static const struct {
		const char *name;
		gint64 trid;
		const char *params[4];
	} bad[] = {
		{ "VER", 4294967296LL, { NULL } },
		{ "VE", 1, { NULL } },
		{ "VERS", 1, { NULL } },
		{ "ver", 1, { NULL } },
		{ "V1R", 1, { NULL } },
		{ "012", 1, { NULL } },
		{ NULL, 1, { NULL } },
		{ "USR", 1, { "TWN", "S", "", NULL } },
		{ "USR", 1, { "TWN", "S", "t=secret value", NULL } },
		{ "USR", 1, { "TWN", "S", "t=secret\r\n", NULL } },
		{ "USR", 1, { "TWN", "S", "t=secret\n", NULL } },
		{ "USR", 1, { "secret\rvalue", NULL } },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		GString *out = g_string_new("keep");
		GError *error = NULL;

		g_assert_false(msn_command_append(out, bad[i].name, bad[i].trid,
		                                  bad[i].params, NULL, &error));
		g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_INVALID_ARGUMENT);
		g_assert_false(msn_proto_error_is_fatal(error));
		/* never quote a parameter: it could be a credential */
		g_assert_null(strstr(error->message, "secret"));
		g_assert_cmpstr(out->str, ==, "keep");
		g_error_free(error);
		g_string_free(out, TRUE);
	}
}

static void
test_append_limits(void)
{
	GString *out = g_string_new(NULL);
	GError *error = NULL;
	GPtrArray *params = g_ptr_array_new_with_free_func(g_free);
	g_autofree guint8 *big = g_malloc0(MSN_MAX_PAYLOAD + 1);
	g_autoptr(GBytes) max_payload = g_bytes_new_static(big, MSN_MAX_PAYLOAD);
	g_autoptr(GBytes) over_payload = g_bytes_new_static(big, MSN_MAX_PAYLOAD + 1);
	char *longp;
	int i;

	for (i = 0; i < MSN_MAX_PARAMS; i++)
		g_ptr_array_add(params, g_strdup("x"));
	g_ptr_array_add(params, NULL);
	/* 32 parameters fit … */
	g_assert_true(msn_command_append(out, "VER", 1,
	                                 (const char *const *)params->pdata, NULL,
	                                 &error));
	g_assert_no_error(error);
	/* … but not 32 plus a payload length */
	g_assert_false(msn_command_append(out, "VER", 1,
	                                  (const char *const *)params->pdata,
	                                  max_payload, &error));
	g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&error);

	g_assert_true(msn_command_append(out, "NOT", -1, NULL, max_payload, &error));
	g_assert_false(msn_command_append(out, "NOT", -1, NULL, over_payload, &error));
	g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_INVALID_ARGUMENT);
	g_clear_error(&error);

	/* a line of exactly MSN_MAX_LINE bytes is fine, one more is not */
	longp = g_malloc(MSN_MAX_LINE);
	memset(longp, 'a', MSN_MAX_LINE - 1);
	longp[MSN_MAX_LINE - 1] = '\0';
	longp[MSN_MAX_LINE - 8] = '\0';   /* "CHL 0 " + p + CRLF = MSN_MAX_LINE */
	{
		const char *p[] = { longp, NULL };
		gsize before = out->len;

		g_assert_true(msn_command_append(out, "CHL", 0, p, NULL, &error));
		g_assert_cmpuint(out->len - before, ==, MSN_MAX_LINE);
		longp[MSN_MAX_LINE - 8] = 'a';
		longp[MSN_MAX_LINE - 7] = '\0';
		g_assert_false(msn_command_append(out, "CHL", 0, p, NULL, &error));
		g_assert_error(error, MSN_PROTO_ERROR, MSN_PROTO_ERROR_INVALID_ARGUMENT);
		g_clear_error(&error);
	}
	g_free(longp);
	g_ptr_array_unref(params);
	g_string_free(out, TRUE);
}

static void
test_round_trip(void)
{
	/* what the builder writes, the framer reads back unchanged */
	GString *out = g_string_new(NULL);
	g_autoptr(MsnFramer) f = msn_framer_new(MSN_SERVICE_SB, MSN_FROM_CLIENT, 12);
	const char *const ack[] = { "A", NULL };
	const char *const usr[] = { "me@example.com", "123.456", NULL };
	g_autoptr(GBytes) msg = g_bytes_new_static("MIME-Version: 1.0\r\n\r\nhi\r\n", 25);
	MsnCommand *cmd;
	GError *error = NULL;

	g_assert_true(msn_command_append(out, "USR", 1, usr, NULL, NULL));
	g_assert_true(msn_command_append(out, "MSG", 2, ack, msg, NULL));
	g_assert_true(msn_command_append(out, "OUT", -1, NULL, NULL, NULL));
	msn_framer_push(f, (const guint8 *)out->str, out->len);

	cmd = msn_framer_next(f, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(cmd->name, ==, "USR");
	g_assert_cmpuint(cmd->trid, ==, 1);
	g_assert_cmpstr(cmd->params[1], ==, "123.456");
	msn_command_free(cmd);
	cmd = msn_framer_next(f, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(cmd->name, ==, "MSG");
	g_assert_true(g_bytes_equal(cmd->payload, msg));
	msn_command_free(cmd);
	cmd = msn_framer_next(f, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(cmd->name, ==, "OUT");
	g_assert_false(cmd->has_trid);
	msn_command_free(cmd);
	g_assert_null(msn_framer_next(f, &error));
	g_assert_no_error(error);
	g_string_free(out, TRUE);
}

static void
test_error_is_fatal(void)
{
	GError *e;

	g_assert_false(msn_proto_error_is_fatal(NULL));
	e = g_error_new_literal(G_FILE_ERROR, MSN_PROTO_ERROR_LINE_TOO_LONG, "x");
	g_assert_false(msn_proto_error_is_fatal(e));
	g_error_free(e);
	e = g_error_new_literal(MSN_PROTO_ERROR, MSN_PROTO_ERROR_POISONED, "x");
	g_assert_true(msn_proto_error_is_fatal(e));
	g_error_free(e);
	e = g_error_new_literal(MSN_PROTO_ERROR, MSN_PROTO_ERROR_INVALID_ARGUMENT, "x");
	g_assert_false(msn_proto_error_is_fatal(e));
	g_error_free(e);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/schema/table-sane", test_table_sane);
	g_test_add_func("/schema/forms-sane", test_forms_sane);
	g_test_add_func("/schema/table-complete", test_table_complete);
	g_test_add_func("/schema/every-row", test_every_row);
	g_test_add_func("/schema/examples", test_examples);
	g_test_add_func("/schema/parse-line-payload-skip", test_parse_line_payload_skip);
	g_test_add_func("/schema/max-params", test_max_params);
	g_test_add_func("/schema/error-is-fatal", test_error_is_fatal);
	g_test_add_func("/builder/append", test_append);
	g_test_add_func("/builder/rejects", test_append_rejects);
	g_test_add_func("/builder/limits", test_append_limits);
	g_test_add_func("/builder/round-trip", test_round_trip);
	return g_test_run();
}
