/* store.c - the SQLite backend of store.h.
 *
 * WAL journal (readers never block the poller), a busy timeout (a second
 * hark process, e.g. `hark feeds`, waits instead of failing), and the
 * schema versioned with PRAGMA user_version: migrations[i] takes a file
 * from version i to i + 1.
 */
#include "hark/store.h"
#include "hark/error.h"
#include "hark/simhash.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

struct hark_store {
	sqlite3 *db;
	char *path;
	GHashTable *stmts;     /* SQL text -> prepared statement, reused */
};

/* Keeps items_fts in step with new items (dropped during bulk loads). */
#define ITEMS_FTS_AI \
	"CREATE TRIGGER items_fts_ai AFTER INSERT ON items BEGIN" \
	"  INSERT INTO items_fts(rowid, title, text) VALUES (new.id, new.title, new.text);" \
	"END"

static const char *const migrations[] = {
	/* 0 -> 1: feeds, items, hits and the delivery outbox. */
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
	"CREATE INDEX deliveries_due ON deliveries(state, next_attempt);",

	/* 1 -> 2: polling engine.  conf_url is the URL in the config (url
	 * may differ after a permanent redirect); health and the times
	 * behind it; the adaptive interval; the conditional-GET cycle.
	 * Deliveries get an optional feed_id and lose the NOT NULL on
	 * hit_id: feed health alerts go through the same outbox but have
	 * no hit.  SQLite cannot drop a NOT NULL, hence the copy. */
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
	"CREATE INDEX deliveries_due ON deliveries(state, next_attempt);",

	/* 2 -> 3: layered identity, near-duplicates, retention, history.
	 * Self-contained: only ALTER/CREATE over the tables of 0 -> 1
	 * (and an index on deliveries, which 1 -> 2 rebuilt). */
	"ALTER TABLE feeds ADD COLUMN guids_unreliable INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE feeds ADD COLUMN links_unreliable INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE items ADD COLUMN nlink TEXT;"
	"ALTER TABLE items ADD COLUMN fp TEXT;"
	"ALTER TABLE items ADD COLUMN simhash INTEGER;"
	"ALTER TABLE items ADD COLUMN sh0 INTEGER;"
	"ALTER TABLE items ADD COLUMN sh1 INTEGER;"
	"ALTER TABLE items ADD COLUMN sh2 INTEGER;"
	"ALTER TABLE items ADD COLUMN sh3 INTEGER;"
	/* Schema-1 keys were 'link:' + the raw link: the best guess at a
	 * normalised link that SQL alone can make. */
	"UPDATE items SET nlink = link WHERE link IS NOT NULL;"
	"CREATE INDEX items_guid ON items(feed_id, guid) WHERE guid IS NOT NULL;"
	"CREATE INDEX items_nlink ON items(nlink) WHERE nlink IS NOT NULL;"
	"CREATE INDEX items_fp ON items(feed_id, fp) WHERE fp IS NOT NULL;"
	/* Band indexes carry the whole fingerprint: a near-duplicate lookup
	 * reads only index pages, never the candidates' rows. */
	"CREATE INDEX items_sh0 ON items(sh0, simhash) WHERE sh0 IS NOT NULL;"
	"CREATE INDEX items_sh1 ON items(sh1, simhash) WHERE sh1 IS NOT NULL;"
	"CREATE INDEX items_sh2 ON items(sh2, simhash) WHERE sh2 IS NOT NULL;"
	"CREATE INDEX items_sh3 ON items(sh3, simhash) WHERE sh3 IS NOT NULL;"
	"CREATE INDEX items_last_seen ON items(last_seen);"
	"ALTER TABLE hits ADD COLUMN updates INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE hits ADD COLUMN last_update INTEGER;"
	"CREATE INDEX hits_created ON hits(created);"
	"CREATE INDEX deliveries_hit ON deliveries(hit_id);"
	/* Copies of feed name and link: the also-seen item may be pruned
	 * long before the hit. */
	"CREATE TABLE hit_also_seen ("
	"  hit_id INTEGER NOT NULL REFERENCES hits(id) ON DELETE CASCADE,"
	"  item_id INTEGER NOT NULL,"
	"  feed TEXT NOT NULL,"
	"  link TEXT, title TEXT,"
	"  seen INTEGER NOT NULL,"
	"  PRIMARY KEY (hit_id, item_id)) WITHOUT ROWID;"
	"CREATE VIRTUAL TABLE items_fts USING fts5(title, text, content='items',"
	"  content_rowid='id', tokenize='unicode61 remove_diacritics 2');"
	ITEMS_FTS_AI ";"
	"CREATE TRIGGER items_fts_ad AFTER DELETE ON items BEGIN"
	"  INSERT INTO items_fts(items_fts, rowid, title, text)"
	"  VALUES ('delete', old.id, old.title, old.text);"
	"END;"
	"CREATE TRIGGER items_fts_au AFTER UPDATE OF title, text ON items BEGIN"
	"  INSERT INTO items_fts(items_fts, rowid, title, text)"
	"  VALUES ('delete', old.id, old.title, old.text);"
	"  INSERT INTO items_fts(rowid, title, text) VALUES (new.id, new.title, new.text);"
	"END;"
	"INSERT INTO items_fts(items_fts) VALUES ('rebuild');",
	/* 3 -> 4, delivery: the outbox gets its rule (per-rule order, rate limits,
	 * digests), a kind (digest and spike messages belong to no hit or
	 * feed), the states merged (folded into a digest) and suppressed
	 * (rate limit, mute), and queued (when the attempt/age caps restart,
	 * e.g. after `hark outbox retry`); mutes and raised spikes are kept. */
	"CREATE TABLE deliveries_v3 ("
	"  id TEXT PRIMARY KEY,"
	"  hit_id INTEGER REFERENCES hits(id) ON DELETE CASCADE,"
	"  feed_id INTEGER REFERENCES feeds(id) ON DELETE CASCADE,"
	"  rule TEXT,"
	"  kind TEXT NOT NULL DEFAULT 'alert'"
	"    CHECK (kind IN ('alert', 'feed', 'digest', 'spike')),"
	"  channel TEXT NOT NULL,"
	"  payload TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending', 'sent', 'dead', 'merged', 'suppressed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  created INTEGER NOT NULL,"
	"  queued INTEGER NOT NULL,"
	"  sent INTEGER,"
	"  CHECK (hit_id IS NOT NULL OR feed_id IS NOT NULL OR"
	"         kind IN ('digest', 'spike')));"
	"INSERT INTO deliveries_v3 (rowid, id, hit_id, feed_id, rule, kind, channel,"
	"  payload, state, attempts, next_attempt, last_error, created, queued, sent)"
	"  SELECT d.rowid, d.id, d.hit_id, d.feed_id, h.rule,"
	"  CASE WHEN d.hit_id IS NULL THEN 'feed' ELSE 'alert' END, d.channel,"
	"  d.payload, d.state, d.attempts, d.next_attempt, d.last_error, d.created,"
	"  d.created, d.sent"
	"  FROM deliveries d LEFT JOIN hits h ON h.id = d.hit_id;"
	"DROP TABLE deliveries;"
	"ALTER TABLE deliveries_v3 RENAME TO deliveries;"
	"CREATE INDEX deliveries_due ON deliveries(state, next_attempt);"
	"CREATE INDEX deliveries_rule ON deliveries(rule, channel, state, sent);"
	"CREATE INDEX deliveries_hit ON deliveries(hit_id);"
	"CREATE TABLE mutes (rule TEXT PRIMARY KEY, until INTEGER NOT NULL);"
	"CREATE TABLE spikes (rule TEXT NOT NULL, hour INTEGER NOT NULL,"
	"  PRIMARY KEY (rule, hour));",

	/* 4 -> 5: the web page.  A hit can be marked handled (the time, 0:
	 * not handled).  hit_hours counts hits per rule per UTC hour, kept
	 * by triggers (pruning and cascades included), so that charts read
	 * a few hundred rows instead of every hit of the window (100,000
	 * hits: 70 ms of CPU per chart page before, under 5 after).
	 * hits_created becomes a covering index (created, rule, sentiment)
	 * for the windows that do not fall on whole hours.  "Mute rule"
	 * writes delivery's mutes table. */
	"ALTER TABLE hits ADD COLUMN handled INTEGER NOT NULL DEFAULT 0;"
	"DROP INDEX IF EXISTS hits_created;"
	"CREATE INDEX hits_created ON hits(created, rule, sentiment);"
	"CREATE TABLE hit_hours ("
	"  rule TEXT NOT NULL, hour INTEGER NOT NULL,"
	"  hits INTEGER NOT NULL, scored INTEGER NOT NULL,"
	"  sentiment_sum REAL NOT NULL,"
	"  PRIMARY KEY (rule, hour)) WITHOUT ROWID;"
	"CREATE INDEX hit_hours_hour ON hit_hours(hour);"
	"CREATE TRIGGER hit_hours_ai AFTER INSERT ON hits BEGIN"
	"  INSERT INTO hit_hours VALUES (new.rule, new.created / 3600 * 3600, 1,"
	"    new.sentiment IS NOT NULL, COALESCE(new.sentiment, 0))"
	"  ON CONFLICT (rule, hour) DO UPDATE SET hits = hits + 1,"
	"    scored = scored + excluded.scored,"
	"    sentiment_sum = sentiment_sum + excluded.sentiment_sum;"
	"END;"
	"CREATE TRIGGER hit_hours_ad AFTER DELETE ON hits BEGIN"
	"  UPDATE hit_hours SET hits = hits - 1,"
	"    scored = scored - (old.sentiment IS NOT NULL),"
	"    sentiment_sum = sentiment_sum - COALESCE(old.sentiment, 0)"
	"  WHERE rule = old.rule AND hour = old.created / 3600 * 3600;"
	"  DELETE FROM hit_hours WHERE rule = old.rule"
	"    AND hour = old.created / 3600 * 3600 AND hits <= 0;"
	"END;"
	"CREATE TRIGGER hit_hours_au AFTER UPDATE OF rule, created, sentiment ON hits BEGIN"
	"  UPDATE hit_hours SET hits = hits - 1,"
	"    scored = scored - (old.sentiment IS NOT NULL),"
	"    sentiment_sum = sentiment_sum - COALESCE(old.sentiment, 0)"
	"  WHERE rule = old.rule AND hour = old.created / 3600 * 3600;"
	"  DELETE FROM hit_hours WHERE rule = old.rule"
	"    AND hour = old.created / 3600 * 3600 AND hits <= 0;"
	"  INSERT INTO hit_hours VALUES (new.rule, new.created / 3600 * 3600, 1,"
	"    new.sentiment IS NOT NULL, COALESCE(new.sentiment, 0))"
	"  ON CONFLICT (rule, hour) DO UPDATE SET hits = hits + 1,"
	"    scored = scored + excluded.scored,"
	"    sentiment_sum = sentiment_sum + excluded.sentiment_sum;"
	"END;"
	"INSERT INTO hit_hours SELECT rule, created / 3600 * 3600, COUNT(*),"
	"  COUNT(sentiment), COALESCE(SUM(sentiment), 0) FROM hits GROUP BY 1, 2;",
};

