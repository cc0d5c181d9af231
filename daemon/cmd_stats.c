/* cmd_stats.c - `hark stats`: hits per rule per day and their mean
 * sentiment, as a terminal table with sparklines, or an SVG chart.
 *
 *   hark stats [-c FILE] [--rule R] [--days 30] [--svg FILE]
 *
 * Days are UTC days; the last one is today.
 */
#include "commands.h"
#include "cmdutil.h"
#include "hark/error.h"
#include "hark/store.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DAY 86400

struct series {
	char *rule;
	unsigned *hits;     /* per day */
	double *mean;       /* per day, NAN without scored hits */
	unsigned total;
	unsigned scored;
	double sum;         /* of sentiments, for the overall mean */
};

static void series_free(gpointer p)
{
	struct series *s = p;

	g_free(s->rule);
	g_free(s->hits);
	g_free(s->mean);
	g_free(s);
}

static struct series *series_get(GPtrArray *all, const char *rule, int days)
{
	struct series *s;

	for (guint i = 0; i < all->len; i++) {
		s = all->pdata[i];
		if (!strcmp(s->rule, rule))
			return s;
	}
	s = g_new0(struct series, 1);
	s->rule = g_strdup(rule);
	s->hits = g_new0(unsigned, days);
	s->mean = g_new(double, days);
	for (int d = 0; d < days; d++)
		s->mean[d] = NAN;
	g_ptr_array_add(all, s);
	return s;
}

static char *day_label(int64_t t, const char *fmt)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = g_date_time_format(dt, fmt);

	g_date_time_unref(dt);
	return s;
}

static void print_sparkline(const unsigned *v, int n)
{
	static const char *const bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	unsigned max = 0;

	for (int i = 0; i < n; i++)
		max = MAX(max, v[i]);
	for (int i = 0; i < n; i++) {
		if (!v[i])
			fputs(max ? "▁" : " ", stdout);
		else
			fputs(bars[MIN(7u, (v[i] * 7 + max - 1) / max)], stdout);
	}
}

static void print_table(GPtrArray *all, int64_t first, int days)
{
	char *a = day_label(first, "%Y-%m-%d"), *z = day_label(first + (days - 1) * (int64_t)DAY,
							      "%Y-%m-%d");

	printf("hits per rule per day, %s .. %s (%d days, UTC)\n\n", a, z, days);
	printf("%-24s %7s %9s  %s\n", "rule", "hits", "mean sent", "per day");
	for (guint i = 0; i < all->len; i++) {
		const struct series *s = all->pdata[i];
		printf("%-24s %7u ", s->rule, s->total);
		if (s->scored)
			printf("%+9.2f  ", s->sum / s->scored);
		else
			printf("%9s  ", "-");
		print_sparkline(s->hits, days);
		putchar('\n');
	}
	printf("\n%-10s", "day");
	for (guint i = 0; i < all->len; i++)
		printf("  %-16.16s", ((struct series *)all->pdata[i])->rule);
	putchar('\n');
	for (int d = 0; d < days; d++) {
		char *l = day_label(first + d * (int64_t)DAY, "%Y-%m-%d");
		printf("%-10s", l);
		for (guint i = 0; i < all->len; i++) {
			const struct series *s = all->pdata[i];
			if (isnan(s->mean[d]))
				printf("  %5u %-10s", s->hits[d], "");
			else
				printf("  %5u %-+10.2f", s->hits[d], s->mean[d]);
		}
		putchar('\n');
		g_free(l);
	}
	g_free(a);
	g_free(z);
}

/* A palette that stays readable printed in grey and for the common
 * colour-vision deficiencies (Okabe-Ito). */
static const char *const palette[] = {
	"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
	"#F0E442", "#000000",
};

/* The smallest "nice" step (1, 2, 5 x 10^k) giving at most 6 gridlines. */
static unsigned nice_step(unsigned max)
{
	unsigned step = 1;

	while (max / step > 5) {
		if (max / (step * 2) <= 5)
			return step * 2;
		if (max / (step * 5) <= 5)
			return step * 5;
		step *= 10;
	}
	return step;
}

