/* outbox.h - sending the store's queued deliveries from the main loop.
 *
 * The outbox never blocks the loop: webhooks go through the libcurl multi
 * (curlmulti.h), desktop notifications through asynchronous D-Bus calls
 * (notify.h), exec channels through GSubprocess; only stdout and console
 * are written in place.
 *
 * Guarantees:
 *  - a delivery is marked sent only after its channel confirmed it (2xx,
 *    exit status 0, a notification id), so a crash re-sends at most the
 *    deliveries in flight, under the same delivery id;
 *  - per rule and channel, deliveries go out one at a time in queue
 *    order, and a failed one holds the later ones back until it is sent
 *    or dead;
 *  - failures retry with exponential backoff (retry_base * 2^n, capped at
 *    retry_max, 1 h by default) plus up to 50 % jitter, or after the receiver's Retry-After;
 *    past max_attempts or max_age a delivery is dead (dead-letter), kept
 *    for `hark outbox` and `hark outbox retry`.
 * Anti-fatigue, applied when a delivery comes due: desktop mutes, quiet
 * hours (desktop held; webhooks and exec too with
 * quiet_hours_webhooks = hold), digests (one message per window per
 * channel), rate limits (excess suppressed) and spike alerts.
 */
#ifndef HARK_OUTBOX_H
#define HARK_OUTBOX_H

#include "hark/config.h"
#include "hark/store.h"

#include <stdbool.h>
#include <stdint.h>

struct hark_outbox;

/* Sends from ST (borrowed) following CFG (taken: freed with the outbox),
 * in the thread-default main context. */
struct hark_outbox *hark_outbox_new(struct hark_store *st, struct hark_config *cfg);
/* Aborts what is in flight (those deliveries stay pending) and frees. */
void hark_outbox_free(struct hark_outbox *ob);

/* After a reload: CFG (taken) replaces the old config, which is freed. */
void hark_outbox_set_config(struct hark_outbox *ob, struct hark_config *cfg);

/* New deliveries were queued: look at the store again soon. */
void hark_outbox_kick(struct hark_outbox *ob);

/* Runs the main context until nothing is due now and nothing is in
 * flight, or TIMEOUT_MS passed.  Returns true when idle. */
bool hark_outbox_drain(struct hark_outbox *ob, int64_t timeout_ms);

/* Counters since creation. */
struct hark_outbox_stats {
	uint64_t sent, failed, dead, suppressed, digests, spikes;
};
void hark_outbox_get_stats(const struct hark_outbox *ob, struct hark_outbox_stats *out);

/* The quiet-hours window Q at NOW: true when inside, with *END the
 * Unix time it ends.  Exposed for tests. */
bool hark_quiet_hours_at(const struct hark_quiet_hours *q, int64_t now, int64_t *end);

/* The delay before retry number ATTEMPTS (>= 1): BASE * 2^(ATTEMPTS-1),
 * at most CAP, before jitter.  Exposed for tests. */
int64_t hark_backoff_delay(int64_t base, int attempts, int64_t cap);

#endif
