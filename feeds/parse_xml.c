/* parse_xml.c - RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 with one SAX pass.
 *
 * A streaming state machine over libxml2's SAX2 push parser: no tree is
 * built, text is gathered only for the fields we keep, and every item is
 * finished as soon as its end tag is seen.  The same machine serves all
 * formats because real feeds mix them (atom:link in RSS, dc:date in Atom).
 *
 * Broken feeds: a strict pass first; if the document is not well-formed it
 * is parsed again, leading junk and control characters removed, in
 * libxml2's recover mode, and the feed is flagged bozo with the first
 * error.  HTML entities such as &nbsp; (undefined in XML) are resolved to
 * their characters by our getEntity handler, also flagging bozo.
 *
 * Hostile input: no DTD loading, no entity declarations are ever stored
 * (entityDecl is not set), no network, libxml2's default limits.
 */
#include "parse_internal.h"

#include "hark/date.h"

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/uri.h>
#include <string.h>

#define NS_ATOM10 "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RSS10 "http://purl.org/rss/1.0/"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_FEEDBURNER "http://rssnamespace.org/feedburner/ext/1.0"
#define NS_ITUNES "http://www.itunes.com/dtds/podcast-1.0.dtd"
#define NS_XHTML "http://www.w3.org/1999/xhtml"

enum root_kind { ROOT_NONE, ROOT_RSS, ROOT_RDF, ROOT_ATOM, ROOT_OTHER };

enum field {
	F_NONE,
	F_TITLE,
	F_LINK,
	F_ID,
	F_AUTHOR,       /* RSS author: "email (Name)" */
	F_CREATOR,      /* dc:creator, itunes:author: a name */
	F_AUTHOR_NAME,  /* Atom author/name */
	F_AUTHOR_EMAIL, /* Atom author/email */
	F_SUMMARY,
	F_CONTENT,
	F_PUBLISHED,
	F_DCDATE,
	F_UPDATED,
	F_CATEGORY,
	F_ORIGLINK,
	F_FEED_TITLE,
	F_FEED_LINK,
};

/* How captured text is to be read. */
enum kind { K_PLAIN, K_HTML, K_XHTML };

struct base {
	char *url;  /* xml:base in effect at this depth */
	bool owned;
};

struct xml_state {
	const struct hark_parse_opts *opts;
	struct hark_feed_doc *doc;
	enum root_kind root;
	char *root_name;
	int depth;
	int channel_depth;  /* element whose children are feed fields */
	GArray *bases;      /* struct base per open element */

	struct hark_item *item;
	int item_depth;
	bool item_atom;
	char *creator;      /* dc:creator fallback for author */
	int64_t dcdate;
	char *author_name, *author_email;
	int author_depth;   /* open Atom <author>, or 0 */
	char *feed_author;  /* Atom: the feed's author applies to entries without one */

	enum field field;   /* text being captured, F_NONE if none */
	enum kind kind;
	int field_depth;
	bool markup;        /* capture serializes child elements */
	GString *buf;

	GHashTable *html_entities; /* name -> struct html_entity */
	char *entity_note;  /* first HTML entity met, for bozo_reason */
	char *nested_note;  /* feed root not at the top, for bozo_reason */
	char *first_error;
	int nitems;
	xmlParserCtxtPtr ctxt;
	bool too_deep;      /* stopped at FEED_MAX_DEPTH */
};

struct html_entity {
	xmlEntity ent;
	char name[40];
	char content[8];
};

/* --- helpers ------------------------------------------------------------ */

static bool streq(const xmlChar *a, const char *b)
{
	return a && !strcmp((const char *)a, b);
}

static const char *current_base(struct xml_state *st)
{
	if (st->bases->len)
		return g_array_index(st->bases, struct base, st->bases->len - 1).url;
	return st->opts ? st->opts->base_url : NULL;
}

/* Value of attribute LOCAL (no namespace) among SAX2 attributes. */
static const xmlChar *attr(int nattr, const xmlChar **attrs, const char *local,
			   size_t *len)
{
	for (int i = 0; i < nattr; i++) {
		const xmlChar **a = attrs + i * 5;
		if (a[2] == NULL && streq(a[0], local)) {
			*len = (size_t)(a[4] - a[3]);
			return a[3];
		}
	}
	return NULL;
}

