/* config.c - read hark.conf (GKeyFile format) with positions for errors.
 *
 * GKeyFile does the unescaping and list splitting, but it reports no line
 * numbers and silently merges duplicate sections, so a first pass over the
 * raw lines records where every section and key is and catches syntax
 * errors and duplicates with their positions.
 */
#include "hark/config.h"
#include "hark/alert.h"
#include "hark/duration.h"
#include "hark/error.h"
#include "hark/web.h"

#include <libxml/xpath.h>
#include <string.h>

enum value_type { T_STRING, T_XPATH, T_PATH, T_URL, T_DURATION, T_LIST, T_QUERY,
		  T_INTERVAL, T_BOOL, T_COUNT, T_SIZE, T_HEADERS,
		  /* delivery keys (rules and channels) */
		  T_HTTP_URL, T_RATE, T_PRIORITY, T_QUIET, T_HOLD, T_NUMBER,
		  T_FORMAT, T_SECRET };

struct key_spec {
	const char *key;
	enum value_type type;
	bool required;
	size_t offset;   /* into the section's struct */
};

#define FEED(f) offsetof(struct hark_feed_conf, f)
#define RULE(f) offsetof(struct hark_rule_conf, f)
#define MAIN(f) offsetof(struct hark_config, f)
#define CHAN(f) offsetof(struct hark_channel_conf, f)

static const struct key_spec hark_keys[] = {
	{"database", T_PATH, false, MAIN(database)},
	{"interval", T_DURATION, false, MAIN(interval)},
	{"max_transfers", T_COUNT, false, MAIN(max_transfers)},
	{"max_per_host", T_COUNT, false, MAIN(max_per_host)},
	{"connect_timeout", T_DURATION, false, MAIN(connect_timeout)},
	{"timeout", T_DURATION, false, MAIN(timeout)},
	{"low_speed_time", T_DURATION, false, MAIN(low_speed_time)},
	{"max_size", T_SIZE, false, MAIN(max_size)},
	{"backoff_max", T_DURATION, false, MAIN(backoff_max)},
	{"unconditional_every", T_COUNT, false, MAIN(unconditional_every)},
	{"broken_after", T_DURATION, false, MAIN(broken_after)},
	{"health_alert", T_LIST, false, MAIN(health_alert)},
	{"retention", T_DURATION, false, MAIN(retention)},
	{"hit_retention", T_DURATION, false, MAIN(hit_retention)},
	{NULL, 0, false, 0},
};

static const struct key_spec web_keys[] = {
	{"listen", T_STRING, false, MAIN(web_listen)},
	{"token", T_STRING, false, MAIN(web_token)},
	{NULL, 0, false, 0},
};

static const struct key_spec feed_keys[] = {
	{"url", T_URL, true, FEED(url)},
	{"interval", T_INTERVAL, false, FEED(interval)},
	{"tags", T_LIST, false, FEED(tags)},
	{"interval_min", T_DURATION, false, FEED(interval_min)},
	{"interval_max", T_DURATION, false, FEED(interval_max)},
	{"headers", T_HEADERS, false, FEED(headers)},
	{"username", T_STRING, false, FEED(username)},
	{"password", T_STRING, false, FEED(password)},
	{"tls_verify", T_BOOL, false, FEED(tls_verify)},
	{"silent_after", T_DURATION, false, FEED(silent_after)},
	{"xpath_item", T_XPATH, false, FEED(html.item)},
	{"xpath_title", T_XPATH, false, FEED(html.title)},
	{"xpath_link", T_XPATH, false, FEED(html.link)},
	{"xpath_body", T_XPATH, false, FEED(html.body)},
	{"xpath_author", T_XPATH, false, FEED(html.author)},
	{"xpath_date", T_XPATH, false, FEED(html.date)},
	{"identity", T_STRING, false, FEED(identity)},
	{NULL, 0, false, 0},
};

static const struct key_spec rule_keys[] = {
	{"query", T_QUERY, true, RULE(query)},
	{"alert", T_LIST, false, RULE(alert)},
	{"on_update", T_STRING, false, RULE(on_update)},
	{"exclude", T_QUERY, false, RULE(exclude)},
	{"sentiment", T_QUERY, false, RULE(sentiment)},
	{"sentiment_scope", T_QUERY, false, RULE(sentiment_scope)},
	{"feeds", T_QUERY, false, RULE(feeds)},
	{"min_length", T_QUERY, false, RULE(min_length)},
	{"accent_folding", T_QUERY, false, RULE(accent_folding)},
	{"priority", T_PRIORITY, false, RULE(priority)},
	{"rate_limit", T_RATE, false, RULE(rate_limit)},
	{"digest", T_DURATION, false, RULE(digest)},
	{"quiet_hours", T_QUIET, false, RULE(quiet_hours)},
	{"quiet_hours_webhooks", T_HOLD, false, RULE(quiet_hours_webhooks)},
	{"coalesce", T_RATE, false, RULE(coalesce)},
	{"spike_k", T_NUMBER, false, RULE(spike_k)},
	{"spike_min", T_COUNT, false, RULE(spike_min)},
	{NULL, 0, false, 0},
};

static const struct key_spec webhook_keys[] = {
	{"url", T_HTTP_URL, true, CHAN(url)},
	{"format", T_FORMAT, false, CHAN(format)},
	{"secret", T_SECRET, false, CHAN(secret)},
	{"secret_file", T_STRING, false, CHAN(secret_file)},
	{"timeout", T_DURATION, false, CHAN(timeout)},
	{"headers", T_HEADERS, false, CHAN(headers)},
	{"retry_base", T_DURATION, false, CHAN(retry_base)},
	{"retry_max", T_DURATION, false, CHAN(retry_max)},
	{"max_attempts", T_COUNT, false, CHAN(max_attempts)},
	{"max_age", T_DURATION, false, CHAN(max_age)},
	{NULL, 0, false, 0},
};

