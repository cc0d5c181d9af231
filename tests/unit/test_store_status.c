/* The store calls behind `hark status` and `hark tail`: the meta table,
 * deliveries counted by state, hits after an id (per rule, in order). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hark/error.h"
#include "hark/store.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

struct fixture {
	char *dir;
	char *path;
	struct hark_store *st;
	int64_t feed;
};

static int setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);
	struct hark_feed_state fs = {0};
	GError *e = NULL;

	f->dir = g_dir_make_tmp("hark-status-XXXXXX", NULL);
	f->path = g_build_filename(f->dir, "t.db", NULL);
	f->st = hark_store_open(f->path, &e);
	assert_non_null(f->st);
	assert_true(hark_store_feed_load(f->st, "f", "https://f.example/", &fs, &e));
	f->feed = fs.id;
	hark_feed_state_clear(&fs);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *wal = g_strconcat(f->path, "-wal", NULL), *shm = g_strconcat(f->path, "-shm", NULL);

	hark_store_close(f->st);
	g_unlink(f->path);
	g_unlink(wal);
	g_unlink(shm);
	g_rmdir(f->dir);
	g_free(wal);
	g_free(shm);
	g_free(f->path);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* An item titled TITLE with a hit of RULE; returns the hit id. */
static int64_t add_hit(struct fixture *f, const char *title, const char *rule)
{
	struct hark_item it = {0};
	GError *e = NULL;
	int64_t item, hit;
	bool is_new;

	it.title = (char *)title;
	it.link = (char *)"https://f.example/p";
	it.published = HARK_TIME_NONE;
	it.updated = HARK_TIME_NONE;
	it.categories = g_ptr_array_new();
	it.enclosures = g_ptr_array_new();
	assert_true(hark_store_item_put(f->st, f->feed, title, &it, 100, &is_new, &item, &e));
	assert_true(hark_store_hit_put(f->st, item, rule, -0.5, 100, &is_new, &hit, &e));
	g_ptr_array_unref(it.categories);
	g_ptr_array_unref(it.enclosures);
	return hit;
}

static void test_meta(void **state)
{
	struct fixture *f = *state;
	GError *e = NULL;
	char *v;

	assert_true(hark_store_meta_get(f->st, "k", &v, &e));
	assert_null(v);
	assert_true(hark_store_meta_set(f->st, "k", "1", &e));
	assert_true(hark_store_meta_set(f->st, "k", "2", &e));
	assert_true(hark_store_meta_get(f->st, "k", &v, &e));
	assert_string_equal(v, "2");
	g_free(v);
	/* It survives a reopen (the table is created only if missing). */
	hark_store_close(f->st);
	f->st = hark_store_open(f->path, &e);
	assert_non_null(f->st);
	assert_true(hark_store_meta_get(f->st, "k", &v, &e));
	assert_string_equal(v, "2");
	g_free(v);
}

static void test_delivery_counts(void **state)
{
	struct fixture *f = *state;
	struct hark_delivery_counts c;
	GError *e = NULL;
	char *a, *b, *d;
	int64_t hit = add_hit(f, "t", "r");

	assert_true(hark_store_delivery_counts(f->st, &c, &e));
	assert_int_equal(c.pending + c.dead + c.sent, 0);
	assert_true(hark_store_delivery_add(f->st, hit, "x", "{}", 100, &a, &e));
	assert_true(hark_store_delivery_add(f->st, hit, "y", "{}", 100, &b, &e));
	assert_true(hark_store_delivery_add(f->st, hit, "z", "{}", 100, &d, &e));
	assert_true(hark_store_delivery_done(f->st, a, 101, &e));
	assert_true(hark_store_delivery_failed(f->st, b, "boom", 0, true, &e));
	assert_true(hark_store_delivery_counts(f->st, &c, &e));
	assert_int_equal(c.sent, 1);
	assert_int_equal(c.dead, 1);
	assert_int_equal(c.pending, 1);
	g_free(a);
	g_free(b);
	g_free(d);
}

static void test_hits_after(void **state)
{
	struct fixture *f = *state;
	GError *e = NULL;
	GPtrArray *rows;
	int64_t h1 = add_hit(f, "one", "a"), h2 = add_hit(f, "two", "b");
	int64_t h3 = add_hit(f, "three", "a"), last;

	assert_true(hark_store_last_hit_id(f->st, &last, &e));
	assert_int_equal(last, h3);
	assert_true(hark_store_hits_after(f->st, NULL, 0, 0, &rows, &e));
	assert_int_equal(rows->len, 3);
	assert_int_equal(((struct hark_hit_row *)rows->pdata[0])->id, h1);
	assert_string_equal(((struct hark_hit_row *)rows->pdata[2])->title, "three");
	assert_string_equal(((struct hark_hit_row *)rows->pdata[1])->feed, "f");
	assert_true(((struct hark_hit_row *)rows->pdata[1])->sentiment < 0);
	g_ptr_array_unref(rows);
	/* Per rule, after an id, and capped. */
	assert_true(hark_store_hits_after(f->st, "a", h1, 0, &rows, &e));
	assert_int_equal(rows->len, 1);
	assert_int_equal(((struct hark_hit_row *)rows->pdata[0])->id, h3);
	g_ptr_array_unref(rows);
	assert_true(hark_store_hits_after(f->st, NULL, h1, 1, &rows, &e));
	assert_int_equal(rows->len, 1);
	assert_int_equal(((struct hark_hit_row *)rows->pdata[0])->id, h2);
	g_ptr_array_unref(rows);
	assert_true(hark_store_hits_after(f->st, NULL, h3, 0, &rows, &e));
	assert_int_equal(rows->len, 0);
	g_ptr_array_unref(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hits_after, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
