/* htmltext.h - HTML fragments to clean plain text.
 *
 * The text rules match on and users read: markup removed, script and style
 * dropped, entities decoded, block elements turned into line breaks, runs of
 * whitespace collapsed to one space, ends trimmed.  Input is untrusted.
 */
#ifndef HARK_HTMLTEXT_H
#define HARK_HTMLTEXT_H

#include <stddef.h>

/* Plain text of the HTML fragment HTML (LEN bytes, UTF-8; invalid bytes are
 * replaced).  Uses libxml2's HTML memory parser, the one htmlReadMemory
 * runs (the 2.9.14 push parser drops a fragment's trailing text), through
 * htmlCtxtReadMemory with SAX callbacks on a per-thread context: no tree is
 * built.  Thread-safe.  Returns a new string the caller g_free()s; never
 * NULL. */
char *hark_html_to_text(const char *html, size_t len);

/* TEXT (LEN bytes) taken as plain text: whitespace collapsed and trimmed,
 * control characters dropped, invalid UTF-8 replaced.  Returns a new string
 * the caller g_free()s; never NULL. */
char *hark_text_clean(const char *text, size_t len);

#endif