static const struct key_spec exec_keys[] = {
	{"command", T_STRING, true, CHAN(command)},
	{"timeout", T_DURATION, false, CHAN(timeout)},
	{"retry_base", T_DURATION, false, CHAN(retry_base)},
	{"retry_max", T_DURATION, false, CHAN(retry_max)},
	{"max_attempts", T_COUNT, false, CHAN(max_attempts)},
	{"max_age", T_DURATION, false, CHAN(max_age)},
	{NULL, 0, false, 0},
};

/* Every section kind with its keys, for `hark check --list-keys` and
 * the test that holds hark.conf(5) to them.  A new section kind adds a
 * row here as well as a read_section() call. */
static const struct {
	const char *section;
	const struct key_spec *keys;
} section_kinds[] = {
	{"hark", hark_keys},
	{"feed", feed_keys},
	{"rule", rule_keys},
	{"webhook", webhook_keys},
	{"exec", exec_keys},
	{"web", web_keys},
};

GPtrArray *hark_config_known_keys(void)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

	for (size_t i = 0; i < G_N_ELEMENTS(section_kinds); i++)
		for (const struct key_spec *k = section_kinds[i].keys; k->key; k++)
			g_ptr_array_add(out, g_strdup_printf("%s %s",
				section_kinds[i].section, k->key));
	return out;
}

/* Where one key of a section was found. */
struct raw_key {
	char *key;
	int line;
	int key_col;
	int value_col;
};

struct raw_section {
	char *group;      /* as written between the brackets */
	int line;
	bool duplicate;   /* a second [same] section: reported, not built */
	GPtrArray *keys;  /* of struct raw_key* */
};

struct loader {
	const char *path;
	struct hark_config *cfg;
	struct hark_diags *diags;
	GPtrArray *sections;  /* of struct raw_section* */
	GKeyFile *kf;
	char *dir;            /* directory of the config file */
};

#define DEFAULT_INTERVAL (15 * 60)
#define DEFAULT_RETENTION (90 * 86400)
#define DEFAULT_HIT_RETENTION (365 * 86400)

static void raw_key_free(gpointer p)
{
	struct raw_key *k = p;

	g_free(k->key);
	g_free(k);
}

static void raw_section_free(gpointer p)
{
	struct raw_section *s = p;

	g_free(s->group);
	g_ptr_array_unref(s->keys);
	g_free(s);
}

static void feed_conf_free(gpointer p)
{
	struct hark_feed_conf *f = p;

	g_free(f->name);
	g_free(f->url);
	g_free(f->identity);
	g_ptr_array_unref(f->tags);
	g_ptr_array_unref(f->headers);
	g_free(f->username);
	if (f->password)
		memset(f->password, 0, strlen(f->password));
	g_free(f->password);
	g_free((char *)f->html.item);
	g_free((char *)f->html.title);
	g_free((char *)f->html.link);
	g_free((char *)f->html.body);
	g_free((char *)f->html.author);
	g_free((char *)f->html.date);
	g_free(f);
}

static void rule_conf_free(gpointer p)
{
	struct hark_rule_conf *r = p;

	g_free(r->name);
	g_free(r->query.value);
	g_free(r->on_update);
	g_free(r->exclude.value);
	g_free(r->sentiment.value);
	g_free(r->sentiment_scope.value);
	g_free(r->feeds.value);
	g_free(r->min_length.value);
	g_free(r->accent_folding.value);
	g_ptr_array_unref(r->alert);
	g_free(r->quiet_hours.tz);
	g_free(r);
}

static void channel_conf_free(gpointer p)
{
	struct hark_channel_conf *c = p;

	g_free(c->name);
	g_free(c->url);
	if (c->secret)
		memset(c->secret, 0, strlen(c->secret));
	g_free(c->secret);
	g_free(c->secret_file);
	g_ptr_array_unref(c->headers);
	g_free(c->command);
	g_free(c);
}

const struct hark_channel_conf *hark_config_channel(const struct hark_config *cfg,
						    const char *name)
{
	for (guint i = 0; cfg && i < cfg->channels->len; i++) {
		const struct hark_channel_conf *c = cfg->channels->pdata[i];
		if (!strcmp(c->name, name))
			return c;
	}
	return NULL;
}

const struct hark_rule_conf *hark_config_rule(const struct hark_config *cfg,
					      const char *name)
{
	for (guint i = 0; cfg && i < cfg->rules->len; i++) {
		const struct hark_rule_conf *r = cfg->rules->pdata[i];
		if (!strcmp(r->name, name))
			return r;
	}
	return NULL;
}

const char *hark_config_line(const struct hark_config *cfg, int line)
{
	if (!cfg || line < 1 || (guint)line > cfg->lines->len)
		return NULL;
	return cfg->lines->pdata[line - 1];
}

static int utf8_col(const char *line, const char *at)
{
	return (int)g_utf8_pointer_to_offset(line, at) + 1;
}