/* A copy of attribute LOCAL's value.  Without entity substitution
 * (XML_PARSE_NOENT, which hostile input must never get) libxml2's SAX2
 * reports an "&amp;" in an attribute as the character reference "&#38;",
 * and only that: everything else arrives decoded.  So "&#38;" is turned
 * back into "&" here; a literal "&#38;" in the source came as
 * "&#38;#38;" and decodes correctly too. */
static char *attr_dup(int nattr, const xmlChar **attrs, const char *local)
{
	size_t len;
	const xmlChar *v = attr(nattr, attrs, local, &len);
	GString *s;

	if (!v)
		return NULL;
	s = g_string_sized_new(len);
	for (size_t i = 0; i < len; i++) {
		if (v[i] == '&' && len - i >= 5 && !memcmp(v + i, "&#38;", 5)) {
			g_string_append_c(s, '&');
			i += 4;
		} else {
			g_string_append_c(s, (char)v[i]);
		}
	}
	return g_string_free(s, FALSE);
}

/* Attribute LOCAL as an absolute URL (see attr_dup), or NULL. */
static char *attr_url(int nattr, const xmlChar **attrs, const char *local,
		      const char *base)
{
	char *v = attr_dup(nattr, attrs, local);
	char *u = v ? feed_resolve_url(v, strlen(v), base) : NULL;

	g_free(v);
	return u;
}

static bool attr_is(int nattr, const xmlChar **attrs, const char *local,
		    const char *want)
{
	size_t len;
	const xmlChar *v = attr(nattr, attrs, local, &len);

	return v && strlen(want) == len &&
	       !g_ascii_strncasecmp((const char *)v, want, len);
}

static bool is_rss_ns(const xmlChar *uri)
{
	return uri == NULL || streq(uri, NS_RSS10) || streq(uri, NS_RSS090) ||
	       streq(uri, "http://backend.userland.com/rss2") ||
	       streq(uri, "http://backend.userland.com/rss") ||
	       streq(uri, "http://blogs.law.harvard.edu/tech/rss");
}

static bool is_atom_ns(struct xml_state *st, const xmlChar *uri)
{
	return streq(uri, NS_ATOM10) || streq(uri, NS_ATOM03) ||
	       (uri == NULL && st->root == ROOT_ATOM);
}

/* Atom text constructs: type="text|html|xhtml", or 0.3's MIME types and
 * mode="escaped|xml|base64". */
static enum kind atom_kind(int nattr, const xmlChar **attrs)
{
	size_t len;
	const xmlChar *type = attr(nattr, attrs, "type", &len);
	const xmlChar *mode = attr(nattr, attrs, "mode", &len);
	char t[64];

	if (mode && !xmlStrncasecmp(mode, BAD_CAST "xml", 3))
		return K_XHTML;
	if (!type)
		return mode && !xmlStrncasecmp(mode, BAD_CAST "escaped", 7) ? K_HTML : K_PLAIN;
	/* attribute values are not NUL-terminated in SAX2 */
	attr(nattr, attrs, "type", &len);
	len = MIN(len, sizeof t - 1);
	memcpy(t, type, len);
	t[len] = '\0';
	if (!g_ascii_strcasecmp(t, "html") || !g_ascii_strcasecmp(t, "text/html"))
		return K_HTML;
	if (!g_ascii_strcasecmp(t, "xhtml") || !g_ascii_strcasecmp(t, "application/xhtml+xml"))
		return K_XHTML;
	return K_PLAIN;
}

static void capture(struct xml_state *st, enum field f, enum kind kind)
{
	st->field = f;
	st->kind = kind;
	st->field_depth = st->depth;
	st->markup = kind != K_PLAIN;
	g_string_truncate(st->buf, 0);
}

static void append_escaped(GString *buf, const char *s, size_t len, bool quot)
{
	const char *end = s + len, *run = s;

	for (; s < end; s++) {
		const char *rep = NULL;
		if (*s == '<')
			rep = "&lt;";
		else if (*s == '&')
			rep = "&amp;";
		else if (*s == '>')
			rep = "&gt;";
		else if (quot && *s == '"')
			rep = "&quot;";
		if (rep) {
			feed_buf_append(buf, run, (size_t)(s - run));
			feed_buf_append(buf, rep, strlen(rep));
			run = s + 1;
		}
	}
	feed_buf_append(buf, run, (size_t)(s - run));
}

/* --- finishing fields --------------------------------------------------- */

static char *take_text(struct xml_state *st)
{
	bool keep = st->opts && st->opts->keep_html;

	return feed_text(st->buf->str, st->buf->len, st->kind != K_PLAIN, keep);
}

