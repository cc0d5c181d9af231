/* test_poll.c - the polling policy of hark_poll_complete(): backoff with
 * jitter and its cap, Retry-After, 410, redirects, the unconditional
 * cycle and feed health alerts, on a real store (temporary SQLite file)
 * with transfer outcomes given as data. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/config.h"
#include "hark/poll.h"
#include "hark/store.h"

#include <glib/gstdio.h>
#include <string.h>

#define T0 1800000000

static const char RSS[] =
	"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>"
	"<item><title>one</title><guid>1</guid></item>"
	"<item><title>two</title><guid>2</guid></item></channel></rss>";

struct fx {
	char *dir;
	struct hark_store *st;
	struct hark_config *cfg;
	struct hark_ruleset *rs;
	struct hark_feed_conf *feed;
	struct hark_poll_opts o;
	struct hark_feed_state fs;
};

static int setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);
	char *path, *conf;
	struct hark_diags d;

	f->dir = g_dir_make_tmp("hark-poll-XXXXXX", NULL);
	path = g_build_filename(f->dir, "h.db", NULL);
	conf = g_build_filename(f->dir, "h.conf", NULL);
	assert_true(g_file_set_contents(conf,
		"[hark]\ninterval = 10m\nbackoff_max = 1h\nbroken_after = 30m\n"
		"unconditional_every = 3\n"
		"[feed a]\nurl = http://example.test/feed.xml\n"
		"[rule r]\nquery = one\n", -1, NULL));
	hark_diags_init(&d);
	f->cfg = hark_config_load(conf, &d, NULL);
	assert_non_null(f->cfg);
	assert_int_equal(hark_diags_count(&d), 0);
	f->rs = hark_ruleset_compile(f->cfg, &d);
	assert_non_null(f->rs);
	hark_diags_clear(&d);
	f->feed = f->cfg->feeds->pdata[0];
	hark_poll_opts_init(&f->o, f->cfg);
	f->st = hark_store_open(path, NULL);
	assert_non_null(f->st);
	assert_true(hark_store_feed_load(f->st, "a", f->feed->url, &f->fs, NULL));
	g_free(path);
	g_free(conf);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

	hark_feed_state_clear(&f->fs);
	hark_store_close(f->st);
	hark_ruleset_free(f->rs);
	hark_config_free(f->cfg);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* One poll at NOW answered with STATUS (0: transport error). */
static bool poll_with(struct fx *f, int64_t now, long status, const char *body,
		      long retry_after, const char *moved_to)
{
	struct hark_fetch_result res = {0};
	struct hark_poll_stats stats = {0};
	GError *fe = NULL, *err = NULL;
	bool ok;

	res.status = status;
	res.body = g_strdup(body ? body : "");
	res.len = strlen(res.body);
	res.retry_after_s = retry_after;
	res.retry_after = retry_after >= 0 ? g_strdup_printf("%ld", retry_after) : NULL;
	res.etag = status == 200 ? g_strdup("\"v1\"") : NULL;
	res.moved_to = g_strdup(moved_to);
	if (!status)
		fe = g_error_new_literal(g_quark_from_static_string("t"), 1,
					 "Connection refused");
	ok = hark_poll_complete(f->st, f->rs, &f->o, f->feed, &f->fs, now,
				status ? &res : NULL, fe, NULL, NULL, &stats, &err);
	assert_true(ok == (err == NULL));
	g_clear_error(&err);
	g_clear_error(&fe);
	hark_poll_stats_clear(&stats);
	hark_fetch_result_clear(&res);
	return ok;
}

static void reload(struct fx *f)
{
	hark_feed_state_clear(&f->fs);
	assert_true(hark_store_feed_load(f->st, "a", f->feed->url, &f->fs, NULL));
}

