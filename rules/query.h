/* query.h - the rule query language, parsed into a tree (internal).
 *
 *     query   := and ;
 *     and     := or { ["AND"] or } ;           implicit AND binds loosest
 *     or      := unary { "OR" unary } ;
 *     unary   := ("NOT" | "-") unary | near ;
 *     near    := primary { ("NEAR/n" | "ONEAR/n") primary } ;
 *     primary := FIELD ":" primary | "(" and ")" | WORD | "PHRASE" | /REGEX/flags ;
 *
 * See hark-query(7) for the user's view.
 */
#ifndef HARK_RULES_QUERY_H
#define HARK_RULES_QUERY_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUERY_MAX_LEN 16384     /* bytes of one query */
#define QUERY_MAX_DEPTH 64      /* nesting of parentheses and operators */
#define QUERY_MAX_PHRASE 32     /* words in one phrase */
#define QUERY_MAX_NEAR 100      /* largest NEAR distance */
#define QUERY_MAX_WORD 200      /* bytes of one folded word */

enum node_kind {
	N_AND, N_OR, N_NOT, N_NEAR,
	N_TERM,   /* a word, a phrase, or a wildcard word */
	N_REGEX,
	N_SITE,   /* site:HOST, link:HOST[/PATH] */
	N_FEED,
	N_TAG,
};

/* Field bits: 1 << enum hark_field. */
#define FIELD_BIT(f) (1u << (f))

struct elem {
	char *s;          /* folded word, owned */
	uint32_t len;
	bool wild;        /* prefix match (word*) */
};

struct node {
	enum node_kind kind;
	int pos, len;             /* characters into the query, for errors */
	unsigned fields;          /* N_TERM, N_REGEX: FIELD_BIT mask */
	struct node **kids;       /* N_AND, N_OR: nkids; N_NOT: 1; N_NEAR: 2 */
	int nkids;
	int dist;                 /* N_NEAR */
	bool ordered;             /* N_NEAR: ONEAR */
	struct elem *elems;       /* N_TERM */
	int nelems;
	uint32_t term_id;         /* N_TERM: set by the compiler */
	char *str;                /* N_SITE host, N_FEED name, N_TAG folded */
	char *path;               /* N_SITE: path prefix or NULL */
	pcre2_code *re;           /* N_REGEX */
	char *literal;            /* N_REGEX: a lower-case string every match
	                             contains, or NULL */
	bool literal_at_word;     /* ... and it starts a word */
	int *limit_logged;        /* N_REGEX: warn once, owned */
};

struct query_error {
	int pos, len;             /* characters into the query */
	char *msg, *hint;         /* owned */
};

/* Parses Q (NUL-terminated UTF-8).  ACCENT_FOLD selects the folded form of
 * words.  Returns the tree, or NULL with *ERR filled (free its strings
 * with query_error_clear()). */
struct node *query_parse(const char *q, bool accent_fold,
			 struct query_error *err);
void query_free(struct node *n);
void query_error_clear(struct query_error *err);

/* Folds one word the way the tokeniser does, for feed:/tag: values. */
char *query_fold_word(const char *s);

#endif
