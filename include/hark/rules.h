/* rules.h - compiled rules and matching items against them.
 *
 * hark_ruleset_compile() turns the [rule NAME] sections of a config into
 * one index; hark_ruleset_match() evaluates it against one item.
 */
#ifndef HARK_RULES_H
#define HARK_RULES_H

#include "hark/config.h"
#include "hark/diag.h"
#include "hark/item.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Which text of an item a span points into. */
enum hark_field {
	HARK_FIELD_TITLE,
	HARK_FIELD_TEXT,     /* the item's content, or its summary if no content */
	HARK_FIELD_AUTHOR,
	HARK_FIELD_LINK,
};

/* A matched term: byte offsets [start, end) into the field's string. */
struct hark_span {
	enum hark_field field;
	size_t start;
	size_t end;
};

struct hark_rule_hit {
	const struct hark_rule_conf *rule; /* borrowed from the config */
	GArray *spans;                     /* of struct hark_span, owned */
	bool has_sentiment;                /* sentiment was scored: always,
					      unless turned off with
					      hark_ruleset_score_all_hits() */
	double sentiment;                  /* compound, when has_sentiment */
};

/* What the matcher knows about the item's source. */
struct hark_match_source {
	const char *feed_name;   /* may be NULL */
	GPtrArray *feed_tags;    /* of char*, may be NULL */
};

struct hark_ruleset;

/* Compiles every rule of CFG.  Each problem goes to DIAGS with the config
 * file's line and column; all rules are checked.  Returns NULL when there
 * was any problem.  CFG must outlive the ruleset. */
struct hark_ruleset *hark_ruleset_compile(const struct hark_config *cfg,
					  struct hark_diags *diags);
void hark_ruleset_free(struct hark_ruleset *rs);

/* Evaluates every rule against ITEM.  Returns a new array of
 * struct hark_rule_hit* (free with g_ptr_array_unref(); it frees the hits),
 * in config order, empty when nothing matched. */
GPtrArray *hark_ruleset_match(const struct hark_ruleset *rs,
			      const struct hark_item *item,
			      const struct hark_match_source *src);

/* Whether every hit gets a sentiment score (the default), or only hits of
 * rules with a sentiment= condition.  Scoring costs far more than
 * matching, so a caller that does not show it can turn it off.  Not to
 * be called while another thread matches. */
void hark_ruleset_score_all_hits(struct hark_ruleset *rs, bool on);

/* The text of FIELD for ITEM, as the spans index it ("" when absent). */
const char *hark_item_field(const struct hark_item *item, enum hark_field field);

#endif
