/* bench_dedup - the de-duplication path at scale.
 *
 *   bench_dedup DB PRELOAD NEW QUERY
 *
 * 1. Stores PRELOAD items (100 feeds, pseudo-random 40-word texts, 1% of
 *    them with a hit) in one transaction through the store API.
 * 2. Stores NEW further items the way a poll does - identifiers, identity
 *    lookup, SimHash, near-duplicate band lookup, insert - in transactions
 *    of 50 (one feed document), and, on a copy of the same items, the
 *    foundation's path (hark_item_key + hark_store_item_put) as the
 *    reference.
 * 3. Times the FTS5 query QUERY over the hits, and the same words as
 *    LIKE scans as the reference.
 *
 * Prints one "name value" line per figure.
 */
#include "hark/identity.h"
#include "hark/poll.h"
#include "hark/simhash.h"
#include "hark/store.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const syl[] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "ve",
				  "da", "zo", "gu", "fe", "ba", "xi", "ho", "ju", "wy",
				  "qe", "ce"};

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static struct hark_item *make_item(int64_t n)
{
	struct hark_item *it = hark_item_new();
	GString *t = g_string_new("Acme");

	for (int w = 0; w < 40; w++) {
		int len = 2 + (int)(next() % 3);
		g_string_append_c(t, ' ');
		for (int s = 0; s < len; s++)
			g_string_append(t, syl[next() % G_N_ELEMENTS(syl)]);
	}
	g_string_append_c(t, '.');
	it->id = g_strdup_printf("tag:bench,2026:%" G_GINT64_FORMAT, n);
	it->link = g_strdup_printf("https://site%d.example/post/%" G_GINT64_FORMAT
				   "?utm_source=rss&utm_medium=feed", (int)(n % 100), n);
	it->title = g_strdup_printf("Post %" G_GINT64_FORMAT " about Acme", n);
	it->content = g_string_free(t, FALSE);
	it->published = 1700000000 + n;
	return it;
}

static double now_s(void)
{
	return (double)g_get_monotonic_time() / 1e6;
}

/* CPU seconds of this process: the machine is shared, so rates are also
 * given per CPU second. */
static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(GError *e)
{
	fprintf(stderr, "bench_dedup: %s\n", e ? e->message : "failed");
	exit(2);
}

/* The poll path for one new item (poll.c's store_item without rules). */
static void store_new(struct hark_store *st, int64_t feed_id, const struct hark_item *it,
		      int64_t now, unsigned *near)
{
	struct hark_item_ids ids;
	struct hark_identity_trust trust = {false, false};
	struct hark_item_lookup l;
	char *key;
	uint64_t sh = 0;
	bool has;
	GArray *nd = NULL;
	int64_t id;
	GError *e = NULL;

	hark_item_ids_compute(it, &ids);
	key = hark_identity_key(hark_identity_effective(HARK_IDENTITY_AUTO, &trust, &ids), &ids);
	if (!hark_store_item_find(st, feed_id, key, &ids, true, true, true, &l, &e))
		die(e);
	has = hark_simhash(it->content, &sh);
	if (!l.id) {
		if (!hark_store_item_insert(st, feed_id, key, &ids, it, has, sh, now, &id, &e))
			die(e);
		if (has) {
			if (!hark_store_near_duplicates(st, sh, id, &nd, &e))
				die(e);
			*near += nd->len;
			g_array_unref(nd);
		}
	}
	hark_item_lookup_clear(&l);
	hark_item_ids_clear(&ids);
	g_free(key);
}

static int64_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

