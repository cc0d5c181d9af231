/* web_pages.c - the HTML of the web page: stream, charts (server-side
 * SVG) and feeds.  Everything from a feed is escaped; links are kept only
 * when they are http(s). */
#include "hark/duration.h"
#include "hark/error.h"
#include "hark/fetch.h"
#include "web_internal.h"

#include <math.h>
#include <string.h>

/* --- Small helpers --- */

static void esc(GString *o, const char *s)
{
	char *e;

	if (!s)
		return;
	e = g_markup_escape_text(s, -1);
	g_string_append(o, e);
	g_free(e);
}

static void esc_len(GString *o, const char *s, size_t len)
{
	char *e = g_markup_escape_text(s, (gssize)len);

	g_string_append(o, e);
	g_free(e);
}

static bool link_ok(const char *link)
{
	return link && (!g_ascii_strncasecmp(link, "https://", 8) ||
			!g_ascii_strncasecmp(link, "http://", 7));
}

/* "2026-11-23T08:30:00Z" (machine) or "2026-11-23 08:30" (people). */
static void fmt_time(char *buf, size_t len, int64_t t, const char *format)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = dt ? g_date_time_format(dt, format) : NULL;

	g_strlcpy(buf, s ? s : "?", len);
	g_free(s);
	if (dt)
		g_date_time_unref(dt);
}

static void rel_time(char *buf, size_t len, int64_t t, int64_t now)
{
	char d[32];

	if (!t) {
		g_strlcpy(buf, "never", len);
		return;
	}
	hark_duration_format(t > now ? t - now : now - t, d, sizeof d);
	if (t == now)
		g_strlcpy(buf, "now", len);
	else if (t > now)
		g_snprintf(buf, len, "in %s", d);
	else
		g_snprintf(buf, len, "%s ago", d);
}

int web_sentiment_class(double s)
{
	if (isnan(s))
		return -1;
	return (int)lround((CLAMP(s, -1.0, 1.0) + 1.0) * 5.0);
}

const char *web_feed_status(const struct hark_feed_state *fs)
{
	if (!fs || !fs->polls)
		return "new";
	if (fs->gone)
		return "gone";
	if (fs->health && strcmp(fs->health, "ok"))
		return fs->health;
	if (fs->failures)
		return "failing";
	return "ok";
}

static const struct hark_feed_conf *feed_conf(const struct hark_config *cfg,
					      const char *name)
{
	for (guint i = 0; name && i < cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = cfg->feeds->pdata[i];
		if (!strcmp(f->name, name))
			return f;
	}
	return NULL;
}

/* --- Matched terms --- */

static gint span_cmp(gconstpointer a, gconstpointer b)
{
	const struct hark_span *x = a, *y = b;

	if (x->field != y->field)
		return x->field < y->field ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

GArray *web_hit_spans(const struct web_ctx *c, const struct hark_hit_row *h)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct hark_span));
	const struct hark_feed_conf *fc = feed_conf(c->cfg, h->feed);
	struct hark_match_source src = {h->feed, fc ? fc->tags : NULL};
	struct hark_item *it;
	GPtrArray *hits;

	if (!c->rs)
		return out;
	/* The store keeps the item, not the spans: match it again with the
	 * rules as they are now. */
	it = hark_item_new();
	it->title = g_strdup(h->title);
	it->content = g_strdup(h->text);
	it->author = g_strdup(h->author);
	it->link = g_strdup(h->link);
	it->published = h->published;
	hits = hark_ruleset_match(c->rs, it, &src);
	for (guint i = 0; i < hits->len; i++) {
		const struct hark_rule_hit *rh = hits->pdata[i];
		if (strcmp(rh->rule->name, h->rule))
			continue;
		for (guint k = 0; k < rh->spans->len; k++) {
			struct hark_span s = g_array_index(rh->spans, struct hark_span, k);
			if (s.field == HARK_FIELD_TITLE || s.field == HARK_FIELD_TEXT)
				g_array_append_val(out, s);
		}
	}
	g_ptr_array_unref(hits);
	hark_item_free(it);
	g_array_sort(out, span_cmp);
	return out;
}

