/* The schema-2 store: migration from every earlier schema, identity
 * lookups, near-duplicate bands, FTS5 search and incremental pruning. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/error.h"
#include "hark/simhash.h"
#include "hark/store.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

/* The foundation's schema 1, verbatim, as a file written by the first
 * hark release would hold it. */
static const char *const schema_v1 =
	"CREATE TABLE feeds ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  url TEXT NOT NULL,"
	"  etag TEXT, last_modified TEXT,"
	"  last_status INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  failures INTEGER NOT NULL DEFAULT 0,"
	"  last_poll INTEGER NOT NULL DEFAULT 0,"
	"  last_success INTEGER NOT NULL DEFAULT 0,"
	"  next_poll INTEGER NOT NULL DEFAULT 0,"
	"  items_seen INTEGER NOT NULL DEFAULT 0,"
	"  polls INTEGER NOT NULL DEFAULT 0,"
	"  gone INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE items ("
	"  id INTEGER PRIMARY KEY,"
	"  feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  guid TEXT, link TEXT, title TEXT, author TEXT, text TEXT,"
	"  published INTEGER, updated INTEGER,"
	"  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	"  UNIQUE (feed_id, key));"
	"CREATE TABLE hits ("
	"  id INTEGER PRIMARY KEY,"
	"  item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
	"  rule TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  sentiment REAL,"
	"  UNIQUE (item_id, rule));"
	"CREATE INDEX hits_rule_created ON hits(rule, created);"
	"CREATE TABLE deliveries ("
	"  id TEXT PRIMARY KEY,"
	"  hit_id INTEGER NOT NULL REFERENCES hits(id) ON DELETE CASCADE,"
	"  channel TEXT NOT NULL,"
	"  payload TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sent', 'dead')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  created INTEGER NOT NULL,"
	"  sent INTEGER);"
	"CREATE INDEX deliveries_due ON deliveries(state, next_attempt);"
	"PRAGMA user_version = 1;";

/* The step to schema 2 (the fetch branch's polling engine), verbatim, for
 * a file written by a hark of that version. */
static const char *const schema_v2_step =
	"ALTER TABLE feeds ADD COLUMN conf_url TEXT;"
	"UPDATE feeds SET conf_url = url;"
	"ALTER TABLE feeds ADD COLUMN health TEXT NOT NULL DEFAULT 'ok';"
	"ALTER TABLE feeds ADD COLUMN failing_since INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN last_new_item INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN cur_interval INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN cond_polls INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN last_full_poll INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE deliveries_v2 ("
	"  id TEXT PRIMARY KEY,"
	"  hit_id INTEGER REFERENCES hits(id) ON DELETE CASCADE,"
	"  feed_id INTEGER REFERENCES feeds(id) ON DELETE CASCADE,"
	"  channel TEXT NOT NULL,"
	"  payload TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sent', 'dead')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  created INTEGER NOT NULL,"
	"  sent INTEGER,"
	"  CHECK (hit_id IS NOT NULL OR feed_id IS NOT NULL));"
	"INSERT INTO deliveries_v2 (rowid, id, hit_id, channel, payload, state,"
	"  attempts, next_attempt, last_error, created, sent)"
	"  SELECT rowid, id, hit_id, channel, payload, state, attempts,"
	"  next_attempt, last_error, created, sent FROM deliveries;"
	"DROP TABLE deliveries;"
	"ALTER TABLE deliveries_v2 RENAME TO deliveries;"
	"CREATE INDEX deliveries_due ON deliveries(state, next_attempt);"
	"PRAGMA user_version = 2;";

static const char *const v1_rows =
	"INSERT INTO feeds (id, name, url) VALUES (1, 'forum', 'https://f.example/rss');"
	"INSERT INTO items (id, feed_id, key, guid, link, title, text, first_seen, last_seen)"
	"  VALUES (1, 1, 'guid:g1', 'g1', 'https://f.example/t/1', 'Acme router bricked',"
	"          'My router stopped working after the update', 100, 100);"
	"INSERT INTO items (id, feed_id, key, guid, link, title, text, first_seen, last_seen)"
	"  VALUES (2, 1, 'link:https://f.example/t/2', NULL, 'https://f.example/t/2',"
	"          'Love the mesh app', 'Works great', 100, 100);"
	"INSERT INTO hits (id, item_id, rule, created, sentiment) VALUES (1, 1, 'angry', 100, -0.5);"
	"INSERT INTO deliveries (id, hit_id, channel, payload, next_attempt, created)"
	"  VALUES ('11111111-2222-3333-4444-555555555555', 1, 'stdout', '{\"version\":1}', 100, 100);";

