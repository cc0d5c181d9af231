/* poll.c - fetch, parse, store, match and queue, for one feed. */
#include "hark/poll.h"
#include "hark/alert.h"
#include "hark/error.h"
#include "hark/fetch.h"
#include "hark/identity.h"
#include "hark/log.h"
#include "hark/parse.h"
#include "hark/simhash.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>


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

void hark_poll_opts_init(struct hark_poll_opts *o, const struct hark_config *cfg)
{
	memset(o, 0, sizeof *o);
	o->backoff_max = cfg ? cfg->backoff_max : 12 * 3600;
	o->unconditional_every = cfg ? cfg->unconditional_every : 24;
	o->broken_after = cfg ? cfg->broken_after : 24 * 3600;
	o->connect_timeout = cfg ? (long)cfg->connect_timeout : 15;
	o->timeout = cfg ? (long)cfg->timeout : 60;
	o->low_speed_time = cfg ? (long)cfg->low_speed_time : 30;
	o->max_size = cfg ? (size_t)cfg->max_size : HARK_FETCH_MAX_BYTES_DEFAULT;
	o->health_alert = cfg ? cfg->health_alert : NULL;
}

void hark_poll_stats_clear(struct hark_poll_stats *stats)
{
	g_free(stats->moved_to);
	memset(stats, 0, sizeof *stats);
}

/* Unix time, for the health alert text. */
static char *iso_time(int64_t t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("?");

	if (dt)
		g_date_time_unref(dt);
	return s;
}

/* D plus or minus 10%, so feeds started together drift apart. */
static int64_t jitter(int64_t d)
{
	int64_t spread = d / 10;

	if (spread < 1)
		return d;
	return d + g_random_int_range(-(gint32)MIN(spread, G_MAXINT32 / 2),
				      (gint32)MIN(spread, G_MAXINT32 / 2) + 1);
}

/* After N consecutive failures: interval * 2^(N-1), capped, with "equal
 * jitter" (half fixed, half random) so that feeds failing together do not
 * retry together.  Never a stop: the cap is the longest wait. */
static int64_t failure_delay(int64_t interval, int failures, int64_t cap)
{
	int64_t d = MAX(interval, 1);

	for (int i = 1; i < failures && d < cap; i++)
		d *= 2;
	d = MIN(d, cap);
	return d - d / 2 + (d / 2 > 0 ? g_random_int_range(0, (gint32)MIN(d / 2, G_MAXINT32 - 1) + 1) : 0);
}

/* Mean gap between the newest items of FS (seconds), or 0 if unknown. */
static int64_t posting_gap(struct hark_store *st, const struct hark_feed_state *fs)
{
	GArray *times = NULL;
	int64_t gap = 0;

	if (!hark_store_feed_item_times(st, fs->id, 20, &times, NULL))
		return 0;
	if (times->len >= 3) {
		int64_t newest = g_array_index(times, int64_t, 0);
		int64_t oldest = g_array_index(times, int64_t, times->len - 1);
		gap = (newest - oldest) / (int64_t)(times->len - 1);
	}
	g_array_unref(times);
	return gap;
}

/* interval = auto: half the feed's mean posting gap, within bounds. */
static int64_t feed_interval(struct hark_store *st, const struct hark_feed_conf *feed,
			     struct hark_feed_state *fs)
{
	int64_t gap;

	if (!feed->interval_auto) {
		fs->cur_interval = 0;
		return feed->interval;
	}
	gap = posting_gap(st, fs);
	fs->cur_interval = CLAMP(gap > 0 ? gap / 2 : feed->interval,
				 feed->interval_min, feed->interval_max);
	return fs->cur_interval;
}

