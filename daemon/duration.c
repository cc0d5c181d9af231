/* duration.c - human durations ("90s", "1h30m") to seconds and back. */
#include "hark/duration.h"
#include "hark/error.h"

#include <stdio.h>

bool hark_duration_parse(const char *text, int64_t *seconds, GError **err)
{
	const char *p = text;
	int64_t total = 0;
	bool any = false;

	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && *p != ' ' && *p != '\t') {
		int64_t n = 0, unit;

		if (*p < '0' || *p > '9')
			goto bad;
		while (*p >= '0' && *p <= '9') {
			if (n > (INT64_MAX - 9) / 10)
				goto bad;
			n = n * 10 + (*p++ - '0');
		}
		switch (*p) {
		case 's': unit = 1; p++; break;
		case 'm': unit = 60; p++; break;
		case 'h': unit = 3600; p++; break;
		case 'd': unit = 86400; p++; break;
		case 'w': unit = 7 * 86400; p++; break;
		case '\0': case ' ': case '\t':
			if (any) /* "1h30" is ambiguous */
				goto bad;
			unit = 1;
			break;
		default:
			goto bad;
		}
		if (n > INT64_MAX / unit || total > INT64_MAX - n * unit)
			goto bad;
		total += n * unit;
		any = true;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (!any || *p)
		goto bad;
	*seconds = total;
	return true;
bad:
	g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
		    "bad duration '%s' (use e.g. 90s, 15m, 2h, 1d, 1h30m)", text);
	return false;
}

void hark_duration_format(int64_t seconds, char *buf, size_t len)
{
	static const struct { int64_t n; char c; } units[] = {
		{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'},
	};
	size_t off = 0;

	if (seconds <= 0) {
		snprintf(buf, len, "0s");
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < G_N_ELEMENTS(units) && off < len; i++) {
		if (seconds >= units[i].n) {
			int w = snprintf(buf + off, len - off, "%lld%c",
					 (long long)(seconds / units[i].n), units[i].c);
			if (w < 0)
				return;
			off += (size_t)w;
			seconds %= units[i].n;
		}
	}
}
