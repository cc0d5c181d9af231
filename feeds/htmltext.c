/* htmltext.c - HTML fragment to plain text with libxml2's HTML parser. */
#include "hark/htmltext.h"

#include "parse_internal.h"

#include <glib.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

/* Output with whitespace collapsing: spaces and line breaks are only
 * written when followed by more text, so the result is always trimmed. */
struct textout {
	GString *s;
	bool space;    /* a space is pending */
	bool newline;  /* a line break is pending */
};

static void out_text(struct textout *o, const char *p, size_t n)
{
	const char *end = p + n;

	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			o->space = true;
			p++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			p++;
			continue;
		}
		/* U+00A0 no-break space counts as whitespace for matching. */
		if (c == 0xc2 && p + 1 < end && (unsigned char)p[1] == 0xa0) {
			o->space = true;
			p += 2;
			continue;
		}
		if (o->s->len) {
			if (o->newline)
				g_string_append_c(o->s, '\n');
			else if (o->space)
				g_string_append_c(o->s, ' ');
		}
		o->space = o->newline = false;
		/* copy the run of ordinary bytes in one go */
		const char *q = p + 1;
		while (q < end) {
			unsigned char d = (unsigned char)*q;
			if (d <= 0x20 || d == 0x7f || d == 0xc2)
				break;
			q++;
		}
		g_string_append_len(o->s, p, q - p);
		p = q;
	}
}

static void out_break(struct textout *o)
{
	o->newline = true;
}

static char *out_finish(struct textout *o)
{
	if (!feed_utf8_valid(o->s->str, o->s->len)) {
		char *valid = g_utf8_make_valid(o->s->str, (gssize)o->s->len);
		g_string_free(o->s, TRUE);
		return valid;
	}
	return g_string_free(o->s, FALSE);
}

char *hark_text_clean(const char *text, size_t len)
{
	struct textout o = {g_string_sized_new(len + 1), false, false};

	out_text(&o, text, len);
	return out_finish(&o);
}

/* What an element means for the text.  libxml2's HTML parser hands us
 * lower-case names. */
enum elem { E_INLINE, E_BLOCK, E_SKIP };

static enum elem classify(const xmlChar *name)
{
	static const char *const skipped[] = {
		"script", "style", "head", "template", "noscript", "iframe", "object",
		"svg", "math", "title", NULL};
	static const char *const blocks[] = {
		"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3",
		"h4", "h5", "h6", "blockquote", "pre", "table", "tr", "hr", "section",
		"article", "header", "footer", "aside", "nav", "figure", "figcaption",
		"address", "main", "details", "summary", "form", "fieldset", "body",
		"caption", "center", "dir", "menu", "option", "textarea", NULL};
	const char *n = (const char *)name;

	/* most tags are one or two letters, mostly inline ones */
	if (!n[0])
		return E_INLINE;
	if (!n[1])
		return n[0] == 'p' ? E_BLOCK : E_INLINE;
	if (!n[2] && (n[0] == 'h' || !strcmp(n, "br") || !strcmp(n, "li") ||
		      !strcmp(n, "ul") || !strcmp(n, "ol") || !strcmp(n, "dl") ||
		      !strcmp(n, "dt") || !strcmp(n, "dd") || !strcmp(n, "tr")))
		return (n[0] == 'h' && n[1] != 'r' && (n[1] < '1' || n[1] > '6')) ? E_INLINE : E_BLOCK;
	for (const char *const *l = skipped; *l; l++)
		if (**l == *n && !strcmp(*l, n))
			return E_SKIP;
	for (const char *const *l = blocks; *l; l++)
		if (**l == *n && !strcmp(*l, n))
			return E_BLOCK;
	return E_INLINE;
}

/* The HTML parser runs with SAX callbacks instead of building a tree (the
 * same parser htmlReadMemory drives, minus the tree it would build and
 * free for every field), on a context reused per thread. */
struct htmlsax {
	struct textout o;
	int skip; /* depth inside script, style... */
};

static void hs_start(void *ctx, const xmlChar *name, const xmlChar **attrs)
{
	struct htmlsax *h = ((htmlParserCtxtPtr)ctx)->_private;
	enum elem e = classify(name);

	(void)attrs;
	if (h->skip || e == E_SKIP)
		h->skip++;
	else if (e == E_BLOCK)
		out_break(&h->o);
}

static void hs_end(void *ctx, const xmlChar *name)
{
	struct htmlsax *h = ((htmlParserCtxtPtr)ctx)->_private;

	if (h->skip)
		h->skip--;
	else if (classify(name) == E_BLOCK)
		out_break(&h->o);
}

static void hs_text(void *ctx, const xmlChar *text, int len)
{
	struct htmlsax *h = ((htmlParserCtxtPtr)ctx)->_private;

	if (!h->skip && len > 0)
		out_text(&h->o, (const char *)text, (size_t)len);
}

/* Contexts are not shared between threads; each thread keeps one, freed
 * when the thread ends. */
static void ctxt_free(gpointer p)
{
	htmlFreeParserCtxt(p);
}

static GPrivate html_ctxt_key = G_PRIVATE_INIT(ctxt_free);

static htmlParserCtxtPtr html_ctxt(void)
{
	htmlParserCtxtPtr ctxt = g_private_get(&html_ctxt_key);

	/* names are interned in the context's dictionary: start afresh
	 * before hostile input makes it large */
	if (ctxt && ctxt->dict && xmlDictSize(ctxt->dict) > 20000) {
		g_private_replace(&html_ctxt_key, NULL);
		ctxt = NULL;
	}
	if (!ctxt) {
		ctxt = htmlNewParserCtxt();
		if (!ctxt)
			return NULL;
		memset(ctxt->sax, 0, sizeof *ctxt->sax);
		ctxt->sax->startElement = hs_start;
		ctxt->sax->endElement = hs_end;
		ctxt->sax->characters = hs_text;
		ctxt->sax->cdataBlock = hs_text;
		ctxt->sax->ignorableWhitespace = hs_text;
		ctxt->userData = ctxt;
		g_private_set(&html_ctxt_key, ctxt);
	}
	return ctxt;
}

char *hark_html_to_text(const char *html, size_t len)
{
	struct htmlsax h = {{g_string_sized_new(MIN(len, 4096) + 16), false, false}, 0};
	htmlParserCtxtPtr ctxt;

	/* Most titles and many summaries carry no markup at all. */
	if (!memchr(html, '<', len) && !memchr(html, '&', len)) {
		out_text(&h.o, html, len);
		return out_finish(&h.o);
	}
	if (len > INT_MAX)
		len = INT_MAX;
	ctxt = html_ctxt();
	if (ctxt) {
		ctxt->_private = &h;
		htmlDocPtr doc = htmlCtxtReadMemory(ctxt, html, (int)len, NULL, "UTF-8",
						    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
						    HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
						    HTML_PARSE_COMPACT);
		/* no startDocument callback: no tree, but be sure */
		if (doc)
			xmlFreeDoc(doc);
		ctxt->_private = NULL;
	}
	return out_finish(&h.o);
}
