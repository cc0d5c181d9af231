/* test_web_store.c - what the web page needs from the store (the
 * filters it adds to hark_store_hits_query(), handled, hit buckets,
 * mutes, the migration that adds them) and the listen-address rules, on a real temporary SQLite
 * file. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/error.h"
#include "hark/store.h"
#include "hark/web.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#define T0 1800000000   /* a multiple of 3600 */

struct fx {
	char *dir, *path;
	struct hark_store *st;
	int64_t hit[6];
};

/* Six hits: feeds a (3) and b (3); rules r1 (4) and r2 (2); one hour
 * apart from T0, sentiments -0.8 .. +0.6 and one unscored. */
static int setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);
	struct hark_feed_state fa, fb;
	static const double sent[6] = {-0.8, -0.2, NAN, 0.1, 0.4, 0.6};

	f->dir = g_dir_make_tmp("hark-webstore-XXXXXX", NULL);
	f->path = g_build_filename(f->dir, "h.db", NULL);
	f->st = hark_store_open(f->path, NULL);
	assert_non_null(f->st);
	assert_true(hark_store_feed_load(f->st, "a", "http://a.test/", &fa, NULL));
	assert_true(hark_store_feed_load(f->st, "b", "http://b.test/", &fb, NULL));
	for (int i = 0; i < 6; i++) {
		struct hark_item it = {0};
		char key[16], title[32];
		int64_t item_id;
		bool is_new;

		snprintf(key, sizeof key, "k%d", i);
		snprintf(title, sizeof title, "title %d", i);
		it.title = title;
		it.content = "some text";
		it.published = HARK_TIME_NONE;
		it.updated = HARK_TIME_NONE;
		assert_true(hark_store_item_put(f->st, i < 3 ? fa.id : fb.id, key, &it,
						T0 + i * 3600, &is_new, &item_id, NULL));
		assert_true(hark_store_hit_put(f->st, item_id, i % 3 == 2 ? "r2" : "r1",
					       sent[i], T0 + i * 3600, &is_new,
					       &f->hit[i], NULL));
	}
	hark_feed_state_clear(&fa);
	hark_feed_state_clear(&fb);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char *wal = g_strconcat(f->path, "-wal", NULL), *shm = g_strconcat(f->path, "-shm", NULL);

	hark_store_close(f->st);
	g_unlink(f->path);
	g_unlink(wal);
	g_unlink(shm);
	g_rmdir(f->dir);
	g_free(wal);
	g_free(shm);
	g_free(f->path);
	g_free(f->dir);
	g_free(f);
	return 0;
}

static struct hark_hit_query any(void)
{
	struct hark_hit_query q;

	memset(&q, 0, sizeof q);
	q.limit = 100;
	q.with_text = true;
	return q;
}

/* The ids returned, as "i,j,k" of fixture indexes. */
static char *run(struct fx *f, const struct hark_hit_query *q)
{
	GPtrArray *out = NULL;
	GString *s = g_string_new(NULL);

	assert_true(hark_store_hits_query(f->st, q, &out, NULL));
	for (guint i = 0; i < out->len; i++) {
		const struct hark_hit_row *h = out->pdata[i];
		for (int k = 0; k < 6; k++)
			if (f->hit[k] == h->id)
				g_string_append_printf(s, "%s%d", s->len ? "," : "", k);
	}
	g_ptr_array_unref(out);
	return g_string_free(s, FALSE);
}

#define assert_run(f, q, want) do { char *got_ = run(f, q); \
	assert_string_equal(got_, want); g_free(got_); } while (0)

static void test_stream_filters(void **state)
{
	struct fx *f = *state;
	struct hark_hit_query q = any();
	GPtrArray *out;
	const struct hark_hit_row *h;

	assert_run(f, &q, "5,4,3,2,1,0");
	q.limit = 2;
	assert_run(f, &q, "5,4");
	q = any();
	q.rule = "r2";
	assert_run(f, &q, "5,2");
	q = any();
	q.feeds_json = "[\"b\"]";
	assert_run(f, &q, "5,4,3");
	q.feeds_json = "[]";
	assert_run(f, &q, "");
	q = any();
	q.has_min_sentiment = true;
	q.min_sentiment = 0.1;
	assert_run(f, &q, "5,4,3");           /* unscored 2 left out */
	q.has_max_sentiment = true;
	q.max_sentiment = 0.4;
	assert_run(f, &q, "4,3");
	q = any();
	q.since = T0 + 2 * 3600;
	q.until = T0 + 4 * 3600;
	assert_run(f, &q, "3,2");
	q = any();
	q.before_id = f->hit[3];
	assert_run(f, &q, "2,1,0");
	q = any();
	q.after_id = f->hit[3];
	assert_run(f, &q, "4,5");             /* live: oldest first */

	/* A row carries the item and the feed. */
	q = any();
	q.limit = 1;
	q.rule = "r2";
	assert_true(hark_store_hits_query(f->st, &q, &out, NULL));
	assert_int_equal(out->len, 1);
	h = out->pdata[0];
	assert_string_equal(h->feed, "b");
	assert_string_equal(h->title, "title 5");
	assert_string_equal(h->text, "some text");
	assert_int_equal(h->created, T0 + 5 * 3600);
	assert_true(fabs(h->sentiment - 0.6) < 1e-9);
	assert_int_equal(h->handled, 0);
	g_ptr_array_unref(out);
	q.rule = NULL;
	q.until = T0 + 3 * 3600;
	assert_true(hark_store_hits_query(f->st, &q, &out, NULL));
	assert_true(isnan(((struct hark_hit_row *)out->pdata[0])->sentiment));
	g_ptr_array_unref(out);
}

