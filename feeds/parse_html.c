/* parse_html.c - forum pages without a feed, read with XPath selectors.
 *
 * libxml2's HTML parser builds the tree (recover mode, no network); the
 * item selector picks one node per post and the other selectors are
 * evaluated relative to it.  See man/hark-forum-pages.md for a worked
 * example.  The next-page link is returned in doc->next_page; following
 * it (up to a configured number of pages) is the fetcher's job.
 */
#include "parse_internal.h"

#include "hark/date.h"
#include "hark/error.h"

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <limits.h>
#include <string.h>

static void xpath_silent(void *data, xmlErrorPtr e)
{
	(void)data;
	(void)e;
}

static const char *sel_name(const struct hark_html_source *s, const char *const *field)
{
	if (field == &s->item)
		return "item";
	if (field == &s->title)
		return "title";
	if (field == &s->link)
		return "link";
	if (field == &s->body)
		return "body";
	if (field == &s->author)
		return "author";
	if (field == &s->date)
		return "date";
	return "next";
}

static bool compile(xmlXPathContextPtr x, const struct hark_html_source *s,
		    const char *const *field, xmlXPathCompExprPtr *out, GError **err)
{
	*out = NULL;
	if (!*field || !**field)
		return true;
	*out = xmlXPathCtxtCompile(x, BAD_CAST *field);
	if (!*out) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "bad XPath for %s: '%s'", sel_name(s, field), *field);
		return false;
	}
	return true;
}

static xmlNodePtr first_node(xmlXPathObjectPtr r)
{
	if (r && r->type == XPATH_NODESET && r->nodesetval && r->nodesetval->nodeNr > 0)
		return r->nodesetval->nodeTab[0];
	return NULL;
}

/* String value of EXPR at NODE.  For links an element's href (or src) is
 * used instead of its text; for dates a <time datetime> attribute. */
enum want { W_TEXT, W_LINK, W_DATE, W_HTML };

static char *eval(xmlXPathContextPtr x, xmlXPathCompExprPtr expr, xmlNodePtr node,
		  enum want want)
{
	xmlXPathObjectPtr r;
	xmlNodePtr n;
	char *out = NULL;

	if (!expr)
		return NULL;
	x->node = node;
	r = xmlXPathCompiledEval(expr, x);
	if (!r)
		return NULL;
	n = first_node(r);
	if (n && n->type == XML_ELEMENT_NODE) {
		xmlChar *a = NULL;
		if (want == W_LINK && !(a = xmlGetProp(n, BAD_CAST "href")))
			a = xmlGetProp(n, BAD_CAST "src");
		if (want == W_DATE && !(a = xmlGetProp(n, BAD_CAST "datetime")))
			a = xmlGetProp(n, BAD_CAST "title");
		if (want == W_DATE && a && hark_date_parse((char *)a) == HARK_TIME_NONE)
			g_clear_pointer(&a, xmlFree);
		if (a) {
			out = g_strdup((char *)a);
			xmlFree(a);
		} else if (want == W_HTML) {
			xmlBufferPtr buf = xmlBufferCreate();
			for (xmlNodePtr c = n->children; c; c = c->next)
				htmlNodeDump(buf, n->doc, c);
			out = g_strndup((const char *)xmlBufferContent(buf),
					(gsize)xmlBufferLength(buf));
			xmlBufferFree(buf);
		}
	}
	if (!out && (n || (r->type != XPATH_NODESET))) {
		xmlChar *s = xmlXPathCastToString(r);
		if (s) {
			out = g_strdup((char *)s);
			xmlFree(s);
		}
	}
	xmlXPathFreeObject(r);
	return out;
}

static char *text_of(char *s, bool html, const struct hark_parse_opts *opts)
{
	char *t;

	if (!s)
		return NULL;
	t = feed_text(s, strnlen(s, FEED_MAX_FIELD), html, html && opts->keep_html);
	g_free(s);
	if (!*t)
		g_clear_pointer(&t, g_free);
	return t;
}

static char *link_of(char *s, const char *base)
{
	char *u;

	if (!s)
		return NULL;
	u = feed_resolve_url(s, strlen(s), base);
	g_free(s);
	return u;
}

