/* progress.c - the terminal progress bar (see progress.h). */
#include "hark/progress.h"
#include "hark/log.h"

#include <glib.h>
#include <stdio.h>
#include <unistd.h>

#define BAR_WIDTH 30

struct hark_progress {
	char *label;
	bool on;
	bool drawn;
	gint64 last_draw;   /* monotonic microseconds */
};

struct hark_progress *hark_progress_new(const char *label)
{
	struct hark_progress *p = g_new0(struct hark_progress, 1);

	p->label = g_strdup(label);
	p->on = (isatty(STDERR_FILENO) && !hark_log_to_journal());
	return p;
}

void hark_progress_update(struct hark_progress *p, unsigned done, unsigned total)
{
	char bar[BAR_WIDTH + 1];
	gint64 now = g_get_monotonic_time();
	unsigned fill;

	if (!p->on || !total)
		return;
	/* Every step would flood a slow terminal; the last one always shows. */
	if (p->drawn && done < total && now - p->last_draw < G_USEC_PER_SEC / 10)
		return;
	if (done > total)
		done = total;
	fill = (unsigned)((guint64)done * BAR_WIDTH / total);
	for (unsigned i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r\033[K%s [%s] %5u/%u", p->label, bar, done, total);
	fflush(stderr);
	p->drawn = true;
	p->last_draw = now;
	hark_log_progress_shown(true);
}

void hark_progress_end(struct hark_progress *p)
{
	if (!p)
		return;
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		hark_log_progress_shown(false);
	}
	g_free(p->label);
	g_free(p);
}