/* TEXT[from, to) with the spans of FIELD inside it as <mark>. */
static void append_marked(GString *o, const char *text, size_t from, size_t to,
			  const GArray *spans, enum hark_field field)
{
	size_t at = from;

	for (guint i = 0; i < spans->len; i++) {
		const struct hark_span *s = &g_array_index(spans, struct hark_span, i);
		if (s->field != field || s->start < at || s->end > to ||
		    s->end <= s->start)
			continue;
		esc_len(o, text + at, s->start - at);
		g_string_append(o, "<mark>");
		esc_len(o, text + s->start, s->end - s->start);
		g_string_append(o, "</mark>");
		at = s->end;
	}
	if (to > at)
		esc_len(o, text + at, to - at);
}

/* Moves POS back N characters (UTF-8). */
static size_t back_chars(const char *s, size_t pos, int n)
{
	const char *p = s + pos;

	while (n-- > 0 && p > s)
		p = g_utf8_find_prev_char(s, p);
	return (size_t)(p - s);
}

static size_t fwd_chars(const char *s, size_t len, size_t pos, int n)
{
	const char *p = s + pos, *end = s + len;

	while (n-- > 0 && p < end)
		p = g_utf8_next_char(p);
	return (size_t)(MIN(p, end) - s);
}

#define SNIPPET_BEFORE 80
#define SNIPPET_CHARS 280

static bool muted(const struct web_ctx *c, const char *rule, int64_t *until)
{
	*until = 0;
	if (!hark_store_muted_until(c->st, rule, until, NULL))
		return false;
	return *until > c->now;
}

void web_html_hit(GString *o, const struct web_ctx *c, const struct hark_hit_row *h)
{
	GArray *spans = web_hit_spans(c, h);
	const char *title = h->title && *h->title ? h->title : NULL;
	const char *text = h->text ? h->text : "";
	size_t len = strlen(text), from = 0, to;
	int cls = web_sentiment_class(h->sentiment);
	char iso[32], human[32];
	int64_t until;

	for (guint i = 0; i < spans->len; i++) {
		const struct hark_span *s = &g_array_index(spans, struct hark_span, i);
		if (s->field == HARK_FIELD_TEXT) {
			from = back_chars(text, s->start, SNIPPET_BEFORE);
			break;
		}
	}
	to = fwd_chars(text, len, from, SNIPPET_CHARS);

	g_string_append_printf(o, "<li class=\"hit s%s%d%s\" id=\"hit-%" G_GINT64_FORMAT
			       "\" data-id=\"%" G_GINT64_FORMAT "\">",
			       cls < 0 ? "n" : "", cls < 0 ? 0 : cls,
			       h->handled ? " handled" : "", h->id, h->id);
	g_string_append(o, "<div class=\"meta\"><span class=\"sent\" title=\"sentiment\">");
	if (cls < 0)
		g_string_append(o, "–");
	else
		g_string_append_printf(o, "%+.2f", h->sentiment);
	g_string_append(o, "</span> <a class=\"rule\" href=\"/?rule=");
	esc(o, h->rule);
	g_string_append(o, "\">");
	esc(o, h->rule);
	g_string_append(o, "</a> <span class=\"feed\">");
	esc(o, h->feed);
	g_string_append(o, "</span>");
	if (h->author && *h->author) {
		g_string_append(o, " <span class=\"author\">");
		esc(o, h->author);
		g_string_append(o, "</span>");
	}
	fmt_time(iso, sizeof iso, h->published != HARK_TIME_NONE ? h->published
								 : h->created,
		 "%Y-%m-%dT%H:%M:%SZ");
	fmt_time(human, sizeof human, h->published != HARK_TIME_NONE ? h->published
								   : h->created,
		 "%Y-%m-%d %H:%M UTC");
	g_string_append_printf(o, " <time datetime=\"%s\">%s</time></div>", iso, human);

	if (link_ok(h->link)) {
		g_string_append(o, "<a class=\"title\" target=\"_blank\" rel=\"noopener "
				   "noreferrer\" href=\"");
		esc(o, h->link);
		g_string_append(o, "\">");
	} else {
		g_string_append(o, "<span class=\"title\">");
	}
	if (title)
		append_marked(o, title, 0, strlen(title), spans, HARK_FIELD_TITLE);
	else
		g_string_append(o, "(no title)");
	g_string_append(o, link_ok(h->link) ? "</a>" : "</span>");
	if (to > from) {
		g_string_append(o, "<p class=\"snip\">");
		if (from > 0)
			g_string_append(o, "…");
		append_marked(o, text, from, to, spans, HARK_FIELD_TEXT);
		if (to < len)
			g_string_append(o, "…");
		g_string_append(o, "</p>");
	}
	if (h->also_seen && h->also_seen->len) {
		/* The same story in other feeds (de-duplicated, not alerted). */
		g_string_append(o, "<p class=\"also\">Also seen at ");
		for (guint i = 0; i < h->also_seen->len; i++) {
			const struct hark_also_seen *a = h->also_seen->pdata[i];
			if (i)
				g_string_append(o, ", ");
			if (link_ok(a->link)) {
				g_string_append(o, "<a target=\"_blank\" rel=\"noopener noreferrer\" href=\"");
				esc(o, a->link);
				g_string_append(o, "\">");
				esc(o, a->feed);
				g_string_append(o, "</a>");
			} else {
				esc(o, a->feed);
			}
		}
		g_string_append(o, "</p>");
	}
	g_string_append_printf(o, "<div class=\"acts\"><button type=\"button\" "
			       "data-act=\"handle\">%s</button>",
			       h->handled ? "Handled ✓ (undo)" : "Mark handled");
	g_string_append(o, "<button type=\"button\" data-act=\"mute\" title=\"no desktop "
			   "notifications from this rule for an hour\" data-rule=\"");
	esc(o, h->rule);
	g_string_append(o, "\">");
	if (muted(c, h->rule, &until)) {
		char t[32];
		fmt_time(t, sizeof t, until, "%H:%M UTC");
		g_string_append_printf(o, "Muted until %s", t);
	} else {
		g_string_append(o, "Mute rule 1 h");
	}
	g_string_append(o, "</button></div></li>\n");
	g_array_unref(spans);
}