static void backoff_doubles_with_jitter_and_never_stops(void **state)
{
	struct fx *f = *state;
	int64_t now = T0;

	for (int n = 1; n <= 12; n++) {
		int64_t full = MIN((int64_t)600 << (n - 1), 3600), delay;

		assert_false(poll_with(f, now, 0, NULL, -1, NULL));
		reload(f);
		delay = f->fs.next_poll - now;
		assert_int_equal(f->fs.failures, n);
		/* Equal jitter: between half and all of the full delay. */
		assert_true(delay >= full / 2 && delay <= full);
		assert_string_equal(f->fs.last_error, "Connection refused");
		now += delay;
	}
	assert_true(poll_with(f, now, 200, RSS, -1, NULL));
	reload(f);
	assert_int_equal(f->fs.failures, 0);
	assert_null(f->fs.last_error);
	assert_int_equal(f->fs.items_seen, 2);
	/* The interval with +-10% jitter. */
	assert_true(f->fs.next_poll - now >= 540 && f->fs.next_poll - now <= 660);
}

static void retry_after_and_gone(void **state)
{
	struct fx *f = *state;

	assert_false(poll_with(f, T0, 429, "", 3000, NULL));
	reload(f);
	assert_int_equal(f->fs.next_poll, T0 + 3000);
	assert_int_equal(f->fs.last_status, 429);
	/* Beyond the cap: capped, not obeyed forever. */
	assert_false(poll_with(f, T0, 503, "", 99999, NULL));
	reload(f);
	assert_int_equal(f->fs.next_poll, T0 + 3600);
	/* 410: gone, polled at the cap, and back when it answers again. */
	assert_false(poll_with(f, T0, 410, "", -1, NULL));
	reload(f);
	assert_true(f->fs.gone);
	assert_int_equal(f->fs.next_poll, T0 + 3600);
	assert_true(poll_with(f, T0 + 3600, 200, RSS, -1, NULL));
	reload(f);
	assert_false(f->fs.gone);
}

static void permanent_redirect_moves_and_survives_reload(void **state)
{
	struct fx *f = *state;

	assert_true(poll_with(f, T0, 200, RSS, -1, "http://new.test/feed.xml"));
	reload(f);
	assert_string_equal(f->fs.url, "http://new.test/feed.xml");
	assert_true(f->fs.moved);
	assert_string_equal(f->fs.etag, "\"v1\"");
	/* The config did not change: the moved URL stays. */
	reload(f);
	assert_string_equal(f->fs.url, "http://new.test/feed.xml");
	/* The config changed: its URL wins, validators reset. */
	hark_feed_state_clear(&f->fs);
	assert_true(hark_store_feed_load(f->st, "a", "http://other.test/x", &f->fs, NULL));
	assert_string_equal(f->fs.url, "http://other.test/x");
	assert_false(f->fs.moved);
	assert_null(f->fs.etag);
}

static void unconditional_every_third_poll(void **state)
{
	struct fx *f = *state;
	struct hark_fetch_request req;
	gpointer h;
	bool sent[6];

	for (int i = 0; i < 6; i++) {
		h = hark_poll_request(&f->o, f->feed, &f->fs, T0 + i * 600, &req);
		sent[i] = req.etag != NULL;
		g_free(h);
		assert_true(poll_with(f, T0 + i * 600, i ? 304 : 200, RSS, -1, NULL));
		reload(f);
	}
	assert_false(sent[0]); /* nothing stored yet */
	assert_true(sent[1]);
	assert_true(sent[2]);
	assert_false(sent[3]);
	assert_true(sent[4]);
	assert_true(sent[5]);
}

static int count_health(struct fx *f, const char *state)
{
	GPtrArray *due = NULL;
	int n = 0;
	char *needle = g_strdup_printf("\"state\":\"%s\"", state);

	assert_true(hark_store_deliveries_due(f->st, INT64_MAX, 1000, &due, NULL));
	for (guint i = 0; i < due->len; i++) {
		const struct hark_delivery *d = due->pdata[i];
		if (strstr(d->payload, needle)) {
			assert_int_equal(d->hit_id, 0);
			assert_string_equal(d->channel, "stdout");
			n++;
		}
	}
	g_ptr_array_unref(due);
	g_free(needle);
	return n;
}

