/* engine.c - scheduling feed polls on the main loop (see engine.h). */
#include "hark/engine.h"
#include "hark/curlmulti.h"
#include "hark/duration.h"
#include "hark/error.h"
#include "hark/fetch.h"
#include "hark/log.h"
#include "hark/poll.h"

#include <string.h>

/* How far ahead of its time a feed may be started to share a wake-up. */
#define COALESCE_S 2
/* --once: how far ahead of the next feed to record polls may run. */
#define ONCE_WINDOW(max_transfers) MAX(64, 2 * (guint)(max_transfers))
/* How many waiting feeds one pump looks through for a free host. */
#define PUMP_SCAN 512

/* A config and its rules, alive while the engine or a poll uses them. */
struct cfg_ref {
	struct hark_config *cfg;
	struct hark_ruleset *rs;
	struct hark_poll_opts opts;
	int refs;
};

struct slot {
	const struct hark_feed_conf *conf; /* in e->cur */
	struct hark_feed_state fs;
	char *host;
	bool busy;           /* a poll is running */
	bool queued;         /* in e->ready */
	bool removed;        /* dropped from the config while busy */
	bool reload;         /* the config changed while busy: reload state */
	guint index;         /* in e->slots */
};

struct job {
	struct hark_engine *e;
	struct slot *slot;
	struct cfg_ref *cref;
	const struct hark_feed_conf *conf;
	struct hark_fetch *fetch;
	gpointer headers;
	gint64 started_us;
	gint64 done_us;              /* transfer and parse over */
	/* After the transfer: */
	bool fetched;
	struct hark_fetch_result res;
	GError *fetch_err;
	struct hark_feed_doc *doc;   /* parsed on a worker */
	GError *parse_err;
};

struct hark_engine {
	struct hark_store *st;
	struct cfg_ref *cur;
	struct hark_engine_hooks hooks;
	struct hark_curlmulti *multi;
	GPtrArray *slots;        /* of struct slot*, config order */
	GHashTable *by_name;     /* name -> struct slot* (in slots) */
	GQueue ready;            /* of struct slot*, due, waiting for a slot */
	GHashTable *host_busy;   /* host -> running polls */
	guint running;
	guint timer;
	int64_t timer_at;        /* when the timer fires, 0: none */
	/* Parsing runs on worker threads; the results come back through
	 * a queue and a source woken with g_source_set_ready_time(). */
	GThreadPool *parsers;
	/* --once records polls in config order (deterministic runs): a poll
	 * that ends before an earlier feed's waits in held[] (its transfer
	 * slot already free), and only feeds within ONCE_WINDOW of the next
	 * one to record are started. */
	struct job **held;
	guint once_next;
	GAsyncQueue *parsed;     /* of struct job*, parsed */
	GSource *parsed_src;
	bool once, started, stopped;
	struct hark_engine_stats stats;
};

static int64_t now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static void cref_unref(struct cfg_ref *c)
{
	if (c && --c->refs == 0) {
		hark_ruleset_free(c->rs);
		hark_config_free(c->cfg);
		g_free(c);
	}
}

static struct cfg_ref *cref_new(struct hark_config *cfg, struct hark_ruleset *rs)
{
	struct cfg_ref *c = g_new0(struct cfg_ref, 1);

	c->cfg = cfg;
	c->rs = rs;
	c->refs = 1;
	hark_poll_opts_init(&c->opts, cfg);
	return c;
}

/* The per-host limit's key: scheme://host:port. */
static char *host_of(const char *url)
{
	GUri *u = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
	char *key;

	if (!u)
		return g_strdup("");
	key = g_strdup_printf("%s://%s:%d", g_uri_get_scheme(u),
			      g_uri_get_host(u) ? g_uri_get_host(u) : "",
			      g_uri_get_port(u));
	g_uri_unref(u);
	return key;
}

static void slot_free(struct slot *s)
{
	hark_feed_state_clear(&s->fs);
	g_free(s->host);
	g_free(s);
}

static void warn_insecure(const struct hark_config *cfg)
{
	for (guint i = 0; i < cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = cfg->feeds->pdata[i];
		if (!f->tls_verify)
			hark_warn("feed %s: TLS certificate verification is off "
				  "(tls_verify = no): anyone on the path can forge it",
				  f->name);
	}
}

/* (Re)loads every configured feed's state, in one transaction, and only
 * then swaps the slots: a store failure leaves the engine as it was. */
