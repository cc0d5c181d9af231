/* curlmulti.c - libcurl multi (socket API) inside a GLib main context.
 *
 * One custom GSource per multi: libcurl's socket callback adds, modifies
 * and removes the source's unix fds, and its timer callback sets the
 * source's ready time.  Dispatch hands the ready sockets (and an expired
 * timer) to curl_multi_socket_action(), then reaps finished transfers and
 * starts queued ones.  Nothing wakes up while no transfer is running.
 */
#include "hark/curlmulti.h"

#include <stdbool.h>
#include <string.h>

struct transfer {
	CURL *easy;
	hark_curlmulti_done_fn done;
	void *user;
	char *host;            /* limit key: scheme://host:port, owned */
	bool started;
};

/* One socket libcurl asked us to watch. */
struct watch {
	curl_socket_t fd;
	gpointer tag;          /* from g_source_add_unix_fd */
};

struct mux_source {
	GSource base;
	struct hark_curlmulti *m;
};

struct hark_curlmulti {
	CURLM *multi;
	struct mux_source *src;
	long max_total, max_host;
	GQueue queue;          /* of struct transfer*, not started yet */
	GHashTable *active;    /* CURL* -> struct transfer*, started */
	GHashTable *per_host;  /* host -> running count (GUINT_TO_POINTER) */
	GHashTable *watches;   /* fd -> struct watch* */
	guint peak;
	bool in_dispatch;
};

static gsize curl_ready;

void hark_curl_global_init(void)
{
	if (g_once_init_enter(&curl_ready)) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		g_once_init_leave(&curl_ready, 1);
	}
}

static void transfer_free(struct transfer *t)
{
	g_free(t->host);
	g_free(t);
}

/* "scheme://host:port" of the handle's URL; "" when it cannot tell. */
static char *host_key(CURL *easy)
{
	char *url = NULL, *scheme = NULL, *host = NULL, *port = NULL, *key;
	CURLU *u;

	if (curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url) != CURLE_OK || !url)
		return g_strdup("");
	u = curl_url();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		curl_free(scheme);
		return g_strdup("");
	}
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	key = g_strdup_printf("%s://%s:%s", scheme, host, port ? port : "");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return key;
}

static guint host_running(struct hark_curlmulti *m, const char *host)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(m->per_host, host));
}

static void host_adjust(struct hark_curlmulti *m, const char *host, int by)
{
	guint n = host_running(m, host) + (guint)by;

	if (n)
		g_hash_table_insert(m->per_host, g_strdup(host), GUINT_TO_POINTER(n));
	else
		g_hash_table_remove(m->per_host, host);
}

/* Moves queued transfers into the multi while the limits allow, oldest
 * first, skipping those whose host is at its limit. */
static void start_queued(struct hark_curlmulti *m)
{
	GList *l = m->queue.head;

	while (l && g_hash_table_size(m->active) < (guint)m->max_total) {
		GList *next = l->next;
		struct transfer *t = l->data;

		if (host_running(m, t->host) < (guint)m->max_host) {
			g_queue_delete_link(&m->queue, l);
			t->started = true;
			g_hash_table_insert(m->active, t->easy, t);
			host_adjust(m, t->host, +1);
			curl_multi_add_handle(m->multi, t->easy);
			m->peak = MAX(m->peak, g_hash_table_size(m->active));
		}
		l = next;
	}
}

static void finish(struct hark_curlmulti *m, struct transfer *t, CURLcode rc)
{
	if (t->started) {
		curl_multi_remove_handle(m->multi, t->easy);
		g_hash_table_remove(m->active, t->easy);
		host_adjust(m, t->host, -1);
	}
	t->done(t->easy, rc, t->user);
	transfer_free(t);
}

static void reap(struct hark_curlmulti *m)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(m->multi, &left))) {
		struct transfer *t;

		if (msg->msg != CURLMSG_DONE)
			continue;
		t = g_hash_table_lookup(m->active, msg->easy_handle);
		if (t)
			finish(m, t, msg->data.result);
	}
	start_queued(m);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
		     void *socketp)
{
	struct hark_curlmulti *m = userp;
	struct watch *w = socketp;
	GIOCondition cond = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (w) {
			g_source_remove_unix_fd(&m->src->base, w->tag);
			g_hash_table_remove(m->watches, GINT_TO_POINTER(fd));
			curl_multi_assign(m->multi, fd, NULL);
		}
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		cond |= G_IO_IN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		cond |= G_IO_OUT;
	cond |= G_IO_ERR | G_IO_HUP;
	if (w) {
		g_source_modify_unix_fd(&m->src->base, w->tag, cond);
	} else {
		w = g_new0(struct watch, 1);
		w->fd = fd;
		w->tag = g_source_add_unix_fd(&m->src->base, fd, cond);
		g_hash_table_insert(m->watches, GINT_TO_POINTER(fd), w);
		curl_multi_assign(m->multi, fd, w);
	}
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct hark_curlmulti *m = userp;

	(void)multi;
	if (timeout_ms < 0)
		g_source_set_ready_time(&m->src->base, -1);
	else
		g_source_set_ready_time(&m->src->base,
					g_get_monotonic_time() + (gint64)timeout_ms * 1000);
	return 0;
}

