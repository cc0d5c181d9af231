/* log.c - leveled one-line logging to stderr (see log.h). */
#include "hark/log.h"

#include <glib.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int log_level = -1;  /* -1: not set yet, see default_level() */
static bool progress_shown;

void hark_log_progress_shown(bool shown)
{
	progress_shown = shown;
}

/* systemd sets JOURNAL_STREAM=DEV:INODE for the stderr it connects to
 * the journal.  A child whose stderr was redirected elsewhere inherits
 * the variable, so it only counts when it names our stderr. */
bool hark_log_to_journal(void)
{
	static int cached = -1;
	const char *env;
	struct stat st;
	unsigned long long dev, ino;

	if (cached >= 0)
		return cached;
	env = getenv("JOURNAL_STREAM");
	cached = env && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
		 fstat(STDERR_FILENO, &st) == 0 &&
		 (unsigned long long)st.st_dev == dev &&
		 (unsigned long long)st.st_ino == ino;
	return cached;
}

/* In the journal, where nobody reads a terminal, the daemon's routine
 * events (start, reload, stop) are worth keeping: info.  On a terminal,
 * warnings and errors only. */
static enum hark_log_level default_level(void)
{
	return hark_log_to_journal() ? HARK_LOG_INFO : HARK_LOG_WARNING;
}

void hark_log_set_level(enum hark_log_level level)
{
	log_level = level;
}

enum hark_log_level hark_log_get_level(void)
{
	if (log_level < 0)
		log_level = default_level();
	return log_level;
}

/* Writes one event as one line: line breaks and other control
 * characters (feed titles and server messages end up in log lines) become
 * spaces, and the line goes out in a single write so concurrent writers
 * do not interleave. */
static void emit(enum hark_log_level level, const char *msg)
{
	static const char *const words[] = {"error", "warning", "info", "debug"};
	/* syslog priorities: err, warning, info, debug */
	static const int prio[] = {3, 4, 6, 7};
	char line[4200];
	int n;

	if (progress_shown)
		fputs("\r\033[K", stderr);
	if (hark_log_to_journal())
		n = snprintf(line, sizeof line, "<%d>", prio[level]);
	else
		n = snprintf(line, sizeof line, "hark: %s: ", words[level]);
	for (const char *p = msg; *p && n < (int)sizeof line - 2; p++)
		line[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
	line[n++] = '\n';
	if (fwrite(line, 1, n, stderr) != (size_t)n)
		return;  /* nowhere left to report it */
	fflush(stderr);
}

void hark_log(enum hark_log_level level, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	if ((int)level > (int)hark_log_get_level())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	emit(level, msg);
}

/* GLib's and libraries' own messages (g_warning, criticals from
 * libnotify, ...) through the same levels and format. */
static GLogWriterOutput glib_writer(GLogLevelFlags flags, const GLogField *fields,
				    gsize n, gpointer data)
{
	const char *domain = NULL, *message = NULL;
	enum hark_log_level level;

	(void)data;
	for (gsize i = 0; i < n; i++) {
		if (!strcmp(fields[i].key, "GLIB_DOMAIN"))
			domain = fields[i].value;
		else if (!strcmp(fields[i].key, "MESSAGE"))
			message = fields[i].value;
	}
	if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		level = HARK_LOG_ERROR;
	else if (flags & G_LOG_LEVEL_WARNING)
		level = HARK_LOG_WARNING;
	else if (flags & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
		level = HARK_LOG_INFO;
	else
		level = HARK_LOG_DEBUG;
	if ((int)level <= (int)hark_log_get_level())
		hark_log(level, "%s%s%s", domain ? domain : "", domain ? ": " : "",
			 message ? message : "(no message)");
	return G_LOG_WRITER_HANDLED;
}

void hark_log_route_glib(void)
{
	static bool routed;

	/* GLib aborts on a second g_log_set_writer_func(). */
	if (routed)
		return;
	routed = true;
	g_log_set_writer_func(glib_writer, NULL, NULL);
}
