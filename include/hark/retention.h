/* retention.h - forgetting old items and hits a little at a time.
 *
 * Items are kept for [hark] retention after they were last seen in their
 * feed (an item still in the feed is never pruned, so it cannot come back
 * as new); items with hits are kept as long as their hits, [hark]
 * hit_retention.  Each step deletes a small batch in its own short
 * transaction, so pruning never holds the database for long and a poll
 * waiting for the write lock waits at most one batch.
 */
#ifndef HARK_RETENTION_H
#define HARK_RETENTION_H

#include "hark/store.h"

#include <stdint.h>

#define HARK_PRUNE_BATCH 500
#define HARK_PRUNE_BUDGET_MS 100

/* Prunes items last seen more than RETENTION seconds before NOW and hits
 * older than HIT_RETENTION, in batches, until nothing is left to prune or
 * BUDGET_MS has passed.  Returns the number of rows deleted; errors are
 * logged. */
unsigned hark_retention_run(struct hark_store *st, int64_t retention,
			    int64_t hit_retention, int64_t now, int budget_ms);

#endif
