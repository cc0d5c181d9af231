/* web.c - the HTTP server of the web page (web.h): libmicrohttpd, access
 * control, routing, the JSON API and the Server-Sent Events stream.
 * The HTML lives in web_pages.c, the stylesheet and script in
 * web_assets.c. */
#include "hark/web.h"
#include "hark/duration.h"
#include "hark/alert.h"
#include "hark/error.h"
#include "hark/fetch.h"
#include "hark/log.h"
#include "web_internal.h"

#include <arpa/inet.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

struct hark_web {
	struct MHD_Daemon *mhd;
	GMutex lock;                 /* guards st, cfg, rs */
	struct hark_store *st;
	struct hark_config *cfg;
	struct hark_ruleset *rs;
	char *config_path;
	char *token;                 /* NULL: none (loopback only) */
	gint stopping;               /* atomic: ends the live streams */
	guint16 port;
};

/* Live streams look for new hits this often. */
#define SSE_POLL_USEC (250 * 1000)
/* ...and send a comment after this much silence, so proxies and the
 * connection timeout do not cut them. */
#define SSE_KEEPALIVE_USEC (15 * G_USEC_PER_SEC)

static int64_t now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

/* --- Listen address --- */

bool hark_web_listen_parse(const char *listen, struct sockaddr_storage *addr,
			   bool *loopback, GError **err)
{
	struct sockaddr_storage ss;
	const char *colon;
	char *host, *end = NULL;
	guint64 port;
	bool ok = true;

	memset(&ss, 0, sizeof ss);
	colon = listen ? strrchr(listen, ':') : NULL;
	if (!colon || colon == listen || !colon[1])
		goto bad;
	port = g_ascii_strtoull(colon + 1, &end, 10);
	if (!end || *end || port > 65535)
		goto bad;
	if (listen[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		if (colon[-1] != ']')
			goto bad;
		host = g_strndup(listen + 1, (gsize)(colon - listen - 2));
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		ok = inet_pton(AF_INET6, host, &s6->sin6_addr) == 1;
		*loopback = ok && IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		host = g_strndup(listen, (gsize)(colon - listen));
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (!g_ascii_strcasecmp(host, "localhost"))
			s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		else
			ok = inet_pton(AF_INET, host, &s4->sin_addr) == 1;
		*loopback = ok && (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	g_free(host);
	if (!ok)
		goto bad;
	if (addr)
		*addr = ss;
	return true;
bad:
	g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
		    "bad listen address '%s' (HOST:PORT, HOST an IP address, "
		    "[IPv6] or localhost)", listen ? listen : "");
	return false;
}

/* --- Filters --- */

static const char *arg(GHashTable *args, const char *name)
{
	const char *v = g_hash_table_lookup(args, name);

	return v && *v ? v : NULL;
}

/* Unix seconds, or an ISO 8601 date-time (UTC unless it says otherwise;
 * a datetime-local input sends "2026-11-23T08:30"). */
static bool parse_time(const char *name, const char *v, int64_t *out, GError **err)
{
	GTimeZone *utc;
	GDateTime *dt;
	char *end = NULL, *t;
	gint64 n = g_ascii_strtoll(v, &end, 10);

	if (end && !*end && n >= 0) {
		*out = n;
		return true;
	}
	t = strlen(v) == 16 ? g_strconcat(v, ":00", NULL) : g_strdup(v);
	utc = g_time_zone_new_utc();
	dt = g_date_time_new_from_iso8601(t, utc);
	g_time_zone_unref(utc);
	g_free(t);
	if (!dt) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "bad %s '%s': Unix seconds or YYYY-MM-DDTHH:MM (UTC)",
			    name, v);
		return false;
	}
	*out = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return true;
}

static bool parse_double(const char *name, const char *v, double *out, GError **err)
{
	char *end = NULL;
	double d;

	if (!v) {
		*out = NAN;
		return true;
	}
	d = g_ascii_strtod(v, &end);
	if (!end || *end || isnan(d) || d < -1 || d > 1) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "bad %s '%s': a number from -1 to 1", name, v);
		return false;
	}
	*out = d;
	return true;
}

static bool parse_int(const char *name, const char *v, int64_t lo, int64_t hi,
		      int64_t *out, GError **err)
{
	char *end = NULL;
	gint64 n;

	if (!v)
		return true;
	n = g_ascii_strtoll(v, &end, 10);
	if (!end || *end || n < lo || n > hi) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "bad %s '%s': a whole number from %" G_GINT64_FORMAT
			    " to %" G_GINT64_FORMAT, name, v, lo, hi);
		return false;
	}
	*out = n;
	return true;
}

