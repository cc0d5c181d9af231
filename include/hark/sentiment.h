/* sentiment.h - lexicon-and-rules sentiment scoring (VADER method, extended
 * for support complaints).
 *
 * The lexicons are compiled into the binary.  Scoring is reentrant: the
 * model is immutable once built and may be shared between threads.
 */
#ifndef HARK_SENTIMENT_H
#define HARK_SENTIMENT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* One cue that moved the score. */
struct hark_sentiment_cue {
	char *token;       /* the word, emoji or idiom as found; owned */
	double valence;    /* its valence after every rule applied */
	const char *why;   /* static: "lexicon", "negated", "boosted",
	                      "but-shifted", "capitalised", "complaint", ... */
};

struct hark_sentiment {
	double compound;   /* [-1, 1] */
	double pos, neu, neg; /* proportions, sum to 1 (or all 0 for no words) */
	GArray *cues;      /* of struct hark_sentiment_cue, strongest first;
	                      NULL unless asked for.  Owned. */
};

struct hark_sentiment_model;

/* The built-in model, built on first use (thread-safe).  Never freed. */
const struct hark_sentiment_model *hark_sentiment_default(void);

/* Scores LEN bytes of UTF-8 TEXT (invalid sequences tolerated) into *OUT.
 * When WANT_CUES, OUT->cues is filled.  Release with
 * hark_sentiment_clear(). */
void hark_sentiment_score(const struct hark_sentiment_model *model,
			  const char *text, size_t len, bool want_cues,
			  struct hark_sentiment *out);

/* Target-aware scoring: scores only the sentences of TEXT that contain one
 * of the NSPANS byte ranges SPANS[i] = {start, end} (plus the neighbouring
 * sentence window the implementation documents).  With no spans it scores
 * the whole text. */
void hark_sentiment_score_spans(const struct hark_sentiment_model *model,
				const char *text, size_t len,
				const size_t (*spans)[2], size_t nspans,
				bool want_cues, struct hark_sentiment *out);

/* Frees OUT's cues; OUT itself is the caller's. */
void hark_sentiment_clear(struct hark_sentiment *out);

/* Appends S as one JSON object {"compound":..,"pos":..,"neu":..,"neg":..,
 * "cues":[{"token":..,"valence":..,"why":..},..]} (no newline) to BUF. */
void hark_sentiment_format_json(GString *buf, const struct hark_sentiment *s);

/* Appends S readably: a first line with the compound (%.4f) and the
 * proportions, then one indented line per cue, each ending in '\n'. */
void hark_sentiment_format_explain(GString *buf, const struct hark_sentiment *s);

/* Appends the compound as "%.4f" (never "-0.0000") to BUF. */
void hark_sentiment_format_compound(GString *buf, double compound);

#endif
