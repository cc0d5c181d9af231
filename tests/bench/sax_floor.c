/* sax_floor - a bare libxml2 SAX2 pass: the floor for any libxml2-based
 * feed parser.  Same input and loop as bench_parse, same push parser and
 * options, callbacks that do nothing.  Prints "bytes elements seconds". */
#include <glib.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static guint64 elements;

static void on_start(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u,
		     int nns, const xmlChar **ns, int na, int nd, const xmlChar **a)
{
	(void)ctx; (void)l; (void)p; (void)u; (void)nns; (void)ns; (void)na; (void)nd; (void)a;
	elements++;
}

static void on_end(void *ctx, const xmlChar *l, const xmlChar *p, const xmlChar *u)
{
	(void)ctx; (void)l; (void)p; (void)u;
}

static void on_text(void *ctx, const xmlChar *t, int len)
{
	(void)ctx; (void)t; (void)len;
}

static void on_error(void *ctx, xmlErrorPtr e)
{
	(void)ctx; (void)e;
}

static void sax_pass(const char *data, size_t len)
{
	xmlSAXHandler sax;
	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.cdataBlock = on_text;
	sax.serror = on_error;
	xmlParserCtxtPtr ctxt = xmlCreatePushParserCtxt(&sax, &sax, NULL, 0, NULL);
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_RECOVER);
	for (size_t off = 0; off < len; off += 1 << 16) {
		size_t n = MIN((size_t)1 << 16, len - off);
		xmlParseChunk(ctxt, data + off, (int)n, 0);
		if (ctxt->instate == XML_PARSER_EOF)
			break;
	}
	if (ctxt->instate != XML_PARSER_EOF)
		xmlParseChunk(ctxt, NULL, 0, 1);
	if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	xmlFreeParserCtxt(ctxt);
}

int main(int argc, char **argv)
{
	char *list, **paths;
	GPtrArray *bufs = g_ptr_array_new();
	GArray *lens = g_array_new(FALSE, FALSE, sizeof(gsize));
	guint64 target, bytes = 0;
	struct timespec t0, t1;

	if (argc != 3 || !g_file_get_contents(argv[1], &list, NULL, NULL)) {
		fprintf(stderr, "usage: sax_floor LISTFILE TARGET_MB\n");
		return 1;
	}
	target = g_ascii_strtoull(argv[2], NULL, 10) << 20;
	paths = g_strsplit(list, "\n", -1);
	for (char **p = paths; *p; p++) {
		char *data;
		gsize len;
		if (**p && g_file_get_contents(*p, &data, &len, NULL)) {
			g_ptr_array_add(bufs, data);
			g_array_append_val(lens, len);
		}
	}
	if (!bufs->len)
		return 1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (guint i = 0; bytes < target; i = (i + 1) % bufs->len) {
		gsize len = g_array_index(lens, gsize, i);
		sax_pass(g_ptr_array_index(bufs, i), len);
		bytes += len;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	printf("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %.6f\n", bytes, elements,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
