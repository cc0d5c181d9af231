/* notify.c - desktop notifications without blocking the main loop. */
#include "hark/notify.h"
#include "hark/error.h"
#include "hark/log.h"

#include <gio/gio.h>
#include <string.h>

#define BUS_NAME "org.freedesktop.Notifications"
#define BUS_PATH "/org/freedesktop/Notifications"
#define BUS_IFACE "org.freedesktop.Notifications"
#define MUTE_SECONDS 3600
#define SHOWN_MAX 256          /* notifications remembered for actions */

enum server_state { SERVER_UNKNOWN, SERVER_PROBING, SERVER_READY, SERVER_OFF };

/* A notification on screen, for its actions. */
struct shown {
	char *rule;
	char *link;
};

/* A rule's recent notifications, for coalescing. */
struct burst {
	GArray *times;         /* of int64_t, within the window */
	guint32 last_id;       /* the rule's last notification */
};

struct pending {
	struct hark_notifier *n;
	char *rule;
	struct hark_rate coalesce;
	enum hark_priority priority;
	char *payload;
	int64_t now;
	hark_attempt_done_fn done;
	void *user;
};

struct hark_notifier {
	enum server_state state;
	char *why_off;
	GDBusConnection *bus;
	bool markup, actions;
	guint sig_action;
	GQueue waiting;        /* of struct pending*, during the probe */
	GHashTable *shown;     /* id -> struct shown* */
	GQueue shown_order;    /* ids, oldest first */
	GHashTable *bursts;    /* rule -> struct burst* */
	GCancellable *cancel;
	hark_mute_fn mute;
	void *mute_user;
};

static void shown_free(gpointer p)
{
	struct shown *s = p;

	g_free(s->rule);
	g_free(s->link);
	g_free(s);
}

static void burst_free(gpointer p)
{
	struct burst *b = p;

	g_array_unref(b->times);
	g_free(b);
}

static void pending_free(struct pending *p)
{
	g_free(p->rule);
	g_free(p->payload);
	g_free(p);
}

/* CANCELLED: the notifier is gone (then nothing of it is touched). */
static void finish(struct pending *p, bool ok, bool permanent, bool cancelled,
		   char *error)
{
	struct hark_attempt a = {.ok = ok, .permanent = permanent,
				 .retry_after = -1, .error = error};

	/* The outbox hears back even when cancelled: that is how it frees
	 * its side. */
	(void)cancelled;
	p->done(&a, p->user);
	g_free(error);
	pending_free(p);
}

bool hark_open_uri(const char *uri, GError **err)
{
	char *prog;

	/* A hostile feed must not make a click run file:// or a scheme
	 * handler: only web links are opened. */
	if (!uri || (g_ascii_strncasecmp(uri, "http://", 7) &&
		     g_ascii_strncasecmp(uri, "https://", 8))) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "not opening '%s': only http(s) links are opened",
			    uri ? uri : "(none)");
		return false;
	}
	prog = g_find_program_in_path("xdg-open");
	if (prog) {
		char *argv[] = {prog, (char *)uri, NULL};
		bool ok = g_spawn_async(NULL, argv, NULL,
					G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDIN_FROM_DEV_NULL,
					NULL, NULL, NULL, err);
		g_free(prog);
		return ok;
	}
	return g_app_info_launch_default_for_uri(uri, NULL, err);
}

static void on_signal(GDBusConnection *bus, const char *sender, const char *path,
		      const char *iface, const char *signal, GVariant *params,
		      gpointer data)
{
	struct hark_notifier *n = data;
	const char *action;
	guint32 id;
	struct shown *s;
	GError *e = NULL;

	(void)bus;
	(void)sender;
	(void)path;
	(void)iface;
	(void)signal;
	if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(us)")))
		return;
	g_variant_get(params, "(u&s)", &id, &action);
	s = g_hash_table_lookup(n->shown, GUINT_TO_POINTER(id));
	if (!s)
		return;  /* another program's notification */
	if (!strcmp(action, "open") || !strcmp(action, "default")) {
		if (!hark_open_uri(s->link, &e)) {
			hark_warn("desktop: %s", e->message);
			g_error_free(e);
		}
	} else if (!strcmp(action, "mute") && n->mute) {
		n->mute(s->rule, n->mute_user);
	}
}

/* Remembers notification ID of RULE with LINK, for its actions. */
static void remember(struct hark_notifier *n, guint32 id, const char *rule,
		     const char *link)
{
	struct shown *s = g_new0(struct shown, 1);

	s->rule = g_strdup(rule);
	s->link = g_strdup(link);
	if (!g_hash_table_contains(n->shown, GUINT_TO_POINTER(id)))
		g_queue_push_tail(&n->shown_order, GUINT_TO_POINTER(id));
	g_hash_table_replace(n->shown, GUINT_TO_POINTER(id), s);
	while (g_queue_get_length(&n->shown_order) > SHOWN_MAX)
		g_hash_table_remove(n->shown, g_queue_pop_head(&n->shown_order));
}

