/* cmd_opml.c - `hark import-opml FILE` and `hark export-opml`. */
#include "commands.h"
#include "cmdutil.h"
#include "hark/error.h"
#include "hark/opml.h"

#include <stdio.h>
#include <string.h>

static bool url_usable(const char *url)
{
	if (!g_str_has_prefix(url, "http://") && !g_str_has_prefix(url, "https://"))
		return false;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ')
			return false;
	return true;
}

static bool name_taken(GHashTable *names, const char *name)
{
	return g_hash_table_contains(names, name);
}

int cmd_import_opml(int argc, char **argv)
{
	char *config = NULL;
	gboolean dry_run = FALSE;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config,
		 "config file to add the feeds to", "FILE"},
		{"dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
		 "show what would be added, change nothing", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct hark_diags diags;
	struct hark_config *cfg = NULL;
	struct hark_ruleset *rs = NULL;
	GHashTable *names = NULL, *urls = NULL;
	GPtrArray *feeds = NULL;
	GString *add = NULL;
	char *data = NULL, *old = NULL;
	gsize len = 0, oldlen = 0;
	GError *e = NULL;
	unsigned added = 0, skipped = 0;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries, "FILE - add an OPML file's feeds to the config"))
		return HARK_EXIT_USER;
	if (argc != 2) {
		fprintf(stderr, "usage: hark import-opml [-c CONFIG] [--dry-run] FILE.opml\n");
		g_free(config);
		return HARK_EXIT_USER;
	}
	hark_diags_init(&diags);
	status = hark_cmd_load_config(config, &diags, &cfg, &rs);
	if (status != HARK_EXIT_OK)
		goto out;
	if (!g_file_get_contents(argv[1], &data, &len, &e) ||
	    !(feeds = hark_opml_parse(data, len, &e))) {
		fprintf(stderr, "hark import-opml: %s: %s\n", argv[1], e->message);
		g_error_free(e);
		status = HARK_EXIT_USER;
		goto out;
	}
	names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	urls = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, NULL);
	for (guint i = 0; i < cfg->feeds->len; i++) {
		struct hark_feed_conf *f = cfg->feeds->pdata[i];
		g_hash_table_add(names, g_strdup(f->name));
		g_hash_table_insert(urls, f->url, f->name);
	}
	add = g_string_new(NULL);
	g_string_append_printf(add, "\n# Imported from %s\n", argv[1]);
	for (guint i = 0; i < feeds->len; i++) {
		struct hark_opml_feed *f = feeds->pdata[i];
		const char *existing = g_hash_table_lookup(urls, f->url);
		char *base, *name;

		if (existing) {
			printf("skipped %s: already in the config as [feed %s]\n", f->url, existing);
			skipped++;
			continue;
		}
		if (!url_usable(f->url)) {
			printf("skipped %s: not an http or https URL\n", f->url);
			skipped++;
			continue;
		}
		base = hark_opml_feed_name(f->title, f->url);
		if (!*base) {
			g_free(base);
			base = g_strdup("feed");
		}
		name = g_strdup(base);
		for (int n = 2; name_taken(names, name); n++) {
			g_free(name);
			name = g_strdup_printf("%s-%d", base, n);
		}
		g_free(base);
		g_string_append_printf(add, "\n[feed %s]\nurl = %s\n", name, f->url);
		if (f->tags->len) {
			g_ptr_array_add(f->tags, NULL);
			char *tags = g_strjoinv(", ", (char **)f->tags->pdata);
			g_ptr_array_remove_index(f->tags, f->tags->len - 1);
			g_string_append_printf(add, "tags = %s\n", tags);
			g_free(tags);
		}
		printf("%s [feed %s] %s\n", dry_run ? "would add" : "added", name, f->url);
		g_hash_table_insert(urls, f->url, name);
		g_hash_table_add(names, name);
		added++;
	}
	if (!dry_run && added) {
		char *merged;
		struct hark_config *check;

		if (!g_file_get_contents(cfg->path, &old, &oldlen, &e)) {
			fprintf(stderr, "hark import-opml: %s\n", e->message);
			g_error_free(e);
			status = HARK_EXIT_RUNTIME;
			goto out;
		}
		merged = g_strconcat(old, add->str, NULL);
		if (!g_file_set_contents(cfg->path, merged, -1, &e)) {
			fprintf(stderr, "hark import-opml: %s\n", e->message);
			g_error_free(e);
			g_free(merged);
			status = HARK_EXIT_RUNTIME;
			goto out;
		}
		g_free(merged);
		/* Never leave a config hark cannot read: check, else restore. */
		check = hark_config_load(cfg->path, &diags, NULL);
		if (!check || hark_diags_count(&diags)) {
			hark_diags_print(&diags, stderr);
			g_file_set_contents(cfg->path, old, (gssize)oldlen, NULL);
			fprintf(stderr, "hark import-opml: the result did not validate; "
					"%s is unchanged\n", cfg->path);
			status = HARK_EXIT_USER;
		}
		hark_config_free(check);
	}
	printf("%s %u feed%s, skipped %u\n", dry_run ? "would add" : "added", added,
	       added == 1 ? "" : "s", skipped);
out:
	if (add)
		g_string_free(add, TRUE);
	if (names)
		g_hash_table_unref(names);
	if (urls)
		g_hash_table_unref(urls);
	if (feeds)
		g_ptr_array_unref(feeds);
	g_free(data);
	g_free(old);
	hark_ruleset_free(rs);
	hark_config_free(cfg);
	hark_diags_clear(&diags);
	g_free(config);
	return status;
}

int cmd_export_opml(int argc, char **argv)
{
	char *config = NULL;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "config file", "FILE"},
		G_OPTION_ENTRY_NULL,
	};
	struct hark_diags diags;
	struct hark_config *cfg;
	struct hark_ruleset *rs;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries, "- print the feeds as OPML"))
		return HARK_EXIT_USER;
	hark_diags_init(&diags);
	status = hark_cmd_load_config(config, &diags, &cfg, &rs);
	if (status == HARK_EXIT_OK) {
		char *xml = hark_opml_export(cfg);
		fputs(xml, stdout);
		g_free(xml);
		hark_ruleset_free(rs);
		hark_config_free(cfg);
	}
	hark_diags_clear(&diags);
	g_free(config);
	return status;
}
