/* sentiment_score.c - tokenizing and scoring text with the sentiment model.
 *
 * The method is VADER's (Hutto & Gilbert, 2014), written from the paper:
 * each token's lexicon valence is adjusted by ALL-CAPS emphasis, the three
 * preceding boosters/dampeners and negators, contrast ("but" halves what
 * comes before it and adds half to what follows), then summed, amplified
 * by "!" and "?", and normalised to [-1, 1] with x / sqrt(x^2 + 15).
 *
 * hark adds, for support and brand monitoring:
 *  - phrases: idioms, implicit complaints ("still waiting", "on hold",
 *    "<negator> ... working"), sarcasm ("thanks a lot" after bad news,
 *    "yeah right"), competitors ("switching to", "better than this");
 *  - a negation window of four words that stops at commas, clause ends
 *    and "and"/"or" ("never had a single problem"), milder negated praise,
 *    and missing wanted things as complaints ("no refund");
 *  - support vocabulary that never scores ("support", "please") and
 *    politeness that a complaint silences ("thanks"), unless the problem
 *    was fixed ("thanks for fixing it");
 *  - sarcastic interjections ("Great, another update that ...", "...
 *    Wonderful."), words that only complain in bad news ("again",
 *    "still"), durations while stuck ("has been ... for five days");
 *  - economic trends ("unemployment fell" is good news), requests in
 *    questions ("can anyone recommend a good ...") that are not praise,
 *    excess ("too loud"), ratings ("9/10"), elongation ("goooood");
 *  - the complaint frame: a text without praise that shows two or more
 *    kinds of complaint signal (addressed to the company, my order/bill,
 *    staff/systems, money, persistence, a duration, a negator) is a
 *    complaint even when it names no feeling.
 *
 * Target-aware scoring (hark_sentiment_score_spans) scores the clauses
 * that contain a span: a clause ends at . ! ? ; : or a newline and before
 * a contrast word (but, however, although, though).  When those clauses
 * carry no sentiment at all ("I called support yesterday."), the window
 * widens to the sentences before and after each span's sentence.
 *
 * Hot path: no allocation unless cues are wanted or the text has more
 * than TOK_STACK tokens; ASCII tokens are lowered and hashed in one pass.
 */
#include "hark/sentiment.h"
#include "sentiment_internal.h"

#include <math.h>
#include <string.h>

#define C_INCR 0.733f   /* ALL-CAPS emphasis */
#define N_SCALAR -0.74f /* negation */
#define NEG_WINDOW 4
#define NEG_POS_FLOOR -1.6f /* a negated positive goes no lower */
#define BOOST_WINDOW 3
#define KEY_MAX 64
#define TOK_STACK 256
#define ALPHA 15.0

/* token-level flags, above the SF_* word flags */
enum {
	TF_CAPS = 1u << 24,
	TF_SENT_START = 1u << 25,
	TF_CLAUSE_START = 1u << 26,
	TF_COMMA_AFTER = 1u << 27,
	TF_SPAN = 1u << 29,       /* overlaps a target span */
	TF_SCOPE = 1u << 30,      /* counted in the score */
};

struct tok {
	uint32_t start, end;  /* bytes; end covers the whole phrase */
	int32_t e;            /* lexicon entry or -1 */
	uint32_t flags;
	uint32_t sent, clause;
	uint32_t bang, quest; /* '!' and '?' seen before this token */
	int32_t phrase;       /* phrase index when a phrase starts here */
	uint8_t plen;         /* tokens the phrase covers */
	uint8_t consumed;     /* inside a phrase that starts earlier */
	uint8_t src, mods;
	uint8_t extra;        /* X_* */
	uint16_t trend;       /* TR_* of the entry */
	float v;
	float own;            /* a rating's valence ("9/10") */
};

enum { X_ELONGATED = 1, X_RATING = 2 };

struct toks {
	const char *text;
	struct tok *t;
	uint32_t n, cap;
	struct tok stack[TOK_STACK];
	uint32_t bang, quest;     /* totals */
	uint32_t signals;         /* TR_* frame signals seen, SF_NEGATOR */
	uint32_t any_flags;       /* SF_* of all tokens: rules with nothing to */
	uint32_t any_trend;       /* do are skipped; TR_* likewise */
	uint32_t any_phrase;      /* 1 << phrase kind of the phrases found */
	uint32_t ncaps, ncased;   /* for the ALL-CAPS differential */
};

/* byte classes for the ASCII fast path */
enum { C_SEP, C_WORD, C_SPACE, C_NL, C_STOP, C_BANG, C_QUEST, C_COMMA,
       C_CLAUSE, C_APOS, C_AT, C_HIGH };

static const uint8_t byte_class[256] = {
	['\t'] = C_SPACE, ['\v'] = C_SPACE, ['\f'] = C_SPACE, [' '] = C_SPACE,
	['\r'] = C_NL, ['\n'] = C_NL,
	['.'] = C_STOP, ['!'] = C_BANG, ['?'] = C_QUEST, [','] = C_COMMA,
	[';'] = C_CLAUSE, [':'] = C_CLAUSE, ['\''] = C_APOS, ['@'] = C_AT,
	['0'] = C_WORD, ['1'] = C_WORD, ['2'] = C_WORD, ['3'] = C_WORD,
	['4'] = C_WORD, ['5'] = C_WORD, ['6'] = C_WORD, ['7'] = C_WORD,
	['8'] = C_WORD, ['9'] = C_WORD,
#define L(c) [c] = C_WORD, [c - 32] = C_WORD
	L('a'), L('b'), L('c'), L('d'), L('e'), L('f'), L('g'), L('h'),
	L('i'), L('j'), L('k'), L('l'), L('m'), L('n'), L('o'), L('p'),
	L('q'), L('r'), L('s'), L('t'), L('u'), L('v'), L('w'), L('x'),
	L('y'), L('z'),
#undef L
#define H8(b) [b] = C_HIGH, [b + 1] = C_HIGH, [b + 2] = C_HIGH, \
	[b + 3] = C_HIGH, [b + 4] = C_HIGH, [b + 5] = C_HIGH, \
	[b + 6] = C_HIGH, [b + 7] = C_HIGH
	H8(0x80), H8(0x88), H8(0x90), H8(0x98), H8(0xa0), H8(0xa8),
	H8(0xb0), H8(0xb8), H8(0xc0), H8(0xc8), H8(0xd0), H8(0xd8),
	H8(0xe0), H8(0xe8), H8(0xf0), H8(0xf8),
#undef H8
};

/* Characters that only occur in emoticons (":-)", "<3", "D:"). */
static const bool emoticon_chars[256] = {
	[':'] = 1, [';'] = 1, ['='] = 1, ['<'] = 1, ['>'] = 1, ['('] = 1,
	[')'] = 1, ['['] = 1, [']'] = 1, ['{'] = 1, ['}'] = 1, ['|'] = 1,
	['\\'] = 1, ['/'] = 1, ['^'] = 1, ['*'] = 1, ['$'] = 1, ['%'] = 1,
	['&'] = 1, ['~'] = 1, ['+'] = 1, ['_'] = 1,
};

/* Decodes one UTF-8 character at S (N bytes left); returns its length,
 * or 0 for an invalid sequence. */
static int utf8_decode(const unsigned char *s, size_t n, gunichar *out)
{
	unsigned char c = s[0];
	int len;
	gunichar u;

	if (c < 0x80) {
		*out = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		u = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		u = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		u = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		u = u << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && u < 0x800) || (len == 4 && (u < 0x10000 || u > 0x10ffff)) ||
	    (u >= 0xd800 && u <= 0xdfff))
		return 0;
	*out = u;
	return len;
}

static bool is_apostrophe(gunichar u)
{
	return u == '\'' || u == 0x2019 || u == 0x2018 || u == 0x02bc;
}

