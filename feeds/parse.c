/* parse.c - hark_feed_parse(): charset handling and format detection.
 *
 * Bytes are first turned into valid UTF-8 (charset from the HTTP header,
 * then the BOM, then the XML declaration or HTML <meta>; invalid sequences
 * replaced by U+FFFD), then handed to the parser for the format found in
 * the content: JSON Feed when the first character is '{', the HTML+XPath
 * reader when selectors were given, XML feeds otherwise.
 */
#include "hark/parse.h"

#include "hark/error.h"
#include "hark/htmltext.h"
#include "parse_internal.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/uri.h>
#include <string.h>

/* --- small shared helpers ----------------------------------------------- */

void feed_buf_append(GString *buf, const char *s, size_t len)
{
	if (buf->len + len > FEED_MAX_FIELD) {
		if (buf->len >= FEED_MAX_FIELD)
			return;
		len = FEED_MAX_FIELD - buf->len;
		/* do not cut a UTF-8 sequence in half */
		while (len && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	g_string_append_len(buf, s, (gssize)len);
}

static void trim(const char **s, size_t *len)
{
	while (*len && g_ascii_isspace(**s))
		(*s)++, (*len)--;
	while (*len && g_ascii_isspace((*s)[*len - 1]))
		(*len)--;
}

char *feed_text(const char *s, size_t len, bool is_html, bool keep_html)
{
	if (keep_html) {
		trim(&s, &len);
		if (!feed_utf8_valid(s, len))
			return g_utf8_make_valid(s, (gssize)len);
		return g_strndup(s, len);
	}
	return is_html ? hark_html_to_text(s, len) : hark_text_clean(s, len);
}

char *feed_resolve_url(const char *url, size_t len, const char *base)
{
	char *u, *abs;

	trim(&url, &len);
	if (!len || len > 8192)
		return NULL;
	u = g_strndup(url, len);
	if (!base || !*base || memchr(u, '\0', len))
		return u;
	abs = (char *)xmlBuildURI(BAD_CAST u, BAD_CAST base);
	if (!abs)
		return u;
	g_free(u);
	u = g_strdup(abs);
	xmlFree(abs);
	return u;
}

char *feed_author(const char *name, const char *email)
{
	if (name && *name && email && *email)
		return g_strdup_printf("%s <%s>", name, email);
	if (name && *name)
		return g_strdup(name);
	return g_strdup(email ? email : "");
}

/* "joe@example.com (Joe Bloggs)" -> "Joe Bloggs <joe@example.com>" */
char *feed_rss_author(const char *s)
{
	char *clean = hark_text_clean(s, strlen(s));
	char *open = strchr(clean, '(');
	size_t n = strlen(clean);

	if (open && n && clean[n - 1] == ')' && open > clean) {
		char *email = g_strstrip(g_strndup(clean, (size_t)(open - clean)));
		char *name = g_strstrip(g_strndup(open + 1, n - (size_t)(open - clean) - 2));
		if (strchr(email, '@') && !strchr(email, ' ') && *name) {
			char *out = feed_author(name, email);
			g_free(email);
			g_free(name);
			g_free(clean);
			return out;
		}
		g_free(email);
		g_free(name);
	}
	return clean;
}

/* --- charsets ------------------------------------------------------------ */

/* charset= parameter of a Content-Type value, or NULL. */
static char *header_charset(const char *ct)
{
	const char *p;
	size_t n = 0;

	if (!ct)
		return NULL;
	for (p = ct; *p; p++)
		if (!g_ascii_strncasecmp(p, "charset=", 8))
			break;
	if (!*p)
		return NULL;
	p += 8;
	if (*p == '"' || *p == '\'')
		p++;
	while (p[n] && (g_ascii_isalnum(p[n]) || strchr("-_.:", p[n])))
		n++;
	return n && n < 40 ? g_strndup(p, n) : NULL;
}

/* encoding="..." in an XML declaration at the start of DATA (ASCII
 * compatible bytes), or NULL. */
static char *xml_decl_charset(const char *data, size_t len)
{
	size_t i = 0, n = 0;
	const char *end, *p;

	while (i < len && g_ascii_isspace(data[i]))
		i++;
	if (len - i < 6 || memcmp(data + i, "<?xml", 5))
		return NULL;
	end = memchr(data + i, '>', MIN(len - i, 512));
	if (!end)
		return NULL;
	for (p = data + i; p + 9 < end; p++)
		if (!memcmp(p, "encoding", 8))
			break;
	if (p + 9 >= end)
		return NULL;
	p += 8;
	while (p < end && (*p == ' ' || *p == '='))
		p++;
	if (p >= end || (*p != '"' && *p != '\''))
		return NULL;
	p++;
	while (p + n < end && (g_ascii_isalnum(p[n]) || strchr("-_.:", p[n])))
		n++;
	return n && n < 40 ? g_strndup(p, n) : NULL;
}

/* Span [*START, *END) of the encoding="..." pseudo-attribute of an XML
 * declaration at the start of DATA, including the value's quotes. */
static bool xml_decl_encoding_span(const char *data, size_t len, size_t *start, size_t *end)
{
	size_t i = 0;
	const char *gt, *p, *q;

	while (i < len && g_ascii_isspace(data[i]))
		i++;
	if (len - i < 6 || memcmp(data + i, "<?xml", 5))
		return false;
	gt = memchr(data + i, '>', MIN(len - i, 512));
	if (!gt)
		return false;
	for (p = data + i; p + 9 < gt; p++)
		if (!memcmp(p, "encoding", 8))
			break;
	if (p + 9 >= gt)
		return false;
	q = p + 8;
	while (q < gt && (*q == ' ' || *q == '='))
		q++;
	if (q >= gt || (*q != '"' && *q != '\''))
		return false;
	const char *close = memchr(q + 1, *q, (size_t)(gt - q - 1));
	if (!close)
		return false;
	*start = (size_t)(p - data);
	*end = (size_t)(close + 1 - data);
	return true;
}

/* <meta charset="x"> or <meta ... content="text/html; charset=x"> in the
 * first 2 KiB of an HTML page. */
static char *html_meta_charset(const char *data, size_t len)
{
	char *head = g_ascii_strdown(data, (gssize)MIN(len, 2048));
	char *p = head, *out = NULL;

	while ((p = strstr(p, "<meta"))) {
		char *gt = strchr(p, '>');
		char *cs = strstr(p, "charset=");
		if (!gt)
			break;
		if (cs && cs < gt) {
			cs += 8;
			while (*cs == '"' || *cs == '\'' || *cs == ' ')
				cs++;
			size_t n = 0;
			while (cs[n] && (g_ascii_isalnum(cs[n]) || strchr("-_.:", cs[n])))
				n++;
			if (n && n < 40)
				out = g_strndup(cs, n);
			break;
		}
		p = gt;
	}
	g_free(head);
	return out;
}

static bool is_utf8_name(const char *cs)
{
	return !g_ascii_strcasecmp(cs, "utf-8") || !g_ascii_strcasecmp(cs, "utf8") ||
	       !g_ascii_strcasecmp(cs, "us-ascii") || !g_ascii_strcasecmp(cs, "ascii");
}

static bool is_wide_name(const char *cs)
{
	return !g_ascii_strncasecmp(cs, "utf-16", 6) || !g_ascii_strncasecmp(cs, "utf16", 5) ||
	       !g_ascii_strncasecmp(cs, "utf-32", 6) || !g_ascii_strncasecmp(cs, "ucs", 3);
}

/* Converts with iconv, replacing undecodable bytes by U+FFFD. */
static char *convert(const char *data, size_t len, const char *charset,
		     size_t *out_len, bool *repaired, bool *unknown)
{
	GIConv cd = g_iconv_open("UTF-8", charset);
	size_t cap = len * 2 + 16, used = 0;
	char *out;
	gchar *in = (gchar *)data;
	gsize inleft = len;

	*unknown = false;
	if (cd == (GIConv)-1) {
		*unknown = true;
		return NULL;
	}
	out = g_malloc(cap + 1);
	while (inleft) {
		gchar *o = out + used;
		gsize oleft = cap - used;
		gsize r = g_iconv(cd, &in, &inleft, &o, &oleft);
		used = (size_t)(o - out);
		if (r != (gsize)-1)
			break;
		if (errno == E2BIG) {
			cap = cap * 2;
			out = g_realloc(out, cap + 1);
		} else {
			/* EILSEQ or EINVAL (truncated at the end): skip a byte */
			if (cap - used < 3) {
				cap = cap * 2;
				out = g_realloc(out, cap + 1);
			}
			memcpy(out + used, "\xef\xbf\xbd", 3);
			used += 3;
			in++;
			inleft--;
			*repaired = true;
		}
	}
	g_iconv_close(cd);
	out[used] = '\0';
	*out_len = used;
	return out;
}

/* DATA as valid UTF-8 without BOM.  Returns DATA itself when nothing had
 * to change (*OWNED false), else a new buffer.  Sets *NOTE when the input
 * needed repair. */
static const char *to_utf8(const char *data, size_t len, const struct hark_parse_opts *opts,
			   size_t *out_len, bool *owned, char **note)
{
	const unsigned char *u = (const unsigned char *)data;
	char *charset = header_charset(opts ? opts->content_type : NULL);
	const char *bom = NULL;
	size_t bom_len = 0;
	bool repaired = false, unknown = false;
	char *out;

	*owned = false;
	*note = NULL;
	if (len >= 4 && u[0] == 0xff && u[1] == 0xfe && !u[2] && !u[3])
		bom = "UTF-32LE", bom_len = 4;
	else if (len >= 4 && !u[0] && !u[1] && u[2] == 0xfe && u[3] == 0xff)
		bom = "UTF-32BE", bom_len = 4;
	else if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		bom = "UTF-8", bom_len = 3;
	else if (len >= 2 && u[0] == 0xff && u[1] == 0xfe)
		bom = "UTF-16LE", bom_len = 2;
	else if (len >= 2 && u[0] == 0xfe && u[1] == 0xff)
		bom = "UTF-16BE", bom_len = 2;

	/* The header wins, except that it cannot make UTF-16 bytes ASCII. */
	if (charset && bom && is_wide_name(bom) && !is_wide_name(charset))
		g_clear_pointer(&charset, g_free);
	if (!charset && bom)
		charset = g_strdup(bom);
	data += bom_len;
	len -= bom_len;
	u = (const unsigned char *)data;
	if (!charset && len >= 4 && u[0] == '<' && !u[1] && u[2] && !u[3])
		charset = g_strdup("UTF-16LE");
	else if (!charset && len >= 4 && !u[0] && u[1] == '<' && !u[2] && u[3])
		charset = g_strdup("UTF-16BE");
	if (!charset)
		charset = xml_decl_charset(data, len);
	if (!charset && opts && opts->html)
		charset = html_meta_charset(data, len);
	if (charset && (!g_ascii_strcasecmp(charset, "utf-16") ||
			!g_ascii_strcasecmp(charset, "utf16"))) {
		/* no BOM left to tell: guess from where the zero bytes are */
		g_free(charset);
		charset = g_strdup(len >= 2 && !u[0] && u[1] ? "UTF-16BE" : "UTF-16LE");
	}
	/* As browsers do: Latin-1 labels mean windows-1252. */
	if (charset && (!g_ascii_strcasecmp(charset, "iso-8859-1") ||
			!g_ascii_strcasecmp(charset, "latin1") ||
			!g_ascii_strcasecmp(charset, "iso8859-1")))
		g_free(charset), charset = g_strdup("WINDOWS-1252");

	if (charset && !is_utf8_name(charset)) {
		out = convert(data, len, charset, out_len, &repaired, &unknown);
		if (out) {
			*owned = true;
			if (repaired)
				*note = g_strdup_printf("invalid %s byte sequences replaced", charset);
			/* iconv output is valid UTF-8, but be sure */
			if (!feed_utf8_valid(out, *out_len)) {
				char *v = g_utf8_make_valid(out, (gssize)*out_len);
				g_free(out);
				out = v;
				*out_len = strlen(v);
			}
			g_free(charset);
			return out;
		}
		if (unknown)
			*note = g_strdup_printf("unknown charset %s, read as UTF-8", charset);
	}
	g_free(charset);
	if (feed_utf8_valid(data, len)) {
		*out_len = len;
		return data;
	}
	out = g_utf8_make_valid(data, (gssize)len);
	*out_len = strlen(out);
	*owned = true;
	if (!*note)
		*note = g_strdup("invalid UTF-8 replaced");
	return out;
}

/* The bytes are UTF-8 now; an XML declaration naming another encoding
 * would make libxml2 convert them again.  Its encoding pseudo-attribute
 * is blanked out (spaces are allowed there) rather than parsing with
 * XML_PARSE_IGNORE_ENC, which makes libxml2 2.9.14 a third slower. */
static const char *neutralize_decl(const char *u, size_t len, bool *owned)
{
	size_t start, end;
	char *copy;

	if (!xml_decl_encoding_span(u, len, &start, &end))
		return u;
	char *enc = xml_decl_charset(u, len);
	bool utf8 = enc && is_utf8_name(enc);
	g_free(enc);
	if (utf8)
		return u;
	if (*owned) {
		copy = (char *)u;
	} else {
		copy = g_malloc(len + 1);
		memcpy(copy, u, len);
		copy[len] = '\0';
	}
	memset(copy + start, ' ', end - start);
	*owned = true;
	return copy;
}

/* --- entry point --------------------------------------------------------- */

struct hark_feed_doc *hark_feed_parse(const char *data, size_t len,
				      const struct hark_parse_opts *opts,
				      GError **err)
{
	struct hark_feed_doc *doc = NULL;
	size_t ulen, i = 0;
	bool owned;
	char *note = NULL;
	const char *u;

	g_return_val_if_fail(data != NULL || len == 0, NULL);
	/* libxml2 wants its global init done once before threads use it */
	static gsize libxml_ready;
	if (g_once_init_enter(&libxml_ready)) {
		xmlInitParser();
		g_once_init_leave(&libxml_ready, 1);
	}
	u = to_utf8(data ? data : "", len, opts, &ulen, &owned, &note);
	u = neutralize_decl(u, ulen, &owned);
	while (i < ulen && g_ascii_isspace(u[i]))
		i++;
	if (i == ulen) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER, "not a feed: empty document");
	} else if (opts && opts->html) {
		doc = feed_parse_html(u, ulen, opts, err);
	} else if (u[i] == '{') {
		doc = feed_parse_json(u + i, ulen - i, opts, err);
	} else {
		char *root = NULL;
		doc = feed_parse_xml(u, ulen, opts, &root);
		if (!doc && root && !g_ascii_strcasecmp(root, "html"))
			g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
				    "not a feed: an HTML page (a forum page needs XPath selectors)");
		else if (!doc && root)
			g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
				    "not a feed: XML with root element <%s>", root);
		else if (!doc)
			g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
				    "not a feed: no XML element found");
		g_free(root);
	}
	if (doc && note) {
		doc->bozo = true;
		if (doc->bozo_reason) {
			char *r = g_strdup_printf("%s; %s", note, doc->bozo_reason);
			g_free(doc->bozo_reason);
			doc->bozo_reason = r;
		} else {
			doc->bozo_reason = g_strdup(note);
		}
	}
	g_free(note);
	if (owned)
		g_free((char *)u);
	return doc;
}