/* --- Page frame --- */

static void page_begin(GString *o, const char *title, const char *page)
{
	static const char *const nav[][2] = {
		{"/", "Stream"}, {"/charts", "Charts"}, {"/feeds", "Feeds"},
	};

	g_string_append(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			   "<meta name=\"viewport\" content=\"width=device-width, "
			   "initial-scale=1\"><title>hark · ");
	esc(o, title);
	g_string_append(o, "</title><link rel=\"stylesheet\" href=\"/static/hark.css\">"
			   "<link rel=\"icon\" href=\"data:,\"></head>\n");
	g_string_append_printf(o, "<body data-page=\"%s\"><header><span class=\"brand\">"
			       "hark</span><nav>", page);
	for (guint i = 0; i < G_N_ELEMENTS(nav); i++)
		g_string_append_printf(o, "<a href=\"%s\"%s>%s</a>", nav[i][0],
				       !strcmp(title, nav[i][1]) ? " class=\"on\"" : "",
				       nav[i][1]);
	g_string_append(o, "</nav></header>\n<main>\n");
}

static void page_end(GString *o)
{
	g_string_append(o, "</main>\n<script src=\"/static/hark.js\"></script>"
			   "</body></html>\n");
}

static void option(GString *o, const char *value, const char *label, bool selected)
{
	g_string_append(o, "<option value=\"");
	esc(o, value);
	g_string_append_printf(o, "\"%s>", selected ? " selected" : "");
	esc(o, label);
	g_string_append(o, "</option>");
}

static void rule_select(GString *o, const struct web_ctx *c, const char *current)
{
	g_string_append(o, "<label>Rule <select name=\"rule\">");
	option(o, "", "all rules", !current);
	for (guint i = 0; i < c->cfg->rules->len; i++) {
		const struct hark_rule_conf *r = c->cfg->rules->pdata[i];
		option(o, r->name, r->name, current && !strcmp(current, r->name));
	}
	g_string_append(o, "</select></label>");
}

static void window_select(GString *o, const char *const *choices, const char *current)
{
	bool found = false;

	g_string_append(o, "<label>Look back <select name=\"window\">");
	for (const char *const *p = choices; *p; p++) {
		bool sel = current && !strcmp(current, *p);
		found |= sel;
		option(o, *p, !strcmp(*p, "custom") ? "custom…" : *p, sel);
	}
	if (!found && current)
		option(o, current, current, true);
	g_string_append(o, "</select></label>");
}

static void time_input(GString *o, const char *name, const char *label,
		       const char *typed, int64_t t)
{
	char v[32] = "";

	/* A datetime-local input wants "YYYY-MM-DDTHH:MM". */
	if (typed && t)
		fmt_time(v, sizeof v, t, "%Y-%m-%dT%H:%M");
	g_string_append_printf(o, "<label class=\"custom\">%s (UTC) <input type=\"datetime-local\" "
			       "name=\"%s\" value=\"%s\"></label>", label, name, v);
}