/* Word characters beyond ASCII: letters, digits and combining marks. */
static bool is_word_char(gunichar u)
{
	if (u < 0x80)
		return byte_class[u] == C_WORD;
	return g_unichar_isalnum(u) || g_unichar_ismark(u);
}

static struct tok *tok_grow(struct toks *ts)
{
	{
		uint32_t cap = ts->cap * 2;

		if (ts->t == ts->stack) {
			ts->t = g_new(struct tok, cap);
			memcpy(ts->t, ts->stack, sizeof(ts->stack));
		} else {
			ts->t = g_renew(struct tok, ts->t, cap);
		}
		ts->cap = cap;
	}
	return &ts->t[ts->n++];
}

static inline struct tok *tok_push(struct toks *ts)
{
	if (G_LIKELY(ts->n < ts->cap))
		return &ts->t[ts->n++];
	return tok_grow(ts);
}

struct lexer {
	const struct hark_sentiment_model *m;
	const char *text;
	size_t len;
	struct toks *ts;
	uint32_t sent, clause;
	bool new_sent, new_clause;
};

/* Inlined by force: called once per token from three places. */
static inline __attribute__((always_inline)) struct tok *
emit(struct lexer *lx, uint32_t start, uint32_t end, int32_t e, uint32_t flags)
{
	struct toks *ts = lx->ts;
	struct tok *t;
	uint16_t trend = 0;

	if (e >= 0) {
		flags |= lx->m->entries[e].flags;
		trend = (uint16_t)lx->m->entries[e].trend;
		/* a contrast word opens a clause of its own */
		if (lx->m->entries[e].flags & (SF_BUT | SF_THOUGH))
			lx->new_clause = true;
	}
	if (lx->new_sent || ts->n == 0) {
		flags |= TF_SENT_START | TF_CLAUSE_START;
		if (ts->n) {
			lx->sent++;
			lx->clause++;
		}
	} else if (lx->new_clause) {
		flags |= TF_CLAUSE_START;
		lx->clause++;
	}
	lx->new_sent = lx->new_clause = false;
	ts->signals |= (trend & (TR_CUSTOMER | TR_COMPANY | TR_MONEY | TR_PERSIST |
				 TR_TIME | TR_YOUR)) | (flags & SF_NEGATOR);
	ts->any_flags |= flags;
	ts->any_trend |= trend;
	t = tok_push(ts);
	*t = (struct tok){
		.start = start, .end = end, .e = e, .flags = flags,
		.sent = lx->sent, .clause = lx->clause,
		.bang = ts->bang, .quest = ts->quest, .phrase = -1,
		.trend = trend,
	};
	return t;
}

/* "goooood", "sooo": squeeze runs of three or more letters to two, then
 * to one, and look again. */
static int32_t lookup_elongated(const struct hark_sentiment_model *m,
				const char *key, size_t k, bool *elongated)
{
	char two[KEY_MAX], one[KEY_MAX];
	size_t n2 = 0, n1 = 0;
	bool run = false;
	int32_t e;

	for (size_t i = 2; i < k && !run; i++)
		run = key[i] == key[i - 1] && key[i] == key[i - 2];
	if (!run)
		return -1;
	run = false;
	for (size_t i = 0; i < k; i++) {
		size_t r = 1;

		while (i + r < k && key[i + r] == key[i])
			r++;
		if (r >= 3)
			run = true;
		two[n2++] = key[i];
		if (r >= 2)
			two[n2++] = key[i];
		one[n1++] = key[i];
		i += r - 1;
	}
	if (!run)
		return -1;
	e = hark_lex_find(m, two, n2, hark_lex_hash(two, n2));
	if (e < 0)
		e = hark_lex_find(m, one, n1, hark_lex_hash(one, n1));
	*elongated = e >= 0;
	return e;
}

/* ASCII lower case and case bits: 1 upper, 2 lower, 4 not a digit. */
static const uint8_t case_bits[128] = {
#define U(c) [c] = 5, [c + 32] = 6
	U('A'), U('B'), U('C'), U('D'), U('E'), U('F'), U('G'), U('H'), U('I'),
	U('J'), U('K'), U('L'), U('M'), U('N'), U('O'), U('P'), U('Q'), U('R'),
	U('S'), U('T'), U('U'), U('V'), U('W'), U('X'), U('Y'), U('Z'),
#undef U
	['\''] = 4, ['.'] = 4, [','] = 4,
};

/* A word from START: letters, digits, inner apostrophes, inner "." and
 * digit-grouping ",".  Scans, lower-cases and hashes in one pass (ASCII
 * fast path), looks the word up, notes caps; returns the end offset. */
static size_t lex_word(struct lexer *lx, size_t start)
{
	const unsigned char *s = (const unsigned char *)lx->text;
	const size_t len = lx->len;
	char key[KEY_MAX] = {0};
	size_t k = 0, i = start;
	unsigned bits = 0;
	bool ascii = true, fits = true, elongated = false;
	uint32_t flags = 0, h = 2166136261u; /* FNV-1a, as hark_lex_hash */
	int32_t e = -1;
	struct tok *t;

	while (i < len) {
		unsigned char c = s[i];
		uint8_t cls = byte_class[c];

		if (cls == C_WORD) {
			bits |= case_bits[c];
			c |= (case_bits[c] & 1) << 5; /* lower */
		} else if (cls == C_HIGH) {
			gunichar u;
			int n = utf8_decode(s + i, len - i, &u);
			char buf[6];
			int blen;

			if (n == 0)
				break;
			if (is_apostrophe(u)) {
				if (i + (size_t)n >= len || byte_class[s[i + n]] != C_WORD ||
				    i == start)
					break;
				u = '\'';
			} else if (!is_word_char(u)) {
				break;
			} else if (g_unichar_isupper(u)) {
				bits |= 5;
				u = g_unichar_tolower(u);
			} else if (g_unichar_islower(u)) {
				bits |= 6;
			} else {
				bits |= 4;
			}
			ascii = false;
			blen = g_unichar_to_utf8(u, buf);
			if (k + (size_t)blen <= KEY_MAX) {
				memcpy(key + k, buf, (size_t)blen);
				k += (size_t)blen;
			} else {
				fits = false;
			}
			i += (size_t)n;
			continue;
		} else if ((cls == C_APOS || cls == C_STOP || cls == C_COMMA) &&
			   i > start && i + 1 < len && byte_class[s[i + 1]] == C_WORD &&
			   (cls != C_COMMA || (g_ascii_isdigit(s[i - 1]) &&
					       g_ascii_isdigit(s[i + 1])))) {
			bits |= 4;
		} else {
			break;
		}
		if (k < KEY_MAX) {
			key[k++] = (char)c;
			h = (h ^ c) * 16777619u;
		} else {
			fits = false;
		}
		i++;
	}
	if (fits)
		e = hark_lex_find(lx->m, key, k, ascii ? h : hark_lex_hash(key, k));
	if (e < 0 && fits && ascii && k >= 4)
		e = lookup_elongated(lx->m, key, k, &elongated);
	if (!(bits & 4)) {
		flags |= SF_NUMBER;
	} else if (k >= 3 && k <= 6 && g_ascii_isdigit(key[0])) {
		/* 3rd, 5th, 12th: an ordinal above second */
		size_t d = 0;

		while (d < k && g_ascii_isdigit(key[d]))
			d++;
		if (k - d == 2 && (!strncmp(key + d, "th", 2) ||
				   !strncmp(key + d, "rd", 2) ||
				   !strncmp(key + d, "st", 2) ||
				   !strncmp(key + d, "nd", 2)) &&
		    !(d == 1 && (key[0] == '1' || key[0] == '2')))
			flags |= SF_ORDINAL;
	}
	if (fits && k > 3 && key[k - 1] == 't' && key[k - 2] == '\'' && key[k - 3] == 'n')
		flags |= SF_NEGATOR;
	if (bits & 3) {
		lx->ts->ncased++;
		if ((bits & 3) == 1 && k > 1) {
			flags |= TF_CAPS;
			lx->ts->ncaps++;
		}
	}
	t = emit(lx, (uint32_t)start, (uint32_t)i, e, flags);
	if (elongated)
		t->extra |= X_ELONGATED;
	/* "9/10", "2/5": a rating */
	if (!(bits & 4) && i + 1 < len && s[i] == '/' && g_ascii_isdigit(s[i + 1]) &&
	    k <= 3) {
		size_t j = i + 1;
		unsigned num = 0, den = 0;

		for (size_t d = 0; d < k; d++)
			num = num * 10 + (unsigned)(key[d] - '0');
		while (j < len && g_ascii_isdigit(s[j]) && j - i <= 3)
			den = den * 10 + (unsigned)(s[j++] - '0');
		if ((den == 5 || den == 10 || den == 100) && num <= den &&
		    (j == len || byte_class[s[j]] != C_WORD)) {
			t->extra |= X_RATING;
			t->own = (float)(((double)num / den - 0.55) * 7.0);
			t->end = (uint32_t)j;
			i = j;
		}
	}
	return i;
}

