/* cmd_hits.c - `hark hits`: the history of alerts, filtered and searched.
 *
 *   hark hits [-c FILE] [--rule R] [--since 7d] [--search 'FTS QUERY']
 *             [--limit N] [--json | --csv]
 *
 * --search takes an SQLite FTS5 query over the items' titles and texts
 * (words, "phrases", AND/OR/NOT, prefix*, title:word).
 */
#include "commands.h"
#include "cmdutil.h"
#include "hark/duration.h"
#include "hark/alert.h"
#include "hark/error.h"
#include "hark/store.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static char *format_time(int64_t t)
{
	GDateTime *dt = t == HARK_TIME_NONE ? NULL : g_date_time_new_from_unix_utc(t);
	char *s = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;

	if (dt)
		g_date_time_unref(dt);
	return s;
}

static void print_json(const struct hark_hit_row *r)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *created = format_time(r->created), *pub = format_time(r->published);
	char *out;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, r->id);
	hark_json_add_str(b, "rule", r->rule);
	hark_json_add_str(b, "created", created);
	hark_json_add_str(b, "feed", r->feed);
	hark_json_add_str(b, "title", r->title);
	hark_json_add_str(b, "link", r->link);
	hark_json_add_str(b, "author", r->author);
	hark_json_add_str(b, "published", pub);
	json_builder_set_member_name(b, "sentiment");
	if (isnan(r->sentiment))
		json_builder_add_null_value(b);
	else
		json_builder_add_double_value(b, r->sentiment);
	json_builder_set_member_name(b, "updates");
	json_builder_add_int_value(b, r->updates);
	json_builder_set_member_name(b, "also_seen_at");
	json_builder_begin_array(b);
	for (guint i = 0; i < r->also_seen->len; i++) {
		const struct hark_also_seen *a = r->also_seen->pdata[i];
		json_builder_begin_object(b);
		hark_json_add_str(b, "feed", a->feed);
		hark_json_add_str(b, "link", a->link);
		hark_json_add_str(b, "title", a->title);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	out = json_generator_to_data(g, NULL);
	puts(out);
	g_free(out);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	g_free(created);
	g_free(pub);
}

