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

#include "hark/config.h"
#include "hark/store.h"

#include <stdint.h>

#define HARK_PRUNE_BATCH 500

/* Prunes in batches until nothing is left to prune or BUDGET_MS has
 * passed.  Returns the number of rows deleted; errors are logged. */
unsigned hark_retention_run(struct hark_store *st, const struct hark_config *cfg,
			    int64_t now, int budget_ms);

#endif
