#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/date.h"

#include <string.h>

struct shape {
	const char *in;
	const char *want; /* RFC 3339 UTC, or NULL for "no date" */
};

static void check(const struct shape *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char buf[HARK_DATE_RFC3339_LEN];
		int64_t t = hark_date_parse(s[i].in);
		bool ok = hark_date_format_rfc3339(t, buf, sizeof buf);

		if (!s[i].want) {
			if (t != HARK_TIME_NONE)
				fail_msg("'%s' gave %s, want none", s[i].in, buf);
			continue;
		}
		if (!ok || strcmp(buf, s[i].want))
			fail_msg("'%s' gave '%s', want %s", s[i].in, ok ? buf : "none", s[i].want);
	}
}

static void rfc822_shapes(void **state)
{
	static const struct shape s[] = {
		{"Wed, 31 Dec 2003 10:14:55 GMT", "2003-12-31T10:14:55Z"},
		{"Wed, 31 Dec 2003 10:14:55 +0000", "2003-12-31T10:14:55Z"},
		{"Wed, 31 Dec 2003 12:14:55 +0200", "2003-12-31T10:14:55Z"},
		{"Wed, 31 Dec 2003 05:14:55 EST", "2003-12-31T10:14:55Z"},
		{"Wed, 31 Dec 2003 03:14:55 PDT", "2003-12-31T10:14:55Z"},
		{"31 Dec 2003 10:14:55 Z", "2003-12-31T10:14:55Z"},
		{"Wed, 31 Dec 03 10:14:55 GMT", "2003-12-31T10:14:55Z"},
		{"Fri, 31 Dec 99 10:14:55 GMT", "1999-12-31T10:14:55Z"},
		{"Wed, 31 Dec 2003 10:14 GMT", "2003-12-31T10:14:00Z"},
		{"Wed, 1 Jan 2003 10:14:55 GMT", "2003-01-01T10:14:55Z"},
		{"Wed,31 Dec 2003 10:14:55 GMT", "2003-12-31T10:14:55Z"},
		{"Thu, 01 Jan 2004 00:14:55 +01:00", "2003-12-31T23:14:55Z"},
		{"Tue, 10 Jun 2003 04:00:00 -0400 (EDT)", "2003-06-10T08:00:00Z"},
		{"Tue, 10 June 2003 04:00:00 GMT", "2003-06-10T04:00:00Z"},
		{"Tuesday, 10 Sept 2003 04:00:00 GMT", "2003-09-10T04:00:00Z"},
		{"Mon, 16 Oct 2017 15:10:00 +0000", "2017-10-16T15:10:00Z"},
		{"31 Dec 2003", "2003-12-31T00:00:00Z"},
		{"Wed, 31 Dec 2003 10:14:55", "2003-12-31T10:14:55Z"},
		{"Wed, 31 Dec 2003 10:14:55 GMT+0100", "2003-12-31T09:14:55Z"},
		{"Wed, 31 Dec 2003 10:14:55 UTC-5", "2003-12-31T15:14:55Z"},
		{"Dec 31, 2003 10:14 PM", "2003-12-31T22:14:00Z"},
		{"Dec 31, 2003 12:05 AM", "2003-12-31T00:05:00Z"},
		{"Wed Dec 31 10:14:55 UTC 2003", "2003-12-31T10:14:55Z"},
		{"31-Dec-2003 10:14:55 GMT", "2003-12-31T10:14:55Z"},
		{"Sun, 29 Feb 2004 10:00:00 GMT", "2004-02-29T10:00:00Z"},
		{"Wed, 31 Dec 2003 23:59:60 GMT", "2003-12-31T23:59:59Z"},
		{"  Wed, 31 Dec 2003 10:14:55 GMT  \n", "2003-12-31T10:14:55Z"},
	};
	(void)state;
	check(s, sizeof s / sizeof s[0]);
}

