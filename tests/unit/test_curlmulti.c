/* test_curlmulti.c - the GLib <-> libcurl multi glue, against a real local
 * HTTP/1.1 server (GThreadedSocketService on 127.0.0.1, keep-alive),
 * which counts connections and the requests it serves at once. */
#include "hark/curlmulti.h"

#include <gio/gio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static struct {
	GSocketService *svc;
	guint16 port;
	gint connections;
	gint in_flight;
	gint peak;
	gint requests;
} srv;

static void note_peak(void)
{
	gint now = g_atomic_int_add(&srv.in_flight, 1) + 1;
	gint old;

	while ((old = g_atomic_int_get(&srv.peak)) < now &&
	       !g_atomic_int_compare_and_exchange(&srv.peak, old, now))
		;
}

/* Serves GET /delay/MS (answers "ok /delay/MS" after MS ms) on one
 * connection until the client closes it. */
static gboolean on_conn(GThreadedSocketService *svc, GSocketConnection *conn,
			GObject *src, gpointer data)
{
	GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(conn));
	GDataInputStream *din = g_data_input_stream_new(in);

	(void)svc;
	(void)src;
	(void)data;
	g_atomic_int_inc(&srv.connections);
	g_filter_input_stream_set_close_base_stream(G_FILTER_INPUT_STREAM(din), FALSE);
	for (;;) {
		char *line = g_data_input_stream_read_line(din, NULL, NULL, NULL);
		char path[256] = "";
		int ms = 0;

		if (!line)
			break;
		sscanf(line, "GET %255s", path);
		g_free(line);
		/* Skip the headers. */
		while ((line = g_data_input_stream_read_line(din, NULL, NULL, NULL))) {
			bool end = line[0] == '\r' || line[0] == '\0';
			g_free(line);
			if (end)
				break;
		}
		if (!line)
			break;
		note_peak();
		g_atomic_int_inc(&srv.requests);
		sscanf(path, "/delay/%d", &ms);
		g_usleep((gulong)ms * 1000);
		char *body = g_strdup_printf("ok %s", path);
		char *resp = g_strdup_printf("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
					     "Content-Type: text/plain\r\n\r\n%s",
					     strlen(body), body);
		g_atomic_int_add(&srv.in_flight, -1);
		bool ok = g_output_stream_write_all(out, resp, strlen(resp), NULL,
						    NULL, NULL);
		g_free(body);
		g_free(resp);
		if (!ok)
			break;
	}
	g_object_unref(din);
	return TRUE;
}

static int server_start(void **state)
{
	GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	GSocketAddress *sa = g_inet_socket_address_new(lo, 0);
	GSocketAddress *got = NULL;

	(void)state;
	srv.svc = g_threaded_socket_service_new(16);
	g_signal_connect(srv.svc, "run", G_CALLBACK(on_conn), NULL);
	assert_true(g_socket_listener_add_address(G_SOCKET_LISTENER(srv.svc), sa,
						  G_SOCKET_TYPE_STREAM,
						  G_SOCKET_PROTOCOL_TCP, NULL,
						  (GSocketAddress **)&got, NULL));
	srv.port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(got));
	g_object_unref(got);
	g_object_unref(sa);
	g_object_unref(lo);
	g_socket_service_start(srv.svc);
	return 0;
}

static int server_stop(void **state)
{
	(void)state;
	g_socket_service_stop(srv.svc);
	g_socket_listener_close(G_SOCKET_LISTENER(srv.svc));
	g_object_unref(srv.svc);
	return 0;
}

static void server_reset(void)
{
	g_atomic_int_set(&srv.connections, 0);
	g_atomic_int_set(&srv.peak, 0);
	g_atomic_int_set(&srv.requests, 0);
}

struct job {
	GString *body;
	CURLcode rc;
	long status;
	bool done;
	int *finished;
};

static size_t on_body(char *p, size_t s, size_t n, void *user)
{
	g_string_append_len(user, p, (gssize)(s * n));
	return s * n;
}

