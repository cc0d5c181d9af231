/* Broken feeds, charsets and hostile input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/error.h"
#include "hark/parse.h"

#include <glib.h>
#include <string.h>

static struct hark_feed_doc *parse_len(const char *s, size_t len, const char *ctype)
{
	struct hark_parse_opts opts = {.content_type = ctype};
	GError *err = NULL;
	struct hark_feed_doc *doc = hark_feed_parse(s, len, &opts, &err);

	if (!doc)
		fail_msg("parse failed: %s", err->message);
	return doc;
}

static struct hark_feed_doc *parse_str(const char *s)
{
	return parse_len(s, strlen(s), NULL);
}

static struct hark_feed_doc *parse_file(const char *dir, const char *name)
{
	char *path = g_build_filename(HARK_TEST_DATA, dir, name, NULL);
	char *data;
	size_t len;
	struct hark_feed_doc *doc;

	if (!g_file_get_contents(path, &data, &len, NULL))
		fail_msg("cannot read %s", path);
	doc = parse_len(data, len, NULL);
	g_free(data);
	g_free(path);
	return doc;
}

static struct hark_item *item(struct hark_feed_doc *doc, guint i)
{
	if (i >= doc->items->len)
		fail_msg("item %u of %u", i, doc->items->len);
	return g_ptr_array_index(doc->items, i);
}

#define RSS_HEAD "<rss version=\"2.0\"><channel><title>t</title>"
#define RSS_TAIL "</channel></rss>"

/* --- broken feeds: items still come out, bozo says why ------------------ */

static void junk_before_and_after(void **state)
{
	struct hark_feed_doc *doc =
		parse_str("\n\n  junk<?xml version=\"1.0\"?>" RSS_HEAD
			  "<item><title>one</title></item>" RSS_TAIL "<trailing>garbage");

	(void)state;
	assert_true(doc->bozo);
	assert_non_null(doc->bozo_reason);
	assert_int_equal(doc->items->len, 1);
	assert_string_equal(item(doc, 0)->title, "one");
	hark_feed_doc_free(doc);
}

static void html_entities(void **state)
{
	struct hark_feed_doc *doc =
		parse_str(RSS_HEAD "<item><title>caf&eacute;&nbsp;&copy; &amp; &lt;b&gt;x&lt;/b&gt;</title>"
			  "</item>" RSS_TAIL);

	(void)state;
	/* well-formed otherwise: one pass, entities read as HTML, flagged */
	assert_true(doc->bozo);
	assert_non_null(strstr(doc->bozo_reason, "&eacute;"));
	assert_string_equal(item(doc, 0)->title, "café © & x");
	hark_feed_doc_free(doc);
}

static void bare_ampersands_recovered(void **state)
{
	struct hark_feed_doc *doc =
		parse_str(RSS_HEAD "<item><title>AT&T &nbsp;&lt;3 &amp; co</title>"
			  "<link>http://x/?a=1&b=2</link></item>"
			  "<item><title>second &copy;</title></item>" RSS_TAIL);

	(void)state;
	assert_true(doc->bozo);
	assert_int_equal(doc->items->len, 2);
	/* recover mode keeps every reference, not just the ones before the error */
	assert_string_equal(item(doc, 0)->title, "AT&T <3 & co");
	assert_string_equal(item(doc, 0)->link, "http://x/?a=1&b=2");
	assert_string_equal(item(doc, 1)->title, "second ©");
	hark_feed_doc_free(doc);
}

static void truncated(void **state)
{
	struct hark_feed_doc *doc =
		parse_str(RSS_HEAD "<item><title>one</title></item><item><title>two</title>"
			  "<description>cut he");

	(void)state;
	assert_true(doc->bozo);
	assert_int_equal(doc->items->len, 2);
	assert_string_equal(item(doc, 1)->title, "two");
	assert_string_equal(item(doc, 1)->summary, "cut he");
	hark_feed_doc_free(doc);
}

static void control_chars(void **state)
{
	struct hark_feed_doc *doc =
		parse_str(RSS_HEAD "<item><title>one\x01\x02two\x0b</title></item>" RSS_TAIL);

	(void)state;
	assert_true(doc->bozo);
	assert_string_equal(item(doc, 0)->title, "one two");
	hark_feed_doc_free(doc);
}

