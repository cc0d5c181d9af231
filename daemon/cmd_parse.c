/* cmd_parse.c - "hark parse FILE|URL|-": show what the parser extracts.
 *
 * Prints JSON Lines: one "feed" object, then one "item" object per item,
 * text fields as the clean text rules match on (or the markup with
 * --html), dates as RFC 3339 UTC or null.  The tool users reach for when a
 * rule does not fire, so it never hides a broken feed: bozo and its reason
 * are in the first line, and a document that is not a feed at all still
 * gets a feed line (format null, bozo true) and exit status 0.
 */
#include "commands.h"

#include "hark/date.h"
#include "hark/error.h"
#include "hark/fetch.h"
#include "hark/parse.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>

/* Larger inputs are refused rather than parsed. */
#define PARSE_MAX_INPUT (64u << 20)

/* JSON string or null.  Input is valid UTF-8 (the parser guarantees it),
 * so only quotes, backslashes and control characters need escaping. */
static void json_str(GString *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run;

	if (!s) {
		g_string_append(o, "null");
		return;
	}
	g_string_append_c(o, '"');
	for (run = s; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		g_string_append_len(o, run, s - run);
		run = s + 1;
		switch (c) {
		case '"': g_string_append(o, "\\\""); break;
		case '\\': g_string_append(o, "\\\\"); break;
		case '\n': g_string_append(o, "\\n"); break;
		case '\t': g_string_append(o, "\\t"); break;
		case '\r': g_string_append(o, "\\r"); break;
		default:
			g_string_append(o, "\\u00");
			g_string_append_c(o, hex[c >> 4]);
			g_string_append_c(o, hex[c & 15]);
		}
	}
	g_string_append_len(o, run, s - run);
	g_string_append_c(o, '"');
}

static void json_date(GString *o, int64_t t)
{
	char buf[HARK_DATE_RFC3339_LEN];

	if (hark_date_format_rfc3339(t, buf, sizeof buf))
		g_string_append_printf(o, "\"%s\"", buf);
	else
		g_string_append(o, "null");
}

static void print_feed(GString *o, const struct hark_feed_doc *doc)
{
	g_string_append(o, "{\"type\":\"feed\",\"format\":");
	json_str(o, doc->format);
	g_string_append(o, ",\"title\":");
	json_str(o, doc->title);
	g_string_append(o, ",\"link\":");
	json_str(o, doc->link);
	g_string_append_printf(o, ",\"bozo\":%s,\"bozo_reason\":", doc->bozo ? "true" : "false");
	json_str(o, doc->bozo_reason);
	g_string_append(o, "}\n");
}

static void print_item(GString *o, const struct hark_item *it)
{
	g_string_append(o, "{\"type\":\"item\",\"id\":");
	json_str(o, it->id);
	g_string_append(o, ",\"link\":");
	json_str(o, it->link);
	g_string_append(o, ",\"title\":");
	json_str(o, it->title);
	g_string_append(o, ",\"author\":");
	json_str(o, it->author);
	g_string_append(o, ",\"published\":");
	json_date(o, it->published);
	g_string_append(o, ",\"updated\":");
	json_date(o, it->updated);
	g_string_append(o, ",\"categories\":[");
	for (guint i = 0; i < it->categories->len; i++) {
		if (i)
			g_string_append_c(o, ',');
		json_str(o, g_ptr_array_index(it->categories, i));
	}
	g_string_append(o, "],\"summary\":");
	json_str(o, it->summary);
	g_string_append(o, ",\"content\":");
	json_str(o, it->content);
	g_string_append(o, "}\n");
}