static void health_broken_once_then_recovered(void **state)
{
	struct fx *f = *state;
	int64_t now = T0;

	assert_true(poll_with(f, now, 200, RSS, -1, NULL));
	for (int i = 0; i < 6; i++) {
		now += 600;
		assert_false(poll_with(f, now, 500, "", -1, NULL));
		reload(f);
	}
	/* Failing since T0+600, broken after 30 min: one alert. */
	assert_string_equal(f->fs.health, "broken");
	assert_int_equal(count_health(f, "broken"), 1);
	assert_int_equal(count_health(f, "recovered"), 0);
	now += 600;
	assert_true(poll_with(f, now, 200, RSS, -1, NULL));
	reload(f);
	assert_string_equal(f->fs.health, "ok");
	assert_int_equal(count_health(f, "recovered"), 1);
	assert_int_equal(count_health(f, "broken"), 1);
}

/* Items published every 2 h: interval = auto settles on half that. */
static void auto_interval_follows_posting_rate(void **state)
{
	struct fx *f = *state;
	GString *rss = g_string_new("<?xml version=\"1.0\"?><rss version=\"2.0\">"
				    "<channel><title>t</title>");

	for (int i = 0; i < 6; i++)
		g_string_append_printf(rss, "<item><title>p%d</title><guid>g%d</guid>"
				       "<pubDate>Mon, 01 Jan 2024 %02d:00:00 +0000</pubDate>"
				       "</item>", i, i, 2 * i);
	g_string_append(rss, "</channel></rss>");
	f->feed->interval_auto = true;
	assert_true(poll_with(f, T0, 200, rss->str, -1, NULL));
	reload(f);
	assert_int_equal(f->fs.cur_interval, 3600);
	assert_true(f->fs.next_poll - T0 >= 3240 && f->fs.next_poll - T0 <= 3960);
	/* Bounded: a feed posting every 2 h with interval_max 30m. */
	f->feed->interval_max = 1800;
	assert_true(poll_with(f, T0 + 3600, 304, NULL, -1, NULL));
	reload(f);
	assert_int_equal(f->fs.cur_interval, 1800);
	g_string_free(rss, TRUE);
}

static void health_silent_then_recovered(void **state)
{
	struct fx *f = *state;

	f->feed->silent_after = 3600;
	assert_true(poll_with(f, T0, 200, RSS, -1, NULL));
	assert_true(poll_with(f, T0 + 1800, 304, NULL, -1, NULL));
	reload(f);
	assert_string_equal(f->fs.health, "ok");
	assert_true(poll_with(f, T0 + 4000, 304, NULL, -1, NULL));
	reload(f);
	assert_string_equal(f->fs.health, "silent");
	assert_int_equal(count_health(f, "silent"), 1);
	/* Still quiet: no second alert. */
	assert_true(poll_with(f, T0 + 5000, 200, RSS, -1, NULL));
	assert_int_equal(count_health(f, "silent"), 1);
	/* A new item: recovered. */
	assert_true(poll_with(f, T0 + 6000, 200,
			      "<rss version=\"2.0\"><channel><title>t</title>"
			      "<item><title>three</title><guid>3</guid></item>"
			      "</channel></rss>", -1, NULL));
	reload(f);
	assert_string_equal(f->fs.health, "ok");
	assert_int_equal(count_health(f, "recovered"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(backoff_doubles_with_jitter_and_never_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(retry_after_and_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(permanent_redirect_moves_and_survives_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(unconditional_every_third_poll, setup, teardown),
		cmocka_unit_test_setup_teardown(health_broken_once_then_recovered, setup, teardown),
		cmocka_unit_test_setup_teardown(auto_interval_follows_posting_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(health_silent_then_recovered, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
