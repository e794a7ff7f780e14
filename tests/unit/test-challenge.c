/* Unit tests for src/proto/challenge.c: every vector of challenges.md §2, §4. */
#include <string.h>

#include "proto/challenge.h"

static void
test_md5(void)
{
	static const struct {
		const char *chl, *key, *answer;
	} v[] = {
		{ "15570131571988941333", "Q1P7W2E4J9R8U3S5", "8f2f5a91b72102cd28355e9fc9000d6e" },
		{ "12345678901234567890", "Q1P7W2E4J9R8U3S5", "8ba1bb9d6dbf624fee31a2053af5fdd0" },
		{ "12345678901234567890", "VT6PX?UQTM4WM%YR", "c64fe621f55832479b97b7f50829d5c1" },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(v); i++) {
		char out[33];

		msn_challenge_md5(v[i].chl, v[i].key, out);
		g_assert_cmpstr(out, ==, v[i].answer);
	}
}

static void
test_msnp11(void)
{
	static const struct {
		const char *chl, *id, *key, *answer;
	} v[] = {
		{ "22210219642164014968", "PROD0090YUAUV{2B", "YMM8C_H7KCQ2S_KL", "85ecb0db8f32113df79ce0892b9a102c" },
		{ "11533365622852247127", "PROD0113H11T8$X_", "RG@XY*28Q5QHS%Q5", "f086d1ded067186deca8dba2231602cf" },
		{ "237191752526424888127371168", "PROD0113H11T8$X_", "RG@XY*28Q5QHS%Q5", "65b6b623c649c25629af048d34066040" },
		{ "12345678901234567890", "PROD0090YUAUV{2B", "YMM8C_H7KCQ2S_KL", "a57a33d300de0b8c4d3c074d423e25fb" },
		{ "12345678901234567890", "PROD0101{0RM?UBW", "CFHUR$52U_{VIX5T", "7273d989239f9bc4bbde22f72b399453" },
		{ "12345678901234567890", "PROD01065C%ZFN6F", "O4BG@C7BWLYQX?5G", "ab79f50f8cd7e77313cb82138f49fc20" },
		{ "15570131571988941333", "PROD01065C%ZFN6F", "O4BG@C7BWLYQX?5G", "47d2b1e24f85947bdd29b3bfe29f027b" },
		/* len(chl + id) = 40, a multiple of 8: the always-pad value */
		{ "123456789012345678901234", "PROD0090YUAUV{2B", "YMM8C_H7KCQ2S_KL", "948035b948c0318ad3fc5287620769f4" },
	};
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(v); i++) {
		char out[33];

		msn_challenge_msnp11(v[i].chl, v[i].id, v[i].key, out);
		g_assert_cmpstr(out, ==, v[i].answer);
	}
}

static void
test_padding_edge(void)
{
	char out[33];

	/* the no-pad variant from the wiki must NOT come out */
	msn_challenge_msnp11("123456789012345678901234", "PROD0090YUAUV{2B",
	                     "YMM8C_H7KCQ2S_KL", out);
	g_assert_cmpstr(out, !=, "cfd1a4febba8ec8488adc3c0916fb4fa");
	/* and not Escargot's masked variant of the worked example */
	msn_challenge_msnp11("22210219642164014968", "PROD0090YUAUV{2B",
	                     "YMM8C_H7KCQ2S_KL", out);
	g_assert_cmpstr(out, !=, "85ecb05b8f32113df79ce0092b9a102c");
	/* an empty challenge still gives 32 hex digits */
	msn_challenge_msnp11("", "", "", out);
	g_assert_cmpuint(strlen(out), ==, 32);
}

static void
test_answer_by_dialect(void)
{
	char out[33];
	guint v;

	g_assert_true(msn_challenge_answer(msn_dialect_get(8), "15570131571988941333", out));
	g_assert_cmpstr(out, ==, "8f2f5a91b72102cd28355e9fc9000d6e");
	g_assert_true(msn_challenge_answer(msn_dialect_get(10), "12345678901234567890", out));
	g_assert_cmpstr(out, ==, "8ba1bb9d6dbf624fee31a2053af5fdd0");
	g_assert_true(msn_challenge_answer(msn_dialect_get(11), "22210219642164014968", out));
	g_assert_cmpstr(out, ==, "85ecb0db8f32113df79ce0892b9a102c");
	g_assert_true(msn_challenge_answer(msn_dialect_get(12), "12345678901234567890", out));
	g_assert_cmpstr(out, ==, "a57a33d300de0b8c4d3c074d423e25fb");
	g_assert_true(msn_challenge_answer(msn_dialect_get(13), "12345678901234567890", out));
	g_assert_cmpstr(out, ==, "ab79f50f8cd7e77313cb82138f49fc20");
	g_assert_true(msn_challenge_answer(msn_dialect_get(14), "15570131571988941333", out));
	g_assert_cmpstr(out, ==, "47d2b1e24f85947bdd29b3bfe29f027b");

	for (v = 8; v <= 14; v++) {
		g_assert_true(msn_challenge_answer(msn_dialect_get(v), "1", out));
		g_assert_cmpuint(strlen(out), ==, 32);
	}
	g_assert_false(msn_challenge_answer(NULL, "1", out));
	g_assert_cmpstr(out, ==, "");
	g_assert_false(msn_challenge_answer(msn_dialect_get(12), NULL, out));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/challenge/md5", test_md5);
	g_test_add_func("/challenge/msnp11", test_msnp11);
	g_test_add_func("/challenge/padding-edge", test_padding_edge);
	g_test_add_func("/challenge/answer-by-dialect", test_answer_by_dialect);
	return g_test_run();
}