static void iso_shapes(void **state)
{
	static const struct shape s[] = {
		{"2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z"},
		{"2003-12-31T10:14:55.123456Z", "2003-12-31T10:14:55Z"},
		{"2003-12-31T11:14:55+01:00", "2003-12-31T10:14:55Z"},
		{"2003-12-31T05:14:55-0500", "2003-12-31T10:14:55Z"},
		{"2003-12-31T12:14:55+02", "2003-12-31T10:14:55Z"},
		{"2003-12-31t10:14:55z", "2003-12-31T10:14:55Z"},
		{"2003-12-31 10:14:55", "2003-12-31T10:14:55Z"},
		{"2003-12-31 10:14:55 UTC", "2003-12-31T10:14:55Z"},
		{"2003-12-31T10:14Z", "2003-12-31T10:14:00Z"},
		{"2003-12-31", "2003-12-31T00:00:00Z"},
		{"20031231T101455Z", "2003-12-31T10:14:55Z"},
		{"2004-01-01T00:30:00+01:00", "2003-12-31T23:30:00Z"},
		{"1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"},
		{"1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"},
		/* broken but unambiguous, from real feeds */
		{"2020/1/10 14:16:00", "2020-01-10T14:16:00Z"},
		{"2006-01-17T12:35:9+01:00", "2006-01-17T11:35:09Z"},
		{"2017-06-13T03:18:00+00:0", "2017-06-13T03:18:00Z"},
	};
	(void)state;
	check(s, sizeof s / sizeof s[0]);
}

/* Never a wrong date: all of these are "no date". */
static void rejects(void **state)
{
	static const struct shape s[] = {
		{"", NULL}, {"   ", NULL}, {"garbage", NULL}, {"1518478934", NULL},
		{"2003-13-01T00:00:00Z", NULL}, {"2003-02-30", NULL},
		{"2003-02-29T00:00:00Z", NULL}, {"Wed, 32 Dec 2003 10:14:55 GMT", NULL},
		{"Wed, 31 Foo 2003 10:14:55 GMT", NULL}, {"Wed, 31 Dec 2003 25:14:55 GMT", NULL},
		{"Wed, 31 Dec 2003 10:61:55 GMT", NULL}, {"Wed, 31 Dec 2003 10:14:55 XYZ", NULL},
		{"Wed, 31 Dec 2003 10:14:55 +9900", NULL}, {"31 Dec", NULL},
		{"Dec 2003", NULL}, {"2003-12-31T10:14:55+", NULL},
		{"2003-12-31T10", NULL}, {"2003-12-31Tfoo", NULL},
		{"Wed, 31 Dec 2003 13:14 PM", NULL}, {"31 Dec 2003 2004", NULL},
		{"Wed, 31 Dec 2003 10:14:55 GMT trailing", NULL},
		{"Wed, 31 Dec 2003 10:14:55 (unterminated", NULL},
		{"2003/12-31", NULL}, {"2003-1231", NULL}, {"2003-12-31T1:2:3:4", NULL},
		{"2003-12-31T10:14:555Z", NULL}, {"20031231T1014", "2003-12-31T10:14:00Z"},
	};
	(void)state;
	check(s, sizeof s / sizeof s[0]);
	assert_true(hark_date_parse(NULL) == HARK_TIME_NONE);
}

static void formats(void **state)
{
	char buf[HARK_DATE_RFC3339_LEN];

	(void)state;
	assert_true(hark_date_format_rfc3339(1072865695, buf, sizeof buf));
	assert_string_equal(buf, "2003-12-31T10:14:55Z");
	assert_false(hark_date_format_rfc3339(HARK_TIME_NONE, buf, sizeof buf));
	assert_string_equal(buf, "");
	assert_false(hark_date_format_rfc3339(INT64_MAX, buf, sizeof buf));
	assert_false(hark_date_format_rfc3339(0, buf, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc822_shapes),
		cmocka_unit_test(iso_shapes),
		cmocka_unit_test(rejects),
		cmocka_unit_test(formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