/* --- Stream --- */

char *web_page_stream(const struct web_ctx *c, const struct web_filter *f, GError **err)
{
	static const char *const windows[] = {"1h", "3h", "6h", "12h", "24h", "48h",
					      "custom", NULL};
	struct hark_hit_query q;
	GPtrArray *hits;
	GHashTable *tags = g_hash_table_new(g_str_hash, g_str_equal);
	GList *tag_list;
	GString *o;
	char *query, *live;
	char num[G_ASCII_DTOSTR_BUF_SIZE];
	int64_t newest = 0, oldest = 0;

	web_filter_to_query(f, &q);
	if (!hark_store_hits_query(c->st, &q, &hits, err)) {
		g_hash_table_unref(tags);
		return NULL;
	}
	o = g_string_sized_new(64 * 1024);
	page_begin(o, "Stream", "stream");
	g_string_append(o, "<details class=\"filterbox\" open><summary>Filters</summary>"
			   "<form class=\"filters\" method=\"get\" action=\"/\">");
	rule_select(o, c, f->rule);
	for (guint i = 0; i < c->cfg->feeds->len; i++) {
		const struct hark_feed_conf *fc = c->cfg->feeds->pdata[i];
		for (guint t = 0; t < fc->tags->len; t++)
			g_hash_table_add(tags, fc->tags->pdata[t]);
	}
	tag_list = g_list_sort(g_hash_table_get_keys(tags), (GCompareFunc)strcmp);
	g_string_append(o, "<label>Tag <select name=\"tag\">");
	option(o, "", "all feeds", !f->tag);
	for (GList *l = tag_list; l; l = l->next)
		option(o, l->data, l->data, f->tag && !strcmp(f->tag, l->data));
	g_string_append(o, "</select></label>");
	g_list_free(tag_list);
	g_hash_table_unref(tags);
	g_string_append(o, "<label>Search <input type=\"search\" name=\"q\" "
			   "placeholder=\"refund OR &quot;on hold&quot;\" value=\"");
	esc(o, f->search);
	g_string_append(o, "\"></label>");
	g_string_append(o, "<label>Sentiment <span class=\"range\"><input type=\"number\" name=\"min\" "
			   "min=\"-1\" max=\"1\" step=\"0.1\" placeholder=\"-1\" value=\"");
	if (!isnan(f->min_sentiment))
		g_string_append(o, g_ascii_dtostr(num, sizeof num, f->min_sentiment));
	g_string_append(o, "\"> to <input type=\"number\" name=\"max\" min=\"-1\" "
			   "max=\"1\" step=\"0.1\" placeholder=\"1\" value=\"");
	if (!isnan(f->max_sentiment))
		g_string_append(o, g_ascii_dtostr(num, sizeof num, f->max_sentiment));
	g_string_append(o, "\"></span></label>");
	window_select(o, windows, f->window);
	time_input(o, "since", "From", f->since_text, f->since);
	time_input(o, "until", "to", f->until_text, f->until);
	g_string_append_printf(o, "<label><input type=\"checkbox\" name=\"unhandled\" "
			       "value=\"1\"%s> unhandled only</label>",
			       f->unhandled ? " checked" : "");
	g_string_append(o, "<button type=\"submit\">Apply</button> "
			   "<a class=\"reset\" href=\"/\">reset</a></form></details>\n");

	for (guint i = 0; i < hits->len; i++) {
		const struct hark_hit_row *h = hits->pdata[i];
		newest = MAX(newest, h->id);
		oldest = oldest ? MIN(oldest, h->id) : h->id;
	}
	query = web_filter_query(f, false);
	live = web_filter_query(f, true);
	g_string_append_printf(o, "<p class=\"summary\"><span id=\"count\">%u</span> "
			       "hit%s, newest first", hits->len, hits->len == 1 ? "" : "s");
	if (hits->len == (guint)CLAMP(f->limit, 1, 1000))
		g_string_append(o, " (the newest shown)");
	/* Live updates only make sense when the window reaches now. */
	if (!f->until && !f->before_id)
		g_string_append(o, " · <span id=\"live\" class=\"dot\">live</span>");
	g_string_append(o, "</p>\n<ol id=\"stream\" class=\"stream\" data-query=\"");
	esc(o, live);
	g_string_append_printf(o, "\" data-after=\"%" G_GINT64_FORMAT "\" data-live=\"%d\">\n",
			       newest, !f->until && !f->before_id);
	for (guint i = 0; i < hits->len; i++)
		web_html_hit(o, c, hits->pdata[i]);
	g_string_append(o, "</ol>\n");
	if (!hits->len)
		g_string_append(o, "<p id=\"empty\" class=\"empty\">No hits in this window "
				   "yet. New ones appear here as they arrive.</p>\n");
	if (hits->len == (guint)CLAMP(f->limit, 1, 1000)) {
		g_string_append(o, "<p class=\"more\"><a href=\"/?");
		esc(o, query);
		g_string_append_printf(o, "%sbefore=%" G_GINT64_FORMAT "\">Older hits →</a></p>\n",
				       *query ? "&amp;" : "", oldest);
	}
	g_free(query);
	g_free(live);
	page_end(o);
	g_ptr_array_unref(hits);
	return g_string_free(o, FALSE);
}

