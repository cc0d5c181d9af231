/* store.c - the SQLite backend of store.h.
 *
 * WAL journal (readers never block the poller), a busy timeout (a second
 * hark process, e.g. `hark feeds`, waits instead of failing), and the
 * schema versioned with PRAGMA user_version: migrations[i] takes a file
 * from version i to i + 1.
 */
#include "hark/store.h"
#include "hark/error.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

struct hark_store {
	sqlite3 *db;
	char *path;
	GHashTable *stmts;     /* SQL text -> prepared statement, reused */
};

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
			  "PRAGMA foreign_keys = ON;", err) ||
	    !migrate(st, err)) {
		hark_store_close(st);
		return NULL;
	}
	return st;
}

void hark_store_close(struct hark_store *st)
{
	if (!st)
		return;
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

bool hark_store_delivery_add(struct hark_store *st, int64_t hit_id,
			     const char *channel, const char *payload, int64_t now,
			     char **id_out, GError **err)
{
	char *id = g_uuid_string_random();
	sqlite3_stmt *s = prepare(st, "INSERT INTO deliveries (id, hit_id, channel, "
				      "payload, next_attempt, created) "
				      "VALUES (?1, ?2, ?3, ?4, ?5, ?5)", err);
	int rc;

	if (!s) {
		g_free(id);
		return false;
	}
	bind_text(s, 1, id);
	sqlite3_bind_int64(s, 2, hit_id);
	bind_text(s, 3, channel);
	bind_text(s, 4, payload);
	sqlite3_bind_int64(s, 5, now);
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

bool hark_store_feed_alert_add(struct hark_store *st, int64_t feed_id,
			       const char *channel, const char *payload,
			       int64_t now, GError **err)
{
	char *id = g_uuid_string_random();
	sqlite3_stmt *s = prepare(st, "INSERT INTO deliveries (id, feed_id, channel, "
				      "payload, next_attempt, created) "
				      "VALUES (?1, ?2, ?3, ?4, ?5, ?5)", err);
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
	g_free(d);
}

bool hark_store_deliveries_due(struct hark_store *st, int64_t now, int limit,
			       GPtrArray **out, GError **err)
{
	/* rowid order is creation order, which keeps per-rule order. */
	sqlite3_stmt *s = prepare(st, "SELECT id, hit_id, channel, payload, attempts, "
				      "created FROM deliveries WHERE state = 'pending' "
				      "AND next_attempt <= ?1 ORDER BY rowid LIMIT ?2", err);
	int rc;

	if (!s)
		return false;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	*out = g_ptr_array_new_with_free_func((GDestroyNotify)hark_delivery_free);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hark_delivery *d = g_new0(struct hark_delivery, 1);
		d->id = column_dup(s, 0);
		d->hit_id = sqlite3_column_int64(s, 1);
		d->channel = column_dup(s, 2);
		d->payload = column_dup(s, 3);
		d->attempts = sqlite3_column_int(s, 4);
		d->created = sqlite3_column_int64(s, 5);
		g_ptr_array_add(*out, d);
	}
	release(s);
	if (rc != SQLITE_DONE) {
		g_ptr_array_unref(*out);
		*out = NULL;
		return db_fail(st, err, "listing deliveries");
	}
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
