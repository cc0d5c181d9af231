/* outbox.c - the delivery engine: due rows in, channel attempts out.
 *
 * Due rows are loaded in batches into one FIFO per ordering key (channel
 * and rule); a key has at most one delivery in flight, and its queue is
 * dropped from memory as soon as one of its deliveries fails, so that
 * nothing overtakes the failed one: the store reports the key as blocked
 * until that delivery is sent or dead.
 */
#include "hark/outbox.h"
#include "hark/alert.h"
#include "hark/curlmulti.h"
#include "hark/error.h"
#include "hark/log.h"
#include "hark/notify.h"
#include "hark/webhook.h"

#include <gio/gio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#define LOAD_BATCH 500
#define MAX_INFLIGHT 32
#define MAX_PER_HOST 8
#define BACKOFF_CAP 3600
#define RETRY_AFTER_CAP (6 * 3600)
#define SPIKE_EVERY 60         /* seconds between spike checks */
#define PUMP_BUDGET_US 5000    /* one idle callback's share of the loop */
#define SPIKE_HOURS (7 * 24)
#define EXEC_OUTPUT_KEEP 200
/* The built-in channels' retry policy. */
#define BUILTIN_RETRY_BASE 30
#define BUILTIN_MAX_ATTEMPTS 12
#define BUILTIN_MAX_AGE 86400

struct hark_outbox {
	struct hark_store *st;
	struct hark_config *cfg;          /* owned */
	struct hark_curlmulti *multi;
	struct hark_notifier *notifier;
	GHashTable *queues;     /* key -> GQueue of struct hark_delivery* */
	GHashTable *loaded;     /* delivery id (owned by the row) -> 1 */
	GHashTable *inflight;   /* key -> 1, keys with a delivery in flight */
	GHashTable *flights;    /* struct flight* in flight */
	guint n_inflight;
	guint idle;
	guint timer;
	bool reload;            /* start a new sweep of the store */
	bool due_left;          /* the sweep has more rows after cursor */
	int64_t cursor;         /* seq the sweep reached */
	guint sweep_loaded;     /* rows the current sweep queued */
	bool closing;
	bool desktop_warned;
	int64_t last_spike_check;
	struct hark_outbox_stats stats;
};

/* One delivery in flight. */
struct flight {
	struct hark_outbox *ob;
	struct hark_delivery *d;
	char *key;
	/* exec */
	GSubprocess *proc;
	GCancellable *cancel;
	guint exec_timer;
	bool timed_out;
};

static int64_t now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static void pump(struct hark_outbox *ob);

static gboolean on_idle(gpointer data)
{
	struct hark_outbox *ob = data;

	ob->idle = 0;
	pump(ob);
	return G_SOURCE_REMOVE;
}

/* Low priority, like the engine's own bookkeeping: transfers and
 * timers of the polling engine always go first. */
static void schedule(struct hark_outbox *ob)
{
	if (!ob->idle && !ob->closing)
		ob->idle = g_idle_add_full(G_PRIORITY_LOW, on_idle, ob, NULL);
}

void hark_outbox_kick(struct hark_outbox *ob)
{
	ob->reload = true;
	schedule(ob);
}

static gboolean on_timer(gpointer data)
{
	struct hark_outbox *ob = data;

	ob->timer = 0;
	hark_outbox_kick(ob);
	return G_SOURCE_REMOVE;
}

int64_t hark_backoff_delay(int64_t base, int attempts, int64_t cap)
{
	int64_t d = MAX(base, 1);

	for (int i = 1; i < attempts && d < cap; i++)
		d *= 2;
	return MIN(d, cap);
}