static char *health_payload(const struct hark_feed_conf *feed,
			    const struct hark_feed_state *fs, const char *state,
			    int64_t now)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *title, *snippet, *url = hark_url_redact(fs->url), *when, *out;

	if (!strcmp(state, "broken")) {
		char *since = iso_time(fs->failing_since);
		title = g_strdup_printf("Source broken: %s", feed->name);
		snippet = g_strdup_printf("failing since %s (%d failures): %s", since,
					  fs->failures, fs->last_error ? fs->last_error : "?");
		g_free(since);
	} else if (!strcmp(state, "silent")) {
		char *last = iso_time(fs->last_new_item);
		title = g_strdup_printf("Source silent: %s", feed->name);
		snippet = g_strdup_printf("no new item since %s", last);
		g_free(last);
	} else {
		title = g_strdup_printf("Source recovered: %s", feed->name);
		snippet = g_strdup_printf("polled successfully (HTTP %d)", fs->last_status);
	}
	when = iso_time(now);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, 1);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, "feed-health");
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, state);
	json_builder_set_member_name(b, "rule");
	json_builder_add_string_value(b, "feed-health");
	json_builder_set_member_name(b, "feed");
	json_builder_add_string_value(b, feed->name);
	json_builder_set_member_name(b, "item");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, title);
	json_builder_set_member_name(b, "link");
	json_builder_add_string_value(b, url);
	json_builder_set_member_name(b, "author");
	json_builder_add_null_value(b);
	json_builder_set_member_name(b, "published");
	json_builder_add_string_value(b, when);
	json_builder_set_member_name(b, "snippet");
	json_builder_add_string_value(b, snippet);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "matches");
	json_builder_begin_array(b);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "sentiment");
	json_builder_add_null_value(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	out = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	g_free(title);
	g_free(snippet);
	g_free(url);
	g_free(when);
	return out;
}

static bool health_alert(struct hark_store *st, const struct hark_poll_opts *o,
			 const struct hark_feed_conf *feed,
			 struct hark_feed_state *fs, const char *state,
			 int64_t now, GError **err)
{
	char *payload = health_payload(feed, fs, state, now);
	bool ok = true;

	hark_log(strcmp(state, "recovered") ? HARK_LOG_WARNING : HARK_LOG_INFO,
		 "feed %s: source %s", feed->name, state);
	if (!o->health_alert)
		ok = hark_store_feed_alert_add(st, fs->id, "stdout", payload, now, err);
	for (guint i = 0; o->health_alert && i < o->health_alert->len && ok; i++)
		ok = hark_store_feed_alert_add(st, fs->id, o->health_alert->pdata[i],
					       payload, now, err);
	g_free(payload);
	g_free(fs->health);
	fs->health = g_strdup(strcmp(state, "recovered") ? state : "ok");
	return ok;
}

/* Silent: no new item for longer than expected (silent_after, else four
 * mean posting gaps and at least a day). */
static bool is_silent(struct hark_store *st, const struct hark_feed_conf *feed,
		      const struct hark_feed_state *fs, int64_t now)
{
	int64_t quiet = now - fs->last_new_item, limit = feed->silent_after;

	if (!fs->last_new_item)
		return false;
	if (!limit) {
		int64_t gap;
		if (quiet < 24 * 3600)
			return false; /* skips the item query on most polls */
		gap = posting_gap(st, fs);
		if (!gap)
			return false;
		limit = MAX(24 * 3600, 4 * gap);
	}
	return quiet > limit;
}

/* The health transitions after a poll; queues at most one alert. */
static bool update_health(struct hark_store *st, const struct hark_poll_opts *o,
			  const struct hark_feed_conf *feed,
			  struct hark_feed_state *fs, bool success, bool new_items,
			  int64_t now, GError **err)
{
	const char *h = fs->health ? fs->health : "ok";

	if (!success) {
		if (strcmp(h, "broken") && fs->failing_since &&
		    now - fs->failing_since >= o->broken_after)
			return health_alert(st, o, feed, fs, "broken", now, err);
		return true;
	}
	if (!strcmp(h, "broken") || (!strcmp(h, "silent") && new_items))
		return health_alert(st, o, feed, fs, "recovered", now, err);
	if (!strcmp(h, "ok") && is_silent(st, feed, fs, now))
		return health_alert(st, o, feed, fs, "silent", now, err);
	return true;
}

gpointer hark_poll_request(const struct hark_poll_opts *o,
			   const struct hark_feed_conf *feed,
			   const struct hark_feed_state *fs, int64_t now,
			   struct hark_fetch_request *req)
{
	const char **headers = g_new0(const char *, feed->headers->len + 1);
	bool full = fs->cond_polls + 1 >= o->unconditional_every ||
		    now - fs->last_full_poll >= 24 * 3600;

