/* cmd_serve.c - `hark serve [-c FILE] [--listen HOST:PORT]`: the web page
 * (web.h) on its own, next to a running `hark run` or over a copy of its
 * database.  --listen overrides [web] listen=; the default is
 * 127.0.0.1:8044.  SIGHUP re-reads the config; SIGINT/SIGTERM stop. */
#include "commands.h"
#include "cmdutil.h"
#include "hark/error.h"
#include "hark/log.h"
#include "hark/web.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static gboolean on_stop(gpointer data)
{
	g_main_loop_quit(data);
	return G_SOURCE_CONTINUE;
}

static gboolean on_reload(gpointer data)
{
	GError *e = NULL;

	if (!hark_web_reload(data, &e)) {
		hark_error("reload failed (%s); keeping the running config", e->message);
		g_error_free(e);
	}
	return G_SOURCE_CONTINUE;
}

int cmd_serve(int argc, char **argv)
{
	char *config = NULL, *listen = NULL;
	GOptionEntry entries[] = {
		{"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "config file", "FILE"},
		{"listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
		 "address to serve on (default [web] listen=, else "
		 HARK_WEB_DEFAULT_LISTEN ")", "HOST:PORT"},
		G_OPTION_ENTRY_NULL,
	};
	struct hark_config *cfg = NULL;
	struct hark_ruleset *rs = NULL;
	struct hark_web *w;
	GMainLoop *loop;
	const char *addr;
	char *host;
	guint sig[3];
	GError *e = NULL;
	int status;

	if (!hark_cmd_parse_options(&argc, &argv, entries,
				    "- serve the web page (stream, charts, feeds)"))
		return HARK_EXIT_USER;
	if (argc > 1) {
		fprintf(stderr, "hark serve: unexpected argument '%s'\n", argv[1]);
		status = HARK_EXIT_USER;
		goto out;
	}
	status = hark_cmd_config(config, &cfg, &rs);
	if (status != HARK_EXIT_OK)
		goto out;
	addr = listen ? listen : cfg->web_listen ? cfg->web_listen
						 : HARK_WEB_DEFAULT_LISTEN;
	w = hark_web_start(cfg->path, addr, cfg->web_token, &e);
	if (!w) {
		hark_error("%s", e->message);
		status = e->code == HARK_ERROR_USER ? HARK_EXIT_USER : HARK_EXIT_RUNTIME;
		g_error_free(e);
		goto out;
	}
	/* Tests and scripts read the port from here (--listen HOST:0). */
	host = g_strndup(addr, (gsize)(strrchr(addr, ':') - addr));
	printf("hark: serving http://%s:%u/\n", host, hark_web_port(w));
	fflush(stdout);
	g_free(host);
	loop = g_main_loop_new(NULL, FALSE);
	sig[0] = g_unix_signal_add(SIGINT, on_stop, loop);
	sig[1] = g_unix_signal_add(SIGTERM, on_stop, loop);
	sig[2] = g_unix_signal_add(SIGHUP, on_reload, w);
	g_main_loop_run(loop);
	for (int i = 0; i < 3; i++)
		g_source_remove(sig[i]);
	g_main_loop_unref(loop);
	hark_web_stop(w);
out:
	hark_ruleset_free(rs);
	hark_config_free(cfg);
	g_free(config);
	g_free(listen);
	return status;
}
