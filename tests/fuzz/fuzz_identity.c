/* Link normalisation, identifiers and SimHash on hostile input: no crash,
 * no leak, and the invariants: normalising is idempotent, the result has
 * no fragment (except "#!"), no tracking parameter, and a SimHash is at
 * distance 0 from itself. */
#include "hark/identity.h"
#include "hark/simhash.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *n, *again;
	struct hark_item *it;
	struct hark_item_ids ids;
	uint64_t h;

	if (size > 1 << 16)
		return 0;
	s = g_strndup((const char *)data, size);
	if (!g_utf8_validate(s, -1, NULL)) {
		/* Feeds hand hark valid UTF-8 only; cut at the first bad byte. */
		const char *end;
		g_utf8_validate(s, -1, &end);
		s[end - s] = '\0';
	}
	n = hark_link_normalize(s);
	if (n) {
		again = hark_link_normalize(n);
		if (!again || strcmp(n, again))
			abort();
		if (g_str_has_prefix(n, "http://") || g_str_has_prefix(n, "https://")) {
			/* The authority ends at the first '/', '?' or '#', so
			 * the first '?' or '#' starts the query or fragment. */
			const char *hash = strchr(n, '#');
			const char *q = strchr(n, '?');
			if (hash && hash[1] != '!')
				abort();
			if (q && (!hash || q < hash)) {
				/* A kept "#!" route is not checked: it is verbatim. */
				char *query = g_ascii_strdown(q, hash ? hash - q : -1);
				if (g_str_has_prefix(query, "?utm_") || strstr(query, "&utm_") ||
				    strstr(query, "&fbclid=") || g_str_has_prefix(query, "?fbclid="))
					abort();
				g_free(query);
			}
		}
		g_free(again);
		g_free(n);
	}
	if (hark_simhash(s, &h) && hark_simhash_distance(h, h) != 0)
		abort();
	it = hark_item_new();
	it->id = g_strdup(s);
	it->link = g_strdup(s);
	it->title = g_strdup(s);
	it->content = g_strdup(s);
	hark_item_ids_compute(it, &ids);
	g_free(hark_identity_key(HARK_IDENTITY_AUTO, &ids));
	hark_item_ids_clear(&ids);
	hark_item_free(it);
	g_free(s);
	return 0;
}