static char *tmp_db(void)
{
	char *dir = g_dir_make_tmp("hark-store-XXXXXX", NULL);
	char *path = g_build_filename(dir, "hark.db", NULL);

	g_free(dir);
	return path;
}

static void rm_db(char *path)
{
	char *dir = g_path_get_dirname(path);
	const char *sfx[] = {"", "-wal", "-shm"};

	for (size_t i = 0; i < G_N_ELEMENTS(sfx); i++) {
		char *f = g_strconcat(path, sfx[i], NULL);
		g_unlink(f);
		g_free(f);
	}
	g_rmdir(dir);
	g_free(dir);
	g_free(path);
}

static int user_version(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL);
	sqlite3_step(s);
	v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void exec_raw(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s", msg);
	sqlite3_close(db);
}

/* Schema 0 (a new, empty file) migrates to the current version. */
static void migrates_from_empty(void **state)
{
	char *path = tmp_db();
	GError *e = NULL;
	struct hark_store *st;

	(void)state;
	st = hark_store_open(path, &e);
	assert_non_null(st);
	hark_store_close(st);
	assert_int_equal(user_version(path), HARK_STORE_SCHEMA_VERSION);
	/* Opening again is a no-op. */
	st = hark_store_open(path, &e);
	assert_non_null(st);
	hark_store_close(st);
	rm_db(path);
}

/* A schema-1 file with items, a hit and a pending delivery keeps all of
 * them, finds its items by their old keys, and is searchable. */
static void migrates_from_v1(void **state)
{
	char *path = tmp_db();
	struct hark_store *st;
	struct hark_item_lookup l;
	struct hark_item_ids ids = {0};
	struct hark_hit_query q = {0};
	GPtrArray *rows = NULL, *due = NULL;
	GError *e = NULL;

	(void)state;
	exec_raw(path, schema_v1);
	exec_raw(path, v1_rows);
	assert_int_equal(user_version(path), 1);
	st = hark_store_open(path, &e);
	if (!st)
		fail_msg("%s", e->message);
	assert_int_equal(user_version(path), HARK_STORE_SCHEMA_VERSION);

	/* The old key still identifies the item. */
	ids.guid = "g1";
	assert_true(hark_store_item_find(st, 1, "guid:g1", &ids, true, true, true, &l, &e));
	assert_int_equal(l.id, 1);
	assert_int_equal(l.by, HARK_MATCH_KEY);
	assert_string_equal(l.title, "Acme router bricked");
	hark_item_lookup_clear(&l);
	/* Its link was carried over as the normalised link. */
	ids.guid = NULL;
	ids.link = "https://f.example/t/2";
	assert_true(hark_store_item_find(st, 1, "link:other", &ids, true, true, true, &l, &e));
	assert_int_equal(l.id, 2);
	assert_int_equal(l.by, HARK_MATCH_LINK);
	hark_item_lookup_clear(&l);

	/* The FTS index was built from the old rows. */
	q.search = "bricked";
	assert_true(hark_store_hits_query(st, &q, &rows, &e));
	assert_int_equal(rows->len, 1);
	assert_string_equal(((struct hark_hit_row *)rows->pdata[0])->rule, "angry");
	assert_true(((struct hark_hit_row *)rows->pdata[0])->sentiment < -0.49);
	g_ptr_array_unref(rows);
	q.search = "mesh";   /* item 2 has no hit */
	assert_true(hark_store_hits_query(st, &q, &rows, &e));
	assert_int_equal(rows->len, 0);
	g_ptr_array_unref(rows);

	/* The pending delivery kept its id. */
	assert_true(hark_store_deliveries_due(st, 1000, 10, &due, &e));
	assert_int_equal(due->len, 1);
	assert_string_equal(((struct hark_delivery *)due->pdata[0])->id,
			    "11111111-2222-3333-4444-555555555555");
	g_ptr_array_unref(due);
	hark_store_close(st);
	rm_db(path);
}

/* A schema-2 file (polling engine, before de-duplication) migrates too,
 * keeping its rows. */
