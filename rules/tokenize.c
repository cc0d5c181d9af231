/* tokenize.c - words and their folded forms, with an ASCII fast path.
 *
 * This is the hot path of matching: every item is tokenised once and each
 * word is looked up in the rule index.  ASCII words are lowered through a
 * table and hashed in the same loop; only words containing other
 * characters go through GLib's Unicode functions.
 */
#include "tokenize.h"

#include <glib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ASCII: 0 separates words, else the lower-case byte. */
static const unsigned char ascii_fold[128] = {
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
	['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
	['_'] = '_',
	['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
	['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
	['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
	['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
	['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
	['Z'] = 'z',
	['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
	['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
	['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
	['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
	['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
	['z'] = 'z',
};

enum cclass { C_SEP, C_WORD, C_SINGLE, C_MARK, C_IGNORE };

static bool is_cjk(gunichar c)
{
	return (c >= 0x3040 && c <= 0x30FF) ||   /* Hiragana, Katakana */
	       (c >= 0x31F0 && c <= 0x31FF) ||
	       (c >= 0x3400 && c <= 0x4DBF) ||   /* Han */
	       (c >= 0x4E00 && c <= 0x9FFF) ||
	       (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0xFF66 && c <= 0xFF9F) ||   /* half-width Katakana */
	       (c >= 0x20000 && c <= 0x3FFFF);
}

static enum cclass classify(gunichar c)
{
	if (c < 0x80)
		return ascii_fold[c] ? C_WORD : C_SEP;
	switch (g_unichar_type(c)) {
	case G_UNICODE_UPPERCASE_LETTER:
	case G_UNICODE_LOWERCASE_LETTER:
	case G_UNICODE_TITLECASE_LETTER:
	case G_UNICODE_MODIFIER_LETTER:
	case G_UNICODE_OTHER_LETTER:
	case G_UNICODE_DECIMAL_NUMBER:
	case G_UNICODE_LETTER_NUMBER:
	case G_UNICODE_OTHER_NUMBER:
	case G_UNICODE_CONNECT_PUNCTUATION:
		return is_cjk(c) ? C_SINGLE : C_WORD;
	case G_UNICODE_NON_SPACING_MARK:
	case G_UNICODE_SPACING_MARK:
	case G_UNICODE_ENCLOSING_MARK:
		return C_MARK;
	case G_UNICODE_OTHER_SYMBOL:
		return C_SINGLE;
	case G_UNICODE_FORMAT:          /* ZWJ, ZWNJ, soft hyphen */
		return C_IGNORE;
	case G_UNICODE_MODIFIER_SYMBOL: /* emoji skin tones */
		return (c >= 0x1F3FB && c <= 0x1F3FF) ? C_IGNORE : C_SEP;
	default:
		return C_SEP;
	}
}

/* Letters that have no decomposition but that people type without the
 * stroke or as two letters. */
static const char *fold_special(gunichar c)
{
	switch (c) {
	case 0x00D8: case 0x00F8: return "o";
	case 0x0110: case 0x0111: return "d";
	case 0x0141: case 0x0142: return "l";
	case 0x0126: case 0x0127: return "h";
	case 0x0131: return "i";
	case 0x00C6: case 0x00E6: return "ae";
	case 0x0152: case 0x0153: return "oe";
	case 0x00DE: case 0x00FE: return "th";
	default: return NULL;
	}
}

/* Accent-folded form of one character into OUT (at least 64 bytes). */
static size_t fold_char_slow(gunichar c, char *out)
{
	gunichar d[18];
	gsize nd = g_unichar_fully_decompose(c, TRUE, d, G_N_ELEMENTS(d));
	size_t n = 0;

	if (nd > G_N_ELEMENTS(d))
		nd = G_N_ELEMENTS(d);
	for (gsize i = 0; i < nd && n < 40; i++) {
		const char *sp = fold_special(d[i]);
		char u[8];
		int ul;
		char *f;

		if (g_unichar_ismark(d[i]))
			continue;
		if (sp) {
			size_t l = strlen(sp);
			memcpy(out + n, sp, l);
			n += l;
			continue;
		}
		ul = g_unichar_to_utf8(d[i], u);
		f = g_utf8_casefold(u, ul);
		size_t fl = strlen(f);
		if (n + fl <= 48) {
			memcpy(out + n, f, fl);
			n += fl;
		}
		g_free(f);
	}
	return n;
}

/* Latin, Greek and Cyrillic are folded through a table built once. */
#define FOLD_TABLE_END 0x0530
struct fold_entry {
	uint8_t len;      /* 0xff: not cached */
	char s[7];
};
static struct fold_entry fold_table[FOLD_TABLE_END];

static gpointer build_fold_table(gpointer unused)
{
	(void)unused;
	for (gunichar c = 0x80; c < FOLD_TABLE_END; c++) {
		char tmp[64];
		size_t n = fold_char_slow(c, tmp);

		if (n <= sizeof fold_table[c].s) {
			fold_table[c].len = (uint8_t)n;
			memcpy(fold_table[c].s, tmp, n);
		} else {
			fold_table[c].len = 0xff;
		}
	}
	return NULL;
}

static size_t fold_char(gunichar c, char *out)
{
	static GOnce once = G_ONCE_INIT;

	if (c < FOLD_TABLE_END) {
		g_once(&once, build_fold_table, NULL);
		if (fold_table[c].len != 0xff) {
			memcpy(out, fold_table[c].s, sizeof fold_table[c].s);
			return fold_table[c].len;
		}
	}
	return fold_char_slow(c, out);
}

void tokens_init(struct tokens *t)
{
	memset(t, 0, sizeof *t);
}

void tokens_reset(struct tokens *t)
{
	t->n = 0;
	t->blen = 0;
}

void tokens_free(struct tokens *t)
{
	g_free(t->v);
	g_free(t->buf);
	g_free(t->mask);
	g_free(t->hi);
	memset(t, 0, sizeof *t);
}

static void buf_reserve(struct tokens *t, size_t more)
{
	if (t->blen + more <= t->bcap)
		return;
	while (t->blen + more > t->bcap)
		t->bcap = t->bcap ? t->bcap * 2 : 4096;
	t->buf = g_realloc(t->buf, t->bcap);
}

static struct tok *tok_push(struct tokens *t)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = g_realloc_n(t->v, t->cap, sizeof *t->v);
	}
	return &t->v[t->n++];
}

static gunichar decode(const char *s, size_t len, size_t i, size_t *clen)
{
	unsigned char b = (unsigned char)s[i];
	gunichar c = g_utf8_get_char_validated(s + i, (gssize)(len - i));

	if (c == (gunichar)-1 || c == (gunichar)-2) {
		*clen = 1;
		return (gunichar)-1;
	}
	*clen = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
	if (b < 0x80)
		*clen = 1;
	return c;
}

/* A word containing non-ASCII characters, or a single-character word,
 * spanning bytes [start, end) of S. */
static void push_slow(struct tokens *t, const char *s, size_t start,
		      size_t end, unsigned field)
{
	struct tok *k;
	GString *raw = g_string_sized_new(end - start);
	uint32_t off;
	char *cf, *nfc;
	size_t cflen;

	/* Accent-folded form, and the raw text minus ignorables for the
	 * case-folded one. */
	off = (uint32_t)t->blen;
	for (size_t i = start; i < end;) {
		size_t cl;
		gunichar c = decode(s, end, i, &cl);

		if (c == (gunichar)-1) {
			i++;
			continue;
		}
		if (c < 0x80) {
			buf_reserve(t, 1);
			t->buf[t->blen++] = (char)ascii_fold[c];
			g_string_append_c(raw, (char)c);
		} else {
			enum cclass cc = classify(c);

			if (cc != C_IGNORE)
				g_string_append_len(raw, s + i, (gssize)cl);
			if (cc == C_WORD || cc == C_SINGLE) {
				buf_reserve(t, 64);
				t->blen += fold_char(c, t->buf + t->blen);
			}
		}
		i += cl;
	}
	if (t->blen == off) {
		/* Only marks: nothing to match. */
		g_string_free(raw, TRUE);
		return;
	}
	cf = g_utf8_casefold(raw->str, (gssize)raw->len);
	nfc = g_utf8_normalize(cf, -1, G_NORMALIZE_NFC);
	g_free(cf);
	g_string_free(raw, TRUE);
	if (!nfc)
		return;
	cflen = strlen(nfc);

	k = tok_push(t);
	k->off = off;
	k->len = (uint32_t)(t->blen - off);
	k->hash = hash_bytes(t->buf + off, k->len);
	k->start = (uint32_t)start;
	k->end = (uint32_t)end;
	k->field = (uint8_t)field;
	if (cflen == k->len && !memcmp(nfc, t->buf + off, cflen)) {
		k->differs = 0;
		k->cf_off = k->off;
		k->cf_len = k->len;
		k->cf_hash = k->hash;
	} else {
		buf_reserve(t, cflen);
		k->differs = 1;
		k->cf_off = (uint32_t)t->blen;
		k->cf_len = (uint32_t)cflen;
		memcpy(t->buf + t->blen, nfc, cflen);
		t->blen += cflen;
		k->cf_hash = hash_bytes(nfc, cflen);
	}
	g_free(nfc);
}

/* One step of the slow path at byte I: skips a separator, or pushes a
 * single-character word or a word with non-ASCII characters.  Returns
 * the next position. */
static size_t slow_step(struct tokens *t, const char *s, size_t len, size_t i,
			unsigned field)
{
	size_t start = i, last = i, cl;
	gunichar u = decode(s, len, i, &cl);
	enum cclass cc = u == (gunichar)-1 ? C_SEP : classify(u);

	if (cc == C_SEP || cc == C_MARK || cc == C_IGNORE)
		return i + cl;
	if (cc == C_SINGLE) {
		size_t end = i + cl;
		/* Marks and variation selectors go with it. */
		while (end < len) {
			size_t l2;
			gunichar u2 = decode(s, len, end, &l2);
			enum cclass c2 = u2 == (gunichar)-1 ? C_SEP : classify(u2);
			if (c2 != C_MARK && c2 != C_IGNORE)
				break;
			end += l2;
		}
		push_slow(t, s, start, end, field);
		return end;
	}
	/* A word: letters, digits, marks, ignorables. */
	while (i < len) {
		u = decode(s, len, i, &cl);
		cc = u == (gunichar)-1 ? C_SEP : classify(u);
		if (cc == C_WORD || cc == C_MARK) {
			i += cl;
			last = i;
		} else if (cc == C_IGNORE) {
			i += cl;
		} else {
			break;
		}
	}
	push_slow(t, s, start, last, field);
	return i;
}

/* Hash of N folded bytes at P, as hash_bytes(), with 8-byte loads (P has
 * at least 8 readable bytes past any word: see tokenize()). */
static inline uint64_t hash_loaded(const char *p, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t h = HASH_SEED, w = 0;
	size_t r = n;

	while (r >= 8) {
		memcpy(&w, p, 8);
		h = hash_step(h, w);
		p += 8;
		r -= 8;
	}
	w = 0;
	if (r) {
		memcpy(&w, p, 8);
		w &= (1ULL << (8 * r)) - 1;
	}
	return hash_final(h, w, n);
#else
	return hash_bytes(p, n);
#endif
}

/* Lower-cases 64 bytes of IN (ASCII letters only) into OUT; returns the
 * bit mask of word candidates (ASCII letters, digits, '_' and every
 * non-ASCII byte) and sets *HI to the mask of non-ASCII bytes. */
static inline uint64_t scan64(const unsigned char *in, char *out, uint64_t *hi)
{
#ifdef __SSE2__
	uint64_t m = 0, h = 0;

	for (int j = 0; j < 64; j += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(in + j));
		__m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
					   _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
		__m128i lo = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
		__m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(lo, _mm_set1_epi8('a' - 1)),
					      _mm_cmplt_epi8(lo, _mm_set1_epi8('z' + 1)));
		__m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
					      _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
		__m128i us = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
		uint64_t w = (uint32_t)_mm_movemask_epi8(
			_mm_or_si128(_mm_or_si128(alpha, digit), us));
		uint64_t x = (uint32_t)_mm_movemask_epi8(v);

		_mm_storeu_si128((__m128i *)(out + j), lo);
		m |= (w | x) << j;
		h |= x << j;
	}
	*hi = h;
	return m;
#else
	uint64_t m = 0, h = 0;

	for (int j = 0; j < 64; j++) {
		unsigned char c = in[j];
		uint64_t x = c >> 7;
		unsigned char f = x ? 0 : ascii_fold[c];

		out[j] = f ? (char)f : (char)c;
		m |= ((uint64_t)(f != 0) | x) << j;
		h |= x << j;
	}
	*hi = h;
	return m;
#endif
}

static inline bool bits_any(const uint64_t *m, size_t from, size_t to)
{
	for (size_t i = from; i < to;) {
		uint64_t w = m[i >> 6] >> (i & 63);
		size_t n = MIN(64 - (i & 63), to - i);

		if (n < 64)
			w &= (1ULL << n) - 1;
		if (w)
			return true;
		i += n;
	}
	return false;
}

static inline void push_fast(struct tokens *t, size_t off, size_t start,
			     size_t end, unsigned field)
{
	struct tok *k = tok_push(t);

	k->off = k->cf_off = (uint32_t)off;
	k->len = k->cf_len = (uint32_t)(end - start);
	k->hash = k->cf_hash = hash_loaded(t->buf + off, end - start);
	k->start = (uint32_t)start;
	k->end = (uint32_t)end;
	k->field = (uint8_t)field;
	k->differs = 0;
}

/* The fast path: the field is lower-cased (ASCII letters) into buf in
 * one pass that also builds bit masks of word candidates and non-ASCII
 * bytes; words are then found with bit scans, and a word that is pure
 * ASCII is hashed straight from the lower-cased copy.  Runs with
 * non-ASCII bytes go through slow_step(). */
void tokenize(struct tokens *t, const char *s, size_t len, unsigned field)
{
	size_t base, nw, i;

	/* Offsets are 32-bit: longer text is cut (feeds cap fields far
	 * below this). */
	if (len > UINT32_MAX / 4)
		len = UINT32_MAX / 4;
	nw = (len + 63) / 64;
	if (nw > t->mcap) {
		t->mcap = MAX(nw, 64);
		t->mask = g_renew(uint64_t, t->mask, t->mcap);
		t->hi = g_renew(uint64_t, t->hi, t->mcap);
	}
	/* 64 bytes of slack: scan64() writes whole blocks, and hash_loaded()
	 * reads up to 8 bytes past a word. */
	buf_reserve(t, len + 64 + 16);
	base = t->blen;
	for (i = 0; i + 64 <= len; i += 64)
		t->mask[i >> 6] = scan64((const unsigned char *)s + i, t->buf + base + i,
					 &t->hi[i >> 6]);
	if (i < len) {
		unsigned char tail[64] = {0};

		memcpy(tail, s + i, len - i);
		t->mask[i >> 6] = scan64(tail, t->buf + base + i, &t->hi[i >> 6]);
	}
	memset(t->buf + base + len, 0, 16);
	t->blen = base + len + 16;
	/* Room for the usual number of words up front (tok_push() still
	 * checks: "a©a©" has more). */
	if (t->n + len / 2 + 1 > t->cap) {
		t->cap = MAX(t->cap * 2, t->n + len / 2 + 1);
		t->v = g_realloc_n(t->v, t->cap, sizeof *t->v);
	}

	i = 0;
	while (i < len) {
		size_t wi = i >> 6, start, end, na;
		uint64_t m = t->mask[wi] & (~0ULL << (i & 63)), z;

		while (!m) {
			if (++wi >= nw)
				return;
			m = t->mask[wi];
		}
		start = (wi << 6) + (size_t)__builtin_ctzll(m);
		if (start >= len)
			return;
		z = ~t->mask[wi] & (~0ULL << (start & 63));
		while (!z && ++wi < nw)
			z = ~t->mask[wi];
		end = z ? MIN(len, (wi << 6) + (size_t)__builtin_ctzll(z)) : len;
		if (!bits_any(t->hi, start, end)) {
			push_fast(t, base + start, start, end, field);
			i = end;
			continue;
		}
		/* Some non-ASCII bytes: an ASCII prefix ending at a separator
		 * (curly quote, dash, emoji) is still a plain word. */
		na = start;
		while (!((unsigned char)s[na] & 0x80))
			na++;
		if (na > start) {
			size_t cl;
			gunichar u = decode(s, len, na, &cl);
			enum cclass cc = u == (gunichar)-1 ? C_SEP : classify(u);

			if (cc == C_SEP || cc == C_SINGLE) {
				push_fast(t, base + start, start, na, field);
				i = na;
				continue;
			}
		}
		i = slow_step(t, s, len, start, field);
	}
}