static bool read_stdin(char **data, size_t *len, GError **err)
{
	GString *buf = g_string_sized_new(1 << 16);
	char chunk[1 << 16];
	ssize_t n;

	while ((n = read(STDIN_FILENO, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "reading stdin: %s",
				    g_strerror(errno));
			g_string_free(buf, TRUE);
			return false;
		}
		if (buf->len + (size_t)n > PARSE_MAX_INPUT) {
			g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
				    "stdin: larger than %u MiB", PARSE_MAX_INPUT >> 20);
			g_string_free(buf, TRUE);
			return false;
		}
		g_string_append_len(buf, chunk, n);
	}
	*len = buf->len;
	*data = g_string_free(buf, FALSE);
	return true;
}

static bool read_input(const char *path, char **data, size_t *len, GError **err)
{
	GError *ferr = NULL;
	GStatBuf st;

	if (!strcmp(path, "-"))
		return read_stdin(data, len, err);
	if (g_stat(path, &st) == 0 && (guint64)st.st_size > PARSE_MAX_INPUT) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER, "%s: larger than %u MiB",
			    path, PARSE_MAX_INPUT >> 20);
		return false;
	}
	if (!g_file_get_contents(path, data, len, &ferr)) {
		bool user = ferr->code == G_FILE_ERROR_NOENT || ferr->code == G_FILE_ERROR_ISDIR ||
			    ferr->code == G_FILE_ERROR_ACCES;
		g_set_error(err, HARK_ERROR, user ? HARK_ERROR_USER : HARK_ERROR_RUNTIME,
			    "%s", ferr->message);
		g_error_free(ferr);
		return false;
	}
	return true;
}

/* Fetches an http(s) URL with the daemon's limits (size cap, timeouts,
 * redirects only to http/https).  Anything but 200 is an error. */
static bool fetch_input(const char *url, char **data, size_t *len, char **ctype,
			char **base, GError **err)
{
	struct hark_fetch_request req = {0};
	struct hark_fetch_result res = {0};

	req.url = url;
	if (!hark_fetch_once(&req, &res, err))
		return false;
	if (res.status != 200) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "HTTP %ld%s%s",
			    res.status, res.reason ? " " : "", res.reason ? res.reason : "");
		hark_fetch_result_clear(&res);
		return false;
	}
	*data = res.body;
	*len = res.len;
	*ctype = res.content_type;
	*base = res.effective_url;
	res.body = res.content_type = res.effective_url = NULL;
	hark_fetch_result_clear(&res);
	return true;
}

