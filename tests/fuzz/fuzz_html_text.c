/* libFuzzer target: the HTML-to-text step and the plain-text cleaner.
 * Output must always be valid UTF-8 without C0 controls other than \n. */
#include "hark/htmltext.h"

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

static void check(char *s)
{
	if (!g_utf8_validate(s, -1, NULL))
		__builtin_trap();
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			__builtin_trap();
	g_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(hark_html_to_text((const char *)data, size));
	check(hark_text_clean((const char *)data, size));
	return 0;
}