int main(int argc, char **argv)
{
	struct hark_store *st;
	int64_t feeds[100];
	GError *e = NULL;
	long preload, fresh;
	double t0, t1, c0, c1;
	unsigned near = 0;
	char *ref_path;
	uint64_t saved;

	if (argc != 5) {
		fprintf(stderr, "usage: bench_dedup DB PRELOAD NEW QUERY\n");
		return 1;
	}
	preload = atol(argv[2]);
	fresh = atol(argv[3]);
	st = hark_store_open(argv[1], &e);
	if (!st)
		die(e);
	for (int f = 0; f < 100; f++) {
		struct hark_feed_state fs;
		char name[16], url[64];
		snprintf(name, sizeof name, "feed%d", f);
		snprintf(url, sizeof url, "https://site%d.example/feed", f);
		if (!hark_store_feed_load(st, name, url, &fs, &e))
			die(e);
		feeds[f] = fs.id;
		hark_feed_state_clear(&fs);
	}

	/* 1. Preload, one transaction, with a bulk-load page cache. */
	if (!hark_store_set_cache_mb(st, 256, &e))
		die(e);
	t0 = now_s();
	c0 = cpu_s();
	if (!hark_store_bulk_begin(st, &e))
		die(e);
	for (long n = 0; n < preload; n++) {
		struct hark_item *it = make_item(n);
		struct hark_item_ids ids;
		char *key;
		uint64_t sh = 0;
		bool has = hark_simhash(it->content, &sh);
		int64_t id, hit;
		bool is_new;

		hark_item_ids_compute(it, &ids);
		key = hark_identity_key(HARK_IDENTITY_GUID, &ids);
		if (!hark_store_item_insert(st, feeds[n % 100], key, &ids, it, has, sh,
					    1700000000, &id, &e))
			die(e);
		if (n % 100 == 0 &&
		    !hark_store_hit_put(st, id, "bench", -0.25, 1700000000 + n, &is_new, &hit, &e))
			die(e);
		g_free(key);
		hark_item_ids_clear(&ids);
		hark_item_free(it);
	}
	if (!hark_store_bulk_commit(st, &e))
		die(e);
	t1 = now_s();
	c1 = cpu_s();
	printf("preload_items %ld\npreload_seconds %.1f\npreload_cpu_seconds %.1f\n",
	       preload, t1 - t0, c1 - c0);
	hark_store_close(st);
	printf("db_bytes_per_100k_items %.0f\n",
	       (double)file_size(argv[1]) / ((double)preload / 100000.0));

	/* 2. New items the way a poll stores them, 50 per transaction. */
	ref_path = g_strconcat(argv[1], ".ref", NULL);
	{
		char *cmd = g_strdup_printf("cp '%s' '%s'", argv[1], ref_path);
		if (system(cmd) != 0)
			return 2;
		g_free(cmd);
	}
	st = hark_store_open(argv[1], &e);
	if (!st)
		die(e);
	saved = rng;
	t0 = now_s();
	c0 = cpu_s();
	for (long n = 0; n < fresh; n += 50) {
		if (!hark_store_begin(st, &e))
			die(e);
		for (long k = n; k < n + 50 && k < fresh; k++) {
			struct hark_item *it = make_item(preload + k);
			store_new(st, feeds[k % 100], it, 1800000000, &near);
			hark_item_free(it);
		}
		if (!hark_store_commit(st, &e))
			die(e);
	}
	t1 = now_s();
	c1 = cpu_s();
	printf("new_items %ld\nnew_items_per_s %.0f\nnew_items_per_cpu_s %.0f\n"
	       "near_duplicates_found %u\n", fresh, fresh / (t1 - t0),
	       fresh / (c1 - c0), near);
	double ours = fresh / (c1 - c0);

	/* 3. Search latency over the hits, FTS5 vs LIKE scans. */
	{
		struct hark_hit_query q = {.search = argv[4]};
		GPtrArray *rows = NULL;
		double best = 1e9;
		for (int r = 0; r < 5; r++) {
			double a = now_s();
			if (!hark_store_hits_query(st, &q, &rows, &e))
				die(e);
			best = MIN(best, now_s() - a);
			if (r < 4)
				g_ptr_array_unref(rows);
		}
		printf("search_hits %u\nsearch_ms %.2f\n", rows->len, best * 1000);
		g_ptr_array_unref(rows);
		hark_store_close(st);

		sqlite3 *db;
		sqlite3_stmt *s;
		char **words = g_strsplit(argv[4], " ", -1);
		GString *sql = g_string_new("SELECT count(*) FROM hits h JOIN items i ON "
					    "i.id = h.item_id WHERE 1");
		for (char **w = words; *w; w++)
			if (**w && strcmp(*w, "AND"))
				g_string_append_printf(sql, " AND (i.title LIKE '%%%s%%' OR "
							    "i.text LIKE '%%%s%%')", *w, *w);
		g_strfreev(words);
		sqlite3_open(argv[1], &db);
		sqlite3_prepare_v2(db, sql->str, -1, &s, NULL);
		double a = now_s();
		sqlite3_step(s);
		double like = now_s() - a;
		printf("like_hits %d\nlike_ms %.2f\nsearch_speedup_vs_like %.1f\n",
		       sqlite3_column_int(s, 0), like * 1000, like / best);
		sqlite3_finalize(s);
		sqlite3_close(db);
		g_string_free(sql, TRUE);
	}

	/* Reference: the foundation's identity (guid, else raw link, else a
	 * hash) and insert, on the same 1M-item database and items. */
	st = hark_store_open(ref_path, &e);
	if (!st)
		die(e);
	rng = saved;   /* the very same items */
	t0 = now_s();
	c0 = cpu_s();
	for (long n = 0; n < fresh; n += 50) {
		if (!hark_store_begin(st, &e))
			die(e);
		for (long k = n; k < n + 50 && k < fresh; k++) {
			struct hark_item *it = make_item(preload + k);
			char *key = hark_item_key(it);
			bool is_new;
			int64_t id;
			if (!hark_store_item_put(st, feeds[k % 100], key, it, 1800000000,
						 &is_new, &id, &e))
				die(e);
			g_free(key);
			hark_item_free(it);
		}
		if (!hark_store_commit(st, &e))
			die(e);
	}
	t1 = now_s();
	c1 = cpu_s();
	hark_store_close(st);
	printf("reference_foundation_items_per_s %.0f\n"
	       "reference_foundation_items_per_cpu_s %.0f\n"
	       "ratio_vs_foundation_cpu %.2f\n",
	       fresh / (t1 - t0), fresh / (c1 - c0), ours / (fresh / (c1 - c0)));
	g_free(ref_path);
	return 0;
}
