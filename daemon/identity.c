/* identity.c - item identifiers: link normalisation, content fingerprint
 * and the layered key strategy. */
#include "hark/identity.h"
#include "hark/rules.h"

#include <string.h>

bool hark_identity_mode_parse(const char *text, enum hark_identity_mode *out)
{
	static const char *const names[] = {"auto", "guid", "link", "content"};

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		if (!g_ascii_strcasecmp(text, names[i])) {
			*out = (enum hark_identity_mode)i;
			return true;
		}
	}
	return false;
}

const char *hark_identity_mode_name(enum hark_identity_mode mode)
{
	switch (mode) {
	case HARK_IDENTITY_GUID: return "guid";
	case HARK_IDENTITY_LINK: return "link";
	case HARK_IDENTITY_CONTENT: return "content";
	case HARK_IDENTITY_AUTO: break;
	}
	return "auto";
}

bool hark_link_param_is_tracking(const char *name, size_t len)
{
	/* Parameters that identify the click, the campaign or the mailing,
	 * never the page. */
	static const char *const exact[] = {
		"fbclid", "gclid", "gclsrc", "dclid", "msclkid", "mc_cid", "mc_eid",
		"_ga", "_gl", "igshid", "yclid", "twclid", "ttclid", "wbraid",
		"gbraid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
		"vero_id", "vero_conv", "rb_clickid", "s_cid", "ref_src", "ref_url",
		"__s", "_openstat", "wt.mc_id", "wt_mc_id", "cmpid", "ncid",
	};

	if (len >= 4 && !g_ascii_strncasecmp(name, "utm_", 4))
		return true;
	for (size_t i = 0; i < G_N_ELEMENTS(exact); i++)
		if (strlen(exact[i]) == len && !g_ascii_strncasecmp(name, exact[i], len))
			return true;
	return false;
}

static void append_query(GString *out, const char *q, size_t len)
{
	bool first = true;
	const char *end = q + len;

	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(q, '=', (size_t)(stop - q));
		const char *name = q, *name_end = eq ? eq : stop;

		/* "fbclid " is fbclid: blanks around a name do not hide it. */
		while (name < name_end && *name == ' ')
			name++;
		while (name_end > name && name_end[-1] == ' ')
			name_end--;
		if (stop > q && !hark_link_param_is_tracking(name, (size_t)(name_end - name))) {
			g_string_append_c(out, first ? '?' : '&');
			g_string_append_len(out, q, stop - q);
			first = false;
		}
		q = amp ? amp + 1 : end;
	}
}

char *hark_link_normalize(const char *url)
{
	const char *p, *colon, *auth, *auth_end, *host, *host_end, *port;
	const char *path, *path_end, *query, *query_end, *frag;
	char *trimmed, *scheme, *out;
	size_t qpos;
	GString *s;
	bool http, https;

	if (!url)
		return NULL;
	trimmed = g_strstrip(g_strdup(url));
	colon = strchr(trimmed, ':');
	if (!colon || colon == trimmed) {
		g_free(trimmed);
		return NULL;
	}
	for (p = trimmed; p < colon; p++) {
		if (!g_ascii_isalnum(*p) && !strchr("+-.", *p)) {
			g_free(trimmed);
			return NULL;
		}
	}
	scheme = g_ascii_strdown(trimmed, colon - trimmed);
	http = !strcmp(scheme, "http");
	https = !strcmp(scheme, "https");
	if ((!http && !https) || strncmp(colon, "://", 3) != 0) {
		g_free(scheme);
		return trimmed;
	}
	auth = colon + 3;
	auth_end = auth + strcspn(auth, "/?#");
	/* Control characters anywhere, or blanks in the authority: not a
	 * link anyone can follow, so no identity either. */
	for (p = trimmed; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f ||
		    (*p == ' ' && p >= auth && p < auth_end)) {
			g_free(scheme);
			g_free(trimmed);
			return NULL;
		}
	}
	/* user:password@ stays as written; only the host is case-folded. */
	host = auth;
	for (p = auth; p < auth_end; p++)
		if (*p == '@')
			host = p + 1;
	host_end = auth_end;
	port = NULL;
	if (*host == '[') {
		const char *rb = memchr(host, ']', (size_t)(auth_end - host));
		if (rb && rb + 1 < auth_end && rb[1] == ':')
			port = rb + 1;
	} else {
		port = memchr(host, ':', (size_t)(auth_end - host));
	}
	if (port)
		host_end = port;
	if (host_end == host) {
		g_free(scheme);
		g_free(trimmed);
		return NULL;
	}
	/* "example.com." is example.com. */
	while (host_end > host && host_end[-1] == '.')
		host_end--;
	if (host_end == host) {
		g_free(scheme);
		g_free(trimmed);
		return NULL;
	}
	s = g_string_new(scheme);
	g_string_append(s, "://");
	g_string_append_len(s, auth, host - auth);
	for (p = host; p < host_end; p++)
		g_string_append_c(s, g_ascii_tolower(*p));
	if (port && port + 1 < auth_end) {
		size_t plen = (size_t)(auth_end - port - 1);
		bool dflt = (http && plen == 2 && !strncmp(port + 1, "80", 2)) ||
			    (https && plen == 3 && !strncmp(port + 1, "443", 3));
		if (!dflt)
			g_string_append_len(s, port, auth_end - port);
	}
	path = auth_end;
	path_end = path + strcspn(path, "?#");
	if (path_end == path)
		g_string_append_c(s, '/');
	else
		g_string_append_len(s, path, path_end - path);
	query = *path_end == '?' ? path_end + 1 : NULL;
	query_end = query ? query + strcspn(query, "#") : path_end;
	qpos = s->len;
	if (query)
		append_query(s, query, (size_t)(query_end - query));
	/* Fragments are dropped, except "#!" routes that some sites use as
	 * the address of the page itself. */
	frag = *query_end == '#' ? query_end : NULL;
	if (frag && frag[1] == '!') {
		g_string_append(s, frag);
	} else {
		/* The dropped fragment can leave blanks and empty parameters at
		 * the end: trim them, so that normalising a normalised link
		 * changes nothing. */
		for (;;) {
			char c = s->str[s->len - 1];
			if (c != ' ' && !(s->len > qpos && c == '&') &&
			    !(s->len == qpos + 1 && c == '?'))   /* a lone '?' */
				break;
			g_string_truncate(s, s->len - 1);
		}
	}
	out = g_string_free(s, FALSE);
	g_free(scheme);
	g_free(trimmed);
	return out;
}

