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
	unsigned hits;        /* new hits */
	long status;          /* HTTP status, 0 on transport failure */
	bool not_modified;    /* 304: nothing parsed */
};

/* Polls FEED once at time NOW.  Returns false with ERR when the poll
 * failed (fetch or parse); the failure is recorded in the feed's state
 * either way, and the feed stays scheduled. */
bool hark_poll_feed(struct hark_store *st, const struct hark_ruleset *rs,
		    const struct hark_feed_conf *feed, int64_t now,
		    struct hark_poll_stats *stats, GError **err);

/* The identity key of ITEM within its feed: its guid, else its link, else
 * a hash of title and text.  Caller frees. */
char *hark_item_key(const struct hark_item *item);

#endif