static void feed_inside_html(void **state)
{
	struct hark_feed_doc *doc = parse_str(
		"<html><body><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>inner</title>"
		"<entry><title>e</title></entry></feed></body></html>");

	(void)state;
	assert_string_equal(doc->format, "atom1.0");
	assert_true(doc->bozo);
	assert_string_equal(doc->title, "inner");
	assert_int_equal(doc->items->len, 1);
	hark_feed_doc_free(doc);
}

/* Every not-well-formed feed file of the copied corpus we checked by hand:
 * bozo, and the items sfeed and feedparser also find. */
static void corpus_broken(void **state)
{
	static const struct { const char *path; guint items; const char *first_title; } f[] = {
		{"feedjira/spec/sample_feeds/TechCrunch.xml", 20, NULL},
		{"feedjira/spec/sample_feeds/InvalidDateFormat.xml", 2, "Item 0 with an invalid date"},
		{"feedjira/spec/sample_feeds/DuplicateContentAtomFeed.xml", 0, NULL},
	};
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
		struct hark_feed_doc *doc = parse_file("feeds", f[i].path);
		if (!doc->bozo)
			fail_msg("%s: not bozo", f[i].path);
		if (f[i].items && doc->items->len != f[i].items)
			fail_msg("%s: %u items, want %u", f[i].path, doc->items->len, f[i].items);
		if (!f[i].items && !doc->items->len)
			fail_msg("%s: no items", f[i].path);
		if (f[i].first_title)
			assert_string_equal(item(doc, 0)->title, f[i].first_title);
		hark_feed_doc_free(doc);
	}
}

/* --- charsets ------------------------------------------------------------ */

static const char utf8_feed[] = "<?xml version=\"1.0\" encoding=\"%s\"?>"
	RSS_HEAD "<item><title>Grüße – „hi“ €</title></item>" RSS_TAIL;

static void check_title(struct hark_feed_doc *doc, const char *want)
{
	assert_int_equal(doc->items->len, 1);
	assert_string_equal(item(doc, 0)->title, want);
}

static void utf16(void **state)
{
	static const char *const variants[] = {"UTF-16LE", "UTF-16BE"};
	(void)state;
	for (int bom = 0; bom < 2; bom++) {
		for (size_t v = 0; v < 2; v++) {
			char *src = g_strdup_printf(utf8_feed, "UTF-16");
			gsize n;
			char *wide = g_convert(src, -1, variants[v], "UTF-8", NULL, &n, NULL);
			GString *buf = g_string_new(NULL);
			if (bom)
				g_string_append_len(buf, v == 0 ? "\xff\xfe" : "\xfe\xff", 2);
			g_string_append_len(buf, wide, (gssize)n);
			struct hark_feed_doc *doc = parse_len(buf->str, buf->len, NULL);
			check_title(doc, "Grüße – „hi“ €");
			assert_false(doc->bozo);
			hark_feed_doc_free(doc);
			g_string_free(buf, TRUE);
			g_free(wide);
			g_free(src);
		}
	}
}

static void legacy_charsets(void **state)
{
	char *src;
	gsize n;
	char *bytes;
	struct hark_feed_doc *doc;

	(void)state;
	/* declared windows-1252 */
	src = g_strdup_printf(utf8_feed, "windows-1252");
	bytes = g_convert(src, -1, "WINDOWS-1252", "UTF-8", NULL, &n, NULL);
	doc = parse_len(bytes, n, NULL);
	check_title(doc, "Grüße – „hi“ €");
	assert_false(doc->bozo);
	hark_feed_doc_free(doc);
	/* declared ISO-8859-1 but using 1252's quotes: read as browsers do */
	g_free(src);
	src = g_strdup_printf(utf8_feed, "ISO-8859-1");
	g_free(bytes);
	bytes = g_convert(src, -1, "WINDOWS-1252", "UTF-8", NULL, &n, NULL);
	doc = parse_len(bytes, n, NULL);
	check_title(doc, "Grüße – „hi“ €");
	hark_feed_doc_free(doc);
	/* the HTTP header wins over the XML declaration */
	g_free(src);
	src = g_strdup_printf("<?xml version=\"1.0\" encoding=\"utf-8\"?>" RSS_HEAD
			      "<item><title>Привет</title></item>" RSS_TAIL);
	g_free(bytes);
	bytes = g_convert(src, -1, "KOI8-R", "UTF-8", NULL, &n, NULL);
	doc = parse_len(bytes, n, "application/rss+xml; charset=KOI8-R");
	check_title(doc, "Привет");
	hark_feed_doc_free(doc);
	g_free(bytes);
	g_free(src);
	/* a real gb2312 feed */
	doc = parse_file("feeds", "netnewswire/Modules/RSParser/Tests/RSParserTests/Resources/kc0011.rss");
	assert_string_equal(doc->title, "投资资讯网交易在线--流通纪念币最新20篇论坛主题-全文");
	assert_string_equal(item(doc, 0)->author, "大鱼儿");
	hark_feed_doc_free(doc);
}