static const struct hark_rule_conf *find_rule(const struct hark_config *cfg,
					      const char *name)
{
	for (guint i = 0; i < cfg->rules->len; i++) {
		const struct hark_rule_conf *r = cfg->rules->pdata[i];
		if (!strcmp(r->name, name))
			return r;
	}
	return NULL;
}

bool web_filter_parse(GHashTable *args, const struct hark_config *cfg, int64_t now,
		      const char *default_window, struct web_filter *f,
		      GError **err)
{
	const char *v;
	int64_t n = 100, win;

	memset(f, 0, sizeof *f);
	f->min_sentiment = f->max_sentiment = NAN;
	f->rule = g_strdup(arg(args, "rule"));
	f->tag = g_strdup(arg(args, "tag"));
	f->search = g_strdup(arg(args, "q"));
	if (f->tag) {
		/* A tag is the set of feeds that carry it in the config. */
		JsonBuilder *b = json_builder_new();
		JsonGenerator *g = json_generator_new();
		JsonNode *root;

		json_builder_begin_array(b);
		for (guint i = 0; i < cfg->feeds->len; i++) {
			const struct hark_feed_conf *fc = cfg->feeds->pdata[i];
			for (guint t = 0; t < fc->tags->len; t++)
				if (!strcmp(fc->tags->pdata[t], f->tag)) {
					json_builder_add_string_value(b, fc->name);
					break;
				}
		}
		json_builder_end_array(b);
		root = json_builder_get_root(b);
		json_generator_set_root(g, root);
		f->feeds_json = json_generator_to_data(g, NULL);
		json_node_unref(root);
		g_object_unref(g);
		g_object_unref(b);
	}
	if (!parse_double("min", arg(args, "min"), &f->min_sentiment, err) ||
	    !parse_double("max", arg(args, "max"), &f->max_sentiment, err))
		return false;
	v = arg(args, "unhandled");
	f->unhandled = v && strcmp(v, "0") && strcmp(v, "no");
	if (!parse_int("limit", arg(args, "limit"), 1, 1000, &n, err) ||
	    !parse_int("before", arg(args, "before"), 0, G_MAXINT64, &f->before_id, err) ||
	    !parse_int("after", arg(args, "after"), 0, G_MAXINT64, &f->after_id, err))
		return false;
	f->limit = (int)n;
	v = arg(args, "bucket");
	if (v && strcmp(v, "hour") && strcmp(v, "day") && strcmp(v, "auto")) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "bad bucket '%s': hour, day or auto", v);
		return false;
	}
	f->bucket = v && strcmp(v, "auto") ? g_strdup(v) : NULL;

	f->since_text = g_strdup(arg(args, "since"));
	f->until_text = g_strdup(arg(args, "until"));
	v = arg(args, "window");
	if ((f->since_text || f->until_text) && (!v || !strcmp(v, "custom"))) {
		f->window = g_strdup("custom");
		if (f->since_text && !parse_time("since", f->since_text, &f->since, err))
			return false;
		if (f->until_text && !parse_time("until", f->until_text, &f->until, err))
			return false;
		if (!f->since_text)
			f->since = (f->until ? f->until : now) - 24 * 3600;
		if (f->until && f->until <= f->since) {
			g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
				    "until must be after since");
			return false;
		}
		return true;
	}
	if (!v || !strcmp(v, "custom"))
		v = default_window;
	if (!hark_duration_parse(v, &win, err)) {
		g_prefix_error(err, "bad window: ");
		return false;
	}
	if (win < 60 || win > 366 * 24 * 3600) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "bad window '%s': from 1m to 366d", v);
		return false;
	}
	f->window = g_strdup(v);
	f->since = now - win;
	return true;
}

void web_filter_clear(struct web_filter *f)
{
	g_free(f->rule);
	g_free(f->tag);
	g_free(f->search);
	g_free(f->feeds_json);
	g_free(f->window);
	g_free(f->since_text);
	g_free(f->until_text);
	g_free(f->bucket);
	memset(f, 0, sizeof *f);
}

static void query_add(GString *q, const char *name, const char *value)
{
	char *e;

	if (!value)
		return;
	e = g_uri_escape_string(value, NULL, FALSE);
	g_string_append_printf(q, "%s%s=%s", q->len ? "&" : "", name, e);
	g_free(e);
}

char *web_filter_query(const struct web_filter *f, bool live)
{
	GString *q = g_string_new(NULL);
	char num[G_ASCII_DTOSTR_BUF_SIZE];

	query_add(q, "rule", f->rule);
	query_add(q, "tag", f->tag);
	query_add(q, "q", f->search);
	if (!isnan(f->min_sentiment))
		query_add(q, "min", g_ascii_dtostr(num, sizeof num, f->min_sentiment));
	if (!isnan(f->max_sentiment))
		query_add(q, "max", g_ascii_dtostr(num, sizeof num, f->max_sentiment));
	if (f->unhandled)
		query_add(q, "unhandled", "1");
	if (!live) {
		query_add(q, "window", f->window);
		if (f->window && !strcmp(f->window, "custom")) {
			query_add(q, "since", f->since_text);
			query_add(q, "until", f->until_text);
		}
	}
	return g_string_free(q, FALSE);
}

