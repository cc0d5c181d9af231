#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/config.h"

#include <glib/gstdio.h>
#include <string.h>

static char *write_conf(const char *text)
{
	char *path = NULL;
	int fd = g_file_open_tmp("hark-test-XXXXXX.conf", &path, NULL);

	assert_true(fd >= 0);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Loads TEXT; returns the config (NULL if unreadable) and fills DIAGS. */
static struct hark_config *load(const char *text, struct hark_diags *diags,
				char **path_out)
{
	char *path = write_conf(text);
	GError *e = NULL;
	struct hark_config *cfg;

	hark_diags_init(diags);
	cfg = hark_config_load(path, diags, &e);
	assert_null(e);
	*path_out = path;
	return cfg;
}

static const struct hark_diag *diag_at(struct hark_diags *d, guint i)
{
	assert_true(i < hark_diags_count(d));
	return d->list->pdata[i];
}

static void good_config(void **state)
{
	struct hark_diags d;
	char *path;
	struct hark_config *cfg = load(
		"# comment\n"
		"[hark]\n"
		"database = /tmp/x/hark.db\n"
		"interval = 10m\n"
		"\n"
		"[feed acme]\n"
		"url = https://example.com/feed.xml\n"
		"tags = support; acme , brand\n"
		"\n"
		"[feed local]\n"
		"url = file:feeds/local.xml\n"
		"interval = 1h30m\n"
		"\n"
		"[rule refunds]\n"
		"query = refund \"on hold\"\n"
		"alert = stdout, desktop\n", &d, &path);
	(void)state;
	assert_non_null(cfg);
	assert_int_equal(hark_diags_count(&d), 0);
	assert_string_equal(cfg->database, "/tmp/x/hark.db");
	assert_int_equal(cfg->interval, 600);
	assert_int_equal(cfg->feeds->len, 2);
	struct hark_feed_conf *f = cfg->feeds->pdata[0];
	assert_string_equal(f->name, "acme");
	assert_int_equal(f->interval, 600);  /* inherited */
	assert_int_equal(f->tags->len, 3);
	assert_string_equal(f->tags->pdata[2], "brand");
	f = cfg->feeds->pdata[1];
	assert_int_equal(f->interval, 5400);
	assert_true(g_str_has_prefix(f->url, "file:///"));
	assert_true(g_str_has_suffix(f->url, "/feeds/local.xml"));
	struct hark_rule_conf *r = cfg->rules->pdata[0];
	assert_string_equal(r->query.value, "refund \"on hold\"");
	assert_int_equal(r->query.line, 15);
	assert_int_equal(r->query.col, 9);
	assert_int_equal(r->alert->len, 2);
	hark_config_free(cfg);
	hark_diags_clear(&d);
	g_unlink(path);
	g_free(path);
}

static void typo_in_key_names_line_and_suggests(void **state)
{
	struct hark_diags d;
	char *path;
	struct hark_config *cfg = load(
		"[feed acme]\n"
		"url = https://example.com/feed.xml\n"
		"intervall = 15m\n", &d, &path);
	(void)state;
	assert_int_equal(hark_diags_count(&d), 1);
	const struct hark_diag *g = diag_at(&d, 0);
	assert_string_equal(g->file, path);
	assert_int_equal(g->line, 3);
	assert_int_equal(g->col, 1);
	assert_non_null(strstr(g->message, "unknown key 'intervall'"));
	assert_non_null(strstr(g->hint, "interval"));
	hark_config_free(cfg);
	hark_diags_clear(&d);
	g_unlink(path);
	g_free(path);
}

static void reports_every_error(void **state)
{
	struct hark_diags d;
	char *path;
	struct hark_config *cfg = load(
		"[hark]\n"
		"interval = soon\n"          /* 2: bad duration */
		"[feed a]\n"
		"tags = x\n"                 /* 3: missing url */
		"[feed a]\n"                 /* 5: duplicate */
		"url = gopher://x\n"         /* 6: in the duplicate: skipped */
		"[rules r]\n"                /* 7: unknown section */
		"query = x\n"
		"[rule r2]\n"
		"query = x\n"
		"alert = pager\n", &d, &path);  /* 11: unknown channel */
	(void)state;
	assert_int_equal(hark_diags_count(&d), 5);
	bool seen2 = false, seen3 = false, seen5 = false, seen7 = false, seen11 = false;
	for (guint i = 0; i < hark_diags_count(&d); i++) {
		const struct hark_diag *g = diag_at(&d, i);
		seen2 |= g->line == 2 && strstr(g->message, "bad duration");
		seen3 |= g->line == 3 && strstr(g->message, "no 'url'");
		seen5 |= g->line == 5 && strstr(g->message, "duplicate section");
		seen11 |= g->line == 11 && g->col == 9 && strstr(g->message, "unknown alert channel 'pager'");
		seen7 |= g->line == 7 && strstr(g->message, "unknown section") &&
			 strstr(g->hint, "[rule r]");
	}
	assert_true(seen2);
	assert_true(seen3);
	assert_true(seen5);
	assert_true(seen7);
	assert_true(seen11);
	hark_config_free(cfg);
	hark_diags_clear(&d);
	g_unlink(path);
	g_free(path);
}

static void syntax_errors(void **state)
{
	struct hark_diags d;
	char *path;
	struct hark_config *cfg = load(
		"url = x\n"                 /* key outside a section */
		"[feed a\n"                 /* malformed header */
		"[feed b]\n"
		"just words\n"              /* not key=value */
		"url = https://x/\n"
		"url = https://y/\n", &d, &path);  /* duplicate key */
	(void)state;
	assert_int_equal(hark_diags_count(&d), 4);
	assert_int_equal(diag_at(&d, 0)->line, 1);
	assert_non_null(strstr(diag_at(&d, 0)->message, "outside of any section"));
	assert_int_equal(diag_at(&d, 1)->line, 2);
	assert_int_equal(diag_at(&d, 2)->line, 4);
	assert_int_equal(diag_at(&d, 3)->line, 6);
	assert_non_null(strstr(diag_at(&d, 3)->hint, "line 5"));
	hark_config_free(cfg);
	hark_diags_clear(&d);
	g_unlink(path);
	g_free(path);
}

static void prints_caret(void **state)
{
	struct hark_diags d;
	char *path, *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct hark_config *cfg = load("[feed a]\n  url = ftp://x\n", &d, &path);
	(void)state;
	hark_diags_print(&d, out);
	fclose(out);
	char *want = g_strdup_printf("%s:2:9: error: 'ftp://x' is not a URL", path);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "\n      url = ftp://x\n            ^~~~~~~\n"));
	g_free(want);
	free(buf);
	hark_config_free(cfg);
	hark_diags_clear(&d);
	g_unlink(path);
	g_free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_config),
		cmocka_unit_test(typo_in_key_names_line_and_suggests),
		cmocka_unit_test(reports_every_error),
		cmocka_unit_test(syntax_errors),
		cmocka_unit_test(prints_caret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