bool hark_quiet_hours_at(const struct hark_quiet_hours *q, int64_t now, int64_t *end)
{
	GTimeZone *tz;
	GDateTime *utc, *local, *midnight, *stop;
	int minute;
	bool inside;

	if (!q->set)
		return false;
	tz = q->tz ? g_time_zone_new_identifier(q->tz) : NULL;
	if (!tz)
		tz = g_time_zone_new_local();
	utc = g_date_time_new_from_unix_utc(now);
	local = g_date_time_to_timezone(utc, tz);
	minute = g_date_time_get_hour(local) * 60 + g_date_time_get_minute(local);
	inside = q->start < q->end ? minute >= q->start && minute < q->end
				   : minute >= q->start || minute < q->end;
	if (inside) {
		midnight = g_date_time_new(tz, g_date_time_get_year(local),
					   g_date_time_get_month(local),
					   g_date_time_get_day_of_month(local), 0, 0, 0);
		/* Past midnight inside a wrapping window ends today; else
		 * tomorrow.  Adding local hours keeps DST days right. */
		stop = g_date_time_add_full(midnight, 0, 0,
					    minute < q->end ? 0 : 1,
					    q->end / 60, q->end % 60, 0);
		*end = g_date_time_to_unix(stop);
		g_date_time_unref(stop);
		g_date_time_unref(midnight);
	}
	g_date_time_unref(local);
	g_date_time_unref(utc);
	g_time_zone_unref(tz);
	return inside;
}

/* The retry policy of a channel. */
static void retry_policy(const struct hark_outbox *ob, const char *channel,
			 int64_t *base, int64_t *cap, int64_t *max_attempts,
			 int64_t *max_age)
{
	const struct hark_channel_conf *c = hark_config_channel(ob->cfg, channel);

	*base = c ? c->retry_base : BUILTIN_RETRY_BASE;
	*cap = c ? c->retry_max : BACKOFF_CAP;
	*max_attempts = c ? c->max_attempts : BUILTIN_MAX_ATTEMPTS;
	*max_age = c ? c->max_age : BUILTIN_MAX_AGE;
}

static void log_error(GError **e)
{
	hark_error("%s", (*e)->message);
	g_clear_error(e);
}

/* Forgets the in-memory queue of KEY (its rows stay in the store). */
static void unload_key(struct hark_outbox *ob, const char *key)
{
	GQueue *q = g_hash_table_lookup(ob->queues, key);
	struct hark_delivery *d;

	if (!q)
		return;
	while ((d = g_queue_pop_head(q))) {
		g_hash_table_remove(ob->loaded, d->id);
		hark_delivery_free(d);
	}
	g_hash_table_remove(ob->queues, key);
}

static void flight_free(struct flight *f)
{
	if (f->exec_timer)
		g_source_remove(f->exec_timer);
	if (f->proc)
		g_object_unref(f->proc);
	if (f->cancel)
		g_object_unref(f->cancel);
	if (f->ob) {
		g_hash_table_remove(f->ob->loaded, f->d->id);
		g_hash_table_remove(f->ob->flights, f);
	}
	hark_delivery_free(f->d);
	g_free(f->key);
	g_free(f);
}

/* Records how the attempt of F ended, and lets its key move on. */
static void on_attempt_done(struct hark_outbox *ob, struct flight *f,
			    struct hark_attempt *a);

static void on_attempt(struct hark_attempt *a, void *user)
{
	struct flight *f = user;
	struct hark_outbox *ob = f->ob;

	if (!ob || ob->closing) {
		/* Aborted by hark_outbox_free: the row stays pending. */
		flight_free(f);
		return;
	}
	on_attempt_done(ob, f, a);
}

static void on_attempt_done(struct hark_outbox *ob, struct flight *f,
			    struct hark_attempt *a)
{
	const struct hark_delivery *d = f->d;
	int64_t now = now_s();
	GError *e = NULL;

