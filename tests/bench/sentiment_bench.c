/* sentiment_bench.c - in-process throughput of hark_sentiment_score():
 * reads FILE into memory, scores every line REPEAT times and prints
 *     lines texts cpu_seconds wall_seconds texts_per_cpu_second
 * Used by tests/bench/sentiment.sh; CPU time is what "per core" means on a
 * shared machine. */
#include "hark/sentiment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char *data;
	gsize len;
	GError *err = NULL;
	GArray *lines = g_array_new(FALSE, FALSE, sizeof(char *));
	int repeat = argc > 2 ? atoi(argv[2]) : 1;
	const struct hark_sentiment_model *m = hark_sentiment_default();
	double cpu0, wall0, cpu, wall, sink = 0;
	size_t texts = 0;

	if (argc < 2 || repeat < 1) {
		fprintf(stderr, "usage: sentiment_bench FILE [REPEAT]\n");
		return 1;
	}
	if (!g_file_get_contents(argv[1], &data, &len, &err)) {
		fprintf(stderr, "sentiment_bench: %s\n", err->message);
		return 1;
	}
	for (char *p = data; p < data + len;) {
		char *nl = memchr(p, '\n', (size_t)(data + len - p));

		if (!nl)
			nl = data + len;
		*nl = '\0';
		g_array_append_val(lines, p);
		p = nl + 1;
	}
	cpu0 = now(CLOCK_PROCESS_CPUTIME_ID);
	wall0 = now(CLOCK_MONOTONIC);
	for (int r = 0; r < repeat; r++) {
		for (guint i = 0; i < lines->len; i++) {
			const char *t = g_array_index(lines, char *, i);
			struct hark_sentiment s;

			hark_sentiment_score(m, t, strlen(t), false, &s);
			sink += s.compound;
			texts++;
		}
	}
	cpu = now(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
	wall = now(CLOCK_MONOTONIC) - wall0;
	printf("%u %zu %.4f %.4f %.0f %.2f\n", lines->len, texts, cpu, wall,
	       texts / cpu, sink);
	g_array_free(lines, TRUE);
	g_free(data);
	return 0;
}