static void diag(struct loader *ld, int line, int col, int len,
		 const char *hint, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static void diag(struct loader *ld, int line, int col, int len,
		 const char *hint, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	hark_diags_add(ld->diags, ld->path, line, col, len,
		       hark_config_line(ld->cfg, line), hint, "%s", msg);
	g_free(msg);
}

/* Pass 1: find sections and keys, and syntax errors, with positions.
 * Returns the number of lines GKeyFile could not parse; duplicates are
 * reported but do not stop the later checks. */
static unsigned scan_lines(struct loader *ld)
{
	struct raw_section *cur = NULL;
	unsigned syntax = 0;

	for (guint i = 0; i < ld->cfg->lines->len; i++) {
		const char *line = ld->cfg->lines->pdata[i];
		const char *p = line, *eq, *end;
		int lineno = (int)i + 1;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (*p == '[') {
			end = p + strlen(p);
			while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			if (end[-1] != ']' || end - p < 3) {
				diag(ld, lineno, utf8_col(line, p), 1, NULL,
				     "malformed section header (expected '[section]' or '[section NAME]')");
				syntax++;
				cur = NULL;
				continue;
			}
			cur = g_new0(struct raw_section, 1);
			cur->group = g_strndup(p + 1, (gsize)(end - p - 2));
			cur->line = lineno;
			cur->keys = g_ptr_array_new_with_free_func(raw_key_free);
			for (guint j = 0; j < ld->sections->len; j++) {
				struct raw_section *o = ld->sections->pdata[j];
				if (!strcmp(o->group, cur->group) && !o->duplicate) {
					char hint[64];
					cur->duplicate = true;
					snprintf(hint, sizeof hint,
						 "first defined on line %d", o->line);
					diag(ld, lineno, utf8_col(line, p),
					     (int)(end - p), hint,
					     "duplicate section [%s]", cur->group);
				}
			}
			g_ptr_array_add(ld->sections, cur);
			continue;
		}
		eq = strchr(p, '=');
		if (!eq) {
			diag(ld, lineno, utf8_col(line, p), 1,
			     "lines are 'key = value', '[section]' or '# comment'",
			     "expected 'key = value'");
			syntax++;
			continue;
		}
		if (!cur) {
			diag(ld, lineno, utf8_col(line, p), 1,
			     "put it under a section such as [hark]",
			     "key outside of any section");
			syntax++;
			continue;
		}
		end = eq;
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end == p) {
			diag(ld, lineno, utf8_col(line, p), 1, NULL,
			     "missing key name before '='");
			syntax++;
			continue;
		}
		struct raw_key *k = g_new0(struct raw_key, 1);
		const char *v = eq + 1;

		k->key = g_strndup(p, (gsize)(end - p));
		k->line = lineno;
		k->key_col = utf8_col(line, p);
		while (*v == ' ' || *v == '\t')
			v++;
		k->value_col = utf8_col(line, v);
		if (!strcmp(k->key, "secret")) {
			/* Secrets never reach a terminal: the copy of the line
			 * kept for diagnostics has its value masked. */
			char *masked = g_strdup_printf("%.*s********", (int)(v - line), line);
			g_free(ld->cfg->lines->pdata[i]);
			ld->cfg->lines->pdata[i] = masked;
			line = masked;
		}
		for (guint j = 0; j < cur->keys->len; j++) {
			struct raw_key *o = cur->keys->pdata[j];
			if (!strcmp(o->key, k->key)) {
				char hint[64];
				snprintf(hint, sizeof hint,
					 "first set on line %d", o->line);
				diag(ld, lineno, k->key_col,
				     (int)g_utf8_strlen(k->key, -1), hint,
				     "duplicate key '%s' in [%s]", k->key,
				     cur->group);
			}
		}
		g_ptr_array_add(cur->keys, k);
	}
	return syntax;
}

static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];

	if (lb >= G_N_ELEMENTS(row))
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned prev = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cur = row[j];
			unsigned sub = prev + (a[i - 1] != b[j - 1]);
			unsigned best = MIN(row[j] + 1, row[j - 1] + 1);
			row[j] = MIN(best, sub);
			prev = cur;
		}
	}
	return row[lb];
}

static const char *closest(const char *word, const char *const *cands)
{
	const char *best = NULL;
	unsigned bestd = 3;

	for (; *cands; cands++) {
		unsigned d = edit_distance(word, *cands);
		if (d < bestd) {
			bestd = d;
			best = *cands;
		}
	}
	return best;
}

static char **split_list(const char *s)
{
	char **parts = g_strsplit_set(s, ",;", -1);
	GPtrArray *out = g_ptr_array_new();

	for (char **p = parts; *p; p++) {
		char *t = g_strstrip(*p);
		if (*t)
			g_ptr_array_add(out, g_strdup(t));
	}
	g_strfreev(parts);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

static bool url_ok(struct loader *ld, const struct raw_key *k, char **value)
{
	char *v = *value;

	if (g_str_has_prefix(v, "http://") || g_str_has_prefix(v, "https://") ||
	    g_str_has_prefix(v, "file:///"))
		return true;
	if (g_str_has_prefix(v, "file:") && !g_str_has_prefix(v, "file://")) {
		/* file:RELATIVE is relative to the config file's directory,
		 * so a config and its sample feeds can move together. */
		char *abs = g_build_filename(ld->dir, v + 5, NULL);
		char *canon = g_canonicalize_filename(abs, NULL);
		char *uri = g_filename_to_uri(canon, NULL, NULL);

		g_free(abs);
		g_free(canon);
		if (uri) {
			g_free(v);
			*value = uri;
			return true;
		}
	}
	diag(ld, k->line, k->value_col, (int)g_utf8_strlen(v, -1),
	     "use http://, https://, file:///ABSOLUTE/PATH or file:RELATIVE/PATH",
	     "'%s' is not a URL hark can fetch", v);
	return false;
}

/* "N/DURATION" ("10/1h"), or "off". */
static bool parse_rate(const char *v, struct hark_rate *out)
{
	const char *slash = strchr(v, '/');
	char *end;
	guint64 n;

	if (!strcmp(v, "off") || !strcmp(v, "0")) {
		out->count = 0;
		out->per = 0;
		return true;
	}
	if (!slash || !g_ascii_isdigit(*v))
		return false;
	n = g_ascii_strtoull(v, &end, 10);
	if (end != slash || n < 1 || n > 1000000)
		return false;
	if (!hark_duration_parse(slash + 1, &out->per, NULL) || out->per < 1)
		return false;
	out->count = (unsigned)n;
	return true;
}

static bool parse_hhmm(const char *s, int *minutes)
{
	if (!g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]) || s[2] != ':' ||
	    !g_ascii_isdigit(s[3]) || !g_ascii_isdigit(s[4]))
		return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0');
	int m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return false;
	*minutes = h * 60 + m;
	return true;
}

