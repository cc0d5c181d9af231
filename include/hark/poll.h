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
};

/* Polls FEED once at time NOW.  Returns false with ERR when the poll
 * failed (fetch or parse); the failure is recorded in the feed's state
 * either way, and the feed stays scheduled. */
bool hark_poll_feed(struct hark_store *st, const struct hark_ruleset *rs,
		    const struct hark_feed_conf *feed, int64_t now,
		    struct hark_poll_stats *stats, GError **err);

/* The foundation's identity key of ITEM: its guid, else its raw link,
 * else a hash of title and text.  Polls now use the layered identity of
 * identity.h; this stays as the reference the dedup benchmark measures
 * against.  Caller frees. */
char *hark_item_key(const struct hark_item *item);

/* Sends every due delivery in the outbox through ALERTER, recording each
 * outcome.  Returns the number sent. */
struct hark_alerter;
unsigned hark_outbox_flush(struct hark_store *st, struct hark_alerter *alerter,
			   int64_t now);

#endif
