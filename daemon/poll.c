/* poll.c - fetch, parse, store, match and queue, for one feed. */
#include "hark/poll.h"
#include "hark/alert.h"
#include "hark/error.h"
#include "hark/fetch.h"
#include "hark/log.h"
#include "hark/parse.h"

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

static bool store_document(struct hark_store *st, const struct hark_ruleset *rs,
			   const struct hark_feed_conf *feed,
			   struct hark_feed_state *fs,
			   const struct hark_feed_doc *doc, int64_t now,
			   struct hark_poll_stats *stats, GError **err)
{
	struct hark_match_source src = {feed->name, feed->tags};

	for (guint i = 0; i < doc->items->len; i++) {
		const struct hark_item *item = doc->items->pdata[i];
		char *key = hark_item_key(item);
		int64_t item_id;
		bool is_new;
		GPtrArray *hits;
		bool ok = hark_store_item_put(st, fs->id, key, item, now, &is_new,
					      &item_id, err);

		g_free(key);
		if (!ok)
			return false;
		if (!is_new)
			continue;
		stats->new_items++;
		fs->items_seen++;
		hits = hark_ruleset_match(rs, item, &src);
		for (guint h = 0; h < hits->len && ok; h++) {
			const struct hark_rule_hit *hit = hits->pdata[h];
			int64_t hit_id;
			bool hit_new;
			char *payload;

			ok = hark_store_hit_put(st, item_id, hit->rule->name,
						hit->has_sentiment ? hit->sentiment : NAN,
						now, &hit_new, &hit_id, err);
			if (!ok || !hit_new)
				continue;
			stats->hits++;
			payload = hark_alert_payload(hit, feed->name, item);
			for (guint c = 0; c < hit->rule->alert->len && ok; c++)
				ok = hark_store_delivery_add(st, hit_id,
							     hit->rule->alert->pdata[c],
							     payload, now, NULL, err);
			g_free(payload);
		}
		g_ptr_array_unref(hits);
		if (!ok)
			return false;
	}
	return true;
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
