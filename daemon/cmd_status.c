/* cmd_status.c - `hark status [-c FILE] [--json]`: is the daemon running
 * on this config's database, when did its last cycle end, how many feeds
 * are failing, how many deliveries wait or died.  Read-only on the store
 * (safe while `hark run` runs). */
#include "commands.h"
#include "cmdutil.h"
#include "hark/duration.h"
#include "hark/error.h"
#include "hark/log.h"
#include "hark/runstate.h"
#include "hark/store.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

struct status {
	bool running;
	pid_t pid;
	int64_t last_cycle;   /* 0: never */
	unsigned feeds, failing, gone;
	struct hark_delivery_counts deliveries;
};

/* Failing: the configured feeds whose last poll failed (a feed removed
 * from the config no longer counts). */
static bool count_feeds(struct hark_store *st, const struct hark_config *cfg,
			struct status *s, GError **err)
{
	GPtrArray *list;
	GHashTable *states;

	if (!hark_store_feed_list(st, &list, err))
		return false;
	states = g_hash_table_new(g_str_hash, g_str_equal);
	for (guint i = 0; i < list->len; i++) {
		struct hark_feed_state *fs = list->pdata[i];
		g_hash_table_insert(states, fs->name, fs);
	}
	s->feeds = cfg->feeds->len;
	for (guint i = 0; i < cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = cfg->feeds->pdata[i];
		const struct hark_feed_state *fs = g_hash_table_lookup(states, f->name);

		if (fs && fs->gone)
			s->gone++;
		else if (fs && fs->failures)
			s->failing++;
	}
	g_hash_table_unref(states);
	for (guint i = 0; i < list->len; i++) {
		hark_feed_state_clear(list->pdata[i]);
		g_free(list->pdata[i]);
	}
	g_ptr_array_unref(list);
	return true;
}

static void print_json(const struct status *s, const char *database)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *out;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "running");
	json_builder_add_boolean_value(b, s->running);
	json_builder_set_member_name(b, "pid");
	if (s->running && s->pid)
		json_builder_add_int_value(b, s->pid);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "database");
	json_builder_add_string_value(b, database);
	json_builder_set_member_name(b, "last_cycle");
	if (s->last_cycle)
		json_builder_add_int_value(b, s->last_cycle);
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "feeds");
	json_builder_add_int_value(b, s->feeds);
	json_builder_set_member_name(b, "feeds_failing");
	json_builder_add_int_value(b, s->failing);
	json_builder_set_member_name(b, "feeds_gone");
	json_builder_add_int_value(b, s->gone);
	json_builder_set_member_name(b, "deliveries_pending");
	json_builder_add_int_value(b, s->deliveries.pending);
	json_builder_set_member_name(b, "deliveries_dead");
	json_builder_add_int_value(b, s->deliveries.dead);
	json_builder_set_member_name(b, "deliveries_sent");
	json_builder_add_int_value(b, s->deliveries.sent);
	json_builder_end_object(b);
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

static void print_text(const struct status *s, const char *database, int64_t now)
{
	char ago[24];

	if (s->running)
		printf("daemon:      running (pid %ld)\n", (long)s->pid);
	else
		printf("daemon:      not running\n");
	printf("database:    %s\n", database);
	if (s->last_cycle) {
		hark_duration_format(now > s->last_cycle ? now - s->last_cycle : 0,
				     ago, sizeof ago);
		GDateTime *dt = g_date_time_new_from_unix_local(s->last_cycle);
		char *when = g_date_time_format(dt, "%Y-%m-%d %H:%M:%S");
		printf("last cycle:  ended %s (%s ago)\n", when, ago);
		g_free(when);
		g_date_time_unref(dt);
	} else {
		printf("last cycle:  never\n");
	}
	printf("feeds:       %u, %u failing, %u gone\n", s->feeds, s->failing, s->gone);
	printf("deliveries:  %lld pending, %lld dead, %lld sent\n",
	       (long long)s->deliveries.pending, (long long)s->deliveries.dead,
	       (long long)s->deliveries.sent);
}

int cmd_status(int argc, char **argv)
{
	gboolean json = FALSE;
	char *config = NULL;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "config file", "FILE"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "print a JSON object", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct hark_config *cfg = NULL;
	struct hark_ruleset *rs = NULL;
	struct hark_store *st = NULL;
	struct status s = {0};
	GError *e = NULL;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries,
				    "- is the daemon running, and how is it doing"))
		return HARK_EXIT_USER;
	if (argc > 1) {
		fprintf(stderr, "hark status: unexpected argument '%s'\n", argv[1]);
		g_free(config);
		return HARK_EXIT_USER;
	}
	status = hark_cmd_config(config, &cfg, &rs);
	g_free(config);
	if (status != HARK_EXIT_OK)
		return status;
	s.running = hark_runstate_probe(cfg->database, &s.pid);
	st = hark_store_open(cfg->database, &e);
	if (!st || !hark_runstate_last_cycle(st, &s.last_cycle, &e) ||
	    !count_feeds(st, cfg, &s, &e) ||
	    !hark_store_delivery_counts(st, &s.deliveries, &e)) {
		hark_error("%s", e->message);
		g_error_free(e);
		status = HARK_EXIT_RUNTIME;
	} else if (json) {
		print_json(&s, cfg->database);
	} else {
		print_text(&s, cfg->database, g_get_real_time() / G_USEC_PER_SEC);
	}
	hark_store_close(st);
	hark_ruleset_free(rs);
	hark_config_free(cfg);
	return status;
}
