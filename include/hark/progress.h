/* progress.h - a one-line progress bar on a terminal's stderr.
 *
 *   polling feeds [##########..........]  120/400
 *
 * Drawn only when stderr is a terminal (and not the journal); otherwise
 * every call is a no-op, so callers need not check.  Redraws at most ten
 * times a second.  Log lines erase it first (log.h).
 */
#ifndef HARK_PROGRESS_H
#define HARK_PROGRESS_H

#include <stdbool.h>

struct hark_progress;

/* LABEL is copied.  Never NULL. */
struct hark_progress *hark_progress_new(const char *label);
/* DONE of TOTAL finished. */
void hark_progress_update(struct hark_progress *p, unsigned done, unsigned total);
/* Erases the line and frees P.  NULL is a no-op. */
void hark_progress_end(struct hark_progress *p);

#endif
