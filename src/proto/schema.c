/* purple-msnp — the command schema table.
 *
 * One row per command, service, direction and range of versions: whether the
 * command carries a TrID, how many parameters it has (TrID excluded, payload
 * length included) and whether its last parameter is a payload length.
 *
 * The minimum is what a handler may index without checking; the maximum is
 * the documented shape plus one or two trailing parameters where real servers
 * (Escargot, the official ones) add fields the reference does not need.
 * Sources: docs protocol/commands.md, README §2.2–2.3, presence.md,
 * switchboard.md, versions.md.
 *
 * Some commands have several shapes told apart by their first parameter
 * (USR OK / USR TWN S, XFR NS / XFR SB, OUT RCT …).  The main row carries the
 * widest bounds; the form table below narrows them per first parameter and
 * msn_command_parse_line() enforces both.
 */
#include "proto/schema-private.h"

#include <string.h>

#define NS  MSN_SERVICE_NS
#define SB  MSN_SERVICE_SB
#define C   MSN_FROM_CLIENT
#define S   MSN_FROM_SERVER
#define T0  MSN_TRID_NONE
#define T1  MSN_TRID_ALWAYS
#define TN  MSN_TRID_IF_NUMERIC
#define P0  MSN_PAYLOAD_NONE
#define PL  MSN_PAYLOAD_LAST
#define PK  MSN_PAYLOAD_LAST_UNLESS_OK

