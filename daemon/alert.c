/* alert.c - building alert, digest and spike payloads, and reading them
 * back for the channels. */
#include "hark/alert.h"
#include "hark/error.h"
#include "hark/sentiment.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SNIPPET_CHARS 240
#define TOP_CUES 3

static const char *field_name(enum hark_field f)
{
	switch (f) {
	case HARK_FIELD_TITLE: return "title";
	case HARK_FIELD_TEXT: return "text";
	case HARK_FIELD_AUTHOR: return "author";
	case HARK_FIELD_LINK: return "link";
	}
	return "text";
}

static void add_time(JsonBuilder *b, const char *name, int64_t t)
{
	json_builder_set_member_name(b, name);
	if (t == HARK_TIME_NONE) {
		json_builder_add_null_value(b);
	} else {
		GDateTime *dt = g_date_time_new_from_unix_utc(t);
		char *s = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
		if (s)
			json_builder_add_string_value(b, s);
		else
			json_builder_add_null_value(b);
		g_free(s);
		if (dt)
			g_date_time_unref(dt);
	}
}

void hark_json_add_str(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	if (v)
		json_builder_add_string_value(b, v);
	else
		json_builder_add_null_value(b);
}

/* About SNIPPET_CHARS characters of TEXT around byte offset AT. */
static char *snippet(const char *text, size_t at)
{
	glong total = g_utf8_strlen(text, -1);
	glong center = g_utf8_pointer_to_offset(text, text + at);
	glong start = MAX(0, center - SNIPPET_CHARS / 3);
	glong end = MIN(total, start + SNIPPET_CHARS);
	const char *a = g_utf8_offset_to_pointer(text, start);
	const char *z = g_utf8_offset_to_pointer(text, end);
	GString *s = g_string_new(NULL);

	if (start > 0)
		g_string_append(s, "…");
	for (const char *p = a; p < z; p++)
		g_string_append_c(s, (*p == '\n' || *p == '\t') ? ' ' : *p);
	if (end < total)
		g_string_append(s, "…");
	return g_string_free(s, FALSE);
}

char *hark_json_finish(JsonBuilder *b)
{
	JsonNode *root = json_builder_get_root(b);
	JsonGenerator *g = json_generator_new();
	char *out;

	json_generator_set_root(g, root);
	out = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return out;
}

/* The few cues that moved the score most, so a reader sees why an alert
 * counts as angry.  Scored the way the matcher scores: around the spans. */
