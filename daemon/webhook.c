/* webhook.c - signed POSTs of alerts in the generic or a chat format. */
#include "hark/webhook.h"
#include "hark/fetch.h"

#include <string.h>

#define RESPONSE_KEEP 200      /* bytes of an error response kept for the log */
#define DISCORD_MAX 1900       /* Discord rejects content over 2000 chars */

static void set_str(JsonBuilder *b, const char *name, const char *v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_string_value(b, v ? v : "");
}

/* Slack's mrkdwn wants &, < and > escaped and nothing else. */
static void slack_escape(GString *s, const char *t)
{
	for (; t && *t; t++) {
		if (*t == '&')
			g_string_append(s, "&amp;");
		else if (*t == '<')
			g_string_append(s, "&lt;");
		else if (*t == '>')
			g_string_append(s, "&gt;");
		else
			g_string_append_c(s, *t);
	}
}

/* Markdown (Mattermost, Discord, Teams): backslash the characters that
 * would turn a title into formatting or a link. */
static void md_escape(GString *s, const char *t)
{
	for (; t && *t; t++) {
		if (strchr("\\`*_[]()<>#|~", *t))
			g_string_append_c(s, '\\');
		g_string_append_c(s, *t);
	}
}

/* A feed's link inside chat markup: the characters that end a Slack
 * <url|label> or a Markdown (url) are percent-encoded, so a hostile link
 * cannot close the link and inject text or a second link. */
static void append_link(GString *s, const char *url)
{
	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || strchr("<>|()[]\\`\"", *p))
			g_string_append_printf(s, "%%%02X", *p);
		else
			g_string_append_c(s, (char)*p);
	}
}

/* The human text of an alert for chat services. */
static char *chat_text(enum hark_webhook_format f, JsonObject *root)
{
	const char *kind = hark_json_str(root, "kind");
	JsonObject *item;
	const char *title, *link, *feed, *snip, *rule = hark_json_str(root, "rule");
	GString *s = g_string_new(NULL);

	if (kind && strcmp(kind, "alert")) {
		char *t = hark_alert_text(root);
		if (f == HARK_FORMAT_SLACK)
			slack_escape(s, t);
		else
			md_escape(s, t);
		g_free(t);
		return g_string_free(s, FALSE);
	}
	item = json_object_has_member(root, "item") ? json_object_get_object_member(root, "item")
						    : NULL;
	title = hark_json_str(item, "title");
	link = hark_json_str(item, "link");
	feed = hark_json_str(root, "feed");
	snip = hark_json_str(item, "snippet");
	if (!title || !*title)
		title = "(untitled)";
	if (f == HARK_FORMAT_SLACK) {
		g_string_append(s, "*[");
		slack_escape(s, rule);
		g_string_append(s, "]* ");
		if (link) {
			g_string_append_c(s, '<');
			append_link(s, link);
			g_string_append_c(s, '|');
			slack_escape(s, title);
			g_string_append_c(s, '>');
		} else {
			slack_escape(s, title);
		}
		g_string_append(s, "\n_");
		slack_escape(s, feed);
		g_string_append(s, "_: ");
		slack_escape(s, snip);
	} else {
		g_string_append(s, "**[");
		md_escape(s, rule);
		g_string_append(s, "]** ");
		if (link) {
			g_string_append_c(s, '[');
			md_escape(s, title);
			g_string_append(s, "](");
			append_link(s, link);
			g_string_append_c(s, ')');
		} else {
			md_escape(s, title);
		}
		g_string_append(s, "\n*");
		md_escape(s, feed);
		g_string_append(s, "*: ");
		md_escape(s, snip);
	}
	return g_string_free(s, FALSE);
}