static const MsnCommandSchema schema_table[] = {
	/* ---- NS, server -> client ------------------------------------------ */
	/* VER trid MSNPx | VER trid 0 */
	{ "VER", NS, S,  8, 14, T1, 1, 12, P0 },
	/* CVR trid rec rec2 min dl-url info-url: content is ignored */
	{ "CVR", NS, S,  8, 14, T1, 1,  8, P0 },
	/* USR trid TWN S policy | USR trid OK handle friendly verified restricted */
	{ "USR", NS, S,  8,  9, T1, 2,  6, P0 },
	/* USR trid TWN S policy | USR trid OK handle verified restricted */
	{ "USR", NS, S, 10, 14, T1, 2,  5, P0 },
	/* XFR trid NS host 0 cur | XFR trid NS host U D | XFR trid SB host CKI cookie {U dom} {1} */
	{ "XFR", NS, S,  8, 14, T1, 2,  8, P0 },
	/* OUT | OUT OTH | OUT RCT minutes */
	{ "OUT", NS, S,  8, 14, T0, 0,  2, P0 },
	/* SYN trid list-ver {#contacts #groups} */
	{ "SYN", NS, S,  8,  9, T1, 1,  4, P0 },
	/* SYN trid ts1 ts2 {#contacts #groups} */
	{ "SYN", NS, S, 10, 12, T1, 2,  5, P0 },
	/* in SYN: GTC A; reply 8–9: GTC trid ver A; 10–12: GTC trid A */
	{ "GTC", NS, S,  8, 12, TN, 1,  2, P0 },
	/* in SYN: BLP AL; reply 8–9: BLP trid ver AL; 10+: BLP trid AL */
	{ "BLP", NS, S,  8, 14, TN, 1,  2, P0 },
	/* in SYN: PRP key {value}; reply 8–9: PRP trid ver key {value}; 10+: PRP trid key {value} */
	{ "PRP", NS, S,  8, 14, TN, 1,  3, P0 },
	/* LSG id name 0 */
	{ "LSG", NS, S,  8,  9, T0, 2,  4, P0 },
	/* LSG name guid; an empty name leaves the GUID alone (kept, named after it) */
	{ "LSG", NS, S, 10, 12, T0, 1,  3, P0 },
	/* LST handle friendly bits {gids} */
	{ "LST", NS, S,  8,  9, T0, 3,  5, P0 },
	/* LST N=h {F=f} {C=guid} bits {guids}: parse by prefix */
	{ "LST", NS, S, 10, 11, T0, 2,  6, P0 },
	/* LST N=h {F=f} {C=guid} bits nid {guids} */
	{ "LST", NS, S, 12, 12, T0, 2,  7, P0 },
	/* in SYN: BPR key {value}; async: BPR ver handle key {value} */
	{ "BPR", NS, S,  8,  9, T0, 1,  5, P0 },
	/* in SYN: BPR key {value}; async: BPR handle key {value} */
	{ "BPR", NS, S, 10, 12, T0, 1,  4, P0 },
	/* GCF trid Shields.xml len (11–12) | GCF 0 len (13+) */
	{ "GCF", NS, S, 11, 14, T1, 1,  3, PL },
	/* SBS 0 null */
	{ "SBS", NS, S, 11, 14, T1, 1,  2, P0 },
	/* ADD trid list ver handle name {gid} | ADD 0 RL ver handle name */
	{ "ADD", NS, S,  8,  9, T1, 4,  6, P0 },
	/* ADC trid FL N= F= C= | ADC trid FL C= gguid | ADC trid AL N= | ADC 0 RL N= F= */
	{ "ADC", NS, S, 10, 12, T1, 2,  5, P0 },
	/* REM trid list {ver} handle {gid} */
	{ "REM", NS, S,  8,  9, T1, 2,  5, P0 },
	/* REM trid list guid|handle {gguid} */
	{ "REM", NS, S, 10, 12, T1, 2,  4, P0 },
	/* ADG trid {ver} name id 0 */
	{ "ADG", NS, S,  8,  9, T1, 3,  5, P0 },
	/* ADG trid name guid {0} */
	{ "ADG", NS, S, 10, 12, T1, 2,  4, P0 },
	/* RMG trid {ver} id */
	{ "RMG", NS, S,  8, 12, T1, 1,  3, P0 },
	/* REG trid ver id name 0 */
	{ "REG", NS, S,  8,  9, T1, 3,  5, P0 },
	/* REG trid {1} guid|name name|guid {0} */
	{ "REG", NS, S, 10, 12, T1, 2,  5, P0 },
	/* REA trid ver handle name */
	{ "REA", NS, S,  8,  9, T1, 3,  4, P0 },
	/* SBP trid guid MFN name */
	{ "SBP", NS, S, 10, 12, T1, 3,  4, P0 },
	/* ADL trid OK | ADL 0 len */
	{ "ADL", NS, S, 13, 14, T1, 1,  2, PK },
	{ "RML", NS, S, 13, 14, T1, 1,  2, PK },
	/* FQY trid len */
	{ "FQY", NS, S, 14, 14, T1, 1,  2, PL },
	/* UUN trid OK */
	{ "UUN", NS, S, 13, 14, T1, 1,  3, PK },
	/* UBN handle type len */
	{ "UBN", NS, S, 13, 14, T0, 3,  4, PL },
	/* UBM handle nid type len */
	{ "UBM", NS, S, 14, 14, T0, 4,  5, PL },
	/* CHG trid STS {caps} (the seeds show the echo without caps) */
	{ "CHG", NS, S,  8,  8, T1, 1,  3, P0 },
	/* CHG trid STS {caps} {msnobj} */
	{ "CHG", NS, S,  9, 14, T1, 1,  4, P0 },
	/* ILN trid STS handle name {caps} */
	{ "ILN", NS, S,  8,  8, T1, 3,  5, P0 },
	/* ILN trid STS handle name {caps} {msnobj} */
	{ "ILN", NS, S,  9, 13, T1, 3,  6, P0 },
	/* ILN trid STS handle nid name {caps} {msnobj} {icon-url} */
	{ "ILN", NS, S, 14, 14, T1, 4,  8, P0 },
	{ "NLN", NS, S,  8,  8, T0, 3,  5, P0 },
	{ "NLN", NS, S,  9, 13, T0, 3,  6, P0 },
	{ "NLN", NS, S, 14, 14, T0, 4,  8, P0 },
	/* FLN handle (extra trailing fields tolerated: Escargot appends "1 0") */
	{ "FLN", NS, S,  8, 13, T0, 1,  3, P0 },
	/* FLN handle nid (Escargot: FLN handle 1 0) */
	{ "FLN", NS, S, 14, 14, T0, 2,  3, P0 },
	/* UUX trid 0 (a zero-length payload) | UUX trid (wiki) */
	{ "UUX", NS, S, 11, 14, T1, 0,  1, PL },
	/* UBX handle len */
	{ "UBX", NS, S, 11, 13, T0, 2,  3, PL },
	/* UBX handle nid len */
	{ "UBX", NS, S, 14, 14, T0, 3,  4, PL },
	/* QNG (8) | QNG seconds (9+; tolerated without) */
	{ "QNG", NS, S,  8,  8, T0, 0,  1, P0 },
	{ "QNG", NS, S,  9, 14, T0, 0,  1, P0 },
	/* CHL 0 challenge */
	{ "CHL", NS, S,  8, 14, T1, 1,  2, P0 },
	/* QRY trid: the last token is the TrID, not a length */
	{ "QRY", NS, S,  8, 14, T1, 0,  1, P0 },
	/* URL trid path login-url id */
	{ "URL", NS, S,  8, 14, T1, 2,  4, P0 },
	/* SND trid OK */
	{ "SND", NS, S,  8, 14, T1, 1,  2, P0 },
	/* IMS trid 0 ON|OFF */
	{ "IMS", NS, S,  8, 14, T1, 1,  3, P0 },
	/* MSG Hotmail Hotmail len */
	{ "MSG", NS, S,  8, 14, T0, 3,  3, PL },
	/* NOT len */
	{ "NOT", NS, S,  8, 14, T0, 1,  1, PL },
	/* IPG len */
	{ "IPG", NS, S,  8, 14, T0, 1,  1, PL },
	/* RNG sid host CKI cookie handle name {U domain} {direct} */
	{ "RNG", NS, S,  8, 12, T0, 6,  8, P0 },
	{ "RNG", NS, S, 13, 13, T0, 6,  9, P0 },
	{ "RNG", NS, S, 14, 14, T0, 6, 10, P0 },
	/* NNN trid {len} */
	{ "NNN", NS, S,  8, 14, T1, 0,  1, PL },

	/* ---- NS, client -> server ------------------------------------------ */
	/* VER trid MSNPa … CVR0 */
	{ "VER", NS, C,  8, 14, T1, 1, 16, P0 },
	/* CVR trid locale os os-ver arch lib client-ver client-name handle (Escargot needs 6) */
	{ "CVR", NS, C,  8, 14, T1, 6,  9, P0 },
	/* USR trid TWN I handle | USR trid TWN S ticket */
	{ "USR", NS, C,  8, 14, T1, 3,  3, P0 },
	/* XFR trid SB */
	{ "XFR", NS, C,  8, 14, T1, 1,  1, P0 },
	{ "OUT", NS, C,  8, 14, T0, 0,  0, P0 },
	/* SYN trid ver */
	{ "SYN", NS, C,  8,  9, T1, 1,  1, P0 },
	/* SYN trid ts1 ts2 */
	{ "SYN", NS, C, 10, 12, T1, 2,  2, P0 },
	{ "GTC", NS, C,  8, 12, T1, 1,  1, P0 },
	{ "BLP", NS, C,  8, 14, T1, 1,  1, P0 },
	/* PRP trid key {value} (no value = clear) */
	{ "PRP", NS, C,  8, 14, T1, 1,  2, P0 },
	/* ADD trid list handle name {gid} */
	{ "ADD", NS, C,  8,  9, T1, 3,  4, P0 },
	/* ADC trid FL N= F= | ADC trid FL C= gguid | ADC trid AL N= */
	{ "ADC", NS, C, 10, 12, T1, 2,  3, P0 },
	/* REM trid list handle|guid {group} */
	{ "REM", NS, C,  8, 12, T1, 2,  3, P0 },
	/* ADG trid name 0 (8–9) | ADG trid name (10–12) */
	{ "ADG", NS, C,  8,  9, T1, 1,  2, P0 },
	{ "ADG", NS, C, 10, 12, T1, 1,  1, P0 },
	{ "RMG", NS, C,  8, 12, T1, 1,  1, P0 },
	/* REG trid id name 0 (8–9) | REG trid guid name (10–12) */
	{ "REG", NS, C,  8,  9, T1, 2,  3, P0 },
	{ "REG", NS, C, 10, 12, T1, 2,  2, P0 },
	/* REA trid handle name */
	{ "REA", NS, C,  8,  9, T1, 2,  2, P0 },
	/* SBP trid guid MFN name */
	{ "SBP", NS, C, 10, 12, T1, 3,  3, P0 },
	/* GCF trid Shields.xml */
	{ "GCF", NS, C, 11, 14, T1, 1,  1, P0 },
	/* ADL trid len */
	{ "ADL", NS, C, 13, 14, T1, 1,  1, PL },
	{ "RML", NS, C, 13, 14, T1, 1,  1, PL },
	{ "FQY", NS, C, 14, 14, T1, 1,  1, PL },
	/* UUN trid handle type len */
	{ "UUN", NS, C, 13, 14, T1, 3,  3, PL },
	/* UUM trid handle nid type len */
	{ "UUM", NS, C, 14, 14, T1, 4,  4, PL },
	/* CHG trid STS caps (caps tolerated missing: the seeds omit it) */
	{ "CHG", NS, C,  8,  8, T1, 1,  2, P0 },
	/* CHG trid STS caps {msnobj} */
	{ "CHG", NS, C,  9, 14, T1, 1,  3, P0 },
	/* UUX trid len */
	{ "UUX", NS, C, 11, 14, T1, 1,  1, PL },
	{ "PNG", NS, C,  8, 14, T0, 0,  0, P0 },
	/* CHL trid (a client asking for a challenge; never needed) */
	{ "CHL", NS, C,  8, 14, T1, 0,  0, P0 },
	/* QRY trid product-id 32 */
	{ "QRY", NS, C,  8, 14, T1, 2,  2, PL },
	/* URL trid SERVICE {arg} */
	{ "URL", NS, C,  8, 14, T1, 1,  2, P0 },
	/* SND trid email {locale …} */
	{ "SND", NS, C,  8, 14, T1, 1,  4, P0 },
	/* IMS trid ON|OFF */
	{ "IMS", NS, C,  8, 14, T1, 1,  1, P0 },

	/* ---- SB, server -> client ------------------------------------------ */
	/* USR trid OK handle {name} */
	{ "USR", SB, S,  8, 14, T1, 2,  4, P0 },
	/* IRO trid index total handle name */
	{ "IRO", SB, S,  8, 11, T1, 4,  5, P0 },
	/* IRO trid index total handle name {caps} */
	{ "IRO", SB, S, 12, 14, T1, 4,  6, P0 },
	/* ANS trid OK */
	{ "ANS", SB, S,  8, 14, T1, 1,  1, P0 },
	/* CAL trid RINGING session-id */
	{ "CAL", SB, S,  8, 14, T1, 2,  3, P0 },
	/* JOI handle name */
	{ "JOI", SB, S,  8, 11, T0, 2,  3, P0 },
	/* JOI handle name {caps} */
	{ "JOI", SB, S, 12, 14, T0, 2,  4, P0 },
	/* BYE handle {1} */
	{ "BYE", SB, S,  8, 14, T0, 1,  3, P0 },
	/* MSG handle name len */
	{ "MSG", SB, S,  8, 14, T0, 3,  3, PL },
	/* ACK trid | NAK trid */
	{ "ACK", SB, S,  8, 14, T1, 0,  1, P0 },
	{ "NAK", SB, S,  8, 14, T1, 0,  1, P0 },
	{ "OUT", SB, S,  8, 14, T0, 0,  2, P0 },
	{ "NNN", SB, S,  8, 14, T1, 0,  1, PL },

	/* ---- SB, client -> server ------------------------------------------ */
	/* USR trid handle cookie */
	{ "USR", SB, C,  8, 14, T1, 2,  2, P0 },
	/* ANS trid handle cookie session-id */
	{ "ANS", SB, C,  8, 14, T1, 3,  3, P0 },
	/* CAL trid handle */
	{ "CAL", SB, C,  8, 14, T1, 1,  1, P0 },
	/* MSG trid U|N|A|D len */
	{ "MSG", SB, C,  8, 14, T1, 2,  2, PL },
	{ "OUT", SB, C,  8, 14, T0, 0,  0, P0 },
};