/* --- Charts --- */

static void series_free(gpointer p)
{
	struct web_series *s = p;

	g_free(s->rule);
	g_free(s->hits);
	g_free(s->mean);
	g_free(s->spike);
	g_free(s);
}

static struct web_series *series_new(const char *rule, guint n)
{
	struct web_series *s = g_new0(struct web_series, 1);

	s->rule = g_strdup(rule);
	s->n = n;
	s->hits = g_new0(unsigned, n);
	s->mean = g_new(double, n);
	s->spike = g_new0(bool, n);
	for (guint i = 0; i < n; i++)
		s->mean[i] = NAN;
	s->mean_all = NAN;
	return s;
}

/* A bucket is a spike when it has at least 3 hits, exceeds the mean of
 * the 24 buckets before it by more than 3 standard deviations (at least
 * 1, so a flat history still needs a real jump) and is at least 1.5
 * times that mean (at hundreds of hits an hour, 3 deviations of ordinary
 * noise are not news).  Needs 6 buckets of history. */
static void find_spikes(struct web_series *s)
{
	for (guint k = 6; k < s->n; k++) {
		guint from = k > 24 ? k - 24 : 0, m = k - from;
		double sum = 0, sq = 0, mean, sd;

		for (guint i = from; i < k; i++) {
			sum += s->hits[i];
			sq += (double)s->hits[i] * s->hits[i];
		}
		mean = sum / m;
		sd = sqrt(MAX(sq / m - mean * mean, 0));
		s->spike[k] = s->hits[k] >= 3 && s->hits[k] > mean + 3 * MAX(sd, 1.0) &&
			      s->hits[k] >= 1.5 * mean;
	}
}

GPtrArray *web_series_load(const struct web_ctx *c, const struct web_filter *f,
			   int64_t bucket, int64_t *start_out, GError **err)
{
	/* Hits of the current second count too. */
	int64_t until = f->until ? f->until : c->now + 1;
	int64_t start = f->since / bucket * bucket;
	guint n = (guint)MAX((until - start + bucket - 1) / bucket, 1);
	GPtrArray *rows, *out = g_ptr_array_new_with_free_func(series_free);
	GHashTable *by_rule = g_hash_table_new(g_str_hash, g_str_equal);

	/* No hit is newer than now: asking up to the end of this hour gives
	 * the same counts, from the per-hour table. */
	if (!hark_store_hit_buckets(c->st, f->rule, start,
				    f->until ? f->until : (c->now / 3600 + 1) * 3600,
				    bucket, &rows, err)) {
		g_hash_table_unref(by_rule);
		g_ptr_array_unref(out);
		return NULL;
	}
	for (guint i = 0; i < c->cfg->rules->len; i++) {
		const struct hark_rule_conf *r = c->cfg->rules->pdata[i];
		struct web_series *s;
		if (f->rule && strcmp(f->rule, r->name))
			continue;
		s = series_new(r->name, n);
		g_ptr_array_add(out, s);
		g_hash_table_insert(by_rule, s->rule, s);
	}
	for (guint i = 0; i < rows->len; i++) {
		const struct hark_hit_bucket *b = rows->pdata[i];
		struct web_series *s = g_hash_table_lookup(by_rule, b->rule);
		int64_t k = (b->start - start) / bucket;

		if (!s) {
			/* A rule no longer in the config still has history. */
			s = series_new(b->rule, n);
			g_ptr_array_add(out, s);
			g_hash_table_insert(by_rule, s->rule, s);
		}
		if (k < 0 || k >= n)
			continue;
		s->hits[k] = b->hits;
		s->mean[k] = b->mean_sentiment;
		s->total += b->hits;
		if (b->scored) {
			double sum = (s->scored ? s->mean_all * s->scored : 0) +
				     b->mean_sentiment * b->scored;
			s->scored += b->scored;
			s->mean_all = sum / s->scored;
		}
	}
	for (guint i = 0; i < out->len; i++)
		find_spikes(out->pdata[i]);
	g_ptr_array_unref(rows);
	g_hash_table_unref(by_rule);
	*start_out = start;
	return out;
}

