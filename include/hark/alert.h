/* alert.h - the alert payload and the channels that send it.
 *
 * An alert is built once, as JSON, when its hit is stored (so every retry
 * sends the same thing), and queued per channel in the store's outbox.
 * Payload version 1:
 *
 *   {"version":1, "rule":"acme-angry", "feed":"acme-forum",
 *    "item":{"title":..,"link":..,"author":..,"published":"RFC 3339"|null,
 *            "snippet":"clean text around the first match"},
 *    "matches":[{"field":"title","start":0,"end":4,"text":"Acme"}],
 *    "sentiment":-0.61|null}
 *
 * On the wire (stdout, webhooks) "delivery_id" is added as the first
 * member.
 */
#ifndef HARK_ALERT_H
#define HARK_ALERT_H

#include "hark/item.h"
#include "hark/rules.h"
#include "hark/store.h"

#include <glib.h>
#include <stdbool.h>

/* Builds the payload for HIT of ITEM from feed FEED.  Caller frees. */
char *hark_alert_payload(const struct hark_rule_hit *hit, const char *feed,
			 const struct hark_item *item);

/* Returns PAYLOAD with "update":UPDATE (an edited item alerting again)
 * and "also_seen_at":[{"feed","link","title"}...] from ALSO_SEEN (of
 * struct hark_also_seen*, may be NULL) appended.  Caller frees. */
char *hark_alert_annotate(const char *payload, bool update,
			  const GPtrArray *also_seen);

/* Returns PAYLOAD with "delivery_id":ID spliced in first.  Caller frees. */
char *hark_alert_with_id(const char *payload, const char *id);

/* The channels a rule may name in alert=. */
bool hark_alert_channel_known(const char *channel);

struct hark_alerter;

/* Creates the sender.  Desktop notifications are set up lazily. */
struct hark_alerter *hark_alerter_new(void);
void hark_alerter_free(struct hark_alerter *a);

/* Sends delivery D.  Returns false with ERR on failure; *PERMANENT says
 * that retrying cannot help (e.g. no notification server). */
bool hark_alerter_send(struct hark_alerter *a, const struct hark_delivery *d,
		       bool *permanent, GError **err);

#endif
