/* cmd_check.c - `hark check [-c FILE]`: validate without running. */
#include "commands.h"
#include "cmdutil.h"
#include "hark/error.h"
#include "hark/rules.h"

#include <stdio.h>

int cmd_check(int argc, char **argv)
{
	char *config = NULL;
	gboolean list_keys = FALSE;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "config file", "FILE"},
		{"list-keys", 0, 0, G_OPTION_ARG_NONE, &list_keys,
		 "print every accepted \"SECTION KEY\" and exit", NULL},
		G_OPTION_ENTRY_NULL,
	};
	struct hark_config *cfg;
	struct hark_ruleset *rs;
	struct hark_diags diags;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries, "- validate the config and rules"))
		return HARK_EXIT_USER;
	if (list_keys) {
		GPtrArray *keys = hark_config_known_keys();

		for (guint i = 0; i < keys->len; i++)
			puts(keys->pdata[i]);
		g_ptr_array_unref(keys);
		g_free(config);
		return HARK_EXIT_OK;
	}
	hark_diags_init(&diags);
	status = hark_cmd_load_config(config, &diags, &cfg, &rs);
	if (status == HARK_EXIT_OK) {
		printf("%s: ok (%u feeds, %u rules)\n", cfg->path, cfg->feeds->len,
		       cfg->rules->len);
		hark_ruleset_free(rs);
		hark_config_free(cfg);
	}
	hark_diags_clear(&diags);
	g_free(config);
	return status;
}
