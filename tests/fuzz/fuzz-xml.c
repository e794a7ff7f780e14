/* libFuzzer target: the streaming XML reader (src/proto/xml.c).
 *
 * Reads the input whole, then in pieces whose sizes come from the input:
 * every split must give the same calls (text joined between tags) and the
 * same result.  Events must be sane: names non-empty and free of markup,
 * end tags matching start tags, attribute arrays NULL-terminated, no call
 * after an error; on valid UTF-8 input every name, value and text is valid
 * UTF-8.  A third read stops from a handler at an event the input picks:
 * nothing is called after that, and the result is MSN_XML_ERROR_STOPPED
 * unless the document had failed before. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

typedef struct {
	GString *dump;
	GString *text;          /* text since the last tag */
	GPtrArray *open;        /* names, for matching */
	gboolean utf8;          /* the input is valid UTF-8 */
	guint events, stop_at;  /* stop_at 0: never */
} Run;

static void
check_name(const Run *run, const char *name)
{
	check(name != NULL && name[0] != '\0');
	check(strpbrk(name, "<>&\"' \t\r\n=/") == NULL);
	check(strlen(name) <= MSN_XML_MAX_NAME);
	if (run->utf8)
		check(g_utf8_validate(name, -1, NULL));
}

static void
flush_text(Run *run)
{
	if (run->text->len == 0)
		return;
	/* (Stopped by a handler, the text may end inside a character: the
	 * pieces are cut anywhere.) */
	if (run->utf8 && !(run->stop_at && run->events >= run->stop_at))
		check(g_utf8_validate(run->text->str, (gssize)run->text->len, NULL));
	g_string_append_printf(run->dump, "T%" G_GSIZE_FORMAT ":", run->text->len);
	g_string_append_len(run->dump, run->text->str, (gssize)run->text->len);
	g_string_append_c(run->dump, '\n');
	g_string_truncate(run->text, 0);
}

static void
count(MsnXmlReader *r, Run *run)
{
	check(msn_xml_reader_error(r) == NULL);
	if (++run->events == run->stop_at)
		msn_xml_reader_stop(r);
}

static void
on_start(MsnXmlReader *r, const char *name, const char *const *names,
         const char *const *values, gpointer data)
{
	Run *run = data;
	guint i;

	flush_text(run);
	check_name(run, name);
	check(msn_xml_reader_intern(r, name) == name);
	g_string_append_printf(run->dump, "S%s", name);
	for (i = 0; names[i]; i++) {
		check(values[i] != NULL && i < MSN_XML_MAX_ATTRS);
		check_name(run, names[i]);
		if (run->utf8)
			check(g_utf8_validate(values[i], -1, NULL));
		g_string_append_printf(run->dump, " %s=%s", names[i], values[i]);
	}
	check(values[i] == NULL);
	g_string_append_c(run->dump, '\n');
	g_ptr_array_add(run->open, (gpointer)name);
	check(run->open->len <= MSN_XML_MAX_DEPTH);
	count(r, run);
}

static void
on_end(MsnXmlReader *r, const char *name, gpointer data)
{
	Run *run = data;

	flush_text(run);
	check(run->open->len > 0);
	check(g_ptr_array_index(run->open, run->open->len - 1) == name);
	g_ptr_array_set_size(run->open, run->open->len - 1);
	g_string_append_printf(run->dump, "E%s\n", name);
	count(r, run);
}

static void
on_text(MsnXmlReader *r, const char *text, gsize len, gpointer data)
{
	Run *run = data;

	check(len > 0 && run->open->len > 0);
	g_string_append_len(run->text, text, (gssize)len);
	count(r, run);
}

static const MsnXmlHandlers handlers = { on_start, on_end, on_text };

/* The document read in pieces (sizes from seed; none: whole), as a dump. */
static char *
read_doc(const uint8_t *data, size_t size, guint seed, gboolean utf8, guint stop_at)
{
	Run run = { g_string_new(NULL), g_string_new(NULL), g_ptr_array_new(), utf8, 0, stop_at };
	MsnXmlReader *r = msn_xml_reader_new(&handlers, &run);
	GError *error = NULL;
	size_t off = 0;
	gboolean ok, fed = TRUE;

	while (off < size) {
		size_t n = seed ? 1 + (seed >> 3) % 61 : size - off;

		seed = seed * 1103515245u + 12345u;
		n = MIN(n, size - off);
		if (!msn_xml_reader_feed(r, (const char *)data + off, n))
			fed = FALSE;
		/* Once it failed, feeding is refused for good. */
		if (!fed)
			check(msn_xml_reader_error(r) != NULL);
		off += n;
	}
	ok = msn_xml_reader_end(r, &error);
	check(ok == (error == NULL));
	if (stop_at && run.events >= stop_at)
		check(!ok && error->code == MSN_XML_ERROR_STOPPED);
	if (ok) {
		check(run.open->len == 0);
		check(run.text->len == 0);
		g_string_append(run.dump, "OK\n");
	} else {
		check(error->domain == MSN_XML_ERROR);
		check(g_utf8_validate(error->message, -1, NULL));
		flush_text(&run);
		g_string_append_printf(run.dump, "ERROR %d %s\n", error->code, error->message);
		g_error_free(error);
	}
	/* Ending again gives the same answer. */
	check(msn_xml_reader_end(r, NULL) == ok);
	msn_xml_reader_free(r);
	g_string_free(run.text, TRUE);
	g_ptr_array_unref(run.open);
	return g_string_free(run.dump, FALSE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gboolean utf8 = g_utf8_validate((const char *)data, (gssize)size, NULL);
	guint seed = 1;
	char *whole, *split, *stopped;
	size_t i;

	for (i = 0; i < size && i < 8; i++)
		seed = seed * 31u + data[i];
	whole = read_doc(data, size, 0, utf8, 0);
	split = read_doc(data, size, seed | 1u, utf8, 0);
	check(strcmp(whole, split) == 0);
	g_free(split);
	split = read_doc(data, size, 7u, utf8, 0);
	check(strcmp(whole, split) == 0);
	stopped = read_doc(data, size, seed | 1u, utf8, 1 + seed % 64);
	g_free(stopped);
	g_free(split);
	g_free(whole);
	return 0;
}