	memset(req, 0, sizeof *req);
	for (guint i = 0; i < feed->headers->len; i++)
		headers[i] = feed->headers->pdata[i];
	req->url = fs->url;
	/* Servers that never update Last-Modified (or ETag) would hide new
	 * posts forever: now and then ask without validators. */
	req->etag = full ? NULL : fs->etag;
	req->last_modified = full ? NULL : fs->last_modified;
	req->allow_file = true;
	req->connect_timeout = o->connect_timeout;
	req->timeout = o->timeout;
	req->low_speed_time = o->low_speed_time;
	req->max_bytes = o->max_size;
	req->headers = headers;
	req->username = feed->username;
	req->password = feed->password;
	req->insecure = !feed->tls_verify;
	return headers;
}

static bool failed(struct hark_store *st, const struct hark_poll_opts *o,
		   const struct hark_feed_conf *feed, struct hark_feed_state *fs,
		   int64_t now, long status, long retry_after, const char *why,
		   GError **err)
{
	int64_t base = fs->cur_interval ? fs->cur_interval : feed->interval;
	int64_t delay;
	GError *e = NULL;
	bool ok;

	fs->last_status = (int)status;
	g_free(fs->last_error);
	fs->last_error = g_strdup(why);
	fs->failures++;
	if (!fs->failing_since)
		fs->failing_since = now;
	delay = failure_delay(base, fs->failures, o->backoff_max);
	if (retry_after > delay)
		delay = retry_after;
	if (status == 410)
		delay = o->backoff_max;
	fs->next_poll = now + MIN(delay, MAX(o->backoff_max, 1));
	ok = hark_store_begin(st, &e) &&
	     update_health(st, o, feed, fs, false, false, now, &e) &&
	     hark_store_feed_save(st, fs, &e) && hark_store_commit(st, &e);
	if (!ok) {
		hark_store_rollback(st);
		hark_error("feed %s: %s", feed->name, e->message);
		g_error_free(e);
	}
	g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "feed %s: %s", feed->name, why);
	return false;
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

bool hark_poll_wants_parse(const struct hark_fetch_result *res)
{
	return res && res->status >= 200 && res->status <= 299;
}

struct hark_feed_doc *hark_poll_parse(const struct hark_feed_conf *feed,
				      const struct hark_fetch_result *res,
				      GError **err)
{
	struct hark_parse_opts popts = {0};

	popts.base_url = res->effective_url;
	popts.content_type = res->content_type;
	if (feed && feed->html.item)
		popts.html = &feed->html;
	return hark_feed_parse(res->body, res->len, &popts, err);
}

bool hark_poll_complete(struct hark_store *st, const struct hark_ruleset *rs,
			const struct hark_poll_opts *o,
			const struct hark_feed_conf *feed,
			struct hark_feed_state *fs, int64_t now,
			const struct hark_fetch_result *res, const GError *fetch_err,
			struct hark_feed_doc *doc, const GError *parse_err,
			struct hark_poll_stats *stats, GError **err)
{
	bool full = fs->cond_polls + 1 >= o->unconditional_every ||
		    now - fs->last_full_poll >= 24 * 3600;
	GError *e = NULL;
	char *why;
	bool ok;