static void set_once(char **slot, char *value)
{
	if (!*slot && value && *value) {
		*slot = value;
		return;
	}
	g_free(value);
}

static void finish_field(struct xml_state *st)
{
	struct hark_item *it = st->item;
	GString *b = st->buf;
	enum field f = st->field;

	st->field = F_NONE;
	switch (f) {
	case F_NONE:
		break;
	case F_TITLE:
		set_once(&it->title, take_text(st));
		break;
	case F_SUMMARY:
		set_once(&it->summary, take_text(st));
		break;
	case F_CONTENT:
		set_once(&it->content, take_text(st));
		break;
	case F_LINK:
		set_once(&it->link, feed_resolve_url(b->str, b->len, current_base(st)));
		break;
	case F_ORIGLINK:
		set_once(&it->orig_link, feed_resolve_url(b->str, b->len, current_base(st)));
		break;
	case F_ID:
		set_once(&it->id, feed_text(b->str, b->len, false, false));
		break;
	case F_AUTHOR:
		set_once(&it->author, feed_rss_author(b->str));
		break;
	case F_CREATOR:
		set_once(&st->creator, feed_text(b->str, b->len, false, false));
		break;
	case F_AUTHOR_NAME:
		set_once(&st->author_name, feed_text(b->str, b->len, false, false));
		break;
	case F_AUTHOR_EMAIL:
		set_once(&st->author_email, feed_text(b->str, b->len, false, false));
		break;
	case F_PUBLISHED:
		if (it->published == HARK_TIME_NONE)
			it->published = hark_date_parse(b->str);
		break;
	case F_DCDATE:
		if (st->dcdate == HARK_TIME_NONE)
			st->dcdate = hark_date_parse(b->str);
		break;
	case F_UPDATED:
		if (it->updated == HARK_TIME_NONE)
			it->updated = hark_date_parse(b->str);
		break;
	case F_CATEGORY:
		if (it->categories->len < FEED_MAX_LIST) {
			char *c = feed_text(b->str, b->len, false, false);
			if (*c)
				g_ptr_array_add(it->categories, c);
			else
				g_free(c);
		}
		break;
	case F_FEED_TITLE:
		set_once(&st->doc->title, take_text(st));
		break;
	case F_FEED_LINK:
		set_once(&st->doc->link, feed_resolve_url(b->str, b->len, current_base(st)));
		break;
	}
}

static void start_item(struct xml_state *st, bool atom)
{
	st->item = hark_item_new();
	st->item_depth = st->depth;
	st->item_atom = atom;
	if (atom)
		st->item->id_is_permalink = false;
	st->dcdate = HARK_TIME_NONE;
}

static void finish_author(struct xml_state *st, char **slot)
{
	if (st->author_name || st->author_email)
		set_once(slot, feed_author(st->author_name, st->author_email));
	g_clear_pointer(&st->author_name, g_free);
	g_clear_pointer(&st->author_email, g_free);
	st->author_depth = 0;
}

static void end_item(struct xml_state *st)
{
	struct hark_item *it = st->item;

	if (st->field != F_NONE)
		finish_field(st);
	if (st->author_depth)
		finish_author(st, &it->author);
	if (!it->author && st->creator) {
		it->author = st->creator;
		st->creator = NULL;
	}
	g_clear_pointer(&st->creator, g_free);
	if (it->published == HARK_TIME_NONE)
		it->published = st->dcdate;
	/* RSS: a permalink guid is the item's link when <link> is missing. */
	if (!it->link && it->id && it->id_is_permalink &&
	    (g_str_has_prefix(it->id, "http://") || g_str_has_prefix(it->id, "https://")))
		it->link = g_strdup(it->id);
	if (st->nitems < FEED_MAX_ITEMS)
		g_ptr_array_add(st->doc->items, it);
	else
		hark_item_free(it);
	st->nitems++;
	st->item = NULL;
}

/* --- SAX callbacks ------------------------------------------------------ */

