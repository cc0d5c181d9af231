/* item.h - the parsed form of a feed and its items.
 *
 * Every feed format (RSS, Atom, JSON Feed, HTML+XPath) is turned into these
 * structs by feeds/.  All strings are NUL-terminated, valid UTF-8, owned by
 * the struct that holds them and freed by its *_free function.  Text fields
 * (title, summary, content, author) hold clean plain text unless the parse
 * was asked to keep HTML.
 */
#ifndef HARK_ITEM_H
#define HARK_ITEM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* "No date": an absent or unparseable date is never a wrong date. */
#define HARK_TIME_NONE INT64_MIN

struct hark_item {
	char *id;            /* guid / id / JSON id as given, or NULL */
	bool id_is_permalink; /* RSS guid isPermaLink (true when unset) */
	char *link;          /* absolute URL of the post, or NULL */
	char *orig_link;     /* feedburner:origLink, or NULL */
	char *title;
	char *author;        /* "Name" or "Name <email>", or NULL */
	char *summary;
	char *content;
	int64_t published;   /* Unix seconds UTC or HARK_TIME_NONE */
	int64_t updated;     /* Unix seconds UTC or HARK_TIME_NONE */
	GPtrArray *categories; /* of char*, owned; never NULL */
	GPtrArray *enclosures; /* of char* URLs, owned; never NULL */
};

struct hark_feed_doc {
	char *format;        /* "rss2.0", "rss1.0", "rss0.9x", "atom1.0",
	                        "atom0.3", "jsonfeed1.1", "html", ... */
	char *title;
	char *link;
	bool bozo;           /* the feed was broken and recovered */
	char *bozo_reason;   /* why, or NULL */
	GPtrArray *items;    /* of struct hark_item*, owned; never NULL */
	char *next_page;     /* HTML sources: absolute URL of the next page
	                        (from the "next" selector), or NULL */
};

/* Allocates an empty item (dates HARK_TIME_NONE, empty arrays). */
struct hark_item *hark_item_new(void);
void hark_item_free(struct hark_item *item);

/* Allocates an empty document. */
struct hark_feed_doc *hark_feed_doc_new(void);
void hark_feed_doc_free(struct hark_feed_doc *doc);

#endif
