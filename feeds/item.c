/* item.c - constructors and destructors for the parsed feed model. */
#include "hark/item.h"

#include <stdlib.h>

struct hark_item *hark_item_new(void)
{
	struct hark_item *item = g_new0(struct hark_item, 1);

	item->id_is_permalink = true;
	item->published = HARK_TIME_NONE;
	item->updated = HARK_TIME_NONE;
	item->categories = g_ptr_array_new_with_free_func(g_free);
	item->enclosures = g_ptr_array_new_with_free_func(g_free);
	return item;
}

void hark_item_free(struct hark_item *item)
{
	if (!item)
		return;
	g_free(item->id);
	g_free(item->link);
	g_free(item->orig_link);
	g_free(item->title);
	g_free(item->author);
	g_free(item->summary);
	g_free(item->content);
	g_ptr_array_unref(item->categories);
	g_ptr_array_unref(item->enclosures);
	g_free(item);
}

static void item_free_cb(gpointer p)
{
	hark_item_free(p);
}

struct hark_feed_doc *hark_feed_doc_new(void)
{
	struct hark_feed_doc *doc = g_new0(struct hark_feed_doc, 1);

	doc->items = g_ptr_array_new_with_free_func(item_free_cb);
	return doc;
}

void hark_feed_doc_free(struct hark_feed_doc *doc)
{
	if (!doc)
		return;
	g_free(doc->format);
	g_free(doc->title);
	g_free(doc->link);
	g_free(doc->bozo_reason);
	g_free(doc->next_page);
	g_ptr_array_unref(doc->items);
	g_free(doc);
}
