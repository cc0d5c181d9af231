/* query.c - lexer and recursive-descent parser for rule queries.
 *
 * Errors carry a character position inside the query and a hint; the
 * compiler adds the config file's line and column.  The parser stops at
 * the first error of a query (the caller goes on with the other queries).
 */
#include "query.h"
#include "tokenize.h"

#include "hark/rules.h"

#include <glib.h>
#include <string.h>

enum lex_kind {
	L_EOF, L_LP, L_RP, L_WORD, L_PHRASE, L_REGEX,
	L_OR, L_AND, L_NOT, L_MINUS, L_NEAR, L_FIELD,
};

/* Field contexts: the enum hark_field values, then these. */
enum {
	CTX_DEFAULT = -1,
	CTX_SITE = 16,
	CTX_FEED,
	CTX_TAG,
};

struct lex {
	enum lex_kind kind;
	size_t start, end;    /* bytes of the whole token */
	size_t vstart, vend;  /* its value: word, phrase text, regex pattern */
	size_t fstart, fend;  /* L_REGEX: flags */
	int dist;             /* L_NEAR */
	bool ordered;         /* L_NEAR */
	int field;            /* L_FIELD: a context */
};

struct parser {
	const char *q;
	size_t qlen;
	bool af;
	struct query_error *err;
	bool failed;
	int depth;
	bool raw;             /* the next word is a site:/feed:/tag: value */
	struct lex cur;
};

static const struct {
	const char *name;
	int ctx;
} fields[] = {
	{"title", HARK_FIELD_TITLE},
	{"text", HARK_FIELD_TEXT},
	{"author", HARK_FIELD_AUTHOR},
	{"link", CTX_SITE},
	{"site", CTX_SITE},
	{"feed", CTX_FEED},
	{"tag", CTX_TAG},
};

