/* engine.h - the polling engine: every configured feed polled on time,
 * concurrently, from one GLib main loop.
 *
 * The engine keeps each feed's state in memory (loaded from the store at
 * start and on reload), sleeps until the earliest next_poll (a single
 * timer; no busy polling, nothing wakes up between polls), starts due
 * feeds through a curlmulti within the global and per-host limits, and
 * records each outcome with hark_poll_complete() (one store transaction
 * per poll).  A reload swaps config and rules without losing any feed's
 * state; polls already running finish with the config they started with.
 */
#ifndef HARK_ENGINE_H
#define HARK_ENGINE_H

#include "hark/config.h"
#include "hark/rules.h"
#include "hark/store.h"

#include <glib.h>
#include <stdbool.h>

struct hark_engine;

struct hark_engine_hooks {
	/* A poll queued alerts (rule hits or a feed health change). */
	void (*alerts)(void *user);
	/* Nothing is running or waiting to run. */
	void (*idle)(void *user);
	void *user;
	/* A poll ended (success or failure); RUNNING and QUEUED polls are
	 * left.  Optional (NULL): progress display. */
	void (*polled)(void *user, unsigned running, unsigned queued);
};

/* ST is borrowed and must outlive the engine.  Takes CFG and RS (freed
 * by the engine once no poll uses them).  Returns NULL with ERR when the
 * feeds' state cannot be loaded. */
struct hark_engine *hark_engine_new(struct hark_store *st, struct hark_config *cfg,
				    struct hark_ruleset *rs,
				    const struct hark_engine_hooks *hooks,
				    GError **err);

/* Replaces config and rules (taking them, even on failure): feeds added
 * start at once, feeds removed stop being scheduled, the others keep
 * their state and schedule.  Returns false with ERR (and keeps the old
 * config) when the store fails, or during a --once run. */
bool hark_engine_reload(struct hark_engine *e, struct hark_config *cfg,
			struct hark_ruleset *rs, GError **err);

/* Schedules the feeds by their next_poll (daemon), or, with ONCE, polls
 * every feed now, once, and schedules nothing more.  ONCE records the
 * polls in config order (transfers still run concurrently, within a
 * window ahead of the next feed to record), so a run's alerts and
 * "first seen" decisions do not depend on which server answered first. */
void hark_engine_start(struct hark_engine *e, bool once);

/* Stops starting transfers and aborts the running ones (their feeds are
 * polled again next time; nothing is half-written: each poll's store
 * writes happen in one step after its transfer). */
void hark_engine_stop(struct hark_engine *e);

/* Polls running or waiting for a slot. */
guint hark_engine_busy(const struct hark_engine *e);

/* Counters since the engine started. */
struct hark_engine_stats {
	guint64 polls, failures, not_modified;
	guint peak_transfers;
};
void hark_engine_get_stats(const struct hark_engine *e, struct hark_engine_stats *out);

void hark_engine_free(struct hark_engine *e);

#endif
