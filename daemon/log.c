/* log.c - leveled one-line logging to stderr. */
#include "hark/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static enum hark_log_level log_level = HARK_LOG_WARNING;

void hark_log_set_level(enum hark_log_level level)
{
	log_level = level;
}

enum hark_log_level hark_log_get_level(void)
{
	return log_level;
}

void hark_log(enum hark_log_level level, const char *fmt, ...)
{
	static const char *const words[] = {"error", "warning", "info", "debug"};
	/* syslog priorities: err, warning, info, debug */
	static const int prio[] = {3, 4, 6, 7};
	char line[4096];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>%s\n", prio[level], line);
	else
		fprintf(stderr, "hark: %s: %s\n", words[level], line);
}
