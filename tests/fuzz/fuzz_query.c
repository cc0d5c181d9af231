/* fuzz_query.c - libFuzzer target for the rule query compiler.
 *
 * Input: a query, then optionally a NUL byte and item text.  The query is
 * compiled as the query= of one rule (with a second copy as exclude= when
 * the first byte is odd, and accent folding off when it is even); when it
 * compiles it is matched against the item text and a fixed item, and the
 * diagnostics are printed to /dev/null.
 */
#include "hark/config.h"
#include "hark/diag.h"
#include "hark/rules.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void rule_free(gpointer p)
{
	struct hark_rule_conf *r = p;

	g_free(r->name);
	g_free(r->query.value);
	g_free(r->exclude.value);
	g_free(r->accent_folding.value);
	g_ptr_array_unref(r->alert);
	g_free(r);
}

static void feed_free(gpointer p)
{
	struct hark_feed_conf *f = p;

	g_free(f->name);
	g_ptr_array_unref(f->tags);
	g_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	const uint8_t *nul = memchr(data, '\0', size);
	size_t qlen = nul ? (size_t)(nul - data) : size;
	struct hark_config cfg = {0};
	struct hark_rule_conf *r;
	struct hark_feed_conf *f;
	struct hark_diags diags;
	struct hark_ruleset *rs;
	char *q;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (size > 4096)
		return 0;
	q = g_strndup((const char *)data, qlen);
	/* Config values are single lines. */
	for (char *p = q; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	cfg.path = "fuzz.conf";
	cfg.rules = g_ptr_array_new_with_free_func(rule_free);
	cfg.feeds = g_ptr_array_new_with_free_func(feed_free);
	cfg.lines = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(cfg.lines, g_strdup("[rule fuzz]"));
	g_ptr_array_add(cfg.lines, g_strdup_printf("query = %s", q));
	f = g_new0(struct hark_feed_conf, 1);
	f->name = g_strdup("acme");
	f->tags = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(f->tags, g_strdup("support"));
	g_ptr_array_add(cfg.feeds, f);
	r = g_new0(struct hark_rule_conf, 1);
	r->name = g_strdup("fuzz");
	r->line = 1;
	r->alert = g_ptr_array_new_with_free_func(g_free);
	r->query.value = q;
	r->query.line = 2;
	r->query.col = 9;
	if (qlen && (data[0] & 1)) {
		r->exclude.value = g_strdup(q);
		r->exclude.line = 2;
		r->exclude.col = 9;
	}
	if (qlen && !(data[0] & 1)) {
		r->accent_folding.value = g_strdup("no");
		r->accent_folding.line = 2;
		r->accent_folding.col = 9;
	}
	g_ptr_array_add(cfg.rules, r);

	hark_diags_init(&diags);
	rs = hark_ruleset_compile(&cfg, &diags);
	hark_diags_print(&diags, devnull);
	if (rs) {
		struct hark_item *item = hark_item_new();
		struct hark_match_source src = {"acme", f->tags};
		GPtrArray *hits;

		item->title = g_strdup("Acme router refund: café 東京 🔥 #acme");
		item->link = g_strdup("https://forum.example.com/t/1");
		item->author = g_strdup("Alice <alice@example.com>");
		if (nul) {
			item->content = g_strndup((const char *)nul + 1, size - qlen - 1);
			if (!g_utf8_validate(item->content, -1, NULL)) {
				char *v = g_utf8_make_valid(item->content, -1);
				g_free(item->content);
				item->content = v;
			}
		} else {
			item->content = g_strdup(q);
		}
		hits = hark_ruleset_match(rs, item, &src);
		for (guint i = 0; i < hits->len; i++) {
			const struct hark_rule_hit *h = hits->pdata[i];
			for (guint j = 0; j < h->spans->len; j++) {
				const struct hark_span *s =
					&g_array_index(h->spans, struct hark_span, j);
				const char *t = hark_item_field(item, s->field);
				if (s->start > s->end || s->end > strlen(t))
					__builtin_trap();
			}
		}
		g_ptr_array_unref(hits);
		hark_item_free(item);
		hark_ruleset_free(rs);
	}
	hark_diags_clear(&diags);
	g_ptr_array_unref(cfg.rules);
	g_ptr_array_unref(cfg.feeds);
	g_ptr_array_unref(cfg.lines);
	return 0;
}
