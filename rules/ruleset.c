/* ruleset.c - all rules compiled into one index, and matching items.
 *
 * Every word, phrase and wildcard of every rule is a term.  A term has one
 * key in a single hash table: the pair of its first two adjacent plain
 * words (a bigram), else one plain word, else the prefix of its wildcard
 * word.  An item is tokenised and folded once; each word is looked up as
 * a unigram, with the previous word as a bigram (only when some phrase
 * starts with the previous word), and as a prefix at each wildcard length
 * in use.  A key hit is verified against the whole term and recorded as an
 * occurrence; the rules that the term can make true become candidates and
 * only they are evaluated.  The work per item is thus the number of words
 * (plus the hits), whatever the number of rules.
 *
 * Rules that can be true without any of their terms (only NOT, site:,
 * feed:, tag:, or a regex without a literal) are evaluated on every item.
 * A regex with a literal it needs is a candidate only when the literal is
 * there: at the start of a word (an index prefix key) when the regex has
 * \b before it, else found in the lower-cased text.
 */
#include "hark/rules.h"
#include "hark/log.h"

#include "query.h"
#include "rule_sentiment.h"
#include "tokenize.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define REGEX_MATCH_LIMIT 100000
#define REGEX_DEPTH_LIMIT 1000
#define REGEX_HEAP_LIMIT_KIB 4096
#define REGEX_MAX_SPANS 16     /* per field */
#define NEAR_MAX_OCC 256       /* occurrences of one operand NEAR looks at */
#define NEAR_MAX_OUT 256

enum key_kind { K_UNI, K_BI, K_PREFIX };

struct term {
	struct elem *elems;   /* borrowed from a query node */
	int n;
	bool af;              /* accent-folded forms */
	int anchor;           /* element where the key starts */
	uint32_t *rules;      /* rules this term can make candidates */
	uint32_t nrules;
};

struct key {
	uint64_t hash;
	uint64_t first_hash;  /* K_BI: hash of the first word */
	uint8_t kind;
	uint32_t first, n;    /* into postings */
};

struct memmem_rule {
	uint32_t rule;
	const char *literal;  /* borrowed from the node */
	unsigned fields;
};

struct crule {
	const struct hark_rule_conf *conf;
	struct node *query;
	struct node *exclude;
	bool af;
	bool has_sentiment;
	double smin, smax;
	bool sent_document;
	GPtrArray *feed_names;   /* of char*, NULL when no feeds= */
	GPtrArray *feed_tags;    /* folded */
	uint32_t min_length;
	bool min_words;
};

struct occ {
	uint32_t first, last; /* token indices */
	uint32_t next;        /* next occurrence of the same term, or UINT32_MAX */
};

struct scratch {
	struct tokens tk;
	uint32_t gen;
	uint32_t *term_gen, *term_head, *term_tail;
	struct occ *occ;
	size_t nocc, capocc;
	uint32_t *touched;
	size_t ntouched, captouched;
	uint32_t *rule_gen;
	uint32_t *cands;
	size_t ncands, capcands;
	char *lower[4];       /* ASCII-lowered fields, for regex literals */
	bool lowered;
};

struct hark_ruleset {
	const struct hark_config *cfg;
	struct crule *rules;
	uint32_t nrules;
	GPtrArray *terms;          /* of struct term* */
	GPtrArray *pseudo_nodes;   /* of struct node*: regex literal terms */
	struct key *keys;
	uint32_t nkeys;
	uint32_t *postings;        /* term ids */
	uint32_t *slots;           /* key index + 1, 0 empty */
	uint32_t slot_mask;
	/* Two bits per hash bucket: F_KEY some key has a hash in it, F_FIRST
	 * some bigram key starts with a word whose hash is in it.  Most words
	 * are no rule's words and cost one look at this table, which is sized
	 * (~8 buckets per key) to stay in cache. */
	uint64_t *filter;
	unsigned fbits;
	uint8_t *prefix_lens;      /* distinct wildcard prefix byte lengths */
	size_t nprefix_lens;
	struct memmem_rule *memmem;
	size_t nmemmem;
	uint32_t *always;          /* rules evaluated on every item */
	size_t nalways;
	pcre2_match_context *mctx;
	bool score_all;            /* sentiment for every hit */
	GMutex lock;               /* guards the shared scratch */
	struct scratch *scratch;
};

/* ---- helpers ---------------------------------------------------------- */

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

static void hit_free(gpointer p)
{
	struct hark_rule_hit *h = p;

	g_array_unref(h->spans);
	g_free(h);
}

#define F_KEY 1u
#define F_FIRST 2u

static inline unsigned filter_get(const uint64_t *f, unsigned fbits, uint64_t h)
{
	uint64_t b = h >> (64 - fbits);

	return (unsigned)(f[b >> 5] >> ((b & 31) * 2)) & 3u;
}

static inline void filter_set(uint64_t *f, unsigned fbits, uint64_t h, unsigned v)
{
	uint64_t b = h >> (64 - fbits);

	f[b >> 5] |= (uint64_t)v << ((b & 31) * 2);
}

/* ---- compiling -------------------------------------------------------- */

struct compiler {
	struct hark_ruleset *rs;
	const struct hark_config *cfg;
	struct hark_diags *diags;
	GHashTable *term_ids;   /* canonical string -> id + 1 */
	GHashTable *key_ids;    /* canonical key string -> index + 1 */
	GArray *keys;           /* struct key, n = posting count while building */
	GPtrArray *key_posts;   /* of GArray of uint32 */
	GHashTable *prefix_lens;
	GArray *memmem;
	GArray *always;
};

static void conf_error(struct compiler *c, const struct hark_rule_conf *r,
		       const char *key, const struct hark_conf_str *s, int pos,
		       int len, const char *hint, const char *fmt, ...)
	G_GNUC_PRINTF(8, 9);

static void conf_error(struct compiler *c, const struct hark_rule_conf *r,
		       const char *key, const struct hark_conf_str *s, int pos,
		       int len, const char *hint, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	hark_diags_add(c->diags, c->cfg->path, s->line, s->col + pos, len,
		       hark_config_line(c->cfg, s->line), hint,
		       "[rule %s] %s: %s", r->name, key, msg);
	g_free(msg);
}