/* A run of non-word, non-space characters beyond ASCII: emoji, matched
 * longest first against the emoji lexicon (U+FE0F dropped).  Returns the
 * bytes consumed (at least one character). */
static size_t lex_symbols(struct lexer *lx, size_t start)
{
	const unsigned char *s = (const unsigned char *)lx->text;
	char key[KEY_MAX];
	uint32_t ends[KEY_MAX]; /* source offset after each key byte */
	size_t k = 0, i = start;

	while (i < lx->len && k < KEY_MAX && k < lx->m->max_emoji_bytes) {
		gunichar u;
		int n = utf8_decode(s + i, lx->len - i, &u);

		if (n == 0 || u < 0x80 || is_word_char(u) ||
		    g_unichar_isspace(u) || is_apostrophe(u))
			break;
		if (u == 0xfe0f || (u >= 0x1f3fb && u <= 0x1f3ff)) {
			if (k)
				ends[k - 1] = (uint32_t)(i + (size_t)n);
			i += (size_t)n;
			continue;
		}
		if (k + (size_t)n > KEY_MAX)
			break;
		memcpy(key + k, s + i, (size_t)n);
		k += (size_t)n;
		i += (size_t)n;
		ends[k - 1] = (uint32_t)i;
	}
	/* longest prefix that is an emoji, on character boundaries */
	for (size_t p = k; p > 0; p--) {
		int32_t e;

		if (p < k && (key[p] & 0xc0) == 0x80)
			continue;
		e = hark_lex_find(lx->m, key, p, hark_lex_hash(key, p));
		if (e >= 0 && (lx->m->entries[e].flags & SF_EMOJI)) {
			emit(lx, (uint32_t)start, ends[p - 1], e, 0);
			return ends[p - 1] - start;
		}
	}
	/* not an emoji: skip one character; some punctuation ends sentences */
	{
		gunichar u = 0;
		int n = utf8_decode(s + start, lx->len - start, &u);

		if (n == 0)
			return 1;
		if (u == 0x2026 || u == 0x3002 || u == 0xff01 || u == 0xff1f)
			lx->new_sent = true;
		return (size_t)n;
	}
}

/* Emoticons are matched on the whitespace-delimited chunk as written. */
static bool lex_emoticon(struct lexer *lx, size_t start, size_t *next)
{
	const char *s = lx->text;
	size_t end = start;
	bool punct = false;
	int32_t e;
	char key[16];

	while (end < lx->len && end - start < 12) {
		unsigned char c = (unsigned char)s[end];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c >= 0x80)
			break;
		if (emoticon_chars[c])
			punct = true;
		end++;
	}
	if (!punct || end - start > 8 || end - start < 2 ||
	    (end < lx->len && (unsigned char)s[end] < 0x80 &&
	     !g_ascii_isspace(s[end])))
		return false;
	e = hark_lex_find(lx->m, s + start, end - start,
			  hark_lex_hash(s + start, end - start));
	if (e < 0) {
		for (size_t i = 0; i < end - start; i++)
			key[i] = g_ascii_tolower(s[start + i]);
		e = hark_lex_find(lx->m, key, end - start,
				  hark_lex_hash(key, end - start));
	}
	if (e < 0 || !(lx->m->entries[e].flags & SF_EMOTICON))
		return false;
	emit(lx, (uint32_t)start, (uint32_t)end, e, 0);
	*next = end;
	return true;
}

static void tokenize(const struct hark_sentiment_model *m, const char *text,
		     size_t len, struct toks *ts)
{
	const unsigned char *s = (const unsigned char *)text;
	struct lexer lx = {.m = m, .text = text, .len = len, .ts = ts};
	size_t i = 0;
	bool chunk_start = true;

	while (i < len) {
		unsigned char c = s[i];
		uint8_t cls = byte_class[c];

		if (chunk_start && cls != C_SPACE && cls != C_NL) {
			size_t next;

			chunk_start = false;
			/* emoticons start with punctuation or a letter and
			 * punctuation ("D:", "o.O") */
			if (m->emoticon_first[c] &&
			    (cls != C_WORD || (i + 1 < len && byte_class[s[i + 1]] != C_WORD)) &&
			    lex_emoticon(&lx, i, &next)) {
				i = next;
				continue;
			}
		}
		switch (cls) {
		case C_SPACE:
			chunk_start = true;
			i++;
			continue;
		case C_NL:
			chunk_start = true;
			lx.new_sent = true;
			i++;
			continue;
		case C_STOP:
			/* "3.5", "example.com": a dot inside a word */
			if (i > 0 && i + 1 < len && byte_class[s[i - 1]] == C_WORD &&
			    byte_class[s[i + 1]] == C_WORD)
				break;
			lx.new_sent = true;
			i++;
			continue;
		case C_BANG:
			ts->bang++;
			lx.new_sent = true;
			i++;
			continue;
		case C_QUEST:
			ts->quest++;
			lx.new_sent = true;
			i++;
			continue;
		case C_COMMA:
			if (i > 0 && i + 1 < len && g_ascii_isdigit(s[i - 1]) &&
			    g_ascii_isdigit(s[i + 1]))
				break;
			if (ts->n && !lx.new_sent)
				ts->t[ts->n - 1].flags |= TF_COMMA_AFTER;
			i++;
			continue;
		case C_CLAUSE:
			lx.new_clause = true;
			i++;
			continue;
		case C_AT: {
			/* a mention is one neutral token */
			size_t j = i + 1;

			while (j < len && !g_ascii_isspace(s[j]))
				j++;
			emit(&lx, (uint32_t)i, (uint32_t)j, -1, 0);
			ts->signals |= TR_YOUR; /* addressing someone */
			i = j;
			continue;
		}
		case C_WORD:
		case C_APOS:
		case C_HIGH:
			break;
		default:
			i++;
			continue;
		}
		if (cls == C_HIGH) {
			gunichar u;
			int n = utf8_decode(s + i, len - i, &u);

			if (n == 0) { /* invalid byte: a separator */
				i++;
				continue;
			}
			if (g_unichar_isspace(u)) {
				i += (size_t)n;
				chunk_start = true;
				continue;
			}
			if (!is_word_char(u)) {
				i += lex_symbols(&lx, i);
				continue;
			}
		} else if (cls == C_APOS) {
			i++; /* leading apostrophe: a quote */
			continue;
		}
		/* URLs are one neutral token */
		if ((c == 'h' || c == 'w') && len - i > 7 &&
		    (!strncmp(text + i, "http://", 7) ||
		     !strncmp(text + i, "https://", 8) ||
		     !strncmp(text + i, "www.", 4))) {
			size_t j = i;

			while (j < len && !g_ascii_isspace(s[j]))
				j++;
			emit(&lx, (uint32_t)i, (uint32_t)j, -1, 0);
			i = j;
			continue;
		}
		/* a word: letters, digits, inner apostrophes, inner . and , */
		{
			size_t end = lex_word(&lx, i);

			i = end > i ? end : i + 1;
		}
	}
}