void web_filter_to_query(const struct web_filter *f, struct hark_hit_query *q)
{
	memset(q, 0, sizeof *q);
	q->rule = f->rule;
	q->feeds_json = f->feeds_json;
	q->search = f->search;
	q->has_min_sentiment = !isnan(f->min_sentiment);
	q->min_sentiment = f->min_sentiment;
	q->has_max_sentiment = !isnan(f->max_sentiment);
	q->max_sentiment = f->max_sentiment;
	q->since = f->since;
	q->until = f->until;
	q->after_id = f->after_id;
	q->before_id = f->before_id;
	q->unhandled = f->unhandled;
	q->limit = CLAMP(f->limit, 1, 1000);
	q->with_text = true;
}

int64_t web_filter_bucket(const struct web_filter *f, int64_t now)
{
	int64_t span = (f->until ? f->until : now) - f->since;

	/* Hours only up to a month: beyond, a chart would have thousands
	 * of bars. */
	if (f->bucket && !strcmp(f->bucket, "hour") && span <= 31 * 86400)
		return 3600;
	if (f->bucket)
		return 86400;
	return span <= 3 * 86400 ? 3600 : 86400;
}

/* --- JSON --- */

static void add_int(JsonBuilder *b, const char *name, int64_t v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, v);
}

/* 0 (never) as null. */
static void add_time(JsonBuilder *b, const char *name, int64_t t)
{
	json_builder_set_member_name(b, name);
	if (t && t != HARK_TIME_NONE)
		json_builder_add_int_value(b, t);
	else
		json_builder_add_null_value(b);
}

static void add_double(JsonBuilder *b, const char *name, double v)
{
	json_builder_set_member_name(b, name);
	if (isnan(v))
		json_builder_add_null_value(b);
	else
		json_builder_add_double_value(b, round(v * 1000) / 1000);
}

static char *json_finish(JsonBuilder *b)
{
	JsonGenerator *g = json_generator_new();
	JsonNode *root = json_builder_get_root(b);
	char *out;

	json_generator_set_root(g, root);
	out = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return out;
}

static const struct hark_feed_conf *find_feed(const struct hark_config *cfg,
					      const char *name)
{
	for (guint i = 0; i < cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = cfg->feeds->pdata[i];
		if (!strcmp(f->name, name))
			return f;
	}
	return NULL;
}

