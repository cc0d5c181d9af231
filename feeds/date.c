/* date.c - feed date parsing: RFC 822 family, RFC 3339 / ISO 8601.
 *
 * Two small hand-written parsers instead of strptime(): strptime depends on
 * the locale, does not know time zones by name and silently accepts half a
 * date.  Here every field is range-checked and anything doubtful gives
 * HARK_TIME_NONE.
 */
#include "hark/date.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm), valid for any year we accept. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dim[m - 1];
}

struct fields {
	int64_t year;
	int month, day, hour, min, sec;
	int offset; /* seconds east of UTC */
};

static int64_t fields_to_time(const struct fields *f)
{
	if (f->year < 1000 || f->year > 9999 || f->month < 1 || f->month > 12)
		return HARK_TIME_NONE;
	if (f->day < 1 || f->day > days_in_month(f->year, f->month))
		return HARK_TIME_NONE;
	/* 24:00:00 is "end of day" in ISO 8601; 60 is a leap second. */
	if (f->hour > 24 || f->min > 59 || f->sec > 60 ||
	    (f->hour == 24 && (f->min || f->sec)))
		return HARK_TIME_NONE;
	if (f->offset < -18 * 3600 || f->offset > 18 * 3600)
		return HARK_TIME_NONE;
	int sec = f->sec == 60 ? 59 : f->sec;

	return days_from_civil(f->year, f->month, f->day) * 86400 +
	       f->hour * 3600 + f->min * 60 + sec - f->offset;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads exactly N digits at *P. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* One or two digits at *P (a broken but unambiguous form). */
static bool digits12(const char **p, int *out)
{
	if (!is_digit(**p))
		return false;
	if (is_digit((*p)[1]))
		return digits(p, 2, out);
	return digits(p, 1, out);
}

/* "+HH:MM", "+HHMM", "+HH" or "+H" (and "+HH:M"); *P on the sign. */
static bool numeric_zone(const char **p, int *offset)
{
	const char *s = *p;
	int sign = *s == '-' ? -1 : 1;
	int h = 0, m = 0;

	if (*s != '+' && *s != '-')
		return false;
	s++;
	size_t n = 0;
	while (is_digit(s[n]))
		n++;
	if (n == 4) {
		digits(&s, 2, &h);
		digits(&s, 2, &m);
	} else if (n == 2 || n == 1) {
		digits(&s, (int)n, &h);
		if (*s == ':') {
			s++;
			if (!digits12(&s, &m))
				return false;
		}
	} else {
		return false;
	}
	if (h > 18 || m > 59)
		return false;
	*offset = sign * (h * 3600 + m * 60);
	*p = s;
	return true;
}

static const struct {
	const char *name;
	int hours_x2; /* half hours */
} zones[] = {
	{"UT", 0}, {"UTC", 0}, {"GMT", 0}, {"Z", 0}, {"WET", 0},
	{"EST", -10}, {"EDT", -8}, {"CST", -12}, {"CDT", -10},
	{"MST", -14}, {"MDT", -12}, {"PST", -16}, {"PDT", -14},
	{"AKST", -18}, {"AKDT", -16}, {"HST", -20}, {"AST", -8}, {"ADT", -6},
	{"NST", -7}, {"NDT", -5},
	{"CET", 2}, {"CEST", 4}, {"MET", 2}, {"MEST", 4}, {"BST", 2},
	{"WEST", 2}, {"EET", 4}, {"EEST", 6}, {"MSK", 6},
	{"JST", 18}, {"KST", 18}, {"HKT", 16}, {"SGT", 16},
	{"AWST", 16}, {"ACST", 19}, {"ACDT", 21}, {"AEST", 20}, {"AEDT", 22},
	{"NZST", 24}, {"NZDT", 26},
};

static bool zone_name(const char *w, size_t n, int *offset)
{
	for (size_t i = 0; i < G_N_ELEMENTS(zones); i++)
		if (strlen(zones[i].name) == n && !g_ascii_strncasecmp(w, zones[i].name, n)) {
			*offset = zones[i].hours_x2 * 1800;
			return true;
		}
	return false;
}

static int month_name(const char *w, size_t n)
{
	static const char *const names[12] = {
		"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december"};

	if (n < 3)
		return 0;
	for (int i = 0; i < 12; i++) {
		size_t len = strlen(names[i]);
		/* "Sep" and "Sept" as well as the full name. */
		if ((n == 3 || (n == 4 && i == 8) || n == len) && n <= len &&
		    !g_ascii_strncasecmp(w, names[i], n))
			return i + 1;
	}
	return 0;
}

static bool weekday_name(const char *w, size_t n)
{
	static const char *const names[7] = {"monday", "tuesday", "wednesday",
		"thursday", "friday", "saturday", "sunday"};

	if (n < 3)
		return false;
	for (int i = 0; i < 7; i++) {
		size_t len = strlen(names[i]);
		if ((n == 3 || n == len || (n == 4 && (i == 1 || i == 3))) &&
		    n <= len && !g_ascii_strncasecmp(w, names[i], n))
			return true;
	}
	return false;
}

/* ISO 8601 / RFC 3339: YYYY-MM-DD[(T| )HH:MM[:SS[.f]]][zone], the basic
 * form YYYYMMDDTHHMMSS[zone], and broken but unambiguous variants seen in
 * real feeds: YYYY/M/D, one-digit fields ("12:35:9"). */
static int64_t parse_iso(const char *s)
{
	struct fields f = {0};
	int y;
	bool basic;
	char sep;

	if (!digits(&s, 4, &y))
		return HARK_TIME_NONE;
	f.year = y;
	sep = *s;
	basic = sep != '-' && sep != '/';
	if (basic) {
		if (!digits(&s, 2, &f.month) || !digits(&s, 2, &f.day))
			return HARK_TIME_NONE;
	} else {
		s++;
		if (!digits12(&s, &f.month) || *s++ != sep || !digits12(&s, &f.day))
			return HARK_TIME_NONE;
	}
	if (*s == 'T' || *s == 't' || (*s == ' ' && is_digit(s[1]))) {
		s++;
		if (basic) {
			if (!digits(&s, 2, &f.hour) || !digits(&s, 2, &f.min))
				return HARK_TIME_NONE;
			if (is_digit(*s) && !digits(&s, 2, &f.sec))
				return HARK_TIME_NONE;
		} else {
			if (!digits12(&s, &f.hour) || *s++ != ':' || !digits12(&s, &f.min))
				return HARK_TIME_NONE;
			if (*s == ':') {
				s++;
				if (!digits12(&s, &f.sec))
					return HARK_TIME_NONE;
			}
		}
		if (*s == '.' || *s == ',') {
			s++;
			if (!is_digit(*s))
				return HARK_TIME_NONE;
			while (is_digit(*s))
				s++;
		}
	}
	while (is_space(*s))
		s++;
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		if (!numeric_zone(&s, &f.offset))
			return HARK_TIME_NONE;
	} else if (is_alpha(*s)) {
		const char *w = s;
		while (is_alpha(*s))
			s++;
		if (!zone_name(w, (size_t)(s - w), &f.offset))
			return HARK_TIME_NONE;
	}
	while (is_space(*s))
		s++;
	if (*s)
		return HARK_TIME_NONE;
	return fields_to_time(&f);
}