/* The axis top: the first of 1, 2, 3, 4, 5, 6, 8 times a power of ten
 * that is at least X (X >= 1). */
static unsigned nice_top(unsigned x)
{
	static const unsigned steps[] = {1, 2, 3, 4, 5, 6, 8};
	unsigned p = 1;

	for (;;) {
		for (guint i = 0; i < G_N_ELEMENTS(steps); i++)
			if (x <= steps[i] * p)
				return steps[i] * p;
		p *= 10;
	}
}

#define SVG_W 960
#define SVG_H 220
#define SVG_ML 46
#define SVG_MR 46
#define SVG_MT 18
#define SVG_MB 28

static double sent_y(double s)
{
	double ph = SVG_H - SVG_MT - SVG_MB;

	return SVG_MT + (1 - (CLAMP(s, -1, 1) + 1) / 2) * ph;
}

static void svg_chart(GString *o, const struct web_series *s, int64_t start,
		      int64_t bucket)
{
	double pw = SVG_W - SVG_ML - SVG_MR, ph = SVG_H - SVG_MT - SVG_MB;
	double slot = pw / s->n, bw = MAX(slot * 0.8, 1.0);
	unsigned maxc = 0, top;
	guint step;
	bool pen = false;
	char *rule_q = g_uri_escape_string(s->rule, NULL, FALSE);

	for (guint k = 0; k < s->n; k++)
		maxc = MAX(maxc, s->hits[k]);
	top = nice_top(MAX(maxc, 1));
	g_string_append_printf(o, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
			       "aria-label=\"hits per %s and mean sentiment\">",
			       SVG_W, SVG_H, bucket == 3600 ? "hour" : "day");
	/* Grid and left axis (hits). */
	for (int g = 0; g <= 2; g++) {
		double y = SVG_MT + ph - ph * g / 2.0;
		g_string_append_printf(o, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
				       "y2=\"%.1f\"/><text class=\"ax\" x=\"%d\" y=\"%.1f\" "
				       "text-anchor=\"end\">%g</text>",
				       SVG_ML, SVG_W - SVG_MR, y, y, SVG_ML - 6, y + 4,
				       top * g / 2.0);
	}
	/* Right axis (sentiment). */
	for (int g = -1; g <= 1; g++)
		g_string_append_printf(o, "<text class=\"ax sent-ax\" x=\"%d\" y=\"%.1f\">%+d</text>",
				       SVG_W - SVG_MR + 6, sent_y(g) + 4, g);
	g_string_append_printf(o, "<line class=\"zero\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
			       "y2=\"%.1f\"/>", SVG_ML, SVG_W - SVG_MR, sent_y(0), sent_y(0));
	/* Bars: each links to the stream of its hits. */
	for (guint k = 0; k < s->n; k++) {
		int64_t t = start + (int64_t)k * bucket;
		double x = SVG_ML + k * slot, h = ph * s->hits[k] / top;
		char from[32], to[32], label[40];

		if (!s->hits[k])
			continue;
		fmt_time(from, sizeof from, t, "%Y-%m-%dT%H:%M");
		fmt_time(to, sizeof to, t + bucket, "%Y-%m-%dT%H:%M");
		fmt_time(label, sizeof label, t, bucket == 3600 ? "%Y-%m-%d %H:00" : "%Y-%m-%d");
		g_string_append_printf(o, "<a href=\"/?rule=%s&amp;window=custom&amp;since=%s"
				       "&amp;until=%s\"><title>%s UTC: %u hit%s", rule_q,
				       from, to, label, s->hits[k], s->hits[k] == 1 ? "" : "s");
		if (!isnan(s->mean[k]))
			g_string_append_printf(o, ", mean sentiment %+.2f", s->mean[k]);
		if (s->spike[k])
			g_string_append(o, " (spike)");
		g_string_append_printf(o, "</title><rect class=\"slot\" x=\"%.1f\" y=\"%d\" "
				       "width=\"%.1f\" height=\"%.1f\"/>"
				       "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				       "height=\"%.1f\"/>",
				       x, SVG_MT, slot, ph, s->spike[k] ? " spike" : "",
				       x + (slot - bw) / 2, SVG_MT + ph - h, bw, MAX(h, 1.0));
		if (s->spike[k]) {
			double cx = x + slot / 2, y = SVG_MT + ph - h - 3;
			g_string_append_printf(o, "<path class=\"spike-mark\" d=\"M%.1f %.1fL%.1f "
					       "%.1fL%.1f %.1fZ\"/>", cx - 6, y - 10, cx + 6,
					       y - 10, cx, y);
		}
		g_string_append(o, "</a>");
	}
	/* Mean sentiment line, broken where nothing was scored. */
	g_string_append(o, "<path class=\"sent-line\" d=\"");
	for (guint k = 0; k < s->n; k++) {
		if (isnan(s->mean[k])) {
			pen = false;
			continue;
		}
		g_string_append_printf(o, "%c%.1f %.1f", pen ? 'L' : 'M',
				       SVG_ML + (k + 0.5) * slot, sent_y(s->mean[k]));
		pen = true;
	}
	g_string_append(o, "\"/>");
	for (guint k = 0; k < s->n; k++)
		if (!isnan(s->mean[k]))
			g_string_append_printf(o, "<circle class=\"sent-dot\" cx=\"%.1f\" "
					       "cy=\"%.1f\" r=\"2.5\"/>",
					       SVG_ML + (k + 0.5) * slot, sent_y(s->mean[k]));
	/* Time axis: at most 8 labels. */
	step = MAX((s->n + 7) / 8, 1);
	for (guint k = 0; k < s->n; k += step) {
		char label[32];
		int64_t t = start + (int64_t)k * bucket;
		fmt_time(label, sizeof label, t,
			 bucket == 3600 ? (t % 86400 ? "%H:00" : "%m-%d") : "%m-%d");
		g_string_append_printf(o, "<text class=\"ax\" x=\"%.1f\" y=\"%d\" "
				       "text-anchor=\"middle\">%s</text>",
				       SVG_ML + (k + 0.5) * slot, SVG_H - 8, label);
	}
	g_string_append(o, "</svg>");
	g_free(rule_q);
}