	if (a->ok) {
		ob->stats.sent++;
		if (!hark_store_delivery_done(ob->st, d->id, now, &e))
			log_error(&e);
		hark_debug("delivery %s sent to %s", d->id, d->channel);
	} else {
		int64_t base, cap, max_attempts, max_age, delay;
		int attempts = d->attempts + 1;
		bool desktop_off = a->permanent && !strcmp(d->channel, "desktop");
		bool dead;

		retry_policy(ob, d->channel, &base, &cap, &max_attempts, &max_age);
		if (a->retry_after >= 0) {
			delay = MIN(MAX(a->retry_after, 1), RETRY_AFTER_CAP);
		} else {
			delay = hark_backoff_delay(base, attempts, cap);
			/* Jitter, so that receivers coming back are not hit
			 * by every sender at the same second. */
			delay += (int64_t)(g_random_double() * (double)delay * 0.5);
			delay = MIN(delay, cap);
		}
		dead = a->permanent || attempts >= max_attempts ||
		       now + delay - d->queued > max_age;
		ob->stats.failed++;
		if (dead)
			ob->stats.dead++;
		/* One warning for a missing notification server, not one per
		 * alert: the alerts stay in history either way. */
		if (!desktop_off || !ob->desktop_warned)
			hark_warn("delivery %s: %s%s", d->id, a->error ? a->error : "failed",
				  desktop_off ? "; desktop alerts are kept in history only"
				  : dead ? "; giving up (dead-letter; see hark outbox)"
				  : "; will retry");
		ob->desktop_warned |= desktop_off;
		if (!hark_store_delivery_failed(ob->st, d->id, a->error ? a->error : "failed",
						now + delay, dead, &e))
			log_error(&e);
		/* Later deliveries of the key must not overtake this one. */
		if (!dead)
			unload_key(ob, f->key);
		ob->reload = true;
	}
	g_hash_table_remove(ob->inflight, f->key);
	ob->n_inflight--;
	flight_free(f);
	schedule(ob);
}

static void attempt_now(struct flight *f, bool ok, bool permanent, char *error)
{
	struct hark_attempt a = {.ok = ok, .permanent = permanent, .retry_after = -1,
				 .error = error};

	on_attempt(&a, f);
	g_free(error);
}

static void exec_outcome(struct flight *f, GSubprocess *p, GBytes *err_out);

/* The command closed its stdin early: its exit status decides. */
static void on_exec_waited(GObject *src, GAsyncResult *res, gpointer data)
{
	struct flight *f = data;
	GError *e = NULL;

	if (!g_subprocess_wait_finish(G_SUBPROCESS(src), res, &e)) {
		char *why = g_strdup_printf("exec %s: %s", f->d->channel,
					    f->timed_out ? "timed out" : e->message);
		g_error_free(e);
		attempt_now(f, false, false, why);
		return;
	}
	exec_outcome(f, G_SUBPROCESS(src), NULL);
}

/* exec: the alert (with its delivery id) on the command's stdin. */
static void on_exec_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct flight *f = data;
	GBytes *err_out = NULL;
	GError *e = NULL;
	char *why = NULL;

	if (!g_subprocess_communicate_finish(G_SUBPROCESS(src), res, NULL, &err_out, &e)) {
		if (g_error_matches(e, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) && !f->timed_out) {
			g_error_free(e);
			g_subprocess_wait_async(G_SUBPROCESS(src), f->cancel, on_exec_waited, f);
			return;
		}
		if (f->timed_out)
			why = g_strdup_printf("exec %s: timed out", f->d->channel);
		else
			why = g_strdup_printf("exec %s: %s", f->d->channel, e->message);
		g_error_free(e);
		g_subprocess_force_exit(G_SUBPROCESS(src));
		attempt_now(f, false, false, why);
		return;
	}
	exec_outcome(f, G_SUBPROCESS(src), err_out);
	if (err_out)
		g_bytes_unref(err_out);
}

