/* web.h - the local web page: the live stream of hits, the charts, the
 * feeds' health, and the JSON API behind them (see hark(1), WEB INTERFACE).
 *
 * The server is libmicrohttpd with its own threads (one per connection,
 * so a Server-Sent Events stream may block while it waits for hits).  It
 * never touches the caller's store or config: it opens its own SQLite
 * connection on the same file (WAL lets it read while the poller writes)
 * and loads its own copy of the config and rules, all guarded by one
 * mutex.  New hits reach the live streams by polling that connection
 * (hits.id is increasing), which works the same inside `hark run` and in
 * a separate `hark serve`.
 *
 * Access: LISTEN must be a loopback address unless TOKEN is set; when
 * TOKEN is set every request must carry it ("Authorization: Bearer T",
 * the hark_token cookie, or ?token=T, which sets the cookie) or gets 401.
 */
#ifndef HARK_WEB_H
#define HARK_WEB_H

#include "hark/config.h"

#include <glib.h>
#include <stdbool.h>
#include <sys/socket.h>

#define HARK_WEB_DEFAULT_LISTEN "127.0.0.1:8044"

/* Parses "HOST:PORT" (HOST an IPv4 address, [IPv6], or localhost; port 0
 * picks a free one) into *ADDR (may be NULL: check only) and says whether
 * it is a loopback address.  HARK_ERROR_USER on a malformed value. */
bool hark_web_listen_parse(const char *listen, struct sockaddr_storage *addr,
			   bool *loopback, GError **err);

struct hark_web;

/* Starts serving the config at CONFIG_PATH (loaded and compiled again
 * here; the caller keeps its own) on LISTEN with TOKEN (may be NULL).
 * Returns NULL with ERR when the config, the store or the socket fails,
 * or when LISTEN is beyond loopback and there is no TOKEN. */
struct hark_web *hark_web_start(const char *config_path, const char *listen,
				const char *token, GError **err);

/* The port actually bound (LISTEN may ask for port 0). */
guint16 hark_web_port(const struct hark_web *w);

/* Re-reads the config (rules, feeds, tags) after a SIGHUP.  A config that
 * fails to load keeps the old one and returns false with ERR. */
bool hark_web_reload(struct hark_web *w, GError **err);

/* Ends the live streams and stops the server.  NULL is a no-op. */
void hark_web_stop(struct hark_web *w);

#endif
