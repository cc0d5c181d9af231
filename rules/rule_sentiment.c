/* rule_sentiment.c - sentiment for rule conditions and hits. */
#include "rule_sentiment.h"
#include "hark/sentiment.h"

bool rule_sentiment_score(const char *text, size_t len,
			  const size_t (*spans)[2], size_t nspans,
			  double *compound)
{
	struct hark_sentiment s = {0};

	hark_sentiment_score_spans(hark_sentiment_default(), text, len, spans,
				   nspans, false, &s);
	*compound = s.compound;
	hark_sentiment_clear(&s);
	return true;
}
