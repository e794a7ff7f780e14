/* purple-msnp — the dialect table: what each MSNP version (8–14) sends and
 * expects, as data (DESIGN rule 3).  Code asks the row ("does this version
 * have UUX?") instead of comparing version numbers.
 * Sources: protocol/versions.md, commands.md, challenges.md, presence.md §3.
 */
#ifndef MSN_PROTO_DIALECT_H
#define MSN_PROTO_DIALECT_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	MSN_AUTH_PASSPORT14,   /* TWN with Passport 1.4 (nexus + login2.srf) */
	MSN_AUTH_RST           /* TWN with RST.srf (SOAP WS-Trust) */
} MsnAuthMethod;

typedef enum {
	MSN_LIST_SYN_VERSION,    /* SYN trid list-ver; LSG id name 0; LST handle name bits */
	MSN_LIST_SYN_TIMESTAMPS, /* SYN trid ts1 ts2; LSG name guid; LST N= F= C= bits */
	MSN_LIST_ABCH            /* SOAP address book + ADL/RML; no SYN */
} MsnListStyle;

typedef enum {
	MSN_ADD_ADD,        /* ADD trid FL handle name {gid} */
	MSN_ADD_ADC,        /* ADC trid FL N= F= / ADC trid FL C= gguid */
	MSN_ADD_ABCH_ADL    /* ABContactAdd (SOAP) then ADL */
} MsnAddStyle;

typedef enum {
	MSN_OWN_NAME_REA,     /* REA trid handle name */
	MSN_OWN_NAME_PRP_MFN  /* PRP trid MFN name */
} MsnOwnNameStyle;

typedef enum {
	MSN_GCF_NONE,            /* no GCF (8–10; Escargot disconnects) */
	MSN_GCF_CLIENT_REQUESTS, /* client sends GCF trid Shields.xml after SYN (11–12) */
	MSN_GCF_PUSHED           /* server pushes GCF 0 len during login (13–14) */
} MsnGcfMode;

typedef enum {
	MSN_XFR_NS_TRAILER_CURRENT_HOST, /* XFR trid NS host 0 cur-host */
	MSN_XFR_NS_TRAILER_U_D           /* XFR trid NS host U D */
} MsnXfrNsTrailer;

typedef enum {
	MSN_CHALLENGE_MD5,    /* MD5(chl + key), MSNP8–10 */
	MSN_CHALLENGE_MSNP11  /* the 64-bit hash of MSNP11+ */
} MsnChallengeScheme;

typedef struct {
	guint version;                  /* 8..14 */
	const char *ver_token;          /* "MSNP8" */
	MsnAuthMethod auth;             /* 8–11 Passport 1.4, 12–14 RST */
	gboolean usr_ok_has_friendly;   /* USR trid OK handle friendly … (8–9) */
	MsnListStyle list_style;
	gboolean lst_has_nid;           /* LST … bits nid {groups} (12) */
	MsnAddStyle add_style;
	MsnOwnNameStyle own_name;
	gboolean chg_has_msnobj;        /* CHG/ILN/NLN carry an MSNObject (9+) */
	gboolean presence_has_nid;      /* ILN/NLN/FLN/UBX carry a network id (14) */
	gboolean qng_has_interval;      /* QNG seconds (9+) */
	gboolean has_uux;               /* UUX/UBX personal messages (11+) */
	gboolean has_machine_guid;      /* UUX carries <MachineGuid> (13+) */
	gboolean sbs_after_usr_ok;      /* SBS 0 null follows USR OK (11+) */
	MsnGcfMode gcf;
	gboolean has_adl;               /* ADL/RML (13+) */
	gboolean has_fqy;               /* FQY, UUM/UBM (14) */
	MsnXfrNsTrailer xfr_ns_trailer; /* U D from 13 */
	guint xfr_sb_trailer;           /* parameters after the cookie in XFR SB / RNG:
	                                   0 (8–12), 2 "U domain" (13), 3 "+ flag" (14) */
	gboolean sb_joi_has_caps;       /* JOI/IRO carry capabilities (12+) */
	gboolean sb_ack_d;              /* SB MSG ack type D exists (9+) */
	MsnChallengeScheme challenge;
	const char *challenge_product_id;
	const char *challenge_product_key;
	/* The capability number sent in CHG.  Honest: 0, because the plugin
	 * speaks no MSNC P2P (display pictures, files) and none of the feature
	 * bits (ink, webcam, winks, chunked messages, direct IM …) is
	 * implemented; an MSNC nibble would invite peers to start P2P sessions
	 * it would ignore (presence.md §3).  A row grows bits as features land. */
	guint32 client_caps;
	const char *cvr_client_version; /* CVR client-ver of that era, "7.0.0816" */
} MsnDialect;

/* The row for version (8..14), or NULL. */
const MsnDialect *msn_dialect_get(guint version);

/* The VER offer from max_version down to MSNP8, then "CVR0", as a
 * NULL-terminated string vector ready for msn_command_append():
 * {"MSNP14", "MSNP13", …, "MSNP8", "CVR0", NULL}.  max_version above 14 is
 * capped at 14; below 8 returns NULL.  Free with g_strfreev(). */
char **msn_dialect_ver_offer(guint max_version);

/* The same between min_version and max_version (both clamped to 8..14);
 * NULL when the range is empty. */
char **msn_dialect_ver_offer_range(guint min_version, guint max_version);

/* "MSNP12" -> 12.  Anything that is not "MSNP" followed by a decimal number
 * without leading zero (at most three digits) gives 0, e.g. "CVR0", "0",
 * "msnp12", "MSNP012".  Versions outside 8..14 are returned as read; check
 * them with msn_dialect_get(). */
guint msn_dialect_parse_ver_token(const char *tok);

G_END_DECLS

#endif
