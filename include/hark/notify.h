/* notify.h - the desktop channel: org.freedesktop.Notifications over
 * asynchronous GDBus calls.
 *
 * libnotify's calls are synchronous and block for D-Bus's 25 s default
 * when a server hangs, and the daemon's main loop must never block, so
 * this speaks the (small) notification protocol itself: every call is
 * asynchronous with a 2 s timeout.  The first send probes the server
 * (GetServerInformation, GetCapabilities); without one, every desktop
 * delivery fails at once as permanent, with the reason.
 *
 * Summary "RULE: TITLE"; body "FEED" and the snippet with the matched
 * terms in <b> when the server has body-markup; actions "Open" (opens
 * the item's http(s) link with xdg-open, else GIO's default handler) and
 * "Mute rule for 1 h" when it has actions; urgency critical for
 * priority=critical or a sentiment at or below -0.6, low for
 * priority=low.  Bursts coalesce: past the rule's coalesce= count within
 * its window, the rule's last notification is replaced in place with
 * "N new mentions of RULE".
 */
#ifndef HARK_NOTIFY_H
#define HARK_NOTIFY_H

#include "hark/alert.h"
#include "hark/config.h"

#include <stdint.h>

#define HARK_NOTIFY_TIMEOUT_MS 2000
#define HARK_NOTIFY_NEGATIVE (-0.6)

struct hark_notifier;

/* Called when the user picks "Mute rule for 1 h" for RULE. */
typedef void (*hark_mute_fn)(const char *rule, void *user);

/* Uses the session bus of the thread-default main context. */
struct hark_notifier *hark_notifier_new(hark_mute_fn mute, void *user);
void hark_notifier_free(struct hark_notifier *n);

/* Shows PAYLOAD (an alert, digest or spike) for RULE (NULL: defaults) at
 * NOW.  DONE is called once from the main loop. */
void hark_notifier_send(struct hark_notifier *n, const struct hark_rule_conf *rule,
			const char *payload, int64_t now,
			hark_attempt_done_fn done, void *user);

/* The body text for ROOT: with MARKUP, escaped and with <b> around the
 * matched terms.  Caller frees. */
char *hark_notify_body(JsonObject *root, bool markup);

/* Opens URI (http/https only) in the default browser. */
bool hark_open_uri(const char *uri, GError **err);

#endif