static void invalid_utf8_repaired(void **state)
{
	static const char bad[] = RSS_HEAD "<item><title>caf\xe9 ok \xff\xfe end</title></item>" RSS_TAIL;
	struct hark_feed_doc *doc = parse_len(bad, sizeof bad - 1, NULL);

	(void)state;
	assert_true(doc->bozo);
	assert_non_null(strstr(doc->bozo_reason, "UTF-8"));
	assert_true(g_utf8_validate(item(doc, 0)->title, -1, NULL));
	assert_non_null(strstr(item(doc, 0)->title, " ok "));
	assert_non_null(strstr(item(doc, 0)->title, "end"));
	hark_feed_doc_free(doc);
}

/* --- hostile input -------------------------------------------------------- */

static void billion_laughs(void **state)
{
	struct hark_feed_doc *doc = parse_file("hostile", "billion-laughs.xml");

	(void)state;
	assert_true(doc->bozo);
	assert_int_equal(doc->items->len, 1);
	/* declared entities are never expanded: the recover pass shows an
	 * unknown reference as its literal text, like a browser */
	assert_string_equal(item(doc, 0)->title, "boom &lol9;");
	assert_string_equal(item(doc, 0)->summary, "&lol9;&lol9;");
	hark_feed_doc_free(doc);
}

static void xxe(void **state)
{
	static const char *const files[] = {"xxe.xml", "xxe-external-dtd.xml", "xinclude.xml"};
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		struct hark_feed_doc *doc = parse_file("hostile", files[i]);
		assert_int_equal(doc->items->len, 1);
		const char *t = item(doc, 0)->title;
		if (t && (strstr(t, "root:") || strstr(t, "/bin/")))
			fail_msg("%s: read a local file: %s", files[i], t);
		if (item(doc, 0)->summary && strstr(item(doc, 0)->summary, "root:"))
			fail_msg("%s: read a local file", files[i]);
		hark_feed_doc_free(doc);
	}
}

static void deep_nesting(void **state)
{
	struct hark_feed_doc *doc = parse_file("hostile", "deep-nesting.xml");

	(void)state;
	assert_true(doc->bozo);
	assert_non_null(strstr(doc->bozo_reason, "nested deeper"));
	assert_string_equal(item(doc, 0)->title, "before");
	hark_feed_doc_free(doc);

	char *path = g_build_filename(HARK_TEST_DATA, "hostile", "deep-json.json", NULL);
	char *data;
	size_t len;
	GError *err = NULL;
	assert_true(g_file_get_contents(path, &data, &len, NULL));
	assert_null(hark_feed_parse(data, len, NULL, &err));
	assert_int_equal(err->code, HARK_ERROR_USER);
	g_error_free(err);
	g_free(data);
	g_free(path);
}

static void caps(void **state)
{
	struct hark_feed_doc *doc = parse_file("hostile", "many-items.xml");

	(void)state;
	assert_int_equal(doc->items->len, 5000);
	assert_string_equal(item(doc, 4999)->title, "t4999");
	hark_feed_doc_free(doc);
	doc = parse_file("hostile", "huge-field.xml");
	assert_true(strlen(item(doc, 0)->summary) <= (1u << 20));
	assert_true(strlen(item(doc, 0)->summary) > 1000000);
	assert_true(g_utf8_validate(item(doc, 0)->summary, -1, NULL));
	hark_feed_doc_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(junk_before_and_after),
		cmocka_unit_test(html_entities),
		cmocka_unit_test(bare_ampersands_recovered),
		cmocka_unit_test(truncated),
		cmocka_unit_test(control_chars),
		cmocka_unit_test(feed_inside_html),
		cmocka_unit_test(corpus_broken),
		cmocka_unit_test(utf16),
		cmocka_unit_test(legacy_charsets),
		cmocka_unit_test(invalid_utf8_repaired),
		cmocka_unit_test(billion_laughs),
		cmocka_unit_test(xxe),
		cmocka_unit_test(deep_nesting),
		cmocka_unit_test(caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
