/* bench_rules.c - rule matching throughput against K rules, and the PCRE2
 * reference (one JIT regex per rule), in one run.
 *
 *     bench_rules RULES.txt CORPUS.txt [SECONDS [--hark-only]]
 *
 * Rule sets are the first K lines of RULES.txt (K = 10, 100, 1000, 10000),
 * each line a phrase ("w1 w2" as a hark query; \bw1\W+w2\b, caseless,
 * UTF+UCP, as a regex).  Items are ~1 KB of clean text cut
 * deterministically from CORPUS.txt, with a title; one item in eight has
 * one of the first ten rules' phrases spliced in so every K has hits.
 */
#include "hark/config.h"
#include "hark/diag.h"
#include "hark/rules.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NITEMS 4000
#define ITEM_BYTES 1000

static const int ks[] = {10, 100, 1000, 10000};

/* CPU time of this thread: the machine is shared, and the target is per
 * core, so wall-clock time would measure the neighbours. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void rule_free(gpointer p)
{
	struct hark_rule_conf *r = p;

	g_free(r->name);
	g_free(r->query.value);
	g_ptr_array_unref(r->alert);
	g_free(r);
}

/* Only the parts the rule compiler reads; freed by free_config(). */
static struct hark_config *make_config(char **rules, int k)
{
	struct hark_config *cfg = g_new0(struct hark_config, 1);

	cfg->path = g_strdup("bench.conf");
	cfg->rules = g_ptr_array_new_with_free_func(rule_free);
	cfg->feeds = g_ptr_array_new();
	cfg->lines = g_ptr_array_new_with_free_func(g_free);
	for (int i = 0; i < k; i++) {
		struct hark_rule_conf *r = g_new0(struct hark_rule_conf, 1);

		r->name = g_strdup_printf("r%d", i);
		r->query.value = g_strdup_printf("\"%s\"", rules[i]);
		r->query.line = i + 1;
		r->query.col = 9;
		r->alert = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(cfg->rules, r);
		g_ptr_array_add(cfg->lines, g_strdup_printf("query = %s", r->query.value));
	}
	return cfg;
}

static void free_config(struct hark_config *cfg)
{
	g_free(cfg->path);
	g_ptr_array_unref(cfg->rules);
	g_ptr_array_unref(cfg->feeds);
	g_ptr_array_unref(cfg->lines);
	g_free(cfg);
}