int cmd_parse(int argc, char **argv)
{
	gboolean keep_html = FALSE;
	char *base = NULL, *ctype = NULL;
	struct hark_html_source sel = {0};
	char *s_item = NULL, *s_title = NULL, *s_link = NULL, *s_body = NULL,
	     *s_author = NULL, *s_date = NULL, *s_next = NULL;
	GOptionEntry entries[] = {
		{"html", 0, 0, G_OPTION_ARG_NONE, &keep_html,
		 "keep the original markup in text fields", NULL},
		{"base", 0, 0, G_OPTION_ARG_STRING, &base,
		 "resolve relative links against URL", "URL"},
		{"content-type", 0, 0, G_OPTION_ARG_STRING, &ctype,
		 "HTTP Content-Type (for its charset)", "TYPE"},
		{"item", 0, 0, G_OPTION_ARG_STRING, &s_item,
		 "HTML page: XPath selecting one node per post", "XPATH"},
		{"title", 0, 0, G_OPTION_ARG_STRING, &s_title, "HTML page: title XPath", "XPATH"},
		{"link", 0, 0, G_OPTION_ARG_STRING, &s_link, "HTML page: link XPath", "XPATH"},
		{"body", 0, 0, G_OPTION_ARG_STRING, &s_body, "HTML page: body XPath", "XPATH"},
		{"author", 0, 0, G_OPTION_ARG_STRING, &s_author, "HTML page: author XPath", "XPATH"},
		{"date", 0, 0, G_OPTION_ARG_STRING, &s_date, "HTML page: date XPath", "XPATH"},
		{"next", 0, 0, G_OPTION_ARG_STRING, &s_next, "HTML page: next-page link XPath", "XPATH"},
		{NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionContext *oc = g_option_context_new("FILE|URL|- - print what the parser extracts");
	GError *err = NULL;
	char *data = NULL;
	size_t len = 0;
	int rc = HARK_EXIT_OK;
	struct hark_parse_opts opts = {0};
	struct hark_feed_doc *doc = NULL;
	char *fetched_ctype = NULL, *fetched_base = NULL;

	g_option_context_add_main_entries(oc, entries, NULL);
	g_option_context_set_description(oc,
		"Output: JSON Lines, a \"feed\" object then one \"item\" object per item.\n"
		"A document that is not a feed gives a feed line with format null and\n"
		"bozo true (exit status 0).");
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "hark parse: %s\n", err->message);
		rc = HARK_EXIT_USER;
		goto out;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: hark parse [OPTIONS] FILE|URL|-\n");
		rc = HARK_EXIT_USER;
		goto out;
	}
	if (g_str_has_prefix(argv[1], "http://") || g_str_has_prefix(argv[1], "https://")) {
		if (!fetch_input(argv[1], &data, &len, &fetched_ctype, &fetched_base, &err)) {
			fprintf(stderr, "hark parse: %s: %s\n", argv[1], err->message);
			rc = err->code == HARK_ERROR_USER ? HARK_EXIT_USER : HARK_EXIT_RUNTIME;
			goto out;
		}
		/* The server's word, unless the user overrides it. */
		if (!ctype)
			ctype = g_strdup(fetched_ctype);
		if (!base)
			base = g_strdup(fetched_base);
	} else if (!read_input(argv[1], &data, &len, &err)) {
		fprintf(stderr, "hark parse: %s\n", err->message);
		rc = err->code == HARK_ERROR_USER ? HARK_EXIT_USER : HARK_EXIT_RUNTIME;
		goto out;
	}
	if (s_item) {
		sel = (struct hark_html_source){s_item, s_title, s_link, s_body,
						s_author, s_date, s_next};
		opts.html = &sel;
	}
	opts.base_url = base;
	opts.content_type = ctype;
	opts.keep_html = keep_html;

	GString *o = g_string_sized_new(1 << 16);
	doc = hark_feed_parse(data, len, &opts, &err);
	if (!doc) {
		if (opts.html && err->code == HARK_ERROR_USER && g_str_has_prefix(err->message, "bad XPath")) {
			fprintf(stderr, "hark parse: %s\n", err->message);
			rc = HARK_EXIT_USER;
			g_string_free(o, TRUE);
			goto out;
		}
		fprintf(stderr, "hark parse: %s: %s\n", argv[1], err->message);
		g_string_append(o, "{\"type\":\"feed\",\"format\":null,\"title\":null,"
				   "\"link\":null,\"bozo\":true,\"bozo_reason\":");
		json_str(o, err->message);
		g_string_append(o, "}\n");
	} else {
		print_feed(o, doc);
		for (guint i = 0; i < doc->items->len; i++) {
			print_item(o, g_ptr_array_index(doc->items, i));
			if (o->len > (1 << 16)) {
				fwrite(o->str, 1, o->len, stdout);
				g_string_truncate(o, 0);
			}
		}
	}
	fwrite(o->str, 1, o->len, stdout);
	g_string_free(o, TRUE);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "hark parse: writing output: %s\n", g_strerror(errno));
		rc = HARK_EXIT_RUNTIME;
	}
out:
	g_free(fetched_ctype);
	g_free(fetched_base);
	hark_feed_doc_free(doc);
	g_clear_error(&err);
	g_free(data);
	g_free(base);
	g_free(ctype);
	g_free(s_item);
	g_free(s_title);
	g_free(s_link);
	g_free(s_body);
	g_free(s_author);
	g_free(s_date);
	g_free(s_next);
	g_option_context_free(oc);
	return rc;
}