static bool db_fail(struct hark_store *st, GError **err, const char *what)
{
	g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "database %s: %s: %s",
		    st->path, what, sqlite3_errmsg(st->db));
	return false;
}

static bool exec_sql(struct hark_store *st, const char *sql, GError **err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "database %s: %s",
			    st->path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return false;
	}
	return true;
}

/* Statements are prepared once and kept: a poll runs the same handful
 * thousands of times, and compiling them was a good part of its cost.
 * Every prepare() is paired with release(), which resets the statement
 * (ending its read, if any) for the next use. */
static sqlite3_stmt *prepare(struct hark_store *st, const char *sql, GError **err)
{
	sqlite3_stmt *stmt = g_hash_table_lookup(st->stmts, sql);

	if (stmt)
		return stmt;
	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		db_fail(st, err, "prepare");
		return NULL;
	}
	g_hash_table_insert(st->stmts, g_strdup(sql), stmt);
	return stmt;
}

static void stmt_free(gpointer s)
{
	sqlite3_finalize(s);
}

static void release(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static char *column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? g_strdup((const char *)t) : NULL;
}

static bool migrate(struct hark_store *st, GError **err)
{
	sqlite3_stmt *s = prepare(st, "PRAGMA user_version", err);
	int version;

	if (!s)
		return false;
	sqlite3_step(s);
	version = sqlite3_column_int(s, 0);
	release(s);
	if (version > HARK_STORE_SCHEMA_VERSION) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "database %s has schema version %d, newer than this "
			    "hark understands (%d): upgrade hark",
			    st->path, version, HARK_STORE_SCHEMA_VERSION);
		return false;
	}
	for (; version < HARK_STORE_SCHEMA_VERSION; version++) {
		char *bump = g_strdup_printf("PRAGMA user_version = %d", version + 1);
		bool ok = exec_sql(st, "BEGIN IMMEDIATE", err) &&
			  exec_sql(st, migrations[version], err) &&
			  exec_sql(st, bump, err) &&
			  exec_sql(st, "COMMIT", err);
		g_free(bump);
		if (!ok) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			g_prefix_error(err, "migrating to schema %d: ", version + 1);
			return false;
		}
	}
	return true;
}

struct hark_store *hark_store_open(const char *path, GError **err)
{
	struct hark_store *st = g_new0(struct hark_store, 1);
	char *dir = g_path_get_dirname(path);

	st->path = g_strdup(path);
	st->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  stmt_free);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "cannot create directory %s: %s", dir, g_strerror(errno));
		g_free(dir);
		hark_store_close(st);
		return NULL;
	}
	g_free(dir);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		db_fail(st, err, "open");
		hark_store_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, 10000);
	if (!exec_sql(st, "PRAGMA journal_mode = WAL;"
			  "PRAGMA synchronous = NORMAL;"
			  "PRAGMA foreign_keys = ON;"
			  /* 16 MB: the dedup indexes' hot pages stay cached. */
			  "PRAGMA cache_size = -16384;", err) ||
	    !migrate(st, err) ||
	    /* Not a numbered migration: branches that add migrations do
	     * not collide with it, and older builds ignore the table. */
	    !exec_sql(st, "CREATE TABLE IF NOT EXISTS meta ("
			  "  key TEXT PRIMARY KEY, value TEXT NOT NULL)", err)) {
		hark_store_close(st);
		return NULL;
	}
	return st;
}

void hark_store_close(struct hark_store *st)
{
	if (!st)
		return;
	if (st->stmts)
		g_hash_table_unref(st->stmts);
	if (st->db)
		sqlite3_close_v2(st->db);
	g_free(st->path);
	g_free(st);
}

bool hark_store_begin(struct hark_store *st, GError **err)
{
	return exec_sql(st, "BEGIN IMMEDIATE", err);
}

bool hark_store_commit(struct hark_store *st, GError **err)
{
	return exec_sql(st, "COMMIT", err);
}

void hark_store_rollback(struct hark_store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

void hark_feed_state_clear(struct hark_feed_state *fs)
{
	g_free(fs->name);
	g_free(fs->url);
	g_free(fs->etag);
	g_free(fs->last_modified);
	g_free(fs->last_error);
	g_free(fs->health);
	memset(fs, 0, sizeof *fs);
}

#define FEED_COLUMNS "id, name, url, etag, last_modified, last_status, " \
	"last_error, failures, last_poll, last_success, next_poll, items_seen, " \
	"polls, gone, health, failing_since, last_new_item, cur_interval, " \
	"cond_polls, last_full_poll, conf_url"

static void read_feed_row(sqlite3_stmt *s, struct hark_feed_state *fs)
{
	fs->id = sqlite3_column_int64(s, 0);
	fs->name = column_dup(s, 1);
	fs->url = column_dup(s, 2);
	fs->etag = column_dup(s, 3);
	fs->last_modified = column_dup(s, 4);
	fs->last_status = sqlite3_column_int(s, 5);
	fs->last_error = column_dup(s, 6);
	fs->failures = sqlite3_column_int(s, 7);
	fs->last_poll = sqlite3_column_int64(s, 8);
	fs->last_success = sqlite3_column_int64(s, 9);
	fs->next_poll = sqlite3_column_int64(s, 10);
	fs->items_seen = sqlite3_column_int64(s, 11);
	fs->polls = sqlite3_column_int64(s, 12);
	fs->gone = sqlite3_column_int(s, 13) != 0;
	fs->health = column_dup(s, 14);
	fs->failing_since = sqlite3_column_int64(s, 15);
	fs->last_new_item = sqlite3_column_int64(s, 16);
	fs->cur_interval = sqlite3_column_int64(s, 17);
	fs->cond_polls = sqlite3_column_int64(s, 18);
	fs->last_full_poll = sqlite3_column_int64(s, 19);
	fs->moved = g_strcmp0(fs->url, (const char *)sqlite3_column_text(s, 20)) != 0;
}

bool hark_store_feed_load(struct hark_store *st, const char *name,
			  const char *url, struct hark_feed_state *out,
			  GError **err)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof *out);
	/* Compared with conf_url, not url: a permanent redirect changes
	 * url, and must survive until the config itself changes. */
	s = prepare(st, "INSERT INTO feeds (name, url, conf_url) VALUES (?1, ?2, ?2) "
			"ON CONFLICT (name) DO UPDATE SET url = excluded.url, "
			"conf_url = excluded.conf_url, "
			"etag = NULL, last_modified = NULL, gone = 0 "
			"WHERE feeds.conf_url IS NOT excluded.conf_url", err);
	if (!s)
		return false;
	bind_text(s, 1, name);
	bind_text(s, 2, url);
	rc = sqlite3_step(s);
	release(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "saving feed");
	s = prepare(st, "SELECT " FEED_COLUMNS " FROM feeds WHERE name = ?1", err);
	if (!s)
		return false;
	bind_text(s, 1, name);
	if (sqlite3_step(s) != SQLITE_ROW) {
		release(s);
		return db_fail(st, err, "loading feed");
	}
	read_feed_row(s, out);
	release(s);
	return true;
}