static void test_handled(void **state)
{
	struct fx *f = *state;
	struct hark_hit_query q = any();
	bool found;

	assert_true(hark_store_hit_set_handled(f->st, f->hit[4], T0 + 99, &found, NULL));
	assert_true(found);
	q.unhandled = true;
	assert_run(f, &q, "5,3,2,1,0");
	assert_true(hark_store_hit_set_handled(f->st, f->hit[4], 0, &found, NULL));
	assert_run(f, &q, "5,4,3,2,1,0");
	assert_true(hark_store_hit_set_handled(f->st, 424242, T0, &found, NULL));
	assert_false(found);
}

static void test_buckets(void **state)
{
	struct fx *f = *state;
	GPtrArray *out;
	const struct hark_hit_bucket *b;

	/* Per hour, every rule: one bucket per hit, by rule then time. */
	assert_true(hark_store_hit_buckets(f->st, NULL, T0, T0 + 6 * 3600, 3600, &out, NULL));
	assert_int_equal(out->len, 6);
	b = out->pdata[0];
	assert_string_equal(b->rule, "r1");
	assert_int_equal(b->start, T0);
	assert_int_equal(b->hits, 1);
	b = out->pdata[4];
	assert_string_equal(b->rule, "r2");
	assert_int_equal(b->start, T0 + 2 * 3600);
	assert_int_equal(b->scored, 0);
	assert_true(isnan(b->mean_sentiment));
	g_ptr_array_unref(out);

	/* Per day, one rule: r1's four hits, mean of four sentiments. */
	assert_true(hark_store_hit_buckets(f->st, "r1", T0 - 86400, T0 + 86400, 86400,
					   &out, NULL));
	assert_int_equal(out->len, 1);
	b = out->pdata[0];
	assert_int_equal(b->hits, 4);
	assert_int_equal(b->scored, 4);
	assert_int_equal(b->start, T0 / 86400 * 86400);
	assert_true(fabs(b->mean_sentiment - (-0.8 - 0.2 + 0.1 + 0.4) / 4) < 1e-9);
	g_ptr_array_unref(out);

	/* UNTIL is exclusive. */
	assert_true(hark_store_hit_buckets(f->st, NULL, T0, T0 + 3600, 3600, &out, NULL));
	assert_int_equal(out->len, 1);
	g_ptr_array_unref(out);
}

/* The per-hour table (whole hours) and the hits (any other window) give
 * the same answers, and the table follows deletes and updates. */
static void test_bucket_table(void **state)
{
	struct fx *f = *state;
	GPtrArray *a, *b;
	sqlite3 *db;

	assert_true(hark_store_hit_buckets(f->st, "r1", T0, T0 + 86400, 86400, &a, NULL));
	assert_true(hark_store_hit_buckets(f->st, "r1", T0, T0 + 86400 - 1, 86400, &b, NULL));
	assert_int_equal(a->len, 1);
	assert_int_equal(b->len, 1);
	assert_int_equal(((struct hark_hit_bucket *)a->pdata[0])->hits, 4);
	assert_int_equal(((struct hark_hit_bucket *)b->pdata[0])->hits, 4);
	assert_true(fabs(((struct hark_hit_bucket *)a->pdata[0])->mean_sentiment -
			 ((struct hark_hit_bucket *)b->pdata[0])->mean_sentiment) < 1e-9);
	g_ptr_array_unref(a);
	g_ptr_array_unref(b);

	/* Another connection deletes hit 0 (-0.8) and rescores hit 1. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	{
		char *sql = g_strdup_printf("DELETE FROM hits WHERE id = %" G_GINT64_FORMAT ";"
					    "UPDATE hits SET sentiment = 0.5 WHERE id = %"
					    G_GINT64_FORMAT, f->hit[0], f->hit[1]);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		g_free(sql);
	}
	sqlite3_close(db);
	assert_true(hark_store_hit_buckets(f->st, "r1", T0, T0 + 86400, 86400, &a, NULL));
	assert_int_equal(((struct hark_hit_bucket *)a->pdata[0])->hits, 3);
	assert_int_equal(((struct hark_hit_bucket *)a->pdata[0])->scored, 3);
	assert_true(fabs(((struct hark_hit_bucket *)a->pdata[0])->mean_sentiment -
			 (0.5 + 0.1 + 0.4) / 3) < 1e-9);
	g_ptr_array_unref(a);
	assert_true(hark_store_hit_buckets(f->st, "r1", T0, T0 + 3600, 3600, &a, NULL));
	assert_int_equal(a->len, 0);   /* the emptied hour is gone */
	g_ptr_array_unref(a);
}

