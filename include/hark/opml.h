/* opml.h - reading and writing OPML subscription lists. */
#ifndef HARK_OPML_H
#define HARK_OPML_H

#include "hark/config.h"

#include <glib.h>
#include <stdbool.h>

/* One subscription found in an OPML file. */
struct hark_opml_feed {
	char *title;       /* title= or text=, or NULL */
	char *url;         /* xmlUrl= */
	GPtrArray *tags;   /* of char*: category= parts and enclosing folders */
};

/* Parses LEN bytes of OPML.  Returns an array of struct hark_opml_feed*
 * (free with g_ptr_array_unref()), or NULL with ERR (HARK_ERROR_USER) when
 * the bytes are not OPML.  No network access, no entity expansion. */
GPtrArray *hark_opml_parse(const char *data, size_t len, GError **err);

/* A config-safe feed name from TITLE (or URL when TITLE is empty):
 * lower-case letters, digits and '-'.  Caller frees. */
char *hark_opml_feed_name(const char *title, const char *url);

/* OPML 2.0 for the feeds of CFG.  Caller frees. */
char *hark_opml_export(const struct hark_config *cfg);

#endif
