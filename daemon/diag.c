/* diag.c - collecting and printing file:line:column diagnostics. */
#include "hark/diag.h"

#include <stdarg.h>
#include <unistd.h>

static void diag_free(gpointer p)
{
	struct hark_diag *d = p;

	g_free(d->file);
	g_free(d->message);
	g_free(d->source);
	g_free(d->hint);
	g_free(d);
}

void hark_diags_init(struct hark_diags *d)
{
	d->list = g_ptr_array_new_with_free_func(diag_free);
}

void hark_diags_clear(struct hark_diags *d)
{
	if (d->list)
		g_ptr_array_unref(d->list);
	d->list = NULL;
}

unsigned hark_diags_count(const struct hark_diags *d)
{
	return d->list ? d->list->len : 0;
}

void hark_diags_add(struct hark_diags *d, const char *file, int line, int col,
		    int len, const char *source, const char *hint,
		    const char *fmt, ...)
{
	struct hark_diag *g = g_new0(struct hark_diag, 1);
	va_list ap;

	g->file = g_strdup(file);
	g->line = line;
	g->col = col;
	g->len = len < 1 ? 1 : len;
	g->source = g_strdup(source);
	g->hint = g_strdup(hint);
	va_start(ap, fmt);
	g->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(d->list, g);
}

/* Display width of the first BYTES bytes of S: tabs are kept as tabs in
 * the caret line so it lines up whatever the tab width. */
static void print_caret(FILE *out, const char *src, int col, int len)
{
	const char *p = src;
	int c = 1;

	fputs("    ", out);
	while (*p && c < col) {
		gunichar u = g_utf8_get_char_validated(p, -1);
		fputc(*p == '\t' ? '\t' : ' ', out);
		if (u == (gunichar)-1 || u == (gunichar)-2) {
			p++;
		} else {
			p = g_utf8_next_char(p);
		}
		c++;
	}
	fputc('^', out);
	for (int i = 1; i < len; i++)
		fputc('~', out);
	fputc('\n', out);
}

void hark_diags_print(const struct hark_diags *d, FILE *out)
{
	if (!d->list)
		return;
	for (guint i = 0; i < d->list->len; i++) {
		const struct hark_diag *g = d->list->pdata[i];

		if (g->line > 0 && g->col > 0)
			fprintf(out, "%s:%d:%d: error: %s\n", g->file, g->line,
				g->col, g->message);
		else if (g->line > 0)
			fprintf(out, "%s:%d: error: %s\n", g->file, g->line,
				g->message);
		else
			fprintf(out, "%s: error: %s\n", g->file, g->message);
		if (g->source && g->line > 0) {
			fprintf(out, "    %s\n", g->source);
			if (g->col > 0)
				print_caret(out, g->source, g->col, g->len);
		}
		if (g->hint)
			fprintf(out, "    hint: %s\n", g->hint);
	}
}
