/* utf8.c - a UTF-8 validator with an ASCII fast path.
 *
 * Every input byte is checked once before parsing and every text field once
 * after; GLib's byte-at-a-time g_utf8_validate_len() was a tenth of the
 * parse time.  Same rules as GLib: no overlong forms, no surrogates, nothing
 * above U+10FFFF, no NUL bytes. */
#include "parse_internal.h"

#include <stdint.h>
#include <string.h>

bool feed_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		/* eight ASCII bytes at a time */
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			/* high bit set, or a zero byte */
			if ((w & 0x8080808080808080ULL) ||
			    ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL))
				break;
			p += 8;
		}
		if (p >= end)
			break;
		unsigned c = *p;
		if (c < 0x80) {
			if (!c)
				return false;
			p++;
			continue;
		}
		size_t n;
		uint32_t cp, min;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07, min = 0x10000;
		else
			return false;
		if ((size_t)(end - p) <= n)
			return false;
		for (size_t i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}
