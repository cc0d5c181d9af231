/* web_internal.h - shared by web.c (server, API), web_pages.c (HTML and
 * SVG) and web_assets.c (the stylesheet and script). */
#ifndef HARK_WEB_INTERNAL_H
#define HARK_WEB_INTERNAL_H

#include "hark/config.h"
#include "hark/rules.h"
#include "hark/store.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* What a request sees, borrowed from the server under its lock. */
struct web_ctx {
	struct hark_store *st;
	const struct hark_config *cfg;
	const struct hark_ruleset *rs;
	int64_t now;
};

/* A request's filters, from its query string (see web_filter_parse). */
struct web_filter {
	char *rule;            /* NULL: every rule */
	char *tag;             /* NULL: every feed */
	char *search;          /* FTS5 query over title and text, or NULL */
	char *feeds_json;      /* the tag's feeds as a JSON array, or NULL */
	double min_sentiment;  /* NAN: no bound */
	double max_sentiment;
	char *window;          /* "24h", ... or "custom" (since/until given) */
	int64_t since, until;  /* until 0: now */
	char *since_text, *until_text; /* as typed, for the form */
	bool unhandled;
	int64_t before_id, after_id;
	int limit;
	char *bucket;          /* charts: "hour", "day" or NULL (automatic) */
};

/* Reads the filters from ARGS (query name -> value, NULL values allowed)
 * with DEFAULT_WINDOW as the look-back when none is given.  A bad value
 * is a HARK_ERROR_USER error. */
bool web_filter_parse(GHashTable *args, const struct hark_config *cfg, int64_t now,
		      const char *default_window, struct web_filter *f,
		      GError **err);
void web_filter_clear(struct web_filter *f);
/* The filters as a query string (rule, tag, sentiment, unhandled and,
 * unless LIVE, the window), escaped for a URL but not for HTML. */
char *web_filter_query(const struct web_filter *f, bool live);
/* Fills a store query from F. */
void web_filter_to_query(const struct web_filter *f, struct hark_hit_query *q);

/* The matched terms of hit H, found by matching its item against the
 * current rules again (nothing when the rule no longer matches it).
 * GArray of struct hark_span, sorted by field then start; caller unrefs. */
GArray *web_hit_spans(const struct web_ctx *c, const struct hark_hit_row *h);

/* One hit as an <li> of the stream. */
void web_html_hit(GString *out, const struct web_ctx *c,
		  const struct hark_hit_row *h);

/* The pages; NULL with ERR when the store fails. */
char *web_page_stream(const struct web_ctx *c, const struct web_filter *f,
		      GError **err);
char *web_page_charts(const struct web_ctx *c, const struct web_filter *f,
		      GError **err);
char *web_page_feeds(const struct web_ctx *c, GError **err);
char *web_page_unauthorized(void);

/* Chart data: dense buckets per rule with spike flags. */
struct web_series {
	char *rule;
	guint n;
	unsigned *hits;        /* n of them */
	double *mean;          /* n of them, NAN when nothing scored */
	bool *spike;           /* n of them */
	unsigned total;
	unsigned scored;
	double mean_all;       /* NAN when nothing scored */
};
/* The series of F's rule (or of every configured rule) between SINCE
 * (aligned down to BUCKET) and UNTIL, in config order.  *START_OUT gets
 * the first bucket's start.  GPtrArray of struct web_series*. */
GPtrArray *web_series_load(const struct web_ctx *c, const struct web_filter *f,
			   int64_t bucket, int64_t *start_out, GError **err);
/* The bucket size for F: as asked (hours for at most 31 days), else an
 * hour up to a 3-day window and a day beyond. */
int64_t web_filter_bucket(const struct web_filter *f, int64_t now);

/* A feed's status word ("new", "ok", "failing", "gone", or its health
 * when that is not "ok"). */
const char *web_feed_status(const struct hark_feed_state *fs);

/* Colour class 0..10 of a sentiment (-1 red .. 1 green), -1 for NAN. */
int web_sentiment_class(double s);

/* The static files. */
extern const char web_asset_css[];
extern const char web_asset_js[];

#endif