static pcre2_code *make_regex(const char *rule)
{
	char **words = g_strsplit(rule, " ", -1);
	GString *pat = g_string_new("\\b");
	int err;
	PCRE2_SIZE off;
	pcre2_code *re;

	for (char **w = words; *w; w++) {
		char *q = g_regex_escape_string(*w, -1);
		if (w != words)
			g_string_append(pat, "\\W+");
		g_string_append(pat, q);
		g_free(q);
	}
	g_string_append(pat, "\\b");
	re = pcre2_compile((PCRE2_SPTR)pat->str, pat->len,
			   PCRE2_CASELESS | PCRE2_UTF | PCRE2_UCP, &err, &off, NULL);
	if (!re) {
		fprintf(stderr, "regex %s: error %d\n", pat->str, err);
		exit(2);
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	g_string_free(pat, TRUE);
	g_strfreev(words);
	return re;
}

struct result {
	double items_s, mb_s;
	unsigned long hits;   /* over the first NITEMS items */
	bool all_items;       /* hits covers all NITEMS items */
};

static struct result run_hark(const struct hark_ruleset *rs,
			      struct hark_item **items, size_t bytes, double secs)
{
	struct result r = {0};
	double t0, t;
	unsigned long n = 0;

	for (int i = 0; i < NITEMS; i++) {
		GPtrArray *h = hark_ruleset_match(rs, items[i], NULL);
		r.hits += h->len;
		g_ptr_array_unref(h);
	}
	/* Best of five rounds: neighbours on a shared machine evict caches
	 * and steal cycles, which only ever slows a round down. */
	for (int round = 0; round < 5; round++) {
		n = 0;
		t0 = now();
		do {
			for (int i = 0; i < NITEMS; i++) {
				GPtrArray *h = hark_ruleset_match(rs, items[i], NULL);
				g_ptr_array_unref(h);
			}
			n += NITEMS;
			t = now() - t0;
		} while (t < secs / 5);
		if ((double)n / t > r.items_s)
			r.items_s = (double)n / t;
	}
	r.mb_s = (double)bytes / NITEMS * r.items_s / 1e6;
	return r;
}

static struct result run_pcre(pcre2_code **res, int k, struct hark_item **items,
			      size_t bytes, double secs)
{
	struct result r = {0};
	pcre2_match_data *md = pcre2_match_data_create(4, NULL);
	double t0 = now(), t;
	unsigned long n = 0;
	int i = 0;

	do {
		const struct hark_item *it = items[i % NITEMS];
		size_t tl = strlen(it->title), cl = strlen(it->content);
		unsigned long hits = 0;

		for (int j = 0; j < k; j++) {
			if (pcre2_jit_match(res[j], (PCRE2_SPTR)it->title, tl, 0, 0, md,
					    NULL) >= 0 ||
			    pcre2_jit_match(res[j], (PCRE2_SPTR)it->content, cl, 0, 0, md,
					    NULL) >= 0)
				hits++;
		}
		if (i < NITEMS)
			r.hits += hits;
		n++;
		i++;
		t = now() - t0;
	} while (t < secs || (i < NITEMS && k <= 1000));
	r.all_items = i >= NITEMS;
	r.items_s = (double)n / t;
	r.mb_s = (double)bytes / NITEMS * r.items_s / 1e6;
	pcre2_match_data_free(md);
	return r;
}

int main(int argc, char **argv)
{
	char *rtext, *ctext;
	char **rules, **corpus_words;
	guint nrules, nwords;
	struct hark_item *items[NITEMS];
	size_t bytes = 0;
	double secs = argc > 3 ? atof(argv[3]) : 1.0;
	struct result hr[G_N_ELEMENTS(ks)], pr[G_N_ELEMENTS(ks)], hs[G_N_ELEMENTS(ks)];
	double compile_ms[G_N_ELEMENTS(ks)];
	bool hark_only = argc > 4 && !strcmp(argv[4], "--hark-only");

	if (argc < 3) {
		fprintf(stderr, "usage: bench_rules RULES.txt CORPUS.txt [SECONDS]\n");
		return 1;
	}
	if (!g_file_get_contents(argv[1], &rtext, NULL, NULL) ||
	    !g_file_get_contents(argv[2], &ctext, NULL, NULL)) {
		fprintf(stderr, "cannot read the data files\n");
		return 2;
	}
	rules = g_strsplit(g_strstrip(rtext), "\n", -1);
	nrules = g_strv_length(rules);
	if (nrules < 10000) {
		fprintf(stderr, "need 10000 rules, got %u\n", nrules);
		return 2;
	}
	corpus_words = g_strsplit_set(ctext, " \n", -1);
	nwords = g_strv_length(corpus_words);

	/* Items: ~1 KB of consecutive corpus words from a pseudo-random
	 * start; one in eight gets a phrase of the first ten rules. */
	for (int i = 0; i < NITEMS; i++) {
		GString *s = g_string_new(NULL);
		guint w = rng() % nwords;
		struct hark_item *it = hark_item_new();
		GString *title = g_string_new(NULL);

		for (int j = 0; j < 8; j++) {
			g_string_append_printf(title, "%s%s", j ? " " : "",
					       corpus_words[(w + 500 + (guint)j) % nwords]);
		}
		while (s->len < ITEM_BYTES) {
			const char *cw = corpus_words[w++ % nwords];
			if (!*cw)
				continue;
			if (s->len)
				g_string_append_c(s, (rng() % 16) ? ' ' : '\n');
			g_string_append(s, cw);
			if (i % 8 == 0 && s->len > 400 && s->len < 420)
				g_string_append_printf(s, " %s,", rules[rng() % 10]);
		}
		it->title = g_string_free(title, FALSE);
		it->content = g_string_free(s, FALSE);
		bytes += strlen(it->title) + strlen(it->content);
		items[i] = it;
	}
	printf("hark rules benchmark: %d items of %.0f bytes on average (title + text), "
	       "%.1f s of CPU time per measurement (figures are per core)\n\n", NITEMS, (double)bytes / NITEMS, secs);

	for (size_t x = 0; x < G_N_ELEMENTS(ks); x++) {
		int k = ks[x];
		struct hark_config *cfg = make_config(rules, k);
		struct hark_diags d;
		struct hark_ruleset *rs;
		pcre2_code **res = g_new(pcre2_code *, k);
		double t0;

		hark_diags_init(&d);
		t0 = now();
		rs = hark_ruleset_compile(cfg, &d);
		compile_ms[x] = (now() - t0) * 1e3;
		if (!rs) {
			hark_diags_print(&d, stderr);
			return 2;
		}
		/* Matching alone; the sentiment of each hit is another module's
		 * cost, measured below. */
		hark_ruleset_score_all_hits(rs, false);
		hr[x] = run_hark(rs, items, bytes, secs);
		hark_ruleset_score_all_hits(rs, true);
		hs[x] = run_hark(rs, items, bytes, secs / 2);
		if (hark_only) {
			/* For profiling: no reference. */
			printf("K=%-5d hark %9.0f items/s %6.1f MB/s (index %6.1f ms, %lu hits); "
			       "with sentiment of each hit %9.0f items/s\n",
			       k, hr[x].items_s, hr[x].mb_s, compile_ms[x], hr[x].hits,
			       hs[x].items_s);
			hark_ruleset_free(rs);
			hark_diags_clear(&d);
			free_config(cfg);
			g_free(res);
			continue;
		}
		for (int j = 0; j < k; j++)
			res[j] = make_regex(rules[j]);
		pr[x] = run_pcre(res, k, items, bytes, secs);
		char ph[32] = "hits n/a";

		if (pr[x].all_items)
			snprintf(ph, sizeof ph, "%lu hits", pr[x].hits);
		printf("K=%-5d hark %9.0f items/s %6.1f MB/s (index %6.1f ms, %lu hits) | "
		       "PCRE2 %9.0f items/s %7.3f MB/s (%s) | hark/PCRE2 %8.1fx | "
		       "hark + sentiment of each hit %9.0f items/s\n",
		       k, hr[x].items_s, hr[x].mb_s, compile_ms[x], hr[x].hits,
		       pr[x].items_s, pr[x].mb_s, ph, hr[x].items_s / pr[x].items_s,
		       hs[x].items_s);
		fflush(stdout);
		for (int j = 0; j < k; j++)
			pcre2_code_free(res[j]);
		g_free(res);
		hark_ruleset_free(rs);
		hark_diags_clear(&d);
		free_config(cfg);
	}
	if (hark_only)
		return 0;
	printf("\nhark cost at K=10000 / cost at K=10: %.2fx (target <= 1.5x)\n",
	       hr[0].items_s / hr[3].items_s);
	printf("hark items/s at K=10000: %.0f (target >= 300000 per core)\n",
	       hr[3].items_s);
	printf("PCRE2 cost at K=10000 / cost at K=10: %.0fx\n",
	       pr[0].items_s / pr[3].items_s);
	for (int i = 0; i < NITEMS; i++)
		hark_item_free(items[i]);
	g_strfreev(rules);
	g_strfreev(corpus_words);
	g_free(rtext);
	g_free(ctext);
	return 0;
}