static void exec_outcome(struct flight *f, GSubprocess *src, GBytes *err_out)
{
	char *why = NULL;

	if (!g_subprocess_get_successful(G_SUBPROCESS(src))) {
		gsize len = 0;
		const char *p = err_out ? g_bytes_get_data(err_out, &len) : NULL;
		char *ex = g_utf8_make_valid(p ? p : "", (gssize)MIN(len, EXEC_OUTPUT_KEEP));
		g_strstrip(g_strdelimit(ex, "\r\n\t", ' '));
		if (g_subprocess_get_if_exited(G_SUBPROCESS(src)))
			why = g_strdup_printf("exec %s: exit status %d%s%s", f->d->channel,
					      g_subprocess_get_exit_status(G_SUBPROCESS(src)),
					      *ex ? ": " : "", ex);
		else
			why = g_strdup_printf("exec %s: killed by signal %d", f->d->channel,
					      g_subprocess_get_term_sig(G_SUBPROCESS(src)));
		g_free(ex);
	}
	attempt_now(f, why == NULL, false, why);
}

static gboolean on_exec_timeout(gpointer data)
{
	struct flight *f = data;

	f->exec_timer = 0;
	f->timed_out = true;
	g_subprocess_force_exit(f->proc);
	g_cancellable_cancel(f->cancel);
	return G_SOURCE_REMOVE;
}

static void send_exec(struct flight *f, const struct hark_channel_conf *c)
{
	GSubprocessLauncher *l = g_subprocess_launcher_new(
		G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
		G_SUBPROCESS_FLAGS_STDERR_PIPE);
	char *line = hark_alert_with_id(f->d->payload, f->d->id);
	char *text = g_strconcat(line, "\n", NULL);
	GBytes *in;
	GError *e = NULL;

	g_subprocess_launcher_setenv(l, "HARK_DELIVERY_ID", f->d->id, TRUE);
	g_subprocess_launcher_setenv(l, "HARK_RULE", f->d->rule ? f->d->rule : "", TRUE);
	g_subprocess_launcher_setenv(l, "HARK_KIND", f->d->kind ? f->d->kind : "alert", TRUE);
	f->proc = g_subprocess_launcher_spawn(l, &e, "/bin/sh", "-c", c->command, NULL);
	g_object_unref(l);
	g_free(line);
	if (!f->proc) {
		char *why = g_strdup_printf("exec %s: %s", c->name, e->message);
		g_error_free(e);
		g_free(text);
		attempt_now(f, false, false, why);
		return;
	}
	f->cancel = g_cancellable_new();
	f->exec_timer = g_timeout_add_seconds((guint)MIN(c->timeout, 86400),
					      on_exec_timeout, f);
	in = g_bytes_new_take(text, strlen(text));
	g_subprocess_communicate_async(f->proc, in, f->cancel, on_exec_done, f);
	g_bytes_unref(in);
}

static void dispatch(struct hark_outbox *ob, struct flight *f)
{
	const struct hark_delivery *d = f->d;
	const struct hark_channel_conf *c;

	if (!strcmp(d->channel, "stdout")) {
		char *line = hark_alert_with_id(d->payload, d->id);
		bool ok = puts(line) >= 0 && fflush(stdout) == 0;
		g_free(line);
		attempt_now(f, ok, false, ok ? NULL : g_strdup("writing to stdout failed"));
		return;
	}
	if (!strcmp(d->channel, "console")) {
		JsonNode *n = hark_alert_parse(d->payload);
		char *text = n ? hark_alert_text(json_node_get_object(n)) : NULL;
		bool ok = text && puts(text) >= 0 && fflush(stdout) == 0;
		g_free(text);
		if (n)
			json_node_unref(n);
		attempt_now(f, ok, !n, ok ? NULL : g_strdup(n ? "writing to stdout failed"
							     : "corrupt payload"));
		return;
	}
	if (!strcmp(d->channel, "desktop")) {
		hark_notifier_send(ob->notifier, d->rule ? hark_config_rule(ob->cfg, d->rule)
				   : NULL, d->payload, now_s(), on_attempt, f);
		return;
	}
	c = hark_config_channel(ob->cfg, d->channel);
	if (!c) {
		/* The channel left the config: keep the row for when it
		 * comes back, or for `hark outbox`. */
		attempt_now(f, false, false,
			    g_strdup_printf("channel '%s' is not in the config", d->channel));
		return;
	}
	if (c->kind == HARK_CHANNEL_WEBHOOK) {
		/* Created on first use: no webhook, no multi. */
		if (!ob->multi)
			ob->multi = hark_curlmulti_new(NULL, MAX_INFLIGHT, MAX_PER_HOST);
		hark_webhook_send(ob->multi, c, d, now_s(), on_attempt, f);
	} else {
		send_exec(f, c);
	}
}