/* "22:00-07:30" or "22:00-07:30 Europe/Paris". */
static bool parse_quiet(const char *v, struct hark_quiet_hours *q, bool *bad_tz)
{
	const char *tz;

	*bad_tz = false;
	if (strlen(v) < 11 || v[5] != '-' || !parse_hhmm(v, &q->start) ||
	    !parse_hhmm(v + 6, &q->end) || (v[11] && v[11] != ' '))
		return false;
	tz = v + 11;
	while (*tz == ' ')
		tz++;
	g_clear_pointer(&q->tz, g_free);
	if (*tz) {
		GTimeZone *z = g_time_zone_new_identifier(tz);
		if (!z) {
			*bad_tz = true;
			return false;
		}
		g_time_zone_unref(z);
		q->tz = g_strdup(tz);
	}
	q->set = q->start != q->end;
	return true;
}

static void read_duration(struct loader *ld, const struct raw_key *k,
			  const char *v, int64_t *field)
{
	GError *e = NULL;
	int64_t secs;

	if (!hark_duration_parse(v, &secs, &e)) {
		diag(ld, k->line, k->value_col,
		     (int)g_utf8_strlen(v, -1), "e.g. 90s, 15m, 2h, 1d",
		     "bad duration '%s' for '%s'", v, k->key);
		g_error_free(e);
		return;
	}
	if (secs < 1) {
		diag(ld, k->line, k->value_col, 1, NULL,
		     "'%s' must be at least 1s", k->key);
		return;
	}
	*field = secs;
}

static void xpath_quiet(void *user, xmlErrorPtr error)
{
	(void)user;
	(void)error;
}