char *hark_webhook_body(enum hark_webhook_format format, const char *payload,
			const char *delivery_id)
{
	JsonNode *node;
	JsonObject *root;
	JsonBuilder *b;
	char *text;

	if (format == HARK_FORMAT_JSON)
		return hark_alert_with_id(payload, delivery_id);
	node = hark_alert_parse(payload);
	if (!node)
		return NULL;
	root = json_node_get_object(node);
	text = chat_text(format, root);
	b = json_builder_new();
	json_builder_begin_object(b);
	switch (format) {
	case HARK_FORMAT_JSON:
		break;
	case HARK_FORMAT_SLACK:
		set_str(b, "text", text);
		break;
	case HARK_FORMAT_MATTERMOST:
		set_str(b, "text", text);
		set_str(b, "username", "hark");
		break;
	case HARK_FORMAT_DISCORD:
		if (g_utf8_strlen(text, -1) > DISCORD_MAX) {
			char *cut = g_utf8_substring(text, 0, DISCORD_MAX);
			g_free(text);
			text = g_strconcat(cut, "…", NULL);
			g_free(cut);
		}
		set_str(b, "content", text);
		set_str(b, "username", "hark");
		/* A feed's text must never ping @everyone. */
		json_builder_set_member_name(b, "allowed_mentions");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "parse");
		json_builder_begin_array(b);
		json_builder_end_array(b);
		json_builder_end_object(b);
		break;
	case HARK_FORMAT_TEAMS: {
		JsonObject *item = json_object_has_member(root, "item")
				   ? json_object_get_object_member(root, "item") : NULL;
		const char *link = hark_json_str(item, "link");
		char *title = g_strdup_printf("hark: %s", hark_json_str(root, "rule")
					      ? hark_json_str(root, "rule") : "alert");
		set_str(b, "@type", "MessageCard");
		set_str(b, "@context", "https://schema.org/extensions");
		set_str(b, "summary", title);
		set_str(b, "title", title);
		set_str(b, "text", text);
		if (link) {
			json_builder_set_member_name(b, "potentialAction");
			json_builder_begin_array(b);
			json_builder_begin_object(b);
			set_str(b, "@type", "OpenUri");
			set_str(b, "name", "Open");
			json_builder_set_member_name(b, "targets");
			json_builder_begin_array(b);
			json_builder_begin_object(b);
			set_str(b, "os", "default");
			set_str(b, "uri", link);
			json_builder_end_object(b);
			json_builder_end_array(b);
			json_builder_end_object(b);
			json_builder_end_array(b);
		}
		g_free(title);
		break;
	}
	}
	json_builder_end_object(b);
	g_free(text);
	json_node_unref(node);
	return hark_json_finish(b);
}

char *hark_webhook_signature(const char *secret, const char *timestamp,
			     const char *body, size_t len)
{
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, (const guchar *)secret, strlen(secret));
	char *out;

	g_hmac_update(h, (const guchar *)timestamp, -1);
	g_hmac_update(h, (const guchar *)".", 1);
	g_hmac_update(h, (const guchar *)body, (gssize)len);
	out = g_strconcat("sha256=", g_hmac_get_string(h), NULL);
	g_hmac_unref(h);
	return out;
}

int64_t hark_retry_after_parse(const char *value, int64_t now)
{
	const char *p = value;
	time_t t;

	if (!value)
		return -1;
	while (*p == ' ')
		p++;
	if (g_ascii_isdigit(*p)) {
		char *end;
		guint64 n = g_ascii_strtoull(p, &end, 10);
		while (*end == ' ' || *end == '\r' || *end == '\n')
			end++;
		return *end ? -1 : (int64_t)MIN(n, (guint64)INT64_MAX);
	}
	t = curl_getdate(p, NULL);
	if (t == (time_t)-1)
		return -1;
	return MAX(0, (int64_t)t - now);
}

struct request {
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	char *channel;
	GString *response;
	char *retry_after;
	char errbuf[CURL_ERROR_SIZE];
	int64_t now;
	hark_attempt_done_fn done;
	void *user;
};