bool hark_store_feed_list(struct hark_store *st, GPtrArray **out, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT " FEED_COLUMNS " FROM feeds ORDER BY name",
				  err);
	int rc;

	if (!s)
		return false;
	*out = g_ptr_array_new();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hark_feed_state *fs = g_new0(struct hark_feed_state, 1);
		read_feed_row(s, fs);
		g_ptr_array_add(*out, fs);
	}
	release(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "listing feeds");
	return true;
}

bool hark_store_feed_save(struct hark_store *st, const struct hark_feed_state *fs,
			  GError **err)
{
	sqlite3_stmt *s = prepare(st,
		"UPDATE feeds SET url = ?2, etag = ?3, last_modified = ?4, "
		"last_status = ?5, last_error = ?6, failures = ?7, last_poll = ?8, "
		"last_success = ?9, next_poll = ?10, items_seen = ?11, polls = ?12, "
		"gone = ?13, health = COALESCE(?14, 'ok'), failing_since = ?15, "
		"last_new_item = ?16, cur_interval = ?17, cond_polls = ?18, "
		"last_full_poll = ?19 WHERE id = ?1", err);
	int rc;

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, fs->id);
	bind_text(s, 2, fs->url);
	bind_text(s, 3, fs->etag);
	bind_text(s, 4, fs->last_modified);
	sqlite3_bind_int(s, 5, fs->last_status);
	bind_text(s, 6, fs->last_error);
	sqlite3_bind_int(s, 7, fs->failures);
	sqlite3_bind_int64(s, 8, fs->last_poll);
	sqlite3_bind_int64(s, 9, fs->last_success);
	sqlite3_bind_int64(s, 10, fs->next_poll);
	sqlite3_bind_int64(s, 11, fs->items_seen);
	sqlite3_bind_int64(s, 12, fs->polls);
	sqlite3_bind_int(s, 13, fs->gone);
	bind_text(s, 14, fs->health);
	sqlite3_bind_int64(s, 15, fs->failing_since);
	sqlite3_bind_int64(s, 16, fs->last_new_item);
	sqlite3_bind_int64(s, 17, fs->cur_interval);
	sqlite3_bind_int64(s, 18, fs->cond_polls);
	sqlite3_bind_int64(s, 19, fs->last_full_poll);
	rc = sqlite3_step(s);
	release(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "saving feed state");
	return true;
}

bool hark_store_item_put(struct hark_store *st, int64_t feed_id, const char *key,
			 const struct hark_item *item, int64_t now,
			 bool *is_new, int64_t *item_id, GError **err)
{
	const char *text = item->content && *item->content ? item->content
							    : item->summary;
	sqlite3_stmt *s;
	int rc;

	s = prepare(st, "SELECT id FROM items WHERE feed_id = ?1 AND key = ?2", err);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, feed_id);
	bind_text(s, 2, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*item_id = sqlite3_column_int64(s, 0);
		*is_new = false;
		release(s);
		s = prepare(st, "UPDATE items SET last_seen = ?2 WHERE id = ?1", err);
		if (!s)
			return false;
		sqlite3_bind_int64(s, 1, *item_id);
		sqlite3_bind_int64(s, 2, now);
		rc = sqlite3_step(s);
		release(s);
		return rc == SQLITE_DONE || db_fail(st, err, "updating item");
	}
	release(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "looking up item");
	s = prepare(st, "INSERT INTO items (feed_id, key, guid, link, title, author, "
			"text, published, updated, first_seen, last_seen) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)", err);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, feed_id);
	bind_text(s, 2, key);
	bind_text(s, 3, item->id);
	bind_text(s, 4, item->link);
	bind_text(s, 5, item->title);
	bind_text(s, 6, item->author);
	bind_text(s, 7, text);
	if (item->published != HARK_TIME_NONE)
		sqlite3_bind_int64(s, 8, item->published);
	if (item->updated != HARK_TIME_NONE)
		sqlite3_bind_int64(s, 9, item->updated);
	sqlite3_bind_int64(s, 10, now);
	rc = sqlite3_step(s);
	release(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "storing item");
	*item_id = sqlite3_last_insert_rowid(st->db);
	*is_new = true;
	return true;
}

bool hark_store_hit_put(struct hark_store *st, int64_t item_id, const char *rule,
			double sentiment, int64_t now, bool *is_new,
			int64_t *hit_id, GError **err)
{
	sqlite3_stmt *s = prepare(st, "INSERT INTO hits (item_id, rule, created, sentiment) "
				      "VALUES (?1, ?2, ?3, ?4) "
				      "ON CONFLICT (item_id, rule) DO NOTHING", err);
	int rc;

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, item_id);
	bind_text(s, 2, rule);
	sqlite3_bind_int64(s, 3, now);
	if (!isnan(sentiment))
		sqlite3_bind_double(s, 4, sentiment);
	rc = sqlite3_step(s);
	release(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "storing hit");
	*is_new = sqlite3_changes(st->db) > 0;
	if (*is_new) {
		*hit_id = sqlite3_last_insert_rowid(st->db);
		return true;
	}
	s = prepare(st, "SELECT id FROM hits WHERE item_id = ?1 AND rule = ?2", err);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, item_id);
	bind_text(s, 2, rule);
	rc = sqlite3_step(s);
	*hit_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	release(s);
	return rc == SQLITE_ROW || db_fail(st, err, "looking up hit");
}

static bool delivery_insert(struct hark_store *st, int64_t hit_id,
			    const char *rule, const char *kind,
			    const char *channel, const char *payload, int64_t now,
			    char **id_out, GError **err)
{
	char *id = g_uuid_string_random();
	/* The rule comes from the hit when there is one. */
	sqlite3_stmt *s = prepare(st, "INSERT INTO deliveries (id, hit_id, rule, kind, "
				      "channel, payload, next_attempt, created, queued) "
				      "VALUES (?1, ?2, COALESCE(?6, (SELECT rule FROM hits "
				      "WHERE id = ?2)), ?7, ?3, ?4, ?5, ?5, ?5)", err);
	int rc;

	if (!s) {
		g_free(id);
		return false;
	}
	bind_text(s, 1, id);
	if (hit_id > 0)
		sqlite3_bind_int64(s, 2, hit_id);
	bind_text(s, 3, channel);
	bind_text(s, 4, payload);
	sqlite3_bind_int64(s, 5, now);
	bind_text(s, 6, rule);
	bind_text(s, 7, kind);
	rc = sqlite3_step(s);
	release(s);
	if (rc != SQLITE_DONE) {
		g_free(id);
		return db_fail(st, err, "queueing delivery");
	}
	if (id_out)
		*id_out = id;
	else
		g_free(id);
	return true;
}

bool hark_store_delivery_add(struct hark_store *st, int64_t hit_id,
			     const char *channel, const char *payload, int64_t now,
			     char **id_out, GError **err)
{
	return delivery_insert(st, hit_id, NULL, "alert", channel, payload, now,
			       id_out, err);
}

bool hark_store_delivery_add_message(struct hark_store *st, const char *rule,
				     const char *kind, const char *channel,
				     const char *payload, int64_t now,
				     char **id_out, GError **err)
{
	return delivery_insert(st, 0, rule, kind, channel, payload, now, id_out, err);
}

bool hark_store_feed_alert_add(struct hark_store *st, int64_t feed_id,
			       const char *channel, const char *payload,
			       int64_t now, GError **err)
{
	char *id = g_uuid_string_random();
	sqlite3_stmt *s = prepare(st, "INSERT INTO deliveries (id, feed_id, kind, "
				      "channel, payload, next_attempt, created, queued) "
				      "VALUES (?1, ?2, 'feed', ?3, ?4, ?5, ?5, ?5)", err);
	int rc;

	if (!s) {
		g_free(id);
		return false;
	}
	bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, feed_id);
	bind_text(s, 3, channel);
	bind_text(s, 4, payload);
	sqlite3_bind_int64(s, 5, now);
	rc = sqlite3_step(s);
	release(s);
	g_free(id);
	return rc == SQLITE_DONE || db_fail(st, err, "queueing feed alert");
}

