/* libFuzzer target: hark_feed_parse() on arbitrary bytes.  The first byte
 * picks the options (charset header, base URL, --html, XPath mode) so one
 * target reaches every parser; the rest is the document. */
#include "hark/parse.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static const char *const ctypes[] = {
	NULL, "application/rss+xml; charset=utf-8", "text/xml; charset=ISO-8859-1",
	"text/xml; charset=\"utf-16\"", "application/atom+xml; charset=windows-1251",
	"text/html; charset=shift_jis", "text/xml; charset=bogus-charset", "text/xml",
};

static const struct hark_html_source forum = {
	.item = "//li[contains(@class,'thread')]",
	.title = ".//a[@class='title']",
	.link = ".//a[@class='title']",
	.body = ".//div[@class='body']",
	.author = ".//span[@class='author']",
	.date = ".//time",
	.next = "//a[@rel='next']",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hark_parse_opts opts = {0};
	struct hark_feed_doc *doc;
	GError *err = NULL;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	opts.content_type = ctypes[sel & 7];
	opts.base_url = sel & 8 ? "http://example.com/a/b/" : NULL;
	opts.keep_html = sel & 16;
	opts.html = (sel & 0xe0) == 0xe0 ? &forum : NULL;
	doc = hark_feed_parse((const char *)data + 1, size - 1, &opts, &err);
	if (doc) {
		/* every string must be valid UTF-8: walk them all */
		for (guint i = 0; i < doc->items->len; i++) {
			struct hark_item *it = g_ptr_array_index(doc->items, i);
			const char *f[] = {it->id, it->link, it->title, it->author,
					   it->summary, it->content, it->orig_link};
			for (size_t k = 0; k < G_N_ELEMENTS(f); k++)
				if (f[k] && !g_utf8_validate(f[k], -1, NULL))
					__builtin_trap();
		}
		if ((doc->title && !g_utf8_validate(doc->title, -1, NULL)) ||
		    (doc->bozo_reason && !g_utf8_validate(doc->bozo_reason, -1, NULL)))
			__builtin_trap();
		hark_feed_doc_free(doc);
	} else {
		g_error_free(err);
	}
	return 0;
}
