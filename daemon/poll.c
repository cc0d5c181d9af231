/* poll.c - fetch, parse, store, match and queue, for one feed. */
#include "hark/poll.h"
#include "hark/alert.h"
#include "hark/error.h"
#include "hark/fetch.h"
#include "hark/identity.h"
#include "hark/log.h"
#include "hark/parse.h"
#include "hark/simhash.h"

#include <math.h>
#include <string.h>

#define BACKOFF_CAP (12 * 3600)

char *hark_item_key(const struct hark_item *item)
{
	GChecksum *ck;
	char *key;

	if (item->id && *item->id)
		return g_strconcat("guid:", item->id, NULL);
	if (item->link && *item->link)
		return g_strconcat("link:", item->link, NULL);
	ck = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(ck, (const guchar *)(item->title ? item->title : ""), -1);
	g_checksum_update(ck, (const guchar *)"\n", 1);
	g_checksum_update(ck, (const guchar *)hark_item_field(item, HARK_FIELD_TEXT), -1);
	key = g_strconcat("hash:", g_checksum_get_string(ck), NULL);
	g_checksum_free(ck);
	return key;
}

/* After N consecutive failures: interval * 2^(N-1), capped, never a stop. */
static int64_t failure_delay(int64_t interval, int failures)
{
	int64_t d = interval;

	for (int i = 1; i < failures && d < BACKOFF_CAP; i++)
		d *= 2;
	return MIN(d, MAX(interval, BACKOFF_CAP));
}

static void record_failure(struct hark_store *st, struct hark_feed_state *fs,
			   const struct hark_feed_conf *feed, int64_t now,
			   long status, const char *why)
{
	GError *e = NULL;

	fs->last_poll = now;
	fs->polls++;
	fs->last_status = (int)status;
	g_free(fs->last_error);
	fs->last_error = g_strdup(why);
	fs->failures++;
	fs->next_poll = now + failure_delay(feed->interval, fs->failures);
	if (!hark_store_feed_save(st, fs, &e)) {
		hark_error("feed %s: %s", feed->name, e->message);
		g_error_free(e);
	}
}

static bool str_same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* Whether the document gives one link to many different items (a blog's
 * home page, a "read more" URL): then links identify nothing. */
static bool links_shared(const struct hark_item_ids *ids, guint n)
{
	GHashTable *fps_by_link = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
							(GDestroyNotify)g_hash_table_unref);
	guint most = 0;

	for (guint i = 0; i < n; i++) {
		GHashTable *fps;

		if (!ids[i].link || !ids[i].fp)
			continue;
		fps = g_hash_table_lookup(fps_by_link, ids[i].link);
		if (!fps) {
			fps = g_hash_table_new(g_str_hash, g_str_equal);
			g_hash_table_insert(fps_by_link, ids[i].link, fps);
		}
		g_hash_table_add(fps, ids[i].fp);
		most = MAX(most, g_hash_table_size(fps));
	}
	g_hash_table_unref(fps_by_link);
	return most >= 3 || (n == 2 && most == 2);
}

/* The text near-duplicates are judged on: the clean text, which copies
 * of a syndicated story share while their titles get each site's
 * decorations; the title too when the text alone is too short. */
static bool item_simhash(const struct hark_item *item, uint64_t *out)
{
	char *text;
	bool ok;

	if (hark_simhash(hark_item_field(item, HARK_FIELD_TEXT), out))
		return true;
	text = g_strconcat(item->title ? item->title : "", "\n",
			   hark_item_field(item, HARK_FIELD_TEXT), NULL);
	ok = hark_simhash(text, out);
	g_free(text);
	return ok;
}

/* The link that names the story across feeds: only a trusted link, and
 * not a site's home page. */
static const char *story_link(const struct hark_item_ids *ids,
			      const struct hark_identity_trust *trust)
{
	const char *path;

	if (!ids->link || trust->links_unreliable)
		return NULL;
	path = strstr(ids->link, "://");
	path = path ? strchr(path + 3, '/') : NULL;
	return path && strcmp(path, "/") ? ids->link : NULL;
}