static bool load_slots(struct hark_engine *e, struct cfg_ref *c, GError **err)
{
	guint n = c->cfg->feeds->len;
	struct hark_feed_state *states = g_new0(struct hark_feed_state, n);
	GPtrArray *slots;
	GHashTable *by_name;
	bool ok = hark_store_begin(e->st, err);

	for (guint i = 0; ok && i < n; i++) {
		const struct hark_feed_conf *f = c->cfg->feeds->pdata[i];
		struct slot *old = e->by_name ? g_hash_table_lookup(e->by_name, f->name) : NULL;

		/* A running poll saves its own state; it is read again then. */
		if (!old || !old->busy)
			ok = hark_store_feed_load(e->st, f->name, f->url, &states[i], err);
	}
	if (ok)
		ok = hark_store_commit(e->st, err);
	if (!ok) {
		hark_store_rollback(e->st);
		for (guint i = 0; i < n; i++)
			hark_feed_state_clear(&states[i]);
		g_free(states);
		return false;
	}
	slots = g_ptr_array_new();
	by_name = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < n; i++) {
		const struct hark_feed_conf *f = c->cfg->feeds->pdata[i];
		struct slot *s = e->by_name ? g_hash_table_lookup(e->by_name, f->name) : NULL;

		if (!s)
			s = g_new0(struct slot, 1);
		if (s->busy) {
			s->reload = true;
		} else {
			hark_feed_state_clear(&s->fs);
			s->fs = states[i];
			g_free(s->host);
			s->host = host_of(s->fs.url);
		}
		g_ptr_array_add(slots, s);
		g_hash_table_insert(by_name, f->name, s);
	}
	g_free(states);
	/* Feeds no longer configured: forget them (a running poll keeps its
	 * slot until it ends). */
	for (guint i = 0; e->slots && i < e->slots->len; i++) {
		struct slot *s = e->slots->pdata[i];
		if (g_hash_table_lookup(by_name, s->conf->name) == s)
			continue;
		if (s->queued)
			g_queue_remove(&e->ready, s);
		if (s->busy)
			s->removed = true;
		else
			slot_free(s);
	}
	for (guint i = 0; i < n; i++) {
		((struct slot *)slots->pdata[i])->conf = c->cfg->feeds->pdata[i];
		((struct slot *)slots->pdata[i])->index = i;
	}
	if (e->slots)
		g_ptr_array_unref(e->slots);
	if (e->by_name)
		g_hash_table_unref(e->by_name);
	e->slots = slots;
	e->by_name = by_name;
	return true;
}

static guint host_running(struct hark_engine *e, const char *host)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(e->host_busy, host));
}

static void host_adjust(struct hark_engine *e, const char *host, int by)
{
	guint n = host_running(e, host) + (guint)by;

	if (n)
		g_hash_table_insert(e->host_busy, g_strdup(host), GUINT_TO_POINTER(n));
	else
		g_hash_table_remove(e->host_busy, host);
}

static void pump(struct hark_engine *e);
static void set_timer(struct hark_engine *e, int64_t at);

static void job_free(struct job *j)
{
	hark_fetch_result_clear(&j->res);
	g_clear_error(&j->fetch_err);
	hark_feed_doc_free(j->doc);
	g_clear_error(&j->parse_err);
	hark_fetch_free(j->fetch);
	g_free(j->headers);
	cref_unref(j->cref);
	g_free(j);
}

static void log_outcome(const struct job *j, const struct hark_poll_stats *st,
			bool ok, const GError *err, int64_t now)
{
	const struct hark_feed_state *fs = &j->slot->fs;
	long ms = (long)(((j->done_us ? j->done_us : g_get_monotonic_time()) -
			  j->started_us) / 1000);
	char when[32];

	hark_duration_format(MAX(fs->next_poll - now, 0), when, sizeof when);
	if (st->moved_to)
		hark_info("feed %s: moved permanently to %s; polling that URL from now on",
			  j->conf->name, st->moved_to);
	if (!ok) {
		hark_warn("%s; retry in %s (failure %d)", err ? err->message : "?",
			  when, fs->failures);
	} else if (st->not_modified) {
		hark_info("feed %s: not modified (%ld ms), next poll in %s",
			  j->conf->name, ms, when);
	} else {
		hark_info("feed %s: HTTP %ld%s, %u items, %u new, %u hits (%ld ms), "
			  "next poll in %s", j->conf->name, st->status,
			  st->unconditional ? " (unconditional)" : "", st->items,
			  st->new_items, st->hits, ms, when);
	}
}

