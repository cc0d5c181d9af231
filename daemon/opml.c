/* opml.c - OPML import and export. */
#include "hark/opml.h"
#include "hark/error.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

static void opml_feed_free(gpointer p)
{
	struct hark_opml_feed *f = p;

	g_free(f->title);
	g_free(f->url);
	g_ptr_array_unref(f->tags);
	g_free(f);
}

static char *prop(xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = NULL;

	if (v) {
		s = g_strstrip(g_strdup((const char *)v));
		xmlFree(v);
		if (!*s)
			g_clear_pointer(&s, g_free);
	}
	return s;
}

static void add_tag(GPtrArray *tags, const char *t)
{
	char *name = hark_opml_feed_name(t, NULL);

	if (!*name) {
		g_free(name);
		return;
	}
	for (guint i = 0; i < tags->len; i++)
		if (!strcmp(tags->pdata[i], name)) {
			g_free(name);
			return;
		}
	g_ptr_array_add(tags, name);
}

/* Folders (outlines without xmlUrl) become tags of the feeds inside. */
static void walk(xmlNode *n, GPtrArray *folders, GPtrArray *out)
{
	for (; n; n = n->next) {
		char *url, *title, *cat;

		if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, (const xmlChar *)"outline"))
			continue;
		url = prop(n, "xmlUrl");
		title = prop(n, "title");
		if (!title)
			title = prop(n, "text");
		if (!url) {
			if (title)
				g_ptr_array_add(folders, title);
			walk(n->children, folders, out);
			if (title)
				g_ptr_array_remove_index(folders, folders->len - 1);
			g_free(title);
			continue;
		}
		struct hark_opml_feed *f = g_new0(struct hark_opml_feed, 1);
		f->url = url;
		f->title = title;
		f->tags = g_ptr_array_new_with_free_func(g_free);
		for (guint i = 0; i < folders->len; i++)
			add_tag(f->tags, folders->pdata[i]);
		cat = prop(n, "category");
		if (cat) {
			char **parts = g_strsplit_set(cat, ",/", -1);
			for (char **p = parts; *p; p++)
				add_tag(f->tags, g_strstrip(*p));
			g_strfreev(parts);
			g_free(cat);
		}
		g_ptr_array_add(out, f);
		walk(n->children, folders, out);
	}
}

GPtrArray *hark_opml_parse(const char *data, size_t len, GError **err)
{
	xmlDoc *doc;
	xmlNode *root, *body = NULL;
	GPtrArray *out, *folders;

	if (len > INT_MAX) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER, "OPML file too large");
		return NULL;
	}
	doc = xmlReadMemory(data, (int)len, NULL, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || xmlStrcmp(root->name, (const xmlChar *)"opml")) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "not an OPML file (no <opml> root element)");
		if (doc)
			xmlFreeDoc(doc);
		return NULL;
	}
	for (xmlNode *n = root->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, (const xmlChar *)"body"))
			body = n;
	out = g_ptr_array_new_with_free_func(opml_feed_free);
	folders = g_ptr_array_new();
	if (body)
		walk(body->children, folders, out);
	g_ptr_array_unref(folders);
	xmlFreeDoc(doc);
	return out;
}

char *hark_opml_feed_name(const char *title, const char *url)
{
	const char *src = title && *title ? title : url ? url : "";
	char *folded, *p;
	GString *s = g_string_new(NULL);

	if (src == url) {
		const char *h = strstr(src, "://");
		src = h ? h + 3 : src;
	}
	/* Strip accents by decomposing and keeping ASCII letters and digits. */
	folded = g_utf8_normalize(src, -1, G_NORMALIZE_NFD);
	for (p = folded ? folded : ""; *p; p++) {
		char c = g_ascii_tolower(*p);
		if (g_ascii_isalnum(c))
			g_string_append_c(s, c);
		else if ((unsigned char)c < 0x80 && s->len && s->str[s->len - 1] != '-')
			g_string_append_c(s, '-');
		if (s->len >= 48)
			break;
	}
	g_free(folded);
	while (s->len && s->str[s->len - 1] == '-')
		g_string_truncate(s, s->len - 1);
	return g_string_free(s, FALSE);
}

char *hark_opml_export(const struct hark_config *cfg)
{
	GString *s = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
				  "<opml version=\"2.0\">\n  <head>\n"
				  "    <title>hark feeds</title>\n  </head>\n  <body>\n");

	for (guint i = 0; i < cfg->feeds->len; i++) {
		const struct hark_feed_conf *f = cfg->feeds->pdata[i];
		char *name = g_markup_escape_text(f->name, -1);
		char *url = g_markup_escape_text(f->url, -1);
		char *tags;

		g_ptr_array_add(f->tags, NULL);
		tags = g_strjoinv(",", (char **)f->tags->pdata);
		g_ptr_array_remove_index(f->tags, f->tags->len - 1);
		char *etags = g_markup_escape_text(tags, -1);

		g_string_append_printf(s, "    <outline type=\"rss\" text=\"%s\" title=\"%s\" "
				       "xmlUrl=\"%s\"", name, name, url);
		if (*etags)
			g_string_append_printf(s, " category=\"%s\"", etags);
		g_string_append(s, "/>\n");
		g_free(name);
		g_free(url);
		g_free(tags);
		g_free(etags);
	}
	g_string_append(s, "  </body>\n</opml>\n");
	return g_string_free(s, FALSE);
}
