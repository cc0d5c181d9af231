/* cmd_run.c - `hark run [-c FILE] [--once]`: the daemon.
 *
 * One GLib main loop drives everything: the polling engine (engine.h:
 * libcurl multi on the loop's sockets, one timer for the next due feed,
 * so an idle daemon sleeps), the outbox (outbox.h: deliveries sent as
 * polls queue them, retries on their own timer), and the signals.  SIGINT/SIGTERM stop starting transfers, abort
 * the running ones (each poll writes its results in one transaction
 * after its transfer, so nothing is half-written) and exit at once;
 * SIGHUP reloads the config, keeping every feed's state (a bad config is
 * reported and the old one kept).  --once polls every feed once,
 * concurrently, sends the alerts (waiting at most ONCE_DRAIN_MS for the
 * receivers) and exits.
 */
#include "commands.h"
#include "cmdutil.h"
#include "hark/engine.h"
#include "hark/error.h"
#include "hark/log.h"
#include "hark/outbox.h"
#include "hark/poll.h"
#include "hark/progress.h"
#include "hark/retention.h"
#include "hark/runstate.h"
#include "hark/store.h"
#include "hark/web.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

struct daemon {
	char *config_path;
	struct hark_store *st;
	struct hark_outbox *outbox;
	struct hark_engine *engine;
	struct hark_web *web;      /* [web] listen=: the page, or NULL */
	GMainLoop *loop;
	struct hark_runstate *runstate;  /* NULL: --once beside a daemon */
	struct hark_progress *progress;  /* --once: feeds polled so far */
	unsigned polled;
	bool once;
	bool signalled;
	int64_t retention, hit_retention;  /* from the config, for pruning */
	guint maintain_idle;
};

/* How long `run --once` waits for deliveries in flight. */
#define ONCE_DRAIN_MS 30000

/* The outbox keeps its own copy of the config: the engine frees its
 * copy whenever its last poll is done with it. */
static struct hark_config *outbox_config(const char *path)
{
	struct hark_diags diags;
	struct hark_config *cfg;
	GError *e = NULL;

	hark_diags_init(&diags);
	cfg = hark_config_load(path, &diags, &e);
	if (cfg && hark_diags_count(&diags)) {
		hark_config_free(cfg);
		cfg = NULL;
	}
	if (e)
		g_error_free(e);
	hark_diags_clear(&diags);
	return cfg;
}

static int64_t now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

/* An idle moment: forget a little of what retention lets go. */
static gboolean maintain_now(gpointer data)
{
	struct daemon *d = data;

	d->maintain_idle = 0;
	hark_retention_run(d->st, d->retention, d->hit_retention, now_s(),
			   HARK_PRUNE_BUDGET_MS);
	return G_SOURCE_REMOVE;
}

static void maintain(struct daemon *d)
{
	if (!d->maintain_idle)
		d->maintain_idle = g_idle_add_full(G_PRIORITY_LOW, maintain_now, d, NULL);
}

/* Alerts were queued: the outbox sends them from an idle callback (a
 * burst of polls shares one look at the store). */
static void on_alerts(void *user)
{
	struct daemon *d = user;

	hark_outbox_kick(d->outbox);
	maintain(d);
}

static gboolean quit_loop(gpointer data)
{
	g_main_loop_quit(((struct daemon *)data)->loop);
	return G_SOURCE_REMOVE;
}

static void on_idle(void *user)
{
	struct daemon *d = user;

	maintain(d);
	hark_runstate_cycle_done(d->st, now_s());
	/* From a source: this may run before g_main_loop_run(). */
	if (d->once)
		g_idle_add_full(G_PRIORITY_LOW, quit_loop, d, NULL);
}

static void on_polled(void *user, unsigned running, unsigned queued)
{
	struct daemon *d = user;

	d->polled++;
	if (d->progress)
		hark_progress_update(d->progress, d->polled,
				     d->polled + running + queued);
}

