/* check_yalloc.c - libyaml's allocator in the release build (yalloc.h). */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "yalloc.h"

static bool aligned16(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

/* Every size a block is asked for keeps its bytes, is aligned, and comes back after a free. */
START_TEST(test_sizes)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 100, 1023, 1024, 1025, 70000 };
	void *p[sizeof(sizes) / sizeof(sizes[0])];
	size_t i;

	for (i = 0; i < (sizeof(sizes) / sizeof(sizes[0])); i++) {
		size_t n = sizes[i] ? sizes[i] : 1;
		p[i] = yalloc_malloc(sizes[i]);
		ck_assert_ptr_nonnull(p[i]);
		ck_assert(aligned16(p[i]));
		memset(p[i], (int)i + 1, n);
	}
	for (i = 0; i < (sizeof(sizes) / sizeof(sizes[0])); i++) {
		size_t n = sizes[i] ? sizes[i] : 1;
		ck_assert_int_eq(((unsigned char *)p[i])[0], (int)i + 1);
		ck_assert_int_eq(((unsigned char *)p[i])[n - 1], (int)i + 1);
	}
	for (i = 0; i < (sizeof(sizes) / sizeof(sizes[0])); i++)
		yalloc_free(p[i]);
	yalloc_free(NULL);
}
END_TEST

/* A freed small block is the next one handed out of its size; different sizes do not mix. */
START_TEST(test_reuse)
{
	void *a = yalloc_malloc(40), *b = yalloc_malloc(40), *c;

	ck_assert_ptr_ne(a, b);
	yalloc_free(a);
	c = yalloc_malloc(48); /* the same class as 40: 48 bytes */
	ck_assert_ptr_eq(c, a);
	a = yalloc_malloc(200);
	ck_assert_ptr_ne(a, b);
	ck_assert_ptr_ne(a, c);
	yalloc_free(a);
	yalloc_free(b);
	yalloc_free(c);
}
END_TEST

/* realloc keeps the bytes across every kind of move: within a block, small to small, small to big, big to big. */
START_TEST(test_realloc)
{
	unsigned char *p = yalloc_realloc(NULL, 10), *q;
	size_t n, i;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < 10; i++)
		p[i] = (unsigned char)i;
	q = yalloc_realloc(p, 16); /* fits the 16-byte block: stays */
	ck_assert_ptr_eq(q, p);
	q = yalloc_realloc(p, 8); /* shrinking never moves */
	ck_assert_ptr_eq(q, p);
	for (n = 32; n <= 1 << 20; n *= 2) {
		q = yalloc_realloc(p, n);
		ck_assert_ptr_nonnull(q);
		ck_assert(aligned16(q));
		for (i = 0; i < 10; i++)
			ck_assert_int_eq(q[i], (int)i);
		memset(q + n / 2, 0xAB, n / 2);
		p = q;
	}
	ck_assert_int_eq(p[(1 << 20) - 1], 0xAB);
	yalloc_free(p);
}
END_TEST

START_TEST(test_strdup)
{
	char *s = yalloc_strdup("connbudget"), *e = yalloc_strdup("");

	ck_assert_str_eq(s, "connbudget");
	ck_assert_str_eq(e, "");
	yalloc_free(s);
	yalloc_free(e);
}
END_TEST

/* Many blocks at once: more than one chunk, none overlapping. */
START_TEST(test_many)
{
	enum { N = 20000 };
	unsigned char **v = calloc(N, sizeof(*v));
	size_t i;

	ck_assert_ptr_nonnull(v);
	for (i = 0; i < N; i++) {
		v[i] = yalloc_malloc(1 + i % 300);
		ck_assert_ptr_nonnull(v[i]);
		memset(v[i], (int)(i & 0xff), 1 + i % 300);
	}
	for (i = 0; i < N; i++)
		ck_assert_int_eq(v[i][i % 300], (int)(i & 0xff));
	for (i = 0; i < N; i += 2)
		yalloc_free(v[i]);
	for (i = 0; i < N; i += 2) {
		v[i] = yalloc_malloc(1 + i % 300);
		memset(v[i], (int)(i & 0xff), 1 + i % 300);
	}
	for (i = 0; i < N; i++) {
		ck_assert_int_eq(v[i][0], (int)(i & 0xff));
		yalloc_free(v[i]);
	}
	free(v);
}
END_TEST

Suite *yalloc_suite(void)
{
	Suite *s = suite_create("yalloc");
	TCase *tc = tcase_create("blocks");

	tcase_add_test(tc, test_sizes);
	tcase_add_test(tc, test_reuse);
	tcase_add_test(tc, test_realloc);
	tcase_add_test(tc, test_strdup);
	tcase_add_test(tc, test_many);
	suite_add_tcase(s, tc);
	return s;
}
