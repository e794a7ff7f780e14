/* Unit tests for src/proto/adl.c: building the ADL/RML payloads and reading
 * the ones the server pushes (protocol/contacts.md §7, seed 003). */
#include <string.h>

#include "proto/adl.h"

static GPtrArray *
build(const MsnAdlEntry *e, gsize n, guint *skipped)
{
	GPtrArray *out = msn_adl_build_initial(e, n, skipped);
	guint i;

	g_assert_nonnull(out);
	g_assert_cmpuint(out->len, >=, 1);
	for (i = 0; i < out->len; i++) {
		const char *p = out->pdata[i];

		g_assert_cmpuint(strlen(p), <, MSN_ADL_MAX_BYTES);
		g_assert_true(g_str_has_prefix(p, "<ml l=\"1\">"));
		g_assert_true(g_str_has_suffix(p, "</ml>"));
		g_assert_null(strchr(p, '\n'));
		g_assert_null(strstr(p, "> "));
	}
	return out;
}

static guint
count(const char *hay, const char *needle)
{
	guint n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* contacts.md §7's first example, byte for byte. */
static void
test_example(void)
{
	const MsnAdlEntry e[] = {
		{ "alice@example.com", 3, 1 },
		{ "bob@example.com", 5, 1 },
		{ "carol@hotmail.com", 3, 1 },
	};
	g_autoptr(GPtrArray) out = build(e, G_N_ELEMENTS(e), NULL);

	g_assert_cmpuint(out->len, ==, 1);
	g_assert_cmpstr(out->pdata[0], ==,
	                "<ml l=\"1\"><d n=\"example.com\"><c n=\"alice\" l=\"3\" t=\"1\" />"
	                "<c n=\"bob\" l=\"5\" t=\"1\" /></d><d n=\"hotmail.com\">"
	                "<c n=\"carol\" l=\"3\" t=\"1\" /></d></ml>");
	g_assert_cmpuint(strlen(out->pdata[0]), ==, 140);
}

/* Seed 003: the initial ADL after SOAP, minus the tel: entry Escargot does
 * not take. */
static void
test_seed_003(void)
{
	const MsnAdlEntry e[] = {
		{ "anotheruser@hotmail.com", MSN_ADL_FL | MSN_ADL_AL, MSN_NETWORK_PASSPORT },
		{ "tel:+15551111222", MSN_ADL_FL | MSN_ADL_AL, MSN_NETWORK_PHONE },
	};
	guint skipped = 99;
	g_autoptr(GPtrArray) out = build(e, G_N_ELEMENTS(e), &skipped);

	g_assert_cmpuint(skipped, ==, 1);
	g_assert_cmpuint(out->len, ==, 1);
	g_assert_cmpstr(out->pdata[0], ==,
	                "<ml l=\"1\"><d n=\"hotmail.com\"><c n=\"anotheruser\" l=\"3\" t=\"1\" />"
	                "</d></ml>");
}

static void
test_empty(void)
{
	const MsnAdlEntry only_rl[] = {
		{ "rl@example.com", MSN_ADL_RL, 1 },
		{ "pl@example.com", MSN_ADL_PL, 1 },
		{ "both@example.com", MSN_ADL_RL | MSN_ADL_PL, 1 },
	};
	guint skipped = 99;
	g_autoptr(GPtrArray) none = build(NULL, 0, &skipped);
	g_autoptr(GPtrArray) rl = NULL;

	g_assert_cmpuint(none->len, ==, 1);
	g_assert_cmpstr(none->pdata[0], ==, "<ml l=\"1\"></ml>");
	g_assert_cmpuint(skipped, ==, 0);
	rl = build(only_rl, G_N_ELEMENTS(only_rl), &skipped);
	g_assert_cmpuint(rl->len, ==, 1);
	g_assert_cmpstr(rl->pdata[0], ==, "<ml l=\"1\"></ml>");
	g_assert_cmpuint(skipped, ==, 3);
}

static void
test_bits_stripped(void)
{
	const MsnAdlEntry e[] = {
		{ "a@example.com", MSN_ADL_FL | MSN_ADL_RL | MSN_ADL_PL, 1 },
		{ "b@example.com", 0xff, 1 },
		{ "c@example.com", MSN_ADL_BL | MSN_ADL_RL, 0 },     /* network 0 → 1 */
		{ "d@example.com", MSN_ADL_AL, MSN_NETWORK_YAHOO },
	};
	g_autoptr(GPtrArray) out = build(e, G_N_ELEMENTS(e), NULL);
	g_autofree char *one = msn_adl_build_one("x@example.com", MSN_ADL_FL | MSN_ADL_RL, 1);

	g_assert_cmpstr(out->pdata[0], ==,
	                "<ml l=\"1\"><d n=\"example.com\"><c n=\"a\" l=\"1\" t=\"1\" />"
	                "<c n=\"b\" l=\"7\" t=\"1\" /><c n=\"c\" l=\"4\" t=\"1\" />"
	                "<c n=\"d\" l=\"2\" t=\"32\" /></d></ml>");
	g_assert_cmpstr(one, ==, "<ml><d n=\"example.com\"><c n=\"x\" l=\"1\" t=\"1\" /></d></ml>");
	g_assert_null(msn_adl_build_one("x@example.com", MSN_ADL_RL | MSN_ADL_PL, 1));
	g_assert_null(msn_adl_build_one("x@example.com", 0, 1));
}

static void
test_at_handling(void)
{
	const MsnAdlEntry e[] = {
		{ "a@b@example.com", 1, 1 },      /* split at the last '@' */
		{ "noat.example.com", 1, 1 },
		{ "@example.com", 1, 1 },
		{ "trailing@", 1, 1 },
		{ "", 1, 1 },
		{ NULL, 1, 1 },
		{ "Bob@Example.COM", 1, 1 },      /* lower-cased, same <d> */
		{ "ctl\x01@example.com", 1, 1 },
		{ "bad\xff@example.com", 1, 1 },
	};
	guint skipped = 0;
	g_autoptr(GPtrArray) out = build(e, G_N_ELEMENTS(e), &skipped);
	g_autofree char *one = msn_adl_build_one("x@y@Z.org", 4, 1);

	g_assert_cmpuint(skipped, ==, 7);
	g_assert_cmpstr(out->pdata[0], ==,
	                "<ml l=\"1\"><d n=\"example.com\"><c n=\"a@b\" l=\"1\" t=\"1\" />"
	                "<c n=\"bob\" l=\"1\" t=\"1\" /></d></ml>");
	g_assert_cmpstr(one, ==, "<ml><d n=\"z.org\"><c n=\"x@y\" l=\"4\" t=\"1\" /></d></ml>");
	g_assert_null(msn_adl_build_one("nobody", 1, 1));
	g_assert_null(msn_adl_build_one(NULL, 1, 1));
	g_assert_null(msn_adl_build_one("tel:+1555@x", 1, MSN_NETWORK_PHONE));
}

static void
test_escaping(void)
{
	const MsnAdlEntry e[] = {
		{ "o'n&\"x\"<y>@ex&ample.com", 3, 1 },
	};
	g_autoptr(GPtrArray) out = build(e, 1, NULL);
	g_autoptr(GPtrArray) back = NULL;
	g_autofree char *one = msn_adl_build_one("o'n&\"x\"<y>@ex&ample.com", 1, 1);
	MsnAdlItem *item;
	GError *error = NULL;

	g_assert_cmpstr(out->pdata[0], ==,
	                "<ml l=\"1\"><d n=\"ex&amp;ample.com\"><c n=\"o&apos;n&amp;&quot;x&quot;"
	                "&lt;y&gt;\" l=\"3\" t=\"1\" /></d></ml>");
	back = msn_adl_parse(one, strlen(one), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(back->len, ==, 1);
	item = back->pdata[0];
	g_assert_cmpstr(item->handle, ==, "o'n&\"x\"<y>@ex&ample.com");
	g_assert_cmpuint(item->lists, ==, 1);
}

static void
test_incremental(void)
{
	g_autofree char *adl = msn_adl_build_one("dave@example.com", MSN_ADL_FL, 1);
	g_autofree char *rml = msn_adl_build_one("dave@example.com", MSN_ADL_BL, 1);
	g_autofree char *yahoo = msn_adl_build_one("y@yahoo.com", MSN_ADL_FL | MSN_ADL_AL,
	                                           MSN_NETWORK_YAHOO);

	g_assert_cmpstr(adl, ==, "<ml><d n=\"example.com\"><c n=\"dave\" l=\"1\" t=\"1\" /></d></ml>");
	g_assert_cmpuint(strlen(adl), ==, 58);
	g_assert_cmpstr(rml, ==, "<ml><d n=\"example.com\"><c n=\"dave\" l=\"4\" t=\"1\" /></d></ml>");
	g_assert_cmpuint(strlen(rml), ==, 58);
	g_assert_cmpstr(yahoo, ==, "<ml><d n=\"yahoo.com\"><c n=\"y\" l=\"3\" t=\"32\" /></d></ml>");
}

/* Every handle of every batch, in order, through the parser. */
static GPtrArray *
reread(GPtrArray *batches)
{
	GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
	guint i, j;

	for (i = 0; i < batches->len; i++) {
		GError *error = NULL;
		const char *p = batches->pdata[i];
		GPtrArray *items = msn_adl_parse(p, strlen(p), &error);

		g_assert_no_error(error);
		g_assert_cmpuint(items->len, <=, MSN_ADL_MAX_CONTACTS);
		for (j = 0; j < items->len; j++) {
			MsnAdlItem *it = items->pdata[j];

			g_assert_cmpuint(it->lists & ~MSN_ADL_SENDABLE, ==, 0);
			g_ptr_array_add(all, g_strdup(it->handle));
		}
		g_ptr_array_unref(items);
	}
	return all;
}

static void
test_batch_count(void)
{
	MsnAdlEntry e[301];
	char *names[301];
	guint i;
	g_autoptr(GPtrArray) out150 = NULL, out151 = NULL, out301 = NULL, again = NULL;

	for (i = 0; i < G_N_ELEMENTS(e); i++) {
		names[i] = g_strdup_printf("user%03u@example.com", i);
		e[i].handle = names[i];
		e[i].lists = MSN_ADL_FL | MSN_ADL_AL;
		e[i].network = 1;
	}
	out150 = build(e, 150, NULL);
	g_assert_cmpuint(out150->len, ==, 1);
	g_assert_cmpuint(count(out150->pdata[0], "<c "), ==, 150);

	out151 = build(e, 151, NULL);
	g_assert_cmpuint(out151->len, ==, 2);
	g_assert_cmpuint(count(out151->pdata[0], "<c "), ==, 150);
	g_assert_cmpuint(count(out151->pdata[1], "<c "), ==, 1);
	/* the domain continues: its <d> is repeated */
	g_assert_cmpstr(out151->pdata[1], ==,
	                "<ml l=\"1\"><d n=\"example.com\"><c n=\"user150\" l=\"3\" t=\"1\" /></d></ml>");
	g_assert_true(g_str_has_suffix(out151->pdata[0], "</d></ml>"));

	out301 = build(e, 301, NULL);
	g_assert_cmpuint(out301->len, ==, 3);
	again = reread(out301);
	g_assert_cmpuint(again->len, ==, 301);
	for (i = 0; i < 301; i++) {
		g_assert_cmpstr(again->pdata[i], ==, names[i]);
		g_free(names[i]);
	}
}

static void
test_batch_bytes(void)
{
	/* 100 contacts of ~250 bytes each: the byte limit bites before 150. */
	MsnAdlEntry e[100];
	char *names[100];
	g_autofree char *pad = g_strnfill(220, 'x');
	guint i, total = 0;
	g_autoptr(GPtrArray) out = NULL, again = NULL;

	for (i = 0; i < G_N_ELEMENTS(e); i++) {
		/* two domains, the second one split over batches */
		names[i] = g_strdup_printf("%s%03u@%s", pad, i, i < 10 ? "a.example" : "b.example");
		e[i].handle = names[i];
		e[i].lists = 1;
		e[i].network = 1;
	}
	out = build(e, G_N_ELEMENTS(e), NULL);
	g_assert_cmpuint(out->len, >, 1);
	for (i = 0; i < out->len; i++) {
		const char *p = out->pdata[i];
		guint c = count(p, "<c ");

		total += c;
		g_assert_cmpuint(c, <, 150);
		/* full: one more contact (~255 bytes) would not have fit */
		if (i + 1 < out->len)
			g_assert_cmpuint(strlen(p) + 255, >=, MSN_ADL_MAX_BYTES);
		if (i > 0)
			g_assert_true(g_str_has_prefix(p, "<ml l=\"1\"><d n=\"b.example\">"));
	}
	g_assert_cmpuint(total, ==, 100);
	g_assert_cmpuint(count(out->pdata[0], "<d n=\"a.example\">"), ==, 1);
	again = reread(out);
	for (i = 0; i < G_N_ELEMENTS(e); i++) {
		g_assert_cmpstr(again->pdata[i], ==, names[i]);
		g_free(names[i]);
	}
}

/* A contact that cannot fit even alone is skipped, never sent over-long. */
static void
test_too_long(void)
{
	g_autofree char *pad = g_strnfill(MSN_ADL_MAX_HANDLE, 'x');
	g_autofree char *h = g_strdup_printf("%s@example.com", pad);
	MsnAdlEntry e[] = { { h, 1, 1 }, { "ok@example.com", 1, 1 } };
	guint skipped = 0;
	g_autoptr(GPtrArray) out = build(e, 2, &skipped);

	g_assert_cmpuint(skipped, ==, 1);
	g_assert_cmpuint(out->len, ==, 1);
	g_assert_null(msn_adl_build_one(h, 1, 1));
}

static void
test_domain_order(void)
{
	const MsnAdlEntry e[] = {
		{ "a1@one.com", 1, 1 }, { "b1@two.com", 1, 1 }, { "a2@ONE.com", 2, 1 },
		{ "c1@three.com", 1, 1 }, { "b2@two.com", 4, 1 },
	};
	g_autoptr(GPtrArray) out = build(e, G_N_ELEMENTS(e), NULL);

	g_assert_cmpstr(out->pdata[0], ==,
	                "<ml l=\"1\"><d n=\"one.com\"><c n=\"a1\" l=\"1\" t=\"1\" />"
	                "<c n=\"a2\" l=\"2\" t=\"1\" /></d><d n=\"two.com\">"
	                "<c n=\"b1\" l=\"1\" t=\"1\" /><c n=\"b2\" l=\"4\" t=\"1\" /></d>"
	                "<d n=\"three.com\"><c n=\"c1\" l=\"1\" t=\"1\" /></d></ml>");
}

static void
test_parse_push(void)
{
	static const char push[] =
		"<ml><d n=\"example.com\"><c n=\"erin\" t=\"1\" l=\"8\" f=\"Erin%20E.\" /></d></ml>";
	static const char fqy[] = "<ml><d n=\"Yahoo.com\"><c n=\"Bob\" t=\"32\" /></d></ml>";
	static const char many[] =
		"<?xml version=\"1.0\"?>\n<ml l=\"1\">\n  <d n=\"a.com\"><c n=\"x\" l=\"3\" t=\"1\"/>"
		"<c n=\"y\" l=\"junk\" t=\"-1\" f=\"caf%E9\"/><unknown><c n=\"deep\"/></unknown></d>\n"
		"  <t><c n=\"tel:+15551111222\" l=\"3\" /></t>\n"
		"  <c n=\"orphan\" l=\"1\"/>\n"
		"  <d><c n=\"nodomain\" l=\"1\"/></d>\n"
		"  <d n=\"b.com\"><c l=\"1\"/><c n=\"\"/><c n=\"a@b\" l=\"1\"/><c n=\"&amp;\" l=\"2\"/></d>\n"
		"</ml>";
	GError *error = NULL;
	GPtrArray *items;
	MsnAdlItem *it;

	items = msn_adl_parse(push, strlen(push), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(items->len, ==, 1);
	it = items->pdata[0];
	g_assert_cmpstr(it->handle, ==, "erin@example.com");
	g_assert_cmpuint(it->lists, ==, MSN_ADL_RL);
	g_assert_cmpuint(it->network, ==, 1);
	g_assert_cmpstr(it->friendly, ==, "Erin E.");
	g_ptr_array_unref(items);

	items = msn_adl_parse(fqy, strlen(fqy), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(items->len, ==, 1);
	it = items->pdata[0];
	g_assert_cmpstr(it->handle, ==, "bob@yahoo.com");
	g_assert_cmpuint(it->lists, ==, 0);
	g_assert_cmpuint(it->network, ==, 32);
	g_assert_null(it->friendly);
	g_ptr_array_unref(items);

	items = msn_adl_parse(many, strlen(many), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(items->len, ==, 5);
	it = items->pdata[0];
	g_assert_cmpstr(it->handle, ==, "x@a.com");
	g_assert_cmpuint(it->lists, ==, 3);
	it = items->pdata[1];
	g_assert_cmpstr(it->handle, ==, "y@a.com");
	g_assert_cmpuint(it->lists, ==, 0);          /* not a number */
	g_assert_cmpuint(it->network, ==, 1);        /* not a number */
	g_assert_cmpstr(it->friendly, ==, "caf\xc3\xa9");   /* Latin-1 fallback */
	it = items->pdata[2];
	g_assert_cmpstr(it->handle, ==, "tel:+15551111222");
	g_assert_cmpuint(it->network, ==, MSN_NETWORK_PHONE);
	it = items->pdata[3];
	g_assert_cmpstr(it->handle, ==, "a@b@b.com");   /* as the builder splits */
	it = items->pdata[4];
	g_assert_cmpstr(it->handle, ==, "&@b.com");
	g_ptr_array_unref(items);

	/* an empty <ml> is fine */
	items = msn_adl_parse("<ml></ml>", 9, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(items->len, ==, 0);
	g_ptr_array_unref(items);
}

static void
test_parse_malformed(void)
{
	static const char *const bad[] = {
		"",
		"   ",
		"<ml>",
		"<ml><d n=\"a.com\"><c n=\"b\"></d></ml>",
		"<xx><d n=\"a.com\"><c n=\"b\" l=\"1\"/></d></xx>",
		"<ml><d n=\"a.com\"><c n=\"b\xff\" l=\"1\"/></d></ml>",
		"<ml><d n=\"a.com\"><c n=\"&bogus;\" l=\"1\"/></d></ml>",
		"<ml></ml><ml></ml>",
		"not xml at all",
		"<ml><d n=\"a.com\"><c n=\"b\" n=\"c\"/></d></ml>",
	};
	GError *error = NULL;
	gsize i;
	g_autofree char *huge = NULL;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		GPtrArray *items = msn_adl_parse(bad[i], strlen(bad[i]), &error);

		if (items) {
			/* tolerated: then it must at least be sane */
			guint j;

			g_test_message("accepted: %s (%u items)", bad[i], items->len);
			for (j = 0; j < items->len; j++)
				g_assert_true(g_utf8_validate(((MsnAdlItem *)items->pdata[j])->handle, -1, NULL));
			g_ptr_array_unref(items);
			g_assert_cmpuint(i, ==, G_N_ELEMENTS(bad) - 1);
			continue;
		}
		g_assert_error(error, MSN_ADL_ERROR, MSN_ADL_ERROR_MALFORMED);
		g_clear_error(&error);
	}
	/* embedded NUL within the length */
	g_assert_null(msn_adl_parse("<ml>\0</ml>", 10, &error));
	g_assert_nonnull(error);
	g_clear_error(&error);
	/* NULL with length 0 */
	g_assert_null(msn_adl_parse(NULL, 0, &error));
	g_clear_error(&error);

	huge = g_strnfill(MSN_ADL_MAX_PARSE + 1, ' ');
	g_assert_null(msn_adl_parse(huge, MSN_ADL_MAX_PARSE + 1, &error));
	g_assert_error(error, MSN_ADL_ERROR, MSN_ADL_ERROR_TOO_LARGE);
	g_clear_error(&error);
}

/* 20,000 contacts over 400 domains, in shuffled order: linear, and every
 * contact comes back.  The time is printed, not asserted. */
static void
test_20000(void)
{
	const guint n = 20000;
	MsnAdlEntry *e = g_new(MsnAdlEntry, n);
	char **names = g_new(char *, n);
	GRand *rand = g_rand_new_with_seed(42);
	GHashTable *want = g_hash_table_new(g_str_hash, g_str_equal);
	guint i, skipped = 1, total = 0;
	gint64 t0, t1;
	GPtrArray *out, *again;

	for (i = 0; i < n; i++) {
		names[i] = g_strdup_printf("contact%05u@domain%03u.example.com", i,
		                           g_rand_int_range(rand, 0, 400));
		e[i].handle = names[i];
		e[i].lists = (guint)g_rand_int_range(rand, 1, 32);   /* RL/PL included */
		e[i].network = 1;
		if (e[i].lists & MSN_ADL_SENDABLE)
			g_hash_table_add(want, names[i]);
	}
	t0 = g_get_monotonic_time();
	out = msn_adl_build_initial(e, n, &skipped);
	t1 = g_get_monotonic_time();
	g_test_message("ADL build for %u contacts (%u sendable, 400 domains): %.2f ms, %u batches",
	               n, g_hash_table_size(want), (t1 - t0) / 1000.0, out->len);
	g_assert_cmpuint(skipped, ==, n - g_hash_table_size(want));
	for (i = 0; i < out->len; i++) {
		g_assert_cmpuint(strlen(out->pdata[i]), <, MSN_ADL_MAX_BYTES);
		total += count(out->pdata[i], "<c ");
	}
	g_assert_cmpuint(total, ==, g_hash_table_size(want));
	/* at most one partial batch per domain boundary: close to optimal */
	g_assert_cmpuint(out->len, <=, total / MSN_ADL_MAX_CONTACTS + 1 + 1);
	again = reread(out);
	g_assert_cmpuint(again->len, ==, g_hash_table_size(want));
	for (i = 0; i < again->len; i++)
		g_assert_true(g_hash_table_contains(want, again->pdata[i]));
	g_ptr_array_unref(again);
	g_ptr_array_unref(out);

	/* one domain only */
	for (i = 0; i < n; i++) {
		g_free(names[i]);
		names[i] = g_strdup_printf("c%05u@hotmail.com", i);
		e[i].handle = names[i];
		e[i].lists = 3;
	}
	t0 = g_get_monotonic_time();
	out = msn_adl_build_initial(e, n, NULL);
	t1 = g_get_monotonic_time();
	g_test_message("ADL build for %u contacts in one domain: %.2f ms, %u batches", n,
	               (t1 - t0) / 1000.0, out->len);
	g_assert_cmpuint(out->len, ==, (n + MSN_ADL_MAX_CONTACTS - 1) / MSN_ADL_MAX_CONTACTS);
	g_ptr_array_unref(out);

	for (i = 0; i < n; i++)
		g_free(names[i]);
	g_free(names);
	g_free(e);
	g_hash_table_unref(want);
	g_rand_free(rand);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/adl/example", test_example);
	g_test_add_func("/adl/seed-003", test_seed_003);
	g_test_add_func("/adl/empty", test_empty);
	g_test_add_func("/adl/bits-stripped", test_bits_stripped);
	g_test_add_func("/adl/at-handling", test_at_handling);
	g_test_add_func("/adl/escaping", test_escaping);
	g_test_add_func("/adl/incremental", test_incremental);
	g_test_add_func("/adl/batch-count", test_batch_count);
	g_test_add_func("/adl/batch-bytes", test_batch_bytes);
	g_test_add_func("/adl/too-long", test_too_long);
	g_test_add_func("/adl/domain-order", test_domain_order);
	g_test_add_func("/adl/parse-push", test_parse_push);
	g_test_add_func("/adl/parse-malformed", test_parse_malformed);
	g_test_add_func("/adl/20000", test_20000);
	return g_test_run();
}