static bool write_svg(const char *path, GPtrArray *all, int64_t first, int days,
		      GError **err)
{
	const double W = 960, L = 70, R = 200, top1 = 60, h1 = 260, top2 = 405, h2 = 140;
	const double pw = W - L - R;
	double dx = days > 1 ? pw / (days - 1) : 0;
	unsigned max = 1, step;
	GString *s = g_string_new(NULL);
	char *a = day_label(first, "%Y-%m-%d"), *z = day_label(first + (days - 1) * (int64_t)DAY,
							      "%Y-%m-%d");
	bool ok;

	for (guint i = 0; i < all->len; i++)
		for (int d = 0; d < days; d++)
			max = MAX(max, ((struct series *)all->pdata[i])->hits[d]);
	step = nice_step(max);
	max = ((max + step - 1) / step) * step;

	g_string_append_printf(s,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"600\" "
		"viewBox=\"0 0 %.0f 600\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
		"font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
		"<text x=\"%.0f\" y=\"28\" font-size=\"18\" font-weight=\"bold\">Hits per day</text>\n"
		"<text x=\"%.0f\" y=\"46\" fill=\"#555\">%s to %s (UTC), per rule</text>\n",
		W, W, L, L, a, z);
	/* Hits panel: gridlines with counts, one line per rule. */
	for (unsigned v = 0; v <= max; v += step) {
		double y = top1 + h1 - h1 * v / max;
		g_string_append_printf(s, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
				       "stroke=\"%s\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
				       "text-anchor=\"end\" fill=\"#555\">%u</text>\n",
				       L, L + pw, y, y, v ? "#e3e3e3" : "#888", L - 8, y + 4, v);
	}
	g_string_append_printf(s, "<text x=\"%.1f\" y=\"%.1f\" transform=\"rotate(-90 %.1f %.1f)\" "
			       "text-anchor=\"middle\" fill=\"#333\">hits</text>\n",
			       L - 45, top1 + h1 / 2, L - 45, top1 + h1 / 2);
	/* Sentiment panel: -1 .. 1 with the neutral line. */
	g_string_append_printf(s, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"14\" "
			       "font-weight=\"bold\">Mean sentiment per day</text>\n",
			       L, top2 - 14);
	for (int v = -1; v <= 1; v++) {
		double y = top2 + h2 / 2 - h2 / 2 * v;
		g_string_append_printf(s, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
				       "stroke=\"%s\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
				       "text-anchor=\"end\" fill=\"#555\">%s</text>\n",
				       L, L + pw, y, y, v ? "#e3e3e3" : "#888", L - 8, y + 4,
				       v < 0 ? "-1" : v > 0 ? "+1" : "0");
	}
	/* Date labels under both panels, about every week. */
	for (int d = 0; d < days; d += MAX(1, days / 6)) {
		char *l = day_label(first + d * (int64_t)DAY, "%b %d");
		double x = L + d * dx;
		g_string_append_printf(s, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
				       "stroke=\"#888\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
				       "text-anchor=\"middle\" fill=\"#555\">%s</text>\n"
				       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
				       "fill=\"#555\">%s</text>\n",
				       x, x, top1 + h1, top1 + h1 + 5, x, top1 + h1 + 20, l,
				       x, top2 + h2 + 20, l);
		g_free(l);
	}
	for (guint i = 0; i < all->len; i++) {
		const struct series *se = all->pdata[i];
		const char *c = palette[i % G_N_ELEMENTS(palette)];
		char *name = g_markup_escape_text(se->rule, -1);
		bool open = false;

		g_string_append_printf(s, "<polyline fill=\"none\" stroke=\"%s\" "
				       "stroke-width=\"2.5\" stroke-linejoin=\"round\" points=\"", c);
		for (int d = 0; d < days; d++)
			g_string_append_printf(s, "%.1f,%.1f ", L + d * dx,
					       top1 + h1 - h1 * se->hits[d] / max);
		g_string_append(s, "\"/>\n");
		for (int d = 0; d < days; d++)
			if (se->hits[d])
				g_string_append_printf(s, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
						       "fill=\"%s\"><title>%s: %u</title></circle>\n",
						       L + d * dx, top1 + h1 - h1 * se->hits[d] / max,
						       c, name, se->hits[d]);
		/* Sentiment: segments join consecutive scored days only. */
		for (int d = 0; d < days; d++) {
			if (isnan(se->mean[d])) {
				if (open)
					g_string_append(s, "\"/>\n");
				open = false;
				continue;
			}
			if (!open)
				g_string_append_printf(s, "<polyline fill=\"none\" stroke=\"%s\" "
						       "stroke-width=\"2\" points=\"", c);
			open = true;
			g_string_append_printf(s, "%.1f,%.1f ", L + d * dx,
					       top2 + h2 / 2 - h2 / 2 * se->mean[d]);
		}
		if (open)
			g_string_append(s, "\"/>\n");
		for (int d = 0; d < days; d++)
			if (!isnan(se->mean[d]))
				g_string_append_printf(s, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
						       "fill=\"%s\"/>\n", L + d * dx,
						       top2 + h2 / 2 - h2 / 2 * se->mean[d], c);
		/* Legend. */
		g_string_append_printf(s, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" "
				       "fill=\"%s\"/>\n<text x=\"%.1f\" y=\"%.1f\">%s (%u)</text>\n",
				       L + pw + 24, top1 + 10 + i * 22.0, c, L + pw + 44,
				       top1 + 22 + i * 22.0, name, se->total);
		g_free(name);
	}
	g_string_append(s, "</svg>\n");
	ok = g_file_set_contents(path, s->str, (gssize)s->len, err);
	g_string_free(s, TRUE);
	g_free(a);
	g_free(z);
	return ok;
}