bool hark_store_feed_item_times(struct hark_store *st, int64_t feed_id,
				int limit, GArray **out, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT COALESCE(published, first_seen) AS t "
				      "FROM items WHERE feed_id = ?1 "
				      "ORDER BY t DESC LIMIT ?2", err);
	int rc;

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_int(s, 2, limit);
	*out = g_array_new(FALSE, FALSE, sizeof(int64_t));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t t = sqlite3_column_int64(s, 0);
		g_array_append_val(*out, t);
	}
	release(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(*out);
		*out = NULL;
		return db_fail(st, err, "listing item times");
	}
	return true;
}

void hark_delivery_free(struct hark_delivery *d)
{
	if (!d)
		return;
	g_free(d->id);
	g_free(d->channel);
	g_free(d->payload);
	g_free(d->rule);
	g_free(d->kind);
	g_free(d->state);
	g_free(d->last_error);
	g_free(d);
}

#define DELIVERY_COLUMNS "rowid, id, hit_id, channel, payload, attempts, created, " \
	"rule, kind, state, next_attempt, last_error, queued, sent"

static struct hark_delivery *read_delivery_row(sqlite3_stmt *s)
{
	struct hark_delivery *d = g_new0(struct hark_delivery, 1);

	d->seq = sqlite3_column_int64(s, 0);
	d->id = column_dup(s, 1);
	d->hit_id = sqlite3_column_int64(s, 2);
	d->channel = column_dup(s, 3);
	d->payload = column_dup(s, 4);
	d->attempts = sqlite3_column_int(s, 5);
	d->created = sqlite3_column_int64(s, 6);
	d->rule = column_dup(s, 7);
	d->kind = column_dup(s, 8);
	d->state = column_dup(s, 9);
	d->next_attempt = sqlite3_column_int64(s, 10);
	d->last_error = column_dup(s, 11);
	d->queued = sqlite3_column_int64(s, 12);
	d->sent = sqlite3_column_int64(s, 13);
	return d;
}

static bool read_deliveries(struct hark_store *st, sqlite3_stmt *s,
			    GPtrArray **out, GError **err)
{
	int rc;

	*out = g_ptr_array_new_with_free_func((GDestroyNotify)hark_delivery_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		g_ptr_array_add(*out, read_delivery_row(s));
	release(s);
	if (rc != SQLITE_DONE) {
		g_ptr_array_unref(*out);
		*out = NULL;
		return db_fail(st, err, "listing deliveries");
	}
	return true;
}

bool hark_store_deliveries_due(struct hark_store *st, int64_t now, int limit,
			       GPtrArray **out, GError **err)
{
	/* rowid order is creation order, which keeps per-rule order. */
	sqlite3_stmt *s = prepare(st, "SELECT " DELIVERY_COLUMNS " FROM deliveries "
				      "WHERE state = 'pending' AND next_attempt <= ?1 "
				      "ORDER BY rowid LIMIT ?2", err);

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	return read_deliveries(st, s, out, err);
}

bool hark_store_deliveries_due_after(struct hark_store *st, int64_t now,
				     int64_t after, int limit, GPtrArray **out,
				     GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT " DELIVERY_COLUMNS " FROM deliveries "
				      "WHERE state = 'pending' AND next_attempt <= ?1 "
				      "AND rowid > ?3 ORDER BY rowid LIMIT ?2", err);

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	sqlite3_bind_int64(s, 3, after);
	return read_deliveries(st, s, out, err);
}

bool hark_store_deliveries_blocked(struct hark_store *st, int64_t now,
				   GHashTable **out, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT channel, IFNULL(rule, ''), MIN(rowid) "
				      "FROM deliveries WHERE state = 'pending' AND "
				      "next_attempt > ?1 AND attempts > 0 "
				      "GROUP BY channel, rule", err);
	int rc;

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, now);
	*out = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t *seq = g_new(int64_t, 1);
		*seq = sqlite3_column_int64(s, 2);
		g_hash_table_insert(*out, hark_delivery_key((const char *)sqlite3_column_text(s, 0),
							    (const char *)sqlite3_column_text(s, 1)),
				    seq);
	}
	release(s);
	if (rc != SQLITE_DONE) {
		g_hash_table_unref(*out);
		*out = NULL;
		return db_fail(st, err, "listing blocked deliveries");
	}
	return true;
}

char *hark_delivery_key(const char *channel, const char *rule)
{
	return g_strconcat(channel, "\n", rule ? rule : "", NULL);
}

bool hark_store_next_due(struct hark_store *st, int64_t *when, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT MIN(next_attempt) FROM deliveries "
				      "WHERE state = 'pending'", err);
	int rc;

	if (!s)
		return false;
	rc = sqlite3_step(s);
	*when = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL
		? sqlite3_column_int64(s, 0) : INT64_MAX;
	release(s);
	return rc == SQLITE_ROW || db_fail(st, err, "finding the next delivery");
}

bool hark_store_deliveries_list(struct hark_store *st, bool all, GPtrArray **out,
				GError **err)
{
	sqlite3_stmt *s = prepare(st, all ? "SELECT " DELIVERY_COLUMNS " FROM deliveries "
					    "ORDER BY rowid"
					  : "SELECT " DELIVERY_COLUMNS " FROM deliveries "
					    "WHERE state IN ('pending', 'dead') ORDER BY rowid",
				  err);

	if (!s)
		return false;
	return read_deliveries(st, s, out, err);
}

bool hark_store_deliveries_digest(struct hark_store *st, const char *rule,
				  const char *channel, int64_t before,
				  GPtrArray **out, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT " DELIVERY_COLUMNS " FROM deliveries "
				      "WHERE state = 'pending' AND kind = 'alert' AND "
				      "rule = ?1 AND channel = ?2 AND created < ?3 "
				      "ORDER BY rowid", err);

	if (!s)
		return false;
	bind_text(s, 1, rule);
	bind_text(s, 2, channel);
	sqlite3_bind_int64(s, 3, before);
	return read_deliveries(st, s, out, err);
}

static bool run_update(struct hark_store *st, sqlite3_stmt *s, const char *what,
		       int *changes, GError **err)
{
	int rc = sqlite3_step(s);

	release(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, what);
	if (changes)
		*changes = sqlite3_changes(st->db);
	return true;
}

bool hark_store_digest_replace(struct hark_store *st, GPtrArray *merged,
			       const char *rule, const char *channel,
			       const char *payload, int64_t now, char **id_out,
			       GError **err)
{
	if (!hark_store_begin(st, err))
		return false;
	for (guint i = 0; i < merged->len; i++) {
		const struct hark_delivery *d = merged->pdata[i];
		sqlite3_stmt *s = prepare(st, "UPDATE deliveries SET state = 'merged', "
					      "sent = ?2 WHERE id = ?1 AND state = 'pending'",
					  err);
		if (!s)
			goto fail;
		bind_text(s, 1, d->id);
		sqlite3_bind_int64(s, 2, now);
		if (!run_update(st, s, "merging into a digest", NULL, err))
			goto fail;
	}
	if (!delivery_insert(st, 0, rule, "digest", channel, payload, now, id_out, err) ||
	    !hark_store_commit(st, err))
		goto fail;
	return true;
fail:
	hark_store_rollback(st);
	return false;
}

bool hark_store_delivery_defer(struct hark_store *st, const char *id, int64_t until,
			       GError **err)
{
	sqlite3_stmt *s = prepare(st, "UPDATE deliveries SET next_attempt = ?2 "
				      "WHERE id = ?1", err);

	if (!s)
		return false;
	bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, until);
	return run_update(st, s, "deferring delivery", NULL, err);
}

bool hark_store_delivery_suppress(struct hark_store *st, const char *id,
				  const char *why, int64_t now, GError **err)
{
	sqlite3_stmt *s = prepare(st, "UPDATE deliveries SET state = 'suppressed', "
				      "last_error = ?2, sent = ?3 WHERE id = ?1", err);

	if (!s)
		return false;
	bind_text(s, 1, id);
	bind_text(s, 2, why);
	sqlite3_bind_int64(s, 3, now);
	return run_update(st, s, "suppressing delivery", NULL, err);
}

bool hark_store_delivery_retry(struct hark_store *st, const char *id, int64_t now,
			       int *count, GError **err)
{
	/* Re-queued deliveries start their attempt and age caps afresh. */
	sqlite3_stmt *s = prepare(st, id ? "UPDATE deliveries SET state = 'pending', "
					   "attempts = 0, next_attempt = ?2, queued = ?2 "
					   "WHERE id = ?1 AND state IN ('pending', 'dead')"
					 : "UPDATE deliveries SET state = 'pending', "
					   "attempts = 0, next_attempt = ?2, queued = ?2 "
					   "WHERE state IN ('pending', 'dead')", err);

	if (!s)
		return false;
	if (id)
		bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return run_update(st, s, "re-queueing deliveries", count, err);
}