/* Records a finished poll (main thread) and reschedules its feed. */
static void record_poll(struct job *j)
{
	struct hark_engine *e = j->e;
	struct slot *s = j->slot;
	struct hark_poll_stats stats = {0};
	GError *err = NULL;
	char *health_before;
	int64_t now = now_s();
	bool ok;

	health_before = g_strdup(s->fs.health);
	ok = hark_poll_complete(e->st, j->cref->rs, &j->cref->opts, j->conf, &s->fs,
				now, j->fetched ? &j->res : NULL, j->fetch_err,
				j->doc, j->parse_err, &stats, &err);
	j->doc = NULL; /* taken */
	e->stats.polls++;
	e->stats.failures += !ok;
	e->stats.not_modified += stats.not_modified;
	log_outcome(j, &stats, ok, err, now);
	if ((stats.hits || g_strcmp0(health_before, s->fs.health)) && e->hooks.alerts)
		e->hooks.alerts(e->hooks.user);
	g_free(health_before);
	g_clear_error(&err);
	hark_poll_stats_clear(&stats);
	job_free(j);

	if (s->removed) {
		slot_free(s);
		return;
	}
	if (s->reload) {
		struct hark_feed_state fs;
		GError *le = NULL;
		s->reload = false;
		if (hark_store_feed_load(e->st, s->conf->name, s->conf->url, &fs, &le)) {
			hark_feed_state_clear(&s->fs);
			s->fs = fs;
		} else {
			hark_error("%s", le->message);
			g_error_free(le);
		}
	}
	g_free(s->host);
	s->host = host_of(s->fs.url);
	if (!e->once && !e->stopped &&
	    (!e->timer_at || s->fs.next_poll < e->timer_at))
		set_timer(e, s->fs.next_poll);
}

/* J's transfer (and parse) is over: free its slot in the limits, then
 * record it, or with --once hold it until the feeds before it are. */
static void poll_over(struct job *j)
{
	struct hark_engine *e = j->e;
	struct slot *s = j->slot;

	j->done_us = g_get_monotonic_time();
	e->running--;
	host_adjust(e, s->host, -1);
	s->busy = false;
	if (!e->once) {
		record_poll(j);
		return;
	}
	e->held[s->index] = j;
	while (e->once_next < e->slots->len && e->held[e->once_next]) {
		struct job *h = e->held[e->once_next];
		e->held[e->once_next++] = NULL;
		record_poll(h);
	}
}

static void check_idle(struct hark_engine *e)
{
	if (!e->running && !e->ready.length && e->hooks.idle &&
	    (!e->once || e->once_next >= e->slots->len))
		e->hooks.idle(e->hooks.user);
}

static void finish_poll(struct job *j)
{
	struct hark_engine *e = j->e;

	poll_over(j);
	pump(e);
	if (e->hooks.polled)
		e->hooks.polled(e->hooks.user, e->running, e->ready.length);
	check_idle(e);
}

/* Dropped at shutdown: nothing recorded, the feed is polled next run. */
static void drop_poll(struct job *j)
{
	struct slot *s = j->slot;

	j->e->running--;
	host_adjust(j->e, s->host, -1);
	s->busy = false;
	job_free(j);
	if (s->removed)
		slot_free(s);
}

/* Worker thread: parse, hand back. */
static void parse_worker(gpointer data, gpointer pool_data)
{
	struct job *j = data;
	struct hark_engine *e = pool_data;

	j->doc = hark_poll_parse(j->conf, &j->res, &j->parse_err);
	if (!j->doc && !j->parse_err)
		j->parse_err = g_error_new_literal(HARK_ERROR, HARK_ERROR_USER,
						   "unreadable document");
	/* The document (or the error) is all the rest needs: the bytes can
	 * go now, which matters for polls waiting for their turn. */
	g_clear_pointer(&j->res.body, g_free);
	j->res.len = 0;
	g_async_queue_push(e->parsed, j);
	g_source_set_ready_time(e->parsed_src, 0);
}

static gboolean parsed_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	struct hark_engine *e = *(struct hark_engine **)(src + 1);
	struct job *j;

	(void)cb;
	(void)data;
	g_source_set_ready_time(src, -1);
	while ((j = g_async_queue_try_pop(e->parsed))) {
		if (e->stopped)
			drop_poll(j);
		else
			finish_poll(j);
	}
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs parsed_funcs = {
	.dispatch = parsed_dispatch,
};

