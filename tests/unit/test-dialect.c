/* Unit tests for src/proto/dialect.c */
#include <string.h>

#include "proto/dialect.h"

static void
test_rows(void)
{
	guint v;

	g_assert_null(msn_dialect_get(0));
	g_assert_null(msn_dialect_get(7));
	g_assert_null(msn_dialect_get(15));
	for (v = 8; v <= 14; v++) {
		const MsnDialect *d = msn_dialect_get(v);
		g_autofree char *tok = g_strdup_printf("MSNP%u", v);

		g_assert_nonnull(d);
		g_assert_cmpuint(d->version, ==, v);
		g_assert_cmpstr(d->ver_token, ==, tok);
		g_assert_cmpuint(msn_dialect_parse_ver_token(d->ver_token), ==, v);
		g_assert_nonnull(d->cvr_client_version);
		g_assert_nonnull(d->challenge_product_id);
		g_assert_nonnull(d->challenge_product_key);
		g_assert_cmpuint(strlen(d->challenge_product_key), ==, 16);
		/* no feature bits: only the MSNC nibble */
		g_assert_cmpuint(d->client_caps & 0x0FFFFFFFu, ==, 0);

		g_assert_cmpint(d->auth, ==, v <= 11 ? MSN_AUTH_PASSPORT14 : MSN_AUTH_RST);
		g_assert_cmpint(d->usr_ok_has_friendly, ==, v <= 9);
		g_assert_cmpint(d->list_style, ==,
		                v <= 9 ? MSN_LIST_SYN_VERSION :
		                v <= 12 ? MSN_LIST_SYN_TIMESTAMPS : MSN_LIST_ABCH);
		g_assert_cmpint(d->lst_has_nid, ==, v == 12);
		g_assert_cmpint(d->add_style, ==,
		                v <= 9 ? MSN_ADD_ADD : v <= 12 ? MSN_ADD_ADC : MSN_ADD_ABCH_ADL);
		g_assert_cmpint(d->own_name, ==,
		                v <= 9 ? MSN_OWN_NAME_REA : MSN_OWN_NAME_PRP_MFN);
		g_assert_cmpint(d->chg_has_msnobj, ==, v >= 9);
		g_assert_cmpint(d->presence_has_nid, ==, v == 14);
		g_assert_cmpint(d->qng_has_interval, ==, v >= 9);
		g_assert_cmpint(d->has_uux, ==, v >= 11);
		g_assert_cmpint(d->has_machine_guid, ==, v >= 13);
		g_assert_cmpint(d->sbs_after_usr_ok, ==, v >= 11);
		g_assert_cmpint(d->gcf, ==,
		                v <= 10 ? MSN_GCF_NONE :
		                v <= 12 ? MSN_GCF_CLIENT_REQUESTS : MSN_GCF_PUSHED);
		g_assert_cmpint(d->has_adl, ==, v >= 13);
		g_assert_cmpint(d->has_fqy, ==, v == 14);
		g_assert_cmpint(d->xfr_ns_trailer, ==,
		                v >= 13 ? MSN_XFR_NS_TRAILER_U_D : MSN_XFR_NS_TRAILER_CURRENT_HOST);
		g_assert_cmpuint(d->xfr_sb_trailer, ==, v <= 12 ? 0 : v == 13 ? 2 : 3);
		g_assert_cmpint(d->sb_joi_has_caps, ==, v >= 12);
		g_assert_cmpint(d->sb_ack_d, ==, v >= 9);
		g_assert_cmpint(d->challenge, ==,
		                v <= 10 ? MSN_CHALLENGE_MD5 : MSN_CHALLENGE_MSNP11);
	}
}

