/* htmltext.c - HTML fragment to plain text with libxml2's HTML parser. */
#include "hark/htmltext.h"

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
	if (!g_utf8_validate(o->s->str, (gssize)o->s->len, NULL)) {
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

static bool name_is(const xmlChar *name, const char *const *list)
{
	for (; *list; list++)
		if (!g_ascii_strcasecmp((const char *)name, *list))
			return true;
	return false;
}

static const char *const skipped[] = {
	"script", "style", "head", "template", "noscript", "iframe", "object",
	"svg", "math", NULL};

static const char *const blocks[] = {
	"p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3",
	"h4", "h5", "h6", "blockquote", "pre", "table", "tr", "hr", "section",
	"article", "header", "footer", "aside", "nav", "figure", "figcaption",
	"address", "main", "details", "summary", "form", "fieldset", "body",
	NULL};

/* Iterative walk: fragments from the web can nest deeper than the C
 * stack would like. */
static void walk(struct textout *o, xmlNode *root)
{
	xmlNode *n = root;

	while (n) {
		bool descend = false;

		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				out_text(o, (const char *)n->content,
					 strlen((const char *)n->content));
		} else if (n->type == XML_ELEMENT_NODE && n->name) {
			if (!name_is(n->name, skipped)) {
				if (name_is(n->name, blocks))
					out_break(o);
				descend = n->children != NULL;
			}
		}
		if (descend) {
			n = n->children;
			continue;
		}
		/* climb until a next sibling exists, closing blocks on the way */
		while (n && n != root && !n->next) {
			n = n->parent;
			if (n && n->type == XML_ELEMENT_NODE && name_is(n->name, blocks))
				out_break(o);
		}
		if (!n || n == root) {
			if (root->type == XML_ELEMENT_NODE && name_is(root->name, blocks))
				out_break(o);
			break;
		}
		if (n->type == XML_ELEMENT_NODE && n->name && name_is(n->name, blocks) &&
		    n->children)
			out_break(o);
		n = n->next;
	}
}

char *hark_html_to_text(const char *html, size_t len)
{
	struct textout o = {g_string_sized_new(len / 2 + 16), false, false};

	/* Most titles and many summaries carry no markup at all. */
	if (!memchr(html, '<', len) && !memchr(html, '&', len)) {
		out_text(&o, html, len);
		return out_finish(&o);
	}
	if (len > INT_MAX)
		len = INT_MAX;
	htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, "UTF-8",
					HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
					HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
					HTML_PARSE_COMPACT);
	if (doc) {
		for (xmlNode *n = doc->children; n; n = n->next)
			walk(&o, n);
		xmlFreeDoc(doc);
	}
	return out_finish(&o);
}
