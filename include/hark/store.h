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

#include "hark/identity.h"
#include "hark/item.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct hark_store;

/* The schema version this build writes; older files are migrated forward
 * on open, newer ones are refused. */
#define HARK_STORE_SCHEMA_VERSION 5

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
	int64_t hit_id;        /* 0 for a feed health alert, a digest or a spike */
	char *channel;         /* "stdout", "console", "desktop", or a
				  [webhook NAME] / [exec NAME] name */
	char *payload;         /* the alert as JSON (see alert.h) */
	int attempts;
	int64_t created;
	int64_t seq;           /* queue order (creation order) */
	char *rule;            /* or NULL for rows older than schema 2 */
	char *kind;            /* "alert", "feed" (health), "digest" or "spike" */
	char *state;           /* pending, sent, dead, merged, suppressed */
	int64_t next_attempt;
	char *last_error;      /* or NULL */
	int64_t queued;        /* created, or when last re-queued by hand */
	int64_t sent;          /* 0 if not sent */
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
/* The same from queue position AFTER on (seq > AFTER). */
bool hark_store_deliveries_due_after(struct hark_store *st, int64_t now,
				     int64_t after, int limit, GPtrArray **out,
				     GError **err);
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

/* --- Identity, near-duplicates, retention and history (schema 3) --- */

/* What a feed's history taught about its identifiers (see identity.h). */
bool hark_store_feed_trust_get(struct hark_store *st, int64_t feed_id,
			       struct hark_identity_trust *out, GError **err);
bool hark_store_feed_trust_set(struct hark_store *st, int64_t feed_id,
			       const struct hark_identity_trust *trust, GError **err);

enum hark_item_match {
	HARK_MATCH_NONE,
	HARK_MATCH_KEY,       /* the stored key */
	HARK_MATCH_GUID,
	HARK_MATCH_LINK,      /* the normalised link */
	HARK_MATCH_CONTENT,   /* the title+text fingerprint */
};

/* A stored item found by hark_store_item_find(); strings owned. */
struct hark_item_lookup {
	int64_t id;                 /* 0: not found */
	enum hark_item_match by;
	char *guid;
	char *title;
	char *text;
};
void hark_item_lookup_clear(struct hark_item_lookup *l);

/* Finds the item of FEED_ID that an incoming item designates: by KEY,
 * then (each when allowed and IDS has it) by guid, normalised link and
 * content fingerprint.  OUT->id is 0 when none matches. */
bool hark_store_item_find(struct hark_store *st, int64_t feed_id, const char *key,
			  const struct hark_item_ids *ids, bool use_guid,
			  bool use_link, bool use_content,
			  struct hark_item_lookup *out, GError **err);

/* Inserts ITEM of FEED_ID under KEY with its identifiers and, when
 * HAS_SIMHASH, its SimHash (indexed by band).  *ITEM_ID gets the row id. */
bool hark_store_item_insert(struct hark_store *st, int64_t feed_id, const char *key,
			    const struct hark_item_ids *ids,
			    const struct hark_item *item, bool has_simhash,
			    uint64_t simhash, int64_t now, int64_t *item_id,
			    GError **err);

/* A known item seen again: last_seen = NOW, and its stored guid, link and
 * fingerprint follow IDS (a rotated guid is found directly next time).
 * When EDITED, title, text, dates and SimHash are replaced too. */
bool hark_store_item_refresh(struct hark_store *st, int64_t item_id,
			     const struct hark_item_ids *ids,
			     const struct hark_item *item, bool edited,
			     bool has_simhash, uint64_t simhash, int64_t now,
			     GError **err);

/* Items (any feed, other than EXCLUDE_ID) within HARK_SIMHASH_MAX_DISTANCE
 * of SIMHASH, found through the band indexes.  *OUT: GArray of int64_t. */
bool hark_store_near_duplicates(struct hark_store *st, uint64_t simhash,
				int64_t exclude_id, GArray **out, GError **err);

/* The earliest hit of RULE on another copy of a story: an item (any
 * feed, other than EXCLUDE_ID) with the same normalised LINK (when not
 * NULL), or within HARK_SIMHASH_MAX_DISTANCE of SIMHASH (when
 * HAS_SIMHASH).  *HIT_ID is 0 when there is none. */
bool hark_store_near_duplicate_hit(struct hark_store *st, bool has_simhash,
				   uint64_t simhash, const char *link,
				   int64_t exclude_id, const char *rule,
				   int64_t *hit_id, GError **err);

/* Records that the story of HIT_ID was also seen as ITEM_ID (feed FEED_ID,
 * LINK).  Idempotent. */
