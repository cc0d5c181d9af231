/* alert.h - the alert payload, and what every channel reports back.
 *
 * An alert is built once, as JSON, when its hit is stored (so every retry
 * sends the same bytes), and queued per channel in the store's outbox.
 * The generic payload, version 1 (documented in man/hark-alerts.7.md):
 *
 *   {"version":1, "kind":"alert", "rule":"acme-angry", "feed":"acme-forum",
 *    "item":{"title":..,"link":..,"author":..,"published":"RFC 3339"|null,
 *            "snippet":"clean text around the first match"},
 *    "matches":[{"field":"title","start":0,"end":4,"text":"Acme"}],
 *    "sentiment":-0.61|null,
 *    "sentiment_cues":[{"token":"refund","valence":-1.2}, ...]}
 *
 * Digests ("kind":"digest") and spike alerts ("kind":"spike") are built by
 * the outbox with the functions below.  On the wire (stdout, webhooks,
 * exec) "delivery_id" is added as the first member.
 */
#ifndef HARK_ALERT_H
#define HARK_ALERT_H

#include "hark/item.h"
#include "hark/rules.h"
#include "hark/store.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>

#define HARK_ALERT_VERSION 1

/* Builds the payload for HIT of ITEM from feed FEED.  Caller frees. */
char *hark_alert_payload(const struct hark_rule_hit *hit, const char *feed,
			 const struct hark_item *item);

/* A digest of PAYLOADS (char* alerts of RULE, oldest first) for the
 * window [START, END).  Caller frees. */
char *hark_alert_digest_payload(const char *rule, GPtrArray *payloads,
				int64_t start, int64_t end);

/* A spike alert: COUNT hits of RULE in the hour ending at END against a
 * trailing mean MEAN and standard deviation SD, threshold K.  Caller
 * frees. */
char *hark_alert_spike_payload(const char *rule, int64_t end, int64_t count,
			       double mean, double sd, double k);

/* Returns PAYLOAD with "update":UPDATE (an edited item alerting again)
 * and "also_seen_at":[{"feed","link","title"}...] from ALSO_SEEN (of
 * struct hark_also_seen*, may be NULL) appended.  Caller frees. */
char *hark_alert_annotate(const char *payload, bool update,
			  const GPtrArray *also_seen);

/* Returns PAYLOAD with "delivery_id":ID spliced in first.  Caller frees. */
char *hark_alert_with_id(const char *payload, const char *id);

/* Parses a stored payload; NULL if corrupt.  Caller unrefs. */
JsonNode *hark_alert_parse(const char *payload);

/* Member NAME of object O as a string, or NULL. */
const char *hark_json_str(JsonObject *o, const char *name);

/* Adds member NAME to the object B is building: the string V, or null
 * when V is NULL. */
void hark_json_add_str(JsonBuilder *b, const char *name, const char *v);

/* The compact JSON text of what B built.  Consumes B (unrefs it); the
 * caller frees the result. */
char *hark_json_finish(JsonBuilder *b);

/* One readable line (two for alerts: title, then feed and link) for the
 * console channel and for chat formats.  Caller frees. */
char *hark_alert_text(JsonObject *root);

/* The built-in channels: stdout, console, desktop. */
bool hark_alert_channel_known(const char *channel);

/* How one delivery attempt ended.  Channels fill it and hand it to the
 * outbox's callback. */
struct hark_attempt {
	bool ok;
	bool permanent;        /* retrying cannot help: dead at once */
	int64_t retry_after;   /* seconds the receiver asked for, or -1 */
	char *error;           /* owned; NULL when ok */
};

typedef void (*hark_attempt_done_fn)(struct hark_attempt *a, void *user);

#endif
