/* tokenize.h - split text into folded words for the rule index (internal).
 *
 * A word is a run of Unicode letters, digits, combining marks and '_'.
 * Everything else separates words, except:
 *   - each Han, Hiragana or Katakana character is a word of its own
 *     (those scripts do not put spaces between words);
 *   - each symbol character (Unicode "So": emoji, dingbats) is a word of
 *     its own, so a query can name an emoji;
 *   - variation selectors and combining marks that do not follow a word
 *     character are ignored.
 * Apostrophes and hyphens separate words ("don't" is "don" "t"): a query
 * word containing them becomes a phrase and matches the same way.
 *
 * Every word has two folded forms: the accent-folded one (compatibility
 * decomposition, marks dropped, case folded, a few letters without a
 * decomposition mapped: ø->o, ł->l, đ->d, ħ->h, ı->i, æ->ae, œ->oe) and the
 * case-folded one (case folded, NFC).  For ASCII words both are the word in
 * lower case, and the fast path never leaves ASCII.
 */
#ifndef HARK_RULES_TOKENIZE_H
#define HARK_RULES_TOKENIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct tok {
	uint64_t hash;       /* of the accent-folded form */
	uint64_t cf_hash;    /* of the case-folded form (== hash unless differs) */
	uint32_t off, len;   /* accent-folded form in tokens.buf */
	uint32_t cf_off, cf_len;
	uint32_t start, end; /* bytes [start, end) in the field's text */
	uint8_t field;       /* enum hark_field */
	uint8_t differs;     /* the two folded forms differ */
};

struct tokens {
	struct tok *v;
	size_t n, cap;
	char *buf;           /* folded forms, not NUL-separated */
	size_t blen, bcap;
	uint64_t *mask;      /* per field: word-candidate bytes, 1 bit each */
	uint64_t *hi;        /* per field: non-ASCII bytes */
	size_t mcap;         /* 64-bit words in mask and hi */
};

void tokens_init(struct tokens *t);
void tokens_reset(struct tokens *t);
void tokens_free(struct tokens *t);

/* Appends the words of LEN bytes of UTF-8 S (invalid bytes separate
 * words) as field FIELD. */
void tokenize(struct tokens *t, const char *s, size_t len, unsigned field);

static inline const char *tok_text(const struct tokens *t, const struct tok *k,
				   bool accent_fold, uint32_t *len)
{
	if (accent_fold || !k->differs) {
		*len = k->len;
		return t->buf + k->off;
	}
	*len = k->cf_len;
	return t->buf + k->cf_off;
}

/* Hash of a folded word.  Bytes are packed little-end first into 64-bit
 * words and each full word is mixed in: the tokeniser computes the same
 * value in its byte loop with shifts only, no loads of what it just
 * stored and no multiply per byte. */
#define HASH_SEED 0x9e3779b97f4a7c15ULL

static inline uint64_t hash_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0xff51afd7ed558ccdULL;
	return h ^ (h >> 29);
}

/* One multiply: the filter takes the top bits, which see every input
 * bit, and the fold brings them down for the table's low bits. */
static inline uint64_t hash_final(uint64_t h, uint64_t w, size_t len)
{
	h = (h ^ w ^ ((uint64_t)len << 56)) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static inline uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = HASH_SEED, w = 0;
	unsigned sh = 0;

	for (size_t i = 0; i < len; i++) {
		w |= (uint64_t)(unsigned char)s[i] << sh;
		sh += 8;
		if (sh == 64) {
			h = hash_step(h, w);
			w = 0;
			sh = 0;
		}
	}
	return hash_final(h, w, len);
}

/* Key of two adjacent words. */
static inline uint64_t hash_pair(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

/* Key of a word prefix (wildcard terms). */
static inline uint64_t hash_prefix(const char *s, size_t len)
{
	return hash_bytes(s, len) ^ 0x5bd1e9955bd1e995ULL;
}

#endif
