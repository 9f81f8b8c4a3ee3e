/* check_util.c - checked arithmetic, arena, string map, suggestions. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

START_TEST(test_add_edges)
{
	uint64_t r;

	ck_assert(u64_add(0, 0, &r) && r == 0);
	ck_assert(u64_add(UINT64_MAX - 1, 1, &r) && r == UINT64_MAX);
	ck_assert(!u64_add(UINT64_MAX, 1, &r));
	ck_assert(!u64_add(UINT64_MAX / 2 + 1, UINT64_MAX / 2 + 1, &r));
}
END_TEST

START_TEST(test_mul_edges)
{
	uint64_t r;

	ck_assert(u64_mul(0, UINT64_MAX, &r) && r == 0);
	ck_assert(u64_mul(1, UINT64_MAX, &r) && r == UINT64_MAX);
	ck_assert(u64_mul(UINT32_MAX, UINT32_MAX, &r) && r == 18446744065119617025ULL);
	ck_assert(!u64_mul(UINT64_MAX, 2, &r));
	ck_assert(!u64_mul((uint64_t)1 << 32, (uint64_t)1 << 32, &r));
}
END_TEST

START_TEST(test_sub_edges)
{
	uint64_t r;

	ck_assert(u64_sub(5, 5, &r) && r == 0);
	ck_assert(!u64_sub(0, 1, &r));
	ck_assert(u64_sub(UINT64_MAX, UINT64_MAX, &r) && r == 0);
}
END_TEST

START_TEST(test_mul_div_ceil)
{
	uint64_t r;

	ck_assert(u64_mul_div_ceil(10, 25, 100, &r) && r == 3);  /* 2.5 → 3 */
	ck_assert(u64_mul_div_ceil(8, 25, 100, &r) && r == 2);   /* 2.0 → 2 */
	ck_assert(u64_mul_div_ceil(0, 100, 100, &r) && r == 0);
	ck_assert(!u64_mul_div_ceil(UINT64_MAX, 2, 100, &r));
	ck_assert(!u64_mul_div_ceil(1, 1, 0, &r));
}
END_TEST

START_TEST(test_arena)
{
	struct arena a = { 0 };
	char *s = arena_strdup(&a, "hello");
	char *big = arena_alloc(&a, 200000);
	size_t i;

	ck_assert_str_eq(s, "hello");
	for (i = 0; i < 200000; i++)
		ck_assert_int_eq(big[i], 0);
	arena_release(&a);
	arena_release(&a);
	ck_assert_ptr_null(a.head);
}
END_TEST

/*
 * xbig arrays keep their contents across every growth: malloc'd while
 * small, then moved once into their own mapping (BIG_MIN, 256 KiB), where
 * they grow in place. xbig_calloc gives zeroes on both sides of the line.
 */