static void add_hit(JsonBuilder *b, const struct web_ctx *c,
		    const struct hark_hit_row *h)
{
	const struct hark_feed_conf *fc = find_feed(c->cfg, h->feed);
	GArray *spans = web_hit_spans(c, h);

	json_builder_begin_object(b);
	add_int(b, "id", h->id);
	hark_json_add_str(b, "rule", h->rule);
	hark_json_add_str(b, "feed", h->feed);
	json_builder_set_member_name(b, "tags");
	json_builder_begin_array(b);
	for (guint i = 0; fc && i < fc->tags->len; i++)
		json_builder_add_string_value(b, fc->tags->pdata[i]);
	json_builder_end_array(b);
	hark_json_add_str(b, "title", h->title);
	hark_json_add_str(b, "link", h->link);
	hark_json_add_str(b, "author", h->author);
	add_time(b, "published", h->published);
	add_int(b, "created", h->created);
	add_double(b, "sentiment", h->sentiment);
	add_time(b, "handled", h->handled);
	json_builder_set_member_name(b, "also_seen");
	json_builder_begin_array(b);
	for (guint i = 0; h->also_seen && i < h->also_seen->len; i++) {
		const struct hark_also_seen *a = h->also_seen->pdata[i];
		json_builder_begin_object(b);
		hark_json_add_str(b, "feed", a->feed);
		hark_json_add_str(b, "title", a->title);
		hark_json_add_str(b, "link", a->link);
		add_time(b, "seen", a->seen);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "matches");
	json_builder_begin_array(b);
	for (guint i = 0; i < spans->len; i++) {
		const struct hark_span *s = &g_array_index(spans, struct hark_span, i);
		const char *text = s->field == HARK_FIELD_TITLE ? h->title : h->text;
		char *t = g_strndup(text + s->start, s->end - s->start);

		json_builder_begin_object(b);
		hark_json_add_str(b, "field", s->field == HARK_FIELD_TITLE ? "title" : "text");
		add_int(b, "start", (int64_t)s->start);
		add_int(b, "end", (int64_t)s->end);
		hark_json_add_str(b, "text", t);
		json_builder_end_object(b);
		g_free(t);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	g_array_unref(spans);
}

static char *api_hits(const struct web_ctx *c, const struct web_filter *f, GError **err)
{
	struct hark_hit_query q;
	GPtrArray *hits;
	JsonBuilder *b;

	web_filter_to_query(f, &q);
	if (!hark_store_hits_query(c->st, &q, &hits, err))
		return NULL;
	b = json_builder_new();
	json_builder_begin_object(b);
	add_int(b, "since", f->since);
	add_int(b, "until", f->until ? f->until : c->now);
	add_int(b, "count", hits->len);
	json_builder_set_member_name(b, "hits");
	json_builder_begin_array(b);
	for (guint i = 0; i < hits->len; i++)
		add_hit(b, c, hits->pdata[i]);
	json_builder_end_array(b);
	json_builder_end_object(b);
	g_ptr_array_unref(hits);
	return json_finish(b);
}

static char *api_stats(const struct web_ctx *c, const struct web_filter *f, GError **err)
{
	int64_t bucket = web_filter_bucket(f, c->now), start;
	GPtrArray *series = web_series_load(c, f, bucket, &start, err);
	JsonBuilder *b;

	if (!series)
		return NULL;
	b = json_builder_new();
	json_builder_begin_object(b);
	add_int(b, "since", start);
	add_int(b, "until", f->until ? f->until : c->now);
	hark_json_add_str(b, "bucket", bucket == 3600 ? "hour" : "day");
	json_builder_set_member_name(b, "rules");
	json_builder_begin_array(b);
	for (guint i = 0; i < series->len; i++) {
		const struct web_series *s = series->pdata[i];

		json_builder_begin_object(b);
		hark_json_add_str(b, "rule", s->rule);
		add_int(b, "hits", s->total);
		add_double(b, "mean_sentiment", s->mean_all);
		json_builder_set_member_name(b, "buckets");
		json_builder_begin_array(b);
		for (guint k = 0; k < s->n; k++) {
			json_builder_begin_object(b);
			add_int(b, "start", start + (int64_t)k * bucket);
			add_int(b, "hits", s->hits[k]);
			add_double(b, "mean_sentiment", s->mean[k]);
			json_builder_set_member_name(b, "spike");
			json_builder_add_boolean_value(b, s->spike[k]);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	g_ptr_array_unref(series);
	return json_finish(b);
}

static char *api_feeds(const struct web_ctx *c, GError **err)
{
	GPtrArray *list;
	GHashTable *states;
	JsonBuilder *b;

	if (!hark_store_feed_list(c->st, &list, err))
		return NULL;
	states = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < list->len; i++) {
		struct hark_feed_state *fs = list->pdata[i];
		g_hash_table_insert(states, fs->name, fs);
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	add_int(b, "now", c->now);
	json_builder_set_member_name(b, "feeds");
	json_builder_begin_array(b);
	for (guint i = 0; i < c->cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = c->cfg->feeds->pdata[i];
		const struct hark_feed_state *fs = g_hash_table_lookup(states, f->name);
		char *url = hark_url_redact(fs ? fs->url : f->url);

		json_builder_begin_object(b);
		hark_json_add_str(b, "name", f->name);
		hark_json_add_str(b, "url", url);
		json_builder_set_member_name(b, "tags");
		json_builder_begin_array(b);
		for (guint t = 0; t < f->tags->len; t++)
			json_builder_add_string_value(b, f->tags->pdata[t]);
		json_builder_end_array(b);
		hark_json_add_str(b, "status", web_feed_status(fs));
		hark_json_add_str(b, "health", fs && fs->health ? fs->health : "ok");
		json_builder_set_member_name(b, "http_status");
		if (fs && fs->polls && fs->last_status)
			json_builder_add_int_value(b, fs->last_status);
		else
			json_builder_add_null_value(b);
		hark_json_add_str(b, "last_error", fs ? fs->last_error : NULL);
		add_int(b, "failures", fs ? fs->failures : 0);
		add_time(b, "last_poll", fs ? fs->last_poll : 0);
		add_time(b, "last_success", fs ? fs->last_success : 0);
		add_time(b, "next_poll", fs ? fs->next_poll : 0);
		add_int(b, "interval", fs && fs->cur_interval ? fs->cur_interval
							      : f->interval);
		add_int(b, "items_seen", fs ? fs->items_seen : 0);
		add_int(b, "polls", fs ? fs->polls : 0);
		json_builder_end_object(b);
		g_free(url);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	g_hash_table_unref(states);
	for (guint i = 0; i < list->len; i++) {
		hark_feed_state_clear(list->pdata[i]);
		g_free(list->pdata[i]);
	}
	g_ptr_array_unref(list);
	return json_finish(b);
}

/* --- Responses --- */

static enum MHD_Result send_body(struct MHD_Connection *conn, unsigned status,
				 const char *type, const char *body, const char *cookie)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	/* Everything comes from hark itself; feed text never runs. */
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; style-src 'self'; script-src 'self'; "
				"img-src 'self' data:; connect-src 'self'; "
				"form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"hark\"");
	if (cookie)
		MHD_add_response_header(r, "Set-Cookie", cookie);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status,
				  bool json, const char *msg)
{
	enum MHD_Result ret;
	char *body;

	if (json) {
		JsonBuilder *b = json_builder_new();
		json_builder_begin_object(b);
		hark_json_add_str(b, "error", msg);
		json_builder_end_object(b);
		body = json_finish(b);
		ret = send_body(conn, status, "application/json", body, NULL);
	} else {
		body = g_strdup_printf("%u %s\n", status, msg);
		ret = send_body(conn, status, "text/plain; charset=utf-8", body, NULL);
	}
	g_free(body);
	return ret;
}

/* --- Access --- */

static bool same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	/* Constant time in the secret's length: no early exit. */
	for (size_t i = 0; i < lb; i++)
		d |= (unsigned char)(a[i % (la ? la : 1)] ^ b[i]);
	return d == 0 && la == lb;
}

/* Without a token the server listens on loopback only; refusing other
 * Host names keeps a web page from reaching it by DNS rebinding. */
static bool host_is_loopback(const char *host)
{
	if (!host)
		return false;
	return g_str_has_prefix(host, "127.") || g_str_has_prefix(host, "[::1]") ||
	       !g_ascii_strncasecmp(host, "localhost", 9);
}

enum access { ACCESS_OK, ACCESS_OK_SET_COOKIE, ACCESS_DENIED, ACCESS_BAD_HOST };

static enum access check_access(const struct hark_web *w, struct MHD_Connection *conn)
{
	const char *v;

	if (!w->token) {
		v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
		return host_is_loopback(v) ? ACCESS_OK : ACCESS_BAD_HOST;
	}
	v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	if (v && !g_ascii_strncasecmp(v, "Bearer ", 7) && same_secret(v + 7, w->token))
		return ACCESS_OK;
	v = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "hark_token");
	if (v && same_secret(v, w->token))
		return ACCESS_OK;
	v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token");
	if (v && same_secret(v, w->token))
		return ACCESS_OK_SET_COOKIE;
	return ACCESS_DENIED;
}

