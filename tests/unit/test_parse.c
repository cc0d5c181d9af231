#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/date.h"
#include "hark/error.h"
#include "hark/parse.h"

#include <glib.h>
#include <string.h>

static struct hark_feed_doc *parse_str(const char *s, const struct hark_parse_opts *opts)
{
	GError *err = NULL;
	struct hark_feed_doc *doc = hark_feed_parse(s, strlen(s), opts, &err);

	if (!doc)
		fail_msg("parse failed: %s", err->message);
	return doc;
}

static struct hark_feed_doc *parse_file(const char *rel)
{
	char *path = g_build_filename(HARK_TEST_DATA, "feeds", rel, NULL);
	char *data;
	size_t len;
	GError *err = NULL;
	struct hark_feed_doc *doc;

	if (!g_file_get_contents(path, &data, &len, &err))
		fail_msg("%s: %s", path, err->message);
	doc = hark_feed_parse(data, len, NULL, &err);
	if (!doc)
		fail_msg("%s: %s", rel, err->message);
	g_free(data);
	g_free(path);
	return doc;
}

static struct hark_item *item(struct hark_feed_doc *doc, guint i)
{
	assert_true(i < doc->items->len);
	return g_ptr_array_index(doc->items, i);
}

static void assert_date(int64_t t, const char *want)
{
	char buf[HARK_DATE_RFC3339_LEN];

	if (!want) {
		assert_true(t == HARK_TIME_NONE);
		return;
	}
	assert_true(hark_date_format_rfc3339(t, buf, sizeof buf));
	assert_string_equal(buf, want);
}

