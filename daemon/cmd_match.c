/* cmd_match.c - hark match: dry-run the rules over a feed.
 *
 *     hark match [-c FILE] [--rule NAME] [--feed NAME] [--json] FILE|URL|-
 *
 * Reads a feed document (RSS, Atom, JSON Feed) from a file, stdin or an
 * http(s) URL, or the JSON Lines of 'hark parse' (input starting with
 * '{'), evaluates the rules without
 * storing or alerting anything, and prints each hit with its rule, the
 * item, the sentiment and the matched words highlighted (ANSI colours on
 * a terminal).  --json prints one JSON object per hit with byte offsets.
 */
#include "cmdutil.h"
#include "commands.h"
#include "hark/config.h"
#include "hark/error.h"
#include "hark/fetch.h"
#include "hark/item.h"
#include "hark/parse.h"
#include "hark/rules.h"

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MATCH_MAX_INPUT (64 * 1024 * 1024)
#define SNIPPET_CONTEXT 60   /* bytes of context around a span */

static const char *const field_names[] = {"title", "text", "author", "link"};

struct match_opts {
	char *rule;
	char *feed;
	gboolean json;
	bool color;
};

static char *read_input(const char *path, size_t *len, GError **err)
{
	GString *buf;
	char chunk[65536];
	size_t n;

	if (strcmp(path, "-")) {
		gchar *data;
		gsize l;

		if (!g_file_get_contents(path, &data, &l, err))
			return NULL;
		*len = l;
		return data;
	}
	buf = g_string_new(NULL);
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
		if (buf->len + n > MATCH_MAX_INPUT) {
			g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
				    "input larger than %d MiB", MATCH_MAX_INPUT >> 20);
			g_string_free(buf, TRUE);
			return NULL;
		}
		g_string_append_len(buf, chunk, (gssize)n);
	}
	if (ferror(stdin)) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "cannot read stdin");
		g_string_free(buf, TRUE);
		return NULL;
	}
	*len = buf->len;
	return g_string_free(buf, FALSE);
}

static char *json_str(JsonObject *o, const char *key)
{
	JsonNode *n = json_object_get_member(o, key);

	if (!n || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return g_strdup(json_node_get_string(n));
}

/* One line of 'hark parse' output into an item; *FEED gets its "feed"
 * member when there is one. */
static struct hark_item *item_from_json(const char *line, char **feed,
					GError **err)
{
	JsonParser *p = json_parser_new();
	JsonNode *root;
	JsonObject *o;
	JsonArray *cats;
	struct hark_item *item;

	if (!json_parser_load_from_data(p, line, -1, err)) {
		g_object_unref(p);
		return NULL;
	}
	root = json_parser_get_root(p);
	if (!root || JSON_NODE_TYPE(root) != JSON_NODE_OBJECT) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER, "not a JSON object");
		g_object_unref(p);
		return NULL;
	}
	o = json_node_get_object(root);
	item = hark_item_new();
	item->id = json_str(o, "id");
	item->link = json_str(o, "link");
	item->title = json_str(o, "title");
	item->author = json_str(o, "author");
	item->summary = json_str(o, "summary");
	item->content = json_str(o, "content");
	*feed = json_str(o, "feed");
	if (json_object_has_member(o, "categories") &&
	    JSON_NODE_TYPE(json_object_get_member(o, "categories")) == JSON_NODE_ARRAY) {
		cats = json_object_get_array_member(o, "categories");
		for (guint i = 0; i < json_array_get_length(cats); i++) {
			JsonNode *c = json_array_get_element(cats, i);
			if (JSON_NODE_TYPE(c) == JSON_NODE_VALUE &&
			    json_node_get_value_type(c) == G_TYPE_STRING)
				g_ptr_array_add(item->categories,
						g_strdup(json_node_get_string(c)));
		}
	}
	g_object_unref(p);
	return item;
}

