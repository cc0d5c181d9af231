/* fetch.c - one capped, redirect-safe transfer with libcurl, either
 * blocking (hark_fetch_once) or driven by a multi (hark_fetch_new...). */
#include "hark/fetch.h"
#include "hark/curlmulti.h"
#include "hark/error.h"
#include "hark/version.h"

#include <string.h>

struct hark_fetch {
	CURL *easy;
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	bool is_file;
	GString *body;
	size_t max;
	bool too_big;
	struct hark_fetch_result res;
	/* Redirect tracking, from the header callback. */
	long status;           /* of the response being received */
	char *cur_url;         /* the URL of that response */
	char *last_location;   /* the last Location followed */
	bool all_permanent;    /* every redirect so far was 301/308 */
};

const char *hark_fetch_user_agent(void)
{
	return "hark/" HARK_VERSION;
}

char *hark_url_redact(const char *url)
{
	const char *scheme_end, *at, *slash;

	if (!url)
		return NULL;
	scheme_end = strstr(url, "://");
	if (!scheme_end)
		return g_strdup(url);
	slash = strchr(scheme_end + 3, '/');
	at = strchr(scheme_end + 3, '@');
	if (!at || (slash && at > slash))
		return g_strdup(url);
	return g_strdup_printf("%.*s***@%s", (int)(scheme_end + 3 - url), url, at + 1);
}

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
	struct hark_fetch *f = user;
	size_t len = size * n;

	if (f->body->len + len > f->max) {
		f->too_big = true;
		return 0; /* aborts the transfer: gzip bombs stop here */
	}
	g_string_append_len(f->body, data, (gssize)len);
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

/* LOCATION resolved against BASE, or NULL. */
static char *resolve(const char *base, const char *location)
{
	CURLU *u = curl_url();
	char *abs = NULL, *out = NULL;

	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
		out = g_strdup(abs);
	curl_free(abs);
	curl_url_cleanup(u);
	return out;
}

static void status_line(struct hark_fetch *f, const char *data, size_t len)
{
	const char *p = memchr(data, ' ', len), *end = data + len;
	long code = 0;

	if (!p)
		return;
	while (p < end && *p == ' ')
		p++;
	while (p < end && g_ascii_isdigit(*p))
		code = code * 10 + (*p++ - '0');
	while (p < end && *p == ' ')
		p++;
	while (end > p && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	f->status = code;
	g_free(f->res.reason);
	f->res.reason = end > p ? g_strndup(p, (gsize)(end - p)) : NULL;
}

static void location(struct hark_fetch *f, char *loc)
{
	char *to;

	if (f->status < 300 || f->status > 399 || !f->cur_url) {
		g_free(loc);
		return;
	}
	to = resolve(f->cur_url, loc);
	g_free(f->last_location);
	f->last_location = loc;
	if (!to)
		return;
	/* Only an unbroken run of permanent redirects from the configured
	 * URL moves the feed: 302/307 in between mean "for now". */
	if (f->all_permanent && (f->status == 301 || f->status == 308)) {
		g_free(f->res.moved_to);
		f->res.moved_to = g_strdup(to);
	} else {
		f->all_permanent = false;
	}
	g_free(f->cur_url);
	f->cur_url = to;
}

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
	struct hark_fetch *f = user;
	struct hark_fetch_result *res = &f->res;
	size_t len = size * n;
	char *v;

	/* A new status line starts a new response (redirects, 100-continue):
	 * forget the previous response's validators. */
	if (len > 5 && !memcmp(data, "HTTP/", 5)) {
		g_clear_pointer(&res->etag, g_free);
		g_clear_pointer(&res->last_modified, g_free);
		g_clear_pointer(&res->retry_after, g_free);
		status_line(f, data, len);
		return len;
	}
	set_header(&res->etag, header_value(data, len, "ETag"));
	set_header(&res->last_modified, header_value(data, len, "Last-Modified"));
	set_header(&res->retry_after, header_value(data, len, "Retry-After"));
	if ((v = header_value(data, len, "Location")))
		location(f, v);
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
	g_free(res->reason);
	g_free(res->moved_to);
	memset(res, 0, sizeof *res);
}

static void add_header(struct hark_fetch *f, const char *fmt, const char *v)
{
	char *h = g_strdup_printf(fmt, v);

	f->headers = curl_slist_append(f->headers, h);
	g_free(h);
}