static void read_value(struct loader *ld, const struct raw_section *sec,
		       const struct raw_key *k, const struct key_spec *spec,
		       void *base)
{
	GError *e = NULL;
	/* Queries are taken raw: a /regex/ needs its backslashes, and columns
	 * inside the value must match the file. */
	char *v = spec->type == T_QUERY
		  ? g_key_file_get_value(ld->kf, sec->group, k->key, &e)
		  : g_key_file_get_string(ld->kf, sec->group, k->key, &e);
	void *field = (char *)base + spec->offset;

	if (!v) {
		diag(ld, k->line, k->value_col, 1, NULL, "%s", e->message);
		g_error_free(e);
		return;
	}
	g_strstrip(v);
	switch (spec->type) {
	case T_STRING:
		g_free(*(char **)field);
		*(char **)field = v;
		return;
	case T_XPATH: {
		/* Compiled once here so a typo is a config error with its
		 * position, not a failed poll later. */
		xmlXPathCompExprPtr comp;

		xmlSetStructuredErrorFunc(NULL, xpath_quiet);
		comp = *v ? xmlXPathCompile((const xmlChar *)v) : NULL;
		xmlSetStructuredErrorFunc(NULL, NULL);
		if (!comp) {
			diag(ld, k->line, k->value_col, (int)MAX(1, g_utf8_strlen(v, -1)),
			     "an XPath 1.0 expression, e.g. //tr[contains(@class,'topic')]; "
			     "try it with hark parse --item ... FILE",
			     "'%s' is not a valid XPath expression", v);
			break;
		}
		xmlXPathFreeCompExpr(comp);
		g_free(*(char **)field);
		*(char **)field = v;
		return;
	}
	case T_PATH:
		if (!*v) {
			diag(ld, k->line, k->value_col, 1, NULL,
			     "'%s' needs a value", k->key);
			break;
		}
		if (v[0] == '~' && v[1] == '/') {
			char *t = g_build_filename(g_get_home_dir(), v + 2, NULL);
			g_free(v);
			v = t;
		} else if (!g_path_is_absolute(v)) {
			char *t = g_build_filename(g_get_user_data_dir(), "hark", v, NULL);
			g_free(v);
			v = t;
		}
		g_free(*(char **)field);
		*(char **)field = v;
		return;
	case T_URL:
		if (!*v) {
			diag(ld, k->line, k->value_col, 1, NULL, "'url' needs a value");
			break;
		}
		if (url_ok(ld, k, &v)) {
			g_free(*(char **)field);
			*(char **)field = v;
			return;
		}
		break;
	case T_DURATION:
		read_duration(ld, k, v, field);
		break;
	case T_INTERVAL:
		if (!g_ascii_strcasecmp(v, "auto")) {
			/* Only [feed] sections have this type. */
			struct hark_feed_conf *f = base;
			f->interval_auto = true;
			break;
		}
		read_duration(ld, k, v, field);
		break;
	case T_BOOL:
		if (!g_ascii_strcasecmp(v, "true") || !g_ascii_strcasecmp(v, "yes") ||
		    !strcmp(v, "1") || !g_ascii_strcasecmp(v, "on"))
			*(bool *)field = true;
		else if (!g_ascii_strcasecmp(v, "false") || !g_ascii_strcasecmp(v, "no") ||
			 !strcmp(v, "0") || !g_ascii_strcasecmp(v, "off"))
			*(bool *)field = false;
		else
			diag(ld, k->line, k->value_col, (int)g_utf8_strlen(v, -1),
			     "use yes or no", "bad value '%s' for '%s'", v, k->key);
		break;
	case T_COUNT:
	case T_SIZE: {
		char *end = NULL;
		guint64 n = g_ascii_strtoull(v, &end, 10);
		guint64 mul = 1;

		if (spec->type == T_SIZE && end && *end && !end[1]) {
			switch (g_ascii_tolower(*end)) {
			case 'k': mul = 1024; end++; break;
			case 'm': mul = 1024 * 1024; end++; break;
			case 'g': mul = 1024 * 1024 * 1024; end++; break;
			}
		}
		if (end == v || !end || *end || n < 1 || n > (1u << 30)) {
			diag(ld, k->line, k->value_col, (int)g_utf8_strlen(v, -1),
			     spec->type == T_SIZE ? "e.g. 512k, 16M" : "a whole number from 1",
			     "bad value '%s' for '%s'", v, k->key);
			break;
		}
		*(int64_t *)field = (int64_t)(n * mul);
		break;
	}
	case T_HEADERS: {
		/* ';' only: header values may contain commas. */
		GPtrArray *arr = *(GPtrArray **)field;
		char **parts = g_strsplit(v, ";", -1);

		g_ptr_array_set_size(arr, 0);
		for (char **p = parts; *p; p++) {
			char *h = g_strstrip(*p), *colon = strchr(h, ':');

			if (!*h)
				continue;
			if (!colon || colon == h || strpbrk(h, "\r\n")) {
				diag(ld, k->line, k->value_col, (int)g_utf8_strlen(v, -1),
				     "headers = Name: value; Other-Name: value",
				     "bad header '%.*s' in '%s'", (int)(colon ? colon - h : 20),
				     h, k->key);
				continue;
			}
			g_ptr_array_add(arr, g_strdup(h));
		}
		g_strfreev(parts);
		break;
	}
	case T_LIST: {
		GPtrArray *arr = *(GPtrArray **)field;
		char **items = split_list(v);
		g_ptr_array_set_size(arr, 0);
		for (char **p = items; *p; p++)
			g_ptr_array_add(arr, *p);
		g_free(items);
		break;
	}
	case T_HTTP_URL:
		if (!g_str_has_prefix(v, "http://") && !g_str_has_prefix(v, "https://")) {
			diag(ld, k->line, k->value_col, (int)MAX(1, g_utf8_strlen(v, -1)),
			     "webhooks are http:// or https:// URLs",
			     "'%s' is not an http(s) URL", v);
			break;
		}
		g_free(*(char **)field);
		*(char **)field = v;
		return;
	case T_SECRET:
		/* Never echo it: the diagnostic's source line is masked too. */
		if (!*v) {
			diag(ld, k->line, k->value_col, 1, NULL, "'%s' is empty", k->key);
			break;
		}
		g_free(*(char **)field);
		*(char **)field = v;
		return;
	case T_RATE:
		if (!parse_rate(v, field))
			diag(ld, k->line, k->value_col, (int)MAX(1, g_utf8_strlen(v, -1)),
			     "COUNT/DURATION, e.g. 10/1h, or off",
			     "bad rate '%s' for '%s'", v, k->key);
		break;
	case T_PRIORITY:
		if (!strcmp(v, "low"))
			*(enum hark_priority *)field = HARK_PRIORITY_LOW;
		else if (!strcmp(v, "normal"))
			*(enum hark_priority *)field = HARK_PRIORITY_NORMAL;
		else if (!strcmp(v, "critical") || !strcmp(v, "high"))
			*(enum hark_priority *)field = HARK_PRIORITY_CRITICAL;
		else
			diag(ld, k->line, k->value_col, (int)MAX(1, g_utf8_strlen(v, -1)),
			     "low, normal or critical", "bad priority '%s'", v);
		break;
	case T_QUIET: {
		bool bad_tz;
		if (!parse_quiet(v, field, &bad_tz))
			diag(ld, k->line, k->value_col, (int)MAX(1, g_utf8_strlen(v, -1)),
			     bad_tz ? "use an IANA zone name such as Europe/Paris"
				    : "HH:MM-HH:MM [ZONE], e.g. 22:00-07:00 Europe/Paris",
			     bad_tz ? "unknown time zone in '%s'" : "bad quiet hours '%s'", v);
		break;
	}
	case T_HOLD:
		if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "hold"))
			*(bool *)field = true;
		else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "send"))
			*(bool *)field = false;
		else
			diag(ld, k->line, k->value_col, (int)MAX(1, g_utf8_strlen(v, -1)),
			     "hold (or yes) / send (or no)", "bad value '%s' for '%s'", v,
			     k->key);
		break;
	case T_NUMBER: {
		char *end;
		double d = g_ascii_strtod(v, &end);
		if (!*v || *end || !(d > 0) || d > 1000)
			diag(ld, k->line, k->value_col, (int)MAX(1, g_utf8_strlen(v, -1)),
			     "a positive number such as 3 or 2.5",
			     "bad number '%s' for '%s'", v, k->key);
		else
			*(double *)field = d;
		break;
	}
	case T_FORMAT: {
		static const char *const formats[] = {
			"json", "slack", "teams", "discord", "mattermost", NULL};
		int f = -1;
		for (int i = 0; formats[i]; i++)
			if (!strcmp(v, formats[i]))
				f = i;
		if (f < 0) {
			const char *near = closest(v, formats);
			char *hint = near ? g_strdup_printf("did you mean '%s'?", near)
					  : g_strdup("json, slack, teams, discord or mattermost");
			diag(ld, k->line, k->value_col, (int)MAX(1, g_utf8_strlen(v, -1)),
			     hint, "unknown webhook format '%s'", v);
			g_free(hint);
		} else {
			*(enum hark_webhook_format *)field = (enum hark_webhook_format)f;
		}
		break;
	}
	case T_QUERY: {
		struct hark_conf_str *s = field;
		g_free(s->value);
		s->value = v;
		s->line = k->line;
		s->col = k->value_col;
		if (!*v)
			diag(ld, k->line, k->value_col, 1, NULL,
			     "'%s' is empty", k->key);
		return;
	}
	}
	g_free(v);
}

