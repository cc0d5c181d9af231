/* test_rules.c - the rule language against a table of cases.
 *
 * tests/data/rules/cases.tsv holds one case per line, tab-separated:
 *
 *     EXPECT  QUERY  TEXT  [EXTRA...]
 *
 * EXPECT is '+' (the rule matches), '-' (it does not), or
 * '!KEY:COL:MESSAGE' (compiling fails with a diagnostic on the line of KEY
 * at character COL of its value, 1-based, whose message contains
 * MESSAGE).  TEXT is the item's content.  EXTRA columns: title=, author=,
 * link=, cats=a,b (item categories), feed=NAME (the source feed, whose
 * tags come from the config), spans=FIELD:START-END,... (the exact byte
 * spans of the hit), and any other
 * KEY=VALUE is written into the [rule] section.  "\n" and "\t" in TEXT
 * and title= are newline and tab.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/config.h"
#include "hark/diag.h"
#include "hark/rules.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static const char *const feeds_conf =
	"[feed acme]\n"
	"url = file:///dev/null\n"
	"tags = support, brand\n"
	"[feed blog]\n"
	"url = file:///dev/null\n"
	"tags = news\n";

static char *unescape(const char *s)
{
	GString *o = g_string_new(NULL);

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			g_string_append_c(o, '\n');
			s++;
		} else if (s[0] == '\\' && s[1] == 't') {
			g_string_append_c(o, '\t');
			s++;
		} else {
			g_string_append_c(o, *s);
		}
	}
	return g_string_free(o, FALSE);
}

static const char *field_name(enum hark_field f)
{
	static const char *const n[] = {"title", "text", "author", "link"};
	return n[f];
}

/* Runs one case; returns NULL or a description of the failure. */
static char *run_case(char **col, int ncol, const char *dir, int lineno)
{
	const char *expect = col[0];
	GString *conf = g_string_new(feeds_conf);
	GHashTable *keyline = g_hash_table_new_full(g_str_hash, g_str_equal,
						    g_free, NULL);
	struct hark_item *item = hark_item_new();
	struct hark_match_source src = {0};
	const char *want_spans = NULL;
	char *path = g_strdup_printf("%s/case%d.conf", dir, lineno);
	char *fail = NULL;
	struct hark_diags diags;
	struct hark_config *cfg;
	struct hark_ruleset *rs;
	GError *err = NULL;
	int line = 8;

	g_string_append_printf(conf, "[rule r]\nquery = %s\n", col[1]);
	g_hash_table_insert(keyline, g_strdup("query"), GINT_TO_POINTER(8));
	item->content = unescape(col[2]);
	for (int i = 3; i < ncol; i++) {
		char *eq = strchr(col[i], '=');
		char *k, *v;

		if (!eq)
			continue;
		k = g_strndup(col[i], (gsize)(eq - col[i]));
		v = eq + 1;
		if (!strcmp(k, "title")) {
			item->title = unescape(v);
		} else if (!strcmp(k, "author")) {
			item->author = g_strdup(v);
		} else if (!strcmp(k, "link")) {
			item->link = g_strdup(v);
		} else if (!strcmp(k, "cats")) {
			char **c = g_strsplit(v, ",", -1);
			for (char **p = c; *p; p++)
				g_ptr_array_add(item->categories, g_strdup(*p));
			g_strfreev(c);
		} else if (!strcmp(k, "feed")) {
			src.feed_name = eq + 1;
		} else if (!strcmp(k, "spans")) {
			want_spans = v;
		} else {
			g_string_append_printf(conf, "%s = %s\n", k, v);
			g_hash_table_insert(keyline, g_strdup(k), GINT_TO_POINTER(++line));
		}
		g_free(k);
	}
	g_file_set_contents(path, conf->str, -1, NULL);
	hark_diags_init(&diags);
	cfg = hark_config_load(path, &diags, &err);
	if (!cfg) {
		fail = g_strdup_printf("config did not load: %s",
				       err ? err->message : "diagnostics");
		if (err)
			g_error_free(err);
		goto out;
	}
	if (src.feed_name) {
		for (guint i = 0; i < cfg->feeds->len; i++) {
			const struct hark_feed_conf *f = cfg->feeds->pdata[i];
			if (!strcmp(f->name, src.feed_name))
				src.feed_tags = f->tags;
		}
	}
	rs = hark_ruleset_compile(cfg, &diags);
	if (expect[0] == '!') {
		char **e = g_strsplit(expect + 1, ":", 3);
		int kl, vcol;
		const struct hark_diag *d;

		if (rs) {
			fail = g_strdup("compiled, expected an error");
			hark_ruleset_free(rs);
		} else if (hark_diags_count(&diags) != 1) {
			fail = g_strdup_printf("%u diagnostics, expected 1",
					       hark_diags_count(&diags));
		} else {
			d = diags.list->pdata[0];
			kl = GPOINTER_TO_INT(g_hash_table_lookup(keyline, e[0]));
			vcol = (int)strlen(e[0]) + 3 + atoi(e[1]) ;
			if (d->line != kl || d->col != vcol || !strstr(d->message, e[2]) ||
			    !d->hint || !d->source)
				fail = g_strdup_printf(
					"got %d:%d '%s' (hint %s), want %d:%d '%s'",
					d->line, d->col, d->message,
					d->hint ? d->hint : "none", kl, vcol, e[2]);
		}
		g_strfreev(e);
	} else if (!rs) {
		char *buf;
		size_t len;
		FILE *m = open_memstream(&buf, &len);
		hark_diags_print(&diags, m);
		fclose(m);
		fail = g_strdup_printf("did not compile: %s", buf);
		free(buf);
	} else {
		GPtrArray *hits = hark_ruleset_match(rs, item, &src);
		bool want = expect[0] == '+';

		if ((hits->len > 0) != want) {
			fail = g_strdup_printf("%s, expected %s",
					       hits->len ? "matched" : "no match",
					       want ? "a match" : "no match");
		} else if (want && want_spans) {
			const struct hark_rule_hit *h = hits->pdata[0];
			GString *got = g_string_new(NULL);

			for (guint i = 0; i < h->spans->len; i++) {
				const struct hark_span *s =
					&g_array_index(h->spans, struct hark_span, i);
				g_string_append_printf(got, "%s%s:%zu-%zu", i ? "," : "",
						       field_name(s->field), s->start,
						       s->end);
			}
			if (strcmp(got->str, want_spans))
				fail = g_strdup_printf("spans %s, expected %s", got->str,
						       want_spans);
			g_string_free(got, TRUE);
		}
		g_ptr_array_unref(hits);
		hark_ruleset_free(rs);
	}
	hark_config_free(cfg);
out:
	hark_diags_clear(&diags);
	g_unlink(path);
	g_free(path);
	hark_item_free(item);
	g_hash_table_unref(keyline);
	g_string_free(conf, TRUE);
	return fail;
}