static void add_cues(JsonBuilder *b, const struct hark_rule_hit *hit,
		     const struct hark_item *item)
{
	const char *text = hark_item_field(item, HARK_FIELD_TEXT);
	struct hark_sentiment sent = {0};
	size_t (*spans)[2] = g_malloc0(sizeof *spans * (hit->spans->len + 1));
	size_t n = 0;

	json_builder_set_member_name(b, "sentiment_cues");
	json_builder_begin_array(b);
	if (!hit->has_sentiment) {
		json_builder_end_array(b);
		g_free(spans);
		return;
	}
	for (guint i = 0; i < hit->spans->len; i++) {
		const struct hark_span *s = &g_array_index(hit->spans, struct hark_span, i);
		if (s->field == HARK_FIELD_TEXT) {
			spans[n][0] = s->start;
			spans[n][1] = s->end;
			n++;
		}
	}
	hark_sentiment_score_spans(hark_sentiment_default(), text, strlen(text),
				   (const size_t (*)[2])spans, n, true, &sent);
	for (guint i = 0; sent.cues && i < sent.cues->len && i < TOP_CUES; i++) {
		const struct hark_sentiment_cue *c =
			&g_array_index(sent.cues, struct hark_sentiment_cue, i);
		json_builder_begin_object(b);
		hark_json_add_str(b, "token", c->token);
		json_builder_set_member_name(b, "valence");
		json_builder_add_double_value(b, round(c->valence * 1000) / 1000);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	hark_sentiment_clear(&sent);
	g_free(spans);
}

char *hark_alert_payload(const struct hark_rule_hit *hit, const char *feed,
			 const struct hark_item *item)
{
	JsonBuilder *b = json_builder_new();
	const char *text = hark_item_field(item, HARK_FIELD_TEXT);
	size_t at = 0;
	char *snip;

	for (guint i = 0; i < hit->spans->len; i++) {
		const struct hark_span *s = &g_array_index(hit->spans, struct hark_span, i);
		if (s->field == HARK_FIELD_TEXT) {
			at = s->start;
			break;
		}
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, HARK_ALERT_VERSION);
	hark_json_add_str(b, "kind", "alert");
	hark_json_add_str(b, "rule", hit->rule->name);
	hark_json_add_str(b, "feed", feed);
	json_builder_set_member_name(b, "item");
	json_builder_begin_object(b);
	hark_json_add_str(b, "title", item->title);
	hark_json_add_str(b, "link", item->link);
	hark_json_add_str(b, "author", item->author);
	add_time(b, "published", item->published);
	snip = snippet(text, at);
	hark_json_add_str(b, "snippet", snip);
	g_free(snip);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "matches");
	json_builder_begin_array(b);
	for (guint i = 0; i < hit->spans->len; i++) {
		const struct hark_span *s = &g_array_index(hit->spans, struct hark_span, i);
		const char *f = hark_item_field(item, s->field);
		char *t = g_strndup(f + s->start, s->end - s->start);
		json_builder_begin_object(b);
		hark_json_add_str(b, "field", field_name(s->field));
		json_builder_set_member_name(b, "start");
		json_builder_add_int_value(b, (gint64)s->start);
		json_builder_set_member_name(b, "end");
		json_builder_add_int_value(b, (gint64)s->end);
		hark_json_add_str(b, "text", t);
		json_builder_end_object(b);
		g_free(t);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "sentiment");
	if (hit->has_sentiment)
		json_builder_add_double_value(b, hit->sentiment);
	else
		json_builder_add_null_value(b);
	add_cues(b, hit, item);
	json_builder_end_object(b);
	return hark_json_finish(b);
}

char *hark_alert_digest_payload(const char *rule, GPtrArray *payloads,
				int64_t start, int64_t end)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, HARK_ALERT_VERSION);
	hark_json_add_str(b, "kind", "digest");
	hark_json_add_str(b, "rule", rule);
	json_builder_set_member_name(b, "count");
	json_builder_add_int_value(b, payloads->len);
	add_time(b, "window_start", start);
	add_time(b, "window_end", end);
	json_builder_set_member_name(b, "alerts");
	json_builder_begin_array(b);
	for (guint i = 0; i < payloads->len; i++) {
		JsonNode *n = hark_alert_parse(payloads->pdata[i]);
		if (n)
			json_builder_add_value(b, n); /* takes N */
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	return hark_json_finish(b);
}

char *hark_alert_spike_payload(const char *rule, int64_t end, int64_t count,
			       double mean, double sd, double k)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, HARK_ALERT_VERSION);
	hark_json_add_str(b, "kind", "spike");
	hark_json_add_str(b, "rule", rule);
	add_time(b, "hour_end", end);
	json_builder_set_member_name(b, "count");
	json_builder_add_int_value(b, count);
	json_builder_set_member_name(b, "mean");
	json_builder_add_double_value(b, round(mean * 1000) / 1000);
	json_builder_set_member_name(b, "stddev");
	json_builder_add_double_value(b, round(sd * 1000) / 1000);
	json_builder_set_member_name(b, "k");
	json_builder_add_double_value(b, k);
	json_builder_end_object(b);
	return hark_json_finish(b);
}