char *web_page_charts(const struct web_ctx *c, const struct web_filter *f, GError **err)
{
	static const char *const windows[] = {"24h", "48h", "7d", "30d", "custom", NULL};
	int64_t bucket = web_filter_bucket(f, c->now), start;
	GPtrArray *series = web_series_load(c, f, bucket, &start, err);
	GString *o;

	if (!series)
		return NULL;
	o = g_string_sized_new(64 * 1024);
	page_begin(o, "Charts", "charts");
	g_string_append(o, "<details class=\"filterbox\" open><summary>Filters</summary>"
			   "<form class=\"filters\" method=\"get\" action=\"/charts\">");
	rule_select(o, c, f->rule);
	window_select(o, windows, f->window);
	time_input(o, "since", "From", f->since_text, f->since);
	time_input(o, "until", "to", f->until_text, f->until);
	g_string_append(o, "<label>Per <select name=\"bucket\">");
	option(o, "auto", "auto", !f->bucket);
	option(o, "hour", "hour", f->bucket && !strcmp(f->bucket, "hour"));
	option(o, "day", "day", f->bucket && !strcmp(f->bucket, "day"));
	g_string_append(o, "</select></label><button type=\"submit\">Apply</button></form>"
			   "</details>\n"
			   "<p class=\"legend\"><span class=\"key bar\"></span> hits per ");
	g_string_append(o, bucket == 3600 ? "hour" : "day");
	g_string_append(o, " <span class=\"key line\"></span> mean sentiment (right axis, "
			   "−1 to +1) <span class=\"key spike\"></span> spike · click a bar "
			   "for its hits · times in UTC</p>\n");
	if (!series->len)
		g_string_append(o, "<p class=\"empty\">No rules configured.</p>\n");
	for (guint i = 0; i < series->len; i++) {
		const struct web_series *s = series->pdata[i];
		unsigned spikes = 0;

		for (guint k = 0; k < s->n; k++)
			spikes += s->spike[k];
		g_string_append(o, "<section class=\"card\"><h2><a href=\"/?rule=");
		esc(o, s->rule);
		g_string_append(o, "\">");
		esc(o, s->rule);
		g_string_append_printf(o, "</a></h2><p class=\"totals\">%u hit%s", s->total,
				       s->total == 1 ? "" : "s");
		if (!isnan(s->mean_all))
			g_string_append_printf(o, " · mean sentiment <b class=\"s%d\">%+.2f</b>",
					       web_sentiment_class(s->mean_all), s->mean_all);
		if (spikes)
			g_string_append_printf(o, " · <b class=\"spike-count\">%u spike%s</b>", spikes,
					       spikes == 1 ? "" : "s");
		g_string_append(o, "</p>");
		svg_chart(o, s, start, bucket);
		g_string_append(o, "</section>\n");
	}
	page_end(o);
	g_ptr_array_unref(series);
	return g_string_free(o, FALSE);
}

