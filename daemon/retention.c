/* retention.c - incremental pruning between polls. */
#include "hark/retention.h"
#include "hark/log.h"

unsigned hark_retention_run(struct hark_store *st, int64_t retention,
			    int64_t hit_retention, int64_t now, int budget_ms)
{
	int64_t deadline = g_get_monotonic_time() + (int64_t)budget_ms * 1000;
	unsigned total = 0, n;
	GError *e = NULL;

	do {
		if (!hark_store_prune(st, now - retention, now - hit_retention,
				      HARK_PRUNE_BATCH, &n, &e)) {
			hark_warn("pruning: %s", e->message);
			g_error_free(e);
			break;
		}
		total += n;
	} while (n > 0 && g_get_monotonic_time() < deadline);
	if (total)
		hark_debug("pruned %u old items and hits", total);
	return total;
}