static void read_section(struct loader *ld, const struct raw_section *sec,
			 const char *label, const struct key_spec *specs,
			 void *base)
{
	const char *names[32];
	size_t n = 0;

	for (const struct key_spec *s = specs; s->key; s++)
		names[n++] = s->key;
	names[n] = NULL;
	for (guint i = 0; i < sec->keys->len; i++) {
		const struct raw_key *k = sec->keys->pdata[i];
		const struct key_spec *s;

		for (s = specs; s->key; s++)
			if (!strcmp(s->key, k->key))
				break;
		if (!s->key) {
			const char *near = closest(k->key, names);
			char *known = g_strjoinv(", ", (char **)names);
			char *hint = near ? g_strdup_printf("did you mean '%s'?", near)
					  : g_strdup_printf("known keys: %s", known);
			g_free(known);
			diag(ld, k->line, k->key_col,
			     (int)g_utf8_strlen(k->key, -1), hint,
			     "unknown key '%s' in [%s]", k->key, label);
			g_free(hint);
			continue;
		}
		read_value(ld, sec, k, s, base);
	}
	for (const struct key_spec *s = specs; s->key; s++) {
		bool found = false;
		if (!s->required)
			continue;
		for (guint i = 0; i < sec->keys->len && !found; i++)
			found = !strcmp(((struct raw_key *)sec->keys->pdata[i])->key,
					s->key);
		if (!found)
			diag(ld, sec->line, 0, 0, NULL,
			     "[%s] has no '%s'", label, s->key);
	}
}

/* Every alert= entry must name a channel hark has. */
static void check_channels(struct loader *ld, const struct raw_section *sec,
			   const struct hark_rule_conf *r)
{
	const struct raw_key *k = NULL;

	for (guint i = 0; i < sec->keys->len; i++)
		if (!strcmp(((struct raw_key *)sec->keys->pdata[i])->key, "alert"))
			k = sec->keys->pdata[i];
	if (!k)
		return;
	for (guint j = 0; j < r->alert->len; j++) {
		const char *a = r->alert->pdata[j];
		const char *src = hark_config_line(ld->cfg, k->line);
		const char *at = strstr(src + k->value_col - 1, a);

		if (!hark_alert_channel_known(a) && !hark_config_channel(ld->cfg, a))
			diag(ld, k->line, at ? utf8_col(src, at) : k->value_col,
			     (int)g_utf8_strlen(a, -1),
			     "alert channels are stdout, console, desktop and the "
			     "names of [webhook NAME] and [exec NAME] sections",
			     "unknown alert channel '%s' in [%s]", a, sec->group);
	}
}

/* KEY of SEC, when set, must be one of CHOICES (NULL-terminated).
 * Returns the index of the choice, or -1 (unset or reported). */
static int check_choice(struct loader *ld, const struct raw_section *sec,
			const char *key, const char *value,
			const char *const *choices)
{
	const struct raw_key *k = NULL;
	char *known;

	if (!value)
		return -1;
	for (int i = 0; choices[i]; i++)
		if (!strcmp(value, choices[i]))
			return i;
	for (guint i = 0; i < sec->keys->len; i++)
		if (!strcmp(((struct raw_key *)sec->keys->pdata[i])->key, key))
			k = sec->keys->pdata[i];
	known = g_strjoinv(", ", (char **)choices);
	diag(ld, k ? k->line : sec->line, k ? k->value_col : 0,
	     (int)g_utf8_strlen(value, -1), known,
	     "bad value '%s' for '%s' in [%s]", value, key, sec->group);
	g_free(known);
	return -1;
}

static void check_health_channels(struct loader *ld)
{
	for (guint i = 0; i < ld->cfg->health_alert->len; i++) {
		const char *a = ld->cfg->health_alert->pdata[i];

		if (!hark_alert_channel_known(a) && !hark_config_channel(ld->cfg, a))
			diag(ld, 0, 0, 0, "alert channels are stdout, console, desktop and "
			     "the names of [webhook NAME] and [exec NAME] sections",
			     "unknown alert channel '%s' in health_alert", a);
	}
}

static bool name_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("_-.@+", *p))
			return false;
	return true;
}

/* [web]: the address must parse, and one beyond loopback needs a token
 * (the page shows what people say about you: not for the whole LAN). */
static void check_web(struct loader *ld, const struct raw_section *sec)
{
	struct hark_config *cfg = ld->cfg;
	const struct raw_key *at = NULL;
	bool loopback = false;
	GError *e = NULL;

	for (guint i = 0; i < sec->keys->len; i++)
		if (!strcmp(((struct raw_key *)sec->keys->pdata[i])->key, "listen"))
			at = sec->keys->pdata[i];
	if (!cfg->web_listen || !at)
		return;
	if (!hark_web_listen_parse(cfg->web_listen, NULL, &loopback, &e)) {
		diag(ld, at->line, at->value_col,
		     (int)g_utf8_strlen(cfg->web_listen, -1),
		     "e.g. 127.0.0.1:8044 or [::1]:8044", "%s", e->message);
		g_error_free(e);
	} else if (!loopback && (!cfg->web_token || !*cfg->web_token)) {
		diag(ld, at->line, at->value_col,
		     (int)g_utf8_strlen(cfg->web_listen, -1),
		     "add token = SECRET to [web], or listen on 127.0.0.1",
		     "listening beyond loopback (%s) needs an access token",
		     cfg->web_listen);
	}
}

