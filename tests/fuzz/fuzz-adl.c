/* libFuzzer target: the ADL/RML/FQY payload reader (server pushes).
 *
 * Parses the input; every item must be sane (valid UTF-8, non-empty handle).
 * Items that an ADL may carry are rebuilt, one by one and as an initial
 * dump, and read back: the handles and bits must survive, and every batch
 * must respect the 150-contact and byte limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/adl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static GPtrArray *
parse_ok(const char *p)
{
	GError *error = NULL;
	GPtrArray *items = msn_adl_parse(p, strlen(p), &error);

	check(items != NULL && error == NULL);
	return items;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GError *error = NULL;
	GPtrArray *items = msn_adl_parse((const char *)data, size, &error);
	MsnAdlEntry *entries;
	GPtrArray *batches;
	guint i, n_entries = 0, skipped = 0, reread = 0;

	if (items == NULL) {
		check(error != NULL && error->domain == MSN_ADL_ERROR);
		g_error_free(error);
		return 0;
	}
	check(error == NULL);
	entries = g_new0(MsnAdlEntry, items->len + 1);
	for (i = 0; i < items->len; i++) {
		MsnAdlItem *it = items->pdata[i];
		char *one;

		check(it->handle != NULL && it->handle[0] != '\0');
		check(g_utf8_validate(it->handle, -1, NULL));
		check(it->friendly == NULL || g_utf8_validate(it->friendly, -1, NULL));
		entries[n_entries].handle = it->handle;
		entries[n_entries].lists = it->lists;
		entries[n_entries].network = it->network;
		n_entries++;

		one = msn_adl_build_one(it->handle, it->lists, it->network);
		if (one) {
			GPtrArray *back = parse_ok(one);
			MsnAdlItem *b;

			check(back->len == 1);
			b = back->pdata[0];
			check(b->lists == (it->lists & MSN_ADL_SENDABLE));
			check(g_ascii_strcasecmp(b->handle, it->handle) == 0);
			g_ptr_array_unref(back);
			g_free(one);
		}
	}
	batches = msn_adl_build_initial(entries, n_entries, &skipped);
	check(batches->len >= 1);
	for (i = 0; i < batches->len; i++) {
		const char *p = batches->pdata[i];
		GPtrArray *back;

		check(strlen(p) < MSN_ADL_MAX_BYTES);
		back = parse_ok(p);
		check(back->len <= MSN_ADL_MAX_CONTACTS);
		reread += back->len;
		g_ptr_array_unref(back);
	}
	check(reread + skipped == n_entries);
	g_ptr_array_unref(batches);
	g_free(entries);
	g_ptr_array_unref(items);
	return 0;
}
