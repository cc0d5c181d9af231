/* fetch.h - fetching one URL with libcurl, safely.
 *
 * Only http and https are followed on redirects (at most 5); file:// is
 * allowed for the first URL only when the request says so (config feeds,
 * `hark parse FILE`), never from a redirect.  The body is capped
 * (after decompression), and connect/total/low-speed timeouts apply.
 */
#ifndef HARK_FETCH_H
#define HARK_FETCH_H

#include <curl/curl.h>
#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define HARK_FETCH_MAX_BYTES_DEFAULT (16u * 1024 * 1024)

struct hark_fetch_request {
	const char *url;
	const char *etag;          /* If-None-Match, or NULL */
	const char *last_modified; /* If-Modified-Since, or NULL */
	bool allow_file;           /* permit a file:// URL (not via redirect) */
	long connect_timeout;      /* seconds; 0 = 15 */
	long timeout;              /* seconds for the whole transfer; 0 = 60 */
	size_t max_bytes;          /* 0 = HARK_FETCH_MAX_BYTES_DEFAULT */
	long low_speed_time;       /* seconds under 100 B/s = stalled; 0 = 30 */
	const char *const *headers;/* extra "Name: value" lines, NULL-ended */
	const char *username;      /* HTTP basic auth, or NULL (never logged) */
	const char *password;
	bool insecure;             /* skip TLS certificate verification */
};

/* The outcome of a transfer that got a response.  All strings owned;
 * release with hark_fetch_result_clear(). */
struct hark_fetch_result {
	long status;               /* HTTP status; 200 for a file:// read */
	char *body;                /* NUL-terminated; len excludes the NUL */
	size_t len;
	char *content_type;        /* or NULL */
	char *etag;                /* or NULL */
	char *last_modified;       /* or NULL */
	char *effective_url;       /* after redirects */
	char *retry_after;         /* raw Retry-After header, or NULL */
	long retry_after_s;        /* Retry-After in seconds, or -1 */
	char *reason;              /* the status line's reason phrase, or NULL */
	char *moved_to;            /* where the leading 301/308 redirects led
				    * (the new permanent URL), or NULL */
	unsigned redirects;        /* redirects followed */
};

/* One transfer in progress, for callers that drive libcurl themselves
 * (curlmulti.h).  hark_fetch_new() validates REQ (copied) and prepares an
 * easy handle, owned by the fetch: hand hark_fetch_handle() to a multi,
 * and when it is done call hark_fetch_finish() with its CURLcode, then
 * hark_fetch_free(). */
struct hark_fetch;
struct hark_fetch *hark_fetch_new(const struct hark_fetch_request *req,
				  GError **err);
CURL *hark_fetch_handle(struct hark_fetch *f);
/* Fills OUT from the finished transfer, or returns false with ERR (same
 * rules as hark_fetch_once()). */
bool hark_fetch_finish(struct hark_fetch *f, CURLcode rc,
		       struct hark_fetch_result *out, GError **err);
void hark_fetch_free(struct hark_fetch *f);

/* Fetches REQ->url, blocking.  Returns false and sets ERR
 * (HARK_ERROR_RUNTIME) on a transport failure (DNS, refused, timeout,
 * size cap, bad redirect); any HTTP status counts as a response. */
bool hark_fetch_once(const struct hark_fetch_request *req,
		     struct hark_fetch_result *out, GError **err);
void hark_fetch_result_clear(struct hark_fetch_result *res);

/* "hark/VERSION": the User-Agent. */
const char *hark_fetch_user_agent(void);

/* URL with any user:password@ removed, for logs.  Caller frees. */
char *hark_url_redact(const char *url);

#endif