/* --- Live stream (Server-Sent Events) --- */

struct sse {
	struct hark_web *w;
	struct web_filter f;
	GString *pending;
	gint64 last_send;
};

static void sse_free(void *cls)
{
	struct sse *s = cls;

	web_filter_clear(&s->f);
	g_string_free(s->pending, TRUE);
	g_free(s);
}

/* Appends an event per hit newer than the last one sent. */
static void sse_fill(struct sse *s)
{
	struct hark_web *w = s->w;
	struct hark_hit_query q;
	struct web_ctx c;
	GPtrArray *hits = NULL;
	GError *e = NULL;

	g_mutex_lock(&w->lock);
	c = (struct web_ctx){w->st, w->cfg, w->rs, now_s()};
	web_filter_to_query(&s->f, &q);
	q.since = 0;
	q.until = 0;
	q.limit = 50;
	if (!hark_store_hits_query(w->st, &q, &hits, &e)) {
		hark_warn("web: live stream: %s", e->message);
		g_error_free(e);
	}
	for (guint i = 0; hits && i < hits->len; i++) {
		const struct hark_hit_row *h = hits->pdata[i];
		GString *html = g_string_new(NULL);
		JsonBuilder *b = json_builder_new();
		char *data;

		web_html_hit(html, &c, h);
		json_builder_begin_object(b);
		add_int(b, "id", h->id);
		hark_json_add_str(b, "rule", h->rule);
		hark_json_add_str(b, "html", html->str);
		json_builder_end_object(b);
		data = json_finish(b);
		/* JSON has no raw newlines, so one data: line suffices. */
		g_string_append_printf(s->pending, "id: %" G_GINT64_FORMAT
				       "\nevent: hit\ndata: %s\n\n", h->id, data);
		g_free(data);
		g_string_free(html, TRUE);
		s->f.after_id = h->id;
	}
	g_mutex_unlock(&w->lock);
	if (hits)
		g_ptr_array_unref(hits);
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse *s = cls;
	size_t n;

	(void)pos;
	while (!s->pending->len) {
		if (g_atomic_int_get(&s->w->stopping))
			return MHD_CONTENT_READER_END_OF_STREAM;
		sse_fill(s);
		if (s->pending->len)
			break;
		if (g_get_monotonic_time() - s->last_send >= SSE_KEEPALIVE_USEC) {
			g_string_append(s->pending, ": keep-alive\n\n");
			break;
		}
		/* One thread per connection: waiting here blocks nobody. */
		g_usleep(SSE_POLL_USEC);
	}
	n = MIN(max, s->pending->len);
	memcpy(buf, s->pending->str, n);
	g_string_erase(s->pending, 0, (gssize)n);
	s->last_send = g_get_monotonic_time();
	return (ssize_t)n;
}