/* RFC 4180: quote every field that needs it, doubling quotes. */
static void csv_field(const char *v, bool last)
{
	if (v && strpbrk(v, ",\"\r\n")) {
		putchar('"');
		for (const char *p = v; *p; p++) {
			if (*p == '"')
				putchar('"');
			putchar(*p);
		}
		putchar('"');
	} else if (v) {
		fputs(v, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static void print_csv(const struct hark_hit_row *r)
{
	char *created = format_time(r->created), *pub = format_time(r->published);
	char *id = g_strdup_printf("%" G_GINT64_FORMAT, r->id);
	char *sent = isnan(r->sentiment) ? NULL : g_strdup_printf("%.4f", r->sentiment);
	char *upd = g_strdup_printf("%d", r->updates);
	GString *also = g_string_new(NULL);

	for (guint i = 0; i < r->also_seen->len; i++) {
		const struct hark_also_seen *a = r->also_seen->pdata[i];
		g_string_append_printf(also, "%s%s", also->len ? " " : "",
				       a->link ? a->link : a->feed);
	}
	csv_field(id, false);
	csv_field(created, false);
	csv_field(r->rule, false);
	csv_field(r->feed, false);
	csv_field(r->title, false);
	csv_field(r->link, false);
	csv_field(r->author, false);
	csv_field(pub, false);
	csv_field(sent, false);
	csv_field(upd, false);
	csv_field(also->str, true);
	g_string_free(also, TRUE);
	g_free(created);
	g_free(pub);
	g_free(id);
	g_free(sent);
	g_free(upd);
}

static void print_text(const struct hark_hit_row *r)
{
	char *created = format_time(r->created);

	printf("%s  [%s] %s", created ? created : "-", r->rule,
	       r->title && *r->title ? r->title : "(untitled)");
	if (!isnan(r->sentiment))
		printf("  (sentiment %+.2f)", r->sentiment);
	if (r->updates)
		printf("  (updated %d×)", r->updates);
	printf("\n    %s  %s\n", r->feed, r->link ? r->link : "");
	for (guint i = 0; i < r->also_seen->len; i++) {
		const struct hark_also_seen *a = r->also_seen->pdata[i];
		printf("    also seen at %s  %s\n", a->feed, a->link ? a->link : "");
	}
	g_free(created);
}

int cmd_hits(int argc, char **argv)
{
	char *config = NULL, *rule = NULL, *since = NULL, *search = NULL;
	gboolean json = FALSE, csv = FALSE;
	int limit = 0;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "config file", "FILE"},
		{"rule", 'r', 0, G_OPTION_ARG_STRING, &rule, "only this rule's hits", "RULE"},
		{"since", 's', 0, G_OPTION_ARG_STRING, &since,
		 "only hits from this long ago (e.g. 7d, 12h)", "DURATION"},
		{"search", 0, 0, G_OPTION_ARG_STRING, &search,
		 "full-text query over the items (SQLite FTS5 syntax)", "QUERY"},
		{"limit", 'n', 0, G_OPTION_ARG_INT, &limit, "at most N hits", "N"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "JSON Lines output", NULL},
		{"csv", 0, 0, G_OPTION_ARG_NONE, &csv, "CSV output with a header", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct hark_hit_query q = {0};
	struct hark_config *cfg = NULL;
	struct hark_ruleset *rs = NULL;
	struct hark_store *st = NULL;
	GPtrArray *rows = NULL;
	GError *e = NULL;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries,
				    "- list past alerts (hits), newest first"))
		return HARK_EXIT_USER;
	status = HARK_EXIT_USER;
	if (argc > 1) {
		fprintf(stderr, "hark hits: unexpected argument '%s'\n", argv[1]);
		goto out;
	}
	if (json && csv) {
		fprintf(stderr, "hark hits: --json and --csv exclude each other\n");
		goto out;
	}
	if (limit < 0) {
		fprintf(stderr, "hark hits: --limit must be positive\n");
		goto out;
	}
	if (since) {
		int64_t secs;
		if (!hark_duration_parse(since, &secs, &e)) {
			fprintf(stderr, "hark hits: --since: %s\n", e->message);
			g_clear_error(&e);
			goto out;
		}
		q.since = g_get_real_time() / G_USEC_PER_SEC - secs;
	}
	q.rule = rule;
	q.search = search && *search ? search : NULL;
	q.limit = limit;
	status = hark_cmd_config(config, &cfg, &rs);
	if (status != HARK_EXIT_OK)
		goto out;
	st = hark_store_open(cfg->database, &e);
	if (!st || !hark_store_hits_query(st, &q, &rows, &e)) {
		fprintf(stderr, "hark hits: %s\n", e->message);
		status = e->code == HARK_ERROR_USER ? HARK_EXIT_USER : HARK_EXIT_RUNTIME;
		g_clear_error(&e);
		goto out;
	}
	if (csv)
		fputs("id,created,rule,feed,title,link,author,published,sentiment,"
		      "updates,also_seen_at\r\n", stdout);
	for (guint i = 0; i < rows->len; i++) {
		if (json)
			print_json(rows->pdata[i]);
		else if (csv)
			print_csv(rows->pdata[i]);
		else
			print_text(rows->pdata[i]);
	}
	if (!json && !csv && rows->len == 0)
		fprintf(stderr, "no hits\n");
	status = fflush(stdout) == 0 ? HARK_EXIT_OK : HARK_EXIT_RUNTIME;
out:
	if (rows)
		g_ptr_array_unref(rows);
	hark_store_close(st);
	hark_ruleset_free(rs);
	hark_config_free(cfg);
	g_free(config);
	g_free(rule);
	g_free(since);
	g_free(search);
	return status;
}
