/* test_delivery.c - webhook signing and bodies, Retry-After, backoff,
 * quiet hours, the delivery config keys, and the outbox schema
 * migration. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/config.h"
#include "hark/notify.h"
#include "hark/outbox.h"
#include "hark/store.h"
#include "hark/webhook.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

static void signature_vector(void **state)
{
	/* Computed independently with Python's hmac module. */
	char *sig = hark_webhook_signature("It's a Secret to Everybody", "1700000000",
					   "{\"hello\":\"world\"}", 17);

	(void)state;
	assert_string_equal(sig, "sha256=08c0aaa4721d7e090415dc782eb1818362b0e857"
			    "612ef36e6dcf8c773571b03b");
	g_free(sig);
	/* Any change of timestamp or body changes it. */
	sig = hark_webhook_signature("It's a Secret to Everybody", "1700000001",
				     "{\"hello\":\"world\"}", 17);
	assert_string_not_equal(sig, "sha256=08c0aaa4721d7e090415dc782eb1818362b0e857"
				"612ef36e6dcf8c773571b03b");
	g_free(sig);
}

static void retry_after(void **state)
{
	(void)state;
	assert_int_equal(hark_retry_after_parse("120", 1000), 120);
	assert_int_equal(hark_retry_after_parse(" 7 ", 1000), 7);
	assert_int_equal(hark_retry_after_parse(NULL, 1000), -1);
	assert_int_equal(hark_retry_after_parse("soon", 1000), -1);
	assert_int_equal(hark_retry_after_parse("12abc", 1000), -1);
	/* HTTP-date: 1445412480 is Wed, 21 Oct 2015 07:28:00 GMT. */
	assert_int_equal(hark_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT",
						1445412480 - 90), 90);
	/* A date in the past means now. */
	assert_int_equal(hark_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT",
						1445412480 + 90), 0);
}

static void backoff(void **state)
{
	(void)state;
	assert_int_equal(hark_backoff_delay(30, 1, 3600), 30);
	assert_int_equal(hark_backoff_delay(30, 2, 3600), 60);
	assert_int_equal(hark_backoff_delay(30, 5, 3600), 480);
	assert_int_equal(hark_backoff_delay(30, 9, 3600), 3600);
	assert_int_equal(hark_backoff_delay(30, 1000, 3600), 3600);
	assert_int_equal(hark_backoff_delay(1, 3, 2), 2);
}

static void quiet_hours(void **state)
{
	struct hark_quiet_hours q = {.set = true, .start = 22 * 60, .end = 7 * 60,
				     .tz = (char *)"Europe/Paris"};
	int64_t end = 0;
	const int64_t noon = 1768478400;  /* 2026-01-15 12:00 UTC, 13:00 Paris */

	(void)state;
	assert_false(hark_quiet_hours_at(&q, noon, &end));
	/* 23:30 Paris: quiet until 07:00 Paris the next day (06:00 UTC). */
	assert_true(hark_quiet_hours_at(&q, noon + 10 * 3600 + 1800, &end));
	assert_int_equal(end, noon + 18 * 3600);
	/* 06:00 Paris: quiet until 07:00 Paris the same day. */
	assert_true(hark_quiet_hours_at(&q, noon + 17 * 3600, &end));
	assert_int_equal(end, noon + 18 * 3600);
	/* 07:00 Paris sharp: over. */
	assert_false(hark_quiet_hours_at(&q, noon + 18 * 3600, &end));
	/* A daytime window in UTC. */
	q.start = 9 * 60;
	q.end = 17 * 60;
	q.tz = (char *)"UTC";
	assert_true(hark_quiet_hours_at(&q, noon, &end));
	assert_int_equal(end, noon + 5 * 3600);
	q.set = false;
	assert_false(hark_quiet_hours_at(&q, noon, &end));
}

