/* cmdutil.h - helpers shared by the cmd_*.c files. */
#ifndef HARK_CMDUTIL_H
#define HARK_CMDUTIL_H

#include "hark/config.h"
#include "hark/diag.h"
#include "hark/rules.h"

#include <glib.h>
#include <stdbool.h>

/* Parses ARGC and ARGV with ENTRIES plus -v/--verbose and -q/--quiet,
 * printing the error on failure.  SUMMARY is the --help line. */
bool hark_cmd_parse_options(int *argc, char ***argv, const GOptionEntry *entries,
			    const char *summary);

/* Loads PATH (or the default path when NULL) and compiles its rules.
 * Prints every diagnostic to stderr.  Returns an exit status; on
 * HARK_EXIT_OK *CFG and *RS are the caller's. */
int hark_cmd_load_config(const char *path, struct hark_diags *diags,
			 struct hark_config **cfg, struct hark_ruleset **rs);

/* hark_cmd_load_config() with diagnostics of its own: they are printed,
 * then dropped. */
int hark_cmd_config(const char *path, struct hark_config **cfg,
		    struct hark_ruleset **rs);

#endif
