/* simhash.h - 64-bit SimHash of a text's word shingles, for finding the
 * same story syndicated with small differences.
 *
 * Two texts whose fingerprints differ in at most HARK_SIMHASH_MAX_DISTANCE
 * bits are near-duplicates.  The fingerprint is cut into
 * HARK_SIMHASH_BANDS bands of 16 bits: by the pigeonhole principle two
 * fingerprints within distance 3 agree exactly on at least one band, so
 * an index on each band finds every candidate.
 */
#ifndef HARK_SIMHASH_H
#define HARK_SIMHASH_H

#include <stdbool.h>
#include <stdint.h>

#define HARK_SIMHASH_MAX_DISTANCE 3
#define HARK_SIMHASH_BANDS 4
/* Words per shingle.  Measured on 150- and 300-word texts, replacing one
 * word moved 3-word shingles' fingerprints by up to 5-8 bits (often past
 * the distance-3 threshold) but 1-word shingles' by at most 2, while
 * unrelated texts stayed 18-38 bits apart: feed texts are short, so the
 * threshold needs the smaller shingle.  Texts under ~100 words still
 * often move more than 3 bits for a one-word edit. */
#define HARK_SIMHASH_SHINGLE 1
#define HARK_SIMHASH_MIN_WORDS 8      /* shorter texts get no fingerprint */

/* Fingerprints TEXT (UTF-8, case-folded here; words are runs of letters
 * and digits).  Returns false when TEXT has fewer than
 * HARK_SIMHASH_MIN_WORDS words: short texts collide too easily. */
bool hark_simhash(const char *text, uint64_t *out);

/* Number of differing bits. */
int hark_simhash_distance(uint64_t a, uint64_t b);

/* Band I (0..HARK_SIMHASH_BANDS-1) of H. */
static inline unsigned hark_simhash_band(uint64_t h, int i)
{
	return (unsigned)((h >> (16 * i)) & 0xffffu);
}

#endif
