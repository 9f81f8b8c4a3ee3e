/*
 * check_init.c - the `connbudget init` template equals its testdata copy
 * (testdata/valid/init-template.yaml, which the schema-agreement test loads)
 * byte for byte, and is a plain, newline-terminated, commented topology.
 * The runner's working directory is tests/.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "init_template.h"

#define TEMPLATE_COPY "../testdata/valid/init-template.yaml"

/* The whole file at path, NUL-terminated; *len gets its size. Caller frees. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	ck_assert_msg(f != NULL, "cannot open %s (run from tests/)", path);
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap + 1);
			ck_assert_ptr_nonnull(buf);
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	ck_assert(!ferror(f));
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

START_TEST(test_equals_copy)
{
	size_t len, tlen = strlen(init_template), i, line = 1;
	char *copy = slurp(TEMPLATE_COPY, &len);

	for (i = 0; i < len && i < tlen && copy[i] == init_template[i]; i++)
		if (copy[i] == '\n')
			line++;
	ck_assert_msg(i == len && i == tlen,
		      "src/init_template.c and " TEMPLATE_COPY " differ at byte %zu (line %zu)",
		      i, line);
	free(copy);
}
END_TEST

START_TEST(test_shape)
{
	size_t n = strlen(init_template);

	ck_assert_uint_lt(n, 4095);
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(init_template[n - 1], '\n');
	/* the editor schema line is init's, pointing at a file that exists: none here */
	ck_assert_ptr_null(strstr(init_template, "$schema"));
	ck_assert_int_eq(init_template[0], '#');
	ck_assert_ptr_nonnull(strstr(init_template, "\nversion: 1\n"));
	ck_assert_ptr_nonnull(strstr(init_template, "connbudget explain"));
	/* no tabs (YAML forbids them in indentation), no CR, ASCII only */
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(init_template[i] != '\t', "tab at byte %zu", i);
		ck_assert_msg(init_template[i] != '\r', "CR at byte %zu", i);
		ck_assert_msg((unsigned char)init_template[i] < 0x80, "non-ASCII at byte %zu", i);
	}
}
END_TEST

Suite *init_suite(void)
{
	Suite *s = suite_create("init");
	TCase *tc = tcase_create("template");

	tcase_add_test(tc, test_equals_copy);
	tcase_add_test(tc, test_shape);
	suite_add_tcase(s, tc);
	return s;
}