/* --- Feeds --- */

char *web_page_feeds(const struct web_ctx *c, GError **err)
{
	GPtrArray *list;
	GHashTable *states;
	GString *o;

	if (!hark_store_feed_list(c->st, &list, err))
		return NULL;
	states = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < list->len; i++) {
		struct hark_feed_state *fs = list->pdata[i];
		g_hash_table_insert(states, fs->name, fs);
	}
	o = g_string_sized_new(16 * 1024);
	page_begin(o, "Feeds", "feeds");
	g_string_append(o, "<div class=\"scroll\"><table class=\"feeds\"><thead><tr>"
			   "<th>Feed</th><th>Status</th><th>HTTP</th><th>Last success</th>"
			   "<th>Failures</th><th>Next poll</th><th>Items</th><th>Last error</th>"
			   "</tr></thead><tbody>\n");
	for (guint i = 0; i < c->cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = c->cfg->feeds->pdata[i];
		const struct hark_feed_state *fs = g_hash_table_lookup(states, f->name);
		const char *status = web_feed_status(fs);
		char ok[40], next[40], iso[32];
		char *url = hark_url_redact(fs ? fs->url : f->url);

		rel_time(ok, sizeof ok, fs ? fs->last_success : 0, c->now);
		rel_time(next, sizeof next, fs ? fs->next_poll : 0, c->now);
		g_string_append(o, "<tr><td><b>");
		esc(o, f->name);
		g_string_append(o, "</b><br><small>");
		esc(o, url);
		for (guint t = 0; t < f->tags->len; t++) {
			g_string_append(o, " <span class=\"tag\">");
			esc(o, f->tags->pdata[t]);
			g_string_append(o, "</span>");
		}
		g_string_append_printf(o, "</small></td><td><span class=\"pill %s\">%s</span></td>",
				       status, status);
		if (fs && fs->polls && fs->last_status)
			g_string_append_printf(o, "<td>%d</td>", fs->last_status);
		else
			g_string_append(o, "<td>–</td>");
		if (fs && fs->last_success) {
			fmt_time(iso, sizeof iso, fs->last_success, "%Y-%m-%dT%H:%M:%SZ");
			g_string_append_printf(o, "<td><time datetime=\"%s\" title=\"%s\">%s</time></td>",
					       iso, iso, ok);
		} else {
			g_string_append(o, "<td>never</td>");
		}
		g_string_append_printf(o, "<td class=\"num%s\">%d</td><td>%s</td>"
				       "<td class=\"num\">%" G_GINT64_FORMAT "</td><td class=\"err\">",
				       fs && fs->failures ? " bad" : "", fs ? fs->failures : 0,
				       fs && fs->polls ? next : "now",
				       fs ? fs->items_seen : (int64_t)0);
		esc(o, fs ? fs->last_error : NULL);
		g_string_append(o, "</td></tr>\n");
		g_free(url);
	}
	g_string_append(o, "</tbody></table></div>\n");
	page_end(o);
	g_hash_table_unref(states);
	for (guint i = 0; i < list->len; i++) {
		hark_feed_state_clear(list->pdata[i]);
		g_free(list->pdata[i]);
	}
	g_ptr_array_unref(list);
	return g_string_free(o, FALSE);
}

char *web_page_unauthorized(void)
{
	return g_strdup("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			"<title>hark · access token</title>"
			"<link rel=\"stylesheet\" href=\"/static/hark.css\"></head>"
			"<body><main><h1>401: access token needed</h1>"
			"<form class=\"filters\" method=\"get\"><label>Token "
			"<input type=\"password\" name=\"token\" autofocus></label>"
			"<button type=\"submit\">Open</button></form></main></body></html>\n");
}
