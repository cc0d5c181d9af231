/* diag.h - collected user-facing diagnostics with file:line:column.
 *
 * Config and rule checking report every problem, not just the first, so
 * they append to a struct hark_diags and the CLI prints the lot:
 *
 *     hark.conf:12:9: error: unknown key 'intervall' in [feed acme]
 *         intervall = 15m
 *         ^~~~~~~~~
 *         hint: did you mean 'interval'?
 */
#ifndef HARK_DIAG_H
#define HARK_DIAG_H

#include <glib.h>
#include <stdio.h>

struct hark_diag {
	char *file;        /* owned */
	int line;          /* 1-based; 0 = whole file */
	int col;           /* 1-based; 0 = whole line */
	int len;           /* characters to underline (>= 1 when col > 0) */
	char *message;     /* owned */
	char *source;      /* the source line, owned, or NULL */
	char *hint;        /* owned, or NULL */
};

struct hark_diags {
	GPtrArray *list;   /* of struct hark_diag*, owned */
};

void hark_diags_init(struct hark_diags *d);
/* Frees every diagnostic; D can be reused after hark_diags_init(). */
void hark_diags_clear(struct hark_diags *d);
unsigned hark_diags_count(const struct hark_diags *d);

/* Adds one diagnostic.  FILE and SOURCE are copied; SOURCE and HINT may
 * be NULL. */
void hark_diags_add(struct hark_diags *d, const char *file, int line, int col,
		    int len, const char *source, const char *hint,
		    const char *fmt, ...) G_GNUC_PRINTF(8, 9);

/* Prints all of them, in order, as in the example above. */
void hark_diags_print(const struct hark_diags *d, FILE *out);

#endif