bool hark_store_sent_count(struct hark_store *st, const char *rule,
			   const char *channel, int64_t since, int64_t *n,
			   GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT COUNT(*) FROM deliveries WHERE rule = ?1 "
				      "AND channel = ?2 AND state = 'sent' AND sent >= ?3",
				  err);
	int rc;

	if (!s)
		return false;
	bind_text(s, 1, rule);
	bind_text(s, 2, channel);
	sqlite3_bind_int64(s, 3, since);
	rc = sqlite3_step(s);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	release(s);
	return rc == SQLITE_ROW || db_fail(st, err, "counting deliveries");
}

bool hark_store_mute(struct hark_store *st, const char *rule, int64_t until,
		     GError **err)
{
	sqlite3_stmt *s = prepare(st, "INSERT INTO mutes (rule, until) VALUES (?1, ?2) "
				      "ON CONFLICT (rule) DO UPDATE SET until = excluded.until",
				  err);

	if (!s)
		return false;
	bind_text(s, 1, rule);
	sqlite3_bind_int64(s, 2, until);
	return run_update(st, s, "muting rule", NULL, err);
}

bool hark_store_muted_until(struct hark_store *st, const char *rule, int64_t *until,
			    GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT until FROM mutes WHERE rule = ?1", err);
	int rc;

	if (!s)
		return false;
	bind_text(s, 1, rule);
	rc = sqlite3_step(s);
	*until = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	release(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE || db_fail(st, err, "reading mutes");
}

bool hark_store_hit_hours(struct hark_store *st, const char *rule, int64_t end,
			  int hours, int64_t *counts, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT (?2 - 1 - created) / 3600, COUNT(*) "
				      "FROM hits WHERE rule = ?1 AND created >= ?3 "
				      "AND created < ?2 GROUP BY 1", err);
	int rc;

	if (!s)
		return false;
	memset(counts, 0, sizeof *counts * (size_t)hours);
	bind_text(s, 1, rule);
	sqlite3_bind_int64(s, 2, end);
	sqlite3_bind_int64(s, 3, end - (int64_t)hours * 3600);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ago = sqlite3_column_int64(s, 0);
		if (ago >= 0 && ago < hours)
			counts[ago] = sqlite3_column_int64(s, 1);
	}
	release(s);
	return rc == SQLITE_DONE || db_fail(st, err, "counting hits");
}

bool hark_store_spike_claim(struct hark_store *st, const char *rule, int64_t hour,
			    bool *claimed, GError **err)
{
	sqlite3_stmt *s = prepare(st, "INSERT INTO spikes (rule, hour) VALUES (?1, ?2) "
				      "ON CONFLICT DO NOTHING", err);
	int n = 0;

	if (!s)
		return false;
	bind_text(s, 1, rule);
	sqlite3_bind_int64(s, 2, hour);
	if (!run_update(st, s, "recording spike", &n, err))
		return false;
	*claimed = n > 0;
	return true;
}

bool hark_store_delivery_done(struct hark_store *st, const char *id, int64_t now,
			      GError **err)
{
	sqlite3_stmt *s = prepare(st, "UPDATE deliveries SET state = 'sent', sent = ?2, "
				      "attempts = attempts + 1, last_error = NULL "
				      "WHERE id = ?1", err);
	int rc;

	if (!s)
		return false;
	bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	rc = sqlite3_step(s);
	release(s);
	return rc == SQLITE_DONE || db_fail(st, err, "marking delivery sent");
}

bool hark_store_delivery_failed(struct hark_store *st, const char *id,
				const char *error, int64_t next_attempt,
				bool dead, GError **err)
{
	sqlite3_stmt *s = prepare(st, "UPDATE deliveries SET attempts = attempts + 1, "
				      "last_error = ?2, next_attempt = ?3, "
				      "state = CASE WHEN ?4 THEN 'dead' ELSE 'pending' END "
				      "WHERE id = ?1", err);
	int rc;

	if (!s)
		return false;
	bind_text(s, 1, id);
	bind_text(s, 2, error);
	sqlite3_bind_int64(s, 3, next_attempt);
	sqlite3_bind_int(s, 4, dead);
	rc = sqlite3_step(s);
	release(s);
	return rc == SQLITE_DONE || db_fail(st, err, "recording delivery failure");
}

/* --- Identity, near-duplicates, retention and history (schema 3) --- */

/* Runs a statement that returns no rows and releases it. */
static bool step_done(struct hark_store *st, sqlite3_stmt *s, GError **err,
		      const char *what)
{
	int rc = sqlite3_step(s);

	release(s);
	return rc == SQLITE_DONE || db_fail(st, err, what);
}

bool hark_store_feed_trust_get(struct hark_store *st, int64_t feed_id,
			       struct hark_identity_trust *out, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT guids_unreliable, links_unreliable "
				     "FROM feeds WHERE id = ?1", err);
	int rc;

	memset(out, 0, sizeof *out);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, feed_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->guids_unreliable = sqlite3_column_int(s, 0) != 0;
		out->links_unreliable = sqlite3_column_int(s, 1) != 0;
	}
	release(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE || db_fail(st, err, "loading feed trust");
}

bool hark_store_feed_trust_set(struct hark_store *st, int64_t feed_id,
			       const struct hark_identity_trust *trust, GError **err)
{
	sqlite3_stmt *s = prepare(st, "UPDATE feeds SET guids_unreliable = ?2, "
				     "links_unreliable = ?3 WHERE id = ?1", err);

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, feed_id);
	sqlite3_bind_int(s, 2, trust->guids_unreliable);
	sqlite3_bind_int(s, 3, trust->links_unreliable);
	return step_done(st, s, err, "saving feed trust");
}

void hark_item_lookup_clear(struct hark_item_lookup *l)
{
	g_free(l->guid);
	g_free(l->title);
	g_free(l->text);
	memset(l, 0, sizeof *l);
}

static const char *const find_sql[] = {
	[HARK_MATCH_KEY] = "SELECT id, guid, title, text FROM items "
			   "WHERE feed_id = ?1 AND key = ?2",
	[HARK_MATCH_GUID] = "SELECT id, guid, title, text FROM items "
			    "WHERE feed_id = ?1 AND guid = ?2 ORDER BY id DESC LIMIT 1",
	/* "+nlink": look within the feed (UNIQUE (feed_id, key)), never
	 * through the global items_nlink index, which holds every feed's
	 * copy of a syndicated link and made this lookup grow with them. */
	[HARK_MATCH_LINK] = "SELECT id, guid, title, text FROM items "
			    "WHERE feed_id = ?1 AND +nlink = ?2 ORDER BY id DESC LIMIT 1",
	[HARK_MATCH_CONTENT] = "SELECT id, guid, title, text FROM items "
			       "WHERE feed_id = ?1 AND fp = ?2 ORDER BY id DESC LIMIT 1",
};

bool hark_store_item_find(struct hark_store *st, int64_t feed_id, const char *key,
			  const struct hark_item_ids *ids, bool use_guid,
			  bool use_link, bool use_content,
			  struct hark_item_lookup *out, GError **err)
{
	const char *values[] = {
		[HARK_MATCH_KEY] = key,
		[HARK_MATCH_GUID] = use_guid ? ids->guid : NULL,
		[HARK_MATCH_LINK] = use_link ? ids->link : NULL,
		[HARK_MATCH_CONTENT] = use_content ? ids->fp : NULL,
	};

	static const char *const prefix[] = {
		[HARK_MATCH_GUID] = "guid:", [HARK_MATCH_LINK] = "link:",
		[HARK_MATCH_CONTENT] = "content:",
	};

	memset(out, 0, sizeof *out);
	for (int m = HARK_MATCH_KEY; m <= HARK_MATCH_CONTENT; m++) {
		sqlite3_stmt *s;
		int rc;

		if (!values[m])
			continue;
		/* The key lookup already asked this very question. */
		if (m != HARK_MATCH_KEY && g_str_has_prefix(key, prefix[m]) &&
		    !strcmp(key + strlen(prefix[m]), values[m]))
			continue;
		s = prepare(st, find_sql[m], err);
		if (!s)
			return false;
		sqlite3_bind_int64(s, 1, feed_id);
		bind_text(s, 2, values[m]);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			out->id = sqlite3_column_int64(s, 0);
			out->by = (enum hark_item_match)m;
			out->guid = column_dup(s, 1);
			out->title = column_dup(s, 2);
			out->text = column_dup(s, 3);
		}
		release(s);
		if (rc == SQLITE_ROW)
			return true;
		if (rc != SQLITE_DONE)
			return db_fail(st, err, "looking up item");
	}
	return true;
}