static void
test_values(void)
{
	static const struct {
		guint v;
		const char *cvr, *id, *key;
	} rows[] = {
		{ 8, "5.0.0540", "msmsgs@msnmsgr.com", "Q1P7W2E4J9R8U3S5" },
		{ 9, "6.0.0602", "msmsgs@msnmsgr.com", "Q1P7W2E4J9R8U3S5" },
		{ 10, "6.2.0208", "msmsgs@msnmsgr.com", "Q1P7W2E4J9R8U3S5" },
		{ 11, "7.0.0816", "PROD0090YUAUV{2B", "YMM8C_H7KCQ2S_KL" },
		{ 12, "7.5.0324", "PROD0090YUAUV{2B", "YMM8C_H7KCQ2S_KL" },
		{ 13, "8.0.0792", "PROD01065C%ZFN6F", "O4BG@C7BWLYQX?5G" },
		{ 14, "8.1.0178", "PROD01065C%ZFN6F", "O4BG@C7BWLYQX?5G" },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		const MsnDialect *d = msn_dialect_get(rows[i].v);

		g_assert_cmpstr(d->cvr_client_version, ==, rows[i].cvr);
		g_assert_cmpstr(d->challenge_product_id, ==, rows[i].id);
		g_assert_cmpstr(d->challenge_product_key, ==, rows[i].key);
		g_assert_cmphex(d->client_caps, ==, 0);   /* text only: nothing to claim */
	}
}

static void
test_ver_offer(void)
{
	g_auto(GStrv) all = msn_dialect_ver_offer(14);
	g_auto(GStrv) capped = msn_dialect_ver_offer(99);
	g_auto(GStrv) eight = msn_dialect_ver_offer(8);
	g_auto(GStrv) mid = msn_dialect_ver_offer_range(10, 12);
	g_autofree char *joined = NULL;

	joined = g_strjoinv(" ", all);
	g_assert_cmpstr(joined, ==, "MSNP14 MSNP13 MSNP12 MSNP11 MSNP10 MSNP9 MSNP8 CVR0");
	g_free(joined);
	joined = g_strjoinv(" ", capped);
	g_assert_cmpstr(joined, ==, "MSNP14 MSNP13 MSNP12 MSNP11 MSNP10 MSNP9 MSNP8 CVR0");
	g_free(joined);
	joined = g_strjoinv(" ", eight);
	g_assert_cmpstr(joined, ==, "MSNP8 CVR0");
	g_free(joined);
	joined = g_strjoinv(" ", mid);
	g_assert_cmpstr(joined, ==, "MSNP12 MSNP11 MSNP10 CVR0");
	g_assert_null(msn_dialect_ver_offer(7));
	g_assert_null(msn_dialect_ver_offer(0));
	g_assert_null(msn_dialect_ver_offer_range(13, 12));
}

static void
test_parse_ver_token(void)
{
	g_assert_cmpuint(msn_dialect_parse_ver_token("MSNP8"), ==, 8);
	g_assert_cmpuint(msn_dialect_parse_ver_token("MSNP12"), ==, 12);
	g_assert_cmpuint(msn_dialect_parse_ver_token("MSNP18"), ==, 18);
	g_assert_cmpuint(msn_dialect_parse_ver_token("CVR0"), ==, 0);
	g_assert_cmpuint(msn_dialect_parse_ver_token("0"), ==, 0);
	g_assert_cmpuint(msn_dialect_parse_ver_token("MSNP"), ==, 0);
	g_assert_cmpuint(msn_dialect_parse_ver_token("msnp12"), ==, 0);
	g_assert_cmpuint(msn_dialect_parse_ver_token("MSNP012"), ==, 0);
	g_assert_cmpuint(msn_dialect_parse_ver_token("MSNP12x"), ==, 0);
	g_assert_cmpuint(msn_dialect_parse_ver_token("MSNP1234"), ==, 0);
	g_assert_cmpuint(msn_dialect_parse_ver_token(" MSNP12"), ==, 0);
	g_assert_cmpuint(msn_dialect_parse_ver_token(""), ==, 0);
	g_assert_cmpuint(msn_dialect_parse_ver_token(NULL), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dialect/rows", test_rows);
	g_test_add_func("/dialect/values", test_values);
	g_test_add_func("/dialect/ver-offer", test_ver_offer);
	g_test_add_func("/dialect/parse-ver-token", test_parse_ver_token);
	return g_test_run();
}
