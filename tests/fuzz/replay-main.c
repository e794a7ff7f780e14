/* Replays a fuzz corpus through a fuzz target without libFuzzer, as a TAP
 * test: `replay-fuzz-X --tap DIR` (or just DIR) runs LLVMFuzzerTestOneInput
 * on every file of DIR in name order and prints one "ok" per file.  A crash
 * fails the run by itself; an empty or missing corpus is a failure too. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
main(int argc, char **argv)
{
	const char *dir_path = NULL;
	GPtrArray *files;
	GDir *dir;
	GError *error = NULL;
	const char *name;
	guint i;
	int arg;

	for (arg = 1; arg < argc; arg++) {
		if (strcmp(argv[arg], "--tap") == 0)
			continue;
		dir_path = argv[arg];
	}
	if (dir_path == NULL) {
		fprintf(stderr, "usage: %s [--tap] CORPUS-DIR\n", argv[0]);
		printf("1..1\nnot ok 1 - no corpus directory given\n");
		return 1;
	}

	files = g_ptr_array_new_with_free_func(g_free);
	dir = g_dir_open(dir_path, 0, &error);
	if (dir) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			char *path = g_build_filename(dir_path, name, NULL);

			if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
				g_ptr_array_add(files, g_strdup(name));
			g_free(path);
		}
		g_dir_close(dir);
	}
	if (files->len == 0) {
		printf("1..1\nnot ok 1 - corpus %s is empty or missing%s%s\n", dir_path,
		       error ? ": " : "", error ? error->message : "");
		g_clear_error(&error);
		g_ptr_array_unref(files);
		return 1;
	}
	g_ptr_array_sort(files, compare_names);

	printf("1..%u\n", files->len);
	fflush(stdout);
	for (i = 0; i < files->len; i++) {
		const char *file = g_ptr_array_index(files, i);
		char *path = g_build_filename(dir_path, file, NULL);
		char *contents = NULL;
		gsize len = 0;

		if (!g_file_get_contents(path, &contents, &len, &error)) {
			printf("not ok %u %s # %s\n", i + 1, file, error->message);
			g_clear_error(&error);
		} else {
			LLVMFuzzerTestOneInput((const uint8_t *)contents, len);
			printf("ok %u %s\n", i + 1, file);
		}
		fflush(stdout);
		g_free(contents);
		g_free(path);
	}
	g_ptr_array_unref(files);
	return 0;
}