static enum MHD_Result send_events(struct hark_web *w, struct MHD_Connection *conn,
				   struct web_filter *f)
{
	struct sse *s = g_new0(struct sse, 1);
	const char *last = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						       "Last-Event-ID");
	struct MHD_Response *r;
	enum MHD_Result ret;

	s->w = w;
	s->f = *f;
	memset(f, 0, sizeof *f);
	/* A reconnecting browser resumes after the last event it got. */
	if (last)
		s->f.after_id = MAX(s->f.after_id, g_ascii_strtoll(last, NULL, 10));
	if (!s->f.after_id) {
		/* No starting point: only hits from now on. */
		struct hark_hit_query q;
		GPtrArray *hits = NULL;

		web_filter_to_query(&s->f, &q);
		q.limit = 1;
		q.since = q.until = 0;
		g_mutex_lock(&w->lock);
		if (hark_store_hits_query(w->st, &q, &hits, NULL) && hits->len)
			s->f.after_id = ((struct hark_hit_row *)hits->pdata[0])->id;
		g_mutex_unlock(&w->lock);
		if (hits)
			g_ptr_array_unref(hits);
	}
	s->pending = g_string_new("retry: 3000\n\n");
	s->last_send = g_get_monotonic_time();
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, sse_read, s,
					      sse_free);
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Accel-Buffering", "no");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* --- Routing --- */

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind,
				   const char *key, const char *value)
{
	(void)kind;
	/* The first value of a repeated name wins. */
	if (!g_hash_table_contains(cls, key))
		g_hash_table_insert(cls, g_strdup(key), g_strdup(value ? value : ""));
	return MHD_YES;
}

/* POST /api/hits/ID/handled[?undo=1] */
static enum MHD_Result post_handled(struct hark_web *w, struct MHD_Connection *conn,
				    const char *id_text)
{
	const char *undo = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "undo");
	int64_t when = undo && strcmp(undo, "0") ? 0 : now_s();
	char *end = NULL;
	gint64 id = g_ascii_strtoll(id_text, &end, 10);
	bool found = false;
	GError *e = NULL;
	JsonBuilder *b;
	char *body;
	enum MHD_Result ret;

	if (!end || *end || id <= 0)
		return send_error(conn, MHD_HTTP_NOT_FOUND, true, "no such hit");
	g_mutex_lock(&w->lock);
	if (!hark_store_hit_set_handled(w->st, id, when, &found, &e)) {
		g_mutex_unlock(&w->lock);
		ret = send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, true, e->message);
		g_error_free(e);
		return ret;
	}
	g_mutex_unlock(&w->lock);
	if (!found)
		return send_error(conn, MHD_HTTP_NOT_FOUND, true, "no such hit");
	b = json_builder_new();
	json_builder_begin_object(b);
	add_int(b, "id", id);
	add_time(b, "handled", when);
	json_builder_end_object(b);
	body = json_finish(b);
	ret = send_body(conn, MHD_HTTP_OK, "application/json", body, NULL);
	g_free(body);
	return ret;
}

/* POST /api/rules/NAME/mute?for=1h (for=0 unmutes) */
static enum MHD_Result post_mute(struct hark_web *w, struct MHD_Connection *conn,
				 const char *rule)
{
	const char *dur = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "for");
	int64_t secs = 3600, until;
	GError *e = NULL;
	JsonBuilder *b;
	char *body;
	enum MHD_Result ret;
	bool ok;

	if (dur && !hark_duration_parse(dur, &secs, &e)) {
		ret = send_error(conn, MHD_HTTP_BAD_REQUEST, true, e->message);
		g_error_free(e);
		return ret;
	}
	until = secs > 0 ? now_s() + secs : 0;
	g_mutex_lock(&w->lock);
	if (!find_rule(w->cfg, rule)) {
		g_mutex_unlock(&w->lock);
		return send_error(conn, MHD_HTTP_NOT_FOUND, true, "no such rule");
	}
	ok = hark_store_mute(w->st, rule, until, &e);
	g_mutex_unlock(&w->lock);
	if (!ok) {
		ret = send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, true, e->message);
		g_error_free(e);
		return ret;
	}
	b = json_builder_new();
	json_builder_begin_object(b);
	hark_json_add_str(b, "rule", rule);
	add_time(b, "muted_until", until);
	json_builder_end_object(b);
	body = json_finish(b);
	ret = send_body(conn, MHD_HTTP_OK, "application/json", body, NULL);
	g_free(body);
	return ret;
}

