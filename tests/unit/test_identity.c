#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/identity.h"
#include "hark/simhash.h"

#include <string.h>

static void normalizes_links(void **state)
{
	static const struct { const char *in, *want; } cases[] = {
		{"HTTPS://Example.COM/Path/Page", "https://example.com/Path/Page"},
		{"http://example.com:80/a", "http://example.com/a"},
		{"https://example.com:443/a", "https://example.com/a"},
		{"https://example.com:8443/a", "https://example.com:8443/a"},
		{"http://example.com:443/a", "http://example.com:443/a"},
		{"https://example.com", "https://example.com/"},
		{"https://example.com?x=1", "https://example.com/?x=1"},
		{"https://example.com/a#comments", "https://example.com/a"},
		{"https://example.com/#!/post/7", "https://example.com/#!/post/7"},
		{"https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"},
		{"https://example.com/a?id=7&utm_source=rss", "https://example.com/a?id=7"},
		{"https://example.com/a?fbclid=X&id=7&gclid=Y", "https://example.com/a?id=7"},
		{"https://example.com/a?mc_cid=1&mc_eid=2&p=3#x", "https://example.com/a?p=3"},
		{"https://example.com/a?UTM_Campaign=x&b=2&&c=3", "https://example.com/a?b=2&c=3"},
		{"https://example.com/a?", "https://example.com/a"},
		{"  https://User:Pw@Example.com./a  ", "https://User:Pw@example.com/a"},
		{"https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"},
		{"https://example.com/a?utm=1", "https://example.com/a?utm=1"},
		{"tag:example.com,2024:post-1", "tag:example.com,2024:post-1"},
		/* Found by fuzz_identity: normalising twice must change nothing. */
		{"https://Example.com../a", "https://example.com/a"},
		{"http://x.example/a ?  #frag", "http://x.example/a"},
		{"http://x.example/a?b=1& #frag", "http://x.example/a?b=1"},
		{"https://x.example/?fbclid  =1&k=v", "https://x.example/?k=v"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = hark_link_normalize(cases[i].in);
		assert_non_null(got);
		if (strcmp(got, cases[i].want))
			fail_msg("%s: want %s, got %s", cases[i].in, cases[i].want, got);
		g_free(got);
	}
	assert_null(hark_link_normalize("not a url"));
	assert_null(hark_link_normalize("https:///nohost"));
	assert_null(hark_link_normalize("https://..../a"));
	assert_null(hark_link_normalize("https://exa mple.com/a"));
	assert_null(hark_link_normalize("https://example.com/a\r\nInjected: 1"));
	assert_null(hark_link_normalize(NULL));
}

static void tracking_params(void **state)
{
	(void)state;
	assert_true(hark_link_param_is_tracking("utm_source", 10));
	assert_true(hark_link_param_is_tracking("fbclid", 6));
	assert_true(hark_link_param_is_tracking("GCLID", 5));
	assert_false(hark_link_param_is_tracking("id", 2));
	assert_false(hark_link_param_is_tracking("page", 4));
	/* length-bounded: "fbclidx" is not "fbclid" */
	assert_false(hark_link_param_is_tracking("fbclidx", 7));
}

static struct hark_item *item(const char *id, const char *link, const char *orig,
			      const char *title, const char *text)
{
	struct hark_item *it = hark_item_new();

	it->id = g_strdup(id);
	it->link = g_strdup(link);
	it->orig_link = g_strdup(orig);
	it->title = g_strdup(title);
	it->content = g_strdup(text);
	return it;
}

static void computes_ids(void **state)
{
	struct hark_item *a = item("g1", "https://feedproxy.example/~r/x/1",
				   "https://Blog.example/p/1?utm_source=feedburner",
				   "Hello  World", "Some TEXT");
	struct hark_item *b = item(NULL, "https://blog.example/p/1", NULL,
				   "hello world", "some text");
	struct hark_item_ids ia, ib;

	(void)state;
	hark_item_ids_compute(a, &ia);
	hark_item_ids_compute(b, &ib);
	assert_string_equal(ia.guid, "g1");
	assert_null(ib.guid);
	/* FeedBurner's origLink wins over the proxy link. */
	assert_string_equal(ia.link, "https://blog.example/p/1");
	assert_string_equal(ib.link, "https://blog.example/p/1");
	/* Case and whitespace do not change the fingerprint. */
	assert_string_equal(ia.fp, ib.fp);
	assert_int_equal(strlen(ia.fp), 64);
	hark_item_ids_clear(&ia);
	hark_item_ids_clear(&ib);
	hark_item_free(a);
	hark_item_free(b);
}

static void layered_strategy(void **state)
{
	struct hark_item_ids ids = {g_strdup("g"), g_strdup("https://e.com/1"), g_strdup("ff")};
	struct hark_identity_trust t = {false, false};
	char *k;

	(void)state;
	assert_int_equal(hark_identity_effective(HARK_IDENTITY_AUTO, &t, &ids), HARK_IDENTITY_GUID);
	t.guids_unreliable = true;
	assert_int_equal(hark_identity_effective(HARK_IDENTITY_AUTO, &t, &ids), HARK_IDENTITY_LINK);
	t.links_unreliable = true;
	assert_int_equal(hark_identity_effective(HARK_IDENTITY_AUTO, &t, &ids), HARK_IDENTITY_CONTENT);
	/* An explicit mode overrides what was detected. */
	assert_int_equal(hark_identity_effective(HARK_IDENTITY_GUID, &t, &ids), HARK_IDENTITY_GUID);
	k = hark_identity_key(HARK_IDENTITY_GUID, &ids);
	assert_string_equal(k, "guid:g");
	g_free(k);
	k = hark_identity_key(HARK_IDENTITY_LINK, &ids);
	assert_string_equal(k, "link:https://e.com/1");
	g_free(k);
	k = hark_identity_key(HARK_IDENTITY_CONTENT, &ids);
	assert_string_equal(k, "content:ff");
	g_free(k);
	/* Missing layers fall through to the next one. */
	g_clear_pointer(&ids.guid, g_free);
	k = hark_identity_key(HARK_IDENTITY_GUID, &ids);
	assert_string_equal(k, "link:https://e.com/1");
	g_free(k);
	g_clear_pointer(&ids.link, g_free);
	k = hark_identity_key(HARK_IDENTITY_GUID, &ids);
	assert_string_equal(k, "content:ff");
	g_free(k);
	hark_item_ids_clear(&ids);
}

static void parses_modes(void **state)
{
	enum hark_identity_mode m;

	(void)state;
	assert_true(hark_identity_mode_parse("content", &m));
	assert_int_equal(m, HARK_IDENTITY_CONTENT);
	assert_true(hark_identity_mode_parse("GUID", &m));
	assert_int_equal(m, HARK_IDENTITY_GUID);
	assert_false(hark_identity_mode_parse("url", &m));
	assert_string_equal(hark_identity_mode_name(HARK_IDENTITY_LINK), "link");
}

static const char *story =
	"Acme Networks said on Tuesday it would recall forty thousand AX3000 "
	"routers after customers reported that a firmware update left the "
	"devices unable to reconnect to the mesh, and it promised refunds "
	"within two weeks to everyone who bought one since March of last year "
	"from any of its stores or resellers across the country. The company "
	"said the faulty update had been pulled from its servers on Sunday "
	"night, and that a corrected version would be offered to owners who "
	"keep their routers, with an option to install it from the mobile app "
	"or from the web console. Shares in the company fell four percent in "
	"early trading. Analysts said the cost of the recall was small but "
	"that the damage to the brand could last longer, since the AX3000 was "
	"the model most often recommended to small offices by installers. A "
	"spokesperson said affected customers would receive an email this "
	"week explaining how to return their device at no cost.";

static void simhash_near_and_far(void **state)
{
	uint64_t a, b, c, d;
	char *edited;

	(void)state;
	assert_true(hark_simhash(story, &a));
	/* Case, punctuation and spacing are not words: distance 0. */
	{
		char *shouted = g_utf8_strup(story, -1);
		char **words = g_strsplit(shouted, " ", -1);
		char *spaced = g_strjoinv(" ,  ", words);
		assert_true(hark_simhash(spaced, &b));
		assert_int_equal(hark_simhash_distance(a, b), 0);
		g_strfreev(words);
		g_free(shouted);
		g_free(spaced);
	}
	/* One word changed in 150: a near-duplicate. */
	edited = g_strdup(story);
	memcpy(strstr(edited, "Tuesday"), "Mondayy", 7);
	assert_true(hark_simhash(edited, &c));
	assert_true(hark_simhash_distance(a, c) <= HARK_SIMHASH_MAX_DISTANCE);
	assert_true(hark_simhash_distance(a, c) > 0);
	/* A different story on the same subject: far. */
	assert_true(hark_simhash("Acme Networks shares rose sharply on Wednesday after the "
				 "company reported record quarterly revenue from its new line "
				 "of business routers and said demand in Europe was strong.", &d));
	assert_true(hark_simhash_distance(a, d) > 10);
	/* Too short to fingerprint. */
	assert_false(hark_simhash("Acme router recall", &d));
	assert_false(hark_simhash(NULL, &d));
	g_free(edited);
}

static void simhash_bands_pigeonhole(void **state)
{
	(void)state;
	/* Any 3 flipped bits leave at least one 16-bit band equal. */
	uint64_t h = 0x0123456789abcdefULL;
	for (int i = 0; i < 64; i += 5)
		for (int j = i + 1; j < 64; j += 7)
			for (int k = j + 1; k < 64; k += 11) {
				uint64_t g = h ^ (1ULL << i) ^ (1ULL << j) ^ (1ULL << k);
				int equal = 0;
				for (int b = 0; b < HARK_SIMHASH_BANDS; b++)
					equal += hark_simhash_band(h, b) == hark_simhash_band(g, b);
				assert_true(equal >= 1);
				assert_int_equal(hark_simhash_distance(h, g), 3);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(normalizes_links),
		cmocka_unit_test(tracking_params),
		cmocka_unit_test(computes_ids),
		cmocka_unit_test(layered_strategy),
		cmocka_unit_test(parses_modes),
		cmocka_unit_test(simhash_near_and_far),
		cmocka_unit_test(simhash_bands_pigeonhole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