static uint32_t key_add(struct compiler *c, enum key_kind kind, uint64_t hash,
			uint64_t first_hash, const char *canon, uint32_t term)
{
	gpointer v = g_hash_table_lookup(c->key_ids, canon);
	uint32_t idx;

	if (v) {
		idx = GPOINTER_TO_UINT(v) - 1;
	} else {
		struct key k = {hash, first_hash, (uint8_t)kind, 0, 0};

		idx = c->keys->len;
		g_array_append_val(c->keys, k);
		g_ptr_array_add(c->key_posts, g_array_new(FALSE, FALSE, sizeof(uint32_t)));
		g_hash_table_insert(c->key_ids, g_strdup(canon), GUINT_TO_POINTER(idx + 1));
	}
	g_array_append_val(c->key_posts->pdata[idx], term);
	return idx;
}

/* Finds or adds the term of an N_TERM node; sets node->term_id. */
static void term_intern(struct compiler *c, struct node *n, bool af)
{
	GString *canon = g_string_new(af ? "A" : "C");
	struct term *t;
	gpointer v;
	uint32_t id;
	int bi = -1, uni = -1;

	for (int i = 0; i < n->nelems; i++) {
		g_string_append_c(canon, '\x1f');
		g_string_append_len(canon, n->elems[i].s, n->elems[i].len);
		if (n->elems[i].wild)
			g_string_append_c(canon, '*');
	}
	v = g_hash_table_lookup(c->term_ids, canon->str);
	if (v) {
		n->term_id = GPOINTER_TO_UINT(v) - 1;
		g_string_free(canon, TRUE);
		return;
	}
	id = c->rs->terms->len;
	n->term_id = id;
	g_hash_table_insert(c->term_ids, g_string_free(canon, FALSE),
			    GUINT_TO_POINTER(id + 1));
	t = g_new0(struct term, 1);
	t->elems = n->elems;
	t->n = n->nelems;
	t->af = af;
	g_ptr_array_add(c->rs->terms, t);

	for (int i = 0; i < n->nelems; i++) {
		if (n->elems[i].wild)
			continue;
		if (uni < 0)
			uni = i;
		if (i + 1 < n->nelems && !n->elems[i + 1].wild) {
			bi = i;
			break;
		}
	}
	if (bi >= 0) {
		const struct elem *a = &n->elems[bi], *b = &n->elems[bi + 1];
		char *k = g_strdup_printf("B\x1f%.*s\x1f%.*s", (int)a->len, a->s,
					  (int)b->len, b->s);
		uint64_t ha = hash_bytes(a->s, a->len);

		t->anchor = bi;
		key_add(c, K_BI, hash_pair(ha, hash_bytes(b->s, b->len)), ha, k, id);
		g_free(k);
	} else if (uni >= 0) {
		const struct elem *a = &n->elems[uni];
		char *k = g_strdup_printf("U\x1f%.*s", (int)a->len, a->s);

		t->anchor = uni;
		key_add(c, K_UNI, hash_bytes(a->s, a->len), 0, k, id);
		g_free(k);
	} else {
		const struct elem *a = &n->elems[0];
		char *k = g_strdup_printf("P\x1f%.*s", (int)a->len, a->s);

		t->anchor = 0;
		key_add(c, K_PREFIX, hash_prefix(a->s, a->len), 0, k, id);
		g_hash_table_add(c->prefix_lens, GUINT_TO_POINTER(a->len));
		g_free(k);
	}
}

/* Interns the terms of a query tree and checks what needs the config. */
static void compile_node(struct compiler *c, const struct hark_rule_conf *r,
			 const char *key, const struct hark_conf_str *s,
			 struct node *n, bool af, bool *ok)
{
	for (int i = 0; i < n->nkids; i++)
		compile_node(c, r, key, s, n->kids[i], af, ok);
	if (n->kind == N_TERM) {
		term_intern(c, n, af);
	} else if (n->kind == N_FEED) {
		bool found = false;
		const char *best = NULL;

		for (guint i = 0; i < c->cfg->feeds->len && !found; i++) {
			const struct hark_feed_conf *f = c->cfg->feeds->pdata[i];
			if (!strcmp(f->name, n->str))
				found = true;
			else if (!g_ascii_strncasecmp(f->name, n->str, 3))
				best = f->name;
		}
		if (!found) {
			char *hint = best ? g_strdup_printf("did you mean '%s'?", best)
					  : g_strdup("feed: takes the NAME of a [feed NAME] section");
			conf_error(c, r, key, s, n->pos, n->len, hint,
				   "no feed named '%s'", n->str);
			g_free(hint);
			*ok = false;
		}
	}
}

static bool covered(const struct node *n)
{
	switch (n->kind) {
	case N_TERM:
	case N_NEAR:
		return true;
	case N_REGEX:
		return n->literal != NULL;
	case N_AND:
		for (int i = 0; i < n->nkids; i++)
			if (covered(n->kids[i]))
				return true;
		return false;
	case N_OR:
		for (int i = 0; i < n->nkids; i++)
			if (!covered(n->kids[i]))
				return false;
		return true;
	default:
		return false;
	}
}

static void term_add_rule(struct term *t, uint32_t rule)
{
	if (t->nrules && t->rules[t->nrules - 1] == rule)
		return;
	t->rules = g_renew(uint32_t, t->rules, t->nrules + 1);
	t->rules[t->nrules++] = rule;
}

/* Registers the terms (or literals) whose presence makes RULE worth
 * evaluating.  N is covered(). */
static void register_triggers(struct compiler *c, struct node *n, uint32_t rule)
{
	switch (n->kind) {
	case N_TERM:
		term_add_rule(c->rs->terms->pdata[n->term_id], rule);
		return;
	case N_NEAR:
		register_triggers(c, n->kids[0], rule);
		return;
	case N_REGEX:
		if (n->literal_at_word) {
			/* A pseudo term: the literal as a word prefix. */
			struct node *p = g_new0(struct node, 1);
			size_t l = MIN(strlen(n->literal), (size_t)QUERY_MAX_WORD);

			p->kind = N_TERM;
			p->nelems = 1;
			p->elems = g_new0(struct elem, 1);
			p->elems[0].s = g_strndup(n->literal, l);
			p->elems[0].len = (uint32_t)l;
			p->elems[0].wild = true;
			g_ptr_array_add(c->rs->pseudo_nodes, p);
			term_intern(c, p, true);
			term_add_rule(c->rs->terms->pdata[p->term_id], rule);
		} else {
			struct memmem_rule m = {rule, n->literal, n->fields};
			g_array_append_val(c->memmem, m);
		}
		return;
	case N_AND:
		for (int i = 0; i < n->nkids; i++) {
			if (covered(n->kids[i])) {
				register_triggers(c, n->kids[i], rule);
				return;
			}
		}
		return;
	case N_OR:
		for (int i = 0; i < n->nkids; i++)
			register_triggers(c, n->kids[i], rule);
		return;
	default:
		return;
	}
}