/* Recognises a feed's root element; returns false for anything else. */
static bool enter_root(struct xml_state *st, const xmlChar *local, const xmlChar *uri,
		       int nattr, const xmlChar **attrs)
{
	struct hark_feed_doc *doc = st->doc;

	if (streq(local, "rss")) {
		char *v = attr_dup(nattr, attrs, "version");
		st->root = ROOT_RSS;
		g_free(doc->format);
		if (v && *v)
			doc->format = g_strdup_printf("rss%s", g_strstrip(v));
		else
			doc->format = g_strdup("rss");
		if (doc->format[3] == '2')
			g_free(doc->format), doc->format = g_strdup("rss2.0");
		g_free(v);
	} else if (streq(local, "RDF") || (streq(local, "rdf") && uri == NULL)) {
		st->root = ROOT_RDF;
		g_free(doc->format);
		doc->format = g_strdup("rss1.0");
	} else if (streq(local, "feed") &&
		   (uri == NULL || streq(uri, NS_ATOM10) || streq(uri, NS_ATOM03))) {
		st->root = ROOT_ATOM;
		st->channel_depth = st->depth;
		g_free(doc->format);
		if (streq(uri, NS_ATOM03) || attr_is(nattr, attrs, "version", "0.3"))
			doc->format = g_strdup("atom0.3");
		else
			doc->format = g_strdup("atom1.0");
	} else if (streq(local, "channel") && uri == NULL) {
		/* RSS 0.9x fragments without the <rss> wrapper */
		st->root = ROOT_RSS;
		st->channel_depth = st->depth;
		g_free(doc->format);
		doc->format = g_strdup("rss");
	} else {
		return false;
	}
	return true;
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
		     const xmlChar *uri, int nns, const xmlChar **ns, int nattr,
		     int ndefaulted, const xmlChar **attrs)
{
	struct xml_state *st = ctx;
	struct base b = {NULL, false};

	(void)prefix;
	(void)nns;
	(void)ns;
	(void)ndefaulted;
	st->depth++;
	/* libxml2's push parser does not enforce its own depth limit. */
	if (st->depth > FEED_MAX_DEPTH && !st->too_deep) {
		st->too_deep = true;
		if (!st->first_error)
			st->first_error = g_strdup_printf("elements nested deeper than %d",
							  FEED_MAX_DEPTH);
		xmlStopParser(st->ctxt);
	}

	/* xml:base */
	for (int i = 0; i < nattr; i++) {
		const xmlChar **a = attrs + i * 5;
		if (streq(a[0], "base") && streq(a[2], (const char *)XML_XML_NAMESPACE)) {
			char *v = g_strndup((const char *)a[3], (size_t)(a[4] - a[3]));
			const char *cur = current_base(st);
			b.url = cur ? (char *)xmlBuildURI(BAD_CAST v, BAD_CAST cur) : NULL;
			if (b.url) {
				/* xmlBuildURI's memory belongs to xmlFree */
				char *g = g_strdup(b.url);
				xmlFree(b.url);
				b.url = g;
				g_free(v);
			} else {
				b.url = v;
			}
			b.owned = true;
			break;
		}
	}
	if (!b.url)
		b.url = (char *)current_base(st);
	g_array_append_val(st->bases, b);

	if (st->depth == 1) {
		st->root_name = g_strdup((const char *)local);
		if (!enter_root(st, local, uri, nattr, attrs))
			st->root = ROOT_OTHER;
		return;
	}
	/* Not a feed's root: look for one further down (a feed wrapped in
	 * an HTML page, say), and take bare RSS <item>s as a last resort. */
	if (st->root == ROOT_OTHER && !st->item && st->field == F_NONE) {
		if (enter_root(st, local, uri, nattr, attrs)) {
			if (!st->nested_note)
				st->nested_note = g_strdup_printf("feed element <%s> inside <%s>",
								  (const char *)local, st->root_name);
			return;
		}
		if (!(uri == NULL && streq(local, "item")))
			return;
		if (!st->nested_note)
			st->nested_note = g_strdup_printf("<item> elements without a feed root, in <%s>",
							  st->root_name);
		g_free(st->doc->format);
		st->doc->format = g_strdup("rss");
		start_item(st, false);
		return;
	}

	/* Inside a captured field: serialize markup, or just skip it. */
	if (st->field != F_NONE) {
		if (st->markup) {
			feed_buf_append(st->buf, "<", 1);
			feed_buf_append(st->buf, (const char *)local, strlen((const char *)local));
			for (int i = 0; i < nattr; i++) {
				const xmlChar **a = attrs + i * 5;
				feed_buf_append(st->buf, " ", 1);
				feed_buf_append(st->buf, (const char *)a[0], strlen((const char *)a[0]));
				feed_buf_append(st->buf, "=\"", 2);
				append_escaped(st->buf, (const char *)a[3], (size_t)(a[4] - a[3]), true);
				feed_buf_append(st->buf, "\"", 1);
			}
			feed_buf_append(st->buf, ">", 1);
		}
		return;
	}

	bool rss = is_rss_ns(uri);
	bool atom = is_atom_ns(st, uri);

	if (!st->item) {
		if (st->root == ROOT_RDF && st->depth == 2 && streq(uri, NS_RSS090))
			g_free(st->doc->format), st->doc->format = g_strdup("rss0.90");
		if ((rss && streq(local, "item") && st->root != ROOT_ATOM) ||
		    (atom && streq(local, "entry"))) {
			start_item(st, atom);
			return;
		}
		if (rss && streq(local, "channel") && st->channel_depth == 0) {
			st->channel_depth = st->depth;
			return;
		}
		if (st->author_depth && st->depth == st->author_depth + 1) {
			if (atom && streq(local, "name"))
				capture(st, F_AUTHOR_NAME, K_PLAIN);
			else if (atom && streq(local, "email"))
				capture(st, F_AUTHOR_EMAIL, K_PLAIN);
			return;
		}
		if (st->depth != st->channel_depth + 1 || st->channel_depth == 0)
			return;
		if (atom && st->root == ROOT_ATOM && streq(local, "author") && !st->feed_author) {
			st->author_depth = st->depth;
			return;
		}
		if ((rss || atom) && streq(local, "title"))
			capture(st, F_FEED_TITLE, atom ? atom_kind(nattr, attrs) : K_HTML);
		else if (atom && streq(local, "link")) {
			if (!st->doc->link && (attr_is(nattr, attrs, "rel", "alternate") ||
					       !attr(nattr, attrs, "rel", &(size_t){0}))) {
				st->doc->link = attr_url(nattr, attrs, "href",
							 current_base(st));
			}
		} else if (rss && streq(local, "link")) {
			capture(st, F_FEED_LINK, K_PLAIN);
		}
		return;
	}

	struct hark_item *it = st->item;

	/* Atom <author><name/><email/></author> */
	if (st->author_depth && st->depth == st->author_depth + 1) {
		if (atom && streq(local, "name"))
			capture(st, F_AUTHOR_NAME, K_PLAIN);
		else if (atom && streq(local, "email"))
			capture(st, F_AUTHOR_EMAIL, K_PLAIN);
		return;
	}
	if (st->depth != st->item_depth + 1)
		return;

	if ((rss || atom) && streq(local, "title")) {
		capture(st, F_TITLE, atom ? atom_kind(nattr, attrs) : K_HTML);
	} else if (atom && streq(local, "link")) {
		const xmlChar *rel = attr(nattr, attrs, "rel", &(size_t){0});
		if (!attr(nattr, attrs, "href", &(size_t){0}))
			return;
		if (!rel || attr_is(nattr, attrs, "rel", "alternate")) {
			if (!it->link)
				it->link = attr_url(nattr, attrs, "href", current_base(st));
		} else if (attr_is(nattr, attrs, "rel", "enclosure") &&
			   it->enclosures->len < FEED_MAX_LIST) {
			char *u = attr_url(nattr, attrs, "href", current_base(st));
			if (u)
				g_ptr_array_add(it->enclosures, u);
		}
	} else if (rss && streq(local, "link")) {
		capture(st, F_LINK, K_PLAIN);
	} else if (rss && streq(local, "guid")) {
		if (attr_is(nattr, attrs, "isPermaLink", "false"))
			it->id_is_permalink = false;
		capture(st, F_ID, K_PLAIN);
	} else if (atom && streq(local, "id")) {
		capture(st, F_ID, K_PLAIN);
	} else if (rss && streq(local, "description")) {
		capture(st, F_SUMMARY, K_HTML);
	} else if (atom && streq(local, "summary")) {
		capture(st, F_SUMMARY, atom_kind(nattr, attrs));
	} else if (atom && streq(local, "content")) {
		if (!attr(nattr, attrs, "src", &(size_t){0}))
			capture(st, F_CONTENT, atom_kind(nattr, attrs));
	} else if (streq(uri, NS_CONTENT) && streq(local, "encoded")) {
		capture(st, F_CONTENT, K_HTML);
	} else if ((rss && streq(local, "pubDate")) ||
		   (atom && (streq(local, "published") || streq(local, "issued")))) {
		capture(st, F_PUBLISHED, K_PLAIN);
	} else if ((atom && (streq(local, "updated") || streq(local, "modified"))) ||
		   (streq(uri, NS_DCTERMS) && streq(local, "modified"))) {
		capture(st, F_UPDATED, K_PLAIN);
	} else if (streq(uri, NS_DC) && streq(local, "date")) {
		capture(st, F_DCDATE, K_PLAIN);
	} else if (rss && streq(local, "author")) {
		capture(st, F_AUTHOR, K_PLAIN);
	} else if (atom && streq(local, "author")) {
		if (!it->author)
			st->author_depth = st->depth;
	} else if ((streq(uri, NS_DC) && streq(local, "creator")) ||
		   (streq(uri, NS_ITUNES) && streq(local, "author"))) {
		capture(st, F_CREATOR, K_PLAIN);
	} else if ((rss && streq(local, "category")) ||
		   (streq(uri, NS_DC) && streq(local, "subject"))) {
		capture(st, F_CATEGORY, K_PLAIN);
	} else if (atom && streq(local, "category")) {
		char *term = attr_dup(nattr, attrs, "term");
		if (!term || !*term) {
			g_free(term);
			term = attr_dup(nattr, attrs, "label");
		}
		if (term && it->categories->len < FEED_MAX_LIST) {
			char *c = feed_text(term, strlen(term), false, false);
			if (*c)
				g_ptr_array_add(it->categories, c);
			else
				g_free(c);
		}
		g_free(term);
	} else if (rss && streq(local, "enclosure")) {
		if (it->enclosures->len < FEED_MAX_LIST) {
			char *url = attr_url(nattr, attrs, "url", current_base(st));
			if (url)
				g_ptr_array_add(it->enclosures, url);
		}
	} else if (streq(uri, NS_FEEDBURNER) && streq(local, "origLink")) {
		capture(st, F_ORIGLINK, K_PLAIN);
	}
}

