/* parse_json.c - JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1)
 * with json-glib.  Unknown members are ignored; members of the wrong type
 * are treated as absent. */
#include "parse_internal.h"

#include "hark/date.h"
#include "hark/error.h"

#include <json-glib/json-glib.h>
#include <string.h>

static const char *get_str(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	if (!n || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

static JsonObject *get_obj(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *get_arr(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static char *text(const char *s, bool html, const struct hark_parse_opts *opts)
{
	if (!s)
		return NULL;
	size_t len = strnlen(s, FEED_MAX_FIELD);
	char *t = feed_text(s, len, html, opts && opts->keep_html);

	if (!*t)
		g_clear_pointer(&t, g_free);
	return t;
}

static char *url(const char *s, const char *base)
{
	return s ? feed_resolve_url(s, strnlen(s, 8192), base) : NULL;
}

static char *json_author(JsonObject *a)
{
	const char *name = get_str(a, "name");

	if (!name || !*name)
		return NULL;
	return feed_text(name, strnlen(name, FEED_MAX_FIELD), false, false);
}

static struct hark_item *json_item(JsonObject *o, const char *base,
				   const struct hark_parse_opts *opts)
{
	struct hark_item *it = hark_item_new();
	JsonNode *id = json_object_get_member(o, "id");
	JsonArray *arr;
	JsonObject *author;

	it->id_is_permalink = false;
	if (id && JSON_NODE_HOLDS_VALUE(id)) {
		GType t = json_node_get_value_type(id);
		if (t == G_TYPE_STRING)
			it->id = g_strdup(json_node_get_string(id));
		else if (t == G_TYPE_INT64)
			it->id = g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(id));
		else if (t == G_TYPE_DOUBLE)
			it->id = g_strdup_printf("%.17g", json_node_get_double(id));
		if (it->id && strlen(it->id) > FEED_MAX_FIELD)
			g_clear_pointer(&it->id, g_free);
	}
	it->link = url(get_str(o, "url"), base);
	if (!it->link)
		it->link = url(get_str(o, "external_url"), base);
	it->title = text(get_str(o, "title"), false, opts);
	it->summary = text(get_str(o, "summary"), false, opts);
	if (get_str(o, "content_html"))
		it->content = text(get_str(o, "content_html"), true, opts);
	else
		it->content = text(get_str(o, "content_text"), false, opts);
	it->published = hark_date_parse(get_str(o, "date_published"));
	it->updated = hark_date_parse(get_str(o, "date_modified"));
	author = get_obj(o, "author");
	if (!author && (arr = get_arr(o, "authors")) && json_array_get_length(arr) &&
	    JSON_NODE_HOLDS_OBJECT(json_array_get_element(arr, 0)))
		author = json_array_get_object_element(arr, 0);
	it->author = json_author(author);
	if ((arr = get_arr(o, "tags"))) {
		guint n = json_array_get_length(arr);
		for (guint i = 0; i < n && it->categories->len < FEED_MAX_LIST; i++) {
			JsonNode *t = json_array_get_element(arr, i);
			if (JSON_NODE_HOLDS_VALUE(t) && json_node_get_value_type(t) == G_TYPE_STRING) {
				char *c = text(json_node_get_string(t), false, NULL);
				if (c)
					g_ptr_array_add(it->categories, c);
			}
		}
	}
	if ((arr = get_arr(o, "attachments"))) {
		guint n = json_array_get_length(arr);
		for (guint i = 0; i < n && it->enclosures->len < FEED_MAX_LIST; i++) {
			JsonNode *a = json_array_get_element(arr, i);
			if (!JSON_NODE_HOLDS_OBJECT(a))
				continue;
			char *u = url(get_str(json_node_get_object(a), "url"), base);
			if (u)
				g_ptr_array_add(it->enclosures, u);
		}
	}
	return it;
}

/* json-glib's parser recurses once per nesting level: refuse documents
 * nested deeper than any feed needs before they reach it. */
#define JSON_MAX_DEPTH 64

static bool json_depth_ok(const char *p, size_t len)
{
	const char *end = p + len;
	int depth = 0;
	bool in_str = false;

	for (; p < end; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{' || *p == '[') {
			if (++depth > JSON_MAX_DEPTH)
				return false;
		} else if (*p == '}' || *p == ']') {
			depth--;
		}
	}
	return true;
}

struct hark_feed_doc *feed_parse_json(const char *data, size_t len,
				      const struct hark_parse_opts *opts,
				      GError **err)
{
	JsonParser *parser = json_parser_new_immutable();
	GError *jerr = NULL;
	struct hark_feed_doc *doc = NULL;
	JsonNode *root;
	JsonObject *o;
	const char *version;

	if (!json_depth_ok(data, len)) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "not a feed: JSON nested deeper than %d levels", JSON_MAX_DEPTH);
		goto out;
	}
	if (!json_parser_load_from_data(parser, data, (gssize)len, &jerr)) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER, "not a feed: bad JSON: %s",
			    jerr->message);
		g_error_free(jerr);
		goto out;
	}
	root = json_parser_get_root(parser);
	o = root && JSON_NODE_HOLDS_OBJECT(root) ? json_node_get_object(root) : NULL;
	version = get_str(o, "version");
	if (!version || !strstr(version, "jsonfeed.org/version/")) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "not a feed: JSON without a JSON Feed \"version\"");
		goto out;
	}
	doc = hark_feed_doc_new();
	doc->format = g_strdup(strstr(version, "version/1.1") ? "jsonfeed1.1" :
			       strstr(version, "version/1") ? "jsonfeed1.0" : "jsonfeed");
	doc->title = text(get_str(o, "title"), false, opts);
	const char *base = opts ? opts->base_url : NULL;
	doc->link = url(get_str(o, "home_page_url"), base);
	const char *feed_author = NULL;
	JsonObject *fa = get_obj(o, "author");
	JsonArray *fas = get_arr(o, "authors");
	/* 1.1: the feed's authors are those of items that name none */
	if (!fa && fas && json_array_get_length(fas) &&
	    JSON_NODE_HOLDS_OBJECT(json_array_get_element(fas, 0)))
		fa = json_array_get_object_element(fas, 0);
	JsonArray *arr = get_arr(o, "items");
	if (!arr) {
		doc->bozo = true;
		doc->bozo_reason = g_strdup("JSON Feed without \"items\"");
		goto out;
	}
	feed_author = get_str(fa, "name");
	guint n = json_array_get_length(arr);
	for (guint i = 0; i < n && doc->items->len < FEED_MAX_ITEMS; i++) {
		JsonNode *e = json_array_get_element(arr, i);
		if (!JSON_NODE_HOLDS_OBJECT(e))
			continue;
		struct hark_item *it = json_item(json_node_get_object(e), base, opts);
		if (!it->author && feed_author && *feed_author)
			it->author = feed_text(feed_author, strnlen(feed_author, FEED_MAX_FIELD), false, false);
		g_ptr_array_add(doc->items, it);
	}
out:
	g_object_unref(parser);
	return doc;
}