/* Folds the pending alerts of D's rule and channel from D's window (and
 * any earlier one) into one digest.  Returns false when there was only
 * D, which is then sent as it is. */
static bool make_digest(struct hark_outbox *ob, const struct hark_delivery *d,
			int64_t window_end, int64_t digest, const char *key)
{
	GPtrArray *rows = NULL, *payloads;
	GError *e = NULL;
	char *payload;
	bool ok;

	if (!hark_store_deliveries_digest(ob->st, d->rule, d->channel, window_end, &rows, &e)) {
		log_error(&e);
		return false;
	}
	if (rows->len < 2) {
		g_ptr_array_unref(rows);
		return false;
	}
	payloads = g_ptr_array_new();
	for (guint i = 0; i < rows->len; i++)
		g_ptr_array_add(payloads, ((struct hark_delivery *)rows->pdata[i])->payload);
	payload = hark_alert_digest_payload(d->rule, payloads, window_end - digest, window_end);
	ok = hark_store_digest_replace(ob->st, rows, d->rule, d->channel, payload, now_s(),
				       NULL, &e);
	if (!ok)
		log_error(&e);
	else
		ob->stats.digests++;
	g_free(payload);
	g_ptr_array_unref(payloads);
	g_ptr_array_unref(rows);
	unload_key(ob, key);
	ob->reload = true;
	return true;
}

enum verdict { SEND, HELD, DONE_HERE };

/* Mutes, quiet hours, digests and rate limits, for due delivery D.
 * HELD: D waits until *UNTIL. */
static enum verdict policies(struct hark_outbox *ob, const struct hark_delivery *d,
			     const char *key, int64_t now, int64_t *until_out)
{
	const struct hark_rule_conf *r = d->rule ? hark_config_rule(ob->cfg, d->rule) : NULL;
	bool desktop = !strcmp(d->channel, "desktop");
	bool remote = hark_config_channel(ob->cfg, d->channel) != NULL;
	bool alert = !d->kind || !strcmp(d->kind, "alert");
	GError *e = NULL;
	int64_t until;

	if (!r)
		return SEND;
	if (desktop) {
		if (!hark_store_muted_until(ob->st, r->name, &until, &e))
			log_error(&e);
		else if (until > now) {
			ob->stats.suppressed++;
			if (!hark_store_delivery_suppress(ob->st, d->id, "rule muted from the desktop",
							  now, &e))
				log_error(&e);
			return DONE_HERE;
		}
	}
	if ((desktop || (remote && r->quiet_hours_webhooks)) &&
	    hark_quiet_hours_at(&r->quiet_hours, now, &until)) {
		*until_out = until;
		return HELD;
	}
	if (alert && r->digest > 0) {
		int64_t end = (d->created / r->digest + 1) * r->digest;
		if (now < end) {
			*until_out = end;
			return HELD;
		}
		if (make_digest(ob, d, end, r->digest, key))
			return DONE_HERE;
	}
	if (alert && r->rate_limit.count) {
		int64_t n = 0;
		if (!hark_store_sent_count(ob->st, r->name, d->channel, now - r->rate_limit.per,
					   &n, &e))
			log_error(&e);
		else if (n >= r->rate_limit.count) {
			ob->stats.suppressed++;
			if (!hark_store_delivery_suppress(ob->st, d->id, "rate limited", now, &e))
				log_error(&e);
			return DONE_HERE;
		}
	}
	return SEND;
}

