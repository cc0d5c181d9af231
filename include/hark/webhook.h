/* webhook.h - the [webhook NAME] channel: one signed HTTP POST per
 * delivery, sent through the main loop's libcurl multi.
 *
 * Headers on every request:
 *   X-Hark-Delivery:  the delivery id, the same on every retry, so a
 *                     receiver drops copies;
 *   X-Hark-Timestamp: Unix seconds when this attempt was signed;
 *   X-Hark-Signature: sha256=HEX, HMAC-SHA256 with the channel's secret
 *                     over "TIMESTAMP.BODY" (only when a secret is set).
 * Only a 2xx answer is a success: redirects are not followed and count
 * as failures, like every other status.
 */
#ifndef HARK_WEBHOOK_H
#define HARK_WEBHOOK_H

#include "hark/alert.h"
#include "hark/config.h"
#include "hark/curlmulti.h"
#include "hark/store.h"

#include <stdint.h>

/* The request body for FORMAT: the generic payload with "delivery_id"
 * (json) or the chat service's message shape.  Caller frees. */
char *hark_webhook_body(enum hark_webhook_format format, const char *payload,
			const char *delivery_id);

/* "sha256=" + lowercase hex HMAC-SHA256(SECRET, TIMESTAMP "." BODY).
 * Caller frees. */
char *hark_webhook_signature(const char *secret, const char *timestamp,
			     const char *body, size_t len);

/* Seconds to wait from a Retry-After value (delta-seconds or HTTP-date)
 * at NOW; -1 when VALUE is absent or unreadable. */
int64_t hark_retry_after_parse(const char *value, int64_t now);

/* POSTs delivery D to channel CH via M, signed at NOW; DONE is called
 * once, from the main loop, with the outcome (owned by the callee
 * during the call).  Errors name the channel, never its URL or secret. */
void hark_webhook_send(struct hark_curlmulti *m, const struct hark_channel_conf *ch,
		       const struct hark_delivery *d, int64_t now,
		       hark_attempt_done_fn done, void *user);

#endif
