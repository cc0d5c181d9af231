/* libFuzzer target: date parsing.  A parsed date must format and parse
 * back to itself (no date is ever half-read). */
#include "hark/date.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = g_strndup((const char *)data, size);
	int64_t t = hark_date_parse(s);
	char buf[HARK_DATE_RFC3339_LEN];

	if (t != HARK_TIME_NONE && hark_date_format_rfc3339(t, buf, sizeof buf) &&
	    hark_date_parse(buf) != t)
		__builtin_trap();
	g_free(s);
	return 0;
}