/* A channel section's defaults, its secret_file, and its name. */
static void finish_channel(struct loader *ld, const struct raw_section *sec,
			   struct hark_channel_conf *c)
{
	const char *src = hark_config_line(ld->cfg, sec->line);
	int col = (int)(strchr(src, '[') - src) + 1;

	if (hark_alert_channel_known(c->name))
		diag(ld, sec->line, col, (int)g_utf8_strlen(sec->group, -1) + 2,
		     "stdout, console and desktop are built in; pick another name",
		     "channel name '%s' is reserved", c->name);
	if (c->secret && c->secret_file)
		diag(ld, sec->line, col, (int)g_utf8_strlen(sec->group, -1) + 2,
		     "keep the secret in one place", "[%s] has both 'secret' and "
		     "'secret_file'", sec->group);
	else if (c->secret_file) {
		char *text = NULL;
		GError *e = NULL;
		/* A relative secret_file is relative to the config file. */
		char *path = c->secret_file[0] == '~' && c->secret_file[1] == '/'
			     ? g_build_filename(g_get_home_dir(), c->secret_file + 2, NULL)
			     : g_path_is_absolute(c->secret_file) ? g_strdup(c->secret_file)
			     : g_build_filename(ld->dir, c->secret_file, NULL);

		if (!g_file_get_contents(path, &text, NULL, &e)) {
			diag(ld, sec->line, col, (int)g_utf8_strlen(sec->group, -1) + 2,
			     "secret_file must name a readable file holding the secret",
			     "[%s]: cannot read secret_file: %s", sec->group, e->message);
			g_error_free(e);
		} else {
			g_strchomp(text);
			if (!*text) {
				diag(ld, sec->line, col,
				     (int)g_utf8_strlen(sec->group, -1) + 2, NULL,
				     "[%s]: secret_file %s is empty", sec->group,
				     c->secret_file);
				g_free(text);
			} else {
				c->secret = text;
			}
		}
		g_free(path);
	}
}

static void build_config(struct loader *ld)
{
	static const char *const kinds[] = {"hark", "feed", "rule", "webhook", "exec",
					     "web", NULL};
	struct hark_config *cfg = ld->cfg;
	GPtrArray *rule_secs = g_ptr_array_new();

	for (guint i = 0; i < ld->sections->len; i++) {
		struct raw_section *sec = ld->sections->pdata[i];
		char *sp = strchr(sec->group, ' ');
		char *kind = sp ? g_strndup(sec->group, (gsize)(sp - sec->group))
				: g_strdup(sec->group);
		const char *name = sp ? sp + 1 : NULL;
		const char *src = hark_config_line(cfg, sec->line);
		int col = (int)(strchr(src, '[') - src) + 1;

		while (name && *name == ' ')
			name++;
		if (sec->duplicate) {
			/* reported by scan_lines */
		} else if (!strcmp(kind, "hark") && !name) {
			read_section(ld, sec, "hark", hark_keys, cfg);
		} else if (!strcmp(kind, "web") && !name) {
			read_section(ld, sec, "web", web_keys, cfg);
			check_web(ld, sec);
		} else if ((!strcmp(kind, "feed") || !strcmp(kind, "rule") ||
			    !strcmp(kind, "webhook") || !strcmp(kind, "exec")) &&
			   (!name || !name_ok(name))) {
			diag(ld, sec->line, col, (int)g_utf8_strlen(sec->group, -1) + 2,
			     "names use letters, digits and _ - . @ +",
			     name ? "bad %s name '%s'" : "[%s] needs a name: [%s NAME]",
			     kind, name ? name : kind);
		} else if (!strcmp(kind, "feed")) {
			struct hark_feed_conf *f = g_new0(struct hark_feed_conf, 1);
			f->name = g_strdup(name);
			f->line = sec->line;
			f->interval = 0;
			f->tags = g_ptr_array_new_with_free_func(g_free);
			f->headers = g_ptr_array_new_with_free_func(g_free);
			f->tls_verify = true;
			f->interval_min = 5 * 60;
			f->interval_max = 24 * 3600;
			g_ptr_array_add(cfg->feeds, f);
			read_section(ld, sec, sec->group, feed_keys, f);
			if (!f->html.item && (f->html.title || f->html.link || f->html.body ||
					      f->html.author || f->html.date))
				diag(ld, sec->line, 0, 0,
				     "xpath_item selects one node per post; the other "
				     "selectors are evaluated inside it",
				     "[%s] has XPath selectors but no xpath_item", sec->group);
			{
				static const char *const modes[] = {
					"auto", "guid", "link", "content", NULL};
				check_choice(ld, sec, "identity", f->identity, modes);
			}
		} else if (!strcmp(kind, "rule")) {
			struct hark_rule_conf *r = g_new0(struct hark_rule_conf, 1);
			r->name = g_strdup(name);
			r->line = sec->line;
			r->alert = g_ptr_array_new_with_free_func(g_free);
			g_ptr_array_add(r->alert, g_strdup("stdout"));
			r->priority = HARK_PRIORITY_NORMAL;
			r->coalesce.count = 3;
			r->coalesce.per = 60;
			r->spike_min = 5;
			g_ptr_array_add(cfg->rules, r);
			read_section(ld, sec, sec->group, rule_keys, r);
			g_ptr_array_add(rule_secs, sec);
			{
				static const char *const upd[] = {"ignore", "alert", NULL};
				r->alert_on_update = check_choice(ld, sec, "on_update",
								  r->on_update, upd) == 1;
			}
		} else if (!strcmp(kind, "webhook") || !strcmp(kind, "exec")) {
			struct hark_channel_conf *c = g_new0(struct hark_channel_conf, 1);
			bool hook = !strcmp(kind, "webhook");
			c->kind = hook ? HARK_CHANNEL_WEBHOOK : HARK_CHANNEL_EXEC;
			c->name = g_strdup(name);
			c->line = sec->line;
			c->headers = g_ptr_array_new_with_free_func(g_free);
			c->timeout = 10;
			c->retry_base = 30;
			c->retry_max = 3600;
			c->max_attempts = 12;
			c->max_age = 86400;
			g_ptr_array_add(cfg->channels, c);
			read_section(ld, sec, sec->group, hook ? webhook_keys : exec_keys, c);
			finish_channel(ld, sec, c);
		} else {
			const char *near = closest(kind, kinds);
			char *hint = near ? g_strdup_printf("did you mean [%s%s%s]?", near,
							    name ? " " : "", name ? name : "")
					  : g_strdup("sections are [hark], [web], [feed NAME], [rule NAME], "
						     "[webhook NAME], [exec NAME]");
			diag(ld, sec->line, col, (int)g_utf8_strlen(sec->group, -1) + 2,
			     hint, "unknown section [%s]", sec->group);
			g_free(hint);
		}
		g_free(kind);
	}
	/* After every section: a rule may name a channel defined below it. */
	for (guint i = 0; i < rule_secs->len; i++)
		check_channels(ld, rule_secs->pdata[i], cfg->rules->pdata[i]);
	g_ptr_array_unref(rule_secs);
	for (guint i = 0; i < cfg->feeds->len; i++) {
		struct hark_feed_conf *f = cfg->feeds->pdata[i];
		if (!f->interval)
			f->interval = cfg->interval;
		if (f->interval_max < f->interval_min)
			diag(ld, f->line, 0, 0, NULL,
			     "[feed %s]: interval_max is below interval_min", f->name);
	}
	check_health_channels(ld);
}

