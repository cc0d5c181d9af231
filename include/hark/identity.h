/* identity.h - what makes two feed items "the same item".
 *
 * Publishers rotate guids, put the headline in the guid, give every item
 * one link, and decorate links with tracking parameters.  An item
 * therefore carries three identifiers, each computed here:
 *
 *   guid   the id as given by the feed,
 *   link   its normalised link (FeedBurner origLink preferred),
 *   fp     a fingerprint of its normalised title and text,
 *
 * and a feed's mode says which of them to trust (see poll.c for the
 * per-feed detection that fills struct hark_identity_trust).
 */
#ifndef HARK_IDENTITY_H
#define HARK_IDENTITY_H

#include "hark/item.h"

#include <stdbool.h>

enum hark_identity_mode {
	HARK_IDENTITY_AUTO,     /* layered: guid, else link, else content */
	HARK_IDENTITY_GUID,
	HARK_IDENTITY_LINK,
	HARK_IDENTITY_CONTENT,
};

/* Parses "guid", "link", "content" or "auto".  Returns false when TEXT is
 * none of them. */
bool hark_identity_mode_parse(const char *text, enum hark_identity_mode *out);
const char *hark_identity_mode_name(enum hark_identity_mode mode);

/* URL with lower-case scheme and host, no default port, no fragment, no
 * tracking parameters (utm_*, fbclid, gclid, mc_cid, mc_eid, ...), and "/"
 * for an empty path (http and https).  Returns NULL when URL has no
 * "scheme:" prefix, or an http(s) URL has no host, blanks in its host or
 * control characters; other schemes ("tag:", "urn:") are returned
 * trimmed, unchanged.
 * Caller frees. */
char *hark_link_normalize(const char *url);

/* True for a query parameter name that only tracks the reader. */
bool hark_link_param_is_tracking(const char *name, size_t len);

/* The identifiers of ITEM.  Each is NULL when the item lacks it (no guid,
 * no usable link, no title and no text).  Release with
 * hark_item_ids_clear(). */
struct hark_item_ids {
	char *guid;
	char *link;     /* normalised */
	char *fp;       /* hex SHA-256 of folded title + "\n" + folded text */
};
void hark_item_ids_compute(const struct hark_item *item, struct hark_item_ids *out);
void hark_item_ids_clear(struct hark_item_ids *ids);

/* What the feed's history says about its identifiers. */
struct hark_identity_trust {
	bool guids_unreliable;   /* guids rotate or carry the headline */
	bool links_unreliable;   /* many items share one link */
};

/* The strategy that decides a new item's key: MODE when not AUTO, else the
 * first of guid, link, content that TRUST allows and IDS has. */
enum hark_identity_mode hark_identity_effective(enum hark_identity_mode mode,
						const struct hark_identity_trust *trust,
						const struct hark_item_ids *ids);

/* The key ITEM is stored under for STRATEGY ("guid:..", "link:..",
 * "content:.."), falling back to the next layer when IDS lacks it.
 * Caller frees. */
char *hark_identity_key(enum hark_identity_mode strategy,
			const struct hark_item_ids *ids);

/* Case-folded, whitespace-collapsed copy of TEXT (NULL: "").  Caller
 * frees. */
char *hark_identity_fold(const char *text);

#endif