/* 'hark parse' also writes {"type":"feed",...} and error lines. */
static bool json_is_item(const char *line)
{
	JsonParser *p = json_parser_new();
	bool item = true;

	if (json_parser_load_from_data(p, line, -1, NULL)) {
		JsonNode *root = json_parser_get_root(p);
		if (root && JSON_NODE_TYPE(root) == JSON_NODE_OBJECT) {
			char *type = json_str(json_node_get_object(root), "type");
			item = !type || !strcmp(type, "item");
			g_free(type);
		}
	}
	g_object_unref(p);
	return item;
}

static void print_highlighted(const char *s, size_t from, size_t to,
			      const GArray *spans, enum hark_field f,
			      const struct match_opts *o)
{
	const char *on = o->color ? "\033[1;31m" : "[";
	const char *off = o->color ? "\033[0m" : "]";
	size_t at = from;

	for (guint i = 0; i < spans->len; i++) {
		const struct hark_span *sp = &g_array_index(spans, struct hark_span, i);

		if (sp->field != f || sp->end <= at || sp->start >= to)
			continue;
		if (sp->start > at)
			fwrite(s + at, 1, sp->start - at, stdout);
		fputs(on, stdout);
		fwrite(s + MAX(sp->start, at), 1, MIN(sp->end, to) - MAX(sp->start, at),
		       stdout);
		fputs(off, stdout);
		at = MIN(sp->end, to);
	}
	if (to > at)
		fwrite(s + at, 1, to - at, stdout);
}

static size_t back_to_char(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/* The field's text around its spans, on one line. */
static void print_field(const struct hark_item *item, enum hark_field f,
			const GArray *spans, const struct match_opts *o)
{
	const char *s = hark_item_field(item, f);
	size_t len = strlen(s), shown = 0;
	bool any = false;
	char *flat = g_strdup(s);

	for (char *p = flat; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	for (guint i = 0; i < spans->len; i++) {
		const struct hark_span *sp = &g_array_index(spans, struct hark_span, i);
		size_t from, to;

		if (sp->field != f || sp->end <= shown)
			continue;
		from = sp->start > SNIPPET_CONTEXT ? sp->start - SNIPPET_CONTEXT : 0;
		from = back_to_char(flat, MAX(from, shown));
		to = back_to_char(flat, MIN(len, sp->end + SNIPPET_CONTEXT));
		if (to < sp->end)
			to = sp->end;
		if (!any)
			printf("  %s: ", field_names[f]);
		printf("%s", from > shown || (!any && from > 0) ? "…" : "");
		print_highlighted(flat, from, to, spans, f, o);
		shown = to;
		any = true;
	}
	if (any)
		printf("%s\n", shown < len ? "…" : "");
	g_free(flat);
}

static void print_hit_text(const struct hark_rule_hit *h,
			   const struct hark_item *item, const struct match_opts *o)
{
	if (o->color)
		printf("\033[1m%s\033[0m: %s\n", h->rule->name,
		       item->title ? item->title : "(no title)");
	else
		printf("%s: %s\n", h->rule->name, item->title ? item->title : "(no title)");
	if (item->link)
		printf("  link: %s\n", item->link);
	if (h->has_sentiment)
		printf("  sentiment: %+.3f\n", h->sentiment);
	for (int f = HARK_FIELD_TITLE; f <= HARK_FIELD_LINK; f++)
		print_field(item, (enum hark_field)f, h->spans, o);
}

static void print_hit_json(const struct hark_rule_hit *h,
			   const struct hark_item *item, const char *feed)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *out;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "rule");
	json_builder_add_string_value(b, h->rule->name);
	json_builder_set_member_name(b, "id");
	if (item->id)
		json_builder_add_string_value(b, item->id);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, item->title ? item->title : "");
	json_builder_set_member_name(b, "link");
	json_builder_add_string_value(b, item->link ? item->link : "");
	json_builder_set_member_name(b, "feed");
	if (feed)
		json_builder_add_string_value(b, feed);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "sentiment");
	if (h->has_sentiment)
		json_builder_add_double_value(b, h->sentiment);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "spans");
	json_builder_begin_array(b);
	for (guint i = 0; i < h->spans->len; i++) {
		const struct hark_span *sp = &g_array_index(h->spans, struct hark_span, i);
		const char *s = hark_item_field(item, sp->field);
		char *t = g_strndup(s + sp->start, sp->end - sp->start);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "field");
		json_builder_add_string_value(b, field_names[sp->field]);
		json_builder_set_member_name(b, "start");
		json_builder_add_int_value(b, (gint64)sp->start);
		json_builder_set_member_name(b, "end");
		json_builder_add_int_value(b, (gint64)sp->end);
		json_builder_set_member_name(b, "text");
		json_builder_add_string_value(b, t);
		json_builder_end_object(b);
		g_free(t);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	out = json_generator_to_data(g, NULL);
	printf("%s\n", out);
	g_free(out);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
}