/* RFC 822 and friends, read as a bag of tokens: words (weekday, month,
 * zone, AM/PM), times (H:MM[:SS]), numbers (day, year) and numeric zones.
 * Covers "Tue, 10 Jun 2003 04:00:00 GMT", "10 Jun 03 04:00 +0100",
 * "Jun 10, 2003 4:00 PM EST", "Tue Jun 10 04:00:00 UTC 2003" and the like. */
static int64_t parse_loose(const char *s)
{
	struct fields f = {0};
	bool have_time = false, have_zone = false, pm = false, am = false;
	int ndays = 0, nyears = 0;
	int year_digits = 0;
	int year = -1;

	f.day = 0;
	while (*s) {
		char c = *s;

		if (is_space(c) || c == ',' || c == '.' || c == '/') {
			s++;
		} else if (c == '(') {
			/* RFC 822 comment such as "(EDT)" */
			const char *e = strchr(s, ')');
			if (!e)
				return HARK_TIME_NONE;
			s = e + 1;
		} else if ((c == '+' || c == '-') && have_time && !have_zone && is_digit(s[1])) {
			int off;
			if (!numeric_zone(&s, &off))
				return HARK_TIME_NONE;
			f.offset += off;
			have_zone = true;
		} else if (c == '-') {
			s++; /* "10-Jun-2003" */
		} else if (is_alpha(c)) {
			const char *w = s;
			while (is_alpha(*s))
				s++;
			size_t n = (size_t)(s - w);
			int m, off;
			if ((m = month_name(w, n))) {
				if (f.month)
					return HARK_TIME_NONE;
				f.month = m;
			} else if (weekday_name(w, n)) {
				/* ignored: often wrong, never needed */
			} else if (n == 2 && !g_ascii_strncasecmp(w, "AM", 2)) {
				am = true;
			} else if (n == 2 && !g_ascii_strncasecmp(w, "PM", 2)) {
				pm = true;
			} else if (!have_zone && zone_name(w, n, &off)) {
				f.offset = off;
				have_zone = true;
				/* "GMT+0100" and "UTC-5" */
				if ((*s == '+' || *s == '-') && is_digit(s[1])) {
					if (!numeric_zone(&s, &off))
						return HARK_TIME_NONE;
					f.offset += off;
				}
			} else if (n == 1 && (*w == 'T' || *w == 't') && is_digit(*s)) {
				/* stray ISO separator: "10 Jun 2003 T04:00" */
			} else {
				return HARK_TIME_NONE;
			}
		} else if (is_digit(c)) {
			const char *d = s;
			while (is_digit(*s))
				s++;
			size_t n = (size_t)(s - d);
			if (*s == ':' && n <= 2) {
				if (have_time)
					return HARK_TIME_NONE;
				const char *t = d;
				if (!digits(&t, (int)n, &f.hour))
					return HARK_TIME_NONE;
				t++;
				if (!digits(&t, 2, &f.min))
					return HARK_TIME_NONE;
				if (*t == ':') {
					t++;
					if (!digits(&t, 2, &f.sec))
						return HARK_TIME_NONE;
					if (*t == '.' && is_digit(t[1])) {
						t++;
						while (is_digit(*t))
							t++;
					}
				}
				s = t;
				have_time = true;
			} else if (n <= 2 && ndays == 0) {
				const char *t = d;
				digits(&t, (int)n, &f.day);
				ndays = 1;
			} else if (n == 4 || n == 2) {
				/* a year; two digits only after the day */
				if (nyears++)
					return HARK_TIME_NONE;
				const char *t = d;
				digits(&t, (int)n, &year);
				year_digits = (int)n;
			} else {
				return HARK_TIME_NONE;
			}
		} else {
			return HARK_TIME_NONE;
		}
	}
	if (!f.month || !ndays || year < 0)
		return HARK_TIME_NONE;
	if (year_digits == 2)
		year += year < 50 ? 2000 : 1900;
	else if (year_digits != 4)
		return HARK_TIME_NONE;
	f.year = year;
	if (am || pm) {
		if (!have_time || f.hour < 1 || f.hour > 12)
			return HARK_TIME_NONE;
		if (pm && f.hour != 12)
			f.hour += 12;
		else if (am && f.hour == 12)
			f.hour = 0;
	}
	return fields_to_time(&f);
}

int64_t hark_date_parse(const char *s)
{
	char buf[128];
	size_t n;

	if (!s)
		return HARK_TIME_NONE;
	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n && is_space(s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof buf)
		return HARK_TIME_NONE;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (n >= 8 && is_digit(buf[0]) && is_digit(buf[1]) && is_digit(buf[2]) &&
	    is_digit(buf[3]) && (buf[4] == '-' || buf[4] == '/' || is_digit(buf[4]))) {
		int64_t t = parse_iso(buf);
		if (t != HARK_TIME_NONE)
			return t;
	}
	return parse_loose(buf);
}

bool hark_date_format_rfc3339(int64_t t, char *buf, size_t size)
{
	int64_t y;
	int m, d;

	if (size)
		buf[0] = '\0';
	/* 0000-01-01 .. 9999-12-31 */
	if (t == HARK_TIME_NONE || t < -62167219200LL || t > 253402300799LL ||
	    size < HARK_DATE_RFC3339_LEN)
		return false;
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m, d,
		 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	return true;
}
