/* cmd_feeds.c - `hark feeds [-c FILE] [--json]`: every configured feed's
 * polling state, read from the store (safe while `hark run` runs). */
#include "commands.h"
#include "cmdutil.h"
#include "hark/duration.h"
#include "hark/alert.h"
#include "hark/error.h"
#include "hark/fetch.h"
#include "hark/log.h"
#include "hark/store.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

static const char *status_word(const struct hark_feed_state *fs)
{
	if (!fs || !fs->polls)
		return "new";
	if (fs->gone)
		return "gone";
	if (fs->failures)
		return "failing";
	return "ok";
}

/* "5m ago", "in 14m", "now", "never". */
static void rel_time(int64_t t, int64_t now, char *buf, size_t len)
{
	char d[24];

	if (!t) {
		g_strlcpy(buf, "never", len);
		return;
	}
	hark_duration_format(t > now ? t - now : now - t, d, sizeof d);
	if (t == now)
		g_strlcpy(buf, "now", len);
	else if (t > now)
		snprintf(buf, len, "in %s", d);
	else
		snprintf(buf, len, "%s ago", d);
}

static void add_time(JsonBuilder *b, const char *name, int64_t t)
{
	json_builder_set_member_name(b, name);
	if (t)
		json_builder_add_int_value(b, t);
	else
		json_builder_add_null_value(b);
}

static void print_json(const struct hark_config *cfg, GHashTable *states, int64_t now)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *out;

	json_builder_begin_array(b);
	for (guint i = 0; i < cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = cfg->feeds->pdata[i];
		const struct hark_feed_state *fs = g_hash_table_lookup(states, f->name);
		bool known = fs && fs->polls;
		char *url = hark_url_redact(fs ? fs->url : f->url);

		json_builder_begin_object(b);
		hark_json_add_str(b, "name", f->name);
		hark_json_add_str(b, "url", url);
		json_builder_set_member_name(b, "moved");
		json_builder_add_boolean_value(b, fs && fs->moved);
		hark_json_add_str(b, "status", status_word(fs));
		hark_json_add_str(b, "health", fs && fs->health ? fs->health : "ok");
		json_builder_set_member_name(b, "http_status");
		if (known && fs->last_status)
			json_builder_add_int_value(b, fs->last_status);
		else
			json_builder_add_null_value(b);
		hark_json_add_str(b, "last_error", fs ? fs->last_error : NULL);
		json_builder_set_member_name(b, "failures");
		json_builder_add_int_value(b, fs ? fs->failures : 0);
		add_time(b, "last_poll", fs ? fs->last_poll : 0);
		add_time(b, "last_success", fs ? fs->last_success : 0);
		add_time(b, "next_poll", fs ? fs->next_poll : 0);
		json_builder_set_member_name(b, "next_poll_in");
		json_builder_add_int_value(b, fs && fs->next_poll ? fs->next_poll - now : 0);
		json_builder_set_member_name(b, "interval");
		json_builder_add_int_value(b, fs && fs->cur_interval ? fs->cur_interval
							       : f->interval);
		json_builder_set_member_name(b, "interval_auto");
		json_builder_add_boolean_value(b, f->interval_auto);
		json_builder_set_member_name(b, "items_seen");
		json_builder_add_int_value(b, fs ? fs->items_seen : 0);
		json_builder_set_member_name(b, "polls");
		json_builder_add_int_value(b, fs ? fs->polls : 0);
		json_builder_end_object(b);
		g_free(url);
	}
	json_builder_end_array(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	json_generator_set_pretty(g, TRUE);
	out = json_generator_to_data(g, NULL);
	puts(out);
	g_free(out);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
}

static void print_table(const struct hark_config *cfg, GHashTable *states, int64_t now)
{
	printf("%-24s %-8s %-6s %-14s %5s %-12s %7s  %s\n", "FEED", "STATUS", "HTTP",
	       "LAST SUCCESS", "FAILS", "NEXT POLL", "ITEMS", "LAST ERROR");
	for (guint i = 0; i < cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = cfg->feeds->pdata[i];
		const struct hark_feed_state *fs = g_hash_table_lookup(states, f->name);
		char http[8] = "-", ok[40], next[40];
		const char *word = status_word(fs);

		if (fs && fs->polls && fs->last_status)
			snprintf(http, sizeof http, "%d", fs->last_status);
		rel_time(fs ? fs->last_success : 0, now, ok, sizeof ok);
		rel_time(fs ? fs->next_poll : 0, now, next, sizeof next);
		if (fs && fs->health && strcmp(fs->health, "ok"))
			word = fs->health;
		printf("%-24s %-8s %-6s %-14s %5d %-12s %7lld  %s\n", f->name, word, http,
		       ok, fs ? fs->failures : 0, fs && fs->polls ? next : "now",
		       (long long)(fs ? fs->items_seen : 0),
		       fs && fs->last_error ? fs->last_error : "");
	}
}

int cmd_feeds(int argc, char **argv)
{
	gboolean json = FALSE;
	char *config = NULL;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "config file", "FILE"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "print a JSON array", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct hark_config *cfg = NULL;
	struct hark_ruleset *rs = NULL;
	struct hark_store *st = NULL;
	GPtrArray *list = NULL;
	GHashTable *states;
	GError *e = NULL;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries,
				    "- show every feed's polling state"))
		return HARK_EXIT_USER;
	if (argc > 1) {
		fprintf(stderr, "hark feeds: unexpected argument '%s'\n", argv[1]);
		g_free(config);
		return HARK_EXIT_USER;
	}
	status = hark_cmd_config(config, &cfg, &rs);
	g_free(config);
	if (status != HARK_EXIT_OK)
		return status;
	st = hark_store_open(cfg->database, &e);
	if (!st || !hark_store_feed_list(st, &list, &e)) {
		hark_error("%s", e->message);
		g_error_free(e);
		hark_store_close(st);
		hark_ruleset_free(rs);
		hark_config_free(cfg);
		return HARK_EXIT_RUNTIME;
	}
	states = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < list->len; i++) {
		struct hark_feed_state *fs = list->pdata[i];
		g_hash_table_insert(states, fs->name, fs);
	}
	if (json)
		print_json(cfg, states, g_get_real_time() / G_USEC_PER_SEC);
	else
		print_table(cfg, states, g_get_real_time() / G_USEC_PER_SEC);
	g_hash_table_unref(states);
	for (guint i = 0; i < list->len; i++) {
		hark_feed_state_clear(list->pdata[i]);
		g_free(list->pdata[i]);
	}
	g_ptr_array_unref(list);
	hark_store_close(st);
	hark_ruleset_free(rs);
	hark_config_free(cfg);
	return HARK_EXIT_OK;
}
