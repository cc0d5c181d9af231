/* alert.c - building alert payloads and sending them to stdout, the
 * console and the desktop. */
#include "hark/alert.h"
#include "hark/error.h"
#include "hark/log.h"

#include <json-glib/json-glib.h>
#include <libnotify/notify.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SNIPPET_CHARS 240
#define DESKTOP_PROBE_MS 2000

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

static void add_str(JsonBuilder *b, const char *name, const char *v)
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

char *hark_alert_payload(const struct hark_rule_hit *hit, const char *feed,
			 const struct hark_item *item)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g;
	JsonNode *root;
	const char *text = hark_item_field(item, HARK_FIELD_TEXT);
	size_t at = 0;
	char *snip, *out;

	for (guint i = 0; i < hit->spans->len; i++) {
		const struct hark_span *s = &g_array_index(hit->spans, struct hark_span, i);
		if (s->field == HARK_FIELD_TEXT) {
			at = s->start;
			break;
		}
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, 1);
	add_str(b, "rule", hit->rule->name);
	add_str(b, "feed", feed);
	json_builder_set_member_name(b, "item");
	json_builder_begin_object(b);
	add_str(b, "title", item->title);
	add_str(b, "link", item->link);
	add_str(b, "author", item->author);
	add_time(b, "published", item->published);
	snip = snippet(text, at);
	add_str(b, "snippet", snip);
	g_free(snip);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "matches");
	json_builder_begin_array(b);
	for (guint i = 0; i < hit->spans->len; i++) {
		const struct hark_span *s = &g_array_index(hit->spans, struct hark_span, i);
		const char *f = hark_item_field(item, s->field);
		char *t = g_strndup(f + s->start, s->end - s->start);
		json_builder_begin_object(b);
		add_str(b, "field", field_name(s->field));
		json_builder_set_member_name(b, "start");
		json_builder_add_int_value(b, (gint64)s->start);
		json_builder_set_member_name(b, "end");
		json_builder_add_int_value(b, (gint64)s->end);
		add_str(b, "text", t);
		json_builder_end_object(b);
		g_free(t);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "sentiment");
	if (hit->has_sentiment)
		json_builder_add_double_value(b, hit->sentiment);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);

	root = json_builder_get_root(b);
	g = json_generator_new();
	json_generator_set_root(g, root);
	out = json_generator_to_data(g, NULL);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return out;
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

bool hark_alert_channel_known(const char *channel)
{
	return !strcmp(channel, "stdout") || !strcmp(channel, "console") ||
	       !strcmp(channel, "desktop");
}

struct hark_alerter {
	bool desktop_checked;
	bool desktop_ok;
	char *desktop_why;   /* why desktop notifications are off */
};

struct hark_alerter *hark_alerter_new(void)
{
	return g_new0(struct hark_alerter, 1);
}

void hark_alerter_free(struct hark_alerter *a)
{
	if (!a)
		return;
	if (a->desktop_ok)
		notify_uninit();
	g_free(a->desktop_why);
	g_free(a);
}

/* libnotify's calls block for D-Bus's 25 s default when the server is
 * hung, so first ask the bus, with a short timeout, whether a server
 * exists and answers at all. */
static bool desktop_probe(struct hark_alerter *a)
{
	GError *e = NULL;
	GDBusConnection *bus;
	GVariant *r;

	if (a->desktop_checked)
		return a->desktop_ok;
	a->desktop_checked = true;
	bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &e);
	if (!bus) {
		a->desktop_why = g_strdup_printf("no D-Bus session bus (%s)", e->message);
		g_error_free(e);
		return false;
	}
	r = g_dbus_connection_call_sync(bus, "org.freedesktop.Notifications",
					"/org/freedesktop/Notifications",
					"org.freedesktop.Notifications",
					"GetServerInformation", NULL, NULL,
					G_DBUS_CALL_FLAGS_NO_AUTO_START,
					DESKTOP_PROBE_MS, NULL, &e);
	g_object_unref(bus);
	if (!r) {
		a->desktop_why = g_strdup_printf("no notification server answers (%s)",
						 e->message);
		g_error_free(e);
		return false;
	}
	g_variant_unref(r);
	if (!notify_init("hark")) {
		a->desktop_why = g_strdup("libnotify could not be initialised");
		return false;
	}
	a->desktop_ok = true;
	return true;
}

static const char *obj_str(JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_string(n) : NULL;
}

static bool send_desktop(struct hark_alerter *a, JsonObject *root, bool *permanent,
			 GError **err)
{
	JsonObject *item = json_object_get_object_member(root, "item");
	const char *title = obj_str(item, "title");
	const char *snip = obj_str(item, "snippet");
	char *summary, *body, *esc;
	NotifyNotification *n;
	GError *e = NULL;
	bool ok;

	if (!desktop_probe(a)) {
		*permanent = true;
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "desktop notifications are off: %s", a->desktop_why);
		return false;
	}
	summary = g_strdup_printf("%s: %s", obj_str(root, "rule") ? obj_str(root, "rule") : "hark",
				  title && *title ? title : "(untitled)");
	esc = g_markup_escape_text(snip ? snip : "", -1);
	body = g_strdup_printf("%s\n%s", obj_str(root, "feed") ? obj_str(root, "feed") : "",
			       esc);
	n = notify_notification_new(summary, body, NULL);
	notify_notification_set_app_name(n, "hark");
	ok = notify_notification_show(n, &e);
	if (!ok) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "desktop notification failed: %s", e->message);
		g_error_free(e);
	}
	g_object_unref(n);
	g_free(esc);
	g_free(body);
	g_free(summary);
	return ok;
}

static void print_console(JsonObject *root)
{
	JsonObject *item = json_object_get_object_member(root, "item");
	JsonNode *sent = json_object_get_member(root, "sentiment");
	const char *title = obj_str(item, "title");
	const char *link = obj_str(item, "link");
	const char *pub = obj_str(item, "published");
	const char *rule = obj_str(root, "rule");

	printf("%s  [%s] %s", pub ? pub : "-", rule ? rule : "?",
	       title && *title ? title : "(untitled)");
	if (sent && JSON_NODE_HOLDS_VALUE(sent))
		printf("  (sentiment %+.2f)", json_node_get_double(sent));
	printf("\n    %s  %s\n", obj_str(root, "feed") ? obj_str(root, "feed") : "",
	       link ? link : "");
}

bool hark_alerter_send(struct hark_alerter *a, const struct hark_delivery *d,
		       bool *permanent, GError **err)
{
	JsonParser *p;
	JsonObject *root;
	bool ok = true;

	*permanent = false;
	if (!strcmp(d->channel, "stdout")) {
		char *line = hark_alert_with_id(d->payload, d->id);
		ok = puts(line) >= 0 && fflush(stdout) == 0;
		g_free(line);
		if (!ok)
			g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
				    "writing to stdout failed");
		return ok;
	}
	p = json_parser_new();
	if (!json_parser_load_from_data(p, d->payload, -1, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
		g_object_unref(p);
		*permanent = true;
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "delivery %s has a corrupt payload", d->id);
		return false;
	}
	root = json_node_get_object(json_parser_get_root(p));
	if (!strcmp(d->channel, "console")) {
		print_console(root);
		ok = fflush(stdout) == 0;
	} else if (!strcmp(d->channel, "desktop")) {
		ok = send_desktop(a, root, permanent, err);
	} else {
		*permanent = true;
		ok = false;
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "unknown channel '%s'", d->channel);
	}
	g_object_unref(p);
	return ok;
}