	hark_poll_stats_clear(stats);
	stats->unconditional = full;
	fs->last_poll = now;
	fs->polls++;
	if (!res || !hark_poll_wants_parse(res)) {
		hark_feed_doc_free(doc);
		doc = NULL;
	}
	if (!res)
		return failed(st, o, feed, fs, now, 0, -1,
			      fetch_err ? fetch_err->message : "transfer failed", err);
	stats->status = res->status;
	if (res->status == 410) {
		fs->gone = true;
		return failed(st, o, feed, fs, now, 410, -1,
			      "HTTP 410 Gone: the feed is marked gone and polled "
			      "only at the longest backoff", err);
	}
	if (res->status != 304 && (res->status < 200 || res->status > 299)) {
		GString *w = g_string_new(NULL);
		g_string_printf(w, "HTTP %ld", res->status);
		if (res->reason && *res->reason)
			g_string_append_printf(w, " %s", res->reason);
		if ((res->status == 429 || res->status == 503) && res->retry_after_s >= 0)
			g_string_append_printf(w, "; Retry-After %ld s honoured",
					       res->retry_after_s);
		why = g_string_free(w, FALSE);
		ok = failed(st, o, feed, fs, now, res->status,
			    (res->status == 429 || res->status == 503) ? res->retry_after_s : -1,
			    why, err);
		g_free(why);
		return ok;
	}
	if (res->status != 304) {
		if (!doc && !parse_err)
			doc = hark_poll_parse(feed, res, &e);
		else if (parse_err)
			e = g_error_copy(parse_err);
		if (!doc) {
			why = g_strdup_printf("HTTP %ld but not a feed: %s", res->status,
					      e ? e->message : "?");
			g_clear_error(&e);
			ok = failed(st, o, feed, fs, now, res->status, -1, why, err);
			g_free(why);
			return ok;
		}
		if (doc->bozo)
			hark_info("feed %s: broken feed recovered: %s", feed->name,
				  doc->bozo_reason ? doc->bozo_reason : "?");
		stats->items = doc->items->len;
	} else {
		stats->not_modified = true;
	}

	ok = hark_store_begin(st, err);
	if (ok && doc)
		ok = store_document(st, rs, feed, fs, doc, now, stats, err);
	if (ok) {
		/* A 304 may carry fresh validators too; keep the old ones
		 * when it does not. */
		if (res->etag || res->status != 304) {
			g_free(fs->etag);
			fs->etag = g_strdup(res->etag);
		}
		if (res->last_modified || res->status != 304) {
			g_free(fs->last_modified);
			fs->last_modified = g_strdup(res->last_modified);
		}
		if (res->moved_to && strcmp(res->moved_to, fs->url)) {
			stats->moved_to = hark_url_redact(res->moved_to);
			g_free(fs->url);
			fs->url = g_strdup(res->moved_to);
		}
		fs->last_success = now;
		fs->last_status = (int)res->status;
		g_clear_pointer(&fs->last_error, g_free);
		fs->failures = 0;
		fs->failing_since = 0;
		fs->gone = false;
		if (full) {
			fs->cond_polls = 0;
			fs->last_full_poll = now;
		} else {
			fs->cond_polls++;
		}
		if (stats->new_items)
			fs->last_new_item = now;
		fs->next_poll = now + jitter(feed_interval(st, feed, fs));
		ok = update_health(st, o, feed, fs, true, stats->new_items > 0, now, err) &&
		     hark_store_feed_save(st, fs, err) && hark_store_commit(st, err);
	}
	if (!ok) {
		hark_store_rollback(st);
		g_prefix_error(err, "feed %s: ", feed->name);
	}
	hark_feed_doc_free(doc);
	return ok;
}

bool hark_poll_feed(struct hark_store *st, const struct hark_ruleset *rs,
		    const struct hark_feed_conf *feed, int64_t now,
		    struct hark_poll_stats *stats, GError **err)
{
	struct hark_poll_opts o;
	struct hark_feed_state fs;
	struct hark_fetch_request req;
	struct hark_fetch_result res;
	GError *e = NULL;
	gpointer hdrs;
	bool ok;

	memset(stats, 0, sizeof *stats);
	hark_poll_opts_init(&o, NULL);
	if (!hark_store_feed_load(st, feed->name, feed->url, &fs, err))
		return false;
	hdrs = hark_poll_request(&o, feed, &fs, now, &req);
	if (hark_fetch_once(&req, &res, &e)) {
		ok = hark_poll_complete(st, rs, &o, feed, &fs, now, &res, NULL, NULL, NULL,
					 stats, err);
		hark_fetch_result_clear(&res);
	} else {
		ok = hark_poll_complete(st, rs, &o, feed, &fs, now, NULL, e, NULL, NULL,
					 stats, err);
		g_error_free(e);
	}
	g_free(hdrs);
	hark_feed_state_clear(&fs);
	return ok;
}
