/* poll.h - one poll of one feed: fetch, parse, store, match, queue alerts.
 *
 * Everything a poll learns is written in one store transaction: the new
 * items, their hits, the queued deliveries and the feed's polling state.
 * A crash before the commit loses nothing (the feed is polled again); a
 * crash after it loses nothing either (the deliveries are in the outbox).
 */
#ifndef HARK_POLL_H
#define HARK_POLL_H

#include "hark/config.h"
#include "hark/fetch.h"
#include "hark/item.h"
#include "hark/rules.h"
#include "hark/store.h"

#include <stdbool.h>
#include <stdint.h>

struct hark_poll_stats {
	unsigned items;       /* items in the document */
	unsigned new_items;
	unsigned hits;        /* new hits (and re-alerts after edits) */
	unsigned updated;     /* known items whose title or text changed */
	unsigned also_seen;   /* near-duplicates recorded on an earlier hit */
	long status;          /* HTTP status, 0 on transport failure */
	bool not_modified;    /* 304: nothing parsed */
	bool unconditional;   /* sent without validators */
	char *moved_to;       /* new URL after a 301/308 (owned) or NULL */
};

/* Polling policy, from the [hark] section (hark_poll_opts_init) or the
 * defaults (CFG NULL).  Borrows CFG's health_alert list. */
struct hark_poll_opts {
	int64_t backoff_max;
	int64_t unconditional_every;
	int64_t broken_after;
	long connect_timeout, timeout, low_speed_time;
	size_t max_size;
	const GPtrArray *health_alert;   /* channels; NULL: stdout */
};
void hark_poll_opts_init(struct hark_poll_opts *o, const struct hark_config *cfg);

/* A poll in two steps, for callers that run the transfer themselves.
 *
 * hark_poll_request() fills REQ for FEED in state FS at NOW: conditional
 * (ETag / Last-Modified) except every unconditional_every-th poll and
 * once a day.  REQ borrows strings from FEED and FS; the returned pointer
 * (the header array) is freed with g_free() after the transfer.
 *
 * hark_poll_complete() takes the outcome (RES, or NULL and FETCH_ERR's
 * message) and, when the caller parsed RES already (hark_poll_parse(),
 * e.g. on a worker thread), DOC (taken) or PARSE_ERR; with both NULL it
 * parses itself.  In one store transaction it records the items,
 * hits, deliveries, the feed's new state in FS (status, error, failures,
 * backoff, next poll, redirect, health) and any health alert.  Returns
 * false with ERR when the poll failed; the feed stays scheduled. */
gpointer hark_poll_request(const struct hark_poll_opts *o,
			   const struct hark_feed_conf *feed,
			   const struct hark_feed_state *fs, int64_t now,
			   struct hark_fetch_request *req);
bool hark_poll_complete(struct hark_store *st, const struct hark_ruleset *rs,
			const struct hark_poll_opts *o,
			const struct hark_feed_conf *feed,
			struct hark_feed_state *fs, int64_t now,
			const struct hark_fetch_result *res, const GError *fetch_err,
			struct hark_feed_doc *doc, const GError *parse_err,
			struct hark_poll_stats *stats, GError **err);

/* Whether RES has a body to parse (2xx, not 304). */
bool hark_poll_wants_parse(const struct hark_fetch_result *res);
/* Parses RES's body as FEED says (a feed, or a forum page read with its
 * XPath selectors).  Touches nothing but its arguments: safe on any
 * thread.  Free the result with hark_feed_doc_free(). */
struct hark_feed_doc *hark_poll_parse(const struct hark_feed_conf *feed,
				      const struct hark_fetch_result *res,
				      GError **err);

/* Polls FEED once at time NOW, blocking, with the default options.  Returns false with ERR when the poll
 * failed (fetch or parse); the failure is recorded in the feed's state
 * either way, and the feed stays scheduled. */
bool hark_poll_feed(struct hark_store *st, const struct hark_ruleset *rs,
		    const struct hark_feed_conf *feed, int64_t now,
		    struct hark_poll_stats *stats, GError **err);
void hark_poll_stats_clear(struct hark_poll_stats *stats);

/* The foundation's identity key of ITEM: its guid, else its raw link,
 * else a hash of title and text.  Polls now use the layered identity of
 * identity.h; this stays as the reference the dedup benchmark measures
 * against.  Caller frees. */
char *hark_item_key(const struct hark_item *item);

#endif