static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
		   const xmlChar *uri)
{
	struct xml_state *st = ctx;

	(void)prefix;
	(void)uri;
	if (st->depth <= 0)
		return;
	if (st->field != F_NONE) {
		if (st->depth == st->field_depth)
			finish_field(st);
		else if (st->markup) {
			feed_buf_append(st->buf, "</", 2);
			feed_buf_append(st->buf, (const char *)local, strlen((const char *)local));
			feed_buf_append(st->buf, ">", 1);
		}
	} else if (st->depth == st->author_depth) {
		finish_author(st, st->item ? &st->item->author : &st->feed_author);
	} else if (st->item && st->depth == st->item_depth) {
		end_item(st);
	} else if (st->depth == st->channel_depth && st->root != ROOT_ATOM) {
		st->channel_depth = 0;
	}
	struct base *b = &g_array_index(st->bases, struct base, st->bases->len - 1);
	if (b->owned)
		g_free(b->url);
	g_array_set_size(st->bases, st->bases->len - 1);
	st->depth--;
}

static void on_text(void *ctx, const xmlChar *text, int len)
{
	struct xml_state *st = ctx;

	if (st->field == F_NONE || len <= 0)
		return;
	if (st->kind == K_XHTML)
		append_escaped(st->buf, (const char *)text, (size_t)len, false);
	else
		feed_buf_append(st->buf, (const char *)text, (size_t)len);
}