/* ---- phrases ---------------------------------------------------------- */

static bool word_ok(const struct tok *t, int32_t w)
{
	if (w >= 0)
		return t->e == w;
	switch (w) {
	case PW_ANY:
		return true;
	case PW_NEG:
		return t->flags & SF_NEGATOR;
	case PW_NUM:
		return t->flags & SF_NUMBER;
	case PW_ORD:
		return t->flags & SF_ORDINAL;
	}
	return false;
}

/* Matches P->w[K..] from token I; returns the token after the match or
 * -1.  Fixed words may follow a comma; gaps never cross one. */
static int32_t match_from(const struct hark_sentiment_model *m,
			  const struct toks *ts, uint32_t i,
			  const struct phrase *p, uint32_t k)
{
	if (k == p->n)
		return (int32_t)i;
	if (p->w[k] == PW_GAP) {
		for (uint32_t g = 0; g <= 3; g++) {
			int32_t r;

			if (g > 0) {
				const struct tok *t = &ts->t[i + g - 1];

				if (i + g - 1 >= ts->n || t->consumed ||
				    (t->flags & (TF_SENT_START | TF_CLAUSE_START)) ||
				    (ts->t[i + g - 2].flags & TF_COMMA_AFTER))
					break;
			}
			r = match_from(m, ts, i + g, p, k + 1);
			if (r >= 0)
				return r;
		}
		return -1;
	}
	if (i >= ts->n)
		return -1;
	if (ts->t[i].flags & TF_SENT_START || ts->t[i].consumed)
		return -1;
	if (p->w[k - 1] == PW_GAP && (ts->t[i - 1].flags & TF_COMMA_AFTER))
		return -1;
	if (!word_ok(&ts->t[i], p->w[k]))
		return -1;
	return match_from(m, ts, i + 1, p, k + 1);
}

/* NEAR holds the entries of the four tokens after I (-2 past the end),
 * so a phrase "<neg> ~ working" is only tried when "working" is there. */
static void try_phrases(const struct hark_sentiment_model *m,
			const struct toks *ts, uint32_t i, uint32_t first,
			uint32_t n, const int32_t near[4], bool gaptail,
			int32_t *best, uint32_t *best_len)
{
	for (uint32_t k = first; k < first + n; k++) {
		const struct phrase *p = &m->phrases[k];
		int32_t end;

		if (p->n <= *best_len && *best >= 0)
			continue;
		if (p->w[1] == PW_GAP) {
			if (!gaptail || (p->w[2] != near[0] && p->w[2] != near[1] &&
					 p->w[2] != near[2] && p->w[2] != near[3]))
				continue;
		} else if (p->w[1] >= 0 && near[0] != p->w[1]) {
			continue;
		}
		end = match_from(m, ts, i + 1, p, 1);
		if (end >= 0 && (uint32_t)end - i > *best_len) {
			*best = (int32_t)k;
			*best_len = (uint32_t)end - i;
		}
	}
}

static void find_phrases(const struct hark_sentiment_model *m, struct toks *ts)
{
	for (uint32_t i = 0; i + 1 < ts->n; i++) {
		struct tok *t = &ts->t[i];
		int32_t best = -1;
		uint32_t best_len = 0;
		bool gaptail;
		int32_t near[4];

		if (t->consumed)
			continue;
		/* cheap filter: a phrase needs a later word within reach */
		if (!(t->flags & (SF_PHRASE | SF_NEGATOR | SF_NUMBER | SF_ORDINAL)))
			continue;
		{
			uint32_t flags = 0;

			for (uint32_t k = 0; k < 4; k++) {
				near[k] = i + 1 + k < ts->n ? ts->t[i + 1 + k].e : -2;
				if (i + 1 + k < ts->n)
					flags |= ts->t[i + 1 + k].flags;
			}
			if (!(flags & (SF_TAIL | SF_NUMBER)))
				continue;
			gaptail = flags & SF_GAPTAIL;
		}
		if (t->e >= 0 && (t->flags & SF_PHRASE)) {
			const struct lex_entry *e = &m->entries[t->e];

			try_phrases(m, ts, i, e->phrase_first, e->phrase_n,
				    near, gaptail, &best, &best_len);
		}
		if (t->flags & SF_NEGATOR) {
			try_phrases(m, ts, i, m->neg_first, m->neg_n, near, gaptail,
				    &best, &best_len);
			for (uint32_t k = 0; k < 4 && gaptail; k++) {
				const struct lex_entry *w;

				if (near[k] < 0)
					continue;
				w = &m->entries[near[k]];
				if (w->neggap_n)
					try_phrases(m, ts, i, w->neggap_first, w->neggap_n,
						    near, gaptail, &best, &best_len);
			}
		}
		if (t->flags & SF_NUMBER)
			try_phrases(m, ts, i, m->num_first, m->num_n, near, gaptail,
				    &best, &best_len);
		if (t->flags & SF_ORDINAL)
			try_phrases(m, ts, i, m->ord_first, m->ord_n, near, gaptail,
				    &best, &best_len);
		if (best < 0)
			continue;
		t->phrase = best;
		t->plen = (uint8_t)best_len;
		ts->any_phrase |= 1u << m->phrases[best].kind;
		t->end = ts->t[i + best_len - 1].end;
		for (uint32_t j = i + 1; j < i + best_len; j++)
			ts->t[j].consumed = 1;
	}
}

/* ---- valence ---------------------------------------------------------- */

static float signf(float v)
{
	return v < 0 ? -1.0f : 1.0f;
}

/* The token after I in the same sentence, or NULL. */
static const struct tok *next_in_sentence(const struct toks *ts, uint32_t i)
{
	if (i + 1 >= ts->n || (ts->t[i + 1].flags & TF_SENT_START))
		return NULL;
	return &ts->t[i + 1];
}

/* "too" before a plain word ("too loud") rather than before a valence
 * word, a function word or a number. */
static bool too_excess(const struct hark_sentiment_model *m, const struct tok *nx)
{
	const uint32_t function = SF_SUBJECT | SF_TARGETPRON | SF_NEGATOR |
				  SF_NUMBER | SF_BUT | SF_THOUGH | SF_NEUTRAL;

	if (!nx || nx->consumed || nx->plen)
		return false;
	if (nx->e < 0)
		return !(nx->flags & SF_NUMBER);
	if (m->entries[nx->e].valence > 0 && !(nx->flags & (SF_PRAISE | SF_NEUTRAL)))
		return true; /* "too strong", "too sweet" */
	if (m->entries[nx->e].valence != 0 || (nx->flags & function))
		return false;
	return nx->e != m->id.the && nx->e != m->id.a && nx->e != m->id.an &&
	       nx->e != m->id.and && nx->e != m->id.for_ && nx->e != m->id.to;
}

/* Does a lexicon valence word follow I within N tokens of its clause? */
static bool next_valence_within(const struct hark_sentiment_model *m,
				const struct toks *ts, uint32_t i, uint32_t n)
{
	for (uint32_t k = i + 1; k < ts->n && k <= i + n; k++) {
		const struct tok *t = &ts->t[k];

		if ((t->flags & TF_CLAUSE_START) || (ts->t[k - 1].flags & TF_COMMA_AFTER))
			return false;
		if (t->plen || (t->e >= 0 && m->entries[t->e].valence != 0 &&
				!(t->flags & SF_NEUTRAL)))
			return true;
	}
	return false;
}