static void on_done(CURL *easy, CURLcode rc, void *user)
{
	struct job *j = user;
	struct hark_engine *e = j->e;

	(void)easy;
	if (rc == CURLE_ABORTED_BY_CALLBACK && e->stopped) {
		drop_poll(j);
		return;
	}
	j->fetched = hark_fetch_finish(j->fetch, rc, &j->res, &j->fetch_err);
	/* The transfer is over: release the handle and its buffers now. */
	hark_fetch_free(j->fetch);
	j->fetch = NULL;
	if (j->fetched && hark_poll_wants_parse(&j->res) && e->parsers) {
		g_thread_pool_push(e->parsers, j, NULL);
		return;
	}
	finish_poll(j);
}

static void start_poll(struct hark_engine *e, struct slot *s)
{
	struct job *j = g_new0(struct job, 1);
	struct hark_fetch_request req;
	GError *err = NULL;

	j->e = e;
	j->slot = s;
	j->cref = e->cur;
	j->cref->refs++;
	j->conf = s->conf;
	j->started_us = g_get_monotonic_time();
	j->headers = hark_poll_request(&j->cref->opts, s->conf, &s->fs, now_s(), &req);
	j->fetch = hark_fetch_new(&req, &err);
	s->busy = true;
	e->running++;
	host_adjust(e, s->host, +1);
	e->stats.peak_transfers = MAX(e->stats.peak_transfers, e->running);
	if (!j->fetch) {
		/* Cannot even start: recorded as a failed poll.  No pump
		 * here: this runs inside one. */
		j->fetch_err = err;
		poll_over(j);
		return;
	}
	hark_curlmulti_add(e->multi, hark_fetch_handle(j->fetch), on_done, j);
}

/* Starts waiting feeds while the limits allow, oldest first. */
static void pump(struct hark_engine *e)
{
	const struct hark_config *cfg = e->cur->cfg;
	GList *l = e->ready.head;
	guint scanned = 0;

	while (l && !e->stopped && e->running < (guint)cfg->max_transfers &&
	       scanned++ < PUMP_SCAN) {
		GList *next = l->next;
		struct slot *s = l->data;

		/* --once: the queue is in config order. */
		if (e->once && s->index >= e->once_next + ONCE_WINDOW(cfg->max_transfers))
			break;
		if (host_running(e, s->host) < (guint)cfg->max_per_host) {
			g_queue_delete_link(&e->ready, l);
			s->queued = false;
			start_poll(e, s);
			scanned = 0;
		}
		l = next;
	}
}

/* Queues every due feed and returns the next due time (0: none). */
static int64_t collect_due(struct hark_engine *e, bool all)
{
	int64_t now = now_s(), next = 0;

	for (guint i = 0; i < e->slots->len; i++) {
		struct slot *s = e->slots->pdata[i];

		if (s->busy || s->queued)
			continue;
		if (all || s->fs.next_poll <= now + COALESCE_S) {
			s->queued = true;
			g_queue_push_tail(&e->ready, s);
		} else if (!next || s->fs.next_poll < next) {
			next = s->fs.next_poll;
		}
	}
	return next;
}

static void arm(struct hark_engine *e);

static gboolean on_timer(gpointer data)
{
	struct hark_engine *e = data;

	e->timer = 0;
	e->timer_at = 0;
	arm(e);
	return G_SOURCE_REMOVE;
}

/* Queues what is due, starts what the limits allow, and sleeps until the
 * next feed is due.  Seconds-granularity timeouts let GLib batch the
 * wake-ups with other sources. */
static void arm(struct hark_engine *e)
{
	int64_t next;

	if (e->stopped)
		return;
	next = collect_due(e, false);
	pump(e);
	set_timer(e, next);
}

/* One timer: the earliest next_poll of the feeds not running or waiting
 * (those are collected again when it fires).  AT 0: no timer. */
static void set_timer(struct hark_engine *e, int64_t at)
{
	int64_t wait;

	if (e->timer) {
		g_source_remove(e->timer);
		e->timer = 0;
		e->timer_at = 0;
	}
	if (!at)
		return;
	wait = CLAMP(at - now_s(), 1, 24 * 3600);
	e->timer_at = now_s() + wait;
	e->timer = g_timeout_add_seconds((guint)wait, on_timer, e);
}