/* CDATA in an XHTML construct is text; elsewhere it is the field's raw
 * value (usually escaped-free HTML). */
static void on_cdata(void *ctx, const xmlChar *text, int len)
{
	on_text(ctx, text, len);
}

/* Undefined entities: resolve HTML's (&nbsp;, &eacute;...) to their
 * character, as browsers and feed readers do.  Nothing else is ever
 * resolved, so no entity can expand to more than one character. */
static xmlEntityPtr on_get_entity(void *ctx, const xmlChar *name)
{
	struct xml_state *st = ctx;
	struct html_entity *he;
	const htmlEntityDesc *desc;

	if (!name || strlen((const char *)name) >= sizeof he->name)
		return NULL;
	he = g_hash_table_lookup(st->html_entities, name);
	if (he)
		return &he->ent;
	desc = htmlEntityLookup(name);
	if (!desc)
		return NULL;
	he = g_new0(struct html_entity, 1);
	g_strlcpy(he->name, (const char *)name, sizeof he->name);
	g_unichar_to_utf8(desc->value, he->content);
	he->ent.type = XML_ENTITY_DECL;
	he->ent.etype = XML_INTERNAL_PREDEFINED_ENTITY;
	he->ent.name = BAD_CAST he->name;
	he->ent.content = BAD_CAST he->content;
	he->ent.length = (int)strlen(he->content);
	g_hash_table_insert(st->html_entities, he->name, he);
	if (!st->entity_note)
		st->entity_note = g_strdup_printf("undefined entity &%s; read as HTML", name);
	return &he->ent;
}