/* A word's own valence, before the context rules. */
static float word_valence(const struct hark_sentiment_model *m,
			  const struct toks *ts, uint32_t i, uint8_t *src)
{
	const struct tok *t = &ts->t[i];
	const struct lex_entry *e;
	const struct tok *nx;
	uint32_t f = t->flags;

	if (t->phrase >= 0) {
		const struct phrase *p = &m->phrases[t->phrase];

		switch (p->kind) {
		case PK_LEXICON:
			*src = SRC_LEXICON;
			return p->valence;
		case PK_IDIOM:
			*src = SRC_IDIOM;
			return p->valence;
		case PK_COMPLAINT:
			*src = SRC_COMPLAINT;
			return p->valence;
		case PK_SARCASM:
			*src = SRC_SARCASM;
			return p->valence;
		case PK_COMPETITOR:
			*src = SRC_COMPETITOR;
			return p->valence;
		case PK_SILENT:
		case PK_DURATION: /* decided by apply_context */
			return 0;
		case PK_SARCASM_IF_NEG:
			/* sincere until proven otherwise: the first word's own
			 * valence, or the phrase's praise ("exactly what I
			 * needed") when the first word has none */
			if (t->e < 0 || m->entries[t->e].valence == 0) {
				*src = SRC_IDIOM;
				/* mild ones ("of course") mean nothing sincere */
				return p->valence > -1.0f ? 0 : -p->valence;
			}
			break;
		}
	}
	if (t->extra & X_RATING) {
		*src = SRC_IDIOM;
		return t->own;
	}
	if (t->e < 0)
		return 0;
	e = &m->entries[t->e];
	nx = next_in_sentence(ts, i);
	if (t->e == m->id.no && !(nx && !(t->flags & TF_COMMA_AFTER) &&
				  (nx->e < 0 || m->entries[nx->e].valence != 0 ||
				   nx->plen || (nx->flags & (SF_BOOST | SF_NEUTRAL)) ||
				   next_valence_within(m, ts, i, 3)))) {
		*src = SRC_LEXICON;
		return -1.0f; /* "no fix", "No." */
	}
	if (f & SF_TOO) {
		/* "too loud", "too small": excess is a complaint, unless the
		 * next word has a valence to boost ("too good") */
		if (too_excess(m, nx)) {
			*src = SRC_LEXICON;
			return -1.0f;
		}
		return 0;
	}
	if (e->valence == 0 || (f & SF_NEUTRAL))
		return 0;
	if ((f & SF_KINDSORT) && nx && nx->e == m->id.of)
		return 0;
	if ((f & SF_DUAL) && nx && nx->e >= 0 && !nx->consumed &&
	    m->entries[nx->e].valence != 0 &&
	    !(m->entries[nx->e].flags & (SF_NEUTRAL | SF_BOOST)))
		return 0;
	if (i > 0 && (ts->t[i - 1].flags & SF_TOO) && !(f & TF_SENT_START) &&
	    e->valence > 0 && !(f & (SF_PRAISE | SF_NEUTRAL)))
		return 0; /* counted on "too" */
	if (f & SF_LIKE) {
		/* "like" is praise as a verb: after a subject or negator, or
		 * opening a sentence; "looks like" is not */
		const struct tok *pv = i ? &ts->t[i - 1] : NULL;

		if ((f & TF_COMMA_AFTER) || (!(f & TF_SENT_START) &&
		    !(pv && (pv->flags & (SF_SUBJECT | SF_NEGATOR)))))
			return 0;
	}
	if (f & SF_EMOJI)
		*src = SRC_EMOJI;
	else if (f & SF_EMOTICON)
		*src = SRC_EMOTICON;
	else if ((f & SF_COMPLAINT) && e->valence < 0)
		*src = SRC_COMPLAINT;
	else
		*src = SRC_LEXICON;
	return e->valence;
}

static void score_token(const struct hark_sentiment_model *m,
			struct toks *ts, uint32_t i, bool cap_diff)
{
	struct tok *t = &ts->t[i];
	uint8_t src = SRC_LEXICON, mods = 0;
	float v = word_valence(m, ts, i, &src);

	t->v = 0;
	/* "no refund": a wanted thing that is missing is a complaint, not a
	 * negated one */
	if (t->trend & TR_WANTED) {
		for (uint32_t j = 1; j <= 3 && j <= i; j++) {
			const struct tok *n = &ts->t[i - j];

			if ((ts->t[i - j + 1].flags & TF_CLAUSE_START) || n->consumed || n->plen)
				break;
			if (n->flags & SF_NEGATOR) {
				t->v = -1.5f;
				t->src = SRC_COMPLAINT;
				t->mods = 0;
				return;
			}
		}
	}
	if (v == 0)
		return;
	if (t->flags & (SF_EMOJI | SF_EMOTICON)) {
		/* a face means what it shows: no negation or boosting */
		t->v = v;
		t->src = src;
		t->mods = 0;
		return;
	}
	if (cap_diff && (t->flags & TF_CAPS)) {
		v += signf(v) * C_INCR;
		mods |= MOD_CAPS;
	}
	if (t->extra & X_ELONGATED) { /* "goooood" */
		v += signf(v) * 0.293f;
		mods |= MOD_BOOSTED;
	}
	/* boosters and dampeners in the three words before */
	for (uint32_t j = 1; j <= BOOST_WINDOW && j <= i; j++) {
		const struct tok *b = &ts->t[i - j];
		float scalar = 0;

		if (ts->t[i - j + 1].flags & TF_SENT_START)
			break;
		if (b->consumed || b->plen)
			continue;
		if (b->e >= 0 && (b->flags & SF_BOOST) && b->v == 0 &&
		    !((b->flags & SF_DUAL) && j > 1))
			scalar = m->entries[b->e].boost;
		else if (b->e == m->id.of && i - j > 0 &&
			 (ts->t[i - j - 1].flags & SF_KINDSORT))
			scalar = -0.293f;
		if (scalar == 0)
			continue;
		if (v < 0)
			scalar = -scalar;
		if (cap_diff && (b->flags & TF_CAPS))
			scalar += signf(scalar) * C_INCR;
		scalar *= j == 1 ? 1.0f : j == 2 ? 0.95f : 0.9f;
		mods |= (scalar > 0) == (v > 0) ? MOD_BOOSTED : MOD_DAMPENED;
		v += scalar;
	}
	/* negation: up to four words back within the clause, not past "and"
	 * or "or", and not into a phrase that holds its own negator */
	for (uint32_t j = 1; j <= NEG_WINDOW && j <= i; j++) {
		const struct tok *n = &ts->t[i - j];

		if (t->plen && (t->flags & SF_NEGATOR))
			break;
		if (ts->t[i - j + 1].flags & TF_CLAUSE_START)
			break;
		if (n->flags & TF_COMMA_AFTER)
			break;
		if (n->e == m->id.and || n->e == m->id.or || n->e == m->id.then)
			break;
		if (n->consumed || n->plen)
			continue;
		if (n->flags & SF_NEGATOR) {
			/* "not amazing" is mild disappointment, not "awful" */
			v = v > 0 ? MAX(v * N_SCALAR, NEG_POS_FLOOR) : v * N_SCALAR;
			mods ^= MOD_NEGATED;
		} else if ((n->flags & SF_LEAST) &&
			   !(i - j > 0 && (ts->t[i - j - 1].e == m->id.at ||
					   ts->t[i - j - 1].e == m->id.very))) {
			v *= N_SCALAR;
			mods ^= MOD_NEGATED;
		}
	}
	t->v = v;
	t->src = src;
	t->mods = mods;
}

/* ---- context rules ---------------------------------------------------- */

static bool is_bad(const struct tok *t)
{
	return t->v < 0;
}