static gboolean mux_dispatch(GSource *base, GSourceFunc cb, gpointer data)
{
	struct hark_curlmulti *m = ((struct mux_source *)base)->m;
	GArray *ready = g_array_new(FALSE, FALSE, sizeof(int) * 2);
	GHashTableIter it;
	gpointer key, val;
	int running;

	(void)cb;
	(void)data;
	/* Collect first: socket_action may remove watches. */
	g_hash_table_iter_init(&it, m->watches);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		struct watch *w = val;
		GIOCondition rev = g_source_query_unix_fd(base, w->tag);
		int pair[2] = {w->fd, 0};

		if (!rev)
			continue;
		if (rev & G_IO_IN)
			pair[1] |= CURL_CSELECT_IN;
		if (rev & G_IO_OUT)
			pair[1] |= CURL_CSELECT_OUT;
		if (rev & (G_IO_ERR | G_IO_HUP))
			pair[1] |= CURL_CSELECT_ERR;
		g_array_append_val(ready, pair);
	}
	m->in_dispatch = true;
	for (guint i = 0; i < ready->len; i++) {
		int *pair = &g_array_index(ready, int, i * 2);
		curl_multi_socket_action(m->multi, pair[0], pair[1], &running);
	}
	g_array_free(ready, TRUE);
	if (g_source_get_ready_time(base) >= 0 &&
	    g_source_get_ready_time(base) <= g_source_get_time(base)) {
		g_source_set_ready_time(base, -1);
		curl_multi_socket_action(m->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
	m->in_dispatch = false;
	reap(m);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs mux_funcs = {
	.dispatch = mux_dispatch,
};

struct hark_curlmulti *hark_curlmulti_new(GMainContext *ctx, long max_total,
					  long max_host)
{
	struct hark_curlmulti *m = g_new0(struct hark_curlmulti, 1);

	hark_curl_global_init();
	m->max_total = MAX(max_total, 1);
	m->max_host = MAX(max_host, 1);
	m->multi = curl_multi_init();
	g_queue_init(&m->queue);
	m->active = g_hash_table_new(NULL, NULL);
	m->per_host = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	m->watches = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	m->src = (struct mux_source *)g_source_new(&mux_funcs, sizeof(struct mux_source));
	m->src->m = m;
	g_source_set_name(&m->src->base, "hark curl multi");
	g_source_attach(&m->src->base, ctx);

	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	/* The queue above enforces the limits per URL host; these also cover
	 * redirects to other hosts. */
	curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS, m->max_host);
	curl_multi_setopt(m->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, m->max_total);
	curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, m->max_total * 2);
	curl_multi_setopt(m->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	return m;
}

void hark_curlmulti_add(struct hark_curlmulti *m, CURL *easy,
			hark_curlmulti_done_fn done, void *user)
{
	struct transfer *t = g_new0(struct transfer, 1);

	t->easy = easy;
	t->done = done;
	t->user = user;
	t->host = host_key(easy);
	g_queue_push_tail(&m->queue, t);
	/* From inside a libcurl callback, curl_multi_add_handle() is not
	 * allowed: dispatch starts the queue once it is out of them. */
	if (!m->in_dispatch)
		start_queued(m);
}

guint hark_curlmulti_running(const struct hark_curlmulti *m)
{
	return g_hash_table_size(m->active) + m->queue.length;
}

guint hark_curlmulti_peak(const struct hark_curlmulti *m)
{
	return m->peak;
}

void hark_curlmulti_free(struct hark_curlmulti *m)
{
	struct transfer *t;
	GHashTableIter it;
	gpointer key, val;

	if (!m)
		return;
	while ((t = g_queue_pop_head(&m->queue)))
		finish(m, t, CURLE_ABORTED_BY_CALLBACK);
	g_hash_table_iter_init(&it, m->active);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		t = val;
		g_hash_table_iter_steal(&it);
		curl_multi_remove_handle(m->multi, t->easy);
		t->started = false;
		finish(m, t, CURLE_ABORTED_BY_CALLBACK);
	}
	curl_multi_cleanup(m->multi);
	g_source_destroy(&m->src->base);
	g_source_unref(&m->src->base);
	g_hash_table_unref(m->watches);
	g_hash_table_unref(m->per_host);
	g_hash_table_unref(m->active);
	g_free(m);
}
