/* cmd_tail.c - `hark tail [-c FILE] [--rule R] [-n N] [--json]`: the last
 * N hits, then every new hit as the daemon stores it, one line each:
 *
 *   2026-11-23 01:20:03  acme-complaints  -0.62  Acme broke again  <link>
 *
 * Polls the store once a second for hits above the last id printed (ids
 * only grow; WAL readers never block the daemon).  --json prints JSON
 * Lines.  Colours only when stdout is a terminal.  SIGINT, SIGTERM and a
 * closed pipe (`hark tail | head`) end it with status 0.
 */
#include "commands.h"
#include "cmdutil.h"
#include "hark/alert.h"
#include "hark/error.h"
#include "hark/log.h"
#include "hark/store.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Feed text on a terminal: control characters (escape sequences, line
 * breaks, C1 controls) become spaces, so a hostile title cannot move the
 * cursor or split the line. */
static char *clean(const char *s)
{
	char *valid = s ? g_utf8_make_valid(s, -1) : NULL;
	GString *o = g_string_new(NULL);

	for (const char *p = valid; p && *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			g_string_append_c(o, ' ');
		else
			g_string_append_unichar(o, c);
	}
	g_free(valid);
	return g_string_free(o, FALSE);
}

static void print_line(const struct hark_hit_row *r, bool colour)
{
	GDateTime *dt = g_date_time_new_from_unix_local(r->created);
	char *when = g_date_time_format(dt, "%Y-%m-%d %H:%M:%S");
	char *title = clean(r->title), *link = clean(r->link), *rule = clean(r->rule);
	char sent[16] = "    -";
	const char *sc = "";

	if (!isnan(r->sentiment)) {
		snprintf(sent, sizeof sent, "%+.2f", r->sentiment);
		sc = r->sentiment <= -0.05 ? "\033[31m" : r->sentiment >= 0.05
			? "\033[32m" : "";
	}
	if (colour)
		printf("\033[2m%s\033[0m  \033[1m%s\033[0m  %s%s\033[0m  %s  \033[4m%s\033[0m\n",
		       when, rule, sc, sent, title && *title ? title : "(no title)",
		       link ? link : "");
	else
		printf("%s  %s  %s  %s  %s\n", when, rule, sent,
		       title && *title ? title : "(no title)", link ? link : "");
	g_free(when);
	g_date_time_unref(dt);
	g_free(title);
	g_free(link);
	g_free(rule);
}

static void print_json(const struct hark_hit_row *r)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	GDateTime *dt = g_date_time_new_from_unix_utc(r->created);
	char *created = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
	JsonNode *root;
	char *out;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, r->id);
	hark_json_add_str(b, "created", created);
	hark_json_add_str(b, "rule", r->rule);
	json_builder_set_member_name(b, "sentiment");
	if (isnan(r->sentiment))
		json_builder_add_null_value(b);
	else
		json_builder_add_double_value(b, r->sentiment);
	hark_json_add_str(b, "feed", r->feed);
	hark_json_add_str(b, "title", r->title);
	hark_json_add_str(b, "link", r->link);
	hark_json_add_str(b, "author", r->author);
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
	g_date_time_unref(dt);
}

/* Prints ROWS and advances *LAST.  False when stdout is gone. */
static bool print_rows(GPtrArray *rows, bool json, bool colour, int64_t *last)
{
	for (guint i = 0; i < rows->len; i++) {
		const struct hark_hit_row *r = rows->pdata[i];

		if (json)
			print_json(r);
		else
			print_line(r, colour);
		if (r->id > *last)
			*last = r->id;
	}
	return fflush(stdout) == 0 && !ferror(stdout);
}

/* The last N hits, oldest first; *LAST gets the newest id. */
static bool backlog(struct hark_store *st, const char *rule, int n, bool json,
		    bool colour, int64_t *last, bool *out_ok, GError **err)
{
	struct hark_hit_query q = {.rule = rule, .limit = n};
	GPtrArray *rows;

	if (!hark_store_last_hit_id(st, last, err))
		return false;
	*out_ok = true;
	if (n <= 0)
		return true;
	if (!hark_store_hits_query(st, &q, &rows, err))
		return false;
	/* Newest first from the query: print in the order they came. */
	for (guint i = 0, j = rows->len ? rows->len - 1 : 0; i < j; i++, j--) {
		gpointer t = rows->pdata[i];
		rows->pdata[i] = rows->pdata[j];
		rows->pdata[j] = t;
	}
	*out_ok = print_rows(rows, json, colour, last);
	g_ptr_array_unref(rows);
	return true;
}