/* Net valence of tokens [from, to). */
static float net(const struct toks *ts, uint32_t from, uint32_t to)
{
	float s = 0;

	/* capped: long texts must stay linear */
	for (uint32_t k = from; k < to && k < ts->n && k < from + 64; k++)
		s += ts->t[k].v;
	return s;
}

static uint32_t sentence_end(const struct toks *ts, uint32_t i)
{
	uint32_t k = i + 1;

	while (k < ts->n && !(ts->t[k].flags & TF_SENT_START))
		k++;
	return k;
}

static uint32_t sentence_begin(const struct toks *ts, uint32_t i)
{
	while (i > 0 && !(ts->t[i].flags & TF_SENT_START))
		i--;
	return i;
}

/* "unemployment fell", "a rise in visitors", "growth slowed": a direction
 * word and the thing it moves, within six tokens in the clause, make good
 * or bad news whatever their own valences say. */
static void apply_trends(struct toks *ts)
{
	for (uint32_t i = 0; i < ts->n; i++) {
		struct tok *t = &ts->t[i];
		uint32_t lo = i > 6 ? i - 6 : 0, hi = MIN(i + 6, ts->n - 1);
		int32_t best = -1;
		uint32_t dist = UINT32_MAX;

		if (!(t->trend & (TR_UP | TR_DOWN)) || t->consumed || t->plen)
			continue;
		for (uint32_t k = lo; k <= hi; k++) {
			const struct tok *n = &ts->t[k];
			uint32_t d = k > i ? k - i : i - k;

			if (k == i || !(n->trend & (TR_BAD | TR_GOOD)) ||
			    n->clause != t->clause || n->consumed)
				continue;
			if (d < dist) {
				dist = d;
				best = (int32_t)k;
			}
		}
		if (best < 0)
			continue;
		{
			struct tok *n = &ts->t[best];
			bool good = (t->trend & TR_UP) ? (n->trend & TR_GOOD) : (n->trend & TR_BAD);

			t->v = good ? 1.5f : -1.5f;
			t->src = SRC_TREND;
			t->mods = 0;
			n->v = 0;
			/* other direction words and things of the clause are
			 * part of the same news */
			for (uint32_t k = i + 1; k < ts->n && ts->t[k].clause == t->clause; k++) {
				if (ts->t[k].trend & (TR_UP | TR_DOWN))
					ts->t[k].v = 0, ts->t[k].trend = 0;
				if (ts->t[k].trend & (TR_BAD | TR_GOOD))
					ts->t[k].v = 0;
			}
			n->trend = 0;
		}
	}
}

/* Questions that ask for something ("Can anyone recommend a good
 * plumber?") are not praise: their positive valences count a third. */
static void dampen_questions(struct toks *ts)
{
	for (uint32_t b = 0; b < ts->n;) {
		uint32_t e = sentence_end(ts, b);
		uint32_t q_after = e < ts->n ? ts->t[e].quest : ts->quest;
		const struct tok *first = &ts->t[b];

		/* "Hi, what's the best way ...?" */
		if ((first->flags & SF_POLITE) && first->v == 0 && b + 1 < e)
			first++;
		if (q_after > ts->t[e - 1].quest && (first->trend & TR_ASKS)) {
			for (uint32_t k = b; k < e; k++) {
				if (ts->t[k].v > 0 && ts->t[k].src != SRC_EMOJI &&
				    ts->t[k].src != SRC_EMOTICON)
					ts->t[k].v *= 0.3f;
			}
		}
		b = e;
	}
}

static void apply_context(const struct hark_sentiment_model *m,
			  struct toks *ts, bool spans)
{
	bool complaint = false, resolved = false, bad_before;
	float pos = 0, neg = 0;

	if ((ts->any_trend & (TR_UP | TR_DOWN)) && (ts->any_trend & (TR_BAD | TR_GOOD)))
		apply_trends(ts);
	if (ts->quest)
		dampen_questions(ts);
	/* "fixed the crash": a problem someone fixed is no complaint */
	for (uint32_t i = 0; (ts->any_trend & TR_FIXES) && i < ts->n; i++) {
		const struct tok *t = &ts->t[i];

		if (!(t->trend & TR_FIXES) || t->consumed || (t->mods & MOD_NEGATED))
			continue;
		for (uint32_t k = i + 1; k < ts->n && k <= i + 3; k++) {
			if (ts->t[k].clause != t->clause)
				break;
			if (ts->t[k].v < 0)
				ts->t[k].v = 0;
		}
	}

	for (uint32_t i = 0; (ts->any_flags & SF_POLITE) && i < ts->n; i++) {
		const struct tok *t = &ts->t[i];

		/* a complaint: hark's complaint words and phrases, sarcasm,
		 * competitors; plain negative words count through the net */
		if (t->v < 0 && (t->src == SRC_COMPLAINT || t->src == SRC_SARCASM ||
				 t->src == SRC_COMPETITOR))
			complaint = true;
		if ((t->trend & TR_RESOLVED) && t->v >= 0 && !(t->mods & MOD_NEGATED))
			resolved = true;
		if (t->flags & SF_POLITE && !t->plen)
			continue;
		if (t->v > 0)
			pos += t->v;
		else
			neg += t->v;
	}

	/* politeness and "still"/"again" in bad news */
	for (uint32_t b = 0; ((ts->any_flags & (SF_POLITE | SF_CONTEXT)) ||
			      (ts->any_phrase & (1u << PK_DURATION))) && b < ts->n;) {
		uint32_t e = sentence_end(ts, b);
		bool bad = false;

		bool waits = false;

		for (uint32_t k = b; k < e; k++) {
			if (is_bad(&ts->t[k]))
				bad = true;
			if (ts->t[k].trend & TR_STUCK)
				waits = true;
		}
		for (uint32_t k = b; k < e; k++) {
			struct tok *t = &ts->t[k];

			/* "for five days" is a wait when something is stuck */
			if (t->phrase >= 0 && m->phrases[t->phrase].kind == PK_DURATION &&
			    (bad || waits)) {
				t->v = m->phrases[t->phrase].valence;
				t->src = SRC_COMPLAINT;
				t->mods = 0;
			}

			if ((t->flags & SF_POLITE) && !t->plen && t->v > 0 &&
			    (complaint || pos + neg < 0) && !resolved)
				t->v = 0;
			if ((t->flags & SF_CONTEXT) && !t->consumed && !t->plen &&
			    t->v == 0 && bad) {
				t->v = -0.8f;
				t->src = SRC_COMPLAINT;
				t->mods = 0;
			}
		}
		b = e;
	}