char *hark_alert_annotate(const char *payload, bool update,
			  const GPtrArray *also_seen)
{
	JsonParser *p = json_parser_new();
	JsonGenerator *g;
	JsonObject *root;
	JsonArray *arr;
	char *out;

	if (!json_parser_load_from_data(p, payload, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		g_object_unref(p);
		return g_strdup(payload);
	}
	root = json_node_get_object(json_parser_get_root(p));
	json_object_set_boolean_member(root, "update", update);
	arr = json_array_new();
	for (guint i = 0; also_seen && i < also_seen->len; i++) {
		const struct hark_also_seen *a = also_seen->pdata[i];
		JsonObject *o = json_object_new();
		json_object_set_string_member(o, "feed", a->feed);
		if (a->link)
			json_object_set_string_member(o, "link", a->link);
		else
			json_object_set_null_member(o, "link");
		if (a->title)
			json_object_set_string_member(o, "title", a->title);
		else
			json_object_set_null_member(o, "title");
		json_array_add_object_element(arr, o);
	}
	json_object_set_array_member(root, "also_seen_at", arr);
	g = json_generator_new();
	json_generator_set_root(g, json_parser_get_root(p));
	out = json_generator_to_data(g, NULL);
	g_object_unref(g);
	g_object_unref(p);
	return out;
}

char *hark_alert_with_id(const char *payload, const char *id)
{
	/* The payload is always a non-empty JSON object: "{...}". */
	return g_strdup_printf("{\"delivery_id\":\"%s\",%s", id, payload + 1);
}

JsonNode *hark_alert_parse(const char *payload)
{
	JsonParser *p = json_parser_new();
	JsonNode *root = NULL;

	if (json_parser_load_from_data(p, payload, -1, NULL) &&
	    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		root = json_node_copy(json_parser_get_root(p));
	g_object_unref(p);
	return root;
}

const char *hark_json_str(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) &&
	       json_node_get_value_type(n) == G_TYPE_STRING ? json_node_get_string(n) : NULL;
}

static int64_t json_int(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_int(n) : 0;
}

char *hark_alert_text(JsonObject *root)
{
	const char *kind = hark_json_str(root, "kind");
	const char *rule = hark_json_str(root, "rule");
	GString *s = g_string_new(NULL);

	if (!rule)
		rule = "?";
	if (kind && !strcmp(kind, "digest")) {
		JsonArray *a = json_object_get_array_member(root, "alerts");
		g_string_append_printf(s, "[%s] digest: %" G_GINT64_FORMAT " alerts",
				       rule, json_int(root, "count"));
		for (guint i = 0; a && i < json_array_get_length(a); i++) {
			JsonObject *al = json_array_get_object_element(a, i);
			JsonObject *item = json_object_get_object_member(al, "item");
			const char *t = hark_json_str(item, "title");
			const char *l = hark_json_str(item, "link");
			g_string_append_printf(s, "\n  - %s  %s", t && *t ? t : "(untitled)",
					       l ? l : "");
		}
		return g_string_free(s, FALSE);
	}
	if (kind && !strcmp(kind, "spike")) {
		JsonNode *m = json_object_get_member(root, "mean");
		g_string_append_printf(s, "[%s] spike: %" G_GINT64_FORMAT
				       " hits in the last hour (7-day hourly mean %.1f)",
				       rule, json_int(root, "count"),
				       m ? json_node_get_double(m) : 0.0);
		return g_string_free(s, FALSE);
	}
	JsonObject *item = root && json_object_has_member(root, "item")
			   ? json_object_get_object_member(root, "item") : NULL;
	JsonNode *sent = root ? json_object_get_member(root, "sentiment") : NULL;
	const char *title = hark_json_str(item, "title");
	const char *link = hark_json_str(item, "link");
	const char *pub = hark_json_str(item, "published");
	const char *feed = hark_json_str(root, "feed");

	g_string_append_printf(s, "%s  [%s] %s", pub ? pub : "-", rule,
			       title && *title ? title : "(untitled)");
	if (sent && JSON_NODE_HOLDS_VALUE(sent))
		g_string_append_printf(s, "  (sentiment %+.2f)", json_node_get_double(sent));
	g_string_append_printf(s, "\n    %s  %s", feed ? feed : "", link ? link : "");
	return g_string_free(s, FALSE);
}

bool hark_alert_channel_known(const char *channel)
{
	return !strcmp(channel, "stdout") || !strcmp(channel, "console") ||
	       !strcmp(channel, "desktop");
}