static void on_done(CURL *easy, CURLcode rc, void *user)
{
	struct job *j = user;

	assert_false(j->done);
	j->done = true;
	j->rc = rc;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &j->status);
	curl_easy_cleanup(easy);
	(*j->finished)++;
}

static CURL *easy_for(const char *host, const char *path, struct job *j,
		      struct curl_slist *resolve)
{
	CURL *c = curl_easy_init();
	char *url = g_strdup_printf("http://%s:%u%s", host, srv.port, path);

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, j->body);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (resolve)
		curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
	g_free(url);
	return c;
}

static gboolean on_guard(gpointer data)
{
	*(bool *)data = true;
	return G_SOURCE_REMOVE;
}

/* Runs the default context until *FINISHED reaches N (or 30 s pass). */
static void run_until(int *finished, int n)
{
	bool expired = false;
	guint guard = g_timeout_add_seconds(30, on_guard, &expired);

	while (*finished < n && !expired)
		g_main_context_iteration(NULL, TRUE);
	assert_false(expired);
	g_source_remove(guard);
}

static void test_per_host_limit_and_reuse(void **state)
{
	enum { N = 12 };
	struct job jobs[N];
	int finished = 0;
	struct hark_curlmulti *m = hark_curlmulti_new(NULL, 8, 2);

	(void)state;
	server_reset();
	for (int i = 0; i < N; i++) {
		char path[32];
		jobs[i] = (struct job){g_string_new(NULL), 0, 0, false, &finished};
		snprintf(path, sizeof path, "/delay/%d", 40 + i);
		hark_curlmulti_add(m, easy_for("127.0.0.1", path, &jobs[i], NULL),
				   on_done, &jobs[i]);
	}
	assert_int_equal(hark_curlmulti_running(m), N);
	run_until(&finished, N);
	assert_int_equal(hark_curlmulti_running(m), 0);
	for (int i = 0; i < N; i++) {
		char want[32];
		snprintf(want, sizeof want, "ok /delay/%d", 40 + i);
		assert_int_equal(jobs[i].rc, CURLE_OK);
		assert_int_equal(jobs[i].status, 200);
		assert_string_equal(jobs[i].body->str, want);
		g_string_free(jobs[i].body, TRUE);
	}
	/* Two at a time on one host, over two kept-alive connections. */
	assert_int_equal(g_atomic_int_get(&srv.peak), 2);
	assert_int_equal(hark_curlmulti_peak(m), 2);
	assert_int_equal(g_atomic_int_get(&srv.requests), N);
	assert_int_equal(g_atomic_int_get(&srv.connections), 2);
	hark_curlmulti_free(m);
}

static void test_total_limit_across_hosts(void **state)
{
	enum { N = 12 };
	struct job jobs[N];
	int finished = 0;
	struct hark_curlmulti *m = hark_curlmulti_new(NULL, 3, 2);
	struct curl_slist *resolve = NULL;
	char *r;

	(void)state;
	server_reset();
	/* Four names for the same server: four hosts as far as limits go. */
	for (int h = 0; h < 4; h++) {
		r = g_strdup_printf("host%d.test:%u:127.0.0.1", h, srv.port);
		resolve = curl_slist_append(resolve, r);
		g_free(r);
	}
	for (int i = 0; i < N; i++) {
		char host[32];
		jobs[i] = (struct job){g_string_new(NULL), 0, 0, false, &finished};
		snprintf(host, sizeof host, "host%d.test", i % 4);
		hark_curlmulti_add(m, easy_for(host, "/delay/60", &jobs[i], resolve),
				   on_done, &jobs[i]);
	}
	run_until(&finished, N);
	for (int i = 0; i < N; i++) {
		assert_int_equal(jobs[i].rc, CURLE_OK);
		assert_string_equal(jobs[i].body->str, "ok /delay/60");
		g_string_free(jobs[i].body, TRUE);
	}
	assert_int_equal(g_atomic_int_get(&srv.peak), 3);
	assert_int_equal(hark_curlmulti_peak(m), 3);
	hark_curlmulti_free(m);
	curl_slist_free_all(resolve);
}