static unsigned match_item(const struct hark_ruleset *rs,
			   const struct hark_config *cfg,
			   const struct hark_item *item, const char *feed,
			   const struct match_opts *o)
{
	struct hark_match_source src = {feed, NULL};
	GPtrArray *hits;
	unsigned n = 0;

	for (guint i = 0; feed && i < cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = cfg->feeds->pdata[i];
		if (!strcmp(f->name, feed))
			src.feed_tags = f->tags;
	}
	hits = hark_ruleset_match(rs, item, &src);
	for (guint i = 0; i < hits->len; i++) {
		const struct hark_rule_hit *h = hits->pdata[i];

		if (o->rule && strcmp(o->rule, h->rule->name))
			continue;
		if (o->json)
			print_hit_json(h, item, feed);
		else
			print_hit_text(h, item, o);
		n++;
	}
	g_ptr_array_unref(hits);
	return n;
}

static bool is_url(const char *s)
{
	return g_str_has_prefix(s, "http://") || g_str_has_prefix(s, "https://");
}

/* Fetches an http(s) URL; *CTYPE and *BASE get its Content-Type and final
 * URL. */
static char *fetch_input(const char *url, size_t *len, char **ctype, char **base,
			 GError **err)
{
	struct hark_fetch_request req = {0};
	struct hark_fetch_result res = {0};
	char *body;

	req.url = url;
	if (!hark_fetch_once(&req, &res, err))
		return NULL;
	if (res.status != 200) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "HTTP %ld%s%s",
			    res.status, res.reason ? " " : "", res.reason ? res.reason : "");
		hark_fetch_result_clear(&res);
		return NULL;
	}
	body = res.body;
	*len = res.len;
	*ctype = res.content_type;
	*base = res.effective_url;
	res.body = res.content_type = res.effective_url = NULL;
	hark_fetch_result_clear(&res);
	return body;
}