struct hark_engine *hark_engine_new(struct hark_store *st, struct hark_config *cfg,
				    struct hark_ruleset *rs,
				    const struct hark_engine_hooks *hooks,
				    GError **err)
{
	struct hark_engine *e = g_new0(struct hark_engine, 1);

	e->st = st;
	if (hooks)
		e->hooks = *hooks;
	e->cur = cref_new(cfg, rs);
	g_queue_init(&e->ready);
	e->host_busy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (!load_slots(e, e->cur, err)) {
		hark_engine_free(e);
		return NULL;
	}
	warn_insecure(cfg);
	e->multi = hark_curlmulti_new(NULL, cfg->max_transfers, cfg->max_per_host);
	e->parsed = g_async_queue_new();
	e->parsed_src = g_source_new(&parsed_funcs, sizeof(GSource) + sizeof(e));
	*(struct hark_engine **)(e->parsed_src + 1) = e;
	g_source_set_name(e->parsed_src, "hark parsed feeds");
	g_source_attach(e->parsed_src, NULL);
	/* Parsing is most of a cold poll's CPU: one worker per core, the
	 * main thread keeps the network and the store. */
	e->parsers = g_thread_pool_new(parse_worker, e,
				       (gint)CLAMP(g_get_num_processors(), 1, 8),
				       FALSE, NULL);
	return e;
}

bool hark_engine_reload(struct hark_engine *e, struct hark_config *cfg,
			struct hark_ruleset *rs, GError **err)
{
	struct cfg_ref *c;

	if (e->once) {
		/* The run's order and its end are fixed at the start. */
		hark_ruleset_free(rs);
		hark_config_free(cfg);
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "no reload during a --once run");
		return false;
	}
	c = cref_new(cfg, rs);
	if (!load_slots(e, c, err)) {
		cref_unref(c);
		return false;
	}
	cref_unref(e->cur);
	e->cur = c;
	warn_insecure(cfg);
	/* The limits of running transfers cannot change under them; the new
	 * ones apply as the engine starts polls (pump) and to a new multi
	 * once the old one is idle. */
	if (!e->running) {
		hark_curlmulti_free(e->multi);
		e->multi = hark_curlmulti_new(NULL, cfg->max_transfers, cfg->max_per_host);
	}
	if (e->started && !e->once)
		arm(e);
	return true;
}

void hark_engine_start(struct hark_engine *e, bool once)
{
	e->started = true;
	e->once = once;
	if (once) {
		e->held = g_new0(struct job *, e->slots->len + 1);
		e->once_next = 0;
		collect_due(e, true);
		pump(e);
	} else {
		arm(e);
	}
	check_idle(e);
}

void hark_engine_stop(struct hark_engine *e)
{
	if (e->stopped)
		return;
	e->stopped = true;
	if (e->timer) {
		g_source_remove(e->timer);
		e->timer = 0;
	}
	while (g_queue_pop_head(&e->ready))
		;
	/* Aborts the running transfers: on_done drops each job. */
	hark_curlmulti_free(e->multi);
	e->multi = NULL;
	/* Parses under way end (at most max_transfers of them, milliseconds
	 * each); their jobs are dropped. */
	if (e->parsers) {
		struct job *j;

		g_thread_pool_free(e->parsers, FALSE, TRUE);
		e->parsers = NULL;
		while ((j = g_async_queue_try_pop(e->parsed)))
			drop_poll(j);
	}
	/* --once: polls done but waiting for their turn are not recorded. */
	for (guint i = 0; e->held && i < e->slots->len; i++) {
		if (e->held[i])
			job_free(e->held[i]);
		e->held[i] = NULL;
	}
}

guint hark_engine_busy(const struct hark_engine *e)
{
	return e->running + e->ready.length;
}

void hark_engine_get_stats(const struct hark_engine *e, struct hark_engine_stats *out)
{
	*out = e->stats;
}

void hark_engine_free(struct hark_engine *e)
{
	if (!e)
		return;
	hark_engine_stop(e);
	if (e->slots) {
		for (guint i = 0; i < e->slots->len; i++)
			slot_free(e->slots->pdata[i]);
		g_ptr_array_unref(e->slots);
	}
	if (e->by_name)
		g_hash_table_unref(e->by_name);
	g_hash_table_unref(e->host_busy);
	if (e->parsed_src) {
		g_source_destroy(e->parsed_src);
		g_source_unref(e->parsed_src);
	}
	if (e->parsed)
		g_async_queue_unref(e->parsed);
	g_free(e->held);
	cref_unref(e->cur);
	g_free(e);
}