/* Queues HIT's alert to each of its rule's channels. */
static bool queue_alert(struct hark_store *st, const struct hark_rule_hit *hit,
			const struct hark_feed_conf *feed,
			const struct hark_item *item, int64_t hit_id, bool update,
			int64_t now, GError **err)
{
	GPtrArray *also = NULL;
	char *payload, *annotated;
	bool ok = true;

	if (update && !hark_store_also_seen_list(st, hit_id, &also, err))
		return false;
	payload = hark_alert_payload(hit, feed->name, item);
	annotated = hark_alert_annotate(payload, update, also);
	for (guint c = 0; c < hit->rule->alert->len && ok; c++)
		ok = hark_store_delivery_add(st, hit_id, hit->rule->alert->pdata[c],
					     annotated, now, NULL, err);
	g_free(annotated);
	g_free(payload);
	if (also)
		g_ptr_array_unref(also);
	return ok;
}

/* A known item was edited: rules with on_update = alert alert again,
 * marked as an update; the others stay quiet. */
static bool store_update(struct hark_store *st, const struct hark_ruleset *rs,
			 const struct hark_feed_conf *feed,
			 const struct hark_match_source *src,
			 const struct hark_item *item, int64_t item_id, int64_t now,
			 struct hark_poll_stats *stats, GError **err)
{
	GPtrArray *hits = hark_ruleset_match(rs, item, src);
	bool ok = true;

	for (guint h = 0; h < hits->len && ok; h++) {
		const struct hark_rule_hit *hit = hits->pdata[h];
		int64_t hit_id;
		bool hit_new;

		if (!hit->rule->alert_on_update)
			continue;
		ok = hark_store_hit_put(st, item_id, hit->rule->name,
					hit->has_sentiment ? hit->sentiment : NAN,
					now, &hit_new, &hit_id, err) &&
		     (hit_new || hark_store_hit_updated(st, hit_id, now, err)) &&
		     queue_alert(st, hit, feed, item, hit_id, true, now, err);
		stats->hits += ok;
	}
	g_ptr_array_unref(hits);
	return ok;
}

/* A new item: its hits alert, except for rules that already alerted on a
 * near-duplicate (the same story from another feed), where the item is
 * recorded on that hit as "also seen at". */
static bool store_new(struct hark_store *st, const struct hark_ruleset *rs,
		      const struct hark_feed_conf *feed,
		      const struct hark_match_source *src,
		      const struct hark_item *item, int64_t item_id, bool has_sh,
		      uint64_t sh, const char *link, int64_t now,
		      struct hark_poll_stats *stats, GError **err)
{
	GPtrArray *hits = hark_ruleset_match(rs, item, src);
	bool ok = true;

	for (guint h = 0; h < hits->len && ok; h++) {
		const struct hark_rule_hit *hit = hits->pdata[h];
		int64_t hit_id, orig = 0;
		bool hit_new;

		if (!hark_store_near_duplicate_hit(st, has_sh, sh, link, item_id,
						   hit->rule->name, &orig, err)) {
			ok = false;
			break;
		}
		if (orig) {
			ok = hark_store_also_seen_add(st, orig, item_id, now, err);
			stats->also_seen += ok;
			continue;
		}
		ok = hark_store_hit_put(st, item_id, hit->rule->name,
					hit->has_sentiment ? hit->sentiment : NAN,
					now, &hit_new, &hit_id, err);
		if (!ok || !hit_new)
			continue;
		stats->hits++;
		ok = queue_alert(st, hit, feed, item, hit_id, false, now, err);
	}
	g_ptr_array_unref(hits);
	return ok;
}

