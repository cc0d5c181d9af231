/* ruleset.c - first matcher: a rule's query is a list of words and
 * "quoted phrases", any of which matches, case-insensitively, as whole
 * words in the title or text. */
#include "hark/rules.h"

#include <string.h>

struct term {
	char *folded;    /* case-folded term */
};

struct compiled_rule {
	const struct hark_rule_conf *conf;
	GPtrArray *terms; /* of struct term* */
};

struct hark_ruleset {
	GPtrArray *rules; /* of struct compiled_rule* */
};

static void term_free(gpointer p)
{
	struct term *t = p;

	g_free(t->folded);
	g_free(t);
}

static void compiled_rule_free(gpointer p)
{
	struct compiled_rule *r = p;

	g_ptr_array_unref(r->terms);
	g_free(r);
}

static void hit_free(gpointer p)
{
	struct hark_rule_hit *h = p;

	g_array_unref(h->spans);
	g_free(h);
}

const char *hark_item_field(const struct hark_item *item, enum hark_field field)
{
	const char *s = NULL;

	switch (field) {
	case HARK_FIELD_TITLE: s = item->title; break;
	case HARK_FIELD_TEXT: s = item->content && *item->content ? item->content
								   : item->summary; break;
	case HARK_FIELD_AUTHOR: s = item->author; break;
	case HARK_FIELD_LINK: s = item->link; break;
	}
	return s ? s : "";
}

static void add_term(struct compiled_rule *r, const char *s, size_t len)
{
	struct term *t;

	if (!len)
		return;
	t = g_new0(struct term, 1);
	t->folded = g_utf8_casefold(s, (gssize)len);
	g_ptr_array_add(r->terms, t);
}

static bool compile_query(struct compiled_rule *r, const struct hark_config *cfg,
			  struct hark_diags *diags)
{
	const char *q = r->conf->query.value, *p = q;

	while (*p) {
		const char *start;

		if (g_ascii_isspace(*p)) {
			p++;
			continue;
		}
		if (*p == '"') {
			const char *close = strchr(p + 1, '"');
			if (!close) {
				int col = r->conf->query.col +
					  (int)g_utf8_pointer_to_offset(q, p);
				hark_diags_add(diags, cfg->path, r->conf->query.line, col, 1,
					       hark_config_line(cfg, r->conf->query.line),
					       "close the phrase with '\"'",
					       "unterminated phrase in [rule %s]",
					       r->conf->name);
				return false;
			}
			add_term(r, p + 1, (size_t)(close - p - 1));
			p = close + 1;
			continue;
		}
		start = p;
		while (*p && !g_ascii_isspace(*p) && *p != '"')
			p++;
		add_term(r, start, (size_t)(p - start));
	}
	return true;
}

struct hark_ruleset *hark_ruleset_compile(const struct hark_config *cfg,
					  struct hark_diags *diags)
{
	struct hark_ruleset *rs = g_new0(struct hark_ruleset, 1);
	bool ok = true;

	rs->rules = g_ptr_array_new_with_free_func(compiled_rule_free);
	for (guint i = 0; i < cfg->rules->len; i++) {
		struct compiled_rule *r = g_new0(struct compiled_rule, 1);

		r->conf = cfg->rules->pdata[i];
		r->terms = g_ptr_array_new_with_free_func(term_free);
		g_ptr_array_add(rs->rules, r);
		if (r->conf->query.value && !compile_query(r, cfg, diags))
			ok = false;
	}
	if (!ok) {
		hark_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

void hark_ruleset_free(struct hark_ruleset *rs)
{
	if (!rs)
		return;
	g_ptr_array_unref(rs->rules);
	g_free(rs);
}

static bool is_word_char(gunichar c)
{
	return g_unichar_isalnum(c) || c == '_';
}

/* Finds whole-word occurrences of T in FOLDED (the case-folded field).
 * Offsets are into the folded string, which is close enough for this
 * first matcher: spans are mapped back by character count. */
static void find_term(const struct term *t, const char *orig,
		      const char *folded, enum hark_field field, GArray *spans)
{
	size_t tl = strlen(t->folded);
	const char *p = folded;

	while ((p = strstr(p, t->folded))) {
		const char *end = p + tl;
		bool left = p == folded ||
			    !is_word_char(g_utf8_get_char(g_utf8_find_prev_char(folded, p)));
		bool right = !*end || !is_word_char(g_utf8_get_char(end));

		if (left && right) {
			glong cs = g_utf8_pointer_to_offset(folded, p);
			glong ce = g_utf8_pointer_to_offset(folded, end);
			glong olen = g_utf8_strlen(orig, -1);
			struct hark_span s = {field, 0, 0};

			if (ce <= olen) {
				s.start = (size_t)(g_utf8_offset_to_pointer(orig, cs) - orig);
				s.end = (size_t)(g_utf8_offset_to_pointer(orig, ce) - orig);
				g_array_append_val(spans, s);
			}
		}
		p = g_utf8_next_char(p);
	}
}

GPtrArray *hark_ruleset_match(const struct hark_ruleset *rs,
			      const struct hark_item *item,
			      const struct hark_match_source *src)
{
	static const enum hark_field fields[] = {HARK_FIELD_TITLE, HARK_FIELD_TEXT};
	GPtrArray *hits = g_ptr_array_new_with_free_func(hit_free);
	char *folded[G_N_ELEMENTS(fields)];

	(void)src;
	for (size_t f = 0; f < G_N_ELEMENTS(fields); f++)
		folded[f] = g_utf8_casefold(hark_item_field(item, fields[f]), -1);
	for (guint i = 0; i < rs->rules->len; i++) {
		const struct compiled_rule *r = rs->rules->pdata[i];
		GArray *spans = g_array_new(FALSE, FALSE, sizeof(struct hark_span));

		for (guint t = 0; t < r->terms->len; t++)
			for (size_t f = 0; f < G_N_ELEMENTS(fields); f++)
				find_term(r->terms->pdata[t],
					  hark_item_field(item, fields[f]),
					  folded[f], fields[f], spans);
		if (spans->len) {
			struct hark_rule_hit *h = g_new0(struct hark_rule_hit, 1);
			h->rule = r->conf;
			h->spans = spans;
			g_ptr_array_add(hits, h);
		} else {
			g_array_unref(spans);
		}
	}
	for (size_t f = 0; f < G_N_ELEMENTS(fields); f++)
		g_free(folded[f]);
	return hits;
}