int cmd_match(int argc, char **argv)
{
	struct match_opts o = {0};
	char *config = NULL;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
		 "the configuration file", "FILE"},
		{"rule", 'r', 0, G_OPTION_ARG_STRING, &o.rule,
		 "only this rule", "NAME"},
		{"feed", 'f', 0, G_OPTION_ARG_STRING, &o.feed,
		 "treat the items as coming from this [feed NAME]", "NAME"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &o.json,
		 "JSON Lines output, spans as byte offsets", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GError *err = NULL;
	struct hark_diags diags;
	struct hark_config *cfg = NULL;
	struct hark_ruleset *rs = NULL;
	char *data = NULL;
	size_t len = 0, i = 0;
	unsigned hits = 0, items = 0;
	int ret = HARK_EXIT_OK;
	char *ctype = NULL, *base = NULL;

	hark_diags_init(&diags);
	if (!hark_cmd_parse_options(&argc, &argv, entries,
				    "FILE|URL|- - dry-run the rules over a feed "
				    "(input starting with '{': 'hark parse' JSON Lines)")) {
		ret = HARK_EXIT_USER;
		goto out;
	}
	if (argc != 2) {
		fprintf(stderr, "hark match: give one FILE, http(s) URL, or - for stdin\n");
		ret = HARK_EXIT_USER;
		goto out;
	}
	o.color = !o.json && isatty(STDOUT_FILENO);
	ret = hark_cmd_load_config(config, &diags, &cfg, &rs);
	if (ret != HARK_EXIT_OK)
		goto out;
	if (!config)
		config = hark_config_default_path();
	if (o.rule) {
		bool found = false;
		for (guint r = 0; r < cfg->rules->len && !found; r++)
			found = !strcmp(((struct hark_rule_conf *)cfg->rules->pdata[r])->name,
					o.rule);
		if (!found) {
			fprintf(stderr, "hark match: no [rule %s] in %s\n", o.rule, config);
			ret = HARK_EXIT_USER;
			goto out;
		}
	}
	if (o.feed) {
		bool found = false;
		for (guint f = 0; f < cfg->feeds->len && !found; f++)
			found = !strcmp(((struct hark_feed_conf *)cfg->feeds->pdata[f])->name,
					o.feed);
		if (!found) {
			fprintf(stderr, "hark match: no [feed %s] in %s\n", o.feed, config);
			ret = HARK_EXIT_USER;
			goto out;
		}
	}
	data = is_url(argv[1]) ? fetch_input(argv[1], &len, &ctype, &base, &err)
			       : read_input(argv[1], &len, &err);
	if (!data) {
		fprintf(stderr, "hark match: %s\n", err->message);
		ret = err->domain == HARK_ERROR && err->code == HARK_ERROR_USER
		      ? HARK_EXIT_USER : HARK_EXIT_RUNTIME;
		if (err->domain == G_FILE_ERROR)
			ret = HARK_EXIT_USER;
		goto out;
	}
	while (i < len && g_ascii_isspace(data[i]))
		i++;
	if (i < len && data[i] == '{') {
		char **lines = g_strsplit(data + i, "\n", -1);
		int lineno = 0;

		for (char **l = lines; *l; l++) {
			struct hark_item *item;
			char *feed = NULL;

			lineno++;
			if (!*g_strstrip(*l) || !json_is_item(*l))
				continue;
			item = item_from_json(*l, &feed, &err);
			if (!item) {
				fprintf(stderr, "hark match: %s:%d: %s\n", argv[1], lineno,
					err->message);
				g_clear_error(&err);
				ret = HARK_EXIT_USER;
				continue;
			}
			items++;
			hits += match_item(rs, cfg, item, o.feed ? o.feed : feed, &o);
			g_free(feed);
			hark_item_free(item);
		}
		g_strfreev(lines);
	} else {
		struct hark_parse_opts popts = {0};
		struct hark_feed_doc *doc;

		popts.base_url = base;
		popts.content_type = ctype;
		doc = hark_feed_parse(data, len, &popts, &err);

		if (!doc) {
			fprintf(stderr, "hark match: %s: %s\n", argv[1], err->message);
			ret = HARK_EXIT_USER;
			goto out;
		}
		for (guint j = 0; j < doc->items->len; j++) {
			items++;
			hits += match_item(rs, cfg, doc->items->pdata[j], o.feed, &o);
		}
		hark_feed_doc_free(doc);
	}
	if (!o.json)
		fprintf(stderr, "hark match: %u hit%s in %u item%s\n", hits,
			hits == 1 ? "" : "s", items, items == 1 ? "" : "s");
out:
	g_clear_error(&err);
	g_free(data);
	hark_ruleset_free(rs);
	hark_config_free(cfg);
	hark_diags_clear(&diags);
	g_free(config);
	g_free(o.rule);
	g_free(o.feed);
	g_free(ctype);
	g_free(base);
	return ret;
}
