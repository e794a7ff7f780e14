/* purple-msnp — the dialect table, one row per MSNP version. */
#include "proto/dialect.h"

#include <string.h>

#define MD5_ID   "msmsgs@msnmsgr.com"
#define MD5_KEY  "Q1P7W2E4J9R8U3S5"
#define P11_ID   "PROD0090YUAUV{2B"
#define P11_KEY  "YMM8C_H7KCQ2S_KL"
#define P13_ID   "PROD01065C%ZFN6F"
#define P13_KEY  "O4BG@C7BWLYQX?5G"


static const MsnDialect dialects[] = {
	{
		.version = 8, .ver_token = "MSNP8", .auth = MSN_AUTH_PASSPORT14,
		.usr_ok_has_friendly = TRUE, .list_style = MSN_LIST_SYN_VERSION,
		.lst_has_nid = FALSE, .add_style = MSN_ADD_ADD,
		.own_name = MSN_OWN_NAME_REA, .chg_has_msnobj = FALSE,
		.presence_has_nid = FALSE, .qng_has_interval = FALSE,
		.has_uux = FALSE, .has_machine_guid = FALSE,
		.sbs_after_usr_ok = FALSE, .gcf = MSN_GCF_NONE, .has_adl = FALSE,
		.has_fqy = FALSE, .xfr_ns_trailer = MSN_XFR_NS_TRAILER_CURRENT_HOST,
		.xfr_sb_trailer = 0, .sb_joi_has_caps = FALSE, .sb_ack_d = FALSE,
		.challenge = MSN_CHALLENGE_MD5, .challenge_product_id = MD5_ID,
		.challenge_product_key = MD5_KEY,
		.client_caps = 0,                  /* text only: no MSNC P2P (presence.md §3) */
		.cvr_client_version = "5.0.0540",
	},
	{
		.version = 9, .ver_token = "MSNP9", .auth = MSN_AUTH_PASSPORT14,
		.usr_ok_has_friendly = TRUE, .list_style = MSN_LIST_SYN_VERSION,
		.lst_has_nid = FALSE, .add_style = MSN_ADD_ADD,
		.own_name = MSN_OWN_NAME_REA, .chg_has_msnobj = TRUE,
		.presence_has_nid = FALSE, .qng_has_interval = TRUE,
		.has_uux = FALSE, .has_machine_guid = FALSE,
		.sbs_after_usr_ok = FALSE, .gcf = MSN_GCF_NONE, .has_adl = FALSE,
		.has_fqy = FALSE, .xfr_ns_trailer = MSN_XFR_NS_TRAILER_CURRENT_HOST,
		.xfr_sb_trailer = 0, .sb_joi_has_caps = FALSE, .sb_ack_d = TRUE,
		.challenge = MSN_CHALLENGE_MD5, .challenge_product_id = MD5_ID,
		.challenge_product_key = MD5_KEY,
		.client_caps = 0,                  /* text only: no MSNC P2P (presence.md §3) */
		.cvr_client_version = "6.0.0602",
	},
	{
		.version = 10, .ver_token = "MSNP10", .auth = MSN_AUTH_PASSPORT14,
		.usr_ok_has_friendly = FALSE, .list_style = MSN_LIST_SYN_TIMESTAMPS,
		.lst_has_nid = FALSE, .add_style = MSN_ADD_ADC,
		.own_name = MSN_OWN_NAME_PRP_MFN, .chg_has_msnobj = TRUE,
		.presence_has_nid = FALSE, .qng_has_interval = TRUE,
		.has_uux = FALSE, .has_machine_guid = FALSE,
		.sbs_after_usr_ok = FALSE, .gcf = MSN_GCF_NONE, .has_adl = FALSE,
		.has_fqy = FALSE, .xfr_ns_trailer = MSN_XFR_NS_TRAILER_CURRENT_HOST,
		.xfr_sb_trailer = 0, .sb_joi_has_caps = FALSE, .sb_ack_d = TRUE,
		.challenge = MSN_CHALLENGE_MD5, .challenge_product_id = MD5_ID,
		.challenge_product_key = MD5_KEY,
		.client_caps = 0,                  /* text only: no MSNC P2P (presence.md §3) */
		.cvr_client_version = "6.2.0208",
	},
	{
		.version = 11, .ver_token = "MSNP11", .auth = MSN_AUTH_PASSPORT14,
		.usr_ok_has_friendly = FALSE, .list_style = MSN_LIST_SYN_TIMESTAMPS,
		.lst_has_nid = FALSE, .add_style = MSN_ADD_ADC,
		.own_name = MSN_OWN_NAME_PRP_MFN, .chg_has_msnobj = TRUE,
		.presence_has_nid = FALSE, .qng_has_interval = TRUE,
		.has_uux = TRUE, .has_machine_guid = FALSE,
		.sbs_after_usr_ok = TRUE, .gcf = MSN_GCF_CLIENT_REQUESTS,
		.has_adl = FALSE, .has_fqy = FALSE,
		.xfr_ns_trailer = MSN_XFR_NS_TRAILER_CURRENT_HOST,
		.xfr_sb_trailer = 0, .sb_joi_has_caps = FALSE, .sb_ack_d = TRUE,
		.challenge = MSN_CHALLENGE_MSNP11, .challenge_product_id = P11_ID,
		.challenge_product_key = P11_KEY,
		.client_caps = 0,                  /* text only: no MSNC P2P (presence.md §3) */
		.cvr_client_version = "7.0.0816",
	},
	{
		.version = 12, .ver_token = "MSNP12", .auth = MSN_AUTH_RST,
		.usr_ok_has_friendly = FALSE, .list_style = MSN_LIST_SYN_TIMESTAMPS,
		.lst_has_nid = TRUE, .add_style = MSN_ADD_ADC,
		.own_name = MSN_OWN_NAME_PRP_MFN, .chg_has_msnobj = TRUE,
		.presence_has_nid = FALSE, .qng_has_interval = TRUE,
		.has_uux = TRUE, .has_machine_guid = FALSE,
		.sbs_after_usr_ok = TRUE, .gcf = MSN_GCF_CLIENT_REQUESTS,
		.has_adl = FALSE, .has_fqy = FALSE,
		.xfr_ns_trailer = MSN_XFR_NS_TRAILER_CURRENT_HOST,
		.xfr_sb_trailer = 0, .sb_joi_has_caps = TRUE, .sb_ack_d = TRUE,
		.challenge = MSN_CHALLENGE_MSNP11, .challenge_product_id = P11_ID,
		.challenge_product_key = P11_KEY,
		.client_caps = 0,                  /* text only: no MSNC P2P (presence.md §3) */
		.cvr_client_version = "7.5.0324",
	},
	{
		.version = 13, .ver_token = "MSNP13", .auth = MSN_AUTH_RST,
		.usr_ok_has_friendly = FALSE, .list_style = MSN_LIST_ABCH,
		.lst_has_nid = FALSE, .add_style = MSN_ADD_ABCH_ADL,
		.own_name = MSN_OWN_NAME_PRP_MFN, .chg_has_msnobj = TRUE,
		.presence_has_nid = FALSE, .qng_has_interval = TRUE,
		.has_uux = TRUE, .has_machine_guid = TRUE,
		.sbs_after_usr_ok = TRUE, .gcf = MSN_GCF_PUSHED,
		.has_adl = TRUE, .has_fqy = FALSE,
		.xfr_ns_trailer = MSN_XFR_NS_TRAILER_U_D,
		.xfr_sb_trailer = 2, .sb_joi_has_caps = TRUE, .sb_ack_d = TRUE,
		.challenge = MSN_CHALLENGE_MSNP11, .challenge_product_id = P13_ID,
		.challenge_product_key = P13_KEY,
		.client_caps = 0,                  /* text only: no MSNC P2P (presence.md §3) */
		.cvr_client_version = "8.0.0792",
	},
	{
		.version = 14, .ver_token = "MSNP14", .auth = MSN_AUTH_RST,
		.usr_ok_has_friendly = FALSE, .list_style = MSN_LIST_ABCH,
		.lst_has_nid = FALSE, .add_style = MSN_ADD_ABCH_ADL,
		.own_name = MSN_OWN_NAME_PRP_MFN, .chg_has_msnobj = TRUE,
		.presence_has_nid = TRUE, .qng_has_interval = TRUE,
		.has_uux = TRUE, .has_machine_guid = TRUE,
		.sbs_after_usr_ok = TRUE, .gcf = MSN_GCF_PUSHED,
		.has_adl = TRUE, .has_fqy = TRUE,
		.xfr_ns_trailer = MSN_XFR_NS_TRAILER_U_D,
		.xfr_sb_trailer = 3, .sb_joi_has_caps = TRUE, .sb_ack_d = TRUE,
		.challenge = MSN_CHALLENGE_MSNP11, .challenge_product_id = P13_ID,
		.challenge_product_key = P13_KEY,
		.client_caps = 0,                  /* text only: no MSNC P2P (presence.md §3) */
		.cvr_client_version = "8.1.0178",
	},
};

