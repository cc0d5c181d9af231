/* store.h - hark's persistent state.  All SQL lives behind this API, so a
 * shared-database backend (PostgreSQL: feed leases, dedup keys, outbox) can
 * replace store.c without touching feeds/ or rules/.
 *
 * Conventions: functions return false and set ERR (HARK_ERROR_RUNTIME) on
 * failure.  Strings handed in are copied; structs handed out are owned by
 * the caller and released with their *_clear / *_free function.
 * Times are Unix seconds (UTC).
 */
#ifndef HARK_STORE_H
#define HARK_STORE_H

#include "hark/item.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct hark_store;

/* The schema version this build writes; older files are migrated forward
 * on open, newer ones are refused. */
#define HARK_STORE_SCHEMA_VERSION 3

/* Polling state of one feed. */
struct hark_feed_state {
	int64_t id;
	char *name;
	char *url;
	char *etag;            /* validators for conditional GET, or NULL */
	char *last_modified;
	int last_status;       /* HTTP status (0: none yet / transport error) */
	char *last_error;      /* NULL after a success */
	int failures;          /* consecutive */
	int64_t last_poll;     /* 0: never */
	int64_t last_success;  /* 0: never */
	int64_t next_poll;     /* 0: as soon as possible */
	int64_t items_seen;
	int64_t polls;
	bool gone;             /* HTTP 410 */
	char *health;          /* "ok", "broken" or "silent" */
	int64_t failing_since; /* first failure of the current run; 0: ok */
	int64_t last_new_item; /* when a poll last found a new item; 0: never */
	int64_t cur_interval;  /* interval = auto: the current one; else 0 */
	int64_t cond_polls;    /* conditional polls since the last full one */
	int64_t last_full_poll;/* last poll sent without validators */
	bool moved;            /* url differs from the config's (301/308);
				* read-only: set by the loaders */
};

/* An outbox row with what a channel needs to send it. */
struct hark_delivery {
	char *id;              /* stable delivery id (UUID), fixed at creation */
	int64_t hit_id;        /* 0 for a feed health alert */
	char *channel;         /* "stdout", "console", "desktop", ... */
	char *payload;         /* the alert as JSON (see alert.h) */
	int attempts;
	int64_t created;
};

/* Opens (creating file and directories if needed) and migrates PATH. */
struct hark_store *hark_store_open(const char *path, GError **err);
void hark_store_close(struct hark_store *st);

/* One transaction per feed poll: items, hits and deliveries commit
 * together or not at all. */
bool hark_store_begin(struct hark_store *st, GError **err);
bool hark_store_commit(struct hark_store *st, GError **err);
void hark_store_rollback(struct hark_store *st);

/* Finds the feed NAME, creating it with URL if new, and fills *OUT
 * (release with hark_feed_state_clear()).  A changed URL in the config
 * replaces the stored one and resets the validators. */
bool hark_store_feed_load(struct hark_store *st, const char *name,
			  const char *url, struct hark_feed_state *out,
			  GError **err);
/* Writes every field of FS back (by FS->id). */
bool hark_store_feed_save(struct hark_store *st, const struct hark_feed_state *fs,
			  GError **err);
void hark_feed_state_clear(struct hark_feed_state *fs);

/* Lists every stored feed (array of struct hark_feed_state*, owned). */
bool hark_store_feed_list(struct hark_store *st, GPtrArray **out, GError **err);

/* Stores ITEM of feed FEED_ID under KEY.  *IS_NEW says whether the key was
 * unseen; *ITEM_ID receives the row id either way. */
bool hark_store_item_put(struct hark_store *st, int64_t feed_id, const char *key,
			 const struct hark_item *item, int64_t now,
			 bool *is_new, int64_t *item_id, GError **err);

/* Records that RULE matched ITEM_ID.  SENTIMENT may be NAN (not scored).
 * *IS_NEW is false when that hit existed already. */
bool hark_store_hit_put(struct hark_store *st, int64_t item_id, const char *rule,
			double sentiment, int64_t now, bool *is_new,
			int64_t *hit_id, GError **err);

/* Queues one delivery of HIT_ID to CHANNEL with PAYLOAD (JSON).  The id is
 * generated here and returned in *ID_OUT (caller frees) if not NULL. */
