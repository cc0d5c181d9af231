/* fetch.h - fetching one URL with libcurl, safely.
 *
 * Only http and https are followed on redirects (at most 5); file:// is
 * allowed for the first URL only when the request says so (config feeds,
 * `hark parse FILE`), never from a redirect.  The body is capped
 * (after decompression), and connect/total/low-speed timeouts apply.
 */
#ifndef HARK_FETCH_H
#define HARK_FETCH_H

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
};

/* Fetches REQ->url, blocking.  Returns false and sets ERR
 * (HARK_ERROR_RUNTIME) on a transport failure (DNS, refused, timeout,
 * size cap, bad redirect); any HTTP status counts as a response. */
bool hark_fetch_once(const struct hark_fetch_request *req,
		     struct hark_fetch_result *out, GError **err);
void hark_fetch_result_clear(struct hark_fetch_result *res);

/* "hark/VERSION (+https://...)": the User-Agent. */
const char *hark_fetch_user_agent(void);

#endif