struct chain {
	struct hark_curlmulti *m;
	struct job job;
	int left;
};

static void on_chain_done(CURL *easy, CURLcode rc, void *user)
{
	struct chain *c = user;

	assert_int_equal(rc, CURLE_OK);
	curl_easy_cleanup(easy);
	if (--c->left > 0)
		hark_curlmulti_add(c->m, easy_for("127.0.0.1", "/delay/0", &c->job, NULL),
				   on_chain_done, c);
	else
		(*c->job.finished)++;
}

/* A DONE callback may start the next transfer; sequential transfers to
 * one host reuse a single connection. */
static void test_done_can_add(void **state)
{
	int finished = 0;
	struct chain c = {hark_curlmulti_new(NULL, 4, 2),
			  {g_string_new(NULL), 0, 0, false, &finished}, 5};

	(void)state;
	server_reset();
	hark_curlmulti_add(c.m, easy_for("127.0.0.1", "/delay/0", &c.job, NULL),
			   on_chain_done, &c);
	run_until(&finished, 1);
	assert_string_equal(c.job.body->str, "ok /delay/0ok /delay/0ok /delay/0"
					     "ok /delay/0ok /delay/0");
	assert_int_equal(g_atomic_int_get(&srv.requests), 5);
	assert_int_equal(g_atomic_int_get(&srv.connections), 1);
	g_string_free(c.job.body, TRUE);
	hark_curlmulti_free(c.m);
}

static void test_refused_and_abort_on_free(void **state)
{
	struct job refused = {g_string_new(NULL), 0, 0, false, NULL};
	struct job slow[3];
	int finished = 0;
	struct hark_curlmulti *m = hark_curlmulti_new(NULL, 2, 2);
	GSocket *s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
				  G_SOCKET_PROTOCOL_TCP, NULL);
	GInetAddress *lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	GSocketAddress *sa = g_inet_socket_address_new(lo, 0), *bound;
	char *url;
	CURL *c;

	(void)state;
	/* A port that is bound but not listening refuses connections. */
	assert_true(g_socket_bind(s, sa, FALSE, NULL));
	bound = g_socket_get_local_address(s, NULL);
	url = g_strdup_printf("http://127.0.0.1:%u/",
			      g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
	refused.finished = &finished;
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	hark_curlmulti_add(m, c, on_done, &refused);
	run_until(&finished, 1);
	assert_int_equal(refused.rc, CURLE_COULDNT_CONNECT);

	/* Freeing the multi hands back running and queued handles. */
	for (int i = 0; i < 3; i++) {
		slow[i] = (struct job){g_string_new(NULL), 0, 0, false, &finished};
		hark_curlmulti_add(m, easy_for("127.0.0.1", "/delay/300", &slow[i], NULL),
				   on_done, &slow[i]);
	}
	for (int i = 0; i < 5; i++)
		g_main_context_iteration(NULL, FALSE);
	hark_curlmulti_free(m);
	assert_int_equal(finished, 4);
	for (int i = 0; i < 3; i++) {
		assert_true(slow[i].done);
		assert_int_equal(slow[i].rc, CURLE_ABORTED_BY_CALLBACK);
		g_string_free(slow[i].body, TRUE);
	}
	g_string_free(refused.body, TRUE);
	g_free(url);
	g_object_unref(bound);
	g_object_unref(sa);
	g_object_unref(lo);
	g_object_unref(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_host_limit_and_reuse),
		cmocka_unit_test(test_total_limit_across_hosts),
		cmocka_unit_test(test_done_can_add),
		cmocka_unit_test(test_refused_and_abort_on_free),
	};

	return cmocka_run_group_tests(tests, server_start, server_stop);
}