static bool store_item(struct hark_store *st, const struct hark_ruleset *rs,
		       const struct hark_feed_conf *feed,
		       struct hark_feed_state *fs,
		       const struct hark_match_source *src,
		       const struct hark_item *item, const struct hark_item_ids *ids,
		       enum hark_identity_mode mode, struct hark_identity_trust *trust,
		       int64_t now, struct hark_poll_stats *stats, GError **err)
{
	enum hark_identity_mode strategy = hark_identity_effective(mode, trust, ids);
	char *key = hark_identity_key(strategy, ids);
	bool use_guid = mode == HARK_IDENTITY_AUTO ? !trust->guids_unreliable
						   : mode == HARK_IDENTITY_GUID;
	bool use_link = mode == HARK_IDENTITY_AUTO ? !trust->links_unreliable
						   : mode == HARK_IDENTITY_LINK;
	bool use_content = mode == HARK_IDENTITY_AUTO || mode == HARK_IDENTITY_CONTENT;
	struct hark_item_lookup old;
	uint64_t sh = 0;
	bool has_sh = item_simhash(item, &sh);
	int64_t item_id;
	bool ok;

	ok = hark_store_item_find(st, fs->id, key, ids, use_guid, use_link,
				  use_content, &old, err);
	if (ok && old.id) {
		bool edited = !str_same(old.title, item->title) ||
			      !str_same(old.text, hark_item_field(item, HARK_FIELD_TEXT));

		/* Same link or same content under a new guid: the feed's guids
		 * rotate (or carry the headline); stop trusting them. */
		if (mode == HARK_IDENTITY_AUTO && !trust->guids_unreliable &&
		    (old.by == HARK_MATCH_LINK || old.by == HARK_MATCH_CONTENT) &&
		    ids->guid && old.guid && strcmp(ids->guid, old.guid)) {
			trust->guids_unreliable = true;
			hark_info("feed %s: guids change on known items; identifying "
				  "its items by link or content", feed->name);
		}
		ok = hark_store_item_refresh(st, old.id, ids, item, edited, has_sh, sh,
					     now, err);
		if (ok && edited) {
			stats->updated++;
			ok = store_update(st, rs, feed, src, item, old.id, now, stats, err);
		}
	} else if (ok) {
		ok = hark_store_item_insert(st, fs->id, key, ids, item, has_sh, sh, now,
					    &item_id, err);
		if (ok) {
			stats->new_items++;
			fs->items_seen++;
			ok = store_new(st, rs, feed, src, item, item_id, has_sh, sh,
				       story_link(ids, trust), now, stats, err);
		}
	}
	hark_item_lookup_clear(&old);
	g_free(key);
	return ok;
}

static bool store_document(struct hark_store *st, const struct hark_ruleset *rs,
			   const struct hark_feed_conf *feed,
			   struct hark_feed_state *fs,
			   const struct hark_feed_doc *doc, int64_t now,
			   struct hark_poll_stats *stats, GError **err)
{
	struct hark_match_source src = {feed->name, feed->tags};
	enum hark_identity_mode mode = HARK_IDENTITY_AUTO;
	struct hark_identity_trust trust, before;
	guint n = doc->items->len;
	struct hark_item_ids *ids;
	bool ok = true;

	if (feed->identity)
		hark_identity_mode_parse(feed->identity, &mode);
	if (!hark_store_feed_trust_get(st, fs->id, &trust, err))
		return false;
	before = trust;
	ids = g_new0(struct hark_item_ids, MAX(n, 1));
	for (guint i = 0; i < n; i++)
		hark_item_ids_compute(doc->items->pdata[i], &ids[i]);
	if (mode == HARK_IDENTITY_AUTO && !trust.links_unreliable &&
	    links_shared(ids, n)) {
		trust.links_unreliable = true;
		hark_info("feed %s: many items share one link; identifying its "
			  "items by guid or content", feed->name);
	}
	for (guint i = 0; i < n && ok; i++)
		ok = store_item(st, rs, feed, fs, &src, doc->items->pdata[i], &ids[i],
				mode, &trust, now, stats, err);
	if (ok && (trust.guids_unreliable != before.guids_unreliable ||
		   trust.links_unreliable != before.links_unreliable))
		ok = hark_store_feed_trust_set(st, fs->id, &trust, err);
	for (guint i = 0; i < n; i++)
		hark_item_ids_clear(&ids[i]);
	g_free(ids);
	return ok;
}

bool hark_poll_feed(struct hark_store *st, const struct hark_ruleset *rs,
		    const struct hark_feed_conf *feed, int64_t now,
		    struct hark_poll_stats *stats, GError **err)
{
	struct hark_feed_state fs;
	struct hark_fetch_request req = {0};
	struct hark_fetch_result res;
	struct hark_parse_opts popts = {0};
	struct hark_feed_doc *doc;
	GError *e = NULL;
	bool ok;