/* Narrower bounds for the shapes told apart by the first parameter. */
static const MsnCommandForm form_table[] = {
	/* USR trid OK handle friendly {verified restricted} */
	{ "USR", NS, S,  8,  9, "OK",  3, 6 },
	/* USR trid OK handle {verified restricted} */
	{ "USR", NS, S, 10, 14, "OK",  2, 5 },
	/* USR trid TWN S policy */
	{ "USR", NS, S,  8, 14, "TWN", 3, 4 },
	/* XFR trid NS host {0 cur | U D} */
	{ "XFR", NS, S,  8, 14, "NS",  2, 5 },
	/* XFR trid SB host CKI cookie */
	{ "XFR", NS, S,  8, 12, "SB",  4, 6 },
	/* … U messenger.msn.com */
	{ "XFR", NS, S, 13, 13, "SB",  4, 7 },
	/* … U messenger.msn.com 1 */
	{ "XFR", NS, S, 14, 14, "SB",  4, 8 },
	/* OUT RCT minutes */
	{ "OUT", NS, S,  8, 14, "RCT", 2, 2 },
	/* SB USR trid OK handle {name} */
	{ "USR", SB, S,  8, 14, "OK",  2, 4 },
	/* CAL trid RINGING session-id */
	{ "CAL", SB, S,  8, 14, "RINGING", 2, 3 },
	/* USR trid TWN I|S value */
	{ "USR", NS, C,  8, 14, "TWN", 3, 3 },
	/* XFR trid SB */
	{ "XFR", NS, C,  8, 14, "SB",  1, 1 },
};