/* Appends ESCAPED text of [P, END) to S with <b> around every
 * case-insensitive occurrence of one of TERMS. */
static void emphasise(GString *s, const char *p, GPtrArray *terms)
{
	while (*p) {
		size_t best = 0;

		for (guint i = 0; i < terms->len; i++) {
			const char *t = terms->pdata[i];
			size_t l = strlen(t);
			if (l > best && !g_ascii_strncasecmp(p, t, l))
				best = l;
		}
		if (best) {
			char *esc = g_markup_escape_text(p, (gssize)best);
			g_string_append_printf(s, "<b>%s</b>", esc);
			g_free(esc);
			p += best;
		} else {
			const char *next = g_utf8_next_char(p);
			char *esc = g_markup_escape_text(p, next - p);
			g_string_append(s, esc);
			g_free(esc);
			p = next;
		}
	}
}

char *hark_notify_body(JsonObject *root, bool markup)
{
	const char *kind = hark_json_str(root, "kind");
	JsonObject *item;
	JsonArray *matches;
	const char *feed, *snip;
	GPtrArray *terms;
	GString *s;

	if (kind && strcmp(kind, "alert")) {
		char *t = hark_alert_text(root);
		char *esc;
		if (!markup)
			return t;
		esc = g_markup_escape_text(t, -1);
		g_free(t);
		return esc;
	}
	item = json_object_has_member(root, "item") ? json_object_get_object_member(root, "item")
						    : NULL;
	feed = hark_json_str(root, "feed");
	snip = hark_json_str(item, "snippet");
	if (!markup)
		return g_strdup_printf("%s\n%s", feed ? feed : "", snip ? snip : "");
	s = g_string_new(NULL);
	if (feed) {
		char *esc = g_markup_escape_text(feed, -1);
		g_string_append_printf(s, "<i>%s</i>\n", esc);
		g_free(esc);
	}
	terms = g_ptr_array_new();
	matches = json_object_has_member(root, "matches")
		  ? json_object_get_array_member(root, "matches") : NULL;
	for (guint i = 0; matches && i < json_array_get_length(matches); i++) {
		const char *t = hark_json_str(json_array_get_object_element(matches, i),
					      "text");
		if (t && *t)
			g_ptr_array_add(terms, (gpointer)t);
	}
	emphasise(s, snip ? snip : "", terms);
	g_ptr_array_unref(terms);
	return g_string_free(s, FALSE);
}

struct notify_call {
	struct pending *p;
	char *link;
	bool coalesced;
};

static void on_notified(GObject *src, GAsyncResult *res, gpointer data)
{
	struct notify_call *c = data;
	struct pending *p = c->p;
	GError *e = NULL;
	GVariant *r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &e);

	if (!r) {
		bool cancelled = g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED);
		char *msg = g_strdup_printf("desktop notification failed: %s", e->message);
		g_error_free(e);
		g_free(c->link);
		g_free(c);
		finish(p, false, false, cancelled, msg);
		return;
	}
	{
		struct burst *b = g_hash_table_lookup(p->n->bursts, p->rule);
		guint32 id;
		g_variant_get(r, "(u)", &id);
		if (b)
			b->last_id = id;
		remember(p->n, id, p->rule, c->link);
	}
	g_variant_unref(r);
	g_free(c->link);
	g_free(c);
	finish(p, true, false, false, NULL);
}

/* Is this alert past the rule's burst threshold?  Records it either way
 * and returns the id to replace (0: a notification of its own) and, in
 * *COUNT, how many alerts the coalesced notification stands for. */
static guint32 coalesce(struct hark_notifier *n, struct pending *p, unsigned *count)
{
	struct burst *b = g_hash_table_lookup(n->bursts, p->rule);
	guint kept = 0;

	*count = 0;
	if (!p->coalesce.count)
		return 0;
	if (!b) {
		b = g_new0(struct burst, 1);
		b->times = g_array_new(FALSE, FALSE, sizeof(int64_t));
		g_hash_table_insert(n->bursts, g_strdup(p->rule), b);
	}
	for (guint i = 0; i < b->times->len; i++) {
		int64_t t = g_array_index(b->times, int64_t, i);
		if (t > p->now - p->coalesce.per)
			g_array_index(b->times, int64_t, kept++) = t;
	}
	g_array_set_size(b->times, kept);
	g_array_append_val(b->times, p->now);
	if (b->times->len <= p->coalesce.count || !b->last_id)
		return 0;
	/* "N new mentions": every alert of the rule within the window. */
	*count = b->times->len;
	return b->last_id;
}