const MsnDialect *
msn_dialect_get(guint version)
{
	if (version < 8 || version > 14)
		return NULL;
	return &dialects[version - 8];
}

char **
msn_dialect_ver_offer_range(guint min_version, guint max_version)
{
	GPtrArray *a;
	guint v;

	min_version = MAX(min_version, 8u);
	max_version = MIN(max_version, 14u);
	if (min_version > max_version)
		return NULL;
	a = g_ptr_array_new();
	for (v = max_version; v >= min_version; v--)
		g_ptr_array_add(a, g_strdup(dialects[v - 8].ver_token));
	g_ptr_array_add(a, g_strdup("CVR0"));
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

char **
msn_dialect_ver_offer(guint max_version)
{
	return msn_dialect_ver_offer_range(8, max_version);
}

guint
msn_dialect_parse_ver_token(const char *tok)
{
	const char *p;
	guint v = 0;
	gsize n;

	if (tok == NULL || strncmp(tok, "MSNP", 4) != 0)
		return 0;
	p = tok + 4;
	n = strlen(p);
	if (n == 0 || n > 3 || p[0] == '0')
		return 0;
	for (; *p; p++) {
		if (!g_ascii_isdigit(*p))
			return 0;
		v = v * 10 + (guint)(*p - '0');
	}
	return v;
}
