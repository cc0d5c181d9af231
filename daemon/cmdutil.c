/* cmdutil.c - option parsing and config loading for the commands. */
#include "cmdutil.h"
#include "hark/error.h"
#include "hark/log.h"

#include <stdio.h>

static gboolean on_verbose(const char *name, const char *value, gpointer data,
			   GError **err)
{
	enum hark_log_level l = hark_log_get_level();

	(void)name;
	(void)value;
	(void)data;
	(void)err;
	if (l < HARK_LOG_DEBUG)
		hark_log_set_level(l + 1);
	return TRUE;
}

static gboolean on_quiet(const char *name, const char *value, gpointer data,
			 GError **err)
{
	(void)name;
	(void)value;
	(void)data;
	(void)err;
	hark_log_set_level(HARK_LOG_ERROR);
	return TRUE;
}

bool hark_cmd_parse_options(int *argc, char ***argv, const GOptionEntry *entries,
			    const char *summary)
{
	const GOptionEntry common[] = {
		{"verbose", 'v', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
		 (gpointer)on_verbose, "more log output (repeat for debug)", NULL},
		{"quiet", 'q', G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK,
		 (gpointer)on_quiet, "only errors", NULL},
		G_OPTION_ENTRY_NULL,
	};
	char *name = g_strdup_printf("%s %s", (*argv)[0], summary);
	GOptionContext *ctx = g_option_context_new(NULL);
	GError *e = NULL;
	bool ok;

	hark_log_route_glib();

	g_option_context_set_summary(ctx, name);
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_add_main_entries(ctx, common, NULL);
	ok = g_option_context_parse(ctx, argc, argv, &e);
	if (!ok) {
		fprintf(stderr, "hark %s: %s\n", (*argv)[0], e->message);
		g_error_free(e);
	}
	g_option_context_free(ctx);
	g_free(name);
	return ok;
}

int hark_cmd_load_config(const char *path, struct hark_diags *diags,
			 struct hark_config **cfg, struct hark_ruleset **rs)
{
	char *def = path ? NULL : hark_config_default_path();
	GError *e = NULL;
	int status = HARK_EXIT_OK;

	*cfg = hark_config_load(path ? path : def, diags, &e);
	*rs = NULL;
	if (!*cfg && e) {
		fprintf(stderr, "hark: %s\n", e->message);
		if (!path)
			fprintf(stderr, "hark: create %s or pass -c FILE "
					"(see etc/demo/hark.conf for an example)\n", def);
		g_error_free(e);
		status = HARK_EXIT_USER;
	} else if (*cfg) {
		*rs = hark_ruleset_compile(*cfg, diags);
	}
	if (hark_diags_count(diags)) {
		hark_ruleset_free(*rs);
		*rs = NULL;
		hark_config_free(*cfg);
		*cfg = NULL;
		hark_diags_print(diags, stderr);
		fprintf(stderr, "%u error%s\n", hark_diags_count(diags),
			hark_diags_count(diags) == 1 ? "" : "s");
		status = HARK_EXIT_USER;
	}
	g_free(def);
	return status;
}

int hark_cmd_config(const char *path, struct hark_config **cfg,
		    struct hark_ruleset **rs)
{
	struct hark_diags diags;
	int status;

	hark_diags_init(&diags);
	status = hark_cmd_load_config(path, &diags, cfg, rs);
	hark_diags_clear(&diags);
	return status;
}