static size_t on_response(char *data, size_t size, size_t n, void *user)
{
	struct request *r = user;
	size_t len = size * n;

	if (r->response->len < RESPONSE_KEEP)
		g_string_append_len(r->response, data,
				    (gssize)MIN(len, RESPONSE_KEEP - r->response->len));
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *user)
{
	struct request *r = user;
	size_t len = size * n;

	if (len > 12 && !g_ascii_strncasecmp(data, "Retry-After:", 12)) {
		g_free(r->retry_after);
		r->retry_after = g_strndup(data + 12, len - 12);
		g_strstrip(r->retry_after);
	}
	return len;
}

static void request_free(struct request *r)
{
	curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->headers);
	g_free(r->body);
	g_free(r->channel);
	g_string_free(r->response, TRUE);
	g_free(r->retry_after);
	g_free(r);
}

/* The printable start of a response body, for the error message. */
static char *response_excerpt(const GString *s)
{
	char *t = g_utf8_make_valid(s->str, (gssize)s->len);

	for (char *p = t; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	g_strstrip(t);
	return t;
}

static void on_done(CURL *easy, CURLcode rc, void *user)
{
	struct request *r = user;
	struct hark_attempt a = {.retry_after = -1};
	long status = 0;

	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK) {
		a.error = g_strdup_printf("webhook %s: %s", r->channel,
					  r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
	} else if (status >= 200 && status <= 299) {
		a.ok = true;
	} else {
		char *ex = response_excerpt(r->response);
		a.retry_after = hark_retry_after_parse(r->retry_after, r->now);
		a.error = g_strdup_printf("webhook %s: HTTP %ld%s%s%s", r->channel, status,
					  status >= 300 && status < 400
					  ? " (redirects are not followed)" : "",
					  *ex ? ": " : "", ex);
		g_free(ex);
	}
	r->done(&a, r->user);
	g_free(a.error);
	request_free(r);
}

void hark_webhook_send(struct hark_curlmulti *m, const struct hark_channel_conf *ch,
		       const struct hark_delivery *d, int64_t now,
		       hark_attempt_done_fn done, void *user)
{
	struct request *r = g_new0(struct request, 1);
	char *ts = g_strdup_printf("%" G_GINT64_FORMAT, now);
	char *h;

	r->channel = g_strdup(ch->name);
	r->response = g_string_new(NULL);
	r->now = now;
	r->done = done;
	r->user = user;
	r->body = hark_webhook_body(ch->format, d->payload, d->id);
	if (!r->body) {
		struct hark_attempt a = {.permanent = true, .retry_after = -1};
		a.error = g_strdup_printf("webhook %s: delivery %s has a corrupt payload",
					  ch->name, d->id);
		done(&a, user);
		g_free(a.error);
		g_free(ts);
		r->easy = NULL;
		request_free(r);
		return;
	}
	r->headers = curl_slist_append(r->headers, "Content-Type: application/json");
	r->headers = curl_slist_append(r->headers, "Expect:");
	h = g_strconcat("X-Hark-Delivery: ", d->id, NULL);
	r->headers = curl_slist_append(r->headers, h);
	g_free(h);
	h = g_strconcat("X-Hark-Timestamp: ", ts, NULL);
	r->headers = curl_slist_append(r->headers, h);
	g_free(h);
	if (ch->secret) {
		char *sig = hark_webhook_signature(ch->secret, ts, r->body, strlen(r->body));
		h = g_strconcat("X-Hark-Signature: ", sig, NULL);
		r->headers = curl_slist_append(r->headers, h);
		g_free(h);
		g_free(sig);
	}
	for (guint i = 0; i < ch->headers->len; i++)
		r->headers = curl_slist_append(r->headers, ch->headers->pdata[i]);
	g_free(ts);

	hark_curl_global_init();
	r->easy = curl_easy_init();
	curl_easy_setopt(r->easy, CURLOPT_URL, ch->url);
	curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(r->body));
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(r->easy, CURLOPT_USERAGENT, hark_fetch_user_agent());
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, (long)ch->timeout);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT, (long)MIN(ch->timeout, 10));
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_response);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->easy, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
	hark_curlmulti_add(m, r->easy, on_done, r);
}
