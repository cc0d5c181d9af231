#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/duration.h"

static void parses_units(void **state)
{
	static const struct { const char *in; int64_t want; } ok[] = {
		{"90s", 90}, {"15m", 900}, {"2h", 7200}, {"1d", 86400},
		{"1h30m", 5400}, {"45", 45}, {" 10m ", 600}, {"1w", 604800},
	};
	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		int64_t s = -1;
		GError *err = NULL;
		assert_true(hark_duration_parse(ok[i].in, &s, &err));
		assert_null(err);
		assert_int_equal(s, ok[i].want);
	}
}

static void rejects_garbage(void **state)
{
	static const char *bad[] = {"", "m", "10x", "1h30", "-5m", "1.5h",
				    "99999999999999999999s", "10 m"};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t s = 0;
		GError *err = NULL;
		assert_false(hark_duration_parse(bad[i], &s, &err));
		assert_non_null(err);
		assert_non_null(strstr(err->message, "bad duration"));
		g_error_free(err);
	}
}

static void formats(void **state)
{
	char buf[32];
	(void)state;
	hark_duration_format(5400, buf, sizeof buf);
	assert_string_equal(buf, "1h30m");
	hark_duration_format(0, buf, sizeof buf);
	assert_string_equal(buf, "0s");
	hark_duration_format(90061, buf, sizeof buf);
	assert_string_equal(buf, "1d1h1m1s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_units),
		cmocka_unit_test(rejects_garbage),
		cmocka_unit_test(formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