const MsnCommandSchema *
msn_schema_table(gsize *n_rows)
{
	if (n_rows)
		*n_rows = G_N_ELEMENTS(schema_table);
	return schema_table;
}

const MsnCommandForm *
msn_schema_forms(gsize *n_rows)
{
	if (n_rows)
		*n_rows = G_N_ELEMENTS(form_table);
	return form_table;
}

static gboolean
name_is_numeric(const char *name)
{
	return g_ascii_isdigit(name[0]) && g_ascii_isdigit(name[1]) &&
	       g_ascii_isdigit(name[2]) && name[3] == '\0';
}

const MsnCommandSchema *
msn_schema_lookup(const char *name, MsnService service, MsnDirection dir,
                  guint version)
{
	gsize i;

	if (name == NULL || strlen(name) != 3)
		return NULL;
	if (name_is_numeric(name))
		name = "NNN";
	for (i = 0; i < G_N_ELEMENTS(schema_table); i++) {
		const MsnCommandSchema *row = &schema_table[i];

		if (row->service == service && row->dir == dir &&
		    version >= row->min_version && version <= row->max_version &&
		    strcmp(row->name, name) == 0)
			return row;
	}
	return NULL;
}

const MsnCommandSchema *
msn_schema_lookup_any_version(const char *name, MsnService service,
                              MsnDirection dir)
{
	gsize i;

	if (name == NULL || strlen(name) != 3)
		return NULL;
	if (name_is_numeric(name))
		name = "NNN";
	for (i = 0; i < G_N_ELEMENTS(schema_table); i++) {
		const MsnCommandSchema *row = &schema_table[i];

		if (row->service == service && row->dir == dir &&
		    strcmp(row->name, name) == 0)
			return row;
	}
	return NULL;
}

const MsnCommandForm *
msn_schema_lookup_form(const MsnCommandSchema *row, const char *first_param,
                       guint version)
{
	gsize i;

	if (row == NULL || first_param == NULL)
		return NULL;
	for (i = 0; i < G_N_ELEMENTS(form_table); i++) {
		const MsnCommandForm *f = &form_table[i];

		if (f->service == row->service && f->dir == row->dir &&
		    version >= f->min_version && version <= f->max_version &&
		    strcmp(f->name, row->name) == 0 &&
		    strcmp(f->first_param, first_param) == 0)
			return f;
	}
	return NULL;
}