bool hark_store_also_seen_add(struct hark_store *st, int64_t hit_id,
			      int64_t item_id, int64_t now, GError **err);

/* A hit of an existing item re-alerted after an edit. */
bool hark_store_hit_updated(struct hark_store *st, int64_t hit_id, int64_t now,
			    GError **err);

/* One incremental pruning step: deletes at most LIMIT items last seen
 * before ITEMS_BEFORE that no hit references, and at most LIMIT hits
 * created before HITS_BEFORE with nothing left to deliver.  Short
 * transaction of its own; call between polls until *DELETED is 0. */
bool hark_store_prune(struct hark_store *st, int64_t items_before,
		      int64_t hits_before, int limit, unsigned *deleted,
		      GError **err);

/* "Also seen at": another feed's copy of a hit's story. */
struct hark_also_seen {
	char *feed;
	char *link;
	char *title;
	int64_t seen;
};

struct hark_hit_row {
	int64_t id;
	char *rule;
	int64_t created;
	double sentiment;       /* NAN: not scored */
	int updates;            /* re-alerts after edits */
	char *feed;
	char *title;
	char *link;
	char *author;
	int64_t published;      /* HARK_TIME_NONE when unknown */
	GPtrArray *also_seen;   /* of struct hark_also_seen*, owned, never NULL */
	int64_t handled;        /* when marked handled (web page); 0: not */
	char *text;             /* the item's clean text, when WITH_TEXT */
};
void hark_hit_row_free(struct hark_hit_row *r);

struct hark_hit_query {
	const char *rule;       /* NULL: every rule */
	int64_t since;          /* hits created at or after; 0: all */
	const char *search;     /* FTS5 query over the items, or NULL */
	int limit;              /* 0: no limit */
	/* The web page's filters; zero: none. */
	const char *feeds_json; /* only these feeds (JSON array of names) */
	bool has_min_sentiment; /* sentiment >= min (unscored hits fail) */
	bool has_max_sentiment; /* sentiment <= max */
	double min_sentiment, max_sentiment;
	int64_t until;          /* created < until */
	int64_t before_id;      /* id < before_id (paging) */
	int64_t after_id;       /* id > after_id, and oldest first (live) */
	bool unhandled;         /* not marked handled */
	bool with_text;         /* fill text */
};

/* Hits matching Q, newest first (array of struct hark_hit_row*, owned).
 * A malformed FTS5 query is a HARK_ERROR_USER error. */
bool hark_store_hits_query(struct hark_store *st, const struct hark_hit_query *q,
			   GPtrArray **out, GError **err);

/* The also-seen records of HIT_ID (array of struct hark_also_seen*). */
bool hark_store_also_seen_list(struct hark_store *st, int64_t hit_id,
			       GPtrArray **out, GError **err);
void hark_also_seen_free(struct hark_also_seen *a);

/* Hits per rule per UTC day since SINCE. */
struct hark_hit_stat {
	char *rule;
	int64_t day;            /* Unix time of the day's 00:00 UTC */
	unsigned hits;
	unsigned scored;        /* hits with a sentiment */
	double mean_sentiment;  /* NAN when scored is 0 */
};
bool hark_store_hit_stats(struct hark_store *st, const char *rule, int64_t since,
			  GPtrArray **out, GError **err);
void hark_hit_stat_free(struct hark_hit_stat *s);

/* A bulk load (imports, benchmarks): one transaction in which new items
 * skip the full-text index, rebuilt once by hark_store_bulk_commit()
 * (about twice as fast as indexing row by row).  Use instead of
 * hark_store_begin()/hark_store_commit(). */
bool hark_store_bulk_begin(struct hark_store *st, GError **err);
bool hark_store_bulk_commit(struct hark_store *st, GError **err);

/* Sets the page cache to MB megabytes (the daemon's default is 16): bulk
 * loads into indexes with random keys (SimHash bands, fingerprints)
 * need the index pages cached. */
bool hark_store_set_cache_mb(struct hark_store *st, int mb, GError **err);

/* Bytes in use by the database file (page_count * page_size). */
bool hark_store_size(struct hark_store *st, int64_t *bytes, GError **err);

/* --- Daemon state for `hark status` and `hark tail` --- */

/* A small key/value table ("meta") outside the numbered migrations:
 * created if missing on open, ignored by builds that do not know it.
 * *VALUE is NULL when KEY was never set (caller frees). */
bool hark_store_meta_set(struct hark_store *st, const char *key,
			 const char *value, GError **err);
bool hark_store_meta_get(struct hark_store *st, const char *key, char **value,
			 GError **err);

/* Outbox rows by state. */
struct hark_delivery_counts {
	int64_t pending;
	int64_t dead;
	int64_t sent;
};
bool hark_store_delivery_counts(struct hark_store *st,
				struct hark_delivery_counts *out, GError **err);

