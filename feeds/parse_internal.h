/* parse_internal.h - shared between the feed parsers in feeds/. */
#ifndef HARK_PARSE_INTERNAL_H
#define HARK_PARSE_INTERNAL_H

#include "hark/parse.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Caps on untrusted input.  Items past MAX_ITEMS are dropped; a field
 * longer than MAX_FIELD bytes is cut (at a character boundary). */
#define FEED_MAX_ITEMS 5000
#define FEED_MAX_FIELD (1u << 20)
#define FEED_MAX_LIST 64 /* categories, enclosures per item */
#define FEED_MAX_DEPTH 256 /* element nesting, as libxml2's own default */

/* XML feeds (RSS, RDF, Atom).  DATA is valid UTF-8 without a BOM.  Returns
 * NULL with *NOT_FEED set when the root element is not a feed's (or there
 * is no root at all); *NOT_FEED_ROOT then names the root, or is NULL. */
struct hark_feed_doc *feed_parse_xml(const char *data, size_t len,
				     const struct hark_parse_opts *opts,
				     char **not_feed_root);

/* JSON Feed 1.0/1.1.  Returns NULL and sets ERR when DATA is not one. */
struct hark_feed_doc *feed_parse_json(const char *data, size_t len,
				      const struct hark_parse_opts *opts,
				      GError **err);

/* An HTML page read with the XPath selectors in OPTS->html.  DATA is
 * valid UTF-8. */
struct hark_feed_doc *feed_parse_html(const char *data, size_t len,
				      const struct hark_parse_opts *opts,
				      GError **err);

/* A text field's final form: clean text of HTML (IS_HTML) or plain text,
 * or the markup itself, trimmed, when KEEP_HTML.  Never NULL. */
char *feed_text(const char *s, size_t len, bool is_html, bool keep_html);

/* URL resolved against BASE (may be NULL), surrounding whitespace removed.
 * Returns NULL for an empty URL. */
char *feed_resolve_url(const char *url, size_t len, const char *base);

/* RSS author forms "joe@example.com (Joe)" and "Joe <joe@example.com>" to
 * "Joe <joe@example.com>"; plain names are kept.  Never NULL. */
char *feed_author(const char *name, const char *email);
char *feed_rss_author(const char *s);

/* True when S (LEN bytes) is valid UTF-8 without NUL bytes. */
bool feed_utf8_valid(const char *s, size_t len);

/* Appends S to BUF unless BUF would exceed FEED_MAX_FIELD. */
void feed_buf_append(GString *buf, const char *s, size_t len);

#endif