static void fail(struct parser *p, size_t start, size_t end, const char *hint,
		 const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static void fail(struct parser *p, size_t start, size_t end, const char *hint,
		 const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	if (start > p->qlen)
		start = p->qlen;
	if (end < start)
		end = start;
	if (end > p->qlen)
		end = p->qlen;
	p->err->pos = (int)g_utf8_pointer_to_offset(p->q, p->q + start);
	p->err->len = (int)g_utf8_pointer_to_offset(p->q + start, p->q + end);
	if (p->err->len < 1)
		p->err->len = 1;
	va_start(ap, fmt);
	p->err->msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	p->err->hint = g_strdup(hint);
}

void query_error_clear(struct query_error *err)
{
	g_free(err->msg);
	g_free(err->hint);
	err->msg = err->hint = NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static bool word_stop(char c)
{
	return !c || is_space(c) || c == '(' || c == ')' || c == '"';
}

static bool word_is(const struct parser *p, size_t s, size_t e, const char *kw)
{
	size_t l = strlen(kw);

	return e - s == l && !memcmp(p->q + s, kw, l);
}

/* Reads the next token into p->cur. */
static void next(struct parser *p)
{
	const char *q = p->q;
	size_t i = p->cur.end, s;
	struct lex *l = &p->cur;

	while (i < p->qlen && is_space(q[i]))
		i++;
	memset(l, 0, sizeof *l);
	l->start = l->vstart = i;
	if (i >= p->qlen) {
		l->kind = L_EOF;
		l->end = l->vend = p->qlen;
		return;
	}
	switch (q[i]) {
	case '(':
		l->kind = L_LP;
		l->end = i + 1;
		return;
	case ')':
		l->kind = L_RP;
		l->end = i + 1;
		return;
	case '"': {
		const char *close = memchr(q + i + 1, '"', p->qlen - i - 1);

		l->kind = L_PHRASE;
		if (!close) {
			fail(p, i, i + 1, "close the phrase with '\"'",
			     "unterminated phrase");
			l->kind = L_EOF;
			l->end = p->qlen;
			return;
		}
		l->vstart = i + 1;
		l->vend = (size_t)(close - q);
		l->end = l->vend + 1;
		return;
	}
	case '/': {
		size_t j = i + 1;

		while (j < p->qlen && q[j] != '/') {
			if (q[j] == '\\' && j + 1 < p->qlen)
				j++;
			j++;
		}
		if (j >= p->qlen) {
			fail(p, i, i + 1,
			     "end the regex with '/' (write \\/ for a slash inside it)",
			     "unterminated regex");
			l->kind = L_EOF;
			l->end = p->qlen;
			return;
		}
		l->kind = L_REGEX;
		l->vstart = i + 1;
		l->vend = j;
		l->fstart = j + 1;
		j++;
		while (j < p->qlen && !word_stop(q[j]))
			j++;
		l->fend = l->end = j;
		return;
	}
	case '-':
		if (i + 1 < p->qlen && !is_space(q[i + 1]) && q[i + 1] != ')') {
			l->kind = L_MINUS;
			l->end = i + 1;
			return;
		}
		fail(p, i, i + 1, "write -word, with no space, to exclude a word",
		     "'-' needs a term right after it");
		l->kind = L_EOF;
		l->end = p->qlen;
		return;
	default:
		break;
	}
	s = i;
	while (i < p->qlen && !word_stop(q[i]))
		i++;
	l->end = l->vend = i;
	l->kind = L_WORD;
	if (p->raw) {
		/* site:https://... is a value, not another field. */
		p->raw = false;
		return;
	}
	/* field:... */
	for (size_t j = s; j < i; j++) {
		if (q[j] == ':' && j > s) {
			char *name = g_strndup(q + s, j - s);
			const char *names[G_N_ELEMENTS(fields) + 1];
			const char *best = NULL;
			int found = -100;

			for (size_t f = 0; f < G_N_ELEMENTS(fields); f++) {
				names[f] = fields[f].name;
				if (!strcmp(name, fields[f].name))
					found = fields[f].ctx;
			}
			names[G_N_ELEMENTS(fields)] = NULL;
			if (found == -100) {
				char *hint;
				/* "did you mean" for a near miss */
				for (size_t f = 0; f < G_N_ELEMENTS(fields) && !best; f++)
					if (g_ascii_strncasecmp(name, names[f], 3) == 0 ||
					    (strlen(name) == strlen(names[f]) &&
					     g_ascii_strncasecmp(name, names[f], 2) == 0))
						best = names[f];
				hint = best ? g_strdup_printf(
						      "did you mean '%s:'? (to search for "
						      "the text, put it in quotes)", best)
					    : g_strdup("fields are title: text: author: "
						       "link: site: feed: tag:; to search "
						       "for the text, put it in quotes");
				fail(p, s, j, hint, "unknown field '%s'", name);
				g_free(hint);
				g_free(name);
				l->kind = L_EOF;
				l->end = p->qlen;
				return;
			}
			g_free(name);
			l->kind = L_FIELD;
			l->field = found;
			l->end = l->vend = j + 1;
			if (j + 1 >= p->qlen || is_space(q[j + 1]) || q[j + 1] == ')') {
				fail(p, s, j + 1, "write the term right after the ':'",
				     "'%.*s' needs a term right after it",
				     (int)(j + 1 - s), q + s);
				l->kind = L_EOF;
				l->end = p->qlen;
			}
			return;
		}
		/* Only plain ASCII letters name a field. */
		if (!g_ascii_isalpha(q[j]))
			break;
	}
	if (word_is(p, s, i, "OR")) {
		l->kind = L_OR;
	} else if (word_is(p, s, i, "AND")) {
		l->kind = L_AND;
	} else if (word_is(p, s, i, "NOT")) {
		l->kind = L_NOT;
	} else if (word_is(p, s, i, "NEAR") || word_is(p, s, i, "ONEAR")) {
		fail(p, s, i, "write NEAR/5 for 'within 5 words' (ONEAR/5: in this order)",
		     "%.*s needs a distance", (int)(i - s), q + s);
		l->kind = L_EOF;
		l->end = p->qlen;
	} else if ((i - s > 5 && !memcmp(q + s, "NEAR/", 5)) ||
		   (i - s > 6 && !memcmp(q + s, "ONEAR/", 6))) {
		size_t d = s + (q[s] == 'O' ? 6 : 5);
		long v = 0;

		l->kind = L_NEAR;
		l->ordered = q[s] == 'O';
		for (size_t j = d; j < i; j++) {
			if (!g_ascii_isdigit(q[j])) {
				fail(p, d, i, "write NEAR/5 for 'within 5 words'",
				     "NEAR distance '%.*s' is not a number",
				     (int)(i - d), q + d);
				l->kind = L_EOF;
				l->end = p->qlen;
				return;
			}
			if (v <= QUERY_MAX_NEAR)
				v = v * 10 + (q[j] - '0');
		}
		if (v > QUERY_MAX_NEAR) {
			fail(p, d, i, "the largest distance is " G_STRINGIFY(QUERY_MAX_NEAR),
			     "NEAR distance %.*s is too large", (int)(i - d), q + d);
			l->kind = L_EOF;
			l->end = p->qlen;
			return;
		}
		l->dist = (int)v;
	} else if (i - s >= 5 && (!memcmp(q + s, "NEAR/", 5) ||
				  !memcmp(q + s, "ONEAR/", 6))) {
		fail(p, s, i, "write NEAR/5 for 'within 5 words'",
		     "%.*s needs a distance", (int)(i - s), q + s);
		l->kind = L_EOF;
		l->end = p->qlen;
	}
}

static struct node *node_new(struct parser *p, enum node_kind kind,
			     size_t start, size_t end)
{
	struct node *n = g_new0(struct node, 1);

	n->kind = kind;
	n->pos = (int)g_utf8_pointer_to_offset(p->q, p->q + start);
	n->len = (int)g_utf8_pointer_to_offset(p->q + start, p->q + end);
	if (n->len < 1)
		n->len = 1;
	return n;
}

static void node_add(struct node *n, struct node *kid)
{
	n->kids = g_renew(struct node *, n->kids, n->nkids + 1);
	n->kids[n->nkids++] = kid;
}

void query_free(struct node *n)
{
	if (!n)
		return;
	for (int i = 0; i < n->nkids; i++)
		query_free(n->kids[i]);
	g_free(n->kids);
	for (int i = 0; i < n->nelems; i++)
		g_free(n->elems[i].s);
	g_free(n->elems);
	g_free(n->str);
	g_free(n->path);
	if (n->re)
		pcre2_code_free(n->re);
	g_free(n->literal);
	g_free(n->limit_logged);
	g_free(n);
}

char *query_fold_word(const char *s)
{
	char *cf = g_utf8_casefold(s, -1);
	char *n = g_utf8_normalize(cf, -1, G_NORMALIZE_NFC);

	g_free(cf);
	return n ? n : g_strdup("");
}

/* A word or phrase of the query into an N_TERM with folded elements. */
static struct node *build_term(struct parser *p, size_t s, size_t e,
			       bool phrase, unsigned fieldmask, size_t tstart,
			       size_t tend)
{
	const char *q = p->q;
	struct tokens t;
	struct node *n;

	if (!phrase) {
		for (size_t j = s; j < e; j++) {
			if (q[j] == '*' && j + 1 != e) {
				fail(p, j, j + 1,
				     "a wildcard goes at the end of a word: refund*",
				     "'*' in the middle of a word");
				return NULL;
			}
		}
	}
	tokens_init(&t);
	tokenize(&t, q + s, e - s, 0);
	if (t.n == 0) {
		if (phrase)
			fail(p, tstart, tend, "a phrase needs letters, digits or symbols",
			     "empty phrase");
		else
			fail(p, s, e, "use a /regex/ to match punctuation",
			     "'%.*s' has no letters, digits or symbols to match",
			     (int)(e - s), q + s);
		tokens_free(&t);
		return NULL;
	}
	if (t.n > QUERY_MAX_PHRASE) {
		fail(p, tstart, tend, "split it, or use NEAR",
		     "phrase of %zu words is too long (at most %d)", t.n,
		     QUERY_MAX_PHRASE);
		tokens_free(&t);
		return NULL;
	}
	n = node_new(p, N_TERM, tstart, tend);
	n->fields = fieldmask;
	n->elems = g_new0(struct elem, t.n);
	n->nelems = (int)t.n;
	for (size_t i = 0; i < t.n; i++) {
		const struct tok *k = &t.v[i];
		uint32_t len;
		const char *txt = tok_text(&t, k, p->af, &len);
		size_t after = s + k->end;

		if (len > QUERY_MAX_WORD) {
			fail(p, s + k->start, s + k->end, "shorten it or use a wildcard",
			     "word too long (at most %d bytes)", QUERY_MAX_WORD);
			break;
		}
		n->elems[i].s = g_strndup(txt, len);
		n->elems[i].len = len;
		if (after < e && q[after] == '*') {
			n->elems[i].wild = true;
			if (g_utf8_strlen(n->elems[i].s, -1) < 2) {
				fail(p, s + k->start, after + 1,
				     "write at least 2 letters before the '*'",
				     "wildcard prefix '%.*s' is too short",
				     (int)(after - s - k->start), q + s + k->start);
				break;
			}
		}
	}
	if (!phrase && !p->failed && q[e - 1] == '*' && !n->elems[n->nelems - 1].wild)
		fail(p, e - 1, e, "a wildcard follows a letter or digit: refund*",
		     "'*' after punctuation");
	tokens_free(&t);
	if (p->failed) {
		query_free(n);
		return NULL;
	}
	return n;
}

static struct node *build_site(struct parser *p, size_t s, size_t e,
			       size_t tstart, size_t tend)
{
	char *v = g_ascii_strdown(p->q + s, (gssize)(e - s));
	char *h = v, *slash;
	struct node *n;

	if (g_str_has_prefix(h, "http://"))
		h += 7;
	else if (g_str_has_prefix(h, "https://"))
		h += 8;
	slash = strchr(h, '/');
	if (slash)
		*slash = '\0';
	if (!*h) {
		fail(p, tstart, tend, "write a host name such as example.com",
		     "site: needs a host name");
		g_free(v);
		return NULL;
	}
	for (const char *c = h; *c; c++) {
		if (!g_ascii_isalnum(*c) && *c != '-' && *c != '.' &&
		    !((unsigned char)*c & 0x80)) {
			fail(p, s + (size_t)(c - v), s + (size_t)(c - v) + 1,
			     "write a host name such as example.com, optionally "
			     "with a path: link:example.com/blog",
			     "'%c' cannot be part of a host name", *c);
			g_free(v);
			return NULL;
		}
	}
	n = node_new(p, N_SITE, tstart, tend);
	n->str = g_strdup(h);
	if (slash) {
		*slash = '/';
		/* The path keeps its case: paths are case-sensitive. */
		n->path = g_strndup(p->q + s + (size_t)(slash - v),
				    e - s - (size_t)(slash - v));
	}
	g_free(v);
	return n;
}

/* The longest run of literal characters every match of a pattern must
 * contain, lower-cased, for a prefilter.  Only plain top-level text
 * counts: a top-level '|' or the x flag gives up.  'k' and 's' end a run
 * because caseless Unicode matching lets them match non-ASCII letters
 * (KELVIN SIGN, LONG S) that a byte search would miss. */
static char *derive_literal(const char *pat, size_t len, bool extended,
			    bool *at_word)
{
	size_t best_s = 0, best_l = 0, run_s = 0, run_l = 0;
	bool best_word = false, run_word = false, prev_b = false;
	int depth = 0;

	if (extended)
		return NULL;
	/* Inline options could turn on x mode, where '#' starts a comment. */
	for (size_t i = 0; i + 1 < len; i++) {
		if (pat[i] == '(' && pat[i + 1] == '?') {
			for (size_t j = i + 2; j < len && g_ascii_isalpha(pat[j]); j++)
				if (pat[j] == 'x')
					return NULL;
		}
	}
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? pat[i] : '\0';
		bool lit = i < len && depth == 0 && g_ascii_isalnum(c) &&
			   g_ascii_tolower(c) != 'k' && g_ascii_tolower(c) != 's';
		bool was_b = false;

		if (lit) {
			if (!run_l) {
				run_s = i;
				run_word = prev_b;
			}
			run_l++;
			prev_b = false;
			continue;
		}
		/* A quantifier makes the last character optional. */
		if (run_l && i < len && depth == 0 && (c == '?' || c == '*' || c == '{')) {
			run_l--;
		}
		if (run_l > best_l) {
			best_s = run_s;
			best_l = run_l;
			best_word = run_word;
		}
		run_l = 0;
		if (i >= len)
			break;
		switch (c) {
		case '\\':
			if (i + 1 < len) {
				/* Escapes with arguments ({...}, \Q...\E, \cX) make
				 * the rest hard to read: give up. */
				if (strchr("pPxNgkocQEu0123456789", pat[i + 1]))
					return NULL;
				was_b = pat[i + 1] == 'b' && depth == 0;
				i++;
			}
			break;
		case '{':
			while (i < len && pat[i] != '}')
				i++;
			break;
		case '(':
			depth++;
			break;
		case ')':
			if (depth > 0)
				depth--;
			break;
		case '[':
			/* Skip the class: ']' first is literal. */
			i++;
			if (i < len && pat[i] == '^')
				i++;
			if (i < len && pat[i] == ']')
				i++;
			while (i < len && pat[i] != ']') {
				if (pat[i] == '\\')
					i++;
				i++;
			}
			break;
		case '|':
			if (depth == 0)
				return NULL;
			break;
		default:
			break;
		}
		prev_b = was_b;
	}
	if (best_l < 3)
		return NULL;
	*at_word = best_word;
	return g_ascii_strdown(pat + best_s, (gssize)best_l);
}

static struct node *build_regex(struct parser *p, const struct lex *l,
				unsigned fieldmask)
{
	const char *q = p->q;
	uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF;
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *re;
	struct node *n;
	bool at_word = false;

	if (l->vend == l->vstart) {
		fail(p, l->start, l->end, "write a pattern between the slashes",
		     "empty regex");
		return NULL;
	}
	for (size_t j = l->fstart; j < l->fend; j++) {
		switch (q[j]) {
		case 'i': opts |= PCRE2_CASELESS; break;
		case 'c': opts &= ~(uint32_t)PCRE2_CASELESS; break;
		case 's': opts |= PCRE2_DOTALL; break;
		case 'm': opts |= PCRE2_MULTILINE; break;
		case 'x': opts |= PCRE2_EXTENDED; break;
		default:
			fail(p, j, j + 1,
			     "flags are i (caseless, the default), c (case-sensitive), "
			     "s (dot matches newline), m (multi-line), x (extended)",
			     "unknown regex flag '%c'", q[j]);
			return NULL;
		}
	}
	re = pcre2_compile((PCRE2_SPTR)(q + l->vstart), l->vend - l->vstart, opts,
			   &errcode, &erroff, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		size_t at = l->vstart + erroff;

		pcre2_get_error_message(errcode, msg, sizeof msg);
		if (at > l->vend)
			at = l->vend;
		/* Keep the caret on a character boundary. */
		while (at > l->vstart && ((unsigned char)q[at] & 0xC0) == 0x80)
			at--;
		fail(p, at, at + 1, "see pcre2pattern(3); the error is at the caret",
		     "regex error at offset %zu: %s", (size_t)erroff, (char *)msg);
		return NULL;
	}
	pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	n = node_new(p, N_REGEX, l->start, l->end);
	n->re = re;
	n->fields = fieldmask;
	n->limit_logged = g_new0(int, 1);
	n->literal = derive_literal(q + l->vstart, l->vend - l->vstart,
				    opts & PCRE2_EXTENDED, &at_word);
	n->literal_at_word = at_word;
	return n;
}

static struct node *parse_and(struct parser *p, int ctx);

static unsigned ctx_fields(int ctx)
{
	if (ctx == CTX_DEFAULT)
		return FIELD_BIT(HARK_FIELD_TITLE) | FIELD_BIT(HARK_FIELD_TEXT);
	return FIELD_BIT(ctx);
}

static const char *ctx_name(int ctx)
{
	switch (ctx) {
	case CTX_SITE: return "site:";
	case CTX_FEED: return "feed:";
	case CTX_TAG: return "tag:";
	default: return "";
	}
}

static struct node *parse_primary(struct parser *p, int ctx)
{
	struct lex l = p->cur;
	struct node *n = NULL;

	if (p->failed)
		return NULL;
	switch (l.kind) {
	case L_FIELD:
		p->raw = l.field >= CTX_SITE;
		next(p);
		p->raw = false;
		if (p->cur.kind != L_WORD && p->cur.kind != L_PHRASE &&
		    p->cur.kind != L_REGEX && p->cur.kind != L_LP) {
			fail(p, l.start, l.end, "write the term right after the ':'",
			     "'%.*s' needs a term right after it",
			     (int)(l.end - l.start), p->q + l.start);
			return NULL;
		}
		n = parse_primary(p, l.field);
		if (n) {
			/* Errors about it point at the field too. */
			int start = (int)g_utf8_pointer_to_offset(p->q, p->q + l.start);
			n->len += n->pos - start;
			n->pos = start;
		}
		return n;
	case L_LP:
		if (++p->depth > QUERY_MAX_DEPTH) {
			fail(p, l.start, l.end, "simplify the query",
			     "nested too deeply (at most %d levels)", QUERY_MAX_DEPTH);
			return NULL;
		}
		next(p);
		if (p->cur.kind == L_RP) {
			fail(p, l.start, p->cur.end, "put terms between the parentheses",
			     "empty parentheses");
			return NULL;
		}
		n = parse_and(p, ctx);
		if (!n)
			return NULL;
		if (p->cur.kind != L_RP) {
			fail(p, l.start, l.end, "add the missing ')'",
			     "unbalanced parenthesis: '(' is never closed");
			query_free(n);
			return NULL;
		}
		p->depth--;
		n->pos = (int)g_utf8_pointer_to_offset(p->q, p->q + l.start);
		n->len = (int)g_utf8_pointer_to_offset(p->q + l.start,
						       p->q + p->cur.end);
		next(p);
		return n;
	case L_WORD:
	case L_PHRASE:
		if (ctx == CTX_SITE) {
			n = build_site(p, l.vstart, l.vend, l.start, l.end);
		} else if (ctx == CTX_FEED || ctx == CTX_TAG) {
			if (l.vend == l.vstart) {
				fail(p, l.start, l.end, "write a name", "empty %s value",
				     ctx_name(ctx));
				return NULL;
			}
			n = node_new(p, ctx == CTX_FEED ? N_FEED : N_TAG, l.start, l.end);
			n->str = g_strndup(p->q + l.vstart, l.vend - l.vstart);
			if (ctx == CTX_TAG) {
				char *f = query_fold_word(n->str);
				g_free(n->str);
				n->str = f;
			}
		} else {
			n = build_term(p, l.vstart, l.vend, l.kind == L_PHRASE,
				       ctx_fields(ctx), l.start, l.end);
		}
		if (n)
			next(p);
		return n;
	case L_REGEX:
		if (ctx == CTX_FEED || ctx == CTX_TAG) {
			fail(p, l.start, l.end, "write a name",
			     "%s takes a name, not a regex", ctx_name(ctx));
			return NULL;
		}
		n = build_regex(p, &l, ctx == CTX_SITE ? FIELD_BIT(HARK_FIELD_LINK)
						       : ctx_fields(ctx));
		if (n)
			next(p);
		return n;
	case L_RP:
		fail(p, l.start, l.end, "remove it, or add the '(' it closes",
		     "unbalanced parenthesis: ')' without '('");
		return NULL;
	case L_OR:
	case L_AND:
		fail(p, l.start, l.end, "put a term on each side of it",
		     "'%.*s' needs a term before it", (int)(l.end - l.start),
		     p->q + l.start);
		return NULL;
	case L_NEAR:
		fail(p, l.start, l.end, "write: word NEAR/5 word",
		     "'%.*s' needs a term on each side", (int)(l.end - l.start),
		     p->q + l.start);
		return NULL;
	case L_EOF:
		fail(p, l.start, l.end, "finish the query with a word or a phrase",
		     "the query ends where a term was expected");
		return NULL;
	case L_NOT:
	case L_MINUS:
		break;
	}
	fail(p, l.start, l.end, NULL, "unexpected '%.*s'", (int)(l.end - l.start),
	     p->q + l.start);
	return NULL;
}

static bool positional(const struct node *n)
{
	if (n->kind == N_TERM || n->kind == N_NEAR)
		return true;
	if (n->kind != N_OR)
		return false;
	for (int i = 0; i < n->nkids; i++)
		if (!positional(n->kids[i]))
			return false;
	return true;
}

static struct node *parse_near(struct parser *p, int ctx)
{
	struct node *left = parse_primary(p, ctx);

	while (left && p->cur.kind == L_NEAR) {
		struct lex op = p->cur;
		struct node *right, *n;

		next(p);
		if (p->cur.kind == L_EOF || p->cur.kind == L_RP || p->cur.kind == L_OR ||
		    p->cur.kind == L_AND || p->cur.kind == L_NEAR) {
			fail(p, op.start, op.end, "write: word NEAR/5 word",
			     "'%.*s' needs a term on each side", (int)(op.end - op.start),
			     p->q + op.start);
			query_free(left);
			return NULL;
		}
		right = parse_primary(p, ctx);
		if (!right) {
			query_free(left);
			return NULL;
		}
		if (!positional(left) || !positional(right)) {
			const struct node *bad = positional(left) ? right : left;

			fail(p, 0, 0, "move the other conditions outside the NEAR",
			     "NEAR works on words, phrases and OR-groups of them");
			/* Point at the operand itself. */
			p->err->pos = bad->pos;
			p->err->len = bad->len;
			query_free(left);
			query_free(right);
			return NULL;
		}
		n = node_new(p, N_NEAR, op.start, op.end);
		n->dist = op.dist;
		n->ordered = op.ordered;
		node_add(n, left);
		node_add(n, right);
		left = n;
	}
	return left;
}

static struct node *parse_unary(struct parser *p, int ctx)
{
	if (p->cur.kind == L_NOT || p->cur.kind == L_MINUS) {
		struct lex op = p->cur;
		struct node *kid, *n;

		if (++p->depth > QUERY_MAX_DEPTH) {
			fail(p, op.start, op.end, "simplify the query",
			     "nested too deeply (at most %d levels)", QUERY_MAX_DEPTH);
			return NULL;
		}
		next(p);
		if (op.kind == L_NOT && (p->cur.kind == L_EOF || p->cur.kind == L_RP)) {
			fail(p, op.start, op.end, "write NOT word",
			     "NOT needs a term after it");
			return NULL;
		}
		kid = parse_unary(p, ctx);
		p->depth--;
		if (!kid)
			return NULL;
		n = node_new(p, N_NOT, op.start, op.end);
		node_add(n, kid);
		return n;
	}
	return parse_near(p, ctx);
}

static struct node *parse_or(struct parser *p, int ctx)
{
	struct node *first = parse_unary(p, ctx), *n = NULL;

	while (first && p->cur.kind == L_OR) {
		struct lex op = p->cur;
		struct node *kid;

		next(p);
		if (p->cur.kind == L_EOF || p->cur.kind == L_RP ||
		    p->cur.kind == L_OR || p->cur.kind == L_AND) {
			fail(p, op.start, op.end, "put a term on each side of it",
			     "'OR' needs a term after it");
			break;
		}
		kid = parse_unary(p, ctx);
		if (!kid)
			break;
		if (!n) {
			n = node_new(p, N_OR, op.start, op.end);
			node_add(n, first);
		}
		node_add(n, kid);
	}
	if (p->failed) {
		query_free(n ? n : first);
		return NULL;
	}
	return n ? n : first;
}

static struct node *parse_and(struct parser *p, int ctx)
{
	struct node *first = parse_or(p, ctx), *n = NULL;

	while (first && !p->failed) {
		struct node *kid;

		if (p->cur.kind == L_AND) {
			struct lex op = p->cur;
			next(p);
			if (p->cur.kind == L_EOF || p->cur.kind == L_RP ||
			    p->cur.kind == L_OR || p->cur.kind == L_AND) {
				fail(p, op.start, op.end, "put a term on each side of it",
				     "'AND' needs a term after it");
				break;
			}
		}
		if (p->cur.kind == L_EOF || p->cur.kind == L_RP)
			break;
		kid = parse_or(p, ctx);
		if (!kid)
			break;
		if (!n) {
			n = node_new(p, N_AND, 0, 0);
			n->pos = first->pos;
			node_add(n, first);
		}
		node_add(n, kid);
	}
	if (p->failed) {
		query_free(n ? n : first);
		return NULL;
	}
	return n ? n : first;
}

/* True when the node can be true by itself, not only by the absence of
 * something. */
static bool has_positive(const struct node *n)
{
	switch (n->kind) {
	case N_NOT:
		return false;
	case N_AND:
		for (int i = 0; i < n->nkids; i++)
			if (has_positive(n->kids[i]))
				return true;
		return false;
	case N_OR:
		for (int i = 0; i < n->nkids; i++)
			if (!has_positive(n->kids[i]))
				return false;
		return true;
	default:
		return true;
	}
}

struct node *query_parse(const char *q, bool accent_fold, struct query_error *err)
{
	struct parser p = {0};
	struct node *n;

	memset(err, 0, sizeof *err);
	p.q = q;
	p.qlen = strlen(q);
	p.af = accent_fold;
	p.err = err;
	if (!g_utf8_validate(q, (gssize)p.qlen, NULL)) {
		err->pos = 0;
		err->len = 1;
		err->msg = g_strdup("the query is not valid UTF-8");
		return NULL;
	}
	if (p.qlen > QUERY_MAX_LEN) {
		err->pos = 0;
		err->len = 1;
		err->msg = g_strdup_printf("query too long (at most %d bytes)",
					   QUERY_MAX_LEN);
		err->hint = g_strdup("split it into several rules");
		return NULL;
	}
	next(&p);
	if (p.failed)
		return NULL;
	if (p.cur.kind == L_EOF) {
		fail(&p, 0, 0, "write words to look for", "empty query");
		return NULL;
	}
	n = parse_and(&p, CTX_DEFAULT);
	if (n && !p.failed && p.cur.kind != L_EOF) {
		/* parse_and stops only at ')' or the end. */
		fail(&p, p.cur.start, p.cur.end, "remove it, or add the '(' it closes",
		     "unbalanced parenthesis: ')' without '('");
	}
	if (n && !p.failed && !has_positive(n)) {
		fail(&p, 0, p.qlen,
		     "add a word to look for: NOT and '-' only exclude",
		     "the query only excludes");
	}
	if (p.failed) {
		query_free(n);
		return NULL;
	}
	return n;
}
