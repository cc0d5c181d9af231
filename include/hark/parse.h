/* parse.h - turn fetched bytes into a struct hark_feed_doc.
 *
 * The format is detected from the content (never the URL): RSS 0.9x/1.0/2.0,
 * Atom 0.3/1.0, JSON Feed 1.x, or an HTML page read with XPath selectors.
 * Input is untrusted: no network access, no entity expansion, no DTD
 * loading, and caps on item count and field sizes.
 */
#ifndef HARK_PARSE_H
#define HARK_PARSE_H

#include "hark/item.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* XPath selectors for a forum page without a feed.  item selects one node
 * per post; the others are evaluated relative to that node. */
struct hark_html_source {
	const char *item;
	const char *title;
	const char *link;
	const char *body;    /* may be NULL */
	const char *author;  /* may be NULL */
	const char *date;    /* may be NULL */
	const char *next;    /* link to the next page, may be NULL */
};

struct hark_parse_opts {
	const char *base_url;     /* resolves relative links; may be NULL */
	const char *content_type; /* HTTP Content-Type, for its charset; may be NULL */
	bool keep_html;           /* keep markup in text fields (hark parse --html) */
	const struct hark_html_source *html; /* forum page selectors, or NULL */
};

/* Parses LEN bytes at DATA.  OPTS may be NULL.  Returns a new document the
 * caller frees with hark_feed_doc_free(); a broken but recoverable feed
 * comes back with bozo set.  Returns NULL and sets ERR (HARK_ERROR_USER)
 * only when the bytes are not a feed at all. */
struct hark_feed_doc *hark_feed_parse(const char *data, size_t len,
				      const struct hark_parse_opts *opts,
				      GError **err);

#endif