static enum MHD_Result route_post(struct hark_web *w, struct MHD_Connection *conn,
				  const char *url)
{
	char **parts;
	enum MHD_Result ret;

	/* A custom header cannot be sent cross-site without a CORS
	 * preflight, which hark never grants: no CSRF through a form. */
	if (!MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Hark"))
		return send_error(conn, MHD_HTTP_FORBIDDEN, true,
				  "POST needs the header X-Hark: 1");
	parts = g_strsplit(url, "/", 0);
	/* "", "api", "hits"|"rules", ID|NAME, "handled"|"mute" */
	if (g_strv_length(parts) == 5 && !strcmp(parts[1], "api") &&
	    !strcmp(parts[2], "hits") && !strcmp(parts[4], "handled"))
		ret = post_handled(w, conn, parts[3]);
	else if (g_strv_length(parts) == 5 && !strcmp(parts[1], "api") &&
		 !strcmp(parts[2], "rules") && !strcmp(parts[4], "mute"))
		ret = post_mute(w, conn, parts[3]);
	else
		ret = send_error(conn, MHD_HTTP_NOT_FOUND, true, "not found");
	g_strfreev(parts);
	return ret;
}

static enum MHD_Result route_get(struct hark_web *w, struct MHD_Connection *conn,
				 const char *url, const char *cookie)
{
	static const char *const pages[] = {"/", "/charts", "/feeds", "/api/hits",
					    "/api/stats", "/api/feeds", "/api/events",
					    NULL};
	bool api = g_str_has_prefix(url, "/api/");
	GHashTable *args;
	struct web_filter f;
	struct web_ctx c;
	GError *e = NULL;
	char *body = NULL;
	const char *type = api ? "application/json" : "text/html; charset=utf-8";
	enum MHD_Result ret;
	bool known = false;

	if (!strcmp(url, "/static/hark.css"))
		return send_body(conn, MHD_HTTP_OK, "text/css; charset=utf-8",
				 web_asset_css, cookie);
	if (!strcmp(url, "/static/hark.js"))
		return send_body(conn, MHD_HTTP_OK, "text/javascript; charset=utf-8",
				 web_asset_js, cookie);
	for (const char *const *p = pages; *p; p++)
		known |= !strcmp(url, *p);
	if (!known)
		return send_error(conn, MHD_HTTP_NOT_FOUND, api, "not found");

	args = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, args);
	g_mutex_lock(&w->lock);
	c = (struct web_ctx){w->st, w->cfg, w->rs, now_s()};
	if (!web_filter_parse(args, w->cfg, c.now,
			      strcmp(url, "/charts") && strcmp(url, "/api/stats")
			      ? "24h" : "48h", &f, &e)) {
		g_mutex_unlock(&w->lock);
		g_hash_table_unref(args);
		web_filter_clear(&f);
		ret = send_error(conn, MHD_HTTP_BAD_REQUEST, api, e->message);
		g_error_free(e);
		return ret;
	}
	g_hash_table_unref(args);
	if (f.rule && !find_rule(w->cfg, f.rule) && !api) {
		/* The API may ask about a rule removed since; pages offer the
		 * configured ones. */
		g_mutex_unlock(&w->lock);
		web_filter_clear(&f);
		return send_error(conn, MHD_HTTP_NOT_FOUND, api, "no such rule");
	}
	if (!strcmp(url, "/api/events")) {
		g_mutex_unlock(&w->lock);
		ret = send_events(w, conn, &f);
		web_filter_clear(&f);
		return ret;
	}
	if (!strcmp(url, "/"))
		body = web_page_stream(&c, &f, &e);
	else if (!strcmp(url, "/charts"))
		body = web_page_charts(&c, &f, &e);
	else if (!strcmp(url, "/feeds"))
		body = web_page_feeds(&c, &e);
	else if (!strcmp(url, "/api/hits"))
		body = api_hits(&c, &f, &e);
	else if (!strcmp(url, "/api/stats"))
		body = api_stats(&c, &f, &e);
	else
		body = api_feeds(&c, &e);
	g_mutex_unlock(&w->lock);
	web_filter_clear(&f);
	if (!body) {
		hark_warn("web: %s: %s", url, e->message);
		ret = send_error(conn, e->code == HARK_ERROR_USER ? MHD_HTTP_BAD_REQUEST
								 : MHD_HTTP_INTERNAL_SERVER_ERROR,
				 api, e->message);
		g_error_free(e);
		return ret;
	}
	ret = send_body(conn, MHD_HTTP_OK, type, body, cookie);
	g_free(body);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	static int started;
	struct hark_web *w = cls;
	char *cookie = NULL;
	enum MHD_Result ret;
	enum access a;

	(void)version;
	(void)upload_data;
	if (!*con_cls) {
		/* First call: headers only.  Answer once the body is in. */
		*con_cls = &started;
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* No request body is used; drop it. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* The stylesheet and script hold nothing secret, and the 401 page
	 * needs the stylesheet. */
	a = g_str_has_prefix(url, "/static/") ? ACCESS_OK : check_access(w, conn);
	if (a == ACCESS_BAD_HOST)
		return send_error(conn, MHD_HTTP_FORBIDDEN, false,
				  "this server answers to localhost names only");
	if (a == ACCESS_DENIED) {
		if (!strcmp(method, "GET") && !g_str_has_prefix(url, "/api/")) {
			char *page = web_page_unauthorized();
			ret = send_body(conn, MHD_HTTP_UNAUTHORIZED,
					"text/html; charset=utf-8", page, NULL);
			g_free(page);
			return ret;
		}
		return send_error(conn, MHD_HTTP_UNAUTHORIZED, true,
				  "a valid access token is required");
	}
	if (a == ACCESS_OK_SET_COOKIE)
		cookie = g_strdup_printf("hark_token=%s; Path=/; HttpOnly; "
					 "SameSite=Strict", w->token);
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
		ret = route_get(w, conn, url, cookie);
	else if (!strcmp(method, "POST"))
		ret = route_post(w, conn, url);
	else
		ret = send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, false,
				 "method not allowed");
	g_free(cookie);
	return ret;
}