static void test_case_table(void **state)
{
	char *text, *dir;
	char **lines;
	int n = 0, failed = 0, lineno = 0;
	GError *err = NULL;

	(void)state;
	assert_true(g_file_get_contents(HARK_TEST_DATA "/rules/cases.tsv", &text,
					NULL, &err));
	dir = g_dir_make_tmp("hark-rules-XXXXXX", &err);
	assert_non_null(dir);
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		char **col;
		char *why;

		lineno++;
		if (!**l || **l == '#')
			continue;
		col = g_strsplit(*l, "\t", -1);
		if (g_strv_length(col) < 3) {
			printf("cases.tsv:%d: fewer than 3 columns\n", lineno);
			failed++;
			g_strfreev(col);
			continue;
		}
		n++;
		why = run_case(col, (int)g_strv_length(col), dir, lineno);
		if (why) {
			printf("cases.tsv:%d: %s\n    %s\n", lineno, *l, why);
			failed++;
			g_free(why);
		}
		g_strfreev(col);
	}
	printf("%d cases, %d failed\n", n, failed);
	g_strfreev(lines);
	g_rmdir(dir);
	g_free(dir);
	g_free(text);
	assert_true(n >= 300);
	assert_int_equal(failed, 0);
}

/* One ruleset, several threads: each call gets the same answer. */
struct thread_job {
	const struct hark_ruleset *rs;
	const struct hark_item *item;
	int bad;
};

