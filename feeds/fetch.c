/* fetch.c - one blocking, capped, redirect-safe transfer with libcurl. */
#include "hark/fetch.h"
#include "hark/error.h"
#include "hark/version.h"

#include <curl/curl.h>
#include <string.h>

struct sink {
	GString *body;
	size_t max;
	bool too_big;
	struct hark_fetch_result *res;
};

const char *hark_fetch_user_agent(void)
{
	return "hark/" HARK_VERSION;
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct sink *s = user;
	size_t len = size * n;

	if (s->body->len + len > s->max) {
		s->too_big = true;
		return 0; /* aborts the transfer: gzip bombs stop here */
	}
	g_string_append_len(s->body, data, (gssize)len);
	return len;
}

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *v, *end = line + len;

	if (len <= nl || g_ascii_strncasecmp(line, name, nl) || line[nl] != ':')
		return NULL;
	v = line + nl + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return g_strndup(v, (gsize)(end - v));
}

static void set_header(char **slot, char *v)
{
	if (v) {
		g_free(*slot);
		*slot = v;
	}
}

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
	struct sink *s = user;
	size_t len = size * n;

	/* A new status line starts a new response (redirects, 100-continue):
	 * forget the previous response's validators. */
	if (len > 5 && !memcmp(data, "HTTP/", 5)) {
		g_clear_pointer(&s->res->etag, g_free);
		g_clear_pointer(&s->res->last_modified, g_free);
		g_clear_pointer(&s->res->retry_after, g_free);
		return len;
	}
	set_header(&s->res->etag, header_value(data, len, "ETag"));
	set_header(&s->res->last_modified, header_value(data, len, "Last-Modified"));
	set_header(&s->res->retry_after, header_value(data, len, "Retry-After"));
	return len;
}

void hark_fetch_result_clear(struct hark_fetch_result *res)
{
	g_free(res->body);
	g_free(res->content_type);
	g_free(res->etag);
	g_free(res->last_modified);
	g_free(res->effective_url);
	g_free(res->retry_after);
	memset(res, 0, sizeof *res);
}

static gsize curl_ready;

static void global_init(void)
{
	if (g_once_init_enter(&curl_ready)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&curl_ready, 1);
	}
}

bool hark_fetch_once(const struct hark_fetch_request *req,
		     struct hark_fetch_result *out, GError **err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	struct sink sink;
	bool is_file = g_str_has_prefix(req->url, "file:");
	CURLcode rc;
	CURL *c;
	char *h;

	memset(out, 0, sizeof *out);
	if (is_file && !req->allow_file) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "file URLs are not allowed here: %s", req->url);
		return false;
	}
	global_init();
	c = curl_easy_init();
	if (!c) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "curl_easy_init failed");
		return false;
	}
	sink.body = g_string_sized_new(16384);
	sink.max = req->max_bytes ? req->max_bytes : HARK_FETCH_MAX_BYTES_DEFAULT;
	sink.too_big = false;
	sink.res = out;

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, is_file ? "file" : "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, hark_fetch_user_agent());
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req->connect_timeout ? req->connect_timeout : 15L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout ? req->timeout : 60L);
	/* A server dripping under 100 B/s for 30 s is treated as stalled. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 100L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink.max);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (req->etag) {
		h = g_strdup_printf("If-None-Match: %s", req->etag);
		headers = curl_slist_append(headers, h);
		g_free(h);
	}
	if (req->last_modified) {
		h = g_strdup_printf("If-Modified-Since: %s", req->last_modified);
		headers = curl_slist_append(headers, h);
		g_free(h);
	}
	headers = curl_slist_append(headers,
		"Accept: application/rss+xml, application/atom+xml, "
		"application/feed+json, application/xml;q=0.9, text/xml;q=0.9, "
		"text/html;q=0.8, */*;q=0.5");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
		if (sink.too_big || rc == CURLE_FILESIZE_EXCEEDED)
			g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
				    "response larger than %zu bytes", sink.max);
		else
			g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "%s", why);
		g_string_free(sink.body, TRUE);
		hark_fetch_result_clear(out);
	} else {
		char *ct = NULL, *eff = NULL;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
		if (is_file)
			out->status = 200;
		curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
		curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
		out->content_type = g_strdup(ct);
		out->effective_url = g_strdup(eff);
		out->len = sink.body->len;
		out->body = g_string_free(sink.body, FALSE);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return rc == CURLE_OK;
}