static void on_error(void *ctx, xmlErrorPtr e)
{
	struct xml_state *st = ctx;

	if (!st || !e || e->level < XML_ERR_FATAL)
		return;
	if (!st->first_error) {
		char *msg = g_strstrip(g_strdup(e->message ? e->message : "error"));
		st->first_error = g_strdup_printf("line %d: %s", e->line, msg);
		g_free(msg);
	}
}

/* --- driver ------------------------------------------------------------- */

static void state_reset(struct xml_state *st)
{
	if (st->item)
		hark_item_free(st->item);
	st->item = NULL;
	for (guint i = 0; i < st->bases->len; i++) {
		struct base *b = &g_array_index(st->bases, struct base, i);
		if (b->owned)
			g_free(b->url);
	}
	g_array_set_size(st->bases, 0);
	g_clear_pointer(&st->creator, g_free);
	g_clear_pointer(&st->feed_author, g_free);
	g_clear_pointer(&st->author_name, g_free);
	g_clear_pointer(&st->author_email, g_free);
	g_clear_pointer(&st->root_name, g_free);
	g_clear_pointer(&st->first_error, g_free);
	g_clear_pointer(&st->entity_note, g_free);
	g_clear_pointer(&st->nested_note, g_free);
	hark_feed_doc_free(st->doc);
	st->doc = hark_feed_doc_new();
	st->root = ROOT_NONE;
	st->depth = 0;
	st->channel_depth = 0;
	st->author_depth = 0;
	st->field = F_NONE;
	st->nitems = 0;
	st->too_deep = false;
}

/* One pass; returns true when the document was well-formed. */
static bool run_pass(struct xml_state *st, const char *data, size_t len, bool recover)
{
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;
	bool ok;

	memset(&sax, 0, sizeof sax);
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_text;
	sax.cdataBlock = on_cdata;
	sax.getEntity = on_get_entity;
	sax.serror = on_error;

	state_reset(st);
	/* user data is our state, never the context: with userData == ctxt
	 * libxml2 would look up entities declared in the DTD (which it keeps
	 * "for expat compatibility" even in SAX mode) and expand them. */
	ctxt = xmlCreatePushParserCtxt(&sax, st, NULL, 0, NULL);
	if (!ctxt)
		return false;
	st->ctxt = ctxt;
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET |
				(recover ? XML_PARSE_RECOVER : 0));
	/* Chunks keep libxml2's input buffer small. */
	const size_t chunk = 1 << 16;
	size_t off = 0;
	while (off < len) {
		size_t n = MIN(chunk, len - off);
		if (xmlParseChunk(ctxt, data + off, (int)n, 0) != 0 && !recover)
			break;
		if (ctxt->instate == XML_PARSER_EOF)
			break;
		off += n;
	}
	if (ctxt->instate != XML_PARSER_EOF)
		xmlParseChunk(ctxt, NULL, 0, 1);
	ok = ctxt->wellFormed && st->root != ROOT_NONE;
	if ((recover || st->too_deep) && st->item)
		end_item(st);
	if (!st->first_error && !ctxt->wellFormed)
		st->first_error = g_strdup("not well-formed");
	/* SAX mode may still have built a document for the DTD's entities */
	if (ctxt->myDoc)
		xmlFreeDoc(ctxt->myDoc);
	ctxt->myDoc = NULL;
	xmlFreeParserCtxt(ctxt);
	st->ctxt = NULL;
	return ok && !st->too_deep;
}

/* Code point of the named reference at P (after '&', up to ';'), or 0. */
static unsigned named_ref(const char *p, const char *end, size_t *len)
{
	static const struct { const char *name; unsigned cp; } xml[] = {
		{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''},
	};
	char name[40];
	size_t n = 0;

	while (p + n < end && n < sizeof name - 1 && (g_ascii_isalnum(p[n])))
		n++;
	if (!n || p + n >= end || p[n] != ';')
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	*len = n + 1;
	for (size_t i = 0; i < G_N_ELEMENTS(xml); i++)
		if (!strcmp(name, xml[i].name))
			return xml[i].cp;
	const htmlEntityDesc *d = htmlEntityLookup(BAD_CAST name);
	return d ? d->value : 0;
}