static void bind_simhash(sqlite3_stmt *s, int first, bool has, uint64_t h)
{
	if (!has) {
		for (int i = 0; i <= HARK_SIMHASH_BANDS; i++)
			sqlite3_bind_null(s, first + i);
		return;
	}
	sqlite3_bind_int64(s, first, (int64_t)h);
	for (int i = 0; i < HARK_SIMHASH_BANDS; i++)
		sqlite3_bind_int(s, first + 1 + i, (int)hark_simhash_band(h, i));
}

static const char *item_text(const struct hark_item *item)
{
	return item->content && *item->content ? item->content : item->summary;
}

bool hark_store_item_insert(struct hark_store *st, int64_t feed_id, const char *key,
			    const struct hark_item_ids *ids,
			    const struct hark_item *item, bool has_simhash,
			    uint64_t simhash, int64_t now, int64_t *item_id,
			    GError **err)
{
	sqlite3_stmt *s = prepare(st,
		"INSERT INTO items (feed_id, key, guid, link, title, author, text, "
		"published, updated, first_seen, last_seen, nlink, fp, simhash, "
		"sh0, sh1, sh2, sh3) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
		"?10, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)", err);

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, feed_id);
	bind_text(s, 2, key);
	bind_text(s, 3, ids->guid);
	bind_text(s, 4, item->link);
	bind_text(s, 5, item->title);
	bind_text(s, 6, item->author);
	bind_text(s, 7, item_text(item));
	if (item->published != HARK_TIME_NONE)
		sqlite3_bind_int64(s, 8, item->published);
	if (item->updated != HARK_TIME_NONE)
		sqlite3_bind_int64(s, 9, item->updated);
	sqlite3_bind_int64(s, 10, now);
	bind_text(s, 11, ids->link);
	bind_text(s, 12, ids->fp);
	bind_simhash(s, 13, has_simhash, simhash);
	if (!step_done(st, s, err, "storing item"))
		return false;
	*item_id = sqlite3_last_insert_rowid(st->db);
	return true;
}

bool hark_store_item_refresh(struct hark_store *st, int64_t item_id,
			     const struct hark_item_ids *ids,
			     const struct hark_item *item, bool edited,
			     bool has_simhash, uint64_t simhash, int64_t now,
			     GError **err)
{
	sqlite3_stmt *s;

	s = prepare(st, "UPDATE items SET last_seen = ?2, "
		       "guid = coalesce(?3, guid), nlink = coalesce(?4, nlink), "
		       "fp = coalesce(?5, fp) WHERE id = ?1", err);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, item_id);
	sqlite3_bind_int64(s, 2, now);
	bind_text(s, 3, ids->guid);
	bind_text(s, 4, ids->link);
	bind_text(s, 5, ids->fp);
	if (!step_done(st, s, err, "updating item"))
		return false;
	if (!edited)
		return true;
	s = prepare(st, "UPDATE items SET link = coalesce(?2, link), title = ?3, "
		       "author = ?4, text = ?5, published = coalesce(?6, published), "
		       "updated = ?7, simhash = ?8, sh0 = ?9, sh1 = ?10, sh2 = ?11, "
		       "sh3 = ?12 WHERE id = ?1", err);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, item_id);
	bind_text(s, 2, item->link);
	bind_text(s, 3, item->title);
	bind_text(s, 4, item->author);
	bind_text(s, 5, item_text(item));
	if (item->published != HARK_TIME_NONE)
		sqlite3_bind_int64(s, 6, item->published);
	sqlite3_bind_int64(s, 7, item->updated != HARK_TIME_NONE ? item->updated : now);
	bind_simhash(s, 8, has_simhash, simhash);
	return step_done(st, s, err, "updating edited item");
}

/* Every item agreeing with the bound fingerprint (?1..?4: its bands) on
 * at least one band, with its fingerprint.  A UNION of one lookup per
 * band index, each covering (band, simhash, rowid): unlike an OR, whose
 * multi-index plan reads every candidate's row, this reads only index
 * pages. */
#define BAND_CANDIDATES \
	"(SELECT id, simhash FROM items WHERE sh0 = ?1 UNION " \
	"SELECT id, simhash FROM items WHERE sh1 = ?2 UNION " \
	"SELECT id, simhash FROM items WHERE sh2 = ?3 UNION " \
	"SELECT id, simhash FROM items WHERE sh3 = ?4)"
static void bind_bands(sqlite3_stmt *s, uint64_t h, int64_t exclude)
{
	for (int i = 0; i < HARK_SIMHASH_BANDS; i++)
		sqlite3_bind_int(s, 1 + i, (int)hark_simhash_band(h, i));
	sqlite3_bind_int64(s, 5, exclude);
}

bool hark_store_near_duplicates(struct hark_store *st, uint64_t simhash,
				int64_t exclude_id, GArray **out, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT c.id, c.simhash FROM " BAND_CANDIDATES
				     " c WHERE c.id <> ?5", err);
	int rc;

	if (!s)
		return false;
	bind_bands(s, simhash, exclude_id);
	*out = g_array_new(FALSE, FALSE, sizeof(int64_t));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t h = (uint64_t)sqlite3_column_int64(s, 1);
		int64_t id = sqlite3_column_int64(s, 0);
		if (hark_simhash_distance(h, simhash) <= HARK_SIMHASH_MAX_DISTANCE)
			g_array_append_val(*out, id);
	}
	release(s);
	if (rc != SQLITE_DONE) {
		g_array_unref(*out);
		*out = NULL;
		return db_fail(st, err, "finding near-duplicates");
	}
	return true;
}

bool hark_store_near_duplicate_hit(struct hark_store *st, bool has_simhash,
				   uint64_t simhash, const char *link,
				   int64_t exclude_id, const char *rule,
				   int64_t *hit_id, GError **err)
{
	sqlite3_stmt *s;
	int rc = SQLITE_DONE;

	*hit_id = 0;
	if (link) {
		s = prepare(st, "SELECT h.id FROM items i JOIN hits h ON h.item_id = i.id "
			       "AND h.rule = ?2 WHERE i.nlink = ?1 AND i.id <> ?3 "
			       "ORDER BY h.id LIMIT 1", err);
		if (!s)
			return false;
		bind_text(s, 1, link);
		bind_text(s, 2, rule);
		sqlite3_bind_int64(s, 3, exclude_id);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			*hit_id = sqlite3_column_int64(s, 0);
		release(s);
		if (rc == SQLITE_ROW)
			return true;
		if (rc != SQLITE_DONE)
			return db_fail(st, err, "finding hits on the same link");
	}
	if (!has_simhash)
		return true;
	s = prepare(st, "SELECT h.id, c.simhash FROM " BAND_CANDIDATES " c "
		       "JOIN hits h ON h.item_id = c.id AND h.rule = ?6 "
		       "WHERE c.id <> ?5 ORDER BY h.id", err);
	if (!s)
		return false;
	bind_bands(s, simhash, exclude_id);
	bind_text(s, 6, rule);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t h = (uint64_t)sqlite3_column_int64(s, 1);
		if (hark_simhash_distance(h, simhash) <= HARK_SIMHASH_MAX_DISTANCE) {
			*hit_id = sqlite3_column_int64(s, 0);
			break;
		}
	}
	release(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, err, "finding near-duplicate hits");
	return true;
}

bool hark_store_also_seen_add(struct hark_store *st, int64_t hit_id,
			      int64_t item_id, int64_t now, GError **err)
{
	sqlite3_stmt *s = prepare(st, "INSERT INTO hit_also_seen (hit_id, item_id, "
				     "feed, link, title, seen) SELECT ?1, i.id, f.name, "
				     "i.link, i.title, ?3 FROM items i JOIN feeds f ON "
				     "f.id = i.feed_id WHERE i.id = ?2 "
				     "ON CONFLICT DO NOTHING", err);

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, hit_id);
	sqlite3_bind_int64(s, 2, item_id);
	sqlite3_bind_int64(s, 3, now);
	return step_done(st, s, err, "recording also-seen");
}

bool hark_store_hit_updated(struct hark_store *st, int64_t hit_id, int64_t now,
			    GError **err)
{
	sqlite3_stmt *s = prepare(st, "UPDATE hits SET updates = updates + 1, "
				     "last_update = ?2 WHERE id = ?1", err);

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, hit_id);
	sqlite3_bind_int64(s, 2, now);
	return step_done(st, s, err, "recording hit update");
}