static gpointer match_many(gpointer p)
{
	struct thread_job *j = p;

	for (int i = 0; i < 300; i++) {
		GPtrArray *hits = hark_ruleset_match(j->rs, j->item, NULL);
		if (hits->len != 2)
			j->bad++;
		else if (((struct hark_rule_hit *)hits->pdata[0])->spans->len != 2)
			j->bad++;
		g_ptr_array_unref(hits);
	}
	return NULL;
}

static struct hark_config *load_text(const char *text, char **path)
{
	struct hark_diags d;
	struct hark_config *cfg;
	int fd = g_file_open_tmp("hark-rules-XXXXXX.conf", path, NULL);

	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(*path, text, -1, NULL));
	hark_diags_init(&d);
	cfg = hark_config_load(*path, &d, NULL);
	assert_non_null(cfg);
	assert_int_equal(hark_diags_count(&d), 0);
	hark_diags_clear(&d);
	return cfg;
}

static void test_threads(void **state)
{
	char *path;
	struct hark_config *cfg = load_text(
		"[rule a]\nquery = acme NEAR/3 refund*\n"
		"[rule b]\nquery = \"acme router\" OR /zeta/\n", &path);
	struct hark_diags d;
	struct hark_ruleset *rs;
	struct hark_item *item = hark_item_new();
	struct thread_job jobs[4];
	GThread *th[4];

	(void)state;
	hark_diags_init(&d);
	rs = hark_ruleset_compile(cfg, &d);
	assert_non_null(rs);
	item->title = g_strdup("Acme router");
	item->content = g_strdup("my acme wants refunds, zeta");
	for (int i = 0; i < 4; i++) {
		jobs[i] = (struct thread_job){rs, item, 0};
		th[i] = g_thread_new("match", match_many, &jobs[i]);
	}
	for (int i = 0; i < 4; i++) {
		g_thread_join(th[i]);
		assert_int_equal(jobs[i].bad, 0);
	}
	hark_item_free(item);
	hark_ruleset_free(rs);
	hark_diags_clear(&d);
	hark_config_free(cfg);
	g_unlink(path);
	g_free(path);
}

/* Sentiment: on every hit by default, only for sentiment= rules when
 * turned off. */
static void test_score_all(void **state)
{
	char *path;
	struct hark_config *cfg = load_text(
		"[rule plain]\nquery = acme\n"
		"[rule angry]\nquery = acme\nsentiment = < -0.2\n", &path);
	struct hark_diags d;
	struct hark_ruleset *rs;
	struct hark_item *item = hark_item_new();
	GPtrArray *hits;

	(void)state;
	hark_diags_init(&d);
	rs = hark_ruleset_compile(cfg, &d);
	assert_non_null(rs);
	item->content = g_strdup("My acme router is broken and awful. I hate it.");
	hits = hark_ruleset_match(rs, item, NULL);
	assert_int_equal(hits->len, 2);
	assert_true(((struct hark_rule_hit *)hits->pdata[0])->has_sentiment);
	assert_true(((struct hark_rule_hit *)hits->pdata[0])->sentiment < -0.2);
	g_ptr_array_unref(hits);
	hark_ruleset_score_all_hits(rs, false);
	hits = hark_ruleset_match(rs, item, NULL);
	assert_int_equal(hits->len, 2);
	assert_false(((struct hark_rule_hit *)hits->pdata[0])->has_sentiment);
	assert_true(((struct hark_rule_hit *)hits->pdata[1])->has_sentiment);
	g_ptr_array_unref(hits);
	hark_item_free(item);
	hark_ruleset_free(rs);
	hark_diags_clear(&d);
	hark_config_free(cfg);
	g_unlink(path);
	g_free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case_table),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_score_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