/* Copy for the recover pass, with the usual breakage repaired so that
 * libxml2's recovery has less to do: leading junk before the first '<'
 * removed, C0 controls turned into spaces, and every named entity
 * reference rewritten as a character reference (HTML names included, a
 * bare '&' as "&#38;").  The rewrite matters: once a document is not
 * well-formed libxml2 drops named references, even &lt;, but keeps
 * character references.  CDATA sections are copied untouched. */
static char *cleaned_copy(const char *data, size_t len, size_t *out_len)
{
	const char *lt = memchr(data, '<', len);
	const char *p = lt ? lt : data + len, *end = data + len;
	GString *o = g_string_sized_new(len + len / 8 + 16);

	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (c == '<' && end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
			const char *close = g_strstr_len(p + 9, end - p - 9, "]]>");
			const char *stop = close ? close + 3 : end;
			for (const char *q = p; q < stop; q++) {
				unsigned char d = (unsigned char)*q;
				g_string_append_c(o, d < 0x20 && d != '\t' && d != '\n' && d != '\r' ? ' ' : (char)d);
			}
			p = stop;
		} else if (c == '&') {
			size_t n = 0;
			unsigned cp;
			if (p + 1 < end && p[1] == '#') {
				const char *q = p + 2;
				bool hex = q < end && (*q == 'x' || *q == 'X');
				if (hex)
					q++;
				const char *digits = q;
				while (q < end && (hex ? g_ascii_isxdigit(*q) : g_ascii_isdigit(*q)))
					q++;
				if (q > digits && q - digits <= 8 && q < end && *q == ';') {
					g_string_append_len(o, p, q + 1 - p);
					p = q + 1;
					continue;
				}
				g_string_append(o, "&#38;");
				p++;
			} else if ((cp = named_ref(p + 1, end, &n))) {
				g_string_append_printf(o, "&#%u;", cp);
				p += 1 + n;
			} else {
				g_string_append(o, "&#38;");
				p++;
			}
		} else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			g_string_append_c(o, ' ');
			p++;
		} else {
			/* copy a run of ordinary bytes */
			const char *q = p + 1;
			while (q < end && *q != '&' && *q != '<' && (unsigned char)*q >= 0x20)
				q++;
			g_string_append_len(o, p, q - p);
			p = q;
		}
	}
	*out_len = o->len;
	return g_string_free(o, FALSE);
}

static void html_entity_free(gpointer p)
{
	g_free(p);
}

struct hark_feed_doc *feed_parse_xml(const char *data, size_t len,
				     const struct hark_parse_opts *opts,
				     char **not_feed_root)
{
	struct xml_state st = {0};
	struct hark_feed_doc *doc = NULL;
	bool ok;

	*not_feed_root = NULL;
	st.opts = opts;
	st.buf = g_string_sized_new(1024);
	st.bases = g_array_new(FALSE, FALSE, sizeof(struct base));
	st.html_entities = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
						 html_entity_free);

	ok = run_pass(&st, data, len, false);
	if (st.too_deep) {
		/* a second pass would stop at the same place */
		st.doc->bozo = true;
		st.doc->bozo_reason = g_strdup(st.first_error);
	} else if (!ok) {
		char *reason = g_strdup(st.first_error ? st.first_error : "not well-formed");
		size_t clen;
		char *clean = cleaned_copy(data, len, &clen);
		run_pass(&st, clean, clen, true);
		g_free(clean);
		g_free(st.doc->bozo_reason);
		st.doc->bozo = true;
		st.doc->bozo_reason = reason;
	} else if (st.entity_note || st.nested_note) {
		st.doc->bozo = true;
		st.doc->bozo_reason = g_strdup(st.nested_note ? st.nested_note : st.entity_note);
	}
	if (st.feed_author) {
		for (guint i = 0; i < st.doc->items->len; i++) {
			struct hark_item *it = g_ptr_array_index(st.doc->items, i);
			if (!it->author)
				it->author = g_strdup(st.feed_author);
		}
	}
	if (st.root == ROOT_NONE || (st.root == ROOT_OTHER && !st.doc->format)) {
		*not_feed_root = g_strdup(st.root_name);
	} else {
		doc = st.doc;
		st.doc = NULL;
	}
	state_reset(&st);
	hark_feed_doc_free(st.doc);
	g_array_free(st.bases, TRUE);
	g_string_free(st.buf, TRUE);
	g_hash_table_destroy(st.html_entities);
	return doc;
}