static const char rss2[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
	"     xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
	"     xmlns:feedburner=\"http://rssnamespace.org/feedburner/ext/1.0\">\n"
	"<channel><title>Example &amp; Co</title><link>http://example.com/</link>\n"
	"<image><title>not the feed title</title></image>\n"
	"<item><title>First &lt;b&gt;post&lt;/b&gt;</title>\n"
	"  <link>http://example.com/1</link>\n"
	"  <guid isPermaLink=\"false\">id-1</guid>\n"
	"  <author>joe@example.com (Joe Bloggs)</author>\n"
	"  <category>news</category><category> tech </category>\n"
	"  <pubDate>Wed, 31 Dec 2003 10:14:55 GMT</pubDate>\n"
	"  <description>&lt;p&gt;Hello &amp;amp; &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;&lt;p&gt;again&lt;/p&gt;</description>\n"
	"  <content:encoded><![CDATA[<div>Full <script>x()</script>text</div>]]></content:encoded>\n"
	"  <enclosure url=\"http://example.com/a.mp3\" type=\"audio/mpeg\" length=\"1\"/>\n"
	"  <feedburner:origLink>http://orig.example.com/1</feedburner:origLink>\n"
	"</item>\n"
	"<item><guid>http://example.com/2</guid><dc:creator>Ann</dc:creator>\n"
	"  <dc:date>2004-01-01T00:30:00+01:00</dc:date><title>Second</title></item>\n"
	"</channel></rss>\n";

static void rss20(void **state)
{
	struct hark_feed_doc *doc = parse_str(rss2, NULL);
	struct hark_item *it;

	(void)state;
	assert_string_equal(doc->format, "rss2.0");
	assert_string_equal(doc->title, "Example & Co");
	assert_string_equal(doc->link, "http://example.com/");
	assert_false(doc->bozo);
	assert_int_equal(doc->items->len, 2);
	it = item(doc, 0);
	assert_string_equal(it->title, "First post");
	assert_string_equal(it->link, "http://example.com/1");
	assert_string_equal(it->id, "id-1");
	assert_false(it->id_is_permalink);
	assert_string_equal(it->author, "Joe Bloggs <joe@example.com>");
	assert_int_equal(it->categories->len, 2);
	assert_string_equal(g_ptr_array_index(it->categories, 1), "tech");
	assert_date(it->published, "2003-12-31T10:14:55Z");
	assert_date(it->updated, NULL);
	assert_string_equal(it->summary, "Hello & world\nagain");
	assert_string_equal(it->content, "Full text");
	assert_int_equal(it->enclosures->len, 1);
	assert_string_equal(g_ptr_array_index(it->enclosures, 0), "http://example.com/a.mp3");
	assert_string_equal(it->orig_link, "http://orig.example.com/1");
	it = item(doc, 1);
	/* a permalink guid stands in for the missing <link> */
	assert_true(it->id_is_permalink);
	assert_string_equal(it->link, "http://example.com/2");
	assert_string_equal(it->author, "Ann");
	assert_date(it->published, "2003-12-31T23:30:00Z");
	assert_null(it->summary);
	hark_feed_doc_free(doc);
}

static void rss20_keep_html(void **state)
{
	struct hark_parse_opts opts = {.keep_html = true};
	struct hark_feed_doc *doc = parse_str(rss2, &opts);

	(void)state;
	assert_string_equal(item(doc, 0)->title, "First <b>post</b>");
	assert_string_equal(item(doc, 0)->summary,
			    "<p>Hello &amp; <b>world</b></p><p>again</p>");
	hark_feed_doc_free(doc);
}

static const char atom1[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"http://example.org/blog/\">\n"
	"  <title type=\"text\">A &lt;fine&gt; blog</title>\n"
	"  <link rel=\"self\" href=\"http://example.org/feed.atom\"/>\n"
	"  <link rel=\"alternate\" href=\"/\"/>\n"
	"  <author><name>Feed Owner</name></author>\n"
	"  <entry>\n"
	"    <title type=\"html\">Tom &amp;amp; &lt;i&gt;Jerry&lt;/i&gt;</title>\n"
	"    <link rel=\"edit\" href=\"edit/1\"/>\n"
	"    <link href=\"2003/12/13/atom03\"/>\n"
	"    <link rel=\"enclosure\" href=\"media/a.ogg\"/>\n"
	"    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>\n"
	"    <published>2003-12-13T08:29:29-04:00</published>\n"
	"    <updated>2003-12-13T18:30:02Z</updated>\n"
	"    <author><name>Mark</name><email>mark@example.org</email><uri>http://x/</uri></author>\n"
	"    <category term=\"cats\"/><category term=\"\" label=\"Dogs\"/>\n"
	"    <summary>Some &amp; text</summary>\n"
	"    <content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
	"<p>Para <b>one</b> &amp; 1 &lt; 2</p><p>two</p></div></content>\n"
	"    <source><title>not this</title><author><name>Other</name></author></source>\n"
	"  </entry>\n"
	"  <entry xml:base=\"http://other.example/x/\"><title>Two</title>"
	"<link rel=\"alternate\" href=\"y\"/><id>2</id></entry>\n"
	"</feed>\n";

static void atom10(void **state)
{
	struct hark_feed_doc *doc = parse_str(atom1, NULL);
	struct hark_item *it;

	(void)state;
	assert_string_equal(doc->format, "atom1.0");
	assert_string_equal(doc->title, "A <fine> blog");
	assert_string_equal(doc->link, "http://example.org/");
	assert_false(doc->bozo);
	assert_int_equal(doc->items->len, 2);
	it = item(doc, 0);
	assert_string_equal(it->title, "Tom & Jerry");
	assert_string_equal(it->link, "http://example.org/blog/2003/12/13/atom03");
	assert_string_equal(g_ptr_array_index(it->enclosures, 0), "http://example.org/blog/media/a.ogg");
	assert_string_equal(it->id, "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a");
	assert_false(it->id_is_permalink);
	assert_date(it->published, "2003-12-13T12:29:29Z");
	assert_date(it->updated, "2003-12-13T18:30:02Z");
	assert_string_equal(it->author, "Mark <mark@example.org>");
	assert_int_equal(it->categories->len, 2);
	assert_string_equal(g_ptr_array_index(it->categories, 0), "cats");
	assert_string_equal(g_ptr_array_index(it->categories, 1), "Dogs");
	assert_string_equal(it->summary, "Some & text");
	assert_string_equal(it->content, "Para one & 1 < 2\ntwo");
	it = item(doc, 1);
	assert_string_equal(it->link, "http://other.example/x/y");
	/* RFC 4287: the feed's author applies to entries without one */
	assert_string_equal(it->author, "Feed Owner");
	hark_feed_doc_free(doc);
}

static void rss10_rdf(void **state)
{
	static const char rdf[] =
		"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n"
		" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
		"<channel rdf:about=\"http://x/\"><title>RDF</title><link>http://x/</link></channel>\n"
		"<item rdf:about=\"http://x/1\"><title>One</title><link>http://x/1</link>\n"
		"<dc:date>2002-10-02T10:00:00-05:00</dc:date><dc:subject>s</dc:subject>"
		"<dc:creator>C</dc:creator></item>\n"
		"<item rdf:about=\"http://x/2\"><title>Two</title><link>http://x/2</link></item>\n"
		"</rdf:RDF>";
	struct hark_feed_doc *doc = parse_str(rdf, NULL);

	(void)state;
	assert_string_equal(doc->format, "rss1.0");
	assert_string_equal(doc->title, "RDF");
	assert_int_equal(doc->items->len, 2);
	assert_string_equal(item(doc, 0)->link, "http://x/1");
	assert_string_equal(item(doc, 0)->author, "C");
	assert_date(item(doc, 0)->published, "2002-10-02T15:00:00Z");
	assert_string_equal(g_ptr_array_index(item(doc, 0)->categories, 0), "s");
	hark_feed_doc_free(doc);
}

static void atom03(void **state)
{
	static const char a03[] =
		"<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><title>Old</title>"
		"<link rel=\"alternate\" type=\"text/html\" href=\"http://a/\"/>"
		"<entry><title>E</title><link rel=\"alternate\" href=\"http://a/e\"/>"
		"<issued>2003-12-13T08:29:29-04:00</issued><modified>2003-12-13T18:30:02Z</modified>"
		"<content type=\"text/html\" mode=\"escaped\">&lt;p&gt;hi&lt;/p&gt;</content>"
		"</entry></feed>";
	struct hark_feed_doc *doc = parse_str(a03, NULL);

	(void)state;
	assert_string_equal(doc->format, "atom0.3");
	assert_string_equal(doc->link, "http://a/");
	assert_int_equal(doc->items->len, 1);
	assert_string_equal(item(doc, 0)->content, "hi");
	assert_date(item(doc, 0)->published, "2003-12-13T12:29:29Z");
	assert_date(item(doc, 0)->updated, "2003-12-13T18:30:02Z");
	hark_feed_doc_free(doc);
}

static void not_a_feed(void **state)
{
	static const char *bad[] = {"", "   \n", "<html><body>hi</body></html>",
				    "<catalog><book/></catalog>", "{\"a\": 1}", "hello"};
	(void)state;
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *err = NULL;
		struct hark_feed_doc *doc = hark_feed_parse(bad[i], strlen(bad[i]), NULL, &err);
		if (doc)
			fail_msg("'%s' parsed as a feed", bad[i]);
		assert_non_null(err);
		assert_true(err->domain == HARK_ERROR);
		assert_int_equal(err->code, HARK_ERROR_USER);
		assert_non_null(strstr(err->message, "not a feed"));
		g_error_free(err);
	}
}

/* Real-world files, values checked by hand against the XML. */
static void corpus_samples(void **state)
{
	struct hark_feed_doc *doc;

	(void)state;
	doc = parse_file("feedjira/spec/sample_feeds/TechCrunch.xml");
	/* leading whitespace before <?xml: recovered, flagged */
	assert_true(doc->bozo);
	assert_non_null(strstr(doc->bozo_reason, "XML declaration"));
	assert_string_equal(doc->format, "rss2.0");
	assert_int_equal(doc->items->len, 20);
	assert_string_equal(item(doc, 0)->title,
			    "Angie’s List Sets Price Range IPO At $11 To $13 Per Share; Valued At Over $600M");
	assert_string_equal(item(doc, 0)->author, "Leena Rao");
	assert_date(item(doc, 0)->published, "2011-11-02T17:25:27Z");
	hark_feed_doc_free(doc);

	doc = parse_file("feedjira/spec/sample_feeds/a10.xml");
	assert_false(doc->bozo);
	assert_string_equal(item(doc, 0)->title, "Title 5");
	assert_string_equal(item(doc, 0)->author, "John Doe <john.doe@example.com>");
	assert_date(item(doc, 0)->updated, "2020-05-14T10:00:18Z");
	hark_feed_doc_free(doc);

	doc = parse_file("feedjira/spec/sample_feeds/json_feed.json");
	assert_string_equal(doc->format, "jsonfeed1.0");
	assert_string_equal(doc->title, "inessential.com");
	assert_string_equal(item(doc, 0)->title,
			    "James Dempsey and the Breakpoints Benefit App Camp for Girls");
	assert_date(item(doc, 0)->published, "2017-06-03T05:05:47Z");
	hark_feed_doc_free(doc);
}

static void json_feed(void **state)
{
	static const char jf[] =
		"{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"J <b>F</b>\","
		" \"home_page_url\": \"https://j.example/\", \"authors\": [{\"name\": \"Feed Author\"}],"
		" \"items\": ["
		"  {\"id\": 42, \"url\": \"/posts/42\", \"title\": \"Answer\","
		"   \"content_html\": \"<p>Deep &amp; <em>thought</em></p>\", \"summary\": \"s\","
		"   \"date_published\": \"2010-02-07T14:04:00-05:00\", \"date_modified\": \"bogus\","
		"   \"tags\": [\"a\", 7, \"b\"], \"authors\": [{\"name\": \"Ann\"}],"
		"   \"attachments\": [{\"url\": \"https://j.example/a.mp3\"}, {\"nourl\": 1}]},"
		"  {\"id\": \"x\", \"external_url\": \"https://elsewhere.example/\","
		"   \"content_text\": \"  plain <b>text</b>  \"},"
		"  \"not an object\""
		"]}";
	struct hark_parse_opts opts = {.base_url = "https://j.example/feed.json"};
	struct hark_feed_doc *doc = parse_str(jf, &opts);
	struct hark_item *it;

	(void)state;
	assert_string_equal(doc->format, "jsonfeed1.1");
	assert_string_equal(doc->title, "J <b>F</b>");
	assert_string_equal(doc->link, "https://j.example/");
	assert_int_equal(doc->items->len, 2);
	it = item(doc, 0);
	assert_string_equal(it->id, "42");
	assert_string_equal(it->link, "https://j.example/posts/42");
	assert_string_equal(it->content, "Deep & thought");
	assert_string_equal(it->summary, "s");
	assert_date(it->published, "2010-02-07T19:04:00Z");
	assert_date(it->updated, NULL);
	assert_int_equal(it->categories->len, 2);
	assert_string_equal(it->author, "Ann");
	assert_int_equal(it->enclosures->len, 1);
	it = item(doc, 1);
	assert_string_equal(it->link, "https://elsewhere.example/");
	assert_string_equal(it->content, "plain <b>text</b>");
	assert_string_equal(it->author, "Feed Author");
	hark_feed_doc_free(doc);
}

static void forum_page(void **state)
{
	static const struct hark_html_source sel = {
		.item = "//tr[contains(@class,'topic-row')]",
		.title = ".//a[contains(@class,'topic-title')]",
		.link = ".//a[contains(@class,'topic-title')]",
		.body = ".//div[@class='excerpt']",
		.author = ".//td[@class='author']",
		.date = ".//td[@class='when']/*",
		.next = "//a[@rel='next']",
	};
	struct hark_parse_opts opts = {.base_url = "https://forum.acme.example/c/routers",
				       .html = &sel};
	char *path = g_build_filename(HARK_TEST_DATA, "forum", "thread-list.html", NULL);
	char *data;
	size_t len;
	GError *err = NULL;
	struct hark_feed_doc *doc;
	struct hark_item *it;

	(void)state;
	assert_true(g_file_get_contents(path, &data, &len, NULL));
	doc = hark_feed_parse(data, len, &opts, &err);
	assert_non_null(doc);
	assert_string_equal(doc->format, "html");
	assert_string_equal(doc->title, "Routers & modems - Acme Community Forum");
	assert_string_equal(doc->next_page, "https://forum.acme.example/c/routers?page=2");
	assert_int_equal(doc->items->len, 4);
	it = item(doc, 1);
	assert_string_equal(it->title, "AX3000 drops WiFi every night – refund?");
	assert_string_equal(it->link, "https://forum.acme.example/t/ax3000-drops-wifi-every-night/2417");
	assert_string_equal(it->id, it->link);
	assert_string_equal(it->author, "jdoe");
	assert_date(it->published, "2024-03-18T21:41:07Z");
	assert_string_equal(it->content, "Since the 2.1 firmware my AX3000 loses WiFi around 3am.\n"
			    "Support wants me to reset it again. Anyone got a refund?");
	it = item(doc, 2);
	assert_string_equal(it->link, "https://forum.acme.example/c/t/love-the-new-mesh-kit/2420");
	assert_date(it->published, "2024-03-19T08:15:00Z");
	assert_string_equal(it->content, "Setup took five minutes & coverage is great.");
	assert_date(item(doc, 3)->published, NULL);
	hark_feed_doc_free(doc);

	/* --html keeps the body's markup */
	opts.keep_html = true;
	doc = hark_feed_parse(data, len, &opts, &err);
	assert_non_null(strstr(item(doc, 1)->content, "<i>again</i>"));
	hark_feed_doc_free(doc);

	/* a bad selector is the user's error */
	struct hark_html_source bad = sel;
	bad.title = "//a[";
	opts.html = &bad;
	assert_null(hark_feed_parse(data, len, &opts, &err));
	assert_int_equal(err->code, HARK_ERROR_USER);
	assert_non_null(strstr(err->message, "title"));
	g_error_free(err);
	g_free(data);
	g_free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rss20),
		cmocka_unit_test(rss20_keep_html),
		cmocka_unit_test(atom10),
		cmocka_unit_test(rss10_rdf),
		cmocka_unit_test(atom03),
		cmocka_unit_test(not_a_feed),
		cmocka_unit_test(corpus_samples),
		cmocka_unit_test(forum_page),
		cmocka_unit_test(json_feed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
