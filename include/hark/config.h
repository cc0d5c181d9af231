/* config.h - hark.conf, a GKeyFile-format file, read into typed structs.
 *
 *     [hark]          database=, interval=, retention=, hit_retention=,
 *                     polling keys (below)
 *     [feed NAME]     url=, interval= (duration or "auto"), tags=,
 *                     interval_min=, interval_max=, headers=, username=,
 *                     password=, tls_verify=, silent_after=, identity=
 *     [rule NAME]     query=, alert=, on_update=, priority=, rate_limit=,
 *                     digest=, quiet_hours=, coalesce=, spike_k=, ...
 *     [webhook NAME]  url=, format=, secret= | secret_file=, timeout=, headers=
 *     [exec NAME]     command=
 *     [web]           listen= (host:port), token= (see web.h)
 *
 * Every error is a diagnostic with file:line:column (see diag.h); the
 * loader reports all of them.  Lists accept ',' or ';' separators.
 */
#ifndef HARK_CONFIG_H
#define HARK_CONFIG_H

#include "hark/diag.h"
#include "hark/parse.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* A string value with where it came from, so later stages (the query
 * compiler) can point at a column inside it.  value is NULL when the key
 * was absent.  col is the 1-based column of value's first byte. */
struct hark_conf_str {
	char *value;
	int line;
	int col;
};

struct hark_feed_conf {
	char *name;
	char *url;
	int64_t interval;      /* seconds; the [hark] interval when not set */
	GPtrArray *tags;       /* of char*, never NULL */
	char *identity;        /* "guid", "link", "content", or NULL: auto */
	int line;              /* line of the [feed NAME] header */
	/* interval = auto: adapt to the feed's posting rate, within
	 * [interval_min, interval_max]; interval is then the starting value. */
	bool interval_auto;
	int64_t interval_min;  /* default 5m */
	int64_t interval_max;  /* default 1d */
	GPtrArray *headers;    /* of "Name: value" (';'-separated), never NULL */
	char *username;        /* HTTP basic auth, or NULL; never logged */
	char *password;
	bool tls_verify;       /* default true; false warns */
	int64_t silent_after;  /* 0: from the posting rate */
	/* A forum page without a feed: XPath selectors (xpath_item= and
	 * friends), all owned; html.item is NULL for an ordinary feed. */
	struct hark_html_source html;
};

/* "N per DURATION" (rate_limit = 10/1h, coalesce = 3/1m); count 0: off. */
struct hark_rate {
	unsigned count;
	int64_t per;           /* seconds */
};

/* quiet_hours = 22:00-07:30 Europe/Paris (the zone is optional: local). */
struct hark_quiet_hours {
	bool set;
	int start;             /* minutes after midnight */
	int end;               /* minutes after midnight; < start wraps */
	char *tz;              /* IANA zone name, or NULL for local time */
};

enum hark_priority { HARK_PRIORITY_LOW, HARK_PRIORITY_NORMAL, HARK_PRIORITY_CRITICAL };

struct hark_rule_conf {
	char *name;
	struct hark_conf_str query;
	GPtrArray *alert;      /* of char*: "stdout", "desktop", ...; never NULL */
	char *on_update;       /* "alert" or "ignore" (NULL: ignore) */
	bool alert_on_update;  /* an edited item that matches alerts again */
	int line;              /* line of the [rule NAME] header */
	/* Optional conditions, value NULL when absent; checked and compiled
	 * by hark_ruleset_compile() (see hark-query(7)).  Raw text as
	 * written, so errors can point at a column inside them. */
	struct hark_conf_str exclude;         /* a query that vetoes the rule */
	struct hark_conf_str sentiment;       /* "< -0.3", ">= 0.5", "negative" */
	struct hark_conf_str sentiment_scope; /* "terms" (default) or "document" */
	struct hark_conf_str feeds;           /* feed names and tag:X, ',' or ';' */
	struct hark_conf_str min_length;      /* "40" characters or "12 words" */
	struct hark_conf_str accent_folding;  /* yes/no, default yes */
	/* Delivery (see daemon/outbox.c). */
	enum hark_priority priority;      /* priority = low|normal|critical */
	struct hark_rate rate_limit;      /* per channel; excess is suppressed */
	int64_t digest;                   /* seconds; 0: one message per alert */
	struct hark_quiet_hours quiet_hours;
	bool quiet_hours_webhooks;        /* webhooks held in quiet hours too */
	struct hark_rate coalesce;        /* desktop bursts; default 3/1m */
	double spike_k;                   /* 0: no spike alerts */
	int64_t spike_min;                /* hits in the hour before a spike counts */
};