	bad_before = false;
	if (!(ts->any_flags & (SF_INTERJ | SF_COMPARATIVE)) &&
	    !(ts->any_phrase & (1u << PK_SARCASM_IF_NEG)))
		return;
	for (uint32_t i = 0; i < ts->n; i++) {
		struct tok *t = &ts->t[i];

		/* "thanks a lot", "love how" after or before bad news */
		if (i > 0 && is_bad(&ts->t[i - 1]))
			bad_before = true;
		if (t->phrase >= 0 && m->phrases[t->phrase].kind == PK_SARCASM_IF_NEG) {
			if (bad_before || net(ts, i + t->plen, sentence_end(ts, i)) < 0) {
				t->v = m->phrases[t->phrase].valence;
				t->src = SRC_SARCASM;
				t->mods = 0;
			}
			continue;
		}
		/* "Great, another update that ..." */
		if ((t->flags & SF_INTERJ) && !t->plen && !t->consumed && t->v > 0) {
			uint32_t b = sentence_begin(ts, i);
			bool lead = true;
			const struct tok *nx = next_in_sentence(ts, i);
			float rest;

			if (i - b > 3)
				continue;
			for (uint32_t k = b; k < i; k++) {
				int32_t e = ts->t[k].e;

				if (e != m->id.oh && e != m->id.just && e != m->id.well &&
				    e != m->id.wow && e != m->id.so)
					lead = false;
			}
			if (!lead)
				continue;
			if (nx && (nx->e == m->id.another || nx->e == m->id.yet ||
				   nx->e == m->id.now || nx->e == m->id.more)) {
				rest = -1;
			} else if (nx) {
				if (!(t->flags & TF_COMMA_AFTER))
					continue;
				rest = net(ts, i + 1, sentence_end(ts, i));
			} else {
				/* "Wonderful." alone: after or before bad news */
				uint32_t e = sentence_end(ts, i);

				rest = e < ts->n ? net(ts, e, sentence_end(ts, e)) : 0;
				if (e < ts->n && (ts->t[e].e == m->id.another ||
						  ts->t[e].e == m->id.yet))
					rest = -1;
				if (b > 0) {
					uint32_t pb = sentence_begin(ts, b - 1);

					if (b - pb <= 64 && net(ts, pb, b) < 0)
						rest = -1;
				}
			}
			if (rest < 0) {
				t->v = -t->v * 0.74f;
				t->src = SRC_SARCASM;
				t->mods = 0;
			}
			continue;
		}
		/* "X is way better than this": praise for a competitor */
		if ((t->flags & SF_COMPARATIVE) && t->v != 0 && !t->plen) {
			for (uint32_t k = i + 1; k <= i + 3 && k < ts->n; k++) {
				const struct tok *th = &ts->t[k];

				if (th->flags & TF_CLAUSE_START)
					break;
				if (th->e != m->id.than)
					continue;
				if (spans) {
					bool before = false, after = false;

					for (uint32_t q = i > 32 ? i - 32 : 0; q < i; q++)
						if ((ts->t[q].flags & TF_SPAN) &&
						    ts->t[q].clause == t->clause)
							before = true;
					for (uint32_t q = k + 1; q < ts->n && q < k + 32 &&
					     !(ts->t[q].flags & TF_CLAUSE_START); q++)
						if (ts->t[q].flags & TF_SPAN)
							after = true;
					if (after && !before) {
						t->v = -t->v;
						t->mods |= MOD_COMPARED;
					}
				} else if (t->v > 0 && k + 1 < ts->n &&
					   (ts->t[k + 1].flags & SF_TARGETPRON) &&
					   !(ts->t[k + 1].flags & TF_CLAUSE_START)) {
					t->v = -t->v * 0.74f;
					t->src = SRC_COMPETITOR;
					t->mods |= MOD_COMPARED;
				}
				break;
			}
		}
	}
}

/* A complaint that names no feeling ("@insureco 6 weeks and my claim is
 * still under review"): when a text without praise shows two or more
 * kinds of complaint signal - addressed to the company, a customer thing
 * (order, bill), company staff or systems, money, persistence (still,
 * again), a duration, a negator - one of them carries -1.0 (two kinds),
 * -1.5 (three) or -2.0 (more).  Plain questions are left alone. */
static void apply_frame(const struct hark_sentiment_model *m, struct toks *ts)
{
	enum { K_ADDR = 1, K_CUST = 2, K_COMP = 4, K_MONEY = 8, K_PERSIST = 16,
	       K_TIME = 32, K_NEG = 64 };
	unsigned kinds = 0, n = 0;
	float pos = 0;
	int32_t holder = -1;
	bool plain_questions = true;

	/* cheap bound first: most texts show fewer than two kinds */
	for (uint32_t k = ts->signals; k; k &= k - 1)
		n++;
	if (n < 2)
		return;
	n = 0;

	for (uint32_t i = 0; i < ts->n; i++) {
		const struct tok *t = &ts->t[i];
		uint32_t tr = t->trend;

		if (t->v > 0 && !(t->flags & SF_POLITE))
			pos += t->v;
		/* a sentence that is not a plain question */
		if (t->flags & TF_SENT_START) {
			uint32_t e = sentence_end(ts, i);
			uint32_t q_after = e < ts->n ? ts->t[e].quest : ts->quest;

			if (!(q_after > ts->t[e - 1].quest && (t->trend & TR_ASKS)))
				plain_questions = false;
		}
		if (t->consumed || (t->phrase >= 0 && m->phrases[t->phrase].kind == PK_SILENT))
			continue; /* "do not reply": no signal */
		if (t->e < 0 && ts->text[t->start] == '@')
			kinds |= K_ADDR; /* a mention */
		if (tr & TR_YOUR) {
			for (uint32_t k = i + 1; k < ts->n && k <= i + 2; k++)
				if (ts->t[k].trend & (TR_CUSTOMER | TR_COMPANY))
					kinds |= K_ADDR;
		}
		if (tr & TR_CUSTOMER)
			kinds |= K_CUST;
		if (tr & TR_COMPANY)
			kinds |= K_COMP;
		if (tr & TR_MONEY)
			kinds |= K_MONEY;
		if (tr & TR_PERSIST)
			kinds |= K_PERSIST;
		if ((tr & TR_TIME) && i > 0 &&
		    ((ts->t[i - 1].flags & SF_NUMBER) || ts->t[i - 1].e == m->id.a ||
		     ts->t[i - 1].e == m->id.an || ts->t[i - 1].e == m->id.for_))
			kinds |= K_TIME;
		if (t->flags & SF_NEGATOR)
			kinds |= K_NEG;
		if (holder < 0 && t->v == 0 && !t->consumed &&
		    (tr & (TR_CUSTOMER | TR_COMPANY | TR_MONEY | TR_PERSIST | TR_TIME)))
			holder = (int32_t)i;
	}
	if (plain_questions && !(kinds & K_NEG))
		return;
	for (unsigned k = kinds; k; k &= k - 1)
		n++;
	if (n < 2 || pos >= 1.0f || holder < 0)
		return;
	ts->t[holder].v = n == 2 ? -1.0f : n == 3 ? -1.5f : -2.0f;
	ts->t[holder].src = SRC_FRAME;
	ts->t[holder].mods = 0;
}

/* Contrast: "but"/"however" halve the valence before them in the sentence
 * (or the previous sentence when they open one) and raise what follows by
 * half; "although X, Y" halves X and raises Y; "X, though Y" halves Y. */
static void apply_contrast(struct toks *ts)
{
	for (uint32_t b = 0; b < ts->n;) {
		uint32_t e = sentence_end(ts, b), c;

		for (c = b; c < e; c++)
			if ((ts->t[c].flags & (SF_BUT | SF_THOUGH)) && !ts->t[c].consumed &&
			    !ts->t[c].plen)
				break;
		if (c < e) {
			struct tok *ct = &ts->t[c];
			uint32_t lo_from, lo_to, hi_from, hi_to;

			if (ct->flags & SF_BUT) {
				if (c == b && b > 0) {
					lo_from = sentence_begin(ts, b - 1);
					lo_to = b;
				} else {
					lo_from = b;
					lo_to = c;
				}
				hi_from = c + 1;
				hi_to = e;
			} else if (c == b) {
				/* although X, Y */
				uint32_t k = c;

				while (k < e && !(ts->t[k].flags & TF_COMMA_AFTER))
					k++;
				lo_from = c + 1;
				lo_to = k < e ? k + 1 : e;
				hi_from = lo_to;
				hi_to = e;
			} else {
				lo_from = c + 1;
				lo_to = e;
				hi_from = hi_to = e;
			}
			for (uint32_t k = lo_from; k < lo_to; k++) {
				if (ts->t[k].v != 0) {
					ts->t[k].v *= 0.5f;
					ts->t[k].mods |= MOD_BUT;
				}
			}
			for (uint32_t k = hi_from; k < hi_to; k++) {
				if (ts->t[k].v != 0) {
					ts->t[k].v *= 1.5f;
					ts->t[k].mods |= MOD_BUT;
				}
			}
		}
		b = e;
	}
}