static void send_now(struct hark_notifier *n, struct pending *p)
{
	JsonNode *node = hark_alert_parse(p->payload);
	JsonObject *root, *item;
	const char *title, *kind;
	GVariantBuilder actions, hints;
	char *summary, *body;
	guint32 replaces;
	unsigned count;
	guchar urgency;
	struct notify_call *c;
	JsonNode *sent;

	if (!node) {
		finish(p, false, true, false, g_strdup("desktop: corrupt payload"));
		return;
	}
	root = json_node_get_object(node);
	kind = hark_json_str(root, "kind");
	item = json_object_has_member(root, "item") ? json_object_get_object_member(root, "item")
						    : NULL;
	title = hark_json_str(item, "title");
	if (!title || !*title)
		title = "(untitled)";
	replaces = (!kind || !strcmp(kind, "alert")) ? coalesce(n, p, &count) : 0;
	if (replaces) {
		char *latest = g_strdup_printf("latest: %s", title);
		summary = g_strdup_printf("%u new mentions of %s", count, p->rule);
		body = n->markup ? g_markup_escape_text(latest, -1) : g_strdup(latest);
		g_free(latest);
	} else if (kind && !strcmp(kind, "digest")) {
		summary = g_strdup_printf("%s: digest", p->rule);
		body = hark_notify_body(root, n->markup);
	} else if (kind && !strcmp(kind, "spike")) {
		summary = g_strdup_printf("%s: spike in mentions", p->rule);
		body = hark_notify_body(root, n->markup);
	} else {
		summary = g_strdup_printf("%s: %s", p->rule, title);
		body = hark_notify_body(root, n->markup);
	}
	sent = json_object_has_member(root, "sentiment")
	       ? json_object_get_member(root, "sentiment") : NULL;
	urgency = p->priority == HARK_PRIORITY_LOW ? 0 : 1;
	if (p->priority == HARK_PRIORITY_CRITICAL ||
	    (sent && JSON_NODE_HOLDS_VALUE(sent) &&
	     json_node_get_double(sent) <= HARK_NOTIFY_NEGATIVE))
		urgency = 2;
	g_variant_builder_init(&actions, G_VARIANT_TYPE("as"));
	if (n->actions) {
		if (hark_json_str(item, "link")) {
			g_variant_builder_add(&actions, "s", "default");
			g_variant_builder_add(&actions, "s", "Open");
			g_variant_builder_add(&actions, "s", "open");
			g_variant_builder_add(&actions, "s", "Open");
		}
		g_variant_builder_add(&actions, "s", "mute");
		g_variant_builder_add(&actions, "s", "Mute rule for 1 h");
	}
	g_variant_builder_init(&hints, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&hints, "{sv}", "urgency", g_variant_new_byte(urgency));
	g_variant_builder_add(&hints, "{sv}", "category", g_variant_new_string("im.received"));

	c = g_new0(struct notify_call, 1);
	c->p = p;
	c->link = g_strdup(hark_json_str(item, "link"));
	g_dbus_connection_call(n->bus, BUS_NAME, BUS_PATH, BUS_IFACE, "Notify",
			       g_variant_new("(susssasa{sv}i)", "hark", replaces, "",
					     summary, body, &actions, &hints, -1),
			       G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
			       HARK_NOTIFY_TIMEOUT_MS, n->cancel, on_notified, c);
	g_free(summary);
	g_free(body);
	json_node_unref(node);
}

static void server_off(struct hark_notifier *n, char *why)
{
	struct pending *p;

	n->state = SERVER_OFF;
	n->why_off = why;
	while ((p = g_queue_pop_head(&n->waiting)))
		finish(p, false, true, false,
		       g_strdup_printf("desktop notifications are off: %s", why));
}

static void server_ready(struct hark_notifier *n)
{
	struct pending *p;

	n->state = SERVER_READY;
	n->sig_action = g_dbus_connection_signal_subscribe(
		n->bus, BUS_NAME, BUS_IFACE, "ActionInvoked", BUS_PATH, NULL,
		G_DBUS_SIGNAL_FLAGS_NONE, on_signal, n, NULL);
	while ((p = g_queue_pop_head(&n->waiting)))
		send_now(n, p);
}