static void test_mute(void **state)
{
	struct fx *f = *state;
	int64_t until = -1;

	assert_true(hark_store_muted_until(f->st, "r1", &until, NULL));
	assert_int_equal(until, 0);
	assert_true(hark_store_mute(f->st, "r1", T0 + 3600, NULL));
	assert_true(hark_store_muted_until(f->st, "r1", &until, NULL));
	assert_int_equal(until, T0 + 3600);
	assert_true(hark_store_mute(f->st, "r1", 0, NULL));
	assert_true(hark_store_muted_until(f->st, "r1", &until, NULL));
	assert_int_equal(until, 0);
}

/* A schema-4 file (this fixture, taken back to 4) gains handled = 0 on
 * its hits, the covering hits_created index and hit_hours, filled. */
static void test_migration(void **state)
{
	struct fx *f = *state;
	struct hark_hit_query q = any();
	GPtrArray *out;
	sqlite3 *db;
	sqlite3_stmt *s;
	bool found;

	assert_true(hark_store_hit_set_handled(f->st, f->hit[1], T0, &found, NULL));
	hark_store_close(f->st);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"ALTER TABLE hits DROP COLUMN handled;"
		"DROP INDEX hits_created; CREATE INDEX hits_created ON hits(created);"
		"DROP TRIGGER hit_hours_ai; DROP TRIGGER hit_hours_ad;"
		"DROP TRIGGER hit_hours_au; DROP TABLE hit_hours;"
		"PRAGMA user_version = 4;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	f->st = hark_store_open(f->path, NULL);
	assert_non_null(f->st);
	assert_true(hark_store_hits_query(f->st, &q, &out, NULL));
	assert_int_equal(out->len, 6);
	for (guint i = 0; i < out->len; i++)
		assert_int_equal(((struct hark_hit_row *)out->pdata[i])->handled, 0);
	g_ptr_array_unref(out);
	assert_true(hark_store_mute(f->st, "r1", 5, NULL));

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE "
					    "name = 'hits_created'", -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_non_null(strstr((const char *)sqlite3_column_text(s, 0),
			       "(created, rule, sentiment)"));
	sqlite3_finalize(s);
	/* hit_hours is filled from the existing hits. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT SUM(hits), COUNT(*) FROM hit_hours",
					    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 6);
	assert_int_equal(sqlite3_column_int(s, 1), 6);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void test_listen(void **state)
{
	struct sockaddr_storage ss;
	bool lo = false;
	GError *e = NULL;

	(void)state;
	assert_true(hark_web_listen_parse("127.0.0.1:8044", &ss, &lo, NULL));
	assert_true(lo);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_true(hark_web_listen_parse("127.9.9.9:0", NULL, &lo, NULL));
	assert_true(lo);
	assert_true(hark_web_listen_parse("localhost:80", NULL, &lo, NULL));
	assert_true(lo);
	assert_true(hark_web_listen_parse("[::1]:8044", &ss, &lo, NULL));
	assert_true(lo);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_true(hark_web_listen_parse("0.0.0.0:8044", NULL, &lo, NULL));
	assert_false(lo);
	assert_true(hark_web_listen_parse("192.168.1.5:8044", NULL, &lo, NULL));
	assert_false(lo);
	assert_true(hark_web_listen_parse("[::]:8044", NULL, &lo, NULL));
	assert_false(lo);
	static const char *const bad[] = {"", "127.0.0.1", ":8044", "127.0.0.1:",
					  "127.0.0.1:70000", "127.0.0.1:80x",
					  "example.com:80", "[::1:80", "::1:80",
					  "1.2.3:80", NULL};
	for (const char *const *p = bad; *p; p++) {
		assert_false(hark_web_listen_parse(*p, NULL, &lo, &e));
		assert_non_null(e);
		assert_int_equal(e->code, HARK_ERROR_USER);
		g_clear_error(&e);
	}
	assert_false(hark_web_listen_parse(NULL, NULL, &lo, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stream_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buckets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bucket_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
		cmocka_unit_test(test_listen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
