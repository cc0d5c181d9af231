/* cmd_run.c - `hark run [-c FILE] [--once]`: the daemon.
 *
 * One GLib main loop: a timer fires when the next feed is due, polls every
 * due feed, flushes the outbox, and re-arms for the next due time, so an
 * idle daemon sleeps.  SIGINT/SIGTERM stop it between polls; SIGHUP
 * reloads the config (a bad config is reported and the old one kept).
 */
#include "commands.h"
#include "cmdutil.h"
#include "hark/error.h"
#include "hark/log.h"
#include "hark/outbox.h"
#include "hark/poll.h"
#include "hark/store.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

struct daemon {
	char *config_path;
	struct hark_config *cfg;
	struct hark_ruleset *rs;
	struct hark_store *st;
	struct hark_outbox *outbox;
	GMainLoop *loop;
	guint timer;
	int failures;         /* feeds that failed in the last cycle */
};

/* How long `run --once` waits for deliveries in flight. */
#define ONCE_DRAIN_MS 30000

static int64_t now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

/* Polls every feed whose next_poll has come (all of them when ALL), then
 * sends what the polls queued.  Returns the earliest next_poll. */
static int64_t poll_due(struct daemon *d, bool all)
{
	int64_t next = INT64_MAX;

	d->failures = 0;
	for (guint i = 0; i < d->cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = d->cfg->feeds->pdata[i];
		struct hark_feed_state fs;
		struct hark_poll_stats stats;
		GError *e = NULL;
		int64_t now = now_s();

		if (!hark_store_feed_load(d->st, f->name, f->url, &fs, &e)) {
			hark_error("%s", e->message);
			g_clear_error(&e);
			continue;
		}
		if (all || fs.next_poll <= now) {
			if (hark_poll_feed(d->st, d->rs, f, now, &stats, &e)) {
				hark_info("feed %s: %u items, %u new, %u hits%s", f->name,
					  stats.items, stats.new_items, stats.hits,
					  stats.not_modified ? " (not modified)" : "");
			} else {
				hark_warn("%s", e->message);
				g_clear_error(&e);
				d->failures++;
			}
			hark_feed_state_clear(&fs);
			if (!hark_store_feed_load(d->st, f->name, f->url, &fs, &e)) {
				hark_error("%s", e->message);
				g_clear_error(&e);
				continue;
			}
		}
		next = MIN(next, fs.next_poll);
		hark_feed_state_clear(&fs);
	}
	hark_outbox_kick(d->outbox);
	return next;
}

static gboolean on_timer(gpointer data);

static void arm(struct daemon *d, int64_t next)
{
	int64_t wait = next == INT64_MAX ? 3600 : next - now_s();

	if (wait < 1)
		wait = 1;
	d->timer = g_timeout_add_seconds((guint)MIN(wait, 3600), on_timer, d);
}

static gboolean on_timer(gpointer data)
{
	struct daemon *d = data;

	d->timer = 0;
	arm(d, poll_due(d, false));
	return G_SOURCE_REMOVE;
}

static gboolean on_stop(gpointer data)
{
	struct daemon *d = data;

	hark_info("stopping");
	g_main_loop_quit(d->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean on_reload(gpointer data)
{
	struct daemon *d = data;
	struct hark_diags diags;
	struct hark_config *cfg;
	struct hark_ruleset *rs;

	hark_diags_init(&diags);
	if (hark_cmd_load_config(d->config_path, &diags, &cfg, &rs) != HARK_EXIT_OK) {
		hark_error("reload failed; keeping the running config");
	} else {
		hark_outbox_set_config(d->outbox, cfg);
		hark_ruleset_free(d->rs);
		hark_config_free(d->cfg);
		d->cfg = cfg;
		d->rs = rs;
		hark_info("reloaded %s: %u feeds, %u rules", cfg->path,
			  cfg->feeds->len, cfg->rules->len);
		if (d->timer)
			g_source_remove(d->timer);
		arm(d, poll_due(d, false));
	}
	hark_diags_clear(&diags);
	return G_SOURCE_CONTINUE;
}

int cmd_run(int argc, char **argv)
{
	gboolean once = FALSE;
	char *config = NULL;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "config file", "FILE"},
		{"once", 0, 0, G_OPTION_ARG_NONE, &once,
		 "poll every feed once, send the alerts, and exit", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct daemon d = {0};
	struct hark_diags diags;
	GError *e = NULL;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries,
				    "- poll feeds, match rules, send alerts"))
		return HARK_EXIT_USER;
	if (argc > 1) {
		fprintf(stderr, "hark run: unexpected argument '%s'\n", argv[1]);
		g_free(config);
		return HARK_EXIT_USER;
	}
	hark_diags_init(&diags);
	status = hark_cmd_load_config(config, &diags, &d.cfg, &d.rs);
	hark_diags_clear(&diags);
	if (status != HARK_EXIT_OK) {
		g_free(config);
		return status;
	}
	d.config_path = g_strdup(d.cfg->path);
	d.st = hark_store_open(d.cfg->database, &e);
	if (!d.st) {
		hark_error("%s", e->message);
		g_error_free(e);
		status = HARK_EXIT_RUNTIME;
		goto out;
	}
	d.outbox = hark_outbox_new(d.st, d.cfg);
	if (once) {
		poll_due(&d, true);
		/* Send everything due before exiting, but never hang on a
		 * receiver: what is left stays queued for the next run. */
		if (!hark_outbox_drain(d.outbox, ONCE_DRAIN_MS))
			hark_warn("some deliveries are still in flight after %d s; "
				  "they stay queued (see hark outbox)", ONCE_DRAIN_MS / 1000);
		/* Exit 0 even when some feeds failed: their errors were logged
		 * and recorded, and the next run retries them. */
		goto out;
	}
	d.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGINT, on_stop, &d);
	g_unix_signal_add(SIGTERM, on_stop, &d);
	g_unix_signal_add(SIGHUP, on_reload, &d);
	hark_info("running: %u feeds, %u rules, database %s", d.cfg->feeds->len,
		  d.cfg->rules->len, d.cfg->database);
	arm(&d, poll_due(&d, false));
	g_main_loop_run(d.loop);
	g_main_loop_unref(d.loop);
out:
	hark_outbox_free(d.outbox);
	hark_store_close(d.st);
	hark_ruleset_free(d.rs);
	hark_config_free(d.cfg);
	g_free(d.config_path);
	g_free(config);
	return status;
}