/* Spike alerts: a rule whose last hour beats its trailing 7-day hourly
 * mean by spike_k standard deviations raises one "spike" message per
 * channel, once per clock hour. */
static void check_spikes(struct hark_outbox *ob, int64_t now)
{
	int64_t counts[SPIKE_HOURS + 1];

	if (now - ob->last_spike_check < SPIKE_EVERY)
		return;
	ob->last_spike_check = now;
	for (guint i = 0; i < ob->cfg->rules->len; i++) {
		const struct hark_rule_conf *r = ob->cfg->rules->pdata[i];
		double mean = 0, var = 0, sd;
		GError *e = NULL;
		bool claimed;

		if (r->spike_k <= 0)
			continue;
		if (!hark_store_hit_hours(ob->st, r->name, now + 1, SPIKE_HOURS + 1, counts, &e)) {
			log_error(&e);
			continue;
		}
		for (int h = 1; h <= SPIKE_HOURS; h++)
			mean += (double)counts[h];
		mean /= SPIKE_HOURS;
		for (int h = 1; h <= SPIKE_HOURS; h++)
			var += ((double)counts[h] - mean) * ((double)counts[h] - mean);
		sd = sqrt(var / SPIKE_HOURS);
		if (counts[0] < r->spike_min || (double)counts[0] <= mean + r->spike_k * sd)
			continue;
		if (!hark_store_spike_claim(ob->st, r->name, now / 3600, &claimed, &e)) {
			log_error(&e);
			continue;
		}
		if (!claimed)
			continue;
		char *payload = hark_alert_spike_payload(r->name, now, counts[0], mean, sd,
							 r->spike_k);
		hark_info("rule %s: spike, %" G_GINT64_FORMAT " hits in the last hour "
			  "(mean %.2f, sd %.2f)", r->name, counts[0], mean, sd);
		for (guint c = 0; c < r->alert->len; c++)
			if (!hark_store_delivery_add_message(ob->st, r->name, "spike",
							     r->alert->pdata[c], payload, now,
							     NULL, &e))
				log_error(&e);
		ob->stats.spikes++;
		ob->reload = true;
		g_free(payload);
	}
}

/* Loads due rows that are not loaded yet into their keys' queues. */
static void load(struct hark_outbox *ob, int64_t now)
{
	GPtrArray *due = NULL;
	GHashTable *blocked = NULL;
	GError *e = NULL;

	/* A sweep reads the due rows in queue order, a batch at a time,
	 * skipping those behind a failed delivery of their key; a new one
	 * starts whenever something may have changed (new rows, a retry
	 * coming due, a failure). */
	if (ob->reload) {
		ob->cursor = 0;
		ob->sweep_loaded = 0;
		ob->reload = false;
	}
	if (!hark_store_deliveries_blocked(ob->st, now, &blocked, &e) ||
	    !hark_store_deliveries_due_after(ob->st, now, ob->cursor, LOAD_BATCH, &due, &e)) {
		log_error(&e);
		if (blocked)
			g_hash_table_unref(blocked);
		return;
	}
	ob->due_left = due->len >= LOAD_BATCH;
	if (due->len)
		ob->cursor = ((struct hark_delivery *)due->pdata[due->len - 1])->seq;
	for (guint i = 0; i < due->len; i++) {
		struct hark_delivery *d = due->pdata[i];
		char *key;
		int64_t *first_failed;
		GQueue *q;

		if (g_hash_table_contains(ob->loaded, d->id))
			continue;
		key = hark_delivery_key(d->channel, d->rule);
		first_failed = g_hash_table_lookup(blocked, key);
		if (first_failed && *first_failed < d->seq) {
			g_free(key);
			continue;
		}
		q = g_hash_table_lookup(ob->queues, key);
		if (!q) {
			q = g_queue_new();
			g_hash_table_insert(ob->queues, g_strdup(key), q);
		}
		due->pdata[i] = NULL;
		ob->sweep_loaded++;
		g_hash_table_add(ob->loaded, d->id);
		g_queue_push_tail(q, d);
		g_free(key);
	}
	g_hash_table_unref(blocked);
	g_ptr_array_unref(due);
}