char *hark_config_default_path(void)
{
	return g_build_filename(g_get_user_config_dir(), "hark", "hark.conf", NULL);
}

void hark_config_free(struct hark_config *cfg)
{
	if (!cfg)
		return;
	g_free(cfg->path);
	g_free(cfg->database);
	g_free(cfg->web_listen);
	g_free(cfg->web_token);
	g_ptr_array_unref(cfg->health_alert);
	g_ptr_array_unref(cfg->feeds);
	g_ptr_array_unref(cfg->rules);
	g_ptr_array_unref(cfg->channels);
	g_ptr_array_unref(cfg->lines);
	g_free(cfg);
}

struct hark_config *hark_config_load(const char *path, struct hark_diags *diags,
				     GError **err)
{
	struct loader ld = {0};
	struct hark_config *cfg;
	char *text = NULL;
	gsize len = 0;
	GError *e = NULL;

	if (!g_file_get_contents(path, &text, &len, &e)) {
		g_set_error(err, HARK_ERROR, HARK_ERROR_USER,
			    "cannot read config: %s", e->message);
		g_error_free(e);
		return NULL;
	}
	cfg = g_new0(struct hark_config, 1);
	cfg->path = g_strdup(path);
	cfg->interval = DEFAULT_INTERVAL;
	cfg->retention = DEFAULT_RETENTION;
	cfg->hit_retention = DEFAULT_HIT_RETENTION;
	cfg->database = g_build_filename(g_get_user_data_dir(), "hark", "hark.db", NULL);
	cfg->feeds = g_ptr_array_new_with_free_func(feed_conf_free);
	cfg->rules = g_ptr_array_new_with_free_func(rule_conf_free);
	cfg->channels = g_ptr_array_new_with_free_func(channel_conf_free);
	cfg->lines = g_ptr_array_new_with_free_func(g_free);
	cfg->max_transfers = 32;
	cfg->max_per_host = 2;
	cfg->connect_timeout = 15;
	cfg->timeout = 60;
	cfg->low_speed_time = 30;
	cfg->max_size = 16 * 1024 * 1024;
	cfg->backoff_max = 12 * 3600;
	cfg->unconditional_every = 24;
	cfg->broken_after = 24 * 3600;
	cfg->health_alert = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(cfg->health_alert, g_strdup("stdout"));

	ld.path = path;
	ld.cfg = cfg;
	ld.diags = diags;
	ld.dir = g_path_get_dirname(path);
	ld.sections = g_ptr_array_new_with_free_func(raw_section_free);

	if (!g_utf8_validate(text, (gssize)len, NULL) || memchr(text, '\0', len)) {
		hark_diags_add(diags, path, 0, 0, 0, NULL, NULL,
			       "the file is not valid UTF-8 text");
		goto out;
	}
	{
		char **lines = g_strsplit(text, "\n", -1);
		for (char **p = lines; *p; p++) {
			size_t l = strlen(*p);
			if (l && (*p)[l - 1] == '\r')
				(*p)[l - 1] = '\0';
			g_ptr_array_add(cfg->lines, *p);
		}
		g_free(lines);
	}
	if (scan_lines(&ld) > 0)
		goto out;
	ld.kf = g_key_file_new();
	if (!g_key_file_load_from_data(ld.kf, text, len, G_KEY_FILE_NONE, &e)) {
		hark_diags_add(diags, path, 0, 0, 0, NULL, NULL, "%s", e->message);
		g_error_free(e);
		goto out;
	}
	build_config(&ld);
out:
	if (ld.kf)
		g_key_file_free(ld.kf);
	g_ptr_array_unref(ld.sections);
	g_free(ld.dir);
	g_free(text);
	return cfg;
}