	memset(stats, 0, sizeof *stats);
	if (!hark_store_feed_load(st, feed->name, feed->url, &fs, err))
		return false;
	req.url = fs.url;
	req.etag = fs.etag;
	req.last_modified = fs.last_modified;
	req.allow_file = true;
	if (!hark_fetch_once(&req, &res, &e)) {
		record_failure(st, &fs, feed, now, 0, e->message);
		g_propagate_prefixed_error(err, e, "feed %s: ", feed->name);
		hark_feed_state_clear(&fs);
		return false;
	}
	stats->status = res.status;
	if (res.status == 304) {
		stats->not_modified = true;
		fs.last_poll = fs.last_success = now;
		fs.polls++;
		fs.last_status = 304;
		g_clear_pointer(&fs.last_error, g_free);
		fs.failures = 0;
		fs.next_poll = now + feed->interval;
		ok = hark_store_feed_save(st, &fs, err);
		hark_fetch_result_clear(&res);
		hark_feed_state_clear(&fs);
		return ok;
	}
	if (res.status < 200 || res.status > 299) {
		char *why = g_strdup_printf("HTTP %ld", res.status);
		record_failure(st, &fs, feed, now, res.status, why);
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "feed %s: %s",
			    feed->name, why);
		g_free(why);
		hark_fetch_result_clear(&res);
		hark_feed_state_clear(&fs);
		return false;
	}
	popts.base_url = res.effective_url;
	popts.content_type = res.content_type;
	doc = hark_feed_parse(res.body, res.len, &popts, &e);
	if (!doc) {
		record_failure(st, &fs, feed, now, res.status, e->message);
		g_propagate_prefixed_error(err, e, "feed %s: ", feed->name);
		hark_fetch_result_clear(&res);
		hark_feed_state_clear(&fs);
		return false;
	}
	if (doc->bozo)
		hark_info("feed %s: broken feed recovered: %s", feed->name,
			  doc->bozo_reason ? doc->bozo_reason : "?");
	stats->items = doc->items->len;

	ok = hark_store_begin(st, err);
	if (ok)
		ok = store_document(st, rs, feed, &fs, doc, now, stats, err);
	if (ok) {
		g_free(fs.etag);
		fs.etag = g_strdup(res.etag);
		g_free(fs.last_modified);
		fs.last_modified = g_strdup(res.last_modified);
		fs.last_poll = fs.last_success = now;
		fs.polls++;
		fs.last_status = (int)res.status;
		g_clear_pointer(&fs.last_error, g_free);
		fs.failures = 0;
		fs.next_poll = now + feed->interval;
		ok = hark_store_feed_save(st, &fs, err) && hark_store_commit(st, err);
	}
	if (!ok) {
		hark_store_rollback(st);
		g_prefix_error(err, "feed %s: ", feed->name);
	}
	hark_feed_doc_free(doc);
	hark_fetch_result_clear(&res);
	hark_feed_state_clear(&fs);
	return ok;
}

#define DELIVERY_MAX_ATTEMPTS 10

unsigned hark_outbox_flush(struct hark_store *st, struct hark_alerter *alerter,
			   int64_t now)
{
	static bool desktop_warned;
	GPtrArray *due = NULL;
	GError *e = NULL;
	unsigned sent = 0;

	if (!hark_store_deliveries_due(st, now, 1000, &due, &e)) {
		hark_error("%s", e->message);
		g_error_free(e);
		return 0;
	}
	for (guint i = 0; i < due->len; i++) {
		const struct hark_delivery *d = due->pdata[i];
		bool permanent = false;

		if (hark_alerter_send(alerter, d, &permanent, &e)) {
			sent++;
			if (!hark_store_delivery_done(st, d->id, now, &e)) {
				hark_error("%s", e->message);
				g_clear_error(&e);
			}
			continue;
		}
		bool dead = permanent || d->attempts + 1 >= DELIVERY_MAX_ATTEMPTS;
		int64_t delay = (int64_t)30 << MIN(d->attempts, 10);
		bool desktop_off = permanent && g_str_equal(d->channel, "desktop");

		/* One warning for a missing notification server, not one per
		 * alert: the alerts stay in history either way. */
		if (!desktop_off || !desktop_warned)
			hark_warn("%s%s", e->message,
				  desktop_off ? "; desktop alerts are kept in history only"
				  : dead ? "; giving up on this delivery" : "; will retry");
		desktop_warned |= desktop_off;
		if (!hark_store_delivery_failed(st, d->id, e->message, now + delay,
						dead, NULL))
			hark_error("delivery %s: cannot record the failure", d->id);
		g_clear_error(&e);
	}
	g_ptr_array_unref(due);
	return sent;
}