static void arm_timer(struct hark_outbox *ob, int64_t now)
{
	int64_t next;
	GError *e = NULL;

	if (ob->timer) {
		g_source_remove(ob->timer);
		ob->timer = 0;
	}
	if (!hark_store_next_due(ob->st, &next, &e)) {
		log_error(&e);
		next = now + 60;
	}
	for (guint i = 0; i < ob->cfg->rules->len; i++)
		if (((struct hark_rule_conf *)ob->cfg->rules->pdata[i])->spike_k > 0)
			next = MIN(next, ob->last_spike_check + SPIKE_EVERY);
	if (next == INT64_MAX)
		return;
	ob->timer = g_timeout_add_seconds((guint)CLAMP(next - now, 1, 3600), on_timer, ob);
}

/* Starts every delivery that may go now. */
static void pump(struct hark_outbox *ob)
{
	int64_t now = now_s();
	int64_t stop = g_get_monotonic_time() + PUMP_BUDGET_US;
	bool progress = true;

	if (ob->closing)
		return;
	check_spikes(ob, now);
	if (ob->reload || (ob->due_left && g_hash_table_size(ob->queues) == 0))
		load(ob, now);
	while (progress && ob->n_inflight < MAX_INFLIGHT) {
		GHashTableIter it;
		gpointer k, v;
		GPtrArray *ready;

		/* Synchronous channels (stdout, console) and the store writes
		 * add up: past the budget, yield to the loop and go on from
		 * the next idle callback. */
		if (g_get_monotonic_time() > stop) {
			schedule(ob);
			return;
		}
		ready = g_ptr_array_new_with_free_func(g_free);
		progress = false;
		g_hash_table_iter_init(&it, ob->queues);
		while (g_hash_table_iter_next(&it, &k, &v))
			if (!g_hash_table_contains(ob->inflight, k))
				g_ptr_array_add(ready, g_strdup(k));
		for (guint i = 0; i < ready->len && ob->n_inflight < MAX_INFLIGHT; i++) {
			const char *key = ready->pdata[i];
			GQueue *q = g_hash_table_lookup(ob->queues, key);
			struct hark_delivery *d;
			struct flight *f;
			int64_t until = 0;
			GError *e = NULL;

			if (!q || g_hash_table_contains(ob->inflight, key))
				continue;
			d = g_queue_pop_head(q);
			if (g_queue_is_empty(q))
				g_hash_table_remove(ob->queues, key);
			switch (policies(ob, d, key, now, &until)) {
			case HELD:
				/* Everything after it in the key waits too (a
				 * later digest window is re-held when due). */
				if (!hark_store_delivery_defer(ob->st, d->id, until, &e))
					log_error(&e);
				q = g_hash_table_lookup(ob->queues, key);
				for (GList *l = q ? q->head : NULL; l; l = l->next)
					if (!hark_store_delivery_defer(
						    ob->st, ((struct hark_delivery *)l->data)->id,
						    until, &e))
						log_error(&e);
				g_hash_table_remove(ob->loaded, d->id);
				hark_delivery_free(d);
				unload_key(ob, key);
				continue;
			case DONE_HERE:
				g_hash_table_remove(ob->loaded, d->id);
				hark_delivery_free(d);
				progress = true;
				continue;
			case SEND:
				break;
			}
			f = g_new0(struct flight, 1);
			f->ob = ob;
			f->d = d;
			f->key = g_strdup(key);
			g_hash_table_add(ob->inflight, g_strdup(key));
			g_hash_table_add(ob->flights, f);
			ob->n_inflight++;
			progress = true;
			dispatch(ob, f);
		}
		g_ptr_array_unref(ready);
		if (ob->reload || (ob->due_left && g_hash_table_size(ob->queues) == 0)) {
			load(ob, now);
			progress = true;
		}
	}
	if (g_hash_table_size(ob->queues) == 0 && ob->n_inflight == 0)
		arm_timer(ob, now);
}