/* ---- spans ------------------------------------------------------------ */

/* Marks the tokens in scope: the clauses holding a span, widened to the
 * neighbouring sentences when those clauses carry no sentiment. */
static void select_scope(struct toks *ts)
{
	bool any_cue = false;
	uint8_t *near;
	uint32_t nsent;

	for (uint32_t b = 0; b < ts->n;) {
		uint32_t e = b;
		bool hit = false;

		while (e < ts->n && ts->t[e].clause == ts->t[b].clause) {
			if (ts->t[e].flags & TF_SPAN)
				hit = true;
			e++;
		}
		for (uint32_t k = b; hit && k < e; k++) {
			ts->t[k].flags |= TF_SCOPE;
			if (ts->t[k].v != 0)
				any_cue = true;
		}
		b = e;
	}
	if (any_cue || ts->n == 0)
		return;
	nsent = ts->t[ts->n - 1].sent + 1;
	near = g_new0(uint8_t, nsent + 2);
	for (uint32_t i = 0; i < ts->n; i++)
		if (ts->t[i].flags & TF_SPAN)
			near[ts->t[i].sent] = near[ts->t[i].sent + 1] =
				near[ts->t[i].sent + 2] = 1;
	/* near[s + 1] is set when sentence s, s - 1 or s + 1 holds a span */
	for (uint32_t i = 0; i < ts->n; i++)
		if (near[ts->t[i].sent + 1])
			ts->t[i].flags |= TF_SCOPE;
	g_free(near);
}

/* ---- totals ----------------------------------------------------------- */

static int cue_cmp(gconstpointer a, gconstpointer b)
{
	const struct hark_sentiment_cue *x = a, *y = b;
	double fx = fabs(x->valence), fy = fabs(y->valence);

	return fx < fy ? 1 : fx > fy ? -1 : 0;
}

static void add_cue(struct hark_sentiment *out, const char *s, size_t n,
		    double valence, const char *why)
{
	struct hark_sentiment_cue cue;
	char *raw = g_strndup(s, n);

	cue.token = g_utf8_make_valid(raw, -1);
	g_free(raw);
	cue.valence = valence;
	cue.why = why;
	g_array_append_val(out->cues, cue);
}

static void cue_clear(gpointer p)
{
	g_free(((struct hark_sentiment_cue *)p)->token);
}

static void total(const struct hark_sentiment_model *m, const char *text,
		  struct toks *ts, bool scoped, bool want_cues,
		  struct hark_sentiment *out)
{
	double sum = 0, pos = 0, neg = 0, neu = 0, amp = 0;
	uint32_t bang = 0, quest = 0, counted = 0;

	if (want_cues) {
		out->cues = g_array_new(FALSE, FALSE, sizeof(struct hark_sentiment_cue));
		g_array_set_clear_func(out->cues, cue_clear);
	}
	for (uint32_t i = 0; i < ts->n; i++) {
		const struct tok *t = &ts->t[i];
		double v = t->v;

		if (scoped && !(t->flags & TF_SCOPE))
			continue;
		if (scoped) {
			/* '!' and '?' between this token and the next */
			uint32_t nb = i + 1 < ts->n ? ts->t[i + 1].bang : ts->bang;
			uint32_t nq = i + 1 < ts->n ? ts->t[i + 1].quest : ts->quest;

			bang += nb - t->bang;
			quest += nq - t->quest;
		}
		if (t->consumed)
			continue;
		counted++;
		sum += v;
		if (v > 0)
			pos += v + 1;
		else if (v < 0)
			neg += v - 1;
		else
			neu += 1;
		if (want_cues && v != 0)
			add_cue(out, text + t->start, t->end - t->start, v,
				m->why[t->src | t->mods << 4]);
	}
	if (!scoped) {
		bang = ts->bang;
		quest = ts->quest;
	}
	amp = MIN(bang, 4u) * 0.292;
	if (quest > 1)
		amp += quest <= 3 ? quest * 0.18 : 0.96;
	if (sum == 0)
		amp = 0;
	if (amp > 0) {
		if (sum > 0)
			sum += amp;
		else
			sum -= amp;
		if (pos > -neg)
			pos += amp;
		else
			neg -= amp;
		if (want_cues) {
			char marks[8];
			size_t n = 0;

			for (uint32_t k = 0; k < MIN(bang, 4u); k++)
				marks[n++] = '!';
			for (uint32_t k = 0; quest > 1 && k < MIN(quest, 3u); k++)
				marks[n++] = '?';
			add_cue(out, marks, n, sum > 0 ? amp : -amp,
				m->why[SRC_PUNCT]);
		}
	}
	out->compound = sum / sqrt(sum * sum + ALPHA);
	if (out->compound > 1)
		out->compound = 1;
	else if (out->compound < -1)
		out->compound = -1;
	if (counted && pos - neg + neu > 0) {
		double all = pos - neg + neu;

		out->pos = pos / all;
		out->neg = -neg / all;
		out->neu = neu / all;
	} else {
		out->pos = out->neg = out->neu = 0;
	}
	if (want_cues)
		g_array_sort(out->cues, cue_cmp);
}

static void score(const struct hark_sentiment_model *m, const char *text,
		  size_t len, const size_t (*spans)[2], size_t nspans,
		  bool want_cues, struct hark_sentiment *out)
{
	struct toks ts;
	bool cap_diff, scoped = nspans > 0;

	memset(out, 0, sizeof(*out));
	ts.text = text;
	ts.t = ts.stack;
	ts.n = 0;
	ts.cap = TOK_STACK;
	ts.bang = ts.quest = ts.ncaps = ts.ncased = ts.signals = 0;
	ts.any_flags = ts.any_trend = ts.any_phrase = 0;
	/* offsets are 32-bit: score at most 4 GiB (callers cap far lower) */
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	tokenize(m, text, len, &ts);
	find_phrases(m, &ts);
	cap_diff = ts.ncaps > 0 && ts.ncaps < ts.ncased;
	for (uint32_t i = 0; i < ts.n; i++) {
		if (!ts.t[i].consumed)
			score_token(m, &ts, i, cap_diff);
		else
			ts.t[i].v = 0;
	}
	if (scoped)
		for (uint32_t i = 0; i < ts.n; i++)
			for (size_t s = 0; s < nspans; s++)
				if (spans[s][0] < ts.t[i].end && spans[s][1] > ts.t[i].start)
					ts.t[i].flags |= TF_SPAN;
	apply_context(m, &ts, scoped);
	apply_frame(m, &ts);
	if (scoped) {
		select_scope(&ts);
		/* no span fell on a token: score the whole text */
		scoped = false;
		for (uint32_t i = 0; i < ts.n; i++)
			if (ts.t[i].flags & TF_SCOPE)
				scoped = true;
	}
	if (!scoped && (ts.any_flags & (SF_BUT | SF_THOUGH)))
		apply_contrast(&ts);
	total(m, text, &ts, scoped, want_cues, out);
	if (ts.t != ts.stack)
		g_free(ts.t);
}

void hark_sentiment_score(const struct hark_sentiment_model *model,
			  const char *text, size_t len, bool want_cues,
			  struct hark_sentiment *out)
{
	score(model, text, len, NULL, 0, want_cues, out);
}

void hark_sentiment_score_spans(const struct hark_sentiment_model *model,
				const char *text, size_t len,
				const size_t (*spans)[2], size_t nspans,
				bool want_cues, struct hark_sentiment *out)
{
	score(model, text, len, spans, nspans, want_cues, out);
}

void hark_sentiment_clear(struct hark_sentiment *out)
{
	if (out->cues) {
		g_array_free(out->cues, TRUE);
		out->cues = NULL;
	}
}
