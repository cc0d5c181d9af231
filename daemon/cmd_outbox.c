/* cmd_outbox.c - `hark outbox [-c FILE] [--json] [--all]` lists pending
 * and dead deliveries with their last error; `hark outbox retry ID|--all`
 * re-queues them (fresh attempt and age caps) for the daemon's next pass.
 */
#include "commands.h"
#include "cmdutil.h"
#include "hark/error.h"
#include "hark/log.h"
#include "hark/store.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

static void print_time(const char *label, int64_t t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;

	printf("%s%s", label, s ? s : "?");
	g_free(s);
	if (dt)
		g_date_time_unref(dt);
}

static void list_text(GPtrArray *rows)
{
	unsigned pending = 0, dead = 0;

	for (guint i = 0; i < rows->len; i++) {
		const struct hark_delivery *d = rows->pdata[i];

		pending += !strcmp(d->state, "pending");
		dead += !strcmp(d->state, "dead");
		printf("%s  %-9s %-8s %-16s %-20s attempts %d", d->id, d->state,
		       d->kind ? d->kind : "alert", d->channel, d->rule ? d->rule : "-",
		       d->attempts);
		if (!strcmp(d->state, "pending"))
			print_time("  next ", d->next_attempt);
		printf("\n");
		if (d->last_error)
			printf("    last error: %s\n", d->last_error);
	}
	printf("%u pending, %u dead\n", pending, dead);
}

static void list_json(GPtrArray *rows)
{
	for (guint i = 0; i < rows->len; i++) {
		const struct hark_delivery *d = rows->pdata[i];
		JsonBuilder *b = json_builder_new();
		JsonGenerator *g = json_generator_new();
		JsonNode *root;
		char *line;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "id");
		json_builder_add_string_value(b, d->id);
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, d->state);
		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, d->kind ? d->kind : "alert");
		json_builder_set_member_name(b, "channel");
		json_builder_add_string_value(b, d->channel);
		json_builder_set_member_name(b, "rule");
		if (d->rule)
			json_builder_add_string_value(b, d->rule);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "attempts");
		json_builder_add_int_value(b, d->attempts);
		json_builder_set_member_name(b, "created");
		json_builder_add_int_value(b, d->created);
		json_builder_set_member_name(b, "next_attempt");
		json_builder_add_int_value(b, d->next_attempt);
		json_builder_set_member_name(b, "sent");
		if (d->sent)
			json_builder_add_int_value(b, d->sent);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "last_error");
		if (d->last_error)
			json_builder_add_string_value(b, d->last_error);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
		root = json_builder_get_root(b);
		json_generator_set_root(g, root);
		line = json_generator_to_data(g, NULL);
		puts(line);
		g_free(line);
		json_node_unref(root);
		g_object_unref(g);
		g_object_unref(b);
	}
}

int cmd_outbox(int argc, char **argv)
{
	char *config = NULL;
	gboolean json = FALSE, all = FALSE;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "config file", "FILE"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "one JSON object per line", NULL},
		{"all", 'a', 0, G_OPTION_ARG_NONE, &all,
		 "list: every delivery, sent ones too; retry: every pending and dead one",
		 NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct hark_config *cfg = NULL;
	struct hark_ruleset *rs = NULL;
	struct hark_store *st = NULL;
	GPtrArray *rows = NULL;
	GError *e = NULL;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries,
				    "[retry ID|--all] - list or re-queue deliveries"))
		return HARK_EXIT_USER;
	if (argc > 1 && strcmp(argv[1], "retry")) {
		fprintf(stderr, "hark outbox: unknown action '%s' (only 'retry')\n", argv[1]);
		status = HARK_EXIT_USER;
		goto out;
	}
	if (argc > 1 && ((argc == 2 && !all) || (argc == 3 && all) || argc > 3)) {
		fprintf(stderr, "hark outbox retry: give one delivery id or --all\n");
		status = HARK_EXIT_USER;
		goto out;
	}
	status = hark_cmd_config(config, &cfg, &rs);
	if (status != HARK_EXIT_OK)
		goto out;
	st = hark_store_open(cfg->database, &e);
	if (!st)
		goto fail;
	if (argc > 1) {
		int n = 0;
		if (!hark_store_delivery_retry(st, all ? NULL : argv[2],
					       g_get_real_time() / G_USEC_PER_SEC, &n, &e))
			goto fail;
		if (!all && n == 0) {
			fprintf(stderr, "hark outbox retry: no pending or dead delivery '%s'\n",
				argv[2]);
			status = HARK_EXIT_USER;
			goto out;
		}
		printf("re-queued %d deliver%s\n", n, n == 1 ? "y" : "ies");
		goto out;
	}
	if (!hark_store_deliveries_list(st, all, &rows, &e))
		goto fail;
	if (json)
		list_json(rows);
	else
		list_text(rows);
	goto out;
fail:
	hark_error("%s", e->message);
	g_error_free(e);
	status = HARK_EXIT_RUNTIME;
out:
	if (rows)
		g_ptr_array_unref(rows);
	hark_store_close(st);
	hark_ruleset_free(rs);
	hark_config_free(cfg);
	g_free(config);
	return status;
}