static void migrates_from_v2(void **state)
{
	char *path = tmp_db();
	struct hark_store *st;
	struct hark_item_lookup l;
	struct hark_item_ids ids = {0};
	struct hark_hit_query q = {0};
	GPtrArray *rows = NULL, *due = NULL;
	GError *e = NULL;

	(void)state;
	exec_raw(path, schema_v1);
	exec_raw(path, v1_rows);
	exec_raw(path, schema_v2_step);
	assert_int_equal(user_version(path), 2);
	st = hark_store_open(path, &e);
	if (!st)
		fail_msg("%s", e->message);
	assert_int_equal(user_version(path), HARK_STORE_SCHEMA_VERSION);
	ids.guid = "g1";
	assert_true(hark_store_item_find(st, 1, "guid:g1", &ids, true, true, true, &l, &e));
	assert_int_equal(l.id, 1);
	hark_item_lookup_clear(&l);
	q.search = "router";
	assert_true(hark_store_hits_query(st, &q, &rows, &e));
	assert_int_equal(rows->len, 1);
	g_ptr_array_unref(rows);
	assert_true(hark_store_deliveries_due(st, 1000, 10, &due, &e));
	assert_int_equal(due->len, 1);
	g_ptr_array_unref(due);
	hark_store_close(st);
	rm_db(path);
}

static void refuses_newer_schema(void **state)
{
	char *path = tmp_db();
	GError *e = NULL;

	(void)state;
	exec_raw(path, "CREATE TABLE x (a); PRAGMA user_version = 99;");
	assert_null(hark_store_open(path, &e));
	assert_non_null(e);
	assert_non_null(strstr(e->message, "newer"));
	g_error_free(e);
	rm_db(path);
}

static int64_t add_item(struct hark_store *st, int64_t feed, const char *key,
			const char *title, const char *text, bool has_sh, uint64_t sh,
			int64_t now)
{
	struct hark_item *it = hark_item_new();
	struct hark_item_ids ids = {0};
	int64_t id;
	GError *e = NULL;

	it->title = g_strdup(title);
	it->content = g_strdup(text);
	ids.guid = (char *)key;
	if (!hark_store_item_insert(st, feed, key, &ids, it, has_sh, sh, now, &id, &e))
		fail_msg("%s", e->message);
	hark_item_free(it);
	return id;
}

static void near_duplicates_by_band(void **state)
{
	char *path = tmp_db();
	struct hark_store *st;
	struct hark_feed_state fs;
	GError *e = NULL;
	GArray *near = NULL;
	const uint64_t h = 0x0f0f1234abcd5678ULL;
	int64_t a, b, c, d, probe, hit;
	bool is_new;

	(void)state;
	st = hark_store_open(path, &e);
	assert_non_null(st);
	assert_true(hark_store_feed_load(st, "f", "https://f.example/", &fs, &e));
	a = add_item(st, fs.id, "a", "a", "x", true, h, 10);
	/* 3 bits off, spread over three bands: still found via the fourth. */
	b = add_item(st, fs.id, "b", "b", "x", true, h ^ 1 ^ (1ULL << 20) ^ (1ULL << 40), 10);
	/* 4 bits off: too far. */
	c = add_item(st, fs.id, "c", "c", "x", true, h ^ 0xf, 10);
	/* No fingerprint at all. */
	d = add_item(st, fs.id, "d", "d", "x", false, 0, 10);
	probe = add_item(st, fs.id, "p", "p", "x", true, h, 10);
	assert_true(hark_store_near_duplicates(st, h, probe, &near, &e));
	assert_int_equal(near->len, 2);
	assert_int_equal(g_array_index(near, int64_t, 0), a);
	assert_int_equal(g_array_index(near, int64_t, 1), b);
	g_array_unref(near);
	(void)c;
	(void)d;
	/* Only items that hit the rule count for suppression. */
	assert_true(hark_store_near_duplicate_hit(st, true, h, NULL, probe, "r", &hit, &e));
	assert_int_equal(hit, 0);
	assert_true(hark_store_hit_put(st, b, "r", NAN, 10, &is_new, &hit, &e));
	int64_t found;
	assert_true(hark_store_near_duplicate_hit(st, true, h, NULL, probe, "r", &found, &e));
	assert_int_equal(found, hit);
	assert_true(hark_store_near_duplicate_hit(st, true, h, NULL, probe, "other", &found, &e));
	assert_int_equal(found, 0);
	hark_feed_state_clear(&fs);
	hark_store_close(st);
	rm_db(path);
}

static int64_t count(const char *path, const char *table)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *sql = g_strdup_printf("SELECT count(*) FROM %s", table);
	int64_t n;

	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	sqlite3_step(s);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	g_free(sql);
	return n;
}

/* Old items go in batches; items with hits stay as long as their hits,
 * and hits stay while a delivery is pending. */
