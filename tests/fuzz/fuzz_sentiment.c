/* fuzz_sentiment.c - libFuzzer target for the sentiment scorer: scores the
 * input whole, with cues, and for spans taken from its first bytes, and
 * formats the results.  Checks the invariants every caller relies on. */
#include "hark/sentiment.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(const struct hark_sentiment *s)
{
	double total = s->pos + s->neu + s->neg;

	if (!(s->compound >= -1 && s->compound <= 1))
		abort();
	if (total != 0 && fabs(total - 1) > 1e-6)
		abort();
	for (guint i = 0; s->cues && i < s->cues->len; i++) {
		const struct hark_sentiment_cue *c =
			&g_array_index(s->cues, struct hark_sentiment_cue, i);

		if (!g_utf8_validate(c->token, -1, NULL) || !c->why || !isfinite(c->valence))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct hark_sentiment_model *m = hark_sentiment_default();
	struct hark_sentiment a, b, s;
	size_t spans[3][2];
	size_t nspans = 0;
	GString *buf = g_string_new(NULL);

	hark_sentiment_score(m, (const char *)data, size, false, &a);
	check(&a);
	hark_sentiment_score(m, (const char *)data, size, true, &b);
	check(&b);
	/* cues must not change the score */
	if (a.compound != b.compound)
		abort();
	hark_sentiment_format_json(buf, &b);
	hark_sentiment_format_explain(buf, &b);
	if (!g_utf8_validate(buf->str, (gssize)buf->len, NULL))
		abort();
	hark_sentiment_clear(&b);

	/* spans from the first bytes, anywhere in (and past) the text */
	for (size_t i = 0; i + 1 < size && i < 6 && nspans < 3; i += 2) {
		size_t start = size ? data[i] * size / 256 : 0;

		spans[nspans][0] = start;
		spans[nspans][1] = start + data[i + 1] % 16;
		nspans++;
	}
	hark_sentiment_score_spans(m, (const char *)data, size,
				   (const size_t (*)[2])spans, nspans, true, &s);
	check(&s);
	hark_sentiment_clear(&s);
	g_string_free(buf, TRUE);
	return 0;
}
