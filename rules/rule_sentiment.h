/* rule_sentiment.h - the one place rules call the sentiment scorer
 * (internal; see include/hark/sentiment.h). */
#ifndef HARK_RULES_RULE_SENTIMENT_H
#define HARK_RULES_RULE_SENTIMENT_H

#include <stdbool.h>
#include <stddef.h>

/* Compound score of the sentences of TEXT around the NSPANS byte ranges
 * (the whole text when NSPANS is 0).  Always true. */
bool rule_sentiment_score(const char *text, size_t len,
			  const size_t (*spans)[2], size_t nspans,
			  double *compound);

#endif
