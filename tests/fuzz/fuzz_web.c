/* libFuzzer target: the web page's own parsing and escaping.
 *
 * Input: a query string (name=value pairs joined by '&', as
 * libmicrohttpd hands them over already decoded), a newline, then the
 * title and text of a hit (split at the next newline).  Checks:
 *   - filters that parse print back (web_filter_query) to a query that
 *     parses to the same filters;
 *   - a hit rendered as HTML (terms highlighted, snippet cut on UTF-8
 *     boundaries) has balanced <mark> tags and no markup from the input.
 */
#include "../../daemon/web_internal.h"
#include "hark/config.h"
#include "hark/diag.h"
#include "hark/rules.h"
#include "hark/store.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static struct web_ctx ctx;

static void init(void)
{
	char *dir = g_dir_make_tmp("hark-fuzz-web-XXXXXX", NULL);
	char *conf = g_build_filename(dir, "h.conf", NULL);
	char *db = g_build_filename(dir, "h.db", NULL);
	char *text = g_strdup_printf(
		"[hark]\ndatabase = %s\n"
		"[feed a]\nurl = http://a.test/\ntags = news, acme\n"
		"[feed b]\nurl = http://b.test/\n"
		"[rule r]\nquery = refund OR \"on hold\" OR slack OR é\n", db);
	struct hark_diags d;
	struct hark_config *cfg;

	g_file_set_contents(conf, text, -1, NULL);
	hark_diags_init(&d);
	cfg = hark_config_load(conf, &d, NULL);
	ctx.cfg = cfg;
	ctx.rs = hark_ruleset_compile(cfg, &d);
	hark_diags_clear(&d);
	ctx.st = hark_store_open(db, NULL);
	ctx.now = 1800000000;
	if (!ctx.rs || !ctx.st)
		__builtin_trap();
	g_free(text);
	g_free(conf);
	g_free(db);
	g_free(dir);
}

static GHashTable *args_of(const char *q, bool unescape)
{
	GHashTable *args = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	char **pairs = g_strsplit(q, "&", 64);

	for (char **p = pairs; *p; p++) {
		char *eq = strchr(*p, '=');
		char *k = eq ? g_strndup(*p, (gsize)(eq - *p)) : g_strdup(*p);
		char *v = g_strdup(eq ? eq + 1 : "");

		if (unescape) {
			char *uk = g_uri_unescape_string(k, NULL), *uv = g_uri_unescape_string(v, NULL);
			g_free(k);
			g_free(v);
			k = uk ? uk : g_strdup("");
			v = uv ? uv : g_strdup("");
		}
		if (!g_hash_table_contains(args, k))
			g_hash_table_insert(args, k, v);
		else {
			g_free(k);
			g_free(v);
		}
	}
	g_strfreev(pairs);
	return args;
}

static bool same_double(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static void check_filters(const char *q)
{
	GHashTable *args = args_of(q, false), *again;
	struct web_filter f, g;
	char *printed;

	if (!web_filter_parse(args, ctx.cfg, ctx.now, "24h", &f, NULL)) {
		web_filter_clear(&f);
		g_hash_table_unref(args);
		return;
	}
	printed = web_filter_query(&f, false);
	again = args_of(printed, true);
	if (!web_filter_parse(again, ctx.cfg, ctx.now, "24h", &g, NULL) ||
	    g_strcmp0(f.rule, g.rule) || g_strcmp0(f.tag, g.tag) ||
	    g_strcmp0(f.search, g.search) ||
	    g_strcmp0(f.feeds_json, g.feeds_json) ||
	    !same_double(f.min_sentiment, g.min_sentiment) ||
	    !same_double(f.max_sentiment, g.max_sentiment) ||
	    f.unhandled != g.unhandled || f.since != g.since || f.until != g.until)
		__builtin_trap();
	g_free(printed);
	web_filter_clear(&f);
	web_filter_clear(&g);
	g_hash_table_unref(args);
	g_hash_table_unref(again);
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void check_render(const char *title, const char *text)
{
	struct hark_hit_row h = {0};
	GString *o = g_string_new(NULL);

	h.id = 1;
	h.rule = "r";
	h.feed = "a";
	h.title = (char *)title;
	h.text = (char *)text;
	h.link = "javascript:alert(1)";
	h.sentiment = NAN;
	h.published = HARK_TIME_NONE;
	h.created = ctx.now;
	web_html_hit(o, &ctx, &h);
	if (!g_utf8_validate(o->str, (gssize)o->len, NULL) ||
	    count(o->str, "<mark>") != count(o->str, "</mark>") ||
	    strstr(o->str, "<script") || strstr(o->str, "<img") ||
	    strstr(o->str, "href=\"javascript"))
		__builtin_trap();
	g_string_free(o, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *all, *nl, *title, *text;

	if (!ctx.cfg)
		init();
	if (size > 4096)
		return 0;
	/* Strings reach hark as valid UTF-8 (a NUL ends them). */
	all = g_utf8_make_valid((const char *)data, (gssize)size);
	nl = strchr(all, '\n');
	if (nl)
		*nl = '\0';
	check_filters(all);
	title = nl ? nl + 1 : "";
	text = strchr(title, '\n');
	if (text)
		*text++ = '\0';
	check_render(title, text ? text : "");
	g_free(all);
	return 0;
}