static void on_caps(GObject *src, GAsyncResult *res, gpointer data)
{
	struct hark_notifier *n = data;
	GError *e = NULL;
	GVariant *r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &e);
	GVariantIter *it;
	const char *cap;

	if (!r) {
		if (!g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			server_off(n, g_strdup_printf("the notification server does not "
						      "answer (%s)", e->message));
		g_error_free(e);
		return;
	}
	g_variant_get(r, "(as)", &it);
	while (g_variant_iter_loop(it, "&s", &cap)) {
		if (!strcmp(cap, "body-markup"))
			n->markup = true;
		else if (!strcmp(cap, "actions"))
			n->actions = true;
	}
	g_variant_iter_free(it);
	g_variant_unref(r);
	server_ready(n);
}

static void on_info(GObject *src, GAsyncResult *res, gpointer data)
{
	struct hark_notifier *n = data;
	GError *e = NULL;
	GVariant *r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(src), res, &e);

	if (!r) {
		if (!g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			server_off(n, g_strdup_printf("no notification server answers (%s)",
						      e->message));
		g_error_free(e);
		return;
	}
	g_variant_unref(r);
	g_dbus_connection_call(n->bus, BUS_NAME, BUS_PATH, BUS_IFACE, "GetCapabilities",
			       NULL, G_VARIANT_TYPE("(as)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
			       HARK_NOTIFY_TIMEOUT_MS, n->cancel, on_caps, n);
}

static void on_bus(GObject *src, GAsyncResult *res, gpointer data)
{
	struct hark_notifier *n = data;
	GError *e = NULL;
	GDBusConnection *bus = g_bus_get_finish(res, &e);

	(void)src;
	if (!bus) {
		if (!g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			server_off(n, g_strdup_printf("no D-Bus session bus (%s)", e->message));
		g_error_free(e);
		return;
	}
	n->bus = bus;
	g_dbus_connection_call(bus, BUS_NAME, BUS_PATH, BUS_IFACE, "GetServerInformation",
			       NULL, G_VARIANT_TYPE("(ssss)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
			       HARK_NOTIFY_TIMEOUT_MS, n->cancel, on_info, n);
}

struct hark_notifier *hark_notifier_new(hark_mute_fn mute, void *user)
{
	struct hark_notifier *n = g_new0(struct hark_notifier, 1);

	n->shown = g_hash_table_new_full(NULL, NULL, NULL, shown_free);
	n->bursts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, burst_free);
	n->cancel = g_cancellable_new();
	n->mute = mute;
	n->mute_user = user;
	g_queue_init(&n->waiting);
	g_queue_init(&n->shown_order);
	return n;
}

void hark_notifier_free(struct hark_notifier *n)
{
	struct pending *p;

	if (!n)
		return;
	/* In-flight calls finish later with CANCELLED and touch nothing. */
	g_cancellable_cancel(n->cancel);
	g_object_unref(n->cancel);
	/* Sends still waiting for the probe end here, so that their callers
	 * can free their side. */
	while ((p = g_queue_pop_head(&n->waiting)))
		finish(p, false, false, true, g_strdup("desktop: shutting down"));
	if (n->sig_action)
		g_dbus_connection_signal_unsubscribe(n->bus, n->sig_action);
	if (n->bus)
		g_object_unref(n->bus);
	g_hash_table_unref(n->shown);
	g_queue_clear(&n->shown_order);
	g_hash_table_unref(n->bursts);
	g_free(n->why_off);
	g_free(n);
}

void hark_notifier_send(struct hark_notifier *n, const struct hark_rule_conf *rule,
			const char *payload, int64_t now,
			hark_attempt_done_fn done, void *user)
{
	struct pending *p = g_new0(struct pending, 1);
	JsonNode *node = hark_alert_parse(payload);

	p->n = n;
	p->payload = g_strdup(payload);
	p->now = now;
	p->done = done;
	p->user = user;
	p->priority = rule ? rule->priority : HARK_PRIORITY_NORMAL;
	if (rule)
		p->coalesce = rule->coalesce;
	p->rule = g_strdup(rule ? rule->name
			   : node ? hark_json_str(json_node_get_object(node), "rule") : NULL);
	if (!p->rule)
		p->rule = g_strdup("hark");
	if (node)
		json_node_unref(node);
	switch (n->state) {
	case SERVER_OFF:
		finish(p, false, true, false,
		       g_strdup_printf("desktop notifications are off: %s", n->why_off));
		return;
	case SERVER_READY:
		send_now(n, p);
		return;
	case SERVER_UNKNOWN:
		n->state = SERVER_PROBING;
		g_bus_get(G_BUS_TYPE_SESSION, n->cancel, on_bus, n);
		/* fall through */
	case SERVER_PROBING:
		g_queue_push_tail(&n->waiting, p);
		return;
	}
}