static void on_mute(const char *rule, void *user)
{
	struct hark_outbox *ob = user;
	GError *e = NULL;

	hark_info("rule %s muted on the desktop for 1 h", rule);
	if (!hark_store_mute(ob->st, rule, now_s() + 3600, &e))
		log_error(&e);
}

struct hark_outbox *hark_outbox_new(struct hark_store *st, struct hark_config *cfg)
{
	struct hark_outbox *ob = g_new0(struct hark_outbox, 1);

	/* An exec command that exits without reading its stdin must fail
	 * its delivery (EPIPE), not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	ob->st = st;
	ob->cfg = cfg;
	ob->notifier = hark_notifier_new(on_mute, ob);
	ob->queues = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					   (GDestroyNotify)g_queue_free);
	ob->loaded = g_hash_table_new(g_str_hash, g_str_equal);
	ob->inflight = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	ob->flights = g_hash_table_new(NULL, NULL);
	ob->reload = true;
	return ob;
}

void hark_outbox_set_config(struct hark_outbox *ob, struct hark_config *cfg)
{
	/* Nothing in flight points into the old one: channels copy what
	 * they need when an attempt starts. */
	hark_config_free(ob->cfg);
	ob->cfg = cfg;
	hark_outbox_kick(ob);
}

static gboolean on_wake(gpointer data)
{
	*(guint *)data = 0;
	return G_SOURCE_REMOVE;
}

bool hark_outbox_drain(struct hark_outbox *ob, int64_t timeout_ms)
{
	int64_t deadline = g_get_monotonic_time() + timeout_ms * 1000;
	GMainContext *ctx = g_main_context_default();

	hark_outbox_kick(ob);
	for (;;) {
		guint wake;

		while (g_main_context_iteration(ctx, FALSE))
			;
		/* Idle: nothing in flight or loaded, and the last look at the
		 * store found nothing it may send now (rows behind a failed
		 * one of their rule wait for its retry). */
		if (ob->n_inflight == 0 && !ob->idle && !ob->reload && !ob->due_left &&
		    g_hash_table_size(ob->queues) == 0) {
			if (ob->sweep_loaded == 0)
				return true;
			hark_outbox_kick(ob);
			continue;
		}
		if (g_get_monotonic_time() >= deadline)
			return false;
		/* Wake at least every 100 ms to check the deadline. */
		wake = g_timeout_add(100, on_wake, &wake);
		g_main_context_iteration(ctx, TRUE);
		if (wake)
			g_source_remove(wake);
	}
}

void hark_outbox_get_stats(const struct hark_outbox *ob, struct hark_outbox_stats *out)
{
	*out = ob->stats;
}

void hark_outbox_free(struct hark_outbox *ob)
{
	GHashTableIter it;
	gpointer k, v;

	if (!ob)
		return;
	ob->closing = true;
	if (ob->idle)
		g_source_remove(ob->idle);
	if (ob->timer)
		g_source_remove(ob->timer);
	/* Calls on_attempt (closing) for every transfer in flight. */
	hark_curlmulti_free(ob->multi);
	/* The others finish later, if the loop runs again, on their own. */
	g_hash_table_iter_init(&it, ob->flights);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct flight *f = k;
		f->ob = NULL;
		if (f->cancel)
			g_cancellable_cancel(f->cancel);
	}
	hark_notifier_free(ob->notifier);
	g_hash_table_iter_init(&it, ob->queues);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct hark_delivery *d;
		while ((d = g_queue_pop_head(v)))
			hark_delivery_free(d);
	}
	g_hash_table_unref(ob->queues);
	g_hash_table_unref(ob->loaded);
	g_hash_table_unref(ob->inflight);
	g_hash_table_unref(ob->flights);
	hark_config_free(ob->cfg);
	g_free(ob);
}