char *hark_identity_fold(const char *text)
{
	char *folded, *norm;
	GString *out;
	bool space = false;

	if (!text)
		return g_strdup("");
	folded = g_utf8_casefold(text, -1);
	norm = g_utf8_normalize(folded, -1, G_NORMALIZE_NFKC);
	g_free(folded);
	if (!norm)
		return g_strdup("");
	out = g_string_sized_new(strlen(norm));
	for (const char *p = norm; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_isspace(c)) {
			space = out->len > 0;
			continue;
		}
		if (space)
			g_string_append_c(out, ' ');
		space = false;
		g_string_append_unichar(out, c);
	}
	g_free(norm);
	return g_string_free(out, FALSE);
}

void hark_item_ids_compute(const struct hark_item *item, struct hark_item_ids *out)
{
	const char *link = item->orig_link && *item->orig_link ? item->orig_link
							       : item->link;
	char *title = hark_identity_fold(item->title);
	char *text = hark_identity_fold(hark_item_field(item, HARK_FIELD_TEXT));

	memset(out, 0, sizeof *out);
	if (item->id && *item->id)
		out->guid = g_strdup(item->id);
	out->link = hark_link_normalize(link);
	if (*title || *text) {
		GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
		g_checksum_update(ck, (const guchar *)title, -1);
		g_checksum_update(ck, (const guchar *)"\n", 1);
		g_checksum_update(ck, (const guchar *)text, -1);
		out->fp = g_strdup(g_checksum_get_string(ck));
		g_checksum_free(ck);
	}
	g_free(title);
	g_free(text);
}

void hark_item_ids_clear(struct hark_item_ids *ids)
{
	g_free(ids->guid);
	g_free(ids->link);
	g_free(ids->fp);
	memset(ids, 0, sizeof *ids);
}

enum hark_identity_mode hark_identity_effective(enum hark_identity_mode mode,
						const struct hark_identity_trust *trust,
						const struct hark_item_ids *ids)
{
	if (mode != HARK_IDENTITY_AUTO)
		return mode;
	if (ids->guid && !trust->guids_unreliable)
		return HARK_IDENTITY_GUID;
	if (ids->link && !trust->links_unreliable)
		return HARK_IDENTITY_LINK;
	return HARK_IDENTITY_CONTENT;
}

char *hark_identity_key(enum hark_identity_mode strategy,
			const struct hark_item_ids *ids)
{
	switch (strategy) {
	case HARK_IDENTITY_AUTO:
	case HARK_IDENTITY_GUID:
		if (ids->guid)
			return g_strconcat("guid:", ids->guid, NULL);
		/* fall through */
	case HARK_IDENTITY_LINK:
		if (ids->link)
			return g_strconcat("link:", ids->link, NULL);
		/* fall through */
	case HARK_IDENTITY_CONTENT:
		break;
	}
	return g_strconcat("content:", ids->fp ? ids->fp : "empty", NULL);
}