START_TEST(test_xbig)
{
	uint32_t *v = NULL, *moved_to = NULL;
	size_t cap = 0, i, n = 1000 * 1000, bad = 0; /* 4 MB: well past BIG_MIN */
	uint64_t *z;

	for (i = 0; i < n; i++) {
		xbig_grow(&v, &cap, i + 1, sizeof(*v));
		bad += cap < i + 1;
		v[i] = (uint32_t)(i * 2654435761u);
		if (i == n / 2)
			moved_to = v;
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_ptr_eq(v, moved_to); /* no move once mapped */
	for (i = 0; i < n; i++)
		bad += v[i] != (uint32_t)(i * 2654435761u);
	ck_assert_uint_eq(bad, 0);
	xbig_free(v);
	xbig_free(NULL);

	z = xbig_calloc(10, sizeof(*z));
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(z[i], 0);
	xbig_free(z);
	z = xbig_calloc(1000 * 1000, sizeof(*z));
	for (i = 0; i < 1000 * 1000; i += 511)
		ck_assert_uint_eq(z[i], 0);
	xbig_free(z);

	/* xbig_reserve: a small guess does nothing; a large one maps the array at once, and it never moves */
	v = NULL;
	cap = 0;
	xbig_reserve(&v, &cap, 100, sizeof(*v));
	ck_assert_uint_eq(cap, 0);
	ck_assert_ptr_null(v);
	xbig_reserve(&v, &cap, n, sizeof(*v));
	ck_assert_uint_ge(cap, n);
	moved_to = v;
	for (i = 0; i < n + 10; i++) {
		xbig_grow(&v, &cap, i + 1, sizeof(*v));
		v[i] = (uint32_t)i;
	}
	ck_assert_ptr_eq(v, moved_to);
	xbig_reserve(&v, &cap, 4 * n, sizeof(*v)); /* not empty: nothing */
	ck_assert_ptr_eq(v, moved_to);
	ck_assert_uint_eq(v[n + 9], n + 9);
	xbig_free(v);
}
END_TEST

/* Arena blocks double up to 8 MiB; big ones come from xbig and free alike. */
START_TEST(test_arena_growth)
{
	struct arena a = { 0 };
	char *first = arena_strdup(&a, "first"), *s = NULL;
	size_t i;

	size_t bad = 0;

	for (i = 0; i < 400000; i++) {
		s = arena_alloc(&a, 40);
		bad += s[39] != 0;
		s[0] = 'x';
	}
	ck_assert_uint_eq(bad, 0);
	ck_assert_str_eq(first, "first");
	arena_release(&a);
	ck_assert_ptr_null(a.head);
}
END_TEST

START_TEST(test_strmap)
{
	struct strmap m = { 0 };
	char keys[1000][8];
	size_t i, v;

	for (i = 0; i < 1000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		ck_assert(strmap_put(&m, keys[i], i, NULL));
	}
	ck_assert(!strmap_put(&m, "k7", 99, &v));
	ck_assert_uint_eq(v, 7);
	for (i = 0; i < 1000; i++)
		ck_assert(strmap_get(&m, keys[i], &v) && v == i);
	ck_assert(!strmap_get(&m, "nope", &v));
	strmap_release(&m);
}
END_TEST

START_TEST(test_suggest)
{
	const char *const words[] = { "replicas", "max_replicas", "processes" };

	ck_assert_str_eq(closest_word("replica", words, 3), "replicas");
	ck_assert_str_eq(closest_word("proceses", words, 3), "processes");
	ck_assert_ptr_null(closest_word("zzzzzzzz", words, 3));
	ck_assert_uint_eq(edit_distance("kitten", "sitting", 5), 3);
}
END_TEST

/* str_clip: short tokens as they are, long ones cut at a character boundary with "..." */
START_TEST(test_clip)
{
	char big[200], euro[200];
	const char *a, *b;
	size_t i;

	ck_assert_str_eq(str_clip("short"), "short");
	ck_assert_ptr_null(str_clip(NULL));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	a = str_clip(big);
	ck_assert_uint_eq(strlen(a), CLIP_MAX + 3);
	ck_assert_str_eq(a + CLIP_MAX, "...");
	big[CLIP_MAX] = '\0';
	ck_assert_ptr_eq(str_clip(big), big); /* exactly CLIP_MAX: whole */
	for (i = 0; i + 3 < sizeof(euro); i += 3)
		memcpy(euro + i, "\xE2\x82\xAC", 3); /* U+20AC, 3 bytes */
	euro[i] = '\0';
	b = str_clip(euro);
	ck_assert_str_eq(b + (CLIP_MAX / 3) * 3, "...");
	ck_assert_str_eq(a + CLIP_MAX, "..."); /* the first buffer still holds */
	ck_assert_ptr_eq(str_clip_path(big), big);
}
END_TEST

START_TEST(test_sbuf)
{
	struct sbuf b = { 0 };
	char *s;

	sbuf_puts(&b, "a");
	sbuf_printf(&b, "%d-%s", 42, "x");
	sbuf_putc(&b, '!');
	s = sbuf_detach(&b);
	ck_assert_str_eq(s, "a42-x!");
	free(s);
	s = sbuf_detach(&b);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

/* round_even is nearbyint in the default rounding mode. */
START_TEST(test_round_even)
{
	static const double v[] = { 0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.49999999999999994, 22.5, 225.0000000001,
				    1e15 + 0.5, 4503599627370495.5, 4503599627370496.0, 9.3e18, -7.7, 1e300 };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		double r = round_even(v[i]);
		ck_assert_msg(r == nearbyint(v[i]) && signbit(r) == signbit(nearbyint(v[i])),
			      "round_even(%.17g) = %.17g, nearbyint %.17g", v[i], r, nearbyint(v[i]));
	}
	ck_assert(isnan(round_even(NAN)));
	ck_assert(round_even(INFINITY) == INFINITY && round_even(-INFINITY) == -INFINITY);
}
END_TEST

Suite *util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("arithmetic");

	tcase_add_test(tc, test_add_edges);
	tcase_add_test(tc, test_mul_edges);
	tcase_add_test(tc, test_sub_edges);
	tcase_add_test(tc, test_mul_div_ceil);
	tcase_add_test(tc, test_round_even);
	suite_add_tcase(s, tc);
	tc = tcase_create("containers");
	tcase_add_test(tc, test_arena);
	tcase_add_test(tc, test_arena_growth);
	tcase_add_test(tc, test_xbig);
	tcase_add_test(tc, test_strmap);
	tcase_add_test(tc, test_sbuf);
	tcase_add_test(tc, test_suggest);
	tcase_add_test(tc, test_clip);
	suite_add_tcase(s, tc);
	return s;
}