/* --- Life cycle --- */

/* The web page's own copy of the config and rules.  Quiet: the caller
 * (hark run, hark serve) has loaded the same file and reported on it. */
static bool load_config(const char *path, struct hark_config **cfg,
			struct hark_ruleset **rs, GError **err)
{
	struct hark_diags diags;
	unsigned n;

	hark_diags_init(&diags);
	*rs = NULL;
	*cfg = hark_config_load(path, &diags, err);
	if (!*cfg) {
		hark_diags_clear(&diags);
		return false;
	}
	if (!hark_diags_count(&diags))
		*rs = hark_ruleset_compile(*cfg, &diags);
	n = hark_diags_count(&diags);
	hark_diags_clear(&diags);
	if (n) {
		hark_ruleset_free(*rs);
		hark_config_free(*cfg);
		*rs = NULL;
		*cfg = NULL;
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "web: %s has %u error%s (see hark check)", path, n,
			    n == 1 ? "" : "s");
		return false;
	}
	return true;
}

struct hark_web *hark_web_start(const char *config_path, const char *listen,
				const char *token, GError **err)
{
	struct sockaddr_storage addr;
	struct hark_web *w;
	const union MHD_DaemonInfo *info;
	bool loopback = false;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;

	if (!hark_web_listen_parse(listen, &addr, &loopback, err))
		return NULL;
	if (!loopback && (!token || !*token)) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "listening beyond loopback (%s) needs an access token "
			    "(token = in [web])", listen);
		return NULL;
	}
	w = g_new0(struct hark_web, 1);
	g_mutex_init(&w->lock);
	w->config_path = g_strdup(config_path);
	w->token = token && *token ? g_strdup(token) : NULL;
	if (!load_config(config_path, &w->cfg, &w->rs, err))
		goto fail;
	/* Our own connection: the web threads never share the poller's. */
	w->st = hark_store_open(w->cfg->database, err);
	if (!w->st)
		goto fail;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, w,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)32,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
				  MHD_OPTION_END);
	if (!w->mhd) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "web: cannot listen on %s: %s", listen, g_strerror(errno));
		goto fail;
	}
	info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_BIND_PORT);
	w->port = info ? info->port : 0;
	return w;
fail:
	hark_web_stop(w);
	return NULL;
}

guint16 hark_web_port(const struct hark_web *w)
{
	return w->port;
}

bool hark_web_reload(struct hark_web *w, GError **err)
{
	struct hark_config *cfg, *old_cfg;
	struct hark_ruleset *rs, *old_rs;

	if (!load_config(w->config_path, &cfg, &rs, err))
		return false;
	g_mutex_lock(&w->lock);
	old_cfg = w->cfg;
	old_rs = w->rs;
	w->cfg = cfg;
	w->rs = rs;
	g_mutex_unlock(&w->lock);
	hark_ruleset_free(old_rs);
	hark_config_free(old_cfg);
	return true;
}

void hark_web_stop(struct hark_web *w)
{
	if (!w)
		return;
	g_atomic_int_set(&w->stopping, 1);
	if (w->mhd)
		MHD_stop_daemon(w->mhd);
	hark_store_close(w->st);
	hark_ruleset_free(w->rs);
	hark_config_free(w->cfg);
	g_mutex_clear(&w->lock);
	g_free(w->config_path);
	g_free(w->token);
	g_free(w);
}
