#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/htmltext.h"

#include <glib.h>
#include <string.h>

static void check(const char *html, const char *want)
{
	char *got = hark_html_to_text(html, strlen(html));

	if (strcmp(got, want))
		fail_msg("'%s' gave '%s', want '%s'", html, got, want);
	g_free(got);
}

static void markup(void **state)
{
	(void)state;
	check("plain words", "plain words");
	check("  lots   of\n\t space  ", "lots of space");
	check("<b>bold</b> and <i>italic</i>", "bold and italic");
	check("<p>one</p><p>two</p>", "one\ntwo");
	check("line<br>break<br/>again", "line\nbreak\nagain");
	check("<ul><li>a</li><li>b</li></ul>after", "a\nb\nafter");
	check("<div><div><p>deep</p></div></div>tail", "deep\ntail");
	check("x<script>alert(1)</script>y", "xy");
	check("<style>p{color:red}</style>styled", "styled");
	check("AT&amp;T &lt;tag&gt; &eacute;t&eacute; &#8217; &#x2019;", "AT&T <tag> été ’ ’");
	check("a&nbsp;b", "a b");
	check("<p>trailing text after a block</p> and the rest", "trailing text after a block\nand the rest");
	check("text then <b>markup</b> then text", "text then markup then text");
	check("", "");
	check("<p></p>", "");
	check("<img src=x alt=y>", "");
	check("unclosed <b>bold", "unclosed bold");
	check("<h1>Title</h1>body", "Title\nbody");
}

static void bad_utf8(void **state)
{
	char *got = hark_html_to_text("caf\xe9 <b>x</b>", 11);

	(void)state;
	assert_true(g_utf8_validate(got, -1, NULL));
	g_free(got);
	got = hark_text_clean("a\xff\xfe b", 5);
	assert_true(g_utf8_validate(got, -1, NULL));
	g_free(got);
}

static void plain(void **state)
{
	char *got = hark_text_clean("  a <b>  &amp;\n\n c\x01 ", strlen("  a <b>  &amp;\n\n c\x01 "));

	(void)state;
	assert_string_equal(got, "a <b> &amp; c");
	g_free(got);
}

static void deep_nesting(void **state)
{
	GString *s = g_string_new(NULL);
	char *got;

	(void)state;
	for (int i = 0; i < 20000; i++)
		g_string_append(s, "<div><span>");
	g_string_append(s, "core");
	got = hark_html_to_text(s->str, s->len);
	/* libxml2 may cut the tree at its depth limit, but must not crash */
	assert_true(g_utf8_validate(got, -1, NULL));
	g_free(got);
	g_string_free(s, TRUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(markup),
		cmocka_unit_test(bad_utf8),
		cmocka_unit_test(plain),
		cmocka_unit_test(deep_nesting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
