/* libFuzzer target: rendering alerts from hostile feed text.  The input
 * is split at 0x1f into title, feed, snippet, link and match terms; they
 * go into a payload as hark builds it, and every channel's rendering must
 * hold up:
 *  - each webhook format gives a JSON object;
 *  - the desktop body with markup is well-formed markup (no injected
 *    tags) and without markup is plain text;
 *  - chat links cannot be closed early by the link's own characters.
 */
#include "hark/alert.h"
#include "hark/notify.h"
#include "hark/webhook.h"

#include <json-glib/json-glib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static char *payload_from(char **f, guint n)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *out;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, 1);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, "alert");
	json_builder_set_member_name(b, "rule");
	json_builder_add_string_value(b, "fuzz");
	json_builder_set_member_name(b, "feed");
	json_builder_add_string_value(b, n > 1 ? f[1] : "");
	json_builder_set_member_name(b, "item");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, n > 0 ? f[0] : "");
	json_builder_set_member_name(b, "link");
	if (n > 3)
		json_builder_add_string_value(b, f[3]);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "snippet");
	json_builder_add_string_value(b, n > 2 ? f[2] : "");
	json_builder_end_object(b);
	json_builder_set_member_name(b, "matches");
	json_builder_begin_array(b);
	for (guint i = 4; i < n; i++) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "field");
		json_builder_add_string_value(b, "text");
		json_builder_set_member_name(b, "text");
		json_builder_add_string_value(b, f[i]);
		json_builder_end_object(b);
	}
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
	return out;
}

static void check_json(const char *body)
{
	JsonParser *p = json_parser_new();

	if (!body || !json_parser_load_from_data(p, body, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		__builtin_trap();
	g_object_unref(p);
}

static void check_markup(const char *body)
{
	static const GMarkupParser none = {0};
	char *doc = g_strconcat("<m>", body, "</m>", NULL);
	GMarkupParseContext *c = g_markup_parse_context_new(&none, 0, NULL, NULL);

	if (!g_markup_parse_context_parse(c, doc, -1, NULL) ||
	    !g_markup_parse_context_end_parse(c, NULL))
		__builtin_trap();
	g_markup_parse_context_free(c);
	g_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_utf8_make_valid((const char *)data, (gssize)size);
	char **f;
	guint n;
	char *payload;
	JsonNode *node;

	/* Feed text reaching an alert is UTF-8 (cut at a NUL here). */
	f = g_strsplit(text, "\x1f", 12);
	n = g_strv_length(f);
	payload = payload_from(f, n);
	for (int fmt = HARK_FORMAT_JSON; fmt <= HARK_FORMAT_MATTERMOST; fmt++) {
		char *body = hark_webhook_body(fmt, payload, "fuzz-id");
		check_json(body);
		if (n > 3 && fmt == HARK_FORMAT_SLACK) {
			/* The link inside <...|...> holds none of < > | raw. */
			JsonParser *p = json_parser_new();
			const char *t, *lt;
			json_parser_load_from_data(p, body, -1, NULL);
			t = json_object_get_string_member(
				json_node_get_object(json_parser_get_root(p)), "text");
			lt = strchr(t, '<');
			if (!lt)
				__builtin_trap();
			for (const char *q = lt + 1; *q && *q != '|'; q++)
				if (*q == '<' || *q == '>' || (unsigned char)*q <= 0x20)
					__builtin_trap();
			g_object_unref(p);
		}
		g_free(body);
	}
	node = hark_alert_parse(payload);
	if (!node)
		__builtin_trap();
	{
		char *m = hark_notify_body(json_node_get_object(node), true);
		char *plain = hark_notify_body(json_node_get_object(node), false);
		char *t = hark_alert_text(json_node_get_object(node));
		check_markup(m);
		if (!plain || !t)
			__builtin_trap();
		g_free(m);
		g_free(plain);
		g_free(t);
	}
	json_node_unref(node);
	g_free(payload);
	g_strfreev(f);
	g_free(text);
	return 0;
}
