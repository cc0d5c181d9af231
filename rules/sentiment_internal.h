/* sentiment_internal.h - the sentiment model shared by sentiment_model.c
 * (building it) and sentiment_score.c (using it).  Not a public API.
 */
#ifndef HARK_SENTIMENT_INTERNAL_H
#define HARK_SENTIMENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Generated from rules/lexicon/ by hark_lexgen at build time. */
struct hark_lex_word {
	const char *token;
	float valence;
};
struct hark_lex_emoji {
	const char *emoji;
	const char *description;
};
extern const struct hark_lex_word hark_lex_words[];
extern const size_t hark_lex_words_len;
extern const struct hark_lex_emoji hark_lex_emoji[];
extern const size_t hark_lex_emoji_len;

/* What a word does besides (or instead of) carrying a valence. */
enum {
	SF_BOOST = 1u << 0,       /* intensifier/dampener: see entry.boost */
	SF_DUAL = 1u << 1,        /* valence word that boosts a valence word
				     right after it ("pretty bad") */
	SF_NEGATOR = 1u << 2,
	SF_BUT = 1u << 3,         /* contrast: before x0.5, after x1.5 */
	SF_THOUGH = 1u << 4,      /* concession: its clause x0.5 */
	SF_NEUTRAL = 1u << 5,     /* support vocabulary: never scores */
	SF_POLITE = 1u << 6,      /* thanks, ok: silent in a complaint */
	SF_INTERJ = 1u << 7,      /* "great," that may be sarcastic */
	SF_CONTEXT = 1u << 8,     /* still, again: complaint in bad news */
	SF_COMPARATIVE = 1u << 9, /* better, worse */
	SF_LIKE = 1u << 10,       /* "like": positive only as a verb */
	SF_ORDINAL = 1u << 11,    /* third, 5th: "Nth time" */
	SF_NUMBER = 1u << 12,     /* four, 45 */
	SF_EMOJI = 1u << 13,
	SF_KINDSORT = 1u << 14,   /* "kind"/"sort" of */
	SF_LEAST = 1u << 15,
	SF_COMPLAINT = 1u << 16,  /* complaint vocabulary (refund, crashed) */
	SF_SUBJECT = 1u << 17,    /* i, we, really: makes "like" a verb */
	SF_TARGETPRON = 1u << 18, /* this, it, yours: "better than this" */
	SF_EMOTICON = 1u << 19,
	SF_PHRASE = 1u << 20,     /* some phrase starts with this word */
	SF_TOO = 1u << 21,        /* "too": excess is a complaint ("too loud") */
	SF_TAIL = 1u << 22,       /* a phrase has this word after its first */
	SF_GAPTAIL = 1u << 23,    /* a phrase has this word right after a gap */
	/* bits 24-30 are the scorer's token flags (TF_*) */
};
#define SF_PRAISE (1u << 31)      /* "too good" is still good */

/* Phrase word classes (negative word ids). */
enum {
	PW_ANY = -1,   /* exactly one token */
	PW_NEG = -2,   /* a negator */
	PW_NUM = -3,   /* a number */
	PW_ORD = -4,   /* an ordinal above "second" */
	PW_GAP = -5,   /* zero to three tokens */
};

enum phrase_kind {
	PK_LEXICON,    /* multi-word lexicon entry ("fed up") */
	PK_IDIOM,
	PK_COMPLAINT,
	PK_SARCASM,
	PK_SARCASM_IF_NEG, /* sarcastic after a negative event */
	PK_COMPETITOR,
	PK_SILENT,     /* consumes its words, no valence ("nothing but") */
	PK_DURATION,   /* "for five days": a complaint when stuck waiting */
};

#define PHRASE_MAX 8

struct phrase {
	int32_t w[PHRASE_MAX];
	uint8_t n;
	uint8_t kind;
	float valence;
};

/* Second word of flags (lex_entry.trend): economic direction words and
 * the things they move ("unemployment fell" is good news). */
enum {
	TR_UP = 1,       /* rose, increased, grew */
	TR_DOWN = 2,     /* fell, dropped, slowed */
	TR_BAD = 4,      /* unemployment, crime, prices: less is better */
	TR_GOOD = 8,     /* growth, sales, profits: more is better */
	TR_ASKS = 16,    /* opens a request: can, does, anyone, which */
	TR_RESOLVED = 32, /* fixed, resolved: thanks after a fix are sincere */
	TR_FIXES = 64,   /* fixed, resolved: the problem after it is gone */
	TR_WANTED = 128, /* refund, reply, signal: "no refund" is a complaint */
	TR_STUCK = 256,  /* been, still, since: a duration becomes a wait */
	/* complaint frame: the signals of a customer complaint that names no
	 * feeling ("my claim is still under review after 6 weeks") */
	TR_CUSTOMER = 512,  /* order, claim, bill, account, parcel */
	TR_COMPANY = 1024,  /* agent, driver, technician, app, website */
	TR_MONEY = 2048,    /* charged, fee, paid, price */
	TR_PERSIST = 4096,  /* still, again, even, yet */
	TR_TIME = 8192,     /* minutes, days, weeks */
	TR_YOUR = 16384,    /* your, ur: addressing the company */
};

struct lex_entry {
	const char *key;
	uint32_t keylen;
	uint32_t flags;
	uint32_t trend;
	float valence;
	float boost;          /* +0.293 booster, -0.293 dampener */
	uint32_t phrase_first; /* into model.phrases */
	uint32_t phrase_n;
	uint32_t neggap_first; /* "<neg> ~ THIS ...": by the word after the gap */
	uint32_t neggap_n;
};

struct slot {
	uint32_t hash;
	int32_t entry; /* -1 = empty */
};

/* Ids of the words rules look at by identity. */
struct lex_ids {
	int32_t of, than, another, yet, more, now, at, very, only, how, when,
		that, oh, just, well, wow, so, it, love, loves, loved, the, a, an,
		and, to, for_, no, then, or;
};

struct hark_sentiment_model {
	struct lex_entry *entries;
	uint32_t nentries;
	struct slot *slots;
	uint32_t mask;
	struct phrase *phrases;
	uint32_t nphrases;
	/* phrases starting with a class, by class */
	uint32_t neg_first, neg_n, num_first, num_n, ord_first, ord_n;
	struct lex_ids id;
	uint32_t max_emoji_bytes;
	bool emoticon_first[256]; /* bytes an emoticon can start with */
	const char *why[16 * 64]; /* source | mods << 4 -> "complaint,negated" */
};

uint32_t hark_lex_hash(const char *s, size_t n);
int32_t hark_lex_find(const struct hark_sentiment_model *m,
		      const char *key, size_t n, uint32_t hash);

/* Cue sources and modifiers, packed into why = source | mods << 4. */
enum { SRC_LEXICON, SRC_IDIOM, SRC_COMPLAINT, SRC_SARCASM, SRC_EMOJI,
       SRC_EMOTICON, SRC_COMPETITOR, SRC_PUNCT, SRC_TREND, SRC_FRAME,
       SRC_COUNT };
enum { MOD_NEGATED = 1, MOD_BOOSTED = 2, MOD_DAMPENED = 4, MOD_BUT = 8,
       MOD_CAPS = 16, MOD_COMPARED = 32 };

#endif