static const char *alert =
	"{\"version\":1,\"kind\":\"alert\",\"rule\":\"acme\",\"feed\":\"forum\","
	"\"item\":{\"title\":\"Refund <late> & *angry*\",\"link\":\"https://x.test/1\","
	"\"author\":null,\"published\":null,\"snippet\":\"my refund is late @everyone\"},"
	"\"matches\":[{\"field\":\"text\",\"start\":3,\"end\":9,\"text\":\"refund\"}],"
	"\"sentiment\":-0.7,\"sentiment_cues\":[]}";

static void bodies(void **state)
{
	char *b;

	(void)state;
	b = hark_webhook_body(HARK_FORMAT_JSON, alert, "ID-1");
	assert_true(g_str_has_prefix(b, "{\"delivery_id\":\"ID-1\",\"version\":1,"));
	g_free(b);
	b = hark_webhook_body(HARK_FORMAT_SLACK, alert, "ID-1");
	assert_string_equal(b, "{\"text\":\"*[acme]* <https://x.test/1|Refund &lt;late&gt; "
			    "&amp; *angry*>\\n_forum_: my refund is late @everyone\"}");
	g_free(b);
	b = hark_webhook_body(HARK_FORMAT_DISCORD, alert, "ID-1");
	assert_non_null(strstr(b, "\"allowed_mentions\":{\"parse\":[]}"));
	assert_non_null(strstr(b, "[Refund \\\\<late\\\\> & \\\\*angry\\\\*](https://x.test/1)"));
	g_free(b);
	b = hark_webhook_body(HARK_FORMAT_TEAMS, alert, "ID-1");
	assert_non_null(strstr(b, "\"@type\":\"MessageCard\""));
	assert_non_null(strstr(b, "\"uri\":\"https://x.test/1\""));
	g_free(b);
	b = hark_webhook_body(HARK_FORMAT_MATTERMOST, alert, "ID-1");
	assert_true(g_str_has_prefix(b, "{\"text\":\"**[acme]** [Refund"));
	g_free(b);
	assert_null(hark_webhook_body(HARK_FORMAT_SLACK, "not json", "ID-1"));
}

static void desktop_body(void **state)
{
	JsonNode *n = hark_alert_parse(alert);
	char *b;

	(void)state;
	assert_non_null(n);
	b = hark_notify_body(json_node_get_object(n), true);
	assert_string_equal(b, "<i>forum</i>\nmy <b>refund</b> is late @everyone");
	g_free(b);
	b = hark_notify_body(json_node_get_object(n), false);
	assert_string_equal(b, "forum\nmy refund is late @everyone");
	g_free(b);
	json_node_unref(n);
	assert_false(hark_open_uri("file:///etc/passwd", NULL));
	assert_false(hark_open_uri("javascript:alert(1)", NULL));
}

