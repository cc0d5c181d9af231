/* log.h - one line per event on stderr, journald friendly.
 *
 * Lines look like "hark: warning: feed acme: HTTP 500".  When stderr is a
 * journal stream (JOURNAL_STREAM names stderr's device and inode) each
 * line gets a <N> syslog priority prefix instead of the "warning:" word.
 * One event is one line: control characters in messages become spaces.
 * No colour, ever.
 */
#ifndef HARK_LOG_H
#define HARK_LOG_H

enum hark_log_level {
	HARK_LOG_ERROR = 0,
	HARK_LOG_WARNING = 1,
	HARK_LOG_INFO = 2,
	HARK_LOG_DEBUG = 3,
};

/* Messages above this level are dropped.  Default HARK_LOG_WARNING, or
 * HARK_LOG_INFO when stderr is the journal. */
void hark_log_set_level(enum hark_log_level level);
enum hark_log_level hark_log_get_level(void);

void hark_log(enum hark_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether stderr is connected to the journal (see above). */
_Bool hark_log_to_journal(void);

/* Sends GLib's own log messages (g_warning, library criticals) through
 * hark_log(): same levels, same one-line format. */
void hark_log_route_glib(void);

/* A progress line is on stderr (a terminal): log lines erase it first,
 * and the caller redraws it. */
void hark_log_progress_shown(_Bool shown);

#define hark_error(...) hark_log(HARK_LOG_ERROR, __VA_ARGS__)
#define hark_warn(...) hark_log(HARK_LOG_WARNING, __VA_ARGS__)
#define hark_info(...) hark_log(HARK_LOG_INFO, __VA_ARGS__)
#define hark_debug(...) hark_log(HARK_LOG_DEBUG, __VA_ARGS__)

#endif
