/* bench_parse - hark's full item pipeline over a list of feed files.
 *
 * usage: bench_parse LISTFILE TARGET_MB
 * Loads every file named in LISTFILE (one path a line) into memory, then
 * runs hark_feed_parse() (charset handling, parse, clean text of every
 * title, summary and content) over the list again and again until
 * TARGET_MB megabytes have been parsed.  Prints "bytes items seconds".
 */
#include "hark/htmltext.h"
#include "hark/parse.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv)
{
	char *list, **paths;
	GPtrArray *bufs = g_ptr_array_new();
	GArray *lens = g_array_new(FALSE, FALSE, sizeof(gsize));
	guint64 target, bytes = 0, items = 0;
	struct timespec t0, t1;

	if (argc != 3 || !g_file_get_contents(argv[1], &list, NULL, NULL)) {
		fprintf(stderr, "usage: bench_parse LISTFILE TARGET_MB\n");
		return 1;
	}
	target = g_ascii_strtoull(argv[2], NULL, 10) << 20;
	paths = g_strsplit(list, "\n", -1);
	for (char **p = paths; *p; p++) {
		char *data;
		gsize len;
		if (**p && g_file_get_contents(*p, &data, &len, NULL)) {
			g_ptr_array_add(bufs, data);
			g_array_append_val(lens, len);
		}
	}
	if (!bufs->len)
		return 1;
	/* BENCH_KEEP_HTML=1 skips the clean-text step, to see what it costs */
	struct hark_parse_opts opts = {.keep_html = g_getenv("BENCH_KEEP_HTML") != NULL};
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (guint i = 0; bytes < target; i = (i + 1) % bufs->len) {
		gsize len = g_array_index(lens, gsize, i);
		struct hark_feed_doc *doc = hark_feed_parse(g_ptr_array_index(bufs, i), len, &opts, NULL);
		bytes += len;
		if (doc) {
			items += doc->items->len;
			hark_feed_doc_free(doc);
		}
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	if (g_getenv("BENCH_HTML_STEP")) {
		/* the HTML-to-text step alone, on every field of one pass */
		GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
		struct hark_parse_opts keep = {.keep_html = true};
		guint64 fbytes = 0;
		struct timespec h0, h1;
		for (guint i = 0; i < bufs->len; i++) {
			struct hark_feed_doc *doc = hark_feed_parse(g_ptr_array_index(bufs, i),
				g_array_index(lens, gsize, i), &keep, NULL);
			for (guint k = 0; doc && k < doc->items->len; k++) {
				struct hark_item *it = g_ptr_array_index(doc->items, k);
				char *f[] = {it->title, it->summary, it->content};
				for (int j = 0; j < 3; j++)
					if (f[j])
						g_ptr_array_add(fields, g_strdup(f[j]));
			}
			hark_feed_doc_free(doc);
		}
		for (guint k = 0; k < fields->len; k++)
			fbytes += strlen(g_ptr_array_index(fields, k));
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &h0);
		for (guint k = 0; k < fields->len; k++) {
			const char *f = g_ptr_array_index(fields, k);
			g_free(hark_html_to_text(f, strlen(f)));
		}
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &h1);
		double hs = (double)(h1.tv_sec - h0.tv_sec) + (double)(h1.tv_nsec - h0.tv_nsec) / 1e9;
		guint64 total = 0;
		for (guint i = 0; i < bufs->len; i++)
			total += g_array_index(lens, gsize, i);
		fprintf(stderr, "html-to-text alone: %u fields, %.1f MB (%.0f%% of the input), %.1f MB/s\n",
			fields->len, fbytes / 1048576.0, 100.0 * fbytes / total, fbytes / 1048576.0 / hs);
		g_ptr_array_unref(fields);
	}
	printf("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %.6f\n", bytes, items,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