enum hark_channel_kind { HARK_CHANNEL_WEBHOOK, HARK_CHANNEL_EXEC };

enum hark_webhook_format {
	HARK_FORMAT_JSON,
	HARK_FORMAT_SLACK,
	HARK_FORMAT_TEAMS,
	HARK_FORMAT_DISCORD,
	HARK_FORMAT_MATTERMOST,
};

/* A [webhook NAME] or [exec NAME] section: a channel rules name in
 * alert=.  The secret is never printed (diagnostics show the line with
 * its value masked). */
struct hark_channel_conf {
	enum hark_channel_kind kind;
	char *name;
	int line;
	/* webhook */
	char *url;
	enum hark_webhook_format format;
	char *secret;          /* secret = ..., or read from secret_file */
	char *secret_file;
	int64_t timeout;       /* seconds for the whole request; default 10 */
	GPtrArray *headers;    /* of char* "Name: value"; never NULL */
	/* exec */
	char *command;         /* run with /bin/sh -c, the alert on stdin */
	/* retries (both kinds) */
	int64_t retry_base;    /* first retry delay, seconds; default 30 */
	int64_t retry_max;     /* longest delay between retries; default 1h */
	int64_t max_attempts;  /* default 12 */
	int64_t max_age;       /* seconds; default 1d */
};

struct hark_config {
	char *path;            /* the file it was read from */
	char *database;        /* absolute path of the SQLite file */
	int64_t interval;      /* default poll interval, seconds */
	int64_t retention;     /* items kept this long after last seen (90d) */
	int64_t hit_retention; /* hits (and their items) kept this long (365d) */
	GPtrArray *feeds;      /* of struct hark_feed_conf*, in file order */
	GPtrArray *rules;      /* of struct hark_rule_conf*, in file order */
	GPtrArray *channels;   /* of struct hark_channel_conf*, in file order */
	GPtrArray *lines;      /* the file's lines (char*), for diagnostics */

	/* Polling ([hark] keys). */
	int64_t max_transfers;     /* in flight, all hosts; default 32 */
	int64_t max_per_host;      /* in flight per host; default 2 */
	int64_t connect_timeout;   /* seconds; default 15 */
	int64_t timeout;           /* whole transfer, seconds; default 60 */
	int64_t low_speed_time;    /* under 100 B/s this long = stalled; 30 */
	int64_t max_size;          /* bytes after decompression; 16 MiB */
	int64_t backoff_max;       /* cap of the failure backoff; 12h */
	int64_t unconditional_every; /* every Nth poll ignores validators; 24 */
	int64_t broken_after;      /* failing this long raises an alert; 1d */
	GPtrArray *health_alert;   /* channels for feed health alerts; stdout */

	/* The web page ([web] keys); NULL when absent: `hark run` serves
	 * no page without listen. */
	char *web_listen;          /* "127.0.0.1:8044", "[::1]:8044", ... */
	char *web_token;           /* access token, or NULL; never logged */
};

/* $XDG_CONFIG_HOME/hark/hark.conf.  Caller frees with g_free(). */
char *hark_config_default_path(void);

/* Reads PATH.  Problems with the content go to DIAGS (all of them): the
 * config is usable only when DIAGS gained none, but it is returned anyway
 * so that later stages (rules) can report their problems too.  A file that
 * cannot be read returns NULL and sets ERR (HARK_ERROR_USER).  Caller
 * frees with hark_config_free(). */
struct hark_config *hark_config_load(const char *path, struct hark_diags *diags,
				     GError **err);
void hark_config_free(struct hark_config *cfg);

/* The [webhook NAME] / [exec NAME] channel called NAME, or NULL. */
const struct hark_channel_conf *hark_config_channel(const struct hark_config *cfg,
						    const char *name);
/* The rule called NAME, or NULL. */
const struct hark_rule_conf *hark_config_rule(const struct hark_config *cfg,
					      const char *name);

/* The source line LINE (1-based) of CFG's file, or NULL. */
const char *hark_config_line(const struct hark_config *cfg, int line);

/* Every key the loader accepts, as "SECTION KEY" strings ("hark
 * database", "feed url", "rule query", ...), in table order; the caller
 * unrefs the array. */
GPtrArray *hark_config_known_keys(void);

#endif