int cmd_stats(int argc, char **argv)
{
	char *config = NULL, *rule = NULL, *svg = NULL;
	int days = 30;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "config file", "FILE"},
		{"rule", 'r', 0, G_OPTION_ARG_STRING, &rule, "only this rule", "RULE"},
		{"days", 'd', 0, G_OPTION_ARG_INT, &days, "days to show, ending today (30)", "N"},
		{"svg", 0, 0, G_OPTION_ARG_FILENAME, &svg, "write an SVG chart to FILE", "FILE"},
		G_OPTION_ENTRY_NULL,
	};
	struct hark_config *cfg = NULL;
	struct hark_ruleset *rs = NULL;
	struct hark_store *st = NULL;
	GPtrArray *rows = NULL, *all = g_ptr_array_new_with_free_func(series_free);
	GError *e = NULL;
	int64_t first;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries,
				    "- hits per rule per day and mean sentiment"))
		return HARK_EXIT_USER;
	status = HARK_EXIT_USER;
	if (argc > 1) {
		fprintf(stderr, "hark stats: unexpected argument '%s'\n", argv[1]);
		goto out;
	}
	if (days < 1 || days > 3660) {
		fprintf(stderr, "hark stats: --days must be between 1 and 3660\n");
		goto out;
	}
	status = hark_cmd_config(config, &cfg, &rs);
	if (status != HARK_EXIT_OK)
		goto out;
	first = (g_get_real_time() / G_USEC_PER_SEC / DAY - (days - 1)) * DAY;
	st = hark_store_open(cfg->database, &e);
	if (!st || !hark_store_hit_stats(st, rule, first, &rows, &e)) {
		fprintf(stderr, "hark stats: %s\n", e->message);
		g_clear_error(&e);
		status = HARK_EXIT_RUNTIME;
		goto out;
	}
	/* Configured rules first, in config order, even without hits. */
	for (guint i = 0; i < cfg->rules->len; i++) {
		const struct hark_rule_conf *r = cfg->rules->pdata[i];
		if (!rule || !strcmp(rule, r->name))
			series_get(all, r->name, days);
	}
	for (guint i = 0; i < rows->len; i++) {
		const struct hark_hit_stat *h = rows->pdata[i];
		struct series *s = series_get(all, h->rule, days);
		int d = (int)((h->day - first) / DAY);
		if (d < 0 || d >= days)
			continue;
		s->hits[d] = h->hits;
		s->mean[d] = h->mean_sentiment;
		s->total += h->hits;
		s->scored += h->scored;
		if (h->scored)
			s->sum += h->mean_sentiment * h->scored;
	}
	if (all->len == 0) {
		fprintf(stderr, "hark stats: no rule%s%s\n", rule ? " named " : "s",
			rule ? rule : "");
		status = HARK_EXIT_USER;
		goto out;
	}
	if (svg) {
		if (!write_svg(svg, all, first, days, &e)) {
			fprintf(stderr, "hark stats: %s\n", e->message);
			g_clear_error(&e);
			status = HARK_EXIT_RUNTIME;
			goto out;
		}
	} else {
		print_table(all, first, days);
	}
	status = fflush(stdout) == 0 ? HARK_EXIT_OK : HARK_EXIT_RUNTIME;
out:
	if (rows)
		g_ptr_array_unref(rows);
	g_ptr_array_unref(all);
	hark_store_close(st);
	hark_ruleset_free(rs);
	hark_config_free(cfg);
	g_free(config);
	g_free(rule);
	g_free(svg);
	return status;
}