struct hark_fetch *hark_fetch_new(const struct hark_fetch_request *req,
				  GError **err)
{
	struct hark_fetch *f;
	bool is_file = g_str_has_prefix(req->url, "file:");
	CURL *c;

	if (is_file && !req->allow_file) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "file URLs are not allowed here: %s", req->url);
		return NULL;
	}
	hark_curl_global_init();
	c = curl_easy_init();
	if (!c) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "curl_easy_init failed");
		return NULL;
	}
	f = g_new0(struct hark_fetch, 1);
	f->easy = c;
	f->is_file = is_file;
	f->body = g_string_sized_new(16384);
	f->max = req->max_bytes ? req->max_bytes : HARK_FETCH_MAX_BYTES_DEFAULT;
	f->cur_url = g_strdup(req->url);
	f->all_permanent = true;
	f->res.retry_after_s = -1;

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, is_file ? "file" : "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, hark_fetch_user_agent());
	/* "": every encoding this libcurl can decode (gzip, br, zstd...). */
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* Wait for a connection to a host that can multiplex rather than
	 * open one more. */
	curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, req->connect_timeout ? req->connect_timeout : 15L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, req->timeout ? req->timeout : 60L);
	/* A server dripping under 100 B/s that long is treated as stalled. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 100L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME,
			 req->low_speed_time ? req->low_speed_time : 30L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, f->errbuf);
	/* Proxies: libcurl reads http_proxy, https_proxy, no_proxy (and
	 * their upper-case forms except HTTP_PROXY) from the environment. */
	if (req->insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (req->username) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, req->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, req->password ? req->password : "");
	}
	if (req->etag)
		add_header(f, "If-None-Match: %s", req->etag);
	if (req->last_modified)
		add_header(f, "If-Modified-Since: %s", req->last_modified);
	f->headers = curl_slist_append(f->headers,
		"Accept: application/rss+xml, application/atom+xml, "
		"application/feed+json, application/xml;q=0.9, text/xml;q=0.9, "
		"text/html;q=0.8, */*;q=0.5");
	for (const char *const *h = req->headers; h && *h; h++)
		f->headers = curl_slist_append(f->headers, *h);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, f->headers);
	return f;
}

CURL *hark_fetch_handle(struct hark_fetch *f)
{
	return f->easy;
}

static void transfer_error(struct hark_fetch *f, CURLcode rc, GError **err)
{
	const char *why = f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc);

	if (f->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "response larger than %zu bytes (after decompression)",
			    f->max);
	} else if (rc == CURLE_TOO_MANY_REDIRECTS) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "redirect loop or chain too long: %s", why);
	} else if (rc == CURLE_UNSUPPORTED_PROTOCOL && f->last_location) {
		char *to = hark_url_redact(f->last_location);
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME,
			    "redirect to a non-http(s) URL refused: %s", to);
		g_free(to);
	} else {
		g_set_error(err, HARK_ERROR, HARK_ERROR_RUNTIME, "%s", why);
	}
}

bool hark_fetch_finish(struct hark_fetch *f, CURLcode rc,
		       struct hark_fetch_result *out, GError **err)
{
	char *ct = NULL, *eff = NULL;
	curl_off_t retry = -1;
	long redirects = 0;

	memset(out, 0, sizeof *out);
	if (rc != CURLE_OK) {
		transfer_error(f, rc, err);
		return false;
	}
	*out = f->res;
	memset(&f->res, 0, sizeof f->res);
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &out->status);
	if (f->is_file)
		out->status = 200;
	curl_easy_getinfo(f->easy, CURLINFO_CONTENT_TYPE, &ct);
	curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &eff);
	curl_easy_getinfo(f->easy, CURLINFO_REDIRECT_COUNT, &redirects);
	if (curl_easy_getinfo(f->easy, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK &&
	    out->retry_after)
		out->retry_after_s = (long)MIN(retry, (curl_off_t)G_MAXINT32);
	else
		out->retry_after_s = -1;
	out->redirects = (unsigned)redirects;
	out->content_type = g_strdup(ct);
	out->effective_url = g_strdup(eff);
	out->len = f->body->len;
	out->body = g_string_free(f->body, FALSE);
	f->body = NULL;
	return true;
}

void hark_fetch_free(struct hark_fetch *f)
{
	if (!f)
		return;
	curl_slist_free_all(f->headers);
	curl_easy_cleanup(f->easy);
	if (f->body)
		g_string_free(f->body, TRUE);
	hark_fetch_result_clear(&f->res);
	g_free(f->cur_url);
	g_free(f->last_location);
	g_free(f);
}

bool hark_fetch_once(const struct hark_fetch_request *req,
		     struct hark_fetch_result *out, GError **err)
{
	struct hark_fetch *f = hark_fetch_new(req, err);
	bool ok;

	memset(out, 0, sizeof *out);
	if (!f)
		return false;
	ok = hark_fetch_finish(f, curl_easy_perform(f->easy), out, err);
	hark_fetch_free(f);
	return ok;
}