/* The reader of our pipe went away (`hark tail | head -1`): Linux flags
 * the write end with POLLERR, so we notice without writing. */
static bool reader_gone(void)
{
	struct pollfd p = {.fd = STDOUT_FILENO, .events = 0};

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

static bool has_rule(const struct hark_config *cfg, const char *name)
{
	for (guint i = 0; i < cfg->rules->len; i++)
		if (!strcmp(((struct hark_rule_conf *)cfg->rules->pdata[i])->name, name))
			return true;
	return false;
}

int cmd_tail(int argc, char **argv)
{
	gboolean json = FALSE, no_follow = FALSE;
	char *config = NULL, *rule = NULL;
	int lines = 10, interval_ms = 1000;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "config file", "FILE"},
		{"rule", 'r', 0, G_OPTION_ARG_STRING, &rule, "only this rule's hits", "RULE"},
		{"lines", 'n', 0, G_OPTION_ARG_INT, &lines,
		 "start with the last N hits (default 10)", "N"},
		{"json", 0, 0, G_OPTION_ARG_NONE, &json, "print JSON Lines", NULL},
		{"no-follow", 0, 0, G_OPTION_ARG_NONE, &no_follow,
		 "print the last N hits and exit", NULL},
		{"interval", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &interval_ms,
		 "poll interval in milliseconds (default 1000)", "MS"},
		G_OPTION_ENTRY_NULL,
	};
	struct hark_config *cfg = NULL;
	struct hark_ruleset *rs = NULL;
	struct hark_store *st = NULL;
	struct sigaction sa = {0};
	bool colour, ok = true;
	int64_t last = 0;
	GError *e = NULL;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries,
				    "- follow new hits as they are stored"))
		return HARK_EXIT_USER;
	if (argc > 1 || lines < 0 || interval_ms < 10 || interval_ms > 60000) {
		if (argc > 1)
			fprintf(stderr, "hark tail: unexpected argument '%s'\n", argv[1]);
		else
			fprintf(stderr, "hark tail: bad --lines or --interval\n");
		g_free(config);
		g_free(rule);
		return HARK_EXIT_USER;
	}
	status = hark_cmd_config(config, &cfg, &rs);
	g_free(config);
	if (status != HARK_EXIT_OK) {
		g_free(rule);
		return status;
	}
	if (rule && !has_rule(cfg, rule))
		hark_warn("no rule '%s' in %s: waiting for its hits anyway", rule,
			  cfg->path);
	colour = !json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	/* No SA_RESTART: the signal cuts the sleep short. */
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed pipe shows up as a write error, handled as an end. */
	signal(SIGPIPE, SIG_IGN);
	st = hark_store_open(cfg->database, &e);
	if (!st || !backlog(st, rule, lines, json, colour, &last, &ok, &e))
		goto fail;
	while (ok && !no_follow && !stop) {
		struct timespec ts = {interval_ms / 1000, (interval_ms % 1000) * 1000000L};
		GPtrArray *rows;

		nanosleep(&ts, NULL);
		if (stop || reader_gone())
			break;
		if (!hark_store_hits_after(st, rule, last, 1000, &rows, &e))
			goto fail;
		ok = print_rows(rows, json, colour, &last);
		g_ptr_array_unref(rows);
	}
	status = HARK_EXIT_OK;
	goto out;
fail:
	hark_error("%s", e->message);
	status = e->code == HARK_ERROR_USER ? HARK_EXIT_USER : HARK_EXIT_RUNTIME;
	g_error_free(e);
out:
	hark_store_close(st);
	hark_ruleset_free(rs);
	hark_config_free(cfg);
	g_free(rule);
	return status;
}