static gboolean on_stop(gpointer data)
{
	struct daemon *d = data;

	hark_info("stopping");
	d->signalled = true;
	hark_engine_stop(d->engine);
	g_main_loop_quit(d->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean on_reload(gpointer data)
{
	struct daemon *d = data;
	struct hark_diags diags;
	struct hark_config *cfg;
	struct hark_ruleset *rs;
	GError *e = NULL;

	hark_diags_init(&diags);
	if (hark_cmd_load_config(d->config_path, &diags, &cfg, &rs) != HARK_EXIT_OK) {
		hark_error("reload failed; keeping the running config");
	} else {
		guint feeds = cfg->feeds->len, rules = cfg->rules->len;
		char *path = g_strdup(cfg->path);
		int64_t retention = cfg->retention, hit_retention = cfg->hit_retention;

		struct hark_config *ocfg = outbox_config(path);

		if (d->web && !hark_web_reload(d->web, &e)) {
			hark_error("web: %s", e->message);
			g_clear_error(&e);
		}
		if (ocfg && hark_engine_reload(d->engine, cfg, rs, &e)) {
			hark_outbox_set_config(d->outbox, ocfg);
			d->retention = retention;
			d->hit_retention = hit_retention;
			hark_info("reloaded %s: %u feeds, %u rules", path, feeds, rules);
		} else if (!ocfg) {
			hark_error("reload failed (the config changed while reading it); "
				   "keeping the running config");
			hark_ruleset_free(rs);
			hark_config_free(cfg);
		} else {
			hark_error("reload failed (%s); keeping the running config",
				   e->message);
			g_error_free(e);
			hark_config_free(ocfg);
		}
		g_free(path);
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
	struct hark_engine_hooks hooks = {on_alerts, on_idle, NULL, on_polled};
	struct hark_config *cfg = NULL;
	struct hark_ruleset *rs = NULL;
	guint sig[3], nfeeds, nrules;
	char *dbpath = NULL;
	pid_t holder;
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
	status = hark_cmd_config(config, &cfg, &rs);
	if (status != HARK_EXIT_OK) {
		g_free(config);
		return status;
	}
	/* One daemon per database; a --once run beside it goes ahead
	 * (it shares the store safely) without the lock. */
	d.runstate = hark_runstate_acquire(cfg->database, &holder, &e);
	if (!d.runstate) {
		if (!once || e->code != HARK_ERROR_USER) {
			hark_error("%s", e->message);
			status = e->code == HARK_ERROR_USER ? HARK_EXIT_USER
							    : HARK_EXIT_RUNTIME;
			g_error_free(e);
			hark_ruleset_free(rs);
			hark_config_free(cfg);
			g_free(config);
			return status;
		}
		g_clear_error(&e);
	}
	d.config_path = g_strdup(cfg->path);
	d.once = once;
	d.retention = cfg->retention;
	d.hit_retention = cfg->hit_retention;
	d.st = hark_store_open(cfg->database, &e);
	if (!d.st) {
		hark_error("%s", e->message);
		g_error_free(e);
		hark_ruleset_free(rs);
		hark_config_free(cfg);
		status = HARK_EXIT_RUNTIME;
		goto out;
	}
	{
		struct hark_config *ocfg = outbox_config(cfg->path);
		if (!ocfg) {
			hark_error("%s: the config changed while reading it", cfg->path);
			hark_ruleset_free(rs);
			hark_config_free(cfg);
			status = HARK_EXIT_RUNTIME;
			goto out;
		}
		d.outbox = hark_outbox_new(d.st, ocfg);
	}
	d.loop = g_main_loop_new(NULL, FALSE);
	hooks.user = &d;
	nfeeds = cfg->feeds->len;
	nrules = cfg->rules->len;
	dbpath = g_strdup(cfg->database);
	/* The page runs on threads of its own with its own store connection
	 * and config copy (web.h); read before the engine takes CFG. */
	if (!once && cfg->web_listen) {
		d.web = hark_web_start(cfg->path, cfg->web_listen, cfg->web_token, &e);
		if (!d.web) {
			hark_error("%s", e->message);
			g_error_free(e);
			hark_ruleset_free(rs);
			hark_config_free(cfg);
			status = HARK_EXIT_RUNTIME;
			goto out;
		}
		hark_info("web page on http://%s/ (port %u)", cfg->web_listen,
			  hark_web_port(d.web));
	}
	d.engine = hark_engine_new(d.st, cfg, rs, &hooks, &e);
	if (!d.engine) {
		hark_error("%s", e->message);
		g_error_free(e);
		status = HARK_EXIT_RUNTIME;
		goto out;
	}
	sig[0] = g_unix_signal_add(SIGINT, on_stop, &d);
	sig[1] = g_unix_signal_add(SIGTERM, on_stop, &d);
	sig[2] = g_unix_signal_add(SIGHUP, on_reload, &d);
	if (!once)
		hark_info("running: %u feeds, %u rules, database %s", nfeeds, nrules,
			  dbpath);
	/* The first poll of hundreds of feeds takes a while: show it. */
	if (once)
		d.progress = hark_progress_new("polling feeds");
	hark_engine_start(d.engine, once);
	g_main_loop_run(d.loop);
	hark_progress_end(d.progress);
	d.progress = NULL;
	for (int i = 0; i < 3; i++)
		g_source_remove(sig[i]);
	hark_engine_stop(d.engine);
	/* --once: send everything due before exiting, but never hang on a
	 * receiver; what is left stays queued for the next run.  Not after a
	 * signal: the outbox is on disk and the next start sends it. */
	if (once && !d.signalled && !hark_outbox_drain(d.outbox, ONCE_DRAIN_MS))
		hark_warn("some deliveries are still in flight after %d s; "
			  "they stay queued (see hark outbox)", ONCE_DRAIN_MS / 1000);
	if (d.maintain_idle)
		g_source_remove(d.maintain_idle);
	if (!d.signalled)
		hark_retention_run(d.st, d.retention, d.hit_retention, now_s(),
				   HARK_PRUNE_BUDGET_MS);
	/* Exit 0 even when some feeds failed: their errors were logged and
	 * recorded, and the next run retries them. */
out:
	hark_web_stop(d.web);
	hark_engine_free(d.engine);
	if (d.loop)
		g_main_loop_unref(d.loop);
	hark_outbox_free(d.outbox);
	hark_store_close(d.st);
	hark_runstate_release(d.runstate);
	g_free(d.config_path);
	g_free(dbpath);
	g_free(config);
	return status;
}