/* Hits with an id above AFTER_ID (of RULE, or every rule when NULL),
 * oldest first, at most LIMIT (array of struct hark_hit_row*, owned;
 * also_seen left empty).  Hit ids only grow, so a follower keeps the
 * last id it printed. */
bool hark_store_hits_after(struct hark_store *st, const char *rule,
			   int64_t after_id, int limit, GPtrArray **out,
			   GError **err);

/* The highest hit id (0: none yet). */
bool hark_store_last_hit_id(struct hark_store *st, int64_t *id, GError **err);

/* --- Delivery outbox (outbox.h) --- */

/* Queues a message that belongs to RULE but to no single hit: KIND is
 * "digest" or "spike". */
bool hark_store_delivery_add_message(struct hark_store *st, const char *rule,
				     const char *kind, const char *channel,
				     const char *payload, int64_t now,
				     char **id_out, GError **err);

/* "CHANNEL\nRULE": the unit of ordering.  Caller frees. */
char *hark_delivery_key(const char *channel, const char *rule);

/* Per-rule order: the keys (hark_delivery_key) that have a failed
 * delivery waiting for its retry, each mapped to the smallest seq
 * (int64_t*) of such a delivery.  Later deliveries of the key wait. */
bool hark_store_deliveries_blocked(struct hark_store *st, int64_t now,
				   GHashTable **out, GError **err);
/* The earliest next_attempt of a pending delivery (INT64_MAX: none). */
bool hark_store_next_due(struct hark_store *st, int64_t *when, GError **err);
/* Pending and dead deliveries (every one when ALL), in queue order. */
bool hark_store_deliveries_list(struct hark_store *st, bool all, GPtrArray **out,
				GError **err);
/* Pending alerts of RULE for CHANNEL created before BEFORE, in order. */
bool hark_store_deliveries_digest(struct hark_store *st, const char *rule,
				  const char *channel, int64_t before,
				  GPtrArray **out, GError **err);
/* In one transaction: marks MERGED (struct hark_delivery*) merged and
 * queues the digest PAYLOAD in their place. */
bool hark_store_digest_replace(struct hark_store *st, GPtrArray *merged,
			       const char *rule, const char *channel,
			       const char *payload, int64_t now, char **id_out,
			       GError **err);
/* Holds a delivery until UNTIL without counting an attempt. */
bool hark_store_delivery_defer(struct hark_store *st, const char *id, int64_t until,
			       GError **err);
/* Drops a delivery on purpose (rate limit, mute), keeping the row. */
bool hark_store_delivery_suppress(struct hark_store *st, const char *id,
				  const char *why, int64_t now, GError **err);
/* Re-queues delivery ID (or every pending and dead one when ID is NULL)
 * for now, with fresh attempt and age caps.  *COUNT: rows changed. */
bool hark_store_delivery_retry(struct hark_store *st, const char *id, int64_t now,
			       int *count, GError **err);
/* Deliveries of RULE to CHANNEL sent at or after SINCE. */
bool hark_store_sent_count(struct hark_store *st, const char *rule,
			   const char *channel, int64_t since, int64_t *n,
			   GError **err);

/* Desktop "Mute rule for 1 h": until UNTIL (0 when never muted). */
bool hark_store_mute(struct hark_store *st, const char *rule, int64_t until,
		     GError **err);
bool hark_store_muted_until(struct hark_store *st, const char *rule, int64_t *until,
			    GError **err);

/* Hits of RULE per hour: COUNTS[i] = hits in [END - (i+1)h, END - i h). */
bool hark_store_hit_hours(struct hark_store *st, const char *rule, int64_t end,
			  int hours, int64_t *counts, GError **err);
/* Records that RULE's spike for HOUR was raised; *CLAIMED is false when it
 * already was (one spike alert per hour). */
bool hark_store_spike_claim(struct hark_store *st, const char *rule, int64_t hour,
			    bool *claimed, GError **err);

/* --- The web page (web.h): handled hits, hit buckets; "mute rule" is
 * hark_store_mute() above --- */

/* Marks HIT_ID handled at WHEN (0: not handled).  *FOUND is false when
 * there is no such hit. */
bool hark_store_hit_set_handled(struct hark_store *st, int64_t hit_id, int64_t when,
				bool *found, GError **err);

/* Hits of RULE (NULL: every rule) created in [SINCE, UNTIL), counted per
 * rule in buckets of BUCKET seconds aligned on the Unix epoch (UTC hours
 * and days; hark_store_hit_stats() has days only).  Array of struct
 * hark_hit_bucket*, by rule then time. */
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

#endif
