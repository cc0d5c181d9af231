/* sentiment_format.c - sentiment results as text: the compound, JSON and
 * the readable cue list.  Appends to a caller's GString so a stream of
 * results reuses one buffer. */
#include "hark/sentiment.h"

#include <math.h>
#include <stdio.h>

/* "%.4f" without the minus sign on values that round to zero. */
static void append_fixed(GString *buf, double v, int places)
{
	char num[32];
	int n;

	if (isnan(v))
		v = 0;
	static const double half_unit[] = {0.5, 0.05, 0.005, 0.0005, 0.00005};

	if (places < 0 || places > 4)
		places = 4;
	if (fabs(v) < half_unit[places])
		v = 0;
	n = snprintf(num, sizeof(num), "%.*f", places, v);
	g_string_append_len(buf, num, n);
}

void hark_sentiment_format_compound(GString *buf, double compound)
{
	/* the hot path of "hark sentiment": fixed point by hand, same
	 * digits as "%.4f" but for exact ties, which a sum of floats
	 * practically never lands on */
	char num[16];
	char *p = num;
	long n;

	if (!(fabs(compound) <= 1.0)) {
		append_fixed(buf, compound, 4);
		return;
	}
	n = lround(fabs(compound) * 10000.0);
	if (n && compound < 0)
		*p++ = '-';
	*p++ = (char)('0' + n / 10000);
	*p++ = '.';
	*p++ = (char)('0' + n / 1000 % 10);
	*p++ = (char)('0' + n / 100 % 10);
	*p++ = (char)('0' + n / 10 % 10);
	*p++ = (char)('0' + n % 10);
	g_string_append_len(buf, num, p - num);
}

static void append_json_string(GString *buf, const char *s)
{
	g_string_append_c(buf, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			g_string_append(buf, "\\\"");
			break;
		case '\\':
			g_string_append(buf, "\\\\");
			break;
		case '\n':
			g_string_append(buf, "\\n");
			break;
		case '\r':
			g_string_append(buf, "\\r");
			break;
		case '\t':
			g_string_append(buf, "\\t");
			break;
		default:
			if (*p < 0x20)
				g_string_append_printf(buf, "\\u%04x", *p);
			else
				g_string_append_c(buf, (char)*p);
		}
	}
	g_string_append_c(buf, '"');
}

void hark_sentiment_format_json(GString *buf, const struct hark_sentiment *s)
{
	g_string_append(buf, "{\"compound\":");
	append_fixed(buf, s->compound, 4);
	g_string_append(buf, ",\"pos\":");
	append_fixed(buf, s->pos, 3);
	g_string_append(buf, ",\"neu\":");
	append_fixed(buf, s->neu, 3);
	g_string_append(buf, ",\"neg\":");
	append_fixed(buf, s->neg, 3);
	g_string_append(buf, ",\"cues\":[");
	for (guint i = 0; s->cues && i < s->cues->len; i++) {
		const struct hark_sentiment_cue *c =
			&g_array_index(s->cues, struct hark_sentiment_cue, i);

		if (i)
			g_string_append_c(buf, ',');
		g_string_append(buf, "{\"token\":");
		append_json_string(buf, c->token);
		g_string_append(buf, ",\"valence\":");
		append_fixed(buf, c->valence, 3);
		g_string_append(buf, ",\"why\":");
		append_json_string(buf, c->why);
		g_string_append_c(buf, '}');
	}
	g_string_append(buf, "]}");
}

void hark_sentiment_format_explain(GString *buf, const struct hark_sentiment *s)
{
	append_fixed(buf, s->compound, 4);
	g_string_append(buf, "  (pos ");
	append_fixed(buf, s->pos, 3);
	g_string_append(buf, ", neu ");
	append_fixed(buf, s->neu, 3);
	g_string_append(buf, ", neg ");
	append_fixed(buf, s->neg, 3);
	g_string_append(buf, ")\n");
	if (!s->cues || !s->cues->len) {
		g_string_append(buf, "  no cues\n");
		return;
	}
	for (guint i = 0; i < s->cues->len; i++) {
		const struct hark_sentiment_cue *c =
			&g_array_index(s->cues, struct hark_sentiment_cue, i);
		char num[32];

		snprintf(num, sizeof(num), "  %+7.3f  ", c->valence);
		g_string_append(buf, num);
		/* tokens are valid UTF-8; keep control characters off the terminal */
		for (const char *p = c->token; *p; p++)
			g_string_append_c(buf, (unsigned char)*p < 0x20 ? ' ' : *p);
		g_string_append(buf, "  [");
		g_string_append(buf, c->why);
		g_string_append(buf, "]\n");
	}
}