static struct node *compile_query(struct compiler *c, const struct hark_rule_conf *r,
				  const char *key, const struct hark_conf_str *s,
				  bool af, bool *ok)
{
	struct query_error err;
	struct node *n = query_parse(s->value, af, &err);

	if (!n) {
		conf_error(c, r, key, s, err.pos, err.len, err.hint, "%s", err.msg);
		query_error_clear(&err);
		*ok = false;
		return NULL;
	}
	compile_node(c, r, key, s, n, af, ok);
	return n;
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1", NULL};
	static const char *const no[] = {"no", "false", "off", "0", NULL};

	for (int i = 0; yes[i]; i++)
		if (!g_ascii_strcasecmp(v, yes[i]))
			return (*out = true);
	for (int i = 0; no[i]; i++)
		if (!g_ascii_strcasecmp(v, no[i]))
			return !(*out = false);
	return false;
}

static void compile_sentiment(struct compiler *c, struct crule *cr, bool *ok)
{
	const struct hark_conf_str *s = &cr->conf->sentiment;
	const char *v = s->value, *p = v;
	char *end;
	double x;
	int opos;
	enum { LT, LE, GT, GE } op;

	cr->smin = -INFINITY;
	cr->smax = INFINITY;
	cr->has_sentiment = true;
	if (!g_ascii_strcasecmp(v, "negative")) {
		cr->smax = -0.05;
		return;
	}
	if (!g_ascii_strcasecmp(v, "positive")) {
		cr->smin = 0.05;
		return;
	}
	if (!g_ascii_strcasecmp(v, "neutral")) {
		cr->smin = -0.05;
		cr->smax = 0.05;
		return;
	}
	opos = (int)g_utf8_pointer_to_offset(v, p);
	if (p[0] == '<' && p[1] == '=') {
		op = LE;
		p += 2;
	} else if (p[0] == '>' && p[1] == '=') {
		op = GE;
		p += 2;
	} else if (p[0] == '<') {
		op = LT;
		p++;
	} else if (p[0] == '>') {
		op = GT;
		p++;
	} else {
		conf_error(c, cr->conf, "sentiment", s, opos, 1,
			   "write a comparison: < -0.3, <= -0.5, > 0.2, >= 0.5, "
			   "or negative, positive, neutral",
			   "expected <, <=, >, >= or a word");
		*ok = false;
		return;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	x = g_ascii_strtod(p, &end);
	if (end == p || !isfinite(x)) {
		conf_error(c, cr->conf, "sentiment", s,
			   (int)g_utf8_pointer_to_offset(v, p), 1,
			   "the score is a number from -1 to 1: < -0.3",
			   "expected a number after the comparison");
		*ok = false;
		return;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end) {
		conf_error(c, cr->conf, "sentiment", s,
			   (int)g_utf8_pointer_to_offset(v, end),
			   (int)g_utf8_strlen(end, -1), "one comparison per rule: < -0.3",
			   "unexpected text after the number");
		*ok = false;
		return;
	}
	if (x < -1 || x > 1) {
		conf_error(c, cr->conf, "sentiment", s,
			   (int)g_utf8_pointer_to_offset(v, p),
			   (int)(end - p), "scores go from -1 (negative) to 1 (positive)",
			   "%g is outside -1..1", x);
		*ok = false;
		return;
	}
	/* Bounds are inclusive; strict ones move by a hair. */
	switch (op) {
	case LT: cr->smax = nextafter(x, -INFINITY); break;
	case LE: cr->smax = x; break;
	case GT: cr->smin = nextafter(x, INFINITY); break;
	case GE: cr->smin = x; break;
	}
}

static void compile_feeds(struct compiler *c, struct crule *cr, bool *ok)
{
	const struct hark_conf_str *s = &cr->conf->feeds;
	const char *v = s->value, *p = v;

	cr->feed_names = g_ptr_array_new_with_free_func(g_free);
	cr->feed_tags = g_ptr_array_new_with_free_func(g_free);
	while (*p) {
		const char *e = p, *ws, *we;

		while (*e && *e != ',' && *e != ';')
			e++;
		ws = p;
		we = e;
		while (ws < we && (*ws == ' ' || *ws == '\t'))
			ws++;
		while (we > ws && (we[-1] == ' ' || we[-1] == '\t'))
			we--;
		if (we > ws) {
			int pos = (int)g_utf8_pointer_to_offset(v, ws);
			int len = (int)g_utf8_pointer_to_offset(ws, we);
			bool found = false;

			if (we - ws > 4 && !strncmp(ws, "tag:", 4)) {
				char *tag = g_strndup(ws + 4, (gsize)(we - ws - 4));
				char *ft = query_fold_word(tag);

				for (guint i = 0; i < c->cfg->feeds->len && !found; i++) {
					const struct hark_feed_conf *f = c->cfg->feeds->pdata[i];
					for (guint j = 0; j < f->tags->len && !found; j++) {
						char *o = query_fold_word(f->tags->pdata[j]);
						found = !strcmp(o, ft);
						g_free(o);
					}
				}
				if (!found) {
					conf_error(c, cr->conf, "feeds", s, pos, len,
						   "add it to a feed's tags=, or fix the spelling",
						   "no feed has the tag '%s'", tag);
					*ok = false;
				}
				g_ptr_array_add(cr->feed_tags, ft);
				g_free(tag);
			} else {
				char *name = g_strndup(ws, (gsize)(we - ws));
				const char *best = NULL;

				for (guint i = 0; i < c->cfg->feeds->len && !found; i++) {
					const struct hark_feed_conf *f = c->cfg->feeds->pdata[i];
					if (!strcmp(f->name, name))
						found = true;
					else if (!g_ascii_strncasecmp(f->name, name, 3))
						best = f->name;
				}
				if (!found) {
					char *hint = best
						? g_strdup_printf("did you mean '%s'?", best)
						: g_strdup("list [feed NAME] names, or tag:TAG");
					conf_error(c, cr->conf, "feeds", s, pos, len, hint,
						   "no feed named '%s'", name);
					g_free(hint);
					*ok = false;
				}
				g_ptr_array_add(cr->feed_names, name);
			}
		}
		p = *e ? e + 1 : e;
	}
}

static void compile_min_length(struct compiler *c, struct crule *cr, bool *ok)
{
	const struct hark_conf_str *s = &cr->conf->min_length;
	const char *v = s->value;
	char *end;
	guint64 n;

	if (!g_ascii_isdigit(*v)) {
		conf_error(c, cr->conf, "min_length", s, 0, 1,
			   "write a number of characters (min_length = 80) or of "
			   "words (min_length = 12 words)",
			   "expected a number");
		*ok = false;
		return;
	}
	n = g_ascii_strtoull(v, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (!strcmp(end, "words") || !strcmp(end, "word")) {
		cr->min_words = true;
	} else if (*end && strcmp(end, "chars") && strcmp(end, "characters")) {
		conf_error(c, cr->conf, "min_length", s,
			   (int)g_utf8_pointer_to_offset(v, end),
			   (int)g_utf8_strlen(end, -1),
			   "the unit is 'words' or 'chars' (the default)",
			   "unknown unit '%s'", end);
		*ok = false;
		return;
	}
	if (n > 1000000) {
		conf_error(c, cr->conf, "min_length", s, 0,
			   (int)(end - v), "at most 1000000", "too large");
		*ok = false;
		return;
	}
	cr->min_length = (uint32_t)n;
}

static void compile_rule(struct compiler *c, uint32_t idx, bool *ok)
{
	struct crule *cr = &c->rs->rules[idx];
	const struct hark_rule_conf *r = cr->conf;
	bool rule_ok = true;

	cr->af = true;
	if (r->accent_folding.value && !parse_bool(r->accent_folding.value, &cr->af)) {
		conf_error(c, r, "accent_folding", &r->accent_folding, 0,
			   (int)g_utf8_strlen(r->accent_folding.value, -1),
			   "write yes or no", "expected yes or no");
		rule_ok = false;
	}
	if (r->sentiment_scope.value) {
		if (!strcmp(r->sentiment_scope.value, "document")) {
			cr->sent_document = true;
		} else if (strcmp(r->sentiment_scope.value, "terms")) {
			conf_error(c, r, "sentiment_scope", &r->sentiment_scope, 0,
				   (int)g_utf8_strlen(r->sentiment_scope.value, -1),
				   "'terms' scores the sentences around the matched "
				   "words, 'document' the whole text",
				   "expected terms or document");
			rule_ok = false;
		}
	}
	if (r->sentiment.value && *r->sentiment.value)
		compile_sentiment(c, cr, &rule_ok);
	if (r->feeds.value && *r->feeds.value)
		compile_feeds(c, cr, &rule_ok);
	if (r->min_length.value && *r->min_length.value)
		compile_min_length(c, cr, &rule_ok);
	if (r->query.value && *r->query.value)
		cr->query = compile_query(c, r, "query", &r->query, cr->af, &rule_ok);
	if (r->exclude.value && *r->exclude.value)
		cr->exclude = compile_query(c, r, "exclude", &r->exclude, cr->af,
					    &rule_ok);
	if (!rule_ok || !cr->query) {
		*ok = false;
		return;
	}
	if (covered(cr->query)) {
		register_triggers(c, cr->query, idx);
	} else {
		g_array_append_val(c->always, idx);
	}
}

static int cmp_u8(const void *a, const void *b)
{
	return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}

/* Flattens the keys into the open-addressing table. */
static void build_table(struct compiler *c)
{
	struct hark_ruleset *rs = c->rs;
	uint32_t nslots = 64, total = 0;
	GHashTableIter it;
	gpointer k;
	size_t i = 0;

	rs->nkeys = c->keys->len;
	rs->keys = (struct key *)g_array_free(c->keys, FALSE);
	c->keys = NULL;
	for (uint32_t j = 0; j < rs->nkeys; j++)
		total += ((GArray *)c->key_posts->pdata[j])->len;
	rs->fbits = 10;
	while (rs->fbits < 26 && (1u << rs->fbits) < rs->nkeys * 8)
		rs->fbits++;
	rs->filter = g_new0(uint64_t, (1u << rs->fbits) / 32);
	rs->postings = g_new(uint32_t, total ? total : 1);
	total = 0;
	for (uint32_t j = 0; j < rs->nkeys; j++) {
		GArray *p = c->key_posts->pdata[j];

		rs->keys[j].first = total;
		rs->keys[j].n = p->len;
		memcpy(rs->postings + total, p->data, p->len * sizeof(uint32_t));
		total += p->len;
		filter_set(rs->filter, rs->fbits, rs->keys[j].hash, F_KEY);
		if (rs->keys[j].kind == K_BI)
			filter_set(rs->filter, rs->fbits, rs->keys[j].first_hash, F_FIRST);
	}
	while (nslots < rs->nkeys * 2)
		nslots *= 2;
	rs->slots = g_new0(uint32_t, nslots);
	rs->slot_mask = nslots - 1;
	for (uint32_t j = 0; j < rs->nkeys; j++) {
		uint32_t s = (uint32_t)rs->keys[j].hash & rs->slot_mask;

		while (rs->slots[s])
			s = (s + 1) & rs->slot_mask;
		rs->slots[s] = j + 1;
	}
	rs->nprefix_lens = g_hash_table_size(c->prefix_lens);
	rs->prefix_lens = g_new0(uint8_t, rs->nprefix_lens + 1);
	g_hash_table_iter_init(&it, c->prefix_lens);
	while (g_hash_table_iter_next(&it, &k, NULL))
		rs->prefix_lens[i++] = (uint8_t)GPOINTER_TO_UINT(k);
	qsort(rs->prefix_lens, rs->nprefix_lens, 1, cmp_u8);
}

struct hark_ruleset *hark_ruleset_compile(const struct hark_config *cfg,
					  struct hark_diags *diags)
{
	struct hark_ruleset *rs = g_new0(struct hark_ruleset, 1);
	struct compiler c = {0};
	bool ok = true;

	rs->cfg = cfg;
	rs->score_all = true;
	rs->nrules = cfg->rules->len;
	rs->rules = g_new0(struct crule, rs->nrules ? rs->nrules : 1);
	rs->terms = g_ptr_array_new();
	rs->pseudo_nodes = g_ptr_array_new_with_free_func((GDestroyNotify)query_free);
	g_mutex_init(&rs->lock);

	c.rs = rs;
	c.cfg = cfg;
	c.diags = diags;
	c.term_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c.key_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	c.keys = g_array_new(FALSE, FALSE, sizeof(struct key));
	c.key_posts = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
	c.prefix_lens = g_hash_table_new(g_direct_hash, g_direct_equal);
	c.memmem = g_array_new(FALSE, FALSE, sizeof(struct memmem_rule));
	c.always = g_array_new(FALSE, FALSE, sizeof(uint32_t));

	for (uint32_t i = 0; i < rs->nrules; i++) {
		rs->rules[i].conf = cfg->rules->pdata[i];
		compile_rule(&c, i, &ok);
	}
	build_table(&c);
	rs->nmemmem = c.memmem->len;
	rs->memmem = (struct memmem_rule *)g_array_free(c.memmem, FALSE);
	rs->nalways = c.always->len;
	rs->always = (uint32_t *)g_array_free(c.always, FALSE);
	g_hash_table_unref(c.term_ids);
	g_hash_table_unref(c.key_ids);
	g_ptr_array_unref(c.key_posts);
	g_hash_table_unref(c.prefix_lens);

	rs->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(rs->mctx, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, REGEX_DEPTH_LIMIT);
	pcre2_set_heap_limit(rs->mctx, REGEX_HEAP_LIMIT_KIB);
	if (!ok) {
		hark_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

static void scratch_free(struct scratch *sc)
{
	if (!sc)
		return;
	tokens_free(&sc->tk);
	g_free(sc->term_gen);
	g_free(sc->term_head);
	g_free(sc->term_tail);
	g_free(sc->occ);
	g_free(sc->touched);
	g_free(sc->rule_gen);
	g_free(sc->cands);
	for (int i = 0; i < 4; i++)
		g_free(sc->lower[i]);
	g_free(sc);
}

void hark_ruleset_free(struct hark_ruleset *rs)
{
	if (!rs)
		return;
	for (uint32_t i = 0; i < rs->nrules; i++) {
		struct crule *cr = &rs->rules[i];
		query_free(cr->query);
		query_free(cr->exclude);
		if (cr->feed_names)
			g_ptr_array_unref(cr->feed_names);
		if (cr->feed_tags)
			g_ptr_array_unref(cr->feed_tags);
	}
	g_free(rs->rules);
	for (guint i = 0; i < rs->terms->len; i++) {
		struct term *t = rs->terms->pdata[i];
		g_free(t->rules);
		g_free(t);
	}
	g_ptr_array_unref(rs->terms);
	g_ptr_array_unref(rs->pseudo_nodes);
	g_free(rs->keys);
	g_free(rs->postings);
	g_free(rs->slots);
	g_free(rs->filter);
	g_free(rs->prefix_lens);
	g_free(rs->memmem);
	g_free(rs->always);
	if (rs->mctx)
		pcre2_match_context_free(rs->mctx);
	scratch_free(rs->scratch);
	g_mutex_clear(&rs->lock);
	g_free(rs);
}

/* ---- matching --------------------------------------------------------- */

static struct scratch *scratch_new(const struct hark_ruleset *rs)
{
	struct scratch *sc = g_new0(struct scratch, 1);
	size_t nt = rs->terms->len ? rs->terms->len : 1;

	tokens_init(&sc->tk);
	sc->term_gen = g_new0(uint32_t, nt);
	sc->term_head = g_new0(uint32_t, nt);
	sc->term_tail = g_new0(uint32_t, nt);
	sc->rule_gen = g_new0(uint32_t, rs->nrules ? rs->nrules : 1);
	return sc;
}

static void scratch_begin(struct scratch *sc, const struct hark_ruleset *rs)
{
	tokens_reset(&sc->tk);
	sc->nocc = 0;
	sc->ntouched = 0;
	sc->ncands = 0;
	sc->lowered = false;
	if (++sc->gen == 0) {
		/* Wrapped: old stamps could look current. */
		memset(sc->term_gen, 0, sizeof(uint32_t) * MAX(rs->terms->len, 1u));
		memset(sc->rule_gen, 0, sizeof(uint32_t) * MAX(rs->nrules, 1u));
		sc->gen = 1;
	}
}

static void record(struct scratch *sc, uint32_t term, uint32_t first, uint32_t last)
{
	uint32_t i;

	if (sc->nocc == sc->capocc) {
		sc->capocc = sc->capocc ? sc->capocc * 2 : 64;
		sc->occ = g_renew(struct occ, sc->occ, sc->capocc);
	}
	i = (uint32_t)sc->nocc++;
	sc->occ[i].first = first;
	sc->occ[i].last = last;
	sc->occ[i].next = UINT32_MAX;
	if (sc->term_gen[term] != sc->gen) {
		sc->term_gen[term] = sc->gen;
		sc->term_head[term] = i;
		if (sc->ntouched == sc->captouched) {
			sc->captouched = sc->captouched ? sc->captouched * 2 : 64;
			sc->touched = g_renew(uint32_t, sc->touched, sc->captouched);
		}
		sc->touched[sc->ntouched++] = term;
	} else {
		sc->occ[sc->term_tail[term]].next = i;
	}
	sc->term_tail[term] = i;
}

static bool elem_eq(const struct tokens *tk, const struct tok *k,
		    const struct elem *e, bool af)
{
	uint32_t len;
	const char *s = tok_text(tk, k, af, &len);

	if (e->wild)
		return len >= e->len && !memcmp(s, e->s, e->len);
	return len == e->len && !memcmp(s, e->s, len);
}

static void verify(struct scratch *sc, const struct term *t, uint32_t term,
		   int64_t start)
{
	const struct tokens *tk = &sc->tk;
	uint8_t field;

	if (start < 0 || (size_t)start + (size_t)t->n > tk->n)
		return;
	field = tk->v[start].field;
	for (int i = 0; i < t->n; i++) {
		const struct tok *k = &tk->v[start + i];
		if (k->field != field || !elem_eq(tk, k, &t->elems[i], t->af))
			return;
	}
	record(sc, term, (uint32_t)start, (uint32_t)(start + t->n - 1));
}

/* Looks up one key; CF_ONLY: the lookup used case-folded forms, so only
 * terms without accent folding apply.  DIFFERS: some anchor word has
 * different folded forms (then accent-sensitive terms wait for the
 * case-folded lookup). */
static void probe(const struct hark_ruleset *rs, struct scratch *sc,
		  enum key_kind kind, uint64_t h, bool cf_only, bool differs,
		  int64_t pos)
{
	uint32_t s;

	for (s = (uint32_t)h & rs->slot_mask; rs->slots[s]; s = (s + 1) & rs->slot_mask) {
		const struct key *k = &rs->keys[rs->slots[s] - 1];

		if (k->hash != h || k->kind != kind)
			continue;
		for (uint32_t i = 0; i < k->n; i++) {
			uint32_t id = rs->postings[k->first + i];
			const struct term *t = rs->terms->pdata[id];

			if (cf_only ? t->af : (!t->af && differs))
				continue;
			verify(sc, t, id, pos - t->anchor - (kind == K_BI));
		}
	}
}

static void lookup_all(const struct hark_ruleset *rs, struct scratch *sc)
{
	const struct tokens *tk = &sc->tk;
	const uint64_t *f = rs->filter;
	unsigned fb = rs->fbits, prev_fl = 0;

	for (size_t j = 0; j < tk->n; j++) {
		const struct tok *k = &tk->v[j];
		const struct tok *prev = j && tk->v[j - 1].field == k->field
					 ? &tk->v[j - 1] : NULL;
		unsigned fl = filter_get(f, fb, k->hash);

		if (fl & F_KEY)
			probe(rs, sc, K_UNI, k->hash, false, k->differs, (int64_t)j);
		if (k->differs && (filter_get(f, fb, k->cf_hash) & F_KEY))
			probe(rs, sc, K_UNI, k->cf_hash, true, true, (int64_t)j);
		if (prev) {
			bool d = prev->differs || k->differs;
			uint64_t h;

			if (prev_fl & F_FIRST) {
				h = hash_pair(prev->hash, k->hash);
				if (filter_get(f, fb, h) & F_KEY)
					probe(rs, sc, K_BI, h, false, d, (int64_t)j);
			}
			if (d && (filter_get(f, fb, prev->cf_hash) & F_FIRST)) {
				h = hash_pair(prev->cf_hash, k->cf_hash);
				if (filter_get(f, fb, h) & F_KEY)
					probe(rs, sc, K_BI, h, true, true, (int64_t)j);
			}
		}
		prev_fl = fl;
		for (size_t p = 0; p < rs->nprefix_lens; p++) {
			uint32_t l = rs->prefix_lens[p];
			uint64_t h;

			if (l <= k->len) {
				h = hash_prefix(tk->buf + k->off, l);
				if (filter_get(f, fb, h) & F_KEY)
					probe(rs, sc, K_PREFIX, h, false, k->differs, (int64_t)j);
			}
			if (k->differs && l <= k->cf_len) {
				h = hash_prefix(tk->buf + k->cf_off, l);
				if (filter_get(f, fb, h) & F_KEY)
					probe(rs, sc, K_PREFIX, h, true, true, (int64_t)j);
			}
		}
	}
}

static void cand_add(struct scratch *sc, uint32_t rule)
{
	if (sc->rule_gen[rule] == sc->gen)
		return;
	sc->rule_gen[rule] = sc->gen;
	if (sc->ncands == sc->capcands) {
		sc->capcands = sc->capcands ? sc->capcands * 2 : 64;
		sc->cands = g_renew(uint32_t, sc->cands, sc->capcands);
	}
	sc->cands[sc->ncands++] = rule;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct ectx {
	const struct hark_ruleset *rs;
	struct scratch *sc;
	const struct hark_item *item;
	const struct hark_match_source *src;
	const char *ftext[4];
	size_t flen[4];
};

struct pocc {
	uint32_t first, last;
};

static void span_add(GArray *spans, enum hark_field f, size_t s, size_t e)
{
	struct hark_span sp = {f, s, e};

	if (spans)
		g_array_append_val(spans, sp);
}

static void span_tokens(const struct ectx *x, GArray *spans, uint32_t first,
			uint32_t last)
{
	const struct tok *a = &x->sc->tk.v[first], *b = &x->sc->tk.v[last];

	span_add(spans, (enum hark_field)a->field, a->start, b->end);
}

static void positions(const struct ectx *x, const struct node *n, GArray *out,
		      GArray *spans)
{
	const struct scratch *sc = x->sc;

	if (n->kind == N_TERM) {
		if (sc->term_gen[n->term_id] != sc->gen)
			return;
		for (uint32_t i = sc->term_head[n->term_id]; i != UINT32_MAX;
		     i = sc->occ[i].next) {
			const struct occ *o = &sc->occ[i];
			struct pocc p = {o->first, o->last};

			if (!(n->fields & FIELD_BIT(sc->tk.v[o->first].field)))
				continue;
			g_array_append_val(out, p);
			span_tokens(x, spans, o->first, o->last);
		}
	} else if (n->kind == N_OR) {
		for (int i = 0; i < n->nkids; i++)
			positions(x, n->kids[i], out, spans);
	} else if (n->kind == N_NEAR) {
		GArray *a = g_array_new(FALSE, FALSE, sizeof(struct pocc));
		GArray *b = g_array_new(FALSE, FALSE, sizeof(struct pocc));
		guint na, nb, nout = 0;

		positions(x, n->kids[0], a, NULL);
		if (a->len)
			positions(x, n->kids[1], b, NULL);
		na = MIN(a->len, NEAR_MAX_OCC);
		nb = MIN(b->len, NEAR_MAX_OCC);
		for (guint i = 0; i < na && nout < NEAR_MAX_OUT; i++) {
			const struct pocc *pa = &g_array_index(a, struct pocc, i);
			for (guint j = 0; j < nb && nout < NEAR_MAX_OUT; j++) {
				const struct pocc *pb = &g_array_index(b, struct pocc, j);
				int64_t gap;
				struct pocc r;

				if (sc->tk.v[pa->first].field != sc->tk.v[pb->first].field)
					continue;
				if (pa->last < pb->first)
					gap = (int64_t)pb->first - pa->last - 1;
				else if (!n->ordered && pb->last < pa->first)
					gap = (int64_t)pa->first - pb->last - 1;
				else
					continue;
				if (gap > n->dist)
					continue;
				r.first = MIN(pa->first, pb->first);
				r.last = MAX(pa->last, pb->last);
				g_array_append_val(out, r);
				span_tokens(x, spans, pa->first, pa->last);
				span_tokens(x, spans, pb->first, pb->last);
				nout++;
			}
		}
		g_array_unref(a);
		g_array_unref(b);
	}
}

static bool eval_regex(const struct ectx *x, const struct node *n, GArray *spans)
{
	bool any = false;
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(n->re, NULL);

	for (int f = HARK_FIELD_TITLE; f <= HARK_FIELD_LINK; f++) {
		const char *s = x->ftext[f];
		size_t len = x->flen[f], at = 0;

		if (!(n->fields & FIELD_BIT(f)))
			continue;
		for (int i = 0; i < REGEX_MAX_SPANS && at <= len; i++) {
			int rc = pcre2_match(n->re, (PCRE2_SPTR)s, len, at, 0, md,
					     x->rs->mctx);
			PCRE2_SIZE *ov;

			if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
			    rc == PCRE2_ERROR_HEAPLIMIT) {
				if (!g_atomic_int_get(n->limit_logged) &&
				    g_atomic_int_compare_and_exchange(n->limit_logged, 0, 1))
					hark_warn("a regex hit PCRE2's resource limits on an "
						  "item; counted as no match (logged once)");
				break;
			}
			if (rc < 0)
				break;
			ov = pcre2_get_ovector_pointer(md);
			any = true;
			if (!spans)
				break;
			if (ov[1] > ov[0])
				span_add(spans, (enum hark_field)f, ov[0], ov[1]);
			if (ov[1] == ov[0]) {
				/* Empty match: step over one character. */
				at = ov[1] + 1;
				while (at < len && ((unsigned char)s[at] & 0xC0) == 0x80)
					at++;
			} else {
				at = ov[1];
			}
		}
		if (any && !spans)
			break;
	}
	pcre2_match_data_free(md);
	return any;
}

/* The host of a URL: [start, end) bytes. */
static bool url_host(const char *u, size_t *start, size_t *end)
{
	const char *p = strstr(u, "://"), *h, *e, *at;

	if (!p)
		return false;
	h = p + 3;
	e = h + strcspn(h, "/?#");
	at = memchr(h, '@', (size_t)(e - h));
	if (at)
		h = at + 1;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(e - h));
		if (rb)
			e = rb + 1;
	} else {
		const char *colon = memchr(h, ':', (size_t)(e - h));
		if (colon)
			e = colon;
	}
	*start = (size_t)(h - u);
	*end = (size_t)(e - u);
	return e > h;
}

static bool eval_site(const struct ectx *x, const struct node *n, GArray *spans)
{
	const char *link = x->ftext[HARK_FIELD_LINK];
	size_t hs, he, hl, nl = strlen(n->str);
	const char *host;

	if (!url_host(link, &hs, &he))
		return false;
	host = link + hs;
	hl = he - hs;
	/* A trailing dot is the same host. */
	if (hl && host[hl - 1] == '.')
		hl--;
	if (hl < nl || g_ascii_strncasecmp(host + hl - nl, n->str, nl))
		return false;
	if (hl > nl && host[hl - nl - 1] != '.')
		return false;
	if (n->path) {
		const char *path = link + he + strcspn(link + he, "/?#");
		if (!g_str_has_prefix(path, n->path))
			return false;
	}
	span_add(spans, HARK_FIELD_LINK, hs, he);
	return true;
}

static bool tag_in(GPtrArray *arr, const char *folded)
{
	bool found = false;

	for (guint i = 0; arr && i < arr->len && !found; i++) {
		char *f = query_fold_word(arr->pdata[i]);
		found = !strcmp(f, folded);
		g_free(f);
	}
	return found;
}

static bool eval(const struct ectx *x, const struct node *n, GArray *spans)
{
	switch (n->kind) {
	case N_AND: {
		guint mark = spans ? spans->len : 0;

		for (int i = 0; i < n->nkids; i++) {
			if (!eval(x, n->kids[i], spans)) {
				if (spans)
					g_array_set_size(spans, mark);
				return false;
			}
		}
		return true;
	}
	case N_OR: {
		bool any = false;

		for (int i = 0; i < n->nkids; i++) {
			if (eval(x, n->kids[i], spans)) {
				any = true;
				if (!spans)
					break;
			}
		}
		return any;
	}
	case N_NOT:
		return !eval(x, n->kids[0], NULL);
	case N_TERM:
	case N_NEAR: {
		GArray *out = g_array_new(FALSE, FALSE, sizeof(struct pocc));
		bool any;

		positions(x, n, out, spans);
		any = out->len > 0;
		g_array_unref(out);
		return any;
	}
	case N_REGEX:
		return eval_regex(x, n, spans);
	case N_SITE:
		return eval_site(x, n, spans);
	case N_FEED:
		return x->src && x->src->feed_name && !strcmp(x->src->feed_name, n->str);
	case N_TAG:
		return (x->src && tag_in(x->src->feed_tags, n->str)) ||
		       tag_in(x->item->categories, n->str);
	}
	return false;
}

static bool feeds_ok(const struct ectx *x, const struct crule *cr)
{
	if (!cr->feed_names)
		return true;
	if (!x->src)
		return false;
	for (guint i = 0; i < cr->feed_names->len; i++)
		if (x->src->feed_name && !strcmp(x->src->feed_name, cr->feed_names->pdata[i]))
			return true;
	for (guint i = 0; i < cr->feed_tags->len; i++)
		if (tag_in(x->src->feed_tags, cr->feed_tags->pdata[i]))
			return true;
	return false;
}

static bool length_ok(const struct ectx *x, const struct crule *cr)
{
	size_t n = 0;

	if (!cr->min_length)
		return true;
	if (cr->min_words) {
		for (size_t i = 0; i < x->sc->tk.n && n < cr->min_length; i++)
			n += x->sc->tk.v[i].field == HARK_FIELD_TEXT;
	} else {
		n = (size_t)g_utf8_strlen(x->ftext[HARK_FIELD_TEXT],
					  (gssize)x->flen[HARK_FIELD_TEXT]);
	}
	return n >= cr->min_length;
}

static int cmp_span(const void *a, const void *b)
{
	const struct hark_span *x = a, *y = b;

	if (x->field != y->field)
		return (int)x->field - (int)y->field;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

static void spans_normalise(GArray *spans)
{
	guint o = 0;

	/* Sorted, and overlapping spans (a word inside a regex match) made
	 * one. */
	g_array_sort(spans, cmp_span);
	for (guint i = 0; i < spans->len; i++) {
		struct hark_span *s = &g_array_index(spans, struct hark_span, i);
		struct hark_span *p = o ? &g_array_index(spans, struct hark_span, o - 1)
					: NULL;

		if (p && p->field == s->field && s->start < p->end) {
			p->end = MAX(p->end, s->end);
			continue;
		}
		g_array_index(spans, struct hark_span, o++) = *s;
	}
	g_array_set_size(spans, o);
}

/* Scores the sentences around the spans of one field (the text if it has
 * spans, else the title), or the whole text. */
static bool score(const struct ectx *x, const struct crule *cr, GArray *spans,
		  double *out)
{
	enum hark_field f = HARK_FIELD_TEXT;
	size_t (*r)[2] = NULL;
	size_t n = 0;
	bool ok;

	if (!cr->sent_document) {
		bool in_text = false, in_title = false;

		for (guint i = 0; i < spans->len; i++) {
			const struct hark_span *s = &g_array_index(spans, struct hark_span, i);
			in_text |= s->field == HARK_FIELD_TEXT;
			in_title |= s->field == HARK_FIELD_TITLE;
		}
		if (!in_text && in_title)
			f = HARK_FIELD_TITLE;
		if (in_text || in_title) {
			r = g_malloc_n(spans->len, sizeof *r);
			for (guint i = 0; i < spans->len; i++) {
				const struct hark_span *s =
					&g_array_index(spans, struct hark_span, i);
				if (s->field != f)
					continue;
				r[n][0] = s->start;
				r[n][1] = s->end;
				n++;
			}
		}
	}
	if (f == HARK_FIELD_TEXT && !x->flen[f] && !n)
		f = HARK_FIELD_TITLE;
	ok = rule_sentiment_score(x->ftext[f], x->flen[f], (const size_t(*)[2])r, n, out);
	g_free(r);
	return ok;
}

static void evaluate(const struct ectx *x, uint32_t ri, GPtrArray *hits)
{
	const struct crule *cr = &x->rs->rules[ri];
	GArray *spans;
	double s = 0;
	bool have;

	if (!cr->query || !feeds_ok(x, cr) || !length_ok(x, cr))
		return;
	spans = g_array_new(FALSE, FALSE, sizeof(struct hark_span));
	if (!eval(x, cr->query, spans) || (cr->exclude && eval(x, cr->exclude, NULL))) {
		g_array_unref(spans);
		return;
	}
	spans_normalise(spans);
	have = (cr->has_sentiment || x->rs->score_all) && score(x, cr, spans, &s);
	if (cr->has_sentiment && (!have || s < cr->smin || s > cr->smax)) {
		static gint warned;
		if (!have && g_atomic_int_compare_and_exchange(&warned, 0, 1))
			hark_warn("rule %s: sentiment= needs the sentiment scorer, "
				  "which this build lacks; the rule never matches",
				  cr->conf->name);
		g_array_unref(spans);
		return;
	}
	struct hark_rule_hit *h = g_new0(struct hark_rule_hit, 1);
	h->rule = cr->conf;
	h->spans = spans;
	h->has_sentiment = have;
	h->sentiment = s;
	g_ptr_array_add(hits, h);
}

void hark_ruleset_score_all_hits(struct hark_ruleset *rs, bool on)
{
	rs->score_all = on;
}

static void lower_fields(struct ectx *x)
{
	struct scratch *sc = x->sc;

	if (sc->lowered)
		return;
	for (int f = 0; f < 4; f++) {
		g_free(sc->lower[f]);
		sc->lower[f] = g_ascii_strdown(x->ftext[f], (gssize)x->flen[f]);
	}
	sc->lowered = true;
}

GPtrArray *hark_ruleset_match(const struct hark_ruleset *rs,
			      const struct hark_item *item,
			      const struct hark_match_source *src)
{
	/* The scratch is shared; a concurrent caller gets its own. */
	struct hark_ruleset *mrs = (struct hark_ruleset *)rs;
	GPtrArray *hits = g_ptr_array_new_with_free_func(hit_free);
	struct scratch *sc;
	bool locked = g_mutex_trylock(&mrs->lock);
	struct ectx x = {rs, NULL, item, src, {0}, {0}};

	if (locked) {
		if (!mrs->scratch)
			mrs->scratch = scratch_new(rs);
		sc = mrs->scratch;
	} else {
		sc = scratch_new(rs);
	}
	x.sc = sc;
	scratch_begin(sc, rs);
	for (int f = HARK_FIELD_TITLE; f <= HARK_FIELD_LINK; f++) {
		x.ftext[f] = hark_item_field(item, (enum hark_field)f);
		x.flen[f] = strlen(x.ftext[f]);
		if (f != HARK_FIELD_LINK)
			tokenize(&sc->tk, x.ftext[f], x.flen[f], (unsigned)f);
	}
	lookup_all(rs, sc);
	for (size_t i = 0; i < sc->ntouched; i++) {
		const struct term *t = rs->terms->pdata[sc->touched[i]];
		for (uint32_t j = 0; j < t->nrules; j++)
			cand_add(sc, t->rules[j]);
	}
	for (size_t i = 0; i < rs->nmemmem; i++) {
		const struct memmem_rule *m = &rs->memmem[i];

		if (sc->rule_gen[m->rule] == sc->gen)
			continue;
		lower_fields(&x);
		for (int f = 0; f < 4; f++) {
			if ((m->fields & FIELD_BIT(f)) && strstr(sc->lower[f], m->literal)) {
				cand_add(sc, m->rule);
				break;
			}
		}
	}
	for (size_t i = 0; i < rs->nalways; i++)
		cand_add(sc, rs->always[i]);
	if (sc->ncands > 1)
		qsort(sc->cands, sc->ncands, sizeof(uint32_t), cmp_u32);
	for (size_t i = 0; i < sc->ncands; i++)
		evaluate(&x, sc->cands[i], hits);
	if (locked)
		g_mutex_unlock(&mrs->lock);
	else
		scratch_free(sc);
	return hits;
}