bool hark_store_prune(struct hark_store *st, int64_t items_before,
		      int64_t hits_before, int limit, unsigned *deleted,
		      GError **err)
{
	sqlite3_stmt *s;
	bool ok;

	*deleted = 0;
	if (!exec_sql(st, "BEGIN IMMEDIATE", err))
		return false;
	/* Hits first: an item whose last hit goes is pruned in a later step. */
	s = prepare(st, "DELETE FROM hits WHERE id IN (SELECT h.id FROM hits h "
		       "WHERE h.created < ?1 AND NOT EXISTS (SELECT 1 FROM "
		       "deliveries d WHERE d.hit_id = h.id AND d.state = 'pending') "
		       "LIMIT ?2)", err);
	ok = s != NULL;
	if (ok) {
		sqlite3_bind_int64(s, 1, hits_before);
		sqlite3_bind_int(s, 2, limit);
		ok = step_done(st, s, err, "pruning hits");
		*deleted += ok ? (unsigned)sqlite3_changes(st->db) : 0;
	}
	if (ok)
		s = prepare(st, "DELETE FROM items WHERE id IN (SELECT i.id FROM items i "
			       "WHERE i.last_seen < ?1 AND NOT EXISTS (SELECT 1 FROM "
			       "hits h WHERE h.item_id = i.id) LIMIT ?2)", err);
	ok = ok && s != NULL;
	if (ok) {
		sqlite3_bind_int64(s, 1, items_before);
		sqlite3_bind_int(s, 2, limit);
		ok = step_done(st, s, err, "pruning items");
		*deleted += ok ? (unsigned)sqlite3_changes(st->db) : 0;
	}
	if (ok)
		return exec_sql(st, "COMMIT", err);
	hark_store_rollback(st);
	return false;
}

void hark_also_seen_free(struct hark_also_seen *a)
{
	if (!a)
		return;
	g_free(a->feed);
	g_free(a->link);
	g_free(a->title);
	g_free(a);
}

void hark_hit_row_free(struct hark_hit_row *r)
{
	if (!r)
		return;
	g_free(r->rule);
	g_free(r->feed);
	g_free(r->title);
	g_free(r->link);
	g_free(r->author);
	g_free(r->text);
	if (r->also_seen)
		g_ptr_array_unref(r->also_seen);
	g_free(r);
}

bool hark_store_also_seen_list(struct hark_store *st, int64_t hit_id,
			       GPtrArray **out, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT feed, link, title, seen FROM hit_also_seen "
				     "WHERE hit_id = ?1 ORDER BY seen, item_id", err);
	int rc;

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, hit_id);
	*out = g_ptr_array_new_with_free_func((GDestroyNotify)hark_also_seen_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hark_also_seen *a = g_new0(struct hark_also_seen, 1);
		a->feed = column_dup(s, 0);
		a->link = column_dup(s, 1);
		a->title = column_dup(s, 2);
		a->seen = sqlite3_column_int64(s, 3);
		g_ptr_array_add(*out, a);
	}
	release(s);
	if (rc != SQLITE_DONE) {
		g_ptr_array_unref(*out);
		*out = NULL;
		return db_fail(st, err, "listing also-seen");
	}
	return true;
}

bool hark_store_hits_query(struct hark_store *st, const struct hark_hit_query *q,
			   GPtrArray **out, GError **err)
{
	GString *sql = g_string_new(
		"SELECT h.id, h.rule, h.created, h.sentiment, h.updates, f.name, "
		"i.title, i.link, i.author, i.published, h.handled, ");
	sqlite3_stmt *s;
	int rc;

	/* With a search, the join order is forced (CROSS JOIN): the FTS
	 * matches, then their hits through the small (item_id, rule)
	 * index, and only then the items of those hits.  Left to itself
	 * the planner reads every matching item first, and hits are a
	 * small fraction of the items. */
	g_string_append(sql, q->with_text ? "i.text FROM " : "NULL FROM ");
	/* Without a search, hits drive the join too (CROSS JOIN) and only
	 * the conditions in use go into the SQL: SQLite then walks
	 * hits_created (or hits_rule_created) backwards and stops after
	 * LIMIT rows.  Given feeds (a tag), it would otherwise start from
	 * the feeds and sort every hit of theirs (10x slower at 100,000). */
	if (q->search)
		g_string_append(sql, "(SELECT rowid AS iid FROM items_fts WHERE "
				     "items_fts MATCH ?3) m CROSS JOIN hits h ON "
				     "h.item_id = m.iid CROSS JOIN items i ON i.id = h.item_id ");
	else
		g_string_append(sql, "hits h CROSS JOIN items i ON i.id = h.item_id ");
	g_string_append(sql, "CROSS JOIN feeds f ON f.id = i.feed_id WHERE h.created >= ?1");
	if (q->rule)
		g_string_append(sql, " AND h.rule = ?2");
	if (q->feeds_json)
		g_string_append(sql, " AND f.name IN (SELECT value FROM json_each(?4))");
	if (q->has_min_sentiment)
		g_string_append(sql, " AND h.sentiment >= ?5");
	if (q->has_max_sentiment)
		g_string_append(sql, " AND h.sentiment <= ?6");
	if (q->until)
		g_string_append(sql, " AND h.created < ?7");
	if (q->before_id)
		g_string_append(sql, " AND h.id < ?8");
	if (q->after_id)
		g_string_append(sql, " AND h.id > ?9");
	if (q->unhandled)
		g_string_append(sql, " AND h.handled = 0");
	g_string_append(sql, q->after_id ? " ORDER BY h.id"
					 : " ORDER BY h.created DESC, h.id DESC");
	/* A parameter, not a literal: statements are cached by their text,
	 * and the web page lets anyone pick a limit. */
	if (q->limit > 0)
		g_string_append(sql, " LIMIT ?10");
	s = prepare(st, sql->str, err);
	g_string_free(sql, TRUE);
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, q->since);
	if (q->rule)
		bind_text(s, 2, q->rule);
	if (q->search)
		bind_text(s, 3, q->search);
	if (q->feeds_json)
		bind_text(s, 4, q->feeds_json);
	if (q->has_min_sentiment)
		sqlite3_bind_double(s, 5, q->min_sentiment);
	if (q->has_max_sentiment)
		sqlite3_bind_double(s, 6, q->max_sentiment);
	if (q->until)
		sqlite3_bind_int64(s, 7, q->until);
	if (q->before_id)
		sqlite3_bind_int64(s, 8, q->before_id);
	if (q->after_id)
		sqlite3_bind_int64(s, 9, q->after_id);
	if (q->limit > 0)
		sqlite3_bind_int(s, 10, q->limit);
	*out = g_ptr_array_new_with_free_func((GDestroyNotify)hark_hit_row_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hark_hit_row *r = g_new0(struct hark_hit_row, 1);
		r->id = sqlite3_column_int64(s, 0);
		r->rule = column_dup(s, 1);
		r->created = sqlite3_column_int64(s, 2);
		r->sentiment = sqlite3_column_type(s, 3) == SQLITE_NULL
			       ? NAN : sqlite3_column_double(s, 3);
		r->updates = sqlite3_column_int(s, 4);
		r->feed = column_dup(s, 5);
		r->title = column_dup(s, 6);
		r->link = column_dup(s, 7);
		r->author = column_dup(s, 8);
		r->published = sqlite3_column_type(s, 9) == SQLITE_NULL
			       ? HARK_TIME_NONE : sqlite3_column_int64(s, 9);
		r->handled = sqlite3_column_int64(s, 10);
		r->text = column_dup(s, 11);
		g_ptr_array_add(*out, r);
	}
	if (rc != SQLITE_DONE) {
		/* FTS5 reports a malformed MATCH expression when stepping, as
		 * a plain SQLITE_ERROR ("fts5: syntax error ...", "unterminated
		 * string", "no such column"); I/O and corruption have codes of
		 * their own. */
		bool user = q->search && rc == SQLITE_ERROR;
		g_set_error(err, HARK_ERROR, user ? HARK_ERROR_USER : HARK_ERROR_RUNTIME,
			    user ? "bad search query '%s': %s" : "database %s: %s",
			    user ? q->search : st->path, sqlite3_errmsg(st->db));
		release(s);
		g_ptr_array_unref(*out);
		*out = NULL;
		return false;
	}
	release(s);
	for (guint i = 0; i < (*out)->len; i++) {
		struct hark_hit_row *r = (*out)->pdata[i];
		if (!hark_store_also_seen_list(st, r->id, &r->also_seen, err)) {
			g_ptr_array_unref(*out);
			*out = NULL;
			return false;
		}
	}
	return true;
}

void hark_hit_stat_free(struct hark_hit_stat *s)
{
	if (!s)
		return;
	g_free(s->rule);
	g_free(s);
}

bool hark_store_hit_stats(struct hark_store *st, const char *rule, int64_t since,
			  GPtrArray **out, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT rule, (created / 86400) * 86400 AS day, "
				      "count(*), count(sentiment), avg(sentiment) "
				      "FROM hits WHERE created >= ?1 AND "
				      "(?2 IS NULL OR rule = ?2) "
				      "GROUP BY rule, day ORDER BY rule, day", err);
	int rc;

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, since);
	bind_text(s, 2, rule);
	*out = g_ptr_array_new_with_free_func((GDestroyNotify)hark_hit_stat_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hark_hit_stat *r = g_new0(struct hark_hit_stat, 1);
		r->rule = column_dup(s, 0);
		r->day = sqlite3_column_int64(s, 1);
		r->hits = (unsigned)sqlite3_column_int(s, 2);
		r->scored = (unsigned)sqlite3_column_int(s, 3);
		r->mean_sentiment = r->scored ? sqlite3_column_double(s, 4) : NAN;
		g_ptr_array_add(*out, r);
	}
	release(s);
	if (rc != SQLITE_DONE) {
		g_ptr_array_unref(*out);
		*out = NULL;
		return db_fail(st, err, "computing statistics");
	}
	return true;
}

