/* cmd_sentiment.c - "hark sentiment": score text from the command line or
 * stdin.
 *
 *   hark sentiment [--json|--explain] "TEXT"   one result
 *   hark sentiment [--json|--explain] < FILE   one result per input line
 *
 * The line contract: every input line (empty ones, ones with invalid
 * UTF-8, a last line without '\n') gets exactly one result, in order.
 * Invalid UTF-8 is scored as if each bad byte were U+FFFD, and cue tokens
 * are repaired before printing.  stdin is read in large blocks and results
 * are written through one reused buffer: no allocation per line unless
 * cues are wanted.
 */
#include "commands.h"
#include "hark/error.h"
#include "hark/sentiment.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define READ_BLOCK (1u << 20)
#define LINE_MAX_BYTES (64u << 20) /* longer lines are scored truncated */
#define FLUSH_AT (1u << 16)

enum mode { MODE_COMPOUND, MODE_JSON, MODE_EXPLAIN };

struct output {
	GString *buf;
	bool failed;
};

static void flush_out(struct output *o)
{
	if (o->buf->len && fwrite(o->buf->str, 1, o->buf->len, stdout) != o->buf->len)
		o->failed = true;
	g_string_truncate(o->buf, 0);
}

static void score_one(const struct hark_sentiment_model *m, enum mode mode,
		      const char *text, size_t len, struct output *o)
{
	struct hark_sentiment s;

	if (len && text[len - 1] == '\r')
		len--;
	hark_sentiment_score(m, text, len, mode != MODE_COMPOUND, &s);
	switch (mode) {
	case MODE_COMPOUND:
		hark_sentiment_format_compound(o->buf, s.compound);
		g_string_append_c(o->buf, '\n');
		break;
	case MODE_JSON:
		hark_sentiment_format_json(o->buf, &s);
		g_string_append_c(o->buf, '\n');
		break;
	case MODE_EXPLAIN:
		hark_sentiment_format_explain(o->buf, &s);
		break;
	}
	hark_sentiment_clear(&s);
	if (o->buf->len >= FLUSH_AT)
		flush_out(o);
}

static int score_stdin(const struct hark_sentiment_model *m, enum mode mode,
		       struct output *o)
{
	size_t cap = READ_BLOCK, have = 0;
	char *buf = g_malloc(cap);
	bool skipping = false; /* discarding the rest of an over-long line */
	int rc = HARK_EXIT_OK;

	for (;;) {
		ssize_t n;
		size_t start = 0;
		char *nl;

		if (have == cap) {
			if (cap < LINE_MAX_BYTES) {
				cap *= 2;
				buf = g_realloc(buf, cap);
			} else {
				/* a line longer than the cap: score what we
				 * have, drop the rest of it */
				if (!skipping)
					score_one(m, mode, buf, have, o);
				skipping = true;
				have = 0;
			}
		}
		n = read(STDIN_FILENO, buf + have, cap - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "hark sentiment: reading stdin: %s\n",
				g_strerror(errno));
			rc = HARK_EXIT_RUNTIME;
			break;
		}
		if (n == 0) {
			if (have && !skipping)
				score_one(m, mode, buf, have, o);
			break;
		}
		have += (size_t)n;
		while ((nl = memchr(buf + start, '\n', have - start))) {
			if (!skipping)
				score_one(m, mode, buf + start,
					  (size_t)(nl - (buf + start)), o);
			skipping = false;
			start = (size_t)(nl - buf) + 1;
		}
		if (start) {
			memmove(buf, buf + start, have - start);
			have -= start;
		}
		if (o->failed)
			break;
	}
	g_free(buf);
	return rc;
}

int cmd_sentiment(int argc, char **argv)
{
	gboolean json = FALSE, explain = FALSE;
	GOptionEntry entries[] = {
		{"json", 'j', 0, G_OPTION_ARG_NONE, &json,
		 "print {\"compound\",\"pos\",\"neu\",\"neg\",\"cues\"} per line", NULL},
		{"explain", 'e', 0, G_OPTION_ARG_NONE, &explain,
		 "print the cues that moved each score", NULL},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionContext *ctx = g_option_context_new("[TEXT]");
	GError *err = NULL;
	const struct hark_sentiment_model *m;
	struct output o = {0};
	enum mode mode;
	int rc = HARK_EXIT_OK;

	g_option_context_set_summary(ctx,
		"Scores TEXT, or each line of stdin, from -1 (negative) to 1 "
		"(positive);\nprints the compound with four decimals.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "hark sentiment: %s\n", err->message);
		g_error_free(err);
		g_option_context_free(ctx);
		return HARK_EXIT_USER;
	}
	g_option_context_free(ctx);
	if (json && explain) {
		fprintf(stderr, "hark sentiment: --json and --explain exclude each other\n");
		return HARK_EXIT_USER;
	}
	mode = json ? MODE_JSON : explain ? MODE_EXPLAIN : MODE_COMPOUND;
	m = hark_sentiment_default();
	o.buf = g_string_sized_new(FLUSH_AT * 2);
	if (argc > 1) {
		/* several arguments are one text, as a shell user means it */
		char *text = g_strjoinv(" ", argv + 1);

		score_one(m, mode, text, strlen(text), &o);
		g_free(text);
	} else {
		rc = score_stdin(m, mode, &o);
	}
	flush_out(&o);
	if (fflush(stdout) != 0)
		o.failed = true;
	g_string_free(o.buf, TRUE);
	if (o.failed) {
		fprintf(stderr, "hark sentiment: writing stdout: %s\n", g_strerror(errno));
		return HARK_EXIT_RUNTIME;
	}
	return rc;
}