struct hark_feed_doc *feed_parse_html(const char *data, size_t len,
				      const struct hark_parse_opts *opts,
				      GError **err)
{
	const struct hark_html_source *s = opts->html;
	struct hark_feed_doc *doc = NULL;
	xmlXPathCompExprPtr e_item = NULL, e_title = NULL, e_link = NULL, e_body = NULL,
			    e_author = NULL, e_date = NULL, e_next = NULL;
	htmlDocPtr html;
	xmlXPathContextPtr x = NULL;
	xmlXPathObjectPtr items = NULL;
	char *base = g_strdup(opts->base_url);

	if (!s->item || !*s->item) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER, "HTML source without an item XPath");
		g_free(base);
		return NULL;
	}
	if (len > INT_MAX)
		len = INT_MAX;
	html = htmlReadMemory(data, (int)len, opts->base_url, "UTF-8",
			      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
			      HTML_PARSE_NONET | HTML_PARSE_COMPACT);
	if (!html) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER, "not an HTML page");
		g_free(base);
		return NULL;
	}
	x = xmlXPathNewContext(html);
	x->error = xpath_silent;
	if (!compile(x, s, &s->item, &e_item, err) || !compile(x, s, &s->title, &e_title, err) ||
	    !compile(x, s, &s->link, &e_link, err) || !compile(x, s, &s->body, &e_body, err) ||
	    !compile(x, s, &s->author, &e_author, err) || !compile(x, s, &s->date, &e_date, err) ||
	    !compile(x, s, &s->next, &e_next, err))
		goto out;

	/* <base href> in the page overrides the document's own URL. */
	xmlXPathCompExprPtr e_base = xmlXPathCtxtCompile(x, BAD_CAST "//head/base/@href");
	char *page_base = eval(x, e_base, (xmlNodePtr)html, W_TEXT);
	xmlXPathFreeCompExpr(e_base);
	if (page_base && *page_base) {
		char *b = feed_resolve_url(page_base, strlen(page_base), base);
		g_free(base);
		base = b;
	}
	g_free(page_base);

	doc = hark_feed_doc_new();
	doc->format = g_strdup("html");
	doc->link = g_strdup(opts->base_url);
	xmlXPathCompExprPtr e_ttl = xmlXPathCtxtCompile(x, BAD_CAST "string(//head/title)");
	doc->title = text_of(eval(x, e_ttl, (xmlNodePtr)html, W_TEXT), false, opts);
	xmlXPathFreeCompExpr(e_ttl);

	x->node = (xmlNodePtr)html;
	items = xmlXPathCompiledEval(e_item, x);
	if (items && items->type == XPATH_NODESET && items->nodesetval) {
		xmlNodeSetPtr set = items->nodesetval;
		for (int i = 0; i < set->nodeNr && doc->items->len < FEED_MAX_ITEMS; i++) {
			xmlNodePtr n = set->nodeTab[i];
			struct hark_item *it = hark_item_new();
			char *date;

			it->id_is_permalink = false;
			it->title = text_of(eval(x, e_title, n, W_TEXT), false, opts);
			it->link = link_of(eval(x, e_link, n, W_LINK), base);
			it->content = text_of(eval(x, e_body, n, W_HTML), true, opts);
			it->author = text_of(eval(x, e_author, n, W_TEXT), false, opts);
			date = eval(x, e_date, n, W_DATE);
			it->published = hark_date_parse(date);
			g_free(date);
			/* the post's link is its identity on a page without ids */
			it->id = g_strdup(it->link);
			g_ptr_array_add(doc->items, it);
		}
	}
	doc->next_page = link_of(eval(x, e_next, (xmlNodePtr)html, W_LINK), base);
out:
	xmlXPathFreeObject(items);
	xmlXPathFreeCompExpr(e_item);
	xmlXPathFreeCompExpr(e_title);
	xmlXPathFreeCompExpr(e_link);
	xmlXPathFreeCompExpr(e_body);
	xmlXPathFreeCompExpr(e_author);
	xmlXPathFreeCompExpr(e_date);
	xmlXPathFreeCompExpr(e_next);
	xmlXPathFreeContext(x);
	xmlFreeDoc(html);
	g_free(base);
	return doc;
}
