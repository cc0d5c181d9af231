/* curlmulti.h - libcurl's multi interface driven by a GLib main context.
 *
 * A small glue module with no knowledge of feeds: callers configure their
 * own CURL easy handles (URL, options, write callbacks) and hand them
 * over; the transfers run concurrently inside the main loop, with no
 * thread and no busy polling (libcurl's socket API: one GSource watching
 * exactly the sockets libcurl asks for, and a ready time for libcurl's
 * timer, so an idle multi costs no wake-ups).
 *
 * Limits: at most MAX_TOTAL transfers run at once, and at most MAX_HOST
 * per host (the scheme://host:port of the URL set on the handle); the
 * rest wait in a FIFO queue here, so one slow host never holds the slots
 * another host could use.  Connections are kept alive and reused across
 * transfers (the multi's connection cache), and HTTP/2 streams are
 * multiplexed over one connection when the server offers it.
 *
 * Ownership: hark_curlmulti_add() lends the easy handle to the multi
 * until DONE is called with it; DONE is called exactly once per added
 * handle, from the main context, after the handle was removed from the
 * multi, and the handle is the caller's again (to free or reuse).  DONE
 * may add new transfers.  Not thread-safe: use it from the thread that
 * runs CTX.
 */
#ifndef HARK_CURLMULTI_H
#define HARK_CURLMULTI_H

#include <curl/curl.h>
#include <glib.h>

struct hark_curlmulti;

/* RC is the transfer's result (CURLE_OK when a response was received,
 * whatever its HTTP status; CURLE_ABORTED_BY_CALLBACK when the multi was
 * freed first). */
typedef void (*hark_curlmulti_done_fn)(CURL *easy, CURLcode rc, void *user);

/* Attaches to CTX (NULL: the default main context).  MAX_TOTAL and
 * MAX_HOST must be >= 1.  Calls curl_global_init() once if needed. */
struct hark_curlmulti *hark_curlmulti_new(GMainContext *ctx, long max_total,
					  long max_host);

/* Queues EASY; it starts as soon as the limits allow. */
void hark_curlmulti_add(struct hark_curlmulti *m, CURL *easy,
			hark_curlmulti_done_fn done, void *user);

/* Transfers added and not yet done (running plus queued). */
guint hark_curlmulti_running(const struct hark_curlmulti *m);

/* The most transfers that ever ran at once (for tests and stats). */
guint hark_curlmulti_peak(const struct hark_curlmulti *m);

/* Aborts what is still queued or running (each DONE gets
 * CURLE_ABORTED_BY_CALLBACK), detaches from the context, closes the
 * cached connections and frees M.  NULL is fine. */
void hark_curlmulti_free(struct hark_curlmulti *m);

/* curl_global_init() once per process, thread-safe. */
void hark_curl_global_init(void);

#endif
