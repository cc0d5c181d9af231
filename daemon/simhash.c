/* simhash.c - 64-bit SimHash over word shingles (Charikar's method):
 * each shingle's 64-bit hash votes +1/-1 on every bit; the fingerprint
 * keeps the bits with a positive total. */
#include "hark/simhash.h"

#include <glib.h>
#include <string.h>

/* splitmix64's finalizer: a cheap, well-mixed 64-bit hash step. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* FNV-1a over the word's bytes, then mixed. */
static uint64_t word_hash(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

bool hark_simhash(const char *text, uint64_t *out)
{
	int votes[64] = {0};
	uint64_t window[HARK_SIMHASH_SHINGLE];
	size_t words = 0;
	char *folded;
	const char *p, *start = NULL;

	if (!text)
		return false;
	folded = g_utf8_casefold(text, -1);
	for (p = folded;; p = g_utf8_next_char(p)) {
		gunichar c = *p ? g_utf8_get_char(p) : 0;
		bool in_word = c && g_unichar_isalnum(c);

		if (in_word && !start) {
			start = p;
			continue;
		}
		if (!in_word && start) {
			window[words % HARK_SIMHASH_SHINGLE] =
				word_hash(start, (size_t)(p - start));
			words++;
			start = NULL;
			if (words >= HARK_SIMHASH_SHINGLE) {
				uint64_t h = 0;
				/* Position-dependent combination: "a b c" and
				 * "c b a" are different shingles. */
				for (size_t k = 0; k < HARK_SIMHASH_SHINGLE; k++) {
					size_t idx = (words - HARK_SIMHASH_SHINGLE + k) %
						     HARK_SIMHASH_SHINGLE;
					h = mix64(h ^ rotl64(window[idx], (int)(k * 17 + 1)));
				}
				for (int b = 0; b < 64; b++)
					votes[b] += (h >> b) & 1 ? 1 : -1;
			}
		}
		if (!*p)
			break;
	}
	g_free(folded);
	if (words < HARK_SIMHASH_MIN_WORDS)
		return false;
	*out = 0;
	for (int b = 0; b < 64; b++)
		if (votes[b] > 0)
			*out |= (uint64_t)1 << b;
	return true;
}

int hark_simhash_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}
