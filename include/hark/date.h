/* date.h - feed dates to Unix seconds UTC and back.
 *
 * Accepts RFC 822/1123 dates and their common variants (2-digit years,
 * named and numeric zones, missing seconds or weekday), RFC 3339 / ISO 8601
 * (extended and basic forms, fractions, date only), and a few broken shapes
 * seen in real feeds.  Anything else is HARK_TIME_NONE: never a wrong date.
 * A date without a zone is taken as UTC (as feedparser does); a date with
 * an unknown zone name is no date.
 */
#ifndef HARK_DATE_H
#define HARK_DATE_H

#include "hark/item.h"

#include <stddef.h>
#include <stdint.h>

/* Parses S (NUL-terminated, may be NULL).  Returns Unix seconds UTC or
 * HARK_TIME_NONE. */
int64_t hark_date_parse(const char *s);

/* Writes T as "2003-12-31T10:14:55Z" into BUF (at least
 * HARK_DATE_RFC3339_LEN bytes).  Returns false and writes "" when T is
 * HARK_TIME_NONE or outside years 0000-9999. */
#define HARK_DATE_RFC3339_LEN 21
bool hark_date_format_rfc3339(int64_t t, char *buf, size_t size);

#endif