static void prunes_incrementally(void **state)
{
	char *path = tmp_db();
	struct hark_store *st;
	struct hark_feed_state fs;
	GError *e = NULL;
	int64_t hit_item, hit_id, pending_item, pending_hit;
	unsigned n, steps = 0, total = 0;
	bool is_new;

	(void)state;
	st = hark_store_open(path, &e);
	assert_non_null(st);
	assert_true(hark_store_feed_load(st, "f", "https://f.example/", &fs, &e));
	assert_true(hark_store_begin(st, &e));
	for (int i = 0; i < 1200; i++) {
		char key[32];
		snprintf(key, sizeof key, "old%d", i);
		add_item(st, fs.id, key, "old", "x", false, 0, 1000);
	}
	for (int i = 0; i < 10; i++) {
		char key[32];
		snprintf(key, sizeof key, "new%d", i);
		add_item(st, fs.id, key, "new", "x", false, 0, 900000);
	}
	hit_item = add_item(st, fs.id, "hit", "hit", "x", false, 0, 1000);
	assert_true(hark_store_hit_put(st, hit_item, "r", NAN, 1000, &is_new, &hit_id, &e));
	assert_true(hark_store_delivery_add(st, hit_id, "stdout", "{}", 1000, NULL, &e));
	pending_item = add_item(st, fs.id, "pending", "pending", "x", false, 0, 1000);
	assert_true(hark_store_hit_put(st, pending_item, "r", NAN, 1000, &is_new,
				       &pending_hit, &e));
	assert_true(hark_store_delivery_add(st, pending_hit, "stdout", "{}", 1000, NULL, &e));
	assert_true(hark_store_commit(st, &e));
	/* Mark the first hit's delivery sent. */
	exec_raw(path, "UPDATE deliveries SET state = 'sent' WHERE hit_id = (SELECT id FROM hits WHERE item_id = (SELECT id FROM items WHERE key = 'hit'))");

	/* Items older than 500000, hits older than 2000 (nothing yet). */
	do {
		assert_true(hark_store_prune(st, 500000, 0, 500, &n, &e));
		total += n;
		steps++;
	} while (n > 0);
	assert_int_equal(total, 1200);
	assert_int_equal(steps, 4);           /* 500 + 500 + 200 + 0 */
	assert_int_equal(count(path, "items"), 12);
	assert_int_equal(count(path, "hits"), 2);

	/* Hit retention passes: the delivered hit goes, then its item; the
	 * hit with a pending delivery stays, and so does its item. */
	do
		assert_true(hark_store_prune(st, 500000, 2000, 500, &n, &e));
	while (n > 0);
	assert_int_equal(count(path, "hits"), 1);
	assert_int_equal(count(path, "items"), 11);
	assert_int_equal(count(path, "deliveries"), 1);
	hark_feed_state_clear(&fs);
	hark_store_close(st);
	rm_db(path);
}

static void bad_search_is_user_error(void **state)
{
	char *path = tmp_db();
	struct hark_store *st;
	struct hark_hit_query q = {0};
	GPtrArray *rows = NULL;
	GError *e = NULL;

	(void)state;
	st = hark_store_open(path, &e);
	assert_non_null(st);
	q.search = "\"unbalanced";
	assert_false(hark_store_hits_query(st, &q, &rows, &e));
	assert_non_null(e);
	assert_int_equal(e->code, HARK_ERROR_USER);
	g_error_free(e);
	hark_store_close(st);
	rm_db(path);
}

/* A poll's transaction that never commits leaves no trace. */
static void uncommitted_poll_leaves_nothing(void **state)
{
	char *path = tmp_db();
	struct hark_store *st;
	struct hark_feed_state fs;
	GError *e = NULL;
	int64_t item, hit;
	bool is_new;

	(void)state;
	st = hark_store_open(path, &e);
	assert_true(hark_store_feed_load(st, "f", "https://f.example/", &fs, &e));
	assert_true(hark_store_begin(st, &e));
	item = add_item(st, fs.id, "k", "t", "x", false, 0, 1);
	assert_true(hark_store_hit_put(st, item, "r", NAN, 1, &is_new, &hit, &e));
	assert_true(hark_store_delivery_add(st, hit, "stdout", "{}", 1, NULL, &e));
	/* "Crash": close without commit. */
	hark_feed_state_clear(&fs);
	hark_store_close(st);
	assert_int_equal(count(path, "items"), 0);
	assert_int_equal(count(path, "hits"), 0);
	assert_int_equal(count(path, "deliveries"), 0);
	rm_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migrates_from_empty),
		cmocka_unit_test(migrates_from_v1),
		cmocka_unit_test(migrates_from_v2),
		cmocka_unit_test(refuses_newer_schema),
		cmocka_unit_test(near_duplicates_by_band),
		cmocka_unit_test(prunes_incrementally),
		cmocka_unit_test(bad_search_is_user_error),
		cmocka_unit_test(uncommitted_poll_leaves_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