static char *write_file(const char *text)
{
	char *path = NULL;
	int fd = g_file_open_tmp("hark-test-XXXXXX.conf", &path, NULL);

	assert_true(fd >= 0);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void config_keys(void **state)
{
	char *secret = write_file("file-secret\n");
	char *text = g_strdup_printf(
		"[rule r]\nquery = a\nalert = desktop, hook, run\npriority = critical\n"
		"rate_limit = 10/1h\ndigest = 30m\nquiet_hours = 22:00-07:30 Europe/Paris\n"
		"quiet_hours_webhooks = hold\nspike_k = 2.5\n"
		"[webhook hook]\nurl = https://hooks.test/x\nformat = slack\n"
		"secret_file = %s\ntimeout = 5s\nheaders = X-A: 1; X-B: two, three\n"
		"[exec run]\ncommand = cat > /dev/null\n", secret);
	char *path = write_file(text);
	struct hark_diags d;
	struct hark_config *cfg;
	const struct hark_rule_conf *r;
	const struct hark_channel_conf *c;

	(void)state;
	hark_diags_init(&d);
	cfg = hark_config_load(path, &d, NULL);
	if (hark_diags_count(&d))
		hark_diags_print(&d, stderr);
	assert_int_equal(hark_diags_count(&d), 0);
	r = hark_config_rule(cfg, "r");
	assert_non_null(r);
	assert_int_equal(r->priority, HARK_PRIORITY_CRITICAL);
	assert_int_equal(r->rate_limit.count, 10);
	assert_int_equal(r->rate_limit.per, 3600);
	assert_int_equal(r->digest, 1800);
	assert_true(r->quiet_hours.set);
	assert_int_equal(r->quiet_hours.start, 22 * 60);
	assert_int_equal(r->quiet_hours.end, 7 * 60 + 30);
	assert_string_equal(r->quiet_hours.tz, "Europe/Paris");
	assert_true(r->quiet_hours_webhooks);
	assert_true(r->spike_k > 2.49 && r->spike_k < 2.51);
	assert_int_equal(r->coalesce.count, 3);
	c = hark_config_channel(cfg, "hook");
	assert_non_null(c);
	assert_int_equal(c->format, HARK_FORMAT_SLACK);
	assert_string_equal(c->secret, "file-secret");
	assert_int_equal(c->timeout, 5);
	assert_int_equal(c->headers->len, 2);
	assert_string_equal(c->headers->pdata[1], "X-B: two, three");
	c = hark_config_channel(cfg, "run");
	assert_non_null(c);
	assert_int_equal(c->kind, HARK_CHANNEL_EXEC);
	hark_config_free(cfg);
	hark_diags_clear(&d);
	g_unlink(path);
	g_unlink(secret);
	g_free(path);
	g_free(secret);
	g_free(text);
}

/* Bad values get positioned diagnostics, and a secret never shows in
 * them, even on its own line's diagnostic. */
static void config_errors(void **state)
{
	char *path = write_file("[rule r]\nquery = a\nalert = desktop, nohook\n"
				"rate_limit = lots\nquiet_hours = 22:00-07:00 Mars/Olympus\n"
				"[webhook h]\nurl = file:///x\nformat = slak\n"
				"secret = hunter2-very-secret\nsecret = hunter2-very-secret\n"
				"[webhook desktop]\nurl = https://x.test/\n");
	struct hark_diags d;
	struct hark_config *cfg;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	hark_diags_init(&d);
	cfg = hark_config_load(path, &d, NULL);
	hark_diags_print(&d, f);
	fclose(f);
	assert_non_null(strstr(out, ":3:18: error: unknown alert channel 'nohook'"));
	assert_non_null(strstr(out, ":4:14: error: bad rate 'lots'"));
	assert_non_null(strstr(out, "unknown time zone"));
	assert_non_null(strstr(out, "'file:///x' is not an http(s) URL"));
	assert_non_null(strstr(out, "did you mean 'slack'?"));
	assert_non_null(strstr(out, "duplicate key 'secret'"));
	assert_non_null(strstr(out, "secret = ********"));
	assert_non_null(strstr(out, "channel name 'desktop' is reserved"));
	assert_null(strstr(out, "hunter2"));
	free(out);
	hark_config_free(cfg);
	hark_diags_clear(&d);
	g_unlink(path);
	g_free(path);
}

/* A schema-1 database with a queued delivery opens migrated: the row
 * keeps its id and gains its rule. */
static void migration(void **state)
{
	char *dir = g_dir_make_tmp("hark-mig-XXXXXX", NULL);
	char *path = g_build_filename(dir, "old.db", NULL);
	sqlite3 *db;
	struct hark_store *st;
	GPtrArray *rows = NULL;
	const struct hark_delivery *d;
	int64_t n = -1;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TABLE feeds (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
		" url TEXT NOT NULL, etag TEXT, last_modified TEXT,"
		" last_status INTEGER NOT NULL DEFAULT 0, last_error TEXT,"
		" failures INTEGER NOT NULL DEFAULT 0, last_poll INTEGER NOT NULL DEFAULT 0,"
		" last_success INTEGER NOT NULL DEFAULT 0, next_poll INTEGER NOT NULL DEFAULT 0,"
		" items_seen INTEGER NOT NULL DEFAULT 0, polls INTEGER NOT NULL DEFAULT 0,"
		" gone INTEGER NOT NULL DEFAULT 0);"
		"CREATE TABLE items (id INTEGER PRIMARY KEY, feed_id INTEGER NOT NULL"
		" REFERENCES feeds(id) ON DELETE CASCADE, key TEXT NOT NULL, guid TEXT,"
		" link TEXT, title TEXT, author TEXT, text TEXT, published INTEGER,"
		" updated INTEGER, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
		" UNIQUE (feed_id, key));"
		"CREATE TABLE hits (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL"
		" REFERENCES items(id) ON DELETE CASCADE, rule TEXT NOT NULL,"
		" created INTEGER NOT NULL, sentiment REAL, UNIQUE (item_id, rule));"
		"CREATE INDEX hits_rule_created ON hits(rule, created);"
		"CREATE TABLE deliveries (id TEXT PRIMARY KEY, hit_id INTEGER NOT NULL"
		" REFERENCES hits(id) ON DELETE CASCADE, channel TEXT NOT NULL,"
		" payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending'"
		" CHECK (state IN ('pending', 'sent', 'dead')), attempts INTEGER NOT NULL"
		" DEFAULT 0, next_attempt INTEGER NOT NULL, last_error TEXT,"
		" created INTEGER NOT NULL, sent INTEGER);"
		"CREATE INDEX deliveries_due ON deliveries(state, next_attempt);"
		"INSERT INTO feeds (id, name, url) VALUES (1, 'f', 'file:///f');"
		"INSERT INTO items (id, feed_id, key, first_seen, last_seen) VALUES (1, 1, 'k', 5, 5);"
		"INSERT INTO hits (id, item_id, rule, created) VALUES (1, 1, 'acme', 5);"
		"INSERT INTO deliveries (id, hit_id, channel, payload, state, attempts,"
		" next_attempt, last_error, created) VALUES ('old-1', 1, 'stdout', '{}',"
		" 'dead', 3, 9, 'boom', 5);"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	st = hark_store_open(path, NULL);
	assert_non_null(st);
	assert_true(hark_store_deliveries_list(st, false, &rows, NULL));
	assert_int_equal(rows->len, 1);
	d = rows->pdata[0];
	assert_string_equal(d->id, "old-1");
	assert_string_equal(d->rule, "acme");
	assert_string_equal(d->kind, "alert");
	assert_string_equal(d->state, "dead");
	assert_string_equal(d->last_error, "boom");
	assert_int_equal(d->attempts, 3);
	assert_int_equal(d->queued, 5);
	g_ptr_array_unref(rows);
	/* The new states work: suppress, then count nothing sent. */
	assert_true(hark_store_delivery_suppress(st, "old-1", "rate limited", 10, NULL));
	assert_true(hark_store_sent_count(st, "acme", "stdout", 0, &n, NULL));
	assert_int_equal(n, 0);
	hark_store_close(st);
	g_unlink(path);
	{
		char *wal = g_strconcat(path, "-wal", NULL), *shm = g_strconcat(path, "-shm", NULL);
		g_unlink(wal);
		g_unlink(shm);
		g_free(wal);
		g_free(shm);
	}
	g_rmdir(dir);
	g_free(path);
	g_free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signature_vector),
		cmocka_unit_test(retry_after),
		cmocka_unit_test(backoff),
		cmocka_unit_test(quiet_hours),
		cmocka_unit_test(bodies),
		cmocka_unit_test(desktop_body),
		cmocka_unit_test(config_keys),
		cmocka_unit_test(config_errors),
		cmocka_unit_test(migration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