bool hark_store_bulk_begin(struct hark_store *st, GError **err)
{
	if (!exec_sql(st, "BEGIN IMMEDIATE", err))
		return false;
	if (exec_sql(st, "DROP TRIGGER items_fts_ai", err))
		return true;
	hark_store_rollback(st);
	return false;
}

bool hark_store_bulk_commit(struct hark_store *st, GError **err)
{
	if (exec_sql(st, "INSERT INTO items_fts(items_fts) VALUES ('rebuild');"
			 ITEMS_FTS_AI ";", err) &&
	    exec_sql(st, "COMMIT", err))
		return true;
	hark_store_rollback(st);
	return false;
}

bool hark_store_set_cache_mb(struct hark_store *st, int mb, GError **err)
{
	char *sql = g_strdup_printf("PRAGMA cache_size = %d", -1024 * mb);
	bool ok = exec_sql(st, sql, err);

	g_free(sql);
	return ok;
}

bool hark_store_size(struct hark_store *st, int64_t *bytes, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT page_count * page_size FROM "
				      "pragma_page_count(), pragma_page_size()", err);
	int rc;

	if (!s)
		return false;
	rc = sqlite3_step(s);
	*bytes = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	release(s);
	return rc == SQLITE_ROW || db_fail(st, err, "measuring size");
}

bool hark_store_meta_set(struct hark_store *st, const char *key,
			 const char *value, GError **err)
{
	sqlite3_stmt *s = prepare(st, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
				     "ON CONFLICT (key) DO UPDATE SET value = ?2", err);
	int rc;

	if (!s)
		return false;
	bind_text(s, 1, key);
	bind_text(s, 2, value);
	rc = sqlite3_step(s);
	release(s);
	return rc == SQLITE_DONE || db_fail(st, err, "writing meta");
}

bool hark_store_meta_get(struct hark_store *st, const char *key, char **value,
			 GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT value FROM meta WHERE key = ?1", err);
	int rc;

	*value = NULL;
	if (!s)
		return false;
	bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*value = column_dup(s, 0);
	release(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE || db_fail(st, err, "reading meta");
}

bool hark_store_delivery_counts(struct hark_store *st,
				struct hark_delivery_counts *out, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT state, count(*) FROM deliveries "
				     "GROUP BY state", err);
	int rc;

	memset(out, 0, sizeof *out);
	if (!s)
		return false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(s, 0);
		int64_t n = sqlite3_column_int64(s, 1);

		if (!state)
			continue;
		if (!strcmp(state, "pending"))
			out->pending = n;
		else if (!strcmp(state, "dead"))
			out->dead = n;
		else if (!strcmp(state, "sent"))
			out->sent = n;
	}
	release(s);
	return rc == SQLITE_DONE || db_fail(st, err, "counting deliveries");
}

bool hark_store_hits_after(struct hark_store *st, const char *rule,
			   int64_t after_id, int limit, GPtrArray **out,
			   GError **err)
{
	sqlite3_stmt *s = prepare(st,
		"SELECT h.id, h.rule, h.created, h.sentiment, h.updates, f.name, "
		"i.title, i.link, i.author, i.published FROM hits h "
		"JOIN items i ON i.id = h.item_id JOIN feeds f ON f.id = i.feed_id "
		"WHERE h.id > ?1 AND (?2 IS NULL OR h.rule = ?2) "
		"ORDER BY h.id LIMIT ?3", err);
	int rc;

	*out = NULL;
	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, after_id);
	bind_text(s, 2, rule);
	sqlite3_bind_int(s, 3, limit > 0 ? limit : -1);
	*out = g_ptr_array_new_with_free_func((GDestroyNotify)hark_hit_row_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hark_hit_row *r = g_new0(struct hark_hit_row, 1);
		r->id = sqlite3_column_int64(s, 0);
		r->rule = column_dup(s, 1);
		r->created = sqlite3_column_int64(s, 2);
		r->sentiment = sqlite3_column_type(s, 3) == SQLITE_NULL
			       ? NAN : sqlite3_column_double(s, 3);
		r->updates = sqlite3_column_int(s, 4);
		r->feed = column_dup(s, 5);
		r->title = column_dup(s, 6);
		r->link = column_dup(s, 7);
		r->author = column_dup(s, 8);
		r->published = sqlite3_column_type(s, 9) == SQLITE_NULL
			       ? HARK_TIME_NONE : sqlite3_column_int64(s, 9);
		r->also_seen = g_ptr_array_new_with_free_func(
			(GDestroyNotify)hark_also_seen_free);
		g_ptr_array_add(*out, r);
	}
	release(s);
	if (rc != SQLITE_DONE) {
		g_ptr_array_unref(*out);
		*out = NULL;
		return db_fail(st, err, "listing new hits");
	}
	return true;
}

bool hark_store_last_hit_id(struct hark_store *st, int64_t *id, GError **err)
{
	sqlite3_stmt *s = prepare(st, "SELECT coalesce(max(id), 0) FROM hits", err);
	int rc;

	*id = 0;
	if (!s)
		return false;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	release(s);
	return rc == SQLITE_ROW || db_fail(st, err, "reading the last hit");
}

/* --- The web page --- */

bool hark_store_hit_set_handled(struct hark_store *st, int64_t hit_id, int64_t when,
				bool *found, GError **err)
{
	sqlite3_stmt *s = prepare(st, "UPDATE hits SET handled = ?2 WHERE id = ?1", err);
	int rc;

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, hit_id);
	sqlite3_bind_int64(s, 2, when);
	rc = sqlite3_step(s);
	release(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "marking hit handled");
	*found = sqlite3_changes(st->db) > 0;
	return true;
}

void hark_hit_bucket_free(struct hark_hit_bucket *b)
{
	if (!b)
		return;
	g_free(b->rule);
	g_free(b);
}

bool hark_store_hit_buckets(struct hark_store *st, const char *rule, int64_t since,
			    int64_t until, int64_t bucket, GPtrArray **out,
			    GError **err)
{
	/* Whole hours come from hit_hours; any other window from the hits. */
	bool hours = since % 3600 == 0 && until % 3600 == 0 && bucket % 3600 == 0;
	sqlite3_stmt *s;
	int rc;

	if (hours)
		s = prepare(st, rule
			? "SELECT rule, hour / ?4 * ?4 AS t, SUM(hits), SUM(scored), "
			  "SUM(sentiment_sum) FROM hit_hours WHERE rule = ?1 AND "
			  "hour >= ?2 AND hour < ?3 GROUP BY t ORDER BY t"
			: "SELECT rule, hour / ?4 * ?4 AS t, SUM(hits), SUM(scored), "
			  "SUM(sentiment_sum) FROM hit_hours WHERE hour >= ?2 AND "
			  "hour < ?3 GROUP BY rule, t ORDER BY rule, t", err);
	else
		s = prepare(st, rule
			? "SELECT rule, created / ?4 * ?4 AS t, COUNT(*), COUNT(sentiment), "
			  "TOTAL(sentiment) FROM hits WHERE rule = ?1 AND created >= ?2 "
			  "AND created < ?3 GROUP BY t ORDER BY t"
			: "SELECT rule, created / ?4 * ?4 AS t, COUNT(*), COUNT(sentiment), "
			  "TOTAL(sentiment) FROM hits WHERE created >= ?2 AND created < ?3 "
			  "GROUP BY rule, t ORDER BY rule, t", err);
	if (!s)
		return false;
	bind_text(s, 1, rule);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int64(s, 3, until);
	sqlite3_bind_int64(s, 4, MAX(bucket, 1));
	*out = g_ptr_array_new_with_free_func((GDestroyNotify)hark_hit_bucket_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hark_hit_bucket *b = g_new0(struct hark_hit_bucket, 1);
		b->rule = column_dup(s, 0);
		b->start = sqlite3_column_int64(s, 1);
		b->hits = (unsigned)sqlite3_column_int64(s, 2);
		b->scored = (unsigned)sqlite3_column_int64(s, 3);
		b->mean_sentiment = b->scored ? sqlite3_column_double(s, 4) / b->scored : NAN;
		g_ptr_array_add(*out, b);
	}
	release(s);
	if (rc != SQLITE_DONE) {
		g_ptr_array_unref(*out);
		*out = NULL;
		return db_fail(st, err, "counting hits");
	}
	return true;
}