bool hark_store_delivery_add(struct hark_store *st, int64_t hit_id,
			     const char *channel, const char *payload, int64_t now,
			     char **id_out, GError **err);

/* Deliveries due at NOW, oldest first, at most LIMIT (array of
 * struct hark_delivery*, owned). */
bool hark_store_deliveries_due(struct hark_store *st, int64_t now, int limit,
			       GPtrArray **out, GError **err);
/* Marks a delivery sent. */
bool hark_store_delivery_done(struct hark_store *st, const char *id, int64_t now,
			      GError **err);
/* Records a failed attempt: retried at NEXT_ATTEMPT, or dead when DEAD. */
bool hark_store_delivery_failed(struct hark_store *st, const char *id,
				const char *error, int64_t next_attempt,
				bool dead, GError **err);
void hark_delivery_free(struct hark_delivery *d);

/* Queues a feed health alert (no hit) for FEED_ID to CHANNEL. */
bool hark_store_feed_alert_add(struct hark_store *st, int64_t feed_id,
			       const char *channel, const char *payload,
			       int64_t now, GError **err);

/* Times (published, else first seen) of feed FEED_ID's newest items,
 * newest first, at most LIMIT (GArray of int64_t, caller unrefs). */
bool hark_store_feed_item_times(struct hark_store *st, int64_t feed_id,
				int limit, GArray **out, GError **err);

/* --- The web page (web.h): the stream, its actions and the charts --- */

/* One hit with its item and feed, for display. */
struct hark_stream_hit {
	int64_t id;
	char *rule;
	int64_t created;
	double sentiment;      /* NAN: not scored */
	int64_t handled;       /* when marked handled; 0: not handled */
	char *feed;
	char *title;
	char *link;
	char *author;
	char *text;            /* the item's clean text (content or summary) */
	int64_t published;     /* HARK_TIME_NONE when unknown */
};
void hark_stream_hit_free(struct hark_stream_hit *h);

/* Filters of hark_store_stream_hits(); zero/NULL/NAN means "any". */
struct hark_stream_query {
	const char *rule;
	const char *feeds_json; /* JSON array of feed names (a tag's feeds) */
	double min_sentiment;   /* NAN: no bound (unscored hits pass) */
	double max_sentiment;
	int64_t since;          /* created >= since */
	int64_t until;          /* created < until; 0: no bound */
	int64_t after_id;       /* id > after_id, oldest first (live updates) */
	int64_t before_id;      /* id < before_id (paging); 0: no bound */
	bool unhandled;         /* only hits not marked handled */
	int limit;              /* 1..1000 */
};

/* Hits matching Q, newest first (oldest first when AFTER_ID is set), as
 * an array of struct hark_stream_hit* (owned). */
bool hark_store_stream_hits(struct hark_store *st, const struct hark_stream_query *q,
			    GPtrArray **out, GError **err);

/* Marks HIT_ID handled at WHEN (0: not handled).  *FOUND is false when
 * there is no such hit. */
bool hark_store_hit_set_handled(struct hark_store *st, int64_t hit_id, int64_t when,
				bool *found, GError **err);

/* Hits of RULE (NULL: every rule) created in [SINCE, UNTIL), counted per
 * rule in buckets of BUCKET seconds aligned on the Unix epoch (UTC hours
 * and days).  Array of struct hark_hit_bucket*, by rule then time. */
struct hark_hit_bucket {
	char *rule;
	int64_t start;
	unsigned hits;
	unsigned scored;        /* hits with a sentiment */
	double mean_sentiment;  /* NAN when scored is 0 */
};
bool hark_store_hit_buckets(struct hark_store *st, const char *rule, int64_t since,
			    int64_t until, int64_t bucket, GPtrArray **out,
			    GError **err);
void hark_hit_bucket_free(struct hark_hit_bucket *b);

/* "Mute rule": its alerts are held back until UNTIL (0: unmuted). */
bool hark_store_mute(struct hark_store *st, const char *rule, int64_t until,
		     GError **err);
bool hark_store_muted_until(struct hark_store *st, const char *rule, int64_t *until,
			    GError **err);

#endif
