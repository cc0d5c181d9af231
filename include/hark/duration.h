/* duration.h - "90s", "15m", "2h", "1d", "1h30m", "7d" as seconds. */
#ifndef HARK_DURATION_H
#define HARK_DURATION_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Parses TEXT into *SECONDS.  A bare number means seconds.  Returns false
 * and fills ERR (HARK_ERROR_USER) on a malformed or overflowing value. */
bool hark_duration_parse(const char *text, int64_t *seconds, GError **err);

/* Formats SECONDS compactly ("1h30m") into BUF of size LEN. */
void hark_duration_format(int64_t seconds, char *buf, size_t len);

#endif
