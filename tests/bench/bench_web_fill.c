/* bench_web_fill.c - fills a hark database for tests/bench/web.sh: N hits
 * over the last SPAN seconds, 20 feeds, 8 rules (rule-K matches the word
 * KEYWORDS[K], which every item of that rule carries in its title and
 * text), texts cut from the benchmark corpus, and a burst of "outage"
 * hits six hours ago so the charts have a spike to mark.
 *
 *     bench_web_fill DB CORPUS N SPAN_SECONDS
 *
 * Written through the store API, as `hark run` writes, in transactions of
 * 5000 hits. */
#include "hark/item.h"
#include "hark/store.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const keywords[] = {"acme", "refund", "outage", "slack",
				       "router", "firmware", "support", "console"};

int main(int argc, char **argv)
{
	struct hark_feed_state feeds[20];
	struct hark_store *st;
	GError *e = NULL;
	char *corpus = NULL;
	gsize clen = 0;
	long n, span;
	int64_t now = g_get_real_time() / G_USEC_PER_SEC;
	GRand *rnd = g_rand_new_with_seed(42);
	char rules[8][16];

	if (argc != 5) {
		fprintf(stderr, "usage: bench_web_fill DB CORPUS N SPAN_SECONDS\n");
		return 1;
	}
	n = strtol(argv[3], NULL, 10);
	span = strtol(argv[4], NULL, 10);
	if (!g_file_get_contents(argv[2], &corpus, &clen, &e) || clen < 2000) {
		fprintf(stderr, "corpus: %s\n", e ? e->message : "too short");
		return 1;
	}
	for (char *p = corpus; *p; p++)
		if (*p == '\n' || (unsigned char)*p >= 0x80)
			*p = ' ';   /* ASCII only: slices never cut a character */
	st = hark_store_open(argv[1], &e);
	if (!st) {
		fprintf(stderr, "%s\n", e->message);
		return 1;
	}
	for (int k = 0; k < 8; k++)
		snprintf(rules[k], sizeof rules[k], "rule-%d", k);
	for (int f = 0; f < 20; f++) {
		char name[32], url[80];
		snprintf(name, sizeof name, "feed-%02d", f);
		snprintf(url, sizeof url, "https://forum.example/%s.xml", name);
		if (!hark_store_feed_load(st, name, url, &feeds[f], &e)) {
			fprintf(stderr, "%s\n", e->message);
			return 1;
		}
	}
	for (long i = 0; i < n; i++) {
		struct hark_item item = {0};
		int k = (int)g_rand_int_range(rnd, 0, 8);
		int64_t created = now - span + (int64_t)((double)span * i / n);
		size_t at = (size_t)g_rand_int_range(rnd, 0, (gint32)(clen - 500));
		char title[160], key[32], link[80], *text;
		int64_t item_id, hit_id;
		bool is_new;

		if (i % 40 == 0) {
			/* The burst: one hit in 40 lands in one hour, 6 h ago. */
			k = 2;
			created = now - 6 * 3600 - g_rand_int_range(rnd, 0, 3600);
		}
		if (i % 5000 == 0 && !hark_store_begin(st, &e))
			goto fail;
		snprintf(title, sizeof title, "Post %ld: people talk about %s again",
			 i, keywords[k]);
		snprintf(key, sizeof key, "guid:%ld", i);
		snprintf(link, sizeof link, "https://forum.example/t/%ld", i);
		text = g_strdup_printf("%.*s %s %.*s", 150, corpus + at, keywords[k], 250,
				       corpus + at + 150);
		item.title = title;
		item.link = link;
		item.content = text;
		item.published = created;
		item.updated = HARK_TIME_NONE;
		if (!hark_store_item_put(st, feeds[i % 20].id, key, &item, created, &is_new,
					 &item_id, &e) ||
		    !hark_store_hit_put(st, item_id, rules[k],
					g_rand_double_range(rnd, -1, 1), created, &is_new,
					&hit_id, &e)) {
			g_free(text);
			goto fail;
		}
		g_free(text);
		if ((i + 1) % 5000 == 0 || i + 1 == n)
			if (!hark_store_commit(st, &e))
				goto fail;
	}
	for (int f = 0; f < 20; f++)
		hark_feed_state_clear(&feeds[f]);
	hark_store_close(st);
	g_free(corpus);
	g_rand_free(rnd);
	return 0;
fail:
	fprintf(stderr, "%s\n", e->message);
	return 1;
}
