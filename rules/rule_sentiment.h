/* rule_sentiment.h - the one place rules call the sentiment scorer
 * (internal).  Built against include/hark/sentiment.h when the tree has
 * rules/sentiment.c (HARK_HAVE_SENTIMENT); without it scoring is
 * unavailable and sentiment= conditions never hold. */
#ifndef HARK_RULES_RULE_SENTIMENT_H
#define HARK_RULES_RULE_SENTIMENT_H

#include <stdbool.h>
#include <stddef.h>

/* Compound score of the sentences of TEXT around the NSPANS byte ranges
 * (the whole text when NSPANS is 0).  False when no scorer is built in. */
bool rule_sentiment_score(const char *text, size_t len,
			  const size_t (*spans)[2], size_t nspans,
			  double *compound);

#endif
